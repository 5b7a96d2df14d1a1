"""The `fastapi-guardrails` command line: `check` and `rule`, with ruff's words and exit codes.

Exit status: 0 nothing left to report; 1 findings remain (syntax errors included);
2 usage or configuration error, with a one-line message on stderr and no traceback.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from checks import __version__
from checks.catalog import CATALOG, CATALOG_BY_CODE
from checks.config import CommandLineSelection, ConfigError, Settings, load_settings
from checks.discovery import discover
from checks.findings import FileResult, Finding, Location, split_lines
from checks.output import (
    OUTPUT_FORMATS,
    display_path,
    render_concise,
    render_full,
    render_github,
    render_json,
    render_sarif,
    render_statistics,
)
from checks.project import (
    ModuleLocator,
    ModuleSummary,
    ProjectIndex,
    forget_packages,
    module_name_for,
    source_root_for,
    summarize_source,
)

if TYPE_CHECKING:  # imported when needed: libcst takes 0.2 s to import, the cache 15 ms
    from checks.cache import Cache
    from checks.engine import Engine

SYNTAX_ERROR_CODE = "FG000"
#: Fewer files than this to parse are checked in this process: a pool costs more.
PARALLEL_MIN_FILES = 8

PROG = "fastapi-guardrails"
EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


class UsageError(Exception):
    """A command line that cannot be run."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


def _selectors(values: Sequence[str] | None) -> list[str]:
    """`--select FG1,FG2 --select FG3` -> ["FG1", "FG2", "FG3"]."""
    return [part.strip() for value in values or () for part in value.split(",") if part.strip()]


def _positive_int(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {value!r}")
    return number


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the whole command line."""
    parser = _Parser(
        prog=PROG,
        description="Checks async FastAPI + SQLAlchemy 2.0 + Pydantic v2 code for the "
        "patterns AI assistants get wrong.",
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    check = commands.add_parser("check", help="check files and directories (default: .)")
    check.add_argument("paths", nargs="*", type=Path, metavar="PATH")
    check.add_argument("--select", action="append", metavar="CODES", help="codes or prefixes")
    check.add_argument("--extend-select", action="append", metavar="CODES")
    check.add_argument("--ignore", action="append", metavar="CODES")
    check.add_argument("--output-format", choices=OUTPUT_FORMATS, default="concise")
    check.add_argument("--fix", action="store_true", help="apply the safe fixes")
    check.add_argument(
        "--unsafe-fixes", action="store_true", help="with --fix or --diff, apply unsafe fixes too"
    )
    check.add_argument(
        "--diff", action="store_true", help="print the fixes as a diff; write nothing"
    )
    check.add_argument("--exit-zero", action="store_true", help="exit 0 even with findings")
    check.add_argument("--statistics", action="store_true", help="count findings per code")
    check.add_argument(
        "--stdin-filename", metavar="NAME", help="read the source from stdin; report it as NAME"
    )
    check.add_argument("--config", type=Path, metavar="FILE", help="a pyproject.toml or TOML")
    check.add_argument(
        "--jobs",
        type=_positive_int,
        default=None,
        metavar="N",
        help="worker processes for the files to parse (default: the number of CPUs)",
    )
    check.add_argument(
        "--no-cache", action="store_true", help="neither read nor write the results cache"
    )
    check.add_argument(
        "--cache-dir",
        type=Path,
        metavar="DIR",
        help="where the results cache lives (default: .fastapi_guardrails_cache/ in the root)",
    )

    hook = commands.add_parser("hook", help="run as an AI assistant's edit hook")
    hook.add_argument("agent", choices=("claude",), help="claude: Claude Code PostToolUse")

    rule = commands.add_parser("rule", help="explain a rule (or --all)")
    rule.add_argument("code", nargs="?", metavar="CODE")
    rule.add_argument("--all", action="store_true", help="every rule")
    rule.add_argument("--output-format", choices=("text", "markdown", "json"), default="text")
    return parser


def _read_failure(path: Path, error: OSError) -> FileResult:
    reason = error.strerror or str(error)
    message = f"Cannot read file: {reason}"
    finding = Finding(path, SYNTAX_ERROR_CODE, message, Location(1, 1), Location(1, 1))
    return FileResult(path, [finding], None)


def run_check(args: argparse.Namespace) -> int:
    """`check`: find files, check each, print, and choose the exit status."""
    paths: list[Path] = list(args.paths)
    if args.stdin_filename is not None and paths:
        raise UsageError("--stdin-filename reads stdin: give no PATH with it")
    if args.stdin_filename is not None and (args.fix or args.diff):
        raise UsageError("--fix and --diff apply to files, not to --stdin-filename")
    if args.stdin_filename is not None:
        start = Path(args.stdin_filename).parent
        start = start if start.is_dir() else Path.cwd()
    else:
        start = paths[0] if paths else Path.cwd()
    selection = CommandLineSelection(
        select=_selectors(args.select) if args.select is not None else None,
        extend_select=_selectors(args.extend_select),
        ignore=_selectors(args.ignore),
    )
    settings = load_settings(CATALOG, start, args.config, selection)

    results: list[FileResult] = []
    cache: Cache | None = None
    files: list[Path] = []
    stamps: dict[Path, list[int] | None] = {}
    others: list[tuple[Path, list[int] | None]] = []
    snapshot: str | None = None
    if args.stdin_filename is not None:
        path = Path(args.stdin_filename)
        results.append(check_file(make_engine(settings), settings, path, sys.stdin.buffer.read()))
    else:
        files = discover(paths or [Path(".")], settings)
        if not files:
            print(
                f"{PROG}: warning: no Python files found under the given path(s)", file=sys.stderr
            )
        if not args.no_cache:
            from checks.cache import CACHE_DIR_NAME, Cache, run_name

            directory = args.cache_dir or settings.project_root / CACHE_DIR_NAME
            cache = Cache(directory, settings.enabled)
            if (
                not (args.fix or args.diff)
                and "FG604" not in settings.enabled
                and len(files) >= SNAPSHOT_MIN_FILES
            ):
                snapshot = run_name(paths or [Path(".")], settings.config_file)
                answered = cache.load_run(snapshot, files)
                if answered is not None:  # nothing changed since the same run
                    answered.sort(key=Finding.sort_key)
                    sys.stdout.write(_render(args, answered, [], 0))
                    sys.stdout.flush()
                    return EXIT_FINDINGS if answered and not args.exit_zero else EXIT_CLEAN
        results = check_files(files, settings, cache, args.jobs, stamps)

    index = build_index(results, settings, cache, others)
    fixed = 0
    if args.fix or args.diff:
        results, fixed, changed = _apply_fixes(
            args, make_engine(settings), settings, results, index
        )
        if args.diff:
            sys.stderr.write(f"Would fix {fixed} error{'s' if fixed != 1 else ''}.\n")
            return EXIT_FINDINGS if changed else EXIT_CLEAN
    findings = sorted(resolve_with(results, index), key=Finding.sort_key)
    if cache is not None:
        cache.save()
        if snapshot is not None:
            cache.save_run(snapshot, [(f, stamps.get(f)) for f in files], others, findings)
    sys.stdout.write(_render(args, findings, results, fixed))
    sys.stdout.flush()
    return EXIT_FINDINGS if findings and not args.exit_zero else EXIT_CLEAN


def _fixable(findings: Sequence[Finding], unsafe: bool) -> bool:
    return any(f.fix is not None and (f.fix.applicability == "safe" or unsafe) for f in findings)


def _apply_fixes(
    args: argparse.Namespace,
    engine: Engine,
    settings: Settings,
    results: list[FileResult],
    index: ProjectIndex,
) -> tuple[list[FileResult], int, bool]:
    """Fix every file that has applicable fixes; with --diff, print instead of writing."""
    from checks.fixer import fix_source, write_atomically

    fixed = 0
    changed = False
    updated: list[FileResult] = []
    for result in results:
        path = result.path
        if not _fixable(resolve_with([result], index), args.unsafe_fixes):
            updated.append(result)
            continue

        def check(data: bytes, path: Path = path) -> tuple[list[Finding], str | None]:
            checked = check_file(engine, settings, path, data)
            return resolve_with([checked], index), checked.text

        original = path.read_bytes()
        outcome = fix_source(original, check, args.unsafe_fixes)
        if outcome.source is None:
            updated.append(result)
            continue
        changed = True
        fixed += outcome.fixed
        if args.diff:
            sys.stdout.write(_unified_diff(path, original, outcome.source))
            updated.append(result)
        else:
            write_atomically(path, outcome.source)
            updated.append(check_file(engine, settings, path, outcome.source))
    return updated, fixed, changed


def _unified_diff(path: Path, before: bytes, after: bytes) -> str:
    from checks.findings import decode_source

    name = display_path(path)
    lines = difflib.unified_diff(
        split_lines(decode_source(before) or "", keepends=True),
        split_lines(decode_source(after) or "", keepends=True),
        fromfile=f"a/{name.lstrip('/')}",
        tofile=f"b/{name.lstrip('/')}",
    )
    return "".join(lines)


def make_engine(settings: Settings, *, prefilter: bool = True) -> Engine:
    """The engine of the enabled rules (imports the rules, and libcst)."""
    from checks.engine import Engine
    from checks.rules import ALL_RULES

    return Engine([r for r in ALL_RULES if r.code in settings.enabled], prefilter=prefilter)


#: The engine and settings of a worker process (inherited through fork).
_WORKER: tuple[Engine, Settings] | None = None


def _check_in_worker(item: tuple[Path, bytes]) -> FileResult:
    assert _WORKER is not None
    engine, settings = _WORKER
    return check_file(engine, settings, *item)


#: runs of at least this many files keep a snapshot of their findings (a one-file hook
#: run is answered from the per-file cache alone)
SNAPSHOT_MIN_FILES = 20


def check_files(
    files: Sequence[Path],
    settings: Settings,
    cache: Cache | None,
    jobs: int | None = None,
    stamps: dict[Path, list[int] | None] | None = None,
) -> list[FileResult]:
    """Check files, in order: answered from the cache when their key is unchanged, the
    others parsed here or, when there are enough of them, in `jobs` forked processes.
    `stamps` receives each file's size and modification time from before it was read."""
    global _WORKER
    forget_packages()
    results: list[FileResult | None] = []
    todo: list[tuple[int, Path, bytes, str, list[int] | None]] = []
    # FG604 compares migrations with git history, which changes without the file: read them
    trust_stamps = cache is not None and "FG604" not in settings.enabled
    if cache is not None:
        from checks.cache import digest, stamp_of
    for path in files:
        stamp: list[int] | None = None
        rest = ""
        try:
            if trust_stamps:
                assert cache is not None
                stamp = stamp_of(os.stat(path))
                if stamps is not None:
                    stamps[path] = stamp
                rest = _rest_key(settings, path)
                if stamp is not None:
                    hit = cache.lookup(path, stamp, rest)
                    if hit is not None:
                        results.append(hit)
                        continue
            source = path.read_bytes()
        except OSError as error:
            results.append(_read_failure(path, error))
            continue
        key = ""
        if cache is not None:
            key = f"{digest(source)}|{rest or _rest_key(settings, path)}"
        cached = None
        if cache is not None and _cacheable(settings, path, source):
            cached = cache.get(path, key, source, stamp)
        results.append(cached)
        if cached is None:
            todo.append((len(results) - 1, path, source, key, stamp))
    if todo:
        engine = make_engine(settings)
        workers = min(jobs or os.cpu_count() or 1, len(todo))
        items = [(path, source) for _, path, source, _, _ in todo]
        checked: list[FileResult]
        if workers > 1 and len(todo) >= PARALLEL_MIN_FILES and _can_fork():
            import concurrent.futures
            import multiprocessing

            _WORKER = (engine, settings)
            try:
                with concurrent.futures.ProcessPoolExecutor(
                    workers, mp_context=multiprocessing.get_context("fork")
                ) as pool:
                    chunk = max(1, len(items) // (workers * 8))
                    checked = list(pool.map(_check_in_worker, items, chunksize=chunk))
            finally:
                _WORKER = None
        else:
            checked = [check_file(engine, settings, path, source) for path, source in items]
        for (position, path, source, key, stamp), result in zip(todo, checked, strict=True):
            results[position] = result
            if cache is not None and _cacheable(settings, path, source):
                cache.put(path, key, result, stamp)
    return [result for result in results if result is not None]


def _texts(findings: Sequence[Finding], results: Sequence[FileResult]) -> dict[Path, str | None]:
    """The text of each file with findings (read now for results answered from the
    cache, which keeps no text)."""
    from checks.findings import decode_source

    texts: dict[Path, str | None] = {r.path: r.text for r in results}
    for path in {finding.path for finding in findings}:
        if texts.get(path) is None:
            try:
                texts[path] = decode_source(path.read_bytes())
            except OSError:
                texts[path] = None
    return texts


def _can_fork() -> bool:
    import multiprocessing

    return "fork" in multiprocessing.get_all_start_methods()


def _rest_key(settings: Settings, path: Path) -> str:
    """The cache key of a file apart from its content: layer, ignores, module name."""
    from checks.cache import entry_key

    relative = settings.relative(path)
    module, is_package = module_name_for(path)
    return entry_key(
        "",
        settings.layers.layer_of(relative),
        settings.ignored_codes_for(relative),
        module,
        is_package,
    ).partition("|")[2]


def _cacheable(settings: Settings, path: Path, source: bytes) -> bool:
    """FG604 compares a migration with git history, which changes without the file: its
    candidates are checked every time."""
    if "FG604" not in settings.enabled:
        return True
    return (
        b"revision" not in source
        and settings.layers.layer_of(settings.relative(path)) != "migration"
    )


def check_file(engine: Engine, settings: Settings, path: Path, source: bytes) -> FileResult:
    """Check one file with its layer, per-file ignores and module name."""
    relative = settings.relative(path)
    layer = settings.layers.layer_of(relative)
    module, is_package = module_name_for(path)
    return engine.check(
        path, source, layer, settings.ignored_codes_for(relative), module, is_package
    )


def resolve_findings(results: Sequence[FileResult], settings: Settings) -> list[Finding]:
    """The definite findings, plus the pending ones whose condition holds across the
    project (modules the run did not parse are read from disk on demand)."""
    return resolve_with(results, build_index(results, settings))


def resolve_with(results: Sequence[FileResult], index: ProjectIndex) -> list[Finding]:
    """The definite findings, plus the pending ones whose condition holds in `index`."""
    findings = [f for r in results for f in r.findings]
    findings.extend(
        finding for r in results for finding, condition in r.pending if index.holds(condition)
    )
    return findings


def build_index(
    results: Sequence[FileResult],
    settings: Settings,
    cache: Cache | None = None,
    others: list[tuple[Path, list[int] | None]] | None = None,
) -> ProjectIndex:
    """The project index of a run: its files' summaries, and the rest loaded on demand.

    Touches no file: the source roots come from the summaries' module names, and the
    loader reads a module only when a pending finding asks about it (a file the
    pre-filter spared, or one outside the run), through the cache when there is one."""
    locator = ModuleLocator([settings.project_root, settings.project_root / "src"])
    for result in results:
        if result.summary is not None:
            is_package = result.path.stem == "__init__"
            root = source_root_for(result.path, result.summary.module, is_package)
            if root is not None:
                locator.add_root(root)
    return ProjectIndex(
        (r.summary for r in results if r.summary is not None),
        loader=_loader(locator, cache, others),
    )


def _loader(
    locator: ModuleLocator,
    cache: Cache | None,
    others: list[tuple[Path, list[int] | None]] | None = None,
) -> Callable[[str], ModuleSummary | None]:
    """Load a module's summary from the file the locator finds for it; `others`
    receives each file read, with its stamp from before the read."""

    from checks.cache import digest, stamp_of

    def load(module: str) -> ModuleSummary | None:
        path = locator.find(module)
        if path is None:
            return None
        try:
            if others is not None:
                others.append((path, stamp_of(os.stat(path))))
            source = path.read_bytes()
        except OSError:
            return None
        key = f"{digest(source)}|{module}"
        if cache is not None:
            found, summary = cache.get_summary(path, key)
            if found:
                return summary
        summary = summarize_source(source, module, path.stem == "__init__")
        if cache is not None:
            cache.put_summary(path, key, summary)
        return summary

    return load


def _render(
    args: argparse.Namespace, findings: list[Finding], results: list[FileResult], fixed: int
) -> str:
    if args.statistics:
        return render_statistics(findings, CATALOG_BY_CODE)
    output_format = args.output_format
    if output_format == "json":
        return render_json(findings)
    if output_format == "sarif":
        from checks.rules import ALL_RULES

        return render_sarif(findings, ALL_RULES)
    if output_format == "github":
        return render_github(findings)
    if output_format == "full":
        return render_full(findings, _texts(findings, results), fixed)
    return render_concise(findings, fixed)


def run_rule(args: argparse.Namespace) -> int:
    """`rule CODE` / `rule --all`: print the docs read from the rule classes."""
    from checks.docs import rule_json, rule_markdown, rules_markdown
    from checks.rules import ALL_RULES, RULES_BY_CODE

    if args.all == (args.code is not None):
        raise UsageError("give one rule CODE, or --all")
    if args.all:
        if args.output_format == "json":
            sys.stdout.write(json.dumps([rule_json(r) for r in ALL_RULES], indent=2) + "\n")
        else:
            sys.stdout.write(rules_markdown(ALL_RULES))
        return EXIT_CLEAN
    rule = RULES_BY_CODE.get(args.code.strip().upper())
    if rule is None:
        raise UsageError(f"unknown rule code `{args.code}`")
    if args.output_format == "json":
        sys.stdout.write(json.dumps(rule_json(rule), indent=2) + "\n")
    else:
        sys.stdout.write(rule_markdown(rule))
    return EXIT_CLEAN


def run_hook(args: argparse.Namespace) -> int:
    """`hook claude`: read the hook payload on stdin, answer on stdout, always exit 0."""
    from checks.hook import run_claude_hook

    output = run_claude_hook(sys.stdin.buffer.read())
    if output:
        sys.stdout.write(output + "\n")
    return EXIT_CLEAN


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of `fastapi-guardrails` and `python -m checks`."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if args.command == "check":
            return run_check(args)
        if args.command == "rule":
            return run_rule(args)
        if args.command == "hook":
            return run_hook(args)
        parser.print_help()
        return EXIT_ERROR
    except (UsageError, ConfigError) as error:
        print(f"{PROG}: error: {error}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return EXIT_CLEAN
    except Exception as error:  # never a traceback: one line, exit 2
        print(f"{PROG}: error: internal error: {error!r}", file=sys.stderr)
        return EXIT_ERROR

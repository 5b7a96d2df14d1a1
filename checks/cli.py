"""The `fastapi-guardrails` command line: `check` and `rule`, with ruff's words and exit codes.

Exit status: 0 nothing left to report; 1 findings remain (syntax errors included);
2 usage or configuration error, with a one-line message on stderr and no traceback.

A file that cannot be read or written is an FG000 finding that says why (`--fix` goes on
with the other files); a file `--fix` leaves alone (see `checks.writer`) is named in a
warning on stderr. File names that are not UTF-8 print with their bytes as `\\xNN`.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from checks import __version__
from checks.catalog import CATALOG, CATALOG_BY_CODE
from checks.config import CommandLineSelection, ConfigError, Settings
from checks.discovery import discover, is_excluded
from checks.findings import FileResult, Finding, HeldBack, Location, split_lines
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
from checks.run import (
    SYNTAX_ERROR_CODE,
    Project,
    SettingsLoader,
    WorkerPool,
    build_index,
    check_file,
    check_files,
    covers_project,
    group_by_project,
    held_back,
    make_engine,
    resolve_with,
    run_packages,
    settle,
)

if TYPE_CHECKING:  # imported when needed: libcst takes 0.2 s to import, the cache 15 ms
    from checks.cache import Cache
    from checks.engine import Engine
    from checks.project import ProjectIndex
    from checks.writer import SourceFile

#: runs of at least this many files keep a snapshot of their findings (a one-file hook
#: run is answered from the per-file cache alone)
SNAPSHOT_MIN_FILES = 20

PROG = "fastapi-guardrails"
EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


class UsageError(Exception):
    """A command line that cannot be run."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


def _selectors(values: Sequence[str] | None, option: str) -> list[str]:
    """`--select FG1,FG2 --select FG3` -> ["FG1", "FG2", "FG3"]. A value with no code in
    it (`--select ""`) is a usage error, as in ruff: it would turn every rule off."""
    selectors: list[str] = []
    for value in values or ():
        parts = [part.strip() for part in value.split(",") if part.strip()]
        if not parts:
            raise UsageError(f"{option}: empty rule selector: give codes or prefixes, or ALL")
        selectors += parts
    return selectors


def _printable(text: str) -> str:
    """The text with the bytes of a file name that is not UTF-8 (which Python keeps as
    lone surrogates, and no UTF-8 stream or JSON parser takes) shown as `\\xNN`."""
    if text.isascii():
        return text
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        try:
            return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
        except UnicodeEncodeError:  # a surrogate no file name holds
            return text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text


def _warn(message: str) -> None:
    print(f"{PROG}: warning: {_printable(message)}", file=sys.stderr)


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


#: Container allocations between two young-generation collections during a run (CPython's
#: default is 700; mypy runs with 200,000).
_RUN_GC_THRESHOLD = 100_000


@contextlib.contextmanager
def _collecting_less() -> Iterator[None]:
    """Spend less of a run in the cyclic garbage collector. Parsing allocates millions of
    nodes that live until their file is done, and the default threshold collected every
    700 of them, each time rescanning the survivors; the imported modules live for the
    whole run, and frozen, no collection scans them again (and a forked worker leaves
    their pages shared). Cycles are still collected, less often. The collector is as it
    was after the run (a caller in the same process: the tests)."""
    import gc

    thresholds = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(_RUN_GC_THRESHOLD, 20, 20)
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()


def run_check(args: argparse.Namespace) -> int:
    """`check`: find files, check each with its project's settings, print, and choose the
    exit status."""
    paths: list[Path] = list(args.paths)
    if args.stdin_filename is not None and paths:
        raise UsageError("--stdin-filename reads stdin: give no PATH with it")
    if args.stdin_filename is not None and (args.fix or args.diff):
        raise UsageError("--fix and --diff apply to files, not to --stdin-filename")
    selection = CommandLineSelection(
        select=_selectors(args.select, "--select") if args.select is not None else None,
        extend_select=_selectors(args.extend_select, "--extend-select"),
        ignore=_selectors(args.ignore, "--ignore"),
    )
    loader = SettingsLoader(CATALOG, selection, args.config)
    if args.stdin_filename is not None:
        return _check_stdin(args, loader)

    top = loader.for_path(paths[0] if paths else Path.cwd())
    loader.fallback_root = top.project_root  # a file with no pyproject or git above it
    unreachable: list[str] = []
    files = _discover(args, paths or [Path(".")], top, unreachable)
    for message in unreachable:
        _warn(message)
    if not files:
        _warn("no Python files found under the given path(s)")
    findings: list[Finding] = []
    results: list[FileResult] = []
    held = HeldBack()
    fixed = 0
    changed = False
    for project in group_by_project(files, top, loader):
        outcome = _check_project(args, paths, project)
        findings += outcome.findings
        results += outcome.results
        fixed += outcome.fixed
        changed = changed or outcome.changed
        held = held + outcome.held
    if args.diff:
        sys.stderr.write(f"Would fix {fixed} error{'s' if fixed != 1 else ''}.\n")
        return EXIT_FINDINGS if changed else EXIT_CLEAN
    findings.sort(key=Finding.sort_key)
    sys.stdout.write(_render(args, findings, results, fixed, held))
    sys.stdout.flush()
    return EXIT_FINDINGS if findings and not args.exit_zero else EXIT_CLEAN


def _check_stdin(args: argparse.Namespace, loader: SettingsLoader) -> int:
    """`--stdin-filename NAME`: the source on stdin, checked as the file NAME would be
    (its project's settings; nothing when its project excludes NAME)."""
    path = Path(args.stdin_filename)
    settings = loader.for_path(path.parent if path.parent.is_dir() else Path.cwd())
    findings: list[Finding] = []
    results: list[FileResult] = []
    if not is_excluded(path, settings):
        data = sys.stdin.buffer.read()
        results = [check_file(make_engine(settings), settings, path, data)]
        index = build_index(results, settings)
        results = settle(results, index, settings, lambda _: data)
        findings = sorted(resolve_with(results, index), key=Finding.sort_key)
    sys.stdout.write(_render(args, findings, results, 0))
    sys.stdout.flush()
    return EXIT_FINDINGS if findings and not args.exit_zero else EXIT_CLEAN


@dataclass(slots=True)
class _ProjectOutcome:
    findings: list[Finding]
    results: list[FileResult]
    fixed: int = 0
    changed: bool = False
    #: what the project's conventions or the selection held back
    held: HeldBack = dataclasses.field(default_factory=HeldBack)


def _discover(
    args: argparse.Namespace, paths: list[Path], top: Settings, unreachable: list[str]
) -> list[Path]:
    """`discover`, with the walk memo of the top project's cache (`checks.cache`), unless
    the run keeps no cache."""
    if args.no_cache or all(not path.is_dir() for path in paths):
        return discover(paths, top, unreachable)
    from checks.cache import CACHE_DIR_NAME, remembered_walk

    return remembered_walk(
        paths, top, args.cache_dir or top.project_root / CACHE_DIR_NAME, unreachable
    )


def _check_project(
    args: argparse.Namespace, paths: list[Path], project: Project
) -> _ProjectOutcome:
    """Check (and with --fix/--diff, fix) the files of one project root, through the
    cache of that root (a repeated run is answered from its snapshot)."""
    settings, files = project.settings, project.files
    cache: Cache | None = None
    stamps: dict[Path, list[int] | None] = {}
    others: list[tuple[Path, list[int] | None]] = []
    snapshot: str | None = None
    if not args.no_cache:
        from checks.cache import CACHE_DIR_NAME, Cache, run_name

        directory = args.cache_dir or settings.project_root / CACHE_DIR_NAME
        targets = f"{settings.pydantic_target.cache_key()}|{settings.sqlalchemy_target.cache_key()}"
        cache = Cache(directory, settings.enabled, targets, settings.sub_services.key)
        if (
            not (args.fix or args.diff)
            and "FG604" not in settings.enabled
            and len(files) >= SNAPSHOT_MIN_FILES
        ):
            part = [Path(project.part)] if project.part is not None else []
            snapshot = run_name(
                [*(paths or [Path(".")]), settings.project_root, *part], settings.config_file
            )
            answered = cache.load_run(snapshot, files, lambda: run_packages(files, settings))
            if answered is not None:  # nothing changed since the same run
                return _ProjectOutcome(answered, [], held=cache.held_back)
    pool = WorkerPool()  # the workers `check_files` forks, kept for `settle`
    try:
        results = check_files(files, settings, cache, args.jobs, stamps, keep=pool)
        index = build_index(results, settings, cache, others, covers_project(paths, settings))
        results = settle(results, index, settings, cache=cache, stamps=stamps, pool=pool)
    finally:
        pool.close()
    outcome = _ProjectOutcome([], results)
    if args.fix or args.diff:
        outcome.results, outcome.fixed, outcome.changed = _apply_fixes(
            args, make_engine(settings), settings, results, index
        )
        if args.diff:
            return outcome
    outcome.findings = resolve_with(outcome.results, index)
    outcome.held = held_back(outcome.results, index, settings, cache)
    if cache is not None:
        cache.save()
        if snapshot is not None and not index.scanned:  # see `ProjectIndex.scanned`
            outside = {name for result in results for name in result.outside_packages}
            stamped = [(f, stamps.get(f)) for f in files]
            cache.save_run(snapshot, stamped, others, outcome.findings, outside, outcome.held)
    return outcome


def _fixable(findings: Sequence[Finding], unsafe: bool) -> bool:
    return any(f.fix is not None and (f.fix.applicability == "safe" or unsafe) for f in findings)


def _apply_fixes(
    args: argparse.Namespace,
    engine: Engine,
    settings: Settings,
    results: list[FileResult],
    index: ProjectIndex,
) -> tuple[list[FileResult], int, bool]:
    """Fix every file that has applicable fixes; with --diff, print instead of writing.
    Each file is fixed on its own first; then, with --unsafe-fixes, the fixes with a half
    in another file (`checks.crossfix`) over the fixed texts; then each changed file is
    written (or its diff printed) once. A file that cannot be read or written gets an
    FG000 finding; one that must be left alone (`checks.writer`), a warning; the others
    are fixed all the same."""
    from checks.fixer import fix_source
    from checks.writer import NotWritten, write_fixed

    fixed = 0
    current: dict[Path, FileResult] = {}
    sources: dict[Path, SourceFile] = {}
    fixed_data: dict[Path, bytes] = {}
    for result in results:
        path = result.path
        current[path] = result
        if not _fixable(resolve_with([result], index), args.unsafe_fixes):
            continue

        def check(data: bytes, path: Path = path) -> tuple[list[Finding], str | None]:
            checked = _recheck(engine, settings, index, path, data)
            return resolve_with([checked], index), checked.text

        source = _read_for_fix(args, settings, result, current)
        if source is None:
            continue
        sources[path] = source
        outcome = fix_source(source.data, check, args.unsafe_fixes)
        if outcome.source is not None:
            fixed_data[path] = outcome.source
            current[path] = _recheck(engine, settings, index, path, outcome.source)
            fixed += outcome.fixed
    if args.unsafe_fixes:
        fixed += _apply_cross_file(args, engine, settings, index, current, sources, fixed_data)
    changed = False
    cleared: set[str] = set()  # the folders cleared of dead runs' temporary files
    for path, data in fixed_data.items():
        source = sources[path]
        if args.diff:
            sys.stdout.write(_printable(_unified_diff(path, source.data, data)))
        else:
            try:
                write_fixed(source, data, cleared)
            except NotWritten as reason:
                _warn(f"{display_path(path)} {reason}")
                current[path] = _recheck(engine, settings, index, path, source.data)
                continue
            except OSError as error:
                failed = _recheck(engine, settings, index, path, source.data)
                current[path] = _with_failure(failed, "Cannot write file", error)
                continue
        changed = True
    return [current[r.path] for r in results], fixed, changed


def _recheck(
    engine: Engine, settings: Settings, index: ProjectIndex, path: Path, data: bytes
) -> FileResult:
    """A file's result for a text `--fix` made or kept, its deferred rules settled."""
    checked = check_file(engine, settings, path, data)
    return settle([checked], index, settings, lambda _: data)[0]


def _read_for_fix(
    args: argparse.Namespace,
    settings: Settings,
    result: FileResult,
    current: dict[Path, FileResult],
) -> SourceFile | None:
    """The file as `--fix` reads it, or None (warned, or an FG000 finding) when it
    cannot be fixed."""
    from checks.writer import NotWritten, read_for_fix

    try:
        return read_for_fix(result.path, settings.project_root, for_writing=not args.diff)
    except NotWritten as reason:
        _warn(f"{display_path(result.path)} {reason}")
    except OSError as error:
        current[result.path] = _with_failure(result, "Cannot read file", error)
    return None


def _apply_cross_file(
    args: argparse.Namespace,
    engine: Engine,
    settings: Settings,
    index: ProjectIndex,
    current: dict[Path, FileResult],
    sources: dict[Path, SourceFile],
    fixed_data: dict[Path, bytes],
) -> int:
    """Make the fixes whose other half lives in another file, over the texts the files
    have after their own fixes; the number made."""
    from checks.crossfix import apply
    from checks.findings import decode_source
    from checks.fixer import encode_like

    findings: dict[Path, list[Finding]] = {}
    for finding in resolve_with(list(current.values()), index):  # settled over the run
        if finding.fix is not None and finding.fix.companion is not None:
            findings.setdefault(finding.path, []).append(finding)
    if not findings:
        return 0

    def text_of(path: Path) -> str | None:
        """The file's current text; None (warned, or an FG000 finding) when it cannot
        be fixed."""
        if path not in sources:
            source = _read_for_fix(args, settings, current[path], current)
            if source is None:
                return None
            sources[path] = source
        return decode_source(fixed_data.get(path, sources[path].data))

    outcome = apply(list(current.values()), findings, index, text_of)
    for path, text in outcome.texts.items():
        data = encode_like(text, fixed_data.get(path, sources[path].data))
        fixed_data[path] = data
        current[path] = _recheck(engine, settings, index, path, data)
    return outcome.fixed


def _with_failure(result: FileResult, what: str, error: OSError) -> FileResult:
    """The file's findings and one FG000 that says why it could not be fixed (as a file
    that cannot be read is reported: `run.read_failure`)."""
    message = f"{what}: {error.strerror or error}"
    failure = Finding(result.path, SYNTAX_ERROR_CODE, message, Location(1, 1), Location(1, 1))
    return dataclasses.replace(result, findings=[*result.findings, failure])


def _unified_diff(path: Path, before: bytes, after: bytes) -> str:
    import difflib  # only --diff needs it

    from checks.findings import decode_source

    name = display_path(path)
    lines = difflib.unified_diff(
        split_lines(decode_source(before) or "", keepends=True),
        split_lines(decode_source(after) or "", keepends=True),
        fromfile=f"a/{name.lstrip('/')}",
        tofile=f"b/{name.lstrip('/')}",
    )
    # a last line without its line break: the marker diff and git write, which `patch`
    # and `git apply` read (without it the next file's header joins that line)
    return "".join(
        line if line.endswith(("\n", "\r")) else f"{line}\n\\ No newline at end of file\n"
        for line in lines
    )


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


def _applicable(findings: Sequence[Finding]) -> list[Finding]:
    """With --unsafe-fixes, unsafe fixes apply as safe ones do: shown as such (`[*]`,
    counted as fixable with `--fix`, not as hidden fixes), as ruff shows them."""
    return [
        finding
        if finding.fix is None or finding.fix.applicability == "safe"
        else finding._replace(fix=finding.fix._replace(applicability="safe"))
        for finding in findings
    ]


def _printable_paths(
    findings: list[Finding], texts: dict[Path, str | None]
) -> tuple[list[Finding], dict[Path, str | None]]:
    """Findings (and texts) whose file names print: see `_printable`."""
    names = {f.path: Path(_printable(str(f.path))) for f in findings}
    if all(name == path for path, name in names.items()):
        return findings, texts
    return (
        [f._replace(path=names[f.path]) for f in findings],
        {names.get(path, path): text for path, text in texts.items()},
    )


def _render(
    args: argparse.Namespace,
    findings: list[Finding],
    results: list[FileResult],
    fixed: int,
    held: HeldBack | None = None,
) -> str:
    output_format = args.output_format
    texts = _texts(findings, results) if output_format == "full" and not args.statistics else {}
    findings, texts = _printable_paths(findings, texts)
    if args.unsafe_fixes and (args.statistics or output_format in ("concise", "full")):
        findings = _applicable(findings)
    if args.statistics:
        return render_statistics(findings, CATALOG_BY_CODE)
    if output_format == "json":
        return render_json(findings)
    if output_format == "sarif":
        from checks.rules import ALL_RULES

        return render_sarif(findings, ALL_RULES)
    if output_format == "github":
        return render_github(findings)
    if output_format == "full":
        return render_full(findings, texts, fixed, held)
    return render_concise(findings, fixed, held)


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
    """`hook claude`: read the hook payload on stdin and answer as Claude Code expects.
    Exit status 0 (with a block decision or nothing) or 1 with a message for the user;
    never 2, which Claude Code would read as a blocking error meant for the model."""
    from checks.hook import run_claude_hook

    try:
        answer = run_claude_hook(sys.stdin.buffer.read())
    except Exception as error:  # a broken hook must not break the session: say so, go on
        print(f"fastapi-guardrails hook: internal error: {error!r}", file=sys.stderr)
        return 1
    sys.stdout.write(answer.stdout)
    sys.stderr.write(answer.stderr)
    return answer.exit_code


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of `fastapi-guardrails` and `python -m checks`."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if args.command == "check":
            with _collecting_less():
                return run_check(args)
        if args.command == "rule":
            return run_rule(args)
        if args.command == "hook":
            return run_hook(args)
        parser.print_help()
        return EXIT_ERROR
    except (UsageError, ConfigError) as error:
        print(f"{PROG}: error: {_printable(str(error))}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return EXIT_CLEAN
    except Exception as error:  # never a traceback: one line, exit 2
        print(f"{PROG}: error: internal error: {_printable(repr(error))}", file=sys.stderr)
        return EXIT_ERROR


if __name__ == "__main__":  # `python -m checks.cli`, as `python -m checks`
    sys.exit(main())

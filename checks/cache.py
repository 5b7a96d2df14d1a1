"""Per-file results kept between runs, so that a run over unchanged files parses nothing.

An entry is keyed by what decides a file's result: its content (BLAKE2b), its layer, the
codes its per-file ignores turn off, and its module name (the `__init__.py` files above
it). The cache file itself is keyed by the tool's version, the selected rules and a
fingerprint of the checker's own files (size and modification time: a rule edited in a
development checkout must not be answered from the cache), and the project's Pydantic
target (its `target-pydantic`, else its Pydantic pins as written), so a new version, an
edit, another selection or another target starts afresh. Pending cross-file findings are stored
unresolved, with the file's module summary: each run resolves them again against the
summaries of all files, so a change in `schemas.py` re-parses `schemas.py` only and still
changes what the routes that import its models report.

The cache is JSON (never pickle: a cache file found in a repository must not run code),
written atomically; a corrupt, foreign or unreadable cache is ignored, never an error.
The directory gets its own `.gitignore` (`*`) and a `CACHEDIR.TAG`, like ruff's.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from checks import __version__
from checks.findings import Edit, FileResult, Finding, Fix, Location
from checks.project import Condition, ModuleSummary

CACHE_DIR_NAME = ".fastapi_guardrails_cache"
_FORMAT = 2
_CACHEDIR_TAG = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This file is a cache directory tag created by fastapi-guardrails.\n"
)


def digest(source: bytes) -> str:
    """The content hash of a file."""
    return hashlib.blake2b(source, digest_size=16).hexdigest()


def entry_key(
    source_digest: str,
    layer: str | None,
    ignored: Iterable[str],
    module: str | None,
    is_package: bool,
) -> str:
    """Everything besides the rules and the version that decides a file's result."""
    return "|".join(
        [source_digest, layer or "", ",".join(sorted(ignored)), module or "", str(is_package)]
    )


def _code_fingerprint() -> str:
    """The sizes and modification times of the checker's own modules (about 40 stats)."""
    package = Path(__file__).parent
    stamps = []
    for directory in (package, package / "rules"):
        with os.scandir(directory) as entries:
            for entry in entries:
                if entry.name.endswith(".py"):
                    stat = entry.stat()
                    stamps.append(f"{entry.path}:{stat.st_size}:{stat.st_mtime_ns}")
    return ",".join(sorted(stamps))


class Cache:
    """The results of one selection of rules, for one project."""

    def __init__(self, directory: Path, enabled: Iterable[str], project_facts: str = "") -> None:
        """`project_facts`: what else decides every file's result (the project's Pydantic
        target, `PydanticTarget.cache_key`)."""
        self.directory = directory
        key = ",".join(sorted(enabled)) + "|" + _code_fingerprint() + "|" + project_facts
        selection = hashlib.blake2b(key.encode(), digest_size=8).hexdigest()
        self.file = directory / __version__ / f"{selection}.json"
        self._stored: tuple[dict[str, Any], dict[str, Any]] | None = None
        self._dirty = False

    @property
    def _entries(self) -> dict[str, Any]:
        """The per-file entries, read on first use (a run answered by its snapshot never
        reads them)."""
        return self._load()[0]

    @property
    def _summaries(self) -> dict[str, Any]:
        """The summaries of modules read on demand, read with the entries."""
        return self._load()[1]

    # --------------------------------------------------------------------- files
    def get(
        self, path: Path, key: str, source: bytes, stamp: list[int] | None = None
    ) -> FileResult | None:
        """The cached result of a file (with its `source`), or None. A hit records the
        file's `stamp` (see `lookup`)."""
        entry = self._entries.get(_path_key(path))
        if not isinstance(entry, dict) or entry.get("key") != key:
            return None
        result = _result(path, entry)
        if result is not None and entry.get("stamp") != stamp:
            entry["stamp"] = stamp
            self._dirty = True
        return result

    def lookup(self, path: Path, stamp: list[int], rest: str) -> FileResult | None:
        """The cached result of a file whose size and modification time (`stamp`) are
        the ones recorded with it, and whose key apart from the content digest is
        `rest`: the file is not even read (ruff's cache trusts the modification time the
        same way). A stamp is only recorded for a file not modified in the last seconds
        before it was read, so an edit within the clock's granularity is not missed."""
        entry = self._entries.get(_path_key(path))
        if (
            not isinstance(entry, dict)
            or entry.get("stamp") != stamp
            or not isinstance(entry.get("key"), str)
            or entry["key"].partition("|")[2] != rest
        ):
            return None
        return _result(path, entry)

    def put(self, path: Path, key: str, result: FileResult, stamp: list[int] | None = None) -> None:
        """Keep a file's result."""
        self._entries[_path_key(path)] = {
            "key": key,
            "stamp": stamp,
            "findings": [_finding_json(f) for f in result.findings],
            "pending": [[_finding_json(f), _condition_json(c)] for f, c in result.pending],
            "summary": _summary_json(result.summary) if result.summary is not None else None,
        }
        self._dirty = True

    # ------------------------------------------------------ summaries on demand
    def get_summary(self, path: Path, key: str) -> tuple[bool, ModuleSummary | None]:
        """(found, summary) of a module the run read only for the project index."""
        entry = self._summaries.get(_path_key(path))
        if not isinstance(entry, dict) or entry.get("key") != key:
            return False, None
        try:
            raw = entry["summary"]
            return True, (_summary(raw) if raw is not None else None)
        except (KeyError, TypeError, ValueError):
            return False, None

    def put_summary(self, path: Path, key: str, summary: ModuleSummary | None) -> None:
        self._summaries[_path_key(path)] = {
            "key": key,
            "summary": _summary_json(summary) if summary is not None else None,
        }
        self._dirty = True

    # ---------------------------------------------------------------- storage
    def _load(self) -> tuple[dict[str, Any], dict[str, Any]]:
        if self._stored is None:
            self._stored = ({}, {})
            try:
                data = json.loads(self.file.read_bytes())
            except (OSError, ValueError):
                data = None  # no cache yet, or not ours: start afresh
            if isinstance(data, dict) and data.get("format") == _FORMAT:
                entries, summaries = data.get("files"), data.get("summaries")
                self._stored = (
                    entries if isinstance(entries, dict) else {},
                    summaries if isinstance(summaries, dict) else {},
                )
        return self._stored

    def save(self) -> None:
        """Write the cache atomically; a directory we cannot write is left alone."""
        if not self._dirty:
            return
        data = {"format": _FORMAT, "files": self._entries, "summaries": self._summaries}
        try:
            _write_atomically(self.file, data, self.directory)
        except OSError:
            return
        self._dirty = False

    # ------------------------------------------------------------- run snapshots
    def _run_file(self, name: str) -> Path:
        return self.file.with_name(f"{self.file.stem}-run-{name}.json")

    def load_run(self, name: str, files: Sequence[Path]) -> list[Finding] | None:
        """The findings of the last run `name` (the same paths and configuration), when
        it checked the same files, and they and every other file it read (modules
        imported from outside the run) still have the size and modification time they
        had: then nothing is parsed, and no per-file entry is even read."""
        try:
            data = json.loads(self._run_file(name).read_bytes())
            if not isinstance(data, dict) or data.get("format") != _FORMAT:
                return None
            stored = data["files"]
            if [_path_key(path) for path in files] != [entry[0] for entry in stored]:
                return None
            for path, stamp in [*stored, *data["others"]]:
                if stamp is None or stamp_of(os.stat(path)) != stamp:
                    return None
            return [_finding(Path(path), raw) for path, raw in data["findings"]]
        except (OSError, ValueError, KeyError, TypeError, IndexError):
            return None

    def save_run(
        self,
        name: str,
        files: Sequence[tuple[Path, list[int] | None]],
        others: Sequence[tuple[Path, list[int] | None]],
        findings: Sequence[Finding],
    ) -> None:
        """Keep a run's findings with the stamps its files had before they were read;
        a run with a file too recently modified to trust its stamp keeps none."""
        if any(stamp is None for _, stamp in [*files, *others]):
            return
        data = {
            "format": _FORMAT,
            "files": [[_path_key(path), stamp] for path, stamp in files],
            "others": [[_path_key(path), stamp] for path, stamp in others],
            "findings": [[str(f.path), _finding_json(f)] for f in findings],
        }
        try:
            _write_atomically(self._run_file(name), data, self.directory)
            _prune_runs(self.file.parent)
        except OSError:
            return


#: run snapshots kept per cache directory (the most recently written)
_KEPT_RUNS = 16


def _prune_runs(directory: Path) -> None:
    runs = sorted(directory.glob("*-run-*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in runs[_KEPT_RUNS:]:
        old.unlink(missing_ok=True)


def _write_atomically(file: Path, data: Any, directory: Path) -> None:
    _prepare(directory)
    file.parent.mkdir(parents=True, exist_ok=True)
    import tempfile

    handle, temporary = tempfile.mkstemp(dir=file.parent, prefix=".tmp-")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            json.dump(data, stream, separators=(",", ":"))
        os.replace(temporary, file)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def run_name(paths: Sequence[Path], config_file: Path | None) -> str:
    """The name of a run's snapshot: its command-line paths (absolute) and the content
    of its configuration file."""
    parts = [os.path.abspath(path) for path in paths]
    if config_file is not None:
        try:
            parts.append(digest(config_file.read_bytes()))
        except OSError:
            parts.append(str(config_file))
    return hashlib.blake2b("\0".join(parts).encode(), digest_size=8).hexdigest()


def _prepare(directory: Path) -> None:
    """Create the cache directory with the files that keep it out of git and backups."""
    directory.mkdir(parents=True, exist_ok=True)
    gitignore = directory / ".gitignore"
    if not gitignore.exists():
        gitignore.write_text("# Automatically created by fastapi-guardrails.\n*\n")
    tag = directory / "CACHEDIR.TAG"
    if not tag.exists():
        tag.write_text(_CACHEDIR_TAG)


def _path_key(path: Path) -> str:
    return os.path.abspath(path)


#: a file modified this recently (seconds) gets no stamp: its next run reads it
_RACY_SECONDS = 2


def stamp_of(stat: os.stat_result) -> list[int] | None:
    """The size and modification time the cache trusts, or None for a file modified too
    recently to tell a later edit within the same clock tick."""
    if time.time_ns() - stat.st_mtime_ns < _RACY_SECONDS * 1_000_000_000:
        return None
    return [stat.st_size, stat.st_mtime_ns]


def _result(path: Path, entry: dict[str, Any]) -> FileResult | None:
    """A file's result from its entry; its text is read when the output needs it."""
    try:
        findings = [_finding(path, raw) for raw in entry["findings"]]
        pending = [(_finding(path, f), _condition(c)) for f, c in entry["pending"]]
        summary = _summary(entry["summary"]) if entry["summary"] is not None else None
    except (KeyError, TypeError, ValueError):
        return None  # an entry of another shape: check the file again
    return FileResult(path, findings, None, pending, summary)


def _finding_json(finding: Finding) -> list[Any]:
    fix = finding.fix
    return [
        finding.code,
        finding.message,
        [finding.start.row, finding.start.column, finding.end.row, finding.end.column],
        None
        if fix is None
        else [
            fix.applicability,
            fix.message,
            [[e.content, e.start.row, e.start.column, e.end.row, e.end.column] for e in fix.edits],
            list(fix.releases),
        ],
    ]


def _finding(path: Path, raw: list[Any]) -> Finding:
    code, message, (row, column, end_row, end_column), fix = raw
    return Finding(
        path,
        str(code),
        str(message),
        Location(int(row), int(column)),
        Location(int(end_row), int(end_column)),
        None
        if fix is None
        else Fix(
            str(fix[0]),
            str(fix[1]),
            tuple(
                Edit(str(c), Location(int(r), int(k)), Location(int(er), int(ek)))
                for c, r, k, er, ek in fix[2]
            ),
            tuple(str(name) for name in fix[3]),
        ),
    )


def _condition_json(condition: Condition) -> list[Any]:
    return [list(condition.refs), sorted(condition.roots)]


def _condition(raw: list[Any]) -> Condition:
    refs, roots = raw
    return Condition(tuple(str(r) for r in refs), frozenset(str(r) for r in roots))


def _summary_json(summary: ModuleSummary) -> list[Any]:
    classes = {name: list(bases) for name, bases in summary.classes.items()}
    return [summary.module, classes, summary.imports]


def _summary(raw: list[Any]) -> ModuleSummary:
    module, classes, imports = raw
    if not isinstance(classes, dict) or not isinstance(imports, dict):
        raise TypeError("summary")
    return ModuleSummary(
        str(module),
        {str(name): tuple(bases) for name, bases in classes.items()},
        {str(k): str(v) for k, v in imports.items()},
    )

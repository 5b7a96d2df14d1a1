"""Per-file results kept between runs, so that a run over unchanged files parses nothing.

An entry is keyed by what decides a file's result: its content (BLAKE2b), its layer, the
codes its per-file ignores turn off, and its module name (the `__init__.py` files above
it). The cache file itself is keyed by the tool's version, the selected rules and a
fingerprint of the checker's own files (size and modification time: a rule edited in a
development checkout must not be answered from the cache), so a new version, an edit or
another selection starts afresh. Pending cross-file findings are stored
unresolved, with the file's module summary: each run resolves them again against the
summaries of all files, so a change in `schemas.py` re-parses `schemas.py` only and still
changes what the routes that import its models report.

The cache is JSON (never pickle: a cache file found in a repository must not run code),
written atomically; a corrupt, foreign or unreadable cache is ignored, never an error.
The directory gets its own `.gitignore` (`*`) and a `CACHEDIR.TAG`, like ruff's.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import tempfile
import tokenize
from collections.abc import Iterable
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


def decode_source(source: bytes) -> str | None:
    """The text libcst would give for these bytes (PEP 263 encoding, BOM removed)."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(source).readline)
        return source.decode(encoding)
    except (SyntaxError, LookupError, UnicodeDecodeError):
        try:
            return source.decode("utf-8")
        except UnicodeDecodeError:
            return source.decode("latin-1")


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

    def __init__(self, directory: Path, enabled: Iterable[str]) -> None:
        self.directory = directory
        key = ",".join(sorted(enabled)) + "|" + _code_fingerprint()
        selection = hashlib.blake2b(key.encode(), digest_size=8).hexdigest()
        self.file = directory / __version__ / f"{selection}.json"
        self._entries: dict[str, Any] = {}
        self._summaries: dict[str, Any] = {}
        self._dirty = False
        self._load()

    # --------------------------------------------------------------------- files
    def get(self, path: Path, key: str, source: bytes) -> FileResult | None:
        """The cached result of a file (with its `source`), or None."""
        entry = self._entries.get(_path_key(path))
        if not isinstance(entry, dict) or entry.get("key") != key:
            return None
        try:
            findings = [_finding(path, raw) for raw in entry["findings"]]
            pending = [(_finding(path, f), _condition(c)) for f, c in entry["pending"]]
            summary = _summary(entry["summary"]) if entry["summary"] is not None else None
        except (KeyError, TypeError, ValueError):
            return None  # an entry of another shape: check the file again
        text = decode_source(source) if findings or pending else None
        return FileResult(path, findings, text, pending, summary)

    def put(self, path: Path, key: str, result: FileResult) -> None:
        """Keep a file's result."""
        self._entries[_path_key(path)] = {
            "key": key,
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
    def _load(self) -> None:
        try:
            data = json.loads(self.file.read_bytes())
        except (OSError, ValueError):
            return  # no cache yet, or not ours: start afresh
        if isinstance(data, dict) and data.get("format") == _FORMAT:
            entries, summaries = data.get("files"), data.get("summaries")
            self._entries = entries if isinstance(entries, dict) else {}
            self._summaries = summaries if isinstance(summaries, dict) else {}

    def save(self) -> None:
        """Write the cache atomically; a directory we cannot write is left alone."""
        if not self._dirty:
            return
        data = {"format": _FORMAT, "files": self._entries, "summaries": self._summaries}
        try:
            _prepare(self.directory)
            self.file.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=self.file.parent, prefix=".tmp-")
            try:
                with os.fdopen(handle, "w", encoding="utf-8") as stream:
                    json.dump(data, stream, separators=(",", ":"))
                os.replace(temporary, self.file)
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
        except OSError:
            return
        self._dirty = False


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

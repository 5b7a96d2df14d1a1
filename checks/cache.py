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
changes what the routes that import its models report. An entry also keeps the names its
structural screens took to be outside the project (`FileResult.outside_packages`): a run
whose index can read one of them checks the file again. A run snapshot answers a whole
repeated run when nothing it depended on changed: its files and the modules it read (size
and modification time), the module names of its files, every path it probed for a
module without finding one (a module appearing there would change what a finding says),
and those names of its files' screens (none of which may have become a package). The
probed paths are kept under the nearest folder that exists above each, with its stamp
(inode, modification and change times): while that stamp stands, nothing was created
below it (a new entry changes its folder's), and its paths are not looked up one by one.

The cache is never trusted blindly. A cache file is JSON (never pickle: a cache file found
in a repository must not run code) after a header line with the format and a checksum of
the JSON, written atomically. It is read only when it is a regular file (not a symlink, a
FIFO or a device) of at most `MAX_CACHE_BYTES`, nested no deeper than its own shapes go,
with the checksum it carries; every value is then checked (types, ranges) before it is
used. Anything odd is no entry: the file is checked again and its entry rewritten, never an
error. The temporary files of a write are named after the writing process, so that a run
killed while writing leaves nothing that a later run does not remove. The directory gets
its own `.gitignore` (`*`) and a `CACHEDIR.TAG`, like ruff's.
"""

from __future__ import annotations

import json
import os
import stat
import sys
import time
from array import array
from collections.abc import Callable, Iterable, Sequence
from itertools import accumulate
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from checks import __version__
from checks.findings import Companion, Edit, FileResult, Finding, Fix, HeldBack, Location
from checks.lazy import lazy_import, lazy_pattern
from checks.project import (
    SUBJECTS,
    Condition,
    ModuleSummary,
    forget_packages,
    module_name_for,
)

if TYPE_CHECKING:
    import hashlib

    from checks.config import Settings
    from checks.discovery import WalkMemo
else:
    # imported on first use: a run without a cache hashes nothing (2 ms of start-up)
    hashlib = lazy_import("hashlib")

CACHE_DIR_NAME = ".fastapi_guardrails_cache"
_FORMAT = 21
_CACHEDIR_TAG = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This file is a cache directory tag created by fastapi-guardrails.\n"
)
#: The largest cache file read or written: the results of tens of thousands of files (a
#: cache that grows past it keeps those of its last run).
MAX_CACHE_BYTES = 64 * 1024 * 1024
#: The deepest nesting of lists and objects a cache file may hold (its shapes go 9 deep).
_MAX_NESTING = 16
#: The stamp of a path probed for a module and not found: a run snapshot that recorded it
#: is not used once the path is a file (compared by value; no real stamp has a size of -1).
ABSENT: list[int] = [-1, -1]
#: A temporary file older than this (seconds) is a leftover, whoever wrote it.
_STALE_TEMPORARY_SECONDS = 600

_HEADER = lazy_pattern(rb"fastapi-guardrails-cache (\d{1,9}) ([0-9a-f]{32})")
_TEMPORARY_PREFIX = ".tmp-"
#: `.tmp-<pid>-<random>`, and the `.tmp-<random>` of earlier versions
_TEMPORARY = lazy_pattern(r"\.tmp-(?:(\d{1,10})-)?[A-Za-z0-9_]{1,64}")


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
                    stat_result = entry.stat()
                    stamps.append(f"{entry.path}:{stat_result.st_size}:{stat_result.st_mtime_ns}")
    return ",".join(sorted(stamps))


class Cache:
    """The results of one selection of rules, for one project."""

    def __init__(
        self,
        directory: Path,
        enabled: Iterable[str],
        project_facts: str = "",
        file_facts: Callable[[Path], str] | None = None,
    ) -> None:
        """`project_facts`: what else decides every file's result (the project's Pydantic
        target, `PydanticTarget.cache_key`); `file_facts`: what else decides one file's
        result and how its findings' project facts are counted (the pins of the
        sub-services holding it, `SubServices.key`), which a run snapshot compares."""
        self.directory = directory
        self._file_facts = file_facts
        key = ",".join(sorted(enabled)) + "|" + _code_fingerprint() + "|" + project_facts
        selection = hashlib.blake2b(key.encode(), digest_size=8).hexdigest()
        self.file = directory / __version__ / f"{selection}.json"
        self._stored: tuple[dict[str, Any], dict[str, Any]] | None = None
        #: the entries this run used or wrote: all that is kept when the file grows too big
        self._used: tuple[set[str], set[str]] = (set(), set())
        self._dirty = False
        self._pruned = False
        #: what the run `load_run` answered for held back (`checks.run.held_back`)
        self.held_back = HeldBack()

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
        name = _path_key(path)
        entry = self._entries.get(name)
        if not isinstance(entry, dict) or entry.get("key") != key:
            return None
        result = _result(path, entry)
        if result is not None:
            self._used[0].add(name)
            if entry.get("stamp") != stamp:
                entry["stamp"] = stamp
                self._dirty = True
        return result

    def lookup(self, path: Path, stamp: list[int], rest: str) -> FileResult | None:
        """The cached result of a file whose size and modification time (`stamp`) are
        the ones recorded with it, and whose key apart from the content digest is
        `rest`: the file is not even read (ruff's cache trusts the modification time the
        same way). A stamp is only recorded for a file not modified in the last seconds
        before it was read, so an edit within the clock's granularity is not missed."""
        name = _path_key(path)
        entry = self._entries.get(name)
        if (
            not isinstance(entry, dict)
            or entry.get("stamp") != stamp
            or not isinstance(entry.get("key"), str)
            or entry["key"].partition("|")[2] != rest
        ):
            return None
        result = _result(path, entry)
        if result is not None:
            self._used[0].add(name)
        return result

    def put(self, path: Path, key: str, result: FileResult, stamp: list[int] | None = None) -> None:
        """Keep a file's result."""
        name = _path_key(path)
        self._entries[name] = {
            "key": key,
            "stamp": stamp,
            "findings": [_finding_json(f) for f in result.findings],
            "pending": [[_finding_json(f), _condition_json(c)] for f, c in result.pending],
            "summary": _summary_json(result.summary) if result.summary is not None else None,
            "outside": sorted(result.outside_packages),
            "deferred": [[code, _condition_json(c)] for code, c in result.deferred],
        }
        self._used[0].add(name)
        self._dirty = True

    # ------------------------------------------------------ summaries on demand
    def get_summary(self, path: Path, key: str) -> tuple[bool, ModuleSummary | None]:
        """(found, summary) of a module the run read only for the project index."""
        name = _path_key(path)
        entry = self._summaries.get(name)
        if not isinstance(entry, dict) or entry.get("key") != key:
            return False, None
        try:
            raw = entry.get("summary")
            summary = _summary(raw) if raw is not None else None
        except _Invalid:
            return False, None
        self._used[1].add(name)
        return True, summary

    def put_summary(self, path: Path, key: str, summary: ModuleSummary | None) -> None:
        """Keep the summary of a module the run read only for the project index."""
        name = _path_key(path)
        self._summaries[name] = {
            "key": key,
            "summary": _summary_json(summary) if summary is not None else None,
        }
        self._used[1].add(name)
        self._dirty = True

    # ---------------------------------------------------------------- storage
    def _load(self) -> tuple[dict[str, Any], dict[str, Any]]:
        if self._stored is None:
            self._prune_leftovers()
            self._stored = ({}, {})
            data = read_cache_file(self.file)  # None: no cache yet, or not one to trust
            if isinstance(data, dict):
                entries, summaries = data.get("files"), data.get("summaries")
                self._stored = (
                    entries if isinstance(entries, dict) else {},
                    summaries if isinstance(summaries, dict) else {},
                )
        return self._stored

    def save(self) -> None:
        """Write the cache atomically; a directory we cannot write is left alone. A cache
        grown past `MAX_CACHE_BYTES` keeps only the entries of this run."""
        if not self._dirty:
            return
        entries, summaries = self._load()
        payload = encode_cache_file({"files": entries, "summaries": summaries})
        if len(payload) > MAX_CACHE_BYTES:
            used_entries, used_summaries = self._used
            payload = encode_cache_file(
                {
                    "files": {k: v for k, v in entries.items() if k in used_entries},
                    "summaries": {k: v for k, v in summaries.items() if k in used_summaries},
                }
            )
            if len(payload) > MAX_CACHE_BYTES:
                return  # more than a cache file may hold: the next run checks again
        try:
            self._write(self.file, payload)
        except OSError:
            return
        self._dirty = False

    def _write(self, file: Path, payload: bytes) -> None:
        """Write a file of the cache atomically, in a folder of ours (never a symlink)."""
        _prepare(self.directory)
        _own_folder(file.parent)
        self._prune_leftovers()
        _write_atomically(file, payload)

    def _prune_leftovers(self) -> None:
        """Remove the temporary files killed runs left behind (once per run)."""
        if self._pruned:
            return
        self._pruned = True
        prune_temporary_files(self.file.parent)

    # ------------------------------------------------------------- run snapshots
    def _run_file(self, name: str) -> Path:
        return self.file.with_name(f"{self.file.stem}-run-{name}.json")

    def load_run(
        self,
        name: str,
        files: Sequence[Path],
        run_packages: Callable[[], frozenset[str]] | None = None,
    ) -> list[Finding] | None:
        """The findings of the last run `name` (the same paths and configuration), when
        it checked the same files, and they and every other file it read (modules
        imported from outside the run) still have the size and modification time they
        had, no path it probed for a module without finding one is now a file, the
        files still have the module names they had, and none of the names its screens
        took to be outside the project is one of the packages the run's index can read
        (`run_packages`, asked only then): then nothing is parsed, and no per-file entry
        is even read."""
        self._prune_leftovers()
        snapshot = _snapshot(read_cache_file(self._run_file(name)))
        if snapshot is None:
            return None
        stored, others, absent, packages, outside, findings, held = snapshot
        if [_path_key(path) for path in files] != [path for path, _ in stored]:
            return None
        for path, stamp in [*stored, *others]:
            try:
                if stamp_of(os.stat(path)) != stamp:
                    return None
            except (OSError, ValueError):
                return None
        if any(_appeared(folder, stamp, paths) for folder, stamp, paths in absent):
            return None
        forget_packages()  # the packages seen by an earlier run in this process may be gone
        if _packages_digest(files, self._file_facts) != packages:
            return None
        if outside and (run_packages is None or not outside.isdisjoint(run_packages())):
            return None  # a package its screens ruled out may now be the project's
        self.held_back = held
        return findings

    def save_run(
        self,
        name: str,
        files: Sequence[tuple[Path, list[int] | None]],
        others: Sequence[tuple[Path, list[int] | None]],
        findings: Sequence[Finding],
        outside: Iterable[str] = (),
        held: HeldBack | None = None,
    ) -> None:
        """Keep a run's findings with the stamps its files had before they were read;
        a run with a file too recently modified to trust its stamp keeps none. `others`
        holds the files read besides the run's (stamped), and the paths probed for
        modules and not found (stamped `ABSENT`); `outside`, the names the screens of
        its files took to be outside the project (`FileResult.outside_packages`);
        `held`, what it held back per rule (`checks.run.held_back`)."""
        if any(stamp is None for _, stamp in [*files, *others]):
            return
        read = {_path_key(path): stamp for path, stamp in others if stamp != ABSENT}
        absent = _absent_below_folders({_path_key(p) for p, stamp in others if stamp == ABSENT})
        if absent is None:
            return  # a path probed and not found is there now: the run saw another project
        data = {
            "files": [[_path_key(path), stamp] for path, stamp in files],
            "others": [[path, stamp] for path, stamp in read.items()],
            "absent": absent,
            "packages": _packages_digest([path for path, _ in files], self._file_facts),
            "outside": sorted(set(outside)),
            "findings": [[str(f.path), _finding_json(f)] for f in findings],
            "held": held.findings if held is not None else {},
            "held_files": held.files if held is not None else {},
        }
        payload = encode_cache_file(data)
        if len(payload) > MAX_CACHE_BYTES:
            return
        try:
            self._write(self._run_file(name), payload)
            _prune_runs(self.file.parent)
        except OSError:
            return


def _folder_stamp(folder: str) -> list[int] | None:
    """A folder's inode, modification and change times, while it is a folder; None when
    it is not one, or changed too recently to tell a later change (`stamp_of`)."""
    try:
        status = os.stat(folder)
    except (OSError, ValueError):
        return None
    if not stat.S_ISDIR(status.st_mode) or stamp_of(status) is None:
        return None
    if time.time_ns() - status.st_ctime_ns < _RACY_SECONDS * 1_000_000_000:
        return None
    return [status.st_ino, status.st_mtime_ns, status.st_ctime_ns]


def _absent_below_folders(absent: Iterable[str]) -> list[list[Any]] | None:
    """Paths probed and not found, grouped under the nearest folder that exists above
    each, with its stamp ([folder, stamp or None, paths]: None, a folder too recently
    changed, whose paths are looked up one by one); None when one of them is a file now.
    The stamps are taken before the paths are looked up again: a file created after the
    lookup changes its folder's stamp."""
    nearest: dict[str, str] = {}
    groups: dict[str, list[str]] = {}
    for path in sorted(absent):
        folder = os.path.dirname(path)
        chain = []
        while folder not in nearest and not os.path.isdir(folder):
            chain.append(folder)
            parent = os.path.dirname(folder)
            if parent == folder:
                break
            folder = parent
        found = nearest.get(folder, folder)
        for passed in chain:
            nearest[passed] = found
        nearest[folder] = found
        groups.setdefault(found, []).append(path)
    grouped: list[list[Any]] = [
        [folder, _folder_stamp(folder), paths] for folder, paths in groups.items()
    ]
    if any(os.path.isfile(path) for paths in groups.values() for path in paths):
        return None
    return grouped


def _appeared(folder: str, stamp: list[int] | None, paths: list[str]) -> bool:
    """Whether one of the paths probed under `folder` is a file now: none, while the
    folder keeps its stamp."""
    if stamp is not None and _folder_stamp(folder) == stamp:
        return False
    return any(os.path.isfile(path) for path in paths)


#: run snapshots kept per cache directory (the most recently written)
_KEPT_RUNS = 16


def _prune_runs(directory: Path) -> None:
    runs: list[tuple[float, Path]] = []
    for path in directory.glob("*-run-*.json"):
        try:
            runs.append((os.lstat(path).st_mtime, path))
        except OSError:
            continue  # removed by a concurrent run
    runs.sort(reverse=True)
    for _, old in runs[_KEPT_RUNS:]:
        try:
            old.unlink()
        except OSError:
            continue


def _packages_digest(files: Iterable[Path], file_facts: Callable[[Path], str] | None = None) -> str:
    """A digest of the module names of the files (the `__init__.py` files above them),
    and of what `file_facts` says of each."""
    names = []
    for path in files:
        module, _ = module_name_for(path)
        names.append(module or "")
        if file_facts is not None:
            names.append(file_facts(path))
    return hashlib.blake2b("\0".join(names).encode(), digest_size=16).hexdigest()


# ------------------------------------------------------------------ walk memo
def _walk_file(directory: Path, settings_key: str) -> Path:
    key = f"{settings_key}|{_code_fingerprint()}"
    name = hashlib.blake2b(key.encode(), digest_size=8).hexdigest()
    return directory / __version__ / f"walk-{name}.json"


#: the walk memos this process read, by file: a run walks its project more than once (the
#: files to check, then the project's files for its counted facts)
_WALK_MEMOS: dict[Path, WalkMemo] = {}


def load_walk_memo(directory: Path, settings_key: str) -> WalkMemo:
    """What the walks of the project kept of each folder with the same settings (see
    `checks.discovery`), or an empty memo (no cache yet, another format, a damaged file).
    Read once per process: every answer it gives is checked against the folder's stamp."""
    from checks.discovery import WalkMemo

    file = _walk_file(directory, settings_key)
    memo = _WALK_MEMOS.get(file)
    if memo is None:
        stored = read_cache_file(file)
        folders = stored.get("folders") if isinstance(stored, dict) else None
        memo = _WALK_MEMOS[file] = WalkMemo(folders if isinstance(folders, dict) else None)
    return memo


def remembered_walk(
    paths: Sequence[Path], settings: Settings, directory: Path, warnings: list[str] | None = None
) -> list[Path]:
    """`checks.discovery.discover`, answered where it can be by the walk memo of the cache
    in `directory` (kept for the next walk)."""
    from checks.discovery import discover, walk_key

    key = walk_key(settings)
    memo = load_walk_memo(directory, key)
    files = discover(paths, settings, warnings, memo)
    save_walk_memo(directory, key, memo)
    return files


def save_walk_memo(directory: Path, settings_key: str, memo: WalkMemo) -> None:
    """Keep a memo a walk changed, atomically; one grown past `MAX_CACHE_BYTES` keeps only
    the folders of this run. A cache directory we cannot write is left alone."""
    if not memo.changed:
        return
    payload = encode_cache_file({"folders": memo.folders})
    if len(payload) > MAX_CACHE_BYTES:
        used = {path: memo.folders[path] for path in memo.used if path in memo.folders}
        payload = encode_cache_file({"folders": used})
        if len(payload) > MAX_CACHE_BYTES:
            return
    file = _walk_file(directory, settings_key)
    try:
        _prepare(directory)
        _own_folder(file.parent)
        prune_temporary_files(file.parent)
        _write_atomically(file, payload)
    except OSError:
        return
    memo.changed = False


# ----------------------------------------------------------------- cache files
def encode_cache_file(data: Any) -> bytes:
    """The bytes of a cache file holding `data` (see `with_header`)."""
    return with_header(json.dumps(data, separators=(",", ":"), allow_nan=False).encode())


def with_header(body: bytes) -> bytes:
    """A cache file's bytes: a header line with the format and the checksum of `body`
    (a truncated or damaged file is not read), then `body`."""
    checksum = hashlib.blake2b(body, digest_size=16).hexdigest()
    return f"fastapi-guardrails-cache {_FORMAT} {checksum}\n".encode() + body


def read_cache_file(path: Path) -> Any:
    """The JSON value a cache file holds, or None for anything odd: no such file, not a
    regular file, larger than `MAX_CACHE_BYTES`, another format, a wrong checksum, nested
    deeper than `_MAX_NESTING`, not JSON, or JSON with `NaN`, infinities or floats."""
    raw = _read_regular_file(path, MAX_CACHE_BYTES)
    if raw is None:
        return None
    header, newline, body = raw.partition(b"\n")
    match = _HEADER.fullmatch(header)
    if not newline or match is None or int(match[1]) != _FORMAT:
        return None
    if hashlib.blake2b(body, digest_size=16).hexdigest().encode() != match[2]:
        return None
    if not _nesting_within(body, _MAX_NESTING):
        return None
    try:
        return json.loads(body, parse_constant=_no_floats, parse_float=_no_floats)
    except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
        return None


def _no_floats(text: str) -> NoReturn:
    """The cache holds no floats: `NaN`, `Infinity` or `1e400` make a file foreign."""
    raise ValueError(f"not in a cache file: {text[:20]}")


#: flags that keep an open from following a symlink or blocking on a FIFO (where they exist)
_READ_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NOFOLLOW", 0)
    | getattr(os, "O_NONBLOCK", 0)
    | getattr(os, "O_CLOEXEC", 0)
    | getattr(os, "O_BINARY", 0)
)


def _read_regular_file(path: Path, limit: int) -> bytes | None:
    """At most `limit` bytes of a regular file, or None: a symlink, a FIFO, a device, a
    directory or a larger file is never read (a FIFO would block, `/dev/zero` never
    ends). Stat first, then open without following a symlink and check that the file
    opened is the one stat saw."""
    try:
        seen = os.lstat(path)
    except (OSError, ValueError):
        return None
    if not stat.S_ISREG(seen.st_mode) or seen.st_size > limit:
        return None
    try:
        handle = os.open(path, _READ_FLAGS)
    except (OSError, ValueError):
        return None
    try:
        opened = os.fstat(handle)
        if not stat.S_ISREG(opened.st_mode) or (opened.st_dev, opened.st_ino) != (
            seen.st_dev,
            seen.st_ino,
        ):
            return None
        chunks: list[bytes] = []
        left = limit + 1  # one byte more tells a file that grew past the limit
        while left > 0:
            chunk = os.read(handle, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
    except OSError:
        return None
    finally:
        os.close(handle)
    data = b"".join(chunks)
    return data if len(data) <= limit else None


#: every byte but the brackets and the quote
_NOT_STRUCTURE = bytes(byte for byte in range(256) if byte not in b'[]{}"')
#: an opening bracket as 1, a closing one as -1 (a signed byte)
_STEPS = bytes.maketrans(b"[{]}", bytes([1, 1, 255, 255]))
_CHUNK = 1 << 16


def _nesting_within(body: bytes, limit: int) -> bool:
    """Whether JSON text nests lists and objects at most `limit` deep, told without
    parsing it (the parser recurses once per level), in a tenth of the parse's time.
    With the escaped backslashes and quotes gone, every quote opens or closes a string;
    the brackets outside strings are counted, a chunk at a time (bounded memory)."""
    text = body.replace(b"\\\\", b"").replace(b'\\"', b"").translate(None, _NOT_STRUCTURE)
    inside, depth = False, 0
    for start in range(0, len(text), _CHUNK):
        pieces = text[start : start + _CHUNK].split(b'"')
        outside = b"".join(pieces[1 if inside else 0 :: 2])
        inside ^= len(pieces) % 2 == 0
        steps = array("b", outside.translate(_STEPS))
        if max(accumulate(steps, initial=depth)) > limit:
            return False
        depth += sum(steps)
    return True


def _write_atomically(file: Path, payload: bytes) -> None:
    """Write to a temporary file named after this process, then rename it over `file`."""
    import tempfile  # only a write needs it (it imports shutil: 5 ms of a one-file run)

    handle, temporary = tempfile.mkstemp(
        dir=file.parent, prefix=f"{_TEMPORARY_PREFIX}{os.getpid()}-"
    )
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(payload)
        try:
            os.replace(temporary, file)
        except IsADirectoryError:  # an empty folder in its place goes; any other stays
            os.rmdir(file)
            os.replace(temporary, file)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def prune_temporary_files(folder: Path) -> None:
    """Remove the temporary files of writes that never finished (their run was killed):
    those whose writing process is gone, and any older than ten minutes (a write takes
    milliseconds; a process id may have been reused). Only in a folder of ours."""
    try:
        if not stat.S_ISDIR(os.lstat(folder).st_mode):
            return
        entries = list(os.scandir(folder))
    except OSError:
        return
    now = time.time()
    for entry in entries:
        match = _TEMPORARY.fullmatch(entry.name)
        if match is None:
            continue
        try:
            seen = entry.stat(follow_symlinks=False)
            if not (stat.S_ISREG(seen.st_mode) or stat.S_ISLNK(seen.st_mode)):
                continue
            writer_gone = match[1] is not None and not _process_alive(int(match[1]))
            if writer_gone or now - seen.st_mtime > _STALE_TEMPORARY_SECONDS:
                os.unlink(entry.path)
        except OSError:
            continue


def _process_alive(pid: int) -> bool:
    """Whether a process of this id runs (on this machine; True when it cannot tell)."""
    if sys.platform == "win32":
        return True  # os.kill(pid, 0) would terminate the process there
    if pid <= 0:
        return False  # os.kill(0, 0) would signal our own process group
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OverflowError:
        return False  # no process has such an id
    except OSError:
        return True  # EPERM: it runs, as another user
    return True


def _own_folder(folder: Path) -> None:
    """Create a folder of the cache; one that is a symlink (or not a folder) is not
    written to, nor pruned."""
    folder.mkdir(parents=True, exist_ok=True)
    if not stat.S_ISDIR(os.lstat(folder).st_mode):
        raise NotADirectoryError(f"not a folder of the cache: {folder}")


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
    """Create the cache directory with the files that keep it out of git and backups.
    They are created, never overwritten: a symlink in their place is left alone."""
    directory.mkdir(parents=True, exist_ok=True)
    _create_once(directory / ".gitignore", "# Automatically created by fastapi-guardrails.\n*\n")
    _create_once(directory / "CACHEDIR.TAG", _CACHEDIR_TAG)


def _create_once(path: Path, text: str) -> None:
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    try:
        handle = os.open(path, flags, 0o644)
    except FileExistsError:
        return
    with os.fdopen(handle, "w", encoding="utf-8") as stream:
        stream.write(text)


def _path_key(path: Path) -> str:
    return os.path.abspath(path)


#: a file modified this recently (seconds) gets no stamp: its next run reads it
_RACY_SECONDS = 2


def stamp_of(stat_result: os.stat_result) -> list[int] | None:
    """The size and modification time the cache trusts, or None for a file modified too
    recently to tell a later edit within the same clock tick."""
    if time.time_ns() - stat_result.st_mtime_ns < _RACY_SECONDS * 1_000_000_000:
        return None
    return [stat_result.st_size, stat_result.st_mtime_ns]


# ------------------------------------------------- values, checked one by one
class _Invalid(ValueError):
    """A value of a cache file that is not what the cache writes."""


def _invalid() -> NoReturn:
    raise _Invalid


#: the largest row or column a finding may have (both are 1-based)
_MAX_POSITION = 2**31 - 1
_APPLICABILITIES = frozenset({"safe", "unsafe"})


def _list(value: Any, length: int | None = None) -> list[Any]:
    if type(value) is not list or (length is not None and len(value) != length):
        _invalid()
    return value


def _dict(value: Any) -> dict[str, Any]:
    if type(value) is not dict:
        _invalid()
    return value


def _str(value: Any) -> str:
    if type(value) is not str:
        _invalid()
    return value


def _bool(value: Any) -> bool:
    if type(value) is not bool:
        _invalid()
    return value


def _position(value: Any) -> int:
    if type(value) is not int or not 1 <= value <= _MAX_POSITION:
        _invalid()
    return value


def _stamp(value: Any) -> list[int]:
    size, mtime = _list(value, 2)
    if type(size) is not int or type(mtime) is not int or not 0 <= size < 2**63:
        _invalid()
    if not -(2**63) <= mtime < 2**63:
        _invalid()
    return [size, mtime]


def _absolute_path(value: Any) -> str:
    path = _str(value)
    if not path or "\0" in path or not os.path.isabs(path):
        _invalid()
    return path


def _location(row: Any, column: Any) -> Location:
    return Location(_position(row), _position(column))


def _result(path: Path, entry: dict[str, Any]) -> FileResult | None:
    """A file's result from its entry, or None for an entry of another shape (the file
    is checked again); its text is read when the output needs it."""
    try:
        findings = [_finding(path, raw) for raw in _list(entry.get("findings"))]
        pending = []
        for pair in _list(entry.get("pending")):
            finding, condition = _list(pair, 2)
            pending.append((_finding(path, finding), _condition(condition)))
        if "summary" not in entry:
            _invalid()
        summary = _summary(entry["summary"]) if entry["summary"] is not None else None
        outside = frozenset(_str(name) for name in _list(entry.get("outside")))
        deferred = []
        for pair in _list(entry.get("deferred")):
            code, condition = _list(pair, 2)
            deferred.append((_str(code), _condition(condition)))
    except _Invalid:
        return None
    return FileResult(path, findings, None, pending, summary, outside, tuple(deferred))


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
            None if fix.companion is None else _companion_json(fix.companion),
            fix.config_of,
        ],
    ]


def _finding(path: Path, raw: Any) -> Finding:
    code, message, position, fix = _list(raw, 4)
    row, column, end_row, end_column = _list(position, 4)
    return Finding(
        path,
        _str(code),
        _str(message),
        _location(row, column),
        _location(end_row, end_column),
        None if fix is None else _fix(fix),
    )


def _fix(raw: Any) -> Fix:
    applicability, message, edits, releases, companion, config_of = _list(raw, 6)
    if type(applicability) is not str or applicability not in _APPLICABILITIES:
        _invalid()
    return Fix(
        _str(applicability),
        _str(message),
        tuple(_edit(edit) for edit in _list(edits)),
        tuple(_str(name) for name in _list(releases)),
        None if companion is None else _companion(companion),
        None if config_of is None else _str(config_of),
    )


def _companion_json(companion: Companion) -> list[Any]:
    return [
        companion.target,
        list(companion.candidates),
        companion.owner,
        companion.attribute,
        companion.arguments,
    ]


def _companion(raw: Any) -> Companion:
    target, candidates, owner, attribute, arguments = _list(raw, 5)
    return Companion(
        _str(target),
        tuple(_str(name) for name in _list(candidates)),
        _str(owner),
        _str(attribute),
        _str(arguments),
    )


def _edit(raw: Any) -> Edit:
    content, row, column, end_row, end_column = _list(raw, 5)
    return Edit(_str(content), _location(row, column), _location(end_row, end_column))


def _condition_json(condition: Condition) -> list[Any]:
    return [
        list(condition.refs),
        sorted(condition.roots),
        condition.exact,
        condition.negated,
        condition.fact,
        condition.subject,
        None if condition.also is None else _condition_json(condition.also),
    ]


def _condition(raw: Any) -> Condition:
    refs, roots, exact, negated, fact, subject, also = _list(raw, 7)
    if type(exact) is not bool or type(negated) is not bool or _str(subject) not in SUBJECTS:
        _invalid()
    return Condition(
        tuple(_str(ref) for ref in _list(refs)),
        frozenset(_str(root) for root in _list(roots)),
        exact,
        negated,
        None if fact is None else _str(fact),
        _str(subject),
        None if also is None else _condition(also),  # as deep as the file's nesting allows
    )


def _summary_json(summary: ModuleSummary) -> list[Any]:
    classes = {name: list(bases) for name, bases in summary.classes.items()}
    return [
        summary.module,
        classes,
        summary.imports,
        summary.instances,
        sorted(summary.config_refs),
        summary.returns,
        summary.router_includes,
        summary.blocking,
        summary.held,
        {name: list(methods) for name, methods in summary.members.items()},
        {name: list(found) for name, found in summary.uses.items()},
    ]


def _summary(raw: Any) -> ModuleSummary:
    module, classes, imports, instances, config_refs, returns, includes, blocking, *rest = _list(
        raw, 11
    )
    held, members, uses = rest
    return ModuleSummary(
        _str(module),
        {
            name: tuple(None if base is None else _str(base) for base in _list(bases))
            for name, bases in _dict(classes).items()
        },
        {name: _str(target) for name, target in _dict(imports).items()},
        {name: _str(made) for name, made in _dict(instances).items()},
        frozenset(_str(ref) for ref in _list(config_refs)),
        {name: _str(returned) for name, returned in _dict(returns).items()},
        {name: _bool(hidden) for name, hidden in _dict(includes).items()},
        {name: _str(call) for name, call in _dict(blocking).items()},
        {name: _str(typed) for name, typed in _dict(held).items()},
        {name: tuple(_str(m) for m in _list(methods)) for name, methods in _dict(members).items()},
        {name: tuple(_str(u) for u in _list(found)) for name, found in _dict(uses).items()},
    )


_Snapshot = tuple[
    list[tuple[str, list[int]]],
    list[tuple[str, list[int]]],
    list[tuple[str, list[int] | None, list[str]]],
    str,
    frozenset[str],
    list[Finding],
    HeldBack,
]


def _snapshot(data: Any) -> _Snapshot | None:
    """A run snapshot's files and their stamps, the other files read and their stamps,
    the paths probed and not found, the digest of the module names, the names its
    screens took to be outside the project, the findings, and what the run held back
    per rule; None for anything else."""
    try:
        snapshot = _dict(data)
        files = [_stamped(pair) for pair in _list(snapshot.get("files"))]
        others = [_stamped(pair) for pair in _list(snapshot.get("others"))]
        absent = [_absent_group(group) for group in _list(snapshot.get("absent"))]
        packages = _str(snapshot.get("packages"))
        outside = frozenset(_str(name) for name in _list(snapshot.get("outside")))
        findings = []
        paths: dict[str, Path] = {}  # one Path for the findings of a file
        for pair in _list(snapshot.get("findings")):
            name, finding = _list(pair, 2)
            path = paths.get(_str(name))
            if path is None:
                path = paths[name] = Path(name)
            findings.append(_finding(path, finding))
        # counts, positive as positions are
        held = HeldBack(
            {_str(code): _position(n) for code, n in _dict(snapshot.get("held", {})).items()},
            {_str(c): _position(n) for c, n in _dict(snapshot.get("held_files", {})).items()},
        )
    except _Invalid:
        return None
    return files, others, absent, packages, outside, findings, held


def _absent_group(raw: Any) -> tuple[str, list[int] | None, list[str]]:
    folder, stamp, paths = _list(raw, 3)
    if stamp is not None:
        stamp = _list(stamp, 3)
        if any(type(value) is not int or not -(2**63) <= value < 2**63 for value in stamp):
            _invalid()
    return _absolute_path(folder), stamp, [_absolute_path(path) for path in _list(paths)]


def _stamped(raw: Any) -> tuple[str, list[int]]:
    path, stamp = _list(raw, 2)
    return _absolute_path(path), _stamp(stamp)

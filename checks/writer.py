"""Write fixed sources back without harming what the file system holds.

`--fix` reads a file with `read_for_fix` and writes it with `write_fixed`. A link is
written through to its target, which must be a regular file inside the project; a file
with no write permission bit is left alone, even by root; a file that changed after it
was read is left alone (the change would be lost). The write is atomic where it can be:
a temporary file in the same directory, given the file's owner, group and mode, then
renamed over it. A file with several hard links, or whose owner a new file cannot get, is
written in place instead (see `_write_in_place`). Temporary files have a name of their
own, `.{name}.fastapi-guardrails-{pid}.tmp`: one left by a killed run is removed by the
next run that writes into its folder.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
from pathlib import Path
from typing import NamedTuple

from checks.lazy import lazy_pattern

#: what names the temporary files of a write, after a dot and the file's name
TEMPORARY_MARK = "fastapi-guardrails"
_TEMPORARY = lazy_pattern(rf"\.(?P<name>.+)\.{TEMPORARY_MARK}-(?P<pid>[1-9][0-9]*)\.tmp", re.S)
#: the longest file name most file systems allow, in bytes
_NAME_MAX = 255


class NotWritten(Exception):
    """A file `--fix` leaves as it is; the message says why, after the file's name."""


class SourceFile(NamedTuple):
    """A file as `--fix` read it: the name it was found under, the regular file that name
    leads to (links resolved), and the bytes read from it."""

    path: Path
    target: Path
    data: bytes


def read_for_fix(path: Path, project_root: Path, *, for_writing: bool = True) -> SourceFile:
    """Read the file `path` leads to, for fixing. Raises NotWritten when the file must be
    left alone: a link to a missing file, not a regular file, and when it is to be written,
    a link whose target is outside the project or a write-protected file (no write bit:
    root could write it, but was told not to); OSError when it cannot be read."""
    absolute = os.path.abspath(path)
    if os.path.lexists(absolute) and not os.path.exists(absolute):
        raise NotWritten("is a link to a missing file: not fixed")
    real = os.path.realpath(absolute)
    outside = real != absolute and not _within(real, os.path.realpath(project_root))
    if outside and for_writing:
        raise NotWritten(f"is a link to {real}, outside the project: not fixed")
    data, status = _read_regular(real)
    if for_writing and not status.st_mode & 0o222:
        raise NotWritten("is write-protected: not fixed")
    return SourceFile(path, Path(real), data)


def write_fixed(source: SourceFile, data: bytes, cleared: set[str] | None = None) -> None:
    """Write `data` over the file `source` was read from, if it still holds what was read
    (`write_atomically`)."""
    write_atomically(source.target, data, source.data, cleared)


def write_atomically(
    path: Path, data: bytes, expected: bytes | None = None, cleared: set[str] | None = None
) -> None:
    """Replace the content of the file `path` leads to with `data`, keeping its owner,
    group and mode: atomically (a temporary file renamed over it), or in place for a file
    with several hard links or whose owner a new file cannot get. With `expected`, raises
    NotWritten and writes nothing when the file no longer holds those bytes. Raises OSError
    when it cannot be written (the file is left as it was). First removes the temporary
    files of dead runs from the folder (once a run for the folders `cleared` collects)."""
    target = os.path.realpath(path)
    directory = os.path.dirname(target)
    if cleared is None or directory not in cleared:
        remove_dead_temporaries(directory)
        if cleared is not None:
            cleared.add(directory)
    if expected is None:
        with open(target, "rb") as handle:
            expected = handle.read()
    status = os.stat(target)
    if status.st_nlink > 1 or not _replace(target, status, expected, data):
        _write_in_place(target, expected, data)


def temporary_name(name: str, pid: int | None = None) -> str:
    """The name of the temporary file that replaces the file `name` (its part of the name
    shortened so that the whole fits in a file name)."""
    suffix = f".{TEMPORARY_MARK}-{os.getpid() if pid is None else pid}.tmp"
    room = _NAME_MAX - 1 - len(os.fsencode(suffix))
    return "." + os.fsdecode(os.fsencode(name)[:room]) + suffix


def remove_dead_temporaries(directory: Path | str) -> list[str]:
    """Remove the temporary files that runs killed mid-write left in `directory`: regular
    files named exactly as `temporary_name` names them, whose process is gone. Returns the
    names removed."""
    folder = os.fspath(directory)
    removed: list[str] = []
    try:
        with os.scandir(folder) as listing:
            names = [entry.name for entry in listing if TEMPORARY_MARK in entry.name]
    except OSError:
        return removed
    for name in names:
        match = _TEMPORARY.fullmatch(name)
        if match is None or _pid_is_alive(int(match["pid"])):
            continue
        path = os.path.join(folder, name)
        try:
            if stat.S_ISREG(os.lstat(path).st_mode):
                os.unlink(path)
                removed.append(name)
        except OSError:
            continue
    return removed


def _pid_is_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # EPERM: another user's process
        return True
    return True


def _within(path: str, directory: str) -> bool:
    return path == directory or path.startswith(directory.rstrip("/") + "/")


def _read_regular(path: str) -> tuple[bytes, os.stat_result]:
    """The bytes of a regular file; anything else (a FIFO, a device) is refused without
    reading it or waiting on it."""
    if not stat.S_ISREG(os.stat(path).st_mode):
        raise NotWritten("is not a regular file: not fixed")
    # a non-blocking open and a second look: it may have become a FIFO since
    descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    with os.fdopen(descriptor, "rb") as handle:
        status = os.fstat(descriptor)
        if not stat.S_ISREG(status.st_mode):
            raise NotWritten("is not a regular file: not fixed")
        return handle.read(), status


def _changed() -> NotWritten:
    return NotWritten("changed while it was being fixed; run again")


def _replace(target: str, status: os.stat_result, expected: bytes, data: bytes) -> bool:
    """Write a temporary file with the file's owner, group and mode, then rename it over
    the file. False, with nothing changed, when the owner or group cannot be given to the
    new file (not root, and the file is another user's or group's)."""
    directory, name = os.path.split(target)
    temporary = os.path.join(directory, temporary_name(name))
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC | getattr(os, "O_NOFOLLOW", 0)
    try:
        descriptor = os.open(temporary, flags, 0o600)
    except FileExistsError:  # left by a killed process that had this pid
        os.unlink(temporary)
        descriptor = os.open(temporary, flags, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            own = os.fstat(descriptor)
            if hasattr(os, "fchown") and (own.st_uid, own.st_gid) != (
                status.st_uid,
                status.st_gid,
            ):
                try:
                    os.fchown(descriptor, status.st_uid, status.st_gid)
                except PermissionError:
                    os.unlink(temporary)
                    return False
            handle.write(data)
            handle.flush()
            os.fsync(descriptor)
        os.chmod(temporary, stat.S_IMODE(status.st_mode))  # after chown, which clears setuid
        # the last look before the rename: only a write between it and the rename is lost
        with open(target, "rb") as current:
            if current.read() != expected:
                raise _changed()
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    _sync_directory(directory)
    return True


def _write_in_place(target: str, expected: bytes, data: bytes) -> None:
    """Overwrite the file itself, so that every hard link sees the fix and the owner stays.
    This trades atomicity for the links: a crash mid-write can leave a file half old, half
    new, where a rename would have given this name a new file and left the other names
    with the old text."""
    with open(target, "r+b") as handle:
        if handle.read() != expected:
            raise _changed()
        handle.seek(0)
        handle.write(data)
        handle.truncate()
        handle.flush()
        os.fsync(handle.fileno())


def _sync_directory(directory: str) -> None:
    """Make the rename durable (best effort: not every system opens a folder)."""
    try:
        descriptor = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)

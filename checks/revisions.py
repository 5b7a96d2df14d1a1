"""Which Alembic revisions are history: a revision that another revision of its folder
names as its `down_revision` has been built upon.

Editing such a revision changes nothing on a database already past it (FG604 warns
against editing it at all), so the rules about what a revision does (FG601, FG602,
FG603, and FG105 in revision files) report on the heads only: the revisions nothing
builds on yet, where a new migration is written. The folder is read with a regular
expression, not parsed: `revision = "..."` and `down_revision = ...` (a string, a tuple
of strings for a merge, or None), with or without an annotation, at the start of a line.
"""

from __future__ import annotations

import os
import re
import threading

from checks.lazy import lazy_pattern

_REVISION = lazy_pattern(rb"""^revision\s*(?::[^=\n]*)?=\s*(?:u|r)?['"]([^'"\n]+)['"]""", re.M)
_DOWN_REVISION = lazy_pattern(rb"^down_revision\s*(?::[^=\n]*)?=([^\n]*(?:\n[ \t)][^\n]*)*)", re.M)
_QUOTED = lazy_pattern(rb"""['"]([^'"\n]+)['"]""")
#: a revision file larger than this is not read (no real one comes close)
_MAX_SIZE = 1 << 20

_lock = threading.Lock()
#: directory -> (what its listing looked like, each file's revision and the revisions it
#: builds on)
_Files = dict[str, tuple[str, frozenset[str]]]
_folders: dict[str, tuple[tuple[tuple[str, int, int], ...], _Files]] = {}


def _revision_of(data: bytes) -> str | None:
    match = _REVISION.search(data)
    return match[1].decode("utf-8", "replace") if match else None


def is_revision(source: bytes | None) -> bool:
    """Whether a module is an Alembic revision: `revision = "..."` and `down_revision` at
    the start of a line, wherever its folder is (a project may keep them in
    `database/revisions/`)."""
    return (
        source is not None
        and b"down_revision" in source
        and _DOWN_REVISION.search(source) is not None
        and _REVISION.search(source) is not None
    )


def _down_revisions_of(data: bytes) -> frozenset[str]:
    match = _DOWN_REVISION.search(data)
    if match is None:
        return frozenset()
    return frozenset(value.decode("utf-8", "replace") for value in _QUOTED.findall(match[1]))


def _folder(directory: str) -> _Files:
    """Each revision file of `directory`: its revision and the revisions it builds on;
    read again only when a file of the folder changed (name, size or time)."""
    try:
        with os.scandir(directory) as entries:
            listing = []
            for entry in entries:
                if entry.name.endswith(".py") and entry.is_file():
                    status = entry.stat()
                    listing.append((entry.name, status.st_size, status.st_mtime_ns))
    except OSError:
        return {}
    signature = tuple(sorted(listing))
    with _lock:
        known = _folders.get(directory)
    if known is not None and known[0] == signature:
        return known[1]
    files: _Files = {}
    for name, size, _ in signature:
        if size > _MAX_SIZE:
            continue
        try:
            with open(os.path.join(directory, name), "rb") as handle:
                data = handle.read(_MAX_SIZE)
        except OSError:
            continue
        revision = _revision_of(data)
        if revision is not None:
            files[name] = (revision, _down_revisions_of(data))
    with _lock:
        _folders[directory] = (signature, files)
    return files


def is_superseded(path: str | os.PathLike[str], source: bytes | None = None) -> bool:
    """Whether another revision file of this file's folder names its revision as its
    `down_revision`, or Alembic never runs the folder (`never_run`). `source` is the
    file's text as checked (it may differ from the disk, as in the hook); a file without
    a `revision` is never superseded."""
    directory, name = os.path.split(os.path.abspath(path))
    if never_run(directory):
        return _revision_of(source) is not None if source is not None else True
    files = _folder(directory)
    if source is not None:
        revision = _revision_of(source)
    else:
        revision = files[name][0] if name in files else None
    if revision is None:
        return False
    return any(revision in builds_on for other, (_, builds_on) in files.items() if other != name)


#: how far above a revision's folder its `alembic.ini` is looked for
_INI_DEPTH = 4
#: directory -> the locations of the `alembic.ini` found above it (None: none, or one
#: that does not say)
_configured: dict[str, tuple[str, ...] | None] = {}


def never_run(directory: str) -> bool:
    """Whether the `alembic.ini` nearest above a revision's folder names script and
    version locations that hold none of it: Alembic never runs that revision (a copy
    kept beside the configured folder, `script_location = alembic` with revisions in
    `migrations/versions/`). False when no `alembic.ini` is found, or it names a
    location we cannot resolve (`package:folder`), or none (Alembic 1.16 reads
    `pyproject.toml`)."""
    with _lock:
        if directory not in _configured:
            _configured[directory] = _locations_above(directory)
        locations = _configured[directory]
    if not locations:
        return False
    return not any(
        directory == place or directory.startswith(place + os.sep) for place in locations
    )


def _locations_above(directory: str) -> tuple[str, ...] | None:
    folder = directory
    for _ in range(_INI_DEPTH + 1):
        ini = os.path.join(folder, "alembic.ini")
        if os.path.isfile(ini):
            return _configured_locations(ini)
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent
    return None


def _configured_locations(ini: str) -> tuple[str, ...] | None:
    """`script_location` and each of `version_locations` of an `alembic.ini`, as paths
    (`%(here)s` is its folder, a relative path is taken from it, as Alembic's command line
    does when run there)."""
    import configparser

    here = os.path.dirname(ini)
    parser = configparser.ConfigParser(defaults={"here": here})
    try:
        with open(ini, encoding="utf-8") as handle:
            parser.read_file(handle)
        section = parser["alembic"]
        script = section.get("script_location")
        versions = section.get("version_locations")
    except (OSError, UnicodeDecodeError, configparser.Error, KeyError, ValueError):
        return None
    if not script:
        return None
    places = [script.strip()]
    if versions:
        places += [p for p in re.split(r"[\s,]+|" + re.escape(os.pathsep), versions) if p]
    resolved = []
    for place in places:
        if ":" in place and not os.path.isabs(place):
            return None  # `package:folder`, a resource of an installed package
        resolved.append(os.path.normpath(os.path.join(here, place)))
    return tuple(resolved)


def forget() -> None:
    """Forget the folders read (a test changes them within one process)."""
    with _lock:
        _folders.clear()
        _configured.clear()

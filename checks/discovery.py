"""Find the Python files to check under the given paths.

Directories are walked in sorted order, skipping the `exclude`/`extend-exclude` globs,
virtualenvs (a `pyvenv.cfg` marks one), and what `.gitignore` files ignore (those of the
walked tree and of its parents up to the git root, plus `.git/info/exclude`). Files named
one by one (pre-commit, the edit hook, `check app/x.py`) are held to the same exclusions
and `.gitignore` files, as ruff's `--force-exclude` does, so every entry point checks the
same files. Symlinked directories are followed once: a symlink loop ends the descent.

Only regular files are checked: a walk skips FIFOs and devices (and links to them), and
one named on the command line is refused before it is opened. A file reached under two
names (a link and its target, hard links) is checked once, under the name of the file
itself when the run meets it. File names need not be UTF-8; a folder whose path is too
long for the system to open is reported, not skipped in silence.
"""

from __future__ import annotations

import errno
import functools
import os
import stat
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import NamedTuple

from checks.config import ConfigError, Settings
from checks.globs import Globs

PYTHON_SUFFIXES = (".py", ".pyi")
#: how much of a path too long to open a warning shows
_PATH_PREFIX_SHOWN = 120


class _Gitignore(NamedTuple):
    #: the base directory, absolute, as a string ending in `/`
    prefix: str
    spec: Globs


def _read_gitignore(path: Path | str, base: Path | str) -> _Gitignore | None:
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            lines = handle.read().splitlines()
    except OSError:
        return None
    prefix = (base.as_posix() if isinstance(base, Path) else base).rstrip("/") + "/"
    return _Gitignore(prefix, Globs(lines, gitignore=True))


def _gitignore_of(path: Path, base: Path) -> _Gitignore | None:
    """`_read_gitignore`, compiled once per file version: files named one by one (pre-commit
    names every staged file) share their folders' .gitignore files."""
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return _compiled_gitignore(str(path), str(base), stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=1024)
def _compiled_gitignore(path: str, base: str, mtime_ns: int, size: int) -> _Gitignore | None:
    return _read_gitignore(path, base)


def _git_root(directory: Path) -> Path | None:
    for candidate in (directory, *directory.parents):
        if (candidate / ".git").exists():
            return candidate
    return None


def _inherited_gitignores(directory: Path) -> list[_Gitignore]:
    """The .gitignore files above `directory`, from the git root down (its own excluded)."""
    root = _git_root(directory)
    if root is None:
        return []
    found: list[_Gitignore] = []
    exclude = _read_gitignore(root / ".git" / "info" / "exclude", root)
    if exclude is not None:
        found.append(exclude)
    chain = [directory, *directory.parents]
    for folder in reversed(chain[1 : chain.index(root) + 1]):
        gitignore = _read_gitignore(folder / ".gitignore", folder)
        if gitignore is not None:
            found.append(gitignore)
    return found


def _matchable(path: str) -> str:
    """The path as the glob matchers can take it: a name that is not UTF-8 (its bytes
    kept as surrogates) has those bytes replaced by U+FFFD, as a .gitignore read here has
    (the regex engine takes only valid Unicode)."""
    if path.isascii():
        return path
    return os.fsencode(path).decode("utf-8", "replace")


def _is_gitignored(absolute: str, is_dir: bool, gitignores: Sequence[_Gitignore]) -> bool:
    absolute = _matchable(absolute)
    for gitignore in reversed(gitignores):
        if not absolute.startswith(gitignore.prefix):
            continue
        relative = absolute[len(gitignore.prefix) :]
        include = gitignore.spec.include(relative + "/" if is_dir else relative)
        if include is not None:
            return include
    return False


class _Walker:
    """Walks directories with plain strings: one `realpath` per command-line path, not one
    per file (resolving every entry was a third of the time on large trees)."""

    def __init__(self, settings: Settings, warnings: list[str] | None = None) -> None:
        self.settings = settings
        self.warnings = warnings
        self.visited: set[tuple[int, int]] = set()
        self.root = settings.project_root.as_posix().rstrip("/") + "/"
        #: the excluded folders named as a template's (`{{cookiecutter.project_slug}}`)
        self.templates: list[str] = []

    def unreachable(self, path: str, error: OSError) -> None:
        """Report a path the system cannot open because it is too long (any other error
        is a file gone or not ours to read, as a walk has always taken it)."""
        if error.errno == errno.ENAMETOOLONG and self.warnings is not None:
            self.warnings.append(_too_long(path))

    def relative(self, absolute: str) -> str:
        """As `Settings.relative`, for a path already made absolute and real."""
        if absolute.startswith(self.root):
            return absolute[len(self.root) :]
        return absolute.lstrip("/")

    def excluded(self, relative: str, is_dir: bool) -> bool:
        if is_dir and _build_output(self.root, relative, self.settings):
            return True
        relative = _matchable(relative)
        return bool(self.settings.exclude.match_file(relative + "/" if is_dir else relative))

    def walk(
        self, directory: str, absolute: str, gitignores: list[_Gitignore]
    ) -> Iterator[tuple[str, tuple[int, int], bool]]:
        """The files under `directory` (`absolute` is its real path), each with its
        (device, inode) to tell a file reached twice, and whether it is a symlink."""
        try:
            status = os.stat(absolute)
        except OSError as error:
            self.unreachable(directory, error)
            return
        device = status.st_dev
        key = (device, status.st_ino)
        if key in self.visited:
            return  # a symlink loop, or a directory reached twice
        self.visited.add(key)
        try:
            with os.scandir(absolute) as listing:
                entries = sorted(listing, key=lambda entry: entry.name)
        except OSError as error:
            self.unreachable(directory, error)
            return
        names = {entry.name for entry in entries if entry.name[0] in ".p"}
        if "pyvenv.cfg" in names and os.path.isfile(f"{absolute}/pyvenv.cfg"):
            return
        if self.settings.respect_gitignore and ".gitignore" in names:
            own = _read_gitignore(f"{absolute}/.gitignore", absolute)
            if own is not None:
                gitignores = [*gitignores, own]
        for entry in entries:
            try:
                is_dir = entry.is_dir()
                is_file = not is_dir and entry.is_file()  # a regular file, or a link to one
            except OSError as error:
                self.unreachable(f"{directory}/{entry.name}", error)
                continue
            if not (is_dir or (is_file and entry.name.endswith(PYTHON_SUFFIXES))):
                continue
            child = f"{absolute}/{entry.name}"
            if self.excluded(self.relative(child), is_dir):
                if is_dir and "{{" in entry.name:
                    self.templates.append(f"{directory}/{entry.name}")
                continue
            if self.settings.respect_gitignore and _is_gitignored(child, is_dir, gitignores):
                continue
            if is_dir:
                yield from self.walk(f"{directory}/{entry.name}", child, gitignores)
            elif entry.is_symlink():
                yield f"{directory}/{entry.name}", _file_key(Path(child)), True
            else:
                yield f"{directory}/{entry.name}", (device, entry.inode()), False


def _too_long(path: str) -> str:
    shown = path if len(path) <= _PATH_PREFIX_SHOWN else path[:_PATH_PREFIX_SHOWN] + "..."
    return f"{shown}: path too long for the system to open (over PATH_MAX); not checked"


def _file_key(path: Path) -> tuple[int, int]:
    try:
        stat = path.stat()
    except OSError:
        return (-1, hash(path.absolute()))
    return (stat.st_dev, stat.st_ino)


def matches_exclude(path: Path, settings: Settings, folders: dict[str, bool] | None = None) -> bool:
    """Whether an `exclude`/`extend-exclude` glob matches the file or a folder above it,
    up to the project root. `folders` keeps the folders' answers, for a caller that asks
    of many files of one project (a warm run asks it of every file of a sub-project)."""
    relative = _matchable(settings.relative(path))
    folder = relative.rpartition("/")[0]
    excluded = folders.get(folder) if folders is not None else None
    if excluded is None:
        excluded = _folder_excluded(folder, settings)
        if folders is not None:
            folders[folder] = excluded
    return excluded or bool(settings.exclude.match_file(relative))


def _folder_excluded(folder: str, settings: Settings) -> bool:
    """Whether a glob excludes a folder (relative to the project root; "" the root
    itself) or one above it, or one of them is a build's output."""
    if not folder:
        return False
    parts = folder.split("/")
    root = settings.project_root.as_posix().rstrip("/") + "/"
    for depth in range(1, len(parts) + 1):
        above = "/".join(parts[:depth])
        if _build_output(root, above, settings) or settings.exclude.match_file(above + "/"):
            return True
    return False


def _build_output(root: str, folder: str, settings: Settings) -> bool:
    """Whether a folder (relative to the project root, `root` ending in `/`) is a build's
    output: named as one (`Settings.artifact_folders`), neither a package nor inside one
    (onyx's `features/build/` has no `__init__.py`, a namespace package of `features`)."""
    parent, _, name = folder.rpartition("/")
    if name not in settings.artifact_folders:
        return False
    return not os.path.isfile(f"{root}{folder}/__init__.py") and not (
        parent and os.path.isfile(f"{root}{parent}/__init__.py")
    )


def is_excluded(path: Path, settings: Settings) -> bool:
    """Whether a file named on its own is one a walk of its project would skip: an
    `exclude` glob matches it or a folder above it (up to the project root), or a
    `.gitignore` ignores it or a folder above it."""
    if matches_exclude(path, settings):
        return True
    if not settings.respect_gitignore:
        return False
    directory = Path(os.path.realpath(os.path.dirname(os.path.abspath(path))))
    git_root = _git_root(directory)
    chain = [directory, *directory.parents]
    base = git_root if git_root is not None else settings.project_root
    below = chain[: chain.index(base) + 1] if base in chain else [directory]
    gitignores: list[_Gitignore] = []
    if git_root is not None:
        info = _gitignore_of(git_root / ".git" / "info" / "exclude", git_root)
        if info is not None:
            gitignores.append(info)
    for folder in reversed(below):  # from the top down, as a walk meets them
        gitignore = _gitignore_of(folder / ".gitignore", folder)
        if gitignore is not None:
            gitignores.append(gitignore)
    if not gitignores:
        return False
    if _is_gitignored(f"{directory.as_posix().rstrip('/')}/{path.name}", False, gitignores):
        return True
    return any(_is_gitignored(folder.as_posix(), True, gitignores) for folder in below[:-1])


def discover(
    paths: Sequence[Path], settings: Settings, warnings: list[str] | None = None
) -> list[Path]:
    """The Python files to check, sorted, each once. A missing path, or a named file that
    is not a regular file (a FIFO, a device), is a ConfigError; `warnings` receives what
    the walk could not look at (paths too long to open)."""
    walker = _Walker(settings, warnings)
    found: list[Path] = []
    #: (device, inode) -> the position in `found`, and whether it was reached by a link
    seen: dict[tuple[int, int], tuple[int, bool]] = {}

    def add(candidate: Path, key: tuple[int, int], is_link: bool) -> None:
        known = seen.get(key)
        if known is None:
            seen[key] = (len(found), is_link)
            found.append(candidate)
        elif known[1] and not is_link:  # a link and its target: the file itself it is
            seen[key] = (known[0], False)
            found[known[0]] = candidate

    for path in paths:
        try:
            status = os.stat(path)
        except OSError as error:
            if error.errno == errno.ENAMETOOLONG:
                raise ConfigError(_too_long(str(path))) from None
            if error.errno in (errno.ENOENT, errno.ENOTDIR, errno.ELOOP):
                raise ConfigError(f"{path}: no such file or directory") from None
            raise ConfigError(f"{path}: {error.strerror or error}") from None
        if stat.S_ISDIR(status.st_mode):
            real = path.resolve()
            inherited = _inherited_gitignores(real) if settings.respect_gitignore else []
            top = str(path).rstrip("/")  # "/" -> "", so that children are "/name"
            walked = walker.walk(top, real.as_posix().rstrip("/"), inherited)
            for candidate, key, is_link in walked:
                add(Path(candidate), key, is_link)
        elif not stat.S_ISREG(status.st_mode):
            # reading a FIFO waits for a writer, /dev/zero never ends: never open them
            raise ConfigError(f"{path}: not a regular file (a FIFO or a device); not checked")
        elif path.suffix in PYTHON_SUFFIXES and not is_excluded(path, settings):
            add(path, (status.st_dev, status.st_ino), os.path.islink(path))
    if walker.templates and warnings is not None:
        # a cookiecutter repository: "no Python files", or "All checks passed!" on the
        # generator's own hooks (s3rius' template: 11 files checked, 126 left out), alone
        # reads as a clean bill
        left_out = sum(_python_files_under(Path(folder)) for folder in walker.templates)
        if left_out:
            warnings.append(
                f"{walker.templates[0]}: a template's folder, which `exclude` leaves out "
                f"({left_out} Python file{'s' if left_out != 1 else ''}; the default "
                "`*{{*}}*`: its files hold template syntax); check a project generated from it"
            )
    return found


def _python_files_under(folder: Path) -> int:
    """How many Python files a folder holds, at any depth (none when it cannot be read)."""
    return sum(
        1 for _, _, names in os.walk(folder) for name in names if name.endswith(PYTHON_SUFFIXES)
    )

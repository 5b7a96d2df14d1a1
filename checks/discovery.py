"""Find the Python files to check under the given paths.

Directories are walked in sorted order, skipping the `exclude`/`extend-exclude` globs,
virtualenvs (a `pyvenv.cfg` marks one: a folder of nothing but an environment is skipped
whole, a project's folder holding one has the environment's own folders skipped), and
what `.gitignore` files ignore (those of the walked tree and of its parents up to the git
root, plus `.git/info/exclude`). Files named
one by one (pre-commit, the edit hook, `check app/x.py`) are held to the same exclusions
and `.gitignore` files, as ruff's `--force-exclude` does, so every entry point checks the
same files. Symlinked directories are followed once: a symlink loop ends the descent.

Only regular files are checked: a walk skips FIFOs and devices (and links to them), and
one named on the command line is refused before it is opened. A file reached under two
names (a link and its target, hard links) is checked once, under the name of the file
itself when the run meets it. File names need not be UTF-8; a folder whose path is too
long for the system to open is reported, not skipped in silence.

A walk given a `WalkMemo` (the results cache's, `checks.cache.load_walk_memo`) takes a
folder's answer from it without listing the folder or matching a pattern, as git's
untracked cache does: a folder whose inode, modification and change times are those the
memo holds has the same entries (adding, removing or renaming one changes them), and
under the same `.gitignore` files (their stamps) and settings (the memo's key) the walk
keeps the same of them. A folder is kept only when nothing else decides what the walk
keeps of it: no symlink among its entries (a link's target changes elsewhere), no folder
named as a build's output (`_build_output` looks inside it), no template folder (it
warns), no entry it could not read, and no stamp too recent to tell a later change
within the same clock tick (`RACY_SECONDS`).
"""

from __future__ import annotations

import errno
import functools
import os
import stat
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from checks.config import ConfigError, Settings
from checks.globs import Globs

PYTHON_SUFFIXES = (".py", ".pyi")
#: a file or folder changed this recently (seconds) gets no stamp: a change later within
#: the same clock tick would leave the stamp as it is
RACY_SECONDS = 2
#: how much of a path too long to open a warning shows
_PATH_PREFIX_SHOWN = 120


class _Gitignore(NamedTuple):
    #: the base directory, absolute, as a string ending in `/`
    prefix: str
    spec: Globs
    #: the file's path, size, modification and change times (`WalkMemo`'s), or None when
    #: it changed too recently to tell
    stamp: str | None = None


def _settled(status: os.stat_result) -> bool:
    """Whether a stamp taken of this status tells every later change (`RACY_SECONDS`)."""
    changed = max(status.st_mtime_ns, status.st_ctime_ns)
    return time.time_ns() - changed >= RACY_SECONDS * 1_000_000_000


def _read_gitignore(path: Path | str, base: Path | str) -> _Gitignore | None:
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            status = os.fstat(handle.fileno())
            lines = handle.read().splitlines()
    except OSError:
        return None
    prefix = (base.as_posix() if isinstance(base, Path) else base).rstrip("/") + "/"
    stamp = None
    if _settled(status):
        stamp = f"{path}:{status.st_size}:{status.st_mtime_ns}:{status.st_ctime_ns}"
    return _Gitignore(prefix, Globs(lines, gitignore=True), stamp)


def _chain_of(gitignores: Sequence[_Gitignore]) -> str | None:
    """What identifies a list of `.gitignore` files for `WalkMemo` (None: one of them
    changed too recently to tell)."""
    stamps = [gitignore.stamp for gitignore in gitignores]
    if any(stamp is None for stamp in stamps):
        return None
    return "\0".join(stamp for stamp in stamps if stamp is not None)


class WalkMemo:
    """What walks kept of each folder (see the module's docstring): absolute path ->
    [inode, modification time, change time, the `.gitignore` files' `_chain_of` that
    applied, whether it holds a `.gitignore`, the entries kept ([name, inode], -1 for a
    folder)]. `changed`: whether this run added or replaced a folder's answer."""

    def __init__(self, folders: dict[str, Any] | None = None) -> None:
        self.folders: dict[str, Any] = folders if folders is not None else {}
        self.used: set[str] = set()
        self.changed = False

    def known(
        self, absolute: str, status: os.stat_result
    ) -> tuple[str, bool, list[tuple[str, int]]] | None:
        """The `.gitignore` chain, whether the folder holds a `.gitignore`, and the
        entries kept, of a folder unchanged since they were kept; None otherwise (a
        value this class did not write is not one)."""
        entry = self.folders.get(absolute)
        if not isinstance(entry, list) or len(entry) != 6:
            return None
        inode, modified, changed, chain, own, kept = entry
        if (inode, modified, changed) != (status.st_ino, status.st_mtime_ns, status.st_ctime_ns):
            return None
        if not isinstance(chain, str) or not isinstance(own, bool) or not isinstance(kept, list):
            return None
        children: list[tuple[str, int]] = []
        for child in kept:
            if not (isinstance(child, list) and len(child) == 2):
                return None
            name, child_inode = child
            if (
                not isinstance(name, str)
                or type(child_inode) is not int
                or name in ("", ".", "..")
                or "/" in name
                or "\0" in name
            ):
                return None  # never a way out of the folder
            children.append((name, child_inode))
        self.used.add(absolute)
        return chain, own, children

    def keep(
        self,
        absolute: str,
        status: os.stat_result,
        chain: str,
        own: bool,
        children: list[tuple[str, int]],
    ) -> None:
        kept = [[name, inode] for name, inode in children]
        entry = [status.st_ino, status.st_mtime_ns, status.st_ctime_ns, chain, own, kept]
        self.used.add(absolute)
        if self.folders.get(absolute) != entry:
            self.folders[absolute] = entry
            self.changed = True


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


#: What a virtual environment's folder holds besides dotfiles: `python -m venv`'s,
#: virtualenv's and uv's layouts on POSIX and Windows, and what packages install there.
_ENVIRONMENT_ENTRIES = frozenset(
    {
        "pyvenv.cfg",
        "CACHEDIR.TAG",
        "bin",
        "Scripts",
        "lib",
        "Lib",
        "lib64",
        "include",
        "Include",
        "share",
        "etc",
        "man",
    }
)
#: The scripts a virtual environment's `bin` or `Scripts` folder holds.
_ENVIRONMENT_SCRIPTS = frozenset(
    {"activate", "activate.bat", "Activate.ps1", "python", "python3", "python.exe"}
)


def _of_an_environment(name: str) -> bool:
    """Whether an entry of a folder holding `pyvenv.cfg` is one a virtual environment
    has (a folder of nothing else is skipped whole, as before it is listed further)."""
    return name.startswith(".") or name in _ENVIRONMENT_ENTRIES


def _environment_folder(path: str, name: str) -> bool:
    """Whether a folder beside `pyvenv.cfg` is the environment's own, as what it holds
    shows: its scripts (`bin`, `Scripts`: an `activate` script or the interpreter), its
    libraries (`lib`, `Lib`, `lib64`: `site-packages`, or a `python3.x` folder holding
    them) or its headers (`include`, `Include`); a project's own `lib` package is not.
    What packages install beside them (`share`, `etc`, `man`: Jupyter's kernels and
    configuration, manual pages) is the environment's by its name."""
    if name in ("share", "etc", "man"):
        return True
    if name not in ("bin", "Scripts", "lib", "Lib", "lib64", "include", "Include"):
        return False
    try:
        inside = os.listdir(path)
    except OSError:
        return False
    if name in ("bin", "Scripts"):
        return not _ENVIRONMENT_SCRIPTS.isdisjoint(inside)
    return any(
        entry in ("site-packages", "site") or entry.startswith(("python", "pypy"))
        for entry in inside
    )


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

    def __init__(
        self, settings: Settings, warnings: list[str] | None = None, memo: WalkMemo | None = None
    ) -> None:
        self.settings = settings
        self.warnings = warnings
        self.memo = memo
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
        self,
        directory: str,
        absolute: str,
        gitignores: list[_Gitignore],
        chain: str | None = None,
    ) -> Iterator[tuple[str, tuple[int, int], bool]]:
        """The files under `directory` (`absolute` is its real path), each with its
        (device, inode) to tell a file reached twice, and whether it is a symlink.
        `chain`: the `.gitignore` files' `_chain_of`, when the walk has a memo."""
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
        if self.memo is not None and chain is not None:
            remembered = self._remembered(directory, absolute, status, gitignores, chain)
            if remembered is not None:
                yield from remembered
                return
        try:
            with os.scandir(absolute) as listing:
                entries = sorted(listing, key=lambda entry: entry.name)
        except OSError as error:
            self.unreachable(directory, error)
            return
        names = {entry.name for entry in entries if entry.name[0] in ".p"}
        #: what the memo keeps of this folder: the entries kept, while nothing else decides
        kept: list[tuple[str, int]] | None = [] if _settled(status) else None
        own = False
        environment = "pyvenv.cfg" in names and os.path.isfile(f"{absolute}/pyvenv.cfg")
        if environment:
            if all(_of_an_environment(entry.name) for entry in entries):
                self._keep(absolute, status, gitignores, chain, own, kept)
                return
            # a project's folder holding its environment (`python -m venv .` in it:
            # vasilytray's unic, reader 169, checked nothing at all): its code is walked,
            # the environment's own folders not (read inside them: never kept)
            kept = None
        if self.settings.respect_gitignore and ".gitignore" in names:
            read = _read_gitignore(f"{absolute}/.gitignore", absolute)
            if read is not None:
                own = True
                gitignores = [*gitignores, read]
                chain = None if chain is None or read.stamp is None else f"{chain}\0{read.stamp}"
        for entry in entries:
            try:
                is_dir = entry.is_dir()
                is_file = not is_dir and entry.is_file()  # a regular file, or a link to one
                if kept is not None and entry.is_symlink():
                    kept = None  # a link's target may change without this folder
            except OSError as error:
                self.unreachable(f"{directory}/{entry.name}", error)
                kept = None
                continue
            if not (is_dir or (is_file and entry.name.endswith(PYTHON_SUFFIXES))):
                continue
            child = f"{absolute}/{entry.name}"
            if environment and is_dir and _environment_folder(child, entry.name):
                continue
            if is_dir and entry.name in self.settings.artifact_folders:
                kept = None  # whether it is a build's output is read inside it
            if self.excluded(self.relative(child), is_dir):
                if is_dir and "{{" in entry.name:
                    self.templates.append(f"{directory}/{entry.name}")
                    kept = None
                continue
            if self.settings.respect_gitignore and _is_gitignored(child, is_dir, gitignores):
                continue
            if kept is not None:
                kept.append((entry.name, -1 if is_dir else entry.inode()))
            if is_dir:
                yield from self.walk(f"{directory}/{entry.name}", child, gitignores, chain)
            elif entry.is_symlink():
                yield f"{directory}/{entry.name}", _file_key(Path(child)), True
            else:
                yield f"{directory}/{entry.name}", (device, entry.inode()), False
        self._keep(absolute, status, gitignores, chain, own, kept)

    def _keep(
        self,
        absolute: str,
        status: os.stat_result,
        gitignores: list[_Gitignore],
        chain: str | None,
        own: bool,
        kept: list[tuple[str, int]] | None,
    ) -> None:
        if self.memo is not None and chain is not None and kept is not None:
            self.memo.keep(absolute, status, chain, own, kept)

    def _remembered(
        self,
        directory: str,
        absolute: str,
        status: os.stat_result,
        gitignores: list[_Gitignore],
        chain: str,
    ) -> Iterator[tuple[str, tuple[int, int], bool]] | None:
        """The walk of a folder the memo answers for (None: it does not), its folders
        walked as any other."""
        assert self.memo is not None
        known = self.memo.known(absolute, status)
        if known is None:
            return None
        kept_chain, own, children = known
        if own and self.settings.respect_gitignore:
            read = _read_gitignore(f"{absolute}/.gitignore", absolute)
            if read is None or read.stamp is None:
                return None
            gitignores = [*gitignores, read]
            chain = f"{chain}\0{read.stamp}"
        if kept_chain != chain:
            return None
        return self._children(directory, absolute, status.st_dev, gitignores, chain, children)

    def _children(
        self,
        directory: str,
        absolute: str,
        device: int,
        gitignores: list[_Gitignore],
        chain: str,
        children: list[tuple[str, int]],
    ) -> Iterator[tuple[str, tuple[int, int], bool]]:
        for name, inode in children:
            if inode < 0:
                yield from self.walk(f"{directory}/{name}", f"{absolute}/{name}", gitignores, chain)
            else:
                yield f"{directory}/{name}", (device, inode), False


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


def walk_key(settings: Settings) -> str:
    """What of the settings decides what a walk keeps (`WalkMemo`'s key)."""
    return "\0".join(
        [
            settings.project_root.as_posix(),
            *settings.exclude.patterns,
            f"gitignore={settings.respect_gitignore}",
            *sorted(settings.artifact_folders),
        ]
    )


def discover(
    paths: Sequence[Path],
    settings: Settings,
    warnings: list[str] | None = None,
    memo: WalkMemo | None = None,
) -> list[Path]:
    """The Python files to check, sorted, each once. A missing path, or a named file that
    is not a regular file (a FIFO, a device), is a ConfigError; `warnings` receives what
    the walk could not look at (paths too long to open); `memo`, what the walk kept of
    each folder, answers for the folders unchanged since (the module's docstring)."""
    walker = _Walker(settings, warnings, memo)
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
            chain = _chain_of(inherited) if memo is not None else None
            walked = walker.walk(top, real.as_posix().rstrip("/"), inherited, chain)
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

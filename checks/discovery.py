"""Find the Python files to check under the given paths.

Files named on the command line are checked whatever the excludes say (as ruff does
without `--force-exclude`); directories are walked in sorted order, skipping the
`exclude`/`extend-exclude` globs, virtualenvs (a `pyvenv.cfg` marks one), and what
`.gitignore` files ignore (those of the walked tree and of its parents up to the git
root, plus `.git/info/exclude`). Symlinked directories are followed once: a symlink loop
ends the descent.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pathspec

from checks.config import ConfigError, Settings

PYTHON_SUFFIXES = (".py", ".pyi")


@dataclass(frozen=True, slots=True)
class _Gitignore:
    base: Path
    spec: pathspec.GitIgnoreSpec


def _read_gitignore(path: Path, base: Path) -> _Gitignore | None:
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return None
    return _Gitignore(base, pathspec.GitIgnoreSpec.from_lines(lines))


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


def _is_gitignored(path: Path, is_dir: bool, gitignores: Sequence[_Gitignore]) -> bool:
    for gitignore in reversed(gitignores):
        try:
            relative = path.relative_to(gitignore.base).as_posix()
        except ValueError:
            continue
        result = gitignore.spec.check_file(relative + "/" if is_dir else relative)
        if result.include is not None:
            return result.include
    return False


class _Walker:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.visited: set[tuple[int, int]] = set()

    def excluded(self, path: Path, is_dir: bool) -> bool:
        relative = self.settings.relative(path)
        return bool(self.settings.exclude.match_file(relative + "/" if is_dir else relative))

    def walk(self, directory: Path, gitignores: list[_Gitignore]) -> Iterator[Path]:
        try:
            stat = directory.stat()
        except OSError:
            return
        key = (stat.st_dev, stat.st_ino)
        if key in self.visited:
            return  # a symlink loop, or a directory reached twice
        self.visited.add(key)
        if (directory / "pyvenv.cfg").is_file():
            return
        if self.settings.respect_gitignore:
            own = _read_gitignore(directory / ".gitignore", directory.absolute())
            if own is not None:
                gitignores = [*gitignores, own]
        try:
            entries = sorted(os.scandir(directory), key=lambda entry: entry.name)
        except OSError:
            return
        for entry in entries:
            path = directory / entry.name
            try:
                is_dir = entry.is_dir()
                is_file = not is_dir and entry.is_file()
            except OSError:
                continue
            if not (is_dir or (is_file and entry.name.endswith(PYTHON_SUFFIXES))):
                continue
            if self.excluded(path, is_dir):
                continue
            if self.settings.respect_gitignore and _is_gitignored(
                path.absolute(), is_dir, gitignores
            ):
                continue
            if is_dir:
                yield from self.walk(path, gitignores)
            else:
                yield path


def discover(paths: Sequence[Path], settings: Settings) -> list[Path]:
    """The Python files to check, sorted, each once. A missing path is a ConfigError."""
    walker = _Walker(settings)
    found: list[Path] = []
    seen: set[Path] = set()
    for path in paths:
        if not path.exists():
            raise ConfigError(f"{path}: no such file or directory")
        if path.is_dir():
            inherited = _inherited_gitignores(path.absolute()) if settings.respect_gitignore else []
            candidates: Iterator[Path] = walker.walk(path, inherited)
        elif path.suffix in PYTHON_SUFFIXES:
            candidates = iter([path])
        else:
            continue
        for candidate in candidates:
            resolved = candidate.resolve()
            if resolved not in seen:
                seen.add(resolved)
                found.append(candidate)
    return found

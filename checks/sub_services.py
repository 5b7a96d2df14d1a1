"""Sub-services: folders below a project root that pin their own dependencies.

One repository often holds several services under one `pyproject.toml` (or under a root
that pins nothing): Open-Assistant's `backend/requirements.txt` pins Pydantic 1.10,
FastAPI 0.88 and SQLAlchemy 1.4 while its `inference/server/` is a separate async
service. A folder below the project root whose dependency files (`*requirements*.txt`,
`uv.lock`, `poetry.lock`, `Pipfile`, `Pipfile.lock`, `requires.txt`, `setup.py`: what
`checks.pydantic_target.read_pins` reads) pin Pydantic,
FastAPI or SQLAlchemy is a sub-service; a folder whose files pin none of them
(`docs/requirements.txt` with mkdocs) is not.

A file follows the nearest sub-service above it: for each package, the nearest one that
pins that package decides its version (the Pydantic and SQLAlchemy targets, FastAPI's
features); and the project's counted conventions (`checks.project_facts`) are counted
over the files of the file's sub-service, or over the root's files outside every
sub-service. A folder with a `pyproject.toml` is a project root of its own already
(`checks.config`), so only the files above name sub-services.

Found once per run (a `SubServices` lives as long as the run's settings), by listing the
folders between each file and the root.
"""

from __future__ import annotations

import os
from collections.abc import Collection
from pathlib import Path
from typing import TYPE_CHECKING

from checks.lazy import lazy_import
from checks.pydantic_target import Pin, dependency_file, read_pins

if TYPE_CHECKING:
    import hashlib
else:
    # imported on first use: a run without a cache hashes nothing (2 ms of start-up)
    hashlib = lazy_import("hashlib")


#: The packages whose pins make a folder a sub-service.
PINNED_PACKAGES = frozenset({"pydantic", "fastapi", "sqlalchemy"})
#: Folders `SubServices.every` does not look in: installed packages, not services.
_NOT_SERVICES = frozenset({"node_modules", "site-packages", "__pycache__", "venv", "env"})


class SubServices:
    """The sub-services of one project root, found on demand and kept."""

    def __init__(self, root: Path) -> None:
        self.root = os.path.abspath(root)
        self._pins: dict[str, tuple[Pin, ...]] = {}
        self._of_directory: dict[str, str | None] = {}
        #: `of_file` by the folder as the file's path spells it
        self._of_folder: dict[str, str | None] = {}
        #: `key` by the nearest sub-service (a warm run asks it of every file)
        self._keys: dict[str | None, str] = {}
        self._every: tuple[str, ...] | None = None

    def pins(self, folder: str) -> tuple[Pin, ...]:
        """The pins of `pydantic`, `fastapi` and `sqlalchemy` in a folder's dependency
        files, read once."""
        found = self._pins.get(folder)
        if found is None:
            found = self._pins[folder] = tuple(read_pins(Path(folder)))
        return found

    def every(self) -> tuple[str, ...]:
        """Every sub-service below the root, by one walk of its tree (hidden folders,
        installed packages and folders with a `pyproject.toml`, project roots of their
        own, left out), kept: asked only where the root pins no Pydantic
        (`PydanticTarget._agreed`)."""
        if self._every is None:
            found: list[str] = []
            for directory, folders, files in os.walk(self.root):
                folders[:] = sorted(
                    name
                    for name in folders
                    if not name.startswith(".")
                    and name not in _NOT_SERVICES
                    and not os.path.exists(os.path.join(directory, name, "pyproject.toml"))
                )
                if (
                    directory != self.root
                    and any(dependency_file(name) for name in (*files, *folders))
                    and any(pin.package in PINNED_PACKAGES for pin in self.pins(directory))
                ):
                    found.append(directory)
            self._every = tuple(found)
        return self._every

    def of_file(self, path: Path | str) -> str | None:
        """The nearest sub-service holding the file (an absolute folder); None: the file
        belongs to the project root (or lies outside it)."""
        folder = os.path.dirname(path)
        if folder in self._of_folder:
            return self._of_folder[folder]
        found = self._of_folder[folder] = self.of_directory(os.path.dirname(os.path.abspath(path)))
        return found

    def of_directory(self, directory: str) -> str | None:
        """The nearest sub-service at or above an absolute folder, below the root."""
        if directory in self._of_directory:
            return self._of_directory[directory]
        found: str | None
        if directory == self.root or not directory.startswith(self.root + os.sep):
            found = None
        elif any(pin.package in PINNED_PACKAGES for pin in self.pins(directory)):
            found = directory
        else:
            found = self.of_directory(os.path.dirname(directory))
        self._of_directory[directory] = found
        return found

    def deciding(self, path: Path | str, packages: Collection[str]) -> str | None:
        """The nearest sub-service above the file that pins one of `packages` (it decides
        their versions there); None: the project root's pins decide."""
        folder = self.of_file(path)
        while folder is not None:
            if any(pin.package in packages for pin in self.pins(folder)):
                return folder
            folder = self.of_directory(os.path.dirname(folder))
        return None

    def key(self, path: Path | str) -> str:
        """What the file's sub-services pin, for the results cache: empty at the root (its
        pins are in the cache's own key), else a digest of the pins of every sub-service
        above the file, as written."""
        nearest = self.of_file(path)
        known = self._keys.get(nearest)
        if known is not None:
            return known
        key = self._keys[nearest] = self._key_of(nearest)
        return key

    def _key_of(self, folder: str | None) -> str:
        """`key` of the files whose nearest sub-service is `folder`."""
        if folder is None:
            return ""
        parts: list[str] = []
        while folder is not None:
            parts.append(folder)
            pins = self.pins(folder)
            parts.extend(f"{p.source}|{p.package}|{p.kind}|{p.text}|{p.binding}" for p in pins)
            folder = self.of_directory(os.path.dirname(folder))
        return hashlib.blake2b("\n".join(parts).encode(), digest_size=8).hexdigest()

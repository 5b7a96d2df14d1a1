"""The SQLAlchemy major version a project's code is written for, as `target-pydantic` is
for Pydantic (`checks.pydantic_target`).

`target-sqlalchemy = "1"` or `"2"` in `[tool.fastapi-guardrails]` decides. Without it, the
project root's pins of `sqlalchemy` do (a sub-service's, `checks.sub_services`, for its
files), read from the same files as Pydantic's: the target
is 1 when a pin that every install obeys admits no SQLAlchemy 2.x, or when every pin found
admits none; else 2 (also when nothing pins it). A pin of SQLModel older than 0.0.12,
which requires SQLAlchemy 1.4, counts as one of SQLAlchemy 1.x (ElGranZorro's
`sqlmodel==0.0.6`, its only pin: reader 147).

On a 1.x target the 2.0 typed models do not exist (`Mapped`, `mapped_column` and
`DeclarativeBase` came with 2.0: importing them from SQLAlchemy 1.4 is an ImportError), so
FG108's findings speak of the migration and offer no fix.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from checks.lazy import lazy_import
from checks.pydantic_target import (
    Pin,
    admits_below,
    admits_floor,
    current_pins,
    pins_guarantee,
    pins_root,
    read_pins,
    writes_version,
)

if TYPE_CHECKING:
    import hashlib

    from checks.sub_services import SubServices
else:
    # imported on first use: a run without a cache hashes nothing (2 ms of start-up)
    hashlib = lazy_import("hashlib")

#: The packages whose pins decide the target: SQLModel's too (`_V2_FLOORS`).
_PACKAGES = ("sqlalchemy", "sqlmodel")
#: The target when nothing says otherwise.
DEFAULT_TARGET = 2
#: What a finding of a 1.x project adds to its message.
MIGRATION_NOTE = (
    "(this project pins SQLAlchemy 1.x: a migration to 2.0, where `Mapped`, "
    "`mapped_column` and `DeclarativeBase` exist)"
)


class SqlalchemyTarget:
    """The SQLAlchemy target of one project root: configured, or detected from its pins
    on first use, and kept."""

    def __init__(
        self,
        root: Path,
        configured: int | None = None,
        sub_services: SubServices | None = None,
        outer: Path | None = None,
    ) -> None:
        self.root = root
        #: the run's own root, where this one is nested in it (`pins_root`)
        self.outer = outer
        self.configured = configured
        #: the project's sub-services: a file under one that pins SQLAlchemy follows its
        #: pins (`for_file`)
        self.sub_services = sub_services
        self._pins: tuple[Pin, ...] | None = None
        self._version: int | None = configured
        self._admits_below: dict[str, bool] = {}
        self._of_folder: dict[str, SqlalchemyTarget] = {}

    def for_file(self, path: Path | str) -> SqlalchemyTarget:
        """The target of one file: this one, or that of the nearest sub-service above it
        that pins SQLAlchemy (a configured target is the project's)."""
        if self.sub_services is None or self.configured is not None:
            return self
        folder = self.sub_services.deciding(path, _PACKAGES)
        if folder is None:
            return self
        target = self._of_folder.get(folder)
        if target is None:
            target = SqlalchemyTarget(Path(folder))
            target._pins = tuple(
                p for p in self.sub_services.pins(folder) if p.package in _PACKAGES
            )
            self._of_folder[folder] = target
        return target

    @property
    def version(self) -> int:
        """1 or 2."""
        if self._version is None:
            self._version = target_from_pins(self.pins())
        return self._version

    def __call__(self) -> int:
        """The version, for the engine, which asks only when FG108 reports."""
        return self.version

    def admits_below(self, version: str) -> bool:
        """Whether an install the pins allow may get a SQLAlchemy older than `version`:
        below "2" the fixed code's 2.0 names (`Mapped`, `DeclarativeBase`) fail to import
        (aim's only pin, `SQLAlchemy>=1.4.1`); below "1.4" `Session.execute(select(...))`
        gives no ORM objects and `Result.scalars()` does not exist (fastapi-react's
        `SQLAlchemy==1.3.19`). A configured target of 2, or no pin, admits nothing older;
        on a configured 1, the pins decide."""
        if self.configured == 2:
            return False
        if version not in self._admits_below:
            self._admits_below[version] = pins_admit_below(self.pins(), version)
        return self._admits_below[version]

    def guarantees_sqlmodel(self, version: str) -> bool:
        """Whether every install has at least this SQLModel (`pins_guarantee`)."""
        return pins_guarantee(self.pins(), "sqlmodel", version)

    def pins(self) -> tuple[Pin, ...]:
        """The pins of `sqlalchemy` and `sqlmodel` at the root, read once."""
        if self._pins is None:
            self._pins = tuple(
                p for p in read_pins(pins_root(self.root, self.outer)) if p.package in _PACKAGES
            )
        return self._pins

    def cache_key(self) -> str:
        """What the target depends on, for the results cache."""
        if self.configured == 2:
            return f"sqlalchemy={self.configured}"
        # on a configured 1, the pins still say whether 1.3 may be installed
        configured = "" if self.configured is None else f"sqlalchemy={self.configured}|"
        text = "\n".join(
            f"{p.source}|{p.package}|{p.kind}|{p.text}|{p.binding}" for p in self.pins()
        )
        digest = hashlib.blake2b(text.encode(), digest_size=8).hexdigest()
        return f"{configured}sqlalchemy-pins={digest}"


def pins_admit_below(pins: tuple[Pin, ...], version: str) -> bool:
    """Whether every binding pin that writes a version (a lock's version among them)
    admits a SQLAlchemy release below `version`, and at least one says so. A bare
    requirement (`sqlalchemy` in requirements.txt, poetry's `*`) writes none: an install
    gets the newest release, as with no pin (BookStore's `sqlalchemy`, reader 61)."""
    from packaging.version import Version

    binding = [
        pin
        for pin in current_pins(pins)
        if pin.package == "sqlalchemy" and pin.binding and writes_version(pin)
    ]
    if not binding:
        return False
    below = [admits_below(pin, Version(version)) for pin in binding]
    return any(below) and all(admits is not False for admits in below)


def target_from_pins(pins: tuple[Pin, ...]) -> int:
    """1 when a binding pin admits no SQLAlchemy 2, or every readable pin admits none."""
    current = current_pins(pins)
    known = [(pin, admits) for pin in current if (admits := admits_floor(pin)) is not None]
    if any(pin.binding and not admits for pin, admits in known):
        return 1
    if known and not any(admits for _, admits in known):
        return 1
    return DEFAULT_TARGET

"""The Pydantic major version a project's code is written for, as ruff's `target-version`.

`target-pydantic = "1"` or `"2"` in `[tool.fastapi-guardrails]` decides. Without it, the
project root's pins do (for the files of a sub-service that pins Pydantic or FastAPI,
`checks.sub_services`, that sub-service's; for a root that declares no dependency, its
sub-services' where each admits no Pydantic 2: `PydanticTarget._agreed`): `[project]
dependencies`, its optional dependencies and `[dependency-groups]`, Poetry's
`[tool.poetry.dependencies]` (and groups), `uv.lock`,
`poetry.lock`, Pipenv's `Pipfile` and `Pipfile.lock`, requirements files however spelled
(`*requirements*.txt`, `requirement.txt`, `reqs.txt`), setuptools' `requires.txt` and the
literal
`install_requires`/`extras_require` of `setup.py`. The target is 1 when a pin that every
install obeys (the main dependencies, `requirements.txt` and its other spellings, `requires.txt`,
`install_requires`, the one Pydantic version of a lock file) admits no Pydantic 2.x, or
when every pin found admits none (extras, groups and other requirement files are
alternatives: one of them alone does not decide); else 2.
A `fastapi` pin below 0.100 counts as a Pydantic 1 pin: those FastAPI versions require
Pydantic < 2 (a later FastAPI works with both, and says nothing); so does a `fastapi-utils`
pin below 0.3 (0.2.1 requires `pydantic>=1.0,<2.0`: mandalart's `fastapi-utils = "^0.2.1"`
beside a FastAPI that works with both, reader 197). A lock's version that a
binding requirement beside it excludes is stale (`current_pins`): the package manager
installs the requirement, not it.

`target-pydantic = "2"` set over pins that admit no Pydantic 2 is a migration
(`TargetVersion.migrating`): the code still runs on Pydantic 1, and a fix is safe only
when the v2 call it writes does what the v1 call does under Pydantic 1.

On target 1 the Pydantic rules' findings (all of them recommend a v2 API) are not
reported, as ruff's pyupgrade rules do not fire for what its `target-version` cannot
use; a team that plans the move either sets `target-pydantic = "2"` (findings and fixes)
or names the rules in its selection (`--select FG201`, `extend-select = ["FG2"]`): then
they are reported as notes on the migration, without fixes (`PydanticTarget.reports`).

Two steps, so that a run pays only for what it uses: finding the pins is plain text
(no `packaging` import, which costs a fifth of libcst's), and is all the results cache
keys on; deciding the version from them imports `packaging`, once per project root, and
only when a Pydantic rule reports something.

Also here, as the Pydantic rules' findings need them: the message of a finding for a
project on Pydantic 1 (`migration_message`), how safe a fix is during a migration
(`for_target`), and how a file's imports bind the names of the `pydantic.v1`
compatibility layer (`keeps_v1_layer`).
"""

from __future__ import annotations

import ast
import codecs
import functools
import os
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol, Self, TypeVar

from checks.lazy import lazy_import, lazy_pattern
from checks.toml_files import tables

if TYPE_CHECKING:
    import hashlib

    from packaging.specifiers import SpecifierSet
    from packaging.version import Version

    from checks.sub_services import SubServices
else:
    # imported on first use: a run without a cache hashes nothing (2 ms of start-up)
    hashlib = lazy_import("hashlib")

#: The target when nothing says otherwise.
DEFAULT_TARGET = 2

#: The first version of each package that works with Pydantic 2 (SQLAlchemy's 2.0, and
#: the first SQLModel built on it: 0.0.11 and older require SQLAlchemy 1.4).
#: fastapi-utils' first release after 0.2.1, whose wheel requires `pydantic>=1.0,<2.0`
#: (0.6.0's admits `<3.0`; those between are taken to say nothing).
_V2_FLOORS = {
    "pydantic": "2",
    "fastapi": "0.100.0",
    "fastapi-utils": "0.3.0",
    "sqlalchemy": "2",
    "sqlmodel": "0.0.12",
}
#: The packages whose pins decide the Pydantic target.
PYDANTIC_PACKAGES = ("pydantic", "fastapi", "fastapi-utils")
#: what the target reads the pins of: the packages deciding the Pydantic target, and
#: those whose version a rule asks (`has_package`: httpx for FG408, bcrypt and python-jose
#: for FG504, and libpass, passlib's maintained fork, starlette for FG406, stripe for
#: FG302's advice: its `*_async` methods came with 8.10; mangum for the loop rules: a
#: service on AWS Lambda, `checks.project_facts.SERVED_CONCURRENTLY`)
PINNED_PACKAGES = (
    *PYDANTIC_PACKAGES,
    "httpx",
    "bcrypt",
    "python-jose",
    "starlette",
    "libpass",
    "stripe",
    "mangum",
)
#: The packages whose pins are read (SQLAlchemy's and SQLModel's for
#: `checks.sqlalchemy_target`).
_READ_PACKAGES = (*PINNED_PACKAGES, "sqlalchemy", "sqlmodel")
#: A requirement naming one of them (`pydantic[email]>=1`, `fastapi==0.95`, `python_jose`
#: as PEP 503 spells it alike), not `pydantic-settings` or `pydantic_core`.
_REQUIREMENT_NAME = lazy_pattern(
    r"\s*("
    + "|".join(re.escape(name).replace(r"\-", "[-_.]") for name in _READ_PACKAGES)
    + r")\s*(?=[\[<>=!~;@(\s]|$)",
    re.IGNORECASE,
)
#: A package of a lock file (uv.lock and poetry.lock share the layout).
_LOCKED = lazy_pattern(
    rb"^\[\[package\]\]\r?\n"
    # Poetry 1.0's keys come in alphabetical order (`category`, `description`, then
    # `name`, ..., `version`: sasano8's lock, reader 203); a table's header ends the block
    + rb"(?:(?!\[)[^\n]*\n)*?"
    + rb'name = "('
    + "|".join(_READ_PACKAGES).encode()
    + rb')"\r?\n'
    + rb"(?:(?!\[)[^\n]*\n)*?"
    + rb'version = "([^"]+)"',
    re.MULTILINE,
)


class Pin(NamedTuple):
    """One constraint on a package that decides the target, as written."""

    #: the file it was read from, relative to the root
    source: str
    #: `pydantic`, `fastapi` or `sqlalchemy` (`checks.sqlalchemy_target`)
    package: str
    #: a PEP 508 requirement (`pep508`), a Poetry constraint (`poetry`), or a version
    #: resolved by a lock file (`locked`)
    kind: str
    text: str
    #: whether every install obeys it (main dependencies, `requirements.txt`, a lock's
    #: only version); extras, groups, markers and other requirement files do not
    binding: bool


class TargetVersion(int):
    """The Pydantic major version a project's code is written for (it compares as 1 or 2),
    and whether reaching it is a migration: `target-pydantic = "2"` configured over pins
    that admit no Pydantic 2. The code then runs on Pydantic 1 until the migration is
    done, so a fix is safe only when the v2 API it writes does what the v1 call did under
    Pydantic 1 (`.json()` and `.model_dump_json()` write different JSON), not merely what
    the deprecated v1 name does under Pydantic 2."""

    migrating: bool

    def __new__(cls, version: int, migrating: bool = False) -> TargetVersion:
        made = super().__new__(cls, version)
        made.migrating = migrating
        return made

    def __reduce__(self) -> tuple[type[TargetVersion], tuple[int, bool]]:
        return TargetVersion, (int(self), self.migrating)

    def __repr__(self) -> str:
        return f"TargetVersion({int(self)}, migrating={self.migrating})"


def is_migration(version: int) -> bool:
    """Whether a target is Pydantic 2 reached by a migration from Pydantic 1 (see
    `TargetVersion`)."""
    return isinstance(version, TargetVersion) and version.migrating


class PydanticTarget:
    """The Pydantic target of one project root: the configured one, or detected from the
    root's pins on first use, and kept (settings are loaded once per root)."""

    def __init__(
        self,
        root: Path,
        configured: int | None = None,
        named: frozenset[str] = frozenset(),
        sub_services: SubServices | None = None,
        outer: Path | None = None,
    ) -> None:
        self.root = root
        #: the run's own root, where this one is nested in it (`pins_root`)
        self.outer = outer
        self.configured = configured
        #: the codes the selection names on purpose (`checks.config.named_in_selection`):
        #: on target 1, only their findings are reported
        self.named = named
        #: the project's sub-services (`checks.sub_services`): a file under one that pins
        #: Pydantic or FastAPI follows its pins (`for_file`)
        self.sub_services = sub_services
        self._pins: tuple[Pin, ...] | None = None
        self._read: tuple[Pin, ...] | None = None
        self._version: int | None = configured if configured == 1 else None
        self._of_folder: dict[str, PydanticTarget] = {}
        self._undecided: bool | None = None

    def for_file(self, path: Path | str) -> PydanticTarget:
        """The target of one file: this one, or that of the nearest sub-service above the
        file that pins Pydantic or FastAPI (the configured target and the selection are
        the project's)."""
        if self.sub_services is None:
            return self
        folder = self.sub_services.deciding(path, PYDANTIC_PACKAGES)
        if folder is None:
            return self
        target = self._of_folder.get(folder)
        if target is None:
            target = PydanticTarget(Path(folder), self.configured, self.named)
            target._read = tuple(
                p for p in self.sub_services.pins(folder) if p.package in PINNED_PACKAGES
            )
            self._of_folder[folder] = target
        return target

    @property
    def version(self) -> int:
        """1 or 2 (see the module's docstring); a configured 2 over pins that admit no
        Pydantic 2 is a migration (`TargetVersion.migrating`)."""
        if self._version is None:
            detected = target_from_pins(self.pins())
            if self.configured == 2:
                self._version = TargetVersion(2, migrating=detected == 1)
            else:
                self._version = detected
        return self._version

    def __call__(self) -> int:
        """The version, for the engine, which asks only when a Pydantic rule reports."""
        return self.version

    def v1_only(self) -> bool:
        """Whether the project surely runs Pydantic 1: configured so, or, unconfigured,
        its pins all admit no Pydantic 2 (`admits_no_v2`; FG212's question, stricter
        than the target's)."""
        if self.configured is not None:
            return self.configured == 1
        return admits_no_v2(self.pins())

    def undecided(self) -> bool:
        """Whether nothing decides the target: not configured, and no pin of Pydantic or
        FastAPI found says which major version runs (none at all, or only FastAPI
        releases that work with both): target 2 by default."""
        if self._undecided is None:
            self._undecided = self.configured is None and all(
                _admits_v2(pin) is None for pin in current_pins(self.pins())
            )
        return self._undecided

    def reports(self, code: str) -> bool:
        """Whether a finding of the Pydantic rule `code` is reported: always on target 2;
        on target 1 only when the selection names the rule (every Pydantic rule
        recommends a v2 API, which code written for Pydantic 1 cannot use)."""
        return self.version != 1 or code in self.named

    def pins(self) -> tuple[Pin, ...]:
        """The pins of `pydantic` and `fastapi` at the root, read once; where the root pins
        neither, its sub-services' when they agree (`_agreed`)."""
        if self._pins is None:
            own = tuple(p for p in self._all_pins() if p.package in PYDANTIC_PACKAGES)
            self._pins = own or self._agreed()
        return self._pins

    def _agreed(self) -> tuple[Pin, ...]:
        """The pins of `pydantic` and `fastapi` of every sub-service of the root that pins
        them, when each of those admits no Pydantic 2: the root's own code outside them is
        shared by services that all run Pydantic 1, and runs with it (not-reddit's
        `api/src/main/shared/`, copied into each service's image, under seven services
        pinning `fastapi==0.95.2`, which requires Pydantic 1, and one `pydantic==1.10.7`:
        reader 219); none where one admits Pydantic 2, the target is configured, or the
        root declares dependencies of its own (an install of it gets Pydantic 2)."""
        if (
            self.sub_services is None
            or self.configured is not None
            or _declares_dependencies(pins_root(self.root, self.outer))
        ):
            return ()
        agreed: list[Pin] = []
        for folder in self.sub_services.every():
            pins = [p for p in self.sub_services.pins(folder) if p.package in PYDANTIC_PACKAGES]
            if not pins:
                continue
            if not admits_no_v2(pins):
                return ()
            agreed.extend(pins)
        return tuple(agreed)

    def _all_pins(self) -> tuple[Pin, ...]:
        """The pins of every package of `PINNED_PACKAGES` at the root, read once."""
        if self._read is None:
            self._read = tuple(
                p
                for p in read_pins(pins_root(self.root, self.outer))
                if p.package in PINNED_PACKAGES
            )
        return self._read

    def guarantees(self, version: str) -> bool:
        """Whether every install has at least this Pydantic: a pin every install obeys
        (the main dependencies, `requirements.txt`, a lock's one version) admits none
        below it. A fix that writes a name a later minor release added asks this."""
        return self.guarantees_package("pydantic", version)

    def guarantees_package(self, package: str, version: str) -> bool:
        """Whether every install of the project has `package` (one of `PINNED_PACKAGES`)
        at this version or later: a pin every install obeys admits none below it."""
        return pins_guarantee(self._all_pins(), package, version)

    def lock_lacks(self, package: str) -> bool:
        """Whether the project has a lock file (`uv.lock`, `poetry.lock`, `Pipfile.lock`:
        one of its packages read) that installs no `package` (one of `PINNED_PACKAGES`)."""
        pins = current_pins(self._all_pins())
        locked = [pin for pin in pins if pin.kind == "locked"]
        return bool(locked) and not any(pin.package == package for pin in locked)

    def pins_package(self, package: str) -> bool:
        """Whether a dependency file of the project names `package` (one of
        `PINNED_PACKAGES`), with a version or without."""
        return any(pin.package == package for pin in current_pins(self._all_pins()))

    def pins_exactly(self, package: str) -> bool:
        """Whether a manifest of the project pins `package` (one of `PINNED_PACKAGES`) to
        one release (`fastapi==0.128.0`, `fastapi = "0.115.8"`): a snapshot the next
        bump moves, where a range (`^0.110.0`, `<0.111`) states what the code supports."""
        for pin in current_pins(self._all_pins()):
            if pin.package != package or pin.kind == "locked":
                continue
            alternatives = _alternatives(pin)
            if alternatives and all(
                len(specifiers) == 1
                and all(
                    spec.operator in ("==", "===") and not spec.version.endswith(".*")
                    for spec in specifiers
                )
                for specifiers in alternatives
            ):
                return True
        return False

    def has_fastapi(self, version: str) -> bool:
        """Whether the project's FastAPI may be this version or later (`has_package`)."""
        return self.has_package("fastapi", version)

    def has_package(self, package: str, version: str) -> bool:
        """Whether the project's `package` (one of `PINNED_PACKAGES`) may be this version
        or later: False when a pin every install obeys admits none, or every pin of it
        found admits none (as the target is decided); True when nothing pins it."""
        from packaging.version import Version

        floor = Version(version)
        verdicts = [
            (pin, admits_floor(pin, floor))
            for pin in current_pins(self._all_pins())
            if pin.package == package
        ]
        known = [(pin, admits) for pin, admits in verdicts if admits is not None]
        if any(pin.binding and not admits for pin, admits in known):
            return False
        return not known or any(admits for _, admits in known)

    def cache_key(self) -> str:
        """What the target depends on, for the results cache: the configured value, else
        the pins as written (an unrelated edit of a pin file keeps the cache); a
        configured 2 depends on the pins too (they tell a migration); and the codes the
        selection names, which decide what target 1 reports."""
        named = f"|named={','.join(sorted(self.named))}" if self.named else ""
        if self.configured == 1:
            return "pydantic=1" + named
        text = "\n".join(
            f"{p.source}|{p.package}|{p.kind}|{p.text}|{p.binding}"
            # (the sub-services' pins, where they decide the root's: `_agreed`)
            for p in (*self._all_pins(), *self.pins())
        )
        pins = "pins=" + hashlib.blake2b(text.encode(), digest_size=8).hexdigest()
        key = pins if self.configured is None else f"pydantic={self.configured}|{pins}"
        return key + named


def parse_target(value: object) -> int | None:
    """The target a `target-pydantic` value names ("1", "2", 1 or 2), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | str) and str(value).strip() in {"1", "2"}:
        return int(str(value).strip())
    return None


# ------------------------------------------------------------------ reading the pins
def read_pins(root: Path) -> Iterator[Pin]:
    """Every pin of `pydantic`, `fastapi` or `sqlalchemy` in the root's project files; a
    file that is missing or cannot be read or parsed gives none."""
    try:
        names = sorted(os.listdir(root))
    except OSError:  # a folder one may open files of but not list: try them
        names = []
        listed = None
    else:
        listed = frozenset(names)  # one listing, not three failed opens per folder
    if listed is None or "pyproject.toml" in listed:
        yield from _pyproject_pins(root / "pyproject.toml")
    for lock in ("uv.lock", "poetry.lock"):
        if listed is None or lock in listed:
            yield from _lock_pins(root / lock)
    if listed is None or "Pipfile" in listed:
        yield from _pipfile_pins(root / "Pipfile")
    if listed is None or "Pipfile.lock" in listed:
        yield from _pipfile_lock_pins(root / "Pipfile.lock")
    if listed is None or "setup.py" in listed:
        yield from _setup_pins(root / "setup.py")
    for name in names:
        if _requirements_file(name):
            yield from _requirements_pins(root / name)
        elif name in DEPENDENCY_FOLDERS:
            yield from _dependency_folder_pins(root / name)


def pins_root(root: Path, outer: Path | None = None) -> Path:
    """The folder whose dependency files a project root's pins are read from: the root,
    unless it declares no dependency at all (a `pyproject.toml` of tool settings alone,
    as fill-tim's `tests/pyproject.toml` of pytest's: reader 141, and no other dependency
    file), where it is the nearest folder above, within the git work tree, that declares
    some; the root when none does. Outside a work tree, within `outer`, the root of the
    project the run was asked about, when this one lies in it (roman27t's `app/
    pyproject.toml` of black's settings, its `requirements.txt` beside `app/`, checked
    from a copy without `.git`: reader 203); nothing above that is known to be the
    project's."""
    if os.path.exists(root / ".git") or _declares_dependencies(root):
        return root
    above = []
    for folder in root.parents:
        above.append(folder)
        if os.path.exists(folder / ".git"):
            break
    else:
        if outer is None or outer == root or not root.is_relative_to(outer):
            return root
        above = [folder for folder in root.parents if folder.is_relative_to(outer)]
    return next((folder for folder in above if _declares_dependencies(folder)), root)


def _declares_dependencies(folder: Path) -> bool:
    """Whether a folder is a project's for its dependencies: a `pyproject.toml` with a
    project's table (`[project]`, Poetry's, dependency groups), or any other dependency
    file `read_pins` reads."""
    try:
        names = os.listdir(folder)
    except OSError:
        return False
    for name in names:
        if name == "pyproject.toml":
            data = _read_toml(folder / name) or {}
            tool = _table(data.get("tool"))
            if "project" in data or "dependency-groups" in data or "poetry" in tool:
                return True
        elif name in _DEPENDENCY_FILES or name in DEPENDENCY_FOLDERS or _requirements_file(name):
            return True
    return False


#: The dependency files `read_pins` reads beside `pyproject.toml`.
_DEPENDENCY_FILES = frozenset({"uv.lock", "poetry.lock", "Pipfile", "Pipfile.lock", "setup.py"})


#: A requirements file's name however it is spelled (`pip install -r` takes any): the
#: plural, the singular `requirement.txt`, `reqs.txt`, a misspelling (Md-Merazul-Islam's
#: `requerments.txt`, whose bcrypt pin went unread: reader 66), with a qualifier before or
#: after (`requirements-dev.txt`, pip-tools' `dev-requirements.txt`, mlrun's).
_REQUIREMENTS_NAME = lazy_pattern(r"(?:[\w.]+[-_.])?(req[a-z]*)(?:[-_.][\w.-]+)?\.txt")
#: Of those, the names of a project's main requirements: every install obeys them.
_MAIN_REQUIREMENTS = lazy_pattern(r"req[a-z]*\.txt")


def dependency_file(name: str) -> bool:
    """Whether `read_pins` reads a file of this name (but `pyproject.toml`, whose folder
    is a project root of its own), or the folder of one (`requirements/`)."""
    return name in _DEPENDENCY_FILES or name in DEPENDENCY_FOLDERS or _requirements_file(name)


def _requirements_file(name: str) -> bool:
    """A requirements file's name (`_REQUIREMENTS_NAME`), or setuptools' `requires.txt`
    (an egg-info's `install_requires`, which opal's `setup.py` files read from a
    `requires.txt` of their own)."""
    return _REQUIREMENTS_NAME.fullmatch(name) is not None


#: The text of a `setup.py` that may pass its dependencies as literals.
_SETUP_REQUIRES = lazy_pattern(rb"\binstall_requires\b|\bextras_require\b")


def _setup_pins(path: Path) -> Iterator[Pin]:
    """The pins a `setup.py` writes as literals in its `setup(...)` call, or in a list
    it binds once at module level and names there: `install_requires=[...]` (every
    install obeys them) and `extras_require={...}` (alternatives). A list computed at
    run time (read from a file, built by a function) gives none here; a `requires.txt`
    beside it is read as a requirements file."""
    raw = _read(path)
    if raw is None or _SETUP_REQUIRES.search(raw) is None:
        return
    try:
        tree = ast.parse(raw)
    except (SyntaxError, ValueError):
        return
    # lists bound at module level and named in the call (aim's `REQUIRED = [...]`,
    # `install_requires=REQUIRED`): the literal every install obeys
    bound = {
        statement.targets[0].id: statement.value
        for statement in tree.body
        if isinstance(statement, ast.Assign)
        and len(statement.targets) == 1
        and isinstance(statement.targets[0], ast.Name)
    }
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        for keyword in node.keywords:
            value = keyword.value
            if isinstance(value, ast.Name):
                value = bound.get(value.id, value)
            if keyword.arg == "install_requires" and isinstance(value, ast.List | ast.Tuple):
                yield from _pep508(path.name, _literal_strings(value.elts), True)
            elif keyword.arg == "extras_require" and isinstance(value, ast.Dict):
                for group in value.values:
                    if isinstance(group, ast.List | ast.Tuple):
                        yield from _pep508(path.name, _literal_strings(group.elts), False)


def _literal_strings(elements: Iterable[object]) -> list[str]:
    return [
        element.value
        for element in elements
        if isinstance(element, ast.Constant) and isinstance(element.value, str)
    ]


#: Folders of a project's dependency files (`requirements/base.txt`,
#: `deploy/requirements_pg.txt`): their pins are the folder above's, when they hold no
#: Python file (a `deploy` package of code is a part of the project of its own).
DEPENDENCY_FOLDERS = frozenset({"requirements", "deploy", "deployment", "docker", "dockerfiles"})
#: Of those, the ones holding a folder per image (`dockerfiles/api/requirements.txt`).
_IMAGE_FOLDERS = frozenset({"docker", "dockerfiles"})


def _dependency_folder_pins(folder: Path, depth: int = 0) -> Iterator[Pin]:
    try:
        names = sorted(os.listdir(folder))
    except OSError:  # not a folder, or unreadable
        return
    # a package of code is a part of the project of its own; an image's folder keeps its
    # build scripts beside the image's pins (frigate's `docker/main/build_ov_model.py`)
    if "__init__.py" in names or (depth == 0 and any(name.endswith(".py") for name in names)):
        return
    every_text = folder.name == "requirements"  # `requirements/base.txt`, `prod.txt`
    for name in names:
        if name.endswith(".txt") and (every_text or _requirements_file(name)):
            yield from _requirements_pins(folder / name)
        elif depth == 0 and folder.name in _IMAGE_FOLDERS and "." not in name:
            yield from _dependency_folder_pins(folder / name, depth + 1)


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:  # missing, a directory, unreadable
        return None


def _requirement_package(text: str) -> str | None:
    """The package a requirement names, by its normalized name (PEP 503: `python_jose`
    is `python-jose`)."""
    match = _REQUIREMENT_NAME.match(text)
    return _normalized(match[1]) if match else None


def _normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _pep508(source: str, texts: Iterable[object], binding: bool) -> Iterator[Pin]:
    for text in texts:
        if isinstance(text, str):
            package = _requirement_package(text)
            if package is not None:
                yield Pin(source, package, "pep508", text.strip(), binding and ";" not in text)


def _table(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _lists(value: object) -> Iterator[list[Any]]:
    for group in _table(value).values():
        if isinstance(group, list):
            yield group


def _read_toml(path: Path) -> dict[str, Any] | None:
    """A TOML file's tables (None: missing, unreadable or not TOML)."""
    raw = _read(path)
    if raw is None:
        return None
    return _parsed_toml(raw)


def _parsed_toml(raw: bytes) -> dict[str, Any] | None:
    """The tables of a TOML text (`checks.toml_files`: parsed once per run, for a run
    reads a project's pins for each sub-service above a folder and for each target)."""
    try:
        data = tables(raw.decode("utf-8"))
    except UnicodeDecodeError:
        return None
    return data if isinstance(data, dict) else None


def _pyproject_pins(path: Path) -> Iterator[Pin]:
    data = _read_toml(path)
    if data is None:
        return
    source = path.name
    project = _table(data.get("project"))
    dependencies = project.get("dependencies")
    yield from _pep508(source, dependencies if isinstance(dependencies, list) else (), True)
    for extra in _lists(project.get("optional-dependencies")):
        yield from _pep508(source, extra, False)
    for group in _lists(data.get("dependency-groups")):
        yield from _pep508(source, group, False)
    tool = _table(data.get("tool"))
    uv_dev = _table(tool.get("uv")).get("dev-dependencies")
    yield from _pep508(source, uv_dev if isinstance(uv_dev, list) else (), False)
    poetry = _table(tool.get("poetry"))
    yield from _poetry_pins(source, poetry.get("dependencies"), True)
    yield from _poetry_pins(source, poetry.get("dev-dependencies"), False)
    for group in _table(poetry.get("group")).values():
        yield from _poetry_pins(source, _table(group).get("dependencies"), False)


def _poetry_pins(source: str, dependencies: object, binding: bool) -> Iterator[Pin]:
    """`pydantic = "^1.9"`, `{ version = "^1.9", extras = [...] }`, or a list of such
    tables (one per Python version or platform: each binds only its own installs)."""
    for name, value in _table(dependencies).items():
        package = _requirement_package(name)
        if package is None or package != _normalized(name.strip()):
            continue
        alternatives = value if isinstance(value, list) else [value]
        for alternative in alternatives:
            if isinstance(alternative, str):
                constraint, conditional = alternative, False
            elif isinstance(alternative, dict) and isinstance(alternative.get("version"), str):
                constraint = alternative["version"]
                conditional = any(
                    key in alternative for key in ("markers", "python", "platform", "optional")
                )
            else:
                continue  # a path, git or url dependency: no version to read
            yield Pin(
                source,
                package,
                "poetry",
                constraint.strip(),
                binding and not conditional and len(alternatives) == 1,
            )


def _lock_pins(path: Path) -> Iterator[Pin]:
    raw = _read(path)
    if raw is None:
        return
    for package, versions in _locked_versions(raw):
        for version in versions:
            # a lock resolving several versions (uv's forks by marker) binds none of them
            yield Pin(path.name, package, "locked", version, len(versions) == 1)


@functools.lru_cache(maxsize=16)
def _locked_versions(raw: bytes) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The versions a lock file resolves for each pinned package, read once per text."""
    locked: dict[str, list[str]] = {}
    for match in _LOCKED.finditer(raw):
        package = match[1].decode("ascii")
        locked.setdefault(package, []).append(match[2].decode("ascii", "replace"))
    return tuple((package, tuple(versions)) for package, versions in locked.items())


def _pipfile_pins(path: Path) -> Iterator[Pin]:
    """Pipenv's `Pipfile`: `[packages]` (every install) and `[dev-packages]`, each
    `name = "<specifier>"` (`"*"`: any version) or a table with a `version`."""
    data = _read_toml(path)
    if data is None:
        return
    for section, binding in (("packages", True), ("dev-packages", False)):
        for name, value in _table(data.get(section)).items():
            package = _requirement_package(name)
            if package is None or package != _normalized(name.strip()):
                continue
            conditional = False
            if isinstance(value, dict):
                conditional = any(key in value for key in ("markers", "sys_platform", "os_name"))
                value = value.get("version", "*")
            if not isinstance(value, str):
                continue
            specifier = "" if value.strip() == "*" else value.strip()
            yield Pin(
                path.name, package, "pep508", f"{name}{specifier}", binding and not conditional
            )


def _pipfile_lock_pins(path: Path) -> Iterator[Pin]:
    """Pipenv's `Pipfile.lock` (JSON): the versions of `default` (every install) and of
    `develop`, written `"==1.9.0"`."""
    raw = _read(path)
    if raw is None:
        return
    import json

    try:
        data = json.loads(raw)
    except (UnicodeDecodeError, ValueError, RecursionError):
        return
    if not isinstance(data, dict):
        return
    for section, binding in (("default", True), ("develop", False)):
        for name, value in _table(data.get(section)).items():
            package = _requirement_package(name) if isinstance(name, str) else None
            if package is None or package != _normalized(name.strip()):
                continue
            version = _table(value).get("version")
            if isinstance(version, str) and version.startswith("=="):
                yield Pin(path.name, package, "locked", version[2:].strip(), binding)


#: Byte-order marks of the encodings pip reads a requirements file in (its `auto_decode`):
#: Windows' editors and `pip freeze > requirements.txt` in PowerShell write UTF-16.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def _requirements_text(raw: bytes) -> str:
    """A requirements file's text, as pip reads it: by its byte-order mark, else UTF-8."""
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            return raw.decode(encoding, "replace")
    return raw.decode("utf-8", "replace")


def _requirements_pins(path: Path) -> Iterator[Pin]:
    raw = _read(path)
    if raw is None:
        return
    text = _requirements_text(raw).replace("\\\r\n", " ").replace("\\\n", " ")
    binding = _MAIN_REQUIREMENTS.fullmatch(path.name) is not None
    requirements = []
    for line in text.splitlines():
        line = re.sub(r"(^|\s)#.*", "", line).strip()
        if not line or line.startswith("-"):
            continue  # options, `-r other.txt`, `-e .`
        requirement = re.split(r"\s+--?[a-z]", line, maxsplit=1)[0]  # `--hash=...`
        requirements.append(requirement)
        yield from _pep508(path.name, [requirement], binding)
    yield from _frozen_pins(path.name, requirements, binding)


#: Packages a project's dependencies install that it does not list by hand (FastAPI's and
#: Pydantic's; pre-commit's, pytest's, httpx's, requests' and python-jose's): a
#: requirements file naming one, every line pinned to one release, is an environment's
#: snapshot (`pip freeze`; danhnxv's names pre-commit's `cfgv`, `distlib`, `identify` and
#: `nodeenv`, and no Starlette: reader 73).
_TRANSITIVE = frozenset(
    {
        *("starlette", "anyio", "annotated-types", "pydantic-core", "sniffio", "h11", "idna"),
        *("cfgv", "distlib", "identify", "nodeenv", "iniconfig", "pluggy", "httpcore"),
        *("charset-normalizer", "pyasn1", "ecdsa", "markupsafe"),
    }
)
_EXACT = lazy_pattern(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?\s*==\s*([^\s;,=<>!~*]+)$")


def _frozen_pins(source: str, requirements: list[str], binding: bool) -> Iterator[Pin]:
    """A frozen requirements file's versions, read as a lock's (`locked` pins): what it
    lacks is not installed (o4codes' and lameque's `pip freeze` without bcrypt, which
    their passlib hashes with: reader 62). Frozen: ten lines or more, each pinned to one
    release (`name==1.2.3`), one of them a package nobody lists by hand (`_TRANSITIVE`)."""
    exact = [_EXACT.match(requirement) for requirement in requirements]
    if len(exact) < 10 or not all(exact):
        return
    names = {re.sub(r"[-_.]+", "-", match[1]).lower(): match[2] for match in exact if match}
    if _TRANSITIVE.isdisjoint(names):
        return
    for package in PINNED_PACKAGES:
        if package in names:
            yield Pin(source, package, "locked", names[package], binding)


# ------------------------------------------------------------- deciding the version
def target_from_pins(pins: Iterable[Pin]) -> int:
    """1 when a binding pin admits no Pydantic 2, or every pin admits none; else 2."""
    verdicts = [(pin, _admits_v2(pin)) for pin in current_pins(pins)]
    known = [(pin, admits) for pin, admits in verdicts if admits is not None]
    if any(pin.binding and not admits for pin, admits in known):
        return 1
    if known and not any(admits for _, admits in known):
        return 1
    return DEFAULT_TARGET


def pins_guarantee(pins: tuple[Pin, ...], package: str, version: str) -> bool:
    """Whether every install has at least this `version` of `package`: a pin every install
    obeys (the main dependencies, `requirements.txt`, a lock's one version) admits none
    below it."""
    from packaging.version import Version

    floor = Version(version)
    return any(
        pin.binding and pin.package == package and admits_below(pin, floor) is False
        for pin in current_pins(pins)
    )


def admits_no_v2(pins: Iterable[Pin]) -> bool:
    """Whether the pins found admit no Pydantic 2, each of them (`target_from_pins`'s
    second case): every install of the project runs Pydantic 1. Not where one pin admits
    2 beside one that does not (a stale `requirement.txt` beside Poetry's `^2.8`: which
    one installs is the deployment's choice)."""
    known = [admits for pin in current_pins(pins) if (admits := _admits_v2(pin)) is not None]
    return bool(known) and not any(known)


def current_pins(pins: Iterable[Pin]) -> tuple[Pin, ...]:
    """The pins without a lock's version that a binding requirement of the same files
    excludes: such a lock is stale (`pydantic = "^2.7"` over a `poetry.lock` at 1.10.2),
    and the package manager refuses to install it (`poetry install`: "pyproject.toml
    changed significantly since poetry.lock was last generated"; `uv sync --locked`
    fails, `uv sync` locks anew): the requirement is what an install gets. Answered once
    per set of pins: the rules ask it of every file, and each answer reads requirements
    with `packaging` (3% of a cold run of polar)."""
    return _current_pins(tuple(pins))


@functools.lru_cache(maxsize=64)
def _current_pins(pins: tuple[Pin, ...]) -> tuple[Pin, ...]:
    required: dict[str, list[Pin]] = {}
    for pin in pins:
        if pin.kind != "locked" and pin.binding:
            required.setdefault(pin.package, []).append(pin)
    if not required:
        return pins
    return tuple(
        pin
        for pin in pins
        if pin.kind != "locked"
        or not any(admits_version(r, pin.text) is False for r in required.get(pin.package, ()))
    )


def _alternatives(pin: Pin) -> list[SpecifierSet] | None:
    """A requirement's (`pep508` or `poetry`) specifier sets, one per alternative; None
    when it cannot be read, or is a direct reference (its version is not written)."""
    from packaging.requirements import InvalidRequirement, Requirement
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    try:
        if pin.kind == "poetry":
            return [SpecifierSet(s) for s in poetry_specifiers(pin.text)]
        requirement = Requirement(pin.text)
    except (InvalidRequirement, InvalidSpecifier, ValueError):
        return None
    return None if requirement.url is not None else [requirement.specifier]


def writes_version(pin: Pin) -> bool:
    """Whether a pin names a version: a lock's, or a requirement with a specifier (one
    that cannot be read counts as naming one)."""
    if pin.kind == "locked":
        return True
    alternatives = _alternatives(pin)
    return alternatives is None or any(str(specifiers) for specifiers in alternatives)


def admits_version(pin: Pin, version: str) -> bool | None:
    """Whether a requirement (`pep508` or `poetry`) admits this exact version, pre-releases
    included; None when either cannot be read."""
    from packaging.version import InvalidVersion, Version

    try:
        exact = Version(version)
    except InvalidVersion:
        return None
    alternatives = _alternatives(pin)
    if alternatives is None:
        return None
    return any(s.contains(exact, prereleases=True) for s in alternatives)


def _admits_v2(pin: Pin) -> bool | None:
    """Whether the pin admits a version of its package that works with Pydantic 2; None
    when it cannot be read, or says nothing (a FastAPI that works with Pydantic 2 works
    with Pydantic 1 too): then it does not count."""
    admits = admits_floor(pin)
    return None if admits and pin.package != "pydantic" else admits


def admits_floor(pin: Pin, floor: Version | None = None) -> bool | None:
    """Whether the pin admits `floor` or a later release (default: the first release of
    its package that works with Pydantic 2); None when it cannot be read."""
    from packaging.version import InvalidVersion, Version

    if floor is None:
        floor = Version(_V2_FLOORS[pin.package])
    if pin.kind == "locked":
        try:
            return Version(pin.text) >= floor
        except InvalidVersion:
            return None
    alternatives = _alternatives(pin)
    if alternatives is None:
        return None
    return any(admits_at_least(specifiers, floor) for specifiers in alternatives)


def admits_below(pin: Pin, floor: Version) -> bool | None:
    """Whether the pin admits a release below `floor` (None: it cannot be read). The set a
    specifier set admits is a union of intervals bounded by the versions it names: where
    it meets `[0, floor)` it holds 0, one of those versions or its nearest successor."""
    from packaging.version import InvalidVersion, Version

    if pin.kind == "locked":
        try:
            return Version(pin.text) < floor
        except InvalidVersion:
            return None
    alternatives = _alternatives(pin)
    if alternatives is None:
        return None
    for specifiers in alternatives:
        candidates = {Version("0")}
        for specifier in specifiers:
            try:
                version = Version(specifier.version.removesuffix(".*"))
            except InvalidVersion:
                return None
            candidates.add(version)
            candidates.add(Version(".".join(map(str, (*version.release, 1)))))
        if any(specifiers.contains(c) for c in candidates if c < floor):
            return True
    return False


def admits_at_least(specifiers: SpecifierSet, floor: Version) -> bool:
    """Whether some version at or above `floor` satisfies `specifiers` (pre-releases
    included). Probes the floor, the versions the specifiers name and their nearest
    successors at each level: where the admitted set meets `[floor, ...)`, it holds one
    of them (the bounds of a specifier set are the versions it names)."""
    from packaging.version import InvalidVersion, Version

    candidates = {floor}
    for specifier in specifiers:
        written = specifier.version.removesuffix(".*")
        try:
            version = Version(written)
        except InvalidVersion:
            continue
        candidates.add(version)
        release = version.release
        candidates.add(Version(".".join(map(str, (*release, 1)))))
        for level in range(len(release)):
            bumped = (*release[:level], release[level] + 1)
            candidates.add(Version(".".join(map(str, bumped))))
    return any(
        specifiers.contains(candidate, prereleases=True)
        for candidate in candidates
        if candidate >= floor
    )


_POETRY_TOKEN = lazy_pattern(r"(\^|~=|~|==|!=|<=|>=|<|>|=)?\s*([0-9A-Za-z][0-9A-Za-z.*+!-]*)")


def poetry_specifiers(constraint: str) -> list[str]:
    """A Poetry constraint as PEP 440 specifier sets, one per `||` alternative:
    `^1.9` -> `>=1.9,<2`, `~1.9` -> `>=1.9,<1.10`, `1.10.13` -> `==1.10.13`,
    `*` -> `` (anything); a token it cannot read raises ValueError."""
    alternatives = []
    for alternative in constraint.split("||"):
        parts: list[str] = []
        rest = alternative.replace(",", " ").strip()
        if rest in {"", "*"}:
            alternatives.append("")
            continue
        position = 0
        while position < len(rest):
            if rest[position].isspace():
                position += 1
                continue
            match = _POETRY_TOKEN.match(rest, position)
            if match is None:
                raise ValueError(f"cannot read the Poetry constraint {constraint!r}")
            position = match.end()
            operator, version = match[1] or "", match[2]
            if version == "*":
                continue
            if operator == "^":
                parts += _caret(version)
            elif operator == "~":
                parts += _tilde(version)
            elif operator in {"", "="}:
                parts.append(f"=={version}")
            else:
                parts.append(f"{operator}{version}")
        alternatives.append(",".join(parts))
    return alternatives


def _release(version: str) -> list[int]:
    numbers = re.match(r"\d+(?:\.\d+)*", version)
    if numbers is None:
        raise ValueError(f"not a version: {version!r}")
    return [int(part) for part in numbers[0].split(".")]


def _caret(version: str) -> list[str]:
    """Poetry's `^`: up to the next change of the first non-zero part given."""
    release = _release(version)
    level = next((i for i, part in enumerate(release) if part != 0), len(release) - 1)
    upper = [*release[:level], release[level] + 1]
    return [f">={version}", f"<{'.'.join(map(str, upper))}"]


def _tilde(version: str) -> list[str]:
    """Poetry's `~`: patch-level changes (`~1.2.3`, `~1.2`), or minor ones (`~1`)."""
    release = _release(version)
    level = 0 if len(release) == 1 else 1
    upper = [*release[:level], release[level] + 1]
    return [f">={version}", f"<{'.'.join(map(str, upper))}"]


# ------------------------------------------------------- the v1 compatibility layer
V1_LAYER = "pydantic.v1"


def keeps_v1_layer(previous: str | None, new: str) -> bool:
    """Whether a name already bound to the `pydantic.v1` layer keeps that binding when the
    file binds it again to the same name of the main package: both branches of
    `try: from pydantic.v1 import BaseModel except ImportError: from pydantic import
    BaseModel` give the v1 API (the fallback runs on a Pydantic 1 without `pydantic.v1`).
    The checker's traversal and the ast summary of a module both bind imports this way."""
    if previous is None or not (previous == V1_LAYER or previous.startswith(V1_LAYER + ".")):
        return False
    return new == "pydantic" + previous.removeprefix(V1_LAYER)


# ------------------------------------------------------------------ the findings
#: (a clause after the name says what Pydantic 2 does with it: not for a project on v1)
_V1_API = lazy_pattern(
    r"^(?P<subject>.+?) is the Pydantic v1 (?P<kind>API|name)(?:, which [^:]*)?: use (?P<use>.+)$"
)
TARGET_V1_NOTE = "(this project targets Pydantic v1)"


def migration_message(message: str) -> str:
    """A finding's message for a project that targets Pydantic 1: it speaks of the
    migration to v2 (`.dict()` exists there; `.model_dump()` does not)."""
    match = _V1_API.match(message)
    if match is not None:
        return (
            f"{match['subject']} is the v1 {match['kind']}, replaced in Pydantic v2 "
            f"{TARGET_V1_NOTE}: "
            f"when migrating, use {match['use']}"
        )
    head, separator, tail = message.partition(": ")
    if separator:
        return f"{head} in Pydantic v2 {TARGET_V1_NOTE}: when migrating, {tail}"
    return f"{message}: replaced in Pydantic v2 {TARGET_V1_NOTE}"


#: The sentence every Pydantic rule's "Fix safety" section ends with.
FIX_TARGET_NOTE = (
    'No fix when the project targets Pydantic v1 (`target-pydantic = "1"`, or pins that '
    "admit no 2.x): a finding reported there (the selection names the rule) is a note "
    "for the migration, and its message speaks of it. Code under a test of the Pydantic "
    'version or API (`if PYDANTIC_V2:`, `hasattr(m, "model_dump")`, `try: ... except '
    "ImportError:` around a Pydantic import) is never flagged."
)

#: The "Where it applies" paragraph every Pydantic rule's summary ends with.
WHERE_IT_APPLIES = (
    "Where it applies: every layer, tests included, of a project that targets Pydantic "
    "v2 (`target-pydantic`, else the pins of the file's sub-service or of the project, "
    "else 2). On a project that targets "
    "v1 it reports nothing by default, as ruff's pyupgrade rules do not fire for what "
    'its `target-version` cannot use. To plan the move, set `target-pydantic = "2"` '
    "(findings and fixes), or name the rule in the selection (`--select FG201`, "
    '`extend-select = ["FG2"]`: `ALL` does not name it) to list its findings as notes '
    "for the migration, without fixes."
)

#: What the rules of a spelling family (`checks.project_facts.SPELLING_RULES`) add to it.
SPELLING_NOTE = (
    " Pydantic 2 still runs this v1 API (with a deprecation warning; Pydantic 3 removes "
    "it): in existing code it is an inventory for the move to the v2 spelling, reported "
    "when the selection names the rule (`check --fix --extend-select FG2` migrates) or the "
    'configuration sets `target-pydantic = "2"` (a team holding its code to the v2 '
    "spelling), as ruff's pyupgrade rules are opt-in; the edit hook reports it in new "
    "code everywhere. What Pydantic 2 ignores or refuses (a `class Config` setting "
    "`orm_mode` or another renamed or removed key, `Field(regex=)`) is always reported."
)
#: The "Where it applies" paragraph of a rule of a spelling family.
WHERE_IT_APPLIES_SPELLING = WHERE_IT_APPLIES + SPELLING_NOTE

# ------------------------------------------------------ fix safety during a migration
#: The "Fix safety" sentence of the rules whose rewrite is unsafe during a migration.
MIGRATION_NOTE = (
    'During a migration (`target-pydantic = "2"` set over pins that admit only Pydantic '
    "1, so the code still runs on 1.x) the fix is unsafe: {differs}."
)


class _Fix(Protocol):
    """A fix as the rules describe it (`checks.context.FixSpec`): a named tuple with these."""

    @property
    def applicability(self) -> str: ...

    @property
    def message(self) -> str: ...

    def _replace(self, *, applicability: str = ..., message: str = ...) -> Self: ...


_F = TypeVar("_F", bound=_Fix)


def unsafe(fix: _F, reason: str) -> _F:
    """The fix, applied with `--unsafe-fixes` only; its message says why."""
    return fix._replace(applicability="unsafe", message=f"{fix.message} (unsafe: {reason})")


def for_target(fix: _F | None, target: int, differs: str) -> _F | None:
    """`fix` as it stands for the project's target (ask `ctx.pydantic_target` only when
    about to report: it is evaluated lazily).

    On a Pydantic 2 target a v1 name is a deprecated alias of the v2 call (`.json()`
    calls `.model_dump_json()`): the rename is exact. During a migration the code still
    runs on Pydantic 1, and a rewrite is safe only when the v2 call does what the v1
    call did there; `differs` says how it does not, and the fix is then unsafe. Measured
    by running both (`tests/rules/test_pydantic_meaning.py`):

    - `.json()` / `.model_dump_json()`: different JSON for the same model (no spaces
      after `:` and `,`; `Decimal("1.10")` is `"1.10"`, not `1.1`; a timedelta is
      `"PT1M30S"`, not `90.0`);
    - `.dict()` / `.model_dump()`: equal on scalars, containers, nested models of their
      declared class, datetimes, `Decimal`, `UUID` and enums; different on a dataclass
      value (v1 keeps the instance, v2 dumps a dict) and on a nested field holding an
      instance of a subclass of its declared model (v1 dumps the subclass's fields);
    - `.schema()` / `.model_json_schema()`: different schemas (`$defs`, `anyOf`);
    - `Model.construct(**values)` keeps unknown keys in v1, drops them in v2;
    - `Model.__fields__` (v1 `ModelField`s) and `Model.model_fields` (v2 `FieldInfo`s)
      are different objects;
    - `Model.parse_obj(m)` of a model instance copies it in v1; `model_validate` returns
      it;
    - v1's `anystr_*` config keys also apply to `bytes` fields; v2's `str_*` keys do not.

    The other rewrites (`orm_mode`, validators, `Field(regex=)` with its anchor,
    `parse_raw`, `copy(update=)`) keep their meaning under both."""
    if fix is None or fix.applicability != "safe" or not is_migration(target):
        return fix
    return unsafe(fix, differs)

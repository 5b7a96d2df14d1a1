"""What the project says across files: which classes are Pydantic models, and so on.

Real services define models in one module and use them in another
(`from app.schemas.user import UserRead`; `payload: UserRead`; `payload.dict()`). No file
is parsed twice for this: while a file is checked, the engine keeps a small summary of
it (its module name, the classes it defines with their resolved bases, its imports), and
a rule that meets a class defined elsewhere reports a *conditional* finding ("if
`app.schemas.user.UserRead` is a Pydantic model"). When every file has been checked, the
conditions are resolved against the summaries. A module the run did not check (the hook
checks one file) is found on disk and summarised on demand, without running any rule.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from checks.blocking import (
    CALLS,
    CLIENT_METHODS,
    CLIENT_REQUEST,
    NEW_PASSWORD_HASHES,
    OPENS,
    PASSWORD_HASHERS,
    PASSWORD_HASHING,
    SYNC_IO_METHODS,
    client_request,
    is_client_request,
)
from checks.project_facts import (
    COUNTED_FACTS,
    NEW_PASSWORD_HASH_SELECTED,
    PUBLIC_CALLER,
    PUBLIC_ROUTES,
    RUN_ALONE_FACT,
    SELECTION_FACTS,
    USED_FACT,
)

if TYPE_CHECKING:
    from checks.summary import AwaitingCoroutine

#: What `ModuleSummary.returns` records for a function that never returns: annotated
#: `-> NoReturn`, or unannotated with every path ending in `raise` (`def abort(code):
#: raise HTTPException(code)`): a call of it re-raises.
NO_RETURN = "typing.NoReturn"
#: The start of the keys `ModuleSummary.imports` records a module's `from m import *`
#: under (`*0`: no Python name starts so).
STAR = "*"
#: How many re-exports or base classes deep a resolution may go.
MAX_DEPTH = 20

#: Calls that make a declarative base (`Base = declarative_base()`), the 1.x way.
DECLARATIVE_BASE_FACTORIES = frozenset(
    {
        "sqlalchemy.orm.declarative_base",
        "sqlalchemy.ext.declarative.declarative_base",
        "sqlalchemy.ext.declarative.api.declarative_base",
        "sqlalchemy.orm.registry.generate_base",
    }
)
#: Class decorators that make a declarative base.
AS_DECLARATIVE = frozenset(
    {"sqlalchemy.orm.as_declarative", "sqlalchemy.ext.declarative.as_declarative"}
)
#: The base a declarative base variable or decorated class stands for.
DECLARATIVE_BASE = "sqlalchemy.orm.DeclarativeBase"

FLASK_SQLALCHEMY = "flask_sqlalchemy.SQLAlchemy"
#: What a module-level `name = factory(...)` holds, by the factory's qualified name: the
#: SQLAlchemy engines and session factories other modules import (`from app.database
#: import SessionLocal`) and open in their coroutines.
INSTANCE_FACTORIES = {
    "sqlalchemy.create_engine": "sqlalchemy.engine.Engine",
    "sqlalchemy.engine.create_engine": "sqlalchemy.engine.Engine",
    "sqlmodel.create_engine": "sqlalchemy.engine.Engine",
    "sqlalchemy.orm.sessionmaker": "sqlalchemy.orm.sessionmaker",
    "sqlalchemy.orm.session.sessionmaker": "sqlalchemy.orm.sessionmaker",
    "sqlalchemy.orm.scoped_session": "sqlalchemy.orm.scoped_session",
    "sqlalchemy.orm.scoping.scoped_session": "sqlalchemy.orm.scoped_session",
    "sqlalchemy.ext.asyncio.create_async_engine": "sqlalchemy.ext.asyncio.AsyncEngine",
    "sqlalchemy.ext.asyncio.engine.create_async_engine": "sqlalchemy.ext.asyncio.AsyncEngine",
    "sqlalchemy.ext.asyncio.async_sessionmaker": "sqlalchemy.ext.asyncio.async_sessionmaker",
    "sqlalchemy.ext.asyncio.session.async_sessionmaker": (
        "sqlalchemy.ext.asyncio.async_sessionmaker"
    ),
    "sqlalchemy.ext.asyncio.async_scoped_session": "sqlalchemy.ext.asyncio.AsyncSession",
    # Flask-SQLAlchemy's extension object: its `session` is a sync `scoped_session`
    "flask_sqlalchemy.SQLAlchemy": FLASK_SQLALCHEMY,
    "flask_sqlalchemy.extension.SQLAlchemy": FLASK_SQLALCHEMY,
}
#: Errors a module makes once for other modules to raise (`credentials_exception =
#: HTTPException(401)` in `exceptions.py`: FG401, reader 58), recorded as instances by
#: the summaries (not among the factories above, which the SQLAlchemy screens name).
ERRORS_MADE_ONCE = frozenset(
    {
        "fastapi.HTTPException",
        "fastapi.exceptions.HTTPException",
        "starlette.exceptions.HTTPException",
    }
)
#: What runs the functions handed to it and drops the coroutine of an `async def`
#: (FG304: a sync APScheduler scheduler's job, a Celery task), recorded where a module
#: makes one for other modules to use (`from app.worker import celery_app`).
TASK_RUNNERS = frozenset(
    {
        "apscheduler.schedulers.background.BackgroundScheduler",
        "apscheduler.schedulers.blocking.BlockingScheduler",
        "celery.Celery",
    }
)
#: What a call of such an object gives (`SessionLocal()`: a session).
CALLED_INSTANCES = {
    "sqlalchemy.orm.sessionmaker": "sqlalchemy.orm.Session",
    "sqlalchemy.orm.scoped_session": "sqlalchemy.orm.Session",
    "sqlalchemy.ext.asyncio.async_sessionmaker": "sqlalchemy.ext.asyncio.AsyncSession",
}
#: `ModuleSummary.returns`: a function whose result is given by a chain of calls
#: (`CALL_CHAIN + "app.db.connection|create_session"`: what `connection().
#: create_session()` gives), which `ProjectIndex.returned_class` follows.
CALL_CHAIN = "()"
#: A `CALL_CHAIN` ref for a method of what an attribute of a class's instances holds, as
#: the class or a base of it of another module declares it (`HELD_CHAIN +
#: "app.api.auth.AuthApi.security|verify_password"`, `security = Security()` in the body
#: of `BaseApi`): `ProjectIndex.returned_method` follows it.
HELD_CHAIN = CALL_CHAIN + "@"
#: A `BLOCKS` ref for a method of what some call returned, the class unknown (the
#: screen's: `ANY_RETURNED + "check_password"`): any class of the project whose method
#: of that name blocks.
ANY_RETURNED = CALL_CHAIN + "*|"
#: A `BLOCKS` root saying the call's result is compared (`hmac(password) != stored`): a
#: new password's hash made there checks one, reported as a check is (FG303).
COMPARED = "==compared"
#: A `BLOCKS` root naming the coroutine the call is in, after this prefix: a new password's
#: hash there is a public sign-up's where it is a route that takes no credential or one
#: awaits it (`PUBLIC_CALLER`'s subject; alone, any coroutine of the file: a structural
#: screen's, `PUBLIC_ROUTES` then).
PUBLIC_CALLER_ROOT = "==public-caller:"


def returned_owner(ref: str) -> str:
    """How a finding on `()app.crud.get_user|check_password` names the method's class
    until the index settles it (`checks.run`): "of the class `app.crud.get_user()`
    returns"."""
    called = ref[len(CALL_CHAIN) :].rpartition("|")[0]
    if ref.startswith(HELD_CHAIN):
        return f"of the class `self.{called.rpartition('.')[2]}` holds"
    return f"of the class `{called}()` returns"


#: The sync `scoped_session` an attribute of such an object is (`db.session`).
INSTANCE_ATTRIBUTES = {(FLASK_SQLALCHEMY, "session"): "sqlalchemy.orm.scoped_session"}
INSTANCE_ATTRIBUTE_NAMES = frozenset(attribute for _, attribute in INSTANCE_ATTRIBUTES)
#: Objects of libraries that are a sync `scoped_session`: FastAPI-SQLAlchemy's
#: `db.session`, the request's session (`from fastapi_sqlalchemy import db`).
LIBRARY_INSTANCES = {
    "fastapi_sqlalchemy.db.session": "sqlalchemy.orm.scoped_session",
    "fastapi_sqlalchemy.middleware.db.session": "sqlalchemy.orm.scoped_session",
}
#: `sessionmaker(class_=AsyncSession)` makes async sessions: these spellings of the class.
ASYNC_SESSION_SPELLINGS = frozenset(
    {
        "sqlalchemy.ext.asyncio.AsyncSession",
        "sqlalchemy.ext.asyncio.session.AsyncSession",
        "sqlalchemy.ext.asyncio.async_scoped_session",
        "sqlmodel.ext.asyncio.session.AsyncSession",
    }
)


#: The bases that make a class an interface (`ProjectIndex._interface`).
_INTERFACE_BASES = frozenset({"abc.ABC", "typing.Protocol", "typing_extensions.Protocol"})


def instance_made_by(factory: str | None, class_keyword: str | None) -> str | None:
    """The class of what a SQLAlchemy factory call makes (`INSTANCE_FACTORIES`), given the
    qualified names of the callee and of its `class_=` argument: `sessionmaker(...)` makes
    a sync session factory, an async one with `class_=AsyncSession`."""
    made = INSTANCE_FACTORIES.get(factory) if factory is not None else None
    if made == "sqlalchemy.orm.sessionmaker" and class_keyword in ASYNC_SESSION_SPELLINGS:
        return "sqlalchemy.ext.asyncio.async_sessionmaker"
    return made


#: A module-level value made from another module-level object of the same module, as the
#: summaries write it (`LOCAL_MADE + "SessionLocal"`: `session = SessionLocal()`;
#: `LOCAL_MADE + "engine.connect"`: `conn = engine.connect()`), for `module_instances` to
#: read: a session or a connection opened at import, which other modules query
#: (erikkurniawan12's `from config.database import conn` in every route, reader 63).
LOCAL_MADE = "local:"
#: What an engine's opener gives.
OPENED_BY = {
    ("sqlalchemy.engine.Engine", "connect"): "sqlalchemy.engine.Connection",
    ("sqlalchemy.engine.Engine", "begin"): "sqlalchemy.engine.Connection",
}


def local_made(called: str | None, receiver: str | None, attribute: str | None) -> str | None:
    """`LOCAL_MADE`'s spelling of a call of a module-level name the module does not import
    (`called`: `SessionLocal()`), or of an engine's opener on one (`receiver`.`attribute`:
    `engine.connect()`)."""
    if called is not None:
        return LOCAL_MADE + called
    if receiver is not None and any(
        attribute == method for _, method in (*OPENED_BY, *CLIENT_METHODS)
    ):
        return f"{LOCAL_MADE}{receiver}.{attribute}"
    return None


def module_instances(bindings: Iterable[tuple[str, str | None]]) -> dict[str, str]:
    """The names a module binds to one SQLAlchemy object (`instance_made_by`, or what a
    module-level object of the module gives: `LOCAL_MADE`), from its module-level `name =
    value` bindings in order (None: a value that is not such a call); a name bound more
    than once is left out."""
    found: dict[str, str | None] = {}
    for name, made in bindings:
        if made is not None and made.startswith(LOCAL_MADE):
            obj, _, method = made[len(LOCAL_MADE) :].partition(".")
            made_by = found.get(obj)
            made = (
                CALLED_INSTANCES.get(made_by or "")
                if not method
                else OPENED_BY.get((made_by or "", method))
                or CLIENT_METHODS.get((made_by or "", method))
            )
        found[name] = None if name in found else made
    return {name: made for name, made in found.items() if made is not None}


def absolute_module(
    level: int, module: str | None, package: str | None, namespace: str | None = None
) -> str:
    """The module of a `from ... import` with `level` dots: absolute when the importing
    file's package is known (`from .models import X` in `app.users` ->
    `app.users.models`), else with its relative dots kept. One that climbs above the
    file's top package (or a file in no package) climbs its `namespace` package instead
    (`namespace_package`: folders without `__init__.py` are PEP 420 namespace packages),
    when it has one."""
    if level == 0:
        return module or ""
    if namespace is not None and (
        package is None
        or (
            level - 1 > package.count(".") + 1
            and (namespace == package or namespace.endswith("." + package))
        )
    ):
        package = namespace
    if package is None:
        return "." * level + (module or "")
    parts = package.split(".")
    if level - 1 > len(parts):
        return "." * level + (module or "")
    base = parts[: len(parts) - (level - 1)]
    return ".".join([*base, module] if module else base)


@dataclass(frozen=True, slots=True)
class ModuleSummary:
    """One module's classes and imports, with every name made absolute."""

    module: str
    #: class qualified name -> qualified names of its bases (None: not a plain name)
    classes: dict[str, tuple[str | None, ...]] = field(default_factory=dict)
    #: local name -> absolute qualified name (for re-exports: `from .user import UserRead`)
    imports: dict[str, str] = field(default_factory=dict)
    #: qualified name of a module-level variable -> the class of the SQLAlchemy object it
    #: holds (`app.db.SessionLocal` -> `sqlalchemy.orm.sessionmaker`; `module_instances`)
    instances: dict[str, str] = field(default_factory=dict)
    #: the classes whose inner `Config` the module reads or extends (`Base.Config` with
    #: `Base` imported or defined there, `self.Config` in a method of one of its classes):
    #: a fix that removes a `Config` is withheld while any module reads it
    config_refs: frozenset[str] = frozenset()
    #: qualified name of a module-level function or of a method of a module-level class
    #: -> the class its return annotation names (`-> RedirectResponse`, `-> X | None`)
    returns: dict[str, str] = field(default_factory=dict)
    #: router the module includes (`x.include_router(router)`, named as the module's
    #: imports name it) -> whether every include keeps its routes out of the OpenAPI
    #: schema (`include_in_schema=False`, or into an app made `openapi_url=None`)
    router_includes: dict[str, bool] = field(default_factory=dict)
    #: qualified name of a module-level sync function or of a sync method of a
    #: module-level class -> the blocking call its body makes (`requests.get`,
    #: `subprocess.run`: `checks.blocking.BLOCKING`), the first one; else the sync
    #: session it makes (`sqlmodel.Session`: `checks.blocking.SYNC_SESSION_OPENERS`)
    blocking: dict[str, str] = field(default_factory=dict)
    #: qualified name of an attribute of the instances of a module-level class -> its
    #: class, as the class body annotates it or `__init__` shows it (`self.repo = repo`
    #: of `repo: UserRepository`; `self.db: Session`)
    held: dict[str, str] = field(default_factory=dict)
    #: module-level class with bases -> the names of the methods it defines (which of a
    #: class's bases a method is looked up in)
    members: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: qualified name of a sync method of a module-level class not in `blocking` -> what
    #: it does with what its instance holds (`summary._held_uses`: `repo.get`, `.other`,
    #: `session()`), which the project index follows (`ProjectIndex.blocking_call`)
    uses: dict[str, tuple[str, ...]] = field(default_factory=dict)


class Condition(NamedTuple):
    """A fact about classes defined in other modules: one of `refs` derives from `roots`
    (or, when `exact`, is one of them, re-exports followed: `from app.web import
    HTTPException` where `app.web` imports FastAPI's). When `negated`: one of `refs` does
    not (`UserRepository` is a data repository unless it is a Pydantic model)."""

    refs: tuple[str, ...]
    roots: frozenset[str]
    exact: bool = False
    negated: bool = False
    #: a fact about the whole project instead (`checks.project_facts`: refs and roots
    #: unused): the condition is that fact (negated: its absence)
    fact: str | None = None
    #: what `refs` name and is asked of them: classes (above); callables, and the class
    #: a call of each gives (`CALL`: `ProjectIndex.returned_class`); routers, and whether
    #: each is kept out of the OpenAPI schema (`ROUTER`: `ProjectIndex.hidden_router`;
    #: derives there means hidden, roots unused)
    subject: str = "class"
    #: a condition that must hold too (FG403: a helper of another module returns no
    #: response, and the route's router is not kept out of the schema elsewhere)
    also: Condition | None = None


#: Every spelling of a session class (sync and async, SQLModel's too).
SESSION_CLASSES = frozenset(
    {
        "sqlalchemy.orm.Session",
        "sqlalchemy.orm.session.Session",
        "sqlalchemy.orm.scoped_session",
        "sqlalchemy.orm.scoping.scoped_session",
        "sqlalchemy.ext.asyncio.AsyncSession",
        "sqlalchemy.ext.asyncio.session.AsyncSession",
        "sqlalchemy.ext.asyncio.async_scoped_session",
        "sqlmodel.Session",
        "sqlmodel.orm.session.Session",
        "sqlmodel.ext.asyncio.session.AsyncSession",
    }
)
ASYNC_SESSION_CLASSES = frozenset(c for c in SESSION_CLASSES if "asyncio" in c)
#: A sync session an object holds, and a factory of them (`ProjectIndex._method_blocks`).
_SYNC_SESSIONS = SESSION_CLASSES - ASYNC_SESSION_CLASSES
#: What a function's `with` or queried name may hold (`ProjectIndex._opens_nothing`).
_OPENED_HANDLES = SESSION_CLASSES | frozenset(
    {
        "sqlalchemy.engine.Connection",
        "sqlalchemy.engine.base.Connection",
        "sqlalchemy.Connection",
        "sqlalchemy.engine.Engine",
        "sqlalchemy.Engine",
    }
)
_SYNC_SESSION_FACTORIES = frozenset(
    {
        "sqlalchemy.orm.sessionmaker",
        "sqlalchemy.orm.session.sessionmaker",
        "sqlalchemy.orm.scoped_session",
        "sqlalchemy.orm.scoping.scoped_session",
    }
)


#: `Condition.subject`s (`CLASS` is the default). `OPENED`: an object, or what a call of
#: it gives (`with get_session() as s`, `with SessionLocal() as s`: either may be what
#: the roots name).
#: `MAY_DERIVE`: classes, each of which derives from the roots or may (a base the index
#: cannot read: a library's class, not the standard library's).
#: `BLOCKS`: callables, each of which is a sync function of the project whose body makes
#: one of the roots' calls (`ModuleSummary.blocking`).
#: `INSTANCE`: module-level objects, each of which is one of the roots (re-exported) or
#: an instance of one made where it is bound (`ModuleSummary.instances`: `not_found =
#: HTTPException(404)`).
#: `COROUTINE`: callables, each of which is a coroutine function of the project: a
#: module-level `async def`, or a method of a module-level instance
#: (`checks.coroutines.exported_coroutines`); roots unused.
#: `HELD`: attributes of a class's instances (`module.Class.attribute`), each of which
#: holds one of the roots or a subclass of one, or a module-level instance of one, as the
#: class or a base of it declares it (`self.db = db` of `db: Session` in `__init__`).
CLASS, CALL, ROUTER, OPENED, MAY_DERIVE = "class", "call", "router", "opened", "may derive"
BLOCKS = "blocks"
INSTANCE = "instance"
COROUTINE = "coroutine"
HELD = "held"
SUBJECTS = frozenset({CLASS, CALL, ROUTER, OPENED, MAY_DERIVE, BLOCKS, INSTANCE, COROUTINE, HELD})


def module_name_for(path: Path) -> tuple[str | None, bool]:
    """The dotted module name of a file, from the packages (`__init__.py`) above it, and
    whether it is a package's `__init__`. A file of a folder without `__init__.py`
    inside a regular package is a module of that namespace portion, as the package's
    importers name it (`app/user/service.py` with `app/__init__.py` alone:
    `app.user.service`, which `from app.user.service import user_create` loads;
    Nakivaykkka's mini-crm, reader 217, and ProduitsGilbert's `app/adapters/ocr/`,
    reader 209)."""
    directory, name = os.path.split(os.path.abspath(path))
    stem = name.rpartition(".")[0] or name
    is_package = stem == "__init__"
    packages = _packages_above(directory)
    if not packages and not is_package:
        portion = _namespace_in_package(directory, _DEEPEST_PORTION)
        # (a package no import can name, a repository's folder with `-` in its name
        # holding `__init__.py`, names nothing: its `ml/` is imported through `sys.path`,
        # as `mapping_3`, RoknuzzamanRokon's HITA)
        if portion is not None and all(part.isidentifier() for part in portion.split(".")):
            return f"{portion}.{stem}", False
    parts = [*packages] if is_package else [*packages, stem]
    if not parts:
        return None, is_package
    return ".".join(parts), is_package


#: How many folders without `__init__.py` `module_name_for` climbs to a regular package.
_DEEPEST_PORTION = 8


def namespace_package(path: Path, root: Path) -> str | None:
    """The package of a file as the import system finds it from the project's root when
    folders without `__init__.py` are namespace packages (PEP 420): `app/api/routers/
    things.py` -> `app.api.routers` (None: a file at the root, outside it, or a folder
    that is no identifier). `from ...models import X` there is `app.models`, as
    `uvicorn app.main:app` run at the root imports it."""
    try:
        relative = Path(os.path.abspath(path)).relative_to(os.path.abspath(root))
    except ValueError:
        return None
    parts = relative.parts[:-1]
    if not parts:
        return None
    if all(part.isidentifier() for part in parts):
        return ".".join(parts)
    return _namespace_in_package(os.path.dirname(os.path.abspath(path)), len(parts))


def _namespace_in_package(directory: str, depth: int) -> str | None:
    """A folder without `__init__.py` inside a regular package is a namespace portion of
    it (`chatchat/server/api_server/`, `chatchat/server/` a package: `chatchat.server.
    api_server`), whatever the folders above the top package are called (`libs/
    chatchat-server/`); None when no package below the root (`depth` folders up)
    encloses it."""
    names: list[str] = []
    while not _packages_above(directory):
        parent, name = os.path.split(directory)
        if len(names) == depth or not name.isidentifier():
            return None
        names.append(name)
        directory = parent
    if not names:
        return None  # the file's own folder is a package: its package is known
    return ".".join([*_packages_above(directory), *reversed(names)])


def forget_packages() -> None:
    """Forget the packages seen so far: a new run reads the disk again."""
    _packages_above.cache_clear()


@functools.lru_cache(maxsize=4096)
def _packages_above(directory: str) -> tuple[str, ...]:
    """The package names from the outermost package down to `directory` (empty when
    `directory` is not a package); one lookup per directory of a run."""
    init = os.path.join(directory, "__init__.py")
    if not (os.path.isfile(init) or os.path.isfile(init + "i")):
        return ()
    parent, name = os.path.split(directory)
    if parent == directory or not name:
        return (name,) if name else ()
    return (*_packages_above(parent), name)


def source_root_for(path: Path, module: str | None, is_package: bool) -> Path | None:
    """The directory a module's top-level package lives in (where imports start)."""
    if module is None:
        return None
    depth = module.count(".") + (1 if is_package else 0)
    root = os.path.dirname(os.path.abspath(path))
    for _ in range(depth):
        root = os.path.dirname(root)
    return Path(root)


class ModuleLocator:
    """Finds a module's file under the source roots of the project."""

    def __init__(self, roots: Iterable[Path] = ()) -> None:
        self.roots: list[Path] = []
        self._known: set[Path] = set()
        self._names: dict[Path, frozenset[str]] = {}
        self._missing: set[Path] = set()
        #: folders above the checked files, searched last (see `add_enclosing_folders`)
        self._enclosing: list[Path] = []
        self._enclosing_known: set[Path] = set()
        for root in roots:
            self.add_root(root)

    def add_enclosing_folders(self, path: Path, project_root: Path) -> None:
        """Search the folders between a checked file and the project root too, last, and
        only for a module whose first name is a regular package there: a service kept in
        `backend/` imports `onyx.db.models` from `backend/onyx/`, which a run of the whole
        tree learns from `backend/onyx/__init__.py` and a run of one file would miss. Or
        a folder the checked file lies in, package or not: `app/web/manager/user.py`
        imports `web.models.user` (`web/` has no `__init__.py`: the service runs from
        `app/`, and `web` is a namespace package there)."""
        directory = Path(os.path.dirname(os.path.abspath(path)))
        while directory != project_root and project_root in directory.parents:
            if directory in self._enclosing_known:
                return
            self._enclosing_known.add(directory)
            self._enclosing.append(directory)
            directory = directory.parent

    def add_root(self, root: Path) -> None:
        """Search this directory too (idempotent; a missing one simply finds nothing)."""
        if root not in self._known:
            self._known.add(root)
            self.roots.append(root)

    def _top_level(self, root: Path) -> frozenset[str]:
        """The names directly in a root, read once: most roots do not hold a module's
        first package, and are not probed for it."""
        names = self._names.get(root)
        if names is None:
            try:
                names = frozenset(os.listdir(root))
            except OSError:
                names = frozenset()
                self._missing.add(root)
            self._names[root] = names
        return names

    def _rule_out(
        self,
        folder: Path,
        paths: Callable[[], Iterable[Path]],
        ruled_out: list[Path] | None,
        listings: set[Path] | None,
    ) -> None:
        """Record what rules a module out of a folder whose listing lacks its first
        name: the folder itself (`listings`: a new entry changes its stamp), else, for
        a folder that does not exist or without `listings`, each path that would answer."""
        if listings is not None and folder not in self._missing:
            listings.add(folder)
        elif ruled_out is not None:
            ruled_out.extend(paths())

    def find(
        self,
        module: str,
        ruled_out: list[Path] | None = None,
        listings: set[Path] | None = None,
    ) -> Path | None:
        """`app/schemas/user.py` or `app/schemas/user/__init__.py` under a root.

        `ruled_out` receives every path that would have answered before the one found
        (all of them when none is): once one of them is a file, the module is found
        elsewhere, or found at all (a run snapshot is not used then). Given `listings`,
        a folder whose listing lacks the module's first name is put there instead of
        its paths (it is stamped: hundreds of folders are asked of each module)."""
        if not all(module.split(".")):
            return None  # a relative import no package made absolute (`.schemas`) names no file
        relative = Path(*module.split("."))
        first = module.split(".", 1)[0]
        for root in self.roots:
            top = self._top_level(root)
            if first not in top and f"{first}.py" not in top and f"{first}.pyi" not in top:
                self._rule_out(
                    root, functools.partial(_candidates, root, relative), ruled_out, listings
                )
                continue
            for candidate in _candidates(root, relative):
                if candidate.is_file():
                    return candidate
                if ruled_out is not None:
                    ruled_out.append(candidate)
        for folder in self._enclosing:
            if first not in self._top_level(folder):
                paths = functools.partial(_package_init, folder, first)
                self._rule_out(folder, paths, ruled_out, listings)
                continue
            package = folder / first / "__init__.py"
            if not package.is_file() and (folder / first) not in self._enclosing_known:
                if ruled_out is not None:
                    ruled_out.append(package)
                continue
            for candidate in (
                folder / relative.with_suffix(".py"),
                folder / relative / "__init__.py",
            ):
                if candidate.is_file():
                    return candidate
                if ruled_out is not None:
                    ruled_out.append(candidate)
        return None


def _package_init(folder: Path, first: str) -> tuple[Path, ...]:
    """The `__init__.py` of a package named `first` in a folder."""
    return (folder / first / "__init__.py",)


def _candidates(root: Path, relative: Path) -> tuple[Path, ...]:
    """The files a module may be under a root, in the order they are looked for."""
    return (
        root / relative.with_suffix(".py"),
        root / relative / "__init__.py",
        root / relative.with_suffix(".pyi"),
        root / relative / "__init__.pyi",
    )


def summarize_source(source: bytes, module: str, is_package: bool) -> ModuleSummary | None:
    """A module's summary from its source, parsing it without running any rule: with
    CPython's parser (`checks.summary`), else with libcst."""
    from checks.summary import summarize

    summary = summarize(source, module, is_package)
    if summary is not None:
        return summary
    return summarize_with_libcst(source, module, is_package)


def summarize_with_libcst(source: bytes, module: str, is_package: bool) -> ModuleSummary | None:
    """The summary the checker's own traversal records (`FileContext.summary()`)."""
    import libcst as cst

    from checks.context import FileContext

    try:
        parsed = cst.parse_module(source)
    except Exception:  # a file that does not parse says nothing about its classes
        return None
    ctx = FileContext(
        Path(f"{module}.py"),
        parsed,
        None,
        module_name=module,
        is_package=is_package,
        source=source,  # else the summary regenerates the text from the tree
    )
    return ctx.summary()


def _ask_of(answer: Callable[[str | None, str], bool], subject: str, scope: str | None) -> bool:
    """A prefixed fact's answer for a scope (`ProjectIndex.fact`)."""
    return answer(scope, subject)


def _same_coroutine(awaited: str | None, target: str, module: str) -> bool:
    """Whether an awaited call's function (`ProjectIndex._coroutine_ref`) is `target`: the
    same name, or the name a module of the target's top package imports it by when that
    package's folder is the source root it runs from (My-CEX's `backend/` holds an
    `__init__.py`, and its `backend/services/user_service.py` imports
    `repostories.user_repository`: `backend.repostories.user_repository` by its file,
    reader 191)."""
    if awaited is None:
        return False
    if awaited == target:
        return True
    top, _, rest = target.partition(".")
    if rest == awaited and module.startswith(f"{top}."):
        return True
    # and the other way: the target's top package lies in a folder without `__init__.py`
    # the service runs from above (PEP 420), which its imports name (Factoria's
    # `backend/`, `from backend.controllers.auth_controller import register_user`, its
    # file `controllers.auth_controller` by the packages: reader 198)
    prefix, dot, tail = awaited.partition(".")
    return bool(dot) and tail == target and prefix.isidentifier()


class ProjectIndex:
    """The summaries of a run's modules, and the on-demand loading of the others."""

    def __init__(
        self,
        summaries: Iterable[ModuleSummary] = (),
        loader: Callable[[str], ModuleSummary | None] | None = None,
        coroutines: Callable[[str, str], bool] | None = None,
        unchecked: Callable[[], Iterable[ModuleSummary]] | None = None,
        facts: Mapping[str, Callable[[], bool]] | None = None,
        whole_project: bool = False,
        counted: Mapping[str, Callable[[str | None], bool]] | None = None,
        scope_of: Callable[[Path], str | None] | None = None,
        runs_alone: Callable[[ProjectIndex, str], bool] | None = None,
        used: Callable[[str | None, str, str], bool] | None = None,
        used_unread: frozenset[str] = frozenset(),
        prefixed: Mapping[str, Callable[[str | None, str], bool]] | None = None,
    ) -> None:
        self.modules: dict[str, ModuleSummary] = {}
        #: whether the project runs a coroutine only on loops of its own
        #: (`checks.private_loops`; `RUN_ALONE_FACT`), given the index; asked in a run of
        #: the whole project only
        self._runs_alone = runs_alone
        #: whether a name is used in a sub-service, for a rule's finding (`USED_FACT`:
        #: given the scope, the code and the name)
        self._used = used
        #: facts asked with a subject after their prefix (`TABLE_MAPPED + "users"`), each
        #: answered given the scope and the subject
        self._prefixed = dict(prefixed or {})
        #: the codes whose `USED_FACT` `used` answers without reading a file (the
        #: selection names them, or the run checks new code): asking it is no scan
        self._used_unread = used_unread
        #: the modules of the project the run has no summary of that may read a model's
        #: `Config` or include a router (`_scan_unchecked`); `scanned` says the run's
        #: findings depend on files no stamp records (that scan, or a project fact found
        #: absent): no run snapshot
        self._unchecked = unchecked
        self.scanned = False
        #: the coroutines of the modules `awaited_by_public_route` read, by module
        self._coroutines: dict[str, dict[str, AwaitingCoroutine]] = {}
        #: the run checks every file of the project: a file added or changed changes its
        #: files or their stamps, which a snapshot compares anyway (`scanned` stays False)
        self._whole_project = whole_project
        self._scan_done = False
        #: the project facts conditions may ask (`Condition.fact`), each found once
        self._facts = dict(facts or {})
        #: the counted facts (`COUNTED_FACTS`), found per sub-service (`scope_of` tells
        #: a finding's: `checks.sub_services`; None, the root's files outside them all)
        self._counted = dict(counted or {})
        self._scope_of = scope_of
        self._known_facts: dict[tuple[str, str | None], bool] = {}
        self.classes: dict[str, tuple[str | None, ...]] = {}
        self.instances: dict[str, str] = {}
        self.returns: dict[str, str] = {}
        self.blocking: dict[str, str] = {}
        self.held: dict[str, str] = {}
        self.members: dict[str, tuple[str, ...]] = {}
        self.uses: dict[str, tuple[str, ...]] = {}
        #: the modules that include a router (`ModuleSummary.router_includes`)
        self._includers: list[ModuleSummary] = []
        self._loader = loader
        #: whether a module defines a name as a coroutine function, read from its file
        #: when asked (`is_coroutine`)
        self._coroutine_reader = coroutines
        self._tried: set[str] = set()
        self._derives: dict[tuple[str, frozenset[str]], bool] = {}
        #: each class's direct subclasses, and the size of `classes` they were read at
        self._derived: dict[str, list[str]] | None = None
        self._derived_count = 0
        #: the keys of `blocking` and `uses` by method name (`_methods_blocking`), and
        #: the number of modules they were read at
        self._methods_named: dict[str, list[str]] | None = None
        self._methods_named_at = 0
        for summary in summaries:
            self.add(summary)

    def add(self, summary: ModuleSummary) -> None:
        """Index one module."""
        self.modules[summary.module] = summary
        self.classes.update(summary.classes)
        self.instances.update(summary.instances)
        self.returns.update(summary.returns)
        self.blocking.update(summary.blocking)
        self.held.update(summary.held)
        self.members.update(summary.members)
        self.uses.update(summary.uses)
        if summary.router_includes:
            self._includers.append(summary)

    def load(self, module: str) -> ModuleSummary | None:
        """The summary of a module, read from disk if the run did not check it."""
        return self._load(module)

    def _load(self, module: str) -> ModuleSummary | None:
        if module in self.modules:
            return self.modules[module]
        if self._loader is None or module in self._tried:
            return None
        self._tried.add(module)
        summary = self._loader(module)
        if summary is not None:
            self.add(summary)
        return summary

    def resolve(self, ref: str, depth: int = 0) -> str:
        """The class a name refers to, following re-exports (`app.schemas.UserRead` ->
        `app.schemas.user.UserRead`); the name itself when nothing better is known."""
        if ref in self.classes or ref in self.instances or depth > MAX_DEPTH:
            return ref
        parts = ref.split(".")
        for cut in range(len(parts) - 1, 0, -1):
            module = ".".join(parts[:cut])
            summary = self._load(module)
            if summary is None:
                continue
            if ref in self.classes or ref in self.instances:
                return ref
            target = summary.imports.get(parts[cut]) or self.star_export(summary, parts[cut])
            if target is not None and target != ref:
                rest = parts[cut + 1 :]
                return self.resolve(".".join([target, *rest]), depth + 1)
            return ref
        return ref

    def star_export(
        self, summary: ModuleSummary, name: str, seen: frozenset[str] = frozenset()
    ) -> str | None:
        """Where a name a module does not bind itself comes from through its `from m
        import *` imports (`chatchat.server.pydantic_v2` re-exporting `pydantic`): a module
        of the project that binds it (itself, or through its own star imports), else the
        one module outside the project imported so (what it exports, the index cannot
        read); None when that is not one."""
        stars = [m for key, m in summary.imports.items() if key.startswith(STAR)]
        outside: list[str] = []
        seen = seen | {summary.module}
        for module in stars:
            found = self._load(module)
            if found is None:
                outside.append(module)
                continue
            candidate = f"{module}.{name}"
            if (
                candidate in self.classes
                or candidate in self.instances
                or name in found.imports
                or (module not in seen and self.star_export(found, name, seen) is not None)
            ):
                return candidate
        return f"{outside[0]}.{name}" if len(outside) == 1 else None

    def derives_from(self, ref: str, roots: frozenset[str]) -> bool:
        """Whether a class is one of `roots` or derives from one (across modules);
        remembered, as many findings ask about the same classes."""
        key = (ref, roots)
        known = self._derives.get(key)
        if known is None:
            known = self._derives[key] = self._derives_from(ref, roots)
        return known

    def _derives_from(self, ref: str, roots: frozenset[str]) -> bool:
        seen: set[str] = set()
        pending = [ref]
        while pending:
            current = pending.pop()
            if current in roots:
                return True
            resolved = self.resolve(current)
            if resolved in roots:
                return True
            made = self.instances.get(resolved) or self._instance_attribute(resolved)
            if made is not None:  # a module's SQLAlchemy object stands for its class
                pending.append(made)
                continue
            if resolved in seen or len(seen) > 10 * MAX_DEPTH:
                continue
            seen.add(resolved)
            pending.extend(base for base in self.classes.get(resolved, ()) if base is not None)
        return False

    def _unread_base(self, ref: str) -> bool:
        """Whether a class, or one of its ancestors, is one the index cannot read: outside
        the project and the standard library (`sdk.Remote`, whose bases may be a model)."""
        seen: set[str] = set()
        pending = [ref]
        while pending:
            current = self.resolve(pending.pop())
            if current in seen or len(seen) > 10 * MAX_DEPTH:
                continue
            seen.add(current)
            bases = self.classes.get(current)
            if bases is not None:
                pending.extend(base for base in bases if base is not None)
            elif "." in current and current.split(".", 1)[0] not in sys.stdlib_module_names:
                return True
        return False

    def _instance_attribute(self, ref: str) -> str | None:
        """What `ref` is when it is a library's object (`fastapi_sqlalchemy.db.session`)
        or an attribute of a module's object (`app.extensions.db.session` of
        `db = SQLAlchemy()`): `LIBRARY_INSTANCES`, `INSTANCE_ATTRIBUTES`."""
        known = LIBRARY_INSTANCES.get(ref)
        if known is not None:
            return known
        owner, dot, attribute = ref.rpartition(".")
        if not dot or attribute not in INSTANCE_ATTRIBUTE_NAMES:
            return None  # no module is loaded for other names
        made = self.instances.get(self.resolve(owner))
        return INSTANCE_ATTRIBUTES.get((made, attribute)) if made is not None else None

    def keeps_fix(self, owner: str | None) -> bool:
        """Whether a fix that removes the inner `Config` of the class `owner` (None: a fix
        that removes none) stands: no module of the index reads or extends that
        `Config`, itself or through a subclass (`class Config(Child.Config)`)."""
        if owner is None:
            return True
        self._scan_unchecked()
        roots = frozenset({owner})
        return not any(
            ref == owner or self.derives_from(ref, roots)
            for summary in list(self.modules.values())
            for ref in summary.config_refs
        )

    def _scan_unchecked(self) -> None:
        """Add, once, the project's modules the run holds no summary of whose text may
        read a model's `Config` or include a router: what another module's `Config` fix
        and a router's schema depend on, though no module the run checks imports them."""
        if self._unchecked is not None and not self._scan_done:
            self._scan_done = True
            # a run of some files: the rest of the project may change what they report
            self.scanned = self.scanned or not self._whole_project
            for summary in self._unchecked():
                if summary.module not in self.modules:
                    self.add(summary)

    def fact(self, name: str, path: Path | None = None) -> bool:
        """A project fact (`checks.project_facts`), found on first use; a counted fact is
        that of the sub-service holding `path` (the finding's file). A fact the index
        was given no way to find holds (the finding is reported, as without the gate)."""
        if name.startswith(RUN_ALONE_FACT):
            if self._runs_alone is None or not self._whole_project:
                # a run of some files (the hooks) reads no other file to ask: the finding
                # stands, as where nothing of the project is known
                return False
            return self._runs_alone(self, name[len(RUN_ALONE_FACT) :])
        counted = self._counted.get(name)
        for prefix, answer in self._prefixed.items():
            if counted is None and name.startswith(prefix):
                subject = name[len(prefix) :]
                counted = functools.partial(_ask_of, answer, subject)
        if counted is None and name.startswith(USED_FACT) and self._used is not None:
            code, _, used = name[len(USED_FACT) :].partition(":")
            ask = self._used
            counted = lambda scope: ask(scope, code, used)  # noqa: E731
        scope = None
        if counted is not None and path is not None and self._scope_of is not None:
            scope = self._scope_of(path)
        known = self._known_facts.get((name, scope))
        if known is None:
            find = self._facts.get(name) if counted is None else functools.partial(counted, scope)
            known = True if find is None else find()
            self._known_facts[(name, scope)] = known
            if (
                not self._whole_project
                and (
                    # a counted fact the selection decides (given as a plain fact) reads no file
                    (name in COUNTED_FACTS and name not in self._facts)
                    # (one asked of a subject reads the project's files, whatever it answers)
                    or name.startswith(PUBLIC_CALLER)
                    or (
                        name.startswith(USED_FACT)
                        and name[len(USED_FACT) :].partition(":")[0] not in self._used_unread
                    )
                    or (not known and name not in SELECTION_FACTS)
                )
            ):
                self.scanned = True  # the answer depends on every file of the project
        return known

    def holds(self, condition: Condition, path: Path | None = None) -> bool:
        """Whether a conditional finding's condition is true (`path`: the finding's file,
        whose sub-service a counted fact is asked of)."""
        if condition.also is not None:  # the condition itself first: `also` may scan
            itself = self.holds(condition._replace(also=None), path)
            return itself and self.holds(condition.also, path)
        if condition.fact is not None:
            return self.fact(condition.fact, path) != condition.negated
        for ref in condition.refs:
            target = self.returned_class(ref) if condition.subject == CALL else ref
            if condition.subject == ROUTER:
                found = self.hidden_router(ref)
            elif condition.subject == OPENED:
                returned = self.returned_class(ref)
                found = self.derives_from(ref, condition.roots) or (
                    returned is not None and self.derives_from(returned, condition.roots)
                )
            elif condition.subject == INSTANCE:
                resolved = self.resolve(ref)
                made = self.instances.get(resolved)
                found = resolved in condition.roots or made in condition.roots
            elif (
                condition.subject == BLOCKS
                and ref.startswith(ANY_RETURNED)
                and not (self._whole_project)
            ):
                found = True  # a run of some files sees only the classes they import
            elif condition.subject == BLOCKS:
                # the screen's ask of any class's method of a name: each such method, as
                # two classes' may block in two ways (a request, a password hash)
                made_by = (
                    self._methods_blocking(ref[len(ANY_RETURNED) :])
                    if ref.startswith(ANY_RETURNED)
                    else [self.blocking_call(ref)]
                )
                found = any(self._blocks_as(made, condition, path) for made in made_by)
            elif condition.subject == COROUTINE:
                found = self.is_coroutine(ref)
            elif condition.subject == HELD:
                cls, _, attribute = ref.rpartition(".")
                held = self._held_class(cls, attribute)
                found = held is not None and (
                    self.derives_from(held, condition.roots)
                    or self.instances.get(held) in condition.roots
                )
            elif condition.subject == MAY_DERIVE:
                found = self.derives_from(ref, condition.roots) or self._unread_base(ref)
            elif target is None:
                found = False  # a call of nothing the project annotates
            elif condition.exact:
                found = target in condition.roots or self.resolve(target) in condition.roots
            else:
                found = self.derives_from(target, condition.roots)
            if found != condition.negated:
                return True
        return False

    def is_coroutine(self, ref: str) -> bool:
        """Whether `ref`, re-exports followed, is a coroutine function of a module of the
        project (`COROUTINE`), as its file says (read once per module, when asked)."""
        resolved = self.resolve(ref)
        parts = resolved.split(".")
        for cut in range(len(parts) - 1, 0, -1):
            module = ".".join(parts[:cut])
            if self._load(module) is None:
                continue
            reader = self._coroutine_reader
            return reader is not None and reader(module, resolved)
        return False

    def blocking_call(self, ref: str, depth: int = 0) -> str | None:
        """The blocking call the sync function `ref` makes (`ModuleSummary.blocking`);
        for one that calls password helpers of other modules (`CALLS`), the password
        hash the first of them makes, followed two helpers deep; for a method of what a
        call returns (`()app.crud.get_user|check_password`), that method of the class the
        call's annotation names (`returned_method`)."""
        if ref.startswith(CALL_CHAIN):
            if ref.startswith(ANY_RETURNED):
                # the first of any class's methods of that name that blocks
                made_by = self._methods_blocking(ref[len(ANY_RETURNED) :], depth + 1)
                return next((made for made in made_by if made is not None), None)
            found = self.returned_method(ref)
            return None if found is None else self.blocking_call(found, depth + 1)
        resolved = self.resolve(ref)
        made = self.blocking.get(resolved)
        if made is not None and self._opens_nothing(made):
            made = None  # then what its instance holds may block (`uses`)
        if made is not None and made.startswith(CALLS):
            found = self._calls_block(made, depth)
            if found is not None:
                return found
            made = None  # none of them: as a function that calls none
        if made is None:
            # a method of a module's sync client (`redis.delete(key)` with `from app.core.
            # config import redis`, a `redis.Redis`): a request through it
            # (or a resource's method of one: `stt_llm.audio.transcriptions.create()` with
            # `from common.agent import stt_llm`, an `openai.OpenAI`: Interver's Whisper
            # call, reader 147)
            owner, _, method = resolved.rpartition(".")
            above = self.instance_above(owner) if owner else None
            if above is not None:
                holder, client = above
                rest = resolved[len(holder) + 1 :].split(".")
                instance_of = self.resolve(client)
                if instance_of in self.classes and len(rest) == 1 and depth < MAX_DEPTH:
                    # a method of a module's instance of a class of the project
                    # (`auth_utils = AuthUtils()`, then `auth_utils.verify_password(...)`:
                    # Poseidon-G's login, reader 212)
                    return self._method_blocks(instance_of, rest[0], depth + 1, set())
                return client_request(client, rest)
            if owner and self.resolve(owner) in self.classes and depth < MAX_DEPTH:
                # a method of a class of the project, found through its bases, or one
                # that blocks through what its instance holds (`self.repository.list()`)
                return self._method_blocks(self.resolve(owner), method, depth + 1, set())
            shadowing = self.package_binding(owner)
            if shadowing is not None and depth < MAX_DEPTH:
                return self.blocking_call(f"{shadowing}.{method}", depth + 1)
            return None
        return made

    def _calls_block(self, made: str, depth: int) -> str | None:
        """For a function that calls other modules' password helpers or objects' methods
        (`CALLS`), the password hash the first of them makes, or a request through
        another module's sync client (`redis_client.get(key)` of `from app.cache import
        redis_client`), followed two helpers deep."""
        if depth >= 2:
            return None
        for helper in made[len(CALLS) :].split(","):
            found = self.blocking_call(helper, depth + 1)
            if found in PASSWORD_HASHING or (
                found is not None and not found.startswith(OPENS) and is_client_request(found)
            ):
                return found
        return None

    def instance_above(self, ref: str) -> tuple[str, str] | None:
        """The module-level object `ref` is or lies under, with what it is
        (`ModuleSummary.instances`): `ref` itself, or its longest dotted prefix the index
        knows as one (`common.agent.stt_llm` of `common.agent.stt_llm.audio.speech`)."""
        parts = ref.split(".")
        for cut in range(len(parts), 1, -1):
            holder = ".".join(parts[:cut])
            made = self.instances.get(self.resolve(holder))
            if made is not None:
                return holder, made
        return None

    def returned_method(self, ref: str) -> str | None:
        """`app.models.User.check_password` for `()app.crud.get_user|check_password`:
        the method of the class a call of `app.crud.get_user` returns, or None; for a
        `HELD_CHAIN` ref, of the class the attribute holds."""
        called, _, method = ref[len(CALL_CHAIN) :].rpartition("|")
        if ref.startswith(HELD_CHAIN):
            # what the attribute of the class's instances holds
            cls, _, attribute = called[1:].rpartition(".")
            held = self._held_class(cls, attribute)
            return f"{held}.{method}" if held is not None and held in self.classes else None
        returned = self.returned_class(called) if called else None
        if returned is None or returned == NO_RETURN:
            return None
        returned = self.resolve(returned)
        return f"{returned}.{method}" if returned in self.classes else None

    def is_public_route(
        self, target: str, modules: Callable[[str], Iterable[tuple[str, bytes, bool]]]
    ) -> bool:
        """Whether the coroutine `target` (`app.api.auth.register`) is a route that takes
        no credential (`checks.public_routes`), read from its module among `modules`
        (`awaited_by_public_route`)."""
        module = target.rpartition(".")[0]
        for name, source, is_package in modules(target.rpartition(".")[2]):
            if name == module:
                found = self._coroutines_of(name, source, is_package).get(target)
                return found is not None and found.public
        return False

    def _coroutines_of(
        self, module: str, source: bytes, is_package: bool
    ) -> dict[str, AwaitingCoroutine]:
        """`checks.summary.coroutines_of`, read once per module."""
        from checks.summary import coroutines_of

        coroutines = self._coroutines.get(module)
        if coroutines is None:
            coroutines = self._coroutines[module] = coroutines_of(source, module, is_package)
        return coroutines

    def awaited_by_public_route(
        self,
        target: str,
        modules: Callable[[str], Iterable[tuple[str, bytes, bool]]],
        depth: int = 0,
        seen: frozenset[str] = frozenset(),
    ) -> bool:
        """Whether a route of the project that takes no credential awaits the coroutine
        `target` (`app.services.auth.AuthService.register`), or awaits a coroutine that
        does, and so on, three coroutines deep at most (a route, its use case, the service,
        the service's repository). `modules` gives
        the modules (name, text, whether a package) whose text may await a callable of
        `target`'s name; each is read once (`checks.summary.coroutines_of`)."""
        name = target.rpartition(".")[2]
        for module, source, is_package in modules(name):
            for qualified, coroutine in self._coroutines_of(module, source, is_package).items():
                if qualified == target or qualified in seen:
                    continue
                if not any(
                    ref.replace("|", ".").rpartition(".")[2] == name
                    and _same_coroutine(self._coroutine_ref(ref), target, module)
                    for ref in coroutine.awaits
                ):
                    continue
                if coroutine.public or (
                    depth < 2
                    and self.awaited_by_public_route(qualified, modules, depth + 1, seen | {target})
                ):
                    return True
        return False

    def _coroutine_ref(self, ref: str) -> str | None:
        """The function or method an awaited call's ref (`checks.summary.AwaitingCoroutine.
        awaits`) runs: re-exports followed, a method named by the class of its bases that
        defines it, one of what a call returns or an attribute holds by that class."""
        if ref.startswith(CALL_CHAIN):
            found = self.returned_method(ref)
            if found is None:
                return None
            ref = found
        resolved = self.resolve(ref)
        owner, _, method = resolved.rpartition(".")
        if owner in self.classes:
            defining = self._defining_class(owner, method)
            return f"{defining}.{method}" if defining is not None else None
        return resolved

    def _blocks_as(self, made: str | None, condition: Condition, path: Path | None) -> bool:
        """Whether a blocking call is one a `BLOCKS` condition's roots name: one of them, a
        sync client's request, or a session opened from one of them; a new password's
        hash only where the run reports those or the result is compared."""
        if made in NEW_PASSWORD_HASHES and COMPARED not in condition.roots:
            # a new password hashed: reported in new code, or named; the alternative that
            # names the coroutine (`PUBLIC_CALLER_ROOT`), only on a public route
            public = [
                PUBLIC_ROUTES
                if root == PUBLIC_CALLER_ROOT
                else PUBLIC_CALLER + root[len(PUBLIC_CALLER_ROOT) :]
                for root in condition.roots
                if root.startswith(PUBLIC_CALLER_ROOT)
            ]
            if public:
                if not any(self.fact(fact, path) for fact in public):
                    return False
            elif not self.fact(NEW_PASSWORD_HASH_SELECTED, path):
                return False
        return (
            made in condition.roots
            or (CLIENT_REQUEST in condition.roots and is_client_request(made))
            or (
                made is not None
                and made.startswith(OPENS)
                and any(
                    self._gives(opened, condition.roots) for opened in made[len(OPENS) :].split(",")
                )
            )
        )

    def _opens_nothing(self, made: str) -> bool:
        """Whether a function recorded as opening what other modules' calls give (`OPENS`:
        `payload = decode_refresh_token(token)`, then `payload.get("sub")`, read as a
        session queried) opens no SQLAlchemy session or connection there: what a method of
        it then does with what its instance holds is asked instead (Medico24's
        `AuthService.refresh_access_token`, whose `self.cache.exists(...)` is a sync Redis
        request: reader 135)."""
        return made.startswith(OPENS) and not any(
            self._gives(opened, _OPENED_HANDLES) for opened in made[len(OPENS) :].split(",")
        )

    def _methods_blocking(self, method: str, depth: int = 1) -> list[str | None]:
        """The blocking calls of every sync method of that name in the project (the
        screen's `ANY_RETURNED`, which cannot tell the class); a method that blocks is in
        `blocking` or `uses` by its defining class."""
        self._name_methods()
        assert self._methods_named is not None
        keys = self._methods_named.get(method, ())
        return [self.blocking_call(key, depth) for key in keys]

    def _name_methods(self) -> None:
        """`_methods_named`, read again when modules were added."""
        if self._methods_named is None or self._methods_named_at != len(self.modules):
            self._methods_named_at = len(self.modules)
            named: dict[str, list[str]] = {}
            for key in (*self.blocking, *self.uses):
                owner, _, name = key.rpartition(".")
                if owner in self.classes:
                    named.setdefault(name, []).append(key)
            self._methods_named = named

    def _method_blocks(
        self, cls: str, method: str, depth: int, seen: set[tuple[str, str]]
    ) -> str | None:
        """The blocking call a sync method makes, called on an instance of `cls`: its own
        (`ModuleSummary.blocking`), or through what the instance holds (`ModuleSummary.
        uses`): a sync session queried (`self.db.commit()` of `db: Session`), a sync
        session factory opened (`with self.session() as s:` of a `sessionmaker`), or a
        method of another class of the project that blocks (`self.repo.get(pk)`), or
        another method on `self` that does; the method, and each attribute, looked up
        from `cls` through its bases, as Python does."""
        if (cls, method) in seen or depth > MAX_DEPTH:
            return None
        seen.add((cls, method))
        defining = self._defining_class(cls, method)
        if defining is None:
            return None
        key = f"{defining}.{method}"
        made = self.blocking.get(key)
        if made is not None and made.startswith(CALLS):
            found = self._calls_block(made, depth)
            if found is not None:
                return found
            # (none of the other modules' functions or objects it calls blocks: what its
            # instance holds may)
        elif made is not None and not self._opens_nothing(made):
            return self.blocking_call(key, depth)
        for use in self.uses.get(key, ()):
            attribute, dot, called = use.partition(".")
            if not dot:  # `with self.session() as s:`
                factory = self._held_class(cls, attribute.removesuffix("()"))
                # (a factory annotated as the session it makes, `session: Session`, as
                # rinat074's repositories take their `sessionmaker`: only a sync one is
                # opened by a plain `with`)
                if factory is not None and (
                    self._sync_session_factory(factory) or self._sync_session(factory)
                ):
                    return "sqlalchemy.orm.Session"
                continue
            if not attribute:  # `self.other(...)`
                found = self._method_blocks(cls, called, depth + 1, seen)
            else:
                held = self._held_class(cls, attribute)
                if held is None:
                    continue
                if called in SYNC_IO_METHODS and self._sync_session(held):
                    return "sqlalchemy.orm.Session"
                if called in PASSWORD_HASHERS.get(held, ()):
                    # a password hasher the instance was given (`self._context.verify(...)`
                    # of `context: CryptContext` in `__init__`: ar-russ's
                    # `AuthenticationManager`, reader 181)
                    return f"{held}.{called}"
                found = (
                    self._method_blocks(held, called, depth + 1, seen)
                    if held in self.classes
                    else None
                )
            if found is not None:
                return found
        if self._interface(defining):
            # an interface's method (`IPasswordService.verify_password` of an `ABC`),
            # run by the one class of the project that derives from it and defines it
            # (tiagohinterholz's `PasswordService`, which runs `bcrypt.checkpw`: reader
            # 117); not when two do, which the instance may be either of
            implementations = [
                sub for sub in self._subclasses(defining) if method in (self.members.get(sub) or ())
            ]
            if len(implementations) == 1:
                return self._method_blocks(implementations[0], method, depth + 1, seen)
        return None

    def _interface(self, cls: str) -> bool:
        """Whether a class of the project declares an interface: it derives from `abc.ABC`
        or `typing.Protocol` directly."""
        return any(
            base is not None and self.resolve(base) in _INTERFACE_BASES
            for base in self.classes.get(cls, ())
        )

    def _subclasses(self, cls: str) -> list[str]:
        """The classes of the project that derive from `cls`, directly or not (the
        classes the index holds: in a run over the project, all of them)."""
        if self._derived is None or self._derived_count != len(self.classes):
            derived: dict[str, list[str]] = {}
            for name, bases in list(self.classes.items()):
                for base in bases:
                    if base is not None:
                        derived.setdefault(self.resolve(base), []).append(name)
            self._derived, self._derived_count = derived, len(self.classes)
        found: list[str] = []
        pending = list(self._derived.get(cls, ()))
        while pending and len(found) <= 10 * MAX_DEPTH:
            current = pending.pop()
            if current not in found and current != cls:
                found.append(current)
                pending.extend(self._derived.get(current, ()))
        return found

    def _mro(self, cls: str) -> Iterator[str]:
        """`cls` and the classes of the project it derives from, depth first, once each."""
        pending, seen = [cls], set[str]()
        while pending and len(seen) <= 10 * MAX_DEPTH:
            current = self.resolve(pending.pop())
            if current in seen or current not in self.classes:
                continue
            seen.add(current)
            yield current
            pending.extend(base for base in reversed(self.classes[current]) if base is not None)

    def _defining_class(self, cls: str, method: str) -> str | None:
        """The class whose definition of `method` an instance of `cls` calls: the first
        of `cls` and its bases to define it (a class without bases: itself)."""
        for current in self._mro(cls):
            names = self.members.get(current)
            if names is None or method in names:
                return current
        return None

    def _held_class(self, cls: str, attribute: str) -> str | None:
        """The class (or module-level object) of the project or of a library that an
        attribute of instances of `cls` holds, as `cls` or a base of it declares it."""
        for current in self._mro(cls):
            held = self.held.get(f"{current}.{attribute}")
            if held is not None:
                return self.resolve(held)
        return None

    def _sync_session(self, ref: str) -> bool:
        """A sync session: the class, a subclass of it of the project, or a module's
        `scoped_session` (which proxies one)."""
        return (
            ref in _SYNC_SESSIONS
            or self.instances.get(ref) == "sqlalchemy.orm.scoped_session"
            or (ref in self.classes and self.derives_from(ref, _SYNC_SESSIONS))
        )

    def _sync_session_factory(self, ref: str) -> bool:
        """A sync session factory: the class (`session_factory: sessionmaker`), or a
        module's `sessionmaker(...)` (`from app.db import SessionLocal`)."""
        return ref in _SYNC_SESSION_FACTORIES or self.instances.get(ref) in (
            "sqlalchemy.orm.sessionmaker",
            "sqlalchemy.orm.scoped_session",
        )

    def package_binding(self, ref: str) -> str | None:
        """What a package's `__init__` binds under the name of one of its submodules,
        which the attribute then is (`from .user import user` in `app/crud/__init__.py`:
        `crud.user` is the `CRUDUser` instance, not the module; ddcroft73's
        `crud.user.authenticate(...)`, reader 88); None when it binds nothing so."""
        package, dot, name = ref.rpartition(".")
        summary = self._load(package) if dot else None
        target = summary.imports.get(name) if summary is not None else None
        return target if target is not None and target != ref else None

    def hashes_a_new_password(self, refs: Iterable[str]) -> bool:
        """Whether one of these callables is a sync function whose blocking call hashes a
        new password (`NEW_PASSWORD_HASHES`): a `BLOCKS` condition on it holds only where
        the run reports those (`NEW_PASSWORD_HASH_SELECTED`)."""
        return any(self.blocking_call(ref) in NEW_PASSWORD_HASHES for ref in refs)

    def _gives(self, ref: str, roots: frozenset[str]) -> bool:
        """Whether a call of `ref` (a context manager a sync function opens) gives one of
        `roots` or a subclass: what the project says it returns or yields."""
        returned = self.returned_class(ref)
        return returned is not None and (returned in roots or self.derives_from(returned, roots))

    def returned_class(self, ref: str, depth: int = 0) -> str | None:
        """The class a call of `ref` gives: `ref` itself when it is a class, else the class
        the return annotation of the function or method `ref` names (a method found
        through the bases of its class), or the chain of calls a context manager yields
        (`CALL_CHAIN`), or the session a module's session factory makes
        (`CALLED_INSTANCES`); None when the project does not say."""
        if ref.startswith(".") or depth > MAX_DEPTH:
            return None  # imported relatively by a module outside a package: unknown
        resolved = self.resolve(ref)
        if resolved in self.classes:
            return resolved
        if resolved in self.instances:
            return CALLED_INSTANCES.get(self.instances[resolved])
        if resolved in self.returns:
            returned = self.returns[resolved]
            if returned.startswith(CALL_CHAIN):
                return self._chain_class(returned[len(CALL_CHAIN) :], depth + 1)
            return returned
        owner, _, method = resolved.rpartition(".")
        pending = [owner] if owner else []
        seen: set[str] = set()
        while pending and len(seen) <= 10 * MAX_DEPTH:
            current = self.resolve(pending.pop())
            if current in seen or current not in self.classes:
                continue
            seen.add(current)
            found = self.returns.get(f"{current}.{method}")
            if found is not None and found.startswith(CALL_CHAIN):
                return self._chain_class(found[len(CALL_CHAIN) :], depth + 1)
            if found is not None:
                return found
            bases = self.classes[current]
            pending.extend(base for base in reversed(bases) if base is not None)
        return None

    def _chain_class(self, chain: str, depth: int) -> str | None:
        """The class `first(...).method(...)...` gives (`CALL_CHAIN`)."""
        first, *methods = chain.split("|")
        current = self.returned_class(first, depth)
        if current is None and not methods:
            # a callable outside the project (`Session(bind=engine)`): a condition's
            # roots are classes, so it stands for what calling it gives only if it is one
            return self.resolve(first)
        for method in methods:
            if current is None or current == NO_RETURN:
                return None
            current = self.returned_class(f"{current}.{method}", depth)
        return current

    def hidden_router(self, ref: str) -> bool:
        """Whether the router `ref` is kept out of the OpenAPI schema wherever the
        project includes it: included somewhere, and every time with
        `include_in_schema=False` or into an app made `openapi_url=None`
        (`ModuleSummary.router_includes`, of every module that may include it)."""
        if ref.startswith("."):
            return False  # imported relatively by a module outside a package: unknown
        self._scan_unchecked()
        router = self.resolve(ref)
        included = False
        for summary in list(self._includers):
            for name, hidden in summary.router_includes.items():
                if name == ref or (not name.startswith(".") and self.resolve(name) == router):
                    if not hidden:
                        return False
                    included = True
        return included

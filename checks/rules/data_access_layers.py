"""FG402 (route modules doing data access) and FG107 (`session.add()` in a loop)."""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NamedTuple, TypeVar

from checks.context import (
    ORM_MODEL_BASES,
    PYDANTIC_MODEL_BASES,
    FileContext,
    dotted_name,
    http_adapter_name,
)
from checks.lazy import libcst as cst
from checks.prefilter import Evidence
from checks.project import Condition
from checks.rule import Example, Rule
from checks.rules.sqlalchemy_legacy_query import SESSION_CLASSES
from checks.structure import Structure
from checks.structure import dotted_name as ast_dotted_name

SQL_BUILDERS = frozenset(
    {
        "sqlalchemy.select",
        "sqlalchemy.insert",
        "sqlalchemy.update",
        "sqlalchemy.delete",
        "sqlalchemy.text",
        "sqlalchemy.future.select",
        "sqlalchemy.sql.select",
        "sqlmodel.select",
        "sqlmodel.text",
    }
)
_REPOSITORY_MODULES = frozenset({"repository", "repositories", "repos", "crud"})
#: Packages of FastAPI dependencies: `fief.dependencies.repositories.get_repository`
#: injects a repository with `Depends`, it is not one.
_DEPENDENCY_MODULES = frozenset({"dependencies", "deps", "dependency"})
_ROUTE_MODULES = frozenset(
    {"routes", "routers", "router", "views", "endpoints", "api", "controllers"}
)
_SESSION_METHODS = frozenset({"execute", "scalars", "scalar", "exec"})
_ANNOTATED = frozenset({"typing.Annotated", "typing_extensions.Annotated"})
_FASTAPI_APPS = frozenset({"fastapi.FastAPI", "fastapi.applications.FastAPI"})
T = TypeVar("T")


def _imports_repository(qualified: str, name: str) -> bool:
    """Whether `from m import name` (resolved to `qualified`) may bring in a repository: a
    `*Repository` class (`_repository_by_name`), or something of a data-layer package
    (`_repository_by_module`)."""
    return _repository_by_name(name) or _repository_by_module(qualified)


def _repository_by_name(name: str) -> bool:
    """A `*Repository`/`*Repo` class whose name does not say it is an HTTP adapter; one of
    another module is a repository unless the project index knows it as a Pydantic model
    or an Enum (`Repository`, a git repository's schema)."""
    return name.endswith(("Repository", "Repo", "Repositories")) and not http_adapter_name(name)


def _repository_by_module(qualified: str) -> bool:
    """Something of a `repositories`/`crud` package that is not itself part of the route
    layer (`routes/users/crud.py` holds routes), nor of a dependencies package
    (`dependencies/repositories.py` injects repositories), nor one of its private helper
    modules (`repos/_utils.py`)."""
    parts = qualified.split(".")
    segments = set(parts)
    if not segments & _REPOSITORY_MODULES or segments & (_ROUTE_MODULES | _DEPENDENCY_MODULES):
        return False
    if segments & _NOT_DATA_ACCESS_MODULES or parts[-1].endswith(_NOT_DATA_ACCESS_NAMES):
        return False  # `repositories/schemas.py`, a `RegistryReposService`
    # a private helper module of the package (`repos/_utils.py`) is not a repository
    return not any(part.startswith("_") and not part.startswith("__") for part in parts[:-1])


#: Modules of a data-layer package that hold no data access: its schemas, types, errors.
_NOT_DATA_ACCESS_MODULES = frozenset(
    {"schemas", "schema", "types", "enums", "constants", "exceptions", "errors"}
)
#: What a name of such a package says it is, when it is no repository.
_NOT_DATA_ACCESS_NAMES = ("Service", "Schema", "Error", "Exception")


def _may_be_session(expr: ast.expr, structure: Structure) -> bool:
    """Whether `_is_session` may take `expr` for a session: by its name, or as an instance
    `ctx.infer` may find of a session class."""
    name = (ast_dotted_name(expr) or "").rpartition(".")[2].lower()
    if "session" in name and "maker" not in name and "factory" not in name:
        return True
    return structure.may_infer(expr, SESSION_CLASSES)


def _is_session(expr: cst.BaseExpression, ctx: FileContext) -> bool:
    inferred = ctx.infer(expr)
    if inferred is not None and not inferred.iterable and inferred.cls in SESSION_CLASSES:
        return True
    name = (dotted_name(expr) or "").rpartition(".")[2].lower()
    return "session" in name and "maker" not in name and "factory" not in name


#: What a `*Repository` class of another module is not when it is one of these: a schema
#: or an enumeration named after a git repository, a package repository, ...
_NOT_A_REPOSITORY = PYDANTIC_MODEL_BASES | frozenset(
    {"enum.Enum", "enum.IntEnum", "enum.StrEnum", "enum.Flag", "enum.IntFlag"}
)


@dataclass(slots=True)
class _RouteImport:
    """An import statement of a route module that brings in repositories or ORM models."""

    node: cst.ImportFrom
    #: the function whose body holds the statement (None: module level)
    scope: int | None
    #: (local name, imported name, whether it is a repository: True, or a condition)
    repositories: list[tuple[str, str, bool | Condition]] = field(default_factory=list)
    #: (local name, imported name, whether it is an ORM model: True or a condition)
    models: list[tuple[str, str, bool | Condition]] = field(default_factory=list)
    #: the alias of each imported name, by name
    aliases: dict[str, cst.ImportAlias] = field(default_factory=dict)


class _Use(NamedTuple):
    """A name used as a value in a route module."""

    name: str
    #: the functions around it, outermost first
    functions: tuple[int, ...]
    #: an argument of a constructor called at module level (`GitDAO(ArtifactDBE=Model)`)
    wiring: bool


@dataclass(slots=True)
class _SqlCall:
    """SQL built or run in a route module, by the function (None: module level) it is in."""

    function: int | None
    node: cst.Call
    runs: bool


#: Packages a module serving HTTP imports from: an `api.py` importing none
#: (papermerge's `features/*/db/api.py`: data access) is no route module.
WEB_FRAMEWORKS = (
    "fastapi",
    "starlette",
    "litestar",
    "flask",
    "quart",
    "sanic",
    "django",
    "falcon",
    "tornado",
    "aiohttp",
)


#: File names of the `routes` layer that data-access modules bear too (`db/api.py`).
_AMBIGUOUS_NAMES = frozenset({"api.py"})


def _route_module(ctx: FileContext) -> bool:
    """Whether the file is a module of the `routes` layer: one named `api.py` only when it
    imports a web framework."""
    if ctx.layer != "route":
        return False
    return ctx.path.name not in _AMBIGUOUS_NAMES or ctx.imports_module(*WEB_FRAMEWORKS)


class DataAccessInRoutes(Rule):
    code = "FG402"
    name = "data-access-in-route"
    default = False
    family = "layering"
    message = "Route module does data access: move it into a repository, called by a service"
    summary = (
        "Checks route modules (the `routes` layer) for data access: SQL built or run there "
        "(`select()`, `session.execute()`), reported once per function at its first SQL "
        "call; imports of repositories; and imports of ORM models used as values "
        "(`select(User)`, `User(...)`, `User.email`, `response_model=User`), reported "
        "once per import statement naming them. An ORM model imported only for "
        "annotations (`user: User = Depends(current_user)`, `Annotated[User, ...]`) is not "
        "data access: the dependency hands the route an object, as an `Annotated` alias "
        "from a dependencies module would. A `*Repository` class of another module is a "
        "repository unless the project index knows it as a Pydantic model or an Enum (a "
        "git repository's schema); so is a class of a `repositories`/`crud` package, whose "
        "`schemas`, `types` and `exceptions` modules, and names ending in `Service` or "
        "`Schema`, are not data access; dataclasses are not told apart. Names are resolved per "
        "scope: a function-local import shadows the module's. One finding per function: "
        "an import whose names are only used in functions already reported for their SQL "
        "is not reported again. In the module that creates the `FastAPI()` app, a model "
        "passed to a constructor at module level (`GitDAO(ArtifactDBE=QueryArtifact)`) is "
        "wiring, not data access.\n\n"
        "Not enabled by default: readers who did not write the rule judged about one "
        "finding in twenty worth a change on existing services (7 of about 160 sampled "
        "over seven readings): most "
        "keep their queries in their routes by design (FastAPI's tutorial and full-stack "
        "template do), or import their repositories there (polar's endpoints), one "
        "decision taken everywhere, not a slip per route. A service that keeps its routes "
        'free of data access selects it (`extend-select = ["FG402"]`), as the sample '
        "app does, and the edit hook then holds new code to it.\n\n"
        "Where it applies: the `routes` layer (never tests); a module named `api.py` only "
        "when it imports a web framework (FastAPI, Starlette, Litestar, Flask, ...): a "
        "data-access module named so (`features/tags/db/api.py`) serves no HTTP."
    )
    why = (
        "A route that queries the database or handles ORM objects mixes HTTP with "
        "persistence: the query cannot be reused by a job or tested without HTTP, and the "
        "response risks exposing ORM internals. Routes call a service; services call "
        "repositories; only repositories hold SQL."
    )
    bad = (
        Example(
            """
            from fastapi import APIRouter
            from sqlalchemy import select

            from app.core.database import SessionDep
            from app.users.repository import UserRepository

            router = APIRouter()


            @router.get("/users/count")
            async def count_users(session: SessionDep) -> int:
                result = await session.execute(select(UserRepository.model))
                return len(result.all())
            """,
            path="app/users/router.py",
            note="the repository is used only where the SQL is reported: one finding",
        ),
        Example(
            """
            from fastapi import APIRouter

            from app.core.database import SessionDep
            from app.users.repositories import UserRepository

            router = APIRouter()


            @router.get("/users/count")
            async def count_users(session: SessionDep) -> int:
                return await UserRepository(session).count()
            """,
            path="app/users/router.py",
            note="a route calling a repository",
        ),
        Example(
            """
            from app.crud import users
            from app.repos.all_repositories import get_repositories
            """,
            path="app/api/routes/users.py",
            expect=2,
            note="a `crud` package and a `repos` package of the data layer",
        ),
        Example(
            """
            from fastapi import APIRouter
            from sqlalchemy import func, select
            from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

            router = APIRouter()


            class Base(DeclarativeBase):
                pass


            class Item(Base):
                __tablename__ = "items"
                id: Mapped[int] = mapped_column(primary_key=True)


            @router.get("/items")
            def read_items(session: Session, skip: int = 0) -> dict:
                count = session.execute(select(func.count()).select_from(Item)).scalar_one()
                items = session.scalars(select(Item).offset(skip)).all()
                return {"count": count, "ids": [item.id for item in items]}
            """,
            path="app/items/routes.py",
            also=("FG102",),
            note="four SQL calls in one route: one finding",
        ),
        Example(
            """
            from fastapi import APIRouter, Depends

            from app.db.models import User
            from app.db.session import session

            router = APIRouter()


            @router.get("/emails")
            async def emails(user: User = Depends(current_user)) -> list[str]:
                from app.db.models import User

                return [u.email for u in await session.scalars(select(User))]
            """,
            path="app/users/routes.py",
            note=(
                "the module's `User` only annotates, the value use is the function-local "
                "import's, in the function reported for its SQL: one finding, there"
            ),
        ),
    )
    good = (
        Example(
            """
            from fastapi import APIRouter

            from app.users.dependencies import UserServiceDep

            router = APIRouter()


            @router.get("/users/count")
            async def count_users(users: UserServiceDep) -> int:
                return await users.count()
            """,
            path="app/users/router.py",
        ),
        Example(
            """
            from sqlalchemy import select

            async def count(session):
                return await session.execute(select(1))
            """,
            path="app/users/repository.py",
            note="a repository",
        ),
        Example(
            """
            from sqlalchemy import select
            from sqlalchemy.ext.asyncio import AsyncSession

            from app import orm


            async def get_tag(session: AsyncSession, tag_id: int) -> orm.Tag | None:
                return await session.scalar(select(orm.Tag).where(orm.Tag.id == tag_id))
            """,
            path="app/features/tags/db/api.py",
            note="a data-access module named `api.py` that imports no web framework",
        ),
        Example(
            """
            from fastapi import APIRouter, Depends

            from app.dependencies.repositories import get_repository

            router = APIRouter()


            @router.get("/users/count")
            async def count_users(users=Depends(get_repository)) -> int:
                return await users.count()
            """,
            path="app/users/router.py",
            note="a FastAPI dependency that injects a repository (fief)",
        ),
        Example(
            """
            from app.repos._utils import NOT_SET, NotSet
            from app.routes._base.mixins import HttpRepo

            from . import crud, ratings
            """,
            path="app/routes/users/__init__.py",
            note=(
                "a route package's own `crud` module, an HTTP helper named `*Repo`, and a "
                "private helper module of the repositories"
            ),
        ),
        Example(
            """
            from fastapi import FastAPI

            from app.db.models import QueryArtifact
            from app.db.dao import GitDAO
            from app.queries.router import router as queries_router

            app = FastAPI()
            queries_dao = GitDAO(engine=engine, ArtifactDBE=QueryArtifact)
            app.include_router(queries_router)
            """,
            path="app/api/routers.py",
            note="the module that creates the app wires a model into a DAO: composition",
        ),
    )

    def may_fire(self, evidence: Evidence) -> bool:
        return evidence.layer == "route"

    def may_fire_in(self, structure: Structure) -> bool:
        # `visit_Call`: a SQL builder called, or a query method of what `_is_session` may
        # take for a session; `visit_ImportFrom`: a repository imported, or a class of
        # another module that may be an ORM model, used as a value (`visit_Name`: the file
        # names it outside the import and outside annotations)
        if structure.layer != "route":
            return False
        path = structure.path
        ambiguous = path is not None and path.name in _AMBIGUOUS_NAMES
        if ambiguous and not structure.imports_from(*WEB_FRAMEWORKS):
            return False
        if any(structure.calls_to(SQL_BUILDERS)):
            return True
        for call in structure.calls:
            func = call.node.func
            if (
                isinstance(func, ast.Attribute)
                and func.attr in _SESSION_METHODS
                and _may_be_session(func.value, structure)
            ):
                return True
        names = structure.names_outside_annotations
        for node in structure.import_froms:
            for alias in node.names:
                if alias.name == "*":
                    continue  # `visit_ImportFrom` reads no star import
                name, local = alias.name, alias.asname or alias.name
                bound = structure.bindings.get(local, set())
                targets = {*bound, f"{node.module or ''}.{name}"}
                if structure.path is not None:
                    parent = structure.path.parent.parts
                    targets |= {".".join([*parent, t.lstrip(".")]) for t in targets}
                if any(_imports_repository(target, name) for target in targets):
                    return True
                third_party = (node.module or "").split(".", 1)[0] in {"sqlalchemy", "sqlmodel"}
                capwords = name[:1].isupper() and not name.isupper()
                if (
                    capwords
                    and not third_party
                    and local in names
                    # `ctx.imports.get(local)`: bound before this import's own binding
                    and structure.may_be_imported_before(local)
                    and any(
                        ref in ORM_MODEL_BASES or structure.may_be_project_class(ref)
                        for ref in bound
                    )
                ):
                    return True
        return False

    # ------------------------------------------------------------------ imports
    def visit_FunctionDef(self, node: cst.FunctionDef, ctx: FileContext) -> None:
        if _route_module(ctx):
            _functions(ctx, self.code).append(id(node))

    def visit_Import(self, node: cst.Import, ctx: FileContext) -> None:
        if _route_module(ctx):
            for alias in node.names:
                bound: cst.BaseExpression = (
                    alias.asname.name if alias.asname is not None else alias.name
                )
                while isinstance(bound, cst.Attribute):  # `import a.b` binds `a`
                    bound = bound.value
                if isinstance(bound, cst.Name):
                    self._bind_locally(bound.value, ctx)

    def _bind_locally(self, name: str, ctx: FileContext) -> None:
        """Record a name a function-local import binds: it shadows the module's import."""
        functions = _functions(ctx, self.code)
        if functions:
            local: dict[int, set[str]] = _holder(ctx, f"{self.code}-local", dict)
            local.setdefault(functions[-1], set()).add(name)

    def visit_ImportFrom(self, node: cst.ImportFrom, ctx: FileContext) -> None:
        if not _route_module(ctx) or isinstance(node.names, cst.ImportStar):
            return
        module = dotted_name(node.module) if node.module is not None else ""
        functions = _functions(ctx, self.code)
        found = _RouteImport(node, functions[-1] if functions else None)
        for alias in node.names:
            name = dotted_name(alias.name) or ""
            local = (
                alias.asname.name.value
                if alias.asname is not None and isinstance(alias.asname.name, cst.Name)
                else name
            )
            self._bind_locally(local, ctx)
            found.aliases[name] = alias
            names = ctx.marks(f"{self.code}-not-a-use")
            names.add(id(alias.name))
            if alias.asname is not None:
                names.add(id(alias.asname.name))
            qualified = ctx.imports.get(local)
            target = qualified or f"{module}.{name}"
            if target.startswith("."):  # relative, package unknown: it is near this file
                target = ".".join([*ctx.path.parent.parts, target.lstrip(".")])
            if _repository_by_module(target):
                absolute = qualified is not None and not qualified.startswith(".")
                by_module: bool | Condition = True
                if (
                    absolute
                    and qualified is not None
                    and name[:1].isupper()
                    and not _repository_by_name(name)
                ):
                    # a class of the package not named a repository: one unless the
                    # index knows it as a schema or an enumeration (a git repository's)
                    by_module = Condition((qualified,), _NOT_A_REPOSITORY, negated=True)
                found.repositories.append((local, name, by_module))
                continue
            if _repository_by_name(name):
                # a class of another module: a repository unless the index knows better
                absolute = qualified is not None and not qualified.startswith(".")
                settled: bool | Condition = (
                    Condition((qualified,), _NOT_A_REPOSITORY, negated=True)
                    if absolute and qualified is not None
                    else True
                )
                found.repositories.append((local, name, settled))
                continue
            third_party = (module or "").split(".", 1)[0] in {"sqlalchemy", "sqlmodel"}
            if qualified and not third_party and name[:1].isupper() and not name.isupper():
                derivation = ctx.is_orm_model(qualified)
                if derivation is not False:
                    found.models.append((local, name, derivation))
        if found.repositories or found.models:
            ctx.stash(f"{self.code}-imports").append(found)

    def visit_Annotation(self, node: cst.Annotation, ctx: FileContext) -> None:
        ctx.stash(f"{self.code}-annotations").append(node)

    def leave_Annotation(self, node: cst.Annotation, ctx: FileContext) -> None:
        ctx.stash(f"{self.code}-annotations").pop()

    def visit_Subscript(self, node: cst.Subscript, ctx: FileContext) -> None:
        if ctx.qualified_name(node.value) in _ANNOTATED:  # `CurrentUser = Annotated[User, ...]`
            ctx.stash(f"{self.code}-annotations").append(node)

    def leave_Subscript(self, node: cst.Subscript, ctx: FileContext) -> None:
        annotations = ctx.stash(f"{self.code}-annotations")
        if annotations and annotations[-1] is node:
            annotations.pop()

    def visit_Attribute(self, node: cst.Attribute, ctx: FileContext) -> None:
        ctx.marks(f"{self.code}-not-a-use").add(id(node.attr))

    def visit_Arg(self, node: cst.Arg, ctx: FileContext) -> None:
        if node.keyword is not None:
            ctx.marks(f"{self.code}-not-a-use").add(id(node.keyword))

    def visit_Name(self, node: cst.Name, ctx: FileContext) -> None:
        """Record an ORM model's name used as a value (not in an annotation)."""
        if (
            _route_module(ctx)
            and not ctx.stash(f"{self.code}-annotations")
            and id(node) not in ctx.marks(f"{self.code}-not-a-use")
        ):
            wiring = id(node) in ctx.marks(f"{self.code}-wiring")
            use = _Use(node.value, tuple(_functions(ctx, self.code)), wiring)
            ctx.stash(f"{self.code}-used").append(use)

    # ---------------------------------------------------------------------- SQL
    def visit_Call(self, node: cst.Call, ctx: FileContext) -> None:
        if not _route_module(ctx):
            return
        if ctx.qualified_name(node.func) in _FASTAPI_APPS:
            ctx.marks(f"{self.code}-app").add(id(node))
        elif not _functions(ctx, self.code) and _names_a_class(node.func):
            # a constructor called at module level: its arguments are wired, not queried
            wired = ctx.marks(f"{self.code}-wiring")
            wired.update(id(arg.value) for arg in node.args if isinstance(arg.value, cst.Name))
        runs = (
            isinstance(node.func, cst.Attribute)
            and node.func.attr.value in _SESSION_METHODS
            and _is_session(node.func.value, ctx)
        )
        if runs or ctx.qualified_name(node.func) in SQL_BUILDERS:
            function = ctx.function
            owner = id(function.node) if function is not None else None
            ctx.stash(f"{self.code}-sql").append(_SqlCall(owner, node, runs))

    def leave_FunctionDef(self, node: cst.FunctionDef, ctx: FileContext) -> None:
        if not _route_module(ctx):
            return
        functions = _functions(ctx, self.code)
        if functions and functions[-1] == id(node):
            functions.pop()
        calls: list[_SqlCall] = ctx.stash(f"{self.code}-sql")
        mine = [call for call in calls if call.function == id(node)]
        if mine:
            calls[:] = [call for call in calls if call.function != id(node)]
            self._report_sql(mine, f"`{node.name.value}()`", ctx)
            ctx.marks(f"{self.code}-reported").add(id(node))

    def leave_Module(self, node: cst.Module, ctx: FileContext) -> None:
        calls: list[_SqlCall] = ctx.stash(f"{self.code}-sql")
        if calls:
            self._report_sql(calls, "module code", ctx)
        uses: list[_Use] = ctx.stash(f"{self.code}-used")
        local: dict[int, set[str]] = _holder(ctx, f"{self.code}-local", dict)
        reported = ctx.marks(f"{self.code}-reported")
        composition_root = bool(ctx.marks(f"{self.code}-app"))

        def uses_of(found: _RouteImport, name: str) -> list[_Use]:
            """The value uses this import statement's binding of `name` serves: a
            function-local import of the name shadows the module's (and an outer one's)."""
            mine = []
            for use in uses:
                if use.name != name or (use.wiring and composition_root):
                    continue
                binders = [f for f in use.functions if name in local.get(f, ())]
                if (binders[-1] if binders else None) == found.scope:
                    mine.append(use)
            return mine

        def counts(found: _RouteImport, name: str, unused: bool) -> bool:
            """Whether the name is worth its own finding: used (or, for `unused`,
            imported at all) outside the functions already reported for their SQL."""
            mine = uses_of(found, name)
            if not mine:
                return unused
            return any(not reported.intersection(use.functions) for use in mine)

        found: _RouteImport
        for found in ctx.stash(f"{self.code}-imports"):
            repositories = [
                (n, d) for local, n, d in found.repositories if counts(found, local, True)
            ]
            models = [(n, d) for local, n, d in found.models if counts(found, local, False)]
            self._report_import(found, repositories, models, ctx)

    @staticmethod
    def _report_sql(calls: list[_SqlCall], where: str, ctx: FileContext) -> None:
        runs = any(call.runs for call in calls)
        builds = not all(call.runs for call in calls)
        verb = "builds and runs" if runs and builds else "runs" if runs else "builds"
        # the statements run (a `select()` run by `execute()` is one query), else built
        counted = sum(call.runs for call in calls) if runs else len(calls)
        noun = "queries" if runs else "statements"
        count = f" ({counted} {noun})" if counted > 1 else ""
        ctx.report(
            calls[0].node,
            f"Route module {verb} SQL in {where}{count}: move the queries into a repository",
        )

    @staticmethod
    def _report_import(
        found: _RouteImport,
        repositories: list[tuple[str, bool | Condition]],
        models: list[tuple[str, bool | Condition]],
        ctx: FileContext,
    ) -> None:
        """One finding for the statement: definite when the file settles one of its
        names, naming only those; else conditional on the project index."""
        known_repositories = [name for name, settled in repositories if settled is True]
        known_models = [name for name, derivation in models if derivation is True]
        node: cst.CSTNode = found.node
        if known_repositories or known_models:
            ctx.report(node, _import_message(known_repositories, known_models))
            return
        open_repositories = [(n, d) for n, d in repositories if isinstance(d, Condition)]
        open_models = [(n, d) for n, d in models if isinstance(d, Condition)]
        if open_repositories:
            refs = tuple(ref for _, d in open_repositories for ref in d.refs)
            message = _import_message([n for n, _ in open_repositories], [])
            ctx.report_if(node, Condition(refs, _NOT_A_REPOSITORY, negated=True), message)
        if open_models:
            # each kind keeps its own condition; with repositories too (rare), the models
            # are reported at the first one's name: one place holds one finding of a rule
            if open_repositories:
                node = found.aliases[open_models[0][0]]
            refs = tuple(dict.fromkeys(ref for _, d in open_models for ref in d.refs))
            names = [n for n, _ in open_models]
            # the index settles that one of them is an ORM model, not which: the message
            # does not call the others (an Enum, a dataclass) ORM models
            message = (
                _import_message([], names)
                if len(names) == 1
                else f"Route module imports an ORM model (one of {_listed(names)}): "
                "use schemas and a service"
            )
            ctx.report_if(node, Condition(refs, ORM_MODEL_BASES), message)


def _import_message(repositories: list[str], models: list[str]) -> str:
    parts = []
    if repositories:
        kind = "repository" if len(repositories) == 1 else "repositories"
        parts.append(f"{kind} {_listed(repositories)}")
    if models:
        kind = "ORM model" if len(models) == 1 else "ORM models"
        parts.append(f"{kind} {_listed(models)}")
    advice = "call a service instead" if not models else "use schemas and a service"
    return f"Route module imports {' and '.join(parts)}: {advice}"


def _functions(ctx: FileContext, code: str) -> list[int]:
    """The `def`s around the walk, outermost first (by node id)."""
    found: list[int] = ctx.stash(f"{code}-functions")
    return found


def _holder(ctx: FileContext, key: str, make: Callable[[], T]) -> T:
    """A per-file object a rule keeps in a stash."""
    holder = ctx.stash(key)
    if not holder:
        holder.append(make())
    kept: T = holder[0]
    return kept


def _names_a_class(func: cst.BaseExpression) -> bool:
    """`GitDAO(...)`, `daos.GitDAO(...)`: a CapWords callee builds an object."""
    name = func.attr.value if isinstance(func, cst.Attribute) else getattr(func, "value", "")
    return isinstance(name, str) and name[:1].isupper()


def _listed(names: list[str]) -> str:
    return ", ".join(f"`{name}`" for name in names)


class AddInLoop(Rule):
    code = "FG107"
    name = "session-add-in-loop"
    family = "SQLAlchemy"
    default = False
    message = "`session.add()` in a loop: use `session.add_all()` or an `insert()` executemany"
    summary = "Checks for `session.add()` called inside a `for` or `while` loop."
    why = (
        "Adding rows one by one in a loop is usually a bulk insert written slowly: "
        "`session.add_all(rows)` lets the unit of work batch them, and "
        "`await session.execute(insert(Model), [dict, ...])` sends one executemany. Not "
        "enabled by default: a loop that builds related objects one by one is often fine."
    )
    bad = (
        Example(
            """
            from sqlalchemy.ext.asyncio import AsyncSession


            async def import_tags(session: AsyncSession, names: list[str]) -> None:
                for name in names:
                    session.add(Tag(name=name))
                await session.flush()
            """
        ),
    )
    good = (
        Example(
            """
            from sqlalchemy.ext.asyncio import AsyncSession


            async def import_tags(session: AsyncSession, names: list[str]) -> None:
                session.add_all([Tag(name=name) for name in names])
                await session.flush()
            """
        ),
        Example(
            """
            def collect(items: set, rows: list) -> None:
                for row in rows:
                    items.add(row)
            """,
            note="a set's add()",
        ),
    )

    def may_fire(self, evidence: Evidence) -> bool:
        return evidence.has_attribute("add") and evidence.has("for", "while")

    def visit_For(self, node: cst.For, ctx: FileContext) -> None:
        ctx.stash(self.code).append(node)

    def leave_For(self, node: cst.For, ctx: FileContext) -> None:
        ctx.stash(self.code).pop()

    def visit_While(self, node: cst.While, ctx: FileContext) -> None:
        ctx.stash(self.code).append(node)

    def leave_While(self, node: cst.While, ctx: FileContext) -> None:
        ctx.stash(self.code).pop()

    def visit_Call(self, node: cst.Call, ctx: FileContext) -> None:
        if (
            ctx.stash(self.code)
            and isinstance(node.func, cst.Attribute)
            and node.func.attr.value == "add"
            and _is_session(node.func.value, ctx)
        ):
            ctx.report(node)

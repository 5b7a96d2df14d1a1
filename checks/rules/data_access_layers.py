"""FG402 (route modules doing data access) and FG107 (`session.add()` in a loop)."""

from __future__ import annotations

import libcst as cst

from checks.context import FileContext, dotted_name, http_adapter_name
from checks.prefilter import Evidence
from checks.rule import Example, Rule
from checks.rules.sqlalchemy_legacy_query import SESSION_CLASSES

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
_ROUTE_MODULES = frozenset(
    {"routes", "routers", "router", "views", "endpoints", "api", "controllers"}
)
_SESSION_METHODS = frozenset({"execute", "scalars", "scalar", "exec"})


def _imports_repository(qualified: str, name: str) -> bool:
    """Whether `from m import name` (resolved to `qualified`) brings in a repository: a
    `*Repository` class, or something of a `repositories`/`crud` package that is not
    itself part of the route layer (`routes/users/crud.py` holds routes) nor one of its
    private helper modules (`repos/_utils.py`)."""
    if name.endswith(("Repository", "Repo")):
        return not http_adapter_name(name)
    parts = qualified.split(".")
    segments = set(parts)
    if not segments & _REPOSITORY_MODULES or segments & _ROUTE_MODULES:
        return False
    # a private helper module of the package (`repos/_utils.py`) is not a repository
    return not any(part.startswith("_") and not part.startswith("__") for part in parts[:-1])


def _is_session(expr: cst.BaseExpression, ctx: FileContext) -> bool:
    inferred = ctx.infer(expr)
    if inferred is not None and not inferred.iterable and inferred.cls in SESSION_CLASSES:
        return True
    name = (dotted_name(expr) or "").rpartition(".")[2].lower()
    return "session" in name and "maker" not in name and "factory" not in name


class DataAccessInRoutes(Rule):
    code = "FG402"
    name = "data-access-in-route"
    family = "layering"
    message = "Route module does data access: move it into a repository, called by a service"
    summary = (
        "Checks route modules (the `routes` layer) for data access: SQL built or run there "
        "(`select()`, `session.execute()`), and imports of repositories or ORM models."
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
            expect=3,
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
    )

    def may_fire(self, evidence: Evidence) -> bool:
        return evidence.layer == "route"

    def visit_ImportFrom(self, node: cst.ImportFrom, ctx: FileContext) -> None:
        if ctx.layer != "route" or isinstance(node.names, cst.ImportStar):
            return
        module = dotted_name(node.module) if node.module is not None else ""
        for alias in node.names:
            name = dotted_name(alias.name) or ""
            local = (
                alias.asname.name.value
                if alias.asname is not None and isinstance(alias.asname.name, cst.Name)
                else name
            )
            qualified = ctx.imports.get(local)
            target = qualified or f"{module}.{name}"
            if target.startswith("."):  # relative, package unknown: it is near this file
                target = ".".join([*ctx.path.parent.parts, target.lstrip(".")])
            if _imports_repository(target, name):
                ctx.report(alias, "Route module imports a repository: call a service instead")
                continue
            third_party = (module or "").split(".", 1)[0] in {"sqlalchemy", "sqlmodel"}
            if qualified and not third_party and name[:1].isupper() and not name.isupper():
                derivation = ctx.is_orm_model(qualified)
                message = "Route module imports an ORM model: use schemas and a service"
                if derivation is True:
                    ctx.report(alias, message)
                elif derivation is not False:
                    ctx.report_if(alias, derivation, message)

    def visit_Call(self, node: cst.Call, ctx: FileContext) -> None:
        if ctx.layer != "route":
            return
        if ctx.qualified_name(node.func) in SQL_BUILDERS:
            ctx.report(node, "Route module builds SQL: move the query into a repository")
        elif (
            isinstance(node.func, cst.Attribute)
            and node.func.attr.value in _SESSION_METHODS
            and _is_session(node.func.value, ctx)
        ):
            ctx.report(node, "Route module runs SQL: move the query into a repository")


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

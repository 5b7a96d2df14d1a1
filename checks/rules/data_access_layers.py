"""FG402 (route modules doing data access) and FG107 (`session.add()` in a loop)."""

from __future__ import annotations

from dataclasses import dataclass

from checks.context import ORM_MODEL_BASES, FileContext, dotted_name, http_adapter_name
from checks.lazy import libcst as cst
from checks.prefilter import Evidence
from checks.project import Condition
from checks.rule import Example, Rule
from checks.rules.sqlalchemy_legacy_query import SESSION_CLASSES
from checks.structure import Structure

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
_ANNOTATED = frozenset({"typing.Annotated", "typing_extensions.Annotated"})


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


@dataclass(slots=True)
class _RouteImport:
    """An import statement of a route module that brings in repositories or ORM models."""

    node: cst.ImportFrom
    repositories: list[str]
    #: (local name, imported name, whether it is an ORM model: True or a condition)
    models: list[tuple[str, str, bool | Condition]]


@dataclass(slots=True)
class _SqlCall:
    """SQL built or run in a route module, by the function (None: module level) it is in."""

    function: int | None
    node: cst.Call
    runs: bool


class DataAccessInRoutes(Rule):
    code = "FG402"
    name = "data-access-in-route"
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
        "from a dependencies module would.\n\n"
        "Where it applies: the `routes` layer (never tests)."
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
            expect=2,
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

    def may_fire_in(self, structure: Structure) -> bool:
        # `visit_Call`: a session's query method or a SQL builder called; `visit_ImportFrom`:
        # a repository imported, or a class of another module that may be an ORM model,
        # used as a value (the file names it outside the import)
        if structure.layer != "route":
            return False
        if structure.calls_method(*_SESSION_METHODS) or any(structure.calls_to(SQL_BUILDERS)):
            return True
        names = {chain.partition(".")[0] for chain in structure.chains}
        for node in structure.import_froms:
            for alias in node.names:
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
                    and any(structure.may_be_project_class(b) for b in bound)
                ):
                    return True
        return False

    # ------------------------------------------------------------------ imports
    def visit_ImportFrom(self, node: cst.ImportFrom, ctx: FileContext) -> None:
        if ctx.layer != "route" or isinstance(node.names, cst.ImportStar):
            return
        module = dotted_name(node.module) if node.module is not None else ""
        found = _RouteImport(node, [], [])
        for alias in node.names:
            name = dotted_name(alias.name) or ""
            local = (
                alias.asname.name.value
                if alias.asname is not None and isinstance(alias.asname.name, cst.Name)
                else name
            )
            names = ctx.marks(f"{self.code}-not-a-use")
            names.add(id(alias.name))
            if alias.asname is not None:
                names.add(id(alias.asname.name))
            qualified = ctx.imports.get(local)
            target = qualified or f"{module}.{name}"
            if target.startswith("."):  # relative, package unknown: it is near this file
                target = ".".join([*ctx.path.parent.parts, target.lstrip(".")])
            if _imports_repository(target, name):
                found.repositories.append(name)
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
            ctx.layer == "route"
            and not ctx.stash(f"{self.code}-annotations")
            and id(node) not in ctx.marks(f"{self.code}-not-a-use")
        ):
            _used_names(ctx, self.code).add(node.value)

    # ---------------------------------------------------------------------- SQL
    def visit_Call(self, node: cst.Call, ctx: FileContext) -> None:
        if ctx.layer != "route":
            return
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
        calls: list[_SqlCall] = ctx.stash(f"{self.code}-sql")
        mine = [call for call in calls if call.function == id(node)]
        if mine:
            calls[:] = [call for call in calls if call.function != id(node)]
            self._report_sql(mine, f"`{node.name.value}()`", ctx)

    def leave_Module(self, node: cst.Module, ctx: FileContext) -> None:
        calls: list[_SqlCall] = ctx.stash(f"{self.code}-sql")
        if calls:
            self._report_sql(calls, "module code", ctx)
        used = _used_names(ctx, self.code)
        found: _RouteImport
        for found in ctx.stash(f"{self.code}-imports"):
            models = [(n, d) for local, n, d in found.models if local in used]
            self._report_import(found, models, ctx)

    @staticmethod
    def _report_sql(calls: list[_SqlCall], where: str, ctx: FileContext) -> None:
        runs = any(call.runs for call in calls)
        builds = not all(call.runs for call in calls)
        verb = "builds and runs" if runs and builds else "runs" if runs else "builds"
        count = f" ({len(calls)} SQL calls)" if len(calls) > 1 else ""
        ctx.report(
            calls[0].node,
            f"Route module {verb} SQL in {where}{count}: move the queries into a repository",
        )

    @staticmethod
    def _report_import(
        found: _RouteImport, models: list[tuple[str, bool | Condition]], ctx: FileContext
    ) -> None:
        known = [name for name, derivation in models if derivation is True]
        conditions = [d for _, d in models if isinstance(d, Condition)]
        if found.repositories or known:
            # a definite finding names only what the file settles: a class of another
            # module is an ORM model only if the project index says so
            ctx.report(found.node, _import_message(found.repositories, known))
        elif conditions:
            refs = tuple(dict.fromkeys(ref for c in conditions for ref in c.refs))
            names = [name for name, d in models if isinstance(d, Condition)]
            message = _import_message([], names)
            ctx.report_if(found.node, Condition(refs, ORM_MODEL_BASES), message)


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


def _used_names(ctx: FileContext, code: str) -> set[str]:
    """The names the route module uses as values (outside annotations), so far."""
    holder = ctx.stash(f"{code}-used")
    if not holder:
        holder.append(set())
    used: set[str] = holder[0]
    return used


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

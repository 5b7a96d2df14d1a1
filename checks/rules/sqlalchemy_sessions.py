"""FG102-FG106, FG109: engines, sessions and SQL text in async SQLAlchemy code."""

from __future__ import annotations

import ast
import builtins
import os
import re
from collections.abc import Iterator, Sequence
from typing import Any, ClassVar

from checks.blocking import SYNC_IO_METHODS, SYNC_SESSION_OPENERS
from checks.context import (
    HTTP_METHODS,
    FileContext,
    FixSpec,
    child_nodes,
    code_of,
    conjoin,
    dependency_of,
    descendants,
    dotted_name,
    fastapi_parameter,
    is_main_guard,
    keyword_arg,
    module_definitions,
    node_memo,
    own_descendants,
    route_decorator,
)
from checks.coroutines import bound_in_class_body, module_bindings
from checks.lazy import lazy_pattern
from checks.lazy import libcst as cst
from checks.prefilter import Evidence
from checks.project import (
    BLOCKS,
    CALL,
    COROUTINE,
    HELD,
    INSTANCE_ATTRIBUTE_NAMES,
    INSTANCE_ATTRIBUTES,
    INSTANCE_FACTORIES,
    LIBRARY_INSTANCES,
    OPENED,
    SESSION_CLASSES,
    Condition,
)
from checks.project_facts import (
    ASYNC_SESSIONS,
    ASYNC_SESSIONS_MADE,
    EXPIRE_ON_COMMIT_SELECTED,
    IMPORTED,
    LOOP_RUN_CALLS,
    LOOP_RUN_FUNCTIONS,
    NAME_IMPORTED,
    SERVER_DATABASES,
    used_fact,
)
from checks.rule import Example, FixExample, Rule
from checks.rules.alembic_migrations import is_revision_file
from checks.rules.data_access_layers import WEB_FRAMEWORKS
from checks.rules.sqlalchemy_legacy_query import (
    AWAITED_SESSION_QUERY,
    is_legacy_session_query,
    is_model_query,
    note_query_chain,
)
from checks.rules.sqlalchemy_sql_text import (
    NAME,
    VALUE,
    Piece,
    SqlFlow,
    SqlText,
    analyze,
    loop_value,
    piece_code,
)
from checks.rules.sqlalchemy_textual import refused_by_sqlalchemy_2
from checks.session_receivers import (
    ASYNC_CONNECTION,
    ASYNC_ENGINE,
    ASYNC_SESSION_CLASSES,
    ASYNC_SESSION_FACTORY,
    DEPENDS,
    OPENERS,
    SCOPED_SESSION,
    SESSION_ONLY_COROUTINES,
    SYNC_CONNECTION,
    SYNC_DATABASE_CLASSES,
    SYNC_FACTORY_SPELLINGS,
    SYNC_SESSION_FACTORY,
    annotated_project_class,
    awaited_as_a_session,
    bindings_of,
    bound_once,
    canonical,
    depends_origin,
    function_binds,
    held_by_annotated,
    held_project_class,
    imported_origin,
    instance_attributes,
    is_async_session,
    is_sync_database,
    may_be_imported_instance,
    method_node,
    module_factories,
    property_opened,
    receiver_class,
    self_attribute,
    self_attributes_used,
)
from checks.structure import CallSite, Structure, definitions_around, stringish
from checks.structure import dotted_name as ast_dotted_name

ASYNC_SESSION_FACTORIES = frozenset(
    {
        "sqlalchemy.ext.asyncio.async_sessionmaker",
        "sqlalchemy.ext.asyncio.session.async_sessionmaker",
        *ASYNC_SESSION_CLASSES,
    }
)
SYNC_SESSION_FACTORIES = frozenset(
    {
        "sqlalchemy.create_engine",
        "sqlalchemy.engine.create_engine",
        "sqlalchemy.orm.sessionmaker",
        "sqlalchemy.orm.Session",
        "sqlalchemy.orm.session.Session",
        "sqlalchemy.orm.scoped_session",
        "sqlmodel.create_engine",
        "sqlmodel.Session",
    }
)
ASYNC_ENGINE_FACTORIES = frozenset(
    {
        "sqlalchemy.ext.asyncio.create_async_engine",
        "sqlalchemy.ext.asyncio.engine.create_async_engine",
    }
)
TEXT_FUNCTIONS = frozenset(
    {"sqlalchemy.text", "sqlalchemy.sql.text", "sqlalchemy.sql.expression.text", "sqlmodel.text"}
)
#: AsyncSession methods that return a coroutine.
ASYNC_SESSION_COROUTINES = frozenset(
    {
        "execute",
        "scalar",
        "scalars",
        "get",
        "get_one",
        "commit",
        "rollback",
        "flush",
        "refresh",
        "delete",
        "merge",
        "close",
        "stream",
        "stream_scalars",
        "run_sync",
        "connection",
        "invalidate",
    }
)
#: `AsyncEngine` and `AsyncConnection` methods that return a coroutine (`connect()` and
#: `begin()` return objects that are awaited or entered, and are left out).
ASYNC_ENGINE_COROUTINES = {
    ASYNC_ENGINE: frozenset({"dispose"}),
    ASYNC_CONNECTION: frozenset(
        {
            "execute",
            "exec_driver_sql",
            "scalar",
            "scalars",
            "stream",
            "stream_scalars",
            "commit",
            "rollback",
            "close",
            "invalidate",
            "run_sync",
            "get_raw_connection",
        }
    ),
}
_ENGINE_WORDS = {ASYNC_ENGINE: "AsyncEngine", ASYNC_CONNECTION: "AsyncConnection"}
_ASYNC_ENGINE_METHODS = frozenset().union(*ASYNC_ENGINE_COROUTINES.values())
#: What a coroutine must not create, open or query: sync sessions, engines,
#: connections and session factories.
_SYNC_HANDLES = SYNC_DATABASE_CLASSES | {SYNC_CONNECTION, SYNC_SESSION_FACTORY, SCOPED_SESSION}
SYNC_DRIVERS = lazy_pattern(
    r"^(postgres|postgresql|postgresql\+psycopg2|postgresql\+pg8000|mysql|mysql\+pymysql|"
    r"mysql\+mysqldb|sqlite|mssql\+pyodbc|oracle)://"
)
#: The names whose presence the pre-filter requires (the last part of a qualified name
#: always appears: as an attribute, or in the `from ... import` statement).
_LAST_SEGMENTS_ASYNC_SESSION = frozenset(
    name.rpartition(".")[2] for name in ASYNC_SESSION_CLASSES | ASYNC_SESSION_FACTORIES
)
_LAST_SEGMENTS_ASYNC_FACTORIES = frozenset(
    name.rpartition(".")[2] for name in ASYNC_SESSION_FACTORIES
)
_PACKAGES = ("sqlalchemy", "sqlmodel")
#: The names through which `checks.session_receivers` can know an `AsyncEngine` or an
#: `AsyncConnection`: the factory, the classes, in every spelling.
_ASYNC_ENGINE_SOURCES = frozenset(
    {
        *ASYNC_ENGINE_FACTORIES,
        ASYNC_ENGINE,
        ASYNC_CONNECTION,
        "sqlalchemy.ext.asyncio.engine.AsyncEngine",
        "sqlalchemy.ext.asyncio.engine.AsyncConnection",
    }
)
_LAST_SEGMENTS_ASYNC_ENGINE = frozenset(name.rpartition(".")[2] for name in _ASYNC_ENGINE_SOURCES)
#: Registries of sessions made by a factory they are given (`async_scoped_session(maker)`).
_SCOPED_REGISTRIES = frozenset(
    {
        "sqlalchemy.ext.asyncio.async_scoped_session",
        "sqlalchemy.ext.asyncio.scoping.async_scoped_session",
    }
)
#: The names through which `checks.session_receivers` can know a receiver is sync: its
#: classes, factories and their results, in every spelling (async ones lead to none).
_SYNC_SOURCES = frozenset(
    name
    for name in (
        *SYNC_DATABASE_CLASSES,
        *SYNC_SESSION_FACTORIES,
        *SYNC_FACTORY_SPELLINGS,
        SYNC_CONNECTION,
        SYNC_SESSION_FACTORY,
        SCOPED_SESSION,
        *LIBRARY_INSTANCES,
        *(owner for owner, _ in INSTANCE_ATTRIBUTES),
    )
    if "asyncio" not in name
)


def _may_be_bound(name: str, ctx: FileContext) -> bool:
    """Whether `name` may be bound where the coroutine reads it: by the coroutine itself
    or a function around it (`ctx.is_bound`, `function_binds`), at module level or by a
    `global` anywhere (an assignment, an import, a definition, a loop, `with` or `except`
    target), or may be (`from x import *`, a text CPython cannot parse), or a builtin.
    The module's names are read once per file, from CPython's tree."""
    if name in _BUILTIN_NAMES or ctx.is_bound(name) or function_binds(name, ctx):
        return True
    stash = ctx.stash(SyncSessionInAsyncModule.code + ".bound")
    if not stash:
        stash.append(_module_names(ctx.source if ctx.source is not None else b""))
    bound: frozenset[str] | None = stash[0]
    return bound is None or name in bound


_BUILTIN_NAMES = frozenset(dir(builtins))


def _module_names(source: bytes) -> frozenset[str] | None:
    """Every name a module binds at module level (`checks.coroutines.module_bindings`), or
    that a function declares `global`; None when it may bind any (a star import) or
    CPython cannot read it."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, OverflowError, RecursionError, MemoryError):
        return None
    bound = module_bindings(tree)
    if "*" in bound:
        return None
    declared = (
        name for node in ast.walk(tree) if isinstance(node, ast.Global) for name in node.names
    )
    return frozenset([*bound, *declared])


def _may_be_legacy_query(call: ast.Call) -> bool:
    """`x.query(...)` or `<...>.query.method(...)`: what `_legacy_query` may report."""
    func = call.func
    return isinstance(func, ast.Attribute) and (
        func.attr == "query"
        or (isinstance(func.value, ast.Attribute) and func.value.attr == "query")
    )


_SQL = lazy_pattern(r"\b(select|insert|update|delete|create|drop|alter|truncate|with)\b", re.I)


def _querying_method(node: cst.Call, ctx: FileContext) -> str | None:
    """For `self.method(...)` in a method of a module-level class: the first query on a
    sync session the object holds that `method` (sync) runs, itself or through the class's
    other sync methods it calls on `self` (`self.db.query(...)`), else None."""
    found = self_attribute(node.func, ctx)
    if found is None:
        return None
    owner, method = found
    return _querying_methods(owner.node, ctx).get(method)


def _querying_methods(cls: cst.ClassDef, ctx: FileContext) -> dict[str, str]:
    """The sync methods of a class whose own body queries a sync session, engine or
    connection held by the object (`self.db.commit()`, with `self.db: Session` typed in
    `__init__`), or calls another such method on `self`: each with its first query's code.
    Not what a function it defines runs (a thread's target). Computed once per class."""
    stash = ctx.stash("FG102.methods")
    for known_class, known in stash:
        if known_class is cls:
            found: dict[str, str] = known
            return found
    methods = {
        statement.name.value: statement
        for statement in (cls.body.body if isinstance(cls.body, cst.IndentedBlock) else ())
        if isinstance(statement, cst.FunctionDef) and statement.asynchronous is None
    }
    found = {}
    calls: dict[str, set[str]] = {}
    for name, method in methods.items():
        for inner in own_descendants(method.body):
            if not (isinstance(inner, cst.Call) and isinstance(inner.func, cst.Attribute)):
                continue
            receiver, attr = inner.func.value, inner.func.attr.value
            if isinstance(receiver, cst.Name) and receiver.value == "self":
                if attr in methods:
                    calls.setdefault(name, set()).add(attr)
            elif (
                name not in found
                and attr in SYNC_IO_METHODS
                and _held_by_self(receiver)
                and is_sync_database(receiver, ctx)
            ):
                found[name] = code_of(inner.func)
    changed = True
    while changed:  # through the methods it calls on `self`
        changed = False
        for name, callees in calls.items():
            if name not in found:
                via = next((found[callee] for callee in sorted(callees) if callee in found), None)
                if via is not None:
                    found[name] = via
                    changed = True
    stash.append((cls, found))
    return found


def _held_by_self(expr: cst.BaseExpression) -> bool:
    """`self.db`, `self.repo.session`: an attribute chain from `self`."""
    while isinstance(expr, cst.Attribute):
        expr = expr.value
        if isinstance(expr, cst.Name):
            return expr.value == "self"
    return False


def _is_async_engine(cls: str | None) -> bool:
    """`AsyncEngine` in any spelling (sqlmodel re-exports it from
    `sqlmodel.ext.asyncio.session`)."""
    return (
        cls is not None
        and cls.startswith(("sqlalchemy.", "sqlmodel."))
        and cls.endswith(".AsyncEngine")
    )


class SyncSessionInAsyncModule(Rule):
    code = "FG102"
    name = "sync-session-in-async-code"
    family = "SQLAlchemy"
    message = (
        "Synchronous SQLAlchemy engine or session used in `async def`: each query blocks "
        "the event loop; use `AsyncSession`, or run the sync code in a thread (a route or "
        "dependency declared `def` runs in FastAPI's threadpool)"
    )
    summary = (
        "Checks for a synchronous engine, session or connection used directly in an "
        "`async def` (on a route another decorator wraps, `@require_permissions(...)`, "
        "whose wrapper may await it, not a rate limit, `@limiter.limit(...)`, and in a "
        "coroutine that awaits something else, the message offers `run_in_threadpool` "
        "rather than `def`, and in a method neither a route nor one FastAPI calls, a "
        "thread its callers run it in, or `def` up to the route): created there "
        "(`Session(engine)`, `create_engine(...)` unless "
        "wrapped in an `AsyncEngine(...)`, a function of "
        "the module annotated `-> Engine` or `-> Session`), opened from a factory the "
        "object holds (`self.Session()` with `self.Session = scoped_session(...)` in "
        "`__init__`) or from a "
        "module-level sync factory (`SessionLocal()`, `engine.connect()`), of this module or "
        "imported from another of the project (`from app.db import SessionLocal`: the "
        "project index reads what it is), or from a function or context manager of another "
        "module that gives one (`with get_sync_db_session() as session:`: its return "
        "annotation, `-> Generator[Session, None, None]` for a `@contextmanager`, or the "
        "chain of calls giving what it yields, `with manager.create_session() as s: yield "
        "s`, or the session factory the instance holds, `session = self._session_factory()` "
        "of one a method of its class made; also a method of another module's instance, "
        "`with db_manager.get_session() as session:` of `db_manager = DatabaseManager()`), "
        "or from a property of the class or of a base of another module that gives "
        "one (`with self.session as session:` where `session` is a `@property` returning "
        "such a context manager, or annotated `-> Session`), or from a `sessionmaker` of "
        "unknown class (`session_maker: sessionmaker`, a dataclass field) opened by a "
        "plain `with` (only a sync `Session` is a sync context manager), or queried "
        "through a receiver known to be one (`db: Session`, `self.db` typed in `__init__`, "
        "FastAPI-SQLAlchemy's and Flask-SQLAlchemy's `db.session`, a parameter annotated "
        "with a class of another module of the project that is a sync session: "
        "`session: deps.Session` where `deps` imports `Session` from `sqlmodel`, or a "
        "subclass of `Session`; an unannotated parameter FastAPI fills from a dependency of "
        "another module that yields or returns one: `db=Depends(get_db)` where `get_db` "
        "yields `SessionLocal()`, or a name the coroutine takes from it with `next()`: "
        "`with next(get_db()) as db:`; not in a chain the coroutine awaits, `await "
        "db.execute(q).where(...).first()`, which takes it for an `AsyncSession` whatever "
        "its annotation), or handed to a function (also one an imported factory "
        "opened, `db = SessionLocal()` then `UserService(db).record_login(...)`) "
        "(`crud.get_user(db, pk)`: it queries the session in the coroutine; not to a thread "
        "runner: `run_in_threadpool`, `asyncio.to_thread`, `run_in_executor`, nor to "
        "`background_tasks.add_task`, run after the response; nor to a class or a factory "
        "named for what it makes, `get_dashboard_service(db)`, whose methods the coroutine "
        "only awaits; what a route returns as is, `return create_user_service(user, db)`, "
        "is its answer, not a service made), unless the call is awaited; "
        "and a sync function of this module or another of the project (or a sync method "
        "of one of its module-level classes: `FlowDao.get_flows()`, `cls.get_flows()`, or "
        "on a name annotated with such a class of another module, or on an attribute of "
        "`self` its class annotates or `__init__` shows to hold one: `db.get()` with `db: "
        "DatabaseManager = Depends(get_db)`, `self.area_service.get_areas()`) "
        "called in it that opens a "
        "session itself (`get_provider_by_name(name)`, whose body runs `with "
        "Session(engine) as session:`, or `db = SessionLocal()` and queries it, or opens "
        "a context manager of the project that "
        "gives one, `with get_sync_db_session() as session:`: the project index reads "
        "them), or that queries a sync session its instance holds, or opens a sync session "
        "factory it holds, or calls such a method of an object it holds (`service.list()`, "
        "calling `self.repository.list()`, whose class's base holds `db: Session` and "
        "queries it; methods and attributes looked up through the bases, as Python does), "
        "reported at the first such call of the coroutine; and a sync method of the "
        "class called through `self` that "
        "queries a sync session the object holds (`self.db.flush()` with `self.db: "
        "Session` typed in `__init__`), itself or through the class's other such methods. "
        "A legacy query (`session.query(...)`, `Model.query`, as FG101 "
        "finds them) in a coroutine is such a use whatever the receiver: only a sync "
        "session has `query()`; not on a receiver the coroutine awaits a session's own "
        "method on (`await self.session.commit()`), or annotated with another module's "
        "class or alias the project index finds to be one (`db: async_db_dependency`) "
        "or held by such a name's object that keeps one (`service.db`), or "
        "opened from another module's factory it finds to be async (`async with "
        "AsyncSessionLocal() as session`): an "
        "`AsyncSession`, whose `query()` "
        "raises (FG101 reports it), nor on a name no scope around it binds (`db.query(...)` "
        "where the module binds no `db`: a `NameError`, not a session). One finding per "
        "`async def`, at its first such use; not the session handed to a call FG302 or "
        "FG303 reports (`authenticate_user(db, email, password)`, which checks a password "
        "too: one call, one finding, the one naming what blocks), nor to the object whose "
        "method such a call is, in the same function (`user_service = UserService(db)`, "
        "then `user_service.authenticate_user(...)`).\n\n"
        "Where it applies: every layer but tests and development tooling (the `tooling` "
        "layer: a seed script's or a benchmark's loop serves no request); not a service "
        "whose databases are "
        "SQLite files (its code names SQLite and neither its code nor how it is deployed, "
        "its requirements, `pyproject.toml`, compose files or `.env.example`, names a "
        "database server: by a URL, a URL's "
        "scheme built on or rewritten, a driver, a dialect, an import, a setting named for "
        "it, `POSTGRES_HOST`, or a quoted name assigned or compared; not a word of data or "
        "prose, nor a scheme only tested, `source.startswith('postgresql://')`, a user's "
        "data source; or, whatever else names a server, every engine the code makes, "
        "`create_engine`/`create_async_engine`, is on a literal SQLite URL, written in "
        "the call or bound once at module level, and none comes from a configuration, "
        "`engine_from_config`; DuckDB runs in the process, as SQLite does: a query there takes "
        "a millisecond or so, and a session moved to a thread fails SQLite's same-thread "
        "check; the move is the whole data layer's, to `aiosqlite`), unless the selection "
        "names FG102 or the code is new (the edit hook). A module may offer a sync path next to "
        "its async one (`get_session()` and `get_async_session()`), and sync code may run "
        "from `run_sync()`, a thread or a nested sync `def`: only a use in the coroutine "
        "itself blocks (a session made there, which connects when first used, and only "
        "handed to threads or stored for others, is no such use). Test code that sets up "
        "data with a sync engine blocks nothing a user waits for; nor do start-up and "
        "shutdown code: a lifespan (an "
        "`@asynccontextmanager` named `*lifespan*` or taking the app, annotated `FastAPI` "
        'or `Starlette`) and an `@app.on_event("startup")`/`("shutdown")` handler run '
        "when no request is being served; nor does a script that runs its own event loop "
        '(a cron job, a CLI: `if __name__ == "__main__":`, `asyncio.run(...)` or '
        "`loop.run_until_complete(...)`; a module of Celery tasks, `@celery_app.task`; and "
        "no web framework imported), whose loop serves that run alone; nor the body of a "
        "module-level `async def` the module runs with `asyncio.run(main())` and names "
        "nowhere else (or a method it runs only so: `asyncio.run(self.observe())`), even "
        "where it imports a web framework for another mode, or of one another module of "
        "the project runs so (`asyncio.run(collect())` in a Celery task) where no other "
        "module names it (its tests aside) and no decorator wraps it (a run of the whole "
        "project); nor a service on AWS Lambda alone (see FG301: one request per "
        "environment at a time)."
    )
    why = (
        "A synchronous session does blocking database IO: called from a coroutine it stops "
        "the event loop for every query, and every other request waits. Async code uses "
        "`create_async_engine`, `async_sessionmaker` and `AsyncSession` (with asyncpg) and "
        "awaits each query; code that must stay sync runs in a thread "
        "(`run_in_threadpool`, `asyncio.to_thread`) or through `AsyncSession.run_sync()`."
    )
    bad = (
        Example(
            """
            from sqlalchemy import Engine, create_engine, text


            def _engine(url: str) -> Engine:
                return create_engine(url, pool_pre_ping=True)


            async def execute_query(url: str, query: str) -> list[object]:
                engine = _engine(url)
                with engine.begin() as conn:
                    return list(conn.execute(text(query)))
            """,
            path="registry/core/sql.py",
            note="an engine a helper of the module returns (tracecat's SQL action)",
        ),
        Example(
            """
            import anyio
            from sqlalchemy.orm import Session


            async def dispatch(request: Request, call_next: Callable[..., Any]) -> Response:
                session = Session(engine, expire_on_commit=False)
                request.state.session = session
                response = await call_next(request)
                await anyio.to_thread.run_sync(session.commit)
                session.close()
                return response
            """,
            note="a session made in the coroutine, whose `close()` runs there",
        ),
        Example(
            """
            from app.database import session_scope


            async def fail_job(job_id: int, reason: str) -> None:
                with session_scope() as session:
                    session.get(Job, job_id).fail(reason)
                    session.commit()
            """,
            path="app/routes/tuning.py",
            project=(
                (
                    "app/database.py",
                    """
                    import contextlib
                    from collections.abc import Iterator

                    from sqlalchemy.orm import Session, sessionmaker

                    SessionLocal = sessionmaker()


                    def get_session() -> Iterator[Session]:
                        with SessionLocal() as session:
                            yield session


                    session_scope = contextlib.contextmanager(get_session)
                    """,
                ),
            ),
            note="a context manager made by a call, of the app's dependency (recordlinker)",
        ),
        Example(
            """
            from fastapi import APIRouter

            from app.core.db import get_provider_by_name

            router = APIRouter()


            @router.post("/event/{provider}")
            async def receive_event(provider: str) -> dict[str, str]:
                found = get_provider_by_name(provider)
                return {"id": found.id}
            """,
            path="app/routes/alerts.py",
            project=(
                (
                    "app/core/db.py",
                    """
                    from sqlmodel import Session, create_engine, select

                    from app.models import Provider

                    engine = create_engine("postgresql://db/app")


                    def get_provider_by_name(name: str) -> Provider:
                        with Session(engine) as session:
                            return session.exec(select(Provider).where(Provider.name == name)).one()
                    """,
                ),
            ),
            note="a sync helper of another module that opens its own session (keep's webhook)",
        ),
        Example(
            """
            from fastapi import APIRouter

            from app.roles.dao import RoleDao

            router = APIRouter()


            @router.get("/roles/{role_id}")
            async def read_role(role_id: int) -> dict[str, str]:
                role = RoleDao.get_role(role_id)
                return {"name": role.name}
            """,
            path="app/roles/routes.py",
            project=(
                (
                    "app/core/database.py",
                    """
                    from collections.abc import Iterator
                    from contextlib import contextmanager

                    from sqlmodel import Session, create_engine

                    engine = create_engine("postgresql://db/app")


                    @contextmanager
                    def get_sync_db_session() -> Iterator[Session]:
                        with Session(engine) as session:
                            yield session
                    """,
                ),
                (
                    "app/roles/dao.py",
                    """
                    from app.core.database import get_sync_db_session
                    from app.roles.models import Role


                    class RoleDao:
                        @classmethod
                        def get_role(cls, role_id: int) -> Role:
                            with get_sync_db_session() as session:
                                return session.get(Role, role_id)
                    """,
                ),
            ),
            note="a sync DAO method opening the project's session context manager (bisheng)",
        ),
        Example(
            """
            from sqlalchemy import create_engine
            from sqlalchemy.orm import scoped_session, sessionmaker


            class PgVector:
                def __init__(self, url: str) -> None:
                    self.engine = create_engine(url)
                    self.Session = scoped_session(sessionmaker(bind=self.engine))

                async def async_insert(self, rows: list[dict[str, object]]) -> None:
                    with self.Session() as sess, sess.begin():
                        sess.execute(self.table.insert(), rows)
            """,
            path="vectordb/pgvector.py",
            note="a factory the object holds, called in a coroutine (agno's pgvector)",
        ),
        Example(
            """
            from sqlalchemy import create_engine
            from sqlalchemy.orm import sessionmaker

            engine = create_engine("postgresql+psycopg://app@db/app")
            SessionLocal = sessionmaker(bind=engine)


            async def count_users() -> int:
                with SessionLocal() as session:
                    return session.query(User).count()
            """,
            also=("FG101",),
        ),
        Example(
            """
            from fastapi import Depends
            from sqlalchemy import select
            from sqlalchemy.orm import Session


            async def list_users(db: Session = Depends(get_db)) -> list[User]:
                return list(db.scalars(select(User)))
            """,
            note="a sync session given to a coroutine by a dependency",
        ),
        Example(
            """
            from sqlalchemy.orm import Session


            async def transcribe(websocket, engine) -> None:
                await websocket.accept()
                with Session(engine) as db_session:
                    provider = fetch_default_provider(db_session)
                await websocket.send_json({"provider": provider.name})
            """,
            note="a session created in the coroutine",
        ),
        Example(
            """
            from fastapi import Depends
            from sqlalchemy.orm import Session


            async def read_user(user_id: int, db: Session = Depends(get_db)) -> User:
                return crud.get_user(db, user_id)
            """,
            note="a sync session handed to a function that queries it",
        ),
        Example(
            """
            from fastapi_sqlalchemy import db


            async def api_keys(organisation_id: int) -> list[ApiKey]:
                return ApiKey.for_organisation(db.session, organisation_id)
            """,
            note="FastAPI-SQLAlchemy's `db.session`, the request's sync session",
        ),
        Example(
            """
            from flask_sqlalchemy import SQLAlchemy

            db = SQLAlchemy()


            async def rename(user_id: int, name: str) -> None:
                db.session.execute(update(User).where(User.id == user_id).values(name=name))
            """,
            note="Flask-SQLAlchemy's `db.session`",
        ),
        Example(
            """
            async def find_user(session, email: str) -> User | None:
                return session.query(User).filter_by(email=email).first()


            async def find_team(team_id: int) -> Team | None:
                return Team.query.filter_by(id=team_id).one_or_none()
            """,
            expect=2,
            also=("FG101",),
            note="a legacy query in a coroutine: only a sync session has `query()`",
        ),
        Example(
            """
            from app.cache import redis_client


            async def menu(db, store_id: int) -> Menu | None:
                cached = redis_client.get(f"menu:{store_id}")
                return cached or db.query(Menu).filter_by(store_id=store_id).first()
            """,
            also=("FG101",),
            note="a legacy query after another module's object was queried: still the "
            "coroutine's finding (a socket.io handler of a delivery platform)",
        ),
        Example(
            """
            from sqlalchemy.orm import Session


            class TreeManager:
                def __init__(self, db: Session) -> None:
                    self.db = db

                def _insert_tree_state(self, root_id: int) -> None:
                    self.db.add(root_id)
                    self.db.flush()

                def _insert_default_state(self, root_id: int) -> None:
                    self._insert_tree_state(root_id)

                async def handle_interaction(self, root_id: int) -> int:
                    self._insert_default_state(root_id)
                    return root_id
            """,
            path="app/tree_manager.py",
            note="a sync method of the class that queries the object's session (Open-Assistant)",
        ),
    )
    good = (
        Example(
            """
            from fastapi import BackgroundTasks
            from sqlalchemy.orm import Session

            from app.imports import process_menu


            async def import_menu(background_tasks: BackgroundTasks, db: Session) -> dict[str, str]:
                background_tasks.add_task(process_menu, db=db)
                return {"status": "queued"}
            """,
            path="app/routes/import_menu.py",
            note="a session handed to a background task: run after the response",
        ),
        Example(
            AWAITED_SESSION_QUERY,
            path="app/repositories/logs.py",
            also=("FG101",),
            note="a legacy query on a receiver the coroutine awaits `commit()` on: an "
            "`AsyncSession`, whose `query()` raises (FG101's), no sync session blocking",
        ),
        Example(
            """
            from sqlalchemy.orm import Session

            from app.services.dashboard import get_dashboard_service


            async def dashboard(shop_id: int, db: Session) -> dict[str, int]:
                service = get_dashboard_service(db)
                return await service.stats(shop_id)
            """,
            path="app/routes/dashboard.py",
            note="a session handed to a factory named for the service it makes, whose "
            "methods the coroutine awaits: where they query it, they are the findings",
        ),
        Example(
            """
            from sqlalchemy import create_engine
            from sqlalchemy.ext.asyncio import AsyncEngine


            async def run_migrations_online() -> None:
                connectable = AsyncEngine(create_engine("postgresql+asyncpg://app@db/app"))
                async with connectable.connect() as connection:
                    await connection.run_sync(do_run_migrations)
                await connectable.dispose()
            """,
            path="app/db/migrations/env.py",
            note="a sync engine wrapped in an `AsyncEngine`: every statement is awaited",
        ),
        Example(
            """
            from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

            engine = create_async_engine("postgresql+asyncpg://app@db/app")
            SessionLocal = async_sessionmaker(engine, expire_on_commit=False)
            """
        ),
        Example(
            """
            import asyncio

            from shared.db import get_write_session_scope
            from shared.crud import get_saved_urls


            class RdpsJob:
                async def run(self) -> None:
                    with get_write_session_scope() as session:
                        for url in get_saved_urls(session):
                            await download(url)


            def main() -> None:
                loop = asyncio.new_event_loop()
                loop.run_until_complete(RdpsJob().run())


            if __name__ == "__main__":
                main()
            """,
            path="app/jobs/rdps_sfms.py",
            project=(
                (
                    "shared/db.py",
                    """
                    from collections.abc import Iterator
                    from contextlib import contextmanager

                    from sqlalchemy.orm import Session, sessionmaker

                    SessionLocal = sessionmaker()


                    @contextmanager
                    def get_write_session_scope() -> Iterator[Session]:
                        with SessionLocal() as session:
                            yield session
                    """,
                ),
            ),
            note="a cron job running its own loop: it blocks no request (wps)",
        ),
        Example(
            """
            from contextlib import asynccontextmanager

            from fastapi import FastAPI
            from sqlalchemy import create_engine, text
            from sqlalchemy.orm import Session

            engine = create_engine("postgresql+psycopg://app@db/app")


            @asynccontextmanager
            async def lifespan(app: FastAPI):
                with Session(engine) as session:
                    session.execute(text("SELECT 1"))
                yield
                engine.dispose()
            """,
            note="start-up and shutdown code: no request waits on it (SuperAGI's start-up)",
        ),
        Example(
            """
            from sqlalchemy import create_engine
            from sqlalchemy.orm import Session

            def migrate_data(url: str) -> None:
                with Session(create_engine(url)) as session:
                    session.commit()
            """,
            note="a sync script with no async code",
        ),
        Example(
            """
            from collections.abc import AsyncIterator, Iterator

            from sqlalchemy import create_engine
            from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
            from sqlalchemy.orm import Session, sessionmaker

            SyncSession = sessionmaker(create_engine("postgresql+psycopg://app@db/app"))
            AsyncSessionLocal = async_sessionmaker(
                create_async_engine("postgresql+asyncpg://app@db/app"), expire_on_commit=False
            )


            def get_session() -> Iterator[Session]:
                with SyncSession() as session:
                    yield session


            async def get_async_session() -> AsyncIterator[AsyncSession]:
                async with AsyncSessionLocal() as session:
                    yield session
            """,
            note="a library's deliberate sync path next to its async one",
        ),
        Example(
            """
            from sqlalchemy.ext.asyncio import AsyncSession
            from sqlalchemy.orm import Session


            def _purge(session: Session) -> None:
                session.execute(delete(AuditLog))


            async def purge(session: AsyncSession) -> None:
                await session.run_sync(_purge)
                await session.run_sync(lambda sync: sync.execute(delete(Draft)))
            """,
            note="sync code run through `run_sync()`",
        ),
        Example(
            """
            from sqlalchemy.orm import Session


            async def find_job(session: Session, job_id: str) -> Job | None:
                return (await session.execute(select(Job).where(Job.id == job_id))).scalar()
            """,
            note="an awaited call: the annotation is wrong, not the code",
        ),
        Example(
            """
            import asyncio

            from fastapi import Depends
            from fastapi.concurrency import run_in_threadpool
            from sqlalchemy.orm import Session


            async def read_user(user_id: int, db: Session = Depends(get_db)) -> User:
                user = await run_in_threadpool(crud.get_user, db, user_id)
                teams = await asyncio.to_thread(crud.get_teams, db, user_id)
                return await render(user, teams)
            """,
            note="the sync session handed to a worker thread",
        ),
        Example(
            """
            import anyio
            from sqlalchemy.orm import Session


            async def dispatch(request: Request, call_next: Callable[..., Any]) -> Response:
                session = Session(engine, expire_on_commit=False)  # connects when first used
                request.state.session = session
                try:
                    response = await call_next(request)
                    await anyio.to_thread.run_sync(session.commit)
                    return response
                finally:
                    await anyio.to_thread.run_sync(session.close)
            """,
            note="a session made in the coroutine and used only by worker threads "
            "(starlette-admin's middleware)",
        ),
        Example(
            """
            from sqlalchemy import create_engine
            from sqlalchemy.orm import Session


            async def test_report(client) -> None:
                with Session(create_engine("postgresql+psycopg://app@db/test")) as db:
                    db.add(User(name="ada"))
                    db.commit()
                assert (await client.get("/report")).status_code == 200
            """,
            path="tests/test_report.py",
            note="tests",
        ),
    )

    def may_fire(self, evidence: Evidence) -> bool:
        # a sync class or factory named here, or (`_imported_handle`) another module's
        # factory opened or queried, a legacy query (`_legacy_query`), or any call that
        # may be of another module's function that makes a sync session
        # (`_session_helper`): every coroutine may hold one
        return evidence.has("async")

    def may_fire_in(self, structure: Structure) -> bool:
        # `visit_Call`: a call in an `async def` on what the file shows to be a sync
        # session, engine, connection or factory, or given a sync session
        # (`checks.session_receivers` reads only this file: a sync class or factory, or
        # a library's session, is named in it); a legacy query (`x.query(...)`,
        # `Model.query.get(...)`); or, for `_imported_handle`, a name imported from a
        # module the index may read, called in an `async def` (`SessionLocal()`,
        # `engine.connect()`, `db_session.query()`: see `imported_origin`), or a property
        # of `self` opened in a `with` (`property_opened`)
        if structure.layer in ("test", "tooling"):
            return False
        in_async = [call for call in structure.calls if call.in_async]
        if not in_async:
            return False
        return (
            self._definite(structure, in_async)
            or any(True for _ in _imported_callees(structure, in_async))
            or any(True for _ in _own_callees(structure, in_async))
            or any(True for _ in _project_annotations(structure))
            or any(True for _ in _project_dependencies(structure))
            or _calls_held_objects(structure, in_async)
        )

    def deferred_conditions(self, structure: Structure) -> tuple[Condition, ...] | None:
        # without a sync class, factory or legacy query the file names, or a property it
        # opens, every finding here is one `_ask` makes: `_imported_handle` of an imported
        # object (called or queried in the coroutine: a prefix of a callee's name) and
        # `_annotated_handle` of a class of another module annotating a name of it; each
        # asks whether that object or class is (or, called, gives) a sync handle
        in_async = [call for call in structure.calls if call.in_async]
        if self._definite(structure, in_async) or _calls_held_objects(structure, in_async):
            return None  # (what `self.repo` holds, only the file's own reading tells)
        callees = set(_imported_callees(structure, in_async))
        refs = {*(origin for name in callees for origin in _origins(name))}
        refs.update(_project_annotations(structure))
        # `depends_origin`: what a dependency fills an unannotated parameter with
        refs.update(_project_dependencies(structure))
        # `_session_helper`: a function of another module, or of this one, that makes a
        # sync session
        helpers = callees | set(_own_callees(structure, in_async))
        # `_typed_receivers_method`: a method of such a class, called on a name the
        # coroutine annotates with it (`db.get(...)` with `db: DatabaseManager`)
        helpers.update(_typed_method_refs(structure, in_async))
        return (
            Condition(tuple(sorted(refs)), _SYNC_HANDLES, subject=OPENED),
            Condition(tuple(sorted(helpers)), SYNC_SESSION_OPENERS, subject=BLOCKS),
        )

    @staticmethod
    def _definite(structure: Structure, in_async: list[CallSite]) -> bool:
        """Whether the file may hold a finding that needs no other module's answer: a
        sync class or factory it names, a legacy query, or a property of `self` opened in
        a `with` (`own_property`, asked of the index, but not deferred)."""
        return (
            structure.refers_to(*_SYNC_SOURCES)
            or any(_may_be_legacy_query(call.node) for call in in_async)
            or _opens_a_property(structure)
        )

    def visit_Await(self, node: cst.Await, ctx: FileContext) -> None:
        ctx.marks(self.code + ".awaited").add(id(node.expression))
        ctx.marks(self.code + ".awaited-chain").update(_chain_calls(node.expression))

    def visit_With(self, node: cst.With, ctx: FileContext) -> None:
        if node.asynchronous is None:
            ctx.marks(self.code + ".opened").update(id(item.item) for item in node.items)
            bodies = ctx.stash(self.code + ".with-bodies")
            for item in node.items:
                if item.asname is not None and isinstance(item.asname.name, cst.Name):
                    bodies.append((id(item.item), item.asname.name.value, node.body))

    def visit_Call(self, node: cst.Call, ctx: FileContext) -> None:
        note_query_chain(node, ctx)
        # development tooling's coroutines run on its own loop, which serves no request
        # (FG301-FG303 leave it too: georgephilippas-ber's seeder, reader 90)
        if ctx.layer in ("test", "tooling") or not ctx.in_async_function:
            return
        function = ctx.function
        assert function is not None
        reported = ctx.marks(self.code)
        if ctx.runs_before_serving:
            return  # start-up or shutdown: no request waits on it
        if runs_its_own_loop(ctx):
            return  # a script's loop serves that run alone
        if id(function.node) in reported or id(node) in ctx.marks(self.code + ".awaited"):
            return  # an awaited call: the receiver is async, whatever its annotation says
        made = receiver_class(node, ctx)
        func = node.func
        wrapped = ctx.marks(self.code + ".wrapped")
        if _is_async_engine(made) and node.args and isinstance(node.args[0].value, cst.Call):
            # `AsyncEngine(create_engine(url))`: the sync engine is the async one's, whose
            # every statement is awaited (what `create_async_engine` does)
            wrapped.add(id(node.args[0].value))
        blocking: cst.CSTNode | None = (
            node if made is not None and made in _SYNC_HANDLES and id(node) not in wrapped else None
        )
        if blocking is not None and _made_for_threads(node, ctx):
            blocking = None  # made here, used only by worker threads
        if blocking is None and made is None and _sync_factory_opened(node, ctx, self.code):
            blocking = node
        queried = isinstance(func, cst.Attribute) and func.attr.value in SYNC_IO_METHODS
        if blocking is None and queried:
            assert isinstance(func, cst.Attribute)
            # not in a chain the coroutine awaits (`await db.execute(q).where(...).first()`
            # on `db: Session`): the code takes it for an `AsyncSession`, whatever its
            # annotation says (ConnorWhite9's async-only project, reader 152)
            if is_sync_database(func.value, ctx) and id(node) not in ctx.marks(
                self.code + ".awaited-chain"
            ):
                blocking = node
        if blocking is None and id(function.node) not in ctx.marks(self.code + ".opened-asked"):
            # only a sync session has `query()`: definite, whatever else the coroutine
            # asked of the index (`redis_client.get(key)` first: `_drop_pending`); but
            # what an imported factory opened (`with SessionLocal() as s`) is the use
            # already asked, and reported where it is opened
            blocking = self._legacy_query(node, ctx)
        # a legacy query on a name annotated with another module's class or alias
        # (`db: async_db_dependency`): unless the index finds an `AsyncSession` there,
        # whose `query()` raises (FG101's)
        legacy_on: str | None = None
        legacy_opened: str | None = None
        legacy_held: str | None = None
        if blocking is node and isinstance(func, cst.Attribute) and func.attr.value == "query":
            legacy_on = annotated_project_class(func.value, ctx)
            # or held by such a name's object (`service.db`): unless the class keeps an
            # `AsyncSession` there
            legacy_held = held_by_annotated(func.value, ctx) if legacy_on is None else None
            if legacy_on is None and legacy_held is None:
                # or on what another module's factory opened (`async with
                # AsyncSessionLocal() as session`, `db = SessionLocal()`): unless the
                # index finds an async one there
                opened = imported_origin(func.value, ctx)
                if (
                    opened is not None
                    and may_be_imported_instance(opened)
                    and not is_sync_database(func.value, ctx)
                ):
                    legacy_opened = opened
        passed_to: str | None = None
        if blocking is None and id(node) not in ctx.marks(self.code + ".awaited-chain"):
            # `crud.get(db, pk)` with `db: Session`; not `await Service(db=db).run()`,
            # whose constructor keeps the session for a coroutine, nor an object made
            # and handed on (`return Params(db_session=db)`): asked only of a call given
            # a session (it walks the coroutine)
            blocking = _sync_session_passed(node, ctx)
            if blocking is not None and _constructed_unused(node, ctx):
                blocking = None
            if blocking is not None:
                passed_to = ctx.qualified_name(node.func)
        message = None
        if blocking is None:
            # `self.add_state(...)`: a sync method of the class that queries the session
            # the object holds (`self.db: Session`), itself or through another such method
            queried_by = _querying_method(node, ctx)
            if queried_by is not None:
                blocking = node
                advice = "declare this function `def` (FastAPI runs it in its threadpool), or "
                advice += "use `AsyncSession`"
                default = _default_message(ctx)
                if default is not None:
                    # a service's method, or a coroutine that awaits: no `def` FastAPI runs
                    # in a thread (Fanilo-Nantenaina's, PerezO12's services: reader 131)
                    advice = default.partition("each query blocks the event loop; ")[2]
                message = (
                    f"`{code_of(node.func)}()` runs sync SQLAlchemy queries "
                    f"(`{queried_by}()`) inside `async def`: each blocks the event loop; " + advice
                )
        dependency = _annotated_dependency(node, ctx) if blocking is not None else None
        if (
            blocking is not None
            and passed_to is not None
            and "." in passed_to
            and not passed_to.startswith(".")
        ):
            # handed to a function of another module, unawaited: no query runs there if
            # it is a coroutine function (6110rstmks' `category_cruds.find_all(db)`, an
            # `async def` never awaited, reader 130; its body is checked where it is
            # defined): asked, as the coroutine's other uses after it are; a session of
            # another module's dependency too (KamilGrundas' `check_if_picture_exists(...,
            # db=db)` with `db: Session = Depends(get_db)`, FG304's dropped coroutine, and
            # the query the line below: reader 206)
            asked_coroutine = Condition((passed_to,), frozenset(), subject=COROUTINE, negated=True)
            given = None
            if dependency is not None:
                given = Condition((dependency,), ASYNC_SESSION_CLASSES, subject=CALL, negated=True)
            # kept where a definite use follows (Glyph-AI's `user_crud.get_user_by_email(db,
            # ...)` two lines above `db.query(...)`: the first use, reader 223)
            self._ask(
                ctx, id(function.node), passed_to, blocking, asked_coroutine, message, given, True
            )
        elif blocking is not None:
            reported.add(id(function.node))
            self._drop_pending(ctx, id(function.node))
            condition = _SERVER_DATABASE
            if legacy_on is not None:
                asked = Condition((legacy_on,), ASYNC_SESSION_CLASSES, negated=True)
                condition = _and_server_database(asked)
            elif legacy_opened is not None:
                asked = Condition((legacy_opened,), _OPENS_ASYNC, subject=OPENED, negated=True)
                condition = _and_server_database(asked)
            elif legacy_held is not None:
                asked = Condition((legacy_held,), ASYNC_SESSION_CLASSES, subject=HELD, negated=True)
                condition = _and_server_database(asked)
            elif dependency is not None:
                # `db: Session = Depends(get_db)` with `get_db` of another module: unless
                # the index reads an `AsyncSession` in what it gives (julesadonsi's
                # `async def get_db() -> AsyncSession`, reader 73), as a dependency of the
                # module is read in the file (`FileContext.dependency_given`)
                asked = Condition((dependency,), ASYNC_SESSION_CLASSES, subject=CALL, negated=True)
                condition = _and_server_database(asked)
            for owner, _, _, handed in ctx.stash(self.code + ".handed"):
                if owner == id(function.node):
                    # after a dependency's session handed to another module's function:
                    # where that is a coroutine function, this is the first use (the one
                    # finding of the coroutine, `_ask`)
                    condition = conjoin(condition, handed._replace(negated=not handed.negated))
            ctx.report_if(blocking, condition, message or _default_message(ctx))
        else:
            # `SessionLocal()` of an imported name: the file takes it for a class of that
            # name (`made`); what it is, the project index knows
            self._imported_handle(node, ctx, id(function.node), queried)
            self._annotated_handle(node, ctx, id(function.node), queried)
            self._session_helper(node, ctx, id(function.node))

    def _drop_pending(self, ctx: FileContext, function: int) -> None:
        """A definite finding of the coroutine replaces the ones it had that stand only if
        another module's object is sync (`_imported_handle`: `session.get(...)` on an
        `aiohttp.ClientSession` asked of the index): one finding per coroutine."""
        asked = ctx.stash(self.code + ".asked")
        nodes = {node for owner, _, node in asked if owner == function}
        if nodes:
            ctx.reports[:] = [
                r for r in ctx.reports if not (r.rule is self and id(r.node) in nodes)
            ]
            asked[:] = [entry for entry in asked if entry[0] != function]

    def _legacy_query(self, node: cst.Call, ctx: FileContext) -> cst.CSTNode | None:
        """A legacy query run in the coroutine, not awaited (FG101's evidence): only a
        sync session has `query()`, so it blocks (`db.session.query(User).first()`,
        Flask-SQLAlchemy's `User.query.get(pk)`)."""
        if id(node) in ctx.marks(self.code + ".awaited-chain"):
            return None  # `await db.query(...)...`: an `AsyncSession` misused (FG101)
        func = node.func
        if not isinstance(func, cst.Attribute):
            return None
        if isinstance(func.value, cst.Name) and not _may_be_bound(func.value.value, ctx):
            # `db.query(...)` where the module binds no `db` anywhere: a NameError, not a
            # session (SKhairulin's three stubs nothing calls: reader 143)
            return None
        if func.attr.value == "query" and is_legacy_session_query(node, ctx):
            if receiver_class(func.value, ctx) in ASYNC_SESSION_CLASSES or awaited_as_a_session(
                func.value, ctx
            ):
                # no `query()` on an `AsyncSession`: it raises (FG101); also on a receiver
                # the coroutine awaits a session's method on (trouchet's `self.session.
                # query(...)` beside `await self.session.commit()`, reader 83)
                return None
            return node
        receiver = func.value
        if isinstance(receiver, cst.Attribute) and is_model_query(receiver, func.attr.value, ctx):
            return receiver
        return None

    def _imported_handle(
        self, node: cst.Call, ctx: FileContext, function: int, queried: bool
    ) -> None:
        """A sync factory or engine of another module, opened here (`with SessionLocal()
        as session:`) or queried (`session.execute(...)` on such a session): a finding
        that stands if the project index finds the imported object to be sync."""
        origin: str | None = None
        if id(node) not in ctx.marks(self.code + ".opened") and not queried:
            # each name handed that an imported call made, asked in turn: the first that
            # is a session is the use (one finding per node, `_ask`)
            for handed in _handed_on(node, ctx, self.code):
                condition = Condition((handed,), _SYNC_HANDLES, subject=OPENED)
                self._ask(ctx, function, handed, node, condition)
            return
        if id(node) in ctx.marks(self.code + ".opened"):
            origin = imported_origin(node, ctx)
            if origin is not None and not _used_in_block(node, ctx, self.code):
                return  # only handed to awaited code or threads (capella's middleware)
            if origin is not None:
                ctx.marks(self.code + ".opened-asked").add(function)
        elif queried:
            receiver = node.func
            assert isinstance(receiver, cst.Attribute)
            if receiver_class(receiver.value, ctx) not in _SYNC_HANDLES:
                origin = imported_origin(receiver.value, ctx) or property_opened(
                    receiver.value, ctx, ctx.marks(self.code + ".opened")
                )
        if origin is None:
            return
        # the imported object, or what a call of it gives (`with get_session() as s`)
        condition = Condition((origin,), _SYNC_HANDLES, subject=OPENED)
        self._ask(ctx, function, origin, node, condition)

    def _annotated_handle(
        self, node: cst.Call, ctx: FileContext, function: int, queried: bool
    ) -> None:
        """A name annotated with a class of another module of the project (`session:
        deps.Session`), queried here or handed to a call (`deps.api_auth(key, session)`):
        a finding that stands if the project index finds that class to be a sync session
        (a re-export of `sqlmodel.Session`, or a subclass of `Session`)."""
        func = node.func
        if queried:
            assert isinstance(func, cst.Attribute)
            cls = annotated_project_class(func.value, ctx)
            if cls is not None:
                condition = Condition((cls,), _SYNC_HANDLES)
                self._ask(ctx, function, cls, node, condition)
                return
            dependency = depends_origin(func.value, ctx)
            if dependency is not None:  # `db=Depends(get_db)`, then `db.execute(...)`
                condition = Condition((dependency,), _SYNC_HANDLES, subject=OPENED)
                self._ask(ctx, function, dependency, node, condition)
                return
        if _hands_to_a_thread(node, ctx):
            return
        if _constructed_unused(node, ctx):
            # `BinanceService(db)`, then only `await binance_service.get_order(...)`: what
            # it does with the session, its coroutines do (MarchenkoRuslan's, reader 93),
            # as for a session the file shows sync (`_sync_session_passed`)
            return
        # each argument is asked (co-demos' `get_user_from_token(security_scopes=...,
        # db=db, token=token)`: the first one's class, a re-exported `SecurityScopes`,
        # is no session, and `db`'s is: reader 64)
        for arg in node.args:
            if arg.star:
                continue
            cls = annotated_project_class(arg.value, ctx)
            if cls is not None:
                self._ask(ctx, function, cls, arg.value, Condition((cls,), _SYNC_SESSIONS))
                continue
            dependency = depends_origin(arg.value, ctx)
            if dependency is not None:  # `db=Depends(get_db)`, then `get_users(db)`
                condition = Condition((dependency,), _SYNC_SESSIONS, subject=OPENED)
                self._ask(ctx, function, dependency, arg.value, condition)
                continue
            opened = ctx.marks(self.code + ".opened")
            origin = property_opened(arg.value, ctx, opened)
            if origin is not None:  # `with self.session as session: get(session, pk)`
                condition = Condition((origin,), _SYNC_SESSIONS, subject=OPENED)
                self._ask(ctx, function, origin, arg.value, condition)

    def _session_helper(self, node: cst.Call, ctx: FileContext, function: int) -> None:
        """A sync function of another module called here, neither awaited nor handed to
        a thread (`get_provider_by_name(...)`, where keep's `db.py` opens `with
        Session(engine) as session:`): its queries run in the coroutine, a finding that
        stands if the project index finds it to make a sync session
        (`ModuleSummary.blocking`)."""
        if id(node) in ctx.marks(self.code + ".opened"):
            return  # `with get_session() as s:`: what it gives is asked (`_imported_handle`)
        if _hands_to_a_thread(node, ctx) or _calls_a_coroutine_function(node, ctx):
            return
        name = imported_origin(node.func, ctx)
        owner = f"function of `{name.rpartition('.')[0]}`" if name is not None else None
        verb = "opens"
        if name is None and (name := _typed_receivers_method(node.func, ctx)) is not None:
            # it may query a session its object holds (`self.db`), or one a repository
            # it holds does (`ProjectIndex._method_blocks`)
            owner, verb = f"method of `{name.rpartition('.')[0]}`", "uses"
        name = name or _own_function(node.func, ctx)
        if name is None:
            return
        callee = code_of(node.func)
        message = (
            f"`{callee}()` is a sync {owner or 'function of this module'} that {verb} a "
            "sync SQLAlchemy session: its queries block the event loop inside `async def`; "
            f"use `AsyncSession` there, or `await asyncio.to_thread({callee}, ...)`"
            + idle_route_hint(ctx)
        )
        condition = Condition((name,), SYNC_SESSION_OPENERS, subject=BLOCKS)
        # asked apart from what the object opens (`db = SessionLocal()`, then `db.execute`);
        # on the called name when the call itself was asked of as a query on its receiver
        # (`MessageSessionDao.get_one(...)`: `get_one` is also a session's method): the
        # engine keeps one finding per node, the first asked
        asked = {entry[2] for entry in ctx.stash(self.code + ".asked")}
        where = node.func if id(node) in asked else node
        self._ask(ctx, function, f"{name}()", where, condition, message)

    def _ask(
        self,
        ctx: FileContext,
        function: int,
        origin: str,
        node: cst.CSTNode,
        condition: Condition,
        message: str | None = None,
        given: Condition | None = None,
        kept: bool = False,
    ) -> None:
        """Report on `node` if the index finds `condition` true: once per coroutine and
        object of another module (a definite finding of the coroutine drops it); `given`:
        a condition it stands on too, which the coroutine's later asks and definite uses
        do not negate (what its session's dependency gives, the same for them): such an
        ask is not dropped, a definite use after it stands only where it does not; so,
        too, one `kept` (a session handed to another module's function, the first use
        unless that is a coroutine function)."""
        asked = ctx.stash(self.code + ".asked")
        handed = ctx.stash(self.code + ".handed")
        if any(entry[:2] == (function, origin) for entry in (*asked, *handed)):
            return
        if given is None and not kept:
            asked.append((function, origin, id(node)))
        else:
            # kept where a definite use follows, which stands only where this does not
            # (the first use is the callee's or the definite one)
            handed.append((function, origin, id(node), condition))
        # at the first of the coroutine's asks that holds: one finding per coroutine, as
        # for a definite use (Jancarlos042003's `create_question` calls three services'
        # sync methods; making it `def`, or the session async, is one change)
        earlier = ctx.stash(self.code + ".asked-conditions")
        whole = condition
        for owner, before in earlier:
            if owner == function and len(before.refs) == 1 and before.also is None:
                whole = conjoin(whole, before._replace(negated=not before.negated))
        earlier.append((function, condition))
        if given is not None:
            whole = conjoin(whole, given)
        ctx.report_if(node, _and_server_database(whole), message or _default_message(ctx))


#: FG102's message where the pins admit SQLAlchemy 1.3 or older, which has no
#: `AsyncSession` (fastapi-react's `SQLAlchemy==1.3.19`, reader 46).
_BEFORE_1_4_MESSAGE = (
    "Synchronous SQLAlchemy engine or session used in `async def`: each query blocks the "
    "event loop; declare the route or dependency `def` (FastAPI runs it in its "
    "threadpool), or run the sync code in a thread (`AsyncSession` needs SQLAlchemy 1.4, "
    "which this project's pins do not require)"
)


def _before_1_4_message(ctx: FileContext) -> str | None:
    return _BEFORE_1_4_MESSAGE if ctx.sqlalchemy_admits_below("1.4") else None


def _default_message(ctx: FileContext) -> str | None:
    """FG102's message for a use in the coroutine being walked, definite or asked of the
    index (hei's login helpers, reader 53): on SQLAlchemy 1.3 pins, a thread or `def`;
    on a route another decorator wraps, or in a coroutine that awaits something else, a
    thread; else the rule's own (None)."""
    before = _before_1_4_message(ctx)
    function = ctx.function
    if before is not None or function is None:
        return before
    if _wrapped_route(function.node, ctx):
        return _WRAPPED_ROUTE_MESSAGE
    # asked once per coroutine (each of its asks and findings takes this message)
    known, awaiting = ctx.marks("FG102.awaits-read"), ctx.marks("FG102.awaits")
    if id(function.node) not in known:
        known.add(id(function.node))
        if _awaits(function.node):
            awaiting.add(id(function.node))
    if id(function.node) in awaiting:
        return _AWAITING_MESSAGE
    node = function.node
    if (
        function.owner is not None
        and not function.is_route
        and isinstance(node, cst.FunctionDef)
        and fastapi_parameter(node, ctx) is None
    ):
        # a service's or a repository's method, which its callers await: declared `def`,
        # FastAPI runs none of it in a thread (Holeekey's, AVedoai's, Apfirebolt's
        # repositories, readers 100, 102 and 106); a method of a class with a base may
        # override a hook the base awaits (sqladmin's `AuthenticationBackend.
        # authenticate`: maulanasly's, reader 116), so it stays `async def`
        if any(base not in (None, "object") for base in function.owner.bases):
            return _HOOK_MESSAGE
        return _METHOD_MESSAGE
    if (
        function.owner is None
        and not function.is_route
        and isinstance(node, cst.FunctionDef)
        and fastapi_parameter(node, ctx) is None
        and _awaited_helper(node.name.value, ctx)
    ):
        # a module's coroutine its routes await (`await handle_payment_succeeded(db,
        # ...)`: kl63's webhook, reader 123), no dependency: declared `def` alone, it
        # would hand its callers a value to await
        return _METHOD_MESSAGE.replace("this method", "this function")
    return None


def _awaited_helper(name: str, ctx: FileContext) -> bool:
    """Whether the module awaits a call of `name` (`await name(...)`) and never hands it
    to `Depends()`/`Security()` (a dependency's, which FastAPI calls)."""
    found = ctx.stash(f"FG102.awaited-helper:{name}")
    if not found:
        text = ctx.source or b""
        word = re.escape(name.encode())
        found.append(
            re.search(rb"\bawait\s+" + word + rb"\(", text) is not None
            and re.search(rb"\b(?:Depends|Security)\(\s*" + word + rb"\b", text) is None
        )
    return bool(found[0])


#: FG102's message for a route another decorator wraps (sqlbot's
#: `@require_permissions(...)`, whose wrapper awaits the route): declared `def`, it would
#: hand that wrapper a value to await, not a coroutine.
_WRAPPED_ROUTE_MESSAGE = (
    "Synchronous SQLAlchemy engine or session used in `async def`: each query blocks the "
    "event loop; use `AsyncSession`, or run the sync code in a thread (`await "
    "run_in_threadpool(...)`: a decorator wraps this route, which may await it, so "
    "declaring it `def` may not do)"
)


#: FG102's message for a coroutine that awaits something besides its sync queries: it
#: must stay `async def`, so a thread is the way for the sync code.
#: FG102's message for a method that is neither a route nor a function FastAPI calls
#: (no parameter of FastAPI's), and awaits nothing: its callers await it.
_METHOD_MESSAGE = (
    "Synchronous SQLAlchemy engine or session used in `async def`: each query blocks the "
    "event loop; use `AsyncSession`, or declare this method `def` and have its callers "
    "run it in a thread (`await asyncio.to_thread(...)`), or be `def` too up to the route "
    "(FastAPI runs a `def` route in its threadpool)"
)
_HOOK_MESSAGE = (
    "Synchronous SQLAlchemy engine or session used in `async def`: each query blocks the "
    "event loop; use `AsyncSession`, or run the sync code in a thread (`await "
    "run_in_threadpool(...)`: a method of a class with a base may be a hook its base "
    "awaits, so it stays `async def`)"
)
_AWAITING_MESSAGE = (
    "Synchronous SQLAlchemy engine or session used in `async def`: each query blocks the "
    "event loop; use `AsyncSession`, or run the sync code in a thread (`await "
    "run_in_threadpool(...)`: this function awaits, so it stays `async def`)"
)


def _awaits(node: cst.CSTNode) -> bool:
    """Whether a function's own body awaits (`await`, `async for`, `async with`)."""
    if not isinstance(node, cst.FunctionDef):
        return False
    return any(
        isinstance(inner, cst.Await)
        or (isinstance(inner, cst.For | cst.With) and inner.asynchronous is not None)
        for inner in own_descendants(node.body)
    )


def _wrapped_route(node: cst.CSTNode, ctx: FileContext) -> bool:
    """Whether a route (`@router.get(...)`) has a decorator besides its route
    registrations: a wrapper the route is called through. Not a rate limit
    (`@limiter.limit("5/minute")`: slowapi's wrapper calls a sync route as it is)."""
    if not isinstance(node, cst.FunctionDef) or route_decorator(node, ctx) is None:
        return False
    return any(
        not (
            isinstance(call := decorator.decorator, cst.Call)
            and isinstance(call.func, cst.Attribute)
            and (
                call.func.attr.value in HTTP_METHODS
                or (
                    call.func.attr.value == "limit"
                    and code_of(call.func.value).lower().endswith("limiter")
                )
            )
        )
        for decorator in node.decorators
    )


#: What an object of another module opens an `AsyncSession` from (`OPENED`).
_OPENS_ASYNC = ASYNC_SESSION_CLASSES | {ASYNC_SESSION_FACTORY}
#: FG102 stands unless the service's databases are SQLite files (or FG102 is named, or
#: the code is new: `checks.project_facts.SERVER_DATABASES`).
_SERVER_DATABASE = Condition((), frozenset(), fact=SERVER_DATABASES)


def _annotated_dependency(node: cst.Call, ctx: FileContext) -> str | None:
    """The dependency of another module of the project that fills a name the call
    queries or is handed (`db.get(...)`, `crud.get(db, pk)`), when that name is a
    parameter of the coroutine annotated with a class and defaulting to `Depends(dep)`
    (`db: Session = Depends(get_db)`): what FastAPI passes is what `dep` gives."""
    names = [arg.value for arg in node.args if isinstance(arg.value, cst.Name)]
    if isinstance(node.func, cst.Attribute) and isinstance(node.func.value, cst.Name):
        names.insert(0, node.func.value)
    return next(
        (found for name in names if (found := _parameter_dependency(name, ctx)) is not None),
        None,
    )


def _parameter_dependency(name: cst.Name, ctx: FileContext) -> str | None:
    """The dependency of another module of the project that fills `name`, a parameter of
    the function annotated with a class and defaulting to `Depends(dep)`, never bound
    again in its body."""
    function = ctx.function
    if function is None or not isinstance(function.node, cst.FunctionDef):
        return None
    params = function.node.params
    every = [*params.posonly_params, *params.params, *params.kwonly_params]
    param = next((p for p in every if p.name.value == name.value), None)
    if param is None or param.annotation is None:
        return None
    if bindings_of(name, ctx) != 1:
        return None  # bound again in the body: what it holds there is another thing
    given = dependency_of(param.default, ctx)
    dependency = ctx.qualified_name(given) if given is not None else None
    if dependency is not None and may_be_imported_instance(dependency):
        return dependency
    return None


def _and_server_database(condition: Condition) -> Condition:
    """`condition`, and `_SERVER_DATABASE` last in its chain of `also`s."""
    return conjoin(condition, _SERVER_DATABASE)


#: Calls that run what they are given in a worker thread: a sync session passed to them
#: blocks no event loop.
_THREAD_RUNNERS = frozenset(
    {
        "asyncio.to_thread",
        "starlette.concurrency.run_in_threadpool",
        "fastapi.concurrency.run_in_threadpool",
        "anyio.to_thread.run_sync",
        "functools.partial",
    }
)
#: What a coroutine must not hand to a sync function: a session or connection it queries.
_SYNC_SESSIONS = frozenset(
    {*(c for c in SYNC_DATABASE_CLASSES if not c.endswith("Engine")), SYNC_CONNECTION}
)
#: Builtins that only look at what they are given.
_INSPECTING_BUILTINS = frozenset(
    {"isinstance", "id", "type", "repr", "str", "print", "hasattr", "getattr", "setattr"}
)


def _sync_session_passed(node: cst.Call, ctx: FileContext) -> cst.CSTNode | None:
    """The first argument of a call, not awaited, that is a sync session or connection
    (`crud.get_user(db, pk)` with `db: Session`, `Model.find(db.session)` with
    FastAPI-SQLAlchemy's `db`): the callee queries it in the coroutine. A thread runner
    (`run_in_threadpool(fn, db)`, `loop.run_in_executor(None, fn, db)`) is no such call,
    and neither is an awaited one (the callee is a coroutine: the annotation may be
    wrong, as for an awaited query)."""
    if _hands_to_a_thread(node, ctx) or _calls_a_coroutine_function(node, ctx):
        return None
    for arg in node.args:
        value = arg.value
        if arg.star or not isinstance(value, cst.Name | cst.Attribute):
            continue
        cls = receiver_class(value, ctx)
        if cls is not None and cls in _SYNC_SESSIONS:
            return value
    return None


def _handed_on(node: cst.Call, ctx: FileContext, code: str) -> list[str]:
    """What the names handed to a sync call here were made by, where an imported callable
    made them (`db = SessionLocal()`, then `UserService(db).record_login(...)`: hei's
    login, reader 51), each of which may be a session's factory: all of them, in order
    (`get_user_data(token_payload=payload, db=db)` with `payload = verify_token(token)`
    first: phob0snt's RPC handler, reader 214); as `_sync_session_passed` asks of a
    session the file knows: not a call awaited, nor one that hands them to a thread or a
    coroutine function, nor an object made and handed on (`_constructed_unused`)."""
    if (
        id(node) in ctx.marks(code + ".awaited-chain")
        or _hands_to_a_thread(node, ctx)
        or _calls_a_coroutine_function(node, ctx)
    ):
        return []
    origins: list[str] = []
    for arg in node.args:
        # a name of the function bound to what the call of an imported factory gives, not
        # the imported object itself (`helper(engine)`)
        if arg.star or not isinstance(arg.value, cst.Name) or ctx.qualified_name(arg.value):
            continue
        origin = imported_origin(arg.value, ctx)
        if origin is not None and origin not in origins:
            origins.append(origin)
    if origins and _constructed_unused(node, ctx):
        return []
    return origins


#: A function named for the object it makes (`get_dashboard_service`, `make_user_repo`).
_FACTORY_OF = lazy_pattern(
    r"^(?:get|make|create|build|new)_\w*(?:service|repository|repo|dao|manager|usecase)$"
)


@node_memo
def _calls_and_bindings(
    body: cst.CSTNode,
) -> tuple[list[cst.Call], set[int], dict[int, set[str]]]:
    """The calls of a function's body (its nested functions' too), the ids of the
    expressions it awaits, and the names each value (by id) is assigned to."""
    calls: list[cst.Call] = []
    awaited: set[int] = set()
    assigned: dict[int, set[str]] = {}
    pending: list[cst.CSTNode] = [body]
    while pending:
        current = pending.pop()
        if isinstance(current, cst.Await):
            awaited.add(id(current.expression))
        elif isinstance(current, cst.Call):
            calls.append(current)
        elif isinstance(current, cst.Assign):
            assigned.setdefault(id(current.value), set()).update(
                t.target.value for t in current.targets if isinstance(t.target, cst.Name)
            )
        pending.extend(child_nodes(current))
    return calls, awaited, assigned


def _constructed_unused(node: cst.Call, ctx: FileContext) -> bool:
    """Whether the call makes an object (a CapWords callee: a class; or a factory named for
    it, `_FACTORY_OF`) that the coroutine
    calls no method of without `await`: neither `Service(db).run()` nor `service =
    Service(db)` then `service.run()`. What it does with the session, another coroutine
    or a thread does (`return Params(db_session=db)`, `await Service(db).run()`)."""
    name = dotted_name(node.func)
    last = (name or "").rpartition(".")[2].lstrip("_")  # `_CommonParams`
    function = ctx.function
    # or a factory named for what it makes (zhuguang2477's `get_dashboard_service(db)`,
    # which returns `DashboardService(db)`, then `await service.get_dashboard_stats(...)`:
    # reader 85)
    made = (last[:1].isupper() and not last.isupper()) or _FACTORY_OF.match(last) is not None
    if not made or function is None:
        return False
    if (
        not last[:1].isupper()
        and isinstance(ctx.parent(node), cst.Return)
        and isinstance(function.node, cst.FunctionDef)
        and route_decorator(function.node, ctx) is not None
    ):
        # what a route returns is its answer, not a service it made: a function named
        # like a factory that does the work (amalhsouna's `return create_user_service(user,
        # db)`, which queries and commits: reader 174); a dependency may return a factory's
        # service
        return False
    calls, awaited, assigned_by_value = _calls_and_bindings(function.node.body)
    assigned = assigned_by_value.get(id(node), set())
    for call in calls:
        func = call.func
        if not isinstance(func, cst.Attribute) or id(call) in awaited:
            continue
        base = func.value
        while isinstance(base, cst.Attribute | cst.Subscript):
            base = base.value  # `repos.recipes.get_one(...)`: what `repos` holds
        if base is node:
            return False  # `Service(db).run()`
        if isinstance(base, cst.Name) and base.value in assigned:
            return False  # `service = Service(db)` then `service.run()`
    return True


def _made_for_threads(node: cst.Call, ctx: FileContext) -> bool:
    """Whether a sync handle made in the coroutine (`session = Session(engine)`, which
    connects only when first used) is bound to a name that the coroutine only hands to
    a worker thread (`await anyio.to_thread.run_sync(session.commit)`, starlette-admin's
    session middleware) or stores for others (`request.state.session = session`, where
    each user is checked where it is): none of its I/O runs on the event loop. Any other
    use of the name, in a nested function too, keeps the finding."""
    function = ctx.function
    if function is None:
        return False
    nodes = list(own_descendants(function.node.body))
    bound: str | None = None
    binding: set[int] = set()
    for current in nodes:
        if isinstance(current, cst.Assign | cst.AnnAssign) and _gives(current.value, node):
            targets = (
                [t.target for t in current.targets]
                if isinstance(current, cst.Assign)
                else [current.target]
            )
            if len(targets) != 1 or not isinstance(targets[0], cst.Name):
                return False
            bound = targets[0].value
            binding.add(id(targets[0]))
            break
    if bound is None:
        return False
    neutral = set(binding)
    for current in nodes:
        if isinstance(current, cst.Call) and _hands_to_a_thread(current, ctx):
            for arg in current.args:
                value = arg.value
                if isinstance(value, cst.Attribute) and isinstance(value.value, cst.Name):
                    value = value.value  # `run_sync(session.commit)`
                if isinstance(value, cst.Name) and value.value == bound:
                    neutral.add(id(value))
        elif (
            isinstance(current, cst.Assign)
            and isinstance(current.value, cst.Name)
            and current.value.value == bound
            and all(isinstance(t.target, cst.Attribute | cst.Subscript) for t in current.targets)
        ):
            neutral.add(id(current.value))  # `request.state.session = session`
    pending: list[cst.CSTNode] = [function.node.body]
    while pending:  # every use, nested functions and lambdas included
        current = pending.pop()
        if isinstance(current, cst.Name) and current.value == bound and id(current) not in neutral:
            return False
        if isinstance(current, cst.Attribute):
            pending.append(current.value)  # `x.session` is another object's attribute
        else:
            pending.extend(child_nodes(current))
    return True


def _gives(value: cst.BaseExpression | None, node: cst.Call) -> bool:
    """Whether an assigned value is the call, or one branch of a conditional expression
    that gives it (`cast(Session, factory()) if ... else Session(factory)`)."""
    while True:
        if value is node:
            return True
        if isinstance(value, cst.IfExp):
            if _gives(value.body, node):
                return True
            value = value.orelse
        else:
            return False


def _sync_factory_opened(node: cst.Call, ctx: FileContext, code: str) -> bool:
    """A `sessionmaker` of unknown class (`session_maker: sessionmaker`, a dataclass field
    of OpenHands' settings store) called as the item of a plain `with` and queried in its
    block: only a sync `Session` is a sync context manager (`AsyncSession` has only
    `async with`), so what it opens is sync, whatever class the factory was given."""
    if id(node) not in ctx.marks(code + ".opened"):
        return False
    inferred = ctx.infer(node.func)
    if inferred is None or inferred.iterable or canonical(inferred.cls) != SYNC_SESSION_FACTORY:
        return False
    # queried in the coroutine itself, or handed to a sync call there; not handed to a
    # thread (sqladmin's sync branch runs `await anyio.to_thread.run_sync(session.execute,
    # stmt)`)
    return _used_in_block(node, ctx, code, unbound=False)


def _used_in_block(node: cst.Call, ctx: FileContext, code: str, unbound: bool = True) -> bool:
    """Whether what a plain `with` opens (`with SessionLocal() as session:`) is queried in
    its block or handed to a sync call there (`_queries_or_hands_on`); not when it is only
    handed to awaited code, which is checked where it is defined, or to threads (capella's
    middleware awaits a validation that runs each query through `asyncify`). `unbound`:
    the answer for a `with` that binds no name."""
    for opened, name, body in ctx.stash(code + ".with-bodies"):
        if opened == id(node):
            nodes = list(own_descendants(body))
            awaited = {id(n.expression) for n in nodes if isinstance(n, cst.Await)}
            return any(
                isinstance(call, cst.Call) and _queries_or_hands_on(call, name, awaited, ctx)
                for call in nodes
            )
    return unbound


def _queries_or_hands_on(call: cst.Call, name: str, awaited: set[int], ctx: FileContext) -> bool:
    """Whether a call queries the session `name` holds (`session.execute(...)`) or hands
    it to a sync call (`store.load(session)`), neither awaited nor a thread's."""
    func = call.func
    if (
        isinstance(func, cst.Attribute)
        and isinstance(func.value, cst.Name)
        and func.value.value == name
    ):
        return func.attr.value in SYNC_IO_METHODS
    if id(call) in awaited or _hands_to_a_thread(call, ctx):
        return False
    return any(isinstance(arg.value, cst.Name) and arg.value.value == name for arg in call.args)


def _typed_receivers_method(func: cst.BaseExpression, ctx: FileContext) -> str | None:
    """`Class.method` of another module of the project, for a call of a method on a name
    annotated with that class (autogen-studio's routes: `db: DatabaseManager =
    Depends(get_db)`, then `db.get(...)`, whose body opens `with Session(self.engine)`):
    the index knows whether the method makes a sync session, as for a function."""
    if not isinstance(func, cst.Attribute):
        return None
    # or an attribute of `self` holding one (`self.repository.create(...)`)
    cls = annotated_project_class(func.value, ctx) or held_project_class(func.value, ctx)
    return f"{cls}.{func.attr.value}" if cls is not None else None


def _own_function(func: cst.BaseExpression, ctx: FileContext) -> str | None:
    """The module-qualified name of a function of this module (`get_flows`), or a method
    of one of its module-level classes (`FlowDao.get_flows`, or `cls.get_flows` /
    `self.get_flows` in a method of `FlowDao`), that a call names: the index knows whether
    it makes a sync session (`ModuleSummary.blocking`, as for another module's)."""
    module = ctx.module_name
    dotted = dotted_name(func)
    if module is None or dotted is None:
        return None
    head, dot, rest = dotted.partition(".")
    if "." in rest:
        return None
    if dot and head in ("self", "cls"):
        function = ctx.function
        owner = function.owner if function is not None else None
        if owner is None or owner.outer is not None:
            return None
        return f"{module}.{owner.name}.{rest}"
    if head not in module_definitions(ctx):
        return None
    if dot:  # `FlowDao.get_flows(...)`: a method of a class of the module
        return f"{module}.{dotted}" if head in ctx.classes else None
    return None if head in ctx.classes or ctx.is_bound(head) else f"{module}.{dotted}"


def _calls_a_coroutine_function(node: cst.Call, ctx: FileContext) -> bool:
    """Whether the call is of an `async def` of this file (a function of the module, or a
    method of the class being walked, through `self`): it runs nothing when called, and
    its own body is checked where it queries the session."""
    func = node.func
    body: Sequence[cst.BaseStatement | cst.BaseSmallStatement] = ()
    name: str | None = None
    if isinstance(func, cst.Name) and not ctx.is_bound(func.value):
        body, name = ctx.module.body, func.value
    elif (
        isinstance(func, cst.Attribute)
        and isinstance(func.value, cst.Name)
        and func.value.value == "self"
    ):
        function = ctx.function
        owner = function.owner if function is not None else None
        if owner is not None and isinstance(owner.node.body, cst.IndentedBlock):
            body, name = owner.node.body.body, func.attr.value
    found = [d for d in body if isinstance(d, cst.FunctionDef) and d.name.value == name]
    return bool(found) and all(d.asynchronous is not None for d in found)


#: Command-line frameworks: a module of commands that run their own event loop.
CLI_FRAMEWORKS = ("typer", "click", "argparse", "fire", "cyclopts")


def runs_its_own_loop(ctx: FileContext) -> bool:
    """Whether the module is a script that runs its own event loop: a `__main__` guard and
    `asyncio.run(...)` or `loop.run_until_complete(...)`, or `asyncio.run(...)` as a
    statement of the module itself (an example client run as a file), or a command-line
    program's commands running one (typer, click, argparse: `asyncio.run(_run())` in a
    command), or a module of a `cli/` package, or a loop it makes (`new_event_loop()`)
    and runs forever (a simulator in a thread of its own) or until its coroutines are
    done (`run_until_complete`), or a module of Celery tasks (`_defines_tasks`),
    and no import of a web framework (a cron job, a CLI, a one-off migration, a task):
    its coroutines block no request (FG102, FG301-FG303)."""
    found = ctx.stash("FG102.own-loop")
    if not found:
        found.append(_own_loop(ctx))
    return bool(found[0]) or _runs_a_private_loop(ctx)


def _runs_a_private_loop(ctx: FileContext) -> bool:
    """Whether the code is in the body of a module-level `async def` the module runs with
    `asyncio.run(name(...))` and names nowhere else: the entry of a loop of its own, even
    in a module that imports a web framework (open-interpreter's `computer_use/loop.py`:
    `asyncio.run(main())` for its terminal chat, FastAPI for `--server`), whose own
    prompts and pauses block no request. Not the coroutines it awaits."""
    function = ctx.function
    if function is None or len(ctx.class_stack) > 1 or not function.is_async:
        return False
    node = function.node
    if not isinstance(node, cst.FunctionDef):
        return False
    if ctx.class_stack:
        # a method of a module-level class, not of a class nested in a function
        owner = ctx.class_stack[0]
        if function.owner is not owner or not any(s is owner.node for s in ctx.module.body):
            return False
    elif node is not ctx.outermost_function:
        return False
    entries = ctx.stash("own-loop:entries")
    if not entries:
        entries.append(_private_loop_entries(ctx))
    names: frozenset[str] = entries[0]
    return node.name.value in names


def _private_loop_entries(ctx: FileContext) -> frozenset[str]:
    """The module-level `async def`s whose every mention is the call `asyncio.run` is
    given (`asyncio.run(main())`) and which no decorator wraps; and so the `async def`
    methods of the module's classes whose every mention is such a call on an object
    (`asyncio.run(self.get_perception_infos(path))` in a sync method of modelscope-agent's
    Android environment, reader 44): the name's only other mention is its `def`."""
    source = ctx.source
    if source is not None and _RUN_CALL.search(source) is None:
        return frozenset()  # no call of a `run`: `asyncio.run(...)`, `from asyncio import run`
    functions = {
        statement.name.value
        for statement in ctx.module.body
        if isinstance(statement, cst.FunctionDef)
        and statement.asynchronous is not None
        and not statement.decorators
    }
    methods = {
        member.name.value
        for statement in ctx.module.body
        if isinstance(statement, cst.ClassDef) and isinstance(statement.body, cst.IndentedBlock)
        for member in statement.body.body
        if isinstance(member, cst.FunctionDef)
        and member.asynchronous is not None
        and not member.decorators
    }
    if not functions and not methods:
        return frozenset()
    run: dict[str, int] = {}
    mentions: dict[str, int] = {}
    for node in descendants(ctx.module):
        if isinstance(node, cst.Name) and (node.value in functions or node.value in methods):
            mentions[node.value] = mentions.get(node.value, 0) + 1
        elif (
            isinstance(node, cst.Call)
            and "asyncio.run" in (dotted_name(node.func), ctx.qualified_name(node.func))
            and len(node.args) == 1
            and isinstance(node.args[0].value, cst.Call)
        ):
            func = node.args[0].value.func
            if isinstance(func, cst.Name) and func.value in functions:
                run[func.value] = run.get(func.value, 0) + 1
            elif isinstance(func, cst.Attribute) and func.attr.value in methods:
                run[func.attr.value] = run.get(func.attr.value, 0) + 1
    # each mention of the name: its `def` and the calls `asyncio.run` is given (a
    # function and a method of one name: two `def`s, so neither counts)
    return frozenset(name for name, count in run.items() if mentions[name] == count + 1)


#: The text of a call of a function named `run` (`asyncio.run(main())`, `run(main())`).
_RUN_CALL = lazy_pattern(rb"\brun\s*\(")
#: Functions that run an event loop of their own until the coroutine given is done.
#: What runs a loop of the module's own (`checks.project_facts`, as `checks.private_loops`
#: reads them across modules).
_LOOP_RUNNERS = LOOP_RUN_CALLS | LOOP_RUN_FUNCTIONS


def _own_loop(ctx: FileContext) -> bool:
    source = ctx.source
    if "cli" in ctx.relative_path.parts[:-1]:
        # a module of a command-line package (prefect's `cli/deploy/_actions.py`, the
        # helpers its commands await): its coroutines run in the command's loop, unless
        # the module serves requests itself (a login callback's web app)
        return not _imports_a_web_framework(ctx)
    if (source is None or b"elery" in source or b"shared_task" in source) and _defines_tasks(ctx):
        # a module of Celery tasks (`@celery_app.task`, `@shared_task`): a worker process
        # runs them, and the coroutines a task runs are on the loop it makes for them
        # (SurfSense's `run_async_celery_task(...)`): they serve that task alone
        return not _imports_a_web_framework(ctx)
    if source is not None and b"run" not in source:
        return False  # nothing that runs a loop: the usual module
    guarded = runs = False
    top_level = any(
        isinstance(statement, cst.SimpleStatementLine)
        and any(
            isinstance(small, cst.Expr | cst.Assign)
            and isinstance(small.value, cst.Call)
            and "asyncio.run"
            in (dotted_name(small.value.func), ctx.qualified_name(small.value.func))
            for small in statement.body
        )
        for statement in ctx.module.body
    )
    cli = ctx.imports_module(*CLI_FRAMEWORKS)
    forever = source is None or b"run_forever" in source or b"new_event_loop" in source
    if not (top_level or cli or forever) and source is not None and b"__main__" not in source:
        return False  # no `__main__` guard, no loop of its own
    made = kept = False  # `asyncio.new_event_loop()`, and `loop.run_forever()`
    for node in descendants(ctx.module):
        if _imports_web_framework(node):
            return False
        if isinstance(node, cst.If) and is_main_guard(node.test):
            guarded = True
        elif isinstance(node, cst.Call):
            name = dotted_name(node.func) or ""
            runs = runs or name.rpartition(".")[2] == "run_until_complete"
            # `asyncio.run(main())`, or AnyIO's `anyio.run(main)` (crawl4ai's click
            # commands): a loop of the program's own
            runs = runs or not _LOOP_RUNNERS.isdisjoint((name, ctx.qualified_name(node.func)))
            made = made or ctx.qualified_name(node.func) == "asyncio.new_event_loop"
            kept = kept or name.rpartition(".")[2] == "run_forever"
    # a loop of its own run forever (keep's demo simulator: `new_event_loop()`,
    # `run_forever()`, in a thread it starts), or run to complete its coroutines
    # (frigate's stats: `new_event_loop()`, `run_until_complete(run_tasks())` in a sync
    # function its thread and sync routes call): they run there, not on a request's
    return ((guarded or cli) and runs) or top_level or (made and (kept or runs))


def _defines_tasks(ctx: FileContext) -> bool:
    """Whether a module-level function of the module is a Celery task: decorated with
    `@shared_task` (Celery's) or with an app's `task` decorator, in a module importing
    Celery (`@app.task` where `app = Celery(...)`) or on an app named so
    (`@celery_app.task(name=...)`)."""
    for statement in ctx.module.body:
        if not isinstance(statement, cst.FunctionDef):
            continue
        for decorator in statement.decorators:
            expr = decorator.decorator
            func = expr.func if isinstance(expr, cst.Call) else expr
            name = ctx.qualified_name(func) or ""
            dotted = dotted_name(func) or ""
            if name in ("celery.shared_task", "celery.app.shared_task"):
                return True
            app, _, attribute = dotted.rpartition(".")
            if attribute == "task" and ("celery" in app.lower() or ctx.imports_module("celery")):
                return True
    return False


#: Libraries of command-line programs: argument parsers, and prompts for a terminal.
_TERMINAL_LIBRARIES = (*CLI_FRAMEWORKS, "prompt_toolkit", "questionary", "inquirer")


def command_line_program(ctx: FileContext) -> bool:
    """Whether the module is a command-line program: a `__main__` guard at module level,
    an import of a command-line or prompt library (`argparse`, `click`, `prompt_toolkit`,
    ...) and none of a web framework (invokeai's `gallery_maintenance.py`, its 3.0 image
    import tool), or a Django management command (`management/commands/x.py` defining
    `Command`): what it runs comes from the operator at the terminal (FG105)."""
    found = ctx.stash("own:command-line")
    if not found:
        parts = ctx.relative_path.parts
        found.append(
            # a Django management command (`manage.py migrate_to_v2`: unstract's one-off
            # migration), run by the operator at the terminal
            (
                parts[-3:-1] == ("management", "commands")
                and any(
                    isinstance(statement, cst.ClassDef) and statement.name.value == "Command"
                    for statement in ctx.module.body
                )
            )
            or (
                (
                    (
                        any(
                            isinstance(statement, cst.If) and is_main_guard(statement.test)
                            for statement in ctx.module.body
                        )
                        and ctx.imports_module(*_TERMINAL_LIBRARIES)
                    )
                    or _defines_commands(ctx)
                )
                and not _imports_a_web_framework(ctx)
            )
        )
    return bool(found[0])


def _defines_commands(ctx: FileContext) -> bool:
    """Whether the module defines a click or typer command (`@search.command()`, `@cli.
    group()`, `@app.command()`): a command group's module, run from the terminal through
    its program's entry point (example-service's `cli/commands/search.py`, reader 51)."""
    if not ctx.imports_module("click", "typer"):
        return False
    return any(
        isinstance(statement, cst.FunctionDef)
        and any(
            isinstance(call := decorator.decorator, cst.Call)
            and isinstance(call.func, cst.Attribute | cst.Name)
            and (call.func.attr.value if isinstance(call.func, cst.Attribute) else call.func.value)
            in ("command", "group")
            for decorator in statement.decorators
        )
        for statement in ctx.module.body
    )


def _imports_a_web_framework(ctx: FileContext) -> bool:
    """Whether the module imports a web framework anywhere (`WEB_FRAMEWORKS`), found once
    per file (`command_line_program` and `_script_condition` ask it)."""
    found = ctx.stash("own:web-framework")
    if not found:
        found.append(any(_imports_web_framework(node) for node in descendants(ctx.module)))
    return bool(found[0])


def _imports_web_framework(node: cst.CSTNode) -> bool:
    """Whether `node` is an import of a web framework (aiohttp's server: `aiohttp.web`;
    its `ClientSession` serves nothing)."""
    if isinstance(node, cst.ImportFrom):
        name = dotted_name(node.module) if node.module is not None else None
        if name is None or node.relative:
            return False
        if name == "aiohttp":
            names = node.names
            return isinstance(names, cst.ImportStar) or any(
                dotted_name(alias.name) == "web" for alias in names
            )
        return _web_framework_module(name)
    if isinstance(node, cst.Import):
        return any(_web_framework_module(dotted_name(alias.name) or "") for alias in node.names)
    return False


def _web_framework_module(name: str) -> bool:
    """Whether the module named is a web framework's (`WEB_FRAMEWORKS`; of aiohttp, its
    server, `aiohttp.web`)."""
    top = name.partition(".")[0]
    if top == "aiohttp":
        return name == "aiohttp.web" or name.startswith("aiohttp.web_")
    return top in WEB_FRAMEWORKS


def _opens_a_property(structure: Structure) -> bool:
    """Whether a coroutine opens an attribute of `self` in a `with` and names it (`with
    self.session as session:`; `property_opened`: the index knows what the property
    gives), or calls in a `with` what the file may know the class of (`with
    self.session_maker() as session:`, `_sync_factory_opened`)."""
    for node in structure.withs_in_coroutines:
        for item in node.items:
            opened = item.context_expr
            if (
                isinstance(item.optional_vars, ast.Name)
                and isinstance(opened, ast.Attribute)
                and isinstance(opened.value, ast.Name)
                and opened.value.id == "self"
            ) or (isinstance(opened, ast.Call) and structure.may_infer(opened.func)):
                return True
    return False


def _imported_callees(structure: Structure, in_async: list[CallSite]) -> Iterator[str]:
    """The names, resolved through the file's imports, of what a coroutine calls that may
    be a module-level object of another module of the project (`_imported_handle`:
    `SessionLocal()`, `engine.connect()`, `db_session.execute(...)`)."""
    for call in in_async:
        for qualified in structure.qualified(call.dotted):
            if structure.may_be_project_class(qualified) and may_be_imported_instance(qualified):
                yield qualified


def _own_callees(structure: Structure, in_async: list[CallSite]) -> Iterator[str]:
    """The module-qualified names of what a coroutine calls that may be a sync function
    of this module, or a sync method of one of its module-level classes (`get_flows()`,
    `FlowDao.get_flows()`, `cls.get_flows()` in a method of `FlowDao`): what
    `_own_function` asks the index of (`_session_helper`)."""
    module = structure.module
    if module is None:
        return
    defined = _module_level_definitions(structure.tree.body)
    for call in in_async:
        head, dot, rest = (call.dotted or "").partition(".")
        if not dot and head in defined:
            yield f"{module}.{head}"
        elif dot and "." not in rest and head in defined:
            yield f"{module}.{call.dotted}"
        elif dot and "." not in rest and head in ("self", "cls"):
            owners = [d for d in definitions_around(call.enclosing) if isinstance(d, ast.ClassDef)]
            if owners and owners[0] in structure.tree.body:
                yield f"{module}.{owners[0].name}.{rest}"


def _module_level_definitions(body: Sequence[ast.stmt]) -> frozenset[str]:
    """The names of the functions and classes a module's own statements define."""
    return frozenset(
        statement.name
        for statement in body
        if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
    )


def _origins(callee: str) -> Iterator[str]:
    """What `imported_origin` may name for a call of `callee`: the callee (`SessionLocal()`),
    or its receiver when the call opens it or queries it (`app.db.engine` of
    `engine.connect()`, `app.db.db.session` of `db.session.execute(...)`)."""
    yield callee
    receiver, _, method = callee.rpartition(".")
    if "." in receiver and (method in OPENERS or method in SYNC_IO_METHODS):
        yield receiver


def _project_annotations(structure: Structure) -> Iterator[str]:
    """What a coroutine annotates a parameter or a name with that may be a class of
    another module of the project (`_annotated_handle`, `annotated_project_class`): a
    chain of names in the annotation, or in a string annotation, resolving through the
    file's imports to a CapWords name of an absolute module the project may hold."""
    annotations = [
        arg.annotation
        for function in structure.functions
        if isinstance(function, ast.AsyncFunctionDef)
        for arg in (*function.args.posonlyargs, *function.args.args, *function.args.kwonlyargs)
        if arg.annotation is not None
    ]
    annotations.extend(node.annotation for node in structure.annotated_in_coroutines)
    for annotation in annotations:
        yield from _annotated_classes(annotation, structure)


def _project_dependencies(structure: Structure) -> Iterator[str]:
    """The functions that may fill an unannotated parameter of a coroutine through
    `Depends(...)` (`depends_origin`): its first argument (or `dependency=`), a chain of
    names resolving through the file's imports to an absolute module the project may
    hold."""
    # `next(get_db())` in a coroutine, bound to a name of it (`next_of_generator`)
    for call in structure.calls:
        node = call.node
        if (
            call.in_async
            and call.dotted == "next"
            and len(node.args) == 1
            and isinstance(node.args[0], ast.Call)
        ):
            for name in structure.qualified(ast_dotted_name(node.args[0].func)):
                if may_be_imported_instance(name):
                    yield name
    for function in structure.functions:
        if not isinstance(function, ast.AsyncFunctionDef):
            continue
        arguments = function.args
        positional = [*arguments.posonlyargs, *arguments.args]
        defaulted = positional[len(positional) - len(arguments.defaults) :]
        pairs = list(zip(defaulted, arguments.defaults, strict=True))
        pairs += [
            (arg, default)
            for arg, default in zip(arguments.kwonlyargs, arguments.kw_defaults, strict=True)
            if default is not None
        ]
        for arg, default in pairs:
            if arg.annotation is not None or not isinstance(default, ast.Call):
                continue
            if structure.qualified(ast_dotted_name(default.func)).isdisjoint(DEPENDS):
                continue
            given = [
                *default.args[:1],
                *(k.value for k in default.keywords if k.arg == "dependency"),
            ]
            for dependency in given:
                for name in structure.qualified(ast_dotted_name(dependency)):
                    if may_be_imported_instance(name):
                        yield name


def _annotated_classes(annotation: ast.expr, structure: Structure) -> Iterator[str]:
    """The names an annotation holds that may be a class of another module of the project
    (`_project_annotations`)."""
    for chain in _annotation_chains(annotation):
        for qualified in structure.qualified(chain):
            name = qualified.rpartition(".")[2]
            if (
                name[:1].isupper()
                and not name.isupper()
                and may_be_imported_instance(qualified)
                and structure.may_be_project_class(qualified)
            ):
                yield qualified


@node_memo
def _body_awaits(body: cst.BaseSuite) -> bool:
    """Whether a function's own body awaits (`async for` and `async with` do)."""
    return any(
        isinstance(inner, cst.Await)
        or (isinstance(inner, cst.For | cst.With | cst.CompFor) and inner.asynchronous is not None)
        for inner in own_descendants(body)
    )


def idle_route_hint(ctx: FileContext) -> str:
    """What a route that awaits nothing can do instead: be a `def`, which FastAPI runs in
    its threadpool, all its blocking calls with it (ark948's login route, reader 89: its
    bcrypt check and its sync session's query)."""
    function = ctx.function
    if function is None or not function.is_route or not isinstance(function.node, cst.FunctionDef):
        return ""
    if _body_awaits(function.node.body):
        return ""
    name = function.node.name.value
    return f"; or, as `{name}` awaits nothing, declare it `def` (FastAPI runs it in its threadpool)"


def _calls_held_objects(structure: Structure, in_async: list[CallSite]) -> bool:
    """Whether a coroutine method calls a method on an attribute of `self`, not awaited
    (`self.repository.create(...)`): `held_project_class` may find its class (an awaited
    call is never asked: `visit_Call`). Only an attribute the file binds can have one:
    `instance_attributes` reads the class's body and methods and its bases of this file
    (`self.client` of polar's SDK services, held by a base of another module, cannot)."""
    held = _bound_attributes(structure)
    for call in in_async:
        func, enclosing = call.node.func, call.enclosing
        if (
            not structure.is_awaited(call.node)
            and isinstance(func, ast.Attribute)
            and isinstance(func.value, ast.Attribute)
            and isinstance(func.value.value, ast.Name)
            and func.value.value.id == "self"
            and func.value.attr in held
            and enclosing is not None
            and isinstance(enclosing.node, ast.AsyncFunctionDef)
            and enclosing.outer is not None
            and isinstance(enclosing.outer.node, ast.ClassDef)
        ):
            return True
    return False


def _bound_attributes(structure: Structure) -> frozenset[str]:
    """The names `instance_attributes` may know, and more: every attribute the file
    assigns (`self.x = ...`, `self.x: T = ...`, whatever the object's name), and every
    name a class body binds (`x: T`, `x = T()`, a method), in any class. FG102's and
    FG103's screens both ask it."""

    def bound() -> frozenset[str]:
        names = set(structure.stored_attributes)
        for cls in structure.classes:
            for statement in cls.body:
                names.update(bound_in_class_body(statement))
        return frozenset(names)

    return structure.memo("FG102:bound-attributes", bound)


def _typed_method_refs(structure: Structure, in_async: list[CallSite]) -> Iterator[str]:
    """`Class.method` for each call of a method on a name the function around it
    annotates with a class of another module (a parameter, `x: T = ...`): what
    `_typed_receivers_method` may ask of the index."""
    annotated: dict[int, dict[str, list[ast.expr]]] = {}
    for call in in_async:
        func = call.node.func
        function = call.enclosing.node if call.enclosing is not None else None
        if not (
            isinstance(func, ast.Attribute)
            and isinstance(func.value, ast.Name)
            and isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef)
        ):
            continue
        names = annotated.get(id(function))
        if names is None:  # each function's annotated names, read once
            names = annotated[id(function)] = _annotated_names(function, structure)
        for annotation in names.get(func.value.id, ()):
            for cls in _annotated_classes(annotation, structure):
                yield f"{cls}.{func.attr}"


def _annotated_names(
    function: ast.FunctionDef | ast.AsyncFunctionDef, structure: Structure
) -> dict[str, list[ast.expr]]:
    """The annotations of each name a function annotates: its parameters, and `x: T = ...`
    anywhere in its body."""
    found: dict[str, list[ast.expr]] = {}
    arguments = function.args
    for arg in (*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs):
        if arg.annotation is not None:
            found.setdefault(arg.arg, []).append(arg.annotation)
    for node in structure.annotated_within.get(id(function), ()):
        if isinstance(node.target, ast.Name):
            found.setdefault(node.target.id, []).append(node.annotation)
    return found


def _annotation_chains(annotation: ast.expr) -> Iterator[str]:
    """The chains of names an annotation holds (`deps.Session`, `Optional`, `Session` of
    `Optional[Session]`), in a string annotation's text too."""
    for node in ast.walk(annotation):
        if isinstance(node, ast.Name | ast.Attribute):
            dotted = ast_dotted_name(node)
            if dotted is not None:
                yield dotted
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield from re.findall(r"[A-Za-z_][\w.]*", node.value)


def _hands_to_a_thread(node: cst.Call, ctx: FileContext) -> bool:
    """Whether a call runs what it is given in a worker thread (`run_in_threadpool(fn,
    db)`, `loop.run_in_executor(None, fn, db)`), or later (`background_tasks.add_task(fn,
    db=db)`: FastAPI runs a sync task in its threadpool after the response; an async one
    is its own coroutine, checked where it is defined), or only looks at it
    (`isinstance(db, Session)`): a sync session handed to it blocks no event loop here."""
    func = node.func
    if ctx.qualified_name(func) in _THREAD_RUNNERS:
        return True
    if isinstance(func, cst.Attribute) and func.attr.value in ("run_in_executor", "add_task"):
        return True
    return isinstance(func, cst.Name) and func.value in _INSPECTING_BUILTINS


def _chain_calls(expr: cst.BaseExpression) -> set[int]:
    """The calls of a method chain (`db.query(A).filter(b).first()`: all three)."""
    found: set[int] = set()
    while isinstance(expr, cst.Call | cst.Attribute):
        if isinstance(expr, cst.Call):
            found.add(id(expr))
            expr = expr.func
        else:
            expr = expr.value
    return found


#: What is left undone when an `AsyncSession` method that runs no query is not awaited
#: (reader 57: "the query never runs" said of a `rollback()`); the others run one.
_UNRUN_EFFECTS = {
    "commit": "nothing is committed",
    "rollback": "the transaction is not rolled back",
    "flush": "nothing is flushed",
    "delete": "the object is not deleted",
    "refresh": "the object is not refreshed",
    "close": "the session is not closed",
    "merge": "the object is not merged",
    "invalidate": "the connection is not invalidated",
}


class MissingAwaitOnAsyncSession(Rule):
    code = "FG103"
    name = "async-session-call-not-awaited"
    family = "SQLAlchemy"
    message = "`AsyncSession` method called without `await`: the query never runs"
    #: the message for an `AsyncEngine` or `AsyncConnection`
    engine_message = "`{owner}` method called without `await`: it never runs"
    #: the message for a method called on the coroutine (`session.execute(q).scalars()`)
    chain_message = (
        "`.{attr}()` called on the coroutine `{callee}()` returns (an `AttributeError`): "
        "await the call first, `(await {callee}(...)).{attr}()`"
    )
    summary = (
        "Checks for coroutine methods of an `AsyncSession` (`execute`, `commit`, `flush`, "
        "`get`, `refresh`, ...) called as a statement or assigned to a name without `await` "
        "that the function neither awaits nor hands on (to a call, a container, a `return` "
        "of a sync function), or returned from an `async def` (its caller's `await` gives "
        "the coroutine, not the result; not where the return annotation names `Awaitable` "
        "or `Coroutine`), or with a method called on what the call returns (`await "
        "session.execute(q).scalars().first()`: the `await` is the outer call's; no fix is "
        "offered there). "
        "Also a result's row method called on the one value `.scalar()`, `.scalar_one()` or "
        "`.scalar_one_or_none()` gives (`result.scalar().first()`, `result` from a "
        "session's `execute()`): the selected object has no `first()`, an `AttributeError` "
        "(unsafe fix for `.scalar()`: `.scalars().first()`). "
        "The "
        "session is known from an annotation (a parameter, also of a nested function), "
        "from a repository's attribute (`self.session` annotated in the class or assigned "
        "in `__init__` from an annotated parameter), or from `async with SessionLocal() as "
        "session` where `SessionLocal` is a module-level `async_sessionmaker`; or, where the "
        "file cannot tell, from the function itself awaiting on the same receiver a method "
        "only a session has (`await session.flush()`, `commit`, `refresh`, `merge`, "
        "`scalars`); or from what a dependency of another module gives a parameter "
        "annotated as a sync session (`db: Session = Depends(get_db)`, the project index "
        "reading an `AsyncSession` in `get_db`). A session known by its class alone (an "
        "annotation) is one where the project may make an `AsyncSession`: its code names "
        "`create_async_engine`, `async_sessionmaker`, `AsyncEngine`, `AsyncSession(...)`, "
        "a library that makes them (advanced-alchemy, fastapi-users' adapter, SQLModel's "
        "asyncio module, Litestar) or an async driver's URL (`+asyncpg`, `+aiosqlite`); in "
        "a project that makes none the annotation is wrong and the calls run (a sync "
        "repository typed `session: AsyncSession`, given `Depends(get_db)`'s sync "
        "`Session`), unless the selection names FG103. A base class's method called "
        "through `super()` is no session's: reported only where the function awaits the "
        "same call elsewhere. The same for "
        "the coroutine methods of an `AsyncEngine` (`dispose()`) and of an `AsyncConnection` "
        "(`execute`, `commit`, `close`, ...), known from `create_async_engine(...)`, "
        "`engine.connect()` / `engine.begin()` or an annotation.\n\n"
        "Where it applies: everywhere, tests included: a test that forgets `await` on a "
        "`commit()` passes without testing what it says."
    )
    why = (
        "Without `await`, the call only creates a coroutine: nothing is sent to the "
        "database, the commit does not happen, and Python warns that the coroutine was "
        "never awaited, long after the bug."
    )
    fix = (
        "Unsafe fix (`--unsafe-fixes`): adds `await` inside an `async def`. Unsafe because "
        "the call now runs: a forgotten `commit()` commits, which changes what the code does."
    )
    bad = (
        Example(
            """
            from sqlalchemy.ext.asyncio import AsyncSession


            async def rename(session: AsyncSession, user: object, name: str) -> None:
                user.name = name
                session.commit()
            """
        ),
        Example(
            """
            from sqlalchemy import select
            from sqlalchemy.ext.asyncio import AsyncSession


            async def first_user(session: AsyncSession) -> User | None:
                return await session.execute(select(User)).scalars().first()
            """,
            note="a method of the coroutine: the `await` is the chain's last call's",
        ),
        Example(
            """
            from sqlalchemy.ext.asyncio import AsyncSession


            class UserRepository:
                def __init__(self, session: AsyncSession) -> None:
                    self.session = session

                async def add(self, user: User) -> User:
                    self.session.add(user)
                    self.session.flush()
                    return user
            """,
            path="app/users/repository.py",
            note="a repository's session, typed in `__init__`",
        ),
        Example(
            """
            from sqlalchemy import select
            from sqlalchemy.ext.asyncio import AsyncSession


            class ArticleRepository:
                def __init__(self, db: AsyncSession) -> None:
                    self.db = db

                async def list_articles(self):
                    return self.db.scalars(select(Article))
            """,
            path="app/articles/repository.py",
            note="returned from an `async def`: the caller's `await` gives the coroutine",
        ),
        Example(
            """
            from sqlalchemy.ext.asyncio import async_sessionmaker

            SessionLocal = async_sessionmaker(expire_on_commit=False)


            async def close_stale_tasks() -> None:
                async with SessionLocal() as session:
                    session.execute(update(Task).values(open=False))
                    await session.commit()
            """,
            note="a session opened from a module's `async_sessionmaker`",
        ),
        Example(
            """
            from sqlalchemy.ext.asyncio import AsyncSession


            def make_cleanup():
                async def cleanup(session: AsyncSession) -> None:
                    session.commit()

                return cleanup
            """,
            note="a nested function's annotated parameter",
        ),
        Example(
            """
            from sqlalchemy import text
            from sqlalchemy.ext.asyncio import create_async_engine


            async def reset_database(url: str) -> None:
                engine = create_async_engine(url)
                async with engine.connect() as conn:
                    conn.execute(text("TRUNCATE users"))
                    await conn.commit()
                engine.dispose()
            """,
            expect=2,
            note="an `AsyncEngine` and its `AsyncConnection`",
        ),
        Example(
            """
            from sqlalchemy import select
            from sqlalchemy.ext.asyncio import AsyncSession


            async def delete_user(db: AsyncSession, user_id: int) -> None:
                result = await db.execute(select(User).where(User.id == user_id))
                user = result.scalar().first()
                await db.delete(user)
            """,
            note="`.scalar()` is the `User`, which has no `.first()` (1.x's `query().first()`)",
        ),
    )
    good = (
        Example(
            """
            from sqlalchemy.ext.asyncio import AsyncSession


            async def rename(session: AsyncSession, user: object, name: str) -> None:
                user.name = name
                await session.commit()
            """
        ),
        Example(
            """
            import asyncio

            from sqlalchemy import select
            from sqlalchemy.ext.asyncio import AsyncSession


            async def window_results(session: AsyncSession, queries: dict) -> dict:
                pending = {}
                for name, query in queries.items():
                    pending[name] = session.execute(query)
                reference = session.execute(select(1))
                rows = await asyncio.gather(*pending.values(), reference)
                return dict(zip([*pending, "reference"], rows))
            """,
            note=(
                "coroutines kept in a container, or in a name handed on, and awaited "
                "together (deepchecks monitoring)"
            ),
        ),
        Example(
            """
            from sqlalchemy.orm import Session

            def rename(session: Session, user: object) -> None:
                session.add(user)
                session.commit()
            """,
            note="a sync session",
        ),
        Example(
            """
            from sqlalchemy import create_engine, text
            from sqlalchemy.ext.asyncio import create_async_engine

            engine = create_async_engine("postgresql+asyncpg://app@db/app")
            sync_engine = create_engine("postgresql+psycopg://app@db/app")


            async def shutdown() -> None:
                async with engine.begin() as conn:
                    await conn.execute(text("SELECT 1"))
                conn = engine.connect()
                await engine.dispose()
                sync_engine.dispose()
            """,
            note="an awaited `AsyncEngine`, a connection not yet started, a sync engine",
        ),
    )
    fixes = (
        FixExample(
            """
            from sqlalchemy.ext.asyncio import AsyncSession


            async def first_shift(db: AsyncSession, stmt):
                result = await db.execute(stmt)
                return result.scalar().first()
            """,
            """
            from sqlalchemy.ext.asyncio import AsyncSession


            async def first_shift(db: AsyncSession, stmt):
                result = await db.execute(stmt)
                return result.scalars().first()
            """,
            unsafe=True,
            note="unsafe: the code raised `AttributeError`; fixed, it returns the row",
        ),
        FixExample(
            """
            from sqlalchemy.ext.asyncio import AsyncSession


            async def rename(session: AsyncSession, user: object, name: str) -> None:
                user.name = name
                session.commit()
            """,
            """
            from sqlalchemy.ext.asyncio import AsyncSession


            async def rename(session: AsyncSession, user: object, name: str) -> None:
                user.name = name
                await session.commit()
            """,
            unsafe=True,
        ),
    )

    def may_fire(self, evidence: Evidence) -> bool:
        return evidence.has_package(*_PACKAGES) and (
            evidence.has(*_LAST_SEGMENTS_ASYNC_SESSION, *_LAST_SEGMENTS_ASYNC_ENGINE)
            # `awaited_as_a_session`: a session's own coroutine method awaited
            or evidence.has_attribute(*SESSION_ONLY_COROUTINES)
            # `_row_method_on_a_value`: `result.scalar().first()`
            or evidence.has_attribute(*_ONE_VALUE)
            # `_check`: a session another module's dependency gives (`_filled_by_a_call`)
            or (evidence.has("Depends") and evidence.has_attribute(*ASYNC_SESSION_COROUTINES))
        )

    def may_fire_in(self, structure: Structure) -> bool:
        # `_check`: a coroutine method called, not awaited, on what the file shows to be an
        # `AsyncSession` (an async session class or factory is named in it), or an
        # `AsyncEngine` / `AsyncConnection` (`create_async_engine` or the class is named)
        methods: set[str] = set()
        sessions = _MaybeSessions(structure)
        for bare in structure.bare_calls:
            func = bare.func
            if not isinstance(func, ast.Attribute):
                continue
            # `is_async_session` or `awaited_as_a_session` of the receiver, for a
            # session's coroutine method; an engine's methods as they are
            if func.attr in _ASYNC_ENGINE_METHODS or (
                func.attr in ASYNC_SESSION_COROUTINES and sessions.may_be(func.value)
            ):
                methods.add(func.attr)
        # `visit_Return`: a coroutine method's call returned from an `async def`
        returned = {id(found.value) for found in structure.returns}
        for call in structure.calls:
            func = call.node.func
            if (
                call.in_async
                and id(call.node) in returned
                and isinstance(func, ast.Attribute)
                and func.attr in ASYNC_SESSION_COROUTINES
                and sessions.may_be(func.value)
            ):
                methods.add(func.attr)
        # `visit_Call`: a method called on a coroutine method's call, whose receiver may
        # be a session (`result.scalars().all()` with `result = await session.execute(q)`
        # is a result's: `receiver_class` knows no class there)
        results: frozenset[str] | None = None
        for call in structure.calls:
            func = call.node.func
            if not (
                isinstance(func, ast.Attribute)
                and isinstance(func.value, ast.Call)
                and isinstance(func.value.func, ast.Attribute)
                and func.value.func.attr in ASYNC_SESSION_COROUTINES
                and func.value.func.attr not in methods
            ):
                continue
            if results is None:
                results = _query_results(structure.tree)
            receiver = func.value.func.value
            if not _a_query_result(receiver, results) and sessions.may_be(receiver):
                methods.add(func.value.func.attr)
        if any(_row_method_on_a_value(call.node) for call in structure.calls):
            return True  # `visit_Call`: `result.scalar().first()`
        return (
            (
                not methods.isdisjoint(ASYNC_SESSION_COROUTINES)
                and (
                    structure.refers_to(*ASYNC_SESSION_FACTORIES)
                    # `awaited_as_a_session`: a method only a session has, called in async code
                    or structure.calls_method(*SESSION_ONLY_COROUTINES, in_async=True)
                )
            )
            or (
                not methods.isdisjoint(_ASYNC_ENGINE_METHODS)
                and structure.refers_to(*_ASYNC_ENGINE_SOURCES)
            )
            or any(
                _filled_by_a_call(call) and not structure.is_awaited(call.node)
                for call in structure.calls
            )
        )

    def visit_Expr(self, node: cst.Expr, ctx: FileContext) -> None:
        self._check(node.value, ctx)

    def visit_Call(self, node: cst.Call, ctx: FileContext) -> None:
        # `session.execute(q).scalars()`: a method of the coroutine the call returns
        func = node.func
        if not isinstance(func, cst.Attribute) or func.attr.value in _COROUTINE_ATTRIBUTES:
            return
        inner = func.value
        if not (isinstance(inner, cst.Call) and isinstance(inner.func, cst.Attribute)):
            return
        if _row_method_of_a_result_value(node, ctx):
            one, row = inner.func.attr.value, func.attr.value
            fix = FixSpec(
                "Use `.scalars()`",
                ((inner.func.attr, "scalars"),),
                applicability="unsafe",
            )
            ctx.report(
                node,
                f"`.{one}()` gives the first row's first column (the object selected), not "
                f"a result: `.{row}()` on it raises `AttributeError`; use "
                f"`.scalars().{row}()`, or `.{one}()` alone",
                fix=fix if one == "scalar" else None,
            )
            return
        method = inner.func.attr.value
        if method in ASYNC_SESSION_COROUTINES and is_async_session(inner.func.value, ctx):
            callee = code_of(inner.func)
            if "\n" in callee:
                callee = f"session.{method}"
            ctx.report(inner, self.chain_message.format(attr=func.attr.value, callee=callee))

    def visit_Return(self, node: cst.Return, ctx: FileContext) -> None:
        # `return session.scalars(q)` in an `async def`: its caller awaits the function
        # and gets the coroutine, never the rows (vinodvpillai's article list, reader 66);
        # a sync function handing the coroutine on to be awaited is left alone
        function = ctx.function
        value = node.value
        if not (
            function is not None
            and function.is_async
            and isinstance(value, cst.Call)
            and isinstance(value.func, cst.Attribute)
            and value.func.attr.value in ASYNC_SESSION_COROUTINES | _ASYNC_ENGINE_METHODS
        ):
            return  # no coroutine method returned: the annotation is not read
        returns = function.node.returns if isinstance(function.node, cst.FunctionDef) else None
        if returns is not None and any(
            word in code_of(returns.annotation) for word in ("Awaitable", "Coroutine")
        ):
            return  # a coroutine returned on purpose
        self._check(value, ctx, returned=True)

    def visit_Assign(self, node: cst.Assign, ctx: FileContext) -> None:
        targets = [target.target for target in node.targets]
        if not all(isinstance(target, cst.Name) for target in targets):
            return  # kept in a container or an attribute: awaited elsewhere, or not
        value = node.value
        method = (
            value.func.attr.value
            if isinstance(value, cst.Call) and isinstance(value.func, cst.Attribute)
            else None
        )
        if method not in ASYNC_SESSION_COROUTINES and method not in _ASYNC_ENGINE_METHODS:
            return  # no coroutine method: nothing to report, no body to walk
        names = {target.value for target in targets if isinstance(target, cst.Name)}
        if _awaited_later(names, ctx):
            return  # `result = session.execute(q)` then `await result` or handed on
        self._check(node.value, ctx)

    def _check(self, value: cst.BaseExpression, ctx: FileContext, returned: bool = False) -> None:
        if not (isinstance(value, cst.Call) and isinstance(value.func, cst.Attribute)):
            return
        method = value.func.attr.value
        message: str | None = None
        #: the condition of a session another module's dependency gives (None: known here)
        given: Condition | None = None
        if _is_super(value.func.value):
            # `super().delete(...)` is the base class's method, no session's: a coroutine
            # when the function awaits it elsewhere (kirilldarealcaucasian's
            # `_ = super().delete(...)` beside `await super().delete(...)`, reader 75)
            if method in ASYNC_SESSION_COROUTINES and _awaited_elsewhere(value, ctx):
                message = (
                    f"`super().{method}()` called without `await`, where this function "
                    "awaits it elsewhere: it never runs"
                )
        elif method in ASYNC_SESSION_COROUTINES and (
            is_async_session(value.func.value, ctx) or awaited_as_a_session(value.func.value, ctx)
        ):
            effect = _UNRUN_EFFECTS.get(method)
            message = (
                self.message
                if effect is None
                else f"`AsyncSession.{method}()` called without `await`: {effect}"
            )
            if not awaited_as_a_session(value.func.value, ctx):
                # known by its class alone (an annotation, a factory of the file): unless
                # the project makes no `AsyncSession` at all, where the annotation is wrong
                # (DT-231's sync repository typed `session: AsyncSession`, reader 171)
                given = _ASYNC_SESSIONS_MADE
        elif method in _ASYNC_ENGINE_METHODS:
            owner = receiver_class(value.func.value, ctx)
            if owner is not None and method in ASYNC_ENGINE_COROUTINES.get(owner, ()):
                message = self.engine_message.format(owner=_ENGINE_WORDS[owner])
        if (
            message is None
            and method in ASYNC_SESSION_COROUTINES
            and isinstance(value.func.value, cst.Name)
            and receiver_class(value.func.value, ctx) in SESSION_CLASSES
            and (dependency := _parameter_dependency(value.func.value, ctx)) is not None
        ):
            # `db: Session = Depends(get_db)`, `get_db` of another module giving an
            # `AsyncSession` (julesadonsi's `update_user`, reader 73): FastAPI passes what
            # it gives; FG102 reports the call where the index reads a sync session there
            given = Condition((dependency,), ASYNC_SESSION_CLASSES, subject=CALL)
            name = value.func.value.value
            effect = _UNRUN_EFFECTS.get(method)
            message = (
                f"`AsyncSession.{method}()` called without `await` "
                f"({effect or 'the query never runs'}): `{name}` is annotated as a sync "
                f"session, but `{dependency.rpartition('.')[2]}` gives an `AsyncSession`; "
                f"annotate `{name}` as one"
            )
        if message is None:
            return
        if method == "refresh" and _refreshes_what_it_deleted(value, ctx):
            # kndbvortex's `session.delete(user); await session.commit(); session.refresh(
            # user)` (reader 66): awaited, the refresh raises; the call goes, no `await`
            ctx.report(
                value,
                "`AsyncSession.refresh()` called without `await` on an object this "
                "function deletes: once the delete is committed it is no longer in the "
                "session, and an awaited refresh raises `InvalidRequestError`: remove the call",
            )
            return
        if returned:
            message = message.split(":", 1)[0] + (
                " and returned from an `async def`: its caller awaits the function and gets "
                "the coroutine, not the result; `return await ...`"
            )
        callee = code_of(value.func)
        fix = None
        if ctx.can_await and "\n" not in callee:
            fix = FixSpec("Add `await`", ((value.func, f"await {callee}"),), applicability="unsafe")
        if given is not None:
            ctx.report_if(value, given, message, fix=fix)
        else:
            ctx.report(value, message, fix=fix)


#: The project may make an `AsyncSession` (`checks.project_facts.ASYNC_SESSIONS_MADE`).
_ASYNC_SESSIONS_MADE = Condition((), frozenset(), fact=ASYNC_SESSIONS_MADE)


def _filled_by_a_call(call: CallSite) -> bool:
    """The screen of `_check`'s session another module's dependency gives: a session's
    coroutine method called in an `async def` on its annotated parameter with a call for
    a default (`db: Session = Depends(get_db)`)."""
    func = call.node.func
    enclosing = call.enclosing.node if call.enclosing is not None else None
    if not (
        call.in_async
        and isinstance(func, ast.Attribute)
        and func.attr in ASYNC_SESSION_COROUTINES
        and isinstance(func.value, ast.Name)
        and isinstance(enclosing, ast.AsyncFunctionDef)
    ):
        return False
    arguments = enclosing.args
    named = func.value.id
    return any(
        argument.arg == named and argument.annotation is not None
        for argument in (*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs)
    ) and any(
        isinstance(default, ast.Call) for default in (*arguments.defaults, *arguments.kw_defaults)
    )


def _is_super(receiver: cst.BaseExpression) -> bool:
    """`super()`: a base class's methods, whatever their names."""
    return (
        isinstance(receiver, cst.Call)
        and isinstance(receiver.func, cst.Name)
        and receiver.func.value == "super"
    )


def _awaited_elsewhere(call: cst.Call, ctx: FileContext) -> bool:
    """Whether the function that makes `call` awaits a call of the same callee
    (`await super().delete(...)`)."""
    function = ctx.function
    if function is None or not function.is_async:
        return False
    callee = code_of(call.func)
    return any(
        isinstance(node, cst.Await)
        and isinstance(node.expression, cst.Call)
        and code_of(node.expression.func) == callee
        for node in descendants(function.node.body)
    )


def _refreshes_what_it_deleted(call: cst.Call, ctx: FileContext) -> bool:
    """Whether `session.refresh(obj)` comes after `session.delete(obj)` (the same receiver
    and name, written before it) in the function that calls it."""
    function = ctx.function
    func = call.func
    if function is None or not isinstance(func, cst.Attribute) or not call.args:
        return False
    target = call.args[0].value
    if not isinstance(target, cst.Name):
        return False
    receiver = code_of(func.value)
    stack: list[cst.CSTNode] = [function.node]
    while stack:  # in the order the source writes them
        node = stack.pop()
        if node is call:
            return False
        if (
            isinstance(node, cst.Call)
            and isinstance(node.func, cst.Attribute)
            and node.func.attr.value == "delete"
            and node.args
            and isinstance(node.args[0].value, cst.Name)
            and node.args[0].value.value == target.value
            and code_of(node.func.value) == receiver
        ):
            return True
        stack.extend(reversed(child_nodes(node)))
    return False


class _MaybeSessions:
    """Whether `receiver_class` may find an `AsyncSession` for a receiver, or
    `awaited_as_a_session` take it for one, from CPython's tree (FG103's screen). It
    follows what `_Resolver` follows, over every binding in the file:

    - a name: one a `with` or an import binds or the file awaits a session-only method
      on, one `FileContext.infer` may know as a session (`Structure.may_infer`), or one
      bound to a value that may be one (a name, an attribute or a call; an awaited call,
      a subscript, a literal or an operation is none: `job = await queue.get()`);
    - an attribute: one `infer` may know, a library's object, a chain awaited as a
      session, or a name stored on an object or annotated in a class of the file (what
      `instance_attributes` reads);
    - a call: of SQLAlchemy or SQLModel (a class, a factory), `.begin()`, an imported
      name, a function of the file with a return annotation, a name bound otherwise (a
      session factory held in it), or a method named as such an attribute; a builtin
      (`dict(...)`) or a module's function (`json.loads(...)`) is none;
    - a subscript, a literal or an operation: only one whose text the file awaits a
      session-only method on (`await sessions[0].flush()`).

    Other expressions may always be one."""

    def __init__(self, structure: Structure) -> None:
        self.structure = structure
        self._known: tuple[frozenset[str], frozenset[str], frozenset[str]] | None = None

    def _facts(self) -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
        """The names a `with` binds, the chains awaited with a session-only method, and
        the attribute names stored or annotated (`self.x = ...`, `x: T` in a class)."""
        if self._known is None:
            structure = self.structure
            stored = {*INSTANCE_ATTRIBUTE_NAMES, *_bound_attributes(structure)}
            awaited: set[str] = set()
            for call in structure.calls:
                func = call.node.func
                if (
                    call.last in SESSION_ONLY_COROUTINES
                    and isinstance(func, ast.Attribute)
                    and structure.is_awaited(call.node)
                ):
                    # `code_of` in the rule: the same text unparses the same
                    awaited.add(ast_dotted_name(func.value) or ast.unparse(func.value))
            self._known = (frozenset(structure.with_targets), frozenset(awaited), frozenset(stored))
        return self._known

    def may_be(self, receiver: ast.expr) -> bool:
        return self._session(receiver, set())

    def _session(self, expr: ast.expr, seen: set[str]) -> bool:
        structure = self.structure
        bound, awaited, stored = self._facts()
        if isinstance(expr, ast.Name):
            name = expr.id
            if name in seen:
                return False  # what it holds comes from its other bindings
            seen.add(name)
            if name in bound or name in awaited or name in structure.bindings:
                return True
            if structure.may_infer(expr, ASYNC_SESSION_CLASSES):
                return True
            return any(
                self._session(value.value if isinstance(value, ast.NamedExpr) else value, seen)
                for value in structure.bindings_of(name).values
                if isinstance(value, _FOLLOWED)
            )
        if isinstance(expr, ast.Attribute):
            chain = ast_dotted_name(expr)
            return (
                chain is None
                or chain in awaited
                or expr.attr in stored
                or structure.may_infer(expr, ASYNC_SESSION_CLASSES)
                or not structure.qualified(chain).isdisjoint(LIBRARY_INSTANCES)
            )
        if isinstance(expr, ast.Call):
            return self._call(expr.func) or ast.unparse(expr) in awaited
        # `_Resolver` knows no class for it, `awaited_as_a_session` may know its text
        return not isinstance(expr, _NEVER_RESOLVED) or ast.unparse(expr) in awaited

    def _call(self, func: ast.expr) -> bool:
        """`_Resolver._call`: what a call of `func` may make."""
        structure = self.structure
        _, _, stored = self._facts()
        chain = ast_dotted_name(func)
        qualified = structure.qualified(chain)
        if any(name.startswith(_MAKERS) for name in qualified):
            return True  # `AsyncSession(engine)`, a factory's result
        if isinstance(func, ast.Name):
            name = func.id
            if name in structure.bindings:
                return True  # an import: whatever its call makes
            bindings = structure.bindings_of(name)
            # `module_function_returns`, or a session factory held in the name
            return _annotated_function(structure, name) or bool(
                bindings.values or bindings.annotations or bindings.iterables
            )
        if isinstance(func, ast.Attribute):
            # `factory.begin()`; a factory held by an object (`self.Session()`)
            return (
                func.attr == "begin"
                or chain is None
                or func.attr in stored
                or structure.may_infer(func, None)
            )
        return True


def _annotated_function(structure: Structure, name: str) -> bool:
    """Whether the file defines a function `name` with a return annotation."""
    return any(
        function.name == name and function.returns is not None for function in structure.functions
    )


#: The bound values `_Resolver` follows to a class.
_FOLLOWED = (ast.Name, ast.Attribute, ast.Call, ast.NamedExpr)
#: Receivers `_Resolver` finds no class for.
_NEVER_RESOLVED = (
    ast.Await,
    ast.Subscript,
    ast.Constant,
    ast.Dict,
    ast.List,
    ast.Tuple,
    ast.Set,
    ast.JoinedStr,
    ast.BinOp,
    ast.BoolOp,
    ast.Compare,
    ast.UnaryOp,
    ast.ListComp,
    ast.DictComp,
    ast.SetComp,
    ast.GeneratorExp,
)
#: The packages whose calls make sessions and factories.
_MAKERS = ("sqlalchemy.", "sqlmodel.")


#: What a coroutine object has: a method of these on a call's result is no mistake.
_COROUTINE_ATTRIBUTES = frozenset({"send", "throw", "close", "__await__"})
#: A `Result`'s methods that give one value of its first row (the object selected).
_ONE_VALUE = frozenset({"scalar", "scalar_one", "scalar_one_or_none"})
#: Methods of a `Result` or `ScalarResult` that a value has not (`result.scalar().first()`:
#: the 1.x `query().first()` half moved to 2.0, an `AttributeError`; 10 files of public
#: code written so).
_ROW_METHODS = frozenset({"first", "all", "one", "one_or_none", "unique", "fetchall"})


def _row_method_on_a_value(call: ast.Call) -> bool:
    """The screen of `_row_method_of_a_result_value`: `x.scalar().first()`, no arguments."""
    func = call.func
    return (
        isinstance(func, ast.Attribute)
        and func.attr in _ROW_METHODS
        and not call.args
        and isinstance(func.value, ast.Call)
        and isinstance(func.value.func, ast.Attribute)
        and func.value.func.attr in _ONE_VALUE
        and not func.value.args
    )


def _row_method_of_a_result_value(node: cst.Call, ctx: FileContext) -> bool:
    """`result.scalar().first()` where `result` is what a session's `execute()` gave
    (`result = await db.execute(q)`, or the call itself): `.scalar()` is the selected
    object, which has no `first()` (ecommerce's admin route: reader 58)."""
    func = node.func
    if not isinstance(func, cst.Attribute) or func.attr.value not in _ROW_METHODS or node.args:
        return False
    inner = func.value
    if not (
        isinstance(inner, cst.Call)
        and isinstance(inner.func, cst.Attribute)
        and inner.func.attr.value in _ONE_VALUE
        and not inner.args
    ):
        return False
    source: cst.BaseExpression | None = inner.func.value
    if isinstance(source, cst.Name):
        source = bound_once(source, ctx)
    if isinstance(source, cst.Await):
        source = source.expression
    return (
        isinstance(source, cst.Call)
        and isinstance(source.func, cst.Attribute)
        and source.func.attr.value in ("execute", "exec")
    )


#: Methods whose awaited result is a query's (a `Result`, a row, a scalar): never a session.
_QUERY_METHODS = frozenset({"execute", "scalars", "scalar", "stream", "stream_scalars"})


def _query_results(tree: ast.Module) -> frozenset[str]:
    """The names the file binds only as `name = await receiver.execute(...)` (or another
    of `_QUERY_METHODS`): in every scope, no parameter, import, loop, `with`, `except`,
    `match`, `global` or definition of the name. `receiver_class` finds no class for
    them: what the file binds them to is an awaited call of no class (FG103's screen)."""
    awaited: dict[str, int] = {}
    bound: dict[str, int] = {}

    def count(name: str) -> None:
        bound[name] = bound.get(name, 0) + 1

    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            if not isinstance(node.ctx, ast.Load):
                count(node.id)
        elif isinstance(node, ast.Assign):
            value = node.value
            if (
                len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name)
                and isinstance(value, ast.Await)
                and isinstance(value.value, ast.Call)
                and isinstance(value.value.func, ast.Attribute)
                and value.value.func.attr in _QUERY_METHODS
            ):
                name = node.targets[0].id
                awaited[name] = awaited.get(name, 0) + 1
        elif isinstance(node, ast.arg):
            count(node.arg)
        elif isinstance(node, ast.alias):
            count((node.asname or node.name).partition(".")[0])
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            count(node.name)
        elif isinstance(node, ast.Global | ast.Nonlocal | ast.MatchClass):
            for written in node.kwd_attrs if isinstance(node, ast.MatchClass) else node.names:
                count(written)
        else:
            other = getattr(node, "name", None) or getattr(node, "rest", None)
            if isinstance(other, str):  # `except E as name`, match captures, 3.12 type params
                count(other)
    return frozenset(name for name, times in awaited.items() if bound.get(name) == times)


def _a_query_result(receiver: ast.expr, results: frozenset[str]) -> bool:
    """Whether `receiver` is an awaited call, a name of `results`, or a method's call on
    one (`result.unique()`): what `receiver_class` resolves to no class."""
    while isinstance(receiver, ast.Call) and isinstance(receiver.func, ast.Attribute):
        receiver = receiver.func.value
    return isinstance(receiver, ast.Await) or (
        isinstance(receiver, ast.Name) and receiver.id in results
    )


def _awaited_later(names: set[str], ctx: FileContext) -> bool:
    """Whether the function (or module) that assigns a coroutine to one of `names` awaits
    it (`await result`), or hands it on: to a call (`asyncio.gather(a, b)`), in a
    container, returned or yielded. Only a name used nowhere, or read as a result
    (`result.scalars()`: an `AttributeError` on a coroutine), is a coroutine never run."""
    function = ctx.function
    scope: cst.CSTNode = function.node.body if function is not None else ctx.module
    known = ctx.stash(f"FG103.used:{id(scope)}")  # one walk of the scope per file
    if not known:
        # handed on: an argument, an element of a list, tuple, set or dict, a return, a yield
        handed_on = (
            cst.Arg | cst.Element | cst.DictElement | cst.StarredElement | cst.Return | cst.Yield
        )
        used: set[str] = set()
        for node in descendants(scope):
            value: object
            if isinstance(node, cst.Await):
                value = node.expression
            elif isinstance(node, handed_on):
                value = node.value
            else:
                continue
            if isinstance(value, cst.Name):
                used.add(value.value)
        known.append(used)
    return not names.isdisjoint(known[0])


#: FG104 reports in new code, or when named (`EXPIRE_ON_COMMIT_SELECTED`).
_EXPIRE_SELECTED = Condition((), frozenset(), fact=EXPIRE_ON_COMMIT_SELECTED)


class SessionKeepsExpiring(Rule):
    code = "FG104"
    name = "async-session-expire-on-commit"
    family = "SQLAlchemy"
    message = (
        "Async session factory without `expire_on_commit=False`: attributes read after a "
        "commit would need IO (`MissingGreenlet`)"
    )
    summary = (
        "Checks for `async_sessionmaker(...)` and `AsyncSession(...)` without "
        "`expire_on_commit=False`; not an `AsyncSession(...)` opened by `async with ... as "
        "session:` whose block never commits through it nor hands it on (a `SELECT 1` "
        "probe, a read: nothing is ever expired).\n\n"
        "Reported by the edit hook in new code (where the factory is written) and when "
        "the selection names FG104: in code that runs, the trap has been stepped around "
        "(a `refresh()` after each commit, no attribute read after one), and readers of "
        "eleven such findings on real services judged one worth a change.\n\n"
        "Where it applies: every layer but tests. A test's session often never commits "
        "(each test runs in a transaction that is rolled back), and one that reads an "
        "expired attribute fails at once with `MissingGreenlet`: the test says it, not "
        "a user in production."
    )
    why = (
        "By default a commit expires every loaded object; the next attribute access reloads "
        "it, which an `AsyncSession` cannot do implicitly: `MissingGreenlet` at the first "
        "`user.id` after `await session.commit()`. Async sessions are created with "
        "`expire_on_commit=False`."
    )
    fix = (
        "Unsafe fix: adds `expire_on_commit=False` to a one-line call. It changes what the "
        "code does: objects are no longer expired at commit, so a later read in the same "
        "session returns the values the session holds, not the database's (the point of "
        "the rule, but a change the author must accept). An explicit "
        "`expire_on_commit=True`, and a call laid out over several lines, keep the finding "
        "without a fix."
    )
    bad = (
        Example(
            """
            from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

            engine = create_async_engine("postgresql+asyncpg://app@db/app")
            SessionLocal = async_sessionmaker(engine)
            """
        ),
        Example(
            """
            from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

            from app.db import seed


            async def create_initial_data(engine: AsyncEngine) -> None:
                async with AsyncSession(engine) as session:
                    await seed(session)
            """,
            note="the session handed on: the callee may commit and read",
        ),
    )
    good = (
        Example(
            """
            from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

            engine = create_async_engine("postgresql+asyncpg://app@db/app")
            SessionLocal = async_sessionmaker(engine, expire_on_commit=False)
            """
        ),
        Example(
            """
            from sqlalchemy import select
            from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession


            async def database_is_up(engine: AsyncEngine) -> bool:
                async with AsyncSession(engine) as session:
                    await session.execute(select(1))
                return True
            """,
            note="a session that never commits: nothing is expired",
        ),
        Example(
            """
            import pytest
            from sqlalchemy.ext.asyncio import AsyncSession


            @pytest.fixture
            async def session(connection):
                async with AsyncSession(bind=connection) as session:
                    yield session
                    await session.rollback()
            """,
            path="tests/conftest.py",
            note="tests",
        ),
        Example(
            """
            from asyncio import current_task

            from sqlalchemy.ext.asyncio import async_scoped_session, async_sessionmaker

            factory = async_sessionmaker(engine, expire_on_commit=False)
            Session = async_scoped_session(factory, scopefunc=current_task)
            """,
            note="a scoped registry takes no session options: its factory is what is checked",
        ),
    )
    fixes = (
        FixExample(
            """
            from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

            engine = create_async_engine("postgresql+asyncpg://app@db/app")
            SessionLocal = async_sessionmaker(engine)
            """,
            """
            from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

            engine = create_async_engine("postgresql+asyncpg://app@db/app")
            SessionLocal = async_sessionmaker(engine, expire_on_commit=False)
            """,
            unsafe=True,
            note="objects are no longer expired at commit: the change the rule asks for",
        ),
    )

    def may_fire(self, evidence: Evidence) -> bool:
        return evidence.has_package(*_PACKAGES) and evidence.has(*_LAST_SEGMENTS_ASYNC_FACTORIES)

    def may_fire_in(self, structure: Structure) -> bool:
        # `visit_Call`: an async session factory made, or a `sessionmaker(...)`
        return structure.layer != "test" and any(
            structure.calls_to(ASYNC_SESSION_FACTORIES | {"sqlalchemy.orm.sessionmaker"})
        )

    def visit_Call(self, node: cst.Call, ctx: FileContext) -> None:
        if ctx.layer == "test":
            return
        name = ctx.qualified_name(node.func)
        if name == "sqlalchemy.orm.sessionmaker":
            class_ = keyword_arg(node, "class_")
            if class_ is None or ctx.qualified_name(class_.value) not in ASYNC_SESSION_CLASSES:
                return
        elif name not in ASYNC_SESSION_FACTORIES or name in _SCOPED_REGISTRIES:
            return  # a registry makes its sessions with the factory it is given
        expire = keyword_arg(node, "expire_on_commit")
        if any(arg.star for arg in node.args):
            return  # **options: cannot tell
        if name in ASYNC_SESSION_CLASSES and _opened_never_committed(node, ctx):
            return  # a probe (`SELECT 1`), a read: no commit, nothing expires
        if expire is not None and dotted_name(expire.value) != "False":
            # an explicit choice: the author's to change
            ctx.report_if(node, _EXPIRE_SELECTED)
        elif expire is None:
            fix = _add_keyword(node, "expire_on_commit=False")
            # objects stop being expired at commit: a later read in the same session
            # returns what the session holds, not what the database has now
            unsafe_fix = fix._replace(applicability="unsafe") if fix else None
            ctx.report_if(node, _EXPIRE_SELECTED, fix=unsafe_fix)


def _opened_never_committed(call: cst.Call, ctx: FileContext) -> bool:
    """Whether `call` is opened by an `async with ... as name:` whose block never commits
    through `name` and never hands it on (an argument, a return, another binding): then
    no object of the session is ever expired."""
    statement = ctx.within[-1] if ctx.within else None
    if not isinstance(statement, cst.With):
        return False
    names = [
        item.asname.name.value
        for item in statement.items
        if item.item is call and item.asname is not None and isinstance(item.asname.name, cst.Name)
    ]
    if len(names) != 1:
        return False
    name = names[0]
    # the name as a receiver (`session.execute`), and attribute names (`x.session`)
    seen: set[int] = set()
    for found in descendants(statement.body):
        if not isinstance(found, cst.Attribute):
            continue
        seen.add(id(found.attr))
        if isinstance(found.value, cst.Name) and found.value.value == name:
            if found.attr.value in {"commit", "begin"}:  # `session.begin()` commits at exit
                return False
            seen.add(id(found.value))
    # any other use of the name hands the session on
    return all(
        id(found) in seen
        for found in descendants(statement.body)
        if isinstance(found, cst.Name) and found.value == name
    )


def _add_keyword(call: cst.Call, keyword: str) -> FixSpec | None:
    """Append `keyword=value` after the last argument of a one-line call; a call laid out
    over several lines (or without arguments) keeps its finding without a fix."""
    if not call.args or call.args[-1].comma != cst.MaybeSentinel.DEFAULT:
        return None
    last = call.args[-1]
    value = code_of(last)
    if "\n" in code_of(call) or last.star:
        return None
    return FixSpec(f"Add `{keyword}`", ((last, f"{value}, {keyword}"),))


_MIGRATION_MARK = "FG105.revision-file"
#: Folders of a project's migrations: revisions and the helpers they call.
_MIGRATION_FOLDERS = frozenset({"migrations", "alembic"})
#: A module of migration functions of its own (`core/migrations.py`: `async def
#: m001_initial(db)`, a home-grown runner's revisions).
_MIGRATION_MODULES = frozenset({"migrations.py"})


def _is_migration_module(parts: tuple[str, ...]) -> bool:
    """Whether a file is migration code: in a `migrations/` or `alembic/` folder, or a
    module named `migrations.py`."""
    return bool(parts) and (
        parts[-1] in _MIGRATION_MODULES or not _MIGRATION_FOLDERS.isdisjoint(parts[:-1])
    )


#: a revision other revisions build on: history, not reported (`checks.revisions`)
_HISTORY_MARK = "FG105.superseded-revision"


#: Methods that run the SQL text they are given first: SQLAlchemy's, and those of the
#: drivers and query runners services call directly (encode/databases' `fetch_all`,
#: asyncpg's `fetchrow`, DB-API cursors' `executemany`, SQLModel's `exec`: JayJose's
#: `session.exec(f"... WHERE table_name = '{table}'")`, reader 73). A call is a sink only
#: when the text it renders reads as SQL (`_SQL`).
_SQL_RUNNERS = frozenset(
    {
        "execute",
        "exec",
        "exec_driver_sql",
        "executemany",
        "fetch_all",
        "fetch_one",
        "fetch_val",
        "iterate",
        "fetch",
        "fetchrow",
        "fetchval",
    }
)


class InterpolatedSql(Rule):
    code = "FG105"
    name = "interpolated-sql"
    family = "SQLAlchemy"
    message = "SQL built by string interpolation: pass values as bound parameters"
    #: the message naming the first value pasted in
    value_message = "`{piece}` pasted into SQL as a value: pass it as a bound parameter"
    #: FG111 reports the names pasted in (with its `name_message`); this rule the values
    reports_names = False
    name_message = ""
    summary = (
        "Checks for SQL text built with an f-string, `%`, `+` or `.format()` and passed to "
        "`text()`, `execute()` or `exec_driver_sql()` (or SQLModel's `exec()`, or a "
        "driver's or query runner's `executemany()`, `fetch_all()`, `fetch_one()`, "
        "`fetch_val()`, `iterate()`, `fetch()`, `fetchrow()`, `fetchval()`: "
        "encode/databases, asyncpg), also through a "
        'variable assigned before (`sql = f"..."` then `text(sql)`: the last binding, in '
        "straight-line code, or any binding on a path to the call: `if user_id: sql = "
        'f"..."`, `sql += f" AND kind = \'{kind}\'"` under an `if`) or a helper of the '
        "module or method of the class whose every `return` is a string (or "
        "a tuple whose element is: `ph, params = in_params(ids)`), its locals bound once "
        "followed (a clause a loop quotes and appends, then joins), where a piece pasted in "
        "is a value: `= {x}`, `'{x}'`, `IN ({x})`, `LIMIT {x}`, `VALUES ({x})`. Each pasted "
        'piece is placed in the SQL; a name (`"{x}"`, `FROM {x}`, `{schema}.t`, `ORDER BY '
        "{x}`, an argument of a SQL function, `lower({x})`; quoted, an object's name: "
        "cast to `::name`, the graph of Apache AGE's `cypher('{x}', $$...$$)`, which takes "
        "no parameter, or of its `create_graph()`, or a sequence's, `setval('{seq}', n)`, "
        "or a table's and a column's, `pg_get_serial_sequence('{table}', '{column}')`) "
        "or an operand of a statement "
        "that takes no parameter (`CREATE`, `ALTER`, `DROP`, `SET`, `PRAGMA`, ...) cannot be "
        "bound: FG111 (not enabled by default) reports those. Pieces that cannot carry input "
        "are not reported: literals, ALL_CAPS constants, `Model.__tablename__`, an enum "
        "member's value (also `unit.value` of `unit: Unit`, an enum of the file), "
        "`int()`/`len()`/`float()` and helpers of the module annotated `-> int`, a parameter "
        "annotated `int`/`float`/`bool`/`UUID`/`datetime` (a helper's own parameters too), "
        "a join of the items of a parameter annotated as a collection of those "
        "(`', '.join(map(str, ids))`, `', '.join(str(i) for i in ids)` of `ids: list[int]`), "
        "`self.x` of a Pydantic model of the file declaring `x: int` (or another of those "
        "types) that its methods never assign, "
        "`uuid4()`, a password hash (a hasher's call, or a helper named for one: "
        "`get_password_hash(...)`; its text holds no quote), "
        "a name assigned only string literals (or placeholder joins: `?` for "
        "one driver, `$n` for another) on every branch, loop variables over constants "
        "(literal collections, also of tuples unpacked by the loop, a local name bound to one, "
        "and of tuples mixing literals with calls, position by position: `col_name` of "
        "`for col_name, col_type in [('logo', sa.String(500)), ...]`, not `col_type`; "
        "`.items()`/`.keys()`/`.values()` of an ALL_CAPS dict, `range()`, also through "
        "`enumerate()`, whose counter is a number), a local bound only to numbers "
        "(`offset = 0`, then `offset += batch_size` of `batch_size: int`), bind-parameter "
        "names and "
        'placeholder lists (`:{name}`, `", ".join("?" for _ in ids)`), psycopg\'s '
        "`cursor.mogrify(template, values)` (values quoted by the driver, into a template "
        "that carries no input). A piece that is itself SQL (`WHERE {conditions}`) is "
        "checked where it is built, when that is in the same function (also a list filled "
        "with `.append()` of SQL text, or made by a comprehension and then filled, "
        "joined).\n\nWhere it applies: every layer but tests, "
        "which paste the UUIDs they generate into SQL against their own database, and "
        "development tooling (the `tooling` layer: scripts and benchmarks query their own "
        "data), nor a command-line program in the package (a Django management command, a "
        "`__main__` guard, a click or typer command, an argument "
        "parser or a terminal prompt, no web framework: its input is its operator's; a "
        "module with a `__main__` guard and no web framework that the service's code does "
        "not import, its tests aside, is a script too); for "
        "revisions, only in the heads of a folder: a revision another builds on is "
        "history, as for FG601; there an object the revision builds at import "
        "(`admin_role = Role(...)`, then `'{admin_role.id}'`) is its own data, no input. "
        "Not a string given as it is to `execute()` of a SQLAlchemy session or connection "
        "the file knows, outside a project on SQLAlchemy 1.x: 2.0 refuses it before it "
        "runs, and FG112 reports it, saying to bind the values."
    )
    why = (
        "Values pasted into SQL text are an injection hole and defeat the statement cache. "
        "Bind them: `text('select * from users where email = :email')` with "
        "`session.execute(stmt, {'email': email})`, or build the query with `select()`."
    )
    bad: ClassVar[tuple[Example, ...]] = (
        Example(
            """
            from sqlalchemy import text
            from sqlalchemy.ext.asyncio import AsyncSession


            async def find(session: AsyncSession, email: str):
                return await session.execute(text(f"select * from users where email = '{email}'"))
            """
        ),
        Example(
            """
            def purge(conn, table, days):
                conn.exec_driver_sql("delete from %s where age > %d" % (table, days))
                conn.execute("SELECT * FROM users WHERE id = " + str(days))
            """,
            expect=2,
            also=("FG111",),  # the table name
        ),
        Example(
            """
            from sqlalchemy import text


            def find(session, name):
                table = User.__tablename__
                session.execute(text(f"SELECT * FROM {table} WHERE name = '{name}'"))
            """,
            note="a table name pasted in does not excuse the value next to it",
        ),
        Example(
            """
            from sqlalchemy import text


            def get_db_list(session, db_name=None, user_id=None):
                if user_id:
                    sql = f"SELECT * FROM connect_config WHERE user_id = '{user_id}'"
                else:
                    sql = "SELECT * FROM connect_config"
                return session.execute(text(sql))


            def search(session, kind=None):
                sql = "SELECT * FROM items WHERE 1 = 1"
                if kind:
                    sql += f" AND kind = '{kind}'"
                return session.execute(text(sql))
            """,
            expect=2,
            note="text built on one branch, or added to under an `if` (DB-GPT's data sources)",
        ),
        Example(
            """
            from databases import Database

            database = Database("postgresql+asyncpg://app@db/app")


            async def projects_of(author: str) -> list[object]:
                query = f"SELECT id FROM projects WHERE author = '{author}'"
                return await database.fetch_all(query)
            """,
            note="encode/databases' `fetch_all()` runs the SQL it is given (tasking-manager)",
        ),
        Example(
            """
            from sqlalchemy import text
            from sqlalchemy.ext.asyncio import AsyncSession


            async def find(session: AsyncSession, email: str):
                sql = f"SELECT id FROM users WHERE email = '{email}'"
                return await session.execute(text(sql))
            """,
            note="SQL built in a variable, then run",
        ),
        Example(
            """
            from sqlalchemy import text


            def _by_status(status: str) -> str:
                return f"SELECT id FROM tasks WHERE status = {status}"


            async def tasks(session, status: str):
                return await session.execute(text(_by_status(status)))
            """,
            note="SQL returned by a helper of the module",
        ),
        Example(
            """
            from sqlalchemy import text


            async def page(session, limit: str, offset: str):
                sql = "SELECT id FROM users ORDER BY id"
                sql = f"{sql} LIMIT {limit} OFFSET {offset}"
                return await session.execute(text(sql))
            """,
            note="LIMIT takes a bound value; the last binding before the use is followed",
        ),
        Example(
            """
            from sqlalchemy import text


            class VectorStore:
                def __init__(self, table: str) -> None:
                    self.table = table

                async def search(self, session, owner: str):
                    sql = f"SELECT id FROM {self.table} WHERE owner = '{owner}'"
                    return await session.execute(text(sql))
            """,
            note="the store's own table name is not reported, the value next to it is",
        ),
    )
    good: ClassVar[tuple[Example, ...]] = (
        Example(
            """
            from sqlalchemy import text
            from sqlalchemy.ext.asyncio import AsyncSession


            async def find(session: AsyncSession, email: str):
                stmt = text("select * from users where email = :email")
                return await session.execute(stmt, {"email": email})
            """
        ),
        Example(
            """
            class GraphStore:
                def delete(self, cursor, node_id: str) -> None:
                    cursor.execute(
                        f\"\"\"
                        DELETE FROM {self.graph}."Memory"
                        WHERE id = ag_catalog._make_graph_id('{self.graph}'::name, %s::cstring)
                        \"\"\",
                        (node_id,),
                    )

                def count(self, cursor) -> None:
                    query = "$$ MATCH (n) RETURN n $$"
                    cursor.execute(f"SELECT * FROM cypher('{self.graph}', {query}) AS (n agtype)")
            """,
            path="app/graph.py",
            note="a graph's name: cast to `::name`, or Apache AGE's `cypher()` graph, which "
            "takes no parameter (memos; FG111)",
        ),
        Example(
            """
            class LogWriter:
                def _sql(self) -> str:
                    if self.sqlite:
                        marks = ", ".join(["?"] * 3)
                    else:
                        marks = ", ".join(f"${i}" for i in range(1, 4))
                    return f"INSERT INTO app_logs (ts, level, summary) VALUES ({marks})"

                async def write(self, rows: list[tuple[str, str, str]]) -> None:
                    await self.conn.executemany(self._sql(), rows)


            async def label(conn) -> None:
                for kind, table in (("agent", "agents"), ("tool", "tools")):
                    await conn.execute(f"INSERT INTO labels SELECT '{kind}', id FROM {table}")
            """,
            note=(
                "placeholders chosen per driver on each branch (`?` for SQLite, `$n` for "
                "asyncpg), and loop variables unpacked from a literal table"
            ),
        ),
        Example(
            """
            from sqlalchemy import text


            class VectorStore:
                def __init__(self, table: str) -> None:
                    self.table = table

                async def create(self, session) -> None:
                    ddl = f"CREATE TABLE IF NOT EXISTS {self.table} (id uuid PRIMARY KEY)"
                    await session.execute(text(ddl))

                async def count(self, session) -> int:
                    sql = f"SELECT count(*) FROM {self._qualified()}"
                    return (await session.execute(text(sql))).scalar_one()

                def _qualified(self) -> str:
                    return f"public.{self.table}"
            """,
            note="names held by the object: set by the code that configured it (mem0, R2R)",
        ),
        Example(
            """
            def log_event(executor, name):
                executor.execute(f"notify {name}")
                executor.execute(f"SELECT 1")
            """,
            note="not SQL; an f-string without placeholders",
        ),
        Example(
            """
            from sqlalchemy import text

            BATCH = 500


            def dedupe(session, model):
                stmt = text(f"DELETE FROM {model.__tablename__} WHERE id = :id")
                session.execute(stmt, {"id": 1})
                session.execute(text(f"SELECT id FROM {Recipe.__table__.name} LIMIT {BATCH}"))
                session.execute(text("SELECT * FROM %s" % User.__tablename__))
                for table in AUDITED_TABLES:
                    session.execute(text(f"SELECT count(*) FROM {table}"))
            """,
            note="only table names and constants are pasted in; values are bound",
        ),
        Example(
            """
            from enum import StrEnum

            from sqlalchemy import text


            class TimeInterval(StrEnum):
                day = "day"

                def sql_interval(self):
                    return text(f"'1 {self.value}'::interval")
            """,
            note="an enum member's own value",
        ),
        Example(
            """
            import re

            from sqlalchemy import text

            SCHEMA_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")


            async def create_tenant(session, schema: str, limit: int) -> None:
                if not SCHEMA_NAME.fullmatch(schema):
                    raise ValueError(schema)
                await session.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
                await session.execute(text(f'SET search_path TO "{schema}"'))
                await session.execute(text(f"SELECT id FROM users LIMIT {int(limit)}"))
            """,
            note="names checked before they are pasted; an integer cast",
        ),
        Example(
            """
            from sqlalchemy import text


            async def by_ids(session, ids: list[int], values: dict[str, object]):
                marks = ", ".join(f":p{i}" for i in range(len(ids)))
                params = {f"p{i}": v for i, v in enumerate(ids)}
                await session.execute(text(f"SELECT * FROM users WHERE id IN ({marks})"), params)
                assignments = ", ".join(f"{key} = :{key}" for key in EDITABLE if key in values)
                await session.execute(text(f"UPDATE users SET {assignments} WHERE id = 1"), values)
            """,
            note="placeholders assembled next to bound values",
        ),
        Example(
            """
            from alembic import op

            revision = "0007"
            down_revision = "0006"


            def upgrade() -> None:
                for table, column in (("users", "email"), ("teams", "slug")):
                    name = f"ix_{table}_{column}"
                    op.execute(f"CREATE INDEX CONCURRENTLY {name} ON {table} ({column})")


            def downgrade() -> None:
                for name in ("ix_users_email", "ix_teams_slug"):
                    op.execute(f"DROP INDEX {name}")
            """,
            path="migrations/versions/0007_indexes.py",
            note="names in a migration",
        ),
        Example(
            """
            async def m002_add_events(db) -> None:
                await db.execute(
                    f"CREATE TABLE events (id {db.big_int} PRIMARY KEY, at TIMESTAMP "
                    f"DEFAULT {db.timestamp_now})"
                )
            """,
            path="wallet/core/migrations.py",
            note="dialect fragments in a module of migration functions",
        ),
        Example(
            """
            from sqlalchemy import text


            def rename_roles(session, table: str) -> None:
                session.execute(
                    text(f"UPDATE {table} SET role = :new WHERE role = :old"),
                    {"old": "owner", "new": "admin"},
                )
            """,
            path="app/migrations/data_migrations/roles.py",
            note="a name in a helper of the migrations package",
        ),
        Example(
            """
            from sqlalchemy import text


            def _in_params(prefix: str, values: list[str]) -> tuple[str, dict[str, str]]:
                params = {f"{prefix}_{i}": v for i, v in enumerate(values)}
                return ", ".join(f":{prefix}_{i}" for i in range(len(values))), params


            async def edges(session, types: list[str], recursive: bool):
                marks, params = _in_params("type", types)
                if recursive:
                    head = "WITH RECURSIVE walk AS (SELECT id FROM edge)"
                else:
                    head = "WITH walk AS (SELECT id FROM edge)"
                sql = f"{head} SELECT * FROM walk JOIN edge USING (id) WHERE type IN ({marks})"
                return await session.execute(text(sql), params)
            """,
            note="placeholders from a helper returning `(sql, params)`; one of two literals",
        ),
        Example(
            """
            from sqlalchemy import text


            def _in_params(prefix: str, values: list[str]) -> tuple[str, dict[str, str]]:
                params = {f"{prefix}_{i}": v for i, v in enumerate(values)}
                return ", ".join(f":{prefix}_{i}" for i in range(len(values))), params


            async def nodes(session, filters: dict[str, list[str]]):
                where = []
                params = {}
                for i, (attr, values) in enumerate(filters.items()):
                    marks, bound = _in_params(f"filt_{i}", values)
                    where.append(f"type_{i} IN ({marks})")
                    params.update(bound)
                sql = "SELECT id FROM node WHERE " + " AND ".join(where)
                return await session.execute(text(sql), params)
            """,
            note="placeholders bound in the loop that appends them (cognee's graph filters)",
        ),
        Example(
            """
            from sqlalchemy import text

            RENAMED = {"app_old": "app_core"}


            async def rename(conn, ids: list[int]) -> None:
                for old, new in RENAMED.items():
                    await conn.execute(text(f"ALTER DATABASE {old} RENAME TO {new}"))
                tables = ["users", "teams"]
                for table in tables:
                    sql = f"DELETE FROM {table} WHERE id = ANY(:ids)"
                    await conn.execute(text(sql), {"ids": ids})
            """,
            note="loop variables over a constant dict's items and a local list of literals",
        ),
        Example(
            """
            from enum import StrEnum

            from sqlalchemy import text


            class Unit(StrEnum):
                DAY = "DAY"


            def timeout_ms() -> int:
                return 1000


            def interval(value: int, unit: Unit) -> str:
                return f"INTERVAL '{value} {unit.value}'"


            async def recent(session, count, unit):
                await session.execute(text(f"SET LOCAL statement_timeout = {timeout_ms()}"))
                since = f"now() - {interval(count, unit)}"
                return await session.execute(text(f"SELECT id FROM events WHERE at > {since}"))
            """,
            note="pieces a helper's annotations say are a number and an enum's value",
        ),
        Example(
            """
            from sqlalchemy import inspect, text


            async def purge(conn, ids: list[int]) -> None:
                inspector = inspect(conn)
                for name in inspector.get_table_names():
                    sql = f'DELETE FROM "{name}" WHERE id = ANY(:ids)'
                    await conn.execute(text(sql), {"ids": ids})
                for table in Base.metadata.sorted_tables:
                    await conn.execute(text(f"TRUNCATE {table.name}"))
            """,
            note="names read from the database's own catalog",
        ),
        Example(
            """
            import uuid

            from sqlalchemy import text


            def test_schema_is_created(engine) -> None:
                schema = f"tenant_{uuid.uuid4().hex[:12]}"
                with engine.connect() as conn:
                    conn.execute(text(f'CREATE SCHEMA "{schema}"'))
                    conn.execute(text(f"DELETE FROM users WHERE tenant = '{schema}'"))
            """,
            path="tests/test_tenants.py",
            note="tests",
        ),
        Example(
            """
            from alembic import op

            from app.core.security import get_password_hash

            revision = "0004"
            down_revision = "0003"


            def upgrade() -> None:
                hashed = get_password_hash("change-me-on-first-login")
                op.execute(
                    "INSERT INTO users (email, hashed_password) "
                    f"VALUES ('admin@example.com', '{hashed}')"
                )
            """,
            path="migrations/versions/0004_seed_admin.py",
            note="a password hash: its text holds no quote, whatever was hashed",
        ),
    )

    def may_fire(self, evidence: Evidence) -> bool:
        return (evidence.has("text") and evidence.has_package("sqlalchemy", "sqlmodel")) or (
            evidence.has_attribute(*_SQL_RUNNERS)
        )

    def may_fire_in(self, structure: Structure) -> bool:
        # `visit_Call` below: `analyze()` of the first argument of `execute()`,
        # `exec_driver_sql()` or `text()` finds pieces only in text built with an f-string,
        # `+`, `%` or `.format()`, there or where it follows it: `_may_build_sql`
        if structure.layer in ("test", "tooling") or not structure.interpolates:
            return False
        text_calls = {id(call.node) for call in structure.calls_to(TEXT_FUNCTIONS)}
        for call in structure.calls:
            func = call.node.func
            is_execute = isinstance(func, ast.Attribute) and func.attr in _SQL_RUNNERS
            if not is_execute and id(call.node) not in text_calls:
                continue
            if any(
                _may_build_sql(first, structure, set()) for first in _first_arguments(call.node)
            ):
                return True
        return False

    # -- the flow facts: blocks, loops, bindings, checks, in the order the code runs ---
    def visit_Module(self, node: cst.Module, ctx: FileContext) -> None:
        SqlFlow.of(ctx).scan_module(node)
        if is_revision_file(node, ctx):
            ctx.marks(_MIGRATION_MARK).add(1)
            if ctx.superseded_revision:
                ctx.marks(_HISTORY_MARK).add(1)
        elif _is_migration_module(ctx.relative_path.parts):
            ctx.marks(_MIGRATION_MARK).add(1)  # a helper of the revisions, beside them

    def visit_IndentedBlock(self, node: cst.IndentedBlock, ctx: FileContext) -> None:
        SqlFlow.of(ctx).enter_suite(node)

    def leave_IndentedBlock(self, node: cst.IndentedBlock, ctx: FileContext) -> None:
        SqlFlow.of(ctx).leave_suite()

    def visit_SimpleStatementSuite(self, node: cst.SimpleStatementSuite, ctx: FileContext) -> None:
        SqlFlow.of(ctx).enter_suite(node)

    def leave_SimpleStatementSuite(self, node: cst.SimpleStatementSuite, ctx: FileContext) -> None:
        SqlFlow.of(ctx).leave_suite()

    def visit_For(self, node: cst.For, ctx: FileContext) -> None:
        flow = SqlFlow.of(ctx)
        flow.enter_loop(node)
        flow.bind_loop(node.target, loop_value(node.iter, ctx), ctx, node.iter)

    def visit_While(self, node: cst.While, ctx: FileContext) -> None:
        flow = SqlFlow.of(ctx)
        flow.enter_loop(node)
        flow.check(node.test, ctx)

    def visit_If(self, node: cst.If, ctx: FileContext) -> None:
        SqlFlow.of(ctx).check(node.test, ctx)

    def visit_Assert(self, node: cst.Assert, ctx: FileContext) -> None:
        SqlFlow.of(ctx).check(node.test, ctx)

    def leave_Assign(self, node: cst.Assign, ctx: FileContext) -> None:
        flow = SqlFlow.of(ctx)
        for target in node.targets:
            flow.bind(target.target, node.value, ctx)

    def leave_AnnAssign(self, node: cst.AnnAssign, ctx: FileContext) -> None:
        SqlFlow.of(ctx).bind(node.target, node.value, ctx)

    def leave_AugAssign(self, node: cst.AugAssign, ctx: FileContext) -> None:
        SqlFlow.of(ctx).augmented(node, ctx)

    def leave_NamedExpr(self, node: cst.NamedExpr, ctx: FileContext) -> None:
        SqlFlow.of(ctx).bind(node.target, node.value, ctx)

    def leave_WithItem(self, node: cst.WithItem, ctx: FileContext) -> None:
        if node.asname is not None:
            SqlFlow.of(ctx).bind(node.asname.name, None, ctx)

    def visit_ExceptHandler(self, node: cst.ExceptHandler, ctx: FileContext) -> None:
        if node.name is not None:
            SqlFlow.of(ctx).bind(node.name.name, None, ctx)

    # -- the check -----------------------------------------------------------------
    def visit_Call(self, node: cst.Call, ctx: FileContext) -> None:
        flow = SqlFlow.of(ctx)
        flow.validator_call(node, ctx)
        flow.appended(node)
        if ctx.layer in ("test", "tooling") or not node.args or node.args[0].keyword is not None:
            return
        if ctx.marks(_HISTORY_MARK):
            return
        func = node.func
        is_execute = isinstance(func, cst.Attribute) and func.attr.value in _SQL_RUNNERS
        if not is_execute and ctx.qualified_name(func) not in TEXT_FUNCTIONS:
            return
        sql = analyze(node.args[0].value, ctx)
        if sql is None:
            sql = _on_some_path(node.args[0].value, flow, ctx)
        if sql is None or (is_execute and not _SQL.search(sql.text)):
            return
        if command_line_program(ctx):
            return  # the operator's input, at the terminal, as in the tooling layer
        if refused_by_sqlalchemy_2(node, ctx):
            return  # the string never runs: FG112's finding says to bind the values
        script = _script_condition(self.code, ctx)
        if not self.reports_names:
            # every value pasted in, named: the one an attacker controls may be any of them
            # (keep's MERGE: `tenant_id` from the token, `field` from a webhook's payload)
            values = list(dict.fromkeys(piece_code(piece) for piece in _values(sql.pieces)))
            if len(values) == 1:
                _report_unless_script(
                    node.args[0], self.value_message.format(piece=values[0]), script, ctx
                )
            elif values:
                named = ", ".join(f"`{value}`" for value in values[:4])
                more = ", ..." if len(values) > 4 else ""
                message = f"{named}{more} pasted into SQL as values: pass them as bound parameters"
                _report_unless_script(node.args[0], message, script, ctx)
            return
        if ctx.marks(_MIGRATION_MARK):
            return
        for piece in sql.pieces:
            if (
                piece.kind == NAME
                and not flow.is_checked(piece.expr, ctx)
                and not (_configured_name(piece.expr) and _SET_STATEMENT.match(sql.text) is None)
            ):
                message = self.name_message.format(piece=piece_code(piece))
                _report_unless_script(node.args[0], message, script, ctx)
                return


def _report_unless_script(
    node: cst.CSTNode, message: str, script: Condition | None, ctx: FileContext
) -> None:
    """Report, on the condition the module is no script (`_script_condition`) if asked."""
    if script is None:
        ctx.report(node, message)
    else:
        ctx.report_if(node, script, message)


def _script_condition(code: str, ctx: FileContext) -> Condition | None:
    """Where a module with a `__main__` guard, no web framework, may be a script the
    service never imports (haruningen's `refresh_db.py`, run by its Makefile, imported by
    its tests: reader 101): its findings stand only where the service's code imports it
    (`IMPORTED`), its input being its operator's otherwise, as a command-line program's."""
    found = ctx.stash("own:script")
    if not found:
        found.append(
            any(isinstance(s, cst.If) and is_main_guard(s.test) for s in ctx.module.body)
            and not _imports_a_web_framework(ctx)
        )
    if not found[0]:
        return None
    stem = ctx.path.stem if ctx.path.stem != "__init__" else ctx.path.parent.name
    return Condition((), frozenset(), fact=used_fact(code, IMPORTED + stem))


def _on_some_path(expr: cst.BaseExpression, flow: SqlFlow, ctx: FileContext) -> SqlText | None:
    """The SQL text a name holds on one of the paths to here, built from pieces, when no
    one value is certain (`if user_id: sql = f"... '{user_id}'"` / `else: sql = "..."`,
    or `sql += f" AND kind = '{kind}'"` under an `if`): the first that pastes a piece."""
    if not isinstance(expr, cst.Name) or flow.value_of(expr.value, ctx) is not None:
        return None
    for value in flow.reaching_values(expr.value, ctx) or ():
        found = analyze(value, ctx)
        if found is not None:
            return found
    return None


def _values(pieces: Sequence[Piece]) -> list[Piece]:
    """The pieces pasted into SQL as values, in order."""
    return [piece for piece in pieces if piece.kind == VALUE]


class InterpolatedSqlName(InterpolatedSql):
    code = "FG111"
    name = "interpolated-sql-name"
    default = False
    message = (
        "A name pasted into SQL where a bound parameter cannot go: quote it with the "
        "dialect's identifier preparer, or check it against a fixed set"
    )
    name_message = (
        "`{piece}` pasted into SQL where a bound parameter cannot go (a name, or an "
        "operand of DDL or SET): quote it with the dialect's identifier preparer, or check "
        "it against a fixed set"
    )
    reports_names = True
    summary = (
        "Checks for SQL text built as FG105 reads it (an f-string, `%`, `+` or `.format()`, "
        "also through a variable or a helper of the module) where a piece pasted in is a "
        'name (`"{x}"`, `FROM {x}`, `{schema}.t`, `ORDER BY {x}`, an argument of a SQL '
        "function, `lower({x})`) or an operand of a statement that takes no parameter "
        "(`CREATE`, `ALTER`, `DROP`, `SET`, `PRAGMA`, ...), unless the function checked it "
        "first (`if schema not in ALLOWED`, `validate_schema(schema)`, `assert "
        "NAME.fullmatch(schema)`) or the name is held by the object or the settings "
        "(`self.table`, `self._table_name(Model)`, `settings.db_schema`, "
        "`get_settings().schema`: set by the code that configured them; the operand of "
        "`SET`, which `set_config()` binds, is still reported). Pieces that cannot carry "
        "input are not reported (FG105's list), nor names quoted by "
        "`quoted_name()`/`quote_ident()`/`preparer.quote()`, nor loop variables over the "
        "database's own catalog (`inspector.get_table_names()`, `get_columns(t)`, "
        "`metadata.sorted_tables`).\n\n"
        "Not enabled by default: whether a name can come from a request depends on code "
        "the checker does not follow (most are the code's own: a column a helper's caller "
        "picks, a table of a registry), so a finding here asks for a review, not a fix. "
        "Select it for an audit of the SQL a project builds.\n\n"
        "Where it applies: as FG105; in migrations (the whole `migrations/` or `alembic/` "
        "package: revisions and the helpers they call) and in a module named "
        "`migrations.py` (a home-grown runner's migration functions) names and DDL "
        "operands come from the revision's code and are not reported."
    )
    why = (
        "A name (a schema, a table, a column, a sort key) cannot be a bound parameter, so a "
        "name that comes from a request is an injection hole that binding does not close: "
        "quote it with `connection.dialect.identifier_preparer.quote(name)` or pick it from "
        "a fixed set; a setting takes a bound value through `SELECT "
        "set_config('search_path', :path, true)`."
    )
    bad = (
        Example(
            """
            from sqlalchemy import text


            class TenantDatabase:
                def __init__(self, schema: str) -> None:
                    self.schema = schema

                async def use(self, session) -> None:
                    await session.execute(text(f"SET search_path TO {self.schema}"))
            """,
            note="a setting's operand: `set_config()` binds it",
        ),
        Example(
            """
            from sqlalchemy import text


            async def users(session, sort: str):
                return await session.execute(text(f"SELECT id FROM users ORDER BY {sort}"))
            """,
            note="a sort key from the caller",
        ),
        Example(
            """
            from sqlalchemy import text


            async def create_index(session, index_name: str, table: str) -> None:
                sql = f"CREATE INDEX {index_name} ON {table} (embedding)"
                await session.execute(text(sql))
            """,
            note="DDL takes no parameter",
        ),
    )
    good = (
        *InterpolatedSql.good,
        Example(
            """
            from sqlalchemy import text
            from sqlalchemy.ext.asyncio import AsyncSession


            async def find(session: AsyncSession, email: str):
                return await session.execute(text(f"select * from users where email = '{email}'"))
            """,
            note="a value: FG105's",
        ),
        Example(
            """
            from sqlalchemy import text
            from sqlalchemy.ext.asyncio import AsyncSession


            async def reset_sequences(session: AsyncSession) -> None:
                sequences = {"organization": "organization_id", "user_profile": "user_profile_id"}
                for table, column in sequences.items():
                    await session.execute(
                        text(
                            f"SELECT setval('{table}_{column}_seq', "
                            f"COALESCE((SELECT MAX({column}) + 1 FROM {table}), 1), false)"
                        )
                    )
            """,
            path="app/db/seeders/dev_seeder.py",
            note="names from a loop over a local literal dict (lcfs's seeders)",
        ),
    )


#: `SET x TO {value}`: a setting's value, which `set_config(..., :value)` binds.
_SET_STATEMENT = lazy_pattern(r"\s*SET\b", re.IGNORECASE)
#: Roots of a name the code configured: the object's own (`self.table`), its class's,
#: and the settings' (`settings.schema`, `get_settings().schema`).
_CONFIGURED_ROOTS = frozenset({"self", "cls", "settings", "get_settings"})


def _configured_name(expr: cst.BaseExpression) -> bool:
    """Whether a name pasted into SQL is held by the object or the settings (`self.table`,
    `self._table_name(Model)`, `settings.db_schema`): set by the code that configured
    them, not by a request. Only names: a value from there is still reported."""
    while True:
        if isinstance(expr, cst.Call):
            expr = expr.func
        elif isinstance(expr, cst.Attribute | cst.Subscript):
            if isinstance(expr, cst.Attribute) and isinstance(expr.value, cst.Name):
                return expr.value.value in _CONFIGURED_ROOTS
            expr = expr.value
        else:  # `get_settings().schema` ends at the function called
            return isinstance(expr, cst.Name) and expr.value == "get_settings"


def _first_arguments(call: ast.Call) -> list[ast.expr]:
    """What libcst's `call.args[0]` may be when it is no `name=` argument: the first
    positional argument (for `*rows`: `rows`), else a leading `**options` (CPython's tree
    keeps positional and keyword arguments apart; none may follow a `**`)."""
    if call.args:
        first = call.args[0]
        return [first.value if isinstance(first, ast.Starred) else first]
    return [item.value for item in call.keywords[:1] if item.arg is None]


def _may_build_sql(expr: ast.expr, structure: Structure, followed: set[str]) -> bool:
    """Whether `analyze(expr)` (`_Renderer.resolve`) may find pieces: text built with an
    f-string's `{}`, `%`, `.format()` or `+` with something else than literals; a name any
    binding of the file assigns such text (`SqlFlow.value_of` picks one of them) or adds
    it (`+=`: `SqlFlow.augmented`); or a call
    of a function of the file with a `return` of such text (`_Renderer._helper`: a
    function of the module, or `self.method(...)`). Anything else renders no text."""
    if stringish(expr):
        return _interpolates(expr)
    if isinstance(expr, ast.Name):
        if expr.id in followed:
            return False  # what it holds comes from its other bindings
        followed.add(expr.id)
        bindings = structure.bindings_of(expr.id)
        # `sql += f"... '{kind}'"` too: the text it adds is rendered after what it held
        return any(_may_build_sql(value, structure, followed) for value in bindings.values) or any(
            _may_build_sql(value, structure, set(followed)) for value in bindings.added
        )
    if not isinstance(expr, ast.Call):
        return False
    func = expr.func
    if isinstance(func, ast.Name):
        helper = func.id
    elif (
        isinstance(func, ast.Attribute)
        and isinstance(func.value, ast.Name)
        and func.value.id in {"self", "cls"}
    ):
        helper = func.attr
    else:
        return False
    return any(
        returned.value is not None and stringish(returned.value) and _interpolates(returned.value)
        for function in structure.functions
        if function.name == helper
        for returned in structure.returns_in(function)
    )


def _interpolates(text: ast.expr) -> bool:
    """Whether rendering text built of strings (`stringish`) may place a piece: not when
    it is made of literals and f-strings without `{}` joined by `+` only."""
    pending = [text]
    while pending:
        part = pending.pop()
        if isinstance(part, ast.BinOp) and isinstance(part.op, ast.Add):
            pending.extend((part.left, part.right))
        elif isinstance(part, ast.JoinedStr):
            if any(isinstance(value, ast.FormattedValue) for value in part.values):
                return True
        elif not (isinstance(part, ast.Constant) and isinstance(part.value, str | bytes)):
            return True  # `%`, `.format()`, or something pasted in with `+`
    return False


class SessionSharedByTasks(Rule):
    code = "FG106"
    name = "session-shared-by-concurrent-tasks"
    family = "SQLAlchemy"
    message = (
        "One session used by concurrent tasks: an `AsyncSession` is not safe for concurrent "
        "use; await the queries one by one, or give each task its own session"
    )
    summary = (
        "Checks for `asyncio.gather()` whose awaitables use the same session: a query on "
        "it, a function given it, or methods of one repository object of this file that "
        "both use its session (`gather(repo.count(), repo.page())` where both read "
        "`self.session`, typed in the class or in `__init__`); the awaitables given one "
        "by one, in a starred comprehension, or in a starred list the function builds in "
        "displays (`tasks = [repo.votes(db), repo.bookmarks(db)]`, `tasks += [...]`, "
        "`tasks.append(...)`, then `gather(*tasks)`). A session known by its "
        "name alone (`session`, `db`, `db_session`, in a file that imports SQLAlchemy) is a "
        "local name or `self.x`, never an attribute of another object (`info.context.db` "
        "is as often a session factory) nor a name the coroutine calls (`db()`: a "
        "factory, each task opens its own session). Only in a project that uses "
        "SQLAlchemy's asyncio extension (`AsyncSession`, `create_async_engine`, "
        "`async_sessionmaker` named in a file of it) or when the selection names FG106: "
        "elsewhere the session is a sync one, which blocks the loop (FG102) and cannot "
        "fail so. Also checks for an `AsyncSession` made at import: a module-level name "
        "bound to `AsyncSession(...)` or to a call of an `async_sessionmaker` of the file, "
        "or an attribute `__init__` binds so in a class the module makes an instance of at "
        "module level (`db = Database()`): every request that uses it shares the one "
        "session (`async_scoped_session`, made for this, is left alone); a name nothing "
        "reads (not its module besides the binding, nor an import of it from the module "
        "or its package, by name or `*`, nor `database.session`) is dead code, held back "
        "like it.\n\n"
        "Where it applies: everywhere, tests included: a test sharing one session between "
        "tasks fails at random; the session made at import, everywhere but tests, "
        "development tooling, migrations and command-line programs (one session for a "
        "script's one run)."
    )
    why = (
        "An `AsyncSession` has one connection and one transaction state: two tasks using it "
        "at once fail with `InterfaceError: another operation is in progress` or interleave "
        "their statements in one transaction. Run the queries sequentially, or open a "
        "session per task from the sessionmaker."
    )
    bad = (
        Example(
            """
            import asyncio

            from sqlalchemy import select
            from sqlalchemy.ext.asyncio import AsyncSession


            async def dashboard(session: AsyncSession):
                users, tasks = await asyncio.gather(
                    session.scalars(select(User)), session.scalars(select(Task))
                )
                return users, tasks
            """
        ),
        Example(
            """
            import asyncio

            from sqlalchemy import select


            async def load(db_session, ids):
                return await asyncio.gather(*(fetch_one(db_session, i) for i in ids))
            """,
            note="a generator of calls given the same session",
        ),
        Example(
            """
            import asyncio

            from sqlalchemy import func, select
            from sqlalchemy.ext.asyncio import AsyncSession


            class TaskRepository:
                def __init__(self, session: AsyncSession) -> None:
                    self.session = session

                async def count(self) -> int:
                    return await self.session.scalar(select(func.count(Task.id)))

                async def page(self, limit: int) -> list[Task]:
                    return list(await self.session.scalars(select(Task).limit(limit)))


            async def dashboard(tasks: TaskRepository):
                return await asyncio.gather(tasks.count(), tasks.page(20))
            """,
            note="two methods of one repository, one session",
        ),
        Example(
            """
            import asyncio

            from sqlalchemy.ext.asyncio import AsyncSession


            async def stats(session: AsyncSession, ids: list[int]):
                total = count_orders(session)
                lines = [order_lines(session, i) for i in ids]
                first = await asyncio.gather(total, latest_order(session))
                return first, await asyncio.gather(*lines)
            """,
            expect=2,
            note="coroutines made before the call, kept in names",
        ),
        Example(
            """
            from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine


            class Database:
                def __init__(self, url: str) -> None:
                    self.engine = create_async_engine(url)
                    self.session = AsyncSession(bind=self.engine, expire_on_commit=False)


            db = Database("postgresql+asyncpg://app@db/app")


            async def get_session():
                yield db.session
            """,
            note="one session made at import, yielded to every request (a service template)",
        ),
        Example(
            """
            from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

            engine = create_async_engine("postgresql+asyncpg://db/app")
            SessionLocal = async_sessionmaker(engine, expire_on_commit=False)
            session = SessionLocal()
            """,
            note="a module-level session from the module's factory",
        ),
    )
    good = (
        Example(
            """
            from sqlalchemy import select
            from sqlalchemy.ext.asyncio import AsyncSession


            async def dashboard(session: AsyncSession):
                users = await session.scalars(select(User))
                tasks = await session.scalars(select(Task))
                return users, tasks
            """
        ),
        Example(
            """
            import asyncio

            async def fetch_all(client, urls):
                return await asyncio.gather(*(client.get(u) for u in urls))
            """,
            note="an HTTP client is made for concurrency",
        ),
        Example(
            """
            import asyncio

            from aiohttp import ClientSession


            async def claim_twice(url: str, browser_session, session_id: str):
                async with ClientSession() as session:
                    return await asyncio.gather(session.post(url), session.post(url))


            async def snapshots(browser_sessions, storage):
                return await asyncio.gather(
                    *[snapshot(browser_session, storage) for browser_session in browser_sessions]
                )
            """,
            note="an HTTP client session, and domain objects named after sessions",
        ),
        Example(
            """
            import asyncio

            async def attempt(sessionmaker, key):
                async with sessionmaker() as session:
                    return await validate(session, key)

            async def race(sessionmaker, key):
                return await asyncio.gather(*(attempt(sessionmaker, key) for _ in range(5)))
            """,
            note="a session factory: each task opens its own session (polar's tests)",
        ),
        Example(
            """
            import asyncio


            async def fan_out(requests):
                session = start_worker_session()
                return await asyncio.gather(*(session.call(r) for r in requests))
            """,
            note="a session by name only, in a file that does not use SQLAlchemy",
        ),
        Example(
            """
            import asyncio
            from dataclasses import dataclass

            from sqlalchemy.ext.asyncio import AsyncSession


            @dataclass
            class CallbackService:
                db_session: AsyncSession

                async def run(self, callback) -> None:
                    result = await callback()
                    self.db_session.add(Result(value=result))

                async def run_all(self, callbacks) -> None:
                    await asyncio.gather(*[self.run(c) for c in callbacks])
                    await self.db_session.commit()
            """,
            note="tasks that only `add()` to the session: no IO until the commit after",
        ),
        Example(
            """
            import asyncio

            from sqlalchemy import delete


            async def delete_dataset(info, dataset_id: int) -> None:
                await asyncio.gather(
                    delete_rows(info.context.db, dataset_id),
                    delete_files(info.context.db, dataset_id),
                )


            async def purge(db, ids: list[int]) -> None:
                async with db() as session:
                    await session.execute(delete(Draft).where(Draft.id.in_(ids)))
                await asyncio.gather(purge_rows(db, ids), purge_files(db, ids))
            """,
            note=(
                "a session factory: an attribute of another object named `db`, a name the "
                "coroutine calls; each callee opens its own session"
            ),
        ),
        Example(
            """
            from asyncio import current_task

            from sqlalchemy.ext.asyncio import (
                AsyncSession,
                async_scoped_session,
                async_sessionmaker,
                create_async_engine,
            )

            engine = create_async_engine("postgresql+asyncpg://app@db/app")
            SessionLocal = async_sessionmaker(engine, expire_on_commit=False)
            ScopedSession = async_scoped_session(SessionLocal, scopefunc=current_task)


            class Database:
                def __init__(self) -> None:
                    self.factory = async_sessionmaker(engine, expire_on_commit=False)

                def session(self) -> AsyncSession:
                    return self.factory()


            db = Database()


            async def get_session():
                async with SessionLocal() as session:
                    yield session
            """,
            note="factories at import, a session per request, a scoped session",
        ),
        Example(
            """
            import argparse
            import asyncio

            from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

            session = AsyncSession(
                create_async_engine("postgresql+asyncpg://app@db/app"), expire_on_commit=False
            )


            async def main(name: str) -> None:
                await session.execute(...)


            if __name__ == "__main__":
                parser = argparse.ArgumentParser()
                parser.add_argument("name")
                asyncio.run(main(parser.parse_args().name))
            """,
            path="app/seed.py",
            note="a command-line program: one session for its one run",
        ),
    )

    def may_fire(self, evidence: Evidence) -> bool:
        return evidence.has("gather", "AsyncSession", "async_sessionmaker")

    def may_fire_in(self, structure: Structure) -> bool:
        # `visit_Call`: `asyncio.gather(...)` given two awaitables that may use one
        # session (`_sessions_in`: names an argument's call is given or called on, by their
        # first name), or a comprehension's; `visit_Assign`: an async session class or
        # factory named (`_made_at_import`), outside tests, tooling, migrations
        return any(
            _may_share_a_session(call.node, call.enclosing.node if call.enclosing else None)
            for call in structure.calls_to(("asyncio.gather",))
        ) or (
            structure.layer not in _SCRIPT_LAYERS
            and (
                any(structure.calls_to(_SHARED_SESSIONS))
                or structure.refers_to(*_ASYNC_SESSIONMAKERS)
                or (
                    structure.refers_to(*_SESSIONMAKERS)
                    and structure.refers_to(*ASYNC_SESSION_CLASSES)
                )
            )
        )

    def visit_Assign(self, node: cst.Assign, ctx: FileContext) -> None:
        self._made_at_import(node, [target.target for target in node.targets], ctx)

    def visit_AnnAssign(self, node: cst.AnnAssign, ctx: FileContext) -> None:
        if node.value is not None:
            self._made_at_import(node, [node.target], ctx)

    def _made_at_import(
        self, node: cst.Assign | cst.AnnAssign, targets: list[cst.BaseExpression], ctx: FileContext
    ) -> None:
        """An `AsyncSession` bound at module level, or to `self.x` in the `__init__` of a
        class the module makes an instance of at module level: one session for every
        request that reaches it."""
        value = node.value
        if not isinstance(value, cst.Call) or ctx.layer in _SCRIPT_LAYERS:
            return
        function = ctx.function
        if function is None:
            if ctx.enclosing_class is not None or not all(
                isinstance(target, cst.Name) for target in targets
            ):
                return
            owner = None
        else:
            outer = ctx.enclosing_class
            node_of = function.node
            params = node_of.params.params if isinstance(node_of, cst.FunctionDef) else ()
            if (
                outer is None
                or not isinstance(node_of, cst.FunctionDef)
                or node_of.name.value != "__init__"
                or not params
                or not all(
                    isinstance(target, cst.Attribute)
                    and isinstance(target.value, cst.Name)
                    and target.value.value == params[0].name.value
                    for target in targets
                )
            ):
                return
            owner = _instance_made_at_import(outer.name, ctx)
            if owner is None:
                return
        if not _session_made(value, ctx) or command_line_program(ctx):
            return
        if owner is None:
            message = (
                "An `AsyncSession` made at import is shared by every request and task that "
                "uses it, and is not safe for concurrent use: open one per request "
                "(`async with SessionLocal() as session:` in a dependency)"
            )
            names = [t.value for t in targets if isinstance(t, cst.Name)]
            if len(names) == 1:
                # unless nothing reads it: dead code (vladikhub's `session =
                # async_session_maker()`, every request opening its own: reader 175)
                bound = f"{os.path.abspath(ctx.path)}|{names[0]}"
                fact = used_fact(self.code, NAME_IMPORTED + bound)
                ctx.report_if(node, Condition((), frozenset(), fact=fact), message)
                return
        else:
            message = (
                f"An `AsyncSession` made when `{owner}` is made at import is shared by "
                "every request and task that uses it, and is not safe for concurrent use: "
                "keep an `async_sessionmaker` there, and open a session per request"
            )
        ctx.report(node, message)

    def visit_Call(self, node: cst.Call, ctx: FileContext) -> None:
        if ctx.qualified_name(node.func) != "asyncio.gather":
            return
        uses: dict[str, int] = {}
        for arg in node.args:
            value = arg.value
            if arg.star == "*" and isinstance(value, cst.Name):
                # a list of coroutines the function builds before the call, in displays
                # (`tasks = [repo.votes(db, ids), repo.bookmarks(db, ids)]`, `tasks +=
                # [...]`, `tasks.append(...)`: athenax's product service, reader 171)
                elements = _listed_awaitables(value.value, ctx)
                if elements:
                    for element in elements:
                        for name in _sessions_in(element, ctx):
                            uses[name] = uses.get(name, 0) + 1
                    continue
            if isinstance(value, cst.Name):
                # a coroutine or a list of them made before the call (`count =
                # repo.count()`, then `gather(count, page)`), bound once in the function
                value = bound_once(value, ctx) or value
            if arg.star == "*" and isinstance(value, cst.GeneratorExp | cst.ListComp):
                for name in _sessions_in(value.elt, ctx):
                    uses[name] = uses.get(name, 0) + 2  # repeated for every element
                continue
            if arg.star == "*" and isinstance(value, cst.List | cst.Tuple):
                # `gather(*[repo.a(db), repo.b(db)])`: each element an awaitable
                for item in value.elements:
                    if isinstance(item, cst.Element):
                        for name in _sessions_in(item.value, ctx):
                            uses[name] = uses.get(name, 0) + 1
                continue
            for name in _sessions_in(value, ctx):
                uses[name] = uses.get(name, 0) + 1
        if any(count > 1 for count in uses.values()):
            # a sync session shared by tasks blocks (FG102's) and cannot fail as an
            # `AsyncSession` does: reported where the project uses the asyncio extension
            ctx.report_if(node, _ASYNC_PROJECT)


def _listed_awaitables(name: str, ctx: FileContext) -> list[cst.BaseExpression]:
    """The elements of the displays the enclosing function puts in the list `name`:
    `name = [a, b]`, `name += [c]`, `name.append(d)`, `name.extend([e])` (empty when it
    makes it otherwise too: a comprehension, a call's result)."""
    function = ctx.function
    if function is None:
        return []
    found: list[cst.BaseExpression] = []
    for node in descendants(function.node):
        value: cst.BaseExpression | None = None
        if (
            isinstance(node, cst.Assign)
            and any(isinstance(t.target, cst.Name) and t.target.value == name for t in node.targets)
        ) or (
            isinstance(node, cst.AnnAssign | cst.AugAssign)
            and isinstance(node.target, cst.Name)
            and node.target.value == name
        ):
            value = node.value
        elif (
            isinstance(node, cst.Call)
            and isinstance(node.func, cst.Attribute)
            and isinstance(node.func.value, cst.Name)
            and node.func.value.value == name
            and node.func.attr.value in ("append", "extend")
            and len(node.args) == 1
        ):
            if node.func.attr.value == "append":
                found.append(node.args[0].value)
                continue
            value = node.args[0].value
        else:
            continue
        if not isinstance(value, cst.List | cst.Tuple):
            return []
        found.extend(e.value for e in value.elements if isinstance(e, cst.Element))
    return found


def _may_share_a_session(gather: ast.Call, function: ast.AST | None) -> bool:
    """Whether `_sessions_in` may find one name in two of the gather's awaitables, read by
    the first names of what their calls are given and called on (a repository's session
    is its object's): a starred comprehension of calls (every element), or two calls
    sharing a first name; a name given is read as every value the function around the
    call assigns it (`count = repo.count()`, `tasks = [...]`: the rule follows a name bound
    once). `asyncio.gather(*tasks)` of tasks made otherwise holds none."""
    seen: set[str] = set()
    values = [*gather.args, *(keyword.value for keyword in gather.keywords)]
    assigned: dict[str, list[ast.expr]] | None = None
    for value in values:
        starred = isinstance(value, ast.Starred)
        if isinstance(value, ast.Starred):
            value = value.value
        candidates = [value]
        if isinstance(value, ast.Name) and function is not None:
            if assigned is None:
                assigned = _assigned_values(function)
            candidates = assigned.get(value.id, [])
        names: set[str] = set()
        for candidate in candidates:
            if (
                starred
                and isinstance(candidate, ast.GeneratorExp | ast.ListComp)
                and _first_names(candidate.elt)
            ):
                return True
            if starred and isinstance(candidate, ast.List | ast.Tuple):
                # a display's elements, each an awaitable (`_listed_awaitables`)
                for element in candidate.elts:
                    found = _first_names(element)
                    if found & (seen | names):
                        return True
                    names |= found
                continue
            names |= _first_names(candidate)
        if names & seen:
            return True
        seen |= names
    return False


def _assigned_values(function: ast.AST) -> dict[str, list[ast.expr]]:
    """The values a function's plain assignments give its names (`x = value`), and what
    it adds to them (`x += [...]`, `x.append(y)` as `[y]`, `x.extend(...)`)."""
    found: dict[str, list[ast.expr]] = {}
    pending = list(ast.iter_child_nodes(function))
    while pending:
        node = pending.pop()
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    found.setdefault(target.id, []).append(node.value)
        elif (
            isinstance(node, ast.AugAssign | ast.AnnAssign)
            and isinstance(node.target, ast.Name)
            and node.value is not None
        ):
            found.setdefault(node.target.id, []).append(node.value)
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name)
            and node.func.attr in ("append", "extend")
            and len(node.args) == 1
        ):
            added = node.args[0]
            if node.func.attr == "append":
                added = ast.List(elts=[added], ctx=ast.Load())
            found.setdefault(node.func.value.id, []).append(added)
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda | ast.ClassDef):
            pending.extend(ast.iter_child_nodes(node))
    return found


def _first_names(expr: ast.expr) -> set[str]:
    """The first names of the dotted names a call is given or called on (`repo.page(db)`:
    `repo`, `db`); none for what is not a call."""
    if not isinstance(expr, ast.Call):
        return set()
    candidates = [*expr.args, *(keyword.value for keyword in expr.keywords)]
    if isinstance(expr.func, ast.Attribute):
        candidates.append(expr.func.value)
    found = set()
    for candidate in candidates:
        if isinstance(candidate, ast.Starred):
            candidate = candidate.value
        while isinstance(candidate, ast.Attribute):
            candidate = candidate.value
        if isinstance(candidate, ast.Name):
            found.add(candidate.id)
    return found


#: Layers where one session made at import is one run's (a script, a test module's).
_SCRIPT_LAYERS = frozenset({"test", "tooling", "migration"})
#: Sessions one task at a time may use (`async_scoped_session` is one per task).
_SHARED_SESSIONS = frozenset(c for c in ASYNC_SESSION_CLASSES if "scoped" not in c)


_ASYNC_SESSIONMAKERS = ASYNC_SESSION_FACTORIES - ASYNC_SESSION_CLASSES
_SESSIONMAKERS = frozenset(
    name for name, made in INSTANCE_FACTORIES.items() if made == SYNC_SESSION_FACTORY
)


def _session_made(call: cst.Call, ctx: FileContext) -> bool:
    """Whether a call makes an `AsyncSession`: the class called (SQLModel's too), or an
    `async_sessionmaker` the module binds at module level (`sessionmaker(class_=
    AsyncSession)` also, the 1.4 spelling)."""
    if ctx.qualified_name(call.func) in _SHARED_SESSIONS:
        return True
    func = call.func
    return (
        isinstance(func, cst.Name)
        and module_factories(ctx).get(func.value) == ASYNC_SESSION_FACTORY
    )


def _instance_made_at_import(class_name: str, ctx: FileContext) -> str | None:
    """The module-level statement that makes an instance of a class of this file
    (`db = Database()`, shown as `db = Database()`), or None."""
    for statement in ctx.module.body:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            value: cst.BaseExpression | None
            if isinstance(small, cst.Assign):
                target, value = small.targets[0].target, small.value
            elif isinstance(small, cst.AnnAssign):
                target, value = small.target, small.value
            else:
                continue
            if (
                isinstance(value, cst.Call)
                and isinstance(value.func, cst.Name)
                and value.func.value == class_name
            ):
                return f"{code_of(target)} = {class_name}()"
    return None


#: The project uses SQLAlchemy's asyncio extension (`checks.project_facts.ASYNC_SESSIONS`;
#: true when the selection names FG106).
_ASYNC_PROJECT = Condition((), frozenset(), fact=ASYNC_SESSIONS)


def _sessions_in(expr: cst.BaseExpression, ctx: FileContext) -> set[str]:
    """Session-like names a call uses as receiver or argument, and the sessions of a
    repository object of this file whose method it calls (`repo.count()` ->
    `repo.session`). A session's name alone (`db`, `session`) counts only in a file that
    imports SQLAlchemy or SQLModel: elsewhere it is as likely an RPC or HTTP session."""
    if not isinstance(expr, cst.Call):
        return set()
    candidates = [arg.value for arg in expr.args]
    found = set()
    if isinstance(expr.func, cst.Attribute):
        if expr.func.attr.value not in _SESSION_METHODS_WITHOUT_IO:
            candidates.append(expr.func.value)
        found.update(_repository_sessions(expr.func, ctx))
    by_name = ctx.imports_module(*_PACKAGES)
    for candidate in candidates:
        name = dotted_name(candidate)
        if name is None:
            continue
        cls = receiver_class(candidate, ctx)
        if cls is not None:
            if cls in ASYNC_SESSION_CLASSES:
                found.add(name)
        elif by_name and _named_like_a_session(candidate, name, ctx):
            found.add(name)
    return found


def _named_like_a_session(expr: cst.BaseExpression, name: str, ctx: FileContext) -> bool:
    """A session by its name alone: a local name or `self.x` (`db`, `self.session`), not
    an attribute of some other object (`info.context.db` may be a session factory), and
    not a name the coroutine calls (`async with db() as session:` makes `db` a factory)."""
    head, _, attribute = name.rpartition(".")
    if head not in ("", "self") or not _DB_SESSION_NAME.match(attribute):
        return False
    function = ctx.function
    if function is None:
        return True
    return name not in _called_names(function.node, ctx)


def _called_names(function: cst.CSTNode, ctx: FileContext) -> set[str]:
    """The names and `self.x` attributes a function calls (`db()`), once per function."""
    cache = ctx.stash("FG106.called")
    if not cache:
        cache.append({})
    known: dict[int, set[str]] = cache[0]
    found = known.get(id(function))
    if found is None:
        found = set()
        for node in _walk_calls(function):
            callee = dotted_name(node.func)
            if callee is not None:
                found.add(callee)
        known[id(function)] = found
    return found


def _walk_calls(node: cst.CSTNode) -> list[cst.Call]:
    calls: list[cst.Call] = []

    class _Calls(cst.CSTVisitor):
        def visit_Call(self, call: cst.Call) -> None:
            calls.append(call)

    node.visit(_Calls())
    return calls


#: Session methods that only change what the session holds in memory: no query, no IO,
#: nothing another task's use of the session could interleave with.
_SESSION_METHODS_WITHOUT_IO = frozenset({"add", "add_all", "expunge", "expunge_all"})


#: Names of a database session when nothing says what it is: `session`, `db`,
#: `db_session`, `async_session`, `tenant_db_session`; not `browser_session`,
#: `chat_session`, `session_id` (domain objects and ids) nor `session_maker`.
_DB_SESSION_NAME = lazy_pattern(
    r"^(?:(?:async|sql|orm|database)_)?session$|^(?:\w+_)?db_?session$|^db$", re.IGNORECASE
)


def _repository_sessions(method: cst.Attribute, ctx: FileContext) -> set[str]:
    """`repo.session` for `repo.count` when `repo` is an instance of a class of this file
    whose `count` uses its `AsyncSession` attribute `session` (not only to `add()` to it:
    that does no IO)."""
    owner = receiver_class(method.value, ctx)
    receiver = dotted_name(method.value)
    if owner is None or owner not in ctx.classes or receiver is None:
        return set()
    sessions = {
        attribute
        for attribute, cls in instance_attributes(owner, ctx).items()
        if cls in ASYNC_SESSION_CLASSES
    }
    definition = method_node(owner, method.attr.value, ctx)
    if not sessions or definition is None:
        return set()
    used = self_attributes_used(definition, _SESSION_METHODS_WITHOUT_IO)
    return {f"{receiver}.{a}" for a in used & sessions}


class SyncDriverForAsyncEngine(Rule):
    code = "FG109"
    name = "sync-driver-in-async-engine"
    family = "SQLAlchemy"
    message = "Sync driver URL passed to `create_async_engine`: use `postgresql+asyncpg://`"
    summary = (
        "Checks for a database URL with a synchronous driver given to "
        "`create_async_engine`.\n\n"
        "Where it applies: everywhere, tests included: the engine fails the same way."
    )
    why = (
        "`create_async_engine` needs an async DBAPI driver; `postgresql://` selects "
        "psycopg2 and fails with `InvalidRequestError: The asyncio extension requires an "
        "async driver`. Use `postgresql+asyncpg://` (or `postgresql+psycopg://` for "
        "psycopg 3), `sqlite+aiosqlite://`, `mysql+aiomysql://`."
    )
    bad = (
        Example(
            """
            from sqlalchemy.ext.asyncio import create_async_engine

            engine = create_async_engine("postgresql://app@db:5432/app")
            """
        ),
    )
    good = (
        Example(
            """
            from sqlalchemy.ext.asyncio import create_async_engine

            engine = create_async_engine("postgresql+asyncpg://app@db:5432/app")
            """
        ),
    )

    def may_fire(self, evidence: Evidence) -> bool:
        return evidence.has_package(*_PACKAGES) and evidence.has("create_async_engine")

    def may_fire_in(self, structure: Structure) -> bool:
        # `visit_Call`: `create_async_engine(...)` called with a URL written as one string
        # of a sync driver (`url=`, or the first argument); an f-string, a name or a
        # concatenation is none (gpustack's tests, `create_async_engine("sqlite+aiosqlite://")`)
        for call in structure.calls_to(ASYNC_ENGINE_FACTORIES):
            # `url=`, or the first argument as written, which may be a keyword's
            given = [k.value for k in call.node.keywords]
            for value in [*given, *call.node.args[:1]]:
                if (
                    isinstance(value, ast.Constant)
                    and isinstance(value.value, str)
                    and SYNC_DRIVERS.match(value.value)
                ):
                    return True
        return False

    def visit_Call(self, node: cst.Call, ctx: FileContext) -> None:
        if ctx.qualified_name(node.func) not in ASYNC_ENGINE_FACTORIES:
            return
        url = keyword_arg(node, "url") or (node.args[0] if node.args else None)
        if url is None or not isinstance(url.value, cst.SimpleString):
            return
        value: Any = url.value.evaluated_value
        if isinstance(value, str) and SYNC_DRIVERS.match(value):
            ctx.report(url)

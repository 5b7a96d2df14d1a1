"""FG102-FG106, FG109: engines, sessions and SQL text in async SQLAlchemy code."""

from __future__ import annotations

import re
from typing import Any

import libcst as cst

from checks.context import FileContext, FixSpec, code_of, dotted_name, keyword_arg
from checks.prefilter import Evidence
from checks.rule import Example, FixExample, Rule
from checks.rules.sqlalchemy_legacy_query import SESSION_CLASSES

ASYNC_SESSION_CLASSES = frozenset(c for c in SESSION_CLASSES if "asyncio" in c)
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
SYNC_DRIVERS = re.compile(
    r"^(postgres|postgresql|postgresql\+psycopg2|postgresql\+pg8000|mysql|mysql\+pymysql|"
    r"mysql\+mysqldb|sqlite|mssql\+pyodbc|oracle)://"
)
#: The names whose presence the pre-filter requires (the last part of a qualified name
#: always appears: as an attribute, or in the `from ... import` statement).
_LAST_SEGMENTS_SYNC = frozenset(name.rpartition(".")[2] for name in SYNC_SESSION_FACTORIES)
_LAST_SEGMENTS_ASYNC_SESSION = frozenset(
    name.rpartition(".")[2] for name in ASYNC_SESSION_CLASSES | ASYNC_SESSION_FACTORIES
)
_LAST_SEGMENTS_ASYNC_FACTORIES = frozenset(
    name.rpartition(".")[2] for name in ASYNC_SESSION_FACTORIES
)
_PACKAGES = ("sqlalchemy", "sqlmodel")
_SQL = re.compile(r"\b(select|insert|update|delete|create|drop|alter|truncate|with)\b", re.I)


def _is_async_session(expr: cst.BaseExpression, ctx: FileContext) -> bool:
    inferred = ctx.infer(expr)
    return inferred is not None and not inferred.iterable and inferred.cls in ASYNC_SESSION_CLASSES


class SyncSessionInAsyncModule(Rule):
    code = "FG102"
    name = "sync-session-in-async-code"
    family = "SQLAlchemy"
    message = (
        "Synchronous SQLAlchemy engine or session in a module with `async def` code: use "
        "`create_async_engine` and `AsyncSession`"
    )
    summary = (
        "Checks for `create_engine`, `sessionmaker`, `Session` and `scoped_session` in a "
        "module that also has `async def` functions."
    )
    why = (
        "A synchronous session does blocking database IO: called from a coroutine it stops "
        "the event loop for every query. Async code uses `create_async_engine`, "
        "`async_sessionmaker` and `AsyncSession` (with asyncpg) and awaits each query."
    )
    bad = (
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
            expect=2,
            also=("FG101",),
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
            from sqlalchemy import create_engine
            from sqlalchemy.orm import Session

            def migrate_data(url: str) -> None:
                with Session(create_engine(url)) as session:
                    session.commit()
            """,
            note="a sync script with no async code",
        ),
    )

    def may_fire(self, evidence: Evidence) -> bool:
        return (
            evidence.has("async")
            and evidence.has_package(*_PACKAGES)
            and evidence.has(*_LAST_SEGMENTS_SYNC)
        )

    def visit_Call(self, node: cst.Call, ctx: FileContext) -> None:
        if ctx.qualified_name(node.func) not in SYNC_SESSION_FACTORIES:
            return
        class_ = keyword_arg(node, "class_")
        if class_ is not None and ctx.qualified_name(class_.value) in ASYNC_SESSION_CLASSES:
            return  # sessionmaker(class_=AsyncSession): the 1.4 spelling of async_sessionmaker
        ctx.stash(self.code).append(node)

    def visit_FunctionDef(self, node: cst.FunctionDef, ctx: FileContext) -> None:
        if node.asynchronous is not None:
            ctx.marks(self.code).add(1)

    def leave_Module(self, node: cst.Module, ctx: FileContext) -> None:
        if ctx.marks(self.code):
            for call in ctx.stash(self.code):
                ctx.report(call)


class MissingAwaitOnAsyncSession(Rule):
    code = "FG103"
    name = "async-session-call-not-awaited"
    family = "SQLAlchemy"
    message = "`AsyncSession` method called without `await`: the query never runs"
    summary = (
        "Checks for coroutine methods of an `AsyncSession` (`execute`, `commit`, `flush`, "
        "`get`, `refresh`, ...) called as a statement or assigned without `await`."
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
            from sqlalchemy.orm import Session

            def rename(session: Session, user: object) -> None:
                session.add(user)
                session.commit()
            """,
            note="a sync session",
        ),
    )
    fixes = (
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
        return evidence.has_package(*_PACKAGES) and evidence.has(*_LAST_SEGMENTS_ASYNC_SESSION)

    def visit_Expr(self, node: cst.Expr, ctx: FileContext) -> None:
        self._check(node.value, ctx)

    def visit_Assign(self, node: cst.Assign, ctx: FileContext) -> None:
        self._check(node.value, ctx)

    def _check(self, value: cst.BaseExpression, ctx: FileContext) -> None:
        if not (isinstance(value, cst.Call) and isinstance(value.func, cst.Attribute)):
            return
        if value.func.attr.value in ASYNC_SESSION_COROUTINES and _is_async_session(
            value.func.value, ctx
        ):
            callee = code_of(value.func)
            fix = None
            if ctx.in_async_function and "\n" not in callee:
                fix = FixSpec(
                    "Add `await`", ((value.func, f"await {callee}"),), applicability="unsafe"
                )
            ctx.report(value, fix=fix)


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
        "`expire_on_commit=False`."
    )
    why = (
        "By default a commit expires every loaded object; the next attribute access reloads "
        "it, which an `AsyncSession` cannot do implicitly: `MissingGreenlet` at the first "
        "`user.id` after `await session.commit()`. Async sessions are created with "
        "`expire_on_commit=False`."
    )
    fix = (
        "Safe fix: adds `expire_on_commit=False` to a one-line call, or sets an explicit "
        "`expire_on_commit=True` to `False`; a call laid out over several lines keeps its "
        "finding for the author."
    )
    bad = (
        Example(
            """
            from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

            engine = create_async_engine("postgresql+asyncpg://app@db/app")
            SessionLocal = async_sessionmaker(engine)
            """
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
        ),
    )

    def may_fire(self, evidence: Evidence) -> bool:
        return evidence.has_package(*_PACKAGES) and evidence.has(*_LAST_SEGMENTS_ASYNC_FACTORIES)

    def visit_Call(self, node: cst.Call, ctx: FileContext) -> None:
        name = ctx.qualified_name(node.func)
        if name == "sqlalchemy.orm.sessionmaker":
            class_ = keyword_arg(node, "class_")
            if class_ is None or ctx.qualified_name(class_.value) not in ASYNC_SESSION_CLASSES:
                return
        elif name not in ASYNC_SESSION_FACTORIES:
            return
        expire = keyword_arg(node, "expire_on_commit")
        if any(arg.star for arg in node.args):
            return  # **options: cannot tell
        if expire is not None and dotted_name(expire.value) != "False":
            fix = FixSpec("Set `expire_on_commit=False`", ((expire.value, "False"),))
            ctx.report(node, fix=fix)
        elif expire is None:
            ctx.report(node, fix=_add_keyword(node, "expire_on_commit=False"))


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


def _interpolated(expr: cst.BaseExpression, ctx: FileContext | None = None) -> bool:
    """A string built from values: an f-string with placeholders, `%`, `+`, `.format()`.
    Pieces that cannot carry input (`Model.__tablename__`, an ALL_CAPS constant, a
    literal, an enum's own `self.value`) do not count."""
    if isinstance(expr, cst.FormattedString):
        return any(
            isinstance(p, cst.FormattedStringExpression) and not _trusted(p.expression, ctx)
            for p in expr.parts
        )
    if isinstance(expr, cst.ConcatenatedString):
        return _interpolated(expr.left, ctx) or _interpolated(expr.right, ctx)
    if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, cst.Modulo):
        if not _stringish(expr.left):
            return False
        values = expr.right
        if isinstance(values, cst.Tuple):
            return not all(_trusted(e.value, ctx) for e in values.elements)
        return not _trusted(values, ctx)
    if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, cst.Add):
        if _interpolated(expr.left, ctx) or _interpolated(expr.right, ctx):
            return True
        if _stringish(expr.left) or _stringish(expr.right):
            return not (_trusted_sum(expr.left, ctx) and _trusted_sum(expr.right, ctx))
        return False
    if isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute):
        return (
            expr.func.attr.value == "format"
            and _stringish(expr.func.value)
            and not all(_trusted(arg.value, ctx) for arg in expr.args)
        )
    return False


_CONSTANT = re.compile(r"^_*[A-Z][A-Z0-9_]*$")
_ENUMS = frozenset({"enum.Enum", "enum.StrEnum", "enum.IntEnum", "enum.Flag", "enum.IntFlag"})
#: Attributes that name a table, fixed when the model class is written.
_TABLE_NAME_ATTRS = frozenset({"__tablename__", "__table__.name", "__table__.fullname"})


def _trusted(expr: cst.BaseExpression, ctx: FileContext | None) -> bool:
    """A value that cannot carry input: a literal, a model's table name, an ALL_CAPS
    constant (a module or class constant, by convention), an enum member's value."""
    if isinstance(expr, cst.SimpleString | cst.Integer | cst.Float):
        return True
    if isinstance(expr, cst.FormattedString):
        return not _interpolated(expr, ctx)
    if isinstance(expr, cst.Name) and ctx is not None:
        function = ctx.function
        key = (id(function.node) if function else 0, expr.value)
        if key in ctx.stash(_CONSTANT_LOOPS):
            return True
    name = dotted_name(expr)
    if name is None:
        return False
    if name in {"self.value", "self.name"} and ctx is not None:
        owner = ctx.enclosing_class
        if owner is not None and ctx.derives_from(owner.name, _ENUMS):
            return True
    if any(name.endswith("." + attr) for attr in _TABLE_NAME_ATTRS):
        return True
    last = name.rpartition(".")[2]
    return len(last) > 1 and _CONSTANT.match(last) is not None


def _constant_collection(expr: cst.BaseExpression) -> bool:
    """`SCOPE_TABLES`, `("users", "teams")`: a collection whose items are constants."""
    if isinstance(expr, cst.Tuple | cst.List | cst.Set):
        return all(isinstance(e, cst.Element) and _trusted(e.value, None) for e in expr.elements)
    name = dotted_name(expr)
    last = (name or "").rpartition(".")[2]
    return len(last) > 1 and _CONSTANT.match(last) is not None


#: stash key: (function id, loop variable) of `for t in CONSTANTS:` loops
_CONSTANT_LOOPS = "FG105.constant-loops"


def _trusted_sum(expr: cst.BaseExpression, ctx: FileContext | None) -> bool:
    if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, cst.Add):
        return _trusted_sum(expr.left, ctx) and _trusted_sum(expr.right, ctx)
    if isinstance(expr, cst.ConcatenatedString):
        return not _interpolated(expr, ctx)
    return _trusted(expr, ctx)


def _stringish(expr: cst.BaseExpression) -> bool:
    return isinstance(expr, cst.SimpleString | cst.FormattedString | cst.ConcatenatedString) or (
        isinstance(expr, cst.BinaryOperation) and (_stringish(expr.left) or _stringish(expr.right))
    )


def _text_of(expr: cst.BaseExpression) -> str:
    try:
        return cst.Module(body=[]).code_for_node(expr)
    except Exception:  # pragma: no cover - code generation of a parsed node does not fail
        return ""


class InterpolatedSql(Rule):
    code = "FG105"
    name = "interpolated-sql"
    family = "SQLAlchemy"
    message = "SQL built by string interpolation: pass values as bound parameters"
    summary = (
        "Checks for SQL text built with an f-string, `%`, `+` or `.format()` and passed to "
        "`text()`, `execute()` or `exec_driver_sql()`."
    )
    why = (
        "Values pasted into SQL text are an injection hole and defeat the statement cache. "
        "Bind them: `text('select * from users where email = :email')` with "
        "`session.execute(stmt, {'email': email})`, or build the query with `select()`."
    )
    bad = (
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
    )
    good = (
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
    )

    def may_fire(self, evidence: Evidence) -> bool:
        return (evidence.has("text") and evidence.has_package("sqlalchemy", "sqlmodel")) or (
            evidence.has_attribute("execute", "exec_driver_sql")
        )

    def visit_For(self, node: cst.For, ctx: FileContext) -> None:
        if isinstance(node.target, cst.Name) and _constant_collection(node.iter):
            function = ctx.function
            key = (id(function.node) if function else 0, node.target.value)
            ctx.stash(_CONSTANT_LOOPS).append(key)

    def visit_Call(self, node: cst.Call, ctx: FileContext) -> None:
        if not node.args or node.args[0].keyword is not None:
            return
        first = node.args[0].value
        if not _interpolated(first, ctx):
            return
        if ctx.qualified_name(node.func) in TEXT_FUNCTIONS or (
            isinstance(node.func, cst.Attribute)
            and node.func.attr.value in {"execute", "exec_driver_sql"}
            and _SQL.search(_text_of(first))
        ):
            ctx.report(node.args[0])


class SessionSharedByTasks(Rule):
    code = "FG106"
    name = "session-shared-by-concurrent-tasks"
    family = "SQLAlchemy"
    message = (
        "One session used by concurrent tasks: an `AsyncSession` is not safe for concurrent "
        "use; await the queries one by one, or give each task its own session"
    )
    summary = (
        "Checks for `asyncio.gather()` whose awaitables use the same session (a query on it, "
        "or a function given it)."
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

            async def load(db_session, ids):
                return await asyncio.gather(*(fetch_one(db_session, i) for i in ids))
            """,
            note="a generator of calls given the same session",
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

            async def attempt(sessionmaker, key):
                async with sessionmaker() as session:
                    return await validate(session, key)

            async def race(sessionmaker, key):
                return await asyncio.gather(*(attempt(sessionmaker, key) for _ in range(5)))
            """,
            note="a session factory: each task opens its own session (polar's tests)",
        ),
    )

    def may_fire(self, evidence: Evidence) -> bool:
        return evidence.has("gather")

    def visit_Call(self, node: cst.Call, ctx: FileContext) -> None:
        if ctx.qualified_name(node.func) != "asyncio.gather":
            return
        uses: dict[str, int] = {}
        for arg in node.args:
            value = arg.value
            if arg.star == "*" and isinstance(value, cst.GeneratorExp | cst.ListComp):
                for name in _sessions_in(value.elt, ctx):
                    uses[name] = uses.get(name, 0) + 2  # repeated for every element
                continue
            for name in _sessions_in(value, ctx):
                uses[name] = uses.get(name, 0) + 1
        if any(count > 1 for count in uses.values()):
            ctx.report(node)


def _sessions_in(expr: cst.BaseExpression, ctx: FileContext) -> set[str]:
    """Session-like names a call uses as receiver or argument."""
    if not isinstance(expr, cst.Call):
        return set()
    candidates = [arg.value for arg in expr.args]
    if isinstance(expr.func, cst.Attribute):
        candidates.append(expr.func.value)
    found = set()
    for candidate in candidates:
        name = dotted_name(candidate)
        if name is None:
            continue
        last = name.rpartition(".")[2].lower()
        factory = any(word in last for word in ("maker", "factory"))
        if _is_async_session(candidate, ctx) or ("session" in last and not factory):
            found.add(name)
    return found


class SyncDriverForAsyncEngine(Rule):
    code = "FG109"
    name = "sync-driver-in-async-engine"
    family = "SQLAlchemy"
    message = "Sync driver URL passed to `create_async_engine`: use `postgresql+asyncpg://`"
    summary = "Checks for a database URL with a synchronous driver given to `create_async_engine`."
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

    def visit_Call(self, node: cst.Call, ctx: FileContext) -> None:
        if ctx.qualified_name(node.func) not in ASYNC_ENGINE_FACTORIES:
            return
        url = keyword_arg(node, "url") or (node.args[0] if node.args else None)
        if url is None or not isinstance(url.value, cst.SimpleString):
            return
        value: Any = url.value.evaluated_value
        if isinstance(value, str) and SYNC_DRIVERS.match(value):
            ctx.report(url)

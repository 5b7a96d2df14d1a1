"""FG101: the legacy `Query` API of SQLAlchemy 1.x (`session.query(...)`, `Model.query`)."""

# ruff: noqa: E501 - the fix examples are the fixer's output, long lines included

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

from checks.context import FileContext, FixSpec, code_of, dotted_name
from checks.lazy import lazy_pattern
from checks.lazy import libcst as cst
from checks.prefilter import Evidence
from checks.project import HELD, OPENED, Condition
from checks.project_facts import SQL_2_QUERIES, SYNC_QUERY_SELECTED
from checks.rule import Example, FixExample, Rule
from checks.rules.query_to_select import chain_of, query_fix
from checks.session_receivers import (
    ASYNC_SESSION_CLASSES,
    SCOPED_SESSION,
    SYNC_CONNECTION,
    SYNC_DATABASE_CLASSES,
    SYNC_SESSION_FACTORY,
    annotated_project_class,
    awaited_as_a_session,
    held_by_annotated,
    imported_origin,
    is_sync_database,
    receiver_class,
    with_targets,
)
from checks.session_receivers import SESSION_CLASSES as SESSION_CLASSES
from checks.structure import Structure

SQLALCHEMY_PACKAGES = ("sqlalchemy", "sqlmodel", "flask_sqlalchemy", "fastapi_sqlalchemy")
QUERY_CLASSES = frozenset({"sqlalchemy.orm.Query", "sqlalchemy.orm.query.Query"})

#: Methods only a SQLAlchemy Query has: one of them after `.query(...)` settles it.
STRONG_CHAIN_METHODS = frozenset(
    {
        "filter_by",
        "one_or_none",
        "options",
        "with_entities",
        "outerjoin",
        "populate_existing",
        "yield_per",
        "with_for_update",
        "select_from",
        "from_self",
        "enable_eagerloads",
        "scalar_subquery",
        "as_scalar",
        "get_or_404",
        "first_or_404",
        "one_or_404",
        "paginate",
    }
)
#: Methods a Query has, shared with other APIs (pandas has `filter`, `count`, ...).
WEAK_CHAIN_METHODS = frozenset(
    {
        "filter",
        "get",
        "all",
        "first",
        "one",
        "count",
        "scalar",
        "order_by",
        "limit",
        "offset",
        "join",
        "group_by",
        "having",
        "distinct",
        "update",
        "delete",
        "exists",
        "subquery",
        "execution_options",
        "union",
        "add_columns",
    }
)
#: Calls that build an entity-like argument: `session.query(func.count(User.id))`.
_ENTITY_FUNCTIONS = lazy_pattern(r"^(?:sqlalchemy\.)?(?:func\.\w+|distinct|literal_column|label)$")
_SESSION_NAME = lazy_pattern(r"session|^(?:db|database|sess|conn)$|_db$", re.IGNORECASE)
#: No other common Python API has a `.query()` method on something named "session".
_SURE_SESSION_NAME = lazy_pattern(r"session", re.IGNORECASE)
_QUERY_OBJECT = "Legacy `Query` object: build a `select()` statement instead"
#: A query on a session known to be an `AsyncSession` (`db: AsyncSession = Depends(...)`),
#: which has no `query()` (evilmoose's sample feature, reader 61).
#: A legacy query on an untyped receiver the coroutine awaits `commit()` on (trouchet's
#: log repository, reader 83): FG101's example of an `AsyncSession` misused, and FG102's
#: of no sync session blocking.
AWAITED_SESSION_QUERY = """
    class LogRepository:
        def __init__(self, session):
            self.session = session

        async def delete_old_logs(self, cutoff: datetime) -> None:
            self.session.query(RequestLog).filter(RequestLog.at < cutoff).delete()
            await self.session.commit()
"""
_ASYNC_SESSION_QUERY = (
    "`AsyncSession` has no `query()`: this call raises `AttributeError`; build a `select()` "
    "and run it with `await session.execute()` or `await session.scalars()`"
)
#: ...ending in a bulk `.delete()` or `.update(...)`: its statement is `delete()` or
#: `update()`, not a `select()` (JohnDoe1996's role labels, reader 68).
_ASYNC_SESSION_BULK = (
    "`AsyncSession` has no `query()`: this call raises `AttributeError`; build {article} "
    "`{method}()` statement (`{method}(Model).where(...)`) and run it with `await "
    "session.execute()`"
)


@dataclass(slots=True)
class _SyncFunction:
    """The legacy queries of one synchronous function, reported as one finding."""

    node: cst.CSTNode
    message: str
    fix: FixSpec | None
    count: int = 1


def _is_string(expr: cst.BaseExpression) -> bool:
    return isinstance(expr, cst.SimpleString | cst.ConcatenatedString | cst.FormattedString)


def _last_identifier(expr: cst.BaseExpression) -> str | None:
    if isinstance(expr, cst.Name):
        return expr.value
    if isinstance(expr, cst.Attribute):
        return expr.attr.value
    return None


def _is_class_name(name: str) -> bool:
    """CapWords (`User`), not a CONSTANT (`TB_SQL`): constants hold query text."""
    return name[:1].isupper() and not name.isupper()


def _looks_like_entity(expr: cst.BaseExpression, ctx: FileContext) -> bool:
    """A mapped class or column: `User`, `models.User`, `User.id`, `func.count(User.id)`."""
    if isinstance(expr, cst.Name):
        return _is_class_name(expr.value)
    if isinstance(expr, cst.Attribute):
        head = expr.value
        if isinstance(head, cst.Name) and _is_class_name(head.value):
            return True  # User.id
        return _is_class_name(expr.attr.value)  # models.User
    if isinstance(expr, cst.Call):
        name = ctx.qualified_name(expr.func)
        if name is None and isinstance(expr.func, cst.Attribute | cst.Name):
            name = dotted_name(expr.func)
        return name is not None and bool(_ENTITY_FUNCTIONS.match(name))
    return False


#: A legacy query in async code stands when the project's queries are 2.0-style (or FG101
#: is named): `checks.project_facts.SQL_2_QUERIES`
_SQL_2_PROJECT = Condition((), frozenset(), fact=SQL_2_QUERIES)
#: The sync sessions FG102 reports a query on, in a coroutine.
_SYNC_SESSIONS = SYNC_DATABASE_CLASSES | {SYNC_CONNECTION, SCOPED_SESSION}
#: What an object of another module opens a sync session from (`OPENED`): a sync
#: `sessionmaker`, or what gives a sync session.
_OPENS_SYNC = _SYNC_SESSIONS | {SYNC_SESSION_FACTORY}
#: One in sync code, or at module level, where `Query` works: in new code, or when FG101 is
#: named (`checks.project_facts.SYNC_QUERY_SELECTED`)
_SYNC_SELECTED = Condition((), frozenset(), fact=SYNC_QUERY_SELECTED)


class LegacyQueryApi(Rule):
    """Flags `session.query(...)`, Flask-SQLAlchemy's `Model.query` and `Query(...)`."""

    code = "FG101"
    name = "legacy-query-api"
    family = "SQLAlchemy"
    message = (
        "Legacy `session.query()` API: build a `select()` and run it with "
        "`session.execute()` or `session.scalars()`"
    )
    summary = (
        "Checks for SQLAlchemy's legacy `Query` API: `session.query(...)`, Flask-SQLAlchemy's "
        "`Model.query`, and `Query(...)` objects. In async code each call is reported (each "
        "one fails there: an `AsyncSession` has no `query()`), unless its session is known "
        "to be a sync one (`db: Session`, or opened by a sync `with ... as session`, which "
        "no `AsyncSession` is, or annotated with another module's alias or class that the "
        "project index finds to be one: `session: SessionDep`, `db: db_dependency`, or "
        "held by an object of a project class that keeps one: `service.db` of `service: "
        "CasesService`, whose `__init__` stores `db: Session`, or opened from another module's factory the index finds to make them: `db = "
        "SessionLocal()` of a sync `sessionmaker`; and a query property's `Model.query`, "
        "always a sync session's): that query runs, blocking the loop, and FG102 "
        "reports it (its fix, a `def` or an `AsyncSession`, comes first: `select()` on the "
        "same session blocks as much; FG101 follows once the function is sync); or the "
        "project names no `AsyncSession` and writes 1.x queries, where it can only be such "
        "a session. In a synchronous function the calls are reported once, at the "
        "first one, with their count (`... (3 legacy queries in `get_user()`)`): the move "
        "to `select()` is one decision per function, often taken when it goes async, and a "
        "SQLAlchemy 1.4 codebase would otherwise get hundreds of findings for one "
        "migration. The unit is the function, not the module, so that a new function "
        "written with `query()` is still its own finding (the edit hook blocks on it). A "
        "`# noqa: FG101` on that first line therefore covers the function.\n\n"
        "SQLAlchemy 2.0 still supports `Query` in synchronous code (legacy, not "
        "deprecated): there existing code's queries are an inventory for the move to "
        "`select()`, reported when the selection names FG101, as ruff's pyupgrade rules are "
        "opt-in; the edit hook reports them in new code everywhere. In async code, where "
        "the project's queries are 2.0-style: it uses the asyncio extension "
        "(`AsyncSession`, `create_async_engine`), or calls `select(` at least as often as "
        "`.query(`: there a legacy query is an `AsyncSession` misused, or a sync session "
        "blocking the event loop (FG102 reports it in every project); where the project "
        "names no `AsyncSession` and writes 1.x queries, it can only be the second.\n\n"
        "Where it applies: every layer but tests, migrations included: the same API, the "
        "same move to `select()`. A test's legacy query either fails on its own (an "
        "`AsyncSession` has no `query()`) or sets up and asserts through a sync session, "
        "where it does what `select()` would. In development tooling (the `tooling` "
        "layer: scripts, benchmarks) only a query in a coroutine is reported: a script's "
        "sync query is the team's tool, sometimes timing the legacy API on purpose. A test double is no session: a receiver "
        "named as one (`mock_session`, `session_mock`) and a chain that ends in a Mock's "
        "attribute (`.called`, `.return_value`, `.assert_called_once()`) are not reported."
    )
    why = (
        "`Query` is the SQLAlchemy 1.x API, kept as legacy in 2.0, and `AsyncSession` has no "
        "`query()` method at all: code written with it cannot move to async. SQLAlchemy 2.0 "
        "builds a `select()` statement and runs it with `session.execute()` / "
        "`session.scalars()`, the same way for sync and async sessions. A `.query(...)` call "
        "is only flagged with evidence that it is SQLAlchemy's (a session receiver, a mapped "
        "class as argument, a Query-only method after it, SQLAlchemy imported), so "
        "`df.query('x > 1')` (pandas) and GraphQL clients are left alone."
    )
    bad = (
        Example(
            """
            from sqlalchemy.orm import Session

            from app.models import User


            def get_user_by_email(session: Session, email: str) -> User | None:
                return session.query(User).filter(User.email == email).one_or_none()
            """
        ),
        Example(
            """
            def list_active(db_session, limit):
                return db_session.query(Project).filter_by(active=True).limit(limit).all()
            """,
            note="no SQLAlchemy import, but a session receiver and a Query-only chain",
        ),
        Example(
            """
            class UserRepository:
                def __init__(self, session):
                    self.session = session

                def count(self):
                    return self.session.query(func.count(User.id)).scalar()
            """,
            note="attribute receiver named session, entity argument",
        ),
        Example(
            """
            from sqlalchemy.ext.asyncio import AsyncSession


            async def first_task(db: AsyncSession):
                return await db.query(Task).first()
            """,
            note="typed AsyncSession receiver",
        ),
        Example(
            AWAITED_SESSION_QUERY,
            path="app/repositories/logs.py",
            note="an untyped receiver the coroutine awaits `commit()` on: an `AsyncSession`, "
            "whose `query()` raises (not FG102's sync session)",
        ),
        Example(
            """
            from sqlalchemy.ext.asyncio import AsyncSession


            async def backfill(db: AsyncSession) -> None:
                for task in await db.query(Task).all():
                    task.done = False
            """,
            path="scripts/backfill.py",
            note="a script's coroutine: `AsyncSession` has no `query()`, tooling or not",
        ),
        Example(
            """
            from app.models import User

            def find(email):
                return User.query.filter_by(email=email).first()
            """,
            note="Flask-SQLAlchemy Model.query",
        ),
        Example(
            """
            from sqlalchemy.orm import Query

            def build(session):
                return Query(User, session=session)
            """,
            note="direct Query object",
        ),
        Example(
            """
            def search(db_session, model_cls):
                query = db_session.query(model_cls)
                return query
            """,
            note="a receiver named session, with a variable entity (dispatch)",
        ),
        Example(
            """
            import sqlalchemy as sa

            def report(db):
                total = db.query(Order).count()
                names = db.query(User.name).all()
                return total, names
            """,
            note="two legacy queries in one sync function: one finding that counts them",
        ),
        Example(
            """
            from sqlalchemy.ext.asyncio import AsyncSession


            async def report(db: AsyncSession):
                total = await db.query(Order).count()
                names = await db.query(User.name).all()
                return total, names
            """,
            expect=2,
            note="in async code each one (`AsyncSession` has no `query()`: each call fails)",
        ),
    )
    good = (
        Example(
            """
            from sqlalchemy import select
            from sqlalchemy.ext.asyncio import AsyncSession

            from app.models import User


            async def get_user_by_email(session: AsyncSession, email: str) -> User | None:
                result = await session.execute(select(User).where(User.email == email))
                return result.scalar_one_or_none()
            """
        ),
        Example(
            """
            import pandas as pd
            import sqlalchemy as sa

            def adults(df: pd.DataFrame) -> pd.DataFrame:
                return df.query("age >= 18").filter(items=["name"])
            """,
            note="pandas DataFrame.query with a string expression",
        ),
        Example(
            """
            def fetch_viewer(client, q):
                return client.query(q)
            """,
            note="a GraphQL client",
        ),
        Example(
            """
            from elasticsearch import Elasticsearch

            def search(es: Elasticsearch, text: str):
                return es.search(index="tasks", query={"match": {"title": text}})
            """,
            note="a `query=` keyword is not the Query API",
        ),
        Example(
            """
            from fastapi import Query

            def list_tasks(q: str | None = Query(default=None, max_length=50)):
                return q
            """,
            note="FastAPI's Query parameter",
        ),
        Example(
            """
            import sqlalchemy as sa

            def graph(client, document):
                return client.query(document).all()
            """,
            note="only a weak chain method and no session or entity",
        ),
        Example(
            """
            from sqlalchemy import select

            TB_SQL = "SELECT count() FROM events WHERE org = {org:String}"

            async def rows(tb_client, org):
                return await tb_client.query(TB_SQL, parameters={"org": org})
            """,
            note="an analytics client given a CONSTANT holding SQL text (polar)",
        ),
        Example(
            """
            from unittest.mock import MagicMock


            def test_purge_deletes_the_configs() -> None:
                session = MagicMock()
                purge(session, owner_id=1)
                session.query(Config).filter(Config.owner_id == 1).delete.assert_called_once()


            def test_purge_reads_the_configs(mock_session: MagicMock) -> None:
                mock_session.query(Config).filter.return_value.all.return_value = []
                purge(mock_session, owner_id=1)
                mock_session.query.assert_called_once_with(Config)
            """,
            path="tests/test_purge.py",
            note="tests: a Mock's configuration and assertions (no legacy query is reported there)",
        ),
        Example(
            """
            import time

            from sqlalchemy.orm import Session

            from app.models import Link


            def time_native_query(session: Session, record_id: int) -> float:
                start = time.perf_counter()
                session.query(Link).filter(Link.record_id == record_id).all()
                return time.perf_counter() - start
            """,
            path="scripts/benchmarks/link_graph.py",
            note="a script timing the legacy API (the `tooling` layer: ukrdc's benchmark)",
        ),
    )
    fix = (
        "Unsafe fix (`--unsafe-fixes`): a chain that ends in `.all()`, `.first()`, `.one()`, "
        "`.one_or_none()`, `.scalar()`, `.count()` or `.get(pk)` becomes a `select()` run "
        "with `session.execute()`: `.filter()` -> `.where()` (`filter_by`, `order_by`, "
        "`limit`, `offset`, `options`, `join`, `outerjoin`, `group_by`, `having` as they "
        "are); one mapped class gives `.scalars()` (`.first()` keeps its `LIMIT 1`, `.one()` "
        "-> `.scalar_one()`), columns give rows; `.scalar()` -> `.scalar_one_or_none()`; "
        "`.count()` -> `select(func.count()).select_from(...)` (the query as a subquery "
        "unless it only filters one class); `.get(pk)` -> `session.get(Model, pk)`. A chain "
        "with a join or loader options gets `.unique()`, as the legacy Query de-duplicated "
        "mapped objects. An `AsyncSession` gets `await`. `select` and `func` are imported "
        "in the file's style. Unsafe because it trusts names (a capitalised argument is "
        "taken for a mapped class, `User.email` for a column); a Query kept in a variable, "
        "string joins, `with_entities` and the like keep the finding without a fix. The one "
        "finding of a synchronous function carries the fix of its first fixable call; "
        "`--fix` rewrites the others one per pass, as each pass reports the function again. "
        "No fix where the project's pins admit SQLAlchemy 1.3 or older (`SQLAlchemy==1.3.19`"
        "): `select()` in `Session.execute()` and `.scalars()` came with 1.4."
    )
    fixes = (
        FixExample(
            """
            from sqlalchemy.orm import Session, joinedload

            from app.models import Order, User


            def active_users(session: Session, offset: int) -> list[User]:
                return (
                    session.query(User)
                    .filter(User.active.is_(True))
                    .order_by(User.id)
                    .offset(offset)
                    .all()
                )


            def by_email(session: Session, email: str) -> User | None:
                return session.query(User).filter_by(email=email).first()


            def paid_orders(session: Session) -> int:
                return session.query(Order).filter(Order.paid).count()


            def with_orders(session: Session) -> list[User]:
                return session.query(User).options(joinedload(User.orders)).all()


            def user(session: Session, pk: int) -> User | None:
                return session.query(User).get(pk)
            """,
            """
            from sqlalchemy import func, select
            from sqlalchemy.orm import Session, joinedload

            from app.models import Order, User


            def active_users(session: Session, offset: int) -> list[User]:
                return (
                    session.execute(select(User)
                    .where(User.active.is_(True))
                    .order_by(User.id)
                    .offset(offset))
                    .unique().scalars().all()
                )


            def by_email(session: Session, email: str) -> User | None:
                return session.execute(select(User).filter_by(email=email).limit(1)).scalars().first()


            def paid_orders(session: Session) -> int:
                return session.execute(select(func.count()).select_from(Order).where(Order.paid)).scalar_one()


            def with_orders(session: Session) -> list[User]:
                return session.execute(select(User).options(joinedload(User.orders))).unique().scalars().all()


            def user(session: Session, pk: int) -> User | None:
                return session.get(User, pk)
            """,
            unsafe=True,
            note="sync session: entities, filters, count, joined eager loading, get",
        ),
        FixExample(
            """
            from sqlalchemy import func
            from sqlalchemy.ext.asyncio import AsyncSession

            from app.models import Order


            async def order_total(session: AsyncSession, pk: int) -> int | None:
                return await session.query(func.sum(Order.amount)).filter(Order.user_id == pk).scalar()
            """,
            """
            from sqlalchemy import func, select
            from sqlalchemy.ext.asyncio import AsyncSession

            from app.models import Order


            async def order_total(session: AsyncSession, pk: int) -> int | None:
                return (await session.execute(select(func.sum(Order.amount)).where(Order.user_id == pk))).scalar_one_or_none()
            """,
            unsafe=True,
            note="an AsyncSession: awaited, rows of a SQL function",
        ),
    )

    def may_fire(self, evidence: Evidence) -> bool:
        return evidence.has("query", "Query")

    def may_fire_in(self, structure: Structure) -> bool:
        # `visit_Call`: a `.query(...)` call, Flask-SQLAlchemy's `Model.query...`, or a
        # `Query` made directly, outside the tests (`_report`)
        if structure.layer == "test":
            return False
        if structure.layer == "tooling":  # only in a coroutine there (`_report`)
            return _may_query_in_coroutine(structure)
        return "query" in structure.attributes or any(structure.calls_to(QUERY_CLASSES))

    def deferred_conditions(self, structure: Structure) -> tuple[Condition, ...] | None:
        # `_report`: a legacy query outside a coroutine stands only if the project's
        # queries are 2.0-style (`_SQL_2_PROJECT`, a fact the index counts); one in a
        # coroutine may be reported whatever the project does
        if _may_query_in_coroutine(structure):
            return None
        return (_SYNC_SELECTED,)

    def visit_Await(self, node: cst.Await, ctx: FileContext) -> None:
        self._record_chain(node, ctx)

    def visit_Attribute(self, node: cst.Attribute, ctx: FileContext) -> None:
        note_mock_chain(node, ctx)

    def _record_chain(self, node: cst.BaseExpression, ctx: FileContext) -> None:
        """Remember the whole chain `session.query(...)...` ends in, outermost first,
        for the fix of the `.query(...)` call inside it (visited later)."""
        in_chain = ctx.marks(f"{self.code}:in-chain")
        inner = node.expression if isinstance(node, cst.Await) else node
        if id(inner) in in_chain:
            return
        chain = chain_of(node)
        if chain is not None:
            in_chain.update(id(call) for call in chain.calls)
            ctx.stash(f"{self.code}:chains").append(chain)

    def _report(
        self,
        node: cst.CSTNode,
        ctx: FileContext,
        message: str | None = None,
        fix: FixSpec | None = None,
        on_sync_session: bool = False,
        annotated: str | None = None,
        on_async_session: bool = False,
        opened: str | None = None,
        held: str | None = None,
    ) -> None:
        """Report a legacy query: each one in async code and at module level; in a
        synchronous `def`, one finding per function, at its first legacy query (see the
        rule's summary), carrying the first fix any of them has. A query on a session
        known to be sync (`db: Session`) in async code is FG102's (it runs, and blocks),
        also where the index finds the class of another module it is `annotated` with to
        be one (`session: SessionDep`, sqlbot's `Annotated[Session, Depends(...)]`). A
        query on a known `AsyncSession` raises wherever it is: reported as it stands.
        Nothing in the tests (see the rule's summary)."""
        if ctx.layer == "test":
            return
        function = ctx.function
        if function is not None and function.is_async and on_sync_session:
            # a session known to be sync, in a coroutine: FG102 reports the blocking, and
            # its fix (a `def`, or an `AsyncSession`) comes first: `select()` on the same
            # session blocks as much (FG101 reports it once the function is sync)
            return
        if on_async_session:
            ctx.report(node, message, fix)  # fails wherever it runs: no convention holds it
            return
        if function is not None and function.is_async and not on_sync_session:
            # no `query()` on an `AsyncSession`, else a sync session blocking (FG102's
            # finding): where the project uses no `AsyncSession` and writes 1.x queries,
            # the session is sync, and the query style its convention
            condition = _SQL_2_PROJECT
            if annotated is not None:
                condition = Condition(
                    (annotated,), _SYNC_SESSIONS, negated=True, also=_SQL_2_PROJECT
                )
            elif opened is not None:
                condition = Condition(
                    (opened,), _OPENS_SYNC, subject=OPENED, negated=True, also=_SQL_2_PROJECT
                )
            elif held is not None:
                # held by an object of a class of the project (`service.db`): a sync
                # session there is FG102's, as one annotated in the coroutine is
                condition = Condition(
                    (held,), _SYNC_SESSIONS, subject=HELD, negated=True, also=_SQL_2_PROJECT
                )
            ctx.report_if(node, condition, message, fix)
            return
        if ctx.layer == "tooling":
            return  # a script's or benchmark's sync query: the team's tool, its convention
        if function is None or not isinstance(function.node, cst.FunctionDef):
            ctx.report_if(node, _SYNC_SELECTED, message, fix)
            return
        units: dict[int, _SyncFunction] = _sync_functions(ctx, self.code)
        unit = units.get(id(function.node))
        if unit is None:
            units[id(function.node)] = _SyncFunction(node, message or self.message, fix)
            return
        unit.count += 1
        if unit.fix is None:
            unit.fix = fix

    def leave_FunctionDef(self, node: cst.FunctionDef, ctx: FileContext) -> None:
        unit = _sync_functions(ctx, self.code).pop(id(node), None)
        if unit is None:
            return
        message = unit.message
        if unit.count > 1:
            message = f"{message} ({unit.count} legacy queries in `{node.name.value}()`)"
        ctx.report_if(unit.node, _SYNC_SELECTED, message, unit.fix)

    def _bulk_method(self, node: cst.Call, ctx: FileContext) -> str | None:
        """`delete` or `update` when the chain a `.query(...)` call starts ends in that bulk
        method (`db.query(M).filter(...).delete()`), else None."""
        for chain in ctx.stash(f"{self.code}:chains"):
            if chain.calls[0] is node:
                last = chain.calls[-1].func
                assert isinstance(last, cst.Attribute)
                return last.attr.value if last.attr.value in ("delete", "update") else None
        return None

    def _fix(self, node: cst.Call, ctx: FileContext) -> FixSpec | None:
        for chain in ctx.stash(f"{self.code}:chains"):
            if chain.calls[0] is node:
                return query_fix(chain, ctx)
        return None

    def visit_Call(self, node: cst.Call, ctx: FileContext) -> None:
        func = node.func
        if isinstance(func, cst.Attribute) and func.attr.value != "query":
            self._record_chain(node, ctx)
        if not isinstance(func, cst.Attribute):
            if ctx.qualified_name(func) in QUERY_CLASSES:
                self._report(node, ctx, _QUERY_OBJECT)
            return
        receiver = func.value
        method = func.attr.value
        if method in STRONG_CHAIN_METHODS or method in WEAK_CHAIN_METHODS:
            note_query_chain(node, ctx)
            self._check_model_query(receiver, method, ctx)
            return
        if method == "query":
            self._check_session_query(node, receiver, ctx)
        elif ctx.qualified_name(func) in QUERY_CLASSES:
            self._report(node, ctx, _QUERY_OBJECT)

    def _check_session_query(
        self, node: cst.Call, receiver: cst.BaseExpression, ctx: FileContext
    ) -> None:
        if id(node) in ctx.marks(_MOCKED):
            return  # `mock_session.query(M).filter(...).delete.called`: a Mock's assertion
        if is_legacy_session_query(node, ctx):
            sync = is_sync_database(receiver, ctx) or _opened_by_sync_with(receiver, ctx)
            annotated = None if sync else annotated_project_class(receiver, ctx)
            held = None if sync or annotated is not None else held_by_annotated(receiver, ctx)
            fix = self._fix(node, ctx)
            if not sync and (
                receiver_class(receiver, ctx) in ASYNC_SESSION_CLASSES
                # the coroutine awaits a session's method on it (`await self.session.
                # commit()`): an `AsyncSession` (trouchet's repository, reader 83)
                or awaited_as_a_session(receiver, ctx)
            ):
                bulk = self._bulk_method(node, ctx)
                message = (
                    _ASYNC_SESSION_BULK.format(
                        method=bulk, article="an" if bulk == "update" else "a"
                    )
                    if bulk
                    else _ASYNC_SESSION_QUERY
                )
                self._report(node, ctx, message, fix, on_async_session=True)
                return
            # opened from another module's factory (`db = SessionLocal()`, `with
            # SessionLocal() as db:` of `from app.database import SessionLocal`): the index
            # reads whether it makes sync sessions (ta-na-mao's jobs, reader 150)
            opened = (
                imported_origin(receiver, ctx)
                if not sync and annotated is None and held is None and ctx.in_async_function
                else None
            )
            self._report(
                node,
                ctx,
                fix=fix,
                on_sync_session=sync,
                annotated=annotated,
                opened=opened,
                held=held,
            )

    def _check_model_query(
        self, receiver: cst.BaseExpression, method: str, ctx: FileContext
    ) -> None:
        if isinstance(receiver, cst.Attribute) and is_model_query(receiver, method, ctx):
            # a query property queries a sync session (Flask-SQLAlchemy's, a
            # `scoped_session`'s `query_property()`): in a coroutine, FG102's (Madi-S's
            # SQLite routes, where FG102 holds it back: reader 149)
            self._report(
                receiver,
                ctx,
                "Legacy `Model.query` API: build a `select()` and run it with a session",
                on_sync_session=True,
            )


def _opened_by_sync_with(receiver: cst.BaseExpression, ctx: FileContext) -> bool:
    """Whether the coroutine binds the receiver with a sync `with ... as name` only (an
    `AsyncSession` opens with `async with`): onyx's `with get_session_with_tenant() as
    db_session` in an `async def`, a sync session whose class another module's factory
    decides (FG102 reports the blocking)."""
    synced, opened_async = with_targets(ctx)
    name = code_of(receiver)
    return name in synced and name not in opened_async


#: Marks shared by FG101 and FG102 (which reports a legacy query in a coroutine as a
#: blocking call): the `.query(...)` calls a Query-only method, or another Query method,
#: follows.
_STRONG_CHAIN = "legacy-query:strong-chain"
_WEAK_CHAIN = "legacy-query:weak-chain"
#: `.query(...)` calls in a chain that ends in a Mock's attribute (`.called`).
_MOCKED = "legacy-query:mocked"
#: The attributes a `unittest.mock` object answers with: a chain ending in one of them
#: configures or inspects a Mock, it runs no query.
MOCK_ATTRIBUTES = frozenset(
    {
        "called",
        "call_count",
        "call_args",
        "call_args_list",
        "mock_calls",
        "method_calls",
        "return_value",
        "side_effect",
        "await_count",
        "await_args",
        "awaited",
    }
)
#: A receiver named as a test double (`mock_session`, `session_mock`, `MockDB`).
_MOCK_NAME = lazy_pattern(r"mock", re.IGNORECASE)


def note_query_chain(node: cst.Call, ctx: FileContext) -> None:
    """Mark `session.query(...)` when a Query method is called on it (`.filter_by()`):
    the outer call of a chain is visited before the inner `.query(...)` one, so every
    rule that judges `.query(...)` calls this first on each call."""
    func = node.func
    if not isinstance(func, cst.Attribute):
        return
    method = func.attr.value
    inner = func.value
    if (
        (method in STRONG_CHAIN_METHODS or method in WEAK_CHAIN_METHODS)
        and isinstance(inner, cst.Call)
        and isinstance(inner.func, cst.Attribute)
        and inner.func.attr.value == "query"
    ):
        ctx.marks(_STRONG_CHAIN if method in STRONG_CHAIN_METHODS else _WEAK_CHAIN).add(id(inner))


def note_mock_chain(node: cst.Attribute, ctx: FileContext) -> None:
    """Mark the `.query(...)` calls of a chain that ends in a Mock's attribute
    (`session.query(M).filter(...).delete.called`, `...assert_called_once()`)."""
    attribute = node.attr.value
    if attribute not in MOCK_ATTRIBUTES and not attribute.startswith("assert_"):
        return
    expr: cst.BaseExpression = node.value
    while isinstance(expr, cst.Attribute | cst.Call):
        if isinstance(expr, cst.Call):
            func = expr.func
            if isinstance(func, cst.Attribute) and func.attr.value == "query":
                ctx.marks(_MOCKED).add(id(expr))
            expr = func
        else:
            expr = expr.value


def is_legacy_session_query(node: cst.Call, ctx: FileContext) -> bool:
    """Whether `receiver.query(...)` is SQLAlchemy's legacy `Session.query()`, by the
    evidence FG101 documents: a session receiver, a mapped class as argument, a
    Query-only method after it (`note_query_chain`), SQLAlchemy imported. A receiver
    named as a Mock (`mock_session`) is none."""
    func = node.func
    assert isinstance(func, cst.Attribute)
    receiver = func.value
    receiver_type = ctx.infer(receiver)
    if receiver_type is not None and receiver_type.cls in SESSION_CLASSES:
        return True
    positional = [arg.value for arg in node.args if arg.keyword is None and not arg.star]
    if not positional or any(_is_string(arg) for arg in positional):
        return False  # pandas' df.query("..."), GraphQL and search clients
    name = _last_identifier(receiver)
    if name is not None and _MOCK_NAME.search(name):
        return False
    session_like = name is not None and bool(_SESSION_NAME.search(name))
    entity = _looks_like_entity(positional[0], ctx)
    strong_chain = id(node) in ctx.marks(_STRONG_CHAIN)
    any_chain = strong_chain or id(node) in ctx.marks(_WEAK_CHAIN)
    if ctx.imports_module(*SQLALCHEMY_PACKAGES):
        return session_like or entity or strong_chain
    return session_like and (entity or any_chain or bool(_SURE_SESSION_NAME.search(name or "")))


def is_model_query(receiver: cst.Attribute, method: str, ctx: FileContext) -> bool:
    """Whether `receiver.method(...)`, with `receiver` an attribute `.query`, is
    Flask-SQLAlchemy's query property on a model class (`User.query.filter_by(...)`)."""
    if receiver.attr.value != "query" or isinstance(receiver.value, cst.Call):
        return False
    model = _last_identifier(receiver.value)
    if model is None or not model[:1].isupper() or _MOCK_NAME.search(model):
        return False
    return method in STRONG_CHAIN_METHODS or (
        method in WEAK_CHAIN_METHODS and ctx.imports_module(*SQLALCHEMY_PACKAGES)
    )


def _sync_functions(ctx: FileContext, code: str) -> dict[int, _SyncFunction]:
    """The synchronous functions of the file with legacy queries not yet reported."""
    holder = ctx.stash(f"{code}:sync")
    if not holder:
        holder.append({})
    found: dict[int, _SyncFunction] = holder[0]
    return found


def _may_query_in_coroutine(structure: Structure) -> bool:
    """Whether a legacy query may be made in a coroutine: `.query(...)` or `Model.query.x(...)`
    called in an `async def`, or a `Query` made there."""
    for call in structure.calls:
        if not call.in_async:
            continue
        func = call.node.func
        if isinstance(func, ast.Attribute) and (
            func.attr == "query"
            or (isinstance(func.value, ast.Attribute) and func.value.attr == "query")
        ):
            return True
    return any(structure.calls_to(QUERY_CLASSES, in_async=True))

"""FG112: a SQL string given as the statement of a SQLAlchemy session's or connection's
`execute()`, which SQLAlchemy 2.0 refuses (`ArgumentError`: it must be `text(...)`)."""

from __future__ import annotations

import ast

from checks import revisions
from checks.context import FileContext, FixSpec, conjoin
from checks.lazy import lazy_pattern
from checks.lazy import libcst as cst
from checks.prefilter import Evidence
from checks.project import OPENED, Condition
from checks.project_facts import sqlalchemy_1_named
from checks.pydantic_target import unsafe
from checks.rule import Example, FixExample, Rule
from checks.session_receivers import (
    ASYNC_CONNECTION,
    ASYNC_SESSION,
    SESSION_CLASSES,
    SYNC_CONNECTION,
    SYNC_DATABASE_CLASSES,
    imported_origin,
    receiver_class,
)
from checks.sqlalchemy_target import MIGRATION_NOTE
from checks.structure import Structure

#: What runs a statement given to `execute()`: sessions (SQLAlchemy's, SQLModel's) and
#: connections. An `Engine` has no `execute()` in 2.0 (nothing to say about its string).
_EXECUTORS = frozenset(
    {*SESSION_CLASSES, ASYNC_SESSION, SYNC_CONNECTION, ASYNC_CONNECTION}
    | {c for c in SYNC_DATABASE_CLASSES if c.endswith("Connection")}
)
#: What `text()` reads as a bound parameter (SQLAlchemy's own pattern, `TextClause`): a
#: colon before a name, not a `::` cast nor one after a word (`'12:30'`).
_BIND = lazy_pattern(r"(?<![:\w\x5c]):(\w+)(?!:)")


class TextualSqlWithoutText(Rule):
    code = "FG112"
    name = "textual-sql-without-text"
    family = "SQLAlchemy"
    message = (
        "A SQL string given to `execute()`: SQLAlchemy 2.0 raises `ArgumentError`; "
        "wrap it in `text()`"
    )
    needs_sqlalchemy_2 = True  # `visit_Call`
    summary = (
        "Checks for a string given as the statement of `execute()` (a literal, an "
        "f-string, or `%`/`.format()` of a literal) on a SQLAlchemy `Session`, "
        "`AsyncSession`, `Connection` or `AsyncConnection` the file knows: annotated, "
        "made by a session factory of the file (`async with SessionLocal() as session`), "
        "opened from an engine (`engine.connect()`), SQLModel's sessions too; or one the "
        "project index knows, opened from another module's factory (`db = SessionLocal()` "
        "of `from app.db import SessionLocal`) or that module's session itself. Other "
        "libraries' `execute()` takes a string (asyncpg's connections, DB-API cursors, "
        "`databases`): a receiver not known to be SQLAlchemy's is not reported. A string "
        "with values pasted in is told to become `text()` with bound parameters (FG105 "
        "leaves it to this rule: it never runs).\n\n"
        "Where it applies: every layer, tests and migrations included, but not a revision "
        "another revision follows (history: FG604); a project on SQLAlchemy 1.x, where "
        "the string runs with a `RemovedIn20Warning`, gets it when the selection names "
        "FG112, as a note on the migration."
    )
    why = (
        "SQLAlchemy 2.0 no longer turns a string into a statement: "
        '`await session.execute("SELECT 1")` raises `ArgumentError: Textual SQL '
        "expression 'SELECT 1' should be explicitly declared as text('SELECT 1')` (1.4 "
        "warned). A health check written so reports the database down while it is up, "
        "and swallows the error that says why. `text()` also takes bound parameters "
        '(`text("SELECT * FROM users WHERE id = :id")` with `{"id": user_id}`), which an '
        "f-string does not (FG105); `conn.exec_driver_sql()` runs a string as the "
        "driver's own SQL."
    )
    fix = (
        "Unsafe fix: a string literal is wrapped in `text(...)`, importing `text` from "
        "`sqlalchemy`. Unsafe because the call then runs the SQL instead of raising; a "
        "literal holding a colon before a name (which `text()` would read as a bound "
        "parameter: `':draft'`, `:id`) gets no fix, nor does an f-string or a formatted "
        "string: bind its values (FG105)."
    )
    bad = (
        Example(
            """
            from sqlalchemy.ext.asyncio import AsyncSession


            async def database_is_up(session: AsyncSession) -> bool:
                await session.execute("SELECT 1")
                return True
            """
        ),
        Example(
            """
            from sqlalchemy import create_engine
            from sqlalchemy.orm import sessionmaker

            SessionLocal = sessionmaker(bind=create_engine("postgresql+psycopg://db/app"))


            def purge(days: int) -> None:
                with SessionLocal() as session:
                    session.execute(f"DELETE FROM audit WHERE age > {days}")
                    session.commit()
            """,
            note="an f-string: no fix (bind the value)",
        ),
    )
    good = (
        Example(
            """
            from sqlalchemy import text
            from sqlalchemy.ext.asyncio import AsyncSession


            async def database_is_up(session: AsyncSession) -> bool:
                await session.execute(text("SELECT 1"))
                return True
            """
        ),
        Example(
            """
            import asyncpg


            async def database_is_up(conn: asyncpg.Connection) -> bool:
                await conn.execute("SELECT 1")
                return True
            """,
            note="asyncpg's connection takes a string",
        ),
        Example(
            """
            async def database_is_up(db) -> bool:
                await db.execute("SELECT 1")
                return True
            """,
            note="a receiver not known to be SQLAlchemy's",
        ),
        Example(
            """
            from sqlalchemy.ext.asyncio import AsyncConnection


            async def vacuum(conn: AsyncConnection) -> None:
                await conn.exec_driver_sql("VACUUM")
            """,
            note="`exec_driver_sql()` takes a string",
        ),
    )
    fixes = (
        FixExample(
            """
            from sqlalchemy.ext.asyncio import AsyncSession


            async def database_is_up(session: AsyncSession) -> bool:
                await session.execute("SELECT 1")
                return True
            """,
            """
            from sqlalchemy import text
            from sqlalchemy.ext.asyncio import AsyncSession


            async def database_is_up(session: AsyncSession) -> bool:
                await session.execute(text("SELECT 1"))
                return True
            """,
            unsafe=True,
        ),
    )

    def may_fire(self, evidence: Evidence) -> bool:
        # (a session of another module's factory is queried where nothing of SQLAlchemy
        # is imported: `may_fire_in` asks for a string given to `execute()`)
        return evidence.has("execute")

    def may_fire_in(self, structure: Structure) -> bool:
        # `visit_Call`: `x.execute(<a string>)` (`_is_string`), outside a revision another
        # one follows
        if not any(
            isinstance(call.node.func, ast.Attribute)
            and call.node.func.attr == "execute"
            and call.node.args
            and _may_be_string(call.node.args[0])
            for call in structure.calls
        ):
            return False
        if structure.path is None or structure.source is None:
            return True
        source = structure.source
        return b"down_revision" not in source or not revisions.is_superseded(structure.path, source)

    def visit_Call(self, node: cst.Call, ctx: FileContext) -> None:
        statement = _string_statement(node)
        if statement is None:
            return
        func = node.func
        assert isinstance(func, cst.Attribute)
        asked: Condition | None = None
        if receiver_class(func.value, ctx) not in _EXECUTORS:
            # a session opened from another module's factory, or that module's object
            # (`db = SessionLocal()` of `from app.db import SessionLocal`, which the file
            # takes for a class of that name: usif-x's health check, reader 134): a
            # finding if the project index reads a session or a connection in what it is
            # or gives
            origin = imported_origin(func.value, ctx)
            if origin is None:
                return
            asked = Condition((origin,), _EXECUTORS, subject=OPENED)
        if ctx.superseded_revision:
            return
        if ctx.sqlalchemy_target == 1:
            # a note for the move to 2.0 where the selection names the rule: held back,
            # and counted so, otherwise
            named = Condition((), frozenset(), fact=sqlalchemy_1_named(self.code))
            ctx.report_if(statement, conjoin(asked, named), f"{self.message} {MIGRATION_NOTE}")
            return
        message = None if _is_literal(statement) else _PASTED_MESSAGE
        if asked is not None:
            ctx.report_if(statement, asked, message, fix=_wrap_in_text(statement, ctx))
            return
        ctx.report(statement, message, fix=_wrap_in_text(statement, ctx))


#: FG112's message for a string with values pasted in (an f-string, `%`, `.format()`):
#: `text()` around it would run the pasted values as SQL (FG105 yields to this one).
_PASTED_MESSAGE = (
    "SQL built by pasting values into a string, given to `execute()`: SQLAlchemy 2.0 "
    "raises `ArgumentError`; write it with `text()` and bound parameters "
    "(`text('... WHERE id = :id')`, `{'id': value}`), not by wrapping the string"
)


def refused_by_sqlalchemy_2(node: cst.Call, ctx: FileContext) -> bool:
    """Whether FG112 reports this call for certain: a string given to `execute()` of a
    session or connection the file knows, on a project not on SQLAlchemy 1.x. The SQL
    never runs (it raises), so FG105 leaves a value pasted into it to this finding, whose
    message says to bind it (devHarshShah's `db.execute(f"DELETE ... {day.id}")`, FG105
    and FG112 on one line: reader 137)."""
    return (
        _string_statement(node) is not None
        and isinstance(node.func, cst.Attribute)
        and receiver_class(node.func.value, ctx) in _EXECUTORS
        and not ctx.superseded_revision
        and ctx.sqlalchemy_target != 1
    )


def _string_statement(node: cst.Call) -> cst.BaseExpression | None:
    """The string given as the statement of `x.execute(...)`, first and positional
    (`_is_string`), else None."""
    func = node.func
    if not isinstance(func, cst.Attribute) or func.attr.value != "execute":
        return None
    if not node.args or node.args[0].keyword is not None or node.args[0].star:
        return None
    statement = node.args[0].value
    return statement if _is_string(statement) else None


def _is_literal(expr: cst.BaseExpression) -> bool:
    """A string literal or a concatenation of them, nothing pasted in."""
    if isinstance(expr, cst.SimpleString):
        return True
    if isinstance(expr, cst.ConcatenatedString):
        return _is_literal(expr.left) and _is_literal(expr.right)
    return False


def _may_be_string(expr: ast.expr) -> bool:
    """`_is_string` on CPython's tree: a string constant, an f-string, `%` or `.format()` of
    one (a concatenation of literals is one constant or f-string there)."""
    if isinstance(expr, ast.Constant):
        return isinstance(expr.value, str)
    if isinstance(expr, ast.JoinedStr):
        return True
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Mod):
        return _may_be_string(expr.left)
    if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute):
        return expr.func.attr == "format" and _may_be_string(expr.func.value)
    return False


def _is_string(expr: cst.BaseExpression) -> bool:
    """A string literal, an f-string, a concatenation of them, or `%`/`.format()` of one."""
    if isinstance(expr, cst.SimpleString | cst.ConcatenatedString | cst.FormattedString):
        return True
    if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, cst.Modulo):
        return _is_string(expr.left)
    if isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute):
        return expr.func.attr.value == "format" and _is_string(expr.func.value)
    return False


def _wrap_in_text(statement: cst.BaseExpression, ctx: FileContext) -> FixSpec | None:
    """`"SELECT 1"` -> `text("SELECT 1")` (unsafe), for a literal `text()` reads as the
    same SQL: no f-string, no formatting, no colon before a name."""
    if not isinstance(statement, cst.SimpleString | cst.ConcatenatedString):
        return None
    value = statement.evaluated_value
    if not isinstance(value, str) or _BIND.search(value):
        return None
    found = ctx.import_from("sqlalchemy", "text")
    if found is None:
        return None  # `text` means something else in this file
    local, insertion = found
    replacements: list[tuple[cst.CSTNode, str]] = [] if insertion is None else [insertion]
    source = cst.Module(body=[]).code_for_node(statement)
    replacements.append((statement, f"{local}({source})"))
    fix = FixSpec("Wrap the SQL in `text()`", tuple(replacements))
    return unsafe(fix, "the SQL then runs where SQLAlchemy 2.0 raised `ArgumentError`")

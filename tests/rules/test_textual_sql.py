"""FG112: a SQL string given to a SQLAlchemy session's or connection's `execute()`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy
from sqlalchemy import create_engine, text
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session

from tests.helpers import check_code, fix_code, run_cli, write


def _fg112(source: str, path: str = "app/health.py") -> list[tuple[int, bool]]:
    """(row, whether a fix is offered) of each FG112 finding."""
    return [(f.start.row, f.fix is not None) for f in check_code(source, path) if f.code == "FG112"]


def test_sqlalchemy_2_refuses_a_string_and_runs_its_text() -> None:
    """The claim the rule stands on, on the installed SQLAlchemy: a string is refused
    before anything reaches the database; `text()` of it runs."""
    assert int(sqlalchemy.__version__.split(".")[0]) >= 2
    with Session(create_engine("sqlite://")) as session:
        with pytest.raises(ArgumentError, match="should be explicitly declared as text"):
            session.execute("SELECT 1")  # type: ignore[call-overload]
        assert session.execute(text("SELECT 1")).scalar() == 1


@pytest.mark.parametrize(
    ("statement", "fixed"),
    [
        ('"SELECT 1"', True),
        ('"SELECT now()::date"', True),  # a cast, not a bound parameter
        ("\"SELECT * FROM runs WHERE at > '12:30'\"", True),  # after a word: no parameter
        ("\"SELECT * FROM notes WHERE state = ':draft'\"", False),  # text() binds `:draft`
        ('"DELETE FROM audit WHERE id = %s" % audit_id', False),
        ('"DELETE FROM audit WHERE id = {}".format(audit_id)', False),
        ('f"DELETE FROM audit WHERE id = {audit_id}"', False),
    ],
)
def test_a_string_statement_is_reported_and_only_a_plain_literal_is_fixed(
    statement: str, fixed: bool
) -> None:
    source = f"""
        from sqlalchemy.ext.asyncio import AsyncSession


        async def run(session: AsyncSession, audit_id: int) -> None:
            await session.execute({statement})
        """
    assert _fg112(source) == [(5, fixed)]


def test_the_fix_wraps_the_literal_and_imports_text() -> None:
    source = """
        from sqlalchemy.orm import Session


        def ping(session: Session) -> None:
            session.execute("SELECT 1")
        """
    fixed = fix_code(source, "FG112", unsafe=True)
    assert 'session.execute(text("SELECT 1"))' in fixed
    assert "from sqlalchemy import text" in fixed


def test_a_text_name_of_another_meaning_gets_no_fix() -> None:
    source = """
        from sqlalchemy.orm import Session

        from app.i18n import text


        def ping(session: Session) -> None:
            session.execute("SELECT 1")
        """
    assert _fg112(source) == [(7, False)]


@pytest.mark.parametrize(
    "receiver",
    [
        "conn: asyncpg.Connection",  # asyncpg takes strings
        "cursor: sqlite3.Cursor",
        "db",  # unknown
    ],
)
def test_other_libraries_execute_strings(receiver: str) -> None:
    source = f"""
        import sqlite3

        import asyncpg
        import sqlalchemy


        def run({receiver}) -> None:
            {receiver.split(":")[0]}.execute("SELECT 1")
        """
    assert _fg112(source) == []


def test_a_project_on_sqlalchemy_1_gets_it_when_named(tmp_path: Path) -> None:
    write(tmp_path, "requirements.txt", "sqlalchemy==1.4.52\n")
    write(
        tmp_path,
        "app/health.py",
        "from sqlalchemy.orm import Session\n\n\ndef ping(session: Session) -> None:\n"
        '    session.execute("SELECT 1")\n',
    )

    def messages(*args: str) -> list[str]:
        out = run_cli("check", "--no-cache", "--output-format", "json", *args, str(tmp_path))
        return [f["message"] for f in json.loads(out.stdout) if f["code"] == "FG112"]

    assert messages() == []
    (note,) = messages("--extend-select", "FG112")
    assert "SQLAlchemy 1.x" in note


def test_a_revision_another_revision_follows_is_history(tmp_path: Path) -> None:
    revision = (
        'from sqlalchemy.orm import Session\n\nrevision = "{r}"\ndown_revision = {d}\n\n\n'
        'def upgrade(session: Session) -> None:\n    session.execute("UPDATE t SET x = 1")\n'
    )
    write(tmp_path, "alembic/versions/0001_a.py", revision.format(r="0001", d="None"))
    write(tmp_path, "alembic/versions/0002_b.py", revision.format(r="0002", d='"0001"'))
    out = run_cli("check", "--no-cache", "--output-format", "json", str(tmp_path))
    found = [Path(f["filename"]).name for f in json.loads(out.stdout) if f["code"] == "FG112"]
    assert found == ["0002_b.py"]


@pytest.mark.parametrize("alone", [False, True], ids=["project", "file alone"])
def test_a_session_of_another_modules_factory_is_asked_of_the_index(
    tmp_path: Path, alone: bool
) -> None:
    """usif-x's health check (reader 134): `db = SessionLocal()` of `from app.db import
    SessionLocal`, in a module that imports nothing of SQLAlchemy, then `db.execute("SELECT
    1")`, which raises, so the check always says the database is down. The project index
    reads the factory; an imported object that is no SQLAlchemy factory (`databases`'s
    `Database`), and an engine's `execute()` (gone in 2.0), are not reported."""
    write(tmp_path, "requirements.txt", "sqlalchemy==2.0.36\ndatabases==0.9.0\n")
    write(tmp_path, "app/__init__.py", "")
    write(
        tmp_path,
        "app/db.py",
        "from databases import Database\nfrom sqlalchemy import create_engine\n"
        "from sqlalchemy.orm import scoped_session, sessionmaker\n\n"
        'engine = create_engine("postgresql+psycopg://db/app")\n'
        "SessionLocal = sessionmaker(bind=engine)\nsession = scoped_session(SessionLocal)\n"
        'database = Database("postgresql://db/app")\n',
    )
    write(
        tmp_path,
        "app/health.py",
        """
        from app.db import SessionLocal, database, engine, session


        async def health() -> bool:
            db = SessionLocal()
            db.execute("SELECT 1")
            session.execute("SELECT 2")
            await database.execute("SELECT 3")
            engine.execute("SELECT 4")
            return True
        """,
    )
    target = tmp_path / "app/health.py" if alone else tmp_path
    out = run_cli("check", "--no-cache", "--output-format", "json", str(target))
    found = [f["location"]["row"] for f in json.loads(out.stdout) if f["code"] == "FG112"]
    assert found == [6, 7]


def test_values_pasted_into_a_string_sqlalchemy_2_refuses_are_one_finding(
    tmp_path: Path,
) -> None:
    """devHarshShah's `db.execute(f"DELETE FROM itinerary_activity WHERE ... = {day.id}")`
    (reader 137: FG105 and FG112 on one line, the first judged not worth a change): the
    string never runs on SQLAlchemy 2.0, it raises; FG112's message says to bind the
    values, not to wrap the string in `text()`. A string wrapped in `text()` is FG105's;
    on a project pinned to SQLAlchemy 1.x the string runs: FG105's too."""
    source = """
        from sqlalchemy import text
        from sqlalchemy.orm import Session


        def clear(db: Session, day_id: int, name: str) -> None:
            db.execute(f"DELETE FROM activity WHERE day_id = {day_id} AND name = '{name}'")
            db.execute(text(f"DELETE FROM transfer WHERE name = '{name}'"))
            db.execute("DELETE FROM transfer")
        """
    write(tmp_path, "requirements.txt", "sqlalchemy==2.0.40\n")
    write(tmp_path, "app/cleanup.py", source)

    def found() -> list[tuple[str, int, str]]:
        out = run_cli("check", "--no-cache", "--output-format", "json", str(tmp_path))
        return [
            (f["code"], f["location"]["row"], f["message"].split(":")[0])
            for f in json.loads(out.stdout)
            if f["code"] in ("FG105", "FG112")
        ]

    pasted = "SQL built by pasting values into a string, given to `execute()`"
    literal = "A SQL string given to `execute()`"
    assert found() == [
        ("FG112", 6, pasted),
        ("FG105", 7, "`name` pasted into SQL as a value"),
        ("FG112", 8, literal),
    ]
    write(tmp_path, "requirements.txt", "sqlalchemy==1.4.52\n")
    assert [(code, row) for code, row, _ in found()] == [("FG105", 6), ("FG105", 7)]

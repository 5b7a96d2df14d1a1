"""FG101: the legacy Query API, and the look-alikes it must leave alone."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import check_code, fix_code, positions, run_cli, write


def test_session_query_chain_is_flagged_at_the_query_call() -> None:
    source = """
        from sqlalchemy.orm import Session

        def get(session: Session, pk: int):
            return session.query(User).filter(User.id == pk).one()
        """
    assert positions(source, "FG101") == [(4, 12)]
    finding = next(f for f in check_code(source) if f.code == "FG101")
    assert (finding.end.row, finding.end.column) == (4, 31)  # end of `session.query(User)`


def test_self_session_query_in_repository_is_flagged() -> None:
    source = """
        import sqlalchemy as sa

        class TaskRepository:
            def all(self):
                return self.session.query(Task).all()
        """
    assert positions(source, "FG101") == [(5, 16)]


def test_db_query_without_sqlalchemy_import_needs_session_and_entity() -> None:
    flagged = """
        def get(db, pk):
            return db.query(User).get(pk)
        """
    not_flagged = """
        def get(cursor, pk):
            return cursor.query(User).get(pk)
        """
    assert positions(flagged, "FG101") == [(2, 12)]
    assert positions(not_flagged, "FG101") == []


def test_pandas_dataframe_query_is_not_flagged() -> None:
    source = """
        import pandas as pd
        from sqlalchemy import select

        def adults(df: pd.DataFrame, expr: str):
            first = df.query("age > 18").count()
            second = df.query(expr).filter(items=["a"])
            return first, second
        """
    assert positions(source, "FG101") == []


def test_graphql_client_query_is_not_flagged() -> None:
    source = """
        from gql import gql

        def viewer(client):
            return client.query(gql("{ viewer { id } }"))
        """
    assert positions(source, "FG101") == []


def test_search_query_keyword_is_not_flagged() -> None:
    source = """
        def search(es, text):
            return es.search(index="x", query={"match": {"t": text}})
        """
    assert positions(source, "FG101") == []


def test_fastapi_query_parameter_is_not_flagged() -> None:
    source = """
        from fastapi import Query
        from sqlalchemy import select

        def route(q: str = Query(None), page: int = Query(1, ge=1)):
            return q, page
        """
    assert positions(source, "FG101") == []


def test_sqlalchemy_query_class_call_is_flagged() -> None:
    source = """
        from sqlalchemy import orm

        def build(session):
            return orm.Query(User, session)
        """
    assert positions(source, "FG101") == [(4, 12)]


def test_flask_model_query_is_flagged_on_the_attribute() -> None:
    source = """
        from app.models import User

        def find(email):
            return User.query.filter_by(email=email).first_or_404()
        """
    assert positions(source, "FG101") == [(4, 12)]


def test_model_query_with_weak_method_needs_sqlalchemy_import() -> None:
    without_import = """
        def find(pk):
            return Search.query.get(pk)
        """
    with_import = """
        from flask_sqlalchemy import SQLAlchemy

        def find(pk):
            return User.query.get(pk)
        """
    assert positions(without_import, "FG101") == []
    assert positions(with_import, "FG101") == [(4, 12)]


def test_query_in_async_session_call_is_flagged_once_per_call() -> None:
    source = """
        from sqlalchemy.ext.asyncio import AsyncSession

        async def count(session: AsyncSession):
            a = await session.query(User).count()
            b = session.query(Task.id).filter(Task.done).all()
            return a, b
        """
    assert positions(source, "FG101") == [(4, 15), (5, 9)]


def test_legacy_queries_of_one_sync_function_are_one_finding_with_their_count() -> None:
    source = """
        from sqlalchemy.orm import Session

        def stats(session: Session):
            users = session.query(User).count()
            orders = session.query(Order).count()
            return users, orders, session.query(Item).all()

        def other(session: Session):
            return session.query(User).all()
        """
    found = [f for f in check_code(source) if f.code == "FG101"]
    assert [(f.start.row, f.start.column) for f in found] == [(4, 13), (9, 12)]
    assert found[0].message.endswith("(3 legacy queries in `stats()`)")
    assert "legacy queries" not in found[1].message


def test_legacy_queries_in_async_code_and_nested_functions_keep_their_own_findings() -> None:
    source = """
        from sqlalchemy.orm import Session

        def outer(session: Session):
            first = session.query(User).all()

            async def inner():
                return session.query(User).all(), session.query(Order).all()

            def helper():
                return session.query(Item).all()

            return first, inner, helper
        """
    # `inner` queries a sync session: it runs, and FG102 reports the blocking (its fix
    # comes first: `select()` on that session blocks as much)
    assert positions(source, "FG101") == [(4, 13), (10, 16)]
    assert positions(source, "FG102") == [(7, 16)]


def test_legacy_queries_on_an_unknown_session_in_async_code_are_each_reported() -> None:
    source = """
        async def stats(session):
            return session.query(User).count(), session.query(Order).count()
        """
    assert positions(source, "FG101") == [(2, 12), (2, 41)]


@pytest.mark.parametrize("asyncio_extension", [False, True], ids=["1.x project", "async"])
def test_a_coroutines_legacy_query_in_a_project_without_async_sessions_is_its_convention(
    tmp_path: Path, asyncio_extension: bool
) -> None:
    """A delivery platform's socket.io handlers, written in the 1.x style of the whole
    project, query an untyped `db` that can only be its sync `Session`: FG102 reports the
    blocking; FG101 ("`AsyncSession` has no `query()`") only when named, or where the
    project uses the asyncio extension (the session may be an `AsyncSession`)."""
    write(tmp_path, "pyproject.toml", '[project]\nname = "svc"\n')
    write(
        tmp_path,
        "app/handlers.py",
        """
        async def on_cart(db, sid: str):
            return db.query(Cart).filter_by(sid=sid).first()


        def carts(db):
            return db.query(Cart).all()
        """,
    )
    if asyncio_extension:
        write(tmp_path, "app/db.py", "from sqlalchemy.ext.asyncio import AsyncSession\n")

    def found(*args: str) -> list[tuple[str, int]]:
        result = run_cli("check", "--no-cache", "--output-format", "json", *args, str(tmp_path))
        return [(f["code"], f["location"]["row"]) for f in json.loads(result.stdout)]

    if asyncio_extension:  # the sync `carts()` is the 1.x-style half: FG101 when named
        assert found() == [("FG101", 2), ("FG102", 2)]
    else:
        assert found() == [("FG102", 2)]
    assert found("--extend-select", "FG101") == [("FG101", 2), ("FG102", 2), ("FG101", 6)]


@pytest.mark.parametrize("selects", [0, 2])
def test_sync_legacy_queries_in_existing_code_are_reported_when_named(
    tmp_path: Path, selects: int
) -> None:
    """`Query` works on a sync session in SQLAlchemy 2.0 (legacy, not deprecated): in
    existing code it is an inventory, reported when FG101 is named, however often the
    project writes `select()` (the sixteenth reader judged 16 such findings, none worth a
    change); in new code the edit hook reports it (`tests/test_hook.py`)."""
    write(tmp_path, "pyproject.toml", '[project]\nname = "svc"\n')
    write(tmp_path, "app/db.py", "from sqlalchemy.ext.asyncio import AsyncSession\n")
    write(
        tmp_path,
        "app/crud.py",
        "from sqlalchemy import select\n\n\ndef carts(db):\n    return db.query(Cart).all()\n"
        "\n\ndef users(db):\n    return db.query(User).all()\n"
        + "".join(f"\n\ndef q{i}():\n    return select(User)\n" for i in range(selects)),
    )

    def rows(*options: str) -> list[tuple[str, int]]:
        result = run_cli("check", "--no-cache", "--output-format", "json", *options, str(tmp_path))
        return [(f["code"], f["location"]["row"]) for f in json.loads(result.stdout)]

    assert rows() == []
    assert rows("--extend-select", "FG101") == [("FG101", 5), ("FG101", 9)]


def test_a_sync_session_queried_in_async_code_follows_the_projects_convention(
    tmp_path: Path,
) -> None:
    """keep's async tests query a sync `Session` fixture with `query()` throughout: FG101
    does not apply to tests (nor FG102: such a query blocks nothing a user waits for)."""
    write(tmp_path, "pyproject.toml", '[project]\nname = "svc"\n')
    write(
        tmp_path,
        "tests/test_incidents.py",
        """
        from sqlalchemy.orm import Session

        from app.models import Incident


        async def test_count(db_session: Session) -> None:
            assert db_session.query(Incident).count() == 0


        async def test_fixture(db_session) -> None:
            assert db_session.query(Incident).count() == 0
        """,
    )
    write(tmp_path, "app/crud.py", "def count(db):\n    return db.query(Incident).count()\n")

    def fg101(*args: str) -> list[str]:
        result = run_cli("check", "--no-cache", "--output-format", "json", *args, str(tmp_path))
        return [Path(f["filename"]).name for f in json.loads(result.stdout) if f["code"] == "FG101"]

    assert fg101() == []  # the project queries with `query()`: its decision
    # named, the service's query is reported; a test's never is (on an `AsyncSession` it
    # fails on its own, on a sync one it sets up and asserts as `select()` would)
    assert sorted(fg101("--extend-select", "FG101")) == ["crud.py"]


def test_fix_rewrites_every_query_of_a_sync_function() -> None:
    source = """
        from sqlalchemy import select
        from sqlalchemy.orm import Session

        def stats(session: Session):
            users = session.query(User).all()
            orders = session.query(Order).filter(Order.paid).all()
            return users, orders
        """
    fixed = fix_code(source, "FG101", unsafe=True)
    assert "query(" not in fixed
    assert "session.execute(select(Order).where(Order.paid))" in fixed


def test_a_session_a_sync_with_opens_in_a_coroutine_is_fg102s(tmp_path: Path) -> None:
    """onyx's `with get_session_with_tenant(tenant_id) as db_session:` in an `async def`:
    an `AsyncSession` opens with `async with`, so the session is a sync one whose queries
    block (FG102's finding); `select()` on it would block as much."""
    write(tmp_path, "pyproject.toml", '[project]\nname = "svc"\n')
    write(tmp_path, "app/db.py", "from sqlalchemy.ext.asyncio import AsyncSession\n")
    write(
        tmp_path,
        "app/provisioning.py",
        "from app.tenants import get_session_with_tenant\n\n\n"
        "async def setup(tenant_id: str) -> None:\n"
        "    with get_session_with_tenant(tenant_id) as db_session:\n"
        "        db_session.query(Settings).first()\n\n\n"
        "async def other(maker) -> None:\n"
        "    async with maker() as db_session:\n"
        "        db_session.query(Settings).first()\n",
    )
    result = run_cli("check", "--no-cache", "--output-format", "json", str(tmp_path))
    rows = [(f["code"], f["location"]["row"]) for f in json.loads(result.stdout)]
    assert rows == [("FG101", 11), ("FG102", 11)]  # the `async with` one: unknown


def test_a_query_on_an_async_session_is_fg101s_attribute_error_not_fg102s_blocking() -> None:
    """evilmoose's sample feature (reader 61): `db: AsyncSession` then `db.query(...)`
    raises `AttributeError`; FG102's "sync session blocks" was wrong there, and the
    finding stands in a project whose convention is 1.x queries too."""
    source = """
        from fastapi import APIRouter, Depends
        from sqlalchemy.ext.asyncio import AsyncSession

        router = APIRouter()

        @router.get("/items")
        async def list_items(db: AsyncSession = Depends(get_session)):
            result = await db.execute(db.query(Item).limit(3))
            return result.scalars().all()

        def count(db: AsyncSession) -> int:
            return db.query(Item).count()
        """
    found = [f for f in check_code(source) if f.code in {"FG101", "FG102"}]
    assert [(f.code, f.start.row) for f in found] == [("FG101", 8), ("FG101", 12)]
    assert all("`AsyncSession` has no `query()`" in f.message for f in found)


def test_a_query_on_a_receiver_the_coroutine_awaits_commit_on_is_an_async_sessions() -> None:
    """trouchet's log repository (reader 83): `self.session` untyped, `await
    self.session.commit()` beside `self.session.query(...)...delete()`: an `AsyncSession`,
    whose `query()` raises; FG102's "a sync session blocks" was the wrong diagnosis. A
    receiver only queried stays FG102's too."""
    source = """
        class LogRepository:
            def __init__(self, session):
                self.session = session

            async def delete_old_logs(self, cutoff):
                self.session.query(RequestLog).filter(RequestLog.at < cutoff).delete()
                await self.session.commit()

            async def count(self):
                return self.session.query(RequestLog).count()
        """
    found = [f for f in check_code(source) if f.code in {"FG101", "FG102"}]
    assert [(f.code, f.start.row) for f in found] == [
        ("FG101", 6),
        ("FG101", 10),
        ("FG102", 10),
    ]
    assert "has no `query()`" in found[0].message
    assert "delete(Model).where(...)" in found[0].message


def test_a_bulk_delete_or_update_on_an_async_session_is_told_its_own_statement() -> None:
    """JohnDoe1996's role labels (reader 68): `db.query(M).filter(...).delete()` on an
    `AsyncSession` is rebuilt as `delete(M).where(...)`, not a `select()`."""
    source = """
        from sqlalchemy.ext.asyncio import AsyncSession

        async def reset(db: AsyncSession, label_id: int) -> None:
            db.query(LabelRole).filter(LabelRole.label_id == label_id).delete()
            db.query(Label).filter(Label.id == label_id).update({"name": "x"})
            db.query(Label).filter(Label.id == label_id).first()
        """
    found = [f for f in check_code(source) if f.code == "FG101"]
    assert [f.start.row for f in found] == [4, 5, 6]
    assert "build a `delete()` statement" in found[0].message
    assert "build an `update()` statement" in found[1].message
    assert "build a `select()`" in found[2].message


def test_a_query_on_a_session_another_modules_factory_opened_is_fg102s_when_sync(
    tmp_path: Path,
) -> None:
    """ta-na-mao's ingestion jobs (reader 150): `db = SessionLocal()` in an `async def`,
    `SessionLocal = sessionmaker(bind=sync_engine)` in `app.database` beside its async
    factory: the query runs and blocks, FG102's finding (its fix comes first); FG101 had
    reported each of 20 such queries. A session of the async factory keeps FG101's
    finding (its `query()` raises), no FG102's (`async with` opens no sync session); a
    `Model.query` (a query property, always a sync
    session's: Madi-S's routes, reader 149) is FG102's too."""
    (tmp_path / ".git").mkdir()
    write(tmp_path, "app/__init__.py", "")
    write(
        tmp_path,
        "app/database.py",
        "from sqlalchemy import create_engine\n"
        "from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine\n"
        "from sqlalchemy.orm import scoped_session, sessionmaker\n\n"
        'engine = create_async_engine("postgresql+asyncpg://db/app")\n'
        "AsyncSessionLocal = async_sessionmaker(engine)\n"
        'sync_engine = create_engine("postgresql://db/app")\n'
        "SessionLocal = sessionmaker(bind=sync_engine)\n"
        "db_session = scoped_session(SessionLocal)\n",
    )
    write(
        tmp_path,
        "app/jobs.py",
        "from app.database import AsyncSessionLocal, SessionLocal, db_session\n"
        "from app.models import Program\n\n\n"
        "async def ingest() -> None:\n"
        "    db = SessionLocal()\n"
        "    db.query(Program).first()\n"
        "    db.query(Program).count()\n\n\n"
        "async def misused() -> None:\n"
        "    async with AsyncSessionLocal() as session:\n"
        "        session.query(Program).all()\n\n\n"
        "class Phone:\n"
        "    query = db_session.query_property()\n\n\n"
        "async def confirm(value: str) -> object:\n"
        "    return Phone.query.filter_by(value=value).first()\n",
    )
    out = run_cli(
        "check", "--no-cache", "--output-format", "json", "--select", "FG101,FG102", str(tmp_path)
    )
    found = sorted(
        (f["code"], f["location"]["row"])
        for f in json.loads(out.stdout)
        if f["filename"].endswith("jobs.py")
    )
    assert found == [("FG101", 13), ("FG102", 7), ("FG102", 21)], found


@pytest.mark.parametrize("held", ["Session", "AsyncSession"])
def test_a_query_on_a_session_an_annotated_objects_class_holds_is_diagnosed_once(
    tmp_path: Path, held: str
) -> None:
    """litigation-support's routes (reader 166): `service.db.query(...)` in an `async
    def` given `service: CasesService`, whose `__init__` keeps `db: Session`: the query
    runs and blocks, FG102's finding alone (FG101 had reported each of 10 such queries
    at the same place, its advice a `select()` that blocks as much). Where the class
    keeps an `AsyncSession`, the query raises: FG101's alone."""
    (tmp_path / ".git").mkdir()
    write(tmp_path, "app/__init__.py", "")
    write(
        tmp_path,
        "app/services.py",
        "from sqlalchemy.ext.asyncio import AsyncSession\n"
        "from sqlalchemy.orm import Session\n\n\n"
        "class CasesService:\n"
        f"    def __init__(self, db: {held}) -> None:\n"
        "        self.db = db\n",
    )
    write(
        tmp_path,
        "app/api.py",
        "from fastapi import APIRouter, Depends\n\n"
        "from app.deps import get_cases_service\n"
        "from app.models import Case\n"
        "from app.services import CasesService\n\n"
        "router = APIRouter()\n\n\n"
        '@router.get("/cases/{pk}")\n'
        "async def get_case(pk: int, service: CasesService = Depends(get_cases_service)):\n"
        "    return service.db.query(Case).filter(Case.id == pk).first()\n",
    )
    write(tmp_path, "app/main.py", "from app.api import router\n\napp.include_router(router)\n")
    out = run_cli(
        "check", "--no-cache", "--output-format", "json", "--select", "FG101,FG102", str(tmp_path)
    )
    found = sorted((f["code"], f["location"]["row"]) for f in json.loads(out.stdout))
    assert found == [("FG102" if held == "Session" else "FG101", 12)], found


def test_a_query_on_what_an_annotated_coroutine_gives_is_fg102s() -> None:
    """litigation-support's `EmailMonitor` (reader 166): `db = await
    self._get_db_session()` of a method annotated `-> Session`, then `db.query(...)` in
    the coroutine: a sync session blocking (FG102's finding alone; FG101 had reported
    it at the same place). The same for a function of the module; a `@staticmethod`'s
    first argument is no `self`, and its query stays FG101's too."""
    source = """
        from sqlalchemy.orm import Session
        from sqlalchemy.ext.asyncio import AsyncSession


        async def open_session() -> Session:
            return SessionLocal()


        class EmailMonitor:
            async def _get_db_session(self) -> Session:
                return SessionLocal()

            async def check(self) -> None:
                db = await self._get_db_session()
                db.query(EmailConnection).filter(EmailConnection.active).all()

            @staticmethod
            async def unknown(monitor) -> None:
                db = await monitor._get_db_session()
                db.query(EmailConnection).first()


        async def sweep() -> None:
            db = await open_session()
            db.query(EmailConnection).count()
        """
    found = sorted(
        (f.code, f.start.row) for f in check_code(source) if f.code in {"FG101", "FG102"}
    )
    assert found == [("FG101", 20), ("FG102", 15), ("FG102", 20), ("FG102", 25)], found

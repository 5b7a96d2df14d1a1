"""What the SQLAlchemy rules know a receiver is: `checks.session_receivers`, asked at
each `probe(expr)` call of a snippet during the engine's one traversal."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import ClassVar

import libcst as cst

from checks.context import FileContext
from checks.engine import Engine
from checks.project import Condition, ProjectIndex
from checks.rule import Example, Rule
from checks.session_receivers import (
    ASYNC_SESSION,
    ASYNC_SESSION_FACTORY,
    SCOPED_SESSION,
    SYNC_CONNECTION,
    SYNC_ENGINE,
    SYNC_SESSION,
    SYNC_SESSION_FACTORY,
    imported_origin,
    instance_attributes,
    receiver_class,
    self_attributes_used,
)
from checks.summary import summarize


class _Probe(Rule):
    code = "FG999"
    name = "probe"
    family = "test"
    message = "probe"
    summary = why = ""
    bad: ClassVar[tuple[Example, ...]] = ()
    good: ClassVar[tuple[Example, ...]] = ()
    found: ClassVar[list[str | None]] = []

    def visit_Call(self, node: cst.Call, ctx: FileContext) -> None:
        if isinstance(node.func, cst.Name) and node.func.value == "probe":
            self.found.append(receiver_class(node.args[0].value, ctx))


def probes(source: str) -> list[str | None]:
    """The class of each `probe(expr)` argument, in order."""
    _Probe.found = []
    code = textwrap.dedent(source).lstrip("\n")
    Engine([_Probe()], prefilter=False).check(Path("app/example.py"), code.encode())
    return list(_Probe.found)


def test_session_assigned_in_init_from_an_annotated_parameter() -> None:
    assert probes(
        """
        from sqlalchemy.ext.asyncio import AsyncSession

        class UserRepository:
            def __init__(self, session: AsyncSession) -> None:
                self.session = session

            async def count(self):
                probe(self.session)
        """
    ) == [ASYNC_SESSION]


def test_annotated_attribute_assignment_and_class_annotation() -> None:
    assert probes(
        """
        from sqlalchemy.ext.asyncio import AsyncSession

        class Repo:
            cache: AsyncSession

            def __init__(self, db) -> None:
                self.db: AsyncSession = db

            async def run(self):
                probe(self.db)
                probe(self.cache)
        """
    ) == [ASYNC_SESSION, ASYNC_SESSION]


def test_attribute_set_in_a_base_class_of_the_file() -> None:
    assert probes(
        """
        from sqlmodel.ext.asyncio.session import AsyncSession

        class BaseRepository:
            def __init__(self, session: AsyncSession | None = None) -> None:
                self.session = session

        class UserRepository(BaseRepository):
            async def count(self):
                probe(self.session)
        """
    ) == [ASYNC_SESSION]


def test_unannotated_init_parameter_is_unknown() -> None:
    assert probes(
        """
        class Repo:
            def __init__(self, session) -> None:
                self.session = session

            def run(self):
                probe(self.session)
        """
    ) == [None]


def test_async_with_a_module_level_async_sessionmaker() -> None:
    assert probes(
        """
        from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

        SessionLocal = async_sessionmaker(create_async_engine("sqlite+aiosqlite://"))

        async def job():
            probe(SessionLocal)
            async with SessionLocal() as session:
                probe(session)
            async with SessionLocal.begin() as tx:
                probe(tx)
        """
    ) == [ASYNC_SESSION_FACTORY, ASYNC_SESSION, ASYNC_SESSION]


def test_sessionmaker_with_async_class_is_an_async_factory() -> None:
    assert probes(
        """
        from sqlalchemy.ext.asyncio import AsyncSession
        from sqlalchemy.orm import sessionmaker

        make = sessionmaker(class_=AsyncSession)

        async def job():
            session = make()
            probe(session)
        """
    ) == [ASYNC_SESSION]


def test_sync_engine_session_and_connection() -> None:
    assert probes(
        """
        from sqlalchemy import create_engine
        from sqlalchemy.orm import Session, sessionmaker

        engine = create_engine("postgresql+psycopg://app@db/app")
        SessionLocal = sessionmaker(bind=engine)

        def job():
            probe(engine)
            with engine.connect() as conn:
                probe(conn)
            with SessionLocal() as session:
                probe(session)
            with Session(engine) as other:
                probe(other)
        """
    ) == [SYNC_ENGINE, SYNC_CONNECTION, SYNC_SESSION, SYNC_SESSION]


def test_the_db_session_of_fastapi_sqlalchemy_and_flask_sqlalchemy_is_a_scoped_session() -> None:
    assert probes(
        """
        import fastapi_sqlalchemy
        from fastapi_sqlalchemy import db
        from fastapi_sqlalchemy.middleware import db as middleware_db
        from flask_sqlalchemy import SQLAlchemy

        flask_db = SQLAlchemy()

        async def job(other):
            probe(db.session)
            probe(fastapi_sqlalchemy.db.session)
            probe(middleware_db.session)
            probe(flask_db.session)
            probe(flask_db.engine)
            probe(other.session)
        """
    ) == [SCOPED_SESSION, SCOPED_SESSION, SCOPED_SESSION, SCOPED_SESSION, None, None]


def test_the_index_knows_the_session_of_another_module_flask_sqlalchemy_object() -> None:
    extensions = summarize(
        b"from flask_sqlalchemy import SQLAlchemy\n\ndb = SQLAlchemy()\n",
        "app.extensions",
        is_package=False,
    )
    reexport = summarize(b"from fastapi_sqlalchemy import db\n", "app.db", is_package=False)
    assert extensions is not None
    assert reexport is not None
    index = ProjectIndex([extensions, reexport])
    sync = frozenset({SCOPED_SESSION})
    assert index.holds(Condition(("app.extensions.db.session",), sync))
    assert index.holds(Condition(("app.db.db.session",), sync))
    assert not index.holds(Condition(("app.extensions.db.engine",), sync))
    assert not index.holds(Condition(("app.db.other.session",), sync))


def test_name_bound_twice_in_its_function_is_not_followed() -> None:
    assert probes(
        """
        from sqlalchemy.ext.asyncio import async_sessionmaker

        SessionLocal = async_sessionmaker()

        async def job(other):
            async with SessionLocal() as session:
                pass
            session = other
            probe(session)
        """
    ) == [None]


def test_annotated_parameter_of_a_nested_function() -> None:
    assert probes(
        """
        from sqlalchemy.ext.asyncio import AsyncSession

        def outer():
            async def inner(session: AsyncSession):
                probe(session)
            return inner
        """
    ) == [ASYNC_SESSION]


def test_instance_attributes_lists_only_known_classes() -> None:
    source = textwrap.dedent(
        """
        from sqlalchemy.ext.asyncio import AsyncSession

        class Repo:
            def __init__(self, session: AsyncSession, name: str, other) -> None:
                self.session = session
                self.name = name
                self.other = other
        """
    ).lstrip("\n")
    module = cst.parse_module(source)
    ctx = FileContext(Path("app/repo.py"), module, None)
    assert instance_attributes("Repo", ctx) == {"session": ASYNC_SESSION}


class _OriginProbe(Rule):
    code = "FG998"
    name = "origin-probe"
    family = "test"
    message = "probe"
    summary = why = ""
    bad: ClassVar[tuple[Example, ...]] = ()
    good: ClassVar[tuple[Example, ...]] = ()
    found: ClassVar[list[str | None]] = []

    def visit_Call(self, node: cst.Call, ctx: FileContext) -> None:
        if isinstance(node.func, cst.Name) and node.func.value == "probe":
            self.found.append(imported_origin(node.args[0].value, ctx))


def test_imported_origin_names_the_other_module_s_object_a_session_comes_from() -> None:
    _OriginProbe.found = []
    source = textwrap.dedent(
        """
        from app import db
        from app.db import SessionLocal, engine
        from sqlalchemy.orm import sessionmaker

        Local = sessionmaker()

        async def handler(maker):
            with SessionLocal() as session:
                probe(session)
            conn = engine.connect()
            probe(conn)
            probe(db.session_maker())
            alias = SessionLocal
            probe(alias())
            probe(maker())
            probe(Local())
        """
    ).lstrip("\n")
    Engine([_OriginProbe()], prefilter=False).check(Path("app/example.py"), source.encode())
    assert _OriginProbe.found == [
        "app.db.SessionLocal",
        "app.db.engine",
        "app.db.session_maker",
        None,
        None,
        None,
    ]


def test_module_summaries_record_the_sqlalchemy_objects_a_module_makes() -> None:
    source = textwrap.dedent(
        """
        from sqlalchemy import create_engine
        from sqlalchemy.ext.asyncio import AsyncSession
        from sqlalchemy.orm import sessionmaker

        engine = create_engine("sqlite://")
        SessionLocal = sessionmaker(bind=engine)
        AsyncLocal = sessionmaker(bind=engine, class_=AsyncSession)
        twice = sessionmaker()
        twice = None
        """
    ).encode()
    summary = summarize(source, "app.db", is_package=False)
    assert summary is not None
    assert summary.instances == {
        "app.db.engine": SYNC_ENGINE,
        "app.db.SessionLocal": SYNC_SESSION_FACTORY,
        "app.db.AsyncLocal": ASYNC_SESSION_FACTORY,
    }
    index = ProjectIndex([summary])
    assert index.holds(Condition(("app.db.SessionLocal",), frozenset({SYNC_SESSION_FACTORY})))
    assert not index.holds(Condition(("app.db.AsyncLocal",), frozenset({SYNC_SESSION_FACTORY})))


def test_attributes_only_added_to_do_not_count_as_used() -> None:
    method = cst.parse_statement(
        "async def run(self, x):\n    self.session.add(x)\n    await self.cache.get(x)\n"
    )
    assert isinstance(method, cst.FunctionDef)
    assert self_attributes_used(method) == {"session", "cache"}
    assert self_attributes_used(method, frozenset({"add"})) == {"cache"}

"""What the SQLAlchemy rules know a receiver is: `checks.session_receivers`, asked at
each `probe(expr)` call of a snippet during the engine's one traversal."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import ClassVar

import libcst as cst

from checks.context import FileContext
from checks.engine import Engine
from checks.rule import Example, Rule
from checks.session_receivers import (
    ASYNC_SESSION,
    ASYNC_SESSION_FACTORY,
    SYNC_CONNECTION,
    SYNC_ENGINE,
    SYNC_SESSION,
    instance_attributes,
    receiver_class,
)


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

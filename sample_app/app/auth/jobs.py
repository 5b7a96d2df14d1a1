"""Scheduled work of the auth domain (run by the app's lifespan, see `app.core.jobs`)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.auth.repository import RefreshTokenRepository


async def purge_refresh_tokens(sessionmaker: async_sessionmaker[AsyncSession]) -> int:
    """Delete the refresh tokens nobody can use any more, in one transaction of its own;
    how many. Safe to run in every worker at once: a token is deleted once."""
    async with sessionmaker() as session, session.begin():
        return await RefreshTokenRepository(session).delete_unusable(datetime.now(UTC))

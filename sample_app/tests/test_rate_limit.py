"""The rate limit's store: counts in PostgreSQL, forgotten once no window covers them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.core.rate_limit import RateLimitCounter, RateLimiter, forget_old_rate_limit_counters


async def test_counts_no_window_covers_are_forgotten_and_others_kept(
    db: AsyncSession, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    db.add_all(
        [
            RateLimitCounter(
                key="auth:203.0.113.7", window_start=now - timedelta(minutes=5), hits=5
            ),
            RateLimitCounter(
                key="auth:203.0.113.7", window_start=now - timedelta(minutes=1), hits=3
            ),
            RateLimitCounter(key="auth:203.0.113.7", window_start=now, hits=1),
            RateLimitCounter(
                key="other:203.0.113.7", window_start=now - timedelta(hours=1), hits=1
            ),
        ]
    )
    await db.flush()
    limiter = RateLimiter("auth", limit=5, window_seconds=60)
    assert await forget_old_rate_limit_counters(sessionmaker, [limiter]) == 1
    rows = await db.execute(
        select(RateLimitCounter.key, RateLimitCounter.window_start)
        .where(RateLimitCounter.key.like("%:203.0.113.7"))
        .execution_options(populate_existing=True)
    )
    assert sorted(tuple(row) for row in rows) == [
        ("auth:203.0.113.7", now - timedelta(minutes=1)),
        ("auth:203.0.113.7", now),
        ("other:203.0.113.7", now - timedelta(hours=1)),
    ]

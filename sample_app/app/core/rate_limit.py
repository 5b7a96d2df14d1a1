"""The auth rate limit: a sliding window per client IP, counted in PostgreSQL.

The counts live in the database every worker and every instance already share, so N
workers keep one limit, not N. A hit is counted in a transaction of its own: a refused
login rolls its request back, and its hit must stay counted. The window slides as a
weighted pair of fixed windows (the previous window's count, weighted by how much of it
the sliding window still covers, plus the current one's): two rows per client, not a row
per hit. The scheduled job forgets counters that no window covers any more.
"""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any, cast

from fastapi import Request
from sqlalchemy import CursorResult, DateTime, String, delete, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Mapped, mapped_column

from app.core.database import database_state
from app.core.errors import RateLimitedError
from app.core.models import Base


class RateLimitCounter(Base):
    """The hits of one key (`auth:<client ip>`) in one fixed window."""

    __tablename__ = "rate_limit_counters"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    window_start: Mapped[datetime] = mapped_column(DateTime(timezone=True), primary_key=True)
    hits: Mapped[int]


class RateLimiter:
    """At most `limit` hits per `window_seconds` for each client of a route group."""

    def __init__(self, scope: str, limit: int, window_seconds: int) -> None:
        self.scope = scope
        self.limit = limit
        self.window_seconds = window_seconds

    async def hit(self, session: AsyncSession, client: str) -> float | None:
        """Count a hit of `client`; None if allowed, else the seconds to wait. Refused
        hits count too: a client that keeps hammering stays limited."""
        key = f"{self.scope}:{client}"
        window = self.window_seconds
        # the database's clock: the same for every worker and host
        now = func.clock_timestamp()
        epoch = func.extract("epoch", now)
        counted = await session.execute(
            insert(RateLimitCounter)
            .values(
                key=key, window_start=func.to_timestamp(func.floor(epoch / window) * window), hits=1
            )
            .on_conflict_do_update(
                index_elements=[RateLimitCounter.key, RateLimitCounter.window_start],
                set_={"hits": RateLimitCounter.hits + 1},
            )
            .returning(RateLimitCounter.hits, RateLimitCounter.window_start, now)
        )
        current: int
        window_start: datetime
        at: datetime
        current, window_start, at = counted.one()
        previous = await session.scalar(
            select(RateLimitCounter.hits).where(
                RateLimitCounter.key == key,
                RateLimitCounter.window_start == window_start - timedelta(seconds=window),
            )
        )
        elapsed: float = (at - window_start).total_seconds()
        previous = previous or 0
        if previous * (1 - elapsed / window) + current <= self.limit:
            return None
        if current > self.limit or previous == 0:
            return window - elapsed  # this window alone is over the limit
        # until the previous window's weight has shrunk enough
        return window * (1 - (self.limit - current) / previous) - elapsed

    async def forget_old(self, session: AsyncSession) -> int:
        """Delete the counters no window covers any more; how many."""
        cutoff = func.clock_timestamp() - timedelta(seconds=2 * self.window_seconds)
        result = await session.execute(
            delete(RateLimitCounter).where(
                RateLimitCounter.key.startswith(f"{self.scope}:", autoescape=True),
                RateLimitCounter.window_start < cutoff,
            )
        )
        return cast(CursorResult[Any], result).rowcount


async def forget_old_rate_limit_counters(
    sessionmaker: async_sessionmaker[AsyncSession], limiters: list[RateLimiter]
) -> int:
    """The scheduled job: every limiter's counters that no window covers any more."""
    async with sessionmaker() as session, session.begin():
        return sum([await limiter.forget_old(session) for limiter in limiters])


async def enforce_rate_limit(request: Request, scope: str) -> None:
    """Count a hit of the request's client IP in a route group (`"auth"`); 429 when the
    group's limit is reached. For a route that is limited only in some cases (a password
    change, not a name change); `rate_limited` limits a whole route.

    Call it from a route's `dependencies=`, which run before the route's own: the count
    takes a pooled connection of its own, and a request that already held one (its
    session's) while waiting for a second could exhaust the pool under load.
    """
    limiter: RateLimiter = request.app.state.rate_limiters[scope]
    client = request.client.host if request.client else "unknown"
    async with database_state(request)["sessionmaker"].begin() as session:
        wait = await limiter.hit(session, client)
    if wait is not None:
        raise RateLimitedError(
            "Too many requests, try again later", retry_after_seconds=math.ceil(max(wait, 1))
        )


def rate_limited(scope: str) -> Callable[[Request], Awaitable[None]]:
    """A dependency limiting a route group (`"auth"`) per client IP."""

    async def check(request: Request) -> None:
        await enforce_rate_limit(request, scope)

    return check

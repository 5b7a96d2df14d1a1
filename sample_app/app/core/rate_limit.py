"""A sliding-window rate limit per client IP, as a dependency.

In memory, per process: right for one worker. With several workers or hosts, keep the
same interface and store the windows in Redis.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable

from fastapi import Request

from app.core.errors import RateLimitedError


class SlidingWindowLimiter:
    """At most `limit` hits per `window_seconds` for each key."""

    def __init__(
        self, limit: int, window_seconds: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limit = limit
        self.window_seconds = window_seconds
        self._clock = clock
        self._hits: dict[str, deque[float]] = {}

    def hit(self, key: str) -> float | None:
        """Record a hit; None if allowed, else the seconds until the next one is."""
        now = self._clock()
        hits = self._hits.setdefault(key, deque())
        while hits and hits[0] <= now - self.window_seconds:
            hits.popleft()
        if len(hits) >= self.limit:
            return hits[0] + self.window_seconds - now
        hits.append(now)
        return None


def rate_limited(scope: str) -> Callable[[Request], None]:
    """A dependency limiting a route group (`"auth"`) per client IP."""

    def check(request: Request) -> None:
        limiter: SlidingWindowLimiter = request.app.state.rate_limiters[scope]
        client = request.client.host if request.client else "unknown"
        wait = limiter.hit(f"{scope}:{client}")
        if wait is not None:
            raise RateLimitedError(
                "Too many requests, try again later", retry_after_seconds=math.ceil(wait)
            )

    return check

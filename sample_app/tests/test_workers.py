"""The app behind several uvicorn workers keeps its promises: the auth rate limit is one
limit for the service, counted in PostgreSQL, not one per process."""

from __future__ import annotations

import json
import signal
import time
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine
from support import forget_rate_limit_counts, start_uvicorn

LIMIT = 5


@pytest.fixture
async def forget_counters(engine: AsyncEngine) -> AsyncIterator[None]:
    """The workers commit their counts: gone afterwards, so no later test is limited."""
    yield
    await forget_rate_limit_counts(engine)


@pytest.mark.usefixtures("forget_counters")
def test_the_auth_rate_limit_holds_across_two_worker_processes(database_url: str) -> None:
    served = start_uvicorn(
        "app.main:create_app",
        database_url,
        "--workers",
        "2",
        auth_rate_limit_per_minute=str(LIMIT),
    )
    process, base_url = served.process, served.base_url
    try:
        time.sleep(1)  # both workers up, not only the first

        def login(attempt: int) -> int:
            # a connection of its own each time, so both workers take some
            response = httpx.post(
                f"{base_url}/api/v1/auth/login",
                data={"username": "nobody@example.com", "password": f"guess {attempt}"},
                timeout=30,
            )
            return response.status_code

        with ThreadPoolExecutor(max_workers=8) as pool:
            statuses = list(pool.map(login, range(4 * LIMIT)))
    finally:
        process.send_signal(signal.SIGINT)
        stdout = process.communicate(timeout=60)[0].decode()
    served_by = {
        line["process"]
        for line in map(json.loads, filter(str.strip, stdout.splitlines()))
        if line.get("event") == "request" and line.get("path") == "/api/v1/auth/login"
    }
    assert len(served_by) == 2, "both workers served logins"
    assert sorted(statuses) == [401] * LIMIT + [429] * (3 * LIMIT)

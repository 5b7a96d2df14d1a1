"""The app behind several uvicorn workers keeps its promises: the auth rate limit is one
limit for the service, counted in PostgreSQL, not one per process."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine
from support import SAMPLE_APP_DIR, forget_rate_limit_counts, free_port

LIMIT = 5


@pytest.fixture
async def forget_counters(engine: AsyncEngine) -> AsyncIterator[None]:
    """The workers commit their counts: gone afterwards, so no later test is limited."""
    yield
    await forget_rate_limit_counts(engine)


@pytest.mark.usefixtures("forget_counters")
def test_the_auth_rate_limit_holds_across_two_worker_processes(database_url: str) -> None:
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("APP_")},
        "DATABASE_URL": database_url,
        "APP_ENVIRONMENT": "test",
        "APP_AUTH_RATE_LIMIT_PER_MINUTE": str(LIMIT),
    }
    command = ["uvicorn", "app.main:create_app", "--factory", "--workers", "2"]
    process = subprocess.Popen(
        [sys.executable, "-m", *command, "--host", "127.0.0.1", "--port", str(port)],
        cwd=SAMPLE_APP_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and process.poll() is None:
            try:
                httpx.get(f"{base_url}/health/live", timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.1)
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

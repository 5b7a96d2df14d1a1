"""The one-command local run: throwaway database, migrations, uvicorn, ready to serve."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import httpx
from support import SAMPLE_APP_DIR, free_port


def test_serve_starts_its_own_database_and_answers_ready() -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    process = subprocess.Popen(
        [sys.executable, "-m", "app.devtools.serve", "--port", str(port)],
        cwd=SAMPLE_APP_DIR,
        env={**env, "APP_LOG_JSON": "false"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        status = None
        while time.monotonic() < deadline and process.poll() is None:
            try:
                status = httpx.get(f"http://127.0.0.1:{port}/health/ready", timeout=2).status_code
                break
            except httpx.TransportError:
                time.sleep(0.2)
        assert status == 200, process.stdout.read().decode() if process.poll() is not None else ""
        register = httpx.post(
            f"http://127.0.0.1:{port}/api/v1/auth/register",
            json={"email": "local@example.com", "password": "a long password"},
        )
        assert register.status_code == 201
    finally:
        process.send_signal(signal.SIGINT)
        output = process.communicate(timeout=30)[0].decode()
    assert "throwaway PostgreSQL" in output
    assert process.returncode == 0, output

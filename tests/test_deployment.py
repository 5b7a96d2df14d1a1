"""The sample app's deployment files, tested where Docker is not available (CI has none):
the compose file parsed and its services' wiring checked, the image's dependencies equal
to the lock's resolution, and the image's own commands (migrations, then the server, then
the health check) run directly against a throwaway PostgreSQL."""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import yaml

from app.devtools import postgres

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_APP = ROOT / "sample_app"
EXPORT = ["export", "--package", "sample-app", "--no-dev", "--frozen", "--no-emit-workspace"]


def _compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((SAMPLE_APP / "compose.yaml").read_text())
    return loaded


def _dockerfile() -> list[str]:
    """The Dockerfile's instructions, continuation lines joined."""
    text = (SAMPLE_APP / "Dockerfile").read_text().replace("\\\n", " ")
    return [line.strip() for line in text.splitlines() if line.strip() and line[0] != "#"]


def _image_command() -> list[str]:
    (cmd,) = [line for line in _dockerfile() if line.startswith("CMD ")]
    command: list[str] = json.loads(cmd.removeprefix("CMD "))
    return command


def test_the_image_builds_in_two_stages_and_runs_as_a_user() -> None:
    instructions = _dockerfile()
    assert sum(line.startswith("FROM ") for line in instructions) == 2
    users = [line.split()[1] for line in instructions if line.startswith("USER ")]
    assert users
    assert users[-1] not in {"root", "0"}
    assert any("--require-hashes" in line and "requirements.lock" in line for line in instructions)


def test_the_requirements_lock_is_uv_locks_resolution() -> None:
    uv = shutil.which("uv")
    assert uv is not None, "uv runs the test suite (`uv run pytest`): it is on PATH"
    exported = subprocess.run(
        [uv, *EXPORT, "--no-header"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    lock = (SAMPLE_APP / "requirements.lock").read_text()

    def requirements(text: str) -> list[str]:
        return [line for line in text.splitlines() if not line.lstrip().startswith("#")]

    assert requirements(lock) == requirements(exported), (
        "sample_app/requirements.lock drifted from uv.lock: regenerate it with "
        f"`uv {' '.join(EXPORT)} --no-header -o sample_app/requirements.lock`"
    )


def test_compose_runs_migrations_before_the_app_on_the_tests_postgresql_major() -> None:
    services = _compose()["services"]
    bindir = postgres.find_bindir()
    version = subprocess.run(
        [bindir / "postgres", "--version"], capture_output=True, text=True, check=True
    ).stdout
    major = re.search(r"\(PostgreSQL\) (\d+)", version)
    assert major is not None
    assert services["db"]["image"] == f"postgres:{major[1]}"
    assert services["migrate"]["command"] == ["alembic", "upgrade", "head"]
    assert services["migrate"]["depends_on"] == {"db": {"condition": "service_healthy"}}
    app = services["app"]
    assert app["depends_on"] == {"migrate": {"condition": "service_completed_successfully"}}
    assert app["command"] == _image_command()
    assert "/health/ready" in " ".join(app["healthcheck"]["test"])
    assert app["environment"]["APP_ENVIRONMENT"] == "production"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def test_the_images_commands_migrate_serve_and_pass_the_health_check() -> None:
    """What compose runs, run here: `alembic upgrade head`, the image's CMD (on a free
    loopback port instead of 0.0.0.0:8000), and the app's health check command."""
    server = postgres.start()
    port = _free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("APP_")},
        "DATABASE_URL": server.url,
        "APP_ENVIRONMENT": "production",
        "APP_JWT_SECRET": secrets.token_urlsafe(48),
        "APP_LOG_JSON": "false",
    }
    bin_dir = Path(sys.executable).parent
    process: subprocess.Popen[bytes] | None = None
    try:
        migrate = _compose()["services"]["migrate"]["command"]
        subprocess.run(
            [str(bin_dir / migrate[0]), *migrate[1:]], cwd=SAMPLE_APP, env=env, check=True
        )
        command = _image_command()
        command[command.index("--host") + 1] = "127.0.0.1"
        command[command.index("--port") + 1] = str(port)
        process = subprocess.Popen(
            [str(bin_dir / command[0]), *command[1:]],
            cwd=SAMPLE_APP,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        status = None
        while time.monotonic() < deadline and process.poll() is None:
            try:
                status = httpx.get(f"http://127.0.0.1:{port}/health/ready", timeout=2).status_code
                break
            except httpx.TransportError:
                time.sleep(0.2)
        assert status == 200
        check = _compose()["services"]["app"]["healthcheck"]["test"][1:]
        check[-1] = check[-1].replace("127.0.0.1:8000", f"127.0.0.1:{port}")
        assert subprocess.run(check, env=env, timeout=30).returncode == 0
    finally:
        if process is not None:
            process.send_signal(signal.SIGINT)
            process.communicate(timeout=30)
        server.stop()

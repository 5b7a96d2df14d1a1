"""The app under a real uvicorn process, as the image runs it: every line it prints is a
structured log line on stdout, and an unexpected failure is one error line with the
request id, answered with the request id and CORS headers."""

from __future__ import annotations

import json
import re
import signal
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from support import ALLOWED_ORIGIN, assert_error, start_uvicorn


@dataclass
class ServedOnce:
    """What one uvicorn run answered and printed: a health probe, then a request to a
    route that raises, then a graceful stop (SIGINT)."""

    failed: httpx.Response
    stdout: list[str]
    stderr: str


@pytest.fixture(scope="module")
def served_once(database_url: str) -> Iterator[ServedOnce]:
    served = start_uvicorn(
        "support:create_app_with_a_failing_route",
        database_url,
        cors_origins=json.dumps([ALLOWED_ORIGIN]),
    )
    process, base_url = served.process, served.base_url
    try:
        failed = httpx.get(
            f"{base_url}/explode",
            headers={"X-Request-ID": "boom-under-uvicorn", "Origin": ALLOWED_ORIGIN},
        )
        process.send_signal(signal.SIGINT)
        stdout, stderr = (stream.decode() for stream in process.communicate(timeout=30))
        assert process.returncode == 0, stdout + stderr
        lines = [line for line in stdout.splitlines() if line.strip()]
        yield ServedOnce(failed, lines, stderr)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()


@pytest.fixture(scope="module")
def logged(served_once: ServedOnce) -> list[dict[str, Any]]:
    """Every line of stdout as JSON: a line that is not (a plain-text traceback) fails."""
    parsed = []
    for line in served_once.stdout:
        try:
            parsed.append(json.loads(line))
        except json.JSONDecodeError:
            pytest.fail(f"not a structured log line: {line!r}\n" + "\n".join(served_once.stdout))
    return parsed


def test_an_unexpected_500_under_uvicorn_keeps_the_request_id_and_cors_headers(
    served_once: ServedOnce,
) -> None:
    response = served_once.failed
    assert_error(response, 500, "internal_error")
    assert "secret internals" not in response.text
    assert response.headers["X-Request-ID"] == "boom-under-uvicorn"
    assert response.headers["Access-Control-Allow-Origin"] == ALLOWED_ORIGIN


def test_an_unexpected_500_under_uvicorn_is_one_traceback_with_the_request_id(
    served_once: ServedOnce, logged: list[dict[str, Any]]
) -> None:
    assert "Traceback" not in served_once.stderr, served_once.stderr
    tracebacks = [line for line in logged if "Traceback" in line.get("exception", "")]
    assert len(tracebacks) == 1
    assert tracebacks[0]["event"] == "unhandled_error"
    assert tracebacks[0]["request_id"] == "boom-under-uvicorn"
    assert tracebacks[0]["level"] == "error"
    assert "RuntimeError: secret internals" in tracebacks[0]["exception"]


def test_uvicorns_own_lines_are_structured_like_the_apps(
    served_once: ServedOnce, logged: list[dict[str, Any]]
) -> None:
    plain = re.findall(r"^(?:INFO|WARNING|ERROR|CRITICAL):.*$", served_once.stderr, re.MULTILINE)
    assert plain == []
    from_uvicorn = " ".join(line["event"] for line in logged if line["logger"] == "uvicorn.error")
    assert "Application startup complete" in from_uvicorn
    assert "Application shutdown complete" in from_uvicorn
    assert all({"timestamp", "level", "logger"} <= set(line) for line in logged)


def test_request_lines_of_5xx_are_errors_and_others_info(logged: list[dict[str, Any]]) -> None:
    requests = {line["path"]: line for line in logged if line["event"] == "request"}
    assert requests["/health/live"]["level"] == "info"
    assert (requests["/explode"]["status"], requests["/explode"]["level"]) == (500, "error")
    assert requests["/explode"]["request_id"] == "boom-under-uvicorn"

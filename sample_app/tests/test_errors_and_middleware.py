"""One error shape for everything; request ids, CORS, GZip; health probes."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI
from support import (
    ALLOWED_ORIGIN,
    FAST_HASHER,
    PASSWORD,
    Factory,
    assert_error,
    capture_logs,
    started,
)

from app.core.settings import Settings
from app.main import create_app


async def test_unknown_route_returns_404_in_error_shape(client: httpx.AsyncClient) -> None:
    assert_error(await client.get("/api/v1/nowhere"), 404, "not_found")


async def test_wrong_method_returns_405_in_error_shape(client: httpx.AsyncClient) -> None:
    assert_error(await client.put("/health/live"), 405, "method_not_allowed")


async def test_malformed_json_body_returns_422_in_error_shape(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post(
        "/api/v1/auth/register", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert_error(response, 422, "validation_error")


async def test_invalid_path_parameter_returns_422(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    user = await factory.user()
    response = await client.get("/api/v1/projects/not-a-uuid", headers=factory.headers(user))
    assert_error(response, 422, "validation_error")


async def test_unexpected_error_returns_500_without_a_stack_trace(app: FastAPI) -> None:
    async def explode() -> None:
        raise RuntimeError("secret internals")

    app.add_api_route("/explode", explode)
    async with started(app, raise_app_exceptions=False) as client:
        response = await client.get("/explode")
    assert_error(response, 500, "internal_error")
    assert "secret internals" not in response.text
    assert "Traceback" not in response.text


async def test_an_unexpected_500_keeps_the_request_id_and_cors_headers(
    settings: Settings,
) -> None:
    app = create_app(settings.model_copy(update={"log_json": True}), hasher=FAST_HASHER)

    async def explode() -> None:
        raise RuntimeError("secret internals")

    app.add_api_route("/explode", explode)
    stream = capture_logs()
    # raise_app_exceptions left on: an exception reaching the server is what makes uvicorn
    # print its own plain-text traceback, so the app must not let one out.
    async with started(app) as client:
        response = await client.get(
            "/explode", headers={"X-Request-ID": "boom-1", "Origin": ALLOWED_ORIGIN}
        )
    assert_error(response, 500, "internal_error")
    assert response.headers["X-Request-ID"] == "boom-1"
    assert response.headers["Access-Control-Allow-Origin"] == ALLOWED_ORIGIN
    lines = [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]
    [logged] = [line for line in lines if line.get("event") == "unhandled_error"]
    assert logged["request_id"] == "boom-1"
    assert "RuntimeError: secret internals" in logged["exception"]
    [request] = [line for line in lines if line.get("event") == "request"]
    assert (request["request_id"], request["status"], request["level"]) == ("boom-1", 500, "error")


async def test_an_os_error_of_the_app_is_a_500_logged_with_its_traceback(
    settings: Settings,
) -> None:
    app = create_app(settings.model_copy(update={"log_json": True}), hasher=FAST_HASHER)

    async def read_a_missing_file() -> None:
        raise FileNotFoundError(2, "No such file or directory", "/srv/missing.txt")

    app.add_api_route("/missing-file", read_a_missing_file)
    stream = capture_logs()
    async with started(app, raise_app_exceptions=False) as client:
        response = await client.get("/missing-file")
    assert_error(response, 500, "internal_error")
    assert "Retry-After" not in response.headers
    lines = [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]
    [logged] = [line for line in lines if line.get("event") == "unhandled_error"]
    assert logged["level"] == "error"
    assert "Traceback" in logged["exception"]
    assert "FileNotFoundError" in logged["exception"]


@pytest.fixture
async def small_body_client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """An app that accepts request bodies of 4 KiB at most."""
    app = create_app(
        settings.model_copy(update={"max_request_body_bytes": 4096}), hasher=FAST_HASHER
    )
    async with started(app) as client:
        yield client


async def test_a_body_declared_over_the_limit_is_refused_with_413_unread(
    small_body_client: httpx.AsyncClient,
) -> None:
    body = {"email": "big@example.com", "password": PASSWORD, "full_name": "x" * 5000}
    response = await small_body_client.post(
        "/api/v1/auth/register", json=body, headers={"X-Request-ID": "too-big"}
    )
    error = assert_error(response, 413, "request_too_large")
    assert error["details"] == {"max_body_bytes": 4096}
    assert response.headers["X-Request-ID"] == "too-big"


async def test_a_streamed_body_is_cut_off_with_413_as_soon_as_it_passes_the_limit(
    small_body_client: httpx.AsyncClient,
) -> None:
    sent = 0

    async def endless_json() -> AsyncIterator[bytes]:
        nonlocal sent
        yield b'{"email": "big@example.com", "password": "' + PASSWORD.encode() + b'", "x": "'
        while sent < 1000:  # 1 MB, if nobody stops reading
            sent += 1
            yield b"x" * 1024

    response = await small_body_client.post(
        "/api/v1/auth/register",
        content=endless_json(),
        headers={"Content-Type": "application/json"},
    )
    assert "Content-Length" not in response.request.headers
    assert_error(response, 413, "request_too_large")
    assert sent <= 5


async def test_a_2_mb_task_is_refused_with_413_by_the_default_limit(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    owner = await factory.user()
    project = await factory.project(owner)
    response = await client.post(
        f"/api/v1/projects/{project.id}/tasks",
        json={"title": "big", "attributes": {"blob": "x" * 2_000_000}},
        headers=factory.headers(owner),
    )
    assert_error(response, 413, "request_too_large")


async def test_request_id_is_echoed_or_generated(client: httpx.AsyncClient) -> None:
    echoed = await client.get("/health/live", headers={"X-Request-ID": "abc-123"})
    assert echoed.headers["X-Request-ID"] == "abc-123"
    generated = await client.get("/health/live")
    assert len(generated.headers["X-Request-ID"]) == 32
    forged = await client.get("/health/live", headers={"X-Request-ID": "bad id\twith spaces"})
    assert forged.headers["X-Request-ID"] != "bad id\twith spaces"
    error = await client.get("/nowhere", headers={"X-Request-ID": "on-errors-too"})
    assert error.headers["X-Request-ID"] == "on-errors-too"


async def test_cors_preflight_allows_only_configured_origins(client: httpx.AsyncClient) -> None:
    preflight = {"Access-Control-Request-Method": "POST"}
    allowed = await client.options(
        "/api/v1/projects", headers={**preflight, "Origin": ALLOWED_ORIGIN}
    )
    assert allowed.status_code == 200
    assert allowed.headers["Access-Control-Allow-Origin"] == ALLOWED_ORIGIN
    assert allowed.headers["Access-Control-Allow-Credentials"] == "true"
    denied = await client.options(
        "/api/v1/projects", headers={**preflight, "Origin": "https://evil.example.com"}
    )
    assert denied.status_code == 400
    assert "Access-Control-Allow-Origin" not in denied.headers


async def test_large_responses_are_gzipped(client: httpx.AsyncClient) -> None:
    response = await client.get("/openapi.json", headers={"Accept-Encoding": "gzip"})
    assert response.headers["Content-Encoding"] == "gzip"
    assert response.json()["info"]["title"] == "Sample app"


async def test_health_live_and_ready_return_200(client: httpx.AsyncClient) -> None:
    assert (await client.get("/health/live")).json() == {"status": "ok"}
    assert (await client.get("/health/ready")).json() == {"status": "ok"}


@pytest.fixture
def unreachable_settings(settings: Settings) -> Settings:
    # port 9 (discard) on loopback: nothing listens there
    url = "postgresql+asyncpg://postgres@127.0.0.1:9/app"
    return settings.model_copy(update={"database_url": url, "database_connect_timeout_seconds": 1})


async def test_health_ready_and_api_return_503_when_the_database_is_unreachable(
    unreachable_settings: Settings, factory: Factory
) -> None:
    app = create_app(unreachable_settings)
    user = await factory.user()
    token, _ = app.state.token_issuer.issue(user.id)
    async with started(app, raise_app_exceptions=False) as client:
        ready = await client.get("/health/ready")
        api = await client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert_error(ready, 503, "service_unavailable")
    assert_error(api, 503, "service_unavailable")

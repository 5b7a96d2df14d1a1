"""Races and outages, as production has them: requests that commit, on their own pooled
connections, at the same time; the database going away under a warm pool and coming
back. Nothing here joins the test's rolled-back transaction, so each test cleans up the
rows it created."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import make_url, text
from sqlalchemy.ext.asyncio import AsyncEngine
from support import FAST_HASHER, PASSWORD, assert_error

from app.core.settings import Settings
from app.main import create_app

API = "/api/v1"


@pytest.fixture
async def committing_app(settings: Settings) -> AsyncIterator[FastAPI]:
    """The app with its own engine and pool: every request commits for real."""
    app = create_app(settings, hasher=FAST_HASHER)
    try:
        yield app
    finally:
        await app.state.engine.dispose()


@pytest.fixture
async def live(committing_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=committing_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


async def forget_users(engine: AsyncEngine, emails: list[str]) -> None:
    """Remove the users these tests created; their projects, tasks, tags, memberships and
    tokens go with them (every foreign key to a user cascades)."""
    async with engine.begin() as connection:
        await connection.execute(
            text("delete from users where email = any(:emails)"), {"emails": emails}
        )


async def test_two_registrations_with_one_email_give_201_and_409_never_500(
    live: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    email = f"race-{uuid.uuid4().hex[:12]}@example.com"
    payload = {"email": email, "password": PASSWORD}
    try:
        responses = await asyncio.gather(
            *(live.post(f"{API}/auth/register", json=payload) for _ in range(2))
        )
        assert sorted(r.status_code for r in responses) == [201, 409]
        conflict = next(r for r in responses if r.status_code == 409)
        assert_error(conflict, 409, "email_taken")
    finally:
        await forget_users(engine, [email])


async def test_two_updates_of_one_task_version_give_200_and_409(
    live: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    email = f"editor-{uuid.uuid4().hex[:12]}@example.com"
    try:
        registered = await live.post(
            f"{API}/auth/register", json={"email": email, "password": PASSWORD}
        )
        assert registered.status_code == 201
        login = await live.post(f"{API}/auth/login", data={"username": email, "password": PASSWORD})
        headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
        project = await live.post(f"{API}/projects", json={"name": "race"}, headers=headers)
        tasks_url = f"{API}/projects/{project.json()['id']}/tasks"
        task = (await live.post(tasks_url, json={"title": "one"}, headers=headers)).json()
        responses = await asyncio.gather(
            *(
                live.patch(
                    f"{tasks_url}/{task['id']}",
                    json={"version": task["version"], "title": title},
                    headers=headers,
                )
                for title in ("left", "right")
            )
        )
        assert sorted(r.status_code for r in responses) == [200, 409]
        assert_error(next(r for r in responses if r.status_code == 409), 409, "stale_version")
        winner = next(r for r in responses if r.status_code == 200).json()
        stored = (await live.get(f"{tasks_url}/{task['id']}", headers=headers)).json()
        assert (stored["title"], stored["version"]) == (winner["title"], task["version"] + 1)
    finally:
        await forget_users(engine, [email])


class _Proxy:
    """A TCP proxy in front of the test database: closing it is the database going away
    (listener closed, every open connection cut); opening it again is the database back."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = 0
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    async def open(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def close(self) -> None:
        assert self._server is not None
        self._server.close()
        for writer in list(self._writers):
            writer.transport.abort()
        await self._server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        upstream_reader, upstream_writer = await asyncio.open_connection(*self.target)
        self._writers |= {writer, upstream_writer}

        async def pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
            try:
                while data := await source.read(65536):
                    sink.write(data)
                    await sink.drain()
            except (ConnectionError, OSError):
                pass
            finally:
                sink.transport.abort()

        await asyncio.gather(pipe(reader, upstream_writer), pipe(upstream_reader, writer))
        self._writers -= {writer, upstream_writer}


async def test_database_down_gives_503_and_the_app_recovers_when_it_returns(
    settings: Settings,
) -> None:
    url = make_url(settings.database_url)
    proxy = _Proxy(url.host or "127.0.0.1", url.port or 5432)
    await proxy.open()
    proxied = url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    app = create_app(
        settings.model_copy(
            update={"database_url": proxied, "database_connect_timeout_seconds": 1}
        ),
        hasher=FAST_HASHER,
    )
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    credentials = {"username": "nobody@example.com", "password": PASSWORD}
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:

            async def probe() -> tuple[httpx.Response, httpx.Response]:
                ready = await client.get("/health/ready")
                login = await client.post(f"{API}/auth/login", data=credentials)
                return ready, login

            ready, login = await probe()  # pooled connections now exist
            assert ready.status_code == 200
            assert_error(login, 401, "unauthorized")

            await proxy.close()
            ready, login = await probe()
            assert_error(ready, 503, "service_unavailable")
            assert_error(login, 503, "service_unavailable")
            assert login.headers["Retry-After"] == "5"

            await proxy.open()  # same port: the database is back
            ready, login = await probe()
            assert ready.status_code == 200
            assert_error(login, 401, "unauthorized")
    finally:
        await app.state.engine.dispose()
        await proxy.close()

"""Races and outages, as production has them: requests that commit, on their own pooled
connections, at the same time; the database going away under a warm pool and coming
back. Nothing here joins the test's rolled-back transaction, so each test cleans up the
rows it created."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Awaitable
from datetime import datetime
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from pwdlib.hashers.argon2 import Argon2Hasher
from sqlalchemy import make_url, text
from sqlalchemy.ext.asyncio import AsyncEngine
from support import FAST_HASHER, PASSWORD, assert_error, forget_rate_limit_counts, started

from app.core.security import PasswordHasher
from app.core.settings import Settings
from app.main import create_app

API = "/api/v1"


@pytest.fixture
async def committing_app(settings: Settings, engine: AsyncEngine) -> AsyncIterator[FastAPI]:
    """The app with its own engine and pool: every request commits for real (the rate
    limit's counts too, forgotten afterwards so that no later test is limited)."""
    app = create_app(settings, hasher=FAST_HASHER)
    try:
        yield app
    finally:
        await forget_rate_limit_counts(engine)


@pytest.fixture
async def live(committing_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with started(committing_app) as client:
        yield client


async def forget_users(engine: AsyncEngine, emails: list[str]) -> None:
    """Remove the users these tests created; their projects, tasks, tags, memberships and
    tokens go with them (every foreign key to a user cascades)."""
    async with engine.begin() as connection:
        await connection.execute(
            text("delete from users where email = any(:emails)"), {"emails": emails}
        )


async def sign_up(live: httpx.AsyncClient, email: str) -> dict[str, str]:
    """Register `email` and sign in: its bearer headers."""
    registered = await live.post(
        f"{API}/auth/register", json={"email": email, "password": PASSWORD}
    )
    assert registered.status_code == 201, registered.text
    login = await live.post(f"{API}/auth/login", data={"username": email, "password": PASSWORD})
    return {"Authorization": f"Bearer {login.json()['access_token']}"}


def new_email(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}@example.com"


async def race(
    engine: AsyncEngine, lock: str, params: dict[str, Any], *requests: Awaitable[httpx.Response]
) -> list[httpx.Response]:
    """Run `requests` at once, all let go from the same point: the test holds the row locks
    `lock` takes until every request is queued behind them (or behind each other), then
    releases them. Without it, the later request often arrives after the first committed
    (a fresh pooled connection spends its first queries looking up types) and the race
    is lost before it begins."""
    async with engine.connect() as holder, holder.begin():
        await holder.execute(text(lock), params)
        running = [asyncio.ensure_future(request) for request in requests]
        # autocommit: pg_stat_activity is read once per transaction, then cached
        async with engine.connect() as connection:
            observer = await connection.execution_options(isolation_level="AUTOCOMMIT")
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                queued = await observer.scalar(
                    text(
                        "select count(*) from pg_stat_activity"
                        " where wait_event_type = 'Lock' and datname = current_database()"
                    )
                )
                if queued + sum(task.done() for task in running) >= len(running):
                    break
                await asyncio.sleep(0.01)
            else:
                activity = await observer.execute(
                    text(
                        "select state, wait_event_type, wait_event, left(query, 60)"
                        " from pg_stat_activity where datname = current_database()"
                    )
                )
                raise AssertionError(
                    f"the requests never queued behind the held rows: {activity.all()}"
                )
    return list(await asyncio.gather(*running))


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


async def test_two_tag_only_updates_of_one_task_version_give_200_and_409(
    live: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    email = new_email("tagger")
    try:
        headers = await sign_up(live, email)
        project = await live.post(f"{API}/projects", json={"name": "tags"}, headers=headers)
        tasks_url = f"{API}/projects/{project.json()['id']}/tasks"
        task = (await live.post(tasks_url, json={"title": "one"}, headers=headers)).json()
        # both read the task, then queue to write it: the second write must find the
        # version moved on, although neither changes a column of the task's own row
        responses = await race(
            engine,
            "select 1 from tasks where id = :id for update",
            {"id": uuid.UUID(task["id"])},
            *(
                live.patch(
                    f"{tasks_url}/{task['id']}",
                    json={"version": task["version"], "tags": [tag]},
                    headers=headers,
                )
                for tag in ("left", "right")
            ),
        )
        assert sorted(r.status_code for r in responses) == [200, 409]
        assert_error(next(r for r in responses if r.status_code == 409), 409, "stale_version")
        winner = next(r for r in responses if r.status_code == 200).json()
        stored = (await live.get(f"{tasks_url}/{task['id']}", headers=headers)).json()
        assert (stored["tags"], stored["version"]) == (winner["tags"], task["version"] + 1)
        assert datetime.fromisoformat(stored["updated_at"]) > datetime.fromisoformat(
            task["updated_at"]
        )
    finally:
        await forget_users(engine, [email])


async def test_two_puts_of_one_new_member_both_succeed_with_one_membership(
    live: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    owner_email = new_email("owner")
    member_emails = [new_email("member") for _ in range(3)]
    try:
        headers = await sign_up(live, owner_email)
        members = [
            (
                await live.post(f"{API}/auth/register", json={"email": email, "password": PASSWORD})
            ).json()["id"]
            for email in member_emails
        ]
        project = await live.post(f"{API}/projects", json={"name": "team"}, headers=headers)
        members_url = f"{API}/projects/{project.json()['id']}/members"
        # each new member twice at once, the inserts held at the project's row
        responses = await race(
            engine,
            "select 1 from projects where id = :id for update",
            {"id": uuid.UUID(project.json()["id"])},
            *(
                live.put(f"{members_url}/{member}", json={"role": role}, headers=headers)
                for member in members
                for role in ("editor", "viewer")
            ),
        )
        assert [r.status_code for r in responses] == [200] * 6, [r.text for r in responses]
        listed = (await live.get(members_url, headers=headers)).json()
        assert sorted(m["user_id"] for m in listed) == sorted(members)
        assert {m["role"] for m in listed} <= {"editor", "viewer"}
    finally:
        await forget_users(engine, [owner_email, *member_emails])


async def test_two_admins_demoting_each_other_at_once_leave_one_admin(
    live: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    emails = [new_email("admin"), new_email("admin")]
    try:
        headers = [await sign_up(live, email) for email in emails]
        async with engine.begin() as connection:
            await connection.execute(
                text("update users set role = 'admin' where email = any(:emails)"),
                {"emails": emails},
            )
        ids = [(await live.get(f"{API}/auth/me", headers=h)).json()["id"] for h in headers]
        responses = await race(
            engine,
            "select 1 from users where email = any(:emails) for update",
            {"emails": emails},
            live.patch(f"{API}/users/{ids[1]}", json={"role": "user"}, headers=headers[0]),
            live.patch(f"{API}/users/{ids[0]}", json={"role": "user"}, headers=headers[1]),
        )
        assert sorted(r.status_code for r in responses) == [200, 409]
        assert_error(next(r for r in responses if r.status_code == 409), 409, "last_admin")
        async with engine.connect() as connection:
            admins = await connection.scalar(
                text("select count(*) from users where role = 'admin' and email = any(:emails)"),
                {"emails": emails},
            )
        assert admins == 1
    finally:
        await forget_users(engine, emails)


class TimedArgon2(Argon2Hasher):
    """Argon2 at its production cost, recording when each verification ran."""

    def __init__(self) -> None:
        super().__init__()
        self.verifications: list[tuple[float, float]] = []

    def verify(self, password: str | bytes, hash: str | bytes) -> bool:
        started = time.perf_counter()
        try:
            return super().verify(password, hash)
        finally:
            self.verifications.append((started, time.perf_counter()))


async def test_logins_hash_off_the_event_loop_so_other_requests_are_not_stalled(
    settings: Settings, engine: AsyncEngine
) -> None:
    argon2 = TimedArgon2()
    app = create_app(
        settings.model_copy(update={"auth_rate_limit_per_minute": 100}),
        hasher=PasswordHasher(argon2, threads=2),
    )
    email = new_email("busy")
    credentials = {"username": email, "password": PASSWORD}
    try:
        async with started(app) as live:
            await sign_up(live, email)
            began = time.perf_counter()
            logins = [
                asyncio.create_task(live.post(f"{API}/auth/login", data=credentials))
                for _ in range(6)
            ]
            finished: list[float] = []
            for login in logins:
                login.add_done_callback(lambda _: finished.append(time.perf_counter()))
            answered: list[float] = []  # probes, one after another, until the logins end
            while not all(login.done() for login in logins):
                await asyncio.sleep(0.005)
                assert (await live.get("/health/live")).status_code == 200
                answered.append(time.perf_counter())
            assert [login.result().status_code for login in logins] == [200] * 6
        hashing = [(a, b) for a, b in argon2.verifications if a >= began]
        assert len(hashing) == 6
        # A hash computed on the event loop stops everything: no probe could answer while
        # one runs. Off the loop, probes keep answering all along.
        during = [t for t in answered if any(a < t < b for a, b in hashing)]
        assert len(during) >= len(hashing), (hashing, answered)
        assert sum(t < min(finished) for t in answered) >= 3
    finally:
        await forget_users(engine, [email])
        await forget_rate_limit_counts(engine)


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
    settings: Settings, engine: AsyncEngine
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
    credentials = {"username": "nobody@example.com", "password": PASSWORD}
    try:
        async with started(app, raise_app_exceptions=False) as client:

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
        await proxy.close()
        await forget_rate_limit_counts(engine)

"""What the sample app's tests share: a data factory, bearer headers, error assertions."""

from __future__ import annotations

import asyncio
import io
import logging
import os
import queue
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import AsyncIterator, Callable
from concurrent.futures import Future
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import httpx
from alembic.config import Config
from fastapi import FastAPI
from pwdlib.hashers.argon2 import Argon2Hasher
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from starlette.types import Receive, Scope, Send

from app.core.security import PasswordHasher
from app.main import create_app
from app.projects.models import MemberRole, Project, ProjectMember
from app.tasks.models import Task, TaskStatus
from app.users.models import User, UserRole

SAMPLE_APP_DIR = Path(__file__).resolve().parents[1]
PASSWORD = "correct horse battery staple"
ALLOWED_ORIGIN = "https://app.example.com"
#: Argon2 at its cheapest: the tests check behaviour, not hashing cost.
FAST_ARGON2 = Argon2Hasher(time_cost=1, memory_cost=1024, parallelism=1)
FAST_HASHER = PasswordHasher(FAST_ARGON2)
PASSWORD_HASH = FAST_ARGON2.hash(PASSWORD)


def alembic_config(url: str) -> Config:
    """Alembic's config for the sample app, pointed at `url`."""
    config = Config(str(SAMPLE_APP_DIR / "alembic.ini"))
    config.set_main_option("script_location", str(SAMPLE_APP_DIR / "migrations"))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    config.attributes["configure_logger"] = False
    return config


@asynccontextmanager
async def started(
    app: FastAPI, *, raise_app_exceptions: bool = True, **state: Any
) -> AsyncIterator[httpx.AsyncClient]:
    """A client of `app`, with the app's lifespan run around it as a server runs it:
    startup before the first request, the lifespan's state in every request's scope (a
    shallow copy, as uvicorn gives it), shutdown after the last one.

    `state` replaces entries of the lifespan's state, as `dependency_overrides` replaces
    dependencies: the tests' sessionmaker, whose sessions join the test's transaction.
    """
    async with app.router.lifespan_context(app) as lifespan_state:
        served = {**(lifespan_state or {}), **state}

        async def with_state(scope: Scope, receive: Receive, send: Send) -> None:
            await app({**scope, "state": dict(served)}, receive, send)

        transport = httpx.ASGITransport(app=with_state, raise_app_exceptions=raise_app_exceptions)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client


@dataclass
class Factory:
    """Builds rows directly in the database, and bearer headers for users."""

    db: AsyncSession
    app: FastAPI

    async def user(
        self,
        email: str | None = None,
        role: UserRole = UserRole.USER,
        is_active: bool = True,
        full_name: str | None = "Test User",
    ) -> User:
        user = User(
            email=email or f"user-{uuid.uuid4().hex[:10]}@example.com",
            password_hash=PASSWORD_HASH,
            role=role,
            is_active=is_active,
            full_name=full_name,
        )
        self.db.add(user)
        await self.db.flush()
        return user

    def headers(self, user: User) -> dict[str, str]:
        token, _ = self.app.state.token_issuer.issue(user.id)
        return {"Authorization": f"Bearer {token}"}

    async def project(
        self, owner: User, name: str = "Project", members: dict[User, MemberRole] | None = None
    ) -> Project:
        project = Project(name=name, owner_id=owner.id)
        self.db.add(project)
        await self.db.flush()
        for user, role in (members or {}).items():
            self.db.add(ProjectMember(project_id=project.id, user_id=user.id, role=role))
        await self.db.flush()
        return project

    async def task(
        self,
        project: Project,
        title: str = "Task",
        status: TaskStatus = TaskStatus.TODO,
        priority: int = 0,
        assignee: User | None = None,
        due_date: date | None = None,
    ) -> Task:
        task = Task(
            project_id=project.id,
            title=title,
            status=status,
            priority=priority,
            assignee_id=assignee.id if assignee else None,
            due_date=due_date,
            tags=[],
        )
        self.db.add(task)
        await self.db.flush()
        return task

    async def fetch(self, model: type[Any], **filters: Any) -> Any:
        """A fresh read of one row (not the identity map's copy)."""
        query = select(model).filter_by(**filters).execution_options(populate_existing=True)
        result = await self.db.execute(query)
        return result.scalar_one_or_none()


def capture_logs() -> io.StringIO:
    """Send the app's log lines (the root handler `configure_logging` installed) to a
    buffer the test reads."""
    stream = io.StringIO()
    handler = logging.getLogger().handlers[0]
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(stream)
    return stream


def free_port() -> int:
    """A TCP port on loopback that nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def start_uvicorn(app: str, database_url: str, *options: str, **settings: str) -> Served:
    """`uvicorn APP --factory OPTIONS` in a process of its own on a free loopback port,
    with the test database and `APP_*` settings (`environment="test"` unless given), once
    `/health/live` answers (or the process has ended). The caller stops it."""
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("APP_")},
        "DATABASE_URL": database_url,
        "APP_ENVIRONMENT": "test",
        **{f"APP_{name.upper()}": value for name, value in settings.items()},
        "PYTHONPATH": str(SAMPLE_APP_DIR / "tests"),
    }
    command = ["uvicorn", app, "--factory", *options, "--host", "127.0.0.1", "--port", str(port)]
    process = subprocess.Popen(
        [sys.executable, "-m", *command],
        cwd=SAMPLE_APP_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    served = Served(process, f"http://127.0.0.1:{port}")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        try:
            httpx.get(f"{served.base_url}/health/live", timeout=2)
            break
        except httpx.TransportError:
            time.sleep(0.1)
    return served


@dataclass
class Served:
    """A uvicorn process `start_uvicorn` started, and where it listens."""

    process: subprocess.Popen[bytes]
    base_url: str


async def forget_rate_limit_counts(engine: AsyncEngine) -> None:
    """Delete the rate limit's counts an app committed for real (under uvicorn, or with
    its own engine): the other tests' clients have the same address, and would be limited."""
    async with engine.begin() as connection:
        await connection.execute(text("delete from rate_limit_counters"))


def create_app_with_a_failing_route() -> FastAPI:
    """The app as the environment configures it, plus `GET /explode`, which raises: for the
    tests that serve it with a real uvicorn (`uvicorn support:create_app_with_a_failing_route
    --factory`)."""
    app = create_app()

    async def explode() -> None:
        raise RuntimeError("secret internals")

    app.add_api_route("/explode", explode)
    return app


def assert_error(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """The response is the one error shape, with this status and code."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "details"}
    assert body["error"]["code"] == code, body
    assert isinstance(body["error"]["message"], str)
    error: dict[str, Any] = body["error"]
    return error


_T = TypeVar("_T")
_Job = tuple[Future[Any], Callable[..., Any], tuple[object, ...]]


class ParkedThread:
    """A daemon thread that runs the jobs it is given, one at a time, and never ends.

    Code that runs SQLAlchemy's async layer in a thread of its own (Alembic's env.py under
    `asyncio.run`, a uvicorn server) leaves greenlets in that thread. When such a thread
    ends, greenlet destroys them later from the main thread, and with coverage tracing
    greenlets that once hung a whole test run (greenlet 3.5.6: 100% CPU in `green_dealloc`,
    inside a pending call, where pytest-timeout's signal never lands). A parked thread
    never ends, so it leaves nothing to destroy."""

    def __init__(self, name: str) -> None:
        self._jobs: queue.SimpleQueue[_Job] = queue.SimpleQueue()
        threading.Thread(target=self._serve, name=name, daemon=True).start()

    def _serve(self) -> None:
        while True:
            future, function, args = self._jobs.get()
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(function(*args))
            except BaseException as error:  # handed to the caller, as a thread pool does
                future.set_exception(error)

    def submit(self, function: Callable[..., _T], *args: object) -> Future[_T]:
        """Run `function(*args)` in the thread; its result or exception in the future."""
        future: Future[_T] = Future()
        self._jobs.put((future, function, args))
        return future

    async def run(self, function: Callable[..., _T], *args: object) -> _T:
        """Await `function(*args)` run in the thread."""
        return await asyncio.wrap_future(self.submit(function, *args))

"""The guidance pages' claims about library behaviour, tried against the locked versions.

Each test runs a page's own code blocks (read from the page, so an edit that breaks them
fails here) on a real PostgreSQL through asyncpg: a throwaway server from the sample
app's devtools (or DATABASE_URL), and a fresh database per test. Where a page states
what goes wrong without its advice, a test shows that too, so that a library upgrade
that changes the behaviour fails a test instead of leaving the page wrong.

Pages: background-work, timeouts, loading, pagination, migration-recipes,
dependency-overrides (skills/fastapi-guardrails/references/).
"""

import asyncio
import base64
import json
import os
import re
import socket
import sys
import textwrap
import time
import types
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

import httpx
import pytest
import uvicorn
from alembic import command
from alembic.config import Config
from fastapi import APIRouter, BackgroundTasks, Depends, FastAPI, HTTPException, Request, WebSocket
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, ValidationError
from sqlalchemy import String, event, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import (
    DBAPIError,
    InvalidRequestError,
    MissingGreenlet,
)
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, lazyload, mapped_column, selectinload
from sqlalchemy.orm.exc import DetachedInstanceError
from sqlalchemy.pool import NullPool, QueuePool
from starlette.requests import HTTPConnection
from websockets.asyncio.client import connect as websocket_connect

from app.core.database import SessionDep
from app.core.settings import Settings
from app.devtools import postgres
from tests.helpers import ParkedThread

REFERENCES = Path(__file__).resolve().parents[1] / "skills" / "fastapi-guardrails" / "references"
_FENCE = re.compile(r"^```python[ \t]*\n(.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)


# --- Reading and running a page's code ------------------------------------------------


def page_blocks(page: str) -> list[str]:
    """The ```python blocks of a reference page, in order."""
    return [m.group(1) for m in _FENCE.finditer((REFERENCES / page).read_text("utf-8"))]


def page_block(page: str, marker: str) -> str:
    """The one block of `page` that contains `marker`."""
    found = [block for block in page_blocks(page) if marker in block]
    assert len(found) == 1, f"{page}: {len(found)} blocks contain {marker!r}"
    return found[0]


def substitute(code: str, replacements: dict[str, str]) -> str:
    """`code` with test-sized values (a local URL, short timeouts); each must be there."""
    for old, new in replacements.items():
        assert old in code, f"the page's code no longer contains {old!r}"
        code = code.replace(old, new)
    return code


def run_code(*blocks: str, **names: Any) -> dict[str, Any]:
    """Run blocks as one module whose globals start with `names` (the models, `router`
    and schemas that the page's snippets import from an application)."""
    module = types.ModuleType(f"guidance_page_{uuid.uuid4().hex}")
    module.__dict__.update(names)
    sys.modules[module.__name__] = module  # Pydantic resolves annotations through it
    for block in blocks:
        exec(compile(textwrap.dedent(block), f"<{module.__name__}>", "exec"), module.__dict__)
    return module.__dict__


def run_page(page: str, **names: Any) -> dict[str, Any]:
    """Every Python block of `page`, in order, as one module."""
    return run_code(*page_blocks(page), **names)


def driver_error(error: BaseException) -> Any:
    """The asyncpg exception inside SQLAlchemy's `DBAPIError`."""
    assert isinstance(error, DBAPIError), error
    return error.driver_exception


# --- PostgreSQL -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def server_url() -> Iterator[str]:
    """DATABASE_URL, or a throwaway PostgreSQL 18 removed at the end of the module."""
    given = os.environ.get("DATABASE_URL")
    if given:
        given = Settings(environment="test", database_url=given).database_url
    with postgres.given_or_throwaway(given) as url:
        yield url


@pytest.fixture
async def database_url(server_url: str) -> AsyncIterator[str]:
    """A new, empty database for one test, dropped afterwards."""
    name = f"guidance_{uuid.uuid4().hex[:16]}"
    admin = create_async_engine(server_url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    async with admin.connect() as connection:
        await connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        async with admin.connect() as connection:
            await connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        await admin.dispose()


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_async_engine(database_url)
    yield engine
    await engine.dispose()


async def scalar(engine: AsyncEngine, sql: str, **params: Any) -> Any:
    """One value, read on a connection of its own (so only committed data is seen)."""
    async with engine.connect() as connection:
        return (await connection.execute(text(sql), params)).scalar()


def checked_out(engine: AsyncEngine) -> int:
    """Connections of the engine's pool in use now."""
    assert isinstance(engine.pool, QueuePool)
    return engine.pool.checkedout()


def count_statements(engine: AsyncEngine) -> list[str]:
    """A list that receives every SQL statement the engine sends from now on."""
    statements: list[str] = []

    def record(*args: Any) -> None:
        statements.append(args[2])

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    return statements


# --- background-work.md ---------------------------------------------------------------


class WorkBase(DeclarativeBase):
    pass


class AuditEvent(WorkBase):
    __tablename__ = "audit_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[uuid.UUID]
    action: Mapped[str] = mapped_column(String(50))


class Job(WorkBase):
    __tablename__ = "jobs"
    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[str] = mapped_column(String(20), default="pending")


class WorkTask(WorkBase):
    __tablename__ = "tasks"
    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[uuid.UUID]
    title: Mapped[str] = mapped_column(String(200))


class Note(WorkBase):
    __tablename__ = "notes"
    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[uuid.UUID]
    body: Mapped[str] = mapped_column(String(200))


class ExportAccepted(BaseModel):
    project_id: uuid.UUID


def background_work_page(router: APIRouter) -> dict[str, Any]:
    return run_page(
        "background-work.md",
        router=router,
        AuditEvent=AuditEvent,
        Job=Job,
        Task=WorkTask,
        Note=Note,
        ExportAccepted=ExportAccepted,
    )


def work_app(engine: AsyncEngine, router: APIRouter) -> FastAPI:
    """An app whose lifespan hands a sessionmaker to requests in its typed state, as the
    sample app's does (`app.core.database.open_database`)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[dict[str, Any]]:
        yield {"engine": engine, "sessionmaker": async_sessionmaker(engine, expire_on_commit=False)}

    app = FastAPI(lifespan=lifespan)
    app.include_router(router)
    return app


@asynccontextmanager
async def asgi_client(
    app: FastAPI, raise_app_exceptions: bool = True
) -> AsyncIterator[httpx.AsyncClient]:
    """A client of `app` with its lifespan run around it as a server runs it: the state it
    yields in every request's scope (httpx's transport runs no lifespan itself)."""
    async with app.router.lifespan_context(app) as state:

        async def with_state(scope: Any, receive: Any, send: Any) -> None:
            await app({**scope, "state": dict(state or {})}, receive, send)

        transport = httpx.ASGITransport(app=with_state, raise_app_exceptions=raise_app_exceptions)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client


@pytest.fixture
async def work_engine(engine: AsyncEngine) -> AsyncEngine:
    async with engine.begin() as connection:
        await connection.run_sync(WorkBase.metadata.create_all)
    return engine


async def test_background_task_with_its_own_session_commits_its_write(
    work_engine: AsyncEngine,
) -> None:
    router = APIRouter()
    background_work_page(router)
    project_id = uuid.uuid4()
    async with asgi_client(work_app(work_engine, router)) as client:
        response = await client.post(f"/projects/{project_id}/exports")
    assert response.status_code == 202
    assert response.json() == {"project_id": str(project_id)}
    saved = await scalar(
        work_engine, "SELECT count(*) FROM audit_events WHERE project_id = :p", p=project_id
    )
    assert saved == 1


async def test_request_session_is_committed_and_closed_before_background_tasks_run(
    work_engine: AsyncEngine,
) -> None:
    """The route's flushed write is already committed when the background task runs."""
    router = APIRouter()
    page = background_work_page(router)
    seen_by_background: list[int] = []

    async def count_route_events(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        async with sessionmaker() as session:
            seen_by_background.append(
                await session.scalar(select(func.count()).where(AuditEvent.action == "route")) or 0
            )

    @router.post("/write")
    async def write(
        session: SessionDep,
        sessionmaker: Annotated[
            async_sessionmaker[AsyncSession], Depends(page["get_sessionmaker"])
        ],
        tasks: BackgroundTasks,
    ) -> None:
        session.add(AuditEvent(project_id=uuid.uuid4(), action="route"))
        await session.flush()
        tasks.add_task(count_route_events, sessionmaker)

    async with asgi_client(work_app(work_engine, router)) as client:
        assert (await client.post("/write")).status_code == 200
    assert seen_by_background == [1]


async def test_request_session_used_by_a_background_task_loses_the_write_silently(
    work_engine: AsyncEngine,
) -> None:
    """The task gets a closed session (no transaction, nothing in it), which raises
    nothing, begins a transaction nobody commits, and holds a connection meanwhile."""
    router = APIRouter()
    kept: list[AsyncSession] = []
    state_when_the_task_starts: list[tuple[bool, int]] = []

    async def write_with(session: AsyncSession) -> None:
        state_when_the_task_starts.append((session.in_transaction(), len(session.identity_map)))
        session.add(AuditEvent(project_id=uuid.uuid4(), action="lost"))
        await session.flush()
        kept.append(session)

    @router.post("/bad")
    async def bad(session: SessionDep, tasks: BackgroundTasks) -> None:
        session.add(AuditEvent(project_id=uuid.uuid4(), action="route"))
        await session.flush()
        tasks.add_task(write_with, session)

    app = work_app(work_engine, router)
    async with asgi_client(app) as client:
        assert (await client.post("/bad")).status_code == 200
    assert state_when_the_task_starts == [(False, 0)]
    [session] = kept
    assert session.in_transaction()
    assert checked_out(work_engine) == 1
    actions = "SELECT string_agg(action, ',') FROM audit_events"
    assert await scalar(work_engine, actions) == "route"
    await session.close()
    assert await scalar(work_engine, actions) == "route"


async def test_worker_claims_skip_locked_jobs_and_a_rolled_back_claim_frees_the_job(
    work_engine: AsyncEngine,
) -> None:
    claim_next_job = background_work_page(APIRouter())["claim_next_job"]
    sessionmaker = async_sessionmaker(work_engine, expire_on_commit=False)
    async with sessionmaker.begin() as session:
        session.add_all([Job(), Job(), Job()])
    sessions = [sessionmaker() for _ in range(4)]
    try:
        claimed = []
        for session in sessions:
            job = await asyncio.wait_for(claim_next_job(session), timeout=5)
            claimed.append(job.id if job else None)
        assert claimed == [1, 2, 3, None]
        await sessions[0].rollback()  # the first worker died
        async with sessionmaker() as again:
            job = await claim_next_job(again)
            assert job is not None
            assert job.id == 1
    finally:
        for session in sessions:
            await session.close()


async def test_streaming_response_reads_through_its_own_session_and_returns_the_connection(
    work_engine: AsyncEngine,
) -> None:
    router = APIRouter()
    background_work_page(router)
    project_id = uuid.uuid4()
    titles = [f"task {n:04}" for n in range(1200)]  # more than one `yield_per` batch
    async with async_sessionmaker(work_engine).begin() as session:
        session.add_all(WorkTask(project_id=project_id, title=title) for title in titles)
        session.add(WorkTask(project_id=uuid.uuid4(), title="another project's"))
    server_side: list[bool] = []

    def record(*args: Any) -> None:
        if "FROM tasks" in args[2]:
            server_side.append(args[4]._is_server_side)  # a named cursor, fetched in batches

    event.listen(work_engine.sync_engine, "before_cursor_execute", record)
    async with asgi_client(work_app(work_engine, router)) as client:
        response = await client.get(f"/projects/{project_id}/tasks.csv")
    assert server_side == [True]
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert response.text.splitlines() == titles
    assert checked_out(work_engine) == 0


async def test_generator_route_runs_after_the_request_session_closed_and_loses_writes(
    work_engine: AsyncEngine,
) -> None:
    """A JSON Lines generator route is iterated after the route returns: like a
    background task, it writes through a session nobody commits."""
    router = APIRouter()
    kept: list[AsyncSession] = []

    @router.get("/events")
    async def events(session: SessionDep) -> AsyncIterator[dict[str, str]]:
        session.add(AuditEvent(project_id=uuid.uuid4(), action="streamed"))
        await session.flush()
        kept.append(session)
        yield {"action": "streamed"}

    async with asgi_client(work_app(work_engine, router)) as client:
        response = await client.get("/events")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/jsonl")
    assert response.text == '{"action":"streamed"}\n'
    [session] = kept
    assert session.in_transaction()
    assert await scalar(work_engine, "SELECT count(*) FROM audit_events") == 0
    await session.close()


async def test_streaming_response_status_is_sent_before_the_body_fails() -> None:
    """An error inside the stream cannot become an error status: check access before."""
    app = FastAPI()

    @app.get("/stream")
    async def stream() -> StreamingResponse:
        async def lines() -> AsyncIterator[str]:
            yield "first\n"
            raise RuntimeError("the database went away mid-stream")

        return StreamingResponse(lines(), media_type="text/plain")

    async with asgi_client(app, raise_app_exceptions=False) as client:
        response = await client.get("/stream")
    assert response.status_code == 200
    assert response.text == "first\n"


@asynccontextmanager
async def serving(app: FastAPI) -> AsyncIterator[str]:
    """`app` served by uvicorn on a free loopback port, in this event loop: its base URL."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, lifespan="on", log_level="warning"))
    serve = asyncio.create_task(server.serve(sockets=[listener]))
    for _ in range(1000):
        if server.started:
            break
        await asyncio.sleep(0.01)
    assert server.started, "uvicorn did not start"
    try:
        yield f"ws://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await serve
        listener.close()


async def notes_of(engine: AsyncEngine, project_id: uuid.UUID) -> int:
    """The project's committed notes."""
    return int(
        await scalar(engine, "SELECT count(*) FROM notes WHERE project_id = :p", p=project_id)
    )


async def test_websocket_message_committed_per_message_is_visible_while_the_socket_is_open(
    work_engine: AsyncEngine,
) -> None:
    router = APIRouter()
    background_work_page(router)
    project_id = uuid.uuid4()
    async with (
        serving(work_app(work_engine, router)) as url,
        websocket_connect(f"{url}/projects/{project_id}/notes") as websocket,
    ):
        for body in ("first", "second"):
            await websocket.send(body)
            assert json.loads(await websocket.recv()) == {"saved": body}
        assert await notes_of(work_engine, project_id) == 2
        assert checked_out(work_engine) == 0


async def test_websocket_session_held_for_the_socket_hides_writes_and_holds_a_connection(
    work_engine: AsyncEngine,
) -> None:
    router = APIRouter()

    async def socket_session(connection: HTTPConnection) -> AsyncIterator[AsyncSession]:
        async with connection.state.sessionmaker() as session:
            yield session
            await session.commit()

    @router.websocket("/held/{project_id}")
    async def held(
        websocket: WebSocket,
        project_id: uuid.UUID,
        session: Annotated[AsyncSession, Depends(socket_session)],
    ) -> None:
        await websocket.accept()
        async for body in websocket.iter_text():
            session.add(Note(project_id=project_id, body=body))
            await session.flush()
            await websocket.send_json({"saved": body})

    project_id = uuid.uuid4()
    async with serving(work_app(work_engine, router)) as url:
        async with websocket_connect(f"{url}/held/{project_id}") as websocket:
            await websocket.send("first")
            assert json.loads(await websocket.recv()) == {"saved": "first"}
            assert await notes_of(work_engine, project_id) == 0
            assert checked_out(work_engine) == 1
        for _ in range(100):  # the server finishes the handler after the close
            if checked_out(work_engine) == 0:
                break
            await asyncio.sleep(0.02)
        assert await notes_of(work_engine, project_id) == 1


# --- timeouts.md ----------------------------------------------------------------------


def timeouts_engine(database_url: str) -> AsyncEngine:
    """The page's engine, pointed at the test database, with timeouts short enough to wait."""
    code = substitute(
        page_block("timeouts.md", '"statement_timeout": "5s"'),
        {
            '"postgresql+asyncpg://app@db:5432/app"': repr(database_url),
            '"statement_timeout": "5s"': '"statement_timeout": "300ms"',
            '"lock_timeout": "2s"': '"lock_timeout": "200ms"',
            '"idle_in_transaction_session_timeout": "30s"': (
                '"idle_in_transaction_session_timeout": "300ms"'
            ),
        },
    )
    engine: AsyncEngine = run_code(code)["engine"]
    return engine


@pytest.fixture
async def timeout_engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = timeouts_engine(database_url)
    yield engine
    await engine.dispose()


def is_database_timeout(error: DBAPIError) -> bool:
    check = run_code(page_block("timeouts.md", "def is_database_timeout"))
    result: bool = check["is_database_timeout"](error)
    return result


async def test_server_settings_apply_to_every_connection(timeout_engine: AsyncEngine) -> None:
    async with timeout_engine.connect() as connection:
        shown = [
            (await connection.execute(text(f"SHOW {name}"))).scalar()
            for name in ("statement_timeout", "lock_timeout", "idle_in_transaction_session_timeout")
        ]
    assert shown == ["300ms", "200ms", "300ms"]


async def test_statement_timeout_cancels_a_long_statement_as_sqlstate_57014(
    timeout_engine: AsyncEngine,
) -> None:
    started = time.monotonic()
    async with timeout_engine.connect() as connection:
        with pytest.raises(DBAPIError) as raised:
            await connection.execute(text("SELECT pg_sleep(5)"))
    assert time.monotonic() - started < 3
    assert type(driver_error(raised.value)).__name__ == "QueryCanceledError"
    assert driver_error(raised.value).sqlstate == "57014"
    assert is_database_timeout(raised.value)


async def test_lock_timeout_stops_waiting_for_a_row_lock_as_sqlstate_55p03(
    timeout_engine: AsyncEngine,
) -> None:
    async with timeout_engine.begin() as connection:
        await connection.execute(text("CREATE TABLE accounts (id int PRIMARY KEY)"))
        await connection.execute(text("INSERT INTO accounts VALUES (1)"))
    async with timeout_engine.connect() as holder, timeout_engine.connect() as waiter:
        await holder.execute(text("SELECT id FROM accounts WHERE id = 1 FOR UPDATE"))
        with pytest.raises(DBAPIError) as raised:
            await waiter.execute(text("SELECT id FROM accounts WHERE id = 1 FOR UPDATE"))
    assert type(driver_error(raised.value)).__name__ == "LockNotAvailableError"
    assert driver_error(raised.value).sqlstate == "55P03"
    assert is_database_timeout(raised.value)


async def test_other_database_errors_are_not_timeouts(timeout_engine: AsyncEngine) -> None:
    async with timeout_engine.connect() as connection:
        with pytest.raises(DBAPIError) as raised:
            await connection.execute(text("SELECT 1 / 0"))
    assert not is_database_timeout(raised.value)


async def test_idle_in_transaction_timeout_closes_the_connection(
    timeout_engine: AsyncEngine,
) -> None:
    async with timeout_engine.connect() as connection:
        await connection.execute(text("SELECT 1"))  # a transaction begins, then idles
        await asyncio.sleep(1)
        with pytest.raises(DBAPIError) as raised:
            await connection.execute(text("SELECT 1"))
    assert raised.value.connection_invalidated


async def test_set_local_statement_timeout_lasts_for_the_transaction_only(
    timeout_engine: AsyncEngine,
) -> None:
    monthly_report = run_code(page_block("timeouts.md", "def monthly_report"))["monthly_report"]
    async with timeout_engine.begin() as connection:
        await connection.execute(text("CREATE TABLE tasks (status text)"))
        await connection.execute(text("INSERT INTO tasks VALUES ('done'), ('done'), ('todo')"))
    async with AsyncSession(timeout_engine) as session:
        assert sorted(await monthly_report(session)) == [("done", 2), ("todo", 1)]
        await session.execute(text("SELECT pg_sleep(0.6)"))  # over the engine's 300ms
        assert (await session.execute(text("SHOW statement_timeout"))).scalar() == "1min"
        await session.commit()
        assert (await session.execute(text("SHOW statement_timeout"))).scalar() == "300ms"


async def test_pool_timeout_fails_a_checkout_when_the_pool_is_exhausted(
    database_url: str,
) -> None:
    engine = create_async_engine(database_url, pool_size=1, max_overflow=0, pool_timeout=0.3)
    try:
        async with engine.connect() as held:
            await held.execute(text("SELECT 1"))
            started = time.monotonic()
            with pytest.raises(PoolTimeoutError, match="QueuePool limit of size 1 overflow 0"):
                async with engine.connect():
                    pass
            assert 0.25 < time.monotonic() - started < 3
    finally:
        await engine.dispose()


async def test_asyncpg_connect_timeout_raises_timeout_error(database_url: str) -> None:
    """`timeout` bounds the connection attempt: a server that never answers fails fast."""
    silent, url = await _serve(_silent)
    port = httpx.URL(url).port
    engine = create_async_engine(
        f"postgresql+asyncpg://app@127.0.0.1:{port}/app", connect_args={"timeout": 0.3}
    )
    started = time.monotonic()
    async with silent:
        with pytest.raises(TimeoutError) as raised:
            async with engine.connect():
                pass
    assert time.monotonic() - started < 3
    assert not isinstance(raised.value, DBAPIError)
    await engine.dispose()


async def test_pool_timeout_defaults_to_thirty_seconds(database_url: str) -> None:
    engine = create_async_engine(database_url)
    assert isinstance(engine.pool, QueuePool)
    assert engine.pool.timeout() == 30
    await engine.dispose()


async def _terminate_pooled_connection(engine: AsyncEngine, database_url: str) -> int:
    async with engine.connect() as connection:
        pid: int = (await connection.execute(text("SELECT pg_backend_pid()"))).scalar_one()
    admin = create_async_engine(database_url, poolclass=NullPool)
    async with admin.connect() as connection:
        await connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    await admin.dispose()
    await asyncio.sleep(0.2)
    return pid


async def test_without_pre_ping_a_connection_closed_by_the_server_fails_the_next_query(
    database_url: str,
) -> None:
    engine = create_async_engine(database_url, pool_size=1)
    try:
        await _terminate_pooled_connection(engine, database_url)
        with pytest.raises(DBAPIError, match="connection is closed") as raised:
            async with engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
        assert type(raised.value).__name__ == "InterfaceError"
    finally:
        await engine.dispose()


async def test_pre_ping_replaces_a_connection_closed_by_the_server(database_url: str) -> None:
    engine = create_async_engine(database_url, pool_size=1, pool_pre_ping=True)
    try:
        old_pid = await _terminate_pooled_connection(engine, database_url)
        async with engine.connect() as connection:
            new_pid = (await connection.execute(text("SELECT pg_backend_pid()"))).scalar()
        assert new_pid != old_pid
    finally:
        await engine.dispose()


async def test_pool_recycle_replaces_an_old_connection_at_checkout(database_url: str) -> None:
    engine = create_async_engine(database_url, pool_size=1, pool_recycle=1)
    try:
        pids = []
        for pause in (0, 0, 1.2):
            await asyncio.sleep(pause)
            async with engine.connect() as connection:
                pids.append((await connection.execute(text("SELECT pg_backend_pid()"))).scalar())
        assert pids[0] == pids[1] != pids[2]
    finally:
        await engine.dispose()


async def _prepared_statement_names(engine: AsyncEngine) -> set[str]:
    async with engine.connect() as connection:
        await connection.execute(text("SELECT 1"))
        await connection.execute(select(func.now()))
        rows = await connection.execute(text("SELECT name FROM pg_prepared_statements"))
        return {row.name for row in rows}


PREPARED_NAMES_OF_A_NEW_PROCESS = """
import asyncio, sys
import asyncpg

async def main():
    connection = await asyncpg.connect(sys.argv[1])
    await connection.fetch("SELECT 1")
    rows = await connection.fetch("SELECT name FROM pg_prepared_statements ORDER BY name")
    print(",".join(row["name"] for row in rows))
    await connection.close()

asyncio.run(main())
"""


async def test_asyncpg_names_prepared_statements_alike_in_every_process(
    database_url: str,
) -> None:
    """What breaks behind PgBouncer: two app processes prepare under the same names."""
    dsn = make_url(database_url).set(drivername="postgresql").render_as_string(False)
    names = []
    for _ in range(2):
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            PREPARED_NAMES_OF_A_NEW_PROCESS,
            dsn,
            stdout=asyncio.subprocess.PIPE,
        )
        output, _ = await process.communicate()
        assert process.returncode == 0
        names.append(output.decode().strip())
    assert names[0] == names[1]
    assert names[0].startswith("__asyncpg_stmt_1__")


async def test_pgbouncer_engine_names_each_prepared_statement_uniquely(
    database_url: str,
) -> None:
    code = substitute(
        page_block("timeouts.md", "prepared_statement_name_func"),
        {'"postgresql+asyncpg://app@pgbouncer:6432/app"': repr(database_url)},
    )
    engine: AsyncEngine = run_code(code)["engine"]
    try:
        assert isinstance(engine.pool, NullPool)
        first = await _prepared_statement_names(engine)
        second = await _prepared_statement_names(engine)
    finally:
        await engine.dispose()
    assert first
    assert not first & second
    unique_name = re.compile(r"__asyncpg_[0-9a-f]{8}-[0-9a-f-]{27}__")
    assert all(unique_name.fullmatch(name) for name in first | second)


async def test_role_timeouts_apply_to_every_new_session_of_the_role(
    engine: AsyncEngine, database_url: str
) -> None:
    set_role_timeouts = run_code(page_block("timeouts.md", "def set_role_timeouts"))[
        "set_role_timeouts"
    ]
    async with engine.begin() as connection:
        created = not await connection.scalar(
            text("SELECT count(*) FROM pg_roles WHERE rolname = 'app'")
        )
        if created:
            await connection.execute(text("CREATE ROLE app LOGIN"))
    try:
        async with engine.begin() as connection:
            await set_role_timeouts(connection)
        as_app = create_async_engine(make_url(database_url).set(username="app"), poolclass=NullPool)
        async with as_app.connect() as connection:
            shown = [
                (await connection.execute(text(f"SHOW {name}"))).scalar()
                for name in ("statement_timeout", "lock_timeout")
            ]
        await as_app.dispose()
        assert shown == ["5s", "2s"]
    finally:
        async with engine.begin() as connection:
            await connection.execute(text("ALTER ROLE app RESET ALL"))
            if created:
                await connection.execute(text("DROP ROLE app"))


async def test_httpx_default_timeout_is_five_seconds_for_each_phase() -> None:
    async with httpx.AsyncClient() as client:
        assert client.timeout == httpx.Timeout(5.0)
        assert (client.timeout.connect, client.timeout.read) == (5.0, 5.0)
        assert (client.timeout.write, client.timeout.pool) == (5.0, 5.0)


async def _serve(respond: Any) -> tuple[asyncio.Server, str]:
    """A local HTTP server whose connections are handled by `respond(reader, writer)`."""
    server = await asyncio.start_server(respond, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    return server, f"http://127.0.0.1:{port}"


async def _silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Read whatever comes until the client gives up, and never answer."""
    await reader.read()
    writer.close()


async def _trickle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Ten bytes, one every 0.1 s: each read is quick, the whole response is not."""
    await reader.readuntil(b"\r\n\r\n")
    writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n")
    for _ in range(10):
        await writer.drain()
        await asyncio.sleep(0.1)
        writer.write(b"x")
    await writer.drain()
    writer.close()


async def _pdf(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    request = await reader.readuntil(b"\r\n\r\n")
    assert request.startswith(b"GET /invoices/in_1.pdf ")
    writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\n%PDF")
    await writer.drain()
    writer.close()


async def test_fetch_invoice_uses_the_pages_client_settings_and_returns_the_body() -> None:
    page = run_code(page_block("timeouts.md", "async def fetch_invoice"))
    async with page["create_payments_client"]() as configured:
        assert configured.timeout == httpx.Timeout(10.0, connect=2.0)
        assert configured.timeout.read == 10.0
    server, url = await _serve(_pdf)
    async with server, httpx.AsyncClient(base_url=url) as client:
        assert await page["fetch_invoice"](client, "in_1") == b"%PDF"


async def test_httpx_read_timeout_fires_when_the_server_sends_nothing() -> None:
    server, url = await _serve(_silent)
    async with server, httpx.AsyncClient(timeout=httpx.Timeout(0.3)) as client:
        with pytest.raises(httpx.ReadTimeout) as raised:
            await client.get(url)
    assert isinstance(raised.value, httpx.TimeoutException)


async def test_httpx_read_timeout_bounds_each_read_not_the_whole_response() -> None:
    server, url = await _serve(_trickle)
    async with server, httpx.AsyncClient(timeout=httpx.Timeout(0.3)) as client:
        started = time.monotonic()
        response = await client.get(url)
        assert response.content == b"x" * 10
        assert time.monotonic() - started > 0.9  # three times the read timeout
        with pytest.raises(TimeoutError):
            async with asyncio.timeout(0.5):
                await client.get(url)


# --- loading.md -----------------------------------------------------------------------


@pytest.fixture
async def library(engine: AsyncEngine) -> dict[str, Any]:
    """The loading page's models and functions, its tables created and filled: author 1
    with books 1-2, author 2 with books 3-5."""
    page = run_page("loading.md")
    Author, Book = page["Author"], page["Book"]
    async with engine.begin() as connection:
        await connection.run_sync(page["Base"].metadata.create_all)
    async with async_sessionmaker(engine).begin() as session:
        session.add_all(
            [
                Author(name="Ada", books=[Book(title="A1"), Book(title="A2")]),
                Author(name="Bo", books=[Book(title="B1"), Book(title="B2"), Book(title="B3")]),
            ]
        )
    return page


async def one(session: AsyncSession, statement: Any) -> Any:
    """The one object `statement` selects."""
    return (await session.scalars(statement)).one()


def sessions(engine: AsyncEngine, **options: Any) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, **{"expire_on_commit": False, **options})


async def test_lazy_raise_relationship_raises_on_access_with_or_without_a_session(
    engine: AsyncEngine, library: dict[str, Any]
) -> None:
    Author = library["Author"]
    async with sessions(engine)() as session:
        author = await one(session, select(Author).where(Author.name == "Ada"))
        with pytest.raises(
            InvalidRequestError, match=r"'Author\.books' is not available due to lazy='raise'"
        ):
            _ = author.books
    with pytest.raises(InvalidRequestError, match="lazy='raise'"):
        _ = author.books


async def test_unloaded_lazy_select_relationship_raises_missing_greenlet(
    engine: AsyncEngine, library: dict[str, Any]
) -> None:
    Author = library["Author"]
    async with sessions(engine)() as session:
        author = await one(
            session, select(Author).where(Author.name == "Ada").options(lazyload(Author.books))
        )
        with pytest.raises(MissingGreenlet, match="greenlet_spawn has not been called"):
            _ = author.books
    with pytest.raises(DetachedInstanceError, match="is not bound to a Session"):
        _ = author.books


async def test_attributes_expired_by_commit_or_expire_raise_missing_greenlet(
    engine: AsyncEngine, library: dict[str, Any]
) -> None:
    Author = library["Author"]
    async with sessions(engine, expire_on_commit=True)() as session:
        author = await one(session, select(Author).where(Author.name == "Ada"))
        author.name = "Ada L."
        await session.commit()
        with pytest.raises(MissingGreenlet):
            _ = author.name
    async with sessions(engine)() as session:
        author = await one(session, select(Author).where(Author.name == "Ada L."))
        session.expire(author)
        with pytest.raises(MissingGreenlet):
            _ = author.name


async def test_selectinload_adds_one_select_and_joinedload_a_join(
    engine: AsyncEngine, library: dict[str, Any]
) -> None:
    statements = count_statements(engine)
    async with sessions(engine)() as session:
        authors = await library["authors_with_books"](session)
        assert [[b.title for b in a.books] for a in authors] == [["A1", "A2"], ["B1", "B2", "B3"]]
        assert len(statements) == 2
        assert " IN (" in statements[1]
    statements.clear()
    async with sessions(engine)() as session:
        books = await library["books_with_authors"](session)
        assert [b.author.name for b in books] == ["Ada", "Ada", "Bo", "Bo", "Bo"]
        assert len(statements) == 1
        assert "LEFT OUTER JOIN authors" in statements[0]


async def test_loader_options_chain_along_a_path(
    engine: AsyncEngine, library: dict[str, Any]
) -> None:
    Author, Book = library["Author"], library["Book"]
    async with sessions(engine)() as session:
        author = await one(
            session,
            select(Author)
            .where(Author.name == "Bo")
            .options(selectinload(Author.books).joinedload(Book.author)),
        )
    assert {book.author.name for book in author.books} == {"Bo"}


async def test_joinedload_of_a_collection_needs_unique(
    engine: AsyncEngine, library: dict[str, Any]
) -> None:
    Author = library["Author"]
    from sqlalchemy.orm import joinedload

    statement = select(Author).options(joinedload(Author.books))
    async with sessions(engine)() as session:
        with pytest.raises(InvalidRequestError, match=r"The unique\(\) method must be invoked"):
            (await session.scalars(statement)).all()
        with pytest.raises(InvalidRequestError, match=r"The unique\(\) method must be invoked"):
            (await session.execute(statement)).scalars().all()
    async with sessions(engine)() as session:
        authors = await library["authors_joined"](session)
    assert [(a.name, len(a.books)) for a in authors] == [("Ada", 2), ("Bo", 3)]


async def test_refresh_with_attribute_names_loads_a_lazy_raise_relationship(
    engine: AsyncEngine, library: dict[str, Any]
) -> None:
    Author = library["Author"]
    async with sessions(engine)() as session:
        author = await one(session, select(Author).where(Author.name == "Bo"))
        books = await library["load_books"](session, author)
    assert sorted(book.title for book in books) == ["B1", "B2", "B3"]


async def test_awaitable_attrs_loads_a_lazy_relationship_but_not_a_lazy_raise_one(
    engine: AsyncEngine, library: dict[str, Any]
) -> None:
    Author = library["Author"]
    async with sessions(engine)() as session:
        author = await one(session, select(Author).where(Author.name == "Ada"))
        with pytest.raises(InvalidRequestError, match="lazy='raise'"):
            await author.awaitable_attrs.books
    async with sessions(engine)() as session:
        author = await one(
            session, select(Author).where(Author.name == "Ada").options(lazyload(Author.books))
        )
        books = await author.awaitable_attrs.books
    assert sorted(book.title for book in books) == ["A1", "A2"]


class BookRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    title: str


class AuthorRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    name: str
    books: list[BookRead]


async def test_validating_a_schema_from_an_orm_object_reads_every_field_it_names(
    engine: AsyncEngine, library: dict[str, Any]
) -> None:
    """An unloaded relationship fails the schema; the repository's loaded one passes."""
    Author = library["Author"]
    async with sessions(engine)() as session:
        author = await one(session, select(Author).where(Author.name == "Ada"))
        with pytest.raises(ValidationError) as raised:
            AuthorRead.model_validate(author)
        [error] = raised.value.errors()
        assert (error["type"], error["loc"]) == ("get_attribute_error", ("books",))
        assert "'Author.books' is not available due to lazy='raise'" in error["msg"]
        [_, bo] = await library["authors_with_books"](session)
    assert AuthorRead.model_validate(bo).model_dump() == {
        "name": "Bo",
        "books": [{"title": "B1"}, {"title": "B2"}, {"title": "B3"}],
    }


# --- pagination.md --------------------------------------------------------------------


@pytest.fixture
async def pagination(engine: AsyncEngine) -> dict[str, Any]:
    """The pagination page's code, with a `tasks` table carrying the page's index."""
    page = run_page("pagination.md", Task=object)  # annotations name it; defined below

    class PageBase(DeclarativeBase):
        pass

    class Task(PageBase):
        __tablename__ = "tasks"
        __table_args__ = (page["TASKS_BY_PROJECT_NEWEST_FIRST"],)
        id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
        project_id: Mapped[uuid.UUID]
        created_at: Mapped[datetime]

    page["Task"] = Task
    async with engine.begin() as connection:
        await connection.run_sync(Task.metadata.create_all)
    return page


async def add_tasks(
    engine: AsyncEngine, task: Any, project_id: uuid.UUID, times: list[datetime]
) -> None:
    async with async_sessionmaker(engine).begin() as session:
        session.add_all(task(project_id=project_id, created_at=at) for at in times)


def tied_times() -> list[datetime]:
    """Seven timestamps, three of them equal and two others equal: ties across pages."""
    base = datetime(2026, 1, 1)
    return [base + timedelta(minutes=m) for m in (1, 2, 2, 2, 3, 4, 4)]


async def newest_first(engine: AsyncEngine, task: Any, project_id: uuid.UUID) -> list[uuid.UUID]:
    async with AsyncSession(engine) as session:
        rows = await session.scalars(
            select(task.id)
            .where(task.project_id == project_id)
            .order_by(task.created_at.desc(), task.id.desc())
        )
        return list(rows)


async def walk(
    engine: AsyncEngine, page: dict[str, Any], project_id: uuid.UUID, limit: int
) -> list[list[uuid.UUID]]:
    """Every page, following the next cursor through its encoded form."""
    pages: list[list[uuid.UUID]] = []
    after = None
    while True:
        async with AsyncSession(engine) as session:
            tasks, next_cursor = await page["tasks_page"](session, project_id, after, limit)
        pages.append([task.id for task in tasks])
        if next_cursor is None:
            return pages
        after = page["TaskCursor"].decode(next_cursor.encode())


async def test_keyset_pages_return_every_task_once_in_order_despite_ties(
    engine: AsyncEngine, pagination: dict[str, Any]
) -> None:
    project_id = uuid.uuid4()
    await add_tasks(engine, pagination["Task"], project_id, tied_times())
    await add_tasks(engine, pagination["Task"], uuid.uuid4(), tied_times())
    expected = await newest_first(engine, pagination["Task"], project_id)
    for limit in (1, 2, 3, 7, 20):
        pages = await walk(engine, pagination, project_id, limit)
        assert [task for page in pages for task in page] == expected, limit
        assert all(0 < len(page) <= limit for page in pages[:-1])
    assert [len(page) for page in await walk(engine, pagination, project_id, 3)] == [3, 3, 1]
    assert [len(page) for page in await walk(engine, pagination, project_id, 7)] == [7]


async def test_keyset_on_created_at_alone_skips_tied_tasks(
    engine: AsyncEngine, pagination: dict[str, Any]
) -> None:
    Task = pagination["Task"]
    project_id = uuid.uuid4()
    await add_tasks(engine, Task, project_id, tied_times())
    seen: list[uuid.UUID] = []
    last: datetime | None = None
    async with AsyncSession(engine) as session:
        while True:
            statement = (
                select(Task)
                .where(Task.project_id == project_id)
                .order_by(Task.created_at.desc())
                .limit(2)
            )
            if last is not None:
                statement = statement.where(Task.created_at < last)
            tasks = list((await session.scalars(statement)).all())
            if not tasks:
                break
            seen += [task.id for task in tasks]
            last = tasks[-1].created_at
    assert len(seen) < 7


async def test_offset_pages_repeat_a_task_after_an_insert_and_keyset_pages_do_not(
    engine: AsyncEngine, pagination: dict[str, Any]
) -> None:
    Task = pagination["Task"]
    project_id = uuid.uuid4()
    times = tied_times()
    await add_tasks(engine, Task, project_id, times)
    by_offset = (
        select(Task.id)
        .where(Task.project_id == project_id)
        .order_by(Task.created_at.desc(), Task.id.desc())
        .limit(3)
    )
    async with AsyncSession(engine) as session:
        first = list(await session.scalars(by_offset.offset(0)))
        tasks, cursor = await pagination["tasks_page"](session, project_id, None, 3)
    await add_tasks(engine, Task, project_id, [times[-1] + timedelta(hours=1)])
    async with AsyncSession(engine) as session:
        second = list(await session.scalars(by_offset.offset(3)))
        next_tasks, _ = await pagination["tasks_page"](session, project_id, cursor, 3)
    assert second[0] == first[-1]
    assert [t.id for t in tasks] == first
    assert not {t.id for t in next_tasks} & set(first)


async def test_row_comparison_is_an_index_condition(
    engine: AsyncEngine, pagination: dict[str, Any]
) -> None:
    """The page's query, explained: the index serves the filter, the order and the cursor."""
    project_id = uuid.uuid4()
    await add_tasks(engine, pagination["Task"], project_id, tied_times())
    sent: list[tuple[str, Any]] = []

    def record(*args: Any) -> None:
        sent.append((args[2], args[3]))

    cursor = pagination["TaskCursor"](created_at=tied_times()[3], id=uuid.uuid4())
    async with AsyncSession(engine) as session:
        event.listen(engine.sync_engine, "before_cursor_execute", record)
        await pagination["tasks_page"](session, project_id, cursor, 2)
        event.remove(engine.sync_engine, "before_cursor_execute", record)
        [(statement, parameters)] = sent
        connection = await session.connection()
        await connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
        await connection.exec_driver_sql("SET LOCAL enable_bitmapscan = off")
        plan = [
            row[0] for row in await connection.exec_driver_sql(f"EXPLAIN {statement}", parameters)
        ]
    assert "ix_tasks_project_id_created_at_id" in plan[1]
    index_condition = next(line for line in plan if "Index Cond" in line)
    assert "ROW(created_at, id) < ROW(" in index_condition
    assert not any("Sort" in line for line in plan)


async def test_a_cursor_round_trips_and_garbage_is_a_value_error(
    pagination: dict[str, Any],
) -> None:
    cursor_type = pagination["TaskCursor"]
    cursor = cursor_type(created_at=datetime(2026, 1, 1, 12, 30), id=uuid.uuid4())
    assert cursor_type.decode(cursor.encode()) == cursor
    for token in ("", "not base64!", base64.urlsafe_b64encode(b'{"id": 1}').decode(), "é"):
        with pytest.raises(ValueError, match="invalid cursor"):
            cursor_type.decode(token)


async def test_a_row_comparison_with_null_is_never_true(engine: AsyncEngine) -> None:
    assert await scalar(engine, "SELECT (NULL::timestamptz, 1) < (now(), 2)") is None


# --- migration-recipes.md -------------------------------------------------------------

INITIAL_REVISION = """
from alembic import op

revision = "0001"
down_revision = None


def upgrade() -> None:
    op.execute("CREATE TYPE task_status AS ENUM ('todo', 'doing', 'done')")
    op.execute(
        "CREATE TABLE tasks (id serial PRIMARY KEY, status task_status NOT NULL,"
        " updated_at timestamptz NOT NULL DEFAULT now(), priority int)"
    )


def downgrade() -> None:
    op.execute("DROP TABLE tasks")
    op.execute("DROP TYPE task_status")
"""

ENV_PRELUDE = """
import asyncio

from alembic import context

config = context.config
target_metadata = None


def database_url() -> str:
    return config.get_main_option("sqlalchemy.url")
"""


def migrations(
    directory: Path,
    database_url: str,
    revisions: dict[str, str],
    lock_timeout: str = "5s",
    transaction_per_migration: bool = True,
) -> Config:
    """A migrations folder whose env.py is the page's, with `revisions` as its versions
    (and, to show why the page sets it, without `transaction_per_migration` on demand)."""
    changes = {'"lock_timeout": "5s"': f'"lock_timeout": "{lock_timeout}"'}
    if not transaction_per_migration:
        changes["        transaction_per_migration=True,\n"] = ""
    env = substitute(page_block("migration-recipes.md", "# file: migrations/env.py"), changes)
    (directory / "versions").mkdir(parents=True)
    (directory / "env.py").write_text(
        f"{ENV_PRELUDE}\n{env}\n\nasyncio.run(run_async_migrations())\n", encoding="utf-8"
    )
    (directory / "script.py.mako").write_text("", encoding="utf-8")
    for name, source in revisions.items():
        (directory / "versions" / name).write_text(source, encoding="utf-8")
    config = Config()
    config.set_main_option("script_location", str(directory))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def page_revision(marker: str) -> tuple[str, str]:
    """(file name, source) of the page's revision whose `# file:` header names `marker`."""
    block = textwrap.dedent(page_block("migration-recipes.md", marker))
    header = block.splitlines()[0]
    assert header.startswith("# file: migrations/versions/")
    return Path(header.removeprefix("# file: ")).name, block


ENUM_REVISION = page_revision("task_status_archived")
BACKFILL_REVISION = page_revision("backfill_task_priority")


#: env.py runs its own event loop: Alembic runs in a thread (`ParkedThread`: why not one
#: that ends)
ALEMBIC = ParkedThread("alembic")


async def upgrade(config: Config, target: str = "head") -> None:
    """`alembic upgrade` in a thread of its own."""
    await ALEMBIC.run(command.upgrade, config, target)


async def current_revision(engine: AsyncEngine) -> str | None:
    revision: str | None = await scalar(engine, "SELECT version_num FROM alembic_version")
    return revision


async def test_enum_value_committed_in_an_autocommit_block_is_usable_in_the_same_revision(
    tmp_path: Path, engine: AsyncEngine, database_url: str
) -> None:
    name, source = ENUM_REVISION
    config = migrations(tmp_path, database_url, {"0001.py": INITIAL_REVISION, name: source})
    await upgrade(config, "0001")
    async with engine.begin() as connection:
        await connection.execute(
            text(
                "INSERT INTO tasks (status, updated_at) VALUES"
                " ('done', now() - interval '2 years'), ('done', now()), ('todo', now())"
            )
        )
    await upgrade(config)
    assert await current_revision(engine) == "0002"
    statuses = await scalar(engine, "SELECT string_agg(status::text, ',' ORDER BY id) FROM tasks")
    assert statuses == "archived,done,todo"
    await ALEMBIC.run(command.downgrade, config, "0001")
    await upgrade(config)  # IF NOT EXISTS: the value is still in the type
    assert await current_revision(engine) == "0002"


async def test_enum_value_used_in_the_transaction_that_added_it_is_refused(
    tmp_path: Path, engine: AsyncEngine, database_url: str
) -> None:
    name, source = ENUM_REVISION
    without_block = substitute(
        source,
        {
            '    with op.get_context().autocommit_block():\n        op.execute("ALTER TYPE': (
                '    op.execute("ALTER TYPE'
            )
        },
    )
    config = migrations(tmp_path, database_url, {"0001.py": INITIAL_REVISION, name: without_block})
    with pytest.raises(DBAPIError, match="unsafe use of new value") as raised:
        await upgrade(config)  # one run: 0001, then 0002 fails
    assert type(driver_error(raised.value)).__name__ == "UnsafeNewEnumValueUsageError"
    assert driver_error(raised.value).sqlstate == "55P04"
    assert await current_revision(engine) == "0001"  # transaction_per_migration kept it
    values = await scalar(
        engine, "SELECT array_agg(e) FROM unnest(enum_range(NULL::task_status)) e"
    )
    assert values == ["todo", "doing", "done"]


def failing_after_the_block(source: str) -> str:
    """The enum revision, failing at the end of its upgrade."""
    return substitute(
        source, {"\n\n\ndef downgrade": '\n    op.execute("SELECT 1 / 0")\n\n\ndef downgrade'}
    )


async def table_exists(engine: AsyncEngine, name: str) -> bool:
    return await scalar(engine, "SELECT to_regclass(:name) IS NOT NULL", name=name) is True


async def test_without_transaction_per_migration_one_failed_run_changes_nothing(
    tmp_path: Path, engine: AsyncEngine, database_url: str
) -> None:
    name, source = ENUM_REVISION
    config = migrations(
        tmp_path,
        database_url,
        {"0001.py": INITIAL_REVISION, name: failing_after_the_block(source)},
        transaction_per_migration=False,
    )
    without_block = substitute(
        failing_after_the_block(source),
        {"    with op.get_context().autocommit_block():\n        op": "    op"},
    )
    (tmp_path / "versions" / name).write_text(without_block, encoding="utf-8")
    with pytest.raises(DBAPIError):
        await upgrade(config)
    assert not await table_exists(engine, "tasks")  # 0001 rolled back with 0002


async def test_autocommit_block_commits_the_revisions_run_before_it(
    tmp_path: Path, engine: AsyncEngine, database_url: str
) -> None:
    """Without `transaction_per_migration`, the block commits 0001 in the middle of the
    run; the failure after it leaves 0001 applied and the new enum value in place."""
    name, source = ENUM_REVISION
    config = migrations(
        tmp_path,
        database_url,
        {"0001.py": INITIAL_REVISION, name: failing_after_the_block(source)},
        transaction_per_migration=False,
    )
    with pytest.raises(DBAPIError, match="division by zero"):
        await upgrade(config)
    assert await table_exists(engine, "tasks")
    assert await current_revision(engine) == "0001"
    assert await scalar(engine, "SELECT 'archived'::task_status::text") == "archived"


async def test_backfill_commits_each_batch_and_a_rerun_continues_where_it_stopped(
    tmp_path: Path, engine: AsyncEngine, database_url: str
) -> None:
    config = migrations(
        tmp_path,
        database_url,
        {
            "0001.py": INITIAL_REVISION,
            ENUM_REVISION[0]: ENUM_REVISION[1],
            BACKFILL_REVISION[0]: BACKFILL_REVISION[1],
        },
    )
    await upgrade(config, "0002")
    async with engine.begin() as connection:
        await connection.execute(
            text("INSERT INTO tasks (status) SELECT 'todo' FROM generate_series(1, 2500)")
        )
        # Fail the second batch, as a lock timeout or a cancelled deploy would.
        await connection.execute(
            text(
                "CREATE FUNCTION stop_second_batch() RETURNS trigger AS $$ BEGIN"
                " IF (SELECT count(*) FROM tasks WHERE priority IS NOT NULL) >= 1000 THEN"
                " RAISE EXCEPTION 'interrupted'; END IF; RETURN NULL; END $$ LANGUAGE plpgsql"
            )
        )
        await connection.execute(
            text(
                "CREATE TRIGGER stop_second_batch BEFORE UPDATE ON tasks"
                " FOR EACH STATEMENT EXECUTE FUNCTION stop_second_batch()"
            )
        )
    with pytest.raises(DBAPIError, match="interrupted"):
        await upgrade(config)
    assert await scalar(engine, "SELECT count(*) FROM tasks WHERE priority = 2") == 1000
    assert await current_revision(engine) == "0002"
    async with engine.begin() as connection:
        await connection.execute(text("DROP TRIGGER stop_second_batch ON tasks"))
    await upgrade(config)
    assert await scalar(engine, "SELECT count(*) FROM tasks WHERE priority IS NULL") == 0
    assert await scalar(engine, "SELECT count(*) FROM tasks WHERE priority = 2") == 2500
    assert await current_revision(engine) == "0003"


async def test_migration_lock_timeout_gives_up_behind_a_long_transaction(
    tmp_path: Path, engine: AsyncEngine, database_url: str
) -> None:
    add_column = textwrap.dedent("""
        from alembic import op
        import sqlalchemy as sa

        revision = "0002"
        down_revision = "0001"


        def upgrade() -> None:
            op.add_column("tasks", sa.Column("note", sa.Text(), nullable=True))


        def downgrade() -> None:
            op.drop_column("tasks", "note")
    """)
    config = migrations(
        tmp_path,
        database_url,
        {"0001.py": INITIAL_REVISION, "0002.py": add_column},
        lock_timeout="200ms",
    )
    await upgrade(config, "0001")
    async with engine.connect() as reader:
        await reader.execute(text("SELECT count(*) FROM tasks"))  # holds ACCESS SHARE
        started = time.monotonic()
        with pytest.raises(DBAPIError) as raised:
            await upgrade(config)
        assert time.monotonic() - started < 5
        await reader.rollback()
    assert type(driver_error(raised.value)).__name__ == "LockNotAvailableError"
    assert await current_revision(engine) == "0001"
    await upgrade(config)
    assert await current_revision(engine) == "0002"


async def test_an_alter_table_waiting_for_its_lock_blocks_every_later_query(
    engine: AsyncEngine,
) -> None:
    async with engine.begin() as connection:
        await connection.execute(text("CREATE TABLE tasks (id int)"))
    async with engine.connect() as reader, engine.connect() as migration, engine.connect() as app:
        await reader.execute(text("SELECT count(*) FROM tasks"))
        alter = asyncio.create_task(migration.execute(text("ALTER TABLE tasks ADD COLUMN x int")))
        await asyncio.sleep(0.3)
        await app.execute(text("SET statement_timeout = '300ms'"))
        with pytest.raises(DBAPIError) as raised:
            await app.execute(text("SELECT count(*) FROM tasks"))  # queued behind the ALTER
        assert type(driver_error(raised.value)).__name__ == "QueryCanceledError"
        assert not alter.done()  # still waiting for the reader's lock
        await reader.rollback()
        await alter
        await migration.commit()


# --- dependency-overrides.md ----------------------------------------------------------


async def current_user(request: Request) -> dict[str, Any]:
    """The real one needs a token; the tests have none."""
    raise HTTPException(status_code=401, detail="Not authenticated")


async def active_user(user: Annotated[dict[str, Any], Depends(current_user)]) -> dict[str, Any]:
    if not user["active"]:
        raise HTTPException(status_code=403, detail="This account is deactivated")
    return user


CurrentUser = Annotated[dict[str, Any], Depends(current_user)]
ActiveUser = Annotated[dict[str, Any], Depends(active_user)]


def get_payments_client(request: Request) -> httpx.AsyncClient:
    client: httpx.AsyncClient = request.app.state.payments
    return client


def overrides_app() -> FastAPI:
    app = FastAPI()
    app.state.payments = httpx.AsyncClient(base_url="https://payments.invalid")

    @app.get("/me")
    async def me(user: ActiveUser) -> dict[str, Any]:
        return user

    @app.post("/orders/{order_id}/checkout", status_code=201)
    async def checkout(
        order_id: int, payments: Annotated[httpx.AsyncClient, Depends(get_payments_client)]
    ) -> dict[str, Any]:
        response = await payments.post("/charges", json={"order_id": order_id, "amount": 1999})
        response.raise_for_status()
        charge: dict[str, Any] = response.json()
        return charge

    return app


async def test_override_keyed_by_the_function_applies_at_every_depth() -> None:
    app = overrides_app()
    user = {"name": "Grace", "active": True}
    run_code(
        page_block("dependency-overrides.md", "dependency_overrides[current_user]"),
        app=app,
        current_user=current_user,
        user=user,
    )
    async with asgi_client(app) as client:
        assert (await client.get("/me")).json() == user
        user["active"] = False
        assert (await client.get("/me")).status_code == 403  # active_user still runs
        del app.dependency_overrides[current_user]
        assert (await client.get("/me")).status_code == 401


async def test_override_keyed_by_the_annotated_alias_is_ignored() -> None:
    app = overrides_app()
    app.dependency_overrides[CurrentUser] = lambda: {"active": True}
    async with asgi_client(app) as client:
        assert (await client.get("/me")).status_code == 401


async def test_override_parameters_become_request_parameters() -> None:
    app = overrides_app()

    def fake_user(user_id: int) -> dict[str, Any]:
        return {"id": user_id, "active": True}

    app.dependency_overrides[current_user] = fake_user
    async with asgi_client(app) as client:
        response = await client.get("/me")
        assert response.status_code == 422
        assert response.json()["detail"][0]["loc"] == ["query", "user_id"]
        assert (await client.get("/me", params={"user_id": 7})).json() == {"id": 7, "active": True}


async def test_the_pages_payments_test_passes_and_restores_the_dependency() -> None:
    app = overrides_app()
    page = run_code(
        page_block("dependency-overrides.md", "async def fake_payments"),
        page_block("dependency-overrides.md", "async def test_checkout_charges_the_order_total"),
        get_payments_client=get_payments_client,
    )
    async with asgi_client(app) as client:
        await page["test_checkout_charges_the_order_total"](app, client)
    assert get_payments_client not in app.dependency_overrides
    await app.state.payments.aclose()


async def test_a_mock_transport_error_reaches_the_app_code() -> None:
    app = overrides_app()
    fake_payments = run_code(
        page_block("dependency-overrides.md", "async def fake_payments"),
        get_payments_client=get_payments_client,
    )["fake_payments"]

    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectTimeout("provider down", request=request)

    def failing(request: httpx.Request) -> httpx.Response:
        return httpx.Response(500)

    async with asgi_client(app) as client:
        async with fake_payments(app, down):
            with pytest.raises(httpx.ConnectTimeout):
                await client.post("/orders/1/checkout")
        async with fake_payments(app, failing):
            with pytest.raises(httpx.HTTPStatusError):
                await client.post("/orders/1/checkout")
    await app.state.payments.aclose()


def test_module_reads_every_new_page() -> None:
    """Each page this module tests exists and has the blocks it runs."""
    for page in (
        "background-work.md",
        "timeouts.md",
        "loading.md",
        "pagination.md",
        "migration-recipes.md",
        "dependency-overrides.md",
    ):
        assert page_blocks(page), page

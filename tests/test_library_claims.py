"""What the skill's pages say about the libraries, tried against the locked versions.

Each test backs one statement of a page (named in its docstring) with the real library:
an upgrade that changes the behaviour fails here, and the page is corrected with it.
Where a database is needed, a throwaway PostgreSQL is started as the sample app's tests
start theirs (`app.devtools.postgres`), or `DATABASE_URL` is used.
"""

# No `from __future__ import annotations`: FastAPI reads the routes' annotations, which
# name dependencies local to the tests.
import asyncio
import contextlib
import importlib.metadata
import os
import re
import subprocess
import sys
import textwrap
import threading
import time
import tomllib
from collections.abc import AsyncIterator, Iterator, MutableMapping
from datetime import datetime
from pathlib import Path
from types import ModuleType
from typing import Annotated, Any

import httpx
import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from fastapi import APIRouter, BackgroundTasks, Depends, FastAPI, Request
from fastapi.exceptions import DependencyScopeError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import StreamingResponse
from packaging.requirements import Requirement
from packaging.version import Version
from pwdlib.hashers.argon2 import Argon2Hasher
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, func, inspect, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError, MissingGreenlet
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.pool import AsyncAdaptedQueuePool, NullPool

from app.core import settings as settings_module
from app.core.settings import Settings
from app.devtools import postgres

ROOT = Path(__file__).resolve().parents[1]
REFERENCES = ROOT / "skills" / "fastapi-guardrails" / "references"
#: The first pytest-asyncio that knows `asyncio_default_test_loop_scope` (its changelog:
#: "Adds configuration option that sets default event loop scope for all tests", #793).
TEST_LOOP_SCOPE_SINCE = Version("0.26")
EVIL_ORIGIN = "https://evil.example"


# ----------------------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def database_url() -> Iterator[str]:
    """DATABASE_URL, or a throwaway PostgreSQL's (empty: no migrations run)."""
    given = os.environ.get("DATABASE_URL")
    if given:
        given = Settings(environment="test", database_url=given).database_url
    with postgres.given_or_throwaway(given) as url:
        yield url


@pytest.fixture
async def connection(database_url: str) -> AsyncIterator[AsyncConnection]:
    """A connection inside a transaction rolled back at the end: tables made here go."""
    engine = create_async_engine(database_url, poolclass=NullPool)
    try:
        async with engine.connect() as connection:
            transaction = await connection.begin()
            try:
                yield connection
            finally:
                await transaction.rollback()
    finally:
        await engine.dispose()


@pytest.fixture(scope="session")
async def session_loop() -> asyncio.AbstractEventLoop:
    return asyncio.get_running_loop()


def _python_block_after(page: Path, heading: str) -> str:
    """The first fenced Python block after `heading` on a page."""
    text = page.read_text(encoding="utf-8")
    section = text.split(f"\n{heading}\n", 1)[1]
    match = re.search(r"^```python\n(.*?)^```", section, re.MULTILINE | re.DOTALL)
    assert match is not None, f"no Python block under {heading!r} in {page.name}"
    return match.group(1)


# ------------------------------------------------------------------------------ claims
async def test_cors_wildcard_with_credentials_echoes_any_origin_with_credentials() -> None:
    """auth-security.md (Secrets and configuration) and FG501's why: Starlette does not
    refuse `["*"]` with credentials, it reflects the caller's Origin and allows cookies."""
    app = FastAPI()
    app.add_middleware(
        CORSMiddleware,
        allow_origins=["*"],
        allow_credentials=True,
        allow_methods=["*"],
        allow_headers=["*"],
    )

    @app.get("/me")
    async def me() -> dict[str, str]:
        return {"email": "victim@example.com"}

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://api") as client:
        simple = await client.get("/me", headers={"Origin": EVIL_ORIGIN})
        preflight = await client.options(
            "/me", headers={"Origin": EVIL_ORIGIN, "Access-Control-Request-Method": "GET"}
        )
    for response in (simple, preflight):
        assert response.status_code == 200
        assert response.headers["access-control-allow-origin"] == EVIL_ORIGIN
        assert response.headers["access-control-allow-credentials"] == "true"


def _pytest_asyncio_lower_bound(pyproject: Path) -> Version:
    data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    for group in data.get("dependency-groups", {}).values():
        for entry in group:
            if not isinstance(entry, str):
                continue
            requirement = Requirement(entry)
            if requirement.name == "pytest-asyncio":
                (bound,) = [s.version for s in requirement.specifier if s.operator == ">="]
                return Version(bound)
    raise AssertionError(f"{pyproject} does not require pytest-asyncio")


@pytest.mark.parametrize("pyproject", ["pyproject.toml", "sample_app/pyproject.toml"])
def test_pytest_asyncio_lower_bound_knows_the_test_loop_scope_option(
    pyproject: str, pytestconfig: pytest.Config
) -> None:
    """testing.md (The client) and the template's stack: the option the pages rely on
    exists from pytest-asyncio 0.26; an older one ignores it as an unknown option."""
    assert _pytest_asyncio_lower_bound(ROOT / pyproject) >= TEST_LOOP_SCOPE_SINCE
    assert pytestconfig.getini("asyncio_default_test_loop_scope") == "session"


async def test_session_scoped_async_fixture_and_test_share_one_event_loop(
    session_loop: asyncio.AbstractEventLoop,
) -> None:
    """testing.md (The client): with both loop scopes "session", a session-scoped async
    fixture (the engine) runs on the test's loop."""
    assert asyncio.get_running_loop() is session_loop


async def test_routing_lifespan_example_disposes_the_engine_it_sets(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """routing.md (Lifespan, not `on_event`, with typed state): the example runs as
    copied, queries through the sessionmaker its state hands on, and disposes the engine
    it made."""
    settings = Settings(environment="test", database_url=database_url)
    monkeypatch.setattr(settings_module, "get_settings", lambda: settings)
    disposed: list[AsyncEngine] = []
    dispose = AsyncEngine.dispose

    async def recording_dispose(engine: AsyncEngine, close: bool = True) -> None:
        disposed.append(engine)
        await dispose(engine, close)

    monkeypatch.setattr(AsyncEngine, "dispose", recording_dispose)
    example = ModuleType("lifespan_example")
    block = _python_block_after(
        REFERENCES / "routing.md", "## Lifespan, not `on_event`, with typed state"
    )
    exec(compile(block, "routing.md", "exec"), example.__dict__)
    app: FastAPI = example.app
    async with app.router.lifespan_context(app) as state:
        # a request's scope holds a shallow copy of the state, as servers give it
        request = Request({"type": "http", "state": dict(state)})
        async with example.state(request)["sessionmaker"]() as session:
            assert await session.scalar(text("SELECT 1")) == 1
    assert disposed == [state["engine"]]


def test_pwdlib_argon2_defaults_cost_64_mib_and_a_visible_time_per_verify() -> None:
    """performance.md (Never block the event loop) and auth-security.md: one verify is
    CPU-bound work measured in tenths of a second, not something for the event loop."""
    argon2 = Argon2Hasher()._hasher
    assert argon2.memory_cost == 64 * 1024  # KiB
    assert argon2.time_cost >= 2
    hasher = Argon2Hasher()
    hashed = hasher.hash("correct horse battery staple")
    started = time.perf_counter()
    assert hasher.verify("correct horse battery staple", hashed)
    assert time.perf_counter() - started > 0.02


async def test_pool_holds_pool_size_plus_max_overflow_connections(database_url: str) -> None:
    """performance.md (Queries): `max_overflow` defaults to 10, so a process may open
    `pool_size + 10` connections, not `pool_size`."""
    engine = create_async_engine(database_url, pool_size=2, pool_timeout=0.5)
    held: list[AsyncConnection] = []
    try:
        for _ in range(2 + 10):
            held.append(await engine.connect())
        assert isinstance(engine.pool, AsyncAdaptedQueuePool)
        assert engine.pool.checkedout() == 12
        with pytest.raises(PoolTimeoutError):
            await engine.connect()
    finally:
        for connection in held:
            await connection.close()
        await engine.dispose()


def test_sqlalchemy_installs_greenlet_only_with_its_asyncio_extra() -> None:
    """The template's stack and SKILL.md: plain `sqlalchemy` does not bring greenlet;
    `sqlalchemy[asyncio]` does."""
    requirements = [Requirement(r) for r in importlib.metadata.requires("sqlalchemy") or []]
    greenlet = [r for r in requirements if r.name == "greenlet"]
    assert greenlet
    for requirement in greenlet:
        assert requirement.marker is not None
        assert not requirement.marker.evaluate({"extra": ""})
        assert requirement.marker.evaluate({"extra": "asyncio"})


def test_async_engine_without_greenlet_fails_at_the_first_connection() -> None:
    """The template's stack: without greenlet, the first query (not the import) fails."""
    script = textwrap.dedent(
        """
        import asyncio, sys
        sys.modules["greenlet"] = None  # as if it were not installed
        from sqlalchemy import text
        from sqlalchemy.ext.asyncio import create_async_engine

        async def main():
            engine = create_async_engine("postgresql+asyncpg://postgres@127.0.0.1:9/app")
            async with engine.connect() as connection:
                await connection.execute(text("SELECT 1"))

        asyncio.run(main())
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60
    )
    assert result.returncode != 0
    assert "ImportError" in result.stderr
    assert "sqlalchemy[asyncio]" in result.stderr


async def test_asyncpg_connection_refused_is_a_bare_oserror_not_a_dbapi_error() -> None:
    """database.md (Engine and sessions): asyncpg's network failures reach the caller as
    `OSError`s SQLAlchemy does not wrap, so the sample turns them into OperationalError
    instead of mapping every `OSError` to "database unavailable"."""
    engine = create_async_engine("postgresql+asyncpg://postgres@127.0.0.1:9/app")
    try:
        with pytest.raises(ConnectionRefusedError) as raised:
            async with engine.connect():
                pass
        assert isinstance(raised.value, OSError)
        assert not isinstance(raised.value, DBAPIError)
    finally:
        await engine.dispose()


def _session_and_events() -> tuple[Any, list[str]]:
    events: list[str] = []

    async def get_session() -> AsyncIterator[str]:
        events.append("session opened")
        yield "session"
        events.append("session committed")

    return get_session, events


def test_yield_dependency_taking_a_function_scoped_session_fails_at_registration() -> None:
    """database.md (One transaction per request): a yield dependency of the default
    ("request") scope cannot take `SessionDep`; FastAPI refuses the route."""
    get_session, _ = _session_and_events()
    session_dep = Annotated[str, Depends(get_session, scope="function")]

    async def get_unit_of_work(session: session_dep) -> AsyncIterator[str]:
        yield session

    async def get_function_scoped_unit_of_work(session: session_dep) -> AsyncIterator[str]:
        yield session

    app = FastAPI()
    with pytest.raises(DependencyScopeError):

        @app.get("/bad")
        async def bad(work: Annotated[str, Depends(get_unit_of_work)]) -> None:
            """Never registered."""

    @app.get("/good")
    async def good(
        work: Annotated[str, Depends(get_function_scoped_unit_of_work, scope="function")],
    ) -> None:
        """A yield dependency that is itself function-scoped may take it."""


def _record_response_start(app: FastAPI, events: list[str]) -> Any:
    async def recording_app(scope: Any, receive: Any, send: Any) -> None:
        async def recording_send(message: MutableMapping[str, Any]) -> None:
            if message["type"] == "http.response.start":
                events.append("response started")
            await send(message)

        await app(scope, receive, recording_send)

    return recording_app


@pytest.mark.parametrize(
    ("scope", "expected"),
    [
        ("function", ["session opened", "session committed", "response started"]),
        ("request", ["session opened", "response started", "session committed"]),
    ],
)
async def test_function_scope_commits_before_the_response_starts(
    scope: str, expected: list[str]
) -> None:
    """database.md (One transaction per request): with `scope="function"` the session's
    exit (the commit) runs before the response starts; with the default, after it."""
    get_session, events = _session_and_events()
    app = FastAPI()

    @app.get("/projects")
    async def projects(session: Annotated[str, Depends(get_session, scope=scope)]) -> list[str]:
        return []

    transport = httpx.ASGITransport(app=_record_response_start(app, events))
    async with httpx.AsyncClient(transport=transport, base_url="http://api") as client:
        assert (await client.get("/projects")).status_code == 200
    assert events == expected


async def test_background_tasks_and_streamed_bodies_run_after_the_session_closed() -> None:
    """database.md (One transaction per request): work after the response (a background
    task, a streamed body) cannot use the request's session: it was committed and closed."""
    get_session, events = _session_and_events()
    session_dep = Annotated[str, Depends(get_session, scope="function")]
    app = FastAPI()

    @app.post("/exports")
    async def export(session: session_dep, tasks: BackgroundTasks) -> dict[str, str]:
        tasks.add_task(events.append, "background task")
        return {}

    @app.get("/exports/stream")
    async def stream(session: session_dep) -> StreamingResponse:
        async def body() -> AsyncIterator[bytes]:
            events.append("body streamed")
            yield b"row\n"

        return StreamingResponse(body())

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://api") as client:
        await client.post("/exports")
        await client.get("/exports/stream")
    assert events == [
        "session opened",
        "session committed",
        "background task",
        "session opened",
        "session committed",
        "body streamed",
    ]


class _ClaimsBase(DeclarativeBase):
    metadata = MetaData()


class _Note(_ClaimsBase):
    """A model with the mapper's default `eager_defaults` ("auto")."""

    __tablename__ = "claims_note"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str]
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )


async def test_eager_defaults_auto_fetches_insert_defaults_and_expires_update_values(
    connection: AsyncConnection,
) -> None:
    """database.md (Server-generated values): on PostgreSQL the default fetches INSERT's
    server defaults with RETURNING; a value set by an UPDATE is expired, and reading it
    later is IO that async code cannot do implicitly."""
    assert _Note.__mapper__.eager_defaults == "auto"
    await connection.run_sync(_ClaimsBase.metadata.create_all)
    async with AsyncSession(bind=connection, join_transaction_mode="create_savepoint") as session:
        note = _Note(title="draft")
        session.add(note)
        await session.flush()
        assert not inspect(note).unloaded
        assert isinstance(note.created_at, datetime)
        note.title = "final"
        await session.flush()
        assert inspect(note).expired_attributes == {"updated_at"}
        with pytest.raises(MissingGreenlet):
            _ = note.updated_at


def test_validate_by_name_accepts_the_field_name_and_the_alias() -> None:
    """schemas.md (v1 to v2): `validate_by_name` (Pydantic 2.11+) replaces v1's
    `allow_population_by_field_name`; the alias still works."""

    class UserRead(BaseModel):
        model_config = ConfigDict(validate_by_name=True)

        full_name: str = Field(alias="fullName")

    assert UserRead.model_validate({"full_name": "Ada"}).full_name == "Ada"
    assert UserRead.model_validate({"fullName": "Ada"}).full_name == "Ada"


async def test_alembic_compares_column_types_by_default(connection: AsyncConnection) -> None:
    """migrations.md (Async env): `compare_type` is on by default (Alembic 1.12+), so
    autogenerate sees a changed column type without configuring it."""
    await connection.execute(
        text("CREATE TABLE claims_label (id integer PRIMARY KEY, name varchar(20))")
    )
    wanted = MetaData()
    Table(
        "claims_label", wanted, Column("id", Integer, primary_key=True), Column("name", String(80))
    )

    def differences(sync_connection: Connection) -> list[Any]:
        return list(compare_metadata(MigrationContext.configure(sync_connection), wanted))

    diffs = await connection.run_sync(differences)
    modified = [d for group in diffs for d in (group if isinstance(group, list) else [group])]
    assert [d[0] for d in modified] == ["modify_type"]
    assert str(modified[0][-1]) == "VARCHAR(80)"


# ----------------------------------------------------------------------------- passlib
_PASSLIB_HASH = """
import logging
logging.basicConfig(level=logging.WARNING)
from passlib.context import CryptContext
try:
    CryptContext(schemes=["bcrypt"]).hash("correct horse")
    print("hashed")
except ValueError as error:
    print("ValueError", error)
"""
_UNREACHABLE = ("connect", "resolve", "network", "timed out", "dns")


@pytest.fixture(scope="module")
def passlib_python(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A throwaway virtual environment with passlib 1.7.4 (its last release)."""
    import shutil

    uv = shutil.which("uv")
    assert uv is not None, "uv runs this repository's tests"
    venv = tmp_path_factory.mktemp("passlib") / "venv"
    subprocess.run([uv, "venv", "--quiet", "--python", sys.executable, str(venv)], check=True)
    python = venv / "bin" / "python"
    _install(uv, python, "passlib==1.7.4")
    return python


def _install(uv: str, python: Path, *requirements: str) -> None:
    installed = subprocess.run(
        [uv, "pip", "install", "--quiet", "--python", str(python), *requirements],
        capture_output=True,
        text=True,
        timeout=300,
    )
    if installed.returncode != 0:
        reason = installed.stderr.strip()
        if any(word in reason.lower() for word in _UNREACHABLE):
            pytest.skip(f"the package index is unreachable: {reason.splitlines()[-1]}")
        pytest.fail(f"installing {requirements} failed: {reason}")


@pytest.mark.parametrize(
    ("bcrypt", "breaks"), [("4.3.0", False), ("5.0.0", True)], ids=["bcrypt-4.3", "bcrypt-5.0"]
)
def test_passlib_breaks_with_bcrypt_5_and_only_logs_with_4_1_to_4_3(
    passlib_python: Path, bcrypt: str, breaks: bool
) -> None:
    """auth-security.md and SKILL.md: passlib fails with bcrypt 5.0 (its self-test hashes a
    secret over 72 bytes); 4.1-4.3 only log the trapped `__about__` error."""
    import shutil

    uv = shutil.which("uv")
    assert uv is not None
    _install(uv, passlib_python, f"bcrypt=={bcrypt}")
    ran = subprocess.run(
        [str(passlib_python), "-c", _PASSLIB_HASH], capture_output=True, text=True, check=True
    )
    if breaks:
        assert ran.stdout.startswith("ValueError"), ran.stdout
        assert "72 bytes" in ran.stdout
    else:
        assert ran.stdout.strip() == "hashed"
        assert "error reading bcrypt version" in ran.stderr


_PASSLIB_VERIFY_ONLY = """
import bcrypt
from passlib.context import CryptContext
context = CryptContext(schemes=["argon2", "bcrypt"], deprecated="auto")
new = context.hash("correct horse")
print(new.split("$")[1], context.verify("correct horse", new))
stored = bcrypt.hashpw(b"correct horse", bcrypt.gensalt()).decode()
try:
    print(context.verify("correct horse", stored))
except ValueError as error:
    print("ValueError", error)
"""


def test_passlib_hashes_with_argon2_first_and_fails_on_stored_bcrypt_hashes(
    passlib_python: Path,
) -> None:
    """FG504's message for `CryptContext(schemes=["argon2", "bcrypt"])` (reader 55): with
    bcrypt 5.0 new passwords hash and verify with Argon2; checking a stored bcrypt hash
    raises `ValueError` (the self-test passlib runs when bcrypt is first used)."""
    import shutil

    uv = shutil.which("uv")
    assert uv is not None
    _install(uv, passlib_python, "bcrypt==5.0.0", "argon2-cffi")
    ran = subprocess.run(
        [str(passlib_python), "-c", _PASSLIB_VERIFY_ONLY],
        capture_output=True,
        text=True,
        check=True,
    )
    first, second = ran.stdout.splitlines()
    assert first == "argon2id True"
    assert second.startswith("ValueError")
    assert "72 bytes" in second


async def test_on_event_handlers_run_deprecated_and_never_beside_a_lifespan() -> None:
    """FG406: FastAPI keeps `on_event` working (deprecated) with its own implementation
    on a Starlette that removed the event handlers, and a lifespan given to the app
    replaces them: its `on_event` handlers never run."""
    ran: list[str] = []

    def recorded(app: FastAPI) -> FastAPI:
        with pytest.warns(DeprecationWarning, match="on_event is deprecated"):

            @app.on_event("startup")
            async def startup() -> None:
                ran.append("on_event")

        return app

    alone = recorded(FastAPI())
    async with alone.router.lifespan_context(alone):
        pass
    assert ran == ["on_event"]

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        ran.append("lifespan")
        yield

    ran.clear()
    both = recorded(FastAPI(lifespan=lifespan))
    async with both.router.lifespan_context(both):
        pass
    assert ran == ["lifespan"]


def test_add_event_handler_is_gone_on_starlette_1() -> None:
    """FG406's other half: `app.add_event_handler("startup", f)`, which FastAPI does not
    keep where Starlette removed it (1.0): an `AttributeError` when the module runs."""
    import starlette

    app = FastAPI()
    major = int(starlette.__version__.split(".")[0])
    assert major >= 1, "the claim is about Starlette 1.x: the locked version must be one"
    with pytest.raises(AttributeError, match="add_event_handler"):
        app.add_event_handler("startup", lambda: None)  # type: ignore[attr-defined]


async def test_asyncio_starts_a_process_with_popen_on_the_loops_thread(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """FG303 leaves a `subprocess.Popen` the coroutine only starts: asyncio's own
    `create_subprocess_exec` calls `subprocess.Popen` on the event loop's thread, so the
    start costs the loop the same either way; waiting and the pipes are what differ."""
    threads: list[int] = []
    real = subprocess.Popen

    def recording(*args: Any, **kwargs: Any) -> subprocess.Popen[bytes]:
        threads.append(threading.get_ident())
        return real(*args, **kwargs)

    monkeypatch.setattr(subprocess, "Popen", recording)
    process = await asyncio.create_subprocess_exec(sys.executable, "-c", "pass")
    assert await process.wait() == 0
    assert threads == [threading.get_ident()]


async def test_a_routers_add_event_handler_is_kept_and_runs_on_starlette_1() -> None:
    """FG406 holds back `router.add_event_handler(...)`: FastAPI's `APIRouter` (and so a
    FastAPI app's `.router`) keeps the method Starlette 1.0 removed, for backward
    compatibility, and the handler runs at start-up as an `on_event` one does."""
    ran: list[str] = []
    router = APIRouter()
    router.add_event_handler("startup", lambda: ran.append("router"))
    app = FastAPI()
    app.include_router(router)
    app.router.add_event_handler("startup", lambda: ran.append("app.router"))
    async with app.router.lifespan_context(app):
        pass
    assert {"router", "app.router"} <= set(ran)


def test_fastapi_parameter_functions_take_what_fg211_knows_and_refuse_the_rest() -> None:
    """FG211's page: FastAPI's `Query()`, `Body()`, ... take their own parameters, and
    since 0.155 (no `**extra`) another keyword is a `TypeError` when the route's module is
    imported (`Body(0, max=100)`, Langchain-Chatchat's)."""
    import inspect

    import fastapi
    from fastapi import Body

    from checks.rules.pydantic_v1_api import (
        _FASTAPI_OWN_PARAMETERS,
        _FASTAPI_PARAMETERS,
        _fastapi_extra,
    )

    for name in ("Query", "Path", "Body", "Form", "File", "Header", "Cookie"):
        taken = set(inspect.signature(getattr(fastapi, name)).parameters)
        known = {*_FASTAPI_PARAMETERS, *_FASTAPI_OWN_PARAMETERS.get(name, ())}
        assert taken == known - {"min_items", "max_items"}, name  # FG409's, gone
        assert not any(_fastapi_extra(f"fastapi.{name}", keyword) for keyword in taken)
    assert Version(fastapi.__version__) >= Version("0.155")
    with pytest.raises(TypeError, match="max"):
        Body(0, max=100)  # type: ignore[call-arg]


def test_a_field_validators_third_argument_is_no_dict_on_pydantic_2() -> None:
    """FG208: a `@field_validator` reading its third argument as v1's `values` dict
    raises when it runs (`AttributeError` for `.get`, `TypeError` for `[...]`); its
    `.data` holds the fields validated before (pogchamp's `assemble_db_connection`)."""
    from pydantic import ValidationInfo, field_validator

    class Settings(BaseModel):
        user: str = "app"
        url: str

        @field_validator("url")
        @classmethod
        def with_get(cls, value: str, values: Any) -> str:
            return f"{values.get('user')}@{value}"

    class Indexed(BaseModel):
        user: str = "app"
        url: str

        @field_validator("url")
        @classmethod
        def with_index(cls, value: str, values: Any) -> str:
            return f"{values['user']}@{value}"

    class Fixed(BaseModel):
        user: str = "app"
        url: str

        @field_validator("url")
        @classmethod
        def with_data(cls, value: str, info: ValidationInfo) -> str:
            return f"{info.data['user']}@{value}"

    with pytest.raises(AttributeError, match="has no attribute 'get'"):
        Settings(url="db")
    with pytest.raises(TypeError, match="not subscriptable"):
        Indexed(url="db")
    assert Fixed(url="db").url == "app@db"


def test_a_scalar_has_no_first_and_scalars_first_gives_the_row() -> None:
    """FG103: `result.scalar().first()` raises `AttributeError` (the selected object has
    no `first()`); `result.scalars().first()`, the unsafe fix, gives the object."""
    from sqlalchemy import create_engine, select
    from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

    class Base(DeclarativeBase):
        pass

    class Shift(Base):
        __tablename__ = "shifts"
        id: Mapped[int] = mapped_column(primary_key=True)

    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        session.add(Shift(id=7))
        session.commit()
        with pytest.raises(AttributeError, match="has no attribute 'first'"):
            session.execute(select(Shift)).scalar().first()
        assert session.execute(select(Shift)).scalars().first().id == 7

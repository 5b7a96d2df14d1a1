"""Schemathesis against the app's own OpenAPI schema, every operation, authenticated:
no 5xx, and every response conforms to the schema (status code documented, body valid).

The app runs under uvicorn on loopback with its own engine and pool (requests commit),
so the generated requests meet the real stack. Bounded: a few examples per operation,
no deadline; every user the run registers is deleted afterwards, with what it owns.
"""

from __future__ import annotations

import asyncio
import socket
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import Future

import httpx
import pytest
import schemathesis
import uvicorn
from hypothesis import HealthCheck, given, settings
from schemathesis import Case
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine
from support import FAST_HASHER, PASSWORD, ParkedThread

from app.core.settings import Settings
from app.main import create_app

EXAMPLES_PER_OPERATION = 15
#: What the app promises: no 5xx, and responses as documented (status, content type,
#: headers, body). Not checked: whether every schema-valid value is accepted (an
#: `email` the schema allows may still be refused by email-validator, with a 422).
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class _Served:
    """The app under uvicorn in a thread, and a bearer token of a fresh user."""

    def __init__(self, app_settings: Settings) -> None:
        self.settings = app_settings.model_copy(update={"auth_rate_limit_per_minute": 10_000})
        self.port = _free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.email = f"fuzz-{uuid.uuid4().hex[:12]}@example.com"
        config = uvicorn.Config(
            create_app(self.settings, hasher=FAST_HASHER),
            host="127.0.0.1",
            port=self.port,
            log_level="warning",
            lifespan="on",
        )
        self.server = uvicorn.Server(config)
        self.thread = ParkedThread("uvicorn")  # why not a thread that ends: see its docs
        self.stopped: Future[None] | None = None

    def _run(self, statement: str, **params: object) -> list[object]:
        engine = create_async_engine(self.settings.database_url)

        async def execute() -> list[object]:
            async with engine.begin() as connection:
                result = await connection.execute(text(statement), params)
                rows = list(result.scalars()) if result.returns_rows else []
            await engine.dispose()
            return rows

        return asyncio.run(execute())

    def __enter__(self) -> _Served:
        #: the users before fuzzing; every user it registers is deleted afterwards, and
        #: with them (foreign keys cascade) their projects, tasks, tags and tokens
        self.existing = self._run("select id from users")
        self.stopped = self.thread.submit(self.server.run)
        deadline = time.monotonic() + 20
        while not self.server.started:
            assert time.monotonic() < deadline, "uvicorn did not start"
            time.sleep(0.05)
        with httpx.Client(base_url=self.base_url) as client:
            client.post("/api/v1/auth/register", json={"email": self.email, "password": PASSWORD})
            login = client.post(
                "/api/v1/auth/login", data={"username": self.email, "password": PASSWORD}
            )
            self.token = login.json()["access_token"]
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        if self.stopped is not None:
            self.stopped.result(timeout=20)
        self._run("delete from users where id <> all(:existing)", existing=self.existing)
        self._run("delete from rate_limit_counters")  # its clients' address is everyone's


@pytest.fixture(scope="module")
def served(database_url: str) -> Iterator[_Served]:
    app_settings = Settings(
        environment="test", database_url=database_url, log_json=False, log_level="WARNING"
    )
    with _Served(app_settings) as running:
        yield running


def test_no_server_error_and_every_response_matches_the_schema(served: _Served) -> None:
    schema = schemathesis.openapi.from_url(f"{served.base_url}/openapi.json")
    headers = {"Authorization": f"Bearer {served.token}"}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20  # every route of the app is in the schema
    failures: list[str] = []
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=None,
            derandomize=True,  # the same examples on every run: CI stays reproducible
        )
        def run(case: Case) -> None:
            case.call_and_validate(base_url=served.base_url, headers=headers, checks=CHECKS)

        try:
            run()
        except Exception as error:  # collect every operation's failure, then report all
            failures.append(f"{operation.label}: {error}")
    assert not failures, "\n\n".join(failures)

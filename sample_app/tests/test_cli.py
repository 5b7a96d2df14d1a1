"""The operator's command for the first administrator, against the real database: it
commits for real (outside the test's transaction), so each test removes what it made."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from support import FAST_HASHER, PASSWORD, PASSWORD_HASH, SAMPLE_APP_DIR

from app.cli import create_admin
from app.core.settings import Settings

ADMIN = "first.admin@example.com"


@pytest.fixture
async def forget_admin(engine: AsyncEngine) -> AsyncIterator[None]:
    yield
    async with engine.begin() as connection:
        await connection.execute(text("delete from users where email = :email"), {"email": ADMIN})


async def stored(engine: AsyncEngine) -> list[tuple[str, bool, str]]:
    """(role, is_active, password_hash) of every account with the admin's email."""
    async with engine.connect() as connection:
        rows = await connection.execute(
            text("select role, is_active, password_hash from users where email = :email"),
            {"email": ADMIN},
        )
        return [(row.role, row.is_active, row.password_hash) for row in rows]


@pytest.mark.usefixtures("forget_admin")
async def test_create_admin_makes_an_active_admin_who_can_sign_in(
    settings: Settings, engine: AsyncEngine, client: httpx.AsyncClient
) -> None:
    outcome = await create_admin(settings, "  First.Admin@Example.COM", PASSWORD, FAST_HASHER)
    assert outcome == "created"
    [(role, is_active, _)] = await stored(engine)
    assert (role, is_active) == ("admin", True)
    login = await client.post("/api/v1/auth/login", data={"username": ADMIN, "password": PASSWORD})
    assert login.status_code == 200
    me = await client.get(
        "/api/v1/auth/me", headers={"Authorization": f"Bearer {login.json()['access_token']}"}
    )
    assert me.json()["role"] == "admin"


@pytest.mark.usefixtures("forget_admin")
async def test_create_admin_run_twice_changes_nothing_the_second_time(
    settings: Settings, engine: AsyncEngine
) -> None:
    assert await create_admin(settings, ADMIN, PASSWORD, FAST_HASHER) == "created"
    first = await stored(engine)
    again = await create_admin(settings, ADMIN, "another long password", FAST_HASHER)
    assert again == "unchanged"
    assert await stored(engine) == first


@pytest.mark.usefixtures("forget_admin")
async def test_create_admin_promotes_an_existing_user_and_keeps_their_password(
    settings: Settings, engine: AsyncEngine
) -> None:
    async with engine.begin() as connection:
        await connection.execute(
            text(
                "insert into users (id, email, password_hash, role, is_active) "
                "values (gen_random_uuid(), :email, :hash, 'user', false)"
            ),
            {"email": ADMIN, "hash": PASSWORD_HASH},
        )
    outcome = await create_admin(settings, ADMIN, "another long password", FAST_HASHER)
    assert outcome == "promoted"
    assert await stored(engine) == [("admin", True, PASSWORD_HASH)]


def _run_command(database_url: str, stdin: str) -> subprocess.CompletedProcess[str]:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("APP_")},
        "DATABASE_URL": database_url,
        "APP_ENVIRONMENT": "test",
    }
    return subprocess.run(
        [sys.executable, "-m", "app.cli", "create-admin", "--email", ADMIN],
        cwd=SAMPLE_APP_DIR,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.usefixtures("forget_admin")
async def test_the_command_reads_the_password_from_stdin_and_never_prints_it(
    database_url: str, engine: AsyncEngine
) -> None:
    refused = _run_command(database_url, "short\n")
    assert refused.returncode == 2
    assert "password" in refused.stderr
    assert "short" not in refused.stdout + refused.stderr
    assert await stored(engine) == []
    created = _run_command(database_url, PASSWORD + "\n")
    assert created.returncode == 0, created.stderr
    assert "created" in created.stdout
    assert PASSWORD not in created.stdout + created.stderr
    [(role, _, _)] = await stored(engine)
    assert role == "admin"

"""The scheduled purge of refresh tokens: what nobody can use any more goes, what reuse
detection still needs stays, and the app's lifespan runs it on schedule."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from support import FAST_HASHER, PASSWORD, Factory, assert_error

from app.auth.jobs import purge_refresh_tokens
from app.auth.models import RefreshToken
from app.core.settings import Settings
from app.main import create_app
from app.users.models import User

NOW = datetime.now(UTC)
DAY = timedelta(days=1)


def token(
    user: User, family: uuid.UUID, expires_in: timedelta, revoked: bool = False
) -> RefreshToken:
    return RefreshToken(
        user_id=user.id,
        family_id=family,
        token_hash=uuid.uuid4().hex,
        expires_at=NOW + expires_in,
        revoked_at=NOW - DAY if revoked else None,
    )


async def remaining(db: AsyncSession, user: User) -> set[uuid.UUID]:
    rows = await db.scalars(
        select(RefreshToken.id)
        .where(RefreshToken.user_id == user.id)
        .execution_options(populate_existing=True)
    )
    return set(rows.all())


async def test_the_purge_deletes_what_nobody_can_use_and_keeps_what_reuse_detection_needs(
    db: AsyncSession, factory: Factory, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    user = await factory.user()
    rotated, successor = uuid.uuid4(), uuid.uuid4()
    signed_out, expired = uuid.uuid4(), uuid.uuid4()
    kept = [
        token(user, rotated, 10 * DAY, revoked=True),  # its reuse revokes the family
        token(user, rotated, 14 * DAY),
    ]
    gone = [
        token(user, signed_out, 10 * DAY, revoked=True),  # no live token left in the family
        token(user, signed_out, 14 * DAY, revoked=True),
        token(user, expired, -DAY),
        token(user, successor, -DAY, revoked=True),  # expired: its reuse is refused anyway
    ]
    db.add_all([*kept, *gone, token(user, successor, 14 * DAY)])
    await db.flush()
    purged = await purge_refresh_tokens(sessionmaker)
    assert purged == len(gone)
    assert {t.id for t in kept} <= await remaining(db, user)
    assert not {t.id for t in gone} & await remaining(db, user)


async def test_a_rotated_token_presented_after_a_purge_still_revokes_its_family(
    client: httpx.AsyncClient,
    factory: Factory,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    await factory.user(email="purged@example.com")
    credentials = {"username": "purged@example.com", "password": PASSWORD}
    first = (await client.post("/api/v1/auth/login", data=credentials)).json()
    refresh = "/api/v1/auth/refresh"
    rotated = (await client.post(refresh, json={"refresh_token": first["refresh_token"]})).json()
    await purge_refresh_tokens(sessionmaker)
    reused = await client.post(refresh, json={"refresh_token": first["refresh_token"]})
    assert_error(reused, 401, "refresh_token_reused")
    after = await client.post(refresh, json={"refresh_token": rotated["refresh_token"]})
    assert_error(after, 401, "refresh_token_reused")


async def test_the_lifespan_runs_the_purge_on_schedule_and_stops_it_at_shutdown(
    settings: Settings, engine: AsyncEngine
) -> None:
    """With the app's own engine: the job commits for real, so this test cleans up."""
    app = create_app(
        settings.model_copy(update={"purge_interval_seconds": 0.05}), hasher=FAST_HASHER
    )
    email = f"purge-{uuid.uuid4().hex[:8]}@example.com"
    async with engine.begin() as conn:
        user_id = await conn.scalar(
            text(
                "insert into users (id, email, password_hash, role, is_active) "
                "values (gen_random_uuid(), :email, 'x', 'user', true) returning id"
            ),
            {"email": email},
        )
        await conn.execute(
            text(
                "insert into refresh_tokens (id, user_id, family_id, token_hash, expires_at) "
                "values (gen_random_uuid(), :user_id, gen_random_uuid(), :hash, now() - "
                "interval '1 day')"
            ),
            {"user_id": user_id, "hash": uuid.uuid4().hex},
        )
    count = text("select count(*) from refresh_tokens where user_id = :user_id")
    try:
        async with app.router.lifespan_context(app):
            deadline = asyncio.get_running_loop().time() + 10
            left = 1
            while left and asyncio.get_running_loop().time() < deadline:
                await asyncio.sleep(0.05)
                async with engine.connect() as conn:
                    left = await conn.scalar(count, {"user_id": user_id})
            assert left == 0
        running = [task.get_name() for task in asyncio.all_tasks()]
        assert "purge_refresh_tokens" not in running
    finally:
        async with engine.begin() as conn:
            await conn.execute(text("delete from users where id = :id"), {"id": user_id})

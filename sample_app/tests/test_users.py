"""Profile updates and the admin's user management."""

from __future__ import annotations

import uuid

import httpx
from sqlalchemy import select
from support import PASSWORD, Factory, assert_error

from app.auth.models import RefreshToken
from app.users.models import User, UserRole

ME = "/api/v1/users/me"
USERS = "/api/v1/users"


async def test_update_me_with_null_full_name_clears_it(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    user = await factory.user(full_name="Grace")
    response = await client.patch(ME, json={"full_name": None}, headers=factory.headers(user))
    assert response.status_code == 200
    assert response.json()["full_name"] is None
    assert (await factory.fetch(User, id=user.id)).full_name is None


async def test_update_me_with_empty_body_changes_nothing(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    user = await factory.user(full_name="Grace")
    response = await client.patch(ME, json={}, headers=factory.headers(user))
    assert response.json()["full_name"] == "Grace"


async def test_update_me_password_lets_the_user_log_in_with_it(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    user = await factory.user(email="pw@example.com")
    new_password = "another long password"
    response = await client.patch(
        ME,
        json={"password": new_password, "current_password": PASSWORD},
        headers=factory.headers(user),
    )
    assert response.status_code == 200
    login = await client.post(
        "/api/v1/auth/login", data={"username": "pw@example.com", "password": new_password}
    )
    assert login.status_code == 200


async def test_update_me_password_without_current_password_returns_422(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    user = await factory.user()
    headers = factory.headers(user)
    missing = await client.patch(ME, json={"password": "a new long password"}, headers=headers)
    assert assert_error(missing, 422, "invalid_input")["details"] == {"field": "current_password"}
    cleared = await client.patch(
        ME, json={"password": None, "current_password": PASSWORD}, headers=headers
    )
    assert assert_error(cleared, 422, "invalid_input")["details"] == {"field": "password"}
    assert (await factory.fetch(User, id=user.id)).password_hash == user.password_hash


async def test_update_me_password_with_wrong_current_password_returns_403_and_keeps_it(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    user = await factory.user(full_name="Grace")
    response = await client.patch(
        ME,
        json={
            "password": "a new long password",
            "current_password": "not my password",
            "full_name": "Eve",
        },
        headers=factory.headers(user),
    )
    assert_error(response, 403, "wrong_password")
    stored = await factory.fetch(User, id=user.id)
    assert (stored.password_hash, stored.full_name) == (user.password_hash, "Grace")


async def test_update_me_password_revokes_every_refresh_token(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    user = await factory.user(email="sessions@example.com")
    credentials = {"username": "sessions@example.com", "password": PASSWORD}
    sessions = [
        (await client.post("/api/v1/auth/login", data=credentials)).json() for _ in range(2)
    ]
    response = await client.patch(
        ME,
        json={"password": "a new long password", "current_password": PASSWORD},
        headers=factory.headers(user),
    )
    assert response.status_code == 200
    for tokens in sessions:
        refreshed = await client.post(
            "/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]}
        )
        assert refreshed.status_code == 401
    live = await factory.db.scalars(
        select(RefreshToken).where(
            RefreshToken.user_id == user.id, RefreshToken.revoked_at.is_(None)
        )
    )
    assert live.all() == []


async def test_guessing_the_current_password_more_than_five_times_a_minute_returns_429(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    user = await factory.user(full_name="Grace")
    headers = factory.headers(user)
    guesses = [
        await client.patch(
            ME,
            json={"password": "a new long password", "current_password": f"guess {n}"},
            headers=headers,
        )
        for n in range(6)
    ]
    assert [guess.status_code for guess in guesses] == [403] * 5 + [429]
    assert int(guesses[-1].headers["Retry-After"]) > 0
    right = await client.patch(
        ME, json={"password": "a new long password", "current_password": PASSWORD}, headers=headers
    )
    assert_error(right, 429, "rate_limited")
    renamed = await client.patch(ME, json={"full_name": "Eve"}, headers=headers)
    assert renamed.status_code == 200  # only password changes count


async def test_update_me_with_unknown_field_returns_422(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    user = await factory.user()
    response = await client.patch(ME, json={"role": "admin"}, headers=factory.headers(user))
    assert_error(response, 422, "validation_error")


async def test_list_users_as_non_admin_returns_403(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    user = await factory.user()
    assert_error(await client.get(USERS, headers=factory.headers(user)), 403, "forbidden")


async def test_list_users_as_admin_returns_a_page_with_total(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    admin = await factory.user(role=UserRole.ADMIN, email="admin@example.com")
    for n in range(3):
        await factory.user(email=f"u{n}@example.com", is_active=n != 1)
    response = await client.get(
        USERS, params={"limit": 2, "sort": "email"}, headers=factory.headers(admin)
    )
    body = response.json()
    assert (body["total"], body["limit"], body["offset"]) == (4, 2, 0)
    assert [u["email"] for u in body["items"]] == ["admin@example.com", "u0@example.com"]
    inactive = await client.get(USERS, params={"is_active": False}, headers=factory.headers(admin))
    assert [u["email"] for u in inactive.json()["items"]] == ["u1@example.com"]


async def test_list_users_with_limit_over_100_returns_422(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    admin = await factory.user(role=UserRole.ADMIN)
    response = await client.get(USERS, params={"limit": 101}, headers=factory.headers(admin))
    assert_error(response, 422, "validation_error")


async def test_admin_deactivates_a_user_who_then_gets_403(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    admin = await factory.user(role=UserRole.ADMIN)
    user = await factory.user()
    response = await client.patch(
        f"{USERS}/{user.id}", json={"is_active": False}, headers=factory.headers(admin)
    )
    assert response.json()["is_active"] is False
    assert_error(
        await client.get("/api/v1/auth/me", headers=factory.headers(user)), 403, "forbidden"
    )


async def test_admin_update_of_unknown_user_returns_404(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    admin = await factory.user(role=UserRole.ADMIN)
    response = await client.patch(
        f"{USERS}/{uuid.uuid4()}", json={"role": "admin"}, headers=factory.headers(admin)
    )
    assert_error(response, 404, "not_found")


async def test_token_of_a_deleted_user_returns_401(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    user = await factory.user()
    headers = factory.headers(user)
    await factory.db.delete(user)
    await factory.db.flush()
    assert_error(await client.get("/api/v1/auth/me", headers=headers), 401, "unauthorized")


async def test_admin_cannot_demote_or_deactivate_the_last_admin(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    admin = await factory.user(role=UserRole.ADMIN)
    await factory.user(role=UserRole.ADMIN, is_active=False)  # does not count
    headers = factory.headers(admin)
    for change in ({"role": "user"}, {"is_active": False}):
        response = await client.patch(f"{USERS}/{admin.id}", json=change, headers=headers)
        assert_error(response, 409, "last_admin")
    stored = await factory.fetch(User, id=admin.id)
    assert (stored.role, stored.is_active) == (UserRole.ADMIN, True)


async def test_admin_can_demote_an_admin_while_another_remains(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    admin, other = await factory.user(role=UserRole.ADMIN), await factory.user(role=UserRole.ADMIN)
    response = await client.patch(
        f"{USERS}/{other.id}", json={"role": "user"}, headers=factory.headers(admin)
    )
    assert response.json()["role"] == "user"
    last = await client.patch(
        f"{USERS}/{admin.id}", json={"is_active": False}, headers=factory.headers(admin)
    )
    assert_error(last, 409, "last_admin")


async def test_admin_update_with_null_role_or_is_active_returns_422(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    admin = await factory.user(role=UserRole.ADMIN)
    user = await factory.user()
    for field in ("role", "is_active"):
        response = await client.patch(
            f"{USERS}/{user.id}", json={field: None}, headers=factory.headers(admin)
        )
        assert assert_error(response, 422, "invalid_input")["details"] == {"field": field}

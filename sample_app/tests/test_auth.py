"""Registration, login, token rotation with reuse detection, logout, and /me."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import jwt
from support import PASSWORD, Factory, assert_error

from app.auth.models import RefreshToken
from app.core.security import hash_refresh_token
from app.core.settings import Settings
from app.users.models import User

REGISTER = "/api/v1/auth/register"
LOGIN = "/api/v1/auth/login"
REFRESH = "/api/v1/auth/refresh"
LOGOUT = "/api/v1/auth/logout"
ME = "/api/v1/auth/me"


async def login(client: httpx.AsyncClient, email: str, password: str = PASSWORD) -> httpx.Response:
    return await client.post(LOGIN, data={"username": email, "password": password})


async def test_register_user_with_valid_payload_returns_201_and_stores_a_hash(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    payload = {"email": "Ada@Example.com", "password": PASSWORD, "full_name": "Ada"}
    response = await client.post(REGISTER, json=payload)
    assert response.status_code == 201
    body = response.json()
    assert body["email"] == "ada@example.com"
    assert body["role"] == "user"
    assert "password" not in body
    assert "password_hash" not in body
    stored = await factory.fetch(User, email="ada@example.com")
    assert stored.password_hash.startswith("$argon2id$")


async def test_register_user_with_taken_email_in_other_case_returns_409(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    await factory.user(email="taken@example.com")
    response = await client.post(
        REGISTER, json={"email": "TAKEN@example.com", "password": PASSWORD}
    )
    assert_error(response, 409, "email_taken")


async def test_register_user_with_short_password_returns_422_error_shape(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post(REGISTER, json={"email": "a@example.com", "password": "short"})
    error = assert_error(response, 422, "validation_error")
    assert error["details"][0]["loc"] == ["body", "password"]


async def test_register_more_than_five_times_a_minute_returns_429(
    client: httpx.AsyncClient,
) -> None:
    statuses = []
    for n in range(6):
        response = await client.post(
            REGISTER, json={"email": f"r{n}@example.com", "password": PASSWORD}
        )
        statuses.append(response.status_code)
    assert statuses == [201] * 5 + [429]
    error = assert_error(response, 429, "rate_limited")
    assert int(response.headers["Retry-After"]) > 0
    assert error["details"]["retry_after_seconds"] > 0


async def test_login_with_valid_credentials_returns_a_working_token_pair(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    user = await factory.user(email="ok@example.com")
    response = await login(client, "ok@example.com")
    assert response.status_code == 200
    tokens = response.json()
    assert tokens["token_type"] == "bearer"
    assert tokens["expires_in"] == 15 * 60
    me = await client.get(ME, headers={"Authorization": f"Bearer {tokens['access_token']}"})
    assert me.status_code == 200
    assert me.json()["id"] == str(user.id)


async def test_login_with_wrong_password_or_unknown_email_gives_the_same_401(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    await factory.user(email="known@example.com")
    wrong_password = await login(client, "known@example.com", "wrong password!")
    unknown_email = await login(client, "nobody@example.com")
    assert_error(wrong_password, 401, "unauthorized")
    assert_error(unknown_email, 401, "unauthorized")
    assert wrong_password.json() == unknown_email.json()


async def test_login_deactivated_user_returns_403(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    await factory.user(email="gone@example.com", is_active=False)
    assert_error(await login(client, "gone@example.com"), 403, "forbidden")


async def test_get_me_without_or_with_bad_tokens_returns_401(
    client: httpx.AsyncClient, factory: Factory, settings: Settings
) -> None:
    user = await factory.user()
    good = factory.headers(user)["Authorization"].removeprefix("Bearer ")
    secret = settings.jwt_secret.get_secret_value()
    # reading our own token's claims to forge variants of it: no verification wanted here
    claims = jwt.decode(good, options={"verify_signature": False})  # noqa: FG503
    expired = jwt.encode({**claims, "exp": datetime.now(UTC) - timedelta(minutes=1)}, secret)
    wrong_audience = jwt.encode({**claims, "aud": "another-api"}, secret)
    unsigned = jwt.encode(claims, key=None, algorithm="none")
    tampered = good[:-2] + ("AA" if not good.endswith("AA") else "BB")
    for token in (None, "garbage", expired, wrong_audience, unsigned, tampered):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = await client.get(ME, headers=headers)
        assert_error(response, 401, "unauthorized")
        assert response.headers["WWW-Authenticate"] == "Bearer"


async def test_refresh_rotates_the_token_and_revokes_the_old_one(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    await factory.user(email="rot@example.com")
    first = (await login(client, "rot@example.com")).json()
    second = await client.post(REFRESH, json={"refresh_token": first["refresh_token"]})
    assert second.status_code == 200
    assert second.json()["refresh_token"] != first["refresh_token"]
    old = await factory.fetch(RefreshToken, token_hash=hash_refresh_token(first["refresh_token"]))
    new = await factory.fetch(
        RefreshToken, token_hash=hash_refresh_token(second.json()["refresh_token"])
    )
    assert old.revoked_at is not None
    assert old.replaced_by_id == new.id
    assert new.family_id == old.family_id
    assert new.revoked_at is None


async def test_refresh_with_a_reused_token_revokes_the_family_and_returns_401(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    await factory.user(email="reuse@example.com")
    first = (await login(client, "reuse@example.com")).json()
    rotated = (await client.post(REFRESH, json={"refresh_token": first["refresh_token"]})).json()
    reused = await client.post(REFRESH, json={"refresh_token": first["refresh_token"]})
    assert_error(reused, 401, "refresh_token_reused")
    # the revocation was committed even though the request failed
    successor = await factory.fetch(
        RefreshToken, token_hash=hash_refresh_token(rotated["refresh_token"])
    )
    assert successor.revoked_at is not None
    after = await client.post(REFRESH, json={"refresh_token": rotated["refresh_token"]})
    assert_error(after, 401, "refresh_token_reused")


async def test_refresh_with_unknown_or_expired_token_returns_401(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    assert_error(await client.post(REFRESH, json={"refresh_token": "nope"}), 401, "unauthorized")
    await factory.user(email="exp@example.com")
    tokens = (await login(client, "exp@example.com")).json()
    record = await factory.fetch(
        RefreshToken, token_hash=hash_refresh_token(tokens["refresh_token"])
    )
    record.expires_at = datetime.now(UTC) - timedelta(seconds=1)
    await factory.db.flush()
    response = await client.post(REFRESH, json={"refresh_token": tokens["refresh_token"]})
    assert_error(response, 401, "unauthorized")


async def test_logout_revokes_the_refresh_token_and_is_idempotent(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    await factory.user(email="bye@example.com")
    tokens = (await login(client, "bye@example.com")).json()
    body = {"refresh_token": tokens["refresh_token"]}
    assert (await client.post(LOGOUT, json=body)).status_code == 204
    assert (await client.post(LOGOUT, json=body)).status_code == 204
    assert (await client.post(LOGOUT, json={"refresh_token": "unknown"})).status_code == 204
    assert_error(await client.post(REFRESH, json=body), 401, "refresh_token_reused")


async def test_get_me_as_deactivated_user_returns_403(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    user = await factory.user(is_active=False)
    assert_error(await client.get(ME, headers=factory.headers(user)), 403, "forbidden")


async def test_login_more_than_five_times_a_minute_returns_429(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    await factory.user(email="busy@example.com")
    statuses = [
        (await login(client, "busy@example.com", "wrong password")).status_code for _ in range(6)
    ]
    assert statuses == [401] * 5 + [429]


async def test_login_normalises_the_email_as_registration_does(
    client: httpx.AsyncClient,
) -> None:
    registered = await client.post(
        REGISTER, json={"email": "  Grace.Hopper@Example.COM ", "password": PASSWORD}
    )
    assert registered.json()["email"] == "grace.hopper@example.com"
    for typed in ("grace.hopper@example.com", " GRACE.HOPPER@example.com  "):
        response = await login(client, typed)
        assert response.status_code == 200, typed
    assert_error(await login(client, "not an email"), 401, "unauthorized")


async def test_token_responses_are_not_cacheable(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    await factory.user(email="cache@example.com")
    issued = await login(client, "cache@example.com")
    rotated = await client.post(REFRESH, json={"refresh_token": issued.json()["refresh_token"]})
    for response in (issued, rotated):
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "no-store"
        assert response.headers["Pragma"] == "no-cache"

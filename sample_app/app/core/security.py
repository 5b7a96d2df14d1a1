"""Passwords (pwdlib, Argon2), access tokens (PyJWT) and opaque refresh tokens.

passlib is unmaintained and breaks with bcrypt >= 4.1; python-jose is unmaintained.
"""

from __future__ import annotations

import asyncio
import hashlib
import secrets
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from app.core.settings import Settings

ACCESS_TOKEN_ALGORITHM = "HS256"
ACCESS_TOKEN_TYPE = "access"


class PasswordHasher:
    """Argon2id hashing, off the event loop; the dummy hash keeps login time the same for
    unknown emails.

    A hash costs a core and 64 MiB for ~0.2 s: computed on the event loop it would stall
    every other request meanwhile. It runs in a pool of `threads` workers of its own
    (argon2 releases the GIL), which also bounds the memory and CPU a burst of logins takes:
    hashes beyond `threads` wait in the pool's queue.
    """

    def __init__(self, hasher: Argon2Hasher | None = None, threads: int = 4) -> None:
        self._hash = PasswordHash((hasher or Argon2Hasher(),))
        self._dummy = self._hash.hash(secrets.token_urlsafe(16))
        self._threads = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="argon2")

    async def hash(self, password: str) -> str:
        """A new salted hash of `password`."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._threads, self._hash.hash, password)

    async def verify(self, password: str, password_hash: str | None) -> bool:
        """Whether `password` matches; with no hash, spend the same time and say no."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._threads, self._verify, password, password_hash)

    def _verify(self, password: str, password_hash: str | None) -> bool:
        if password_hash is None:
            self._hash.verify(password, self._dummy)
            return False
        return self._hash.verify(password, password_hash)


@dataclass(frozen=True, slots=True)
class AccessTokenClaims:
    """What a valid access token says."""

    user_id: uuid.UUID
    expires_at: datetime


class InvalidTokenError(Exception):
    """The token is missing, malformed, expired, tampered with or not ours."""


class TokenIssuer:
    """Signs and verifies access tokens (HS256, with issuer, audience and expiry)."""

    def __init__(self, settings: Settings) -> None:
        self._secret = settings.jwt_secret.get_secret_value()
        self._issuer = settings.jwt_issuer
        self._audience = settings.jwt_audience
        self._lifetime = timedelta(minutes=settings.access_token_minutes)

    def issue(self, user_id: uuid.UUID, now: datetime | None = None) -> tuple[str, datetime]:
        """A signed access token for `user_id`, and when it expires."""
        issued_at = now or datetime.now(UTC)
        expires_at = issued_at + self._lifetime
        claims = {
            "sub": str(user_id),
            "iss": self._issuer,
            "aud": self._audience,
            "iat": issued_at,
            "exp": expires_at,
            "jti": uuid.uuid4().hex,
            "type": ACCESS_TOKEN_TYPE,
        }
        return jwt.encode(claims, self._secret, algorithm=ACCESS_TOKEN_ALGORITHM), expires_at

    def verify(self, token: str) -> AccessTokenClaims:
        """The claims of a valid token; InvalidTokenError otherwise (incl. `alg: none`)."""
        try:
            claims = jwt.decode(
                token,
                self._secret,
                algorithms=[ACCESS_TOKEN_ALGORITHM],
                audience=self._audience,
                issuer=self._issuer,
                options={"require": ["exp", "iat", "sub", "iss", "aud"]},
            )
            if claims.get("type") != ACCESS_TOKEN_TYPE:
                raise InvalidTokenError("not an access token")
            return AccessTokenClaims(
                user_id=uuid.UUID(claims["sub"]),
                expires_at=datetime.fromtimestamp(claims["exp"], UTC),
            )
        except (jwt.PyJWTError, ValueError, TypeError) as error:
            raise InvalidTokenError(str(error)) from error


def new_refresh_token() -> str:
    """An opaque, unguessable refresh token (only its hash is stored)."""
    return secrets.token_urlsafe(32)


def hash_refresh_token(token: str) -> str:
    """SHA-256 of a refresh token: it has 256 bits of entropy, so no salt or KDF is needed."""
    return hashlib.sha256(token.encode()).hexdigest()

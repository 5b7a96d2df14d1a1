"""Login, refresh-token rotation with reuse detection, and logout."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from app.auth.models import RefreshToken
from app.auth.repository import RefreshTokenRepository
from app.auth.schemas import TokenPair
from app.core.errors import AuthenticationError, InvalidInputError, PermissionDeniedError
from app.core.schemas import storable
from app.core.security import (
    PasswordHasher,
    TokenIssuer,
    hash_refresh_token,
    new_refresh_token,
)
from app.core.settings import Settings
from app.users.models import User
from app.users.repository import UserRepository
from app.users.schemas import normalize_email

INVALID_CREDENTIALS = "Incorrect email or password"


class RefreshTokenReusedError(AuthenticationError):
    """A revoked refresh token came back: its family is revoked, and that must stick."""

    code = "refresh_token_reused"
    commit_transaction = True


class WrongPasswordError(PermissionDeniedError):
    """The current password given to change it is not the user's."""

    code = "wrong_password"


class AuthService:
    """Issues and rotates tokens for users."""

    def __init__(
        self,
        users: UserRepository,
        tokens: RefreshTokenRepository,
        hasher: PasswordHasher,
        issuer: TokenIssuer,
        settings: Settings,
    ) -> None:
        self.users = users
        self.tokens = tokens
        self.hasher = hasher
        self.issuer = issuer
        self.refresh_lifetime = timedelta(days=settings.refresh_token_days)

    async def login(self, email: str, password: str) -> TokenPair:
        """Tokens for valid credentials. The email is normalised as registration stores
        it. The error never says whether the email exists, and an unknown email costs the
        same hashing time as a wrong password."""
        # text the database cannot even store (a NUL), or no email address at all, is
        # simply not a known email
        normalized = normalize_email(email) if storable(email) else None
        user = await self.users.get_by_email(normalized) if normalized else None
        password_ok = await self.hasher.verify(password, user.password_hash if user else None)
        if user is None or not password_ok:
            raise AuthenticationError(INVALID_CREDENTIALS)
        if not user.is_active:
            raise PermissionDeniedError("This account is deactivated")
        return await self._issue(user, family_id=uuid.uuid4())

    async def refresh(self, refresh_token: str) -> TokenPair:
        """Rotate a refresh token: revoke it, issue its successor in the same family."""
        now = datetime.now(UTC)
        record = await self.tokens.get_by_hash_for_update(hash_refresh_token(refresh_token))
        if record is None:
            raise AuthenticationError("Invalid refresh token")
        if record.revoked_at is not None:
            await self.tokens.revoke_family(record.family_id, now)
            raise RefreshTokenReusedError("Refresh token reuse detected: sign in again")
        if record.expires_at <= now:
            raise AuthenticationError("Refresh token expired")
        user = await self.users.get(record.user_id)
        if user is None or not user.is_active:
            raise AuthenticationError("Invalid refresh token")
        pair, successor = await self._issue_with_record(user, record.family_id, now)
        record.revoked_at = now
        record.replaced_by_id = successor.id
        return pair

    async def logout(self, refresh_token: str) -> None:
        """Revoke the token's whole family; unknown tokens are ignored (idempotent)."""
        record = await self.tokens.get_by_hash_for_update(hash_refresh_token(refresh_token))
        if record is not None:
            await self.tokens.revoke_family(record.family_id, datetime.now(UTC))

    async def change_password(
        self, user: User, new_password: str | None, current_password: str | None
    ) -> None:
        """Set a new password, given the current one; every refresh token of the user is
        revoked, so each session must sign in again (access tokens expire within minutes)."""
        if new_password is None:
            raise InvalidInputError("`password` cannot be null", details={"field": "password"})
        if current_password is None:
            raise InvalidInputError(
                "`current_password` is required to change the password",
                details={"field": "current_password"},
            )
        if not await self.hasher.verify(current_password, user.password_hash):
            raise WrongPasswordError("The current password is incorrect")
        user.password_hash = await self.hasher.hash(new_password)
        await self.users.flush()
        await self.tokens.revoke_all_for_user(user.id, datetime.now(UTC))

    async def _issue(self, user: User, family_id: uuid.UUID) -> TokenPair:
        pair, _ = await self._issue_with_record(user, family_id, datetime.now(UTC))
        return pair

    async def _issue_with_record(
        self, user: User, family_id: uuid.UUID, now: datetime
    ) -> tuple[TokenPair, RefreshToken]:
        access_token, access_expires = self.issuer.issue(user.id, now)
        refresh_token = new_refresh_token()
        record = await self.tokens.add(
            RefreshToken(
                user_id=user.id,
                family_id=family_id,
                token_hash=hash_refresh_token(refresh_token),
                expires_at=now + self.refresh_lifetime,
            )
        )
        pair = TokenPair(
            access_token=access_token,
            expires_in=int((access_expires - now).total_seconds()),
            refresh_token=refresh_token,
            refresh_expires_in=int(self.refresh_lifetime.total_seconds()),
        )
        return pair, record

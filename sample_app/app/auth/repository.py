"""All SQL about refresh tokens."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, delete, exists, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from app.auth.models import RefreshToken


class RefreshTokenRepository:
    """Reads and writes refresh tokens in the request's session."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get_by_hash_for_update(self, token_hash: str) -> RefreshToken | None:
        """The token with this hash, row-locked: two refreshes with one token serialize,
        so the second sees the first's revocation and is treated as reuse."""
        result = await self.session.execute(
            select(RefreshToken).where(RefreshToken.token_hash == token_hash).with_for_update()
        )
        return result.scalar_one_or_none()

    async def add(self, token: RefreshToken) -> RefreshToken:
        """Insert a token."""
        self.session.add(token)
        await self.session.flush()
        return token

    async def revoke_family(self, family_id: uuid.UUID, now: datetime) -> None:
        """Revoke every live token of a family."""
        await self.session.execute(
            update(RefreshToken)
            .where(RefreshToken.family_id == family_id, RefreshToken.revoked_at.is_(None))
            .values(revoked_at=now)
        )

    async def revoke_all_for_user(self, user_id: uuid.UUID, now: datetime) -> None:
        """Revoke every live token of a user (all their sessions)."""
        await self.session.execute(
            update(RefreshToken)
            .where(RefreshToken.user_id == user_id, RefreshToken.revoked_at.is_(None))
            .values(revoked_at=now)
        )

    async def delete_unusable(self, now: datetime) -> int:
        """Delete the tokens nobody can use any more, and return how many: expired ones,
        and every token of a family without a live token left (signed out, reuse
        detected, password changed). A revoked token of a live family stays until it
        expires: presenting it again is how a stolen token's reuse is detected."""
        live = aliased(RefreshToken)
        family_is_live = exists().where(
            live.family_id == RefreshToken.family_id,
            live.revoked_at.is_(None),
            live.expires_at > now,
        )
        result = await self.session.execute(
            delete(RefreshToken).where(or_(RefreshToken.expires_at <= now, ~family_is_live))
        )
        return cast(CursorResult[Any], result).rowcount

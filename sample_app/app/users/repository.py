"""All SQL about users."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import ConflictError
from app.core.pagination import PageRequest
from app.users.models import User, UserRole


class EmailTakenError(ConflictError):
    """Another account already uses this email."""

    code = "email_taken"


class UserRepository:
    """Reads and writes users in the request's session (flushes, never commits)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, user_id: uuid.UUID) -> User | None:
        """The user with this id, if any."""
        return await self.session.get(User, user_id)

    async def get_by_email(self, email: str) -> User | None:
        """The user with this (case-insensitive) email, if any."""
        result = await self.session.execute(select(User).where(User.email == email.lower()))
        return result.scalar_one_or_none()

    async def add(self, user: User) -> User:
        """Insert a user; a concurrent registration of the same email is a conflict."""
        user.email = user.email.lower()
        self.session.add(user)
        try:
            await self.session.flush()
        except IntegrityError as error:
            raise EmailTakenError("This email is already registered") from error
        return user

    async def lock_active_admin_ids(self) -> list[uuid.UUID]:
        """The active administrators, row-locked (in id order: no deadlock) until the
        transaction ends, so two admins demoting each other at once serialize and the
        second sees the first's change."""
        rows = await self.session.scalars(
            select(User.id)
            .where(User.role == UserRole.ADMIN, User.is_active.is_(True))
            .order_by(User.id)
            .with_for_update()
        )
        return list(rows.all())

    async def flush(self) -> None:
        """Send pending changes, so constraint errors surface inside the request."""
        await self.session.flush()

    async def list(
        self, page: PageRequest, is_active: bool | None, sort: str
    ) -> tuple[Sequence[User], int]:
        """One page of users and the total matching."""
        conditions: list[ColumnElement[bool]] = []
        if is_active is not None:
            conditions.append(User.is_active.is_(is_active))
        column = User.email if sort.lstrip("-") == "email" else User.created_at
        order = column.desc() if sort.startswith("-") else column.asc()
        total = await self.session.scalar(select(func.count()).select_from(User).where(*conditions))
        rows = await self.session.scalars(
            select(User)
            .where(*conditions)
            .order_by(order, User.id)
            .limit(page.limit)
            .offset(page.offset)
        )
        return rows.all(), total or 0

"""Use cases about users."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Literal

from app.core.errors import ConflictError, InvalidInputError, NotFoundError
from app.core.pagination import PageRequest
from app.core.security import PasswordHasher
from app.users.models import User, UserRole
from app.users.repository import EmailTakenError, UserRepository
from app.users.schemas import UserAdminUpdate, UserCreate, UserListParams, UserUpdate

#: What `UserService.ensure_admin` did.
AdminOutcome = Literal["created", "promoted", "unchanged"]


class LastAdminError(ConflictError):
    """The change would leave the service without an active administrator."""

    code = "last_admin"


class UserService:
    """Registration, profile updates and the admin's view of users."""

    def __init__(self, users: UserRepository, hasher: PasswordHasher) -> None:
        self.users = users
        self.hasher = hasher

    async def register(self, data: UserCreate) -> User:
        """Create an account; the email must be free."""
        if await self.users.get_by_email(data.email) is not None:
            raise EmailTakenError("This email is already registered")
        user = User(
            email=data.email,
            password_hash=await self.hasher.hash(data.password),
            full_name=data.full_name,
        )
        return await self.users.add(user)

    async def ensure_admin(self, data: UserCreate) -> AdminOutcome:
        """Make `data.email` an active administrator: the first admin of a deployment
        (`python -m app.cli create-admin`). A new account gets `data.password`; an existing
        one is promoted and reactivated, and keeps its own password. Running it again
        changes nothing."""
        user = await self.users.get_by_email(data.email)
        if user is None:
            await self.users.add(
                User(
                    email=data.email,
                    password_hash=await self.hasher.hash(data.password),
                    full_name=data.full_name,
                    role=UserRole.ADMIN,
                )
            )
            return "created"
        if user.role is UserRole.ADMIN and user.is_active:
            return "unchanged"
        user.role = UserRole.ADMIN
        user.is_active = True
        await self.users.flush()
        return "promoted"

    async def find(self, user_id: uuid.UUID) -> User | None:
        """A user by id, or None."""
        return await self.users.get(user_id)

    async def get(self, user_id: uuid.UUID) -> User:
        """A user by id."""
        user = await self.users.get(user_id)
        if user is None:
            raise NotFoundError("User not found")
        return user

    async def update_profile(self, user: User, data: UserUpdate) -> User:
        """Apply the profile fields the client sent (an explicit null clears the name).
        The password is the auth service's (`AuthService.change_password`)."""
        changes = data.model_dump(exclude_unset=True)
        if "full_name" in changes:
            user.full_name = changes["full_name"]
        await self.users.flush()
        return user

    async def list_users(
        self, page: PageRequest, params: UserListParams
    ) -> tuple[Sequence[User], int]:
        """One page of all users (admins only: checked by the route's dependency)."""
        return await self.users.list(page, params.is_active, params.sort)

    async def admin_update(self, user_id: uuid.UUID, data: UserAdminUpdate) -> User:
        """Change a user's role or active flag; the last active admin stays one."""
        user = await self.get(user_id)
        changes = data.model_dump(exclude_unset=True)
        for field in ("role", "is_active"):
            if field in changes and changes[field] is None:
                raise InvalidInputError(f"`{field}` cannot be null", details={"field": field})
        demoted = changes.get("role", UserRole.ADMIN) is not UserRole.ADMIN
        deactivated = changes.get("is_active", True) is False
        if (demoted or deactivated) and user.role is UserRole.ADMIN:
            admins = await self.users.lock_active_admin_ids()
            if admins == [user.id]:
                raise LastAdminError("The last active administrator cannot be demoted")
        for field, value in changes.items():
            setattr(user, field, value)
        await self.users.flush()
        return user

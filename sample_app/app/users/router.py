"""User endpoints: your own profile, and the admin's user management."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from app.auth.dependencies import ActiveUser, AdminUser, AuthServiceDep, UserServiceDep
from app.core.pagination import Page, PageRequestDep, page_of
from app.users.schemas import UserAdminUpdate, UserListParams, UserRead, UserUpdate

router = APIRouter(prefix="/users", tags=["users"])


@router.patch("/me")
async def update_me(
    payload: UserUpdate, user: ActiveUser, users: UserServiceDep, auth: AuthServiceDep
) -> UserRead:
    """Change your name (null clears it) or your password (with `current_password`; every
    session must sign in again)."""
    if "password" in payload.model_fields_set:
        await auth.change_password(user, payload.password, payload.current_password)
    return UserRead.model_validate(await users.update_profile(user, payload))


@router.get("")
async def list_users(
    _admin: AdminUser,
    users: UserServiceDep,
    page: PageRequestDep,
    params: Annotated[UserListParams, Query()],
) -> Page[UserRead]:
    """All users, newest first (administrators only)."""
    items, total = await users.list_users(page, params)
    return page_of(UserRead, items, total, page)


@router.patch("/{user_id}")
async def admin_update_user(
    user_id: uuid.UUID, payload: UserAdminUpdate, _admin: AdminUser, users: UserServiceDep
) -> UserRead:
    """Change a user's role or deactivate them (administrators only)."""
    return UserRead.model_validate(await users.admin_update(user_id, payload))

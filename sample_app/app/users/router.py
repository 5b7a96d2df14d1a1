"""User endpoints: your own profile, and the admin's user management."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from app.auth.dependencies import (
    ActiveUser,
    AdminUser,
    AuthServiceDep,
    UserServiceDep,
    limit_password_changes,
)
from app.core.errors import error_responses
from app.core.pagination import Page, PageRequestDep, page_of
from app.users.schemas import UserAdminUpdate, UserListParams, UserRead, UserUpdate

# Every route needs an active user (401, 403) and validates its input (422).
router = APIRouter(prefix="/users", tags=["users"], responses=error_responses(401, 403, 422))


@router.patch(
    "/me",
    dependencies=[Depends(limit_password_changes)],
    responses=error_responses(413, 429),
)
async def update_me(
    payload: UserUpdate, user: ActiveUser, users: UserServiceDep, auth: AuthServiceDep
) -> UserRead:
    """Change your name (null clears it) or your password (with `current_password`; every
    session must sign in again). Password changes are rate limited as logins are."""
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


@router.patch("/{user_id}", responses=error_responses(404, 409, 413))
async def admin_update_user(
    user_id: uuid.UUID, payload: UserAdminUpdate, _admin: AdminUser, users: UserServiceDep
) -> UserRead:
    """Change a user's role or deactivate them (administrators only)."""
    return UserRead.model_validate(await users.admin_update(user_id, payload))

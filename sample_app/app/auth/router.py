"""Auth endpoints: register, login, refresh, logout, me."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, status
from fastapi.security import OAuth2PasswordRequestForm

from app.auth.dependencies import ActiveUser, AuthServiceDep, UserServiceDep, no_store
from app.auth.schemas import RefreshRequest, TokenPair
from app.core.errors import error_responses
from app.core.rate_limit import rate_limited
from app.users.schemas import UserCreate, UserRead

router = APIRouter(prefix="/auth", tags=["auth"])
AuthRateLimit = Depends(rate_limited("auth"))
NoStore = Depends(no_store)


@router.post(
    "/register",
    status_code=status.HTTP_201_CREATED,
    dependencies=[AuthRateLimit],
    responses=error_responses(409, 413, 422, 429),
)
async def register(payload: UserCreate, users: UserServiceDep) -> UserRead:
    """Create an account."""
    return UserRead.model_validate(await users.register(payload))


@router.post(
    "/login",
    dependencies=[AuthRateLimit, NoStore],
    responses=error_responses(401, 403, 413, 422, 429),
)
async def login(
    form: Annotated[OAuth2PasswordRequestForm, Depends()], auth: AuthServiceDep
) -> TokenPair:
    """Exchange an email (as `username`) and password for tokens (OAuth2 password flow)."""
    return await auth.login(form.username, form.password)


@router.post("/refresh", dependencies=[NoStore], responses=error_responses(401, 413, 422))
async def refresh(payload: RefreshRequest, auth: AuthServiceDep) -> TokenPair:
    """Rotate a refresh token. Reusing a rotated token revokes its whole family."""
    return await auth.refresh(payload.refresh_token)


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT, responses=error_responses(413, 422))
async def logout(payload: RefreshRequest, auth: AuthServiceDep) -> None:
    """Revoke a refresh token and its family."""
    await auth.logout(payload.refresh_token)


@router.get("/me", responses=error_responses(401, 403))
async def me(user: ActiveUser) -> UserRead:
    """The signed-in user."""
    return UserRead.model_validate(user)

"""Who is calling: `current_user` -> `active_user` -> `admin_user`, and service factories."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request, Response
from fastapi.security import OAuth2PasswordBearer

from app.auth.repository import RefreshTokenRepository
from app.auth.service import AuthService
from app.core.database import SessionDep
from app.core.errors import AuthenticationError, PermissionDeniedError
from app.core.rate_limit import enforce_rate_limit
from app.core.security import InvalidTokenError, TokenIssuer
from app.users.models import User, UserRole
from app.users.repository import UserRepository
from app.users.schemas import UserUpdate
from app.users.service import UserService

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/login", auto_error=False)


def get_user_service(session: SessionDep, request: Request) -> UserService:
    """The users service bound to this request's session."""
    return UserService(UserRepository(session), request.app.state.password_hasher)


def get_auth_service(session: SessionDep, request: Request) -> AuthService:
    """The auth service bound to this request's session."""
    state = request.app.state
    return AuthService(
        UserRepository(session),
        RefreshTokenRepository(session),
        state.password_hasher,
        state.token_issuer,
        state.settings,
    )


def no_store(response: Response) -> None:
    """Responses carrying tokens must not be cached, by the browser or any proxy
    (RFC 6749, section 5.1)."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["Pragma"] = "no-cache"


async def limit_password_changes(payload: UserUpdate, request: Request) -> None:
    """A password change counts against the auth rate limit, as a login does: the current
    password must not be guessable with a stolen access token. A route dependency, so it
    runs before the request's session holds a connection (see `enforce_rate_limit`)."""
    if "password" in payload.model_fields_set:
        await enforce_rate_limit(request, "auth")


UserServiceDep = Annotated[UserService, Depends(get_user_service)]
AuthServiceDep = Annotated[AuthService, Depends(get_auth_service)]


async def current_user(
    token: Annotated[str | None, Depends(oauth2_scheme)],
    users: UserServiceDep,
    request: Request,
) -> User:
    """The user of a valid bearer token; 401 for a missing, bad or expired token."""
    if not token:
        raise AuthenticationError("Not authenticated")
    issuer: TokenIssuer = request.app.state.token_issuer
    try:
        claims = issuer.verify(token)
    except InvalidTokenError as error:
        raise AuthenticationError("Invalid or expired token") from error
    user = await users.find(claims.user_id)
    if user is None:
        raise AuthenticationError("Invalid or expired token")
    return user


CurrentUser = Annotated[User, Depends(current_user)]


async def active_user(user: CurrentUser) -> User:
    """The current user, if their account is active (403 otherwise)."""
    if not user.is_active:
        raise PermissionDeniedError("This account is deactivated")
    return user


ActiveUser = Annotated[User, Depends(active_user)]


async def admin_user(user: ActiveUser) -> User:
    """The current user, if they are an administrator (403 otherwise)."""
    if user.role is not UserRole.ADMIN:
        raise PermissionDeniedError("Administrator role required")
    return user


AdminUser = Annotated[User, Depends(admin_user)]

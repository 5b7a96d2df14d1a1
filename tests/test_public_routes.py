"""FG303 on a new password hashed in a route that takes no credential (`checks.
public_routes`): a public sign-up, which anyone may send as often as a login, is reported
by default; a route a credential gates (a dependency built on a security scheme, a token
in the body, a router or app behind a dependency, an authenticating middleware) is held
back, as every other new password's hash is."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import checked_package

SECURITY = """
from passlib.context import CryptContext

pwd_context = CryptContext(schemes=["argon2"])


def get_password_hash(password: str) -> str:
    return pwd_context.hash(password)
"""

DEPS = """
from collections.abc import AsyncIterator

from fastapi import Depends
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

factory = async_sessionmaker()
oauth2_scheme = OAuth2PasswordBearer(tokenUrl="login")


async def get_db() -> AsyncIterator[AsyncSession]:
    async with factory() as session:
        yield session


async def get_usuario_atual(token: str = Depends(oauth2_scheme)) -> str:
    return token
"""

#: Each route hashes a new password on the loop; the comment says whether a credential
#: gates it.
ROUTES = """
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Request, Security
from fastapi.security import HTTPBearer
from sqlalchemy.ext.asyncio import AsyncSession

from app.deps import get_db, get_usuario_atual
from app.security import get_password_hash, pwd_context

router = APIRouter(prefix="/auth")
bearer = HTTPBearer()
SessionDep = Annotated[AsyncSession, Depends(get_db)]


class UserService:
    async def create(self, email: str, hashed: str) -> None: ...


def get_user_service() -> UserService:
    return UserService()


def caller(authorization: str = Header()) -> str:
    return authorization


@router.post("/register")  # public: a session and a service
async def register(
    email: str,
    password: str,
    session: SessionDep,
    users: UserService = Depends(get_user_service),
) -> None:
    await users.create(email, get_password_hash(password))


@router.post("/signup")  # public: the request read for its client's address only
async def signup(password: str, request: Request, db: AsyncSession = Depends(get_db)) -> str:
    print(request.client)
    return pwd_context.hash(password)


@router.post("/credentials")  # another module's dependency, built on a security scheme
async def credentials(password: str, user: str = Depends(get_usuario_atual)) -> str:
    return pwd_context.hash(password)


@router.post("/users")  # this module's dependency, reading a header
async def create_user(password: str, user: str = Depends(caller)) -> str:
    return pwd_context.hash(password)


@router.post("/members")  # a security scheme
async def add_member(password: str, token=Security(bearer)) -> str:
    return pwd_context.hash(password)


@router.post("/reset-password")  # a reset token in the body gates it
async def reset_password(password: str, token: str) -> str:
    return pwd_context.hash(password)


@router.post("/join", dependencies=[Depends(caller)])  # the decorator's dependency
async def join(password: str) -> str:
    return pwd_context.hash(password)


@router.post("/session")  # the request's headers read
async def open_session(password: str, request: Request) -> str:
    if request.headers.get("x-tenant"):
        return pwd_context.hash(password)
    return ""
"""


def _reported(tmp_path: Path, files: dict[str, str]) -> list[int]:
    found = checked_package(tmp_path, files)
    return sorted(
        f["location"]["row"]
        for f in found
        if f["code"] == "FG303" and f["filename"].endswith("routes.py")
    )


def test_a_new_password_hashed_on_a_public_route_is_reported(tmp_path: Path) -> None:
    files = {"app/security.py": SECURITY, "app/deps.py": DEPS, "app/routes.py": ROUTES}
    found = checked_package(tmp_path, files)
    # `register` (through another module's helper) and `signup` (a hasher's method)
    assert _reported(tmp_path, files) == [34, 40]
    message = next(f["message"] for f in found if f["location"]["row"] == 40)
    assert "on a route that takes no credential, that anyone may call" in message


@pytest.mark.parametrize(
    "main",
    [
        "app.include_router(router, dependencies=[Depends(get_usuario_atual)])",
        "app = FastAPI(dependencies=[Depends(get_usuario_atual)])",
        "app.add_middleware(JWTAuthMiddleware)",
    ],
    ids=["included behind a dependency", "an app's dependency", "a middleware"],
)
def test_a_route_the_project_authenticates_elsewhere_is_held_back(
    tmp_path: Path, main: str
) -> None:
    """Whatever authenticates the routes outside their parameters gates them all."""
    text = (
        "from fastapi import Depends, FastAPI\n\nfrom app.deps import get_usuario_atual\n"
        "from app.middleware import JWTAuthMiddleware\nfrom app.routes import router\n\n"
        f"app = FastAPI()\n{main}\n"
    )
    files = {
        "app/security.py": SECURITY,
        "app/deps.py": DEPS,
        "app/routes.py": ROUTES,
        "app/main.py": text,
    }
    assert _reported(tmp_path, files) == []


def test_a_router_made_with_a_dependency_holds_its_routes_back(tmp_path: Path) -> None:
    routes = ROUTES.replace(
        'router = APIRouter(prefix="/auth")',
        'router = APIRouter(prefix="/auth", dependencies=[Depends(get_usuario_atual)])',
    )
    files = {"app/security.py": SECURITY, "app/deps.py": DEPS, "app/routes.py": routes}
    assert _reported(tmp_path, files) == []


REPOSITORY = """
from sqlalchemy.ext.asyncio import AsyncSession

from app.security import get_password_hash


class UserRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def create_user(self, email: str, password: str) -> None:
        self.session.add((email, get_password_hash(password)))
        await self.session.flush()
"""

SERVICE = """
from sqlalchemy.ext.asyncio import AsyncSession

from app.repository import UserRepository
from app.security import pwd_context


class AuthService:
    def __init__(self, session: AsyncSession) -> None:
        self.repo = UserRepository(session)

    async def register(self, email: str, password: str) -> None:
        await self.repo.create_user(email, password)

    async def change_password(self, password: str) -> str:
        return pwd_context.hash(password)


async def sign_up(session: AsyncSession, email: str, password: str) -> str:
    return pwd_context.hash(password)
"""

SERVICE_ROUTES = """
from fastapi import APIRouter, Depends
from sqlalchemy.ext.asyncio import AsyncSession

from app.deps import get_db, get_usuario_atual
from app.service import AuthService, sign_up

router = APIRouter()


def get_auth_service(db: AsyncSession = Depends(get_db)) -> AuthService:
    return AuthService(db)


@router.post("/register")
async def register(
    email: str, password: str, service: AuthService = Depends(get_auth_service)
) -> None:
    await service.register(email, password)


@router.post("/signup")
async def signup(email: str, password: str, db: AsyncSession = Depends(get_db)) -> str:
    return await sign_up(db, email, password)


@router.post("/password")
async def change(
    password: str,
    service: AuthService = Depends(get_auth_service),
    user: str = Depends(get_usuario_atual),
) -> str:
    return await service.change_password(password)
"""


def test_a_new_password_hashed_in_what_a_public_route_awaits_is_reported(
    tmp_path: Path,
) -> None:
    """A service's or a repository's coroutine a public sign-up awaits (through a
    parameter annotated with the service's class, then the repository the service
    holds), or a function of another module it awaits, hashes on the loop as the route
    would (reader 177's `UserRepository.create_user`, reader 182's sign-up service); a
    coroutine only an authenticated route awaits (`change_password`) is held back."""
    files = {
        "app/security.py": SECURITY,
        "app/deps.py": DEPS,
        "app/repository.py": REPOSITORY,
        "app/service.py": SERVICE,
        "app/routes.py": SERVICE_ROUTES,
    }
    found = checked_package(tmp_path, files)
    reported = sorted(
        (f["filename"].rpartition("/app/")[2], f["location"]["row"], f["message"])
        for f in found
        if f["code"] == "FG303"
    )
    assert [(name, row) for name, row, _ in reported] == [("repository.py", 11), ("service.py", 19)]
    assert all("awaited by a route that takes no credential" in message for *_, message in reported)


def test_a_public_sign_up_in_a_folder_without_init_inside_the_package_is_reported(
    tmp_path: Path,
) -> None:
    """Nakivaykkka's mini-crm (reader 217): `app/user/` holds no `__init__.py` under the
    package `app`; its route imports `from app.user.service import sign_up`, which is
    the module the run checks as `app/user/service.py`, not a module `service`: the
    sign-up's hash there is the public route's."""
    files = {
        "app/security.py": SECURITY,
        "app/deps.py": DEPS,
        "app/repository.py": REPOSITORY,
        "app/user/service.py": SERVICE,
        "app/user/routes.py": SERVICE_ROUTES.replace("from app.service", "from app.user.service"),
    }
    found = checked_package(tmp_path, files)
    reported = sorted(
        (f["filename"].rpartition("/app/")[2], f["location"]["row"])
        for f in found
        if f["code"] == "FG303"
    )
    assert reported == [("repository.py", 11), ("user/service.py", 19)]


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ('@router.post("/signup")', '@router.post("/signup")\n@limiter.limit("5/hour")'),
        (
            "print(request.client)",
            'print(request.client, {"email": "root@example.com", "role": "admin"})',
        ),
    ],
    ids=["rate-limited", "an administrator's role"],
)
def test_a_rate_limited_or_administrators_route_is_held_back(
    tmp_path: Path, before: str, after: str
) -> None:
    """A sign-up limited in rate (slowapi's `@limiter.limit`: reader 183) is no longer
    sent as often as anyone likes; one that names an administrator's role is a first
    administrator's bootstrap or an administrator's form (reader 184)."""
    routes = ROUTES.replace(before, after, 1).replace(
        "router = APIRouter(", "from app.limits import limiter\n\nrouter = APIRouter(", 1
    )
    assert routes != ROUTES
    files = {"app/security.py": SECURITY, "app/deps.py": DEPS, "app/routes.py": routes}
    # `register` alone (two lines lower, below the limiter's import)
    assert _reported(tmp_path, files) == [36]


def test_a_hash_made_in_the_route_itself_is_reported_with_the_routes_message(
    tmp_path: Path,
) -> None:
    """`bcrypt.hashpw(...)` written in the public sign-up itself (no helper): the route's
    message; the same call behind a security scheme is held back."""
    routes = """
    import bcrypt
    from fastapi import APIRouter, Depends
    from fastapi.security import OAuth2PasswordBearer

    router = APIRouter()
    oauth2_scheme = OAuth2PasswordBearer(tokenUrl="login")


    @router.post("/register")
    async def register(password: str) -> bytes:
        return bcrypt.hashpw(password.encode(), bcrypt.gensalt())


    @router.post("/users")
    async def create_user(password: str, token: str = Depends(oauth2_scheme)) -> bytes:
        return bcrypt.hashpw(password.encode(), bcrypt.gensalt())
    """
    found = checked_package(tmp_path, {"app/routes.py": routes})
    reported = [(f["location"]["row"], f["message"]) for f in found if f["code"] == "FG303"]
    assert [row for row, _ in reported] == [11]
    assert "on a route that takes no credential, that anyone may call" in reported[0][1]


def test_a_body_model_of_the_module_carrying_a_token_is_a_credential(tmp_path: Path) -> None:
    """Aponti's `/social-login` (reader 190): its body, a model of the module, carries a
    Google ID token the route checks before it hashes the new account's password: a
    credential gates it. The same body without the token is anyone's."""
    social = """

from pydantic import BaseModel


class SocialLogin(BaseModel):
    provider: str
    token: str


@router.post("/social-login")
async def social_login(body: SocialLogin) -> str:
    return pwd_context.hash(body.provider)
"""
    files = {"app/security.py": SECURITY, "app/deps.py": DEPS, "app/routes.py": ROUTES}
    public = _reported(tmp_path / "plain", files)
    files["app/routes.py"] = ROUTES + social
    assert _reported(tmp_path / "token", files) == public
    files["app/routes.py"] = ROUTES + social.replace("    token: str\n", "    email: str\n")
    row = (ROUTES + social).count("\n") - 1
    assert _reported(tmp_path / "email", files) == [*public, row]


def test_a_coroutine_imported_from_inside_a_package_root_is_followed(tmp_path: Path) -> None:
    """My-CEX (reader 191, a miss): `backend/` holds an `__init__.py` and is the folder
    the service runs from, so its modules import each other without it (`from
    repostories.user_repository import UserRepository`); the repository's hash of a new
    password, awaited by the service a public `/register` awaits, is the same coroutine
    under its two names."""
    files = {
        "backend/__init__.py": "",
        "backend/repostories/__init__.py": "",
        "backend/repostories/user_repository.py": """
            from passlib.context import CryptContext

            pwd_context = CryptContext(schemes=["bcrypt"])


            class UserRepository:
                @staticmethod
                async def create_user(email: str, password: str) -> str:
                    return pwd_context.hash(password)
            """,
        "backend/services/__init__.py": "",
        "backend/services/user_service.py": """
            from repostories.user_repository import UserRepository


            class AuthService:
                @staticmethod
                async def register_user(email: str, password: str) -> str:
                    return await UserRepository.create_user(email, password)
            """,
        "backend/routers/__init__.py": "",
        "backend/routers/user_router.py": """
            from fastapi import APIRouter

            from services.user_service import AuthService

            router = APIRouter()


            @router.post("/register")
            async def register_user(email: str, password: str) -> str:
                return await AuthService.register_user(email, password)
            """,
        "backend/main.py": """
            from fastapi import FastAPI

            from routers import user_router

            app = FastAPI()
            app.include_router(user_router.router)
            """,
    }
    found = checked_package(tmp_path, files)
    hashes = [
        (f["filename"].rpartition("backend/")[2], f["location"]["row"])
        for f in found
        if f["code"] == "FG303"
    ]
    assert hashes == [("repostories/user_repository.py", 9)]


def test_a_coroutine_imported_through_a_namespace_folder_is_followed(tmp_path: Path) -> None:
    """Factoria's `backend/` (reader 198, a miss) holds no `__init__.py`: the service
    runs from the folder above it (`uvicorn backend.main:app`), and its modules import
    each other through it (`from backend.controllers.auth_controller import
    register_user`), while the file's packages name the module
    `controllers.auth_controller`; the controller's hash of a new password, awaited by a
    public `/register`, is the same coroutine under its two names."""
    files = {
        "backend/controllers/__init__.py": "",
        "backend/controllers/auth_controller.py": """
            from passlib.context import CryptContext

            pwd_context = CryptContext(schemes=["bcrypt"])


            async def register_user(email: str, password: str) -> str:
                return pwd_context.hash(password)
            """,
        "backend/routes/__init__.py": "",
        "backend/routes/auth_routes.py": """
            from fastapi import APIRouter

            from backend.controllers.auth_controller import register_user

            router = APIRouter()


            @router.post("/register")
            async def register_endpoint(email: str, password: str) -> str:
                return await register_user(email, password)
            """,
        "backend/main.py": """
            from fastapi import FastAPI

            from backend.routes.auth_routes import router

            app = FastAPI()
            app.include_router(router)
            """,
    }
    found = checked_package(tmp_path, files)
    hashes = [
        (f["filename"].rpartition("backend/")[2], f["location"]["row"])
        for f in found
        if f["code"] == "FG303"
    ]
    assert hashes == [("controllers/auth_controller.py", 7)]


def test_a_request_handed_to_a_background_task_is_no_credential(tmp_path: Path) -> None:
    """pathokpoint's `/signup` (reader 192): it hands the request to a background task
    that keeps the pending account in Redis, which runs once the response is sent and
    gates nothing; handed to a call of the route's own, it may be read for a
    credential."""
    signup = """

from fastapi import BackgroundTasks


def keep(request: Request, email: str) -> None:
    print(request.app, email)


@router.post("/sign-up")
async def sign_up(password: str, request: Request, tasks: BackgroundTasks) -> str:
    tasks.add_task(keep, request, "someone@example.com")
    return pwd_context.hash(password)
"""
    files = {"app/security.py": SECURITY, "app/deps.py": DEPS, "app/routes.py": ROUTES}
    public = _reported(tmp_path / "plain", files)
    files["app/routes.py"] = ROUTES + signup
    row = (ROUTES + signup).count("\n") - 1
    assert _reported(tmp_path / "task", files) == [*public, row]
    files["app/routes.py"] = ROUTES + signup.replace("tasks.add_task(keep, ", "keep(")
    assert _reported(tmp_path / "call", files) == public

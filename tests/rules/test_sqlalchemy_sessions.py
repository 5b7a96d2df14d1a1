"""FG102, FG103, FG104, FG106: sessions in async code, and where each rule applies."""

from __future__ import annotations

import ast
import json
import re
import textwrap
import uuid
from pathlib import Path

import pytest

from checks.engine import Engine
from checks.hook import run_claude_hook
from checks.rules import ALL_RULES
from checks.structure import Structure
from tests.helpers import check_code, positions, run_cli, write, write_new


def _found(code: str, source: str, path: str = "app/example.py") -> list[int]:
    return [f.start.row for f in check_code(source, path) if f.code == code]


# -- FG102 --------------------------------------------------------------------------
def test_sync_factory_used_only_by_sync_functions_is_not_flagged() -> None:
    source = """
    from sqlalchemy import create_engine
    from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine
    from sqlalchemy.orm import sessionmaker

    SyncSession = sessionmaker(create_engine("postgresql+psycopg://app@db/app"))
    AsyncSessionLocal = async_sessionmaker(create_async_engine("postgresql+asyncpg://app@db/app"))

    def get_session():
        with SyncSession() as session:
            yield session

    async def get_async_session():
        async with AsyncSessionLocal() as session:
            yield session
    """
    assert _found("FG102", source) == []


def test_a_seeder_s_coroutine_is_development_tooling() -> None:
    """georgephilippas-ber's `seeder/eodhd/eodhd_seeder.py` (reader 90), run from a seed
    script's `asyncio.run`: its loop serves no request, as FG301-FG303 leave tooling."""
    source = """
    from sqlalchemy.orm import Session


    async def seed(session: Session, rows: list[dict]) -> None:
        session.add_all(rows)
        session.commit()
    """
    assert _found("FG102", source, "seeder/eodhd/eodhd_seeder.py") == []
    assert _found("FG102", source, "scripts/seed_all.py") == []
    assert _found("FG102", source, "app/services/import_rows.py") == [6]


def test_sync_factory_opened_in_async_def_is_flagged_once_per_function() -> None:
    source = """
    from sqlalchemy import create_engine
    from sqlalchemy.orm import sessionmaker

    engine = create_engine("postgresql+psycopg://app@db/app")
    SessionLocal = sessionmaker(bind=engine)

    async def count() -> int:
        with SessionLocal() as session:
            session.execute(text("select 1"))
            return session.scalar(text("select count(*) from users"))

    async def ping() -> None:
        with engine.connect() as conn:
            conn.execute(text("select 1"))
    """
    assert _found("FG102", source) == [8, 13]


@pytest.fixture
def database_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A service whose engines and session factories live in `app/database.py`."""
    write(tmp_path, "pyproject.toml", "[project]\nname = 'svc'\n")
    write(tmp_path, "app/__init__.py", "")
    write(tmp_path, "app/db/__init__.py", "from app.db.engines import session_maker\n")
    write(
        tmp_path,
        "app/db/engines.py",
        """
        from sqlalchemy import create_engine
        from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
        from sqlalchemy.orm import scoped_session, sessionmaker

        engine = create_engine("postgresql+psycopg://app@db/app")
        session_maker = sessionmaker(bind=engine)
        db_session = scoped_session(session_maker)
        async_engine = create_async_engine("postgresql+asyncpg://app@db/app")
        a_session_maker = sessionmaker(bind=async_engine, class_=AsyncSession)
        AsyncSessionLocal = async_sessionmaker(async_engine, expire_on_commit=False)


        def get_session_maker():
            return session_maker
        """,
    )
    monkeypatch.chdir(tmp_path)
    return tmp_path


BILLING = """
from sqlalchemy import select

from app.db import session_maker
from app.db.engines import AsyncSessionLocal, a_session_maker, db_session, engine


async def has_subscription(user_id: str) -> bool:
    with session_maker() as session:
        return session.query(Subscription).filter_by(user_id=user_id).first() is not None


async def ping() -> None:
    with engine.connect() as conn:
        conn.execute(select(1))


async def purge() -> None:
    db_session.execute(delete(Draft))


async def count() -> int:
    async with a_session_maker() as session:
        return await session.scalar(select(func.count(Subscription.id)))


async def total() -> int:
    async with AsyncSessionLocal() as session:
        return await session.scalar(select(func.count(Subscription.id)))
"""


def _rows(stdout: str, code: str) -> list[str]:
    """`path:row:col` of each finding of `code` (not the summary's held-back line)."""
    finding = re.compile(rf"^(\S+:\d+:\d+): {code} ")
    return [m[1] for line in stdout.splitlines() if (m := finding.match(line))]


def test_sync_factory_imported_from_another_module_is_flagged_in_async_def(
    database_module: Path,
) -> None:
    write(database_module, "app/billing.py", BILLING)
    result = run_cli("check", "--no-cache", "--select", "FG101,FG102", ".")
    assert _rows(result.stdout, "FG102") == [
        "app/billing.py:8:10",
        "app/billing.py:13:10",
        "app/billing.py:18:5",
    ]
    # the legacy query on the session a sync `with` opened is FG102's (its fix, a `def`
    # or an `AsyncSession`, comes first: the fourteenth and nineteenth readers'
    # duplicates)
    assert _rows(result.stdout, "FG101") == []


def test_a_service_made_of_a_dependency_s_session_and_only_awaited_is_left(
    database_module: Path,
) -> None:
    """MarchenkoRuslan's `BinanceService(db)` of `db=Depends(get_db)` (reader 93): the
    coroutine awaits every method it calls on the object, whose coroutines do what they
    do with the session; handed to a sync helper, the session is still reported."""
    write(database_module, "app/dependencies.py", DEPENDENCIES)
    write(
        database_module,
        "app/routes.py",
        """
        from fastapi import Depends

        from app.dependencies import get_db, list_users
        from app.services import BinanceService


        async def check_order(order_id: str, db=Depends(get_db)):
            service = BinanceService(db)
            return await service.get_order(order_id)


        async def users(db=Depends(get_db)):
            return list_users(db)
        """,
    )
    result = run_cli("check", "--no-cache", "--select", "FG102", ".")
    assert _rows(result.stdout, "FG102") == ["app/routes.py:13:23"]


def test_a_route_returning_what_a_function_named_like_a_factory_does_is_reported(
    database_module: Path,
) -> None:
    """amalhsouna's `return create_user_service(user, db)` (reader 174): the function
    queries and commits the sync session; a route's return value is its answer, not a
    service it made. A dependency returning a factory's service, and a route awaiting
    the methods of one, are left."""
    write(database_module, "app/dependencies.py", DEPENDENCIES)
    write(
        database_module,
        "app/routes.py",
        """
        from fastapi import APIRouter, Depends

        from app.dependencies import get_db
        from app.services import create_user_service, get_user_service

        router = APIRouter()


        @router.post("/users")
        async def create_user(name: str, db=Depends(get_db)):
            return create_user_service(name, db)


        async def user_service(db=Depends(get_db)):
            return get_user_service(db)


        @router.get("/users/{user_id}")
        async def read_user(user_id: int, db=Depends(get_db)):
            service = get_user_service(db)
            return await service.read(user_id)
        """,
    )
    result = run_cli("check", "--no-cache", "--select", "FG102", ".")
    assert _rows(result.stdout, "FG102") == ["app/routes.py:11:38"]


def test_context_manager_made_of_a_session_generator_is_flagged_in_async_def(
    database_module: Path,
) -> None:
    """`get_db_manager = contextmanager(get_db)`, where `get_db` yields a session of the
    module's own factory (a delivery platform's socket.io handlers): `with
    get_db_manager() as db` in a coroutine opens a sync session, and a query of another
    module's object before it (`redis_client.get`) does not end the search."""
    write(
        database_module,
        "app/deps.py",
        """
        from contextlib import contextmanager

        from sqlalchemy import create_engine
        from sqlalchemy.orm import sessionmaker

        SessionLocal = sessionmaker(bind=create_engine("postgresql://app@db/app"))


        def get_db():
            db = SessionLocal()
            try:
                yield db
            finally:
                db.close()


        get_db_manager = contextmanager(get_db)
        """,
    )
    write(
        database_module,
        "app/handlers.py",
        """
        from app.cache import redis_client
        from app.deps import get_db_manager


        async def on_connect(sid: str) -> None:
            with get_db_manager() as db:
                db.get(Session, sid)


        async def on_cart(db, sid: str) -> None:
            cached = redis_client.get(sid)
            return cached or db.query(Cart).filter_by(sid=sid).first()
        """,
    )
    result = run_cli("check", "--no-cache", "--select", "FG102", ".")
    assert _rows(result.stdout, "FG102") == ["app/handlers.py:6:10", "app/handlers.py:12:22"]


@pytest.mark.parametrize("alone", [False, True], ids=["project", "file alone"])
def test_imported_factory_named_like_a_class_is_flagged_in_async_def(
    database_module: Path, alone: bool
) -> None:
    """FastAPI's tutorial spelling, `SessionLocal = sessionmaker(...)` imported elsewhere:
    a call of a capitalised imported name looks like a class to the file alone."""
    write(
        database_module,
        "app/db/tutorial.py",
        "from sqlalchemy.ext.asyncio import async_sessionmaker\n"
        "from sqlalchemy.orm import sessionmaker\n\n"
        "from app.db.engines import async_engine, engine\n\n"
        "SessionLocal = sessionmaker(bind=engine)\n"
        "AsyncLocal = async_sessionmaker(async_engine)\n",
    )
    write(
        database_module,
        "app/auth.py",
        """
        from sqlalchemy import select

        from app.db.tutorial import AsyncLocal, SessionLocal


        async def verify(token: str) -> bool:
            with SessionLocal() as db:
                return db.scalar(select(1)) is not None


        async def current_user(token: str):
            db = SessionLocal()
            return db.execute(select(1))


        async def fine() -> None:
            async with AsyncLocal() as session:
                session.add(object())
                await session.commit()
        """,
    )
    result = run_cli("check", "--no-cache", "--select", "FG102", "app/auth.py" if alone else ".")
    assert _rows(result.stdout, "FG102") == ["app/auth.py:7:10", "app/auth.py:13:12"]


def _write_sync_factory(database_module: Path) -> None:
    """FastAPI's tutorial spelling of a sync factory, `SessionLocal = sessionmaker(...)`,
    in a module the tests' files import it from."""
    write(
        database_module,
        "app/db/tutorial.py",
        "from sqlalchemy.orm import sessionmaker\n\n"
        "from app.db.engines import engine\n\n"
        "SessionLocal = sessionmaker(bind=engine)\n",
    )


def test_an_imported_factorys_session_only_handed_to_awaited_code_is_left_alone(
    database_module: Path,
) -> None:
    """capella's middleware opens `SessionLocal()` in a `with` and hands the session only
    to an awaited coroutine (which runs each query in a thread: checked where it is
    defined), or stores it for others (reader 50: not worth acting on); a query in the
    block is reported, as for a factory of the file itself."""
    _write_sync_factory(database_module)
    write(
        database_module,
        "app/middleware.py",
        """
        from sqlalchemy import select

        from app.db.tutorial import SessionLocal


        async def dispatch(request, call_next):
            with SessionLocal() as session:
                request.state.session = session
                user = await validate(request, session)
            return await call_next(request)


        async def audit(request):
            with SessionLocal() as session:
                await validate(request, session)
                return session.scalar(select(1))
        """,
    )
    result = run_cli("check", "--no-cache", "--select", "FG102", ".")
    assert _rows(result.stdout, "FG102") == ["app/middleware.py:14:10"]


def test_an_imported_factorys_session_handed_to_a_sync_call_is_flagged(
    database_module: Path,
) -> None:
    """hei's login (reader 51): `db = SessionLocal()` of an imported factory (bound after
    `db = None`, for the `finally` that closes it) handed to a sync service
    (`UserService(db).record_login(...)`), and a sync helper of another module that opens
    its session by assignment and commits (`record_auth_log`): both query on the loop.
    The session handed to an awaited call is not this use."""
    _write_sync_factory(database_module)
    write(
        database_module,
        "app/audit.py",
        """
        from app.db.tutorial import SessionLocal


        def record_auth_log(name: str) -> None:
            db = SessionLocal()
            try:
                db.add(AuditLog(name=name))
                db.commit()
            finally:
                db.close()
        """,
    )
    write(
        database_module,
        "app/login.py",
        """
        from app.audit import record_auth_log
        from app.db.tutorial import SessionLocal
        from app.users import UserService


        async def do_login(user_id: int) -> None:
            db = None
            try:
                db = SessionLocal()
                UserService(db).record_login(user_id)
            finally:
                if db:
                    db.close()


        async def do_logout(user_id: int) -> None:
            record_auth_log("logout")


        async def do_check(user_id: int) -> None:
            db = SessionLocal()
            await UserService(db).check(user_id)
        """,
    )
    result = run_cli("check", "--no-cache", "--select", "FG102", ".")
    assert _rows(result.stdout, "FG102") == ["app/login.py:10:9", "app/login.py:17:5"]


def test_a_session_handed_after_another_imported_calls_result_is_flagged(
    database_module: Path,
) -> None:
    """phob0snt's RPC handlers (reader 214): `db = SessionLocal()`, then `payload =
    verify_token(token)` of another module, then `get_user_data(token_payload=payload,
    db=db)`: each name an imported call made is asked in turn, not only the first, which
    is no session; a handler handing only the token's payload uses none."""
    _write_sync_factory(database_module)
    write(
        database_module,
        "app/security.py",
        """
        def verify_token(token: str) -> dict[str, str]:
            return {"sub": token}
        """,
    )
    write(
        database_module,
        "app/rpc.py",
        """
        from app.db.tutorial import SessionLocal
        from app.security import verify_token
        from app.users import get_user_data, log_payload


        async def handle_get(token: str) -> object:
            db = SessionLocal()
            try:
                payload = verify_token(token)
                return get_user_data(token_payload=payload, db=db)
            finally:
                db.close()


        async def handle_log(token: str) -> None:
            payload = verify_token(token)
            log_payload(payload)
        """,
    )
    result = run_cli("check", "--no-cache", "--select", "FG102", ".")
    assert _rows(result.stdout, "FG102") == ["app/rpc.py:10:16"]


def test_a_session_handed_to_another_modules_coroutine_function_is_no_sync_use(
    tmp_path: Path,
) -> None:
    """6110rstmks' routes (reader 130): `db: Session` handed to `category_crud.find(db,
    pk)`, an `async def` of another module called without `await`: no query runs there
    (the missing `await` is FG304's), so the route's first sync use is the next call, a
    sync function's; a route that only hands it to coroutine functions has none. And
    handed first to a sync function of another module, then queried: the first use is
    the handed one (Glyph-AI's `user_crud.get_user_by_email(db, ...)` two lines above
    `db.query(...)`, reported at the query: reader 223); after a coroutine function's,
    the query."""
    root = tmp_path
    write(root, "pyproject.toml", "[project]\nname = 'svc'\n")
    write(root, "app/__init__.py", "")
    write(
        root,
        "app/crud.py",
        """
        from sqlalchemy.orm import Session


        async def find(pk: int, session=None) -> int | None:
            return pk


        def count(db: Session) -> int:
            return db.query(int).count()
        """,
    )
    write(
        root,
        "app/routes.py",
        """
        from sqlalchemy.orm import Session

        from app import crud


        async def counted(db: Session, pk: int) -> int:
            found = crud.find(db, pk)
            if not found:
                raise ValueError(pk)
            return crud.count(db)


        async def listed(db: Session, pk: int) -> object:
            return crud.find(db, pk)


        async def checked(db: Session, pk: int) -> object:
            total = crud.count(db)
            return db.query(int).filter_by(pk=pk).first(), total


        async def found(db: Session, pk: int) -> object:
            crud.find(db, pk)
            return db.query(int).filter_by(pk=pk).first()
        """,
    )
    result = run_cli("check", "--no-cache", "--select", "FG102", str(root))
    assert _rows(result.stdout, "FG102") == [
        f"{root}/app/routes.py:10:23",
        f"{root}/app/routes.py:18:24",
        f"{root}/app/routes.py:24:12",
    ]


def test_a_dependencys_session_handed_to_another_modules_coroutine_is_no_sync_use(
    tmp_path: Path,
) -> None:
    """KamilGrundas' routes (reader 206): `db: Session = Depends(get_db)`, `get_db` of
    another module, handed to `check_if_picture_exists(..., db=db)`, an `async def` of
    another module called without `await` (FG304's): no query runs there, so the route's
    first sync use is the sync `check_if_tag_exists(..., db=db)` below it; a route that
    only hands it to the coroutine function has none. Where the dependency gives an
    `AsyncSession`, no finding."""
    root = tmp_path
    write(root, "pyproject.toml", "[project]\nname = 'svc'\n")
    write(root, "app/__init__.py", "")
    write(
        root,
        "app/db.py",
        """
        from sqlalchemy import create_engine
        from sqlalchemy.ext.asyncio import AsyncSession
        from sqlalchemy.orm import sessionmaker

        SessionLocal = sessionmaker(bind=create_engine("postgresql://db/app"))


        def get_db():
            db = SessionLocal()
            try:
                yield db
            finally:
                db.close()


        async def get_async_db() -> AsyncSession:
            raise NotImplementedError
        """,
    )
    write(
        root,
        "app/checks.py",
        """
        from sqlalchemy.orm import Session


        async def check_if_picture_exists(picture_id: int, db: Session) -> None:
            db.get(int, picture_id)


        def check_if_tag_exists(tag_id: int, db: Session) -> None:
            db.get(int, tag_id)
        """,
    )
    write(
        root,
        "app/routes.py",
        """
        from fastapi import APIRouter, Depends
        from sqlalchemy.orm import Session

        from app.checks import check_if_picture_exists, check_if_tag_exists
        from app.db import get_async_db, get_db

        router = APIRouter()


        @router.put("/{picture_id}/add_tag")
        async def add_tag(picture_id: int, tag_id: int, db: Session = Depends(get_db)) -> None:
            check_if_picture_exists(picture_id=picture_id, db=db)
            check_if_tag_exists(tag_id=tag_id, db=db)


        @router.get("/{picture_id}")
        async def shown(picture_id: int, db: Session = Depends(get_db)) -> None:
            check_if_picture_exists(picture_id=picture_id, db=db)


        @router.get("/{picture_id}/tag")
        async def tagged(tag_id: int, db: Session = Depends(get_async_db)) -> None:
            check_if_tag_exists(tag_id=tag_id, db=db)
        """,
    )
    result = run_cli("check", "--no-cache", "--select", "FG102", str(root))
    rows = [row for row in _rows(result.stdout, "FG102") if "routes" in row]
    assert rows == [f"{root}/app/routes.py:13:43"]


def test_a_session_handed_to_a_call_fg303_reports_is_that_finding(tmp_path: Path) -> None:
    """B0user's and RezenkovD's logins (reader 210): `authenticate_user(db, email,
    password)`, a sync function that queries the session and checks a password with
    bcrypt: FG303 reports the call, and the session handed to it is the same call, one
    change (a thread, or `def`) mends both; a session handed to a call that only queries
    is FG102's. So is one handed to an object whose method FG303 reports in the same
    function (`user_service = UserService(db)`, then `user_service.authenticate_user(...)`:
    Naman1995jain's logins, reader 215), not one whose method only queries."""
    write(tmp_path, "pyproject.toml", "[project]\nname = 'svc'\n")
    write(tmp_path, "app/__init__.py", "")
    write(
        tmp_path,
        "app/services.py",
        """
        import bcrypt
        from sqlalchemy.orm import Session


        class UserService:
            def __init__(self, db: Session) -> None:
                self.db = db

            def authenticate_user(self, email: str, password: str) -> object:
                user = self.db.query(object).filter_by(email=email).first()
                if user is None or not bcrypt.checkpw(password.encode(), user.hashed):
                    return None
                return user

            def find(self, email: str) -> object:
                return self.db.query(object).filter_by(email=email).first()
        """,
    )
    write(
        tmp_path,
        "app/auth.py",
        """
        import bcrypt
        from fastapi import APIRouter
        from sqlalchemy.orm import Session

        from app.services import UserService

        router = APIRouter()


        def authenticate_user(db: Session, email: str, password: str) -> object:
            user = db.query(object).filter_by(email=email).first()
            if user is None or not bcrypt.checkpw(password.encode(), user.hashed):
                return None
            return user


        def find_user(db: Session, email: str) -> object:
            return db.query(object).filter_by(email=email).first()



        @router.post("/token")
        async def login(email: str, password: str, db: Session) -> object:
            return authenticate_user(
                db,
                email=email,
                password=password,
            )


        @router.get("/user")
        async def user(email: str, db: Session) -> object:
            return find_user(db, email)


        @router.post("/login")
        async def service_login(email: str, password: str, db: Session) -> object:
            user_service = UserService(db)
            return user_service.authenticate_user(email, password)


        @router.get("/found")
        async def found(email: str, db: Session) -> object:
            user_service = UserService(db)
            return user_service.find(email)
        """,
    )
    result = run_cli("check", "--no-cache", "--select", "FG102,FG303", str(tmp_path))
    rows = [line.split(" ")[0:2] for line in result.stdout.splitlines() if ": FG" in line]
    assert rows == [
        [f"{tmp_path}/app/auth.py:24:12:", "FG303"],
        [f"{tmp_path}/app/auth.py:33:22:", "FG102"],
        [f"{tmp_path}/app/auth.py:39:12:", "FG303"],
        [f"{tmp_path}/app/auth.py:44:32:", "FG102"],
    ]


def test_self_session_a_base_of_another_module_binds_is_what_it_holds(tmp_path: Path) -> None:
    """Poseidon-G's repositories (reader 212): `BaseRepository.__init__(self, db:
    AsyncSession)` binds `self.db`; `CategoryRepository(BaseRepository[Category])` takes
    `db: Session` only to hand it to `super()`, and its coroutines call
    `self.db.query(...)`: an `AsyncSession`'s `query()` raises (FG101's), nothing blocks
    (no FG102). Where the base holds a sync `Session`, FG102 reports the blocking and
    FG101 waits for it."""
    write(tmp_path, "pyproject.toml", "[project]\nname = 'svc'\n")
    write(tmp_path, "app/__init__.py", "")
    base = """
        from typing import Generic, TypeVar

        from sqlalchemy.ext.asyncio import AsyncSession

        T = TypeVar("T")


        class BaseRepository(Generic[T]):
            def __init__(self, db: AsyncSession) -> None:
                self.db = db
        """
    write(tmp_path, "app/base.py", base)
    write(
        tmp_path,
        "app/categories.py",
        """
        from sqlalchemy import select
        from sqlalchemy.orm import Session

        from app.base import BaseRepository


        class CategoryRepository(BaseRepository[int]):
            def __init__(self, db: Session) -> None:
                super().__init__(db)

            async def by_slug(self, slug: str) -> object:
                return self.db.query(int).filter_by(slug=slug).first()


        async def listed(repository: CategoryRepository) -> object:
            await repository.db.execute(select(1))
            return await repository.by_slug("a")
        """,
    )

    def codes() -> list[str]:
        out = run_cli("check", "--no-cache", "--select", "FG101,FG102", str(tmp_path)).stdout
        return [line.split(" ")[1] for line in out.splitlines() if ": FG" in line]

    assert codes() == ["FG101"]
    sync_base = base.replace(
        "sqlalchemy.ext.asyncio import AsyncSession", "sqlalchemy.orm import Session"
    )
    write(tmp_path, "app/base.py", sync_base.replace("db: AsyncSession", "db: Session"))
    assert codes() == ["FG102"]


def test_a_name_bound_to_an_imported_factorys_session_in_each_block_is_flagged(
    database_module: Path,
) -> None:
    """0odafi's websocket routes (reader 124): `db = SessionLocal()` once per
    `try`/`finally` block, three times in a coroutine, each queried: opened from the same
    imported factory every time, so still its sync session; not where the name is bound
    to two different factories' sessions, which the file cannot tell apart."""
    _write_sync_factory(database_module)
    write(
        database_module,
        "app/sockets.py",
        """
        from sqlalchemy import select

        from app.db.tutorial import SessionLocal
        from app.other import OtherSession


        async def me_socket(user_id: int) -> None:
            db = SessionLocal()
            try:
                db.scalar(select(1))
            finally:
                db.close()
            db = SessionLocal()
            try:
                db.scalar(select(2))
            finally:
                db.close()


        async def mixed(user_id: int) -> None:
            db = SessionLocal()
            db.close()
            db = OtherSession()
            db.scalar(select(2))
        """,
    )
    result = run_cli("check", "--no-cache", "--select", "FG102", ".")
    assert _rows(result.stdout, "FG102") == ["app/sockets.py:10:9"]


def test_a_finding_asked_of_the_index_in_an_awaiting_coroutine_offers_a_thread(
    database_module: Path,
) -> None:
    """hei's login helpers (reader 53): a session of an imported factory queried in a
    coroutine that awaits something else, a finding the index settles, gets the message
    that offers `run_in_threadpool`, as a definite finding does: `def` is no fix there."""
    _write_sync_factory(database_module)
    write(
        database_module,
        "app/login.py",
        """
        from app.db.tutorial import SessionLocal


        async def do_login(user_id: int) -> str:
            token = await issue_token(user_id)
            db = SessionLocal()
            db.commit()
            return token
        """,
    )
    result = run_cli("check", "--no-cache", "--select", "FG102", ".")
    assert "this function awaits, so it stays `async def`" in result.stdout


def test_imported_sync_factory_is_flagged_when_the_file_is_checked_alone(
    database_module: Path,
) -> None:
    write(database_module, "app/billing.py", BILLING)
    result = run_cli("check", "--no-cache", "--select", "FG102", "app/billing.py")
    assert _rows(result.stdout, "FG102") == [
        "app/billing.py:8:10",
        "app/billing.py:13:10",
        "app/billing.py:18:5",
    ]


#: A dependencies module re-exporting the session class its routes annotate with
#: (Open-Assistant's `deps.Session`), and a subclass of an async session.
DEPS = """
from collections.abc import Iterator

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import Session

from app.db.engines import engine


class TracedSession(AsyncSession):
    pass


def get_db() -> Iterator[Session]:
    with Session(engine) as db:
        yield db


def api_auth(key: str, db: Session) -> object:
    return db.query(object).filter_by(key=key).first()
"""

ANNOTATED_ROUTES = """
from fastapi import Depends

from app import deps


async def create_client(key: str, session: deps.Session = Depends(deps.get_db)) -> object:
    return deps.api_auth(key, session)


async def purge(session: "deps.Session") -> None:
    session.execute("DELETE FROM drafts")


async def traced(session: deps.TracedSession) -> None:
    session.add(object())
    deps.api_auth("k", session)
"""


@pytest.mark.parametrize("alone", [False, True], ids=["project", "file alone"])
def test_a_session_class_another_module_re_exports_is_followed(
    database_module: Path, alone: bool
) -> None:
    """`session: deps.Session`: the file cannot tell what `deps.Session` is, the project
    index can (`from sqlmodel import Session` in `app/deps.py`); a subclass of
    `AsyncSession` is no sync session."""
    write(database_module, "app/deps.py", DEPS)
    write(database_module, "app/routes.py", ANNOTATED_ROUTES)
    result = run_cli("check", "--no-cache", "--select", "FG102", "app/routes.py" if alone else ".")
    assert _rows(result.stdout, "FG102") == ["app/routes.py:7:31", "app/routes.py:11:5"]


DEPENDENCIES = """
from app.db.engines import AsyncSessionLocal, session_maker


def get_db():
    db = session_maker()
    try:
        yield db
    finally:
        db.close()


async def get_async_db():
    async with AsyncSessionLocal() as session:
        yield session


def list_users(db):
    return db.query(object).all()
"""

UNANNOTATED_ROUTES = """
from fastapi import Depends

from app.dependencies import get_async_db, get_db, list_users


async def users(db=Depends(get_db)) -> object:
    return list_users(db)


async def flush(db=Depends(dependency=get_db)) -> None:
    db.flush()


async def async_users(db=Depends(get_async_db)) -> object:
    return list_users(db)


def sync_users(db=Depends(get_db)) -> object:
    return list_users(db)
"""


@pytest.mark.parametrize("selection", [["--select", "FG102"], []], ids=["named", "default"])
def test_an_unannotated_parameter_a_dependency_fills_with_a_sync_session(
    database_module: Path, selection: list[str]
) -> None:
    """fastapi-react's `db=Depends(get_db)` with no annotation (reader 45's miss: 8
    routes), where `get_db` yields `SessionLocal()` of a sync `sessionmaker`: FastAPI fills
    the parameter with what the generator yields, and the route hands it to sync CRUD
    functions or queries it on the loop. A dependency yielding an `AsyncSession`, and a
    route declared `def` (run in the threadpool), are not reported."""
    write(database_module, "app/dependencies.py", DEPENDENCIES)
    write(database_module, "app/routes.py", UNANNOTATED_ROUTES)
    result = run_cli("check", "--no-cache", *selection, ".")
    assert _rows(result.stdout, "FG102") == ["app/routes.py:7:23", "app/routes.py:11:5"]


NEXT_ROUTES = """
from app.dependencies import get_async_db, get_db, list_users


async def saga() -> object:
    with next(get_db()) as db:
        list_users(db)
    with next(get_db()) as db:
        return list_users(db)


async def flush() -> None:
    db = next(get_db())
    db.flush()


async def mixed(get_other) -> None:
    db = next(get_db())
    db = next(get_other())
    db.flush()


async def async_users() -> object:
    db = await anext(get_async_db())
    return list_users(db)
"""


@pytest.mark.parametrize("selection", [["--select", "FG102"], []], ids=["named", "default"])
def test_a_sync_session_taken_from_a_dependency_with_next(
    database_module: Path, selection: list[str]
) -> None:
    """EnissayG's checkout saga (reader 144): `with next(get_session()) as db:`, four
    times in one coroutine, then `changer_etat_commande(db, ...)`, where `get_session`
    yields `SessionLocal()`: the session the generator yields, as `Depends(get_db)` fills
    a parameter with it. A name bound to two different generators is not followed."""
    write(database_module, "app/dependencies.py", DEPENDENCIES)
    write(database_module, "app/routes.py", NEXT_ROUTES)
    result = run_cli("check", "--no-cache", *selection, ".")
    assert _rows(result.stdout, "FG102") == ["app/routes.py:6:20", "app/routes.py:13:5"]


@pytest.mark.parametrize(
    "annotation", ["deps.Session", '"deps.Session"', "Optional[deps.Session]", "Session"]
)
def test_the_screen_admits_a_coroutine_annotated_with_another_modules_class(
    annotation: str,
) -> None:
    """The only evidence is the annotation: the structural screen must still send the
    file to the rule (`_project_annotations`), or have it wait for the project index on
    every class the rule would ask about (`deferred_conditions`)."""
    source = (
        "from typing import Optional\n\nfrom app import deps\nfrom app.deps import Session\n\n\n"
        f"async def purge(session: {annotation}) -> None:\n"
        "    session.flush()\n"
    ).encode()
    rules = [rule for rule in ALL_RULES if rule.code == "FG102"]
    full = Engine(rules, screen=False).check(Path("app/x.py"), source)
    asked = {ref for _, condition in full.pending for ref in condition.refs}
    assert asked
    screened = Engine(rules).check(Path("app/x.py"), source)
    assert screened.pending == []
    assert {code for code, _ in screened.deferred} == {"FG102"}
    assert asked <= {ref for _, condition in screened.deferred for ref in condition.refs}
    assert Engine(rules).check(Path("app/x.py"), source, unscreened=frozenset({"FG102"})) == full


#: Context managers of another module yielding sessions (bisheng's
#: `get_sync_db_session()`): through a connection manager's method, from a factory, and
#: an async one.
CONTEXT_MANAGERS = """
from collections.abc import AsyncIterator, Generator
from contextlib import asynccontextmanager, contextmanager

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from app.db.engines import AsyncSessionLocal, engine, session_maker


class ConnectionManager:
    @contextmanager
    def create_session(self) -> Generator[Session, None, None]:
        with Session(engine) as session:
            yield session


def get_connection() -> ConnectionManager:
    return ConnectionManager()


@contextmanager
def get_sync_db_session():
    manager = get_connection()
    with manager.create_session() as session:
        yield session


@contextmanager
def session_scope():
    session = session_maker()
    try:
        yield session
    finally:
        session.close()


@asynccontextmanager
async def get_async_db_session():
    async with AsyncSessionLocal() as session:
        yield session


@asynccontextmanager
async def typed_async_session() -> AsyncIterator[AsyncSession]:
    async with AsyncSessionLocal() as session:
        yield session
"""

REPORTS = """
from sqlalchemy import select

from app.db.helpers import (
    get_async_db_session,
    get_sync_db_session,
    session_scope,
    typed_async_session,
)


async def report(key: str) -> object:
    with get_sync_db_session() as session:
        return session.execute(select(1)).first()


async def purge() -> None:
    with session_scope() as session:
        session.execute(select(1))


async def fine() -> object:
    async with get_async_db_session() as session:
        return await session.scalar(select(1))


async def typed() -> object:
    async with typed_async_session() as session:
        return await session.scalar(select(1))
"""


@pytest.mark.parametrize("alone", [False, True], ids=["project", "file alone"])
def test_a_session_another_modules_context_manager_yields_is_followed(
    database_module: Path, alone: bool
) -> None:
    write(database_module, "app/db/helpers.py", CONTEXT_MANAGERS)
    write(database_module, "app/reports.py", REPORTS)
    target = "app/reports.py" if alone else "."
    result = run_cli("check", "--no-cache", "--select", "FG102", target)
    assert _rows(result.stdout, "FG102") == ["app/reports.py:12:10", "app/reports.py:17:10"]


#: A singleton database manager whose context manager opens the session factory its
#: set-up made (aajmot's `DatabaseManager`: 185 routes querying through it), one module-
#: level instance of it imported by the routes; and one holding an async factory.
DATABASE_MANAGER = """
from contextlib import asynccontextmanager, contextmanager

from sqlalchemy import create_engine
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine
from sqlalchemy.orm import sessionmaker


class DatabaseManager:
    _instance = None
    _session_factory = None

    def __new__(cls):
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __init__(self):
        if self._session_factory is None:
            self._initialize_database()

    def _initialize_database(self):
        engine = create_engine("postgresql://app@db/app")
        self._session_factory = sessionmaker(bind=engine, expire_on_commit=False)

    @contextmanager
    def get_session(self):
        session = self._session_factory()
        try:
            yield session
            session.commit()
        finally:
            session.close()


class AsyncManager:
    def __init__(self):
        engine = create_async_engine("postgresql+asyncpg://app@db/app")
        self.factory = sessionmaker(bind=engine, class_=AsyncSession)

    @asynccontextmanager
    async def get_session(self):
        async with self.factory() as session:
            yield session


db_manager = DatabaseManager()
async_manager = AsyncManager()
"""

MANAGED_ROUTES = """
from app.db.connection import async_manager, db_manager


async def list_groups(tenant: int) -> list[object]:
    with db_manager.get_session() as session:
        return session.query(Group).filter(Group.tenant_id == tenant).all()


async def one_group(group_id: int) -> object:
    from app.db.connection import db_manager as manager

    with manager.get_session() as session:
        return session.get(Group, group_id)


async def fine(group_id: int) -> object:
    async with async_manager.get_session() as session:
        return await session.get(Group, group_id)
"""


@pytest.mark.parametrize("alone", [False, True], ids=["project", "file alone"])
def test_a_session_an_imported_instances_context_manager_opens_is_followed(
    database_module: Path, alone: bool
) -> None:
    write(database_module, "app/db/connection.py", DATABASE_MANAGER)
    write(database_module, "app/routes.py", MANAGED_ROUTES)
    target = "app/routes.py" if alone else "."
    result = run_cli("check", "--no-cache", "--select", "FG102", target)
    assert _rows(result.stdout, "FG102") == ["app/routes.py:5:10", "app/routes.py:12:10"]


#: A base storage whose `session` property gives a `@contextmanager`'s session, reused
#: when one is open (evidently's `BaseSQLStorage`), and one that gives an async session.
STORAGE_BASE = """
import contextlib
from contextvars import ContextVar

from sqlalchemy.orm import Session

from app.db.engines import AsyncSessionLocal

_current: ContextVar[Session] = ContextVar("session")


@contextlib.contextmanager
def session_context(engine):
    current = _current.get(None)
    if current is not None:
        yield current
        return
    session = Session(bind=engine)
    with session:
        yield session


class BaseStorage:
    def __init__(self, engine):
        self.engine = engine

    @property
    def session(self):
        return session_context(self.engine)


class AsyncStorage:
    @property
    def session(self):
        return AsyncSessionLocal()
"""

STORAGES = """
from sqlalchemy import select

from app.db.base import AsyncStorage, BaseStorage


def find(session, pk):
    return session.get(object, pk)


class Items(BaseStorage):
    async def list(self) -> list[object]:
        with self.session as session:
            return list(session.scalars(select(1)))

    async def get(self, pk: int) -> object:
        with self.session as session:
            return find(session, pk)

    def get_sync(self, pk: int) -> object:
        with self.session as session:
            return session.get(object, pk)


class Events(AsyncStorage):
    async def list(self) -> list[object]:
        async with self.session as session:
            return list(await session.scalars(select(1)))
"""


@pytest.mark.parametrize("alone", [False, True], ids=["project", "file alone"])
def test_a_session_an_inherited_property_opens_is_followed(
    database_module: Path, alone: bool
) -> None:
    """`with self.session as session:` in a coroutine, where a base class of another
    module defines `session` as a property returning a `@contextmanager` that yields a
    sync `Session`: queried or handed to a function, a finding (once per coroutine);
    a sync method, and a property giving an `AsyncSession`, are not."""
    write(database_module, "app/db/base.py", STORAGE_BASE)
    write(database_module, "app/storages.py", STORAGES)
    target = "app/storages.py" if alone else "."
    result = run_cli("check", "--no-cache", "--select", "FG102", target)
    assert _rows(result.stdout, "FG102") == ["app/storages.py:13:25", "app/storages.py:17:25"]


def test_the_hook_reports_an_imported_sync_factory_opened_in_async_def(
    database_module: Path,
) -> None:
    path = write(database_module, "app/billing.py", BILLING)
    payload = {"tool_input": {"file_path": str(path)}, "cwd": str(database_module)}
    answer = run_claude_hook(json.dumps(payload).encode(), {})
    assert "FG102" in json.loads(answer.stdout)["reason"]


def test_flask_sqlalchemy_session_of_another_module_queried_in_async_def_is_flagged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path, "pyproject.toml", "[project]\nname = 'svc'\n")
    write(tmp_path, "app/__init__.py", "")
    write(
        tmp_path,
        "app/extensions.py",
        "from flask_sqlalchemy import SQLAlchemy\n\ndb = SQLAlchemy()\n",
    )
    write(
        tmp_path,
        "app/users.py",
        """
        from app.extensions import db


        async def rename(user_id: int, name: str) -> None:
            db.session.execute(update(User).where(User.id == user_id).values(name=name))


        def rename_sync(user_id: int, name: str) -> None:
            db.session.execute(update(User).where(User.id == user_id).values(name=name))
        """,
    )
    monkeypatch.chdir(tmp_path)
    result = run_cli("check", "--no-cache", "--select", "FG102", ".")
    assert _rows(result.stdout, "FG102") == ["app/users.py:5:5"]


def test_fastapi_sqlalchemy_session_in_a_coroutine_is_flagged_once_per_coroutine() -> None:
    source = """
    from fastapi_sqlalchemy import db

    async def store_key(organisation_id: int, key: str) -> None:
        ApiKey.store(db.session, organisation_id, key)
        db.session.commit()

    async def user(email: str) -> User | None:
        return db.session.query(User).filter(User.email == email).first()

    async def nothing_yet(organisation_id: int) -> None:
        db.session.add(ApiKey(organisation_id=organisation_id))

    def sync_route(organisation_id: int) -> list[ApiKey]:
        return ApiKey.all(db.session, organisation_id)
    """
    assert _found("FG102", source) == [4, 8]


def test_imported_names_that_are_not_sync_factories_are_not_flagged(
    database_module: Path,
) -> None:
    write(
        database_module,
        "app/reports.py",
        """
        from app.db.engines import get_session_maker, session_maker


        async def report() -> None:
            with get_session_maker() as maker:
                maker.execute(select(1))
            maker = session_maker
            with maker() as session:
                session.execute(select(1))


        def sync_report() -> None:
            with session_maker() as session:
                session.execute(select(1))
        """,
    )
    result = run_cli("check", "--no-cache", "--select", "FG102", ".")
    assert _rows(result.stdout, "FG102") == []


def test_sync_session_parameter_queried_in_async_route_is_flagged() -> None:
    source = """
    from sqlalchemy.orm import Session

    async def update(db: Session, item) -> None:
        db.add(item)
        db.commit()
    """
    assert _found("FG102", source) == [5]


def test_sync_session_attribute_of_a_service_is_flagged_in_its_async_method() -> None:
    source = """
    from sqlalchemy.orm import Session

    class ReportService:
        def __init__(self, db: Session) -> None:
            self.db = db

        def total(self) -> int:
            return self.db.scalar(text("select count(*) from reports"))

        async def refresh(self) -> None:
            self.db.execute(text("refresh materialized view report_totals"))
    """
    assert _found("FG102", source) == [11]


def test_sync_code_in_nested_def_lambda_and_run_sync_is_not_flagged() -> None:
    source = """
    from sqlalchemy.orm import Session

    async def purge(session, db: Session) -> None:
        def work(sync_session: Session) -> None:
            sync_session.execute(text("delete from drafts"))

        await session.run_sync(work)
        await session.run_sync(lambda s: s.execute(text("delete from logs")))
        await run_in_threadpool(db.commit)
    """
    assert _found("FG102", source) == []


def test_awaited_call_on_a_session_annotated_sync_is_not_flagged() -> None:
    source = """
    from sqlalchemy.orm import Session

    async def find(session: Session, job_id: str):
        return await session.execute(select(Job).where(Job.id == job_id))
    """
    assert _found("FG102", source) == []


def test_fg102_does_not_apply_to_tests() -> None:
    source = """
    from sqlalchemy import create_engine
    from sqlalchemy.orm import Session

    async def test_report(client) -> None:
        with Session(create_engine("postgresql+psycopg://app@db/test")) as db:
            db.commit()
    """
    assert _found("FG102", source, "tests/test_report.py") == []
    assert _found("FG102", source, "app/report.py") == [5]


# -- FG103 --------------------------------------------------------------------------
def test_missing_await_on_a_session_assigned_in_init_is_flagged() -> None:
    source = """
    from sqlalchemy.ext.asyncio import AsyncSession

    class UserRepository:
        def __init__(self, session: AsyncSession) -> None:
            self.session = session

        async def save(self, user) -> None:
            self.session.add(user)
            self.session.flush()
            await self.session.commit()
    """
    assert _found("FG103", source) == [9]


def test_missing_await_on_an_annotated_attribute_and_a_class_annotation() -> None:
    source = """
    from sqlalchemy.ext.asyncio import AsyncSession

    class TaskRepository:
        audit: AsyncSession

        def __init__(self, db) -> None:
            self.db: AsyncSession = db

        async def close(self) -> None:
            self.db.execute(text("select 1"))
            self.audit.commit()
    """
    assert _found("FG103", source) == [10, 11]


def test_missing_await_in_a_subclass_of_a_repository_base() -> None:
    source = """
    from sqlalchemy.ext.asyncio import AsyncSession

    class BaseRepository:
        def __init__(self, session: AsyncSession) -> None:
            self.session = session

    class UserRepository(BaseRepository):
        async def delete_all(self) -> None:
            self.session.execute(delete(User))
    """
    assert _found("FG103", source) == [9]


def test_missing_await_on_a_session_opened_from_a_module_sessionmaker() -> None:
    source = """
    from sqlalchemy.ext.asyncio import async_sessionmaker

    SessionLocal = async_sessionmaker(expire_on_commit=False)

    async def job() -> None:
        async with SessionLocal() as session:
            session.commit()
        async with SessionLocal.begin() as tx:
            tx.flush()
    """
    assert _found("FG103", source) == [7, 9]


def test_unknown_session_attribute_is_not_flagged() -> None:
    source = """
    from sqlalchemy.ext.asyncio import AsyncSession

    class Cache:
        def __init__(self, session) -> None:
            self.session = session

        async def warm(self, session: AsyncSession) -> None:
            self.session.execute("PING")
            await session.commit()
    """
    assert _found("FG103", source) == []


def test_fg103_applies_to_tests() -> None:
    source = """
    from sqlalchemy.ext.asyncio import AsyncSession

    async def test_rename(session: AsyncSession) -> None:
        session.commit()
    """
    assert _found("FG103", source, "tests/test_users.py") == [4]


# -- FG104 --------------------------------------------------------------------------
def test_fg104_does_not_apply_to_tests() -> None:
    source = """
    from sqlalchemy.ext.asyncio import async_sessionmaker

    TestSession = async_sessionmaker()
    """
    assert _found("FG104", source, "tests/conftest.py") == []
    assert _found("FG104", source, "app/database.py") == [3]


def test_fg103s_screen_keeps_every_receiver_the_rule_resolves_and_drops_plain_data() -> None:
    # the screen follows what `receiver_class` follows (polar: 52 files let through for
    # `.get()` on dicts and JSON before, 27 after): the same findings screened or not, and
    # a file whose receivers are all data is not parsed for FG103
    source = """
    from typing import Annotated

    from fastapi import Depends
    from sqlalchemy.ext.asyncio import AsyncSession, async_scoped_session, async_sessionmaker

    SessionDep = Annotated[AsyncSession, Depends(get_db)]
    Maker = async_sessionmaker(expire_on_commit=False)
    Scoped = async_scoped_session(Maker, scopefunc=current_task)


    def make_session() -> AsyncSession:
        return Maker()


    class Repo:
        session: AsyncSession

        def __init__(self, db: AsyncSession) -> None:
            self.db = db
            self.factory = Maker

        async def purge(self, x, y, z) -> None:
            self.session.delete(x)
            self.db.delete(y)
            made = self.factory()
            made.delete(z)


    async def handler(session: SessionDep, other: "AsyncSession | None", raw, x) -> None:
        session.delete(x)
        other.delete(x)
        raw.delete(x)
        await raw.flush()
        data = {"a": 1}
        data.get("a")
        fresh = Maker()
        fresh.get(User, 1)
        async with Maker() as opened:
            opened.get(User, 2)
        awaited = await make_session()
        awaited.get(User, 3)
        helper = make_session()
        helper.delete(x)
        Scoped.delete(x)
        (walrus := Maker()).delete(x)

    """
    rules = [rule for rule in ALL_RULES if rule.code == "FG103"]
    code = textwrap.dedent(source).lstrip("\n").encode()
    full = Engine(rules, screen=False).check(Path("app/x.py"), code)
    screened = Engine(rules).check(Path("app/x.py"), code)
    # `Repo`'s two wait on its being named (`FileContext._in_dead_class`)
    rows = sorted([f.start.row for f in full.findings] + [f.start.row for f, _ in full.pending])
    assert rows == [23, 24, 30, 31, 32, 37, 39, 43, 44]
    assert screened == full

    # a receiver no class is known for, which the function awaits as a session
    awaited_text = b"""from sqlalchemy.ext.asyncio import AsyncSession


async def pair(sessions: list, x) -> None:
    sessions[0].delete(x)
    await sessions[0].flush()
"""
    full = Engine(rules, screen=False).check(Path("app/x.py"), awaited_text)
    assert [f.start.row for f in full.findings] == [5]
    assert Engine(rules).check(Path("app/x.py"), awaited_text) == full

    data_only = """
    from sqlalchemy.ext.asyncio import AsyncSession


    async def webhook(session: AsyncSession, event: dict, payload: str) -> None:
        resource_data = event["data"]
        resource_data.get("id")
        parsed = json.loads(payload)
        parsed.get("id")
        job = await queue.get()
        job.get("id")
        totals = dict(a=1)
        totals.get("a")
        await session.commit()
    """
    code = textwrap.dedent(data_only).lstrip("\n").encode()
    assert Engine(rules, screen=False).check(Path("app/x.py"), code).findings == []
    assert (
        Engine(rules).active_rules(Path("app/x.py"), code, None, structure=_structure(code)) == []
    )


def _structure(code: bytes) -> Structure:
    return Structure(ast.parse(code), "app.x", False, None, "app/x.py", Path("app/x.py"), code)


# -- FG106 --------------------------------------------------------------------------
def test_gather_over_methods_of_one_repository_sharing_its_session_is_flagged() -> None:
    source = """
    import asyncio

    from sqlalchemy.ext.asyncio import AsyncSession

    class TaskRepository:
        def __init__(self, session: AsyncSession) -> None:
            self.session = session

        async def count(self) -> int:
            return await self.session.scalar(select(func.count(Task.id)))

        async def page(self) -> list:
            return list(await self.session.scalars(select(Task)))

        async def summary(self):
            return await asyncio.gather(self.count(), self.page())

    async def dashboard(tasks: TaskRepository):
        return await asyncio.gather(tasks.count(), tasks.page())
    """
    assert _found("FG106", source) == [16, 19]


def test_a_session_made_at_import_is_flagged_where_requests_share_it() -> None:
    # aeternalis' template: one AsyncSession in a singleton made at import, yielded to
    # every request by the session dependency
    source = """
    from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine
    from sqlalchemy.orm import sessionmaker
    from sqlmodel.ext.asyncio.session import AsyncSession as ModelSession

    engine = create_async_engine("postgresql+asyncpg://app@db/app")
    LegacyFactory = sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)
    shared = LegacyFactory()
    model_session: ModelSession = ModelSession(engine, expire_on_commit=False)


    class Database:
        def __init__(self) -> None:
            self.session = AsyncSession(engine, expire_on_commit=False)


    class PerCall:
        def __init__(self) -> None:
            self.session = AsyncSession(engine, expire_on_commit=False)


    db = Database()


    def make() -> PerCall:
        return PerCall()
    """
    assert _found("FG106", source) == [7, 8, 13]
    # a test module's, a script's: one run's session
    assert _found("FG106", source, path="tests/conftest.py") == []
    assert _found("FG106", source, path="scripts/seed.py") == []


def test_gather_over_a_list_of_coroutines_built_in_displays_is_flagged() -> None:
    """athenax's product service (reader 171): `tasks = [self.repo.votes(db, ids),
    self.repo.bookmarks(db, ids)]`, more added with `tasks += [...]` or `append`, then
    `await asyncio.gather(*tasks)`: every element a coroutine on the one session; also a
    display starred in the call. A list made otherwise (a comprehension over sessions of
    their own, a call's result) or whose elements share no session is not."""
    source = """
    import asyncio

    from sqlalchemy.ext.asyncio import AsyncSession


    class ProductService:
        async def interactions(self, db: AsyncSession, ids: list[int], user) -> list:
            tasks = [
                self.repo.get_vote_counts(db, ids),
                self.repo.get_bookmark_counts(db, ids),
            ]
            if user:
                tasks += [self.repo.get_user_votes(db, ids, user.id)]
            return await asyncio.gather(*tasks)

        async def invalidate(self, db: AsyncSession, old: int, new: int) -> None:
            invalidations = [self._invalidate_list_cache()]
            invalidations.append(self._invalidate_broadcast(db, old))
            invalidations.append(self._invalidate_broadcast(db, new))
            await asyncio.gather(*invalidations)

        async def starred(self, db: AsyncSession, ids: list[int]) -> list:
            return await asyncio.gather(*[self.repo.a(db, ids), self.repo.b(db, ids)])

        async def apart(self, db: AsyncSession, other: AsyncSession, maker) -> list:
            tasks = [self.repo.a(db, 1), self.repo.b(other, 2)]
            await asyncio.gather(*tasks)
            made = self.plan(db)
            await asyncio.gather(*made)
            return await asyncio.gather(*[self.repo.a(s, 1) for s in maker.sessions()])
    """
    assert _found("FG106", source) == [14, 20, 23]


def test_gather_over_a_method_that_does_not_use_the_session_is_not_flagged() -> None:
    source = """
    import asyncio

    from sqlalchemy.ext.asyncio import AsyncSession

    class TaskRepository:
        def __init__(self, session: AsyncSession, cache) -> None:
            self.session = session
            self.cache = cache

        async def count(self) -> int:
            return await self.session.scalar(select(func.count(Task.id)))

        async def cached(self) -> list:
            return await self.cache.get("tasks")

    async def dashboard(tasks: TaskRepository, other: TaskRepository):
        await asyncio.gather(tasks.count(), tasks.cached())
        await asyncio.gather(tasks.count(), other.count())
    """
    assert _found("FG106", source) == []


def test_gather_over_http_client_sessions_and_domain_sessions_is_not_flagged() -> None:
    source = """
    import asyncio

    from aiohttp import ClientSession

    async def run(url, browser_sessions, chat_session, session_id):
        async with ClientSession() as session:
            await asyncio.gather(session.get(url), session.get(url))
        await asyncio.gather(*[snapshot(browser_session) for browser_session in browser_sessions])
        await asyncio.gather(load(chat_session), load(chat_session, session_id=session_id))
    """
    assert _found("FG106", source) == []


@pytest.mark.parametrize(
    ("head", "reported"),
    [
        ('@app.on_event("startup")\nasync def start():', False),
        ('@app.on_event("shutdown")\nasync def stop():', False),
        ("@asynccontextmanager\nasync def lifespan(application):", False),
        ("@asynccontextmanager\nasync def setup(application: FastAPI):", False),
        ("@asynccontextmanager\nasync def transaction(application):", True),
        ('@app.get("/")\nasync def index():', True),
        ('@app.on_event("custom")\nasync def other():', True),
        # an async generator given as `lifespan=` undecorated (fides)
        ("async def lifespan(wrapped_app: FastAPI):", False),
        ("async def stream(application: FastAPI):", False),
        ("async def stream(application):", True),
    ],
)
def test_start_up_and_shutdown_code_may_use_a_sync_session(head: str, reported: bool) -> None:
    source = (
        "from contextlib import asynccontextmanager\n\n"
        "from fastapi import FastAPI\n"
        "from sqlalchemy import create_engine\n"
        "from sqlalchemy.orm import Session\n\n"
        'engine = create_engine("postgresql+psycopg://app@db/app")\n'
        "app = FastAPI()\n\n\n"
        f"{head}\n"
        "    with Session(engine) as session:\n"
        "        session.commit()\n"
        "    yield\n"
    )
    assert bool(_found("FG102", source)) is reported


def test_a_sync_session_passed_after_an_http_client_session_is_flagged() -> None:
    """Open-Assistant's login callback: `session.get(...)` on an aiohttp session (asked of
    the index as an imported object, which it is not) must not hide the `db: Session`
    handed to a function that queries it."""
    source = """
    import aiohttp
    from fastapi import Depends
    from sqlmodel import Session

    from app import auth, deps


    async def callback(code: str, db: Session = Depends(deps.get_db)):
        async with aiohttp.ClientSession() as session:
            async with session.get("https://discord.com/api/users/@me") as response:
                discord_id = (await response.json())["id"]
        return auth.get_account_from_discord_id(db, discord_id)
    """
    # `deps.get_db` gives a sync session (the index reads what it yields)
    deps = (
        "from sqlmodel import Session, create_engine\n\nengine = create_engine('sqlite://')\n\n\n"
        "def get_db():\n    with Session(engine) as db:\n        yield db\n"
    )
    project = [("app/__init__.py", ""), ("app/deps.py", deps)]
    found = check_code(source, "app/api/login.py", project=project)
    assert [(f.start.row, f.start.column) for f in found if f.code == "FG102"] == [(12, 45)]


def test_a_session_handed_to_what_runs_nothing_now_is_not_flagged() -> None:
    """mlrun's coroutines: a session handed to a constructor whose object is awaited
    (`await Deployment(db_session=db).disable()`) or handed on (`return Params(...)`),
    or to an `async def` of the module or the class (it runs nothing when called: its
    own body is where a query blocks). A constructed object whose method is called
    without `await`, or a sync function given the session, still are."""
    source = """
    from sqlalchemy.orm import Session


    async def disable(db: Session) -> object:
        return await Deployment(db_session=db).disable()


    async def params(db: Session) -> object:
        return _CommonParams(db_session=db)


    async def stream(db: Session) -> object:
        return _generate(db)


    async def _generate(db):
        yield 1


    class Logs:
        async def get(self, db: Session) -> object:
            return self._legacy(db)

        async def _legacy(self, db):
            yield 1

        async def deploy(self, db: Session) -> object:
            return Deployment(db_session=db).deploy()

        async def deploy_later(self, db: Session) -> object:
            deployment = Deployment(db_session=db)
            return deployment.deploy()

        async def verify(self, db: Session) -> None:
            verify_empty(db)

        async def shared(self, db: Session) -> object:
            repos = AllRepositories(db, group_id=None)
            return repos.share_tokens.get_one("t")
    """
    assert _found("FG102", source) == [28, 31, 35, 38]


@pytest.mark.parametrize("asyncio_extension", [False, True], ids=["sync project", "async"])
def test_a_session_shared_by_tasks_is_reported_where_sessions_may_be_async(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, asyncio_extension: bool
) -> None:
    """A delivery platform's socket.io emitters gather two coroutines given one `db`; the
    project has no `AsyncSession` anywhere, so `db` is a sync `Session`: the tasks block
    (FG102) but cannot fail with "another operation is in progress" (FG106's finding)."""
    write(tmp_path, "pyproject.toml", "[project]\nname = 'svc'\n")
    write(
        tmp_path,
        "app/emitters.py",
        """
        import asyncio

        from sqlalchemy.orm import Session


        async def emit_store_updates(db, store_id: int) -> None:
            await asyncio.gather(emit_admin(db, store_id), emit_totem(db, store_id))
        """,
    )
    if asyncio_extension:
        write(tmp_path, "app/db.py", "from sqlalchemy.ext.asyncio import async_sessionmaker\n")
    monkeypatch.chdir(tmp_path)
    default = _rows(run_cli("check", "--no-cache", ".").stdout, "FG106")
    assert default == (["app/emitters.py:7:11"] if asyncio_extension else [])
    named = _rows(run_cli("check", "--no-cache", "--select", "FG106", ".").stdout, "FG106")
    assert named == ["app/emitters.py:7:11"]


@pytest.mark.parametrize(
    ("annotation", "blocking"),
    [
        ("sessionmaker", False),  # SQLAlchemy 1.4 made async sessions with it too
        ("sessionmaker[AsyncSession]", False),
        ("sessionmaker[Session]", True),
    ],
)
def test_a_sessionmaker_annotation_says_sync_only_when_it_names_session(
    annotation: str, blocking: bool
) -> None:
    """A one-off script of a yoga studio's backend receives its factory as
    `AsyncronSession: sessionmaker`, made elsewhere by `sessionmaker(engine,
    class_=AsyncSession)`: no sync session is known there."""
    source = """
        from sqlalchemy import select
        from sqlalchemy.ext.asyncio import AsyncSession
        from sqlalchemy.orm import Session, sessionmaker


        async def migrate(factory: ANNOTATION) -> None:
            session = factory()
            session.execute(select(1))
        """.replace("ANNOTATION", annotation)
    assert bool(positions(source, "FG102")) == blocking


@pytest.mark.parametrize(("class_", "blocking"), [("", True), (", class_=AsyncSession", False)])
def test_an_annotated_sessionmaker_is_what_its_value_makes(class_: str, blocking: bool) -> None:
    source = """
        from sqlalchemy import create_engine, select
        from sqlalchemy.ext.asyncio import AsyncSession
        from sqlalchemy.orm import sessionmaker

        SessionLocal: sessionmaker = sessionmaker(bind=create_engine("sqlite://")CLASS)


        async def handler() -> None:
            session = SessionLocal()
            session.execute(select(1))
        """.replace("CLASS", class_)
    assert bool(positions(source, "FG102")) == blocking


def test_a_module_level_annotated_alias_of_a_sync_session_is_a_sync_session() -> None:
    """FastAPI's shared dependency, `GetDatabaseSession = Annotated[Session,
    Depends(get_db)]`, annotates a license-plate service's `async def get_current_user`
    (the dependency of every authenticated route), which then queries the sync session."""
    source = """
        from typing import Annotated

        from fastapi import Depends
        from sqlalchemy import select
        from sqlalchemy.orm import Session

        from app.db import get_db

        GetDatabaseSession = Annotated[Session, Depends(get_db)]


        async def get_current_user(db: GetDatabaseSession):
            return db.execute(select(1)).scalar()
        """
    assert positions(source, "FG102") == [(13, 12)]


def test_an_annotated_alias_imported_from_another_module_is_its_type(tmp_path: Path) -> None:
    """A delivery platform declares `GetDBDep = Annotated[Session, Depends(get_db)]` in its
    database module and annotates its `async def` routes with it: 45 routes blocked the
    loop on the sync session unseen (the fourteenth reader counted them; the module
    summaries now carry the alias as what it annotates)."""
    write(tmp_path, "pyproject.toml", '[project]\nname = "svc"\n')
    write(tmp_path, "app/__init__.py", "")
    write(
        tmp_path,
        "app/database.py",
        "from typing import Annotated\n\nfrom fastapi import Depends\n"
        "from sqlalchemy.orm import Session\n\n\ndef get_db(): ...\n\n\n"
        "GetDBDep = Annotated[Session, Depends(get_db)]\n",
    )
    routes = write(
        tmp_path,
        "app/routes.py",
        "from sqlalchemy import select\n\nfrom app.database import GetDBDep\n\n\n"
        "async def banners(db: GetDBDep):\n    return db.execute(select(1)).all()\n",
    )

    def fg102(*paths: Path) -> list[int]:
        out = run_cli(
            "check", "--no-cache", "--output-format", "json", "--select", "FG102", *map(str, paths)
        )
        return [f["location"]["row"] for f in json.loads(out.stdout)]

    assert fg102(tmp_path) == [7]
    assert fg102(routes) == [7]  # the edit hook's run of one file reads the alias too


def test_a_legacy_query_on_an_imported_alias_of_a_sync_session_is_fg102s(
    tmp_path: Path,
) -> None:
    """sqlbot's upload route: `session: SessionDep` (`Annotated[Session, Depends(...)]` of
    another module) runs `session.query(...)`: the query works and blocks the loop, which
    FG102 reports; FG101, whose advice (`select()` on the same session) blocks as much,
    leaves it as it does for `db: Session` (reader 41 judged its 3 findings not worth acting
    on, beside FG102's). An alias of an `AsyncSession` keeps FG101's finding."""
    write(tmp_path, "pyproject.toml", '[project]\nname = "svc"\n')
    write(tmp_path, "app/__init__.py", "")
    write(
        tmp_path,
        "app/deps.py",
        "from typing import Annotated\n\nfrom fastapi import Depends\n"
        "from sqlalchemy.ext.asyncio import AsyncSession\nfrom sqlmodel import Session\n\n\n"
        "def get_session(): ...\n\n\nSessionDep = Annotated[Session, Depends(get_session)]\n"
        "AsyncDep = Annotated[AsyncSession, Depends(get_session)]\n",
    )
    write(
        tmp_path,
        "app/routes.py",
        "from sqlalchemy import select\n\nfrom app.deps import AsyncDep, SessionDep\n"
        "from app.models import Table\n\n\n"
        "async def upload(session: SessionDep):\n    session.query(Table).first()\n"
        "    await session.execute(select(1))\n\n\n"
        "async def listed(session: AsyncDep):\n    return session.query(Table).all()\n",
    )
    result = run_cli(
        "check", "--no-cache", "--output-format", "json", "--select", "FG101,FG102", str(tmp_path)
    )
    found = [(f["code"], f["location"]["row"]) for f in json.loads(result.stdout)]
    assert [row for code, row in found if code == "FG101"] == [13]
    assert ("FG102", 8) in found


def test_an_imported_alias_of_a_sync_session_spelled_in_lower_case_is_its_type(
    tmp_path: Path,
) -> None:
    """ally360's `db_dependency = Annotated[Session, Depends(get_db)]` (reader 148): an
    annotation's lower-case name is a type's alias as a CapWords one is. Its route's
    `db.query(...)` is FG102's (FG101 leaves a known-sync session's query, as for
    `SessionDep`), and the routes that hand it to the sync service block on it too."""
    write(tmp_path, "pyproject.toml", '[project]\nname = "svc"\n')
    write(tmp_path, "app/__init__.py", "")
    write(
        tmp_path,
        "app/deps.py",
        "from typing import Annotated\n\nfrom fastapi import Depends\n"
        "from sqlalchemy.ext.asyncio import AsyncSession\nfrom sqlalchemy.orm import Session\n\n\n"
        "def get_db(): ...\n\n\ndb_dependency = Annotated[Session, Depends(get_db)]\n"
        "async_db_dependency = Annotated[AsyncSession, Depends(get_db)]\n",
    )
    write(
        tmp_path,
        "app/service.py",
        "from sqlalchemy import select\n\nfrom app.deps import db_dependency\n\n\n"
        "def create(db: db_dependency, name: str) -> None:\n"
        "    db.execute(select(1))\n    db.commit()\n",
    )
    write(
        tmp_path,
        "app/routes.py",
        "from app import service\nfrom app.deps import async_db_dependency, db_dependency\n"
        "from app.models import PDV\n\n\n"
        "async def pdvs(db: db_dependency):\n    return db.query(PDV).all()\n\n\n"
        "async def create(db: db_dependency) -> None:\n    service.create(db, 'a')\n\n\n"
        "async def listed(db: async_db_dependency):\n    return db.query(PDV).all()\n",
    )
    result = run_cli(
        "check", "--no-cache", "--output-format", "json", "--select", "FG101,FG102", str(tmp_path)
    )
    found = sorted(
        (f["code"], f["location"]["row"])
        for f in json.loads(result.stdout)
        if f["filename"].endswith("routes.py")
    )
    assert found == [("FG101", 15), ("FG102", 7), ("FG102", 11)], found


def test_a_session_the_function_awaits_as_one_is_known_without_its_class() -> None:
    """letta's block history: the session comes from a registry of another module
    (`async with db_registry.async_session() as session`); the function awaits
    `session.flush()`, so its `session.delete(entry)` is a coroutine never run. A name
    bound by a sync `with` too is not one object (advanced-alchemy's tests)."""
    source = """
        from sqlalchemy import select

        from app.db import db_registry


        async def truncate(block_id: str) -> None:
            async with db_registry.async_session() as session:
                result = await session.execute(select(History))
                for entry in result.scalars():
                    session.delete(entry)
                await session.flush()


        async def upsert(engine, statement, is_async: bool) -> None:
            if is_async:
                async with engine.connect() as conn:
                    await conn.commit()
            else:
                with engine.connect() as conn:
                    conn.execute(statement)


        async def fetch(pool) -> None:
            async with pool.acquire() as conn:
                await conn.fetch("SELECT 1")
                conn.execute("SELECT 2")
        """
    assert [(f.code, f.start.row) for f in check_code(source, "app/blocks.py")] == [("FG103", 10)]


@pytest.mark.parametrize(
    "spelling",
    [
        "from sqlalchemy.ext.asyncio import AsyncEngine",
        "from sqlmodel.ext.asyncio.session import AsyncEngine",
    ],
)
def test_a_sync_engine_wrapped_in_an_async_engine_blocks_nothing(spelling: str) -> None:
    """`AsyncEngine(create_engine(url))` (an Alembic `env.py` of the sqlmodel template):
    the sync engine is the async one's, every statement is awaited; a sync engine used
    beside it still blocks."""
    source = f"""
from sqlmodel import create_engine
{spelling}


async def run_migrations_online() -> None:
    connectable = AsyncEngine(
        create_engine("postgresql+asyncpg://app@db/app", echo=True, future=True)
    )
    async with connectable.connect() as connection:
        await connection.run_sync(print)


async def report() -> None:
    engine = create_engine("postgresql://app@db/app")
    with engine.connect() as connection:
        connection.exec_driver_sql("SELECT 1")
"""
    assert positions(source, "FG102") == [(14, 14)]


def test_a_method_of_self_blocks_only_where_it_queries_the_objects_sync_session() -> None:
    """A sync method called through `self` is reported where it (or a method it calls on
    `self`) queries the session the object holds; not a method that only computes, nor one
    whose query runs in a function it hands to a thread, nor one of an async session."""
    source = """
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session


class Reports:
    def __init__(self, db: Session) -> None:
        self.db = db

    def _total(self, rows: list[int]) -> int:
        return sum(rows)

    def _in_thread(self) -> None:
        def work() -> None:
            self.db.commit()
        start_thread(work)

    def _save(self) -> None:
        self.db.commit()

    async def build(self, rows: list[int]) -> int:
        self._in_thread()
        return self._total(rows)

    async def save(self) -> None:
        self._save()


class AsyncReports:
    def __init__(self, db: AsyncSession) -> None:
        self.db = db

    def _stage(self, row: object) -> None:
        self.db.add(row)

    async def save(self, row: object) -> None:
        self._stage(row)
        await self.db.commit()
"""
    assert positions(source, "FG102") == [(25, 9)]  # `self._save()` in `save`


#: bisheng's `get_sync_db_session()`: a context manager of the project giving a sync session.
_SYNC_DB = """
from collections.abc import Iterator
from contextlib import contextmanager

from sqlmodel import Session, create_engine

engine = create_engine("postgresql://db/app")


@contextmanager
def get_sync_db_session() -> Iterator[Session]:
    with Session(engine) as session:
        yield session
"""


def test_a_dao_helper_named_as_a_session_method_is_asked_of_its_own(tmp_path: Path) -> None:
    """bisheng's `MessageSessionDao.get_one(chat_id)`: `get_one` is also a session's method,
    so the call is first asked of as a query on its receiver (not a session); the sync
    session the DAO opens is asked apart and reported."""
    (tmp_path / ".git").mkdir()
    write(tmp_path, "app/db.py", _SYNC_DB)
    write(
        tmp_path,
        "app/dao.py",
        """
        from sqlmodel import SQLModel

        from app.db import get_sync_db_session


        class MessageSessionBase(SQLModel):
            chat_id: str


        class MessageSessionDao(MessageSessionBase):
            @classmethod
            def get_one(cls, chat_id: str):
                with get_sync_db_session() as session:
                    return session.get(MessageSessionBase, chat_id)
        """,
    )
    routes = write(
        tmp_path,
        "app/routes.py",
        """
        from fastapi import APIRouter

        from app.dao import MessageSessionDao

        router = APIRouter()


        @router.get("/sessions/{chat_id}")
        async def read(chat_id: str):
            return MessageSessionDao.get_one(chat_id)
        """,
    )
    for target in (routes, tmp_path):
        result = run_cli("check", "--no-cache", "--select", "FG102", str(target))
        assert "routes.py:10:12: FG102 `MessageSessionDao.get_one()`" in result.stdout, (
            result.stdout
        )


def test_a_sync_helper_of_the_same_module_is_asked_of_the_index(tmp_path: Path) -> None:
    """bisheng's `FlowDao.aget_user_access_online_flows()` returns `FlowDao.get_flows(...)`,
    a sync classmethod of the same module that opens `get_sync_db_session()`: asked of the
    index like another module's helper, through the class, `cls` and a module function;
    not a sync helper that opens nothing, nor one a thread runs."""
    (tmp_path / ".git").mkdir()
    write(tmp_path, "app/db.py", _SYNC_DB)
    flows = write(
        tmp_path,
        "app/flow.py",
        """
        import asyncio

        from sqlmodel import select

        from app.db import get_sync_db_session


        def count_flows() -> int:
            with get_sync_db_session() as session:
                return len(session.exec(select(1)).all())


        def label(name: str) -> str:
            return name.title()


        class FlowDao:
            @classmethod
            def get_flows(cls, user_id: int) -> list[object]:
                with get_sync_db_session() as session:
                    return list(session.exec(select(1)).all())

            @classmethod
            async def aget_flows(cls, user_id: int) -> list[object]:
                return FlowDao.get_flows(user_id)

            @classmethod
            async def aget_mine(cls, user_id: int) -> list[object]:
                return cls.get_flows(user_id)

            @classmethod
            async def acount(cls) -> int:
                return count_flows()

            @classmethod
            async def alabel(cls, name: str) -> str:
                return label(name)

            @classmethod
            async def athreaded(cls, user_id: int) -> list[object]:
                return await asyncio.to_thread(cls.get_flows, user_id)
        """,
    )
    for target in (flows, tmp_path):
        result = run_cli("check", "--no-cache", "--select", "FG102", str(target))
        rows = [row.rpartition("app/")[2] for row in _rows(result.stdout, "FG102")]
        assert rows == ["flow.py:25:16", "flow.py:29:16", "flow.py:33:16"], result.stdout
        assert "`FlowDao.get_flows()` is a sync function of this module" in result.stdout


def test_a_sync_helper_called_by_a_route_that_awaits_nothing_offers_def(tmp_path: Path) -> None:
    """litigation-support's `get_dashboard` (reader 166): a route that awaits nothing and
    calls a sync helper querying a sync session is best declared `def` (FastAPI runs it in
    its threadpool), as FG302's and FG303's messages offer; a route that awaits is not."""
    (tmp_path / ".git").mkdir()
    write(tmp_path, "app/db.py", _SYNC_DB)
    write(
        tmp_path,
        "app/flows.py",
        """
        from sqlmodel import select

        from app.db import get_sync_db_session


        def count_flows() -> int:
            with get_sync_db_session() as session:
                return len(session.exec(select(1)).all())
        """,
    )
    write(
        tmp_path,
        "app/routes.py",
        """
        import asyncio

        from fastapi import APIRouter

        from app.flows import count_flows

        router = APIRouter()


        @router.get("/count")
        async def count() -> int:
            return count_flows()


        @router.get("/later")
        async def later() -> int:
            await asyncio.sleep(0)
            return count_flows()
        """,
    )
    result = run_cli("check", "--no-cache", "--select", "FG102", str(tmp_path))
    found = [line for line in result.stdout.splitlines() if " FG102 " in line]
    assert [line.partition(" FG102 ")[0].rpartition("app/")[2] for line in found] == [
        "routes.py:12:12:",
        "routes.py:18:12:",
    ]
    assert found[0].endswith(
        "; or, as `count` awaits nothing, declare it `def` (FastAPI runs it in its threadpool)"
    )
    assert "declare it `def`" not in found[1]


def test_a_sessionmaker_of_unknown_class_opened_by_a_plain_with_is_sync() -> None:
    """OpenHands' `SaasSettingsStore`: a dataclass field `session_maker: sessionmaker`,
    opened by `with self.session_maker() as session:` in a coroutine. A bare `sessionmaker`
    may make async sessions (`class_=AsyncSession`), but only a sync `Session` is a sync
    context manager: what a plain `with` opens is sync, and queried in its block, blocks.
    Opened by `async with`, or handed to a thread (sqladmin), it is not."""
    source = """
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import sessionmaker


@dataclass
class SettingsStore:
    user_id: str
    session_maker: sessionmaker

    async def load(self) -> object:
        with self.session_maker() as session:
            return session.execute(select(1)).first()

    async def aload(self) -> object:
        async with self.session_maker() as session:
            return (await session.execute(select(1))).first()


async def count(maker: sessionmaker) -> object:
    with maker() as session:
        return session.scalar(select(1))


async def threaded(maker: sessionmaker) -> object:
    with maker() as session:  # sqladmin's sync branch: the query runs in a thread
        return await anyio.to_thread.run_sync(session.execute, select(1))


def read(session: object) -> object:
    return session


async def handed(maker: sessionmaker) -> object:
    with maker() as session:
        return read(session)
"""
    assert positions("import anyio" + source, "FG102") == [(14, 14), (23, 10), (37, 10)]


def test_a_method_of_a_class_annotating_a_parameter_is_asked_of_the_index(
    tmp_path: Path,
) -> None:
    """autogen-studio's routes: `db: DatabaseManager = Depends(get_db)`, then `db.get(...)`,
    a method of another module's class (re-exported by its package) whose body opens
    `with Session(self.engine)`: asked of the index as a helper is. In `Annotated[...]`
    too; not a method that opens nothing, nor one a thread runs."""
    (tmp_path / ".git").mkdir()
    write(tmp_path, "app/__init__.py", "")
    write(tmp_path, "app/database/__init__.py", "from .manager import DatabaseManager\n")
    write(
        tmp_path,
        "app/database/manager.py",
        """
        from sqlmodel import Session, select


        class DatabaseManager:
            def __init__(self, engine: object) -> None:
                self.engine = engine

            def get(self, model: type) -> list[object]:
                with Session(self.engine) as session:
                    return list(session.exec(select(model)).all())

            def name(self) -> str:
                return "db"
        """,
    )
    routes = write(
        tmp_path,
        "app/routes.py",
        """
        import asyncio
        from typing import Annotated

        from fastapi import Depends

        from app.database import DatabaseManager
        from app.deps import get_db


        async def list_teams(db: DatabaseManager = Depends(get_db)) -> list[object]:
            return db.get(object)


        async def list_runs(db: Annotated[DatabaseManager, Depends(get_db)]) -> list[object]:
            return db.get(object)


        async def label(db: DatabaseManager = Depends(get_db)) -> str:
            return db.name()


        async def threaded(db: DatabaseManager = Depends(get_db)) -> list[object]:
            return await asyncio.to_thread(db.get, object)
        """,
    )
    for target in (routes, tmp_path):
        result = run_cli("check", "--no-cache", "--select", "FG102", str(target))
        rows = [row.rpartition("app/")[2] for row in _rows(result.stdout, "FG102")]
        assert rows == ["routes.py:11:12", "routes.py:15:12"], result.stdout
        assert (
            "`db.get()` is a sync method of `app.database.DatabaseManager` that uses"
            in result.stdout
        )


HELD_REPOSITORIES = """
    from fastapi import Depends
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from app.db import SessionLocal, get_db
    from app.models import Product


    class BaseRepository:
        db: Session

        def __init__(self, db: Session = Depends(get_db)) -> None:
            self.db = db

        def create(self, item: Product) -> Product:
            self.db.add(item)
            self.db.commit()
            return item


    class ProductRepository(BaseRepository):
        def list(self) -> list[Product]:
            return list(self.db.scalars(select(Product)))

        def name(self) -> str:
            return "products"


    class TaskRepository:
        def __init__(self, session: SessionLocal) -> None:
            self.session = session

        def count(self) -> int:
            with self.session() as session:
                return len(session.scalars(select(Product)).all())


    class CachedRepository(ProductRepository):
        def list(self) -> list[Product]:
            return []
"""


def test_a_sync_method_is_followed_through_the_objects_its_instance_holds(
    tmp_path: Path,
) -> None:
    """phan-tang's routes (reader 96): `service: ProductService = Depends()`, then
    `service.list()`, a sync method that calls `self.repository.list()`, whose class's
    base holds `db: Session` and queries it; rinat074's `TaskRepository` opens `with
    self.session() as session:` on the `sessionmaker` it is given (reader 104); and
    Jancarlos042003's coroutine method calling `self.area_service.get_areas()` (reader
    105). Asked of the index: the method looked up through the bases, and the attribute
    too, as Python does. Not a method that queries nothing, nor one a subclass
    overrides with one that does not; one finding per coroutine."""
    (tmp_path / ".git").mkdir()
    write(tmp_path, "docker-compose.yml", "services:\n  db:\n    image: postgres:16\n")
    write(tmp_path, "app/__init__.py", "")
    write(
        tmp_path,
        "app/db.py",
        """
        from sqlalchemy import create_engine
        from sqlalchemy.orm import sessionmaker

        engine = create_engine("postgresql://app@db/app")
        SessionLocal = sessionmaker(engine)


        def get_db():
            with SessionLocal() as session:
                yield session
        """,
    )
    write(tmp_path, "app/models.py", "class Product:\n    pass\n")
    write(tmp_path, "app/repositories.py", HELD_REPOSITORIES)
    write(
        tmp_path,
        "app/services.py",
        """
        from fastapi import Depends

        from app.repositories import CachedRepository, ProductRepository, TaskRepository


        class ProductService:
            repository: ProductRepository

            def __init__(
                self, repository: ProductRepository = Depends(), tasks: TaskRepository = Depends()
            ) -> None:
                self.repository = repository
                self.tasks = tasks
                self.cached = CachedRepository()

            def list(self) -> list[object]:
                return self._all()

            def _all(self) -> list[object]:
                return list(self.repository.list())

            def label(self) -> str:
                return self.repository.name()

            def cached_list(self) -> list[object]:
                return self.cached.list()

            def count(self) -> int:
                return self.tasks.count()

            async def add(self, item: object) -> object:
                self.label()
                return self.repository.create(item)
        """,
    )
    write(
        tmp_path,
        "app/routes.py",
        """
        from fastapi import Depends

        from app.services import ProductService


        async def list_products(service: ProductService = Depends()) -> list[object]:
            return service.list()


        async def count(service: ProductService = Depends()) -> int:
            service.label()
            return service.count() + len(service.list())


        async def label(service: ProductService = Depends()) -> str:
            return service.label()


        async def cached(service: ProductService = Depends()) -> list[object]:
            return service.cached_list()
        """,
    )
    result = run_cli("check", "--no-cache", "--select", "FG102", str(tmp_path))
    rows = [row.rpartition("app/")[2] for row in _rows(result.stdout, "FG102")]
    assert rows == ["routes.py:7:12", "routes.py:12:12", "services.py:33:16"], result.stdout
    assert (
        "`service.list()` is a sync method of `app.services.ProductService` that uses a sync"
        in result.stdout
    )


def test_a_service_whose_databases_are_sqlite_files_has_fg102_held_back(tmp_path: Path) -> None:
    """serge and autogen-studio keep their data in a SQLite file: a sync session's query
    takes a millisecond or so, and `asyncio.to_thread` breaks SQLite's same-thread check.
    Readers judged 18 of 18 such findings not worth a change: held back (counted), named
    reported, and the edit hook reports it in new code. A PostgreSQL URL in the service
    makes it a finding again, unless every engine the service makes is on a literal
    SQLite URL (isikjon's taxi back-end, whose settings' PostgreSQL default nothing
    reads: reader 162)."""
    (tmp_path / ".git").mkdir()
    write(tmp_path, "app/__init__.py", "")
    write(
        tmp_path,
        "app/db.py",
        'from sqlmodel import Session, create_engine\n\nengine = create_engine("sqlite:///./app.db")\n',
    )
    routes = write(
        tmp_path,
        "app/routes.py",
        """
        from sqlmodel import Session, select

        from app.db import engine


        async def users() -> list[object]:
            with Session(engine) as session:
                return list(session.exec(select(1)).all())
        """,
    )
    default = run_cli("check", "--no-cache", str(tmp_path)).stdout
    assert _rows(default, "FG102") == []
    assert "held back by this project's conventions or the selection: FG102 (1)" in default
    named = run_cli("check", "--no-cache", "--extend-select", "FG102", str(tmp_path)).stdout
    assert len(_rows(named, "FG102")) == 1
    # a tool use of its own: the hook answers each once
    payload = write_new(routes, tmp_path, f"toolu_{uuid.uuid4().hex}")
    assert "FG102" in run_claude_hook(json.dumps(payload).encode(), {}).stdout
    write(tmp_path, "app/settings.py", 'PRODUCTION_URL = "postgresql://db/app"\n')
    unread = run_cli("check", "--no-cache", str(tmp_path)).stdout
    assert _rows(unread, "FG102") == []
    write(
        tmp_path,
        "app/reports.py",
        "from sqlmodel import create_engine\n\nfrom app.settings import PRODUCTION_URL\n\n"
        "reports = create_engine(PRODUCTION_URL)\n",
    )
    served = run_cli("check", "--no-cache", str(tmp_path)).stdout
    assert len(_rows(served, "FG102")) == 1


def test_a_service_deployed_with_a_database_server_is_no_sqlite_service(tmp_path: Path) -> None:
    """QuadDarv1ne's code defaults to SQLite and its compose file runs PostgreSQL (reader
    97: 24 FG102 held back); AmitAlfasi's `.env.example` sets a MySQL URL (reader 88):
    deployed so, each query blocks on a server, and FG102 reports it."""
    (tmp_path / ".git").mkdir()
    write(tmp_path, "app/__init__.py", "")
    write(
        tmp_path,
        "app/db.py",
        "import os\n\nfrom sqlmodel import create_engine\n\n"
        'engine = create_engine(os.getenv("DATABASE_URL", "sqlite:///./app.db"))\n',
    )
    write(
        tmp_path,
        "app/routes.py",
        """
        from sqlmodel import Session, select

        from app.db import engine


        async def users() -> list[object]:
            with Session(engine) as session:
                return list(session.exec(select(1)).all())
        """,
    )
    assert _rows(run_cli("check", "--no-cache", str(tmp_path)).stdout, "FG102") == []
    for name, text in (
        (
            "docker-compose.yml",
            "services:\n  db:\n    image: postgres:15\n    environment:\n"
            "      - POSTGRES_USER=app\n",
        ),
        (".env.example", "DATABASE_URL=mysql+mysqlconnector://user:password@localhost/app\n"),
        ("requirements.txt", "fastapi\nsqlmodel\npsycopg2-binary\n"),
    ):
        for old in ("docker-compose.yml", ".env.example", "requirements.txt"):
            (tmp_path / old).unlink(missing_ok=True)
        write(tmp_path, name, text)
        found = _rows(run_cli("check", "--no-cache", str(tmp_path)).stdout, "FG102")
        assert len(found) == 1, name


def test_fg102_on_a_route_another_decorator_wraps_does_not_say_declare_it_def() -> None:
    """sqlbot's routes under `@require_permissions(...)`, whose wrapper awaits the route
    (reader 41): declared `def`, the route would hand it a value to await; the message
    offers the thread instead. A route with its registrations only keeps the `def`."""
    source = """
        from fastapi import APIRouter
        from sqlalchemy import select
        from sqlalchemy.orm import Session

        from app.auth import require_permissions

        router = APIRouter()


        @router.get("/models")
        @require_permissions(role=["admin"])
        async def models(session: Session):
            return session.execute(select(1)).all()


        @router.get("/plain")
        @router.get("/plain/")
        async def plain(session: Session):
            return session.execute(select(1)).all()
        """
    found = [f.message for f in check_code(source, "app/routes.py") if f.code == "FG102"]
    assert len(found) == 2
    assert "a decorator wraps this route" in found[0]
    assert "declared `def` runs in FastAPI's threadpool" in found[1]


def test_fg102_on_a_coroutine_that_awaits_or_a_rate_limited_route() -> None:
    """A coroutine that awaits something else (login-backend's token store) must stay
    `async def`: the message offers the thread. A rate limit (`@limiter.limit(...)`:
    slowapi calls a sync route as it is) is no wrapper that awaits the route
    (hng-boilerplate, reader 48): its message keeps the `def`."""
    source = """
        from fastapi import APIRouter, Request
        from slowapi import Limiter
        from slowapi.util import get_remote_address
        from sqlalchemy import select
        from sqlalchemy.orm import Session

        router = APIRouter()
        limiter = Limiter(key_func=get_remote_address)


        @router.post("/login")
        async def login(session: Session, tokens: TokenStore):
            user = session.execute(select(1)).one()
            await tokens.store(user)
            return user


        @router.get("/plans")
        @limiter.limit("5/minute")
        async def plans(request: Request, session: Session):
            return session.execute(select(1)).all()
        """
    found = [f.message for f in check_code(source, "app/routes.py") if f.code == "FG102"]
    assert len(found) == 2
    assert "this function awaits, so it stays `async def`" in found[0]
    assert "declared `def` runs in FastAPI's threadpool" in found[1]


def test_fg103_says_what_an_unawaited_method_leaves_undone() -> None:
    """reader 57: cazlo's `db_session.rollback()` in an `except` was told "the query never
    runs"; a rollback runs no query: it is the transaction that is not rolled back."""
    source = """
        from sqlalchemy import select
        from sqlalchemy.exc import IntegrityError
        from sqlalchemy.ext.asyncio import AsyncSession


        async def create(db_session: AsyncSession, item) -> None:
            db_session.add(item)
            try:
                await db_session.commit()
            except IntegrityError:
                db_session.rollback()
            db_session.execute(select(1))
        """
    found = [f.message for f in check_code(textwrap.dedent(source), "app/crud.py")]
    assert found == [
        "`AsyncSession.rollback()` called without `await`: the transaction is not rolled back",
        "`AsyncSession` method called without `await`: the query never runs",
    ]


def test_a_session_or_connection_opened_at_import_and_queried_elsewhere_is_flagged(
    tmp_path: Path,
) -> None:
    """erikkurniawan12's `conn = engine.connect()` in `config/database.py`, imported by
    every route (reader 63): each `conn.execute(...)` blocks. So does `session =
    SessionLocal()`; an async session opened so does not."""
    write(tmp_path, "pyproject.toml", "[project]\nname = 'svc'\n")
    write(tmp_path, "app/__init__.py", "")
    write(
        tmp_path,
        "app/database.py",
        """
        from sqlalchemy import create_engine
        from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine
        from sqlalchemy.orm import sessionmaker

        engine = create_engine("postgresql://app@db/app")
        conn = engine.connect()
        SessionLocal = sessionmaker(bind=engine)
        session = SessionLocal()
        AsyncLocal = async_sessionmaker(create_async_engine("postgresql+asyncpg://app@db/app"))
        async_session = AsyncLocal()
        """,
    )
    write(
        tmp_path,
        "app/routes.py",
        """
        from sqlalchemy import text

        from app.database import async_session, conn, session


        async def with_connection() -> list:
            return conn.execute(text("select 1")).fetchall()


        async def with_session() -> list:
            return session.execute(text("select 1")).fetchall()


        async def with_async_session() -> None:
            await async_session.execute(text("select 1"))
        """,
    )
    result = run_cli("check", "--no-cache", "--output-format", "json", str(tmp_path))
    found = [
        (Path(f["filename"]).name, f["location"]["row"])
        for f in json.loads(result.stdout)
        if f["code"] == "FG102"
    ]
    assert found == [("routes.py", 7), ("routes.py", 11)]


def test_a_connection_or_session_opened_at_import_and_queried_in_the_same_file() -> None:
    """The same module-level objects queried in the module that opens them."""
    source = """
        from sqlalchemy import create_engine, text
        from sqlalchemy.orm import sessionmaker

        engine = create_engine("postgresql://app@db/app")
        conn = engine.connect()
        SessionLocal = sessionmaker(bind=engine)
        session = SessionLocal()


        async def with_connection() -> list:
            return conn.execute(text("select 1")).fetchall()


        async def with_session() -> list:
            return session.execute(text("select 1")).fetchall()
        """
    assert _found("FG102", source) == [11, 15]


def test_each_argument_annotated_with_another_modules_class_is_asked(tmp_path: Path) -> None:
    """co-demos' auth dependency (reader 64): `get_user_from_token(security_scopes=...,
    db=db, token=token)`, both classes re-exported by the package: the first argument's
    (`SecurityScopes`) is no session, the second's (`Session`) is."""
    write(tmp_path, "pyproject.toml", "[project]\nname = 'svc'\n")
    write(tmp_path, "app/__init__.py", "")
    write(
        tmp_path,
        "app/crud/__init__.py",
        "from fastapi import Depends\nfrom fastapi.security import SecurityScopes\n"
        "from sqlalchemy.orm import Session\n",
    )
    write(
        tmp_path,
        "app/crud/users.py",
        """
        from . import Depends, SecurityScopes, Session


        def get_db():
            yield None


        def from_token(scopes: SecurityScopes, db: Session, token: str):
            return db.query(User).filter(User.token == token).first()


        async def current_user(scopes: SecurityScopes, token: str, db: Session = Depends(get_db)):
            return from_token(scopes=scopes, db=db, token=token)
        """,
    )
    write(
        tmp_path,
        "app/routes.py",
        "from fastapi import Depends\n\nfrom app.crud.users import current_user\n\n"
        "def me(user=Depends(current_user)):\n    return user\n",
    )
    result = run_cli("check", "--no-cache", "--output-format", "json", str(tmp_path))
    found = [(f["code"], f["location"]["row"]) for f in json.loads(result.stdout)]
    assert ("FG102", 13) in found


def test_a_session_coroutine_returned_from_an_async_def_is_flagged() -> None:
    """vinodvpillai's article list (reader 66): `return self.db.scalars(...)` in an
    `async def` hands its caller's `await` the coroutine; a sync function handing it on,
    and one annotated to return an awaitable, do so on purpose."""
    source = """
    from collections.abc import Awaitable

    from sqlalchemy import select
    from sqlalchemy.ext.asyncio import AsyncSession


    class ArticleRepository:
        def __init__(self, db: AsyncSession) -> None:
            self.db = db

        async def list_articles(self):
            return self.db.scalars(select(Article))

        def later(self):
            return self.db.scalars(select(Article))

        async def awaited(self):
            return await self.db.scalars(select(Article))

        async def on_purpose(self) -> Awaitable[object]:
            return self.db.scalars(select(Article))
    """
    assert _found("FG103", source) == [12]
    (finding,) = [f for f in check_code(source, "app/example.py") if f.code == "FG103"]
    assert "returned from an `async def`" in finding.message


def test_a_refresh_of_what_the_function_deleted_says_remove_it() -> None:
    """kndbvortex's delete route (reader 66): `session.delete(user)`, a commit, then
    `session.refresh(user)` without `await`. Adding the `await` would raise
    `InvalidRequestError` (the deleted object is no longer in the session): the message
    says to remove the call, and no fix adds `await`; a refresh before any delete, or of
    another object, keeps the usual message and fix."""
    source = """
    from sqlalchemy.ext.asyncio import AsyncSession


    async def delete_user(session: AsyncSession, user, other) -> None:
        session.refresh(other)
        await session.delete(user)
        await session.commit()
        session.refresh(user)
        session.refresh(other)
    """
    found = [f for f in check_code(source, "app/example.py") if f.code == "FG103"]
    assert [f.start.row for f in found] == [5, 8, 9]
    assert "remove the call" in found[1].message
    assert found[1].fix is None
    assert found[0].fix is not None
    assert "remove the call" not in found[2].message


def test_a_method_querying_the_held_session_is_told_as_its_caller_can_fix_it() -> None:
    """Fanilo-Nantenaina's vision service (reader 131): `self._process_detected_product()`,
    a sync method that flushes the session the object holds, called from a coroutine that
    awaits another service: no route FastAPI runs in its threadpool, so a thread (the
    message said to declare it `def`, FastAPI running it in its threadpool)."""
    source = """
    from sqlalchemy.orm import Session


    class VisionService:
        def __init__(self, db: Session) -> None:
            self.db = db

        def _process(self, name: str) -> None:
            self.db.add(name)
            self.db.flush()

        async def analyze(self, client, name: str) -> None:
            await client.detect(name)
            self._process(name)

        async def quick(self, name: str) -> None:
            self._process(name)
    """
    found = [f for f in check_code(source, "app/services/vision.py") if f.code == "FG102"]
    assert [f.start.row for f in found] == [14, 17]
    assert all(
        f.message.startswith("`self._process()` runs sync SQLAlchemy queries") for f in found
    )
    assert found[0].message.endswith("this function awaits, so it stays `async def`)")
    assert "declare this method `def` and have its callers" in found[1].message
    assert not any("FastAPI runs it in its threadpool" in f.message for f in found)


def test_a_session_the_dependency_says_is_async_is_async_whatever_its_annotation() -> None:
    # JohnDoe1996's permission check (reader 68): `db: Session = Depends(get_db)`, where
    # the module's `get_db` yields an `AsyncSession`: FastAPI passes what `get_db`
    # yields, so `crud.get_roles(db, ...)` is handed an `AsyncSession`, no sync session
    source = """
    from typing import AsyncGenerator

    from fastapi import Depends
    from sqlalchemy.ext.asyncio import AsyncSession
    from sqlalchemy.orm import Session

    from app.db import async_session_manager
    from app import crud

    async def get_db() -> AsyncGenerator[AsyncSession, None]:
        async with async_session_manager.session() as db:
            yield db

    async def get_sync() -> Session:
        ...

    async def check_perm(db: Session = Depends(get_db)):
        roles = crud.get_roles(db, 1)
        db.commit()
        return roles

    async def check_other(db: Session = Depends(get_sync)):
        return crud.get_roles(db, 1)
    """
    # the second says it gives a sync session, as its parameter does: that one stands
    # (handed to `crud.get_roles`, a sync function of another module: 6110rstmks' routes,
    # reader 130, handed theirs to coroutine functions, which run nothing unawaited)
    crud = ("app/crud.py", "def get_roles(db, user_id):\n    return db.query(Role).all()\n")
    found = check_code(source, "app/example.py", project=[crud])
    assert [f.start.row for f in found if f.code == "FG102"] == [23]
    # and its unawaited commit is FG103's: `db` is the `AsyncSession` the dependency gives
    assert _found("FG103", source) == [19]


def test_a_dependency_of_another_module_that_gives_an_async_session_is_read(
    tmp_path: Path,
) -> None:
    """julesadonsi's `update_user` (reader 73): `db: Session = Depends(get_db)` with
    `get_db` of `src.db` annotated `-> AsyncSession` (an async generator): FastAPI passes
    an `AsyncSession`, so its unawaited calls are no blocking ones. A dependency of
    another module that gives a sync session, annotated or through the session it
    yields, keeps the finding."""
    write(tmp_path, "pyproject.toml", "[project]\nname = 'svc'\n")
    write(tmp_path, "src/__init__.py", "")
    write(
        tmp_path,
        "src/db.py",
        """
        from sqlalchemy import create_engine
        from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
        from sqlalchemy.orm import Session, sessionmaker

        engine = create_async_engine("postgresql+asyncpg://app@db/app")
        factory = async_sessionmaker(engine)
        SessionLocal = sessionmaker(create_engine("postgresql+psycopg://app@db/app"))


        async def get_db() -> AsyncSession:
            async with factory() as session:
                yield session


        async def get_sessions():
            async with factory() as session:
                yield session


        def get_sync():
            db = SessionLocal()
            try:
                yield db
            finally:
                db.close()
        """,
    )
    write(
        tmp_path,
        "src/routes.py",
        """
        from fastapi import Depends
        from sqlalchemy.orm import Session

        from src.db import get_db, get_sessions, get_sync


        async def update_user(user_id: int, db: Session = Depends(get_db)):
            user = db.get(dict, user_id)
            db.commit()
            return user


        async def other(user_id: int, db: Session = Depends(get_sessions)):
            return db.get(dict, user_id)


        async def legacy(user_id: int, db: Session = Depends(get_sync)):
            return db.get(dict, user_id)
        """,
    )
    result = run_cli(
        "check", "--no-cache", "--output-format", "json", "--select", "FG102", str(tmp_path)
    )
    rows = [(Path(f["filename"]).name, f["location"]["row"]) for f in json.loads(result.stdout)]
    assert rows == [("routes.py", 18)]
    # the `AsyncSession`'s unawaited calls are FG103's (the index reads it in what
    # `get_db` and `get_sessions` give; `user = db.get(...)` is handed on by `return user`)
    write(
        tmp_path,
        "src/lookup.py",
        """
        from fastapi import Depends
        from sqlalchemy.orm import Session

        from src.db import get_db


        async def warm(user_id: int, db: Session = Depends(get_db)) -> None:
            db.get(dict, user_id)
        """,
    )  # no word of an `AsyncSession` in the file: its screens let it through
    result = run_cli(
        "check", "--no-cache", "--output-format", "json", "--select", "FG103", str(tmp_path)
    )
    found = json.loads(result.stdout)
    rows = [(Path(f["filename"]).name, f["location"]["row"]) for f in found]
    assert rows == [("lookup.py", 8), ("routes.py", 9), ("routes.py", 14)]
    assert found[1]["message"] == (
        "`AsyncSession.commit()` called without `await` (nothing is committed): `db` is "
        "annotated as a sync session, but `get_db` gives an `AsyncSession`; annotate `db` "
        "as one"
    )


def test_a_base_class_method_is_no_session_method() -> None:
    """kirilldarealcaucasian's `delete_instance_with_images` (reader 75): `super()` is
    the base service, whose `delete` the function awaits on its other branch: the
    unawaited call never runs, and the message names the base class's method, not
    `AsyncSession.delete()`. A `super()` method the function never awaits is not
    reported: nothing says it is a coroutine."""
    source = """
    from sqlalchemy.ext.asyncio import AsyncSession

    from app.services.base import EntityBaseService

    class StorageService(EntityBaseService):
        async def remove(self, pk: int, session: AsyncSession, images: bool) -> None:
            if images:
                _ = super().delete(session=session, instance_id=pk)
                await super().commit(session=session)
            else:
                await super().delete(session=session, instance_id=pk)
                await super().commit(session=session)

        async def detach(self, pk: int, session: AsyncSession) -> None:
            super().refresh(session=session, instance_id=pk)
            await super().commit(session=session)
    """
    found = [f for f in check_code(source, "app/services/storage.py") if f.code == "FG103"]
    assert [f.start.row for f in found] == [8]
    assert found[0].message.startswith("`super().delete()` called without `await`, where")


def test_a_methods_message_says_its_callers_await_it() -> None:
    """Holeekey's and AVedoai's repositories (readers 100 and 102): an `async def` method
    its callers await, over a sync session; declared `def` alone it would hand them a
    value to await, so the message says what else moves (a route, or a function FastAPI
    calls, keeps the rule's own message)."""
    source = """
        from fastapi import APIRouter, Depends
        from sqlalchemy import select
        from sqlalchemy.orm import Session

        router = APIRouter()


        class ItemRepository:
            def __init__(self, db: Session) -> None:
                self.db = db

            async def get(self, pk: int) -> object:
                return self.db.scalar(select(object).where(pk == pk))


        @router.get("/items/{pk}")
        async def read(pk: int, db: Session = Depends()) -> object:
            return db.get(object, pk)
        """
    found = [f for f in check_code(source) if f.code == "FG102"]
    assert [f.start.row for f in found] == [13, 18]
    assert "declare this method `def` and have its callers run it" in found[0].message
    assert "a route or dependency declared `def`" in found[1].message


def test_a_method_of_a_class_with_a_base_keeps_async_def_in_the_message() -> None:
    """maulanasly's sqladmin `AuthenticationBackend.authenticate` (reader 116): a hook
    its base awaits, which declared `def` would hand sqladmin a value to await: a thread
    is the fix there."""
    source = """
        from sqladmin.authentication import AuthenticationBackend
        from sqlalchemy.orm import Session

        from app.db import SessionLocal


        class AdminAuth(AuthenticationBackend):
            async def authenticate(self, request) -> bool:
                db: Session = SessionLocal()
                return db.get(object, 1) is not None
        """
    found = [f for f in check_code(source) if f.code == "FG102"]
    assert [f.start.row for f in found] == [10]
    assert "declare this method `def`" not in found[0].message
    assert "a hook its base awaits, so it stays `async def`" in found[0].message


def test_a_module_coroutine_its_routes_await_is_told_its_callers_await_it() -> None:
    """kl63's webhook (reader 123): `await handle_payment_succeeded(db, ...)` in a route
    that awaits the request's body; the helper, an `async def` over a sync session, is
    what moves to a thread. A dependency (`Depends(get_items)`) keeps the rule's own."""
    source = """
        from fastapi import APIRouter, Depends, Request
        from sqlalchemy.orm import Session

        router = APIRouter()


        async def handle_payment_succeeded(db: Session, order_id: int) -> None:
            db.execute(update_order(order_id))


        async def get_items(db: Session) -> list[object]:
            return list(db.scalars(select_items()))


        @router.post("/webhook")
        async def webhook(request: Request, db: Session = Depends(get_db)) -> None:
            body = await request.body()
            await handle_payment_succeeded(db, int(body))


        @router.get("/items")
        async def items(found: list[object] = Depends(get_items)) -> list[object]:
            return found
        """
    found = [f for f in check_code(source) if f.code == "FG102"]
    assert [f.start.row for f in found][:2] == [8, 12]
    assert "declare this function `def` and have its callers run it" in found[0].message
    assert "declare this function" not in found[1].message


def test_a_legacy_query_on_a_name_the_module_binds_nowhere_is_no_session() -> None:
    """SKhairulin's notification stubs (reader 143): `db.query(TrainerSchedule)` in an
    `async def` where no scope around it binds `db` (a parameter of another function
    does not): a NameError if it ever ran, not a sync session. Bound at module level,
    even below, or by a `global` elsewhere, it is one."""
    stub = """
        from models import Notification


        def create(db, data):
            db.add(Notification(**data))


        async def remind():
            return db.query(Notification).all()
        """

    def fg102(source: str) -> list[int]:
        return [f.start.row for f in check_code(source) if f.code == "FG102"]

    assert fg102(stub) == []
    bound_below = stub + "\n\n        db = SessionLocal()\n"
    assert fg102(bound_below) == [9]
    declared = stub.replace("    db.add(", "    global db\n            db.add(")
    assert fg102(declared) == [10]
    local = stub.replace("async def remind():\n", "async def remind(db):\n")
    assert fg102(local) == [9]


def test_a_query_in_a_chain_the_coroutine_awaits_is_no_sync_sessions() -> None:
    """ConnorWhite9's async-only project (reader 152): `db: Session` on what is an
    `AsyncSession`, then `await db.execute(select(User)).where(...).first()`: the code
    takes the session for an async one, whatever the annotation says; FG102's "blocks
    the loop" was false there. Unawaited, the query on `db: Session` stands."""
    source = """
        from sqlalchemy import select
        from sqlalchemy.orm import Session


        async def login(db: Session, email: str) -> object:
            return await db.execute(select(User)).where(User.email == email).first()


        async def count(db: Session) -> object:
            return db.execute(select(User)).scalar()
        """
    assert _found("FG102", source) == [10]


def test_a_route_named_as_the_function_it_imports_calls_itself() -> None:
    """yektaipekten's `async def add_librarian` route below `from app.actions.crud_librarian
    import add_librarian` (reader 161): when the route runs, the name is the route's, so
    `add_librarian(db, librarian)` hands the session to no sync function (the call only
    makes a coroutine). A `def` in a `try`'s fallback leaves the import its name."""
    source = """
    from fastapi import APIRouter, Depends
    from sqlalchemy.orm import Session

    from app.crud import add_librarian, remove_librarian
    from app.db import get_db

    try:
        from app.crud import count_librarians
    except ImportError:
        def count_librarians(db): ...

    router = APIRouter()


    @router.post("/librarians")
    async def add_librarian(name: str, db: Session = Depends(get_db)):
        return add_librarian(db, name)


    @router.delete("/librarians/{librarian_id}")
    async def delete(librarian_id: int, db: Session = Depends(get_db)):
        remove_librarian(db, librarian_id)


    @router.get("/librarians/count")
    async def count(db: Session = Depends(get_db)):
        return count_librarians(db)
    """
    crud = (
        "app/crud.py",
        "def add_librarian(db, name):\n    db.add(name)\n\n\n"
        "def remove_librarian(db, librarian_id):\n    db.query(Librarian).delete()\n\n\n"
        "def count_librarians(db):\n    return db.query(Librarian).count()\n",
    )
    found = check_code(source, "app/routes/librarians.py", project=[crud])
    assert [f.start.row for f in found if f.code == "FG102"] == [22, 27]


@pytest.mark.parametrize("makes_async", [False, True], ids=["sync project", "async engine"])
def test_fg103_on_an_annotation_waits_for_a_project_that_makes_async_sessions(
    tmp_path: Path, makes_async: bool
) -> None:
    """DT-231's appointment repository (reader 171): `session: AsyncSession` in
    `__init__`, its `def` methods calling `self.session.commit()` unawaited, given the sync
    `Session` of `Depends(get_db)` in `def` routes: the project makes no `AsyncSession`
    anywhere, so the annotation is wrong and the calls run (6 findings judged untrue).
    Where the project makes one (`create_async_engine`), the finding stands; a coroutine
    awaiting a session's own method on the receiver is one whatever the project makes."""
    write(tmp_path, "pyproject.toml", "[project]\nname = 'svc'\n")
    write(tmp_path, "app/__init__.py", "")
    engine = (
        "from sqlalchemy.ext.asyncio import create_async_engine\n\n"
        'engine = create_async_engine("postgresql+asyncpg://db/app")\n'
        if makes_async
        else "from sqlalchemy import create_engine\n\n"
        'engine = create_engine("postgresql://db/app")\n'
    )
    write(tmp_path, "app/db.py", engine)
    write(
        tmp_path,
        "app/repository.py",
        """
        from sqlalchemy.ext.asyncio import AsyncSession


        class AppointmentRepository:
            def __init__(self, session: AsyncSession):
                self.session = session

            def create(self, appointment):
                self.session.add(appointment)
                self.session.commit()
                return appointment


        async def touch(session, appointment) -> None:
            session.delete(appointment)
            await session.flush()
        """,
    )
    write(
        tmp_path,
        "app/routes.py",
        "from app.repository import AppointmentRepository, touch\n\n"
        "REPOSITORIES = (AppointmentRepository, touch)\n\n\n"
        "def create(session, appointment):\n"
        "    return AppointmentRepository(session).create(appointment)\n",
    )
    result = run_cli("check", "--no-cache", "--output-format", "json", str(tmp_path))
    rows = sorted(f["location"]["row"] for f in json.loads(result.stdout) if f["code"] == "FG103")
    assert rows == ([10, 15] if makes_async else [15])
    named = run_cli(
        "check", "--no-cache", "--output-format", "json", "--select", "FG103", str(tmp_path)
    )
    assert sorted(f["location"]["row"] for f in json.loads(named.stdout)) == [10, 15]

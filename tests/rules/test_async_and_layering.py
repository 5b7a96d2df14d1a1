"""FG301 (time.sleep in async def) and FG401 (HTTPException in services)."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from tests.helpers import check_code, fix_code, positions, run_cli, write


def _reported(root: Path, *options: str) -> list[tuple[str, int, str]]:
    """The findings of a run over `root`: code, row and message, in the CLI's order."""
    result = run_cli("check", "--no-cache", "--output-format", "json", *options, str(root))
    return [(f["code"], f["location"]["row"], f["message"]) for f in json.loads(result.stdout)]


def test_sleep_in_nested_sync_def_inside_async_is_not_flagged() -> None:
    source = """
        import time

        async def handler():
            def work():
                time.sleep(1)
            return work
        """
    assert positions(source, "FG301") == []


def test_sleep_in_async_def_nested_in_sync_def_is_flagged() -> None:
    source = """
        import time

        def factory():
            async def handler():
                time.sleep(1)
            return handler
        """
    assert positions(source, "FG301") == [(5, 9)]


def test_only_a_password_check_is_followed_through_several_helpers() -> None:
    """FastAPI's tutorial: a login calls `authenticate_user`, which calls
    `verify_password`, which checks the hash: reported, each step named. A process or a
    sleep two helpers down is left alone: readers judged 2 of 7 such findings worth a
    change (kiln's shell PATH probed once and cached, gpt-researcher's pip install run
    when a package is missing, gpustack's retry that never sleeps); one helper down
    stays reported. A loop of helpers calling each other ends."""
    source = """
        import subprocess
        import time

        import bcrypt


        def backoff() -> None:
            time.sleep(1)


        def retry() -> None:
            backoff()


        def ping() -> None:
            pong()


        def pong() -> None:
            ping()


        def verify_password(plain: str, hashed: bytes) -> bool:
            return bcrypt.checkpw(plain.encode(), hashed)


        class Manager:
            def shell_path(self) -> str:
                return subprocess.run(["sh", "-c", "echo $PATH"], capture_output=True).stdout

            def path(self) -> str:
                return self.shell_path()

            def params(self) -> dict[str, str]:
                return {"PATH": self.path()}

            def authenticate(self, password: str, stored: bytes) -> bool:
                return self.check(password, stored)

            def check(self, password: str, stored: bytes) -> bool:
                return verify_password(password, stored)

            async def start(self, password: str, stored: bytes) -> None:
                self.params()
                self.shell_path()
                retry()
                backoff()
                ping()
                self.authenticate(password, stored)
        """
    found = [
        (f.code, f.start.row, f.message) for f in check_code(source) if f.code in ("FG301", "FG303")
    ]
    assert [(code, row) for code, row, _ in found] == [
        ("FG303", 45),
        ("FG301", 47),
        ("FG303", 49),
    ]
    assert found[0][2].startswith("`self.shell_path()` calls `subprocess.run()`, which blocks")
    assert found[2][2].startswith(
        "`self.authenticate()` calls `Manager.check()`, which calls `verify_password()`, "
        "which calls `bcrypt.checkpw()`, which checks a password"
    )


def test_a_new_password_hashed_is_reported_in_new_code_or_when_named(tmp_path: Path) -> None:
    """A check of a password (a login attempt, which anyone may send) is reported always;
    a new one hashed behind a credential (one an administrator creates, a password
    change: readers judged 3 of 11 new hashes worth a change in existing code, every one a
    public sign-up, `tests/test_public_routes.py`) where the run reports new code or names
    FG303, and the summary says what it held back."""
    write(tmp_path, "pyproject.toml", "[project]\nname = 'svc'\n")
    write(
        tmp_path,
        "app/auth.py",
        """
        import bcrypt
        from fastapi import APIRouter, Depends

        router = APIRouter()


        @router.post("/login")
        async def login(password: str, stored: bytes) -> bool:
            return bcrypt.checkpw(password.encode(), stored)


        @router.post("/users", dependencies=[Depends(require_admin)])
        async def register(password: str) -> bytes:
            return bcrypt.hashpw(password.encode(), bcrypt.gensalt())
        """,
    )
    default = run_cli("check", "--no-cache", "--output-format", "concise", str(tmp_path))
    reported = [line for line in default.stdout.splitlines() if ".py:" in line]
    assert len(reported) == 1
    assert "auth.py:9:12: FG303 `bcrypt.checkpw()`" in reported[0]
    assert "held back by this project's conventions or the selection: FG303 (1)" in (
        default.stdout + default.stderr
    )
    named = run_cli(
        "check", "--no-cache", "--select", "FG303", "--output-format", "concise", str(tmp_path)
    )
    assert "auth.py:14:12: FG303 `bcrypt.hashpw()`" in named.stdout


def test_a_hash_compared_with_the_stored_one_is_a_check(tmp_path: Path) -> None:
    """noflawarkosh's logins (reader 128): `Strings.hmac(password) != user.password`, a
    helper of another module that derives with `pbkdf2_hmac` (a new password's hash by
    itself) compared with the stored digest: a check, reported always, as a derivation
    compared in the helper is; the same helper storing a sign-up's hash is held back."""
    write(tmp_path, "pyproject.toml", "[project]\nname = 'svc'\n")
    write(tmp_path, "app/__init__.py", "")
    write(
        tmp_path,
        "app/gutils.py",
        """
        from hashlib import pbkdf2_hmac


        class Strings:
            @classmethod
            def hmac(cls, pwd: str) -> str:
                return pbkdf2_hmac("sha256", pwd.encode(), b"salt", 100000).hex()
        """,
    )
    write(
        tmp_path,
        "app/auth.py",
        """
        import hashlib

        from app.gutils import Strings


        async def login(password: str, stored: str) -> bool:
            if Strings.hmac(password) != stored:
                return False
            return stored == hashlib.pbkdf2_hmac("sha256", b"p", b"s", 1000).hex()


        async def register(password: str) -> str:
            return Strings.hmac(password)
        """,
    )
    found = _reported(tmp_path)
    assert [(code, row) for code, row, _ in found] == [("FG303", 7), ("FG303", 9)]
    named = _reported(tmp_path, "--select", "FG303")
    assert [(code, row) for code, row, _ in named] == [("FG303", 7), ("FG303", 9), ("FG303", 13)]


def test_a_derivation_of_a_class_that_compares_digests_is_a_check(tmp_path: Path) -> None:
    """NormanwOw's `Validator` (reader 144): `async def pbkdf2` derives with
    `hashlib.pbkdf2_hmac` (720,000 iterations) for `encode`, which the login compares
    with `secrets.compare_digest` in a sibling method: the class checks passwords, so the
    derivation blocks every login, reported always. A class that only hashes new
    passwords keeps the hold (reported when FG303 is named)."""
    checker = """
        import hashlib
        import secrets


        class Validator:
            async def pbkdf2(self, password: bytes, salt: bytes) -> bytes:
                return hashlib.pbkdf2_hmac("sha256", password, salt, 720000)

            async def compare(self, a: bytes, b: bytes) -> bool:
                return secrets.compare_digest(a, b)
        """
    write(tmp_path, "pyproject.toml", "[project]\nname = 'svc'\n")
    write(tmp_path, "app/__init__.py", "")
    write(tmp_path, "app/secure.py", checker)
    login = "from app.secure import Validator\n\n\nasync def login(p: bytes) -> bool:\n"
    login += "    v = Validator()\n    return await v.compare(await v.pbkdf2(p, b's'), b'x')\n"
    write(tmp_path, "app/routes.py", login)
    assert [(code, row) for code, row, _ in _reported(tmp_path)] == [("FG303", 7)]
    write(tmp_path, "app/secure.py", checker.replace("secrets.compare_digest(a, b)", "a == b"))
    assert _reported(tmp_path) == []
    named = _reported(tmp_path, "--select", "FG303")
    assert [(code, row) for code, row, _ in named] == [("FG303", 7)]


def test_sleep_in_default_argument_runs_outside_the_coroutine() -> None:
    source = """
        import time

        async def handler(delay=time.sleep(0)):
            return delay
        """
    assert positions(source, "FG301") == []


def test_sleep_in_async_method_decorator_and_class_body() -> None:
    source = """
        from time import sleep

        class Poller:
            async def run(self):
                class Inner:
                    sleep(1)
                sleep(2)
        """
    assert positions(source, "FG301") == [(6, 13), (7, 9)]


def test_function_local_import_alias_is_resolved() -> None:
    source = """
        async def handler():
            import time as clock
            clock.sleep(1)
        """
    assert positions(source, "FG301") == [(3, 5)]


def test_unrelated_sleep_name_is_not_flagged() -> None:
    source = """
        from trio import sleep

        async def handler():
            await sleep(1)
        """
    assert positions(source, "FG301") == []


def test_input_in_async_def_advice_fits_a_command_line_client() -> None:
    source = """
        async def chat() -> str:
            return input("you: ")
        """
    (finding,) = [f for f in check_code(source) if f.code == "FG303"]
    assert "asyncio.to_thread(input" in finding.message
    assert "no terminal input in a server" not in finding.message


def test_http_exception_in_service_file_positions() -> None:
    source = """
        from fastapi import HTTPException

        def get(pk):
            raise HTTPException(status_code=404, detail="missing")
        """
    assert positions(source, "FG401", path="app/users/service.py") == [(4, 11)]


def test_http_exception_in_repository_class_of_a_route_file_is_flagged() -> None:
    source = """
        from fastapi import HTTPException

        class UserRepository:
            def get(self, pk):
                raise HTTPException(404)

        def route():
            raise HTTPException(404)
        """
    assert positions(source, "FG401", path="app/users/routes.py") == [(5, 15)]


def test_http_exception_in_a_use_case_is_flagged() -> None:
    """A clean architecture's use cases are its application services (a social app's
    `features/auth/use_cases/`, `*UseCase` classes): the same layer as FG401's."""
    source = """
        from fastapi import HTTPException

        class SessionUseCase:
            async def refresh(self, token):
                raise HTTPException(status_code=401)
        """
    assert positions(source, "FG401", path="app/auth/use_cases/session.py") == [(5, 15)]
    assert positions(source, "FG401", path="app/auth/session_use_case.py") == [(5, 15)]
    assert positions(source, "FG401", path="app/auth/helpers.py") == [(5, 15)]


def test_http_exception_in_route_and_plain_modules_is_not_flagged() -> None:
    source = """
        from fastapi import HTTPException

        def get(pk):
            raise HTTPException(status_code=404)
        """
    for path in ("app/users/router.py", "app/main.py", "app/services/views.py"):
        assert positions(source, "FG401", path=path) == [], path


def test_class_named_exactly_service_is_not_a_layer() -> None:
    source = """
        from fastapi import HTTPException

        class Service:
            def get(self):
                raise HTTPException(404)
        """
    assert positions(source, "FG401", path="app/main.py") == []


def test_unrelated_http_exception_class_is_not_flagged() -> None:
    source = """
        from requests.exceptions import HTTPError
        from werkzeug.exceptions import HTTPException

        def call():
            raise HTTPException()
        """
    assert positions(source, "FG401", path="app/services/remote.py") == []


def _service_raising(tmp_path: Path, errors: str) -> str:
    """A service that raises `NotFound` of `app.errors` (written from `errors`)."""
    write(tmp_path, "pyproject.toml", "[project]\nname = 'svc'\n")
    for package in ("app", "app/services"):
        write(tmp_path, f"{package}/__init__.py", "")
    write(tmp_path, "app/errors.py", errors)
    write(
        tmp_path,
        "app/services/users.py",
        """
        from app.errors import NotFound

        def get(pk):
            raise NotFound(pk)
        """,
    )
    return run_cli("check", "--no-cache", "--select", "FG401", str(tmp_path)).stdout


def test_typed_error_of_the_project_deriving_from_http_exception_is_not_flagged(
    tmp_path: Path,
) -> None:
    """The documented scope: HTTPException itself, or a subclass defined in the file."""
    errors = """
        from fastapi import HTTPException

        class NotFound(HTTPException):
            def __init__(self, pk: int) -> None:
                super().__init__(404, f"{pk} not found")
        """
    assert "FG401" not in _service_raising(tmp_path, errors)


def test_http_exception_re_exported_by_a_project_module_is_flagged(tmp_path: Path) -> None:
    assert "services/users.py:4:11: FG401" in _service_raising(
        tmp_path, "from fastapi import HTTPException as NotFound\n"
    )


def test_local_subclass_of_an_imported_http_exception_subclass_is_flagged(
    tmp_path: Path,
) -> None:
    write(tmp_path, "pyproject.toml", "[project]\nname = 'svc'\n")
    for package in ("app", "app/services"):
        write(tmp_path, f"{package}/__init__.py", "")
    write(
        tmp_path,
        "app/errors.py",
        "from fastapi import HTTPException\n\nclass AppError(HTTPException): ...\n",
    )
    write(
        tmp_path,
        "app/services/users.py",
        """
        from app.errors import AppError

        class Gone(AppError):
            pass

        def get(pk):
            raise Gone(410)
        """,
    )
    stdout = run_cli("check", "--no-cache", "--select", "FG401", str(tmp_path)).stdout
    assert "services/users.py:7:11: FG401" in stdout


def _route_importing(tmp_path: Path, types: str) -> str:
    """FG402 on a route that imports `Repository` and `AuthenticationError` from `types`."""
    write(tmp_path, "pyproject.toml", "[project]\nname = 'svc'\n")
    for package in ("app", "app/integrations", "app/routes"):
        write(tmp_path, f"{package}/__init__.py", "")
    write(tmp_path, "app/integrations/service_types.py", types)
    write(
        tmp_path,
        "app/routes/git.py",
        """
        from fastapi import APIRouter

        from app.integrations.service_types import AuthenticationError, Repository

        router = APIRouter()


        @router.get("/repositories")
        async def repositories() -> list[Repository]:
            if not router:
                raise AuthenticationError("token required")
            return [Repository(full_name="a/b")]
        """,
    )
    return run_cli("check", "--no-cache", "--select", "FG402", str(tmp_path)).stdout


def test_repository_named_pydantic_model_and_plain_errors_are_not_data_access(
    tmp_path: Path,
) -> None:
    types = """
        from pydantic import BaseModel

        class Repository(BaseModel):
            full_name: str

        class AuthenticationError(ValueError):
            pass
        """
    assert "FG402" not in _route_importing(tmp_path, types)


def test_names_of_one_statement_keep_their_own_conditions(tmp_path: Path) -> None:
    types = """
        from pydantic import BaseModel
        from sqlalchemy.orm import DeclarativeBase

        class Base(DeclarativeBase):
            pass

        class AuthenticationError(Base):
            pass

        class Repository(BaseModel):
            full_name: str
        """
    stdout = _route_importing(tmp_path, types)
    # at the model's name: the statement's own place is the open repository's
    assert "git.py:3:44: FG402 Route module imports ORM model `AuthenticationError`" in stdout
    assert "Found 1 error." in stdout


def test_repository_class_of_another_module_is_a_repository(tmp_path: Path) -> None:
    types = """
        class AuthenticationError(ValueError):
            pass

        class Repository:
            def __init__(self, session):
                self.session = session
        """
    stdout = _route_importing(tmp_path, types)
    assert "git.py:3:1: FG402 Route module imports repository `Repository`: call" in stdout
    assert "Found 1 error." in stdout


def test_model_wired_into_a_dao_is_data_access_outside_the_app_module(tmp_path: Path) -> None:
    """The composition root is the module that creates the app; a route module that
    builds a DAO over a model at import time does data access itself."""
    write(tmp_path, "pyproject.toml", "[project]\nname = 'svc'\n")
    for package in ("app", "app/db", "app/api"):
        write(tmp_path, f"{package}/__init__.py", "")
    write(
        tmp_path,
        "app/db/models.py",
        "from sqlalchemy.orm import DeclarativeBase\n\n\nclass QueryArtifact(DeclarativeBase):\n"
        "    pass\n",
    )
    wiring = """
        from app.db.dao import GitDAO
        from app.db.models import QueryArtifact

        {app}queries_dao = GitDAO(engine=engine, ArtifactDBE=QueryArtifact)
        """
    write(tmp_path, "app/api/routers.py", wiring.format(app=""))
    app = "from fastapi import FastAPI\n" + textwrap.dedent(wiring.format(app=""))
    write(tmp_path, "app/api/main.py", app.replace("queries_dao", "app = FastAPI()\nqueries_dao"))
    stdout = run_cli("check", "--no-cache", "--select", "FG402,FG000", str(tmp_path)).stdout
    assert "routers.py:2:1: FG402" in stdout
    assert "main.py" not in stdout


def test_an_enum_imported_with_an_orm_model_is_not_called_an_orm_model(tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", "[project]\nname = 'svc'\n")
    for package in ("app", "app/routes"):
        write(tmp_path, f"{package}/__init__.py", "")
    write(
        tmp_path,
        "app/models.py",
        """
        from enum import StrEnum

        from sqlalchemy.orm import DeclarativeBase

        class Base(DeclarativeBase):
            pass

        class Role(Base):
            pass

        class AuditLogMessage(StrEnum):
            ROLE_CREATED = "role created"
        """,
    )
    write(
        tmp_path,
        "app/routes/roles.py",
        """
        from fastapi import APIRouter

        from app.models import AuditLogMessage, Role

        router = APIRouter()


        @router.post("/roles")
        async def create_role(log) -> None:
            log(AuditLogMessage.ROLE_CREATED, Role())
        """,
    )
    stdout = run_cli("check", "--no-cache", "--select", "FG402", str(tmp_path)).stdout
    assert "ORM models `AuditLogMessage`" not in stdout
    assert "imports an ORM model (one of `AuditLogMessage`, `Role`)" in stdout
    assert "Found 1 error." in stdout


@pytest.mark.parametrize("returned", ["HTTPException", "Forbidden"])
def test_a_raised_helper_result_is_judged_by_its_return_annotation(
    tmp_path: Path, returned: str
) -> None:
    """`raise forbidden()` in a service, `forbidden` of another module: reported when it
    is annotated `-> HTTPException`, not when it returns the project's own error (whatever
    that module derives it from), also in a run of the service module alone."""
    write(tmp_path, "pyproject.toml", '[project]\nname = "svc"\n')
    write(tmp_path, "app/__init__.py", "")
    write(
        tmp_path,
        "app/errors.py",
        "from fastapi import HTTPException\n\n\n"
        "class Forbidden(HTTPException):\n    pass\n\n\n"
        f"def forbidden() -> {returned}:\n    return {returned}(status_code=403)\n",
    )
    service = write(
        tmp_path,
        "app/services/tokens.py",
        "from app.errors import forbidden\n\n\n"
        "def check(token: str) -> None:\n    if not token:\n        raise forbidden()\n",
    )
    for target in (tmp_path, service):
        out = run_cli("check", "--no-cache", "--select", "FG401", str(target)).stdout
        assert ("tokens.py:6:9: FG401" in out) is (returned == "HTTPException"), out


def test_a_generator_of_the_same_module_given_to_a_response_blocks_nothing() -> None:
    """frigate's `mjpeg_feed`: `StreamingResponse(imagestream(...))`, whose generator
    sleeps between frames, in Starlette's threadpool; a plain helper that sleeps blocks."""
    source = """
    import time

    from fastapi import FastAPI
    from fastapi.responses import StreamingResponse

    app = FastAPI()


    def imagestream(fps: int):
        while True:
            time.sleep(1 / fps)
            yield b"frame"


    def pause(fps: int) -> None:
        time.sleep(1 / fps)


    @app.get("/feed")
    async def feed(fps: int):
        pause(fps)
        return StreamingResponse(imagestream(fps))
    """
    assert [row for row, _ in positions(source, "FG301", path="app/routes.py")] == [21]


def test_a_generator_of_another_module_given_to_a_response_blocks_nothing(
    tmp_path: Path,
) -> None:
    """onyx's sandbox daemon: `StreamingResponse(iter_snapshot_archive(...))` calls a
    generator function, which runs none of its body; Starlette iterates it in its
    threadpool. A plain function of that module that runs a process still blocks."""
    (tmp_path / ".git").mkdir()
    write(
        tmp_path,
        "daemon/snapshot.py",
        """
        import subprocess


        def iter_snapshot_archive(session_id: str):
            with subprocess.Popen(["tar", "-cz", session_id], stdout=subprocess.PIPE) as proc:
                assert proc.stdout is not None
                yield from proc.stdout


        def snapshot_size(session_id: str) -> int:
            return len(subprocess.run(["du", session_id], capture_output=True).stdout)
        """,
    )
    server = write(
        tmp_path,
        "daemon/server.py",
        """
        from fastapi import FastAPI
        from fastapi.responses import StreamingResponse

        from daemon.snapshot import iter_snapshot_archive, snapshot_size

        app = FastAPI()


        @app.get("/snapshot/{session_id}")
        async def snapshot(session_id: str):
            return StreamingResponse(iter_snapshot_archive(session_id))


        @app.get("/snapshot/{session_id}/size")
        async def size(session_id: str):
            return {"size": snapshot_size(session_id)}
        """,
    )
    result = run_cli("check", "--no-cache", "--select", "FG303", str(server))
    assert "server.py:11" not in result.stdout, result.stdout
    assert "server.py:16:21: FG303 `snapshot_size()`" in result.stdout, result.stdout


def test_a_wait_told_not_to_hang_blocks_nothing(tmp_path: Path) -> None:
    """mlserver reaps its workers with `os.waitpid(-1, os.WNOHANG)`: it returns at once.
    In the coroutine, in a helper of the module or of another one; a wait with no such
    option blocks, in each place."""
    (tmp_path / ".git").mkdir()
    write(
        tmp_path,
        "app/reaping.py",
        """
        import os


        def reap() -> None:
            os.waitpid(-1, os.WNOHANG)


        def wait_all() -> None:
            os.waitpid(-1, 0)
        """,
    )
    routes = write(
        tmp_path,
        "app/routes.py",
        """
        import os
        from os import WNOHANG, WUNTRACED

        from fastapi import FastAPI

        from app.reaping import reap, wait_all

        app = FastAPI()


        def poll() -> None:
            os.wait3(WNOHANG)


        @app.post("/unload")
        async def unload() -> None:
            os.waitpid(-1, WNOHANG | WUNTRACED)
            poll()
            reap()
            wait_all()
            os.waitpid(-1, 0)
        """,
    )
    result = run_cli(
        "check", "--no-cache", "--select", "FG303", "--output-format", "concise", str(routes)
    )
    rows = [line.split(":")[1] for line in result.stdout.splitlines() if ": FG303" in line]
    assert rows == ["20", "21"], result.stdout


def test_fg304_in_sync_code_offers_def_when_the_coroutine_function_awaits_nothing() -> None:
    """lmdeploy's `zmq_disconnect`: an `async def` that awaits nothing, dropped by a sync
    method of its class. Making the caller async is one way; the other, as the reader
    said, is the callee's `async` gone. One that awaits keeps the first advice only."""
    source = """
        class EngineConnection:
            async def zmq_disconnect(self, key: str) -> None:
                self.sockets.pop(key).close()

            async def drain(self, key: str) -> None:
                async for _ in self.stream(key):
                    pass

            def close(self, key: str) -> None:
                self.zmq_disconnect(key)
                self.drain(key)
        """
    messages = [f.message for f in check_code(source) if f.code == "FG304"]
    assert len(messages) == 2
    idle, busy = messages
    assert "`zmq_disconnect` awaits nothing, declare it `def`" in idle
    assert "awaits nothing" not in busy


def test_an_azure_email_clients_send_blocks_and_its_factory_is_no_request(
    tmp_path: Path,
) -> None:
    """Le8cho's payment confirmations (reader 138): a sync helper of another module makes
    `EmailClient.from_connection_string(...)` and calls `begin_send(...)` on it, awaited
    nowhere, from an async route: the send is the request the message names, not the
    factory; in the coroutine itself, the same."""
    write(tmp_path, "pyproject.toml", "[project]\nname = 'svc'\n")
    write(tmp_path, "app/__init__.py", "")
    write(
        tmp_path,
        "app/mail.py",
        """
        from azure.communication.email import EmailClient


        def send(to: str, body: str) -> None:
            client = EmailClient.from_connection_string("endpoint=https://x;accesskey=y")
            client.begin_send({"recipients": {"to": [{"address": to}]}, "content": body})


        async def send_here(to: str) -> None:
            client = EmailClient.from_connection_string("endpoint=https://x;accesskey=y")
            client.begin_send({"recipients": {"to": [{"address": to}]}})
        """,
    )
    write(
        tmp_path,
        "app/routes.py",
        'from app.mail import send\n\n\nasync def paid(to: str) -> None:\n    send(to, "paid")\n',
    )
    found = _reported(tmp_path, "--select", "FG302")
    assert [
        (row, message.split(" blocks")[0].split(", which")[0]) for _, row, message in found
    ] == [
        (11, "`client.begin_send()` on a sync `azure.communication.email.EmailClient` client"),
        (
            5,
            "`send()` is a sync function of `app.mail` that calls `begin_send()` on a sync "
            "`azure.communication.email.EmailClient` client",
        ),
    ]


def test_the_firebase_admin_sdks_requests_block() -> None:
    """Medico24's push notifications (reader 135): `messaging.send_each_for_multicast(...)`
    of `from firebase_admin import messaging` in an `async def` is a request to Google
    with `requests`; so are the `auth` module's user calls. `verify_id_token` checks
    against certificates the SDK caches: not reported."""
    source = """
        from firebase_admin import auth, messaging


        async def notify(tokens: list[str], message: object, token: str) -> None:
            messaging.send_each_for_multicast(message)
            auth.get_user_by_email("a@example.com")
            auth.verify_id_token(token)
        """
    found = [(f.start.row, f.message) for f in check_code(source) if f.code == "FG302"]
    assert [row for row, _ in found] == [5, 6]
    assert "the Firebase Admin SDK is sync" in found[0][1]


def test_fg303_a_library_that_runs_a_program_blocks() -> None:
    """usif-x's PDF text extraction (reader 134): `pytesseract.image_to_string(image)` runs
    `tesseract` and waits for it, once per page, in an `async def`; pdfkit runs
    `wkhtmltopdf`, pdf2image `pdftoppm`. In a worker thread (`asyncio.to_thread`) they
    block no loop."""
    source = """
        import asyncio

        import pdfkit
        import pytesseract
        from pdf2image import convert_from_bytes


        async def ocr(image: object, pdf: bytes) -> str:
            text = pytesseract.image_to_string(image, lang="eng")
            pdfkit.from_string(text, "out.pdf")
            convert_from_bytes(pdf)
            return await asyncio.to_thread(pytesseract.image_to_string, image)
        """
    found = [(f.start.row, f.message) for f in check_code(source) if f.code == "FG303"]
    assert [row for row, _ in found] == [9, 10, 11]
    assert "use `await asyncio.to_thread(pytesseract.image_to_string, ...)`" in found[0][1]


def test_fg303_the_schedule_package_runs_its_due_jobs_in_the_call() -> None:
    """amrum-be's scheduler task (reader 164): `schedule.run_pending()` in a coroutine's
    loop runs each due job, a sync function (invoices, database updates, mail), on the
    event loop; handed to a thread it blocks none."""
    source = """
        import asyncio

        import schedule
        from fastapi import FastAPI

        app = FastAPI()


        async def run_scheduler() -> None:
            while True:
                schedule.run_pending()
                await asyncio.sleep(60)


        async def run_now() -> None:
            schedule.run_all()
            await asyncio.to_thread(schedule.run_pending)
        """
    found = [(f.start.row, f.message) for f in check_code(source) if f.code == "FG303"]
    assert [row for row, _ in found] == [11, 16]
    assert "`await asyncio.to_thread(schedule.run_pending)`" in found[0][1]


def test_fg303_psutil_measuring_over_an_interval_sleeps_through_it() -> None:
    """adityachoudhury29's health check (reader 141): `psutil.cpu_percent(interval=1)`
    sleeps a second on the loop per probe, called in the route or through a helper of
    another module; without a positive interval (the default `None`, 0, or what is not
    a number written there) it compares with the last call and returns at once."""
    helpers = """
        import psutil


        def metrics() -> float:
            return psutil.cpu_percent(interval=1)


        def quick() -> float:
            return psutil.cpu_percent()
        """
    source = """
        import psutil
        from psutil import cpu_percent


        async def health(interval: float) -> tuple[object, ...]:
            a = psutil.cpu_percent(interval=1)
            b = psutil.cpu_percent()
            c = psutil.cpu_percent(None)
            d = cpu_percent(0.5)
            e = psutil.cpu_percent(interval=0)
            f = psutil.cpu_times_percent(2, percpu=True)
            g = psutil.cpu_percent(interval)
            return a, b, c, d, e, f, g
        """
    found = [(f.start.row, f.message) for f in check_code(source) if f.code == "FG303"]
    assert [row for row, _ in found] == [6, 9, 11]
    assert "or `interval=None`" in found[0][1]
    route = """
        from app.system import metrics, quick


        async def health() -> tuple[float, float]:
            return metrics(), quick()
        """
    project = (("app/system.py", textwrap.dedent(helpers)),)
    across = [f.start.row for f in check_code(route, project=project) if f.code == "FG303"]
    assert across == [5]


def test_fg303_a_helper_that_only_starts_a_process_is_no_blocking_helper() -> None:
    """A sync helper that starts a `Popen` and hands it back costs the coroutine what
    asyncio's own start costs; one that reads the process's output blocks until it ends.
    The same, of a helper of another module (the summaries)."""
    helpers = """
        import subprocess


        def start(args: list[str]) -> subprocess.Popen[bytes]:
            return subprocess.Popen(args)


        def output(args: list[str]) -> bytes:
            process = subprocess.Popen(args, stdout=subprocess.PIPE)
            return process.stdout.read()
        """
    source = (
        helpers
        + """

        async def launch(args: list[str]) -> bytes:
            start(args)
            return output(args)
        """
    )
    found = [(f.start.row, f.message) for f in check_code(source) if f.code == "FG303"]
    assert [row for row, _ in found] == [15]
    assert "output()" in found[0][1]
    route = """
        from app.procs import output, start


        async def launch(args: list[str]) -> bytes:
            start(args)
            return output(args)
        """
    project = (("app/procs.py", textwrap.dedent(helpers)),)
    across = [f.start.row for f in check_code(route, project=project) if f.code == "FG303"]
    assert across == [6]


def test_fg302_a_helper_of_another_module_importing_its_client_in_its_body() -> None:
    """crawl4ai's `perform_completion_with_backoff` imports `completion` from litellm in
    its own body: the summary of its module names the call as libcst's scopes do, so a
    route calling it is reported, as it is in the helper's own module."""
    helpers = """
        def complete_with_backoff(prompt: str) -> str:
            from litellm import completion

            response = completion(model="gpt-4o", messages=[{"role": "user", "content": prompt}])
            return str(response.choices[0].message.content)


        def label(prompt: str) -> str:
            from litellm import acompletion

            return str(acompletion)
        """
    route = """
        from app.utils import complete_with_backoff, label


        async def ask(prompt: str) -> str:
            return complete_with_backoff(prompt) + label(prompt)
        """
    project = (("app/utils.py", textwrap.dedent(helpers)),)
    found = [f for f in check_code(route, project=project) if f.code == "FG302"]
    assert [(f.start.row, f.start.column) for f in found] == [(5, 12)]
    assert "is a sync function of `app.utils` that makes a blocking request" in found[0].message


def test_a_google_genai_call_is_offered_its_own_twin_under_aio() -> None:
    """google-genai's async API is the same one under `client.aio`: the message names the
    call's own twin (`client.aio.models.embed_content`), not `generate_content` whatever
    was called (agentnexus' embedder, reader 49)."""
    code = """
        from google import genai

        client = genai.Client()


        async def embed(text: str) -> list[float]:
            result = client.models.embed_content(model="text-embedding-004", contents=text)
            return result.embeddings[0].values
        """
    found = [f for f in check_code(code) if f.code == "FG302"]
    assert len(found) == 1
    assert "`await client.aio.models.embed_content(...)`" in found[0].message


def test_a_coroutine_tested_without_await_is_always_true() -> None:
    """ihaterepositories' services test `if not self.repository.is_object_exists(id):`
    (reader 61): a coroutine is true, so the check never fails. Reported in `if`, `while`,
    `assert` and a conditional expression, under `not` and in `and`/`or`; an awaited
    test, or a call of a sync function, is not."""
    source = """
        class Repo:
            async def exists(self, item_id: int) -> bool:
                return item_id > 0

            def known(self, item_id: int) -> bool:
                return item_id > 0

            async def get(self, item_id: int) -> str:
                if not self.exists(item_id):
                    return "missing"
                while self.exists(item_id) and item_id:
                    item_id -= 1
                assert self.exists(item_id)
                label = "a" if self.exists(1) else "b"
                if await self.exists(item_id) or self.known(item_id):
                    return label
                return "ok"


        async def check(x: int) -> bool:
            return x > 0


        def sync_user(x: int) -> str:
            return "yes" if check(x) else "no"
        """
    found = [f for f in check_code(source) if f.code == "FG304"]
    assert [(f.start.row, f.start.column) for f in found] == [
        (9, 16),
        (11, 15),
        (13, 16),
        (14, 24),
        (25, 21),
    ]
    assert "in a condition" in found[0].message
    assert found[0].message.endswith("`await self.exists(...)`")
    assert "make the caller `async def`" in found[-1].message
    fixed = fix_code(source, "FG304", unsafe=True)
    assert "if not await self.exists(item_id):" in fixed
    assert '"a" if await self.exists(1) else "b"' in fixed


def test_resends_sdk_sends_with_requests() -> None:
    """johanguse's sign-up emails (reader 64): `resend.Emails.send(params)` in `async def`
    blocks on `requests`; in a thread it does not."""
    source = """
        import asyncio

        import resend


        async def send_welcome(params: dict) -> None:
            resend.Emails.send(params)
            await asyncio.to_thread(resend.Emails.send, params)
        """
    found = [f for f in check_code(source) if f.code == "FG302"]
    assert [f.start.row for f in found] == [7]
    assert "Resend's SDK sends with `requests`" in found[0].message


def test_cloudinarys_admin_api_blocks_as_its_uploader_does() -> None:
    """Udemezue12's `list_resources` route (reader 126): `cloudinary.api.resources(...)`,
    an Admin API request of the sync SDK, as `cloudinary.uploader.upload(...)` is; its
    URL helper makes no request."""
    source = """
        import cloudinary.api
        import cloudinary.uploader
        from cloudinary.utils import cloudinary_url


        async def list_resources(prefix: str) -> dict:
            found = cloudinary.api.resources(prefix=prefix)
            cloudinary.uploader.upload("a.png")
            cloudinary_url("a")
            return found
        """
    found = [f for f in check_code(source) if f.code == "FG302"]
    assert [f.start.row for f in found] == [7, 8]
    assert found[0].message.startswith("`cloudinary.api.resources()` blocks the event loop")


def test_a_client_the_class_body_makes_blocks_through_cls_and_the_class_name() -> None:
    """MulinEgor's `S3Service` (reader 129): `_client = boto3.client(...)` in the class
    body, then `cls._client.put_object(...)` in an async class method, as through `self`
    and through the class's name; not a class method's other parameter."""
    source = """
        import boto3


        class S3Service:
            _client = boto3.client("s3")

            @classmethod
            async def upload(cls, key: str, data: bytes) -> None:
                cls._client.put_object(Bucket="b", Key=key, Body=data)

            async def replace(self, key: str, data: bytes) -> None:
                self._client.put_object(Bucket="b", Key=key, Body=data)

            @staticmethod
            async def remove(key: str) -> None:
                S3Service._client.delete_object(Bucket="b", Key=key)

            @classmethod
            async def copy(cls, other, key: str) -> None:
                other._client.copy_object(Bucket="b", Key=key)
        """
    found = [f for f in check_code(source) if f.code == "FG302"]
    assert [f.start.row for f in found] == [9, 12, 16]
    assert found[0].message.startswith("`cls._client.put_object()` on a sync `boto3.client`")


def test_elevenlabs_and_expos_sync_clients_block() -> None:
    """InSideOut's voiced chat (reader 147): ElevenLabs' `text_to_speech.convert(...)` is a
    request, `AsyncElevenLabs` its twin; Deskent's reminders post through Expo's
    `PushClient().publish_multiple(...)`, which sends with `requests`."""
    source = """
        from elevenlabs.client import AsyncElevenLabs, ElevenLabs
        from exponent_server_sdk import PushClient, PushMessage

        tts = ElevenLabs(api_key="k")
        atts = AsyncElevenLabs(api_key="k")


        async def speak(text: str) -> object:
            await atts.text_to_speech.convert(voice_id="v", text=text)
            return tts.text_to_speech.convert(voice_id="v", text=text)


        async def remind(tokens: list[str]) -> object:
            return PushClient().publish_multiple([PushMessage(to=t, body="b") for t in tokens])
        """
    found = [f for f in check_code(source) if f.code == "FG302"]
    assert [f.start.row for f in found] == [10, 14]
    assert "`elevenlabs.client.AsyncElevenLabs` (awaited)" in found[0].message
    assert "sync `exponent_server_sdk.PushClient` client" in found[1].message


def test_mailtraps_and_groqs_sync_clients_block() -> None:
    """ElonTusk404's sign-up emails (reader 108): `MailtrapClient.send()` posts with
    `requests`; Groq's client, generated as OpenAI's is, has `AsyncGroq` for a
    coroutine; Alibaba Cloud OSS's `Bucket` sends with `requests` (dc8156046's uploads,
    reader 113), but not its `sign_url`, nor a string method on one of its attributes."""
    source = """
        import mailtrap as mt
        import oss2
        from groq import AsyncGroq, Groq

        mailer = mt.MailtrapClient(token="t")
        groq = Groq()
        agroq = AsyncGroq()


        async def welcome(mail: mt.Mail) -> None:
            mailer.send(mail)


        async def answer(prompt: str) -> object:
            await agroq.chat.completions.create(model="m", messages=[])
            return groq.chat.completions.create(model="m", messages=[])


        bucket = oss2.Bucket(oss2.Auth("id", "key"), "https://oss.example.com", "media")


        def url_of(name: str) -> str:
            return bucket.endpoint.replace("https://", "") + name


        async def store(name: str, data: bytes) -> str:
            bucket.put_object(name, data)
            bucket.sign_url("GET", name, 60)
            return url_of(name)
        """
    found = [f for f in check_code(source) if f.code == "FG302"]
    assert [f.start.row for f in found] == [11, 16, 27]
    assert "Mailtrap's SDK sends with `requests`" in found[0].message
    assert "`groq.AsyncGroq` (awaited)" in found[1].message
    assert "Alibaba Cloud OSS's SDK sends with `requests`" in found[2].message


def test_a_service_method_reaching_another_modules_password_helper_through_self_blocks(
    tmp_path: Path,
) -> None:
    """Sanoy24's login route (reader 82): `user_service: user_dependency`, the module's
    `Annotated[UserService, Depends(...)]` alias, then `user_service.login(...)`, whose
    `self.authenticate_user(...)` calls `verify_password` of `app.utils.security`, which
    runs pwdlib's `verify`."""
    write(tmp_path, "pyproject.toml", "[project]\nname = 'svc'\n")
    for package in ("app", "app/utils", "app/services"):
        write(tmp_path, f"{package}/__init__.py", "")
    write(
        tmp_path,
        "app/utils/security.py",
        """
        from pwdlib import PasswordHash

        password_hash = PasswordHash.recommended()


        def verify_password(plain: str, hashed: str) -> bool:
            return password_hash.verify(password=plain, hash=hashed)
        """,
    )
    write(
        tmp_path,
        "app/services/user_service.py",
        """
        from app.utils.security import verify_password


        class UserService:
            def authenticate_user(self, plain: str, hashed: str) -> bool:
                return verify_password(plain, hashed)

            def login(self, plain: str, hashed: str) -> bool:
                return self.authenticate_user(plain, hashed)
        """,
    )
    write(
        tmp_path,
        "app/routes.py",
        """
        from typing import Annotated

        from fastapi import APIRouter, Depends

        from app.services.user_service import UserService

        router = APIRouter()
        user_dependency = Annotated[UserService, Depends(UserService)]


        @router.post("/login")
        async def login(plain: str, hashed: str, user_service: user_dependency) -> bool:
            return user_service.login(plain, hashed)
        """,
    )
    found = _reported(tmp_path)
    assert [(code, row) for code, row, _ in found] == [("FG303", 13)]
    assert "checks a password (`pwdlib.PasswordHash.verify()`)" in found[0][2]


def test_a_module_helper_reaching_another_modules_password_helper_blocks(
    tmp_path: Path,
) -> None:
    """Max-ghub's `authenticate_user` (reader 110): a coroutine method calls
    `_ensure_password_valid`, a sync function of its module, which calls
    `verify_password` of `app.core.security`, which runs passlib's `verify`. Not a
    helper of that name the module binds again, nor one that checks nothing."""
    write(tmp_path, "pyproject.toml", "[project]\nname = 'svc'\n")
    for package in ("app", "app/core", "app/services"):
        write(tmp_path, f"{package}/__init__.py", "")
    write(
        tmp_path,
        "app/core/security.py",
        """
        from passlib.context import CryptContext

        pwd_context = CryptContext(schemes=["sha256_crypt"])


        def verify_password(plain: str, hashed: str) -> bool:
            return pwd_context.verify(plain, hashed)
        """,
    )
    write(
        tmp_path,
        "app/services/users.py",
        """
        from app.core.security import verify_password


        def _ensure_password_valid(plain: str, hashed: str) -> None:
            if not verify_password(plain, hashed):
                raise ValueError("invalid")


        def _ensure_email(email: str) -> None:
            if "@" not in email:
                raise ValueError("invalid")


        class UserService:
            async def authenticate(self, email: str, plain: str, hashed: str) -> None:
                _ensure_email(email)
                _ensure_password_valid(plain, hashed)
        """,
    )
    write(
        tmp_path,
        "app/routes.py",
        "from app.services.users import UserService\n\n\n"
        "async def login(email: str, plain: str, hashed: str) -> None:\n"
        "    await UserService().authenticate(email, plain, hashed)\n",
    )
    found = _reported(tmp_path)
    assert [(code, row) for code, row, _ in found] == [("FG303", 17)]
    assert "`_ensure_password_valid()` is a sync function of `app.services.users`" in found[0][2]


def test_a_route_that_awaits_nothing_is_told_it_may_be_a_def() -> None:
    """ark948's login route (reader 89): it awaits nothing, so a `def` runs the bcrypt
    check, and every other blocking call of the route, in FastAPI's threadpool; a route
    that awaits something, or a helper coroutine, gets only the thread."""
    source = """
        import time

        from fastapi import APIRouter
        from passlib.context import CryptContext

        router = APIRouter()
        pwd = CryptContext(schemes=["bcrypt"])


        @router.post("/login")
        async def login(password: str, hashed: str) -> bool:
            return pwd.verify(password, hashed)


        @router.post("/slow")
        async def slow(password: str, hashed: str) -> bool:
            time.sleep(1)
            async with lock:
                return pwd.verify(password, hashed)


        async def check(password: str, hashed: str) -> bool:
            return pwd.verify(password, hashed)
        """
    found = [f for f in check_code(source, "app/routes.py") if f.code == "FG303"]
    idle = "; or, as `login` awaits nothing, declare it `def` (FastAPI runs it in its threadpool)"
    assert [(f.start.row, f.message.endswith(idle)) for f in found] == [
        (12, True),
        (19, False),
        (23, False),
    ]


#: A module checking passwords with passlib's bcrypt, which the tests below call through
#: other modules.
PASSLIB_SECURITY = """
    from passlib.context import CryptContext

    pwd_context = CryptContext(schemes=["bcrypt"])


    def verify_password(plain: str, hashed: str) -> bool:
        return pwd_context.verify(plain, hashed)
"""


def test_a_method_of_the_instance_a_package_binds_over_its_submodule_blocks(
    tmp_path: Path,
) -> None:
    """ddcroft73's login route (reader 88): `crud.user.authenticate(...)`, where
    `app/crud/__init__.py` binds `user` (`from .user import user`, a `CRUDUser`) over the
    submodule of that name, whose `authenticate` calls `verify_password` of
    `app.core.security`, passlib's `verify`."""
    write(tmp_path, "pyproject.toml", "[project]\nname = 'svc'\n")
    for package in ("app", "app/core", "app/api"):
        write(tmp_path, f"{package}/__init__.py", "")
    write(tmp_path, "app/crud/__init__.py", "from .user import user\n")
    write(
        tmp_path,
        "app/core/security.py",
        PASSLIB_SECURITY,
    )
    write(
        tmp_path,
        "app/crud/user.py",
        """
        from app.core.security import verify_password


        class CRUDUser:
            def authenticate(self, plain: str, hashed: str) -> bool:
                return verify_password(plain, hashed)


        user = CRUDUser()
        """,
    )
    write(
        tmp_path,
        "app/api/login.py",
        """
        from fastapi import APIRouter

        from app import crud

        router = APIRouter()


        @router.post("/login")
        async def login(plain: str, hashed: str) -> bool:
            return crud.user.authenticate(plain, hashed)
        """,
    )
    found = _reported(tmp_path, "--select", "FG303")
    assert [(code, row) for code, row, _ in found] == [("FG303", 10)]
    assert found[0][2].startswith(
        "`crud.user.authenticate()` is a sync method of `app.crud.user.user` that checks a "
        "password (`passlib.context.CryptContext.verify()`)"
    )


def test_a_method_calling_a_password_helper_through_its_module_blocks(
    tmp_path: Path,
) -> None:
    """o4codes' `AuthService.verify_password` (reader 90), a static method returning
    `security.verify_password(...)` of `from app.commons import security`, called as
    `self.verify_password(...)` in the login coroutine."""
    write(tmp_path, "pyproject.toml", "[project]\nname = 'svc'\n")
    for package in ("app", "app/commons", "app/services"):
        write(tmp_path, f"{package}/__init__.py", "")
    write(
        tmp_path,
        "app/commons/security.py",
        PASSLIB_SECURITY,
    )
    write(
        tmp_path,
        "app/services/auth.py",
        """
        from app.commons import security


        class AuthService:
            @staticmethod
            def verify_password(plain: str, hashed: str) -> bool:
                return security.verify_password(plain, hashed)

            async def authenticate_user(self, plain: str, hashed: str) -> bool:
                return self.verify_password(plain, hashed)


        auth_service = AuthService()
        """,
    )
    found = _reported(tmp_path, "--select", "FG303")
    assert [(code, row) for code, row, _ in found] == [("FG303", 10)]
    assert "checks a password (`passlib.context.CryptContext.verify()`)" in found[0][2]


def test_a_helper_calling_the_method_of_a_hasher_another_module_makes_blocks(
    tmp_path: Path,
) -> None:
    """DorLex's login (reader 96): `verify_password` calls `pwd_context.verify(...)` on
    the `CryptContext` of `from app.config import pwd_context`; its check was missed where
    its hash (`pwd_context.hash`, a word of a password helper) was followed."""
    write(tmp_path, "pyproject.toml", "[project]\nname = 'svc'\n")
    write(tmp_path, "app/__init__.py", "")
    write(
        tmp_path,
        "app/config.py",
        "from passlib.context import CryptContext\n\n"
        'pwd_context = CryptContext(schemes=["bcrypt"])\n',
    )
    write(
        tmp_path,
        "app/utils.py",
        """
        from app.config import pwd_context


        def verify_password(plain: str, hashed: str) -> bool:
            return pwd_context.verify(plain, hashed)
        """,
    )
    write(
        tmp_path,
        "app/routes.py",
        """
        from app.utils import verify_password


        async def login(plain: str, hashed: str) -> bool:
            return verify_password(plain, hashed)
        """,
    )
    found = _reported(tmp_path, "--select", "FG303")
    assert [(code, row) for code, row, _ in found] == [("FG303", 5)]
    assert "checks a password (`passlib.context.CryptContext.verify()`)" in found[0][2]


def test_a_method_of_the_class_calling_another_modules_password_helper_blocks(
    tmp_path: Path,
) -> None:
    """balorette's login (reader 64): `self._verify_password(...)`, a `def` of the class
    that calls `verify_password` of `app.core.security`, which runs `bcrypt.checkpw`."""
    write(tmp_path, "pyproject.toml", "[project]\nname = 'svc'\n")
    for package in ("app", "app/core", "app/services"):
        write(tmp_path, f"{package}/__init__.py", "")
    write(
        tmp_path,
        "app/core/security.py",
        """
        import bcrypt


        def verify_password(plain: str, hashed: str) -> bool:
            return bcrypt.checkpw(plain.encode(), hashed.encode())
        """,
    )
    write(
        tmp_path,
        "app/services/user.py",
        """
        from app.core.security import verify_password


        class UserService:
            def _verify_password(self, plain: str, hashed: str) -> bool:
                return verify_password(plain, hashed)

            def _label(self, name: str) -> str:
                return name.title()

            async def authenticate(self, plain: str, hashed: str) -> bool:
                self._label(plain)
                return self._verify_password(plain, hashed)


        user_service = UserService()
        """,
    )
    write(
        tmp_path,
        "app/routes.py",
        "from app.services.user import user_service\n\n\n"
        "async def login(plain: str, hashed: str) -> bool:\n"
        "    return await user_service.authenticate(plain, hashed)\n",
    )
    found = _reported(tmp_path)
    assert [(code, row) for code, row, _ in found] == [("FG303", 13)]
    assert "`self._verify_password()` is a sync method of" in found[0][2]
    assert "(`bcrypt.checkpw()`)" in found[0][2]


def test_urlretrieve_in_async_def_blocks_the_loop() -> None:
    """Nurshot's avatar download (reader 66): `urllib.request.urlretrieve` is a sync
    request and a file write, as `urlopen` is."""
    code = """
        import urllib.request
        from urllib.request import urlretrieve


        async def download(url: str) -> None:
            urllib.request.urlretrieve(url, "avatar.jpg")
            urlretrieve(url, "cover.jpg")
        """
    assert [f.start.row for f in check_code(code) if f.code == "FG302"] == [6, 7]


def test_a_coroutine_assigned_and_read_as_its_result_is_flagged() -> None:
    """vinodvpillai's repository (reader 66): `db_article = self.get_article(id)` then
    `if db_article:` (always true) and `setattr(db_article, ...)`: its update and delete
    routes fail on every call. A name awaited later, or bound again, is left."""
    source = """
        import asyncio


        class ArticleRepository:
            async def get_article(self, article_id: int):
                return await self.db.get(Article, article_id)

            async def update_article(self, article_id: int, data: dict):
                db_article = self.get_article(article_id)
                if db_article:
                    for key, value in data.items():
                        setattr(db_article, key, value)
                return db_article

            async def title(self, article_id: int) -> str:
                article = self.get_article(article_id)
                return article.title

            async def awaited_later(self, article_id: int) -> str:
                article = self.get_article(article_id)
                other = await asyncio.sleep(0)
                article = await article
                return article.title

            async def scheduled(self, article_id: int) -> None:
                task = self.get_article(article_id)
                task = asyncio.create_task(task)
                task.add_done_callback(print)

            async def gathered(self, article_id: int) -> list:
                article = self.get_article(article_id)

                def title(article) -> str:
                    return article.title

                return [title(found) for found in await asyncio.gather(article)]
        """
    found = [f for f in check_code(source) if f.code == "FG304"]
    assert [f.start.row for f in found] == [9, 16]
    assert "`if db_article:` is always true" in found[0].message
    assert "`article.title` raises `AttributeError`" in found[1].message


def test_a_coroutine_assigned_then_returned_or_put_in_a_routes_response_is_flagged() -> None:
    """vladikhub's `hotel = HotelService(db).get_hotel(...)`, then `return {"hotel":
    hotel}` (reader 175): a route's response holding a coroutine is a 500 on every
    request; `return hotel` gives whoever awaits the function the coroutine, as `return
    service.get_hotel(...)` does. Outside a route, a dict of coroutines may be gathered."""
    source = """
        from fastapi import APIRouter

        router = APIRouter()


        class HotelService:
            async def get_hotel(self, hotel_id: int):
                return hotel_id


        @router.get("/hotels/{hotel_id}")
        async def get_hotel(hotel_id: int):
            hotel = HotelService().get_hotel(hotel_id)
            return {"hotel": hotel}


        async def load(hotel_id: int):
            hotel = HotelService().get_hotel(hotel_id)
            return hotel


        async def pending(hotel_id: int):
            hotel = HotelService().get_hotel(hotel_id)
            return {"hotel": hotel}
        """
    found = [f for f in check_code(source) if f.code == "FG304"]
    assert [f.start.row for f in found] == [13, 18]
    assert "the route's response holds `hotel`, which cannot be serialized" in found[0].message
    assert "`return hotel` gives the caller the coroutine" in found[1].message


def test_a_langchain_chat_models_sync_calls_block_in_async_def() -> None:
    """ravin1100's claim agents (reader 177): a LangChain chat model's `invoke` waits for
    the model's answer; so does that of a runnable made of it
    (`llm.with_structured_output(...)`). The awaited twins, `astream`, and making a
    runnable are none."""
    source = """
        from langchain_google_genai import ChatGoogleGenerativeAI

        llm = ChatGoogleGenerativeAI(model="gemini-2.0-flash")
        structured = llm.with_structured_output(dict)


        async def answer(question: str) -> str:
            return llm.invoke(question).content


        async def parse(question: str) -> dict:
            return structured.invoke(question)


        async def fine(question: str) -> str:
            tools = llm.bind_tools([])
            reply = await llm.ainvoke(question)
            async for chunk in llm.astream(question):
                print(chunk, tools)
            return reply.content


        async def bound(question: str) -> str:
            tools = llm.bind_tools([])
            return tools.invoke(question).content
        """
    found = [f for f in check_code(source) if f.code == "FG302"]
    assert [f.start.row for f in found] == [8, 12, 25]
    assert "use `await tools.ainvoke(...)`" in found[2].message
    assert "use `await llm.ainvoke(...)`" in found[0].message
    assert "`structured.invoke()` on a sync" in found[1].message
    assert "use `await structured.ainvoke(...)`" in found[1].message


def test_a_sync_helper_using_another_modules_client_blocks_the_coroutine_calling_it(
    tmp_path: Path,
) -> None:
    """A sync helper of one module (`cached(key)`) making a request through a client
    another module makes (`from app.cache import redis_client`, a `redis.Redis`), called
    in a coroutine of a third: the index reads the object the helper calls a method of.
    A method of another module's object that is no client (`settings.model_dump()`), or
    a client's local method (`redis_client.pipeline()`), blocks nothing."""
    write(tmp_path, "pyproject.toml", "[project]\nname = 'svc'\n")
    write(tmp_path, "app/__init__.py", "")
    write(
        tmp_path,
        "app/cache.py",
        """
        import redis
        from pydantic import BaseModel


        class Settings(BaseModel):
            url: str = "redis://cache"


        redis_client = redis.Redis(host="cache")
        settings = Settings()
        """,
    )
    write(
        tmp_path,
        "app/helpers.py",
        """
        from app.cache import redis_client, settings


        def cached(key: str):
            return redis_client.get(key)


        def options() -> dict:
            return settings.model_dump()


        def batch():
            return redis_client.pipeline()
        """,
    )
    write(
        tmp_path,
        "app/routes.py",
        """
        from app.helpers import batch, cached, options


        async def read(key: str):
            return cached(key), options(), batch()
        """,
    )
    found = _reported(tmp_path, "--select", "FG302")
    assert [(code, row) for code, row, _ in found] == [("FG302", 5)]
    assert (
        "`cached()` is a sync function of `app.helpers` that calls `get()` on a sync "
        "`redis.Redis` client" in found[0][2]
    )


def test_a_method_calling_another_modules_object_still_blocks_through_what_it_holds(
    tmp_path: Path,
) -> None:
    """kodzimk's quiz generator and d-Jhon-b's contract service: a method that calls a
    method of another module's object (`metrics.record(...)`, no client) and makes a
    request through the client its instance holds (`self.model.generate_content(...)`),
    or queries the sync session it holds: the object's method, asked of the index,
    hides neither."""
    write(tmp_path, "pyproject.toml", "[project]\nname = 'svc'\n")
    write(tmp_path, "app/__init__.py", "")
    write(
        tmp_path,
        "app/metrics.py",
        "class Metrics:\n    def record(self, name):\n        pass\n\n\nmetrics = Metrics()\n",
    )
    write(
        tmp_path,
        "app/quiz.py",
        """
        import google.generativeai as genai
        from sqlalchemy.orm import Session

        from app.metrics import metrics


        class QuizGenerator:
            def __init__(self) -> None:
                self.model = genai.GenerativeModel("gemini-pro")

            def generate(self, topic: str) -> str:
                metrics.record("quiz")
                return self.model.generate_content(topic).text


        class ContractService:
            def __init__(self, session: Session) -> None:
                self.session = session

            def create(self, row: object) -> None:
                metrics.record("contract")
                self.session.add(row)
                self.session.commit()


        quiz_generator = QuizGenerator()
        """,
    )
    write(
        tmp_path,
        "app/routes.py",
        """
        from sqlalchemy.orm import Session

        from app.quiz import ContractService, quiz_generator


        async def quiz(topic: str) -> str:
            return quiz_generator.generate(topic)


        async def contract(db: Session, row: object) -> None:
            ContractService(db).create(row)
        """,
    )
    found = _reported(tmp_path, "--select", "FG302,FG102")
    assert [(code, row) for code, row, _ in found] == [("FG302", 7), ("FG102", 11)]


def _fg304(root: Path, *args: str) -> list[tuple[str, int, str]]:
    result = run_cli("check", "--output-format", "json", "--select", "FG304", *args, str(root))
    return sorted(
        (Path(f["filename"]).relative_to(root).as_posix(), f["location"]["row"], f["message"])
        for f in json.loads(result.stdout)
    )


def _coroutine_project(root: Path) -> None:
    write(root, "pyproject.toml", "[project]\nname = 'svc'\n")
    write(root, "app/__init__.py", "")
    write(
        root,
        "app/crud.py",
        """
        import asyncio
        import functools


        class CRUDUser:
            async def get_roles(self, db, pk):
                await asyncio.sleep(0)
                return []

            def count(self, db):
                return 0


        curd_user = CRUDUser()


        async def notify(pk):
            await asyncio.sleep(0)


        def log(pk):
            return pk


        @functools.cache
        async def cached(pk):
            return pk
        """,
    )
    write(root, "app/services/__init__.py", "from app.crud import notify as notify\n")


def test_another_modules_coroutine_dropped_tested_or_iterated_is_flagged(
    tmp_path: Path,
) -> None:
    """JohnDoe1996's permission check (reader 68): `curd_user.get_roles(db, pk)`, an
    `async def` of another module's instance, iterated without `await` (a `TypeError` for
    every user who is no superuser); and another module's `async def` dropped or tested,
    which FG304 read only in its own module before."""
    _coroutine_project(tmp_path)
    write(
        tmp_path,
        "app/deps.py",
        """
        from app import crud
        from app.crud import cached, curd_user, log, notify
        from app.services import notify as told


        async def check_perm(db, pk):
            roles = set([r.id for r in curd_user.get_roles(db, pk)])
            for role in curd_user.get_roles(db, pk):
                print(role)
            notify(pk)
            crud.notify(pk)
            told(pk)
            if not notify(pk):
                return None
            log(pk)
            cached(pk)
            curd_user.count(db)
            await notify(pk)
            return roles
        """,
    )
    found = _fg304(tmp_path, "--no-cache")
    assert [(path, row) for path, row, _ in found] == [
        ("app/deps.py", 7),
        ("app/deps.py", 8),
        ("app/deps.py", 10),
        ("app/deps.py", 11),
        ("app/deps.py", 12),
        ("app/deps.py", 13),
    ]
    assert (
        "`curd_user.get_roles()` is an `async def` called without `await` and iterated"
        in (found[0][2])
    )
    assert "`for ... in await curd_user.get_roles(...)`" in found[0][2]
    assert "called without `await` in a condition" in found[5][2]
    # the unsafe fix awaits each one, and the file still compiles
    run_cli("check", "--select", "FG304", "--fix", "--unsafe-fixes", "--no-cache", str(tmp_path))
    fixed = (tmp_path / "app/deps.py").read_text()
    assert "for r in await curd_user.get_roles(db, pk)" in fixed
    assert "    await notify(pk)\n    await crud.notify(pk)\n    await told(pk)\n" in fixed
    compile(fixed, "deps.py", "exec")


def test_a_module_instances_coroutine_dropped_in_its_own_module_is_flagged(
    tmp_path: Path,
) -> None:
    _coroutine_project(tmp_path)
    write(
        tmp_path,
        "app/jobs.py",
        """
        import asyncio


        class Repo:
            async def purge(self):
                await asyncio.sleep(0)


        repo = Repo()


        async def nightly():
            repo.purge()
        """,
    )
    assert [(p, r) for p, r, _ in _fg304(tmp_path, "--no-cache")] == [("app/jobs.py", 13)]


def test_a_warm_run_sees_another_modules_function_become_sync(tmp_path: Path) -> None:
    """The answer is read from the other module's file: a run snapshot kept from before
    it changed is not reused."""
    _coroutine_project(tmp_path)
    write(
        tmp_path,
        "app/deps.py",
        "from app.crud import notify\n\n\nasync def f(pk):\n    notify(pk)\n",
    )
    for n in range(25):  # enough files for a run snapshot
        write(tmp_path, f"app/m{n}.py", "X = 1\n")
    cache = tmp_path / ".cache"
    assert [r for _, r, _ in _fg304(tmp_path, "--cache-dir", str(cache))] == [5]
    assert [r for _, r, _ in _fg304(tmp_path, "--cache-dir", str(cache))] == [5]
    crud = tmp_path / "app/crud.py"
    crud.write_text(crud.read_text().replace("async def notify", "def notify"))
    assert _fg304(tmp_path, "--cache-dir", str(cache)) == []


def test_an_instance_a_package_re_exports_is_read_through_its_attribute_chain(
    tmp_path: Path,
) -> None:
    """mlbase's login (reader 72): `elif not crud.user.is_active(user):`, `crud` the
    package whose `__init__` imports `user` from `crud_user`, where `user = CRUDUser(User)`
    is bound once as a module's name though methods take a `user` parameter too."""
    write(tmp_path, "pyproject.toml", "[project]\nname = 'svc'\n")
    write(tmp_path, "crud/__init__.py", "from .crud_user import user\n")
    write(
        tmp_path,
        "crud/crud_user.py",
        """
        import asyncio


        class CRUDUser:
            async def is_active(self, user) -> bool:
                await asyncio.sleep(0)
                return user.active


        user = CRUDUser()
        """,
    )
    write(
        tmp_path,
        "api/login.py",
        """
        import crud


        async def login(current):
            if current is None:
                return None
            elif not crud.user.is_active(current):
                return None
            return current
        """,
    )
    found = _fg304(tmp_path, "--no-cache")
    assert [(path, row) for path, row, _ in found] == [("api/login.py", 7)]
    assert "`crud.user.is_active()` is an `async def` called without `await` in a" in found[0][2]


def test_a_coroutine_iterated_in_sync_code_says_to_make_the_caller_async() -> None:
    """A coroutine is not iterable (`TypeError`): in an `async def` the advice awaits it
    where it is iterated; in a `def`, which cannot await, the caller must become async."""
    source = """
        import asyncio


        async def roles(pk: int) -> list[int]:
            await asyncio.sleep(0)
            return [pk]


        async def names(pk: int) -> list[str]:
            return [str(r) for r in roles(pk)]


        def count(pk: int) -> int:
            return sum(1 for _ in roles(pk))
        """
    found = [f for f in check_code(source) if f.code == "FG304"]
    assert [f.start.row for f in found] == [10, 14]
    assert found[0].message.endswith(": `for ... in await roles(...)`")
    assert found[1].message.endswith(": make the caller `async def` and iterate `await roles(...)`")


def test_a_method_of_an_instance_made_for_the_call_that_checks_a_password_blocks(
    tmp_path: Path,
) -> None:
    """AndreyKrakhmalnyy's login (reader 115): `AuthService().verify_password(...)`, a
    method of a class of another module that runs passlib's `verify`; the same call
    awaited, or of a method that does nothing blocking, is none."""
    write(tmp_path, "pyproject.toml", "[project]\nname = 'svc'\n")
    for package in ("app", "app/services"):
        write(tmp_path, f"{package}/__init__.py", "")
    write(
        tmp_path,
        "app/services/auth.py",
        """
        from passlib.context import CryptContext

        pwd_context = CryptContext(schemes=["bcrypt"])


        class AuthService:
            def verify_password(self, plain: str, hashed: str) -> bool:
                return pwd_context.verify(plain, hashed)

            def token(self, user_id: int) -> str:
                return str(user_id)

            async def averify(self, plain: str, hashed: str) -> bool:
                return plain == hashed
        """,
    )
    write(
        tmp_path,
        "app/routes.py",
        """
        from app.services.auth import AuthService


        async def login(plain: str, hashed: str) -> str:
            if not AuthService().verify_password(plain, hashed):
                raise ValueError(plain)
            await AuthService().averify(plain, hashed)
            return AuthService().token(1)


        async def check(plain: str, hashed: str) -> str:
            service = AuthService()
            if not service.verify_password(plain, hashed):
                raise ValueError(plain)
            await service.averify(plain, hashed)
            return service.token(1)
        """,
    )
    found = _reported(tmp_path)
    # (and FG504 on passlib itself); the instance made and bound to a name too (AxasSoft's
    # `payment_bank = TinkoffPayment(...)`, then `payment_bank.make_payment()`: reader 125)
    assert [(code, row) for code, row, _ in found if code != "FG504"] == [
        ("FG303", 5),
        ("FG303", 13),
    ]
    assert "`AuthService().verify_password()` is a sync method of" in found[0][2]
    assert "(`passlib.context.CryptContext.verify()`)" in found[0][2]
    assert "`service.verify_password()` is a sync method of" in found[1][2]


def test_a_method_of_an_instance_of_its_own_class_made_for_the_call_blocks(
    tmp_path: Path,
) -> None:
    """vladikhub's `AuthService.login_user` (reader 175): `AuthService().verify_password(
    ...)`, an instance of the very class, whose method runs the class body's passlib
    context's `verify`."""
    write(tmp_path, "pyproject.toml", "[project]\nname = 'svc'\n")
    for package in ("app", "app/services"):
        write(tmp_path, f"{package}/__init__.py", "")
    write(
        tmp_path,
        "app/services/auth.py",
        """
        from passlib.context import CryptContext


        class AuthService:
            pwd_context = CryptContext(schemes=["bcrypt"], deprecated="auto")

            def verify_password(self, plain: str, hashed: str) -> bool:
                return self.pwd_context.verify(plain, hashed)

            def token(self, user_id: int) -> str:
                return str(user_id)

            async def login_user(self, plain: str, hashed: str) -> str:
                if not AuthService().verify_password(plain, hashed):
                    raise ValueError(plain)
                return AuthService().token(1)
        """,
    )
    write(
        tmp_path,
        "app/routes.py",
        """
        from app.services.auth import AuthService


        async def login(plain: str, hashed: str) -> str:
            return await AuthService().login_user(plain, hashed)
        """,
    )
    found = [(code, row, message) for code, row, message in _reported(tmp_path)]
    assert [(code, row) for code, row, _ in found if code != "FG504"] == [("FG303", 14)]
    assert "is a sync method of `app.services.auth.AuthService` that checks" in found[-1][2]


def test_a_method_of_another_modules_instance_is_followed_when_that_module_is_parsed(
    tmp_path: Path,
) -> None:
    """ArthurCoutinho15's login (reader 126): `security.verify_password(...)` of `security:
    Security = Security()`, whose class checks with the `CryptContext` its `__init__`
    makes. The instance, annotated or not, is followed also where its module is parsed
    for findings of its own (the `time.sleep` here): that module's summary is then the
    checker's, which lacked the instance's methods."""
    write(tmp_path, "pyproject.toml", "[project]\nname = 'svc'\n")
    write(tmp_path, "app/__init__.py", "")
    write(
        tmp_path,
        "app/security.py",
        """
        import time

        from passlib.context import CryptContext


        class Security:
            def __init__(self) -> None:
                self.crypto = CryptContext(schemes=["argon2"])

            def verify_password(self, password: str, hashed: str) -> bool:
                return self.crypto.verify(password, hashed)


        security: Security = Security()
        plain = Security()


        async def nap() -> None:
            time.sleep(1)
        """,
    )
    write(
        tmp_path,
        "app/auth.py",
        """
        from app.security import plain, security


        async def login(password: str, hashed: str) -> bool:
            return security.verify_password(password, hashed)


        async def login_plain(password: str, hashed: str) -> bool:
            return plain.verify_password(password, hashed)
        """,
    )
    found = _reported(tmp_path)
    assert [(code, row) for code, row, _ in found if code == "FG303"] == [
        ("FG303", 5),
        ("FG303", 9),
    ]


def test_a_coroutine_returned_from_an_async_def_is_flagged(tmp_path: Path) -> None:
    """Xol3pa's route (reader 114): `return BookingsService(db).get_all_bookings()`, an
    `async def` of an instance made for the call, returned unawaited from an `async def`
    route: FastAPI gets a coroutine to serialize. A sync `def` handing a coroutine on is
    a wrapper's, and a sync method's or an awaited call's result is none; a method of a
    class of the module dropped the same way is reported as another module's is."""
    _coroutine_project(tmp_path)
    write(
        tmp_path,
        "app/routes.py",
        """
        from app.crud import CRUDUser, curd_user, log, notify


        class Repository:
            async def load(self, pk):
                return pk

            async def first(self, pk):
                return self.load(pk)


        async def local(pk):
            return pk


        async def roles(db, pk):
            return CRUDUser().get_roles(db, pk)


        async def later(pk):
            if pk:
                return notify(pk)
            return local(pk)


        async def fine(db, pk):
            if pk:
                return CRUDUser().count(db)
            if db:
                return await CRUDUser().get_roles(db, pk)
            return log(pk)


        def wrapper(db, pk):
            return curd_user.get_roles(db, pk)


        def refresh(pk):
            Repository().load(pk)
        """,
    )
    found = _fg304(tmp_path, "--no-cache")
    assert [(path, row) for path, row, _ in found] == [
        ("app/routes.py", 9),
        ("app/routes.py", 17),
        ("app/routes.py", 22),
        ("app/routes.py", 23),
        ("app/routes.py", 39),
    ]
    assert (
        "`CRUDUser().get_roles()` is an `async def` returned without `await` from an "
        "`async def`: whoever awaits this function gets the coroutine" in found[1][2]
    )
    assert "`return await CRUDUser().get_roles(...)`" in found[1][2]
    run_cli("check", "--select", "FG304", "--fix", "--unsafe-fixes", "--no-cache", str(tmp_path))
    fixed = (tmp_path / "app/routes.py").read_text()
    assert "return await self.load(pk)" in fixed
    assert "return await CRUDUser().get_roles(db, pk)" in fixed
    assert "return await notify(pk)" in fixed
    assert "return curd_user.get_roles(db, pk)" in fixed
    compile(fixed, "routes.py", "exec")


def test_a_coroutine_returning_a_call_of_itself_is_told_so_without_a_fix() -> None:
    """HST-inc's `sign_in_by_token` route returns `sign_in_by_token(token)`, meant for the
    service's `signin_by_token` (reader 176), and aidan138's `create_manager` route binds
    `create_manager(...)`, meant for the crud module's, then returns it: `await` there
    would call the route itself without end. Another route returning it is told to
    await it."""
    source = """
        class Service:
            async def load(self, pk: int):
                return self.load(pk)


        async def sign_in_by_token(token: str):
            return sign_in_by_token(token)


        async def refresh_token(token: str):
            return sign_in_by_token(token)


        async def create_manager(name: str):
            manager = create_manager(name)
            return manager
        """
    found = [(f.start.row, f.message, f.fix) for f in check_code(source) if f.code == "FG304"]
    assert [row for row, _, _ in found] == [3, 7, 11, 15]
    for row, message, fix in [*found[:2], found[3]]:
        assert "is this `async def` itself, called without `await`" in message, row
        assert "call the function meant" in message
        assert fix is None
    assert "`return await sign_in_by_token(...)`" in found[2][1]
    assert found[2][2] is not None
    fixed = fix_code(source, "FG304", unsafe=True)
    assert fixed.count("await sign_in_by_token(token)") == 1


def test_a_modules_blocking_helper_is_reported_once_per_function(tmp_path: Path) -> None:
    """wolfeiq's rate-limit middleware (reader 116): `check_rate_limit(...)`, a sync
    helper of the module that reads a sync Redis, called on two paths of one coroutine,
    was reported at its first call as the module's helper and at the second as a sync
    function of its module that the project index reads: one finding."""
    write(tmp_path, "pyproject.toml", "[project]\nname = 'svc'\n")
    write(
        tmp_path,
        "rate_limit.py",
        """
        import redis

        redis_client = redis.Redis()


        def check_rate_limit(key: str) -> bool:
            return redis_client.get(key) is None


        async def rate_limit_middleware(request, call_next):
            if request.url.path == "/upload":
                if not check_rate_limit("upload"):
                    return None
                return await call_next(request)
            if not check_rate_limit("query"):
                return None
            return await call_next(request)
        """,
    )
    found = [(row, message) for _, row, message in _reported(tmp_path, "--select", "FG302")]
    assert [row for row, _ in found] == [12]
    assert found[0][1].startswith("`check_rate_limit()` calls `get()` on a sync")


def test_a_client_a_boto3_session_makes_at_module_level_is_known_to_importers(
    tmp_path: Path,
) -> None:
    """DmitriiSvarovskii's uploads (reader 116): `session = boto3.session.Session()`, then
    `s3 = session.client(...)` in one module, and `boto3.Session().client("s3")` in
    another; routes of other modules import them and upload on the loop."""
    write(tmp_path, "pyproject.toml", "[project]\nname = 'svc'\n")
    write(tmp_path, "app/__init__.py", "")
    write(
        tmp_path,
        "app/storage.py",
        """
        import boto3

        session = boto3.session.Session()
        s3 = session.client(service_name="s3")
        images = boto3.Session().client("s3")
        """,
    )
    write(
        tmp_path,
        "app/routes.py",
        """
        from app.storage import images, s3


        async def upload(data: bytes) -> None:
            s3.upload_fileobj(data, "bucket", "key")


        async def thumbnail(data: bytes) -> None:
            images.put_object(Body=data, Bucket="bucket", Key="key")
        """,
    )
    found = _reported(tmp_path)
    assert [(code, row) for code, row, _ in found] == [("FG302", 5), ("FG302", 9)]
    assert "a sync `boto3.client` client" in found[0][2]


def test_a_client_a_class_is_given_and_yookassas_requests_block(tmp_path: Path) -> None:
    """Pave138's `MinioService` (reader 116): `__init__(self, client: Minio, ...)` keeps
    `self.client = client`, whose `put_object` its `upload` calls; a service's coroutine
    calls it through `self.minio_service`. And YooKassa's SDK, which sends with
    `requests`: `Payment.create(...)` in a helper of another module, and in the
    coroutine itself; its `Configuration.configure(...)` sends nothing."""
    write(tmp_path, "pyproject.toml", "[project]\nname = 'svc'\n")
    write(tmp_path, "app/__init__.py", "")
    write(
        tmp_path,
        "app/minio_service.py",
        """
        from io import BytesIO

        from minio import Minio


        class MinioService:
            def __init__(self, client: Minio, bucket: str) -> None:
                self.client = client
                self.bucket = bucket

            def upload(self, key: str, data: bytes) -> str:
                self.client.put_object(self.bucket, key, BytesIO(data), len(data))
                return key

            def url(self, key: str) -> str:
                return f"{self.bucket}/{key}"
        """,
    )
    write(
        tmp_path,
        "app/payments.py",
        """
        from yookassa import Configuration, Payment


        def payment_create(amount: str) -> str:
            Configuration.configure("account", "secret")
            return Payment.create({"amount": {"value": amount}}).id
        """,
    )
    write(
        tmp_path,
        "app/services.py",
        """
        import yookassa

        from app.minio_service import MinioService
        from app.payments import payment_create


        class ImageService:
            def __init__(self, minio_service: MinioService) -> None:
                self.minio_service = minio_service

            async def upload(self, key: str, data: bytes) -> str:
                self.minio_service.url(key)
                return self.minio_service.upload(key, data)


        async def pay(amount: str) -> str:
            payment_create(amount)
            return yookassa.Refund.find_one("id").status


        async def route(service: ImageService) -> str:
            await pay("1")
            return await service.upload("key", b"")
        """,
    )
    found = _reported(tmp_path)
    assert [(code, row) for code, row, _ in found] == [
        ("FG302", 13),
        ("FG302", 17),
        ("FG302", 18),
    ]
    assert "calls `put_object()` on a sync `minio.Minio` client" in found[0][2]
    assert "calls `yookassa.Payment.create()`" in found[1][2]
    assert "(YooKassa's SDK has no async client)" in found[2][2]


def test_a_client_a_getter_of_the_module_returns_is_followed(tmp_path: Path) -> None:
    """Alexmontesino96's token check (reader 117): `_get_jwks_client() -> jwt.PyJWKClient`,
    then `_get_jwks_client().get_signing_key_from_jwt(token)` in a sync helper the
    authentication dependency calls; a getter annotated with no client is no receiver."""
    write(tmp_path, "pyproject.toml", "[project]\nname = 'svc'\n")
    write(
        tmp_path,
        "security.py",
        """
        import jwt

        _jwks_client: jwt.PyJWKClient | None = None


        def _get_jwks_client() -> jwt.PyJWKClient:
            global _jwks_client
            if _jwks_client is None:
                _jwks_client = jwt.PyJWKClient("https://example.com/jwks.json")
            return _jwks_client


        def _get_label() -> str:
            return "label"


        def _decode_token(token: str) -> dict[str, str]:
            key = _get_jwks_client().get_signing_key_from_jwt(token)
            return jwt.decode(token, key.key, algorithms=["ES256"])


        def _label(token: str) -> str:
            return _get_label().upper()


        async def get_current_user(token: str) -> dict[str, str]:
            _label(token)
            return _decode_token(token)
        """,
    )
    found = [(row, message) for _, row, message in _reported(tmp_path, "--select", "FG302")]
    assert [row for row, _ in found] == [28]
    assert "calls `get_signing_key_from_jwt()` on a sync `jwt.PyJWKClient` client" in found[0][1]


def test_a_hasher_the_class_body_makes_is_followed_through_self(tmp_path: Path) -> None:
    """himura467's login (reader 117): `_password_hasher = PasswordHasher()` in the use
    case's class body, `self._password_hasher.verify_password(...)` in its coroutine; the
    class's `verify_password` runs passlib's `verify`. A name the body binds twice is
    not known."""
    write(tmp_path, "pyproject.toml", "[project]\nname = 'svc'\n")
    write(tmp_path, "app/__init__.py", "")
    write(
        tmp_path,
        "app/hashing.py",
        """
        from passlib.context import CryptContext

        pwd_context = CryptContext(schemes=["argon2"])


        class PasswordHasher:
            def verify_password(self, plain: str, hashed: str) -> bool:
                return pwd_context.verify(plain, hashed)
        """,
    )
    write(
        tmp_path,
        "app/use_case.py",
        """
        from app.hashing import PasswordHasher


        class AuthUseCase:
            _password_hasher = PasswordHasher()
            _other = PasswordHasher()
            _other = None

            async def login(self, plain: str, hashed: str) -> bool:
                if self._other.verify_password(plain, hashed):
                    return True
                return self._password_hasher.verify_password(plain, hashed)


        async def route(case: AuthUseCase) -> bool:
            return await case.login("a", "b")
        """,
    )
    found = [(row, message) for _, row, message in _reported(tmp_path, "--select", "FG303")]
    assert [row for row, _ in found] == [12]
    assert "`self._password_hasher.verify_password()` is a sync method of" in found[0][1]


def test_a_hasher_a_base_of_another_module_makes_is_followed_through_self(
    tmp_path: Path,
) -> None:
    """ipLance-digital's login (reader 174): `security = Security()` in the body of
    `BaseApi`, of another module; `AuthApi(BaseApi)`'s coroutine calls
    `self.security.verify_password(...)`, which runs passlib's `verify`. A name the base's
    body binds twice is not known."""
    write(tmp_path, "pyproject.toml", "[project]\nname = 'svc'\n")
    write(tmp_path, "app/__init__.py", "")
    write(
        tmp_path,
        "app/security.py",
        """
        from passlib.context import CryptContext


        class Security:
            def __init__(self) -> None:
                self.pwd_context = CryptContext(schemes=["bcrypt"], deprecated="auto")

            def verify_password(self, plain: str, hashed: str) -> bool:
                return self.pwd_context.verify(plain, hashed)
        """,
    )
    write(
        tmp_path,
        "app/base.py",
        """
        from app.security import Security


        class BaseApi:
            security = Security()
            other = Security()
            other = None
        """,
    )
    write(
        tmp_path,
        "app/auth.py",
        """
        from app.base import BaseApi


        class AuthApi(BaseApi):
            async def login(self, plain: str, hashed: str) -> bool:
                if self.other.verify_password(plain, hashed):
                    return True
                return self.security.verify_password(plain, hashed)
        """,
    )
    found = [(row, message) for _, row, message in _reported(tmp_path, "--select", "FG303")]
    assert [row for row, _ in found] == [8]
    assert "is a sync method of `app.security.Security` that checks a password" in found[0][1]


@pytest.mark.parametrize("implementations", [1, 2])
def test_an_interfaces_method_is_followed_to_its_one_implementation(
    tmp_path: Path, implementations: int
) -> None:
    """tiagohinterholz's login use case (reader 117): `self.password_service:
    IPasswordService`, an `ABC` whose one implementation of the project runs
    `bcrypt.checkpw`; with a second implementation, the instance may be either."""
    write(tmp_path, "pyproject.toml", "[project]\nname = 'svc'\n")
    write(tmp_path, "app/__init__.py", "")
    write(
        tmp_path,
        "app/ports.py",
        """
        from abc import ABC, abstractmethod


        class IPasswordService(ABC):
            @abstractmethod
            def verify_password(self, password: str, hashed: str) -> bool:
                pass
        """,
    )
    other = (
        "\n\nclass PlainPasswordService(IPasswordService):\n"
        "    def verify_password(self, password: str, hashed: str) -> bool:\n"
        "        return password == hashed\n"
    )
    write(
        tmp_path,
        "app/security.py",
        """
        import bcrypt

        from app.ports import IPasswordService


        class PasswordService(IPasswordService):
            def verify_password(self, password: str, hashed: str) -> bool:
                return bcrypt.checkpw(password.encode(), hashed.encode())
        """
        + (other if implementations == 2 else ""),
    )
    write(
        tmp_path,
        "app/login.py",
        """
        from app.ports import IPasswordService


        class LoginUseCase:
            def __init__(self, password_service: IPasswordService) -> None:
                self.password_service = password_service

            async def execute(self, password: str, hashed: str) -> bool:
                return self.password_service.verify_password(password, hashed)


        async def login(case: LoginUseCase) -> bool:
            return await case.execute("a", "b")
        """,
    )
    found = [(row, message) for _, row, message in _reported(tmp_path, "--select", "FG303")]
    if implementations == 1:
        assert [row for row, _ in found] == [9]
        assert "(`bcrypt.checkpw()`)" in found[0][1]
    else:
        assert found == []


def test_a_raised_helper_of_a_service_module_is_reported_at_the_helper(tmp_path: Path) -> None:
    """phuoctung28's web funnel (reader 119): `claim_not_found() -> HTTPException` in a
    services module, raised 14 times by two other services: the helper's own
    `HTTPException(...)` is the finding and the fix, not each raise of it; a helper of
    the HTTP layer raised in a service is the service's (named, FG401 shows them all)."""
    write(tmp_path, "pyproject.toml", '[project]\nname = "svc"\n')
    for package in ("app", "app/services", "app/api"):
        write(tmp_path, f"{package}/__init__.py", "")
    write(tmp_path, "app/errors.py", "class NotFoundError(Exception):\n    pass\n")
    write(
        tmp_path,
        "app/api/responses.py",
        "from fastapi import HTTPException\n\n\n"
        "def forbidden() -> HTTPException:\n    return HTTPException(status_code=403)\n",
    )
    write(
        tmp_path,
        "app/services/common.py",
        "from fastapi import HTTPException\n\n\n"
        "def claim_not_found() -> HTTPException:\n"
        '    return HTTPException(status_code=404, detail="Not found")\n',
    )
    write(
        tmp_path,
        "app/services/claims.py",
        """
        from app.api.responses import forbidden
        from app.errors import NotFoundError
        from app.services.common import claim_not_found


        def claim(token: str, uid: str) -> str:
            if not token:
                raise claim_not_found()
            if not uid:
                raise claim_not_found()
            if token == uid:
                raise forbidden()
            if token.startswith("x"):
                raise NotFoundError(token)
            if uid.startswith("x"):
                raise NotFoundError(uid)
            return token
        """,
    )
    # a route calls the service (a service function nothing calls is dead code)
    write(
        tmp_path,
        "app/api/claims.py",
        "from app.services.claims import claim\n\n\ndef read() -> str:\n"
        "    return claim('a', 'b')\n",
    )

    def rows(*options: str) -> list[tuple[str, int]]:
        out = run_cli("check", "--no-cache", "--output-format", "json", *options, str(tmp_path))
        return sorted(
            (Path(f["filename"]).name, f["location"]["row"])
            for f in json.loads(out.stdout)
            if f["code"] == "FG401"
        )

    assert rows() == [("claims.py", 12), ("common.py", 5)]
    assert rows("--extend-select", "FG401") == [
        ("claims.py", 8),
        ("claims.py", 10),
        ("claims.py", 12),
        ("common.py", 5),
    ]


def test_a_method_asked_through_an_imported_alias_names_its_class(tmp_path: Path) -> None:
    """AntonShpakovych's `s3_service: S3ServiceDep` (reader 121), the alias
    `Annotated[S3Service, Depends(...)]` of another module: the message names the class
    whose method blocks, not the alias."""
    write(tmp_path, "pyproject.toml", "[project]\nname = 'svc'\n")
    write(tmp_path, "app/__init__.py", "")
    write(
        tmp_path,
        "app/s3_service.py",
        """
        import boto3


        class S3Service:
            def __init__(self) -> None:
                self.client = boto3.client("s3")

            def download_file(self, key: str) -> bytes:
                return self.client.get_object(Bucket="b", Key=key)["Body"].read()
        """,
    )
    write(
        tmp_path,
        "app/dependencies.py",
        """
        from typing import Annotated

        from fastapi import Depends

        from app.s3_service import S3Service


        def get_s3_service() -> S3Service:
            return S3Service()


        S3ServiceDep = Annotated[S3Service, Depends(get_s3_service)]
        """,
    )
    write(
        tmp_path,
        "app/routes.py",
        """
        from app.dependencies import S3ServiceDep


        async def download(key: str, s3_service: S3ServiceDep) -> bytes:
            return s3_service.download_file(key)
        """,
    )
    found = [(row, message) for _, row, message in _reported(tmp_path, "--select", "FG302")]
    assert [row for row, _ in found] == [5]
    assert "is a sync method of `app.s3_service.S3Service` that calls" in found[0][1]


def test_a_client_an_unannotated_dependency_gives_is_followed(tmp_path: Path) -> None:
    """KiyoshiSama's routes (reader 121): `cache=Depends(get_redis)`, unannotated, whose
    `get_redis` of another module returns `redis.Redis(...)`; one returning an async
    client is none."""
    write(tmp_path, "pyproject.toml", "[project]\nname = 'svc'\n")
    write(tmp_path, "app/__init__.py", "")
    write(
        tmp_path,
        "app/dependencies.py",
        """
        import redis
        import redis.asyncio


        def get_redis():
            return redis.Redis(host="cache")


        def get_async_redis():
            return redis.asyncio.Redis(host="cache")
        """,
    )
    write(
        tmp_path,
        "app/routes.py",
        """
        from fastapi import Depends

        from app.dependencies import get_async_redis, get_redis


        async def verify(email: str, cache=Depends(get_redis)) -> str:
            return cache.get(email)


        async def remember(email: str, cache=Depends(get_async_redis)) -> None:
            await cache.set(email, "1")
        """,
    )
    found = [(row, message) for _, row, message in _reported(tmp_path, "--select", "FG302")]
    assert [row for row, _ in found] == [7]
    assert "is a request of the sync client `get_redis()` returns" in found[0][1]


def test_a_client_a_method_of_another_modules_instance_returns_is_followed(
    tmp_path: Path,
) -> None:
    """Icebeear's cached routes (reader 169): `r = redis.get_redis_client()` at module
    level, where `redis = CacheCleaner()` of another module and the method is annotated
    `-> Redis` (sync), then `r.get(key)` in the coroutines of every GET; a method
    annotated with the async client is none."""
    write(tmp_path, "pyproject.toml", "[project]\nname = 'svc'\n")
    write(tmp_path, "app/__init__.py", "")
    write(
        tmp_path,
        "app/cache.py",
        """
        from redis import Redis
        from redis.asyncio import Redis as AsyncRedis


        class CacheCleaner:
            def __init__(self) -> None:
                self.redis = Redis(host="redis")

            def get_redis_client(self) -> Redis:
                return self.redis

            def get_async_client(self) -> AsyncRedis:
                return AsyncRedis(host="redis")


        redis = CacheCleaner()
        """,
    )
    write(
        tmp_path,
        "app/services.py",
        """
        from app.cache import redis

        r = redis.get_redis_client()
        a = redis.get_async_client()


        async def menu_by_id(menu_id: str) -> str | None:
            return r.get(f"menu_{menu_id}")


        async def menus() -> str | None:
            return await a.get("all_menus")
        """,
    )
    found = [(row, message) for _, row, message in _reported(tmp_path, "--select", "FG302")]
    assert [row for row, _ in found] == [8]
    assert "is a request of the sync client `get_redis_client()` returns" in found[0][1]


def test_a_method_whose_call_result_is_queried_like_a_session_still_blocks_through_its_holds(
    tmp_path: Path,
) -> None:
    """Medico24's refresh route (reader 135): `AuthService.refresh_access_token` reads
    `payload = decode_refresh_token(token)`, then `payload.get("sub")`, which the summary
    took for a session opened there (nothing of the kind: a dict), and hid that
    `self.cache.exists(...)` is a request of a sync Redis client its instance holds."""
    write(tmp_path, "pyproject.toml", "[project]\nname = 'svc'\n")
    write(tmp_path, "app/__init__.py", "")
    write(
        tmp_path,
        "app/cache.py",
        """
        import redis


        class CacheManager:
            def __init__(self, client: redis.Redis):
                self.redis = client

            def exists(self, key: str) -> bool:
                return bool(self.redis.exists(key))
        """,
    )
    write(
        tmp_path,
        "app/tokens.py",
        """
        import jwt


        def decode_refresh_token(token: str) -> dict[str, str] | None:
            return jwt.decode(token, "key", algorithms=["HS256"])
        """,
    )
    write(
        tmp_path,
        "app/auth.py",
        """
        from sqlalchemy.orm import Session

        from app.cache import CacheManager
        from app.tokens import decode_refresh_token


        class AuthService:
            def __init__(self, cache: CacheManager, db: Session):
                self.cache = cache
                self.db = db

            def refresh(self, token: str) -> str:
                payload = decode_refresh_token(token)
                if payload is None or self.cache.exists(f"blacklist:{token}"):
                    raise ValueError("revoked")
                return payload.get("sub") or ""
        """,
    )
    write(
        tmp_path,
        "app/routes.py",
        """
        import redis

        from app.auth import AuthService
        from app.cache import CacheManager


        async def refresh(token: str) -> str:
            service = AuthService(CacheManager(redis.Redis()), None)
            return service.refresh(token)
        """,
    )
    found = [(row, message) for _, row, message in _reported(tmp_path, "--select", "FG302")]
    assert [row for row, _ in found] == [9]
    assert "calls `exists()` on a sync `redis.Redis` client" in found[0][1]


def test_a_static_method_of_a_module_class_called_by_its_name_blocks() -> None:
    """ZUS666's login (reader 123): `HashService.verify_password(...)`, a static method of
    a class of the module, called by the class's name in another class's coroutine."""
    source = """
        import bcrypt


        class HashService:
            @staticmethod
            def verify_password(password: str, hashed: str) -> bool:
                return bcrypt.checkpw(password.encode(), hashed.encode())

            @staticmethod
            def label(password: str) -> str:
                return password.title()


        class UserService:
            async def login(self, password: str, hashed: str) -> bool:
                HashService.label(password)
                return HashService.verify_password(password, hashed)
        """
    found = [f for f in check_code(source, "app/services/users.py") if f.code == "FG303"]
    assert [f.start.row for f in found] == [17]
    assert found[0].message.startswith(
        "`HashService.verify_password()` calls `bcrypt.checkpw()`, which checks a password"
    )


def test_a_sync_http_sessions_requests_block_but_not_its_configuration() -> None:
    """A `requests.Session`, an `httpx.Client` or an `http.client` connection a module
    makes, or an object holds: its request methods send and wait for the answer (one
    finding per function and session: the construction's, where the function makes it);
    what configures it sends nothing (`headers.update`, `mount`, `set_debuglevel`)."""
    source = """
        import http.client

        import httpx
        import requests

        http = requests.Session()
        client = httpx.Client(base_url="https://api.example.com")


        class Gateway:
            def __init__(self) -> None:
                self.conn = http.client.HTTPSConnection("www.ura.gov.sg")

            async def fetch(self) -> bytes:
                self.conn.set_debuglevel(1)
                self.conn.request("GET", "/avail")
                return self.conn.getresponse().read()


        async def prices() -> object:
            http.headers.update({"Accept": "application/json"})
            http.mount("https://", requests.adapters.HTTPAdapter())
            return http.get("https://api.example.com/prices").json()


        async def rates() -> object:
            return client.post("/rates", json={}).json()


        async def made_here() -> object:
            with requests.Session() as session:
                return session.get("https://api.example.com").json()
        """
    found = [f for f in check_code(source) if f.code == "FG302"]
    assert [f.start.row for f in found] == [16, 23, 27, 31]
    assert (
        "`self.conn.request()` on a sync `http.client.HTTPSConnection` client" in found[0].message
    )
    assert "`http.get()` on a sync `requests.Session` client" in found[1].message
    assert "use httpx.AsyncClient" in found[2].message


def test_a_request_through_a_session_an_object_holds_blocks_its_callers(tmp_path: Path) -> None:
    """iloveangpao's carpark server (reader 219): `URA().getAvailFinal()` in an `async
    def` route, whose class keeps `self.conn = http.client.HTTPSConnection(...)` from
    `__init__` and sends through it two methods down (`makeRequest`); a method that only
    configures the session blocks nothing."""
    write(tmp_path, "pyproject.toml", "[project]\nname = 'svc'\n")
    write(tmp_path, "app/__init__.py", "")
    write(
        tmp_path,
        "app/ura.py",
        """
        import http.client
        import json


        class URA:
            def __init__(self):
                self.conn = http.client.HTTPSConnection("www.ura.gov.sg")

            def makeRequest(self, url):
                self.conn.request("GET", url)
                return json.loads(self.conn.getresponse().read())

            def getAvail(self):
                return self.makeRequest("/avail")

            def getAvailFinal(self):
                return self.getAvail()

            def quiet(self):
                self.conn.set_debuglevel(0)
        """,
    )
    write(
        tmp_path,
        "app/main.py",
        """
        from fastapi import FastAPI

        from app.ura import URA

        app = FastAPI()


        @app.get("/avail/")
        async def avail():
            return URA().getAvailFinal()


        @app.get("/quiet/")
        async def quiet():
            return URA().quiet()
        """,
    )
    found = _reported(tmp_path, "--select", "FG302")
    assert [(code, row) for code, row, _ in found] == [("FG302", 10)]
    assert "calls `request()` on a sync `http.client.HTTPSConnection` client" in found[0][2]


def test_a_lazy_getters_client_blocks_its_callers_but_not_its_first_call_set_up(
    tmp_path: Path,
) -> None:
    """NFRohan's PixTools (reader 222): `_get_client()` binds the module's global
    `_s3_client = boto3.client(...)` under `if _s3_client is None:` (and checks the
    bucket there, once per process), then returns it: `_get_client().put_object(...)` is
    a request through that client, named so, and `_get_client().generate_presigned_url(...)`
    is signed locally, no request; the set-up's `head_bucket` is no call of its callers."""
    write(tmp_path, "pyproject.toml", "[project]\nname = 'svc'\n")
    write(tmp_path, "app/__init__.py", "")
    write(
        tmp_path,
        "app/storage.py",
        """
        import boto3

        _s3_client = None


        def _get_client():
            \"\"\"Lazy-init S3 client.\"\"\"
            global _s3_client
            if _s3_client is None:
                _s3_client = boto3.client("s3")
                _s3_client.head_bucket(Bucket="media")
            return _s3_client


        def upload(key: str, data: bytes) -> None:
            _get_client().put_object(Bucket="media", Key=key, Body=data)


        def link(key: str) -> str:
            return _get_client().generate_presigned_url(
                "get_object", Params={"Bucket": "media", "Key": key}
            )
        """,
    )
    write(
        tmp_path,
        "app/routes.py",
        """
        from fastapi import APIRouter

        from app import storage

        router = APIRouter()


        @router.post("/files/{key}")
        async def put(key: str, data: bytes) -> str:
            storage.upload(key, data)
            return storage.link(key)
        """,
    )
    found = _reported(tmp_path, "--select", "FG302")
    assert [(code, row) for code, row, _ in found] == [("FG302", 10)]
    assert "calls `put_object()` on a sync `boto3.client` client" in found[0][2]


def test_a_client_opened_in_a_with_that_binds_nothing_is_not_what_sends(
    tmp_path: Path,
) -> None:
    """Cosmln23's Stripe webhooks (reader 223): a helper of another module opens `with
    httpx.Client(timeout=3.0):`, binding nothing, around `resend.Emails.send(...)`: the
    request is Resend's, which the finding names, not the client's, which sends nothing.
    A client the `with` names sends what the body asks of it."""
    write(tmp_path, "pyproject.toml", "[project]\nname = 'svc'\n")
    write(tmp_path, "app/__init__.py", "")
    write(
        tmp_path,
        "app/mail.py",
        """
        import httpx
        import resend


        def notify(to: str) -> None:
            with httpx.Client(timeout=3.0):
                resend.Emails.send({"to": to, "subject": "Payment failed"})


        def ping(url: str) -> int:
            with httpx.Client(timeout=3.0) as client:
                return client.get(url).status_code
        """,
    )
    write(
        tmp_path,
        "app/routes.py",
        """
        from fastapi import APIRouter

        from app import mail

        router = APIRouter()


        @router.post("/webhook")
        async def webhook(to: str) -> int:
            mail.notify(to)
            return mail.ping("https://status.example.com")
        """,
    )
    found = _reported(tmp_path, "--select", "FG302")
    assert [(code, row) for code, row, _ in found] == [("FG302", 10), ("FG302", 11)]
    assert "calls `resend.Emails.send()`" in found[0][2]
    assert "calls `httpx.Client()`" in found[1][2]


def test_a_client_a_set_up_method_makes_is_known_to_the_methods(tmp_path: Path) -> None:
    """Mohit-555's `RedisService` (reader 136): `self.client = None` in `__init__`, then
    `self.client = redis.Redis(...)` in `connect()` (importing `redis` there), and every
    `async def` calling `self.client.hset(...)`, a request of a sync client. An attribute
    a second method binds to another object is not known; nor one no method makes."""
    write(tmp_path, "pyproject.toml", "[project]\nname = 'svc'\n")
    write(
        tmp_path,
        "app/cache.py",
        """
        class RedisService:
            def __init__(self):
                self.client = None
                self.other = None
                self.idle = None

            def connect(self):
                try:
                    import redis

                    self.client = redis.Redis(host="cache")
                    self.other = redis.Redis(host="cache")
                except ImportError:
                    self.client = None

            def swap(self, other):
                self.other = other

            async def store(self, key: str, data: dict) -> None:
                self.client.hset(key, mapping=data)
                self.other.hset(key, mapping=data)
                self.idle.hset(key, mapping=data)


        service = RedisService()
        """,
    )
    found = _reported(tmp_path, "--select", "FG302")
    assert [(code, row) for code, row, _ in found] == [("FG302", 20)]
    assert "on a sync `redis.Redis` client" in found[0][2]


def test_a_function_the_module_defines_again_as_async_def_is_a_coroutine_function(
    tmp_path: Path,
) -> None:
    """EnissayG's stock service (reader 144): `def reserver_produits(...)`, then `async def
    reserver_produits(...)` below it; once the module is imported the name is the
    coroutine function, and a route calling it without `await` reserves nothing. Defined
    the other way round, or bound again otherwise, it is left."""
    write(tmp_path, "pyproject.toml", "[project]\nname = 'svc'\n")
    write(tmp_path, "app/__init__.py", "")
    service = "def free(x):\n    return x\n\n\nasync def free(x):\n    return x\n"
    write(tmp_path, "app/svc.py", service)
    route = "from app.svc import free\n\n\ndef route():\n    free(1)\n\n\nasync def aroute():\n"
    write(tmp_path, "app/routes.py", route + "    free(1)\n")
    assert [(path, row) for path, row, _ in _fg304(tmp_path, "--no-cache")] == [
        ("app/routes.py", 5),
        ("app/routes.py", 9),
    ]
    write(
        tmp_path, "app/svc.py", "async def free(x):\n    return x\n\n\ndef free(x):\n    return x\n"
    )
    assert _fg304(tmp_path, "--no-cache") == []
    write(tmp_path, "app/svc.py", service + "\n\nfree = staticmethod(free)\n")
    assert _fg304(tmp_path, "--no-cache") == []


def test_fg303_a_shell_mkdir_is_told_to_make_the_folder_in_python() -> None:
    """joboy-dev's upload folders (reader 143): `os.system(f"mkdir uploads/{pk}")` in an
    `async def` needs no process at all: the message says `os.makedirs`, not an asyncio
    subprocess; another command line keeps the subprocess advice."""
    source = """
        import os


        async def upload(pk: int) -> None:
            os.system(f"mkdir uploads/{pk}")
            os.system("mkdir -p uploads")
            os.system(f"convert {pk}.png {pk}.jpg")
        """
    found = [f.message for f in check_code(source) if f.code == "FG303"]
    assert len(found) == 3
    assert all("os.makedirs(path, exist_ok=True)" in message for message in found[:2])
    assert "asyncio.create_subprocess_shell" in found[2]


def test_sendgrids_client_is_a_blocking_client() -> None:
    """Dataforce's mails (reader 188, a miss): a `SendGridAPIClient` held by the class,
    its `send(message)` an HTTPS request by urllib, called from a coroutine."""
    source = """
        from sendgrid import SendGridAPIClient
        from sendgrid.helpers.mail import Mail


        class EmailHandler:
            _client = SendGridAPIClient("SG.key")

            async def send_welcome(self, email: str) -> None:
                message = Mail(from_email="team@example.com", to_emails=email)
                self._client.send(message)
        """
    found = [f for f in check_code(source, "app/services/emails.py") if f.code == "FG302"]
    assert [f.start.row for f in found] == [10]
    assert "on a sync `sendgrid.SendGridAPIClient` client" in found[0].message
    assert "asyncio.to_thread(client.send, message)" in found[0].message


def test_razorpays_client_is_a_blocking_client_but_not_its_signature_checks() -> None:
    """Mendyr's payments (reader 190, a miss): `self._client = razorpay.Client(...)`,
    each resource call (`order.create`, `payment.refund`) a request by `requests`; the
    `utility` signature checks are an HMAC computed locally."""
    source = """
        import razorpay


        class PaymentService:
            def __init__(self, key: str, secret: str) -> None:
                self._client = razorpay.Client(auth=(key, secret))

            async def create_order(self, amount: int) -> dict:
                return self._client.order.create({"amount": amount, "currency": "INR"})

            async def verify(self, order_id: str, payment_id: str, signature: str) -> None:
                self._client.utility.verify_payment_signature(
                    {"razorpay_order_id": order_id, "razorpay_payment_id": payment_id,
                     "razorpay_signature": signature}
                )
        """
    found = [f for f in check_code(source, "app/services/payments.py") if f.code == "FG302"]
    assert [f.start.row for f in found] == [9]
    assert "on a sync `razorpay.Client` client" in found[0].message


def test_twilios_sync_client_is_a_blocking_client() -> None:
    """junctionxalgeria's alerts (reader 173, a miss): `self.twilio_client = Client(sid,
    token)` in `__init__`, then `self.twilio_client.messages.create(...)` in a coroutine:
    an HTTP request to Twilio on the loop. Its `*_async` methods, awaited, are the twins."""
    source = """
        from twilio.rest import Client


        class NotificationService:
            def __init__(self, sid: str, token: str) -> None:
                self.twilio_client = Client(sid, token)

            async def send_sms(self, to: str, body: str) -> str:
                message = self.twilio_client.messages.create(to=to, from_="+1555", body=body)
                return message.sid

            async def send_sms_async(self, to: str, body: str) -> str:
                message = await self.twilio_client.messages.create_async(to=to, body=body)
                return message.sid
        """
    found = [f for f in check_code(source, "app/services/notifications.py") if f.code == "FG302"]
    assert [f.start.row for f in found] == [9]
    assert "on a sync `twilio.rest.Client` client" in found[0].message

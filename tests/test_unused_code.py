"""Findings in code nothing uses (`checks.project_facts.USED_FACT`), python-jose that no
dependency file names, and a frozen requirements file read as a lock: held back in a
project's existing code, counted in the closing line, reported when the selection names
the rule, and reported by the edit hook (new code is not yet used)."""

from __future__ import annotations

import json
from pathlib import Path

from checks.hook import run_claude_hook
from checks.project_facts import written_twice
from tests.helpers import run_cli, write

SCHEMAS = """
    from pydantic import BaseModel


    class UserOut(BaseModel):
        id: int

        class Config:
            orm_mode = True


    class LegacyOut(BaseModel):
        id: int

        class Config:
            orm_mode = True
"""

ROUTES = """
    from fastapi import APIRouter

    from app.schemas import UserOut

    router = APIRouter()


    @router.get("/users/{user_id}", response_model=UserOut)
    async def read_user(user_id: int) -> dict[str, int]:
        return {"id": user_id}
"""

SETTINGS = """
    from pydantic_settings import BaseSettings


    class Settings(BaseSettings):
        FIRST_SUPERUSER_PASSWORD: str = "admin123"
        SMTP_PASSWORD: str = "Xk9#mQ2vL8"


    settings = Settings()
"""

MAILER = """
    from app.config import settings


    def smtp_login() -> str:
        return settings.SMTP_PASSWORD
"""


def _project(root: Path) -> None:
    write(root, "pyproject.toml", '[project]\nname = "svc"\ndependencies = ["pydantic>=2"]\n')
    write(root, "app/__init__.py", "")
    write(root, "app/schemas.py", SCHEMAS)
    write(root, "app/routes.py", ROUTES)
    write(root, "app/config.py", SETTINGS)
    write(root, "app/mail.py", MAILER)


def _rows(root: Path, *options: str) -> list[tuple[str, str, int]]:
    result = run_cli("check", "--no-cache", "--output-format", "json", *options, str(root))
    return sorted(
        (Path(f["filename"]).name, f["code"], f["location"]["row"])
        for f in json.loads(result.stdout)
    )


def test_a_model_and_a_setting_nothing_uses_are_held_back_and_counted(tmp_path: Path) -> None:
    _project(tmp_path)
    found = _rows(tmp_path)
    assert ("schemas.py", "FG206", 8) in found  # `UserOut`: a route's response model
    assert ("schemas.py", "FG206", 15) not in found  # `LegacyOut`: written nowhere else
    assert ("config.py", "FG502", 6) in found  # `SMTP_PASSWORD`: read by the mailer
    assert ("config.py", "FG502", 5) not in found  # `FIRST_SUPERUSER_PASSWORD`: by nothing
    closing = run_cli("check", "--no-cache", str(tmp_path)).stdout
    assert "FG206 (1)" in closing
    assert "FG502 (1)" in closing


def test_naming_the_rule_reports_unused_code(tmp_path: Path) -> None:
    _project(tmp_path)
    found = _rows(tmp_path, "--extend-select", "FG206,FG502")
    assert ("schemas.py", "FG206", 15) in found
    assert ("config.py", "FG502", 5) in found


def test_the_edit_hook_reports_a_model_nothing_uses_yet(tmp_path: Path) -> None:
    _project(tmp_path)
    path = tmp_path / "app/schemas.py"
    payload = {"tool_input": {"file_path": str(path)}, "cwd": str(tmp_path)}
    answer = run_claude_hook(json.dumps(payload).encode(), {})
    reason = json.loads(answer.stdout)["reason"]
    assert "schemas.py:8" in reason
    assert "schemas.py:15" in reason


def test_a_name_is_used_when_written_twice_as_a_whole_word() -> None:
    assert written_twice("UserOut", [b"class UserOut:\n", b"x: UserOut\n"])
    assert written_twice("UserOut", [b"class UserOut:\n    y: 'UserOut'\n"])
    assert not written_twice("UserOut", [b"class UserOut:\n", b"UserOutput\nMyUserOut\n"])
    assert not written_twice("UserOut", [b"", b"class UserOut:\n"])


FROZEN = "\n".join(
    [
        "annotated-types==0.7.0",
        "anyio==4.10.0",
        "fastapi==0.116.1",
        "h11==0.16.0",
        "idna==3.10",
        "passlib==1.7.4",
        "pydantic==2.11.7",
        "pydantic_core==2.33.2",
        "sniffio==1.3.1",
        "starlette==0.47.3",
        "uvicorn==0.35.0",
    ]
)

HASHING = """
    from passlib.context import CryptContext

    pwd_context = CryptContext(schemes=["bcrypt"], deprecated="auto")
"""


def test_passlib_with_a_frozen_requirements_file_without_bcrypt_is_a_note(
    tmp_path: Path,
) -> None:
    """o4codes' `pip freeze` (reader 62): no bcrypt installed, so bcrypt 5 cannot break
    passlib there; a hand-written list without bcrypt says nothing of what is installed.
    danhnxv's freeze (reader 73) names no Starlette, but pre-commit's own dependencies."""
    write(tmp_path, "requirements.txt", FROZEN + "\n")
    write(tmp_path, "app/security.py", HASHING)
    assert [code for _, code, _ in _rows(tmp_path)] == []
    named = run_cli("check", "--no-cache", "--select", "FG504", str(tmp_path)).stdout
    assert "FG504" in named
    write(tmp_path, "requirements.txt", "fastapi==0.116.1\npasslib==1.7.4\n")
    assert [code for _, code, _ in _rows(tmp_path)] == ["FG504"]
    write(tmp_path, "requirements.txt", FROZEN + "\nbcrypt==5.0.0\n")
    assert [code for _, code, _ in _rows(tmp_path)] == ["FG504"]
    tools = ["cfgv==3.4.0", "distlib==0.3.7", "identify==2.5.32", "nodeenv==1.8.0"]
    frozen = [*tools, "pytest==7.4.2", "ruff==0.1.6", "fastapi==0.103.2", "uvicorn==0.23.2"]
    frozen += ["pydantic-settings==2.1.0", "python-jose==3.3.0", "passlib==1.7.4"]
    write(tmp_path, "requirements.txt", "\n".join(frozen) + "\n")
    assert [code for _, code, _ in _rows(tmp_path)] == [], "pre-commit's deps: a freeze"


JOSE = """
    from jose import jwt


    def decode(token: str, key: str) -> dict[str, object]:
        return jwt.decode(token, key, algorithms=["HS256"])
"""


def test_python_jose_no_dependency_file_names_is_held_back_in_existing_code(
    tmp_path: Path,
) -> None:
    """BookStore imports python-jose that its requirements do not list (reader 61): a
    fresh install gets 3.5.0, its advisories fixed. Held back and counted; reported when
    named, and by the edit hook (an assistant's new import: PyJWT instead)."""
    write(tmp_path, "requirements.txt", "fastapi\npydantic\n")
    path = write(tmp_path, "app/tokens.py", JOSE)
    assert _rows(tmp_path) == []
    assert "FG504 (1)" in run_cli("check", "--no-cache", str(tmp_path)).stdout
    assert [code for _, code, _ in _rows(tmp_path, "--extend-select", "FG504")] == ["FG504"]
    payload = {"tool_input": {"file_path": str(path)}, "cwd": str(tmp_path)}
    answer = run_claude_hook(json.dumps(payload).encode(), {})
    assert "FG504" in json.loads(answer.stdout)["reason"]
    write(tmp_path, "requirements.txt", "fastapi\npydantic\npython-jose==3.3.0\n")
    write(tmp_path, "app/keys.py", 'ALGORITHM = "RS256"\n')
    assert [code for _, code, _ in _rows(tmp_path)] == ["FG504"]


SKIPPED = """
    import pytest
    from httpx import AsyncClient

    from app.main import app

    {skip}


    async def test_teams() -> None:
        async with AsyncClient(app=app, base_url="http://test") as client:
            await client.get("/teams")
"""


def test_a_test_module_pytest_skips_whole_is_held_back(tmp_path: Path) -> None:
    """johanguse's `tests/test_team.py` (reader 64): `pytestmark = pytest.mark.skip(...)`,
    a deprecated duplicate nothing runs. Held back, counted, reported when named; a
    conditional skip (`skipif`) runs somewhere, and stands."""
    write(tmp_path, "app/main.py", "from fastapi import FastAPI\n\napp = FastAPI()\n")
    for skip, held in (
        ('pytestmark = pytest.mark.skip(reason="replaced by test_orgs.py")', True),
        ("pytestmark = [pytest.mark.asyncio, pytest.mark.skip]", True),
        ('pytest.skip("moved", allow_module_level=True)', True),
        ('pytestmark = pytest.mark.skipif(True, reason="slow")', False),
    ):
        write(tmp_path, "tests/test_team.py", SKIPPED.format(skip=skip))
        found = [code for _, code, _ in _rows(tmp_path)]
        assert found == ([] if held else ["FG408"]), skip
        named = [code for _, code, _ in _rows(tmp_path, "--extend-select", "FG408")]
        assert named == ["FG408"]


CRUD = """
    from sqlalchemy.orm import Session


    class CrudManager:
        def __init__(self, db: Session) -> None:
            self.db = db

        async def count(self, model: type) -> int:
            return self.db.query(model).count()


    @register
    class Registered:
        def __init__(self, db: Session) -> None:
            self.db = db

        async def count(self, model: type) -> int:
            return self.db.query(model).count()


    class TestCrud:
        async def test_count(self, db: Session) -> None:
            assert db.query(User).count() == 0


    class Used:
        def __init__(self, db: Session) -> None:
            self.db = db

        async def count(self, model: type) -> int:
            return self.db.query(model).count()


    used = Used
"""


def test_a_finding_in_a_class_nothing_names_is_held_back(tmp_path: Path) -> None:
    """sergey-vernyk's sync `CrudManager` (reader 82, 10 of 12 findings judged not worth
    acting on), twin of the `CrudManagerAsync` every caller uses: a module-level class
    whose name is written nowhere else is dead code, whatever the rule. A decorated class
    (a decorator may register it) and a test class (pytest collects it) stand; reported
    when the selection names the rule, and by the edit hook."""
    write(tmp_path, "app/__init__.py", "")
    path = write(tmp_path, "app/crud.py", CRUD)
    found = _rows(tmp_path)
    assert ("crud.py", "FG102", 9) not in found  # `CrudManager`: nothing names it
    assert ("crud.py", "FG102", 18) in found  # `@register`
    assert ("crud.py", "FG102", 23) in found  # `TestCrud`
    assert ("crud.py", "FG102", 31) in found  # `Used`: named below
    assert "FG102 (1)" in run_cli("check", "--no-cache", str(tmp_path)).stdout
    assert ("crud.py", "FG102", 9) in _rows(tmp_path, "--extend-select", "FG102")
    payload = {"tool_input": {"file_path": str(path)}, "cwd": str(tmp_path)}
    answer = run_claude_hook(json.dumps(payload).encode(), {})
    assert "crud.py:9" in json.loads(answer.stdout)["reason"]


def test_a_module_setting_read_from_its_variable_that_nothing_reads_is_held(
    tmp_path: Path,
) -> None:
    """TungYuChiang's `JWT_SECRET = os.getenv("JWT_SECRET", "your-secret-key")` (reader
    94): the variable's quoted name is no read of the constant, which nothing reads (its
    tokens are signed with another key); read elsewhere (`settings.API_SECRET`, or a
    `getattr` naming it), the fallback runs."""
    write(tmp_path, "app/__init__.py", "")
    write(
        tmp_path,
        "app/settings.py",
        """
        import os

        JWT_SECRET = os.getenv("JWT_SECRET", "your-secret-key")
        API_SECRET = os.environ.get("API_SECRET", "your-api-secret")
        SIGNING_SECRET = os.getenv("SIGNING_SECRET", "your-signing-secret")
        """,
    )
    write(
        tmp_path,
        "app/tokens.py",
        "from app import settings\n\nKEY = settings.API_SECRET\n"
        'OTHER = getattr(settings, "SIGNING_SECRET")\n',
    )
    found = [row for name, code, row in _rows(tmp_path) if code == "FG502"]
    assert found == [4, 5]
    named = [row for _, code, row in _rows(tmp_path, "--extend-select", "FG502") if code == "FG502"]
    assert named == [3, 4, 5]


def test_a_generated_key_in_a_setting_nothing_reads_stands(tmp_path: Path) -> None:
    """nvson2201's `GOOGLE_CLIENT_SECRET = "GOCSPX-..."` (reader 82), read by nothing:
    the repository leaks the key whether or not the service reads it; a typed password
    nothing reads (`"admin123"`) stays dead code."""
    settings = SETTINGS.replace(
        'SMTP_PASSWORD: str = "Xk9#mQ2vL8"',
        'SMTP_PASSWORD: str = "Xk9#mQ2vL8"\n        GOOGLE_CLIENT_SECRET = '
        '"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"',
    )
    _project(tmp_path)
    write(tmp_path, "app/config.py", settings)
    found = _rows(tmp_path)
    assert ("config.py", "FG502", 7) in found
    assert ("config.py", "FG502", 5) not in found
    closing = run_cli("check", "--no-cache", str(tmp_path)).stdout
    assert "anyone who reads the repository has it" in closing


def test_a_generated_signing_key_of_the_service_nothing_reads_is_held(tmp_path: Path) -> None:
    """RVG1995's `JWT_SECRET_KEY = "zAP5LmC8N7e3Yq9x2Rv4TsX1Wp7Bj5Ke"` (reader 117), in
    services that verify RS256 tokens and read it nowhere: the service's own key signs
    nothing, no provider revokes it; dead code, as a typed one is. Read, it is the key
    the service runs with."""
    settings = SETTINGS.replace(
        'SMTP_PASSWORD: str = "Xk9#mQ2vL8"',
        'SMTP_PASSWORD: str = "Xk9#mQ2vL8"\n        JWT_SECRET_KEY: str = '
        '"zAP5LmC8N7e3Yq9x2Rv4TsX1Wp7Bj5Ke"',
    )
    _project(tmp_path)
    write(tmp_path, "app/config.py", settings)
    assert ("config.py", "FG502", 7) not in _rows(tmp_path)
    assert ("config.py", "FG502", 7) in _rows(tmp_path, "--extend-select", "FG502")
    write(
        tmp_path,
        "app/tokens.py",
        "import jwt\n\nfrom app.config import settings\n\n\n"
        "def sign(data: dict[str, str]) -> str:\n"
        '    return jwt.encode(data, settings.JWT_SECRET_KEY, algorithm="HS256")\n',
    )
    found = run_cli("check", "--no-cache", "--output-format", "json", str(tmp_path)).stdout
    messages = [f["message"] for f in json.loads(found) if f["location"]["row"] == 7]
    assert len(messages) == 1
    assert "the service runs with it unless the environment sets it" in messages[0]


PLUGIN = """
    import boto3


    class S3Storage:
        def __init__(self) -> None:
            self.s3_client = boto3.client("s3")

        async def upload(self, data: bytes, key: str) -> None:
            self.s3_client.put_object(Body=data, Bucket="files", Key=key)
"""


#: A module that makes the storage and calls its method (the method's name is written).
FILES = (
    "from app.storage import S3Storage\n\nSTORE = S3Storage()\n\n\n"
    "async def save(data: bytes) -> None:\n    await STORE.upload(data, 'k')\n"
)


def test_a_class_an_entry_point_or_another_module_names_is_live(tmp_path: Path) -> None:
    """dispatch's plugins are named only by entry points in `pyproject.toml`
    (`dispatch_basic_auth = "...plugin:BasicAuthProviderPlugin"`); sajanv88's
    `S3Storage` by the module that makes it, where the call is reported both outright
    and on condition of what the index reads: the outright report stands."""
    write(tmp_path, "app/__init__.py", "")
    write(tmp_path, "app/storage.py", PLUGIN)
    assert _rows(tmp_path) == []
    write(
        tmp_path,
        "pyproject.toml",
        '[project]\nname = "svc"\n\n[project.entry-points."svc.plugins"]\n'
        's3 = "app.storage:S3Storage"\n',
    )
    assert [code for _, code, _ in _rows(tmp_path)] == ["FG302"]
    write(tmp_path, "pyproject.toml", '[project]\nname = "svc"\n')
    write(tmp_path, "app/files.py", FILES)
    assert [code for _, code, _ in _rows(tmp_path)] == ["FG302"]


def test_a_class_only_tests_name_is_dead_code(tmp_path: Path) -> None:
    """MarchenkoRuslan's `SurveyService` (reader 93): only its test makes one; no code of
    the service does, so its sync query blocks no request."""
    write(tmp_path, "app/__init__.py", "")
    write(tmp_path, "app/storage.py", PLUGIN)
    write(
        tmp_path,
        "tests/test_storage.py",
        "from app.storage import S3Storage\n\n\ndef test_upload() -> None:\n"
        "    assert S3Storage()\n",
    )
    assert _rows(tmp_path) == []
    assert [code for _, code, _ in _rows(tmp_path, "--extend-select", "FG302")] == ["FG302"]
    write(tmp_path, "app/files.py", FILES)
    assert [code for _, code, _ in _rows(tmp_path)] == ["FG302"]


SECURITY = """
    from passlib.context import CryptContext

    pwd_context = CryptContext(schemes=["bcrypt"])


    def verify_password(plain: str, hashed: str) -> bool:
        return pwd_context.verify(plain, hashed)
"""

CRUD_USER = """
    from app.security import verify_password


    class CrudUser:
        async def authenticate(self, plain: str, hashed: str) -> bool:
            return verify_password(plain, hashed)


    crud_user = CrudUser()
"""


def test_a_helper_called_in_a_named_class_is_told_by_the_call_it_makes(tmp_path: Path) -> None:
    """JohnDoe1996's `CURDUser.authenticate` (svc63a): the finding held on its class
    being named still names what the helper does (`checks a password`), not what any
    helper may do."""
    write(tmp_path, "requirements.txt", "fastapi\npasslib\nbcrypt==4.0.1\n")
    write(tmp_path, "app/__init__.py", "")
    write(tmp_path, "app/security.py", SECURITY)
    write(tmp_path, "app/crud.py", CRUD_USER)
    write(
        tmp_path,
        "app/routes.py",
        "from app.crud import crud_user\n\n\n"
        "async def login(plain: str, hashed: str) -> bool:\n"
        "    return await crud_user.authenticate(plain, hashed)\n",
    )
    result = run_cli("check", "--no-cache", "--output-format", "json", str(tmp_path))
    messages = [f["message"] for f in json.loads(result.stdout) if f["code"] == "FG303"]
    assert len(messages) == 1
    assert "checks a password (`passlib.context.CryptContext.verify()`)" in messages[0]


ROUTES_TWICE = """
    from fastapi import APIRouter, Depends
    from sqlalchemy import text
    from sqlalchemy.orm import Session

    router = APIRouter()


    @router.get("/users")
    def get_users(db: Session = Depends(get_db)) -> list[User]:
        return db.query(User).all()


    async def get_users(db: Session = Depends(get_db)) -> list[User]:
        return db.query(User).all()


    async def count_users(db: Session) -> int:
        return db.query(User).count()


    def find(db: Session, email: str) -> object:
        return db.execute(text(f"SELECT * FROM users WHERE email = '{email}'"))
"""


def test_a_coroutine_nothing_names_is_held_back_a_sync_function_is_not(tmp_path: Path) -> None:
    """sepehremami's `async def get_users` (reader 84): defined again, undecorated, below
    the route of that name whose decorator registered the first; nothing calls it. Its
    finding is held back as dead code (a definition is no use). A coroutine defined once
    stands, named or not (a file checked alone, a module of examples), and so does a sync
    function (a factory or handler may be named outside the code: `uvicorn --factory
    app.main:create_app`)."""
    write(tmp_path, "app/__init__.py", "")
    write(tmp_path, "app/users.py", ROUTES_TWICE)
    rows = [(code, row) for _, code, row in _rows(tmp_path, "--select", "FG102")]
    assert rows == [("FG102", 14), ("FG102", 18)]
    assert [(c, r) for _, c, r in _rows(tmp_path)] == [("FG102", 18), ("FG105", 22)]
    write(tmp_path, "app/stats.py", "from app.users import get_users\n")
    assert [(c, r) for _, c, r in _rows(tmp_path)] == [
        ("FG102", 14),
        ("FG102", 18),
        ("FG105", 22),
    ]


CONFTEST = """
    import pytest
    import pytest_asyncio
    from httpx import AsyncClient

    from app.main import app


    @pytest.fixture
    async def client():
        async with AsyncClient(app=app, base_url="http://test") as made:
            yield made


    @pytest.fixture(scope="function")
    async def auth_client():
        async with AsyncClient(app=app, base_url="http://test") as made:
            yield made


    @pytest_asyncio.fixture(name="admin")
    async def admin_client():
        async with AsyncClient(app=app, base_url="http://test") as made:
            yield made


    @pytest.fixture(autouse=True)
    async def warm():
        async with AsyncClient(app=app, base_url="http://test") as made:
            yield made
"""


def test_a_fixture_no_test_takes_is_dead_code(tmp_path: Path) -> None:
    """ButakovIlya's `auth_http_client` (reader 98): its removed `AsyncClient(app=...)`
    breaks no test, for no test takes it. A fixture a test takes, by its name or the
    `name=` it is given, and one pytest uses unasked (`autouse=True`) are live."""
    write(tmp_path, "pyproject.toml", '[project]\nname = "x"\ndependencies = ["httpx==0.28.1"]\n')
    write(tmp_path, "app/__init__.py", "")
    write(tmp_path, "app/main.py", "from fastapi import FastAPI\n\napp = FastAPI()\n")
    write(tmp_path, "tests/conftest.py", CONFTEST)
    write(
        tmp_path,
        "tests/test_api.py",
        "async def test_read(client, admin) -> None:\n    assert client and admin\n",
    )
    assert [(code, row) for _, code, row in _rows(tmp_path)] == [
        ("FG408", 10),
        ("FG408", 22),
        ("FG408", 28),
    ]
    named = _rows(tmp_path, "--extend-select", "FG408")
    assert [row for _, _, row in named] == [10, 16, 22, 28]


def test_a_fixture_taken_only_where_a_module_overrides_it_or_as_a_word_is_dead_code(
    tmp_path: Path,
) -> None:
    """11joao44's conftest `client` (reader 109): `test_users.py` defines a `client`
    fixture of its own, which its tests take, and the other tests write `client` only in
    strings of data. A module overriding it with one that takes it (`def client(client)`),
    `usefixtures("client")` and a fixture of the conftest taking it keep it live."""
    write(tmp_path, "pyproject.toml", '[project]\nname = "x"\ndependencies = ["httpx==0.28.1"]\n')
    write(tmp_path, "app/__init__.py", "")
    write(tmp_path, "app/main.py", "from fastapi import FastAPI\n\napp = FastAPI()\n")
    conftest = (
        "import pytest\nfrom httpx import AsyncClient\n\nfrom app.main import app\n\n\n"
        "@pytest.fixture\nasync def client():\n"
        '    async with AsyncClient(app=app, base_url="http://test") as made:\n'
        "        yield made\n"
    )
    write(tmp_path, "tests/conftest.py", conftest)
    own = (
        "import pytest\n\n\n@pytest.fixture\nasync def client():\n    yield object()\n\n\n"
        "async def test_users(client) -> None:\n    assert client\n"
    )
    write(tmp_path, "tests/test_users.py", own)
    words = 'def test_orders() -> None:\n    assert f"no client: {1}" != make("client")\n'
    write(tmp_path, "tests/test_orders.py", words)
    assert _rows(tmp_path) == []
    assert [code for _, code, _ in _rows(tmp_path, "--extend-select", "FG408")] == ["FG408"]
    for live in (
        ("tests/test_users.py", own.replace("async def client():", "async def client(client):")),
        ("tests/test_orders.py", '@pytest.mark.usefixtures("client")\n' + words),
        (
            "tests/conftest.py",
            conftest + "\n\n@pytest.fixture\ndef admin(client):\n    yield client\n",
        ),
    ):
        write(tmp_path, "tests/test_users.py", own)
        write(tmp_path, "tests/test_orders.py", "import pytest\n\n\n" + words)
        write(tmp_path, "tests/conftest.py", conftest)
        write(tmp_path, *live)
        assert [code for _, code, _ in _rows(tmp_path)] == ["FG408"], live[0]


STALE_TEST = """
    import pytest
    from httpx import AsyncClient


    @pytest.mark.asyncio
    async def test_reads() -> None:
        from services.{module}.main import app

        async with AsyncClient(app=app, base_url="http://test") as client:
            assert (await client.get("/")).status_code == 200
"""


def test_a_test_importing_a_module_its_project_no_longer_has_is_dead_code(
    tmp_path: Path,
) -> None:
    """DeepStacker's tests of `services.historical` (reader 101), a service it removed: the
    test fails at its import before its removed `AsyncClient(app=...)` runs. A module the
    project has, one of a package it does not hold (installed), and one a folder may
    build (a Rust extension) keep the finding."""
    write(tmp_path, "pyproject.toml", '[project]\nname = "x"\ndependencies = ["httpx==0.28.1"]\n')
    write(tmp_path, "services/__init__.py", "")
    write(tmp_path, "services/live/__init__.py", "")
    write(tmp_path, "services/live/main.py", "from fastapi import FastAPI\n\napp = FastAPI()\n")
    write(tmp_path, "tests/test_gone.py", STALE_TEST.replace("{module}", "historical"))
    assert _rows(tmp_path) == []
    assert [code for _, code, _ in _rows(tmp_path, "--extend-select", "FG408")] == ["FG408"]
    write(tmp_path, "tests/test_gone.py", STALE_TEST.replace("{module}", "live"))
    assert [code for _, code, _ in _rows(tmp_path)] == ["FG408"]
    elsewhere = STALE_TEST.replace("services.{module}.main", "vendor_app.main")
    write(tmp_path, "tests/test_gone.py", elsewhere)
    assert [code for _, code, _ in _rows(tmp_path)] == ["FG408"]
    write(tmp_path, "tests/test_gone.py", STALE_TEST.replace("{module}", "historical"))
    write(tmp_path, "services/Cargo.toml", "[package]\nname = 'historical'\n")
    assert [code for _, code, _ in _rows(tmp_path)] == ["FG408"]


def test_a_setting_read_only_as_another_variable_of_its_name_is_unused(tmp_path: Path) -> None:
    """darlingtonmuzari's `SECRET_KEY` setting (reader 101): its tokens are signed with
    `JWT_SECRET_KEY`; scripts sign with `SECRET_KEY` variables of their own, which read
    nothing of the settings. Read as an attribute, a string or a keyword, it is used."""
    _project(tmp_path)
    script = 'import jwt\n\nFIRST_SUPERUSER_PASSWORD = "x"\nprint(FIRST_SUPERUSER_PASSWORD)\n'
    write(tmp_path, "make_token.py", script)
    assert ("config.py", "FG502", 5) not in _rows(tmp_path)
    for read in (
        "settings.FIRST_SUPERUSER_PASSWORD",
        'getattr(settings, "FIRST_SUPERUSER_PASSWORD")',
        "Settings(FIRST_SUPERUSER_PASSWORD=None)",
    ):
        admin = f"from app.config import Settings, settings\n\nX = {read}\n"
        write(tmp_path, "app/admin.py", admin)
        assert ("config.py", "FG502", 5) in _rows(tmp_path), read


def test_a_setting_named_only_by_its_own_variable_is_unused(tmp_path: Path) -> None:
    """kznetwork's `SECRET_KEY: str = Field(default=..., env="SECRET_KEY")` (reader 144)
    and edu-app's gateway `SECRET_KEY: str = os.getenv("SECRET_KEY", "...")` (reader
    143): the string names the variable the field is read from, in the field's own
    declaration, and nothing reads the field; another module reading that variable of
    the environment reads nothing of the settings either."""
    _project(tmp_path)
    for declared in (
        'Field(default="admin123", env="FIRST_SUPERUSER_PASSWORD")',
        'Field("admin123", validation_alias="FIRST_SUPERUSER_PASSWORD")',
        'os.getenv("FIRST_SUPERUSER_PASSWORD", "admin123")',
        'os.environ.get("FIRST_SUPERUSER_PASSWORD", "admin123")',
    ):
        settings = SETTINGS.replace('"admin123"', declared).replace(
            "from pydantic_settings",
            "import os\n\n    from pydantic import Field\n    from pydantic_settings",
        )
        write(tmp_path, "app/config.py", settings)
        write(tmp_path, "app/env.py", 'import os\n\nX = os.environ["FIRST_SUPERUSER_PASSWORD"]\n')
        found = _rows(tmp_path)
        assert ("config.py", "FG502", 8) not in found, declared
        assert ("config.py", "FG502", 9) in found, declared  # `SMTP_PASSWORD`: the mailer's
        write(
            tmp_path,
            "app/admin.py",
            "from app.config import settings\n\nX = settings.FIRST_SUPERUSER_PASSWORD\n",
        )
        assert ("config.py", "FG502", 8) in _rows(tmp_path), declared
        (tmp_path / "app/admin.py").unlink()


SERVICES = """
    import time

    from starlette.middleware.base import BaseHTTPMiddleware


    class LoanService:
        async def user_loans(self, user_id: int) -> list[int]:
            time.sleep(1)
            return [user_id]

        async def user_loans_old(self, user_id: int) -> list[int]:
            time.sleep(1)
            return [user_id]

        async def __call__(self) -> None:
            time.sleep(1)

        @staticmethod
        async def nearest() -> None:
            time.sleep(1)


    class Timing(BaseHTTPMiddleware):
        async def dispatch(self, request, call_next):
            time.sleep(1)
            return await call_next(request)
"""


def test_a_method_of_a_plain_class_nothing_names_is_dead_code(tmp_path: Path) -> None:
    """arafatDU's `get_user_loans` beside the `get_user_loans_with_details` its route
    calls, darlingtonmuzari's `find_nearest_service_providers` (readers 101 and 109): a
    finding in a method of a class without a base, whose name is written nowhere else, is
    held back (reported when named). Not a dunder (Python calls it), nor a method of a
    class with a base (Starlette calls `dispatch`); a staticmethod's name is read so."""
    write(tmp_path, "pyproject.toml", '[project]\nname = "svc"\n')
    write(tmp_path, "app/__init__.py", "")
    write(tmp_path, "app/services.py", SERVICES)
    write(
        tmp_path,
        "app/routes.py",
        "from app.services import LoanService, Timing\n\n\n"
        "async def loans(user_id: int) -> list[int]:\n"
        "    return await LoanService().user_loans(user_id)\n",
    )
    rows = [row for _, code, row in _rows(tmp_path) if code == "FG301"]
    assert rows == [8, 16, 25]
    write(tmp_path, "app/jobs.py", "from app.services import LoanService\n\nLoanService.nearest\n")
    assert [row for _, code, row in _rows(tmp_path) if code == "FG301"] == [8, 16, 20, 25]
    named = _rows(tmp_path, "--extend-select", "FG301")
    assert [row for _, code, row in named if code == "FG301"] == [8, 12, 16, 20, 25]
    # a class an entry point names is a plugin: its host calls its methods by a protocol
    write(
        tmp_path,
        "pyproject.toml",
        '[project]\nname = "svc"\n\n[project.entry-points."svc.loans"]\n'
        'loans = "app.services:LoanService"\n',
    )
    assert [row for _, code, row in _rows(tmp_path) if code == "FG301"] == [8, 12, 16, 20, 25]


def test_a_method_named_only_on_another_class_is_dead_code(tmp_path: Path) -> None:
    """reanderson89's `CommonRoutes.get_all` (reader 195), beside the `BaseActions.get_all`
    every action calls: a method whose name is written only as an attribute of other
    classes of the project (or `cls.` in one that defines it) is held back. Where the
    receiver may be the class (a subclass, an instance, a mixin's `self`), it is named."""
    write(tmp_path, "pyproject.toml", '[project]\nname = "svc"\n')
    write(tmp_path, "app/__init__.py", "")
    write(
        tmp_path,
        "app/common.py",
        "import time\n\n\nclass Routes:\n    async def get_all(model):\n"
        "        time.sleep(1)\n        return model\n",
    )
    actions = (
        "from app.common import Routes\n\n\nclass Actions:\n"
        "    async def get_all(model):\n        return model\n\n"
        "    @classmethod\n    async def first(cls, model):\n"
        "        return await cls.get_all(model)\n\n\n"
        "async def run():\n    print(Routes)\n    return await Actions.get_all(1)\n"
    )
    write(tmp_path, "app/actions.py", actions)
    assert _rows(tmp_path) == []
    assert _rows(tmp_path, "--extend-select", "FG301") == [("common.py", "FG301", 6)]
    for reaches in (
        "class Mine(Routes):\n    pass\n\n\nasync def mine():\n    await Mine.get_all(1)\n",
        "async def mine():\n    await Routes().get_all()\n",
        "async def mine(routes):\n    await routes.get_all()\n",
        "class Mixin:\n    async def mine(self):\n        await self.get_all()\n",
        'async def mine():\n    await getattr(Routes, "get_all")()\n',
    ):
        write(tmp_path, "app/actions.py", actions + "\n\n" + reaches)
        assert _rows(tmp_path) == [("common.py", "FG301", 6)], reaches


PASSLIB_HELPERS = """\
from passlib.context import CryptContext

pwd_context = CryptContext(schemes=["bcrypt"], deprecated="auto")


def hash_password(password: str) -> str:
    return pwd_context.hash(password)


def verify_password(password: str, hashed: str) -> bool:
    return pwd_context.verify(password, hashed)
"""


def test_passlib_helpers_nothing_calls_are_held(tmp_path: Path) -> None:
    """rishabhh1809's and kapelukh's `hash_password` and `verify_password` (readers 194
    and 199), which nothing calls: passlib fails with bcrypt 5 only where something
    hashes; held back, reported when FG504 is named. Used where a function or class that
    hashes is named elsewhere, a variable of it is imported, or the module hashes at
    import; the one finding per service then moves to the module that hashes."""
    write(tmp_path, "pyproject.toml", '[project]\nname = "svc"\n')
    write(tmp_path, "app/__init__.py", "")
    write(tmp_path, "app/auth.py", PASSLIB_HELPERS)
    write(tmp_path, "app/main.py", "from fastapi import FastAPI\n\napp = FastAPI()\n")
    assert _rows(tmp_path) == []
    assert _rows(tmp_path, "--extend-select", "FG504") == [("auth.py", "FG504", 1)]
    for uses in (
        "from app.auth import hash_password\n\nhash_password\n",
        "from app.auth import pwd_context\n\npwd_context\n",
    ):
        write(tmp_path, "app/users.py", uses)
        assert _rows(tmp_path) == [("auth.py", "FG504", 1)], uses
    (tmp_path / "app/users.py").unlink()
    write(
        tmp_path, "app/auth.py", PASSLIB_HELPERS + '\nADMIN = pwd_context.hash("x")\nprint(ADMIN)\n'
    )
    assert _rows(tmp_path) == [("auth.py", "FG504", 1)]
    # a route hashing with it: its decorator registers it, whatever names it
    route = "\n\n@router.post('/users')\nasync def create(password: str) -> str:\n"
    route += "    return pwd_context.hash(password)\n"
    head = "from fastapi import APIRouter\n" + PASSLIB_HELPERS + "\nrouter = APIRouter()\n"
    write(tmp_path, "app/auth.py", head + route)
    assert ("auth.py", "FG504", 2) in _rows(tmp_path)
    # the dead module sorts first; the module that hashes keeps the service's finding
    write(tmp_path, "app/auth.py", PASSLIB_HELPERS)
    users = PASSLIB_HELPERS.replace("hash_password", "make_hash").replace("pwd_", "") + (
        "\n\ndef register(password: str) -> str:\n    return make_hash(password)\n"
    )
    write(tmp_path, "app/users.py", users)
    write(tmp_path, "app/main.py", "from app.users import register\n\nregister\n")
    assert _rows(tmp_path) == [("users.py", "FG504", 1)]


def test_a_function_the_module_defines_again_below_is_dead_code(tmp_path: Path) -> None:
    """ChanduKayen's `quotation_handler.py` (reader 200) defines
    `send_vendor_order_confirmation` three times: every call reaches the last, and the
    blocking calls of the first two run nowhere; held back, reported when named. Not
    where a statement between reads the first (a decorator, a table of handlers), nor
    the last definition."""
    write(tmp_path, "pyproject.toml", '[project]\nname = "svc"\n')
    write(tmp_path, "app/__init__.py", "")
    first = "async def notify(user: str) -> None:\n    time.sleep(1)\n\n\n"
    last = "async def notify(user: str) -> None:\n    time.sleep(2)\n"
    write(tmp_path, "app/notify.py", "import time\n\n\n" + first + last)
    write(tmp_path, "app/main.py", "from app.notify import notify\n\nnotify\n")
    assert [row for _, code, row in _rows(tmp_path) if code == "FG301"] == [9]
    named = _rows(tmp_path, "--extend-select", "FG301")
    assert [row for _, code, row in named if code == "FG301"] == [5, 9]
    handlers = "HANDLERS = {'notify': notify}\n\n\n"
    write(tmp_path, "app/notify.py", "import time\n\n\n" + first + handlers + last)
    assert [row for _, code, row in _rows(tmp_path) if code == "FG301"] == [5, 12]


def test_a_service_function_only_tests_call_or_an_import_binds_is_dead_code(
    tmp_path: Path,
) -> None:
    """KamilGrundas' `services/pictures.apply_effect` and `repository/tags.
    get_picture_tags`, which only its tests call, and `check_if_comment_exists`, which a
    route imports and never calls (reader 206): a module-level function of the service or
    repository layer runs only where something calls it by its name; held back, reported
    when named. Reported once the service's code calls it (through its package too), or
    imports it under another name; a function of another layer is not held so."""
    write(tmp_path, "pyproject.toml", '[project]\nname = "svc"\n')
    write(tmp_path, "app/__init__.py", "")
    write(tmp_path, "app/services/__init__.py", "")
    effects = "import time\n\n\nasync def apply_effect(name: str) -> None:\n"
    effects += "    time.sleep(1)\n\n\nasync def apply_effects(name: str) -> None:\n"
    effects += "    time.sleep(2)\n"
    write(tmp_path, "app/services/pictures.py", effects)
    write(tmp_path, "app/helpers.py", effects)
    route = "from app.services.pictures import (\n    apply_effect,\n    apply_effects,\n)\n\n\n"
    route += "async def upload(name: str) -> None:\n    await apply_effects(name)\n"
    write(tmp_path, "app/routes.py", route)
    test = "from app.services.pictures import apply_effect\n\n\n"
    test += "async def test_effect() -> None:\n    await apply_effect('a')\n"
    write(tmp_path, "tests/test_pictures.py", test)

    def fg301(*options: str) -> list[tuple[str, int]]:
        return [(name, row) for name, code, row in _rows(tmp_path, *options) if code == "FG301"]

    assert fg301() == [("helpers.py", 5), ("helpers.py", 9), ("pictures.py", 9)]
    assert ("pictures.py", 5) in fg301("--extend-select", "FG301")
    called = route + "\n\nasync def again(name: str) -> None:\n    await apply_effect(name)\n"
    write(tmp_path, "app/routes.py", called)
    assert ("pictures.py", 5) in fg301()
    write(tmp_path, "app/routes.py", route.replace("apply_effect,\n", "apply_effect as one,\n"))
    assert ("pictures.py", 5) in fg301()
    # an Alembic revision kept in a data layer's folder: Alembic calls `upgrade()` by its
    # name (PsiMar's `database/versions/`, reader 211)
    revision = 'import sqlalchemy as sa\nfrom alembic import op\n\nrevision = "b"\n'
    revision += 'down_revision = "a"\n\n\ndef upgrade() -> None:\n'
    revision += '    op.add_column("users", sa.Column("age", sa.Integer(), nullable=False))\n'
    write(tmp_path, "app/database/versions/b_age.py", revision)
    assert ("b_age.py", "FG602", 9) in _rows(tmp_path)


def test_a_secret_default_of_a_setting_nothing_reads_is_held_in_every_shape(
    tmp_path: Path,
) -> None:
    """KirillEL's `DB_TEST_URI`, a database URL with a password as a settings default,
    and Damian-Hsu's `_Settings.stream_jwt_secret`, a settings class without a settings base
    (reader 200): settings nothing reads, dead code as any other; reported once read."""
    write(tmp_path, "pyproject.toml", '[project]\nname = "svc"\n')
    write(tmp_path, "app/__init__.py", "")
    config = "import os\n\nfrom pydantic_settings import BaseSettings\n\n\n"
    config += "class Settings(BaseSettings):\n"
    config += '    DB_TEST_URI: str = "postgresql://app:Kirik2281@db.example.com:5432/app"\n\n\n'
    config += "class _StreamSettings:\n"
    config += (
        '    stream_jwt_secret: str = os.getenv("STREAM_JWT_SECRET", "x9Fq2LmZ7pR4tW8s")\n\n\n'
    )
    config += "settings = Settings()\nstream = _StreamSettings()\n"
    write(tmp_path, "app/config.py", config)
    write(
        tmp_path,
        "app/main.py",
        "from app.config import settings, stream\n\nprint(settings, stream)\n",
    )
    assert [row for _, code, row in _rows(tmp_path) if code == "FG502"] == []
    named = _rows(tmp_path, "--extend-select", "FG502")
    assert [row for _, code, row in named if code == "FG502"] == [7, 11]
    reads = "from app.config import settings, stream\n\n"
    reads += "print(settings.DB_TEST_URI, stream.stream_jwt_secret)\n"
    write(tmp_path, "app/main.py", reads)
    assert [row for _, code, row in _rows(tmp_path) if code == "FG502"] == [7, 11]


def test_a_module_its_package_of_the_same_name_hides_is_held(tmp_path: Path) -> None:
    """djahern-max's `app/utils.py` (reader 118), beside an `app/utils/` package: `import
    app.utils` finds the package, so nothing of the file runs; reported when the rule is
    named. With a `__main__` guard it may run as a script: reported."""
    write(tmp_path, "pyproject.toml", "[project]\nname = 'svc'\n")
    write(tmp_path, "app/__init__.py", "")
    write(tmp_path, "app/utils/__init__.py", "")
    blocking = "import requests\n\n\nasync def fetch(url: str) -> str:\n"
    blocking += "    return requests.get(url).text\n"
    write(tmp_path, "app/utils.py", blocking)
    assert _rows(tmp_path) == []
    assert _rows(tmp_path, "--extend-select", "FG302") == [("utils.py", "FG302", 5)]
    (tmp_path / "app/utils/__init__.py").unlink()
    (tmp_path / "app/utils").rmdir()
    assert _rows(tmp_path) == [("utils.py", "FG302", 5)]
    write(tmp_path, "app/utils/__init__.py", "")
    script = blocking + '\n\nif __name__ == "__main__":\n    print("run")\n'
    write(tmp_path, "app/utils.py", script)
    assert _rows(tmp_path) == [("utils.py", "FG302", 5)]


def test_a_routes_module_nothing_imports_is_held(tmp_path: Path) -> None:
    """djahern-max's `app/routers/role.py` (reader 118), which no module imports: its
    router is included nowhere, and none of its routes serves. A word of data naming it
    (`"role"`) imports nothing; a dotted path in a string does, and a module built from
    a name at run time (`import_module(...)`) may be any. A service that includes no
    router (a file of routes alone) says nothing of how it is wired."""
    write(tmp_path, "pyproject.toml", "[project]\nname = 'svc'\n")
    write(tmp_path, "app/__init__.py", "")
    write(tmp_path, "app/routers/__init__.py", "")
    # its own prefix names a URL's segment, not the module (ta-na-mao's unmounted
    # `routers/auth.py`, `APIRouter(prefix="/auth")`: reader 150)
    write(
        tmp_path,
        "app/routers/role.py",
        'import requests\nfrom fastapi import APIRouter\n\nrouter = APIRouter(prefix="/role")\n\n\n'
        '@router.get("/roles")\nasync def roles() -> str:\n'
        '    return requests.get("https://example.com").text\n',
    )
    main = "from fastapi import FastAPI\n\nfrom app.routers import users\n\napp = FastAPI()\n"
    main += 'app.include_router(users.router)\nFIELDS = ["role"]\n'
    # a literal module built at run time names that module only (ta-na-mao's
    # `__import__("datetime").timedelta(days=30)`)
    main += 'MONTH = __import__("datetime").timedelta(days=30)\n'
    write(
        tmp_path, "app/routers/users.py", "from fastapi import APIRouter\n\nrouter = APIRouter()\n"
    )
    write(tmp_path, "app/main.py", main)
    assert _rows(tmp_path) == []
    assert _rows(tmp_path, "--extend-select", "FG302") == [("role.py", "FG302", 9)]
    # another package's module of the same name is not it (EFRAN033's `app/routers/auth.py`
    # beside the `app/presentation/api/routers/auth.py` its `main.py` imports: reader 184)
    for elsewhere in (
        "from app.api.v2.routers import role\n",
        "import app.api.routers.role\n",
        'MODULES = ["app.api.routers.role"]\n',
    ):
        write(tmp_path, "app/main.py", main + elsewhere)
        assert _rows(tmp_path) == [], elsewhere
    for wiring in (
        "from app.routers import role\n\napp.include_router(role.router)\n",
        "from .routers import role\n\napp.include_router(role.router)\n",
        "from .routers.role import router\n\napp.include_router(router)\n",
        "from routers import role\n\napp.include_router(role.router)\n",
        "import app.routers.role\n",
        'MODULES = ["app.routers.role"]\n',
        'MODULES = ["app.routers.role:router"]\n',
        'SOURCES = ["app/routers/role.py"]\n',
        "from importlib import import_module\n\nMODULES = [import_module(m) for m in NAMES]\n",
    ):
        write(tmp_path, "app/main.py", main + wiring)
        assert _rows(tmp_path) == [("role.py", "FG302", 9)], wiring
    write(tmp_path, "app/main.py", "from fastapi import FastAPI\n\napp = FastAPI()\n")
    assert _rows(tmp_path) == [("role.py", "FG302", 9)]


def test_a_routes_module_only_a_module_nothing_runs_imports_is_held(tmp_path: Path) -> None:
    """PedrovD's `app/api/api_v1/endpoints/` (reader 189): `api_v1/api.py` includes each
    of its routers in an `api_router` that no module imports, while `main.py` declares
    the routes it serves itself: none of the endpoints serves. The aggregator counts
    where it runs: imported by the app's module, imported by a module that is, making an
    app, run as a script, or named by a Dockerfile."""
    write(tmp_path, "pyproject.toml", "[project]\nname = 'svc'\n")
    for package in ("app", "app/api", "app/api/api_v1", "app/api/api_v1/endpoints"):
        write(tmp_path, f"{package}/__init__.py", "")
    write(
        tmp_path,
        "app/api/api_v1/endpoints/users.py",
        "import requests\nfrom fastapi import APIRouter\n\nrouter = APIRouter()\n\n\n"
        '@router.get("/users")\nasync def users() -> str:\n'
        '    return requests.get("https://example.com").text\n',
    )
    aggregator = (
        "from fastapi import APIRouter\n\nfrom app.api.api_v1.endpoints import users\n\n"
        'api_router = APIRouter()\napi_router.include_router(users.router, prefix="/users")\n'
    )
    write(tmp_path, "app/api/api_v1/api.py", aggregator)
    main = "from fastapi import FastAPI\n\napp = FastAPI()\n\n\n"
    main += '@app.get("/health")\nasync def health() -> str:\n    return "ok"\n'
    write(tmp_path, "app/main.py", main)
    assert _rows(tmp_path) == []
    assert _rows(tmp_path, "--extend-select", "FG302") == [("users.py", "FG302", 9)]
    for wiring in (
        "from app.api.api_v1.api import api_router\n\napp.include_router(api_router)\n",
        "from .api.api_v1 import api\n",
    ):
        write(tmp_path, "app/main.py", main + wiring)
        assert _rows(tmp_path) == [("users.py", "FG302", 9)], wiring
    # imported by a module that is imported by the app's
    write(tmp_path, "app/api/__init__.py", "from app.api.api_v1.api import api_router\n")
    write(tmp_path, "app/main.py", main + "from app.api import api_router\n")
    assert _rows(tmp_path) == [("users.py", "FG302", 9)]
    write(tmp_path, "app/api/__init__.py", "")
    write(tmp_path, "app/main.py", main)
    for runs in ("\napp = FastAPI()\n", '\nif __name__ == "__main__":\n    print(api_router)\n'):
        write(tmp_path, "app/api/api_v1/api.py", aggregator + runs)
        assert _rows(tmp_path) == [("users.py", "FG302", 9)], runs
    # it includes the routers in an app made elsewhere, run by a command not read here
    wires = "from app.factory import build\n\napp = build()\napp.include_router(users.router)\n"
    write(tmp_path, "app/api/api_v1/api.py", "from app.api.api_v1.endpoints import users\n" + wires)
    assert _rows(tmp_path) == [("users.py", "FG302", 9)]
    write(tmp_path, "app/api/api_v1/api.py", aggregator)
    write(tmp_path, "Dockerfile", 'CMD ["uvicorn", "app.api.api_v1.api:app"]\n')
    assert _rows(tmp_path) == [("users.py", "FG302", 9)]


def test_a_routes_module_the_wiring_module_imports_and_never_reads_is_held(
    tmp_path: Path,
) -> None:
    """ssms' `app/api/campaigns.py` (reader 192): `main.py` imports it among the routers
    it includes, and never includes its router (`campaign_v2`'s took its place): none of
    its routes serves. Read there in any way (included, its router handed on, its name
    in a list) it is wired; a module that registers its routes on an app it imports is
    wired by the import alone."""
    write(tmp_path, "pyproject.toml", "[project]\nname = 'svc'\n")
    for package in ("app", "app/api"):
        write(tmp_path, f"{package}/__init__.py", "")
    routes = (
        "import requests\nfrom fastapi import APIRouter\n\nrouter = APIRouter()\n\n\n"
        '@router.get("/campaigns")\nasync def campaigns() -> str:\n'
        '    return requests.get("https://example.com").text\n'
    )
    write(tmp_path, "app/api/campaigns.py", routes)
    write(tmp_path, "app/api/users.py", "from fastapi import APIRouter\n\nrouter = APIRouter()\n")
    main = "from fastapi import FastAPI\n\nfrom app.api import (\n    campaigns,\n    users,\n)\n\n"
    main += "app = FastAPI()\napp.include_router(users.router)\n"
    write(tmp_path, "app/main.py", main)
    assert _rows(tmp_path) == []
    assert _rows(tmp_path, "--extend-select", "FG302") == [("campaigns.py", "FG302", 9)]
    for reads in (
        "app.include_router(campaigns.router)\n",
        "ROUTERS = [campaigns]\n",
        '__all__ = ["campaigns"]\n',
    ):
        write(tmp_path, "app/main.py", main + reads)
        assert _rows(tmp_path) == [("campaigns.py", "FG302", 9)], reads
    # routes registered on the app it imports: the import is the wiring
    on_app = routes.replace(
        "from fastapi import APIRouter\n\nrouter = APIRouter()\n", "from app.main import app\n"
    ).replace("@router.get", "@app.get")
    write(tmp_path, "app/api/campaigns.py", on_app)
    write(tmp_path, "app/main.py", main)
    assert _rows(tmp_path) == [("campaigns.py", "FG302", 7)]


def test_a_module_of_routes_its_name_does_not_say_nothing_imports_is_held(
    tmp_path: Path,
) -> None:
    """cheehub213's `backend/backup_old_files/routes_api.py` (reader 155): a module of
    no layer whose top level makes an `APIRouter`, which no module imports: none of its
    routes serves. Imported, it is reported."""
    write(tmp_path, "pyproject.toml", "[project]\nname = 'svc'\n")
    write(
        tmp_path,
        "backend/old/routes_api.py",
        'import requests\nfrom fastapi import APIRouter\n\nrouter = APIRouter(prefix="/api")\n\n\n'
        '@router.get("/roles")\nasync def roles() -> str:\n'
        '    return requests.get("https://example.com").text\n',
    )
    main = "from fastapi import FastAPI\n\nfrom routes import api_router\n\napp = FastAPI()\n"
    main += "app.include_router(api_router)\n"
    write(tmp_path, "backend/main.py", main)
    assert _rows(tmp_path) == []
    assert _rows(tmp_path, "--extend-select", "FG302") == [("routes_api.py", "FG302", 9)]
    write(tmp_path, "backend/main.py", main + "from old.routes_api import router\n")
    assert _rows(tmp_path) == [("routes_api.py", "FG302", 9)]


def test_a_module_of_no_layer_nothing_imports_is_held(tmp_path: Path) -> None:
    """tamaralcgibbons' `backend/schemas/animal.py` (reader 154), superseded by classes
    of the same names in its routers: no module imports it, so none of its code runs.
    Another package's relative import of a module of the same name (`backend/models/`'s
    `from .animal import Animal`) is not one of it; an import by its dotted path, from
    its package, relative from its own folder or below, or its path in a string is. Held
    only where the service includes routers and imports other modules of its package."""
    write(tmp_path, "pyproject.toml", "[project]\nname = 'svc'\n")
    write(tmp_path, "backend/__init__.py", "")
    schema = "from pydantic import BaseModel\n\n\nclass AnimalOut(BaseModel):\n"
    schema += "    id: int\n\n    class Config:\n        orm_mode = True\n"
    write(tmp_path, "backend/schemas/animal.py", schema)
    write(tmp_path, "backend/models/__init__.py", "from .animal import Animal\n")
    write(tmp_path, "backend/models/animal.py", "class Animal:\n    pass\n")
    routes = "from fastapi import APIRouter\n\nfrom backend.models.animal import Animal\n\n"
    routes += "router = APIRouter()\n\n\nclass AnimalOut:\n    pass\n\n\n"
    routes += '@router.get("/animals", response_model=AnimalOut)\ndef animals() -> None:\n'
    routes += "    return None\n"
    write(tmp_path, "backend/routers/animals.py", routes)
    main = "from fastapi import FastAPI\n\nfrom backend.routers import animals\n\n"
    main += "app = FastAPI()\napp.include_router(animals.router)\n"
    write(tmp_path, "backend/main.py", main)
    # its package's modules not imported by name, or no router included: wiring unknown
    assert _rows(tmp_path) == [("animal.py", "FG206", 8)]
    write(tmp_path, "backend/schemas/user.py", "class UserOut:\n    pass\n")
    main += "from backend.schemas.user import UserOut\n"
    write(tmp_path, "backend/main.py", main)
    assert _rows(tmp_path) == []
    assert _rows(tmp_path, "--extend-select", "FG206") == [("animal.py", "FG206", 8)]
    for path, wiring in (
        ("backend/main.py", main + "from backend.schemas.animal import AnimalOut\n"),
        ("backend/main.py", main + "from backend.schemas import (\n    animal,\n)\n"),
        ("backend/main.py", main + 'SCHEMAS = ["backend/schemas/animal.py"]\n'),
        ("backend/schemas/__init__.py", "from .animal import AnimalOut\n"),
        ("backend/schemas/v1/__init__.py", "from ..animal import AnimalOut\n"),
        ("backend/schemas/v1/__init__.py", "from .. import animal\n"),
    ):
        write(tmp_path, path, wiring)
        assert _rows(tmp_path) == [("animal.py", "FG206", 8)], wiring
        (tmp_path / path).unlink()
        write(tmp_path, "backend/main.py", main)
    assert _rows(tmp_path) == []


def test_a_service_module_nothing_imports_is_held(tmp_path: Path) -> None:
    """shronme's `app/services/service_old.py` (reader 135), which no module imports, its
    classes named as the live ones of `service.py`: none of its code runs. Imported (by
    name or a dotted path in a string), it runs; where the service includes no router, or
    imports nothing of its package by name, its wiring is unknown; a module of tasks a
    worker finds by its name, and a secret (which leaks whether or not the code runs),
    stand."""
    write(tmp_path, "pyproject.toml", "[project]\nname = 'svc'\n")
    write(tmp_path, "app/__init__.py", "")
    write(tmp_path, "app/services/__init__.py", "")
    service = (
        "import requests\n\n\nclass BookingService:\n"
        "    async def fetch(self, url: str) -> str:\n"
        "        return requests.get(url).text\n"
    )
    write(tmp_path, "app/services/service.py", service)
    write(tmp_path, "app/services/service_old.py", service + '\nAPI_KEY = "sk_live_51Habc"\n')
    routes = "from app.services.service import BookingService\n\n\n"
    routes += "async def fetch(url: str) -> str:\n    return await BookingService().fetch(url)\n"
    write(tmp_path, "app/routes.py", routes)
    main = "from fastapi import FastAPI\n\nfrom app import routes\n\napp = FastAPI()\n"
    main += "app.include_router(routes.router)\n"
    write(tmp_path, "app/main.py", main)
    expected = [("service.py", "FG302", 6), ("service_old.py", "FG302", 6)]
    secret = ("service_old.py", "FG502", 8)
    assert sorted(_rows(tmp_path)) == [expected[0], secret]
    assert sorted(_rows(tmp_path, "--extend-select", "FG302")) == [*expected, secret]
    for wiring in (
        "from app.services import service_old\n",
        'LEGACY = "app.services.service_old"\n',
    ):
        write(tmp_path, "app/main.py", main + wiring)
        assert sorted(_rows(tmp_path)) == [*expected, secret], wiring
    write(tmp_path, "app/main.py", main.replace("app.include_router", "print"))
    assert sorted(_rows(tmp_path)) == [*expected, secret]
    write(tmp_path, "app/main.py", main)
    write(tmp_path, "app/routes.py", routes.replace("app.services.service", "app.booking"))
    assert sorted(_rows(tmp_path)) == [*expected, secret]
    write(tmp_path, "app/routes.py", routes)
    (tmp_path / "app/services/service_old.py").rename(tmp_path / "app/services/tasks.py")
    tasks = [("tasks.py", "FG302", 6), ("tasks.py", "FG502", 8)]
    assert sorted(_rows(tmp_path)) == [expected[0], *tasks]
    # a module a task queue runs by its registry (`@shared_task`), whatever its name
    (tmp_path / "app/services/tasks.py").rename(tmp_path / "app/services/reminders.py")
    assert sorted(_rows(tmp_path)) == [("reminders.py", "FG502", 8), expected[0]]
    queued = (tmp_path / "app/services/reminders.py").read_text()
    queued = "from celery import shared_task\n" + queued
    write(tmp_path, "app/services/reminders.py", queued)
    assert sorted(_rows(tmp_path)) == [
        ("reminders.py", "FG302", 7),
        ("reminders.py", "FG502", 9),
        expected[0],
    ]


def test_a_route_an_earlier_route_answers_is_held(tmp_path: Path) -> None:
    """djahern-max's `GET /get-ranked` (reader 118), declared after `GET /{showcase_id}` on
    the same router: Starlette serves the first route that matches, so no request reaches
    it. Not after a typed parameter (`{id:int}`), another method, a longer path, or on a
    router bound again (ArsenalNox's second `router = APIRouter()`)."""
    write(tmp_path, "pyproject.toml", "[project]\nname = 'svc'\n")
    write(
        tmp_path,
        "app/routes.py",
        """
        import requests
        from fastapi import APIRouter

        router = APIRouter()


        @router.get("/{showcase_id}")
        def read(showcase_id: int) -> int:
            return showcase_id


        @router.get("/get-ranked")
        async def ranked() -> str:
            return requests.get("https://example.com").text


        @router.get("/{showcase_id}/votes")
        async def votes(showcase_id: int) -> str:
            return requests.get("https://example.com").text


        @router.post("/get-ranked")
        async def rank() -> str:
            return requests.get("https://example.com").text


        @router.get("/items/{item_id:int}")
        def item(item_id: int) -> int:
            return item_id


        @router.get("/items/latest")
        async def latest() -> str:
            return requests.get("https://example.com").text


        router = APIRouter()


        @router.get("/get-ranked")
        async def ranked_again() -> str:
            return requests.get("https://example.com").text


        @router.api_route("/{name}", methods=["GET"])
        def named(name: str) -> str:
            return name


        @router.api_route("/refresh", methods=["POST"])
        async def refresh() -> str:
            return requests.get("https://example.com").text
        """,
    )
    # (the second `router` is another router: its route is served)
    # (nor an `api_route`, whose methods are an argument's)
    assert [row for _, code, row in _rows(tmp_path) if code == "FG302"] == [19, 24, 34, 42, 52]
    named = _rows(tmp_path, "--extend-select", "FG302")
    assert [row for _, code, row in named if code == "FG302"] == [14, 19, 24, 34, 42, 52]


def test_a_class_named_only_in_comments_and_prose_is_dead_code(tmp_path: Path) -> None:
    """HaftomZ's three `User` schemas (reader 174): the word is in a comment (`#user :
    User`), a message (`f"User {id} does not exist"`) and a header (`"User-Agent"`), never
    in code. A string that is a type or a name (`"User"`, `"list[User]"`, `__all__`'s) or
    an f-string's replacement field names the class."""
    _project(tmp_path)
    schema = "from pydantic import BaseModel\n\n\n# User inside CarDisplay\n"
    schema += "class User(BaseModel):\n    id: int\n\n    class Config:\n"
    schema += "        orm_mode = True\n\n\nclass CarDisplay(BaseModel):\n"
    schema += "    id: int\n    # user : User\n"
    write(tmp_path, "app/cars.py", schema)
    prose = "from app.cars import CarDisplay\n\nHEADERS = {'User-Agent': 'svc/1.0'}\n\n\n"
    prose += "def missing(id: int) -> str:\n"
    prose += '    return f"User {id} does not exist" + "User can not report"\n'
    prose += "\n\nSHOWN = [CarDisplay]\n"
    write(tmp_path, "app/messages.py", prose)
    assert ("cars.py", "FG206", 9) not in _rows(tmp_path)
    assert ("cars.py", "FG206", 9) in _rows(tmp_path, "--extend-select", "FG206")
    for use in (
        'NAMES = ["User"]\n',
        "def f(u: 'list[User] | None') -> None: ...\n",
        "def f() -> str:\n    return f'{User.__name__}s'\n",
        "from app.cars import User\n",
    ):
        write(tmp_path, "app/messages.py", prose + use)
        assert ("cars.py", "FG206", 9) in _rows(tmp_path), use


def test_a_settings_module_nothing_imports_is_held(tmp_path: Path) -> None:
    """amalhsouna's `app/config.py` (reader 174): `from pydantic import BaseSettings` in
    a settings module no module imports, superseded by the service's other reads of the
    environment: held like a module of no layer."""
    _project(tmp_path)
    old = "from pydantic import BaseSettings\n\n\nclass Settings(BaseSettings):\n"
    old += "    DATABASE_URL: str\n\n\nsettings = Settings()\n"
    write(tmp_path, "app/settings.py", old)
    main = "from fastapi import FastAPI\n\nfrom app import routes\n\napp = FastAPI()\n"
    write(tmp_path, "app/main.py", main + "app.include_router(routes.router)\n")
    assert ("settings.py", "FG210", 1) not in _rows(tmp_path)
    assert ("settings.py", "FG210", 1) in _rows(tmp_path, "--extend-select", "FG210")
    write(tmp_path, "app/mail.py", MAILER + "from app.settings import settings as old\n")
    assert ("settings.py", "FG210", 1) in _rows(tmp_path)


def test_a_session_made_at_import_that_nothing_reads_is_held(tmp_path: Path) -> None:
    """vladikhub's `session = async_session_maker()` in `src/database.py` (reader 175):
    every request opens its own session from the factory, and nothing imports or reads
    the module's one: dead code. Read by its module, imported by name or with `*`, or
    read through the module, it is shared by every request that does."""
    write(tmp_path, "pyproject.toml", "[project]\nname = 'svc'\n")
    write(tmp_path, "src/__init__.py", "")
    database = "from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine\n\n"
    database += "engine = create_async_engine('postgresql+asyncpg://app@db/app')\n"
    database += "async_session_maker = async_sessionmaker(bind=engine)\n\n"
    database += "session = async_session_maker()\n"
    write(tmp_path, "src/database.py", database)
    deps = "from src.database import async_session_maker\n\n\nasync def get_db():\n"
    deps += "    async with async_session_maker() as session:\n        yield session\n"
    write(tmp_path, "src/deps.py", deps)
    assert ("database.py", "FG106", 6) not in _rows(tmp_path)
    assert ("database.py", "FG106", 6) in _rows(tmp_path, "--extend-select", "FG106")
    for path, use in (
        ("src/database.py", database + "\n\ndef shared():\n    return session\n"),
        ("src/jobs.py", "from src.database import (\n    engine,\n    session,\n)\n"),
        ("src/jobs.py", "from src.database import *\n"),
        ("src/jobs.py", "from src import database\n\nSHARED = database.session\n"),
        ("src/jobs.py", "from .database import session as shared\n"),
    ):
        write(tmp_path, path, use)
        assert ("database.py", "FG106", 6) in _rows(tmp_path), use
        if path == "src/jobs.py":
            (tmp_path / path).unlink()
        write(tmp_path, "src/database.py", database)
    assert ("database.py", "FG106", 6) not in _rows(tmp_path)


def test_a_wiring_module_too_deep_for_cpythons_parser_is_taken_to_read_its_imports() -> None:
    """`_import_unused` parses the module that includes the routers; one nested deeper
    than CPython's parser goes (a recursion error, not a syntax error) counts as reading
    what it imports: the routes stand, and nothing crashes."""
    from checks.project_facts import _import_unused

    deep = b"from app.api import campaigns\napp.include_router(users.router)\nx = "
    deep += b"-" * 200_000 + b"1\n"
    assert _import_unused("campaigns", deep) is False
    assert _import_unused("campaigns", b"from app.api import campaigns\n") is True

"""Project facts some findings depend on (`checks.project_facts`): FG407 reports reads of
the environment outside the settings module only in a project that has one."""

from __future__ import annotations

import json
import os
import re
import textwrap
import uuid
from pathlib import Path

import pytest

from checks.cli import SNAPSHOT_MIN_FILES
from checks.hook import run_claude_hook
from checks.project_facts import (
    cookies_used,
    credentials_used,
    defines_settings,
    engines_on_sqlite_only,
    header_credentials_only,
    http_error_classes,
    is_service_layer_text,
    names_bcrypt,
    own_service_errors,
    served_one_at_a_time,
    sqlite_databases,
    uses_asymmetric_jose,
)
from tests.helpers import run_cli, write, write_new


@pytest.mark.parametrize(
    "source",
    [
        "from pydantic_settings import BaseSettings\n\n"
        "class Settings(BaseSettings):\n    x: int = 0\n",
        "from pydantic import BaseSettings\n\nclass Settings(BaseSettings):\n    x: int = 0\n",
        "import pydantic_settings as ps\n\nclass AppConfig(ps.BaseSettings):\n    x: int = 0\n",
        "from pydantic.v1 import BaseSettings as V1\n\nclass Settings(V1):\n    pass\n",
        "from starlette.config import Config\n\nconfig = Config('.env')\n",
        "import dynaconf\n\nsettings = dynaconf.Dynaconf(settings_files=['settings.toml'])\n",
        "from environs import Env\n\nenv = Env()\nenv.read_env()\n",
        "from decouple import config\n\nDEBUG = config('DEBUG', cast=bool)\n",
    ],
    ids=[
        "pydantic-settings",
        "pydantic 1",
        "module alias",
        "v1 layer",
        "starlette",
        "dynaconf",
        "environs",
        "decouple",
    ],
)
def test_a_settings_module_of_each_library_is_known(source: str) -> None:
    assert defines_settings(source.encode())


@pytest.mark.parametrize(
    "source",
    [
        "# our settings will use pydantic_settings.BaseSettings one day\nX = 1\n",
        "class BaseSettings:\n    pass\n\n\nclass Settings(BaseSettings):\n    pass\n",
        "from app.core import BaseSettings\n\nclass Settings(BaseSettings):\n    pass\n",
        "from pydantic_settings import BaseSettings\n",
        "def broken(:\n    BaseSettings\n",
    ],
    ids=["a comment", "a class of that name", "another module's", "imported only", "syntax"],
)
def test_text_alone_is_not_a_settings_module(source: str) -> None:
    assert not defines_settings(source.encode())


ROUTES = """
import os

from fastapi import APIRouter

router = APIRouter()
TIMEOUT = int(os.getenv("HTTP_TIMEOUT", "5"))
"""
SETTINGS = """
from pydantic_settings import BaseSettings


class Settings(BaseSettings):
    http_timeout: int = 5
"""


def _fg407(root: Path, *args: str) -> list[str]:
    """FG407's findings, the rule enabled without being named (`ALL` names none: named,
    it is reported whether or not the project has a settings module)."""
    selection = ("--extend-select", "ALL", "--ignore", "FG604")  # FG604 reads git: no snapshot
    out = run_cli(
        "check", *selection, *args, "--exit-zero", "--output-format", "json", str(root)
    ).stdout
    return [Path(f["filename"]).name for f in json.loads(out) if f["code"] == "FG407"]


def _project(root: Path, extra_files: int = 0) -> Path:
    write(root, "pyproject.toml", '[project]\nname = "svc"\nversion = "0"\n')
    write(root, "app/__init__.py", "")
    for number in range(extra_files):
        write(root, f"app/m{number}.py", f"VALUE = {number}\n")
    return write(root, "app/routes.py", ROUTES)


def test_a_project_without_a_settings_module_gets_no_finding(tmp_path: Path) -> None:
    _project(tmp_path)
    assert _fg407(tmp_path, "--no-cache") == []


def test_a_project_with_a_settings_module_anywhere_gets_the_finding(tmp_path: Path) -> None:
    routes = _project(tmp_path)
    write(tmp_path, "app/core/settings.py", SETTINGS)
    assert _fg407(tmp_path, "--no-cache") == ["routes.py"]
    # a run of the route module alone (the hook, pre-commit) finds the settings too
    assert _fg407(routes, "--no-cache") == ["routes.py"]


def test_naming_the_rule_reports_it_without_a_settings_module(tmp_path: Path) -> None:
    _project(tmp_path)
    assert _fg407(tmp_path, "--no-cache", "--select", "FG407") == ["routes.py"]
    assert _fg407(tmp_path, "--no-cache", "--extend-select", "FG4") == ["routes.py"]
    assert _fg407(tmp_path, "--no-cache", "--select", "ALL") == []  # names no rule


def _age(root: Path) -> None:
    """Stamps old enough for a run snapshot to trust them."""
    for path in root.rglob("*"):
        os.utime(path, (1_600_000_000, 1_600_000_000))


def test_a_cached_run_sees_the_settings_module_appear_and_go(tmp_path: Path) -> None:
    """A run snapshot must not answer with the fact of an earlier run: a settings module
    added (anywhere, here outside the run's folder), changed or removed is seen."""
    _project(tmp_path, SNAPSHOT_MIN_FILES)
    app = tmp_path / "app"
    _age(tmp_path)
    assert _fg407(app) == []
    assert _fg407(app) == []
    settings = write(tmp_path, "config/settings.py", SETTINGS)
    assert _fg407(app) == ["routes.py"]
    _age(tmp_path)
    assert _fg407(app) == ["routes.py"]  # answered again (the snapshot kept its file)
    settings.write_text(textwrap.dedent(SETTINGS).replace("BaseSettings", "BaseModel"))
    assert _fg407(app) == []
    _age(tmp_path)
    write(tmp_path, "config/settings.py", SETTINGS)
    _age(tmp_path)
    assert _fg407(app) == ["routes.py"]
    settings.unlink()
    assert _fg407(app) == []


def test_a_run_of_the_whole_project_keeps_its_snapshot_and_sees_a_new_module(
    tmp_path: Path,
) -> None:
    """A run of the project root checks every file: a settings module added changes its
    files, which the snapshot compares, so the snapshot is kept even though the answer
    was "none"."""
    _project(tmp_path, SNAPSHOT_MIN_FILES)
    _age(tmp_path)
    assert _fg407(tmp_path) == []
    assert list(tmp_path.glob(".fastapi_guardrails_cache/*/*-run-*.json"))
    write(tmp_path, "config/settings.py", SETTINGS)
    assert _fg407(tmp_path) == ["routes.py"]


def test_files_named_like_a_settings_module_are_read_first(tmp_path: Path) -> None:
    from checks.project_facts import first_settings_module

    files = [write(tmp_path, name, SETTINGS) for name in ("app/a.py", "app/core/app_config.py")]
    assert first_settings_module(files) == files[1]


# FG403 is off by default: a project's decision, reported when selected
API = """
from fastapi import APIRouter

from app.memory import memory

router = APIRouter()


@router.get("/memories")
async def memories(user_id: str):
    return memory.search(user_id)


@router.get("/config")
async def config(user_id: str):
    return {"user": user_id, "llm": memory.llm_names()}
"""


def _fg403(root: Path, *args: str) -> list[int]:
    out = run_cli("check", *args, "--exit-zero", "--output-format", "json", str(root)).stdout
    return [f["location"]["row"] for f in json.loads(out) if f["code"] == "FG403"]


@pytest.mark.parametrize("cache", [["--no-cache"], []])
def test_routes_without_a_response_model_are_reported_when_fg403_is_selected(
    tmp_path: Path, cache: list[str]
) -> None:
    write(tmp_path, "pyproject.toml", '[project]\nname = "svc"\nversion = "0"\n')
    write(tmp_path, "app/__init__.py", "")
    write(tmp_path, "app/memory.py", "memory = object()\n")
    api = write(tmp_path, "app/api.py", API)
    assert _fg403(tmp_path, *cache) == []
    assert _fg403(tmp_path, *cache, "--extend-select", "FG403") == [9, 14]
    assert _fg403(api, *cache, "--select", "FG4") == [9, 14]
    write(tmp_path, "pyproject.toml", '[tool.fastapi-guardrails]\nextend-select = ["FG403"]\n')
    assert _fg403(api, *cache) == [9, 14]


# FG101 and FG108: the 1.x style SQLAlchemy 2.0 still supports, reported against the
# project's own convention (or when selected)
LEGACY_REPOSITORY = """
from app.db import Session
from app.models import User


def get_user(pk: int):
    with Session() as session:
        return session.query(User).filter(User.id == pk).first()
"""
LEGACY_MODELS = """
from sqlalchemy import Column, Integer, String
from sqlalchemy.ext.declarative import declarative_base

Base = declarative_base()


class User(Base):
    __tablename__ = "users"
    id = Column(Integer, primary_key=True)
    name = Column(String)
"""
TYPED_MODELS = """
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Team(Base):
    __tablename__ = "teams"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str]
    slug: Mapped[str]
"""


def _codes(root: Path, *args: str) -> list[tuple[str, str, int]]:
    out = run_cli("check", *args, "--exit-zero", "--output-format", "json", str(root)).stdout
    return sorted(
        (f["code"], Path(f["filename"]).name, f["location"]["row"])
        for f in json.loads(out)
        if f["code"] in {"FG101", "FG108"}
    )


def _legacy_project(root: Path) -> None:
    write(root, "pyproject.toml", '[project]\nname = "svc"\nversion = "0"\n')
    write(root, "app/__init__.py", "")
    write(
        root, "app/db.py", "from sqlalchemy.orm import sessionmaker\n\nSession = sessionmaker()\n"
    )
    write(root, "app/models.py", LEGACY_MODELS)
    write(root, "app/repository.py", LEGACY_REPOSITORY)


@pytest.mark.parametrize("cache", [["--no-cache"], []])
def test_a_project_written_in_the_1x_style_throughout_gets_its_warnings_only(
    tmp_path: Path, cache: list[str]
) -> None:
    _legacy_project(tmp_path)
    # `sqlalchemy.ext.declarative` warns in 2.0 (MovedIn20Warning): always reported, with
    # the one-line move first (the thirty-fourth reader's tracardi)
    assert _codes(tmp_path, *cache) == [("FG108", "models.py", 4)]
    moved = run_cli("check", "--output-format", "concise", *cache, str(tmp_path)).stdout
    assert "moved in SQLAlchemy 2.0 (`MovedIn20Warning`): import it from `sqlalchemy.orm`" in (
        moved
    )
    assert _codes(tmp_path / "app/repository.py", *cache) == []
    named = _codes(tmp_path, *cache, "--extend-select", "FG101,FG108")
    assert named == [
        ("FG101", "repository.py", 7),
        ("FG108", "models.py", 4),
        ("FG108", "models.py", 7),
    ]


def test_a_project_moving_to_typed_models_gets_the_untyped_ones(tmp_path: Path) -> None:
    """Typed models at least as many as untyped columns: the style the project moves to.
    The untyped columns work (SQLAlchemy 2.0 maps them without a warning): like its sync
    `Query`, they are an inventory, reported when named (and in new code, by the hook)."""
    _legacy_project(tmp_path)
    write(tmp_path, "app/teams.py", TYPED_MODELS)  # 3 `Mapped[` against 2 `Column(`
    write(
        tmp_path,
        "app/service.py",
        "from sqlalchemy import select\nfrom sqlalchemy.ext.asyncio import AsyncSession\n\n\n"
        "async def f(s: AsyncSession):\n    return await s.scalars(select(User))\n",
    )
    warns = [("FG108", "models.py", 4)]  # `sqlalchemy.ext.declarative`: always
    assert _codes(tmp_path, "--no-cache") == warns
    expected = [*warns, ("FG108", "models.py", 7)]
    assert _codes(tmp_path, "--no-cache", "--extend-select", "FG108") == expected
    # a run of the one file reads the project's convention too
    assert _codes(tmp_path / "app/models.py", "--no-cache", "--extend-select", "FG108") == expected
    named = _codes(tmp_path, "--no-cache", "--extend-select", "FG101")
    assert named == [("FG101", "repository.py", 7), *warns]


def test_the_v1_layer_is_reported_when_fg210_is_named(tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", '[project]\nname = "svc"\ndependencies = ["pydantic>=2"]\n')
    write(tmp_path, "app/__init__.py", "")
    write(
        tmp_path,
        "app/tools.py",
        "from pydantic.v1 import BaseModel\n\n\nclass Args(BaseModel):\n    query: str\n",
    )
    write(tmp_path, "app/config.py", "from pydantic import BaseSettings\n")

    def fg210(*args: str) -> list[tuple[str, int]]:
        out = run_cli("check", *args, "--exit-zero", "--output-format", "json", str(tmp_path))
        found = json.loads(out.stdout)
        return sorted(
            (Path(f["filename"]).name, f["location"]["row"]) for f in found if f["code"] == "FG210"
        )

    # `BaseSettings` fails on Pydantic 2: always; the v1 layer is somebody's decision
    assert fg210("--no-cache") == [("config.py", 1)]
    assert fg210("--no-cache", "--extend-select", "FG210") == [("config.py", 1), ("tools.py", 1)]


CORS_APP = """
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

app = FastAPI()
app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_credentials=True)
"""


def test_a_wildcard_origin_is_spared_where_clients_authenticate_by_header_only(
    tmp_path: Path,
) -> None:
    write(tmp_path, "pyproject.toml", '[project]\nname = "svc"\nversion = "0"\n')
    write(tmp_path, "app/__init__.py", "")
    main = write(tmp_path, "app/main.py", CORS_APP)

    def fg501(target: Path, *args: str) -> list[str]:
        out = run_cli(
            "check", "--no-cache", *args, "--exit-zero", "--output-format", "json", str(target)
        )
        return [Path(f["filename"]).name for f in json.loads(out.stdout) if f["code"] == "FG501"]

    # no authentication at all: any page may read what its visitors' browsers reach
    # (feast's UI server), as anyone who fetches it may: held back (arafatDU's services,
    # reader 109), reported where FG501 is named
    assert fg501(tmp_path) == []
    assert fg501(tmp_path, "--extend-select", "FG501") == ["main.py"]
    # bearer tokens only: a public API other sites call (TaskingAI, R2R)
    write(
        tmp_path,
        "app/deps.py",
        "from fastapi.security import HTTPBearer\n\nbearer = HTTPBearer()\n",
    )
    assert fg501(tmp_path) == []
    assert fg501(main) == []  # the hook's run of one file reads the project too
    assert fg501(tmp_path, "--extend-select", "FG501") == ["main.py"]
    # a browser test's cookies are the browser's, not the API's clients' (keep's Playwright
    # conftest), nor are a development tool's (pokevaultpro's `tools/`, reader 114)
    write(
        tmp_path,
        "tests/conftest.py",
        "def cookies_of(page):\n    return page.context.cookies\n",
    )
    write(
        tmp_path,
        "tools/capture.py",
        "def session_of(request):\n    return request.cookies.get('session')\n",
    )
    assert fg501(tmp_path) == []
    write(
        tmp_path,
        "app/auth.py",
        "from fastapi import Response\n\n\ndef login(response: Response) -> None:\n"
        '    response.set_cookie("session", "token", httponly=True)\n',
    )
    # a cookie only set authenticates nothing the service reads (fike's, reader 84)
    assert fg501(tmp_path) == []
    write(
        tmp_path,
        "app/session.py",
        "from fastapi import Request\n\n\ndef session_of(request: Request) -> str | None:\n"
        '    return request.cookies.get("session")\n',
    )
    assert fg501(tmp_path) == ["main.py"]
    assert fg501(main) == ["main.py"]


def test_a_wildcard_origin_without_credentials_is_reported_only_where_nothing_is_protected(
    tmp_path: Path,
) -> None:
    """lnbits: `allow_origins=["*"]` without `allow_credentials=True` in a service whose UI
    logs in with a cookie (the twenty-first reader: not worth acting on): the browser sends
    no cookie cross-site, or hides the answer; with no credentials at all (a local server,
    an internal UI) any page may read it, as anyone who fetches it may: held back (readers
    judged seven such findings of seven services not worth a change), reported where
    FG501 is named."""
    write(tmp_path, "pyproject.toml", '[project]\nname = "svc"\nversion = "0"\n')
    write(tmp_path, "app/__init__.py", "")
    write(tmp_path, "app/main.py", CORS_APP.replace(", allow_credentials=True", ""))

    def fg501(*args: str) -> list[str]:
        out = run_cli(
            "check", "--no-cache", *args, "--exit-zero", "--output-format", "json", str(tmp_path)
        )
        return [Path(f["filename"]).name for f in json.loads(out.stdout) if f["code"] == "FG501"]

    assert fg501() == []
    assert fg501("--extend-select", "FG501") == ["main.py"]
    write(
        tmp_path,
        "app/auth.py",
        "from fastapi import Response\n\n\ndef login(response: Response) -> None:\n"
        '    response.set_cookie("session", "token", httponly=True)\n',
    )
    assert fg501() == []
    assert fg501("--extend-select", "FG501") == ["main.py"]
    write(tmp_path, "app/main.py", CORS_APP)
    assert fg501() == ["main.py"]


def _fg401(root: Path, *args: str) -> list[tuple[str, int]]:
    out = run_cli("check", *args, "--exit-zero", "--output-format", "json", str(root)).stdout
    return sorted(
        (Path(f["filename"]).name, f["location"]["row"])
        for f in json.loads(out)
        if f["code"] == "FG401"
    )


def _http_services(root: Path, count: int) -> None:
    """A project whose services raise HTTPException `count` times, in one module each."""
    write(root, "pyproject.toml", '[project]\nname = "svc"\nversion = "0"\n')
    write(root, "app/__init__.py", "")
    write(root, "app/services/__init__.py", "")
    for number in range(count):
        write(
            root,
            f"app/services/s{number}.py",
            "from fastapi import HTTPException\n\n\ndef get(pk: int) -> int:\n"
            "    if pk < 0:\n        raise HTTPException(status_code=404)\n    return pk\n",
        )
    _caller(root)


def _caller(root: Path) -> None:
    """A routes module that calls the services' `get`: a service function nothing calls
    is dead code (`checks.project_facts.CALLED`)."""
    write(
        root,
        "app/routes.py",
        "from app.services import s0\n\n\ndef read(pk: int) -> int:\n    return s0.get(pk)\n",
    )


@pytest.mark.parametrize("cache", [["--no-cache"], []])
def test_services_raising_http_exception_throughout_get_fg401_when_named(
    tmp_path: Path, cache: list[str]
) -> None:
    _http_services(tmp_path, 10)
    assert _fg401(tmp_path, *cache) == []
    assert _fg401(tmp_path / "app/services/s3.py", *cache) == []  # the hook's one file
    named = _fg401(tmp_path, *cache, "--extend-select", "FG401")
    assert named == sorted((f"s{n}.py", 6) for n in range(10))


def test_a_young_project_or_one_with_its_own_errors_gets_fg401(tmp_path: Path) -> None:
    """Nine raises in services that raise no error of their own (farfalle's search
    service, opennotebook's podcasts, hb-backend's accounts: 13 of 15 judged not worth a
    change) are how that young layer answers: held back in existing code, reported when
    named, and by the edit hook in new code, where the convention is being made. One
    error of its own makes each raise a slip."""
    _http_services(tmp_path, 9)  # fewer than 10, none of its own
    assert _fg401(tmp_path, "--no-cache") == []
    assert len(_fg401(tmp_path, "--no-cache", "--extend-select", "FG401")) == 9
    # a tool use of its own: the hook answers each once
    payload = write_new(tmp_path / "app/services/s3.py", tmp_path, f"toolu_{uuid.uuid4().hex}")
    answer = run_claude_hook(json.dumps(payload).encode(), {})
    assert "FG401" in answer.stdout
    write(
        tmp_path,
        "app/services/own.py",
        "class QuotaExceeded(Exception):\n    pass\n\n\ndef spend() -> None:\n"
        "    raise QuotaExceeded()\n",
    )
    assert len(_fg401(tmp_path, "--no-cache")) == 9
    _http_services(tmp_path, 10)
    write(tmp_path, "app/services/errors.py", "class NotFoundError(Exception):\n    pass\n")
    # more than twice as many modules raising errors of their own: not the layer's
    # convention (as many is a split layer: `test_errors_of_its_own_are_counted_by_modules`)
    for number in range(21):
        write(
            tmp_path,
            f"app/services/own{number}.py",
            "from app.services.errors import NotFoundError\n\n\ndef missing() -> None:\n"
            "    raise NotFoundError()\n",
        )
    assert len(_fg401(tmp_path, "--no-cache")) == 10


def test_a_refusal_where_the_project_has_no_error_for_one_is_its_convention(
    tmp_path: Path,
) -> None:
    """saptadi73's services (reader 95): its `AppException`s are a not-found, a
    validation and a conflict error, and its dependencies and services answer 401 and
    403 with `HTTPException`; the 404 beside them is the slip. An error of its own for a
    refused caller (`class ForbiddenError(AppError)`) makes each refusal one too."""
    write(tmp_path, "pyproject.toml", '[project]\nname = "svc"\nversion = "0"\n')
    write(tmp_path, "app/__init__.py", "")
    write(
        tmp_path,
        "app/errors.py",
        "class AppError(Exception):\n    pass\n\n\nclass NotFoundError(AppError):\n    pass\n",
    )
    write(
        tmp_path,
        "app/services/meetings.py",
        """
        from fastapi import HTTPException, status

        from app.errors import NotFoundError


        def get(pk: int, owner: int, user: int) -> int:
            if pk < 0:
                raise NotFoundError()
            if owner != user:
                raise HTTPException(403, "Only the owner may see it")
            if user < 0:
                raise HTTPException(status_code=status.HTTP_401_UNAUTHORIZED)
            if pk > 100:
                raise HTTPException(404, "Meeting not found")
            return pk
        """,
    )
    _caller(tmp_path)
    assert _fg401(tmp_path, "--no-cache") == [("meetings.py", 14)]
    assert len(_fg401(tmp_path, "--no-cache", "--extend-select", "FG401")) == 3
    write(
        tmp_path,
        "app/errors.py",
        "class AppError(Exception):\n    pass\n\n\nclass NotFoundError(AppError):\n    pass\n"
        "\n\nclass ForbiddenError(AppError):\n    pass\n",
    )
    assert len(_fg401(tmp_path, "--no-cache")) == 3


def test_one_module_raising_http_exception_beside_own_errors_gets_fg401(tmp_path: Path) -> None:
    """A to-do app's `tasks/service.py` raises HTTPException 35 times while its other
    services raise the project's own `ApiError`s: that module is the slip, not the
    convention. With no errors of its own anywhere (a library's raised again is none),
    one module is the convention."""
    write(tmp_path, "pyproject.toml", '[project]\nname = "svc"\nversion = "0"\n')
    write(tmp_path, "app/__init__.py", "")
    write(
        tmp_path,
        "app/services/tasks.py",
        "from fastapi import HTTPException\n\n\ndef get(pk: int) -> int:\n"
        + "    if pk < 0:\n        raise HTTPException(status_code=404)\n" * 12
        + "    return pk\n",
    )
    _caller(tmp_path)
    assert _fg401(tmp_path, "--no-cache") == []  # no errors of its own: its mechanism
    # a library's error raised again is none of its own (moscow1worker2every1day's cart
    # service and redis' `RedisError`, reader 78)
    write(
        tmp_path,
        "app/services/users.py",
        "from redis.exceptions import RedisError\n\n\ndef get(pk: int) -> int:\n"
        + "    if pk < 0:\n        raise RedisError()\n" * 3
        + "    return pk\n",
    )
    assert _fg401(tmp_path, "--no-cache") == []
    write(tmp_path, "app/errors.py", "class NotFound(Exception):\n    pass\n")
    write(
        tmp_path,
        "app/services/users.py",
        "from app.errors import NotFound\n\n\ndef get(pk: int) -> int:\n"
        + "    if pk < 0:\n        raise NotFound()\n" * 3
        + "    return pk\n",
    )
    assert len(_fg401(tmp_path, "--no-cache")) == 12


@pytest.mark.parametrize(
    ("line", "service"),
    [
        ("class CheckoutService:", True),
        ("class UserRepository(BaseRepository[User]):", True),
        ("class SessionUseCase:", True),
        ("class SearchAvailabilityService(BaseModel):", False),
        ("class ServiceKind(str, Enum):", False),
        ("class BookingServiceSchema(Schema):", False),
    ],
)
def test_a_schema_named_like_a_service_is_no_service_code(line: str, service: bool) -> None:
    """A booking service's routes declare `class SearchAvailabilityService(BaseModel)`, a
    part of a search request: by its bases, not a service whose raises make FG401's
    convention (the routes' own raises would then count as the service layer's)."""
    assert is_service_layer_text(f"from x import y\n\n\n{line}\n    pass\n".encode()) is service


# ------------------------------------------------------------ Pydantic spelling families
SPELLING_SCHEMA = """
from pydantic import BaseModel


class User{n}(BaseModel):
    name: str

    class Config:
        {key} = True


def dump{n}(user: User{n}) -> dict:
    return user.{method}()
"""


def _pydantic_codes(root: Path, *args: str) -> list[tuple[str, str]]:
    out = run_cli("check", *args, "--exit-zero", "--output-format", "json", str(root)).stdout
    return sorted(
        (f["code"], Path(f["filename"]).name)
        for f in json.loads(out)
        if f["code"].startswith("FG2")
    )


def _spelled_project(root: Path, files: int, method: str = "dict", key: str = "from_attributes"):
    write(root, "pyproject.toml", '[project]\nname = "svc"\ndependencies = ["pydantic>=2.7"]\n')
    write(root, "app/__init__.py", "")
    for n in range(files):
        write(root, f"app/schema_{n}.py", SPELLING_SCHEMA.format(n=n, method=method, key=key))


def test_a_pydantic_2_project_written_in_the_v1_spelling_throughout_gets_its_findings_when_named(
    tmp_path: Path,
) -> None:
    """dispatch runs Pydantic 2 and writes `.dict()` 134 times (12 `.model_dump()`): the
    v1 spelling, which Pydantic 2 runs with a warning, is the project's decision; the
    sixteenth reader judged 47 such findings of four services, none worth acting on.
    A config key Pydantic 2 ignores (`orm_mode`) is reported all the same."""
    _spelled_project(tmp_path, 10)
    assert _pydantic_codes(tmp_path) == []
    named = _pydantic_codes(tmp_path, "--extend-select", "FG201,FG207")
    assert len(named) == 20
    assert {code for code, _ in named} == {"FG201", "FG207"}
    # the hook's run of one file reads the project's spelling too
    assert _pydantic_codes(tmp_path / "app/schema_0.py", "--no-cache") == []
    write(tmp_path, "app/schema_3.py", SPELLING_SCHEMA.format(n=3, method="dict", key="orm_mode"))
    # `orm_mode` is FG206's: the `class Config` holding it is the spelling, named
    assert _pydantic_codes(tmp_path, "--no-cache") == [("FG206", "schema_3.py")]


@pytest.mark.parametrize("v2_calls", [0, 10, 40])
def test_the_v1_spelling_in_existing_code_is_reported_when_named_or_targeted(
    tmp_path: Path, v2_calls: int
) -> None:
    """Existing code's deprecated spelling is an inventory however often the project writes
    the v2 one (two readers judged 18 such "slips", up to 1 against 46, none worth a
    change: the code runs): reported when named, or where `target-pydantic = "2"` is
    configured; in new code, by the hook (`tests/test_hook.py`)."""
    _spelled_project(tmp_path, 4)
    calls = "".join(
        f"\n\ndef out{n}(user) -> dict:\n    return user.model_dump()\n" for n in range(v2_calls)
    )
    write(tmp_path, "app/views.py", calls)

    def fg201(*options: str) -> int:
        found = _pydantic_codes(tmp_path, "--no-cache", *options)
        return len([code for code, _ in found if code == "FG201"])

    assert fg201() == 0
    assert fg201("--extend-select", "FG201") == 4
    pyproject = (tmp_path / "pyproject.toml").read_text()
    write(
        tmp_path, "pyproject.toml", pyproject + '[tool.fastapi-guardrails]\ntarget-pydantic = "2"\n'
    )
    assert fg201() == 4


TYPED_WITH_BACKREF = """
from sqlalchemy import ForeignKey
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


class Team(Base):
    __tablename__ = "teams"
    id: Mapped[int] = mapped_column(primary_key=True)


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))
    team = relationship("Team", backref="members")
"""


@pytest.mark.parametrize("populates", [0, 3])
def test_backref_in_existing_code_is_reported_when_named(tmp_path: Path, populates: int) -> None:
    """A typed project's `backref=` (legacy, not deprecated: the seventeenth reader's 9
    findings, none worth) is reported when FG108 is named, however often the project
    writes `back_populates=`; in new code, by the hook."""
    write(tmp_path, "pyproject.toml", '[project]\nname = "svc"\n')
    write(tmp_path, "app/__init__.py", "")
    write(tmp_path, "app/models.py", TYPED_WITH_BACKREF)
    for n in range(populates):
        write(tmp_path, f"app/other_{n}.py", "NOTE = dict(back_populates='members')\n")
    assert _codes(tmp_path, "--no-cache") == []
    assert _codes(tmp_path, "--no-cache", "--extend-select", "FG108") == [
        ("FG108", "models.py", 18)
    ]


def test_an_orm_declarative_base_is_named_and_a_test_model_is_the_tests(tmp_path: Path) -> None:
    """`sqlalchemy.orm.declarative_base()` works on 2.0 without a warning (typed models on
    it: the eighteenth reader's demo); `sqlalchemy.ext.declarative`'s warns: always. A
    model a test declares for its fixtures is the test's."""
    write(tmp_path, "pyproject.toml", '[project]\nname = "svc"\n')
    write(tmp_path, "app/__init__.py", "")
    typed = TYPED_WITH_BACKREF.replace(", relationship", "").replace(
        '    team = relationship("Team", backref="members")\n', ""
    )
    base = "from sqlalchemy.orm import declarative_base\n\nBase = declarative_base()\n"
    write(tmp_path, "app/db.py", base)
    write(tmp_path, "app/models.py", typed)
    write(
        tmp_path,
        "tests/test_sorting.py",
        "from sqlalchemy import Column\n\n\n"
        "class Thing(Base):\n    __tablename__ = 'things'\n    id = Column(Integer)\n",
    )
    assert _codes(tmp_path, "--no-cache") == []
    assert _codes(tmp_path, "--no-cache", "--extend-select", "FG108") == [("FG108", "db.py", 3)]
    write(tmp_path, "app/db.py", base.replace("sqlalchemy.orm", "sqlalchemy.ext.declarative"))
    assert _codes(tmp_path, "--no-cache") == [("FG108", "db.py", 3)]


def test_field_schema_data_follows_the_spelling_and_a_fake_check_is_always_reported(
    tmp_path: Path,
) -> None:
    """`Field(example=...)` still reaches the schema on Pydantic 2 (deprecated): a young
    project's is an inventory when named, as is a keyword given a mapping of data
    (langserve's `extra={"widget": ...}`); `Field(required=True)` looks like a check and
    checks nothing: reported everywhere."""
    write(tmp_path, "pyproject.toml", '[project]\nname = "svc"\ndependencies = ["pydantic>=2"]\n')
    write(tmp_path, "app/__init__.py", "")
    write(
        tmp_path,
        "app/schemas.py",
        "from pydantic import BaseModel, Field\n\n\nclass Item(BaseModel):\n"
        '    name: str = Field(..., example="Coffee")\n'
        '    tags: list[str] = Field(..., extra={"widget": {"type": "chat"}})\n'
        "    note: str | None = Field(None, required=True)\n\n\nITEMS: list[Item] = []\n",
    )
    assert _pydantic_codes(tmp_path, "--no-cache") == [("FG211", "schemas.py")]
    named = _pydantic_codes(tmp_path, "--no-cache", "--extend-select", "FG211")
    assert named == [("FG211", "schemas.py")] * 3


def test_from_orm_on_a_model_without_from_attributes_is_a_bug_not_a_spelling(
    tmp_path: Path,
) -> None:
    """`from_orm` raises `PydanticUserError` on Pydantic 2 unless the config sets
    `from_attributes=True` (v1's `orm_mode` does not count): reported by default, while
    one on a model that sets it is the v1 spelling (named, or new code)."""
    write(tmp_path, "pyproject.toml", '[project]\nname = "svc"\ndependencies = ["pydantic>=2"]\n')
    write(tmp_path, "app/__init__.py", "")
    write(
        tmp_path,
        "app/dtos.py",
        "from pydantic import BaseModel, ConfigDict\n\n\n"
        "class Broken(BaseModel):\n    model_config = ConfigDict(orm_config=True)\n    x: int\n\n\n"
        "class Works(BaseModel):\n"
        "    model_config = ConfigDict(from_attributes=True)\n    x: int\n\n\n"
        "def read(row):\n    return Broken.from_orm(row), Works.from_orm(row)\n",
    )
    found = _pydantic_codes(tmp_path, "--no-cache")
    assert found == [("FG205", "dtos.py")]
    named = _pydantic_codes(tmp_path, "--no-cache", "--extend-select", "FG205")
    assert named == [("FG205", "dtos.py"), ("FG205", "dtos.py")]


def test_the_projects_own_http_exception_subclasses_are_http_errors() -> None:
    """fides: the errors its data layer raises subclass `HTTPException` (`NotFoundError(
    HTTPException)`, and subclasses of those): raised there, they are the HTTP errors the
    layer's convention is made of, not errors of its own; a raw `HTTPException` beside
    them keeps that convention (FG401 asks `own_service_errors`)."""
    errors = textwrap.dedent(
        """
        class NotFoundError(HTTPException):
            pass

        class ForbiddenError(
            fastapi.HTTPException,
        ):
            pass

        class DefaultTaxonomyError(errors.ForbiddenError, Mixin):
            pass

        class FidesError(Exception):
            pass
        """
    ).encode()
    assert http_error_classes([errors]) == {
        b"NotFoundError",
        b"ForbiddenError",
        b"DefaultTaxonomyError",
    }
    service = b"raise NotFoundError()\nraise errors.DefaultTaxonomyError()\n" * 6
    service += b"raise HTTPException(status_code=400)\n"
    assert not own_service_errors([service], [errors])
    # without the classes the text is read alone: 12 errors of its own against one
    assert own_service_errors([service])
    mixed = service + b"raise FidesError()\n" * 20
    assert own_service_errors([mixed], [errors])


def test_a_helper_returning_an_http_exception_raises_one_where_it_is_raised() -> None:
    """Charelk2 (reader 188): its quotes repository raises `error_response(...)`, a
    helper of `app/utils/errors.py` that says it returns `HTTPException`, seven times;
    its calendar service raises `HTTPException` five; its flight and weather clients
    raise their own API errors nine. Counted as HTTP errors, the helper's raises make
    `HTTPException` the layer's convention (FG401 held back); counted as nothing, the
    clients' errors outnumbered the five."""
    helper = textwrap.dedent(
        """
        def error_response(
            message: str,
            field_errors: dict[str, str],
        ) -> HTTPException:
            return HTTPException(status_code=422, detail=message)
        """
    ).encode()
    clients = b"class FlightAPIError(Exception):\n    pass\n"
    quotes = b"raise error_response('Quote missing', {})\n" * 7
    calendar = b"raise HTTPException(status_code=503)\n" * 5
    flights = b"raise FlightAPIError('down')\n" * 9
    layer = [quotes, calendar, flights]
    assert not own_service_errors(layer, [helper, clients, *layer])
    # a function of another name returning something else is no such helper
    other = helper.replace(b"-> HTTPException", b"-> dict[str, str]")
    assert own_service_errors(layer, [other, clients, *layer])


def test_a_project_whose_every_error_class_is_an_http_error_has_none_of_its_own() -> None:
    """The twenty-first reader's clean architecture: `AuthError(HTTPException)` and its
    siblings are the project's only errors, no handler maps anything: two raw
    `HTTPException`s in a service are its design (too few for a convention alone), and a
    domain error there would be another `HTTPException`. One error class of another kind
    raised by a service makes the raw ones slips again."""
    errors = (
        b"class AuthError(HTTPException):\n    pass\n\n"
        b"class NotFoundError(HTTPException):\n    pass\n"
    )
    service = b"raise HTTPException(status_code=400)\nraise HTTPException(status_code=401)\n"
    assert not own_service_errors([service], [errors, service])
    domain = errors + b"\nclass QuotaError(Exception):\n    pass\n"
    spends = service + b"raise QuotaError()\n"
    assert own_service_errors([spends], [domain, spends])
    # defined, never raised by a service: that layer still raises none of its own
    assert not own_service_errors([service], [domain, service])


@pytest.mark.parametrize(
    ("text", "used"),
    [
        (b'token = request.headers["AUTHORIZATION"]\n', True),
        (b"scheme = apikeyheader(name='x-key')\n", True),
        (b'response.set_cookie("session", token)\n', True),
        (b"def add(a, b):\n    return a + b\n", False),
    ],
)
def test_credentials_are_found_in_any_case_the_patterns_accept(text: bytes, used: bool) -> None:
    """`CREDENTIALS_USED` (FG501 without `allow_credentials=True`) reads what
    `HEADER_CREDENTIALS_ONLY` does, case-insensitively for headers: a substring test in
    front of the regex must not be narrower than it."""
    assert credentials_used([text]) is used


def test_errors_of_its_own_are_counted_by_modules_too() -> None:
    """morphik: four services raise `HTTPException` 37 times and no error of their own;
    a metadata filter parser raises its own error 59 times. Its raises are that module's,
    not the layer's mechanism: `HTTPException` is the convention (FG401 held back). Where
    as many modules lead with errors of their own, the layer is split (held back too);
    where more than twice as many do, theirs is the convention."""
    services = [b"raise HTTPException(status_code=404)\n" * 9 + b"raise ValueError()\n"] * 4
    parser = b"raise InvalidMetadataFilterError()\n" * 59
    assert not own_service_errors([*services, parser])
    others = [b"raise QuotaError()\n" * 3, b"raise BillingError()\n", b"raise AuthError()\n"]
    # as many modules leading with errors of their own as with it: the layer is split
    # between two conventions, each module keeping its own (tawounfouet's blog and demo
    # apps against its auth and users apps, whose tests pin each: reader 71)
    assert not own_service_errors([*services, parser, *others])
    # more than twice as many leading with their own: that is the layer's convention, and
    # the four modules raising `HTTPException` slip from it
    many = [
        *others,
        *(b"raise %sError()\n" % name for name in (b"Plan", b"Seat", b"Team", b"Org", b"Role")),
    ]
    assert own_service_errors([*services, parser, *many])
    # and one module raising it, beside modules raising their own, is that module's slip
    assert own_service_errors([b"raise HTTPException(status_code=404)\n" * 35, parser])


def test_an_error_the_layer_catches_to_raise_http_exception_is_none_of_its_own() -> None:
    """VladiFinogenov's order service raises `ProductNotFound` to catch it a few lines
    down and raise a 404 in its place; prostogma's auth service turns its repository's
    `UserNotFoundError` into a 401 (reader 138 judged none of their 14 findings worth a
    change): the layer answers in HTTP by design, and those raises are no errors of its
    own. One that an exception handler of the project's answers reaches a caller: it
    counts; so does one the layer lets through."""
    service = textwrap.dedent(
        """
        async def create(self, data):
            try:
                if not product:
                    raise ProductNotFound
                if product.quantity < data.quantity:
                    raise errors.InsufficientQuantity()
            except ProductNotFound as e:
                raise HTTPException(status_code=404, detail=str(e))
            except (errors.InsufficientQuantity, ValueError) as e:
                # the stock ran out
                raise HTTPException(status_code=400, detail=str(e))

        async def get(self, order_id):
            raise HTTPException(status_code=404)
        """
    ).encode()
    errors = (
        b"class ProductNotFound(Exception):\n    pass\n\n"
        b"class InsufficientQuantity(Exception):\n    pass\n"
    )
    assert not own_service_errors([service], [errors, service])
    # the repository raises it, the service translates it
    repository = b"def update(self):\n    raise ProductNotFound('gone')\n"
    assert not own_service_errors([service, repository], [errors, service, repository])
    # an exception handler of the project's answers it: it reaches a caller
    handler = b"@app.exception_handler(ProductNotFound)\nasync def h(request, exc): ...\n"
    assert own_service_errors([service], [errors, service, handler])
    # a handler that logs and goes on, or a raise outside any handler, lets it through
    logged = service.replace(b"raise HTTPException(status_code=404, detail=str(e))", b"log(e)")
    assert own_service_errors([logged], [errors, logged])


def test_a_header_a_cors_configuration_lets_through_is_no_credential_read() -> None:
    """llama_deploy's apiserver names `Authorization` only in its CORS middleware's
    `allow_headers`: it reads no credential, so FG501's wildcard there is not held back
    as a header-authenticated API's. Read from a request, it is one."""
    cors = b'app.add_middleware(CORSMiddleware, allow_origins=["*"],\n'
    cors += b'    allow_headers=["Content-Type", "Authorization"])\n'
    assert not credentials_used([cors])
    assert not header_credentials_only([cors])
    read = cors + b'token = request.headers.get("Authorization")\n'
    assert credentials_used([read])
    assert header_credentials_only([read])


def test_a_cookie_read_by_a_name_of_no_credential_leaves_a_header_authenticated_api() -> None:
    """aliyaqubi's course demo (reader 176): `test_cookie: Optional[str] = Cookie(None)`
    in an API whose clients send a bearer header: no credential rides on that cookie. A
    cookie read by a credential's name, by a name the code holds, or the whole jar, is
    one."""
    header = b'oauth2_scheme = OAuth2PasswordBearer(tokenUrl="token")\n'
    for plain in (
        b"def demo(test_cookie: Optional[str] = Cookie(None)): ...\n",
        b"def demo(t: str | None = Cookie(None, alias='theme')): ...\n",
        b'lang = request.cookies.get("lang")\n',
        b"cart = req.cookies['cart']\n",
    ):
        assert header_credentials_only([header + plain]), plain
    for credential in (
        b"def me(access_token: str | None = Cookie(None)): ...\n",
        b"def me(t: str | None = Cookie(None, alias='session')): ...\n",
        b'token = request.cookies.get("refresh_token")\n',
        b"value = req.cookies[settings.COOKIE]\n",
        b"jar = dict(request.cookies)\n",
    ):
        assert not header_credentials_only([header + credential]), credential


def test_fastapi_jwts_header_bearer_is_a_header_credential_its_cookie_classes_cookies() -> None:
    """fscorrales' API (reader 78): fastapi-jwt's `JwtAccessBearer` reads the
    `Authorization` header alone (its `set_access_cookie` sets a cookie nothing reads);
    `JwtAccessBearerCookie` reads a cookie too."""
    bearer = b"from fastapi_jwt import JwtAccessBearer\n\nsecurity = JwtAccessBearer(key)\n"
    assert header_credentials_only([bearer])
    both = bearer.replace(b"JwtAccessBearer", b"JwtAccessBearerCookie")
    assert credentials_used([both])
    assert not header_credentials_only([both])


def test_fastapi_users_transports_are_read_where_made() -> None:
    """AidamirKaraziev's API (reader 125): fastapi-users' `BearerTransport` reads the
    `Authorization` header; a `CookieTransport` imported for commented-out code reads no
    cookie, one made or derived from does."""
    bearer = (
        b"from fastapi_users.authentication import CookieTransport, BearerTransport\n\n"
        b"# cookie_transport = CookieTransport(cookie_name='neo', cookie_max_age=3600)\n"
        b'bearer_transport = BearerTransport(tokenUrl="auth/jwt/login")\n'
    )
    assert header_credentials_only([bearer])
    assert not cookies_used([bearer])
    for made in (
        b"cookie_transport = CookieTransport(cookie_max_age=3600)\n",
        b"class SecureCookies(CookieTransport):\n    pass\n",
    ):
        assert cookies_used([bearer, made]), made
        assert not header_credentials_only([bearer, made]), made


def test_asymmetric_keys_are_named_in_code_not_in_comments() -> None:
    """ohadc55-png (reader 130) signs its tokens with HS256; a comment above an unverified
    read of Apple's token says `# Apple's keys are at well-known/jwks`: no asymmetric key
    the service verifies with. An algorithm, a JWK set or a public key in code is one."""
    comment = b"def claims(token):\n    # Apple's keys are at well-known/jwks\n    return token\n"
    assert not uses_asymmetric_jose([comment, b'ALGORITHM = "HS256"\n'])
    for code in (b'ALGORITHM = "RS256"\n', b"JWKS_URL = f'{issuer}/jwks'\n"):
        assert uses_asymmetric_jose([comment, code]), code


def test_a_cookie_only_set_is_no_cookie_credential() -> None:
    """fike's login (reader 84): `response.set_cookie(key="token", ..., httponly=True)`
    beside an `OAuth2PasswordBearer` that reads the header alone: the cookie authenticates
    nothing the service reads. A cookie read (`request.cookies`, `Cookie(...)`) or a
    library told to read one (`JWT_TOKEN_LOCATION = ["cookies"]`) keeps it a cookie API."""
    bearer = b'oauth2_scheme = OAuth2PasswordBearer(tokenUrl="token")\n'
    login = b'response.set_cookie(key="token", value=token, httponly=True)\n'
    assert header_credentials_only([bearer, login])
    assert header_credentials_only([bearer, b"response.delete_cookie('token')\n"])
    # a name or a comment that speaks of a cookie reads none (fscorrales' route, minsuhya's
    # comment on `allow_credentials`)
    named = b"async def login_with_cookie(response: Response) -> None: ...\n"
    comment = b"    allow_credentials=True,  # send the cookie cross-origin\n"
    assert header_credentials_only([bearer, login, named, comment])
    for read in (
        b'token = request.cookies.get("token")\n',
        b"async def me(token: str = Cookie(None)) -> None: ...\n",
        b'JWT_TOKEN_LOCATION = ["headers", "cookies"]\n',
        b"app.add_middleware(SessionMiddleware, secret_key=key)\n",
    ):
        assert not header_credentials_only([bearer, login, read]), read


@pytest.mark.parametrize(
    ("texts", "sqlite"),
    [
        ([b'engine = create_engine("sqlite:///./serge.db")\n'], True),
        ([b"import aiosqlite\n", b"from sqlmodel import Session\n"], True),
        ([b'url = "sqlite:///app.db"\n', b'PROD = "postgresql+psycopg://db/app"\n'], False),
        ([b'url = "SQLite:///app.db"\n', b"import asyncpg\n"], False),
        ([b"from sqlalchemy.orm import Session\n"], False),
        ([b'url = "sqlite:///aim_db"\n', b"trials = self.tuner.oracle.ongoing_trials\n"], True),
        ([b'url = "sqlite:///a.db"\n', b"from snowflake import SnowflakeGenerator\n"], True),
        ([b'url = "sqlite:///a.db"\n', b'PROD = "oracle+oracledb://scott@db/app"\n'], False),
        ([b'url = "sqlite:///a.db"\n', b"import cx_Oracle\n"], False),
        ([b'url = "sqlite:///a.db"\n', b'if settings.DB_TYPE == "oracle":\n'], False),
        ([b'url = "sqlite:///a.db"\n', b"import snowflake.connector\n"], False),
        ([b'url = "sqlite:///hr.db"\n', b'SKILLS = ["python", "postgres", "sqlalchemy"]\n'], True),
        ([b'url = "sqlite:///a.db"\n', b"# also runs on PostgreSQL\n"], True),
        ([b'url = "sqlite:///a.db"\n', b'scheme="postgresql+psycopg"\n'], False),
        ([b'url = "sqlite:///a.db"\n', b'POSTGRES_SERVER: str = "db"\n'], False),
        ([b'url = "sqlite:///a.db"\n', b'if engine == "mysql":\n'], False),
        ([b'url = "sqlite:///a.db"\n', b"import mysql.connector\n"], False),
        (
            [b'url = "sqlite:///a.db"\n', b"from sqlalchemy.dialects.postgresql import JSONB\n"],
            False,
        ),
        ([b'url = "sqlite:///a.db"\n', b"import duckdb\nduckdb.connect(path)\n"], True),
        ([b'DATABASE_URL: str = f"duckdb:///{root}/app.db"\n'], True),
        ([b"import duckdb\nduckdb.connect(path)\n"], False),
        ([b'url = "sqlite:///a.db"\n', b"if source.startswith('postgresql://'):\n"], True),
        (
            [b'url = "sqlite:///a.db"\n', b'url = url.replace("postgres://", "postgresql://")\n'],
            False,
        ),
        ([b'url = "sqlite:///a.db"\n', b'url = "postgresql://" + settings.db_host\n'], False),
        ([b'url = "sqlite:///a.db"\n', b'url = f"postgresql://{user}@{host}/app"\n'], False),
        (
            [b'engine = create_engine(url, connect_args={"check_same_thread": False})\n'],
            True,
        ),
        ([b"# check_same_thread is SQLite's\n"], False),
        ([b'# connect_args = {"check_same_thread": False}  # only for SQLite\n'], False),
        ([b'# engine = create_engine("sqlite:///./app.db")\nengine = create_engine(url)\n'], False),
        # joelGabriel7's services (reader 157): an exception imported by mistake
        ([b"from sqlite3 import IntegrityError\n"], False),
        ([b"from sqlite3 import (\n    IntegrityError,\n    OperationalError,\n)\n"], False),
        ([b"from sqlite3 import connect\n"], True),
        ([b"import sqlite3\n"], True),
    ],
    ids=[
        "sqlite url",
        "aiosqlite",
        "and postgres",
        "and asyncpg",
        "no database named",
        "a tuner's oracle",
        "snowflake ids",
        "and an oracle url",
        "and an oracle driver",
        "and oracle by its name",
        "and snowflake's connector",
        "a skill tag",
        "a comment",
        "a url's scheme given alone",
        "a setting named for the server",
        "a comparison",
        "an import",
        "a dialect",
        "duckdb: in the process, as sqlite",
        "a duckdb url alone",
        "duckdb's module alone: a user's files",
        "a scheme only tested: a user's data source",
        "a url's scheme rewritten",
        "a url's scheme built on",
        "a url formatted",
        "sqlite's own connect argument",
        "the word alone",
        "a connect argument commented out",
        "a url commented out",
        "sqlite3's exception alone",
        "sqlite3's exceptions in brackets",
        "sqlite3's connect",
        "sqlite3 itself",
    ],
)
def test_a_service_on_sqlite_files_alone_is_told_apart(texts: list[bytes], sqlite: bool) -> None:
    """FG102's gate (`SERVER_DATABASES` is the negation): SQLite named, and no server."""
    assert sqlite_databases(texts) is sqlite


_SQLITE_ENGINE = b'URL = "sqlite:///./taxi_admin.db"\nengine = create_engine(URL)\n'


@pytest.mark.parametrize(
    ("texts", "alone"),
    [
        ([_SQLITE_ENGINE, b'DATABASE_URL: str = "postgresql+asyncpg://u:p@localhost/db"\n'], True),
        ([b'engine = sqlalchemy.create_engine("sqlite:///a.db", echo=True)\n'], True),
        ([b'engine = create_async_engine(url="sqlite+aiosqlite:///a.db")\n'], True),
        ([_SQLITE_ENGINE, b'other = create_engine("postgresql://db/app")\n'], False),
        ([_SQLITE_ENGINE, b"other = create_engine(settings.DATABASE_URL)\n"], False),
        ([b'engine = create_engine(os.getenv("DATABASE_URL", "sqlite:///a.db"))\n'], False),
        (
            [b'URL = "sqlite:///a.db"\nURL = os.environ["URL"]\nengine = create_engine(URL)\n'],
            False,
        ),
        ([_SQLITE_ENGINE, b"engine = engine_from_config(config, prefix='sqlalchemy.')\n"], False),
        ([b'url = "sqlite:///a.db"\n'], False),
        ([b"engine = create_engine(\n"], False),
        (
            [
                b"engine = create_engine(\n    settings.database_url,\n"
                b'    connect_args={"check_same_thread": False, "timeout": 30},\n)\n'
            ],
            True,
        ),
        (
            [b'ARGS = {"check_same_thread": False}\ne = create_engine(URL, connect_args=ARGS)\n'],
            True,
        ),
        (
            [
                b'engine = create_engine(URL, connect_args={"check_same_thread": False}\n'
                b'    if URL.startswith("sqlite") else {})\n'
            ],
            False,
        ),
        ([b'engine = create_engine(URL, connect_args={"timeout": 30})\n'], False),
    ],
    ids=[
        "a literal sqlite engine beside a server's url nothing reads",
        "an engine on a literal url",
        "an async engine by keyword",
        "a second engine on a server",
        "a second engine from settings",
        "a url from the environment",
        "a name bound twice",
        "an engine from a configuration",
        "no engine made",
        "a text python cannot parse",
        "an engine from settings given sqlite's connect_args",
        "sqlite's connect_args bound to a name",
        "sqlite's connect_args chosen by the url",
        "connect_args any driver may take",
    ],
)
def test_a_service_making_its_engines_on_sqlite_alone_is_told_apart(
    texts: list[bytes], alone: bool
) -> None:
    """FG102's gate, first question: every engine the code makes is on a literal SQLite
    URL (isikjon's taxi back-end, reader 162), whatever else names a server."""
    assert engines_on_sqlite_only(texts) is alone


_MANGUM = b"from mangum import Mangum\n\nhandler = Mangum(app)\n"


@pytest.mark.parametrize(
    ("sources", "deployment", "alone"),
    [
        ([_MANGUM], [], True),
        ([_MANGUM], [b'FROM public.ecr.aws/lambda/python:3.11\nCMD ["main.handler"]\n'], True),
        ([_MANGUM], [b"RUN pip install fastapi uvicorn mangum\n"], True),
        ([_MANGUM], [b"services:\n  api:\n    command: uvicorn app.main:app --reload\n"], False),
        ([_MANGUM], [b"# uvicorn app.main:app --host 0.0.0.0\n"], True),
        ([_MANGUM], [b"fastapi==0.115.0\nuvicorn==0.30.0\n"], True),
        ([_MANGUM], [b'CMD ["uvicorn", "app.main:app", "--host", "0.0.0.0"]\n'], False),
        ([_MANGUM], [b"web: gunicorn -k uvicorn.workers.UvicornWorker app.main:app\n"], False),
        ([_MANGUM], [b"exec python -m hypercorn app.main:app\n"], False),
        ([_MANGUM], [b'CMD ["fastapi", "run", "app/main.py"]\n'], False),
        ([_MANGUM], [b'CMD ["python", "main.py"]\n'], False),
        ([b"import mangum\n"], [], False),
        ([b"# handler = Mangum(app)\n"], [], False),
    ],
    ids=[
        "mangum alone",
        "a lambda image",
        "a server installed",
        "a server reloading: served so too",
        "a server commented out",
        "a requirement",
        "a server in the image",
        "a procfile's server",
        "a script's server",
        "fastapi run",
        "a script that may run one",
        "mangum imported, no app wrapped",
        "mangum commented out",
    ],
)
def test_a_service_on_aws_lambda_alone_is_told_apart(
    sources: list[bytes], deployment: list[bytes], alone: bool
) -> None:
    """The loop rules' gate (`SERVED_CONCURRENTLY` is the negation): the app wrapped in
    `Mangum(...)`, and no deployment file running a server but on a developer's machine."""
    assert served_one_at_a_time(sources, deployment) is alone


def test_a_service_on_aws_lambda_alone_has_its_loop_findings_held_back(tmp_path: Path) -> None:
    """code2flowchart runs on AWS Lambda through Mangum, one request per environment at a
    time: its sync sessions and OpenAI client delay only the request that makes them
    (reader 146 judged 16 such findings not worth a change). Held back (counted), reported
    where named, in new code (the edit hook), and where an image runs a server."""
    (tmp_path / ".git").mkdir()
    write(
        tmp_path,
        "pyproject.toml",
        '[project]\nname = "backend"\ndependencies = ["fastapi>=0.115", "mangum>=0.19"]\n',
    )
    write(tmp_path, "app/__init__.py", "")
    write(
        tmp_path,
        "app/main.py",
        """
        from fastapi import FastAPI
        from mangum import Mangum

        from app.routes import router

        app = FastAPI()
        app.include_router(router)
        handler = Mangum(app)
        """,
    )
    routes = write(
        tmp_path,
        "app/routes.py",
        """
        import time

        import requests
        from fastapi import APIRouter

        router = APIRouter()


        @router.get("/rates")
        async def rates() -> dict[str, float]:
            time.sleep(1)
            return requests.get("https://rates.example.com", timeout=5).json()
        """,
    )

    def codes(*options: str) -> list[str]:
        out = run_cli("check", "--no-cache", "--exit-zero", *options, str(tmp_path)).stdout
        return re.findall(r"(?m)^\S+:\d+:\d+: (FG\d+)", out)

    default = run_cli("check", "--no-cache", "--exit-zero", str(tmp_path)).stdout
    assert codes() == [], default
    assert "FG301 (1), FG302 (1)" in default or "FG302 (1), FG301 (1)" in default, default
    assert codes("--extend-select", "FG301") == ["FG301"]
    payload = write_new(routes, tmp_path, f"toolu_{uuid.uuid4().hex}")
    hooked = run_claude_hook(json.dumps(payload).encode(), {}).stdout
    assert "FG301" in hooked
    assert "FG302" in hooked
    write(tmp_path, "Dockerfile", 'FROM python:3.12-slim\nCMD ["uvicorn", "app.main:app"]\n')
    assert codes() == ["FG301", "FG302"]
    (tmp_path / "Dockerfile").unlink()
    write(
        tmp_path,
        "pyproject.toml",
        '[project]\nname = "backend"\ndependencies = ["fastapi>=0.115"]\n',
    )
    assert codes() == ["FG301", "FG302"]  # Mangum's app made, yet no dependency names it


@pytest.mark.parametrize(
    ("text", "reads"),
    [
        ('auth = request.headers.get("Authorization")', True),
        ('token = request.headers["authorization"]', True),
        ("async def me(authorization: str = Header(None)) -> str: ...", True),
        ('key: str = Header(..., alias="Authorization")', True),
        ("bearer = HTTPBearer()", True),
        # what the service sends to another API with its own key
        ('headers = {"Authorization": f"Bearer {api_key}"}', False),
        ('headers["Authorization"] = api_token', False),
        # names of headers to redact from a log
        ('sensitive = {"authorization", "proxy-authorization", "x-api-key"}', False),
    ],
)
def test_a_header_credential_is_one_the_service_reads(text: str, reads: bool) -> None:
    """FG501's exemption for header-authenticated APIs (`HEADER_CREDENTIALS_ONLY`) stands on
    a credential the service reads: ottomator's TinyDM reads `authorization: str =
    Header(None)`; chatdev, bolna and Verba only send one to the LLM APIs they call, which
    had held their wildcard back (reader 43)."""
    assert header_credentials_only([text.encode()]) is reads


@pytest.mark.parametrize(
    ("source", "named"),
    [
        (b'pwd = CryptContext(schemes=["bcrypt"])\n', True),
        (b"import bcrypt\n", True),
        (b'HASHER = "BCRYPT_SHA256"\n', True),
        (
            b"# bcrypt ignores anything after 72 bytes\n"
            b"pwd = CryptContext(schemes=['pbkdf2_sha256'])\n",
            False,
        ),
        (b'"""Hash with pbkdf2."""\nx = 1  # not bcrypt\n', False),
        (b"def broken(:\n    bcrypt = 1\n", True),
    ],
    ids=["a scheme", "an import", "a setting", "a comment", "a trailing comment", "not python"],
)
def test_bcrypt_named_in_a_comment_only_is_not_named(source: bytes, named: bool) -> None:
    """FG504's bcrypt fact: dz's `# bcrypt ignores anything after 72 bytes` above a
    `CryptContext` of `pbkdf2_sha256` alone names no hasher the code uses (reader 51)."""
    assert names_bcrypt(source) is named


def test_an_api_key_a_route_takes_from_a_header_is_a_header_credential() -> None:
    """squaredev-io's `authenticate_user(api_key: str = Header(), ...)` (reader 104): its
    one credential, an `api-key` header; so a token parameter from a header, and a
    header named `X-API-Key`. A cookie read beside it keeps it a cookie API."""
    key = b"async def authenticate_user(\n    api_key: str = Header(),\n) -> User: ...\n"
    assert header_credentials_only([key])
    assert header_credentials_only([b"def who(x_token: str | None = Header(None)): ...\n"])
    assert header_credentials_only([b'def who(k: str = Header(alias="X-API-Key")): ...\n'])
    assert not header_credentials_only([key, b'session = request.cookies.get("sid")\n'])
    assert not header_credentials_only([b"def who(user_agent: str = Header()): ...\n"])


def test_code_and_settings_commented_out_are_neither() -> None:
    """Reader 122: elyte5star's `# app.add_middleware(SessionMiddleware, ...)` beside a
    header-only `JWTBearer(HTTPBearer)`, and YohanGarcia's `.env.example`, whose server
    URL is a comment above the SQLite one the service runs with."""
    bearer = (
        b"from fastapi.security import HTTPBearer\n\n\nclass JWTBearer(HTTPBearer):\n    pass\n"
    )
    main = b"# app.add_middleware(SessionMiddleware, secret_key=key)\napp = FastAPI()\n"
    assert header_credentials_only([bearer, main])
    assert not header_credentials_only([bearer, main.replace(b"# app", b"app")])
    env = b"# DATABASE_URL=postgresql+psycopg://u:p@host:5432/db\nDATABASE_URL=sqlite:///./a.db\n"
    assert sqlite_databases([env])
    assert not sqlite_databases([env.replace(b"# DATABASE_URL", b"DATABASE_URL")])

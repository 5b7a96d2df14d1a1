"""Knowledge across files: models defined in one module, used in another."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from checks.project import ModuleSummary, ProjectIndex, module_name_for
from tests.helpers import checked_package, run_cli, write


@pytest.fixture
def service(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A small service: schemas, ORM models, errors, a route module, a service module."""
    for package in ("app", "app/schemas", "app/api", "app/services"):
        write(tmp_path, f"{package}/__init__.py", "")
    write(tmp_path, "app/schemas/__init__.py", "from .user import UserRead, UserUpdate\n")
    write(
        tmp_path,
        "app/schemas/base.py",
        "from pydantic import BaseModel\n\nclass Schema(BaseModel):\n    pass\n",
    )
    write(
        tmp_path,
        "app/schemas/user.py",
        """
        from app.schemas.base import Schema

        class UserRead(Schema):
            name: str

        class UserUpdate(Schema):
            name: str | None = None
        """,
    )
    write(
        tmp_path,
        "app/models.py",
        """
        class Base:
            def dict(self):
                return {}

        class Incident(Base):
            pass
        """,
    )
    write(
        tmp_path,
        "app/errors.py",
        """
        from fastapi import HTTPException

        class NotFound(HTTPException):
            pass

        class DomainError(Exception):
            pass
        """,
    )
    monkeypatch.chdir(tmp_path)
    return tmp_path


ROUTE = """
from app.models import Incident
from app.schemas import UserRead
from ..schemas.user import UserUpdate


def show(user: UserRead, patch: UserUpdate, incident: Incident):
    return user.dict(), patch.json(), incident.dict()
"""


def _codes_at(stdout: str) -> list[str]:
    findings = [line for line in stdout.splitlines() if ": FG" in line]
    return [line.split(": ")[0] + " " + line.split(": ")[1].split()[0] for line in findings]


def test_models_imported_from_other_modules_are_known(service: Path) -> None:
    write(service, "app/api/routes.py", ROUTE)
    result = run_cli("check", "--select", "FG2")
    assert _codes_at(result.stdout) == [
        "app/api/routes.py:7:12 FG201",
        "app/api/routes.py:7:25 FG202",
    ]


def test_a_single_file_run_reads_the_modules_it_needs_from_disk(service: Path) -> None:
    write(service, "app/api/routes.py", ROUTE)
    result = run_cli("check", "--select", "FG2", "app/api/routes.py")
    assert "Found 2 errors." in result.stdout


def test_the_hook_knows_imported_models(service: Path) -> None:
    path = write(service, "app/api/routes.py", ROUTE)
    payload = {"tool_input": {"file_path": str(path)}, "cwd": str(service)}
    result = run_cli("hook", "claude", stdin=json.dumps(payload).encode())
    reason = json.loads(result.stdout)["reason"]
    assert "FG201" in reason
    assert "FG202" in reason


def test_noqa_applies_to_findings_resolved_across_files(service: Path) -> None:
    write(
        service,
        "app/api/routes.py",
        "from app.schemas import UserRead\n\n"
        "def show(user: UserRead):\n    return user.dict()  # noqa: FG201\n",
    )
    assert run_cli("check", "--select", "FG201").exit_code == 0


def test_inner_config_of_a_model_with_an_imported_base_is_flagged(service: Path) -> None:
    write(
        service,
        "app/schemas/item.py",
        """
        from app.schemas.base import Schema
        from app.models import Base

        class Item(Schema):
            class Config:
                title = "Item"

        class Row(Base):
            class Config:
                title = "Row"
        """,
    )
    result = run_cli("check", "--select", "FG207")
    assert _codes_at(result.stdout) == ["app/schemas/item.py:5:11 FG207"]


def test_http_exception_subclass_imported_into_a_service_is_not_flagged(service: Path) -> None:
    """FG401's scope: HTTPException itself or a subclass defined in the file; the typed
    errors of the project's errors module are the domain errors it asks for."""
    write(
        service,
        "app/services/users.py",
        """
        from app.errors import DomainError, NotFound

        def get(found):
            if not found:
                raise NotFound(404)
            raise DomainError("x")
        """,
    )
    result = run_cli("check", "--select", "FG401")
    assert _codes_at(result.stdout) == []


def test_unknown_modules_do_not_produce_findings(service: Path) -> None:
    write(
        service,
        "app/api/other.py",
        "from thirdparty.models import Thing\n\ndef f(t: Thing):\n    return t.dict(), t.json()\n",
    )
    assert run_cli("check", "--select", "FG2", "app/api/other.py").exit_code == 0


def test_module_names_come_from_the_packages_above(service: Path) -> None:
    assert module_name_for(service / "app" / "schemas" / "user.py") == ("app.schemas.user", False)
    assert module_name_for(service / "app" / "schemas" / "__init__.py") == ("app.schemas", True)
    assert module_name_for(service / "script.py") == ("script", False)
    # a folder without `__init__.py` inside a package is a portion of it, as its importers
    # name it; one in no package names its files alone
    write(service, "app/user/service.py", "")
    write(service, "app/user/deep/er.py", "")
    write(service, "tools/seed.py", "")
    assert module_name_for(service / "app" / "user" / "service.py") == ("app.user.service", False)
    assert module_name_for(service / "app" / "user" / "deep" / "er.py") == (
        "app.user.deep.er",
        False,
    )
    assert module_name_for(service / "tools" / "seed.py") == ("seed", False)
    # nor in a package no import can name (a repository's folder holding `__init__.py`):
    # its `ml/` is imported through `sys.path`, by the file's name
    write(service, "my-repo/__init__.py", "")
    write(service, "my-repo/ml/mapping.py", "")
    assert module_name_for(service / "my-repo" / "ml" / "mapping.py") == ("mapping", False)


def test_index_follows_re_exports_and_bases_without_cycles() -> None:
    index = ProjectIndex(
        [
            ModuleSummary("pkg", {}, {"Model": "pkg.impl.Model"}),
            ModuleSummary(
                "pkg.impl",
                {"pkg.impl.Model": ("pkg.impl.Mid",), "pkg.impl.Mid": ("pydantic.BaseModel",)},
                {},
            ),
            ModuleSummary("loop", {"loop.A": ("loop.B",), "loop.B": ("loop.A",)}, {}),
        ]
    )
    roots = frozenset({"pydantic.BaseModel"})
    assert index.resolve("pkg.Model") == "pkg.impl.Model"
    assert index.derives_from("pkg.Model", roots)
    assert not index.derives_from("loop.A", roots)
    assert not index.derives_from("nowhere.X", roots)


def test_the_screens_ask_of_any_method_of_a_name_reads_every_such_method() -> None:
    """The screen's ask of what an awaited call returned (`ANY_RETURNED`: any class's
    method of that name) holds for a rule when one of those methods blocks its way, not
    only the first read: `Mail.send` requests, `Vault.send` hashes; FG303 asks too."""
    from checks.project import ANY_RETURNED, BLOCKS, Condition

    summaries = [
        ModuleSummary(
            "app.models",
            {"app.models.Mail": ("object",), "app.models.Vault": ("object",)},
            {},
            blocking={
                "app.models.Mail.send": "requests.post",
                "app.models.Vault.send": "bcrypt.checkpw",
            },
        )
    ]
    index = ProjectIndex(summaries, whole_project=True)
    hashing = Condition((f"{ANY_RETURNED}send",), frozenset({"bcrypt.checkpw"}), subject=BLOCKS)
    requesting = Condition((f"{ANY_RETURNED}send",), frozenset({"requests.post"}), subject=BLOCKS)
    other = Condition((f"{ANY_RETURNED}close",), frozenset({"bcrypt.checkpw"}), subject=BLOCKS)
    assert index.holds(hashing)
    assert index.holds(requesting)
    assert not index.holds(other)
    # a run of some files cannot read every class: the file is parsed
    assert ProjectIndex(summaries).holds(other)


@pytest.mark.parametrize("cache", [["--no-cache"], []])
def test_a_base_re_exported_by_a_star_import_is_known(tmp_path: Path, cache: list[str]) -> None:
    """Chatchat's `chatchat/server/pydantic_v2.py` is `from pydantic import *`; its models
    import `BaseModel` from there."""
    write(tmp_path, "pyproject.toml", '[project]\nname = "s"\ndependencies = ["pydantic>=2"]\n')
    write(tmp_path, "app/__init__.py", "")
    write(tmp_path, "app/compat.py", "from pydantic import *  # noqa: F403\n")
    write(tmp_path, "app/more.py", "from app.compat import *  # noqa: F403\n\nVERSION = 2\n")
    schemas = write(
        tmp_path,
        "app/schemas.py",
        "from app.compat import BaseModel\nfrom app.more import Field\n\n\n"
        "class UserRead(BaseModel):\n    name: str = Field()\n\n"
        "    class Config:\n        orm_mode = True\n        extra = 'forbid'\n\n\n"
        "USERS: list[UserRead] = []\n",
    )
    for target in (tmp_path, schemas):
        result = run_cli("check", *cache, "--exit-zero", "--output-format", "json", str(target))
        found = sorted(f["code"] for f in json.loads(result.stdout))
        assert found == ["FG206"]  # the `class Config` is a spelling: named, or new code
    index = ProjectIndex(
        [
            ModuleSummary("app.compat", imports={"*0": "pydantic"}),
            ModuleSummary("app.more", imports={"*0": "app.compat"}),
            ModuleSummary("app.two", imports={"*0": "pydantic", "*1": "attrs"}),
        ]
    )
    assert index.resolve("app.more.BaseModel") == "pydantic.BaseModel"
    assert index.resolve("app.two.BaseModel") == "app.two.BaseModel"  # two candidates


#: A client of another module whose method returns a model (airweave's monke
#: `LLMClient.generate_structured() -> BaseModel`), and an HTTP client's response.
LLM_CLIENT = """
from pydantic import BaseModel

from app.schemas import UserRead


class LLMClient:
    async def generate_structured(self, schema: type[BaseModel], instruction: str) -> BaseModel:
        return schema()

    def read_user(self, name: str) -> UserRead:
        return UserRead(name=name)

    def raw(self) -> dict[str, str]:
        return {}
"""

GENERATION = """
import httpx

from app.client import LLMClient


async def generate(instruction: str) -> str:
    llm = LLMClient()
    artifact = await llm.generate_structured(object, instruction)
    return str(artifact.dict())


def user_json(client: LLMClient, name: str) -> str:
    return client.read_user(name).json()


def raw(client: LLMClient) -> object:
    return client.raw().json()


async def fetched(url: str) -> object:
    async with httpx.AsyncClient() as http:
        response = await http.get(url)
        return response.json()
"""


@pytest.mark.parametrize("alone", [False, True], ids=["project", "file alone"])
def test_a_model_a_method_of_another_modules_class_returns_is_known(
    service: Path, alone: bool
) -> None:
    """`llm.generate_structured(...)` with `llm = LLMClient()` (or `client: LLMClient`):
    the index reads the method's return annotation; a method returning no model, and an
    HTTP client's response, are left alone."""
    write(service, "app/client.py", LLM_CLIENT)
    write(service, "app/generation.py", GENERATION)
    target = service / "app/generation.py" if alone else service
    result = run_cli(
        "check", "--no-cache", "--select", "FG201,FG202", "--output-format", "json", str(target)
    )
    found = sorted(
        (f["code"], f["location"]["row"])
        for f in json.loads(result.stdout)
        if f["filename"].endswith("generation.py")
    )
    assert found == [("FG201", 9), ("FG202", 13)]


#: A project's own compatibility module (evidently's `_pydantic_compat`): its names are
#: the `pydantic.v1` layer under either major version.
COMPAT = """
import pydantic

if pydantic.VERSION.startswith("1"):
    from pydantic import BaseModel
else:
    from pydantic.v1 import BaseModel
"""

COMPAT_USERS = """
from app._pydantic_compat import BaseModel
from app.report import Report
from sdk import Remote


class Result(BaseModel):
    value: int

    def as_dict(self) -> dict:
        return self.dict(exclude={"value"})


def dump(result: Result, report: Report, unknown: object) -> list[object]:
    return [result.dict(exclude_none=True), report.json(include={"a"}), unknown.json(by_alias=True)]


def remote(item: Remote) -> str:
    return item.json(by_alias=True)
"""

#: A class of the project with its own `json(include=...)` (evidently's `Report`).
REPORT = """
import abc


class Display(abc.ABC):
    def json(self, include: object = None) -> str:
        return ""


class Report(Display):
    pass
"""

MAIN_PACKAGE_USERS = COMPAT_USERS.replace("app._pydantic_compat", "app.models")


@pytest.mark.parametrize("alone", [False, True], ids=["project", "file alone"])
def test_a_project_module_re_exporting_the_v1_layer_puts_its_models_on_it(
    service: Path, alone: bool
) -> None:
    """Models of a project module that re-exports `pydantic.v1` are v1 on purpose: no
    `.dict()` / `.json()` finding on them, keyword evidence or not (the fix would raise
    AttributeError); the same code on the main package's `BaseModel` is reported. A
    project class that is no model is left alone though its call has Pydantic's
    keywords; a library's class may be a model."""
    write(service, "app/_pydantic_compat.py", COMPAT)
    write(service, "app/models.py", "from pydantic import BaseModel\n")
    write(service, "app/compat_users.py", COMPAT_USERS)
    write(service, "app/main_users.py", MAIN_PACKAGE_USERS)
    write(service, "app/report.py", REPORT)
    found: dict[str, list[tuple[str, int]]] = {}
    for name in ("compat_users.py", "main_users.py"):
        target = service / "app" / name if alone else service
        result = run_cli(
            "check", "--no-cache", "--select", "FG201,FG202", "--output-format", "json", str(target)
        )
        found[name] = sorted(
            (f["code"], f["location"]["row"])
            for f in json.loads(result.stdout)
            if f["filename"].endswith(name)
        )
    # a library's class (`sdk.Remote`) may be a model: its keywords say so
    assert found["compat_users.py"] == [("FG202", 18)]
    assert found["main_users.py"] == [("FG201", 10), ("FG201", 14), ("FG202", 14), ("FG202", 18)]


@pytest.mark.parametrize("workspace", [True, False], ids=["uv workspace", "two projects"])
def test_a_uv_workspace_member_reads_the_packages_of_the_others(
    tmp_path: Path, workspace: bool
) -> None:
    """`wps_shared` of a sibling member (`packages/*`, each with its own pyproject.toml) is
    installed beside the service: its sync session scope is known there (FG102), in a run
    of the service alone and in a run of the whole workspace. Two unrelated projects do
    not read each other."""
    table = '[tool.uv.workspace]\nmembers = ["packages/*"]\n' if workspace else ""
    write(tmp_path, "backend/pyproject.toml", f"[project]\nname = 'all'\n{table}")
    shared = tmp_path / "backend/packages/shared"
    write(shared, "pyproject.toml", "[project]\nname = 'shared'\n")
    write(shared, "src/shared/__init__.py", "")
    write(
        shared,
        "src/shared/db.py",
        "from sqlalchemy.orm import sessionmaker\n\nSessionLocal = sessionmaker()\n",
    )
    api = tmp_path / "backend/packages/api"
    write(api, "pyproject.toml", "[project]\nname = 'api'\n")
    write(api, "src/app/__init__.py", "")
    write(
        api,
        "src/app/jobs.py",
        "from shared.db import SessionLocal\n\n\n"
        "async def count() -> int:\n"
        "    with SessionLocal() as session:\n"
        "        return session.execute('select 1').scalar()\n",
    )
    for target in (api, tmp_path / "backend"):
        result = run_cli("check", "--no-cache", "--output-format", "json", str(target))
        found = [(Path(f["filename"]).name, f["code"]) for f in json.loads(result.stdout)]
        # (the string is SQL 2.0 refuses: FG112 asks the index as FG102 does)
        expected = [("jobs.py", "FG102"), ("jobs.py", "FG112")]
        assert found == (expected if workspace else []), target


def test_another_name_of_a_session_context_manager_is_followed(tmp_path: Path) -> None:
    """onyx: `get_session_with_shared_schema = get_catalog_session` at module level, and
    an async route of another module opening it in a `with`: a sync session in a
    coroutine (FG102), in a project run and in a run of the route's file alone."""
    write(tmp_path, "pyproject.toml", "[project]\nname = 'tenants'\n")
    for package in ("app", "app/db", "app/api"):
        write(tmp_path, f"{package}/__init__.py", "")
    write(
        tmp_path,
        "app/db/engine.py",
        """
        from collections.abc import Iterator
        from contextlib import contextmanager

        from sqlalchemy import create_engine
        from sqlalchemy.orm import Session

        engine = create_engine("postgresql://localhost/app")


        @contextmanager
        def get_catalog_session() -> Iterator[Session]:
            with Session(engine) as session:
                yield session


        get_session_with_shared_schema = get_catalog_session
        """,
    )
    write(
        tmp_path,
        "app/api/anonymous.py",
        """
        from fastapi import APIRouter

        from app.db.engine import get_session_with_shared_schema

        router = APIRouter()


        @router.post("/login")
        async def login(tenant: str) -> dict[str, str]:
            with get_session_with_shared_schema() as session:
                session.flush()
            return {"tenant": tenant}
        """,
    )
    for target in (tmp_path, tmp_path / "app/api/anonymous.py"):
        result = run_cli(
            "check", "--no-cache", "--select", "FG102", "--output-format", "json", str(target)
        )
        found = [(f["code"], f["location"]["row"]) for f in json.loads(result.stdout)]
        assert found == [("FG102", 10)], result.stdout


BILLING_CLIENT = """
import os
import subprocess
import threading

import requests


def fetch_invoice(tenant: str) -> dict[str, object]:
    return requests.get(f"https://billing.example/{tenant}", timeout=5).json()


def render(path: str) -> None:
    subprocess.run(["convert", path], check=True)


def total(amounts: list[int]) -> int:
    return sum(amounts)


def report_usage(tenant: str) -> None:
    def send() -> None:
        requests.post("https://telemetry.example", json={"t": tenant}, timeout=5)

    threading.Thread(target=send, daemon=True).start()


def purge(tenant: str) -> None:
    os.system(f"rm -rf /tmp/{tenant}")


async def fetch_async(tenant: str) -> None:
    requests.get(f"https://billing.example/{tenant}", timeout=5)


class Portal:
    @staticmethod
    def session(tenant: str) -> str:
        return requests.post("https://billing.example/portal", json={"t": tenant}).text
"""

BILLING_ROUTES = """
import asyncio

from fastapi import APIRouter

from app.billing import client
from app.billing.client import (
    Portal,
    fetch_async,
    fetch_invoice,
    purge,
    render,
    report_usage,
    total,
)

router = APIRouter()


@router.get("/invoice")
async def invoice(tenant: str) -> dict[str, object]:
    total([1, 2])
    report_usage(tenant)
    purge(tenant)
    data = fetch_invoice(tenant)
    await asyncio.to_thread(fetch_invoice, tenant)
    await fetch_async(tenant)
    render("invoice.pdf")
    return {"data": data, "portal": Portal.session(tenant), "again": client.fetch_invoice(tenant)}


@router.get("/sync")
def sync_route(tenant: str) -> dict[str, object]:
    return fetch_invoice(tenant)
"""


@pytest.mark.parametrize("alone", [False, True], ids=["project", "file alone"])
def test_a_sync_helper_of_another_module_that_blocks_is_reported(
    tmp_path: Path, alone: bool
) -> None:
    """onyx's billing routes: an `async def` calling a sync function of another module
    whose body makes a request (`requests.get`) or runs a process (`subprocess.run`,
    `os.system`) blocks the loop as the call itself would (FG302, FG303); a pure
    function, one that posts from a thread it starts (onyx's telemetry), one handed to a
    thread, a coroutine, and a sync route are left alone."""
    write(tmp_path, "pyproject.toml", "[project]\nname = 'billing'\n")
    for package in ("app", "app/billing", "app/api"):
        write(tmp_path, f"{package}/__init__.py", "")
    write(tmp_path, "app/billing/client.py", BILLING_CLIENT)
    write(tmp_path, "app/api/routes.py", BILLING_ROUTES)
    target = tmp_path / "app/api/routes.py" if alone else tmp_path
    result = run_cli(
        "check", "--no-cache", "--select", "FG302,FG303", "--output-format", "json", str(target)
    )
    found = sorted(
        (f["code"], f["location"]["row"], f["location"]["column"])
        for f in json.loads(result.stdout)
        if f["filename"].endswith("routes.py")
    )
    # lines 22-23: `report_usage` posts from a thread it starts (not reported), `purge`
    # runs `os.system`; line 28's `client.fetch_invoice(...)` is the helper line 24
    # already calls: once per helper and function
    assert found == [
        ("FG302", 24, 12),
        ("FG302", 28, 37),
        ("FG303", 23, 5),
        ("FG303", 27, 5),
    ]
    message = next(f["message"] for f in json.loads(result.stdout) if f["code"] == "FG303")
    assert message.startswith("`purge()` is a sync function of `app.billing.client`")
    # the index names the call it read in the helper, not what any such helper may do
    assert "that calls `os.system()`, which blocks" in message


#: FastAPI's security tutorial, spread over two modules: a module-level `CryptContext`,
#: a helper that verifies with it, and one that calls that helper.
SECURITY = """
from passlib.context import CryptContext
from pwdlib import PasswordHash

pwd_context = CryptContext(schemes=["bcrypt"], deprecated="auto")
password_hash = PasswordHash.recommended()


def verify_password(plain: str, hashed: str) -> bool:
    return pwd_context.verify(plain, hashed)


def authenticate_user(users: dict[str, str], email: str, password: str) -> bool:
    stored = users.get(email)
    return stored is not None and verify_password(password, stored)


def get_password_hash(password: str) -> str:
    return password_hash.hash(password)


def needs_rehash(stored: str) -> bool:
    return pwd_context.needs_update(stored)
"""

SECURITY_ROUTES = """
import asyncio

from fastapi import APIRouter

from app.core.security import authenticate_user, get_password_hash, needs_rehash

router = APIRouter()


@router.post("/login")
async def login(email: str, password: str, stored: str) -> bool:
    ok = authenticate_user({email: stored}, email, password)
    needs_rehash(stored)
    await asyncio.to_thread(get_password_hash, password)
    return ok


@router.post("/users")
async def register(password: str) -> str:
    return get_password_hash(password)
"""


@pytest.mark.parametrize("alone", [False, True], ids=["project", "file alone"])
def test_a_helper_of_another_module_that_hashes_a_password_is_reported(
    tmp_path: Path, alone: bool
) -> None:
    """A coroutine calling a sync helper of another module that hashes a password (on a
    module-level `CryptContext` or pwdlib `PasswordHash`), directly or through another
    helper of that module, blocks the loop for the hash's tenth of a second (FG303); a
    hasher's method that hashes nothing (`needs_update`) and a hash run in a thread are
    left alone."""
    write(tmp_path, "pyproject.toml", "[project]\nname = 'auth'\n")
    for package in ("app", "app/core", "app/api"):
        write(tmp_path, f"{package}/__init__.py", "")
    write(tmp_path, "app/core/security.py", SECURITY)
    write(tmp_path, "app/api/routes.py", SECURITY_ROUTES)
    target = tmp_path / "app/api/routes.py" if alone else tmp_path
    result = run_cli(
        "check", "--no-cache", "--select", "FG303", "--output-format", "json", str(target)
    )
    found = [
        (f["location"]["row"], f["message"].split(" is a sync function")[0])
        for f in json.loads(result.stdout)
        if f["filename"].endswith("routes.py")
    ]
    assert found == [(12, "`authenticate_user()`"), (20, "`get_password_hash()`")]
    # a check, not a new hash; CPU work, so a thread, not `make it async`
    assert json.loads(result.stdout)[0]["message"].endswith(
        "that checks a password (`passlib.context.CryptContext.verify()`), which blocks the "
        "event loop inside `async def`: `await asyncio.to_thread(authenticate_user, ...)`"
    )
    # by default a new password hashed on a route that takes no credential (a public
    # sign-up) is reported, as a login's check is
    result = run_cli("check", "--no-cache", "--output-format", "json", str(target))
    found_by_row = {
        f["location"]["row"]: f["message"]
        for f in json.loads(result.stdout)
        if f["filename"].endswith("routes.py") and f["code"] == "FG303"
    }
    assert sorted(found_by_row) == [12, 20]
    assert "on a route that takes no credential, that anyone may call" in found_by_row[20]
    assert "takes no credential" not in found_by_row[12]
    # where the app includes the router behind a dependency, the new hash is an
    # authenticated caller's: held back (a run of the file alone reads the project too)
    write(
        tmp_path,
        "app/main.py",
        "from fastapi import Depends, FastAPI\n\nfrom app.api.routes import router\n"
        "from app.core.auth import current_user\n\napp = FastAPI()\n"
        "app.include_router(router, prefix='/api', dependencies=[Depends(current_user)])\n",
    )
    result = run_cli("check", "--no-cache", "--output-format", "json", str(target))
    assert [
        f["location"]["row"]
        for f in json.loads(result.stdout)
        if f["filename"].endswith("routes.py") and f["code"] == "FG303"
    ] == [12]


#: polars-svelte's `modules/auth/service.py`: one PBKDF2 derivation hashes a new password,
#: the other is compared with the stored digest (a login).
DERIVED = """
import hashlib
import hmac
import os


def hash_password(password: str) -> str:
    salt = os.urandom(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, 600_000)
    return f"{salt.hex()}${digest.hex()}"


def verify_password(password: str, stored: str) -> bool:
    salt, digest = stored.split("$")
    actual = hashlib.pbkdf2_hmac("sha256", password.encode(), bytes.fromhex(salt), 600_000)
    return hmac.compare_digest(actual, bytes.fromhex(digest))
"""

DERIVED_ROUTES = """
from fastapi import APIRouter, Depends
from fastapi.security import OAuth2PasswordBearer

from app.service import hash_password, verify_password

router = APIRouter()
oauth2_scheme = OAuth2PasswordBearer(tokenUrl="login")


@router.post("/login")
async def login(password: str, stored: str) -> bool:
    return verify_password(password, stored)


@router.post("/users")
async def register(password: str, token: str = Depends(oauth2_scheme)) -> str:
    return hash_password(password)
"""


@pytest.mark.parametrize("same_module", [False, True], ids=["imported", "same module"])
def test_a_derivation_compared_with_the_stored_digest_is_a_login_check(
    tmp_path: Path, same_module: bool
) -> None:
    """`hashlib.pbkdf2_hmac` hashes a new password and checks one alike: in a function
    that compares the digest (`hmac.compare_digest`) it is a login's check, reported by
    default, where an authenticated caller's new hash is held back (polars-svelte,
    reader 49)."""
    write(tmp_path, "pyproject.toml", "[project]\nname = 'auth'\n")
    write(tmp_path, "app/__init__.py", "")
    if same_module:
        routes = DERIVED + DERIVED_ROUTES.replace(
            "from app.service import hash_password, verify_password\n", ""
        )
        write(tmp_path, "app/routes.py", routes)
    else:
        write(tmp_path, "app/service.py", DERIVED)
        write(tmp_path, "app/routes.py", DERIVED_ROUTES)
    result = run_cli("check", "--no-cache", "--output-format", "json", str(tmp_path))
    found = [
        f["message"].split("()`")[0]
        for f in json.loads(result.stdout)
        if f["filename"].endswith("routes.py") and f["code"] == "FG303"
    ]
    assert found == ["`verify_password"]
    assert "`hashlib.pbkdf2_hmac()`" in json.loads(result.stdout)[0]["message"]
    named = run_cli(
        "check", "--no-cache", "--select", "FG303", "--output-format", "json", str(tmp_path)
    )
    assert len(json.loads(named.stdout)) == 2


#: axergy's `core/security/crypto.py`: the hasher comes from a function of the module
#: whose return annotation names its class.
FACTORY_HASHER = """
import argon2


def _create_password_hasher() -> argon2.PasswordHasher:
    return argon2.PasswordHasher(time_cost=2)


_password_hasher = _create_password_hasher()


def verify_password(password: str, hashed: str) -> bool:
    try:
        return _password_hasher.verify(hashed, password)
    except argon2.exceptions.VerifyMismatchError:
        return False
"""


@pytest.mark.parametrize("same_module", [False, True], ids=["imported", "same module"])
def test_a_hasher_a_function_of_the_module_makes_is_followed(
    tmp_path: Path, same_module: bool
) -> None:
    """A module-level hasher bound to what a function of the module returns, annotated
    `-> argon2.PasswordHasher` (axergy's login, reader 50): its `verify` in a helper a
    coroutine calls is a password check on the loop (FG303)."""
    write(tmp_path, "pyproject.toml", "[project]\nname = 'auth'\n")
    write(tmp_path, "app/__init__.py", "")
    routes = (
        "from fastapi import APIRouter\n\n"
        "from app.crypto import verify_password\n\n"
        "router = APIRouter()\n\n\n"
        "@router.post('/login')\n"
        "async def login(password: str, stored: str) -> bool:\n"
        "    return verify_password(password, stored)\n"
    )
    if same_module:
        write(
            tmp_path,
            "app/routes.py",
            FACTORY_HASHER + routes.replace("from app.crypto import verify_password\n", ""),
        )
    else:
        write(tmp_path, "app/crypto.py", FACTORY_HASHER)
        write(tmp_path, "app/routes.py", routes)
    result = run_cli("check", "--no-cache", "--output-format", "json", str(tmp_path))
    found = [
        f["message"].split("()`")[0]
        for f in json.loads(result.stdout)
        if f["filename"].endswith("routes.py") and f["code"] == "FG303"
    ]
    assert found == ["`verify_password"]


#: A service module of sync methods: hng-boilerplate's `fb_user_service`, whisperx's
#: `FileService`.
SERVICE_OBJECTS = """
import requests


class FacebookService:
    def validate_token(self, token: str) -> bool:
        return requests.get("https://graph.facebook.com/me", params={"t": token}).ok


class FileService:
    @staticmethod
    def download_from_url(url: str) -> bytes:
        return requests.get(url, timeout=30).content

    def extension(self, name: str) -> str:
        return name.rpartition(".")[2]


fb_user_service = FacebookService()
"""

SERVICE_OBJECT_ROUTES = """
from typing import Annotated

from fastapi import APIRouter, Depends

from app.services import FileService, fb_user_service, get_file_service

router = APIRouter()


@router.post("/facebook")
async def facebook_login(token: str) -> bool:
    return fb_user_service.validate_token(token)


@router.post("/transcribe")
async def transcribe(url: str, files: FileService = Depends(get_file_service)) -> int:
    files.extension(url)
    return len(files.download_from_url(url))


@router.post("/fetch")
async def fetch(url: str, files: Annotated[FileService, Depends(get_file_service)]) -> int:
    return len(files.download_from_url(url))
"""


def test_a_method_of_another_modules_service_object_that_blocks_is_reported(
    tmp_path: Path,
) -> None:
    """A coroutine calling a sync method that makes a blocking request, of a module-level
    instance imported from another module (hng-boilerplate's `fb_user_service`) or of a
    parameter annotated with another module's class (whisperx's `FileService` from
    `Depends`), blocks the loop (FG302, readers 48 and 49); a method that blocks nothing
    (`extension`) is left alone."""
    write(tmp_path, "pyproject.toml", "[project]\nname = 'svc'\n")
    write(tmp_path, "app/__init__.py", "")
    write(
        tmp_path,
        "app/services.py",
        SERVICE_OBJECTS + "\n\ndef get_file_service() -> FileService:\n    return FileService()\n",
    )
    write(tmp_path, "app/routes.py", SERVICE_OBJECT_ROUTES)
    result = run_cli("check", "--no-cache", "--output-format", "json", str(tmp_path))
    found = [
        (f["location"]["row"], f["message"].split(" that ")[0])
        for f in json.loads(result.stdout)
        if f["code"] == "FG302"
    ]
    assert found == [
        (
            12,
            "`fb_user_service.validate_token()` is a sync method of `app.services.fb_user_service`",
        ),
        (18, "`files.download_from_url()` is a sync method of `app.services.FileService`"),
        (23, "`files.download_from_url()` is a sync method of `app.services.FileService`"),
    ]


#: keep's `db.py`: sync helpers that open their own session, and one that posts instead.
SESSION_HELPERS = """
import requests
from sqlmodel import Session, create_engine, select

engine = create_engine("postgresql://db/app")


def get_rule(rule_id: int) -> object:
    with Session(engine) as session:
        return session.exec(select(object)).first()


def notify(url: str) -> None:
    requests.post(url, timeout=5)
    with Session(engine) as session:
        session.commit()


def slugify(name: str) -> str:
    return name.lower()


async def get_rule_async(rule_id: int) -> object:
    return rule_id
"""

SESSION_HELPER_USERS = """
import asyncio

from app.db import get_rule, get_rule_async, notify, slugify


async def read(rule_id: int) -> object:
    return get_rule(rule_id)


async def awaited(rule_id: int) -> object:
    return await get_rule_async(rule_id)


async def in_a_thread(rule_id: int) -> object:
    return await asyncio.to_thread(get_rule, rule_id)


async def posts(url: str) -> None:
    notify(url)


async def pure(name: str) -> str:
    return slugify(name)


def sync_route(rule_id: int) -> object:
    return get_rule(rule_id)
"""


@pytest.mark.parametrize("alone", [False, True], ids=["project", "file alone"])
def test_a_coroutine_calling_a_helper_that_opens_a_sync_session_is_reported(
    service: Path, alone: bool
) -> None:
    """keep's async routes call `db.py` functions that open `Session(engine)` (the
    twenty-second reader's ten misses): the queries run in the coroutine (FG102). Not an
    awaited coroutine function, one handed to a thread, a helper that opens no session,
    nor a sync route; a helper that also posts is FG302's, reported once."""
    write(service, "app/db.py", SESSION_HELPERS)
    write(service, "app/rules.py", SESSION_HELPER_USERS)
    target = service / "app/rules.py" if alone else service
    result = run_cli("check", "--no-cache", "--output-format", "json", str(target))
    found = sorted(
        (f["code"], f["location"]["row"])
        for f in json.loads(result.stdout)
        if f["filename"].endswith("rules.py")
    )
    assert found == [("FG102", 7), ("FG302", 19)]


def test_a_namespace_package_the_checked_file_lies_in_is_searched(tmp_path: Path) -> None:
    """The scraper's `app/web/manager/user.py` imports `web.models.user`: `web/` has no
    `__init__.py`, the service runs from `app/`. The model is found, run on one file or
    on the tree."""
    (tmp_path / ".git").mkdir()
    write(tmp_path, "app/requirements.txt", "pydantic==2.7.4\nsqlmodel==0.0.19\n")
    write(tmp_path, "app/web/models/__init__.py", "")
    write(
        tmp_path,
        "app/web/models/user.py",
        """
        from sqlmodel import SQLModel


        class User(SQLModel, table=True):
            email: str
        """,
    )
    write(tmp_path, "app/web/manager/__init__.py", "")
    checked = write(
        tmp_path,
        "app/web/manager/user.py",
        """
        from web.models.user import User


        def create(data):
            return User.from_orm(data)
        """,
    )
    for target in (checked, tmp_path):
        result = run_cli("check", "--no-cache", "--select", "FG205", str(target))
        assert "manager/user.py:5:12: FG205" in result.stdout, result.stdout
    # a folder beside the file's own is no namespace package of it
    write(tmp_path, "app/other/models/user.py", "class User:\n    pass\n")
    write(
        tmp_path,
        "app/web/manager/other.py",
        "from other.models.user import User\n\n\ndef make(data):\n    return User.from_orm(data)\n",
    )
    result = run_cli(
        "check", "--no-cache", "--select", "FG205", str(tmp_path / "app/web/manager/other.py")
    )
    assert "FG205" not in result.stdout, result.stdout


def test_a_folder_without_init_inside_a_package_is_a_namespace_portion_of_it(
    tmp_path: Path,
) -> None:
    """Langchain-Chatchat's `libs/chatchat-server/chatchat/server/api_server/` has no
    `__init__.py` inside the package `chatchat.server`, under a folder that is no
    identifier: `from .api_schemas import *` there made the index look up the module
    `.api_schemas`, then `''`, and the run stopped with an internal error. The folder is
    `chatchat.server.api_server`, as the import system finds it once the package is
    imported: its relative imports resolve, and a run never fails on one that does not."""
    (tmp_path / ".git").mkdir()
    write(tmp_path, "pyproject.toml", "")
    write(tmp_path, "my-lib/pkg/__init__.py", "")
    write(
        tmp_path,
        "my-lib/pkg/sub/schemas.py",
        "from pydantic import BaseModel\n\n\nclass A(BaseModel):\n    x: int\n",
    )
    routes = """
        from fastapi import APIRouter

        from .schemas import *
        {model_import}

        router = APIRouter()


        def _file_id(name: str) -> str:
            return name


        @router.get("/files/{{name}}")
        async def files(name: str) -> str:
            return _file_id(name)


        def dump(a: A) -> dict[str, int]:
            return a.dict()
        """
    write(tmp_path, "my-lib/pkg/sub/routes.py", routes.format(model_import=""))
    result = run_cli("check", "--no-cache", str(tmp_path))
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    explicit = routes.format(model_import="from .schemas import A")
    write(tmp_path, "my-lib/pkg/sub/routes.py", explicit)
    for target in (tmp_path, tmp_path / "my-lib/pkg/sub/routes.py"):
        result = run_cli("check", "--no-cache", "--select", "FG201", str(target))
        assert "routes.py:19:12: FG201" in result.stdout, result.stdout


_checked_package = checked_package


#: A module of sync helpers around SDK clients (realestate's storage and vision helpers,
#: cazlo's `MinioRepository`): a module-level client, one made in the helper, one given
#: as an annotated parameter, and one `__init__` binds to `self`.
CLIENT_HELPERS = """
import boto3
from google.cloud.storage import Client
from google.cloud.vision import ImageAnnotatorClient
from minio import Minio

s3 = boto3.client("s3")
storage = Client()


def put(key: str, body: bytes) -> None:
    s3.put_object(Bucket="media", Key=key, Body=body)


def bucket_of(name: str):
    return storage.bucket(name)


def fetch(name: str) -> bytes:
    return storage.get_bucket("media").blob(name).download_as_bytes()


def scan(image, client: ImageAnnotatorClient) -> bool:
    return client.safe_search_detection(image=image) is not None


def presign(key: str) -> str:
    return s3.generate_presigned_url("get_object", Params={"Key": key})


class MinioRepository:
    def __init__(self, url: str) -> None:
        self.client = Minio(url)

    def upload(self, name: str, data) -> None:
        self.client.put_object("media", name, data, length=-1)

    def link(self, name: str) -> str:
        return self.client.presigned_get_object("media", name)


async def store(key: str, body: bytes) -> None:
    put(key, body)
"""

CLIENT_HELPER_ROUTES = """
from fastapi import Depends

from app.clients import MinioRepository, bucket_of, fetch, presign, put, scan


def get_repo() -> MinioRepository:
    return MinioRepository("minio:9000")


async def upload(key: str, body: bytes, repo: MinioRepository = Depends(get_repo)) -> str:
    put(key, body)
    fetch(key)
    scan(body, None)
    bucket_of(key)
    repo.upload(key, body)
    repo.link(key)
    return presign(key)
"""


def test_a_sync_helper_that_sends_through_a_sync_client_is_reported(tmp_path: Path) -> None:
    """A coroutine calling a sync helper whose body sends a request through a sync SDK
    client (FG302's clients) blocks the loop, in another module or the same one (readers
    56 and 57: realestate's Google Cloud helpers, cazlo's MinIO repository); a helper whose
    calls send nothing (`bucket()`, boto3's and MinIO's local presigning: Max-ghub's,
    reader 110) is left alone."""
    checked = _checked_package(
        tmp_path, {"app/clients.py": CLIENT_HELPERS, "app/routes.py": CLIENT_HELPER_ROUTES}
    )
    found = [
        (Path(f["filename"]).name, f["location"]["row"], f["message"].split(", which")[0])
        for f in checked
        if f["code"] == "FG302"
    ]
    assert found == [
        ("clients.py", 42, "`put()` calls `put_object()` on a sync `boto3.client` client"),
        (
            "routes.py",
            11,
            "`put()` is a sync function of `app.clients` that calls `put_object()` on a sync "
            "`boto3.client` client",
        ),
        (
            "routes.py",
            12,
            "`fetch()` is a sync function of `app.clients` that calls `get_bucket()` on a sync "
            "`google.cloud.storage.Client` client",
        ),
        (
            "routes.py",
            13,
            "`scan()` is a sync function of `app.clients` that calls `safe_search_detection()` "
            "on a sync `google.cloud.vision.ImageAnnotatorClient` client",
        ),
        (
            "routes.py",
            15,
            "`repo.upload()` is a sync method of `app.clients.MinioRepository` that calls "
            "`put_object()` on a sync `minio.Minio` client",
        ),
    ]


#: A model whose method checks a password (movies' `User.check_password`).
HASHING_MODEL = """
import bcrypt
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str]
    hashed: Mapped[bytes]

    def check_password(self, password: str) -> bool:
        return bcrypt.checkpw(password.encode(), self.hashed)

    def display(self) -> str:
        return self.email
"""

QUERIED_ROWS = """
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import User


async def login(db: AsyncSession, email: str, password: str) -> bool:
    result = await db.execute(select(User).filter_by(email=email))
    user = result.scalar_one_or_none()
    return user is not None and user.check_password(password)


async def login_scalar(session: AsyncSession, email: str, password: str) -> bool:
    user = await session.scalar(select(User).where(User.email == email))
    user.display()
    return user.check_password(password)


async def by_id(session: AsyncSession, pk: int, password: str) -> bool:
    user = await session.get(User, pk)
    return user.check_password(password)


async def from_cache(cache, password: str) -> bool:
    user = await cache.get(User, 1)
    return user.check_password(password)
"""


def test_a_method_of_a_queried_row_that_hashes_is_reported(tmp_path: Path) -> None:
    """A coroutine calling a model's method that checks a password, on the row it queried
    (`select(User)` run by `execute`/`scalar`, or `session.get(User, pk)`), blocks the
    loop (reader 56: movies' login, `user.check_password(password)`); a method that hashes
    nothing, and a row from what is not a session, are left alone."""
    checked = _checked_package(
        tmp_path, {"app/models.py": HASHING_MODEL, "app/auth.py": QUERIED_ROWS}
    )
    found = [(f["code"], f["location"]["row"], f["message"].split(" that ")[0]) for f in checked]
    method = "`user.check_password()` is a sync method of `app.models.User`"
    assert found == [("FG303", 10, method), ("FG303", 16, method), ("FG303", 21, method)]


def test_a_row_of_a_statement_bound_to_a_name_is_followed(tmp_path: Path) -> None:
    """Liliyakhu's login (reader 131): `stmt = select(UserModel).filter_by(...)`, then
    `result = await db.execute(stmt)` and `user = result.scalars().first()`: the row of
    the statement the name holds, as of one written in the call."""
    routes = (
        "from sqlalchemy import select\nfrom sqlalchemy.ext.asyncio import AsyncSession\n\n"
        "from app.models import User\n\n\n"
        "async def login(db: AsyncSession, email: str, password: str) -> bool:\n"
        "    stmt = select(User).filter_by(email=email)\n"
        "    result = await db.execute(stmt)\n"
        "    user = result.scalars().first()\n"
        "    return user is not None and user.check_password(password)\n"
    )
    checked = _checked_package(tmp_path, {"app/models.py": HASHING_MODEL, "app/auth.py": routes})
    assert [(f["code"], f["location"]["row"]) for f in checked] == [("FG303", 11)]


def test_a_method_of_what_an_awaited_call_returned_that_hashes_is_reported(
    tmp_path: Path,
) -> None:
    """Vorongor's and Udemezue12's logins (readers 127 and 126): `user = await
    _get_user_by_email(...)` (a function annotated `-> UserModel`) or `await
    self.repo.get_by_email(...)` (a repository's method `-> User | None`, `self.repo`
    annotated in `__init__`, also from a function nested in the method), then
    `user.check_password(password)`, a model method that checks with bcrypt: named by the
    class the annotation gives. A method that hashes nothing, and what a function
    returns that is no class of the project, are left alone."""
    repo = (
        "from app.models import User\n\n\n"
        "class AuthRepo:\n    def __init__(self, db) -> None:\n        self.db = db\n\n"
        "    async def get_by_email(self, email: str) -> User | None:\n"
        "        return await self.db.get(User, email)\n\n\n"
        "async def get_user(email: str) -> User:\n    return User()\n\n\n"
        "async def anything(email: str):\n    return dict(email=email)\n"
    )
    service = (
        "from app.repo import AuthRepo, anything, get_user\n\n\n"
        "class AuthService:\n    def __init__(self, db) -> None:\n"
        "        self.repo: AuthRepo = AuthRepo(db)\n\n"
        "    async def login(self, email: str, password: str) -> bool:\n"
        "        user = await self.repo.get_by_email(email)\n"
        "        return bool(user and user.check_password(password))\n\n"
        "    async def login_nested(self, email: str, password: str) -> bool:\n"
        "        async def handler() -> bool:\n"
        "            user = await self.repo.get_by_email(email)\n"
        "            return bool(user and user.check_password(password))\n\n"
        "        return await handler()\n\n\n"
        "async def login_plain(email: str, password: str) -> bool:\n"
        "    user = await get_user(email)\n"
        "    user.display()\n"
        "    return user.check_password(password)\n\n\n"
        "async def unannotated(email: str, password: str) -> bool:\n"
        "    user = await anything(email)\n"
        "    return user.check_password(password)\n\n\n"
        "service = AuthService(None)\n\n\n"
        "async def both() -> None:\n"
        "    await service.login('a', 'b')\n    await service.login_nested('a', 'b')\n"
        "    await login_plain('a', 'b')\n"
    )
    checked = _checked_package(
        tmp_path, {"app/models.py": HASHING_MODEL, "app/repo.py": repo, "app/service.py": service}
    )
    found = [(f["code"], f["location"]["row"], f["message"].split(" that ")[0]) for f in checked]
    method = "`user.check_password()` is a sync method of `app.models.User`"
    assert found == [("FG303", 10, method), ("FG303", 15, method), ("FG303", 23, method)]


def test_a_method_that_calls_another_modules_password_helper_is_followed(
    tmp_path: Path,
) -> None:
    """A model method that checks a password through a helper of another module
    (uuipdemo's `User.check_password` calling `verify_password` of `app.core.password`,
    reader 56): the summary records the call, the index follows it to the hash; a helper
    of another module that hashes nothing is no blocking call."""
    password = (
        "from pwdlib import PasswordHash\n\nhasher = PasswordHash.recommended()\n\n\n"
        "def verify_password(plain: str, hashed: str) -> bool:\n"
        "    return hasher.verify(plain, hashed)\n\n\n"
        "def password_policy(plain: str) -> bool:\n    return len(plain) > 8\n"
    )
    model = (
        "from app.password import password_policy, verify_password\n\n\n"
        "class User:\n    password: str\n\n"
        "    def check_password(self, plain: str) -> bool:\n"
        "        return verify_password(plain, self.password)\n\n"
        "    def strong(self, plain: str) -> bool:\n        return password_policy(plain)\n"
    )
    routes = (
        "from sqlalchemy import select\nfrom sqlalchemy.ext.asyncio import AsyncSession\n\n"
        "from app.models import User\n\n\n"
        "async def login(session: AsyncSession, name: str, plain: str) -> bool:\n"
        "    user = await session.scalar(select(User).where(User.name == name))\n"
        "    return user.strong(plain) and user.check_password(plain)\n"
    )
    checked = _checked_package(
        tmp_path, {"app/password.py": password, "app/models.py": model, "app/auth.py": routes}
    )
    assert [
        (f["code"], f["location"]["row"], f["message"].split(", which")[0]) for f in checked
    ] == [
        (
            "FG303",
            9,
            "`user.check_password()` is a sync method of `app.models.User` that checks a "
            "password (`pwdlib.PasswordHash.verify()`)",
        )
    ]


def test_another_modules_helper_making_an_sdk_resources_request_is_reported(
    tmp_path: Path,
) -> None:
    """JoeWat2005's Stripe webhook (reader 76) calls `_safe_stripe_subscription_refresh`
    of `app.core.utils`, which runs `stripe.Subscription.retrieve(...)`: a request, as
    through a sync client; one that awaits the `_async` twin, or a resource's method
    that sends nothing, is none."""
    utils = (
        "import stripe as stripe_api\n\n\n"
        "def refresh(subscription_id: str) -> object:\n"
        "    return stripe_api.Subscription.retrieve(subscription_id)\n\n\n"
        "def build(data: dict) -> object:\n"
        "    return stripe_api.Subscription.construct_from(data, 'key')\n"
    )
    webhook = (
        "from app.utils import build, refresh\n\n\n"
        "async def on_event(subscription_id: str, data: dict) -> None:\n"
        "    build(data)\n"
        "    refresh(subscription_id)\n"
    )
    checked = _checked_package(tmp_path, {"app/utils.py": utils, "app/webhook.py": webhook})
    assert [(f["code"], f["location"]["row"]) for f in checked] == [("FG302", 6)]
    assert checked[0]["message"].startswith(
        "`refresh()` is a sync function of `app.utils` that calls "
        "`stripe.Subscription.retrieve()`, which blocks the event loop"
    )


def test_a_service_attribute_whose_method_checks_a_password_is_followed(
    tmp_path: Path,
) -> None:
    """Forgot-0's login handler (reader 77): a dataclass whose `hash_service:
    HashService` field is a class of another module, whose `verify_password` calls
    `self.pwd_context.verify(...)` on the `CryptContext` the class annotates; and a
    class whose `__init__` takes the service, and makes its own hasher."""
    hashing = (
        "from argon2 import PasswordHasher\n"
        "from passlib.context import CryptContext\n\n\n"
        "class HashService:\n"
        "    pwd_context: CryptContext\n\n"
        "    def verify_password(self, plain: str, hashed: str) -> bool:\n"
        "        return self.pwd_context.verify(plain, hashed)\n\n"
        "    def describe(self) -> str:\n"
        "        return 'argon2'\n\n\n"
        "class Argon:\n"
        "    def __init__(self) -> None:\n"
        "        self.hasher = PasswordHasher()\n\n"
        "    def check(self, hashed: str, plain: str) -> bool:\n"
        "        return self.hasher.verify(hashed, plain)\n"
    )
    login = (
        "from dataclasses import dataclass\n\n"
        "from app.hashing import Argon, HashService\n\n\n"
        "@dataclass\n"
        "class Login:\n"
        "    hash_service: HashService\n\n"
        "    async def handle(self, plain: str, hashed: str) -> bool:\n"
        "        self.hash_service.describe()\n"
        "        return self.hash_service.verify_password(plain, hashed)\n\n\n"
        "class Other:\n"
        "    def __init__(self, argon: Argon) -> None:\n"
        "        self.argon = argon\n\n"
        "    async def handle(self, plain: str, hashed: str) -> bool:\n"
        "        return self.argon.check(hashed, plain)\n\n\n"
        "HANDLERS = (Login, Other)\n\n\n"
        "async def dispatch(plain: str, hashed: str) -> list[bool]:\n"
        "    return [await handler.handle(plain, hashed) for handler in HANDLERS]\n"
    )
    checked = _checked_package(tmp_path, {"app/hashing.py": hashing, "app/login.py": login})
    assert [(f["code"], f["location"]["row"]) for f in checked] == [("FG303", 12), ("FG303", 20)]
    assert checked[0]["message"].startswith(
        "`self.hash_service.verify_password()` is a sync method of `app.hashing.HashService` "
        "that checks a password (`passlib.context.CryptContext.verify()`)"
    )


def test_a_service_attribute_made_in_a_method_whose_method_checks_a_password_is_followed(
    tmp_path: Path,
) -> None:
    """pkrecz's admin service (reader 170): `self.auth = AuthenticationRepository(self.db,
    UserModel)` in `__init__`, then `self.auth.verify_password(...)` in a coroutine, where
    the repository runs `bcrypt.checkpw`; also made in a base class of the file, and by a
    function of the file annotated with the class. The structural screen let the file
    through only for an attribute annotated or taken as an annotated parameter: the
    finding came only without it."""
    repository = (
        "import bcrypt\n\n\n"
        "class AuthenticationRepository:\n"
        "    def __init__(self, db, model) -> None:\n"
        "        self.db = db\n\n"
        "    def verify_password(self, password: str, hashed: str) -> bool:\n"
        "        return bcrypt.checkpw(password.encode(), hashed.encode())\n"
    )
    service = (
        "from app.repository import AuthenticationRepository\n\n\n"
        "def make_auth(db) -> AuthenticationRepository:\n"
        "    return AuthenticationRepository(db, None)\n\n\n"
        "class AuthenticationService:\n"
        "    def __init__(self, db) -> None:\n"
        "        self.auth = AuthenticationRepository(db, None)\n\n"
        "    async def change_password(self, old: str, hashed: str) -> bool:\n"
        "        return self.auth.verify_password(old, hashed)\n\n\n"
        "class Base:\n"
        "    def __init__(self, db) -> None:\n"
        "        self.checker = make_auth(db)\n\n\n"
        "class Login(Base):\n"
        "    async def login(self, plain: str, hashed: str) -> bool:\n"
        "        return self.checker.verify_password(plain, hashed)\n"
    )
    routes = (
        "from app.service import AuthenticationService, Login\n\n\n"
        "async def run(service: AuthenticationService, login: Login) -> None:\n"
        "    await service.change_password('old', 'hash')\n"
        "    await login.login('plain', 'hash')\n"
    )
    files = {"app/repository.py": repository, "app/service.py": service, "app/routes.py": routes}
    checked = _checked_package(tmp_path, files)
    assert [(f["code"], f["location"]["row"]) for f in checked] == [("FG303", 13), ("FG303", 23)]


def test_another_modules_password_hasher_called_in_a_coroutine_is_reported(
    tmp_path: Path,
) -> None:
    """djccnt15's async login (reader 75): `security.pwd_context.verify(...)`, the
    `CryptContext` of `src.core.security`, imported as a module or by name; its
    `identify()` hashes nothing, and a new password hashed waits for new code or the
    rule named (as the module's own hasher's `hash()`)."""
    security = (
        "from passlib.context import CryptContext\n\n"
        'pwd_context = CryptContext(schemes=["argon2"])\n'
    )
    login = (
        "from app import security\nfrom app.security import pwd_context\n\n\n"
        "async def login(plain: str, hashed: str) -> bool:\n"
        "    return security.pwd_context.verify(secret=plain, hash=hashed)\n\n\n"
        "async def check(plain: str, hashed: str) -> bool:\n"
        "    known = pwd_context.identify(hashed) is not None\n"
        "    return known and pwd_context.verify(plain, hashed)\n\n\n"
        "async def sign_up(plain: str) -> str:\n"
        "    return pwd_context.hash(plain)\n"
    )
    checked = _checked_package(tmp_path, {"app/security.py": security, "app/auth.py": login})
    assert [(f["code"], f["location"]["row"]) for f in checked] == [("FG303", 6), ("FG303", 11)]
    assert checked[0]["message"].startswith(
        "`security.pwd_context.verify()` is a sync method of `app.security.pwd_context` that "
        "checks a password (`passlib.context.CryptContext.verify()`)"
    )


def test_a_password_hasher_an_instance_was_given_is_followed(tmp_path: Path) -> None:
    """ar-russ's `AuthenticationManager` (reader 181) takes its `CryptContext` in
    `__init__` (`context: CryptContext`); the service that holds the manager checks a
    password through it in a coroutine (`self._auth_manager.is_password_valid(...)`):
    FG303, as for a hasher the module makes; its new password's hash waits for new code
    or the rule named."""
    security = (
        "from passlib.context import CryptContext\n\n\n"
        "class AuthenticationManager:\n"
        "    def __init__(self, context: CryptContext) -> None:\n"
        "        self._context = context\n\n"
        "    def hash_password(self, password: str) -> str:\n"
        "        return self._context.hash(password)\n\n"
        "    def is_password_valid(self, plain: str, hashed: str) -> bool:\n"
        "        return self._context.verify(plain, hashed)\n"
    )
    service = (
        "from app.security import AuthenticationManager\n\n\n"
        "class AuthService:\n"
        "    def __init__(self, auth_manager: AuthenticationManager) -> None:\n"
        "        self._auth_manager = auth_manager\n\n"
        "    async def login(self, plain: str, hashed: str) -> bool:\n"
        "        return self._auth_manager.is_password_valid(plain, hashed)\n\n"
        "    async def change(self, plain: str) -> str:\n"
        "        return self._auth_manager.hash_password(plain)\n"
    )
    routes = (
        "from app.service import AuthService\n\n\n"
        "async def login(service: AuthService) -> bool:\n"
        "    return await service.login('plain', 'hash')\n"
    )
    files = {"app/security.py": security, "app/service.py": service, "app/routes.py": routes}
    checked = _checked_package(tmp_path, files)
    assert [(f["code"], f["location"]["row"]) for f in checked] == [("FG303", 9)]
    assert "checks a password (`passlib.context.CryptContext.verify()`)" in checked[0]["message"]


def test_a_method_of_a_class_of_the_module_an_attribute_holds_is_followed(
    tmp_path: Path,
) -> None:
    """FranFerd's sign-up (reader 182): `self.helper.check(...)` in a coroutine, where
    `self.helper = AuthServiceHelper(db)` is a class of the same module whose sync
    method calls another module's hasher: the index knows the method by the module's
    name, as it knows another module's class."""
    security = (
        "import argon2\n\n\n"
        "class Hasher:\n"
        "    def __init__(self) -> None:\n"
        "        self.ph = argon2.PasswordHasher()\n\n"
        "    def verify_password(self, hashed: str, password: str) -> bool:\n"
        "        return self.ph.verify(hashed, password)\n\n\n"
        "hasher = Hasher()\n"
    )
    service = (
        "from app.security import hasher\n\n\n"
        "class AuthService:\n"
        "    def __init__(self, db) -> None:\n"
        "        self.helper = AuthServiceHelper(db)\n\n"
        "    async def login(self, hashed: str, password: str) -> bool:\n"
        "        return self.helper.check(hashed, password)\n\n\n"
        "class AuthServiceHelper:\n"
        "    def __init__(self, db) -> None:\n"
        "        self.db = db\n\n"
        "    def check(self, hashed: str, password: str) -> bool:\n"
        "        return hasher.verify_password(hashed, password)\n"
    )
    routes = (
        "from app.service import AuthService\n\n\n"
        "async def login(service: AuthService) -> bool:\n"
        "    return await service.login('hash', 'plain')\n"
    )
    files = {"app/security.py": security, "app/service.py": service, "app/routes.py": routes}
    checked = _checked_package(tmp_path, files)
    assert [(f["code"], f["location"]["row"]) for f in checked] == [("FG303", 9)]
    assert (
        "`self.helper.check()` is a sync method of `app.service.AuthServiceHelper`"
        in (checked[0]["message"])
    )


def test_an_http_error_another_module_made_raised_in_a_service_is_reported(
    tmp_path: Path,
) -> None:
    """`raise credentials_exception` in a service, the instance made once in another
    module (`credentials_exception = HTTPException(401)`), is HTTPException in the service
    layer as `raise HTTPException(401)` is (reader 58: prometheus' services); a domain
    error of that module is not."""
    errors = (
        "from fastapi import HTTPException, status\n\n"
        "credentials_exception = HTTPException(status.HTTP_401_UNAUTHORIZED, 'no')\n"
        "UserExists = HTTPException(409, 'taken')\n\n\n"
        "class NotFound(Exception):\n    pass\n\n\n"
        "missing = NotFound()\n"
    )
    service = (
        "from app import errors\n"
        "from app.errors import UserExists, credentials_exception, missing\n\n\n"
        "async def login(user) -> None:\n"
        "    if user is None:\n        raise credentials_exception\n\n\n"
        "async def register(taken: bool) -> None:\n    if taken:\n        raise UserExists\n"
        "    raise errors.credentials_exception\n\n\n"
        "async def find(user) -> None:\n    raise missing\n"
    )
    write(tmp_path, "pyproject.toml", "[project]\nname = 'svc'\n")
    write(tmp_path, "app/__init__.py", "")
    write(tmp_path, "app/errors.py", errors)
    write(tmp_path, "app/services/__init__.py", "")
    write(tmp_path, "app/services/users.py", service)
    result = run_cli(
        "check", "--no-cache", "--select", "FG401", "--output-format", "json", str(tmp_path)
    )
    rows = [(Path(f["filename"]).name, f["location"]["row"]) for f in json.loads(result.stdout)]
    assert rows == [("users.py", 7), ("users.py", 12), ("users.py", 13)]


def test_a_module_client_set_to_none_where_making_it_failed_is_still_its_client(
    tmp_path: Path,
) -> None:
    """`vo_client = voyageai.Client(...)` in a `try`, `vo_client = None` in its `except`
    (rbacblog's embeddings, reader 60): the helper that embeds through it blocks."""
    embedding = (
        "import voyageai\n\ntry:\n    vo_client = voyageai.Client()\nexcept Exception:\n"
        "    vo_client = None\n\n\n"
        "def get_embedding(text: str) -> list[float]:\n"
        "    if not vo_client:\n        return []\n"
        "    return vo_client.embed([text], model='voyage-4').embeddings[0]\n"
    )
    routes = (
        "from app.embedding import get_embedding\n\n\n"
        "async def search(text: str) -> list[float]:\n    return get_embedding(text)\n"
    )
    checked = _checked_package(tmp_path, {"app/embedding.py": embedding, "app/posts.py": routes})
    assert [(f["code"], f["message"].split(", which")[0]) for f in checked] == [
        (
            "FG302",
            "`get_embedding()` is a sync function of `app.embedding` that calls `embed()` on "
            "a sync `voyageai.Client` client",
        )
    ]


def test_another_modules_sync_client_called_in_a_coroutine_is_reported(tmp_path: Path) -> None:
    """waruingugi's `redis = cast(Redis, get_redis())` in `app.core.config`, imported by
    the auth dependency, whose `redis.delete(...)` runs on the loop (reader 82); a client
    made by its constructor or a factory is read the same way, whether the module is
    parsed by libcst or only summarised; `pipeline()` sends nothing, and an async client
    is none."""
    config = (
        "from typing import cast\n\n"
        "import boto3\n"
        "from redis import Redis\n"
        "from redis.asyncio import Redis as AsyncRedis\n\n\n"
        "def get_redis() -> Redis:\n"
        '    return Redis(host="localhost")\n\n\n'
        "redis = cast(Redis, get_redis())\n"
        's3 = boto3.client("s3")\n'
        'cache = AsyncRedis(host="localhost")\n'
        'REDIS_CLIENT = Redis(host="localhost")\n'
    )
    deps = (
        "from app import config\n"
        "from app.config import cache, redis\n\n\n"
        "async def logout(token: str) -> None:\n"
        "    redis.delete(token)\n\n\n"
        "async def upload(data: bytes) -> None:\n"
        '    config.s3.put_object(Body=data, Bucket="b", Key="k")\n\n\n'
        "async def batch(token: str) -> None:\n"
        "    redis.pipeline()\n"
        "    await cache.delete(token)\n\n\n"
        "async def health() -> bool:\n"
        "    return config.REDIS_CLIENT.ping()\n"
    )
    found = _checked_package(tmp_path, {"app/config.py": config, "app/deps.py": deps})
    assert [(f["code"], f["location"]["row"]) for f in found] == [
        ("FG302", 6),
        ("FG302", 10),
        ("FG302", 19),
    ]
    assert found[0]["message"] == (
        "`redis.delete()` is a request through `app.config.redis`, a sync `redis.Redis` "
        "client, which blocks the event loop inside `async def`: use `redis.asyncio.Redis` "
        "(awaited), or `await asyncio.to_thread(redis.delete, ...)`"
    )
    assert "`app.config.s3`, a sync `boto3.client` client" in found[1]["message"]
    assert "`app.config.REDIS_CLIENT`, a sync `redis.Redis` client" in found[2]["message"]
    # the configuration parsed by libcst too (a rule of its own fires there)
    write(tmp_path, "app/config.py", config + 'API_KEY = "sk_live_4f9a8b7c6d5e4f3a2b1c0d9e"\n')
    found = _checked_package(tmp_path, {})
    assert [(f["code"], f["location"]["row"]) for f in found if f["code"] == "FG302"] == [
        ("FG302", 6),
        ("FG302", 10),
        ("FG302", 19),
    ]


def test_a_resource_of_another_modules_sync_client_called_in_a_coroutine(tmp_path: Path) -> None:
    """Interver's Whisper and speech calls (reader 147): `stt_llm = OpenAI(...)` in
    `common.agent`, imported by the routes, whose `stt_llm.audio.transcriptions.create(...)`
    goes through a resource of the client; named by the client the module makes. An
    `AsyncOpenAI` there is awaited, and a resource's `with_options()` sends nothing."""
    agent = (
        "from openai import AsyncOpenAI, OpenAI\n\n"
        'stt_llm = OpenAI(api_key="k")\n'
        'llm = AsyncOpenAI(api_key="k")\n'
    )
    routes = (
        "from app.agent import llm, stt_llm\n\n\n"
        "async def answer(data: bytes) -> str:\n"
        '    text = stt_llm.audio.transcriptions.create(model="whisper-1", file=data)\n'
        '    reply = await llm.chat.completions.create(model="m", messages=[])\n'
        "    return text.text + str(reply)\n\n\n"
        "async def configured() -> object:\n"
        "    return stt_llm.audio.speech.with_options(timeout=5)\n"
    )
    found = _checked_package(tmp_path, {"app/agent.py": agent, "app/routes.py": routes})
    assert [(f["code"], f["location"]["row"]) for f in found] == [("FG302", 5)]
    assert found[0]["message"].startswith(
        "`stt_llm.audio.transcriptions.create()` is a request through `app.agent.stt_llm`, a "
        "sync `openai.OpenAI` client, which blocks the event loop inside `async def`: use "
        "`openai.AsyncOpenAI` (awaited)"
    )


def test_a_helper_of_another_module_requesting_through_a_helper_of_its_own(
    tmp_path: Path,
) -> None:
    """ta-na-mao's nearby pharmacies (reader 150): the route calls `buscar_farmacia(...)`,
    a sync function of another module, which calls `_obter_ibge_por_cep(cep)`, a helper
    of its module running `httpx.get(...)`: a request on every call. The package
    re-exports the function its submodule is named for: a function still, not an
    instance's method. A process two helpers down stays unfollowed."""
    tools = (
        "import subprocess\n\nimport httpx\n\n\n"
        "def _ibge(cep: str) -> str:\n"
        '    return httpx.get(f"https://viacep.com.br/ws/{cep}/json/", timeout=5).text\n\n\n'
        "def buscar_farmacia(cep: str) -> str:\n    return _ibge(cep)\n\n\n"
        "def _render(path: str) -> None:\n"
        '    subprocess.run(["convert", path], check=True)\n\n\n'
        "def thumbnail(path: str) -> None:\n    _render(path)\n"
    )
    routes = (
        "from app.tools.buscar_farmacia import buscar_farmacia, thumbnail\n\n\n"
        "async def nearby(cep: str) -> str:\n    return buscar_farmacia(cep)\n\n\n"
        "async def upload(path: str) -> None:\n    thumbnail(path)\n"
    )
    found = _checked_package(
        tmp_path,
        {
            "app/tools/__init__.py": "from .buscar_farmacia import buscar_farmacia\n",
            "app/tools/buscar_farmacia.py": tools,
            "app/routes.py": routes,
        },
    )
    assert [(f["code"], f["location"]["row"]) for f in found] == [("FG302", 5)]
    assert found[0]["message"].startswith(
        "`buscar_farmacia()` is a sync function of `app.tools.buscar_farmacia` that calls "
        "`httpx.get()`"
    )


def test_a_sync_client_another_modules_instance_holds_called_in_a_coroutine(
    tmp_path: Path,
) -> None:
    """ally360's product images (reader 148): `minio_service = MinIOService()` in
    `app.files`, whose `__init__` makes `self.client = Minio(...)`; the service's
    coroutine calls `minio_service.client.put_object(...)` on the loop. An async client so
    held (`miniopy_async`) is awaited, and a name bound twice is no one instance."""
    files = (
        "from minio import Minio\nfrom miniopy_async import Minio as AsyncMinio\n\n\n"
        "class MinIOService:\n"
        "    def __init__(self) -> None:\n"
        '        self.client = Minio("minio:9000")\n'
        '        self.aio = AsyncMinio("minio:9000")\n\n\n'
        "minio_service = MinIOService()\n"
        "other = MinIOService()\nother = None\n"
    )
    service = (
        "from app.files import minio_service, other\n\n\n"
        "async def upload(key: str, data: bytes) -> None:\n"
        '    minio_service.client.put_object("b", key, data, len(data))\n'
        '    await minio_service.aio.put_object("b", key, data, len(data))\n\n\n'
        "async def rebound(key: str) -> None:\n"
        '    other.client.remove_object("b", key)\n'
    )
    # (a module of no layer: a service function nothing calls is dead code)
    found = _checked_package(tmp_path, {"app/files.py": files, "app/uploads.py": service})
    assert [(f["code"], f["location"]["row"]) for f in found] == [("FG302", 5)]
    assert found[0]["message"].startswith(
        "`minio_service.client.put_object()` is a request through "
        "`app.files.minio_service.client`, a sync `minio.Minio` client"
    )


def test_a_hasher_of_another_modules_instance_or_of_a_class_body_blocks(
    tmp_path: Path,
) -> None:
    """Poseidon-G's and Tudo-Fresco's logins (reader 212): `self.auth_utils = auth_utils`
    in a service's `__init__`, `auth_utils = AuthUtils()` in `app.utils.auth`, whose
    `verify_password` checks with `self.pwd_context`; and `PasswordHasher.verify`, a
    classmethod checking with `cls._pwd_context`, a `CryptContext` of the class body. Both
    called in an async login: FG303. A method of the instance that hashes nothing is no
    finding."""
    utils = (
        "from passlib.context import CryptContext\n\n\n"
        "class AuthUtils:\n"
        "    def __init__(self) -> None:\n"
        '        self.pwd_context = CryptContext(schemes=["bcrypt"])\n\n'
        "    def verify_password(self, plain: str, hashed: str) -> bool:\n"
        "        return self.pwd_context.verify(plain, hashed)\n\n"
        "    def name(self) -> str:\n"
        '        return "auth"\n\n\n'
        "class PasswordHasher:\n"
        '    _pwd_context = CryptContext(schemes=["bcrypt"])\n\n'
        "    @classmethod\n"
        "    def verify(cls, plain: str, hashed: str) -> bool:\n"
        "        return cls._pwd_context.verify(plain, hashed)\n\n\n"
        "auth_utils = AuthUtils()\n"
    )
    login = (
        "from app.utils import PasswordHasher, auth_utils\n\n\n"
        "class AuthService:\n"
        "    def __init__(self) -> None:\n"
        "        self.auth_utils = auth_utils\n\n"
        "    async def login(self, password: str, hashed: str) -> bool:\n"
        "        self.auth_utils.name()\n"
        "        return self.auth_utils.verify_password(password, hashed)\n\n"
        "    async def check(self, password: str, hashed: str) -> bool:\n"
        "        return PasswordHasher.verify(password, hashed)\n\n\n"
        "async def run() -> None:\n"
        "    await AuthService().login('a', 'b')\n"
        "    await AuthService().check('a', 'b')\n"
    )
    found = _checked_package(tmp_path, {"app/utils.py": utils, "app/login.py": login})
    rows = [(f["code"], f["location"]["row"]) for f in found if f["code"] == "FG303"]
    assert rows == [("FG303", 10), ("FG303", 13)]


def test_a_protocols_one_implementation_in_a_folder_without_init_is_one(
    tmp_path: Path,
) -> None:
    """ProduitsGilbert's OCR routes (reader 209): `OCRService.ocr_client:
    OCRClientProtocol`, implemented by `OpenAIOCRClient` in `app/adapters/ocr/`, a
    folder without `__init__.py` inside the package `app.adapters`, whose method posts
    with a sync `httpx`. The run names that file's module `openai_ocr_client`, the route's
    import `app.adapters.ocr.openai_ocr_client`: one class under two names, not two
    implementations, so the route's call blocks (FG302)."""
    ports = (
        "from typing import Protocol\n\n\n"
        "class OCRClientProtocol(Protocol):\n"
        "    def extract(self, data: bytes) -> dict: ...\n"
    )
    client = (
        "import httpx\n\nfrom app.ports import OCRClientProtocol\n\n\n"
        "class OpenAIOCRClient(OCRClientProtocol):\n"
        "    def extract(self, data: bytes) -> dict:\n"
        '        return httpx.post("https://api.example.com/ocr", content=data).json()\n'
    )
    service = (
        "from app.ports import OCRClientProtocol\n\n\n"
        "class OCRService:\n"
        "    def __init__(self, ocr_client: OCRClientProtocol) -> None:\n"
        "        self.ocr_client = ocr_client\n\n"
        "    def extract(self, data: bytes) -> dict:\n"
        "        return self.ocr_client.extract(data)\n"
    )
    route = (
        "from fastapi import APIRouter, Depends\n\n"
        "from app.adapters.ocr.openai_ocr_client import OpenAIOCRClient\n"
        "from app.services import OCRService\n\n"
        "router = APIRouter()\n\n\n"
        "def get_ocr_service() -> OCRService:\n"
        "    return OCRService(OpenAIOCRClient())\n\n\n"
        '@router.post("/extract")\n'
        "async def extract(data: bytes, ocr_service: OCRService = Depends(get_ocr_service)):\n"
        "    return ocr_service.extract(data)\n"
    )
    found = _checked_package(
        tmp_path,
        {
            "app/ports.py": ports,
            "app/adapters/__init__.py": "",
            "app/adapters/ocr/openai_ocr_client.py": client,
            "app/services.py": service,
            "app/routes.py": route,
        },
    )
    rows = [(f["filename"].rpartition("/")[2], f["code"], f["location"]["row"]) for f in found]
    assert ("routes.py", "FG302", 15) in rows


def test_a_method_requesting_through_a_module_level_client_its_instance_holds(
    tmp_path: Path,
) -> None:
    """kodzimk's quiz battles (reader 157): `model = genai.GenerativeModel(...)` at the
    top of `app.quiz`, `self.model = model` in `AIQuizGenerator.__init__`, and a sync
    `generate_questions` calling `self.model.generate_content(...)`, run on the loop from
    websocket handlers through the module's `ai_quiz_generator` instance; the awaited
    `generate_content_async` is the twin."""
    quiz = (
        "import google.generativeai as genai\n\n"
        'model = genai.GenerativeModel("gemini-2.0-flash")\n\n\n'
        "class AIQuizGenerator:\n"
        "    def __init__(self) -> None:\n"
        "        self.model = model\n\n"
        "    def generate_questions(self, prompt: str) -> str:\n"
        "        return self.model.generate_content(prompt).text\n\n\n"
        "ai_quiz_generator = AIQuizGenerator()\n"
    )
    battle = (
        "from app.quiz import ai_quiz_generator, model\n\n\n"
        "async def next_round(prompt: str) -> str:\n"
        "    questions = ai_quiz_generator.generate_questions(prompt)\n"
        "    return questions + (await model.generate_content_async(prompt)).text\n"
    )
    found = _checked_package(tmp_path, {"app/quiz.py": quiz, "app/battle.py": battle})
    assert [(f["code"], f["location"]["row"]) for f in found] == [("FG302", 5)]
    assert found[0]["message"].startswith(
        "`ai_quiz_generator.generate_questions()` is a sync method of "
        "`app.quiz.ai_quiz_generator` that calls `generate_content()` on a sync "
        "`google.generativeai.GenerativeModel` client"
    )


def test_a_method_of_what_an_unannotated_dependency_returns_blocks(tmp_path: Path) -> None:
    """anishxagrawal's chat route (reader 159): `ai_service=Depends(get_ai_service)`,
    unannotated, where `get_ai_service() -> AIService` and `AIService.extract` asks
    Gemini through the `GenerativeModel` its `__init__` makes: as for a parameter
    annotated with the class."""
    service = (
        "import google.generativeai as genai\n\n\n"
        "class AIService:\n"
        "    def __init__(self) -> None:\n"
        '        self.model = genai.GenerativeModel("gemini-2.5-flash")\n\n'
        "    def extract(self, message: str) -> str:\n"
        "        return self.model.generate_content(message).text\n\n"
        "    def ready(self) -> bool:\n"
        "        return True\n\n\n"
        "def get_ai_service() -> AIService:\n"
        "    return AIService()\n"
    )
    chat = (
        "from fastapi import Depends\n\n"
        "from app.ai import get_ai_service\n\n\n"
        "async def chat(message: str, ai_service=Depends(get_ai_service)) -> str:\n"
        "    if ai_service.ready():\n"
        "        return ai_service.extract(message)\n"
        '    return ""\n'
    )
    found = _checked_package(tmp_path, {"app/ai.py": service, "app/chat.py": chat})
    assert [(f["code"], f["location"]["row"]) for f in found] == [("FG302", 8)]
    assert found[0]["message"].startswith(
        "`ai_service.extract()` is a sync method of `app.ai.AIService` that calls "
        "`generate_content()` on a sync `google.generativeai.GenerativeModel` client"
    )


def test_a_local_annotated_with_a_helper_class_whose_method_requests_through_self(
    tmp_path: Path,
) -> None:
    """agfianf's auth dependency (reader 83): `redis_helper: RedisHelper =
    request.state.redis_helper`, then `redis_helper.is_token_revoked(token)`, whose
    `self.get_data(...)` runs `self.redis.get(...)` on the `Redis` its `__init__` makes."""
    helper = (
        "from redis import Redis\n\n\n"
        "class RedisHelper:\n"
        "    def __init__(self) -> None:\n"
        '        self.redis = Redis(host="localhost")\n\n'
        "    def get_data(self, key: str) -> object:\n"
        "        return self.redis.get(key)\n\n"
        "    def is_token_revoked(self, token: str) -> bool:\n"
        '        return self.get_data(token) == "blacklist"\n'
    )
    deps = (
        "from fastapi import Request\n\n"
        "from app.helper import RedisHelper\n\n\n"
        "async def check(request: Request, token: str) -> bool:\n"
        "    redis_helper: RedisHelper = request.state.redis_helper\n"
        "    return redis_helper.is_token_revoked(token)\n"
    )
    found = _checked_package(tmp_path, {"app/helper.py": helper, "app/deps.py": deps})
    assert [(f["code"], f["location"]["row"]) for f in found] == [("FG302", 8)]
    assert found[0]["message"].startswith(
        "`redis_helper.is_token_revoked()` is a sync method of `app.helper.RedisHelper` "
        "that calls `get()` on a sync `redis.Redis` client"
    )


@pytest.mark.parametrize("selection", [(), ("--select", "FG303")], ids=["default", "named"])
def test_a_password_check_a_local_base_class_defines_is_followed(
    tmp_path: Path, selection: tuple[str, ...]
) -> None:
    """musashimiyomoto's auth use cases (reader 137): `self._verify_password(...)` in a
    coroutine of `ClientAuthUsecase`, a static method of its base `BaseAuthUsecase` in the
    same module, which checks with `crypto.pwd_context.verify(...)` of `from utils import
    crypto` (a hasher of another module, through that module); and a base's method that
    runs `bcrypt.checkpw` itself. Reported by the default run and when FG303 is named (the
    screen reads the base too); a method the subclass defines `async` is its own."""
    write(tmp_path, "pyproject.toml", "[project]\nname = 'svc'\n")
    write(tmp_path, "app/__init__.py", "")
    write(
        tmp_path,
        "app/crypto.py",
        "from passlib.context import CryptContext\n\n"
        'pwd_context = CryptContext(schemes=["bcrypt"])\n',
    )
    write(
        tmp_path,
        "app/usecases.py",
        """
        import bcrypt

        from app import crypto


        class BaseAuth:
            @staticmethod
            def _verify_password(plain: str, hashed: str) -> bool:
                return crypto.pwd_context.verify(secret=plain, hash=hashed)

            def _check(self, plain: str, hashed: bytes) -> bool:
                return bcrypt.checkpw(plain.encode(), hashed)

            def _label(self, plain: str) -> str:
                return plain.title()


        class ClientAuth(BaseAuth):
            async def login(self, password: str, hashed: str) -> bool:
                self._label(password)
                return self._verify_password(plain=password, hashed=hashed)

            async def pin(self, pin: str, hashed: bytes) -> bool:
                return self._check(pin, hashed)


        class OwnCheck(BaseAuth):
            async def _check(self, plain: str, hashed: bytes) -> bool:
                return plain == hashed.decode()

            async def pin(self, pin: str, hashed: bytes) -> bool:
                return await self._check(pin, hashed)


        async def entry(auth: ClientAuth, own: OwnCheck) -> None:
            await auth.login("a", "b")
            await auth.pin("1", b"2")
            await own.pin("1", b"2")
        """,
    )
    write(tmp_path, "app/main.py", "from app.usecases import entry\n")
    result = run_cli("check", "--no-cache", "--output-format", "json", *selection, str(tmp_path))
    found = [
        (f["location"]["row"], f["message"].split(" that ")[0].split(", which")[0])
        for f in json.loads(result.stdout)
        if f["code"] == "FG303"
    ]
    assert found == [
        (21, "`self._verify_password()` is a sync method of `app.usecases.BaseAuth`"),
        (24, "`self._check()` calls `bcrypt.checkpw()`"),
    ]

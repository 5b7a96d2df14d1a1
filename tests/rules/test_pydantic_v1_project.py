"""Done when: on a Pydantic-v1-pinned project, `check --fix` (and `--unsafe-fixes`) changes
no Pydantic code unless `target-pydantic = "2"` is set (the findings are reported only
when the selection names the rules), and every file still runs under Pydantic 1; compat
code of a v2 project keeps running under both versions after a fix.

The code runs under a real Pydantic 1.10 installed into a throwaway virtual environment
(not under `pydantic.v1` posing as `pydantic`): the test skips only when the package
index cannot be reached. A control shows the harness has teeth: with
`target-pydantic = "2"` the same fixes run, and the fixed code no longer loads under v1.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.helpers import run_cli, write

#: What `uv pip install` says when the package index cannot be reached.
_UNREACHABLE = (
    "failed to fetch",
    "dns error",
    "connection",
    "network",
    "timed out",
    "could not connect",
    "offline",
    "no solution found when resolving",  # an offline resolution of an uncached version
)

SCHEMAS = """
from typing import Generic, List, TypeVar

from pydantic import BaseModel, BaseSettings, Field, parse_obj_as, root_validator, validator
from pydantic.generics import GenericModel

T = TypeVar("T")


class Settings(BaseSettings):
    database_url: str = "sqlite://"

    class Config:
        env_prefix = "APP_"


class Tag(BaseModel):
    name: str = Field(..., regex=r"^[a-z]+$")


class UserRead(BaseModel):
    id: int
    email: str
    tags: List[str] = Field(default_factory=list, max_items=5)

    class Config:
        orm_mode = True
        anystr_strip_whitespace = True

    @validator("email", pre=True)
    def lower(cls, value: str) -> str:
        return value.lower()


class Window(BaseModel):
    start: int
    end: int

    @root_validator(skip_on_failure=True)
    def ordered(cls, values):
        if values["start"] > values.get("end"):
            raise ValueError("start after end")
        return values

    @root_validator
    def positive(cls, values):
        if values["start"] < 0:
            raise ValueError("negative")
        return values


class Page(GenericModel, Generic[T]):
    items: List[T]


class Node(BaseModel):
    children: List["Node"] = []


Node.update_forward_refs()


def exercise() -> None:
    row = type("Row", (), {"id": 1, "email": " A@B.C ", "tags": []})()
    user = UserRead.from_orm(row)
    assert user.dict()["email"] == "a@b.c", user.dict()
    assert user.json().startswith('{"id": 1')
    assert UserRead.parse_obj({"id": 2, "email": "x"}).id == 2
    assert UserRead.parse_raw('{"id": 3, "email": "y"}').id == 3
    assert "properties" in UserRead.schema()
    assert UserRead.schema_json(indent=2).startswith("{")
    assert user.copy(update={"id": 5}).id == 5
    assert UserRead.construct(id=1, email="z").id == 1
    assert list(UserRead.__fields__) == ["id", "email", "tags"]
    assert parse_obj_as(List[Tag], [{"name": "abc"}])[0].name == "abc"
    assert Window(start=1, end=2).end == 2
    assert Page[int](items=[1]).items == [1]
    assert Settings().database_url == "sqlite://"
"""

SERVICE = """
import asyncio
import time

from app.schemas import UserRead


async def refresh(user: UserRead) -> dict:
    time.sleep(0)
    return user.dict()


async def handle(user: UserRead) -> dict:
    return await refresh(user)


def exercise() -> None:
    user = UserRead(id=1, email="a")
    assert asyncio.run(refresh(user)) == {"id": 1, "email": "a", "tags": []}
"""

COMPAT = """
from pydantic import VERSION, BaseModel

PYDANTIC_V2 = VERSION.startswith("2.")

try:
    from pydantic.v1 import BaseModel as V1BaseModel
except ImportError:
    V1BaseModel = BaseModel

if PYDANTIC_V2:
    from pydantic import ConfigDict

    class ORMModel(BaseModel):
        model_config = ConfigDict(from_attributes=True)
else:

    class ORMModel(BaseModel):
        class Config:
            orm_mode = True


class Item(ORMModel):
    name: str


def dump(model: BaseModel) -> dict:
    if isinstance(model, V1BaseModel):
        return model.dict()
    if PYDANTIC_V2:
        return model.model_dump()
    return model.dict()


def to_json(model: BaseModel) -> str:
    return model.model_dump_json() if hasattr(model, "model_dump_json") else model.json()


def parse(data: dict) -> Item:
    if PYDANTIC_V2:
        return Item.model_validate(data)
    else:
        return Item.parse_obj(data)


def exercise() -> None:
    item = parse({"name": "a"})
    assert dump(item) == {"name": "a"}
    assert to_json(item).replace(" ", "") == '{"name":"a"}'
    row = type("Row", (), {"name": "b"})()
    assert (Item.model_validate(row) if PYDANTIC_V2 else Item.from_orm(row)).name == "b"
"""


@pytest.fixture(scope="module")
def pydantic_1(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Python of a throwaway virtual environment with Pydantic 1.10 installed."""
    uv = shutil.which("uv")
    assert uv is not None, "uv runs this repository's tests"
    venv = tmp_path_factory.mktemp("pydantic1") / "venv"
    subprocess.run(
        [uv, "venv", "--quiet", "--python", sys.executable, str(venv)],
        check=True,
        capture_output=True,
    )
    python = venv / "bin" / "python"
    installed = subprocess.run(
        [uv, "pip", "install", "--quiet", "--python", str(python), "pydantic==1.10.*"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    if installed.returncode != 0:
        reason = installed.stderr.strip()
        if any(word in reason.lower() for word in _UNREACHABLE):
            pytest.skip(f"the package index is unreachable: {reason.splitlines()[-1]}")
        pytest.fail(f"installing pydantic 1.10 failed: {reason}")
    version = subprocess.run(
        [str(python), "-c", "import pydantic; print(pydantic.VERSION)"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert version.startswith("1.10."), version
    return python


def run_under(python: Path, root: Path, module: str) -> subprocess.CompletedProcess[str]:
    """Import `module` from the project at `root` and run its `exercise()`."""
    code = f"import {module} as m; m.exercise(); print('ok')"
    return subprocess.run(
        [str(python), "-c", code], cwd=root, capture_output=True, text=True, timeout=120
    )


def v1_project(root: Path, table: str = "") -> dict[str, str]:
    """A FastAPI service pinned to Pydantic 1; its files' texts, by path."""
    files = {
        "pyproject.toml": textwrap.dedent(
            """
            [project]
            name = "legacy-service"
            dependencies = ["fastapi==0.95.2", "pydantic>=1.10,<2"]
            """
        ).lstrip()
        + table,
        "app/__init__.py": "",
        "app/schemas.py": SCHEMAS.lstrip("\n"),
        "app/services.py": SERVICE.lstrip("\n"),
    }
    for relative, text in files.items():
        write(root, relative, text)
    return files


def test_the_v1_project_runs_under_pydantic_1_before_any_fix(
    pydantic_1: Path, tmp_path: Path
) -> None:
    v1_project(tmp_path)
    for module in ("app.schemas", "app.services"):
        ran = run_under(pydantic_1, tmp_path, module)
        assert ran.returncode == 0, ran.stderr


def test_fix_on_a_v1_pinned_project_changes_no_pydantic_code(
    pydantic_1: Path, tmp_path: Path
) -> None:
    files = v1_project(tmp_path)
    default = run_cli("check", "--no-cache", "--statistics", str(tmp_path))
    assert "FG2" not in default.stdout  # target 1: not reported unless named
    named = ("--extend-select", "FG2")
    before = run_cli("check", "--no-cache", "--statistics", *named, str(tmp_path))
    assert {"FG201", "FG207", "FG208", "FG210"} <= set(before.stdout.split())
    fixed = run_cli("check", "--fix", "--unsafe-fixes", "--no-cache", *named, str(tmp_path))
    assert fixed.exit_code == 1  # the named Pydantic findings stay, to plan the migration
    assert (tmp_path / "app/schemas.py").read_text() == files["app/schemas.py"]
    service = (tmp_path / "app/services.py").read_text()
    assert service != files["app/services.py"]  # FG301's fix ran ...
    assert "await asyncio.sleep(0)" in service
    assert "return user.dict()" in service  # ... and no Pydantic fix did
    for module in ("app.schemas", "app.services"):
        ran = run_under(pydantic_1, tmp_path, module)
        assert ran.returncode == 0, ran.stderr


def test_with_target_2_set_the_fixes_run_and_the_code_leaves_pydantic_1(
    pydantic_1: Path, tmp_path: Path
) -> None:
    """The control: the harness notices v2 code under v1."""
    files = v1_project(tmp_path, '\n[tool.fastapi-guardrails]\ntarget-pydantic = "2"\n')
    run_cli("check", "--fix", "--unsafe-fixes", "--no-cache", str(tmp_path))
    schemas = (tmp_path / "app/schemas.py").read_text()
    assert schemas != files["app/schemas.py"]
    assert "field_validator" in schemas
    assert "model_dump" in schemas
    ran = run_under(pydantic_1, tmp_path, "app.schemas")
    assert ran.returncode != 0
    assert "ImportError" in ran.stderr or "AttributeError" in ran.stderr


def test_compat_code_of_a_v2_project_still_runs_under_both_versions_after_fix(
    pydantic_1: Path, tmp_path: Path
) -> None:
    write(
        tmp_path,
        "pyproject.toml",
        '[project]\nname = "lib"\ndependencies = ["pydantic>=1.10,<3"]\n',
    )
    write(tmp_path, "app/__init__.py", "")
    compat = write(tmp_path, "app/compat.py", COMPAT)
    original = compat.read_text()
    found = run_cli("check", "--no-cache", "--select", "FG2", str(tmp_path))
    assert found.exit_code == 0, found.stdout
    run_cli("check", "--fix", "--unsafe-fixes", "--no-cache", str(tmp_path))
    assert compat.read_text() == original
    for python in (pydantic_1, Path(sys.executable)):  # Pydantic 1.10, then this one's 2.x
        ran = run_under(python, tmp_path, "app.compat")
        assert ran.returncode == 0, ran.stderr


def test_a_v1_pinned_projects_pydantic_findings_are_counted_as_held_back(tmp_path: Path) -> None:
    """The thirty-ninth reader: marqo (Pydantic 1.10 pinned) heard of none of its 57
    `@validator`s and `class Config`s. They are not reported on target 1 unless named, and
    the closing line counts them, as every finding a convention holds back."""
    v1_project(tmp_path)
    default = run_cli("check", "--no-cache", str(tmp_path)).stdout
    (held,) = [line for line in default.splitlines() if " more finding" in line]
    assert "held back by this project's conventions or the selection" in held
    assert "FG208 (3)" in held
    assert "FG207 (2)" in held
    named = run_cli("check", "--no-cache", "--extend-select", "FG208", str(tmp_path)).stdout
    assert named.count(": FG208 ") == 3
    assert "FG208 (" not in named.splitlines()[-1]

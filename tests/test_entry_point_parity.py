"""One root rule for every entry point: on real project layouts, the edit hook, pre-commit
(`check` with the staged files, from the git root) and `check .` find the same findings
in every file, and skip the same files."""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from checks.hook import run_claude_hook
from checks.project_facts import SPELLING_RULES
from tests.helpers import run_cli, write

Finding = tuple[str, int, int, str]  # (path relative to the top, row, column, code)

SERVICE = """
import os

from fastapi import HTTPException

SMTP_HOST = os.getenv("SMTP_HOST")
PAYMENTS_API_KEY = "sk_live_4f9a8b7c6d5e4f3a2b1c"


async def get_user(user_id: int) -> None:
    raise HTTPException(status_code=404)
"""
SCHEMAS = """
from pydantic import BaseModel


class UserOut(BaseModel):
    name: str
"""
ROUTE = """
from fastapi import APIRouter
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from {package}.models import User
from {package}.schemas import UserOut
from {package}.services.users import get_user

router = APIRouter()


@router.get("/users")
async def list_users(session: AsyncSession) -> list[dict[str, object]]:
    await get_user(0)
    users = await session.scalars(select(User))
    return [UserOut.model_validate(u).dict() for u in users]


def dump(user: UserOut) -> dict[str, object]:
    return user.dict()


def dump_all(user: UserOut) -> tuple[dict[str, object], str]:
    return user.model_dump(), user.model_dump_json()
"""
MODELS = """
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
"""
TEST_DATA = """
import os

DATABASE_URL = os.environ.get("DATABASE_URL", "postgresql://app:secret@localhost/app")
PASSWORD = "hunter2-but-longer-secret"
"""
SLEEPY = """
import time


async def poll() -> None:
    time.sleep(1)
"""


def _service(root: Path, package: str, *, inits: bool = True) -> None:
    """A small service under `root/package` (or `root/src/package` when package has a /)."""
    name = package.rpartition("/")[2]
    files = {
        "services/users.py": SERVICE,
        # an error of its own raised in the layer: the raw `HTTPException` is a slip
        "services/billing.py": "class QuotaExceeded(Exception):\n    pass\n\n\n"
        "def charge() -> None:\n    raise QuotaExceeded()\n",
        "schemas.py": SCHEMAS,
        "models.py": MODELS,
        "routes.py": ROUTE.format(package=name),
        "jobs.py": SLEEPY,
        # a settings module: what FG407's "outside the settings module" presupposes
        "config.py": "from pydantic_settings import BaseSettings\n\n\n"
        "class Settings(BaseSettings):\n    debug: bool = False\n",
    }
    for relative, source in files.items():
        write(root, f"{package}/{relative}", source)
    if inits:
        write(root, f"{package}/__init__.py", "")
        write(root, f"{package}/services/__init__.py", "")
    write(root, "tests/helpers/data.py", TEST_DATA)
    write(root, "tests/test_jobs.py", SLEEPY)
    write(root, ".gitignore", "generated/\n")
    write(root, "generated/client.py", SLEEPY)


def flat_app(top: Path) -> None:
    write(top, "pyproject.toml", '[project]\nname = "svc"\nversion = "0"\n')
    _service(top, "app")


def src_layout(top: Path) -> None:
    write(top, "pyproject.toml", '[project]\nname = "svc"\nversion = "0"\n')
    _service(top, "src/svc")


def namespace_packages(top: Path) -> None:
    _service(top, "app", inits=False)  # no pyproject, no __init__.py: the git root rules


def with_our_table(top: Path) -> None:
    write(
        top,
        "pyproject.toml",
        '[tool.fastapi-guardrails]\nextend-exclude = ["scripts/"]\nignore = ["FG201"]\n',
    )
    _service(top, "app")
    write(top, "scripts/seed.py", SLEEPY)


def monorepo(top: Path) -> None:
    write(top / "services" / "billing", "pyproject.toml", '[project]\nname = "billing"\n')
    _service(top / "services" / "billing", "billing")
    write(
        top / "services" / "accounts",
        "pyproject.toml",
        '[tool.fastapi-guardrails]\nignore = ["FG301"]\n',
    )
    _service(top / "services" / "accounts", "accounts")


def backend_folder(top: Path) -> None:
    """The service in `backend/` (its package has `__init__.py`), route folders without
    one, and the only pyproject.toml at the top (as onyx-dot-app/onyx lays it out)."""
    write(top, "pyproject.toml", '[project]\nname = "platform"\nversion = "0"\n')
    _service(top, "backend/svc")
    write(top, "backend/svc/db/__init__.py", "")
    write(top, "backend/svc/db/models.py", MODELS)
    route = ROUTE.format(package="svc").replace("svc.models", "svc.db.models")
    write(top, "backend/svc/server/features/users/routes.py", route)


LAYOUTS: dict[str, Callable[[Path], None]] = {
    "flat app": flat_app,
    "src layout": src_layout,
    "namespace packages": namespace_packages,
    "our table": with_our_table,
    "monorepo": monorepo,
    "backend folder": backend_folder,
}

_LINE = re.compile(r"^(?P<path>.+):(?P<row>\d+):(?P<column>\d+): (?P<code>FG\d{3}) ")


def _git(top: Path, *args: str) -> str:
    completed = subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@t", *args],
        cwd=top,
        capture_output=True,
        text=True,
        check=True,
    )
    return completed.stdout


def _from_json(output: str, top: Path) -> set[Finding]:
    return {
        (
            Path(item["filename"]).resolve().relative_to(top.resolve()).as_posix(),
            item["location"]["row"],
            item["location"]["column"],
            item["code"],
        )
        for item in json.loads(output)
    }


def check_dot(top: Path, monkeypatch: pytest.MonkeyPatch, *options: str) -> set[Finding]:
    monkeypatch.chdir(top)
    result = run_cli("check", ".", "--no-cache", "--output-format", "json", *options)
    assert result.exit_code in (0, 1), result.stderr
    return _from_json(result.stdout, top)


def pre_commit(top: Path, monkeypatch: pytest.MonkeyPatch) -> set[Finding]:
    """As pre-commit runs the hook: the staged Python files, named one by one, from the
    git root (gitignored files are never staged; excluded ones are)."""
    monkeypatch.chdir(top)
    staged = [name for name in _git(top, "ls-files").splitlines() if name.endswith(".py")]
    result = run_cli("check", "--no-cache", "--output-format", "json", *staged)
    assert result.exit_code in (0, 1), result.stderr
    return _from_json(result.stdout, top)


def edit_hook(top: Path, path: Path, counter: list[int]) -> set[Finding]:
    """The hook after a Write that created `path` (every line is the edit's)."""
    counter[0] += 1
    content = path.read_text(encoding="utf-8")
    payload = {
        "session_id": "parity",
        "cwd": str(top),
        "hook_event_name": "PostToolUse",
        "tool_name": "Write",
        "tool_input": {"file_path": str(path), "content": content},
        "tool_response": {"type": "create", "filePath": str(path), "structuredPatch": []},
        "tool_use_id": f"toolu_parity_{counter[0]}",
    }
    answer = run_claude_hook(json.dumps(payload).encode(), {"CLAUDE_PROJECT_DIR": str(top)})
    assert (answer.exit_code, answer.stderr) == (0, "")
    if not answer.stdout:
        return set()
    found = set()
    for line in json.loads(answer.stdout)["reason"].splitlines():
        match = _LINE.match(line)
        if match:
            listed = Path(match["path"])
            absolute = listed if listed.is_absolute() else Path.cwd() / listed
            found.add(
                (
                    absolute.resolve().relative_to(top.resolve()).as_posix(),
                    int(match["row"]),
                    int(match["column"]),
                    match["code"],
                )
            )
    return found


@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_hook_pre_commit_and_check_agree_on_every_file(
    layout: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))  # the hook's markers
    # folders above the project named like script folders must not change a finding
    top = tmp_path / "dev" / "tools" / "repo"
    top.mkdir(parents=True)
    LAYOUTS[layout](top)
    _git(top, "init", "-q")
    _git(top, "add", "-A")

    whole = check_dot(top, monkeypatch)
    staged = pre_commit(top, monkeypatch)
    counter = [0]
    by_hook: set[Finding] = set()
    for path in sorted(top.rglob("*.py")):
        if ".git" not in path.parts:
            by_hook |= edit_hook(top, path, counter)

    # new code: the hook also reports what still works (the routes' `.dict()`), which
    # existing code reports when the selection names it (`checks.run._modernizations`)
    modernizations = {finding for finding in by_hook if finding[3] in SPELLING_RULES}
    assert by_hook - modernizations == whole
    assert {finding[3] for finding in modernizations} == (
        set() if layout == "our table" else {"FG201"}  # its table ignores FG201
    )
    assert staged == whole
    files = {finding[0] for finding in whole}
    assert not any(name.startswith(("generated/", "scripts/")) for name in files)
    assert not any("/generated/" in name for name in files)


def _codes_in(findings: set[Finding], suffix: str) -> set[str]:
    return {code for path, _, _, code in findings if path.endswith(suffix)}


@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_layers_tests_and_cross_module_models_are_seen_from_the_project_root(
    layout: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What the wrong root used to lose: the service layer (FG401), the route's SQL (FG402),
    a model imported from another module (FG201), and the tests layer's exemptions."""
    top = tmp_path / "repo"
    top.mkdir()
    LAYOUTS[layout](top)
    _git(top, "init", "-q")
    # the opt-in FG402 and the `.dict()` existing code gets when named
    whole = check_dot(top, monkeypatch, "--extend-select", "FG402,FG201")
    assert {"FG401", "FG502"} <= _codes_in(whole, "services/users.py")
    assert "FG402" in _codes_in(whole, "routes.py")
    expected_dict = set() if layout == "our table" else {"FG201"}
    assert _codes_in(whole, "routes.py") & {"FG201"} == expected_dict
    assert _codes_in(whole, "tests/helpers/data.py") == set()
    if layout == "backend folder":
        feature = "server/features/users/routes.py"
        assert {"FG402", "FG201"} <= _codes_in(whole, feature)
    if layout == "monorepo":
        assert _codes_in(whole, "accounts/accounts/jobs.py") == set()  # its table ignores it
        assert _codes_in(whole, "billing/billing/jobs.py") == {"FG301"}


def test_without_pyproject_or_git_every_file_shares_the_start_path_as_root(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With nothing above it to name the root, a walk's root is where it started (for the
    hook: the Claude project directory), not each file's own folder."""
    if any((parent / ".git").exists() for parent in tmp_path.parents):
        pytest.skip("the temporary directory lies inside a git work tree")
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    top = tmp_path / "svc"
    _service(top, "app")
    whole = check_dot(top, monkeypatch)
    assert "FG401" in _codes_in(whole, "app/services/users.py")
    assert _codes_in(whole, "tests/helpers/data.py") == set()
    counter = [0]
    by_hook: set[Finding] = set()
    for path in sorted(top.rglob("*.py")):
        by_hook |= edit_hook(top, path, counter)
    modernizations = {finding for finding in by_hook if finding[3] in SPELLING_RULES}
    assert by_hook - modernizations == whole


def test_dev_tooling_with_its_own_pyproject_is_still_dev_tooling(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """polarsource/polar keeps a developer CLI in dev/cli with its own pyproject.toml: its
    root is dev/cli, but the folder names rules read are the repository's."""
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    top = tmp_path / "repo"
    write(top, "dev/cli/pyproject.toml", '[project]\nname = "dev-cli"\n')
    blocking = "import time\n\n\nasync def send() -> None:\n    time.sleep(1)\n"
    cli = write(top, "dev/cli/analytics.py", blocking)
    service = write(top, "app/mail.py", blocking)
    settings = (
        "from pydantic_settings import BaseSettings\n\n\n"
        "class Settings(BaseSettings):\n    x: int = 0\n"
    )
    write(top, "app/settings.py", settings)
    _git(top, "init", "-q")
    whole = check_dot(top, monkeypatch)
    assert _codes_in(whole, "dev/cli/analytics.py") == set()
    assert _codes_in(whole, "app/mail.py") == {"FG301"}
    counter = [0]
    assert edit_hook(top, cli, counter) == set()
    assert {f[3] for f in edit_hook(top, service, counter)} == {"FG301"}

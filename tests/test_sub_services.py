"""Sub-services: a folder below the project root whose requirement files pin Pydantic,
FastAPI or SQLAlchemy decides those versions, and counts its own conventions, for the
files under it (`checks.sub_services`)."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from checks.catalog import CATALOG
from checks.config import load_settings
from checks.sub_services import SubServices
from tests.helpers import run_cli, write, write_new
from tests.test_hook import hook
from tests.test_project_facts import TYPED_MODELS

#: A route module of a service written for Pydantic 1 and FastAPI 0.88.
V1_ROUTES = """
from fastapi import FastAPI
from pydantic import BaseModel

app = FastAPI()


class Item(BaseModel):
    name: str

    class Config:
        orm_mode = True


@app.on_event("startup")
async def connect() -> None:
    app.state.ready = True


@app.get("/items/{name}", response_model=Item)
async def read(name: str) -> dict[str, str]:
    return Item(name=name).dict()
"""

#: Models in the 1.x declarative style (`sqlalchemy.orm`'s `declarative_base`, which
#: does not warn); `TYPED_MODELS` writes more `Mapped[` than this has `Column(`.
UNTYPED_MODELS = """
from sqlalchemy import Column, Integer, String
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class User(Base):
    __tablename__ = "users"
    id = Column(Integer, primary_key=True)
    name = Column(String)
"""


def codes(root: Path, *args: str) -> list[tuple[str, str]]:
    """(path relative to root, code) of every finding of a run on `root`."""
    result = run_cli("check", "--no-cache", "--output-format", "json", *args, str(root))
    assert result.stderr == "", result.stderr
    found = json.loads(result.stdout)
    return sorted((os.path.relpath(f["filename"], root), f["code"]) for f in found)


def monorepo(tmp_path: Path) -> Path:
    """A root pinning Pydantic 2 and FastAPI 0.115, and `backend/` pinning Pydantic 1.10
    and FastAPI 0.88 in its own requirements file (as Open-Assistant does)."""
    write(
        tmp_path,
        "pyproject.toml",
        '[project]\nname = "mono"\ndependencies = ["fastapi>=0.115", "pydantic>=2.7"]\n',
    )
    write(tmp_path, "backend/requirements.txt", "fastapi==0.88.0\npydantic[email]==1.10.7\n")
    write(tmp_path, "backend/app/main.py", V1_ROUTES)
    write(tmp_path, "api/app/main.py", V1_ROUTES)
    return tmp_path


def test_a_sub_service_pinning_pydantic_1_gets_no_v2_advice(tmp_path: Path) -> None:
    found = codes(monorepo(tmp_path))
    assert not [c for p, c in found if p.startswith("backend/") and c.startswith("FG2")]
    # the same code under the root, which pins Pydantic 2, is reported: `orm_mode`, which
    # Pydantic 2 ignores (its `.dict()` still runs: reported when named)
    assert "FG206" in {c for p, c in found if p.startswith("api/")}
    assert ("api/app/main.py", "FG201") in codes(tmp_path, "--extend-select", "FG201")


def test_a_sub_service_pinning_fastapi_before_0_93_gets_no_lifespan_advice(
    tmp_path: Path,
) -> None:
    root = monorepo(tmp_path)
    # `on_event` alone runs (deprecated): existing code's inventory, asked for by name
    assert ("api/app/main.py", "FG406") in codes(root, "--extend-select", "FG406")
    assert ("backend/app/main.py", "FG406") not in codes(root)


def test_named_rules_speak_of_the_upgrade_in_a_sub_service(tmp_path: Path) -> None:
    root = monorepo(tmp_path)
    result = run_cli(
        "check", "--no-cache", "--output-format", "json", "--select", "FG406,FG201", str(root)
    )
    found = json.loads(result.stdout)
    backend = {f["code"]: f for f in found if "backend" in f["filename"]}
    assert "0.93" in backend["FG406"]["message"]
    assert backend["FG201"]["fix"] is None  # Pydantic 1: a migration note, no fix
    api = {f["code"]: f for f in found if f"{os.sep}api{os.sep}" in f["filename"]}
    assert api["FG201"]["fix"] is not None


def test_fix_leaves_a_pydantic_1_sub_service_alone(tmp_path: Path) -> None:
    root = monorepo(tmp_path)
    before = (root / "backend/app/main.py").read_bytes()
    run_cli("check", "--no-cache", "--fix", "--extend-select", "FG2", "--exit-zero", str(root))
    assert (root / "backend/app/main.py").read_bytes() == before
    assert b".model_dump()" in (root / "api/app/main.py").read_bytes()


SHARED_SETTINGS = """
from pydantic import BaseSettings


class AmqpSettings(BaseSettings):
    url: str = "amqp://localhost"
"""


def test_code_shared_by_sub_services_that_all_run_pydantic_1_is_pydantic_1(
    tmp_path: Path,
) -> None:
    """not-reddit (reader 219): a root that pins nothing, services under it each pinning
    `fastapi==0.95.2` (which requires Pydantic 1) or `pydantic==1.10.7`, and `shared/`,
    which each service's image copies: its `from pydantic import BaseSettings` is right
    there, no move to pydantic-settings (Pydantic 2's); where one service pins Pydantic
    2, nothing says which one the shared code runs with (unpinned, as before); nor where
    the root declares dependencies of its own."""
    write(tmp_path, "post/requirements.txt", "fastapi==0.95.2\nSQLAlchemy==2.0.9\n")
    write(tmp_path, "email/requirements.txt", "pydantic==1.10.7\n")
    write(tmp_path, "docs/requirements.txt", "mkdocs==1.5\n")
    write(tmp_path, "shared/settings.py", SHARED_SETTINGS)
    assert codes(tmp_path) == []
    write(tmp_path, "email/requirements.txt", "pydantic==2.7.0\n")
    assert codes(tmp_path) == [("shared/settings.py", "FG210")]
    write(tmp_path, "email/requirements.txt", "pydantic==1.10.7\n")
    write(tmp_path, "requirements.txt", "uvicorn==0.30.0\n")
    assert codes(tmp_path) == [("shared/settings.py", "FG210")]


def test_a_folder_pinning_none_of_the_packages_is_no_sub_service(tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", '[project]\nname = "svc"\ndependencies = ["pydantic>=2"]\n')
    write(tmp_path, "docs/requirements.txt", "mkdocs==1.5\n")
    write(tmp_path, "backend/requirements-dev.txt", "pytest\n")
    write(tmp_path, "backend/requirements.txt", "SQLAlchemy==1.4.41\n")
    sub = SubServices(tmp_path)
    assert sub.of_file(tmp_path / "docs" / "hooks.py") is None
    assert sub.of_file(tmp_path / "backend" / "app" / "db.py") == str(tmp_path / "backend")
    # backend pins SQLAlchemy only: the root decides its Pydantic
    assert sub.deciding(tmp_path / "backend" / "app" / "db.py", ("pydantic", "fastapi")) is None
    assert sub.deciding(tmp_path / "backend" / "app" / "db.py", ("sqlalchemy",)) == str(
        tmp_path / "backend"
    )
    settings = load_settings(CATALOG, tmp_path)
    assert settings.pydantic_target.for_file(tmp_path / "backend" / "db.py").version == 2
    assert settings.sqlalchemy_target.for_file(tmp_path / "backend" / "db.py").version == 1
    assert settings.sqlalchemy_target.for_file(tmp_path / "app" / "db.py").version == 2


def test_a_folder_of_requirement_files_pins_for_the_folder_above(tmp_path: Path) -> None:
    """`connectors/deploy/requirements_pg.txt` pins SQLAlchemy 1.4 for `connectors/`
    (openreplay's connectors); a `requirements/` folder pins for its parent (the root
    too), and so does a folder per image of `dockerfiles/` (mlrun's), a build script
    beside its pins (frigate's `docker/main/build_ov_model.py`); a `deploy/` folder of
    code, or an image's package, pins nothing for the folder above."""
    write(tmp_path, "pyproject.toml", '[project]\nname = "svc"\ndependencies = ["sqlalchemy>=2"]\n')
    write(tmp_path, "connectors/deploy/requirements_pg.txt", "SQLAlchemy==1.4.43\npsycopg2\n")
    write(tmp_path, "worker/requirements/base.txt", "pydantic==1.10.13\n")
    write(tmp_path, "server/dockerfiles/api/requirements.txt", "sqlalchemy~=1.4\n")
    write(tmp_path, "server/dockerfiles/api/build_model.py", "print('building')\n")
    write(tmp_path, "web/docker/main/requirements-wheels.txt", "pydantic==1.10.13\n")
    write(tmp_path, "web/docker/main/__init__.py", "")
    write(tmp_path, "tools/deploy/requirements.txt", "SQLAlchemy==1.4.43\n")
    write(tmp_path, "tools/deploy/run.py", "print('deploying')\n")
    models = "connectors/db/models.py"
    base = "from sqlalchemy.orm import declarative_base\nBase = declarative_base()\n"
    write(tmp_path, models, base)
    settings = load_settings(CATALOG, tmp_path)
    assert settings.sqlalchemy_target.for_file(tmp_path / models).version == 1
    assert settings.sqlalchemy_target.for_file(tmp_path / "tools" / "x.py").version == 2
    assert settings.pydantic_target.for_file(tmp_path / "worker" / "app.py").version == 1
    assert settings.sqlalchemy_target.for_file(tmp_path / "server" / "db.py").version == 1
    assert settings.pydantic_target.for_file(tmp_path / "web" / "app.py").version == 2
    result = run_cli(
        "check", "--no-cache", "--output-format", "json", "--select", "FG108", str(tmp_path)
    )
    (finding,) = json.loads(result.stdout)
    assert "pins SQLAlchemy 1.x" in finding["message"]
    assert finding["fix"] is None
    # on SQLAlchemy 1.x, FG108 is a plan for the move to 2.0: reported only when named
    assert ("connectors/db/models.py", "FG108") not in codes(tmp_path)


def test_the_nearest_sub_service_decides(tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", '[project]\nname = "svc"\n')
    write(tmp_path, "services/requirements.txt", "pydantic<2\n")
    write(tmp_path, "services/new/requirements.txt", "pydantic>=2.5\n")
    settings = load_settings(CATALOG, tmp_path)
    target = settings.pydantic_target
    assert target.version == 2
    assert target.for_file(tmp_path / "services" / "old" / "x.py").version == 1
    assert target.for_file(tmp_path / "services" / "new" / "app" / "x.py").version == 2


def test_conventions_are_counted_per_sub_service(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The 1.x declarative style is `backend/`'s decision (its models are `Column`s
    throughout); the typed service next to it does not make it a slip, and a new untyped
    model written in that service is one (the edit hook's new code: untyped columns work,
    so existing ones are an inventory, reported when named)."""
    write(tmp_path, "pyproject.toml", '[project]\nname = "mono"\n')
    write(tmp_path, "backend/requirements.txt", "SQLAlchemy==2.0.30\n")
    write(tmp_path, "backend/app/models.py", UNTYPED_MODELS)
    write(tmp_path, "server/requirements.txt", "SQLAlchemy[asyncio]==2.0.30\n")
    write(tmp_path, "server/app/models.py", TYPED_MODELS)
    found = codes(tmp_path)
    assert not [code for _, code in found if code == "FG108"]
    markers = tmp_path / "markers"  # the hook's record of the edits it answered
    markers.mkdir()
    monkeypatch.setattr("tempfile.tempdir", str(markers))
    backend = write(tmp_path, "backend/app/events.py", UNTYPED_MODELS.replace("User", "Event"))
    assert hook(write_new(backend, tmp_path), tmp_path)[1] == ""  # the sub-service's style
    server = write(tmp_path, "server/app/legacy.py", UNTYPED_MODELS.replace("User", "Event"))
    answer = hook(write_new(server, tmp_path, "toolu_2"), tmp_path)[1]
    assert json.loads(answer)["decision"] == "block"
    assert "FG108" in answer
    # selected by name, the rule reports everywhere
    named = codes(tmp_path, "--extend-select", "FG108")
    assert ("backend/app/models.py", "FG108") in named
    assert ("server/app/legacy.py", "FG108") in named


def test_a_sub_service_pin_change_is_not_answered_from_the_cache(tmp_path: Path) -> None:
    root = monorepo(tmp_path)
    for index in range(30):  # enough files for a run snapshot
        write(root, f"backend/app/m{index}.py", f"VALUE = {index}\n")
    past = time.time() - 3600  # a stamp is trusted only a while after the last write
    for path in root.rglob("*.py"):
        os.utime(path, (past, past))
    cache_dir = tmp_path / ".cache"
    cache = ["--cache-dir", str(cache_dir)]

    def backend_codes() -> set[str]:
        result = run_cli("check", *cache, "--output-format", "json", str(root))
        return {f["code"] for f in json.loads(result.stdout) if "backend" in f["filename"]}

    assert not {c for c in backend_codes() if c.startswith("FG2")}
    assert len(list(cache_dir.rglob("*-run-*.json"))) == 1  # a snapshot answers the next
    assert not {c for c in backend_codes() if c.startswith("FG2")}
    write(root, "backend/requirements.txt", "fastapi==0.115.0\npydantic==2.7.0\n")
    assert "FG206" in backend_codes()
    (root / "backend/requirements.txt").unlink()
    write(root, "backend/requirements-prod.txt", "pydantic==1.10.7\n")
    assert not {c for c in backend_codes() if c.startswith("FG2")}


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("uv.lock", '[[package]]\nname = "pydantic"\nversion = "1.10.13"\n'),
        ("poetry.lock", '[[package]]\nname = "pydantic"\nversion = "1.10.13"\n'),
        ("Pipfile.lock", '{"default": {"pydantic": {"version": "==1.10.13"}}}'),
        ("Pipfile", '[packages]\npydantic = "==1.10.13"\n'),
    ],
)
def test_a_lock_file_makes_a_sub_service(tmp_path: Path, name: str, content: str) -> None:
    write(tmp_path, "pyproject.toml", '[project]\nname = "mono"\n')
    write(tmp_path, f"worker/{name}", content)
    settings = load_settings(CATALOG, tmp_path)
    assert settings.pydantic_target.for_file(tmp_path / "worker" / "w.py").version == 1


@pytest.mark.parametrize(
    ("pins", "reported"),
    [
        ("fastapi==0.88.0\n", False),
        ("fastapi>=0.85,<0.93\n", False),
        ("fastapi==0.93.0\n", True),
        ("fastapi>=0.85\n", True),
        ("uvicorn\n", True),  # FastAPI not pinned: any release, lifespan included
    ],
)
def test_on_event_is_reported_where_fastapi_has_lifespan(
    tmp_path: Path, pins: str, reported: bool
) -> None:
    """Named (an `on_event` alone still runs: existing code's inventory), the finding says
    to move to a lifespan where the pins admit FastAPI 0.93, and speaks of that upgrade
    where they do not."""
    write(tmp_path, "pyproject.toml", '[project]\nname = "svc"\n')
    write(tmp_path, "requirements.txt", pins)
    write(tmp_path, "app/main.py", V1_ROUTES)
    assert ("app/main.py", "FG406") not in codes(tmp_path)
    out = run_cli(
        "check", "--no-cache", "--output-format", "json", "--select", "FG406", str(tmp_path)
    )
    (message,) = [f["message"] for f in json.loads(out.stdout)]
    assert ("0.93" in message) != reported


def _two_apps(root: Path) -> None:
    """A root service and a sub-service that each have an `app` package with a helper
    `fetch`: the root's a sync request, the sub-service's a coroutine."""
    (root / ".git").mkdir()
    write(root, "requirements.txt", "fastapi\nrequests\n")
    write(root, "services/orders/requirements.txt", "fastapi\nhttpx\n")
    write(root, "app/__init__.py", "")
    write(root, "services/orders/app/__init__.py", "")
    write(
        root,
        "app/helpers.py",
        "import requests\n\n\ndef fetch(url: str) -> bytes:\n"
        "    return requests.get(url, timeout=5).content\n",
    )
    write(
        root,
        "app/routes.py",
        "from app.helpers import fetch\n\n\nasync def page(url: str) -> bytes:\n"
        "    return fetch(url)\n",
    )
    write(
        root,
        "services/orders/app/helpers.py",
        "import httpx\n\n\nasync def fetch(url: str) -> bytes:\n"
        "    async with httpx.AsyncClient() as client:\n"
        "        return (await client.get(url)).content\n",
    )
    write(
        root,
        "services/orders/app/routes.py",
        "from app.helpers import fetch\n\n\nasync def page(url: str) -> bytes:\n"
        "    return await fetch(url)\n\n\nasync def forgotten(url: str) -> None:\n"
        "    fetch(url)\n",
    )


def test_sub_services_naming_modules_alike_each_import_their_own(tmp_path: Path) -> None:
    """EnissayG's nine microservices each have an `app` package, as the root has (and
    edu-app's, HealthMatch's `src`): one index holds one module of a name, so a route of
    one service read another's helper. Each sub-service is checked with an index of its
    own, its imports looked up in its folder first: the root's route calls its sync
    `fetch` (FG302), the sub-service's forgets to await its coroutine (FG304), in a run of
    the whole tree, of the sub-service alone, and from the cache."""
    _two_apps(tmp_path)

    def found(*paths: Path, cache: bool = False) -> list[tuple[str, str, int]]:
        options = [] if cache else ["--no-cache"]
        out = run_cli("check", *options, "--output-format", "json", *map(str, paths)).stdout
        return sorted(
            (f["code"], os.path.relpath(f["filename"], tmp_path), f["location"]["row"])
            for f in json.loads(out)
        )

    expected = [("FG302", "app/routes.py", 5), ("FG304", "services/orders/app/routes.py", 9)]
    assert found(tmp_path) == expected
    assert found(tmp_path, cache=True) == expected
    assert found(tmp_path, cache=True) == expected  # the run's snapshot, one per part
    assert found(tmp_path / "services" / "orders") == expected[1:]
    assert found(tmp_path / "services/orders/app/routes.py") == expected[1:]

"""FG403 across modules: a router another module keeps out of the OpenAPI schema, and
routes that return what another module's helper builds, a Starlette response."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from checks.cache import _condition, _condition_json, _summary, _summary_json
from checks.project import CALL, ROUTER, Condition, ProjectIndex
from checks.summary import summarize
from tests.helpers import run_cli, write

AUTH_ROUTER = """
from fastapi import APIRouter, Request

router = APIRouter()


@router.post("/login")
async def login(request: Request):
    form = await request.form()
    return {"errors": list(form)}
"""

PAGES_ROUTER = """
from fastapi import APIRouter, Request

from app.forms import FormHelper
from app.pages import redirect_home, profile_model

router = APIRouter()


@router.api_route("/profile", methods=["GET", "POST"])
async def profile(request: Request):
    helper = FormHelper("profile.html")
    if request.query_params:
        return redirect_home()
    return await helper.get_response()


@router.get("/profile.json")
async def profile_json():
    return await profile_model()
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A service whose auth router is included out of the schema by the app module, and
    whose pages are built by helpers of other modules."""
    write(tmp_path, "pyproject.toml", "[project]\nname = 'svc'\n")
    for package in ("app", "app/auth", "app/users"):
        write(tmp_path, f"{package}/__init__.py", "")
    write(tmp_path, "app/auth/router.py", AUTH_ROUTER)
    write(tmp_path, "app/users/router.py", PAGES_ROUTER)
    write(
        tmp_path,
        "app/main.py",
        """
        from fastapi import FastAPI

        from app.auth.router import router as auth_router
        from app.users import router as users

        app = FastAPI()
        app.include_router(auth_router, include_in_schema=False)
        app.include_router(users.router)
        """,
    )
    write(
        tmp_path,
        "app/forms.py",
        """
        from starlette.templating import _TemplateResponse


        class BaseHelper:
            async def get_response(self) -> _TemplateResponse: ...


        class FormHelper(BaseHelper):
            pass
        """,
    )
    write(
        tmp_path,
        "app/pages.py",
        """
        from fastapi.responses import RedirectResponse
        from pydantic import BaseModel


        class HomeRedirect(RedirectResponse):
            pass


        class ProfileResponse(BaseModel):
            name: str


        def redirect_home() -> HomeRedirect | None: ...


        async def profile_model() -> ProfileResponse: ...
        """,
    )
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _flagged(stdout: str) -> list[str]:
    return [line.split(": ")[0] for line in stdout.splitlines() if ": FG403" in line]


def test_routes_of_a_router_another_module_includes_out_of_the_schema_are_not_flagged(
    project: Path,
) -> None:
    result = run_cli("check", "--no-cache", "--select", "FG403")
    assert "app/auth/router.py" not in result.stdout


def test_a_route_returning_responses_built_by_other_modules_is_not_flagged(
    project: Path,
) -> None:
    result = run_cli("check", "--no-cache", "--select", "FG403")
    # only the route returning a Pydantic model named `*Response` is left
    assert _flagged(result.stdout) == ["app/users/router.py:18:11"]


def test_a_one_file_run_of_the_router_finds_the_module_that_includes_it(project: Path) -> None:
    hidden = run_cli("check", "--no-cache", "--select", "FG403", "app/auth/router.py")
    assert hidden.exit_code == 0, hidden.stdout
    pages = run_cli("check", "--no-cache", "--select", "FG403", "app/users/router.py")
    assert _flagged(pages.stdout) == ["app/users/router.py:18:11"]


def test_the_hook_knows_the_router_is_out_of_the_schema(project: Path) -> None:
    path = project / "app/auth/router.py"
    payload = {"tool_input": {"file_path": str(path)}, "cwd": str(project)}
    result = run_cli("hook", "claude", stdin=json.dumps(payload).encode())
    assert "FG403" not in result.stdout


def test_a_router_also_included_in_the_schema_elsewhere_is_flagged(project: Path) -> None:
    write(
        project,
        "app/admin.py",
        """
        from fastapi import FastAPI

        from app.auth import router

        admin = FastAPI()
        admin.include_router(router.router, prefix="/admin")
        """,
    )
    result = run_cli("check", "--no-cache", "--select", "FG403", "app/auth/router.py")
    assert _flagged(result.stdout) == ["app/auth/router.py:7:11"]


def test_a_router_included_into_an_app_without_a_schema_elsewhere_is_not_flagged(
    project: Path,
) -> None:
    write(
        project,
        "app/main.py",
        """
        from fastapi import FastAPI

        from app.auth.router import router as auth_router

        dashboard = FastAPI(openapi_url=None)
        dashboard.include_router(auth_router, prefix="/auth")
        """,
    )
    result = run_cli("check", "--no-cache", "--select", "FG403", "app/auth/router.py")
    assert result.exit_code == 0, result.stdout


def test_a_cached_run_settles_the_conditions_as_a_fresh_one(project: Path) -> None:
    first = run_cli("check", "--select", "FG403")
    second = run_cli("check", "--select", "FG403")
    assert _flagged(first.stdout) == _flagged(second.stdout) == ["app/users/router.py:18:11"]


def test_summaries_record_return_classes_and_router_includes() -> None:
    source = b"""
from typing import Optional

from fastapi import APIRouter, FastAPI
from fastapi.responses import HTMLResponse

from app import pages
from app.auth.router import router as auth_router

docs = FastAPI(openapi_url=None)
local = APIRouter()


class Page(HTMLResponse):
    def render(self) -> "Page": ...
    def again(self) -> Optional[HTMLResponse]: ...


def build() -> Page | None: ...
def many() -> list[Page]: ...


def wire(app: FastAPI) -> None:
    app.include_router(auth_router, include_in_schema=False)
    app.include_router(pages.router, include_in_schema=False)
    app.include_router(pages.router)
    docs.include_router(local)
"""
    summary = summarize(source, "app.main", False)
    assert summary is not None
    assert summary.returns == {
        "app.main.Page.again": "fastapi.responses.HTMLResponse",
        "app.main.build": "app.main.Page",
    }
    assert summary.router_includes == {
        "app.auth.router.router": True,
        "app.pages.router": False,
        "app.main.local": True,
    }
    assert _summary(json.loads(json.dumps(_summary_json(summary)))) == summary


def test_conditions_with_a_subject_and_a_second_condition_round_trip_the_cache() -> None:
    router = Condition(("app.auth.router.router",), frozenset(), negated=True, subject=ROUTER)
    calls = Condition(("app.pages.build",), frozenset({"x.Response"}), negated=True)
    condition = Condition(calls.refs, calls.roots, negated=True, subject=CALL, also=router)
    assert _condition(json.loads(json.dumps(_condition_json(condition)))) == condition


def test_a_method_is_found_through_the_bases_of_the_class() -> None:
    summary = summarize(
        b"from x import R\nclass A:\n    def f(self) -> R: ...\nclass B(A):\n    pass\n",
        "m",
        False,
    )
    assert summary is not None
    index = ProjectIndex([summary])
    assert index.returned_class("m.B.f") == "x.R"
    assert index.returned_class("m.B") == "m.B"  # a class called makes itself
    assert index.returned_class("m.B.g") is None


def test_a_route_of_an_app_is_reported_without_asking_the_project() -> None:
    """No module includes an app: its route's finding is definite, so a run never walks
    the project for modules that might include it (only routers get that condition)."""
    from checks.engine import Engine
    from checks.rules import RULES_BY_CODE

    source = (
        b"from fastapi import FastAPI\n\napp = FastAPI()\n\n\n"
        b'@app.get("/items")\ndef items(limit: int):\n    return load(limit)\n'
    )
    result = Engine([RULES_BY_CODE["FG403"]]).check(
        Path("app/main.py"), source, None, frozenset(), "app.main", False
    )
    assert [f.code for f in result.findings] == ["FG403"]
    assert result.pending == []


def test_an_orm_model_whose_import_hides_a_schema_of_its_name_is_told_so(tmp_path: Path) -> None:
    """Maria-Shakhverdyan's loans router (reader 99): `Loan` imported from the schemas,
    then from the models, so `response_model=Loan` is the ORM class (FastAPI refuses it at
    start-up); the message names the import that hides the schema."""
    write(tmp_path, "app/__init__.py", "")
    write(
        tmp_path,
        "app/models.py",
        "from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column\n\n\n"
        "class Base(DeclarativeBase):\n    pass\n\n\n"
        "class Loan(Base):\n    __tablename__ = 'loans'\n"
        "    id: Mapped[int] = mapped_column(primary_key=True)\n",
    )
    write(
        tmp_path,
        "app/schemas.py",
        "from pydantic import BaseModel\n\n\nclass Loan(BaseModel):\n    id: int\n",
    )
    routes = (
        "from fastapi import APIRouter\n\n"
        "from app.schemas import Loan\n"
        "from app.models import Loan\n\n"
        "router = APIRouter()\n\n\n"
        "@router.get('/loans/{pk}', response_model=Loan)\n"
        "async def read(pk: int):\n    return {'id': pk}\n"
    )
    write(tmp_path, "app/routes.py", routes)
    result = run_cli("check", "--no-cache", "--output-format", "json", str(tmp_path))
    found = [f for f in json.loads(result.stdout) if f["code"] == "FG404"]
    assert [f["message"] for f in found] == [
        "Route returns an ORM model: `Loan` here is `app.models.Loan`, whose import hides "
        "`app.schemas.Loan` imported above under the same name: import one of them under "
        "another name"
    ]
    write(tmp_path, "app/routes.py", routes.replace("from app.schemas import Loan\n", ""))
    result = run_cli("check", "--no-cache", "--output-format", "json", str(tmp_path))
    found = [f for f in json.loads(result.stdout) if f["code"] == "FG404"]
    assert [f["message"] for f in found] == [
        "Route returns an ORM model: return a Pydantic schema built from it"
    ]

"""Findings worth acting on, for the FastAPI, async, security and configuration rules:
what they no longer flag (patterns maintainers keep on purpose) and what they now catch."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from checks.config import DEFAULT_LAYERS, LayerMatcher
from checks.engine import Engine
from checks.rules import RULES_BY_CODE
from tests.helpers import check_code, codes, fix_code, positions, run_cli, write

LAYERS = LayerMatcher.from_globs(DEFAULT_LAYERS)


def messages(source: str, code: str, path: str = "app/example.py") -> list[str]:
    return [f.message for f in check_code(source, path) if f.code == code]


def _found(code: str, source: str, path: str = "app/example.py") -> list[int]:
    return [f.start.row for f in check_code(source, path) if f.code == code]


# ---------------------------------------------------------------------- FG503 JWT


def test_pyjwt_algorithms_passed_as_third_positional_argument_is_not_flagged() -> None:
    source = """
        import jwt

        def claims(token: str, key: str) -> dict:
            return jwt.decode(token, key, ["HS256"])
        """
    assert positions(source, "FG503") == []


def test_jose_algorithms_passed_positionally_is_not_flagged() -> None:
    source = """
        from jose import jwt

        def claims(token: str, key: str) -> dict:
            return jwt.decode(token, key, ["RS256"], {"verify_aud": False})
        """
    assert positions(source, "FG503") == []


def test_positional_algorithms_allowing_none_are_flagged() -> None:
    source = """
        import jwt

        def claims(token: str, key: str) -> dict:
            return jwt.decode(token, key, ["HS256", "none"])
        """
    assert positions(source, "FG503") == [(4, 12)]


def test_positional_options_turning_verification_off_are_flagged() -> None:
    source = """
        import jwt

        def claims(token: str, key: str) -> dict:
            return jwt.api_jwt.decode_complete(token, key, ["HS256"], {"verify_signature": False})
        """
    assert positions(source, "FG503") == [(4, 12)]


@pytest.mark.parametrize(
    "call", ["jwt.decode(token, key, None)", "jwt.decode(token, key, algorithms=None)"]
)
def test_algorithms_none_is_as_good_as_missing(call: str) -> None:
    source = f"""
        import jwt

        def claims(token: str, key: str) -> dict:
            return {call}
        """
    assert positions(source, "FG503") == [(4, 12)]


@pytest.mark.parametrize(
    "call",
    ["jwt.decode(token, key, **settings)", "jwt.decode(token, *args)", "jwt.decode(*args)"],
)
def test_arguments_unpacked_where_algorithms_could_be_are_not_judged(call: str) -> None:
    source = f"""
        import jwt

        def claims(token, key, args, settings) -> dict:
            return {call}
        """
    assert positions(source, "FG503") == []


def test_positional_algorithms_before_an_unpacked_rest_are_judged() -> None:
    source = """
        import jwt

        def claims(token, key, rest) -> dict:
            return jwt.decode(token, key, ["none"], *rest)
        """
    assert positions(source, "FG503") == [(4, 12)]


def test_unverified_decode_in_a_test_is_not_flagged() -> None:
    source = """
        import jwt

        def test_token_has_subject(token: str) -> None:
            assert jwt.decode(token, options={"verify_signature": False})["sub"]
        """
    assert positions(source, "FG503", path="tests/test_tokens.py") == []


# ------------------------------------------------------------- FG407 environment


@pytest.mark.parametrize(
    "variable",
    [
        "CI",
        "GITHUB_ACTIONS",
        "GITHUB_SHA",
        "GITHUB_REF_NAME",
        "GITLAB_CI",
        "CI_COMMIT_SHA",
        "RUNNER_TEMP",
        "DO_NOT_TRACK",
        "OTEL_EXPORTER_OTLP_ENDPOINT",
        "NO_COLOR",
        "TERM",
        "HOME",
        "PATH",
        "HOSTNAME",
        "LC_ALL",
        "PYTEST_CURRENT_TEST",
        "PYTHONPATH",
        "KUBERNETES_SERVICE_HOST",
        "AWS_LAMBDA_FUNCTION_NAME",
        "K_SERVICE",
    ],
)
def test_platform_and_convention_variables_are_not_configuration(variable: str) -> None:
    source = f"""
        import os

        A = os.getenv("{variable}")
        B = os.environ.get("{variable}", "")
        C = os.environ["{variable}"]
        D = "{variable}" in os.environ
        """
    assert positions(source, "FG407") == []


@pytest.mark.parametrize(
    "variable", ["GITHUB_TOKEN", "GITHUB_CLIENT_SECRET", "DATABASE_URL", "OTELCOL_URL", "ENV"]
)
def test_service_variables_are_flagged_even_when_named_like_a_platform(variable: str) -> None:
    source = f"""
        import os

        VALUE = os.getenv("{variable}")
        """
    assert positions(source, "FG407") == [(3, 9)]


def test_variable_the_module_sets_for_the_processes_it_starts_is_not_flagged() -> None:
    source = """
        import os

        def worker_index() -> int:
            return int(os.environ["WORKER_INDEX"]) + int(os.getenv("WORKER_COUNT", "1"))

        def start(index: int, count: int) -> None:
            os.environ["WORKER_INDEX"] = str(index)
            os.environ.setdefault("WORKER_COUNT", str(count))
            os.environ.update({"WORKER_ROLE": "indexer"}, WORKER_QUEUE="default")
            os.putenv("WORKER_MODE", "batch")

        ROLE = os.environ.get("WORKER_ROLE"), os.getenv("WORKER_QUEUE"), os.getenv("WORKER_MODE")
        """
    assert positions(source, "FG407") == []


def test_variable_set_by_another_module_is_still_flagged() -> None:
    """Hand-offs are recognised within a module only: a one-file run (the edit hook) could
    not see the other module."""
    source = """
        import os

        INDEX = int(os.environ["WORKER_INDEX"])
        """
    assert positions(source, "FG407", path="app/workers/child.py") == [(3, 13)]


def test_read_of_a_variable_name_not_known_in_advance_is_flagged() -> None:
    source = """
        import os

        def env_flag(name: str) -> bool:
            return os.getenv(name, "") == "true"
        """
    assert positions(source, "FG407") == [(4, 12)]


def test_main_block_of_a_module_runs_as_a_script() -> None:
    source = """
        import os

        HOST = os.environ["IMAP_HOST"]

        if __name__ == "__main__":
            print(os.environ["IMAP_USER"], os.getenv("IMAP_PASSWORD"))

        if "__main__" == __name__:
            PORT = os.environ.get("IMAP_PORT")
        """
    assert positions(source, "FG407", path="app/connectors/imap.py") == [(3, 8)]


@pytest.mark.parametrize(
    "path",
    [
        "backend/onyx/configs/app_configs.py",
        "backend/shared_configs/configs.py",
        "app/conf.py",
        "app/core/app_settings.py",
        "app/db_config.py",
        "letta/config_file.py",
        "alembic/versions/0001_seed.py",
        "loadtest/locustfile.py",
        "examples/client.py",
        "cli/hatch_build.py",
    ],
)
def test_configuration_modules_migrations_and_tooling_may_read_the_environment(
    path: str,
) -> None:
    source = """
        import os

        PAGE_SIZE = int(os.environ.get("PAGE_SIZE", "50"))
        """
    assert positions(source, "FG407", path=path) == []


def test_configuration_package_is_known_by_its_module_name_in_an_absolute_path() -> None:
    """Directories above the project (`/home/me/settings/...`) do not make a module a
    configuration module when its dotted name says otherwise."""
    engine = Engine([RULES_BY_CODE["FG407"]])
    source = b'import os\n\nURL = os.environ["DATABASE_URL"]\n'
    inside = engine.check(Path("/srv/settings/app/db.py"), source, None, module_name="app.db")
    # reported where the project has a settings module (`checks.project_facts`)
    assert [(f.code, c.fact) for f, c in inside.pending] == [("FG407", "settings-module")]
    configs = engine.check(
        Path("/srv/app/configs/db.py"), source, None, module_name="app.configs.db"
    )
    assert configs.findings == configs.pending == []


def test_route_module_in_a_configuration_package_is_not_configuration() -> None:
    source = """
        import os

        PAGE_SIZE = int(os.environ.get("PAGE_SIZE", "50"))
        """
    assert positions(source, "FG407", path="app/config_admin/router.py") == [(3, 17)]


def test_deleting_an_environment_variable_is_not_a_read() -> None:
    source = """
        import os

        del os.environ["DATABASE_URL"]
        """
    assert positions(source, "FG407") == []


# ------------------------------------------------------------- FG403 responses


def test_route_returning_a_response_kept_in_a_variable_is_not_flagged() -> None:
    source = """
        from fastapi import APIRouter
        from fastapi.responses import RedirectResponse

        router = APIRouter()

        @router.get("/old")
        async def old():
            response = RedirectResponse("/new")
            response.set_cookie("seen", "1")
            return response
        """
    assert positions(source, "FG403", path="app/pages/router.py") == []


def test_route_returning_a_template_response_through_a_call_chain_is_not_flagged() -> None:
    source = """
        from fastapi import APIRouter, Request

        router = APIRouter()

        @router.get("/")
        async def home(request: Request):
            return request.app.state.templates.TemplateResponse(request, "home.html", {})
        """
    assert positions(source, "FG403", path="app/pages/router.py") == []


def test_route_returning_what_module_helpers_return_is_judged_by_the_helpers() -> None:
    source = """
        from fastapi import APIRouter
        from starlette.responses import Response, StreamingResponse

        router = APIRouter()

        def stream(rows) -> StreamingResponse | None:
            return StreamingResponse(iter(rows))

        def empty():
            return Response(status_code=204)

        def via(rows):
            return stream(rows) if rows else empty()

        def data(rows):
            return {"rows": rows}

        @router.get("/export")
        async def export(rows: list[str]):
            return via(rows)

        @router.get("/rows")
        async def rows(rows: list[str]):
            return data(rows)
        """
    assert positions(source, "FG403", path="app/exports/router.py") == [(23, 11)]


def test_recursive_helpers_do_not_loop() -> None:
    source = """
        from fastapi import APIRouter

        router = APIRouter()

        def ping(n):
            return pong(n - 1)

        def pong(n):
            return ping(n - 1)

        @router.get("/loop")
        async def loop():
            return ping(3)
        """
    assert positions(source, "FG403", path="app/loop/router.py") == [(12, 11)]


def test_response_parameter_returned_is_a_response() -> None:
    source = """
        from fastapi import APIRouter, Response

        router = APIRouter()

        @router.delete("/session")
        async def logout(response: Response):
            response.delete_cookie("session")
            return response
        """
    assert positions(source, "FG403", path="app/auth/router.py") == []


def test_test_app_routes_are_not_held_to_the_api_contract() -> None:
    source = """
        from fastapi import FastAPI

        app = FastAPI()

        @app.get("/items/{item_id}")
        async def item(item_id: int):
            return {"id": item_id}
        """
    assert positions(source, "FG403", path="tests/test_middleware.py") == []
    assert positions(source, "FG403", path="app/items/router.py") == [(6, 11)]


# ------------------------------------------------------------------ FG405 except


def test_bulk_endpoint_recording_each_items_failure_is_not_flagged() -> None:
    source = """
        from fastapi import APIRouter

        router = APIRouter()

        @router.post("/bulk")
        async def bulk(items: list[dict]) -> list[dict]:
            results = []
            for item in items:
                try:
                    results.append({"ok": await save(item)})
                except Exception as e:
                    results.append({"item": item, "error": str(e)})
            return results
        """
    assert positions(source, "FG405", path="app/items/router.py") == []


def test_failure_swallowed_in_a_loop_or_ending_the_request_is_flagged() -> None:
    source = """
        from fastapi import APIRouter

        router = APIRouter()

        @router.post("/bulk")
        async def bulk(items: list[dict]) -> dict:
            for item in items:
                try:
                    await save(item)
                except Exception:
                    pass
            for item in items:
                try:
                    await save(item)
                except Exception as error:
                    if item:
                        break
                    errors.append(str(error))
            return {}
        """
    assert positions(source, "FG405", path="app/items/router.py") == [(10, 9), (15, 9)]


def test_broad_except_on_the_cleanup_or_error_path_is_not_flagged() -> None:
    source = """
        from fastapi import APIRouter

        router = APIRouter()

        @router.get("/x")
        async def x() -> dict:
            client = await connect()
            try:
                return await client.fetch()
            except Exception as error:
                try:
                    await client.rollback()
                except Exception:
                    pass
                return {"error": str(error)}
            finally:
                try:
                    await client.close()
                except Exception:
                    pass
        """
    assert positions(source, "FG405", path="app/items/router.py") == [(10, 5)]


def test_loop_of_an_outer_function_does_not_make_a_nested_route_per_item() -> None:
    source = """
        from fastapi import APIRouter

        def register(routers: list[APIRouter]) -> None:
            for router in routers:
                @router.get("/x")
                async def x() -> dict:
                    try:
                        return {}
                    except Exception as error:
                        return {"error": str(error)}
        """
    assert positions(source, "FG405", path="app/items/router.py") == [(9, 13)]


def test_a_logged_failure_answered_with_the_projects_error_answer_is_not_flagged() -> None:
    source = """
    from fastapi import APIRouter

    router = APIRouter()


    @router.get("/unread")
    async def unread(service=Depends(get_service)):
        try:
            return resp_200(data=await service.unread())
        except Exception as e:
            logger.error(f"Failed to get unread count: {e}")
            return resp_500(message="Failed to get unread count")


    @router.post("/upload")
    async def upload(file: UploadFile):
        try:
            return resp_200(data=await store(file))
        except Exception as e:
            logger.error(f"Upload failed: {e!s}")
            return FileUploadError.return_resp()


    @router.get("/download")
    async def download(key: str):
        try:
            return resp_200(data=await fetch(key))
        except Exception as e:
            logger.error("download failed")
            return DownloadError.return_resp(data=str(e))


    @router.get("/variable")
    async def variable(key: str):
        try:
            return resp_200(data=await read(key))
        except Exception as e:
            logger.error("read failed")
            return HTTPException(status_code=500, detail="read failed")


    @router.get("/silent")
    async def silent(key: str):
        try:
            return resp_200(data=await read(key))
        except Exception:
            return resp_500(message="failed")
    """
    # bisheng's convention (logged, an error envelope) is the project's answer; the
    # exception's text sent to the client, an exception returned (answered with 200)
    # and a failure nobody logs are still reported
    assert [row for row, _ in positions(source, "FG405", path="app/items/router.py")] == [
        28,
        37,
        46,
    ]


# ---------------------------------------------------------- FG402 import statements


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A service whose ORM models live in `app/models.py`."""
    write(tmp_path, "pyproject.toml", "[project]\nname = 'svc'\n")
    write(tmp_path, "app/__init__.py", "")
    write(tmp_path, "app/api/__init__.py", "")
    write(
        tmp_path,
        "app/models.py",
        """
        from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

        class Base(DeclarativeBase):
            pass

        class User(Base):
            __tablename__ = "users"
            id: Mapped[int] = mapped_column(primary_key=True)

        class Tool(Base):
            __tablename__ = "tools"
            id: Mapped[int] = mapped_column(primary_key=True)

        class Hook(Base):
            __tablename__ = "hooks"
            id: Mapped[int] = mapped_column(primary_key=True)
        """,
    )
    return tmp_path


def _fg402(root: Path, route_source: str) -> list[dict[str, object]]:
    write(root, "app/api/routes.py", route_source)
    result = run_cli(
        "check", str(root / "app"), "--select", "FG402", "--output-format", "json", "--no-cache"
    )
    found: list[dict[str, object]] = json.loads(result.stdout)
    return found


def test_one_import_statement_of_several_models_is_one_finding_naming_them(
    project: Path,
) -> None:
    found = _fg402(
        project,
        """
        from fastapi import APIRouter, Depends

        from app.models import (
            Hook,
            Tool,
            User,
        )

        router = APIRouter()

        @router.get("/tools")
        def tools(user: User = Depends(current_user)) -> list[int]:
            return [Tool(id=1).id, Hook.id]
        """,
    )
    assert [(f["location"], f["message"]) for f in found] == [
        (
            {"row": 3, "column": 1},
            # the index settles that one of them is an ORM model, not which (fief's
            # `AuditLogMessage` Enum was called one)
            "Route module imports an ORM model (one of `Hook`, `Tool`): use schemas and a service",
        )
    ]


def test_orm_model_imported_only_for_annotations_is_not_data_access(project: Path) -> None:
    found = _fg402(
        project,
        """
        from typing import Annotated

        from fastapi import APIRouter, Depends

        from app.models import User

        router = APIRouter()
        CurrentUser = Annotated[User, Depends(current_user)]

        @router.get("/me")
        async def me(user: CurrentUser, other: User = Depends(current_user)) -> dict:
            admin: User | None = None
            return {"id": user.id, "kind": other.User}
        """,
    )
    assert found == []


def test_repository_imports_are_reported_once_per_statement(project: Path) -> None:
    found = _fg402(
        project,
        """
        from app.repositories.users import UserRepository, TeamRepository
        from app.crud import items
        """,
    )
    assert [f["message"] for f in found] == [
        "Route module imports repositories `UserRepository`, `TeamRepository`: "
        "call a service instead",
        "Route module imports repository `items`: call a service instead",
    ]


def test_a_repository_in_the_statement_does_not_make_its_other_names_orm_models(
    project: Path,
) -> None:
    # seen on OpenHands: `Repository` (a Pydantic model named like a repository) made every
    # capitalised name of its import statement an "ORM model", unchecked
    write(
        project,
        "app/integrations/types.py",
        """
        from pydantic import BaseModel

        class Repository(BaseModel):
            full_name: str

        class AuthenticationError(ValueError):
            pass
        """,
    )
    found = _fg402(
        project,
        """
        from app.integrations.types import AuthenticationError, Repository

        def check(token: str) -> None:
            raise AuthenticationError(token)
        """,
    )
    # nor is `Repository` a repository: the index knows it as a Pydantic model
    assert [f["message"] for f in found] == []


def test_sql_of_one_route_is_one_finding_at_its_first_call() -> None:
    source = """
        from fastapi import APIRouter
        from sqlalchemy import select

        router = APIRouter()

        @router.get("/a")
        async def a(session) -> int:
            total = await session.scalar(select(1))
            rows = await session.execute(select(2))
            return total + len(rows.all())

        @router.get("/b")
        async def b(session) -> int:
            return await session.scalar(select(3))

        QUERY = select(4)
        """
    found = [
        (f.start.row, f.message)
        for f in check_code(source, "app/items/router.py")
        if f.code == "FG402"
    ]
    assert found == [
        (
            8,
            "Route module builds and runs SQL in `a()` (2 queries): move the queries "
            "into a repository",
        ),
        (
            14,
            "Route module builds and runs SQL in `b()`: move the queries into a repository",
        ),
        (16, "Route module builds SQL in module code: move the queries into a repository"),
    ]


# ------------------------------------------------------------- FG401 in tests


def test_fake_service_of_a_test_may_raise_http_exception() -> None:
    source = """
        from fastapi import HTTPException

        class BrokenUserService:
            def get(self, user_id: int):
                raise HTTPException(status_code=503)
        """
    assert positions(source, "FG401", path="tests/test_users.py") == []
    assert positions(source, "FG401", path="app/users/fakes.py") == [(5, 15)]


# ------------------------------------------------------ FG301-FG303 in tests


def test_blocking_calls_in_async_tests_are_not_flagged() -> None:
    source = """
        import subprocess
        import time

        import requests

        async def test_slow_upstream(server) -> None:
            time.sleep(1)
            requests.get(server.url, timeout=5)
            subprocess.run(["true"], check=True)
        """
    assert codes_in(source, "tests/test_upstream.py") == []
    assert codes_in(source, "app/upstream.py") == ["FG301", "FG302", "FG303"]


def test_a_module_running_its_own_loop_at_module_level_blocks_no_request() -> None:
    """letta's example websocket client: `asyncio.run(main())` as a statement of the
    module, no `__main__` guard, no web framework: its loop serves one terminal."""
    source = """
        import asyncio
        import time


        async def main() -> None:
            name = input("name? ")
            time.sleep(1)
            print(name)


        asyncio.run(main())
        """
    assert codes_in(source, "app/ws_api/example_client.py") == []
    # a module that also serves: `asyncio.run` still runs `main` on a loop of its own,
    # named nowhere else; once a route awaits it, the server's loop runs it too
    served = source.replace("import time", "import time\n        from fastapi import FastAPI")
    assert codes_in(served, "app/ws_api/example_client.py") == []
    routed = textwrap.dedent(served) + (
        '\napp = FastAPI()\n\n\n@app.get("/")\nasync def index() -> None:\n    await main()\n'
    )
    assert codes_in(routed, "app/ws_api/example_client.py") == ["FG303", "FG301"]


def test_a_method_run_only_by_asyncio_run_is_on_a_loop_of_its_own() -> None:
    """modelscope-agent's Android environment (reader 44): the sync `observe()` runs the
    coroutine method with `asyncio.run(self.get_perception_infos(...))`, its only call, in
    a module that imports FastAPI: a loop of its own, whose pauses block no request. Once
    the method is awaited elsewhere in the module, a server's loop may run it too."""
    source = """
        import asyncio
        import subprocess
        import time

        from fastapi import FastAPI


        class Env:
            def observe(self, path: str) -> str:
                return asyncio.run(self.get_perception_infos(path))

            async def get_perception_infos(self, path: str) -> str:
                subprocess.run(["adb", "shell", "screencap", path])
                time.sleep(5)
                return path
        """
    assert codes_in(source, "app/env.py") == []
    awaited = textwrap.dedent(source) + (
        "\n\nasync def read(env: Env) -> str:\n    return await env.get_perception_infos('x')\n"
    )
    assert codes_in(awaited, "app/env.py") == ["FG303", "FG301"]
    # a decorated method, or one nested in a function, is not an entry of the loop
    wrapped = source.replace("async def get_", "@staticmethod\n            async def get_")
    assert sorted(codes_in(wrapped, "app/env.py")) == ["FG301", "FG303"]


def test_a_module_of_celery_tasks_runs_its_coroutines_on_their_own_loop() -> None:
    """SurfSense's cleanup task: `@celery_app.task` runs `run_async_celery_task(_clean)`,
    a loop the worker makes for that task: a sync redis call in `_clean` blocks no
    request. The same module importing FastAPI (its coroutines may serve one) is
    checked, and so is one with no task."""
    source = """
        import time

        import redis

        from app.celery_app import celery_app
        from app.tasks import run_async_celery_task

        client = redis.Redis()


        @celery_app.task(name="cleanup")
        def cleanup_task() -> None:
            run_async_celery_task(_clean)


        async def _clean() -> None:
            client.exists("heartbeat")
            time.sleep(1)
        """
    assert codes_in(source, "app/tasks/cleanup.py") == []
    shared = source.replace('@celery_app.task(name="cleanup")', "@shared_task")
    shared = shared.replace("import redis", "import redis\n        from celery import shared_task")
    assert codes_in(shared, "app/tasks/cleanup.py") == []
    served = source.replace("import redis", "import redis\n        from fastapi import APIRouter")
    assert codes_in(served, "app/tasks/cleanup.py") == ["FG302", "FG301"]
    untasked = source.replace('@celery_app.task(name="cleanup")', "# not a task")
    assert codes_in(untasked, "app/tasks/cleanup.py") == ["FG302", "FG301"]


def test_a_click_program_running_its_loops_with_anyio_blocks_no_request() -> None:
    """crawl4ai's `cli.py`: click commands run their coroutines with `anyio.run(...)`, a
    loop of the program's own, as `asyncio.run` is; without it, the coroutine's sync
    completion is reported."""
    source = """
        import anyio
        import click
        import requests


        async def fetch_status(url: str) -> int:
            return requests.get(url, timeout=5).status_code


        @click.command()
        @click.argument("url")
        def status(url: str) -> None:
            click.echo(anyio.run(fetch_status, url))
        """
    assert codes_in(source, "crawl4ai/cli.py") == []
    unrun = source.replace("anyio.run(fetch_status, url)", "url")
    assert codes_in(unrun, "crawl4ai/cli.py") == ["FG302"]


def test_a_command_line_program_running_its_own_loop_blocks_no_request() -> None:
    """skyvern's CLI: typer commands calling `asyncio.run(...)`, whose coroutines start
    ngrok and prompt the user: the loop serves one terminal (no `__main__` guard)."""
    source = """
        import asyncio
        import subprocess

        import typer

        app = typer.Typer()


        async def _tunnel(port: int) -> None:
            subprocess.run(["ngrok", "http", str(port)], check=True)


        @app.command()
        def tunnel(port: int) -> None:
            asyncio.run(_tunnel(port))
        """
    assert codes_in(source, "app/cli/commands/browser.py") == []
    # importing FastAPI too: `_tunnel` is still only what `asyncio.run` runs
    served = source.replace("import typer", "import typer\n        from fastapi import FastAPI")
    assert codes_in(served, "app/cli/commands/browser.py") == []
    shared = served.replace(
        "            asyncio.run(_tunnel(port))",
        "            asyncio.run(_tunnel(port))\n\n\n        async def serve() -> None:\n"
        "            await _tunnel(8000)",
    )
    assert codes_in(shared, "app/cli/commands/browser.py") == ["FG303"]
    no_loop = source.replace("asyncio.run(_tunnel(port))", "print(port)")
    assert codes_in(no_loop, "app/tools/browser.py") == ["FG303"]
    # a module of a command-line package: the helpers its commands await (prefect's
    # `cli/deploy/_actions.py` runs `git` for `prefect deploy`, the twenty-first reader)
    helper = (
        "import subprocess\n\n"
        "async def branch() -> bytes:\n"
        '    return subprocess.check_output(["git"])\n'
    )
    assert codes_in(helper, "src/prefect/cli/deploy/_actions.py") == []
    assert codes_in(helper, "src/prefect/workers/process.py") == ["FG303"]


def test_a_loop_made_and_run_forever_in_a_thread_blocks_no_request() -> None:
    """keep's demo simulator: `asyncio.new_event_loop()` and `run_forever()` in a thread
    the module starts; its coroutines post with `requests` in that loop alone (the
    twenty-second reader: 4 of 4 not worth acting on); and one run until its coroutine
    completes (frigate's stats: `run_until_complete(run_tasks())` in a sync function its
    stats thread and sync routes call, 3 of 3 not worth acting on): no request's loop can
    be running in that thread (`run_until_complete` would raise). aiohttp's client is no
    web framework; its server is."""
    source = """
        import asyncio
        import threading

        import aiohttp
        import requests


        async def simulate(url: str) -> None:
            requests.post(url, timeout=5)
            async with aiohttp.ClientSession() as session:
                await session.get(url)


        def run(url: str) -> None:
            loop = asyncio.new_event_loop()
            loop.create_task(simulate(url))
            loop.run_forever()


        def launch(url: str) -> threading.Thread:
            thread = threading.Thread(target=run, args=(url,), daemon=True)
            thread.start()
            return thread
        """
    assert codes_in(source, "app/core/demo_mode.py") == []
    served = source.replace("import aiohttp", "import aiohttp\n        from aiohttp import web")
    assert codes_in(served, "app/core/demo_mode.py") == ["FG302"]
    wrapped = source.replace("loop.run_forever()", "loop.run_until_complete(simulate(url))")
    assert codes_in(wrapped, "app/core/demo_mode.py") == []
    shared = wrapped.replace("loop = asyncio.new_event_loop()", "loop = asyncio.get_event_loop()")
    assert codes_in(shared, "app/core/demo_mode.py") == ["FG302"]


def test_docker_and_yagmail_clients_in_async_def_are_flagged() -> None:
    """hummingbot's backend-api calls the Docker SDK in its async routes; XAgent sends its
    sign-up mail with yagmail (smtplib underneath) in `async def register`. Closing the
    client makes no request."""
    source = """
        import docker
        import yagmail
        from fastapi import APIRouter

        router = APIRouter()
        client = docker.from_env()


        @router.get("/containers")
        async def containers() -> list[str]:
            return [c.name for c in client.containers.list()]


        @router.post("/register")
        async def register(email: str) -> None:
            yag = yagmail.SMTP("me@example.com", oauth2_file="~/oauth2.json")
            yag.send(to=email, subject="welcome", contents="hi")


        @router.get("/images")
        async def images() -> int:
            local = docker.DockerClient(base_url="unix://var/run/docker.sock")
            try:
                return len(local.images.list())
            finally:
                local.close()
        """
    assert [row for row, _ in positions(source, "FG302", path="app/routes.py")] == [11, 17, 24]


def test_kubernetes_and_jwks_clients_in_async_def_are_flagged() -> None:
    """feast's token parsers: a TokenReview through the Kubernetes client, and PyJWT's
    `PyJWKClient` fetching the issuer's keys (urllib, when its cache is stale), each in
    the `async def` that authenticates a request."""
    source = """
        import jwt
        from jwt import PyJWKClient
        from kubernetes import client


        class Parser:
            def __init__(self, jwks_url: str) -> None:
                self.auth_v1 = client.AuthenticationV1Api()
                self.jwks: PyJWKClient = PyJWKClient(jwks_url)

            async def user(self, token: str) -> str:
                review = client.V1TokenReview(spec=client.V1TokenReviewSpec(token=token))
                self.auth_v1.create_token_review(review)
                key = self.jwks.get_signing_key_from_jwt(token)
                return jwt.decode(token, key.key, algorithms=["RS256"])["sub"]
        """
    assert [row for row, _ in positions(source, "FG302", path="app/auth.py")] == [13, 14]


def test_search_hub_and_azure_blob_clients_in_async_def_are_flagged() -> None:
    """The sync clients of Elasticsearch, OpenSearch (graphiti's Neptune driver), Hugging
    Face's inference API (FastChat's worker) and Azure Blob Storage (gpt-researcher's
    loader: a container's client from the account's, made locally, its listing a
    request)."""
    source = """
        from azure.storage.blob import BlobServiceClient
        from elasticsearch import Elasticsearch
        from huggingface_hub import InferenceClient
        from opensearchpy import OpenSearch


        async def search(q: str) -> list[object]:
            es = Elasticsearch("http://localhost:9200")
            hits = es.search(index="docs", q=q)
            os_client = OpenSearch(hosts=["localhost"])
            more = os_client.search(index="docs", body={})
            return [hits, more]


        async def generate(prompt: str) -> str:
            client = InferenceClient(model="gpt2")
            return client.text_generation(prompt)


        async def load(conn: str) -> list[str]:
            service = BlobServiceClient.from_connection_string(conn)
            container = service.get_container_client("docs")
            return [blob.name for blob in container.list_blobs()]
        """
    assert [row for row, _ in positions(source, "FG302", path="app/search.py")] == [9, 11, 17, 23]


def test_a_client_attribute_bound_to_a_local_name_is_followed() -> None:
    """graphiti's Neptune driver: `client = self.aoss_client` in each turn of a loop, then
    `client.indices.create(...)`: the attribute's class, `OpenSearch`, made in
    `__init__`, as when the attribute is called on directly."""
    source = """
        from opensearchpy import OpenSearch


        class Driver:
            def __init__(self, host: str) -> None:
                self.aoss_client = OpenSearch(hosts=[host])

            async def create(self, names: list[str]) -> None:
                for name in names:
                    client = self.aoss_client
                    client.indices.create(index=name)
        """
    assert [row for row, _ in positions(source, "FG302", path="app/driver.py")] == [11]


def test_an_attribute_made_in_init_from_another_is_known() -> None:
    """gpt-researcher's Azure loader: `self.container` is made in `__init__` from
    `self.client`, the account's client; listing its blobs, and downloading one through a
    blob's client made from it, are requests."""
    source = """
        from azure.storage.blob import BlobServiceClient


        class AzureDocumentLoader:
            def __init__(self, container_name: str, connection_string: str) -> None:
                self.client = BlobServiceClient.from_connection_string(connection_string)
                self.container = self.client.get_container_client(container_name)

            async def load(self) -> list[str]:
                return [blob.name for blob in self.container.list_blobs()]

            async def read(self, name: str) -> bytes:
                blob_client = self.container.get_blob_client(name)
                return blob_client.download_blob().readall()
        """
    assert [row for row, _ in positions(source, "FG302", path="app/loader.py")] == [10, 14]


def test_boto3_and_supabase_clients_in_async_def_are_flagged() -> None:
    """R2R's S3 file provider (`self.s3_client = boto3.client("s3")`) and Supabase auth
    provider (`self.supabase: Client = create_client(...)`): every request blocks the loop
    (once per client and function); signing a URL makes no request."""
    source = """
        import boto3
        from supabase import Client, create_client


        class Files:
            def __init__(self, url: str, key: str) -> None:
                self.s3_client = boto3.client("s3")
                self.supabase: Client = create_client(url, key)

            async def store(self, key: str, data: bytes) -> None:
                self.s3_client.put_object(Bucket="files", Key=key, Body=data)
                self.s3_client.head_object(Bucket="files", Key=key)

            async def link(self, key: str) -> str:
                return self.s3_client.generate_presigned_url("get_object", Params={"Key": key})

            async def delete(self, key: str) -> None:
                boto3.Session().client("s3").delete_object(Bucket="files", Key=key)

            async def login(self, email: str, password: str) -> object:
                return self.supabase.auth.sign_in_with_password(
                    {"email": email, "password": password}
                )
        """
    found = [(f.code, f.start.row) for f in check_code(source, "app/files.py")]
    assert found == [("FG302", 11), ("FG302", 18), ("FG302", 21)]


def test_a_supabase_query_is_reported_where_execute_sends_it() -> None:
    """A query builder sends nothing until `.execute()` (reader 55: tm's 38 findings sat
    on `.table()`): the finding spans the chain and names the call that blocks; a builder
    kept in a variable keeps the first call's message."""
    source = """
        from supabase import create_client

        supabase = create_client("https://db.example.com", "service-key")


        async def orders(shop: str) -> list[dict[str, str]]:
            result = supabase.table("orders").select("*").eq(
                "shop", shop
            ).execute()
            return result.data


        async def recent(shop: str) -> list[dict[str, str]]:
            query = supabase.table("orders").select("*")
            return query.eq("shop", shop).execute().data
        """
    found = [f for f in check_code(source, "app/orders.py") if f.code == "FG302"]
    assert [(f.start.row, f.end.row) for f in found] == [(7, 9), (14, 14)]
    assert found[0].message.startswith(
        "`supabase.table(...)` ... `.execute()` sends its request on a sync `supabase.Client` "
        "client, which blocks the event loop inside `async def`"
    )
    assert found[1].message.startswith("`supabase.table()` on a sync `supabase.Client` client")
    # the async client named as the package makes it, not as a method of the client bound
    # to `supabase` (CappuccinoRose's, reader 139)
    assert "use an `AsyncClient`, made by the supabase package's `acreate_client(...)`" in (
        found[0].message
    )


def codes_in(source: str, path: str) -> list[str]:
    return [f.code for f in check_code(source, path) if f.code in {"FG301", "FG302", "FG303"}]


# ------------------------------------------------------- FG302 sync SDK clients


def test_a_sync_sdk_client_in_async_def_is_flagged_once_per_function() -> None:
    """The readers' misses: an async method calling the sync OpenAI client that
    `__init__` made (a health service's advisors), a module-level sync Redis, an SMTP
    connection opened in a coroutine (an e-mail helper behind every sign-up)."""
    source = """
        import smtplib

        import redis
        from anthropic import Anthropic
        from openai import OpenAI

        cache = redis.Redis()


        class Advisor:
            def __init__(self, key: str) -> None:
                self.client = OpenAI(api_key=key)
                self.claude = Anthropic()

            async def ask(self, prompt: str) -> str:
                first = self.client.chat.completions.create(model="m", messages=[])
                second = self.client.embeddings.create(model="m", input=prompt)
                self.claude.messages.create(model="m", max_tokens=5, messages=[])
                return str(first) + str(second)


        async def send(to: str) -> None:
            cache.get(to)
            with smtplib.SMTP("localhost", 25) as server:
                server.login("user", "password")
                server.send_message(None)
        """
    assert positions(source, "FG302") == [(16, 17), (18, 9), (23, 5), (24, 10)]
    assert messages(source, "FG302")[0] == (
        "`self.client.chat.completions.create()` on a sync `openai.OpenAI` client blocks "
        "the event loop inside `async def`: use `openai.AsyncOpenAI` (awaited)"
    )


def test_async_clients_local_methods_and_sync_code_are_not_flagged() -> None:
    source = """
        import redis
        from openai import AsyncOpenAI, OpenAI

        client = OpenAI()
        cache = redis.Redis()


        async def ask(prompt: str) -> None:
            aclient = AsyncOpenAI()
            await aclient.chat.completions.create(model="m", messages=[])
            client.with_options(timeout=5)
            pipe = cache.pipeline()
            client.close()


        def ask_sync(prompt: str) -> None:
            client.chat.completions.create(model="m", messages=[])
            cache.get(prompt)
        """
    assert positions(source, "FG302") == []


def test_stripe_requests_in_async_def_are_flagged_not_awaited_or_local_ones() -> None:
    source = """
        import stripe


        async def subscribe(email: str, payload: bytes, signature: str) -> None:
            stripe.Customer.create(email=email)
            stripe.checkout.Session.create(mode="payment")
            await stripe.Customer.create_async(email=email)
            stripe.Webhook.construct_event(payload, signature, "whsec")


        def subscribe_sync(email: str) -> None:
            stripe.Customer.create(email=email)
        """
    assert positions(source, "FG302") == [(5, 5), (6, 5)]
    assert messages(source, "FG302")[0] == (
        "`stripe.Customer.create()` makes a blocking request inside `async def`: use "
        "`await stripe.Customer.create_async(...)` (stripe 8.10+), or `await "
        "asyncio.to_thread(...)`"
    )


def test_a_stripe_request_in_a_route_that_awaits_nothing_is_told_def() -> None:
    """djahern-max's payment routes (reader 118): `stripe.Customer.create(...)` in a route
    that awaits nothing; FG302's other messages offer `def` there, as its docs say."""
    source = """
        import stripe
        from fastapi import APIRouter

        router = APIRouter()


        @router.post("/customers")
        async def create_customer(email: str) -> str:
            return stripe.Customer.create(email=email).id
        """
    (message,) = messages(source, "FG302")
    assert message.endswith(
        "; or, as `create_customer` awaits nothing, declare it `def` (FastAPI runs it in its "
        "threadpool)"
    )


def test_stripe_pinned_before_its_async_methods_is_told_a_thread(tmp_path: Path) -> None:
    """Abdallahozaifa pins `stripe==7.0.0` (reader 103): the `*_async` twins came with
    8.10, so the advice is a thread; a pin admitting 8.10 keeps the twin."""
    write(tmp_path, "requirements.txt", "stripe==7.0.0\n")
    service = (
        "import stripe\n\n\nasync def subscribe(email: str) -> None:\n"
        "    stripe.Customer.create(email=email)\n"
    )
    write(tmp_path, "app/billing.py", service)

    def advice() -> str:
        ran = run_cli("check", "--no-cache", "--output-format", "json", str(tmp_path))
        (found,) = [f["message"] for f in json.loads(ran.stdout) if f["code"] == "FG302"]
        return str(found).partition(": use ")[2]

    assert advice() == (
        "`await asyncio.to_thread(...)` (the `*_async` methods came with stripe 8.10, which "
        "this project's pins do not admit)"
    )
    write(tmp_path, "requirements.txt", "stripe>=7\n")
    assert advice().startswith("`await stripe.Customer.create_async(...)` (stripe 8.10+)")


def test_a_helper_of_the_module_making_a_stripe_request_is_followed() -> None:
    """A sync helper's `stripe.Subscription.retrieve(...)`, called in a webhook (as
    JoeWat2005's, whose helper is in another module: reader 76); a helper that only
    builds a Stripe object sends nothing."""
    source = """
        import stripe


        def refresh(subscription_id: str) -> object:
            return stripe.Subscription.retrieve(subscription_id)


        def event_of(payload: bytes, signature: str) -> object:
            return stripe.Webhook.construct_event(payload, signature, "whsec")


        async def on_event(payload: bytes, signature: str, subscription_id: str) -> None:
            event_of(payload, signature)
            refresh(subscription_id)
        """
    assert positions(source, "FG302") == [(14, 5)]
    assert messages(source, "FG302")[0] == (
        "`refresh()` calls `stripe.Subscription.retrieve()`, which blocks the event loop "
        "inside `async def`: use `await stripe.Subscription.retrieve_async(...)` (stripe "
        "8.10+) there, or `await asyncio.to_thread(refresh, ...)`"
    )


# ------------------------------------------------------- FG303 subprocesses


def test_popen_and_waiting_on_it_in_async_def_are_flagged_once_at_the_wait() -> None:
    """Starting the process takes a moment, waiting for it blocks: lnbits' `pg_dump` read
    two findings for one fix (the twenty-first reader); a `Popen` nobody waits for here,
    or waited for in a nested function, is only started, as asyncio's own API starts one
    (on the loop's thread too): no finding (crawl4ai's browser, the thirty-seventh)."""
    source = """
        import subprocess

        async def convert(path: str) -> bytes:
            process = subprocess.Popen(["convert", path], stdout=subprocess.PIPE)
            output, _ = process.communicate()
            process.wait()
            return output

        async def start(path: str) -> subprocess.Popen:
            process = subprocess.Popen(["convert", path])

            def reap() -> None:
                process.wait()

            return process
        """
    assert positions(source, "FG303") == [(5, 17), (6, 5)]
    assert messages(source, "FG303") == [
        "`.communicate()` on a `subprocess.Popen` waits for the process on the event loop "
        "inside `async def`: use `await asyncio.create_subprocess_exec(...)` and "
        "`await process.communicate()`",
        "`.wait()` on a `subprocess.Popen` waits for the process on the event loop inside "
        "`async def`: use `await asyncio.create_subprocess_exec(...)` and "
        "`await process.wait()`",
    ]


def test_popen_opened_with_a_with_statement_is_waited_for() -> None:
    source = """
        from subprocess import Popen

        async def run() -> None:
            with Popen(["true"]) as process:
                process.wait()
        """
    assert positions(source, "FG303") == [(5, 9)]


def test_with_popen_in_another_function_does_not_leak_its_name() -> None:
    source = """
        from subprocess import Popen

        def start() -> None:
            with Popen(["true"]) as process:
                process.wait()

        async def other(process) -> None:
            process.wait()
        """
    assert positions(source, "FG303") == []


@pytest.mark.parametrize(
    "call",
    [
        "os.posix_spawn('/bin/true', ['true'], {})",
        "os.posix_spawnp('true', ['true'], {})",
        "os.spawnv(os.P_WAIT, '/bin/true', ['true'])",
        "os.spawnlp(os.P_NOWAIT, 'true', 'true')",
        "os.wait3(0)",
        "os.wait4(1, 0)",
        "os.waitid(os.P_ALL, 0, os.WEXITED)",
    ],
)
def test_ruff_async220_to_222_calls_are_flagged(call: str) -> None:
    source = f"""
        import os

        async def run() -> None:
            {call}
        """
    assert positions(source, "FG303") == [(4, 5)]


def test_asyncio_process_and_other_wait_methods_are_not_flagged() -> None:
    source = """
        import asyncio
        import threading

        async def run(event: threading.Event) -> None:
            process = await asyncio.create_subprocess_exec("true")
            await process.wait()
            await process.communicate()
            condition = asyncio.Condition()
            await condition.wait()
        """
    assert positions(source, "FG303") == []


# ---------------------------------------------------- FG409 FastAPI parameters


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            "Query(None, regex='^a')",
            "`Query(regex=...)` is deprecated since FastAPI 0.100: use `pattern=`",
        ),
        (
            "Path(..., regex='^a')",
            "`Path(regex=...)` is deprecated since FastAPI 0.100: use `pattern=`",
        ),
        (
            "Body(..., min_items=1)",
            "`Body(min_items=...)` is no longer applied by FastAPI 0.100+, and a TypeError "
            "in recent versions: use `min_length=`",
        ),
        (
            "Form(max_items=2)",
            "`Form(max_items=...)` is no longer applied by FastAPI 0.100+, and a TypeError "
            "in recent versions: use `max_length=`",
        ),
    ],
)
def test_fastapi_parameter_with_a_v1_keyword_is_flagged(call: str, message: str) -> None:
    source = f"""
        from fastapi import Body, Form, Path, Query

        def route(value=({call})) -> None:
            return None
        """
    assert messages(source, "FG409") == [message]


def test_v1_keyword_is_renamed_by_the_fix() -> None:
    source = """
        from fastapi import Query

        def route(q: str = Query(None, regex="^a", max_items=3)) -> None:
            return None
        """
    expected = textwrap.dedent(source).lstrip("\n").replace("regex=", "pattern=")
    assert fix_code(source, "FG409") == expected  # FastAPI ignores max_items: unsafe
    assert fix_code(source, "FG409", unsafe=True) == expected.replace("max_items=", "max_length=")


def test_no_fix_when_the_new_keyword_is_also_given() -> None:
    source = """
        from fastapi import Query

        def route(q: str = Query(None, regex="^a", pattern="^b")) -> None:
            return None
        """
    found = [f for f in check_code(source) if f.code == "FG409"]
    assert len(found) == 1
    assert found[0].fix is None


def test_project_on_pydantic_1_hears_of_the_migration_without_a_fix() -> None:
    engine = Engine([RULES_BY_CODE["FG409"]], pydantic_target=lambda: 1)
    source = (
        b"from fastapi import Query\n\ndef route(q: list[str] = Query(None, min_items=1)): ...\n"
    )
    found = engine.check(Path("app/example.py"), source, None).findings
    assert [(f.message, f.fix) for f in found] == [
        (
            "`Query(min_items=...)` is a Pydantic v1 keyword, renamed in FastAPI 0.100+ "
            "(Pydantic 2): when migrating, use `min_length=`",
            None,
        )
    ]


def test_regex_which_fastapi_still_applies_is_reported_in_new_code_or_when_named(
    tmp_path: Path,
) -> None:
    """The twentieth reader's `Form(regex=...)` on FastAPI 0.123: deprecated, applied as
    `pattern=` (up to 0.165): an inventory in existing code; `min_items=`, which FastAPI
    ignores, always."""
    write(tmp_path, "pyproject.toml", "[project]\nname = 'forms'\n")
    write(
        tmp_path,
        "app/routes.py",
        """
        from fastapi import Body, Form


        def login(code: str = Form(regex="^[0-9]{6}$"), tags: list[str] = Body(min_items=1)):
            return code, tags
        """,
    )

    def found(*args: str) -> list[tuple[int, int]]:
        result = run_cli("check", "--no-cache", "--output-format", "json", *args, str(tmp_path))
        return [
            (f["location"]["row"], f["location"]["column"])
            for f in json.loads(result.stdout)
            if f["code"] == "FG409"
        ]

    assert found() == [(4, 72)]
    assert found("--extend-select", "FG409") == [(4, 28), (4, 72)]


def test_field_keywords_are_left_to_fg209() -> None:
    source = """
        from pydantic import BaseModel, Field

        class Tag(BaseModel):
            name: str = Field(regex="^[a-z]+$")
        """
    assert positions(source, "FG409") == []


def test_http_exception_in_a_repository_is_named_for_the_repository_layer() -> None:
    source = "from fastapi import HTTPException\n\ndef get(x):\n    raise HTTPException(404)\n"
    (finding,) = check_code(source, path="app/crud.py")
    assert "in the repository layer" in finding.message
    (finding,) = check_code(source, path="app/users/service.py")
    assert "in the service layer" in finding.message


def test_a_key_whose_digits_never_run_three_in_a_row_is_still_a_secret() -> None:
    assert codes('PAYMENTS_API_KEY = "sk_live_4f9a8b7c6d5e4f3a2b1c"\n', "app/pay.py") == ["FG502"]
    assert codes('DEFAULT_API_KEY = "read_only_public_key"\n', "app/pay.py") == []


def test_fg502_leaves_messages_public_keys_and_api_examples() -> None:
    source = """
from fastapi import Body
from pydantic import BaseModel, ConfigDict, Field

PROBLEMS = {"missing_api_key": "running backend has no SKYVERN_API_KEY"}
invalid_password = "the password you typed is too short"
POSTHOG_PROJECT_API_KEY: str = "phc_bVT2ugnZhMHRWqMvSRHPdeTjaPxQqT3QSsI3r5FlQR5"


class Login(BaseModel):
    model_config = ConfigDict(json_schema_extra={"example": {"password": "hunter2hunter2"}})
    password: str = Field(examples=["securepassword123"])


async def create(data: dict = Body(examples=[{"credential": {"password": "newpassword123"}}])):
    return data


SECRET: str = "super secret jwt secret"
STRIPE_API_KEY = "sk_live_4f9a8b7c6d5e4f3a2b1c"
"""
    rows = [f.start.row for f in check_code(source, "app/settings.py") if f.code == "FG502"]
    assert rows == [18, 19]  # the jwt secret default and the live key only


def test_fg502_leaves_an_error_message_named_for_a_token() -> None:
    """ElGranZorro's `class ErrorCode` (reader 147): `FAIL_ACCESS_TOKEN = "Error en el
    access_token"`, the message of a failure about a token, beside `UNAUTHORIZED =
    "Usuario no Autorizado."`; `ACCESS_TOKEN_ERROR` alike. The token itself stays one."""
    source = """
UNAUTHORIZED = "Usuario no Autorizado."
FAIL_ACCESS_TOKEN = "Error en el access_token"
ACCESS_TOKEN_ERROR = "Token invalido o vencido"
ACCESS_TOKEN = "k9Xq2Lr7Vt3Kp8Wn5Bz1Hc6Jf0Ge4Ua"
"""
    rows = [f.start.row for f in check_code(source, "app/admin/constants.py") if f.code == "FG502"]
    assert rows == [4]


def test_fg502_a_secret_named_for_its_text_is_a_secret() -> None:
    """ally360's settings (reader 148): `APP_SECRET_STRING: str = 'your-super-secret-key-
    here-change-in-production-2024'`, the key its tokens are signed with, named for its
    text; `JWT_SECRET_STR` alike."""
    source = """
from pydantic_settings import BaseSettings


class Settings(BaseSettings):
    APP_SECRET_STRING: str = "your-super-secret-key-here-change-in-production-2024"
    JWT_SECRET_STR: str = "k9Xq2Lr7Vt3Kp8Wn5Bz1Hc6Jf0Ge4Ua"
    ERROR_STRING: str = "something went wrong"


settings = Settings()
"""
    rows = [f.start.row for f in check_code(source, "app/core/config.py") if f.code == "FG502"]
    assert rows == [5, 6]


def test_fg502_leaves_a_firebase_web_apps_api_key_and_reports_other_google_keys() -> None:
    """joboy-dev's `firebase_config` for pyrebase (reader 143): the `apiKey` of a Firebase
    web app's configuration is sent to every browser of the app, public by Firebase's
    design; the same key alone (a Gemini or Maps server key) is a secret."""
    key = "AIza" + "SyD4x9Qm2Lr7Vt3Kp8Wn5Bz1Hc6Jf0Ge4Ua"
    web = f"""
firebase_config = {{
    "apiKey": "{key}",
    "authDomain": "shop-d1e10.firebaseapp.com",
    "projectId": "shop-d1e10",
    "appId": "1:253588525093:web:b983734a4caf1ea32c",
}}
gemini = {{"apiKey": "{key}", "model": "gemini-2.0-flash"}}
"""
    rows = [f.start.row for f in check_code(web, "app/firebase_config.py") if f.code == "FG502"]
    assert rows == [7]


def test_fg502_a_placeholder_fallback_of_another_services_api_secret_is_no_key() -> None:
    """HealthMatch's notification service (reader 146): `"api_secret":
    os.getenv("SMS_API_SECRET", "your_api_secret")`, the SMS provider's secret with a
    placeholder fallback, as its `api_key` beside it: the provider refuses it, nobody
    signs with it. The service's own signing key's fallback, however it reads, is the
    key."""
    source = """
import os

sms = {
    "api_key": os.getenv("SMS_API_KEY", "your_api_key"),
    "api_secret": os.getenv("SMS_API_SECRET", "your_api_secret"),
}
JWT_SECRET = os.getenv("JWT_SECRET", "your_jwt_secret")
"""
    rows = [f.start.row for f in check_code(source, "app/notify.py") if f.code == "FG502"]
    assert rows == [7]


def test_fg407_leaves_command_line_tools_and_environments_handed_on() -> None:
    handed_on = """
import os
import subprocess

INHERITED = ("PATH", "DISPLAY")


def start_broker(extra: dict[str, str]) -> subprocess.Popen[bytes]:
    environment = {name: os.environ[name] for name in INHERITED if name in os.environ}
    return subprocess.Popen(["broker"], env={**environment, **extra})


def feature_enabled() -> bool:
    return os.getenv("FORCE_DISABLE_SCREENSHOTS", "") == "1"
"""
    rows = [f.start.row for f in check_code(handed_on, "app/browser.py") if f.code == "FG407"]
    assert rows == [13]  # the setting read by its name, not the environment handed on
    assert "FG407" not in codes(handed_on, "skyvern/cli/doctor.py")


# ------------------------------------------------------- development tooling (#14 E)

TOOLING_SHAPES = {
    "FG105": """
        from sqlalchemy import text

        async def count(session, owner: str) -> int:
            return await session.scalar(text(f"SELECT count(*) FROM t WHERE owner = '{owner}'"))
        """,
    "FG111": """
        from sqlalchemy import text

        async def count(session, table: str) -> int:
            return await session.scalar(text(f"SELECT count(*) FROM {table}"))
        """,
    "FG301": """
        import time

        async def launch() -> None:
            time.sleep(1)
        """,
    "FG303": """
        import subprocess

        async def dump() -> None:
            subprocess.run(["pg_dump", "app"], check=True)
        """,
    "FG403": """
        from fastapi import FastAPI

        app = FastAPI()

        @app.get("/feedback")
        async def feedback():
            return await load()
        """,
    "FG405": """
        from fastapi import APIRouter

        router = APIRouter()

        @router.post("/run")
        async def run() -> dict[str, str]:
            try:
                return await start()
            except Exception:
                return {"status": "failed"}
        """,
    "FG407": """
        import os

        TENANT = os.environ["QA_TENANT"]
        """,
    "FG502": """
        ADMIN_PASSWORD = "DemoOwner123!x"
        """,
}


@pytest.mark.parametrize("code", sorted(TOOLING_SHAPES))
@pytest.mark.parametrize(
    "folder",
    ["qa/scenarios", "evals/old/src", "examples/demos/backend", "scripts", ".agents/skills/x"],
)
def test_rules_that_do_not_apply_in_tooling_stay_silent_there(code: str, folder: str) -> None:
    source = TOOLING_SHAPES[code]
    assert code in codes(source, "app/core/module.py")
    assert code not in codes(source, f"{folder}/module.py")


def test_a_route_module_name_inside_a_tooling_folder_is_tooling() -> None:
    assert LAYERS.layer_of("examples/shop/routes.py") == "tooling"
    assert "FG403" not in codes(TOOLING_SHAPES["FG403"], "examples/shop/routes.py")


def test_product_folders_named_like_tooling_inside_a_package_are_not_tooling() -> None:
    # an evaluations API, an LLM agent's tools, a Celery tasks module
    assert LAYERS.layer_of("backend/app/server/evals/api.py") == "route"
    assert LAYERS.layer_of("app/agent/tools/search.py") is None
    assert LAYERS.layer_of("app/worker/tasks.py") is None
    assert "FG301" in codes(TOOLING_SHAPES["FG301"], "app/agent/tools/search.py")


def test_alembic_environment_is_tooling() -> None:
    source = """
        import os

        from alembic import context

        config = context.config
        config.set_main_option("sqlalchemy.url", os.environ["DATABASE_URL"])
        """
    assert "FG407" in codes(source, "app/database.py")
    assert "FG407" not in codes(source, "enterprise/migrations/env.py")


# --------------------------------------------------------------- FG504 python-jose


@pytest.mark.parametrize(
    ("statement", "advice"),
    [
        ("from jose import jwt", "use PyJWT"),
        ("from jose import jwe", "joserfc, jwcrypto or authlib"),
        ("from jose.jwe import encrypt", "joserfc, jwcrypto or authlib"),
        ("import jose.jwe", "joserfc, jwcrypto or authlib"),
        ("from jose import jwk", "PyJWK"),
    ],
)
def test_python_jose_advice_follows_what_is_imported(statement: str, advice: str) -> None:
    found = messages(statement, "FG504")
    assert len(found) == 1, found
    assert advice in found[0]
    assert "no release from 2021 to 2025" in found[0]


# ---------------------------------------------------------- FG504 passlib and bcrypt


def _fg504(root: Path, *select: str) -> list[tuple[str, str]]:
    args = ("--select", *select) if select else ()
    result = run_cli("check", "--no-cache", "--output-format", "json", *args, str(root))
    return sorted(
        (Path(f["filename"]).name, f["message"])
        for f in json.loads(result.stdout)
        if f["code"] == "FG504"
    )


def test_a_passlib_import_nothing_uses_is_no_fg504(tmp_path: Path) -> None:
    """Azadron228's `auth.py` (reader 70): `from passlib.context import CryptContext`,
    never used; its `utils.py` hashes with it. Nothing of passlib runs in the first: the
    import is ruff's F401 to remove, and the finding is the second file's. So, too, an
    import whose every use is commented out (ilysth's `from passlib.hash import bcrypt`
    above `# return bcrypt.verify(...)`: reader 220); a string naming it keeps it used."""
    write(tmp_path, "pyproject.toml", '[project]\nname = "svc"\n')
    write(tmp_path, "requirements.txt", "passlib[bcrypt]\n")
    write(tmp_path, "app/auth.py", "import jwt\nfrom passlib.context import CryptContext\n")
    write(
        tmp_path,
        "app/crud.py",
        "from passlib.hash import bcrypt\n\n\n"
        "def check(plain: str, hashed: str) -> bool:\n"
        "    # return bcrypt.verify(plain, hashed)\n"
        "    return plain == hashed\n",
    )
    write(tmp_path, "app/old.py", "import passlib.context\n\nVERSION = 1\n")
    write(
        tmp_path,
        "app/utils.py",
        'from passlib.context import CryptContext\n\nctx = CryptContext(schemes=["bcrypt"])\n',
    )
    write(
        tmp_path,
        "app/named.py",
        'import passlib.context\n\nctx = passlib.context.CryptContext(schemes=["bcrypt"])\n',
    )
    write(
        tmp_path,
        "app/aliased.py",
        'from passlib import hash as hashes\n\nHASHER = getattr(globals()["hashes"], "bcrypt")\n',
    )
    # one finding per library and project (the first module by name), each when named
    assert [name for name, _ in _fg504(tmp_path)] == ["aliased.py"]
    assert [name for name, _ in _fg504(tmp_path, "FG504")] == [
        "aliased.py",
        "named.py",
        "utils.py",
    ]


def test_a_module_importing_only_passlib_s_exceptions_is_held(tmp_path: Path) -> None:
    """zayycev22's user model (reader 88) imports only `UnknownHashError` to catch it;
    its hasher hashes with bcrypt and gets the finding; a selection naming FG504 sees
    both."""
    write(tmp_path, "pyproject.toml", '[project]\nname = "svc"\n')
    write(tmp_path, "requirements.txt", "passlib[bcrypt]\n")
    write(
        tmp_path,
        "app/hasher.py",
        'from passlib.context import CryptContext\n\nctx = CryptContext(schemes=["bcrypt"])\n',
    )
    write(
        tmp_path,
        "app/models.py",
        "from passlib.exc import UnknownHashError\n\nERRORS = (UnknownHashError,)\n",
    )
    write(
        tmp_path,
        "app/both.py",
        "from passlib.exc import UnknownHashError\nfrom passlib.hash import bcrypt\n\n"
        "ERRORS = (UnknownHashError, bcrypt)\n",
    )
    assert [name for name, _ in _fg504(tmp_path)] == ["both.py", "both.py"]
    assert [name for name, _ in _fg504(tmp_path, "FG504")] == [
        "both.py",
        "both.py",
        "hasher.py",
        "models.py",
    ]


def test_passlib_breaks_with_bcrypt_named_anywhere_in_the_project(tmp_path: Path) -> None:
    """passlib's failure is bcrypt's (5.0): reported where the project hashes with bcrypt,
    though the scheme is named in another module (its settings)."""
    write(tmp_path, "pyproject.toml", '[project]\nname = "svc"\n')
    write(tmp_path, "app/__init__.py", "")
    write(tmp_path, "app/settings.py", 'HASH_SCHEMES = ["bcrypt"]\n')
    write(
        tmp_path,
        "app/security.py",
        """
        from passlib.context import CryptContext

        from app.settings import HASH_SCHEMES

        pwd_context = CryptContext(schemes=HASH_SCHEMES)
        """,
    )
    (found,) = _fg504(tmp_path)
    assert found[0] == "security.py"
    assert "fails with bcrypt 5" in found[1]


def test_passlib_with_its_other_hashers_is_a_note_when_named(tmp_path: Path) -> None:
    """`pbkdf2_sha256` or `sha256_crypt` work on passlib: not reported by default (the
    move to pwdlib is a migration of stored hashes); named, a note that says so."""
    write(tmp_path, "pyproject.toml", '[project]\nname = "svc"\n')
    write(tmp_path, "app/__init__.py", "")
    write(
        tmp_path,
        "app/users.py",
        """
        from passlib.hash import pbkdf2_sha256

        def check(password: str, stored: str) -> bool:
            return pbkdf2_sha256.verify(password, stored)
        """,
    )
    assert _fg504(tmp_path) == []
    (found,) = _fg504(tmp_path, "FG504")
    assert "rehash the stored ones" in found[1]
    assert "bcrypt" not in found[1]


# ------------------------------------------- FG407 settings modules, one per variable


def test_a_variable_read_several_times_is_one_finding_that_counts_them() -> None:
    source = """
        import os

        def base_url() -> str:
            return os.environ["ACME_URL"]

        def client(factory):
            return factory(os.getenv("ACME_URL"), os.environ.get("ACME_URL"))
        """
    assert positions(source, "FG407") == [(4, 12)]
    assert "`ACME_URL`, read 3 times in this module" in messages(source, "FG407")[0]


def test_settings_classes_not_deriving_from_pydantic_are_not_settings_by_content() -> None:
    source = """
        import os

        class CacheConfig:
            ttl = int(os.getenv("CACHE_TTL", "60"))
        """
    assert positions(source, "FG407") == [(4, 15)]


def test_a_method_of_a_settings_class_is_not_its_definition() -> None:
    source = """
        import os

        from pydantic import BaseModel

        class MailConfig(BaseModel):
            host: str = os.getenv("MAIL_HOST", "")

            def sender(self) -> str:
                return os.environ["MAIL_FROM"]

        def timeout() -> float:
            return float(os.getenv("MAIL_TIMEOUT", "5"))
        """
    assert [row for row, _ in positions(source, "FG407")] == [9, 12]


@pytest.mark.parametrize(
    ("path", "flagged"),
    [
        ("sdks/python/acme/client.py", False),
        ("clients/python/acme_client/core.py", False),
        ("app/clients/stripe.py", True),
    ],
)
def test_client_libraries_in_top_folders_read_their_users_environment(
    path: str, flagged: bool
) -> None:
    source = 'import os\nKEY = os.getenv("ACME_API_KEY")\n'
    assert ("FG407" in codes(source, path)) is flagged


# ---------------------------------------------------------- generated code (#14 W)


@pytest.mark.parametrize(
    "header",
    [
        "# This file was auto-generated by Fern from our API Definition.\n",
        "# Generated by the protocol buffer compiler.  DO NOT EDIT!\n",
        '"""\n    Acme API\n\n    Generated by OpenAPI Generator.\n'
        '    Do not edit the class manually.\n"""\n',
        "# @generated by a tool\n",
    ],
)
def test_generated_files_are_not_checked(header: str) -> None:
    body = "import time\n\nasync def wait() -> None:\n    time.sleep(1)\n"
    assert codes(body) == ["FG301"]
    assert codes(header + body) == []


@pytest.mark.parametrize(
    ("header", "generated"),
    [
        # DB-GPT's model files: a scaffold the team fills in, its code from then on
        (
            '"""This is an auto-generated model file\nYou can define your own models and DAOs '
            'here\n"""\n',
            False,
        ),
        ("# auto-generated stub: you may add your handlers below\n", False),
        ("# @generated by a tool: you should not edit this file\n", True),
        ("# Auto-generated. You can't modify this file: edit schema.yaml\n", True),
        ("# DO NOT EDIT: generated. You can change the template in templates/\n", True),
    ],
)
def test_a_scaffold_asking_to_be_edited_is_checked(header: str, generated: bool) -> None:
    body = "import time\n\nasync def wait() -> None:\n    time.sleep(1)\n"
    assert codes(header + body) == ([] if generated else ["FG301"])


def test_a_marker_in_the_code_or_alembics_comment_is_not_a_generated_header() -> None:
    body = (
        '"""add users\n\nRevision ID: 1a2b\n"""\nimport time\n\nBANNER = "DO NOT EDIT"\n\n'
        "async def upgrade() -> None:\n"
        "    # ### commands auto generated by Alembic - please adjust! ###\n"
        "    time.sleep(1)\n"
    )
    assert codes(body) == ["FG301"]


def test_routes_of_a_router_made_out_of_the_schema_need_no_response_model() -> None:
    source = """
        from fastapi import APIRouter

        pages = APIRouter(tags=["website"], include_in_schema=False)
        api = APIRouter()


        @pages.get("/")
        async def index():
            return await render("index.html")


        @api.get("/items")
        async def items():
            return await load_items()
        """
    assert positions(source, "FG403", "app/views/generic.py") == [(13, 11)]


def test_a_detail_read_for_the_error_raised_next_is_not_flagged() -> None:
    source = """
    from fastapi import APIRouter, HTTPException

    router = APIRouter()


    @router.get("/callback")
    async def callback(code: str) -> dict:
        response = await exchange(code)
        if response.status_code != 200:
            detail = response.text
            try:
                detail = response.json().get("error_description", detail)
            except Exception:
                pass
            raise HTTPException(status_code=400, detail=f"Token exchange failed: {detail}")
        try:
            token = response.json()
        except Exception:
            token = {}
        return token
    """
    # the first handler reads a detail of the error raised next; the second swallows a
    # failure of the route's own answer (SurfSense's connector callbacks)
    assert [row for row, _ in positions(source, "FG405", path="app/items/router.py")] == [18]


def test_a_project_model_named_like_a_response_is_the_routes_declared_answer() -> None:
    source = """
    from fastapi import APIRouter
    from fastapi.responses import JSONResponse

    from app.schemas import IntegrationResponse

    router = APIRouter()


    @router.get("/integration")
    async def integration() -> IntegrationResponse:
        try:
            return IntegrationResponse(status="ok", detail=await probe())
        except Exception:
            return IntegrationResponse(status="unavailable", detail=None)


    @router.get("/raw", response_model=None)
    async def raw() -> JSONResponse:
        try:
            return JSONResponse(await probe())
        except Exception:
            return JSONResponse({"status": "unavailable"})
    """
    # a project's model named `*Response` is the contract (tracecat); Starlette's is not
    assert [row for row, _ in positions(source, "FG405", path="app/items/router.py")] == [21]


@pytest.mark.parametrize(
    ("line", "reported"),
    [
        ('DATABASE_URL = "postgresql://postgres:postgres@postgres_db:5432/app"', False),
        ('DATABASE_URL = "postgresql://app:password@db:5432/app"', False),
        ('MYSQL_URL = "mysql+pymysql://用户名:密码@主机地址/数据库名称"', False),
        ('MYSQL_URL = "mysql+pymysql://root:密码123@10.0.0.7/kb"', True),
        ('DATABASE_URL = "postgresql://app:s3cr3t-Pr0d@db.internal:5432/app"', True),
        ('OPENAI_API_KEY = "sk-proj-"', False),
        ('OPENAI_API_KEY = "sk-proj-8Qw2b7Hk3Lm9Zp0Xy4Tv"', True),
        # an AWS Secrets Manager id (JMSolorzano-13, reader 74); a key with slashes
        ('EMAIL_PROVIDER_SECRET = "siigo/mailprovider/token"', False),
        ('EMAIL_PROVIDER_SECRET = "q8Zr/Tb9x+Lm2Wv/Hk4Pc7Ny"', True),
    ],
)
def test_development_defaults_and_key_prefixes_are_no_secrets(line: str, reported: bool) -> None:
    # tracecat's compose default as an env fallback; Chatchat's key prefix to complete
    assert bool(positions(line, "FG502", path="app/config.py")) is reported


@pytest.mark.parametrize(
    ("variable", "reported"),
    [("LANGFUSE_SECRET_KEY", False), ("LANGSMITH_TRACING", False), ("APP_SECRET_KEY", True)],
)
def test_variables_the_tracing_sdks_read_themselves_are_no_configuration(
    variable: str, reported: bool
) -> None:
    source = f"""
    import os

    from fastapi import APIRouter

    router = APIRouter()


    def callbacks() -> list[object]:
        return [tracer()] if os.getenv("{variable}") else []
    """
    assert bool(positions(source, "FG407", path="app/chat/chat.py")) is reported


@pytest.mark.parametrize("cache", [["--no-cache"], []])
def test_a_handler_calling_another_modules_raiser_re_raises(
    tmp_path: Path, cache: list[str]
) -> None:
    """TaskingAI's `raise_http_error(ErrorCode.X, str(e))`, unannotated, every path raising:
    the project index records it as never returning."""
    write(tmp_path, "pyproject.toml", '[project]\nname = "svc"\nversion = "0"\n')
    write(tmp_path, "app/__init__.py", "")
    write(
        tmp_path,
        "app/errors.py",
        "from fastapi import HTTPException\n\n\ndef raise_http_error(code: int, message: str):\n"
        "    raise HTTPException(status_code=code, detail=message)\n\n\n"
        "def describe(code: int, message: str):\n    return {'code': code, 'message': message}\n",
    )
    routes = write(
        tmp_path,
        "app/routes.py",
        "from fastapi import APIRouter\n\nfrom app.errors import describe, raise_http_error\n\n"
        "router = APIRouter()\n\n\n@router.post('/verify')\nasync def verify() -> dict:\n"
        "    try:\n        return await check()\n    except Exception as e:\n"
        "        raise_http_error(400, str(e))\n\n\n@router.post('/other')\n"
        "async def other() -> dict:\n    try:\n        return await check()\n"
        "    except Exception as e:\n        describe(400, str(e))\n        return {}\n",
    )
    for target in (tmp_path, routes):
        selection = ("--extend-select", "FG405")
        args = ("check", *cache, *selection, "--exit-zero", "--output-format", "json")
        result = run_cli(*args, str(target))
        rows = [f["location"]["row"] for f in json.loads(result.stdout) if f["code"] == "FG405"]
        assert rows == [20]  # `describe()` returns: the failure is swallowed


def test_names_of_a_repositories_package_that_are_no_repositories(tmp_path: Path) -> None:
    """tracecat's `registry/repositories` package is about git repositories: its schemas
    (`repositories/schemas.py`, a Pydantic model of another module) and its
    `RegistryReposService` are not data access; a class of a `repositories` package the
    index does not know as a schema or an enumeration, and a module-level object of it,
    still are."""
    write(tmp_path, "pyproject.toml", '[project]\nname = "svc"\n')
    write(tmp_path, "app/__init__.py", "")
    write(tmp_path, "app/repositories/__init__.py", "")
    write(
        tmp_path,
        "app/repositories/schemas.py",
        "from pydantic import BaseModel\n\n\nclass GitCommitInfo(BaseModel):\n    sha: str\n",
    )
    write(
        tmp_path,
        "app/repositories/models.py",
        "from pydantic import BaseModel\n\n\nclass RepoRead(BaseModel):\n    name: str\n",
    )
    write(tmp_path, "app/repositories/service.py", "class RegistryReposService: ...\n")
    write(tmp_path, "app/repositories/store.py", "class UserStore: ...\n\nusers = UserStore()\n")
    write(
        tmp_path,
        "app/api/router.py",
        """
        from fastapi import APIRouter

        from app.repositories.models import RepoRead
        from app.repositories.schemas import GitCommitInfo
        from app.repositories.service import RegistryReposService
        from app.repositories.store import UserStore
        from app.repositories.store import users

        router = APIRouter()


        @router.get("/commits")
        async def commits(service: RegistryReposService) -> list[GitCommitInfo]:
            return [GitCommitInfo(sha=c) for c in await service.commits(RepoRead)]


        @router.get("/users")
        async def count() -> int:
            return await UserStore().count() + await users.count()
        """,
    )
    result = run_cli(
        "check", "--no-cache", "--select", "FG402", "--output-format", "json", str(tmp_path)
    )
    found = sorted((f["location"]["row"], f["message"]) for f in json.loads(result.stdout))
    assert [row for row, _ in found] == [6, 7]
    assert "UserStore" in found[0][1]
    assert "users" in found[1][1]


def _fg408_count(tmp_path: Path, *args: str) -> int:
    """How many FG408 findings a check of the tree reports."""
    result = run_cli("check", "--no-cache", "--output-format", "json", *args, str(tmp_path))
    return sum(f["code"] == "FG408" for f in json.loads(result.stdout))


@pytest.mark.parametrize(
    ("pin", "default"),
    [
        ("httpx==0.23.3", False),
        ("httpx>=0.20,<0.27", False),
        # a template's `^0.27.0`: `app=` warns there, and works
        ("httpx>=0.27.0,<0.28.0", False),
        ("httpx>=0.27", True),
        ("httpx>=0.28", True),
        ("", True),
    ],
)
def test_fg408_on_an_httpx_that_still_has_app_is_an_upgrade_note(
    tmp_path: Path, pin: str, default: bool
) -> None:
    """bcgov/lcfs locks httpx 0.23.3, where `AsyncClient(app=...)` works: reported only
    when the selection names FG408. Unpinned, the next install gets 0.28, without it."""
    dependencies = f'dependencies = ["{pin}"]\n' if pin else ""
    write(tmp_path, "pyproject.toml", f'[project]\nname = "svc"\n{dependencies}')
    write(
        tmp_path,
        "tests/test_health.py",
        "from httpx import AsyncClient\n\nfrom app.main import app\n\n\n"
        "async def test_health() -> None:\n"
        '    async with AsyncClient(app=app, base_url="http://test") as client:\n'
        '        assert (await client.get("/health")).status_code == 200\n',
    )

    def fg408(*args: str) -> int:
        return _fg408_count(tmp_path, *args)

    assert fg408() == (1 if default else 0)
    assert fg408("--extend-select", "FG408") == 1


#: A test client built with `AsyncClient(app=...)` (FG408).
_APP_CLIENT_CONFTEST = (
    "from httpx import AsyncClient\n\nfrom app.main import app\n\n\n"
    "async def client() -> AsyncClient:\n"
    '    return AsyncClient(app=app, base_url="http://test")\n'
)


def test_a_pyproject_of_tool_settings_alone_reads_the_pins_of_the_project_above(
    tmp_path: Path,
) -> None:
    """fill-tim (reader 141): `tests/pyproject.toml` holds pytest's settings alone, the
    root's `requirements.txt` pins `httpx==0.25.2`, where `AsyncClient(app=...)` works:
    the tests' project declares no dependency, so its pins are those of the nearest
    folder above, within the git work tree, that declares some. Outside a work tree,
    within the folder the run was asked about (roman27t's `app/pyproject.toml` of black's
    settings, checked from a copy without `.git`: reader 203); checked alone there, or
    where the nested file declares a project, its own (none) decide."""
    (tmp_path / ".git").mkdir()
    write(tmp_path, "requirements.txt", "fastapi==0.104.1\nhttpx==0.25.2\n")
    write(tmp_path, "tests/pyproject.toml", '[tool.pytest.ini_options]\nasyncio_mode = "auto"\n')
    write(tmp_path, "tests/conftest.py", _APP_CLIENT_CONFTEST)
    assert _fg408_count(tmp_path / "tests") == 0
    assert _fg408_count(tmp_path) == 0
    write(tmp_path, "tests/pyproject.toml", '[project]\nname = "suite"\n')
    assert _fg408_count(tmp_path) == 1
    write(tmp_path, "tests/pyproject.toml", '[tool.pytest.ini_options]\nasyncio_mode = "auto"\n')
    (tmp_path / ".git").rmdir()
    assert _fg408_count(tmp_path) == 0
    assert _fg408_count(tmp_path / "tests") == 1


def test_fg408_reads_the_pin_of_a_prefixed_requirements_file(tmp_path: Path) -> None:
    """mlrun pins its test client in `dev-requirements.txt` (`httpx~=0.27.0`), where
    `app=` works: the finding is a note for the upgrade, as with `requirements-dev.txt`."""
    write(tmp_path, "requirements.txt", "fastapi\n")
    write(tmp_path, "dev-requirements.txt", "pytest\nhttpx~=0.27.0\n")
    write(tmp_path, "tests/conftest.py", _APP_CLIENT_CONFTEST)

    def fg408(*args: str) -> int:
        return _fg408_count(tmp_path, *args)

    assert (fg408(), fg408("--extend-select", "FG408")) == (0, 1)
    write(tmp_path, "dev-requirements.txt", "pytest\nhttpx\n")
    assert fg408() == 1


def test_passlib_with_bcrypt_pinned_below_5_is_a_note_when_named(tmp_path: Path) -> None:
    """passlib works with bcrypt 4.0 (no error, no log): a project pinning it gets no
    finding by default, and a note that speaks of the upgrade when FG504 is named."""
    write(tmp_path, "requirements.txt", "passlib==1.7.4\nbcrypt==4.0.1\n")
    write(tmp_path, "app/__init__.py", "")
    write(
        tmp_path,
        "app/security.py",
        'from passlib.context import CryptContext\n\npwd = CryptContext(schemes=["bcrypt"])\n',
    )
    assert _fg504(tmp_path) == []
    ((name, message),) = _fg504(tmp_path, "FG504")
    assert name == "security.py"
    assert "pinned bcrypt (below 5.0; 4.1-4.3 log a caught error at start-up)" in message
    # 4.1-4.3 log passlib's caught version error and work: the break is 5.0's
    write(tmp_path, "requirements.txt", "passlib==1.7.4\nbcrypt==4.1.3\n")
    assert _fg504(tmp_path) == []
    write(tmp_path, "requirements.txt", "passlib==1.7.4\nbcrypt>=4.0\n")
    assert [m for _, m in _fg504(tmp_path)] == [
        "passlib is unmaintained and fails with bcrypt 5 (4.1-4.3 log an error): use pwdlib "
        "(Argon2), with its bcrypt hasher beside it to verify the stored hashes (until then, "
        "pin `bcrypt<5`)"
    ]


def test_passlib_in_a_project_whose_lock_installs_no_bcrypt_is_a_note_when_named(
    tmp_path: Path,
) -> None:
    """A lock without bcrypt (kamran's `poetry.lock`: `passlib = "^1.7.4"`, no extra):
    passlib's bcrypt hashes run on the system's crypt(3), and bcrypt 5 cannot break them
    (readers 56 and 60); a lock that holds bcrypt 5 still gets the finding."""
    lock = '[[package]]\nname = "fastapi"\nversion = "0.110.0"\n\n'
    write(tmp_path, "pyproject.toml", '[tool.poetry.dependencies]\npasslib = "^1.7.4"\n')
    write(tmp_path, "poetry.lock", lock)
    write(tmp_path, "app/__init__.py", "")
    write(
        tmp_path,
        "app/security.py",
        'from passlib.context import CryptContext\n\npwd = CryptContext(schemes=["bcrypt"])\n',
    )
    assert _fg504(tmp_path) == []
    assert [m.split(":")[0] for _, m in _fg504(tmp_path, "FG504")] == [
        "passlib is unmaintained (no release since 2020)"
    ]
    write(tmp_path, "poetry.lock", lock + '[[package]]\nname = "bcrypt"\nversion = "5.0.0"\n')
    assert [m.split(":")[0] for _, m in _fg504(tmp_path)] == [
        "passlib is unmaintained and fails with bcrypt 5 (4.1-4.3 log an error)"
    ]


def test_a_file_whose_crypt_context_names_no_bcrypt_is_not_the_bcrypt_finding(
    tmp_path: Path,
) -> None:
    """One file of a service hashes with bcrypt, another writes out its own schemes
    (`argon2`): passlib handles those whatever bcrypt does, so that file gets the note
    when FG504 is named, not the bcrypt-5 finding; a context whose schemes come from
    elsewhere (`schemes=SCHEMES`) still follows the project."""
    write(tmp_path, "requirements.txt", "passlib==1.7.4\nbcrypt==5.0.0\n")
    write(tmp_path, "app/__init__.py", "")
    write(
        tmp_path,
        "app/security.py",
        'from passlib.context import CryptContext\n\npwd = CryptContext(schemes=["bcrypt"])\n',
    )
    argon = 'from passlib.context import CryptContext\n\npwd = CryptContext(schemes=["argon2"])\n'
    write(tmp_path, "app/auth_utils.py", argon)
    assert [name for name, _ in _fg504(tmp_path)] == ["security.py"]
    ((_, note),) = [f for f in _fg504(tmp_path, "FG504") if f[0] == "auth_utils.py"]
    assert note.startswith("passlib is unmaintained (no release since 2020)")
    write(
        tmp_path,
        "app/auth_utils.py",
        "from passlib.context import CryptContext\n\nfrom app.config import SCHEMES\n\n"
        "pwd = CryptContext(schemes=SCHEMES)\n",
    )
    assert [name for name, _ in _fg504(tmp_path)] == ["auth_utils.py"]  # the first
    assert [name for name, _ in _fg504(tmp_path, "FG504")] == ["auth_utils.py", "security.py"]


@pytest.mark.parametrize(
    ("schemes", "verify_only"),
    [
        ('["argon2", "bcrypt"]', True),
        ("['pbkdf2_sha256', 'bcrypt_sha256']", True),
        ('["bcrypt", "argon2"]', False),
        ('["argon2"], bcrypt__rounds=12', False),
        # Lyriom's (reader 170): the deprecated scheme only verifies
        ('["pbkdf2_sha256", "bcrypt"],\n    deprecated=["bcrypt"],\n', True),
        ('["argon2", "bcrypt"], default="bcrypt"', False),
    ],
)
def test_passlib_keeping_bcrypt_only_to_verify_is_told_what_fails(
    tmp_path: Path, schemes: str, verify_only: bool
) -> None:
    """`CryptContext(schemes=["argon2", "bcrypt"])` hashes new passwords with argon2, which
    works with bcrypt 5; only checking a stored bcrypt hash fails (reader 55, norvor): still
    reported, with what fails. bcrypt first, or named elsewhere in the file, keeps the
    general message."""
    write(tmp_path, "requirements.txt", "passlib==1.7.4\nbcrypt==5.0.0\n")
    write(tmp_path, "app/__init__.py", "")
    source = f"from passlib.context import CryptContext\n\npwd = CryptContext(schemes={schemes})\n"
    write(tmp_path, "app/security.py", source)
    ((_, message),) = _fg504(tmp_path)
    if verify_only:
        assert message.startswith(
            "passlib is unmaintained and, with bcrypt 5, cannot check a stored bcrypt hash "
            "(`ValueError`; this file hashes new passwords with "
        ), message
    else:
        assert message.startswith("passlib is unmaintained and fails with bcrypt 5"), message


@pytest.mark.parametrize(
    ("pins", "reported"),
    [
        ('[project]\nname = "svc"\ndependencies = ["python-jose[cryptography]==3.5.0"]\n', False),
        ('[project]\nname = "svc"\ndependencies = ["python_jose>=3.4"]\n', False),
        ('[project]\nname = "svc"\ndependencies = ["python-jose>=3.3.0"]\n', False),
        ('[project]\nname = "svc"\n', None),
        ('[project]\nname = "svc"\ndependencies = ["python-jose==3.3.0"]\n', True),
        ('[project]\nname = "svc"\ndependencies = ["python-jose<3.4"]\n', True),
        ('[project]\nname = "svc"\ndependencies = ["python-jose"]\n', False),
    ],
    ids=[
        "locked 3.5.0",
        "at least 3.4",
        "3.3.0 and later",
        "unpinned",
        "3.3.0",
        "below 3.4",
        "no version",
    ],
)
def test_python_jose_with_its_advisories_fixed_is_a_note_when_named(
    tmp_path: Path, pins: str, reported: bool | None
) -> None:
    """python-jose 3.4.0 (2025) fixed CVE-2024-33663 and CVE-2024-33664: a project whose
    pins admit nothing older (a to-do app's poetry lock pins 3.5.0; `>=3.4`), or whose
    fresh install takes a fixed release (a floor below 3.4 or no version, no lock: the
    readers' 11 findings, none worth a change), gets no finding by default, and a note
    when FG504 is named; pins that admit only older releases (an exact pin, `<3.4`) in a
    project with asymmetric keys, keep the finding; none (an assistant's new import, or an
    import no dependency file names, whose fresh install gets a fixed release: BookStore,
    reader 61) is reported when named (`tests/test_unused_code.py`: and by the hook)."""
    write(tmp_path, "pyproject.toml", pins)
    write(tmp_path, "app/__init__.py", "")
    write(tmp_path, "app/security.py", "from jose import jwt\n")
    write(tmp_path, "app/config.py", 'JWT_ALGORITHM = "RS256"\n')
    default = [m for _, m in _fg504(tmp_path)]
    named = [m for _, m in _fg504(tmp_path, "FG504")]
    if reported is None:
        assert default == []
        assert len(named) == 1
        assert "3.3.0 has CVE-2024-33663" in named[0]
    elif reported:
        assert len(default) == 1
        assert "3.3.0 has CVE-2024-33663" in default[0]
        # the one-line alternative to PyJWT (saptadi73's exact pin, reader 95)
        assert default[0].endswith("require `python-jose>=3.4.0` (it fixed both advisories)")
        assert named == default
    else:
        assert default == []
        assert len(named) == 1
        if ">=3.3" in pins or '"python-jose"]' in pins:  # a floor: raise it
            assert "require `python-jose>=3.4.0`" in named[0]
        else:
            assert "3.4.0 in 2025 fixed CVE-2024-33663" in named[0]


def test_a_floor_over_a_lock_of_3_3_is_reported(tmp_path: Path) -> None:
    """A floor whose lock holds 3.3.0 installs 3.3.0: the advisories apply."""
    write(tmp_path, "pyproject.toml", '[tool.poetry.dependencies]\npython-jose = ">=3.3.0"\n')
    write(tmp_path, "poetry.lock", '[[package]]\nname = "python-jose"\nversion = "3.3.0"\n')
    write(tmp_path, "app/__init__.py", "")
    write(tmp_path, "app/security.py", "from jose import jwt\n\nKEYS_URL = '/.well-known/jwks'\n")
    assert ["3.3.0 has CVE-2024-33663" in m for _, m in _fg504(tmp_path)] == [True]


@pytest.mark.parametrize(
    "names",
    [
        'ALGORITHMS = ["ES256"]\n',
        'jwks_client = "https://issuer.example.com/.well-known/jwks.json"\n',
        'PUBLIC = """-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA\n-----END PUBLIC KEY-----"""\n',
        'ENC = "RSA-OAEP-256"\n',
        "",
    ],
    ids=["ecdsa", "jwk set", "public key", "rsa jwe", "hmac only"],
)
def test_python_jose_3_3_reaches_only_projects_with_asymmetric_keys(
    tmp_path: Path, names: str
) -> None:
    """python-jose 3.3.0's advisories need asymmetric keys (CVE-2024-33663 takes an ECDSA
    public key for an HMAC secret; CVE-2024-33664's JWE bomb is made with the public key):
    a project whose tokens are HMAC-signed gets a note when FG504 is named (the
    twenty-third reader: 11 of 12 such findings not worth a change). The file's second
    import of python-jose is the same move: one finding per file, the JWE advice if it
    decrypts."""
    write(
        tmp_path,
        "pyproject.toml",
        '[project]\nname = "svc"\ndependencies = ["python-jose==3.3.0"]\n',
    )
    write(tmp_path, "app/__init__.py", "")
    write(tmp_path, "app/config.py", 'JWT_ALGORITHM = "HS256"\n' + names)
    write(
        tmp_path,
        "app/security.py",
        "from jose import jwt\nfrom jose.exceptions import JWTError\n\n\n"
        "def open_cookie(token: str, key: bytes) -> dict:\n"
        "    from jose import jwe\n\n    return jwe.decrypt(token, key)\n",
    )
    default = _fg504(tmp_path)
    named = _fg504(tmp_path, "FG504")
    if names:
        assert [m for _, m in default] == [m for _, m in named]
        assert len(default) == 1
        assert "PyJWT has no JWE" in default[0][1]
    else:
        assert default == []
        assert len(named) == 1
        assert "need asymmetric keys" in named[0][1]


def test_a_class_named_for_tests_holds_fixtures_not_secrets() -> None:
    """A shop's `shared/settings.py` keeps a `TestSettings` next to its `Settings`: the
    test class's passwords and fake Stripe secrets are fixtures; the service's are not."""
    source = """
        from pydantic_settings import BaseSettings


        class Settings(BaseSettings):
            JWT_SECRET: str = "f3a9c2e1d4b5a6978877665544332211"


        class TestSettings(Settings):
            TEST_PASSWORD: str = "Sup3rS3cret!pass"
            STRIPE_SECRET_KEY: str = "sk_test_51HxYzFakeKeyForTests0000"
        """
    assert [f.start.row for f in check_code(source, "shared/settings.py") if f.code == "FG502"] == [
        5
    ]


def test_a_class_whose_name_only_starts_with_test_holds_secrets() -> None:
    source = """
        class Testimonial:
            API_KEY = "f3a9c2e1d4b5a6978877665544332211"
        """
    assert [f.code for f in check_code(source, "app/reviews/models.py")] == ["FG502"]


# ------------------------------------------------------- FG406 add_event_handler


@pytest.mark.parametrize(
    ("pins", "reported"),
    [
        ('dependencies = ["fastapi>=0.133"]', "breaks"),
        ('dependencies = ["fastapi"]', "breaks"),
        ('dependencies = ["fastapi>=0.133", "starlette<1.0"]', "at the upgrade"),
        ('dependencies = ["fastapi==0.128.0", "starlette==0.50.0"]', "at the upgrade"),
        ('dependencies = ["fastapi>=0.110,<0.111"]', "named"),
    ],
    ids=["fastapi 0.133", "unpinned", "starlette below 1.0", "one release", "fastapi 0.110"],
)
def test_add_event_handler_says_when_it_breaks(tmp_path: Path, pins: str, reported: str) -> None:
    """Starlette 1.0 removed `add_event_handler` and FastAPI 0.133 is the first to admit it:
    where the pins admit no Starlette 1.0 but do admit that FastAPI, the handler runs until
    that upgrade (the seventeenth reader's exact `starlette==0.50.0`: "the next bump fails
    at import"), and the message says so; so where they pin FastAPI to one release
    (`fastapi==0.128.0`: a snapshot the next bump moves); where a range admits no such
    FastAPI (the eighteenth reader's `^0.110.0`, the twenty-second's `^0.95.1`), it runs
    on every install the project supports: an inventory for the stack's move, reported
    when FG406 is named."""
    write(tmp_path, "pyproject.toml", f'[project]\nname = "svc"\n{pins}\n')
    main = "from fastapi import FastAPI\n\napp = FastAPI()\n\n\nasync def connect() -> None:\n"
    main += '    pass\n\n\napp.add_event_handler("startup", connect)\n'
    write(tmp_path, "app/main.py", main)

    def fg406(*options: str) -> list[str]:
        out = run_cli("check", "--no-cache", "--output-format", "json", *options, str(tmp_path))
        return [f["message"] for f in json.loads(out.stdout) if f["code"] == "FG406"]

    if reported == "named":
        assert fg406() == []
        (message,) = fg406("--extend-select", "FG406")
    else:
        (message,) = fg406()
    assert ("FastAPI 0.133" in message) == (reported != "breaks")


# ------------------------------------------------------- FG502 defaults and fallbacks


def test_secret_defaults_and_fallbacks_are_secrets() -> None:
    """The readers' misses: a settings class's signing key default that reads like a name
    (`"your-secret-key"`: tokens are signed with it unless the environment sets one),
    `SecretStr("secret-prod")`, an environment read's fallback (`os.getenv`, decouple,
    starlette's `Config`); not a password's or an API key's slug, nor an empty fallback."""
    source = """
        import os

        from decouple import config as dconfig
        from pydantic import SecretStr
        from pydantic_settings import BaseSettings
        from starlette.config import Config

        env = Config(".env")
        ADMIN_PASSWORD = env("ADMIN_PASSWORD", default="Admin@12345678")
        REDIS_PASSWORD = dconfig("REDIS_PASSWORD", default="redis-pass-2024")
        JWT_SECRET = os.getenv("JWT_SECRET", "dev-secret-key-1234567")
        DEBUG = env("DEBUG", default="false")
        DB_PASSWORD = os.getenv("DB_PASSWORD", "")


        class Settings(BaseSettings):
            JWT_SECRET_KEY: str = "your-secret-key"
            secret_key: SecretStr = SecretStr("secret-prod")
            CHAT_API_KEY: str = "sk-local"
            pg_password: str = "postgres"
        """
    rows = [row for row, _ in positions(source, "FG502", path="app/core/settings.py")]
    assert rows == [9, 10, 11, 17, 18]
    assert messages(source, "FG502", path="app/core/settings.py")[3].startswith(
        "Hard-coded secret as a settings default"
    )


def test_an_env_instances_fallback_is_a_secret() -> None:
    """Sergey81-code's settings (reader 217): envparse's and environs' `env = Env()`, then
    `env.str("JWT_SECRET", default="...")` (or the default second, or the instance
    called): the service runs with the fallback when the variable is missing, as for
    `os.getenv`; not a flag's default, nor another method's (`env.int`)."""
    source = """
        from environs import Env as Environs
        from envparse import Env

        env = Env()
        environs = Environs()
        JWT_SECRET = env.str("JWT_SECRET", default="k8Jd93hf73HDhf8xhdf8")
        SECRET_KEY = environs.str("SECRET_KEY", "dev-secret-key-1234567")
        API_SECRET = env("API_SECRET", default="pR7vKq2Lm9Xw4Tz8Ab3N")
        DEBUG = env.str("DEBUG", default="false")
        PORT = env.int("PORT", default=8000)
        OTHER_SECRET = env.dict("OTHER_SECRET", default="k8Jd93hf73HDhf8xhdf8")
        """
    rows = [row for row, _ in positions(source, "FG502", path="app/core/settings.py")]
    assert rows == [6, 7, 8]
    assert messages(source, "FG502", path="app/core/settings.py")[0].startswith(
        "Hard-coded secret as the environment's fallback"
    )


def test_a_settings_token_of_a_providers_shape_is_a_leaked_key() -> None:
    """AxasSoft's `gsms_token` (reader 125), a GreenSMS API token (a JWT) as a settings
    default, and a Telegram bot's token: keys by their shape, whatever `*_token` names;
    not a token's URL or type, nor such a value outside a settings class."""
    jwt = (
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ1c2VyIjoiQVhBUyIsImlhdCI6MTc0NDIwMTU1OH0"
        ".ltH3-QfqdpTJ7MCJWR2MPpbrCpkNj3_J11_wHbIOCHY"
    )
    source = f"""
        from pydantic_settings import BaseSettings


        class Settings(BaseSettings):
            gsms_token: str = "{jwt}"
            BOT_TOKEN: str = "5895760296:AAF2hSRl3TAIrZGHD6M5sSDdtdYkQPr9sUc"
            OAUTH_TOKEN_URL: str = "https://oauth2.googleapis.com/token"
            refresh_token: str = "refresh"
            sample_token: str = "not-a-token-at-all-but-long"


        expired_token = "{jwt}"
        """
    found = messages(source, "FG502", path="app/core/settings.py")
    assert [row for row, _ in positions(source, "FG502", path="app/core/settings.py")] == [5, 6]
    assert all(m.startswith("Hard-coded key as a settings default") for m in found)


def test_a_token_the_service_checks_is_a_secret_by_its_name() -> None:
    """Ni154's `ADMIN_TOKEN` (reader 196, a miss), the only gate of the route creating a
    tenant and its administrator: a token the service itself checks (`ADMIN_TOKEN`,
    `API_TOKEN`, `INTERNAL_TOKEN`, ...) is a secret by its name, as `SECRET_KEY` is; not
    the header it comes in, nor another `*_TOKEN` (a token's type or URL)."""
    source = """
        import os

        from pydantic_settings import BaseSettings


        class Settings(BaseSettings):
            ADMIN_TOKEN: str = os.getenv("ADMIN_TOKEN", "s3cr3t-adm1n-2024")
            API_TOKEN: str = "sk9f8a7d6s5a4f3g2h1"
            ADMIN_TOKEN_HEADER: str = "X-Admin-Token"
            INTERNAL_TOKEN: str = "X-Internal-Token"
            TOKEN_TYPE: str = "bearer"
        """
    rows = [row for row, _ in positions(source, "FG502", path="app/core/settings.py")]
    assert rows == [7, 8]


def test_words_glued_together_are_no_generated_key_and_a_fallback_is_told_so() -> None:
    """anastmishchuk's settings (reader 128): `os.getenv("STRIPE_WEBHOOK_SECRET",
    "mydefaultstripehooksecret")`, words glued together (`ltstr`, five consonants where
    `default` meets `stripe`), was told a leaked key "as a settings default" to revoke: it
    is the environment's fallback, told so; a key a provider generated there is a leaked
    key, told as the fallback it is."""
    source = """
        import os

        from pydantic_settings import BaseSettings


        class Settings(BaseSettings):
            STRIPE_WEBHOOK_SECRET: str = os.getenv(
                "STRIPE_WEBHOOK_SECRET", "mydefaultstripehooksecret"
            )
            GOOGLE_CLIENT_SECRET: str = os.getenv(
                "GOOGLE_CLIENT_SECRET", "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"
            )
            APP_PASSWORD: str = "ybddxyueijfkscku"


        settings = Settings()
        print(settings.STRIPE_WEBHOOK_SECRET, settings.GOOGLE_CLIENT_SECRET, settings.APP_PASSWORD)
        """
    found = messages(source, "FG502", path="app/core/settings.py")
    assert [m.split(":")[0] for m in found] == [
        "Hard-coded secret as the environment's fallback",
        "Hard-coded key as the environment's fallback",
        "Hard-coded key as a settings default",
    ]
    assert "`os.environ['GOOGLE_CLIENT_SECRET']`" in found[1]


def test_python_joses_unverified_claims_are_an_unverified_decode() -> None:
    """ohadc55-png's Apple sign-in (reader 130): `jose_jwt.get_unverified_claims(id_token)`,
    then the account its `sub` and `email` name: python-jose's unverified read, as
    PyJWT's `options={"verify_signature": False}`; not where only the expiry is read
    (opa-production's TTL), nor a token the function made (0x5chn0uf's `jti`)."""
    source = """
        from jose import jwt as jose_jwt


        def apple_account(id_token: str) -> tuple[str, str]:
            claims = jose_jwt.get_unverified_claims(id_token)
            return claims["sub"], claims["email"]


        def expires_in(token: str) -> int:
            claims = jose_jwt.get_unverified_claims(token)
            return int(claims.get("exp", 0))


        def issued(user_id: str) -> str:
            refresh_token = create_refresh_token(user_id)
            payload = jose_jwt.get_unverified_claims(refresh_token)
            return payload["jti"]
        """
    found = messages(source, "FG503", path="app/auth/oauth.py")
    assert [row for row, _ in positions(source, "FG503", path="app/auth/oauth.py")] == [5]
    assert found[0].startswith(
        "`jose_jwt.get_unverified_claims()` reads the token's claims without verifying"
    )


def test_fastapi_users_signing_keys_are_keys_whatever_they_read_like() -> None:
    """tr1plejj's auth (reader 128): `SECRET = "SECRET"`, given to fastapi-users'
    `JWTStrategy(secret=SECRET)` and held by its user manager's
    `reset_password_token_secret`: the key its tokens are signed with, a word anyone can
    guess; not a constant nothing signs with."""
    strategy = """
        from fastapi_users.authentication import JWTStrategy

        SECRET = "SECRET"
        LABEL = "SECRET"


        def get_jwt_strategy() -> JWTStrategy:
            return JWTStrategy(secret=SECRET, lifetime_seconds=3600)
        """
    manager = """
        from fastapi_users import BaseUserManager, IntegerIDMixin

        SECRET = "SECRET"


        class UserManager(IntegerIDMixin, BaseUserManager):
            reset_password_token_secret = SECRET
            verification_token_secret = SECRET
        """
    assert [row for row, _ in positions(strategy, "FG502", path="app/auth/config.py")] == [3]
    assert [row for row, _ in positions(manager, "FG502", path="app/auth/manager.py")] == [3]


def test_a_sentence_about_the_secret_its_name_names_is_a_message() -> None:
    """arindam-aspire's response messages (reader 132): `AGENT_CREATED_WITH_TEMP_PASSWORD
    = "Agent created successfully with a temporary password"`, a sentence that speaks of
    a password, not one; a passphrase of other words is still a password."""
    source = """
        class Messages:
            AGENT_CREATED_WITH_TEMP_PASSWORD = "Agent created with a temporary password"
            RESET_TOKEN = "Your reset token was sent to your e-mail"


        ADMIN_PASSWORD = "correct horse battery staple"
        """
    assert [row for row, _ in positions(source, "FG502", path="app/utils/constants.py")] == [6]
    # a signing key's settings default signs whatever it says (milashensky's, EbraheemTammam's)
    settings = """
        from pydantic_settings import BaseSettings


        class Settings(BaseSettings):
            app_secret: str = "add a strong secret to .env"
            SECRET_KEY: str = "insecure key please change it"
        """
    assert len(positions(settings, "FG502", path="app/core/settings.py")) == 2


def test_a_settings_class_through_a_base_of_the_file_is_a_settings_class() -> None:
    """The FastAPI production boilerplate (reader 45): `class Config(BaseConfig)`, where
    `BaseConfig(BaseSettings)` is in the same file, signs its tokens with a `SECRET_KEY`
    default that reads like a name; as in a settings class itself, it is reported."""
    source = """
        from pydantic_settings import BaseSettings


        class BaseConfig(BaseSettings):
            model_config = {"case_sensitive": True}


        class Config(BaseConfig):
            SECRET_KEY: str = "super-secret-key"


        class Plain:
            SECRET_KEY: str = "super-secret-key"
        """
    assert [row for row, _ in positions(source, "FG502", path="core/config.py")] == [9]
    # a private attribute or a `ClassVar` is no field the environment sets: mealie's
    # `_DEFAULT_PASSWORD`, the documented first admin's (reader 46), keeps the plain
    # message, as any literal under a secret's name
    private = """
        from typing import ClassVar

        from pydantic_settings import BaseSettings


        class BaseConfig(BaseSettings):
            model_config = {"case_sensitive": True}


        class Config(BaseConfig):
            _DEFAULT_PASSWORD: str = "MyPassword-2024"
            ADMIN_PASSWORD: ClassVar[str] = "MyPassword-2024"
        """
    found = messages(private, "FG502", path="core/config.py")
    assert len(found) == 2
    assert not any("settings default" in message for message in found)


@pytest.mark.parametrize(
    ("line", "reported"),
    [
        # the twenty-first reader's: a signing key's fallback, however short, is the key
        ('JWT_SECRET_KEY = os.getenv("JWT_SECRET_KEY", "secret")', True),
        ('SECRET_KEY = str(os.environ.get("SECRET_KEY", "fb45dfg565t56h46"))', True),
        ('ADMIN_PASSWORD = str(os.environ.get("ADMIN_PASSWORD", "adminRpZZs12"))', True),
        # onyx: the name of a Kubernetes secret, not a key
        (
            'SANDBOX_PROXY_CA_SECRET = os.environ.get("SANDBOX_PROXY_CA_SECRET", "sandbox-ca")',
            False,
        ),
        ('API_KEY = os.getenv("API_KEY", "key")', False),
        ('SECRET_KEY = os.getenv("SECRET_KEY", "")', False),
    ],
)
def test_a_signing_keys_fallback_is_the_key_it_signs_with(line: str, reported: bool) -> None:
    assert bool(positions(f"import os\n\n{line}\n", "FG502", path="app/config.py")) is reported


def test_passlib_from_libpass_is_the_maintained_fork(tmp_path: Path) -> None:
    """onyx pins libpass, passlib's maintained fork (the same `passlib` package, working
    with bcrypt 5): a note when named."""
    write(
        tmp_path, "pyproject.toml", '[project]\nname = "svc"\ndependencies = ["libpass==1.9.3"]\n'
    )
    write(tmp_path, "app/__init__.py", "")
    write(
        tmp_path,
        "app/auth.py",
        'from passlib.context import CryptContext\n\npwd = CryptContext(schemes=["bcrypt"])\n',
    )
    assert _fg504(tmp_path) == []
    ((_, note),) = _fg504(tmp_path, "FG504")
    assert note.startswith("passlib here is libpass")


def test_a_locust_folder_is_development_tooling() -> None:
    source = """
        PASSWORD = "Ch4ng3Th1sP4ssW0rd"
        """
    assert positions(source, "FG502", path="locust/config.py") == []
    assert positions(source, "FG502", path="app/locust_config.py") == [(1, 1)]


def test_settings_env_keyword_is_reported_where_pydantic_settings_2_reads_another_variable(
    tmp_path: Path,
) -> None:
    """The twenty-first reader's settings: `env=` naming the field's own variable changes
    nothing on pydantic-settings 2 (it reads the field's name, case-insensitively): an
    inventory for new code or a named rule; one naming another variable is ignored (the
    operator's `CREDIT_CHECK_INTERVAL_MINUTES` never read), and so is a prefixed class's."""
    write(
        tmp_path, "pyproject.toml", "[project]\nname = 'worker'\ndependencies = ['pydantic>=2']\n"
    )
    write(
        tmp_path,
        "app/config.py",
        """
        from pydantic import Field
        from pydantic_settings import BaseSettings, SettingsConfigDict


        class WorkerSettings(BaseSettings):
            log_level: str = Field(default="INFO", env="LOG_LEVEL")
            check_interval_minutes: int = Field(default=30, env="CREDIT_CHECK_INTERVAL_MINUTES")


        class PrefixedSettings(BaseSettings):
            model_config = SettingsConfigDict(env_prefix="APP_")

            redis_url: str = Field(default="redis://localhost", env="REDIS_URL")


        SETTINGS = (WorkerSettings(), PrefixedSettings())
        """,
    )

    ignored = "`Field(env=...)` is ignored by pydantic-settings 2"
    assert _fg211_heads(tmp_path) == [(7, ignored), (13, ignored)]
    assert _fg211_heads(tmp_path, "--extend-select", "FG211") == [
        (
            6,
            '`Field(env="LOG_LEVEL")` names the variable pydantic-settings 2 reads anyway (the '
            "field's own name)",
        ),
        (7, ignored),
        (13, ignored),
    ]


def test_env_keyword_of_a_nested_model_naming_the_variable_read_anyway_is_held(
    tmp_path: Path,
) -> None:
    """Babadzakkkich's `RunConfig` (reader 106): a model the settings class nests as
    `run`, with `env_prefix="APP_CONFIG__"` and `env_nested_delimiter="__"`: its
    `env="APP_CONFIG__RUN__DEBUG"` names the variable pydantic-settings 2 reads anyway (held
    as a settings field's is); another name stays the extra keyword it is, and so does
    every `env=` of a case-sensitive class (the variable keeps the fields' case)."""
    write(tmp_path, "pyproject.toml", "[project]\nname = 'x'\ndependencies = ['pydantic>=2']\n")
    config = """
        from pydantic import BaseModel, Field
        from pydantic_settings import BaseSettings, SettingsConfigDict


        class RunConfig(BaseModel):
            debug: bool = Field(True, env="APP_CONFIG__RUN__DEBUG")
            port: int = Field(8000, env="PORT")


        class Settings(BaseSettings):
            model_config = SettingsConfigDict(
                case_sensitive=False, env_nested_delimiter="__", env_prefix="APP_CONFIG__"
            )

            run: RunConfig = RunConfig()


        settings = Settings()
        """
    write(tmp_path, "app/config.py", config)
    extra = "`Field(env=...)` is no Pydantic argument"
    assert _fg211_heads(tmp_path) == [(7, extra)]
    named = _fg211_heads(tmp_path, "--extend-select", "FG211")
    assert [row for row, _ in named] == [6, 7]
    assert named[0][1].startswith('`Field(env="APP_CONFIG__RUN__DEBUG")` names the variable')
    write(tmp_path, "app/config.py", config.replace("case_sensitive=False", "case_sensitive=True"))
    assert _fg211_heads(tmp_path) == [(6, extra), (7, extra)]


def test_settings_env_keyword_of_a_case_sensitive_class_must_match_exactly() -> None:
    source = """
        from pydantic import Field
        from pydantic_settings import BaseSettings


        class Settings(BaseSettings):
            JWT_SECRET_KEY: str = Field(..., env="JWT_SECRET_KEY")
            api_key: str = Field(..., env="API_KEY")

            class Config:
                case_sensitive = True
        """
    found = [
        (f.start.row, f.message.split(":")[0]) for f in check_code(source) if f.code == "FG211"
    ]
    assert found == [
        (
            6,
            '`Field(env="JWT_SECRET_KEY")` names the variable pydantic-settings 2 reads anyway'
            " (the field's own name)",
        ),
        (7, "`Field(env=...)` is ignored by pydantic-settings 2"),
    ]


def test_celery_remote_control_waiting_for_replies_in_async_def_is_flagged() -> None:
    """The twenty-first reader's worker routes (`celery_app.control.broadcast(...,
    reply=True, timeout=5.0)`: the loop stalls up to 5 s) and fides' health checks
    (`control.inspect().ping()`, an `Inspect` kept in a name); a broadcast without reply
    only publishes, and an inspector created is no request."""
    source = """
        from celery import Celery
        from celery.app.control import Inspect

        celery_app = Celery("worker")


        async def worker_status() -> object:
            replies = celery_app.control.broadcast("health", reply=True, timeout=5.0)
            celery_app.control.broadcast("shutdown")
            inspector: Inspect = celery_app.control.inspect()
            stats = inspector.stats()
            alive = celery_app.control.inspect().ping()
            return replies, stats, alive, celery_app.control.ping(timeout=1)


        def sync_status() -> object:
            return celery_app.control.inspect().ping()
        """
    assert positions(source, "FG302") == [(8, 15), (11, 13), (12, 13), (13, 35)]
    assert messages(source, "FG302")[0].startswith(
        "`celery_app.control.broadcast(...)` waits for the Celery workers' replies"
    )


#: A module whose helpers make sync HTTP clients: one hands its client on (OpenHands'
#: `get_file_store()`, whose store sends later, in a thread), the others send through it.
_CLIENT_HELPERS = """
import httpx
import requests


def make_store(url: str) -> object:
    client = httpx.Client(base_url=url, timeout=5)
    return Store(client)


def make_session() -> requests.Session:
    return requests.Session()


def fetch(url: str) -> bytes:
    with httpx.Client() as client:
        return client.get(url).content


def ping(url: str) -> int:
    session = requests.Session()
    return session.head(url).status_code


def probe(url: str) -> int:
    return httpx.Client().get(url).status_code


class Store:
    def __init__(self, client: httpx.Client) -> None:
        self.client = client


async def here(url: str) -> object:
    return make_store(url), make_session(), fetch(url), ping(url), probe(url)
"""


def test_a_helper_that_makes_a_client_and_hands_it_on_makes_no_request(tmp_path: Path) -> None:
    """Constructing `httpx.Client` or `requests.Session` sends nothing: a helper that
    returns one is no blocking call of its caller (the claim "makes a blocking request"
    was false); one that opens it, or calls a method of it, is. Same module and another."""
    write(tmp_path, "pyproject.toml", "[project]\nname = 'svc'\n")
    write(tmp_path, "app/__init__.py", "")
    write(tmp_path, "app/clients.py", _CLIENT_HELPERS)
    write(
        tmp_path,
        "app/routes.py",
        """
        from app.clients import fetch, make_session, make_store, ping, probe


        async def there(url: str) -> object:
            return make_store(url), make_session(), fetch(url), ping(url), probe(url)
        """,
    )
    result = run_cli("check", "--no-cache", "--select", "FG302", str(tmp_path))
    found = sorted(
        line.split("FG302 ")[1].split("()")[0]
        for line in result.stdout.splitlines()
        if "FG302" in line
    )
    assert found == ["`fetch", "`fetch", "`ping", "`ping", "`probe", "`probe"], result.stdout


def test_a_sync_slack_web_client_blocks_and_its_async_twin_does_not() -> None:
    """SurfSense's Slack connector: `WebClient.conversations_list()` in the coroutine a
    route awaits is a blocking HTTPS request; `AsyncWebClient`'s, awaited, is not."""
    source = """
        from slack_sdk import WebClient
        from slack_sdk.web.async_client import AsyncWebClient


        class SlackHistory:
            def __init__(self, token: str) -> None:
                self.client = WebClient(token=token)
                self.aclient = AsyncWebClient(token=token)

            async def channels(self) -> list[dict]:
                result = self.client.conversations_list(limit=1000)
                more = await self.aclient.conversations_list(limit=1000)
                return result["channels"] + more["channels"]
        """
    assert positions(textwrap.dedent(source), "FG302") == [(11, 18)]
    assert "AsyncWebClient" in messages(textwrap.dedent(source), "FG302")[0]


def test_fg211_on_fastapi_parameters_follows_the_projects_fastapi(tmp_path: Path) -> None:
    """`Body(0, max=100)` checks nothing on FastAPI 0.100-0.154 and raises `TypeError` at
    import from 0.155: always reported, its message after the pins. OpenAPI's `nullable=`,
    schema data that worked before 0.155, follows the project's spelling there; the
    function's own parameters (`embed=`, `convert_underscores=`) are none of it."""
    write(
        tmp_path,
        "app/routes.py",
        """
        from fastapi import APIRouter, Body, Header, Query

        router = APIRouter()


        @router.post("/feedback")
        def feedback(
            score: int = Body(0, max=100),
            q: str | None = Query(None, nullable=True),
            x_token: str | None = Header(None, convert_underscores=False),
            name: str | None = Body(None, embed=True),
        ) -> int:
            return score
        """,
    )

    def found(*args: str) -> list[tuple[int, str]]:
        result = run_cli("check", "--no-cache", "--output-format", "json", *args, str(tmp_path))
        return [
            (f["location"]["row"], f["message"].split(":")[1].strip())
            for f in json.loads(result.stdout)
            if f["code"] == "FG211"
        ]

    fails = (
        "FastAPI 0.155+ raises `TypeError` when the module is imported (older versions keep "
        "it as JSON-schema data, which validates nothing)"
    )
    assert found() == [(8, fails), (9, fails)]
    write(tmp_path, "requirements.txt", "fastapi==0.110.0\npydantic==2.7.0\n")
    kept = (
        "kept only as JSON-schema data (deprecated, a `TypeError` from FastAPI 0.155), it "
        "validates nothing"
    )
    assert found() == [(8, kept)]
    assert found("--extend-select", "FG211") == [(8, kept), (9, kept)]


def test_a_routers_add_event_handler_is_held_back_as_on_event_is(tmp_path: Path) -> None:
    """deerflow's test registers a hook on an `APIRouter` on purpose: FastAPI keeps
    the method there (deprecated, as `on_event`), so it is an inventory reported when
    FG406 is named, with its own message; the app's own method, gone, is reported."""
    write(tmp_path, "pyproject.toml", '[project]\nname = "svc"\ndependencies = ["fastapi"]\n')
    main = "from fastapi import APIRouter, FastAPI\n\napp = FastAPI()\nrouter = APIRouter()\n"
    main += 'router.add_event_handler("startup", print)\n'
    main += 'app.router.add_event_handler("startup", print)\n'
    main += 'app.add_event_handler("startup", print)\n'
    write(tmp_path, "app/main.py", main)

    def fg406(*options: str) -> list[tuple[int, str]]:
        out = run_cli("check", "--no-cache", "--output-format", "json", *options, str(tmp_path))
        found = json.loads(out.stdout)
        return [(f["location"]["row"], f["message"]) for f in found if f["code"] == "FG406"]

    ((row, message),) = fg406()
    assert row == 7
    assert "removed in Starlette 1.0" in message
    named = fg406("--extend-select", "FG406")
    assert [row for row, _ in named] == [5, 6, 7]
    assert all("kept by FastAPI only for backward compatibility" in m for _, m in named[:2])


@pytest.mark.parametrize("cookie", ["set", "read", "none", "clients"])
def test_fg501_with_credentials_says_what_is_at_stake(tmp_path: Path, cookie: str) -> None:
    """The wildcard with `allow_credentials=True`: where the service sets or reads cookies,
    any site reads responses with them; where it uses none (farfalle, pyspur, llama_deploy:
    no credentials at all), the cookie message was wrong, and any site its users visit may
    call it and read what it answers. The cookies of the service's own outbound clients
    are not its visitors' (Open-LLM-VTuber's `http.cookies.SimpleCookie()` for a live
    stream's API, ii-agent's Playwright `context.cookies()`), nor is the `Authorization`
    header they send a credential the service reads (which would hold the finding back
    as a header-authenticated API's: ii-agent's backend). Such a service, taking no
    credentials at all, is held back: reported when FG501 is named."""
    write(tmp_path, "pyproject.toml", '[project]\nname = "svc"\n')
    main = "from fastapi import FastAPI, Request, Response\n"
    main += "from fastapi.middleware.cors import CORSMiddleware\n\n"
    main += "app = FastAPI()\napp.add_middleware(\n    CORSMiddleware,\n"
    main += '    allow_origins=["*"],\n    allow_credentials=True,\n)\n'
    if cookie == "set":
        main += '\n\n@app.post("/login")\ndef login(response: Response) -> None:\n'
        main += '    response.set_cookie("session", "token")\n'
    elif cookie == "read":
        main += '\n\n@app.get("/me")\ndef me(request: Request) -> str | None:\n'
        main += '    return request.cookies.get("session")\n'
    elif cookie == "clients":
        write(
            tmp_path,
            "app/live.py",
            "import http.cookies\n\n\ndef jar() -> http.cookies.SimpleCookie[str]:\n"
            "    return http.cookies.SimpleCookie()\n\n\n"
            "async def saved(context) -> list:\n    return await context.cookies()\n\n\n"
            "def headers(key: str) -> dict[str, str]:\n"
            '    return {"Authorization": f"Bearer {key}"}\n',  # sent to another API
        )
    write(tmp_path, "app/main.py", main)

    def fg501(*options: str) -> list[str]:
        out = run_cli("check", "--no-cache", "--output-format", "json", *options, str(tmp_path))
        return [f["message"] for f in json.loads(out.stdout) if f["code"] == "FG501"]

    uses = cookie in ("set", "read")
    # a service that takes no credentials at all is held back (arafatDU's, reader 109),
    # reported where FG501 is named
    assert bool(fg501()) is uses
    (message,) = fg501("--extend-select", "FG501")
    assert ("what its visitors' cookies unlock" in message) is uses
    assert ("on a service that sets no cookie" in message) is not uses
    assert message.startswith('CORS `allow_origins=["*"]` with `allow_credentials=True`')


def test_a_wildcard_written_as_a_string_is_shown_as_written(tmp_path: Path) -> None:
    """bogdankirich's `allow_origins="*"` (reader 117): Starlette's `"*" in allow_origins`
    reads the string as the wildcard; the message quoted `['*']`, which the code does
    not hold."""
    write(tmp_path, "pyproject.toml", '[project]\nname = "svc"\n')
    write(
        tmp_path,
        "app/main.py",
        """
        from fastapi import FastAPI, Response
        from fastapi.middleware.cors import CORSMiddleware

        app = FastAPI()
        app.add_middleware(CORSMiddleware, allow_origins="*", allow_credentials=True)


        @app.post("/login")
        def login(response: Response) -> None:
            response.set_cookie("session", "token")
        """,
    )
    out = run_cli("check", "--no-cache", "--output-format", "json", str(tmp_path)).stdout
    (message,) = [f["message"] for f in json.loads(out) if f["code"] == "FG501"]
    assert message.startswith('CORS `allow_origins="*"` with `allow_credentials=True` lets')


def _fg211_heads(root: Path, *args: str) -> list[tuple[int, str]]:
    """FG211's findings in a run over `root`: row and message up to its first colon."""
    result = run_cli("check", "--no-cache", "--output-format", "json", *args, str(root))
    return [
        (f["location"]["row"], f["message"].split(":")[0])
        for f in json.loads(result.stdout)
        if f["code"] == "FG211"
    ]


def test_a_field_keyword_of_a_librarys_schema_data_is_the_projects_spelling(
    tmp_path: Path,
) -> None:
    """The forty-first reader's fastapi-amis-admin: `Field(amis_form_item=...)` is data
    its parser reads from the field's JSON schema, not a check, so it follows the
    project's spelling as `example=` does (an inventory in existing code); a keyword
    that reads as a check (`min_value=`, `primary_key=`) checks nothing and stands, and so
    does a misspelt parameter (`descriptino=`)."""
    write(tmp_path, "pyproject.toml", "[project]\nname = 'admin'\ndependencies = ['pydantic>=2']\n")
    write(
        tmp_path,
        "app/schemas.py",
        """
        from pydantic import BaseModel, Field


        class Article(BaseModel):
            title: str = Field(..., amis_form_item={"type": "input-text"})
            body: str = Field(..., amis_table_column="tpl")
            score: int = Field(0, min_value=0)
            id: int = Field(..., primary_key=True)
            note: str = Field("", descriptino="A note")


        ARTICLES: list[Article] = []
        """,
    )

    checks = [
        (7, "`Field(min_value=...)` is no Pydantic argument"),
        (8, "`Field(primary_key=...)` is no Pydantic argument"),
        # nemoguardrails' typo (judged worth acting on): the field has no description
        (9, "`Field(descriptino=...)` is no Pydantic argument"),
    ]
    assert _fg211_heads(tmp_path) == checks
    data = "is an extra keyword (deprecated in Pydantic 2, gone in 3), written in the field's"
    assert _fg211_heads(tmp_path, "--extend-select", "FG211") == [
        (5, f"`Field(amis_form_item={{...}})` {data} JSON schema as `amis_form_item`"),
        (6, f"`Field(amis_table_column=...)` {data} JSON schema as `amis_table_column`"),
        *checks,
    ]


@pytest.mark.parametrize(
    ("binding", "reported"),
    [
        ('if settings.ENVIRONMENT == "development":\n    origins = ["*"]', False),
        ('if settings.ENV in ("dev", "local"):\n    origins = ["*"]', False),
        ('if env.is_debug_mode():\n    origins = ["*"]', False),
        ('if settings.DEBUG:\n    pass\nelse:\n    origins = ["*"]', True),
        ('if not settings.DEBUG:\n    origins = ["*"]', True),
        ('if settings.ENVIRONMENT != "production":\n    origins = ["*"]', True),
        ('origins = ["*"] if settings.DEBUG else settings.ORIGINS', False),
        ('origins = settings.ORIGINS if settings.DEBUG else ["*"]', True),
        # the module's own run as a script (kserve's sample model server)
        (
            'if __name__ == "__main__":\n'
            '    app.add_middleware(CORSMiddleware, allow_origins=["*"])',
            False,
        ),
        # the middleware itself added only in a development run (ragapp)
        (
            'if settings.environment == "dev":\n'
            '    app.add_middleware(CORSMiddleware, allow_origins=["*"])',
            False,
        ),
    ],
)
def test_fg501_a_wildcard_of_a_development_branch_is_the_developers(
    binding: str, reported: bool
) -> None:
    """spoolman: `origins = ["*"]` only `if env.is_debug_mode():`, as a developer's
    setting (reader 41): a branch that asks for a development run (a flag named so, the
    environment compared equal with a development name), not its negation or else."""
    source = (
        "from fastapi import FastAPI\nfrom fastapi.middleware.cors import CORSMiddleware\n\n"
        "from app import env, settings\n\napp = FastAPI()\norigins = settings.ORIGINS\n"
        f"{binding}\napp.add_middleware(CORSMiddleware, allow_origins=origins)\n"
    )
    assert bool(positions(source, "FG501", path="app/main.py")) is reported


def test_fg501_a_wildcard_fallback_is_told_as_one() -> None:
    """mouakos' origins (reader 82): `settings.origins.split(",") if settings.origins
    else ["*"]` already reads the origins from settings; the message names the fallback
    and says to drop it, where a plain wildcard is told to list the origins."""
    source = """
        from fastapi import FastAPI
        from fastapi.middleware.cors import CORSMiddleware

        from app.config import settings

        app = FastAPI()
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.origins.split(",") if settings.origins else ["*"],
            allow_credentials=True,
        )
        api = FastAPI()
        api.add_middleware(CORSMiddleware, allow_origins=["*"] if settings.open else ["a"])
        """
    found = [f for f in check_code(source, "app/main.py") if f.code == "FG501"]
    assert [f.start.row for f in found] == [9, 13]
    assert "`allow_origins` falling back to `['*']` with `allow_credentials=True`" in (
        found[0].message
    )
    assert found[0].message.endswith(
        "drop the `['*']` fallback, so that no origin is allowed when none is set"
    )
    assert found[1].message.endswith("list the origins from settings")


def test_fg410s_fix_keeps_a_multi_line_call_and_a_multi_line_string() -> None:
    """`return HTTPException(` over several lines becomes `raise HTTPException(` with its
    lines as they were (pr-agent's Gerrit route, reader 47: the continuation lines had
    gone to columns 4 and 0); a string over several lines keeps its text."""
    source = '''
        from fastapi import APIRouter, HTTPException

        router = APIRouter()


        @router.get("/a")
        async def a(x: int) -> dict[str, int]:
            if x:
                if x > 1:
                    return HTTPException(
                        status_code=400,
                        detail="""too
        big""",
                    )
            return {"x": x}
        '''
    # the string's own lines cannot take the block's indentation: the call is written as
    # libcst writes it alone, which still compiles, and the string is kept
    fixed = fix_code(source, "FG410", path="app/routes.py", unsafe=True)
    assert "raise HTTPException(" in fixed
    assert 'detail="""too\nbig"""' in fixed
    compile(fixed, "app/routes.py", "exec")
    plain = source.replace('"""too\n        big"""', '"too big"')
    fixed = fix_code(plain, "FG410", path="app/routes.py", unsafe=True)
    lines = fixed.splitlines()
    raised = next(i for i, line in enumerate(lines) if "raise HTTPException(" in line)
    assert lines[raised : raised + 4] == [
        "            raise HTTPException(",
        "                status_code=400,",
        '                detail="too big",',
        "            )",
    ]
    assert fixed == textwrap.dedent(plain).lstrip("\n").replace(
        "return HTTPException", "raise HTTPException"
    )


def test_a_database_url_with_a_password_as_a_settings_default_says_so() -> None:
    """reader 57: arifgafizov's `database_url: str = "...:superpassword@db/..."` is read
    from settings already: the advice is to drop the default, not to "read it from
    settings"; a URL in a call stays the plain message."""
    source = textwrap.dedent(
        """
        from pydantic_settings import BaseSettings
        from sqlalchemy import create_engine


        class Settings(BaseSettings):
            database_url: str = "postgresql+asyncpg://lms_user:superpassword@db.prod.internal/lms"
            engine_args: dict = {}


        engine = create_engine("postgresql://app:hunter22@db.internal/app")
        """
    )
    found = messages(source, "FG502", "app/core/settings.py")
    assert len(found) == 2
    assert found[0].startswith("Database URL with a password as a settings default")
    assert found[1] == "Database URL with a password in the code: read it from settings"


def test_a_literal_key_given_to_a_signer_is_a_secret_whatever_it_reads_like() -> None:
    """frostyalce's `SessionMiddleware, secret_key="secret-key"` and a literal key given
    to `jwt.encode()` (session 33's misses): the key tokens and cookies are signed with.
    Not a public key (RS256 verifies with one), not a key read from a variable, not in
    tests."""
    source = """
        import jwt
        from fastapi import FastAPI
        from itsdangerous import URLSafeTimedSerializer
        from jose import jwt as jose_jwt
        from starlette.middleware import Middleware
        from starlette.middleware.sessions import SessionMiddleware

        app = FastAPI(middleware=[Middleware(SessionMiddleware, secret_key="another-one")])
        app.add_middleware(SessionMiddleware, secret_key="secret-key")
        links = URLSafeTimedSerializer("reset-links")


        def token(data: dict, key: str) -> str:
            jose_jwt.decode(data["t"], key=b"raw-bytes-key", algorithms=["HS256"])
            jwt.decode(data["t"], "-----BEGIN PUBLIC KEY-----\\nMIIB", algorithms=["RS256"])
            jwt.decode(data["t"], key, algorithms=["HS256"])
            return jwt.encode(data, "my-super-secret", algorithm="HS256")
        """
    found = [f for f in check_code(source, "app/main.py") if f.code == "FG502"]
    assert [(f.start.row, f.start.column) for f in found] == [
        (8, 57),  # `secret_key="another-one"`
        (9, 39),  # `secret_key="secret-key"`
        (10, 32),  # `"reset-links"`
        (14, 32),  # `key=b"raw-bytes-key"`
        (17, 29),  # `"my-super-secret"`
    ]
    assert "given to `jwt.encode()`" in found[-1].message
    assert [f for f in check_code(source, "tests/test_tokens.py") if f.code == "FG502"] == []


def test_a_secret_set_in_the_environment_or_a_dicts_item_is_found() -> None:
    """PharmaGestion's Vercel entry point (reader 156): `os.environ.setdefault(
    "SECRET_KEY", "...")`, the key tokens are signed with wherever the environment sets
    none; so `os.environ["JWT_SECRET"] = "..."`, and a dict's item assigned as a
    display's is (`config["password"] = "..."`; not a label of words)."""
    source = """
        import os

        os.environ.setdefault("SECRET_KEY", "pharma-gest-s3cur3-k3y-2026-vercel")
        os.environ.setdefault("ALGORITHM", "HS256")
        os.environ["JWT_SECRET"] = "Zq8#pL2vX9mKw3"


        def settings() -> dict[str, str]:
            config = {}
            config["password"] = "Xk9#mQ2vL8pw"
            config["api_key"] = "Elastic Api Key"
            return config
        """
    assert _found("FG502", source, "api/index.py") == [3, 5, 10]


def test_a_token_named_with_words_of_any_script_is_a_label() -> None:
    """sergssnorth's bot (reader 211): `API_TOKEN = 'Ваш Telegram Bot API токен'`, "your
    Telegram Bot API token", a placeholder of words as an English one is: no provider
    issues a token with spaces. A token of one word, and a password of words (a
    passphrase), are reported."""
    source = """
        API_TOKEN = 'Ваш Telegram Bot API токен'
        AUTH_TOKEN = "Your bot token"
        ADMIN_PASSWORD = "correct horse battery staple"
        """
    assert _found("FG502", source, "bot/config.py") == [3]
    token = 'API_TOKEN = "5812734561:AAHk3mZQ9vLx2pRtW8sYbN4cJdF7gE1uVo0"\n'
    assert _found("FG502", token, "bot/config.py") == [1]


def test_a_signing_key_read_as_the_text_of_a_missing_variable_is_found(tmp_path: Path) -> None:
    """pkrecz's hotel (reader 170): `ACCESS_SECRET_KEY: str = str(os.getenv(
    "ACCESS_SECRET_KEY"))` in its settings: a missing variable becomes the key `"None"`,
    and start-up does not fail. A setting of another kind (`ALGORITHM`), a read with a
    default (FG502's other message, if any), a key read as it is (`os.getenv(...)` alone,
    None when missing: jwt refuses it) and a setting nothing reads are not this."""
    write(tmp_path, "pyproject.toml", "[project]\nname = 'svc'\n")
    write(tmp_path, "app/__init__.py", "")
    write(
        tmp_path,
        "app/settings.py",
        """
        import os

        from pydantic_settings import BaseSettings


        class Settings(BaseSettings):
            ACCESS_SECRET_KEY: str = str(os.getenv("ACCESS_SECRET_KEY"))
            REFRESH_SECRET_KEY: str = str(os.getenv("REFRESH_SECRET_KEY"))
            ALGORITHM: str = str(os.getenv("ALGORITHM"))
            SIGNING: str | None = os.getenv("JWT_SECRET")


        settings = Settings()
        JWT_SECRET = str(os.environ.get("JWT_SECRET"))
        """,
    )
    write(
        tmp_path,
        "app/tokens.py",
        """
        import jwt

        from app.settings import JWT_SECRET, settings


        def tokens(data: dict) -> tuple[str, str, str]:
            return (
                jwt.encode(data, settings.ACCESS_SECRET_KEY, algorithm=settings.ALGORITHM),
                jwt.encode(data, settings.SIGNING or "", algorithm="HS256"),
                jwt.encode(data, JWT_SECRET, algorithm="HS256"),
            )
        """,
    )
    result = run_cli("check", "--no-cache", "--output-format", "json", str(tmp_path))
    found = [
        (f["location"]["row"], f["message"])
        for f in json.loads(result.stdout)
        if f["code"] == "FG502"
    ]
    assert [row for row, _ in found] == [7, 14], found  # REFRESH_SECRET_KEY: read nowhere
    assert found[0][1].startswith(
        '`str(os.getenv("ACCESS_SECRET_KEY"))` makes a missing variable the key `"None"`'
    )


def test_an_elided_signing_key_and_a_word_held_as_a_password_are_secrets() -> None:
    """kasilianaoliveira's settings (reader 172): `JWT_SECRET_KEY: SecretStr =
    SecretStr("...")`, unset by the example env file and the compose file: the service
    signs tokens with `"..."` (an elided sample key stays no secret elsewhere). AgroSense's
    broker (reader 172): `MQTT_PASSWORD = "sensormod"`, a word held as a password is the
    password (a lower-case word under another name is a name; a sample user's
    `password="securepassword"` keyword, a default password, a name that says what it
    holds are not)."""
    source = """
        from pydantic import SecretStr
        from pydantic_settings import BaseSettings


        class Settings(BaseSettings):
            JWT_SECRET_KEY: SecretStr = SecretStr("...")
            STRIPE_API_KEY: str = "sk-...a1b2"


        MQTT_PASSWORD = "sensormod"
        mqtt_passwd = "sensormod"
        PASSWORD_FIELD = "user_password"
        DB_PASSWORD = "password"
        KEYCLOAK_CLIENT_SECRET = "polar_client_secret"


        def sample_user() -> dict:
            return dict(email="a@example.com", password="securepassword")


        settings = Settings()
        """
    assert _found("FG502", source, "app/config.py") == [6, 10, 11]


def test_a_settings_class_without_a_settings_base_holds_constants() -> None:
    """apiService's config (reader 173): `class Settings():` holding `SECRET_KEY: str =
    "secretkey"`, which every `settings.SECRET_KEY` reads as written (no environment
    replaces it) and tokens are signed with: the key, however it echoes its name. A class
    with a base (a model, a profile of another class) and an attribute of another name
    are read as before."""
    source = """
        class Settings():
            APP_NAME: str = "Event Booking System"
            SECRET_KEY: str = "secretkey"
            ALGORITHM: str = "HS256"


        class TokenConfig(object):
            JWT_SECRET = "jwt-secret-key"


        class Payload(dict):
            SECRET_KEY = "secret_key"


        class DevelopmentConfig:
            SECRET_KEY = "dev"


        settings = Settings()
        """
    assert _found("FG502", source, "app/core/config.py") == [3, 8]


def test_a_class_attribute_its_methods_sign_with_is_the_key() -> None:
    """juampa95's `AuthHandler` (reader 158): `secret = "supersecret"` in the class body,
    `jwt.encode(payload, self.secret)` in a method: the only signing key, a lower-case
    word anyone can forge tokens with. An attribute nothing signs with is read as any
    other (a lower-case word: a name)."""
    source = """
        import jwt


        class AuthHandler:
            secret = "supersecret"
            cookie_secret = "sessionid"

            def encode_token(self, user_id: int) -> str:
                return jwt.encode({"sub": user_id}, self.secret, algorithm="HS256")
        """
    assert _found("FG502", source, "api/auth/auth.py") == [5]


def test_a_secret_given_in_a_tuple_assignment_is_found() -> None:
    """tzinchy's container service (reader 157): `login, password = "GabitovDS",
    "21v1DF43!!!!"`; each name is given its element. A starred target, or an element
    that is no string, pairs nothing."""
    source = """
        def connect():
            login, password = "GabitovDS", "21v1DF43!!!!"
            user, *rest = "admin", "Xk9#mQ2vL8pw", "x"
            name, secret = "svc", ("Zq8#pL2vX9mK", "x")
            return login, password, user, rest, name, secret
        """
    assert _found("FG502", source, "app/service/container.py") == [2]


def test_the_defaults_of_a_development_profile_are_held_back(tmp_path: Path) -> None:
    """wxhou's settings (reader 157): `DevelopmentSettings` and `ProductionSettings`,
    chosen by an environment variable; the development profile's keys are the
    developer's machine's: held back, reported where FG502 is named. A class named for
    another thing (`LocalStorageConfig`) is no profile."""
    write(tmp_path, "pyproject.toml", "[project]\nname = 'blog'\n")
    write(
        tmp_path,
        "app/settings.py",
        """
        from pydantic_settings import BaseSettings


        class DevelopmentSettings(BaseSettings):
            SECRET_KEY: str = "s2JNHjKeZCj5b2brh4so34xyz"


        class LocalStorageConfig(BaseSettings):
            STORAGE_SECRET_KEY: str = "Xs8nWV1P45jiKrjLV6OSnj"


        class ProductionSettings(BaseSettings):
            SECRET_KEY: str = "Xs8nWV1P45jiKrjLV6OSnj"


        settings = ProductionSettings() if PROD else DevelopmentSettings()
        STORAGE = LocalStorageConfig().STORAGE_SECRET_KEY
        KEYS = (settings.SECRET_KEY,)
        """,
    )

    def rows(*options: str) -> list[int]:
        result = run_cli("check", "--no-cache", "--output-format", "json", *options, str(tmp_path))
        return [f["location"]["row"] for f in json.loads(result.stdout) if f["code"] == "FG502"]

    assert rows() == [9, 13]
    assert rows("--extend-select", "FG502") == [5, 9, 13]


def test_a_fallback_the_module_only_warns_about_is_a_finding() -> None:
    """NathanC16's `core/config.py` (reader 154): the module compares the key with its
    fallback and prints a warning, then signs with it all the same; refused (a raise, an
    exit, an assert), it is no finding."""
    source = """
        import os

        SECRET_KEY: str = os.getenv("SECRET_KEY", "your-default-secret-key-for-dev-only")

        if SECRET_KEY == "your-default-secret-key-for-dev-only":
            print("AVISO: usando SECRET_KEY padrao")
            print("defina uma SECRET_KEY forte")
        """
    assert _found("FG502", source, "core/config.py") == [3]
    for refusal in ("raise RuntimeError('set SECRET_KEY')", "sys.exit(1)"):
        refused = source.replace('print("defina uma SECRET_KEY forte")', refusal)
        assert _found("FG502", refused, "core/config.py") == [], refusal
    asserted = source.split("        if ")[0] + (
        '        assert SECRET_KEY != "your-default-secret-key-for-dev-only"\n'
    )
    assert _found("FG502", asserted, "core/config.py") == []


def test_a_default_refused_with_the_errors_a_function_collects_is_no_finding() -> None:
    """Oshkelosh's `validate_backends()` (reader 195): the default compared, an error
    appended to a list, the list raised together at the end of the function. The same
    list only logged refuses nothing."""
    source = """
        import logging

        _DEFAULT_JWT_SECRET = "change-me-in-production-use-a-strong-secret"


        def validate_backends(jwt_secret_key: str, app_env: str) -> None:
            errors: list[str] = []
            if app_env == "production":
                if jwt_secret_key == _DEFAULT_JWT_SECRET:
                    errors.append("JWT_SECRET_KEY must be set in production")
            if errors:
                raise ValueError("invalid configuration: " + "; ".join(errors))
        """
    assert _found("FG502", source, "app/config.py") == []
    logged = source.replace(
        'raise ValueError("invalid configuration: " + "; ".join(errors))',
        'logging.warning("invalid configuration: %s", errors)',
    )
    assert _found("FG502", logged, "app/config.py") == [3]


def test_a_settings_default_the_module_refuses_is_no_finding() -> None:
    """ikidevz's settings (reader 64): a validator raises when the secret is still its
    default in production: the project refuses it where it matters. A default nothing
    compares with stands."""
    source = """
        from pydantic import Field, model_validator
        from pydantic_settings import BaseSettings


        class Settings(BaseSettings):
            environment: str = "dev"
            secret_key: str = Field(default="change-me-in-production")
            admin_password: str = "Admin123!"
            smtp_password: str = "Xk9#mQ2vL8"

            @model_validator(mode="after")
            def _reject_insecure_defaults(self) -> "Settings":
                if self.environment == "prod":
                    if self.secret_key == "change-me-in-production":
                        raise ValueError("SECRET_KEY must be set")
                    if "Admin123!" != self.admin_password:
                        return self
                    raise ValueError("ADMIN_PASSWORD must be changed")
                return self


        settings = Settings()
        SMTP = settings.smtp_password
        """
    assert _found("FG502", source, "app/core/config.py") == [9]


def test_a_default_refused_through_its_constant_or_a_set_is_no_finding() -> None:
    """Stonuv's `_DEFAULT_SECRET_KEY` (reader 78), compared by name in the validator,
    and joseantoniogahez's default in the `_INSECURE_SECRET_VALUES` the validator tests
    with `in` (reader 79); a constant of the same shape nothing refuses stands."""
    source = """
        from typing import ClassVar

        from pydantic import model_validator
        from pydantic_settings import BaseSettings

        _DEFAULT_SECRET_KEY = "change-me-in-production"
        _SIGNING_SECRET = "change-me-before-release"


        class Settings(BaseSettings):
            _INSECURE: ClassVar[set[str]] = {"changeme", "local-dev-jwt-secret"}
            debug: bool = True
            secret_key: str = _DEFAULT_SECRET_KEY
            jwt_secret_key: str = "local-dev-jwt-secret"

            @model_validator(mode="after")
            def _refuse(self) -> "Settings":
                if not self.debug and self.secret_key == _DEFAULT_SECRET_KEY:
                    raise ValueError("SECRET_KEY must be set")
                if self.jwt_secret_key.lower() in self._INSECURE:
                    raise ValueError("JWT_SECRET_KEY must be set")
                return self
        """
    assert _found("FG502", source, "app/config.py") == [7]


def test_a_default_refused_by_a_start_up_check_in_a_literal_set_is_no_finding() -> None:
    """prodkit-labs' `validate_production_settings()` (reader 89), called at start-up:
    `if settings.secret_key in {"dev-only-change-me", ...}: raise RuntimeError(...)`; a
    default of the same shape the check does not name stands."""
    source = """
        from pydantic import Field
        from pydantic_settings import BaseSettings


        class Settings(BaseSettings):
            secret_key: str = Field(default="dev-only-change-me", alias="AUTH_SECRET_KEY")
            refresh_secret: str = Field(default="dev-only-refresh-me", alias="AUTH_REFRESH")


        def validate_production_settings(settings: Settings) -> None:
            if settings.secret_key in {"dev-only-change-me", "change-me-before-production"}:
                raise RuntimeError("AUTH_SECRET_KEY must be changed in production.")
        """
    assert _found("FG502", source, "app/config.py") == [7]


def test_examples_named_so_and_generated_keys_in_capitals() -> None:
    """prosoftdev999's `_EXAMPLE_ACCESS_TOKEN` (reader 89), a sample token for the API's
    docs, is no secret; ddcroft73's `ADMIN_API_KEY = "HDG673L2MNDUI76E"` (reader 88), a
    key in capitals with digits among its letters, is one (so is one of 24 characters
    or more with a digit and no underscore), where a placeholder in capitals
    (`"YOUR_API_KEY_HERE"`, `"APIKEY1234567890"`) is not."""
    source = """
        from pydantic_settings import BaseSettings

        _EXAMPLE_ACCESS_TOKEN = (
            "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJqYW5lQGV4YW1wbGUuY29tIn0.signature"
        )


        class Settings(BaseSettings):
            ADMIN_API_KEY: str = "HDG673L2MNDUI76E"
            PARTNER_API_KEY: str = "YOUR_API_KEY_HERE"
            VENDOR_API_KEY: str = "APIKEY1234567890"


        settings = Settings()
        USED = (settings.ADMIN_API_KEY, settings.PARTNER_API_KEY, settings.VENDOR_API_KEY)
        JWT_SECRET_KEY: str = "ASDFGHIJKLMNOPQRSTUVWXYZ1234567890"
        """
    # and rauljimm's JWT key (reader 115): 24 capitals and digits or more, no underscore
    assert _found("FG502", source, "app/core/config.py") == [9, 16]


def test_a_server_s_key_beside_its_local_url_chosen_by_branches_is_a_local_default() -> None:
    """georgephilippas-ber's `MEILISEARCH_MASTER_KEY` (reader 90), the key of its compose
    service, beside `MEILISEARCH_SERVER_URL` set in `if`/`else` branches to a container's
    name or `127.0.0.1`; a key of its own beside them is still reported."""
    source = """
        if is_running_in_docker():
            MEILISEARCH_SERVER_URL = "http://meilisearch:7700"
        else:
            if ENVIRONMENT == "development":
                MEILISEARCH_SERVER_URL = "http://127.0.0.1:7700"
            else:
                MEILISEARCH_SERVER_URL = "http://127.0.0.1:7700"

        MEILISEARCH_MASTER_KEY = "jYRlnO2U1liwOSdm9CjTPFS1HZuBjeaLK3gh2NXcr28"
        SIGNING_SECRET_KEY = "jYRlnO2U1liwOSdm9CjTPFS1HZuBjeaLK3gh2NXcr29"
        """
    assert _found("FG502", source, "configuration/meilisearch.py") == [10]


def test_a_provider_s_secret_beside_its_api_key_is_no_signing_key() -> None:
    """MarchenkoRuslan's `BINANCE_SECRET_KEY` and `BINANCE_API_SECRET` (reader 93), each
    `os.getenv(..., "test_secret")` beside `BINANCE_API_KEY`: the pair Binance issued,
    which signs requests Binance checks, so its placeholder forges nothing; the service's
    own `SECRET_KEY` of the same shape is its signing key; a real-looking secret of the
    pair is reported."""
    source = """
        import os

        from pydantic_settings import BaseSettings


        class Settings(BaseSettings):
            BINANCE_API_KEY: str = os.getenv("BINANCE_API_KEY", "test_key")
            BINANCE_SECRET_KEY: str = os.getenv("BINANCE_SECRET_KEY", "test_secret")
            BINANCE_API_SECRET: str = os.getenv("BINANCE_API_SECRET", "test_secret")
            KRAKEN_SECRET_KEY: str = os.getenv("KRAKEN_SECRET_KEY", "test_secret")
            BYBIT_API_KEY: str = os.getenv("BYBIT_API_KEY", "")
            BYBIT_SECRET_KEY: str = os.getenv("BYBIT_SECRET_KEY", "q8Vz3kP0wLm5Rt7Yx2Nb4Hc6")
            SECRET_KEY: str = os.getenv("SECRET_KEY", "test_secret")
        """
    assert _found("FG502", source, "app/core/config.py") == [10, 12, 13]


def test_a_module_making_fake_data_holds_fake_passwords() -> None:
    """zamaniamin's `apps/accounts/faker/data.py` (reader 92): `fake = Faker()` beside
    the password of the accounts its tests and seed script create."""
    source = """
        from faker import Faker


        class BaseFakeAccount:
            fake = Faker()
            password = "Test_1234"
        """
    assert _found("FG502", source, "apps/accounts/faker/data.py") == []
    assert _found(
        "FG502", source.replace("faker import Faker", "random import choice"), "apps/data.py"
    ) == [6]


def test_a_locustfile_is_development_tooling() -> None:
    """Anikk02's `performance/locustfile.py` (reader 88): a load test's synthetic users'
    password, wherever Locust's file lies."""
    source = """
        from locust import HttpUser, task

        PASSWORD = "Str0ngP@ssw0rd!2024"


        class Visitor(HttpUser):
            @task
            def login(self) -> None:
                self.client.post("/login", json={"password": PASSWORD})
        """
    assert _found("FG502", source, "performance/locustfile.py") == []
    assert _found("FG502", source, "performance/load.py") == [3]


def test_a_default_a_validator_names_is_refused() -> None:
    """trouchet's settings (reader 83): the `@model_validator` lists `("JWT_SECRET_KEY",
    self.JWT_SECRET_KEY, DEFAULT_SECRET_KEY)` for a helper that refuses a value left at
    its default outside development; a constant no validator names stands."""
    source = """
        from pydantic import model_validator
        from pydantic_settings import BaseSettings

        DEFAULT_SECRET_KEY = "secret_key_123"
        OTHER_SECRET_KEY = "other_key_123"


        class Settings(BaseSettings):
            JWT_SECRET_KEY: str = DEFAULT_SECRET_KEY
            COOKIE_SECRET_KEY: str = OTHER_SECRET_KEY

            def _check_default_values(self, pairs: list[tuple[str, str, str]]) -> None:
                unchanged = [name for name, value, default in pairs if value == default]
                if unchanged:
                    raise ValueError(f"change {unchanged}")

            @model_validator(mode="after")
            def _enforce_non_default_secrets(self) -> "Settings":
                self._check_default_values(
                    [("JWT_SECRET_KEY", self.JWT_SECRET_KEY, DEFAULT_SECRET_KEY)]
                )
                return self
        """
    assert _found("FG502", source, "app/config.py") == [5]


def test_an_oauth_client_secret_placeholder_is_a_placeholder() -> None:
    """balorette's `GOOGLE_CLIENT_SECRET: str = "your-google-client-secret"` (reader 64):
    a secret Google issues and checks, not a key this service signs with, so its
    placeholder is spared as another service's is; a real-looking one is reported. So is
    Facebook's app secret (eedu7's `"YOUR_FACEBOOK_APP_SECRET"`, reader 85)."""
    source = """
        from pydantic_settings import BaseSettings


        class Settings(BaseSettings):
            GOOGLE_CLIENT_SECRET: str = "your-google-client-secret"
            GITHUB_CLIENT_SECRET: str = "9f8e7d6c5b4a39281706f5e4d3c2b1a0"
            JWT_SECRET: str = "your-jwt-secret"
            FACEBOOK_APP_SECRET: str = "YOUR_FACEBOOK_APP_SECRET"


        settings = Settings()
        USED = (settings.GOOGLE_CLIENT_SECRET, settings.GITHUB_CLIENT_SECRET, settings.JWT_SECRET)
        FB = settings.FACEBOOK_APP_SECRET
        """
    assert _found("FG502", source, "app/core/config.py") == [6, 7]


def test_a_label_in_square_brackets_is_a_placeholder() -> None:
    """tawounfouet's welcome email (reader 71): `password="[Hidden for security]"` is the
    redaction put where the password was, no secret; a real one beside it is reported."""
    source = """
        def welcome(send, user):
            send(user.email, password="[Hidden for security]")
            send(user.email, password="[REDACTED]")
            send(user.email, password="Xk9#mP2$vL8qR4wZ")
        """
    assert _found("FG502", source, "app/mail.py") == [4]


def test_fastapis_own_annotation_keyword_is_a_no_op_before_0_155(tmp_path: Path) -> None:
    """jpcadena's `Query(annotation=Optional[PositiveInt], ...)` on FastAPI 0.115 (reader
    65): passed on to `params.Query(annotation=...)`, FastAPI's own parameter, which the
    declared type overrides: no schema data, nothing to report. From 0.155 the call
    raises `TypeError`, reported as any keyword FastAPI does not take."""
    write(
        tmp_path,
        "app/routes.py",
        """
        from typing import Optional

        from fastapi import APIRouter, Query
        from pydantic import PositiveInt

        router = APIRouter()


        @router.get("/users")
        def users(limit: Optional[int] = Query(None, annotation=Optional[PositiveInt])) -> int:
            return limit or 0
        """,
    )
    write(tmp_path, "requirements.txt", "fastapi==0.115.8\npydantic==2.10.0\n")
    assert _fg211_heads(tmp_path, "--extend-select", "FG211") == []
    write(tmp_path, "requirements.txt", "fastapi>=0.155\npydantic==2.10.0\n")
    assert [row for row, _ in _fg211_heads(tmp_path)] == [10]


def test_a_fastapi_parameter_s_help_text_under_another_keyword_is_told_description() -> None:
    """AndreyGichan's `Query("", detail="Поиск по статусу")` (reader 93): prose under a
    keyword FastAPI does not take is the parameter's help text, which OpenAPI reads from
    `description=`; a word is not told so."""
    source = """
        from fastapi import APIRouter, Query

        router = APIRouter()


        @router.get("/orders")
        def orders(
            status: str = Query("", detail="Search by status"),
            sort: str = Query("", widget="select"),
        ) -> list[str]:
            return []
        """
    found = [f.message for f in check_code(source, "app/routes.py") if f.code == "FG211"]
    assert len(found) == 2
    assert found[0].endswith(": write the text as `Query(description=...)`")
    assert "description" not in found[1]


def test_a_fastapi_parameter_s_allowed_values_are_told_a_literal() -> None:
    """Zo2Be's `Query(enum=[...])` (reader 121): the allowed values, which FastAPI keeps
    as schema data and validates nothing with; a `Literal` or an `Enum` does both."""
    source = """
        from fastapi import APIRouter, Query

        router = APIRouter()


        @router.get("/posts")
        def posts(order_by: str = Query("id", enum=["id", "title"])) -> list[str]:
            return []
        """
    found = [f.message for f in check_code(source, "app/routes.py") if f.code == "FG211"]
    assert len(found) == 1
    assert found[0].endswith(
        "as a `Literal[...]` of those values, or an `Enum`, which FastAPI validates and documents"
    )


def test_a_bound_under_another_library_s_name_or_a_misspelt_parameter_is_named() -> None:
    """phan-tang's `Field(min=0)` on prices (reader 94), which accepts negative ones:
    the bound is `ge=`; hbx2919554702-cell's `Query(escription=...)`: `description`
    misspelt."""
    source = """
        from fastapi import APIRouter, Query
        from pydantic import BaseModel, Field

        router = APIRouter()


        class Product(BaseModel):
            price: float = Field(..., min=0)
            stock: int = Field(0, maximum=1000)


        @router.get("/articles")
        def articles(
            q: str = Query("", escription="Search"),
            page: int = Query(1, min=1),
        ) -> list[str]:
            return []
        """
    found = [f.message for f in check_code(source, "app/routes.py") if f.code == "FG211"]
    assert found[0].startswith("`Field(min=...)` is no Pydantic argument: the bound is `ge=`")
    assert found[1].startswith("`Field(maximum=...)` is no Pydantic argument: the bound is `le=`")
    assert found[2].endswith(": `description` misspelt?")
    assert found[3].endswith(": the bound is `ge=`")
    assert len(found) == 4


def test_examples_kept_by_name_hold_no_secrets() -> None:
    """jpcadena's request bodies (reader 65): `USER_CREATE_EXAMPLES: dict[str, Example] =
    {...}` given to `openapi_examples=` by name, and `merge_examples(base, {"password":
    ...})` given to `json_schema_extra=`; and a module's `GOOGLE_CLIENT_SECRET =
    "your-google-client-secret"`, another service's placeholder."""
    source = """
        from fastapi.openapi.models import Example

        GOOGLE_CLIENT_SECRET = "your-google-client-secret"
        USER_CREATE_EXAMPLES: dict[str, Example] = {
            "normal": {"value": {"username": "someone", "password": "Hk7pH9*35Fu&3U"}},
        }
        user_create_example = merge_examples({"username": "x"}, {"password": "Hk7pH9*35Fu&3U"})
        SMTP = {"password": "Hk7pH9*35Fu&3U"}
        """
    assert _found("FG502", source, "app/config/examples.py") == [8]


def test_an_environment_fallback_names_the_variable_to_require() -> None:
    """HuynhLongTGG's plain `class Settings:` reads `os.environ.get('SECRET_KEY',
    'SERECT_KEY')` (reader 66): "a `Settings` field without a default" is no fix there;
    the message names `os.environ['SECRET_KEY']` first."""
    source = """
        import os


        class Settings:
            SECRET_KEY = os.environ.get("SECRET_KEY", "SERECT_KEY")


        JWT_SECRET = os.getenv("JWT_SIGNING_KEY", "dev-secret-key-1234567")
        """
    found = [f for f in check_code(source, "app/core/config.py") if f.code == "FG502"]
    assert [f.start.row for f in found] == [5, 8]
    assert "`os.environ['SECRET_KEY']`" in found[0].message
    assert "`os.environ['JWT_SIGNING_KEY']`" in found[1].message


def test_a_credential_sent_with_a_request_is_a_hard_coded_secret() -> None:
    """Nurshot's TikTok client sends an account's `sessionid` and `msToken` cookies as
    literals (reader 66); a bearer token or an API-key header is the same leak. One
    finding per dict; placeholders, templates, f-strings and other headers are not."""
    source = """
        import httpx
        import requests

        TOKEN = "x"


        def fetch(url: str) -> None:
            requests.get(url, headers={"Authorization": "Bearer 9f8e7d6c5b4a39281706f5e4d3c2b1a0"})
            requests.get(
                url,
                cookies={
                    "sessionid": "1709dc65dbf38af23f5ba125d895e8a1",
                    "msToken": "KYbfxga7ash0oVlUapzabmlzteIiZynR93tZt0g1iQp2lrbWBW84",
                },
            )
            requests.get(url, headers={"Authorization": f"Bearer {TOKEN}"})
            requests.get(url, headers={"Authorization": "Bearer YOUR_TOKEN_HERE"})
            requests.get(url, headers={"Authorization": "Bearer <token>"})
            requests.get(url, headers={"Content-Type": "application/json; charset=utf-8"})
            requests.get(url, cookies={"theme": "dark-mode-1709dc65dbf38af23f5b"})
            httpx.Client(headers={"X-API-Key": "sk-live-4f9a8b7c6d5e4f3a2b1c"})
        """
    found = [f for f in check_code(source, "app/clients/social.py") if f.code == "FG502"]
    assert [f.start.row for f in found] == [8, 12, 21]
    assert "the `sessionid` cookie" in found[1].message
    assert not [f for f in check_code(source, "tests/test_social.py") if f.code == "FG502"]


def test_an_http_exception_returned_by_a_dependency_is_flagged() -> None:
    """Jang-Jaewon's `get_token_header` (reader 71): a function FastAPI calls (its parameter
    is FastAPI's `Header(...)`), returning the exception where it meant to refuse the
    request; an error-or-None helper without FastAPI's parameters stays a factory."""
    source = """
        from typing import Annotated

        from fastapi import Depends, Header, HTTPException


        async def get_token_header(x_token: str = Header("secret")):
            if x_token != "secret":
                return HTTPException(status_code=400, detail="X-Token header invalid")


        async def current_user(token: Annotated[str, Depends(get_token_header)]):
            if not token:
                return HTTPException(status_code=401)


        def check_owner(owner_id: int, user_id: int):
            if owner_id != user_id:
                return HTTPException(status_code=403)
            return None
        """
    found = [f for f in check_code(source, "app/dependencies.py") if f.code == "FG410"]
    assert [f.start.row for f in found] == [8, 13]
    assert "by a function FastAPI calls (its parameters are FastAPI's: `Header(...)`)" in (
        found[0].message
    )
    assert "`Depends(...)`" in found[1].message


def test_an_http_exception_a_helper_returns_says_so_and_a_success_status_is_none() -> None:
    """Mekan777-alt's helpers (reader 79): the route gets the exception where it expects
    data (its `JSONResponse` then fails), no 200: the message says what the caller
    gets. An exception made with a status below 400 answers what a return would
    (`status_code=200`, `status.HTTP_200_OK`): no finding."""
    source = """
        from fastapi import APIRouter, HTTPException, status

        router = APIRouter()


        async def create_bathroom(data: dict) -> dict:
            if not data:
                return HTTPException(status_code=400, detail="empty")
            return data


        @router.post("/code")
        async def send_code(email: str) -> dict:
            if "@" not in email:
                return HTTPException(status_code=200, detail="no such user")
            if email.startswith("x"):
                return HTTPException(status.HTTP_200_OK, detail="no such user")
            if email.endswith("y"):
                return HTTPException(status.HTTP_404_NOT_FOUND, detail="no such user")
            return {"sent": email}
        """
    found = [f for f in check_code(source, "app/rooms.py") if f.code == "FG410"]
    assert [f.start.row for f in found] == [8, 19]
    assert found[0].message.startswith(
        "`HTTPException` returned, not raised, by a function that returns data on its other "
        "paths: its caller gets the exception where it expects the data"
    )
    # `-> dict`: FastAPI validates the exception against it, a 500
    assert "the client gets a 500" in found[1].message


def test_a_route_returning_an_exception_answers_200_or_500_as_fastapi_does() -> None:
    """AidamirKaraziev's routes (reader 125) declare `response_model=`: FastAPI validates
    the returned exception against it, a 500 (as under any return annotation but a
    `Response` class, `-> Any` too); a route with neither answers 200 with the
    exception's attributes (both run on FastAPI 0.114 and 0.165)."""
    source = """
        from typing import Any

        from fastapi import APIRouter, HTTPException
        from fastapi.responses import JSONResponse
        from pydantic import BaseModel

        router = APIRouter()


        class Dish(BaseModel):
            id: int


        @router.get("/a")
        async def a(n: int):
            if n:
                return HTTPException(status_code=404)


        @router.get("/b", response_model=Dish)
        async def b(n: int):
            if n:
                return HTTPException(status_code=404)


        @router.get("/c")
        async def c(n: int) -> Any:
            if n:
                return HTTPException(status_code=404)


        @router.get("/d")
        async def d(n: int) -> JSONResponse:
            if n:
                return HTTPException(status_code=404)


        @router.get("/e", response_model=None)
        async def e(n: int) -> dict[str, int]:
            if n:
                return HTTPException(status_code=404)
        """
    found = [f for f in check_code(source, "app/dishes.py") if f.code == "FG410"]
    assert [(f.start.row, "a 500" in f.message) for f in found] == [
        (17, False),
        (23, True),
        (29, True),
        (35, False),
        (41, False),
    ]
    assert "a route answers 200" in found[0].message


def test_a_fallback_under_if_not_is_the_environment_reads_and_a_key_template_is_none() -> None:
    """amusphere's `SECRET_KEY = os.getenv("SECRET_KEY")`, then `if not SECRET_KEY:
    SECRET_KEY = "insecure-dev-secret"` (reader 80): the read's fallback, told so; and
    LesslsMore's Redis key template `"User:Token:%d"` (reader 80) is no secret."""
    source = """
        import os

        SECRET_KEY = os.getenv("SECRET_KEY")
        if not SECRET_KEY:
            SECRET_KEY = os.getenv("JWT_SECRET")
        if not SECRET_KEY:
            SECRET_KEY = "insecure-dev-secret"
        USER_TOKEN_KEY = "User:Token:%d"
        PAYMENTS_API_KEY = "sk_live_4f9a8b7c6d5e4f3a2b1c"
        """
    found = messages(source, "FG502", path="app/auth.py")
    assert [row for row, _ in positions(source, "FG502", path="app/auth.py")] == [7, 9]
    assert found[0].startswith("Hard-coded secret as the environment's fallback")
    assert "os.environ['SECRET_KEY']" in found[0]


def test_a_hasher_the_class_binds_is_followed_through_self() -> None:
    """akeeperctl's and artni96's `AuthService` (reader 81): `pwd_context =
    CryptContext(...)` in the class body, `self.pwd_context.verify(...)` in a sync
    method the async login calls through `self`, or in the coroutine itself; one the
    `__init__` makes too, in either place. A method that hashes nothing is no finding."""
    source = """
        from argon2 import PasswordHasher
        from passlib.context import CryptContext


        class AuthService:
            pwd_context = CryptContext(schemes=["argon2"])

            def verify_password(self, plain: str, hashed: str) -> bool:
                return self.pwd_context.verify(plain, hashed)

            def needs_update(self, hashed: str) -> bool:
                return self.pwd_context.needs_update(hashed)

            async def login(self, plain: str, hashed: str) -> bool:
                self.needs_update(hashed)
                return self.verify_password(plain, hashed)


        class Argon:
            def __init__(self) -> None:
                self.hasher = PasswordHasher()

            def _check(self, hashed: str, plain: str) -> bool:
                return self.hasher.verify(hashed, plain)

            async def check(self, hashed: str, plain: str) -> bool:
                return self._check(hashed, plain) or self.hasher.verify(hashed, plain)
        """
    found = positions(source, "FG303", path="app/services/auth.py")
    assert found == [(16, 16), (27, 16), (27, 46)]


def test_fg504_is_one_finding_per_library_and_project_and_none_in_tests(tmp_path: Path) -> None:
    """0x5chn0uf (reader 102): python-jose 3.3.0 pinned and imported by five modules of
    the service and eight of its tests; one pin bump, or one move to PyJWT. The first
    module by name that reports gets the finding, the others are held back (counted, and
    listed when FG504 is named); tests, which forge tokens as the service reads them, none.
    A sub-service has its own."""
    write(tmp_path, "requirements.txt", "python-jose==3.3.0\n")
    write(tmp_path, "app/__init__.py", "")
    jose = "from jose import jwt\n\nKEY = jwt\n"
    for name in ("security", "oauth", "tokens"):
        write(tmp_path, f"app/{name}.py", jose)
    write(tmp_path, "tests/test_tokens.py", jose)
    write(tmp_path, "worker/requirements.txt", "python-jose==3.3.0\nfastapi\n")
    write(tmp_path, "worker/app/__init__.py", "")
    write(tmp_path, "worker/app/keys.py", jose)
    for folder in ("app", "worker/app"):  # (keys the advisories reach)
        write(tmp_path, f"{folder}/asymmetric.py", 'ALGORITHM = "RS256"\n')
    assert [name for name, _ in _fg504(tmp_path)] == ["keys.py", "oauth.py"]
    named = [name for name, _ in _fg504(tmp_path, "FG504")]
    assert named == ["keys.py", "oauth.py", "security.py", "tokens.py"]
    closing = run_cli("check", "--no-cache", str(tmp_path)).stdout
    assert "FG504 (2)" in closing


def test_the_key_of_one_kind_of_token_is_a_signing_key() -> None:
    """vadimchubok's `SECRET_KEY_ACCESS = Field(default="super-secret-key", ...)` (reader
    122), the key its access tokens are signed with, unreported even when named: a
    signing key's name may end with the kind of token it signs."""
    source = """
        from pydantic import Field
        from pydantic_settings import BaseSettings


        class Settings(BaseSettings):
            SECRET_KEY_ACCESS: str = Field(default="super-secret-key", env="SECRET_KEY_ACCESS")
            JWT_SECRET_REFRESH: str = "super-refresh-key"
            ACCESS_TOKEN_EXPIRE: str = "super-refresh-key"
        """
    assert positions(source, "FG502", "app/config.py") == [(6, 5), (7, 5)]


def test_fg502_an_environment_fallback_a_required_setting_never_reaches_is_held_back(
    tmp_path: Path,
) -> None:
    """Ljc798's login module (reader 148): `SECRET_KEY = os.getenv("SECRET_KEY",
    "fallback-secret")`, while `Settings.SECRET_KEY: str` (no default) is made at import:
    the service does not start without the variable, so the fallback never signs. Held
    back (counted), reported where named; a field with a default, or a class nothing
    makes, requires nothing."""
    (tmp_path / ".git").mkdir()
    write(tmp_path, "app/__init__.py", "")
    config = (
        "from pydantic_settings import BaseSettings\n\n\nclass Settings(BaseSettings):\n"
        '    SECRET_KEY: str\n    MAIL_PASSWORD: str = ""\n'
    )
    write(tmp_path, "app/config.py", config + "\n\nsettings = Settings()\n")
    write(
        tmp_path,
        "app/login.py",
        "import os\n\nimport jwt\n\n"
        'SECRET_KEY = os.getenv("SECRET_KEY", "fallback-secret")\n'
        'MAIL_PASSWORD = os.getenv("MAIL_PASSWORD", "k9Xq2Lr7Vt3Kp8Wn")\n\n\n'
        "def token(user: str) -> str:\n"
        '    return jwt.encode({"sub": user}, SECRET_KEY, algorithm="HS256")\n\n\n'
        "def mail_login() -> tuple[str, str]:\n"
        '    return ("app@example.com", MAIL_PASSWORD)\n',
    )

    def rows(*options: str) -> list[int]:
        out = run_cli("check", "--no-cache", "--output-format", "json", *options, str(tmp_path))
        return [f["location"]["row"] for f in json.loads(out.stdout) if f["code"] == "FG502"]

    assert rows() == [6]  # a field with a default requires nothing
    assert "FG502 (1)" in run_cli("check", "--no-cache", str(tmp_path)).stdout
    assert rows("--extend-select", "FG502") == [5, 6]
    other = (
        "\n\nclass AppSettings(BaseSettings):\n    debug: bool = False\n\n\nold = AppSettings()\n"
    )
    write(tmp_path, "app/config.py", config + other)
    assert rows() == [5, 6]  # a class nothing makes requires nothing


def test_a_placeholder_asking_for_the_value_in_any_case_is_no_secret() -> None:
    """Jhaveri-Jeet's `stripe.api_key = "Enter_Your_API_Key"` (reader 175): a request for
    the value, as `"ENTER_YOUR_LIVE_KIT_API_SECRET"` in capitals is; the key a service
    signs with is the key all the same, whatever it says."""
    source = """
        import jwt
        import stripe

        stripe.api_key = "Enter_Your_API_Key"
        MAILGUN_API_KEY = "your-mailgun-api-key-here"
        JWT_SECRET = "Enter_Your_Secret"


        def token(data: dict) -> str:
            return jwt.encode(data, JWT_SECRET, algorithm="HS256")
        """
    assert _found("FG502", source, "app/payments.py") == [6]


def test_a_providers_prefix_before_a_stand_in_word_is_a_placeholder() -> None:
    """GitSujal's settings (reader 223): `STRIPE_SECRET_KEY: str = "sk_test_dummy"  #
    Default for testing`, a provider's key prefix and a stand-in word, as
    `"sk_test_your_key_here"` is; another service's key, with which this one signs
    nothing. A signing key's stand-in is the key the service signs or verifies with (a
    webhook's secret: whoever knows it forges the provider's events), and a prefix
    before a key's characters is a key."""
    source = """
        from pydantic_settings import BaseSettings


        class Settings(BaseSettings):
            STRIPE_SECRET_KEY: str = "sk_test_dummy"
            STRIPE_WEBHOOK_SECRET: str = "whsec_placeholder"
            OPENAI_API_KEY: str = "sk_live_xxxx"
            JWT_SECRET_KEY: str = "dummy"
            PAYMENT_API_KEY: str = "sk_test_4f9a8b7c6d5e4f3a2b1c"


        settings = Settings()
        """
    assert _found("FG502", source, "app/core/config.py") == [6, 8, 9]


def test_a_private_default_the_settings_refuse_in_production_is_no_finding(
    tmp_path: Path,
) -> None:
    """msg4naresh's settings (reader 176): `_DEV_SECRET_KEY = "DEV-KEY-INSECURE-TESTING-
    ONLY"`, returned only under `TESTING`, and `if self.SECRET_KEY == self._DEV_SECRET_KEY
    and self.ENVIRONMENT == "production": raise ValueError(...)`. Compared where nothing
    is refused, the default stands."""
    settings = """
        from pydantic_settings import BaseSettings


        class Settings(BaseSettings):
            SECRET_KEY: str = ""
            TESTING: bool = False
            ENVIRONMENT: str = "development"
            _DEV_SECRET_KEY: str = "DEV-KEY-INSECURE-TESTING-ONLY"

            @property
            def signing_key(self) -> str:
                if not self.SECRET_KEY:
                    if self.TESTING:
                        return self._DEV_SECRET_KEY
                    raise ValueError("SECRET_KEY must be set")
                if self.SECRET_KEY == self._DEV_SECRET_KEY and self.ENVIRONMENT == "production":
                    raise ValueError("Cannot use the development key in production")
                return self.SECRET_KEY
        """
    assert _found("FG502", settings, "app/config.py") == []
    warned = settings.replace(
        'raise ValueError("Cannot use the development key in production")',
        'print("the development key")',
    )
    assert _found("FG502", warned, "app/config.py") == [8]


def test_a_signing_key_of_a_settings_class_that_is_a_plain_model_is_the_key() -> None:
    """jidris-spec's `class Settings(BaseModel)` with `SECRET_KEY: str = "your_secret_key"`
    (reader 175): a Pydantic model reads no environment (its `Config.env_file` is a
    settings class's), so the key is the one every token is signed with."""
    source = """
        from pydantic import BaseModel


        class Settings(BaseModel):
            SECRET_KEY: str = "your_secret_key"
            ALGORITHM: str = "HS256"

            class Config:
                env_file = ".env"


        class TokenPair(BaseModel):
            secret_key: str = "user_secret_key"
        """
    assert _found("FG502", source, "app/core/config.py") == [5]


def test_a_password_fallback_quoted_for_a_url_is_the_fallback(tmp_path: Path) -> None:
    """applogiq's musiq API (reader 177): `quote_plus(str(os.environ.get('db_password',
    'Applogiq123')))`, a database password the service runs with when the variable is
    missing; quoted for the URL it goes into, it is the same password."""
    write(tmp_path, "pyproject.toml", "[project]\nname = 'svc'\n")
    write(tmp_path, "app/__init__.py", "")
    write(
        tmp_path,
        "app/database.py",
        """
        import os
        import urllib.parse
        from urllib.parse import quote

        db_password = urllib.parse.quote_plus(str(os.environ.get("db_password", "Applogiq123")))
        smtp_password = quote(os.getenv("SMTP_PASSWORD", "Xk9#mQ2vL8pw"))
        db_user = urllib.parse.quote_plus(str(os.environ.get("db_username", "postgres")))
        URL = f"postgresql://{db_user}:{db_password}@db.example.com/app?{smtp_password}"
        """,
    )
    result = run_cli("check", "--no-cache", "--output-format", "json", str(tmp_path))
    rows = [f["location"]["row"] for f in json.loads(result.stdout) if f["code"] == "FG502"]
    assert rows == [5, 6]


def test_seed_passwords_of_functions_only_a_main_block_reaches_are_a_scripts() -> None:
    """alaa-aqeel's `migrate.py` (reader 180): the `__main__` block calls
    `init_reset_database()`, which drops the database and calls `create_users()`, whose
    demo users' passwords are a script's, not the service's. A function the module
    also calls elsewhere is live."""
    source = """
        def create_users(User):
            User.create(username="admin", password="Xk9#mQ2vL8pw")


        def init_reset_database(User):
            create_users(User)


        def live_user(User):
            User.create(username="ops", password="Zt7#pQ4wN2xy")


        def setup(User):
            live_user(User)


        setup(object)

        if __name__ == "__main__":
            init_reset_database(object)
        """
    assert _found("FG502", source, "migrate.py") == [10]


def test_a_key_in_a_function_named_as_a_stand_in_is_a_mocks() -> None:
    """felixschwamm's `generate_mock_jwt` (reader 180): a mock token for a login the
    README calls fake. The dependency that verifies every request's token with the same
    literal key is the service's own: anyone can forge a token it accepts."""
    source = """
        import jwt


        def generate_mock_jwt(user_id: str) -> str:
            return jwt.encode({"sub": user_id}, "secret", algorithm="HS256")


        def get_current_user(token: str) -> dict:
            return jwt.decode(token, "secret", algorithms=["HS256"])
        """
    assert _found("FG502", source, "app/utils.py") == [9]


def test_a_fastapi_jwt_auth_key_of_the_settings_is_read_by_the_library(tmp_path: Path) -> None:
    """alaa-aqeel's `authjwt_secret_key: str = "SECRETKEY"` (reader 180): no module reads
    the field by name, but fastapi-jwt-auth reads it from the object `AuthJWT.load_config`
    returns, so it is the key of every token. Without the library, a setting nothing
    reads stays held back."""
    write(tmp_path, "pyproject.toml", "[project]\nname = 'svc'\n")
    write(tmp_path, "app/__init__.py", "")
    write(
        tmp_path,
        "app/setting.py",
        """
        from pydantic_settings import BaseSettings


        class Setting(BaseSettings):
            authjwt_secret_key: str = "SECRETKEY"


        setting = Setting()
        """,
    )
    write(
        tmp_path,
        "app/main.py",
        """
        from fastapi import FastAPI

        from app.setting import setting

        app = FastAPI(title=str(setting))
        """,
    )

    def rows() -> list[int]:
        result = run_cli("check", "--no-cache", "--output-format", "json", str(tmp_path))
        return [f["location"]["row"] for f in json.loads(result.stdout) if f["code"] == "FG502"]

    assert rows() == []
    write(
        tmp_path,
        "app/auth.py",
        """
        from fastapi_jwt_auth import AuthJWT

        from app.setting import setting


        @AuthJWT.load_config
        def get_config():
            return setting
        """,
    )
    assert rows() == [5]

"""The structural screens: facts read from CPython's tree, and the files they spare libcst."""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

from checks.engine import Engine
from checks.project import absolute_module, namespace_package
from checks.rules import ALL_RULES, RULES_BY_CODE
from checks.structure import Structure


def _structure(code: str, path: str = "app/example.py", layer: str | None = None) -> Structure:
    source = textwrap.dedent(code)
    return Structure(ast.parse(source), "app.example", False, layer, path, source=source.encode())


def _screened(code: str, path: str = "app/example.py", layer: str | None = None) -> set[str]:
    """The codes of the rules whose words and screens both let this file through."""
    source = textwrap.dedent(code).encode()
    engine = Engine(ALL_RULES)
    structure = _structure(code, path, layer)
    return {r.code for r in engine.active_rules(Path(path), source, layer, structure=structure)}


def test_a_call_resolves_through_every_import_of_its_name() -> None:
    structure = _structure(
        """
        import time as t
        from asyncio import sleep
        if False:
            from time import sleep

        async def f():
            t.sleep(1)
            sleep(2)
        """
    )
    calls = structure.calls_to({"time.sleep"}, in_async=True)
    assert sorted(ast.unparse(call.node) for call in calls) == ["sleep(2)", "t.sleep(1)"]


def test_a_relative_import_resolves_against_the_files_package() -> None:
    structure = _structure("from .errors import NotFound\nraise NotFound()\n")
    assert structure.qualified("NotFound") == {"app.errors.NotFound"}


def test_a_relative_import_above_the_top_package_climbs_the_namespace_packages(
    tmp_path: Path,
) -> None:
    """`app/` and `app/api/` without `__init__.py` are namespace packages (PEP 420): in
    `app/api/routers/things.py` (package `routers`), `from ...schemas.thing import X`
    is `app.schemas.thing`, as the import system finds it from the project's root."""
    path = tmp_path / "app/api/routers/things.py"
    namespace = namespace_package(path, tmp_path)
    assert namespace == "app.api.routers"
    code = "from ...schemas.thing import ThingCreate\nfrom . import deps\n"
    structure = Structure(ast.parse(code), "routers.things", False, namespace=namespace)
    assert structure.qualified("ThingCreate") == {"app.schemas.thing.ThingCreate"}
    assert structure.qualified("deps") == {"routers.deps"}  # within the package: as before
    assert absolute_module(2, "models", None, "app.services") == "app.models"
    assert absolute_module(2, "models", None) == "..models"  # no namespace known
    assert namespace_package(tmp_path / "main.py", tmp_path) is None
    assert namespace_package(tmp_path / "my-app/x.py", tmp_path) is None
    # a folder without `__init__.py` in a package below a folder that is no identifier
    (tmp_path / "my-app/pkg").mkdir(parents=True)
    (tmp_path / "my-app/pkg/__init__.py").write_text("")
    assert namespace_package(tmp_path / "my-app/pkg/sub/x.py", tmp_path) == "pkg.sub"
    assert namespace_package(tmp_path / "my-app/pkg/x.py", tmp_path) is None  # a package
    assert namespace_package(tmp_path / "my-app/other/x.py", tmp_path) is None


def test_calls_know_the_innermost_function_kind() -> None:
    structure = _structure(
        """
        async def handler():
            outer()
            def helper():
                inner()
            callback = lambda: in_lambda()
            class Local:
                in_class_body()
            [in_comprehension() for _ in range(3)]

        def sync():
            plain()
        """
    )
    kinds = {call.last: call.in_async for call in structure.calls}
    assert kinds == {
        "outer": True,
        "inner": False,
        "in_lambda": False,
        "in_class_body": True,
        "in_comprehension": True,
        "plain": False,
        "range": True,
    }


def test_decorators_and_defaults_of_an_async_def_count_as_async() -> None:
    # the libcst traversal enters the function before its decorators and parameters
    structure = _structure(
        """
        @decorate()
        async def handler(value=default()):
            pass
        """
    )
    assert {call.last: call.in_async for call in structure.calls} == {
        "decorate": True,
        "default": True,
    }


def test_names_in_string_annotations_are_referred_to() -> None:
    structure = _structure(
        """
        from sqlalchemy.ext import asyncio as sa

        def repository(session: "sa.AsyncSession | None") -> None: ...
        """
    )
    assert structure.refers_to("sqlalchemy.ext.asyncio.AsyncSession")


def test_an_import_is_a_reference_to_what_it_names() -> None:
    assert _structure("from subprocess import Popen\n").refers_to("subprocess.Popen")


def test_interpolation_is_text_built_from_pieces() -> None:
    assert not _structure('x = f"plain"\ny = 1 + 2\nz = "%d" and 3\n').interpolates
    assert _structure('x = f"id = {value}"\n').interpolates
    assert _structure('x = "id = " + value\n').interpolates
    assert _structure('x = "id = %s" % value\n').interpolates
    assert _structure('x = "id = {}".format(value)\n').interpolates
    assert _structure('x = ("a" "b") + value\n').interpolates
    # the builtin `format(value, spec)` is no text's `.format()`: read, not a failed screen
    assert not _structure('x = format(3.5, ".2f")\n').interpolates


def test_named_strings_cover_assignments_keywords_and_dict_entries() -> None:
    structure = _structure(
        """
        password = "a"
        settings.api_key = "b"
        token: str = "c"
        connect(secret="d")
        config = {"client_secret": "e"}
        class Settings(Base, signing_key="f"): ...
        """
    )
    assert sorted(structure.named_strings) == [
        ("api_key", "b"),
        ("client_secret", "e"),
        ("password", "a"),
        ("secret", "d"),
        ("signing_key", "f"),
        ("token", "c"),
    ]


def test_deep_trees_cpython_accepts_are_walked_without_recursion() -> None:
    code = "x = " + " + ".join(["'a'"] * 900) + "\nf(" * 150 + ")" * 150 + "\n"
    structure = Structure(ast.parse(code))
    assert len(structure.calls) == 150


def test_a_clean_service_module_is_parsed_for_no_rule() -> None:
    code = """
        from fastapi import HTTPException
        from sqlalchemy import select
        from sqlalchemy.ext.asyncio import AsyncSession

        from app.models import User


        class UserRepository:
            def __init__(self, session: AsyncSession) -> None:
                self.session = session

            async def get(self, user_id: int) -> User | None:
                return await self.session.get(User, user_id)

            async def by_email(self, email: str) -> User | None:
                result = await self.session.execute(select(User).where(User.email == email))
                return result.scalar_one_or_none()
        """
    # the words let FG401, FG103 and others through; the structure shows none can fire
    assert _screened(code, "app/users/repository.py", "repository") == set()


def test_a_screen_keeps_the_rule_where_its_pattern_is() -> None:
    code = """
        import time

        async def poll():
            time.sleep(1)
        """
    assert "FG301" in _screened(code)
    assert "FG301" not in _screened(code.replace("async def", "def"))
    assert "FG301" not in _screened(code, "tests/test_poll.py", "test")


def test_http_exception_screens_follow_local_bases_and_imports() -> None:
    service = "app/users/service.py"
    own = """
        from app.errors import ProblemBase

        class NotFound(ProblemBase): ...

        def find(user_id: int):
            raise NotFound
        """
    assert "FG401" in _screened(own, service, "service")  # the index settles ProblemBase
    builtin = """
        class NotFound(LookupError): ...

        def find(user_id: int):
            raise NotFound
        """
    assert "FG401" not in _screened(builtin, service, "service")


def test_name_bindings_list_values_annotations_loops_and_methods() -> None:
    structure = _structure(
        """
        class Page(BaseModel):
            def dump(self): ...

        def render(item: Item, rows: list[Row]):
            item = Item.model_validate({})
            for row in rows:
                pass
            if (found := lookup()):
                pass
            first, second = pair()
        """
    )
    item = structure.bindings_of("item")
    assert [ast.unparse(v) for v in item.values] == ["Item.model_validate({})"]
    assert [ast.unparse(a) for a in item.annotations] == ["Item"]
    assert [ast.unparse(i) for i in structure.bindings_of("row").iterables] == ["rows"]
    assert [ast.unparse(v) for v in structure.bindings_of("found").values] == ["lookup()"]
    assert [c.name for c in structure.bindings_of("self").methods_of] == ["Page"]
    assert structure.bindings_of("first") == structure.bindings_of("unbound")  # followed: none


def test_may_infer_follows_every_binding_of_a_name() -> None:
    from checks.context import MIGRATED_MODEL_BASES

    structure = _structure(
        """
        import httpx
        from pydantic import BaseModel

        class Event(BaseModel):
            kind: str

        class Plain:
            pass

        async def run(client: httpx.AsyncClient, event: Event, count: int, raw):
            response = await client.get("/")
            rebuilt = Event(kind="a")
            copied = rebuilt.model_copy()
            plain = Plain()
        """
    )

    def may_be_model(name: str) -> bool:
        return structure.may_infer(ast.Name(id=name, ctx=ast.Load()), MIGRATED_MODEL_BASES)

    assert all(may_be_model(name) for name in ("event", "rebuilt", "copied"))
    # an awaited call, a builtin annotation, no annotation, a local class not a model
    assert not any(may_be_model(name) for name in ("response", "count", "raw", "plain"))


def test_json_of_an_http_response_is_no_pydantic_serialization() -> None:
    code = """
        import httpx
        import requests
        from pydantic import BaseModel


        class Rate(BaseModel):
            value: float


        async def fetch(client: httpx.AsyncClient, url: str) -> dict:
            response = await client.get(url)
            rate = Rate.model_validate(response.json())
            return requests.get(url).json() | {"rate": rate.model_dump()}
        """
    source = textwrap.dedent(code).encode()
    structure = _structure(code)
    structure.project_packages = frozenset({"app"})  # as a run of a project knows them
    engine = Engine(ALL_RULES)
    active = engine.active_rules(Path("app/example.py"), source, None, structure=structure)
    assert "FG202" not in {r.code for r in active}
    # without them, `requests` may be a package of the project: its `get()` annotated
    # with a model, read by the index (`Inferred.call`)
    assert "FG202" in _screened(code)


def test_json_of_a_model_or_with_pydantic_keywords_keeps_fg202() -> None:
    model = """
        from pydantic import BaseModel


        class Rate(BaseModel):
            value: float


        def dump(data: dict) -> str:
            rate = Rate.model_validate(data)
            return rate.json()
        """
    assert "FG202" in _screened(model)
    keywords = """
        async def dump(client, url: str) -> str:
            payload = await client.get(url)
            return payload.json(by_alias=True)
        """
    assert "FG202" in _screened(keywords)
    method = """
        from pydantic import BaseModel


        class Rate(BaseModel):
            value: float

            def text(self) -> str:
                return self.json()
        """
    assert "FG202" in _screened(method)


def test_interpolated_sql_screen_follows_the_text_to_the_call() -> None:
    spared = """
        from sqlalchemy import select, text


        async def find(session, name: str):
            log.info(f"finding {name}")
            statement = select(User).where(User.name == name)
            await session.execute(text("SET LOCAL statement_timeout = 1000"))
            return await session.execute(statement)
        """
    assert "FG105" not in _screened(spared, "app/users/repository.py", "repository")


def test_interpolated_sql_screen_keeps_variables_and_helpers_building_sql() -> None:
    variable = """
        from sqlalchemy import text


        async def find(session, email: str):
            sql = f"SELECT id FROM users WHERE email = '{email}'"
            return await session.execute(text(sql))
        """
    assert "FG105" in _screened(variable, "app/users/repository.py", "repository")
    helper = """
        def _by_status(status: str) -> str:
            return "SELECT id FROM tasks WHERE status = " + status


        class Tasks:
            def _where(self, status):
                return "status = %s" % status

            async def tasks(self, session, status: str):
                await session.execute(self._where(status))
                return await session.execute(_by_status(status))
        """
    assert "FG105" in _screened(helper, "app/tasks/repository.py", "repository")
    assert "FG105" in _screened(
        helper.replace("await session.execute(_by_status(status))", "None"),
        "app/tasks/repository.py",
        "repository",
    )


def test_secret_screen_wants_a_secret_name_for_a_literal_in_a_call() -> None:
    # polar's sentry.py: a URL in a comment lets the words through; the environment read's
    # default is no secret's, nothing in the file is named like one
    code = """
        import os

        # See: https://docs.sentry.io/platforms/python/integrations/fastapi/#options
        release = os.environ.get("RELEASE_VERSION", "development")
        """
    rule = RULES_BY_CODE["FG502"]
    assert rule.may_fire_in(_structure(code)) is False
    named = [
        code.replace('"RELEASE_VERSION"', '"JWT_SECRET"'),  # the variable's name
        code.replace("release =", "jwt_secret ="),  # the target's
        code.replace('"RELEASE_VERSION"', '"JWT_\\x53ECRET"'),  # an escape spells it
        code.replace("release =", "config = dict(api_key="),
    ]
    named[3] = named[3].rstrip() + ")\n"
    for text in named:
        assert rule.may_fire_in(_structure(text)) is True, text
        assert "FG502" in _screened(text)
    for text in named[:3]:  # and the rule reports them (an environment read's fallback
        # on condition that no settings class of the service requires the variable)
        found = Engine([rule]).check(Path("app/example.py"), textwrap.dedent(text).encode())
        reported = [f.code for f in found.findings] + [f.code for f, _ in found.pending]
        assert reported == ["FG502"], text


def test_every_rule_screen_lets_its_bad_examples_through() -> None:
    for rule in ALL_RULES:
        for example in rule.bad:
            try:
                tree = ast.parse(example.code)
            except SyntaxError:
                continue  # newer syntax than this interpreter's: no structure, no screen
            layer = _layer(example.path)
            # an example in a project is a module named by its path (as `check_code` runs it)
            module = None
            if example.project:
                module = example.path.removesuffix(".py").replace("/", ".")
            structure = Structure(tree, module, False, layer, example.path)
            assert RULES_BY_CODE[rule.code].may_fire_in(structure), (rule.code, example.note)


def _layer(path: str) -> str | None:
    from checks.config import DEFAULT_LAYERS, LayerMatcher

    return LayerMatcher.from_globs(DEFAULT_LAYERS).layer_of(path)


_CLEAN_FILE_RUN = """
import sys
from pathlib import Path
from checks.engine import Engine
from checks.lazy import is_loaded
from checks.rules import ALL_RULES

source = sys.stdin.buffer.read()
result = Engine(ALL_RULES).check(
    Path("app/users/service.py"), source, "service", module_name="app.users.service"
)
# a finding in a module-level coroutine waits on whether it runs on a loop of its own
reported = [*result.findings, *(finding for finding, _ in result.pending)]
print(sum(finding.code == "FG301" for finding in reported), is_loaded())
"""


def _run_engine_alone(code: str) -> str:
    import subprocess
    import sys

    completed = subprocess.run(
        [sys.executable, "-c", _CLEAN_FILE_RUN],
        input=textwrap.dedent(code).encode(),
        capture_output=True,
        check=True,
        cwd=Path(__file__).resolve().parents[1],
    )
    return completed.stdout.decode().strip()


def test_a_file_no_rule_can_fire_on_is_checked_without_loading_libcst() -> None:
    clean = """
        from app.users.repository import UserRepository


        class UserService:
            def __init__(self, users: UserRepository) -> None:
                self.users = users

            async def rename(self, user_id: int, name: str) -> None:
                user = await self.users.get(user_id)
                user.name = name
        """
    assert _run_engine_alone(clean) == "0 False"


def test_a_file_with_a_finding_loads_libcst_for_it() -> None:
    sleepy = """
        import time


        async def rename() -> None:
            time.sleep(1)
        """
    assert _run_engine_alone(sleepy) == "1 True"


# ----------------------------------------------------------------- facts of #17
def test_calls_and_raises_know_the_definitions_around_them() -> None:
    from checks.structure import definitions_around

    structure = _structure(
        """
        @decorate()
        class UserService(Base, meta=make()):
            def rename(self, name=default()):
                check = lambda: inside_lambda()
                raise Conflict()
        """
    )
    around = {
        call.last: [getattr(d, "name", "lambda") for d in definitions_around(call.enclosing)]
        for call in structure.calls
    }
    # decorators, bases, keywords and defaults run outside the definition they belong to
    assert around == {
        "decorate": [],
        "make": [],
        "default": ["UserService"],
        "inside_lambda": ["lambda", "rename", "UserService"],
        "Conflict": ["rename", "UserService"],
    }
    [(raised, enclosing)] = structure.raise_sites
    assert ast.unparse(raised) == "Conflict()"
    assert [getattr(d, "name", None) for d in definitions_around(enclosing)] == [
        "rename",
        "UserService",
    ]


def test_names_outside_annotations_are_those_a_walk_meets_as_values() -> None:
    structure = _structure(
        """
        import app.db as database
        from app.models import Annotated, Item, User

        def read(user: User, item: "Item") -> list[Annotated]:
            count: Counter = tally(user)
            return response(model=Schema)
        """
    )
    names = structure.names_outside_annotations
    assert {"app", "database", "read", "user", "count", "tally", "response", "Schema"} <= names
    # annotations, the names a `from` import binds, keyword names
    assert names.isdisjoint({"User", "Item", "Annotated", "Counter", "model", "models"})


def test_a_name_resolves_only_to_an_import_nothing_else_binds() -> None:
    structure = _structure(
        """
        from fastapi import Request
        from starlette.requests import Request as StarletteRequest
        if TYPE_CHECKING:
            from fastapi import Depends

        def handler(request: Request, other: StarletteRequest): ...

        def shadowing():
            Depends = None
        """
    )
    requests = frozenset({"fastapi.Request", "starlette.requests.Request"})

    def resolves(name: str) -> bool:
        return structure.resolves_only_to(ast.Name(id=name, ctx=ast.Load()), requests)

    assert resolves("Request")
    assert resolves("StarletteRequest")
    assert not resolves("Depends")  # rebound in a function: the import may be shadowed
    assert not resolves("request")  # a parameter, no import


# ----------------------------------------------------------------- screens of #17
def _verdicts(code: str, rule: str, path: str, layer: str | None) -> tuple[bool, bool]:
    """(whether the rule's screen lets the file through, whether the rule, run without
    pre-filter, reports anything in it: a finding, or one pending on the project index).
    The words of the pre-filter must let the file through: the screen decides."""
    from checks.prefilter import Evidence

    source = textwrap.dedent(code).encode()
    checked = RULES_BY_CODE[rule]
    assert checked.may_fire(Evidence(source, Path(path), layer, "app.example"))
    admitted = checked.may_fire_in(_structure(code, path, layer))
    engine = Engine([checked], prefilter=False)
    result = engine.check(Path(path), source, layer, module_name="app.example")
    found = [*result.findings, *(finding for finding, _ in result.pending)]
    return admitted, any(finding.code == rule for finding in found)


def test_http_exception_screen_reads_the_layer_of_the_code_it_is_in() -> None:
    outside = """
        from fastapi import HTTPException


        class UserService:
            def rename(self, user, name: str) -> None:
                user.name = name


        def require(user) -> None:
            if user is None:
                raise HTTPException(status_code=404)
        """
    # a `*Service` class in a file of no layer: only its own code is the service layer
    assert _verdicts(outside, "FG401", "app/users/logic.py", None) == (False, False)
    inside = outside.replace("user.name = name", "raise HTTPException(status_code=409)")
    assert _verdicts(inside, "FG401", "app/users/logic.py", None) == (True, True)
    adapter = """
        from fastapi import HTTPException


        class HttpRepo:
            def get_one(self, item_id: int):
                raise HTTPException(status_code=404)
        """
    assert _verdicts(adapter, "FG401", "app/web/mixins.py", None) == (False, False)
    repository = adapter.replace("HttpRepo", "ItemRepo")
    assert _verdicts(repository, "FG401", "app/web/mixins.py", None) == (True, True)


def test_http_exception_screen_leaves_routes_and_dependencies_to_the_http_layer() -> None:
    http_layer = """
        from typing import Annotated

        from fastapi import HTTPException, Request

        from app.web import router


        @router.get("/health")
        async def health() -> None:
            raise HTTPException(status_code=503)


        async def client_host(request: Annotated[Request, "the caller"]) -> str:
            if request.client is None:
                raise HTTPException(status_code=403)
            return request.client.host


        def verify(request: Request) -> None:
            raise HTTPException(status_code=401)
        """
    service = ("app/users/service.py", "service")
    assert _verdicts(http_layer, "FG401", *service) == (False, False)
    load = "\n\ndef load(user_id: int):\n    raise HTTPException(404)\n"
    plain = textwrap.dedent(http_layer) + load
    assert _verdicts(plain, "FG401", *service) == (True, True)
    # `Request` rebound in the function: the walk reads no request type, no dependency
    shadowed = textwrap.dedent(http_layer).replace(
        "raise HTTPException(status_code=401)", "Request = None\n    raise HTTPException(401)"
    )
    assert _verdicts(shadowed, "FG401", *service) == (True, True)


def test_http_exception_screen_follows_raised_helpers_the_index_can_read() -> None:
    local = """
        class UserService:
            def _conflict(self):
                return ValueError("taken")

            def rename(self, user, name: str) -> None:
                if name == user.name:
                    raise self._conflict()
                raise _invalid(name)


        def _invalid(name: str) -> ValueError:
            return ValueError(name)
        """
    assert _verdicts(local, "FG401", "app/users/logic.py", None) == (False, False)
    imported = "from app import errors\n" + textwrap.dedent(local).replace(
        "raise _invalid(name)", "raise errors.invalid(name)"
    )
    assert _verdicts(imported, "FG401", "app/users/logic.py", None) == (True, True)


def test_data_access_screen_wants_a_model_used_as_a_value() -> None:
    annotations = """
        import fastapi

        from app.models import User
        from app.users.deps import current_user

        router = fastapi.APIRouter()


        @router.get("/me/name")
        async def my_name(user: User = fastapi.Depends(current_user)) -> str:
            name: User = user
            return name.email
        """
    routes = ("app/users/routes.py", "route")
    assert _verdicts(annotations, "FG402", *routes) == (False, False)
    value = annotations.replace("return name.email", "return User(email=name.email)")
    assert _verdicts(value, "FG402", *routes) == (True, True)
    # imported first in a function: the walk meets the import before binding it
    local = """
        import fastapi

        router = fastapi.APIRouter()


        @router.get("/users/count")
        async def count() -> int:
            from app.models import User

            return await User.count()
        """
    assert _verdicts(local, "FG402", *routes) == (False, False)
    module_level = "from app.models import User\n" + textwrap.dedent(local)
    assert _verdicts(module_level, "FG402", *routes) == (True, True)


def test_data_access_screen_wants_a_session_running_the_query() -> None:
    result = """
        import fastapi

        from app.users import service

        router = fastapi.APIRouter()


        @router.get("/users/ids")
        async def user_ids() -> list[int]:
            result = await service.list_users()
            return list(result.scalars())
        """
    routes = ("app/users/routes.py", "route")
    assert _verdicts(result, "FG402", *routes) == (False, False)
    session = """
        import fastapi

        from app.users import service

        router = fastapi.APIRouter()


        @router.get("/users/ids")
        async def user_ids(db_session=fastapi.Depends(service.get_db)) -> list[int]:
            return list((await db_session.execute(service.QUERY)).scalars())
        """
    assert _verdicts(session, "FG402", *routes) == (True, True)
    star = "from app.crud import *\n"  # `visit_ImportFrom` reads no star import
    assert _verdicts(star, "FG402", *routes) == (False, False)
    assert _verdicts("from app.crud import users\n", "FG402", *routes) == (True, True)


def test_route_model_screen_reads_an_import_a_later_local_class_hides() -> None:
    code = """
        from fastapi import APIRouter

        from app.models import User

        router = APIRouter()


        @router.get("/me")
        async def me() -> User: ...


        def fake_users() -> list[object]:
            class User:
                id = 1

            return [User()]
        """
    # the route is read before the class in the function exists: `User` is the import's
    routes = ("app/users/routes.py", "route")
    assert _verdicts(code, "FG404", *routes) == (True, True)
    # a class of the module: read before the walk, it is the `User` the route returns
    module_level = textwrap.dedent(code).split("\n\ndef fake_users")[0]
    module_level += "\n\nclass User:\n    id = 1\n"
    assert _verdicts(module_level, "FG404", *routes) == (False, False)


def _walked_facts(tree: ast.Module) -> tuple[object, ...]:
    """What FG102's and FG103's screens read, by walking the tree as they once did."""
    coroutines = [n for n in ast.walk(tree) if isinstance(n, ast.AsyncFunctionDef)]
    withs = {id(n) for f in coroutines for n in ast.walk(f) if isinstance(n, ast.With)}
    annotated = {id(n) for f in coroutines for n in ast.walk(f) if isinstance(n, ast.AnnAssign)}
    targets = {
        name.id
        for node in ast.walk(tree)
        if isinstance(node, ast.With | ast.AsyncWith)
        for item in node.items
        if item.optional_vars is not None
        for name in ast.walk(item.optional_vars)
        if isinstance(name, ast.Name)
    }
    stored = {
        node.attr
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute) and not isinstance(node.ctx, ast.Load)
    }
    has_async = any(
        isinstance(node, ast.AsyncFunctionDef | ast.AsyncFor | ast.AsyncWith)
        or (isinstance(node, ast.comprehension) and node.is_async)
        for node in ast.walk(tree)
    )
    dropped = {
        id(node.value.elt)
        for node in ast.walk(tree)
        if isinstance(node, ast.Expr)
        and isinstance(node.value, ast.ListComp | ast.SetComp)
        and isinstance(node.value.elt, ast.Call)
    }
    return withs, annotated, targets, stored, has_async, dropped


def test_the_collected_facts_are_what_a_walk_of_the_tree_finds() -> None:
    """The `with` statements and annotated assignments inside coroutines (at any depth),
    the names a `with` binds, the attributes stored and the calls of comprehensions that
    are whole statements, collected in the one pass, are
    those a walk of each tree finds: on the checker's code, its tests and the sample
    app (thousands of each)."""
    root = Path(__file__).resolve().parents[1]
    checked = 0
    for path in sorted(
        [
            *root.glob("checks/**/*.py"),
            *root.glob("tests/**/*.py"),
            *root.glob("sample_app/**/*.py"),
        ]
    ):
        tree = ast.parse(path.read_bytes())
        structure = Structure(tree)
        collected = (
            {id(n) for n in structure.withs_in_coroutines},
            {id(n) for n in structure.annotated_in_coroutines},
            structure.with_targets,
            structure.stored_attributes,
            structure.has_async,
            {id(n) for n in structure.dropped_comprehension_calls},
        )
        assert collected == _walked_facts(tree), path
        checked += 1
    assert checked > 150


def test_a_mapping_annotation_gives_the_session_screen_no_instance() -> None:
    """`annotation_type` reads the first element of `Optional[M]`, `list[M]`, `type[M]`
    and any of a `Union`, nothing of another subscript: a name annotated `dict[K, V]`
    holds no session, so its `.get(...)` does not send the file to libcst (polar's
    scripts and services: `latest_events: dict[str, Event]`); one annotated `Optional`
    of a session still does, and the rule agrees both ways."""
    mapping = """
        from sqlalchemy.ext.asyncio import AsyncSession

        from app.models import Event


        async def backfill(session: AsyncSession, ids: list[str]) -> None:
            latest: dict[str, Event] = {}
            await session.flush()
            for event_id in ids:
                current = latest.get(event_id)
        """
    routes = ("app/scripts/backfill.py", None)
    assert _verdicts(mapping, "FG103", *routes) == (False, False)
    optional = mapping.replace("dict[str, Event]", "Optional[AsyncSession]").replace(
        "from app.models import Event", "from typing import Optional"
    )
    assert _verdicts(optional, "FG103", *routes) == (True, True)
    union = mapping.replace("dict[str, Event]", "Union[AsyncSession, None]").replace(
        "from app.models import Event", "from typing import Union"
    )
    assert _verdicts(union, "FG103", *routes) == (True, True)


def _fires(code: str, rule: str, path: str = "app/example.py") -> bool:
    """Whether the rule reports in the file, run without screens."""
    from tests.helpers import check_code

    engine = Engine([RULES_BY_CODE[rule]], prefilter=False)
    return any(f.code == rule for f in check_code(textwrap.dedent(code), path, (), engine))


def test_fg109s_screen_asks_for_a_sync_driver_written_as_one_string() -> None:
    """gpustack's tests make `create_async_engine("sqlite+aiosqlite://")`: an async driver,
    no finding; the screen spared none of those files before it read the URL."""
    cases = {
        'create_async_engine("sqlite+aiosqlite://")': False,
        "create_async_engine(settings.DATABASE_URL)": False,
        'create_async_engine(f"postgresql://{host}/db")': False,
        'create_async_engine("postgresql://db/app", echo=True)': True,
        'create_async_engine(echo=True, url="mysql://db/app")': True,
        'create_async_engine(dsn="postgres://db/app")': True,  # the first argument as written
    }
    for call, fires in cases.items():
        code = f"from sqlalchemy.ext.asyncio import create_async_engine\nengine = {call}\n"
        assert ("FG109" in _screened(code)) is fires, call
        assert _fires(code, "FG109") is fires, call


def test_fg502s_screen_reads_a_wrapped_literal_where_a_name_holds_it() -> None:
    """gpustack's CLI modules pass `default=` to `parser.add_argument("--api-key", ...)` as
    statements, and polar reads `os.getenv("LOAD_TEST_..._THRESHOLD", "1000")`: no
    secret's name holds either literal, and the screen spares them. Held by a secret's
    name, or read from a secret's variable, it is read."""
    spared = """
        import argparse
        import os

        parser = argparse.ArgumentParser()
        parser.add_argument("--api-key", default="change-me-please-0042")
        parser.add_argument("--secret-file", type=str)
        THRESHOLD = int(os.getenv("LOAD_TEST_EVENT_INGEST_THRESHOLD", "1000"))
        api_key = getattr(request.state, "api_key", None)
        password = update_data.pop("password", None)
        """
    assert "FG502" not in _screened(spared)
    assert not _fires(spared, "FG502")
    for held in (
        'JWT_SECRET = os.getenv("JWT_SIGNING", "k3y-f0r-s1gn1ng-t0k3ns")',
        'signing = os.getenv("JWT_SECRET", "k3y-f0r-s1gn1ng-t0k3ns")',
        'signing = str(os.environ.get("JWT_SECRET", "k3y-f0r-s1gn1ng-t0k3ns"))',
        'config = {"jwt_secret": os.getenv("X") or os.getenv("Y", "k3y-f0r-s1gn1ng-t0k3ns")}',
        'config = {"jwt_secret": os.getenv("JWT_SECRET") or "k3y-f0r-s1gn1ng-t0k3ns"}',
    ):
        code = "import os\n" + held + "\n"
        assert "FG502" in _screened(code), held
        assert _fires(code, "FG502"), held


def test_fg106s_screen_asks_for_a_gather_whose_awaitables_may_share_a_name() -> None:
    """gpustack gathers coroutines made before the call (`asyncio.gather(*tasks)`) in 23
    files the screen let through: none can share a session there. Two calls that name the
    same first name, or a starred comprehension of calls, may."""
    head = (
        "import asyncio\nfrom sqlalchemy.ext.asyncio import AsyncSession\n\n\n"
        "async def f(session: AsyncSession, repo, tasks, ids) -> None:\n"
    )
    cases = {
        "await asyncio.gather(*tasks)": False,
        "await asyncio.gather(fetch(1), fetch(2))": False,
        "await asyncio.gather(count(session), page(session))": True,
        "await asyncio.gather(session.execute(a), session.execute(b))": True,
        "await asyncio.gather(*[load(session, i) for i in ids])": True,
        "await asyncio.gather(*(fetch(i) for i in ids))": True,  # a name it is given: `i`
    }
    for body, may in cases.items():
        code = head + "    " + body + "\n"
        assert ("FG106" in _screened(code)) is may, body
        if not may:
            assert not _fires(code, "FG106"), body
    assert _fires(head + "    await asyncio.gather(count(session), page(session))\n", "FG106")


def test_fg102_waits_for_the_index_on_an_attribute_the_file_never_binds() -> None:
    # polar's SDK services: `self.client` is held by a base class of another module,
    # which `instance_attributes` does not read: no held class can be found here
    unbound = """
        from app.base import AsyncServiceBase


        class Items(AsyncServiceBase):
            async def list(self):
                request = self.client.build_request("GET", "/items")
                return await self.client.send(request)
        """
    rule = RULES_BY_CODE["FG102"]
    assert rule.deferred_conditions(_structure(unbound)) is not None
    bound = unbound.replace(
        "class Items(AsyncServiceBase):\n",
        "class Items(AsyncServiceBase):\n"
        "            def __init__(self, client: Client) -> None:\n"
        "                self.client = client\n\n",
    )
    assert "self.client = client" in bound
    assert rule.deferred_conditions(_structure(bound)) is None
    annotated = unbound.replace(
        "class Items(AsyncServiceBase):\n",
        "class Items(AsyncServiceBase):\n            client: Client\n\n",
    )
    assert rule.deferred_conditions(_structure(annotated)) is None


def test_fg304_screen_reads_the_places_a_coroutine_is_dropped_or_read() -> None:
    gathered = """
        import asyncio


        async def fetch(n: int) -> int:
            return n


        async def both() -> list[int]:
            return await asyncio.gather(fetch(1), fetch(2))
        """
    # handed to `gather`, which awaits them: no place `_called` reads
    assert _verdicts(gathered, "FG304", "app/example.py", None) == (False, False)
    places = ("if fetch(1):\n                pass", "fetch(1)", "x = fetch(1)\n            x.y")
    for place in places:
        tested = gathered.replace("return await asyncio.gather(fetch(1), fetch(2))", place)
        assert _verdicts(tested, "FG304", "app/example.py", None) == (True, True), place


def test_fg103_screen_leaves_an_awaited_call_on_a_dependencys_session() -> None:
    awaited = """
        from fastapi import Depends
        from sqlalchemy import select
        from sqlalchemy.orm import Session

        from app.db import get_session


        async def save(session: Session = Depends(get_session)) -> None:
            await session.flush()
            await session.execute(select(1))
        """
    assert _verdicts(awaited, "FG103", "app/example.py", None) == (False, False)
    dropped = awaited.replace("await session.flush()", "session.flush()")
    assert _verdicts(dropped, "FG103", "app/example.py", None) == (True, True)

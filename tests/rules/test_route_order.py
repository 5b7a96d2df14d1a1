"""FG412: a route an earlier route of the same router answers every request of."""

from __future__ import annotations

import ast
import textwrap

import pytest

from checks.rules import RULES_BY_CODE
from checks.rules.route_order import answers_every
from checks.structure import Structure
from tests.helpers import check_code


@pytest.mark.parametrize(
    ("earlier", "later", "answers"),
    [
        ("/{user_id}", "/me", True),
        ("/users/{user_id}", "/users/me", True),
        ("/{user_id}", "/{name}", True),
        ("/{user_id:str}", "/{item_id:int}", True),
        ("/items", "/items", True),
        ("/{user_id}", "/", False),  # a parameter matches no empty segment
        ("/{user_id}", "/me/", False),  # nor a trailing slash's
        ("/{user_id}", "/me/posts", False),
        ("/{user_id:int}", "/me", False),  # digits only
        ("/{user_id:int}", "/42", True),
        ("/{user_id:int}", "/{other:int}", True),
        ("/{user_id:int}", "/{name}", False),
        ("/{file:path}", "/docs/readme.md", True),
        ("/static/{file:path}", "/static", False),
        ("/static/{file:path}", "/static/", True),
        ("/{user_id}", "/{file:path}", False),
        ("/me", "/{user_id}", False),
        ("/{user_id}", "/{slug:custom}", False),  # a project's convertor may match more
    ],
)
def test_a_path_answers_every_path_starlette_would_send_it(
    earlier: str, later: str, answers: bool
) -> None:
    assert answers_every(earlier, later) is answers


def test_a_fixed_path_after_a_parameter_of_the_same_router_is_never_reached() -> None:
    """dispatch's `GET /cases/minimal`, declared after `GET /cases/{case_id}` (an
    integer): every request answers 422. Another method, another router, an `int`
    parameter's other paths and a fixed path declared first are reached."""
    source = """
        from fastapi import APIRouter, FastAPI

        app = FastAPI()
        router = APIRouter()
        other = APIRouter()


        @router.get("/{case_id}")
        def get_case(case_id: int) -> dict[str, int]:
            return {"id": case_id}


        @router.get("/minimal")
        def get_cases_minimal() -> list[int]:
            return []


        @router.delete("/minimal")
        def delete_minimal() -> None:
            return None


        @other.get("/minimal")
        def other_minimal() -> list[int]:
            return []


        @router.api_route("/{case_id}", methods=["GET", "POST"])
        def both(case_id: int) -> None:
            return None


        @router.api_route("/{case_id}", methods=["post"])
        def post_case(case_id: int) -> None:
            return None


        @app.get("/health")
        @app.get("/health")
        def health() -> str:
            return "ok"
        """
    found = [(f.start.row, f.message) for f in check_code(source) if f.code == "FG412"]
    assert [row for row, _ in found] == [13, 33, 38]
    assert found[0][1] == (
        "Route `GET /minimal` is never reached: the earlier `get_case` (`/{case_id}`) "
        "matches every path it does, and Starlette answers with the first route that "
        "matches (a parameter's type is checked only then: 422, or the wrong handler); "
        "declare this route before that one"
    )
    assert found[1][1].startswith("Route `POST /{case_id}` is never reached: `both` is declared")
    assert "`health` is declared earlier" in found[2][1]


def test_routers_bound_twice_imported_or_in_tests_are_not_read() -> None:
    """A name bound to two routers holds the routes of each; a router of another module
    has routes this module does not see; tests declare routes of test apps."""
    rebound = """
        from fastapi import APIRouter

        router = APIRouter(prefix="/users")


        @router.get("/{user_id}")
        def get_user(user_id: int) -> None:
            return None


        router = APIRouter(prefix="/teams")


        @router.get("/me")
        def my_team() -> None:
            return None
        """
    assert [f for f in check_code(rebound) if f.code == "FG412"] == []
    rebound_if = rebound.replace(
        '        router = APIRouter(prefix="/teams")\n',
        '        if TEAMS:\n            router = APIRouter(prefix="/teams")\n',
    )
    assert "if TEAMS:" in rebound_if
    assert [f for f in check_code(rebound_if) if f.code == "FG412"] == []
    imported = """
        from app.api import router


        @router.get("/{user_id}")
        def get_user(user_id: int) -> None:
            return None


        @router.get("/me")
        def me() -> None:
            return None
        """
    assert [f for f in check_code(imported) if f.code == "FG412"] == []
    in_a_test = rebound.replace('router = APIRouter(prefix="/teams")\n', "")
    assert [f.code for f in check_code(in_a_test) if f.code == "FG412"] == ["FG412"]
    assert [f for f in check_code(in_a_test, "tests/test_users.py") if f.code == "FG412"] == []


def test_a_router_whose_routes_are_reordered_or_matched_by_its_own_class_is_not_read() -> None:
    """Reader 168: `router.routes.sort(...)` after the routes are declared puts the fixed
    paths first; a `route_class` may define its own `matches()`."""
    source = """
        from fastapi import APIRouter

        from app.routing import OrderedRoute

        router = APIRouter()
        ordered = APIRouter(route_class=OrderedRoute)


        @router.get("/{user_id}")
        def get_user(user_id: int) -> None:
            return None


        @router.get("/me")
        def me() -> None:
            return None


        @ordered.get("/{user_id}")
        def get_ordered(user_id: int) -> None:
            return None


        @ordered.get("/me")
        def ordered_me() -> None:
            return None
        """
    assert [f.start.row for f in check_code(source) if f.code == "FG412"] == [14]
    sorted_later = source + '\nrouter.routes.sort(key=lambda route: "{" in route.path)\n'
    assert [f for f in check_code(sorted_later) if f.code == "FG412"] == []


def test_the_screen_parses_only_a_module_with_a_shadowed_route() -> None:
    """FG412's screen reads the same routes from CPython's tree: a router module whose
    routes are in order is never parsed with libcst for it."""
    rule = RULES_BY_CODE["FG412"]
    for example, expected in [*((e, True) for e in rule.bad), *((e, False) for e in rule.good)]:
        source = textwrap.dedent(example.code)
        structure = Structure(ast.parse(source), "app.api.users", False, None, example.path)
        assert rule.may_fire_in(structure) is expected, example.code

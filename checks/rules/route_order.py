"""FG412: a route no request reaches, answered by an earlier route of the same router."""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator, Sequence
from typing import ClassVar, NamedTuple

from checks.context import FileContext, descendants, string_value
from checks.coroutines import module_bindings
from checks.lazy import lazy_pattern
from checks.lazy import libcst as cst
from checks.newer_syntax import parse
from checks.prefilter import Evidence
from checks.rule import Example, Rule
from checks.structure import Structure

#: What makes a router whose routes Starlette tries in the order they were added.
_ROUTERS = frozenset(
    {
        "fastapi.FastAPI",
        "fastapi.applications.FastAPI",
        "fastapi.APIRouter",
        "fastapi.routing.APIRouter",
    }
)
#: The route decorators of a router, each with the method it answers.
_DECORATORS = {
    "get": "GET",
    "post": "POST",
    "put": "PUT",
    "patch": "PATCH",
    "delete": "DELETE",
    "options": "OPTIONS",
}
#: A path parameter (`{user_id}`, `{path:path}`) as a whole segment.
_PARAMETER = lazy_pattern(r"\{([A-Za-z_][A-Za-z0-9_]*)(?::([A-Za-z_]+))?\}")
#: The convertors whose parameter is one segment (None: the default, `str`).
_ONE_SEGMENT = frozenset({None, "str", "int", "float", "uuid"})
#: What a segment must be for Starlette's convertors other than `str` and `path`.
_CONVERTED = {
    "int": lazy_pattern(r"[0-9]+"),
    "float": lazy_pattern(r"[0-9]+(\.[0-9]+)?"),
    "uuid": lazy_pattern(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"),
}


class _Route(NamedTuple):
    """A route a decorator adds: its router's name, methods, path, where it is and the
    function it runs."""

    router: str
    methods: frozenset[str]
    path: str
    node: object
    function: str


def answers_every(earlier: str, later: str) -> bool:
    """Whether every path that `later` matches, `earlier` matches too, as Starlette
    compiles them: a parameter matches any one non-empty segment (`str`, the default),
    the segments its convertor takes (`int`, `float`, `uuid`), or with `path` at the end,
    every further segment; any other segment only itself."""
    first, second = earlier.split("/"), later.split("/")
    tail = _PARAMETER.fullmatch(first[-1])
    if tail is not None and tail.group(2) == "path":
        head = first[:-1]
        return len(second) > len(head) and all(
            _segment_answers(a, b) for a, b in zip(head, second, strict=False)
        )
    return len(first) == len(second) and all(
        _segment_answers(a, b) for a, b in zip(first, second, strict=True)
    )


def _segment_answers(earlier: str, later: str) -> bool:
    parameter = _PARAMETER.fullmatch(earlier)
    if parameter is None:
        return earlier == later
    convertor = parameter.group(2)
    other = _PARAMETER.fullmatch(later)
    if convertor in (None, "str"):
        # any segment: a literal one, or a parameter of Starlette's one-segment convertors
        # (a project's own, `register_url_convertor`, may match more)
        return other.group(2) in _ONE_SEGMENT if other is not None else later != ""
    pattern = _CONVERTED.get(convertor)
    if pattern is None:
        return False  # `path` before the end, or a convertor of the project's own
    if other is not None:
        return other.group(2) == convertor
    return pattern.fullmatch(later) is not None


def shadowed(routes: Sequence[_Route]) -> Iterator[tuple[_Route, _Route]]:
    """Each route with the first earlier route of the same router that answers every
    request it would (a method of it, every path it matches)."""
    for position, route in enumerate(routes):
        for earlier in routes[:position]:
            if (
                earlier.router == route.router
                and route.methods <= earlier.methods
                and answers_every(earlier.path, route.path)
            ):
                yield route, earlier
                break


def _methods(name: str, keywords: Iterable[tuple[str | None, object]]) -> frozenset[str] | None:
    """The methods a route decorator answers: its own, or the literal `methods=` of an
    `api_route` (GET without one); None when they cannot be read."""
    if name in _DECORATORS:
        return frozenset({_DECORATORS[name]})
    if name != "api_route":
        return None
    for keyword, value in keywords:
        if keyword == "methods":
            return value if isinstance(value, frozenset) else None
    return frozenset({"GET"})


class RouteShadowed(Rule):
    """A route whose every request an earlier route of the same router answers."""

    code = "FG412"
    name = "route-shadowed"
    family = "API"
    default: ClassVar[bool] = True
    message = "Route never reached: an earlier route of this router answers every request to it"
    summary = (
        "Checks, in each module, the routes decorated on one router (`router = "
        "APIRouter()` or `app = FastAPI()`, bound once at module level; `@router.get`, "
        "`.post`, `.put`, `.patch`, `.delete`, `.options`, and `.api_route` with literal "
        "`methods`) in the order the decorators add them, for a route whose every request "
        "an earlier one answers: the same method, and a path the earlier one matches "
        "(each segment the same, or an earlier `{parameter}` where it has a segment or "
        "a parameter: `/users/me` after `/users/{user_id}`; a `{parameter:int}` only "
        "digits or another `int` parameter; a final `{parameter:path}` any further "
        "segments), the same path twice included. Routes of one function, a router "
        "imported from another module, one made with a `route_class` (its `matches()` "
        "may be the project's own) or whose `routes` the module touches "
        "(`router.routes.sort(...)`), a parameter of a project's own convertor, and "
        "paths that are not literal strings are not read.\n\n"
        "Where it applies: every layer but tests."
    )
    why = (
        "Starlette tries a router's routes in the order they were added and answers with "
        "the first whose path and method match; FastAPI reads a path parameter's type "
        "only then. `GET /users/me` declared after `GET /users/{user_id}` reaches "
        "`{user_id}`, and with `user_id: int` answers 422 (`me` is not an integer): the "
        "later route never runs, whatever its tests against another app show. FastAPI's "
        "documentation says to declare the fixed path first ('Order matters')."
    )
    bad = (
        Example(
            """
            from fastapi import APIRouter

            router = APIRouter(prefix="/users")


            @router.get("/{user_id}")
            async def read_user(user_id: int) -> dict[str, int]:
                return {"id": user_id}


            @router.get("/me")
            async def read_me() -> dict[str, str]:
                return {"id": "me"}
            """,
            path="app/api/users.py",
            note="GET /users/me answers 422: `me` is no integer (dispatch's `/cases/minimal`)",
        ),
    )
    good = (
        Example(
            """
            from fastapi import APIRouter

            router = APIRouter(prefix="/users")


            @router.get("/me")
            async def read_me() -> dict[str, str]:
                return {"id": "me"}


            @router.get("/{user_id}")
            async def read_user(user_id: int) -> dict[str, int]:
                return {"id": user_id}
            """,
            path="app/api/users.py",
        ),
        Example(
            """
            from fastapi import APIRouter

            router = APIRouter(prefix="/files")


            @router.get("/{file_id:int}")
            async def read_file(file_id: int) -> dict[str, int]:
                return {"id": file_id}


            @router.get("/recent")
            async def recent_files() -> list[int]:
                return []


            @router.delete("/recent")
            async def clear_recent() -> None:
                return None
            """,
            path="app/api/files.py",
            note="an `int` parameter matches digits only; another method is another route",
        ),
    )

    def may_fire(self, evidence: Evidence) -> bool:
        return evidence.has("FastAPI", "APIRouter")

    def may_fire_in(self, structure: Structure) -> bool:
        return structure.layer != "test" and any(
            True for _ in shadowed(_ast_routes(structure.tree))
        )

    def visit_Module(self, node: cst.Module, ctx: FileContext) -> None:
        if ctx.layer == "test":
            return
        routers = _module_routers(node, ctx)
        routes: list[_Route] = []
        for statement in node.body:
            if not isinstance(statement, cst.FunctionDef):
                continue
            # the decorator nearest the function runs first, adding its route first
            for decorator in reversed(statement.decorators):
                route = _cst_route(decorator.decorator, routers, statement.name.value)
                if route is not None:
                    routes.append(route)
        for route, earlier in shadowed(routes):
            assert isinstance(route.node, cst.CSTNode)
            methods = "/".join(sorted(route.methods))
            if route.path == earlier.path:
                reason = (
                    f"`{earlier.function}` is declared earlier for it on the same router; "
                    "remove one of the two, or give this one its own path or method"
                )
            else:
                reason = (
                    f"the earlier `{earlier.function}` (`{earlier.path}`) matches every path "
                    "it does, and Starlette answers with the first route that matches (a "
                    "parameter's type is checked only then: 422, or the wrong handler); "
                    "declare this route before that one"
                )
            ctx.report(route.node, f"Route `{methods} {route.path}` is never reached: {reason}")


def _module_routers(module: cst.Module, ctx: FileContext) -> frozenset[str]:
    """The names bound once in the module (`checks.coroutines.module_bindings`), by a
    module-level `FastAPI()` or `APIRouter()` made without a `route_class` (whose
    `matches()` may be the project's own), whose `routes` the module does not touch
    (`router.routes.sort(...)` puts fixed paths first: reader 168)."""
    tree = parse(ctx.source) if ctx.source is not None else None
    if tree is None:
        return frozenset()
    bound = module_bindings(tree)
    touched = {
        node.value.value
        for node in descendants(module)
        if isinstance(node, cst.Attribute)
        and node.attr.value == "routes"
        and isinstance(node.value, cst.Name)
    }
    routers: set[str] = set()
    for statement in module.body:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            if not isinstance(small, cst.Assign | cst.AnnAssign):
                continue
            value = small.value
            targets = small.targets if isinstance(small, cst.Assign) else [small]
            if not (
                isinstance(value, cst.Call)
                and ctx.qualified_name(value.func) in _ROUTERS
                and not any(
                    arg.keyword is not None and arg.keyword.value == "route_class"
                    for arg in value.args
                )
            ):
                continue
            routers.update(
                target.target.value
                for target in targets
                if isinstance(target.target, cst.Name)
                and bound[target.target.value] == 1
                and target.target.value not in touched
            )
    return frozenset(routers)


def _cst_route(
    decorator: cst.BaseExpression, routers: frozenset[str], function: str
) -> _Route | None:
    if not (
        isinstance(decorator, cst.Call)
        and isinstance(decorator.func, cst.Attribute)
        and isinstance(decorator.func.value, cst.Name)
        and decorator.func.value.value in routers
        and decorator.args
        and decorator.args[0].keyword is None
    ):
        return None
    path = string_value(decorator.args[0].value)
    keywords = [
        (arg.keyword.value if arg.keyword is not None else None, _cst_methods(arg.value))
        for arg in decorator.args[1:]
    ]
    methods = _methods(decorator.func.attr.value, keywords)
    if path is None or methods is None:
        return None
    return _Route(decorator.func.value.value, methods, path, decorator.args[0].value, function)


def _cst_methods(value: cst.BaseExpression) -> frozenset[str] | None:
    if not isinstance(value, cst.List | cst.Tuple | cst.Set):
        return None
    found = [string_value(element.value) for element in value.elements]
    return None if None in found else frozenset(str(m).upper() for m in found)


def _ast_routes(tree: ast.Module) -> list[_Route]:
    """`visit_Module`'s routes, read from CPython's tree, of any name (the screen)."""
    routes: list[_Route] = []
    for statement in tree.body:
        if not isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for decorator in reversed(statement.decorator_list):
            if not (
                isinstance(decorator, ast.Call)
                and isinstance(decorator.func, ast.Attribute)
                and isinstance(decorator.func.value, ast.Name)
                and decorator.args
                and isinstance(decorator.args[0], ast.Constant)
                and isinstance(decorator.args[0].value, str)
            ):
                continue
            keywords = [(k.arg, _ast_methods(k.value)) for k in decorator.keywords]
            methods = _methods(decorator.func.attr, keywords)
            if methods is not None:
                path = decorator.args[0].value
                name = decorator.func.value.id
                routes.append(_Route(name, methods, path, decorator, statement.name))
    return routes


def _ast_methods(value: ast.expr) -> frozenset[str] | None:
    if not isinstance(value, ast.List | ast.Tuple | ast.Set):
        return None
    found = [e.value if isinstance(e, ast.Constant) else None for e in value.elts]
    if any(not isinstance(m, str) for m in found):
        return None
    return frozenset(str(m).upper() for m in found)

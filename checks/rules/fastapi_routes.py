"""FG403-FG405, FG409: what a FastAPI route declares and returns, how it handles errors,
and the parameter keywords it passes."""

from __future__ import annotations

import ast
import itertools
from collections.abc import Iterable
from typing import cast

from checks.context import (
    ORM_MODEL_BASES,
    FileContext,
    FixSpec,
    block_raises,
    child_nodes,
    dotted_name,
    keyword_arg,
    returns_in,
    route_decorator,
)
from checks.lazy import VisitorBase, visitor
from checks.lazy import libcst as cst
from checks.prefilter import Evidence
from checks.project import CALL, NO_RETURN, ROUTER, Condition
from checks.project_facts import PARAMETER_REGEX_SELECTED
from checks.rule import Example, FixExample, Rule
from checks.structure import Structure, ast_route_decorator, keyword
from checks.summary import FASTAPI_APPS, FASTAPI_ROUTERS

BROAD_EXCEPTIONS = frozenset({"Exception", "BaseException", "builtins.Exception"})
#: How many helper functions deep FG403 follows `return helper(...)` to find a Response.
_HELPER_DEPTH = 3
#: Starlette's `Response` and its subclasses, as Starlette, FastAPI and sse-starlette
#: spell them: what a call of another module's function must return (its return
#: annotation's class, or a base of it) for FG403 to take it as a response.
RESPONSE_CLASSES = frozenset(
    {
        *(
            f"{module}.{name}"
            for module in ("starlette.responses", "fastapi.responses")
            for name in (
                "Response",
                "HTMLResponse",
                "PlainTextResponse",
                "JSONResponse",
                "RedirectResponse",
                "StreamingResponse",
                "FileResponse",
            )
        ),
        "fastapi.Response",
        "fastapi.responses.UJSONResponse",
        "fastapi.responses.ORJSONResponse",
        "starlette.templating._TemplateResponse",
        "sse_starlette.EventSourceResponse",
        "sse_starlette.sse.EventSourceResponse",
    }
)


def _annotation_classes(annotation: cst.BaseExpression, ctx: FileContext) -> list[str]:
    """The classes an annotation names: `User`, `list[User]`, `User | None`, `Page[User]`."""
    if isinstance(annotation, cst.Name | cst.Attribute):
        ref = ctx.class_ref(annotation)
        return [ref] if ref else []
    if isinstance(annotation, cst.BinaryOperation):
        return _annotation_classes(annotation.left, ctx) + _annotation_classes(
            annotation.right, ctx
        )
    if isinstance(annotation, cst.Subscript):
        found: list[str] = []
        for element in annotation.slice:
            if isinstance(element.slice, cst.Index):
                found += _annotation_classes(element.slice.value, ctx)
        return found
    return []


def _ast_annotation_names(annotation: ast.expr) -> list[ast.expr]:
    """`_annotation_classes`' names, on CPython's tree."""
    if isinstance(annotation, ast.Name | ast.Attribute):
        return [annotation]
    if isinstance(annotation, ast.BinOp):
        return _ast_annotation_names(annotation.left) + _ast_annotation_names(annotation.right)
    if isinstance(annotation, ast.Subscript):
        inner = annotation.slice
        elements = inner.elts if isinstance(inner, ast.Tuple) else [inner]
        return [name for element in elements for name in _ast_annotation_names(element)]
    return []


class RouteWithoutResponseModel(Rule):
    code = "FG403"
    name = "route-without-response-model"
    default = False
    family = "API"
    message = "Route without a response model: annotate its return type (or `response_model=`)"
    summary = (
        "Checks for FastAPI routes with neither a return annotation nor `response_model=`. "
        "Routes that set `response_class=`, return nothing, or return only Starlette "
        "responses are fine: a `*Response` class called in the `return` "
        "(`RedirectResponse(url)`, `templates.TemplateResponse(...)`), a variable only ever "
        "assigned one, or a call of a function of the module annotated `-> Response` (or "
        "a subclass), or that itself returns only responses, or of a function or method "
        "of another module of the project annotated with a class deriving from Starlette's "
        "`Response` (`-> RedirectResponse`, `form_helper.get_response()` annotated "
        "`-> _TemplateResponse`). Nor are routes whose every "
        'return is a constant (`"OK"`, `{"status": "ok"}`, a dict or list of '
        "literals: a health check, an acknowledgement), nor routes declared "
        "`include_in_schema=False` (a webhook, an internal endpoint), nor routes of an app "
        "that publishes no schema (`app = FastAPI(openapi_url=None)` in the same module) "
        "or of a router made `APIRouter(include_in_schema=False)` or included, wherever "
        "the project includes it (in its own module or another), only with "
        "`include_in_schema=False` or into such an app: there is no contract to "
        "document.\n\n"
        "Not enabled by default: on existing services, readers who did not write the rule "
        "judged about one finding in ten worth a change (a project's envelope "
        "`resp_200(data)`, a proxy passing on a library's result, an acknowledgement "
        "dict: declaring a model there is a design decision of the project, not a fix per "
        "route). A new service that declares every response model selects it "
        '(`extend-select = ["FG403"]`), as the sample app does; FG404 (a route returning '
        "ORM objects, which may leak their fields) stays on.\n\n"
        "Where it applies: route handlers outside the `tests` layer (an app a test builds "
        "to exercise middleware has no API contract to document) and the `tooling` layer "
        "(a demo's or an example's app is nobody's API)."
    )
    why = (
        "The response model is the API's contract: FastAPI validates and filters the "
        "response through it (a password hash on the ORM object never leaks), and the "
        "OpenAPI schema documents it. Without one, whatever the function returns is "
        "serialised as is."
    )
    bad = (
        Example(
            """
            from fastapi import APIRouter

            router = APIRouter()


            @router.get("/users/{user_id}")
            async def read_user(user_id: int):
                return {"id": user_id}
            """,
            path="app/users/router.py",
        ),
        Example(
            """
            from fastapi import APIRouter
            from fastapi.responses import JSONResponse

            router = APIRouter()


            def payload(user_id: int):
                return {"id": user_id}


            @router.get("/users/{user_id}")
            async def read_user(user_id: int):
                response = JSONResponse({"id": user_id})
                if user_id > 100:
                    response = {"id": user_id, "archived": True}
                    return response
                return payload(user_id) if user_id else response
            """,
            path="app/users/router.py",
            note="a variable also assigned a dict; a helper that returns a dict",
        ),
        Example(
            """
            from fastapi import APIRouter

            router = APIRouter()


            @router.get("/version")
            async def version():
                if not BUILD:
                    return {"version": "dev"}
                return {"version": BUILD, "commit": f"{COMMIT}"}
            """,
            path="app/meta/router.py",
            note="one return is not a constant",
        ),
        Example(
            """
            from fastapi import APIRouter

            from app.users.pages import profile_page

            router = APIRouter()


            @router.get("/profile")
            async def profile():
                return await profile_page()
            """,
            path="app/users/router.py",
            project=(
                (
                    "app/users/pages.py",
                    """
                    from pydantic import BaseModel


                    class ProfileResponse(BaseModel):
                        name: str


                    async def profile_page() -> ProfileResponse: ...
                    """,
                ),
                (
                    "app/main.py",
                    """
                    from fastapi import FastAPI

                    from app.users import router as users

                    app = FastAPI()
                    app.include_router(users.router)
                    app.include_router(users.router, prefix="/old", include_in_schema=False)
                    """,
                ),
            ),
            note=(
                "a helper of another module returns a Pydantic model (named `*Response`), "
                "and one module includes the router in the schema"
            ),
        ),
        Example(
            """
            from fastapi import APIRouter

            router = APIRouter()


            @router.put("/recipes")
            def update_many(slugs: list[str]):
                updated = []
                for slug in slugs:
                    updated.append(rename(slug))
                return updated
            """,
            path="app/recipes/router.py",
            note="a list filled before it is returned is not a constant",
        ),
    )
    good = (
        Example(
            """
            from fastapi import APIRouter
            from pydantic import BaseModel

            router = APIRouter()


            class UserRead(BaseModel):
                id: int


            @router.get("/users/{user_id}")
            async def read_user(user_id: int) -> UserRead:
                return UserRead(id=user_id)
            """,
            path="app/users/router.py",
        ),
        Example(
            """
            from fastapi import APIRouter
            from fastapi.responses import HTMLResponse

            router = APIRouter()

            @router.get("/", response_class=HTMLResponse)
            async def home():
                return "<h1>Hi</h1>"

            @router.get("/items", response_model=list[dict])
            async def items():
                return []
            """,
            path="app/pages/router.py",
            note="response_class and response_model",
        ),
        Example(
            """
            from fastapi import APIRouter
            from fastapi.responses import FileResponse

            router = APIRouter()

            @router.post("/tags", status_code=204)
            def tag(names: list[str]):
                for name in names:
                    service.tag(name)

            @router.get("/assets/{name}")
            async def asset(name: str):
                if not name:
                    return None
                return FileResponse(f"/srv/assets/{name}")
            """,
            path="app/assets/router.py",
            note="a route that returns nothing, and one that returns only a `Response`",
        ),
        Example(
            """
            from fastapi import APIRouter, Request
            from fastapi.responses import RedirectResponse, Response
            from fastapi.templating import Jinja2Templates

            router = APIRouter()
            templates = Jinja2Templates(directory="templates")


            def no_content() -> Response:
                return Response(status_code=204)


            def redirect_home():
                return RedirectResponse("/")


            @router.post("/login")
            async def login(request: Request):
                if request.query_params.get("next"):
                    response = RedirectResponse(request.query_params["next"], status_code=303)
                    response.set_cookie("session", "opaque")
                    return response
                return templates.TemplateResponse(request, "login.html", {})


            @router.post("/logout")
            async def logout(request: Request):
                if request.cookies:
                    return redirect_home()
                return no_content()
            """,
            path="app/pages/router.py",
            note=(
                "a response held in a variable, built through a call chain, and returned by "
                "helpers of the module (annotated, or returning only responses)"
            ),
        ),
        Example(
            """
            from fastapi import FastAPI

            from app.middleware import RequestIdMiddleware

            app = FastAPI()
            app.add_middleware(RequestIdMiddleware)


            @app.get("/echo")
            async def echo(value: str):
                return {"value": value}
            """,
            path="tests/test_request_id.py",
            note="an app a test builds: the tests layer",
        ),
        Example(
            """
            from fastapi import APIRouter, Request

            router = APIRouter()


            @router.get("/health")
            async def health():
                return {"status": "ok", "checks": []}


            @router.get("/alive")
            def alive():
                return "OK"


            @router.post("/slack/events", include_in_schema=False)
            async def slack_events(request: Request):
                return await relay(await request.body())
            """,
            path="app/health/router.py",
            note="constants returned, and a route kept out of the schema",
        ),
        Example(
            """
            from fastapi import APIRouter, FastAPI

            app = FastAPI(title="Admin dashboard", openapi_url=None)
            pages = APIRouter()
            forms = APIRouter()


            @app.get("/")
            async def index():
                return await render_index()


            @pages.get("/users")
            async def users():
                return await render_users()


            @forms.post("/login")
            async def login():
                return await handle_login()


            app.include_router(pages, prefix="/pages")
            app.include_router(forms, include_in_schema=False)
            """,
            path="app/dashboard/app.py",
            note=(
                "an app that publishes no schema (`openapi_url=None`), and the routers "
                "included in it or with `include_in_schema=False` (fief's dashboard)"
            ),
        ),
        Example(
            """
            from fastapi import APIRouter, Request

            from app.auth.forms import LoginForm

            router = APIRouter()


            @router.post("/login")
            async def login(request: Request):
                form = LoginForm(await request.form())
                return {"errors": form.errors}
            """,
            path="app/auth/router.py",
            project=(
                (
                    "app/main.py",
                    """
                    from fastapi import FastAPI

                    from app.auth.router import router as auth_router

                    app = FastAPI()
                    app.include_router(auth_router, include_in_schema=False)
                    """,
                ),
            ),
            note=(
                "a router another module includes only with `include_in_schema=False` "
                "(fief's auth pages)"
            ),
        ),
        Example(
            """
            from fastapi import APIRouter, Request

            from app.forms import FormHelper
            from app.pages import redirect_home

            router = APIRouter()


            @router.api_route("/profile", methods=["GET", "POST"])
            async def profile(request: Request):
                form_helper = FormHelper("profile.html", request=request)
                if await form_helper.is_submitted_and_valid():
                    return redirect_home(request)
                return await form_helper.get_response()
            """,
            path="app/users/router.py",
            project=(
                (
                    "app/forms.py",
                    """
                    from starlette.templating import _TemplateResponse


                    class FormHelper:
                        async def get_response(self) -> _TemplateResponse: ...
                    """,
                ),
                (
                    "app/pages.py",
                    """
                    from fastapi.responses import RedirectResponse


                    class HomeRedirect(RedirectResponse): ...


                    def redirect_home(request) -> HomeRedirect: ...
                    """,
                ),
            ),
            note=(
                "responses built by another module: a method annotated `-> _TemplateResponse` "
                "(fief's `FormHelper.get_response`), a function annotated with a subclass of "
                "`RedirectResponse`"
            ),
        ),
    )

    def may_fire(self, evidence: Evidence) -> bool:
        return evidence.has_package("fastapi")

    def may_fire_in(self, structure: Structure) -> bool:
        # `visit_FunctionDef`: a route with neither a return annotation nor a model
        return structure.layer not in ("test", "tooling") and any(
            function.returns is None
            and not keyword(decorator, "response_model")
            and not keyword(decorator, "response_class")
            for function in structure.routes
            if (decorator := ast_route_decorator(function)) is not None
        )

    def visit_FunctionDef(self, node: cst.FunctionDef, ctx: FileContext) -> None:
        if ctx.layer in ("test", "tooling"):
            return
        decorator = route_decorator(node, ctx)
        if decorator is None or node.returns is not None:
            return
        if keyword_arg(decorator, "response_model") or keyword_arg(decorator, "response_class"):
            return
        hidden = keyword_arg(decorator, "include_in_schema")
        if hidden is not None and dotted_name(hidden.value) == "False":
            return  # a webhook or an internal endpoint: no API contract to document
        receiver = decorator.func.value if isinstance(decorator.func, cst.Attribute) else None
        if receiver is not None and dotted_name(receiver) in _schemaless_receivers(ctx):
            return  # an app or router that publishes no OpenAPI schema
        calls = _response_calls(node, ctx, _HELPER_DEPTH, literals=True)
        if calls is not None and not calls:
            return  # returns nothing, only `Response` objects FastAPI sends as they are,
            # or constants (`{"status": "ok"}`): nothing a model would validate
        conditions = []
        if calls:  # what other modules' functions return, the project index knows
            conditions.append(
                Condition(tuple(sorted(calls)), RESPONSE_CLASSES, negated=True, subject=CALL)
            )
        router = _router_ref(receiver, ctx)
        if router is not None:  # a module that includes the router may hide it
            conditions.append(Condition((router,), frozenset(), negated=True, subject=ROUTER))
        if not conditions:
            ctx.report(node.name)
            return
        condition = conditions[-1]
        for earlier in reversed(conditions[:-1]):
            condition = earlier._replace(also=condition)
        ctx.report_if(node.name, condition)


def _router_ref(receiver: cst.BaseExpression | None, ctx: FileContext) -> str | None:
    """The qualified name of the router a route is declared on, as other modules include
    it (`app.users.router.router`; an imported one by its import), or None when no other
    module can name it (a file outside a package)."""
    if ctx.module_name is None or receiver is None:
        return None
    if isinstance(receiver, cst.Name) and receiver.value not in ctx.imports:
        made = _module_calls(ctx).get(receiver.value)
        if made is not None and made[0] in FASTAPI_APPS:
            return None  # an app: no module includes it (its routes are its schema's)
        return f"{ctx.module_name}.{receiver.value}"
    return _absolute(ctx.qualified_name(receiver))


def _module_calls(ctx: FileContext) -> dict[str, tuple[str | None, cst.Call]]:
    """The module-level names of this file bound to a call (`app = FastAPI(...)`): the
    qualified name of what is called (None: not imported), and the call. Once per file."""
    cached = ctx.stash("FG403-made")
    if cached:
        return cast(dict[str, tuple[str | None, cst.Call]], cached[0])
    made: dict[str, tuple[str | None, cst.Call]] = {}
    for statement in ctx.module.body:
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                if (
                    isinstance(small, cst.Assign)
                    and len(small.targets) == 1
                    and isinstance(small.targets[0].target, cst.Name)
                    and isinstance(small.value, cst.Call)
                ):
                    func = dotted_name(small.value.func) or ""
                    head, dot, rest = func.partition(".")
                    qualified = ctx.imports.get(head)
                    name = small.targets[0].target.value
                    made[name] = (f"{qualified}{dot}{rest}" if qualified else None, small.value)
    ctx.stash("FG403-made").append(made)
    return made


def _schemaless_receivers(ctx: FileContext) -> frozenset[str]:
    """The module-level apps and routers of this file whose routes publish no OpenAPI
    schema: `app = FastAPI(openapi_url=None)`, `router = APIRouter(include_in_schema=
    False)`, and a router this file includes with `include_in_schema=False` or into such
    an app (and nowhere else in it). Computed once per file."""
    cached = ctx.stash("FG403-schemaless")
    if cached:
        return cast(frozenset[str], cached[0])
    made = _module_calls(ctx)
    schemaless = {
        name
        for name, (qualified, call) in made.items()
        if (qualified in FASTAPI_APPS and _keyword_is(call, "openapi_url", "None"))
        or (qualified in FASTAPI_ROUTERS and _keyword_is(call, "include_in_schema", "False"))
    }
    includes: dict[str, list[bool]] = {}

    class Includes(cst.CSTVisitor):
        def visit_Call(self, node: cst.Call) -> None:
            func = node.func
            if not (isinstance(func, cst.Attribute) and func.attr.value == "include_router"):
                return
            first = node.args[0] if node.args else None
            if first is None or first.keyword is not None or not isinstance(first.value, cst.Name):
                return
            hidden = _keyword_is(node, "include_in_schema", "False") or (
                dotted_name(func.value) in schemaless
            )
            includes.setdefault(first.value.value, []).append(hidden)

    ctx.module.visit(Includes())
    for name, hidden in includes.items():
        if name in made and made[name][0] in FASTAPI_ROUTERS and all(hidden):
            schemaless.add(name)
    found = frozenset(schemaless)
    cached.append(found)
    return found


def _keyword_is(call: cst.Call, keyword: str, constant: str) -> bool:
    """Whether a call passes `keyword=constant` (`openapi_url=None`)."""
    given = keyword_arg(call, keyword)
    return given is not None and dotted_name(given.value) == constant


def _constant(value: cst.BaseExpression) -> bool:
    """A string literal, a number, `True`/`False`/`None`, or a dict, list or tuple of
    constants: `"OK"`, `{"status": "ok"}`, `{"keys": []}` (not an f-string)."""
    if isinstance(value, cst.SimpleString | cst.ConcatenatedString | cst.Integer | cst.Float):
        return True
    if isinstance(value, cst.Name):
        return value.value in {"True", "False", "None"}
    if isinstance(value, cst.UnaryOperation):
        return isinstance(value.expression, cst.Integer | cst.Float)
    if isinstance(value, cst.Dict):
        return all(
            isinstance(element, cst.DictElement)
            and _constant(element.key)
            and _constant(element.value)
            for element in value.elements
        )
    if isinstance(value, cst.List | cst.Tuple):
        return all(
            isinstance(element, cst.Element) and _constant(element.value)
            for element in value.elements
        )
    return False


def _names_a_response(expr: cst.BaseExpression | None, ctx: FileContext) -> bool:
    """`FileResponse`, `responses.JSONResponse`, `templates.TemplateResponse`: a name
    ending in `Response` (Starlette's classes and the subclasses projects write)."""
    if expr is None:
        return False
    name = ctx.qualified_name(expr) or dotted_name(expr) or ""
    return name.rpartition(".")[2].endswith("Response")


def _annotates_response(annotation: cst.BaseExpression, ctx: FileContext) -> bool:
    """`-> Response`, `-> RedirectResponse | None`, `-> Optional[StreamingResponse]`."""
    if isinstance(annotation, cst.BinaryOperation) and isinstance(annotation.operator, cst.BitOr):
        members = [annotation.left, annotation.right]
        known = [m for m in members if not (isinstance(m, cst.Name) and m.value == "None")]
        return bool(known) and all(_annotates_response(m, ctx) for m in known)
    if isinstance(annotation, cst.Subscript) and (dotted_name(annotation.value) or "").endswith(
        "Optional"
    ):
        element = annotation.slice[0].slice if annotation.slice else None
        return isinstance(element, cst.Index) and _annotates_response(element.value, ctx)
    return _names_a_response(annotation, ctx)


class _Assignments(VisitorBase):
    """The values assigned to each plain name in a function body, and the names annotated
    there (not in nested functions, lambdas or classes)."""

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, list[cst.BaseExpression]] = {}
        self.annotations: dict[str, cst.BaseExpression] = {}

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            if isinstance(target.target, cst.Name):
                self.values.setdefault(target.target.value, []).append(node.value)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if isinstance(node.target, cst.Name):
            self.annotations[node.target.value] = node.annotation.annotation
            if node.value is not None:
                self.values.setdefault(node.target.value, []).append(node.value)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        if isinstance(node.target, cst.Name):  # `x += ...`: no longer what it was
            self.values.setdefault(node.target.value, []).append(node.value)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        return False

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        return False


def _module_function(name: str, ctx: FileContext) -> cst.FunctionDef | None:
    """The module-level `def name` of this file (not an imported or rebound name)."""
    if name in ctx.imports:
        return None
    for statement in ctx.module.body:
        if isinstance(statement, cst.FunctionDef) and statement.name.value == name:
            return statement
    return None


def _response_calls(
    function: cst.FunctionDef,
    ctx: FileContext,
    depth: int,
    seen: frozenset[int] = frozenset(),
    *,
    literals: bool = False,
) -> frozenset[str] | None:
    """Whether every value `function` returns is a Starlette `Response`: built by a call of
    a `*Response` class (`RedirectResponse(url)`, `templates.TemplateResponse(...)`), held
    in a variable only ever assigned one (or annotated as one, or a parameter annotated as
    one), or returned by a function of this module annotated `-> Response` or that itself
    returns only responses. A function that returns nothing qualifies too; with
    `literals`, so do constants (`_constant`), returned or held in a variable.

    None when some value is not (or may not be) a response; else the calls of other
    modules whose results are returned (`pkg.pages.render`, `pkg.forms.FormHelper.
    get_response` on a `FormHelper(...)` variable, an imported class): every value is a
    response if each of those returns one (`ProjectIndex.returned_class`); empty: every
    value is one."""
    values = [
        r.value
        for r in returns_in(function.body)
        if r.value is not None and not (isinstance(r.value, cst.Name) and r.value.value == "None")
    ]
    if not values:
        return frozenset()
    assignments = visitor(_Assignments)()
    function.body.visit(assignments)
    variables: dict[str, frozenset[str]] = {}
    #: variables holding an instance of a class of another module, by its qualified name
    instances: dict[str, str] = {}
    params = function.params
    for param in [*params.posonly_params, *params.params, *params.kwonly_params]:
        if param.annotation is not None:
            if _annotates_response(param.annotation.annotation, ctx):
                variables[param.name.value] = frozenset()
            elif (imported := _imported_class(param.annotation.annotation, ctx)) is not None:
                instances[param.name.value] = imported
    for name, annotation in assignments.annotations.items():
        if _annotates_response(annotation, ctx):
            variables[name] = frozenset()
    for name, assigned in assignments.values.items():
        made = {_imported_class(v.func, ctx) if isinstance(v, cst.Call) else None for v in assigned}
        only = made.pop() if len(made) == 1 else None
        if only is not None and name not in instances:
            instances[name] = only
    seen = seen | {id(function)}

    def is_response(value: cst.BaseExpression, held: bool = False) -> frozenset[str] | None:
        if isinstance(value, cst.Await):
            return is_response(value.expression, held)
        if isinstance(value, cst.IfExp):
            return _both(is_response(value.body, held), is_response(value.orelse, held))
        if isinstance(value, cst.Name):
            return variables.get(value.value)
        if literals and _constant(value):
            # a list, dict or set a variable holds may be filled before it is returned
            held_container = held and isinstance(value, cst.List | cst.Dict | cst.Set)
            return None if held_container else frozenset()
        if not isinstance(value, cst.Call):
            return None
        func = value.func
        if _names_a_response(func, ctx):
            return frozenset()
        helper = _module_function(func.value, ctx) if isinstance(func, cst.Name) else None
        if helper is not None:
            if id(helper) in seen:
                return None
            if helper.returns is not None:
                annotation = helper.returns.annotation
                if _annotates_response(annotation, ctx):
                    return frozenset()
                imported = _imported_class(annotation, ctx)
                return frozenset({imported}) if imported is not None else None
            if depth <= 0:
                return None
            return _response_calls(helper, ctx, depth - 1, seen, literals=literals)
        called = _absolute(ctx.qualified_name(func))  # an imported function or class
        if called is None and isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name):
            owner = instances.get(func.value.value)  # a method of another module's class
            called = f"{owner}.{func.attr.value}" if owner is not None else None
        return frozenset({called}) if called is not None else None

    # a variable is a response when every value assigned to it is one (in any order)
    pending = {n: vs for n, vs in assignments.values.items() if n not in variables}
    changed = True
    while changed:
        changed = False
        for name, assigned in list(pending.items()):
            found = _all(is_response(v, held=True) for v in assigned)
            if found is not None:
                variables[name] = found
                del pending[name]
                changed = True
    return _all(is_response(value) for value in values)


def _both(first: frozenset[str] | None, second: frozenset[str] | None) -> frozenset[str] | None:
    """Both are responses: the calls each depends on (None: one is not)."""
    return None if first is None or second is None else first | second


def _all(found: Iterable[frozenset[str] | None]) -> frozenset[str] | None:
    """All are responses: the calls they depend on (None: one is not)."""
    calls: frozenset[str] = frozenset()
    for one in found:
        if one is None:
            return None
        calls |= one
    return calls


def _imported_class(expr: cst.BaseExpression, ctx: FileContext) -> str | None:
    """The qualified name of an imported class an expression names (`FormHelper`,
    `forms.FormHelper`, `FormHelper[LoginForm]`): what a call of it, or an annotation,
    makes; None for a class of this module or a name not imported."""
    if not isinstance(expr, cst.Name | cst.Attribute | cst.Subscript):
        return None
    ref = _absolute(ctx.class_ref(expr))
    return ref if ref is not None and ref not in ctx.classes and "." in ref else None


def _absolute(ref: str | None) -> str | None:
    """A qualified name the project index can look up: not one a module outside a
    package imports relatively (`.pages.render`)."""
    return None if ref is None or ref.startswith(".") else ref


class RouteReturnsOrmModel(Rule):
    code = "FG404"
    name = "route-returns-orm-model"
    family = "API"
    message = "Route returns an ORM model: return a Pydantic schema built from it"
    summary = (
        "Checks for FastAPI routes whose return annotation or `response_model=` is a "
        "SQLAlchemy ORM class (in the file or anywhere in the project). Where the model's "
        "import hides a class of the same name imported above (a schema), the message "
        "says so.\n\n"
        "Where it applies: route handlers outside the `tests` layer."
    )
    why = (
        "FastAPI cannot build a response schema from an ORM class (it fails at start-up), "
        "or, with `response_model=None` tricks, serialises every column, the password "
        "hash included; lazy relationships fail under async. Declare a schema "
        "(`UserRead` with `from_attributes=True`) and return it."
    )
    bad = (
        Example(
            """
            from fastapi import APIRouter
            from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

            router = APIRouter()


            class Base(DeclarativeBase):
                pass


            class User(Base):
                __tablename__ = "users"
                id: Mapped[int] = mapped_column(primary_key=True)


            @router.get("/users/{user_id}", response_model=User)
            async def read_user(user_id: int):
                return User(id=user_id)
            """,
            path="app/users/router.py",
        ),
        Example(
            """
            from fastapi import APIRouter
            from sqlalchemy.orm import declarative_base

            Base = declarative_base()
            router = APIRouter()

            class Team(Base):
                __tablename__ = "teams"

            @router.get("/teams")
            async def teams() -> list[Team]:
                return []
            """,
            path="app/teams/router.py",
            also=("FG108",),
        ),
    )
    good = (
        Example(
            """
            from fastapi import APIRouter
            from pydantic import BaseModel, ConfigDict

            router = APIRouter()


            class UserRead(BaseModel):
                model_config = ConfigDict(from_attributes=True)

                id: int


            @router.get("/users/{user_id}")
            async def read_user(user_id: int) -> UserRead:
                return UserRead(id=user_id)
            """,
            path="app/users/router.py",
        ),
    )

    def may_fire(self, evidence: Evidence) -> bool:
        return evidence.has_package("fastapi")

    def may_fire_in(self, structure: Structure) -> bool:
        # `visit_FunctionDef`: a route that declares what it returns, naming a class that
        # may be an ORM model (`_annotation_classes`, `ctx.is_orm_model`)
        if structure.layer == "test":
            return False
        for function in structure.routes:
            decorator = ast_route_decorator(function)
            model = keyword(decorator, "response_model") if decorator is not None else None
            declared = model.value if model is not None else function.returns
            if declared is not None and any(
                structure.may_derive(name, ORM_MODEL_BASES)
                for name in _ast_annotation_names(declared)
            ):
                return True
        return False

    def deferred_conditions(self, structure: Structure) -> tuple[Condition, ...] | None:
        # where the file settles no declared class to be an ORM model, every finding is
        # one `report_if` makes on the classes it imports (`ctx.derivation`): a response
        # schema of another module waits for the index, the file is not parsed for it
        refs: set[str] = set()
        for function in structure.routes:
            decorator = ast_route_decorator(function)
            model = keyword(decorator, "response_model") if decorator is not None else None
            declared = model.value if model is not None else function.returns
            if declared is None:
                continue
            for name in _ast_annotation_names(declared):
                if structure.may_derive(name, ORM_MODEL_BASES, conditions=False):
                    return None
                found = structure.derivation_refs(name)
                if found is None:
                    return None
                refs.update(found)
        return (Condition(tuple(sorted(refs)), ORM_MODEL_BASES),)

    def visit_FunctionDef(self, node: cst.FunctionDef, ctx: FileContext) -> None:
        if ctx.layer == "test":
            return
        decorator = route_decorator(node, ctx)
        if decorator is None:
            return
        response_model = keyword_arg(decorator, "response_model")
        declared = response_model.value if response_model is not None else None
        if declared is None and node.returns is not None:
            declared = node.returns.annotation
        if declared is None:
            return
        for ref in _annotation_classes(declared, ctx):
            derivation = ctx.is_orm_model(ref)
            if derivation is False:
                continue
            message = _hidden_schema_message(ref, ctx)  # (read only where it reports)
            if derivation is True:
                ctx.report(declared, message)
            else:
                ctx.report_if(declared, derivation, message)
            return


def _hidden_schema_message(ref: str | None, ctx: FileContext) -> str | None:
    """FG404's message where the model's import hides another class of the same name the
    module imported first (Maria-Shakhverdyan's `from app.schemas.loans import Loan`, then
    `from app.database.models.loans import Loan`: the route meant the schema, reader 99)."""
    if ref is None:
        return None
    bound: dict[str, list[str]] = {}
    for statement in ctx.module.body:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            if isinstance(small, cst.ImportFrom):
                for local, qualified in ctx.import_bindings(small):
                    bound.setdefault(local, []).append(qualified)
    for local, targets in bound.items():
        if targets[-1] != ref or len(set(targets)) < 2:
            continue
        hidden = next(target for target in targets if target != ref)
        return (
            f"Route returns an ORM model: `{local}` here is `{ref}`, whose import hides "
            f"`{hidden}` imported above under the same name: import one of them under "
            "another name"
        )
    return None


class BroadExceptInRoute(Rule):
    code = "FG405"
    name = "broad-except-in-route"
    #: opt-in, as ruff's blind-except (BLE001): five readers of real services judged 9 of
    #: 56 sampled findings worth a change (a route's broad `except` is mostly a fallback
    #: its authors chose)
    default = False
    family = "API"
    message = (
        "Broad `except Exception` in a route: let errors reach the exception handlers, or "
        "catch the specific error you can handle"
    )
    summary = (
        "Checks for `except Exception`, `except BaseException` and bare `except:` in a "
        "FastAPI route handler, unless the handler re-raises or logs the error with its "
        "traceback (`logger.exception()`, `exc_info=True`), or logs the failure and goes on "
        "with the route (a logger call, no `return` or `break` in the handler): a "
        "best-effort step that degrades on purpose. Nor is a per-item failure of a bulk "
        "operation flagged: a `try` inside a "
        "`for` loop of the route whose handler records the failure (uses the caught "
        "exception, or logs) and goes on with the next item (no `return` or `break`). Nor "
        "is a broad `except` on the error or cleanup path, in a `finally:` block or in "
        "another `except` handler (closing a client, a compensating step): there a second "
        "failure must not replace the first error or the response. Nor a handler that "
        "calls a function that always raises (every path ends in `raise`, or annotated "
        "`-> NoReturn`), of the module or of another (`raise_http_error(code, str(e))`, "
        "read by the project index): a re-raise; nor one whose every `return` is an "
        "instance of the route's declared model (`-> StatusMessage`, `response_model=`; "
        "not `dict` nor a `*Response`): the failure is part of the contract; nor one that "
        "returns a function of the module annotated `-> Response` called with the caught "
        "error (`return await render_failure(exc)`): the error is rendered on purpose; nor "
        "one that logs the failure and answers with the project's error answer: every "
        "`return` a call (`resp_500(message=...)`, `UploadError.return_resp()`, "
        "`JSONResponse(status_code=500, ...)`) that does not carry the exception's text "
        "(`str(e)`) to the client and is no exception object (`return HTTPException(...)` "
        "answers 200); nor one that goes on (no `return`) to a `raise` right after its "
        "`try` statement: reading a detail of the error raised next (`try: detail = "
        "resp.json() except Exception: pass` then `raise HTTPException(400, detail)`), "
        "whose failure must not replace that error.\n\n"
        "Where it applies: route handlers outside the `tests` and `tooling` layers."
    )
    why = (
        "A route that catches everything turns bugs (and the database being down) into "
        "whatever it guessed, usually a 400 or a 200 with an error message, and logs "
        "nothing. The app's exception handlers give every error its status and shape, and "
        "log the unexpected ones with their traceback."
    )
    bad = (
        Example(
            """
            from fastapi import APIRouter

            router = APIRouter()


            @router.post("/orders")
            async def place_order(order: dict) -> dict:
                try:
                    return {"id": 1}
                except Exception as error:
                    return {"error": str(error)}
            """,
            path="app/orders/router.py",
        ),
        Example(
            """
            from fastapi import APIRouter
            from fastapi.responses import JSONResponse

            router = APIRouter()


            def note_failure(error: Exception) -> None:
                if error.args:
                    raise error


            @router.post("/orders")
            async def place_order(order: dict) -> JSONResponse:
                try:
                    return JSONResponse({"id": await save(order)})
                except Exception as error:
                    return JSONResponse({"error": str(error)}, status_code=500)


            @router.post("/refunds")
            async def refund(order: dict) -> dict:
                try:
                    return await save(order)
                except Exception as error:
                    note_failure(error)
                    return dict(error=str(error))
            """,
            path="app/orders/router.py",
            expect=2,
            note=(
                "a `*Response` built from the error is not the declared model's answer; a "
                "helper with a path that does not raise"
            ),
        ),
        Example(
            """
            import logging

            from fastapi import APIRouter

            router = APIRouter()
            log = logging.getLogger(__name__)

            @router.post("/emails/test")
            async def send_test(address: str) -> dict:
                try:
                    await mailer.send(address)
                except Exception as error:
                    log.error(error)
                    return {"sent": False, "error": str(error)}
                return {"sent": True}
            """,
            path="app/emails/router.py",
            note="logs the message only: the traceback is lost",
        ),
        Example(
            """
            from fastapi import APIRouter

            router = APIRouter()

            @router.post("/users/bulk")
            async def import_users(rows: list[dict]) -> dict:
                created = 0
                for row in rows:
                    try:
                        await users.create(row)
                        created += 1
                    except Exception:
                        continue
                for row in rows:
                    try:
                        await users.notify(row)
                    except Exception as error:
                        return {"created": created, "error": str(error)}
                while created:
                    try:
                        created = await users.flush()
                    except Exception as error:
                        print(error)
                return {"created": created}
            """,
            path="app/users/router.py",
            expect=3,
            note=(
                "in a loop, but the failure is dropped silently, ends the whole request, or "
                "the loop is a `while` (a retry, not items)"
            ),
        ),
    )
    good = (
        Example(
            """
            from fastapi import APIRouter

            from app.orders.errors import OutOfStockError

            router = APIRouter()


            @router.post("/orders")
            async def place_order(order: dict) -> dict:
                try:
                    return {"id": 1}
                except OutOfStockError:
                    return {"id": None}
            """,
            path="app/orders/router.py",
        ),
        Example(
            """
            import logging

            from fastapi import APIRouter

            router = APIRouter()

            @router.get("/report")
            async def report() -> dict:
                try:
                    return {}
                except Exception:
                    logging.exception("report failed")
                    raise
            """,
            path="app/reports/router.py",
            note="logs and re-raises",
        ),
        Example(
            """
            import logging

            from fastapi import APIRouter

            router = APIRouter()
            log = logging.getLogger(__name__)

            @router.get("/orders/{order_id}")
            async def order_page(order_id: int) -> dict:
                invoice_url = None
                try:
                    invoice_url = await invoices.url_for(order_id)
                except Exception:
                    log.exception("invoice URL failed", extra={"order_id": order_id})
                return {"id": order_id, "invoice_url": invoice_url}
            """,
            path="app/orders/router.py",
            note="a best-effort step that logs the traceback and degrades on purpose",
        ),
        Example(
            """
            import logging

            from fastapi import APIRouter

            router = APIRouter()
            log = logging.getLogger(__name__)

            @router.post("/connectors/requests")
            async def request_connector(name: str) -> dict:
                try:
                    await mailer.notify_admins(name)
                except Exception as error:
                    # the request is recorded; the e-mail is a courtesy
                    log.error("could not e-mail the admins about %s: %s", name, error)
                return {"requested": name}
            """,
            path="app/connectors/router.py",
            note="a best-effort step that logs the failure and goes on with the route",
        ),
        Example(
            """
            import logging

            from fastapi import APIRouter

            router = APIRouter()
            log = logging.getLogger(__name__)

            @router.post("/users/bulk")
            async def import_users(rows: list[dict]) -> list[dict]:
                results = []
                for row in rows:
                    try:
                        results.append({"id": await users.create(row)})
                    except Exception as error:
                        results.append({"row": row, "error": str(error)})
                return results

            @router.post("/models/refresh")
            async def refresh(models: list[str]) -> list[str]:
                refreshed = []
                async for name in stream(models):
                    try:
                        refreshed.append(await registry.refresh(name))
                    except Exception:
                        log.warning("could not refresh %s", name)
                        continue
                return refreshed
            """,
            path="app/users/router.py",
            note="a bulk endpoint that reports (or logs) each item's failure and goes on",
        ),
        Example(
            """
            from fastapi import FastAPI

            app = FastAPI()


            @app.get("/boom")
            async def boom() -> dict:
                try:
                    raise RuntimeError("boom")
                except Exception as error:
                    return {"error": str(error)}
            """,
            path="tests/test_error_handlers.py",
            note="an app a test builds: the tests layer",
        ),
        Example(
            """
            import logging

            from fastapi import APIRouter

            router = APIRouter()
            log = logging.getLogger(__name__)

            @router.post("/servers/test")
            async def test_server(url: str) -> dict:
                client = await connect(url)
                try:
                    return {"tools": await client.list_tools()}
                except TimeoutError:
                    try:
                        await client.report_timeout()
                    except Exception:
                        log.warning("could not report the timeout")
                    raise
                finally:
                    try:
                        await client.close()
                    except Exception:
                        pass
            """,
            path="app/servers/router.py",
            note="cleanup in `finally:` and a compensating step in a handler",
        ),
        Example(
            """
            from typing import NoReturn

            from fastapi import APIRouter, HTTPException
            from fastapi.responses import JSONResponse, Response
            from pydantic import BaseModel

            router = APIRouter()


            class StatusMessage(BaseModel):
                status: str


            def raise_error(status: int, detail: str) -> None:
                raise HTTPException(status_code=status, detail=detail)


            def abort(detail: str) -> NoReturn:
                raise HTTPException(status_code=400, detail=detail)


            async def render_failure(error: Exception) -> Response:
                return JSONResponse({"code": type(error).__name__}, status_code=500)


            @router.get("/links/{key}")
            async def link(key: str) -> str:
                try:
                    return sign(key)
                except Exception as error:
                    raise_error(400, f"cannot sign: {error}")
                try:
                    return sign(key.lower())
                except Exception:
                    abort("cannot sign")
                return ""


            @router.get("/storage/status")
            def storage_status() -> StatusMessage:
                try:
                    check_storage()
                except Exception:
                    return StatusMessage(status="not configured")
                return StatusMessage(status="ok")


            @router.post("/invoke", response_class=JSONResponse)
            async def invoke(body: dict):
                try:
                    return await run(body)
                except Exception as error:
                    return await render_failure(error)
            """,
            path="app/storage/router.py",
            note=(
                "a helper that always raises, the declared model as the answer, the error "
                "rendered by a helper annotated `-> Response`"
            ),
        ),
    )

    def may_fire(self, evidence: Evidence) -> bool:
        return evidence.has_package("fastapi")

    def may_fire_in(self, structure: Structure) -> bool:
        # `visit_ExceptHandler`: an `except` in a route's body
        return structure.layer not in ("test", "tooling") and any(
            isinstance(node, ast.ExceptHandler)
            for function in structure.routes
            for statement in function.body
            for node in ast.walk(statement)
        )

    def visit_For(self, node: cst.For, ctx: FileContext) -> None:
        # the loops of the function the walk is in: a per-item `try` sits in one of them
        function = ctx.function
        ctx.stash(self.code).append(id(function.node) if function is not None else None)

    def leave_For(self, node: cst.For, ctx: FileContext) -> None:
        ctx.stash(self.code).pop()

    def visit_IndentedBlock(self, node: cst.IndentedBlock, ctx: FileContext) -> None:
        # a `try` followed in its block by a `raise`: it builds an error that is raised
        # whatever the handler does (`try: detail = resp.json() except Exception: pass`
        # then `raise HTTPException(...)`)
        statements = node.body
        for statement, following in itertools.pairwise(statements):
            if isinstance(statement, cst.Try) and _raises(following):
                ctx.marks(f"{self.code}-raised").update(id(h) for h in statement.handlers)

    def visit_Finally(self, node: cst.Finally, ctx: FileContext) -> None:
        self._enter_recovery(ctx)

    def leave_Finally(self, node: cst.Finally, ctx: FileContext) -> None:
        ctx.stash(f"{self.code}-recovery").pop()

    def leave_ExceptHandler(self, node: cst.ExceptHandler, ctx: FileContext) -> None:
        ctx.stash(f"{self.code}-recovery").pop()

    def _enter_recovery(self, ctx: FileContext) -> None:
        # the error and cleanup paths of the function the walk is in
        function = ctx.function
        ctx.stash(f"{self.code}-recovery").append(id(function.node) if function else None)

    def visit_ExceptHandler(self, node: cst.ExceptHandler, ctx: FileContext) -> None:
        function = ctx.function
        recovering = function is not None and id(function.node) in ctx.stash(
            f"{self.code}-recovery"
        )
        self._enter_recovery(ctx)
        if (
            function is None
            or not function.is_route
            or ctx.layer in ("test", "tooling")
            or recovering
        ):
            return  # on the error or cleanup path, a second failure must not replace the first
        caught = node.type
        names = [caught] if caught is not None else []
        if isinstance(caught, cst.Tuple):
            names = [element.value for element in caught.elements]
        broad = caught is None or any(dotted_name(n) in BROAD_EXCEPTIONS for n in names)
        if not broad or _reraises(node, ctx) or _logs_traceback(node):
            return
        if _answers_on_purpose(node, function.node, ctx):
            return  # the failure is the route's declared answer, or rendered by a helper
        in_loop = id(function.node) in ctx.stash(self.code)
        handler = _read_handler(node)
        if in_loop and handler.records and not handler.leaves_loop:
            return  # one item of a bulk operation failed: recorded, the others go on
        if handler.logs and not handler.leaves_loop:
            return  # a best-effort step: the failure is logged, the route goes on
        if handler.logs and _answers_with_an_error(node, handler.caught):
            return  # logged, and answered with the project's error answer
        if not handler.leaves_loop and id(node) in ctx.marks(f"{self.code}-raised"):
            return  # a detail of an error raised next: its failure must not replace it
        raisers = _imported_raisers(node, ctx)
        if raisers:  # reported unless one of them never returns (a re-raise)
            condition: Condition | None = None
            for ref in reversed(raisers):  # each one returns: all must hold
                condition = Condition(
                    (ref,), _NEVER_RETURNS, negated=True, subject=CALL, exact=True, also=condition
                )
            assert condition is not None
            ctx.report_if(node, condition)
            return
        ctx.report(node)


def _raises(statement: cst.BaseStatement) -> bool:
    """A `raise` statement (or a line holding one)."""
    return isinstance(statement, cst.SimpleStatementLine) and any(
        isinstance(small, cst.Raise) for small in statement.body
    )


def _answers_with_an_error(handler: cst.ExceptHandler, caught: str | None) -> bool:
    """Whether every `return` of the handler gives a call that builds the project's error
    answer (`resp_500(message="...")`, `FileUploadError.return_resp()`, `JSONResponse(
    status_code=500, ...)`) that does not carry the exception's text to the client, and
    is no exception object (`return HTTPException(...)` answers 200 with it)."""
    values = [r.value for r in returns_in(handler.body)]
    if not values:
        return False
    for value in values:
        if isinstance(value, cst.Await):
            value = value.expression
        if not isinstance(value, cst.Call):
            return False
        func = value.func
        if isinstance(func, cst.Name) and func.value.endswith(("Exception", "Error")):
            return False
        if caught is not None and any(
            isinstance(n, cst.Name) and n.value == caught for n in _names_in(value)
        ):
            return False  # `str(e)`, `f"{e}"`: the exception's text reaches the client
    return True


def _names_in(node: cst.CSTNode) -> Iterable[cst.CSTNode]:
    stack: list[cst.CSTNode] = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(child_nodes(current))


class _TracebackLog(VisitorBase):
    """Finds `log.exception(...)` or a `log.<level>(..., exc_info=<not False>)` call."""

    def __init__(self) -> None:
        super().__init__()
        self.found = False

    def visit_Call(self, node: cst.Call) -> bool:
        if isinstance(node.func, cst.Attribute) and node.func.attr.value == "exception":
            self.found = True
        exc_info = keyword_arg(node, "exc_info")
        if exc_info is not None and dotted_name(exc_info.value) not in {"False", "None"}:
            self.found = True
        return not self.found

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False


#: Logger methods: a handler that calls one records the failure.
_LOG_METHODS = frozenset(
    {"debug", "info", "warning", "warn", "error", "exception", "critical", "log"}
)


class _PerItemHandler(VisitorBase):
    """Whether an except handler leaves the loop (`return`, `break`) and whether it
    records the failure (uses the caught exception's name, or calls a logger method)."""

    def __init__(self, caught: str | None) -> None:
        super().__init__()
        self.caught = caught
        self.leaves_loop = False
        self.records = False
        self.logs = False

    def visit_Return(self, node: cst.Return) -> None:
        self.leaves_loop = True

    def visit_Break(self, node: cst.Break) -> None:
        self.leaves_loop = True

    def visit_Name(self, node: cst.Name) -> None:
        if self.caught is not None and node.value == self.caught:
            self.records = True

    def visit_Call(self, node: cst.Call) -> None:
        if isinstance(node.func, cst.Attribute) and node.func.attr.value in _LOG_METHODS:
            self.records = self.logs = True

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        return False


def _read_handler(handler: cst.ExceptHandler) -> _PerItemHandler:
    """Whether the handler records the failure (uses the caught exception, or logs),
    logs it, and leaves (`return`, `break`) instead of going on."""
    caught = None
    if handler.name is not None and isinstance(handler.name.name, cst.Name):
        caught = handler.name.name.value
    finder = visitor(_PerItemHandler)(caught)
    handler.body.visit(finder)
    return finder


def _logs_traceback(handler: cst.ExceptHandler) -> bool:
    finder = visitor(_TracebackLog)()
    handler.body.visit(finder)
    return finder.found


_NO_RETURN = frozenset(
    f"{module}.{name}"
    for module in ("typing", "typing_extensions")
    for name in ("NoReturn", "Never")
)


#: What the index records for a function that never returns (`checks.project.NO_RETURN`)
_NEVER_RETURNS = frozenset(
    {NO_RETURN, "typing.Never", "typing_extensions.NoReturn", "typing_extensions.Never"}
)


def _imported_raisers(handler: cst.ExceptHandler, ctx: FileContext) -> tuple[str, ...]:
    """The functions of other modules the handler's body calls as a statement
    (`raise_http_error(ErrorCode.X, str(e))`): a call of one that never returns
    (`checks.project.NO_RETURN`, read by the index) re-raises."""
    body = handler.body.body if isinstance(handler.body, cst.IndentedBlock) else []
    found: list[str] = []
    for statement in body:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            call = small.value if isinstance(small, cst.Expr) else None
            if isinstance(call, cst.Await):
                call = call.expression
            if isinstance(call, cst.Call):
                ref = ctx.qualified_name(call.func)
                if ref is not None and "." in ref and not ref.startswith("."):
                    found.append(ref)
    return tuple(found)


def _reraises(handler: cst.ExceptHandler, ctx: FileContext) -> bool:
    """A `raise` in the handler's body, or a call of a function of the module that always
    raises (`raise_error(400, str(e))`)."""
    body = handler.body.body if isinstance(handler.body, cst.IndentedBlock) else []
    for statement in body:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            if isinstance(small, cst.Raise):
                return True
            call = small.value if isinstance(small, cst.Expr) else None
            if isinstance(call, cst.Await):
                call = call.expression
            if isinstance(call, cst.Call) and isinstance(call.func, cst.Name):
                helper = _module_function(call.func.value, ctx)
                if helper is not None and _always_raises(helper, ctx):
                    return True
    return False


def _always_raises(function: cst.FunctionDef, ctx: FileContext) -> bool:
    """Annotated `-> NoReturn` / `-> Never`, or every path of its body ends in `raise`."""
    if (
        function.returns is not None
        and ctx.qualified_name(function.returns.annotation) in _NO_RETURN
    ):
        return True
    return not returns_in(function.body) and block_raises(function.body)


#: Modules whose response classes are no model of the route's contract.
_FRAMEWORK_MODULES = ("starlette.", "fastapi.")


def _answers_on_purpose(
    handler: cst.ExceptHandler, route: cst.FunctionDef | cst.Lambda, ctx: FileContext
) -> bool:
    """Whether every `return` of the handler (one at least) answers with an instance of
    the route's declared model (`return StatusMessage(status="not_configured")`: the
    failure is part of the contract), or renders the caught error through a function of
    the module annotated `-> Response` (`return await render_failure(exc)`)."""
    if not isinstance(route, cst.FunctionDef):
        return False
    values = [r.value for r in returns_in(handler.body)]
    if not values or any(value is None for value in values):
        return False
    annotations: list[cst.BaseExpression] = []
    if route.returns is not None:
        annotations.append(route.returns.annotation)
    decorator = route_decorator(route, ctx)
    model = keyword_arg(decorator, "response_model") if decorator is not None else None
    if model is not None:
        annotations.append(model.value)
    # a class of the project's: not `dict`, nor Starlette's `JSONResponse` built from the
    # error (a project's model named `IntegrationResponse` is the route's contract)
    declared = {
        name
        for annotation in annotations
        if (name := dotted_name(annotation)) is not None
        and name.rpartition(".")[2][:1].isupper()
        and not (ctx.qualified_name(annotation) or "").startswith(_FRAMEWORK_MODULES)
    }
    caught = (
        handler.name.name.value
        if handler.name is not None and isinstance(handler.name.name, cst.Name)
        else None
    )

    def answers(value: cst.BaseExpression | None) -> bool:
        if isinstance(value, cst.Await):
            value = value.expression
        if not isinstance(value, cst.Call):
            return False
        if dotted_name(value.func) in declared:
            return True
        helper = (
            _module_function(value.func.value, ctx) if isinstance(value.func, cst.Name) else None
        )
        return (
            helper is not None
            and helper.returns is not None
            and _annotates_response(helper.returns.annotation, ctx)
            and caught is not None
            and any(
                isinstance(arg.value, cst.Name) and arg.value.value == caught for arg in value.args
            )
        )

    return all(answers(value) for value in values)


#: FastAPI's parameter functions (and the classes behind them), which take Pydantic's
#: field keywords.
FASTAPI_PARAMETERS = frozenset(
    f"{module}.{name}"
    for module in ("fastapi", "fastapi.params", "fastapi.param_functions")
    for name in ("Query", "Path", "Body", "Form", "File", "Header", "Cookie")
)
#: Pydantic v1 keyword -> its FastAPI 0.100+ (Pydantic v2) name.
V1_PARAMETER_KEYWORDS = {"regex": "pattern", "min_items": "min_length", "max_items": "max_length"}


#: `regex=` is reported in new code or when FG409 is named (`PARAMETER_REGEX_SELECTED`).
_REGEX_SELECTED = Condition((), frozenset(), fact=PARAMETER_REGEX_SELECTED)


class FastapiParameterV1Keyword(Rule):
    code = "FG409"
    name = "fastapi-parameter-v1-keyword"
    family = "API"
    message = "FastAPI parameter with a Pydantic v1 keyword"
    summary = (
        "Checks for FastAPI's `Query()`, `Path()`, `Body()`, `Form()`, `File()`, `Header()` "
        "and `Cookie()` called with the Pydantic v1 keywords `regex=`, `min_items=` or "
        "`max_items=` (FastAPI 0.100+ names them `pattern=`, `min_length=`, "
        "`max_length=`). `Field()` keywords are FG209's.\n\n"
        "`regex=`, which FastAPI still applies (as `pattern=`, with a deprecation warning), "
        "is reported by the edit hook in new code and when the selection names FG409: in "
        "existing code it is an inventory, as the other forms that still work; "
        "`min_items=` and `max_items=`, which FastAPI ignores or refuses, always.\n\n"
        "Where it applies: every layer, tests included (the call fails or warns there too)."
    )
    why = (
        "FastAPI 0.100 moved to Pydantic 2 and renamed these keywords. `regex=` still works "
        "with a deprecation warning; `min_items=` and `max_items=` are no longer applied "
        "(the list is not checked), and recent FastAPI versions reject them: "
        "`Body(max_items=2)` raises `TypeError` when the module is imported. In a project "
        "that targets Pydantic 1 (FastAPI before 0.100, which knows only the old names) the "
        "finding speaks of the migration and offers no fix."
    )
    fix = (
        "Safe fix for `regex=` to `pattern=`, which is what FastAPI 0.100+ does with "
        "`regex=` itself. Unsafe fix for `min_items=` to `min_length=` and `max_items=` to "
        "`max_length=`: FastAPI ignores the old keywords, so the rename turns a limit on "
        "that is not checked today (a request it accepted becomes a 422). Not offered when "
        "the call already passes the new keyword, nor in a project that targets Pydantic 1."
    )
    bad = (
        Example(
            """
            from typing import Annotated

            from fastapi import APIRouter, Query

            router = APIRouter()


            @router.get("/items")
            async def list_items(
                sort: Annotated[str, Query(regex=r"^-?(created_at|title)$")] = "created_at",
            ) -> list[str]:
                return [sort]
            """,
            path="app/items/router.py",
        ),
        Example(
            """
            from fastapi import Body, Form, Path, params

            def tag(
                slug: str = Path(..., regex="^[a-z-]+$"),
                names: list[str] = Body(..., min_items=1, max_items=20),
                code: str = Form(regex="^[0-9]{6}$"),
                ids: list[int] = params.Query(None, max_items=5),
            ) -> None:
                return None
            """,
            expect=5,
            note="`Path`, `Body`, `Form`, and the `fastapi.params` classes",
        ),
    )
    good = (
        Example(
            """
            from typing import Annotated

            from fastapi import APIRouter, Query

            router = APIRouter()


            @router.get("/items")
            async def list_items(
                sort: Annotated[str, Query(pattern=r"^-?(created_at|title)$")] = "created_at",
            ) -> list[str]:
                return [sort]
            """,
            path="app/items/router.py",
        ),
        Example(
            """
            from pydantic import Field

            from app.search import Query

            def search(regex: str):
                return Query(regex=regex), Field(min_length=1)
            """,
            note="a project's own `Query` class",
        ),
    )
    fixes = (
        FixExample(
            """
            from fastapi import Body, Query


            def tag(
                q: str = Query(None, regex="^[a-z]+$"),
                names: list[str] = Body(..., min_items=1, max_items=20),
            ) -> None:
                return None
            """,
            """
            from fastapi import Body, Query


            def tag(
                q: str = Query(None, pattern="^[a-z]+$"),
                names: list[str] = Body(..., min_length=1, max_length=20),
            ) -> None:
                return None
            """,
            unsafe=True,
            note="`regex=` is a safe rename; `min_items=`/`max_items=` turn a limit on",
        ),
    )

    def may_fire(self, evidence: Evidence) -> bool:
        return evidence.has_package("fastapi") and evidence.has(*V1_PARAMETER_KEYWORDS)

    def visit_Call(self, node: cst.Call, ctx: FileContext) -> None:
        function = ctx.qualified_name(node.func)
        if function not in FASTAPI_PARAMETERS:
            return
        given = {arg.keyword.value for arg in node.args if arg.keyword is not None}
        call = function.rpartition(".")[2]
        for arg in node.args:
            keyword = arg.keyword
            if keyword is None or keyword.value not in V1_PARAMETER_KEYWORDS:
                continue
            new = V1_PARAMETER_KEYWORDS[keyword.value]
            message, fix = self._finding(call, keyword, new, given, ctx)
            if keyword.value == "regex":
                # still applied (as `pattern=`): new code's, or named
                ctx.report_if(arg, _REGEX_SELECTED, message, fix=fix)
            else:
                ctx.report(arg, message, fix=fix)

    @staticmethod
    def _finding(
        call: str, keyword: cst.Name, new: str, given: set[str], ctx: FileContext
    ) -> tuple[str, FixSpec | None]:
        old = keyword.value
        if ctx.pydantic_target == 1:
            return (
                f"`{call}({old}=...)` is a Pydantic v1 keyword, renamed in FastAPI 0.100+ "
                f"(Pydantic 2): when migrating, use `{new}=`",
                None,
            )
        if old == "regex":
            effect = "deprecated since FastAPI 0.100"
        else:
            effect = "no longer applied by FastAPI 0.100+, and a TypeError in recent versions"
        message = f"`{call}({old}=...)` is {effect}: use `{new}=`"
        fix = None if new in given else FixSpec(f"Rename `{old}=` to `{new}=`", ((keyword, new),))
        if fix is not None and old != "regex":
            # FastAPI 0.100+ ignores `min_items=`/`max_items=`: the new name turns the check
            # on (a list it accepted becomes a 422), which changes what the route does
            fix = fix._replace(
                applicability="unsafe",
                message=f"{fix.message} (unsafe: the limit, ignored today, takes effect)",
            )
        return message, fix

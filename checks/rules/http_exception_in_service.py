"""FG401: `HTTPException` raised or built in the service or repository layer."""

from __future__ import annotations

import ast
import re

from checks.context import (
    FileContext,
    FixSpec,
    Lines,
    code_of,
    conjoin,
    descendants,
    fastapi_parameter,
    http_adapter_name,
    keyword_arg,
    returns_in,
    route_decorator,
)
from checks.context import dotted_name as cst_dotted_name
from checks.lazy import lazy_pattern
from checks.lazy import libcst as cst
from checks.prefilter import Evidence
from checks.project import CALL, INSTANCE, Condition
from checks.project_facts import HELPER_OUTSIDE, OWN_AUTH_ERRORS, OWN_SERVICE_ERRORS, used_fact
from checks.rule import Example, FixExample, Rule
from checks.session_receivers import bound_once
from checks.structure import (
    Enclosing,
    Structure,
    ast_route_decorator,
    definitions_around,
    dotted_name,
)

HTTP_EXCEPTIONS = frozenset(
    {
        "fastapi.HTTPException",
        "fastapi.exceptions.HTTPException",
        "starlette.exceptions.HTTPException",
    }
)
_LOWER_LAYERS = frozenset({"service", "repository"})
#: Every finding of FG401 stands only if the project's services have errors of their own
#: (`checks.project_facts.OWN_SERVICE_ERRORS`; true when the selection names FG401).
_OWN_ERRORS = Condition((), frozenset(), fact=OWN_SERVICE_ERRORS)


#: ...and, for a refused caller's status (401, 403), an error of its own for those
#: (`checks.project_facts.OWN_AUTH_ERRORS`).
_OWN_AUTH = Condition((), frozenset(), fact=OWN_AUTH_ERRORS)
#: The statuses of a refused caller, as `HTTPException` is given them.
_REFUSALS = frozenset({"401", "403", "HTTP_401_UNAUTHORIZED", "HTTP_403_FORBIDDEN"})


def _refuses(node: cst.CSTNode) -> bool:
    """Whether an `HTTPException(...)` call answers 401 or 403 (its first argument or
    `status_code=`: a number, or `status.HTTP_401_UNAUTHORIZED`)."""
    if not isinstance(node, cst.Call):
        return False
    for index, arg in enumerate(node.args):
        if (arg.keyword is None and index == 0) or (
            arg.keyword is not None and arg.keyword.value == "status_code"
        ):
            value = arg.value
            text = (
                value.value
                if isinstance(value, cst.Integer)
                else value.attr.value
                if isinstance(value, cst.Attribute)
                else value.value
                if isinstance(value, cst.Name)
                else None
            )
            return text in _REFUSALS
    return False


def _and_auth(condition: Condition, node: cst.CSTNode) -> Condition:
    """`condition`, and, for a refusal (`_refuses`), `_OWN_AUTH` last in its chain."""
    return conjoin(condition, _OWN_AUTH) if _refuses(node) else condition


def _gated(condition: Condition) -> Condition:
    """`condition`, and the project's services have errors of their own."""
    return conjoin(condition, _OWN_ERRORS)


#: what makes a function's parameter one FastAPI fills from the request: the function is
#: a dependency, which belongs to the HTTP layer wherever its module lives
_REQUEST_PARAMETERS = frozenset(
    f"{module}.{name}"
    for module in ("fastapi", "fastapi.params", "fastapi.param_functions")
    for name in ("Depends", "Security", "Query", "Path", "Body", "Form", "File", "Header", "Cookie")
)
_REQUEST_TYPES = frozenset(
    {
        "fastapi.Request",
        "fastapi.WebSocket",
        "fastapi.requests.Request",
        "starlette.requests.Request",
        "starlette.websockets.WebSocket",
        "fastapi.security.HTTPAuthorizationCredentials",
        "fastapi.security.OAuth2PasswordRequestForm",
        "fastapi.security.SecurityScopes",
    }
)
_ANNOTATED = frozenset({"typing.Annotated", "typing_extensions.Annotated"})
#: the class name suffixes that make code a lower layer's (`FileContext.effective_layer`)
_LAYER_SUFFIXES = ("Service", "UseCase", "Repository", "Repo")


class HttpExceptionInService(Rule):
    """FastAPI's or Starlette's `HTTPException` in a service or repository."""

    code = "FG401"
    name = "http-exception-in-service"
    family = "layering"
    message = (
        "`HTTPException` in the service layer: raise a domain error and map it to an HTTP "
        "response in one exception handler"
    )
    summary = (
        "Checks for FastAPI's or Starlette's `HTTPException` (or a subclass defined in the "
        "file) raised or constructed in a service or repository: files matched by the "
        "`services`/`repositories` layer globs, or classes named `*Service`, `*Repository`, "
        "`*Repo`. A class imported from another module of the project counts when it is "
        "`HTTPException` itself, re-exported; a typed error of the project's errors module "
        "(`raise errors.NotFound(...)`) is the domain error this rule asks for, even when "
        "that module derives it from `HTTPException`: its base is one decision of that "
        "module, not of every raise. So does a helper's result (`raise forbidden()`) when "
        "its return annotation, in this module or another, is `HTTPException` itself, and "
        "its module lies outside the service and repository layers (inside them, the "
        "helper's own `HTTPException(...)` is the one finding, not each raise of it: "
        "reported when FG401 is named); "
        "not a method of an error class of the project's that makes one (`raise "
        "NotFoundError.http_exception()`): the service names its domain error, and how it "
        "becomes a response is that class's decision.\n\n"
        "A project whose services and repositories raise `HTTPException` throughout (10 "
        "times or more, and more often than exceptions of their own: `raise "
        "NotFoundError(...)`, Python's own aside; or in more modules than raise their own "
        "more often: a parser's many raises of its own error are that module's), in more "
        "than one module or with no errors of its own, has made it that layer's error "
        "mechanism: unless the "
        "selection names FG401, it is not reported there, as FG101 a project written in "
        "the 1.x query style. So has a project whose services raise no error of their own "
        "at all (`HTTPException` and Python's own only), however young: there is no "
        "convention for a raise to slip from, and readers judged 13 of 15 such findings "
        "not worth a change; the edit hook still reports it in new code of a young one "
        "(fewer than 10), where the convention is being made. A young project with errors "
        "of its own, and one where a single module raises it beside services raising "
        "their own get every finding: a slip there is one. A project whose every error "
        "class derives from `HTTPException` (`class AuthError(HTTPException)`, no error of "
        "another kind) "
        "has no error of its own either: its design, not a slip; nor is one the layer "
        "itself catches to raise `HTTPException` in its place (`except ProductNotFound: "
        "raise HTTPException(404)`), unless an exception handler of the project's answers "
        "it: it never reaches a caller, the layer answers in HTTP by design. Nor is a 401 "
        "or 403 "
        "(`HTTPException(403, ...)`, `status.HTTP_401_UNAUTHORIZED`) where none of the "
        "project's own errors is for a refused caller (`ForbiddenError`, `Unauthorized`, "
        "`PermissionDenied`, `AuthError`...): its errors answer other statuses, and "
        "`HTTPException` is how it refuses a caller; reported when named.\n\n"
        "Where it applies: services and repositories, never in the `tests` layer (a fake "
        "`*Service` that raises `HTTPException` is how a test makes a route answer an "
        "error), nor in a FastAPI dependency kept there: a function with a parameter "
        "FastAPI fills from the request (`Depends()`, `Security()`, `Header()`, ... as "
        "default or in `Annotated[...]`, or a `Request`) is the HTTP layer; so is a helper "
        "whose name gives the HTTP answer it raises (`get_or_404`, `first_or_404`)."
    )
    why = (
        "A service that raises `HTTPException` knows about HTTP: it cannot be reused from a "
        "background job, a CLI or another service without dragging status codes along, and "
        "each route maps errors its own way. Services raise typed domain errors "
        "(`UserNotFound`, `EmailTaken`) that carry what happened; one exception handler "
        "turns them into the API's error shape. A bare `raise` inside "
        "`except HTTPException:` is fine: it re-raises, it does not build one."
    )
    bad = (
        Example(
            """
            from fastapi import HTTPException, status

            from app.users.repository import UserRepository


            async def get_user(users: UserRepository, user_id: int):
                user = await users.get(user_id)
                if user is None:
                    raise HTTPException(status_code=status.HTTP_404_NOT_FOUND)
                return user
            """,
            path="app/users/service.py",
        ),
        Example(
            """
            import fastapi
            from starlette.exceptions import HTTPException as StarletteHTTPException

            class Conflict(fastapi.HTTPException):
                pass

            def check(taken: bool):
                if taken:
                    raise Conflict(409)
                error = StarletteHTTPException(400)
                return error
            """,
            path="app/services/users.py",
            expect=2,
            note="module import, alias, local subclass, constructed without raise",
        ),
        Example(
            """
            from fastapi import HTTPException

            not_found = HTTPException(404, "no such tag")


            async def get_tag(tags, tag_id: int):
                tag = await tags.get(tag_id)
                if tag is None:
                    raise not_found
                return tag
            """,
            path="app/tags/service.py",
            note="an instance made at import, raised by the module",
        ),
        Example(
            """
            from fastapi import HTTPException

            class ProjectService:
                def archive(self, project):
                    if project.archived:
                        raise HTTPException(409, "already archived")
            """,
            path="app/projects/logic.py",
            note="a *Service class in a file of no layer",
        ),
        Example(
            """
            from fastapi import HTTPException

            def load(session, pk):
                raise HTTPException
            """,
            path="app/crud/items.py",
            note="raised without a call, crud/ is a repository",
        ),
        Example(
            """
            from fastapi import HTTPException


            class ItemRepository:
                def get(self, item_id: int):
                    raise HTTPException(status_code=404)
            """,
            path="app/items/routes.py",
            note="a `*Repository` class, even in a route module",
        ),
        Example(
            """
            from app.web.responses import forbidden


            class TokenService:
                def decrypt(self, token: str) -> str:
                    if not token:
                        raise forbidden()
                    return token
            """,
            path="app/services/tokens.py",
            project=(
                (
                    "app/web/responses.py",
                    """
                    from fastapi import HTTPException


                    def forbidden(detail: str = "Forbidden") -> HTTPException:
                        return HTTPException(status_code=403, detail=detail)
                    """,
                ),
            ),
            note="a helper of another module annotated `-> HTTPException` (AgentGPT)",
        ),
    )
    good = (
        Example(
            """
            from fastapi import HTTPException, status

            from app.errors import TagNotFound

            server_error = HTTPException(status.HTTP_500_INTERNAL_SERVER_ERROR, "Try again")


            async def get_tag(tags, tag_id: int):
                tag = await tags.get(tag_id)
                if tag is None:
                    raise TagNotFound(tag_id)
                return tag
            """,
            path="app/tags/service.py",
            note="an instance made at import that nothing names: dead code, no error path",
        ),
        Example(
            """
            from app.errors import NotFoundError
            from app.users.repository import UserRepository


            async def get_user(users: UserRepository, user_id: int):
                user = await users.get(user_id)
                if user is None:
                    raise NotFoundError("user", user_id)
                return user
            """,
            path="app/users/service.py",
        ),
        Example(
            """
            from app.users.errors import user_not_found


            async def get_user(users, user_id: int):
                user = await users.get(user_id)
                if user is None:
                    raise user_not_found(user_id)
                return user
            """,
            path="app/users/service.py",
            project=(
                (
                    "app/users/errors.py",
                    """
                    class UserNotFound(Exception):
                        status_code = 404


                    def user_not_found(user_id: int) -> UserNotFound:
                        return UserNotFound(f"user {user_id}")
                    """,
                ),
            ),
            note="a helper that builds the project's domain error",
        ),
        Example(
            """
            from app.errors import NotFoundError


            async def get_space(spaces, space_id: int):
                space = await spaces.get(space_id)
                if space is None:
                    raise NotFoundError.http_exception()
                return space
            """,
            path="app/spaces/service.py",
            project=(
                (
                    "app/errors.py",
                    """
                    from fastapi import HTTPException


                    class BaseErrorCode(Exception):
                        Code: int
                        Msg: str

                        @classmethod
                        def http_exception(cls, msg: str | None = None) -> HTTPException:
                            return HTTPException(status_code=cls.Code, detail=msg or cls.Msg)


                    class NotFoundError(BaseErrorCode):
                        Code = 404
                        Msg = "This resource does not exist"
                    """,
                ),
            ),
            note="the project's error class makes the response (bisheng's error codes)",
        ),
        Example(
            """
            from fastapi import APIRouter, HTTPException

            router = APIRouter()

            @router.get("/items/{item_id}")
            async def read_item(item_id: int) -> dict[str, int]:
                raise HTTPException(status_code=404)
            """,
            path="app/items/router.py",
            note="a route may raise it",
        ),
        Example(
            """
            from fastapi import HTTPException

            def call_remote(client):
                try:
                    return client.fetch()
                except HTTPException:
                    raise
            """,
            path="app/services/remote.py",
            note="a bare re-raise",
        ),
        Example(
            """
            from fastapi import HTTPException

            def read(item_id: int):
                raise HTTPException(status_code=404)
            """,
            path="app/service/views.py",
            note="route module inside a directory named service",
        ),
        Example(
            """
            from fastapi import APIRouter, HTTPException

            router = APIRouter()


            class UserController:
                @router.delete("/users/{user_id}")
                def delete_user(self, user_id: int):
                    if user_id == 1:
                        raise HTTPException(status_code=403)
            """,
            path="app/routes/users/crud.py",
            note="a route handler (here a controller method) in a file named like a repository",
        ),
        Example(
            """
            from fastapi import HTTPException


            class HttpRepo:
                def get_one(self, item_id: int):
                    raise HTTPException(status_code=404)
            """,
            path="app/routes/_base/mixins.py",
            note="a `*Repo` class whose name says it is an HTTP adapter",
        ),
        Example(
            """
            from fastapi import HTTPException


            class FailingUserService:
                async def get(self, user_id: int):
                    raise HTTPException(status_code=503)
            """,
            path="tests/test_users_router.py",
            note="a fake service of a test",
        ),
        Example(
            """
            from typing import Annotated

            from fastapi import Header, HTTPException


            async def api_key_org(x_api_key: Annotated[str | None, Header()] = None) -> str:
                if not x_api_key:
                    raise HTTPException(status_code=403, detail="Missing API key")
                return x_api_key
            """,
            path="app/services/auth_service.py",
            note="a FastAPI dependency kept in a services module: the HTTP layer",
        ),
        Example(
            """
            from fastapi import HTTPException


            class Base:
                @classmethod
                async def get_or_404(cls, session, id_: str):
                    if model := await session.get(cls, id_):
                        return model
                    raise HTTPException(status_code=404, detail=f"{cls.__name__} not found")
            """,
            path="app/db/base.py",
            note="a helper whose name gives its HTTP answer (Flask-SQLAlchemy's `get_or_404`)",
        ),
    )

    def may_fire(self, evidence: Evidence) -> bool:
        return evidence.layer in _LOWER_LAYERS or any(
            name.endswith(_LAYER_SUFFIXES) for name in evidence.identifiers
        )

    def may_fire_in(self, structure: Structure) -> bool:
        # `_check`: a call or a raise, in code of a lower layer (`_lower_layer`), of a
        # class that is, or may derive from, `HTTPException`: named through an import
        # (settled by the project index when it is not HTTPException itself), or a class
        # of this file whose bases lead there or out of the file; `visit_Raise`: there,
        # `raise helper()` of a function the project index may read
        if structure.layer == "test":
            return False
        file_lower = structure.layer in _LOWER_LAYERS
        if not file_lower and not any(_layer_class(cls.name) for cls in structure.classes):
            return False
        sites: list[tuple[ast.expr, Enclosing | None]] = [
            (call.node.func, call.enclosing) for call in structure.calls
        ]
        sites += structure.raise_sites
        routes = structure.always_imports_from("fastapi")  # `route_decorator` finds them
        raised = {id(expr) for expr, _ in structure.raise_sites}
        for expr, enclosing in sites:
            if isinstance(expr, ast.Call):  # raised: `raise helper()`
                fires = _may_name_a_helper(expr.func, structure)
            else:  # a condition is reported only for a CapWords name (`_names_a_class`)
                fires = structure.may_derive(expr, HTTP_EXCEPTIONS, conditions=_capwords(expr))
                # or an error another module made, raised here (`raise not_found`)
                fires = fires or (id(expr) in raised and bool(_imported_refs(expr, structure)))
            if fires and _may_be_lower_layer(enclosing, file_lower, routes, structure):
                return True
        return False

    def deferred_conditions(self, structure: Structure) -> tuple[Condition, ...] | None:
        # where no site of the lower layers names HTTPException, or a class of the file
        # leading to it within the file, every finding is one `report_if` makes: on an
        # imported class (`_check`: exact, here any derivation), on the bases of a class of
        # the file that lead out of it (`ctx.derivation`), or on what a helper returns
        # (`visit_Raise`, subject `CALL`)
        file_lower = structure.layer in _LOWER_LAYERS
        routes = structure.always_imports_from("fastapi")
        classes: set[str] = set()
        helpers: set[str] = set()
        conditions_of_file = False
        sites: list[tuple[ast.expr, Enclosing | None]] = [
            (call.node.func, call.enclosing) for call in structure.calls
        ]
        sites += structure.raise_sites
        for expr, enclosing in sites:
            if not _may_be_lower_layer(enclosing, file_lower, routes, structure):
                continue
            if isinstance(expr, ast.Call):
                if _may_name_a_helper(expr.func, structure):
                    helpers.update(_helper_refs(expr.func, structure))
            elif structure.may_derive(expr, HTTP_EXCEPTIONS, conditions=False):
                # the file may settle it: a finding that stands if the project's services
                # have errors of their own (`_OWN_ERRORS`), which the index counts
                conditions_of_file = True
                continue
            elif _capwords(expr):
                refs = structure.derivation_refs(expr)
                if refs is None:
                    return None
                classes.update(refs)
        # module-level HTTP errors of other modules it raises (`raise not_found`:
        # `visit_Raise`, subject `INSTANCE`)
        instances = {
            ref
            for expr, enclosing in structure.raise_sites
            if not isinstance(expr, ast.Call)
            and _may_be_lower_layer(enclosing, file_lower, routes, structure)
            for ref in _imported_refs(expr, structure)
        }
        conditions = [_OWN_ERRORS] if conditions_of_file else []
        if instances:
            conditions.append(
                Condition(tuple(sorted(instances)), HTTP_EXCEPTIONS, subject=INSTANCE)
            )
        if classes:
            conditions.append(Condition(tuple(sorted(classes)), HTTP_EXCEPTIONS))
        if helpers:
            conditions.append(Condition(tuple(sorted(helpers)), HTTP_EXCEPTIONS, subject=CALL))
        return tuple(conditions)

    def visit_Call(self, node: cst.Call, ctx: FileContext) -> None:
        if _lower_layer(ctx) and not _unused_module_instance(node, ctx):
            self._check(node, node.func, ctx)

    def visit_Raise(self, node: cst.Raise, ctx: FileContext) -> None:
        exc = node.exc
        if exc is None or not _lower_layer(ctx):
            return
        if not isinstance(exc, cst.Call):
            ref = ctx.class_ref(exc)
            if (
                ref is not None
                and "." in ref
                and not ref.startswith(".")
                and ref not in HTTP_EXCEPTIONS
                and ref not in ctx.classes
            ):
                # what another module binds: HTTPException re-exported, or an HTTP error
                # it made once (`credentials_exception = HTTPException(401)` in
                # `exceptions.py`), raised here (prometheus' services: reader 58)
                instance = Condition((ref,), HTTP_EXCEPTIONS, subject=INSTANCE)
                ctx.report_if(node, _gated(instance), self._message(ctx))
            else:
                self._check(node, exc, ctx)
        elif _error_class_method(exc.func, ctx):
            # `raise NotFoundError.http_exception()`: the service names its domain error;
            # how that class turns into a response is the class's decision, as a base
            # is (bisheng's error codes, rendered as `raise NotFoundError()` is)
            return
        elif not _names_a_class(exc.func):
            # `raise forbidden()`: a helper whose return annotation the project index
            # reads (`def forbidden(...) -> HTTPException`, in this module or another);
            # HTTPException itself, as for an imported class (a subclass the helper's
            # module defines is that module's decision)
            ref = ctx.class_ref(exc.func)
            if ref is None or ref.startswith("."):
                return
            if "." not in ref:
                if ctx.module_name is None:
                    return
                ref = f"{ctx.module_name}.{ref}"
            # and the helper's module lies outside the lower layers: inside them, the
            # helper's own `HTTPException(...)` is the finding (`HELPER_OUTSIDE`)
            outside = Condition(
                (), frozenset(), fact=used_fact(self.code, HELPER_OUTSIDE + ref.rpartition(".")[0])
            )
            asked = Condition((ref,), HTTP_EXCEPTIONS, exact=True, subject=CALL)
            ctx.report_if(node, _gated(conjoin(asked, outside)), self._message(ctx))

    @classmethod
    def _message(cls, ctx: FileContext) -> str | None:
        """The message, naming the layer the code is in (None: the service layer's)."""
        if ctx.effective_layer() == "repository":
            return cls.message.replace("the service layer", "the repository layer")
        return None

    @classmethod
    def _check(cls, node: cst.CSTNode, expr: cst.BaseExpression, ctx: FileContext) -> None:
        ref = ctx.class_ref(expr)
        derivation: bool | Condition
        if ref is None or ref in ctx.classes or ref in HTTP_EXCEPTIONS:
            # HTTPException itself, or a subclass the file defines (its bases followed
            # into other modules by the project index)
            derivation = ctx.derivation(ref, HTTP_EXCEPTIONS)
        elif "." in ref and not ref.startswith("."):
            # a name imported from the project counts only when it is HTTPException
            # itself, re-exported: a typed error of the project's errors module that
            # derives from it is the domain error this rule asks for, its base one
            # decision of that module (not of every raise)
            derivation = Condition((ref,), HTTP_EXCEPTIONS, exact=True)
        else:
            derivation = False
        message = cls._message(ctx)
        # a 401 or 403 where the project has no error of its own for a refused caller is
        # how it answers those (`_OWN_AUTH`)
        if derivation is True:
            ctx.report_if(node, _and_auth(_OWN_ERRORS, node), message)
        elif derivation is not False and _names_a_class(expr):
            # an exception class imported from another module of the project
            ctx.report_if(node, _and_auth(_gated(derivation), node), message)


def _unused_module_instance(node: cst.Call, ctx: FileContext) -> bool:
    """Whether a call is the value of a module-level assignment whose names the module's
    text names nowhere else (`server_error = HTTPException(500, ...)`, never raised:
    beyondcrud's, dead code a reader judged not worth acting on)."""
    if ctx.function is not None or ctx.enclosing_class is not None or ctx.source is None:
        return False
    parent = ctx.parent(node)
    if not isinstance(parent, cst.Assign) or parent.value is not node:
        return False
    names = [target.target for target in parent.targets]
    if not all(isinstance(name, cst.Name) for name in names):
        return False
    return all(
        len(re.findall(rb"\b%s\b" % re.escape(name.value.encode()), ctx.source)) == 1
        for name in names
        if isinstance(name, cst.Name)
    )


def _imported_refs(expr: ast.expr, structure: Structure) -> set[str]:
    """What a raised name or attribute may name through the file's imports (`raise
    errors.not_found`: `app.errors.not_found`), for the project index to tell whether it
    is an HTTP error another module made."""
    return {
        name
        for name in structure.qualified(dotted_name(expr))
        if "." in name and not name.startswith(".")
    }


def _helper_refs(func: ast.expr, structure: Structure) -> set[str]:
    """What `visit_Raise` may ask the index a call of `func` returns (`ctx.class_ref`,
    made absolute with the module's name)."""
    while isinstance(func, ast.Subscript):
        func = func.value
    names = structure.qualified(dotted_name(func))
    if isinstance(func, ast.Name) and structure.may_be_local_class(func.id):
        names.add(func.id)
    module = structure.module
    return {
        name if "." in name else f"{module}.{name}"
        for name in names
        if not name.startswith(".") and ("." in name or module is not None)
    }


def _may_name_a_helper(func: ast.expr, structure: Structure) -> bool:
    """Whether `visit_Raise` may ask the project index what a call of `func` returns: not
    a CapWords class, and `ctx.class_ref(func)` may give a name it can look up (absolute,
    or a class of this module when the module has a name)."""
    if _capwords(func):
        return False
    while isinstance(func, ast.Subscript):
        func = func.value
    refs = structure.qualified(dotted_name(func))
    if isinstance(func, ast.Name) and structure.may_be_local_class(func.id):
        refs.add(func.id)
    return any(
        not ref.startswith(".") and ("." in ref or structure.module is not None) for ref in refs
    )


def _capwords(expr: ast.expr) -> bool:
    """`_names_a_class` on CPython's tree (a subscript, `Error[T]`, names none)."""
    name = expr.attr if isinstance(expr, ast.Attribute) else getattr(expr, "id", "")
    return isinstance(name, str) and name[:1].isupper() and not name.isupper()


def _layer_class(name: str) -> bool:
    """A `*Service`/`*Repository`/`*Repo` class name (`FileContext.effective_layer`)."""
    return any(name.endswith(suffix) and name != suffix for suffix in _LAYER_SUFFIXES)


def _may_be_lower_layer(
    enclosing: Enclosing | None, file_lower: bool, routes: bool, structure: Structure
) -> bool:
    """`_lower_layer` for code inside these definitions, unless the file settles it False:
    the innermost `*Service`/`*Repository` class decides the layer (the file's when its
    name says it is an HTTP adapter, or without one); a route around the code (given
    `routes`: FastAPI is imported wherever the walk is) or a FastAPI dependency as the
    innermost function makes it the HTTP layer."""
    definitions = list(definitions_around(enclosing))
    lower = file_lower
    for definition in definitions:
        if isinstance(definition, ast.ClassDef) and _layer_class(definition.name):
            lower = file_lower or not http_adapter_name(definition.name)
            break
    if not lower:
        return False
    functions = [d for d in definitions if not isinstance(d, ast.ClassDef)]
    if routes and any(
        not isinstance(function, ast.Lambda) and ast_route_decorator(function) is not None
        for function in functions
    ):
        return False
    return not functions or not (
        _is_certainly_a_dependency(functions[0], structure)
        or (not isinstance(functions[0], ast.Lambda) and answers_http(functions[0].name))
    )


def _is_certainly_a_dependency(
    function: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda, structure: Structure
) -> bool:
    """`is_dependency` on CPython's tree, where its answer is True wherever the walk reads
    the function (`Structure.resolves_only_to`)."""
    arguments = function.args
    positional = [*arguments.posonlyargs, *arguments.args]
    defaults: list[ast.expr | None] = [None] * (len(positional) - len(arguments.defaults))
    defaults += arguments.defaults
    pairs = [
        *zip(positional, defaults, strict=True),
        *zip(arguments.kwonlyargs, arguments.kw_defaults, strict=True),
    ]
    for argument, default in pairs:
        if isinstance(default, ast.Call) and structure.resolves_only_to(
            default.func, _REQUEST_PARAMETERS
        ):
            return True
        annotation = argument.annotation
        if annotation is not None and _certainly_fills_from_request(annotation, structure):
            return True
    return False


def _certainly_fills_from_request(annotation: ast.expr, structure: Structure) -> bool:
    """`_fills_from_request` on CPython's tree, where its answer is True wherever the walk
    reads the annotation."""
    if structure.resolves_only_to(annotation, _REQUEST_TYPES):
        return True
    if not isinstance(annotation, ast.Subscript) or not structure.resolves_only_to(
        annotation.value, _ANNOTATED
    ):
        return False
    elements = [annotation.slice]
    index = annotation.slice
    if isinstance(index, ast.Tuple) and index.elts:
        first = index.elts[0]
        if (first.lineno, first.col_offset) != (index.lineno, index.col_offset):
            return False  # `Annotated[(T, x)]`: libcst reads one element, a tuple
        elements = index.elts
    return any(
        isinstance(element, ast.Call)
        and structure.resolves_only_to(element.func, _REQUEST_PARAMETERS)
        for element in elements[1:]
    ) or structure.resolves_only_to(elements[0], _REQUEST_TYPES)


def _lower_layer(ctx: FileContext) -> bool:
    """Code of a service or repository, outside the tests and outside a FastAPI
    dependency (a function with a parameter FastAPI fills from the request)."""
    if ctx.layer == "test" or ctx.effective_layer() not in _LOWER_LAYERS:
        return False
    function = ctx.function
    return function is None or not (
        is_dependency(function.node, ctx)
        or (isinstance(function.node, cst.FunctionDef) and answers_http(function.node.name.value))
    )


#: A function whose name gives the HTTP answer it raises (`get_or_404`, Flask-SQLAlchemy's
#: `first_or_404`, `get_object_or_404`): an HTTP helper by its contract, wherever it lives.
_ANSWERS_HTTP = lazy_pattern(r"_or_4\d\d$")


def answers_http(name: str) -> bool:
    """Whether a function's name says it raises an HTTP status (`get_or_404`)."""
    return _ANSWERS_HTTP.search(name) is not None


def is_dependency(node: cst.FunctionDef | cst.Lambda, ctx: FileContext) -> bool:
    """Whether a parameter is `Depends(...)`, `Header()`, ... (as default or in
    `Annotated[...]`), or typed as the request, a websocket or a security scheme's value."""
    params = node.params
    for param in [*params.posonly_params, *params.params, *params.kwonly_params]:
        default = param.default
        if isinstance(default, cst.Call) and ctx.qualified_name(default.func) in (
            _REQUEST_PARAMETERS
        ):
            return True
        annotation = param.annotation.annotation if param.annotation is not None else None
        if annotation is not None and _fills_from_request(annotation, ctx):
            return True
    return False


def _fills_from_request(annotation: cst.BaseExpression, ctx: FileContext) -> bool:
    if ctx.qualified_name(annotation) in _REQUEST_TYPES:
        return True
    if isinstance(annotation, cst.Subscript) and ctx.qualified_name(annotation.value) in {
        "typing.Annotated",
        "typing_extensions.Annotated",
    }:
        for element in annotation.slice[1:]:
            value = element.slice.value if isinstance(element.slice, cst.Index) else None
            if isinstance(value, cst.Call) and ctx.qualified_name(value.func) in (
                _REQUEST_PARAMETERS
            ):
                return True
        first = annotation.slice[0].slice
        if isinstance(first, cst.Index):
            return ctx.qualified_name(first.value) in _REQUEST_TYPES
    return False


#: What ends the name of an error class (`NotFoundError`, `AuthException`, `ErrorCode`).
_ERROR_CLASS_ENDINGS = ("Error", "Exception", "ErrorCode", "Errors")


def _error_class_method(func: cst.BaseExpression, ctx: FileContext) -> bool:
    """Whether a call's function is a method of an error class of the project's
    (`NotFoundError.http_exception`), not of `HTTPException` itself."""
    if not isinstance(func, cst.Attribute) or not _names_a_class(func.value):
        return False
    name = func.value.attr.value if isinstance(func.value, cst.Attribute) else None
    if isinstance(func.value, cst.Name):
        name = func.value.value
    if name is None or not name.endswith(_ERROR_CLASS_ENDINGS):
        return False
    return ctx.class_ref(func.value) not in HTTP_EXCEPTIONS


def _names_a_class(expr: cst.BaseExpression) -> bool:
    """CapWords names are classes; calls of functions are not worth resolving."""
    name = expr.attr.value if isinstance(expr, cst.Attribute) else getattr(expr, "value", "")
    return isinstance(name, str) and name[:1].isupper() and not name.isupper()


class HttpExceptionReturned(Rule):
    """`return HTTPException(...)` where the function returns data on its other paths,
    or in a route: the error is never raised."""

    code = "FG410"
    name = "http-exception-returned"
    family = "API"
    message = (
        "`HTTPException` returned, not raised: no error reaches the client (a route "
        "answers 200 with the exception as its body); `raise` it"
    )
    summary = (
        "Checks for `return HTTPException(...)` (FastAPI's or Starlette's; also of a name "
        "the function binds once to one: `return refused`) in a route "
        "handler or a function FastAPI calls (a dependency: a parameter declared with "
        "`Header(...)`, `Query(...)`, `Depends(...)`, ...), or in a function that returns "
        "something else on another path (`return "
        "featcol` after `if not featcol: return HTTPException(...)`). A function whose "
        "every `return` gives an exception, or annotated to return one (`-> "
        "HTTPException`), is a factory whose callers raise what it makes: not reported; "
        "nor an exception made with a status below 400 (`status_code=200`): raised, it "
        "answers what a return of data would.\n\n"
        "Where it applies: every layer but tests."
    )
    why = (
        "Returning an exception does not raise it. A route that returns one answers 200 "
        "with the exception's attributes as its JSON body, or 500 where a response model "
        "(`response_model=`, a return annotation) rejects it; a helper that returns one hands "
        "its caller an object that stands for the data it expected, so the error is "
        "silently dropped (a webhook that must answer 400 answers 200)."
    )
    fix = (
        "Unsafe fix: `return` becomes `raise`. It changes what the code does (the point), "
        "and the caller may rely on getting the object back."
    )
    bad = (
        Example(
            """
            from fastapi import APIRouter, HTTPException

            router = APIRouter()


            @router.post("/projects/{project_id}/publish")
            async def publish(project_id: int, user_id: int) -> dict[str, str]:
                if user_id != project_id:
                    return HTTPException(status_code=403, detail="Only the author may publish")
                return {"status": "queued"}
            """,
            path="app/projects/routes.py",
            note="a route: its return annotation rejects the exception, a 500 (drone-tm)",
        ),
        Example(
            """
            from http import HTTPStatus

            from fastapi import HTTPException


            async def project_features(cur, project_id: int) -> dict[str, object]:
                await cur.execute("SELECT features FROM projects WHERE id = %s", (project_id,))
                row = await cur.fetchone()
                if not row:
                    return HTTPException(status_code=HTTPStatus.UNPROCESSABLE_ENTITY)
                return row[0]
            """,
            path="app/projects/crud.py",
            also=("FG401",),
            note="a helper that returns data on its other path (fmtm)",
        ),
        Example(
            """
            from fastapi import Header, HTTPException


            async def verify_token(x_token: str = Header()) -> None:
                if x_token != "expected":
                    return HTTPException(status_code=400, detail="X-Token header invalid")
            """,
            path="app/dependencies.py",
            note="a dependency (`dependencies=[Depends(verify_token)]`): no token is refused",
        ),
        Example(
            """
            from fastapi import Depends, Form, HTTPException

            from app.db import find_user, get_session


            async def validate_user(
                username: str = Form(), password: str = Form(), session=Depends(get_session)
            ):
                refused = HTTPException(status_code=401, detail="Invalid username or password")
                user = await find_user(session, username)
                if user is None:
                    return refused
                if user.password != password:
                    raise refused
                return user
            """,
            path="app/auth/dependencies.py",
            note="the error bound to a name, returned on one path (pOsdas' login, reader "
            "109): the route reads `.user_id` of it, a 500",
        ),
    )
    good = (
        Example(
            """
            from fastapi import HTTPException, status


            def credentials_error() -> HTTPException:
                return HTTPException(
                    status_code=status.HTTP_401_UNAUTHORIZED,
                    headers={"WWW-Authenticate": "Bearer"},
                )


            def not_found(what: str):
                return HTTPException(status_code=404, detail=f"{what} not found")
            """,
            path="app/auth/errors.py",
            note="factories: annotated to return the exception, or returning one on every path",
        ),
        Example(
            """
            from fastapi import HTTPException


            def check_owner(owner_id: int, user_id: int):
                if owner_id != user_id:
                    return HTTPException(status_code=403)
                return None
            """,
            path="app/auth/checks.py",
            note="an error or None, for the caller to raise",
        ),
    )
    fixes = (
        FixExample(
            """
            from fastapi import APIRouter, HTTPException

            router = APIRouter()


            @router.get("/items/{item_id}")
            async def read_item(item_id: int) -> dict[str, int]:
                if item_id < 0:
                    return HTTPException(status_code=404)
                return {"id": item_id}
            """,
            """
            from fastapi import APIRouter, HTTPException

            router = APIRouter()


            @router.get("/items/{item_id}")
            async def read_item(item_id: int) -> dict[str, int]:
                if item_id < 0:
                    raise HTTPException(status_code=404)
                return {"id": item_id}
            """,
            unsafe=True,
        ),
        FixExample(
            """
            from fastapi import APIRouter, HTTPException

            router = APIRouter()


            @router.post("/ask")
            async def ask(msg: str | None = None) -> dict[str, str]:
                if action_needs_a_message():
                    if not msg:
                        return HTTPException(
                            status_code=400,
                            detail="msg is required for ask command",
                        )
                return {"answer": msg or ""}
            """,
            """
            from fastapi import APIRouter, HTTPException

            router = APIRouter()


            @router.post("/ask")
            async def ask(msg: str | None = None) -> dict[str, str]:
                if action_needs_a_message():
                    if not msg:
                        raise HTTPException(
                            status_code=400,
                            detail="msg is required for ask command",
                        )
                return {"answer": msg or ""}
            """,
            unsafe=True,
            note="a call over several lines keeps its lines (pr-agent's Gerrit route, reader 47)",
        ),
    )

    def may_fire(self, evidence: Evidence) -> bool:
        return evidence.has("return") and evidence.has("HTTPException")

    def may_fire_in(self, structure: Structure) -> bool:
        # `visit_Return`: a `return` whose value is a call of HTTPException, outside tests
        if structure.layer == "test":
            return False
        # or of a name the file binds to one (`return unauthed_exc`)
        made = {id(call.node) for call in structure.calls_to(HTTP_EXCEPTIONS)}
        return bool(made) and any(
            id(found.value) in made
            or (
                isinstance(found.value, ast.Name)
                and any(id(v) in made for v in structure.bindings_of(found.value.id).values)
            )
            for found in structure.returns
        )

    def visit_Return(self, node: cst.Return, ctx: FileContext) -> None:
        value = node.value
        if ctx.layer == "test":
            return
        returned = value
        if isinstance(value, cst.Name):
            # a name the function binds once to one (`unauthed_exc = HTTPException(401)`,
            # then `return unauthed_exc` on one path and `raise unauthed_exc` on another:
            # pOsdas' login, whose caller reads `.user_id` of it, a 500: reader 109)
            returned = bound_once(value, ctx)
        if value is None or not isinstance(returned, cst.Call):
            return
        if ctx.qualified_name(returned.func) not in HTTP_EXCEPTIONS:
            return
        function = ctx.function
        if function is None or not isinstance(function.node, cst.FunctionDef):
            return
        if _success_status(returned):
            return  # `HTTPException(status_code=200, ...)`: raised, the client sees the same
        definition = function.node
        message = None
        marker = None if function.is_route else fastapi_parameter(definition, ctx)
        if marker is not None:
            # a dependency (or a route FastAPI registers elsewhere): FastAPI fills its
            # parameters and drops or injects what it returns (Jang-Jaewon's
            # `get_token_header`, whose wrong token is never refused: reader 71)
            message = _DEPENDENCY_MESSAGE.format(marker=marker)
        elif not function.is_route:
            if definition.returns is not None and _names_an_exception(
                definition.returns.annotation
            ):
                return  # a factory: `def credentials_error() -> HTTPException`
            others = [r.value for r in returns_in(definition.body) if r is not node]
            if not any(_gives_data(other, ctx) for other in others):
                return  # every `return` gives an exception, or None: a factory
            message = _HELPER_MESSAGE
        elif _validated(definition, ctx):
            message = _VALIDATED_MESSAGE
        code = "raise " + code_of(value)
        replacement: str | Lines = code
        if "\n" in code and not any(
            isinstance(part, cst.SimpleString | cst.FormattedString) and "\n" in code_of(part)
            for part in descendants(value)
        ):
            # a call over several lines: libcst writes its continuation lines against the
            # block's indentation, which `Lines` puts back (a string's own lines aside)
            replacement = Lines(tuple(code.split("\n")))
        fix = FixSpec("Raise it", ((node, replacement),), applicability="unsafe")
        ctx.report(node, message, fix=fix)


#: FG410's message for a function FastAPI calls that is no route here (a dependency).
#: A helper's (a route's caller sees what the helper returned: Mekan777-alt's helpers,
#: whose exception fails the route's `JSONResponse` with a 500: reader 79).
_HELPER_MESSAGE = (
    "`HTTPException` returned, not raised, by a function that returns data on its other "
    "paths: its caller gets the exception where it expects the data, and no error reaches "
    "the client as this one; `raise` it"
)


#: FG410's message for a route whose response model rejects the exception (a 500).
_VALIDATED_MESSAGE = (
    "`HTTPException` returned, not raised: the route's response model rejects it, so the "
    "client gets a 500 instead of this error; `raise` it"
)


def _validated(route: cst.FunctionDef, ctx: FileContext) -> bool:
    """Whether FastAPI validates what the route returns (`response_model=` other than
    None, or a return annotation other than a `Response` class): an exception returned
    there fails the validation, a 500, even under `-> Any` (checked on FastAPI 0.114 and
    0.165); with neither, FastAPI encodes its attributes, a 200 (AidamirKaraziev's routes
    declare `response_model=`: reader 125)."""
    decorator = route_decorator(route, ctx)
    model = keyword_arg(decorator, "response_model") if decorator is not None else None
    if model is not None:
        return not (isinstance(model.value, cst.Name) and model.value.value == "None")
    if route.returns is None:
        return False
    annotation = route.returns.annotation
    name = ctx.qualified_name(annotation) or cst_dotted_name(annotation) or ""
    return not name.endswith("Response")


def _success_status(call: cst.Call) -> bool:
    """Whether an `HTTPException(...)` is given a status below 400 (`status_code=200`,
    `status.HTTP_200_OK`): Mekan777-alt's `HTTPException(status_code=200, detail=...)`
    answers what a return of data would (reader 79)."""
    given = keyword_arg(call, "status_code")
    if given is None and call.args and call.args[0].keyword is None:
        given = call.args[0]
    if given is None:
        return False
    value = given.value
    if isinstance(value, cst.Integer):
        number = value.evaluated_value
    else:
        written = cst_dotted_name(value) or ""
        found = re.search(r"HTTP_(\d{3})_", written.rpartition(".")[2] + "_")
        if found is None:
            return False
        number = int(found[1])
    return isinstance(number, int) and number < 400


_DEPENDENCY_MESSAGE = (
    "`HTTPException` returned, not raised, by a function FastAPI calls (its parameters are "
    "FastAPI's: `{marker}(...)`): FastAPI refuses nothing, the request goes on (a "
    "dependency's value is dropped, or injected as the exception); `raise` it"
)


def _names_an_exception(annotation: cst.BaseExpression) -> bool:
    """Whether a return annotation mentions an exception class (`HTTPException`,
    `HTTPException | None`, `Exception`, a project's `*Error`)."""
    return any(
        (isinstance(inner, cst.Name) and inner.value.endswith(("Exception", "Error")))
        or (isinstance(inner, cst.Attribute) and inner.attr.value.endswith(("Exception", "Error")))
        for inner in descendants(annotation)
    )


def _gives_data(value: cst.BaseExpression | None, ctx: FileContext) -> bool:
    """Whether a `return` gives something else than nothing or an exception."""
    if value is None or (isinstance(value, cst.Name) and value.value == "None"):
        return False
    if isinstance(value, cst.Call):
        name = ctx.qualified_name(value.func) or ""
        return name not in HTTP_EXCEPTIONS and not name.endswith(("Exception", "Error"))
    return True

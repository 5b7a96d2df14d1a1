"""FG411: `HTTPException` raised in an HTTP middleware, which no exception handler sees."""

from __future__ import annotations

from typing import ClassVar

from checks.context import FileContext, descendants
from checks.lazy import libcst as cst
from checks.prefilter import Evidence
from checks.rule import Example, Rule
from checks.rules.http_exception_in_service import HTTP_EXCEPTIONS

#: Starlette's base of a class middleware whose `dispatch` wraps each request.
_BASE_HTTP_MIDDLEWARE = frozenset(
    {"starlette.middleware.base.BaseHTTPMiddleware", "fastapi.middleware.base.BaseHTTPMiddleware"}
)
#: What an `except` clause may name that catches an `HTTPException` raised in its body.
_CATCHING = HTTP_EXCEPTIONS | frozenset({"Exception", "BaseException"})


class HttpExceptionInMiddleware(Rule):
    """`raise HTTPException(...)` in a `BaseHTTPMiddleware.dispatch` or an
    `@app.middleware("http")` function."""

    code = "FG411"
    name = "http-exception-in-middleware"
    family = "API"
    default: ClassVar[bool] = True
    message = (
        "`HTTPException` raised in a middleware reaches no exception handler (they run "
        "inside the middleware stack): the client gets a 500 and the server logs a "
        'traceback; return the response instead: `return JSONResponse({"detail": ...}, '
        "status_code=...)`"
    )
    summary = (
        "Checks for `raise HTTPException(...)` (FastAPI's or Starlette's) directly in the "
        "`dispatch` method of a `BaseHTTPMiddleware` subclass, or in a function decorated "
        '`@app.middleware("http")`, outside a `try` whose handler catches it.\n\n'
        "Where it applies: everywhere."
    )
    why = (
        "FastAPI answers an `HTTPException` with its status through the exception handlers "
        "of its `ExceptionMiddleware`, the innermost layer of the middleware stack; a "
        "middleware added to the app runs outside it, so an `HTTPException` raised there "
        "reaches only Starlette's `ServerErrorMiddleware`: a rate limit's 429 or an API "
        "key check's 401 becomes `500 Internal Server Error` (measured on FastAPI 0.165, "
        "Starlette 1.10). The middleware must answer with a response of its own."
    )
    bad = (
        Example(
            """
            from fastapi import HTTPException, Request
            from starlette.middleware.base import BaseHTTPMiddleware


            class RateLimit(BaseHTTPMiddleware):
                async def dispatch(self, request: Request, call_next):
                    if await over_limit(request.client.host):
                        raise HTTPException(status_code=429, detail="Too many requests")
                    return await call_next(request)
            """,
            path="app/middleware/rate_limit.py",
            note="ysh1th's rate limit (reader 160): every limited request answers 500",
        ),
        Example(
            """
            from fastapi import FastAPI, HTTPException, Request

            app = FastAPI()


            @app.middleware("http")
            async def require_key(request: Request, call_next):
                if request.headers.get("x-api-key") != "expected":
                    raise HTTPException(status_code=401)
                return await call_next(request)
            """,
            path="app/main.py",
        ),
    )
    good = (
        Example(
            """
            from fastapi import Request
            from fastapi.responses import JSONResponse
            from starlette.middleware.base import BaseHTTPMiddleware


            class RateLimit(BaseHTTPMiddleware):
                async def dispatch(self, request: Request, call_next):
                    if await over_limit(request.client.host):
                        return JSONResponse({"detail": "Too many requests"}, status_code=429)
                    return await call_next(request)
            """,
            path="app/middleware/rate_limit.py",
        ),
        Example(
            """
            from fastapi import HTTPException, Request
            from fastapi.responses import JSONResponse
            from starlette.middleware.base import BaseHTTPMiddleware


            class Auth(BaseHTTPMiddleware):
                async def dispatch(self, request: Request, call_next):
                    try:
                        if not request.headers.get("authorization"):
                            raise HTTPException(status_code=401)
                    except HTTPException as error:
                        return JSONResponse({"detail": error.detail}, status_code=error.status_code)
                    return await call_next(request)
            """,
            path="app/middleware/auth.py",
            note="caught in the middleware itself",
        ),
        Example(
            """
            from fastapi import HTTPException, Request


            async def require_key(request: Request) -> None:
                if request.headers.get("x-api-key") != "expected":
                    raise HTTPException(status_code=401)
            """,
            path="app/dependencies.py",
            note="a dependency: its exception reaches the handlers",
        ),
    )

    def may_fire(self, evidence: Evidence) -> bool:
        return evidence.has("HTTPException") and (
            evidence.has("BaseHTTPMiddleware") or evidence.has_attribute("middleware")
        )

    def visit_Raise(self, node: cst.Raise, ctx: FileContext) -> None:
        exc = node.exc
        raised = exc.func if isinstance(exc, cst.Call) else exc
        if raised is None or ctx.qualified_name(raised) not in HTTP_EXCEPTIONS:
            return
        function = ctx.function
        if function is None or not isinstance(function.node, cst.FunctionDef):
            return
        if not (
            _dispatch_of_middleware(function.node, function.owner, ctx)
            or _http_middleware(function.node)
        ):
            return
        if _caught_within(node, function.node, ctx):
            return
        ctx.report(node)


def _dispatch_of_middleware(function: cst.FunctionDef, owner: object, ctx: FileContext) -> bool:
    """`dispatch` of a class deriving from `BaseHTTPMiddleware`."""
    name = getattr(owner, "name", None)
    return function.name.value == "dispatch" and ctx.derives_from(name, _BASE_HTTP_MIDDLEWARE)


def _http_middleware(function: cst.FunctionDef) -> bool:
    """A function decorated `@app.middleware("http")`."""
    for decorator in function.decorators:
        call = decorator.decorator
        if (
            isinstance(call, cst.Call)
            and isinstance(call.func, cst.Attribute)
            and call.func.attr.value == "middleware"
            and call.args
            and isinstance(call.args[0].value, cst.SimpleString)
            and call.args[0].value.evaluated_value == "http"
        ):
            return True
    return False


def _caught_within(raised: cst.Raise, function: cst.FunctionDef, ctx: FileContext) -> bool:
    """Whether the raise is in the body of a `try` of the function whose handlers catch an
    `HTTPException` (by its name, `Exception`, or a bare `except:`)."""
    for node in descendants(function.body):
        if not isinstance(node, cst.Try):
            continue
        if not any(inner is raised for inner in descendants(node.body)):
            continue
        for handler in node.handlers:
            if handler.type is None:
                return True
            types = (
                [element.value for element in handler.type.elements]
                if isinstance(handler.type, cst.Tuple)
                else [handler.type]
            )
            for caught in types:
                name = ctx.qualified_name(caught) or (
                    caught.value if isinstance(caught, cst.Name) else None
                )
                if name in _CATCHING:
                    return True
    return False

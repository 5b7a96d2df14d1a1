"""FG403-FG405: what a FastAPI route declares and returns, and how it handles errors."""

from __future__ import annotations

import libcst as cst

from checks.context import FileContext, dotted_name, keyword_arg, returns_in, route_decorator
from checks.prefilter import Evidence
from checks.rule import Example, Rule

BROAD_EXCEPTIONS = frozenset({"Exception", "BaseException", "builtins.Exception"})


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


class RouteWithoutResponseModel(Rule):
    code = "FG403"
    name = "route-without-response-model"
    family = "API"
    message = "Route without a response model: annotate its return type (or `response_model=`)"
    summary = (
        "Checks for FastAPI routes with neither a return annotation nor `response_model=` "
        "(routes that set `response_class=` or return nothing are fine)."
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
    )

    def may_fire(self, evidence: Evidence) -> bool:
        return evidence.has_package("fastapi")

    def visit_FunctionDef(self, node: cst.FunctionDef, ctx: FileContext) -> None:
        decorator = route_decorator(node, ctx)
        if decorator is None or node.returns is not None:
            return
        if keyword_arg(decorator, "response_model") or keyword_arg(decorator, "response_class"):
            return
        values = [
            r.value
            for r in returns_in(node.body)
            if r.value is not None
            and not (isinstance(r.value, cst.Name) and r.value.value == "None")
        ]
        if all(_is_response(value, ctx) for value in values):
            return  # returns nothing, or only `Response` objects FastAPI sends as they are
        ctx.report(node.name)


def _is_response(value: cst.BaseExpression, ctx: FileContext) -> bool:
    """`FileResponse(path)`, `RedirectResponse(url)`, `responses.JSONResponse(...)`: a
    Starlette response built right there."""
    if not isinstance(value, cst.Call):
        return False
    name = ctx.qualified_name(value.func) or dotted_name(value.func) or ""
    return name.rpartition(".")[2].endswith("Response")


class RouteReturnsOrmModel(Rule):
    code = "FG404"
    name = "route-returns-orm-model"
    family = "API"
    message = "Route returns an ORM model: return a Pydantic schema built from it"
    summary = (
        "Checks for FastAPI routes whose return annotation or `response_model=` is a "
        "SQLAlchemy ORM class (in the file or anywhere in the project)."
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

    def visit_FunctionDef(self, node: cst.FunctionDef, ctx: FileContext) -> None:
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
            if derivation is True:
                ctx.report(declared)
                return
            if derivation is not False:
                ctx.report_if(declared, derivation)
                return


class BroadExceptInRoute(Rule):
    code = "FG405"
    name = "broad-except-in-route"
    family = "API"
    message = (
        "Broad `except Exception` in a route: let errors reach the exception handlers, or "
        "catch the specific error you can handle"
    )
    summary = (
        "Checks for `except Exception`, `except BaseException` and bare `except:` in a "
        "FastAPI route handler, unless the handler re-raises or logs the error with its "
        "traceback (`logger.exception()`, `exc_info=True`): a best-effort step that degrades "
        "on purpose."
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
    )

    def may_fire(self, evidence: Evidence) -> bool:
        return evidence.has_package("fastapi")

    def visit_ExceptHandler(self, node: cst.ExceptHandler, ctx: FileContext) -> None:
        function = ctx.function
        if function is None or not function.is_route:
            return
        caught = node.type
        names = [caught] if caught is not None else []
        if isinstance(caught, cst.Tuple):
            names = [element.value for element in caught.elements]
        broad = caught is None or any(dotted_name(n) in BROAD_EXCEPTIONS for n in names)
        if broad and not _reraises(node) and not _logs_traceback(node):
            ctx.report(node)


class _TracebackLog(cst.CSTVisitor):
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


def _logs_traceback(handler: cst.ExceptHandler) -> bool:
    finder = _TracebackLog()
    handler.body.visit(finder)
    return finder.found


def _reraises(handler: cst.ExceptHandler) -> bool:
    body = handler.body.body if isinstance(handler.body, cst.IndentedBlock) else []
    for statement in body:
        if isinstance(statement, cst.SimpleStatementLine) and any(
            isinstance(small, cst.Raise) for small in statement.body
        ):
            return True
    return False

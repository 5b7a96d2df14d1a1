"""Domain errors, and the handlers that render every error in one shape.

Services raise these (never `HTTPException`): each carries its HTTP status and a stable
machine-readable code. Every error the API returns, including validation errors, unknown
routes, wrong methods and unexpected failures, has the shape

    {"error": {"code": "...", "message": "...", "details": ...}}

and an unexpected failure never leaks a stack trace.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any, ClassVar

import structlog
from fastapi import FastAPI, Request, status
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict
from sqlalchemy.exc import DBAPIError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

logger = structlog.get_logger(__name__)


class DomainError(Exception):
    """An expected failure of a use case, with its HTTP status and error code."""

    status_code: int = status.HTTP_400_BAD_REQUEST
    code: str = "bad_request"
    default_headers: ClassVar[dict[str, str]] = {}
    #: Commit what the request did before failing: for errors that record something (a
    #: refresh-token family revoked on reuse) that must survive the error response.
    commit_transaction: bool = False

    def __init__(self, message: str, details: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details
        self.headers: dict[str, str] = dict(self.default_headers)


class NotFoundError(DomainError):
    """The resource does not exist, or the caller may not know it exists."""

    status_code = status.HTTP_404_NOT_FOUND
    code = "not_found"


class ConflictError(DomainError):
    """The request conflicts with the current state (duplicate, stale version)."""

    status_code = status.HTTP_409_CONFLICT
    code = "conflict"


class InvalidInputError(DomainError):
    """Well-formed input that breaks a business rule (an assignee who is not a member)."""

    status_code = status.HTTP_422_UNPROCESSABLE_CONTENT
    code = "invalid_input"


class PermissionDeniedError(DomainError):
    """The caller is known but may not do this."""

    status_code = status.HTTP_403_FORBIDDEN
    code = "forbidden"


class AuthenticationError(DomainError):
    """Missing, invalid or expired credentials."""

    status_code = status.HTTP_401_UNAUTHORIZED
    code = "unauthorized"
    default_headers: ClassVar[dict[str, str]] = {"WWW-Authenticate": "Bearer"}


class RateLimitedError(DomainError):
    """Too many requests from this client."""

    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    code = "rate_limited"

    def __init__(self, message: str, retry_after_seconds: int) -> None:
        super().__init__(message, details={"retry_after_seconds": retry_after_seconds})
        self.headers["Retry-After"] = str(retry_after_seconds)


class ServiceUnavailableError(DomainError):
    """A dependency of the service (its database) cannot be reached: retry later."""

    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    code = "service_unavailable"
    default_headers: ClassVar[dict[str, str]] = {"Retry-After": "5"}


class RequestTooLargeError(StarletteHTTPException):
    """The request body is larger than the service accepts.

    An HTTPException, not a DomainError: it is raised while FastAPI reads the body, which
    lets only HTTPExceptions through (anything else becomes a 400).
    """

    code = "request_too_large"

    def __init__(self, max_body_bytes: int) -> None:
        super().__init__(
            status.HTTP_413_CONTENT_TOO_LARGE,
            f"The request body is larger than {max_body_bytes} bytes",
        )
        self.max_body_bytes = max_body_bytes

    def response(self) -> JSONResponse:
        """The 413 in the error shape."""
        details = {"max_body_bytes": self.max_body_bytes}
        return JSONResponse(
            error_body(self.code, self.detail, details), status_code=self.status_code
        )


class ErrorDetail(BaseModel):
    """What went wrong: a stable machine-readable code, a message, optional details."""

    code: str
    message: str
    details: Any = None


class ErrorResponse(BaseModel):
    """The one error shape of every non-2xx answer."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"error": {"code": "not_found", "message": "Task not found", "details": None}},
                {
                    "error": {
                        "code": "validation_error",
                        "message": "The request is invalid",
                        "details": [
                            {
                                "loc": ["body", "title"],
                                "message": "String should have at least 1 character",
                                "type": "string_too_short",
                            }
                        ],
                    }
                },
            ]
        }
    )

    error: ErrorDetail


_RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds to wait before trying again",
        "schema": {"type": "integer"},
    }
}
_ERROR_DESCRIPTIONS = {
    401: "Missing, invalid or expired credentials",
    403: "Authenticated, but not allowed",
    404: "Not found, or not visible to the caller",
    409: "Conflicts with the current state (taken email, stale version)",
    413: "The request body is too large",
    422: "The request does not validate",
    429: "Too many requests: retry after `Retry-After` seconds",
    500: "An unexpected error (logged with the request id)",
    503: "The database is unreachable: retry after `Retry-After` seconds",
}


def error_responses(*status_codes: int) -> dict[int | str, dict[str, Any]]:
    """The OpenAPI `responses` of these error statuses, each in the error shape (for a
    route's, a router's or the app's `responses=`: each operation documents the errors
    it can answer, and FastAPI's own 422 schema is replaced, as validation errors use the
    error shape too)."""
    responses: dict[int | str, dict[str, Any]] = {}
    for status_code in status_codes:
        response: dict[str, Any] = {
            "model": ErrorResponse,
            "description": _ERROR_DESCRIPTIONS[status_code],
        }
        if status_code in (429, 503):
            response["headers"] = _RETRY_AFTER
        responses[status_code] = response
    return responses


def error_body(code: str, message: str, details: Any = None) -> dict[str, Any]:
    """The one error shape."""
    return {"error": {"code": code, "message": message, "details": details}}


def _code_for_status(status_code: int) -> str:
    try:
        return HTTPStatus(status_code).phrase.lower().replace(" ", "_").replace("-", "_")
    except ValueError:
        return "error"


async def handle_domain_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    return JSONResponse(
        error_body(exc.code, exc.message, exc.details),
        status_code=exc.status_code,
        headers=exc.headers,
    )


async def handle_validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    details = [
        {"loc": list(error["loc"]), "message": error["msg"], "type": error["type"]}
        for error in exc.errors()
    ]
    return JSONResponse(
        error_body("validation_error", "The request is invalid", jsonable_encoder(details)),
        status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
    )


async def handle_http_exception(request: Request, exc: Exception) -> JSONResponse:
    """Starlette's own errors: unknown routes (404), wrong methods (405), bad bodies."""
    assert isinstance(exc, StarletteHTTPException)
    message = exc.detail if isinstance(exc.detail, str) else HTTPStatus(exc.status_code).phrase
    return JSONResponse(
        error_body(_code_for_status(exc.status_code), message),
        status_code=exc.status_code,
        headers=getattr(exc, "headers", None),
    )


async def handle_request_too_large(request: Request, exc: Exception) -> JSONResponse:
    """A body over the limit, found while it was read."""
    assert isinstance(exc, RequestTooLargeError)
    return exc.response()


async def handle_database_unavailable(request: Request, exc: Exception) -> JSONResponse:
    """The database cannot be reached (it refused or dropped the connection): a 503 the
    client may retry. Any other database error is a bug: a 500 with its traceback."""
    assert isinstance(exc, DBAPIError)
    if not (isinstance(exc, OperationalError) or exc.connection_invalidated):
        return await handle_unexpected_error(request, exc)
    logger.warning("database_unavailable", error=type(exc).__name__)
    unavailable = ServiceUnavailableError("The service is temporarily unavailable")
    return await handle_domain_error(request, unavailable)


async def handle_unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    """A bug: log it with its traceback, answer without one."""
    logger.exception("unhandled_error", exc_info=exc)
    return JSONResponse(
        error_body("internal_error", "An unexpected error occurred"),
        status_code=status.HTTP_500_INTERNAL_SERVER_ERROR,
    )


def install_error_handlers(app: FastAPI) -> None:
    """Route every error through the one shape."""
    app.add_exception_handler(DomainError, handle_domain_error)
    app.add_exception_handler(RequestValidationError, handle_validation_error)
    app.add_exception_handler(StarletteHTTPException, handle_http_exception)
    app.add_exception_handler(RequestTooLargeError, handle_request_too_large)
    app.add_exception_handler(DBAPIError, handle_database_unavailable)
    app.add_exception_handler(Exception, handle_unexpected_error)

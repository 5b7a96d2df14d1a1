"""Request id and request log, unexpected errors, and the request body limit: pure ASGI
middlewares (no BaseHTTPMiddleware overhead, and the body is counted as it arrives, never
buffered)."""

from __future__ import annotations

import re
import time
import uuid

import structlog
from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.errors import RequestTooLargeError, handle_unexpected_error

REQUEST_ID_HEADER = "X-Request-ID"
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,128}$")
logger = structlog.get_logger("app.request")


class RequestIdMiddleware:
    """Takes `X-Request-ID` from the request (or makes one), binds it to every log line
    of the request, returns it on the response, and logs one line per request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = next(
            (
                value.decode("latin-1")
                for name, value in scope["headers"]
                if name == REQUEST_ID_HEADER.lower().encode()
            ),
            "",
        )
        request_id = incoming if _VALID_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id)
        started = time.perf_counter()
        status_code = 500

        async def send_with_request_id(message: Message) -> None:
            nonlocal status_code
            if message["type"] == "http.response.start":
                status_code = message["status"]
                MutableHeaders(scope=message)[REQUEST_ID_HEADER] = request_id
            await send(message)

        try:
            await self.app(scope, receive, send_with_request_id)
        finally:
            # a 5xx is the service's failure: an error line, where alerts look
            log = logger.error if status_code >= 500 else logger.info
            log(
                "request",
                method=scope["method"],
                path=scope["path"],
                status=status_code,
                duration_ms=round((time.perf_counter() - started) * 1000, 2),
            )
            structlog.contextvars.clear_contextvars()


class UnexpectedErrorMiddleware:
    """Answers an exception no handler took with the 500 of the error shape, from inside
    the request id and CORS middlewares.

    Starlette renders the handler for `Exception` in its outermost middleware, outside
    every middleware of the app: the 500 would lose its request id and CORS headers, its
    log line would come after the request id was unbound, and the exception would go on to
    the server, which prints a second, plain-text traceback. Here the exception stops: it is
    logged once, with its traceback and the request id, and answered.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        response_started = False

        async def send_tracking_start(message: Message) -> None:
            nonlocal response_started
            response_started = response_started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, send_tracking_start)
        except Exception as error:
            response = await handle_unexpected_error(Request(scope), error)
            # Once the response has started it cannot become a 500: returning without
            # finishing it makes the server close the connection, so the client sees a
            # truncated response rather than a complete-looking one.
            if not response_started:
                await response(scope, receive, send)


class RequestBodyLimitMiddleware:
    """Refuses request bodies larger than `max_body_bytes` with a 413 in the error shape.

    A declared `Content-Length` over the limit is refused before anything is read; a body
    without one (chunked) is counted as its chunks arrive and cut off as soon as it passes
    the limit, so a client cannot make the service hold a body of any size in memory.
    """

    def __init__(self, app: ASGIApp, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.max_body_bytes:
            await RequestTooLargeError(self.max_body_bytes).response()(scope, receive, send)
            return
        received = 0

        async def receive_within_limit() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body_bytes:
                    # rendered by the app's handler for it, like any error of the request
                    raise RequestTooLargeError(self.max_body_bytes)
            return message

        await self.app(scope, receive_within_limit, send)


def _content_length(scope: Scope) -> int | None:
    """The declared body size, if the request declares a valid one."""
    for name, value in scope["headers"]:
        if name == b"content-length":
            return int(value) if value.isdigit() else None
    return None

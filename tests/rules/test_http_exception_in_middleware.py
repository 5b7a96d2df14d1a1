"""FG411: an `HTTPException` raised in an HTTP middleware answers 500."""

from __future__ import annotations

import pytest

from tests.helpers import check_code

MIDDLEWARE = """
from starlette.exceptions import HTTPException
from starlette.middleware.base import BaseHTTPMiddleware


class Gate(BaseHTTPMiddleware):
    async def dispatch(self, request, call_next):
        def refuse() -> None:
            raise HTTPException(status_code=403)

        try:
            check(request)
        except (ValueError, {caught}):
            raise HTTPException(status_code=400)
        try:
            {body}
        except {caught}:
            pass
        return await call_next(request)
"""


@pytest.mark.parametrize(
    ("caught", "body", "rows"),
    [
        ("KeyError", "raise HTTPException(status_code=401)", [13, 15]),
        ("Exception", "raise HTTPException(status_code=401)", [13]),
        ("HTTPException", "raise HTTPException", [13]),
    ],
)
def test_a_raise_in_dispatch_is_reported_unless_caught_there(
    caught: str, body: str, rows: list[int]
) -> None:
    """Starlette's `HTTPException` too; a helper defined inside runs wherever it is
    called (not reported); a raise in an `except` clause is not caught by its `try`."""
    source = MIDDLEWARE.format(caught=caught, body=body)
    found = check_code(source, "app/middleware/gate.py")
    assert [f.start.row for f in found if f.code == "FG411"] == rows

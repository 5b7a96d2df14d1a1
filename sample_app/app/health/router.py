"""Liveness and readiness probes."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from app.core.database import ping
from app.core.errors import error_body

router = APIRouter(prefix="/health", tags=["health"])
READY_TIMEOUT_SECONDS = 2.0


@router.get("/live")
async def live() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@router.get("/ready", responses={503: {"description": "The database is unreachable"}})
async def ready(request: Request) -> JSONResponse:
    """The service can reach its database (503 otherwise)."""
    engine: AsyncEngine = request.app.state.engine
    try:
        async with asyncio.timeout(READY_TIMEOUT_SECONDS):
            await ping(engine)
    except (OSError, TimeoutError, SQLAlchemyError):
        return JSONResponse(
            error_body("service_unavailable", "The database is unreachable"), status_code=503
        )
    return JSONResponse({"status": "ok"})

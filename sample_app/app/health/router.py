"""Liveness and readiness probes."""

from __future__ import annotations

import asyncio
from typing import Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict
from sqlalchemy.exc import SQLAlchemyError

from app.core.database import database_state, ping
from app.core.errors import ServiceUnavailableError, error_responses

router = APIRouter(prefix="/health", tags=["health"])
READY_TIMEOUT_SECONDS = 2.0


class HealthStatus(BaseModel):
    """The probe's answer when the service is fine."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"status": "ok"}]})

    status: Literal["ok"] = "ok"


@router.get("/live")
async def live() -> HealthStatus:
    """The process is up."""
    return HealthStatus()


@router.get("/ready", responses=error_responses(503))
async def ready(request: Request) -> HealthStatus:
    """The service can reach its database (503 otherwise)."""
    try:
        async with asyncio.timeout(READY_TIMEOUT_SECONDS):
            await ping(database_state(request)["engine"])
    except (OSError, TimeoutError, SQLAlchemyError) as error:
        raise ServiceUnavailableError("The database is unreachable") from error
    return HealthStatus()

"""Structured logs: one JSON line per request, carrying the request id."""

from __future__ import annotations

import io
import json
import logging

from support import started

from app.core.settings import Settings
from app.main import create_app


async def test_each_request_logs_one_json_line_with_its_request_id(settings: Settings) -> None:
    app = create_app(settings.model_copy(update={"log_json": True, "log_level": "INFO"}))
    stream = io.StringIO()
    handler = logging.getLogger().handlers[0]
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(stream)
    async with started(app) as client:
        await client.get("/health/live", headers={"X-Request-ID": "trace-me"})
    lines = [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]
    requests = [line for line in lines if line.get("event") == "request"]
    assert len(requests) == 1
    logged = requests[0]
    assert logged["request_id"] == "trace-me"
    assert (logged["method"], logged["path"], logged["status"]) == ("GET", "/health/live", 200)
    assert logged["level"] == "info"
    assert "timestamp" in logged
    assert logged["duration_ms"] >= 0

"""Work on a schedule, inside the app's process: started by the lifespan, cancelled at
shutdown. Each worker process runs its own schedule, so a job must be safe to run in
several processes at once (a DELETE of what is no longer needed is). Work that must run
exactly once, or that takes long, belongs to a scheduler outside (cron, a queue).

Work *after a response* is another matter: `BackgroundTasks` runs after the response is
sent, when the request's session (`Depends(get_session, scope="function")`) is already
closed. A background task opens its own session from the lifespan's sessionmaker
(`database_state(request)["sessionmaker"]`, passed to the task) and commits it, as
`app.auth.jobs.purge_refresh_tokens` does.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import structlog

logger = structlog.get_logger(__name__)


async def run_periodically(
    name: str, interval_seconds: float, job: Callable[[], Awaitable[int]]
) -> None:
    """Run `job` every `interval_seconds` until cancelled; a failed round is logged with
    its traceback, and the next round comes as planned."""
    while True:
        await asyncio.sleep(interval_seconds)
        try:
            done = await job()
        except Exception:
            logger.exception("job_failed", job=name)
        else:
            logger.info("job_done", job=name, count=done)

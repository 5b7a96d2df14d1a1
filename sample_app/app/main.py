"""The application factory: settings, database, middleware, errors and routers."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.routing import APIRoute
from pydantic import BaseModel

from app.auth.jobs import purge_refresh_tokens
from app.auth.router import router as auth_router
from app.core.database import DatabaseState, open_database
from app.core.errors import error_responses, install_error_handlers
from app.core.jobs import run_periodically
from app.core.logging import configure_logging
from app.core.middleware import (
    REQUEST_ID_HEADER,
    RequestBodyLimitMiddleware,
    RequestIdMiddleware,
    UnexpectedErrorMiddleware,
)
from app.core.rate_limit import RateLimiter, forget_old_rate_limit_counters
from app.core.security import PasswordHasher, TokenIssuer
from app.core.settings import Settings, get_settings
from app.health.router import router as health_router
from app.projects.router import router as projects_router
from app.tasks.router import router as tasks_router
from app.users.router import router as users_router

API_PREFIX = "/api/v1"


def operation_id(route: APIRoute) -> str:
    """An operation's id is its route function's name (`update_task`, not FastAPI's
    `update_task_api_v1_projects__project_id__tasks__task_id__patch`): generated clients
    get readable method names. Function names are unique across the app (a test checks)."""
    return route.name


def _app_models() -> dict[str, type[BaseModel]]:
    """The app's own pydantic models by name: the names of their OpenAPI components."""
    models: dict[str, type[BaseModel]] = {}
    pending = list(BaseModel.__subclasses__())
    while pending:
        model = pending.pop()
        pending.extend(model.__subclasses__())
        if model.__module__.startswith("app."):
            models[model.__name__] = model
    return models


def with_examples_as_written(schema: dict[str, Any]) -> dict[str, Any]:
    """Put each model's examples back as the model writes them. FastAPI drops every null
    of the OpenAPI document (`exclude_none`), those inside examples too: a task's
    `"deleted_at": null` would vanish, and its example would no longer be a valid answer."""
    models = _app_models()
    for name, component in schema.get("components", {}).get("schemas", {}).items():
        if name in models and "examples" in component:
            component["examples"] = models[name].model_json_schema()["examples"]
    return schema


def create_app(settings: Settings | None = None, hasher: PasswordHasher | None = None) -> FastAPI:
    """Build the app. Tests pass their own settings (and a cheaper password hasher)."""
    settings = settings or get_settings()
    configure_logging(settings.log_level, settings.log_json)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[DatabaseState]:
        """Own the database for the app's lifetime: the engine is made here, requests reach
        it through the yielded state (`database_state(request)`), and it is disposed
        after the last request, once the scheduled jobs are stopped."""
        async with open_database(settings) as database:
            sessionmaker = database["sessionmaker"]
            limiters = list(app.state.rate_limiters.values())
            jobs = {
                "purge_refresh_tokens": lambda: purge_refresh_tokens(sessionmaker),
                "forget_old_rate_limit_counters": lambda: forget_old_rate_limit_counters(
                    sessionmaker, limiters
                ),
            }
            interval = settings.purge_interval_seconds
            tasks = [
                asyncio.create_task(run_periodically(name, interval, job), name=name)
                for name, job in jobs.items()
            ]
            try:
                yield database
            finally:
                for task in tasks:
                    task.cancel()
                for task in tasks:
                    with contextlib.suppress(asyncio.CancelledError):
                        await task

    app = FastAPI(
        title="Sample app",
        version="0.1.0",
        lifespan=lifespan,
        generate_unique_id_function=operation_id,
        # The schema and its UIs tell an attacker every route: off in production unless
        # APP_API_DOCS says otherwise (no schema URL turns off /docs and /redoc too).
        openapi_url="/openapi.json" if settings.serves_api_docs else None,
        # Any operation can fail unexpectedly; each documents its own errors besides.
        responses=error_responses(500),
    )
    # What needs no opening or closing is made here, once; the database belongs to the
    # lifespan above.
    app.state.settings = settings
    app.state.password_hasher = hasher or PasswordHasher(threads=settings.password_hash_threads)
    app.state.token_issuer = TokenIssuer(settings)
    app.state.rate_limiters = {"auth": RateLimiter("auth", settings.auth_rate_limit_per_minute, 60)}

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = with_examples_as_written(FastAPI.openapi(app))
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]

    install_error_handlers(app)
    # Added last = outermost. The request id wraps everything, so every response has it and
    # every line logged during a request carries it; CORS wraps the unexpected-error
    # middleware, so a 500 has its CORS headers too (Starlette's own 500 is rendered
    # outside all of them); the body limit is innermost, so its 413s get all of this.
    app.add_middleware(RequestBodyLimitMiddleware, max_body_bytes=settings.max_request_body_bytes)
    app.add_middleware(GZipMiddleware, minimum_size=1000)
    app.add_middleware(UnexpectedErrorMiddleware)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.cors_origins,
        allow_credentials=True,
        allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
        allow_headers=["Authorization", "Content-Type", REQUEST_ID_HEADER],
        expose_headers=[REQUEST_ID_HEADER],
    )
    app.add_middleware(RequestIdMiddleware)

    # Every API operation uses the database.
    api = APIRouter(prefix=API_PREFIX, responses=error_responses(503))
    for router in (auth_router, users_router, projects_router, tasks_router):
        api.include_router(router)
    app.include_router(api)
    app.include_router(health_router)
    return app

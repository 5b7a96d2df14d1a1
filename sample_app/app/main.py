"""The application factory: settings, database, middleware, errors and routers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.middleware.gzip import GZipMiddleware

from app.auth.router import router as auth_router
from app.core.database import create_engine, create_sessionmaker
from app.core.errors import API_ERROR_RESPONSES, install_error_handlers
from app.core.logging import configure_logging
from app.core.middleware import (
    REQUEST_ID_HEADER,
    RequestBodyLimitMiddleware,
    RequestIdMiddleware,
)
from app.core.rate_limit import SlidingWindowLimiter
from app.core.security import PasswordHasher, TokenIssuer
from app.core.settings import Settings, get_settings
from app.health.router import router as health_router
from app.projects.router import router as projects_router
from app.tasks.router import router as tasks_router
from app.users.router import router as users_router

API_PREFIX = "/api/v1"


def create_app(settings: Settings | None = None, hasher: PasswordHasher | None = None) -> FastAPI:
    """Build the app. Tests pass their own settings (and a cheaper password hasher)."""
    settings = settings or get_settings()
    configure_logging(settings.log_level, settings.log_json)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        await app.state.engine.dispose()

    app = FastAPI(title="Sample app", version="0.1.0", lifespan=lifespan)
    engine = create_engine(settings)
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessionmaker = create_sessionmaker(engine)
    app.state.password_hasher = hasher or PasswordHasher(threads=settings.password_hash_threads)
    app.state.token_issuer = TokenIssuer(settings)
    app.state.rate_limiters = {
        "auth": SlidingWindowLimiter(settings.auth_rate_limit_per_minute, 60.0)
    }

    install_error_handlers(app)
    # Added last = outermost: the request id wraps everything, errors included; the body
    # limit is innermost, so its 413s get CORS headers, a request id and a log line.
    app.add_middleware(RequestBodyLimitMiddleware, max_body_bytes=settings.max_request_body_bytes)
    app.add_middleware(GZipMiddleware, minimum_size=1000)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.cors_origins,
        allow_credentials=True,
        allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
        allow_headers=["Authorization", "Content-Type", REQUEST_ID_HEADER],
        expose_headers=[REQUEST_ID_HEADER],
    )
    app.add_middleware(RequestIdMiddleware)

    api = APIRouter(prefix=API_PREFIX, responses=API_ERROR_RESPONSES)
    for router in (auth_router, users_router, projects_router, tasks_router):
        api.include_router(router)
    app.include_router(api)
    app.include_router(health_router)
    return app

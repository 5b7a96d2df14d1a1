"""Settings from the environment (pydantic-settings), validated once at start-up.

Every other module reads configuration from here: `os.environ` appears nowhere else.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Literal
from urllib.parse import urlsplit

from pydantic import AliasChoices, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

#: The secret used when none is configured: accepted only when APP_ENVIRONMENT is
#: explicitly `development` or `test` (see `refuse_default_secret_in_production`), so
#: publishing it is harmless.
DEVELOPMENT_JWT_SECRET = "development-only-secret-change-me-0123456789"  # noqa: FG502
#: The environments that may run on the published development secret.
DEVELOPMENT_ENVIRONMENTS = ("development", "test")


class DatabaseUrl(str):
    """A database URL whose `repr` hides its password, so the settings' repr and str, a
    debugger's or an error tracker's view of local variables never show it. It stays a
    `str`: drivers and `create_async_engine` take it as it is."""

    __slots__ = ()

    def __repr__(self) -> str:
        try:
            parts = urlsplit(self)
            has_password = parts.password is not None
        except ValueError:
            return "'***'"
        if not has_password:
            return super().__repr__()
        host = parts.netloc.rpartition("@")[2]
        return repr(parts._replace(netloc=f"{parts.username}:***@{host}").geturl())


class Settings(BaseSettings):
    """The service's configuration; environment variables are prefixed `APP_`."""

    # hide_input_in_errors: a validation error must not print a secret (or a database
    # URL's password) into a log; the messages name the variable instead.
    model_config = SettingsConfigDict(
        env_prefix="APP_", env_file=".env", extra="ignore", hide_input_in_errors=True
    )

    # Fail closed: without APP_ENVIRONMENT the service is in production, where the
    # development secret is refused.
    environment: Literal["development", "test", "production"] = "production"
    database_url: str = Field(
        default="postgresql+asyncpg://postgres@127.0.0.1:5432/app",
        validation_alias=AliasChoices("DATABASE_URL", "APP_DATABASE_URL"),
    )
    database_pool_size: int = 10
    database_connect_timeout_seconds: float = 5.0

    jwt_secret: SecretStr = SecretStr(DEVELOPMENT_JWT_SECRET)
    jwt_issuer: str = "sample-app"
    jwt_audience: str = "sample-app-api"
    access_token_minutes: int = Field(default=15, ge=1, le=60)
    refresh_token_days: int = Field(default=14, ge=1, le=90)

    cors_origins: list[str] = []
    #: Larger request bodies are refused with 413 while they arrive.
    max_request_body_bytes: int = Field(default=1024 * 1024, ge=1024)
    #: Argon2 hashes computed at once (each takes ~64 MiB and a core for ~0.2 s).
    password_hash_threads: int = Field(default=4, ge=1, le=64)
    auth_rate_limit_per_minute: int = Field(default=5, ge=1)
    #: How often each worker deletes what nobody needs any more: refresh tokens nobody can
    #: use, rate-limit counts no window covers.
    purge_interval_seconds: float = Field(default=3600.0, gt=0)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_json: bool = True
    #: Serve /openapi.json, /docs and /redoc; unset: everywhere but in production.
    api_docs: bool | None = None

    @property
    def serves_api_docs(self) -> bool:
        """Whether the OpenAPI schema and its UIs are served."""
        return self.environment != "production" if self.api_docs is None else self.api_docs

    @field_validator("database_url")
    @classmethod
    def use_the_async_driver(cls, value: str) -> str:
        """`postgresql://` URLs (as hosting platforms hand them out) get the asyncpg driver:
        a sync driver under `create_async_engine` fails at the first query. The URL is kept
        as a `DatabaseUrl`, whose repr hides its password."""
        for prefix in ("postgres://", "postgresql://", "postgresql+psycopg2://"):
            if value.startswith(prefix):
                return DatabaseUrl("postgresql+asyncpg://" + value.removeprefix(prefix))
        return DatabaseUrl(value)

    @field_validator("cors_origins")
    @classmethod
    def no_wildcard_origin(cls, value: list[str]) -> list[str]:
        """Browsers refuse `*` with credentials; list the origins instead."""
        if "*" in value:
            raise ValueError("CORS origins must be listed: '*' cannot be used with credentials")
        return value

    @model_validator(mode="after")
    def refuse_default_secret_in_production(self) -> Settings:
        """Tokens signed with a published secret can be forged by anyone: outside an
        explicit development or test environment, a real secret is required."""
        secret = self.jwt_secret.get_secret_value()
        if self.environment not in DEVELOPMENT_ENVIRONMENTS:
            if secret == DEVELOPMENT_JWT_SECRET:
                raise ValueError(
                    "APP_JWT_SECRET must be set in production "
                    "(APP_ENVIRONMENT=development or test accepts the development secret)"
                )
            if len(secret) < 32:
                raise ValueError("APP_JWT_SECRET must be at least 32 characters in production")
        return self


@lru_cache
def get_settings() -> Settings:
    """The process's settings, read once."""
    return Settings()

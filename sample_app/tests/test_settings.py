"""Settings refuse what is unsafe, and fix what is merely inconvenient."""

from __future__ import annotations

import pytest
from pydantic import SecretStr, ValidationError

from app.core.settings import Settings


def test_production_with_the_default_secret_is_refused() -> None:
    with pytest.raises(ValidationError, match="APP_JWT_SECRET must be set"):
        Settings(environment="production")


def test_production_with_a_short_secret_is_refused() -> None:
    with pytest.raises(ValidationError, match="at least 32 characters"):
        Settings(environment="production", jwt_secret=SecretStr("short"))


def test_production_with_a_real_secret_is_accepted() -> None:
    settings = Settings(environment="production", jwt_secret=SecretStr("x" * 48))
    assert settings.environment == "production"


@pytest.mark.parametrize(
    "url",
    ["postgres://u@h/db", "postgresql://u@h/db", "postgresql+psycopg2://u@h/db"],
)
def test_sync_database_urls_get_the_asyncpg_driver(url: str) -> None:
    assert Settings(database_url=url).database_url == "postgresql+asyncpg://u@h/db"


def test_wildcard_cors_origin_is_refused() -> None:
    with pytest.raises(ValidationError, match="CORS origins must be listed"):
        Settings(cors_origins=["*"])


def test_database_url_is_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://env@host/envdb")
    assert Settings().database_url == "postgresql+asyncpg://env@host/envdb"

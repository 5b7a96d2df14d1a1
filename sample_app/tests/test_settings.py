"""Settings refuse what is unsafe, and fix what is merely inconvenient."""

from __future__ import annotations

import re

import pytest
from pydantic import SecretStr, ValidationError
from support import SAMPLE_APP_DIR

from app.core.settings import DEVELOPMENT_JWT_SECRET, Settings


def settings_from(monkeypatch: pytest.MonkeyPatch, **environ: str) -> Settings:
    """Settings read from exactly these APP_* variables (no `.env` file, nothing else)."""
    for name in ["DATABASE_URL", *(f"APP_{name.upper()}" for name in Settings.model_fields)]:
        monkeypatch.delenv(name, raising=False)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    return Settings(_env_file=None)  # type: ignore[call-arg]


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
    settings = Settings(environment="test", database_url=url)
    assert settings.database_url == "postgresql+asyncpg://u@h/db"


def test_wildcard_cors_origin_is_refused() -> None:
    with pytest.raises(ValidationError, match="CORS origins must be listed"):
        Settings(environment="test", cors_origins=["*"])


def test_database_url_is_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = settings_from(
        monkeypatch, DATABASE_URL="postgresql://env@host/envdb", APP_ENVIRONMENT="development"
    )
    assert settings.database_url == "postgresql+asyncpg://env@host/envdb"


def test_without_app_environment_the_development_secret_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with pytest.raises(ValidationError, match="APP_JWT_SECRET must be set"):
        settings_from(monkeypatch)
    with pytest.raises(ValidationError, match="APP_JWT_SECRET must be set"):
        settings_from(monkeypatch, APP_JWT_SECRET=DEVELOPMENT_JWT_SECRET)


@pytest.mark.parametrize("environment", ["development", "test"])
def test_an_explicit_development_or_test_environment_accepts_the_development_secret(
    monkeypatch: pytest.MonkeyPatch, environment: str
) -> None:
    settings = settings_from(monkeypatch, APP_ENVIRONMENT=environment)
    assert settings.jwt_secret.get_secret_value() == DEVELOPMENT_JWT_SECRET


def test_a_settings_validation_error_does_not_print_secrets(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with pytest.raises(ValidationError, match="at least 32 characters") as refused:
        settings_from(
            monkeypatch,
            APP_ENVIRONMENT="production",
            APP_JWT_SECRET="hunter2-but-short",
            DATABASE_URL="postgresql://app:hunter2@db.internal/app",
        )
    assert "hunter2" not in str(refused.value)
    assert "hunter2" not in repr(refused.value)


def test_repr_and_str_of_the_settings_do_not_print_secrets() -> None:
    settings = Settings(
        environment="production",
        jwt_secret=SecretStr("jwt-" + "s3cret" * 8),
        database_url="postgresql://app:hunter2@db.internal:5432/app",
    )
    for shown in (repr(settings), str(settings), repr(settings.database_url)):
        assert "hunter2" not in shown
        assert "s3cret" not in shown
        assert "app:***@db.internal:5432/app" in shown  # where it connects, still said
    assert settings.database_url == "postgresql+asyncpg://app:hunter2@db.internal:5432/app"


def _env_example() -> dict[str, str]:
    """The variables `.env.example` lists, commented out or not."""
    text = (SAMPLE_APP_DIR / ".env.example").read_text(encoding="utf-8")
    return dict(re.findall(r"^#? ?(APP_\w+)=(.*)$", text, flags=re.MULTILINE))


def test_env_example_lists_every_setting() -> None:
    listed = set(_env_example())
    assert listed == {f"APP_{name.upper()}" for name in Settings.model_fields}


def test_env_example_as_copied_is_refused_until_a_secret_is_set(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    environ = {name: value for name, value in _env_example().items() if value}
    assert "APP_JWT_SECRET" not in environ
    with pytest.raises(ValidationError, match="APP_JWT_SECRET must be set"):
        settings_from(monkeypatch, **environ)
    settings = settings_from(monkeypatch, **environ, APP_JWT_SECRET="x" * 48)
    assert settings.environment == "production"

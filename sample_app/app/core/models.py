"""The declarative base: one MetaData with a naming convention, and shared columns."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, MetaData, func
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

#: Constraint names Alembic can find again: autogenerate and downgrades need stable names.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Base class of every ORM model."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class TimestampMixin:
    """Creation and update times, set by the database.

    `eager_defaults` fetches them with RETURNING after INSERT *and* UPDATE: an expired
    `updated_at` read later would need IO, which an async session cannot do implicitly.
    """

    __mapper_args__: dict[str, Any] = {"eager_defaults": True}  # noqa: RUF012

    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )


class SoftDeleteMixin:
    """Rows are marked deleted, kept for restore, and hidden from lists."""

    deleted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)

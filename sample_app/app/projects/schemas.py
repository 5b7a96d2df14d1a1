"""What the projects API reads and writes."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from pydantic.json_schema import SkipJsonSchema

from app.core.schemas import RequestModel
from app.projects.models import MemberRole

ProjectName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Description = Annotated[str, StringConstraints(max_length=10_000)]


class ProjectCreate(RequestModel):
    """A new project; the caller becomes its owner."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"name": "Analytical Engine", "description": "Notes and programs"}]
        },
    )

    name: ProjectName
    description: Description | None = None


class ProjectUpdate(RequestModel):
    """Fields to change; `description: null` clears the description. A project keeps a
    name: `name` cannot be null (None only means "not sent", kept out of the schema)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"name": "Difference Engine"}, {"description": None}]},
    )

    name: ProjectName | SkipJsonSchema[None] = None
    description: Description | None = None


class ProjectRead(BaseModel):
    """A project as the API shows it."""

    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "id": "5d2c7b1a-8e9f-4a3b-b6c5-d4e3f2a1b0c9",
                    "name": "Analytical Engine",
                    "description": "Notes and programs",
                    "owner_id": "0b6f8a5e-3c4d-4e2f-9a1b-7c8d9e0f1a2b",
                    "created_at": "2026-11-30T09:15:00Z",
                    "updated_at": "2026-11-30T10:42:07Z",
                    "deleted_at": None,
                }
            ]
        },
    )

    id: uuid.UUID
    name: str
    description: str | None
    owner_id: uuid.UUID
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None


class ProjectListParams(RequestModel):
    """Filters and order of the project list."""

    q: Annotated[str | None, Field(max_length=200, description="Name contains")] = None
    sort: Annotated[str, Field(pattern=r"^-?(created_at|name)$")] = "-created_at"


class MemberUpsert(RequestModel):
    """A member's role."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"role": "editor"}]})

    role: MemberRole


class MemberRead(BaseModel):
    """A project member."""

    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "user_id": "3a4b5c6d-7e8f-4091-a2b3-c4d5e6f7a8b9",
                    "role": "editor",
                    "created_at": "2026-11-30T10:42:07Z",
                }
            ]
        },
    )

    user_id: uuid.UUID
    role: MemberRole
    created_at: datetime

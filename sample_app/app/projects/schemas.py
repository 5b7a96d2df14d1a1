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

    model_config = ConfigDict(extra="forbid")

    name: ProjectName
    description: Description | None = None


class ProjectUpdate(RequestModel):
    """Fields to change; `description: null` clears the description. A project keeps a
    name: `name` cannot be null (None only means "not sent", kept out of the schema)."""

    model_config = ConfigDict(extra="forbid")

    name: ProjectName | SkipJsonSchema[None] = None
    description: Description | None = None


class ProjectRead(BaseModel):
    """A project as the API shows it."""

    model_config = ConfigDict(from_attributes=True)

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

    model_config = ConfigDict(extra="forbid")

    role: MemberRole


class MemberRead(BaseModel):
    """A project member."""

    model_config = ConfigDict(from_attributes=True)

    user_id: uuid.UUID
    role: MemberRole
    created_at: datetime

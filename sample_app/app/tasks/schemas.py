"""What the tasks API reads and writes."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    JsonValue,
    StringConstraints,
    field_validator,
)
from pydantic.json_schema import SkipJsonSchema
from pydantic_core import to_json

from app.core.schemas import RequestModel
from app.tasks.models import TaskStatus

Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
TagName = Annotated[
    str, StringConstraints(strip_whitespace=True, to_lower=True, min_length=1, max_length=50)
]
Priority = Annotated[int, Field(ge=0, le=3)]
#: Custom attributes are small: a bound on their encoded size, not only on the number of
#: keys (one key can hold megabytes).
MAX_ATTRIBUTES_BYTES = 16 * 1024


def _attributes_fit(value: dict[str, JsonValue]) -> dict[str, JsonValue]:
    if len(to_json(value)) > MAX_ATTRIBUTES_BYTES:
        raise ValueError(f"attributes must encode to at most {MAX_ATTRIBUTES_BYTES} bytes of JSON")
    return value


Attributes = Annotated[dict[str, JsonValue], Field(max_length=50), AfterValidator(_attributes_fit)]


class TaskCreate(RequestModel):
    """A new task."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "title": "Write the note on Bernoulli numbers",
                    "description": "Note G: the first published program",
                    "status": "todo",
                    "priority": 2,
                    "due_date": "2026-12-10",
                    "tags": ["notes", "math"],
                    "attributes": {"estimate_hours": 6, "reviewed": False},
                }
            ]
        },
    )

    title: Title
    description: Annotated[str, StringConstraints(max_length=10_000)] | None = None
    status: TaskStatus = TaskStatus.TODO
    priority: Priority = 0
    assignee_id: uuid.UUID | None = None
    due_date: date | None = None
    tags: Annotated[list[TagName], Field(max_length=20, default_factory=list)]
    attributes: Attributes = Field(default_factory=dict)


class TaskUpdate(RequestModel):
    """Fields to change, with the version the client last read (409 if it moved on).

    A field sent as null is set to null (`assignee_id: null` unassigns, `tags: null`
    removes every tag); a field not sent is left alone. `title`, `status`, `priority`
    and `attributes` cannot be null (`attributes: {}` clears them): their None only
    means "not sent", and `SkipJsonSchema` keeps it out of the OpenAPI schema.
    """

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "version": 3,
                    "status": "in_progress",
                    "assignee_id": "3a4b5c6d-7e8f-4091-a2b3-c4d5e6f7a8b9",
                },
                {"version": 4, "tags": None, "due_date": None},
            ]
        },
    )

    version: int = Field(ge=1)
    title: Title | SkipJsonSchema[None] = None
    description: Annotated[str, StringConstraints(max_length=10_000)] | None = None
    status: TaskStatus | SkipJsonSchema[None] = None
    priority: Priority | SkipJsonSchema[None] = None
    assignee_id: uuid.UUID | None = None
    due_date: date | None = None
    tags: Annotated[list[TagName], Field(max_length=20)] | None = None
    attributes: Attributes | SkipJsonSchema[None] = None


class TaskRead(BaseModel):
    """A task as the API shows it."""

    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "id": "9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a",
                    "project_id": "5d2c7b1a-8e9f-4a3b-b6c5-d4e3f2a1b0c9",
                    "title": "Write the note on Bernoulli numbers",
                    "description": "Note G: the first published program",
                    "status": "in_progress",
                    "priority": 2,
                    "assignee_id": "3a4b5c6d-7e8f-4091-a2b3-c4d5e6f7a8b9",
                    "due_date": "2026-12-10",
                    "tags": ["math", "notes"],
                    "attributes": {"estimate_hours": 6, "reviewed": False},
                    "version": 4,
                    "created_at": "2026-11-30T09:15:00Z",
                    "updated_at": "2026-11-30T10:42:07Z",
                    "deleted_at": None,
                }
            ]
        },
    )

    id: uuid.UUID
    project_id: uuid.UUID
    title: str
    description: str | None
    status: TaskStatus
    priority: int
    assignee_id: uuid.UUID | None
    due_date: date | None
    tags: list[str]
    attributes: dict[str, Any]
    version: int
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None

    @field_validator("tags", mode="before")
    @classmethod
    def tag_names(cls, value: Any) -> Any:
        """ORM tags are read as their names."""
        if isinstance(value, list):
            return [getattr(tag, "name", tag) for tag in value]
        return value


class TaskListParams(RequestModel):
    """Filters and order of the task list (all on indexed columns)."""

    status: TaskStatus | None = None
    assignee_id: uuid.UUID | None = None
    tag: Annotated[str | None, Field(max_length=50)] = None
    sort: Annotated[str, Field(pattern=r"^-?(created_at|due_date|priority|title)$")] = "-created_at"

"""What the users API reads and writes."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    StringConstraints,
    TypeAdapter,
    ValidationError,
)
from pydantic.json_schema import SkipJsonSchema

from app.core.schemas import RequestModel
from app.users.models import UserRole

Password = Annotated[str, StringConstraints(min_length=8, max_length=128)]
FullName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
#: An email as it is stored and looked up: normalised by email-validator (surrounding
#: spaces, Unicode forms, `Name <address>`), then lower-cased.
Email = Annotated[EmailStr, AfterValidator(str.lower)]
_EMAIL = TypeAdapter(Email)


def normalize_email(value: str) -> str | None:
    """`value` as registration stores it, or None when it is not an email address."""
    try:
        return _EMAIL.validate_python(value)
    except ValidationError:
        return None


class UserCreate(RequestModel):
    """Registration: an email, a password of 8 to 128 characters, an optional name."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "email": "ada@example.com",
                    "password": "correct horse battery staple",
                    "full_name": "Ada Lovelace",
                }
            ]
        },
    )

    email: Email
    password: Password
    full_name: FullName | None = None


class UserUpdate(RequestModel):
    """What a user may change of themselves. `full_name: null` clears the name; a new
    `password` needs the `current_password`, and signs out every session. The passwords
    cannot be null (their None only means "not sent", kept out of the OpenAPI schema)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"full_name": "Ada King"},
                {
                    "password": "a new and longer passphrase",
                    "current_password": "correct horse battery staple",
                },
            ]
        },
    )

    full_name: FullName | None = None
    password: Password | SkipJsonSchema[None] = None
    current_password: Annotated[str, StringConstraints(max_length=128)] | SkipJsonSchema[None] = (
        None
    )


class UserAdminUpdate(RequestModel):
    """What an admin may change of any user; neither field can be null (None only means
    "not sent", kept out of the OpenAPI schema)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"role": "admin"}, {"is_active": False}]},
    )

    role: UserRole | SkipJsonSchema[None] = None
    is_active: bool | SkipJsonSchema[None] = None


class UserRead(BaseModel):
    """A user as the API shows it (never the password hash)."""

    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "id": "0b6f8a5e-3c4d-4e2f-9a1b-7c8d9e0f1a2b",
                    "email": "ada@example.com",
                    "full_name": "Ada Lovelace",
                    "role": "user",
                    "is_active": True,
                    "created_at": "2026-11-30T09:15:00Z",
                }
            ]
        },
    )

    id: uuid.UUID
    email: EmailStr
    full_name: str | None
    role: UserRole
    is_active: bool
    created_at: datetime


class UserListParams(RequestModel):
    """Filters of the admin user list."""

    is_active: bool | None = None
    sort: Annotated[str, Field(pattern=r"^-?(created_at|email)$")] = "-created_at"

"""What the users API reads and writes."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, EmailStr, Field, StringConstraints

from app.core.schemas import RequestModel
from app.users.models import UserRole

Password = Annotated[str, StringConstraints(min_length=8, max_length=128)]
FullName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class UserCreate(RequestModel):
    """Registration: an email, a password of 8 to 128 characters, an optional name."""

    model_config = ConfigDict(extra="forbid")

    email: EmailStr
    password: Password
    full_name: FullName | None = None


class UserUpdate(RequestModel):
    """What a user may change of themselves. `full_name: null` clears the name."""

    model_config = ConfigDict(extra="forbid")

    full_name: FullName | None = None
    password: Password | None = None


class UserAdminUpdate(RequestModel):
    """What an admin may change of any user."""

    model_config = ConfigDict(extra="forbid")

    role: UserRole | None = None
    is_active: bool | None = None


class UserRead(BaseModel):
    """A user as the API shows it (never the password hash)."""

    model_config = ConfigDict(from_attributes=True)

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

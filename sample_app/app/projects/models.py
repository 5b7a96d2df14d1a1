"""Projects and their members."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import DateTime, Enum, ForeignKey, Index, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.models import Base, SoftDeleteMixin, TimestampMixin
from app.users.models import User


class MemberRole(enum.StrEnum):
    """What a member may do in a project. The owner may do everything."""

    VIEWER = "viewer"  # read
    EDITOR = "editor"  # read, and write tasks
    MAINTAINER = "maintainer"  # and edit the project and its members


class Project(TimestampMixin, SoftDeleteMixin, Base):
    """A project, owned by one user, shared with members."""

    __tablename__ = "projects"
    __table_args__ = (Index("ix_projects_owner_id_created_at", "owner_id", "created_at"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    name: Mapped[str] = mapped_column(String(200), index=True)
    description: Mapped[str | None] = mapped_column(Text, default=None)
    owner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))

    # lazy="raise": a relationship not loaded explicitly (selectinload) fails loudly
    # instead of issuing hidden IO, which async SQLAlchemy cannot do anyway.
    owner: Mapped[User] = relationship(lazy="raise")
    members: Mapped[list[ProjectMember]] = relationship(
        back_populates="project", lazy="raise", cascade="all, delete-orphan"
    )


class ProjectMember(Base):
    """A user's membership of a project, with a role."""

    __tablename__ = "project_members"

    project_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    role: Mapped[MemberRole] = mapped_column(
        Enum(MemberRole, name="member_role", values_callable=lambda e: [m.value for m in e])
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    project: Mapped[Project] = relationship(back_populates="members", lazy="raise")
    user: Mapped[User] = relationship(lazy="raise")

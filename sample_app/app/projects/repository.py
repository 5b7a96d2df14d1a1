"""All SQL about projects and members."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import ColumnElement, Select, exists, func, or_, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.pagination import PageRequest
from app.projects.models import MemberRole, Project, ProjectMember


def _visible_to(user_id: uuid.UUID) -> ColumnElement[bool]:
    """Projects the user owns or is a member of."""
    membership = exists().where(
        ProjectMember.project_id == Project.id, ProjectMember.user_id == user_id
    )
    return or_(Project.owner_id == user_id, membership)


class ProjectRepository:
    """Reads and writes projects in the request's session."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, project_id: uuid.UUID) -> Project | None:
        """A project by id, deleted or not."""
        return await self.session.get(Project, project_id)

    async def member(self, project_id: uuid.UUID, user_id: uuid.UUID) -> ProjectMember | None:
        """A user's membership of a project, if any."""
        return await self.session.get(ProjectMember, (project_id, user_id))

    async def add(self, project: Project) -> Project:
        """Insert a project."""
        self.session.add(project)
        await self.session.flush()
        return project

    async def upsert_member(
        self, project_id: uuid.UUID, user_id: uuid.UUID, role: MemberRole
    ) -> ProjectMember:
        """Add a membership or change its role, in one statement: two requests adding the
        same member at once both succeed (the second waits, then updates) instead of the
        second hitting the primary key."""
        statement = (
            insert(ProjectMember)
            .values(project_id=project_id, user_id=user_id, role=role)
            .on_conflict_do_update(
                index_elements=[ProjectMember.project_id, ProjectMember.user_id],
                set_={"role": role},
            )
            .returning(ProjectMember)
        )
        result = await self.session.scalars(
            statement, execution_options={"populate_existing": True}
        )
        return result.one()

    async def remove_member(self, member: ProjectMember) -> None:
        """Delete a membership."""
        await self.session.delete(member)
        await self.session.flush()

    async def members(self, project_id: uuid.UUID) -> Sequence[ProjectMember]:
        """The members of a project, oldest first."""
        rows = await self.session.scalars(
            select(ProjectMember)
            .where(ProjectMember.project_id == project_id)
            .order_by(ProjectMember.created_at, ProjectMember.user_id)
        )
        return rows.all()

    async def flush(self) -> None:
        """Send pending changes."""
        await self.session.flush()

    async def list_visible(
        self, user_id: uuid.UUID, page: PageRequest, q: str | None, sort: str
    ) -> tuple[Sequence[Project], int]:
        """One page of the live projects a user can see, and how many there are."""
        query: Select[Project] = select(Project).where(
            _visible_to(user_id), Project.deleted_at.is_(None)
        )
        if q:
            escaped = q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            query = query.where(Project.name.ilike(f"%{escaped}%", escape="\\"))
        total = await self.session.scalar(select(func.count()).select_from(query.subquery()))
        column = Project.name if sort.lstrip("-") == "name" else Project.created_at
        order = column.desc() if sort.startswith("-") else column.asc()
        rows = await self.session.scalars(
            query.order_by(order, Project.id).limit(page.limit).offset(page.offset)
        )
        return rows.all(), total or 0

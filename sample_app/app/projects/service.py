"""Use cases about projects and members, with the access rules of the domain.

A project is visible to its owner and its members only; to anyone else it does not
exist (404, so ids cannot be probed). Members need a role high enough for the action:
viewer < editor < maintainer < owner.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

from app.core.errors import InvalidInputError, NotFoundError, PermissionDeniedError
from app.core.pagination import PageRequest
from app.projects.models import MemberRole, Project, ProjectMember
from app.projects.repository import ProjectRepository
from app.projects.schemas import ProjectCreate, ProjectListParams, ProjectUpdate
from app.users.models import User
from app.users.repository import UserRepository

OWNER_RANK = 4
ROLE_RANK = {MemberRole.VIEWER: 1, MemberRole.EDITOR: 2, MemberRole.MAINTAINER: 3}


class ProjectNotFoundError(NotFoundError):
    """No project with this id is visible to the caller."""

    code = "project_not_found"


class ProjectService:
    """Projects and their membership."""

    def __init__(self, projects: ProjectRepository, users: UserRepository) -> None:
        self.projects = projects
        self.users = users

    async def rank(self, project: Project, user: User) -> int:
        """The caller's rank in a project (0: no access)."""
        if project.owner_id == user.id:
            return OWNER_RANK
        member = await self.projects.member(project.id, user.id)
        return ROLE_RANK[member.role] if member is not None else 0

    async def get_for(
        self,
        user: User,
        project_id: uuid.UUID,
        min_rank: int = ROLE_RANK[MemberRole.VIEWER],
        include_deleted: bool = False,
    ) -> Project:
        """A project the caller may act on with at least `min_rank`."""
        project = await self.projects.get(project_id)
        if project is None or (project.deleted_at is not None and not include_deleted):
            raise ProjectNotFoundError("Project not found")
        rank = await self.rank(project, user)
        if rank == 0:
            raise ProjectNotFoundError("Project not found")
        if rank < min_rank:
            raise PermissionDeniedError("Your role in this project does not allow this")
        return project

    async def create(self, user: User, data: ProjectCreate) -> Project:
        """A new project owned by the caller."""
        project = Project(name=data.name, description=data.description, owner_id=user.id)
        return await self.projects.add(project)

    async def list_for(
        self, user: User, page: PageRequest, params: ProjectListParams
    ) -> tuple[Sequence[Project], int]:
        """The caller's live projects."""
        return await self.projects.list_visible(user.id, page, params.q, params.sort)

    async def update(self, user: User, project_id: uuid.UUID, data: ProjectUpdate) -> Project:
        """Change name or description (maintainers and the owner)."""
        project = await self.get_for(user, project_id, ROLE_RANK[MemberRole.MAINTAINER])
        changes = data.model_dump(exclude_unset=True)
        if "name" in changes:
            if changes["name"] is None:
                raise InvalidInputError("A project needs a name", details={"field": "name"})
            project.name = changes["name"]
        if "description" in changes:
            project.description = changes["description"]
        await self.projects.flush()
        return project

    async def delete(self, user: User, project_id: uuid.UUID) -> None:
        """Soft-delete a project (owner only); it can be restored."""
        project = await self.get_for(user, project_id, OWNER_RANK)
        project.deleted_at = datetime.now(UTC)
        await self.projects.flush()

    async def restore(self, user: User, project_id: uuid.UUID) -> Project:
        """Bring back a soft-deleted project (owner only)."""
        project = await self.get_for(user, project_id, OWNER_RANK, include_deleted=True)
        project.deleted_at = None
        await self.projects.flush()
        return project

    async def list_members(self, user: User, project_id: uuid.UUID) -> Sequence[ProjectMember]:
        """The members of a project the caller can see."""
        project = await self.get_for(user, project_id)
        return await self.projects.members(project.id)

    async def set_member(
        self, user: User, project_id: uuid.UUID, member_id: uuid.UUID, role: MemberRole
    ) -> ProjectMember:
        """Add a member or change their role (maintainers and the owner)."""
        project = await self.get_for(user, project_id, ROLE_RANK[MemberRole.MAINTAINER])
        if member_id == project.owner_id:
            raise InvalidInputError("The owner is not a member of their own project")
        if await self.users.get(member_id) is None:
            raise NotFoundError("User not found")
        return await self.projects.upsert_member(project.id, member_id, role)

    async def remove_member(self, user: User, project_id: uuid.UUID, member_id: uuid.UUID) -> None:
        """Remove a member (maintainers and the owner; anyone may leave)."""
        minimum = ROLE_RANK[MemberRole.VIEWER] if member_id == user.id else OWNER_RANK - 1
        project = await self.get_for(user, project_id, minimum)
        member = await self.projects.member(project.id, member_id)
        if member is None:
            raise NotFoundError("Member not found")
        await self.projects.remove_member(member)

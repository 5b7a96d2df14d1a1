"""Project endpoints."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, status

from app.auth.dependencies import ActiveUser
from app.core.errors import error_responses
from app.core.pagination import Page, PageRequestDep, page_of
from app.projects.dependencies import ProjectServiceDep
from app.projects.schemas import (
    MemberRead,
    MemberUpsert,
    ProjectCreate,
    ProjectListParams,
    ProjectRead,
    ProjectUpdate,
)

# Every route needs an active user (401; 403, as for a role that does not allow the
# change) and validates its input (422).
router = APIRouter(prefix="/projects", tags=["projects"], responses=error_responses(401, 403, 422))


@router.post("", status_code=status.HTTP_201_CREATED, responses=error_responses(413))
async def create_project(
    payload: ProjectCreate, user: ActiveUser, projects: ProjectServiceDep
) -> ProjectRead:
    """Create a project owned by the caller."""
    return ProjectRead.model_validate(await projects.create(user, payload))


@router.get("")
async def list_projects(
    user: ActiveUser,
    projects: ProjectServiceDep,
    page: PageRequestDep,
    params: Annotated[ProjectListParams, Query()],
) -> Page[ProjectRead]:
    """The projects the caller owns or is a member of."""
    items, total = await projects.list_for(user, page, params)
    return page_of(ProjectRead, items, total, page)


@router.get("/{project_id}", responses=error_responses(404))
async def get_project(
    project_id: uuid.UUID, user: ActiveUser, projects: ProjectServiceDep
) -> ProjectRead:
    """One project."""
    return ProjectRead.model_validate(await projects.get_for(user, project_id))


@router.patch("/{project_id}", responses=error_responses(404, 413))
async def update_project(
    project_id: uuid.UUID, payload: ProjectUpdate, user: ActiveUser, projects: ProjectServiceDep
) -> ProjectRead:
    """Change a project (maintainers and the owner)."""
    return ProjectRead.model_validate(await projects.update(user, project_id, payload))


@router.delete(
    "/{project_id}", status_code=status.HTTP_204_NO_CONTENT, responses=error_responses(404)
)
async def delete_project(
    project_id: uuid.UUID, user: ActiveUser, projects: ProjectServiceDep
) -> None:
    """Soft-delete a project (owner only)."""
    await projects.delete(user, project_id)


@router.post("/{project_id}/restore", responses=error_responses(404))
async def restore_project(
    project_id: uuid.UUID, user: ActiveUser, projects: ProjectServiceDep
) -> ProjectRead:
    """Restore a soft-deleted project (owner only)."""
    return ProjectRead.model_validate(await projects.restore(user, project_id))


@router.get("/{project_id}/members", responses=error_responses(404))
async def list_members(
    project_id: uuid.UUID, user: ActiveUser, projects: ProjectServiceDep
) -> list[MemberRead]:
    """The members of a project."""
    return [MemberRead.model_validate(m) for m in await projects.list_members(user, project_id)]


@router.put("/{project_id}/members/{member_id}", responses=error_responses(404, 413))
async def set_member(
    project_id: uuid.UUID,
    member_id: uuid.UUID,
    payload: MemberUpsert,
    user: ActiveUser,
    projects: ProjectServiceDep,
) -> MemberRead:
    """Add a member, or change their role (maintainers and the owner)."""
    member = await projects.set_member(user, project_id, member_id, payload.role)
    return MemberRead.model_validate(member)


@router.delete(
    "/{project_id}/members/{member_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(404),
)
async def remove_member(
    project_id: uuid.UUID, member_id: uuid.UUID, user: ActiveUser, projects: ProjectServiceDep
) -> None:
    """Remove a member (maintainers and the owner), or leave a project."""
    await projects.remove_member(user, project_id, member_id)

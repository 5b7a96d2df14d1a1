"""Service factories of the projects domain."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from app.core.database import SessionDep
from app.projects.repository import ProjectRepository
from app.projects.service import ProjectService
from app.users.repository import UserRepository


def get_project_service(session: SessionDep) -> ProjectService:
    """The projects service bound to this request's session."""
    return ProjectService(ProjectRepository(session), UserRepository(session))


ProjectServiceDep = Annotated[ProjectService, Depends(get_project_service)]

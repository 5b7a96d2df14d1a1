"""Service factories of the tasks domain."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from app.core.database import SessionDep
from app.projects.dependencies import ProjectServiceDep
from app.tasks.repository import TaskRepository
from app.tasks.service import TaskService


def get_task_service(session: SessionDep, projects: ProjectServiceDep) -> TaskService:
    """The tasks service bound to this request's session."""
    return TaskService(TaskRepository(session), projects)


TaskServiceDep = Annotated[TaskService, Depends(get_task_service)]

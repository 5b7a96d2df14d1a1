"""Use cases about tasks: editors write, viewers read, stale updates are refused."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy.orm.exc import StaleDataError

from app.core.errors import ConflictError, InvalidInputError, NotFoundError
from app.core.pagination import PageRequest
from app.projects.models import MemberRole, Project
from app.projects.service import ROLE_RANK, ProjectService
from app.tasks.models import Task
from app.tasks.repository import TaskRepository
from app.tasks.schemas import TaskCreate, TaskListParams, TaskUpdate
from app.users.models import User

EDITOR = ROLE_RANK[MemberRole.EDITOR]
#: Columns without a null: sent as null, they are a 422 (`attributes: {}` clears those).
_NOT_NULL = ("title", "status", "priority", "attributes")


class TaskNotFoundError(NotFoundError):
    """No such task in this project."""

    code = "task_not_found"


class StaleTaskError(ConflictError):
    """The task changed since the client read it."""

    code = "stale_version"


class TaskService:
    """Tasks of the projects the caller can see."""

    def __init__(self, tasks: TaskRepository, projects: ProjectService) -> None:
        self.tasks = tasks
        self.projects = projects

    async def _check_assignee(self, project: Project, assignee_id: uuid.UUID | None) -> None:
        if assignee_id is None or assignee_id == project.owner_id:
            return
        if await self.projects.projects.member(project.id, assignee_id) is None:
            raise InvalidInputError(
                "The assignee must be the owner or a member of the project",
                details={"field": "assignee_id"},
            )

    async def _task(self, project: Project, task_id: uuid.UUID, deleted: bool = False) -> Task:
        task = await self.tasks.get(project.id, task_id)
        if task is None or (task.deleted_at is not None) != deleted:
            raise TaskNotFoundError("Task not found")
        return task

    async def create(self, user: User, project_id: uuid.UUID, data: TaskCreate) -> Task:
        """A new task (editors and up)."""
        project = await self.projects.get_for(user, project_id, EDITOR)
        await self._check_assignee(project, data.assignee_id)
        task = Task(
            project_id=project.id,
            title=data.title,
            description=data.description,
            status=data.status,
            priority=data.priority,
            assignee_id=data.assignee_id,
            due_date=data.due_date,
            attributes=data.attributes,
            created_by_id=user.id,
            tags=await self.tasks.tags_named(project.id, data.tags),
        )
        return await self.tasks.add(task)

    async def get(self, user: User, project_id: uuid.UUID, task_id: uuid.UUID) -> Task:
        """One live task."""
        project = await self.projects.get_for(user, project_id)
        return await self._task(project, task_id)

    async def list(
        self, user: User, project_id: uuid.UUID, page: PageRequest, params: TaskListParams
    ) -> tuple[Sequence[Task], int]:
        """A page of a project's live tasks."""
        project = await self.projects.get_for(user, project_id)
        return await self.tasks.list(
            project.id, page, params.status, params.assignee_id, params.tag, params.sort
        )

    async def update(
        self, user: User, project_id: uuid.UUID, task_id: uuid.UUID, data: TaskUpdate
    ) -> Task:
        """Apply the fields sent, if the client read the current version. Any change,
        tags included, is a new version."""
        project = await self.projects.get_for(user, project_id, EDITOR)
        task = await self._task(project, task_id)
        if data.version != task.version:
            raise StaleTaskError(
                "The task was changed by someone else: reload it and try again",
                details={"current_version": task.version},
            )
        changes = data.model_dump(exclude_unset=True, exclude={"version"})
        if not changes:
            return task
        for field in _NOT_NULL:
            if field in changes and changes[field] is None:
                raise InvalidInputError(f"`{field}` cannot be null", details={"field": field})
        if "assignee_id" in changes:
            await self._check_assignee(project, changes["assignee_id"])
        if "tags" in changes:
            task.tags = await self.tasks.tags_named(project.id, changes.pop("tags") or [])
        for field, value in changes.items():
            setattr(task, field, value)
        try:
            await self.tasks.save_changes(task)
        except StaleDataError as error:  # a concurrent update won between read and write
            raise StaleTaskError(
                "The task was changed by someone else: reload it and try again"
            ) from error
        return task

    async def delete(self, user: User, project_id: uuid.UUID, task_id: uuid.UUID) -> None:
        """Soft-delete a task (editors and up)."""
        project = await self.projects.get_for(user, project_id, EDITOR)
        task = await self._task(project, task_id)
        task.deleted_at = datetime.now(UTC)
        await self.tasks.flush()

    async def restore(self, user: User, project_id: uuid.UUID, task_id: uuid.UUID) -> Task:
        """Bring back a soft-deleted task (editors and up)."""
        project = await self.projects.get_for(user, project_id, EDITOR)
        task = await self._task(project, task_id, deleted=True)
        task.deleted_at = None
        await self.tasks.flush()
        return task

"""Task endpoints, nested under their project."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, status

from app.auth.dependencies import ActiveUser
from app.core.errors import error_responses
from app.core.pagination import Page, PageRequestDep, page_of
from app.tasks.dependencies import TaskServiceDep
from app.tasks.schemas import TaskCreate, TaskListParams, TaskRead, TaskUpdate

# Every route needs an active user with a role in the project (401, 403), names a
# project that may not exist (404) and validates its input (422).
router = APIRouter(
    prefix="/projects/{project_id}/tasks",
    tags=["tasks"],
    responses=error_responses(401, 403, 404, 422),
)


@router.post("", status_code=status.HTTP_201_CREATED, responses=error_responses(413))
async def create_task(
    project_id: uuid.UUID, payload: TaskCreate, user: ActiveUser, tasks: TaskServiceDep
) -> TaskRead:
    """Create a task (editors, maintainers and the owner)."""
    return TaskRead.model_validate(await tasks.create(user, project_id, payload))


@router.get("")
async def list_tasks(
    project_id: uuid.UUID,
    user: ActiveUser,
    tasks: TaskServiceDep,
    page: PageRequestDep,
    params: Annotated[TaskListParams, Query()],
) -> Page[TaskRead]:
    """A project's tasks, filtered by status, assignee or tag, and sorted."""
    items, total = await tasks.list(user, project_id, page, params)
    return page_of(TaskRead, items, total, page)


@router.get("/{task_id}")
async def get_task(
    project_id: uuid.UUID, task_id: uuid.UUID, user: ActiveUser, tasks: TaskServiceDep
) -> TaskRead:
    """One task."""
    return TaskRead.model_validate(await tasks.get(user, project_id, task_id))


@router.patch("/{task_id}", responses=error_responses(409, 413))
async def update_task(
    project_id: uuid.UUID,
    task_id: uuid.UUID,
    payload: TaskUpdate,
    user: ActiveUser,
    tasks: TaskServiceDep,
) -> TaskRead:
    """Change a task; send the `version` you read (409 when it is stale)."""
    return TaskRead.model_validate(await tasks.update(user, project_id, task_id, payload))


@router.delete("/{task_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_task(
    project_id: uuid.UUID, task_id: uuid.UUID, user: ActiveUser, tasks: TaskServiceDep
) -> None:
    """Soft-delete a task."""
    await tasks.delete(user, project_id, task_id)


@router.post("/{task_id}/restore")
async def restore_task(
    project_id: uuid.UUID, task_id: uuid.UUID, user: ActiveUser, tasks: TaskServiceDep
) -> TaskRead:
    """Restore a soft-deleted task."""
    return TaskRead.model_validate(await tasks.restore(user, project_id, task_id))

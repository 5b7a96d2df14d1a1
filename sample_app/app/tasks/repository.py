"""All SQL about tasks and tags."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from app.core.pagination import PageRequest
from app.tasks.models import Tag, Task, TaskStatus

_SORT_COLUMNS = {
    "created_at": Task.created_at,
    "due_date": Task.due_date,
    "priority": Task.priority,
    "title": Task.title,
}


class TaskRepository:
    """Reads and writes tasks in the request's session; tags are always loaded with them
    (selectinload: one more query per page, whatever its size)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, project_id: uuid.UUID, task_id: uuid.UUID) -> Task | None:
        """A task of a project, deleted or not, with its tags."""
        result = await self.session.execute(
            select(Task)
            .where(Task.id == task_id, Task.project_id == project_id)
            .options(selectinload(Task.tags))
        )
        return result.scalar_one_or_none()

    async def add(self, task: Task) -> Task:
        """Insert a task."""
        self.session.add(task)
        await self.session.flush()
        return task

    async def flush(self) -> None:
        """Send pending changes."""
        await self.session.flush()

    async def save_changes(self, task: Task) -> None:
        """Send a task's changes as an UPDATE of its row, even when only its tags changed
        (they live in `task_tags`): the row's version check and bump, and `updated_at`,
        then cover every change. A version that moved on raises StaleDataError here."""
        task.updated_at = func.now()
        await self.session.flush()

    async def tags_named(self, project_id: uuid.UUID, names: Sequence[str]) -> list[Tag]:
        """The project's tags with these names, created when missing (race-free)."""
        unique = sorted(set(names))
        if not unique:
            return []
        await self.session.execute(
            insert(Tag)
            .values([{"id": uuid.uuid4(), "project_id": project_id, "name": n} for n in unique])
            .on_conflict_do_nothing(index_elements=["project_id", "name"])
        )
        rows = await self.session.scalars(
            select(Tag).where(Tag.project_id == project_id, Tag.name.in_(unique))
        )
        return list(rows.all())

    async def list(
        self,
        project_id: uuid.UUID,
        page: PageRequest,
        status: TaskStatus | None,
        assignee_id: uuid.UUID | None,
        tag: str | None,
        sort: str,
    ) -> tuple[Sequence[Task], int]:
        """One page of a project's live tasks, filtered, and how many match."""
        conditions: list[ColumnElement[bool]] = [
            Task.project_id == project_id,
            Task.deleted_at.is_(None),
        ]
        if status is not None:
            conditions.append(Task.status == status)
        if assignee_id is not None:
            conditions.append(Task.assignee_id == assignee_id)
        if tag is not None:
            conditions.append(Task.tags.any(Tag.name == tag.strip().lower()))
        total = await self.session.scalar(select(func.count()).select_from(Task).where(*conditions))
        column = _SORT_COLUMNS[sort.lstrip("-")]
        order = column.desc().nulls_last() if sort.startswith("-") else column.asc().nulls_last()
        rows = await self.session.scalars(
            select(Task)
            .where(*conditions)
            .options(selectinload(Task.tags))
            .order_by(order, Task.id)
            .limit(page.limit)
            .offset(page.offset)
        )
        return rows.all(), total or 0

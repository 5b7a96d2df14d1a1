"""No N+1: every list endpoint sends the same number of SQL statements for 1, 20 and 100
items (counted with SQLAlchemy's `before_cursor_execute` event on the test's connection,
which the app's sessions share)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncConnection
from support import Factory

from app.projects.models import MemberRole, Project
from app.tasks.models import Tag
from app.users.models import User, UserRole

SIZES = (1, 20, 100)


@pytest.fixture
def statements(connection: AsyncConnection) -> Iterator[list[str]]:
    """The SQL statements sent on the test's connection while the list is in use."""
    sent: list[str] = []

    def record(*args: Any) -> None:
        sent.append(args[2])

    sync = connection.sync_connection
    assert sync is not None
    event.listen(sync, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        event.remove(sync, "before_cursor_execute", record)


async def _count(
    statements: list[str], request: Callable[[], Awaitable[httpx.Response]], expected: int
) -> int:
    statements.clear()
    response = await request()
    assert statements, "the counter saw no statement"
    assert response.status_code == 200, response.text
    body = response.json()
    assert len(body["items"] if isinstance(body, dict) else body) == expected
    return len(statements)


async def test_listing_tasks_with_tags_and_assignees(
    client: httpx.AsyncClient, factory: Factory, statements: list[str]
) -> None:
    owner = await factory.user()
    counts = []
    for size in SIZES:
        assignee = await factory.user()
        project = await factory.project(owner, members={assignee: MemberRole.EDITOR})
        for number in range(size):
            task = await factory.task(project, title=f"task {number}", assignee=assignee)
            task.tags = [Tag(project_id=project.id, name=f"tag-{number}-{k}") for k in range(2)]
        await factory.db.flush()
        url = f"/api/v1/projects/{project.id}/tasks"
        headers = factory.headers(owner)

        async def request(url: str = url, headers: dict[str, str] = headers) -> httpx.Response:
            return await client.get(url, params={"limit": 100}, headers=headers)

        counts.append(await _count(statements, request, size))
    assert counts[0] == counts[1] == counts[2], counts


async def test_listing_projects_and_members(
    client: httpx.AsyncClient, factory: Factory, statements: list[str]
) -> None:
    project_counts, member_counts = [], []
    for size in SIZES:
        owner = await factory.user()
        members = {await factory.user(): MemberRole.VIEWER for _ in range(size)}
        first: Project | None = None
        for number in range(size):
            project = await factory.project(owner, name=f"p{number}", members=members)
            first = first or project
        assert first is not None
        headers = factory.headers(owner)

        async def projects(headers: dict[str, str] = headers) -> httpx.Response:
            return await client.get("/api/v1/projects", params={"limit": 100}, headers=headers)

        async def member_list(
            project: Project = first, headers: dict[str, str] = headers
        ) -> httpx.Response:
            return await client.get(f"/api/v1/projects/{project.id}/members", headers=headers)

        project_counts.append(await _count(statements, projects, size))
        member_counts.append(await _count(statements, member_list, size))
    assert project_counts[0] == project_counts[1] == project_counts[2], project_counts
    assert member_counts[0] == member_counts[1] == member_counts[2], member_counts


async def test_listing_users(
    client: httpx.AsyncClient, factory: Factory, statements: list[str]
) -> None:
    admin = await factory.user(role=UserRole.ADMIN)
    headers = factory.headers(admin)
    counts = []
    created: list[User] = []
    for size in SIZES:
        while len(created) < size:
            created.append(await factory.user(email=f"listed-{len(created)}@example.com"))

        async def request(size: int = size) -> httpx.Response:
            return await client.get("/api/v1/users", params={"limit": size}, headers=headers)

        counts.append(await _count(statements, request, size))
    assert counts[0] == counts[1] == counts[2], counts

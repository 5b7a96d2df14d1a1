"""Every project and task route, called by a user who is not in the project: 404 in the
error shape (a stranger learns nothing, not even that the project exists), and nothing
in the database changes."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import func, select
from support import Factory, assert_error

from app.projects.models import MemberRole, Project, ProjectMember
from app.tasks.models import Task
from app.users.models import User

#: (method, path template, JSON body, the error code): bodies are valid, so that
#: only the authorisation can refuse the request.
ROUTES = [
    ("GET", "/projects/{project}", None, "project_not_found"),
    ("PATCH", "/projects/{project}", {"name": "hijacked"}, "project_not_found"),
    ("DELETE", "/projects/{project}", None, "project_not_found"),
    ("POST", "/projects/{project}/restore", None, "project_not_found"),
    ("GET", "/projects/{project}/members", None, "project_not_found"),
    ("PUT", "/projects/{project}/members/{stranger}", {"role": "maintainer"}, "project_not_found"),
    ("DELETE", "/projects/{project}/members/{member}", None, "project_not_found"),
    ("POST", "/projects/{project}/tasks", {"title": "planted"}, "project_not_found"),
    ("GET", "/projects/{project}/tasks", None, "project_not_found"),
    ("GET", "/projects/{project}/tasks/{task}", None, "project_not_found"),
    (
        "PATCH",
        "/projects/{project}/tasks/{task}",
        {"version": 1, "title": "x"},
        "project_not_found",
    ),
    ("DELETE", "/projects/{project}/tasks/{task}", None, "project_not_found"),
    ("POST", "/projects/{project}/tasks/{task}/restore", None, "project_not_found"),
]


async def _state(factory: Factory, project: Project) -> tuple[object, ...]:
    """What a stranger's request must not change."""
    db = factory.db
    await db.refresh(project)
    members = await db.scalar(
        select(func.count())
        .select_from(ProjectMember)
        .where(ProjectMember.project_id == project.id)
    )
    tasks = (await db.scalars(select(Task).where(Task.project_id == project.id))).all()
    for task in tasks:
        await db.refresh(task)
    return (
        project.name,
        project.deleted_at,
        members,
        sorted((t.title, t.version, t.deleted_at is None) for t in tasks),
    )


@pytest.mark.parametrize(
    ("method", "template", "body", "code"),
    ROUTES,
    ids=[f"{method} {template}" for method, template, _, _ in ROUTES],
)
async def test_a_stranger_gets_404_and_changes_nothing(
    client: httpx.AsyncClient,
    factory: Factory,
    method: str,
    template: str,
    body: dict[str, object] | None,
    code: str,
) -> None:
    owner, member, stranger = await factory.user(), await factory.user(), await factory.user()
    project = await factory.project(owner, members={member: MemberRole.EDITOR})
    task = await factory.task(project, title="original")
    before = await _state(factory, project)
    path = "/api/v1" + template.format(
        project=project.id, task=task.id, member=member.id, stranger=stranger.id
    )
    response = await client.request(method, path, json=body, headers=factory.headers(stranger))
    assert_error(response, 404, code)
    assert await _state(factory, project) == before


async def test_a_deleted_project_is_gone_for_its_members_too(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    owner, editor = await factory.user(), await factory.user()
    project = await factory.project(owner, members={editor: MemberRole.EDITOR})
    assert (
        await client.delete(f"/api/v1/projects/{project.id}", headers=factory.headers(owner))
    ).status_code == 204
    response = await client.get(
        f"/api/v1/projects/{project.id}/tasks", headers=factory.headers(editor)
    )
    assert_error(response, 404, "project_not_found")


async def test_a_user_cannot_act_as_an_admin(client: httpx.AsyncClient, factory: Factory) -> None:
    user, victim = await factory.user(), await factory.user()
    response = await client.patch(
        f"/api/v1/users/{victim.id}", json={"is_active": False}, headers=factory.headers(user)
    )
    assert_error(response, 403, "forbidden")
    await factory.db.refresh(victim)
    assert isinstance(victim, User) and victim.is_active


@pytest.mark.parametrize(
    ("method", "path", "kwargs"),
    [
        ("PATCH", "/api/v1/users/me", {"json": {"full_name": "nul\u0000byte"}}),
        ("PATCH", "/api/v1/users/me", {"content": b'{"full_name": "\\udb25"}'}),
        ("GET", "/api/v1/projects", {"params": {"q": "a\u0000b"}}),
        ("POST", "/api/v1/projects", {"json": {"name": "x", "description": "\u0000"}}),
    ],
    ids=["nul-in-body", "lone-surrogate", "nul-in-query", "nul-in-create"],
)
async def test_text_the_database_cannot_store_is_a_422(
    client: httpx.AsyncClient,
    factory: Factory,
    method: str,
    path: str,
    kwargs: dict[str, object],
) -> None:
    user = await factory.user()
    headers = {**factory.headers(user), "Content-Type": "application/json"}
    response = await client.request(method, path, headers=headers, **kwargs)  # type: ignore[arg-type]
    assert_error(response, 422, "validation_error")


async def test_a_nul_in_the_login_form_is_a_plain_401(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/auth/login", data={"username": "a\u0000@example.com", "password": "x" * 12}
    )
    assert_error(response, 401, "unauthorized")

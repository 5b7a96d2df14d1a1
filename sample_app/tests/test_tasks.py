"""Tasks: roles, tags, JSONB attributes, filters, PATCH to null, versions, soft delete."""

from __future__ import annotations

import uuid
from datetime import date

import httpx
from support import Factory, assert_error

from app.projects.models import MemberRole, Project
from app.tasks.models import Task, TaskStatus
from app.users.models import User


def tasks_url(project: Project) -> str:
    return f"/api/v1/projects/{project.id}/tasks"


async def _project_with_team(factory: Factory) -> tuple[Project, User, User, User]:
    owner, editor, viewer = await factory.user(), await factory.user(), await factory.user()
    project = await factory.project(
        owner, members={editor: MemberRole.EDITOR, viewer: MemberRole.VIEWER}
    )
    return project, owner, editor, viewer


async def test_create_task_with_tags_attributes_and_member_assignee_returns_201(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    project, _owner, editor, viewer = await _project_with_team(factory)
    payload = {
        "title": "Write docs",
        "tags": ["Docs", "urgent", "docs"],
        "attributes": {"estimate": 3, "links": ["https://example.com"], "blocked": None},
        "assignee_id": str(viewer.id),
        "due_date": "2026-12-01",
        "priority": 2,
    }
    response = await client.post(tasks_url(project), json=payload, headers=factory.headers(editor))
    assert response.status_code == 201
    body = response.json()
    assert body["tags"] == ["docs", "urgent"]
    assert body["attributes"] == payload["attributes"]
    assert (body["status"], body["version"], body["priority"]) == ("todo", 1, 2)
    stored = await factory.fetch(Task, id=uuid.UUID(body["id"]))
    assert stored.attributes["estimate"] == 3
    assert stored.created_by_id == editor.id


async def test_create_task_as_viewer_returns_403_and_as_stranger_returns_404(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    project, _owner, _editor, viewer = await _project_with_team(factory)
    stranger = await factory.user()
    body = {"title": "x"}
    assert_error(
        await client.post(tasks_url(project), json=body, headers=factory.headers(viewer)),
        403,
        "forbidden",
    )
    assert_error(
        await client.post(tasks_url(project), json=body, headers=factory.headers(stranger)),
        404,
        "project_not_found",
    )


async def test_create_task_with_non_member_assignee_returns_422(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    project, owner, _editor, _viewer = await _project_with_team(factory)
    outsider = await factory.user()
    response = await client.post(
        tasks_url(project),
        json={"title": "x", "assignee_id": str(outsider.id)},
        headers=factory.headers(owner),
    )
    error = assert_error(response, 422, "invalid_input")
    assert error["details"] == {"field": "assignee_id"}


async def test_list_tasks_filters_by_status_assignee_and_tag_and_sorts(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    project, owner, editor, _viewer = await _project_with_team(factory)
    headers = factory.headers(owner)
    await factory.task(project, "a", TaskStatus.DONE, priority=1, assignee=editor)
    await factory.task(project, "b", TaskStatus.TODO, priority=3)
    await factory.task(project, "c", TaskStatus.DONE, priority=2, due_date=date(2027, 1, 1))
    await client.post(tasks_url(project), json={"title": "d", "tags": ["ops"]}, headers=headers)
    url = tasks_url(project)
    done = (
        await client.get(url, params={"status": "done", "sort": "title"}, headers=headers)
    ).json()
    assert [t["title"] for t in done["items"]] == ["a", "c"]
    assert done["total"] == 2
    mine = (await client.get(url, params={"assignee_id": str(editor.id)}, headers=headers)).json()
    assert [t["title"] for t in mine["items"]] == ["a"]
    tagged = (await client.get(url, params={"tag": "OPS"}, headers=headers)).json()
    assert [t["title"] for t in tagged["items"]] == ["d"]
    by_priority = (
        await client.get(url, params={"sort": "-priority", "limit": 2}, headers=headers)
    ).json()
    assert [t["title"] for t in by_priority["items"]] == ["b", "c"]
    assert by_priority["total"] == 4
    by_due = (await client.get(url, params={"sort": "due_date"}, headers=headers)).json()
    assert by_due["items"][0]["title"] == "c"
    assert_error(
        await client.get(url, params={"sort": "password"}, headers=headers), 422, "validation_error"
    )


async def test_update_task_can_set_fields_to_null_and_bumps_version(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    project, owner, editor, _viewer = await _project_with_team(factory)
    task = await factory.task(project, assignee=editor, due_date=date(2026, 12, 24))
    url = f"{tasks_url(project)}/{task.id}"
    response = await client.patch(
        url,
        json={
            "version": 1,
            "assignee_id": None,
            "due_date": None,
            "description": None,
            "tags": ["x"],
        },
        headers=factory.headers(owner),
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["assignee_id"], body["due_date"], body["version"]) == (None, None, 2)
    assert body["tags"] == ["x"]
    assert body["title"] == "Task"
    stored = await factory.fetch(Task, id=task.id)
    assert (stored.assignee_id, stored.due_date, stored.version) == (None, None, 2)


async def test_update_task_with_stale_version_returns_409(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    project, owner, _editor, _viewer = await _project_with_team(factory)
    task = await factory.task(project)
    url = f"{tasks_url(project)}/{task.id}"
    headers = factory.headers(owner)
    assert (
        await client.patch(url, json={"version": 1, "status": "in_progress"}, headers=headers)
    ).status_code == 200
    stale = await client.patch(url, json={"version": 1, "status": "done"}, headers=headers)
    error = assert_error(stale, 409, "stale_version")
    assert error["details"] == {"current_version": 2}
    assert (await factory.fetch(Task, id=task.id)).status is TaskStatus.IN_PROGRESS


async def test_update_task_with_null_title_or_missing_version_returns_422(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    project, owner, _editor, _viewer = await _project_with_team(factory)
    task = await factory.task(project)
    url = f"{tasks_url(project)}/{task.id}"
    headers = factory.headers(owner)
    assert_error(
        await client.patch(url, json={"version": 1, "title": None}, headers=headers),
        422,
        "invalid_input",
    )
    assert_error(
        await client.patch(url, json={"title": "x"}, headers=headers), 422, "validation_error"
    )


async def test_update_task_tags_only_bumps_version_and_the_old_version_is_stale(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    project, owner, _editor, _viewer = await _project_with_team(factory)
    task = await factory.task(project)
    url = f"{tasks_url(project)}/{task.id}"
    headers = factory.headers(owner)
    first = await client.patch(url, json={"version": 1, "tags": ["a"]}, headers=headers)
    assert (first.status_code, first.json()["version"]) == (200, 2)
    second = await client.patch(url, json={"version": 1, "tags": ["b"]}, headers=headers)
    assert_error(second, 409, "stale_version")
    stored = await client.get(url, headers=headers)
    assert (stored.json()["tags"], stored.json()["version"]) == (["a"], 2)


async def test_update_task_with_only_the_version_changes_nothing(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    project, owner, _editor, _viewer = await _project_with_team(factory)
    task = await factory.task(project)
    url = f"{tasks_url(project)}/{task.id}"
    response = await client.patch(url, json={"version": 1}, headers=factory.headers(owner))
    assert (response.status_code, response.json()["version"]) == (200, 1)


async def test_update_task_with_null_attributes_returns_422_and_empty_ones_clear_them(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    project, owner, _editor, _viewer = await _project_with_team(factory)
    headers = factory.headers(owner)
    created = await client.post(
        tasks_url(project), json={"title": "t", "attributes": {"k": 1}}, headers=headers
    )
    url = f"{tasks_url(project)}/{created.json()['id']}"
    null = await client.patch(url, json={"version": 1, "attributes": None}, headers=headers)
    assert assert_error(null, 422, "invalid_input")["details"] == {"field": "attributes"}
    cleared = await client.patch(url, json={"version": 1, "attributes": {}}, headers=headers)
    assert (cleared.json()["attributes"], cleared.json()["version"]) == ({}, 2)


async def test_task_attributes_over_16_kib_of_json_return_422(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    project, owner, _editor, _viewer = await _project_with_team(factory)
    headers = factory.headers(owner)
    fits = {"notes": "x" * 16_000}
    too_big = {"notes": "x" * 16_400}
    created = await client.post(
        tasks_url(project), json={"title": "t", "attributes": fits}, headers=headers
    )
    assert created.status_code == 201
    refused = await client.post(
        tasks_url(project), json={"title": "t", "attributes": too_big}, headers=headers
    )
    error = assert_error(refused, 422, "validation_error")
    assert error["details"][0]["loc"] == ["body", "attributes"]
    url = f"{tasks_url(project)}/{created.json()['id']}"
    patched = await client.patch(url, json={"version": 1, "attributes": too_big}, headers=headers)
    assert_error(patched, 422, "validation_error")


async def test_update_task_as_viewer_returns_403(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    project, _owner, _editor, viewer = await _project_with_team(factory)
    task = await factory.task(project)
    response = await client.patch(
        f"{tasks_url(project)}/{task.id}",
        json={"version": 1, "title": "x"},
        headers=factory.headers(viewer),
    )
    assert_error(response, 403, "forbidden")


async def test_delete_task_hides_it_and_restore_brings_it_back(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    project, _owner, editor, viewer = await _project_with_team(factory)
    task = await factory.task(project)
    url = f"{tasks_url(project)}/{task.id}"
    assert (await client.delete(url, headers=factory.headers(editor))).status_code == 204
    assert_error(await client.get(url, headers=factory.headers(viewer)), 404, "task_not_found")
    assert (await client.get(tasks_url(project), headers=factory.headers(viewer))).json()[
        "total"
    ] == 0
    assert_error(
        await client.post(f"{url}/restore", headers=factory.headers(viewer)), 403, "forbidden"
    )
    restored = await client.post(f"{url}/restore", headers=factory.headers(editor))
    assert (restored.status_code, restored.json()["deleted_at"]) == (200, None)
    assert_error(
        await client.post(f"{url}/restore", headers=factory.headers(editor)), 404, "task_not_found"
    )


async def test_get_task_of_another_project_returns_404(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    project, owner, _editor, _viewer = await _project_with_team(factory)
    other = await factory.project(owner, "Other")
    task = await factory.task(other)
    response = await client.get(f"{tasks_url(project)}/{task.id}", headers=factory.headers(owner))
    assert_error(response, 404, "task_not_found")
    own = await client.get(f"{tasks_url(other)}/{task.id}", headers=factory.headers(owner))
    assert own.json()["id"] == str(task.id)

"""Projects: ownership, membership roles, lists, soft delete and restore."""

from __future__ import annotations

import uuid

import httpx
from support import Factory, assert_error

from app.projects.models import MemberRole, Project, ProjectMember

PROJECTS = "/api/v1/projects"


async def test_create_project_returns_201_owned_by_the_caller(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    owner = await factory.user()
    response = await client.post(
        PROJECTS, json={"name": "  Apollo ", "description": "Moon"}, headers=factory.headers(owner)
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["name"], body["owner_id"], body["deleted_at"]) == ("Apollo", str(owner.id), None)
    assert await factory.fetch(Project, id=uuid.UUID(body["id"])) is not None


async def test_create_project_without_token_returns_401(client: httpx.AsyncClient) -> None:
    assert_error(await client.post(PROJECTS, json={"name": "x"}), 401, "unauthorized")


async def test_list_projects_shows_owned_and_member_projects_only(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    alice, bob = await factory.user(), await factory.user()
    await factory.project(alice, "Alice's")
    await factory.project(bob, "Bob's shared", members={alice: MemberRole.VIEWER})
    await factory.project(bob, "Bob's private")
    response = await client.get(PROJECTS, params={"sort": "name"}, headers=factory.headers(alice))
    body = response.json()
    assert [p["name"] for p in body["items"]] == ["Alice's", "Bob's shared"]
    assert body["total"] == 2


async def test_list_projects_paginates_and_filters_by_name(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    owner = await factory.user()
    for name in ("alpha", "beta", "gamma", "alphabet", "100%_off"):
        await factory.project(owner, name)
    headers = factory.headers(owner)
    page = (
        await client.get(
            PROJECTS, params={"limit": 2, "offset": 2, "sort": "name"}, headers=headers
        )
    ).json()
    assert [p["name"] for p in page["items"]] == ["alphabet", "beta"]
    assert (page["total"], page["limit"], page["offset"]) == (5, 2, 2)
    found = (await client.get(PROJECTS, params={"q": "ALPHA"}, headers=headers)).json()
    assert sorted(p["name"] for p in found["items"]) == ["alpha", "alphabet"]
    literal = (await client.get(PROJECTS, params={"q": "%_"}, headers=headers)).json()
    assert [p["name"] for p in literal["items"]] == ["100%_off"]
    default = (await client.get(PROJECTS, headers=headers)).json()
    assert default["limit"] == 20


async def test_get_project_of_another_user_returns_404(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    owner, stranger = await factory.user(), await factory.user()
    project = await factory.project(owner)
    for method in ("GET", "PATCH", "DELETE"):
        response = await client.request(
            method,
            f"{PROJECTS}/{project.id}",
            json={"name": "x"},
            headers=factory.headers(stranger),
        )
        assert_error(response, 404, "project_not_found")


async def test_update_project_as_viewer_returns_403_and_as_maintainer_can_null_description(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    owner, viewer, maintainer = await factory.user(), await factory.user(), await factory.user()
    project = await factory.project(
        owner, members={viewer: MemberRole.VIEWER, maintainer: MemberRole.MAINTAINER}
    )
    url = f"{PROJECTS}/{project.id}"
    assert_error(
        await client.patch(url, json={"name": "x"}, headers=factory.headers(viewer)),
        403,
        "forbidden",
    )
    await client.patch(url, json={"description": "set"}, headers=factory.headers(owner))
    response = await client.patch(
        url, json={"description": None}, headers=factory.headers(maintainer)
    )
    assert response.status_code == 200
    assert response.json()["description"] is None
    assert response.json()["name"] == "Project"
    assert_error(
        await client.patch(url, json={"name": None}, headers=factory.headers(owner)),
        422,
        "invalid_input",
    )


async def test_delete_project_soft_deletes_and_restore_brings_it_back(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    owner, editor = await factory.user(), await factory.user()
    project = await factory.project(owner, members={editor: MemberRole.EDITOR})
    url = f"{PROJECTS}/{project.id}"
    assert_error(await client.delete(url, headers=factory.headers(editor)), 403, "forbidden")
    assert (await client.delete(url, headers=factory.headers(owner))).status_code == 204
    assert (await factory.fetch(Project, id=project.id)).deleted_at is not None
    assert_error(await client.get(url, headers=factory.headers(owner)), 404, "project_not_found")
    listed = await client.get(PROJECTS, headers=factory.headers(owner))
    assert listed.json()["total"] == 0
    assert_error(
        await client.post(f"{url}/restore", headers=factory.headers(editor)), 403, "forbidden"
    )
    restored = await client.post(f"{url}/restore", headers=factory.headers(owner))
    assert restored.status_code == 200
    assert restored.json()["deleted_at"] is None


async def test_set_member_adds_then_changes_role_and_lists_members(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    owner, newcomer = await factory.user(), await factory.user()
    project = await factory.project(owner)
    url = f"{PROJECTS}/{project.id}/members/{newcomer.id}"
    added = await client.put(url, json={"role": "viewer"}, headers=factory.headers(owner))
    assert (added.status_code, added.json()["role"]) == (200, "viewer")
    changed = await client.put(url, json={"role": "editor"}, headers=factory.headers(owner))
    assert changed.json()["role"] == "editor"
    members = await client.get(
        f"{PROJECTS}/{project.id}/members", headers=factory.headers(newcomer)
    )
    assert [(m["user_id"], m["role"]) for m in members.json()] == [(str(newcomer.id), "editor")]


async def test_set_member_rejects_owner_unknown_user_and_bad_role(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    owner = await factory.user()
    project = await factory.project(owner)
    headers = factory.headers(owner)
    base = f"{PROJECTS}/{project.id}/members"
    assert_error(
        await client.put(f"{base}/{owner.id}", json={"role": "viewer"}, headers=headers),
        422,
        "invalid_input",
    )
    assert_error(
        await client.put(f"{base}/{uuid.uuid4()}", json={"role": "viewer"}, headers=headers),
        404,
        "not_found",
    )
    assert_error(
        await client.put(f"{base}/{owner.id}", json={"role": "god"}, headers=headers),
        422,
        "validation_error",
    )


async def test_remove_member_by_maintainer_or_self_and_not_by_editor(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    owner, editor, viewer = await factory.user(), await factory.user(), await factory.user()
    project = await factory.project(
        owner, members={editor: MemberRole.EDITOR, viewer: MemberRole.VIEWER}
    )
    base = f"{PROJECTS}/{project.id}/members"
    assert_error(
        await client.delete(f"{base}/{viewer.id}", headers=factory.headers(editor)),
        403,
        "forbidden",
    )
    assert (
        await client.delete(f"{base}/{viewer.id}", headers=factory.headers(viewer))
    ).status_code == 204
    assert (
        await client.delete(f"{base}/{editor.id}", headers=factory.headers(owner))
    ).status_code == 204
    assert await factory.fetch(ProjectMember, project_id=project.id, user_id=editor.id) is None
    assert_error(
        await client.delete(f"{base}/{editor.id}", headers=factory.headers(owner)), 404, "not_found"
    )

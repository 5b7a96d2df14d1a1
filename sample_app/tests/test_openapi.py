"""The OpenAPI schema is fit for generating a client: readable operation ids, each
operation's own errors (in the error shape, 500 included), request schemas that allow a
null only where the API takes one, typed health responses; and no docs in production."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from app.core.settings import Settings
from app.main import create_app

Operation = dict[str, Any]


@pytest.fixture
async def openapi(client: httpx.AsyncClient) -> dict[str, Any]:
    response = await client.get("/openapi.json")
    assert response.status_code == 200
    schema: dict[str, Any] = response.json()
    return schema


def operations(openapi: dict[str, Any]) -> Iterator[tuple[str, Operation]]:
    """Every operation, by its id."""
    for path_item in openapi["paths"].values():
        for operation in path_item.values():
            yield operation["operationId"], operation


def documented(openapi: dict[str, Any]) -> dict[str, set[int]]:
    """The statuses each operation documents, by operation id."""
    return {name: {int(code) for code in op["responses"]} for name, op in operations(openapi)}


def test_operation_ids_are_the_route_function_names(openapi: dict[str, Any]) -> None:
    names = [name for name, _ in operations(openapi)]
    assert len(names) == len(set(names))
    assert {"register", "login", "update_me", "create_project", "update_task", "ready"} <= set(
        names
    )
    assert not [name for name in names if "api_v1" in name]


def test_every_operation_documents_500_in_the_error_shape(openapi: dict[str, Any]) -> None:
    for name, operation in operations(openapi):
        content = operation["responses"]["500"]["content"]["application/json"]
        assert content["schema"] == {"$ref": "#/components/schemas/ErrorResponse"}, name


def test_only_rate_limited_operations_document_429_with_retry_after(
    openapi: dict[str, Any],
) -> None:
    limited = {name for name, op in operations(openapi) if "429" in op["responses"]}
    assert limited == {"register", "login", "update_me"}
    for name, operation in operations(openapi):
        for status in {"429", "503"} & set(operation["responses"]):
            assert "Retry-After" in operation["responses"][status]["headers"], (name, status)


def test_413_is_documented_exactly_where_a_request_body_is_read(openapi: dict[str, Any]) -> None:
    for name, operation in operations(openapi):
        assert ("413" in operation["responses"]) == ("requestBody" in operation), name


def test_401_is_documented_wherever_a_bearer_token_is_required(openapi: dict[str, Any]) -> None:
    for name, operation in operations(openapi):
        if operation.get("security"):
            assert {"401", "403"} <= set(operation["responses"]), name


def test_422_is_documented_in_the_error_shape_where_input_is_validated(
    openapi: dict[str, Any],
) -> None:
    for name, operation in operations(openapi):
        validates = bool(operation.get("parameters")) or "requestBody" in operation
        assert ("422" in operation["responses"]) == validates, name
        if validates:
            schema = operation["responses"]["422"]["content"]["application/json"]["schema"]
            assert schema == {"$ref": "#/components/schemas/ErrorResponse"}, name
    assert "HTTPValidationError" not in openapi["components"]["schemas"]


def test_each_operation_documents_its_own_not_found_and_conflict(
    openapi: dict[str, Any],
) -> None:
    statuses = documented(openapi)
    assert 404 in statuses["get_task"]
    assert 409 in statuses["update_task"]
    assert 409 in statuses["register"]
    assert 409 in statuses["admin_update_user"]
    assert not {404, 409} & statuses["create_project"]
    assert not {404, 409} & statuses["list_users"]
    assert not {401, 403, 404, 409, 503} & statuses["live"]
    assert statuses["ready"] == {200, 500, 503}


def _nullable(openapi: dict[str, Any], model: str) -> dict[str, bool]:
    """Whether the schema lets each field of `model` be null."""
    properties = openapi["components"]["schemas"][model]["properties"]
    return {
        field: {"type": "null"} in spec.get("anyOf", []) or spec.get("type") == "null"
        for field, spec in properties.items()
    }


@pytest.mark.parametrize(
    ("model", "refused", "accepted"),
    [
        ("TaskUpdate", {"title", "status", "priority", "attributes"}, {"assignee_id", "tags"}),
        ("UserUpdate", {"password", "current_password"}, {"full_name"}),
        ("UserAdminUpdate", {"role", "is_active"}, set()),
        ("ProjectUpdate", {"name"}, {"description"}),
    ],
)
def test_patch_schemas_allow_null_only_where_the_api_takes_it(
    openapi: dict[str, Any], model: str, refused: set[str], accepted: set[str]
) -> None:
    nullable = _nullable(openapi, model)
    assert {field for field in refused if nullable[field]} == set()
    assert {field for field in accepted if not nullable[field]} == set()


def test_health_responses_are_typed(openapi: dict[str, Any]) -> None:
    for path in ("/health/live", "/health/ready"):
        ok = openapi["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]
        assert ok["schema"] == {"$ref": "#/components/schemas/HealthStatus"}
    unavailable = openapi["paths"]["/health/ready"]["get"]["responses"]["503"]
    assert unavailable["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ErrorResponse"
    }


async def test_docs_and_schema_are_not_served_in_production(settings: Settings) -> None:
    production = settings.model_copy(
        update={"environment": "production", "jwt_secret": SecretStr("x" * 48)}
    )
    app = create_app(production)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        for path in ("/docs", "/redoc", "/openapi.json"):
            assert (await client.get(path)).status_code == 404, path
        assert (await client.get("/health/live")).status_code == 200
    await app.state.engine.dispose()


async def test_docs_can_be_turned_on_in_production(settings: Settings) -> None:
    production = settings.model_copy(
        update={"environment": "production", "jwt_secret": SecretStr("x" * 48), "api_docs": True}
    )
    app = create_app(production)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        assert (await client.get("/openapi.json")).status_code == 200
        assert (await client.get("/docs")).status_code == 200
    await app.state.engine.dispose()

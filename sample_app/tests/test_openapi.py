"""The OpenAPI schema is fit for generating a client: readable operation ids, each
operation's own errors (in the error shape, 500 included), request schemas that allow a
null only where the API takes one, typed health responses, examples that the schema and
the app both accept; and no docs in production."""

from __future__ import annotations

from collections.abc import Iterator
from types import ModuleType
from typing import Any

import httpx
import jsonschema_rs
import pytest
from pydantic import BaseModel, SecretStr
from support import started

from app.auth import schemas as auth_schemas
from app.core import errors
from app.core.settings import Settings
from app.health import router as health
from app.main import create_app
from app.projects import schemas as project_schemas
from app.tasks import schemas as task_schemas
from app.tasks.schemas import TaskRead, TaskUpdate
from app.users import schemas as user_schemas

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
    async with started(app) as client:
        for path in ("/docs", "/redoc", "/openapi.json"):
            assert (await client.get(path)).status_code == 404, path
        assert (await client.get("/health/live")).status_code == 200


async def test_docs_can_be_turned_on_in_production(settings: Settings) -> None:
    production = settings.model_copy(
        update={"environment": "production", "jwt_secret": SecretStr("x" * 48), "api_docs": True}
    )
    app = create_app(production)
    async with started(app) as client:
        assert (await client.get("/openapi.json")).status_code == 200
        assert (await client.get("/docs")).status_code == 200


def _referenced(schema: Any) -> Iterator[str]:
    """The components a schema names, directly or nested (`Page_TaskRead_` and its items)."""
    if isinstance(schema, dict):
        ref = schema.get("$ref", "")
        if ref.startswith("#/components/schemas/"):
            yield ref.removeprefix("#/components/schemas/")
        for value in schema.values():
            yield from _referenced(value)
    elif isinstance(schema, list):
        for value in schema:
            yield from _referenced(value)


def _json_bodies(openapi: dict[str, Any]) -> set[str]:
    """The components that are a JSON request body or response of some operation (for a
    page, the component of its items)."""
    components = openapi["components"]["schemas"]
    found: set[str] = set()
    for _, operation in operations(openapi):
        for body in [operation.get("requestBody", {}), *operation["responses"].values()]:
            for name in _referenced(body.get("content", {}).get("application/json", {})):
                page = name.startswith("Page_")
                found |= (
                    set(_referenced(components[name]["properties"]["items"])) if page else {name}
                )
    return found


def test_every_json_body_the_api_reads_or_writes_carries_examples(
    openapi: dict[str, Any],
) -> None:
    components = openapi["components"]["schemas"]
    bodies = _json_bodies(openapi)
    assert {"TaskCreate", "TaskUpdate", "TaskRead", "UserCreate", "ErrorResponse"} <= bodies
    assert sorted(name for name in bodies if not components[name].get("examples")) == []


def _examples(openapi: dict[str, Any]) -> list[tuple[str, int, Any]]:
    return [
        (name, number, example)
        for name, schema in openapi["components"]["schemas"].items()
        for number, example in enumerate(schema.get("examples", []))
    ]


def test_the_document_shows_each_models_examples_as_written(openapi: dict[str, Any]) -> None:
    """FastAPI drops the nulls of its document, examples' included; the app puts them back."""
    components = openapi["components"]["schemas"]
    assert components["TaskRead"]["examples"] == TaskRead.model_json_schema()["examples"]
    assert components["TaskUpdate"]["examples"] == TaskUpdate.model_json_schema()["examples"]
    assert components["TaskRead"]["examples"][0]["deleted_at"] is None


def test_every_example_is_valid_against_its_own_schema(openapi: dict[str, Any]) -> None:
    """What a client generator and the docs show can be sent, or is what is answered:
    every example validates against its component's JSON schema, formats included."""
    examples = _examples(openapi)
    assert len(examples) >= 15
    for name, number, example in examples:
        # the component's schema as the root, the document's components beside it, for
        # its `#/components/schemas/...` references
        schema = {"$ref": f"#/components/schemas/{name}", "components": openapi["components"]}
        validator = jsonschema_rs.Draft202012Validator(schema, validate_formats=True)
        problems = [error.message for error in validator.iter_errors(example)]
        assert problems == [], f"{name} example {number}: {problems}"


SCHEMA_MODULES: tuple[ModuleType, ...] = (
    auth_schemas,
    user_schemas,
    project_schemas,
    task_schemas,
    errors,
    health,
)


def test_every_example_is_accepted_by_its_own_model(openapi: dict[str, Any]) -> None:
    """The model's own validation is stricter than the JSON schema (NUL characters, the
    size of `attributes`, email normalisation): every example passes it too."""
    models = {
        value.__name__: value
        for module in SCHEMA_MODULES
        for value in vars(module).values()
        if isinstance(value, type) and issubclass(value, BaseModel)
    }
    for name, _, example in _examples(openapi):
        assert name in models, f"{name}: add its module to SCHEMA_MODULES"
        models[name].model_validate(example)  # raises, naming the example's fault

"""FG201, FG202, FG206, FG207: Pydantic v1 APIs, only on what is known to be Pydantic."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from tests.helpers import check_code, positions, run_cli, write


def test_dict_call_on_annotated_pydantic_parameter_is_flagged() -> None:
    source = """
        from pydantic import BaseModel

        class UserCreate(BaseModel):
            email: str

        def create(payload: UserCreate):
            return payload.dict()
        """
    assert positions(source, "FG201") == [(7, 12)]


def test_optional_union_and_annotated_parameters_are_models() -> None:
    source = """
        from typing import Annotated, Optional, Union
        from fastapi import Body
        from pydantic import BaseModel

        class M(BaseModel):
            a: int

        def f(a: Optional[M], b: M | None, c: Annotated[M, Body()], d: Union[M, None], e: "M"):
            return a.dict(), b.dict(), c.dict(), d.dict(), e.dict()
        """
    assert len(positions(source, "FG201")) == 5


def test_model_nested_field_annotation_resolves_through_self() -> None:
    source = """
        from pydantic import BaseModel

        class Inner(BaseModel):
            x: int

        class Outer(BaseModel):
            inner: Inner

            def dump(self):
                return self.inner.dict()
        """
    assert positions(source, "FG201") == [(10, 16)]


def test_class_with_its_own_dict_method_is_not_flagged() -> None:
    source = """
        from pydantic import BaseModel

        class Model(BaseModel):
            def dict(self, **kwargs):
                return super().dict(**kwargs)

        def dump(m: Model):
            return m.dict()
        """
    # the override calls the deprecated v1 method of BaseModel: that one is flagged
    assert positions(source, "FG201") == [(5, 16)]


def test_json_on_http_response_is_not_flagged() -> None:
    source = """
        import httpx
        from pydantic import BaseModel

        class Rate(BaseModel):
            value: float

        async def fetch(client: httpx.AsyncClient) -> Rate:
            response = await client.get("/rate")
            data = response.json()
            return Rate.model_validate(data)
        """
    assert positions(source, "FG202") == []


def test_local_non_model_class_is_not_flagged_even_with_keywords() -> None:
    source = """
        class Record:
            pass

        def dump(record: Record):
            return record.dict(exclude_unset=True)
        """
    assert positions(source, "FG201") == []


def test_loop_variable_rebinding_clears_the_known_type() -> None:
    source = """
        from pydantic import BaseModel

        class M(BaseModel):
            a: int

        def f(items: list[M], rows):
            for item in items:
                item.dict()
            for item in rows:
                item.dict()
        """
    assert positions(source, "FG201") == [(8, 9)]


def test_class_defined_after_use_is_known() -> None:
    source = """
        def dump(m: "Late") -> str:
            return m.json()

        from pydantic import BaseModel

        class Late(BaseModel):
            a: int
        """
    assert positions(source, "FG202") == [(2, 12)]


def test_orm_mode_positions_for_each_config_form() -> None:
    source = """
        from pydantic import BaseModel, ConfigDict

        class A(BaseModel):
            class Config:
                orm_mode = True

        class B(BaseModel):
            model_config = ConfigDict(orm_mode=True)

        class C(BaseModel):
            model_config = {"orm_mode": True}
        """
    assert positions(source, "FG206") == [(5, 9), (8, 31), (11, 21)]


def test_fastapi_users_schemas_are_pydantic_models() -> None:
    """AidamirKaraziev's and t0vers' `class UserRead(schemas.BaseUser[int])` with
    `orm_mode` (precision.py's miss on svc91b): FastAPI Users' schemas are Pydantic
    models, subscripted by the id's type or not."""
    source = """
        from fastapi_users import schemas
        from fastapi_users.schemas import BaseUserCreate

        class UserRead(schemas.BaseUser[int]):
            class Config:
                orm_mode = True

        class UserCreate(BaseUserCreate):
            class Config:
                orm_mode = True
        """
    assert positions(source, "FG206") == [(6, 9), (10, 9)]
    assert positions(source, "FG207") == [(5, 11), (9, 11)]


def test_a_config_in_a_class_of_no_base_configures_nothing() -> None:
    """wlsouza's `class TaskInDBBase:` (reader 91), a plain class: no Pydantic reads its
    `Config`, nor that of a plain class a model extends; a class of a local or unknown
    base may be a model."""
    source = """
        from pydantic import BaseModel

        class TaskInDBBase:
            id: str

            class Config:
                orm_mode = True

        class Task(TaskInDBBase):
            pass

        class Local(Task, Unknown):
            class Config:
                orm_mode = True
        """
    assert positions(source, "FG206") == [(14, 9)]
    assert positions(source, "FG207") == [(13, 11)]


def test_config_dict_outside_a_class_is_flagged_when_resolved() -> None:
    source = """
        import pydantic

        CONFIG = pydantic.ConfigDict(orm_mode=True)
        """
    assert positions(source, "FG206") == [(3, 30)]


def test_inner_config_is_reported_on_its_name() -> None:
    source = """
        from pydantic import BaseModel

        class A(BaseModel):
            class Config:
                frozen = True
        """
    assert positions(source, "FG207") == [(4, 11)]


def test_inner_config_names_what_pydantic_2_ignores_in_it() -> None:
    # aeternalis' schemas: camelCase aliases with `allow_population_by_field_name`, which
    # Pydantic 2 ignores, so every response built by field name fails validation
    source = """
        from pydantic import BaseModel, Field, validator

        class A(BaseModel):
            user_name: str = Field(alias="userName")

            class Config:
                validate_assignment = True
                allow_population_by_field_name = True

        class B(BaseModel):
            class Config:
                allow_mutation = False

        class C(BaseModel):
            class Config:
                @staticmethod
                def schema_extra(schema, model):
                    schema.pop("title")

        class D(BaseModel):
            class Config:
                frozen = True

        class E(BaseModel):
            class Config:
                @staticmethod
                def json_schema_extra(schema, model):
                    schema.pop("title")

        class F(BaseModel):
            user_name: str

            class Config:
                orm_mode = True
                allow_population_by_field_name = True

        class G(BaseModel):
            user_name: str

            class Config:
                allow_population_by_field_name = True
        """
    # E: privategpt's `Completion`; Pydantic 2 reads a method named as one of its keys
    # that take a function from the class (a deprecation warning) and calls it. F: no
    # alias, so populating by the field's name is all there is, on v1 and v2 alike, and
    # `orm_mode` is FG206's finding (X-Reporto's schemas, reader 212): a spelling, as D's;
    # G's alone is named (bab.ai's, which reader 200 judged worth the cleanup)
    messages = [f.message for f in check_code(source) if f.code == "FG207"]
    assert messages == [
        "Inner `class Config` setting `allow_population_by_field_name`, which Pydantic 2 "
        "ignores (renamed `populate_by_name`), is the Pydantic v1 API: use "
        "`model_config = ConfigDict(...)`",
        # (its v2 form named: ArsalanMalik27's frozen entities, reader 137)
        "Inner `class Config` setting `allow_mutation`, which Pydantic 2 removed and "
        "ignores (`frozen=True` now), is the Pydantic v1 API: use "
        "`model_config = ConfigDict(...)`",
        "Inner `class Config` defining `schema_extra()`, which Pydantic 2 never calls, is "
        "the Pydantic v1 API: use `model_config = ConfigDict(...)`",
        "Inner `class Config` is the Pydantic v1 API: use `model_config = ConfigDict(...)`",
        "Inner `class Config` is the Pydantic v1 API: use `model_config = ConfigDict(...)`",
        "Inner `class Config` is the Pydantic v1 API: use `model_config = ConfigDict(...)`",
        "Inner `class Config` setting `allow_population_by_field_name`, which Pydantic 2 "
        "ignores (renamed `populate_by_name`), is the Pydantic v1 API: use "
        "`model_config = ConfigDict(...)`",
    ]


def test_inner_config_of_unrelated_class_with_generic_keys_is_not_flagged() -> None:
    source = """
        from marshmallow import Schema

        class UserSchema(Schema):
            class Config:
                fields = ("id", "name")
                extra = 3
        """
    assert positions(source, "FG207") == []


def test_inner_config_of_transitive_model_subclass_is_flagged() -> None:
    source = """
        from pydantic import BaseModel as PydanticBase

        class Base(PydanticBase):
            pass

        class Child(Base):
            class Config:
                title = "child"
        """
    assert positions(source, "FG207") == [(7, 11)]


def test_a_root_validator_pydantic_2_refuses_is_reported_in_existing_code(
    tmp_path: Path,
) -> None:
    """uptrain's drift operator (reader 43): a bare `@root_validator` (no `pre=True`, no
    `skip_on_failure=True`) makes Pydantic 2 refuse the model when it is defined, so it is
    no spelling of the project's, held back as `@validator` is: it is reported."""
    write(tmp_path, "pyproject.toml", "[project]\nname = 'ops'\ndependencies = ['pydantic>=2']\n")
    write(
        tmp_path,
        "app/drift.py",
        """
        from pydantic import BaseModel, root_validator, validator


        class Drift(BaseModel):
            algorithm: str
            window: int = 10

            @validator("window")
            def positive(cls, value):
                return value

            @root_validator
            def check(cls, values):
                return values

            @root_validator(pre=True)
            def fill(cls, values):
                return values


        DRIFTS: list[Drift] = []
        """,
    )
    result = run_cli("check", "--no-cache", "--output-format", "json", str(tmp_path))
    found = [(f["location"]["row"], f["message"]) for f in json.loads(result.stdout)]
    assert [row for row, _ in found] == [12]
    assert "Pydantic 2 refuses the model" in found[0][1]


def test_a_v1_model_fields_attribute_is_named_and_gets_no_fix() -> None:
    """crudrouter's `schema.__fields__[pk_field].type_` (reader 48): renaming `__fields__`
    alone leaves `.type_`, which v2's `FieldInfo` lacks, so the finding names the
    attribute and what v2 offers, with no fix; `__fields__` read otherwise keeps its safe
    rename."""
    source = """
        from pydantic import BaseModel


        class Tag(BaseModel):
            id: int


        def pk_type(pk: str = "id") -> type:
            return Tag.__fields__[pk].type_


        NAMES = list(Tag.__fields__)
        """
    found = [f for f in check_code(source) if f.code == "FG209"]
    assert [(f.start.row, f.fix is None) for f in found] == [(9, True), (12, False)]
    assert "`__fields__[...].type_` reads a Pydantic v1 `ModelField`" in found[0].message
    assert "(its type is `.annotation`)" in found[0].message


def test_fg208_reports_the_first_read_of_v1_values_in_a_field_validator() -> None:
    """The first read is the one that raises (reader 59: pogchamp's finding sat on the
    last of three `values.get(...)`)."""
    source = textwrap.dedent(
        """
        from typing import Any

        from pydantic import BaseModel, field_validator


        class Settings(BaseModel):
            user: str = "app"
            url: str | None = None

            @field_validator("url", mode="before")
            @classmethod
            def assemble(cls, value: str | None, values: dict[str, Any]) -> str:
                user = values.get("user")
                host = values["host"]
                return f"postgresql://{user}@{host}/{values.get('db')}"
        """
    )
    found = [(f.code, f.start.row, f.start.column) for f in check_code(source, "app/config.py")]
    assert found == [("FG208", 13, 16)]  # `values.get("user")`


def test_orm_mode_in_a_model_that_builds_itself_from_the_orm_object_is_held(
    tmp_path: Path,
) -> None:
    """PetTechh's schemas (reader 156): a model whose own `from_orm` builds it field by
    field (`cls(id=row.id, ...)`) uses nothing `orm_mode` asks for; held back, reported
    where named. A model without one is reported."""
    write(tmp_path, "pyproject.toml", "[project]\nname = 'vet'\ndependencies = ['pydantic>=2']\n")
    write(
        tmp_path,
        "app/schemas.py",
        """
        from pydantic import BaseModel


        class PetGet(BaseModel):
            id: int

            class Config:
                orm_mode = True

            @classmethod
            def from_orm(cls, pet: object) -> "PetGet":
                return cls(id=pet.id)


        class OwnerGet(BaseModel):
            id: int

            class Config:
                orm_mode = True
        """,
    )
    write(tmp_path, "app/main.py", "from app.schemas import OwnerGet, PetGet\n")

    def rows(*options: str) -> list[int]:
        result = run_cli("check", "--no-cache", "--output-format", "json", *options, str(tmp_path))
        return [f["location"]["row"] for f in json.loads(result.stdout) if f["code"] == "FG206"]

    assert rows() == [19]
    assert rows("--extend-select", "FG206") == [8, 19]


def test_orm_mode_beside_from_attributes_is_to_be_deleted_not_renamed() -> None:
    # Axopher's `class Config:` held both lines (reader 98): the rename wrote
    # `from_attributes` twice, and FG207's `ConfigDict(...)` repeated the keyword
    source = """
        from pydantic import BaseModel, ConfigDict

        class A(BaseModel):
            model_config = ConfigDict(orm_mode=True, from_attributes=True)

        class B(BaseModel):
            model_config = {"orm_mode": True, "from_attributes": True}

        class C(BaseModel, orm_mode=True, from_attributes=True):
            name: str

        class D(BaseModel):
            class Config:
                orm_mode = True
                from_attributes = True
        """
    found = [f for f in check_code(source) if f.code == "FG206"]
    assert [f.start.row for f in found] == [4, 7, 9, 14]
    for finding in found:
        assert "sets `from_attributes` too: delete `orm_mode`" in finding.message
        assert finding.fix is None


def test_generic_model_is_told_a_deprecated_alias_as_pydantic_2_keeps_it() -> None:
    """Reader 104: Pydantic 2 still imports `GenericModel` (an alias of `BaseModel` that
    warns), so FG210 says deprecated, not gone; the claim is checked on the installed one."""
    import warnings

    import pydantic

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        from pydantic.generics import GenericModel
    assert GenericModel is pydantic.BaseModel
    assert any("GenericModel" in str(w.message) for w in caught)
    source = """
        from typing import Generic, TypeVar

        from pydantic.generics import GenericModel

        T = TypeVar("T")

        class Page(GenericModel, Generic[T]):
            items: list[T]
        """
    (found,) = [f for f in check_code(source) if f.code == "FG210"]
    assert found.message.startswith("`GenericModel` is a deprecated alias of `BaseModel`")


def test_fg206_message_claims_hold_on_the_installed_pydantic_and_fastapi() -> None:
    """FG206's message: Pydantic 2 ignores `orm_mode` (`model_validate(obj)` reads no
    attributes), and FastAPI still reads them for a `response_model` (it validates the
    return value with `from_attributes=True`)."""
    import asyncio
    import warnings

    import httpx
    from fastapi import FastAPI
    from pydantic import BaseModel, ValidationError

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")

        class User(BaseModel):
            id: int

            class Config:
                orm_mode = True

    class Row:
        id = 3

    with pytest.raises(ValidationError):
        User.model_validate(Row())
    app = FastAPI()

    @app.get("/user", response_model=User)
    def user() -> object:
        return Row()

    async def served() -> object:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return (await client.get("/user")).json()

    assert asyncio.run(served()) == {"id": 3}

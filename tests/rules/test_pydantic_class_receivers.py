"""Pydantic receivers that hold a model class (`type[M]`, `Type[M]`) and `self` in a model
named like its own inner `class Config`: what FG201-FG204 and FG209 see through them."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import check_code, positions, run_cli, write

TOOL = """
    from typing import Type

    from pydantic import BaseModel


    class BaseTool(BaseModel):
        args_schema: Type[BaseModel] = None

        def args(self) -> dict:
            return self.args_schema.schema()["properties"]

        def parse(self, tool_input: dict) -> dict:
            input_args = self.args_schema
            first = next(iter(input_args.__fields__))
            result = input_args.parse_obj(tool_input)
            return {k: v for k, v in result.dict().items() if k != first}
    """


def test_an_attribute_typed_type_of_a_model_holds_a_model_class() -> None:
    found = {(f.code, f.start.row) for f in check_code(TOOL) if f.code.startswith("FG2")}
    assert found == {("FG203", 10), ("FG209", 14), ("FG204", 15), ("FG201", 16)}


def test_a_parameter_typed_type_of_a_model_holds_a_model_class() -> None:
    source = """
        from typing import Optional

        from pydantic import BaseModel


        class User(BaseModel):
            id: int


        def load(model: type[User], data: dict) -> dict:
            return model.parse_obj(data).dict()


        def build(model: Optional[type[User]]) -> User:
            return model.construct(id=1)
        """
    assert positions(source, "FG204") == [(11, 12)]
    assert positions(source, "FG201") == [(11, 12)]
    assert positions(source, "FG209") == [(15, 12)]


def test_a_model_class_is_no_instance() -> None:
    """`.dict()` and `.copy()` on the class, and a field read from the class, are not the
    instance's v1 API (the class holds no field values)."""
    source = """
        from pydantic import BaseModel


        class Inner(BaseModel):
            x: int


        class Outer(BaseModel):
            inner: Inner


        def f(model: type[Outer]) -> object:
            return model.dict, model.copy(), model.inner.dict()
        """
    assert [f.code for f in check_code(source) if f.code.startswith("FG2")] == []


def test_type_of_a_class_that_is_no_model_is_not_flagged() -> None:
    source = """
        class Spec:
            def schema(self) -> dict:
                return {}


        def describe(spec: type[Spec]) -> dict:
            return spec.schema()
        """
    assert positions(source, "FG203") == []


def test_self_dict_in_a_settings_class_named_config_is_flagged() -> None:
    """The inner `class Config` does not hide the settings class of the same name."""
    source = """
        from pydantic import BaseSettings


        class Config(BaseSettings):
            class Config:
                extra = "allow"

            def get_config(self, key: str) -> object:
                return self.dict().get(key)
        """
    assert positions(source, "FG201") == [(9, 16)]


def test_each_fields_access_of_a_comprehension_is_one_finding() -> None:
    """Three `__fields__` reads are three findings, each once: each is its own rename."""
    source = """
        from pydantic import BaseModel


        def subset(model: BaseModel, names: list[str]) -> dict:
            return {
                name: (model.__fields__[name].type_, model.__fields__[name].default)
                for name in names
                if name in model.__fields__
            }
        """
    assert positions(source, "FG209") == [(6, 16), (6, 46), (8, 20)]


def test_a_model_imported_through_namespace_packages_is_known(tmp_path: Path) -> None:
    """A booking service without `__init__.py` in `app/` and `app/api/` (namespace
    packages) imports its schemas with `from ...schemas.booking import BookingCreate`
    from `app/api/routers/`, a package: the model is found, and its `.dict()` reported."""
    write(tmp_path, "requirements.txt", "pydantic==2.10.6\n")
    write(
        tmp_path,
        "app/schemas/booking.py",
        "from pydantic import BaseModel\n\n\nclass BookingCreate(BaseModel):\n    room: int\n",
    )
    write(tmp_path, "app/api/routers/__init__.py", "")
    write(
        tmp_path,
        "app/api/routers/bookings.py",
        """
        from ...schemas.booking import BookingCreate


        def create(booking: BookingCreate) -> dict:
            return booking.dict()
        """,
    )
    result = run_cli("check", "--no-cache", "--select", "FG201", str(tmp_path))
    assert "bookings.py:5:12: FG201" in result.stdout

"""Code written for both Pydantic versions on purpose: branches under a test of the
Pydantic version or API, and models of the `pydantic.v1` layer, are never flagged or fixed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from checks.project import summarize_with_libcst
from checks.summary import summarize
from tests.helpers import check_code, codes, fix_code, run_cli, write

HEADER = """
from pydantic import BaseModel


class Item(BaseModel):
    name: str


"""


def pydantic_codes(body: str, header: str = HEADER) -> list[str]:
    """The FG2xx codes found in `body`, written after a module defining the model `Item`."""
    import textwrap

    source = header.lstrip("\n") + textwrap.dedent(body).lstrip("\n")
    return [code for code in codes(source) if code.startswith("FG2")]


# ------------------------------------------------------------------ the baseline
def test_the_same_code_without_a_guard_is_flagged() -> None:
    assert pydantic_codes(
        """
        def dump(item: Item) -> dict[str, object]:
            return item.dict()
        """
    ) == ["FG201"]


# --------------------------------------------------------------- version guards
@pytest.mark.parametrize(
    "test",
    [
        "PYDANTIC_V2",
        "not PYDANTIC_V1",
        "IS_PYDANTIC_V2",
        "compat.PYDANTIC_V2",
        "settings.ready and PYDANTIC_V2",
        "pydantic.VERSION.startswith('2')",
        "pydantic.VERSION[0] == '1'",
        "VERSION.startswith('1.')",
        "PYDANTIC_VERSION.major >= 2",
        "PYDANTIC_VERSION_MINOR_TUPLE >= (2, 0)",
        "int(pydantic.version.VERSION.split('.')[0]) < 2",
        "hasattr(item, 'model_dump')",
        "hasattr(Item, 'model_validate')",
        "not hasattr(Item, '__fields__')",
        "is_v2_model(item)",
        "_is_pydantic_v1_model(type(item))",
        "is_pydantic_v2()",
        "isinstance(item, pydantic.v1.BaseModel)",
        "issubclass(type(item), (V1BaseModel, dict))",
        "importlib.metadata.version('pydantic') >= '2'",
    ],
)
def test_both_branches_of_a_version_test_are_left_alone(test: str) -> None:
    header = HEADER.replace(
        "from pydantic import BaseModel\n",
        "import importlib.metadata\n\nimport pydantic\nfrom pydantic import VERSION, BaseModel\n"
        "from pydantic.v1 import BaseModel as V1BaseModel\n",
    )
    body = f"""
        def dump(item: Item) -> dict[str, object]:
            if {test}:
                first = item.dict()
            else:
                first = item.model_dump()
            if {test}:
                second = item.model_dump()
            else:
                second = item.dict()
            return first | second
        """
    assert pydantic_codes(body, header) == ["FG210"]  # the import of pydantic.v1 only


def test_elif_branches_of_a_version_test_are_left_alone_and_earlier_ones_are_not() -> None:
    assert pydantic_codes(
        """
        def dump(item: Item, mode: str) -> object:
            if mode == "raw":
                return item.dict()
            elif PYDANTIC_V2:
                return item.model_dump()
            elif mode == "json":
                return item.json()
            else:
                return item.dict()
        """
    ) == ["FG201"]


def test_after_an_if_that_returns_the_rest_of_the_block_is_its_else_branch() -> None:
    assert pydantic_codes(
        """
        def dump(item: Item) -> dict[str, object]:
            if PYDANTIC_V2:
                return item.model_dump()
            return item.dict()


        def dump_all(items: list[Item]) -> list[dict[str, object]]:
            dumped = []
            for item in items:
                if is_v2_model(item): dumped.append(item.model_dump()); continue
                dumped.append(item.dict())
            return dumped


        def after(item: Item) -> dict[str, object]:
            return item.dict()
        """
    ) == ["FG201"]  # only in `after`, outside every guard


def test_after_an_if_that_raises_the_rest_of_the_block_is_flagged() -> None:
    """`if not PYDANTIC_V2: raise` guards what follows for v2 only: v2 code, checked."""
    assert pydantic_codes(
        """
        def dump(item: Item) -> dict[str, object]:
            if not PYDANTIC_V2:
                raise RuntimeError("Pydantic 2 required")
            return item.dict()
        """
    ) == ["FG201"]


def test_a_conditional_expression_on_the_version_is_left_alone() -> None:
    assert (
        pydantic_codes(
            """
        def dump(item: Item) -> dict[str, object]:
            return item.model_dump() if PYDANTIC_V2 else item.dict()
        """
        )
        == []
    )


def test_functions_and_classes_defined_under_a_guard_are_left_alone() -> None:
    assert (
        pydantic_codes(
            """
        if PYDANTIC_V2:
            from pydantic import ConfigDict

            class ORMModel(BaseModel):
                model_config = ConfigDict(from_attributes=True)
        else:
            class ORMModel(BaseModel):
                class Config:
                    orm_mode = True

            def dump(item: Item) -> dict[str, object]:
                return item.dict()
        """
        )
        == []
    )


@pytest.mark.parametrize(
    "test",
    [
        "settings.debug",
        "hasattr(item, 'name')",
        "isinstance(item, BaseModel)",
        "version('fastapi') > '0.100'",
        "sys.version_info >= (3, 11)",
    ],
)
def test_other_tests_are_not_version_guards(test: str) -> None:
    assert pydantic_codes(
        f"""
        def dump(item: Item) -> dict[str, object]:
            if {test}:
                return item.dict()
            return item.dict()
        """
    ) == ["FG201", "FG201"]


def test_try_except_import_error_around_a_pydantic_import_is_compat_code() -> None:
    assert (
        pydantic_codes(
            """
        try:
            from pydantic import field_validator
            from pydantic_settings import BaseSettings
        except ImportError:
            from pydantic import BaseSettings, validator as field_validator

        try:
            import pydantic.v1 as pydantic_v1
        except (ImportError, AttributeError):
            import pydantic as pydantic_v1

        try:
            from pydantic import TypeAdapter
        except ModuleNotFoundError:
            from pydantic import parse_obj_as

            def validate(data: object) -> list[Item]:
                return parse_obj_as(list[Item], data)
        """
        )
        == []
    )


def test_try_around_other_imports_or_other_errors_is_not_compat_code() -> None:
    assert pydantic_codes(
        """
        try:
            import ujson as json
        except ImportError:
            from pydantic import BaseSettings

        try:
            from pydantic.v1 import BaseModel as V1BaseModel
        except ValueError:
            V1BaseModel = None
        """
    ) == ["FG210", "FG210"]


def test_guarded_code_is_not_fixed_and_the_rest_is() -> None:
    source = """
        from pydantic import BaseModel

        PYDANTIC_V2 = True


        class Item(BaseModel):
            name: str


        def dump(item: Item) -> dict[str, object]:
            if PYDANTIC_V2:
                return item.model_dump()
            return item.dict()


        def plain(item: Item) -> dict[str, object]:
            return item.dict()
        """
    fixed = fix_code(source, "FG201", unsafe=True)
    assert fixed.count("return item.dict()") == 1
    assert fixed.count("item.model_dump()") == 2


# -------------------------------------------------------------- the v1 layer
V1_LAYER_MODEL_BODY = """
    class Config:
        orm_mode = True

    @validator("name")
    def strip(cls, value: str) -> str:
        return value.strip()


def use(item: Legacy) -> object:
    return item.dict(), item.json(), Legacy.parse_obj({}), Legacy.schema(), item.copy()
"""


@pytest.mark.parametrize(
    ("imports", "base"),
    [
        ("from pydantic.v1 import BaseModel, validator", "BaseModel"),
        ("from pydantic.v1 import BaseModel as V1BaseModel, validator", "V1BaseModel"),
        ("import pydantic.v1 as pydantic\nfrom pydantic.v1 import validator", "pydantic.BaseModel"),
        (
            "from pydantic import v1 as pydantic_v1\nvalidator = pydantic_v1.validator",
            "pydantic_v1.BaseModel",
        ),
        ("import pydantic.v1\nfrom pydantic.v1 import validator", "pydantic.v1.BaseModel"),
        (
            "try:\n    from pydantic.v1 import BaseModel, validator\n"
            "except ImportError:\n    from pydantic import BaseModel, validator",
            "BaseModel",
        ),
        (
            "try:\n    import pydantic.v1 as pydantic\nexcept ImportError:\n    import pydantic\n"
            "validator = pydantic.validator",
            "pydantic.BaseModel",
        ),
        (
            "from pydantic import VERSION\nif VERSION.startswith('2'):\n"
            "    from pydantic.v1 import BaseModel, validator\nelse:\n"
            "    from pydantic import BaseModel, validator",
            "BaseModel",
        ),
    ],
)
def test_models_of_the_v1_layer_are_left_alone(imports: str, base: str) -> None:
    source = f"{imports}\n\n\nclass Legacy({base}):\n    name: str\n{V1_LAYER_MODEL_BODY}"
    found = [c for c in codes(source) if c.startswith("FG2")]
    assert set(found) <= {"FG210"}


def test_a_subclass_of_a_v1_layer_model_is_v1_too() -> None:
    source = """
        from pydantic.v1 import BaseModel  # noqa: FG210


        class Base(BaseModel):
            class Config:
                orm_mode = True


        class Child(Base):
            class Config:
                extra = "forbid"


        def use(child: Child) -> object:
            return child.dict(), Child.from_orm(object())
        """
    assert codes(source) == []


def test_a_v1_layer_model_in_another_module_is_v1_too(tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", '[project]\nname = "svc"\n')
    write(tmp_path, "app/__init__.py", "")
    write(
        tmp_path,
        "app/legacy.py",
        """
        try:
            from pydantic.v1 import BaseModel
        except ImportError:
            from pydantic import BaseModel


        class LegacyItem(BaseModel):
            name: str
        """,
    )
    user = write(
        tmp_path,
        "app/use.py",
        """
        from app.legacy import LegacyItem


        def dump(item: LegacyItem) -> dict[str, object]:
            return item.dict()
        """,
    )
    whole = run_cli("check", "--no-cache", "--output-format", "json", str(tmp_path))
    one = run_cli("check", "--no-cache", "--output-format", "json", str(user))
    assert json.loads(whole.stdout) == []
    assert json.loads(one.stdout) == []  # the other module read by the ast summary


def test_the_ast_summary_binds_the_v1_layer_as_the_traversal_does() -> None:
    source = b"""
try:
    from pydantic.v1 import BaseModel
except ImportError:
    from pydantic import BaseModel
import pydantic.v1 as pydantic
import pydantic


class Legacy(BaseModel):
    pass


class Other(pydantic.BaseModel):
    pass
"""
    fast = summarize(source, "app.legacy", False)
    assert fast == summarize_with_libcst(source, "app.legacy", False)
    assert fast is not None
    assert fast.imports["BaseModel"] == "pydantic.v1.BaseModel"
    assert fast.imports["pydantic"] == "pydantic.v1"


def test_the_main_package_after_the_v1_layer_under_another_name_is_the_main_one() -> None:
    source = """
        from pydantic import BaseModel
        from pydantic.v1 import BaseModel as V1BaseModel


        class Item(BaseModel):
            name: str


        def dump(item: Item) -> dict[str, object]:
            return item.dict()
        """
    assert codes(source) == ["FG210", "FG201"]


# ------------------------------------------------------------------ FG210 itself
def test_the_v1_layer_import_is_kept_as_a_finding_without_a_fix() -> None:
    findings = check_code("from pydantic.v1 import BaseModel as V1BaseModel\n")
    assert [(f.code, f.fix) for f in findings] == [("FG210", None)]


def test_the_v1_layer_import_under_a_guard_or_in_a_compat_try_is_not_reported() -> None:
    source = """
        try:
            from pydantic.v1 import BaseModel as V1BaseModel
        except ImportError:
            V1BaseModel = None

        if PYDANTIC_V2:
            import pydantic.v1 as pydantic_v1
        """
    assert codes(source) == []

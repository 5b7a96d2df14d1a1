"""Imports added and dropped by the fixes, in the file's own style."""

from __future__ import annotations

import libcst as cst
import pytest

from checks.imports import drop_unused_imports, module_imports_from, with_name


def _add(source: str, package: str, name: str) -> str:
    module = cst.parse_module(source)
    statement = module_imports_from(module, package)
    assert statement is not None
    return module.deep_replace(statement, with_name(statement, name)).code


@pytest.mark.parametrize(
    ("source", "name", "expected"),
    [
        # sorted the way isort and ruff sort (constants, classes, functions): kept sorted
        (
            "from pydantic import BaseModel, validator\n",
            "field_validator",
            "from pydantic import BaseModel, field_validator, validator\n",
        ),
        (
            "from pydantic import BaseModel, Field\n",
            "ConfigDict",
            "from pydantic import BaseModel, ConfigDict, Field\n",
        ),
        ("from x import b\n", "a", "from x import a, b\n"),
        # not sorted: appended
        ("from x import c, a\n", "b", "from x import c, a, b\n"),
        # one name per line, with a trailing comma: a line of its own
        (
            "from pydantic import (\n    BaseModel,\n    validator,\n)\n",
            "field_validator",
            "from pydantic import (\n    BaseModel,\n    field_validator,\n    validator,\n)\n",
        ),
        (
            "from pydantic import (\n    BaseModel,\n    Field,\n)\n",
            "model_validator",
            "from pydantic import (\n    BaseModel,\n    Field,\n    model_validator,\n)\n",
        ),
    ],
)
def test_a_name_joins_the_files_import(source: str, name: str, expected: str) -> None:
    assert _add(source, "pydantic" if "pydantic" in source else "x", name) == expected


def test_only_an_absolute_named_import_of_the_package_is_joined() -> None:
    module = cst.parse_module(
        "from .pydantic import a\nfrom pydantic import *\nimport pydantic\n"
        "def f():\n    from pydantic import b\n"
    )
    assert module_imports_from(module, "pydantic") is None


def _drop(source: str, *names: str) -> str:
    return drop_unused_imports(cst.parse_module(source), names).code


def test_an_unused_name_is_dropped_and_a_used_one_kept() -> None:
    source = "from pydantic import BaseModel, validator\nimport time\n\nclass M(BaseModel): ...\n"
    assert _drop(source, "validator", "BaseModel", "time") == (
        "from pydantic import BaseModel\n\nclass M(BaseModel): ...\n"
    )


def test_an_emptied_statement_goes_with_its_line_and_its_comments_stay() -> None:
    source = "import os\n# the clock\nimport time  # noqa\n\nx = os.sep\n"
    assert _drop(source, "time") == "import os\n# the clock\n\nx = os.sep\n"


def test_a_parenthesised_import_keeps_its_layout() -> None:
    source = "from pydantic import (\n    BaseModel,\n    validator,\n)\n\nBaseModel\n"
    assert _drop(source, "validator") == "from pydantic import (\n    BaseModel,\n)\n\nBaseModel\n"


def test_semicolons_aliases_and_dunder_all() -> None:
    source = "import time as t; import os\n__all__ = ['sleep']\nfrom time import sleep\nos\n"
    assert (
        _drop(source, "t", "sleep")
        == "import os\n__all__ = ['sleep']\nfrom time import sleep\nos\n"
    )


def test_uses_anywhere_count_but_attribute_names_and_keywords_do_not() -> None:
    source = "import time\nimport select\n\ndef f(x):\n    return x.select, g(select=1), time\n"
    assert _drop(source, "time", "select") == (
        "import time\n\ndef f(x):\n    return x.select, g(select=1), time\n"
    )


def test_imports_in_blocks_and_future_imports_are_never_touched() -> None:
    source = (
        "from __future__ import annotations\nif True:\n    import time\n"
        "try:\n    import json\nexcept ImportError:\n    json = None\n"
    )
    assert _drop(source, "annotations", "time") == source


def test_comments_above_a_last_dropped_import_stay() -> None:
    assert _drop("x = 1\n# why\nimport time\n", "time") == "x = 1\n# why\n"

"""Which shapes the FG101 and FG208 fixes rewrite, and which keep the finding only.

A fix is offered only where the rewrite is proved equivalent (or, for an unsafe fix,
where the names tell what the code is); everything else is left to the author.
"""

from __future__ import annotations

import pytest

from tests.helpers import check_code, fix_code

VALIDATOR = """
from pydantic import BaseModel, validator


class M(BaseModel):
    a: int
    b: int = 0

{body}
"""


def _fixes(source: str, code: str) -> list[bool]:
    return [f.fix is not None for f in check_code(source) if f.code == code]


@pytest.mark.parametrize(
    ("body", "why"),
    [
        ("    @validator('a', always=True)\n    def v(cls, x):\n        return x", "always"),
        ("    @validator('a', each_item=True)\n    def v(cls, x):\n        return x", "each_item"),
        ("    @validator('a', pre=flag)\n    def v(cls, x):\n        return x", "pre not literal"),
        ("    @validator()\n    def v(cls, x):\n        return x", "names no field"),
        ("    @validator('a', **opts)\n    def v(cls, x):\n        return x", "star arguments"),
        ("    @validator('a')\n    def v(self, x):\n        return x", "not cls"),
        (
            "    @validator('a')\n    def v(cls, x, values, config, field):\n        return x",
            "config",
        ),
        ("    @validator('a')\n    def v(cls, x, *args):\n        return x", "varargs"),
        ("    @validator('a')\n    def v(cls, x, values=None):\n        return x", "default"),
        (
            "    @validator('a')\n    def v(cls, x, values):\n"
            "        values = {}\n        return x",
            "values rebound",
        ),
        (
            "    @validator('a')\n    def v(cls, x, values):\n        info = 1\n"
            "        return values.get('b', info)",
            "info taken",
        ),
        (
            "    @root_validator(pre=True)\n    def r(cls, values, other):\n        return values",
            "arity",
        ),
        (
            "    @root_validator(check)\n    def r(cls, values):\n        return values",
            "positional",
        ),
        (
            "    @root_validator(skip_on_failure=True)\n    def r(cls, values):\n"
            "        values['a'] = 1\n        return values",
            "changes values",
        ),
        (
            "    @root_validator(skip_on_failure=True)\n    def r(cls, values):\n"
            "        return dict(values)",
            "returns something else",
        ),
        (
            "    @root_validator(skip_on_failure=True)\n    def r(cls, values):\n"
            "        assert values['zzz']\n        return values",
            "reads a field the class does not declare",
        ),
        (
            "    @root_validator(skip_on_failure=True)\n    def r(cls, values):\n"
            "        helper(values)\n        return values",
            "passes values on",
        ),
        (
            "    @root_validator(skip_on_failure=True)\n    def r(cls, values):\n"
            "        print(cls)\n        return values",
            "uses cls",
        ),
        (
            "    @root_validator(skip_on_failure=True)\n    def r(cls, values):\n"
            "        if values['a']:\n            return\n        return values",
            "a bare return",
        ),
        (
            "    @root_validator(skip_on_failure=True)\n    @classmethod\n"
            "    def r(cls, values):\n        return values",
            "a classmethod after-validator",
        ),
    ],
)
def test_validator_shapes_that_keep_the_finding_without_a_fix(body: str, why: str) -> None:
    source = VALIDATOR.replace("validator\n", "root_validator, validator\n", 1).format(body=body)
    assert _fixes(source, "FG208") == [False], why


def test_a_validator_outside_a_class_body_has_no_fix() -> None:
    source = "from pydantic import validator\n\n\n@validator('a')\ndef v(cls, x):\n    return x\n"
    assert _fixes(source, "FG208") == [False]


def test_fixes_keep_an_existing_classmethod_the_quotes_and_check_fields() -> None:
    body = (
        "    @validator('a', allow_reuse=True, check_fields=False)\n    @classmethod\n"
        "    def v(cls, x):\n        return x"
    )
    fixed = fix_code(VALIDATOR.format(body=body), "FG208")
    assert "    @field_validator('a', check_fields=False)\n    @classmethod\n    def v" in fixed
    assert "from pydantic import BaseModel, field_validator\n" in fixed


def test_a_name_taken_by_something_else_blocks_the_fix() -> None:
    body = "    @validator('a')\n    def v(cls, x):\n        return x\n\n\nfield_validator = 1"
    assert _fixes(VALIDATOR.format(body=body), "FG208") == [False]


def test_self_imported_from_typing_is_used() -> None:
    source = (
        "from typing import Self\n\nfrom pydantic import BaseModel, root_validator\n\n\n"
        "class M(BaseModel):\n    a: int\n\n    @root_validator(skip_on_failure=True)\n"
        "    def r(cls, values: dict) -> dict:\n        return values\n"
    )
    fixed = fix_code(source, "FG208")
    assert "    def r(self) -> Self:\n        return self\n" in fixed
    assert fixed.startswith(
        "from typing import Self\n\nfrom pydantic import BaseModel, model_validator\n"
    )


def test_fields_of_a_base_class_in_the_file_count() -> None:
    source = (
        "from pydantic import BaseModel, root_validator\n\n\nclass Base(BaseModel):\n"
        "    a: int\n\n\nclass M(Base):\n    @root_validator(skip_on_failure=True)\n"
        "    def r(cls, values):\n        assert values.get('a', 0) > 0\n        return values\n"
    )
    assert "        assert self.a > 0\n" in fix_code(source, "FG208")


QUERY = """
from sqlalchemy.orm import Session

from app.models import User


def f(session: Session, model, pk):
    return {chain}
"""


@pytest.mark.parametrize(
    ("chain", "why"),
    [
        ("session.query(model).all()", "a lower-case entity: a variable, maybe a column"),
        ("session.query(User).with_entities(User.id).all()", "a method a Select lacks"),
        ("session.query(User).join('addresses').all()", "a join by relationship name"),
        ("session.query(User).options(joinedload(User.a)).get(pk)", "get after options"),
        ("session.query(User.id).get(pk)", "get of a column"),
        ("session.query(User).get(pk, 2)", "get with two arguments"),
        ("session.query(User).all(1)", "an argument to all()"),
        ("session.query(User).filter(*criteria).all()", "star arguments"),
        ("session.query(User, name='x').all()", "a keyword to query()"),
        ("session.query(User).paginate(1)", "not a terminal the fix knows"),
        ("session.query(self.model.id).all()", "an attribute of an unknown object"),
    ],
)
def test_query_shapes_that_keep_the_finding_without_a_fix(chain: str, why: str) -> None:
    source = QUERY.format(chain=chain)
    assert _fixes(source, "FG101") == [False], why


def test_a_query_in_a_sync_function_on_an_async_session_has_no_fix() -> None:
    source = (
        "from sqlalchemy.ext.asyncio import AsyncSession\n\nfrom app.models import User\n\n\n"
        "def f(session: AsyncSession):\n    return session.query(User).all()\n"
    )
    assert _fixes(source, "FG101") == [False]


@pytest.mark.parametrize(
    ("chain", "fixed"),
    [
        (
            "session.query(User.id, User.name).filter(User.id > pk).one()",
            "session.execute(select(User.id, User.name).where(User.id > pk)).one()",
        ),
        (
            "session.query(User).join(User.orders).first()",
            "session.execute(select(User).join(User.orders).limit(1)).unique().scalars().first()",
        ),
        (
            "session.query(User.id).order_by(User.id).count()",
            "session.execute(select(func.count()).select_from("
            "select(User.id).order_by(User.id).subquery())).scalar_one()",
        ),
        (
            "session.query(models.User).filter_by(id=pk).one_or_none()",
            "session.execute(select(models.User).filter_by(id=pk)).unique().scalar_one_or_none()",
        ),
    ],
)
def test_query_rewrites(chain: str, fixed: str) -> None:
    source = QUERY.format(chain=chain).replace(
        "from app.models import User", "from app import models\nfrom app.models import User"
    )
    assert f"    return {fixed}\n" in fix_code(source, "FG101", unsafe=True)


def test_select_and_func_follow_an_sa_alias() -> None:
    source = (
        "import sqlalchemy as sa\n\nfrom app.models import User\n\n\n"
        "def f(session):\n    return session.query(User).count()\n"
    )
    fixed = fix_code(source, "FG101", unsafe=True)
    assert (
        "return session.execute(sa.select(sa.func.count()).select_from(User)).scalar_one()" in fixed
    )
    assert fixed.startswith("import sqlalchemy as sa\n\nfrom app.models import User\n")


def test_an_awaited_chain_followed_by_an_attribute_gets_parentheses() -> None:
    source = (
        "from sqlalchemy.ext.asyncio import AsyncSession\n\nfrom app.models import User\n\n\n"
        "async def f(session: AsyncSession, pk):\n    return session.query(User).get(pk).name\n"
    )
    fixed = fix_code(source, "FG101", unsafe=True)
    assert "    return (await session.get(User, pk)).name\n" in fixed


@pytest.mark.parametrize(
    "statement",
    [
        "values += {}",
        "values: dict = {}",
        "for values in []: pass",
        "_ = [values for values in []]",
        "_ = (values := {})",
        "with open('x') as values: pass",
        "del values",
        "global values",
        "def inner():\n            nonlocal values",
        "_ = lambda values: values",
        "class values: pass",
        "def values(): pass",
    ],
)
def test_values_bound_anywhere_in_the_body_blocks_the_info_data_rewrite(statement: str) -> None:
    body = (
        f"    @validator('a')\n    def v(cls, x, values):\n        {statement}\n"
        "        return values.get('b', x)"
    )
    source = VALIDATOR.format(body=body)
    assert _fixes(source, "FG208") == [False], statement


def test_comments_around_the_last_call_are_kept_or_the_chain_is_left() -> None:
    source = QUERY.format(
        chain="(\n        session.query(User)\n"
        "        .filter(User.id > pk)  # why\n        .all()\n    )"
    )
    fixed = fix_code(source, "FG101", unsafe=True)
    assert "        .where(User.id > pk))  # why\n        .unique().scalars().all()\n" in fixed
    kept = QUERY.format(chain="session.query(User).get(\n        pk  # the key\n    )")
    assert _fixes(kept, "FG101") == [False]


def test_a_name_used_only_after_a_dot_is_free_for_the_fix() -> None:
    source = QUERY.format(chain="session.query(User).all(), pk.select, pk.func")
    fixed = fix_code(source, "FG101", unsafe=True)
    assert "from sqlalchemy import select\n" in fixed
    taken = QUERY.format(chain="session.query(User).all(), select")
    assert _fixes(taken, "FG101") == [False]  # `select` means something else here

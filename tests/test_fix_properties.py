"""Property test of the fixes: generated modules full of fixable v1 and async patterns,
with random names, spacing, comments, line endings and layouts. Whatever is generated,
`--fix --unsafe-fixes` gives a module that parses, a second run changes nothing, and no
finding that had a fix is left."""

from __future__ import annotations

import ast
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checks.catalog import CATALOG
from checks.config import CommandLineSelection, load_settings
from checks.findings import Finding
from checks.fixer import fix_source
from checks.run import check_files, resolve_findings

NAMES = st.sampled_from(["item", "user", "payload", "obj", "m"])
SPACE = st.sampled_from(["", " ", "  "])
COMMENT = st.sampled_from(["", "  # keep me", "  # noqa: E501"])

STATEMENTS = st.one_of(
    st.builds(lambda n, c: f"data = {n}.dict(){c}", NAMES, COMMENT),
    st.builds(lambda n, s: f"text = {n}.json({s})", NAMES, SPACE),
    st.builds(lambda n: f"copy = {n}.copy(update={{'a': 1}})", NAMES),
    st.builds(lambda c: f"time.sleep(1){c}", COMMENT),
    st.builds(lambda n: f"again = Model.from_orm({n})", NAMES),
    st.builds(lambda n: f"await session.commit()  # {n}", NAMES),
    st.just("session.commit()"),
    st.just("value = time.sleep(\n        2,  # inner\n    )"),
    st.just("print(time.sleep(3))"),
    # legacy Query chains, on the AsyncSession (awaited or not) and on a sync session
    st.builds(
        lambda n, t: f"rows = session.query(Model).filter(Model.a == {n}.a).{t}()",
        NAMES,
        st.sampled_from(["all", "first", "one", "one_or_none", "count"]),
    ),
    st.just("total = await session.query(func.count(Model.a)).scalar()"),
    st.just("print(session.query(Model).get(1).a)"),
    st.just(
        "rows = (\n        sync.query(Model)  # legacy\n"
        "        .order_by(Model.a)\n        .all()\n    )"
    ),
    st.just("kept = sync.query(Model)"),
)
VALIDATORS = st.sampled_from(
    [
        "",
        "\n    @validator('a', pre=True)\n    def v(cls, value):\n        return value\n",
        "\n    @validator('a')\n    def w(cls, value, values):\n"
        "        return values.get('a', value)\n",
        "\n    @root_validator(pre=True)\n    def r(cls, values):\n        return values\n",
        "\n    @root_validator(skip_on_failure=True)\n    def s(cls, values):\n"
        "        assert values['a']\n        return values\n",
        "\n    @root_validator\n    def t(cls, values):\n        return values\n",
        "\n    @validator('a', always=True)\n    def u(cls, value):\n        return value\n",
    ]
)
CONFIG = st.sampled_from(
    [
        "",
        "    class Config:\n        orm_mode = True\n",
        "    class Config:\n        orm_mode   =   True\n        fields = {'a': 'b'}\n",
        "    class Config:\n        allow_population_by_field_name = True\n"
        "        extra = 'forbid'\n",
    ]
)
PYDANTIC_IMPORTS = (
    "from pydantic import (\n    BaseModel,\n    root_validator,\n    validator,\n)\n"
)
HEADER = st.sampled_from(
    [
        "import time\n",
        '"""Doc."""\nfrom __future__ import annotations\n\nimport time  # clock\n',
        "import asyncio as aio\nimport time\n",
    ]
)


@st.composite
def modules(draw: st.DrawFn) -> bytes:
    body = draw(st.lists(STATEMENTS, min_size=1, max_size=8))
    source = (
        draw(HEADER)
        + draw(st.sampled_from(["from pydantic import BaseModel\n", PYDANTIC_IMPORTS]))
        + "from sqlalchemy import func\n"
        + "from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker\n"
        + "from sqlalchemy.orm import Session\n\n"
        + "Factory = async_sessionmaker(engine)\n\n\n"
        + "class Model(BaseModel):\n    a: int = 1\n"
        + draw(CONFIG)
        + "".join(draw(st.lists(VALIDATORS, max_size=3, unique=True)))
        + "\n\nasync def handler(session: AsyncSession, sync: Session, "
        + ", ".join(f"{n}: Model" for n in ["item", "user", "payload", "obj", "m"])
        + ") -> None:\n"
        + "".join(f"    {line}\n" for line in body)
    )
    if draw(st.booleans()):
        source = source.replace("\n", "\r\n")
    return source.encode()


def _check(path: Path, source: bytes) -> tuple[list[Finding], str | None]:
    path.write_bytes(source)
    chosen = load_settings(CATALOG, path.parent, None, CommandLineSelection(select=["ALL"]))
    results = check_files([path], chosen, None, 1)
    return resolve_findings(results, chosen), results[0].text


@settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(source=modules())
def test_fixed_modules_parse_and_a_second_fix_changes_nothing(
    tmp_path: Path, source: bytes
) -> None:
    path = tmp_path / "generated.py"
    outcome = fix_source(source, lambda data: _check(path, data), unsafe=True)
    fixed = outcome.source if outcome.source is not None else source
    ast.parse(fixed)
    again = fix_source(fixed, lambda data: _check(path, data), unsafe=True)
    assert again.source is None  # idempotent
    left, _ = _check(path, fixed)
    assert [f for f in left if f.fix is not None] == []
    if b"\r\n" in source:
        assert b"\n" not in fixed.replace(b"\r\n", b"")  # CRLF stays CRLF

"""--fix and --diff: safe renames, byte-identical elsewhere, idempotent, atomic."""

# ruff: noqa: E501 - the expected sources keep their long lines

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from checks.cache import CACHE_DIR_NAME
from checks.findings import Edit, Finding, Fix, Location
from checks.fixer import apply_edits, fix_source
from tests.helpers import run_cli

BEFORE = """\
from pydantic import BaseModel, ConfigDict, Field


class Item(BaseModel):
    # a comment that stays
    name: str = Field(regex="^[a-z]+$")  # and this one

    class Config:
        orm_mode   =   True
        fields = {"name": "title"}


class Other(BaseModel):
    model_config = ConfigDict(orm_mode=True)


def dump(item: Item, raw: bytes):
    copy = item.copy(update={"name": "x"})
    parsed = Item.parse_raw(raw)
    return item.dict(exclude_unset=True), parsed.json(), Item.from_orm(copy), Item.__fields__
"""

AFTER = """\
from pydantic import BaseModel, ConfigDict, Field


class Item(BaseModel):
    # a comment that stays
    name: str = Field(pattern="^[a-z]+$")  # and this one

    class Config:
        from_attributes   =   True
        fields = {"name": "title"}


class Other(BaseModel):
    model_config = ConfigDict(from_attributes=True)


def dump(item: Item, raw: bytes):
    copy = item.model_copy(update={"name": "x"})
    parsed = Item.model_validate_json(raw)
    return item.model_dump(exclude_unset=True), parsed.model_dump_json(), Item.model_validate(copy, from_attributes=True), Item.model_fields
"""


@pytest.fixture
def module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "models.py"
    path.write_text(BEFORE, encoding="utf-8")
    return path


#: what the safe fixes alone write: on Pydantic 2, `orm_mode` is ignored (a warning) and
#: `from_attributes` would turn on attribute reading (so `from_orm` raised: a fix that
#: reads attributes changes that), v2's `$` refuses a final newline v1's `regex`
#: accepted, and `model_validate_json` validates in JSON mode: those fixes are unsafe
AFTER_SAFE = BEFORE.replace(
    '    copy = item.copy(update={"name": "x"})\n'
    "    parsed = Item.parse_raw(raw)\n"
    "    return item.dict(exclude_unset=True), parsed.json(), Item.from_orm(copy), Item.__fields__",
    '    copy = item.model_copy(update={"name": "x"})\n'
    "    parsed = Item.parse_raw(raw)\n"
    "    return item.model_dump(exclude_unset=True), parsed.model_dump_json(), "
    "Item.from_orm(copy), Item.model_fields",
)


def test_fix_renames_v1_apis_and_keeps_everything_else_byte_identical(module: Path) -> None:
    result = run_cli("check", "--select", "FG2", "--fix", str(module))
    assert module.read_text(encoding="utf-8") == AFTER_SAFE != BEFORE
    assert result.stdout.splitlines()[-2] == "Found 10 errors (4 fixed, 6 remaining)."
    assert result.exit_code == 1
    result = run_cli("check", "--select", "FG2", "--fix", "--unsafe-fixes", str(module))
    assert module.read_text(encoding="utf-8") == AFTER
    # the inner class Config has a key v2 removed (`fields`): it remains, for the author
    assert result.stdout.splitlines()[-1] == "Found 6 errors (5 fixed, 1 remaining)."
    assert "FG207" in result.stdout
    assert result.exit_code == 1


def test_second_fix_changes_nothing(module: Path) -> None:
    run_cli("check", "--select", "FG2", "--fix", str(module))
    fixed = module.read_bytes()
    again = run_cli("check", "--select", "FG2", "--fix", str(module))
    assert module.read_bytes() == fixed
    assert again.stdout.splitlines()[-2] == "Found 6 errors."


def test_check_without_fix_and_diff_write_nothing(module: Path) -> None:
    plain = run_cli("check", "--select", "FG2", str(module))
    assert "[*] 4 fixable with the `--fix` option" in plain.stdout
    assert ": FG201 [*] " in plain.stdout
    diff = run_cli("check", "--select", "FG2", "--diff", str(module))
    assert module.read_text(encoding="utf-8") == BEFORE
    assert diff.exit_code == 1
    assert "-    return item.dict(exclude_unset=True)" in diff.stdout
    assert diff.stdout.startswith("--- a/models.py\n+++ b/models.py\n")
    assert diff.stderr.startswith("Would fix 4 errors")


def test_diff_with_nothing_to_fix_exits_0(tmp_path: Path) -> None:
    path = tmp_path / "clean.py"
    path.write_text("x = 1\n")
    result = run_cli("check", "--diff", str(path))
    assert (result.exit_code, result.stdout) == (0, "")


def test_crlf_latin1_bom_and_permissions_are_kept(tmp_path: Path) -> None:
    source = (
        "# -*- coding: latin-1 -*-\r\nfrom pydantic import BaseModel\r\n\r\n"
        "class M(BaseModel):\r\n    café: str = 'é'\r\n\r\ndef f(m: M):\r\n    return m.dict()\r\n"
    )
    latin = tmp_path / "latin.py"
    latin.write_bytes(source.encode("latin-1"))
    os.chmod(latin, 0o640)
    bom = tmp_path / "bom.py"
    bom.write_bytes(b"\xef\xbb\xbf" + source.split("\r\n", 1)[1].encode("utf-8"))
    run_cli("check", "--select", "FG201", "--fix", str(latin), str(bom))
    assert latin.read_bytes() == source.replace("m.dict()", "m.model_dump()").encode("latin-1")
    assert latin.stat().st_mode & 0o777 == 0o640
    assert bom.read_bytes().startswith(b"\xef\xbb\xbf")
    assert b"m.model_dump()\r\n" in bom.read_bytes()
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.startswith(".")]
    assert leftovers == [CACHE_DIR_NAME]  # no temporary file left behind


def test_v1_only_arguments_keep_the_finding_without_a_fix(tmp_path: Path) -> None:
    path = tmp_path / "m.py"
    source = (
        "from pydantic import BaseModel\n\nclass M(BaseModel):\n    a: int\n\n"
        "def f(m: M):\n    return m.json(encoder=str)\n"
    )
    path.write_text(source)
    result = run_cli("check", "--select", "FG202", "--fix", str(path))
    assert path.read_text() == source
    assert "FG202" in result.stdout
    assert "[*]" not in result.stdout


def test_json_output_carries_the_fix(module: Path) -> None:
    rows = json.loads(run_cli("check", "--select", "FG201", "--output-format", "json").stdout)
    (row,) = rows
    assert row["fix"] == {
        "applicability": "safe",
        "message": "Use `.model_dump()`",
        "edits": [
            {
                "content": "model_dump",
                "location": {"row": 20, "column": 17},
                "end_location": {"row": 20, "column": 21},
            }
        ],
    }


def test_overlapping_edits_wait_for_the_next_pass() -> None:
    text = "abcdef\n"
    first = (Edit("X", Location(1, 1), Location(1, 4)),)
    overlapping = (Edit("Y", Location(1, 3), Location(1, 5)),)
    later = (Edit("Z", Location(1, 6), Location(1, 7)),)
    assert apply_edits(text, [first, overlapping, later]) == ("XdeZ\n", [0, 2])


def test_insertions_at_one_place_keep_the_order_of_their_fixes() -> None:
    """Two fixes adding a line below one statement (two `backref=` of one class's
    relationships) both apply, in the order of the fixes, not of their text."""
    text = "class A:\n    x = 1\n"
    at = Location(2, 10)
    fixes = [(Edit("\n    zeta = 2", at, at),), (Edit("\n    alpha = 3", at, at),)]
    assert apply_edits(text, fixes) == (
        "class A:\n    x = 1\n    zeta = 2\n    alpha = 3\n",
        [0, 1],
    )


def test_fix_and_stdin_cannot_be_combined() -> None:
    result = run_cli("check", "--fix", "--stdin-filename", "x.py", stdin=b"x = 1\n")
    assert result.exit_code == 2


ASYNC_SOURCE = '''"""Jobs."""
from __future__ import annotations

import time  # clock
from time import sleep as nap

from httpx import AsyncClient
from sqlalchemy.ext.asyncio import async_sessionmaker

SessionLocal = async_sessionmaker(engine)
Explicit = async_sessionmaker(engine, expire_on_commit=True)
Spread = async_sessionmaker(
    engine,
)


async def poll(n: int) -> int:
    time.sleep(0.5)
    x = nap(
        n,  # kept
    )
    if n:
        return time.sleep(1)
    print(time.sleep(2))
    return x


async def test_health(app) -> None:
    async with AsyncClient(app=app, base_url="http://test") as client:
        await client.get("/health")
'''
ASYNC_FIXED = (
    ASYNC_SOURCE.replace("import time  # clock", "import asyncio\nimport time  # clock")
    # the only use of `nap` is gone, so is its import; `time` is still used
    .replace("from time import sleep as nap\n", "")
    # ASGITransport joins the file's httpx import, in isort's order
    .replace("from httpx import AsyncClient", "from httpx import ASGITransport, AsyncClient")
    # FG104's fix is unsafe (objects stop being expired at commit): not applied here
    .replace("    time.sleep(0.5)", "    await asyncio.sleep(0.5)")
    .replace("x = nap(", "x = await asyncio.sleep(")
    .replace("return time.sleep(1)", "return await asyncio.sleep(1)")
    .replace("AsyncClient(app=app,", "AsyncClient(transport=ASGITransport(app=app),")
)


def test_async_fixes_await_the_sleep_set_expire_on_commit_and_use_a_transport(
    tmp_path: Path,
) -> None:
    path = tmp_path / "jobs.py"
    path.write_text(ASYNC_SOURCE)
    first = run_cli("check", "--select", "FG104,FG301,FG408", "--fix", str(path))
    assert path.read_text() == ASYNC_FIXED
    # left: `print(time.sleep(2))` (await would need parentheses), and the three session
    # factories (FG104's fix is unsafe; the explicit `=True` and the spread-out call get none)
    assert first.stdout.count("FG301") == 1
    assert first.stdout.count("FG104") == 3
    assert "(4 fixed, 4 remaining)" in first.stdout
    second = run_cli("check", "--select", "FG104,FG301,FG408", "--fix", str(path))
    assert path.read_text() == ASYNC_FIXED  # idempotent
    assert "fixed" not in second.stdout


def test_sleep_fix_uses_the_files_asyncio_alias(tmp_path: Path) -> None:
    path = tmp_path / "jobs.py"
    path.write_text("import asyncio as aio\nimport time\n\n\nasync def f():\n    time.sleep(1)\n")
    run_cli("check", "--select", "FG301", "--fix", str(path))
    # the alias is used, no second asyncio import; `time` was only used by the sleep
    assert path.read_text() == "import asyncio as aio\n\n\nasync def f():\n    await aio.sleep(1)\n"


def test_missing_await_is_an_unsafe_fix(tmp_path: Path) -> None:
    source = (
        "from sqlalchemy.ext.asyncio import AsyncSession\n\n\n"
        "async def save(session: AsyncSession) -> None:\n"
        "    session.commit()\n"
        "    result = session.execute(stmt)\n"
    )
    path = tmp_path / "repo.py"
    path.write_text(source)
    safe_only = run_cli("check", "--select", "FG103", "--fix", str(path))
    assert path.read_text() == source
    assert "2 hidden fixes can be enabled with the `--unsafe-fixes` option" in safe_only.stdout
    run_cli("check", "--select", "FG103", "--fix", "--unsafe-fixes", str(path))
    assert path.read_text() == source.replace(
        "    session.commit()", "    await session.commit()"
    ).replace("= session.execute", "= await session.execute")


def test_base_settings_moves_to_pydantic_settings_keeping_crlf(tmp_path: Path) -> None:
    source = (
        "from pydantic import AnyHttpUrl, BaseSettings\r\nfrom pydantic import BaseSettings as B\r\n"
        "import time\r\n\r\n\r\nasync def f():\r\n    time.sleep(1)\r\n"
    )
    path = tmp_path / "config.py"
    path.write_bytes(source.encode())
    run_cli("check", "--select", "FG210,FG301", "--fix", str(path))
    assert path.read_bytes().decode() == (
        "from pydantic import AnyHttpUrl\r\nfrom pydantic_settings import BaseSettings\r\n"
        "from pydantic_settings import BaseSettings as B\r\n"
        "import asyncio\r\n\r\n\r\nasync def f():\r\n    await asyncio.sleep(1)\r\n"
    )


def test_class_config_becomes_a_config_dict_with_v2_keys(tmp_path: Path) -> None:
    source = (
        "from pydantic import BaseModel, Extra\n\n\nclass UserRead(BaseModel):\n    id: int\n\n"
        '    class Config:\n        """Config."""\n\n        orm_mode = True\n'
        "        allow_population_by_field_name = True\n        extra = Extra.forbid\n\n"
        "    def name(self) -> str:\n        return 'x'\n\n\n"
        "class Kept(BaseModel):\n    class Config:\n        fields = {'a': 'b'}\n"
    )
    path = tmp_path / "models.py"
    path.write_text(source)
    safe = run_cli("check", "--select", "FG206,FG207", "--fix", str(path))
    assert path.read_text() == source  # keys Pydantic 2 ignores: turning them on is unsafe
    assert "2 fixed" not in safe.stdout
    result = run_cli("check", "--select", "FG206,FG207", "--fix", "--unsafe-fixes", str(path))
    assert path.read_text() == (
        # ConfigDict joins the import; `Extra` served only `Extra.forbid`: dropped
        "from pydantic import BaseModel, ConfigDict\n\n\n"
        "class UserRead(BaseModel):\n    id: int\n\n"
        '    model_config = ConfigDict(from_attributes=True, populate_by_name=True, extra="forbid")'
        "\n\n    def name(self) -> str:\n        return 'x'\n\n\n"
        "class Kept(BaseModel):\n    class Config:\n        fields = {'a': 'b'}\n"
    )
    assert "1 remaining" in result.stdout  # `fields` has no v2 key: left to the author
    again = run_cli("check", "--select", "FG206,FG207", "--fix", "--unsafe-fixes", str(path))
    assert "fixed" not in again.stdout


def test_a_fix_that_would_break_the_file_is_skipped_and_the_others_applied() -> None:
    from checks.findings import Finding, Fix
    from checks.fixer import fix_source

    text = "a = x.dict()\nb = y.dict()\n"

    def check(data: bytes) -> tuple[list[Finding], str | None]:
        source = data.decode()
        findings = []
        for row, line in enumerate(source.splitlines(), start=1):
            column = line.find(".dict()")
            if column < 0:
                continue
            # the second finding's fix is broken: it would leave an unclosed parenthesis
            content = "model_dump" if row == 1 else "model_dump("
            edit = Edit(content, Location(row, column + 2), Location(row, column + 6))
            fix = Fix("safe", "rename", (edit,))
            findings.append(
                Finding(Path("x.py"), "FG201", "m", Location(row, 1), Location(row, 2), fix)
            )
        return findings, source

    outcome = fix_source(text.encode(), check, unsafe=False)
    assert outcome.source == b"a = x.model_dump()\nb = y.dict()\n"
    assert outcome.fixed == 1


def test_a_form_feed_does_not_shift_fixes_or_noqa_rows(tmp_path: Path) -> None:
    """Python counts only \\n, \\r\\n and \\r as line ends; `str.splitlines` also splits at
    a form feed (^L, common between sections), which moved every edit below it."""
    source = (
        "from pydantic import BaseModel\n\x0c\nclass M(BaseModel):\n    x: int\n\n\n"
        "def f(m: M):\n    return m.dict()\n\n\ndef g(m: M):\n    return m.dict()  # noqa: FG201\n"
    )
    path = tmp_path / "models.py"
    path.write_text(source)
    result = run_cli("check", "--select", "FG201", "--fix", str(path))
    assert path.read_text() == source.replace(
        "    return m.dict()\n\n", "    return m.model_dump()\n\n", 1
    )
    assert result.stdout.splitlines()[-1] == "Found 1 error (1 fixed, 0 remaining)."


def test_a_name_joining_a_parenthesised_import_keeps_crlf(tmp_path: Path) -> None:
    source = (
        "from pydantic import (\r\n    BaseModel,\r\n    validator,\r\n)\r\n\r\n\r\n"
        "class M(BaseModel):\r\n    a: int\r\n\r\n    @validator('a')\r\n"
        "    def v(cls, value):\r\n        return value\r\n"
    )
    path = tmp_path / "models.py"
    path.write_bytes(source.encode())
    run_cli("check", "--select", "FG208", "--fix", str(path))
    fixed = path.read_bytes().decode()
    assert fixed.startswith("from pydantic import (\r\n    BaseModel,\r\n    field_validator,\r\n)")
    assert "\n" not in fixed.replace("\r\n", "")


def _renaming(text: str, old: str, new: str) -> Callable[[bytes], tuple[list[Finding], str]]:
    """A check whose every `old` on a line is a finding fixed by writing `new` there."""

    def check(data: bytes) -> tuple[list[Finding], str]:
        source = data.decode()
        findings = []
        for row, line in enumerate(source.splitlines(), start=1):
            column = line.find(old)
            if column < 0:
                continue
            start, end = Location(row, column + 1), Location(row, column + 1 + len(old))
            fix = Fix("safe", "rename", (Edit(new, start, end),))
            findings.append(Finding(Path("x.py"), "FG201", "m", start, end, fix))
        return findings, source

    return check


def test_a_fix_libcst_parses_but_cpython_does_not_compile_is_never_applied() -> None:
    """libcst parses `await` outside a function, `return` at module level and a duplicate
    argument; CPython's compiler rejects them: those fixes are dropped, the others kept."""
    text = "a = fetch()\nb = fetch()\ndef f(x, y): pass\n"
    check = _renaming(text, "fetch()", "await fetch()")
    assert fix_source(text.encode(), check, unsafe=False).source is None
    duplicate = _renaming(text, "(x, y)", "(x, x)")
    assert fix_source(text.encode(), duplicate, unsafe=False).source is None
    outcome = fix_source(b"x = old()\nreturn_ = old()\n", _renaming("", "old()", "new()"), False)
    assert outcome.source == b"x = new()\nreturn_ = new()\n"


def test_one_bad_fix_among_many_costs_a_few_compilations_not_one_per_fix(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import checks.fixer as fixer

    lines = [f"v{n} = old()\n" for n in range(400)]
    lines[123] = "v123 = bad()\n"
    text = "".join(lines)

    def check(data: bytes) -> tuple[list[Finding], str]:
        findings, source = _renaming(text, "old()", "new()")(data)
        bad, _ = _renaming(text, "bad()", "await bad()")(data)
        return findings + bad, source

    compiled = []
    real = fixer.compiles
    monkeypatch.setattr(fixer, "compiles", lambda t: compiled.append(1) or real(t))
    outcome = fix_source(text.encode(), check, unsafe=False)
    assert outcome.fixed == 399
    assert outcome.source is not None
    assert b"v123 = bad()\n" in outcome.source
    assert len(compiled) < 40  # halving: about 2 log2(400) compilations


def test_nested_fixes_deeper_than_ten_are_all_applied_in_one_run() -> None:
    """Each pass applies the outermost of nested fixes; 13 levels need 13 passes."""
    text = "x = " + "f(" * 13 + "1" + ")" * 13 + "\n"

    def check(data: bytes) -> tuple[list[Finding], str]:
        source = data.decode()
        findings = []
        at = source.find("f(")
        while at >= 0:
            start, end = Location(1, at + 1), Location(1, at + 2)
            fix = Fix("safe", "rename", (Edit("g", start, end),))
            findings.append(Finding(Path("x.py"), "FG201", "m", start, end, fix))
            at = source.find("f(", at + 1)
        # make them nest: each fix's span covers the rest of the line
        nested = [
            Finding(
                f.path,
                f.code,
                f.message,
                f.start,
                f.end,
                Fix(
                    "safe",
                    "r",
                    (Edit("g" + source[f.start.column : -1], f.start, Location(1, len(source))),),
                ),
            )
            for f in findings
        ]
        return nested, source

    outcome = fix_source(text.encode(), check, unsafe=False)
    assert outcome.source == ("x = " + "g(" * 13 + "1" + ")" * 13 + "\n").encode()
    assert outcome.fixed == 13


def test_fifty_thousand_edits_apply_in_one_pass() -> None:
    """50,000 renames in a 150 kB text (benchmarks/bench_fix.py times it: the text is
    built once, not copied once per edit)."""
    text = "x = (" + "a, " * 50_000 + ")\n"
    fixes = [(Edit("b", Location(1, 6 + 3 * n), Location(1, 7 + 3 * n)),) for n in range(50_000)]
    new_text, applied = apply_edits(text, fixes)
    assert len(applied) == 50_000
    assert new_text == "x = (" + "b, " * 50_000 + ")\n"


def test_a_file_whose_newlines_are_lone_cr_keeps_its_last_one(tmp_path: Path) -> None:
    """libcst's code drops the final `\\r` of such a file; the fixer puts it back."""
    path = tmp_path / "app" / "jobs.py"
    path.parent.mkdir()
    path.write_bytes(b"import time\r\r\rasync def f():\r    time.sleep(2)\r")
    result = run_cli("check", "--fix", "--select", "FG301", str(path))
    assert result.exit_code == 0, result.stdout + result.stderr
    assert path.read_bytes() == (
        b"import asyncio\r\r\rasync def f():\r    await asyncio.sleep(2)\r"
    )


def test_no_await_is_offered_where_it_would_not_run_in_the_async_def() -> None:
    """In a class body inside `async def`, CPython rejects `await`; in a generator
    expression it compiles but turns the generator into an async generator. The finding
    stays; the fix is not offered."""
    from tests.helpers import check_code

    source = (
        "import time\n\nfrom sqlalchemy.ext.asyncio import AsyncSession\n\n\n"
        "async def f(session: AsyncSession, ids: list[int]):\n"
        "    class Later:\n"
        "        time.sleep(1)\n"
        "    waits = (time.sleep(n) for n in ids)\n"
        "    rows = (session.query(User).get(n) for n in ids)\n"
        "    time.sleep(2)\n"
        "    return Later, waits, rows\n"
    )
    found = {(f.code, f.start.row): f.fix is not None for f in check_code(source)}
    assert found[("FG301", 8)] is False
    assert found[("FG301", 9)] is False
    assert found[("FG301", 11)] is True
    assert found[("FG101", 10)] is False


def test_a_local_name_that_shadows_an_import_is_not_the_import() -> None:
    """`time` the parameter, the local or the loop variable is the caller's object, not
    the module: no FG301 (its fix would drop the call on that object), no FG104."""
    from tests.helpers import check_code

    source = (
        "import time\n\nfrom sqlalchemy.ext.asyncio import async_sessionmaker\n\n\n"
        "async def param(time):\n    time.sleep(1)\n\n\n"
        "async def local(clock):\n    time = clock\n    time.sleep(2)\n\n\n"
        "async def loop(clocks):\n    for time in clocks:\n        time.sleep(3)\n\n\n"
        "async def real():\n    time.sleep(4)\n\n\n"
        "def build(async_sessionmaker, engine):\n    return async_sessionmaker(engine)\n"
    )
    assert [(f.code, f.start.row) for f in check_code(source, "app/jobs.py")] == [("FG301", 21)]


def test_diff_of_files_without_a_final_line_break_applies_with_patch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A last line without its line break gets diff's `\\ No newline at end of file`
    marker: `patch` applies the output of several files, and makes what `--fix` makes."""
    sources = {
        "a.py": "import time\n\nasync def f() -> None:\n    time.sleep(1)",
        "b.py": "import time\n\nasync def g() -> None:\n    time.sleep(2)\n\nx = 1",
    }
    monkeypatch.chdir(tmp_path)
    for name, text in sources.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    diff = run_cli("check", "--select", "FG301", "--diff", ".")
    assert diff.exit_code == 1
    # a.py's removed and added last lines, b.py's unchanged last line
    assert diff.stdout.count("\\ No newline at end of file\n") == 3
    applied = subprocess.run(
        ["patch", "-p1", "--batch", "--silent"],
        input=diff.stdout,
        text=True,
        cwd=tmp_path,
        capture_output=True,
    )
    assert applied.returncode == 0, applied.stdout + applied.stderr
    patched = {name: (tmp_path / name).read_bytes() for name in sources}
    for name, text in sources.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    run_cli("check", "--select", "FG301", "--fix", ".")
    assert patched == {name: (tmp_path / name).read_bytes() for name in sources}
    assert patched["a.py"].endswith(b"await asyncio.sleep(1)")

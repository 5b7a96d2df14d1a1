"""The engine: one parse, one walk, FG000 for syntax errors, FG001 for failing rules."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import libcst as cst
import pytest

from checks.config import DEFAULT_LAYERS, LayerMatcher
from checks.context import FileContext
from checks.engine import Engine
from checks.project import Condition, ProjectIndex, summarize_source
from checks.rule import Example, Rule
from checks.rules import ALL_RULES, RULES_BY_CODE
from checks.run import resolve_with
from tests.helpers import check_code, codes


class ExplodingRule(Rule):
    """A rule with a bug: raises on every call."""

    code = "FG999"
    name = "exploding"
    family = "test"
    message = "never"
    summary = "raises"
    why = "to test FG001"
    bad: ClassVar[tuple[Example, ...]] = ()
    good: ClassVar[tuple[Example, ...]] = ()
    calls = 0

    def visit_Call(self, node: cst.Call, ctx: FileContext) -> None:
        ExplodingRule.calls += 1
        raise ValueError("boom")


def test_syntax_error_is_fg000_with_cpython_position() -> None:
    findings = check_code("x = 1\ndef f(:\n    pass\n")
    assert [(f.code, f.start.row, f.start.column) for f in findings] == [("FG000", 2, 7)]
    assert findings[0].message.startswith("SyntaxError:")


def test_unclosed_bracket_points_at_the_bracket() -> None:
    findings = check_code("items = [1, 2\n\n\nother = 3\n")
    assert [(f.code, f.start.row, f.start.column) for f in findings] == [("FG000", 1, 9)]
    assert "never closed" in findings[0].message


def test_python_312_to_314_syntax_parses_and_is_checked() -> None:
    source = """
        import time

        type UserId = int

        def first[T](items: list[T]) -> T:
            return items[0]

        async def handler[T](x: T) -> None:
            try:
                pass
            except ValueError, TypeError:
                time.sleep(1)
            name = f"{"nested" + f'{x}'}"
        """
    assert codes(source) == ["FG301"]


def test_form_libcst_rejects_is_fg000_when_a_rule_needs_the_tree() -> None:
    source = "import time\n(x): int = 1\n\nasync def f():\n    time.sleep(1)\n"
    findings = check_code(source)
    assert [f.code for f in findings] == ["FG000"]
    assert "libcst cannot parse" in findings[0].message
    # valid Python that no rule needs to read: CPython's parser vouches for its syntax
    assert check_code("(x): int = 1\n") == []


def test_deeply_nested_code_is_checked_without_crashing_the_process() -> None:
    # 2,500 nested parentheses overflow libcst's native parser on an 8 MiB stack (SIGSEGV),
    # and CPython refuses more than 200: the file is FG000 without reaching libcst
    deep = "(" * 2500 + "time.sleep(1)" + ")" * 2500
    source = f"import time\nasync def f():\n    x = {deep}\n"
    findings = check_code(source)
    assert [(f.code, f.start.row) for f in findings] == [("FG000", 3)]
    assert "too many nested parentheses" in findings[0].message
    # as deep as CPython allows: checked
    deep = "(" * 190 + "time.sleep(1)" + ")" * 190
    source = f"import time\nasync def f():\n    x = {deep}\n"
    assert [(f.code, f.start.row) for f in check_code(source)] == [("FG301", 3)]


def test_code_only_cpythons_compiler_rejects_is_fg000_and_still_checked() -> None:
    source = (
        "import time\n\n\ndef f(a, a):\n    pass\n\n\n"
        "async def g():\n    time.sleep(1)\n\n\nreturn 1\n"
    )
    found = [(f.code, f.start.row, f.message) for f in check_code(source)]
    assert found == [
        ("FG000", 4, "SyntaxError: duplicate argument 'a' in function definition"),
        ("FG301", 9, found[1][2]),
    ]
    assert [f.code for f in check_code("def f():\n    await g()\n")] == ["FG000"]
    assert [f.code for f in check_code("x = 1\nreturn x\n")] == ["FG000"]


def test_many_concatenated_strings_do_not_crash() -> None:
    source = "x = (\n" + "\n".join(f'    "part{i}"' for i in range(5000)) + "\n)\n"
    findings = check_code(source)
    assert all(f.code in {"FG000", "FG001"} for f in findings)


def test_null_byte_and_undecodable_source_are_fg000() -> None:
    engine = Engine(ALL_RULES)
    for source in (b"x = 1\x00\n", b"x = '\xff\xfe'\n"):
        result = engine.check(Path("app/x.py"), source)
        assert [f.code for f in result.findings] == ["FG000"], source


def test_latin1_source_with_coding_cookie_is_read() -> None:
    source = (
        "# -*- coding: latin-1 -*-\nimport time\n"
        "async def f():\n    s = 'café'\n    time.sleep(1)\n"
    )
    result = Engine(ALL_RULES).check(Path("app/x.py"), source.encode("latin-1"))
    assert [(f.code, f.start.row) for f in result.findings] == [("FG301", 5)]


def test_bom_and_crlf_keep_positions() -> None:
    source = "\ufeffimport time\r\nasync def f():\r\n    time.sleep(1)\r\n"
    result = Engine(ALL_RULES).check(Path("app/x.py"), source.encode("utf-8"))
    assert [(f.code, f.start.row, f.start.column) for f in result.findings] == [("FG301", 3, 5)]


def test_columns_count_characters_not_bytes() -> None:
    source = "import time\nasync def f():\n    é = 1; time.sleep(1)\n"
    result = Engine(ALL_RULES).check(Path("app/x.py"), source.encode("utf-8"))
    assert [(f.start.column, f.end.column) for f in result.findings] == [(12, 25)]


def test_failing_rule_is_fg001_naming_the_rule_and_others_still_run() -> None:
    ExplodingRule.calls = 0
    engine = Engine([ExplodingRule(), RULES_BY_CODE["FG301"], *ALL_RULES[:2]])
    source = b"import time\nasync def f():\n    time.sleep(1)\n    time.sleep(2)\n"
    result = engine.check(Path("app/x.py"), source)
    found = [(f.code, f.start.row) for f in result.findings]
    assert found == [("FG001", 3), ("FG301", 3), ("FG301", 4)]
    assert "FG999" in result.findings[0].message
    assert "boom" in result.findings[0].message
    assert ExplodingRule.calls == 1  # disabled for the rest of the file after failing


def test_engine_rejects_a_handler_for_an_unknown_node_type() -> None:
    class Misspelled(ExplodingRule):
        def visit_Calll(self, node: cst.Call, ctx: FileContext) -> None:
            pass

    # found when the engine first walks a tree (building its tables loads libcst)
    engine = Engine([Misspelled()])
    with pytest.raises(TypeError, match="Calll"):
        engine.check(Path("app/x.py"), b"x = 1\n")


def test_every_rules_handlers_name_libcst_node_types() -> None:
    engine = Engine(ALL_RULES)
    visits, leaves = engine._tables_for(ALL_RULES)
    assert visits
    assert leaves


def test_one_finding_per_rule_and_node() -> None:
    source = """
        from pydantic import BaseModel

        class M(BaseModel):
            class Config:
                orm_mode = True
        """
    assert codes(source).count("FG206") == 1


def test_no_positions_computed_for_clean_files() -> None:
    result = Engine(ALL_RULES).check(Path("app/x.py"), b"def f():\n    return 1\n")
    assert result.findings == []
    assert result.text is None


@pytest.mark.parametrize(
    ("path", "reported"),
    [
        ("tests/test_users.py", True),
        ("tests/users_test.py", True),
        ("tests/conftest.py", True),
        ("app/tests.py", True),
        ("tests/__init__.py", True),
        ("tests/expected/case1.py", False),
        ("test/test_future_stmt/badsyntax_future3.py", False),
        ("lib2to3/tests/data/crlf.py", False),
        ("app/services/users.py", True),
    ],
)
def test_a_syntax_error_in_test_data_is_not_reported(path: str, reported: bool) -> None:
    """In the test layer, FG000 is reported for the modules a test runner imports by their
    names; its other files are data, often broken on purpose (devon's diff-tool cases,
    CPython's `badsyntax_*.py`: reader 47 judged 10 such findings not worth acting on)."""
    source = b"def broken(:\n    pass\n"
    layer = LayerMatcher.from_globs(DEFAULT_LAYERS).layer_of(path)
    result = Engine(ALL_RULES).check(Path(path), source, layer)
    assert [f.code for f in result.findings] == (["FG000"] if reported else [])


@pytest.mark.parametrize(
    ("config", "text", "reported"),
    [
        ("pytest.ini", "[pytest]\ntestpaths = tests\n", False),
        ("pyproject.toml", '[tool.pytest.ini_options]\ntestpaths = ["tests"]\n', False),
        ("setup.cfg", "[tool:pytest]\ntestpaths = tests integration\n", False),
        ("tox.ini", "[pytest]\ntestpaths = tests.new\n", True),
        ("pytest.ini", "[pytest]\ntestpaths = tests*\n", True),
        ("pytest.ini", "[pytest]\naddopts = -ra\n", True),
        ("pyproject.toml", "[tool.ruff]\nline-length = 100\n", True),
    ],
)
def test_a_test_module_outside_pytests_testpaths_is_not_reported(
    tmp_path: Path, config: str, text: str, reported: bool
) -> None:
    """A test module pytest never collects (outside the `testpaths` of the configuration
    it finds above it) is imported by no run: streamlit-llm's `tests.new/` beside
    `testpaths = tests`, a suite being moved (reader 49: 9 FG000, none worth acting on).
    A configuration without `testpaths`, or one that is not pytest's, collects it."""
    (tmp_path / config).write_text(text)
    module = tmp_path / "tests.new" / "integration" / "test_health.py"
    module.parent.mkdir(parents=True)
    source = b"def test_health():\n    await client.get('/health')\n"
    module.write_bytes(source)
    layer = LayerMatcher.from_globs(DEFAULT_LAYERS).layer_of("tests.new/integration/test_health.py")
    assert layer == "test"
    result = Engine(ALL_RULES).check(module, source, layer)
    assert [f.code for f in result.findings] == (["FG000"] if reported else [])


def test_a_syntax_error_in_tooling_or_an_unimportable_module_is_held_back(
    tmp_path: Path,
) -> None:
    """FG000 in a file no import names and the service does not run: a one-off script of
    the tooling layer (zyntro's `scripts/Fix_pr_79.py`), a module whose name is no
    identifier (`app/core/dependency-chaining.py`, a docs excerpt): held back, counted,
    reported when FG000 is named (reader 51: 2 such findings, neither worth acting on).
    A module of the service is reported as ever."""
    from tests.helpers import run_cli, write

    write(tmp_path, "pyproject.toml", "[project]\nname = 'svc'\n")
    for path in ("scripts/fix_pr_79.py", "app/core/dependency-chaining.py", "app/db.py"):
        write(tmp_path, path, "def broken(:\n    pass\n")
    result = run_cli("check", "--no-cache", "--output-format", "concise", str(tmp_path))
    rows = [
        line.split(": FG000")[0].removeprefix(f"{tmp_path}/")
        for line in result.stdout.splitlines()
        if line.startswith(str(tmp_path)) and ": FG000" in line
    ]
    assert rows == ["app/db.py:1:12"]
    assert "FG000 (2)" in result.stdout
    named = run_cli(
        "check", "--no-cache", "--select", "FG000", "--output-format", "concise", str(tmp_path)
    )
    assert sum(line.startswith(str(tmp_path)) for line in named.stdout.splitlines()) == 3


def test_an_unresolved_merge_conflict_is_reported_where_it_starts() -> None:
    """CPython fails at a conflict's `=======` or `>>>>>>>` line; the finding points at
    its `<<<<<<<` line (walkerchiu's routers, reader 51)."""
    source = b"def ok():\n    return 1\n\n<<<<<<< HEAD\nx = 1\n=======\nx = 2\n>>>>>>> feature\n"
    result = Engine(ALL_RULES).check(Path("app/api/users.py"), source)
    assert [(f.code, f.start.row, f.message) for f in result.findings] == [
        ("FG000", 4, "SyntaxError: an unresolved merge conflict (`<<<<<<<` ... `>>>>>>>`)")
    ]


def test_a_compiler_error_is_held_back_the_same_way_when_the_rules_run() -> None:
    """A file CPython parses but its compiler rejects is still checked by the rules; its
    FG000 is held back in an unimportable module there too, as where no rule runs."""
    source = b"import time\n\n\nasync def f():\n    time.sleep(1)\n\n\ndef g():\n    await f()\n"
    held = Engine(ALL_RULES).check(Path("app/my-jobs.py"), source)
    assert [f.code for f in held.findings] == ["FG301"]
    assert "FG000" in [f.code for f, _ in held.pending]
    kept = Engine(ALL_RULES).check(Path("app/jobs.py"), source)
    assert [f.code for f in kept.findings] == ["FG301", "FG000"]


def test_a_compiler_error_is_reported_once_when_the_rules_run_and_report_nothing() -> None:
    """A file the rules are run on (the screens pass, or `settle` runs them unscreened)
    that they report nothing in: its compiler error was put in the findings twice."""
    source = b"import time\n\n\nasync def f():\n    return 1\n\n\ndef g():\n    await f()\n"
    every = frozenset(rule.code for rule in ALL_RULES)
    result = Engine(ALL_RULES).check(Path("app/jobs.py"), source, unscreened=every)
    assert [(f.code, f.start.row) for f in result.findings] == [("FG000", 9)]


class TwoQuestionsRule(Rule):
    """A rule asking two questions of one call, each of another module's class (as
    FG302's `ai_service=Depends(get_ai_service)`: a client the function returns, or the
    instance of a class whose method blocks)."""

    code = "FG998"
    name = "two-questions"
    family = "test"
    message = "never"
    summary = "asks twice"
    why = "to test alternative reports"
    bad: ClassVar[tuple[Example, ...]] = ()
    good: ClassVar[tuple[Example, ...]] = ()

    def visit_Call(self, node: cst.Call, ctx: FileContext) -> None:
        for name in ("First", "Second", "First"):
            model = Condition((f"app.models.{name}",), frozenset({"pydantic.BaseModel"}))
            ctx.report_if(node, model, f"{name} is a model")


@pytest.mark.parametrize(
    ("models", "messages"),
    [
        (("First", "Second"), ["First is a model"]),
        (("Second",), ["Second is a model"]),
        (("First",), ["First is a model"]),
        ((), []),
    ],
)
def test_a_nodes_alternative_reports_give_the_first_that_holds(
    models: tuple[str, ...], messages: list[str]
) -> None:
    """Reports of one rule on one node, each asking of another module's class, are
    alternatives: each is kept, and one finding stands, of the first whose condition
    holds (c96b07b kept the first only: `cache=Depends(get_redis)`'s client report was
    lost to the class report that came before it)."""
    classes = "".join(
        f"class {name}({'BaseModel' if name in models else 'object'}):\n    pass\n\n\n"
        for name in ("First", "Second")
    )
    summary = summarize_source(
        f"from pydantic import BaseModel\n\n\n{classes}".encode(), "app.models", False
    )
    assert summary is not None
    result = Engine([TwoQuestionsRule()]).check(
        Path("app/routes.py"), b"print(1)\n", None, frozenset(), "app.routes", False
    )
    assert len(result.pending) == 2
    found = resolve_with([result], ProjectIndex([summary]))
    assert [(f.code, f.start.row, f.message) for f in found] == [
        ("FG998", 1, message) for message in messages
    ]

"""FG000 and FG001: what the tool itself reports when it cannot check a file or a rule."""

from __future__ import annotations

from checks.rule import Example, Rule


class SyntaxErrorRule(Rule):
    """FG000: the file could not be parsed. The engine reports it; it has no handlers."""

    code = "FG000"
    name = "syntax-error"
    family = "tool"
    message = "SyntaxError"
    summary = (
        "Reports a file that could not be parsed, with the parser's position.\n\n"
        "Where it applies: every layer; in the test layer, the modules a test runner imports "
        "by their names (`test_*.py`, `*_test.py`, `tests.py`, `conftest.py`, `__init__.py`): "
        "its other files are data, often broken on purpose (CPython's `badsyntax_*.py`, a "
        "diff tool's cases); not a test module outside the `testpaths` of the pytest "
        "configuration above it (`pytest.ini`, `[tool.pytest.ini_options]`, `tox.ini`, "
        "`setup.cfg`), which no run collects (a suite being moved, `tests.new/`). In "
        "the development tooling and in a module whose name no import can spell "
        "(`dependency-chaining.py`), held back (counted in the closing line; reported in "
        "new code, the edit hook, or when the selection names FG000): a one-off script or "
        "a note saved as `.py`, which no service imports. An unresolved merge conflict is "
        "reported at its `<<<<<<<` line."
    )
    why = (
        "A file that does not parse cannot be checked at all: every other rule is silent on "
        "it. The finding keeps a broken edit from passing as clean. Python up to 3.14 syntax "
        "(PEP 695 `type` aliases, PEP 701 f-strings, PEP 758 `except A, B:`) parses, whatever "
        "Python runs the checker."
    )
    bad = (Example("def create_user(:\n    pass\n"),)
    good = (
        Example("def create_user() -> None:\n    pass\n"),
        Example("type UserId = int\n", note="PEP 695 type alias (3.12)"),
        Example(
            "try:\n    pass\nexcept ValueError, TypeError:\n    pass\n",
            note="PEP 758 except without parentheses (3.14)",
        ),
    )


class InternalErrorRule(Rule):
    """FG001: a rule raised on this file. The engine reports it; it has no handlers."""

    code = "FG001"
    name = "internal-error"
    family = "tool"
    message = "A rule failed on this file"
    summary = (
        "Reports a rule that failed internally on a file, naming the rule; the other rules "
        "still run and the other files are still checked."
    )
    why = (
        "A checker that crashes on one odd file checks nothing. The failure is reported as a "
        "finding so that it is seen (and can be reported upstream) without stopping the run."
    )
    bad = ()
    good = ()

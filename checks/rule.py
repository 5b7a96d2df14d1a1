"""The shape of a rule: its documentation, its examples and the node types it handles.

A rule is one class. Its docs (`fastapi-guardrails rule CODE`, the generated rules
reference) and the generic example test read everything from the class itself, as fixit
does. A rule handles node types by defining `visit_<NodeType>(self, node, ctx)` (called on
the way down) or `leave_<NodeType>(self, node, ctx)` (on the way up); the engine's one
traversal of each file dispatches to every selected rule, as pyupgrade's plugins do.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar, NamedTuple

if TYPE_CHECKING:
    from checks.context import FileContext
    from checks.prefilter import Evidence
    from checks.project import Condition
    from checks.structure import Structure

Handler = Callable[[Any, "FileContext"], None]


class Example(NamedTuple):
    """A code example of a rule: a bad one must be flagged `expect` times, a good one never.

    `path` is where the code lives, relative to the project root: the layer rules (a
    service, a route, a migration) decide by it.
    """

    source: str
    path: str = "app/example.py"
    expect: int = 1
    note: str = ""
    #: other rules this example also triggers (the docs name them with the rule's code)
    also: tuple[str, ...] = ()
    #: the other files of the example's project, as (path, source): the example is then
    #: checked as one module of it, and what it reports on condition of other modules
    #: is settled by them (the tests only: the docs show an example alone)
    project: tuple[tuple[str, str], ...] = ()

    @property
    def code(self) -> str:
        """The example's source, dedented and with its first blank line removed."""
        return textwrap.dedent(self.source).lstrip("\n")


class FixExample(NamedTuple):
    """What `--fix` makes of a flagged example: the docs show both, and a test runs the
    rule's fix on `before` and compares the result with `after`, byte for byte."""

    before: str
    after: str
    path: str = "app/example.py"
    #: an unsafe fix: applied with `--unsafe-fixes` only
    unsafe: bool = False
    #: codes still reported on `after` (what the fix leaves to the author)
    remaining: tuple[str, ...] = ()
    note: str = ""
    #: the dependency files of the example's project, as (path, source): its Pydantic
    #: target is the one they decide (the tests only)
    project: tuple[tuple[str, str], ...] = ()

    @property
    def before_code(self) -> str:
        return textwrap.dedent(self.before).lstrip("\n")

    @property
    def after_code(self) -> str:
        return textwrap.dedent(self.after).lstrip("\n")


class Rule:
    """Base class of every rule; subclasses set the class attributes below."""

    code: ClassVar[str]
    #: kebab-case name, ruff-style (`legacy-query-api`)
    name: ClassVar[str]
    #: the default message of a finding
    message: ClassVar[str]
    #: "What it does", one or two sentences
    summary: ClassVar[str]
    #: "Why is this bad?"
    why: ClassVar[str]
    #: the first bad example is the docs' "Example"; the others are test cases
    bad: ClassVar[tuple[Example, ...]]
    #: the first good example is the docs' "Use instead"; the others are tricky negatives
    good: ClassVar[tuple[Example, ...]]
    #: "Fix safety" section of the docs
    fix: ClassVar[str] = "No automatic fix."
    #: before/after examples of the fix; the first one is shown in the docs
    fixes: ClassVar[tuple[FixExample, ...]] = ()
    #: enabled without configuration
    default: ClassVar[bool] = True
    #: reports nothing in a file whose SQLAlchemy target is 1.x unless the selection
    #: names it (`checks.sqlalchemy_target`): such files are not parsed for it
    needs_sqlalchemy_2: ClassVar[bool] = False
    #: reports only in a file of a project that surely runs Pydantic 1
    #: (`FileContext.pydantic_1_only`), whatever the selection: such a file alone is
    #: parsed for it, and the Pydantic family's holding back on target 1
    #: (`FileContext._add_report`) does not apply
    on_pydantic_1: ClassVar[bool] = False
    family: ClassVar[str]

    def may_fire(self, evidence: Evidence) -> bool:
        """False only when this file's text proves the rule cannot report anything in it
        (then the file is not parsed for this rule). Exact, never a guess: see
        `checks.prefilter`. The default parses every file."""
        return True

    def may_fire_in(self, structure: Structure) -> bool:
        """False only when the file's structure (CPython's tree, `checks.structure`) proves
        the rule cannot report anything in it; asked after `may_fire`, for the files it lets
        through. Exact, never a guess; state it next to the visitors it mirrors. The default
        parses every file the words allow."""
        return True

    def deferred_conditions(self, structure: Structure) -> tuple[Condition, ...] | None:
        """For a file `may_fire_in` lets through: conditions on other modules (the project
        index's answers), one of which must hold for the rule to report anything in it, or
        None (the rule must run). When every rule a file needs has them, the file is not
        parsed: its result keeps the conditions (`FileResult.deferred`), and it is checked
        with those rules once the run's index is built, only if one of them holds
        (`checks.run.settle`). Exact, like the screens: one must hold whenever a finding of
        the rule would (for a rule whose findings here are all conditional: every
        condition it could ask, or ones true whenever any of those is)."""
        return None

    def handlers(self) -> tuple[dict[str, Handler], dict[str, Handler]]:
        """The node-type names this rule visits and leaves, with the bound methods."""
        visits: dict[str, Handler] = {}
        leaves: dict[str, Handler] = {}
        for attribute in dir(type(self)):
            if attribute.startswith("visit_"):
                visits[attribute.removeprefix("visit_")] = getattr(self, attribute)
            elif attribute.startswith("leave_"):
                leaves[attribute.removeprefix("leave_")] = getattr(self, attribute)
        return visits, leaves

"""Every rule's own examples, run by one generic test (fixit-style): a bad example is
flagged exactly `expect` times by its rule, a good example never."""

from __future__ import annotations

import pytest

from checks.rule import Example, FixExample, Rule
from checks.rules import ALL_RULES
from tests.helpers import check_code, fix_code


def _cases(kind: str) -> list[tuple[Rule, Example]]:
    return [
        (rule, example)
        for rule in ALL_RULES
        for example in (rule.bad if kind == "bad" else rule.good)
    ]


def _case_id(case: tuple[Rule, Example]) -> str:
    rule, example = case
    examples = rule.bad if example in rule.bad else rule.good
    return f"{rule.code}-{examples.index(example)}"


@pytest.mark.parametrize("case", _cases("bad"), ids=_case_id)
def test_bad_example_is_flagged_by_its_rule(case: tuple[Rule, Example]) -> None:
    rule, example = case
    found = [
        f for f in check_code(example.code, example.path, example.project) if f.code == rule.code
    ]
    assert len(found) == example.expect, (example.note, found)


@pytest.mark.parametrize("case", _cases("good"), ids=_case_id)
def test_good_example_is_not_flagged_by_its_rule(case: tuple[Rule, Example]) -> None:
    rule, example = case
    found = [
        f for f in check_code(example.code, example.path, example.project) if f.code == rule.code
    ]
    assert found == [], example.note


@pytest.mark.parametrize("case", _cases("bad"), ids=_case_id)
def test_bad_example_triggers_no_other_rule_than_it_declares(case: tuple[Rule, Example]) -> None:
    rule, example = case
    found = {f.code for f in check_code(example.code, example.path, example.project)}
    assert found <= {rule.code, *example.also}, (example.note, found)


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda rule: rule.code)
def test_docs_use_instead_example_is_clean_of_every_rule(rule: Rule) -> None:
    """The code the docs recommend must not be flagged by any rule."""
    if not rule.good:
        assert rule.code == "FG001"  # the only rule with nothing to show
        return
    example = rule.good[0]
    # (its pins, if the example names a dependency file: the docs say which they are)
    pins = tuple((name, text) for name, text in example.project if not name.endswith(".py"))
    assert check_code(example.code, example.path, pins) == []


def _fix_cases() -> list[tuple[Rule, FixExample]]:
    return [(rule, example) for rule in ALL_RULES for example in rule.fixes]


@pytest.mark.parametrize(
    "case", _fix_cases(), ids=lambda case: f"{case[0].code}-{case[0].fixes.index(case[1])}"
)
def test_fix_example_is_what_the_fix_writes(case: tuple[Rule, FixExample]) -> None:
    """The docs' before/after pair is the fix's real output, byte for byte; the fix
    is idempotent, and the fixed code keeps only the findings the example names."""
    rule, example = case
    pins = example.project
    before = [f for f in check_code(example.before_code, example.path, pins) if f.code == rule.code]
    assert any(f.fix is not None for f in before), example.note
    if not example.unsafe:  # an unsafe fix is not applied without --unsafe-fixes
        fixed_safe = fix_code(example.before_code, rule.code, example.path, pins=pins)
        assert fixed_safe != example.before_code
    else:
        safe_only = fix_code(example.before_code, rule.code, example.path, pins=pins)
        assert safe_only != example.after_code
    fixed = fix_code(example.before_code, rule.code, example.path, example.unsafe, pins)
    assert fixed == example.after_code
    again = fix_code(fixed, rule.code, example.path, example.unsafe, pins)
    assert again == fixed
    left = sorted({f.code for f in check_code(fixed, example.path, pins)})
    assert left == sorted(example.remaining), example.note


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda rule: rule.code)
def test_every_fix_has_a_before_and_after_example(rule: Rule) -> None:
    has_fix = not rule.fix.startswith("No automatic fix")
    assert bool(rule.fixes) == has_fix, rule.fix

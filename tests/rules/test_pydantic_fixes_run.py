"""The Pydantic fixes' output runs under Pydantic 2 and behaves as the v1 code did.

The before/after pairs of the rules' docs are executed: the fixed models load (a bare
`@root_validator` would not), and the validators still accept and reject what they did.
"""

from __future__ import annotations

import warnings
from typing import Any

import pydantic
import pytest

from checks.rules import ALL_RULES
from tests.helpers import fix_code


def _namespace(code: str, deprecated: str = "error") -> dict[str, Any]:
    namespace: dict[str, Any] = {"__name__": "fixed_example"}
    with warnings.catch_warnings():
        warnings.simplefilter(deprecated, DeprecationWarning)  # type: ignore[arg-type]
        exec(compile(code, "fixed_example.py", "exec"), namespace)
    return namespace


PYDANTIC_FIXES = [
    (rule.code, index, example)
    for rule in ALL_RULES
    # (FG212's fixes write Pydantic 1's spelling, for a project that runs Pydantic 1)
    if rule.family == "Pydantic" and not rule.on_pydantic_1
    for index, example in enumerate(rule.fixes)
    if not example.remaining
]


@pytest.mark.parametrize(
    ("code", "index", "example"), PYDANTIC_FIXES, ids=[f"{c}-{i}" for c, i, _ in PYDANTIC_FIXES]
)
def test_fixed_example_loads_without_deprecated_api(code: str, index: int, example: Any) -> None:
    _namespace(example.after_code)


def test_field_validators_keep_their_behaviour() -> None:
    rule = next(rule for rule in ALL_RULES if rule.code == "FG208")
    signup = _namespace(rule.fixes[0].after_code)["Signup"]
    made = signup(email="A@B.C", password="x", password2="x")
    assert made.email == "a@b.c"
    with pytest.raises(pydantic.ValidationError, match="passwords differ"):
        signup(email="a", password="x", password2="y")


def test_root_validators_keep_their_behaviour() -> None:
    rule = next(rule for rule in ALL_RULES if rule.code == "FG208")
    window = _namespace(rule.fixes[1].after_code)["Window"]
    assert window(start=3).end == 3  # the before-validator fills `end` from `start`
    with pytest.raises(pydantic.ValidationError, match="start after end"):
        window(start=5, end=1)


def test_a_bare_root_validator_fixed_unsafely_loads_and_validates() -> None:
    source = """
        import pydantic


        class Window(pydantic.BaseModel):
            start: int

            @pydantic.root_validator
            def positive(cls, values):
                if values["start"] < 0:
                    raise ValueError("negative")
                return values
        """
    with pytest.raises(pydantic.errors.PydanticUserError):
        # the safe fixes leave it, and Pydantic 2 refuses to load it
        _namespace(fix_code(source, "FG208"), deprecated="ignore")
    window = _namespace(fix_code(source, "FG208", unsafe=True))["Window"]
    assert window(start=1).start == 1
    with pytest.raises(pydantic.ValidationError, match="negative"):
        window(start=-1)


def test_a_v1_key_beside_its_v2_name_is_dropped_keeping_what_the_model_reads() -> None:
    rule = next(rule for rule in ALL_RULES if rule.code == "FG207")
    example = next(e for e in rule.fixes if "orm_mode = True\n        from_attr" in e.before_code)
    assert fix_code(example.before_code, "FG207") == example.after_code  # safe

    class Row:
        followers = 3

    before = _namespace(example.before_code, deprecated="ignore")["ProfileRead"]
    after = _namespace(example.after_code)["ProfileRead"]
    assert before.model_validate(Row()).followers == after.model_validate(Row()).followers == 3

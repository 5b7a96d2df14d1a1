"""`# noqa` comments, as ruff reads them."""

from __future__ import annotations

import pytest

from checks.noqa import noqa_codes
from tests.helpers import codes

SLEEP = "import time\nasync def f():\n    time.sleep(1){comment}\n"


@pytest.mark.parametrize(
    ("comment", "suppressed"),
    [
        ("  # noqa", True),
        ("  # noqa: FG301", True),
        ("  # noqa:FG301", True),
        ("  # NOQA: fg301", True),
        ("  # noqa: FG201,FG301", True),
        ("  # noqa: FG201, FG301", True),
        ("  # noqa: FG201 FG301", True),
        ("  # noqa: FG201", False),
        ("  # noqa: E501", False),
        ("  # type: ignore  # noqa: FG301 -- blocking on purpose", True),
        ("  # noqa:", True),
        ("  # noqas", False),
        ("", False),
    ],
)
def test_noqa_forms(comment: str, suppressed: bool) -> None:
    found = codes(SLEEP.format(comment=comment))
    assert (found == []) is suppressed, found


def test_noqa_on_another_line_does_not_suppress() -> None:
    source = "import time  # noqa\nasync def f():  # noqa: FG301\n    time.sleep(1)\n"
    assert codes(source) == ["FG301"]


def test_noqa_codes_parsing() -> None:
    assert noqa_codes("x  # noqa") == frozenset()
    assert noqa_codes("x  # noqa: FG101,FG201") == {"FG101", "FG201"}
    assert noqa_codes("x = 1") is None

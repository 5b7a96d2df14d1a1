"""`# noqa` suppression comments, with ruff's syntax.

`# noqa` suppresses every finding on its line; `# noqa: FG201` or `# noqa: FG201, FG301`
only those codes (exact codes, as ruff). `# noqa:` with no valid code after it counts as
a bare `# noqa`, as flake8 reads it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

_NOQA = re.compile(
    r"#\s*noqa(?![A-Za-z])(?P<colon>\s*:\s*(?P<codes>[A-Z]+[0-9]+(?:[\s,]+[A-Z]+[0-9]+)*)?)?",
    re.IGNORECASE,
)
_CODE = re.compile(r"[A-Z]+[0-9]+", re.IGNORECASE)


def noqa_codes(line: str) -> frozenset[str] | None:
    """The codes a line's noqa comment names; an empty set for a bare `# noqa`; None if
    the line has no noqa comment."""
    match = _NOQA.search(line)
    if match is None:
        return None
    codes = match.group("codes")
    if not codes:
        return frozenset()
    return frozenset(code.upper() for code in _CODE.findall(codes))


def is_suppressed(lines: Sequence[str], row: int, code: str) -> bool:
    """Whether line `row` (1-based) carries a noqa comment that covers `code`."""
    if not 1 <= row <= len(lines):
        return False
    codes = noqa_codes(lines[row - 1])
    if codes is None:
        return False
    return not codes or code in codes

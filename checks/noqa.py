"""Suppression comments: our `# noqa`, with ruff's syntax, and other tools' comments
that already silence the same finding on the line.

`# noqa` suppresses every finding on its line; `# noqa: FG201` or `# noqa: FG201, FG301`
only those codes (exact codes, as ruff). `# noqa:` with no valid code after it counts as
a bare `# noqa`, as flake8 reads it.

A line its author already silenced for another tool that reports the same thing is not
reported again (`EQUIVALENT_CODES`, `EQUIVALENT_COMMENTS`): a maintainer who wrote
`time.sleep(1)  # noqa: ASYNC251` has decided, and should not have to say it twice.
FG503 also accepts a written reason: a comment on the call's lines, or in the comment
lines right above it, that speaks of the verification (`REASON_WORDS`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from checks.lazy import lazy_pattern

_NOQA = lazy_pattern(
    r"#\s*noqa(?![A-Za-z])(?P<colon>\s*:\s*(?P<codes>[A-Z]+[0-9]+(?:[\s,]+[A-Z]+[0-9]+)*)?)?",
    re.IGNORECASE,
)
_CODE = lazy_pattern(r"[A-Z]+[0-9]+", re.IGNORECASE)
#: `# type: ignore[ASYNC101]`: some projects silence flake8-async with mypy's spelling.
_TYPE_IGNORE = lazy_pattern(r"#\s*type:\s*ignore\[(?P<codes>[^\]]*)\]", re.IGNORECASE)
#: bandit: `# nosec` (every check) or `# nosec B608, B105` (test ids or names).
_NOSEC = lazy_pattern(r"#\s*nosec\b(?P<ids>[^#]*)", re.IGNORECASE)
_BANDIT_ID = lazy_pattern(r"B[0-9]{3}", re.IGNORECASE)
#: semgrep: `# nosemgrep` (every rule) or `# nosemgrep: rule-id, other-id`.
_NOSEMGREP = lazy_pattern(r"#\s*nosemgrep\b(?:\s*:\s*(?P<ids>[\w.,\s-]*))?", re.IGNORECASE)

#: Codes of other linters that report what our rule reports, honoured in a `noqa` comment
#: naming them (ruff, flake8 plugins), in `type: ignore[CODE]` and in bandit's `nosec CODE`.
#: flake8-async (and ruff before 0.5) numbered the blocking calls ASYNC100-102; ruff's
#: ASYNC210/212 (HTTP), 220-222 (processes), 250 (`input()`), 251 (`time.sleep`) are
#: today's codes. S105-S107 and S608 are flake8-bandit's (ruff's) spelling of bandit's
#: B105-B107 (hard-coded passwords) and B608 (SQL built from strings).
EQUIVALENT_CODES: dict[str, frozenset[str]] = {
    "FG105": frozenset({"S608", "B608", "HARDCODED_SQL_EXPRESSIONS"}),
    "FG111": frozenset({"S608", "B608", "HARDCODED_SQL_EXPRESSIONS"}),
    "FG301": frozenset({"ASYNC251", "ASYNC101"}),
    "FG302": frozenset({"ASYNC210", "ASYNC212", "ASYNC100"}),
    "FG303": frozenset({"ASYNC220", "ASYNC221", "ASYNC222", "ASYNC250", "ASYNC101", "ASYNC102"}),
    "FG502": frozenset(
        {
            "S105",
            "S106",
            "S107",
            "B105",
            "B106",
            "B107",
            "HARDCODED_PASSWORD_STRING",
            "HARDCODED_PASSWORD_FUNCARG",
            "HARDCODED_PASSWORD_DEFAULT",
        }
    ),
}
#: Rules a bandit `# nosec` without ids silences (bandit checks the same thing).
_BANDIT_RULES = frozenset({"FG105", "FG111", "FG502"})
#: Rules a `# nosemgrep` silences: bare, or naming a semgrep rule whose id has one of
#: these words (semgrep's registry has rules for SQL built from strings, hard-coded
#: secrets and unverified JWTs; the ids are free text, the words are what they share).
SEMGREP_WORDS: dict[str, tuple[str, ...]] = {
    "FG105": ("sql",),
    "FG111": ("sql",),
    "FG502": ("secret", "password", "credential", "token", "key"),
    "FG503": ("jwt", "verif"),
}
#: FG304: mypy's and pyright's codes for a coroutine whose value is not used
#: (`# type: ignore[unused-coroutine]`, `# pyright: ignore[reportUnusedCoroutine]`).
_UNUSED_COROUTINE = lazy_pattern(
    r"#\s*(?:type|pyright):\s*ignore\[[^\]]*\b(?:unused-coroutine|reportUnusedCoroutine)\b",
    re.IGNORECASE,
)
#: Secret scanners' allowlist comments, for FG502: detect-secrets and gitleaks.
_SECRET_ALLOWLIST = lazy_pattern(r"#.*(?:pragma:\s*allowlist\s+secret|gitleaks:allow)", re.I)
#: FG503: a comment that says why the signature is not verified names it.
REASON_WORDS = ("verif", "signature", "signed", "trust")
_REASON_RULES = frozenset({"FG503"})


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


def _silenced_by_another_tool(line: str, code: str) -> bool:
    """Whether `line` carries another tool's suppression of what `code` reports."""
    if "#" not in line:
        return False
    equivalent = EQUIVALENT_CODES.get(code, frozenset())
    codes = noqa_codes(line)
    if codes and codes & equivalent:
        return True
    ignored = _TYPE_IGNORE.search(line)
    if ignored is not None and {c.upper() for c in _CODE.findall(ignored["codes"])} & equivalent:
        return True
    nosec = _NOSEC.search(line)
    if nosec is not None and code in _BANDIT_RULES:
        # bandit reads test ids (`B608`) and names (`hardcoded_sql_expressions`) after
        # `nosec`, other words are a reason; none at all silences every test
        ids = {
            word.upper()
            for word in re.findall(r"\w+", nosec["ids"] or "")
            if _BANDIT_ID.fullmatch(word) or "_" in word
        }
        if not ids or ids & equivalent:
            return True
    nosemgrep = _NOSEMGREP.search(line)
    if nosemgrep is not None and code in SEMGREP_WORDS:
        rules = (nosemgrep["ids"] or "").strip().lower()
        if not rules or any(word in rules for word in SEMGREP_WORDS[code]):
            return True
    if code == "FG304" and _UNUSED_COROUTINE.search(line) is not None:
        return True
    return code == "FG502" and _SECRET_ALLOWLIST.search(line) is not None


def _comment(line: str) -> str:
    """The comment of a line, roughly: what follows its first `#` (enough for words)."""
    return line.partition("#")[2] if "#" in line else ""


def _gives_a_reason(lines: Sequence[str], row: int, end_row: int) -> bool:
    """Whether a comment on lines `row`..`end_row`, or in the comment-only lines right
    above `row`, speaks of the verification (`REASON_WORDS`)."""
    comments = [_comment(lines[index - 1]) for index in range(row, min(end_row, len(lines)) + 1)]
    above = row - 1
    while above >= 1 and lines[above - 1].lstrip().startswith("#"):
        comments.append(_comment(lines[above - 1]))
        above -= 1
    # not where they say the verification is not done (ohadc55-png's "we trust the JWT
    # claim (signature verification deferred to a hardening pass)", above an Apple
    # sign-in: reader 130)
    said = " ".join(comments).lower()
    return any(word in said for word in REASON_WORDS) and not any(
        word in said for word in _NOT_DONE_WORDS
    )


#: FG503: words of a comment saying the verification is not done (yet).
#: (not "later" nor "skip": "verified later by the gateway", "skip it, the gateway
#: verified it" give the reason)
_NOT_DONE_WORDS = ("defer", "todo", "fixme", "hardening", "not verif", "no verif")


_CLOSING = lazy_pattern(r"^[\s)\]},]*$")


def _statement_rows(lines: Sequence[str], row: int, end_row: int) -> range:
    """The rows of the flagged code, and the lines after it that only close its brackets
    (`)  # nosemgrep: ...` under a call): where another tool's comment may sit."""
    last = min(max(end_row, row), len(lines))
    while last < len(lines) and _CLOSING.match(lines[last].partition("#")[0]):
        if not lines[last].strip():
            break
        last += 1
    return range(row, last + 1)


def is_suppressed(lines: Sequence[str], row: int, code: str, end_row: int | None = None) -> bool:
    """Whether line `row` (1-based) carries a noqa comment that covers `code`; or the
    flagged code's lines (`row`..`end_row`, and the lines closing its brackets) carry
    another tool's suppression of the same finding, or (FG503, there or in the comment
    lines just above) a written reason."""
    if not 1 <= row <= len(lines):
        return False
    codes = noqa_codes(lines[row - 1])
    if codes is not None and (not codes or code in codes):
        return True
    rows = _statement_rows(lines, row, end_row or row)
    if any(_silenced_by_another_tool(lines[index - 1], code) for index in rows):
        return True
    return code in _REASON_RULES and _gives_a_reason(lines, row, rows[-1])

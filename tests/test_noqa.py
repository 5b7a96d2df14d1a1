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


# ------------------------------------------- another tool's suppression on the line


@pytest.mark.parametrize(
    ("comment", "suppressed"),
    [
        ("  # noqa: ASYNC251", True),
        ("  # noqa: ASYNC101", True),
        ("  # type: ignore[ASYNC101]", True),
        ("  # noqa: ASYNC210", False),
        ("  # type: ignore[attr-defined]", False),
        ("  # nosec", False),
    ],
)
def test_flake8_async_codes_suppress_blocking_sleep(comment: str, suppressed: bool) -> None:
    found = codes(SLEEP.format(comment=comment))
    assert (found == []) is suppressed, found


@pytest.mark.parametrize(
    ("call", "comment"),
    [
        ("requests.get(url)", "# noqa: ASYNC210"),
        ("requests.get(url)", "# noqa: ASYNC100"),
        ("subprocess.run(['ls'])", "# noqa: ASYNC221"),
        ("subprocess.run(['ls'])", "# noqa: ASYNC101"),
        ("os.system('ls')", "# noqa: ASYNC102"),
        ("input()", "# noqa: ASYNC250"),
    ],
)
def test_flake8_async_codes_suppress_blocking_calls(call: str, comment: str) -> None:
    source = f"import os, subprocess, requests\nasync def f(url):\n    {call}\n"
    assert codes(source) != []
    assert codes(source.replace(call, f"{call}  {comment}")) == []


SQL = (
    "from sqlalchemy import text\n"
    "async def f(session, name):\n"
    "    await session.execute(text(f\"SELECT * FROM t WHERE name = '{{name}}'\")){comment}\n"
)


@pytest.mark.parametrize(
    ("comment", "suppressed"),
    [
        ("  # noqa: S608", True),
        ("  # nosec B608", True),
        ("  # nosec", True),
        ("  # nosec - the name is checked above", True),
        ("  # nosec B105", False),
        ("  # nosemgrep: sql_injection_fstring -- digits only", True),
        ("  # nosemgrep", True),
        ("  # nosemgrep: python.lang.security.audit.eval", False),
        ("  # noqa: ASYNC251", False),
    ],
)
def test_bandit_ruff_and_semgrep_suppress_interpolated_sql(comment: str, suppressed: bool) -> None:
    found = codes(SQL.format(comment=comment), "app/users/repository.py")
    assert ("FG105" not in found) is suppressed, found


SECRET = 'SECRET_KEY = "f3a9c2e1d4b5a6978877665544332211"{comment}\n'


@pytest.mark.parametrize(
    ("comment", "suppressed"),
    [
        ("  # noqa: S105", True),
        ("  # nosec B105", True),
        ("  # nosec", True),
        ("  # pragma: allowlist secret", True),
        ("  # gitleaks:allow", True),
        ("  # nosemgrep: generic.secrets.hardcoded-secret", True),
        ("  # noqa: S608", False),
    ],
)
def test_secret_scanners_suppress_hardcoded_secret(comment: str, suppressed: bool) -> None:
    found = codes(SECRET.format(comment=comment))
    assert ("FG502" not in found) is suppressed, found


JWT = """import jwt


def claims(token: str) -> dict:
{above}    payload = jwt.decode(
        token, options={{"verify_signature": False}}{inline}
    )
    return payload
"""


@pytest.mark.parametrize(
    ("above", "inline", "suppressed"),
    [
        ("", "", False),
        ("    # the signature was verified by the gateway; read the claims only\n", "", True),
        ("    # we signed this token ourselves\n    # and only log it\n", "", True),
        ("", "  # verified upstream", True),
        ("    # decode the payload\n", "", False),
        ("    # the signature was verified upstream\n\n", "", False),
        # what says the verification is not done (yet) is no reason (ohadc55-png's Apple
        # sign-in, reader 130)
        (
            "    # for now we trust the JWT claim\n"
            "    # (signature verification deferred to a hardening pass)\n",
            "",
            False,
        ),
        ("", "  # TODO: verify the signature", False),
        ("    # the signature is verified later, by the gateway\n", "", True),
    ],
)
def test_unverified_jwt_decode_with_a_written_reason_is_not_reported(
    above: str, inline: str, suppressed: bool
) -> None:
    found = codes(JWT.format(above=above, inline=inline))
    assert ("FG503" not in found) is suppressed, found


def test_another_tools_comment_on_the_line_closing_the_call_counts() -> None:
    source = (
        "from sqlalchemy import func, text\n"
        "def at(stamp: str):\n"
        "    return func.timestamp(\n"
        "        text(f\"'{stamp}'\")\n"
        "    )  # nosemgrep: sql_injection_fstring -- digits only\n"
    )
    assert "FG105" in codes(source.replace("  # nosemgrep", "  # note"))
    assert "FG105" not in codes(source)


def test_our_noqa_stays_on_the_reported_line_as_ruff_reads_it() -> None:
    source = "import time\nasync def f():\n    time.sleep(\n        1\n    )  # noqa: FG301\n"
    assert codes(source) == ["FG301"]


@pytest.mark.parametrize(
    ("comment", "suppressed"),
    [
        ("  # type: ignore[unused-coroutine]", True),
        ("  # type: ignore[attr-defined, unused-coroutine]", True),
        ("  # pyright: ignore[reportUnusedCoroutine]", True),
        ("  # type: ignore[attr-defined]", False),
        ("  # type: ignore", False),
        ("  # noqa: ASYNC251", False),
    ],
)
def test_type_checkers_codes_suppress_a_coroutine_not_awaited(
    comment: str, suppressed: bool
) -> None:
    source = "async def notify() -> None: ...\n\n\nasync def f() -> None:\n    notify(){comment}\n"
    assert codes(source.format(comment="")) == ["FG304"]
    found = codes(source.format(comment=comment))
    assert (found == []) is suppressed, found

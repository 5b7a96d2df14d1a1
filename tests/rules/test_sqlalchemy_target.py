"""A project on SQLAlchemy 1.x gets FG108 as a migration, never a fix that cannot import.

Seen on ethyca/fides (uv.lock: sqlalchemy 1.4.27): `--fix --unsafe-fixes` added `from
sqlalchemy.orm import Mapped, mapped_column`, an ImportError on 1.4."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from checks.pydantic_target import PydanticTarget
from checks.sqlalchemy_target import MIGRATION_NOTE, SqlalchemyTarget
from tests.helpers import check_code, run_cli, write

MODELS = """
from sqlalchemy import Column, Integer, String
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class Identity(Base):
    __tablename__ = "identities"

    id = Column(Integer, primary_key=True)
    key = Column(String(255), nullable=False)
"""

PROJECT = '[project]\nname = "s"\ndependencies = [{}]\n'
POETRY = '[tool.poetry.dependencies]\npython = "^3.11"\nsqlalchemy = {}\n'
UV_LOCK_14 = """
version = 1

[[package]]
name = "sqlalchemy"
version = "1.4.27"
source = { registry = "https://pypi.org/simple" }
"""


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({}, 2),
        ({"uv.lock": UV_LOCK_14}, 1),
        ({"requirements.txt": "SQLAlchemy==1.4.52\nfastapi\n"}, 1),
        ({"pyproject.toml": PROJECT.format('"sqlalchemy>=1.4,<2"')}, 1),
        ({"pyproject.toml": PROJECT.format('"sqlalchemy[asyncio]>=2"')}, 2),
        ({"pyproject.toml": PROJECT.format('"SQLAlchemy>=1.4"')}, 2),
        ({"pyproject.toml": '[tool.poetry.dependencies]\nSQLAlchemy = "^1.4"\n'}, 1),
        # SQLModel older than 0.0.12 requires SQLAlchemy 1.4 (ElGranZorro's, reader 147)
        ({"requirements.txt": "fastapi==0.96.0\nsqlmodel==0.0.6\n"}, 1),
        ({"requirements.txt": "sqlmodel>=0.0.8,<0.0.12\nsqlalchemy\n"}, 1),
        ({"requirements.txt": "sqlmodel==0.0.16\n"}, 2),
        ({"requirements.txt": "sqlmodel>=0.0.8\n"}, 2),
    ],
)
def test_the_target_is_read_from_the_pins(
    tmp_path: Path, files: dict[str, str], expected: int
) -> None:
    for name, text in files.items():
        write(tmp_path, name, text)
    assert SqlalchemyTarget(tmp_path).version == expected


def test_sqlalchemy_pins_do_not_move_the_pydantic_target(tmp_path: Path) -> None:
    write(tmp_path, "requirements.txt", "SQLAlchemy==1.4.52\n")
    assert PydanticTarget(tmp_path).version == 2
    assert PydanticTarget(tmp_path).pins() == ()


def _fg108(root: Path, *options: str) -> list[dict[str, object]]:
    result = run_cli(
        "check", "--select", "FG108", "--output-format", "json", "--no-cache", *options, str(root)
    )
    assert result.exit_code in (0, 1), result.stderr
    found: list[dict[str, object]] = json.loads(result.stdout)
    return found


def test_on_sqlalchemy_1_fg108_is_a_migration_without_a_fix(tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", '[project]\nname = "svc"\n')
    write(tmp_path, "uv.lock", UV_LOCK_14)
    models = write(tmp_path, "app/models.py", MODELS)
    found = _fg108(tmp_path)
    assert len(found) == 2  # declarative_base(), and the class's columns
    assert all(str(f["message"]).endswith(MIGRATION_NOTE) for f in found)
    assert all(f["fix"] is None for f in found)
    before = models.read_bytes()
    run_cli("check", "--select", "FG108", "--fix", "--unsafe-fixes", "--no-cache", str(tmp_path))
    assert models.read_bytes() == before


@pytest.mark.parametrize(
    ("extra", "counted"),
    [
        # only FG108 may fire: the file is not parsed, and counted among those not run
        ("", "or the selection: FG108 (1 file)."),
        # another rule parses the file: FG108's findings are held back, and counted
        ("\nimport time\n\n\nasync def tick() -> None:\n    time.sleep(1)\n", "FG108 (2)"),
    ],
)
def test_on_sqlalchemy_1_the_closing_line_counts_fg108(
    tmp_path: Path, extra: str, counted: str
) -> None:
    """reader 57: on arifgafizov (SQLAlchemy 1.4.41) the closing line named the Pydantic
    rules held back but not FG108, whose `--extend-select` listed 7 findings."""
    write(tmp_path, "pyproject.toml", '[project]\nname = "svc"\n')
    write(tmp_path, "uv.lock", UV_LOCK_14)
    write(tmp_path, "app/models.py", MODELS + extra)
    result = run_cli("check", "--no-cache", "--output-format", "concise", str(tmp_path))
    assert not re.search(r":\d+:\d+: FG108 ", result.stdout)
    assert counted in result.stdout


def test_a_configured_target_of_2_offers_the_fix(tmp_path: Path) -> None:
    write(
        tmp_path,
        "pyproject.toml",
        '[project]\nname = "svc"\n\n[tool.fastapi-guardrails]\ntarget-sqlalchemy = "2"\n',
    )
    write(tmp_path, "uv.lock", UV_LOCK_14)
    write(tmp_path, "app/models.py", MODELS)
    found = _fg108(tmp_path)
    assert len(found) == 2  # declarative_base(), and the class's columns
    assert not any(MIGRATION_NOTE in str(f["message"]) for f in found)
    assert all(f["fix"] is not None for f in found)


@pytest.mark.parametrize(
    ("files", "admits"),
    [
        ({}, False),
        ({"pyproject.toml": PROJECT.format('"SQLAlchemy>=1.4.1"')}, True),
        ({"pyproject.toml": PROJECT.format('"sqlalchemy>=2"')}, False),
        ({"pyproject.toml": PROJECT.format('"sqlalchemy>=1.4,<2"')}, True),
        ({"requirements.txt": "SQLAlchemy>=1.4.1\n", "uv.lock": UV_LOCK_14}, True),
        ({"requirements.txt": "SQLAlchemy>=1.4.1\nSQLAlchemy>=2.0\n"}, False),
        # a bare requirement names no version: an install gets the newest (BookStore)
        ({"requirements.txt": "fastapi\nsqlalchemy\n"}, False),
        ({"requirements.txt": "sqlalchemy[asyncio]\n"}, False),
        ({"pyproject.toml": POETRY.format('"*"')}, False),
        ({"requirements.txt": "sqlalchemy\nsqlalchemy==1.3.19\n"}, True),
    ],
)
def test_whether_the_pins_admit_1_x(tmp_path: Path, files: dict[str, str], admits: bool) -> None:
    for name, text in files.items():
        write(tmp_path, name, text)
    assert SqlalchemyTarget(tmp_path).admits_below("2") is admits


def test_pins_that_also_admit_1_x_keep_the_finding_without_the_fix(tmp_path: Path) -> None:
    """aim pins `SQLAlchemy>=1.4.1` (reader 44): the target is 2, so FG108 reports, but
    `class Base(DeclarativeBase)` fails to import where an install gets 1.4."""
    write(tmp_path, "pyproject.toml", PROJECT.format('"SQLAlchemy>=1.4.1"'))
    moved = MODELS.replace(
        "sqlalchemy.orm import declarative_base",
        "sqlalchemy.ext.declarative import declarative_base",
    )
    models = write(tmp_path, "app/models.py", moved)
    found = _fg108(tmp_path)
    assert len(found) == 2  # the moved `declarative_base()`, and the class's columns
    assert not any(MIGRATION_NOTE in str(f["message"]) for f in found)
    assert all(f["fix"] is None for f in found)
    before = models.read_bytes()
    run_cli("check", "--select", "FG108", "--fix", "--unsafe-fixes", "--no-cache", str(tmp_path))
    assert models.read_bytes() == before
    # pins of 2.x alone: the fix is offered
    write(tmp_path, "pyproject.toml", PROJECT.format('"SQLAlchemy>=2.0"'))
    assert [f["fix"] is not None for f in _fg108(tmp_path)] == [True, True]


def test_a_bad_configured_target_is_a_configuration_error(tmp_path: Path) -> None:
    write(
        tmp_path,
        "pyproject.toml",
        '[project]\nname = "svc"\n\n[tool.fastapi-guardrails]\ntarget-sqlalchemy = "3"\n',
    )
    write(tmp_path, "app/models.py", MODELS)
    result = run_cli("check", "--no-cache", str(tmp_path))
    assert result.exit_code == 2
    assert "target-sqlalchemy" in result.stderr


QUERIES = """
from sqlalchemy.orm import Session

from app.models import User


def get_user(db: Session, user_id: int) -> User | None:
    return db.query(User).filter(User.id == user_id).first()
"""


def _fg101_fixes(root: Path) -> list[bool]:
    result = run_cli(
        "check", "--select", "FG101", "--output-format", "json", "--no-cache", str(root)
    )
    assert result.exit_code in (0, 1), result.stderr
    return [f["fix"] is not None for f in json.loads(result.stdout)]


@pytest.mark.parametrize(
    ("requirements", "fixes"),
    [
        ("SQLAlchemy==1.3.19\n", [False]),
        ("SQLAlchemy>=1.3,<2\n", [False]),
        ("SQLAlchemy==1.4.52\n", [True]),
        ("SQLAlchemy>=2\n", [True]),
    ],
)
def test_fg101s_select_is_not_offered_where_sqlalchemy_1_3_may_be_installed(
    tmp_path: Path, requirements: str, fixes: list[bool]
) -> None:
    """fastapi-react pins `SQLAlchemy==1.3.19` (reader 45): there `session.execute(
    select(User))` gives rows of one column, and `.scalars()` does not exist (TypeError on
    1.3.24); the finding stays, without the fix."""
    write(tmp_path, "requirements.txt", requirements)
    write(tmp_path, "app/crud.py", QUERIES)
    assert _fg101_fixes(tmp_path) == fixes


def test_a_configured_target_of_2_admits_no_1_3(tmp_path: Path) -> None:
    write(tmp_path, "requirements.txt", "SQLAlchemy==1.3.19\n")
    assert SqlalchemyTarget(tmp_path).admits_below("1.4")
    assert SqlalchemyTarget(tmp_path, configured=1).admits_below("1.4")  # 1.3 or 1.4
    assert not SqlalchemyTarget(tmp_path, configured=2).admits_below("1.4")


def test_fg102s_message_offers_no_async_session_where_1_3_may_be_installed(
    tmp_path: Path,
) -> None:
    """fastapi-react (`SQLAlchemy==1.3.19`, reader 46): `AsyncSession` came with 1.4, so
    the message offers the `def` route and a thread, and says why not `AsyncSession`."""
    write(tmp_path, "requirements.txt", "SQLAlchemy==1.3.19\npsycopg2==2.8.6\n")
    route = (
        "from sqlalchemy.orm import Session\n\n\n"
        "async def read(db: Session) -> None:\n    db.execute('SELECT 1')\n"
    )
    write(tmp_path, "app/routes.py", route)

    def messages() -> list[str]:
        result = run_cli(
            "check", "--select", "FG102", "--output-format", "json", "--no-cache", str(tmp_path)
        )
        return [str(f["message"]) for f in json.loads(result.stdout)]

    assert len(found := messages()) == 1
    assert "declare the route or dependency `def`" in found[0]
    assert "`AsyncSession` needs SQLAlchemy 1.4" in found[0]
    write(tmp_path, "requirements.txt", "SQLAlchemy==2.0.36\npsycopg2==2.9.10\n")
    assert messages()[0].startswith("Synchronous SQLAlchemy engine or session used in ")
    assert "use `AsyncSession`" in messages()[0]


def test_the_moved_decorator_is_reported_once_per_file() -> None:
    """man780's two bases under `@as_declarative()` of `sqlalchemy.ext.declarative`
    (reader 67): one import line is the fix of both, one finding, at the first use."""
    source = """
        from typing import Any

        from sqlalchemy.ext.declarative import as_declarative


        @as_declarative()
        class ReadOnlyBase:
            id: Any


        @as_declarative()
        class Base:
            id: Any
        """
    found = [f for f in check_code(source, "app/models/base.py") if f.code == "FG108"]
    assert [f.start.row for f in found] == [6]

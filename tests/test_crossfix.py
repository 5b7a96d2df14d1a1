"""FG108's `backref=` fix when the other class lives in another file (`checks.crossfix`):
both files are edited or neither, and the package's schema is the oracle. The package is
imported before and after the fix in a fresh interpreter, and SQLAlchemy's PostgreSQL
DDL of every table and each mapper's columns and relationships are compared
(`tests.rules.schema_oracle`'s facts)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import run_cli, write

ROOT = Path(__file__).resolve().parents[1]

DB = """
from sqlalchemy.orm import declarative_base

Base = declarative_base()
"""
TEAM = """
from sqlalchemy import Column, ForeignKey, Integer, String, Table

from app.db import Base

team_tags = Table(
    "team_tags",
    Base.metadata,
    Column("team_id", ForeignKey("team.id"), primary_key=True),
    Column("tag_id", ForeignKey("tag.id"), primary_key=True),
)


class Team(Base):
    __tablename__ = "team"
    id = Column(Integer, primary_key=True)
    name = Column(String(50), nullable=False)  # shown in the UI

    def __repr__(self) -> str:
        return f"Team({self.name})"
"""
TAG = """
from sqlalchemy import Column, Integer, String

from app.db import Base


class Tag(Base):
    __tablename__ = "tag"
    id = Column(Integer, primary_key=True)
    label = Column(String)
"""
USER = """
from sqlalchemy import Column, ForeignKey, Integer
from sqlalchemy.orm import relationship

from app.db import Base
from app.tag import Tag


class User(Base):
    __tablename__ = "user_account"
    id = Column(Integer, primary_key=True)
    team_id = Column(Integer, ForeignKey("team.id"))
    team = relationship("Team", backref="members", lazy="selectin")
    favourite_id = Column(Integer, ForeignKey("tag.id"))
    favourite = relationship(Tag, backref="fans")
"""
#: a class of another file refers to Team by its string: it gets Team's tags
TEAM_TAGS = """
from sqlalchemy.orm import relationship

from app.team import Team


class Squad(Team):
    tags = relationship("Tag", secondary="team_tags", backref="squads")
"""

SCHEMA = """
import importlib, json, sys
sys.path[:0] = [sys.argv[1], sys.argv[2]]
from sqlalchemy.orm import configure_mappers
from sqlalchemy.dialects import postgresql
from sqlalchemy.schema import CreateTable
from tests.rules.schema_oracle import _mapper_facts
modules = [importlib.import_module(name) for name in sys.argv[3:]]
configure_mappers()
base = importlib.import_module("app.db").Base
dialect = postgresql.dialect()
tables = {t.name: str(CreateTable(t).compile(dialect=dialect)) for t in base.metadata.sorted_tables}
mappers = {m.class_.__name__: _mapper_facts(m) for m in base.registry.mappers}
print(json.dumps({"tables": tables, "mappers": mappers}, sort_keys=True, default=str))
"""


def package_schema(root: Path, *modules: str) -> dict[str, object]:
    """The tables and mappers the package `app` under `root` declares, imported in a
    fresh interpreter (each run maps its classes once)."""
    done = subprocess.run(
        [sys.executable, "-c", SCHEMA, str(root), str(ROOT), *modules],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    loaded: dict[str, object] = json.loads(done.stdout)
    return loaded


def project(tmp_path: Path, **files: str) -> Path:
    write(tmp_path, "pyproject.toml", "[tool.fastapi-guardrails]\n")
    write(tmp_path, "app/__init__.py", "")
    for name, source in files.items():
        write(tmp_path, f"app/{name}.py", source)
    return tmp_path


def texts(root: Path) -> dict[str, str]:
    return {p.name: p.read_text() for p in sorted((root / "app").glob("*.py"))}


def fix(root: Path, *extra: str) -> str:
    result = run_cli("check", "--no-cache", "--select", "FG108", "--fix", *extra, str(root / "app"))
    return result.stdout + result.stderr


MODULES = ("app.db", "app.team", "app.tag", "app.user", "app.squad")


def test_backrefs_to_classes_of_other_files_become_back_populates_in_both(
    tmp_path: Path,
) -> None:
    root = project(tmp_path, db=DB, team=TEAM, tag=TAG, user=USER, squad=TEAM_TAGS)
    before = package_schema(root, *MODULES)
    output = fix(root, "--unsafe-fixes")
    after = package_schema(root, *MODULES)
    assert after == before
    fixed = texts(root)
    assert (
        'team = relationship("Team", back_populates="members", lazy="selectin")'
        in (fixed["user.py"])
    )
    assert 'favourite = relationship(Tag, back_populates="fans")' in fixed["user.py"]
    # after the last attribute line without a comment, before the methods
    assert (
        "    id: Mapped[int] = mapped_column(Integer, primary_key=True)\n"
        '    members = relationship("User", back_populates="team")\n'
        "    name: Mapped[str] = mapped_column(String(50))  # shown in the UI\n"
    ) in fixed["team.py"]
    assert "from sqlalchemy.orm import Mapped, mapped_column, relationship\n" in fixed["team.py"]
    assert 'fans = relationship("User", back_populates="favourite")' in fixed["tag.py"]
    assert (
        'squads = relationship("Squad", secondary="team_tags", back_populates="tags")'
        in fixed["tag.py"]
    )
    assert "backref" not in "".join(fixed.values())
    assert "0 remaining" in output
    assert fix(root, "--unsafe-fixes").count("fixed") == 0  # nothing left to do


def test_without_unsafe_fixes_no_file_changes_for_a_backref(tmp_path: Path) -> None:
    root = project(tmp_path, db=DB, team=TEAM, tag=TAG, user=USER, squad=TEAM_TAGS)
    before = texts(root)
    fix(root)  # the safe fixes only: FG108's are unsafe
    assert texts(root) == before


def test_diff_shows_both_files_and_writes_nothing(tmp_path: Path) -> None:
    root = project(tmp_path, db=DB, team=TEAM, tag=TAG, user=USER)
    before = texts(root)
    result = run_cli(
        "check", "--no-cache", "--select", "FG108", "--diff", "--unsafe-fixes", str(root)
    )
    assert texts(root) == before
    assert '+    members = relationship("User", back_populates="team")' in result.stdout
    assert '+    team = relationship("Team", back_populates="members", lazy="selectin")' in (
        result.stdout
    )


@pytest.mark.parametrize(
    ("name", "extra"),
    [
        # a second mapped class named Team: the string "Team" the registry resolves is
        # not settled by the index
        ("other_team", TEAM.replace('"team"', '"other_team"')),
        # a second mapped class named User: the new side's "User" would be ambiguous
        ("other_user", TAG.replace("class Tag", "class User").replace('"tag"', '"u2"')),
    ],
)
def test_a_backref_whose_classes_the_project_does_not_settle_has_no_fix(
    tmp_path: Path, name: str, extra: str
) -> None:
    root = project(tmp_path, db=DB, team=TEAM, tag=TAG, user=USER, **{name: extra})
    listed = run_cli("check", "--no-cache", "--select", "FG108", "--unsafe-fixes", str(root))
    line = next(x for x in listed.stdout.splitlines() if "user.py:12" in x)
    assert "[*]" not in line  # the output does not promise what --fix will not do
    fix(root, "--unsafe-fixes")
    assert 'backref="members"' in texts(root)["user.py"]
    assert "members" not in texts(root)["team.py"]


def test_both_files_or_neither_when_the_other_class_has_the_name(tmp_path: Path) -> None:
    taken = TEAM.replace(
        "    name = Column(String(50), nullable=False)  # shown in the UI\n",
        "    name = Column(String(50), nullable=False)  # shown in the UI\n    members = 3\n",
    )
    root = project(tmp_path, db=DB, team=taken, tag=TAG, user=USER)
    fix(root, "--unsafe-fixes")
    fixed = texts(root)
    assert 'backref="members"' in fixed["user.py"]  # left: Team already binds `members`
    assert 'fans = relationship("User", back_populates="favourite")' not in fixed["tag.py"]
    assert 'backref="fans"' in fixed["user.py"]  # the same file's pair waits with it


def test_a_one_file_run_leaves_a_backref_to_another_file_alone(tmp_path: Path) -> None:
    root = project(tmp_path, db=DB, team=TEAM, tag=TAG, user=USER)
    run_cli(
        "check",
        "--no-cache",
        "--select",
        "FG108",
        "--fix",
        "--unsafe-fixes",
        str(root / "app" / "user.py"),
    )
    assert "members" not in texts(root)["team.py"]
    assert 'backref="members"' in texts(root)["user.py"]


TAG_WITH_ARGS = """
from sqlalchemy import Column, Integer, String, UniqueConstraint

from app.db import Base


class Tag(Base):
    __tablename__ = "tag"
    id = Column(Integer, primary_key=True)
    label = Column(String)
    __table_args__ = (
        UniqueConstraint("label"),
        {"comment": "tags"},
    )
"""
FAN = """
from sqlalchemy import Column, ForeignKey, Integer
from sqlalchemy.orm import relationship

from app.db import Base
from app.tag import Tag


class Fan(Base):
    __tablename__ = "fan"
    id = Column(Integer, primary_key=True)
    favourite_id = Column(Integer, ForeignKey("tag.id"))
    favourite = relationship(Tag, backref="fans")
"""
#: the lines the fix adds go below a statement of several lines, which keeps its
#: indentation (reader 54: cryptostorage's `__table_args__` lost 4 spaces, its `)` at 0)
TABLE_ARGS_THEN_FANS = """
    __table_args__ = (
        UniqueConstraint("label"),
        {"comment": "tags"},
    )
    fans = relationship("Fan", back_populates="favourite")
"""


def test_the_line_added_below_a_statement_of_several_lines_keeps_its_indentation(
    tmp_path: Path,
) -> None:
    root = project(tmp_path, db=DB, tag=TAG_WITH_ARGS, fan=FAN)
    modules = ("app.db", "app.tag", "app.fan")
    before = package_schema(root, *modules)
    fix(root, "--unsafe-fixes")
    assert package_schema(root, *modules) == before
    assert TABLE_ARGS_THEN_FANS in texts(root)["tag.py"]


def test_the_in_file_fix_below_a_statement_of_several_lines_keeps_its_indentation(
    tmp_path: Path,
) -> None:
    both = TAG_WITH_ARGS + FAN.split("from app.tag import Tag\n", 1)[1]
    both = both.replace(
        "from sqlalchemy import Column, Integer, String, UniqueConstraint\n",
        "from sqlalchemy import Column, ForeignKey, Integer, String, UniqueConstraint\n"
        "from sqlalchemy.orm import relationship\n",
    )
    root = project(tmp_path, db=DB, tag=both)
    before = package_schema(root, "app.db", "app.tag")
    fix(root, "--unsafe-fixes")
    assert package_schema(root, "app.db", "app.tag") == before
    assert TABLE_ARGS_THEN_FANS in texts(root)["tag.py"]

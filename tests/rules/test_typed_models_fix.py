"""FG108's fix keeps the schema: 1.x declarative models and their typed 2.0 rewrite are
executed, each with its own base and `MetaData`, and SQLAlchemy's PostgreSQL DDL of every
table and index, and every mapper's columns and relationships, are compared
(`tests.rules.schema_oracle`). The rule's fix examples, handwritten modules and generated
ones are checked this way; mypy --strict checks the typed result of the docs' example."""

from __future__ import annotations

import random
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from checks.rules import RULES_BY_CODE
from tests.helpers import check_code, fix_code
from tests.rules.schema_oracle import execute, schema_of

RULE = RULES_BY_CODE["FG108"]


def fixed(source: str) -> str:
    return fix_code(textwrap.dedent(source).lstrip("\n"), "FG108", unsafe=True)


def left_unfixed(source: str) -> list[int]:
    """The rows of FG108 findings without a fix."""
    code = textwrap.dedent(source).lstrip("\n")
    return [f.start.row for f in check_code(code) if f.code == "FG108" and f.fix is None]


def unfixed_columns(source: str) -> dict[str, list[str]]:
    """Class -> the columns its FG108 finding names as having no fix (one finding per
    class lists them)."""
    code = textwrap.dedent(source).lstrip("\n")
    found: dict[str, list[str]] = {}
    for finding in check_code(code):
        match = re.match(r"`(\w+)` declares .*\(no fix for (.*)\)$", finding.message)
        if finding.code == "FG108" and match:
            found[match[1]] = re.findall(r"`(\w+)`", match[2])
    return found


def assert_same_schema(before: str, after: str) -> None:
    old, new = schema_of(before), schema_of(after)
    assert new.tables.keys() == old.tables.keys()
    for name in old.tables:
        assert new.tables[name] == old.tables[name], name
    assert new.mappers == old.mappers


# ------------------------------------------------------------------ the examples
@pytest.mark.parametrize("index", range(len(RULE.fixes)), ids=lambda i: f"FG108-fix-{i}")
def test_fix_example_declares_the_same_schema(index: int) -> None:
    example = RULE.fixes[index]
    assert_same_schema(example.before_code, example.after_code)


def test_the_oracle_sees_a_change_of_nullability() -> None:
    """Not a vacuous comparison: the DDL shows `NOT NULL`, so a wrong annotation fails."""
    before = """
    from sqlalchemy import Integer, String
    from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

    class Base(DeclarativeBase):
        pass

    class User(Base):
        __tablename__ = "users"
        id: Mapped[int] = mapped_column(Integer, primary_key=True)
        name: Mapped[str | None] = mapped_column(String)
    """
    before = textwrap.dedent(before)
    after = before.replace("Mapped[str | None]", "Mapped[str]")
    assert schema_of(before).tables != schema_of(after).tables


# --------------------------------------------------------------- handwritten models
HANDWRITTEN = {
    "mixins-and-relationships": """
        import datetime
        import enum

        from sqlalchemy import (
            Boolean, Column, DateTime, Enum, ForeignKey, Index, Integer, String, func,
        )
        from sqlalchemy.orm import column_property, declarative_base, relationship

        Base = declarative_base()


        class Kind(enum.Enum):
            person = "person"
            robot = "robot"


        class TimestampMixin:
            created_at = Column(DateTime, default=datetime.datetime.utcnow, nullable=False)
            updated_at = Column(DateTime, onupdate=func.now())


        class Team(TimestampMixin, Base):
            __tablename__ = "teams"
            id = Column(Integer, primary_key=True)
            name = Column(String(100), nullable=False, unique=True, comment="display name")
            members = relationship("Member", back_populates="team", lazy="raise")


        class Member(TimestampMixin, Base):
            __tablename__ = "members"
            __table_args__ = (Index("ix_members_name_kind", "first_name", "kind"),)
            id = Column(Integer, primary_key=True, autoincrement=True)
            team_id = Column(ForeignKey("teams.id", ondelete="CASCADE"), nullable=False)
            first = Column("first_name", String(50), index=True)
            last = Column(String(50), key="surname", doc="family name")
            kind = Column(Enum(Kind, name="member_kind"), default=Kind.person)
            active = Column(Boolean, server_default="true", nullable=False)
            fullname = column_property(first + " " + last)
            team = relationship(Team, back_populates="members", foreign_keys=[team_id])
        """,
    "composite-key-and-chains": """
        import sqlalchemy as sa
        from sqlalchemy.dialects import postgresql
        from sqlalchemy.orm import declarative_base

        metadata = sa.MetaData(
            naming_convention={"pk": "pk_%(table_name)s", "ix": "ix_%(column_0_label)s"}
        )
        Base = declarative_base(metadata=metadata)


        class Account(Base):
            __tablename__ = "accounts"
            id = sa.Column(sa.BigInteger, sa.Identity(always=True), primary_key=True)
            code = sa.Column(postgresql.UUID(as_uuid=False), nullable=False)


        class Membership(Base):
            __tablename__ = "memberships"
            __table_args__ = (sa.PrimaryKeyConstraint("account_id", "role"), {"comment": "m"})
            account_id = sa.Column(sa.ForeignKey("accounts.id"))
            role = sa.Column(sa.String(20))
            note = sa.Column(sa.Text, nullable=True)
            scores = sa.Column(postgresql.ARRAY(sa.Integer, dimensions=2))
            extra = sa.Column(postgresql.JSONB, server_default=sa.text("'{}'::jsonb"))


        class Grant(Base):
            __tablename__ = "grants"
            id = sa.Column(sa.Integer, primary_key=True, nullable=False)
            account_id = sa.Column(sa.ForeignKey(Account.id), index=True)
            membership_account = sa.Column(sa.ForeignKey("memberships.account_id"))
            amount = sa.Column(sa.Numeric(12, 2, asdecimal=False), default=0)
            ratio = sa.Column(sa.Float(precision=53))
            at = sa.Column(sa.Time(timezone=True))
            span = sa.Column(sa.Interval)
            blob = sa.Column(sa.LargeBinary(length=1024), info={"secret": True})
        """,
    "unfixable-columns-stay": """
        from sqlalchemy import Column, Integer, MetaData, String, Table, TypeDecorator
        from sqlalchemy.orm import declarative_base

        Base = declarative_base()
        audit = Table("audit", Base.metadata, Column("id", Integer, primary_key=True))


        class Lowercase(TypeDecorator):
            impl = String
            cache_ok = True


        class Tag(Base):
            __tablename__ = "tags"
            id = Column(Integer, primary_key=True)
            label = Column(Lowercase(40))
            parent = Column(Integer, nullable=bool(1))


        class Legacy(Base):
            __table__ = Table("legacy", MetaData(), Column("id", Integer, primary_key=True))
        """,
    "patterns-of-jupyterhub-aim-lemur": """
        import datetime

        import sqlalchemy as sa
        from sqlalchemy import (
            Boolean, Column, DateTime, DefaultClause, ForeignKey, Integer, String, Text, Unicode,
            func,
        )
        from sqlalchemy.dialects import postgresql
        from sqlalchemy.orm import backref, declarative_base, relationship

        meta = sa.MetaData()
        Base = declarative_base(metadata=meta)


        class Expiring:
            expires_at = None  # a plain mixin's attribute that a subclass maps as a column


        class Server(Base):
            __tablename__ = "servers"
            id = Column(Integer, primary_key=True)
            proto = Column(Unicode(15), default="http")
            admin = Column(Boolean(create_constraint=False), default=False)


        class OAuthCode(Expiring, Base):
            __tablename__ = "oauth_codes"
            id = Column(Integer, primary_key=True, autoincrement=True)
            expires_at = Column(Integer)
            server_id = Column(Integer, ForeignKey("servers.id", ondelete="SET NULL"))


        class Dashboard(Base):
            __tablename__ = "dashboards"
            uuid = sa.Column(sa.Text, primary_key=True)
            created_at = sa.Column(sa.DateTime, default=datetime.datetime.utcnow)


        class Experiment(Base):
            __tablename__ = "experiment"
            id = Column(Integer, primary_key=True)
            name = Column(Text, nullable=False, unique=True)


        class Run(Base):
            __tablename__ = "run"
            id = Column(Integer, autoincrement=True, primary_key=True)
            experiment_id = Column(ForeignKey("experiment.id"), nullable=True)
            experiment = relationship(
                "Experiment", backref=backref("runs", uselist=True, order_by="Run.id.desc()")
            )


        class Certificate(Base):
            __tablename__ = "certificates"
            id = Column(Integer(), primary_key=True)
            name = Column(String(length=256), unique=True, nullable=True)
            date_created = Column(DateTime, DefaultClause(func.now()), nullable=False)
            ports = Column(postgresql.ARRAY(Integer))
            server_id = Column(Integer, ForeignKey("servers.id"))
            server = relationship("Server", backref="certificates")
        """,
    "class-registry-mapped": """
        from sqlalchemy import Column, Date, Integer, String, Time
        from sqlalchemy.orm import registry

        mapper_registry = registry()


        @mapper_registry.mapped
        class Slot:
            __tablename__ = "slots"
            id = Column(Integer, primary_key=True)
            date = Column(Date, nullable=False)
            time = Column(Time)
            place = Column(String)
        """,
}


@pytest.mark.parametrize("name", sorted(HANDWRITTEN))
def test_handwritten_models_declare_the_same_schema_after_the_fix(name: str) -> None:
    source = textwrap.dedent(HANDWRITTEN[name]).lstrip("\n")
    after = fixed(source)
    assert after != source
    assert_same_schema(source, after)
    assert fixed(after) == after  # nothing left to do a second time


def test_mixins_and_relationships_become_typed_attributes() -> None:
    after = fixed(HANDWRITTEN["mixins-and-relationships"])
    assert "created_at: Mapped[datetime.datetime] = mapped_column(" in after
    assert "updated_at: Mapped[datetime.datetime | None] = mapped_column(" in after
    assert "team_id: Mapped[int] = mapped_column(ForeignKey(" in after
    assert 'first: Mapped[str | None] = mapped_column("first_name", String(50)' in after
    assert "kind: Mapped[Kind | None] = mapped_column(Enum(Kind" in after
    assert "fullname = column_property(first" in after
    assert "Column" not in after.split("\n\n\n", 1)[0]  # the import is released


def test_composite_key_columns_are_not_optional_and_explicit_nullable_true_stays() -> None:
    after = fixed(HANDWRITTEN["composite-key-and-chains"])
    assert "account_id: Mapped[int] = mapped_column(sa.ForeignKey(" in after
    assert "role: Mapped[str] = mapped_column(sa.String(20))" in after
    assert "note: Mapped[str | None] = mapped_column(sa.Text, nullable=True)" in after
    assert "scores: Mapped[list[list[int]] | None]" in after
    assert "code: Mapped[str] = mapped_column(postgresql.UUID(as_uuid=False))" in after
    assert "id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(always=True)" in after
    # ForeignKey(Account.id) and a chain through memberships.account_id -> accounts.id
    assert "account_id: Mapped[int | None] = mapped_column(sa.ForeignKey(Account.id)" in after
    assert "membership_account: Mapped[int | None]" in after
    assert "amount: Mapped[float | None]" in after
    assert "class Base(DeclarativeBase):\n    metadata = metadata\n" in after


def test_columns_the_fix_cannot_type_keep_their_finding_without_a_fix() -> None:
    source = HANDWRITTEN["unfixable-columns-stay"]
    after = fixed(source)
    assert "label = Column(Lowercase(40))" in after  # a type the fix does not know
    assert "parent = Column(Integer, nullable=bool(1))" in after  # not a literal
    assert 'Table("legacy", MetaData(), Column("id"' in after  # Table columns stay
    assert unfixed_columns(after) == {"Tag": ["label", "parent"]}


def test_date_and_time_columns_use_the_datetime_module_when_their_names_are_taken() -> None:
    after = fixed(HANDWRITTEN["class-registry-mapped"])
    assert "import datetime\n" in after
    assert "date: Mapped[datetime.date] = mapped_column(Date)" in after
    assert "time: Mapped[datetime.time | None] = mapped_column(Time)" in after


# ------------------------------------------------------------------- refusals
def test_a_foreign_key_to_a_table_of_another_file_has_no_fix() -> None:
    source = """
    from sqlalchemy import Column, ForeignKey, Integer
    from sqlalchemy.orm import declarative_base

    Base = declarative_base()


    class Order(Base):
        __tablename__ = "orders"
        id = Column(Integer, primary_key=True)
        user_id = Column(ForeignKey("users.id"))
    """
    assert unfixed_columns(source) == {"Order": ["user_id"]}
    assert "user_id = Column(" in fixed(source)  # and `id` is typed
    assert "id: Mapped[int] = mapped_column(Integer, primary_key=True)" in fixed(source)


def test_a_column_changed_in_the_class_body_has_no_fix() -> None:
    source = """
    from sqlalchemy import Column, DateTime


    class TimeStampMixin:
        created_at = Column(DateTime)
        created_at._creation_order = 9998
    """
    assert unfixed_columns(source) == {"TimeStampMixin": ["created_at"]}
    assert left_unfixed(source) == [4]  # no column of the class has a fix


def test_star_arguments_and_pydantic_models_have_no_fix() -> None:
    source = """
    from pydantic import BaseModel
    from sqlalchemy import Column, Integer

    ARGS = (Integer,)


    class Columns:
        a = Column(*ARGS)


    class Weird(BaseModel):
        b = Column(Integer)
    """
    assert unfixed_columns(source) == {"Columns": ["a"], "Weird": ["b"]}


def test_declarative_base_with_a_mixin_becomes_a_base_class_listing_it() -> None:
    source = """
    from sqlalchemy import Column, Integer, MetaData
    from sqlalchemy.orm import declarative_base


    class ReprMixin:
        def __repr__(self) -> str:
            return type(self).__name__


    Base = declarative_base(cls=ReprMixin, metadata=MetaData(schema="app"), name="Base")


    class Thing(Base):
        __tablename__ = "things"
        id = Column(Integer, primary_key=True)
    """
    after = fixed(source)
    assert 'class Base(ReprMixin, DeclarativeBase):\n    metadata = MetaData(schema="app")' in after
    assert_same_schema(textwrap.dedent(source), after)
    thing = execute(after)["Thing"](id=3)  # the declarative constructor, not the mixin's
    assert repr(thing) == "Thing"
    assert thing.id == 3


@pytest.mark.parametrize(
    "call",
    [
        "declarative_base(constructor=None)",
        "declarative_base(metaclass=Meta)",
        "declarative_base(cls=ImportedMixin)",
        "declarative_base(cls=WithInit)",
        'declarative_base(name="Other")',
    ],
)
def test_declarative_base_arguments_without_a_2_0_spelling_have_no_fix(call: str) -> None:
    source = f"""
    from sqlalchemy.orm import declarative_base

    from app.base import ImportedMixin, Meta


    class WithInit:
        def __init__(self) -> None:
            pass


    Base = {call}
    """
    assert left_unfixed(source) == [11]


# -------------------------------------------------------------------- backref
BACKREFS = """
from sqlalchemy import Column, ForeignKey, Integer, String, Table
from sqlalchemy.orm import declarative_base, relationship

Base = declarative_base()

post_tags = Table(
    "post_tags",
    Base.metadata,
    Column("post_id", ForeignKey("posts.id"), primary_key=True),
    Column("tag_id", ForeignKey("tags.id"), primary_key=True),
)


class Author(Base):
    __tablename__ = "authors"
    id = Column(Integer, primary_key=True)

    def __repr__(self) -> str:
        return "author"


class Tag(Base):
    __tablename__ = "tags"
    id = Column(Integer, primary_key=True)
    label = Column(String)  # shown in the UI


class Post(Base):
    __tablename__ = "posts"
    id = Column(Integer, primary_key=True)
    author_id = Column(ForeignKey("authors.id"))
    editor_id = Column(ForeignKey("authors.id"))
    parent_id = Column(ForeignKey("posts.id"))
    author = relationship("Author", foreign_keys=[author_id], backref="posts", lazy="raise")
    editor = relationship(Author, foreign_keys=[editor_id], backref="edited")
    tags = relationship(Tag, secondary=post_tags, backref="posts", cascade="all")
    parent = relationship("Post", remote_side=[id], backref="children")
    reviewer = relationship("Reviewer", backref="reviewed")
"""


def test_backrefs_to_classes_of_the_file_become_back_populates_on_both_sides() -> None:
    after = fixed(BACKREFS)
    assert 'tags = relationship(Tag, secondary=post_tags, back_populates="posts"' in after
    # the tag's relationship goes after its last line without a comment
    assert (
        "    id: Mapped[int] = mapped_column(Integer, primary_key=True)\n"
        '    posts = relationship("Post", secondary=post_tags, back_populates="tags")\n'
        "    label: Mapped[str | None] = mapped_column(String)  # shown in the UI\n"
    ) in after
    # (Reviewer lives in another module: that relationship is left out of the comparison)
    without_reviewer = "    # reviewer = "
    assert_same_schema(
        BACKREFS.replace("    reviewer = ", without_reviewer),
        after.replace("    reviewer = ", without_reviewer),
    )


def test_backrefs_with_arguments_they_pass_on_or_to_other_files_have_no_fix() -> None:
    after = fixed(BACKREFS)
    assert 'backref="posts", lazy="raise")' in after  # foreign_keys= is passed on
    assert 'backref="edited")' in after
    assert 'backref="children")' in after  # self-referential: remote_side is computed
    assert 'backref="reviewed")' in after  # Reviewer is not in the file
    assert len(left_unfixed(after)) == 4


def test_a_backref_to_a_schema_class_of_the_same_name_has_no_fix() -> None:
    """The string names a mapped class of another module; the file's own `Service` is a
    Pydantic schema: writing the relationship into it breaks the schema (found on
    Netflix/dispatch by the benchmark)."""
    source = """
    from pydantic import BaseModel
    from sqlalchemy import Column, ForeignKey, Integer
    from sqlalchemy.orm import relationship

    from app.database import Base


    class Instance(Base):
        id = Column(Integer, primary_key=True)
        service_id = Column(Integer, ForeignKey("service.id"))
        service = relationship("Service", backref="instances")


    class Service(BaseModel):
        name: str
    """
    assert left_unfixed(source) == [11]


# ----------------------------------------------------------------- generated models
_TYPES = [
    ("Integer", ()),
    ("BigInteger", ()),
    ("SmallInteger", ()),
    ("String(50)", ()),
    ("Text", ()),
    ("Unicode(20)", ()),
    ("Boolean", ()),
    ("DateTime", ()),
    ("DateTime(timezone=True)", ()),
    ("Date", ()),
    ("Time", ()),
    ("Interval", ()),
    ("Numeric(10, 2)", ()),
    ("Numeric(asdecimal=False)", ()),
    ("Float", ()),
    ("JSON", ()),
    ("postgresql.JSONB", ("postgresql",)),
    ("Uuid", ()),
    ("postgresql.UUID(as_uuid=False)", ("postgresql",)),
    ("LargeBinary", ()),
    ('Enum("a", "b", name="e{n}")', ()),
    ("Enum(Color)", ()),
    ("postgresql.ARRAY(Integer)", ("postgresql",)),
]
_IMPORTED = (
    "BigInteger, Boolean, Column, Date, DateTime, Enum, Float, ForeignKey, Identity, Integer, "
    "Interval, JSON, LargeBinary, MetaData, Numeric, PrimaryKeyConstraint, SmallInteger, "
    "String, Text, Time, Unicode, Uuid"
)
_NAMES = ["name", "date", "time", "uuid", "total", "flag", "kind", "note", "data", "at"]


def generated_module(seed: int) -> str:
    """A legacy models module: a base, maybe a mixin, a few classes whose columns draw
    their types and options (nullable, keys, indexes, defaults, names, foreign keys,
    composite primary keys, identities) at random; relationships between them."""
    rng = random.Random(seed)
    sa_style = rng.random() < 0.5
    p = "sa." if sa_style else ""
    lines = ["import enum", ""]
    lines += ["import sqlalchemy as sa"] if sa_style else [f"from sqlalchemy import {_IMPORTED}"]
    lines += ["from sqlalchemy.dialects import postgresql"]
    lines += ["from sqlalchemy.orm import declarative_base, relationship", "", ""]
    lines += ["class Color(enum.Enum):", "    red = 1", "    blue = 2", "", ""]
    if rng.random() < 0.5:
        lines += [f"Base = declarative_base(metadata={p}MetaData())", "", ""]
    else:
        lines += ["Base = declarative_base()", "", ""]
    bases = "Base"
    if rng.random() < 0.5:
        lines += ["class AuditMixin:", f"    created_by = {p}Column({p}String(40))"]
        lines += [f"    version = {p}Column({p}Integer, nullable=False, default=1)", "", ""]
        bases = "AuditMixin, Base"
    counter = 0
    tables: list[tuple[str, str]] = []
    for index in range(rng.randint(2, 4)):
        cls, table = f"Model{index}", f"table_{seed}_{index}"
        body = [f'    __tablename__ = "{table}"']
        composite = rng.random() < 0.25
        columns: list[str] = []
        if composite:
            body.append(f'    __table_args__ = ({p}PrimaryKeyConstraint("id", "part"),)')
            columns.append(f"    id = {p}Column({p}Integer)")
            columns.append(f"    part = {p}Column({p}String(10), nullable={rng.random() < 0.3})")
        else:
            pk_type = rng.choice(["Integer", "BigInteger", "Uuid"])
            identity = f", {p}Identity()" if pk_type != "Uuid" and rng.random() < 0.3 else ""
            columns.append(f"    id = {p}Column({p}{pk_type}{identity}, primary_key=True)")
        used = {"id", "part"}
        for _ in range(rng.randint(2, 7)):
            name = rng.choice(_NAMES)
            if name in used:
                name = f"{name}_{counter}"
            used.add(name)
            counter += 1
            sql, _needs = rng.choice(_TYPES)
            sql = sql.format(n=f"{seed}_{counter}")
            if not sql.startswith("postgresql.") and not sql.startswith("Enum(Color"):
                sql = p + sql
            elif sql.startswith("postgresql.ARRAY("):
                sql = f"postgresql.ARRAY({p}Integer)"
            elif sql.startswith("Enum(Color"):
                sql = f"{p}Enum(Color)"
            args = [sql]
            if rng.random() < 0.2:
                args.insert(0, f'"col_{name}"')
            options = rng.sample(
                [
                    "nullable=True",
                    "nullable=False",
                    "index=True",
                    "unique=True",
                    'comment="c"',
                    "default=None",
                    f'key="k_{name}"',
                    'doc="d"',
                ],
                k=rng.randint(0, 3),
            )
            if "nullable=True" in options and "nullable=False" in options:
                options.remove("nullable=True")
            columns.append(f"    {name} = {p}Column({', '.join(args + options)})")
        if tables and rng.random() < 0.7:
            target_cls, target_table = rng.choice(tables)
            own_type = f"{p}Integer, " if rng.random() < 0.3 else ""
            nullable = rng.choice(["", ", nullable=False", ", nullable=True"])
            fk = f'{p}ForeignKey("{target_table}.id")'
            columns.append(f"    parent_id = {p}Column({own_type}{fk}{nullable})")
            columns.append(
                f'    parent = relationship("{target_cls}", foreign_keys=[parent_id], lazy="raise")'
            )
        lines += [f"class {cls}({bases}):", *body, *columns, "", ""]
        if not composite:
            tables.append((cls, table))
    return "\n".join(lines).rstrip() + "\n"


@pytest.mark.parametrize("seed", range(40))
def test_generated_models_declare_the_same_schema_after_the_fix(seed: int) -> None:
    source = generated_module(seed)
    after = fixed(source)
    assert after != source
    assert_same_schema(source, after)
    assert left_unfixed(after) == [], after


# ------------------------------------------------------------------------- mypy
def test_the_fixed_docs_example_is_clean_under_mypy_strict(tmp_path: Path) -> None:
    """mypy --strict (no plugin) on the legacy example and on its rewrite, each used by
    the same typed function: the rewrite has no error (the legacy one has several:
    its base is no type for mypy, its columns carry none)."""
    example = RULE.fixes[0]
    usage = textwrap.dedent(
        """

        def describe(customer: Customer) -> str:
            note: str | None = customer.note
            return f"{customer.id}: {customer.email} {note or ''}"
        """
    )
    (tmp_path / "before.py").write_text(example.before_code + usage, encoding="utf-8")
    (tmp_path / "after.py").write_text(example.after_code + usage, encoding="utf-8")

    def mypy(name: str) -> list[str]:
        result = subprocess.run(
            [sys.executable, "-m", "mypy", "--strict", "--no-incremental", name],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            check=False,
        )
        return [line for line in result.stdout.splitlines() if ": error:" in line]

    assert mypy("after.py") == []
    legacy = mypy("before.py")
    assert legacy, "mypy did not check the legacy module"
    # what the legacy module got wrong under mypy: `declarative_base()` is no type,
    # `Column()` attributes need annotations; the rewrite adds no error of its own
    assert any("[valid-type]" in line for line in legacy), legacy

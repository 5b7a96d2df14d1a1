"""FG108 / FG110: legacy declarative models and relationships that load implicitly."""

from __future__ import annotations

import libcst as cst

from checks.context import FileContext
from checks.prefilter import Evidence
from checks.project import DECLARATIVE_BASE_FACTORIES
from checks.rule import Example, Rule

COLUMN = frozenset(
    {"sqlalchemy.Column", "sqlalchemy.schema.Column", "sqlalchemy.sql.schema.Column"}
)
RELATIONSHIP = frozenset({"sqlalchemy.orm.relationship", "sqlalchemy.orm.relation"})
_DECLARATIVE_NAMES = frozenset(name.rpartition(".")[2] for name in DECLARATIVE_BASE_FACTORIES)


class LegacyDeclarative(Rule):
    code = "FG108"
    name = "legacy-declarative-model"
    family = "SQLAlchemy"
    message = "Legacy declarative mapping"
    summary = (
        "Checks for the 1.x declarative style: `declarative_base()`, `Column()` class "
        "attributes without `Mapped[...]`, and `relationship(backref=...)`.\n\n"
        "Where it applies: everywhere; a model a test declares maps like any other."
    )
    why = (
        "SQLAlchemy 2.0 maps with `class Base(DeclarativeBase)` and typed attributes: "
        "`id: Mapped[int] = mapped_column(primary_key=True)`. Types then flow to mypy and "
        "to `select()` results, nullability follows `Optional`, and both sides of a "
        "relationship are declared with `back_populates` instead of a `backref` created "
        "behind the reader's back."
    )
    bad = (
        Example(
            """
            from sqlalchemy import Column, ForeignKey, Integer, String
            from sqlalchemy.orm import declarative_base, relationship

            Base = declarative_base()


            class Team(Base):
                __tablename__ = "teams"
                id = Column(Integer, primary_key=True)
                name = Column(String(100))
                members = relationship("User", backref="team")
            """,
            expect=4,
            also=("FG110",),
        ),
    )
    good = (
        Example(
            """
            from sqlalchemy import String
            from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


            class Base(DeclarativeBase):
                pass


            class Team(Base):
                __tablename__ = "teams"
                id: Mapped[int] = mapped_column(primary_key=True)
                name: Mapped[str] = mapped_column(String(100))
            """
        ),
        Example(
            """
            from sqlalchemy import Column, Integer, MetaData, Table

            metadata = MetaData()
            audit = Table("audit", metadata, Column("id", Integer, primary_key=True))
            """,
            note="Core tables use Column",
        ),
    )

    def may_fire(self, evidence: Evidence) -> bool:
        return evidence.has("Column", "relationship", "relation", *_DECLARATIVE_NAMES)

    def visit_Call(self, node: cst.Call, ctx: FileContext) -> None:
        name = ctx.qualified_name(node.func)
        if name in DECLARATIVE_BASE_FACTORIES:
            ctx.report(node, "`declarative_base()` is the 1.x API: subclass `DeclarativeBase`")
        elif name in RELATIONSHIP:
            for arg in node.args:
                if arg.keyword is not None and arg.keyword.value == "backref":
                    ctx.report(
                        arg, "`backref=` is legacy: declare both sides with `back_populates`"
                    )

    def visit_Assign(self, node: cst.Assign, ctx: FileContext) -> None:
        value = node.value
        if (
            ctx.in_class_body
            and isinstance(value, cst.Call)
            and ctx.qualified_name(value.func) in COLUMN
        ):
            ctx.report(
                node,
                "`Column()` without `Mapped[...]` is the 1.x style: "
                "`name: Mapped[T] = mapped_column(...)`",
            )


class RelationshipWithoutLazy(Rule):
    code = "FG110"
    name = "relationship-without-lazy"
    family = "SQLAlchemy"
    default = False
    message = "`relationship()` without `lazy=`: use `lazy='raise'` and load it explicitly"
    summary = (
        "Checks for `relationship()` declared without an explicit `lazy=` strategy.\n\n"
        "Where it applies: everywhere."
    )
    why = (
        "The default `lazy='select'` loads a relationship on first access, which an "
        "`AsyncSession` cannot do (`MissingGreenlet`), and which hides N+1 queries in sync "
        "code. `lazy='raise'` makes a missing `selectinload()` fail loudly in tests. Not "
        "enabled by default: some codebases choose `lazy='selectin'` on purpose."
    )
    bad = (
        Example(
            """
            from sqlalchemy.orm import DeclarativeBase, Mapped, relationship


            class Base(DeclarativeBase):
                pass


            class Project(Base):
                __tablename__ = "projects"
                tasks: Mapped[list["Task"]] = relationship(back_populates="project")
            """
        ),
    )
    good = (
        Example(
            """
            from sqlalchemy.orm import DeclarativeBase, Mapped, relationship


            class Base(DeclarativeBase):
                pass


            class Project(Base):
                __tablename__ = "projects"
                tasks: Mapped[list["Task"]] = relationship(back_populates="project", lazy="raise")
            """
        ),
    )

    def may_fire(self, evidence: Evidence) -> bool:
        return evidence.has("relationship", "relation")

    def visit_Call(self, node: cst.Call, ctx: FileContext) -> None:
        if ctx.qualified_name(node.func) not in RELATIONSHIP:
            return
        has_lazy = any(arg.keyword is not None and arg.keyword.value == "lazy" for arg in node.args)
        if not has_lazy and not any(arg.star for arg in node.args):
            ctx.report(node)

"""FG108 / FG110: legacy declarative models and relationships that load implicitly."""

from __future__ import annotations

from checks.context import FileContext, FixSpec, code_of
from checks.lazy import libcst as cst
from checks.prefilter import Evidence
from checks.project import DECLARATIVE_BASE_FACTORIES, Condition
from checks.project_facts import LEGACY_MAPPING_SELECTED, TYPED_MODELS, sqlalchemy_1_named
from checks.revisions import is_revision
from checks.rule import Example, FixExample, Rule
from checks.rules.typed_models import (
    Refusal,
    TypedColumn,
    back_populates,
    declarative_base_class,
    typed_column,
    typed_columns,
)
from checks.sqlalchemy_target import MIGRATION_NOTE
from checks.structure import Structure

COLUMN = frozenset(
    {"sqlalchemy.Column", "sqlalchemy.schema.Column", "sqlalchemy.sql.schema.Column"}
)
RELATIONSHIP = frozenset({"sqlalchemy.orm.relationship", "sqlalchemy.orm.relation"})
_DECLARATIVE_NAMES = frozenset(name.rpartition(".")[2] for name in DECLARATIVE_BASE_FACTORIES)


class LegacyDeclarative(Rule):
    code = "FG108"
    needs_sqlalchemy_2 = True  # `_report`
    name = "legacy-declarative-model"
    family = "SQLAlchemy"
    message = "Legacy declarative mapping"
    summary = (
        "Checks for the 1.x declarative style: `declarative_base()`, `Column()` class "
        "attributes without `Mapped[...]`, and `relationship(backref=...)`. The columns are "
        "reported once per class, at its name, with their count (and the ones the fix "
        "cannot type): typing a model is decided for the model, and a service written in the "
        "1.x style would otherwise get a finding per column.\n\n"
        "SQLAlchemy 2.0 still supports the 1.x style, without a warning: untyped "
        "`Column()` attributes, a `backref=` and `sqlalchemy.orm`'s `declarative_base()` "
        "work as they did. They are reported by the edit hook in new code and when the "
        "selection names FG108, and then only in a project whose models are mostly typed "
        "(`Mapped[` at least as often as `Column(` in its files): a project written in the "
        "1.x style throughout has made a decision, not a slip; in existing code they are an "
        "inventory for a planned move (three readers judged 16 such findings in typed "
        "projects: one straggler worth typing, the rest style). "
        "`sqlalchemy.ext.declarative`'s `declarative_base`, which warns in 2.0 "
        "(`MovedIn20Warning`), is reported always, but in the `except ImportError:` "
        "branch of a `try` that imports from SQLAlchemy (`try: from sqlalchemy.orm import "
        "DeclarativeBase`): that branch runs only where the 2.0 names do not exist, and "
        "the fix would break it there; nor in one that binds again a name its `try` "
        "imports (`try: from app.database import Base` / `except ImportError: Base = "
        "declarative_base()`): a stand-in for an import that does not fail.\n\n"
        "Where it applies: everywhere but tests, tooling and the migrations: a model a "
        "test declares for its fixtures is the test's (its style changes nothing the "
        "service does: the eighteenth reader's two), a one-off script's (`scripts/`) is "
        "run as it is until it is thrown away (the twenty-sixth reader's), while a model "
        "kept in a `migrations/` or `alembic/` folder, or declared in an Alembic revision "
        "wherever its folder is, is a snapshot frozen for the data migrations that still "
        "query it (rewriting it changes what they run)."
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
            expect=3,
            also=("FG110",),
        ),
        Example(
            """
            from sqlalchemy.ext.declarative import as_declarative


            @as_declarative()
            class Base:
                pass
            """,
            note="`sqlalchemy.ext.declarative`'s class decorator, moved to `sqlalchemy.orm`",
        ),
    )
    good = (
        Example(
            """
            try:
                from sqlalchemy.orm import DeclarativeBase

                class Base(DeclarativeBase):
                    pass

            except ImportError:
                from sqlalchemy.ext.declarative import declarative_base

                Base = declarative_base()
            """,
            path="app/db_models.py",
            note="the fallback of a try that imports the 2.0 name: it runs only on 1.x (quetz)",
        ),
        Example(
            """
            try:
                from app.database import Base
            except ImportError:
                from sqlalchemy.ext.declarative import declarative_base

                Base = declarative_base()
            """,
            path="app/models/base.py",
            note="a stand-in for the project's own base, bound again where its import fails",
        ),
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
        Example(
            """
            from sqlalchemy import Column, Integer, String
            from sqlalchemy.orm import declarative_base

            # frozen here: revisions 0012-0030 still query these tables
            DeprecatedBase = declarative_base()


            class AppDB(DeprecatedBase):
                __tablename__ = "apps"
                id = Column(Integer, primary_key=True)
                name = Column(String)
            """,
            path="app/migrations/core/deprecated_models.py",
            note="a model snapshot kept for data migrations",
        ),
        Example(
            """
            import sqlalchemy as sa
            from alembic import op
            from sqlalchemy.orm import Session, declarative_base

            revision = "5a1c0e2f9b7d"
            down_revision = "0d3b2a6c4e1f"

            Base = declarative_base()


            class Ticket(Base):
                __tablename__ = "ticket"
                id = sa.Column(sa.Integer, primary_key=True)
                status = sa.Column(sa.String)


            def upgrade() -> None:
                session = Session(bind=op.get_bind())
                for ticket in session.scalars(sa.select(Ticket).where(Ticket.status == "Open")):
                    ticket.status = "open"
                session.commit()
            """,
            path="app/database/revisions/versions/2021_06_01_5a1c0e2f9b7d.py",
            note="a revision's own snapshot of a model, whatever its folder is called",
        ),
    )

    fix = (
        "Unsafe. Each `Column()` class attribute of a mapped class or mixin becomes "
        "`name: Mapped[T] = mapped_column(...)` with every argument kept: the SQL type stays, "
        "so the table is the one SQLAlchemy built. `T` comes from the SQL type (`String` -> "
        "`str`, `Numeric` -> `decimal.Decimal`, `DateTime` -> `datetime.datetime`, "
        "`Enum(Status)` -> `Status`, `ARRAY(Integer)` -> `list[int]`, JSON -> `Any`, "
        "`Uuid` -> `uuid.UUID`); a `ForeignKey` column without a type takes the type of the "
        "column it references when the file declares it. `T | None` exactly when the 1.x "
        "column is nullable (`nullable=`, else not a primary key); `nullable=False`, which the "
        "annotation now says, is dropped, `nullable=True` kept. `Base = declarative_base(...)` "
        "becomes `class Base(DeclarativeBase)` with `metadata` and `type_annotation_map` as "
        "class attributes and a `cls=` mixin the file defines as a base. Imports are added in "
        'the file\'s style. `relationship("B", backref="x")` in class A becomes '
        '`back_populates="x"`, and B gets `x = relationship("A", back_populates=...)` (with '
        "the same `secondary=`), as the backref made it. When B is a class of another file, "
        "both files are edited or neither: the run must check both, the project must map "
        "exactly one class named B (or the one A's file imports) and one named A, sharing a "
        "base (one registry); a `secondary=` there must be a table name in a string. Unsafe "
        "because it trusts names: a class with `Column` attributes "
        "is taken for a mapped class or a mixin, imported names for SQLAlchemy's types. A "
        "custom or third-party type, a foreign key to a table of another file, `*args`, a "
        "non-literal `nullable=`, a `__table__` class, a column object changed in the class "
        "body, other `declarative_base()` arguments, and a `backref=` whose other class the "
        "run cannot settle, self-referential, made by `backref()`, or with arguments the "
        "backref inherits "
        "(`primaryjoin`, `foreign_keys`, `viewonly`, ...) keep the finding without a fix. "
        'No fix on a project that targets SQLAlchemy 1.x (`target-sqlalchemy = "1"`, or pins '
        "that admit no 2.x): `Mapped`, `mapped_column` and `DeclarativeBase` do not exist "
        "there; the findings are reported only when the selection names FG108, to plan the "
        "migration, and their message says so (as the Pydantic rules on a Pydantic 1 "
        "project). No fix either where the pins target 2 but also admit 1.x "
        "(`SQLAlchemy>=1.4.1`): an install that gets 1.4 could not import the fixed "
        'code; `target-sqlalchemy = "2"` says none will.'
    )
    fixes = (
        FixExample(
            """
            import enum

            from sqlalchemy import Column, Enum, ForeignKey, Integer, MetaData, Numeric, String
            from sqlalchemy.orm import declarative_base


            class Status(enum.Enum):
                open = "open"
                paid = "paid"


            Base = declarative_base(metadata=MetaData(schema="shop"))


            class Customer(Base):
                __tablename__ = "customers"
                id = Column(Integer, primary_key=True)
                email = Column(String(255), nullable=False, unique=True)
                note = Column(String)


            class Order(Base):
                __tablename__ = "orders"
                id = Column(Integer, primary_key=True)
                customer_id = Column(ForeignKey("customers.id"), nullable=False, index=True)
                status = Column(Enum(Status), nullable=False, default=Status.open)
                total = Column(Numeric(10, 2))
            """,
            """
            import decimal
            import enum

            from sqlalchemy import Enum, ForeignKey, Integer, MetaData, Numeric, String
            from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


            class Status(enum.Enum):
                open = "open"
                paid = "paid"


            class Base(DeclarativeBase):
                metadata = MetaData(schema="shop")


            class Customer(Base):
                __tablename__ = "customers"
                id: Mapped[int] = mapped_column(Integer, primary_key=True)
                email: Mapped[str] = mapped_column(String(255), unique=True)
                note: Mapped[str | None] = mapped_column(String)


            class Order(Base):
                __tablename__ = "orders"
                id: Mapped[int] = mapped_column(Integer, primary_key=True)
                customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
                status: Mapped[Status] = mapped_column(Enum(Status), default=Status.open)
                total: Mapped[decimal.Decimal | None] = mapped_column(Numeric(10, 2))
            """,
            unsafe=True,
        ),
        FixExample(
            """
            import datetime as dt
            import uuid
            from typing import Optional

            import sqlalchemy as sa
            from sqlalchemy.dialects import postgresql
            from sqlalchemy.orm import declarative_base

            Base = declarative_base()


            class Lowercase(sa.TypeDecorator[str]):
                impl = sa.String
                cache_ok = True


            class Event(Base):
                __tablename__ = "events"
                id = sa.Column(sa.Uuid, primary_key=True, default=uuid.uuid4)
                at = sa.Column(sa.Date, default=dt.date.today)
                payload = sa.Column(postgresql.JSONB, nullable=False)
                tags = sa.Column(postgresql.ARRAY(sa.Text))
                kind = sa.Column(Lowercase(20))


            def first(events: list[Event]) -> Optional[Event]:
                return events[0] if events else None
            """,
            """
            import datetime as dt
            import uuid
            from typing import Any, Optional

            import sqlalchemy as sa
            from sqlalchemy.dialects import postgresql
            from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


            class Base(DeclarativeBase):
                pass


            class Lowercase(sa.TypeDecorator[str]):
                impl = sa.String
                cache_ok = True


            class Event(Base):
                __tablename__ = "events"
                id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=uuid.uuid4)
                at: Mapped[Optional[dt.date]] = mapped_column(sa.Date, default=dt.date.today)
                payload: Mapped[Any] = mapped_column(postgresql.JSONB)
                tags: Mapped[Optional[list[str]]] = mapped_column(postgresql.ARRAY(sa.Text))
                kind = sa.Column(Lowercase(20))


            def first(events: list[Event]) -> Optional[Event]:
                return events[0] if events else None
            """,
            unsafe=True,
            remaining=("FG108",),
            note="a type the fix cannot see through keeps its finding; the file writes `Optional`",
        ),
        FixExample(
            """
            from sqlalchemy import ForeignKey
            from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


            class Base(DeclarativeBase):
                pass


            class Author(Base):
                __tablename__ = "authors"
                id: Mapped[int] = mapped_column(primary_key=True)


            class Post(Base):
                __tablename__ = "posts"
                id: Mapped[int] = mapped_column(primary_key=True)
                author_id: Mapped[int] = mapped_column(ForeignKey("authors.id"))
                author = relationship("Author", backref="posts", lazy="raise")
            """,
            """
            from sqlalchemy import ForeignKey
            from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


            class Base(DeclarativeBase):
                pass


            class Author(Base):
                __tablename__ = "authors"
                id: Mapped[int] = mapped_column(primary_key=True)
                posts = relationship("Post", back_populates="author")


            class Post(Base):
                __tablename__ = "posts"
                id: Mapped[int] = mapped_column(primary_key=True)
                author_id: Mapped[int] = mapped_column(ForeignKey("authors.id"))
                author = relationship("Author", back_populates="posts", lazy="raise")
            """,
            unsafe=True,
            remaining=("FG110",),
            note="the relationship the backref made loads with the default `lazy='select'`: "
            "FG110 (off by default) now sees it",
        ),
    )

    def may_fire(self, evidence: Evidence) -> bool:
        return evidence.has(
            "Column", "relationship", "relation", "as_declarative", *_DECLARATIVE_NAMES
        )

    def may_fire_in(self, structure: Structure) -> bool:
        # the visitors below: outside the migrations, `declarative_base()` or `Column(...)`
        # called, or `relationship(..., backref=...)`
        relative = structure.relative_path
        if relative is not None and _in_migrations(relative.parts):
            return False
        if structure.layer in ("test", "tooling") or is_revision(structure.source):
            return False
        return (
            any(structure.calls_to(DECLARATIVE_BASE_FACTORIES | COLUMN))
            or structure.refers_to(*_MOVED_DECORATORS)
        ) or any(
            any(keyword.arg == "backref" for keyword in call.node.keywords)
            for call in structure.calls_to(RELATIONSHIP)
        )

    def deferred_conditions(self, structure: Structure) -> tuple[Condition, ...] | None:
        # `_report`: every finding but `sqlalchemy.ext.declarative`'s `declarative_base()`
        # is a style one, standing only in new code or when named, where the project's
        # models are mostly typed
        if any(structure.calls_to(_MOVED_IN_20)) or structure.refers_to(*_MOVED_DECORATORS):
            return None
        return (_LEGACY_SELECTED,)

    def declarative_base_fix(self, node: cst.Call, ctx: FileContext) -> FixSpec | Refusal:
        """The fix of a `declarative_base()` call, or why it has none."""
        return declarative_base_class(node, ctx)

    def column_fix(self, node: cst.Assign, ctx: FileContext) -> TypedColumn | Refusal:
        """The rewrite of a `Column()` class attribute, or why it has none."""
        return typed_column(node, ctx)

    def backref_fix(self, arg: cst.Arg, node: cst.Call, ctx: FileContext) -> FixSpec | Refusal:
        """The fix of a `relationship(backref=...)` argument, or why it has none."""
        return back_populates(arg, node, ctx)

    def visit_Call(self, node: cst.Call, ctx: FileContext) -> None:
        if _outside_scope(ctx):
            return
        name = ctx.qualified_name(node.func)
        if name in DECLARATIVE_BASE_FACTORIES:
            fix = self.declarative_base_fix(node, ctx)
            message = "`declarative_base()` is the 1.x API: subclass `DeclarativeBase`"
            # `sqlalchemy.ext.declarative`'s warns (`MovedIn20Warning`) whatever the style;
            # `sqlalchemy.orm`'s works without one: new code's, or named
            moved = name in _MOVED_IN_20
            if moved:
                # the one-line change first: readers' maintainers would take that, and the
                # typed base as the next step
                message = (
                    "`sqlalchemy.ext.declarative.declarative_base()` moved in SQLAlchemy 2.0 "
                    "(`MovedIn20Warning`): import it from `sqlalchemy.orm`, or subclass "
                    "`DeclarativeBase`"
                )
            condition = None if moved else _LEGACY_SELECTED
            _report(node, message, fix, ctx, styled=not moved, condition=condition)
        elif name in RELATIONSHIP:
            for arg in node.args:
                if arg.keyword is not None and arg.keyword.value == "backref":
                    fix = self.backref_fix(arg, node, ctx)
                    message = "`backref=` is legacy: declare both sides with `back_populates`"
                    _report(arg, message, fix, ctx, styled=True, condition=_LEGACY_SELECTED)

    def visit_Decorator(self, node: cst.Decorator, ctx: FileContext) -> None:
        # `@as_declarative()` or `@as_declarative` of `sqlalchemy.ext.declarative`
        # (websocket's base: reader 58), which warns as its `declarative_base()` does
        expr = node.decorator
        target = expr.func if isinstance(expr, cst.Call) else expr
        if not _outside_scope(ctx) and ctx.qualified_name(target) in _MOVED_DECORATORS:
            # once per file: the one import line is the fix of every use (man780's two
            # bases, reader 67)
            reported = ctx.stash("FG108.moved-decorator")
            if not reported:
                reported.append(True)
                _report(expr, _MOVED_DECORATOR, Refusal("a decorator"), ctx, styled=False)

    def visit_Assign(self, node: cst.Assign, ctx: FileContext) -> None:
        value = node.value
        owner = ctx.enclosing_class
        if (
            owner is not None
            and not _outside_scope(ctx)
            and ctx.in_class_body
            and isinstance(value, cst.Call)
            and ctx.qualified_name(value.func) in COLUMN
        ):
            # one finding per class, when the class is left: the decision to type a
            # model's columns is taken for the model, not column by column
            columns = ctx.stash(f"{self.code}:columns:{id(owner.node)}")
            columns.append((node, self.column_fix(node, ctx)))

    def leave_ClassDef(self, node: cst.ClassDef, ctx: FileContext) -> None:
        columns: list[tuple[cst.Assign, TypedColumn | Refusal]] = ctx.stash(
            f"{self.code}:columns:{id(node)}"
        )
        if not columns:
            return
        typed = [column for _, column in columns if isinstance(column, TypedColumn)]
        left = [_assigned(assign) for assign, column in columns if isinstance(column, Refusal)]
        count = f"{len(columns)} column{'s' if len(columns) != 1 else ''}"
        message = (
            f"`{node.name.value}` declares {count} with `Column()` without `Mapped[...]`, "
            "the 1.x style: `name: Mapped[T] = mapped_column(...)`"
        )
        if left:
            shown = ", ".join(f"`{name}`" for name in left[:5])
            message += f" (no fix for {shown}{', ...' if len(left) > 5 else ''})"
        refusals = [column for _, column in columns if isinstance(column, Refusal)]
        fix = typed_columns(typed, ctx) if typed else refusals[0]
        _report(node.name, message, fix, ctx, styled=True, condition=_LEGACY_SELECTED)


def _assigned(assign: cst.Assign) -> str:
    target = assign.targets[0].target
    return target.value if isinstance(target, cst.Name) else code_of(target)


_SQLALCHEMY = frozenset({"sqlalchemy"})
#: Folders of a project's migrations: models kept there are frozen snapshots.
_MIGRATION_FOLDERS = frozenset({"migrations", "alembic"})


def _in_migrations(parts: tuple[str, ...]) -> bool:
    """Whether a path (inside the project) lies in a migrations folder."""
    return not _MIGRATION_FOLDERS.isdisjoint(parts[:-1])


#: `declarative_base` of the `sqlalchemy.ext.declarative` package, moved in 2.0 (a warning)
_MOVED_IN_20 = frozenset(
    {
        "sqlalchemy.ext.declarative.declarative_base",
        "sqlalchemy.ext.declarative.api.declarative_base",
    }
)
#: `sqlalchemy.ext.declarative`'s class decorator that makes a base: moved to
#: `sqlalchemy.orm` in 2.0, where the old name warns (`MovedIn20Warning`, measured on 2.1).
_MOVED_DECORATORS = frozenset(
    {"sqlalchemy.ext.declarative.as_declarative", "sqlalchemy.ext.declarative.api.as_declarative"}
)
_MOVED_DECORATOR = (
    "`sqlalchemy.ext.declarative.as_declarative()` moved in SQLAlchemy 2.0 "
    "(`MovedIn20Warning`): import it from `sqlalchemy.orm`, or subclass `DeclarativeBase`"
)
#: A style finding stands when the project's models are mostly typed (or FG108 is named)
_TYPED_PROJECT = Condition((), frozenset(), fact=TYPED_MODELS)
_NAMED_ON_1 = Condition((), frozenset(), fact=sqlalchemy_1_named("FG108"))
#: ...and in new code, or when FG108 is named (`checks.project_facts.
#: LEGACY_MAPPING_SELECTED`): an untyped `Column()`, a `backref=`,
#: `sqlalchemy.orm.declarative_base()`
_LEGACY_SELECTED = Condition((), frozenset(), fact=LEGACY_MAPPING_SELECTED, also=_TYPED_PROJECT)


def _outside_scope(ctx: FileContext) -> bool:
    """Tests, tooling, and the migrations' frozen models (see FG108's "Where it
    applies")."""
    return (
        ctx.layer in ("test", "tooling")
        or _in_migrations(ctx.relative_path.parts)
        or is_revision(ctx.source)
    )


def _report(
    node: cst.CSTNode,
    message: str,
    fix: FixSpec | Refusal,
    ctx: FileContext,
    *,
    styled: bool,
    condition: Condition | None = None,
) -> None:
    """A finding with its fix; for a project on SQLAlchemy 1.x (`checks.sqlalchemy_target`)
    only when the selection names FG108, speaking of the migration, without a fix: the 2.0
    names it writes do not exist there.
    A `styled` finding (1.x style that 2.0 still supports) stands when the project's
    models are mostly typed, or the selection names FG108 (`TYPED_MODELS`)."""
    if (
        ctx.version_guards.in_import_fallback(_SQLALCHEMY)
        or ctx.version_guards.in_fallback_of_an_import()
    ):
        # `except ImportError:` after `from sqlalchemy.orm import DeclarativeBase`: the
        # branch that runs only where the 2.0 names do not exist (quetz); or the stand-in
        # for the project's own `Base` (`except ImportError: Base = declarative_base()`)
        return
    if ctx.sqlalchemy_target == 1:
        # a plan for the move to 2.0, asked for by name (as FG2xx on Pydantic 1): held
        # back otherwise, and counted so by the closing line
        ctx.report_if(node, _NAMED_ON_1, f"{message} {MIGRATION_NOTE}")
        return
    if isinstance(fix, FixSpec) and ctx.sqlalchemy_admits_below("2"):
        # `SQLAlchemy>=1.4.1` (aim): the 2.0 names the fix writes fail to import on 1.4
        fix = Refusal("the pins also admit SQLAlchemy 1.x, which lacks 2.0's names")
    chosen = fix if isinstance(fix, FixSpec) else None
    if styled:
        ctx.report_if(node, condition or _TYPED_PROJECT, message, fix=chosen)
    else:
        ctx.report(node, message, fix=chosen)


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

"""FG113: a column's or a model field's default computed once, when its module is imported."""

from __future__ import annotations

from checks.context import PYDANTIC_MODEL_BASES, FileContext, code_of, keyword_arg
from checks.lazy import libcst as cst
from checks.prefilter import Evidence
from checks.rule import Example, Rule
from checks.rules.sqlalchemy_models import COLUMN
from checks.structure import Structure

#: Calls whose value differs from one call to the next: the time, a new identifier.
PER_CALL = frozenset(
    {
        "datetime.datetime.now",
        "datetime.datetime.utcnow",
        "datetime.datetime.today",
        "datetime.date.today",
        "time.time",
        "time.time_ns",
        "uuid.uuid1",
        "uuid.uuid4",
    }
)
#: Of those, the clock's: the database can set them (`server_default=func.now()`).
_TIMES = frozenset(name for name in PER_CALL if name.startswith("datetime.datetime."))
#: SQLAlchemy's columns: `default=` and `onupdate=` take a value or a function to call
#: per row.
COLUMNS = COLUMN | {"sqlalchemy.orm.mapped_column"}
#: Fields whose first argument or `default=` is the value every instance gets.
FIELDS = frozenset({"pydantic.Field", "pydantic.fields.Field", "sqlmodel.Field"})


class DefaultEvaluatedOnce(Rule):
    """`default=datetime.now()`: the time the module was imported, for every row."""

    code = "FG113"
    name = "default-evaluated-once"
    family = "SQLAlchemy"
    default = False
    message = (
        "Default computed once, when the module is imported: every row or instance gets that "
        "one value; pass the function, not its result"
    )
    summary = (
        "Checks for a column's or a model field's default that calls a function whose "
        "value changes from one call to the next (`datetime.now()`, `datetime.utcnow()`, "
        "`date.today()`, `time.time()`, `uuid.uuid4()`): SQLAlchemy's `Column()` and "
        "`mapped_column()` (`default=`, `onupdate=`), Pydantic's and SQLModel's `Field()` "
        "(`default=` or its first argument), and the value of an annotated attribute of a "
        "Pydantic model or SQLModel class (`created_at: datetime = datetime.now()`; a "
        "class of the file deriving from one counts). The function itself "
        "(`default=datetime.now`), a `lambda`, `default_factory=` and `server_default=` "
        "are what to write instead.\n\n"
        "Where it applies: everywhere, tests included: a fixture's model gets one value as "
        "the service's does.\n\n"
        "Not enabled by default: readers judged half of its findings on real services "
        "(8 of 16) worth a change; in the others every insert sets the column itself, or "
        "the request schema is dumped with `exclude_unset=True`, so the frozen default "
        "never takes effect. Select it in a new service, where the next insert is the one "
        "that forgets."
    )
    why = (
        "The argument is evaluated when Python runs the class body, once per process: "
        "every row inserted gets the time the service started (an `updated_at` never "
        "changes, a `created_at` is days old), and every row defaulted with `uuid4()` the "
        "same key, so the second insert fails on the primary key. SQLAlchemy calls a "
        "function given as `default=` for each row, Pydantic calls `default_factory=` for "
        "each instance; `server_default=func.now()` lets the database set it (a "
        "migration, and the database's clock; an async session then needs "
        "`eager_defaults` or a `refresh()` to read it back). A request schema's field the "
        "client sends (a deadline, an `updated_at` of an update) wants no default at all "
        "(`None`), not a factory."
    )
    bad = (
        Example(
            """
            from datetime import datetime

            from sqlalchemy import DateTime
            from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


            class Base(DeclarativeBase):
                pass


            class Order(Base):
                __tablename__ = "orders"
                id: Mapped[int] = mapped_column(primary_key=True)
                created_at: Mapped[datetime] = mapped_column(DateTime, default=datetime.now())
            """
        ),
        Example(
            """
            import uuid
            from datetime import datetime

            from pydantic import BaseModel, Field


            class Event(BaseModel):
                id: uuid.UUID = Field(default=uuid.uuid4())
                at: datetime = datetime.utcnow()
            """,
            expect=2,
        ),
    )
    good = (
        Example(
            """
            import uuid
            from datetime import UTC, datetime

            from pydantic import BaseModel, Field
            from sqlalchemy import DateTime, func
            from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

            STARTED_AT = datetime.now(UTC)


            class Base(DeclarativeBase):
                pass


            class Order(Base):
                __tablename__ = "orders"
                id: Mapped[int] = mapped_column(primary_key=True)
                created_at: Mapped[datetime] = mapped_column(
                    DateTime(timezone=True), server_default=func.now()
                )
                updated_at: Mapped[datetime] = mapped_column(
                    DateTime(timezone=True),
                    default=lambda: datetime.now(UTC),
                    onupdate=datetime.now,
                )


            class Event(BaseModel):
                id: uuid.UUID = Field(default_factory=uuid.uuid4)
                at: datetime = Field(default_factory=lambda: datetime.now(UTC))
            """
        ),
    )

    def may_fire(self, evidence: Evidence) -> bool:
        return evidence.has("now", "utcnow", "today", "time", "time_ns", "uuid1", "uuid4")

    def may_fire_in(self, structure: Structure) -> bool:
        # every finding is of a call `PER_CALL` names (`visit_Call`, `visit_AnnAssign`)
        return any(structure.calls_to(PER_CALL))

    def visit_AnnAssign(self, node: cst.AnnAssign, ctx: FileContext) -> None:
        value = node.value
        cls = ctx.enclosing_class
        if not (isinstance(value, cst.Call) and ctx.in_class_body and cls is not None):
            return
        # a model's field: a class of Pydantic's (or SQLModel's) bases, followed in the file
        if ctx.qualified_name(value.func) in PER_CALL and ctx.derives_from(
            cls.name, PYDANTIC_MODEL_BASES
        ):
            called = code_of(value)
            ctx.report(
                value,
                f"`{called}` as a field's default is computed once, when the module is "
                f"imported: every instance gets that one value; pass the function: "
                f"`Field(default_factory={_factory(value)})`",
            )

    def visit_Call(self, node: cst.Call, ctx: FileContext) -> None:
        name = ctx.qualified_name(node.func)
        keywords: tuple[str, ...]
        if name in COLUMNS:
            keywords = ("default", "onupdate")
        elif name in FIELDS:
            keywords = ("default",)
        else:
            return
        for index, arg in enumerate(node.args):
            given = arg.keyword.value if arg.keyword is not None else None
            first = given is None and index == 0 and name in FIELDS and not arg.star
            value = arg.value
            if (given in keywords or first) and isinstance(value, cst.Call):
                if ctx.qualified_name(value.func) not in PER_CALL:
                    continue
                called = code_of(value)
                if name in FIELDS:
                    what = "a field's default"
                    gets = "every row gets" if name == "sqlmodel.Field" else "every instance gets"
                    advice = f"`default_factory={_factory(value)}`"
                elif given == "onupdate":
                    what, gets = "`onupdate=`", "every update stamps"
                    advice = f"`onupdate={_factory(value)}`"
                else:
                    what, gets = "a column's default", "every row gets"
                    advice = f"`default={_factory(value)}`"
                    if keyword_arg(node, "server_default") is not None:
                        advice += " (it takes precedence over `server_default=`)"
                    elif ctx.qualified_name(value.func) in _TIMES:
                        advice += " (or `server_default=func.now()`)"
                ctx.report(
                    value,
                    f"`{called}` as {what} is computed once, when the module is imported: "
                    f"{gets} that one value; pass the function: {advice}",
                )


def _factory(call: cst.Call) -> str:
    """What computes the call's value anew each time: the function (`datetime.now`), or a
    `lambda` around a call given arguments (`lambda: datetime.now(UTC)`)."""
    if call.args:
        return f"lambda: {code_of(call)}"
    return code_of(call.func)

"""FG113: a column's or a model field's default computed once, when the class is made."""

from __future__ import annotations

import time
import uuid
from datetime import datetime

from pydantic import BaseModel, Field
from sqlalchemy import Column, DateTime

from tests.helpers import check_code


def _fg113(source: str, path: str = "app/models.py") -> list[tuple[int, str]]:
    """(row, message) of each FG113 finding (`check_code` runs every rule, opt-in ones
    too)."""
    return [(f.start.row, f.message) for f in check_code(source, path) if f.code == "FG113"]


def test_the_value_is_computed_once_and_the_function_per_row() -> None:
    """The claim the rule stands on, on the installed libraries: SQLAlchemy keeps the
    value `default=datetime.now()` computed as a constant, and calls a function given as
    `default=` for each row; Pydantic gives every instance the one value of a field's
    default, and calls `default_factory=` for each."""
    once = Column(DateTime, default=datetime.now())
    per_row = Column(DateTime, default=datetime.now)
    assert once.default is not None
    assert not once.default.is_callable
    assert per_row.default is not None
    assert per_row.default.is_callable

    class Event(BaseModel):
        id: uuid.UUID = Field(default=uuid.uuid4())
        key: uuid.UUID = Field(default_factory=uuid.uuid4)
        at: float = time.time()

    first, second = Event(), Event()
    assert first.id == second.id
    assert first.at == second.at
    assert first.key != second.key


def test_columns_and_fields_given_a_computed_default_are_reported() -> None:
    source = """
import datetime as dt
import uuid
from datetime import date, datetime, timezone

import sqlalchemy as sa
from pydantic import BaseModel, Field
from sqlalchemy import Column, DateTime
from sqlalchemy.orm import mapped_column
from sqlmodel import Field as TableField
from sqlmodel import SQLModel


class Order:
    a = Column(DateTime, default=datetime.now())
    b = sa.Column(sa.DateTime, default=dt.datetime.utcnow(), onupdate=dt.datetime.utcnow())
    c = mapped_column(default=datetime.now(timezone.utc))


class Window(BaseModel):
    since: date = date.today()
    key: uuid.UUID = Field(uuid.uuid4())


class Later(Window):
    until: datetime = datetime.now()


class Row(SQLModel, table=True):
    id: uuid.UUID = TableField(default=uuid.uuid4(), primary_key=True)
"""
    found = _fg113(source)
    assert [row for row, _ in found] == [14, 15, 15, 16, 20, 21, 25, 29]
    messages = dict(found)
    assert "`default=datetime.now` (or `server_default=func.now()`)" in messages[14]
    assert "as `onupdate=`" in messages[15]
    assert "every update stamps that one value" in messages[15]
    assert "`default=lambda: datetime.now(timezone.utc)`" in messages[16]
    assert "`Field(default_factory=date.today)`" in messages[20]
    assert "`default_factory=uuid.uuid4`" in messages[21]
    both = "x = mapped_column(default=datetime.now(), server_default=func.now())\n"
    header = "from datetime import datetime\nfrom sqlalchemy import func\n"
    header += "from sqlalchemy.orm import mapped_column\n\n\nclass Order:\n    "
    (only,) = _fg113(header + both)
    assert "(it takes precedence over `server_default=`)" in only[1]
    # the clock's advice is not given for a key
    assert "server_default" not in messages[29]


def test_functions_lambdas_factories_and_other_classes_are_not_reported() -> None:
    source = """
from datetime import UTC, datetime

from pydantic import BaseModel, Field
from sqlalchemy import Column, DateTime, func
from sqlalchemy.orm import mapped_column

STARTED_AT = datetime.now(UTC)


class Order:
    a = Column(DateTime, default=datetime.now, onupdate=datetime.now)
    b = mapped_column(default=lambda: datetime.now(UTC), server_default=func.now())
    c = Column(DateTime, server_default=func.now())


class Window(BaseModel):
    since: datetime = Field(default_factory=datetime.now)
    until: datetime = STARTED_AT

    def shifted(self) -> datetime:
        moment: datetime = datetime.now()
        return moment


class Clock:
    started: datetime = datetime.now()


def since(moment: datetime = datetime.now()) -> datetime:
    return moment
"""
    assert _fg113(source) == []

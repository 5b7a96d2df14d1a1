"""FG101's rewrite returns what the legacy Query returned, run on a real database.

The docs' before/after example is executed against one database: every function of the
legacy code and of its rewrite gets the same session and data, and their results are
compared. Both are ORM APIs over the same SQL; the database is the standard library's
SQLite (in memory), since what is compared is SQLAlchemy's, not PostgreSQL's, behaviour.
"""

from __future__ import annotations

import sys
import types
import warnings
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import ForeignKey, create_engine
from sqlalchemy.exc import SAWarning
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship

from checks.rules import RULES_BY_CODE
from tests.helpers import fix_code


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str]
    active: Mapped[bool]
    orders: Mapped[list[Order]] = relationship(back_populates="user")


class Order(Base):
    __tablename__ = "orders"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    paid: Mapped[bool]
    amount: Mapped[int]
    user: Mapped[User] = relationship(back_populates="orders")


@pytest.fixture
def session(monkeypatch: pytest.MonkeyPatch) -> Iterator[Session]:
    models = types.ModuleType("app.models")
    models.User = User  # type: ignore[attr-defined]
    models.Order = Order  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "app", types.ModuleType("app"))
    monkeypatch.setitem(sys.modules, "app.models", models)
    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        for pk in range(1, 6):
            user = User(id=pk, email=f"u{pk}@x.io", active=pk % 2 == 1)
            # several orders per user: a join repeats the user's row
            user.orders = [Order(paid=n % 2 == 0, amount=10 * n) for n in range(pk)]
            session.add(user)
        session.commit()
        yield session
    engine.dispose()


def _functions(code: str) -> dict[str, Any]:
    namespace: dict[str, Any] = {"__name__": "example"}
    exec(compile(code, "example.py", "exec"), namespace)
    return namespace


def test_the_rewritten_queries_return_what_the_legacy_ones_did(session: Session) -> None:
    example = RULES_BY_CODE["FG101"].fixes[0]
    legacy = _functions(example.before_code)
    rewritten = _functions(example.after_code)
    calls: list[tuple[str, tuple[Any, ...]]] = [
        ("active_users", (0,)),
        ("active_users", (1,)),
        ("by_email", ("u3@x.io",)),
        ("by_email", ("nobody@x.io",)),
        ("paid_orders", ()),
        ("with_orders", ()),
        ("user", (4,)),
        ("user", (99,)),
    ]
    for name, args in calls:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SAWarning)
            warnings.simplefilter("ignore", DeprecationWarning)  # Query.get is legacy
            before = legacy[name](session, *args)
        after = rewritten[name](session, *args)
        assert after == before, name
        session.expunge_all()  # no answer comes from the other's identity map
    assert len(rewritten["with_orders"](session)) == 5  # de-duplicated, as Query did


class Team(Base):
    """A mapper that eager-joins a collection: nothing in a query's chain shows it."""

    __tablename__ = "teams"
    id: Mapped[int] = mapped_column(primary_key=True)
    members: Mapped[list[Member]] = relationship(lazy="joined")


class Member(Base):
    __tablename__ = "members"
    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))


LEGACY_TEAMS = """
from sqlalchemy.orm import Session

from app.models import Team


def all_teams(session: Session):
    return session.query(Team).order_by(Team.id).all()


def one_team(session: Session, pk: int):
    return session.query(Team).filter(Team.id == pk).one()


def maybe_team(session: Session, pk: int):
    return session.query(Team).filter(Team.id == pk).one_or_none()


def first_team(session: Session):
    return session.query(Team).order_by(Team.id).first()


def scalar_team(session: Session, pk: int):
    return session.query(Team).filter(Team.id == pk).scalar()
"""


def test_a_mapper_level_joined_collection_needs_unique_and_gets_it(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without `.unique()`, a 2.0 result raises InvalidRequestError on rows of a mapper
    that eager-joins a collection; the legacy Query returned each object once."""
    sys.modules["app.models"].Team = Team  # type: ignore[attr-defined]
    session.add_all([Team(id=1, members=[Member(id=1), Member(id=2)]), Team(id=2)])
    session.commit()
    rewritten_code = fix_code(LEGACY_TEAMS, "FG101", unsafe=True)
    assert "session.query" not in rewritten_code
    legacy, rewritten = _functions(LEGACY_TEAMS), _functions(rewritten_code)
    for name, args in [
        ("all_teams", ()),
        ("one_team", (1,)),
        ("maybe_team", (1,)),
        ("maybe_team", (9,)),
        ("first_team", ()),
        ("scalar_team", (1,)),
    ]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SAWarning)
            before = legacy[name](session, *args)
        session.expunge_all()
        after = rewritten[name](session, *args)
        session.expunge_all()
        assert _ids(after) == _ids(before), name


def _ids(result: Any) -> Any:
    return [team.id for team in result] if isinstance(result, list) else getattr(result, "id", None)

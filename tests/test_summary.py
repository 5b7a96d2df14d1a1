"""The ast summary of a module is the libcst one, over real code.

The one-file runs summarise the modules a file imports with CPython's parser; the rules
resolve those summaries as they resolve the ones the checker's own traversal records. The
two must agree on every module: the standard library (a fixed sample), the sample app,
the checker itself, and hand-written corner cases.
"""

from __future__ import annotations

import ast
import random
import sysconfig
import textwrap
from pathlib import Path

import pytest

from checks.project import summarize_source, summarize_with_libcst
from checks.summary import summarize

ROOT = Path(__file__).resolve().parents[1]
STDLIB = Path(sysconfig.get_paths()["stdlib"])


def _parses(path: Path) -> bool:
    try:
        ast.parse(path.read_bytes())
    except (SyntaxError, ValueError):  # the stdlib's tests hold files with syntax errors
        return False
    return True


def _corpus() -> list[Path]:
    stdlib = sorted(p for p in STDLIB.rglob("*.py") if "site-packages" not in p.parts)
    sample = [p for p in random.Random(7).sample(stdlib, 100) if _parses(p)]
    own = sorted([*(ROOT / "checks").rglob("*.py"), *(ROOT / "sample_app").rglob("*.py")])
    return [*sample, *own]


@pytest.mark.parametrize("path", _corpus(), ids=lambda p: p.name)
def test_the_ast_summary_equals_the_libcst_one(path: Path) -> None:
    source = path.read_bytes()
    for is_package in (False, True):
        fast = summarize(source, "pkg.mod", is_package)
        assert fast is not None
        assert fast == summarize_with_libcst(source, "pkg.mod", is_package)


CORNERS = [
    """
    import a.b
    import a.b as ab
    from . import sibling
    from .. import up
    from ...far import x as y
    from .models import User, Base as B
    from m import *
    """,
    """
    from sqlalchemy.orm import declarative_base, as_declarative
    import sqlalchemy.orm as orm

    Base = declarative_base()
    Other = orm.declarative_base()
    Other2: object = declarative_base()

    @as_declarative()
    class Root: ...

    class User(Base, Mixin, *more, metaclass=Meta):
        class Inner(Base):
            class Deeper: ...

    class Inner:  # a top-level class named as a nested one
        pass

    class Late(Later): ...
    class Later(Generic[T], pkg.Thing): ...
    """,
    """
    try:
        from pydantic.v1 import BaseModel
    except ImportError:
        from pydantic import BaseModel
    else:
        import x
    finally:
        import y
    if TYPE_CHECKING:
        from app.models import Model
    elif other:
        from app.other import Model
    else:
        Model = None
    with ctx():
        class InWith(BaseModel): ...
    def function():
        import hidden
        class Hidden: ...
    """,
    """
    from collections.abc import Generator, Iterator
    from contextlib import asynccontextmanager, contextmanager

    from sqlalchemy.orm import sessionmaker
    from sqlmodel import Session

    from app.db.connection import connection, SessionLocal

    @contextmanager
    def annotated() -> Generator[Session, None, None]:
        with SessionLocal() as session:
            yield session

    @contextmanager
    def chained():
        manager = connection()
        with manager.create_session() as session:
            yield session

    @asynccontextmanager
    async def opened():
        session = SessionLocal()
        try:
            yield session
        finally:
            session.close()

    @contextmanager
    def two_names(flag):
        a = SessionLocal()
        b = SessionLocal()
        yield a if flag else b

    class Manager:
        @contextmanager
        def create_session(self) -> Iterator[Session]:
            yield Session()

    @contextmanager
    def reentrant(engine):
        current = _current.get(None)
        if current is not None:
            yield current
            return
        session = SessionLocal(bind=engine)
        with session:
            yield session

    LocalSession = sessionmaker(bind=engine)

    def plain():
        db = LocalSession()
        try:
            yield db
        finally:
            db.close()

    manager = contextmanager(plain)

    # another name of a function the module defines, or of an imported one (bound once)
    get_session_with_shared_schema = annotated
    Maker = SessionLocal
    twice = plain
    twice = annotated
    DEBUG = True

    class Storage:
        @property
        def session(self):
            return reentrant(self.engine)

        @property
        def typed(self) -> Session:
            return self.session

        @property
        def two(self):
            if self.flag:
                return reentrant(self.engine)
            return connection()

        def method(self):
            return reentrant(self.engine)

    class Registry:
        _factory = None

        def __init__(self):
            self._late = None
            self._set_up()

        def _set_up(self):
            self._factory = sessionmaker(bind=engine)
            self._rebound = sessionmaker(bind=engine)
            self._late = sessionmaker(bind=engine)

        def swap(self, factory):
            self._rebound = factory

        @contextmanager
        def session(self):
            session = self._factory()
            try:
                yield session
            finally:
                session.close()

        @contextmanager
        def other(self):
            session = self._rebound()
            yield session

        @contextmanager
        def late(self):
            session = self._late()
            yield session

    registry = Registry()
    """,
]


@pytest.mark.parametrize("source", CORNERS)
@pytest.mark.parametrize("is_package", [False, True])
def test_corner_cases_agree(source: str, is_package: bool) -> None:
    code = textwrap.dedent(source).encode()
    fast = summarize(code, "app.users.service", is_package)
    assert fast is not None
    assert fast == summarize_with_libcst(code, "app.users.service", is_package)


def test_newer_syntax_is_summarised_from_its_rewrite_with_the_facts_libcst_finds() -> None:
    # polar's worker module: a 3.14 `except A, B:` used to leave the facts CPython's
    # parser gives both summaries (what a context manager yields) out
    code = textwrap.dedent(
        """\
        import contextlib
        from collections.abc import AsyncIterator

        from sqlalchemy.ext.asyncio import AsyncSession

        type Ids = list[int]


        def pool_name[T: str](names: list[T]) -> T:
            try:
                return names[0]
            except ValueError, IndexError:
                return "default"


        @contextlib.asynccontextmanager
        async def session_maker() -> AsyncIterator[AsyncSession]:
            yield AsyncSession()
        """
    ).encode()
    summary = summarize(code, "m", False)
    assert summary is not None
    assert summary == summarize_with_libcst(code, "m", False)
    assert summary.returns == {"m.session_maker": "sqlalchemy.ext.asyncio.AsyncSession"}


def test_code_cpython_cannot_parse_even_rewritten_is_summarised_with_libcst() -> None:
    # 3.12's f-string with a backslash in its field (`checks.newer_syntax` rewrites
    # only a reused quote)
    code = b'label = f"{"\\n".join(names)}"\nclass Box(Base):\n    pass\n'
    assert summarize(code, "m", False) is None
    summary = summarize_source(code, "m", False)
    assert summary is not None
    assert "m.Box" in summary.classes


def test_what_a_context_manager_yields_is_what_a_call_of_it_gives() -> None:
    """`with f() as x` binds what `f` yields: named by its annotation, or the chain of
    calls that gives the one name it yields (the project index follows it)."""
    code = textwrap.dedent(CORNERS[-1]).encode()
    summary = summarize(code, "app.db.sessions", False)
    assert summary is not None
    returns = summary.returns
    assert returns["app.db.sessions.annotated"] == "sqlmodel.Session"
    assert returns["app.db.sessions.Manager.create_session"] == "sqlmodel.Session"
    assert returns["app.db.sessions.chained"] == "()app.db.connection.connection|create_session"
    assert returns["app.db.sessions.opened"] == "()app.db.connection.SessionLocal"
    assert "app.db.sessions.two_names" not in returns  # yields no one name
    # one chain of calls among the names it yields: the other is what it made before
    assert returns["app.db.sessions.reentrant"] == "()app.db.connection.SessionLocal"
    # a context manager made by a call, of a generator opening a factory of the module
    assert returns["app.db.sessions.manager"] == "()app.db.sessions.LocalSession"
    # a factory the instance holds, made once by a method of its class (aajmot's
    # `DatabaseManager.get_session`, reader 132); one bound again is unknown
    assert returns["app.db.sessions.Registry.session"] == "sqlalchemy.orm.Session"
    assert "app.db.sessions.Registry.other" not in returns
    # bound to None in `__init__` until the set-up makes it
    assert returns["app.db.sessions.Registry.late"] == "sqlalchemy.orm.Session"
    # and under the name of the module-level instance of the class, as another module
    # calls it (`with registry.session() as session:`)
    assert returns["app.db.sessions.registry.session"] == "sqlalchemy.orm.Session"
    # another name of a function is a re-export of it, which the index follows
    imports = summary.imports
    assert imports["get_session_with_shared_schema"] == "app.db.sessions.annotated"
    assert imports["Maker"] == "app.db.connection.SessionLocal"
    assert "twice" not in imports  # bound twice
    assert "DEBUG" not in imports


def test_what_a_property_returns_is_what_the_attribute_gives() -> None:
    """`self.session` is what the property returns: its annotation, or the one chain of
    calls it returns (not a method's: `self.method` is the bound method)."""
    code = textwrap.dedent(CORNERS[-1]).encode()
    summary = summarize(code, "app.db.sessions", False)
    assert summary is not None
    returns = summary.returns
    assert returns["app.db.sessions.Storage.session"] == "()app.db.sessions.reentrant"
    assert returns["app.db.sessions.Storage.typed"] == "sqlmodel.Session"
    assert "app.db.sessions.Storage.two" not in returns  # two returns
    assert "app.db.sessions.Storage.method" not in returns


def test_a_classs_hashers_make_its_methods_blocking() -> None:
    """A hasher in the class body (akeeperctl's `pwd_context = CryptContext(...)`, reader
    81), annotated there (Forgot-0's `pwd_context: CryptContext`, reader 77) or made by
    `__init__`: the methods that call it through `self` check or hash a password, for
    the modules that call them; a method of another name on it hashes nothing."""
    source = textwrap.dedent(
        """
        from argon2 import PasswordHasher
        from passlib.context import CryptContext


        class AuthService:
            pwd_context = CryptContext(schemes=["bcrypt"])

            def verify_password(self, plain, hashed):
                return self.pwd_context.verify(plain, hashed)

            def needs_update(self, hashed):
                return self.pwd_context.needs_update(hashed)


        class HashService:
            pwd_context: CryptContext

            def hash_password(self, plain):
                return self.pwd_context.hash(plain)


        class Argon:
            def __init__(self):
                self.hasher = PasswordHasher()

            def check(self, hashed, plain):
                return self.hasher.verify(hashed, plain)
        """
    ).encode()
    summary = summarize(source, "app.auth", False)
    assert summary is not None
    made = {key: value for key, value in summary.blocking.items() if "__init__" not in key}
    assert made == {
        "app.auth.AuthService.verify_password": "passlib.context.CryptContext.verify",
        "app.auth.HashService.hash_password": "passlib.context.CryptContext.hash",
        "app.auth.Argon.check": "argon2.PasswordHasher.verify",
    }

"""The screens' tree of a file written for Python 3.12+ (`checks.newer_syntax`)."""

from __future__ import annotations

import ast
import json
import textwrap
from pathlib import Path
from unittest import mock

import libcst
import pytest

from checks import newer_syntax
from checks.engine import Engine
from checks.newer_syntax import newer_syntax_tree
from checks.rules import ALL_RULES
from tests.helpers import run_cli, write

NEWER = textwrap.dedent(
    """\
    from sqlalchemy.ext.asyncio import AsyncSession

    type Rows[R: RowModel] = list[R]


    class Repository[M: Base = DefaultModel, *Ts, **P](Protocol):
        model: M


    class Mixin[
        ID: IdProtocol,  # type: ignore[type-arg]
        KEY,
    ]:
        pass


    async def first[T: AsyncSession](session: T) -> T:
        try:
            return await session.get(Item, 1)
        except LookupError, ValueError:
            raise
    """
).encode()


def test_each_newer_form_is_rewritten_and_keeps_every_name() -> None:
    with pytest.raises(SyntaxError):
        ast.parse(NEWER)
    tree = newer_syntax_tree(NEWER)
    assert tree is not None
    text = ast.unparse(tree)
    assert "except (LookupError, ValueError):" in text
    assert "class Repository(Protocol):" in text
    assert "class Mixin:" in text
    assert "async def first(session: T) -> T:" in text
    # the `type` statement's value stays, its name is bound nowhere (as the engine's
    # traversal binds none); bounds and defaults are read at the end
    assert "list[R]" in text
    assert not any(isinstance(node, ast.Assign) for node in ast.walk(tree))
    read = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
    assert {"RowModel", "Base", "DefaultModel", "IdProtocol", "AsyncSession"} <= read
    # the line count is kept: what follows a rewritten form keeps its line
    functions = [node for node in ast.walk(tree) if isinstance(node, ast.AsyncFunctionDef)]
    assert (
        functions[0].lineno
        == NEWER.splitlines().index(b"async def first[T: AsyncSession](session: T) -> T:") + 1
    )


@pytest.mark.parametrize(
    ("written", "read"),
    [
        # deosdaniel's test, vilatvok's helper, wnkbll's repository (PEP 701's quotes)
        (b'url = f"/cars/{car["uid"]}"\n', b"url = f\"/cars/{car['uid']}\"\n"),
        (
            b"path = f'{file['path']}{file['name']}.{ext}'\n",
            b'path = f\'{file["path"]}{file["name"]}.{ext}\'\n',
        ),
        (
            b'who = f"User with {"username" if username else "email"}"\n',
            b"who = f\"User with {'username' if username else 'email'}\"\n",
        ),
        # georgephilippas-ber's nested f-string; a format spec's own field, a raw
        # string's backslash and a comment, left as they are
        (
            b'url = f"duckdb:///{join(root(), "files", f"{NAME}-{ENV.value}.db")}"\n',
            b"url = f\"duckdb:///{join(root(), 'files', f'{NAME}-{ENV.value}.db')}\"\n",
        ),
        (
            rb"x = f'{d['k']!r:>{width}}' 'tail' + r'\d'  # f'{d['k']}'" + b"\n",
            rb"""x = f'{d["k"]!r:>{width}}' 'tail' + r'\d'  # f'{d['k']}'""" + b"\n",
        ),
    ],
)
def test_a_string_reusing_an_fstrings_quote_takes_the_other_one(
    written: bytes, read: bytes
) -> None:
    with pytest.raises(SyntaxError):
        ast.parse(written)
    tree = newer_syntax_tree(written)
    assert tree is not None
    # the tree 3.12 gives of the text as written, with the same columns
    assert ast.dump(tree, include_attributes=True) == ast.dump(
        ast.parse(read), include_attributes=True
    )


@pytest.mark.parametrize(
    "source",
    [
        # a backslash in a replacement field (novozhilov-ivan), both quotes open where a
        # string is (AVedoai's `f'Status {result['status']}'` in `f"..."`), a string
        # holding the quote it would take (JMSolorzano-13), a string spanning lines
        b"x = f\"{'\\n'.join(lines)}\"\n",
        b"print(f\"Error: {r.get('e', f'Status {r['status']}')}\")\n",
        b"x = f\"SET {', '.join(f'\"{v}\"' for v in names)}\"\n",
        b'x = f"{d[\n"k"]}"\n',
        b"def f(:\n    pass\n",  # a syntax error of every version
        b"{% for enum in api.enums %}\nclass A:\n    pass\n",  # a template
        b"class A[T: Literal['a']]:\n    pass\n",  # a string in the brackets
        b"try:\n    pass\nexcept A, B as error:\n    pass\n",  # no version allows it
        b"class A[T:\n" + b"    int,\n" * 30 + b"]:\n    pass\n",  # brackets too long
    ],
)
def test_what_no_python_parses_or_the_rewrite_does_not_follow_gets_no_tree(source: bytes) -> None:
    assert newer_syntax_tree(source) is None


def test_a_helper_module_with_pep_701_quotes_is_read_by_the_project_index(
    tmp_path: Path,
) -> None:
    """vilatvok's `PasswordService.check` (reader 115): a module CPython 3.11 could not
    parse (`f'{file['path']}'`) had no summary, so the login calling its classmethod,
    which runs `bcrypt.checkpw`, was not reported even with FG303 named."""
    write(tmp_path, "pyproject.toml", "[project]\nname = 'svc'\n")
    write(tmp_path, "app/__init__.py", "")
    write(
        tmp_path,
        "app/passwords.py",
        """
        import bcrypt


        class PasswordService:
            @classmethod
            def check(cls, password: str, hashed: str) -> bool:
                return bcrypt.checkpw(password.encode(), hashed.encode())


        def image_path(file: dict[str, str]) -> str:
            return f'{file['path']}{file['name']}'
        """,
    )
    write(
        tmp_path,
        "app/routes.py",
        """
        from app.passwords import PasswordService


        async def login(password: str, hashed: str) -> bool:
            return PasswordService.check(password, hashed)
        """,
    )
    result = run_cli("check", "--no-cache", "--output-format", "json", str(tmp_path))
    found = [(f["code"], f["location"]["row"], f["message"]) for f in json.loads(result.stdout)]
    assert [(code, row) for code, row, _ in found] == [("FG303", 5)]
    assert "(`bcrypt.checkpw()`)" in found[0][2]


def test_a_newer_file_no_rule_may_fire_in_is_not_parsed_with_libcst() -> None:
    # before, CPython's refusal sent it to libcst for FG000 and to every rule its words
    # allow (here FG106's `AsyncSession`, FG302's `requests`)
    clean = textwrap.dedent(
        """\
        from sqlalchemy.ext.asyncio import AsyncSession

        type Ids = list[int]


        def first[T](items: list[T], session: AsyncSession) -> T:
            return items[0]
        """
    ).encode()
    with mock.patch("libcst.parse_module", wraps=libcst.parse_module) as parse:
        assert Engine(ALL_RULES).check(Path("app/ids.py"), clean).findings == []
        assert parse.call_count == 0
        assert Engine(ALL_RULES, screen=False).check(Path("app/ids.py"), clean).findings == []
        assert parse.call_count == 1


def test_a_newer_file_gets_the_same_findings_screened_or_not() -> None:
    source = (
        NEWER
        + textwrap.dedent(
            """

        async def sleepy(session: AsyncSession) -> None:
            import time

            time.sleep(1)
            session.delete(Item)
        """
        ).encode()
    )
    full = Engine(ALL_RULES, screen=False).check(Path("app/repository.py"), source)
    screened = Engine(ALL_RULES).check(Path("app/repository.py"), source)
    # (FG103 on an annotation waits for the project's fact: it may make no AsyncSession)
    found = {f.code for f in full.findings} | {f.code for f, _ in full.pending}
    assert found >= {"FG103", "FG301"}
    assert screened == full


def test_parse_answers_with_the_tree_remembered_for_that_same_text() -> None:
    # the engine's syntax check made this file's tree: its summary reads that one
    source = b"async def f():\n    return 1\n"
    tree = ast.parse(source)
    newer_syntax.remember(source, tree)
    assert newer_syntax.parse(source) is tree
    # an equal text that is another object is parsed (compared by identity, never by
    # content: a tree is kept for one text only)
    other = bytes(bytearray(source))
    parsed = newer_syntax.parse(other)
    assert parsed is not None
    assert parsed is not tree
    assert ast.dump(parsed) == ast.dump(tree)
    # and the last text parsed is answered from the memo
    assert newer_syntax.parse(other) is parsed


def test_plain_parse_never_answers_with_a_rewritten_tree() -> None:
    # FG304 reads only a tree CPython itself gives: a 3.12 text stays unread there
    source = b"type Alias = int\n"
    assert newer_syntax.parse(source) is not None  # rewritten, and kept
    with pytest.raises(SyntaxError):
        newer_syntax.plain_parse(source)
    plain = b"x = 1\n"
    tree = ast.parse(plain)
    newer_syntax.remember(plain, tree)
    assert newer_syntax.plain_parse(plain) is tree

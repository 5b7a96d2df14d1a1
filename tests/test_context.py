"""`checks.context.child_nodes` against libcst's own `children`."""

from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest

from checks import context
from checks.context import FileContext, child_nodes, node_memo, own_descendants

#: Every kind of statement and expression, with comments, parentheses and odd spacing.
_EVERY_SHAPE = '''
# leading comment
from __future__ import annotations
import os.path as p, sys
from . import (a,  # trailing
    b as c)

@decorator(1, *args, key=value, **kw)
async def f(x: int, /, y: "str" = 2, *rest, z, **more) -> list[int]:
    async with lock as (held, _), other:
        async for item in stream():
            await item
    global g
    nonlocal_value = [i async for i in aiter() if i if not i]
    return [*x, *y] or {**kw, "k": v} and {1, 2} or (lambda q=1, *, r: q + r)


class C(Base, metaclass=Meta):
    """Doc."""
    x: int = 1
    def m(self): yield from range(3); yield
    @property
    def p(self) -> None: ...


try:
    pass
except* (ValueError, TypeError) as error:
    raise RuntimeError("x") from error
else:
    del a[1:2:3], b.c
finally:
    assert x, "message"

match command.split():
    case [action, *objects] if action in {"go", 'get'}:
        pass
    case {"x": 1, **rest} | Point(x=0, y=_) as point:
        pass
    case _:
        pass

while (n := n - 1) > 0:
    x @= y; x **= 2; x //= 3; x >>= 1
    if not -x < ~y <= +z is not None in w not in v: continue
    elif x: break
    else: print(f"{x!r:>{width}} {y=}", end='' "")
for i, (j, k) in enumerate(pairs): ...
with open(p) as fh: x = yield_ = fh.read()[::2] if x else None
type_ = x if y else z
'''


def _pairs(module: cst.Module) -> int:
    checked = 0
    stack: list[cst.CSTNode] = [module]
    while stack:
        node = stack.pop()
        expected = node.children
        found = child_nodes(node)
        assert len(found) == len(expected), type(node).__name__
        assert all(a is b for a, b in zip(found, expected, strict=True)), type(node).__name__
        checked += 1
        stack.extend(expected)
    return checked


def test_child_nodes_are_libcsts_children_in_order() -> None:
    assert _pairs(cst.parse_module(_EVERY_SHAPE)) > 500


def test_child_nodes_on_the_checkers_own_code() -> None:
    sources = sorted((Path(__file__).parents[1] / "checks").rglob("*.py"))
    assert len(sources) > 40
    assert sum(_pairs(cst.parse_module(path.read_bytes())) for path in sources) > 100_000


_RETURNS = """
def f(x):
    if x:
        return 1
    elif y:
        for i in x:
            while i:
                try:
                    return 2
                except* E:
                    return 3
                finally:
                    return 4
            else:
                return 5
    with a as b:
        match b:
            case [c]:
                return c
    def inner(): return 6
    class Inner:
        def m(self): return 7
    fn = lambda: 8
    return [i for i in x]; return
"""


def _visited_returns(body: cst.CSTNode) -> list[cst.Return]:
    """The `return` statements libcst's visitor finds, other scopes left out."""
    found: list[cst.Return] = []

    class _Returns(cst.CSTVisitor):
        def visit_Return(self, node: cst.Return) -> None:
            found.append(node)

        def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
            return False

        def visit_ClassDef(self, node: cst.ClassDef) -> bool:
            return False

        def visit_Lambda(self, node: cst.Lambda) -> bool:
            return False

    body.visit(_Returns())
    return found


def test_returns_in_finds_the_returns_libcsts_visitor_finds_in_order() -> None:
    from checks.context import returns_in

    function = cst.parse_module(_RETURNS).body[0]
    assert isinstance(function, cst.FunctionDef)
    found = returns_in(function.body)
    assert [cst.Module([]).code_for_node(r) for r in found] == [
        "return 1",
        "return 2",
        "return 3",
        "return 4",
        "return 5",
        "return c",
        "return [i for i in x]; ",
        "return",
    ]
    expected = _visited_returns(function.body)
    assert all(a is b for a, b in zip(found, expected, strict=True))
    for path in sorted(Path(__file__).parent.parent.joinpath("checks").rglob("*.py")):
        for node in cst.parse_module(path.read_bytes()).body:
            if isinstance(node, cst.FunctionDef):
                expected = _visited_returns(node.body)
                found = returns_in(node.body)
                assert all(a is b for a, b in zip(found, expected, strict=True)), path


def test_node_memo_answers_again_only_for_the_same_node() -> None:
    calls: list[int] = []

    @node_memo
    def names(node: cst.CSTNode) -> tuple[str, ...]:
        calls.append(id(node))
        return tuple(sorted(n.value for n in own_descendants(node) if isinstance(n, cst.Name)))

    first = cst.parse_module("x = y\n")
    twin = cst.parse_module("x = y\n")  # equal, not the same node
    assert names(first) == names(first) == ("x", "y")
    assert names(twin) == ("x", "y")
    assert calls == [id(first), id(twin)]


def test_parent_maps_a_statement_once_and_answers_as_a_search_would(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    module = cst.parse_module(
        "x = 1\n"
        "class Service:\n"
        "    async def one(self):\n"
        "        return hash(self.a.b(1)) == 2\n"
        "    async def two(self):\n"
        "        return [f(y) for y in g()]\n"
    )
    ctx = FileContext(Path("app/service.py"), module, None)
    holders: dict[int, cst.CSTNode] = {}
    stack: list[cst.CSTNode] = [module.body[1]]
    while stack:  # each node's holder, found by reading every node's children
        node = stack.pop()
        for child in child_nodes(node):
            holders[id(child)] = node
            stack.append(child)
    asked = [n for n in own_descendants(module.body[1]) if id(n) in holders]
    counted: list[int] = []

    def counting(node: cst.CSTNode) -> list[cst.CSTNode]:
        counted.append(id(node))
        return child_nodes(node)

    monkeypatch.setattr(context, "child_nodes", counting)
    ctx.statement = 1
    assert all(ctx.parent(node) is holders[id(node)] for node in asked)
    assert ctx.parent(module.body[1]) is None  # the statement: nothing of it holds it
    assert ctx.parent(module.body[0].body[0]) is None  # another statement's node
    # every node's children read once for all the questions (a search each time read
    # the statement's nodes up to the one asked: quadratic in a large class)
    assert len(counted) == len(holders) + 1 == len(set(counted))
    ctx.statement = 0  # the walk moved on: that statement mapped anew
    assert ctx.parent(module.body[0].body[0]) is module.body[0]

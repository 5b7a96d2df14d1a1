"""`checks.context.child_nodes` against libcst's own `children`."""

from __future__ import annotations

from pathlib import Path

import libcst as cst

from checks.context import child_nodes

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

"""Our position pass gives libcst's `PositionProvider` ranges, on real code."""

from __future__ import annotations

import sysconfig
import typing
from pathlib import Path
from typing import Any

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper, PositionProvider

from checks import positions
from checks.findings import decode_source
from checks.positions import node_ranges

REPO = Path(__file__).resolve().parent.parent
STDLIB = Path(sysconfig.get_paths()["stdlib"])
TRICKY = b'''#!/usr/bin/env python
# -*- coding: utf-8 -*-
"""Docstring."""

# a comment before
import os; import sys  # two statements on one line


@property  # decorated
# a comment between decorators
@staticmethod
def f(
    a,
):
    return (a +
            1)
(
    x
) = 1
y = \\
    2
if x:
    pass
elif y:
    # a comment first
    z = 1; w = 2
else:
    match z:
        case 1:
            z = (
                2)
        case _:
              pass
for i in x:
    try:
        pass
    except (A, B):
        async def g(): return (
            1)
    else:
        with a as b, c:
            class C:
                \
                d = 1
    finally:
        pass
else:
    while y: y -= 1
# a trailing comment
'''
FILES = {
    "base_events.py": (STDLIB / "asyncio" / "base_events.py").read_bytes(),
    "context.py": (REPO / "checks" / "context.py").read_bytes(),
    "service.py": (REPO / "sample_app" / "app" / "tasks" / "service.py").read_bytes(),
    "tricky.py": TRICKY,
}


class _Collector(cst.CSTVisitor):
    """Every node, with the statements it lies in as the engine's walk keeps them: the
    module-level one, then each statement of an indented block around it."""

    def __init__(self, statement: cst.BaseStatement) -> None:
        super().__init__()
        self.nodes: list[tuple[cst.CSTNode, tuple[cst.BaseStatement, ...]]] = []
        self.within: list[cst.BaseStatement] = [statement]
        self.in_blocks: set[int] = set()

    def on_visit(self, node: cst.CSTNode) -> bool:
        if id(node) in self.in_blocks:
            self.within.append(typing.cast(cst.BaseStatement, node))
        if isinstance(node, cst.IndentedBlock):
            self.in_blocks.update(id(statement) for statement in node.body)
        self.nodes.append((node, tuple(self.within)))
        return True

    def on_leave(self, original_node: cst.CSTNode) -> None:
        if id(original_node) in self.in_blocks:
            self.within.pop()


@pytest.mark.parametrize("crlf", [False, True], ids=["lf", "crlf"])
@pytest.mark.parametrize("name", FILES)
def test_every_node_gets_the_range_libcst_gives(
    name: str, crlf: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = FILES[name]
    if crlf:
        source = source.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    module = cst.parse_module(source)
    expected = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    wanted: list[tuple[cst.CSTNode, int, tuple[cst.BaseStatement, ...]]] = []
    for index, statement in enumerate(module.body):
        collector = _Collector(statement)
        statement.visit(collector)
        wanted += [(node, index, within) for node, within in collector.nodes]
    text = decode_source(source)
    nodes = [node for node, _, _ in wanted]
    whole = node_ranges(module, [(node, -1, ()) for node in nodes])  # one pass over all

    def whole_module(*args: object, **kwargs: object) -> None:
        raise AssertionError("the statements' positions must not need the whole module")

    monkeypatch.setattr(cst.Module, "_codegen", whole_module)
    by_statement = node_ranges(module, [(node, index, ()) for node, index, _ in wanted], text)
    generated: list[cst.BaseStatement] = []
    real_generate = positions._generate

    def generate(module: cst.Module, statement: cst.BaseStatement, *args: Any) -> Any:
        computed = real_generate(module, statement, *args)
        assert computed is not None, "a statement's code was not the text at its line"
        generated.append(statement)
        return computed

    monkeypatch.setattr(positions, "_generate", generate)
    inner = wanted  # only the innermost statements' code
    innermost = node_ranges(module, inner, text)
    assert [innermost[node] for node, _, _ in inner] == [expected[node] for node, _, _ in inner]
    assert [by_statement[node] for node in nodes] == [expected[node] for node in nodes]
    assert [whole[node] for node in nodes] == [expected[node] for node in nodes]
    # a node inside an indented block got its range from its own statement's code alone
    assert set(generated) == {within[-1] for _, _, within in inner}

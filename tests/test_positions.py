"""Our position pass gives libcst's `PositionProvider` ranges, on real code."""

from __future__ import annotations

import sysconfig
from pathlib import Path

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper, PositionProvider

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
# a trailing comment
'''
FILES = {
    "base_events.py": (STDLIB / "asyncio" / "base_events.py").read_bytes(),
    "context.py": (REPO / "checks" / "context.py").read_bytes(),
    "service.py": (REPO / "sample_app" / "app" / "tasks" / "service.py").read_bytes(),
    "tricky.py": TRICKY,
}


class _Collector(cst.CSTVisitor):
    def __init__(self) -> None:
        super().__init__()
        self.nodes: list[cst.CSTNode] = []

    def on_visit(self, node: cst.CSTNode) -> bool:
        self.nodes.append(node)
        return True


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
    wanted: list[tuple[cst.CSTNode, int]] = []
    for index, statement in enumerate(module.body):
        collector = _Collector()
        statement.visit(collector)
        wanted += [(node, index) for node in collector.nodes]
    text = decode_source(source)
    whole = node_ranges(module, [(node, -1) for node, _ in wanted])  # one pass over all

    def whole_module(*args: object, **kwargs: object) -> None:
        raise AssertionError("the statements' positions must not need the whole module")

    monkeypatch.setattr(cst.Module, "_codegen", whole_module)
    by_statement = node_ranges(module, wanted, text)  # only the statements' own code
    nodes = [node for node, _ in wanted]
    assert [by_statement[node] for node in nodes] == [expected[node] for node in nodes]
    assert [whole[node] for node in nodes] == [expected[node] for node in nodes]

"""Positions of the nodes a file's findings name, at a third of libcst's cost.

libcst's `PositionProvider` regenerates the whole module's code and records a range for
every node, splitting every token with a regular expression and building two position
objects per node: on a 166 kB module it takes twice as long as the parse. This pass
runs the same code generation with the same rules (syntactic positions, whitespace-
inclusive ones for nodes without) but counts newlines with `str.count`, keeps plain
tuples on its stack and in its table, and builds range objects only for the nodes asked
for, as plain tuples until the end. `tests/test_positions.py` compares it with
`PositionProvider` over real code.
"""

from __future__ import annotations

import ast
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import libcst as cst
from libcst._nodes.internal import CodegenState
from libcst._position import CodePosition, CodeRange

from checks.findings import split_lines


@dataclass(frozen=False)
class _State(CodegenState):
    #: node -> (start line, start column, end line, end column)
    computed: dict[cst.CSTNode, tuple[int, int, int, int]] = field(default_factory=dict)
    indent_tokens: list[str] = field(default_factory=list)
    tokens: list[str] = field(default_factory=list)
    line: int = 1
    column: int = 0
    stack: list[tuple[int, int]] = field(default_factory=list)

    def add_indent_tokens(self) -> None:
        for token in self.indent_tokens:
            self.tokens.append(token)
            self._advance(token)

    def add_token(self, value: str) -> None:
        self.tokens.append(value)
        self._advance(value)

    def _advance(self, value: str) -> None:
        if "\r" in value:
            value = value.replace("\r\n", "\n").replace("\r", "\n")
        newlines = value.count("\n")
        if newlines:
            self.line += newlines
            self.column = len(value) - value.rfind("\n") - 1
        else:
            self.column += len(value)

    def before_codegen(self, node: cst.CSTNode) -> None:
        self.stack.append((self.line, self.column))

    def after_codegen(self, node: cst.CSTNode) -> None:
        line, column = self.stack.pop()
        if node not in self.computed:  # a syntactic position was not recorded
            self.computed[node] = (line, column, self.line, self.column)

    @contextmanager
    def record_syntactic_position(
        self,
        node: cst.CSTNode,
        *,
        start_node: cst.CSTNode | None = None,
        end_node: cst.CSTNode | None = None,
    ) -> Iterator[None]:
        line, column = self.line, self.column
        try:
            yield
        finally:
            end_line, end_column = self.line, self.column
            if start_node is not None:
                line, column = self.computed[start_node][:2]
            if end_node is not None:
                end_line, end_column = self.computed[end_node][2:]
            self.computed[node] = (line, column, end_line, end_column)


def node_ranges(
    module: cst.Module,
    wanted: Collection[tuple[cst.CSTNode, int]],
    text: str | None = None,
    tree: ast.Module | None = None,
) -> dict[Any, CodeRange]:
    """The (syntactic) range of each wanted node, as `PositionProvider` gives it.

    A node comes with the index of the module-level statement it lies in (-1: unknown).
    With the module's `text`, only those statements are generated, each from the line it
    starts on (found with CPython's parser, or in its `tree` of the same text when the
    caller has one, and checked against the text); a node not found that way, or an
    unknown statement, costs one pass over the whole module."""
    ranges: dict[Any, CodeRange] = {}
    missing = [node for node, _ in wanted]
    by_statement: dict[int, list[cst.CSTNode]] = {}
    for node, index in wanted:
        by_statement.setdefault(index, []).append(node)
    starts = None if -1 in by_statement else _statement_lines(module, text, tree)
    if starts is not None:
        lines = split_lines(text, keepends=True) if text is not None else []
        computed: dict[cst.CSTNode, tuple[int, int, int, int]] = {}
        for index in sorted(by_statement):
            statement = module.body[index]
            state = _State(
                default_indent=module.default_indent,
                default_newline=module.default_newline,
                line=starts[index],
            )
            statement._codegen(state)
            if not _matches(lines, starts[index], state.tokens):
                computed = {}
                break
            computed.update(state.computed)
        _collect(ranges, computed, missing)
        missing = [node for node in missing if node not in ranges]
    if missing:
        state = _State(default_indent=module.default_indent, default_newline=module.default_newline)
        module._codegen(state)
        _collect(ranges, state.computed, missing)
    return ranges


def _collect(
    ranges: dict[Any, CodeRange],
    computed: dict[cst.CSTNode, tuple[int, int, int, int]],
    nodes: Collection[cst.CSTNode],
) -> None:
    for node in nodes:
        if isinstance(node, cst.Module):
            continue  # libcst ends a module a line earlier; a finding on it reads 1:1
        found = computed.get(node)
        if found is not None:
            ranges[node] = CodeRange(CodePosition(*found[:2]), CodePosition(*found[2:]))


def _statement_lines(
    module: cst.Module, text: str | None, tree: ast.Module | None = None
) -> list[int] | None:
    """The line each module-level statement starts on (its leading comments and blank
    lines included), from CPython's positions; None when CPython cannot tell."""
    if text is None:
        return None
    if tree is None:
        try:
            tree = ast.parse(text)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return None  # newer syntax than this interpreter's, for one
    starts: list[int] = []
    position = 0
    for statement in module.body:
        if position >= len(tree.body):
            return None
        first = tree.body[position]
        line = first.lineno
        for decorator in getattr(first, "decorator_list", ()):
            line = min(line, decorator.lineno)
        position += len(statement.body) if isinstance(statement, cst.SimpleStatementLine) else 1
        starts.append(line - len(statement.leading_lines))
    return starts if position == len(tree.body) else None


def _matches(lines: list[str], start: int, tokens: list[str]) -> bool:
    """Whether a statement's generated code is the text found at its start line."""
    code = "".join(tokens)
    if not code:
        return True
    count = code.count("\n") + (0 if code.endswith("\n") else 1)
    return "".join(lines[start - 1 : start - 1 + count]).startswith(code)

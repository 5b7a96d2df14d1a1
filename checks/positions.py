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
from collections.abc import Collection, Iterator, Sequence
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


#: A node whose range is asked for, with the index of the module-level statement it lies
#: in (-1: unknown) and the statements the walk was in when it was reported (the
#: module-level one first, the innermost last; empty: unknown).
Wanted = tuple[cst.CSTNode, int, tuple[cst.BaseStatement, ...]]


def node_ranges(
    module: cst.Module,
    wanted: Collection[Wanted],
    text: str | None = None,
    tree: ast.Module | None = None,
) -> dict[Any, CodeRange]:
    """The (syntactic) range of each wanted node, as `PositionProvider` gives it.

    With the module's `text`, only the innermost statement a node was reported in is
    generated, from the line it starts on and at its block's indentation (found with
    CPython's parser, or in its `tree` of the same text when the caller has one, and
    checked against the text); a node not found there, the module-level statement it lies
    in; a node not found that way, or an unknown statement, costs one pass over the whole
    module."""
    ranges: dict[Any, CodeRange] = {}
    missing = [node for node, _, _ in wanted]
    by_statement: dict[int, list[cst.CSTNode]] = {}
    for node, index, _ in wanted:
        by_statement.setdefault(index, []).append(node)
    firsts = None if -1 in by_statement else _first_statements(module, text, tree)
    if firsts is not None:
        lines = split_lines(text, keepends=True) if text is not None else []
        inner: dict[cst.BaseStatement, tuple[int, tuple[str, ...]]] = {}
        places_of: dict[int, dict[int, int]] = {}
        for _, index, within in wanted:
            if len(within) > 1 and within[-1] not in inner and within[0] is module.body[index]:
                found = _inner_start(module, firsts[index][1], within, places_of)
                if found is not None:
                    inner[within[-1]] = found
        generated: dict[cst.CSTNode, tuple[int, int, int, int]] = {}
        for statement, (start, indents) in inner.items():
            computed = _generate(module, statement, start, indents, lines)
            if computed is not None:
                generated.update(computed)
        _collect(ranges, generated, missing)
        missing = [node for node in missing if node not in ranges]
        if missing:
            wanted_statements = {index for node, index, _ in wanted if node not in ranges}
            top: dict[cst.CSTNode, tuple[int, int, int, int]] = {}
            for index in sorted(wanted_statements):
                start = firsts[index][0]
                computed = _generate(module, module.body[index], start, (), lines)
                if computed is None:
                    top = {}
                    break
                top.update(computed)
            _collect(ranges, top, missing)
            missing = [node for node in missing if node not in ranges]
    if missing:
        state = _State(default_indent=module.default_indent, default_newline=module.default_newline)
        module._codegen(state)
        _collect(ranges, state.computed, missing)
    return ranges


def _generate(
    module: cst.Module,
    statement: cst.BaseStatement,
    start: int,
    indents: tuple[str, ...],
    lines: list[str],
) -> dict[cst.CSTNode, tuple[int, int, int, int]] | None:
    """The positions of a statement's nodes, its code generated from line `start` inside
    blocks of `indents`; None when that code is not the text there."""
    state = _State(
        default_indent=module.default_indent,
        default_newline=module.default_newline,
        line=start,
        indent_tokens=list(indents),
    )
    statement._codegen(state)
    return state.computed if _matches(lines, start, state.tokens) else None


def _places(block: cst.IndentedBlock, places_of: dict[int, dict[int, int]]) -> dict[int, int]:
    """Each statement of a block (by id) -> the index of its first node in CPython's list
    of the block's statements (a line of `a; b` holds two), computed once per block."""
    places = places_of.get(id(block))
    if places is None:
        places = {}
        position = 0
        for child in block.body:
            places[id(child)] = position
            position += len(child.body) if isinstance(child, cst.SimpleStatementLine) else 1
        places_of[id(block)] = places
    return places


def _inner_start(
    module: cst.Module,
    node: ast.stmt,
    within: tuple[cst.BaseStatement, ...],
    places_of: dict[int, dict[int, int]],
) -> tuple[int, tuple[str, ...]] | None:
    """The line the innermost statement of `within` starts on (its leading comments and
    blank lines included) and the indentation of the blocks around it, found by walking
    CPython's tree (`node`: the first of the module-level statement's) along the same
    path; None when the trees do not match."""
    statement = within[0]
    indents: list[str] = []
    for inner in within[1:]:
        found = None
        for block, nodes in _blocks(statement, node):
            places = _places(block, places_of)
            if id(inner) in places:
                found = block, nodes, places[id(inner)]
                break
        if found is None:
            return None
        block, nodes, position = found
        if isinstance(statement, cst.Match):  # its cases are indented inside it
            indents.append(
                statement.indent if statement.indent is not None else module.default_indent
            )
        if position >= len(nodes):
            return None
        indents.append(block.indent if block.indent is not None else module.default_indent)
        statement, node = inner, nodes[position]
    return _start_line(statement, node), tuple(indents)


def _blocks(
    statement: cst.BaseStatement | cst.If, node: ast.stmt
) -> Iterator[tuple[cst.IndentedBlock, list[ast.stmt]]]:
    """The indented blocks of a compound statement, each with the statements CPython's
    tree holds for it (none when the two trees disagree)."""
    pairs: list[tuple[cst.BaseSuite, list[ast.stmt]]] = []
    if isinstance(statement, cst.FunctionDef):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            pairs.append((statement.body, node.body))
    elif isinstance(statement, cst.ClassDef):
        if isinstance(node, ast.ClassDef):
            pairs.append((statement.body, node.body))
    elif isinstance(statement, cst.If):
        if isinstance(node, ast.If):
            pairs.append((statement.body, node.body))
            orelse = statement.orelse
            if isinstance(orelse, cst.Else):
                pairs.append((orelse.body, node.orelse))
            elif isinstance(orelse, cst.If) and len(node.orelse) == 1:  # elif
                yield from _blocks(orelse, node.orelse[0])
    elif isinstance(statement, cst.For | cst.While):
        if isinstance(node, ast.For | ast.AsyncFor | ast.While):
            pairs.append((statement.body, node.body))
            if statement.orelse is not None:
                pairs.append((statement.orelse.body, node.orelse))
    elif isinstance(statement, cst.With):
        if isinstance(node, ast.With | ast.AsyncWith):
            pairs.append((statement.body, node.body))
    elif isinstance(statement, cst.Try | cst.TryStar):
        if isinstance(node, ast.Try | ast.TryStar) and len(statement.handlers) == len(
            node.handlers
        ):
            pairs.append((statement.body, node.body))
            handlers: Sequence[cst.ExceptHandler | cst.ExceptStarHandler] = statement.handlers
            for handler, handler_node in zip(handlers, node.handlers, strict=True):
                pairs.append((handler.body, handler_node.body))
            if statement.orelse is not None:
                pairs.append((statement.orelse.body, node.orelse))
            if statement.finalbody is not None:
                pairs.append((statement.finalbody.body, node.finalbody))
    elif (
        isinstance(statement, cst.Match)
        and isinstance(node, ast.Match)
        and len(statement.cases) == len(node.cases)
    ):
        for case, case_node in zip(statement.cases, node.cases, strict=True):
            pairs.append((case.body, case_node.body))
    for suite, nodes in pairs:
        if isinstance(suite, cst.IndentedBlock):
            yield suite, nodes


def _start_line(statement: cst.BaseStatement, node: ast.stmt) -> int:
    """The line a statement starts on, its leading comments and blank lines included,
    from its (first) node in CPython's tree."""
    line = node.lineno
    for decorator in getattr(node, "decorator_list", ()):
        line = min(line, decorator.lineno)
    leading: Sequence[cst.EmptyLine] = getattr(statement, "leading_lines", ())
    return line - len(leading)


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


def _first_statements(
    module: cst.Module, text: str | None, tree: ast.Module | None = None
) -> list[tuple[int, ast.stmt]] | None:
    """The line each module-level statement starts on (its leading comments and blank
    lines included), from CPython's positions, with its (first) node in CPython's tree;
    None when CPython cannot tell."""
    if text is None:
        return None
    if tree is None:
        try:
            tree = ast.parse(text)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return None  # newer syntax than this interpreter's, for one
    firsts: list[tuple[int, ast.stmt]] = []
    position = 0
    for statement in module.body:
        if position >= len(tree.body):
            return None
        first = tree.body[position]
        position += len(statement.body) if isinstance(statement, cst.SimpleStatementLine) else 1
        firsts.append((_start_line(statement, first), first))
    return firsts if position == len(tree.body) else None


def _matches(lines: list[str], start: int, tokens: list[str]) -> bool:
    """Whether a statement's generated code is the text found at its start line."""
    code = "".join(tokens)
    if not code:
        return True
    count = code.count("\n") + (0 if code.endswith("\n") else 1)
    return "".join(lines[start - 1 : start - 1 + count]).startswith(code)

"""Imports for the fixes: add a name in the file's own import style, drop what a fix orphaned.

A fix that writes `field_validator` needs it imported. When the file already has a
`from pydantic import ...` at module level, the name joins that statement (in its order
when the names are sorted the way isort and ruff sort them, else at the end; a
parenthesised, one-name-per-line import gets a line of its own); otherwise a new
`from pydantic import field_validator` line goes next to the file's other imports.

A fix that removes the last use of an imported name (`validator`, `time`) says so; after
each pass the fixer drops such imports when nothing in the module refers to them any
more: not a name, not a string in `__all__`. Only module-level imports are touched, and a
statement left without names is removed with its line (its comments move to the next
statement). Like ruff's F401 fix, this drops no import the fix did not orphan.
"""

from __future__ import annotations

from collections.abc import Collection

from checks.lazy import VisitorBase, visitor
from checks.lazy import libcst as cst


class NameVisitor(VisitorBase):
    """Visits the identifiers code uses or binds: not the names after a dot nor the
    keyword names of calls (`x.select`, `f(select=1)` do not use `select`)."""

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        node.value.visit(self)
        return False

    def visit_Arg(self, node: cst.Arg) -> bool:
        node.value.visit(self)
        return False


class _Names(NameVisitor):
    """Every identifier used or bound (and every identifier-like string)."""

    def __init__(self, skip_imports: bool) -> None:
        self.names: set[str] = set()
        self.strings: set[str] = set()
        self.skip_imports = skip_imports

    def visit_Name(self, node: cst.Name) -> None:
        self.names.add(node.value)

    def visit_Import(self, node: cst.Import) -> bool:
        return not self.skip_imports

    def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
        return not self.skip_imports

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        value = node.evaluated_value
        if isinstance(value, str) and value.isidentifier():
            self.strings.add(value)


def names_in(node: cst.CSTNode) -> set[str]:
    """The identifiers a module (or any node) uses or binds, imports included."""
    collector = visitor(_Names)(skip_imports=False)
    node.visit(collector)
    return collector.names


def import_sort_key(name: str) -> tuple[int, str]:
    """isort's and ruff's `order-by-type`: CONSTANTS, then Classes, then functions."""
    if name.isupper() and len(name) > 1:
        return (0, name)
    if name[:1].isupper():
        return (1, name)
    return (2, name)


def _local(alias: cst.ImportAlias) -> str | None:
    if alias.asname is not None:
        target = alias.asname.name
        return target.value if isinstance(target, cst.Name) else None
    return alias.name.value if isinstance(alias.name, cst.Name) else None


def with_name(node: cst.ImportFrom, name: str) -> cst.ImportFrom:
    """`from m import a, c` with `name` added: `from m import a, b, c`."""
    assert not isinstance(node.names, cst.ImportStar)
    names = list(node.names)
    existing = [alias.name.value for alias in names if isinstance(alias.name, cst.Name)]
    index = len(names)
    if len(existing) == len(names) and existing == sorted(existing, key=import_sort_key):
        index = next(
            (
                i
                for i, other in enumerate(existing)
                if import_sort_key(name) < import_sort_key(other)
            ),
            len(names),
        )
    # the comma between two names, as the file writes it (`, ` or `,` + newline + indent)
    separator: cst.Comma | cst.MaybeSentinel = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
    if len(names) > 1:
        separator = names[0].comma
    new = cst.ImportAlias(name=cst.Name(name))
    if index < len(names):
        names.insert(index, new.with_changes(comma=separator))
    else:
        last = names[-1]
        names[-1] = last.with_changes(comma=separator)
        names.append(new.with_changes(comma=last.comma))  # a trailing comma stays
    return node.with_changes(names=names)


def module_imports_from(module: cst.Module, package: str) -> cst.ImportFrom | None:
    """The first module-level `from package import a, b` (absolute, not `*`)."""
    for line in module.body:
        if not isinstance(line, cst.SimpleStatementLine):
            continue
        for small in line.body:
            if (
                isinstance(small, cst.ImportFrom)
                and not small.relative
                and small.module is not None
                and not isinstance(small.names, cst.ImportStar)
                and cst.Module(body=[]).code_for_node(small.module) == package
            ):
                return small
    return None


def _without(line: cst.SimpleStatementLine, unused: Collection[str]) -> cst.SimpleStatementLine:
    """The statement line without the imports of `unused` names (its body may be left
    empty: the caller removes the line)."""
    kept: list[cst.BaseSmallStatement] = []
    changed = False
    for small in line.body:
        if (
            not isinstance(small, cst.Import | cst.ImportFrom)
            or isinstance(small.names, cst.ImportStar)
            or (
                isinstance(small, cst.ImportFrom)
                and small.module is not None
                and cst.Module(body=[]).code_for_node(small.module) == "__future__"
            )
        ):
            kept.append(small)
            continue
        aliases = [alias for alias in small.names if _local(alias) not in unused]
        if len(aliases) == len(small.names):
            kept.append(small)
            continue
        changed = True
        if aliases:
            aliases[-1] = aliases[-1].with_changes(comma=small.names[-1].comma)
            kept.append(small.with_changes(names=aliases))
    if not changed:
        return line
    if kept:
        kept[-1] = kept[-1].with_changes(semicolon=cst.MaybeSentinel.DEFAULT)
    return line.with_changes(body=kept)


def _drop_imports(module: cst.Module, unused: Collection[str]) -> cst.Module:
    body: list[cst.BaseStatement] = []
    carried: list[cst.EmptyLine] = []
    for statement in module.body:
        if isinstance(statement, cst.SimpleStatementLine):
            statement = _without(statement, unused)
            if not statement.body:  # the line goes; comments above it stay
                carried.extend(line for line in statement.leading_lines if line.comment)
                continue
        if carried:
            statement = statement.with_changes(leading_lines=[*carried, *statement.leading_lines])
            carried = []
        body.append(statement)
    return module.with_changes(body=body, footer=[*carried, *module.footer])


def drop_unused_imports(module: cst.Module, candidates: Collection[str]) -> cst.Module:
    """Remove the module-level imports of `candidates` nothing in the module uses."""
    if not candidates:
        return module
    collector = visitor(_Names)(skip_imports=True)
    module.visit(collector)
    unused = {
        name for name in candidates if name not in collector.names and name not in collector.strings
    }
    if not unused:
        return module
    return _drop_imports(module, unused)

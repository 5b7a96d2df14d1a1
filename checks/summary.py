"""A module's summary read with CPython's parser, for the modules a run only reads.

A run that checks one file (the pre-commit hook, the Claude Code hook) still needs to know
the classes of the modules that file imports: is `app.schemas.UserRead` a Pydantic model?
Those modules are summarised, not checked; CPython's `ast` parses about 14 times faster
than libcst, so this mirrors, statement for statement, what `FileContext` records of a
module before its traversal (`FileContext.summary()`): the imports at module level (also
under `if`/`try`/`with`), the `Base = declarative_base()` variables, and the classes with
their bases resolved in the same order. `tests/test_summary.py` keeps the two equal over
real code. A module CPython cannot parse (newer syntax than this interpreter's) is
summarised with libcst, as before.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Sequence

from checks.project import (
    AS_DECLARATIVE,
    DECLARATIVE_BASE,
    DECLARATIVE_BASE_FACTORIES,
    ModuleSummary,
    absolute_module,
)
from checks.pydantic_target import keeps_v1_layer


def summarize(source: bytes, module: str, is_package: bool) -> ModuleSummary | None:
    """The summary of a module, or None when CPython cannot parse it (see above)."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return None
    return _Summarizer(module, is_package).summary(tree)


def _statements(body: Sequence[ast.stmt]) -> Iterator[ast.stmt]:
    """Statements at module level, looking inside if/try/with blocks (not functions)."""
    for statement in body:
        yield statement
        if isinstance(statement, ast.If):
            yield from _statements(statement.body)
            yield from _statements(statement.orelse)
        elif isinstance(statement, ast.Try | ast.TryStar):
            yield from _statements(statement.body)
            for handler in statement.handlers:
                yield from _statements(handler.body)
            yield from _statements(statement.orelse)
            yield from _statements(statement.finalbody)
        elif isinstance(statement, ast.With | ast.AsyncWith):
            yield from _statements(statement.body)


def _dotted(expr: ast.expr) -> str | None:
    if isinstance(expr, ast.Name):
        return expr.id
    if isinstance(expr, ast.Attribute):
        head = _dotted(expr.value)
        return None if head is None else f"{head}.{expr.attr}"
    return None


class _Summarizer:
    def __init__(self, module: str, is_package: bool) -> None:
        self.module = module
        self.package = module if is_package else (module.rpartition(".")[0] or None)
        self.imports: dict[str, str] = {}
        #: class name -> (bases, whether it is nested in another class)
        self.classes: dict[str, tuple[tuple[str | None, ...], bool]] = {}

    def summary(self, tree: ast.Module) -> ModuleSummary:
        classes: list[ast.ClassDef] = []
        bases: list[ast.Assign] = []
        for statement in _statements(tree.body):
            if isinstance(statement, ast.Import | ast.ImportFrom):
                self._record_import(statement)
            elif isinstance(statement, ast.Assign) and isinstance(statement.value, ast.Call):
                bases.append(statement)
            elif isinstance(statement, ast.ClassDef):
                classes.append(statement)
        for assign in bases:
            assert isinstance(assign.value, ast.Call)
            if self._qualified(assign.value.func) in DECLARATIVE_BASE_FACTORIES:
                for target in assign.targets:
                    if isinstance(target, ast.Name):
                        self.classes[target.id] = ((DECLARATIVE_BASE,), False)
        for node in classes:
            self._register(node, nested=False)
        prefix = self.module

        def absolute(ref: str | None) -> str | None:
            known = self.classes.get(ref) if ref is not None else None
            if known is not None and not known[1]:
                return f"{prefix}.{ref}"
            return ref

        summary_classes = {
            f"{prefix}.{name}": tuple(absolute(base) for base in declared)
            for name, (declared, nested) in self.classes.items()
            if not nested
        }
        return ModuleSummary(prefix, summary_classes, dict(self.imports))

    def _register(self, node: ast.ClassDef, nested: bool) -> None:
        declared = tuple(self._class_ref(base) for base in node.bases)
        if any(
            self._qualified(d.func if isinstance(d, ast.Call) else d) in AS_DECLARATIVE
            for d in node.decorator_list
        ):
            declared = (*declared, DECLARATIVE_BASE)
        self.classes[node.name] = (declared, nested)
        for statement in node.body:
            if isinstance(statement, ast.ClassDef):
                self._register(statement, nested=True)

    def _record_import(self, node: ast.Import | ast.ImportFrom) -> None:
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname is not None:
                    self._bind(alias.asname, alias.name)
                else:
                    head = alias.name.split(".", 1)[0]
                    self._bind(head, head)
            return
        if any(alias.name == "*" for alias in node.names):
            return
        module = absolute_module(node.level, node.module, self.package)
        separator = "" if module.endswith(".") or not module else "."
        for alias in node.names:
            local = alias.asname or alias.name
            self._bind(local, f"{module}{separator}{alias.name}")

    def _bind(self, local: str, qualified: str) -> None:
        if not keeps_v1_layer(self.imports.get(local), qualified):
            self.imports[local] = qualified

    def _qualified(self, expr: ast.expr) -> str | None:
        if isinstance(expr, ast.Name):
            return self.imports.get(expr.id)
        if isinstance(expr, ast.Attribute):
            head = self._qualified(expr.value)
            return None if head is None else f"{head}.{expr.attr}"
        return None

    def _class_ref(self, expr: ast.expr) -> str | None:
        if isinstance(expr, ast.Starred):
            expr = expr.value
        if isinstance(expr, ast.Name):
            if expr.id in self.classes:
                return expr.id
            return self.imports.get(expr.id)
        if isinstance(expr, ast.Attribute):
            return self._qualified(expr)
        if isinstance(expr, ast.Subscript):
            return self._class_ref(expr.value)
        return None

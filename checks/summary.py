"""A module's summary read with CPython's parser, for the modules a run only reads.

A run that checks one file (the pre-commit hook, the Claude Code hook) still needs to know
the classes of the modules that file imports: is `app.schemas.UserRead` a Pydantic model?
Those modules are summarised, not checked; CPython's `ast` parses about 14 times faster
than libcst, so this mirrors, statement for statement, what `FileContext` records of a
module before its traversal (`FileContext.summary()`): the imports at module level (also
under `if`/`try`/`with`), the `Base = declarative_base()` variables, the classes with
their bases resolved in the same order, and the SQLAlchemy engines and session factories
bound at module level (`SessionLocal = sessionmaker(...)`). `tests/test_summary.py` keeps
the two equal over real code. A module CPython cannot parse (newer syntax than this
interpreter's) is summarised with libcst, as before.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator, Sequence

from checks.project import (
    AS_DECLARATIVE,
    DECLARATIVE_BASE,
    DECLARATIVE_BASE_FACTORIES,
    ModuleSummary,
    absolute_module,
    instance_made_by,
    module_instances,
)
from checks.pydantic_target import keeps_v1_layer

#: `X.Config`: the text of a module that may read or extend a model's inner `Config`.
_CONFIG_READ = re.compile(rb"\.\s*Config(?![A-Za-z0-9_])")


def summarize(source: bytes, module: str, is_package: bool) -> ModuleSummary | None:
    """The summary of a module, or None when CPython cannot parse it (see above)."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return None
    reads_config = _CONFIG_READ.search(source) is not None
    return _Summarizer(module, is_package).summary(tree, reads_config)


def config_refs_of(source: bytes, module: str, is_package: bool) -> frozenset[str]:
    """The classes whose inner `Config` a module reads or extends (`ModuleSummary.
    config_refs`), read with CPython's parser (none when it cannot parse the module): the
    checker's own summary of a file takes them from here, so both summaries agree."""
    if _CONFIG_READ.search(source) is None:
        return frozenset()
    summary = summarize(source, module, is_package)
    return summary.config_refs if summary is not None else frozenset()


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

    def summary(self, tree: ast.Module, reads_config: bool = False) -> ModuleSummary:
        classes: list[ast.ClassDef] = []
        bases: list[ast.Assign] = []
        #: every `name = value` / `name: T = value` at module level, in order
        bindings: list[tuple[str, ast.expr | None]] = []
        for statement in _statements(tree.body):
            if isinstance(statement, ast.Import | ast.ImportFrom):
                self._record_import(statement)
            elif isinstance(statement, ast.Assign):
                if isinstance(statement.value, ast.Call):
                    bases.append(statement)
                bindings.extend(
                    (target.id, statement.value)
                    for target in statement.targets
                    if isinstance(target, ast.Name)
                )
            elif isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
                bindings.append((statement.target.id, None))
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
        instances = module_instances((name, self._made(value)) for name, value in bindings)
        return ModuleSummary(
            prefix,
            summary_classes,
            dict(self.imports),
            {f"{prefix}.{name}": made for name, made in instances.items()},
            frozenset(self._config_refs(tree.body, None)) if reads_config else frozenset(),
        )

    def _config_refs(self, body: Sequence[ast.AST], owner: str | None) -> Iterator[str]:
        """The classes whose `Config` the code reads: `X.Config` with `X` an imported name
        or a class of the module, `self.Config`/`cls.Config` in a method of the top-level
        class `owner`; a variable's `.Config` is not followed."""
        for node in body:
            if isinstance(node, ast.ClassDef) and owner is None:
                yield from self._config_refs(node.bases, None)
                yield from self._config_refs(node.body, node.name)
                continue
            for child in ast.walk(node):
                if isinstance(child, ast.Attribute) and child.attr == "Config":
                    ref = self._config_owner(child.value, owner)
                    if ref is not None:
                        yield ref

    def _config_owner(self, expr: ast.expr, owner: str | None) -> str | None:
        name = _dotted(expr)
        if name is None:
            return None
        head, _, rest = name.partition(".")
        if head in {"self", "cls"} and owner is not None:
            return f"{self.module}.{owner}" if not rest else None
        known = self.classes.get(head)
        if known is not None and not known[1]:
            return f"{self.module}.{name}"
        target = self.imports.get(head)
        if target is not None:
            return f"{target}.{rest}" if rest else target
        return None

    def _made(self, value: ast.expr | None) -> str | None:
        """What a module-level value is, when a SQLAlchemy factory call makes it."""
        if not isinstance(value, ast.Call):
            return None
        class_ = next((k.value for k in value.keywords if k.arg == "class_"), None)
        return instance_made_by(
            self._qualified(value.func), self._qualified(class_) if class_ is not None else None
        )

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

"""Code written for both Pydantic versions on purpose, which the Pydantic rules leave alone.

Two shapes:

- **version guards**: an `if` (or a conditional expression) whose test asks which Pydantic
  runs (`if PYDANTIC_V2:`, `if not IS_PYDANTIC_V1:`, `pydantic.VERSION.startswith("1")`,
  `PYDANTIC_VERSION.major >= 2`, `hasattr(m, "model_dump")`, `is_v2_model(m)`,
  `isinstance(m, pydantic.v1.BaseModel)`), and a `try` whose body imports from Pydantic
  and which catches `ImportError` (`try: from pydantic.v1 import BaseModel except
  ImportError: ...`).
  Each branch of such a test is compat code: the body, the `elif`/`else` branches and the
  handlers alike, and, after an `if` whose body ends in `return`/`continue`/`break`
  without an `else`, the rest of its block (the implicit else branch);
- **the `pydantic.v1` compatibility layer**: `from pydantic.v1 import BaseModel` is the
  v1 API on purpose; a name a file binds to both `pydantic.v1.X` and `pydantic.X` (the
  try/except and if/else import forms) is the v1 layer's `X`
  (`checks.pydantic_target.keeps_v1_layer`).

The engine's one traversal keeps the stack of enclosing `if`/`try` nodes
(`VersionGuards`, a per-file fact of the `FileContext`); a node is classified only when a
Pydantic rule is about to report under it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from checks.lazy import lazy_pattern
from checks.lazy import libcst as cst
from checks.pydantic_target import V1_LAYER

if TYPE_CHECKING:
    QualifiedName = Callable[[cst.BaseExpression], str | None]

#: A flag or constant that names the Pydantic version: PYDANTIC_V2, IS_PYDANTIC_V1,
#: PYDANTIC_VERSION, PYDANTIC_MAJOR_VERSION, PYDANTIC_VERSION_MINOR_TUPLE, pydantic_v2.
_VERSION_NAME = lazy_pattern(
    r"pydantic.*(?:v[12]|version|major|_[12](?![0-9]))|(?:v[12]|version).*pydantic",
    re.IGNORECASE,
)
#: A function that asks about the version or a model's version: is_v2_model,
#: is_pydantic_v2, _is_v1_model, get_pydantic_version.
_VERSION_CALL = lazy_pattern(
    r"(?:^|_)(?:is|has|use|using)_(?:pydantic_)?v[12](?:_|$)|pydantic.*(?:v[12]|version)",
    re.IGNORECASE,
)
#: Where Pydantic keeps its version.
_VERSION_ATTRIBUTES = frozenset(
    {
        "pydantic.VERSION",
        "pydantic.__version__",
        "pydantic.version.VERSION",
        "pydantic.version.version_info",
        "pydantic.version.version_short",
    }
)
#: Attributes only one of the two versions has: `hasattr(m, "model_dump")` tells them apart.
_VERSION_SPECIFIC_ATTRIBUTES = frozenset(
    {
        "model_dump",
        "model_dump_json",
        "model_validate",
        "model_validate_json",
        "model_fields",
        "model_fields_set",
        "model_config",
        "model_json_schema",
        "model_copy",
        "model_construct",
        "model_rebuild",
        "model_computed_fields",
        "model_post_init",
        "__pydantic_fields__",
        "__pydantic_core_schema__",
        "__pydantic_validator__",
        "__fields__",
        "__fields_set__",
        "__config__",
        "parse_obj",
        "parse_raw",
        "from_orm",
        "update_forward_refs",
    }
)
_IMPORT_ERRORS = frozenset({"ImportError", "ModuleNotFoundError"})
_PYDANTIC_PACKAGES = frozenset({"pydantic", "pydantic_settings", "pydantic_core"})


if TYPE_CHECKING:
    Branching = cst.If | cst.IfExp | cst.Try | cst.TryStar


class VersionGuards:
    """The `if`/`try` nodes enclosing the point of the walk, and whether one of them is a
    version guard; kept by the engine as it walks, classified on demand (remembered)."""

    def __init__(self, qualified_name: QualifiedName) -> None:
        self._qualified_name = qualified_name
        #: the enclosing `if`/`try` nodes, and the `if`s whose implicit else branch the
        #: walk is in
        self._stack: list[Branching] = []
        self._known: dict[int, bool] = {}

    @property
    def active(self) -> bool:
        """Whether the walk is in a branch of a test of the Pydantic version or API."""
        return any(self._is_guard(node) for node in self._stack)

    def in_import_fallback(self, packages: frozenset[str]) -> bool:
        """Whether the walk is in a `try` that catches `ImportError` and whose body
        imports from one of `packages` (`try: from sqlalchemy.orm import DeclarativeBase`
        / `except ImportError: from sqlalchemy.ext.declarative import declarative_base`:
        each branch runs on the versions the other does not)."""
        return any(
            isinstance(node, cst.Try)
            and any(_catches_import_error(h.type) for h in node.handlers)
            and _imports_from(node.body, packages)
            for node in self._stack
        )

    def in_fallback_of_an_import(self) -> bool:
        """Whether the walk is in a `try` that catches `ImportError`, whose body imports a
        name its handler binds again (zhuguang2477's `try: from backend.app.database
        import Base` / `except ImportError: Base = declarative_base()`, reader 85): the
        stand-in for an import that does not fail where the code runs."""
        for node in self._stack:
            if not isinstance(node, cst.Try):
                continue
            handlers = [h for h in node.handlers if _catches_import_error(h.type)]
            imported = _imported_names(node.body)
            if imported and any(
                isinstance(line, cst.SimpleStatementLine)
                and any(
                    isinstance(small, cst.Assign)
                    and any(
                        isinstance(t.target, cst.Name) and t.target.value in imported
                        for t in small.targets
                    )
                    for small in line.body
                )
                for handler in handlers
                if isinstance(handler.body, cst.IndentedBlock)
                for line in handler.body.body
            ):
                return True
        return False

    def _is_guard(self, node: Branching) -> bool:
        known = self._known.get(id(node))
        if known is None:
            known = self._known[id(node)] = is_version_guard(node, self._qualified_name)
        return known

    def enter(self, node: Branching) -> None:
        """Enter an `if`, a conditional expression or a `try`."""
        self._stack.append(node)

    def exit(self, node: Branching) -> None:
        """Leave it; after an `if` that leaves its block, the rest of the block is its
        implicit else branch until `close_block` (guarded if the `if` is a guard)."""
        self._stack.pop()
        if isinstance(node, cst.If) and falls_through_to_else(node):
            self._stack.append(node)

    def open_block(self) -> int:
        """Enter an indented block; returns what `close_block` needs."""
        return len(self._stack)

    def close_block(self, depth: int) -> None:
        """Leave an indented block: the implicit else branches in it end with it."""
        del self._stack[depth:]


def is_version_guard(node: Branching, qualified_name: QualifiedName) -> bool:
    """Whether the branches of `node` are compat code (see the module's docstring)."""
    if isinstance(node, cst.If | cst.IfExp):
        return is_version_test(node.test, qualified_name)
    return any(_catches_import_error(h.type) for h in node.handlers) and _imports_pydantic(
        node.body
    )


def falls_through_to_else(node: cst.If) -> bool:
    """Whether the statements after `node` in its block are its implicit else branch: it
    has no `else`, and its body ends by leaving the block (`return`, `continue`, `break`;
    not `raise`: `if not PYDANTIC_V2: raise ...` guards what follows for v2 only)."""
    if node.orelse is not None:
        return False
    body = node.body
    if isinstance(body, cst.IndentedBlock):
        if not body.body or not isinstance(body.body[-1], cst.SimpleStatementLine):
            return False
        last: cst.BaseSmallStatement = body.body[-1].body[-1]
    elif isinstance(body, cst.SimpleStatementSuite) and body.body:
        last = body.body[-1]
    else:
        return False
    return isinstance(last, cst.Return | cst.Continue | cst.Break)


def is_version_test(test: cst.BaseExpression, qualified_name: QualifiedName) -> bool:
    """Whether an expression asks which Pydantic runs, anywhere in its names, attributes,
    calls, comparisons, subscripts and boolean, unary or binary operations."""
    pending: list[cst.BaseExpression] = [test]
    while pending:
        node = pending.pop()
        if isinstance(node, cst.Name):
            if _VERSION_NAME.search(node.value) or qualified_name(node) in _VERSION_ATTRIBUTES:
                return True
        elif isinstance(node, cst.Attribute):
            if _VERSION_NAME.search(node.attr.value) or _names_version(node, qualified_name):
                return True
            pending.append(node.value)
        elif isinstance(node, cst.Call):
            if _is_version_call(node, qualified_name):
                return True
            pending.append(node.func)
            pending.extend(arg.value for arg in node.args)
        elif isinstance(node, cst.Comparison):
            pending.append(node.left)
            pending.extend(target.comparator for target in node.comparisons)
        elif isinstance(node, cst.BooleanOperation | cst.BinaryOperation):
            pending += (node.left, node.right)
        elif isinstance(node, cst.UnaryOperation):
            pending.append(node.expression)
        elif isinstance(node, cst.Subscript):
            pending.append(node.value)
            pending.extend(
                element.slice.value
                for element in node.slice
                if isinstance(element.slice, cst.Index)
            )
    return False


def _names_version(node: cst.Attribute, qualified_name: QualifiedName) -> bool:
    name = qualified_name(node)
    return name is not None and (name in _VERSION_ATTRIBUTES or name.startswith("pydantic.v1."))


def _is_version_call(call: cst.Call, qualified_name: QualifiedName) -> bool:
    func = call.func
    name = func.value if isinstance(func, cst.Name) else None
    if isinstance(func, cst.Attribute):
        name = func.attr.value
    if name is None:
        return False
    if _VERSION_CALL.search(name):
        return True
    args = [arg.value for arg in call.args]
    if name in {"hasattr", "getattr"} and len(args) >= 2:
        attribute = args[1]
        return (
            isinstance(attribute, cst.SimpleString)
            and attribute.evaluated_value in _VERSION_SPECIFIC_ATTRIBUTES
        )
    if name in {"isinstance", "issubclass", "lenient_issubclass"} and len(args) >= 2:
        classes = args[1].elements if isinstance(args[1], cst.Tuple) else None
        options = [e.value for e in classes] if classes is not None else [args[1]]
        return any(_is_v1_layer_name(option, qualified_name) for option in options)
    if "version" in name.lower() or "distribution" in name.lower():
        # importlib.metadata.version("pydantic"), pkg_resources.get_distribution(...)
        return any(
            isinstance(arg, cst.SimpleString) and arg.evaluated_value == "pydantic" for arg in args
        )
    return False


def _is_v1_layer_name(expr: cst.BaseExpression, qualified_name: QualifiedName) -> bool:
    name = qualified_name(expr)
    return name is not None and name.startswith(V1_LAYER + ".")


def _catches_import_error(caught: cst.BaseExpression | None) -> bool:
    if caught is None:
        return False
    options = [e.value for e in caught.elements] if isinstance(caught, cst.Tuple) else [caught]
    return any(
        isinstance(option, cst.Name | cst.Attribute)
        and (option.value if isinstance(option, cst.Name) else option.attr.value) in _IMPORT_ERRORS
        for option in options
    )


def _imports_pydantic(block: cst.BaseSuite) -> bool:
    """Whether a block's own statements (not nested blocks) import from Pydantic."""
    return _imports_from(block, _PYDANTIC_PACKAGES)


def _imports_from(block: cst.BaseSuite, packages: frozenset[str]) -> bool:
    """Whether a block's own statements (not nested blocks) import from `packages`."""
    lines: list[cst.BaseStatement | cst.BaseSmallStatement] = []
    if isinstance(block, cst.IndentedBlock):
        for statement in block.body:
            if isinstance(statement, cst.SimpleStatementLine):
                lines.extend(statement.body)
    elif isinstance(block, cst.SimpleStatementSuite):
        lines.extend(block.body)
    for small in lines:
        if isinstance(small, cst.Import):
            modules = [_dotted(alias.name) for alias in small.names]
        elif isinstance(small, cst.ImportFrom) and not small.relative and small.module:
            modules = [_dotted(small.module)]
        else:
            continue
        if any(m is not None and m.split(".", 1)[0] in packages for m in modules):
            return True
    return False


def _imported_names(block: cst.BaseSuite) -> set[str]:
    """The names a block's own `from ... import` statements bind."""
    names: set[str] = set()
    lines = block.body if isinstance(block, cst.IndentedBlock) else []
    for statement in lines:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            if isinstance(small, cst.ImportFrom) and not isinstance(small.names, cst.ImportStar):
                for alias in small.names:
                    bound = alias.asname.name if alias.asname is not None else alias.name
                    if isinstance(bound, cst.Name):
                        names.add(bound.value)
    return names


def _dotted(expr: cst.BaseExpression) -> str | None:
    if isinstance(expr, cst.Name):
        return expr.value
    if isinstance(expr, cst.Attribute):
        head = _dotted(expr.value)
        return None if head is None else f"{head}.{expr.attr.value}"
    return None

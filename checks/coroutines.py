"""The coroutine functions a module defines, read from CPython's tree: FG304's own
module's (`checks.rules.coroutine_not_awaited`), and, through the summaries
(`ModuleSummary.coroutines`), other modules' for the calls it sees of them."""

from __future__ import annotations

import ast
import warnings
from collections import Counter
from typing import NamedTuple

from checks.lazy import lazy_pattern
from checks.newer_syntax import plain_parse
from checks.structure import ast_route_decorator, dotted_name

#: Decorators that keep an `async def` a coroutine function: tenacity's and backoff's
#: retries wrap one in a coroutine function, `override` returns it, `staticmethod` and
#: `classmethod` call it. Any other decorator may make it something else (a task queue's
#: `@huey.task()` enqueues the call: tracardi's workers), so a function with one is left.
_KEEPS_A_COROUTINE = frozenset(
    {
        "tenacity.retry",
        "backoff.on_exception",
        "backoff.on_predicate",
        "typing.override",
        "typing_extensions.override",
        "staticmethod",
        "classmethod",
    }
)

#: Their route decorators return the function they register (`@router.delete(...)`).
_WEB_FRAMEWORKS = frozenset({"fastapi", "starlette"})


class Coroutines(NamedTuple):
    """The coroutine functions a module defines, as CPython's tree shows them."""

    #: module-level `async def`s whose name nothing else in the module binds
    functions: frozenset[str]
    #: class name -> its `async def` methods that nothing else in the class binds and no
    #: attribute of that name is stored anywhere in the module
    methods: dict[str, frozenset[str]]
    #: of those, the ones whose own body awaits nothing (no `await`, `async for`,
    #: `async with`): `name` for a function, `Class.name` for a method
    idle: frozenset[str] = frozenset()
    #: module-level names bound once, by a plain `name = Class(...)` statement, to an
    #: instance of a module-level class of the module (`curd_user = CURDUser(Users)`):
    #: (name, class name)
    instances: tuple[tuple[str, str], ...] = ()


def exported_coroutines(source: bytes, module: str) -> frozenset[str]:
    """What other modules may call of a module's coroutine functions, qualified
    (`ModuleSummary.coroutines`): its module-level ones (`app.crud.notify`), the methods
    of its module-level instances (`app.crud.curd_user.get_roles`) and classes
    (`app.services.BookingsService.get_all_bookings`). Read from
    CPython's own tree of the text (none for newer syntax, as FG304 reads its own
    module's), and only for a text that defines an `async def`."""
    if _ASYNC_DEF.search(source) is None:
        return frozenset()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            tree = plain_parse(source)
        except (SyntaxError, ValueError, OverflowError, RecursionError, MemoryError):
            return frozenset()
    found = read_coroutines(tree)
    names = {f"{module}.{name}" for name in found.functions}
    names.update(
        f"{module}.{instance}.{method}"
        for instance, cls in found.instances
        for method in found.methods.get(cls, ())
    )
    # and of its module-level classes, for an instance made for the call
    # (`BookingsService(db).get_all_bookings()`: FG304's `_project_coroutine`)
    names.update(
        f"{module}.{node.name}.{method}"
        for node in tree.body
        if isinstance(node, ast.ClassDef)
        for method in found.methods.get(node.name, ())
    )
    return frozenset(names)


#: The text of an `async def` (`exported_coroutines` reads no other module).
_ASYNC_DEF = lazy_pattern(rb"async[ \t]+def[ \t]")


def awaits(function: ast.AsyncFunctionDef) -> bool:
    """Whether the function's own body awaits (`await`, `async for`, `async with`, an
    async comprehension), nested functions and classes aside."""
    pending: list[ast.AST] = list(function.body)
    while pending:
        node = pending.pop()
        if isinstance(node, ast.Await | ast.AsyncFor | ast.AsyncWith):
            return True
        if isinstance(node, ast.comprehension) and node.is_async:
            return True
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda | ast.ClassDef):
            pending.extend(ast.iter_child_nodes(node))
    return False


def _yields(function: ast.AsyncFunctionDef) -> bool:
    """Whether the function is an async generator (a `yield` of its own body)."""
    pending: list[ast.AST] = list(function.body)
    while pending:
        node = pending.pop()
        if isinstance(node, ast.Yield | ast.YieldFrom):
            return True
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda | ast.ClassDef):
            pending.extend(ast.iter_child_nodes(node))
    return False


def _bindings(
    tree: ast.Module,
) -> tuple[Counter[str], set[str], dict[str, set[str]], list[ast.ClassDef], set[str]]:
    """In one walk of the module: how many times each name is bound anywhere (a
    definition, a parameter, an assignment, an import, `except ... as`, a `match`
    capture), the attribute names stored (`obj.name = ...`), each name an absolute import
    binds with what it may name, every class statement, and the names a `global`
    statement declares."""
    names: Counter[str] = Counter()
    stored: set[str] = set()
    imports: dict[str, set[str]] = {}
    classes: list[ast.ClassDef] = []
    declared: set[str] = set()
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        kind = type(node)
        if kind is ast.Name:
            if type(node.ctx) is not ast.Load:  # type: ignore[attr-defined]
                names[node.id] += 1  # type: ignore[attr-defined]
            continue  # no child but its context
        if kind is ast.Attribute:
            if type(node.ctx) is not ast.Load:  # type: ignore[attr-defined]
                stored.add(node.attr)  # type: ignore[attr-defined]
        elif kind is ast.FunctionDef or kind is ast.AsyncFunctionDef or kind is ast.ClassDef:
            names[node.name] += 1  # type: ignore[attr-defined]
            if kind is ast.ClassDef:
                classes.append(node)  # type: ignore[arg-type]
        elif kind is ast.arg:
            names[node.arg] += 1  # type: ignore[attr-defined]
        elif kind is ast.Import:
            for alias in node.names:  # type: ignore[attr-defined]
                names[alias.asname or alias.name.partition(".")[0]] += 1
                if alias.asname is not None:
                    imports.setdefault(alias.asname, set()).add(alias.name)
                else:
                    head = alias.name.partition(".")[0]
                    imports.setdefault(head, set()).add(head)
            continue
        elif kind is ast.ImportFrom:
            module, level = node.module, node.level  # type: ignore[attr-defined]
            for alias in node.names:  # type: ignore[attr-defined]
                local = alias.asname or alias.name.partition(".")[0]
                names[local] += 1
                if level == 0 and module:
                    imports.setdefault(alias.asname or alias.name, set()).add(
                        f"{module}.{alias.name}"
                    )
            continue
        elif kind is ast.ExceptHandler or kind is ast.MatchAs or kind is ast.MatchStar:
            if node.name is not None:  # type: ignore[attr-defined]
                names[node.name] += 1  # type: ignore[attr-defined]
        elif kind is ast.MatchMapping:
            if node.rest is not None:  # type: ignore[attr-defined]
                names[node.rest] += 1  # type: ignore[attr-defined]
        elif kind is ast.Global or kind is ast.Nonlocal:
            names.update(node.names)  # type: ignore[attr-defined]
            if kind is ast.Global:
                declared.update(node.names)  # type: ignore[attr-defined]
        for field in node._fields:
            value = getattr(node, field, None)
            if type(value) is list:
                stack.extend(child for child in value if isinstance(child, ast.AST))
            elif isinstance(value, ast.AST):
                stack.append(value)
    return names, stored, imports, classes, declared


def _candidates(
    body: list[ast.stmt], classes: list[ast.ClassDef]
) -> tuple[list[ast.AsyncFunctionDef], dict[str, list[ast.AsyncFunctionDef]]]:
    """The module-level `async def`s that are coroutine functions, and each class's (by
    name), before the checks of bindings and decorators."""
    functions = [node for node in body if isinstance(node, ast.AsyncFunctionDef)]
    methods: dict[str, list[ast.AsyncFunctionDef]] = {}
    for cls in classes:
        methods.setdefault(cls.name, []).extend(
            item for item in cls.body if isinstance(item, ast.AsyncFunctionDef)
        )
    return functions, methods


def read_coroutines(tree: ast.Module) -> Coroutines:
    """The module's coroutine functions (`Coroutines`)."""
    bound, stored, imports, classes, declared_global = _bindings(tree)
    functions, candidates = _candidates(tree.body, classes)
    # a name the module's own statements define again and again (`def reserver_produits`,
    # then `async def reserver_produits` below it: EnissayG's stock service, whose routes
    # call the coroutine function unawaited, reader 144) is the last definition's once
    # the module is imported, where nothing else binds it
    defined: Counter[str] = Counter()
    last: dict[str, ast.stmt] = {}
    for statement in tree.body:
        if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef):
            defined[statement.name] += 1
            last[statement.name] = statement
    kept_functions = [
        function
        for function in functions
        if bound[function.name] == defined[function.name]
        and last[function.name] is function
        and _keeps_a_coroutine(function, imports)
    ]
    kept = frozenset(function.name for function in kept_functions)
    methods: dict[str, frozenset[str]] = {}
    idle = {function.name for function in kept_functions if not awaits(function)}
    class_names = Counter(cls.name for cls in classes)
    for cls in classes:
        if class_names[cls.name] != 1:
            continue  # two classes of one name: which one calls is not known here
        own: Counter[str] = Counter()
        for item in cls.body:
            own.update(bound_in_class_body(item))
        methods[cls.name] = frozenset(
            method.name
            for method in candidates[cls.name]
            if own[method.name] == 1
            and method.name not in stored
            and _keeps_a_coroutine(method, imports)
        )
        idle.update(
            f"{cls.name}.{method.name}"
            for method in candidates[cls.name]
            if method.name in methods[cls.name] and not awaits(method)
        )
    module_classes = {node.name for node in tree.body if isinstance(node, ast.ClassDef)}
    # bound once as a module's name: at module level, and by no `global` statement (a
    # function's parameter or local of the same name is its own: mlbase's `user`
    # instance beside every `user: User` parameter, reader 72)
    at_module = module_bindings(tree)
    instances = tuple(
        (statement.targets[0].id, statement.value.func.id)
        for statement in tree.body
        if isinstance(statement, ast.Assign)
        and len(statement.targets) == 1
        and isinstance(statement.targets[0], ast.Name)
        and at_module[statement.targets[0].id] == 1
        and statement.targets[0].id not in declared_global
        and isinstance(statement.value, ast.Call)
        and isinstance(statement.value.func, ast.Name)
        and statement.value.func.id in module_classes
        and methods.get(statement.value.func.id)
    )
    return Coroutines(kept, methods, frozenset(idle), instances)


def module_bindings(tree: ast.Module) -> Counter[str]:
    """How many times each name is bound at module level (under `if`, `try`, `with` and
    `for` too, not in functions or classes)."""
    counted: Counter[str] = Counter()
    pending: list[ast.AST] = list(tree.body)
    while pending:
        node = pending.pop()
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            counted[node.name] += 1
            continue
        if isinstance(node, ast.Lambda | ast.expr_context):
            continue
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            counted[node.id] += 1
        elif isinstance(node, ast.alias):
            counted[node.asname or node.name.partition(".")[0]] += 1
        pending.extend(ast.iter_child_nodes(node))
    return counted


def bound_in_class_body(statement: ast.stmt) -> list[str]:
    """The names a statement of a class body binds in the class (a method, an
    assignment; also under `if`/`try`)."""
    names: list[str] = []
    pending: list[ast.AST] = [statement]
    while pending:
        node = pending.pop()
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.append(node.name)
            continue
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            names.append(node.id)
        elif isinstance(node, ast.alias):
            names.append(node.asname or node.name.partition(".")[0])
        pending.extend(
            child for child in ast.iter_child_nodes(node) if not isinstance(child, ast.Lambda)
        )
    return names


def _keeps_a_coroutine(function: ast.AsyncFunctionDef, imports: dict[str, set[str]]) -> bool:
    """Whether the function is no async generator and each of its decorators keeps it a
    coroutine function (`_KEEPS_A_COROUTINE`, as the module's imports name them; and in
    a module that imports FastAPI or Starlette, a route's `@router.get(...)`, which
    registers the function and returns it)."""
    if _yields(function):
        return False
    web = any(
        name.partition(".")[0] in _WEB_FRAMEWORKS for names in imports.values() for name in names
    )
    route = ast_route_decorator(function) if web else None
    for decorator in function.decorator_list:
        if decorator is route:
            continue
        written = dotted_name(decorator.func if isinstance(decorator, ast.Call) else decorator)
        if written is None:
            return False
        first, _, rest = written.partition(".")
        heads = imports.get(first, {first})
        qualified = {f"{head}.{rest}" if rest else head for head in heads}
        if not qualified <= _KEEPS_A_COROUTINE:
            return False
    return True

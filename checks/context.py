"""Per-file knowledge shared by every rule, built during the engine's one traversal.

Rules ask the context instead of resolving libcst metadata: libcst's ScopeProvider and
QualifiedNameProvider cost about ten times the parse itself, and we need little of what
they compute. The context tracks, syntactically:

- import aliases (`import time as t`, `from time import sleep as nap`), so a rule can ask
  for the qualified name of an expression (`t.sleep` -> `time.sleep`);
- the classes the file defines, with their resolved bases, methods and field annotations,
  so a rule can ask whether a class is a Pydantic model (transitively within the file);
- the stack of enclosing functions (a `def` nested in an `async def` is sync) and classes;
- the names bound to instances of known classes (parameters and variables annotated with
  a class, `x = Model(...)`, `x = Model.model_validate(...)`, loops over `list[Model]`),
  so a rule can ask what class an expression is an instance of;
- the file's layer (service, repository, route, ...), decided by path and class names.
"""

from __future__ import annotations

import functools
import os
import re
import sys
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

from checks import revisions
from checks.blocking import client_made_by
from checks.findings import Companion
from checks.imports import import_sort_key, module_imports_from, names_in, with_name
from checks.lazy import lazy_pattern
from checks.lazy import libcst as cst
from checks.project import (
    AS_DECLARATIVE,
    ASYNC_SESSION_CLASSES,
    DECLARATIVE_BASE,
    DECLARATIVE_BASE_FACTORIES,
    NO_RETURN,
    SESSION_CLASSES,
    STAR,
    Condition,
    ModuleSummary,
    absolute_module,
    instance_made_by,
    local_made,
    module_instances,
)
from checks.project_facts import (
    CALLED,
    DEFINED,
    FIXTURE,
    IMPORTS,
    LAYER_IMPORTED,
    LOOP_RULES,
    METHOD,
    MODULE_IMPORTED,
    PYDANTIC_CODES,
    PYDANTIC_SPELLING,
    ROUTES_IMPORTED,
    RUN_ALONE_FACT,
    SPELLING_RULES,
    V1_ONLY_LIBRARY,
    pydantic_1_named,
    served_concurrently,
    used_fact,
)
from checks.pydantic_compat import VersionGuards
from checks.pydantic_target import DEFAULT_TARGET, keeps_v1_layer, migration_message
from checks.summary import OPTIONAL_SPELLINGS, TYPE_VAR_SPELLINGS, name_aliases, star_bound
from checks.summary import is_class_name as _is_class_name

if TYPE_CHECKING:
    from checks.rule import Rule

#: Classes whose subclasses are Pydantic models (v1 and v2 spellings, SQLModel).
PYDANTIC_MODEL_BASES = frozenset(
    {
        "pydantic.BaseModel",
        "pydantic.main.BaseModel",
        "pydantic.BaseSettings",
        "pydantic.env_settings.BaseSettings",
        "pydantic.RootModel",
        "pydantic.root_model.RootModel",
        "pydantic.generics.GenericModel",
        "pydantic.v1.BaseModel",
        "pydantic.v1.BaseSettings",
        "pydantic.v1.generics.GenericModel",
        "pydantic_settings.BaseSettings",
        "pydantic_settings.main.BaseSettings",
        "sqlmodel.SQLModel",
        "sqlmodel.main.SQLModel",
        # FastAPI Users' schemas, Pydantic models its users derive from (`class
        # UserRead(schemas.BaseUser[int])`): AidamirKaraziev's and t0vers' `orm_mode`
        *(
            f"fastapi_users.schemas.{name}"
            for name in (
                "BaseUser",
                "BaseUserCreate",
                "BaseUserUpdate",
                "BaseOAuthAccount",
                "BaseOAuthAccountMixin",
                "CreateUpdateDictModel",
            )
        ),
    }
)
#: Models of the `pydantic.v1` compatibility layer: v1 on purpose, not migrated.
PYDANTIC_V1_LAYER_BASES = frozenset(
    base for base in PYDANTIC_MODEL_BASES if base.startswith("pydantic.v1.")
) | {"pydantic.v1.main.BaseModel", "pydantic.v1.env_settings.BaseSettings"}
#: Models of the main `pydantic` package (and SQLModel): what the Pydantic rules migrate.
MIGRATED_MODEL_BASES = PYDANTIC_MODEL_BASES - PYDANTIC_V1_LAYER_BASES
#: The family of the rules the Pydantic target and version guards apply to.
PYDANTIC_FAMILY = "Pydantic"

#: Class methods of Pydantic models (v1 and v2) that return an instance of the class.
INSTANCE_CONSTRUCTORS = frozenset(
    {
        "model_validate",
        "model_validate_json",
        "model_validate_strings",
        "model_construct",
        "parse_obj",
        "parse_raw",
        "parse_file",
        "from_orm",
        "construct",
        "validate",
    }
)
#: Instance methods that return another instance of the same class.
INSTANCE_COPIERS = frozenset({"copy", "model_copy"})

_TYPE_WRAPPERS = frozenset(
    {
        "typing.Optional",
        "typing_extensions.Optional",
        "typing.Annotated",
        "typing_extensions.Annotated",
        "typing.Final",
        "typing.ClassVar",
    }
)
_UNIONS = frozenset({"typing.Union", "typing_extensions.Union"})
_ANNOTATED = frozenset({"typing.Annotated", "typing_extensions.Annotated"})


def _imported_ref(expr: cst.BaseExpression, imports: Mapping[str, str]) -> str | None:
    """What an imported name or attribute chain names (`Session`, `orm.Session`), by the
    file's imports alone, as `checks.summary` qualifies names."""
    if isinstance(expr, cst.Name):
        return imports.get(expr.value)
    if isinstance(expr, cst.Attribute):
        head = _imported_ref(expr.value, imports)
        return None if head is None else f"{head}.{expr.attr.value}"
    return None


#: `type[M]`: the class `M` or a subclass, not an instance.
_CLASS_TYPES = frozenset({"type", "builtins.type", "typing.Type", "typing_extensions.Type"})
_ITERABLES = frozenset(
    {
        "list",
        "set",
        "frozenset",
        "tuple",
        "typing.List",
        "typing.Set",
        "typing.FrozenSet",
        "typing.Tuple",
        "typing.Sequence",
        "typing.MutableSequence",
        "typing.Iterable",
        "typing.Iterator",
        "typing.Collection",
        "typing.AbstractSet",
        "collections.abc.Sequence",
        "collections.abc.MutableSequence",
        "collections.abc.Iterable",
        "collections.abc.Iterator",
        "collections.abc.Collection",
        "collections.abc.Set",
    }
)
_BUILTIN_CONTAINERS = frozenset({"list", "set", "frozenset", "tuple"})
#: The subscripted types whose first element `FileContext.annotation_type` reads
#: (`Optional[M]`, `type[M]`, `list[M]`), and those whose every element it may
#: (`Union[M, None]`); of any other subscript (`dict[K, V]`, `Page[M]`) it reads nothing
#: (`checks.structure`'s screens mirror it).
FIRST_ELEMENT_READ = _TYPE_WRAPPERS | _CLASS_TYPES | _ITERABLES | _BUILTIN_CONTAINERS | {"type"}
EVERY_ELEMENT_READ = _UNIONS

#: Classes whose subclasses are SQLAlchemy ORM models.
ORM_MODEL_BASES = frozenset(
    {
        "sqlalchemy.orm.DeclarativeBase",
        "sqlalchemy.orm.DeclarativeBaseNoMeta",
        "sqlalchemy.orm.decl_api.DeclarativeBase",
        "sqlalchemy.ext.declarative.DeclarativeMeta",
    }
)
#: Layer names decided by a class name suffix, checked innermost class first.
#: The `APIRouter`/`FastAPI` methods that declare a route.
HTTP_METHODS = frozenset({"get", "post", "put", "patch", "delete", "options", "head", "api_route"})
#: Words of a class name that make a `*Service`/`*Repo` class part of the HTTP layer.
_HTTP_NAME_WORDS = frozenset({"http", "controller", "router", "route", "view", "endpoint"})
_CAMEL_WORD = lazy_pattern(r"[A-Z]+(?![a-z])|[A-Z]?[a-z0-9]+")
#: A word of a CamelCase, snake_case, dotted or spaced text, its digits apart.
_TEXT_WORD = lazy_pattern(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")


def text_words(text: str) -> set[str]:
    """The words of a text, lower-cased (`UserApiKey`: user, api, key; `settings.DEBUG`:
    settings, debug; `isDebugMode`: is, debug, mode)."""
    return {word.lower() for word in _TEXT_WORD.findall(text)}


def http_adapter_name(name: str) -> bool:
    """Whether a class name says it belongs to the HTTP layer: `HttpRepo`,
    `UserController`, `ItemsRouterService`."""
    words = {word.lower() for word in _CAMEL_WORD.findall(name)}
    return not _HTTP_NAME_WORDS.isdisjoint(words)


_CLASS_NAME_LAYERS = (
    ("Service", "service"),
    ("UseCase", "service"),
    ("Repository", "repository"),
    ("Repo", "repository"),
)


class Inferred(NamedTuple):
    """What an expression is known to hold: an instance of `cls`, an iterable of them, or
    (`of_class`) the class `cls` itself or a subclass of it (`type[M]`, `Type[M]`)."""

    cls: str
    iterable: bool = False
    of_class: bool = False
    #: `cls` is a function or method of another module, and this is what a call of it
    #: returned: its class is the one the project index reads in its return annotation
    #: (`one = UserDao.get(pk)`); seen only by callers of `infer(..., calls=True)`
    call: bool = False


#: Rules whose findings stand in a module-level class nothing names
#: (`FileContext._in_dead_class`): a secret, which the repository leaks whether or not it
#: runs, and a model's declaration, which its declarative base maps named or not.
_LIVE_UNNAMED = frozenset({"FG502", "FG108", "FG110"})
#: The layers whose module-level functions only a call by name runs
#: (`FileContext._in_dead_coroutine`).
_CALLED_LAYERS = frozenset({"service", "repository"})
#: The classes of a router a module of routes makes.
_ROUTERS = frozenset({"fastapi.APIRouter", "fastapi.routing.APIRouter"})
#: Modules a worker imports by their name, which no import of the service's names:
#: Celery's `autodiscover_tasks()` imports each package's `tasks`.
_FOUND_BY_NAME = frozenset({"tasks", "task", "jobs", "signals", "handlers", "listeners"})
#: Code a worker or a framework runs through a registry, not an import of the module.
_TASK_MARKS = lazy_pattern(rb"\b(?:shared_task|celery|dramatiq|huey|arq|rq|apscheduler)\b")
#: Modules of no layer a server, a worker or a tool is often given by their name on a
#: command line (`uvicorn app.main:app`, `python -m app.worker`), which the project's
#: code need not import.
_ENTRY_NAMES = frozenset(
    {"main", "app", "application", "asgi", "wsgi", "server", "run", "worker", "workers"}
    | {"cli", "manage", "celery", "celery_app", "bot", "scheduler", "cron", "consumer"}
)
#: Decorators that leave a method called by its name (`_dead_method_name`).
_PLAIN_METHOD_DECORATORS = frozenset({"staticmethod", "classmethod", "property"})
#: The decorators that make a function a pytest fixture.
_FIXTURES = frozenset({"pytest.fixture", "pytest_asyncio.fixture"})


@dataclass(slots=True)
class ClassInfo:
    """A class the file defines."""

    name: str
    node: cst.ClassDef
    #: qualified or local names of the bases; None for a base we cannot name
    bases: tuple[str | None, ...]
    methods: frozenset[str]
    #: annotated attributes of the class body (`name: Type`)
    fields: dict[str, cst.BaseExpression]
    #: the class this one is nested in, if any
    outer: ClassInfo | None = None


@dataclass(slots=True)
class FunctionInfo:
    """An enclosing function (or lambda)."""

    node: cst.FunctionDef | cst.Lambda
    is_async: bool
    #: the class whose body defines this function directly, for methods
    owner: ClassInfo | None = None
    #: whether a `@router.get(...)`-style decorator makes it a FastAPI route handler
    is_route: bool = False


@dataclass(slots=True)
class _Scope:
    bindings: dict[str, Inferred | None] = field(default_factory=dict)
    is_class: bool = False
    is_function: bool = False
    is_generator: bool = False


class Lines(NamedTuple):
    """Replacement text of several lines: the engine joins them with the file's newline
    and the indentation of the line the replaced node starts on (`@classmethod` added
    under a decorator lines up with it)."""

    lines: tuple[str, ...]


class After(NamedTuple):
    """Text added right after a node, which stays as written: a line added below a
    statement. Rendering the statement again would lose the indentation its inner lines
    take from the blocks around it (a multi-line `__table_args__ = (...)` in a class body:
    reader 54)."""

    text: str


class FixSpec(NamedTuple):
    """A fix as a rule describes it: nodes to replace with new source text."""

    message: str
    replacements: tuple[tuple[cst.CSTNode, str | Lines | After], ...]
    applicability: str = "safe"
    #: imported names the fix may leave unused (dropped when nothing else uses them)
    releases: tuple[str, ...] = ()
    #: the edit of another file the fix needs (`checks.findings.Companion`)
    companion: Companion | None = None
    #: the class whose inner `Config` the fix removes (`checks.findings.Fix.config_of`)
    config_of: str | None = None


class ImportPlan:
    """The imports one fix needs, as replacements of the file's import statements.

    Each name joins the file's `from package import ...` when it has one; the others get
    a `from package import a, b` line where isort would put it (`import_place`). Several
    names for one statement make one replacement.
    """

    def __init__(self, ctx: FileContext) -> None:
        self.ctx = ctx
        self.missing: dict[str, list[str]] = {}

    def need(self, package: str, name: str) -> str | None:
        """The local name to write for `package.name`; None when the name is taken."""
        local = self.ctx.imported_name(package, name)
        if local is not None:
            return local
        if self.ctx.name_taken(name) and name not in self.missing.get(package, []):
            return None
        names = self.missing.setdefault(package, [])
        if name not in names:
            names.append(name)
        return name

    def replacements(self, modules: Sequence[str] = ()) -> list[tuple[cst.CSTNode, str]] | None:
        """The import replacements (the names needed, and `import m` for each of
        `modules`): a name joins the file's import from its package, else a new line goes
        where isort puts it (see `FileContext.import_place`). None when the file has no
        import to put a new line next to."""
        ctx = self.ctx
        module = ctx.module
        newline = module.default_newline
        merged: dict[cst.CSTNode, cst.ImportFrom] = {}
        above: dict[cst.CSTNode, list[str]] = {}
        below: dict[cst.CSTNode, list[str]] = {}
        separated: set[cst.CSTNode] = set()
        order: list[cst.CSTNode] = []
        new_lines: list[tuple[str, str]] = []
        for package, names in self.missing.items():
            statement = module_imports_from(module, package)
            if statement is not None:
                current = merged.get(statement, statement)
                for name in names:
                    current = with_name(current, name)
                merged[statement] = current
                if statement not in order:
                    order.append(statement)
            else:
                listed = ", ".join(sorted(names, key=import_sort_key))
                new_lines.append((package, f"from {package} import {listed}"))
        new_lines += [(name, f"import {name}") for name in modules]
        for package, line in new_lines:
            place = ctx.import_place(package)
            if place is None:
                return None
            anchor, before, separate = place
            (above if before else below).setdefault(anchor, []).append(line)
            if separate:
                separated.add(anchor)
            if anchor not in order:
                order.append(anchor)
        result: list[tuple[cst.CSTNode, str]] = []
        for node in order:
            text = ctx.code(merged.get(node, node))
            gap = newline * (2 if node in separated else 1)
            if node in above:
                text = gap.join([newline.join(sorted(above[node], key=_isort_line)), text])
            if node in below:
                text = gap.join([text, newline.join(sorted(below[node], key=_isort_line))])
            result.append((node, text))
        return result


def _isort_line(line: str) -> tuple[bool, str]:
    """isort's order in a section: `import x` lines first, then `from x import y`."""
    return line.startswith("from "), line.lower()


def rename(node: cst.Name, new: str, message: str) -> FixSpec:
    """The fix that renames one identifier (`.dict` -> `.model_dump`)."""
    return FixSpec(message, ((node, new),))


def code_of(node: cst.CSTNode) -> str:
    """The source code of a node (as libcst generates it)."""
    return cst.Module(body=[]).code_for_node(node)


def spelling_gate(code: str) -> Condition | None:
    """The project fact a finding of a spelling family's rule stands on
    (`checks.project_facts.SPELLING_RULES`; None: the rule is of none), unless the rule
    marks it as one Pydantic 2 ignores or refuses (`FileContext._add_report`). A rule all
    of whose findings in a file are such spellings waits for the index on it
    (`Rule.deferred_conditions`)."""
    family = SPELLING_RULES.get(code)
    if family is None:
        return None
    return Condition((), frozenset(), fact=PYDANTIC_SPELLING[family])


def conjoin(condition: Condition | None, extra: Condition) -> Condition:
    """Both conditions: `extra` last in the chain of `also`s (the first one stays what the
    report is about: a class condition's finding is still left out where nothing of the
    project is known)."""
    if condition is None:
        return extra
    also = extra if condition.also is None else conjoin(condition.also, extra)
    return condition._replace(also=also)


def _held_unless_named(report: Report, name: str) -> Report:
    """The report held back unless the class or function `name` is named in the project
    besides its definitions (`USED_FACT`, `DEFINED`)."""
    used = Condition((), frozenset(), fact=used_fact(report.rule.code, DEFINED + name))
    return report._replace(condition=conjoin(report.condition, used))


#: `FileContext.marks` key: the nodes of v1 spellings that Pydantic 2 ignores or refuses
#: (a `class Config` setting `orm_mode`): their findings are never gated by the project's
#: spelling (`FileContext._add_report`).
MISBEHAVES_ON_V2 = "pydantic:misbehaves-on-v2"


class Report(NamedTuple):
    """A finding as a rule reports it, before positions are computed; with a condition,
    it stands only if the condition holds across the project."""

    rule: Rule
    node: cst.CSTNode
    message: str
    condition: Condition | None = None
    fix: FixSpec | None = None
    #: the index of the module-level statement being walked when it was reported (-1:
    #: none, as in `leave_Module`): positions are then computed for that statement only
    statement: int = -1
    #: the statements the walk was in, the module-level one first and the innermost (a
    #: statement of an indented block) last: positions start from the innermost
    within: tuple[cst.BaseStatement, ...] = ()


#: Each node class's fields that may hold child nodes, in the order libcst visits them.
_CHILD_FIELDS: dict[type[Any], tuple[str, ...]] = {}


def _child_fields(node_type: type[Any]) -> tuple[str, ...]:
    """The fields of a node class that `_visit_and_replace_children` visits, in its order:
    the field names among the constants of its code (each visit is spelled
    `visit_required(self, "value", self.value, visitor)`)."""
    import dataclasses

    code = getattr(node_type._visit_and_replace_children, "__code__", None)
    names = {f.name for f in dataclasses.fields(node_type)}
    constants = code.co_consts if code is not None else ()
    order = tuple(dict.fromkeys(c for c in constants if isinstance(c, str) and c in names))
    _CHILD_FIELDS[node_type] = order
    return order


#: Whether a field's value of each type is a node (`cst.CSTNode` is an abstract class: its
#: `isinstance` goes through `ABCMeta.__instancecheck__`, a tenth of a cold run's time
#: when `child_nodes` asked it of every value).
_IS_NODE: dict[type[Any], bool] = {}


def child_nodes(node: cst.CSTNode) -> list[cst.CSTNode]:
    """`node.children`, in the same order, read from the node's fields: libcst collects
    them by rebuilding the node with a visitor (each child revalidated), which made a
    fifth of a cold run's walk (tests/test_context.py compares the two)."""
    is_node = _IS_NODE
    found: list[cst.CSTNode] = []
    fields = _CHILD_FIELDS.get(type(node))
    if fields is None:  # an empty tuple is an answer too (a whitespace node has no child)
        fields = _child_fields(type(node))
    for name in fields:
        value = getattr(node, name)
        kind = type(value)
        if kind is tuple or kind is list:
            for child in value:
                child_kind = type(child)
                known = is_node.get(child_kind)
                if known is None:
                    known = is_node[child_kind] = issubclass(child_kind, cst.CSTNode)
                if known:
                    found.append(child)
        else:
            known = is_node.get(kind)
            if known is None:
                known = is_node[kind] = issubclass(kind, cst.CSTNode)
            if known:
                found.append(value)
    return found


def descendants(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """The node and every node below it (in no particular order)."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(child_nodes(current))


#: FastAPI's `Depends` (a parameter's default naming its dependency).
DEPENDS = frozenset({"fastapi.Depends", "fastapi.params.Depends"})
#: What a generator dependency is annotated with: what it yields is the first argument.
_GENERATORS = frozenset(
    f"{module}.{name}"
    for module in ("typing", "typing_extensions", "collections.abc")
    for name in ("Generator", "Iterator", "AsyncGenerator", "AsyncIterator")
)


def dependency_of(
    default: cst.BaseExpression | None, ctx: FileContext
) -> cst.BaseExpression | None:
    """The dependency a parameter's default names (`get_db` of `Depends(get_db)` or
    `Depends(dependency=get_db)`), or None."""
    if not isinstance(default, cst.Call) or ctx.qualified_name(default.func) not in DEPENDS:
        return None
    if not default.args:
        return None
    first = default.args[0]
    if first.star or (first.keyword is not None and first.keyword.value != "dependency"):
        return None
    return first.value


_Node = TypeVar("_Node", bound="cst.CSTNode")  # (a string: libcst is imported lazily)
_Answer = TypeVar("_Answer")


def node_memo(function: Callable[[_Node], _Answer]) -> Callable[[_Node], _Answer]:
    """`function`, answering again from its last answers for the same node (by identity:
    a node is kept with its answer, so its id is not reused while it is). For what rules
    ask of the function they are in at each call in it: walked again each time, the body
    of a coroutine was a quarter of a cold run on polar."""
    kept: dict[int, tuple[_Node, _Answer]] = {}

    @functools.wraps(function)
    def memo(node: _Node) -> _Answer:
        known = kept.get(id(node))
        if known is not None and known[0] is node:
            return known[1]
        answer = function(node)
        if len(kept) >= _MEMO_KEPT:
            kept.clear()
        kept[id(node)] = (node, answer)
        return answer

    return memo


#: How many answers `node_memo` keeps per function (the functions a walk is in).
_MEMO_KEPT = 64


@node_memo
def own_descendants(node: cst.CSTNode) -> tuple[cst.CSTNode, ...]:
    """The nodes of a function's body, not those of the functions, lambdas and classes it
    defines (which may run elsewhere: a thread's target)."""
    found: list[cst.CSTNode] = []
    stack = [node]
    while stack:
        current = stack.pop()
        found.append(current)
        if not isinstance(current, cst.FunctionDef | cst.Lambda | cst.ClassDef):
            stack.extend(child_nodes(current))
    return tuple(found)


def _defined_again(body: Sequence[cst.BaseStatement], function: cst.FunctionDef) -> bool:
    """Whether a statement of the module after `function` (one of its statements) defines
    its name again (`def`, `class`) before any statement between reads it (a call at
    import, a decorator's or a default's, a class body's, an assignment's: it would keep
    the first)."""
    index = next((i for i, statement in enumerate(body) if statement is function), None)
    if index is None:
        return False
    name = function.name.value
    # (asked of every finding in a function: the statements between are walked only
    # where a later one defines the name)
    again = None
    for later in range(index + 1, len(body)):
        statement = body[later]
        if isinstance(statement, cst.FunctionDef | cst.ClassDef) and statement.name.value == name:
            again = later
            break
    if again is None:
        return False
    for statement in body[index + 1 : again]:
        parts: Sequence[cst.CSTNode] = (
            [*statement.decorators, statement.params, *filter(None, [statement.returns])]
            if isinstance(statement, cst.FunctionDef)
            else [statement]
        )
        if any(
            isinstance(node, cst.Name) and node.value == name
            for part in parts
            for node in descendants(part)
        ):
            return False
    return True


@node_memo
def _imported_modules(block: cst.Module | cst.IndentedBlock) -> tuple[str, ...]:
    """The absolute modules the statements of a block import (not in a `try`, an `if`)."""
    found: list[str] = []
    for statement in block.body:
        for small in statement.body if isinstance(statement, cst.SimpleStatementLine) else ():
            if isinstance(small, cst.Import):
                found += [name for a in small.names if (name := dotted_name(a.name))]
            elif isinstance(small, cst.ImportFrom) and not small.relative and small.module:
                name = dotted_name(small.module)
                if name:
                    found.append(name)
    return tuple(found)


def is_main_guard(test: cst.BaseExpression) -> bool:
    """`__name__ == "__main__"` (either way round)."""
    if not isinstance(test, cst.Comparison) or len(test.comparisons) != 1:
        return False
    comparison = test.comparisons[0]
    if not isinstance(comparison.operator, cst.Equal):
        return False
    sides = (test.left, comparison.comparator)
    names = {side.value for side in sides if isinstance(side, cst.Name)}
    strings = {string_value(side) for side in sides}
    return names == {"__name__"} and "__main__" in strings


def dotted_name(expr: cst.BaseExpression) -> str | None:
    """`a.b.c` for a chain of names and attributes, else None."""
    if isinstance(expr, cst.Name):
        return expr.value
    if isinstance(expr, cst.Attribute):
        head = dotted_name(expr.value)
        return None if head is None else f"{head}.{expr.attr.value}"
    return None


def route_decorator(node: cst.FunctionDef, ctx: FileContext) -> cst.Call | None:
    """The `@router.get(...)` decorator that makes this function a FastAPI route."""
    if not ctx.imports_module("fastapi"):
        return None
    for decorator in node.decorators:
        call = decorator.decorator
        if (
            isinstance(call, cst.Call)
            and isinstance(call.func, cst.Attribute)
            and call.func.attr.value in HTTP_METHODS
            and dotted_name(call.func.value) is not None
        ):
            return call
    return None


def _route_key(node: cst.FunctionDef, ctx: FileContext) -> tuple[str, str, list[str]] | None:
    """The router, the method and the path segments of a route declared with a literal
    path (`@router.get("/items/{id}")`), else None."""
    call = route_decorator(node, ctx)
    if call is None or not call.args or call.args[0].keyword is not None:
        return None
    if len(node.decorators) > 1 and any(
        isinstance(d.decorator, cst.Call) and d.decorator is not call for d in node.decorators
    ):
        return None  # another route of the function, or a decorator's own arguments
    path = call.args[0].value
    if not isinstance(path, cst.SimpleString):
        return None
    text = path.evaluated_value
    if not isinstance(text, str):
        return None
    assert isinstance(call.func, cst.Attribute)
    if call.func.attr.value == "api_route":
        return None  # its methods are an argument's (`methods=["GET", "POST"]`)
    router = dotted_name(call.func.value) or ""
    return router, call.func.attr.value, text.split("/")


def _segment_covers(earlier: str, later: str) -> bool | None:
    """Whether a path segment of an earlier route matches whatever the later one's does
    (None: the earlier takes the rest of the path, `{p:path}`)."""
    if earlier.startswith("{") and earlier.endswith("}"):
        if not later:
            return False  # a parameter matches one character or more (`/` is not `/{id}`)
        _, _, convertor = earlier[1:-1].partition(":")
        if convertor in ("", "str"):
            return True
        if convertor == "path":
            return None
        return False  # `int`, `float`, `uuid`: matches some texts only
    return earlier == later


def _shadowed_routes(module: cst.Module, ctx: FileContext) -> set[int]:
    """The module-level routes an earlier one of the same router and method answers."""
    seen: list[tuple[str, str, list[str]]] = []
    found: set[int] = set()
    for statement in module.body:
        if isinstance(statement, cst.SimpleStatementLine):
            # a router bound again (`router = APIRouter()` a second time: ArsenalNox's bot
            # routes) is another router: the routes of the first one shadow none of it
            bound = {
                target.value
                for small in statement.body
                if isinstance(small, cst.Assign | cst.AnnAssign)
                for target in (
                    [t.target for t in small.targets]
                    if isinstance(small, cst.Assign)
                    else [small.target]
                )
                if isinstance(target, cst.Name)
            }
            seen = [entry for entry in seen if entry[0] not in bound]
            continue
        if not isinstance(statement, cst.FunctionDef):
            continue
        key = _route_key(statement, ctx)
        if key is None:
            continue
        router, method, segments = key
        for earlier_router, earlier_method, earlier_segments in seen:
            if earlier_router != router or earlier_method != method:
                continue
            covers: bool | None = True
            for index, segment in enumerate(earlier_segments):
                if index >= len(segments):
                    covers = False
                    break
                covers = _segment_covers(segment, segments[index])
                if not covers:
                    break
            if covers is None or (covers and len(earlier_segments) == len(segments)):
                found.add(id(statement))
                break
        seen.append(key)
    return found


def block_raises(block: cst.BaseSuite) -> bool:
    """Whether the block's last statement raises on every path (`raise`, or an
    `if`/`elif`/`else` whose every branch does)."""
    if isinstance(block, cst.SimpleStatementSuite):
        return any(isinstance(small, cst.Raise) for small in block.body)
    statements = block.body if isinstance(block, cst.IndentedBlock) else ()
    if not statements:
        return False
    last = statements[-1]
    if isinstance(last, cst.SimpleStatementLine):
        return any(isinstance(small, cst.Raise) for small in last.body)
    if isinstance(last, cst.If):
        return _if_raises(last)
    return False


def _if_raises(node: cst.If) -> bool:
    if not block_raises(node.body):
        return False
    orelse = node.orelse
    if isinstance(orelse, cst.If):
        return _if_raises(orelse)
    return isinstance(orelse, cst.Else) and block_raises(orelse.body)


def _returns_its_class(function: cst.FunctionDef) -> bool:
    """Whether an unannotated `@classmethod` returns an instance of its class on every
    `return` (`return cls(**record)`) (`checks.summary` reads the same)."""
    decorated = any(
        isinstance(d.decorator, cst.Name) and d.decorator.value == "classmethod"
        for d in function.decorators
    )
    params = function.params.params
    if not decorated or not params:
        return False
    first = params[0].name.value
    returned = [node.value for node in returns_in(function.body)]
    return bool(returned) and all(
        isinstance(value, cst.Call)
        and isinstance(value.func, cst.Name)
        and value.func.value == first
        for value in returned
    )


def returns_in(body: cst.CSTNode) -> list[cst.Return]:
    """The `return` statements of a function body (not of functions or classes nested
    in it)."""
    # A walk of the statements alone, in source order: no expression holds a statement
    # (a lambda's body is an expression), so none holds a `return`. libcst's visitor
    # rebuilds every node it passes, which made a third of a run on a project of long
    # test modules (each unannotated test function was asked, `_return_classes`).
    found: list[cst.Return] = []
    stack: list[cst.CSTNode] = [body]
    while stack:
        current = stack.pop()
        if isinstance(current, cst.Return):
            found.append(current)
        elif not isinstance(current, _no_return_below()):
            stack.extend(reversed(child_nodes(current)))
    return found


@functools.cache
def _no_return_below() -> tuple[type[cst.CSTNode], ...]:
    """The nodes below which no `return` of the enclosing function lies: other scopes,
    the expressions, and the small statements but `return` itself (a function, so that
    importing this module does not import libcst)."""
    return (
        cst.FunctionDef,
        cst.ClassDef,
        cst.BaseExpression,
        cst.BaseSmallStatement,
        cst.Decorator,
        cst.Annotation,
    )


def keyword_arg(call: cst.Call, name: str) -> cst.Arg | None:
    """The `name=...` argument of a call, if given."""
    return next((arg for arg in call.args if arg.keyword and arg.keyword.value == name), None)


def string_value(expr: cst.BaseExpression | None) -> str | None:
    """The value of a plain string literal (`"x"`, `'x'`), else None."""
    if isinstance(expr, cst.SimpleString):
        value = expr.evaluated_value
        return value if isinstance(value, str) else None
    return None


def subscript_key(node: cst.Subscript) -> cst.BaseExpression | None:
    """The one index of a subscript (`"X"` of `os.environ["X"]`), else None."""
    if len(node.slice) == 1 and isinstance(node.slice[0].slice, cst.Index):
        return node.slice[0].slice.value
    return None


def _import_module_name(
    node: cst.ImportFrom, package: str | None, namespace: str | None = None
) -> str:
    """The module of a `from ... import` (see `checks.project.absolute_module`)."""
    module = dotted_name(node.module) if node.module is not None else None
    return absolute_module(len(node.relative), module, package, namespace)


#: The decorators of a lifespan function.
_ASYNC_CONTEXT_MANAGERS = frozenset({"contextlib.asynccontextmanager"})
#: The events of `@app.on_event(...)` that run before serving or after it.
_LIFECYCLE_EVENTS = frozenset({"startup", "shutdown"})
#: Apps a lifespan function takes.
_APP_CLASSES = frozenset(
    {"fastapi.FastAPI", "fastapi.applications.FastAPI", "starlette.applications.Starlette"}
)


class FileContext:
    """What the rules know about the file being checked; one per file and traversal."""

    def __init__(
        self,
        path: Path,
        module: cst.Module,
        layer: str | None,
        *,
        module_name: str | None = None,
        is_package: bool = False,
        source: bytes | None = None,
        relative_path: str | None = None,
        pydantic_target: Callable[[], int] | None = None,
        sqlalchemy_target: Callable[[], int] | None = None,
        namespace: str | None = None,
    ) -> None:
        self.path = path
        #: the file's package from the project's root, folders without `__init__.py`
        #: taken as namespace packages (`checks.project.namespace_package`)
        self.namespace = namespace
        #: the path inside the repository (`Settings.in_work_tree`): what rules that read
        #: folder names look at
        self.relative_path = Path(relative_path) if relative_path is not None else path
        self.module = module
        #: the file's bytes, when the engine has them (fixes read names from them)
        self.source = source
        #: the file's dotted module name, when it lives in a package
        self.module_name = module_name
        #: the package relative imports start from
        self.package = (
            (module_name if is_package else module_name.rpartition(".")[0] or None)
            if module_name
            else None
        )
        #: the layer decided by the file's path: service, repository, route, settings,
        #: migration, test, or None
        self.layer = layer
        #: local name -> qualified name (`np` -> `numpy`, `nap` -> `time.sleep`)
        self.imports: dict[str, str] = {}
        #: imported names a `def` or `class` of the module's body binds again below the
        #: import (`_collect_module_level`): the code that runs later sees the module's own
        self._rebound: frozenset[str] = frozenset()
        #: classes defined in the file, by name
        self.classes: dict[str, ClassInfo] = {}
        #: module-level type variable -> its bound (`_type_var_bounds_of`)
        self._type_var_bounds: dict[str, cst.BaseExpression] = {}
        #: module-level `X = Annotated[T, ...]` aliases (also in `_type_var_bounds`)
        self._annotated_aliases: dict[str, cst.Subscript] = {}
        #: `alias = function` at module level (`checks.summary._Summarizer._name_aliases`)
        self._name_aliases: dict[str, str] = {}
        self._reading_bound = False
        #: the rule being run; set by the engine around each handler call
        self.current_rule: Rule | None = None
        self.reports: list[Report] = []
        #: the index of the module-level statement the walk is in (-1: none)
        self.statement = -1
        #: `parent`'s map of the statement it was last asked in: that statement's index
        #: and each of its nodes' holder, by the node's id
        self._parents: tuple[int, dict[int, cst.CSTNode]] = (-2, {})
        #: the statements the walk is in, outermost first (kept by the engine)
        self.within: list[cst.BaseStatement] = []
        self._functions: list[FunctionInfo] = []
        self._class_stack: list[ClassInfo] = []
        self._scopes: list[_Scope] = [_Scope()]
        self._class_by_node: dict[int, ClassInfo] = {}
        self._marks: dict[str, set[int]] = {}
        self._stashes: dict[str, list[Any]] = {}
        self._names: set[str] | None = None
        #: `name_taken` answers, by name (the source does not change during a check)
        self._taken: dict[str, bool] = {}
        self._superseded: bool | None = None
        self._import_places: dict[str, tuple[cst.Import | cst.ImportFrom, bool, bool] | None] = {}
        #: the project's Pydantic major version, asked only when a Pydantic rule reports
        self._pydantic_target = pydantic_target
        self._sqlalchemy_target = sqlalchemy_target
        #: whether the walk is in a branch of a test of the Pydantic version (kept by
        #: the engine's traversal)
        self.version_guards = VersionGuards(self.qualified_name)
        self._collect_module_level(module.body, outer=None)

    # ----------------------------------------------------------------- reporting
    def report(
        self, node: cst.CSTNode, message: str | None = None, fix: FixSpec | None = None
    ) -> None:
        """Report a finding of the current rule on `node` (with a fix, if it has one)."""
        rule = self.current_rule
        assert rule is not None, "report() is only valid inside a rule handler"
        self._add_report(
            Report(
                rule, node, message or rule.message, None, fix, self.statement, tuple(self.within)
            )
        )

    def report_if(
        self,
        node: cst.CSTNode,
        condition: Condition,
        message: str | None = None,
        fix: FixSpec | None = None,
    ) -> None:
        """Report a finding that stands only if `condition` holds across the project."""
        rule = self.current_rule
        assert rule is not None, "report_if() is only valid inside a rule handler"
        self._add_report(
            Report(
                rule,
                node,
                message or rule.message,
                condition,
                fix,
                self.statement,
                tuple(self.within),
            )
        )

    def _add_report(self, report: Report) -> None:
        """Keep a report; a Pydantic rule's is dropped under a version guard, and for a
        project that targets Pydantic 1 it is kept only when the selection names the
        rule (`PydanticTarget.reports`), then speaking of the migration, without a fix. A
        v1 spelling Pydantic 2 still runs stands where the project writes its family in
        the v2 spelling (`checks.project_facts.PYDANTIC_SPELLING`), unless the rule marked
        it as one Pydantic 2 ignores or refuses (`MISBEHAVES_ON_V2`). A finding in a test
        module pytest skips whole, or in a module-level class nothing names, is held back
        as dead code (`checks.project_facts.USED_FACT`)."""
        if (self.layer == "test" and self._skipped_module()) or self._shadowed_module():
            # nothing of it runs (johanguse's deprecated `tests/test_team.py`, reader 64;
            # djahern-max's `app/utils.py`, which its `app/utils/` package hides: reader
            # 118)
            dead = Condition((), frozenset(), fact=used_fact(report.rule.code, ""))
            report = report._replace(condition=conjoin(report.condition, dead))
        elif self._shadowed_route():
            # a route an earlier route of its router answers (`GET /{showcase_id}` above
            # `GET /get-ranked`: Starlette serves the first that matches), dead code
            # (djahern-max's, reader 118)
            dead = Condition((), frozenset(), fact=used_fact(report.rule.code, ""))
            report = report._replace(condition=conjoin(report.condition, dead))
        elif (
            report.rule.code not in _LIVE_UNNAMED
            and (prefix := self._unimported_layer())
            # a route of a router made elsewhere: `ROUTES_IMPORTED`'s, not asked here
            and not (prefix == MODULE_IMPORTED and self.effective_layer() == "route")
        ):
            # a routes module no module imports: its router is included nowhere, and
            # none of its routes serves (djahern-max's `app/routers/role.py`, reader 118);
            # a service's or repository's: none of its code runs (shronme's
            # `service_old.py`, reader 135); a secret there leaks all the same
            name = self.path.stem
            if prefix == ROUTES_IMPORTED and self.module_name is not None:
                # by its dotted name: another package's module of the same name is not
                # it (`routes_module_imported`)
                name = self.module_name
            elif prefix == LAYER_IMPORTED:
                name = f"{self.path.parent.name}/{name}"
            elif prefix == MODULE_IMPORTED:
                name = str(self.path.parent.absolute() / name)
            stem = Condition((), frozenset(), fact=used_fact(report.rule.code, prefix + name))
            report = report._replace(condition=conjoin(report.condition, stem))
        elif self.layer == "test" and report.rule.code not in _LIVE_UNNAMED:
            # a test importing a module its project no longer has fails before it runs
            # (DeepStacker's tests of `services.historical`, removed: reader 101)
            imported = self._test_imports()
            if imported:
                fact = used_fact(report.rule.code, IMPORTS + ",".join(imported))
                stale = Condition((), frozenset(), fact=fact)
                report = report._replace(condition=conjoin(report.condition, stale))
        if report.rule.family == PYDANTIC_FAMILY:
            if self.version_guards.active:
                return
            if self.pydantic_target == 1 and not report.rule.on_pydantic_1:
                code = report.rule.code
                reports = getattr(self._pydantic_target, "reports", None)
                if reports is None:
                    return  # a bare target (a test's): the default run reports none
                message = migration_message(report.message)
                report = report._replace(message=message, fix=None)
                if not reports(code):
                    # held back, and counted so (`checks.run.held_back`): reported
                    # where the selection names the rule
                    named = Condition((), frozenset(), fact=pydantic_1_named(code))
                    report = report._replace(condition=conjoin(report.condition, named))
            undecided = getattr(self._pydantic_target, "undecided", None)
            if (
                report.rule.code in PYDANTIC_CODES
                and undecided is not None
                and self.pydantic_target == 2
                and undecided()
            ):
                # target 2 by default: unless the code imports a library that runs only
                # on Pydantic 1 (`V1_ONLY_LIBRARY`)
                library = Condition((), frozenset(), fact=V1_ONLY_LIBRARY + report.rule.code)
                report = report._replace(condition=conjoin(report.condition, library))
            gate = spelling_gate(report.rule.code)
            if gate is not None and id(report.node) not in self.marks(MISBEHAVES_ON_V2):
                report = report._replace(condition=conjoin(report.condition, gate))
        report = self._in_dead_class(report)
        if report.rule.code in LOOP_RULES:
            coroutine = self._module_coroutine()
            if coroutine is not None:
                # unless the project runs the coroutine only on loops of its own
                # (`asyncio.run(f())` in a Celery task of another module: reader 54)
                alone = Condition((), frozenset(), fact=RUN_ALONE_FACT + coroutine, negated=True)
                report = report._replace(condition=conjoin(report.condition, alone))
            pins_package = getattr(self._pydantic_target, "pins_package", None)
            if pins_package is not None and pins_package("mangum"):
                # unless the service runs on AWS Lambda alone (asked where its
                # dependencies name Mangum, decided before any file is read)
                served = Condition((), frozenset(), fact=served_concurrently(report.rule.code))
                report = report._replace(condition=conjoin(report.condition, served))
        self.reports.append(report)

    def _in_dead_class(self, report: Report) -> Report:
        """A finding in a module-level class nothing names is dead code: held back unless
        the class's name is written in the project besides its definitions (an import, a
        call, a base, a string) or in an entry point of its packaging files
        (`checks.run._packaging`). First for Pydantic models (BookStore's unused
        `UserResponse` with `orm_mode`, reader 61), then for every rule (sergey-vernyk's
        sync `CrudManager`, twin of the `CrudManagerAsync` every caller uses: 10 of reader
        82's 12 "no"). Not where a class may run unnamed: a decorated class (a decorator
        may register it), a test class (pytest collects it); nor for the rules of
        `_LIVE_UNNAMED`. Outside a class, `_in_dead_coroutine`."""
        outermost = self._class_stack[0] if self._class_stack else None
        if outermost is None:
            return self._in_dead_coroutine(report)
        if (
            report.rule.code in _LIVE_UNNAMED
            or (report.rule.family != PYDANTIC_FAMILY and not self._unnamed_may_be_dead(outermost))
            or not any(s is outermost.node for s in self.module.body)
        ):
            return report
        report = _held_unless_named(report, outermost.name)
        method = self._dead_method_name(outermost)
        if method is None:
            return report
        named = used_fact(report.rule.code, f"{METHOD}{outermost.name}.{method}")
        used = Condition((), frozenset(), fact=named)
        return report._replace(condition=conjoin(report.condition, used))

    def _dead_method_name(self, owner: ClassInfo) -> str | None:
        """The method of a plain class (no base: a service, a repository) a finding is in,
        when nothing but its name may call it: a finding there is dead code unless its
        name is written somewhere besides its definitions, as for a class
        (darlingtonmuzari's `find_nearest_service_providers`, stanmart1's
        `run_security_maintenance`: readers 100 and 101; QuadDarv1ne's alert methods).
        A module-level function nothing calls is not held so (arafatDU's
        `get_user_loans`): an `async def` of the module may be named outside the code.
        Not a dunder (Python calls it), nor one another decorator than `@staticmethod`,
        `@classmethod` or `@property` wraps (it may register it), nor a method of a class
        with a base (a library's class may call its hooks by their names: `dispatch`,
        `process_bind_param`)."""
        if owner.node.bases or owner.node.keywords or self.layer == "test":
            return None
        function = self._functions[0] if self._functions else None
        node = function.node if function is not None else None
        if function is None or function.owner is not owner or not isinstance(node, cst.FunctionDef):
            return None
        name = node.name.value
        if name.startswith("__") and name.endswith("__"):
            return None
        for decorator in node.decorators:
            if not (
                isinstance(decorator.decorator, cst.Name)
                and decorator.decorator.value in _PLAIN_METHOD_DECORATORS
            ):
                return None
        return name

    def _in_dead_coroutine(self, report: Report) -> Report:
        """A finding in an undecorated module-level function of code nothing runs: a pytest
        fixture no test takes; a function the module defines again below; one of the
        service or repository layer nothing calls by its name (`CALLED`); an `async def`
        that defines again a name the module defined above (pyflakes' F811) and nothing
        names besides its definitions (sepehremami's `async def get_users`, left below the
        route of that name, whose decorator registered the first: reader 84). Not any
        coroutine nothing names elsewhere: a module of examples or a file checked alone has
        many, and a function may be named outside the code (`uvicorn --factory
        app.main:create_app`)."""
        outermost = self._functions[0].node if self._functions else None
        fixture = self._fixture_name(outermost) if report.rule.code not in _LIVE_UNNAMED else None
        if fixture is not None:
            # a fixture no test takes: nothing runs it (ButakovIlya's `auth_http_client`
            # and its removed `AsyncClient(app=...)`, reader 98)
            defined_in = os.path.abspath(self.path)  # (`run.py`'s `used` reads the others)
            used = Condition(
                (),
                frozenset(),
                fact=used_fact(report.rule.code, f"{FIXTURE}{fixture}@{defined_in}"),
            )
            return report._replace(condition=conjoin(report.condition, used))
        if (
            not isinstance(outermost, cst.FunctionDef)
            or outermost.decorators
            or report.rule.code in _LIVE_UNNAMED
            or self.layer == "test"
        ):
            return report
        if _defined_again(self.module.body, outermost):
            # a module-level function the module defines again below, before any of its
            # statements reads it: every call reaches the later one (ChanduKayen's three
            # `send_vendor_order_confirmation`, reader 200); reported when named
            dead = Condition((), frozenset(), fact=used_fact(report.rule.code, ""))
            return report._replace(condition=conjoin(report.condition, dead))
        if (
            self.layer in _CALLED_LAYERS
            and not outermost.name.value.startswith("__")
            and any(statement is outermost for statement in self.module.body)
            and b"down_revision" not in (self.source or b"")
        ):
            # a module-level function of the service or repository layer that nothing
            # outside tests calls, or imports to call (Pizza-eaters' `get_picture_tags`,
            # which only its tests call, and `check_if_comment_exists`, imported and never
            # called: reader 206): dead code; an entry point is not kept in those layers,
            # but an Alembic revision's `upgrade()` may lie there, which Alembic calls
            # by its name (PsiMar's `database/versions/`: reader 211)
            name = used_fact(report.rule.code, CALLED + outermost.name.value)
            called = Condition((), frozenset(), fact=name)
            return report._replace(condition=conjoin(report.condition, called))
        if outermost.asynchronous is None:
            return report
        body = self.module.body
        index = next((i for i, s in enumerate(body) if s is outermost), None)
        name = outermost.name.value
        if index is None or not any(
            isinstance(earlier, cst.FunctionDef | cst.ClassDef) and earlier.name.value == name
            for earlier in body[:index]
        ):
            return report
        return _held_unless_named(report, name)

    def _test_imports(self) -> tuple[str, ...]:
        """The absolute modules a test imports before it can run: the module's own imports
        (statements of its body) and those of the function the walk is in (of its body),
        `from a.b import c` as `a.b` (`c` may be a name of it)."""
        outermost = self._functions[0].node if self._functions else None
        body = outermost.body if isinstance(outermost, cst.FunctionDef) else None
        found = [*_imported_modules(self.module)]
        if isinstance(body, cst.IndentedBlock):
            found += _imported_modules(body)
        return tuple(sorted(set(found)))

    def _fixture_name(self, node: cst.FunctionDef | cst.Lambda | None) -> str | None:
        """The name a module-level pytest fixture is taken by (its `name=`, else its own),
        unless pytest uses it unasked (`autouse=True`)."""
        if (
            self.layer != "test"  # (a plugin's fixtures serve other projects' tests)
            or not isinstance(node, cst.FunctionDef)
            or not any(s is node for s in self.module.body)
        ):
            return None
        for decorator in node.decorators:
            expr = decorator.decorator
            call = expr if isinstance(expr, cst.Call) else None
            if self.qualified_name(call.func if call is not None else expr) not in _FIXTURES:
                continue
            name = node.name.value
            for arg in call.args if call is not None else ():
                keyword = arg.keyword.value if arg.keyword is not None else None
                if keyword == "autouse" and not (
                    isinstance(arg.value, cst.Name) and arg.value.value == "False"
                ):
                    return None
                if keyword == "name":
                    given = string_value(arg.value)
                    if given is None:
                        return None
                    name = given
            return name
        return None

    def _unnamed_may_be_dead(self, info: ClassInfo) -> bool:
        """Whether a class nothing names is dead (see `_in_dead_class`)."""
        node = info.node
        return self.layer != "test" and not node.decorators and not info.name.startswith("Test")

    def _shadowed_route(self) -> bool:
        """Whether the enclosing route is one no request reaches: an earlier route of the
        module, on the same router and method, has a path that matches every path this
        one does (segment by segment: a `{param}` or `{param:str}` segment matches any,
        `{param:path}` the rest; a typed one, `{id:int}`, is not judged)."""
        route = next((f for f in reversed(self._functions) if f.is_route), None)
        if route is None or not isinstance(route.node, cst.FunctionDef):
            return False
        known = self.stash("shadowed-routes")
        if not known:
            known.append(_shadowed_routes(self.module, self))
        return id(route.node) in known[0]

    def _unimported_layer(self) -> str | None:
        """The fact asking whether anything imports the module (its name in an import or
        a path), when it is one of the routes, service or repository layers that only an
        import would run (`ROUTES_IMPORTED`, `LAYER_IMPORTED`; a module of no layer making
        an `APIRouter` is a routes one), or, in a project's run, a module of no layer
        (`MODULE_IMPORTED`; not one named as entry points often are): not a package's
        `__init__`, no app made here (`FastAPI(...)`, which a server loads by its path), no
        `__main__` guard; nor a module of tasks a worker finds by its name (Celery's
        `autodiscover_tasks()` imports each package's `tasks`)."""
        known = self.stash("unimported-layer")
        if not known:
            source = self.source or b""
            runs_alone = (
                self.path.stem == "__init__"
                or b"FastAPI(" in source
                or b"Starlette(" in source
                or any(
                    isinstance(line, cst.If) and is_main_guard(line.test)
                    for line in self.module.body
                )
            )
            prefix: str | None = None
            if runs_alone:
                pass
            elif self.layer == "route" or (
                self.layer is None and b"APIRouter(" in source and self._makes_router()
            ):
                # also a module of routes its file's name does not say (cheehub213's
                # `backup_old_files/routes_api.py`, which nothing imports: reader 155)
                prefix = ROUTES_IMPORTED
            elif (
                self.layer in ("service", "repository")
                and self.path.stem not in _FOUND_BY_NAME
                and not _TASK_MARKS.search(source)
            ):
                prefix = LAYER_IMPORTED
            elif (
                # a settings module too (amalhsouna's `app/config.py`, superseded, which
                # nothing imports: reader 174)
                self.layer in (None, "settings")
                # a project's run (the edit hook's too), not an engine's alone, which no
                # project index answers
                and getattr(self._pydantic_target, "reports", None) is not None
                and self.path.stem.isidentifier()
                and self.path.stem not in _ENTRY_NAMES | _FOUND_BY_NAME
                and not _TASK_MARKS.search(source)
            ):
                # a module of a package (tamaralcgibbons' `backend/schemas/animal.py`,
                # superseded by its routers' own classes: reader 154)
                prefix = MODULE_IMPORTED
            known.append(prefix)
        found: str | None = known[0]
        return found

    def _makes_router(self) -> bool:
        """Whether the module makes a router at its top level (`router = APIRouter()`)."""
        for line in self.module.body:
            if not isinstance(line, cst.SimpleStatementLine):
                continue
            for small in line.body:
                value = small.value if isinstance(small, (cst.Assign, cst.AnnAssign)) else None
                if isinstance(value, cst.Call) and self.qualified_name(value.func) in _ROUTERS:
                    return True
        return False

    def _shadowed_module(self) -> bool:
        """Whether the module is a file no import reaches: a package of its name sits
        beside it (`app/utils.py` and `app/utils/__init__.py`: `import app.utils` finds
        the package first), and it runs as no script (no `__main__` guard)."""
        known = self.stash("shadowed-module")
        if not known:
            path = self.path
            known.append(
                path.suffix == ".py"
                and path.stem != "__init__"
                and (path.parent / path.stem / "__init__.py").is_file()
                and not any(
                    isinstance(line, cst.If) and is_main_guard(line.test)
                    for line in self.module.body
                )
            )
        return bool(known[0])

    def _skipped_module(self) -> bool:
        """Whether pytest skips the whole module, unconditionally: `pytestmark =
        pytest.mark.skip(...)` (alone or in a list), or a module-level `pytest.skip(...,
        allow_module_level=True)` statement."""
        known = self.stash("skipped-module")
        if not known:
            known.append(any(self._skips(line) for line in self.module.body))
        return bool(known[0])

    def _skips(self, statement: cst.BaseStatement) -> bool:
        if not isinstance(statement, cst.SimpleStatementLine):
            return False
        for small in statement.body:
            if isinstance(small, cst.Assign) and any(
                isinstance(t.target, cst.Name) and t.target.value == "pytestmark"
                for t in small.targets
            ):
                value = small.value
                marks = (
                    [e.value for e in value.elements]
                    if isinstance(value, cst.List | cst.Tuple)
                    else [value]
                )
                for mark in marks:
                    target = mark.func if isinstance(mark, cst.Call) else mark
                    if self.qualified_name(target) == "pytest.mark.skip":
                        return True
            if (
                isinstance(small, cst.Expr)
                and isinstance(small.value, cst.Call)
                and self.qualified_name(small.value.func) == "pytest.skip"
                and any(
                    arg.keyword is not None
                    and arg.keyword.value == "allow_module_level"
                    and isinstance(arg.value, cst.Name)
                    and arg.value.value == "True"
                    for arg in small.value.args
                )
            ):
                return True
        return False

    def _module_coroutine(self) -> str | None:
        """The qualified name of the module-level `async def` the code is in, or of the
        `async def` of a module-level class, which no decorator wraps (a decorator may
        hand it to anything); None elsewhere."""
        if not self._functions or self.module_name is None:
            return None
        first = self._functions[0]
        outermost = first.node
        if (
            not isinstance(outermost, cst.FunctionDef)
            or outermost.asynchronous is None
            or outermost.decorators
        ):
            return None
        if first.owner is None:
            if any(statement is outermost for statement in self.module.body):
                return f"{self.module_name}.{outermost.name.value}"
            return None
        owner = first.owner
        if owner.outer is None and any(statement is owner.node for statement in self.module.body):
            return f"{self.module_name}.{owner.name}.{outermost.name.value}"
        return None

    # ------------------------------------------------------------- Pydantic target
    @property
    def pydantic_target(self) -> int:
        """The Pydantic major version the project's code is written for (1 or 2)."""
        if self._pydantic_target is None:
            return DEFAULT_TARGET
        return self._pydantic_target()

    @property
    def pydantic_1_only(self) -> bool:
        """Whether every install of the project runs Pydantic 1 (configured so, or its
        pins all admit no Pydantic 2: `PydanticTarget.v1_only`); False when unknown."""
        v1_only = getattr(self._pydantic_target, "v1_only", None)
        return bool(v1_only()) if v1_only is not None else False

    def pydantic_at_least(self, version: str) -> bool:
        """Whether every install of the project has at least this Pydantic (its pins say
        so: `checks.pydantic_target.PydanticTarget.guarantees`); False when unknown."""
        guarantees = getattr(self._pydantic_target, "guarantees", None)
        return bool(guarantees(version)) if guarantees is not None else False

    def fastapi_at_least(self, version: str) -> bool:
        """Whether the project's FastAPI may be this version or later (its pins admit
        one: `checks.pydantic_target.PydanticTarget.has_fastapi`); True when unknown."""
        has_fastapi = getattr(self._pydantic_target, "has_fastapi", None)
        return bool(has_fastapi(version)) if has_fastapi is not None else True

    def package_at_least(self, package: str, version: str) -> bool:
        """Whether the project's `package` (httpx) may be this version or later (its pins
        admit one: `checks.pydantic_target.PydanticTarget.has_package`); True when
        unknown."""
        has_package = getattr(self._pydantic_target, "has_package", None)
        return bool(has_package(package, version)) if has_package is not None else True

    def package_pinned_exactly(self, package: str) -> bool:
        """Whether a manifest of the project pins `package` to one release
        (`checks.pydantic_target.PydanticTarget.pins_exactly`); False when unknown."""
        pins = getattr(self._pydantic_target, "pins_exactly", None)
        return bool(pins(package)) if pins is not None else False

    def package_not_locked(self, package: str) -> bool:
        """Whether the project's lock file installs no `package`
        (`checks.pydantic_target.PydanticTarget.lock_lacks`); False when unknown."""
        lacks = getattr(self._pydantic_target, "lock_lacks", None)
        return bool(lacks(package)) if lacks is not None else False

    def package_pinned(self, package: str) -> bool:
        """Whether the project's dependency files name `package`
        (`checks.pydantic_target.PydanticTarget.pins_package`); False when unknown."""
        pins = getattr(self._pydantic_target, "pins_package", None)
        return bool(pins(package)) if pins is not None else False

    def package_guaranteed(self, package: str, version: str) -> bool:
        """Whether every install of the project has `package` at this version or later
        (`checks.pydantic_target.PydanticTarget.guarantees_package`); False when unknown."""
        guarantees = getattr(self._pydantic_target, "guarantees_package", None)
        return bool(guarantees(package, version)) if guarantees is not None else False

    def names(self, code: str) -> bool:
        """Whether the run's selection names the rule on purpose
        (`checks.config.named_in_selection`); False when unknown."""
        return code in getattr(self._pydantic_target, "named", ())

    @property
    def sqlalchemy_target(self) -> int:
        """The SQLAlchemy major version the project's code is written for (1 or 2)."""
        if self._sqlalchemy_target is None:
            return 2
        return self._sqlalchemy_target()

    def sqlalchemy_admits_below(self, version: str) -> bool:
        """Whether the project's pins let an install get a SQLAlchemy older than `version`
        (`checks.sqlalchemy_target.SqlalchemyTarget.admits_below`); False when unknown."""
        admits = getattr(self._sqlalchemy_target, "admits_below", None)
        return bool(admits is not None and admits(version))

    def sqlmodel_at_least(self, version: str) -> bool:
        """Whether every install of the project has at least this SQLModel (its pins say
        so: `checks.sqlalchemy_target.SqlalchemyTarget.guarantees_sqlmodel`); False when
        unknown."""
        guarantees = getattr(self._sqlalchemy_target, "guarantees_sqlmodel", None)
        return bool(guarantees is not None and guarantees(version))

    def marks(self, key: str) -> set[int]:
        """A per-file set of node ids a rule can mark on the way down and read later."""
        return self._marks.setdefault(key, set())

    def stash(self, key: str) -> list[Any]:
        """A per-file list a rule can collect nodes in, to report when the module ends."""
        return self._stashes.setdefault(key, [])

    # ------------------------------------------------------------------- imports
    def module_alias(self, module: str) -> str | None:
        """The local name this file imports `module` under (`import asyncio as aio` ->
        `aio`), if it does."""
        for local, qualified in self.imports.items():
            if qualified == module and "." not in local:
                return local
        return None

    def import_insertion(self, statement: str, package: str) -> tuple[cst.CSTNode, str] | None:
        """A replacement that adds `statement` (`import asyncio`, an import of `package`)
        on its own line where isort would put it (see `import_place`); None when the file
        has no import to put it next to (the fix is then not offered)."""
        place = self.import_place(package)
        if place is None:
            return None
        anchor, before, separate = place
        newline = self.module.default_newline
        gap = newline * (2 if separate else 1)
        code = self.code(anchor)
        return anchor, f"{statement}{gap}{code}" if before else f"{code}{gap}{statement}"

    def import_place(self, package: str) -> tuple[cst.Import | cst.ImportFrom, bool, bool] | None:
        """Where a new import of `package` goes (see `_import_place`); once per package, as
        a file with many fixes asks again and again."""
        if package not in self._import_places:
            self._import_places[package] = self._import_place(package)
        return self._import_places[package]

    def _import_place(self, package: str) -> tuple[cst.Import | cst.ImportFrom, bool, bool] | None:
        """Where a new import of `package` goes, as isort orders a sorted file: before the
        first module-level import of its section (standard library, third party, this
        project) that sorts after it, else after the last one of its section, else before
        the first import of a later section, else after the file's last import. Returns
        the anchor, whether the new line goes before it, and whether a blank line must
        part them (they are of different sections)."""
        own = (self.module_name or "").split(".", 1)[0] or None

        def section(module: str) -> int:
            top = module.split(".", 1)[0]
            if module.startswith(".") or top == own:
                return 3
            return 1 if top in sys.stdlib_module_names else 2

        new = section(package)
        imports: list[tuple[cst.Import | cst.ImportFrom, str]] = []
        for line in self.module.body:
            if not isinstance(line, cst.SimpleStatementLine):
                continue
            small = line.body[0]
            if isinstance(small, cst.ImportFrom):
                name = dotted_name(small.module) if small.module is not None else None
                module = "." * len(small.relative) + (name or "")
            elif isinstance(small, cst.Import):
                module = dotted_name(small.names[0].name) or ""
            else:
                continue
            if module != "__future__":
                imports.append((small, module))
        if not imports:
            return None
        same = [(node, module) for node, module in imports if section(module) == new]
        for node, module in same:
            if module.lower() > package.lower():
                return node, True, False
        if same:
            return same[-1][0], False, False
        for node, module in imports:
            if section(module) > new:
                return node, True, True
        return imports[-1][0], False, True

    def indentation(self, target: cst.CSTNode) -> str:
        """The indentation of the block holding `target` (searched in the module-level
        statement being walked, only when a fix asks)."""
        module = self.module
        roots: Sequence[cst.CSTNode] = (
            [module.body[self.statement]] if 0 <= self.statement < len(module.body) else [module]
        )
        stack: list[tuple[cst.CSTNode, str]] = [(root, "") for root in roots]
        while stack:
            node, indent = stack.pop()
            if node is target:
                return indent
            if isinstance(node, cst.IndentedBlock):
                indent += module.default_indent if node.indent is None else node.indent
            stack.extend((child, indent) for child in child_nodes(node))
        return ""

    def parent(self, target: cst.CSTNode) -> cst.CSTNode | None:
        """The node holding `target`, in the module-level statement being walked (the
        module once the walk has left its statements). The statement's nodes are mapped
        to their holders at the first question and the map kept while the walk is in it:
        a search per question made FG303's `_compared` a quarter of a cold run of polar,
        whose classes are single statements of thousands of nodes."""
        module = self.module
        statement = self.statement if 0 <= self.statement < len(module.body) else -1
        key, parents = self._parents
        if key != statement:
            parents = {}
            stack: list[cst.CSTNode] = [module.body[statement] if statement >= 0 else module]
            while stack:
                node = stack.pop()
                children = child_nodes(node)
                for child in children:
                    # the first holder in the search's order, as a search would answer
                    parents.setdefault(id(child), node)
                stack.extend(children)
            self._parents = (statement, parents)
        return parents.get(id(target))

    def code(self, node: cst.CSTNode, at: cst.CSTNode | None = None) -> str:
        """The code of `node` with the file's newline and indentation, as if written
        where `at` is (lines inside brackets keep their indentation relative to it)."""
        from libcst._nodes.internal import CodegenState

        state = CodegenState(
            default_indent=self.module.default_indent,
            default_newline=self.module.default_newline,
        )
        node._codegen(state)
        code = "".join(state.tokens)
        if at is None or ("\n" not in code and "\r" not in code):
            return code  # one line: no indentation to find (the search walks the tree)
        state = CodegenState(
            default_indent=self.module.default_indent,
            default_newline=self.module.default_newline,
        )
        state.indent_tokens.append(self.indentation(at))
        node._codegen(state)
        return "".join(state.tokens)

    def name_taken(self, name: str) -> bool:
        """Whether `name` occurs in the file other than after a dot (`x.name`): then a fix
        must not bind it. Read from the text, where comments and strings count too (that
        only makes a fix more careful); the tree is walked only when there is no text."""
        if self.source is None:
            if self._names is None:
                self._names = names_in(self.module)
            return name in self._names
        taken = self._taken.get(name)
        if taken is None:  # once per name: a file with many fixes asks again and again
            escaped = re.escape(name.encode())
            word = re.compile(rb"(?<![A-Za-z0-9_])" + escaped + rb"(?![A-Za-z0-9_])")
            after_dot = re.compile(rb"\.(?:\s|\\|#[^\r\n]*+)*" + escaped + rb"(?![A-Za-z0-9_])")
            taken = len(word.findall(self.source)) > len(after_dot.findall(self.source))
            self._taken[name] = taken
        return taken

    def import_from(
        self, package: str, name: str
    ) -> tuple[str, tuple[cst.CSTNode, str] | None] | None:
        """How a fix refers to `package.name` here: the local name, and the replacement
        that imports it (None when the file already does); None when the name means
        something else in this file (the fix is then not offered)."""
        plan = ImportPlan(self)
        local = plan.need(package, name)
        if local is None:
            return None
        replacements = plan.replacements()
        if replacements is None:
            return None
        return local, (replacements[0] if replacements else None)

    def import_module(self, module: str) -> tuple[str, tuple[cst.CSTNode, str] | None] | None:
        """How a fix refers to the module `module` (`asyncio`): the file's own name for it
        (`import asyncio as aio`), else `module` and the replacement that imports it (where
        isort puts it); None when the name means something else in this file."""
        alias = self.module_alias(module)
        if alias is not None:
            return alias, None
        if self.name_taken(module):
            return None
        insertion = self.import_insertion(f"import {module}", module)
        return None if insertion is None else (module, insertion)

    def imported_name(self, package: str, name: str) -> str | None:
        """The local name of `from package import name` in this file, if it has one."""
        qualified = f"{package}.{name}"
        for local, target in self.imports.items():
            if target == qualified and "." not in local:
                return local
        return None

    def record_import(self, node: cst.Import | cst.ImportFrom) -> None:
        """Remember the names an import statement binds."""
        if isinstance(node, cst.ImportFrom) and isinstance(node.names, cst.ImportStar):
            # `from pydantic import *`: a key no name can be (`ProjectIndex.star_export`)
            module = _import_module_name(node, self.package, self.namespace)
            self.imports[f"{STAR}{sum(k.startswith(STAR) for k in self.imports)}"] = module
            return
        for local, qualified in self.import_bindings(node):
            self._bind_import(local, qualified)

    def import_bindings(self, node: cst.Import | cst.ImportFrom) -> list[tuple[str, str]]:
        """The names an import statement binds, with what each refers to (none for
        `from m import *`)."""
        bound: list[tuple[str, str]] = []
        if isinstance(node, cst.Import):
            for alias in node.names:
                full = dotted_name(alias.name)
                if full is None:
                    continue
                if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                    bound.append((alias.asname.name.value, full))
                else:
                    head = full.split(".", 1)[0]
                    bound.append((head, head))
            return bound
        if isinstance(node.names, cst.ImportStar):
            return bound
        module = _import_module_name(node, self.package, self.namespace)
        separator = "" if module.endswith(".") or not module else "."
        for alias in node.names:
            name = dotted_name(alias.name)
            if name is None:
                continue
            local = name
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                local = alias.asname.name.value
            bound.append((local, f"{module}{separator}{name}"))
        return bound

    def _bind_import(self, local: str, qualified: str) -> None:
        if local in self._rebound and self.function is None:
            return  # a module-level import a `def` below replaces (`_collect_module_level`)
        if not keeps_v1_layer(self.imports.get(local), qualified):
            self.imports[local] = qualified

    def qualified_name(self, expr: cst.BaseExpression) -> str | None:
        """The imported name an expression refers to (`t.sleep` -> `time.sleep`), or None."""
        if isinstance(expr, cst.Name):
            if self._shadowed(expr.value):
                return None  # a parameter, local or loop variable of the same name
            return self.imports.get(expr.value)
        if isinstance(expr, cst.Attribute):
            head = self.qualified_name(expr.value)
            return None if head is None else f"{head}.{expr.attr.value}"
        return None

    def module_instance(self, name: str) -> bool:
        """Whether `name` here is a module-level name the module binds itself (an
        assignment above, no import), no function around hiding it."""
        return (
            name not in self.imports
            and not self._shadowed(name)
            and bool(self._scopes)
            and name in self._scopes[0].bindings
        )

    def _shadowed(self, name: str) -> bool:
        """Whether a function here binds `name` (parameter, assignment, loop target), hiding
        the module's import of it (`async def f(time: Clock): time.sleep(1)`). Class
        scopes are invisible to the functions inside them; the module scope's own
        rebinding is not looked at."""
        innermost = len(self._scopes) - 1
        for index in range(innermost, 0, -1):
            scope = self._scopes[index]
            if scope.is_class and index != innermost:
                continue
            if name in scope.bindings:
                return True
        return False

    def shadowed(self, name: str) -> bool:
        """Whether a function here binds `name`, hiding the module's binding of it
        (`_shadowed`)."""
        return self._shadowed(name)

    def imports_module(self, *prefixes: str) -> bool:
        """Whether the file imports anything from one of these top-level packages."""
        for qualified in self.imports.values():
            top = qualified.split(".", 1)[0]
            if top in prefixes:
                return True
        return False

    # ------------------------------------------------------------------- classes
    def class_ref(self, expr: cst.BaseExpression) -> str | None:
        """The name of the class an expression names: a local class or an imported name."""
        if isinstance(expr, cst.Name):
            if expr.value in self.classes:
                return expr.value
            return self.imports.get(expr.value)
        if isinstance(expr, cst.Attribute):
            return self.qualified_name(expr)
        if isinstance(expr, cst.Subscript):  # Generic[T], RootModel[list[int]]
            return self.class_ref(expr.value)
        return None

    def is_pydantic_model(self, ref: str | None) -> bool:
        """Whether `ref` names a Pydantic model class (its bases followed within the file),
        not one of the `pydantic.v1` compatibility layer."""
        return self.derives_from(ref, MIGRATED_MODEL_BASES)

    def derivation(self, ref: str | None, roots: frozenset[str]) -> bool | Condition:
        """Whether `ref` derives from `roots`: True or False when the file settles it, else
        the condition on the classes it imports that would settle it."""
        if ref is None:
            return False
        if self.derives_from(ref, roots):
            return True
        external: list[str] = []
        seen: set[str] = set()
        pending: list[str | None] = [ref]
        while pending:
            current = pending.pop()
            if current is None or current in seen:
                continue
            seen.add(current)
            info = self.classes.get(current)
            if info is not None:
                pending.extend(info.bases)
            elif "." in current and not current.startswith("."):
                external.append(current)
        return Condition(tuple(external), roots) if external else False

    def pydantic_derivation(self, ref: str | None) -> bool | Condition:
        """`derivation()` against the Pydantic model bases; a model of the `pydantic.v1`
        compatibility layer is v1 on purpose: not one the Pydantic rules migrate."""
        if self.is_v1_layer_model(ref):
            return False
        return self.derivation(ref, MIGRATED_MODEL_BASES)

    def is_v1_layer_model(self, ref: str | None) -> bool:
        """Whether `ref` is a model of the `pydantic.v1` layer (bases followed in the file)."""
        return self.derives_from(ref, PYDANTIC_V1_LAYER_BASES)

    def summary(self) -> ModuleSummary | None:
        """What other files need to know of this one (None outside a package)."""
        if self.module_name is None:
            return None
        prefix = self.module_name

        def absolute(ref: str | None) -> str | None:
            if ref is not None and ref in self.classes and self.classes[ref].outer is None:
                return f"{prefix}.{ref}"
            return ref

        def summary_bases(info: ClassInfo) -> tuple[str | None, ...]:
            # a bare name the file does not bind, in a module with a star import, by the
            # module's own name (`checks.summary.star_bound`), as `checks.summary` does
            written = [base.value for base in info.node.bases]
            found: list[str | None] = []
            for i, base in enumerate(info.bases):
                name = written[i] if i < len(written) else None
                if base is None and isinstance(name, cst.Name):
                    found.append(star_bound(name.value, prefix, self.imports))
                else:
                    found.append(absolute(base))
            return tuple(found)

        classes = {
            f"{prefix}.{name}": summary_bases(info)
            for name, info in self.classes.items()
            if info.outer is None
        }
        instances = {f"{prefix}.{name}": made for name, made in self._module_instances.items()}
        # CPython's parser: see their docstrings
        from checks.summary import (
            blocking_functions_of,
            client_methods_of,
            config_refs_of,
            context_manager_returns_of,
            held_objects_of,
            imports_blocking,
            instance_methods_of,
            router_includes_of,
        )

        source = self.source if self.source is not None else self.module.code.encode()
        is_package = self.package == prefix
        # an `Annotated` alias is a re-export of the type it annotates, as
        # `checks.summary._record_annotated_aliases` records it
        imports = dict(self.imports)
        for name, alias in self._annotated_aliases.items():
            first = alias.slice[0].slice if len(alias.slice) > 1 else None
            if name not in imports and isinstance(first, cst.Index):
                ref = _imported_ref(first.value, self.imports)
                if ref is not None:
                    imports[name] = ref
        for name, ref in self._name_aliases.items():
            imports.setdefault(name, ref)
        config_refs = config_refs_of(source, prefix, is_package)
        includes = router_includes_of(source, prefix, is_package)
        blocking = (
            blocking_functions_of(source, prefix, is_package)
            if imports_blocking(self.imports, source)
            else {}
        )
        returns = {**self._returns, **context_manager_returns_of(source, prefix, is_package)}
        returns.update(instance_methods_of(source, prefix, is_package, returns))
        blocking.update(instance_methods_of(source, prefix, is_package, blocking))
        held, members, uses = held_objects_of(source, prefix, is_package, blocking)
        blocking.update(client_methods_of(source, prefix, is_package, blocking, held, uses))
        return ModuleSummary(
            prefix,
            classes,
            imports,
            instances,
            config_refs,
            returns,
            includes,
            blocking,
            held,
            members,
            uses,
        )

    def derives_from(self, ref: str | None, roots: frozenset[str]) -> bool:
        """Whether `ref` is one of `roots` or a local class deriving from one of them."""
        return self._derives_from(ref, roots, set())

    def _derives_from(self, ref: str | None, roots: frozenset[str], seen: set[str]) -> bool:
        if ref is None or ref in seen:
            return False
        if ref in roots:
            return True
        info = self.classes.get(ref)
        if info is None:
            return False
        seen.add(ref)
        return any(self._derives_from(base, roots, seen) for base in info.bases)

    def defines_method(self, ref: str | None, method: str) -> bool:
        """Whether the local class `ref`, or a local base of it, defines `method`."""
        seen: set[str] = set()
        pending = [ref]
        while pending:
            current = pending.pop()
            if current is None or current in seen:
                continue
            seen.add(current)
            info = self.classes.get(current)
            if info is None:
                continue
            if method in info.methods:
                return True
            pending.extend(info.bases)
        return False

    def _register_base_variable(self, name: str) -> None:
        placeholder = cst.ClassDef(name=cst.Name(name), body=cst.IndentedBlock(body=[]))
        self.classes[name] = ClassInfo(
            name=name,
            node=placeholder,
            bases=(DECLARATIVE_BASE,),
            methods=frozenset(),
            fields={},
        )

    def is_orm_model(self, ref: str | None) -> bool | Condition:
        """Whether `ref` is a SQLAlchemy ORM class: settled by the file, or a condition."""
        return self.derivation(ref, ORM_MODEL_BASES)

    def register_class(self, node: cst.ClassDef, outer: ClassInfo | None) -> ClassInfo:
        """Record a class definition (idempotent for the same node)."""
        known = self._class_by_node.get(id(node))
        if known is not None:
            return known
        methods: set[str] = set()
        fields: dict[str, cst.BaseExpression] = {}
        nested: list[cst.ClassDef] = []
        body = node.body.body if isinstance(node.body, cst.IndentedBlock) else ()
        for statement in body:
            if isinstance(statement, cst.FunctionDef):
                methods.add(statement.name.value)
            elif isinstance(statement, cst.ClassDef):
                nested.append(statement)
            elif isinstance(statement, cst.SimpleStatementLine):
                for small in statement.body:
                    if isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name):
                        fields[small.target.value] = small.annotation.annotation
        declared_bases = tuple(self.class_ref(base.value) for base in node.bases)
        if any(
            self.qualified_name(
                d.decorator.func if isinstance(d.decorator, cst.Call) else d.decorator
            )
            in AS_DECLARATIVE
            for d in node.decorators
        ):
            declared_bases = (*declared_bases, DECLARATIVE_BASE)
        info = ClassInfo(
            name=node.name.value,
            node=node,
            bases=declared_bases,
            methods=frozenset(methods),
            fields=fields,
            outer=outer,
        )
        known_by_name = self.classes.get(info.name)
        if known_by_name is None or known_by_name.outer is not None or outer is None:
            # a nested class (`class Config:` of a model) never hides a class of the
            # module by the same name (`class Config(BaseSettings):` holding it)
            self.classes[info.name] = info
        self._class_by_node[id(node)] = info
        for inner in nested:
            self.register_class(inner, outer=info)
        return info

    def _collect_module_level(
        self, statements: Sequence[cst.BaseStatement], outer: ClassInfo | None
    ) -> None:
        """Read the imports and classes at module level (also under if/try/with), first.

        Done before the traversal so that a function may use a class or an import that
        the file defines further down.
        """
        classes: list[cst.ClassDef] = []
        bases: list[cst.Assign] = []
        bindings: list[tuple[str, cst.BaseExpression | None]] = []
        # the module body's own `def`s and classes, which replace an import above them
        direct = {id(statement) for statement in statements} if outer is None else set()
        rebound: set[str] = set()
        for statement in _module_level_statements(statements):
            if (
                isinstance(statement, cst.FunctionDef | cst.ClassDef)
                and id(statement) in direct
                and statement.name.value in self.imports
            ):
                rebound.add(statement.name.value)
            if isinstance(statement, cst.SimpleStatementLine):
                for small in statement.body:
                    if isinstance(small, cst.Import | cst.ImportFrom):
                        self.record_import(small)
                    elif isinstance(small, cst.Assign):
                        if isinstance(small.value, cst.Call):
                            bases.append(small)
                        bindings.extend(
                            (t.target.value, small.value)
                            for t in small.targets
                            if isinstance(t.target, cst.Name)
                        )
                    elif isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name):
                        bindings.append((small.target.value, None))
            elif isinstance(statement, cst.ClassDef):
                classes.append(statement)
        for name in rebound:
            # functions run once the module is loaded, when the name is the module's
            # (yektaipekten's route `async def add_librarian` below `from
            # app.actions.crud_librarian import add_librarian` calls itself, reader 161);
            # not a `def` inside an `if` or a `try`, a fallback the import usually spares
            del self.imports[name]
        self._rebound = frozenset(rebound)
        for assign in bases:
            # `Base = declarative_base()` makes a class: record it as an ORM base
            call = assign.value
            assert isinstance(call, cst.Call)
            if self.qualified_name(call.func) in DECLARATIVE_BASE_FACTORIES:
                for target in assign.targets:
                    if isinstance(target.target, cst.Name):
                        self._register_base_variable(target.target.value)
        for class_node in classes:
            self.register_class(class_node, outer)
        # `T = TypeVar("T", bound=Model)`: an annotation `T` or `type[T]` reads the bound
        self._type_var_bounds = self._type_var_bounds_of(bindings)
        # `SessionLocal = sessionmaker(...)`: what other modules importing it open
        self._module_instances = module_instances(
            (name, self._instance_made_by(value)) for name, value in bindings
        )
        # read before the walk registers the classes functions define
        self._returns = self._return_classes(statements)
        self._name_aliases = self._name_aliases_of(statements, bindings)

    def _name_aliases_of(
        self,
        statements: Sequence[cst.BaseStatement],
        bindings: Sequence[tuple[str, cst.BaseExpression | None]],
    ) -> dict[str, str]:
        """`get_session_with_shared_schema = get_catalog_session`: a module-level name
        bound once to a function or class the module defines or imports, recorded in the
        summary as a re-export of it (as `checks.summary` records it)."""
        defined = {
            statement.name.value
            for statement in _module_level_statements(statements)
            if isinstance(statement, cst.FunctionDef | cst.ClassDef)
        }
        named = [(name, v.value if isinstance(v, cst.Name) else None) for name, v in bindings]
        return name_aliases(named, defined, self.imports, self.module_name or "")

    def _type_var_bounds_of(
        self, bindings: Sequence[tuple[str, cst.BaseExpression | None]]
    ) -> dict[str, cst.BaseExpression]:
        """The bound of each module-level type variable bound once (`T = TypeVar("T",
        bound=BaseModel)`): what a value annotated `T` is an instance of; and the type of
        each module-level `Annotated` alias bound once (`DbSession = Annotated[Session,
        Depends(get_db)]`, FastAPI's way to share a dependency): what a parameter
        annotated `DbSession` is."""
        counted = Counter(name for name, _ in bindings)
        found: dict[str, cst.BaseExpression] = {}
        for name, value in bindings:
            if counted[name] != 1:
                continue
            if (
                isinstance(value, cst.Call)
                and self.qualified_name(value.func) in TYPE_VAR_SPELLINGS
            ):
                bound = keyword_arg(value, "bound")
                if bound is not None:
                    found[name] = bound.value
            elif (
                isinstance(value, cst.Subscript) and self.qualified_name(value.value) in _ANNOTATED
            ):
                found[name] = value
                self._annotated_aliases[name] = value
        return found

    def annotated_alias(self, name: str) -> cst.Subscript | None:
        """The `Annotated[T, ...]` a module-level alias bound once names (`user_dependency
        = Annotated[UserService, Depends(get_user_service)]`), else None."""
        return self._annotated_aliases.get(name)

    def module_function_returns(self, name: str) -> str | None:
        """The class a module-level function of this file names as its return annotation
        (`def make_engine(url) -> Engine`); None when it names none (`_return_classes`)."""
        if self._shadowed(name):
            return None
        return self._returns.get(f"{self.module_name or ''}.{name}")

    def method_returns(self, cls: str, method: str) -> str | None:
        """The class a method of a module-level class of this file names as its return
        annotation (`async def _get_db_session(self) -> Session`), as
        `module_function_returns` answers for a function."""
        return self._returns.get(f"{self.module_name or ''}.{cls}.{method}")

    def _return_classes(self, statements: Sequence[cst.BaseStatement]) -> dict[str, str]:
        """The class each module-level function, and each method of a module-level class,
        names as its return annotation, and each annotated field of such a class as its
        type (`checks.summary` reads the same)."""
        found: dict[str, str] = {}
        prefix = self.module_name or ""  # outside a package: for this file's own rules
        for statement in _module_level_statements(statements):
            functions: list[tuple[str, cst.FunctionDef]] = []
            if isinstance(statement, cst.FunctionDef):
                functions.append((statement.name.value, statement))
            elif isinstance(statement, cst.ClassDef) and isinstance(
                statement.body, cst.IndentedBlock
            ):
                functions.extend(
                    (f"{statement.name.value}.{inner.name.value}", inner)
                    for inner in statement.body.body
                    if isinstance(inner, cst.FunctionDef)
                )
            for name, function in functions:
                returned = None
                if function.returns is not None:
                    returned = self._return_class(function.returns.annotation)
                elif not returns_in(function.body) and block_raises(function.body):
                    returned = NO_RETURN  # every path raises: `def abort(code): raise ...`
                elif "." in name and _returns_its_class(function):
                    returned = f"{prefix}.{name.partition('.')[0]}"  # `return cls(...)`
                else:
                    returned = self._constructed(function)  # `return Settings(...)`
                if returned is not None:
                    found[f"{prefix}.{name}"] = returned
        for statement in _module_level_statements(statements):
            if isinstance(statement, cst.ClassDef) and isinstance(
                statement.body, cst.IndentedBlock
            ):
                # an annotated field: what reading it gives (a method of its name first)
                for line in statement.body.body:
                    for small in line.body if isinstance(line, cst.SimpleStatementLine) else ():
                        if isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name):
                            typed = self._return_class(small.annotation.annotation)
                            if typed is not None:
                                key = f"{prefix}.{statement.name.value}.{small.target.value}"
                                found.setdefault(key, typed)
        return found

    def _constructed(self, function: cst.FunctionDef) -> str | None:
        """The one class an unannotated function makes on every `return` that gives
        something (`return ODKCentralIn(url=...)`; `return None` aside): a CapWords name
        the module defines or imports (`checks.summary` reads the same)."""
        found: set[str] = set()
        for node in returns_in(function.body):
            value = node.value
            if value is None or (isinstance(value, cst.Name) and value.value == "None"):
                continue
            if not isinstance(value, cst.Call) or not isinstance(
                value.func, cst.Name | cst.Attribute
            ):
                return None
            made = self._return_class(value.func)
            if made is None or not _is_class_name(made):
                return None
            found.add(made)
        return found.pop() if len(found) == 1 else None

    def _return_class(self, annotation: cst.BaseExpression) -> str | None:
        """The one class a return annotation names: `X`, `X | None`, `Optional[X]`."""
        if isinstance(annotation, cst.BinaryOperation) and isinstance(
            annotation.operator, cst.BitOr
        ):
            members = _union_members(annotation)
            known = [m for m in members if not (isinstance(m, cst.Name) and m.value == "None")]
            return self._return_class(known[0]) if len(known) == 1 else None
        if (
            isinstance(annotation, cst.Subscript)
            and self.qualified_name(annotation.value) in OPTIONAL_SPELLINGS
        ):
            element = annotation.slice[0].slice if len(annotation.slice) == 1 else None
            return self._return_class(element.value) if isinstance(element, cst.Index) else None
        if isinstance(annotation, cst.Name | cst.Attribute):
            ref = self.class_ref(annotation)
            info = self.classes.get(ref) if ref is not None else None
            if info is not None and info.outer is None:
                return f"{self.module_name}.{ref}"
            return ref if ref is not None and "." in ref and not ref.startswith(".") else None
        return None

    def _instance_made_by(self, value: cst.BaseExpression | None) -> str | None:
        if not isinstance(value, cst.Call):
            return None
        func = value.func
        if isinstance(func, cst.Name) and func.value not in self.imports:
            return local_made(func.value, None, None)  # `session = SessionLocal()`
        if (
            isinstance(func, cst.Attribute)
            and isinstance(func.value, cst.Name)
            and func.value.value not in self.imports
        ):
            return local_made(None, func.value.value, func.attr.value)  # `engine.connect()`
        called = self.qualified_name(value.func)
        first = value.args[0].value if value.args else None
        client = client_made_by(called, self.qualified_name(first) if first is not None else None)
        if client is not None:
            return client  # as `checks.summary._Summarizer._made` reads it
        class_ = keyword_arg(value, "class_")
        return instance_made_by(
            called,
            self.qualified_name(class_.value) if class_ is not None else None,
        )

    # ----------------------------------------------------------------- functions
    @property
    def function(self) -> FunctionInfo | None:
        """The innermost enclosing function or lambda, if any."""
        return self._functions[-1] if self._functions else None

    @property
    def functions(self) -> tuple[FunctionInfo, ...]:
        """The enclosing functions and lambdas, outermost first."""
        return tuple(self._functions)

    def is_parameter(self, name: str) -> bool:
        """Whether `name` is a parameter of the function the walk is in."""
        function = self.function
        if function is None:
            return False
        params = function.node.params
        every = [*params.posonly_params, *params.params, *params.kwonly_params]
        every += [p for p in (params.star_arg, params.star_kwarg) if isinstance(p, cst.Param)]
        return any(param.name.value == name for param in every)

    @property
    def outermost_function(self) -> cst.FunctionDef | None:
        """The outermost function the walk is in, when it is not a method."""
        if not self._functions or self._functions[0].owner is not None:
            return None
        node = self._functions[0].node
        return node if isinstance(node, cst.FunctionDef) else None

    @property
    def in_async_function(self) -> bool:
        """Whether code here runs directly in an `async def` (not a nested def or lambda)."""
        return bool(self._functions) and self._functions[-1].is_async

    @property
    def runs_before_serving(self) -> bool:
        """Whether code here runs directly in a coroutine that runs when the app serves no
        request: an `on_event("startup")` or `("shutdown")` handler, or a lifespan (an
        `@asynccontextmanager` named `*lifespan*` or taking the app, annotated
        `FastAPI`/`Starlette`, or such an async generator function undecorated, which
        Starlette takes as one): the requests wait for none of it, they start after its
        start-up part and end before its shutdown part."""
        if not self.in_async_function:
            return False
        function = self._functions[-1].node
        if not isinstance(function, cst.FunctionDef):
            return False
        for decorator in function.decorators:
            expr = decorator.decorator
            if isinstance(expr, cst.Call):
                if (
                    isinstance(expr.func, cst.Attribute)
                    and expr.func.attr.value == "on_event"
                    and expr.args
                    and string_value(expr.args[0].value) in _LIFECYCLE_EVENTS
                ):
                    return True
            elif self.qualified_name(expr) in _ASYNC_CONTEXT_MANAGERS:
                return self._lifespan_shaped(function)
        # an async generator function given as `lifespan=` as it is (Starlette wraps it,
        # with a deprecation warning: fides' `async def lifespan(app: FastAPI)`)
        return (
            not function.decorators
            and self._lifespan_shaped(function)
            and any(isinstance(node, cst.Yield) for node in own_descendants(function.body))
        )

    def _lifespan_shaped(self, function: cst.FunctionDef) -> bool:
        """Named `*lifespan*`, or taking the app (annotated `FastAPI`/`Starlette`)."""
        params = function.params.params
        annotation = params[0].annotation if params else None
        takes_app = annotation is not None and (
            self.qualified_name(annotation.annotation) in _APP_CLASSES
        )
        return takes_app or "lifespan" in function.name.value.lower()

    @property
    def superseded_revision(self) -> bool:
        """Whether this file is an Alembic revision that another revision of its folder
        builds on (`checks.revisions`): history, where content rules do not report."""
        if self._superseded is None:
            source = self.source
            self._superseded = (
                source is not None
                and b"down_revision" in source
                and revisions.is_superseded(self.path, source)
            )
        return self._superseded

    @property
    def can_await(self) -> bool:
        """Whether an `await` written here runs in the enclosing `async def` as the code
        does: not in a class body inside it (CPython rejects the `await`), nor in a
        generator expression (the `await` would make it an async generator)."""
        if not self.in_async_function:
            return False
        for scope in reversed(self._scopes):
            if scope.is_function:
                return True
            if scope.is_class or scope.is_generator:
                return False
        return False

    @property
    def in_class_body(self) -> bool:
        """Whether code here is directly in a class body (not in one of its methods)."""
        return self._scopes[-1].is_class

    @property
    def enclosing_class(self) -> ClassInfo | None:
        """The innermost class whose body encloses this point, if any."""
        return self._class_stack[-1] if self._class_stack else None

    @property
    def class_stack(self) -> tuple[ClassInfo, ...]:
        """The classes whose bodies enclose this point, outermost first."""
        return tuple(self._class_stack)

    def effective_layer(self) -> str | None:
        """The layer of the code here. A route handler (`@router.get(...)`, also a method of a
        class-based controller) is the route layer wherever it lives; otherwise an enclosing
        `*Service`/`*Repository` class decides, unless its name says it is an HTTP adapter
        (`HttpRepo`, `ApiService`); then the file's path."""
        if any(f.is_route for f in self._functions):
            return "route"
        for info in reversed(self._class_stack):
            for suffix, layer in _CLASS_NAME_LAYERS:
                if info.name.endswith(suffix) and info.name != suffix:
                    if not http_adapter_name(info.name):
                        return layer
                    return self.layer
        return self.layer

    # -------------------------------------------- traversal hooks (called by the engine)
    def enter_function(self, node: cst.FunctionDef | cst.Lambda) -> None:
        """Enter a function body: push it and bind its annotated parameters."""
        owner: ClassInfo | None = None
        if isinstance(node, cst.FunctionDef) and self._class_stack and self._scopes[-1].is_class:
            owner = self._class_stack[-1]
        is_async = isinstance(node, cst.FunctionDef) and node.asynchronous is not None
        is_route = isinstance(node, cst.FunctionDef) and route_decorator(node, self) is not None
        self._functions.append(FunctionInfo(node, is_async, owner, is_route))
        scope = _Scope(is_function=True)
        params = node.params
        positional = [*params.posonly_params, *params.params]
        for param in [*positional, *params.kwonly_params]:
            annotation = param.annotation
            if annotation is not None:
                given = self.dependency_given(param)
                annotated = given if given is not None else annotation.annotation
                scope.bindings[param.name.value] = self.annotation_type(annotated)
            else:
                scope.bindings[param.name.value] = None
        for star in (params.star_arg, params.star_kwarg):
            if isinstance(star, cst.Param):
                scope.bindings[star.name.value] = None
        if owner is not None and positional and isinstance(node, cst.FunctionDef):
            decorators = {dotted_name(d.decorator) for d in node.decorators}
            if not decorators & {"staticmethod", "classmethod"}:
                scope.bindings[positional[0].name.value] = Inferred(owner.name)
        self._scopes.append(scope)

    def exit_function(self) -> None:
        """Leave a function body."""
        self._functions.pop()
        self._scopes.pop()

    def enter_class(self, node: cst.ClassDef) -> None:
        """Enter a class body (registering a class defined inside a function)."""
        info = self.register_class(node, outer=self.enclosing_class)
        self._class_stack.append(info)
        self._scopes.append(_Scope(is_class=True))

    def exit_class(self) -> None:
        """Leave a class body."""
        self._class_stack.pop()
        self._scopes.pop()

    def enter_comprehension(self, generator: bool = False) -> None:
        """Comprehension variables live in their own scope."""
        self._scopes.append(_Scope(is_generator=generator))

    def exit_comprehension(self) -> None:
        """Leave a comprehension."""
        self._scopes.pop()

    # ------------------------------------------------------------------ bindings
    def bind(self, target: cst.BaseExpression, value: Inferred | None) -> None:
        """Bind an assignment target; a tuple target makes its names unknown."""
        if isinstance(target, cst.Name):
            self._scopes[-1].bindings[target.value] = value
        elif isinstance(target, cst.Tuple | cst.List):
            for element in target.elements:
                self.bind(element.value, None)
        elif isinstance(target, cst.StarredElement):
            self.bind(target.value, None)

    def bind_loop_target(self, target: cst.BaseExpression, iterable: cst.BaseExpression) -> None:
        """Bind a `for` target to the element type of what it iterates over."""
        container = self.infer(iterable)
        element = Inferred(container.cls) if container and container.iterable else None
        self.bind(target, element)

    def is_bound(self, name: str) -> bool:
        """Whether a name is bound here by an assignment, a parameter or an import."""
        if name in self.imports or name in self.classes:
            return True
        innermost = len(self._scopes) - 1
        return any(
            name in scope.bindings
            for index, scope in enumerate(self._scopes)
            if not scope.is_class or index == innermost
        )

    def lookup(self, name: str, *, calls: bool = False) -> Inferred | None:
        """What a name is known to hold here (class scopes are invisible to functions);
        with `calls`, also the result of a call of another module's function."""
        innermost = len(self._scopes) - 1
        for index in range(innermost, -1, -1):
            scope = self._scopes[index]
            if scope.is_class and index != innermost:
                continue
            if name in scope.bindings:
                found = scope.bindings[name]
                return None if found is not None and found.call and not calls else found
        return None

    # ----------------------------------------------------------------- inference
    def infer(self, expr: cst.BaseExpression, *, calls: bool = False) -> Inferred | None:
        """What class an expression is known to be an instance of, if any. With `calls`,
        also the result of a call of a function or method of another module, which the
        project index settles (`Inferred.call`)."""
        if calls:
            if isinstance(expr, cst.Await):
                expr = expr.expression
            if isinstance(expr, cst.Name):
                return self.lookup(expr.value, calls=True)
            found = self.infer(expr)
            if found is None:
                found = self._call_result(expr)
            return found if found is not None else self._imported_field(expr)
        if isinstance(expr, cst.Name):
            return self.lookup(expr.value)
        if isinstance(expr, cst.Call):
            func = expr.func
            if isinstance(func, cst.Attribute):
                method = func.attr.value
                if method in INSTANCE_CONSTRUCTORS:
                    ref = self.class_ref(func.value) or self._held_class(func.value)
                    return Inferred(ref) if ref is not None else None
                if method in INSTANCE_COPIERS:
                    copied = self.infer(func.value)
                    return copied if copied is None or not copied.of_class else None
            ref = self.class_ref(func)
            if ref is not None and (
                ref in self.classes or ref in PYDANTIC_MODEL_BASES or _is_class_name(ref)
            ):
                return Inferred(ref)
            held = self._held_class(func) if ref is None else None
            return Inferred(held) if held is not None else None
        if isinstance(expr, cst.Attribute):
            owner = self.infer(expr.value)
            if owner is None or owner.iterable or owner.of_class:
                return None
            info = self.classes.get(owner.cls)
            annotation = info.fields.get(expr.attr.value) if info is not None else None
            return self.annotation_type(annotation) if annotation is not None else None
        if isinstance(expr, cst.ListComp | cst.SetComp | cst.GeneratorExp) and isinstance(
            expr.elt, cst.Call
        ):
            # `[Instrument(name=r.name) for r in rows]`: instances of the one class made
            # (a call, not a name: the comprehension's own names are not bound here)
            element = self.infer(expr.elt)
            if element is not None and not element.iterable and not element.of_class:
                return Inferred(element.cls, iterable=True)
        return None

    def _imported_field(self, expr: cst.BaseExpression) -> Inferred | None:
        """A field of an instance of a class of another module (`org.address` with `org:
        Org` imported): what reading it gives is its annotation in that module's summary,
        which the index reads as a call's result (`ModuleSummary.returns`)."""
        if not isinstance(expr, cst.Attribute):
            return None
        owner = self.infer(expr.value)
        if owner is None or owner.iterable or owner.of_class or owner.call:
            return None
        cls = owner.cls
        if (
            cls in self.classes
            or "." not in cls
            or cls.startswith(".")
            or cls in PYDANTIC_MODEL_BASES
        ):
            return None
        return Inferred(f"{cls}.{expr.attr.value}", call=True)

    def _call_result(self, expr: cst.BaseExpression) -> Inferred | None:
        """A call of an imported function (`find(pk)`), of a method of an imported class
        (`UserDao.get(pk)`), or of a method of an instance of one (`llm.generate(...)`
        with `llm = LLMClient()`): what it returns, for the project index to read."""
        if not isinstance(expr, cst.Call) or not isinstance(expr.func, cst.Name | cst.Attribute):
            return None
        func = expr.func
        if isinstance(func, cst.Attribute):
            owner = self.infer(func.value)
            cls = owner.cls if owner is not None else None
            info = self.classes.get(cls) if cls is not None else None
            if (
                info is not None
                and info.outer is None
                and self.module_name is not None
                and isinstance(func.value, cst.Name)
                and func.value.value == "self"
            ):
                cls = f"{self.module_name}.{cls}"  # `self._check(text)`: this module's class
            if (
                owner is not None
                and cls is not None
                and not owner.iterable
                and not owner.of_class
                and "." in cls
                and not cls.startswith(".")
                and cls not in PYDANTIC_MODEL_BASES
            ):
                return Inferred(f"{cls}.{func.attr.value}", call=True)
        if (
            isinstance(func, cst.Name)
            and self.module_name is not None
            and func.value in self.module_functions()
            and not self.is_bound(func.value)
        ):
            # `evaluate(text)`, a function of this module: its return annotation is in the
            # module's summary, which the index holds
            return Inferred(f"{self.module_name}.{func.value}", call=True)
        ref = self.class_ref(expr.func)
        if ref is None or "." not in ref or ref.startswith("."):
            return None  # a local class, or a name the file cannot follow
        if isinstance(expr.func, cst.Name) and expr.func.value in self.classes:
            return None
        return Inferred(ref, call=True)

    def module_functions(self) -> set[str]:
        """The names the module's top level defines with `def`."""
        found = self.stash("module-functions")
        if not found:
            found.append({s.name.value for s in self.module.body if isinstance(s, cst.FunctionDef)})
        names: set[str] = found[0]
        return names

    def dependency_given(self, param: cst.Param) -> cst.BaseExpression | None:
        """The annotation of what a parameter's dependency gives, when the parameter's own
        annotation says a sync session and the dependency, a function of this module, says
        it gives an async one: FastAPI fills the parameter with what the dependency yields
        or returns, whatever the parameter's annotation says (JohnDoe1996's `db: Session =
        Depends(get_db)` with `async def get_db() -> AsyncGenerator[AsyncSession, None]`:
        an `AsyncSession`, whose unawaited calls FG102 took for blocking ones, reader 68).
        The dependency is the default's `Depends(get_db)`; None otherwise."""
        annotation = param.annotation
        dependency = dependency_of(param.default, self)
        if annotation is None or dependency is None:
            return None
        if not isinstance(dependency, cst.Name) or dependency.value not in self.module_functions():
            return None
        function = [
            s
            for s in self.module.body
            if isinstance(s, cst.FunctionDef) and s.name.value == dependency.value
        ][-1]
        if function.returns is None:
            return None
        given = function.returns.annotation
        if isinstance(given, cst.Subscript) and self.qualified_name(given.value) in _GENERATORS:
            element = given.slice[0].slice if given.slice else None
            if not isinstance(element, cst.Index):
                return None
            given = element.value
        said = self.annotation_type(annotation.annotation)
        gives = self.annotation_type(given)
        if said is None or gives is None or said.iterable or gives.iterable:
            return None
        sync = SESSION_CLASSES - ASYNC_SESSION_CLASSES
        if said.cls in sync and gives.cls in ASYNC_SESSION_CLASSES:
            return given
        return None

    def _held_class(self, expr: cst.BaseExpression) -> str | None:
        """The class a variable or attribute typed `type[M]` holds (`M` or a subclass)."""
        if not isinstance(expr, cst.Name | cst.Attribute):
            return None
        held = self.infer(expr)
        return held.cls if held is not None and held.of_class else None

    def annotation_type(self, annotation: cst.BaseExpression) -> Inferred | None:
        """The class an annotation names (`M`, `M | None`, `Optional[M]`, `list[M]`,
        `type[M]`, ...)."""
        if isinstance(annotation, cst.Name) and annotation.value in self._type_var_bounds:
            if self._reading_bound:
                return None  # a bound that names a type variable: not followed
            self._reading_bound = True
            try:
                return self.annotation_type(self._type_var_bounds[annotation.value])
            finally:
                self._reading_bound = False
        if isinstance(annotation, cst.Name | cst.Attribute):
            ref = self.class_ref(annotation)
            return Inferred(ref) if ref is not None else None
        if isinstance(annotation, cst.SimpleString):
            return self._string_annotation_type(annotation)
        if isinstance(annotation, cst.BinaryOperation) and isinstance(
            annotation.operator, cst.BitOr
        ):
            return self._union_type([annotation.left, annotation.right])
        if isinstance(annotation, cst.Subscript):
            return self._subscript_type(annotation)
        return None

    def _string_annotation_type(self, annotation: cst.SimpleString) -> Inferred | None:
        text = annotation.evaluated_value
        if not isinstance(text, str) or not text.strip():
            return None
        try:
            parsed = cst.parse_expression(text.strip())
        except (cst.ParserSyntaxError, RecursionError, ValueError):
            return None
        return self.annotation_type(parsed)

    def _union_type(self, members: Sequence[cst.BaseExpression]) -> Inferred | None:
        flat: list[cst.BaseExpression] = []
        for member in members:
            if isinstance(member, cst.BinaryOperation) and isinstance(member.operator, cst.BitOr):
                flat.extend((member.left, member.right))
            else:
                flat.append(member)
        known = [m for m in flat if not (isinstance(m, cst.Name) and m.value == "None")]
        return self.annotation_type(known[0]) if len(known) == 1 else None

    def _subscript_type(self, annotation: cst.Subscript) -> Inferred | None:
        elements = [
            element.slice.value
            for element in annotation.slice
            if isinstance(element.slice, cst.Index)
        ]
        if not elements:
            return None
        outer = self.class_ref(annotation.value)
        if outer is None and isinstance(annotation.value, cst.Name):
            value = annotation.value.value
            if value in _BUILTIN_CONTAINERS or value == "type":
                outer = value
        if outer in _TYPE_WRAPPERS:
            return self.annotation_type(elements[0])
        if outer in _CLASS_TYPES:
            inner = self.annotation_type(elements[0])
            if inner is None or inner.iterable or inner.of_class:
                return None
            return Inferred(inner.cls, of_class=True)
        if outer in _UNIONS:
            return self._union_type(elements)
        if outer in _ITERABLES:
            inner = self.annotation_type(elements[0])
            return Inferred(inner.cls, iterable=True) if inner and not inner.iterable else None
        return None


def _union_members(annotation: cst.BaseExpression) -> list[cst.BaseExpression]:
    """`A | B | None` -> [A, B, None]."""
    if isinstance(annotation, cst.BinaryOperation) and isinstance(annotation.operator, cst.BitOr):
        return [*_union_members(annotation.left), *_union_members(annotation.right)]
    return [annotation]


def _module_level_statements(
    statements: Sequence[cst.BaseStatement],
) -> Iterator[cst.BaseStatement]:
    """Statements at module level, looking inside if/try/with blocks (not functions)."""
    for statement in statements:
        yield statement
        if isinstance(statement, cst.If | cst.Try | cst.TryStar | cst.With):
            yield from _module_level_statements(_block_statements(statement.body))
            if isinstance(statement, cst.If) and statement.orelse is not None:
                orelse = statement.orelse
                if isinstance(orelse, cst.If):
                    yield from _module_level_statements([orelse])
                else:
                    yield from _module_level_statements(_block_statements(orelse.body))
            if isinstance(statement, cst.Try | cst.TryStar):
                for handler in statement.handlers:
                    yield from _module_level_statements(_block_statements(handler.body))
                for extra in (statement.orelse, statement.finalbody):
                    if extra is not None:
                        yield from _module_level_statements(_block_statements(extra.body))


def _block_statements(block: cst.BaseSuite) -> Sequence[cst.BaseStatement]:
    if isinstance(block, cst.IndentedBlock):
        return block.body
    return ()


#: What makes a parameter FastAPI's to fill: only FastAPI calls such a function.
_FASTAPI_PARAMETERS = frozenset(
    f"{module}.{name}"
    for module in ("fastapi", "fastapi.params", "fastapi.param_functions")
    for name in ("Header", "Query", "Cookie", "Path", "Body", "Form", "File", "Depends", "Security")
)


def fastapi_parameter(definition: cst.FunctionDef, ctx: FileContext) -> str | None:
    """The FastAPI parameter function one of a function's parameters is declared with
    (`x_token: str = Header(...)`, `user: Annotated[User, Depends(current_user)]`), or
    None."""
    params = definition.params
    for param in [*params.posonly_params, *params.params, *params.kwonly_params]:
        found: list[cst.BaseExpression] = []
        if param.default is not None:
            found.append(param.default)
        annotation = param.annotation.annotation if param.annotation is not None else None
        if isinstance(annotation, cst.Subscript) and ctx.qualified_name(annotation.value) in (
            "typing.Annotated",
            "typing_extensions.Annotated",
        ):
            found.extend(
                element.slice.value
                for element in annotation.slice[1:]
                if isinstance(element.slice, cst.Index)
            )
        for value in found:
            if isinstance(value, cst.Call):
                name = ctx.qualified_name(value.func)
                if name in _FASTAPI_PARAMETERS:
                    return name.rpartition(".")[2]
    return None


def module_definitions(ctx: FileContext) -> frozenset[str]:
    """The names of the functions and classes the module's own statements define."""
    stash = ctx.stash("module-definitions")
    if not stash:
        body = ctx.module.body
        stash.append(
            frozenset(s.name.value for s in body if isinstance(s, cst.FunctionDef | cst.ClassDef))
        )
    found: frozenset[str] = stash[0]
    return found

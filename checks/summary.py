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
import builtins
import functools
import re
import sys
import typing
from collections import Counter
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from typing import NamedTuple

from checks.blocking import (
    BLOCKING,
    BLOCKING_CLIENTS,
    BLOCKING_HTTP,
    BLOCKING_PACKAGES,
    CALLS,
    CLIENT_CONSTRUCTORS,
    CLIENT_FUNCTIONS,
    CLIENT_METHODS,
    CLIENT_OPENERS,
    DERIVATIONS,
    DIGEST_COMPARISONS,
    OPENS,
    PASSWORD_HASHER_MAKERS,
    PASSWORD_HASHERS,
    PASSWORD_HASHING,
    POPEN,
    POPEN_BLOCKING_USES,
    PSUTIL_INTERVALS,
    SYNC_IO_METHODS,
    SYNC_SESSION_OPENERS,
    WAITS_WITH_OPTIONS,
    checked,
    client_made_by,
    client_request,
    is_client_request,
    waits_an_interval,
)
from checks.lazy import lazy_pattern
from checks.newer_syntax import parse
from checks.project import (
    AS_DECLARATIVE,
    CALL_CHAIN,
    CALLED_INSTANCES,
    DECLARATIVE_BASE,
    DECLARATIVE_BASE_FACTORIES,
    ERRORS_MADE_ONCE,
    HELD_CHAIN,
    NO_RETURN,
    STAR,
    TASK_RUNNERS,
    ModuleSummary,
    absolute_module,
    instance_made_by,
    local_made,
    module_instances,
)
from checks.pydantic_target import keeps_v1_layer

#: `X.Config`: the text of a module that may read or extend a model's inner `Config`.
CONFIG_READ = lazy_pattern(rb"\.\s*Config(?![A-Za-z0-9_])")
#: `x.include_router(...)`: the text of a module that may include a router.
#: (the word first, its boundary checked behind it: a pattern that starts with a literal
#: is searched for that literal, twenty times faster than one starting with `\b`)
INCLUDE_ROUTER = lazy_pattern(rb"include_router(?<=\binclude_router)\b")
#: Either: a module other modules' findings depend on without importing it.
READ_ACROSS = lazy_pattern(CONFIG_READ.pattern + rb"|" + INCLUDE_ROUTER.pattern)

FASTAPI_APPS = frozenset({"fastapi.FastAPI", "fastapi.applications.FastAPI"})
FASTAPI_ROUTERS = frozenset({"fastapi.APIRouter", "fastapi.routing.APIRouter"})
#: `Optional[X]`: a return annotation naming `X` (or None).
OPTIONAL_SPELLINGS = frozenset({"typing.Optional", "typing_extensions.Optional"})
_BUILTIN_NAMES = frozenset(dir(builtins))
#: `TypeVar`: a name annotated with a type variable is an instance of its bound.
TYPE_VAR_SPELLINGS = frozenset({"typing.TypeVar", "typing_extensions.TypeVar"})
#: Decorators making a generator function a context manager: what `with f() as x` binds
#: is what it yields.
CONTEXT_MANAGERS = frozenset({"contextlib.contextmanager", "contextlib.asynccontextmanager"})
#: Decorators making a method a property: `self.x` is what a call of the method gives.
PROPERTIES = frozenset({"property", "functools.cached_property"})
#: The text a module defining either holds (a property without a return annotation:
#: an annotated one is read with the module's other annotations), or a generator function
#: a FastAPI dependency may be (`yield`).
CONTEXT_MANAGER_TEXT = lazy_pattern(
    rb"contextmanager|\byield\b"
    rb"|property\s*(?:\#[^\n]*)?\n\s*def\s+\w+\s*\(\s*\w+\s*\)\s*:"
)
#: `Generator[X, ...]`, `Iterator[X]`: the annotation of such a generator, naming `X`.
_ITERATOR_SPELLINGS = frozenset(
    f"{module}.{name}"
    for module in ("typing", "typing_extensions", "collections.abc")
    for name in ("Generator", "Iterator", "Iterable", "AsyncGenerator", "AsyncIterator")
)
#: The longest chain of calls followed for what a context manager yields.
_MAX_CHAIN = 4


def summarize(
    source: bytes, module: str, is_package: bool, tree: ast.Module | None = None
) -> ModuleSummary | None:
    """The summary of a module, or None when CPython cannot parse it (see above); `tree`:
    CPython's tree of `source` when the caller has it (`checks.newer_syntax.parse`'s)."""
    tree = tree if tree is not None else parse(source)
    if tree is None:
        return None
    reads_config = CONFIG_READ.search(source) is not None
    includes = INCLUDE_ROUTER.search(source) is not None
    return _Summarizer(module, is_package).summary(tree, source, reads_config, includes)


def config_refs_of(source: bytes, module: str, is_package: bool) -> frozenset[str]:
    """The classes whose inner `Config` a module reads or extends (`ModuleSummary.
    config_refs`), read with CPython's parser (none when it cannot parse the module): the
    checker's own summary of a file takes them from here, so both summaries agree."""
    if CONFIG_READ.search(source) is None:
        return frozenset()
    summary = summarize(source, module, is_package)
    return summary.config_refs if summary is not None else frozenset()


def router_includes_of(source: bytes, module: str, is_package: bool) -> dict[str, bool]:
    """The routers a module includes (`ModuleSummary.router_includes`), read with
    CPython's parser like `config_refs_of`, and only when its text may include one."""
    if INCLUDE_ROUTER.search(source) is None:
        return {}
    summary = summarize(source, module, is_package)
    return summary.router_includes if summary is not None else {}


def context_manager_returns_of(source: bytes, module: str, is_package: bool) -> dict[str, str]:
    """What the context managers a module defines yield (`_Summarizer._yields`), read
    with CPython's parser like `config_refs_of`, and only when its text may define one:
    the checker's own summary of a file takes them from here."""
    if CONTEXT_MANAGER_TEXT.search(source) is None:
        return {}
    read = _module_read(source, module, is_package)
    return read[1]._yields(read[0].body) if read is not None else {}


def blocking_functions_of(source: bytes, module: str, is_package: bool) -> dict[str, str]:
    """The sync functions of a module that make a blocking call (`ModuleSummary.blocking`),
    read with CPython's parser like `config_refs_of`: the checker's own summary of a file
    that imports one of `BLOCKING_PACKAGES` takes them from here, and so does FG302's
    search of the file's own helpers (`_blocking_functions`: read once for both)."""
    return dict(_blocking_functions(source, module, is_package))


def instance_methods_of(
    source: bytes, module: str, is_package: bool, blocking: Mapping[str, str]
) -> dict[str, str]:
    """The blocking methods of the module's classes (or what they return: any mapping
    keyed by `module.Class.method`) under the names of the module-level instances of them
    (`_Summarizer._instance_methods`), for the checker's own summary of a file, as
    `summarize` gives them for a file it only reads (a file the run parsed with libcst
    lost them: ArthurCoutinho15's `security.verify_password(...)`, reader 126)."""
    if not blocking:
        return {}
    read = _module_read(source, module, is_package)
    if read is None:
        return {}
    return read[1]._instance_methods(blocking, _instance_bindings(read[0].body))


def _instance_bindings(body: Sequence[ast.stmt]) -> list[tuple[str, ast.expr | None]]:
    """Every module-level `name = value` and `name: T = value` (`security: Security =
    Security()`), in order, with its value."""
    found: list[tuple[str, ast.expr | None]] = []
    for statement in _statements(body):
        if isinstance(statement, ast.Assign):
            found.extend(
                (target.id, statement.value)
                for target in statement.targets
                if isinstance(target, ast.Name)
            )
        elif isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
            found.append((statement.target.id, statement.value))
    return found


def held_objects_of(
    source: bytes, module: str, is_package: bool, blocking: Mapping[str, str]
) -> tuple[dict[str, str], dict[str, tuple[str, ...]], dict[str, tuple[str, ...]]]:
    """What the instances of a module's classes hold and do with it (`ModuleSummary.held`,
    `.members`, `.uses`), read with CPython's parser like `config_refs_of`, and only when
    its text defines a class."""
    if b"class " not in source:
        return {}, {}, {}
    read = _module_read(source, module, is_package)
    return read[1]._held_objects(read[0].body, blocking) if read is not None else ({}, {}, {})


def client_methods_of(
    source: bytes,
    module: str,
    is_package: bool,
    blocking: Mapping[str, str],
    held: Mapping[str, str],
    uses: Mapping[str, tuple[str, ...]],
) -> dict[str, str]:
    """`_Summarizer._through_clients` for the checker's own summary of a file (read with
    CPython's parser, as `held_objects_of`)."""
    if not uses or not any(made in BLOCKING_CLIENTS for made in held.values()):
        return {}
    read = _module_read(source, module, is_package)
    return read[1]._through_clients(read[0].body, blocking, held, uses) if read else {}


@functools.lru_cache(maxsize=1)
def _blocking_functions(source: bytes, module: str, is_package: bool) -> dict[str, str]:
    read = _module_read(source, module, is_package)
    return read[1]._blocking(read[0].body) if read is not None else {}


def _sends_through(made: ast.Call, function: ast.FunctionDef) -> bool:
    """Whether a function uses the client a call of it makes: opens it in a `with` that
    names it (`with httpx.Client() as client:`; not one that binds nothing, whose body
    sends through something else: Cosmln23's `with httpx.Client(timeout=3.0):` around
    `resend.Emails.send(...)`, reader 223), calls a method on it (`httpx.Client().get(url)`),
    or binds it to a name it calls a method of (`client = httpx.Client()`, then
    `client.get(url)`)."""
    names: set[str] = set()
    for node in _own_nodes(function):
        if isinstance(node, ast.With) and any(
            item.context_expr is made and item.optional_vars is not None for item in node.items
        ):
            return True
        if isinstance(node, ast.Assign) and node.value is made:
            names.update(target.id for target in node.targets if isinstance(target, ast.Name))
    for node in _own_nodes(function):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            receiver = node.func.value
            if receiver is made or (isinstance(receiver, ast.Name) and receiver.id in names):
                return True
    return False


def _module_read(
    source: bytes, module: str, is_package: bool
) -> tuple[ast.Module, _Summarizer] | None:
    """A module's tree, and a summarizer that has read its imports and classes (None:
    CPython cannot parse it)."""
    # newer syntax rewritten (`checks.newer_syntax`): type parameters, `type` statements
    # and 3.14's `except A, B:` change no fact a summary holds
    tree = parse(source)
    if tree is None:
        return None
    summarizer = _Summarizer(module, is_package)
    for statement in _statements(tree.body):
        if isinstance(statement, ast.Import | ast.ImportFrom):
            summarizer._record_import(statement)
        elif isinstance(statement, ast.ClassDef):
            summarizer._register(statement, nested=False)
    summarizer.clients = _sync_clients(
        module_instances(
            (name, summarizer._made(value)) for name, value in _instance_bindings(tree.body)
        )
    )
    return tree, summarizer


class AwaitingCoroutine(NamedTuple):
    """A coroutine function of a module, as the search for the public routes that await
    a coroutine reads it (`ProjectIndex.awaited_by_public_route`)."""

    #: a route that takes no credential (`checks.public_routes.takes_no_credential`)
    public: bool
    #: the calls it awaits, named as the project index follows them: `app.crud.create`,
    #: `app.services.UserService.register` (of a parameter annotated with the class),
    #: `()app.deps.get_service|register` (of `Depends(get_service)`),
    #: `()@app.services.AuthService.repo|create` (of `self.repo`)
    awaits: tuple[str, ...]


def coroutines_of(source: bytes, module: str, is_package: bool) -> dict[str, AwaitingCoroutine]:
    """The module-level coroutine functions and the coroutine methods of the module-level
    classes of a module, by qualified name (`app.api.auth.register`,
    `app.services.auth.AuthService.register`), read with CPython's parser (none when it
    cannot parse the module)."""
    # (its routes read as `checks.public_routes` does: imported here, as that module
    # imports `checks.structure`, which imports this one through `checks.context`)
    from checks.public_routes import takes_no_credential

    read = _module_read(source, module, is_package)
    if read is None:
        return {}
    tree, summarizer = read
    body = tree.body
    found: dict[str, AwaitingCoroutine] = {}
    for statement in body:
        if isinstance(statement, ast.AsyncFunctionDef):
            found[f"{module}.{statement.name}"] = AwaitingCoroutine(
                takes_no_credential(statement, body, summarizer._qualified),
                _awaited(statement, None, body, summarizer),
            )
        elif isinstance(statement, ast.ClassDef):
            for inner in statement.body:
                if isinstance(inner, ast.AsyncFunctionDef):
                    found[f"{module}.{statement.name}.{inner.name}"] = AwaitingCoroutine(
                        False, _awaited(inner, statement.name, body, summarizer)
                    )
    return found


def _awaited(
    function: ast.AsyncFunctionDef,
    owner: str | None,
    body: Sequence[ast.stmt],
    summarizer: _Summarizer,
) -> tuple[str, ...]:
    """What a coroutine function awaits (`AwaitingCoroutine.awaits`), in its own body."""
    module = summarizer.module
    arguments = function.args
    positional = [*arguments.posonlyargs, *arguments.args]
    defaults: list[ast.expr | None] = [None] * (len(positional) - len(arguments.defaults))
    defaults += arguments.defaults
    parameters = {
        arg.arg: (arg.annotation, default)
        for arg, default in (
            *zip(positional, defaults, strict=True),
            *zip(arguments.kwonlyargs, arguments.kw_defaults, strict=True),
        )
    }
    defined = {
        s.name for s in body if isinstance(s, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
    }
    made = dict(_instance_bindings(body))
    local: dict[str, list[ast.expr]] = {}
    pending: list[ast.AST] = list(function.body)
    awaited: list[ast.Call] = []
    while pending:
        node = pending.pop()
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda | ast.ClassDef):
            continue
        if isinstance(node, ast.Await) and isinstance(node.value, ast.Call):
            awaited.append(node.value)
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    local.setdefault(target.id, []).append(node.value)
        pending.extend(ast.iter_child_nodes(node))

    def made_class(value: ast.expr | None) -> str | None:
        """The class a call of the module's or an import's class gives."""
        if not isinstance(value, ast.Call):
            return None
        ref = summarizer._class_ref(value.func)
        if ref is None or not is_class_name(ref.rpartition(".")[2]):
            return None
        return f"{module}.{ref}" if ref in summarizer.classes else ref

    def callee(func: ast.expr) -> str | None:
        if isinstance(func, ast.Name):
            if func.id in parameters or func.id in local:
                return None
            if func.id in defined:
                return f"{module}.{func.id}"
            return summarizer.imports.get(func.id)
        if not isinstance(func, ast.Attribute):
            return None
        method, receiver = func.attr, func.value
        if isinstance(receiver, ast.Name):
            name = receiver.id
            if name == "self" and owner is not None:
                return f"{module}.{owner}.{method}"
            if name in parameters:
                annotation, default = parameters[name]
                held = summarizer._held_class(annotation) if annotation is not None else None
                if held is not None:
                    return f"{held}.{method}"
                dependency = _dependency(default, summarizer)
                return f"{CALL_CHAIN}{dependency}|{method}" if dependency else None
            if name in local:
                values = local[name]
                cls = made_class(values[0]) if len(values) == 1 else None
                return f"{cls}.{method}" if cls is not None else None
            if name in made:
                cls = made_class(made[name])
                return f"{cls}.{method}" if cls is not None else None
            if name in defined:
                return f"{module}.{name}.{method}"
            imported = summarizer.imports.get(name)
            return f"{imported}.{method}" if imported is not None else None
        if (
            isinstance(receiver, ast.Attribute)
            and isinstance(receiver.value, ast.Name)
            and receiver.value.id == "self"
            and owner is not None
        ):
            return f"{HELD_CHAIN}{module}.{owner}.{receiver.attr}|{method}"
        cls = made_class(receiver)
        if cls is not None:
            return f"{cls}.{method}"
        chain = summarizer._qualified(receiver)
        return f"{chain}.{method}" if chain is not None else None

    return tuple(dict.fromkeys(ref for call in awaited if (ref := callee(call.func)) is not None))


def _dependency(default: ast.expr | None, summarizer: _Summarizer) -> str | None:
    """The function or class of the project a parameter's `Depends(...)` names."""
    if not isinstance(default, ast.Call) or summarizer._qualified(default.func) not in (
        "fastapi.Depends",
        "fastapi.params.Depends",
    ):
        return None
    if not default.args:
        return None
    named = default.args[0]
    if isinstance(named, ast.Name) and named.id not in summarizer.imports:
        return f"{summarizer.module}.{named.id}"
    return summarizer._qualified(named)


def _sync_clients(instances: Mapping[str, str]) -> dict[str, str]:
    """The module-level names bound to a sync client of `BLOCKING_CLIENTS`, with its class
    (`_Summarizer.clients`)."""
    return {name: made for name, made in instances.items() if made in BLOCKING_CLIENTS}


#: The text of a call of one of `os`'s blocking functions (`os.system(`, `spawnv(`).
#: A `with` statement whose item may be a call (`with get_sync_db_session() as s:`).
_WITH_CALL = lazy_pattern(rb"\bwith\s[^\n]*\(")
#: ...or assigns what a call gives and queries a session (`db = SessionLocal()`, then
#: `db.commit()`: `_blocking` asks the index what the call opens).
_ASSIGNED_CALL = lazy_pattern(rb"(?m)^[ \t]+(\w+)\s*=\s*[\w.]+\(")
_QUERY_METHOD = rb"\.(?:execute|exec|scalars?|query|get_one|commit|rollback|flush|refresh|merge)\("
_SESSION_QUERY = lazy_pattern(_QUERY_METHOD)
#: The name just before a query's dot (a pattern that starts at every word is slow over a
#: whole text: the receiver is read back from each query found).
_RECEIVER = lazy_pattern(rb"(\w+)$")
#: An import inside a block (a function's own), with its package's top name.
_INDENTED_IMPORT = lazy_pattern(rb"(?m)^[ \t]+(?:from|import)[ \t]+(\w+)")
#: A method called on a plain name, at the start of a line's expression or after `(`,
#: `=`, `return` (`redis_client.get(`): the name, for `imports_blocking`.
_OBJECT_METHOD_CALL = lazy_pattern(rb"(?<![\w.])([a-z_]\w*)\.[a-z_]\w*\(")
_OS_BLOCKING_TEXT = lazy_pattern(rb"\b(?:system|popen|spawn\w*|posix_spawnp?|wait\w*)\s*\(")


#: A function's name that may hash or check a password (`verify_password`,
#: `get_password_hash`, `check_pwd`): a call of one imported from another module is
#: recorded for the project index to follow (`CALLS`).
_PASSWORD_HELPER = lazy_pattern(r"passw|pwd|hash", re.IGNORECASE)


#: A call of such a function through a name (`security.verify_password(`), or of a method
#: of such an object of a module (`crypto.pwd_context.verify(`), with the name.
_MODULE_PASSWORD_CALL = lazy_pattern(
    rb"\b(\w+)\.\w*(?:passw|pwd|hash)\w*(?:\.\w+)?\s*\(", re.IGNORECASE
)


def imports_blocking(imports: dict[str, str], source: bytes) -> bool:
    """Whether a module may make one of the blocking calls: its imports (local name ->
    qualified name) name a package of `BLOCKING_PACKAGES` (for `os`, which most modules
    import, only with the text of a call of one of its blocking functions), or it opens
    what a call gives in a `with` statement (`with get_sync_db_session() as session:`,
    an imported context manager that may give a sync session)."""
    tops = {qualified.partition(".")[0] for qualified in imports.values()}
    if imports and _WITH_CALL.search(source) is not None:
        return True
    if any(_PASSWORD_HELPER.search(local) for local in imports):
        return True  # a password helper of another module may be called (`CALLS`)
    if imports and any(
        found[1].decode() in imports for found in _MODULE_PASSWORD_CALL.finditer(source)
    ):
        return True  # ...through its module (`security.verify_password(...)`)
    if imports and _SESSION_QUERY.search(source) is not None:
        queried = {
            found[1]
            for query in _SESSION_QUERY.finditer(source)
            if (found := _RECEIVER.search(source, max(0, query.start() - 64), query.start()))
        }
        if queried.intersection(_ASSIGNED_CALL.findall(source)):
            return True  # the same name assigned a call's result and queried
    if imports and any(
        (qualified := imports.get(found[1].decode())) is not None
        and "." in qualified
        and qualified.rpartition(".")[2][:1].islower()
        and qualified.partition(".")[0] not in sys.stdlib_module_names
        for found in _OBJECT_METHOD_CALL.finditer(source)
    ):
        return True  # a method of another module's object (`redis_client.get(key)`: `CALLS`)
    if not tops & (BLOCKING_PACKAGES - {"os"}):
        # and a function's own imports (`from litellm import completion` in its body),
        # read only where the module's own do not decide
        tops.update(top.decode() for top in _INDENTED_IMPORT.findall(source))
    if not tops & BLOCKING_PACKAGES:
        return False
    return bool(tops & (BLOCKING_PACKAGES - {"os"})) or (
        _OS_BLOCKING_TEXT.search(source) is not None
    )


def name_aliases(
    bindings: Sequence[tuple[str, str | None]],
    defined: Collection[str],
    imports: Mapping[str, str],
    module: str,
) -> dict[str, str]:
    """The module-level names bound once to another name (`bindings`: each `name = value`,
    with the value's name when it is a bare name) that the module defines (`defined`:
    functions and classes) or imports: `get_session_with_shared_schema =
    get_catalog_session`, recorded as a re-export of what it names. Both summaries of a
    module read them here."""
    counted = Counter(name for name, _ in bindings)
    found: dict[str, str] = {}
    for name, value in bindings:
        if counted[name] != 1 or name in imports or name in defined or value is None:
            continue
        if value in imports:
            found[name] = imports[value]
        elif value in defined:
            found[name] = f"{module}.{value}"
    return found


def _polls(call: ast.Call, called: str) -> bool:
    """`os.waitpid(-1, os.WNOHANG)`: a wait told not to hang returns at once; and psutil's
    `cpu_percent()` given no positive `interval` (as FG303's `_polls` reads it in the file
    it checks)."""
    if called in PSUTIL_INTERVALS:
        given = [k.value for k in call.keywords if k.arg == "interval"] or call.args[:1]
        return not (
            given and isinstance(given[0], ast.Constant) and waits_an_interval(given[0].value)
        )
    return called in WAITS_WITH_OPTIONS and any(
        (isinstance(node, ast.Name) and node.id == "WNOHANG")
        or (isinstance(node, ast.Attribute) and node.attr == "WNOHANG")
        for arg in call.args
        for node in ast.walk(arg)
    )


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


def _union_members(annotation: ast.expr) -> list[ast.expr]:
    """`A | B | None` -> [A, B, None]."""
    if isinstance(annotation, ast.BinOp) and isinstance(annotation.op, ast.BitOr):
        return [*_union_members(annotation.left), *_union_members(annotation.right)]
    return [annotation]


def _passes(call: ast.Call, keyword: str, constant: str) -> bool:
    """Whether a call passes `keyword=constant` (`include_in_schema=False`)."""
    return any(
        given.arg == keyword
        and isinstance(given.value, ast.Constant)
        and repr(given.value.value) == constant
        for given in call.keywords
    )


def _dotted(expr: ast.expr) -> str | None:
    if isinstance(expr, ast.Name):
        return expr.id
    if isinstance(expr, ast.Attribute):
        head = _dotted(expr.value)
        return None if head is None else f"{head}.{expr.attr}"
    return None


#: `Annotated[T, ...]`: an alias of `T` with metadata (`Depends(...)`).
_ANNOTATED = frozenset({"typing.Annotated", "typing_extensions.Annotated"})


class _Summarizer:
    def __init__(self, module: str, is_package: bool) -> None:
        self.module = module
        self.package = module if is_package else (module.rpartition(".")[0] or None)
        self.imports: dict[str, str] = {}
        #: class name -> (bases, whether it is nested in another class)
        self.classes: dict[str, tuple[tuple[str | None, ...], bool]] = {}
        #: the module-level names bound to a sync client of `BLOCKING_CLIENTS`, with its
        #: class (`model = genai.GenerativeModel(...)`), for `_init_held`
        self.clients: dict[str, str] = {}

    def summary(
        self,
        tree: ast.Module,
        source: bytes,
        reads_config: bool = False,
        includes: bool = False,
    ) -> ModuleSummary:
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
        self.clients = _sync_clients(instances)
        config_refs = self._config_refs(tree.body, None) if reads_config else ()
        returns = self._returns(tree.body)
        returns.update(self._instance_methods(returns, _instance_bindings(tree.body)))
        router_includes = self._router_includes(tree) if includes else {}
        blocking = self._blocking(tree.body) if imports_blocking(self.imports, source) else {}
        if blocking:
            blocking.update(self._instance_methods(blocking, _instance_bindings(tree.body)))
        held, members, uses = self._held_objects(tree.body, blocking)
        blocking.update(self._through_clients(tree.body, blocking, held, uses))
        # a sync client an instance of a class of the module holds, under the module-level
        # name bound to that instance (`minio_service.client` of `minio_service =
        # MinIOService()`, whose `__init__` makes `self.client = Minio(...)`): another
        # module's `minio_service.client.put_object(...)` (ally360's uploads, reader 148)
        clients = {key: made for key, made in held.items() if made in BLOCKING_CLIENTS}
        held_clients = (
            self._instance_methods(clients, _instance_bindings(tree.body)) if clients else {}
        )
        return ModuleSummary(
            prefix,
            summary_classes,
            {
                **self._annotated_aliases(bindings),
                **self._name_aliases(bindings, tree.body),
                **self.imports,
            },
            {
                **held_clients,
                **{f"{prefix}.{name}": made for name, made in instances.items()},
            },
            frozenset(config_refs),
            returns,
            router_includes,
            blocking,
            held,
            members,
            uses,
        )

    def _through_clients(
        self,
        body: Sequence[ast.stmt],
        blocking: Mapping[str, str],
        held: Mapping[str, str],
        uses: Mapping[str, tuple[str, ...]],
    ) -> dict[str, str]:
        """The sync methods that make a request through a sync client their instance
        holds (`self.model.generate_content(...)` of `self.model = model`, a
        `genai.GenerativeModel`: kodzimk's quiz generator, reader 157), with that request,
        also under the names of the module-level instances of their classes
        (`ai_quiz_generator.generate_questions`), for `ModuleSummary.blocking`."""
        found: dict[str, str] = {}
        for key, used in uses.items():
            if key in blocking and not blocking[key].startswith(CALLS):
                continue  # (a request through a held client says more than a call asked)
            owner = key.rpartition(".")[0]
            for use in used:
                attribute, dot, called = use.partition(".")
                client = held.get(f"{owner}.{attribute}") if dot and attribute else None
                request = client_request(client, [called]) if client is not None else None
                if request is not None:
                    found[key] = request
                    break
        if found:
            found.update(self._instance_methods(found, _instance_bindings(body)))
        return found

    def _held_objects(
        self, body: Sequence[ast.stmt], blocking: Mapping[str, str]
    ) -> tuple[dict[str, str], dict[str, tuple[str, ...]], dict[str, tuple[str, ...]]]:
        """What the instances of the module-level classes hold and do with it, for the
        project index to follow a sync method through the objects it holds (phan-tang's
        `ProductService.list` calling `self.repository.list(...)`, whose class's base
        holds `db: Session` and queries it): `ModuleSummary.held`, `.members` and
        `.uses`."""
        held: dict[str, str] = {}
        members: dict[str, tuple[str, ...]] = {}
        uses: dict[str, tuple[str, ...]] = {}
        for statement in _statements(body):
            if not isinstance(statement, ast.ClassDef):
                continue
            owner = f"{self.module}.{statement.name}"
            methods = [
                inner
                for inner in statement.body
                if isinstance(inner, ast.FunctionDef | ast.AsyncFunctionDef)
            ]
            if statement.bases:
                members[owner] = tuple(dict.fromkeys(method.name for method in methods))
            for inner in statement.body:
                if isinstance(inner, ast.AnnAssign) and isinstance(inner.target, ast.Name):
                    typed = self._held_class(inner.annotation)
                    if typed is not None:
                        held[f"{owner}.{inner.target.id}"] = typed
            in_body: dict[str, str] = {}
            bound = Counter(
                target.id
                for inner in statement.body
                if isinstance(inner, ast.Assign | ast.AnnAssign)
                for target in (inner.targets if isinstance(inner, ast.Assign) else [inner.target])
                if isinstance(target, ast.Name)
            )
            for inner in statement.body:
                if (
                    isinstance(inner, ast.Assign)
                    and len(inner.targets) == 1
                    and isinstance(inner.targets[0], ast.Name)
                    and bound[inner.targets[0].id] == 1
                    and isinstance(inner.value, ast.Call)
                    and isinstance(inner.value.func, ast.Name | ast.Attribute)
                ):
                    # an object the class body makes once, which every instance reads
                    # (`security = Security()` in ipLance-digital's `BaseApi`: reader 174)
                    made = self._return_class(inner.value.func)
                    if made is not None and _is_capitalized(made):
                        in_body[f"{owner}.{inner.targets[0].id}"] = made
            for method in methods:
                if method.name == "__init__":
                    for attribute, typed in self._init_held(method).items():
                        held.setdefault(f"{owner}.{attribute}", typed)
            for key, made in in_body.items():
                held.setdefault(key, made)  # (what `__init__` binds hides it)
            for method in methods:
                key = f"{owner}.{method.name}"
                if isinstance(method, ast.AsyncFunctionDef) or (
                    key in blocking and not blocking[key].startswith((OPENS, CALLS))
                ):
                    continue  # (what it opens or calls may block nothing: the index asks)
                found = _held_uses(method)
                if found:
                    uses[key] = found
        return held, members, uses

    def _held_class(self, annotation: ast.expr) -> str | None:
        """The class an attribute's annotation names (`Annotated[Repo, Depends()]`: `Repo`)."""
        if (
            isinstance(annotation, ast.Subscript)
            and self._qualified(annotation.value) in _ANNOTATED
        ):
            inner = annotation.slice
            if isinstance(inner, ast.Tuple) and inner.elts:
                return self._return_class(inner.elts[0])
        return self._return_class(annotation)

    def _init_held(self, init: ast.FunctionDef | ast.AsyncFunctionDef) -> dict[str, str]:
        """The `self.x` attributes whose class `__init__` shows: `self.x: T = ...`,
        `self.x = param` of an annotated parameter, `self.x = Repo(...)` of a class."""
        arguments = [*init.args.posonlyargs, *init.args.args]
        if not arguments:
            return {}
        owner = arguments[0].arg
        annotations = {
            argument.arg: argument.annotation
            for argument in [*arguments[1:], *init.args.kwonlyargs]
            if argument.annotation is not None
        }
        found: dict[str, str] = {}
        for node in _own_nodes(init):
            targets: list[ast.expr] = []
            typed: str | None = None
            if isinstance(node, ast.AnnAssign):
                targets, typed = [node.target], self._held_class(node.annotation)
            elif isinstance(node, ast.Assign):
                targets, value = node.targets, node.value
                if isinstance(value, ast.Name) and value.id in annotations:
                    typed = self._held_class(annotations[value.id])
                elif isinstance(value, ast.Name) and value.id in self.clients:
                    # a sync client the module made (`self.model = model` of `model =
                    # genai.GenerativeModel(...)`: kodzimk's quiz generator, reader 157)
                    typed = self.clients[value.id]
                elif isinstance(value, ast.Name) and not _is_capitalized(value.id):
                    # another module's object (`self.session = session` of `from
                    # carnage.database.session import session`, a `sessionmaker`)
                    typed = self.imports.get(value.id)
                elif isinstance(value, ast.Call) and isinstance(
                    value.func, ast.Name | ast.Attribute
                ):
                    made = self._return_class(value.func)
                    typed = made if made is not None and _is_capitalized(made) else None
            if typed is None:
                continue
            for target in targets:
                if (
                    isinstance(target, ast.Attribute)
                    and isinstance(target.value, ast.Name)
                    and target.value.id == owner
                ):
                    found.setdefault(target.attr, typed)
        return found

    def _instance_methods(
        self, blocking: Mapping[str, str], bindings: Sequence[tuple[str, ast.expr | None]]
    ) -> dict[str, str]:
        """The blocking methods of a module-level class, also under the module-level name
        bound once to its instance (`user_service = UserService()`, then another module's
        `user_service.change_password(...)`, as hng-boilerplate's routes call theirs); so
        too what its methods return or yield (`with db_manager.get_session() as session:`
        of `db_manager = DatabaseManager()`: aajmot's routes, reader 132)."""
        counted = Counter(name for name, _ in bindings)
        found: dict[str, str] = {}
        for name, value in bindings:
            if counted[name] != 1 or not isinstance(value, ast.Call):
                continue
            func = value.func
            known = self.classes.get(func.id) if isinstance(func, ast.Name) else None
            if known is None or known[1]:
                continue  # not a module-level class of this module
            assert isinstance(func, ast.Name)
            owner = f"{self.module}.{func.id}."
            for key, made in blocking.items():
                method = key[len(owner) :] if key.startswith(owner) else ""
                if method and "." not in method:
                    found[f"{self.module}.{name}.{method}"] = made
        return found

    def _blocking(self, body: Sequence[ast.stmt]) -> dict[str, str]:
        """Each sync module-level function and sync method of a module-level class whose
        own body calls one of `BLOCKING` (`requests.get`, `subprocess.run`; not a function
        it defines, which may run in a thread), with the first such call's name, as FG302's
        and FG303's same-module helpers are found; else, one that makes a sync session
        (`Session(engine)`: `SYNC_SESSION_OPENERS`), with that class (FG102)."""
        found: dict[str, str] = {}
        hashers = self._password_hashers(body)
        clients = self._sync_clients(body)
        #: the sync functions that make none, with the helpers of the module they call
        pending: list[tuple[str, list[str]]] = []
        #: and the password helpers of other modules they call (`CALLS`)
        imported_helpers: dict[str, list[str]] = {}
        once = {
            name
            for name, function in _module_functions(body)
            if isinstance(function, ast.FunctionDef) and _made_once(function) is not None
        }
        for name, function in _module_functions(body):
            if isinstance(function, ast.AsyncFunctionDef):
                continue
            calls = []
            sessions = []
            opened: list[str] = []
            # a generator function's call runs none of its body: what it is given to runs
            # it (`StreamingResponse(iter_archive(...))`, iterated in Starlette's
            # threadpool); its blocking calls are not the caller's (its sessions are asked
            # as before: `next(get_db())` runs up to the session's `yield`)
            generator = False
            own = list(_own_nodes(function))
            # the function's own imports (`from litellm import completion` in its body, as
            # crawl4ai's helper imports it) name its calls, as libcst's scopes read them
            module_imports = self.imports
            local = [node for node in own if isinstance(node, ast.Import | ast.ImportFrom)]
            if local:
                self.imports = dict(module_imports)
                for statement in local:
                    self._record_import(statement)
            # `db = SessionLocal()` then `db.commit()`: what an imported factory opens,
            # queried in the function (hei's `record_auth_log`), asked as a `with`'s is
            assigned: list[tuple[str, ast.Call]] = []
            queried: set[str] = set()
            receivers = self._client_receivers(name, function, own, clients)
            #: functions of other modules it calls, named like password helpers
            helpers_imported: list[str] = []
            #: methods of other modules' objects it calls
            objects_imported: list[str] = []
            for node in own:
                if isinstance(node, ast.Yield | ast.YieldFrom):
                    generator = True
                elif isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
                    assigned.extend(
                        (target.id, node.value)
                        for target in node.targets
                        if isinstance(target, ast.Name)
                    )
                elif isinstance(node, ast.With):
                    opened.extend(
                        called
                        for item in node.items
                        if isinstance(item.context_expr, ast.Call)
                        and (called := self._qualified(item.context_expr.func)) is not None
                        and called not in SYNC_SESSION_OPENERS
                    )
                if not isinstance(node, ast.Call):
                    continue
                func = node.func
                if (
                    isinstance(func, ast.Attribute)
                    and isinstance(func.value, ast.Name)
                    and func.attr in SYNC_IO_METHODS
                ):
                    queried.add(func.value.id)
                # a request through a sync client first (`s3.put_object(...)` on the
                # module's `s3 = boto3.client("s3")`), which a qualified name would hide
                called = (
                    _client_call(node.func, receivers)
                    or self._qualified(node.func)
                    or self._hashes(node.func, hashers, name.rpartition(".")[0])
                )
                if called is None:
                    continue
                if "." in called and (
                    (
                        isinstance(node.func, ast.Name)
                        and _PASSWORD_HELPER.search(node.func.id) is not None
                    )
                    # through the module imported (`security.verify_password(...)` of
                    # `from app.commons import security`: o4codes' `AuthService`, reader 90)
                    # or a method of a hasher another module makes (`pwd_context.verify(...)`
                    # of `from app.config import pwd_context`: DorLex's, reader 96)
                    or (
                        isinstance(node.func, ast.Attribute)
                        and isinstance(node.func.value, ast.Name)
                        and node.func.value.id in self.imports
                        and (
                            _PASSWORD_HELPER.search(node.func.attr) is not None
                            or _PASSWORD_HELPER.search(node.func.value.id) is not None
                        )
                    )
                    # or of a hasher of a module imported (`crypto.pwd_context.verify(...)`
                    # of `from utils import crypto`: musashimiyomoto's, reader 137)
                    or (
                        isinstance(node.func, ast.Attribute)
                        and isinstance(node.func.value, ast.Attribute)
                        and isinstance(node.func.value.value, ast.Name)
                        and node.func.value.value.id in self.imports
                        and _PASSWORD_HELPER.search(node.func.value.attr) is not None
                    )
                ):
                    helpers_imported.append(called)
                elif (
                    isinstance(node.func, ast.Attribute)
                    and isinstance(node.func.value, ast.Name)
                    and node.func.value.id in self.imports
                    # imported from a module by its name (`import time` is a module), not
                    # the standard library's (`datetime.now()` of `from datetime import
                    # datetime`)
                    and "." in self.imports[node.func.value.id]
                    and self.imports[node.func.value.id].partition(".")[0]
                    not in sys.stdlib_module_names
                    and not _is_capitalized(node.func.value.id)
                    and called not in BLOCKING
                    and not is_client_request(called)
                ):
                    # a method of another module's object (`redis_client.get(key)` of
                    # `from app.cache import redis_client`, `llm.invoke(...)` of a chat
                    # model another module makes): the index asks whether it is a sync
                    # client's request (`ProjectIndex.blocking_call`)
                    objects_imported.append(called)
                if called in CLIENT_CONSTRUCTORS and not _sends_through(node, function):
                    continue  # a client made and handed on: no request here
                if (
                    (called in BLOCKING or is_client_request(called))
                    and called not in CLIENT_FUNCTIONS  # (a factory: the request comes after)
                    and not _polls(node, called)
                ):
                    calls.append((node.lineno, node.col_offset, called))
                elif called in SYNC_SESSION_OPENERS:
                    sessions.append((node.lineno, node.col_offset, called))
            opened.extend(
                called
                for name, value in assigned
                if name in queried
                and (called := self._qualified(value.func)) is not None
                and called not in SYNC_SESSION_OPENERS
            )
            self.imports = module_imports
            if generator:
                calls.clear()
            if any(call[2] == POPEN for call in calls) and not any(
                isinstance(node, ast.Attribute) and node.attr in POPEN_BLOCKING_USES for node in own
            ):
                calls = [call for call in calls if call[2] != POPEN]  # started, not waited
            if calls or sessions:
                first = min(calls or sessions)[2]
                if first in DERIVATIONS:  # hashed to compare with a stored hash: a check
                    first = checked(
                        first,
                        any(
                            isinstance(node, ast.Call)
                            and self._qualified(node.func) in DIGEST_COMPARISONS
                            for node in own
                        ),
                    )
                found[f"{self.module}.{name}"] = first
            elif opened:
                # `with get_sync_db_session() as session:`: the index asks what the
                # imported context manager gives (`ProjectIndex._gives`)
                found[f"{self.module}.{name}"] = OPENS + ",".join(dict.fromkeys(opened))
            elif not generator:
                # (not a getter that makes the module's client on its first call alone:
                # what it sends then, once per process, is no call of its callers')
                helpers = [h for h in _helpers_called(name, function) if h not in once]
                pending.append((name, helpers))
                if helpers_imported or objects_imported:
                    imported_helpers[name] = helpers_imported + objects_imported
        # then each that calls one of those that hashes a password, until none is added
        # (`authenticate_user` calls `verify_password`, which calls `pwd_context.verify`),
        # as FG303's same-module helpers are found
        # (and a request through a sync client: agfianf's `RedisHelper.is_token_revoked`
        # calling `self.get_data`, which calls `self.redis.get`, reader 83)
        # (and an HTTP request: ta-na-mao's `buscar_farmacia` calling `_obter_ibge_por_cep`,
        # which calls `httpx.get(...)` on every postcode, reader 150)
        self._through_helpers(
            found,
            pending,
            lambda made: (
                made in PASSWORD_HASHING or is_client_request(made) or made in BLOCKING_HTTP
            ),
        )
        # a function that calls a password helper of another module (`User.check_password`
        # calling `verify_password` of `app.core.password`, uuipdemo's): the project index
        # asks what that helper does (`ProjectIndex.blocking_call`)
        for name, helpers in imported_helpers.items():
            key = f"{self.module}.{name}"
            if key not in found:
                found[key] = CALLS + ",".join(dict.fromkeys(helpers))
        # and one that calls such a function of its module (Sanoy24's `UserService.login`
        # calling `self.authenticate_user`, which calls `app.utils.security.
        # verify_password`, reader 82): asked the same way
        self._through_helpers(found, pending, lambda made: made.startswith(CALLS))
        # the hasher itself, whose methods other modules call (djccnt15's
        # `security.pwd_context.verify(...)` in an async login, reader 75)
        for name, cls in hashers.items():
            if ".self." in name:
                continue  # an instance's, not the module's
            for method in PASSWORD_HASHERS[cls]:
                found.setdefault(f"{self.module}.{name}.{method}", f"{cls}.{method}")
        return found

    def _through_helpers(
        self,
        found: dict[str, str],
        pending: list[tuple[str, list[str]]],
        passes: Callable[[str], bool],
    ) -> None:
        """Record each pending function that calls a helper of the module already found
        whose record `passes`, with that record, until none is added."""
        added = True
        while added:
            added = False
            for name, helpers in pending:
                key = f"{self.module}.{name}"
                if key in found:
                    continue
                made = next(
                    (
                        found[f"{self.module}.{helper}"]
                        for helper in helpers
                        if f"{self.module}.{helper}" in found
                    ),
                    None,
                )
                if made is not None and passes(made):
                    found[key] = made
                    added = True

    def _password_hashers(self, body: Sequence[ast.stmt]) -> dict[str, str]:
        """The module-level names bound once, to a password hasher made there
        (`pwd_context = CryptContext(schemes=["bcrypt"])`), with its class."""
        made: dict[str, str | None] = {}
        # a function of the module that makes one (`def _create_hasher() ->
        # argon2.PasswordHasher`, axergy's), by its return annotation
        makers = {
            statement.name: cls
            for statement in body
            if isinstance(statement, ast.FunctionDef)
            and statement.returns is not None
            and (cls := PASSWORD_HASHER_MAKERS.get(self._qualified(statement.returns) or ""))
        }
        for statement in _statements(body):
            if isinstance(statement, ast.Assign | ast.AnnAssign):
                targets = (
                    statement.targets if isinstance(statement, ast.Assign) else [statement.target]
                )
                value = statement.value
                cls = (
                    PASSWORD_HASHER_MAKERS.get(self._qualified(value.func) or "")
                    or (makers.get(value.func.id) if isinstance(value.func, ast.Name) else None)
                    if isinstance(value, ast.Call)
                    else None
                )
                for target in targets:
                    if isinstance(target, ast.Name):
                        made[target.id] = None if target.id in made else cls
            elif isinstance(statement, ast.ClassDef):
                # `Class.self.attribute`: one the class annotates as a hasher (Forgot-0's
                # `HashService` dataclass, `pwd_context: CryptContext`: reader 77) or its
                # `__init__` makes (`self.hasher = PasswordHasher()`)
                for inner in statement.body:
                    found: list[tuple[ast.expr, str | None]] = []
                    if isinstance(inner, ast.AnnAssign):
                        annotated = self._qualified(inner.annotation)
                        found.append((inner.target, PASSWORD_HASHER_MAKERS.get(annotated or "")))
                    elif isinstance(inner, ast.Assign) and isinstance(inner.value, ast.Call):
                        # `pwd_context = CryptContext(...)` in the class body (akeeperctl's)
                        maker = self._qualified(inner.value.func) or ""
                        cls = PASSWORD_HASHER_MAKERS.get(maker)
                        found.extend((target, cls) for target in inner.targets)
                    elif isinstance(inner, ast.FunctionDef) and inner.name == "__init__":
                        for node in _own_nodes(inner):
                            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
                                maker = self._qualified(node.value.func) or ""
                                cls = PASSWORD_HASHER_MAKERS.get(maker)
                                found.extend((target, cls) for target in node.targets)
                    for target, cls in found:
                        if (
                            isinstance(target, ast.Attribute)
                            and isinstance(target.value, ast.Name)
                            and target.value.id == "self"
                        ):
                            key = f"{statement.name}.self.{target.attr}"
                        elif isinstance(target, ast.Name) and isinstance(
                            inner, ast.AnnAssign | ast.Assign
                        ):
                            key = f"{statement.name}.self.{target.id}"
                        else:
                            continue
                        made[key] = None if key in made else cls
        return {name: cls for name, cls in made.items() if cls is not None}

    def _client_class(self, value: ast.expr | None) -> str | None:
        """The sync client a call makes (`boto3.client("s3")`, `Minio(...)`), else None."""
        if not isinstance(value, ast.Call):
            return None
        made = self._qualified(value.func) or ""
        cls = CLIENT_FUNCTIONS.get(made, made)
        return cls if cls in BLOCKING_CLIENTS else None

    def _sync_clients(self, body: Sequence[ast.stmt]) -> dict[str, str]:
        """The module-level names bound once, to a sync client made there
        (`s3 = boto3.client("s3")`, `client = Client()` of google-cloud-storage), with its
        class; and `Class.self.attribute` for an attribute a class's `__init__` binds to
        one (`self.client = Minio(...)`, or a parameter annotated with one: `self.client =
        client` of `client: Minio`), read by the class's methods; and `getter()` for a
        function of the module whose return annotation names one."""
        made: dict[str, str | None] = {}
        for statement in _statements(body):
            if isinstance(statement, ast.Assign | ast.AnnAssign):
                targets = (
                    statement.targets if isinstance(statement, ast.Assign) else [statement.target]
                )
                value = statement.value
                if isinstance(value, ast.Constant) and value.value is None:
                    continue  # `client = None` where making it failed (rbacblog's Voyage)
                cls = self._client_class(value)
                for target in targets:
                    if isinstance(target, ast.Name):
                        made[target.id] = None if target.id in made else cls
            elif isinstance(statement, ast.FunctionDef) and statement.returns is not None:
                # a getter of the module annotated with what it returns (`def
                # _get_jwks_client() -> jwt.PyJWKClient`), its call a receiver:
                # `_get_jwks_client().get_signing_key_from_jwt(token)` (Alexmontesino96's
                # token check, reader 117)
                returned = self._qualified(statement.returns)
                key = f"{statement.name}()"
                made[key] = None if key in made or returned not in BLOCKING_CLIENTS else returned
            elif isinstance(statement, ast.FunctionDef):
                # or not annotated, every `return` of it the client's constructor:
                # MagHattabUser's `get_minio_client()`, `return Minio(...)` (reader 198)
                key = f"{statement.name}()"
                made[key] = None if key in made else self._returned_client(statement)
            elif isinstance(statement, ast.ClassDef):
                for inner in statement.body:
                    if isinstance(inner, ast.FunctionDef) and inner.name != "__init__":
                        # a getter method, every `return` of it the client's constructor
                        # (johnsouto's `S3Service._client()`, `return boto3.client(...)`:
                        # reader 201); `self._client(...).upload_fileobj(...)`
                        key = f"{statement.name}.self.{inner.name}()"
                        made[key] = None if key in made else self._returned_client(inner)
                    if not (isinstance(inner, ast.FunctionDef) and inner.name == "__init__"):
                        continue
                    # a parameter annotated with a client's class (`client: Minio`, kept as
                    # `self.client = client`: Pave138's MinioService, reader 116)
                    arguments = inner.args
                    given = {
                        argument.arg: self._qualified(argument.annotation)
                        for argument in (
                            *arguments.posonlyargs,
                            *arguments.args,
                            *arguments.kwonlyargs,
                        )
                        if argument.annotation is not None
                    }
                    for node in _own_nodes(inner):
                        if not isinstance(node, ast.Assign | ast.AnnAssign):
                            continue
                        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                        cls = self._client_class(node.value)
                        if cls is None and isinstance(node.value, ast.Name):
                            cls = given.get(node.value.id)
                            cls = cls if cls in BLOCKING_CLIENTS else None
                        for target in targets:
                            if (
                                isinstance(target, ast.Attribute)
                                and isinstance(target.value, ast.Name)
                                and target.value.id == "self"
                            ):
                                key = f"{statement.name}.self.{target.attr}"
                                made[key] = None if key in made else cls
        return {name: cls for name, cls in made.items() if cls is not None}

    def _returned_client(self, function: ast.FunctionDef) -> str | None:
        """The sync client class every `return` of a function makes (`return Minio(...)`;
        one return at least, a value each), else None; None at once in a module that
        imports no client's library (asked of every function and method of every module:
        a walk of each was 6% of polar's summaries)."""
        if not any(
            imported.partition(".")[0] in _CLIENT_LIBRARIES for imported in self.imports.values()
        ):
            return None
        made = _made_once(function)
        if made is not None:
            # `return _s3_client`, the global its first call binds to `boto3.client(...)`
            # (NFRohan's PixTools, reader 222)
            return self._client_class(made)
        classes = {
            self._client_class(node.value)
            for node in _own_nodes(function)
            if isinstance(node, ast.Return)
        }
        if len(classes) != 1:
            return None
        return next(iter(classes))

    def _client_receivers(
        self,
        name: str,
        function: ast.FunctionDef,
        own: Sequence[ast.AST],
        clients: Mapping[str, str],
    ) -> dict[str, str]:
        """The names a sync function reaches a sync client by, with its class: the module's
        (`clients`), its own (`client = Minio(...)`, a parameter annotated `client:
        ImageAnnotatorClient`), and `self.x` in a method of a class whose `__init__` binds
        it (`self.x`)."""
        receivers = {key: cls for key, cls in clients.items() if ".self." not in key}
        owner = name.rpartition(".")[0]
        if owner:
            prefix = f"{owner}.self."
            receivers.update(
                (f"self.{key[len(prefix) :]}", cls)
                for key, cls in clients.items()
                if key.startswith(prefix)
            )
        args = function.args
        for arg in (*args.posonlyargs, *args.args, *args.kwonlyargs):
            cls = self._qualified(arg.annotation) if arg.annotation is not None else None
            if cls is not None and cls in BLOCKING_CLIENTS:
                receivers[arg.arg] = cls
            elif arg.arg in receivers:
                del receivers[arg.arg]  # a parameter hides the module's name
        for node in own:
            if isinstance(node, ast.Assign):
                cls = self._client_class(node.value)
                value = node.value
                if (
                    cls is None
                    and isinstance(value, ast.Call)
                    and isinstance(value.func, ast.Name)
                    and value.func.id not in receivers
                ):
                    # what a getter of the module gives (`client = get_minio_client()`)
                    cls = clients.get(f"{value.func.id}()")
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        if cls is not None:
                            receivers[target.id] = cls
                        else:
                            receivers.pop(target.id, None)
        return receivers

    def _hashes(self, func: ast.expr, hashers: Mapping[str, str], owner: str = "") -> str | None:
        """`Class.method` for a call that hashes a password with a hasher's method: of a
        module-level hasher (`pwd_context.verify`), of one made there
        (`CryptContext(...).hash`), or, in a method of the class `owner`, of one of its
        instance's (`self.pwd_context.verify`) or its class's (`cls._pwd_context.verify`)."""
        if not isinstance(func, ast.Attribute):
            return None
        receiver = func.value
        cls: str | None = None
        if isinstance(receiver, ast.Name):
            cls = hashers.get(receiver.id)
        elif (
            owner
            and isinstance(receiver, ast.Attribute)
            and isinstance(receiver.value, ast.Name)
            and receiver.value.id in ("self", "cls")
        ):
            # `cls._pwd_context.verify(...)` in a classmethod, of the class body's hasher
            # (Tudo-Fresco's `PasswordHasher.verify`, called from an async login: reader 212)
            cls = hashers.get(f"{owner}.self.{receiver.attr}")
        elif isinstance(receiver, ast.Call):
            cls = PASSWORD_HASHER_MAKERS.get(self._qualified(receiver.func) or "")
        if cls is None or func.attr not in PASSWORD_HASHERS[cls]:
            return None
        return f"{cls}.{func.attr}"

    def _returns(self, body: Sequence[ast.stmt]) -> dict[str, str]:
        """The class each module-level function and each method of a module-level class
        names as its return annotation, and each annotated field of such a class as its
        type, as what reading it gives (`org.address` of `address: Address`; a method of
        the same name first) (`FileContext` records the same)."""
        found: dict[str, str] = {}
        for name, function in _module_functions(body):
            returned = self._return_class(function.returns)
            if function.returns is None and _always_raises(function):
                returned = NO_RETURN  # every path raises: `def abort(code): raise ...`
            elif function.returns is None and "." in name and _returns_its_class(function):
                returned = f"{self.module}.{name.partition('.')[0]}"  # `return cls(...)`
            elif function.returns is None:
                returned = self._constructed(function)  # `return Settings(...)`
            if returned is not None:
                found[f"{self.module}.{name}"] = returned
        for statement in _statements(body):
            if isinstance(statement, ast.ClassDef):
                for inner in statement.body:
                    if isinstance(inner, ast.AnnAssign) and isinstance(inner.target, ast.Name):
                        typed = self._return_class(inner.annotation)
                        if typed is not None:
                            key = f"{self.module}.{statement.name}.{inner.target.id}"
                            found.setdefault(key, typed)
        found.update(self._yields(body))
        return found

    def _constructed(self, function: ast.FunctionDef | ast.AsyncFunctionDef) -> str | None:
        """The one class an unannotated function makes on every `return` that gives
        something (`return ODKCentralIn(url=...)`; `return None` aside): a CapWords name
        the module defines or imports (`FileContext` reads the same)."""
        found: set[str] = set()
        for node in _own_nodes(function):
            if not isinstance(node, ast.Return) or node.value is None:
                continue
            value = node.value
            if isinstance(value, ast.Constant) and value.value is None:
                continue
            if not isinstance(value, ast.Call) or not isinstance(
                value.func, ast.Name | ast.Attribute
            ):
                return None
            made = self._return_class(value.func)
            if made is None or not is_class_name(made):
                return None
            found.add(made)
        return found.pop() if len(found) == 1 else None

    def _yields(self, body: Sequence[ast.stmt]) -> dict[str, str]:
        """What each context manager of the module yields (a generator function, or a
        method of a module-level class, decorated `@contextmanager` or
        `@asynccontextmanager`), recorded as what a call of it gives: `with f() as x`
        binds it. Named by its annotation (`-> Generator[Session, None, None]`,
        `-> Iterator[Session]`); unannotated, the chain of calls that gives the one name
        it yields (`with db_manager.create_session() as session: yield session`, where
        `db_manager = get_connection()`), which the project index follows
        (`checks.project.CALL_CHAIN`)."""
        found: dict[str, str] = {}
        top_level: set[str] = set()
        for statement in _statements(body):
            if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                top_level.add(statement.name)
            elif isinstance(statement, ast.Assign | ast.AnnAssign):
                # `SessionLocal = sessionmaker(...)`: `db = SessionLocal(); yield db`
                targets = statement.targets if isinstance(statement, ast.Assign) else []
                if isinstance(statement, ast.AnnAssign) and statement.value is not None:
                    targets = [statement.target]
                top_level.update(t.id for t in targets if isinstance(t, ast.Name))
        functions = dict(_module_functions(body))
        for statement in _statements(body):
            # `db_session = contextmanager(get_db)`: a context manager made by a call
            if (
                isinstance(statement, ast.Assign)
                and len(statement.targets) == 1
                and isinstance(statement.targets[0], ast.Name)
                and isinstance(statement.value, ast.Call)
                and self._qualified(statement.value.func) in CONTEXT_MANAGERS
                and len(statement.value.args) == 1
                and isinstance(statement.value.args[0], ast.Name)
                and statement.value.args[0].id in functions
            ):
                wrapped = functions[statement.value.args[0].id]
                given = self._yielded(wrapped, top_level)
                if given is not None:
                    found[f"{self.module}.{statement.targets[0].id}"] = given
        #: read once, for the first method a context manager decorates
        factories: dict[str, dict[str, str]] | None = None
        for name, function in _module_functions(body):
            decorators = {self._decorator(d) for d in function.decorator_list}
            if decorators & CONTEXT_MANAGERS:
                held: dict[str, str] = {}
                if "." in name:
                    if factories is None:
                        factories = self._held_factories(body)
                    held = factories.get(name.partition(".")[0], {})
                given = self._yielded(function, top_level, held)
            elif decorators & PROPERTIES and "." in name and function.returns is None:
                given = self._property_chain(function, top_level)
            elif (
                not function.decorator_list
                and "." not in name
                and any(isinstance(node, ast.Yield) for node in _own_nodes(function))
            ):
                # a FastAPI dependency (`def get_db(): db = SessionLocal(); yield db`, or
                # `async def get_db(): async with factory() as s: yield s`): `Depends(
                # get_db)` fills a parameter with what it yields, as a context manager's
                # `with` does (fastapi-react's `db=Depends(get_db)`, reader 45); a call of
                # it anywhere else gives a generator, which no one queries
                given = self._yielded(function, top_level)
            else:
                continue
            if given is not None:
                found[f"{self.module}.{name}"] = given
        return found

    def _decorator(self, decorator: ast.expr) -> str | None:
        if isinstance(decorator, ast.Name) and decorator.id == "property":
            return "property" if "property" not in self.imports else None
        return self._qualified(decorator)

    def _property_chain(
        self, function: ast.FunctionDef | ast.AsyncFunctionDef, top_level: set[str]
    ) -> str | None:
        """What an unannotated property gives, when it returns one chain of calls
        (`return session_context(self.engine)`): `self.session` is that."""
        own = list(_own_nodes(function))
        returned = [node.value for node in own if isinstance(node, ast.Return)]
        if len(returned) != 1 or returned[0] is None:
            return None
        chain = self._call_chain(returned[0], _local_bindings(function, own), top_level, 0)
        return CALL_CHAIN + "|".join(chain) if chain else None

    def _held_factories(self, body: Sequence[ast.stmt]) -> dict[str, dict[str, str]]:
        """The session factories each module-level class's instances hold: `self.x`
        bound once by the class's methods to a SQLAlchemy factory call
        (`self._session_factory = sessionmaker(bind=self._engine)`, in `__init__` or a
        set-up method it calls: aajmot's `_initialize_database`), and otherwise, there or
        in the class body, to nothing but None, with the class of what calling it gives
        (`CALLED_INSTANCES`), as `checks.session_receivers` reads a client a set-up
        method makes."""
        found: dict[str, dict[str, str]] = {}
        for statement in _statements(body):
            if not isinstance(statement, ast.ClassDef):
                continue
            bound: Counter[str] = Counter()
            made: dict[str, str] = {}
            for inner in statement.body:
                # `_session_factory = None` (or only annotated) until a method makes it
                if isinstance(inner, ast.Assign | ast.AnnAssign) and not (
                    inner.value is None
                    or (isinstance(inner.value, ast.Constant) and inner.value.value is None)
                ):
                    named = inner.targets if isinstance(inner, ast.Assign) else [inner.target]
                    bound.update(t.id for t in named if isinstance(t, ast.Name))
            for method in statement.body:
                if not isinstance(method, ast.FunctionDef | ast.AsyncFunctionDef):
                    continue
                arguments = [*method.args.posonlyargs, *method.args.args]
                owner = arguments[0].arg if arguments else None
                for node in _own_nodes(method):
                    targets: list[ast.expr] = []
                    if isinstance(node, ast.Assign):
                        targets = node.targets
                    elif isinstance(node, ast.AnnAssign | ast.AugAssign):
                        targets = [node.target]
                    if isinstance(node, ast.Assign | ast.AnnAssign) and (
                        isinstance(node.value, ast.Constant) and node.value.value is None
                    ):
                        continue  # `self._session_factory = None` until a set-up makes it
                    for target in targets:
                        for element in ast.walk(target):
                            if (
                                isinstance(element, ast.Attribute)
                                and isinstance(element.value, ast.Name)
                                and element.value.id == owner
                            ):
                                bound[element.attr] += 1
                    if (
                        isinstance(node, ast.Assign | ast.AnnAssign)
                        and len(targets) == 1
                        and isinstance(targets[0], ast.Attribute)
                        and isinstance(targets[0].value, ast.Name)
                        and targets[0].value.id == owner
                    ):
                        opened = CALLED_INSTANCES.get(self._made(node.value) or "")
                        if opened is not None:
                            made[targets[0].attr] = opened
            held = {attribute: cls for attribute, cls in made.items() if bound[attribute] == 1}
            if held:
                found[statement.name] = held
        return found

    def _yielded(
        self,
        function: ast.FunctionDef | ast.AsyncFunctionDef,
        top_level: set[str],
        held: Mapping[str, str] | None = None,
    ) -> str | None:
        annotation = function.returns
        if isinstance(annotation, ast.Subscript):
            if self._qualified(annotation.value) not in _ITERATOR_SPELLINGS:
                return None
            inner = annotation.slice
            first = inner.elts[0] if isinstance(inner, ast.Tuple) and inner.elts else inner
            return self._return_class(first)
        if annotation is not None:
            return None
        own = list(_own_nodes(function))
        yielded: set[str] = set()
        for node in own:
            if isinstance(node, ast.YieldFrom):
                return None
            if isinstance(node, ast.Yield):
                if not isinstance(node.value, ast.Name):
                    return None
                yielded.add(node.value.id)
        bindings = _local_bindings(function, own)
        arguments = [*function.args.posonlyargs, *function.args.args]
        owner = arguments[0].arg if held and arguments else None
        chains: set[str] = set()
        for name in yielded:
            values = bindings.get(name, [])
            if len(values) != 1 or values[0] is None:
                continue  # `yield current` of a context variable: the one made below
            value = values[0]
            if (
                held
                and isinstance(value, ast.Call)
                and isinstance(value.func, ast.Attribute)
                and isinstance(value.func.value, ast.Name)
                and value.func.value.id == owner
                and value.func.attr in held
                and len(bindings.get(owner, [])) == 1
            ):
                # `session = self._session_factory()` of a factory `__init__` made
                # (aajmot's `DatabaseManager.get_session`, reader 132): what it opens
                chains.add(held[value.func.attr])
                continue
            chain = self._call_chain(value, bindings, top_level, 0)
            if chain:
                chains.add(CALL_CHAIN + "|".join(chain))
        # one chain of calls gives what it yields (another yielded name, bound to what
        # the module cannot follow, is the object it made before: a context variable's)
        return chains.pop() if len(chains) == 1 else None

    def _call_chain(
        self,
        expr: ast.expr,
        bindings: dict[str, list[ast.expr | None]],
        top_level: set[str],
        depth: int,
    ) -> list[str] | None:
        """`[first, method, ...]` for `first(...).method(...)...`: the callee of the
        first call (qualified: a module-level function or class of this module, or an
        imported name), then the methods called on each result, following local names
        bound once to such a call."""
        if not isinstance(expr, ast.Call) or depth >= _MAX_CHAIN:
            return None
        func = expr.func
        if isinstance(func, ast.Attribute):
            value = func.value
            if isinstance(value, ast.Name) and value.id in bindings:
                bound = bindings[value.id]
                if len(bound) != 1 or bound[0] is None:
                    return None
                head = self._call_chain(bound[0], bindings, top_level, depth + 1)
                return None if head is None else [*head, func.attr]
            if isinstance(value, ast.Call):
                head = self._call_chain(value, bindings, top_level, depth + 1)
                return None if head is None else [*head, func.attr]
        if isinstance(func, ast.Name) and func.id in bindings:
            return None  # a local callable: unknown
        if isinstance(func, ast.Name) and func.id in top_level:
            return [f"{self.module}.{func.id}"]
        qualified = self._qualified(func)
        if qualified is None or qualified.startswith("."):
            return None
        return [qualified]

    def _return_class(self, annotation: ast.expr | None) -> str | None:
        """The one class a return annotation names: `X`, `X | None`, `Optional[X]`."""
        if isinstance(annotation, ast.BinOp) and isinstance(annotation.op, ast.BitOr):
            members = _union_members(annotation)
            known = [m for m in members if not (isinstance(m, ast.Constant) and m.value is None)]
            return self._return_class(known[0]) if len(known) == 1 else None
        if (
            isinstance(annotation, ast.Subscript)
            and self._qualified(annotation.value) in OPTIONAL_SPELLINGS
        ):
            inner = annotation.slice
            return None if isinstance(inner, ast.Tuple) else self._return_class(inner)
        if isinstance(annotation, ast.Name | ast.Attribute):
            ref = self._class_ref(annotation)
            known_class = self.classes.get(ref) if ref is not None else None
            if known_class is not None and not known_class[1]:
                return f"{self.module}.{ref}"
            return ref if ref is not None and "." in ref and not ref.startswith(".") else None
        return None

    def _router_includes(self, tree: ast.Module) -> dict[str, bool]:
        """The routers the module includes, each with whether every include keeps it out
        of the OpenAPI schema: `include_in_schema=False`, or included into an app made
        `FastAPI(openapi_url=None)` or a router made `APIRouter(include_in_schema=False)`
        at module level (the module-level names FG403 reads in the file it checks)."""
        made: dict[str, str | None] = {}
        schemaless: set[str] = set()
        for statement in tree.body:
            if (
                isinstance(statement, ast.Assign)
                and len(statement.targets) == 1
                and isinstance(statement.targets[0], ast.Name)
                and isinstance(statement.value, ast.Call)
            ):
                name, call = statement.targets[0].id, statement.value
                made[name] = factory = self._qualified(call.func)
                if (factory in FASTAPI_APPS and _passes(call, "openapi_url", "None")) or (
                    factory in FASTAPI_ROUTERS and _passes(call, "include_in_schema", "False")
                ):
                    schemaless.add(name)
                else:
                    schemaless.discard(name)
        includes: dict[str, bool] = {}
        for node in ast.walk(tree):
            if not (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "include_router"
                and node.args
            ):
                continue
            included = node.args[0]
            if isinstance(included, ast.Name) and included.id in made:
                ref: str | None = f"{self.module}.{included.id}"
            elif isinstance(included, ast.Name | ast.Attribute):
                ref = self._qualified(included)
            else:
                ref = None
            if ref is None:
                continue
            hidden = _passes(node, "include_in_schema", "False") or (
                _dotted(node.func.value) in schemaless
            )
            includes[ref] = includes.get(ref, True) and hidden
        return includes

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
        """What a module-level value is, when a SQLAlchemy factory call makes it, or an
        HTTP error (`ERRORS_MADE_ONCE`)."""
        if not isinstance(value, ast.Call):
            return None
        class_ = next((k.value for k in value.keywords if k.arg == "class_"), None)
        func = value.func
        if isinstance(func, ast.Name) and func.id not in self.imports:
            return local_made(func.id, None, None)  # `session = SessionLocal()`
        if (
            isinstance(func, ast.Attribute)
            and isinstance(func.value, ast.Name)
            and func.value.id not in self.imports
        ):
            return local_made(None, func.value.id, func.attr)  # `conn = engine.connect()`
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Call):
            # `boto3.session.Session().client("s3")`: a client an SDK's object makes
            return CLIENT_METHODS.get((self._qualified(func.value.func) or "", func.attr))
        called = self._qualified(func)
        if called in ERRORS_MADE_ONCE:
            return called  # an HTTP error other modules raise (FG401)
        if called in TASK_RUNNERS and not any(k.arg in (None, "executors") for k in value.keywords):
            return called  # a scheduler or a Celery app whose jobs they add (FG304)
        client = client_made_by(called, self._qualified(value.args[0]) if value.args else None)
        if client is not None:
            return client
        if called in CLIENT_OPENERS:
            return called  # `session = boto3.session.Session()`, whose `client()` makes one
        return instance_made_by(called, self._qualified(class_) if class_ is not None else None)

    def _register(self, node: ast.ClassDef, nested: bool) -> None:
        declared = tuple(self._summary_base(base) for base in node.bases)
        if any(
            self._qualified(d.func if isinstance(d, ast.Call) else d) in AS_DECLARATIVE
            for d in node.decorator_list
        ):
            declared = (*declared, DECLARATIVE_BASE)
        self.classes[node.name] = (declared, nested)
        for statement in node.body:
            if isinstance(statement, ast.ClassDef):
                self._register(statement, nested=True)

    def _summary_base(self, base: ast.expr) -> str | None:
        """A base class's ref; a bare name the module does not bind, in a module with a
        star import, by the module's own name (`star_bound`)."""
        ref = self._class_ref(base)
        if ref is None and isinstance(base, ast.Name):
            return star_bound(base.id, self.module, self.imports)
        return ref

    def _record_import(self, node: ast.Import | ast.ImportFrom) -> None:
        for local, qualified in import_bindings(node, self.package):
            if local == "*":
                # `from pydantic import *`: a key no name can be (`ProjectIndex.star_export`)
                self.imports[f"{STAR}{sum(k.startswith(STAR) for k in self.imports)}"] = qualified
            else:
                self._bind(local, qualified)

    def _annotated_aliases(self, bindings: list[tuple[str, ast.expr | None]]) -> dict[str, str]:
        """`DbSession = Annotated[Session, Depends(get_db)]` (FastAPI's shared dependency),
        bound once at module level: another module's parameter annotated `DbSession` is a
        `Session`. Recorded (in the summary only: this module's own names resolve as
        before) as a re-export of the type it annotates, which the project
        index follows as it follows `from sqlalchemy.orm import Session as DbSession`
        (`FileContext` reads the same alias in its own module)."""
        counted = Counter(name for name, _ in bindings)
        found: dict[str, str] = {}
        for name, value in bindings:
            if (
                counted[name] == 1
                and name not in self.imports
                and isinstance(value, ast.Subscript)
                and self._qualified(value.value) in _ANNOTATED
                and isinstance(value.slice, ast.Tuple)
                and value.slice.elts
            ):
                annotated = self._qualified(value.slice.elts[0])
                if annotated is not None:
                    found[name] = annotated
        return found

    def _name_aliases(
        self, bindings: list[tuple[str, ast.expr | None]], body: Sequence[ast.stmt]
    ) -> dict[str, str]:
        """`get_session_with_shared_schema = get_catalog_session`: a module-level name
        bound once to a function or class the module defines or imports is another name of
        it. Recorded (in the summary only, as `_annotated_aliases`) as a re-export, which
        the project index follows (`FileContext` reads the same)."""
        defined = {
            statement.name
            for statement in _statements(body)
            if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
        }
        named = [(name, v.id if isinstance(v, ast.Name) else None) for name, v in bindings]
        return name_aliases(named, defined, self.imports, self.module)

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


def import_bindings(
    node: ast.Import | ast.ImportFrom, package: str | None
) -> Iterator[tuple[str, str]]:
    """The local name each alias of an import binds, with the qualified name it binds
    (`import a.b` binds `a`; a relative module made absolute in `package`); a star
    import gives `("*", module)`."""
    if isinstance(node, ast.Import):
        for alias in node.names:
            if alias.asname is not None:
                yield alias.asname, alias.name
            else:
                head = alias.name.split(".", 1)[0]
                yield head, head
        return
    module = absolute_module(node.level, node.module, package)
    separator = "" if module.endswith(".") or not module else "."
    for alias in node.names:
        if alias.name == "*":
            yield "*", module
        else:
            yield alias.asname or alias.name, f"{module}{separator}{alias.name}"


#: The top packages a sync client (`BLOCKING_CLIENTS`) or a client's factory
#: (`CLIENT_FUNCTIONS`) comes from: `minio`, `boto3`, `redis`, ...
_CLIENT_LIBRARIES = frozenset(
    name.partition(".")[0] for name in (*BLOCKING_CLIENTS, *CLIENT_FUNCTIONS)
)


def _client_call(func: ast.expr, receivers: Mapping[str, str]) -> str | None:
    """The recorded name of a call through a sync client (`s3.put_object` ->
    `boto3.client.put_object`, `self.client.put_object` in a method), else None."""
    attributes: list[str] = []
    node = func
    while isinstance(node, ast.Attribute):
        if (
            isinstance(node.value, ast.Name)
            and node.value.id == "self"
            and f"self.{node.attr}" in receivers
        ):
            return client_request(receivers[f"self.{node.attr}"], attributes[::-1])
        attributes.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name) and node.id in receivers:
        return client_request(receivers[node.id], attributes[::-1])
    if (
        attributes
        and isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and f"{node.func.id}()" in receivers
    ):
        # a getter's client (`_sync_clients`), called bare: `get_client().get(...)`
        return client_request(receivers[f"{node.func.id}()"], attributes[::-1])
    if (
        attributes
        and isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id == "self"
        and f"self.{node.func.attr}()" in receivers
    ):
        # or a getter method of the class: `self._client(...).upload_fileobj(...)`
        return client_request(receivers[f"self.{node.func.attr}()"], attributes[::-1])
    return None


def _module_functions(
    body: Sequence[ast.stmt],
) -> Iterator[tuple[str, ast.FunctionDef | ast.AsyncFunctionDef]]:
    """Each module-level function and each method of a module-level class, named as the
    summary names them (`f`, `Class.method`)."""
    for statement in _statements(body):
        if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef):
            yield statement.name, statement
        elif isinstance(statement, ast.ClassDef):
            for inner in statement.body:
                if isinstance(inner, ast.FunctionDef | ast.AsyncFunctionDef):
                    yield f"{statement.name}.{inner.name}", inner


def star_bound(ref: str | None, module: str, imports: dict[str, str]) -> str | None:
    """A base class's bare name the module neither defines nor imports by name, in a
    module with `from m import *`: the module's own name for it
    (`app.schemas.sales.VoucherBase`), which the project index follows through the star
    import (`ProjectIndex.star_export`); None for Python's own names (`Exception`) or
    without a star import; a dotted ref as it is."""
    if ref is None or "." in ref:
        return ref
    if ref in _BUILTIN_NAMES or not any(key.startswith(STAR) for key in imports):
        return None
    return f"{module}.{ref}"


def is_class_name(ref: str) -> bool:
    """Whether a dotted name's last part is spelled as a class, CapWords (`ODKCentralIn`,
    not `get` nor a constant `DEFAULTS`)."""
    name = ref.rpartition(".")[2]
    return name[:1].isupper() and not name.isupper()


def _returns_its_class(function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """Whether an unannotated `@classmethod` returns an instance of its class on every
    `return` (`return cls(**record)`), as a factory does (`FileContext` reads the same)."""
    decorated = any(
        isinstance(d, ast.Name) and d.id == "classmethod" for d in function.decorator_list
    )
    if not decorated or not function.args.args:
        return False
    first = function.args.args[0].arg
    returned = [node.value for node in _own_nodes(function) if isinstance(node, ast.Return)]
    return bool(returned) and all(
        isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id == first
        for value in returned
    )


def _is_capitalized(ref: str) -> bool:
    """`app.repos.UserRepository`: a class's name, by convention, not a function's."""
    return ref.rpartition(".")[2][:1].isupper()


def _held_uses(method: ast.FunctionDef | ast.AsyncFunctionDef) -> tuple[str, ...]:
    """What a sync method does with the objects its instance holds, for the project
    index (`ModuleSummary.uses`): `attr.m` for `self.attr.m(...)`, `.m` for
    `self.m(...)`, `attr()` for a session factory held and opened (`with self.session()
    as session:`, or `db = self.session_factory()` then queried). None for a generator,
    whose call runs none of its body."""
    arguments = [*method.args.posonlyargs, *method.args.args]
    if not arguments or any(
        isinstance(d, ast.Name) and d.id in ("staticmethod", "classmethod", "property")
        for d in method.decorator_list
    ):
        return ()
    owner = arguments[0].arg
    found: list[str] = []
    opened: dict[str, str] = {}
    queried: set[str] = set()
    for node in _own_nodes(method):
        if isinstance(node, ast.Yield | ast.YieldFrom):
            return ()
        if isinstance(node, ast.With):
            found.extend(
                f"{func.attr}()"
                for item in node.items
                if isinstance(item.context_expr, ast.Call)
                and isinstance(func := item.context_expr.func, ast.Attribute)
                and _on_owner(func, owner)
            )
        elif (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
            and isinstance(node.value, ast.Call)
            and _on_owner(node.value.func, owner)
        ):
            assert isinstance(node.value.func, ast.Attribute)
            opened[node.targets[0].id] = f"{node.value.func.attr}()"
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
            continue
        receiver, attr = node.func.value, node.func.attr
        if isinstance(receiver, ast.Name):
            if receiver.id == owner:
                found.append(f".{attr}")
            elif attr in SYNC_IO_METHODS:
                queried.add(receiver.id)
        elif _on_owner(receiver, owner):
            assert isinstance(receiver, ast.Attribute)
            found.append(f"{receiver.attr}.{attr}")
    found.extend(made for name, made in opened.items() if name in queried)
    return tuple(dict.fromkeys(found))


def _on_owner(expr: ast.expr, owner: str) -> bool:
    """`self.attr`: an attribute of the method's own instance."""
    return (
        isinstance(expr, ast.Attribute)
        and isinstance(expr.value, ast.Name)
        and expr.value.id == owner
    )


def _made_once(function: ast.FunctionDef) -> ast.expr | None:
    """What a getter makes on its first call alone, the value it binds to a module global
    (`global _client`, `if _client is None:` or `if not _client:` binding it once in that
    block, then `return _client`: a lazy client's getter, NFRohan's PixTools' `_get_client()`,
    whose `head_bucket` and lifecycle calls run once per process: reader 222), else None.
    Nothing but the docstring and `global` come before the test."""
    names = {name for node in function.body if isinstance(node, ast.Global) for name in node.names}
    body = [
        statement
        for statement in function.body
        if not isinstance(statement, ast.Global)
        and not (isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant))
    ]
    if not names or len(body) != 2:
        return None
    guard, last = body
    if not (
        isinstance(guard, ast.If)
        and not guard.orelse
        and isinstance(last, ast.Return)
        and isinstance(last.value, ast.Name)
        and last.value.id in names
    ):
        return None
    name = last.value.id
    test = guard.test
    unset = (
        isinstance(test, ast.Compare)
        and isinstance(test.left, ast.Name)
        and test.left.id == name
        and len(test.ops) == 1
        and isinstance(test.ops[0], ast.Is)
        and isinstance(test.comparators[0], ast.Constant)
        and test.comparators[0].value is None
    ) or (
        isinstance(test, ast.UnaryOp)
        and isinstance(test.op, ast.Not)
        and isinstance(test.operand, ast.Name)
        and test.operand.id == name
    )
    if not unset:
        return None
    bound = [
        statement.value
        for statement in guard.body
        if isinstance(statement, ast.Assign)
        and len(statement.targets) == 1
        and isinstance(statement.targets[0], ast.Name)
        and statement.targets[0].id == name
    ]
    return bound[0] if len(bound) == 1 else None


def _helpers_called(name: str, function: ast.FunctionDef | ast.AsyncFunctionDef) -> list[str]:
    """What a function's own body calls that may be a helper of its module, in order and
    named as the summary names them: a bare name (`verify_password(...)`), and for a
    method (`Class.method`) another of its class through `self` (`Class.other`)."""
    owner = name.rpartition(".")[0]
    found: list[str] = []
    for node in _own_nodes(function):
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name):
                found.append(func.id)
            elif (
                owner
                and isinstance(func, ast.Attribute)
                and isinstance(func.value, ast.Name)
                and func.value.id == "self"
            ):
                found.append(f"{owner}.{func.attr}")
    return found


#: The attribute of a function's node that keeps its own nodes (`_own_nodes`).
_OWN = "_fastapi_guardrails_own_nodes"


def _own_nodes(function: ast.FunctionDef | ast.AsyncFunctionDef) -> tuple[ast.AST, ...]:
    """The nodes of a function's body, not those of the functions and classes it holds.
    Listed once per node and kept on it: a summary reads each function four or five
    times (blocking calls, returns, yields, helpers), and the tree is never changed."""
    kept = getattr(function, _OWN, None)
    if kept is not None:
        return typing.cast(tuple[ast.AST, ...], kept)
    found: list[ast.AST] = []
    pending: list[ast.AST] = list(function.body)
    while pending:
        node = pending.pop()
        found.append(node)
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda | ast.ClassDef):
            pending.extend(ast.iter_child_nodes(node))
    own = tuple(found)
    setattr(function, _OWN, own)
    return own


def _local_bindings(
    function: ast.FunctionDef | ast.AsyncFunctionDef, own: Sequence[ast.AST]
) -> dict[str, list[ast.expr | None]]:
    """Every name a function binds, with what each binding gives: `x = value` and `with
    value as x` the value; a parameter, a loop target or any other binding None."""
    found: dict[str, list[ast.expr | None]] = {}
    args = function.args
    for arg in (*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg):
        if arg is not None:
            found.setdefault(arg.arg, []).append(None)
    for node in own:
        if isinstance(node, ast.Assign):
            for target in node.targets:
                value = node.value if isinstance(target, ast.Name) else None
                for name in _target_names(target):
                    found.setdefault(name, []).append(value)
        elif isinstance(node, ast.With | ast.AsyncWith):
            for item in node.items:
                if item.optional_vars is not None:
                    value = item.context_expr if isinstance(item.optional_vars, ast.Name) else None
                    for name in _target_names(item.optional_vars):
                        found.setdefault(name, []).append(value)
        elif isinstance(node, _OTHER_BINDERS):
            for name in _target_names(node.target):
                found.setdefault(name, []).append(None)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            found.setdefault(node.name, []).append(None)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            for alias in node.names:
                found.setdefault((alias.asname or alias.name).partition(".")[0], []).append(None)
    return found


#: Nodes binding their `target` to what the function cannot follow.
_OTHER_BINDERS = (
    ast.AnnAssign,
    ast.AugAssign,
    ast.For,
    ast.AsyncFor,
    ast.NamedExpr,
    ast.comprehension,
)


def _target_names(target: ast.expr) -> Iterator[str]:
    if isinstance(target, ast.Name):
        yield target.id
    elif isinstance(target, ast.Tuple | ast.List):
        for element in target.elts:
            yield from _target_names(element)
    elif isinstance(target, ast.Starred):
        yield from _target_names(target.value)


def _always_raises(function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """No `return` in the body (nested functions apart) and its last statement raises on
    every path (`FileContext` reads the same with `block_raises`)."""
    pending: list[ast.AST] = list(function.body)
    while pending:
        node = pending.pop()
        if isinstance(node, ast.Return):
            return False
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda | ast.ClassDef):
            pending.extend(ast.iter_child_nodes(node))
    return _block_raises(function.body)


def _block_raises(body: Sequence[ast.stmt]) -> bool:
    if not body:
        return False
    last = body[-1]
    if isinstance(last, ast.Raise):
        return True
    if isinstance(last, ast.If):
        return _block_raises(last.body) and _block_raises(last.orelse)
    return False

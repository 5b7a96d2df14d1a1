"""What a receiver is, for the SQLAlchemy rules: an `AsyncSession`, a sync `Session` or
`Engine`, a session factory.

`FileContext.infer` knows names bound by annotations and class instantiations in the
scope being walked. Repositories and services hold their session differently, and this
module adds, from the syntax of the file alone:

- instance attributes: a class-level annotation (`session: AsyncSession`), or an
  assignment in `__init__` (`self.session = session` where the parameter is annotated,
  `self.db: AsyncSession = db`, `self.session = AsyncSession(engine)`), also from a base
  class the file defines;
- names with one binding in their function: `async with SessionLocal() as session:`,
  `session = SessionLocal()`, where `SessionLocal` is a module-level
  `async_sessionmaker(...)` (or `sessionmaker(...)`, `create_engine(...)`, ...);
- what calling a factory gives: `SessionLocal()`, `engine.connect()`, `maker.begin()`;
- the sync `scoped_session` of a library object: FastAPI-SQLAlchemy's `db.session`
  (`from fastapi_sqlalchemy import db`), Flask-SQLAlchemy's (`db = SQLAlchemy(app)`).

Rules ask `receiver_class(expr, ctx)`; every fact is computed on first use, once per file
(classes, module-level factories) or once per function (its bindings), and cached in the
file's context. Nothing here resolves other files.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple

from checks.blocking import (
    CLIENT_FUNCTIONS,
    CLIENT_METHODS,
    LANGCHAIN_CHAT_MODELS,
    RUNNABLE_DERIVATIONS,
)
from checks.context import DEPENDS as DEPENDS
from checks.context import (
    ClassInfo,
    FileContext,
    code_of,
    dependency_of,
    descendants,
    dotted_name,
    keyword_arg,
)
from checks.lazy import libcst as cst
from checks.project import (
    ASYNC_SESSION_CLASSES as ASYNC_SESSION_CLASSES,
)
from checks.project import (
    CALLED_INSTANCES,
    INSTANCE_ATTRIBUTES,
    INSTANCE_FACTORIES,
    LIBRARY_INSTANCES,
    NO_RETURN,
    OPENED_BY,
    instance_made_by,
)
from checks.project import (
    SESSION_CLASSES as SESSION_CLASSES,
)

ASYNC_SESSION = "sqlalchemy.ext.asyncio.AsyncSession"
SYNC_SESSION = "sqlalchemy.orm.Session"
SYNC_ENGINE = "sqlalchemy.engine.Engine"
SYNC_CONNECTION = "sqlalchemy.engine.Connection"
ASYNC_ENGINE = "sqlalchemy.ext.asyncio.AsyncEngine"
ASYNC_CONNECTION = "sqlalchemy.ext.asyncio.AsyncConnection"
ASYNC_SESSION_FACTORY = "sqlalchemy.ext.asyncio.async_sessionmaker"
SYNC_SESSION_FACTORY = "sqlalchemy.orm.sessionmaker"
SCOPED_SESSION = "sqlalchemy.orm.scoped_session"

#: Sync sessions, engines and connections: each call on them blocks on database IO.
SYNC_DATABASE_CLASSES = frozenset(
    {
        *(SESSION_CLASSES - ASYNC_SESSION_CLASSES),
        "sqlalchemy.Engine",
        "sqlalchemy.engine.Engine",
        "sqlalchemy.engine.base.Engine",
        "sqlalchemy.Connection",
        "sqlalchemy.engine.Connection",
        "sqlalchemy.engine.base.Connection",
    }
)

#: What a module-level `name = factory(...)` holds, by the factory's qualified name (the
#: same table the module summaries use, for other modules: `checks.project`).
_FACTORY_RESULTS = INSTANCE_FACTORIES
#: What calling an instance of these gives (`SessionLocal()`), and their methods that
#: give a context manager over a session or connection (`maker.begin()`).
_CALL_RESULTS = {
    SYNC_SESSION_FACTORY: SYNC_SESSION,
    SCOPED_SESSION: SYNC_SESSION,
    ASYNC_SESSION_FACTORY: ASYNC_SESSION,
}
_METHOD_RESULTS = {
    (SYNC_SESSION_FACTORY, "begin"): SYNC_SESSION,
    (ASYNC_SESSION_FACTORY, "begin"): ASYNC_SESSION,
    (SYNC_ENGINE, "connect"): SYNC_CONNECTION,
    (SYNC_ENGINE, "begin"): SYNC_CONNECTION,
    (ASYNC_ENGINE, "connect"): ASYNC_CONNECTION,
    (ASYNC_ENGINE, "begin"): ASYNC_CONNECTION,
}
#: Qualified names that mean the same class as the canonical one used above.
_CANONICAL = {
    **dict.fromkeys(
        ASYNC_SESSION_CLASSES - {"sqlalchemy.ext.asyncio.async_scoped_session"}, ASYNC_SESSION
    ),
    "sqlalchemy.Engine": SYNC_ENGINE,
    "sqlalchemy.engine.base.Engine": SYNC_ENGINE,
    "sqlalchemy.ext.asyncio.engine.AsyncEngine": ASYNC_ENGINE,
    "sqlalchemy.ext.asyncio.engine.AsyncConnection": ASYNC_CONNECTION,
    "sqlalchemy.ext.asyncio.session.async_sessionmaker": ASYNC_SESSION_FACTORY,
    "sqlalchemy.orm.session.sessionmaker": SYNC_SESSION_FACTORY,
    "sqlalchemy.orm.scoping.scoped_session": SCOPED_SESSION,
}
#: Every qualified name that leads a receiver to a class above (for screens).
SYNC_FACTORY_SPELLINGS = frozenset({*_FACTORY_RESULTS, *_CANONICAL})
#: Functions of network SDKs that make a sync client: `checks.blocking.CLIENT_FUNCTIONS`.
_CLIENT_FUNCTIONS = CLIENT_FUNCTIONS
#: Methods of an SDK's object that make a sync client: `checks.blocking.CLIENT_METHODS`.
_CLIENT_METHODS = CLIENT_METHODS
#: What a file names when it may make one of those clients (a screen's words).
CLIENT_FACTORY_NAMES = frozenset({*_CLIENT_FUNCTIONS, *(cls for cls, _ in _CLIENT_METHODS)})
#: Classes whose instantiation `ctx.infer` may not see (lowercase factory classes).
_KNOWN_CLASSES = SESSION_CLASSES | SYNC_DATABASE_CLASSES | frozenset(_CANONICAL)
#: Generic factory classes an annotation subscripts: `async_sessionmaker[AsyncSession]`.
_GENERIC_FACTORIES = frozenset({ASYNC_SESSION_FACTORY, SYNC_SESSION_FACTORY, SCOPED_SESSION})
_CACHE_KEY = "session-receivers"


def with_targets(ctx: FileContext) -> tuple[frozenset[str], frozenset[str]]:
    """The names the coroutine being walked binds by a sync `with ... as name` and by an
    `async with ... as name` (an `AsyncSession` opens only with the second), once per
    function; none outside a coroutine."""
    function = ctx.function
    if function is None or not function.is_async:
        return frozenset(), frozenset()
    known = ctx.stash(f"with-targets:{id(function.node)}")
    if not known:
        synced: set[str] = set()
        opened_async: set[str] = set()
        for node in descendants(function.node.body):
            if isinstance(node, cst.With):
                names = {
                    code_of(item.asname.name)
                    for item in node.items
                    if isinstance(item.asname, cst.AsName)
                }
                (synced if node.asynchronous is None else opened_async).update(names)
        known.append((frozenset(synced), frozenset(opened_async)))
    found: tuple[frozenset[str], frozenset[str]] = known[0]
    return found


#: Coroutine methods an `AsyncSession` has and other async clients (asyncpg, databases,
#: httpx, aiohttp) do not: a receiver awaited with one is a session.
SESSION_ONLY_COROUTINES = frozenset(
    {"flush", "refresh", "merge", "scalars", "scalar", "commit", "rollback", "run_sync"}
)


def awaited_as_a_session(receiver: cst.BaseExpression, ctx: FileContext) -> bool:
    """Whether the function awaits a method only a session has on the same receiver
    (`await session.flush()` beside `session.delete(entry)`): a session opened where the
    file cannot tell its class (letta's `async with db_registry.async_session() as
    session`, a registry's method of another module)."""
    function = ctx.function
    if function is None or not function.is_async:
        return False
    known = ctx.stash(f"awaited-as-a-session:{id(function.node)}")
    if not known:
        known.append(
            {
                code_of(node.expression.func.value)
                for node in descendants(function.node.body)
                if isinstance(node, cst.Await)
                and isinstance(node.expression, cst.Call)
                and isinstance(node.expression.func, cst.Attribute)
                and node.expression.func.attr.value in SESSION_ONLY_COROUTINES
            }
        )
    name = code_of(receiver)
    # a name a sync `with` binds too is not one object (advanced-alchemy's tests)
    return name in known[0] and name not in with_targets(ctx)[0]


def canonical(cls: str) -> str:
    """One spelling per class: `sqlmodel.ext.asyncio.session.AsyncSession` is an
    `AsyncSession`, `sqlalchemy.Engine` an `Engine`."""
    return _CANONICAL.get(cls, cls)


def is_async_session(expr: cst.BaseExpression, ctx: FileContext) -> bool:
    """Whether `expr` is known to be an `AsyncSession`."""
    cls = receiver_class(expr, ctx)
    return cls is not None and cls in ASYNC_SESSION_CLASSES


def is_sync_database(expr: cst.BaseExpression, ctx: FileContext) -> bool:
    """Whether `expr` is known to be a sync `Session`, `scoped_session`, `Engine` or
    `Connection`: every query through it blocks."""
    cls = receiver_class(expr, ctx)
    return cls is not None and (cls in SYNC_DATABASE_CLASSES or cls == SYNC_CONNECTION)


def factory_result(call: cst.Call, ctx: FileContext) -> str | None:
    """What a call to a SQLAlchemy factory makes: `create_engine(...)` an `Engine`,
    `sessionmaker(...)` a sync session factory (an async one with `class_=AsyncSession`)."""
    class_ = keyword_arg(call, "class_")
    return instance_made_by(
        ctx.qualified_name(call.func),
        ctx.qualified_name(class_.value) if class_ is not None else None,
    )


def receiver_class(expr: cst.BaseExpression, ctx: FileContext) -> str | None:
    """The class `expr` is known to be an instance of (a qualified name for an imported
    class, the local name for a class of this file), or None."""
    return _Resolver(ctx).resolve(expr, depth=0)


#: Methods of an engine or session factory that open a connection or session from it.
OPENERS = frozenset({"begin", "connect"})


def imported_origin(expr: cst.BaseExpression, ctx: FileContext) -> str | None:
    """The qualified name of the object of another module that `expr` is, or was opened
    from, when the file cannot tell its class: `SessionLocal`, `SessionLocal()`,
    `engine.connect()`, or a name of the function being walked bound once to such a call
    (`with SessionLocal() as session:`), where `SessionLocal` and `engine` are imported
    (`from app.database import SessionLocal`). The project index knows what that object is
    (`ModuleSummary.instances`); a rule asks it with a condition. Only imported names are
    followed, never a local alias (`maker = SessionLocal`): the FG102 screen relies on an
    imported name being called in the coroutine, or being the receiver itself."""
    if isinstance(expr, cst.Name):
        function = ctx.function
        if function is not None:
            bindings = _function_bindings(function.node, ctx).get(expr.value)
            if bindings is not None:
                # `db = None` first, for the `finally` that closes it (hei's login)
                values = [
                    b for b in bindings if not (isinstance(b, cst.Name) and b.value == "None")
                ]
                # bound again to a call of the same object (`db = SessionLocal()` once per
                # block: 0odafi's websocket routes, reader 124), opened from it still
                origins = {
                    _opened_from(value, ctx) if isinstance(value, cst.Call) else None
                    for value in values
                }
                return origins.pop() if len(origins) == 1 else None
    if isinstance(expr, cst.Call):
        return _opened_from(expr, ctx)
    return _imported(expr, ctx)


def bound_once(name: cst.Name, ctx: FileContext) -> cst.BaseExpression | None:
    """The value a name of the function being walked is given by its one binding, a plain
    `name = value` (`count = repo.count()`), or None (bound more than once, by a loop, a
    parameter, an annotated assignment, or not in the function)."""
    function = ctx.function
    if function is None:
        return None
    bindings = _function_bindings(function.node, ctx).get(name.value)
    if bindings is None or len(bindings) != 1:
        return None
    value = bindings[0]
    return value if isinstance(value, cst.BaseExpression) else None


def bindings_of(name: cst.Name, ctx: FileContext) -> int:
    """How many bindings the function being walked has of a name (its parameters
    included; 0 outside a function or for a name it does not bind)."""
    function = ctx.function
    if function is None:
        return 0
    return len(_function_bindings(function.node, ctx).get(name.value, ()))


def property_opened(expr: cst.BaseExpression, ctx: FileContext, opened: set[int]) -> str | None:
    """`own_property` of what a name of the function being walked is bound to once by a
    `with` (`with self.session as session:`; `opened`: the ids of the items of the
    file's `with` statements)."""
    function = ctx.function
    if not isinstance(expr, cst.Name) or function is None:
        return None
    bindings = _function_bindings(function.node, ctx).get(expr.value)
    if bindings is None or len(bindings) != 1:
        return None
    bound = bindings[0]
    if not isinstance(bound, cst.Attribute) or id(bound) not in opened:
        return None
    return own_property(bound, ctx)


def own_property(expr: cst.Attribute, ctx: FileContext) -> str | None:
    """`Module.Class.name` for `self.name` in a method of a module-level class (`with
    self.session as session:`, where `session` is a property the class or a base of
    another module defines): what the property gives, the project index knows
    (`ProjectIndex.returned_class`)."""
    function = ctx.function
    owner = function.owner if function is not None else None
    if (
        owner is None
        or owner.outer is not None
        or ctx.module_name is None
        or not isinstance(expr.value, cst.Name)
        or expr.value.value != "self"
    ):
        return None
    return f"{ctx.module_name}.{owner.name}.{expr.attr.value}"


def _opened_from(call: cst.Call, ctx: FileContext) -> str | None:
    """`X` of `X()`, `X.begin()`, `X.connect()`, when `X` is imported."""
    func = call.func
    if isinstance(func, cst.Attribute) and func.attr.value in OPENERS:
        opened = _imported(func.value, ctx)
        if opened is not None:
            return opened
    return _imported(func, ctx)


def _imported(expr: cst.BaseExpression, ctx: FileContext) -> str | None:
    """The absolute qualified name of an imported name or attribute chain, unless the file
    knows what it is (a module-level factory of its own)."""
    if not isinstance(expr, cst.Name | cst.Attribute):
        return None
    if isinstance(expr, cst.Name) and expr.value in module_factories(ctx):
        return None
    qualified = ctx.qualified_name(expr)
    if qualified is None or not may_be_imported_instance(qualified):
        return None
    return qualified


def annotated_project_class(expr: cst.BaseExpression, ctx: FileContext) -> str | None:
    """The class of another module of the project that a name of the function being
    walked is annotated with (`session: deps.Session`, where the project's `deps` module
    imports `Session` from `sqlmodel`): the file cannot tell what that class is, the
    project index can (it follows the re-export, or the class's bases). A name bound once,
    by a parameter or an annotated assignment; SQLAlchemy's and SQLModel's own classes,
    which `receiver_class` knows, are not asked."""
    function = ctx.function
    if not isinstance(expr, cst.Name) or function is None:
        return None
    bindings = _function_bindings(function.node, ctx).get(expr.value)
    if bindings is None or len(bindings) != 1 or not isinstance(bindings[0], _Annotated):
        return None
    inferred = ctx.annotation_type(bindings[0].annotation)
    if inferred is None or inferred.iterable:
        return None
    cls = inferred.cls
    if (
        not (may_be_imported_instance(cls) and (_is_class_name(cls) or _is_alias_name(cls)))
        or cls in _KNOWN_CLASSES
    ):
        return None
    return cls


def held_by_annotated(expr: cst.BaseExpression, ctx: FileContext) -> str | None:
    """`module.Class.attribute` for an attribute of a name annotated with a class of
    another module of the project (`service.db` of `service: CasesService`, whose
    `__init__` keeps `db: Session`: litigation-support's routes, reader 166), or of
    `self` where only a base of another module binds it: what it holds, the project index
    reads (`HELD`)."""
    if not isinstance(expr, cst.Attribute) or not isinstance(expr.value, cst.Name):
        return None
    found = self_attribute(expr, ctx)
    if found is not None:
        # `self.db` that a base of another module binds, the class neither annotating nor
        # binding it itself (Poseidon-G's repositories: `BaseRepository.__init__(self, db:
        # AsyncSession)`, the subclass's own `db: Session` only handed to `super()`:
        # reader 212): what the base holds, as the index reads it through the bases
        owner, attribute = found
        if (
            ctx.module_name is not None
            and attribute not in instance_attributes(owner.name, ctx)
            and any(base is not None and base not in ctx.classes for base in owner.bases)
        ):
            return f"{ctx.module_name}.{owner.name}.{attribute}"
        return None
    cls = annotated_project_class(expr.value, ctx)
    return f"{cls}.{expr.attr.value}" if cls is not None else None


def _is_alias_name(ref: str) -> bool:
    """A lower-case name an annotation spells is an alias of a type (ally360's
    `db_dependency = Annotated[Session, Depends(get_db)]`, reader 148), not a CONSTANT."""
    name = ref.rpartition(".")[2]
    return name.isidentifier() and name.islower()


def self_attribute(expr: cst.BaseExpression, ctx: FileContext) -> tuple[ClassInfo, str] | None:
    """For `self.x` in a method of a module-level class: that class, and `x`."""
    function = ctx.function
    owner = function.owner if function is not None else None
    if (
        owner is None
        or owner.outer is not None
        or not isinstance(expr, cst.Attribute)
        or not isinstance(expr.value, cst.Name)
        or expr.value.value != "self"
    ):
        return None
    return owner, expr.attr.value


def held_project_class(expr: cst.BaseExpression, ctx: FileContext) -> str | None:
    """The class of the project an attribute of `self` holds, in a method of a
    module-level class (`self.area_service` of `area_service: AreaService` in
    `__init__`, Jancarlos042003's `QuestionService`), as the class body annotates it or
    `__init__` shows it (`instance_attributes`): another module's, or this one's (named
    with the module's name). SQLAlchemy's and SQLModel's own classes are not asked."""
    found = self_attribute(expr, ctx)
    if found is None:
        return None
    owner, attribute = found
    cls = instance_attributes(owner.name, ctx).get(attribute)
    if cls is None:
        return None
    own = ctx.classes.get(cls)
    if own is not None:
        module = ctx.module_name
        return f"{module}.{cls}" if own.outer is None and module is not None else None
    if not (may_be_imported_instance(cls) and _is_class_name(cls)) or cls in _KNOWN_CLASSES:
        return None
    return cls


def depends_origin(expr: cst.BaseExpression, ctx: FileContext) -> str | None:
    """The function of the project a name of the coroutine being walked is filled by,
    when it is an unannotated parameter (bound once) whose default is `Depends(get_db)`:
    another module's (`from app.db.session import get_db`) or this one's. The file cannot
    tell what `get_db` gives (fastapi-react's `db=Depends(get_db)`, whose `get_db` yields
    `SessionLocal()`); the project index can."""
    function = ctx.function
    if not isinstance(expr, cst.Name) or function is None:
        return None
    node = function.node
    if not isinstance(node, cst.FunctionDef):
        return None
    bindings = _function_bindings(node, ctx).get(expr.value)
    if bindings is None:
        return None
    # `db = next(get_db())`, `with next(get_session()) as db:` (each time the same one):
    # what the generator yields, as `Depends(get_db)` fills a parameter with it
    # (EnissayG's checkout saga opening a sync session so four times: reader 144)
    generators = {next_of_generator(binding, ctx) for binding in bindings}
    if len(generators) == 1 and None not in generators:
        return generators.pop()
    if len(bindings) != 1 or bindings[0] is not None:
        return None
    params = node.params
    for param in [*params.posonly_params, *params.params, *params.kwonly_params]:
        if param.name.value != expr.value:
            continue
        dependency = dependency_of(param.default, ctx)
        if param.annotation is not None or dependency is None:
            return None
        name = ctx.qualified_name(dependency)
        if name is None or not may_be_imported_instance(name):
            return None
        return name
    return None


def function_binds(name: str, ctx: FileContext) -> bool:
    """Whether the function being walked binds `name` anywhere in its body or parameters
    (`_function_bindings`: also after the line being read, in a loop)."""
    function = ctx.function
    if function is None or not isinstance(function.node, cst.FunctionDef):
        return False
    return name in _function_bindings(function.node, ctx)


def next_of_generator(value: object, ctx: FileContext) -> str | None:
    """The function of the project whose generator `next(...)` advances, in `next(get_db())`
    (the builtin `next`, given that one call alone), as `depends_origin` names it."""
    if not (
        isinstance(value, cst.Call)
        and isinstance(value.func, cst.Name)
        and value.func.value == "next"
        and not ctx.is_bound("next")
        and len(value.args) == 1
        and value.args[0].keyword is None
        and not value.args[0].star
    ):
        return None
    inner = value.args[0].value
    if not isinstance(inner, cst.Call) or inner.args:
        return None
    name = ctx.qualified_name(inner.func)
    return name if name is not None and may_be_imported_instance(name) else None


def may_be_imported_instance(qualified: str) -> bool:
    """Whether an absolute imported name may be a module-level object the project index
    reads (`app.db.SessionLocal`): not SQLAlchemy's or SQLModel's own names."""
    top, dot, _ = qualified.partition(".")
    return bool(dot) and bool(top) and top not in {"sqlalchemy", "sqlmodel"}


def module_factories(ctx: FileContext) -> dict[str, str]:
    """Module-level names bound to a SQLAlchemy factory's result (`engine =
    create_engine(url)` -> `Engine`, `SessionLocal = sessionmaker(...)` -> a session
    factory), or to a LangChain chat model (`_chat_model`): one binding each, else the
    name is left out."""
    facts = _facts(ctx)
    if facts.module is None:
        found: dict[str, str | None] = {}
        for statement in _flat_statements(ctx.module.body):
            for target, value in _assignments(statement):
                if target in found:
                    found[target] = None
                    continue
                if isinstance(value, cst.IfExp):
                    value = _unless_none(value)
                made = None
                if isinstance(value, cst.Call):
                    made = (
                        _made_by(value, ctx)
                        or _made_from_module_object(value, found)
                        or _chat_model(value, found, ctx)
                    )
                found[target] = made
        facts.module = {name: cls for name, cls in found.items() if cls is not None}
    return facts.module


def _chat_model(call: cst.Call, found: Mapping[str, str | None], ctx: FileContext) -> str | None:
    """The LangChain chat model a call makes (`llm = ChatOpenAI(...)`), or a runnable made
    of a module-level one bound before calls (`structured =
    llm.with_structured_output(Schema)`: ravin1100's claim agents, reader 177)."""
    func = call.func
    if isinstance(func, cst.Attribute) and func.attr.value in RUNNABLE_DERIVATIONS:
        owner = found.get(func.value.value) if isinstance(func.value, cst.Name) else None
        return owner if owner in LANGCHAIN_CHAT_MODELS else None
    ref = ctx.class_ref(func)
    model = canonical(ref) if ref is not None else None
    return model if model in LANGCHAIN_CHAT_MODELS else None


def _made_from_module_object(call: cst.Call, found: Mapping[str, str | None]) -> str | None:
    """What a call of a module-level object bound before gives (`session = SessionLocal()`,
    `conn = engine.connect()`: a session or a connection opened at import), as the
    summaries record it for other modules (`checks.project.module_instances`)."""
    func = call.func
    if isinstance(func, cst.Name):
        return CALLED_INSTANCES.get(found.get(func.value) or "")
    if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name):
        return OPENED_BY.get((found.get(func.value.value) or "", func.attr.value))
    return None


def _unless_none(value: cst.BaseExpression) -> cst.BaseExpression:
    """The value a conditional expression gives unless it gives `None` (`redis.Redis(...)
    if url else None`: a client or nothing, and a method is called only on the client)."""
    if isinstance(value, cst.IfExp):
        if _is_none(value.orelse):
            return value.body
        if _is_none(value.body):
            return value.orelse
    return value


def _is_none(expr: cst.BaseExpression) -> bool:
    return isinstance(expr, cst.Name) and expr.value == "None"


def _made_by(call: cst.Call, ctx: FileContext) -> str | None:
    """What a module-level factory call makes: a SQLAlchemy factory's result, or a network
    SDK's sync client (`s3 = boto3.client("s3")`, `boto3.Session().client("s3")`)."""
    made = factory_result(call, ctx) or _CLIENT_FUNCTIONS.get(ctx.qualified_name(call.func) or "")
    func = call.func
    if made is None and isinstance(func, cst.Attribute) and isinstance(func.value, cst.Call):
        made = _CLIENT_METHODS.get((ctx.qualified_name(func.value.func) or "", func.attr.value))
    return made


def instance_attributes(class_name: str, ctx: FileContext) -> dict[str, str]:
    """The attributes of instances of a class of this file whose class is known: from
    annotations of the class body and assignments in `__init__`, its local bases' too."""
    facts = _facts(ctx)
    known = facts.attributes.get(class_name)
    if known is not None:
        return known
    facts.attributes[class_name] = {}  # a cycle of bases ends here
    info = ctx.classes.get(class_name)
    result: dict[str, str] = {}
    if info is not None:
        for base in reversed(info.bases):
            if base is not None and base in ctx.classes:
                result.update(instance_attributes(base, ctx))
        resolver = _Resolver(ctx)
        for name, annotation in info.fields.items():
            cls = resolver.annotation_class(annotation)
            if cls is not None:
                result[name] = cls
        for name, value in _class_body_instances(info.node):
            # `_password_hasher = PasswordHasher()` in the class body, which every instance
            # reads (himura467's use cases, reader 117)
            cls = resolver.resolve(value, 0)
            if cls is not None:
                result.setdefault(name, cls)
        result.update(_init_attributes(info, resolver))
        for name, cls in _set_up_attributes(info, resolver).items():
            result.setdefault(name, cls)
    facts.attributes[class_name] = result
    return result


def _set_up_attributes(info: ClassInfo, resolver: _Resolver) -> dict[str, str]:
    """`self.x` attributes a method other than `__init__` makes, once, by a call whose
    class is known, where every other binding of `x` in the class is None (`self.client
    = None` in `__init__`, then `self.client = redis.Redis(...)` in `connect()`: Mohit-555's
    `RedisService`, reader 136): until that method runs, `x` is None and no method of it
    is called."""
    made: dict[str, list[cst.Call]] = {}
    other: set[str] = set()
    for statement in _block(info.node.body):
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                if isinstance(small, cst.Assign | cst.AnnAssign) and not (
                    small.value is None or _is_none(small.value)
                ):
                    named = small.targets if isinstance(small, cst.Assign) else [small]
                    other.update(t.target.value for t in named if isinstance(t.target, cst.Name))
        if not isinstance(statement, cst.FunctionDef):
            continue
        positional = [*statement.params.posonly_params, *statement.params.params]
        if not positional:
            continue
        owner = positional[0].name.value
        for inner in _flat_statements(_block(statement.body), into_loops=True):
            if not isinstance(inner, cst.SimpleStatementLine):
                continue
            for small in inner.body:
                if isinstance(small, cst.Assign):
                    targets = [t.target for t in small.targets]
                    value: cst.BaseExpression | None = small.value
                elif isinstance(small, cst.AnnAssign | cst.AugAssign):
                    targets, value = [small.target], None
                else:
                    continue
                for target in targets:
                    if not (
                        isinstance(target, cst.Attribute)
                        and isinstance(target.value, cst.Name)
                        and target.value.value == owner
                    ):
                        continue
                    name = target.attr.value
                    if value is not None and _is_none(value):
                        continue
                    if statement.name.value != "__init__" and isinstance(value, cst.Call):
                        made.setdefault(name, []).append(value)
                    else:
                        other.add(name)
    found: dict[str, str] = {}
    for name, calls in made.items():
        if name in other or len(calls) != 1:
            continue
        cls = resolver.resolve(calls[0], depth=1)
        if cls is not None:
            found[name] = cls
    return found


def _class_body_instances(node: cst.ClassDef) -> Iterator[tuple[str, cst.Call]]:
    """The names a class body binds once, each by a plain assignment of a call
    (`hasher = PasswordHasher()`)."""
    found: dict[str, cst.Call | None] = {}
    for statement in node.body.body:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            if isinstance(small, cst.Assign | cst.AnnAssign | cst.AugAssign):
                targets = (
                    [t.target for t in small.targets]
                    if isinstance(small, cst.Assign)
                    else [small.target]
                )
                for target in targets:
                    if isinstance(target, cst.Name):
                        made = small.value if isinstance(small, cst.Assign) else None
                        called = made if isinstance(made, cst.Call) else None
                        found[target.value] = None if target.value in found else called
    for name, value in found.items():
        if value is not None:
            yield name, value


def self_attributes_used(
    function: cst.FunctionDef, ignored_methods: frozenset[str] = frozenset()
) -> set[str]:
    """The attributes a method reads or writes on its first parameter (`self.session`);
    an attribute only called with one of `ignored_methods` (`self.session.add(x)`) does
    not count."""
    params = [*function.params.posonly_params, *function.params.params]
    if not params:
        return set()
    owner = params[0].name.value
    found: set[str] = set()
    skipped: set[int] = set()

    class _Uses(cst.CSTVisitor):
        def visit_Call(self, node: cst.Call) -> None:
            func = node.func
            if isinstance(func, cst.Attribute) and func.attr.value in ignored_methods:
                skipped.add(id(func.value))

        def visit_Attribute(self, node: cst.Attribute) -> None:
            if id(node) in skipped:
                return
            if isinstance(node.value, cst.Name) and node.value.value == owner:
                found.add(node.attr.value)

    function.body.visit(_Uses())
    return found


def method_node(class_name: str, method: str, ctx: FileContext) -> cst.FunctionDef | None:
    """The definition of `method` in a class of this file, or in one of its local bases."""
    found = defining_class(class_name, method, ctx)
    return found[1] if found is not None else None


def defining_class(
    class_name: str, method: str, ctx: FileContext
) -> tuple[ClassInfo, cst.FunctionDef] | None:
    """The class of this file that defines `method` for instances of `class_name`: that
    class, or one of its local bases (breadth first), with the definition."""
    seen: set[str] = set()
    pending = [class_name]
    while pending:
        current = pending.pop(0)
        if current in seen:
            continue
        seen.add(current)
        info = ctx.classes.get(current)
        if info is None:
            continue
        for statement in _block(info.node.body):
            if isinstance(statement, cst.FunctionDef) and statement.name.value == method:
                return info, statement
        pending.extend(base for base in info.bases if base is not None)
    return None


# ------------------------------------------------------------------------ internals
class _Annotated(NamedTuple):
    """A binding whose value is given by an annotation: a parameter, `x: T = ...`."""

    annotation: cst.BaseExpression


if TYPE_CHECKING:
    _Binding = cst.BaseExpression | _Annotated | None


@dataclass(slots=True)
class _Facts:
    module: dict[str, str] | None = None
    attributes: dict[str, dict[str, str]] = field(default_factory=dict)
    #: function node id -> name -> the values of its bindings (None: not followed)
    bindings: dict[int, dict[str, list[_Binding]]] = field(default_factory=dict)


def _facts(ctx: FileContext) -> _Facts:
    cache = ctx.stash(_CACHE_KEY)
    if not cache:
        cache.append(_Facts())
    facts = cache[0]
    assert isinstance(facts, _Facts)
    return facts


class _Resolver:
    """Resolves expressions of the scope being walked, or, given `function`, of that
    function's body (its names then resolve through its own bindings only)."""

    def __init__(
        self, ctx: FileContext, function: cst.FunctionDef | cst.Lambda | None = None
    ) -> None:
        self.ctx = ctx
        self.function = function

    def resolve(self, expr: cst.BaseExpression, depth: int) -> str | None:
        """The class of `expr`; `depth` bounds how many bindings are followed."""
        if depth > 4:
            return None
        ctx = self.ctx
        walked = ctx.function.node if ctx.function is not None else None
        # the walk's own inference when the names are the walked function's (a binding
        # of it followed: `client = self.aoss_client`, graphiti's Neptune driver)
        if self.function in (None, walked) and isinstance(expr, cst.Name | cst.Attribute):
            inferred = ctx.infer(expr)
            # a `sessionmaker` may make async sessions (`class_=AsyncSession`, the 1.4
            # spelling; `sessionmaker[AsyncSession]`): its bindings below say which
            if inferred is not None and canonical(inferred.cls) != SYNC_SESSION_FACTORY:
                return None if inferred.iterable else canonical(inferred.cls)
        if isinstance(expr, cst.Name):
            return self._name(expr.value, depth)
        if isinstance(expr, cst.Attribute):
            library = LIBRARY_INSTANCES.get(ctx.qualified_name(expr) or "")
            if library is not None:
                return library
            owner = _class_named(expr.value, ctx) or self.resolve(expr.value, depth + 1)
            if owner is not None and owner in ctx.classes:
                return instance_attributes(owner, ctx).get(expr.attr.value)
            return INSTANCE_ATTRIBUTES.get((owner, expr.attr.value)) if owner else None
        if isinstance(expr, cst.Call):
            return self._call(expr, depth)
        if isinstance(expr, cst.Await) and isinstance(expr.expression, cst.Call):
            return self._awaited(expr.expression, walked)
        if isinstance(expr, cst.IfExp):
            chosen = _unless_none(expr)
            return None if chosen is expr else self.resolve(chosen, depth + 1)
        return None

    def _awaited(self, call: cst.Call, walked: cst.CSTNode | None) -> str | None:
        """What an awaited call of a coroutine function of this file gives, as its return
        annotation names it: `await get_session()` of a module-level `async def
        get_session() -> Session`, `await self._get_db_session()` of an `async def` of the
        class being walked (litigation-support's `EmailMonitor`, reader 166)."""
        ctx = self.ctx
        func = call.func
        returned = None
        if isinstance(func, cst.Name) and ctx.class_ref(func) is None:
            if _async_def_in(ctx.module.body, func.value):
                returned = ctx.module_function_returns(func.value)
        elif (
            isinstance(func, cst.Attribute)
            and isinstance(func.value, cst.Name)
            and self.function in (None, walked)
            and ctx.function is not None
            and ctx.function.owner is not None
            and ctx.function.owner.outer is None
            and isinstance(ctx.function.node, cst.FunctionDef)
            and ctx.function.node.params.params
            and ctx.function.node.params.params[0].name.value == func.value.value
            # bound once, by the parameter; not a `@staticmethod`'s first argument
            and len(_function_bindings(ctx.function.node, ctx).get(func.value.value, ())) == 1
            and not any(
                isinstance(d.decorator, cst.Name) and d.decorator.value == "staticmethod"
                for d in ctx.function.node.decorators
            )
            and _async_def_in(_block(ctx.function.owner.node.body), func.attr.value)
        ):
            returned = ctx.method_returns(ctx.function.owner.name, func.attr.value)
        return canonical(returned) if returned is not None and returned != NO_RETURN else None

    def _call(self, call: cst.Call, depth: int) -> str | None:
        ctx = self.ctx
        made = _made_by(call, ctx)
        if made is not None:
            return made
        func = call.func
        ref = ctx.class_ref(func)
        if ref is not None and (ref in ctx.classes or ref in _KNOWN_CLASSES or _is_class_name(ref)):
            return canonical(ref)  # an instance of a class: `AsyncSession(engine)`
        if isinstance(func, cst.Name) and ref is None:
            # a function of this module annotated with what it returns (`-> Engine`)
            returned = ctx.module_function_returns(func.value)
            if returned is not None:
                return canonical(returned)
        if isinstance(func, cst.Attribute):
            owner = self.resolve(func.value, depth + 1)
            if owner in LANGCHAIN_CHAT_MODELS and func.attr.value in RUNNABLE_DERIVATIONS:
                # `llm.with_structured_output(Schema)`: another runnable of the same model
                # (ravin1100's claim agents, reader 177), its requests the model's
                return owner
            method = _METHOD_RESULTS.get((owner, func.attr.value)) if owner else None
            if method is None and owner is not None:  # `boto3.Session(...).client("s3")`
                method = _CLIENT_METHODS.get((owner, func.attr.value))
            if method is not None or owner is None or owner not in ctx.classes:
                return method
            # a factory held by an object of this file: `self.Session()` with
            # `self.Session = scoped_session(sessionmaker(bind=engine))` (agno's pgvector)
        callee = self.resolve(func, depth + 1)
        return _CALL_RESULTS.get(callee) if callee is not None else None

    def _name(self, name: str, depth: int) -> str | None:
        ctx = self.ctx
        function = self.function
        if function is None and ctx.function is not None:
            function = ctx.function.node
        if function is not None:
            bindings = _function_bindings(function, ctx).get(name)
            if bindings is not None:
                # a name of the function is followed only when it has one binding
                if len(bindings) != 1 or bindings[0] is None:
                    return None
                value = bindings[0]
                if isinstance(value, _Annotated):
                    return self.annotation_class(value.annotation)
                return _Resolver(ctx, function).resolve(value, depth + 1)
        return module_factories(ctx).get(name)

    def annotation_class(self, annotation: cst.BaseExpression) -> str | None:
        """The class an annotation names (`AsyncSession`, `AsyncSession | None`,
        `async_sessionmaker[AsyncSession]`, ...)."""
        ctx = self.ctx
        if isinstance(annotation, cst.Subscript):
            ref = ctx.class_ref(annotation.value)
            if ref is not None and canonical(ref) in _GENERIC_FACTORIES:
                made = _subscripted_class(annotation, ctx)
                if canonical(ref) == SYNC_SESSION_FACTORY and made in ASYNC_SESSION_CLASSES:
                    return ASYNC_SESSION_FACTORY  # `sessionmaker[AsyncSession]`
                return canonical(ref)
        inferred = ctx.annotation_type(annotation)
        if inferred is None or inferred.iterable:
            return None
        cls = canonical(inferred.cls)
        if cls == SYNC_SESSION_FACTORY:
            # a bare `sessionmaker` says nothing of what it makes: SQLAlchemy 1.4 made
            # async sessions with `sessionmaker(engine, class_=AsyncSession)`
            return None
        return cls


def _class_named(expr: cst.BaseExpression, ctx: FileContext) -> str | None:
    """The module-level class of this file an attribute's owner names: the class itself
    (`S3Service._client`), or a class method's first parameter (`cls._client`), whose
    class body binds what it holds (MulinEgor's `_client = boto3.client(...)`, reader
    129)."""
    if not isinstance(expr, cst.Name):
        return None
    info = ctx.classes.get(expr.value)
    if info is not None and info.outer is None and not ctx.shadowed(expr.value):
        return expr.value
    function = ctx.function
    if function is None or function.owner is None or function.owner.outer is not None:
        return None
    node = function.node
    if not isinstance(node, cst.FunctionDef) or not any(
        dotted_name(decorator.decorator) == "classmethod" for decorator in node.decorators
    ):
        return None
    positional = [*node.params.posonly_params, *node.params.params]
    if positional and positional[0].name.value == expr.value:
        return function.owner.name
    return None


def _subscripted_class(annotation: cst.Subscript, ctx: FileContext) -> str | None:
    """The class a generic factory's annotation names as what it makes
    (`sessionmaker[AsyncSession]`: `AsyncSession`), qualified; None when unknown."""
    if len(annotation.slice) != 1:
        return None
    element = annotation.slice[0].slice
    if not isinstance(element, cst.Index):
        return None
    return ctx.class_ref(element.value)


def _async_def_in(statements: Sequence[cst.CSTNode], name: str) -> bool:
    """Whether a block defines `name` at its top level, and only as an `async def` (what
    awaiting a call of it gives is what its annotation names)."""
    defined = [
        s
        for s in statements
        if isinstance(s, cst.FunctionDef | cst.ClassDef) and s.name.value == name
    ]
    return bool(defined) and all(
        isinstance(s, cst.FunctionDef) and s.asynchronous is not None for s in defined
    )


def _function_bindings(
    node: cst.FunctionDef | cst.Lambda, ctx: FileContext
) -> dict[str, list[_Binding]]:
    """Every name a function binds, with what each binding assigns: an annotated
    parameter its annotation, `x = value` and `with value as x` the value, anything else
    (a loop target, `x += ...`, an unannotated parameter, an import) None."""
    facts = _facts(ctx)
    known = facts.bindings.get(id(node))
    if known is not None:
        return known
    found: dict[str, list[_Binding]] = {}

    def add(target: cst.BaseExpression, value: _Binding) -> None:
        if isinstance(target, cst.Name):
            found.setdefault(target.value, []).append(value)
        elif isinstance(target, cst.Tuple | cst.List):
            for element in target.elements:
                add(element.value, None)
        elif isinstance(target, cst.StarredElement):
            add(target.value, None)

    params = node.params
    for param in [*params.posonly_params, *params.params, *params.kwonly_params]:
        annotation = param.annotation
        if annotation is None:
            add(param.name, None)
            continue
        # what the dependency gives, where the annotation says otherwise (`dependency_given`)
        given = ctx.dependency_given(param)
        add(param.name, _Annotated(given if given is not None else annotation.annotation))
    for star in (params.star_arg, params.star_kwarg):
        if isinstance(star, cst.Param):
            add(star.name, None)
    if isinstance(node, cst.FunctionDef):
        for statement in _flat_statements(_block(node.body), into_loops=True):
            for name, value in _assignments(statement, with_items=True):
                found.setdefault(name, []).append(value)
            for other in _other_bindings(statement):
                add(other, None)
    facts.bindings[id(node)] = found
    return found


def _assignments(
    statement: cst.BaseStatement, with_items: bool = False
) -> Iterator[tuple[str, cst.BaseExpression | _Annotated]]:
    """`name = value`, `name: T = value` (the annotation wins) and, with `with_items`,
    `with value as name`."""
    if isinstance(statement, cst.SimpleStatementLine):
        for small in statement.body:
            if isinstance(small, cst.Assign):
                for target in small.targets:
                    if isinstance(target.target, cst.Name):
                        yield target.target.value, small.value
            elif isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name):
                annotation = small.annotation.annotation
                written = dotted_name(annotation) or ""
                if small.value is not None and written.rpartition(".")[2] == "sessionmaker":
                    # a bare `sessionmaker` annotation says nothing of what it makes
                    # (`annotation_class`): the value does (`class_=AsyncSession` or not)
                    yield small.target.value, small.value
                else:
                    yield small.target.value, _Annotated(annotation)
    elif with_items and isinstance(statement, cst.With):
        for item in statement.items:
            if item.asname is not None and isinstance(item.asname.name, cst.Name):
                yield item.asname.name.value, item.item


def _other_bindings(statement: cst.BaseStatement) -> Iterator[cst.BaseExpression]:
    """Targets bound without a value we follow: loops, `+=`, tuple targets, imports,
    `except ... as`, `global`, `del`, `with ... as (a, b)`."""
    if isinstance(statement, cst.For):
        yield statement.target
    elif isinstance(statement, cst.With):
        for item in statement.items:
            if item.asname is not None and not isinstance(item.asname.name, cst.Name):
                yield item.asname.name
    elif isinstance(statement, cst.Try | cst.TryStar):
        for handler in statement.handlers:
            if handler.name is not None and isinstance(handler.name.name, cst.Name):
                yield handler.name.name
    elif isinstance(statement, cst.SimpleStatementLine):
        for small in statement.body:
            if isinstance(small, cst.AugAssign):
                yield small.target
            elif isinstance(small, cst.Assign):
                for target in small.targets:
                    if not isinstance(target.target, cst.Name):
                        yield target.target
            elif isinstance(small, cst.Import | cst.ImportFrom):
                names = small.names
                if isinstance(names, Sequence):
                    for alias in names:
                        bound = alias.asname.name if alias.asname else alias.name
                        if isinstance(bound, cst.Name):
                            yield bound
                        else:
                            head = dotted_name(bound)
                            if head:
                                yield cst.Name(head.split(".", 1)[0])
            elif isinstance(small, cst.Global | cst.Nonlocal):
                for declared in small.names:
                    yield declared.name
            elif isinstance(small, cst.Del):
                yield small.target
    elif isinstance(statement, cst.FunctionDef | cst.ClassDef):
        yield statement.name


def init_of(info: ClassInfo) -> cst.FunctionDef | None:
    """The class's own `__init__` (of its body), if it defines one."""
    return next(
        (
            s
            for s in _block(info.node.body)
            if isinstance(s, cst.FunctionDef) and s.name.value == "__init__"
        ),
        None,
    )


def _init_attributes(info: ClassInfo, resolver: _Resolver) -> dict[str, str]:
    """`self.x` attributes whose class `__init__` shows: `self.x: T = ...`,
    `self.x = param` (an annotated parameter), `self.x = AsyncSession(...)`."""
    init = init_of(info)
    if init is None:
        return {}
    positional = [*init.params.posonly_params, *init.params.params]
    if not positional:
        return {}
    owner = positional[0].name.value
    annotations = {
        param.name.value: param.annotation.annotation
        for param in [*positional[1:], *init.params.kwonly_params]
        if param.annotation is not None
    }
    found: dict[str, str] = {}
    for statement in _flat_statements(_block(init.body), into_loops=False):
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            targets: list[cst.BaseExpression] = []
            cls: str | None = None
            if isinstance(small, cst.AnnAssign):
                targets = [small.target]
                cls = resolver.annotation_class(small.annotation.annotation)
            elif isinstance(small, cst.Assign):
                targets = [t.target for t in small.targets]
                value = small.value
                if isinstance(value, cst.Name) and value.value in annotations:
                    cls = resolver.annotation_class(annotations[value.value])
                elif isinstance(value, cst.Call):
                    cls = resolver.resolve(value, depth=1) or _made_from_attribute(
                        value, owner, found
                    )
            for target in targets:
                if (
                    isinstance(target, cst.Attribute)
                    and isinstance(target.value, cst.Name)
                    and target.value.value == owner
                    and cls is not None
                ):
                    found[target.attr.value] = cls
    return found


def _made_from_attribute(call: cst.Call, owner: str, found: dict[str, str]) -> str | None:
    """What `self.x.method(...)` makes in `__init__`, `x` an attribute assigned above it
    (gpt-researcher's `self.container = self.client.get_container_client(name)` of
    `self.client = BlobServiceClient.from_connection_string(...)`)."""
    func = call.func
    if not (
        isinstance(func, cst.Attribute)
        and isinstance(func.value, cst.Attribute)
        and isinstance(func.value.value, cst.Name)
        and func.value.value.value == owner
    ):
        return None
    made_by = found.get(func.value.attr.value)
    if made_by is None:
        return None
    method = func.attr.value
    return _METHOD_RESULTS.get((made_by, method)) or _CLIENT_METHODS.get((made_by, method))


def _is_class_name(ref: str) -> bool:
    """`aiohttp.ClientSession` names a class by convention (CapWords, not a CONSTANT)."""
    name = ref.rpartition(".")[2]
    return name[:1].isupper() and not name.isupper()


def _block(body: cst.BaseSuite) -> Sequence[cst.BaseStatement]:
    if isinstance(body, cst.IndentedBlock):
        return body.body
    return (
        [cst.SimpleStatementLine(body=body.body)]
        if isinstance(body, cst.SimpleStatementSuite)
        else ()
    )


def _flat_statements(
    statements: Sequence[cst.BaseStatement], into_loops: bool = False
) -> Iterator[cst.BaseStatement]:
    """Statements of a block and of the if/try/with blocks inside it (and of loops, with
    `into_loops`), not of the functions and classes it defines."""
    for statement in statements:
        yield statement
        children: list[cst.BaseSuite] = []
        if isinstance(statement, cst.If):
            children.append(statement.body)
            orelse = statement.orelse
            while orelse is not None:
                if isinstance(orelse, cst.If):
                    children.append(orelse.body)
                    orelse = orelse.orelse
                else:
                    children.append(orelse.body)
                    orelse = None
        elif isinstance(statement, cst.Try | cst.TryStar):
            children.append(statement.body)
            children.extend(handler.body for handler in statement.handlers)
            for extra in (statement.orelse, statement.finalbody):
                if extra is not None:
                    children.append(extra.body)
        elif isinstance(statement, cst.With):
            children.append(statement.body)
        elif isinstance(statement, cst.For | cst.While) and into_loops:
            children.append(statement.body)
            if statement.orelse is not None:
                children.append(statement.orelse.body)
        elif isinstance(statement, cst.Match) and into_loops:
            children.extend(case.body for case in statement.cases)
        for child in children:
            yield from _flat_statements(_block(child), into_loops)

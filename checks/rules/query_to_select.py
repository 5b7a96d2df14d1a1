"""FG101's unsafe fix: a legacy `session.query(...)` chain rewritten as a 2.0 statement.

Only chains whose meaning the rewrite keeps are rewritten, and only to the end of the
chain (`.all()`, `.first()`, ...): a `Query` kept in a variable and finished elsewhere
keeps its finding without a fix. What each part becomes:

- `session.query(A, ...)` -> `select(A, ...)`, run with `session.execute(...)`;
- `.filter(...)` -> `.where(...)`; `filter_by`, `where`, `order_by`, `limit`, `offset`,
  `options`, `join`, `outerjoin`, `group_by`, `having` are the same on a `Select`;
- one mapped class selected: `.all()` -> `.scalars().all()`, `.first()` ->
  `.limit(1)` + `.scalars().first()` (Query.first() adds LIMIT 1), `.one()` ->
  `.scalar_one()`, `.one_or_none()` -> `.scalar_one_or_none()`; columns or several
  entities give rows: `.all()`, `.first()`, `.one()`, `.one_or_none()` as they are;
- `.scalar()` -> `.scalar_one_or_none()` (Query.scalar() raises on several rows too);
- `.count()` -> `select(func.count()).select_from(...)` with `.scalar_one()`: the
  entity and its filters when that is all the chain has, else the statement as a
  subquery (Query.count() counts the rows of the query it wraps);
- `session.query(A).get(pk)` -> `session.get(A, pk)`;
- the legacy Query de-duplicated rows holding mapped objects; a 2.0 result does not, and
  raises without `.unique()` when a mapper eager-joins a collection (`lazy="joined"`,
  invisible in the chain): a chain selecting a mapped class gets `.unique()`, except
  `.first()` without a join or loader options (its LIMIT 1 returns one row);
- an `AsyncSession` (typed as one, or a chain already awaited) gets `await`.

Unsafe because the rewrite trusts names: a capitalised argument is taken for a mapped
class, a lower-case attribute of one for a column.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple, cast

from checks.context import FileContext, FixSpec, ImportPlan, dotted_name
from checks.lazy import TransformerBase, transformer
from checks.lazy import libcst as cst

if TYPE_CHECKING:
    from libcst._types import CSTNodeT

ASYNC_SESSIONS = frozenset(
    {
        "sqlalchemy.ext.asyncio.AsyncSession",
        "sqlalchemy.ext.asyncio.session.AsyncSession",
        "sqlalchemy.ext.asyncio.async_scoped_session",
        "sqlmodel.ext.asyncio.session.AsyncSession",
    }
)
#: Query methods a `Select` has with the same meaning (`filter` is renamed `where`)
_SAME_ON_SELECT = frozenset(
    {
        "filter",
        "where",
        "filter_by",
        "order_by",
        "limit",
        "offset",
        "options",
        "join",
        "outerjoin",
        "group_by",
        "having",
    }
)
#: methods whose rows may repeat a mapped object the legacy Query de-duplicated
_MULTIPLYING = frozenset({"join", "outerjoin", "options"})
_ONLY_FILTERS = frozenset({"filter", "where", "filter_by"})
_TERMINALS = frozenset({"all", "first", "one", "one_or_none", "scalar", "count", "get"})
_ENTITY_RESULTS = {
    "all": ".scalars().all()",
    "first": ".scalars().first()",
    "one": ".scalar_one()",
    "one_or_none": ".scalar_one_or_none()",
    "scalar": ".scalar_one_or_none()",
}
_ROW_RESULTS = {
    "all": ".all()",
    "first": ".first()",
    "one": ".one()",
    "one_or_none": ".one_or_none()",
    "scalar": ".scalar_one_or_none()",
}
_SELECT_NAMES = frozenset(
    {
        "sqlalchemy.select",
        "sqlalchemy.future.select",
        "sqlalchemy.sql.select",
        "sqlalchemy.sql.expression.select",
        "sqlmodel.select",
    }
)
_FUNC_NAMES = frozenset({"sqlalchemy.func", "sqlalchemy.sql.func", "sqlalchemy.sql.functions.func"})
_COLUMN_FUNCTIONS = frozenset({"func", "label", "literal_column", "distinct"})


class Chain(NamedTuple):
    """A query chain from `session.query(...)` to its last call: the node to replace
    (the outermost call, or the `await` around it) and the calls, innermost first."""

    target: cst.BaseExpression
    calls: tuple[cst.Call, ...]
    awaited: bool


def chain_of(node: cst.BaseExpression) -> Chain | None:
    """The chain `node` ends, when it is `X.query(...).m1(...)...mn(...)` (awaited or
    not) with at least one method after `.query(...)`."""
    awaited = isinstance(node, cst.Await)
    expr = node.expression if isinstance(node, cst.Await) else node
    calls: list[cst.Call] = []
    while isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute):
        calls.append(expr)
        if expr.func.attr.value == "query":
            break
        expr = expr.func.value
    else:
        return None
    if len(calls) < 2:
        return None
    return Chain(node, tuple(reversed(calls)), awaited)


def _method(call: cst.Call) -> str:
    assert isinstance(call.func, cst.Attribute)
    return call.func.attr.value


def _is_class_name(name: str) -> bool:
    return name[:1].isupper() and not name.isupper()


def _kind(expr: cst.BaseExpression, ctx: FileContext) -> str | None:
    """`entity` for a mapped class (`User`, `models.User`), `column` for a column or a
    SQL function (`User.email`, `func.count(User.id)`), None when unsure."""
    if isinstance(expr, cst.Name):
        return "entity" if _is_class_name(expr.value) else None
    if isinstance(expr, cst.Attribute):
        if _is_class_name(expr.attr.value):
            head = dotted_name(expr.value)
            return "entity" if head is not None and head.islower() else None
        head_name = expr.value
        if isinstance(head_name, cst.Name | cst.Attribute):
            last = head_name.value if isinstance(head_name, cst.Name) else head_name.attr.value
            if _is_class_name(last) and not expr.attr.value.startswith("_"):
                return "column"
        return None
    if isinstance(expr, cst.Call):
        name = ctx.qualified_name(expr.func) or dotted_name(expr.func) or ""
        parts = name.removeprefix("sqlalchemy.").split(".")
        if parts[0] in _COLUMN_FUNCTIONS:
            return "column"
    return None


def _arguments(call: cst.Call, ctx: FileContext) -> str:
    """The code of a call's parentheses and arguments (comments included)."""
    return ctx.code(call.with_changes(func=cst.Name("f")))


def _plain_args(call: cst.Call) -> bool:
    return all(not arg.star for arg in call.args)


class _Names:
    """`select` and `func` as the file spells them, imported when needed."""

    def __init__(self, ctx: FileContext) -> None:
        self.ctx = ctx
        self.plan = ImportPlan(ctx)

    def get(self, name: str, known: frozenset[str]) -> str | None:
        for local, qualified in self.ctx.imports.items():
            if qualified in known and "." not in local:
                return local
        alias = self.ctx.module_alias("sqlalchemy")
        if alias is not None and not any(
            q.startswith("sqlalchemy.") and "." not in local
            for local, q in self.ctx.imports.items()
            if local != alias
        ):
            return f"{alias}.{name}"  # the file writes `sa.select`: so does the fix
        return self.plan.need("sqlalchemy", name)


def query_fix(chain: Chain, ctx: FileContext) -> FixSpec | None:
    """The unsafe fix of a whole chain, or None when its meaning is not kept for sure."""
    if ctx.sqlalchemy_admits_below("1.4"):
        return None  # `select()` in `Session.execute()` and `.scalars()` came with 1.4
    query, *middle, terminal = chain.calls
    method = _method(terminal)
    if method not in _TERMINALS or not all(_plain_args(call) for call in chain.calls):
        return None
    if any(_method(call) not in _SAME_ON_SELECT for call in middle):
        return None
    for call in middle:
        if _method(call) in {"join", "outerjoin"} and any(
            isinstance(arg.value, cst.SimpleString | cst.ConcatenatedString) for arg in call.args
        ):
            return None  # a relationship named by a string: removed in 2.0
    if any(arg.keyword is not None for arg in query.args) or not query.args:
        return None
    kinds = [_kind(arg.value, ctx) for arg in query.args]
    if None in kinds:
        return None
    assert isinstance(query.func, cst.Attribute)
    session = ctx.code(query.func.value, at=query)
    session_type = ctx.infer(query.func.value)
    is_async = chain.awaited or (session_type is not None and session_type.cls in ASYNC_SESSIONS)
    if is_async and not ctx.can_await:
        return None
    single_entity = kinds == ["entity"]
    names = _Names(ctx)

    assert isinstance(terminal.func, cst.Attribute)
    # the text between the statement and the last call, comments included, stays
    dot = ctx.code(terminal.func.dot, at=terminal)
    after_args = ctx.code(terminal.with_changes(func=cst.Name("f"), args=()))
    if "#" in after_args:
        return None  # a comment inside the last call's parentheses
    if method == "get":
        if middle or not single_entity or len(terminal.args) != 1 or terminal.args[0].keyword:
            return None
        if "#" in dot or "#" in ctx.code(terminal) or "#" in _arguments(query, ctx):
            return None  # comments the rewrite would drop
        entity, key = (ctx.code(arg.value, at=query) for arg in (query.args[0], terminal.args[0]))
        text = f"{session}.get({entity}, {key})"
        return _spec(chain, names, text, is_async, ctx, "Use `session.get()`")
    if terminal.args:
        return None

    select = names.get("select", _SELECT_NAMES)
    if select is None:
        return None
    statement_of = terminal.func.value if isinstance(terminal.func, cst.Attribute) else None
    assert statement_of is not None
    replacements: dict[cst.CSTNode, cst.CSTNode] = {}
    for call in middle:
        assert isinstance(call.func, cst.Attribute)
        if call.func.attr.value == "filter":
            replacements[call.func.attr] = cst.Name("where")
    methods = {_method(call) for call in middle}

    if method == "count":
        func = names.get("func", _FUNC_NAMES)
        if func is None:
            return None
        counter = f"{select}({func}.count())"
        if single_entity and methods <= _ONLY_FILTERS and "#" not in _arguments(query, ctx):
            entity = ctx.code(query.args[0].value, at=query)
            replacements[query] = cst.parse_expression(f"{counter}.select_from({entity})")
            statement = _code(statement_of, replacements, ctx)
        else:
            replacements[query] = query.with_changes(func=cst.parse_expression(select))
            inner = _code(statement_of, replacements, ctx)
            statement = f"{counter}.select_from({inner}.subquery())"
        result = ".scalar_one()"
    else:
        replacements[query] = query.with_changes(func=cst.parse_expression(select))
        statement = _code(statement_of, replacements, ctx)
        if method == "first":
            statement += ".limit(1)"
        result = (_ENTITY_RESULTS if single_entity else _ROW_RESULTS)[method]
        if "entity" in kinds and (method != "first" or methods & _MULTIPLYING):
            # the legacy Query returned each mapped object once; a 2.0 result raises
            # without `.unique()` when the entity's mapper eager-joins a collection
            # (`lazy="joined"`, which the chain does not show), and repeats objects a
            # join multiplies. `.first()` adds LIMIT 1: one row, unless a join repeats it.
            result = ".unique()" + result
    execute = f"{session}.execute({statement})"
    result = dot + result.removeprefix(".")  # `.all()` keeps the layout its dot had
    text = f"(await {execute}){result}" if is_async else execute + result
    return _spec(chain, names, text, False, ctx, "Use `session.execute(select(...))`")


class _Replace(TransformerBase):
    """Replace nodes of the original tree by identity, in one pass."""

    def __init__(self, replacements: dict[cst.CSTNode, cst.CSTNode]) -> None:
        self.replacements = replacements

    def on_leave(
        self, original_node: CSTNodeT, updated_node: CSTNodeT
    ) -> CSTNodeT | cst.RemovalSentinel | cst.FlattenSentinel[CSTNodeT]:
        return cast("CSTNodeT", self.replacements.get(original_node, updated_node))


def _code(node: cst.CSTNode, replacements: dict[cst.CSTNode, cst.CSTNode], ctx: FileContext) -> str:
    """The code of `node` with the replacements made, indented where it stands."""
    replaced = node.visit(transformer(_Replace)(replacements))
    assert isinstance(replaced, cst.CSTNode)
    return ctx.code(replaced, at=node)


def _trailed(node: cst.CSTNode, ctx: FileContext) -> bool:
    """Whether `.attr`, `[...]` or `(...)` follows `node`: `await` there needs parentheses."""
    parent = ctx.parent(node)
    if isinstance(parent, cst.Attribute | cst.Subscript):
        return parent.value is node
    return isinstance(parent, cst.Call) and parent.func is node


def _spec(
    chain: Chain,
    names: _Names,
    text: str,
    awaits: bool,
    ctx: FileContext,
    message: str,
) -> FixSpec | None:
    if awaits:
        text = f"await {text}"
        if _trailed(chain.target, ctx):
            text = f"({text})"
    imports = names.plan.replacements()
    if imports is None:
        return None
    return FixSpec(message, (*imports, (chain.target, text)), applicability="unsafe")

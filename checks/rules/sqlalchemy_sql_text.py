"""What SQL text built from pieces pastes where: the analysis behind FG105.

A string given to `text()` or `execute()` is rendered with a marker for every piece that
may carry input (an f-string's `{x}`, a `%s` of `%`, a `{}` of `.format()`, an operand of
`+`); pieces that cannot (a literal, an ALL_CAPS constant, a model's `__tablename__`, an
`int()`, a `uuid4()`, a loop variable over constants, a join of placeholders) are
rendered as plain text. Then each marker is placed in the SQL:

- `VALUE`: where a bound parameter goes (`= {x}`, `'{x}'`, `IN ({x})`, `LIMIT {x}`);
- `NAME`: where SQL cannot take a bound parameter: an identifier (`"{x}"`, `FROM {x}`,
  `{schema}.users`, `idx_{x}`, `ORDER BY {x}`, the left side of a comparison) or any
  operand of a DDL or session statement (`CREATE`, `ALTER`, `DROP`, `SET`, ...);
- `PLACEHOLDER`: the name of a bound parameter (`:{name}`, `%({name})s`);
- `FRAGMENT`: a piece of SQL itself (`WHERE {conditions}`), checked where it is built.

A name given to `text()` is followed to its assignment (`sql = f"..."` then `text(sql)`)
when that is the last binding before the use in straight-line code: not when the last
binding is in a branch or a loop the use is not in, nor when a loop around the use
rebinds it. A call of a function of the module (or a method of the enclosing class) whose
every `return` is a string is rendered from those returns, its parameters standing for
the call's arguments. Both are followed a few levels deep, never across files.
"""

from __future__ import annotations

import functools
import re
import string
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Final, NamedTuple

from checks.context import (
    ClassInfo,
    FileContext,
    code_of,
    descendants,
    dotted_name,
    returns_in,
)
from checks.lazy import lazy_pattern
from checks.lazy import libcst as cst

VALUE: Final = "value"
NAME: Final = "name"
PLACEHOLDER: Final = "placeholder"
FRAGMENT: Final = "fragment"

_MARKER_BASE = 0xE000
_MARKER_COUNT = 0xF8FF - _MARKER_BASE
_MARKERS = lazy_pattern("[\ue000-\uf8ff]")
_FILLER = "x"
_MAX_DEPTH = 6

_CONSTANT = lazy_pattern(r"^_*[A-Z][A-Z0-9_]*$")
_ENUMS = frozenset({"enum.Enum", "enum.StrEnum", "enum.IntEnum", "enum.Flag", "enum.IntFlag"})
#: Attributes that name a table, fixed when the model class is written.
_TABLE_NAME_ATTRS = ("__tablename__", "__table__.name", "__table__.fullname")
#: Builtins whose result cannot carry SQL: numbers and booleans.
_NUMERIC_BUILTINS = frozenset({"int", "float", "len", "round", "abs", "bool", "min", "max"})
_UUID_FACTORIES = frozenset({"uuid.uuid1", "uuid.uuid3", "uuid.uuid4", "uuid.uuid5"})
#: A password hash's text holds no quote, whatever was hashed (`$2b$12$...`,
#: `$argon2id$...`, `pbkdf2:sha256:...`): a helper named for making one
#: (`get_password_hash`, `hash_password`: pedroist's seed revision, reader 98), or a
#: hasher's own call.
_PASSWORD_HASH_HELPER = lazy_pattern(
    r"^_*(?:get_|make_|generate_|create_)?(?:password_hash|(?:hash|encrypt)_?(?:password|pwd|pw))$",
    re.IGNORECASE,
)
_PASSWORD_HASH_CALLS = frozenset(
    {
        "werkzeug.security.generate_password_hash",
        "passlib.context.CryptContext.hash",
        "pwdlib.PasswordHash.hash",
    }
)
#: Calls that quote an identifier, or declare a piece to be one (`quoted_name`).
_QUOTING_FUNCTIONS = frozenset(
    {
        "sqlalchemy.quoted_name",
        "sqlalchemy.sql.quoted_name",
        "sqlalchemy.sql.elements.quoted_name",
        "psycopg.sql.Identifier",
        "psycopg2.sql.Identifier",
    }
)
#: Methods and functions that quote a piece: an identifier's quoting, and PostgreSQL's
#: literal quoting as PL/Python's `plpy.quote_literal()`/`quote_nullable()` call it (the
#: value escaped by the server's own rules, as a quoted literal or NULL).
_QUOTING_METHODS = frozenset(
    {
        "quote",
        "quote_identifier",
        "quote_schema",
        "format_table",
        "format_column",
        "quote_ident",
        "quote_literal",
        "quote_nullable",
    }
)
_QUOTING_NAMES = frozenset({"quote_ident", "quote_identifier", "quoted_name"})
#: Calls in a test that say nothing of a value's content.
_NOT_CHECKS = frozenset({"isinstance", "len", "bool", "hasattr", "getattr", "callable", "type"})
#: Calls whose arguments a function checks: `validate_tenant_id(x)`, `check_name(x)`.
_VALIDATOR = lazy_pattern(r"valid|check|sanitiz|ensure|verify|allowed|whitelist|safe", re.I)

#: Between the texts of a helper's `return`s, rendered in its call's place: each starts
#: afresh, inside the statement the call is in (`CREATE INDEX ... {options(m)}`).
_ALTERNATIVE = "\u241e"

# -- SQL keywords, by what a piece right after them is ------------------------------
_VALUE_KEYWORDS = frozenset(
    {
        "LIKE", "ILIKE", "IN", "VALUES", "LIMIT", "OFFSET", "WHEN",
        "BETWEEN", "INTERVAL", "DEFAULT", "ESCAPE", "FETCH", "ANY", "ALL", "SOME", "TOP",
        "IS", "RETURN", "CASE", "SIMILAR", "OVERLAPS", "ROWS", "AT", "ARRAY",
    }
)  # fmt: skip
_NAME_KEYWORDS = frozenset(
    {
        "FROM", "JOIN", "INTO", "UPDATE", "TABLE", "ONLY", "BY", "AS", "TO", "RETURNING",
        "SELECT", "DISTINCT", "USING", "CONFLICT", "REFERENCES", "INDEX", "SCHEMA", "VIEW",
        "SEQUENCE", "COLUMN", "CONSTRAINT", "TRIGGER", "FUNCTION", "TYPE", "DATABASE",
        "EXTENSION", "ROLE", "TABLESPACE", "COLLATE", "LATERAL", "OF", "PARTITION",
        "WINDOW", "ASC", "DESC", "CONCURRENTLY", "CASCADE", "THEN", "ELSE",
    }
)  # fmt: skip
_FRAGMENT_KEYWORDS = frozenset(
    {
        "WHERE", "AND", "OR", "NOT", "ON", "HAVING", "SET", "WITH", "UNION", "INTERSECT",
        "EXCEPT", "EXISTS", "LEFT", "RIGHT", "INNER", "OUTER", "FULL", "CROSS", "NATURAL",
        "BEGIN", "END", "DO", "RECURSIVE", "GROUP", "ORDER",
    }
)  # fmt: skip
#: Statements that take no bound parameter at all (PostgreSQL's utility statements,
#: SQLite's `PRAGMA`).
_UTILITY_STATEMENTS = frozenset(
    {
        "CREATE", "ALTER", "DROP", "TRUNCATE", "COMMENT", "GRANT", "REVOKE", "SET", "RESET",
        "VACUUM", "ANALYZE", "REINDEX", "CLUSTER", "REFRESH", "NOTIFY", "LISTEN",
        "UNLISTEN", "DO", "DISCARD", "SHOW", "COPY", "SECURITY", "LOCK", "PRAGMA",
    }
)  # fmt: skip
#: After a piece, these make it the left side of a comparison: a column.
_COMPARISON_OPERATORS = frozenset({"=", "<>", "!=", "<", ">", "<=", ">=", "~"})
_COMPARISON_WORDS = frozenset(
    {"IS", "IN", "LIKE", "ILIKE", "BETWEEN", "NOT", "SIMILAR", "REGEXP", "RLIKE", "GLOB"}
)
_TABLE_WORDS = frozenset({"INTO", "TABLE", "ONLY", "REFERENCES", "INDEX", "ON"})

_TOKEN = lazy_pattern(
    r"""
      (?P<single>[EeNnBbXx]?'(?:[^']|'')*'?)
    | (?P<double>"(?:[^"]|"")*"?)
    | (?P<backtick>`[^`]*`?)
    | (?P<comment>--[^\n]*|/\*.*?(?:\*/|\Z))
    | (?P<dollar>\$[A-Za-z_]*\$)
    | (?P<param>:(?![:=])|%\(|\$(?=[0-9\ue000-\uf8ff])|\?|@)
    | (?P<word>[A-Za-z0-9_$\ue000-\uf8ff]+)
    | (?P<op><>|!=|<=|>=|::|\|\||[=<>+\-*/%~^&|])
    | (?P<space>\s+)
    | (?P<punct>.)
    """,
    re.VERBOSE | re.DOTALL,
)


class Piece(NamedTuple):
    """A piece of SQL text that may carry input, and where it is pasted."""

    expr: cst.BaseExpression
    kind: str
    #: what a message names: the collection a comprehension's variable runs over
    #: (`sessions` of `",".join(str(k) for k in sessions)`), else `expr`
    shown: cst.BaseExpression | None = None


class SqlText(NamedTuple):
    """SQL text as rendered (markers for the pieces), with its pieces placed."""

    text: str
    pieces: tuple[Piece, ...]


# ---------------------------------------------------------------- straight-line flow
#: The values of a name `SqlFlow.alternatives` stands for at most (each `+=` under its
#: own `if` adds one: a search endpoint's optional filters).
_MAX_ALTERNATIVES = 16


@functools.cache
def _trusted() -> cst.Name:
    """The value of a loop variable over constants (one node: compared by identity)."""
    return cst.Name("__trusted__")


@dataclass(slots=True)
class _Binding:
    order: int
    path: tuple[int, ...]
    value: cst.BaseExpression | None


@dataclass(slots=True)
class SqlFlow:
    """Per-file facts the traversal collects for FG105, in the order the code runs:
    each function's bindings with the blocks they sit in, the loops, the names a
    function checks (`if name not in ALLOWED`, `validate(name)`), the module's helpers.
    """

    suites: list[int] = field(default_factory=list)
    loops: dict[int, cst.For | cst.While] = field(default_factory=dict)
    bindings: dict[int, dict[str, list[_Binding]]] = field(default_factory=dict)
    checked: dict[int, set[str]] = field(default_factory=dict)
    helpers: dict[str, cst.FunctionDef | None] = field(default_factory=dict)
    order: int = 0
    #: id of what a list is given (`parts.append(f"... {ph}")`) -> where that runs: the
    #: blocks around it and the bindings made before it (its names hold what they held
    #: there: `ph` bound in the loop that appends)
    sites: dict[int, tuple[tuple[int, ...], int]] = field(default_factory=dict)

    @staticmethod
    def of(ctx: FileContext) -> SqlFlow:
        """The file's flow facts (created on first use), one per rule that walks them
        (FG105 and FG111 may run together: each visits every node once)."""
        rule = ctx.current_rule
        cache = ctx.stash(f"sql-flow-{rule.code if rule is not None else ''}")
        if not cache:
            cache.append(SqlFlow())
        flow = cache[0]
        assert isinstance(flow, SqlFlow)
        return flow

    def scan_module(self, module: cst.Module) -> None:
        """Index the module's functions, the helpers a SQL text may be built by."""
        for statement in module.body:
            if isinstance(statement, cst.FunctionDef):
                name = statement.name.value
                self.helpers[name] = None if name in self.helpers else statement

    def enter_suite(self, node: cst.BaseSuite) -> None:
        self.suites.append(id(node))

    def leave_suite(self) -> None:
        if self.suites:
            self.suites.pop()

    def enter_loop(self, node: cst.For | cst.While) -> None:
        self.loops[id(node.body)] = node

    def bind(
        self, target: cst.BaseExpression, value: cst.BaseExpression | None, ctx: FileContext
    ) -> None:
        """Record that `target` is bound here to `value` (None: a value not followed)."""
        if isinstance(target, cst.Name):
            self.order += 1
            record = _Binding(self.order, tuple(self.suites), value)
            self.bindings.setdefault(_key(ctx), {}).setdefault(target.value, []).append(record)
        elif isinstance(target, cst.Tuple | cst.List):
            unpacked = isinstance(value, cst.Call) and not any(
                isinstance(e, cst.StarredElement) for e in target.elements
            )
            # `ready, claimed = State.READY.value, State.CLAIMED.value`: each name is bound
            # to the element of a tuple literal of as many elements, none starred
            paired = (
                isinstance(value, cst.Tuple | cst.List)
                and len(value.elements) == len(target.elements)
                and not any(isinstance(e, cst.StarredElement) for e in target.elements)
                and not any(isinstance(e, cst.StarredElement) for e in value.elements)
            )
            for index, element in enumerate(target.elements):
                # `ph, params = helper(...)`: `ph` is element 0 of what the call returns
                item: cst.BaseExpression | None = (
                    _element_of(value, index) if unpacked and value is not None else None
                )
                if paired:
                    assert isinstance(value, cst.Tuple | cst.List)
                    item = value.elements[index].value
                self.bind(element.value, item, ctx)
        elif isinstance(target, cst.StarredElement):
            self.bind(target.value, None, ctx)

    def bind_loop(
        self,
        target: cst.BaseExpression,
        value: cst.BaseExpression | None,
        ctx: FileContext,
        iterable: cst.BaseExpression | None = None,
    ) -> None:
        """Bind a loop target: every name of it to `value` when the loop walks constants
        (`for table, column in PAIRS`), else to None; `enumerate()`'s counter (`for i,
        item in enumerate(items)`) is a number, as in a comprehension (`_join`)."""
        if (
            value is None
            and iterable is not None
            and _called_name(iterable) == "enumerate"
            and isinstance(target, cst.Tuple)
            and len(target.elements) == 2
            and isinstance(target.elements[0].value, cst.Name)
        ):
            self.bind(target.elements[0].value, _trusted(), ctx)
            # the item: what a loop over `enumerate`'s iterable binds (`for batch, start
            # in enumerate(range(0, total, size))`: tracardi's MySQL importer)
            args = iterable.args if isinstance(iterable, cst.Call) else ()
            inner = args[0].value if args and args[0].star == "" else None
            item = target.elements[1].value
            if inner is None:
                self.bind(item, None, ctx)
            else:
                self.bind_loop(item, loop_value(inner, ctx), ctx, inner)
            return
        if value is None and isinstance(target, cst.Tuple) and iterable is not None:
            positions = self._constant_positions(iterable, len(target.elements), ctx)
            if positions is not None:
                # `for col_name, col_type in [("logo_url", sa.String(500)), ...]`: a
                # position every row holds a literal at is a constant (vs-ai-ds's
                # migration, reader 159), the others are not followed
                for element, constant in zip(target.elements, positions, strict=True):
                    self.bind(element.value, _trusted() if constant else None, ctx)
                return
        if value is None:
            self.bind(target, None, ctx)
            return
        for node in descendants(target):
            if isinstance(node, cst.Name):
                self.bind(node, value, ctx)

    def _constant_positions(
        self, iterable: cst.BaseExpression, width: int, ctx: FileContext
    ) -> list[bool] | None:
        """For a loop over a literal list of tuples of `width` items (or a local name
        bound to one), whether each position holds a literal in every row; else None."""
        rows = iterable
        if isinstance(rows, cst.Name):
            bound = self.value_of(rows.value, ctx)
            rows = bound if isinstance(bound, cst.BaseExpression) else rows
        if not isinstance(rows, cst.List | cst.Tuple) or not rows.elements:
            return None
        positions = [True] * width
        for row in rows.elements:
            items = row.value if isinstance(row, cst.Element) else None
            if not isinstance(items, cst.Tuple) or len(items.elements) != width:
                return None
            for index, item in enumerate(items.elements):
                if isinstance(item, cst.StarredElement) or not _plain_literal(item.value):
                    positions[index] = False
        return positions

    def check(self, expr: cst.BaseExpression, ctx: FileContext) -> None:
        """Record the names an `if`/`while`/`assert` test checks: looked up in a set
        (`x not in ALLOWED`), or given to a call (`RE.fullmatch(x)`, `x.isidentifier()`,
        `is_valid(x)`; not `isinstance`, `len`, `hasattr` and such)."""
        checked = self.checked.setdefault(_key(ctx), set())
        for node in descendants(expr):
            if isinstance(node, cst.Comparison):
                if any(isinstance(t.operator, cst.In | cst.NotIn) for t in node.comparisons):
                    name = dotted_name(node.left)
                    if name:
                        checked.add(name)
            elif isinstance(node, cst.Call) and _called_name(node) not in _NOT_CHECKS:
                checked.update(name for a in node.args if (name := dotted_name(a.value)))
                if isinstance(node.func, cst.Attribute):
                    name = dotted_name(node.func.value)
                    if name:
                        checked.add(name)

    def validator_call(self, node: cst.Call, ctx: FileContext) -> None:
        """Record the arguments of a call whose name says it checks them."""
        name = dotted_name(node.func)
        if name is None or not _VALIDATOR.search(name.rpartition(".")[2]):
            return
        checked = self.checked.setdefault(_key(ctx), set())
        checked.update(name for a in node.args if (name := dotted_name(a.value)))

    def is_checked(self, expr: cst.BaseExpression, ctx: FileContext) -> bool:
        """Whether the function checked a name this piece is made of, before here."""
        checked = self.checked.get(_key(ctx), set())
        return any(name in checked for name in _dotted_names(expr))

    def branch_values(self, name: str, ctx: FileContext) -> list[cst.BaseExpression] | None:
        """The values every binding of `name` in this function so far assigns, in whatever
        branch (`if ...: marks = ", ".join(["?"] * n)` / `else: marks = ...`), when each
        is followed, none is in a loop around here, and `name` is no parameter; else
        None."""
        return self._values_from(name, ctx, reaching=False)

    def reaching_values(self, name: str, ctx: FileContext) -> list[cst.BaseExpression] | None:
        """The values `name` may hold here when no one binding of it is certain to (see
        `value_of`): the last binding that runs on every path to here, and each later one,
        made in blocks the code has left (`if ...: sql = f"..."` / `else: sql = ...`);
        None as for `branch_values`."""
        return self._values_from(name, ctx, reaching=True)

    def _values_from(
        self, name: str, ctx: FileContext, *, reaching: bool
    ) -> list[cst.BaseExpression] | None:
        records = self.bindings.get(_key(ctx), {}).get(name)
        if not records or ctx.is_parameter(name):
            return None
        if reaching:  # from the last binding that runs on every path to here
            here = tuple(self.suites)
            start = 0
            for index, record in enumerate(records):
                if here[: len(record.path)] == record.path:
                    start = index
            records = records[start:]
        if any(record.value is None for record in records):
            return None
        if any(
            (loop := self.loops.get(suite)) is not None and _binds(loop.body, name)
            for suite in self.suites
        ):
            return None
        return [record.value for record in records if record.value is not None]

    def augmented(self, node: cst.AugAssign, ctx: FileContext) -> None:
        """`sql += f" AND kind = '{kind}'"`: the name holds what it held, then the text
        added (when what it held here is followed), else a value not followed."""
        target = node.target
        if isinstance(target, cst.Name) and isinstance(node.operator, cst.AddAssign):
            # the names of the text added hold what they hold here (`placeholders`, bound
            # in the `if` block of the `+=`: tzinchy's filters, reader 157)
            self.sites[id(node.value)] = (tuple(self.suites), self.order)
            before = self.value_of(target.value, ctx)
            if before is None:
                before = self.alternatives(target.value, ctx)
            if before is not None and before is not _trusted():
                joined = cst.BinaryOperation(before, cst.Add(), node.value)
                self.bind(target, joined, ctx)
                return
        self.bind(target, None, ctx)

    def alternatives(self, name: str, ctx: FileContext) -> cst.BaseExpression | None:
        """What `name` may hold here when no one binding is certain to (`if a: sql += ...`
        then `if b: sql += ...`, invokeai's `query_conditions`): one value standing for
        each that may reach here (`x if _ else y`, rendered as alternatives), at most
        `_MAX_ALTERNATIVES` of them, each text built from strings; else None."""
        values = self.reaching_values(name, ctx)
        if not values or len(values) > _MAX_ALTERNATIVES:
            return None
        # a loop's constant carries nothing, as an empty literal does
        values = [cst.SimpleString('""') if value is _trusted() else value for value in values]
        if not all(_stringish(value) for value in values):
            return None  # `column = custom` on one branch: a piece where it is pasted
        joined = values[0]
        for value in values[1:]:
            joined = cst.IfExp(test=cst.Name("_"), body=joined, orelse=value)
        return joined

    def appended(self, node: cst.Call) -> None:
        """Record where a list is given an item (`parts.append(...)`), for `value_of`."""
        func = node.func
        if isinstance(func, cst.Attribute) and func.attr.value == "append" and node.args:
            self.sites[id(node.args[0].value)] = (tuple(self.suites), self.order)

    def value_of(
        self, name: str, ctx: FileContext, at: tuple[tuple[int, ...], int] | None = None
    ) -> cst.BaseExpression | None:
        """The value `name` holds here (or `at` a site `appended` recorded), when its last
        binding in this function is an assignment that runs before this point on every
        path (see the module's docs)."""
        records = self.bindings.get(_key(ctx), {}).get(name)
        if at is not None and records:
            records = [record for record in records if record.order <= at[1]]
        if not records:
            return None
        last = records[-1]
        here = tuple(self.suites) if at is None else at[0]
        if last.value is None or here[: len(last.path)] != last.path:
            return None
        for suite in here[len(last.path) :]:
            loop = self.loops.get(suite)
            if loop is not None and _binds(loop.body, name):
                return None  # the loop around the use rebinds it for the next turn
        return last.value


def _element_of(call: cst.BaseExpression, index: int) -> cst.Subscript:
    """`call[index]`: what a tuple target's element is bound to (`ph, params = f(...)`)."""
    return cst.Subscript(
        value=call, slice=[cst.SubscriptElement(slice=cst.Index(value=cst.Integer(str(index))))]
    )


def _key(ctx: FileContext) -> int:
    function = ctx.function
    return id(function.node) if function is not None else 0


def _dotted_names(expr: cst.BaseExpression) -> set[str]:
    found: set[str] = set()
    for node in descendants(expr):
        if isinstance(node, cst.Name | cst.Attribute):
            name = dotted_name(node)
            if name:
                found.add(name)
    return found


def _binds(body: cst.CSTNode, name: str) -> bool:
    """Whether a block binds `name` (assignment, loop, `with ... as`, walrus, ...)."""
    return _bindings_of(body, name) > 0


# -------------------------------------------------------------------------- rendering
class _Renderer:
    """Renders string-building expressions into SQL text with markers.

    In a helper's body (`params` given), the helper's parameters stand for the call's
    arguments, rendered by the caller's renderer; its other names are not followed."""

    def __init__(
        self,
        ctx: FileContext,
        flow: SqlFlow,
        depth: int = 0,
        params: dict[str, cst.BaseExpression] | None = None,
        caller: _Renderer | None = None,
        trusted_names: frozenset[str] = frozenset(),
        opaque_names: frozenset[str] = frozenset(),
        helper: cst.FunctionDef | None = None,
    ) -> None:
        self.ctx = ctx
        self.flow = flow
        self.depth = depth
        self.params = params
        self.caller = caller
        self.trusted_names = trusted_names
        self.opaque_names = opaque_names
        #: the helper whose body this renders (`params` given): its annotations count
        self.helper = helper
        #: where the text is made, when not here: an item a list was given (`SqlFlow.sites`)
        self.at: tuple[tuple[int, ...], int] | None = caller.at if caller else None
        self.pieces: list[cst.BaseExpression] = caller.pieces if caller else []
        #: id of a piece -> what a message names instead (`Piece.shown`)
        self.shown: dict[int, cst.BaseExpression] = caller.shown if caller else {}

    def _child(self, **changes: object) -> _Renderer:
        renderer = _Renderer(
            self.ctx,
            self.flow,
            self.depth + 1,
            self.params,
            self.caller,
            self.trusted_names,
            self.opaque_names,
            self.helper,
        )
        renderer.at = self.at
        for name, value in changes.items():
            setattr(renderer, name, value)
        renderer.pieces = self.pieces
        renderer.shown = self.shown
        return renderer

    # -- strings ----------------------------------------------------------------
    def render(self, expr: cst.BaseExpression) -> str | None:
        """The text of a string-building expression; None for anything else."""
        if isinstance(expr, cst.SimpleString):
            return _literal(expr)
        if isinstance(expr, cst.FormattedString):
            site = self.flow.sites.get(id(expr)) if self.params is None else None
            if site is not None and site != self.at:
                inner = self._child(at=site)  # (its pieces are this renderer's)
                return "".join(inner._formatted_part(part) for part in expr.parts)
            return "".join(self._formatted_part(part) for part in expr.parts)
        if isinstance(expr, cst.ConcatenatedString):
            left, right = self.render(expr.left), self.render(expr.right)
            return None if left is None or right is None else left + right
        if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, cst.Add):
            operands = _add_operands(expr)
            if not any(_stringish(o) for o in operands):
                return None
            return "".join(
                text if _stringish(o) and (text := self.render(o)) is not None else self.piece(o)
                for o in operands
            )
        if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, cst.Modulo):
            if not _stringish(expr.left):
                return None
            template = self.render(expr.left)
            return None if template is None else self._percent(template, expr.right)
        if (
            isinstance(expr, cst.Call)
            and isinstance(expr.func, cst.Attribute)
            and expr.func.attr.value == "format"
            and _stringish(expr.func.value)
        ):
            template = self.render(expr.func.value)
            return None if template is None else self._format(template, expr)
        if isinstance(expr, cst.IfExp):  # `"WHERE " + clause if clauses else ""`
            if not (_stringish(expr.body) or _stringish(expr.orelse)):
                return None
            body, orelse = (self.render(b) or self.piece(b) for b in (expr.body, expr.orelse))
            return f"{body} {_ALTERNATIVE} {orelse}"
        return None

    def _formatted_part(self, part: cst.BaseFormattedStringContent) -> str:
        if isinstance(part, cst.FormattedStringExpression):
            return self.piece(part.expression)
        if isinstance(part, cst.FormattedStringText):
            return part.value.replace("{{", "{").replace("}}", "}")
        return ""

    def resolve(self, expr: cst.BaseExpression) -> str | None:
        """Render `expr` itself or what it stands for: a name's straight-line value, a
        helper's returns. None when it is not SQL text we can see."""
        text = self.render(expr)
        if text is not None or self.depth >= _MAX_DEPTH:
            return text
        if isinstance(expr, cst.Name) and self.params is None:
            if expr.value in self.trusted_names | self.opaque_names:
                return None
            value = self.flow.value_of(expr.value, self.ctx, self.at)
            if value is not None and value is not _trusted():
                return self._child().resolve(value)
            return None
        if isinstance(expr, cst.Call):
            return self._helper(expr)
        return None

    def piece(self, expr: cst.BaseExpression) -> str:
        """The text of one interpolated piece: its own text when it is SQL we can see,
        plain text when it cannot carry input, else a marker."""
        if self.params is not None and isinstance(expr, cst.Name) and expr.value in self.params:
            annotation = _parameter_annotation(self.helper, expr.value)
            if annotation is not None and _typed_annotation(annotation, self.ctx):
                return _FILLER  # `value: int` in the helper: a number, whatever is passed
            caller = self.caller
            assert caller is not None
            return caller.piece(self.params[expr.value])
        if (
            self.params is not None
            and isinstance(expr, cst.Name)
            and self.helper is not None
            and self.depth < _MAX_DEPTH
            and expr.value not in self.trusted_names | self.opaque_names
        ):
            # a local of the helper bound once (`values = ", ".join(marks)`): its own text
            value = _helper_local(self.helper, expr)
            if value is not None:
                inner = self._child()
                text = inner.render(value)
                return text if text is not None else inner.piece(value)
            # or bound on each branch of an `if`, to text that carries no input on each
            values = _helper_branch_values(self.helper, expr.value)
            if values and all(self._carries_nothing(v) for v in values):
                return _FILLER
        if self.trusted(expr):
            text = _literal(expr) if isinstance(expr, cst.SimpleString) else None
            return text if text is not None else _FILLER
        if (
            isinstance(expr, cst.Name)
            and self.params is None
            and self.depth < _MAX_DEPTH
            and expr.value not in self.trusted_names | self.opaque_names
        ):
            value = self.flow.value_of(expr.value, self.ctx, self.at)
            if value is _trusted():
                return _FILLER
            if value is not None:
                inner = self._child()
                text = inner.resolve(value)
                return text if text is not None else inner.piece(value)
            if self._typed_parameter(expr.value) or self._every_branch_safe(expr.value):
                return _FILLER
            if self.at is None:
                # text built on several paths (`if a: sql += ...` / `if b: sql += ...`):
                # each that may reach here, as alternatives, with its own pieces
                alternatives = self.flow.alternatives(expr.value, self.ctx)
                if alternatives is not None:
                    text = self._child().render(alternatives)
                    if text is not None:
                        return text
        if isinstance(expr, cst.Call) and self.depth < _MAX_DEPTH:
            joined = self._join(expr)
            if joined is not None:
                return joined
            if _called_name(expr) == "str" and len(expr.args) == 1:
                return self.piece(expr.args[0].value)
            text = self._helper(expr)
            if text is not None:
                return text
        element = _helper_element(expr)
        if element is not None and self.depth < _MAX_DEPTH:
            text = self._helper(*element)
            if text is not None:
                return text
        return self.marker(expr)

    def _carries_nothing(self, value: cst.BaseExpression) -> bool:
        """Whether a value renders to SQL text with no piece that may carry input. The
        pieces list is the whole rendering's (a helper's caller's too): what this check
        adds is counted, then taken back (the pieces met before it are not this value's:
        mem0's `{filter_clause} {limit_clause}`, `limit_clause` bound to two literals)."""
        before = len(self.pieces)
        inner = self._child()
        if inner.render(value) is None:
            inner.piece(value)  # a join, a helper's call: the pieces it is made of
        added = len(self.pieces) > before
        del self.pieces[before:]
        return not added

    def _every_branch_safe(self, name: str) -> bool:
        """Whether every value the branches bind `name` to carries no input: a string
        literal, a loop's constant, a join of placeholders (`"?"` for SQLite, `$n` for
        asyncpg) on each branch."""
        values = self.flow.branch_values(name, self.ctx)
        if not values:
            return False
        return all(value is _trusted() or self._carries_nothing(value) for value in values)

    def marker(self, expr: cst.BaseExpression) -> str:
        """A marker standing for a piece that may carry input."""
        self.pieces.append(expr)
        return chr(_MARKER_BASE + min(len(self.pieces) - 1, _MARKER_COUNT - 1))

    # -- pieces that cannot carry input -----------------------------------------------
    def trusted(self, expr: cst.BaseExpression) -> bool:
        """A piece that cannot carry input: a literal, an ALL_CAPS constant, a table name
        attribute, an enum's own value, a number, a uuid, a quoted identifier, a join of
        constants or placeholders."""
        ctx = self.ctx
        if isinstance(expr, cst.SimpleString | cst.Integer | cst.Float | cst.Imaginary):
            return True
        if isinstance(expr, cst.Name) and expr.value in {"True", "False", "None"}:
            return True
        if isinstance(expr, cst.FormattedString):
            return all(
                not isinstance(p, cst.FormattedStringExpression) or self.trusted(p.expression)
                for p in expr.parts
            )
        if isinstance(expr, cst.ConcatenatedString):
            return self.trusted(expr.left) and self.trusted(expr.right)
        if isinstance(expr, cst.UnaryOperation):
            return self.trusted(expr.expression)
        if isinstance(expr, cst.BinaryOperation):
            if isinstance(expr.operator, cst.Multiply):
                # "?" * n, ["%s"] * n: repeats literal text, or fails
                return any(_literal_or_literals(side) for side in (expr.left, expr.right)) or (
                    self.trusted(expr.left) and self.trusted(expr.right)
                )
            return self.trusted(expr.left) and self.trusted(expr.right)
        if isinstance(expr, cst.Subscript):
            return self.trusted(expr.value)
        if isinstance(expr, cst.IfExp):
            return self.trusted(expr.body) and self.trusted(expr.orelse)
        if isinstance(expr, cst.BooleanOperation):
            # `limit or 10`: one of its operands, each trusted
            return self.trusted(expr.left) and self.trusted(expr.right)
        if isinstance(expr, cst.Call):
            return self._trusted_call(expr)
        if isinstance(expr, cst.Name) and expr.value in self.trusted_names:
            return True
        if isinstance(expr, cst.Name) and self.params is None and self._typed_parameter(expr.value):
            return True  # `(max_val - min_val) / bins` of `min_val: float`, `bins: int`
        if isinstance(expr, cst.Name) and self.params is None and self._counter(expr.value):
            return True  # `offset = 0`, then `offset += batch_size` (`batch_size: int`)
        if isinstance(expr, cst.Attribute) and expr.attr.value == "hex":
            return self.trusted(expr.value)
        if self._revision_object(expr):
            return True
        if isinstance(expr, cst.Attribute) and (
            self._uuid_attribute(expr) or self._typed_field(expr)
        ):
            return True
        if (
            isinstance(expr, cst.Name | cst.Attribute)
            and isinstance(
                base := expr.value if isinstance(expr, cst.Attribute) else expr, cst.Name
            )
            and self.params is None
            and self.flow.value_of(base.value, ctx, self.at) is _trusted()
        ):
            return True  # `table.name` of a loop over constants or the catalog's tables
        name = dotted_name(expr)
        if name is None:
            return False
        if (
            isinstance(expr, cst.Attribute)
            and expr.attr.value in {"value", "name"}
            and isinstance(expr.value, cst.Name)
            and self._enum_parameter(expr.value.value)
        ):
            return True  # `unit.value` of `unit: TimeUnit`, an enum of this file
        if name in {"self.value", "self.name"}:
            owner = ctx.enclosing_class
            if owner is not None and ctx.derives_from(owner.name, _ENUMS):
                return True
        if any(name.endswith("." + attr) for attr in _TABLE_NAME_ATTRS):
            return True
        parts = name.split(".")
        if len(parts) == 3 and parts[2] in {"value", "name"} and _is_class_name(parts[0]):
            return True  # an enum member's value: Status.ACTIVE.value
        return len(parts[-1]) > 1 and _CONSTANT.match(parts[-1]) is not None

    def _enum_parameter(self, name: str) -> bool:
        """A parameter (of the helper being rendered, else of the function walked, never
        rebound) annotated with an enum class of this file."""
        ctx = self.ctx
        if self.params is not None:
            annotation = _parameter_annotation(self.helper, name)
        else:
            function = ctx.function
            if function is None or name in self.flow.bindings.get(_key(ctx), {}):
                return False
            node = function.node
            annotation = (
                _parameter_annotation(node, name) if isinstance(node, cst.FunctionDef) else None
            )
        if annotation is None:
            return False
        ref = ctx.class_ref(annotation)
        return ref is not None and ctx.derives_from(ref, _ENUMS)

    def _kept_parameter_annotation(self, name: str) -> cst.BaseExpression | None:
        """The annotation of a parameter of the function the body never binds again."""
        ctx = self.ctx
        function = ctx.function
        if function is None or name in self.flow.bindings.get(_key(ctx), {}):
            return None
        return _parameter_annotation(function.node, name)

    def _typed_parameter(self, name: str) -> bool:
        """A parameter of the function, never rebound, annotated as a number, a boolean,
        a UUID or a date: its text cannot carry SQL."""
        annotation = self._kept_parameter_annotation(name)
        return annotation is not None and _typed_annotation(annotation, self.ctx)

    def _typed_items_parameter(self, expr: cst.BaseExpression) -> bool:
        """A parameter of the function, never rebound, annotated as a collection of
        numbers, booleans, UUIDs or dates (`apart_ids: list[int]`, `Optional[List[UUID]]`):
        the text of its items cannot carry SQL, as `_typed_parameter`'s (tzinchy's
        `", ".join(map(str, apart_ids))`: reader 157)."""
        if not isinstance(expr, cst.Name):
            return False
        annotation = self._kept_parameter_annotation(expr.value)
        return annotation is not None and _typed_items_annotation(annotation, self.ctx)

    def _counter(self, name: str) -> bool:
        """A local the function binds only to numbers: a number literal, then `+=`, `-=`
        or `*=` a number literal or a parameter typed as a number (`offset = 0`, `offset
        += batch_size` with `batch_size: int`: johanguse's paging, reader 64); never a
        parameter, and no other binding of it (a loop target, a tuple's element)."""
        function = self.ctx.function
        if function is None or not isinstance(function.node, cst.FunctionDef):
            return False
        if self.ctx.is_parameter(name):
            return False
        numbers = increments = 0
        for node in descendants(function.node.body):
            if (
                isinstance(node, cst.Assign)
                and len(node.targets) == 1
                and isinstance(node.targets[0].target, cst.Name)
                and node.targets[0].target.value == name
                and isinstance(node.value, cst.Integer | cst.Float)
            ):
                numbers += 1
            elif (
                isinstance(node, cst.AugAssign)
                and isinstance(node.target, cst.Name)
                and node.target.value == name
                and isinstance(
                    node.operator, cst.AddAssign | cst.SubtractAssign | cst.MultiplyAssign
                )
                and (
                    isinstance(node.value, cst.Integer | cst.Float)
                    or (
                        isinstance(node.value, cst.Name) and self._typed_parameter(node.value.value)
                    )
                )
            ):
                increments += 1
        return numbers > 0 and numbers + increments == _bindings_of(function.node.body, name)

    def _self_owner(self, expr: cst.Attribute) -> ClassInfo | None:
        """The class of the method being walked, when `expr` is `self.<name>` there and
        the class's body is a block of statements."""
        function = self.ctx.function
        owner = function.owner if function is not None else None
        if (
            owner is None
            or not isinstance(expr.value, cst.Name)
            or expr.value.value != "self"
            or not isinstance(owner.node.body, cst.IndentedBlock)
        ):
            return None
        return owner

    def _typed_field(self, expr: cst.Attribute) -> bool:
        """`self.batch` in a method of a Pydantic model of this file that declares
        `batch: int` (a number, a boolean, a UUID, a date: `_typed_annotation`) and whose
        methods never assign it: Pydantic validated it to that type (tracardi's
        `MySQLImporter.batch`)."""
        owner = self._self_owner(expr)
        if owner is None or not self.ctx.is_pydantic_model(owner.name):
            return False
        assert isinstance(owner.node.body, cst.IndentedBlock)
        field = expr.attr.value
        declared = False
        for statement in owner.node.body.body:
            if isinstance(statement, cst.SimpleStatementLine):
                for small in statement.body:
                    if (
                        isinstance(small, cst.AnnAssign)
                        and isinstance(small.target, cst.Name)
                        and small.target.value == field
                    ):
                        declared = _typed_annotation(small.annotation.annotation, self.ctx)
            elif isinstance(statement, cst.FunctionDef):
                for node in descendants(statement.body):
                    targets: list[cst.BaseExpression] = []
                    if isinstance(node, cst.Assign):
                        targets = [t.target for t in node.targets]
                    elif isinstance(node, cst.AnnAssign | cst.AugAssign):
                        targets = [node.target]
                    if any(
                        isinstance(t, cst.Attribute)
                        and isinstance(t.value, cst.Name)
                        and t.value.value == "self"
                        and t.attr.value == field
                        for t in targets
                    ):
                        return False  # assigned after validation: anything may be there
        return declared

    def _revision_object(self, expr: cst.BaseExpression) -> bool:
        """`admin_role.id` in a revision, where the module builds `admin_role = Role(...)`
        at import: an object of the revision's own data, which no input reaches (harokki's
        seed roles, whose `__init__` makes a `str(uuid4())`, reader 88). Not a name the
        function binds or takes as a parameter."""
        ctx = self.ctx
        base: cst.BaseExpression = expr
        while isinstance(base, cst.Attribute):
            base = base.value
        if ctx.layer != "migration" or self.params is not None or not isinstance(base, cst.Name):
            return False
        name = base.value
        if ctx.is_parameter(name) or name in self.flow.bindings.get(_key(ctx), {}):
            return False
        return any(
            isinstance(statement, cst.SimpleStatementLine)
            and any(
                isinstance(small, cst.Assign)
                and isinstance(small.value, cst.Call)
                and any(
                    isinstance(t.target, cst.Name) and t.target.value == name for t in small.targets
                )
                for small in statement.body
            )
            for statement in ctx.module.body
        )

    def _uuid_attribute(self, expr: cst.Attribute) -> bool:
        """`self.ws_uuid` where the class's `__init__` assigns it only a UUID made there
        (`WorkspaceUUID.new(...)`, `uuid.uuid4()`, `UUID(...)`): its text is a UUID's."""
        owner = self._self_owner(expr)
        if owner is None:
            return False
        assert isinstance(owner.node.body, cst.IndentedBlock)
        values: list[cst.BaseExpression] = []
        for statement in owner.node.body.body:
            if not isinstance(statement, cst.FunctionDef) or statement.name.value != "__init__":
                continue
            for node in descendants(statement.body):
                if isinstance(node, cst.Assign | cst.AnnAssign | cst.AugAssign):
                    targets = (
                        [t.target for t in node.targets]
                        if isinstance(node, cst.Assign)
                        else [node.target]
                    )
                    if any(
                        isinstance(t, cst.Attribute)
                        and isinstance(t.value, cst.Name)
                        and t.value.value == "self"
                        and t.attr.value == expr.attr.value
                        for t in targets
                    ):
                        values.append(node.value if node.value is not None else cst.Name("_"))
        return bool(values) and all(_makes_a_uuid(value, self.ctx) for value in values)

    def _trusted_call(self, call: cst.Call) -> bool:
        ctx = self.ctx
        qualified = ctx.qualified_name(call.func)
        called = _called_name(call)
        if called in _NUMERIC_BUILTINS and not ctx.is_bound(called):
            return True
        if qualified in _UUID_FACTORIES or qualified in _QUOTING_FUNCTIONS:
            return True
        if called in _QUOTING_NAMES:
            return True
        last = call.func.attr.value if isinstance(call.func, cst.Attribute) else called
        if qualified in _PASSWORD_HASH_CALLS or _PASSWORD_HASH_HELPER.match(last or ""):
            return True  # a password hash: no quote in its text (`security.hash_password`)
        if isinstance(call.func, cst.Attribute) and call.func.attr.value in _QUOTING_METHODS:
            return True
        if isinstance(call.func, cst.Attribute) and call.func.attr.value == "mogrify":
            # psycopg's `cursor.mogrify(template, values)`: the values bound and quoted by
            # the driver, into a template that carries no input itself
            return bool(call.args) and self.trusted(call.args[0].value)
        if isinstance(call.func, cst.Attribute) and call.func.attr.value == "decode":
            receiver = call.func.value  # `cur.mogrify(...).decode("utf-8")`
            return isinstance(receiver, cst.Call) and self._trusted_call(receiver)
        if called == "str" and len(call.args) == 1 and not ctx.is_bound("str"):
            return self.trusted(call.args[0].value)
        if isinstance(call.func, cst.Attribute) and call.func.attr.value == "join":
            return len(call.args) == 1 and self._constant_collection(call.args[0].value)
        if qualified == "json.dumps" and call.args and not call.args[0].keyword:
            # JSON of constants (JMSolorzano-13's `server_default=text(f"'{json.dumps(
            # DEFAULT_DATA)}'::jsonb")`, `{str(mail_type.value): True}` of an enum of the
            # file: reader 74)
            value = call.args[0].value
            return self.trusted(value) or self._constant_collection(value)
        helper = self._helper_definition(call)
        returns = helper.returns if helper is not None else None
        # a helper of the module annotated `-> int` (or float, bool, UUID, ...): like `int()`
        return returns is not None and _typed_annotation(returns.annotation, ctx)

    def _constant_collection(self, expr: cst.BaseExpression) -> bool:
        """`SCOPE_TABLES`, `("users", "teams")`, `["?"] * n`: items that are constants, or
        literal collections of them (`(("agent", "agents"), ("tool", "tools"))`)."""
        if isinstance(expr, cst.Tuple | cst.List | cst.Set):
            return all(
                isinstance(e, cst.Element)
                and (
                    self._constant_collection(e.value)
                    if isinstance(e.value, cst.Tuple | cst.List)
                    else self.trusted(e.value)
                )
                for e in expr.elements
            )
        if isinstance(expr, cst.Dict):  # `{"users": "user_id"}`: keys and values constants
            return all(
                isinstance(e, cst.DictElement) and self.trusted(e.key) and self.trusted(e.value)
                for e in expr.elements
            )
        if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, cst.Multiply):
            return _literal_or_literals(expr.left) or _literal_or_literals(expr.right)
        name = dotted_name(expr)
        last = (name or "").rpartition(".")[2]
        return len(last) > 1 and _CONSTANT.match(last) is not None

    # -- joins, helpers, % and format -------------------------------------------------
    def _join(self, call: cst.Call) -> str | None:
        """`", ".join(...)`: plain text for constants, the element's own SQL for a
        comprehension (`", ".join(f"{k} = :{k}" for k in values)`), else None."""
        func = call.func
        if not (
            isinstance(func, cst.Attribute) and func.attr.value == "join" and _stringish(func.value)
        ):
            return None
        if len(call.args) != 1 or call.args[0].star:
            return None
        items = call.args[0].value
        if self._constant_collection(items):
            return _FILLER
        if (
            isinstance(items, cst.Call)
            and _called_name(items) == "map"
            and not self.ctx.is_bound("map")
            and len(items.args) == 2
            and dotted_name(items.args[0].value) in {"str", "int", "float"}
            and not self.ctx.is_bound(dotted_name(items.args[0].value) or "")
            and self._typed_items_parameter(items.args[1].value)
        ):
            return _FILLER  # `map(str, ids)` of `ids: list[int]`
        function = self.helper
        if isinstance(items, cst.Name) and self.params is None:
            current = self.ctx.function
            function = None
            if current is not None and isinstance(current.node, cst.FunctionDef):
                function = current.node
            if function is None or not _filled(function, items.value):
                value = self.flow.value_of(items.value, self.ctx, self.at)
                if isinstance(value, cst.GeneratorExp | cst.ListComp | cst.SetComp):
                    # `marks = [f":m_{i}" for i in range(n)]`, then `", ".join(marks)`
                    # (tzinchy's municipal districts: reader 157): as if joined there
                    items = value
                elif value is not None and value is not _trusted():
                    return _FILLER if self._constant_collection(value) else None
                else:
                    return None
        if isinstance(items, cst.Name) and function is not None:
            # a list built by `append()`s: the text of what is appended
            appended = _appended_items(function, items.value)
            if not appended:
                return None
            texts: list[str] = []
            for item in appended:
                if isinstance(item, cst.ListComp):
                    # its items as a join of the comprehension gives them
                    joined = self._join(call.with_changes(args=[cst.Arg(value=item)]))
                    if joined is None:
                        return None
                    texts.append(joined)
                    continue
                inner = self._child()
                if self.params is None:  # the names of an item hold what they held there
                    inner.at = self.flow.sites.get(id(item), self.at)
                text = inner.render(item)
                texts.append(text if text is not None else inner.piece(item))
            return ", ".join(texts)
        if not isinstance(items, cst.GeneratorExp | cst.ListComp | cst.SetComp):
            return None
        trusted, opaque = set(self.trusted_names), set(self.opaque_names)
        comp: cst.CompFor | None = items.for_in
        while comp is not None:
            targets = [n.value for n in descendants(comp.target) if isinstance(n, cst.Name)]
            iterable = comp.iter
            counter = (
                isinstance(comp.target, cst.Tuple)
                and _called_name(iterable) == "enumerate"
                and comp.target.elements
                and isinstance(comp.target.elements[0].value, cst.Name)
            )
            if (
                self._constant_collection(iterable)
                or _called_name(iterable) == "range"
                or self._typed_items_parameter(iterable)
            ):
                trusted.update(targets)
                opaque.difference_update(targets)
            elif counter:
                assert isinstance(comp.target, cst.Tuple)
                first = comp.target.elements[0].value
                assert isinstance(first, cst.Name)
                trusted.add(first.value)
                opaque.update(t for t in targets if t != first.value)
            else:
                opaque.update(targets)
                trusted.difference_update(targets)
            comp = comp.inner_for_in
        inner = self._child(trusted_names=frozenset(trusted), opaque_names=frozenset(opaque))
        element = items.elt
        before = len(self.pieces)
        text = inner.render(element)
        text = text if text is not None else inner.piece(element)
        iterables = _comprehension_iterables(items)
        for piece in self.pieces[before:]:
            names = {n.value for n in descendants(piece) if isinstance(n, cst.Name)}
            shown = next((it for targets, it in iterables if names & targets), None)
            if shown is not None:
                self.shown.setdefault(id(piece), shown)
        return text

    def _helper(self, call: cst.Call, element: int | None = None) -> str | None:
        """The SQL a helper of this module returns, with its parameters standing for the
        call's arguments; None unless every `return` of it is a string. With `element`,
        the SQL of that element of the tuple every `return` gives (`return ", ".join(
        marks), params`, unpacked as `ph, params = helper(...)`)."""
        if self.params is not None and self.depth >= _MAX_DEPTH:
            return None
        function = self._helper_definition(call)
        if function is None:
            return None
        returns = returns_in(function.body)
        values = [r.value for r in returns]
        if element is not None:
            values = [_helper_local(function, _tuple_item(v, element)) for v in values]
            if not values or any(
                v is None or (not _stringish(v) and not _is_join(v)) for v in values
            ):
                return None
        elif not values or any(v is None or not _stringish(v) for v in values):
            return None
        params = _bind_arguments(function, call, method=isinstance(call.func, cst.Attribute))
        if params is None:
            return None
        inner = _Renderer(self.ctx, self.flow, self.depth + 1, params, self, helper=function)
        texts: list[str] = []
        for value in values:
            assert value is not None
            text = inner.render(value)
            if text is None and isinstance(value, cst.Call):
                text = inner._join(value)
            if text is None:
                return None
            texts.append(text)
        return f" {_ALTERNATIVE} ".join(texts)

    def _helper_definition(self, call: cst.Call) -> cst.FunctionDef | None:
        func = call.func
        if isinstance(func, cst.Name):
            if self.ctx.function is not None and func.value in self.flow.bindings.get(
                _key(self.ctx), {}
            ):
                return None  # a local name shadows the helper
            return self.flow.helpers.get(func.value)
        if (
            isinstance(func, cst.Attribute)
            and isinstance(func.value, cst.Name)
            and func.value.value in {"self", "cls"}
        ):
            owner = self.ctx.enclosing_class
            if owner is None:
                return None
            body = owner.node.body
            for statement in body.body if isinstance(body, cst.IndentedBlock) else ():
                if (
                    isinstance(statement, cst.FunctionDef)
                    and statement.name.value == func.attr.value
                ):
                    return statement
        return None

    def _percent(self, template: str, values: cst.BaseExpression) -> str:
        """`"... %s ..." % (a, b)` and `"... %(name)s" % {"name": a}`."""
        if isinstance(values, cst.Tuple):
            positional: list[cst.BaseExpression] = [e.value for e in values.elements]
        else:
            positional = [values]
        named: dict[str, cst.BaseExpression] = {}
        if isinstance(values, cst.Dict):
            for element in values.elements:
                if isinstance(element, cst.DictElement):
                    key = (
                        _literal(element.key) if isinstance(element.key, cst.SimpleString) else None
                    )
                    if key is not None:
                        named[key] = element.value
        index = 0

        def substitute(match: re.Match[str]) -> str:
            nonlocal index
            if match.group(2) == "%":
                return "%"
            key = match.group(1)
            if key is not None:
                value = named.get(key)
                return self.piece(value) if value is not None else self.marker(values)
            if index < len(positional):
                index += 1
                return self.piece(positional[index - 1])
            return self.marker(values)

        return _PERCENT_SPEC.sub(substitute, template)

    def _format(self, template: str, call: cst.Call) -> str:
        """`"... {} ... {name}".format(a, name=b)`."""
        positional = [a.value for a in call.args if a.keyword is None and not a.star]
        named = {a.keyword.value: a.value for a in call.args if a.keyword is not None}
        try:
            parsed = list(string.Formatter().parse(template))
        except ValueError:
            return self.marker(call)
        out: list[str] = []
        auto = 0
        for literal, field_name, _spec, _conversion in parsed:
            out.append(literal)
            if field_name is None:
                continue
            head = re.split(r"[.\[]", field_name, maxsplit=1)[0]
            value: cst.BaseExpression | None
            if head == "":
                value = positional[auto] if auto < len(positional) else None
                auto += 1
            elif head.isdigit():
                value = positional[int(head)] if int(head) < len(positional) else None
            else:
                value = named.get(head)
            out.append(self.piece(value) if value is not None else self.marker(call))
        return "".join(out)


def _helper_element(expr: cst.BaseExpression) -> tuple[cst.Call, int] | None:
    """`(call, i)` for `call[i]` (what `a, b = call` binds `a` and `b` to)."""
    if not (isinstance(expr, cst.Subscript) and isinstance(expr.value, cst.Call)):
        return None
    if len(expr.slice) != 1:
        return None
    index = expr.slice[0].slice
    if isinstance(index, cst.Index) and isinstance(index.value, cst.Integer):
        return expr.value, int(index.value.value)
    return None


def _tuple_item(value: cst.BaseExpression | None, index: int) -> cst.BaseExpression | None:
    """Element `index` of a tuple display (`return sql, params`)."""
    if isinstance(value, cst.Tuple) and index < len(value.elements):
        item = value.elements[index]
        return None if isinstance(item, cst.StarredElement) else item.value
    return None


def _helper_local(
    function: cst.FunctionDef, expr: cst.BaseExpression | None
) -> cst.BaseExpression | None:
    """What a name a helper returns holds, when the helper binds it once, in a statement
    of its own body (`placeholders = ", ".join(...)` then `return placeholders, params`)
    or of a block in it (`value = f"'{f.value}'"` in the loop that appends the clause
    rag-postgres' filter builder joins, reader 44): every value it ever holds is that
    expression's."""
    if not isinstance(expr, cst.Name) or not isinstance(function.body, cst.IndentedBlock):
        return expr
    if _bindings_of(function.body, expr.value) != 1:
        return None
    value = _assigned_once(function.body, expr.value)
    if value is None:
        found = [
            node.value
            for node in descendants(function.body)
            if isinstance(node, cst.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0].target, cst.Name)
            and node.targets[0].target.value == expr.value
        ]
        value = found[0] if len(found) == 1 else None
    return value


def _helper_branch_values(function: cst.FunctionDef, name: str) -> list[cst.BaseExpression]:
    """What a helper binds `name` to on each branch of one `if`/`elif`/`else` of its own
    body, when that `if` binds it on every branch, once each, and nothing else does
    (`if sqlite: marks = ", ".join(["?"] * n)` / `else: marks = ", ".join(...)`)."""
    if not isinstance(function.body, cst.IndentedBlock):
        return []
    for statement in function.body.body:
        if not isinstance(statement, cst.If):
            continue
        values: list[cst.BaseExpression] = []
        branch: cst.If | cst.Else | None = statement
        while branch is not None:
            value = _assigned_once(branch.body, name)
            if value is None:
                values = []
                break
            values.append(value)
            branch = branch.orelse if isinstance(branch, cst.If) else None
        if values and len(values) == _bindings_of(function.body, name):
            return values
    return []


def _assigned_once(body: cst.BaseSuite, name: str) -> cst.BaseExpression | None:
    """The value of the one `name = value` statement at the top of a block, else None."""
    if not isinstance(body, cst.IndentedBlock):
        return None
    found = [
        small.value
        for statement in body.body
        if isinstance(statement, cst.SimpleStatementLine)
        for small in statement.body
        if isinstance(small, cst.Assign)
        and len(small.targets) == 1
        and isinstance(small.targets[0].target, cst.Name)
        and small.targets[0].target.value == name
    ]
    return found[0] if len(found) == 1 else None


def _appended_items(function: cst.FunctionDef, name: str) -> list[cst.BaseExpression]:
    """What a function appends to a list it builds (`marks = []`, then `marks.append(
    f":{key}")` in a loop, or `extend()`s with a list display), when that is all it does
    with the name besides reading it whole (`", ".join(marks)`); else nothing. A list a
    comprehension made, bound once, holds the comprehension first, then what is appended.
    A list
    bound anew, empty, in several blocks (one per filter: tzinchy's `placeholders = []`
    under `if district:` and again under `if municipal_districts:`, reader 157) holds
    what the appends of any of them put there."""
    bindings = _bindings_of(function.body, name)
    if bindings == 0:
        return []
    appended: list[cst.BaseExpression] = []
    empty_list = False
    empty_bindings = 0
    comprehension: cst.ListComp | None = None
    for node in descendants(function.body):
        if (
            isinstance(node, cst.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0].target, cst.Name)
            and node.targets[0].target.value == name
        ):
            empty_list = isinstance(node.value, cst.List) and not node.value.elements
            empty_bindings += empty_list
            if isinstance(node.value, cst.ListComp):
                comprehension = node.value
        elif isinstance(node, cst.Attribute) and dotted_name(node.value) == name:
            if node.attr.value not in {"append", "extend"}:
                return []  # `insert`, `+=`...: not followed
        elif (
            isinstance(node, cst.Call)
            and isinstance(node.func, cst.Attribute)
            and dotted_name(node.func.value) == name
            and node.func.attr.value in {"append", "extend"}
        ):
            if len(node.args) != 1 or node.args[0].star or node.args[0].keyword is not None:
                return []
            item = node.args[0].value
            if node.func.attr.value == "append":
                appended.append(item)
            elif isinstance(item, cst.List | cst.Tuple) and all(
                isinstance(e, cst.Element) for e in item.elements
            ):
                appended.extend(e.value for e in item.elements)
            else:
                return []  # `extend()` of something else: not followed
    if bindings == 1 and comprehension is not None:
        # made by a comprehension, then given more (`values = [f":{c}" for c in columns]`,
        # then `values.append("SYSUTCDATETIME()")`: ProduitsGilbert's MERGE, reader 209)
        return [comprehension, *appended]
    if bindings > 1 and empty_bindings != bindings:
        return []  # bound to something else too
    return appended if empty_list else []


#: Methods that put items in a list.
_FILLING = frozenset({"append", "extend", "insert", "__setitem__"})


def _filled(function: cst.FunctionDef, name: str) -> bool:
    """Whether the function puts items in the list `name` after binding it
    (`name.append(...)`, `name += [...]`, `name[i] = ...`)."""
    for node in descendants(function.body):
        if isinstance(node, cst.Attribute) and dotted_name(node.value) == name:
            if node.attr.value in _FILLING:
                return True
        elif (isinstance(node, cst.AugAssign) and dotted_name(node.target) == name) or (
            isinstance(node, cst.AssignTarget)
            and isinstance(node.target, cst.Subscript)
            and dotted_name(node.target.value) == name
        ):
            return True
    return False


def _bindings_of(body: cst.CSTNode, name: str) -> int:
    """How many times a block binds `name` (assignment, loop, `with ... as`, walrus, ...)."""
    count = 0
    for node in descendants(body):
        targets: list[cst.BaseExpression] = []
        if isinstance(node, cst.Assign):
            targets = [t.target for t in node.targets]
        elif isinstance(
            node, cst.AnnAssign | cst.AugAssign | cst.NamedExpr | cst.For | cst.CompFor
        ):
            targets = [node.target]
        elif isinstance(node, cst.AsName):
            targets = [node.name]
        count += sum(1 for target in targets for bound in _bound_names(target) if bound == name)
    return count


def _bound_names(target: cst.BaseExpression) -> Iterator[str]:
    """The names an assignment target binds: a name, or those of a tuple or list of
    targets (starred too); not the names an item or attribute target reads (`counts[rating]
    = n` binds no `rating`: RVG1995's `range()` loop, reader 117)."""
    if isinstance(target, cst.Name):
        yield target.value
    elif isinstance(target, cst.Tuple | cst.List):
        for element in target.elements:
            yield from _bound_names(element.value)
    elif isinstance(target, cst.StarredElement):
        yield from _bound_names(target.value)


def _is_join(expr: cst.BaseExpression) -> bool:
    return (
        isinstance(expr, cst.Call)
        and isinstance(expr.func, cst.Attribute)
        and expr.func.attr.value == "join"
        and _stringish(expr.func.value)
    )


def _parameter_annotation(
    function: cst.FunctionDef | cst.Lambda | None, name: str
) -> cst.BaseExpression | None:
    """The annotation of a function's parameter, if it has one."""
    if not isinstance(function, cst.FunctionDef):
        return None
    params = function.params
    for param in [*params.posonly_params, *params.params, *params.kwonly_params]:
        if param.name.value == name and param.annotation is not None:
            return param.annotation.annotation
    return None


_PERCENT_SPEC = lazy_pattern(
    r"%(?:\(([^)]*)\))?[#0\- +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?([diouxXeEfFgGcrsa%])"
)


#: Collections of `typing` and `collections.abc` whose items an annotation names
#: (`typing.Sequence[UUID]`; the builtins, `list[int]`, are read by their own name).
_ITEM_COLLECTIONS = frozenset(
    {f"typing.{name}" for name in ("List", "Set", "FrozenSet", "Tuple", "Sequence")}
    | {f"typing.{name}" for name in ("Iterable", "Collection", "AbstractSet")}
    | {f"collections.abc.{name}" for name in ("Sequence", "Iterable", "Collection", "Set")}
)


def _typed_items_annotation(annotation: cst.BaseExpression, ctx: FileContext) -> bool:
    """`list[int]`, `List[UUID]`, `tuple[int, ...]`, also `X | None` and `Optional[X]`:
    a collection whose items `_typed_annotation` accepts."""
    if isinstance(annotation, cst.BinaryOperation) and isinstance(annotation.operator, cst.BitOr):
        sides = (annotation.left, annotation.right)
        return all(
            _typed_items_annotation(side, ctx) or dotted_name(side) == "None" for side in sides
        ) and any(dotted_name(side) != "None" for side in sides)
    if not isinstance(annotation, cst.Subscript):
        return False
    outer = dotted_name(annotation.value)
    qualified = ctx.qualified_name(annotation.value)
    items = [
        element.slice.value for element in annotation.slice if isinstance(element.slice, cst.Index)
    ]
    if qualified in {"typing.Optional", "typing.Annotated"}:
        return bool(items) and _typed_items_annotation(items[0], ctx)
    builtin = outer in {"list", "set", "frozenset", "tuple"} and not ctx.is_bound(outer or "")
    if not (builtin or qualified in _ITEM_COLLECTIONS) or not items:
        return False
    return all(
        _typed_annotation(item, ctx) or (isinstance(item, cst.Ellipsis) and index > 0)
        for index, item in enumerate(items)
    )


def _typed_annotation(annotation: cst.BaseExpression, ctx: FileContext) -> bool:
    """`int`, `float`, `bool`, `UUID`, `datetime`, also `X | None` and `Optional[X]`."""
    if isinstance(annotation, cst.BinaryOperation) and isinstance(annotation.operator, cst.BitOr):
        sides = (annotation.left, annotation.right)
        return all(_typed_annotation(side, ctx) or dotted_name(side) == "None" for side in sides)
    if isinstance(annotation, cst.Subscript) and ctx.qualified_name(annotation.value) in {
        "typing.Optional",
        "typing.Annotated",
    }:
        first = annotation.slice[0].slice
        return isinstance(first, cst.Index) and _typed_annotation(first.value, ctx)
    name = dotted_name(annotation)
    if name in {"int", "float", "bool"} and not ctx.is_bound(name):
        return True
    return ctx.qualified_name(annotation) in _TYPED_CLASSES


_TYPED_CLASSES = frozenset(
    {
        "uuid.UUID",
        "datetime.datetime",
        "datetime.date",
        "datetime.time",
        "datetime.timedelta",
        "decimal.Decimal",
    }
)


def _literal(expr: cst.BaseExpression) -> str | None:
    if not isinstance(expr, cst.SimpleString):
        return None
    try:
        value = expr.evaluated_value
    except Exception:  # an escape libcst cannot evaluate: keep the raw text
        return expr.value
    return value if isinstance(value, str) else value.decode("latin-1")


def _literal_or_literals(expr: cst.BaseExpression) -> bool:
    if isinstance(expr, cst.SimpleString):
        return True
    return isinstance(expr, cst.List | cst.Tuple) and all(
        isinstance(e, cst.Element) and isinstance(e.value, cst.SimpleString) for e in expr.elements
    )


def _stringish(expr: cst.BaseExpression) -> bool:
    """A string literal, an f-string, or an expression built on one with `+`/`%`."""
    return (
        isinstance(expr, cst.SimpleString | cst.FormattedString | cst.ConcatenatedString)
        # `("WHERE " + clause if clause else "")`, and `SqlFlow.alternatives`' values
        or (isinstance(expr, cst.IfExp) and (_stringish(expr.body) or _stringish(expr.orelse)))
        or (
            isinstance(expr, cst.BinaryOperation)
            and isinstance(expr.operator, cst.Add | cst.Modulo)
            and (_stringish(expr.left) or _stringish(expr.right))
        )
        or (
            isinstance(expr, cst.Call)
            and isinstance(expr.func, cst.Attribute)
            and expr.func.attr.value == "format"
            and _stringish(expr.func.value)
        )
    )


def _add_operands(expr: cst.BaseExpression) -> list[cst.BaseExpression]:
    if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, cst.Add):
        return [*_add_operands(expr.left), *_add_operands(expr.right)]
    return [expr]


def _called_name(expr: cst.BaseExpression) -> str | None:
    if isinstance(expr, cst.Call) and isinstance(expr.func, cst.Name):
        return expr.func.value
    return None


def _is_class_name(name: str) -> bool:
    return name[:1].isupper() and not name.isupper()


def _bind_arguments(
    function: cst.FunctionDef, call: cst.Call, method: bool
) -> dict[str, cst.BaseExpression] | None:
    """The helper's parameter names with the call's arguments (defaults for the others);
    None when the call passes `*args`/`**kwargs`."""
    params = function.params
    positional = [*params.posonly_params, *params.params]
    if method and positional:
        positional = positional[1:]
    bound: dict[str, cst.BaseExpression] = {}
    for param in [*positional, *params.kwonly_params]:
        if param.default is not None:
            bound[param.name.value] = param.default
    index = 0
    for arg in call.args:
        if arg.star:
            return None
        if arg.keyword is not None:
            bound[arg.keyword.value] = arg.value
        elif index < len(positional):
            bound[positional[index].name.value] = arg.value
            index += 1
    return bound


# ----------------------------------------------------------------------- placement
class _Token(NamedTuple):
    kind: str
    text: str
    start: int
    in_body: bool  # inside a $$ ... $$ body


def _tokens(text: str) -> list[_Token]:
    found: list[_Token] = []
    in_body = False
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "punct"
        if kind == "dollar":
            in_body = not in_body
        if kind in {"space", "comment"}:
            continue
        found.append(_Token(kind, match.group(), match.start(), in_body))
    return found


def place(text: str) -> dict[int, str]:
    """Where each marker of rendered SQL text is pasted: marker index -> kind."""
    tokens = _tokens(text)
    kinds: dict[int, str] = {}
    for index, token in enumerate(tokens):
        markers = [ord(c) - _MARKER_BASE for c in _MARKERS.findall(token.text)]
        if not markers:
            continue
        kind = _placement(tokens, index)
        for marker in markers:
            kinds[marker] = kind
    return kinds


def _placement(tokens: Sequence[_Token], index: int) -> str:
    token = tokens[index]
    previous = tokens[index - 1] if index > 0 else None
    if (
        token.kind == "word"
        and previous is not None
        and previous.kind == "param"
        and previous.start + len(previous.text) == token.start
    ):
        return PLACEHOLDER  # :{name}, %({name})s, ${n}
    if _in_utility_statement(tokens, index):
        return NAME
    if token.kind == "single":
        return NAME if _names_an_object(tokens, index) else VALUE
    if token.kind in {"double", "backtick"}:
        return NAME
    if token.kind != "word":
        return VALUE
    bare = _MARKERS.sub("", token.text)
    if re.search(r"[A-Za-z_]", bare):
        return NAME  # glued into an identifier: idx_{name}, {table}_id
    return _position(tokens, index)


#: Apache AGE's functions whose first argument is a graph's name: `cypher()` takes it as a
#: constant only (AGE plans the Cypher query with the graph; no parameter may stand for
#: it), the others name the graph or label they create or drop.
_GRAPH_NAME_FUNCTIONS = frozenset(
    {"cypher", "create_graph", "drop_graph", "create_vlabel", "create_elabel", "drop_label"}
)
#: PostgreSQL's sequence functions, whose first argument is the sequence's name (`regclass`:
#: `setval('{seq}', ...)`).
_SEQUENCE_FUNCTIONS = frozenset({"setval", "nextval", "currval"})
#: PostgreSQL's functions whose first two arguments are a table's and a column's names
#: (`pg_get_serial_sequence('{table}', '{column}')`).
_TABLE_COLUMN_FUNCTIONS = frozenset({"pg_get_serial_sequence"})


def _names_an_object(tokens: Sequence[_Token], index: int) -> bool:
    """Whether the quoted text at `index` names a database object, not a value: a literal
    cast to PostgreSQL's identifier type (`'{graph}'::name`), or the first argument of
    one of AGE's graph functions (`cypher('{graph}', $$ ... $$)`) or of a sequence
    function (`setval('{seq}', ...)`), or either of `pg_get_serial_sequence('{table}',
    '{column}')`."""
    following = tokens[index + 1] if index + 1 < len(tokens) else None
    after = tokens[index + 2] if index + 2 < len(tokens) else None
    if following is not None and following.text == "::" and after is not None:
        return after.text.lower() == "name"
    opening = tokens[index - 1] if index > 0 else None
    function = tokens[index - 2] if index > 1 else None
    if opening is not None and opening.text == "," and index > 3:
        # the second of `pg_get_serial_sequence('{table}', '{column}')` (sanya1998's
        # `configure_autoincrement`, its names from the model's table: reader 208)
        opening, function = tokens[index - 3], tokens[index - 4]
        return (
            opening.text == "("
            and function.kind == "word"
            and function.text.lower() in _TABLE_COLUMN_FUNCTIONS
        )
    return (
        opening is not None
        and opening.text == "("
        and function is not None
        and function.kind == "word"
        and function.text.lower()
        in _GRAPH_NAME_FUNCTIONS | _SEQUENCE_FUNCTIONS | _TABLE_COLUMN_FUNCTIONS
    )


def _position(tokens: Sequence[_Token], index: int) -> str:
    """What the bare word at `index` (a piece, or a function's name) stands for, from the
    tokens around it."""
    previous = tokens[index - 1] if index > 0 else None
    following = tokens[index + 1] if index + 1 < len(tokens) else None
    if (previous is not None and previous.text == ".") or (
        following is not None and following.text == "."
    ):
        return NAME  # {schema}.users, users.{column}
    token = tokens[index]
    if (
        _MARKERS.search(token.text)
        and following is not None
        and following.text == "("
        and following.start == token.start + len(token.text)
    ):
        # a function's name: `@@ {search}(:query)` (Kostiantyn-Salnykov's choice of three
        # text search functions, the user's text bound: reader 75)
        return NAME
    if previous is not None and previous.kind == "op":
        return NAME if previous.text == "::" else VALUE
    if following is not None and (
        (following.kind == "op" and following.text in _COMPARISON_OPERATORS)
        or (following.kind == "word" and following.text.upper() in _COMPARISON_WORDS)
    ):
        return NAME  # the left side of a comparison: a column
    if previous is None:
        return FRAGMENT
    if previous.kind == "single":
        return FRAGMENT  # after a literal: an operator or a clause follows, not a value
    if previous.kind in {"double", "backtick"}:
        return NAME
    if previous.kind == "word":
        return _after_word(tokens, index - 1)
    if previous.text in {"(", ","}:
        return _in_list(tokens, index)
    if previous.text == ")":
        return NAME  # an alias after a call or a subquery
    if previous.text in {";", _ALTERNATIVE}:
        return FRAGMENT
    return VALUE


def _after_word(tokens: Sequence[_Token], index: int) -> str:
    word = tokens[index]
    if _MARKERS.search(word.text):
        return NAME  # after another piece: `{column} {direction}`
    upper = word.text.upper()
    if upper == "AND" and any(
        t.text.upper() == "BETWEEN" for t in tokens[max(0, index - 3) : index]
    ):
        return VALUE
    if upper == "WHEN" and index > 0 and tokens[index - 1].text.upper() == "CASE":
        return FRAGMENT  # `CASE WHEN` opens a condition (`CASE x WHEN` takes a value)
    if upper in _VALUE_KEYWORDS:
        return VALUE
    if upper in _FRAGMENT_KEYWORDS:
        return FRAGMENT
    if upper in _NAME_KEYWORDS or not upper.isdigit():
        return NAME  # a keyword naming an object, or an identifier: an alias follows
    return FRAGMENT  # after a number: an operator or a clause follows, not a value


def _in_list(tokens: Sequence[_Token], index: int) -> str:
    """A piece after `(` or `,`: what the list is, from the word that governs it."""
    depth = 0
    position = index - 1
    while position >= 0:
        token = tokens[position]
        if token.text == ")":
            depth += 1
        elif token.text == "(":
            if depth:
                depth -= 1
            else:
                return _opening(tokens, position)
        elif depth == 0 and token.kind == "word" and not _MARKERS.search(token.text):
            kind = _keyword_kind(token.text)
            if kind is not None:
                return kind
        elif depth == 0 and token.text in {";", _ALTERNATIVE}:
            return FRAGMENT
        position -= 1
    return FRAGMENT


def _keyword_kind(word: str) -> str | None:
    """What a keyword says of the piece after it: a value, a name, a fragment (None: no
    keyword of the three sets)."""
    upper = word.upper()
    if upper in _VALUE_KEYWORDS:
        return VALUE
    if upper in _NAME_KEYWORDS:
        return NAME
    if upper in _FRAGMENT_KEYWORDS:
        return FRAGMENT
    return None


def _opening(tokens: Sequence[_Token], position: int) -> str:
    """The list opened by the `(` at `position`: `IN (`, `VALUES (` hold values, a
    function's arguments too; `INTO t (`, `CONFLICT (` hold names."""
    before = tokens[position - 1] if position > 0 else None
    if before is None:
        return FRAGMENT
    if before.kind == "op":
        return VALUE
    if before.text in {"(", ","}:
        return _in_list(tokens, position)
    if before.kind != "word" or _MARKERS.search(before.text):
        return FRAGMENT
    kind = _keyword_kind(before.text)
    if kind is not None:
        return kind
    earlier = tokens[position - 2] if position > 1 else None
    if earlier is not None and earlier.kind == "word" and earlier.text.upper() in _TABLE_WORDS:
        return NAME  # a table's column list: INSERT INTO t ({a}, {b})
    # a function's arguments are what the call stands for: values where a value goes
    # (`= lower({x})`), else expressions over columns (`ORDER BY CONVERT({col} USING
    # gbk)`, `SELECT VECTOR_DISTANCE(v, :q, {metric})`, `CASE WHEN REGEXP_LIKE({col}, ...)`)
    return VALUE if _position(tokens, position - 1) == VALUE else NAME


def _in_utility_statement(tokens: Sequence[_Token], index: int) -> bool:
    """Whether the statement holding token `index` is one that takes no parameter."""
    start = index
    while start > 0 and not (tokens[start - 1].text == ";" and not tokens[start - 1].in_body):
        start -= 1
    for token in tokens[start:index]:
        if token.text == "(":
            continue
        return token.kind == "word" and token.text.upper() in _UTILITY_STATEMENTS
    return False


# ------------------------------------------------------------------------- analysis
def analyze(expr: cst.BaseExpression, ctx: FileContext) -> SqlText | None:
    """The SQL text `expr` builds, with its input-carrying pieces placed; None when it
    is not text built from pieces (a plain literal, a parameter, a `select()`)."""
    renderer = _Renderer(ctx, SqlFlow.of(ctx))
    text = renderer.resolve(expr)
    if text is None or not renderer.pieces:
        return None
    kinds = place(text)
    # a piece whose marker is not in the text was met by a rendering given up (one branch
    # of `a if c else None`): it is not pasted in
    pieces = tuple(
        Piece(e, kinds[i], renderer.shown.get(id(e)))
        for i, e in enumerate(renderer.pieces)
        if i in kinds
    )
    return SqlText(text, pieces) if pieces else None


def _plain_literal(expr: cst.BaseExpression) -> bool:
    """A string or number literal, or `True`, `False`, `None`."""
    if isinstance(expr, cst.SimpleString | cst.Integer | cst.Float):
        return True
    return isinstance(expr, cst.Name) and expr.value in {"True", "False", "None"}


def loop_value(iterable: cst.BaseExpression, ctx: FileContext) -> cst.BaseExpression | None:
    """What a `for` target over `iterable` is bound to for `SqlFlow.bind`: a value that
    cannot carry input when the loop walks constants (a constant, a literal collection or
    a local name bound to one, the `items()`/`keys()`/`values()` of an ALL_CAPS dict or of
    a literal one, `range()`) or names read from the database's own catalog (`inspector.get_*()`,
    `get_table_names()`, `metadata.sorted_tables`), else None (not followed)."""
    flow = SqlFlow.of(ctx)
    renderer = _Renderer(ctx, flow)
    if isinstance(iterable, cst.Await):
        iterable = iterable.expression

    def constants(expr: cst.BaseExpression) -> bool:
        """A literal collection of constants, an ALL_CAPS one, or a local name bound to
        a literal one (`sequences = {"users": "user_id"}`)."""
        if renderer._constant_collection(expr):
            return True
        if not isinstance(expr, cst.Name):
            return False
        value = flow.value_of(expr.value, ctx)
        return value is not None and (
            value is _trusted()
            or (
                isinstance(value, cst.Tuple | cst.List | cst.Set | cst.Dict)
                and renderer._constant_collection(value)
            )
        )

    constant = constants(iterable) or _called_name(iterable) == "range"
    if not constant and isinstance(iterable, cst.Call) and isinstance(iterable.func, cst.Attribute):
        method = iterable.func.attr.value
        constant = (
            method in {"items", "keys", "values"}
            and not iterable.args
            and constants(iterable.func.value)
        ) or _CATALOG_READ.fullmatch(method) is not None
    if not constant and isinstance(iterable, cst.Attribute):
        constant = iterable.attr.value == "sorted_tables"
    return _trusted() if constant else None


#: Methods that read names from the database's catalog (SQLAlchemy's `Inspector`, and
#: adapters named after it): `get_table_names()`, `get_columns(t)`, `get_indexes(t)`.
_CATALOG_READ = lazy_pattern(
    r"get_(?:\w+_)?(?:names|columns|indexes|foreign_keys|pk_constraint|unique_constraints)"
)


def _makes_a_uuid(value: cst.BaseExpression, ctx: FileContext) -> bool:
    """A call that makes a UUID: `uuid.uuid4()`, `UUID(...)`, a class named `...UUID` or
    its constructor method (`WorkspaceUUID.new(...)`)."""
    if not isinstance(value, cst.Call):
        return False
    if ctx.qualified_name(value.func) in _UUID_FACTORIES:
        return True
    name = dotted_name(value.func) or ""
    parts = name.split(".")
    made = parts[-2] if len(parts) > 1 and parts[-1][:1].islower() else parts[-1]
    return made.endswith("UUID")


def _comprehension_iterables(
    items: cst.GeneratorExp | cst.ListComp | cst.SetComp,
) -> list[tuple[set[str], cst.BaseExpression]]:
    """The names each `for` of a comprehension binds, with what it runs over."""
    found: list[tuple[set[str], cst.BaseExpression]] = []
    comp: cst.CompFor | None = items.for_in
    while comp is not None:
        targets = {n.value for n in descendants(comp.target) if isinstance(n, cst.Name)}
        found.append((targets, comp.iter))
        comp = comp.inner_for_in
    return found


def piece_code(piece: Piece) -> str:
    """A piece's source, shortened for a message (the collection a comprehension's
    variable runs over, for a piece made of that variable)."""
    shown = piece.shown if piece.shown is not None else piece.expr
    code = " ".join(code_of(shown).split())
    return code if len(code) <= 40 else code[:37] + "..."

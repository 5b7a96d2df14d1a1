"""FG108's unsafe fix: 1.x declarative mappings rewritten as typed 2.0 ones.

- `name = Column(...)` in a mapped class or a mixin -> `name: Mapped[T] = mapped_column(...)`,
  every argument kept as written (the column's name, its SQL type, foreign keys, defaults,
  indexes, comments, ...). `T` is the Python type of the SQL type (`String` -> `str`,
  `Numeric` -> `decimal.Decimal`, `Enum(Status)` -> `Status`, `ARRAY(Integer)` ->
  `list[int]`, ...); a `ForeignKey` column without a type of its own takes the type of the
  column it references when the file declares that column.
- `T | None` exactly when the 1.x column is nullable: `nullable=` when given, else not a
  primary key (nor an `Identity()` column). `mapped_column` derives nullability from the
  annotation only when `nullable=` is not given, and a primary key is never nullable: an
  explicit `nullable=False` agrees with the annotation and is dropped; `nullable=True` is
  kept (it is what a primary key constraint in `__table_args__` cannot override).
- `Base = declarative_base(...)` -> `class Base(DeclarativeBase)`, with `metadata=` and
  `type_annotation_map=` as class attributes and `cls=` (a mixin the file defines) as a base.
- `relationship("B", backref="x")` in class A -> `back_populates="x"`, and in class B (a
  mapped class of the same file) `x = relationship("A", back_populates=...)`, with the
  same `secondary=`: the relationship the backref made, when the forward one passes it
  nothing else (`primaryjoin`, `foreign_keys`, `viewonly`, ... keep the finding).

The SQL type stays an argument, so the table SQLAlchemy builds is the one it built: the
annotation adds a type for mypy and decides nullability, nothing else. A column whose
Python type cannot be told (a custom or third-party type, a name the file does not import
from SQLAlchemy), `*args`/`**kwargs`, a non-literal `nullable=`/`primary_key=`, a class
mapped by `__table__`, a column object changed in the class body: the finding stays,
without a fix, and `Refusal.reason` says why (the benchmark counts them).

Unsafe because it relies on names: a class with `Column` attributes is taken for a mapped
class or a mixin, the imported names for SQLAlchemy's types, an `Enum(X)` argument for an
enum class, and a backref's target name for the class of the file that has it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from checks.context import After, ClassInfo, FileContext, FixSpec, ImportPlan, code_of
from checks.findings import Companion
from checks.lazy import lazy_pattern
from checks.lazy import libcst as cst

DECLARATIVE_BASE_CALLS = frozenset(
    {
        "sqlalchemy.orm.declarative_base",
        "sqlalchemy.ext.declarative.declarative_base",
        "sqlalchemy.ext.declarative.api.declarative_base",
    }
)
_DATACLASS_BASES = frozenset(
    {"sqlalchemy.orm.MappedAsDataclass", "sqlalchemy.orm.decl_api.MappedAsDataclass"}
)
_DATACLASS_DECORATORS = frozenset({"dataclasses.dataclass"})

# SQL types by the last part of their name in `sqlalchemy` (any submodule or dialect)
_INTEGERS = frozenset(
    {"Integer", "BigInteger", "SmallInteger", "INTEGER", "BIGINT", "SMALLINT", "INT"}
)
_STRINGS = frozenset(
    {
        "String",
        "Text",
        "Unicode",
        "UnicodeText",
        "VARCHAR",
        "CHAR",
        "TEXT",
        "NVARCHAR",
        "NCHAR",
        "CLOB",
        "CITEXT",
    }
)
_SIMPLE = {
    **dict.fromkeys(_INTEGERS, ("", "int")),
    **dict.fromkeys(_STRINGS, ("", "str")),
    **dict.fromkeys(("Boolean", "BOOLEAN"), ("", "bool")),
    **dict.fromkeys(("DateTime", "DATETIME", "TIMESTAMP"), ("datetime", "datetime")),
    **dict.fromkeys(("Date", "DATE"), ("datetime", "date")),
    **dict.fromkeys(("Time", "TIME"), ("datetime", "time")),
    **dict.fromkeys(("Interval", "INTERVAL"), ("datetime", "timedelta")),
    **dict.fromkeys(("JSON", "JSONB"), ("typing", "Any")),
    **dict.fromkeys(("LargeBinary", "BINARY", "VARBINARY", "BLOB", "BYTEA"), ("", "bytes")),
}
#: types whose Python type is `decimal.Decimal` or `float` by `asdecimal=` (and its default)
_NUMERICS = {
    **dict.fromkeys(("Numeric", "NUMERIC", "DECIMAL"), True),
    **dict.fromkeys(("Float", "FLOAT", "REAL", "Double", "DOUBLE", "DOUBLE_PRECISION"), False),
}
_UUIDS = frozenset({"Uuid", "UUID"})
#: dialects whose types of those names hold the same Python types as the generic ones
_DIALECTS = frozenset({"postgresql", "mysql", "sqlite"})
_ENUMS = frozenset({"Enum", "ENUM"})
_ARRAYS = frozenset({"ARRAY"})
#: positional arguments of `Column` after its type (schema items), by their last name part
_SCHEMA_ITEMS = frozenset(
    {
        "ForeignKey",
        "Sequence",
        "Identity",
        "Computed",
        "CheckConstraint",
        "FetchedValue",
        "DefaultClause",
    }
)


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why a finding is left without a fix (the benchmark counts the reasons)."""

    reason: str


NOT_ONE_NAME = Refusal("target is not one name")
NOT_A_MODEL = Refusal("class is not a mapped class or mixin")
TABLE_CLASS = Refusal("class maps a __table__")
STARRED = Refusal("*args or **kwargs")
UNKNOWN_TYPE = Refusal("SQL type unknown to the fix")
NO_TYPE = Refusal("no SQL type")
FOREIGN_KEY_TYPE = Refusal("referenced column's type not in the file")
NOT_LITERAL = Refusal("nullable= or primary_key= not a literal")
UNKNOWN_ARGUMENT = Refusal("positional argument unknown to the fix")
CHANGED_IN_CLASS = Refusal("column object changed in the class body")
NAME_TAKEN = Refusal("a name the annotation needs is taken")
NO_IMPORT_PLACE = Refusal("no import to add to")
BASE_ARGUMENTS = Refusal("declarative_base() argument without a 2.0 spelling")
BASE_PLACE = Refusal("declarative_base() not assigned to one name in its own statement")


# ----------------------------------------------------------------- Python types
@dataclass(frozen=True, slots=True)
class Builtin:
    name: str


@dataclass(frozen=True, slots=True)
class Imported:
    """A name of a module: `datetime.date`, `typing.Any`."""

    module: str
    name: str


@dataclass(frozen=True, slots=True)
class Written:
    """A type as the file writes it (an enum class, another column's annotation)."""

    code: str


@dataclass(frozen=True, slots=True)
class ListOf:
    item: PyType
    tuple_: bool = False


PyType = Builtin | Imported | Written | ListOf


class _Imports:
    """The names an annotation needs, as the file spells them, and the imports to add:
    `from package import name` joins the file's statement for `package` when it has one,
    `import module` (for `datetime.date`, `decimal.Decimal`, `uuid.UUID`) goes where isort
    would put it."""

    def __init__(self, ctx: FileContext) -> None:
        self.ctx = ctx
        self.plan = ImportPlan(ctx)
        self.modules: list[str] = []

    def name(self, package: str, name: str) -> str | None:
        return self.plan.need(package, name)

    def attribute(self, module: str, name: str) -> str | None:
        """`module.name` as the file writes it: its own import of the name or the module,
        else `import module` (unless the name `module` is taken: then `from module import
        name`)."""
        ctx = self.ctx
        local = ctx.imported_name(module, name)
        if local is not None:
            return local
        alias = ctx.module_alias(module)
        if alias is not None:
            return f"{alias}.{name}"
        if module in self.modules or not ctx.name_taken(module):
            if module not in self.modules:
                self.modules.append(module)
            return f"{module}.{name}"
        return self.plan.need(module, name)

    def replacements(self) -> list[tuple[cst.CSTNode, str]] | None:
        """The import statements to write; None when the file has no import to add to."""
        return self.plan.replacements(self.modules)

    def absorb(self, other: _Imports) -> None:
        """Need what `other` needs too (one import plan for several columns)."""
        for package, names in other.plan.missing.items():
            for name in names:
                self.plan.need(package, name)
        self.modules.extend(module for module in other.modules if module not in self.modules)


def spell(kind: PyType, imports: _Imports) -> str | None:
    """The annotation text of a Python type; None when a name it needs is taken."""
    if isinstance(kind, Builtin):
        return kind.name
    if isinstance(kind, Written):
        return kind.code
    if isinstance(kind, ListOf):
        item = spell(kind.item, imports)
        if item is None:
            return None
        return f"tuple[{item}, ...]" if kind.tuple_ else f"list[{item}]"
    if kind.module == "typing":
        return imports.name("typing", kind.name)
    return imports.attribute(kind.module, kind.name)


# ------------------------------------------------------------------ SQL types
def _sqlalchemy_name(expr: cst.BaseExpression, ctx: FileContext) -> str | None:
    """The last part of a SQLAlchemy name an expression refers to (`sa.String` ->
    `String`), or None when it is not one."""
    qualified = ctx.qualified_name(expr)
    if qualified is None or not qualified.startswith("sqlalchemy."):
        return None
    parts = qualified.split(".")
    if len(parts) > 3 and parts[1] == "dialects" and parts[2] not in _DIALECTS:
        return None  # Oracle's DATE holds a time, SQL Server's TIMESTAMP is binary
    return parts[-1]


def _literal_bool(expr: cst.BaseExpression) -> bool | None:
    if isinstance(expr, cst.Name) and expr.value in ("True", "False"):
        return expr.value == "True"
    return None


def _keyword(call: cst.Call, name: str) -> cst.Arg | None:
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == name:
            return arg
    return None


def _positional(call: cst.Call) -> list[cst.Arg]:
    return [arg for arg in call.args if arg.keyword is None]


def _is_string(expr: cst.BaseExpression) -> bool:
    return isinstance(expr, cst.SimpleString | cst.ConcatenatedString)


def _flag(call: cst.Call, name: str, default: bool) -> bool | Refusal:
    """A boolean keyword's literal value (or its default); a Refusal when not literal."""
    arg = _keyword(call, name)
    if arg is None:
        return default
    value = _literal_bool(arg.value)
    return NOT_LITERAL if value is None else value


def sql_python_type(expr: cst.BaseExpression, ctx: FileContext) -> PyType | Refusal:
    """The Python type of a SQL type expression (`String(50)`, `sa.Numeric`,
    `postgresql.ARRAY(Integer)`, `Enum(Status)`)."""
    call = expr if isinstance(expr, cst.Call) else None
    if (
        call is not None
        and isinstance(call.func, cst.Attribute)
        and call.func.attr.value == "with_variant"
    ):
        return _variant_type(call, ctx)
    name = _sqlalchemy_name(call.func if call is not None else expr, ctx)
    if name is None:
        return UNKNOWN_TYPE
    if name in _SIMPLE:
        module, python = _SIMPLE[name]
        return Imported(module, python) if module else Builtin(python)
    if name in _NUMERICS:
        asdecimal = _NUMERICS[name] if call is None else _flag(call, "asdecimal", _NUMERICS[name])
        if isinstance(asdecimal, Refusal):
            return UNKNOWN_TYPE
        return Imported("decimal", "Decimal") if asdecimal else Builtin("float")
    if name in _UUIDS:
        as_uuid = True if call is None else _flag(call, "as_uuid", True)
        if isinstance(as_uuid, Refusal):
            return UNKNOWN_TYPE
        return Imported("uuid", "UUID") if as_uuid else Builtin("str")
    if call is None or any(arg.star for arg in call.args):
        return UNKNOWN_TYPE  # a bare `Enum`/`ARRAY`, or values the fix cannot see
    positional = _positional(call)
    if name in _ENUMS and positional:
        first = positional[0].value
        if _is_string(first):
            return Builtin("str")
        if isinstance(first, cst.Name | cst.Attribute) and len(positional) == 1:
            return Written(code_of(first))  # the enum class, as the column names it
        return UNKNOWN_TYPE
    if name in _ARRAYS and positional:
        item = sql_python_type(positional[0].value, ctx)
        if isinstance(item, Refusal):
            return item
        as_tuple = _flag(call, "as_tuple", False)
        dimensions_arg = _keyword(call, "dimensions")
        dimensions = 1
        if dimensions_arg is not None:
            value = dimensions_arg.value
            if not isinstance(value, cst.Integer) or int(value.value) < 1:
                return UNKNOWN_TYPE
            dimensions = int(value.value)
        if isinstance(as_tuple, Refusal):
            return UNKNOWN_TYPE
        result: PyType = item
        for _ in range(dimensions):
            result = ListOf(result, tuple_=as_tuple)
        return result
    return UNKNOWN_TYPE


def _variant_type(call: cst.Call, ctx: FileContext) -> PyType | Refusal:
    """`X.with_variant(Y, "dialect")`: the Python type both have, if they agree."""
    assert isinstance(call.func, cst.Attribute)
    base = sql_python_type(call.func.value, ctx)
    positional = _positional(call)
    if isinstance(base, Refusal) or not positional:
        return UNKNOWN_TYPE
    variant = sql_python_type(positional[0].value, ctx)
    return base if variant == base else UNKNOWN_TYPE


# ------------------------------------------------------------------- columns
class ColumnArgs(NamedTuple):
    """What a `Column(...)`/`mapped_column(...)` call says of its type."""

    type_expr: cst.BaseExpression | None
    foreign_key: cst.Call | None
    identity: bool


def column_args(call: cst.Call, ctx: FileContext) -> ColumnArgs | Refusal:
    """Split a column call's positional arguments as `Column` does: an optional name
    string, an optional SQL type, then schema items (`ForeignKey`, `Sequence`, ...)."""
    if any(arg.star for arg in call.args):
        return STARRED
    positional = [arg.value for arg in _positional(call)]
    if positional and _is_string(positional[0]):
        positional = positional[1:]
    type_arg = _keyword(call, "type_")
    type_expr = type_arg.value if type_arg is not None else None
    items = positional
    if type_expr is None and positional and not _is_schema_item(positional[0], ctx):
        type_expr, items = positional[0], positional[1:]
    foreign_key: cst.Call | None = None
    identity = False
    for item in items:
        if not _is_schema_item(item, ctx):
            return UNKNOWN_ARGUMENT
        assert isinstance(item, cst.Call)
        name = _sqlalchemy_name(item.func, ctx)
        if name == "ForeignKey" and foreign_key is None:
            foreign_key = item
        elif name == "Identity":
            identity = True
    return ColumnArgs(type_expr, foreign_key, identity)


def _is_schema_item(expr: cst.BaseExpression, ctx: FileContext) -> bool:
    return isinstance(expr, cst.Call) and _sqlalchemy_name(expr.func, ctx) in _SCHEMA_ITEMS


def _column_python_type(call: cst.Call, ctx: FileContext, depth: int = 0) -> PyType | Refusal:
    """The Python type of a column call (nullability aside): its SQL type's, or for a
    foreign key column without one, the referenced column's."""
    args = column_args(call, ctx)
    if isinstance(args, Refusal):
        return args
    if args.type_expr is not None:
        return sql_python_type(args.type_expr, ctx)
    if args.foreign_key is None:
        return NO_TYPE
    if depth > 4:
        return FOREIGN_KEY_TYPE
    return _referenced_type(args.foreign_key, ctx, depth + 1)


def _referenced_type(foreign_key: cst.Call, ctx: FileContext, depth: int) -> PyType | Refusal:
    """The Python type of the column a `ForeignKey("table.column")` or
    `ForeignKey(Model.attribute)` refers to, when this file declares it."""
    positional = _positional(foreign_key)
    if not positional:
        return FOREIGN_KEY_TYPE
    target = positional[0].value
    found: cst.CSTNode | None = None
    if isinstance(target, cst.SimpleString):
        text = target.evaluated_value
        parts = text.split(".") if isinstance(text, str) else []
        if len(parts) < 2:
            return FOREIGN_KEY_TYPE
        classes = _tables(ctx).get(parts[-2], [])
        if len(classes) != 1:
            return FOREIGN_KEY_TYPE
        found = _column_named(classes[0], parts[-1], by_attribute=False)
    elif isinstance(target, cst.Attribute) and isinstance(target.value, cst.Name):
        info = ctx.classes.get(target.value.value)
        if info is not None:
            found = _column_named(info.node, target.attr.value, by_attribute=True)
    if found is None:
        return FOREIGN_KEY_TYPE
    return _declared_type(found, ctx, depth)


def _declared_type(statement: cst.CSTNode, ctx: FileContext, depth: int) -> PyType | Refusal:
    """The Python type of a column declared by `x = Column(...)` or
    `x: Mapped[T] = mapped_column(...)` (without `None`)."""
    if isinstance(statement, cst.Assign):
        assert isinstance(statement.value, cst.Call)
        kind = _column_python_type(statement.value, ctx, depth)
        return FOREIGN_KEY_TYPE if kind in (NO_TYPE, UNKNOWN_TYPE) else kind
    assert isinstance(statement, cst.AnnAssign)
    assert isinstance(statement.value, cst.Call)
    args = column_args(statement.value, ctx)
    if not isinstance(args, Refusal) and args.type_expr is not None:
        kind = sql_python_type(args.type_expr, ctx)
        if not isinstance(kind, Refusal):
            return kind
    inner = _mapped_inner(statement.annotation.annotation, ctx)
    return FOREIGN_KEY_TYPE if inner is None else Written(code_of(inner))


def _mapped_inner(annotation: cst.BaseExpression, ctx: FileContext) -> cst.BaseExpression | None:
    """`T` of `Mapped[T]`, `Mapped[T | None]`, `Mapped[Optional[T]]`."""
    if not isinstance(annotation, cst.Subscript) or len(annotation.slice) != 1:
        return None
    if ctx.qualified_name(annotation.value) not in ("sqlalchemy.orm.Mapped",):
        return None
    element = annotation.slice[0].slice
    if not isinstance(element, cst.Index):
        return None
    inner = element.value
    if (
        isinstance(inner, cst.BinaryOperation)
        and isinstance(inner.operator, cst.BitOr)
        and isinstance(inner.right, cst.Name)
        and inner.right.value == "None"
    ):
        return inner.left
    if isinstance(inner, cst.Subscript) and ctx.qualified_name(inner.value) == "typing.Optional":
        first = inner.slice[0].slice
        return first.value if isinstance(first, cst.Index) else None
    return inner


def _tables(ctx: FileContext) -> dict[str, list[cst.ClassDef]]:
    """The file's classes by their literal `__tablename__` (once per file)."""
    holder = ctx.stash("FG108.tables")
    if not holder:
        tables: dict[str, list[cst.ClassDef]] = {}
        for info in ctx.classes.values():
            for small in _class_small_statements(info.node):
                if (
                    isinstance(small, cst.Assign)
                    and _assigned_names(small) == ["__tablename__"]
                    and isinstance(small.value, cst.SimpleString)
                    and isinstance(small.value.evaluated_value, str)
                ):
                    tables.setdefault(small.value.evaluated_value, []).append(info.node)
        holder.append(tables)
    tables_found: dict[str, list[cst.ClassDef]] = holder[0]
    return tables_found


def _column_named(
    class_node: cst.ClassDef, name: str, by_attribute: bool
) -> cst.Assign | cst.AnnAssign | None:
    """The statement declaring the column `name` (its attribute name, or the name of the
    table column: the attribute's unless the call names it) in a class body."""
    for small in _class_small_statements(class_node):
        if isinstance(small, cst.Assign) and len(small.targets) == 1:
            target = small.targets[0].target
        elif isinstance(small, cst.AnnAssign) and small.value is not None:
            target = small.target
        else:
            continue
        value = small.value
        if not isinstance(target, cst.Name) or not isinstance(value, cst.Call):
            continue
        func = value.func
        called = (
            func.value
            if isinstance(func, cst.Name)
            else (func.attr.value if isinstance(func, cst.Attribute) else "")
        )
        if called not in ("Column", "mapped_column"):
            continue
        column_name = target.value
        if not by_attribute:
            positional = _positional(value)
            keyword = _keyword(value, "name")
            given = (
                keyword.value
                if keyword is not None
                else (positional[0].value if positional else None)
            )
            if given is not None and isinstance(given, cst.SimpleString):
                evaluated = given.evaluated_value
                column_name = evaluated if isinstance(evaluated, str) else column_name
        if column_name == name:
            return small
    return None


def _class_small_statements(node: cst.ClassDef) -> Iterator[cst.BaseSmallStatement]:
    body = node.body.body if isinstance(node.body, cst.IndentedBlock) else ()
    for statement in body:
        if isinstance(statement, cst.SimpleStatementLine):
            yield from statement.body


def _assigned_names(small: cst.BaseSmallStatement) -> list[str]:
    if isinstance(small, cst.Assign):
        return [t.target.value for t in small.targets if isinstance(t.target, cst.Name)]
    if isinstance(small, cst.AnnAssign | cst.AugAssign) and isinstance(small.target, cst.Name):
        return [small.target.value]
    return []


class _ClassFacts(NamedTuple):
    """What the column fix needs to know of its class, found once per class."""

    refusal: Refusal | None
    #: names the class body binds (an annotation must not use them)
    bound: frozenset[str]
    #: attributes whose column object the class body changes (`x.attr = ...`)
    changed: frozenset[str]
    #: column names a literal `PrimaryKeyConstraint("a", "b")` of `__table_args__` lists
    constrained_keys: frozenset[str]


def _class_facts(info: ClassInfo, ctx: FileContext) -> _ClassFacts:
    holder = ctx.stash("FG108.classes")
    if not holder:
        holder.append({})
    cache: dict[int, _ClassFacts] = holder[0]
    facts = cache.get(id(info.node))
    if facts is None:
        facts = _read_class(info, ctx)
        cache[id(info.node)] = facts
    return facts


def _read_class(info: ClassInfo, ctx: FileContext) -> _ClassFacts:
    bound: set[str] = set()
    changed: set[str] = set()
    constrained_keys: set[str] = set()
    body = info.node.body.body if isinstance(info.node.body, cst.IndentedBlock) else ()
    for statement in body:
        if isinstance(statement, cst.FunctionDef | cst.ClassDef):
            bound.add(statement.name.value)
        elif isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                names = _assigned_names(small)
                bound.update(names)
                if names == ["__table_args__"]:
                    assert isinstance(small, cst.Assign | cst.AnnAssign)
                    constrained_keys |= _primary_key_names(small.value, ctx)
                targets: list[cst.BaseExpression] = []
                if isinstance(small, cst.Assign):
                    targets = [t.target for t in small.targets]
                elif isinstance(small, cst.AnnAssign | cst.AugAssign):
                    targets = [small.target]
                for target in targets:
                    root = target
                    while isinstance(root, cst.Attribute | cst.Subscript):
                        root = root.value
                    if root is not target and isinstance(root, cst.Name):
                        changed.add(root.value)
    refusal: Refusal | None = None
    dataclass_decorated = any(
        ctx.qualified_name(d.decorator.func if isinstance(d.decorator, cst.Call) else d.decorator)
        in _DATACLASS_DECORATORS
        for d in info.node.decorators
    )
    if "__table__" in bound:
        refusal = TABLE_CLASS
    elif (
        ctx.is_pydantic_model(info.name)
        or ctx.derives_from(info.name, _DATACLASS_BASES)
        or dataclass_decorated
    ):
        # a dataclass's fields (and so its __init__) would change with the annotations
        refusal = NOT_A_MODEL
    return _ClassFacts(refusal, frozenset(bound), frozenset(changed), frozenset(constrained_keys))


def _primary_key_names(value: cst.BaseExpression | None, ctx: FileContext) -> set[str]:
    """The column names of the `PrimaryKeyConstraint("a", "b")` calls of a literal
    `__table_args__` tuple."""
    names: set[str] = set()
    if not isinstance(value, cst.Tuple):
        return names
    for element in value.elements:
        item = element.value
        if (
            isinstance(item, cst.Call)
            and _sqlalchemy_name(item.func, ctx) == "PrimaryKeyConstraint"
        ):
            for arg in _positional(item):
                if isinstance(arg.value, cst.SimpleString) and isinstance(
                    arg.value.evaluated_value, str
                ):
                    names.add(arg.value.evaluated_value)
    return names


_IDENTIFIER = lazy_pattern(r"(?<![.\w])[A-Za-z_]\w*")


def _names_of(annotation: str) -> set[str]:
    """The names an annotation's text looks up (not those after a dot)."""
    return set(_IDENTIFIER.findall(annotation))


class TypedColumn(NamedTuple):
    """One column's rewrite: its new statement, and the imports it needs."""

    assign: cst.Assign
    text: str
    imports: _Imports


def typed_columns(columns: Sequence[TypedColumn], ctx: FileContext) -> FixSpec | Refusal:
    """The fix of a class's `Column()` attributes: each column's rewrite, with one plan
    for the imports they need."""
    imports = _Imports(ctx)
    for column in columns:
        imports.absorb(column.imports)
    replacements = imports.replacements()
    if replacements is None:
        return NO_IMPORT_PLACE
    return FixSpec(
        "Declare the columns as `Mapped[...]` with `mapped_column()`",
        (*replacements, *((column.assign, column.text) for column in columns)),
        applicability="unsafe",
        releases=("Column",),
    )


def typed_column(assign: cst.Assign, ctx: FileContext) -> TypedColumn | Refusal:
    """The rewrite of `name = Column(...)` in a class body: `name: Mapped[T] =
    mapped_column(...)`, or why there is none."""
    info = ctx.enclosing_class
    call = assign.value
    if info is None or not isinstance(call, cst.Call):
        return NOT_A_MODEL
    if len(assign.targets) != 1 or not isinstance(assign.targets[0].target, cst.Name):
        return NOT_ONE_NAME
    attribute = assign.targets[0].target.value
    facts = _class_facts(info, ctx)
    if facts.refusal is not None:
        return facts.refusal
    if attribute in facts.changed:
        return CHANGED_IN_CLASS
    kind = _column_python_type(call, ctx)
    if isinstance(kind, Refusal):
        return kind
    args = column_args(call, ctx)
    assert not isinstance(args, Refusal)
    nullable_arg = _keyword(call, "nullable")
    primary_key = _flag(call, "primary_key", False)
    nullable_given = _literal_bool(nullable_arg.value) if nullable_arg is not None else None
    if isinstance(primary_key, Refusal) or (nullable_arg is not None and nullable_given is None):
        return NOT_LITERAL
    # Column's own default: nullable unless a primary key (or an Identity() column, or
    # one a primary key constraint of the table lists)
    nullable = (
        nullable_given
        if nullable_given is not None
        else not (
            primary_key or args.identity or _column_name(call, attribute) in facts.constrained_keys
        )
    )

    imports = _Imports(ctx)
    mapped = imports.name("sqlalchemy.orm", "Mapped")
    mapped_column = imports.name("sqlalchemy.orm", "mapped_column")
    python = spell(kind, imports)
    if mapped is None or mapped_column is None or python is None:
        return NAME_TAKEN
    if nullable:
        optional = ctx.imported_name("typing", "Optional")
        python = f"{optional}[{python}]" if optional else f"{python} | None"
    annotation = f"{mapped}[{python}]"
    if _names_of(annotation) & facts.bound:
        return NAME_TAKEN

    new_args = list(call.args)
    if nullable_arg is not None and nullable_given is False and "#" not in code_of(nullable_arg):
        # `Mapped[T]` (no None) derives nullable=False: the argument says it again
        new_args = _without_arg(new_args, nullable_arg)
    new_call = call.with_changes(func=cst.Name(mapped_column), args=new_args)
    text = f"{attribute}: {annotation} = {ctx.code(new_call, at=assign)}"
    if imports.replacements() is None:
        return NO_IMPORT_PLACE
    return TypedColumn(assign, text, imports)


def _column_name(call: cst.Call, attribute: str) -> str | None:
    """The table column's name: the call's name string, else the attribute's; None when
    the call names it by an expression."""
    keyword = _keyword(call, "name")
    positional = _positional(call)
    given = keyword.value if keyword is not None else (positional[0].value if positional else None)
    if given is None or not _is_string(given):
        return attribute if keyword is None else None
    evaluated = given.evaluated_value if isinstance(given, cst.SimpleString) else None
    return evaluated if isinstance(evaluated, str) else None


def _without_arg(args: Sequence[cst.Arg], removed: cst.Arg) -> list[cst.Arg]:
    """The arguments without `removed`; a last argument removed leaves its comma (a
    trailing comma, or none) to the one before it."""
    kept = [arg for arg in args if arg is not removed]
    if args and args[-1] is removed and kept:
        kept[-1] = kept[-1].with_changes(comma=removed.comma)
    return kept


# ----------------------------------------------------------- declarative base
def declarative_base_class(call: cst.Call, ctx: FileContext) -> FixSpec | Refusal:
    """The fix of `Base = declarative_base(...)`: `class Base(DeclarativeBase)` with the
    arguments that have a 2.0 spelling, or why there is none."""
    if ctx.qualified_name(call.func) not in DECLARATIVE_BASE_CALLS:
        return BASE_ARGUMENTS
    assign = ctx.parent(call)
    line = ctx.parent(assign) if isinstance(assign, cst.Assign) else None
    if (
        not isinstance(assign, cst.Assign)
        or not isinstance(line, cst.SimpleStatementLine)
        or len(line.body) != 1
        or len(assign.targets) != 1
        or not isinstance(assign.targets[0].target, cst.Name)
        or ctx.function is not None
        or ctx.enclosing_class is not None
    ):
        return BASE_PLACE
    name = assign.targets[0].target.value
    attributes: list[tuple[str, cst.BaseExpression]] = []
    mixins: list[str] = []
    for arg in call.args:
        keyword = arg.keyword.value if arg.keyword is not None else None
        if keyword in ("metadata", "type_annotation_map"):
            attributes.append((keyword, arg.value))
        elif keyword == "cls":
            mixin = _mixin_base(arg.value, ctx)
            if mixin is None:
                return BASE_ARGUMENTS
            if mixin != "object":
                mixins.append(mixin)
        elif keyword == "name" and isinstance(arg.value, cst.SimpleString):
            if arg.value.evaluated_value != name:
                return BASE_ARGUMENTS
        else:
            return BASE_ARGUMENTS
    imports = _Imports(ctx)
    declarative = imports.name("sqlalchemy.orm", "DeclarativeBase")
    if declarative is None:
        return NAME_TAKEN
    replacements = imports.replacements()
    if replacements is None:
        return NO_IMPORT_PLACE

    newline = ctx.module.default_newline
    outer = ctx.indentation(line)
    inner = outer + ctx.module.default_indent
    body = [f"{key} = {_code_indented(value, inner, ctx)}" for key, value in attributes]
    bases = ", ".join([*mixins, declarative])
    lines = [f"class {name}({bases}):", *(inner + text for text in body or ["pass"])]
    text = newline.join(lines)
    before, after = _blank_lines_around(line, ctx)
    text = newline * before + text + newline * after
    return FixSpec(
        "Subclass `DeclarativeBase`",
        (*replacements, (assign, text)),
        applicability="unsafe",
        releases=("declarative_base",),
    )


def _mixin_base(expr: cst.BaseExpression, ctx: FileContext) -> str | None:
    """`cls=X` of `declarative_base()` as a base of the 2.0 class: `object`, or a class
    the file defines that leaves `__init__` (declarative_base() replaced it with the
    declarative constructor, which DeclarativeBase gives only a class without one) and
    `__init_subclass__` (which must reach DeclarativeBase's) alone."""
    if isinstance(expr, cst.Name) and expr.value == "object":
        return "object"
    if not isinstance(expr, cst.Name):
        return None
    info = ctx.classes.get(expr.value)
    if info is None or info.outer is not None:
        return None
    seen: set[str] = set()
    pending: list[ClassInfo] = [info]
    while pending:
        current = pending.pop()
        if current.name in seen:
            continue
        seen.add(current.name)
        if {"__init__", "__init_subclass__"} & current.methods:
            return None
        if {"metadata", "registry", "type_annotation_map"} & body_names(current):
            return None
        for base in current.bases:
            if base in (None,) or (base not in ctx.classes and base != "object"):
                return None
            if base in ctx.classes:
                pending.append(ctx.classes[base])
    return expr.value


def body_names(info: ClassInfo) -> set[str]:
    """The names a class body binds with simple statements (attributes, aliases)."""
    return {name for small in _class_small_statements(info.node) for name in _assigned_names(small)}


def _code_indented(node: cst.CSTNode, indent: str, ctx: FileContext) -> str:
    """A node's code whose continuation lines are indented as in a block at `indent`."""
    from libcst._nodes.internal import CodegenState

    state = CodegenState(
        default_indent=ctx.module.default_indent,
        default_newline=ctx.module.default_newline,
    )
    state.indent_tokens.append(indent)
    node._codegen(state)
    return "".join(state.tokens)


def _blank_lines_around(line: cst.SimpleStatementLine, ctx: FileContext) -> tuple[int, int]:
    """The blank lines to add before and after a module-level statement that becomes a
    class, so that it has the two PEP 8 asks for (none inside blocks, none between it
    and a comment that sits on it)."""
    body = ctx.module.body
    index = next((i for i, statement in enumerate(body) if statement is line), None)
    if index is None:
        return 0, 0
    before = 0
    if index > 0 and (not line.leading_lines or line.leading_lines[-1].comment is None):
        before = max(0, 2 - _trailing_blanks(line.leading_lines))
    after = 0
    if index + 1 < len(body):
        following = body[index + 1]
        leading = following.leading_lines
        if not any(empty.comment is not None for empty in leading):
            after = max(0, 2 - len(leading))
    return before, after


def _trailing_blanks(lines: Sequence[cst.EmptyLine]) -> int:
    count = 0
    for empty in reversed(lines):
        if empty.comment is not None:
            break
        count += 1
    return count


# ---------------------------------------------------------------- backref
#: relationship() arguments a `backref=` passes on to the relationship it creates: a
#: forward relationship with one of them keeps its finding without a fix
_PASSED_TO_BACKREF = frozenset(
    {
        "primaryjoin",
        "secondaryjoin",
        "foreign_keys",
        "post_update",
        "passive_updates",
        "viewonly",
        "sync_backref",
        "remote_side",
    }
)
BACKREF_SHAPE = Refusal("backref= not a plain name, or arguments it passes on")
BACKREF_TARGET = Refusal("backref= target class not in the file")


def back_populates(arg: cst.Arg, call: cst.Call, ctx: FileContext) -> FixSpec | Refusal:
    """The fix of `relationship("B", backref="x")` declared as attribute `a` of class A:
    `back_populates="x"` there and `x = relationship("A", back_populates="a")` declared in
    class B, when both classes are module-level classes of this file (B != A: a
    self-referential backref computes `remote_side`), and the backref is a plain name."""
    owner = ctx.enclosing_class
    assign = ctx.parent(call)
    if (
        owner is None
        or owner.outer is not None
        or not ctx.in_class_body
        or not isinstance(assign, cst.Assign | cst.AnnAssign)
        or assign.value is not call
    ):
        return BACKREF_SHAPE
    target = assign.targets[0].target if isinstance(assign, cst.Assign) else assign.target
    if isinstance(assign, cst.Assign) and len(assign.targets) != 1:
        return BACKREF_SHAPE
    name = arg.value.evaluated_value if isinstance(arg.value, cst.SimpleString) else None
    if not isinstance(target, cst.Name) or not isinstance(name, str) or not name.isidentifier():
        return BACKREF_SHAPE
    if any(a.star for a in call.args):
        return BACKREF_SHAPE
    positional = _positional(call)
    secondary: cst.BaseExpression | None = None
    if len(positional) == 2:
        secondary = positional[1].value
    elif len(positional) != 1:
        return BACKREF_SHAPE
    for other in call.args:
        keyword = other.keyword.value if other.keyword is not None else None
        if keyword in _PASSED_TO_BACKREF or keyword == "back_populates":
            return BACKREF_SHAPE
        if keyword == "secondary":
            secondary = other.value
    first = positional[0].value
    if isinstance(first, cst.SimpleString) and isinstance(first.evaluated_value, str):
        related = first.evaluated_value
    elif isinstance(first, cst.Name):
        related = first.value
    else:
        return BACKREF_TARGET
    info = ctx.classes.get(related)
    if info is None and related.isidentifier():
        return _back_populates_elsewhere(arg, call, related, secondary, target.value, name, ctx)
    if info is None or info.outer is not None or info is owner:
        return BACKREF_TARGET
    if not _mapped_like(related, owner.name, ctx):
        # a class of the file with that name (a Pydantic schema, say) is not the mapped
        # class the registry resolves the string to
        return BACKREF_TARGET
    body = info.node.body
    if not isinstance(body, cst.IndentedBlock):
        return BACKREF_TARGET
    if name in body_names(info) or name in info.methods:
        return BACKREF_SHAPE
    # after the last simple statement (the attributes, usually above the methods) whose
    # line has no comment: a comment would move to the new line
    lines = [
        statement
        for statement in body.body
        if isinstance(statement, cst.SimpleStatementLine)
        and statement.trailing_whitespace.comment is None
    ]
    if not lines:
        return BACKREF_SHAPE
    if secondary is not None and not _resolves_in(secondary, info, ctx):
        return BACKREF_SHAPE
    relationship = _local_relationship(call, ctx)
    if relationship is None:
        return BACKREF_SHAPE
    arguments = [f'"{owner.name}"']
    if secondary is not None:
        arguments.append(f"secondary={code_of(secondary)}")
    arguments.append(f'back_populates="{target.value}"')
    reverse = f"{name} = {relationship}({', '.join(arguments)})"
    anchor = lines[-1].body[-1]
    indent = ctx.module.default_indent if body.indent is None else body.indent
    newline = ctx.module.default_newline
    assert arg.keyword is not None
    return FixSpec(
        "Declare both sides with `back_populates`",
        ((arg.keyword, "back_populates"), (anchor, After(f"{newline}{indent}{reverse}"))),
        applicability="unsafe",
    )


def _back_populates_elsewhere(
    arg: cst.Arg,
    call: cst.Call,
    related: str,
    secondary: cst.BaseExpression | None,
    attribute: str,
    name: str,
    ctx: FileContext,
) -> FixSpec | Refusal:
    """The fix of a `backref=` whose target class is defined in another file: this file's
    `backref=` becomes `back_populates=`, and the reverse relationship goes into the other
    class (`Companion`: `checks.crossfix` finds the class through the project index and
    writes both files, or neither). A `secondary=` other than a table name in a string
    could not be written in the other file."""
    owner = ctx.enclosing_class
    if owner is None or ctx.module_name is None:
        return BACKREF_TARGET
    if secondary is not None and not isinstance(secondary, cst.SimpleString):
        return BACKREF_SHAPE
    first = _positional(call)[0].value
    if isinstance(first, cst.Name):
        imported = ctx.imports.get(related)
        if imported is None:  # a name bound some other way: not a class the index knows
            return BACKREF_TARGET
        candidates: tuple[str, ...] = (imported,)
    else:  # a string: the registry resolves it by class name
        imported = ctx.imports.get(related)
        candidates = (imported,) if imported is not None and "." in imported else ()
    arguments = [f'"{owner.name}"']
    if secondary is not None:
        arguments.append(f"secondary={code_of(secondary)}")
    arguments.append(f'back_populates="{attribute}"')
    assert arg.keyword is not None
    return FixSpec(
        f"Declare both sides with `back_populates` (the other side in the file of `{related}`)",
        ((arg.keyword, "back_populates"),),
        applicability="unsafe",
        companion=Companion(
            related, candidates, f"{ctx.module_name}.{owner.name}", name, ", ".join(arguments)
        ),
    )


def _mapped_like(related: str, owner: str, ctx: FileContext) -> bool:
    """Whether the class `related` is mapped as `owner` is: the file settles that it is an
    ORM class, or it derives from one of the imported classes `owner` derives from."""
    mapped = ctx.is_orm_model(related)
    if mapped is True:
        return True
    if mapped is False or ctx.is_pydantic_model(related):
        return False
    own = ctx.is_orm_model(owner)
    return not isinstance(own, bool) and bool(set(mapped.refs) & set(own.refs))


def _local_relationship(call: cst.Call, ctx: FileContext) -> str | None:
    """How the file calls `relationship`: as the call does, when it is a plain name or a
    module attribute (`orm.relationship`)."""
    func = call.func
    if isinstance(func, cst.Name | cst.Attribute):
        return code_of(func)
    return None


def _resolves_in(expr: cst.BaseExpression, info: ClassInfo, ctx: FileContext) -> bool:
    """Whether `secondary=` can be written in class `info`'s body: a string (a table name
    resolved late), or a name the module binds before that class."""
    if isinstance(expr, cst.SimpleString):
        return True
    if not isinstance(expr, cst.Name):
        return False
    for statement in ctx.module.body:
        if statement is info.node:
            return False
        if isinstance(statement, cst.SimpleStatementLine) and any(
            expr.value in _assigned_names(small) for small in statement.body
        ):
            return True
    return False

"""FG208: Pydantic v1 `@validator` / `@root_validator`, and their v2 rewrite.

The fix is where bump-pydantic stops short: it rewrites the decorators' arguments, adds
`@classmethod`, turns a validator's `values` argument into `info.data`, and turns a
post-validation `@root_validator` (bare ones included, which Pydantic 2 refuses to load)
into an after-mode `@model_validator` on `self` when its body only reads fields.
Anything it cannot prove equivalent keeps the finding without a fix.
"""

from __future__ import annotations

import ast
import functools
from collections.abc import Iterator
from typing import NamedTuple

from checks.context import (
    MISBEHAVES_ON_V2,
    FileContext,
    FixSpec,
    ImportPlan,
    Lines,
    child_nodes,
    code_of,
    returns_in,
    string_value,
)
from checks.imports import NameVisitor, names_in
from checks.lazy import libcst as cst
from checks.lazy import visitor
from checks.prefilter import Evidence
from checks.pydantic_target import FIX_TARGET_NOTE, WHERE_IT_APPLIES_SPELLING
from checks.rule import Example, FixExample, Rule
from checks.structure import Structure

_V1_VALIDATORS = {
    "pydantic.validator": "field_validator",
    "pydantic.class_validators.validator": "field_validator",
    "pydantic.root_validator": "model_validator",
    "pydantic.class_validators.root_validator": "model_validator",
}


class _Decorator(NamedTuple):
    """A v1 validator decorator: its node, the v2 name, and how the file spells it."""

    node: cst.Decorator
    v2: str
    #: `pydantic` for `@pydantic.validator`, None for an imported name
    module: str | None
    #: the local name of an imported decorator (`validator`), to drop when unused
    local: str | None
    args: tuple[cst.Arg, ...]


@functools.cache
def _bindings() -> dict[type[cst.CSTNode], str]:
    """The nodes that bind names, and the field holding what they bind."""
    return {
        cst.AssignTarget: "target",
        cst.AugAssign: "target",
        cst.AnnAssign: "target",
        cst.For: "target",
        cst.CompFor: "target",
        cst.NamedExpr: "target",
        cst.Del: "target",
        cst.AsName: "name",
        cst.Param: "name",
        cst.ClassDef: "name",
        cst.FunctionDef: "name",
    }


class _Uses(NameVisitor):
    """The uses of one name in a function body; `unsafe` when it is bound, deleted or
    shadowed anywhere in it (then a rewrite of its uses is not offered)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.loads: list[cst.Name] = []
        self.unsafe = False
        self.names: set[str] = set()

    def on_visit(self, node: cst.CSTNode) -> bool:
        field = _bindings().get(type(node))
        if field is not None and self.name in names_in(getattr(node, field)):
            self.unsafe = True
        elif isinstance(node, cst.Global | cst.Nonlocal):
            self.unsafe |= any(item.name.value == self.name for item in node.names)
        return super().on_visit(node)

    def visit_Name(self, node: cst.Name) -> None:
        self.names.add(node.value)
        if node.value == self.name:
            self.loads.append(node)


def _uses(function: cst.FunctionDef, name: str) -> _Uses:
    uses = visitor(_Uses)(name)
    function.body.visit(uses)
    return uses


def _literal_bool(expr: cst.BaseExpression) -> bool | None:
    if isinstance(expr, cst.Name) and expr.value in {"True", "False"}:
        return expr.value == "True"
    return None


def _simple_params(function: cst.FunctionDef) -> list[cst.Param] | None:
    """The parameters, when they are plain positional ones without defaults."""
    params = function.params
    if (
        params.posonly_params
        or params.kwonly_params
        or not isinstance(params.star_arg, cst.MaybeSentinel)
        or params.star_kwarg is not None
        or any(param.default is not None for param in params.params)
    ):
        return None
    return list(params.params)


def _is_classmethod(decorator: cst.Decorator) -> bool:
    return isinstance(decorator.decorator, cst.Name) and decorator.decorator.value in {
        "classmethod"
    }


def _quote(args: tuple[cst.Arg, ...]) -> str:
    """The quote character the decorator's field names use (double by default)."""
    for arg in args:
        if isinstance(arg.value, cst.SimpleString) and arg.value.value.startswith("'"):
            return "'"
    return '"'


class PydanticV1Validators(Rule):
    code = "FG208"
    name = "pydantic-v1-validator"
    family = "Pydantic"
    message = "`@validator` is the Pydantic v1 API: use `@field_validator` with `@classmethod`"
    summary = (
        "Checks for Pydantic's v1 `@validator` and `@root_validator` decorators, and for a "
        "v2 `@field_validator` whose third argument its body reads as v1's `values` dict "
        "(`values.get(...)`, `values[...]`, `... in values`): in Pydantic 2 it is a "
        "`ValidationInfo`, and reading it so raises when the validator runs; its `.data` "
        "holds the fields validated before it, as v1's dict did (reported without a "
        "fix).\n\n"
        f"{WHERE_IT_APPLIES_SPELLING}"
    )
    why = (
        "Pydantic v2 replaced `@validator` with `@field_validator` (a classmethod; `pre=True` "
        "became `mode='before'`, `always=True` became `validate_default=True` on the field) "
        "and `@root_validator` with `@model_validator(mode='before' | 'after')`. The v1 "
        "decorators are deprecated, their `values` argument became `info.data`, and a bare "
        "`@root_validator` (without `skip_on_failure=True`) stops the model from loading "
        "at all under Pydantic 2."
    )
    fix = (
        "Safe fix: `@validator(...)` becomes `@field_validator(...)` with `@classmethod` "
        "under it (`pre=True` -> `mode='before'`, `allow_reuse` dropped, `check_fields` "
        "kept); v1 passes a validator's extra arguments by name (`values`, `config`, "
        "`field`), so a `values` argument becomes `info` and its uses `info.data`, "
        "`field.name` becomes `info.field_name`, and an unused `field` goes; "
        "`@root_validator(pre=True)` becomes `@model_validator(mode='before')` with "
        "`@classmethod`; `@root_validator(skip_on_failure=True)` becomes "
        "`@model_validator(mode='after')` on `self` when its body only reads fields the "
        "class declares (`values['a']`, `values.get('a')` -> `self.a`) and returns "
        "`values` (-> `self`, annotated `Self`). The same rewrite of a bare "
        "`@root_validator` is unsafe (`--unsafe-fixes`): v1 ran it even after a field had "
        "failed, v2's after-validator only runs on a valid model. The decorator is "
        "imported in the file's import style and the v1 name dropped once unused. Left to "
        "the author: `always=True` (it moves to the field: `Field(validate_default=True)`), "
        "`each_item=True`, validators taking `config`, or using `field` for more than "
        "its name (v2 has neither), `**kwargs`, and root validators that change `values`."
        f" {FIX_TARGET_NOTE}"
    )
    bad = (
        Example(
            """
            from typing import Any

            from pydantic import field_validator
            from pydantic_settings import BaseSettings


            class Settings(BaseSettings):
                postgres_user: str = "app"
                database_uri: str | None = None

                @field_validator("database_uri", mode="before")
                @classmethod
                def assemble(cls, value: str | None, values: dict[str, Any]) -> str:
                    if isinstance(value, str):
                        return value
                    return f"postgresql+asyncpg://{values.get('postgres_user')}@db/app"
            """,
            note="v1's `values` in a v2 `@field_validator`: a `ValidationInfo`, with no `.get`",
        ),
        Example(
            """
            from pydantic import BaseModel, validator


            class Signup(BaseModel):
                email: str

                @validator("email")
                def lower(cls, value: str) -> str:
                    return value.lower()
            """
        ),
        Example(
            """
            import pydantic

            class Window(pydantic.BaseModel):
                start: int
                end: int

                @pydantic.root_validator(pre=True)
                def order(cls, values):
                    return values

                @pydantic.root_validator
                def check(cls, values):
                    return values
            """,
            expect=2,
        ),
        Example(
            """
            from pydantic import BaseModel, validator


            class Item(BaseModel):
                name: str
                code: str

                @validator("name")
                def strip(cls, value, config):
                    return value.strip() if config.anystr_strip_whitespace else value

                @validator("code")
                def known(cls, value, field):
                    if value not in field.type_.__args__:
                        raise ValueError(f"unknown {field.alias}")
                    return value
            """,
            expect=2,
            note="no fix: `config`, and `field` used for more than its name, have no v2 twin",
        ),
    )
    good = (
        Example(
            """
            from pydantic import BaseModel, ValidationInfo, field_validator


            class Window(BaseModel):
                start: int
                end: int

                @field_validator("end")
                @classmethod
                def after_start(cls, end: int, info: ValidationInfo) -> int:
                    if "start" in info.data and end < info.data["start"]:
                        raise ValueError("end before start")
                    return end
            """,
            note="v2's `ValidationInfo`, read through `.data`",
        ),
        Example(
            """
            from pydantic import BaseModel, field_validator


            class Signup(BaseModel):
                email: str

                @field_validator("email")
                @classmethod
                def lower(cls, value: str) -> str:
                    return value.lower()
            """
        ),
        Example(
            """
            from marshmallow import validates

            class Form:
                @validates("name")
                def check(self, value):
                    return value
            """,
            note="another library's validator",
        ),
        Example(
            """
            try:
                from pydantic.v1 import BaseModel, validator
            except ImportError:
                from pydantic import BaseModel, validator


            class LegacySignup(BaseModel):
                email: str

                @validator("email")
                def lower(cls, value: str) -> str:
                    return value.lower()
            """,
            note="the v1 layer imported in a try/except ImportError block",
        ),
        Example(
            """
            from pydantic import BaseModel

            from app.compat import PYDANTIC_V2

            if PYDANTIC_V2:
                from pydantic import field_validator

                class Signup(BaseModel):
                    email: str

                    @field_validator("email")
                    @classmethod
                    def lower(cls, value: str) -> str:
                        return value.lower()
            else:
                from pydantic import validator

                class Signup(BaseModel):
                    email: str

                    @validator("email")
                    def lower(cls, value: str) -> str:
                        return value.lower()
            """,
            note="a version test around v1 and v2 validators",
        ),
    )
    fixes = (
        FixExample(
            """
            from pydantic import BaseModel, validator


            class Signup(BaseModel):
                email: str
                password: str
                password2: str

                @validator("email", pre=True)
                def lower(cls, value: str) -> str:
                    return value.lower()

                @validator("password2")
                def same(cls, value: str, values: dict[str, object]) -> str:
                    if value != values.get("password"):
                        raise ValueError("passwords differ")
                    return value
            """,
            """
            from pydantic import BaseModel, ValidationInfo, field_validator


            class Signup(BaseModel):
                email: str
                password: str
                password2: str

                @field_validator("email", mode="before")
                @classmethod
                def lower(cls, value: str) -> str:
                    return value.lower()

                @field_validator("password2")
                @classmethod
                def same(cls, value: str, info: ValidationInfo) -> str:
                    if value != info.data.get("password"):
                        raise ValueError("passwords differ")
                    return value
            """,
        ),
        FixExample(
            """
            from pydantic import BaseModel, root_validator


            class Window(BaseModel):
                start: int
                end: int

                @root_validator(pre=True)
                def defaults(cls, values):
                    values.setdefault("end", values.get("start"))
                    return values

                @root_validator(skip_on_failure=True)
                def ordered(cls, values: dict[str, int]) -> dict[str, int]:
                    if values["start"] > values.get("end"):
                        raise ValueError("start after end")
                    return values
            """,
            """
            from pydantic import BaseModel, model_validator
            from typing_extensions import Self


            class Window(BaseModel):
                start: int
                end: int

                @model_validator(mode="before")
                @classmethod
                def defaults(cls, values):
                    values.setdefault("end", values.get("start"))
                    return values

                @model_validator(mode="after")
                def ordered(self) -> Self:
                    if self.start > self.end:
                        raise ValueError("start after end")
                    return self
            """,
            note="before and after root validators",
        ),
        FixExample(
            """
            import pydantic


            class Window(pydantic.BaseModel):
                start: int

                @pydantic.root_validator
                def positive(cls, values):
                    if values["start"] < 0:
                        raise ValueError("negative")
                    return values

                @pydantic.validator("start", always=True)
                def kept(cls, value):
                    return value
            """,
            """
            import pydantic


            class Window(pydantic.BaseModel):
                start: int

                @pydantic.model_validator(mode="after")
                def positive(self):
                    if self.start < 0:
                        raise ValueError("negative")
                    return self

                @pydantic.validator("start", always=True)
                def kept(cls, value):
                    return value
            """,
            unsafe=True,
            remaining=("FG208",),
            note="a bare root validator (unsafe); `always=True` is left to the author",
        ),
        FixExample(
            """
            from pydantic import BaseModel, validator


            class Signup(BaseModel):
                email: str
                nickname: str

                @validator("email", "nickname")
                def not_blank(cls, value, values, field):
                    if not value.strip():
                        raise ValueError(f"{field.name} is blank")
                    return value
            """,
            """
            from pydantic import BaseModel, field_validator


            class Signup(BaseModel):
                email: str
                nickname: str

                @field_validator("email", "nickname")
                @classmethod
                def not_blank(cls, value, info):
                    if not value.strip():
                        raise ValueError(f"{info.field_name} is blank")
                    return value
            """,
            note="v1 passes `values` and `field` by name: `field.name` is `info.field_name`",
        ),
    )

    def may_fire(self, evidence: Evidence) -> bool:
        return evidence.has("validator", "root_validator", "field_validator")

    def may_fire_in(self, structure: Structure) -> bool:
        # `visit_FunctionDef`: a decorator naming Pydantic 1's `validator` or
        # `root_validator`, as the file's imports resolve it (v2's `field_validator` and
        # `model_validator` hold the word too: gpustack's 10 files parsed for nothing);
        # or a `field_validator` whose third parameter its body reads as a dict
        # (`_values_read`)
        return structure.refers_to(*_V1_VALIDATORS) or (
            structure.refers_to(*_FIELD_VALIDATORS)
            and any(_may_read_values(function) for function in structure.functions)
        )

    def visit_FunctionDef(self, node: cst.FunctionDef, ctx: FileContext) -> None:
        owner = ctx.enclosing_class
        if owner is not None and ctx.is_v1_layer_model(owner.name):
            return  # a validator of a `pydantic.v1` model: v1 on purpose
        read = _values_read(node, ctx)
        if read is not None:
            name, first = read
            ctx.marks(MISBEHAVES_ON_V2).add(id(first))
            ctx.report(
                first,
                f"`{name}` of a `@field_validator` is a `ValidationInfo` in Pydantic 2, not "
                "v1's dict of the fields validated before it: reading it as one raises "
                f"(`AttributeError`, `TypeError`); read `{name}.data`",
            )
        for decorator in node.decorators:
            found = _v1_decorator(decorator, ctx)
            if found is None:
                continue
            v1 = "validator" if found.v2 == "field_validator" else "root_validator"
            message = f"`@{v1}` is the Pydantic v1 API: use `@{found.v2}`"
            if v1 == "root_validator" and _refused_on_v2(found):
                # Pydantic 2 refuses the class (`PydanticUserError` when it is defined):
                # never the project's spelling (uptrain's drift operator, reader 43)
                message = (
                    "`@root_validator` without `pre=True` or `skip_on_failure=True`: Pydantic 2 "
                    "refuses the model when it is defined (`PydanticUserError`); use "
                    "`@model_validator`"
                )
                ctx.marks(MISBEHAVES_ON_V2).add(id(decorator))
            try:
                fix = _fix(node, found, ctx)
            except _NoFix:
                fix = None
            ctx.report(decorator, message, fix=fix)


#: Pydantic 2's field validator decorator: its function's third parameter (after `cls`
#: and the value) is a `ValidationInfo`.
_FIELD_VALIDATORS = frozenset(
    {"pydantic.field_validator", "pydantic.functional_validators.field_validator"}
)
#: How v1's `values` dict is read: a `ValidationInfo` has none of these.
_DICT_METHODS = frozenset({"get", "keys", "items", "values", "copy", "setdefault", "pop"})


def _values_read(node: cst.FunctionDef, ctx: FileContext) -> tuple[str, cst.CSTNode] | None:
    """The third parameter of a `@field_validator` function and the first place its
    body reads it as v1's `values` dict (`values.get("a")`, `values["a"]`, `"a" in
    values`): pogchamp's half-migrated `assemble_db_connection` (reader 56). None when
    it has none, or the function is no such validator."""
    if not any(
        ctx.qualified_name(d.decorator.func if isinstance(d.decorator, cst.Call) else d.decorator)
        in _FIELD_VALIDATORS
        for d in node.decorators
    ):
        return None
    params = [*node.params.posonly_params, *node.params.params]
    if len(params) < 3:
        return None
    name = params[2].name.value
    for inner in _in_order(node.body):
        if (
            isinstance(inner, cst.Attribute)
            and isinstance(inner.value, cst.Name)
            and inner.value.value == name
            and inner.attr.value in _DICT_METHODS
        ) or (
            isinstance(inner, cst.Subscript)
            and isinstance(inner.value, cst.Name)
            and inner.value.value == name
        ):
            return name, inner
        if (
            isinstance(inner, cst.ComparisonTarget)
            and isinstance(inner.operator, cst.In | cst.NotIn)
            and isinstance(inner.comparator, cst.Name)
            and inner.comparator.value == name
        ):
            return name, inner.comparator
    return None


def _in_order(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """The node and every node below it, in the order of the source (the first read of a
    name is the one that raises: reader 59)."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(child_nodes(current)))


def _may_read_values(function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """`_values_read`'s screen: a decorated function of three or more positional
    parameters whose third one its body subscripts, calls a dict method of, or tests
    membership in (the decorator's name is the file's `refers_to`)."""
    params = [*function.args.posonlyargs, *function.args.args]
    if not function.decorator_list or len(params) < 3:
        return False
    name = params[2].arg
    for inner in ast.walk(function):
        if (
            isinstance(inner, ast.Attribute | ast.Subscript)
            and isinstance(inner.value, ast.Name)
            and inner.value.id == name
            and (isinstance(inner, ast.Subscript) or inner.attr in _DICT_METHODS)
        ):
            return True
        if (
            isinstance(inner, ast.Compare)
            and any(isinstance(op, ast.In | ast.NotIn) for op in inner.ops)
            and any(isinstance(c, ast.Name) and c.id == name for c in inner.comparators)
        ):
            return True
    return False


def _v1_decorator(decorator: cst.Decorator, ctx: FileContext) -> _Decorator | None:
    expr = decorator.decorator
    call = expr if isinstance(expr, cst.Call) else None
    target = call.func if call is not None else expr
    v2 = _V1_VALIDATORS.get(ctx.qualified_name(target) or "")
    if v2 is None:
        return None
    args = tuple(call.args) if call is not None else ()
    if isinstance(target, cst.Attribute):
        return _Decorator(decorator, v2, code_of(target.value), None, args)
    local = target.value if isinstance(target, cst.Name) else None
    return _Decorator(decorator, v2, None, local, args)


def _refused_on_v2(found: _Decorator) -> bool:
    """Whether a `@root_validator` says neither `pre=True` nor `skip_on_failure=True`,
    which Pydantic 2 requires of it (bare, `@root_validator()`, `pre=False`)."""
    for arg in found.args:
        if arg.star or (arg.keyword is not None and arg.keyword.value not in _ROOT_FLAGS):
            return False  # `**options`: not known here
        said = arg.keyword is not None and arg.keyword.value in ("pre", "skip_on_failure")
        if said and not (isinstance(arg.value, cst.Name) and arg.value.value == "False"):
            return False
    return True


_ROOT_FLAGS = frozenset({"pre", "skip_on_failure", "allow_reuse"})


class _NoFix(Exception):
    """The validator's shape is not one the fix proves equivalent."""


def _fix(function: cst.FunctionDef, found: _Decorator, ctx: FileContext) -> FixSpec:
    if ctx.enclosing_class is None or ctx.function is not None:
        raise _NoFix  # a validator outside a class body
    if found.v2 == "field_validator":
        return _field_validator_fix(function, found, ctx)
    return _root_validator_fix(function, found, ctx)


def _keywords(args: tuple[cst.Arg, ...], allowed: set[str]) -> dict[str, cst.Arg]:
    keywords: dict[str, cst.Arg] = {}
    for arg in args:
        if arg.star:
            raise _NoFix
        if arg.keyword is None:
            continue
        if arg.keyword.value not in allowed:
            raise _NoFix  # always=, each_item=, ...: not a 1:1 rewrite
        keywords[arg.keyword.value] = arg
    return keywords


class _Edits:
    """The replacements and imports of one fix."""

    def __init__(self, ctx: FileContext, found: _Decorator) -> None:
        self.found = found
        self.imports = ImportPlan(ctx)
        self.replacements: list[tuple[cst.CSTNode, str | Lines]] = []
        #: imported names the fix may leave unused (`ModelField` of a dropped `field`)
        self.released: list[str] = []

    def name(self, package: str, name: str) -> str:
        """The file's spelling of `package.name`, imported by the fix when needed."""
        if package == "pydantic" and self.found.module is not None:
            return f"{self.found.module}.{name}"
        local = self.imports.need(package, name)
        if local is None:
            raise _NoFix  # the name means something else in this file
        return local

    def decorator(self, text: str, classmethod: bool) -> None:
        lines = (text, "@classmethod") if classmethod else (text,)
        self.replacements.append((self.found.node.decorator, Lines(lines)))

    def spec(self, message: str, applicability: str = "safe") -> FixSpec:
        imports = self.imports.replacements()
        if imports is None:
            raise _NoFix
        releases = ((self.found.local,) if self.found.local else ()) + tuple(self.released)
        return FixSpec(message, (*imports, *self.replacements), applicability, releases)


def _field_validator_fix(function: cst.FunctionDef, found: _Decorator, ctx: FileContext) -> FixSpec:
    keywords = _keywords(found.args, {"pre", "allow_reuse", "check_fields"})
    params = _simple_params(function)
    if params is None or len(params) < 2 or params[0].name.value != "cls":
        raise _NoFix
    edits = _Edits(ctx, found)
    at = found.node
    arguments = [ctx.code(arg.value, at=at) for arg in found.args if arg.keyword is None]
    if not arguments:
        raise _NoFix  # `@validator()` names no field
    quote = _quote(found.args)
    if "pre" in keywords:
        pre = _literal_bool(keywords["pre"].value)
        if pre is None:
            raise _NoFix
        if pre:
            arguments.append(f"mode={quote}before{quote}")
    if "check_fields" in keywords:
        arguments.append(f"check_fields={ctx.code(keywords['check_fields'].value, at=at)}")
    _info_parameter(function, params, edits, ctx)
    decorator = f"{edits.name('pydantic', 'field_validator')}({', '.join(arguments)})"
    has_classmethod = any(_is_classmethod(d) for d in function.decorators)
    edits.decorator(decorator, classmethod=not has_classmethod)
    return edits.spec("Use `@field_validator` with `@classmethod`")


#: The parameters v1 passes a validator after the value, matched by name, not position.
_V1_VALIDATOR_EXTRAS = frozenset({"values", "config", "field"})


def _info_parameter(
    function: cst.FunctionDef, params: list[cst.Param], edits: _Edits, ctx: FileContext
) -> None:
    """v1's `values`, `config` and `field` parameters -> v2's one `info` (a
    `ValidationInfo`). v1 passes them by name, so the name says what a parameter holds:
    `values` becomes `info` (its uses `info.data`), `field.name` becomes
    `info.field_name`, and an unused `field` is dropped. A `config` parameter, any other
    use of `field` (v2 has neither), or any other name (v1 refused to load it) has no
    fix."""
    extras = params[2:]
    names = [param.name.value for param in extras]
    if not extras:
        return
    if len(set(names)) != len(names) or not set(names) <= _V1_VALIDATOR_EXTRAS:
        raise _NoFix
    if "config" in names:
        raise _NoFix  # the model's v1 config class: v2 passes a validator no config
    rewrites: list[tuple[cst.CSTNode, str]] = []
    body_names: set[str] = set()
    #: the parameters whose uses `info` takes over (`values`, a `field` read for its name)
    sources: list[cst.Param] = []
    for param in extras:
        uses = _uses(function, param.name.value)
        if uses.unsafe:
            raise _NoFix
        body_names |= uses.names
        if param.name.value == "values":
            rewrites.extend((load, "info.data") for load in uses.loads)
            sources.append(param)
        elif param.name.value == "field" and uses.loads:
            reads = _attribute_reads(function, "field", "name")
            if len(reads) != len(uses.loads):
                raise _NoFix  # `field.alias`, `field.type_`, `field` passed on: no v2 twin
            rewrites.extend((read, "info.field_name") for read in reads)
            sources.append(param)
    if "info" in body_names:
        raise _NoFix  # `info` already names something the body uses
    dropped_annotations = [
        p.annotation.annotation.value
        for p in extras
        if p.annotation is not None
        and isinstance(p.annotation.annotation, cst.Name)
        and p.name.value != "values"  # `ModelField`, `BaseConfig`: v1 types, left unused
    ]
    if extras == sources and len(sources) == 1:
        # one parameter becomes `info` in place (its line and comments stay)
        param = sources[0]
        edits.replacements.append((param.name, "info"))
        if param.annotation is not None:
            validation_info = edits.name("pydantic", "ValidationInfo")
            edits.replacements.append((param.annotation.annotation, validation_info))
    else:
        written = ctx.code(function.params)
        if "\n" in written or "\r" in written or "#" in written:
            raise _NoFix  # a parameter list over several lines: rebuilt only on one
        kept = [ctx.code(p.with_changes(comma=cst.MaybeSentinel.DEFAULT)) for p in params[:2]]
        if sources:
            annotated = any(p.annotation is not None for p in sources)
            annotation = f": {edits.name('pydantic', 'ValidationInfo')}" if annotated else ""
            kept.append(f"info{annotation}")
        edits.replacements.append((function.params, ", ".join(kept)))
    edits.released.extend(dropped_annotations)
    edits.replacements.extend(rewrites)


def _attribute_reads(function: cst.FunctionDef, owner: str, attribute: str) -> list[cst.Attribute]:
    """The `owner.attribute` expressions of a function body."""
    reads: list[cst.Attribute] = []

    class _Collect(cst.CSTVisitor):
        def visit_Attribute(self, node: cst.Attribute) -> None:
            if (
                isinstance(node.value, cst.Name)
                and node.value.value == owner
                and node.attr.value == attribute
            ):
                reads.append(node)

    function.body.visit(_Collect())
    return reads


def _root_validator_fix(function: cst.FunctionDef, found: _Decorator, ctx: FileContext) -> FixSpec:
    if any(arg.keyword is None for arg in found.args):
        raise _NoFix
    keywords = _keywords(found.args, {"pre", "skip_on_failure", "allow_reuse"})
    flags = {key: _literal_bool(arg.value) for key, arg in keywords.items()}
    if None in flags.values():
        raise _NoFix
    params = _simple_params(function)
    if params is None or len(params) != 2 or params[0].name.value != "cls":
        raise _NoFix
    edits = _Edits(ctx, found)
    quote = _quote(found.args)
    has_classmethod = any(_is_classmethod(d) for d in function.decorators)
    name = edits.name("pydantic", "model_validator")
    if flags.get("pre"):
        edits.decorator(f"{name}(mode={quote}before{quote})", classmethod=not has_classmethod)
        return edits.spec("Use `@model_validator(mode='before')` with `@classmethod`")
    if has_classmethod:
        raise _NoFix
    # after mode: the validator gets the model (`self`), not a dict of values
    values = params[1].name.value
    uses = _uses(function, values)
    if uses.unsafe or "self" in uses.names or "cls" in uses.names:
        raise _NoFix
    fields = _declared_fields(ctx)
    rewritten: dict[int, tuple[cst.CSTNode, str]] = {}
    for read in _field_reads(function, values):
        field_name = read[1]
        if field_name not in fields:
            raise _NoFix
        rewritten[id(read[2])] = (read[0], f"self.{field_name}")
    returns = returns_in(function.body)
    if not returns:
        raise _NoFix
    for statement in returns:
        value = statement.value
        if not (isinstance(value, cst.Name) and value.value == values):
            raise _NoFix
        rewritten[id(value)] = (value, "self")
    if any(id(load) not in rewritten for load in uses.loads):
        raise _NoFix  # `values` passed on, iterated, changed: not only field reads
    edits.decorator(f"{name}(mode={quote}after{quote})", classmethod=False)
    edits.replacements.append((function.params, "self"))
    if function.returns is not None:
        edits.replacements.append((function.returns.annotation, _self_type(edits, ctx)))
    edits.replacements.extend(rewritten.values())
    safe = flags.get("skip_on_failure") is True
    return edits.spec(
        "Use `@model_validator(mode='after')` on `self`", "safe" if safe else "unsafe"
    )


def _declared_fields(ctx: FileContext) -> set[str]:
    """The fields of the class and of its bases defined in the file."""
    fields: set[str] = set()
    pending = [ctx.enclosing_class]
    seen: set[str] = set()
    while pending:
        info = pending.pop()
        if info is None or info.name in seen:
            continue
        seen.add(info.name)
        fields.update(info.fields)
        pending.extend(ctx.classes.get(base or "") for base in info.bases)
    return fields


def _field_reads(function: cst.FunctionDef, values: str) -> list[tuple[cst.CSTNode, str, cst.Name]]:
    """`values["a"]` and `values.get("a"[, default])` in the body: (node, field, name)."""
    reads: list[tuple[cst.CSTNode, str, cst.Name]] = []

    class _Collect(cst.CSTVisitor):
        def visit_Subscript(self, node: cst.Subscript) -> None:
            if (
                isinstance(node.value, cst.Name)
                and node.value.value == values
                and len(node.slice) == 1
                and isinstance(node.slice[0].slice, cst.Index)
            ):
                key = string_value(node.slice[0].slice.value)
                if key is not None and key.isidentifier():
                    reads.append((node, key, node.value))

        def visit_Call(self, node: cst.Call) -> None:
            func = node.func
            if (
                isinstance(func, cst.Attribute)
                and isinstance(func.value, cst.Name)
                and func.value.value == values
                and func.attr.value == "get"
                and 1 <= len(node.args) <= 2
                and all(arg.keyword is None and not arg.star for arg in node.args)
            ):
                key = string_value(node.args[0].value)
                if key is not None and key.isidentifier():
                    reads.append((node, key, func.value))

    function.body.visit(_Collect())
    return reads


def _self_type(edits: _Edits, ctx: FileContext) -> str:
    """`Self`: the file's own import of it, else from typing_extensions (a dependency
    of Pydantic 2, so present wherever Pydantic is)."""
    for local, qualified in ctx.imports.items():
        if qualified in {"typing.Self", "typing_extensions.Self"}:
            return local
    return edits.name("typing_extensions", "Self")

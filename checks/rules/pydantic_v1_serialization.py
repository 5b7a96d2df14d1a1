"""FG201 / FG202: Pydantic v1 `.dict()` and `.json()` on Pydantic models."""

from __future__ import annotations

import ast
import re
from typing import ClassVar

from checks.context import (
    INSTANCE_CONSTRUCTORS,
    MIGRATED_MODEL_BASES,
    PYDANTIC_V1_LAYER_BASES,
    FileContext,
    FixSpec,
    rename,
    spelling_gate,
)
from checks.lazy import libcst as cst
from checks.prefilter import Evidence
from checks.project import CALL, MAY_DERIVE, Condition
from checks.pydantic_target import (
    FIX_TARGET_NOTE,
    MIGRATION_NOTE,
    V1_LAYER,
    WHERE_IT_APPLIES_SPELLING,
    for_target,
    unsafe,
)
from checks.rule import Example, FixExample, Rule
from checks.rules.pydantic_config import config_value
from checks.structure import Structure, dotted_name

#: Keyword arguments only Pydantic's serializers take: they identify the receiver.
_DUMP_KEYWORDS = frozenset(
    {"exclude_unset", "exclude_none", "exclude_defaults", "by_alias", "include", "exclude"}
)


#: The base classes themselves: a receiver typed so may be of any model class.
_ANY_MODEL = frozenset({"pydantic.BaseModel", "pydantic.main.BaseModel"})


class _PydanticSerializerRule(Rule):
    """A v1 serializer method called on a receiver known to be a Pydantic model.

    Only receivers known to be models are flagged: `.json()` is nearly always an HTTP
    response (`response.json()`), and ORM base classes often define their own `dict()`.
    What the file says decides: classes deriving from `BaseModel` (transitively),
    parameters and variables annotated with them, `Model(...)` and
    `Model.model_validate(...)` results, loops over `list[Model]`, `self` in a model, or
    keyword arguments only Pydantic takes (`exclude_unset=True`, `by_alias=True`, ...).
    """

    method: ClassVar[str]
    replacement: ClassVar[str]
    evidence_keywords: ClassVar[frozenset[str]]
    #: v1-only keyword arguments that make the rename unsafe (the call needs rewriting)
    v1_only_keywords: ClassVar[frozenset[str]] = frozenset({"skip_defaults"})
    #: how the v2 method's result differs from the v1 method's under Pydantic 1 (the
    #: rename is then unsafe during a migration: `checks.pydantic_target.for_target`)
    migration_differs: ClassVar[str]

    def may_fire(self, evidence: Evidence) -> bool:
        return evidence.has_attribute(self.method)

    def may_fire_in(self, structure: Structure) -> bool:
        # `_visit_serializer_call`: the method called with a keyword only Pydantic takes,
        # on `super()`, or on a receiver `ctx.infer` may know as an instance of a class
        # whose derivation may not be False (`Structure.may_infer`: not a name bound only
        # to `await client.get(...)`, an unannotated parameter or `requests.get(...)`)
        for call in structure.calls:
            func = call.node.func
            if not isinstance(func, ast.Attribute) or func.attr != self.method:
                continue
            if any(item.arg in self.evidence_keywords for item in call.node.keywords):
                return True
            if _is_super_call_ast(func.value) or structure.may_infer(
                func.value, MIGRATED_MODEL_BASES
            ):
                return True
            if _may_be_call_result(func.value, structure):
                return True
        return False

    def deferred_conditions(self, structure: Structure) -> tuple[Condition, ...] | None:
        # every finding is a spelling Pydantic 2 still runs (none is marked as misbehaving
        # on it): it stands only where the run reports its family (`FileContext._add_report`)
        gate = spelling_gate(self.code)
        return (gate,) if gate is not None else None

    def _fix(self, node: cst.Call, model: str | None, ctx: FileContext) -> FixSpec | None:
        """The rename; `by_alias=False` is written too unless the call passes `by_alias`
        or the file shows that no config of the receiver's class (`model`, None:
        unknown) sets `serialize_by_alias`: the v1 name always passes `by_alias=False`,
        the v2 method's default is that key (Pydantic 2.11+)."""
        keywords = {arg.keyword.value for arg in node.args if arg.keyword is not None}
        if keywords & self.v1_only_keywords or any(arg.star for arg in node.args):
            return None
        func = node.func
        assert isinstance(func, cst.Attribute)
        if "by_alias" in keywords or _no_alias_by_default(model, ctx):
            return rename(func.attr, self.replacement, f"Use `.{self.replacement}()`")
        by_alias = cst.Arg(
            keyword=cst.Name("by_alias"),
            value=cst.Name("False"),
            equal=cst.AssignEqual(
                whitespace_before=cst.SimpleWhitespace(""),
                whitespace_after=cst.SimpleWhitespace(""),
            ),
            comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
            if node.args
            else cst.MaybeSentinel.DEFAULT,
        )
        call = node.with_changes(
            func=func.with_changes(attr=cst.Name(self.replacement)),
            args=[by_alias, *node.args],
        )
        return FixSpec(
            f"Use `.{self.replacement}(by_alias=False)`", ((node, ctx.code(call, at=node)),)
        )

    def visit_Call(self, node: cst.Call, ctx: FileContext) -> None:
        func = node.func
        if not isinstance(func, cst.Attribute) or func.attr.value != self.method:
            return
        self._visit_serializer_call(node, func, ctx)

    def _visit_serializer_call(self, node: cst.Call, func: cst.Attribute, ctx: FileContext) -> None:
        if any(arg.keyword is None and not arg.star for arg in node.args):
            return  # Pydantic's serializers take keywords only: `mocker.patch.dict(d, v)`
        receiver = func.value
        if _is_super_call(receiver):
            function = ctx.function
            owner = function.owner if function is not None else None
            if owner is not None and ctx.is_pydantic_model(owner.name):
                ctx.report(node, fix=self._fix_for_target(node, ctx, owner.name))
            return
        keywords = {arg.keyword.value for arg in node.args if arg.keyword is not None}
        pydantic_only_keywords = bool(keywords & self.evidence_keywords)
        inferred = ctx.infer(receiver, calls=True)
        if inferred is not None and inferred.call:
            # what a function or method of another module returned (`one = dao.get(pk)`,
            # `await find(pk)`): a finding if its return annotation names a model
            if not pydantic_only_keywords:
                returned = Condition((inferred.cls,), MIGRATED_MODEL_BASES, subject=CALL)
                fix = self._fix_for_target(node, ctx, None)
                if fix is not None:
                    fix = unsafe(fix, "the returned model's class may define its own method")
                ctx.report_if(node, returned, fix=fix)
                return
            inferred = None
        if inferred is not None and inferred.of_class:
            return  # `Model.dict()` on the class itself is no serialization
        if inferred is not None and not inferred.iterable:
            if ctx.defines_method(inferred.cls, self.method):
                return  # the class defines its own method of that name
            derivation = ctx.pydantic_derivation(inferred.cls)
            if derivation is True:
                fix = self._fix_for_target(node, ctx, inferred.cls)
                if fix is not None and inferred.cls in _ANY_MODEL:
                    # typed as any model: the object's own class may override the v1
                    # method (an SDK base whose `.dict()` applies `exclude_unset`)
                    fix = unsafe(fix, "the receiver's class may define its own method")
                ctx.report(node, fix=fix)
                return
            if derivation is False and inferred.cls in ctx.classes:
                return  # a local class that is not a model
            if derivation is not False and not pydantic_only_keywords:
                # a class from another module: a finding if the project says it is a model
                fix = self._fix_for_target(node, ctx, inferred.cls)
                ctx.report_if(node, derivation, fix=fix)
                return
            if isinstance(derivation, Condition):
                # the same, known by its keywords too: a finding if the project says it is
                # a model or may be one (a base it cannot read), unless a model of the
                # `pydantic.v1` layer (the project's own re-export of it)
                fix = self._fix_for_target(node, ctx, inferred.cls)
                if fix is not None:
                    fix = unsafe(
                        fix, "the receiver's class is not known: it may define its own method"
                    )
                not_v1 = Condition(derivation.refs, PYDANTIC_V1_LAYER_BASES, negated=True)
                may_be = Condition(
                    derivation.refs, MIGRATED_MODEL_BASES, subject=MAY_DERIVE, also=not_v1
                )
                ctx.report_if(node, may_be, fix=fix)
                return
        if pydantic_only_keywords:
            # a receiver known by its keywords only: in a file on the `pydantic.v1` layer
            # it may well be one of its models, v1 on purpose (never rewritten)
            layer = _v1_layer_use(ctx)
            if layer == "only":
                return
            fix = None if layer == "some" else self._fix_for_target(node, ctx, None)
            if fix is not None:
                # the receiver's class is unknown: it may define its own method
                fix = unsafe(fix, "the receiver's class is not known: it may define its own method")
            reexports = _model_base_reexports(ctx) if layer == "none" else ()
            if reexports:
                # `from app._pydantic_compat import BaseModel`: a module of the project
                # that re-exports the layer's `BaseModel` puts the file on the layer too
                ctx.report_if(
                    node,
                    Condition(reexports, PYDANTIC_V1_LAYER_BASES, exact=True, negated=True),
                    fix=fix,
                )
                return
            ctx.report(node, fix=fix)

    def _fix_for_target(
        self, node: cst.Call, ctx: FileContext, model: str | None
    ) -> FixSpec | None:
        return for_target(self._fix(node, model, ctx), ctx.pydantic_target, self.migration_differs)


def _no_alias_by_default(model: str | None, ctx: FileContext) -> bool:
    """Whether the file shows that the model's config leaves `serialize_by_alias` unset
    (or sets it to `False`): `.model_dump()` then serializes by field name, as `.dict()`
    does."""
    if model is None or model in _ANY_MODEL:
        return False
    source = ctx.source if ctx.source is not None else ctx.module.code.encode()
    if b"serialize_by_alias" in source:
        return False  # a subclass of the model in this file may set it
    known, value = config_value(model, "serialize_by_alias", ctx)
    return known and (value is None or (isinstance(value, cst.Name) and value.value == "False"))


def _v1_layer_use(ctx: FileContext) -> str:
    """How the file's imports use the `pydantic.v1` layer: `only` (every Pydantic name it
    imports is of the layer), `some`, or `none`."""
    layer = other = False
    for qualified in ctx.imports.values():
        if qualified == V1_LAYER or qualified.startswith(V1_LAYER + "."):
            layer = True
        elif qualified.split(".", 1)[0] in {"pydantic", "pydantic_settings"}:
            other = True
    if not layer:
        return "none"
    return "some" if other else "only"


#: The names a module re-exporting the `pydantic.v1` layer binds its models' bases to.
_MODEL_BASE_NAMES = frozenset(base.rpartition(".")[2] for base in PYDANTIC_V1_LAYER_BASES)


def _model_base_reexports(ctx: FileContext) -> tuple[str, ...]:
    """The file's imports of a model base from a module outside Pydantic (`from
    app._pydantic_compat import BaseModel`): each may re-export the `pydantic.v1` layer."""
    return tuple(
        qualified
        for qualified in ctx.imports.values()
        if qualified.rpartition(".")[2] in _MODEL_BASE_NAMES
        and qualified.split(".", 1)[0] not in {"pydantic", "pydantic_settings"}
    )


def _may_be_call_result(expr: ast.expr, structure: Structure) -> bool:
    """Whether `FileContext.infer(expr, calls=True)` may give a call's result
    (`Inferred.call`): a call of a dotted name (awaited or not), a name some binding of
    the file assigns one, or a field of an instance of another module's class; of a
    module the project may hold (the index finds no other's return annotation)."""
    if isinstance(expr, ast.Await):
        expr = expr.value
    if isinstance(expr, ast.Call):
        dotted = dotted_name(expr.func)
        if dotted is not None and any(
            structure.may_be_project_class(c) for c in structure.qualified(dotted)
        ):
            return True
        func = expr.func
        if structure.module is not None and (
            (isinstance(func, ast.Name) and func.id in _module_functions(structure))
            or (
                isinstance(func, ast.Attribute)
                and isinstance(func.value, ast.Name)
                and func.value.id == "self"
            )
        ):
            # `evaluate(text)`, `self._check(text)`: a function of this module, or a
            # method of this module's class (`FileContext._call_result`)
            return True
        # `llm.generate(...)` with `llm = LLMClient()`: a method of an instance of a class
        # of another module of the project (`FileContext._call_result`)
        return isinstance(func, ast.Attribute) and _may_be_project_instance(func.value, structure)
    if isinstance(expr, ast.Attribute):
        # `org.address`, `org` an instance of another module's class: the field's
        # annotation there (`FileContext._imported_field`)
        return _may_be_project_instance(expr.value, structure)
    if isinstance(expr, ast.Name):
        memo = _memo(structure, "call-result")
        if expr.id not in memo:
            memo[expr.id] = any(
                _may_be_call_result(value, structure)
                for value in structure.bindings_of(expr.id).values
                if isinstance(value, ast.Await | ast.Call)
            )
        return memo[expr.id]
    return False


def _module_functions(structure: Structure) -> frozenset[str]:
    """The names the module's top level defines with `def` (`FileContext._module_functions`)."""
    return frozenset(
        statement.name
        for statement in structure.tree.body
        if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef)
    )


def _memo(structure: Structure, key: str) -> dict[str, bool]:
    """A per-file answer by name: a name is asked at each of its calls (polar's screens
    took 15 s instead of 3 s without it, once given the project's packages)."""
    memos: dict[str, dict[str, bool]] = structure.__dict__.setdefault("_fg20x_memos", {})
    return memos.setdefault(key, {})


def _may_be_project_instance(
    expr: ast.expr, structure: Structure, following: frozenset[str] = frozenset()
) -> bool:
    """Whether `FileContext.infer(expr)` may give an instance of a class of another module
    of the project (a dotted CapWords name of a package the project may hold): a call of
    such a name, a name some binding assigns one or annotates with one, or what a loop,
    a field or a model's constructor gives (followed no further: yes)."""
    if isinstance(expr, ast.Call):
        if isinstance(expr.func, ast.Attribute) and expr.func.attr in INSTANCE_CONSTRUCTORS:
            return True
        return _names_a_project_class(expr.func, structure)
    if isinstance(expr, ast.Attribute):
        return expr.attr in structure._field_annotations
    if not isinstance(expr, ast.Name) or expr.id in following:
        return False
    if following:  # inside a chain of names: the cycle guard decides, no memo
        return _name_may_be_project_instance(expr, structure, following)
    memo = _memo(structure, "instance")
    if expr.id not in memo:
        memo[expr.id] = _name_may_be_project_instance(expr, structure, following)
    return memo[expr.id]


def _name_may_be_project_instance(
    expr: ast.Name, structure: Structure, following: frozenset[str]
) -> bool:
    bound = structure.bindings_of(expr.id)
    if bound.iterables:
        return True
    inner = following | {expr.id}
    return any(_may_be_project_instance(value, structure, inner) for value in bound.values) or any(
        _names_a_project_class(node, structure)
        for annotation in bound.annotations
        for node in ast.walk(annotation)
        if isinstance(node, ast.Name | ast.Attribute | ast.Constant)
    )


def _names_a_project_class(expr: ast.expr, structure: Structure) -> bool:
    """A chain of names (or a string annotation's text) that may name a CapWords class of
    a module the project may hold (`LLMClient`, `deps.Session`)."""
    if isinstance(expr, ast.Constant):
        texts = re.findall(r"[A-Za-z_][\w.]*", expr.value) if isinstance(expr.value, str) else []
    else:
        dotted = dotted_name(expr)
        texts = [dotted] if dotted is not None else []
    for text in texts:
        for qualified in structure.qualified(text):
            name = qualified.rpartition(".")[2]
            if (
                name[:1].isupper()
                and not name.isupper()
                and structure.may_be_project_class(qualified)
            ):
                return True
    return False


def _is_super_call_ast(expr: ast.expr) -> bool:
    """`_is_super_call` on CPython's tree."""
    return (
        isinstance(expr, ast.Call) and isinstance(expr.func, ast.Name) and expr.func.id == "super"
    )


def _is_super_call(expr: cst.BaseExpression) -> bool:
    return (
        isinstance(expr, cst.Call)
        and isinstance(expr.func, cst.Name)
        and expr.func.value == "super"
    )


class PydanticDict(_PydanticSerializerRule):
    """`.dict()` on a Pydantic model."""

    code = "FG201"
    name = "pydantic-v1-dict"
    family = "Pydantic"
    method = "dict"
    replacement = "model_dump"
    migration_differs = (
        "measured, v1's `.dict()` and v2's `.model_dump()` agree on scalars, containers, "
        "nested models, datetimes, `Decimal`, `UUID` and enums, but not on a dataclass value "
        "(v1 keeps the instance, v2 dumps a dict) nor on a nested field holding an instance "
        "of a subclass of its model (v1 dumps the subclass's fields, v2 the declared ones)"
    )
    fix = (
        "Safe fix (unsafe when the receiver is typed as `BaseModel` itself or known only by "
        "its keywords: its class may define its own `.dict()`): renames `.dict()` to "
        "`.model_dump()` (not when `skip_defaults=` is passed): "
        "on Pydantic 2, `.dict()` is a deprecated alias that calls `.model_dump()` with the "
        "same arguments. " + MIGRATION_NOTE.format(differs=migration_differs) + " A receiver "
        "known only by its keywords (`payload.dict(exclude_unset=True)`) in a file that "
        "imports the `pydantic.v1` layer may be one of its models: no fix (and no finding "
        "when every Pydantic import of the file is of the layer)."
        f" {FIX_TARGET_NOTE}"
    )
    evidence_keywords = _DUMP_KEYWORDS | {"skip_defaults"}
    message = "`.dict()` is the Pydantic v1 API: use `.model_dump()`"
    summary = (
        "Checks for `.dict()` called on a Pydantic model: one the file knows (a parameter "
        "or variable annotated with a model, one built or validated here, a field typed "
        "as one), or one a function or method of another module returns, by its return "
        "annotation (`user = UserDao.get(pk)`, `await find(pk)`: the project index reads "
        f"it).\n\n{WHERE_IT_APPLIES_SPELLING}"
    )
    why = (
        "Pydantic v2 renamed `.dict()` to `.model_dump()`; the old name is deprecated, warns "
        "on every call and will be removed. `.model_dump()` takes the same `exclude_unset`, "
        "`by_alias`, `include` and `exclude` arguments, and adds `mode='json'`."
    )
    bad = (
        Example(
            """
            from pydantic import BaseModel


            class TaskUpdate(BaseModel):
                title: str | None = None


            def changes(payload: TaskUpdate) -> dict[str, object]:
                return payload.dict(exclude_unset=True)
            """
        ),
        Example(
            """
            from pydantic import BaseModel


            class Instrument(BaseModel):
                symbol: str


            def listing(rows) -> list[dict[str, object]]:
                instruments = [Instrument(symbol=row.symbol) for row in rows]
                return [instrument.dict() for instrument in instruments]
            """,
            note="the elements of a list the function builds of one model",
        ),
        Example(
            """
            from pydantic import BaseModel

            class Base(BaseModel):
                pass

            class UserRead(Base):
                name: str

            def dump(rows):
                user = UserRead.model_validate(rows[0])
                first = UserRead(name="a").dict()
                return user.dict(), first
            """,
            expect=2,
            note="transitive subclass; model_validate result; constructor call",
        ),
        Example(
            """
            from pydantic import BaseModel


            class Verdict(BaseModel):
                flagged: bool


            def moderate(text: str) -> Verdict:
                return Verdict(flagged="spam" in text)


            class ModerationPlugin:
                def _check(self, text: str) -> Verdict:
                    return moderate(text)

                def report(self, text: str) -> dict[str, object]:
                    return {"first": moderate(text).dict(), "again": self._check(text).dict()}
            """,
            path="plugins/content_moderation/moderation.py",
            project=(("plugins/content_moderation/__init__.py", ""),),
            expect=2,
            note=(
                "models a function and a method of the same module return "
                "(mcp-context-forge's content moderation plugin)"
            ),
        ),
        Example(
            """
            from app.users.dao import UserDao, find_user


            async def export(pk: int) -> dict[str, object]:
                user = await UserDao.get(pk)
                other = find_user(pk)
                return {"user": user.dict(), "other": other.dict() if other else None}
            """,
            path="app/users/service.py",
            project=(
                (
                    "app/users/dao.py",
                    """
                    from pydantic import BaseModel


                    class UserRead(BaseModel):
                        name: str


                    class UserDao:
                        @classmethod
                        async def get(cls, pk: int) -> UserRead: ...


                    def find_user(pk: int) -> UserRead | None: ...
                    """,
                ),
            ),
            expect=2,
            note="models returned by another module's method and function (bisheng's DAOs)",
        ),
        Example(
            """
            from app.orgs.schemas import Organization


            def address_of(organization: Organization) -> dict[str, object]:
                return organization.address.dict()
            """,
            path="app/orgs/service.py",
            project=(
                (
                    "app/orgs/schemas.py",
                    """
                    from pydantic import BaseModel


                    class Address(BaseModel):
                        street: str


                    class Organization(BaseModel):
                        name: str
                        address: Address | None = None
                    """,
                ),
            ),
            note="a field of another module's model, typed with a model (lcfs's organizations)",
        ),
        Example(
            """
            from app.partners.schemas import PartnerDTO


            def partner_body(record: dict[str, object]) -> dict[str, object]:
                return PartnerDTO.from_record(record).dict()
            """,
            path="app/partners/routes.py",
            project=(
                (
                    "app/partners/schemas.py",
                    """
                    from pydantic import BaseModel


                    class PartnerDTO(BaseModel):
                        name: str

                        @classmethod
                        def from_record(cls, record):
                            return cls(**record)
                    """,
                ),
            ),
            note="an unannotated classmethod returning `cls(...)` (tasking-manager's DTOs)",
        ),
        Example(
            """
            from app.central.deps import default_credentials


            def credentials_body() -> dict[str, object]:
                return default_credentials().dict()
            """,
            path="app/organisations/deps.py",
            project=(
                (
                    "app/central/deps.py",
                    """
                    from pydantic import BaseModel


                    class Credentials(BaseModel):
                        url: str


                    def default_credentials():
                        return Credentials(url="https://central.example.org")
                    """,
                ),
            ),
            note="an unannotated function whose returns make a model (fmtm's ODK credentials)",
        ),
        Example(
            """
            from app.schemas.sales import SalesVoucherCreate


            def voucher_body(invoice: SalesVoucherCreate) -> dict[str, object]:
                return invoice.dict(exclude={"items"})
            """,
            path="app/routes/vouchers.py",
            project=(
                (
                    "app/schemas/base.py",
                    """
                    from pydantic import BaseModel


                    class VoucherBase(BaseModel):
                        number: str
                    """,
                ),
                (
                    "app/schemas/sales.py",
                    """
                    from .base import *


                    class SalesVoucherCreate(VoucherBase):
                        total: int
                    """,
                ),
            ),
            note="a model whose base comes through `from .base import *` (an ERP's vouchers)",
        ),
        Example(
            """
            from pydantic import BaseModel

            class Item(BaseModel):
                name: str

            def names(items: list[Item]) -> list[dict]:
                return [item.dict() for item in items]

            def loop(items: list[Item]) -> None:
                for item in items:
                    print(item.dict())
            """,
            expect=2,
            note="comprehension and loop over an annotated list",
        ),
        Example(
            """
            from pydantic import BaseModel

            class Settings(BaseModel):
                debug: bool = False

                def as_env(self):
                    return self.dict()
            """,
            note="self in a model",
        ),
        Example(
            """
            from pydantic_settings import BaseSettings


            class Config(BaseSettings):
                class Config:
                    extra = "allow"

                def get(self, key: str) -> object:
                    return self.dict().get(key)
            """,
            also=("FG207",),
            note="self in a model named like its inner `class Config`",
        ),
        Example(
            """
            from pydantic import BaseModel


            def load(schema: type[BaseModel], data: dict) -> dict:
                return schema.parse_obj(data).dict()
            """,
            also=("FG204",),
            note="an instance of a class held by a `type[BaseModel]` parameter",
        ),
        Example(
            """
            def patch(payload, record):
                for key, value in payload.dict(exclude_unset=True).items():
                    setattr(record, key, value)
            """,
            note="unannotated receiver, Pydantic-only keyword",
        ),
        Example(
            """
            from pydantic import BaseModel
            from pydantic.v1 import BaseModel as V1BaseModel


            def patch(payload, record):
                for key, value in payload.dict(exclude_unset=True).items():
                    setattr(record, key, value)
            """,
            also=("FG210",),
            note="no fix: a receiver known by its keywords only may be a `pydantic.v1` model",
        ),
    )
    good = (
        Example(
            """
            from pydantic import BaseModel


            class TaskUpdate(BaseModel):
                title: str | None = None


            def changes(payload: TaskUpdate) -> dict[str, object]:
                return payload.model_dump(exclude_unset=True)
            """
        ),
        Example(
            """
            class Base:
                def dict(self):
                    return {c.name: getattr(self, c.name) for c in self.__table__.columns}

            class Incident(Base):
                pass

            def export(incident: Incident):
                return incident.dict()
            """,
            note="an ORM base class that defines its own dict()",
        ),
        Example(
            """
            from pytest_mock import MockerFixture


            def test_time_limit(mocker: MockerFixture, options: dict[str, int]) -> None:
                mocker.patch.dict(options, {"time_limit": 100})
            """,
            path="app/worker/checks.py",
            note="positional arguments: no Pydantic serializer (`mock.patch.dict`)",
        ),
        Example(
            """
            from app.orgs.models import Organization


            def settings_of(organization: Organization) -> dict[str, object]:
                return organization.settings.dict()
            """,
            path="app/orgs/service.py",
            project=(
                (
                    "app/orgs/models.py",
                    """
                    from dataclasses import dataclass


                    @dataclass
                    class Settings:
                        theme: str

                        def dict(self) -> dict[str, object]:
                            return {"theme": self.theme}


                    @dataclass
                    class Organization:
                        settings: Settings
                    """,
                ),
            ),
            note="a field of another module's class, typed with a class that is no model",
        ),
        Example(
            """
            def merge(defaults: dict, extra: dict) -> dict:
                merged = defaults.copy()
                merged.update(dict(extra))
                return merged
            """,
            note="plain dicts",
        ),
        Example(
            """
            def describe(row):
                return row.dict()
            """,
            note="unknown receiver",
        ),
        Example(
            """
            from pydantic import BaseModel
            from pydantic.version import VERSION

            PYDANTIC_V2 = VERSION.startswith("2.")


            class Item(BaseModel):
                name: str


            def dump(item: Item) -> dict[str, object]:
                if PYDANTIC_V2:
                    return item.model_dump()
                return item.dict()


            def dump_set(item: Item) -> dict[str, object]:
                if not PYDANTIC_V2:
                    return item.dict(exclude_unset=True)
                else:
                    return item.model_dump(exclude_unset=True)


            def dump_any(item: Item) -> dict[str, object]:
                return item.model_dump() if PYDANTIC_V2 else item.dict()
            """,
            note="version guards: if/else, the rest of the block after a return, a conditional",
        ),
        Example(
            """
            from pydantic.v1 import BaseModel


            class LegacyItem(BaseModel):
                name: str


            def dump(item: LegacyItem) -> dict[str, object]:
                return item.dict()
            """,
            note="a model of the pydantic.v1 compatibility layer is v1 on purpose",
        ),
        Example(
            """
            from pydantic.v1 import BaseModel


            class LegacyItem(BaseModel):
                name: str


            def patch(payload, record):
                for key, value in payload.dict(exclude_unset=True).items():
                    setattr(record, key, value)
            """,
            note="a receiver known by its keywords only, in a file all on the v1 layer",
        ),
    )
    fixes = (
        FixExample(
            """
            from pydantic import BaseModel


            class TaskUpdate(BaseModel):
                title: str | None = None


            def changes(payload: TaskUpdate) -> dict[str, object]:
                return payload.dict(exclude_unset=True)
            """,
            """
            from pydantic import BaseModel


            class TaskUpdate(BaseModel):
                title: str | None = None


            def changes(payload: TaskUpdate) -> dict[str, object]:
                return payload.model_dump(exclude_unset=True)
            """,
        ),
    )


class PydanticJson(_PydanticSerializerRule):
    """`.json()` on a Pydantic model."""

    code = "FG202"
    name = "pydantic-v1-json"
    family = "Pydantic"
    method = "json"
    replacement = "model_dump_json"
    migration_differs = (
        "v2 writes different JSON than v1's `.json()` for the same model (no spaces after "
        '`:` and `,`, `Decimal("1.10")` as `"1.10"` instead of `1.1`, a timedelta as '
        '`"PT1M30S"` instead of `90.0`, a subclass instance as its declared model)'
    )
    fix = (
        "Safe fix (unsafe when the receiver is typed as `BaseModel` itself or known only by "
        "its keywords: its class may define its own `.json()`): renames `.json()` to "
        "`.model_dump_json()`, except when v1-only arguments "
        "(`encoder=`, `models_as_dict=`, `skip_defaults=`, json.dumps keywords) are passed: "
        "on Pydantic 2, `.json()` is a deprecated alias that calls `.model_dump_json()` with "
        "the same arguments, so the output is the same. "
        + MIGRATION_NOTE.format(differs=migration_differs)
        + " A receiver known only by its keywords in a file that imports the `pydantic.v1` "
        "layer gets no fix, as for FG201."
        f" {FIX_TARGET_NOTE}"
    )
    evidence_keywords = _DUMP_KEYWORDS | {"models_as_dict", "encoder", "skip_defaults"}
    v1_only_keywords = frozenset(
        {"encoder", "models_as_dict", "skip_defaults", "sort_keys", "default", "separators"}
    )
    message = "`.json()` is the Pydantic v1 API: use `.model_dump_json()`"
    summary = (
        "Checks for `.json()` called on a Pydantic model: one the file knows (a parameter "
        "or variable annotated with a model, one built or validated here, a field typed "
        "as one), or one a function or method of another module returns, by its return "
        "annotation (`user = UserDao.get(pk)`, `await find(pk)`: the project index reads "
        "it; an `httpx.Response` a client returns is none).\n\n"
        f"{WHERE_IT_APPLIES_SPELLING}"
    )
    why = (
        "Pydantic v2 renamed `.json()` to `.model_dump_json()`; the old name is deprecated "
        "and no longer accepts `encoder=` or `models_as_dict=`. Only receivers known to be "
        "models are flagged: in real services nearly every `.json()` is an HTTP response "
        "(`response.json()` from httpx or requests)."
    )
    bad = (
        Example(
            """
            from pydantic import BaseModel


            class Event(BaseModel):
                kind: str


            def serialize(event: Event) -> str:
                return event.json()
            """
        ),
        Example(
            """
            import pydantic

            class Page(pydantic.BaseModel):
                total: int

            def render(data):
                page = Page.parse_obj(data)
                return page.json(by_alias=True)
            """,
            note="module-qualified base, parse_obj result",
            also=("FG204",),
        ),
    )
    good = (
        Example(
            """
            from pydantic import BaseModel


            class Event(BaseModel):
                kind: str


            def serialize(event: Event) -> str:
                return event.model_dump_json()
            """
        ),
        Example(
            """
            import httpx

            async def fetch_rates(client: httpx.AsyncClient) -> dict:
                response = await client.get("/rates")
                return response.json()
            """,
            note="an HTTP response",
        ),
        Example(
            """
            import requests
            from pydantic import BaseModel

            class Rate(BaseModel):
                value: float

            def fetch(url: str) -> Rate:
                rate = Rate(value=1.0)
                rate = requests.get(url)
                return rate.json()
            """,
            note="a name rebound to something else",
        ),
        Example(
            """
            from pydantic import BaseModel

            from app.compat import is_v2_model


            def serialize(model: BaseModel) -> str:
                if is_v2_model(model):
                    return model.model_dump_json()
                else:
                    return model.json()


            def serialize_any(model: BaseModel) -> str:
                if hasattr(model, "model_dump_json"):
                    return model.model_dump_json()
                return model.json()
            """,
            note="a test of the model's version or API",
        ),
        Example(
            """
            import pydantic.v1 as pydantic


            class Event(pydantic.BaseModel):
                kind: str


            def serialize(event: Event) -> str:
                return event.json()
            """,
            note="`import pydantic.v1 as pydantic`: the v1 layer",
        ),
    )
    fixes = (
        FixExample(
            """
            from pydantic import BaseModel


            class Event(BaseModel):
                kind: str


            def serialize(event: Event) -> str:
                return event.json(by_alias=True)
            """,
            """
            from pydantic import BaseModel


            class Event(BaseModel):
                kind: str


            def serialize(event: Event) -> str:
                return event.model_dump_json(by_alias=True)
            """,
        ),
    )

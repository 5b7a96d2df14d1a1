"""FG203-FG205, FG209, FG210: the rest of the Pydantic v1 API.

Method rules fire only on classes (or instances) known to be Pydantic models, in the
file or across the project: `Model.parse_obj(...)`, never `json.parse_obj` or a
`dict.copy()`.
"""

from __future__ import annotations

import ast
import functools
import re
from typing import ClassVar, NamedTuple

from checks.context import (
    MIGRATED_MODEL_BASES,
    MISBEHAVES_ON_V2,
    FileContext,
    FixSpec,
    code_of,
    dotted_name,
    keyword_arg,
    rename,
    spelling_gate,
    string_value,
)
from checks.imports import module_imports_from, with_name
from checks.lazy import lazy_pattern
from checks.lazy import libcst as cst
from checks.prefilter import Evidence
from checks.project import Condition
from checks.project_facts import FIELD_ENV_SELECTED, SETTINGS_BASES, V1_LAYER_SELECTED
from checks.pydantic_target import (
    FIX_TARGET_NOTE,
    MIGRATION_NOTE,
    WHERE_IT_APPLIES,
    WHERE_IT_APPLIES_SPELLING,
    for_target,
    unsafe,
)
from checks.rule import Example, FixExample, Rule
from checks.rules.fastapi_routes import FASTAPI_PARAMETERS, V1_PARAMETER_KEYWORDS
from checks.rules.pydantic_config import config_value
from checks.structure import Structure
from checks.structure import dotted_name as ast_dotted_name

_V1_IMPORTS = {
    "pydantic.BaseSettings": "`BaseSettings` moved to pydantic-settings: "
    "`from pydantic_settings import BaseSettings`",
    "pydantic.env_settings.BaseSettings": "`BaseSettings` moved to pydantic-settings: "
    "`from pydantic_settings import BaseSettings`",
    "pydantic.generics.GenericModel": "`GenericModel` is a deprecated alias of `BaseModel` "
    "(it warns; Pydantic 3 removes it): subclass `BaseModel, Generic[T]`",
}
#: The last names of `_V1_IMPORTS`: an attribute of the module spelled so is asked further.
_V1_ATTRIBUTE_NAMES = frozenset(name.rpartition(".")[2] for name in _V1_IMPORTS)
_V1_FIELD_KEYWORDS = {
    "regex": "pattern",
    "min_items": "min_length",
    "max_items": "max_length",
    "const": "a `Literal[...]` type",
    "unique_items": "a `set` type",
    "allow_mutation": "`frozen=True`",
}

#: The keywords Pydantic 2's `Field` refuses (`PydanticUserError` when the model is defined).
_REFUSED_BY_V2 = frozenset({"regex", "const", "unique_items"})


class _PydanticMethodRule(Rule):
    """A v1 method called on a Pydantic model class, or on an instance of one."""

    #: v1 method -> its v2 replacement
    methods: ClassVar[dict[str, str]]
    #: v1 method -> the method name it is renamed to by the fix (1:1 renames only)
    renames: ClassVar[dict[str, str]] = {}
    #: whether the method is called on instances too (not only on the class)
    on_instances: ClassVar[bool] = True
    #: v1 method -> how its v2 replacement differs from it under Pydantic 1 (the fix is
    #: then unsafe during a migration: `checks.pydantic_target.for_target`)
    migration_differs: ClassVar[dict[str, str]] = {}

    def may_fire(self, evidence: Evidence) -> bool:
        return evidence.has_attribute(*self.methods)

    def may_fire_in(self, structure: Structure) -> bool:
        # `visit_Call`: one of the methods called
        return structure.calls_method(*self.methods)

    def deferred_conditions(self, structure: Structure) -> tuple[Condition, ...] | None:
        # a rule whose every finding is a spelling Pydantic 2 still runs (no
        # `breaks_on_v2`) stands on the family's fact (`spelling_gate`)
        gate = spelling_gate(self.code)
        if gate is not None and type(self).breaks_on_v2 is _PydanticMethodRule.breaks_on_v2:
            return (gate,)
        # where every call is on a class the file imports and never rebinds
        # (`NotPermitted.schema()`: polar's errors build their own), each finding is one
        # `report_if` makes on its derivation (`ctx.pydantic_derivation`)
        refs: set[str] = set()
        for call in structure.calls:
            func = call.node.func
            if not isinstance(func, ast.Attribute) or func.attr not in self.methods:
                continue
            dotted = ast_dotted_name(func.value)
            if dotted is None or not structure.imported_only(dotted.partition(".")[0]):
                return None
            found = structure.derivation_refs(func.value)
            if found is None:
                return None
            refs.update(found)
        return (Condition(tuple(sorted(refs)), MIGRATED_MODEL_BASES),)

    def visit_Call(self, node: cst.Call, ctx: FileContext) -> None:
        func = node.func
        if not isinstance(func, cst.Attribute) or func.attr.value not in self.methods:
            return
        method = func.attr.value
        message = f"`.{method}()` is the Pydantic v1 API: use `{self.methods[method]}`"
        ref = ctx.class_ref(func.value)
        if ref is None:
            # a variable typed `type[M]` holds the class; an instance only the methods
            # called on instances too
            inferred = ctx.infer(func.value)
            known = inferred is not None and not inferred.iterable
            if known and inferred is not None and (inferred.of_class or self.on_instances):
                ref = inferred.cls
        if ref is None or ctx.defines_method(ref, method):
            return
        derivation = ctx.pydantic_derivation(ref)
        if derivation is False:
            return
        fix = self.fix_for(node, func, ref, ctx)
        differs = self.migration_differs.get(method)
        if differs is not None:
            fix = for_target(fix, ctx.pydantic_target, differs)
        broken = self.breaks_on_v2(ref, ctx) if ctx.pydantic_target == 2 else None
        if broken is not None:
            ctx.marks(MISBEHAVES_ON_V2).add(id(node))  # not a spelling: always reported
            message = broken
        if derivation is True:
            ctx.report(node, message, fix=fix)
        else:
            ctx.report_if(node, derivation, message, fix=fix)

    def breaks_on_v2(self, ref: str, ctx: FileContext) -> str | None:
        """The message of a call Pydantic 2 refuses for this model, if it does (then it is
        reported as a bug, not as a spelling)."""
        return None

    def fix_for(
        self, node: cst.Call, func: cst.Attribute, ref: str, ctx: FileContext
    ) -> FixSpec | None:
        """The fix of `ref.method(...)`: a rename, for the methods renamed 1:1."""
        new = self.renames.get(func.attr.value)
        return rename(func.attr, new, f"Use `.{new}()`") if new else None


class PydanticSchema(_PydanticMethodRule):
    code = "FG203"
    name = "pydantic-v1-schema"
    family = "Pydantic"
    methods: ClassVar[dict[str, str]] = {
        "schema": ".model_json_schema()",
        "schema_json": "json.dumps(Model.model_json_schema())",
    }
    renames: ClassVar[dict[str, str]] = {"schema": "model_json_schema"}
    _differs = (
        "v2 writes a different JSON schema than v1's `.schema()` (`$defs` instead of "
        "`definitions`, `anyOf` with `null` for optional fields)"
    )
    migration_differs: ClassVar[dict[str, str]] = {"schema": _differs, "schema_json": _differs}
    _schema_json_differs = (
        "`schema_json` encodes values `json.dumps` cannot (a date or `Decimal` in "
        "`json_schema_extra`) with Pydantic's encoder, where `json.dumps` raises TypeError"
    )
    fix = (
        "Safe fix: renames `.schema()` to `.model_json_schema()`, which the v1 name calls "
        "on Pydantic 2. Unsafe fix: `Model.schema_json(...)` "
        "becomes `json.dumps(Model.model_json_schema(...), ...)` (`by_alias` and "
        "`ref_template` stay with the schema, the other arguments go to `json.dumps`), "
        "importing `json` when needed: "
        + _schema_json_differs
        + ". "
        + MIGRATION_NOTE.format(differs=_differs)
        + f" {FIX_TARGET_NOTE}"
    )

    def fix_for(
        self, node: cst.Call, func: cst.Attribute, ref: str, ctx: FileContext
    ) -> FixSpec | None:
        if func.attr.value == "schema":
            return super().fix_for(node, func, ref, ctx)
        if any(arg.star or arg.keyword is None for arg in node.args):
            return None
        schema_args: list[str] = []
        dumps_args: list[str] = []
        for arg in node.args:
            assert arg.keyword is not None
            text = f"{arg.keyword.value}={ctx.code(arg.value, at=node)}"
            (
                schema_args if arg.keyword.value in {"by_alias", "ref_template"} else dumps_args
            ).append(text)
        found = ctx.import_module("json")
        if found is None:
            return None  # the name means something else here
        json_name, insertion = found
        replacements: list[tuple[cst.CSTNode, str]] = [insertion] if insertion else []
        schema = f"{ctx.code(func.value, at=node)}.model_json_schema({', '.join(schema_args)})"
        replacements.append((node, f"{json_name}.dumps({', '.join([schema, *dumps_args])})"))
        fix = FixSpec("Use `json.dumps(Model.model_json_schema())`", tuple(replacements))
        return unsafe(fix, self._schema_json_differs)

    message = "`.schema()` is the Pydantic v1 API: use `.model_json_schema()`"
    summary = (
        "Checks for `.schema()` and `.schema_json()` on Pydantic models.\n\n"
        f"{WHERE_IT_APPLIES_SPELLING}"
    )
    why = (
        "Pydantic v2 renamed `.schema()` to `.model_json_schema()` and dropped "
        "`.schema_json()`; the old names are deprecated and will be removed."
    )
    bad = (
        Example(
            """
            from pydantic import BaseModel


            class Event(BaseModel):
                kind: str


            EVENT_SCHEMA = Event.schema()
            """
        ),
        Example(
            """
            from pydantic import BaseModel


            class Tool(BaseModel):
                args_schema: type[BaseModel]

                def arguments(self) -> dict:
                    return self.args_schema.schema()["properties"]
            """,
            note="an attribute typed `type[BaseModel]` holds a model class",
        ),
    )
    good = (
        Example(
            """
            from pydantic import BaseModel


            class Event(BaseModel):
                kind: str


            EVENT_SCHEMA = Event.model_json_schema()
            """
        ),
        Example(
            """
            import graphene

            def describe(api: graphene.Schema):
                return api.schema()
            """,
            note="a schema() that is not Pydantic's",
        ),
        Example(
            """
            import pydantic
            from pydantic import BaseModel


            class Event(BaseModel):
                kind: str


            if pydantic.VERSION.startswith("1"):
                EVENT_SCHEMA = Event.schema()
            else:
                EVENT_SCHEMA = Event.model_json_schema()
            """,
            note="a test of `pydantic.VERSION`",
        ),
    )
    fixes = (
        FixExample(
            """
            from pydantic import BaseModel


            class Event(BaseModel):
                kind: str


            EVENT_SCHEMA = Event.schema()
            """,
            """
            from pydantic import BaseModel


            class Event(BaseModel):
                kind: str


            EVENT_SCHEMA = Event.model_json_schema()
            """,
        ),
        FixExample(
            """
            from pydantic import BaseModel


            class Event(BaseModel):
                kind: str


            EVENT_SCHEMA_TEXT = Event.schema_json(by_alias=False, indent=2)
            """,
            """
            import json

            from pydantic import BaseModel


            class Event(BaseModel):
                kind: str


            EVENT_SCHEMA_TEXT = json.dumps(Event.model_json_schema(by_alias=False), indent=2)
            """,
            unsafe=True,
            note="`json.dumps` lacks the encoder `schema_json` used for values in the schema",
        ),
    )


class PydanticParse(_PydanticMethodRule):
    code = "FG204"
    name = "pydantic-v1-parse"
    family = "Pydantic"
    on_instances = False
    methods: ClassVar[dict[str, str]] = {
        "parse_obj": "Model.model_validate()",
        "parse_raw": "Model.model_validate_json()",
        "parse_file": "Model.model_validate_json(path.read_text())",
    }
    renames: ClassVar[dict[str, str]] = {
        "parse_obj": "model_validate",
        "parse_raw": "model_validate_json",
    }
    _parse_obj_differs = (
        "`parse_obj` of a model instance copies it under Pydantic 1, `model_validate` "
        "returns the instance itself (and a mapping that is not a dict is read by v1 only)"
    )
    _parse_raw_differs = (
        "`model_validate_json` validates in JSON mode, `parse_raw` validated `json.loads` "
        "output in Python mode: strict fields (`strict=True`) accept a date, UUID, enum or "
        "tuple from JSON text only in JSON mode, validators see `info.mode == 'json'`, and "
        "invalid JSON is another error (`json_invalid`, not `value_error.jsondecode`)"
    )
    fix = (
        "Safe fix: renames `Model.parse_obj(data)` to `Model.model_validate(data)`. "
        "Unsafe fix: `Model.parse_raw(text)` becomes `Model.model_validate_json(text)`, as "
        + _parse_raw_differs
        + ". `parse_file` has "
        "none, and nor has a call with other arguments: `parse_raw(..., content_type=, "
        "proto=, encoding=, allow_pickle=)` reads pickle and other encodings, which "
        "`model_validate_json` would refuse (TypeError) or read as JSON. "
        + MIGRATION_NOTE.format(differs=_parse_obj_differs).removesuffix(".")
        + ", unless its argument is a dict display."
        f" {FIX_TARGET_NOTE}"
    )

    def fix_for(
        self, node: cst.Call, func: cst.Attribute, ref: str, ctx: FileContext
    ) -> FixSpec | None:
        if len(node.args) != 1 or node.args[0].keyword is not None or node.args[0].star:
            return None  # content_type=, proto=, encoding=, ...: not JSON text
        fix = super().fix_for(node, func, ref, ctx)
        if func.attr.value == "parse_raw" and fix is not None:
            return unsafe(fix, self._parse_raw_differs)
        if func.attr.value == "parse_obj" and not isinstance(node.args[0].value, cst.Dict):
            fix = for_target(fix, ctx.pydantic_target, self._parse_obj_differs)
        return fix

    message = "`.parse_obj()` is the Pydantic v1 API: use `Model.model_validate()`"
    summary = (
        "Checks for `parse_obj`, `parse_raw` and `parse_file` on Pydantic models.\n\n"
        f"{WHERE_IT_APPLIES_SPELLING}"
    )
    why = (
        "Pydantic v2 validates with `Model.model_validate(data)` and "
        "`Model.model_validate_json(text)`; `parse_obj`/`parse_raw` are deprecated and "
        "`parse_file` has no replacement (read the file, then validate the text)."
    )
    bad = (
        Example(
            """
            from pydantic import BaseModel


            class Webhook(BaseModel):
                event: str


            def read(body: bytes) -> Webhook:
                return Webhook.parse_raw(body)
            """
        ),
        Example(
            """
            from pydantic import BaseModel


            class Webhook(BaseModel):
                event: str


            def read(body: bytes) -> Webhook:
                return Webhook.parse_raw(body, content_type="application/pickle", allow_pickle=True)
            """,
            note="no fix: `content_type=`: not JSON, which `model_validate_json` reads",
        ),
    )
    good = (
        Example(
            """
            from pydantic import BaseModel


            class Webhook(BaseModel):
                event: str


            def read(body: bytes) -> Webhook:
                return Webhook.model_validate_json(body)
            """
        ),
        Example(
            """
            from pydantic import VERSION, BaseModel
            from pydantic.version import VERSION as PYDANTIC_VERSION


            class Webhook(BaseModel):
                event: str


            def read(body: bytes) -> Webhook:
                if VERSION[0] == "1":
                    return Webhook.parse_raw(body)
                return Webhook.model_validate_json(body)


            def load(data: dict[str, str]) -> Webhook:
                if int(PYDANTIC_VERSION.split(".")[0]) < 2:
                    return Webhook.parse_obj(data)
                return Webhook.model_validate(data)
            """,
            note="tests of the version string",
        ),
        Example(
            """
            from pydantic.v1 import BaseModel as V1BaseModel


            class LegacyWebhook(V1BaseModel):
                event: str


            def read(body: bytes) -> LegacyWebhook:
                return LegacyWebhook.parse_raw(body)
            """,
            note="`pydantic.v1` imported under another name",
        ),
    )
    fixes = (
        FixExample(
            """
            from pydantic import BaseModel


            class Webhook(BaseModel):
                event: str


            def load(data: dict[str, str]) -> Webhook:
                return Webhook.parse_obj(data)
            """,
            """
            from pydantic import BaseModel


            class Webhook(BaseModel):
                event: str


            def load(data: dict[str, str]) -> Webhook:
                return Webhook.model_validate(data)
            """,
        ),
        FixExample(
            """
            from pydantic import BaseModel


            class Webhook(BaseModel):
                event: str


            def read(body: bytes) -> Webhook:
                return Webhook.parse_raw(body)
            """,
            """
            from pydantic import BaseModel


            class Webhook(BaseModel):
                event: str


            def read(body: bytes) -> Webhook:
                return Webhook.model_validate_json(body)
            """,
            unsafe=True,
            note="JSON mode: strict fields and validators that read `info.mode` differ",
        ),
    )


class PydanticFromOrm(_PydanticMethodRule):
    code = "FG205"
    name = "pydantic-v1-from-orm"
    family = "Pydantic"
    on_instances = False
    methods: ClassVar[dict[str, str]] = {"from_orm": "Model.model_validate(obj)"}
    renames: ClassVar[dict[str, str]] = {"from_orm": "model_validate"}
    fix = (
        "Safe fix: renames `from_orm` to `model_validate` when the file shows that the "
        "model's config sets `from_attributes=True` (or v1's `orm_mode = True`, which FG206 "
        "renames): `from_orm(obj)` is then `model_validate(obj)`. Otherwise the fix is "
        "unsafe and writes `model_validate(obj, from_attributes=True)`: `from_orm` raises "
        "(`PydanticUserError` on Pydantic 2, `ConfigError` on 1) when the config lacks "
        "`from_attributes`, where the fixed call reads the object's attributes; the two "
        "agree only when the config, defined in another module or built from a variable, "
        "does set it."
        f" {FIX_TARGET_NOTE}"
    )

    def breaks_on_v2(self, ref: str, ctx: FileContext) -> str | None:
        # `from_orm` raises `PydanticUserError` on Pydantic 2 unless the config sets
        # `from_attributes=True` (v1's `orm_mode` does not count there)
        known, value = config_value(ref, "from_attributes", ctx)
        if not known or _is_true(value):
            return None
        return (
            "`.from_orm()` raises on Pydantic 2 (`PydanticUserError`): the model's config "
            "lacks `from_attributes=True`; use `Model.model_validate(obj, from_attributes=True)`"
        )

    def fix_for(
        self, node: cst.Call, func: cst.Attribute, ref: str, ctx: FileContext
    ) -> FixSpec | None:
        renamed = (func.attr, "model_validate")
        known, value = config_value(ref, "from_attributes", ctx)
        if known and _is_true(value):
            return FixSpec("Use `.model_validate()`", (renamed,))
        positional = [arg for arg in node.args if arg.keyword is None and not arg.star]
        if len(positional) != 1 or len(node.args) != 1:
            return None
        argument = positional[0].value
        passed = (argument, f"{ctx.code(argument, at=argument)}, from_attributes=True")
        fix = FixSpec("Use `.model_validate(obj, from_attributes=True)`", (renamed, passed))
        if known:
            reason = "the model's config lacks `from_attributes`: `from_orm` raised, this reads"
        else:
            reason = (
                "the model's config is not seen: `from_orm` raises unless it sets "
                "`from_attributes`, this reads the object's attributes anyway"
            )
        return unsafe(fix, reason)

    message = "`.from_orm()` is the Pydantic v1 API: use `Model.model_validate(obj)`"
    summary = (
        "Checks for `Model.from_orm(obj)`. Where the file shows that the model's config "
        "lacks `from_attributes=True` (v1's `orm_mode` does not count on Pydantic 2), the "
        "call raises `PydanticUserError` on Pydantic 2: reported as that bug, always.\n\n"
        f"{WHERE_IT_APPLIES_SPELLING}"
    )
    why = (
        "Pydantic v2 reads attributes of any object with `Model.model_validate(obj)` when "
        "the model's config has `from_attributes=True` (v1's `orm_mode`); `from_orm` is "
        "deprecated."
    )
    bad = (
        Example(
            """
            from pydantic import BaseModel, ConfigDict


            class UserRead(BaseModel):
                model_config = ConfigDict(from_attributes=True)

                id: int


            def show(user: object) -> UserRead:
                return UserRead.from_orm(user)
            """
        ),
    )
    good = (
        Example(
            """
            from pydantic import BaseModel, ConfigDict


            class UserRead(BaseModel):
                model_config = ConfigDict(from_attributes=True)

                id: int


            def show(user: object) -> UserRead:
                return UserRead.model_validate(user)
            """
        ),
        Example(
            """
            from pydantic import BaseModel

            from app.compat import IS_PYDANTIC_V1


            class UserRead(BaseModel):
                id: int


            def show(user: object) -> UserRead:
                if not IS_PYDANTIC_V1:
                    return UserRead.model_validate(user, from_attributes=True)
                return UserRead.from_orm(user)
            """,
            note="`if not IS_PYDANTIC_V1:` and the rest of the block",
        ),
        Example(
            """
            try:
                from pydantic.v1 import BaseModel
            except ImportError:
                from pydantic import BaseModel


            class UserRead(BaseModel):
                id: int

                class Config:
                    orm_mode = True


            def show(user: object) -> UserRead:
                return UserRead.from_orm(user)
            """,
            note="a model of the try/except import of the v1 layer",
        ),
    )
    fixes = (
        FixExample(
            """
            from pydantic import BaseModel, ConfigDict


            class UserRead(BaseModel):
                model_config = ConfigDict(from_attributes=True)

                id: int


            class AdminRead(UserRead):
                level: int


            def show(user: object, admin: object) -> tuple[UserRead, AdminRead]:
                return UserRead.from_orm(user), AdminRead.from_orm(admin)
            """,
            """
            from pydantic import BaseModel, ConfigDict


            class UserRead(BaseModel):
                model_config = ConfigDict(from_attributes=True)

                id: int


            class AdminRead(UserRead):
                level: int


            def show(user: object, admin: object) -> tuple[UserRead, AdminRead]:
                return UserRead.model_validate(user), AdminRead.model_validate(admin)
            """,
            note="the config, or a base's, sets `from_attributes=True`",
        ),
        FixExample(
            """
            from pydantic import BaseModel


            class ProjectRead(BaseModel):
                name: str


            def show(project: object) -> ProjectRead:
                return ProjectRead.from_orm(project)
            """,
            """
            from pydantic import BaseModel


            class ProjectRead(BaseModel):
                name: str


            def show(project: object) -> ProjectRead:
                return ProjectRead.model_validate(project, from_attributes=True)
            """,
            unsafe=True,
            note=(
                "a config without `from_attributes`: `from_orm` raised, the fixed call reads "
                "the attributes"
            ),
        ),
    )


def _is_true(value: cst.BaseExpression | None) -> bool:
    return isinstance(value, cst.Name) and value.value == "True"


#: v1 API of FG209 -> how its v2 replacement differs from it under Pydantic 1
_MIGRATION_DIFFERS = {
    "construct": "`construct(**values)` keeps unknown keys under Pydantic 1, "
    "`model_construct` drops them (unless `extra='allow'`)",
    "__fields__": "`__fields__` holds v1 `ModelField`s (`.type_`, `.required`), "
    "`model_fields` v2 `FieldInfo`s",
}


class PydanticV1Misc(Rule):
    code = "FG209"
    name = "pydantic-v1-api"
    family = "Pydantic"
    message = "Pydantic v1 API"
    summary = (
        "Checks for other Pydantic v1 APIs: `.copy()`, `.construct()`, `__fields__`, "
        "`update_forward_refs()` on models, `parse_obj_as()`, and `Field(regex=...)`, "
        "`min_items`, `max_items`, `const`, `unique_items`, `allow_mutation`.\n\n"
        f"{WHERE_IT_APPLIES_SPELLING} `Field(regex=)`, `const=` and `unique_items=` raise "
        "`PydanticUserError` on Pydantic 2 when the model is defined: always reported."
    )
    why = (
        "Each has a v2 name: `.model_copy()`, `.model_construct()`, `model_fields`, "
        "`model_rebuild()`, `TypeAdapter(T).validate_python()`, and `Field(pattern=...)`, "
        "`min_length`, `max_length`. The v1 spellings are deprecated, and some "
        "(`regex=`, `const=`) raise errors in v2."
    )
    _methods: ClassVar[dict[str, str]] = {
        "copy": ".model_copy()",
        "construct": "Model.model_construct()",
        "update_forward_refs": "Model.model_rebuild()",
    }
    _renames: ClassVar[dict[str, str]] = {
        "copy": "model_copy",
        "construct": "model_construct",
        "update_forward_refs": "model_rebuild",
        "__fields__": "model_fields",
        "regex": "pattern",
        "min_items": "min_length",
        "max_items": "max_length",
    }
    fix = (
        "Safe fix: renames `.copy(update=, deep=)`, `.construct()`, "
        "`__fields__` and `Field(min_items=, max_items=)` to their v2 names (`__fields__` "
        "of an instance becomes `type(instance).model_fields`: Pydantic 2.11 deprecates "
        "`model_fields` read on an instance). "
        "`.copy(update=...)` gets an unsafe fix when `deep=` may be true (`copy` deep-copied "
        "the update's values, `model_copy` shares them) or when the file does not show the "
        'model\'s `extra` is not `"allow"` (an unknown key of the update lands in '
        "`__dict__` with `copy`, among the extras with `model_copy`). "
        "`Model.update_forward_refs()` becomes `Model.model_rebuild(force=True)`, which the "
        "v1 name calls on Pydantic 2 (`model_rebuild()` skips a model already complete): "
        "safe as a statement at module level; in a function or a class body, or as a value, "
        "unsafe: `model_rebuild` resolves names in its caller's frame and returns True. "
        "`Field(regex=...)` becomes `Field(pattern=...)` anchored at the start: v1 matched "
        '`regex` with `re.match`, v2 searches `pattern` anywhere in the value (`regex="b"` '
        'refused `"abc"`, `pattern="b"` accepts it), so a literal pattern not anchored '
        "gets a `^` (`^(?:a|b)` for an alternation, `\\A` after inline flags); a pattern "
        "that is not a literal, or uses operators of v2's regex engine in a class, is "
        "renamed by an unsafe fix, and so is a pattern with a `$`: v1's also matched "
        'before a final newline and v2\'s does not (`"abc\\n"` passes `regex="^[a-z]+$"`, '
        'not `pattern="^[a-z]+$"`). No fix for '
        "`.copy(include=, exclude=)` (`model_copy` has neither: TypeError) nor for "
        "`update_forward_refs(**localns)`, nor for `__fields__` whose field is read for "
        "an attribute of v1's `ModelField` that v2's `FieldInfo` lacks "
        "(`Model.__fields__[name].type_`: the rename alone leaves it broken); "
        "`parse_obj_as`, `const` and the rest have none. "
        + MIGRATION_NOTE.format(differs="; ".join(_MIGRATION_DIFFERS.values()))
        + f" {FIX_TARGET_NOTE}"
    )
    bad = (
        Example(
            """
            from pydantic import BaseModel, Field, parse_obj_as


            class Tag(BaseModel):
                name: str = Field(regex=r"^[a-z]+$")


            def clone(tag: Tag) -> Tag:
                return tag.copy(update={"name": "x"})


            def many(data: list[dict[str, str]]) -> list[Tag]:
                return parse_obj_as(list[Tag], data)
            """,
            expect=3,
        ),
        Example(
            """
            from pydantic import BaseModel


            def pk_type(schema: type[BaseModel], pk_field: str = "id") -> type:
                return schema.__fields__[pk_field].type_
            """,
            note="a v1 `ModelField`'s attribute: the rename alone would leave it, so no fix",
        ),
        Example(
            """
            from pydantic import BaseModel

            class Node(BaseModel):
                children: list["Node"] = []

            Node.update_forward_refs()
            NAMES = list(Node.__fields__)
            """,
            expect=2,
        ),
        Example(
            """
            from pydantic import BaseModel


            class User(BaseModel):
                id: int
                password: str


            def public(user: User) -> User:
                return user.copy(exclude={"password"})
            """,
            note="no fix: `model_copy` takes no `include=` or `exclude=`",
        ),
        Example(
            """
            from typing import TypeVar

            from pydantic import BaseModel

            ModelT = TypeVar("ModelT", bound=BaseModel)


            def column_names(model: type[ModelT]) -> list[str]:
                return list(model.__fields__)
            """,
            note="a class typed with a type variable bound to `BaseModel`",
        ),
    )
    good = (
        Example(
            """
            from pydantic import BaseModel, Field, TypeAdapter


            class Tag(BaseModel):
                name: str = Field(pattern=r"^[a-z]+$")


            def clone(tag: Tag) -> Tag:
                return tag.model_copy(update={"name": "x"})


            def many(data: list[dict[str, str]]) -> list[Tag]:
                return TypeAdapter(list[Tag]).validate_python(data)
            """
        ),
        Example(
            """
            import copy

            def dup(settings: dict, rows: list) -> tuple:
                return settings.copy(), rows.copy(), copy.copy(rows)
            """,
            note="dict.copy(), list.copy(), copy.copy()",
        ),
        Example(
            """
            from pydantic import BaseModel, parse_obj_as


            def validate_many(model: type[BaseModel], data: list[object]) -> list[BaseModel]:
                if hasattr(model, "model_validate"):
                    return [model.model_validate(item) for item in data]
                return parse_obj_as(list[model], data)


            def clone(item: BaseModel) -> BaseModel:
                if hasattr(item, "model_copy"):
                    return item.model_copy()
                return item.copy()
            """,
            note='`hasattr(Model, "model_validate")` tells the versions apart',
        ),
        Example(
            """
            from pydantic.v1 import BaseModel, Field


            class Tag(BaseModel):
                name: str = Field(regex=r"^[a-z]+$")


            def clone(tag: Tag) -> Tag:
                return tag.copy(update={"name": "x"})


            FIELDS = Tag.__fields__
            """,
            note="a model of the pydantic.v1 compatibility layer",
        ),
        Example(
            """
            from dataclasses import dataclass, field, fields

            @dataclass
            class Point:
                x: int = field(default=0)

            NAMES = [f.name for f in fields(Point)]
            """,
            note="dataclasses",
        ),
    )
    fixes = (
        FixExample(
            """
            from pydantic import BaseModel


            class Tag(BaseModel):
                name: str

                def field_names(self) -> list[str]:
                    return list(self.__fields__)
            """,
            """
            from pydantic import BaseModel


            class Tag(BaseModel):
                name: str

                def field_names(self) -> list[str]:
                    return list(type(self).model_fields)
            """,
            note="on an instance: Pydantic 2.11 deprecates `model_fields` read there",
        ),
        FixExample(
            """
            from pydantic import BaseModel, Field


            class Tag(BaseModel):
                name: str = Field(regex=r"[a-z]+")
                kind: str = Field(regex="note|task")
                aliases: list[str] = Field(min_items=1)


            def clone(tag: Tag) -> Tag:
                return tag.copy(update={"name": "x"})


            FIELDS = Tag.__fields__
            """,
            """
            from pydantic import BaseModel, Field


            class Tag(BaseModel):
                name: str = Field(pattern=r"^[a-z]+")
                kind: str = Field(pattern="^(?:note|task)")
                aliases: list[str] = Field(min_length=1)


            def clone(tag: Tag) -> Tag:
                return tag.model_copy(update={"name": "x"})


            FIELDS = Tag.model_fields
            """,
            note="v1 matched `regex` at the start: the pattern is anchored",
        ),
        FixExample(
            """
            from pydantic import BaseModel, Field

            SLUG = r"[a-z]+"


            class Tag(BaseModel):
                name: str = Field(regex=SLUG)
            """,
            """
            from pydantic import BaseModel, Field

            SLUG = r"[a-z]+"


            class Tag(BaseModel):
                name: str = Field(pattern=SLUG)
            """,
            unsafe=True,
            note="a pattern that is not a literal: v2 searches it, unanchored",
        ),
        FixExample(
            """
            from typing import Optional

            from pydantic import BaseModel


            class Node(BaseModel):
                parent: Optional["Node"] = None


            Node.update_forward_refs()
            """,
            """
            from typing import Optional

            from pydantic import BaseModel


            class Node(BaseModel):
                parent: Optional["Node"] = None


            Node.model_rebuild(force=True)
            """,
            note="what the v1 name calls on Pydantic 2: `model_rebuild()` skips a complete model",
        ),
        FixExample(
            """
            from pydantic import BaseModel


            class Draft(BaseModel):
                tags: list[str] = []


            def fork(draft: Draft, tags: list[str]) -> Draft:
                return draft.copy(update={"tags": tags}, deep=True)
            """,
            """
            from pydantic import BaseModel


            class Draft(BaseModel):
                tags: list[str] = []


            def fork(draft: Draft, tags: list[str]) -> Draft:
                return draft.model_copy(update={"tags": tags}, deep=True)
            """,
            unsafe=True,
            note="`copy` deep-copied `tags`; `model_copy` shares the caller's list",
        ),
    )

    def may_fire(self, evidence: Evidence) -> bool:
        return evidence.has("parse_obj_as", "__fields__", *_V1_FIELD_KEYWORDS) or (
            evidence.has_attribute(*self._methods)
        )

    def deferred_conditions(self, structure: Structure) -> tuple[Condition, ...] | None:
        # every finding is a spelling Pydantic 2 still runs but a `Field()` keyword it
        # refuses (`visit_Call`): none passed to any call here
        if any(
            keyword.arg in _REFUSED_BY_V2
            for call in structure.calls
            for keyword in call.node.keywords
        ):
            return None
        gate = spelling_gate(self.code)
        return (gate,) if gate is not None else None

    def visit_Call(self, node: cst.Call, ctx: FileContext) -> None:
        func = node.func
        name = ctx.qualified_name(func)
        if name in {"pydantic.parse_obj_as", "pydantic.tools.parse_obj_as"}:
            ctx.report(node, "`parse_obj_as()` is the Pydantic v1 API: use `TypeAdapter(T)`")
            return
        if name in {"pydantic.Field", "pydantic.fields.Field"}:
            for arg in node.args:
                if arg.keyword is not None and arg.keyword.value in _V1_FIELD_KEYWORDS:
                    old = arg.keyword.value
                    new = self._renames.get(old)
                    fix = None
                    if old == "regex":
                        fix = _regex_to_pattern(arg, arg.keyword)
                    elif new is not None:
                        fix = rename(arg.keyword, new, f"Use `{new}=`")
                    if old in _REFUSED_BY_V2:
                        ctx.marks(MISBEHAVES_ON_V2).add(id(arg))
                    ctx.report(
                        arg,
                        f"`Field({old}=...)` is the Pydantic v1 API: use {_V1_FIELD_KEYWORDS[old]}",
                        fix=fix,
                    )
            return
        if isinstance(func, cst.Attribute) and func.attr.value in self._methods:
            method = func.attr.value
            ref = ctx.class_ref(func.value) if method != "copy" else None
            if ref is None:
                inferred = ctx.infer(func.value)
                instance = inferred is not None and not inferred.of_class
                known = inferred is not None and not inferred.iterable
                if known and inferred is not None and (instance or method != "copy"):
                    ref = inferred.cls
            fixable = _same_arguments(node, method)
            self._report_on_model(
                node,
                ref,
                method,
                self._methods[method],
                ctx,
                func.attr if fixable else None,
                call=node,
            )

    def visit_Attribute(self, node: cst.Attribute, ctx: FileContext) -> None:
        if node.attr.value != "__fields__":
            return
        ref = ctx.class_ref(node.value)
        on_instance = False
        if ref is None:
            inferred = ctx.infer(node.value)
            ref = inferred.cls if inferred is not None and not inferred.iterable else None
            on_instance = inferred is not None and not inferred.of_class
        v1_attribute = _model_field_attribute(node, ctx)
        if v1_attribute is not None:
            # `Model.__fields__[name].type_`: the rename alone leaves `.type_` on a v2
            # `FieldInfo`, which has none: no fix, and a message that names it
            advice = _MODEL_FIELD_ADVICE.get(v1_attribute, "")
            self._report_on_model(
                node,
                ref,
                "__fields__",
                "model_fields",
                ctx,
                None,
                message=(
                    f"`__fields__[...].{v1_attribute}` reads a Pydantic v1 `ModelField`: "
                    f"Pydantic 2's `model_fields` holds `FieldInfo`s, which have no "
                    f"`.{v1_attribute}`{advice}"
                ),
            )
            return
        if not on_instance:
            self._report_on_model(node, ref, "__fields__", "model_fields", ctx, node.attr)
            return
        # Pydantic 2.11 deprecates `model_fields` read on an instance: the class's
        receiver = code_of(node.value)
        replacement = None if "\n" in receiver else f"type({receiver}).model_fields"
        self._report_on_model(
            node,
            ref,
            "__fields__",
            "type(instance).model_fields",
            ctx,
            None,
            replace_with=replacement,
        )

    def _report_on_model(
        self,
        node: cst.CSTNode,
        ref: str | None,
        old: str,
        new: str,
        ctx: FileContext,
        name: cst.Name | None,
        call: cst.Call | None = None,
        replace_with: str | None = None,
        message: str | None = None,
    ) -> None:
        """Report `old` on a model; `name` is what the fix renames (None: no fix), or
        `replace_with` the code the fix writes for the whole node."""
        if ref is None or ctx.defines_method(ref, old):
            return
        derivation = ctx.pydantic_derivation(ref)
        if derivation is False:
            return
        message = message or f"`{old}` is the Pydantic v1 API: use `{new}`"
        if old == "copy" and call is not None and _narrows_copy(call):
            # `model_copy` has no `include=` / `exclude=`: naming it would mislead
            message = (
                "`.copy(include=, exclude=)` is the Pydantic v1 API, and `.model_copy()` takes "
                "neither: dump the fields wanted (`.model_dump(exclude=...)`) or build the model"
            )
        renamed = self._renames[old]
        fix = rename(name, renamed, f"Use `{renamed}`") if name is not None else None
        if replace_with is not None:
            fix = FixSpec(f"Use `{new}`", ((node, replace_with),))
        if fix is not None and call is not None and old == "copy":
            fix = _copy_fix(fix, call, ref, ctx)
        elif fix is not None and call is not None and old == "update_forward_refs":
            fix = _rebuild_fix(call, ctx)
        differs = _MIGRATION_DIFFERS.get(old)
        if differs is not None:
            fix = for_target(fix, ctx.pydantic_target, differs)
        if derivation is True:
            ctx.report(node, message, fix=fix)
        else:
            ctx.report_if(node, derivation, message, fix=fix)


#: Attributes of Pydantic 1's `ModelField` that Pydantic 2's `FieldInfo` lacks, with
#: what a v2 field offers instead.
_MODEL_FIELD_ADVICE = {
    "type_": " (its type is `.annotation`)",
    "outer_type_": " (its type is `.annotation`)",
    "required": " (`.is_required()`)",
    "allow_none": " (read `.annotation` for `None`)",
    "field_info": " (the `FieldInfo` is the value itself)",
    "name": " (the name is the key)",
    "shape": " (read `.annotation`)",
    "sub_fields": " (read `.annotation`)",
    "key_field": " (read `.annotation`)",
    "class_validators": "",
    "pre_validators": "",
    "post_validators": "",
    "validators": "",
    "parse_json": "",
    "has_alias": " (test `.alias`)",
    "model_config": "",
    "validate": " (validate with a `TypeAdapter`)",
    "is_complex": "",
}


def _model_field_attribute(node: cst.Attribute, ctx: FileContext) -> str | None:
    """The v1 `ModelField` attribute read on one field of `__fields__`
    (`Model.__fields__[name].type_`, `Model.__fields__.get(name).required`), if any."""
    holder = ctx.parent(node)
    if isinstance(holder, cst.Attribute) and holder.attr.value == "get":
        call = ctx.parent(holder)
        holder = call if isinstance(call, cst.Call) and call.func is holder else None
    elif not (isinstance(holder, cst.Subscript) and holder.value is node):
        return None
    if holder is None:
        return None
    read = ctx.parent(holder)
    if isinstance(read, cst.Attribute) and read.value is holder:
        attribute = read.attr.value
        return attribute if attribute in _MODEL_FIELD_ADVICE else None
    return None


def _copy_fix(fix: FixSpec, call: cst.Call, ref: str, ctx: FileContext) -> FixSpec:
    """`.copy(...)` -> `.model_copy(...)`: exact without `update=`; with it, unsafe when
    `deep=` may be true (`copy` deep-copies the update's values, `model_copy` shares
    them) or the model's `extra` may be `"allow"` (`copy` puts an unknown key of the
    update in `__dict__`, `model_copy` among the extras)."""
    update = keyword_arg(call, "update")
    if update is None:
        return fix
    deep = keyword_arg(call, "deep")
    if deep is not None and not (isinstance(deep.value, cst.Name) and deep.value.value == "False"):
        return unsafe(
            fix,
            "with `deep=True`, `copy` deep-copied the update's values, `model_copy` shares them",
        )
    known, extra = config_value(ref, "extra", ctx)
    if not known or (extra is not None and not _forbids_or_ignores(extra)):
        return unsafe(
            fix,
            "`extra` may be `allow`: `copy` keeps an unknown key of the update in `__dict__`, "
            "`model_copy` among the extras",
        )
    return fix


def _forbids_or_ignores(extra: cst.BaseExpression) -> bool:
    """`"forbid"`, `"ignore"`, `Extra.forbid`, `Extra.ignore`."""
    if isinstance(extra, cst.Attribute):
        return extra.attr.value in {"ignore", "forbid"}
    return string_value(extra) in {"ignore", "forbid"}


def _rebuild_fix(call: cst.Call, ctx: FileContext) -> FixSpec:
    """`update_forward_refs()` -> `model_rebuild(force=True)`, what the v1 name calls on
    Pydantic 2 (`model_rebuild()` skips a model already complete). Exact at module level,
    as a statement of its own; in a function, `model_rebuild` resolves names in its
    caller's frame, which `update_forward_refs` did not see, and returns True, not None."""
    func = call.func
    assert isinstance(func, cst.Attribute)
    rebuilt = call.with_changes(
        func=func.with_changes(attr=cst.Name("model_rebuild")),
        args=[
            cst.Arg(
                keyword=cst.Name("force"),
                value=cst.Name("True"),
                equal=cst.AssignEqual(
                    whitespace_before=cst.SimpleWhitespace(""),
                    whitespace_after=cst.SimpleWhitespace(""),
                ),
            )
        ],
    )
    fix = FixSpec("Use `.model_rebuild(force=True)`", ((call, ctx.code(rebuilt, at=call)),))
    parent = ctx.parent(call)
    if ctx.function is None and not ctx.in_class_body and isinstance(parent, cst.Expr):
        return fix
    return unsafe(
        fix,
        "in a function or as a value, `model_rebuild` resolves names in the caller's frame "
        "and returns True; `update_forward_refs` did neither",
    )


#: The arguments the v2 method takes as the v1 one did: a call with others has no fix.
#: `.copy(include=, exclude=)` has no `model_copy` counterpart (TypeError), and
#: `update_forward_refs(**localns)` none in `model_rebuild`.
_SAME_KEYWORDS = {
    "copy": frozenset({"update", "deep"}),
    "update_forward_refs": frozenset(),
}


def _narrows_copy(call: cst.Call) -> bool:
    """Whether a `.copy()` call picks fields (`include=`, `exclude=`)."""
    return any(
        arg.keyword is not None and arg.keyword.value in ("include", "exclude") for arg in call.args
    )


def _same_arguments(call: cst.Call, method: str) -> bool:
    """Whether the v2 method takes `call`'s arguments as the v1 method did."""
    allowed = _SAME_KEYWORDS.get(method)
    if allowed is None:
        return True
    return all(
        arg.keyword is not None and not arg.star and arg.keyword.value in allowed
        for arg in call.args
    )


class _PatternShape(NamedTuple):
    """What `_anchored_literal` needs to know of a regular expression."""

    #: a `|` outside every group: `a|b` (then `^a|b` is not anchored as a whole)
    alternation: bool
    #: a `[` inside a character class, or `&&`, `--`, `~~` there: set operations in the
    #: regex crate pydantic-core uses, literal characters for Python's `re`
    class_operations: bool


#: Inline flags at the start of a pattern: `(?i)`, `(?ms)`.
_INLINE_FLAGS = lazy_pattern(r"\(\?[aiLmsux]+\)")


def _pattern_shape(pattern: str) -> _PatternShape:
    """Scan a pattern (escapes, character classes, group depth) for `_PatternShape`."""
    depth = 0
    index = 0
    alternation = operations = False
    in_class = False
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            index += 2
            continue
        if in_class:
            if char == "]":
                in_class = False
            elif char == "[" or pattern[index : index + 2] in {"&&", "--", "~~"}:
                operations = True
        elif char == "[":
            in_class = True
            index += 1
            if pattern[index : index + 1] == "^":
                index += 1
            if pattern[index : index + 1] == "]":
                index += 1  # `[]...]`: a literal `]`
            continue
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "|" and depth == 0:
            alternation = True
        index += 1
    return _PatternShape(alternation, operations)


def _anchored_literal(literal: cst.SimpleString, pattern: str) -> str | None:
    """The literal of `pattern` anchored at the start as v1's `re.match` anchored it: the
    literal itself when it already is, None when that cannot be shown (a pattern Python
    does not compile, verbose mode, flags the literal spells with escapes)."""
    try:
        re.compile(pattern)
    except (re.error, OverflowError, RecursionError):
        return None
    flags_end = 0
    while (flags := _INLINE_FLAGS.match(pattern, flags_end)) is not None:
        flags_end = flags.end()
    flags_text, body = pattern[:flags_end], pattern[flags_end:]
    if "x" in flags_text:
        return None  # verbose: comments and spaces the scan does not read
    shape = _pattern_shape(body)
    caret = body.startswith("^") and "m" not in flags_text  # `(?m)^` is any line's start
    if (caret or body.startswith("\\A")) and not shape.alternation:
        return literal.value
    prefix = literal.prefix
    quote = literal.quote
    content = literal.value[len(prefix) + len(quote) : len(literal.value) - len(quote)]
    if not content.startswith(flags_text):
        return None
    raw = "r" in prefix.lower()
    anchor = ("\\A" if raw else "\\\\A") if flags_text else "^"
    rest = content[len(flags_text) :]
    rest = f"(?:{rest})" if shape.alternation else rest
    anchored = f"{prefix}{quote}{flags_text}{anchor}{rest}{quote}"
    expected = flags_text + ("\\A" if flags_text else "^")
    expected += f"(?:{body})" if shape.alternation else body
    try:
        written = cst.parse_expression(anchored)
    except cst.ParserSyntaxError:
        return None
    if not isinstance(written, cst.SimpleString) or written.evaluated_value != expected:
        return None
    return anchored


def _regex_to_pattern(arg: cst.Arg, keyword: cst.Name) -> FixSpec:
    """`Field(regex=...)` -> `Field(pattern=...)`, anchored as v1 matched it.

    v1 checked `regex` with `re.match` (anchored at the start); v2 checks `pattern` with a
    search (pydantic-core's regex `is_match`): `regex="b"` refused `"abc"`, `pattern="b"`
    accepts it. A literal pattern not anchored at the start gets a `^` (`^(?:a|b)` for a
    top-level alternation, `\\A` after leading inline flags such as `(?m)`); any other
    value is renamed by an unsafe fix."""
    renamed: tuple[cst.CSTNode, str] = (keyword, "pattern")
    value = arg.value
    pattern = value.evaluated_value if isinstance(value, cst.SimpleString) else None
    if not isinstance(value, cst.SimpleString) or not isinstance(pattern, str):
        fix = FixSpec("Use `pattern=`", (renamed,))
        return unsafe(fix, "not a literal: v2 searches `pattern`, v1 matched `regex` at the start")
    anchored = _anchored_literal(value, pattern)
    if anchored is None:
        fix = FixSpec("Use `pattern=`", (renamed,))
        return unsafe(fix, "the pattern could not be anchored at the start as v1 matched it")
    if anchored == value.value:
        fix = FixSpec("Use `pattern=`", (renamed,))
    else:
        fix = FixSpec("Use `pattern=`, anchored at the start", (renamed, (value, anchored)))
    if _pattern_shape(pattern).class_operations:
        reason = "v2's regex engine reads `[`, `&&`, `--`, `~~` in a class as set operations"
        return unsafe(fix, reason)
    if _has_dollar(pattern):
        reason = "v1's `$` also matched before a final newline, v2's does not"
        return unsafe(fix, reason)
    return fix


def _has_dollar(pattern: str) -> bool:
    """Whether the pattern has a `$` anchor (not escaped, not in a character class)."""
    escaped = in_class = False
    for character in pattern:
        if escaped:
            escaped = False
        elif character == "\\":
            escaped = True
        elif in_class:
            in_class = character != "]"
        elif character == "[":
            in_class = True
        elif character == "$":
            return True
    return False


def _move_base_settings(
    node: cst.ImportFrom, alias: cst.ImportAlias, module: cst.Module
) -> FixSpec | None:
    """`from pydantic import BaseSettings` -> `from pydantic_settings import BaseSettings`;
    from a longer import, the name moves to its own line, or joins the file's import from
    `pydantic_settings` when it has one next to it (one line per package, as isort
    writes). `GenericModel` has no 1:1 replacement."""
    if dotted_name(alias.name) != "BaseSettings" or isinstance(node.names, cst.ImportStar):
        return None
    rest = [a for a in node.names if a is not alias]
    kept_code = ""
    if rest:
        rest[-1] = rest[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
        kept_code = code_of(node.with_changes(names=rest))
        if "\n" in kept_code:
            return None  # a parenthesised multi-line import: left to the author
    existing = _settings_import_beside(node, module)
    if existing is not None and alias.asname is None:
        # the line goes (an edit that empties its line removes it: `checks.fixer`)
        joined = code_of(with_name(existing, "BaseSettings"))
        return FixSpec("Import it from pydantic_settings", ((existing, joined), (node, kept_code)))
    moved = code_of(alias.with_changes(comma=cst.MaybeSentinel.DEFAULT))
    new_import = f"from pydantic_settings import {moved}"
    if not rest:
        return FixSpec("Import it from pydantic_settings", ((node, new_import),))
    newline = module.default_newline
    return FixSpec(
        "Import it from pydantic_settings", ((node, f"{kept_code}{newline}{new_import}"),)
    )


def _settings_import_beside(node: cst.ImportFrom, module: cst.Module) -> cst.ImportFrom | None:
    """The file's module-level `from pydantic_settings import ...` when only imports stand
    between it and `node`'s line (a name it gains is then bound before any use), and both
    are the one statement of their lines."""
    existing = module_imports_from(module, "pydantic_settings")
    if existing is None or isinstance(existing.names, cst.ImportStar):
        return None
    if any(dotted_name(name.name) == "BaseSettings" for name in existing.names):
        return None
    lines: dict[int, int] = {}
    for index, line in enumerate(module.body):
        if isinstance(line, cst.SimpleStatementLine) and len(line.body) == 1:
            lines[id(line.body[0])] = index
    if id(existing) not in lines or id(node) not in lines:
        return None
    low, high = sorted((lines[id(existing)], lines[id(node)]))
    between = module.body[low + 1 : high]
    if not all(
        isinstance(line, cst.SimpleStatementLine)
        and all(isinstance(small, cst.Import | cst.ImportFrom) for small in line.body)
        for line in between
    ):
        return None
    return existing


_V1_LAYER_MESSAGE = "`pydantic.v1` is the v1 compatibility layer: use the v2 API"
#: An import of the v1 layer stands when the selection names FG210: nobody writes
#: `pydantic.v1` by accident (a migration under way, a library's v1 models)
_V1_LAYER_NAMED = Condition((), frozenset(), fact=V1_LAYER_SELECTED)


#: `pydantic.Field`'s parameters (Pydantic 2.14) and those of v1 that FG209 reports: any
#: other keyword is an "extra", which v2 keeps only as JSON-schema data.
_FIELD_PARAMETERS = frozenset(
    {
        "alias",
        "alias_priority",
        "allow_inf_nan",
        "coerce_numbers_to_str",
        "decimal_places",
        "default",
        "default_factory",
        "deprecated",
        "description",
        "discriminator",
        "examples",
        "exclude",
        "exclude_if",
        "fail_fast",
        "field_title_generator",
        "frozen",
        "ge",
        "gt",
        "init",
        "init_var",
        "json_schema_extra",
        "kw_only",
        "le",
        "lt",
        "max_digits",
        "max_length",
        "min_length",
        "multiple_of",
        "pattern",
        "repr",
        "serialization_alias",
        "strict",
        "title",
        "union_mode",
        "validate_default",
        "validation_alias",
        "include",
        *_V1_FIELD_KEYWORDS,
    }
)
_FIELD_FUNCTIONS = frozenset({"pydantic.Field", "pydantic.fields.Field"})
#: The parameters of FastAPI's `Query()`, `Path()`, `Header()`, `Cookie()`, `Body()`,
#: `Form()` and `File()` (0.165; 0.100-0.154 took the same, and any other keyword as an
#: extra, `**extra`), with the v1 keywords FG409 reports.
_FASTAPI_PARAMETERS = frozenset(
    {
        # what `pydantic.Field` takes too: FastAPI's parameters are Pydantic fields
        *(
            _FIELD_PARAMETERS
            - _V1_FIELD_KEYWORDS.keys()
            - {
                "coerce_numbers_to_str",
                "exclude",
                "exclude_if",
                "field_title_generator",
                "frozen",
                "include",
                "init",
                "init_var",
                "kw_only",
                "repr",
            }
        ),
        "example",
        "include_in_schema",
        "openapi_examples",
        *V1_PARAMETER_KEYWORDS,
    }
)
#: What each function takes besides (`Body(embed=True)`, `Header(convert_underscores=)`).
_FASTAPI_OWN_PARAMETERS = {
    "Header": frozenset({"convert_underscores"}),
    "Body": frozenset({"embed", "media_type"}),
    "Form": frozenset({"media_type"}),
    "File": frozenset({"media_type"}),
}
_FASTAPI_FUNCTION_NAMES = tuple(sorted({name.rpartition(".")[2] for name in FASTAPI_PARAMETERS}))
#: The FastAPI release that dropped `**extra`: another keyword is a `TypeError` at import.
_FASTAPI_EXTRA_REMOVED = "0.155"


def _fastapi_extra(function: str | None, keyword: str | None) -> bool:
    """Whether `keyword` is no parameter of the FastAPI parameter function `function`."""
    if function not in FASTAPI_PARAMETERS or keyword is None:
        return False
    name = function.rpartition(".")[2]
    return keyword not in _FASTAPI_PARAMETERS and keyword not in _FASTAPI_OWN_PARAMETERS.get(
        name, frozenset()
    )


#: Extra keywords that are OpenAPI or JSON-schema annotations (`nullable` is OpenAPI
#: 3.0's): meant as schema data, they are deprecated there, not mistaken checks.
_SCHEMA_KEYWORDS = frozenset({"nullable", "format", "readOnly", "writeOnly", "externalDocs", "xml"})
#: Keywords of other libraries' fields, or of a validator, that read as a check (`Field(...,
#: validators=[...])`, `required=True`, `choices=[...]`, `pre=True`, an ORM's
#: `primary_key=True`, SQLModel's `sa_column=`): Pydantic checks or maps none of them,
#: which the code cannot mean. Also any
#: `min_*`, `max_*` or `allow_*` keyword Pydantic does not define (`min_value=`).
_CHECK_KEYWORDS = frozenset(
    {
        "validators",
        "validator",
        "validate",
        "required",
        "choices",
        "allowed",
        "allowed_values",
        "blank",
        "null",
        "unique",
        "primary_key",
        "foreign_key",
        "index",
        "sa_column",
        "sa_type",
        "sa_column_args",
        "sa_column_kwargs",
        "sa_relationship",
        "sa_relationship_args",
        "sa_relationship_kwargs",
        "min",
        "max",
        "minimum",
        "maximum",
        "length",
        "range",
        "regexp",
        "enum",
        "Literal",
        "literal",
        "one_of",
        "not_empty",
        "error_messages",
        "env",
        "pre",
        "always",
        "each_item",
        "check_fields",
    }
)
_CHECK_PREFIXES = ("min_", "max_", "allow_")
#: The extra keywords FG211 reports as the project's spelling of its schema data.
_SPELLING_KEYWORDS = _SCHEMA_KEYWORDS | {"example"}


#: `Field(env=...)` args `PydanticFieldExtra.visit_AnnAssign` has reported (`ctx.marks`).
_ENV_SEEN = "fg211:env"
#: A redundant `env=` is reported in new code or when FG211 is named: the field reads the
#: same variable without it (readers judged 0 of 9 such findings worth a change).
_ENV_SELECTED = Condition((), frozenset(), fact=FIELD_ENV_SELECTED)
_ENV_SAME = (
    '`Field(env="{variable}")` names the variable pydantic-settings 2 reads anyway (the '
    "field's own name): drop the keyword (deprecated, gone in Pydantic 3)"
)
_ENV_IGNORED = (
    "`Field(env=...)` is ignored by pydantic-settings 2: `{field}` is read from the "
    "variable of its own name (after any `env_prefix`), not from {named}: name the "
    "variable with `validation_alias=`"
)


def _nested_variables(model: str, field: str, ctx: FileContext) -> set[str]:
    """The variables (lower-case) pydantic-settings 2 reads for `field` of `model` where a
    settings class of the file has a field of that model and a nested delimiter
    (`env_prefix` + its field + delimiter + `field`); none where the file cannot tell."""
    found: set[str] = set()
    for info in ctx.classes.values():
        if not ctx.derives_from(info.name, SETTINGS_BASES):
            continue
        known, delimiter = config_value(info.name, "env_nested_delimiter", ctx)
        text = string_value(delimiter) if known and delimiter is not None else None
        if not text:
            continue
        known, prefix = config_value(info.name, "env_prefix", ctx)
        sensitive_known, sensitive = config_value(info.name, "case_sensitive", ctx)
        insensitive = sensitive is None or (
            isinstance(sensitive, cst.Name) and sensitive.value == "False"
        )
        if not known or not sensitive_known or not insensitive:
            continue  # (a case-sensitive class reads the variable as the fields spell it)
        head = (string_value(prefix) if prefix is not None else "") or ""
        for name, annotation in info.fields.items():
            if isinstance(annotation, cst.Name) and annotation.value == model:
                found.add(f"{head}{name}{text}{field}".lower())
    return found


class PydanticFieldExtra(Rule):
    code = "FG211"
    name = "pydantic-field-extra-keyword"
    family = "Pydantic"
    message = (
        "`Field()` keyword Pydantic does not take: kept only as JSON-schema data "
        "(deprecated), it validates nothing"
    )
    summary = (
        "Checks for keyword arguments `pydantic.Field()` does not define (`validators=`, "
        "`required=`, `choices=`, `example=`, ...): Pydantic 1 put them in the field's JSON "
        "schema, Pydantic 2 still does with a deprecation warning (`json_schema_extra` is "
        "the v2 spelling). FG209 reports the v1 keywords that have a v2 name (`regex`, "
        "`min_items`, ...). A keyword that looks like a check (`validators=`, "
        "`required=`, `choices=`, `Literal=`, `pre=`, an ORM's `primary_key=` or "
        "`sa_column=`, a "
        "`min_*`, `max_*` or "
        "`allow_*` keyword), or a misspelt parameter (`descriptino=`: the field has no "
        "description), is always reported; the schema data Pydantic 2 still "
        "writes (`example=`, OpenAPI's `nullable=`, a keyword given a mapping of data: "
        'langserve\'s `extra={"widget": {...}}`, or any other keyword: data a library '
        "reads from the field's schema, fastapi-amis-admin's `amis_form_item=`) follows "
        "the project's spelling "
        "(`examples=`, `json_schema_extra=`), as below. A settings field's `env=` (the v1 "
        "way to name its variable) is reported when it names another variable than the "
        "field's own name, which pydantic-settings 2 reads instead; one naming the same "
        "variable changes nothing and is reported in new code or when FG211 is named, "
        "also in a model a settings class of the file nests with a delimiter (`run: "
        'RunConfig`, `env_nested_delimiter="__"`: `env="<prefix>RUN__DEBUG"`). '
        "FastAPI's `Query()`, `Path()`, `Body()`, `Form()`, `File()`, `Header()` and "
        "`Cookie()` are checked the same way against their own parameters (FG409 reports "
        "their v1 keywords): FastAPI 0.100-0.154 kept another keyword as schema data only "
        "(`**extra`, deprecated in its signature, without a warning at run time), and 0.155 "
        "dropped it: `Body(0, max=100)` raises "
        "`TypeError` when the module is imported. Where the project's pins admit FastAPI "
        "0.155 or later such a keyword is always reported.\n\n"
        f"{WHERE_IT_APPLIES_SPELLING}"
    )
    why = (
        "Pydantic never read them: `Field(None, validators=[check])` runs no validator, "
        "`Field(None, required=True)` leaves the field optional and `Field(choices=[...])` "
        "accepts any value: the keywords of another library's fields (schematics, "
        "marshmallow) that look like checks and check nothing. Validate with a type "
        "(`Literal[...]`, `Annotated[int, AfterValidator(check)]`), constraints "
        "(`ge=`, `max_length=`) or a `@field_validator`; keep schema data in "
        "`json_schema_extra={...}`, and write `examples=[...]` for `example=`. Pydantic 3 "
        "removes the extra keywords."
    )
    fix = (
        "No automatic fix: `examples=[x]` writes another JSON schema than `example=x`, and "
        "a validator the code never ran would start rejecting data."
    )
    bad = (
        Example(
            """
            from pydantic import BaseModel, Field


            def is_valid_status(value: str) -> str:
                if value not in {"MAPPED", "VALIDATED"}:
                    raise ValueError(value)
                return value


            class TaskUpdate(BaseModel):
                status: str = Field(..., validators=[is_valid_status])
                comment: str | None = Field(None, required=True)
            """,
            expect=2,
            note="a validator that never runs, a field still optional (tasking-manager)",
        ),
        Example(
            """
            from fastapi import APIRouter, Body

            router = APIRouter()


            @router.post("/feedback")
            async def rate(score: int = Body(0, max=100)) -> int:
                return score
            """,
            note="`le=100` meant: a `TypeError` at import on FastAPI 0.155+ (Langchain-Chatchat)",
        ),
        Example(
            """
            from pydantic import BaseModel, Field


            class Product(BaseModel):
                name: str = Field(..., example="Coffee")
            """,
            note="a v1 schema extra: `examples=[...]` in v2",
        ),
        Example(
            """
            from pydantic import BaseModel, Field


            class ChatInput(BaseModel):
                messages: list[str] = Field(..., extra={"widget": {"type": "chat"}})
            """,
            note="a mapping of schema data (langserve's playground widgets): "
            '`json_schema_extra={"extra": {...}}` writes the same schema',
        ),
        Example(
            """
            from pydantic import BaseModel, Field


            class ProjectRead(BaseModel):
                allow_self_join: bool | None = Field(True, nullable=True)
                density: float = Field(..., pre=True, always=True)
            """,
            expect=3,
            note="OpenAPI's `nullable` (json_schema_extra); a validator's keywords on a field "
            "(dispatch, lcfs)",
        ),
        Example(
            """
            from pydantic import Field
            from pydantic_settings import BaseSettings


            class MonitorSettings(BaseSettings):
                check_interval_minutes: int = Field(default=30, env="CREDIT_CHECK_INTERVAL")
            """,
            note="pydantic-settings 2 reads CHECK_INTERVAL_MINUTES: the variable the "
            "operator sets is ignored",
        ),
        Example(
            """
            from pydantic import Field
            from pydantic_settings import BaseSettings


            class WorkerSettings(BaseSettings):
                log_level: str = Field(default="INFO", env="LOG_LEVEL")
            """,
            note="`env=` naming the field's own variable: it changes nothing, reported in "
            "new code (the edit hook) or when FG211 is named",
        ),
    )
    good = (
        Example(
            """
            from fastapi import APIRouter, Body, Header

            router = APIRouter()


            @router.post("/feedback")
            async def rate(
                score: int = Body(0, le=100, embed=True),
                x_token: str | None = Header(None, convert_underscores=False),
            ) -> int:
                return score
            """,
            note="FastAPI's own parameters, `Body`'s and `Header`'s included",
        ),
        Example(
            """
            from typing import Annotated, Literal

            from pydantic import AfterValidator, BaseModel, Field


            def stripped(value: str) -> str:
                return value.strip()


            class TaskUpdate(BaseModel):
                status: Literal["MAPPED", "VALIDATED"]
                comment: Annotated[str, AfterValidator(stripped)] = Field(
                    max_length=500, examples=["done"], json_schema_extra={"x-order": 1}
                )
            """
        ),
        Example(
            """
            from sqlmodel import Field, SQLModel


            class Hero(SQLModel, table=True):
                id: int | None = Field(default=None, primary_key=True)
                name: str = Field(index=True, nullable=False)
            """,
            note="SQLModel's `Field` takes its own keywords",
        ),
        Example(
            """
            from pydantic import Field
            from pydantic_settings import BaseSettings


            class WorkerSettings(BaseSettings):
                check_interval: int = Field(default=30, validation_alias="CHECK_EVERY")
            """,
            note="the variable named with `validation_alias=`",
        ),
        Example(
            """
            from pydantic import BaseModel, Field

            options = {"description": "the name"}


            class Item(BaseModel):
                name: str = Field(**options)
            """,
            note="keywords passed with `**`: not known here",
        ),
    )

    def may_fire(self, evidence: Evidence) -> bool:
        return (evidence.has("Field") and evidence.has_package("pydantic")) or (
            evidence.has_package("fastapi") and evidence.has(*_FASTAPI_FUNCTION_NAMES)
        )

    def may_fire_in(self, structure: Structure) -> bool:
        # `visit_Call`: a keyword outside `_FIELD_PARAMETERS` in a call of pydantic's Field,
        # or one no FastAPI parameter function takes (`_fastapi_extra`)
        return any(
            keyword.arg is not None and keyword.arg not in _FIELD_PARAMETERS
            for call in structure.calls_to(_FIELD_FUNCTIONS)
            for keyword in call.node.keywords
        ) or any(
            _fastapi_extra(function, keyword.arg)
            for call in structure.calls_to(FASTAPI_PARAMETERS)
            for function in structure.qualified(call.dotted)
            for keyword in call.node.keywords
        )

    def deferred_conditions(self, structure: Structure) -> tuple[Condition, ...] | None:
        # every finding is a spelling Pydantic 2 still runs (`visit_Call`: `example=`, a
        # schema keyword) but `env=` (`visit_AnnAssign`) and a keyword that looks like a
        # check
        if any(
            keyword.arg not in _FIELD_PARAMETERS
            and keyword.arg not in _SPELLING_KEYWORDS
            and not isinstance(keyword.value, ast.Dict)
            and _reads_as_a_check(keyword.arg)
            for call in structure.calls_to(_FIELD_FUNCTIONS)
            for keyword in call.node.keywords
            if keyword.arg is not None
        ) or any(
            _fastapi_extra(function, keyword.arg)
            for call in structure.calls_to(FASTAPI_PARAMETERS)
            for function in structure.qualified(call.dotted)
            for keyword in call.node.keywords
        ):
            return None
        gate = spelling_gate(self.code)
        return (gate,) if gate is not None else None

    def visit_AnnAssign(self, node: cst.AnnAssign, ctx: FileContext) -> None:
        # `env=` of a pydantic-settings field: the v1 way to name its variable, which
        # pydantic-settings 2 ignores (it reads the field's own name)
        value, target, owner = node.value, node.target, ctx.enclosing_class
        if not (
            isinstance(value, cst.Call)
            and isinstance(target, cst.Name)
            and owner is not None
            and ctx.in_class_body
            and ctx.qualified_name(value.func) in _FIELD_FUNCTIONS
        ):
            return
        env = keyword_arg(value, "env")
        if env is None:
            return
        if not ctx.derives_from(owner.name, SETTINGS_BASES):
            # a model a settings class of the file nests (`run: RunConfig`, read from
            # `APP_CONFIG__RUN__DEBUG` with `env_prefix="APP_CONFIG__"` and
            # `env_nested_delimiter="__"`): an `env=` naming that variable changes
            # nothing (Babadzakkkich's 31 fields, reader 106); another is an extra keyword
            variable = string_value(env.value)
            if variable is not None and variable.lower() in _nested_variables(
                owner.name, target.value, ctx
            ):
                ctx.marks(_ENV_SEEN).add(id(env))
                ctx.report_if(env, _ENV_SELECTED, _ENV_SAME.format(variable=variable))
            return
        ctx.marks(_ENV_SEEN).add(id(env))
        variable = string_value(env.value)
        field = target.value
        if variable is not None and self._reads_the_same(variable, field, value, ctx):
            ctx.report_if(env, _ENV_SELECTED, _ENV_SAME.format(variable=variable))
            return
        named = f"`{variable}`" if variable is not None else "the variable it names"
        ctx.marks(MISBEHAVES_ON_V2).add(id(env))
        ctx.report(env, _ENV_IGNORED.format(field=field, named=named))

    @staticmethod
    def _reads_the_same(variable: str, field: str, call: cst.Call, ctx: FileContext) -> bool:
        """Whether pydantic-settings 2 reads `variable` for the field anyway: its own name
        (case-insensitively unless the class says `case_sensitive = True`), no alias, and
        no `env_prefix` in the class's config (as the file shows it)."""
        owner = ctx.enclosing_class
        if owner is None or any(
            keyword_arg(call, name) is not None for name in ("alias", "validation_alias")
        ):
            return False
        known, prefix = config_value(owner.name, "env_prefix", ctx)
        if not known or (prefix is not None and string_value(prefix) != ""):
            return False
        known, sensitive = config_value(owner.name, "case_sensitive", ctx)
        if not known or not (sensitive is None or isinstance(sensitive, cst.Name)):
            return False
        if isinstance(sensitive, cst.Name) and sensitive.value == "True":
            return variable == field
        return variable.lower() == field.lower()

    def visit_Call(self, node: cst.Call, ctx: FileContext) -> None:
        function = ctx.qualified_name(node.func)
        if function in FASTAPI_PARAMETERS:
            self._fastapi_call(node, function, ctx)
            return
        if function not in _FIELD_FUNCTIONS:
            return
        seen = ctx.marks(_ENV_SEEN)
        for arg in node.args:
            keyword = arg.keyword.value if arg.keyword is not None else None
            if keyword is None or keyword in _FIELD_PARAMETERS or id(arg) in seen:
                continue
            if keyword == "example":
                message = (
                    "`Field(example=...)` is a Pydantic v1 schema extra (deprecated in v2): "
                    "use `examples=[...]`"
                )
            elif keyword in _SCHEMA_KEYWORDS:
                message = (
                    f"`Field({keyword}=...)` is an extra keyword (deprecated in Pydantic 2, "
                    f"gone in 3): write the schema's `{keyword}` in `json_schema_extra`"
                )
            elif keyword in _BOUND_NAMES:
                message = (
                    f"`Field({keyword}=...)` is no Pydantic argument: the bound is "
                    f"`{_BOUND_NAMES[keyword]}=`; Pydantic keeps `{keyword}` as JSON-schema "
                    "data (deprecated) and checks nothing"
                )
                ctx.marks(MISBEHAVES_ON_V2).add(id(arg))
            elif (meant := _misspelt(keyword)) is not None:
                message = (
                    f"`Field({keyword}=...)` is no Pydantic argument: `{meant}` misspelt? "
                    f"Pydantic keeps it as JSON-schema data under its own name (deprecated) "
                    f"and the field has no `{meant}`"
                )
                ctx.marks(MISBEHAVES_ON_V2).add(id(arg))
            elif isinstance(arg.value, cst.Dict) or not _reads_as_a_check(keyword):
                # data, not a check: what a schema's reader (langserve's playground reads
                # `extra.widget`, fastapi-amis-admin's parser `amis_form_item`) finds under
                # the keyword's name
                value = "{...}" if isinstance(arg.value, cst.Dict) else "..."
                message = (
                    f"`Field({keyword}={value})` is an extra keyword (deprecated in Pydantic "
                    f"2, gone in 3), written in the field's JSON schema as `{keyword}`: "
                    f'write `json_schema_extra={{"{keyword}": {value}}}`, which writes the same'
                )
            else:
                message = (
                    f"`Field({keyword}=...)` is no Pydantic argument: kept only as JSON-schema "
                    "data (deprecated), it validates nothing"
                )
                # it looks like a check and checks nothing: never the project's spelling
                ctx.marks(MISBEHAVES_ON_V2).add(id(arg))
            ctx.report(arg, message)

    @staticmethod
    def _fastapi_call(node: cst.Call, function: str, ctx: FileContext) -> None:
        """`Body(0, max=100)`: a keyword FastAPI's parameter functions do not take. FastAPI
        0.100-0.154 kept it as JSON-schema data (deprecated: it validates nothing); 0.155
        dropped `**extra`, and the call raises `TypeError` when the module is imported."""
        name = function.rpartition(".")[2]
        fails = ctx.package_at_least("fastapi", _FASTAPI_EXTRA_REMOVED)
        for arg in node.args:
            keyword = arg.keyword.value if arg.keyword is not None else None
            if keyword is None or not _fastapi_extra(function, keyword):
                continue
            if keyword == "annotation" and not fails:
                # FastAPI's own `params.Param(annotation=...)`, which the declared type
                # overrides: a no-op, no schema data (jpcadena's `Query(annotation=...)`
                # on FastAPI 0.115, reader 65)
                continue
            if fails:
                message = (
                    f"`{name}({keyword}=...)` is no FastAPI parameter: FastAPI 0.155+ raises "
                    "`TypeError` when the module is imported (older versions keep it as "
                    "JSON-schema data, which validates nothing)"
                )
            else:
                message = (
                    f"`{name}({keyword}=...)` is no FastAPI parameter: kept only as "
                    "JSON-schema data (deprecated, a `TypeError` from FastAPI 0.155), it "
                    "validates nothing"
                )
            text = string_value(arg.value)
            meant = _misspelt(keyword, _FASTAPI_PARAMETERS)
            if meant is not None:
                # (hbx2919554702-cell's `Query(escription=...)`, phan-tang's bounds: reader
                # 94)
                message += (
                    f": the bound is `{meant}=`"
                    if keyword in _BOUND_NAMES
                    else f": `{meant}` misspelt?"
                )
            elif text is not None and " " in text.strip():
                # prose (AndreyGichan's `Query("", detail="Поиск по статусу")`, reader
                # 93): the parameter's help text, which OpenAPI reads from `description=`
                message += f": write the text as `{name}(description=...)`"
            elif keyword == "enum":
                # the allowed values (Zo2Be's `Query(enum=["id", "title"])`, reader 121):
                # a type FastAPI validates them with
                message += (
                    ": declare the parameter as a `Literal[...]` of those values, or an "
                    "`Enum`, which FastAPI validates and documents"
                )
            if fails or keyword not in _SPELLING_KEYWORDS:
                ctx.marks(MISBEHAVES_ON_V2).add(id(arg))
            ctx.report(arg, message)


def _reads_as_a_check(keyword: str) -> bool:
    """Whether an extra keyword of `Field()` reads as a check (`_CHECK_KEYWORDS`), or is a
    misspelt parameter (`_misspelt`): either way the code means what Pydantic ignores."""
    return (
        keyword in _CHECK_KEYWORDS
        or keyword.startswith(_CHECK_PREFIXES)
        or _misspelt(keyword) is not None
    )


#: Bounds written with another library's or language's name (JSON Schema's `minimum`,
#: marshmallow's and WTForms' `min`): the constraint Pydantic and FastAPI name otherwise
#: (phan-tang's `Field(min=0)` on prices, which then accepts negative ones: reader 94).
_BOUND_NAMES = {
    "min": "ge",
    "max": "le",
    "minimum": "ge",
    "maximum": "le",
    "min_value": "ge",
    "max_value": "le",
    "exclusive_minimum": "gt",
    "exclusive_maximum": "lt",
}


@functools.cache
def _misspelt(keyword: str, parameters: frozenset[str] | None = None) -> str | None:
    """The parameter of `Field()` (or of `parameters`) an extra keyword misspells
    (`descriptino`: a letter off `description`; `escription`, a letter short), if one is
    that close, or names otherwise (`min`: `ge`, `_BOUND_NAMES`)."""
    import difflib

    if keyword in _BOUND_NAMES:
        return _BOUND_NAMES[keyword]
    known = sorted(_FIELD_PARAMETERS if parameters is None else parameters)
    close = difflib.get_close_matches(keyword, known, n=1, cutoff=0.85)
    return close[0] if close else None


class PydanticV1Imports(Rule):
    code = "FG210"
    name = "pydantic-v1-import"
    family = "Pydantic"
    message = "Pydantic v1 import"
    summary = (
        "Checks for imports that only exist in Pydantic v1 or its compatibility layer: "
        "`from pydantic import BaseSettings` (or `pydantic.BaseSettings`), "
        "`pydantic.generics.GenericModel`, "
        "`pydantic.v1`. An import of `pydantic.v1` is reported when the selection names "
        "FG210: nobody writes it by accident (a migration under way, a library's v1 models "
        "such as langchain before 0.3 takes), so it is an inventory for the team that "
        "finishes the move, not a slip; the two others are reported (`BaseSettings` fails "
        "on Pydantic 2, `GenericModel` is a deprecated alias of `BaseModel` there, which "
        "3.0 removes), but not in a compat fallback that only Pydantic 1 runs (`try: from "
        "pydantic_settings import BaseSettings` / `except ImportError: from pydantic "
        f"import BaseSettings`).\n\n{WHERE_IT_APPLIES}"
    )
    why = (
        "`BaseSettings` moved to the pydantic-settings package, `GenericModel` is a "
        "deprecated alias of `BaseModel` (it warns, and Pydantic 3 removes it: subclass "
        "`BaseModel, Generic[T]`), and `pydantic.v1` is the frozen v1 API kept "
        "for migrations: code on it gets none of v2's speed or fixes. A project may keep "
        "`pydantic.v1` on purpose for a while: to move its models to v2 one at a time, or "
        "to accept its own users' v1 models (`isinstance(m, pydantic.v1.BaseModel)`). "
        "The other Pydantic rules leave the models of the layer alone (their `.dict()`, "
        "`class Config` and `@validator` are right there), and an import of the layer "
        "under a version test or in a `try: ... except ImportError:` compat block is not "
        "reported; elsewhere the import stays a finding, to be kept with a `# noqa: FG210` "
        "that says why."
    )
    fix = (
        "Safe fix: `BaseSettings` is imported from `pydantic_settings` (moved to its own "
        "line when the import names more); `pydantic.v1` and `GenericModel` need an author "
        "(no fix)."
        f" {FIX_TARGET_NOTE}"
    )
    bad = (
        Example(
            """
            from pydantic import BaseSettings


            class Settings(BaseSettings):
                database_url: str
            """
        ),
        Example(
            """
            import pydantic.v1
            from pydantic.generics import GenericModel
            from pydantic.v1 import BaseModel
            """,
            expect=3,
        ),
        Example(
            """
            import pydantic


            class Settings(pydantic.BaseSettings):
                database_url: str
            """,
            note="the module's attribute: the same `PydanticImportError` on Pydantic 2",
        ),
    )
    good = (
        Example(
            """
            from pydantic_settings import BaseSettings


            class Settings(BaseSettings):
                database_url: str
            """
        ),
        Example(
            """
            from typing import Generic, TypeVar

            from pydantic import BaseModel

            T = TypeVar("T")

            class Page(BaseModel, Generic[T]):
                items: list[T]
            """,
        ),
        Example(
            """
            try:
                from pydantic.v1 import BaseModel as V1BaseModel
            except ImportError:
                V1BaseModel = None

            try:
                from pydantic_settings import BaseSettings
            except ImportError:
                from pydantic import BaseSettings
            """,
            note="compat imports in a try/except ImportError block",
        ),
        Example(
            """
            import pydantic

            try:
                from pydantic_settings import BaseSettings
            except ImportError:
                BaseSettings = pydantic.BaseSettings
            """,
            note="the module's attribute in the fallback only Pydantic 1 runs",
        ),
        Example(
            """
            from pydantic import VERSION

            if VERSION.startswith("2."):
                from pydantic.v1 import BaseModel as V1BaseModel
            else:
                from pydantic import BaseModel as V1BaseModel
            """,
            note="an import under a version test",
        ),
    )
    fixes = (
        FixExample(
            """
            from pydantic import BaseSettings, Field


            class Settings(BaseSettings):
                database_url: str = Field(...)
            """,
            """
            from pydantic import Field
            from pydantic_settings import BaseSettings


            class Settings(BaseSettings):
                database_url: str = Field(...)
            """,
        ),
    )

    def may_fire(self, evidence: Evidence) -> bool:
        return evidence.has_package("pydantic") and evidence.has(
            "v1", "BaseSettings", "GenericModel"
        )

    def visit_ImportFrom(self, node: cst.ImportFrom, ctx: FileContext) -> None:
        if node.relative or node.module is None:
            return
        module = dotted_name(node.module)
        if module == "pydantic.v1" or (module or "").startswith("pydantic.v1."):
            ctx.report_if(node, _V1_LAYER_NAMED, _V1_LAYER_MESSAGE)
            return
        if isinstance(node.names, cst.ImportStar):
            return
        for alias in node.names:
            name = dotted_name(alias.name)
            message = _V1_IMPORTS.get(f"{module}.{name}")
            if message is not None:
                fix = _move_base_settings(node, alias, ctx.module)
                ctx.report(alias, message, fix=fix)

    def visit_Attribute(self, node: cst.Attribute, ctx: FileContext) -> None:
        # the module's attribute: `class Settings(pydantic.BaseSettings)` fails on
        # Pydantic 2 as its import does (`PydanticImportError`, when the class body runs)
        if node.attr.value not in _V1_ATTRIBUTE_NAMES:
            return
        message = _V1_IMPORTS.get(ctx.qualified_name(node) or "")
        if message is not None:
            ctx.report(node, message)

    def visit_Import(self, node: cst.Import, ctx: FileContext) -> None:
        for alias in node.names:
            name = dotted_name(alias.name) or ""
            if name == "pydantic.v1" or name.startswith("pydantic.v1."):
                ctx.report_if(alias, _V1_LAYER_NAMED, _V1_LAYER_MESSAGE)

"""FG212: a Pydantic 2 API in a project that runs Pydantic 1, the reverse of FG201-FG211.

Measured on Pydantic 1.10.27: a `class Config:` key by its Pydantic 2 name is ignored
(`from_attributes = True` leaves `orm_mode` off: `from_orm()` raises `ConfigError`, and a
route returning ORM rows through the model answers 500), `model_config = {...}` becomes
a field of the model, `.model_dump()` raises `AttributeError`, and `from pydantic import
field_validator` raises `ImportError`. Assistants write these into Pydantic 1 projects as
readily as they write Pydantic 1 APIs into Pydantic 2 ones.
"""

from __future__ import annotations

from typing import ClassVar

from checks.context import FileContext, FixSpec, code_of, conjoin, descendants
from checks.lazy import libcst as cst
from checks.prefilter import Evidence
from checks.project import Condition
from checks.project_facts import NO_V2_SETTINGS
from checks.rule import Example, FixExample, Rule
from checks.rules.pydantic_config import config_assignments

#: The `Config` keys Pydantic 2 renamed: the v2 name, the v1 name, and what is lost while
#: Pydantic 1 ignores the v2 one.
_RENAMED_KEYS: dict[str, tuple[str, str]] = {
    "from_attributes": (
        "orm_mode",
        "`from_orm()` raises `ConfigError`, and a route whose `response_model` is this "
        "model answers 500 for the ORM objects it returns",
    ),
    "populate_by_name": (
        "allow_population_by_field_name",
        "a field with an alias accepts its alias only",
    ),
    "json_schema_extra": ("schema_extra", "the OpenAPI schema shows none of it"),
    "str_strip_whitespace": ("anystr_strip_whitespace", "no string is stripped"),
    "str_to_lower": ("anystr_lower", "no string is lowered"),
    "str_to_upper": ("anystr_upper", "no string is uppered"),
    "str_max_length": ("max_anystr_length", "no string length is limited"),
    "str_min_length": ("min_anystr_length", "no string length is limited"),
    "validate_default": ("validate_all", "no default is validated"),
    "ignored_types": ("keep_untouched", "the types are not kept untouched"),
}
#: A model's Pydantic 2 methods (and `model_fields`), with their Pydantic 1 spelling.
_V2_METHODS: dict[str, str] = {
    "model_dump": ".dict()",
    "model_dump_json": ".json()",
    "model_validate": ".parse_obj()",
    "model_validate_json": ".parse_raw()",
    "model_copy": ".copy()",
    "model_json_schema": ".schema()",
    "model_construct": ".construct()",
    "model_rebuild": ".update_forward_refs()",
}
_V2_ATTRIBUTES: dict[str, str] = {
    "model_fields": "__fields__",
    "model_fields_set": "__fields_set__",
}
#: What Pydantic 2 exports that Pydantic 1 does not, with the Pydantic 1 way, if any.
_V2_NAMES: dict[str, str | None] = {
    "field_validator": "`validator`",
    "model_validator": "`root_validator`",
    "ConfigDict": "a `class Config:` in the model",
    "computed_field": "a `@property` (not serialized) or a `@root_validator` that sets it",
    "field_serializer": "`Config.json_encoders`",
    "model_serializer": None,
    "TypeAdapter": "`parse_obj_as`",
    "RootModel": "a model with a `__root__` field",
    "ValidationInfo": None,
    "AliasChoices": None,
    "AliasPath": None,
    "BeforeValidator": "`validator(..., pre=True)`",
    "AfterValidator": "`validator`",
    "PlainValidator": None,
    "WrapValidator": None,
    "PlainSerializer": None,
    "WrapSerializer": None,
    "SerializeAsAny": None,
    "InstanceOf": None,
    "SkipValidation": None,
}
_PYDANTIC_MODULES = ("pydantic", "pydantic.functional_validators", "pydantic.config")
#: The Pydantic 2 methods SQLModel's models have on Pydantic 1 too, since this release.
_SQLMODEL_METHODS = frozenset({"model_dump", "model_validate"})
_SQLMODEL_METHODS_SINCE = "0.0.14"
#: What only pydantic-settings 2 (Pydantic 2's) exports.
_V2_SETTINGS = frozenset({"BaseSettings", "SettingsConfigDict"})


class PydanticV2OnV1(Rule):
    """A Pydantic 2 API where the project's Pydantic target is 1."""

    code = "FG212"
    name = "pydantic-v2-api-on-v1"
    family = "Pydantic"
    on_pydantic_1: ClassVar[bool] = True
    message = "A Pydantic 2 API in a project that runs Pydantic 1"
    key_message = (
        "`{key}` is Pydantic 2's name for `{v1}`, and this project runs Pydantic 1 (its "
        "pins admit no Pydantic 2), which ignores the key: {lost}: `{v1} = ...` (or, if "
        "the code is written for Pydantic 2, require it in the pins)"
    )
    config_message = (
        "`model_config` is Pydantic 2's configuration, and this project runs Pydantic 1 "
        "(its pins admit no Pydantic 2), which reads `class Config:` only: `model_config` "
        "configures nothing ({what}): write its keys in `class Config:`, by their "
        "Pydantic 1 names (or, if the code is written for Pydantic 2, require it in the "
        "pins)"
    )
    method_message = (
        "`{name}` is Pydantic 2's, and this project runs Pydantic 1 (its pins admit no "
        "Pydantic 2), whose models have no `{name}`: `AttributeError` when this runs: "
        "`{v1}` (or, if the code is written for Pydantic 2, require it in the pins)"
    )
    import_message = (
        "`{name}` is Pydantic 2's, and this project runs Pydantic 1 (its pins admit no "
        "Pydantic 2): the import fails (`ImportError`) and the app does not start{instead} "
        "(or, if the code is written for Pydantic 2, require it in the pins)"
    )
    settings_message = (
        "`{name}` is pydantic-settings', which requires Pydantic 2, and this project's pins "
        "admit no Pydantic 2: an install from them has no `{name}`, and the app does not "
        "start; the code is written for Pydantic 2, so require it in the pins (its other "
        "Pydantic 2 APIs are held back until then: `--extend-select FG212` lists them)"
    )
    summary = (
        "Checks, in a project that surely runs Pydantic 1 (each of its pins admits no "
        'Pydantic 2, FastAPI\'s below 0.100 included, or `target-pydantic = "1"`; not '
        "where one pin admits 2 beside one that does not), for the Pydantic 2 APIs "
        "Pydantic 1 lacks: a key of a "
        "model's `class Config:` by the name Pydantic 2 gave it (`from_attributes`, "
        "`populate_by_name`, `json_schema_extra`, `str_strip_whitespace`, ...), which "
        "Pydantic 1 ignores; `model_config = ...` in a model's body, which Pydantic 1 "
        "does not read (a dict becomes a field of the model); a call of a model's "
        "Pydantic 2 method (`.model_dump()`, `.model_validate()`, `.model_copy()`, ...) "
        "or a read of `.model_fields`, unless the file defines a function of that name "
        "(a compatibility shim), or the pins require SQLModel 0.0.14 or later, whose "
        "models have `.model_dump()` and `.model_validate()` on Pydantic 1 too (those two "
        "are not reported there: which receiver is a plain `BaseModel`, the file may not "
        "say); and an import of what only Pydantic 2 exports "
        "(`field_validator`, `model_validator`, `ConfigDict`, `computed_field`, "
        "`TypeAdapter`, ...). Code under a version guard (`if PYDANTIC_V2:`, `try: "
        "from pydantic import field_validator except ImportError:`) is left, as the "
        "other Pydantic rules leave it. The reverse of FG201-FG211, which a project on "
        "Pydantic 1 holds back: reported whatever the selection. Where the code the "
        "project serves imports pydantic-settings' `BaseSettings` or `SettingsConfigDict` "
        "at module level (they exist only for Pydantic 2), the code is written for "
        "Pydantic 2 and the pins are stale: that import is reported, once per file, and "
        "the other findings are held back, listed when the selection names FG212 (the "
        "move is one pin).\n\n"
        "Where it applies: everywhere."
    )
    why = (
        "Pydantic 1 reads none of Pydantic 2's spellings, and says so late or never: a "
        "renamed `Config` key is ignored without a warning (`from_attributes = True` "
        "leaves ORM mode off, so each route returning rows through the model answers "
        "500), `model_config = {...}` becomes a field, a v2 method fails when the line "
        "runs, a v2 import when the app starts. Assistants trained on Pydantic 2 write "
        "these into Pydantic 1 projects; the project's pins decide which version runs, "
        "so the rule reads them (measured on Pydantic 1.10.27)."
    )
    fix = (
        "Unsafe fix (`--unsafe-fixes`): a renamed `Config` key gets its Pydantic 1 name "
        "(`from_attributes` -> `orm_mode`). Unsafe because the setting then takes effect: "
        "what the code never did (ORM mode, validated defaults) it now does. No fix for "
        "the others: which Pydantic 1 call keeps the meaning (`model_dump(mode='json')`) "
        "is the caller's decision."
    )
    bad = (
        Example(
            """
            from pydantic import BaseModel


            class TableOut(BaseModel):
                id: int
                seats: int

                class Config:
                    from_attributes = True
            """,
            project=(("requirements.txt", "fastapi==0.95.2\npydantic==1.10.13\n"),),
            note="a response model of ORM rows on FastAPI 0.95 (co1omkooo's, reader 159): "
            "every route returning a `Table` answers 500",
        ),
        Example(
            """
            from pydantic import BaseModel


            class PropertyIn(BaseModel):
                name: str
                model_config = {"from_attributes": True}


            def values(item: PropertyIn) -> dict[str, object]:
                return item.model_dump()
            """,
            project=(("requirements.txt", "pydantic==1.8.2\n"),),
            expect=2,
            note="Chiqo-ke's schemas and routes on Pydantic 1.8.2",
        ),
        Example(
            """
            from pydantic import BaseModel, field_validator


            class UserIn(BaseModel):
                email: str

                @field_validator("email")
                @classmethod
                def lower(cls, value: str) -> str:
                    return value.lower()
            """,
            project=(("pyproject.toml", '[project]\ndependencies = ["pydantic<2"]\n'),),
        ),
    )
    good = (
        Example(
            """
            from pydantic import BaseModel


            class TableOut(BaseModel):
                id: int
                seats: int

                class Config:
                    orm_mode = True
            """,
            project=(("requirements.txt", "fastapi==0.95.2\npydantic==1.10.13\n"),),
        ),
        Example(
            """
            from pydantic import BaseModel, ConfigDict


            class TableOut(BaseModel):
                model_config = ConfigDict(from_attributes=True)

                id: int
            """,
            project=(("requirements.txt", "pydantic==2.9.2\n"),),
            note="on Pydantic 2, the Pydantic 2 API",
        ),
        Example(
            """
            import pydantic

            PYDANTIC_V2 = pydantic.VERSION.startswith("2")


            def dump(model: pydantic.BaseModel) -> dict[str, object]:
                if PYDANTIC_V2:
                    return model.model_dump()
                return model.dict()
            """,
            project=(("requirements.txt", "pydantic<2\n"),),
            note="compat code under a version guard",
        ),
        Example(
            """
            from pydantic import BaseModel


            class Base(BaseModel):
                def model_dump(self) -> dict[str, object]:
                    return self.dict()


            def values(item: Base) -> dict[str, object]:
                return item.model_dump()
            """,
            project=(("requirements.txt", "pydantic==1.10.13\n"),),
            note="a shim the project defines for the move to Pydantic 2",
        ),
    )

    fixes = (
        FixExample(
            """
            from pydantic import BaseModel


            class TableOut(BaseModel):
                id: int

                class Config:
                    from_attributes = True
            """,
            """
            from pydantic import BaseModel


            class TableOut(BaseModel):
                id: int

                class Config:
                    orm_mode = True
            """,
            unsafe=True,
            project=(("requirements.txt", "pydantic==1.10.13\n"),),
        ),
    )

    def may_fire(self, evidence: Evidence) -> bool:
        return evidence.has(*_RENAMED_KEYS, "model_config", *_V2_NAMES) or evidence.has_attribute(
            *_V2_METHODS, *_V2_ATTRIBUTES
        )

    def visit_ClassDef(self, node: cst.ClassDef, ctx: FileContext) -> None:
        if not ctx.pydantic_1_only:
            return
        outer = ctx.enclosing_class
        if node.name.value == "Config" and outer is not None:
            if ctx.pydantic_derivation(outer.name) is False:
                return
            for name, _ in config_assignments(node):
                renamed = _RENAMED_KEYS.get(name.value)
                if renamed is None:
                    continue
                v1, lost = renamed
                fix = FixSpec(f"Rename to `{v1}`", ((name, v1),), applicability="unsafe")
                self._report(
                    name,
                    self.key_message.format(key=name.value, v1=v1, lost=lost),
                    ctx,
                    outer.name,
                    fix,
                )
            return
        if ctx.pydantic_derivation(node.name.value) is False:
            return
        for name, value in config_assignments(node):
            if name.value == "model_config":
                what = (
                    "a dict becomes a field of the model"
                    if isinstance(value, cst.Dict)
                    else "`ConfigDict` does not exist: `ImportError`"
                    if isinstance(value, cst.Call)
                    and ctx.qualified_name(value.func) in {"pydantic.ConfigDict"}
                    else "Pydantic 1 makes it a field"
                )
                self._report(name, self.config_message.format(what=what), ctx, node.name.value)

    def visit_Call(self, node: cst.Call, ctx: FileContext) -> None:
        func = node.func
        if not isinstance(func, cst.Attribute) or func.attr.value not in _V2_METHODS:
            return
        name = func.attr.value
        if not ctx.pydantic_1_only or name in _defined_functions(ctx):
            return
        if name in _SQLMODEL_METHODS and ctx.sqlmodel_at_least(_SQLMODEL_METHODS_SINCE):
            # SQLModel 0.0.14 gives its models both on Pydantic 1 too (MODERATE's 25
            # `.model_dump()`/`.model_validate()` calls on SQLModel 0.0.21 and Pydantic
            # 1.10: reader 209); which receiver is a plain `BaseModel`, the file may not say
            return
        message = self.method_message.format(name=f".{name}()", v1=_V2_METHODS[name])
        self._report(func.attr, message, ctx)

    def visit_Attribute(self, node: cst.Attribute, ctx: FileContext) -> None:
        name = node.attr.value
        if name not in _V2_ATTRIBUTES:
            return
        if not ctx.pydantic_1_only or name in _defined_functions(ctx):
            return
        message = self.method_message.format(name=f".{name}", v1=f".{_V2_ATTRIBUTES[name]}")
        self._report(node.attr, message, ctx)

    def visit_ImportFrom(self, node: cst.ImportFrom, ctx: FileContext) -> None:
        if node.relative or node.module is None or isinstance(node.names, cst.ImportStar):
            return
        if code_of(node.module) == "pydantic_settings" and ctx.pydantic_1_only:
            self._stale_pins(node, ctx)
            return
        if code_of(node.module) not in _PYDANTIC_MODULES or not ctx.pydantic_1_only:
            return
        for alias in node.names:
            if isinstance(alias.name, cst.Name) and alias.name.value in _V2_NAMES:
                instead = _V2_NAMES[alias.name.value]
                self._report(
                    alias.name,
                    self.import_message.format(
                        name=alias.name.value, instead=f": {instead}" if instead else ""
                    ),
                    ctx,
                )

    def _stale_pins(self, node: cst.ImportFrom, ctx: FileContext) -> None:
        """`from pydantic_settings import BaseSettings` at module level, under pins that
        admit only Pydantic 1: the one finding of stale pins (`NO_V2_SETTINGS`)."""
        line = ctx.parent(node)
        if line is None or not any(statement is line for statement in ctx.module.body):
            return  # (in a `try` or a function: guarded, or not the module's own)
        for alias in node.names if not isinstance(node.names, cst.ImportStar) else ():
            if isinstance(alias.name, cst.Name) and alias.name.value in _V2_SETTINGS:
                ctx.report(alias.name, self.settings_message.format(name=alias.name.value))
                return

    def _report(
        self,
        node: cst.CSTNode,
        message: str,
        ctx: FileContext,
        model: str | None = None,
        fix: FixSpec | None = None,
    ) -> None:
        derivation = ctx.pydantic_derivation(model) if model is not None else True
        # unless the served code imports pydantic-settings: the pins are stale, one finding
        fresh = Condition((), frozenset(), fact=NO_V2_SETTINGS)
        if derivation is True:
            ctx.report_if(node, fresh, message, fix)
        elif derivation is not False:
            ctx.report_if(node, conjoin(derivation, fresh), message, fix)


def _defined_functions(ctx: FileContext) -> set[str]:
    """The names the file defines with `def` anywhere (a model's shim `def model_dump`)."""
    found = ctx.stash("FG212-defined")
    if not found:
        found.append(
            {n.name.value for n in descendants(ctx.module) if isinstance(n, cst.FunctionDef)}
        )
    names: set[str] = found[0]
    return names

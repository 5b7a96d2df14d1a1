"""FG206 / FG207: Pydantic v1 model configuration (`orm_mode`, inner `class Config`)."""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from typing import NamedTuple

from checks.context import (
    MISBEHAVES_ON_V2,
    ClassInfo,
    FileContext,
    FixSpec,
    Lines,
    code_of,
    conjoin,
    dotted_name,
    rename,
    string_value,
)
from checks.lazy import VisitorBase, lazy_pattern, visitor
from checks.lazy import libcst as cst
from checks.prefilter import Evidence
from checks.project import Condition
from checks.project_facts import used_fact
from checks.pydantic_target import (
    FIX_TARGET_NOTE,
    WHERE_IT_APPLIES,
    WHERE_IT_APPLIES_SPELLING,
    is_migration,
    unsafe,
)
from checks.rule import Example, FixExample, Rule
from checks.structure import Structure

CONFIG_DICT_FACTORIES = frozenset(
    {
        "pydantic.ConfigDict",
        "pydantic.config.ConfigDict",
        "pydantic_settings.SettingsConfigDict",
        "pydantic_settings.main.SettingsConfigDict",
    }
)

#: Config keys no other library's `class Config` uses: they mark a Pydantic config.
PYDANTIC_CONFIG_KEYS = frozenset(
    {
        "orm_mode",
        "from_attributes",
        "allow_population_by_field_name",
        "populate_by_name",
        "schema_extra",
        "json_schema_extra",
        "anystr_strip_whitespace",
        "str_strip_whitespace",
        "anystr_lower",
        "anystr_upper",
        "min_anystr_length",
        "max_anystr_length",
        "validate_all",
        "validate_assignment",
        "arbitrary_types_allowed",
        "use_enum_values",
        "json_encoders",
        "underscore_attrs_are_private",
        "allow_mutation",
        "smart_union",
        "copy_on_model_validation",
        "keep_untouched",
        "env_file",
        "env_prefix",
        "env_nested_delimiter",
        "env_file_encoding",
        "alias_generator",
        "error_msg_templates",
        "getter_dict",
        "allow_inf_nan",
        "secrets_dir",
    }
)
_EXTRA_VALUES = frozenset({"forbid", "allow", "ignore"})


def config_assignments(node: cst.ClassDef) -> Iterator[tuple[cst.Name, cst.BaseExpression | None]]:
    """The `name = value` and `name: T = value` assignments of a class body (not a bare
    annotation, `orm_mode: True`, which sets nothing: t0vers' configs, reader 104)."""
    if not isinstance(node.body, cst.IndentedBlock):
        return
    for statement in node.body.body:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            if isinstance(small, cst.Assign):
                for target in small.targets:
                    if isinstance(target.target, cst.Name):
                        yield target.target, small.value
            elif (
                isinstance(small, cst.AnnAssign)
                and isinstance(small.target, cst.Name)
                and small.value is not None
            ):
                yield small.target, small.value


def _is_pydantic_extra(value: cst.BaseExpression | None, ctx: FileContext) -> bool:
    if isinstance(value, cst.Attribute):
        owner = ctx.qualified_name(value.value)
        return owner in {"pydantic.Extra", "pydantic.config.Extra"}
    if isinstance(value, cst.SimpleString):
        return value.evaluated_value in _EXTRA_VALUES
    return False


def looks_like_pydantic_config(node: cst.ClassDef, ctx: FileContext) -> bool:
    """Whether a `class Config` body sets keys only a Pydantic config has."""
    for name, value in config_assignments(node):
        if name.value in PYDANTIC_CONFIG_KEYS:
            return True
        if name.value == "extra" and _is_pydantic_extra(value, ctx):
            return True
    return False


class PydanticOrmMode(Rule):
    """`orm_mode` anywhere a Pydantic config is set."""

    code = "FG206"
    name = "pydantic-orm-mode"
    family = "Pydantic"
    message = (
        "`orm_mode` is the Pydantic v1 name, which Pydantic 2 ignores (a warning, and "
        "`model_validate(obj)` reads no attributes; FastAPI still reads them for a "
        "`response_model`): use `from_attributes=True`"
    )
    summary = (
        "Checks for `orm_mode` in a Pydantic config: an inner `class Config`, a "
        "`model_config` dict, `ConfigDict(orm_mode=...)` or a class keyword; not the "
        "`Config` of a class of no base but `object`, which no Pydantic reads. Held back "
        "(reported in new code and where named) in a model that defines its own "
        "`from_orm`, building itself field by field (`return cls(id=row.id, ...)`): "
        "nothing it calls reads the key.\n\n"
        f"{WHERE_IT_APPLIES}"
    )
    why = (
        "Pydantic v2 renamed `orm_mode` to `from_attributes`, and ignores the old key with "
        "a warning: under Pydantic 2 a model configured with `orm_mode` does not read "
        "attributes (`Model.model_validate(obj)` fails, `from_orm` raises), and a class "
        "keyword `orm_mode=True` stops the class from loading. Use "
        "`model_config = ConfigDict(from_attributes=True)`."
    )
    bad = (
        Example(
            """
            from pydantic import BaseModel


            class UserRead(BaseModel):
                id: int
                email: str

                class Config:
                    orm_mode = True
            """,
            also=("FG207",),
        ),
        Example(
            """
            from pydantic import BaseModel, ConfigDict

            class ProjectRead(BaseModel):
                model_config = ConfigDict(orm_mode=True)

            class TaskRead(BaseModel):
                model_config = {"orm_mode": True, "frozen": True}

            class TagRead(BaseModel, orm_mode=True):
                name: str
            """,
            expect=3,
        ),
        Example(
            """
            from pydantic import BaseConfig, create_model


            class OrmConfig(BaseConfig):
                orm_mode = True


            UserRead = create_model("UserRead", id=(int, ...), __config__=OrmConfig)
            """,
            note=(
                "a config class of v1's `BaseConfig` (Pydantic 2.10 ignores its `orm_mode`; "
                "2.11 and later refuse a class as `__config__`)"
            ),
        ),
    )
    good = (
        Example(
            """
            from pydantic import BaseModel, ConfigDict


            class UserRead(BaseModel):
                model_config = ConfigDict(from_attributes=True)

                id: int
                email: str
            """
        ),
        Example(
            """
            from app.legacy import LegacySchema


            class Item(LegacySchema):
                class Config:
                    orm_mode = True
            """,
            note=(
                "a base from another module: flagged only when the project shows it is a "
                "model of the main package, not of the `pydantic.v1` layer"
            ),
        ),
        Example(
            """
            ORM_MODE = "orm_mode"

            def options(orm_mode: bool) -> dict[str, bool]:
                return {"orm_mode": orm_mode}
            """,
            note="the word outside a Pydantic config",
        ),
        Example(
            """
            from pydantic import BaseModel


            class RoomRead(BaseModel):
                id: int

                class Config:
                    orm_mode: True
            """,
            note=(
                "a bare annotation (`orm_mode: True`) sets nothing (t0vers' schemas: "
                "the `class Config` is FG207's)"
            ),
        ),
        Example(
            """
            from pydantic.v1 import BaseModel


            class LegacyUserRead(BaseModel):
                id: int

                class Config:
                    orm_mode = True


            class LegacyTagRead(BaseModel, orm_mode=True):
                name: str
            """,
            note="models of the pydantic.v1 compatibility layer",
        ),
        Example(
            """
            from pydantic import BaseModel

            from app.compat import PYDANTIC_V2

            if PYDANTIC_V2:
                from pydantic import ConfigDict

                class ORMModel(BaseModel):
                    model_config = ConfigDict(from_attributes=True)
            else:

                class ORMModel(BaseModel):
                    class Config:
                        orm_mode = True
            """,
            note="both branches of a version test",
        ),
    )
    fixes = (
        FixExample(
            """
            from pydantic import BaseModel, ConfigDict


            class UserRead(BaseModel):
                model_config = ConfigDict(orm_mode=True)

                id: int
            """,
            """
            from pydantic import BaseModel, ConfigDict


            class UserRead(BaseModel):
                model_config = ConfigDict(from_attributes=True)

                id: int
            """,
            unsafe=True,
            note=(
                "unsafe on Pydantic 2, which ignores `orm_mode`: the rename turns attribute "
                "reading on (safe during a migration from Pydantic 1, which read it)"
            ),
        ),
    )

    fix = (
        "Unsafe fix: renames `orm_mode` to `from_attributes` (key, keyword or attribute). "
        "Pydantic 2 does not read `orm_mode` (it warns, and ignores the key; as a class "
        "keyword it raises `TypeError`): the rename makes the setting take effect, as it "
        "did under Pydantic 1. On a Pydantic 2 target that changes what the model does "
        "now, hence unsafe (safe for `orm_mode = False`, where both are off). During a "
        'migration (`target-pydantic = "2"` over pins that admit only Pydantic 1) a fix '
        "is judged by what the code does under Pydantic 2, where the migration takes it, "
        "against what it did under Pydantic 1: the rename keeps that meaning, safe. The "
        "fixed code is for Pydantic 2: Pydantic 1 ignores `from_attributes`, so move the "
        "pin with the fixes. A class whose base "
        "comes from another module is flagged only when the project shows the base is a "
        "model of the main package: a model of the `pydantic.v1` layer reads `orm_mode` "
        "and would ignore `from_attributes`."
        f" {FIX_TARGET_NOTE}"
    )

    def may_fire(self, evidence: Evidence) -> bool:
        return evidence.letter_escapes or b"orm_mode" in evidence.source

    def may_fire_in(self, structure: Structure) -> bool:
        # the visitors below: `orm_mode` as a keyword, a name assigned in a `Config`, or a
        # `model_config` dict key
        return (
            "orm_mode" in structure.keywords
            or "orm_mode" in structure.chains
            or "orm_mode" in structure.strings
        )

    def visit_ClassDef(self, node: cst.ClassDef, ctx: FileContext) -> None:
        if ctx.is_v1_layer_model(node.name.value):
            return  # `class M(pydantic.v1.BaseModel, orm_mode=True)`: v1 on purpose
        keywords = {k.keyword.value for k in node.keywords if k.keyword is not None}
        for keyword in node.keywords:
            if keyword.keyword is not None and keyword.keyword.value == "orm_mode":
                derivation = ctx.pydantic_derivation(node.name.value)
                fix = _rename_orm_mode(keyword.keyword, keyword.value, ctx, keywords)
                _report_in_model(keyword, derivation, fix, ctx)
        if ctx.derives_from(node.name.value, _BASE_CONFIGS):
            # `class OrmConfig(BaseConfig): orm_mode = True`, handed to `create_model(...,
            # __config__=OrmConfig)` or named as a model's `Config`: Pydantic 2 reads its
            # keys as a deprecated config class and ignores `orm_mode` as in `class Config`
            names = {name.value for name, _ in config_assignments(node)}
            for name, value in config_assignments(node):
                if name.value == "orm_mode":
                    fix = _rename_orm_mode(name, value, ctx, names)
                    ctx.report(name, _message(fix), fix=fix)
        outer = ctx.enclosing_class
        if node.name.value == "Config" and outer is not None and not _in_v1_layer_model(ctx):
            derivation = ctx.pydantic_derivation(outer.name)
            if derivation is False and not _may_be_a_model(outer, ctx):
                # a class of no base but `object` (wlsouza's `class TaskInDBBase:`, reader
                # 91): no Pydantic reads its `Config`, v1 nor v2, nor a model's that
                # extends it (a model inherits the config of its model bases only)
                return
            if "from_orm" in outer.methods:
                # the class builds itself from an ORM object (`def from_orm(cls, obj):
                # return cls(id=obj.id, ...)`: PetTechh's schemas, reader 156): the key
                # asks for what no call of it uses; held back (reported where named)
                held = Condition((), frozenset(), fact=used_fact(self.code, ""))
                derivation = (
                    conjoin(derivation, held) if isinstance(derivation, Condition) else held
                )
            names = {name.value for name, _ in config_assignments(node)}
            for name, value in config_assignments(node):
                if name.value == "orm_mode":
                    fix = _rename_orm_mode(name, value, ctx, names)
                    _report_in_model(name, derivation, fix, ctx)

    def visit_Assign(self, node: cst.Assign, ctx: FileContext) -> None:
        if not ctx.in_class_body or _in_v1_layer_model(ctx):
            return
        if not any(
            isinstance(t.target, cst.Name) and t.target.value == "model_config"
            for t in node.targets
        ):
            return
        value = node.value
        if isinstance(value, cst.Dict):
            keys = {
                element.key.evaluated_value
                for element in value.elements
                if isinstance(element, cst.DictElement)
                and isinstance(element.key, cst.SimpleString)
            }
            for element in value.elements:
                key = element.key if isinstance(element, cst.DictElement) else None
                if isinstance(key, cst.SimpleString) and key.evaluated_value == "orm_mode":
                    if "from_attributes" in keys:
                        ctx.report(key, ALSO_SET)
                        continue
                    quote = key.value[-1]
                    fix = FixSpec(
                        "Use `from_attributes`", ((key, f"{quote}from_attributes{quote}"),)
                    )
                    kept = isinstance(element, cst.DictElement) and _keeps_meaning(
                        element.value, ctx
                    )
                    ctx.report(key, fix=fix if kept else unsafe(fix, _TURNS_ON))
        elif isinstance(value, cst.Call):
            self._check_keywords(value, ctx)

    def visit_Call(self, node: cst.Call, ctx: FileContext) -> None:
        if ctx.qualified_name(node.func) in CONFIG_DICT_FACTORIES:
            self._check_keywords(node, ctx)

    def _check_keywords(self, call: cst.Call, ctx: FileContext) -> None:
        keywords = {arg.keyword.value for arg in call.args if arg.keyword is not None}
        for arg in call.args:
            if arg.keyword is not None and arg.keyword.value == "orm_mode":
                fix = _rename_orm_mode(arg.keyword, arg.value, ctx, keywords)
                ctx.report(arg, _message(fix), fix=fix)


class PydanticClassConfig(Rule):
    """An inner `class Config:` of a Pydantic model."""

    code = "FG207"
    name = "pydantic-class-config"
    family = "Pydantic"
    message = "Inner `class Config` is the Pydantic v1 API: use `model_config = ConfigDict(...)`"
    summary = (
        "Checks for an inner `class Config:` in a Pydantic model. One that sets a key "
        "Pydantic 2 ignores or refuses (renamed or removed), or defines a method, "
        "misbehaves and is always reported, its message naming the key or method; `orm_mode` "
        "alone is FG206's finding, and so is `orm_mode` beside "
        "`allow_population_by_field_name` in a model that gives no field an alias (no "
        "`alias` in it nor in a base of the file; a base of another module may), where "
        "populating by name is all there is. Not in a class of no base but `object`: no "
        "Pydantic "
        "reads its `Config`, nor that of a plain class a model extends.\n\n"
        f"{WHERE_IT_APPLIES_SPELLING}"
    )
    why = (
        "Pydantic v2 configures a model with a `model_config = ConfigDict(...)` attribute "
        "(`SettingsConfigDict` for settings); the inner `class Config` is deprecated, and "
        "several of its keys were renamed (`orm_mode` -> `from_attributes`, "
        "`allow_population_by_field_name` -> `populate_by_name`, which 2.11+ calls "
        "`validate_by_name`, `schema_extra` -> `json_schema_extra`). `ConfigDict` is a "
        "TypedDict, so a type checker catches a misspelled key. The outer class must be "
        "known to be a model, or the `Config` body must set keys only Pydantic has: "
        "unrelated `Config` classes are left alone."
    )
    fix = (
        "Safe fix: the inner `class Config` becomes `model_config = ConfigDict(...)` with the "
        "v2 key names (`orm_mode` -> `from_attributes`, `schema_extra` -> "
        '`json_schema_extra`, `Extra.forbid` -> `"forbid"`, ...), importing `ConfigDict` '
        "(`allow_population_by_field_name` -> `validate_by_name` where the project's pins "
        "hold every install at Pydantic 2.11 or later, else `populate_by_name`, which "
        "2.11 keeps as the same setting) "
        "when needed; in a settings class, `model_config = SettingsConfigDict(...)` from "
        "pydantic-settings, with its `env_*` keys. An import of `Extra` left unused goes. "
        "The comments of the `Config` body are kept in the call, one key a line. "
        "Pydantic 2 ignores the v1 names of renamed keys (with a warning): renaming them "
        "makes them take effect, as under Pydantic 1, which changes what the model does on "
        "a Pydantic 2 target: there a `Config` with such a key set to anything but `False` "
        "(`orm_mode = True`, `allow_population_by_field_name`, `anystr_*`, `schema_extra`, "
        "`validate_all`, ...) gets an unsafe fix (during a migration it keeps the "
        "meaning). "
        "`class Config(Base.Config)` in a model whose one base is `Base` is converted too "
        "(v1 and v2 merge the base's config anyway). No fix when the file reads or "
        "extends the `Config` (`Model.Config.title`, `class Config(Model.Config)`, "
        "`Config.x = ...` in the class body): a v2 model has no `Config` attribute. "
        "Unsafe fix for a model other models may extend the `Config` of: one subclassed in "
        "the file, or one without fields of its own (a shared base such as "
        "`BaseSchema`), as other modules may write `class Config(BaseSchema.Config)`. "
        "No fix either when another module of the run reads or extends the `Config` "
        "(`class Config(UserBase.Config)`, `UserBase.Config.title`, also through a "
        "subclass): the project index says so, and a run of one file does not see the "
        "modules that import it, so fix a project as a whole (`check --fix .`); once the "
        "extending `Config` is converted, the next run converts the base's. "
        'During a migration (`target-pydantic = "2"` over '
        "pins that admit only Pydantic 1) a config with `anystr_*` keys is unsafe when a "
        "field may hold `bytes`: v1's `anystr_*` keys apply to `bytes`, v2's `str_*` do "
        "not. A class whose base comes from another module is flagged only when the "
        "project shows the base is a model of the main package (not of the `pydantic.v1` "
        "layer, which `ConfigDict` would not configure); a class not known to be a model "
        "keeps a finding without a fix. Left to the author: keys v2 removed (`fields`, "
        "`getter_dict`, ...), methods of the `Config` class (`customise_sources`) and "
        "multi-line values."
        f" {FIX_TARGET_NOTE}"
    )
    bad = (
        Example(
            """
            from pydantic import BaseModel


            class UserCreate(BaseModel):
                email: str

                class Config:
                    anystr_strip_whitespace = True
            """
        ),
        Example(
            """
            from pydantic_settings import BaseSettings

            class Settings(BaseSettings):
                database_url: str

                class Config:
                    env_file = ".env"
            """,
            note="settings class",
        ),
        Example(
            """
            from app.schemas import *

            class Item(Schema):
                class Config:
                    extra = "forbid"
            """,
            note="no fix: a base the file cannot name, Pydantic-only config key",
        ),
        Example(
            """
            from pydantic import BaseModel


            class Page(BaseModel):
                size: int

                class Config:
                    title = "Page"


            class Cursor(Page):
                class Config(Page.Config):
                    title = "Cursor"

                    def describe(self) -> str:
                        return self.title


            Page.Config.title = "A page"
            """,
            expect=2,
            note="no fix: the file reads and extends `Page.Config`, which v2 models lack",
        ),
    )
    good = (
        Example(
            """
            from pydantic import BaseModel, ConfigDict


            class UserCreate(BaseModel):
                model_config = ConfigDict(str_strip_whitespace=True)

                email: str
            """
        ),
        Example(
            """
            class App:
                class Config:
                    DEBUG = True
                    TESTING = False
            """,
            note="an unrelated Config class",
        ),
        Example(
            """
            from pydantic import BaseModel

            class Config:
                title = "top-level"

            class Wrapper(BaseModel):
                def build(self):
                    class Config:
                        pass
                    return Config
            """,
            note="not the inner Config of a model body",
        ),
        Example(
            """
            from app.legacy import LegacySchema


            class Item(LegacySchema):
                class Config:
                    orm_mode = True
            """,
            note=(
                "a base from another module: flagged only when the project shows it is a "
                "model of the main package, not of the `pydantic.v1` layer"
            ),
        ),
        Example(
            """
            import pydantic.v1 as pydantic


            class LegacySettings(pydantic.BaseSettings):
                database_url: str

                class Config:
                    env_file = ".env"
            """,
            note="`import pydantic.v1 as pydantic`: the v1 layer",
        ),
        Example(
            """
            from pydantic import BaseModel
            from pydantic.version import VERSION as PYDANTIC_VERSION

            from app.compat import ConfigDict


            class Item(BaseModel):
                name: str

                if PYDANTIC_VERSION.startswith("2."):
                    model_config = ConfigDict(extra="forbid")
                else:

                    class Config:
                        extra = "forbid"
            """,
            note="a version test in the class body",
        ),
    )
    fixes = (
        FixExample(
            """
            from pydantic import BaseModel, Extra
            from pydantic_settings import BaseSettings


            class UserCreate(BaseModel):
                email: str

                class Config:
                    anystr_strip_whitespace = True
                    extra = Extra.forbid


            class Settings(BaseSettings):
                database_url: str

                class Config:
                    env_file = ".env"
                    env_prefix = "APP_"
            """,
            """
            from pydantic import BaseModel, ConfigDict
            from pydantic_settings import BaseSettings, SettingsConfigDict


            class UserCreate(BaseModel):
                email: str

                model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")


            class Settings(BaseSettings):
                database_url: str

                model_config = SettingsConfigDict(env_file=".env", env_prefix="APP_")
            """,
            unsafe=True,
            note=(
                "`anystr_strip_whitespace` is ignored by Pydantic 2: its v2 name turns "
                "stripping on (unsafe; safe during a migration from Pydantic 1)"
            ),
        ),
        FixExample(
            """
            from pydantic import BaseModel


            class ProfileRead(BaseModel):
                followers: int = 0

                class Config:
                    orm_mode = True
                    from_attributes = True
            """,
            """
            from pydantic import BaseModel, ConfigDict


            class ProfileRead(BaseModel):
                followers: int = 0

                model_config = ConfigDict(from_attributes=True)
            """,
            note=(
                "a v1 key beside its v2 name: Pydantic 2 ignores `orm_mode`, and the "
                "config keeps the key it reads, once"
            ),
        ),
        FixExample(
            """
            from pydantic import BaseModel


            class Signup(BaseModel):
                email: str

                class Config:  # shared by the signup forms
                    # clients send padded values
                    anystr_strip_whitespace = True
                    extra = "forbid"  # reject unknown keys
            """,
            """
            from pydantic import BaseModel, ConfigDict


            class Signup(BaseModel):
                email: str

                model_config = ConfigDict(
                    # shared by the signup forms
                    # clients send padded values
                    str_strip_whitespace=True,
                    extra="forbid",
                )  # reject unknown keys
            """,
            unsafe=True,
            note="the comments of the `Config` body are kept, one key a line",
        ),
        FixExample(
            """
            from pydantic import BaseModel


            class BaseSchema(BaseModel):
                class Config:
                    orm_mode = True


            class UserRead(BaseSchema):
                id: int

                class Config(BaseSchema.Config):
                    title = "User"
            """,
            """
            from pydantic import BaseModel, ConfigDict


            class BaseSchema(BaseModel):
                class Config:
                    orm_mode = True


            class UserRead(BaseSchema):
                id: int

                model_config = ConfigDict(title="User")
            """,
            remaining=("FG206", "FG207"),
            note=(
                "`class Config(BaseSchema.Config)` in a model whose one base is `BaseSchema`: "
                "v1 and v2 merge the base's config anyway. `BaseSchema.Config`, extended "
                "here and maybe elsewhere, is left (unsafe fix)"
            ),
        ),
        FixExample(
            """
            from pydantic import BaseModel


            class BaseSchema(BaseModel):
                class Config:
                    orm_mode = True
            """,
            """
            from pydantic import BaseModel, ConfigDict


            class BaseSchema(BaseModel):
                model_config = ConfigDict(from_attributes=True)
            """,
            unsafe=True,
            note=(
                "a model without fields of its own is a base: other modules may extend its "
                "`Config` (`class Config(BaseSchema.Config)`), which v2 models lack"
            ),
        ),
    )

    def may_fire(self, evidence: Evidence) -> bool:
        return evidence.has("Config")

    def may_fire_in(self, structure: Structure) -> bool:
        # `visit_ClassDef`: a `class Config` (in a class body). A module that reads
        # `Model.Config` needs no parse: the run's index reads its summary
        # (`ModuleSummary.config_refs`, which withholds the fix of that `Config`) with
        # CPython's parser, as every module's (`Engine._spared_summary`,
        # `ProjectIndex.load`); gpustack's `uvicorn.Config(...)` kept 10 files parsed
        return any(cls.name == "Config" for cls in structure.classes)

    def visit_ClassDef(self, node: cst.ClassDef, ctx: FileContext) -> None:
        if node.name.value != "Config" or not ctx.in_class_body:
            return
        outer = ctx.enclosing_class
        if outer is None or ctx.is_v1_layer_model(outer.name):
            return
        derivation = ctx.pydantic_derivation(outer.name)
        # the fix stands only while no other module reads or extends this `Config`
        # (`class Config(UserBase.Config)`): resolved across the project
        fix = _config_dict_fix(node, outer, ctx)
        ignored = _ignored_by_v2(node, ctx)
        message = None
        if ignored is not None:
            # Pydantic 2 runs the model without what the key asked for: never a convention
            ctx.marks(MISBEHAVES_ON_V2).add(id(node.name))
            message = (
                f"Inner `class Config` {ignored} is the Pydantic v1 API: use "
                "`model_config = ConfigDict(...)`"
            )
        if fix is not None and outer.outer is None:
            owner = f"{ctx.module_name}.{outer.name}" if ctx.module_name else outer.name
            fix = fix._replace(config_of=owner)
        if isinstance(derivation, Condition):
            # a base from another module: a finding if the project says it is a model of
            # the main package, not of the `pydantic.v1` layer (which a ConfigDict would
            # not configure)
            ctx.report_if(node.name, derivation, message, fix=fix)
        elif derivation is True:
            ctx.report(node.name, message, fix=fix)
        elif looks_like_pydantic_config(node, ctx) and _may_be_a_model(outer, ctx):
            ctx.report(node.name, message)  # a Pydantic config of a class not known to be a model


#: The first Pydantic with `validate_by_name`.
VALIDATE_BY_NAME_SINCE = "2.11"
#: v1 `Config` keys and their v2 `ConfigDict` names (the same name when unchanged).
_V2_KEYS = {
    "orm_mode": "from_attributes",
    "allow_population_by_field_name": "populate_by_name",
    "anystr_strip_whitespace": "str_strip_whitespace",
    "anystr_lower": "str_to_lower",
    "anystr_upper": "str_to_upper",
    "min_anystr_length": "str_min_length",
    "max_anystr_length": "str_max_length",
    "schema_extra": "json_schema_extra",
    "validate_all": "validate_default",
    "keep_untouched": "ignored_types",
    **{
        same: same
        for same in (
            "from_attributes",
            "populate_by_name",
            "str_strip_whitespace",
            "json_schema_extra",
            "validate_assignment",
            "arbitrary_types_allowed",
            "use_enum_values",
            "frozen",
            "title",
            "alias_generator",
            "json_encoders",
            "extra",
            "validate_default",
            "str_max_length",
            "str_min_length",
        )
    },
}
#: the keys of pydantic-settings' `SettingsConfigDict` that v1 settings classes used
_SETTINGS_KEYS = {
    key: key
    for key in (
        "env_prefix",
        "env_file",
        "env_file_encoding",
        "env_nested_delimiter",
        "case_sensitive",
        "secrets_dir",
    )
}
_SETTINGS_BASES = frozenset({"pydantic.BaseSettings", "pydantic_settings.BaseSettings"})


def _config_dict_fix(node: cst.ClassDef, outer: ClassInfo, ctx: FileContext) -> FixSpec | None:
    """`class Config: orm_mode = True` -> `model_config = ConfigDict(from_attributes=True)`
    (`SettingsConfigDict` from pydantic-settings for a settings class), when every line of
    the body is a key with a v2 name and a one-line value, and nothing else in the file
    reads the `Config` class (`Model.Config.title`, `class Config(Model.Config)`): the
    v2 model has none. Comments of the body are kept, in the call. Keys v2 removed keep
    the finding only. Unsafe when other classes may extend the `Config` (see
    `_extended_elsewhere`)."""
    if not isinstance(node.body, cst.IndentedBlock) or node.decorators or node.keywords:
        return None
    if node.bases and not _inherits_outer_base_config(node, outer):
        return None
    if _config_referenced(outer, ctx):
        return None
    settings = ctx.derives_from(outer.name, _SETTINGS_BASES)
    keys = {**_V2_KEYS, **_SETTINGS_KEYS} if settings else dict(_V2_KEYS)
    if ctx.pydantic_at_least(VALIDATE_BY_NAME_SINCE):
        # 2.11+ names v1's key `validate_by_name` (`populate_by_name` is to be deprecated;
        # with `validate_by_alias`, True by default, it is the same setting)
        keys["allow_population_by_field_name"] = "validate_by_name"
    entries: list[_Entry] = []
    releases: list[str] = []
    anystr: list[str] = []
    turned_on: list[str] = []  # keys v2 ignores, whose new name changes the model
    pending = _comments(node.body.header.comment)
    # the v2 names the body writes itself, with their values: a v1 key beside its v2 name
    # (`orm_mode = True` and `from_attributes = True`, Axopher's, reader 98) is not
    # written twice, which CPython refuses; Pydantic 2 ignores it
    v2_written = {
        name.value: code_of(value) if value is not None else None
        for name, value in config_assignments(node)
        if keys.get(name.value) == name.value
    }
    for statement in node.body.body:
        if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
            return None
        pending += _leading_comments(statement.leading_lines)
        # the comment ending the class's last line, and the comment lines after it, are
        # not part of the class statement: they stay where they are, after the new line
        last = statement is node.body.body[-1]
        trailing = None if last else statement.trailing_whitespace.comment
        small = statement.body[0]
        if isinstance(small, cst.Pass) or (
            isinstance(small, cst.Expr) and isinstance(small.value, cst.SimpleString)
        ):
            pending += _comments(trailing)  # `pass`, a docstring: their comments stay
            continue
        if not (
            isinstance(small, cst.Assign)
            and len(small.targets) == 1
            and isinstance(small.targets[0].target, cst.Name)
        ):
            return None
        v1_key = small.targets[0].target.value
        key = keys.get(v1_key)
        value = code_of(small.value)
        if key is None or "\n" in value:
            return None
        if key != v1_key and key in v2_written:
            if is_migration(ctx.pydantic_target) and v2_written[key] != value:
                return None  # Pydantic 1 reads the v1 key, Pydantic 2 the other value
            pending += _comments(trailing)
            continue
        if v1_key.startswith(("anystr_", "min_anystr", "max_anystr")):
            anystr.append(v1_key)
        if v1_key in IGNORED_BY_V2 and value != "False":
            turned_on.append(v1_key)
        extra = dotted_name(small.value) or ""
        if key == "extra" and extra.rpartition(".")[0].endswith("Extra"):
            value = f'"{extra.rpartition(".")[2]}"'  # Extra.forbid -> "forbid"
            releases.append(extra.partition(".")[0])  # `Extra` may be left unused
        entries.append(_Entry(f"{key}={value}", pending, trailing.value if trailing else None))
        pending = []
    package, factory = (
        ("pydantic_settings", "SettingsConfigDict") if settings else ("pydantic", "ConfigDict")
    )
    found = ctx.import_from(package, factory)
    if found is None:
        return None  # the name means something else here
    config_dict, insertion = found
    replacements: list[tuple[cst.CSTNode, str | Lines]] = [insertion] if insertion else []
    replacements.append((node, _config_dict_call(config_dict, entries, pending, ctx)))
    fix = FixSpec(
        f"Use `model_config = {factory}(...)`", tuple(replacements), releases=tuple(releases)
    )
    extended = _extended_elsewhere(outer, ctx)
    if extended is not None:
        return unsafe(fix, extended)
    if turned_on and not is_migration(ctx.pydantic_target):
        return unsafe(
            fix, f"{', '.join(f'`{k}`' for k in turned_on)}: {_TURNS_ON[0].lower()}{_TURNS_ON[1:]}"
        )
    if anystr and is_migration(ctx.pydantic_target) and _may_hold_bytes(outer, ctx):
        keys_named = ", ".join(f"`{key}`" for key in anystr)
        return unsafe(fix, f"v1's {keys_named} also apply to `bytes` fields, v2's `str_*` do not")
    return fix


class _Entry(NamedTuple):
    """One key of the new `ConfigDict(...)`, with the comments of its line."""

    argument: str
    #: whole-line comments above the key
    comments: list[str]
    #: the comment at the end of its line
    trailing: str | None


def _comments(comment: cst.Comment | None) -> list[str]:
    return [comment.value] if comment is not None else []


def _leading_comments(lines: Sequence[cst.EmptyLine]) -> list[str]:
    return [line.comment.value for line in lines if line.comment is not None]


def _config_dict_call(
    factory: str, entries: list[_Entry], footer: list[str], ctx: FileContext
) -> str | Lines:
    """`model_config = ConfigDict(a=1, b=2)` on one line; one key a line when the `Config`
    body had comments, which keep their place among the keys."""
    if not footer and not any(e.comments or e.trailing for e in entries):
        return f"model_config = {factory}({', '.join(e.argument for e in entries)})"
    indent = ctx.module.default_indent
    lines = [f"model_config = {factory}("]
    for entry in entries:
        lines += [f"{indent}{comment}" for comment in entry.comments]
        trailing = f"  {entry.trailing}" if entry.trailing else ""
        lines.append(f"{indent}{entry.argument},{trailing}")
    lines += [f"{indent}{comment}" for comment in footer]
    lines.append(")")
    return Lines(tuple(lines))


def _inherits_outer_base_config(node: cst.ClassDef, outer: ClassInfo) -> bool:
    """`class Child(Base): class Config(Base.Config): ...`: v1 and v2 both merge the one
    base's config into the model's anyway, so the explicit base goes with the class."""
    outer_bases = outer.node.bases
    if len(node.bases) != 1 or len(outer_bases) != 1:
        return False
    if node.bases[0].keyword is not None or outer_bases[0].keyword is not None:
        return False
    base = dotted_name(outer_bases[0].value)
    return base is not None and dotted_name(node.bases[0].value) == f"{base}.Config"


#: Names an annotation may use and hold no `bytes` (as a last dotted part: `typing.List`).
_NO_BYTES = frozenset(
    {
        "str", "int", "float", "bool", "None", "Optional", "Union", "Literal",
        "list", "List", "dict", "Dict", "set", "Set", "frozenset", "FrozenSet",
        "tuple", "Tuple", "Sequence", "Mapping", "Decimal", "UUID",
        "datetime", "date", "time", "timedelta",
    }
)  # fmt: skip


def _admits_bytes(annotation: cst.BaseExpression, ctx: FileContext) -> bool:
    """Whether a field annotation may admit `bytes`: it names something other than the
    builtin scalars and containers, the typing wrappers and the classes of the file
    (`bytes`, `Any`, an alias, `conbytes(...)`)."""
    if isinstance(annotation, cst.Name | cst.Attribute):
        name = dotted_name(annotation) or ""
        last = name.rpartition(".")[2]
        return last not in _NO_BYTES and name not in ctx.classes
    if isinstance(annotation, cst.SimpleString):
        text = annotation.evaluated_value
        return not (isinstance(text, str) and text in ctx.classes)
    if isinstance(annotation, cst.Subscript):
        if _admits_bytes(annotation.value, ctx):
            return True
        literal = (dotted_name(annotation.value) or "").endswith("Literal")
        for element in annotation.slice:
            if not isinstance(element.slice, cst.Index):
                return True
            item = element.slice.value
            if literal and isinstance(item, cst.SimpleString | cst.Integer | cst.Name):
                if isinstance(item, cst.SimpleString) and "b" in item.prefix.lower():
                    return True
                continue
            if _admits_bytes(item, ctx):
                return True
        return False
    if isinstance(annotation, cst.BinaryOperation) and isinstance(annotation.operator, cst.BitOr):
        return _admits_bytes(annotation.left, ctx) or _admits_bytes(annotation.right, ctx)
    return True


def _may_hold_bytes(outer: ClassInfo, ctx: FileContext) -> bool:
    """Whether a field of the model, of its bases, or of a class deriving from it here may
    hold `bytes` (v1's `anystr_*` keys apply to them, v2's `str_*` do not), or the file
    cannot tell: a base from another module. A subclass in another module is not seen."""
    related = {outer.name}
    changed = True
    while changed:
        changed = False
        for known in ctx.classes.values():
            if known.name not in related and related & {base or "" for base in known.bases}:
                related.add(known.name)
                changed = True
    pending = list(related)
    seen: set[str] = set()
    while pending:
        name = pending.pop()
        if name in seen:
            continue
        seen.add(name)
        info = ctx.classes.get(name)
        if info is None:
            if name not in _PYDANTIC_ROOTS:
                return True  # a base defined elsewhere: its fields are unknown here
            continue
        if any(_admits_bytes(annotation, ctx) for annotation in info.fields.values()):
            return True
        pending.extend(base if base is not None else "?" for base in info.bases)
    return False


_PYDANTIC_ROOTS = frozenset(
    {"pydantic.BaseModel", "pydantic.main.BaseModel", "pydantic.BaseSettings"}
    | {"pydantic_settings.BaseSettings", "pydantic_settings.main.BaseSettings"}
)


def _extended_elsewhere(outer: ClassInfo, ctx: FileContext) -> str | None:
    """Why other classes may extend this model's `Config` out of this file's sight, if they
    may: a model subclassed here, or one without fields of its own (a shared base such as
    `class BaseSchema(BaseModel): class Config: ...`), is the kind other modules extend
    with `class Config(BaseSchema.Config)`, which fails once the model has no `Config`.
    A model with fields subclassed only in other modules is not seen from here."""
    if any(outer.name in info.bases for info in ctx.classes.values() if info is not outer):
        return "other models derive from this one: other modules may extend its `Config`"
    if not outer.fields:
        return "a model without fields of its own is a base: other modules may extend its `Config`"
    return None


#: A `Config` name that is not the one a class statement defines.
_CONFIG_USE = lazy_pattern(rb"(?<!class )(?<![A-Za-z0-9_])Config(?![A-Za-z0-9_])")
_CONFIG_READERS = "pydantic-config-readers"


def _config_referenced(outer: ClassInfo, ctx: FileContext) -> bool:
    """Whether the file reads or assigns the inner `Config` of `outer`: `Model.Config`,
    `Config.title = ...` in its body, `class Config(Model.Config)`, or a `.Config` of
    something that may be it (`self.Config`, a variable). Computed once per file."""
    stash = ctx.stash(_CONFIG_READERS)
    if not stash:
        stash.append(_config_readers(ctx))
    readers: set[str] | None = stash[0]
    return readers is None or outer.name in readers


def _config_readers(ctx: FileContext) -> set[str] | None:
    """The classes of the file whose `Config` the file reads; None: maybe any of them."""
    source = ctx.source if ctx.source is not None else ctx.module.code.encode()
    if _CONFIG_USE.search(source) is None:
        return set()
    references = visitor(_ConfigReferences)(ctx)
    ctx.module.visit(references)
    return None if references.any else references.classes


class _ConfigReferences(VisitorBase):
    """The classes whose `Config` a module reads (see `_config_readers`)."""

    def __init__(self, ctx: FileContext) -> None:
        self.ctx = ctx
        self.classes: set[str] = set()
        self.any = False
        #: the class whose body the walk is in directly (None: a function, a lambda)
        self.scopes: list[str | None] = []
        self.skip: set[int] = set()

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self.skip.add(id(node.name))
        self.scopes.append(node.name.value)

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        self.scopes.pop()

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.scopes.append(None)

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self.scopes.pop()

    def visit_Lambda(self, node: cst.Lambda) -> None:
        self.scopes.append(None)

    def leave_Lambda(self, original_node: cst.Lambda) -> None:
        self.scopes.pop()

    def visit_Attribute(self, node: cst.Attribute) -> None:
        self.skip.add(id(node.attr))
        if node.attr.value == "Config":
            self._owner(node.value)

    def visit_Arg(self, node: cst.Arg) -> None:
        if node.keyword is not None:
            self.skip.add(id(node.keyword))

    def visit_Name(self, node: cst.Name) -> None:
        if node.value != "Config" or id(node) in self.skip:
            return
        if self.scopes and self.scopes[-1] is not None:
            self._add(self.scopes[-1])  # `Config.title = ...` in the model's own body

    def _owner(self, expr: cst.BaseExpression) -> None:
        name = dotted_name(expr)
        if name is None:
            self.any = True  # `type(self).Config`, `super().Config`
            return
        head, _, _ = name.partition(".")
        last = name.rpartition(".")[2]
        if last in self.ctx.classes:
            self._add(last)
        elif head not in self.ctx.imports:
            self.any = True  # `self.Config`, `model.Config`: maybe any model here

    def _add(self, name: str) -> None:
        """A class, and the local bases whose `Config` it may inherit."""
        pending = [name]
        while pending:
            current = pending.pop()
            if current in self.classes:
                continue
            self.classes.add(current)
            info = self.ctx.classes.get(current)
            if info is not None:
                pending.extend(base for base in info.bases if base is not None)


#: Pydantic's own config base of v1, kept in 2 as a deprecated class (`pydantic.v1`'s is
#: v1 on purpose: not one of them).
_BASE_CONFIGS = frozenset({"pydantic.BaseConfig", "pydantic.config.BaseConfig"})


def _report_in_model(
    node: cst.CSTNode, derivation: bool | Condition, fix: FixSpec | None, ctx: FileContext
) -> None:
    """Report `orm_mode` in the config of a class: a finding with its fix, but when the
    class's base comes from another module, only if the project says it is a model of the
    main package (one of the `pydantic.v1` layer reads `orm_mode`, not `from_attributes`)."""
    if isinstance(derivation, Condition):
        ctx.report_if(node, derivation, _message(fix), fix=fix)
    else:
        ctx.report(node, _message(fix), fix=fix)


#: FG206's message where the same config sets `from_attributes` too (Axopher's `class
#: Config:` with both lines, reader 98: the rename wrote `from_attributes` twice).
ALSO_SET = (
    "`orm_mode` is the Pydantic v1 name, and this config sets `from_attributes` too: "
    "delete `orm_mode`"
)


def _message(fix: FixSpec | None) -> str | None:
    """FG206's message for its fix: the rename's (the rule's), or `ALSO_SET` (no fix)."""
    return ALSO_SET if fix is None else None


def _may_be_a_model(info: ClassInfo, ctx: FileContext) -> bool:
    """Whether a class the file settles is no Pydantic model may be one all the same: it
    has a base other than `object` (a local class, a base variable: what the file reads
    of those is not all a metaclass may make of them)."""
    return any(base not in {"object", "builtins.object"} for base in info.bases)


def _in_v1_layer_model(ctx: FileContext) -> bool:
    """Whether the code here is the body of a `pydantic.v1` model (v1 on purpose)."""
    outer = ctx.enclosing_class
    return outer is not None and ctx.is_v1_layer_model(outer.name)


#: v1 keys Pydantic 2 renamed and ignores (a warning only, and `TypeError` as a class
#: keyword): writing the new name turns on what the old one asked for, which changes
#: what the model does on Pydantic 2 (measured on 2.14: `orm_mode = True` in `class
#: Config` or `ConfigDict(orm_mode=True)` leaves `model_validate(obj)` failing).
IGNORED_BY_V2 = frozenset(
    {
        "allow_population_by_field_name",
        "anystr_lower",
        "anystr_strip_whitespace",
        "anystr_upper",
        "keep_untouched",
        "max_anystr_length",
        "min_anystr_length",
        "orm_mode",
        "schema_extra",
        "validate_all",
    }
)
#: v1 keys Pydantic 2 removed: ignored with a warning (`allow_mutation`, whose v2 form
#: is `frozen`), so the model no longer does what they asked.
REMOVED_BY_V2 = frozenset(
    {
        "allow_mutation",
        "copy_on_model_validation",
        "error_msg_templates",
        "fields",
        "getter_dict",
        "json_dumps",
        "json_loads",
        "post_init_call",
        "smart_union",
        "underscore_attrs_are_private",
    }
)


def _ignored_by_v2(node: cst.ClassDef, ctx: FileContext) -> str | None:
    """What of a `class Config` Pydantic 2 ignores, said for the message (None: nothing):
    a key it renamed or removed, set to anything but v1's default, or a method
    (`schema_extra`, `customise_sources`), which it does not call: the model misbehaves
    now, not only warns."""
    assignments = list(config_assignments(node))
    orm_mode = any(name.value == "orm_mode" for name, _ in assignments)
    for name, value in assignments:
        key = name.value
        # v1's default, which changes nothing: `False`, but `allow_mutation = True`
        # (`allow_mutation = False` froze the model; Pydantic 2 leaves it mutable)
        off = isinstance(value, cst.Name) and value.value == (
            "True" if key == "allow_mutation" else "False"
        )
        # `orm_mode` is FG206's finding: the `class Config` holding it alone is a spelling
        # (two readers: "the FG207 change alone changes nothing")
        if key == "allow_population_by_field_name" and orm_mode and not _may_alias(ctx):
            # with no alias, populating by the field's name is all there is, in v1 and v2:
            # beside `orm_mode`, FG206's finding is the block's (X-Reporto's schemas,
            # reader 212; alone, reader 200 judged the cleanup worth it)
            continue
        if key in IGNORED_BY_V2 - {"orm_mode"} and not off:
            renamed = _V2_KEYS.get(key)
            if key == "allow_population_by_field_name" and ctx.pydantic_at_least(
                VALIDATE_BY_NAME_SINCE
            ):
                renamed = "validate_by_name"
            return f"setting `{key}`, which Pydantic 2 ignores (renamed `{renamed}`),"
        if key in REMOVED_BY_V2 and not off:
            form = _V2_FORMS.get(key)
            if form is not None:
                # (ArsalanMalik27's entity base: the message named no way to keep it
                # frozen, reader 137)
                return f"setting `{key}`, which Pydantic 2 removed and ignores (`{form}` now),"
            return f"setting `{key}`, which Pydantic 2 removed and ignores,"
    body = node.body.body if isinstance(node.body, cst.IndentedBlock) else ()
    for statement in body:
        if isinstance(statement, cst.FunctionDef) and statement.name.value not in _CALLABLE_KEYS:
            method = statement.name.value
            return f"defining `{method}()`, which Pydantic 2 never calls,"
    return None


def _may_alias(ctx: FileContext) -> bool:
    """Whether the model a `class Config` is in may give a field an alias: its body, or a
    base of this file's, writes `alias` (`Field(alias=...)`, `alias_generator`,
    `validation_alias`), or a base is another module's, which the file cannot read (a
    plain `BaseModel` is read as having none)."""
    pending = [ctx.enclosing_class]
    seen: set[str] = set()
    while pending:
        info = pending.pop()
        if info is None or info.name in seen:
            continue
        seen.add(info.name)
        if "alias" in code_of(info.node):
            return True
        for base in info.bases:
            if base in _MODEL_ROOTS:
                continue
            if base is None or base not in ctx.classes:
                return True
            pending.append(ctx.classes[base])
    return False


#: The bases that declare no field: a model deriving from them alone has its own fields.
_MODEL_ROOTS = frozenset({"pydantic.BaseModel", "pydantic.main.BaseModel"})


#: What a removed v1 key set off its default is in Pydantic 2's `ConfigDict`.
_V2_FORMS = {"allow_mutation": "frozen=True"}


#: The keys of Pydantic 2's `ConfigDict` that take a function: a `class Config` method of
#: that name is its value, which Pydantic 2 reads from the class and calls
#: (`json_schema_extra`, privategpt's, edits the schema), with the class-config warning.
_CALLABLE_KEYS = frozenset(
    {"json_schema_extra", "alias_generator", "model_title_generator", "field_title_generator"}
)


_TURNS_ON = (
    "Pydantic 2 ignores the v1 key (a warning only): the new key turns on what it asked "
    "for, which changes what the model does"
)


def _rename_orm_mode(
    name: cst.Name,
    value: cst.BaseExpression | None,
    ctx: FileContext,
    beside: Collection[str] = (),
) -> FixSpec | None:
    """`orm_mode` -> `from_attributes`. During a migration the code runs on Pydantic 1,
    which reads `orm_mode`: the rename keeps that meaning on Pydantic 2. On a Pydantic 2
    target it changes what runs now, unless the value is `False` (both off). None where
    the same config sets `from_attributes` too (`beside`: its other keys): the rename
    would write the key twice; `orm_mode` is to be deleted (`ALSO_SET`)."""
    if "from_attributes" in beside:
        return None
    fix = rename(name, "from_attributes", "Use `from_attributes`")
    return fix if _keeps_meaning(value, ctx) else unsafe(fix, _TURNS_ON)


def _keeps_meaning(value: cst.BaseExpression | None, ctx: FileContext) -> bool:
    """Whether writing the v2 name of a key Pydantic 2 ignores keeps what the code does."""
    if isinstance(value, cst.Name) and value.value == "False":
        return True
    return is_migration(ctx.pydantic_target)


#: Model bases whose own config leaves the keys `config_value` is asked about unset
#: (SQLModel's sets `from_attributes`: it is not one of them).
_DEFAULT_CONFIG_ROOTS = _PYDANTIC_ROOTS | frozenset(
    {
        "pydantic.RootModel",
        "pydantic.root_model.RootModel",
        "pydantic.generics.GenericModel",
        "pydantic_settings.main.BaseSettings",
    }
)
#: Bases that carry no model config (`class Page(BaseModel, Generic[T])`).
_CONFIGLESS_BASES = frozenset({"typing.Generic", "typing_extensions.Generic", "abc.ABC"})


def config_value(
    ref: str | None, key: str, ctx: FileContext
) -> tuple[bool, cst.BaseExpression | None]:
    """What the config of the model `ref` sets the v2 key `key` to, as Pydantic merges it
    from the class keywords, `model_config`, an inner `Config` and the bases (the last
    base wins): `(True, value)`
    when the file shows it, `value` None when no class of the chain sets it (the default
    holds); `(False, None)` when the file cannot tell (a base from another module, a
    config built from a variable or `**options`). A renamed key's v1 name counts during
    a migration only (the code runs on Pydantic 1), its v2 name otherwise: Pydantic 2
    ignores `orm_mode`, Pydantic 1 `from_attributes`."""
    names = {key}
    if is_migration(ctx.pydantic_target):
        names = {v1 for v1, v2 in _V2_KEYS.items() if v2 == key and v1 != key} or names
    return _config_value(ref, names, ctx, set())


def _config_value(
    ref: str | None, names: set[str], ctx: FileContext, seen: set[str]
) -> tuple[bool, cst.BaseExpression | None]:
    if ref in _DEFAULT_CONFIG_ROOTS or ref in _CONFIGLESS_BASES:
        return True, None
    info = ctx.classes.get(ref) if ref is not None else None
    if ref is None or info is None:
        return False, None
    if ref in seen:
        return True, None
    seen.add(ref)
    for keyword in info.node.keywords:
        if keyword.keyword is not None and keyword.keyword.value in names:
            return True, keyword.value
    body = info.node.body.body if isinstance(info.node.body, cst.IndentedBlock) else ()
    for name, value in config_assignments(info.node):
        if name.value != "model_config":
            continue
        if isinstance(value, cst.Call) and ctx.qualified_name(value.func) in CONFIG_DICT_FACTORIES:
            if any(arg.keyword is None for arg in value.args):
                return False, None  # `ConfigDict(**common)`
            for arg in value.args:
                if arg.keyword is not None and arg.keyword.value in names:
                    return True, arg.value
        elif isinstance(value, cst.Dict):
            for element in value.elements:
                if not isinstance(element, cst.DictElement):
                    return False, None  # `{**common}`
                if string_value(element.key) in names:
                    return True, element.value
        else:
            return False, None  # a config built elsewhere
    for statement in body:
        if isinstance(statement, cst.ClassDef) and statement.name.value == "Config":
            for name, value in config_assignments(statement):
                if name.value in names:
                    return True, value
    for base in reversed(info.bases):
        known, value = _config_value(base, names, ctx, seen)
        if not known or value is not None:
            return known, value
    return True, None

"""FG206 / FG207: Pydantic v1 model configuration (`orm_mode`, inner `class Config`)."""

from __future__ import annotations

from collections.abc import Iterator

import libcst as cst

from checks.context import FileContext, FixSpec, code_of, dotted_name, rename
from checks.prefilter import Evidence
from checks.pydantic_target import FIX_TARGET_NOTE
from checks.rule import Example, FixExample, Rule

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
    """The `name = value` and `name: T = value` assignments of a class body."""
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
            elif isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name):
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
    message = "`orm_mode` is the Pydantic v1 name: use `from_attributes=True`"
    summary = (
        "Checks for `orm_mode` in a Pydantic config: an inner `class Config`, a "
        "`model_config` dict, `ConfigDict(orm_mode=...)` or a class keyword."
    )
    why = (
        "Pydantic v2 renamed `orm_mode` to `from_attributes`. v2 still accepts the old key "
        "with a warning, but the model is then read with `Model.model_validate(obj)` (no "
        "`from_orm`), and the next major version drops it. Use "
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
            from app.schemas.base import Schema

            class Item(Schema):
                class Config:
                    orm_mode = True
            """,
            note="base class from another module",
            also=("FG207",),
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
            ORM_MODE = "orm_mode"

            def options(orm_mode: bool) -> dict[str, bool]:
                return {"orm_mode": orm_mode}
            """,
            note="the word outside a Pydantic config",
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
        ),
    )

    fix = (
        "Safe fix: renames `orm_mode` to `from_attributes` (key, keyword or attribute)."
        f" {FIX_TARGET_NOTE}"
    )

    def may_fire(self, evidence: Evidence) -> bool:
        return evidence.letter_escapes or b"orm_mode" in evidence.source

    def visit_ClassDef(self, node: cst.ClassDef, ctx: FileContext) -> None:
        if ctx.is_v1_layer_model(node.name.value):
            return  # `class M(pydantic.v1.BaseModel, orm_mode=True)`: v1 on purpose
        for keyword in node.keywords:
            if keyword.keyword is not None and keyword.keyword.value == "orm_mode":
                ctx.report(keyword, fix=_rename_orm_mode(keyword.keyword))
        if node.name.value == "Config" and not _in_v1_layer_model(ctx):
            for name, _value in config_assignments(node):
                if name.value == "orm_mode":
                    ctx.report(name, fix=_rename_orm_mode(name))

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
            for element in value.elements:
                key = element.key if isinstance(element, cst.DictElement) else None
                if isinstance(key, cst.SimpleString) and key.evaluated_value == "orm_mode":
                    quote = key.value[-1]
                    fix = FixSpec(
                        "Use `from_attributes`", ((key, f"{quote}from_attributes{quote}"),)
                    )
                    ctx.report(key, fix=fix)
        elif isinstance(value, cst.Call):
            self._check_keywords(value, ctx)

    def visit_Call(self, node: cst.Call, ctx: FileContext) -> None:
        if ctx.qualified_name(node.func) in CONFIG_DICT_FACTORIES:
            self._check_keywords(node, ctx)

    def _check_keywords(self, call: cst.Call, ctx: FileContext) -> None:
        for arg in call.args:
            if arg.keyword is not None and arg.keyword.value == "orm_mode":
                ctx.report(arg, fix=_rename_orm_mode(arg.keyword))


class PydanticClassConfig(Rule):
    """An inner `class Config:` of a Pydantic model."""

    code = "FG207"
    name = "pydantic-class-config"
    family = "Pydantic"
    message = "Inner `class Config` is the Pydantic v1 API: use `model_config = ConfigDict(...)`"
    summary = "Checks for an inner `class Config:` in a Pydantic model."
    why = (
        "Pydantic v2 configures a model with a `model_config = ConfigDict(...)` attribute "
        "(`SettingsConfigDict` for settings); the inner `class Config` is deprecated, and "
        "several of its keys were renamed (`orm_mode` -> `from_attributes`, "
        "`allow_population_by_field_name` -> `populate_by_name`, `schema_extra` -> "
        "`json_schema_extra`). `ConfigDict` is a TypedDict, so a type checker catches a "
        "misspelled key. The outer class must be known to be a model, or the `Config` body "
        "must set keys only Pydantic has: unrelated `Config` classes are left alone."
    )
    fix = (
        "Safe fix: the inner `class Config` becomes `model_config = ConfigDict(...)` with the "
        "v2 key names (`orm_mode` -> `from_attributes`, `schema_extra` -> "
        '`json_schema_extra`, `Extra.forbid` -> `"forbid"`, ...), importing `ConfigDict` '
        "when needed; in a settings class, `model_config = SettingsConfigDict(...)` from "
        "pydantic-settings, with its `env_*` keys. An import of `Extra` left unused goes. "
        "Left to the author: keys v2 removed (`fields`, `getter_dict`, ...), methods of "
        "the `Config` class (`customise_sources`) and multi-line values."
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
            from app.schemas import Schema

            class Item(Schema):
                class Config:
                    extra = "forbid"
            """,
            note="unknown base, Pydantic-only config key",
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
        ),
    )

    def may_fire(self, evidence: Evidence) -> bool:
        return evidence.has("Config")

    def visit_ClassDef(self, node: cst.ClassDef, ctx: FileContext) -> None:
        if node.name.value != "Config" or not ctx.in_class_body:
            return
        outer = ctx.enclosing_class
        if outer is None or ctx.is_v1_layer_model(outer.name):
            return
        derivation = ctx.pydantic_derivation(outer.name)
        if derivation is True or looks_like_pydantic_config(node, ctx):
            ctx.report(node.name, fix=_config_dict_fix(node, outer.name, ctx))
        elif derivation is not False:
            ctx.report_if(node.name, derivation, fix=_config_dict_fix(node, outer.name, ctx))


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


def _config_dict_fix(node: cst.ClassDef, outer: str, ctx: FileContext) -> FixSpec | None:
    """`class Config: orm_mode = True` -> `model_config = ConfigDict(from_attributes=True)`
    (`SettingsConfigDict` from pydantic-settings for a settings class), when every line of
    the body is a key with a v2 name and a one-line value; keys v2 removed keep the
    finding only."""
    if not isinstance(node.body, cst.IndentedBlock) or node.decorators or node.bases:
        return None
    settings = ctx.derives_from(outer, _SETTINGS_BASES)
    keys = {**_V2_KEYS, **_SETTINGS_KEYS} if settings else _V2_KEYS
    arguments: list[str] = []
    releases: list[str] = []
    for statement in node.body.body:
        if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
            return None
        small = statement.body[0]
        if isinstance(small, cst.Pass) or (
            isinstance(small, cst.Expr) and isinstance(small.value, cst.SimpleString)
        ):
            continue  # `pass`, a docstring
        if not (
            isinstance(small, cst.Assign)
            and len(small.targets) == 1
            and isinstance(small.targets[0].target, cst.Name)
        ):
            return None
        key = keys.get(small.targets[0].target.value)
        value = code_of(small.value)
        if key is None or "\n" in value:
            return None
        extra = dotted_name(small.value) or ""
        if key == "extra" and extra.rpartition(".")[0].endswith("Extra"):
            value = f'"{extra.rpartition(".")[2]}"'  # Extra.forbid -> "forbid"
            releases.append(extra.partition(".")[0])  # `Extra` may be left unused
        arguments.append(f"{key}={value}")
    package, factory = (
        ("pydantic_settings", "SettingsConfigDict") if settings else ("pydantic", "ConfigDict")
    )
    found = ctx.import_from(package, factory)
    if found is None:
        return None  # the name means something else here
    config_dict, insertion = found
    replacements: list[tuple[cst.CSTNode, str]] = [insertion] if insertion else []
    replacements.append((node, f"model_config = {config_dict}({', '.join(arguments)})"))
    return FixSpec(
        f"Use `model_config = {factory}(...)`", tuple(replacements), releases=tuple(releases)
    )


def _in_v1_layer_model(ctx: FileContext) -> bool:
    """Whether the code here is the body of a `pydantic.v1` model (v1 on purpose)."""
    outer = ctx.enclosing_class
    return outer is not None and ctx.is_v1_layer_model(outer.name)


def _rename_orm_mode(name: cst.Name) -> FixSpec:
    return rename(name, "from_attributes", "Use `from_attributes`")

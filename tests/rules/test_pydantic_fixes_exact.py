"""Pydantic fixes whose v2 call is not the v1 name's twin: each difference is shown by
running both, and the fix either keeps the meaning (an explicit argument) or is unsafe.

The v1 names run on Pydantic 2 here (their deprecated aliases): what the code does
before the fix on a Pydantic 2 target.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import types
from pathlib import Path

import pytest

from tests.helpers import fix_code, run_cli, write
from tests.rules.test_pydantic_meaning import MIGRATION, findings, fix_for_target, run

pytestmark = [
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
    pytest.mark.filterwarnings("ignore::UserWarning"),
]


#: A project holding its code to Pydantic 2 (`target-pydantic = "2"`): the v1 spellings
#: of its existing code are reported whatever it writes most (`checks.project_facts`).
V2_TARGETED = (
    '[project]\nname = "svc"\ndependencies = ["pydantic>=2"]\n\n'
    '[tool.fastapi-guardrails]\ntarget-pydantic = "2"\n'
)


def applicability(code: str, rule: str) -> list[str | None]:
    """The applicability of each finding's fix of `rule` (None: no fix)."""
    return [f.fix.applicability if f.fix else None for f in findings(code, select=rule)]


def safe_and_unsafe(code: str, rule: str) -> tuple[str, str]:
    """The code after `--fix`, and after `--fix --unsafe-fixes`, of one rule."""
    return fix_code(code, rule), fix_code(code, rule, unsafe=True)


# --------------------------------------------- 1. `serialize_by_alias` (Pydantic 2.11+)
ALIASED = """
from pydantic import BaseModel, ConfigDict, Field


class Aliased(BaseModel):
    model_config = ConfigDict(serialize_by_alias=True)

    user_name: str = Field("ann", alias="userName")


def use(item: Aliased):
    return item.dict(), item.json(exclude_none=True)
"""

PLAIN = """
from pydantic import BaseModel, Field


class Plain(BaseModel):
    user_name: str = Field("ann", alias="userName")


def use(item: Plain):
    return item.dict(), item.json()
"""


def test_the_v1_names_ignore_serialize_by_alias_which_the_v2_methods_follow() -> None:
    item = run(ALIASED)["Aliased"]()
    assert item.dict() == {"user_name": "ann"}
    assert item.model_dump() == {"userName": "ann"}
    assert json.loads(item.json()) != json.loads(item.model_dump_json())


@pytest.mark.parametrize("rule", ["FG201", "FG202"])
def test_a_model_that_serializes_by_alias_keeps_its_dump_after_the_fix(rule: str) -> None:
    fixed = fix_code(ALIASED, rule)
    assert "by_alias=False" in fixed
    before, after = run(ALIASED), run(fixed)
    assert before["use"](before["Aliased"]()) == after["use"](after["Aliased"]())


def test_a_model_whose_config_is_known_to_leave_aliases_alone_is_renamed_plainly() -> None:
    fixed = fix_for_target(PLAIN, None)
    assert "item.model_dump(), item.model_dump_json()" in fixed
    before, after = run(PLAIN), run(fixed)
    assert before["use"](before["Plain"]()) == after["use"](after["Plain"]())


def test_a_model_from_another_module_gets_by_alias_false_written(tmp_path: Path) -> None:
    """The other module's model may set `serialize_by_alias` (or a subclass may): the
    fix keeps v1's by-name output by writing `by_alias=False`."""
    code = """
        from pydantic import BaseModel

        from app.schemas import Remote


        def use(item: Remote, other: BaseModel):
            return item.dict(exclude_unset=True), other.json()
        """
    write(tmp_path, "app/__init__.py", "")
    write(
        tmp_path,
        "app/schemas.py",
        "from pydantic import BaseModel\n\nclass Remote(BaseModel): ...\n",
    )
    target = write(tmp_path, "app/models.py", textwrap.dedent(code).lstrip("\n"))
    run_cli(
        "check", "--no-cache", "--fix", "--unsafe-fixes", "--select", "FG201,FG202", str(target)
    )
    fixed = target.read_text()
    assert "item.model_dump(by_alias=False, exclude_unset=True)" in fixed
    assert "other.model_dump_json(by_alias=False)" in fixed


# ------------------------------------------------------------------- 2. `from_orm`
FROM_ORM = """
from pydantic import BaseModel


class Row:
    id = 1


class UserRead(BaseModel):
    id: int


def show():
    try:
        return UserRead.from_orm(Row())
    except Exception as error:
        return type(error).__name__
"""


def test_from_orm_without_from_attributes_raises_where_the_old_fix_reads() -> None:
    before = run(FROM_ORM)["show"]()
    assert before == "PydanticUserError"
    fixed = fix_code(FROM_ORM, "FG205", unsafe=True)
    assert "UserRead.model_validate(Row(), from_attributes=True)" in fixed
    assert run(fixed)["show"]() != before  # the fix changes what the call does


def test_from_orm_without_from_attributes_gets_an_unsafe_fix() -> None:
    assert applicability(FROM_ORM, "FG205") == ["unsafe"]
    assert fix_code(FROM_ORM, "FG205") == textwrap.dedent(FROM_ORM).lstrip("\n")


def test_from_orm_with_from_attributes_in_a_base_is_renamed_safely() -> None:
    code = FROM_ORM.replace(
        "class UserRead(BaseModel):\n",
        "class Base(BaseModel):\n    class Config:\n        from_attributes = True\n\n\n"
        "class UserRead(Base):\n",
    )
    assert applicability(code, "FG205") == ["safe"]
    fixed = fix_code(code, "FG205")
    assert "UserRead.model_validate(Row())" in fixed
    assert run(code)["show"]().id == run(fixed)["show"]().id == 1


def test_orm_mode_which_pydantic_2_ignores_is_no_proof_on_a_pydantic_2_target() -> None:
    code = FROM_ORM.replace(
        "class UserRead(BaseModel):\n",
        "class UserRead(BaseModel):\n    class Config:\n        orm_mode = True\n\n",
    )
    assert run(code)["show"]() == "PydanticUserError"
    assert applicability(code, "FG205") == ["unsafe"]
    assert [f.fix.applicability for f in findings(code, MIGRATION, "FG205") if f.fix] == ["safe"]


def test_a_subclass_that_turns_from_attributes_off_is_not_taken_for_its_base() -> None:
    code = FROM_ORM.replace(
        "class UserRead(BaseModel):\n",
        "class Base(BaseModel):\n    model_config = ConfigDict(from_attributes=True)\n\n\n"
        "class UserRead(Base):\n    model_config = ConfigDict(from_attributes=False)\n",
    ).replace("import BaseModel", "import BaseModel, ConfigDict")
    assert run(code)["show"]() == "PydanticUserError"
    assert applicability(code, "FG205") == ["unsafe"]


# ---------------------------------------------------------------- 3. `parse_raw`
STRICT = """
import datetime

from pydantic import BaseModel, ConfigDict


class Event(BaseModel):
    model_config = ConfigDict(strict=True)

    day: datetime.date


def read(text: str):
    try:
        return Event.parse_raw(text).day
    except Exception as error:
        return type(error).__name__
"""


def test_parse_raw_validates_in_python_mode_and_model_validate_json_in_json_mode() -> None:
    text = '{"day": "2024-05-01"}'
    fixed = fix_code(STRICT, "FG204", unsafe=True)
    assert "Event.model_validate_json(text)" in fixed
    assert run(STRICT)["read"](text) == "ValidationError"
    assert str(run(fixed)["read"](text)) == "2024-05-01"


def test_parse_raw_gets_an_unsafe_fix_and_parse_obj_a_safe_one() -> None:
    code = STRICT.replace(
        "return Event.parse_raw(text).day",
        "return Event.parse_raw(text).day, Event.parse_obj({'day': text})",
    )
    assert sorted(applicability(code, "FG204"), key=str) == ["safe", "unsafe"]
    assert "parse_raw" in fix_code(code, "FG204")


# ------------------------------------------------------------- 4. `schema_json`
SCHEMA = """
import datetime

from pydantic import BaseModel, ConfigDict


class Event(BaseModel):
    model_config = ConfigDict(json_schema_extra={"example": {"day": datetime.date(2024, 5, 1)}})

    day: datetime.date


def schema_text():
    try:
        return Event.schema_json()
    except TypeError as error:
        return "TypeError"
"""


def test_schema_json_encodes_what_json_dumps_refuses() -> None:
    fixed = fix_code(SCHEMA, "FG203", unsafe=True)
    assert "json.dumps(Event.model_json_schema())" in fixed
    assert '"2024-05-01"' in run(SCHEMA)["schema_text"]()
    assert run(fixed)["schema_text"]() == "TypeError"


def test_schema_json_gets_an_unsafe_fix() -> None:
    assert applicability(SCHEMA, "FG203") == ["unsafe"]
    assert fix_code(SCHEMA, "FG203") == textwrap.dedent(SCHEMA).lstrip("\n")


# -------------------------------------------- 5. `copy(update=)`, `update_forward_refs`
COPY = """
from pydantic import BaseModel, ConfigDict


class Draft(BaseModel):
    tags: list = []


def fork(draft: Draft, tags: list):
    return draft.copy(update={"tags": tags}, deep=True)
"""


def _tags_shared(code: str) -> bool:
    namespace = run(code)
    tags = ["a"]
    return namespace["fork"](namespace["Draft"](), tags).tags is tags


def test_a_deep_copy_with_update_shares_the_update_only_after_the_rename() -> None:
    fixed = fix_code(COPY, "FG209", unsafe=True)
    assert "draft.model_copy(" in fixed
    assert (_tags_shared(COPY), _tags_shared(fixed)) == (False, True)
    assert applicability(COPY, "FG209") == ["unsafe"]


EXTRA = """
from pydantic import BaseModel, ConfigDict


class Draft(BaseModel):
    model_config = ConfigDict(extra="allow")

    title: str = ""


def fork(draft: Draft):
    copied = draft.copy(update={"note": "x"})
    return copied.__dict__, copied.__pydantic_extra__
"""


def test_an_update_with_an_unknown_key_lands_elsewhere_on_an_extra_allow_model() -> None:
    fixed = fix_code(EXTRA, "FG209", unsafe=True)
    assert run(EXTRA)["fork"](run(EXTRA)["Draft"]()) != run(fixed)["fork"](run(fixed)["Draft"]())
    assert applicability(EXTRA, "FG209") == ["unsafe"]
    forbidden = EXTRA.replace('extra="allow"', 'extra="forbid"')
    assert applicability(forbidden, "FG209") == ["safe"]


FORWARD = """
from typing import Optional

from pydantic import BaseModel


class Node(BaseModel):
    child: Optional["Leaf"] = None


def probe():
    class Leaf(BaseModel):  # a name only the caller's frame holds
        a: int = 1

    try:
        Node.update_forward_refs()
        return Node.model_validate({"child": {}}).model_dump()
    except Exception as error:
        return type(error).__name__


class Tree(BaseModel):
    children: list["Tree"] = []


Tree.update_forward_refs()
"""


def test_update_forward_refs_in_a_function_differs_from_its_v2_name() -> None:
    fixed = fix_code(FORWARD, "FG209", unsafe=True)
    assert "Node.model_rebuild(force=True)" in fixed
    assert "Tree.model_rebuild(force=True)" in fixed
    assert _probe(textwrap.dedent(FORWARD)) == "PydanticUndefinedAnnotation"
    assert _probe(fixed) == {"child": {"a": 1}}


def _probe(code: str) -> object:
    """`probe()` of the code run as a module that stays importable while it runs
    (Pydantic resolves names in the model's module)."""
    module = types.ModuleType("forward_refs_probe")
    sys.modules[module.__name__] = module
    try:
        exec(compile(code, "forward_refs_probe.py", "exec"), module.__dict__)
        return module.__dict__["probe"]()
    finally:
        del sys.modules[module.__name__]


def test_update_forward_refs_is_safe_only_as_a_module_level_statement() -> None:
    assert sorted(applicability(FORWARD, "FG209"), key=str) == ["safe", "unsafe"]
    fixed = fix_code(FORWARD, "FG209")
    assert "Tree.model_rebuild(force=True)" in fixed
    assert "Node.update_forward_refs()" in fixed
    tree = run(fixed)["Tree"].model_validate({"children": [{"children": []}]})
    assert tree.model_dump() == {"children": [{"children": []}]}


# ------------------------------------------------------ 6. one `pydantic_settings` line
def test_base_settings_joins_the_files_pydantic_settings_import() -> None:
    code = """
        from pydantic import BaseSettings
        from pydantic_settings import SettingsConfigDict


        class Settings(BaseSettings):
            model_config = SettingsConfigDict(env_prefix="APP_")
        """
    fixed = fix_code(code, "FG210")
    assert fixed.startswith("from pydantic_settings import BaseSettings, SettingsConfigDict\n\n\n")
    assert fixed.count("pydantic_settings") == 1
    compile(fixed, "fixed.py", "exec")


def test_base_settings_and_a_converted_config_make_one_import_line() -> None:
    code = """
        import os

        from pydantic import BaseSettings, Field
        from pydantic_settings import SettingsConfigDict

        PREFIX = os.sep


        class Settings(BaseSettings):
            url: str = Field("x")

            class Config:
                env_file = ".env"
        """
    fixed = fix_for_target(code, None)
    assert fixed.count("import") == 3, fixed
    assert "from pydantic_settings import BaseSettings, SettingsConfigDict\n" in fixed
    assert run(fixed)["Settings"]().url == "x"


# ------------------------------------------- 9. a `Config` read by another module
def _imports(root: Path, module: str) -> subprocess.CompletedProcess[str]:
    code = f"import warnings; warnings.simplefilter('ignore'); import {module}"
    return subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, timeout=120
    )


def _user_base(root: Path) -> Path:
    """A Pydantic-2 project whose `app/base.py` holds a model with an inner `Config`."""
    write(root, "pyproject.toml", V2_TARGETED)
    write(root, "app/__init__.py", "")
    return write(
        root,
        "app/base.py",
        """
        from pydantic import BaseModel


        class UserBase(BaseModel):
            email: str

            class Config:
                title = "User"
        """,
    )


@pytest.mark.parametrize(
    "use",
    [
        "class UserRead(UserBase):\n    id: int\n\n    class Config(UserBase.Config):\n"
        '        extra = "forbid"\n',
        "TITLE = UserBase.Config.title\n",
        "import app.base\n\nTITLE = app.base.UserBase.Config.title\n",
        "class Admin(UserBase):\n    level: int = 0\n\n\nTITLE = Admin.Config.title\n",
    ],
    ids=["extended", "read", "module attribute", "through a subclass"],
)
def test_a_config_another_module_reads_is_kept_by_fix_of_the_project(
    tmp_path: Path, use: str
) -> None:
    _user_base(tmp_path)
    write(tmp_path, "app/users.py", "from app.base import UserBase\n\n\n" + use)
    assert _imports(tmp_path, "app.users").returncode == 0
    result = run_cli("check", "--no-cache", "--fix", "--unsafe-fixes", str(tmp_path))
    assert "class Config:" in (tmp_path / "app/base.py").read_text()
    ran = _imports(tmp_path, "app.users")
    assert ran.returncode == 0, ran.stderr
    assert "app/base.py:7:11: FG207 Inner" in result.stdout.replace(str(tmp_path) + "/", "")


@pytest.mark.parametrize("cache", [["--no-cache"], []], ids=["uncached", "cached"])
def test_a_run_of_the_config_file_alone_keeps_a_config_another_module_extends(
    tmp_path: Path, cache: list[str]
) -> None:
    """pre-commit's `--fix` runs on the changed files only: the other modules are read
    from disk for their `.Config` reads, and a reader added later is seen by a cached
    rerun (no run snapshot answers it)."""
    base = _user_base(tmp_path)
    write(tmp_path, "app/api/__init__.py", "")
    reader = "from app.base import UserBase\n\n\nclass Admin(UserBase):\n    level: int = 0\n"
    write(tmp_path, "app/api/users.py", reader)
    check = ["check", *cache, "--exit-zero", "--output-format", "json", str(base)]
    fixes = [f["fix"] is not None for f in json.loads(run_cli(*check).stdout)]
    assert fixes == [True]  # nothing reads it yet
    write(tmp_path, "app/api/users.py", reader + "\n\nTITLE = Admin.Config.title\n")
    assert [f["fix"] for f in json.loads(run_cli(*check).stdout)] == [None]
    run_cli("check", *cache, "--fix", "--unsafe-fixes", str(base))
    assert "class Config:" in base.read_text()
    ran = _imports(tmp_path, "app.api.users")
    assert ran.returncode == 0, ran.stderr


def test_a_cached_run_of_a_folder_sees_a_reader_added_outside_it(tmp_path: Path) -> None:
    """A run of enough files keeps a snapshot of its findings; one whose fix depended on
    the rest of the project keeps none, as a file outside its paths may change that."""
    from checks.cli import SNAPSHOT_MIN_FILES

    write(tmp_path, "pyproject.toml", V2_TARGETED)
    write(tmp_path, "app/__init__.py", "")
    write(tmp_path, "app/models/__init__.py", "")
    for number in range(SNAPSHOT_MIN_FILES):
        write(tmp_path, f"app/models/m{number}.py", f"VALUE = {number}\n")
    write(
        tmp_path,
        "app/models/base.py",
        "from pydantic import BaseModel\n\n\nclass UserBase(BaseModel):\n"
        "    email: str\n\n    class Config:\n        title = 'User'\n",
    )
    write(tmp_path, "app/api.py", "from app.models.base import UserBase\n\nBODIES = [UserBase]\n")
    for path in tmp_path.rglob("*"):  # stamps old enough to be trusted by a snapshot
        os.utime(path, (1_600_000_000, 1_600_000_000))
    check = ["check", "--exit-zero", "--output-format", "json", str(tmp_path / "app/models")]
    assert [f["fix"] is None for f in json.loads(run_cli(*check).stdout)] == [False]
    write(tmp_path, "app/users.py", "from app.models.base import UserBase\n\nT = UserBase.Config\n")
    assert [f["fix"] for f in json.loads(run_cli(*check).stdout)] == [None]


def test_a_config_no_other_module_reads_is_still_fixed(tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", V2_TARGETED)
    write(tmp_path, "app/__init__.py", "")
    write(
        tmp_path,
        "app/base.py",
        """
        from pydantic import BaseModel


        class UserBase(BaseModel):
            email: str

            class Config:
                title = "User"
        """,
    )
    write(
        tmp_path, "app/users.py", "from app.base import UserBase\n\nTITLE = UserBase.model_config\n"
    )
    run_cli("check", "--no-cache", "--fix", str(tmp_path))
    assert 'model_config = ConfigDict(title="User")' in (tmp_path / "app/base.py").read_text()


def test_both_summaries_list_the_configs_a_module_reads() -> None:
    from checks.project import summarize_with_libcst
    from checks.summary import summarize

    source = textwrap.dedent(
        """
        import app.base
        from app.base import UserBase as Base


        class Local(Base):
            class Config(Base.Config):
                pass

            def title(self):
                return self.Config.title, type(self).Config


        TITLE = app.base.Other.Config.title
        """
    ).encode()
    fast = summarize(source, "app.users", False)
    assert fast is not None
    assert fast.config_refs == {"app.base.UserBase", "app.users.Local", "app.base.Other"}
    assert fast == summarize_with_libcst(source, "app.users", False)

"""FG212: Pydantic 2's APIs in a project that surely runs Pydantic 1 (its pins decide)."""

from __future__ import annotations

from pathlib import Path

import pytest

from checks.engine import Engine
from checks.pydantic_target import PydanticTarget
from checks.rules import RULES_BY_CODE
from tests.helpers import check_code, run_cli, write

V1 = (("requirements.txt", "fastapi==0.95.2\npydantic==1.10.13\n"),)

MIXED = """
from pydantic import BaseModel, ConfigDict, field_validator


class PropertyIn(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    name: str

    class Config:
        populate_by_name = True
        orm_mode = True

    @field_validator("name")
    @classmethod
    def strip(cls, value: str) -> str:
        return value.strip()


def values(item: PropertyIn) -> dict[str, object]:
    print(PropertyIn.model_fields)
    return item.model_dump(exclude_unset=True)
"""


def _fg212(source: str, pins: tuple[tuple[str, str], ...]) -> list[tuple[int, int]]:
    return [
        (f.start.row, f.start.column)
        for f in check_code(source, "app/schemas.py", pins)
        if f.code == "FG212"
    ]


@pytest.mark.parametrize(
    ("pins", "found"),
    [
        (V1, [(1, 33), (1, 45), (5, 5), (10, 9), (20, 22), (21, 17)]),
        ((("pyproject.toml", '[project]\ndependencies = ["pydantic>=1.8,<2"]\n'),), None),
        ((("requirements.txt", "pydantic==2.9.2\n"),), []),
        ((("requirements.txt", "fastapi>=0.100\n"),), []),
        ((), []),
        # Arlianasrori's stale `requirement.txt` (pydantic==1.10.0) beside Poetry's `^2.8.2`,
        # which its Dockerfile installs: which runs is the deployment's choice
        (
            (
                ("requirement.txt", "pydantic==1.10.0\n"),
                ("pyproject.toml", '[tool.poetry.dependencies]\npydantic = "^2.8.2"\n'),
            ),
            [],
        ),
    ],
    ids=["pinned 1", "a range below 2", "pinned 2", "fastapi 0.100 or later", "no pins", "mixed"],
)
def test_v2_apis_are_reported_where_every_pin_admits_no_pydantic_2(
    pins: tuple[tuple[str, str], ...], found: list[tuple[int, int]] | None
) -> None:
    """The import of `ConfigDict` and `field_validator`, `model_config`, a renamed key
    (`orm_mode` beside it is Pydantic 1's), `.model_fields` and `.model_dump()`."""
    expected = found if found is not None else _fg212(MIXED, V1)
    assert _fg212(MIXED, pins) == expected


def test_the_messages_say_what_pydantic_1_does() -> None:
    messages = [f.message for f in check_code(MIXED, "app/schemas.py", V1) if f.code == "FG212"]
    assert messages[1].startswith(
        "`field_validator` is Pydantic 2's, and this project runs Pydantic 1 (its pins admit "
        "no Pydantic 2): the import fails (`ImportError`) and the app does not start: "
        "`validator`"
    )
    assert messages[3].startswith(
        "`populate_by_name` is Pydantic 2's name for `allow_population_by_field_name`, and "
        "this project runs Pydantic 1"
    )
    assert "a field with an alias accepts its alias only" in messages[3]
    assert messages[5].startswith("`.model_dump()` is Pydantic 2's")
    assert messages[5].endswith(
        "`.dict()` (or, if the code is written for Pydantic 2, require it in the pins)"
    )


def test_version_guards_and_shims_and_other_classes_are_left() -> None:
    source = """
    import pydantic
    from pydantic import BaseModel

    try:
        from pydantic import field_validator
    except ImportError:
        from pydantic import validator as field_validator

    PYDANTIC_V2 = pydantic.VERSION.startswith("2")


    class Settings:
        class Config:
            from_attributes = True


    class Row(BaseModel):
        def model_dump(self) -> dict[str, object]:
            return self.dict()


    def dump(row: Row) -> dict[str, object]:
        if hasattr(row, "model_validate"):
            row.model_validate({})
        return row.model_dump()
    """
    assert _fg212(source, V1) == []


def test_a_configured_target_decides(tmp_path: Path) -> None:
    """`target-pydantic = "1"` says so without pins; `"2"` over Pydantic 1 pins is a
    migration, whose v2 code is on purpose."""
    write(tmp_path, "app/__init__.py", "")
    write(tmp_path, "app/schemas.py", "from pydantic import ConfigDict\n")
    for configured, pins, reported in (
        ("1", "", True),
        ("2", "pydantic==1.10.13\n", False),
        (None, "pydantic==1.10.13\n", True),
    ):
        config = "[project]\nname = 'svc'\n"
        if configured is not None:
            config += f'[tool.fastapi-guardrails]\ntarget-pydantic = "{configured}"\n'
        (tmp_path / "pyproject.toml").write_text(config)
        (tmp_path / "requirements.txt").write_text(pins)
        out = run_cli("check", "--no-cache", str(tmp_path)).stdout
        assert ("FG212" in out) is reported, (configured, out)


def test_sqlmodel_models_have_model_dump_and_model_validate_on_pydantic_1(
    tmp_path: Path,
) -> None:
    """MODERATE's API (reader 209): `pydantic = "^1.10.0"` beside `sqlmodel = "^0.0.21"`,
    and 25 calls of `.model_dump()`/`.model_validate()` on its SQLModel models, which
    SQLModel 0.0.14 and later define on Pydantic 1 too (measured: SQLModel 0.0.21 on
    Pydantic 1.10.22). Not reported where the pins require such a SQLModel; `.model_copy()`
    is no SQLModel method, and an older SQLModel has neither."""
    write(tmp_path, "app/__init__.py", "")
    write(
        tmp_path,
        "app/crud.py",
        """
        from sqlmodel import SQLModel


        class Asset(SQLModel):
            name: str


        def dump(asset: Asset) -> object:
            return asset.model_dump(), Asset.model_validate({"name": "a"}), asset.model_copy()
        """,
    )

    def codes(sqlmodel: str) -> list[str]:
        config = "[tool.poetry.dependencies]\npython = '^3.11'\npydantic = '^1.10.0'\n"
        (tmp_path / "pyproject.toml").write_text(config + f"sqlmodel = '{sqlmodel}'\n")
        out = run_cli("check", "--no-cache", "--select", "FG212", str(tmp_path)).stdout
        return [line.split("`")[1] for line in out.splitlines() if "FG212" in line]

    assert codes("^0.0.21") == [".model_copy()"]
    assert codes("^0.0.8") == [".model_dump()", ".model_validate()", ".model_copy()"]


def test_code_importing_pydantic_settings_says_the_pins_are_stale(tmp_path: Path) -> None:
    """edu-app-platform's path and quiz services (reader 202) pin `pydantic==1.10.7` and
    import `BaseSettings` from pydantic-settings, which exists only for Pydantic 2: the
    code is written for Pydantic 2 and runs on the shared requirements' Pydantic 2. One
    finding per file at that import says the pins are stale; the Pydantic 2 APIs are held
    back (one move), listed when FG212 is named. A guarded import says nothing."""
    import json

    write(tmp_path, "pyproject.toml", "[project]\nname = 'svc'\n")
    write(tmp_path, "requirements.txt", "fastapi==0.95.1\npydantic==1.10.7\n")
    write(tmp_path, "app/__init__.py", "")
    config = "from pydantic import field_validator\nfrom pydantic_settings import BaseSettings\n"
    config += "\n\nclass Settings(BaseSettings):\n    name: str = 'svc'\n"
    write(tmp_path, "app/config.py", config)
    write(tmp_path, "app/schemas.py", MIXED)

    def rows(*options: str) -> list[tuple[str, int]]:
        out = run_cli("check", "--no-cache", "--output-format", "json", *options, str(tmp_path))
        return sorted(
            (Path(f["filename"]).name, f["location"]["row"])
            for f in json.loads(out.stdout)
            if f["code"] == "FG212"
        )

    assert rows() == [("config.py", 2)]
    named = rows("--extend-select", "FG212")
    assert ("config.py", 1) in named
    assert ("schemas.py", 1) in named
    assert len(named) > 5
    guarded = "try:\n    from pydantic_settings import BaseSettings\n"
    guarded += "except ImportError:\n    from pydantic import BaseSettings\n"
    write(tmp_path, "app/config.py", guarded)
    assert rows() == [r for r in named if r[0] == "schemas.py"]


def test_an_unpinned_project_importing_a_pydantic_1_library_runs_pydantic_1(
    tmp_path: Path,
) -> None:
    """monkeydnoya's service (reader 203) pins nothing and imports `fastapi_jwt_auth`,
    whose last release fails to import under Pydantic 2: it runs Pydantic 1, where its
    `orm_mode` is right. Where nothing decides the target, the Pydantic rules' v2 advice
    is held back there (reported when named); a pin that decides says otherwise."""
    import json

    write(tmp_path, "app/__init__.py", "")
    schema = "from pydantic import BaseModel\n\n\nclass UserOut(BaseModel):\n"
    schema += "    id: int\n\n    class Config:\n        orm_mode = True\n"
    write(tmp_path, "app/schemas.py", schema)
    main = "from fastapi_jwt_auth import AuthJWT\n\nfrom app.schemas import UserOut\n\n"
    write(tmp_path, "app/main.py", main + "print(AuthJWT, UserOut)\n")

    def fg206(*options: str, code: str = "FG206") -> int:
        out = run_cli("check", "--no-cache", "--output-format", "json", *options, str(tmp_path))
        return sum(f["code"] == code for f in json.loads(out.stdout))

    assert (fg206(), fg206("--extend-select", "FG206")) == (0, 1)
    write(tmp_path, "requirements.txt", "fastapi>=0.100\n")  # (says nothing of Pydantic)
    assert fg206() == 0
    write(tmp_path, "requirements.txt", "pydantic>=2\n")
    assert fg206() == 1
    (tmp_path / "requirements.txt").unlink()
    write(tmp_path, "app/main.py", "from app.schemas import UserOut\n\nprint(UserOut)\n")
    assert fg206() == 1
    # Pydantic 1's `BaseSettings` imported from `pydantic`, which Pydantic 2 refuses
    # (RezenkovD's `config.py`, reader 210); not where a `try:` guards it
    settings = "from pydantic import (\n    BaseSettings,\n)\n\n\nclass Settings(BaseSettings):\n"
    write(tmp_path, "app/config.py", settings + "    name: str = 'svc'\n")
    assert fg206() == 0
    # ...but that import is the one finding: an install today gets Pydantic 2, where it
    # fails (pin `pydantic<2`, or move)
    assert fg206(code="FG210") == 1
    guarded = "try:\n    from pydantic import BaseSettings\nexcept ImportError:\n"
    guarded += "    from pydantic_settings import BaseSettings\n"
    write(tmp_path, "app/config.py", guarded)
    assert fg206() == 1


def test_a_file_of_a_pydantic_2_project_is_not_parsed_for_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The engine asks the pins before parsing (`Rule.on_pydantic_1`): a Pydantic 2 file
    full of `model_dump` pays no libcst parse for FG212."""
    import checks.engine

    parsed: list[str] = []
    original = checks.engine.cst.parse_module

    def counting(source: str | bytes) -> object:
        parsed.append("parse")
        return original(source)

    monkeypatch.setattr(checks.engine.cst, "parse_module", counting)
    engine = Engine([RULES_BY_CODE["FG212"]], pydantic_target=PydanticTarget(tmp_path))
    source = b"def dump(row):\n    return row.model_dump()\n"
    (tmp_path / "requirements.txt").write_text("pydantic==2.9.2\n")
    assert engine.check(tmp_path / "main.py", source).findings == []
    assert parsed == []
    engine = Engine([RULES_BY_CODE["FG212"]], pydantic_target=PydanticTarget(tmp_path))
    (tmp_path / "requirements.txt").write_text("pydantic==1.10.13\n")
    result = engine.check(tmp_path / "main.py", source)
    # (reported unless the served code imports pydantic-settings 2: a project fact)
    found = [*result.findings, *(finding for finding, _ in result.pending)]
    assert [(f.code, f.start.row, f.start.column) for f in found] == [("FG212", 2, 16)]
    assert parsed == ["parse"]

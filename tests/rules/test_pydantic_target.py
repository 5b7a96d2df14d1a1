"""The Pydantic target: `target-pydantic`, else the project root's pins, else 2; and how
it reaches the findings (reported or not, messages, fixes) and the results cache."""

from __future__ import annotations

import codecs
import json
import os
import time
from collections.abc import Iterable, Sequence
from pathlib import Path

import pytest

import checks.pydantic_target
from checks.catalog import CATALOG
from checks.config import load_settings
from checks.engine import Engine
from checks.findings import Finding
from checks.project import Condition
from checks.project_facts import PYDANTIC_1_NAMED
from checks.pydantic_target import (
    Pin,
    PydanticTarget,
    migration_message,
    poetry_specifiers,
    read_pins,
    target_from_pins,
)
from checks.rule import Rule
from checks.rules import ALL_RULES
from checks.sqlalchemy_target import SqlalchemyTarget
from tests.helpers import check_code, checked_with_facts, run_cli, write


def target_of(root: Path) -> int:
    return PydanticTarget(root).version


#: Every Pydantic rule's code: a selection naming them all (`--select FG2`).
PYDANTIC_CODES = frozenset(rule.code for rule in ALL_RULES if rule.family == "Pydantic")


def check_with_target(
    source: str,
    target: int,
    path: str = "app/example.py",
    named: frozenset[str] = frozenset(),
    project: Sequence[tuple[str, str]] = (),
) -> list[Finding]:
    """Every rule's findings on a snippet, in a project that targets `target`, with the
    codes `named` by the selection (and the other modules of `project`, if given)."""
    engine = Engine(ALL_RULES, pydantic_target=PydanticTarget(Path("."), target, named))
    if project:
        return check_code(source, path, project, engine=engine)
    result = checked_with_facts(engine, path, source.encode(), None)
    # a finding that stands on the selection (FG210's `pydantic.v1`): as `check_code` does;
    # one held back on target 1 unless its rule is named, as the run's index decides
    facts = [
        finding
        for finding, condition in result.pending
        if condition.fact is not None and _named_on_target_1(condition, named)
    ]
    return [*result.findings, *facts]


def _named_on_target_1(condition: Condition | None, named: frozenset[str]) -> bool:
    """Whether no fact of the chain is a Pydantic rule's on target 1 that is not named."""
    while condition is not None:
        if condition.fact in PYDANTIC_1_NAMED and condition.fact.rpartition(":")[2] not in named:
            return False
        condition = condition.also
    return True


# ------------------------------------------------------------------- pin sources
def test_no_pins_means_target_2(tmp_path: Path) -> None:
    assert target_of(tmp_path) == 2
    write(tmp_path, "pyproject.toml", '[project]\nname = "x"\ndependencies = ["fastapi"]\n')
    assert target_of(tmp_path) == 2


@pytest.mark.parametrize(
    ("requirement", "target"),
    [
        ("pydantic==1.10.13", 1),
        ("pydantic<2", 1),
        ("pydantic[email]>=1.8,<2.0", 1),
        ("pydantic~=1.10", 1),
        ("pydantic==1.10.*", 1),
        ("pydantic>=1.10,<3", 2),
        ("pydantic>=1.10,!=2.*,<3", 1),
        ("pydantic>=2.5", 2),
        ("pydantic", 2),
        ("Pydantic == 1.9.2", 1),
        ("pydantic>1.10,<2.0.0a1", 1),
    ],
)
def test_pep621_dependencies_decide(tmp_path: Path, requirement: str, target: int) -> None:
    write(
        tmp_path,
        "pyproject.toml",
        f'[project]\nname = "svc"\ndependencies = ["fastapi", {json.dumps(requirement)}]\n',
    )
    assert target_of(tmp_path) == target


def test_pydantic_settings_and_pydantic_core_are_not_pydantic(tmp_path: Path) -> None:
    write(
        tmp_path,
        "pyproject.toml",
        '[project]\nname = "svc"\n'
        'dependencies = ["pydantic-settings<2", "pydantic_core<2", "pydantic>=2"]\n',
    )
    assert target_of(tmp_path) == 2


def test_a_v1_pin_in_one_extra_or_group_alone_does_not_decide(tmp_path: Path) -> None:
    write(
        tmp_path,
        "pyproject.toml",
        """
        [project]
        name = "lib"
        dependencies = ["pydantic>=1.10,<3"]

        [project.optional-dependencies]
        legacy = ["pydantic<2"]

        [dependency-groups]
        test-v1 = ["pydantic==1.10.13", {include-group = "dev"}]
        """,
    )
    assert target_of(tmp_path) == 2


def test_pins_found_only_in_groups_decide_when_they_all_agree(tmp_path: Path) -> None:
    write(
        tmp_path,
        "pyproject.toml",
        '[project]\nname = "svc"\n\n[dependency-groups]\ndev = ["pydantic<2"]\n',
    )
    assert target_of(tmp_path) == 1


def test_a_marker_makes_a_pin_conditional(tmp_path: Path) -> None:
    write(
        tmp_path,
        "pyproject.toml",
        """
        [project]
        name = "svc"
        dependencies = [
            "pydantic<2; python_version < '3.8'",
            "pydantic>=2; python_version >= '3.8'",
        ]
        """,
    )
    assert target_of(tmp_path) == 2


@pytest.mark.parametrize(
    ("constraint", "target"),
    [
        ('"^1.9"', 1),
        ('{ version = "^1.9", extras = ["email", "dotenv"] }', 1),
        ('"~1.10"', 1),
        ('"1.10.13"', 1),
        ('">=1.8,<2.0"', 1),
        ('">=1.8 <2.0"', 1),
        ('"^1.9 || ^2.0"', 2),
        ('"^2.5"', 2),
        ('"*"', 2),
        ('">2.0"', 2),
    ],
)
def test_poetry_dependencies_decide(tmp_path: Path, constraint: str, target: int) -> None:
    write(
        tmp_path,
        "pyproject.toml",
        f'[tool.poetry.dependencies]\npython = "^3.11"\npydantic = {constraint}\n',
    )
    assert target_of(tmp_path) == target


def test_poetry_constraints_become_pep440() -> None:
    assert poetry_specifiers("^1.9") == [">=1.9,<2"]
    assert poetry_specifiers("^0.9.1") == [">=0.9.1,<0.10"]
    assert poetry_specifiers("~1.10.2") == [">=1.10.2,<1.11"]
    assert poetry_specifiers("~1") == [">=1,<2"]
    assert poetry_specifiers("1.10.*") == ["==1.10.*"]
    assert poetry_specifiers(">= 1.8, < 2") == [">=1.8,<2"]
    assert poetry_specifiers("^1.9 || ^2.0") == [">=1.9,<2", ">=2.0,<3"]
    assert poetry_specifiers("*") == [""]


def test_a_requirements_file_with_pydantic_1_10_13_means_target_1(tmp_path: Path) -> None:
    write(
        tmp_path,
        "requirements.txt",
        """
        # pinned by pip-compile
        fastapi==0.95.2 \\
            --hash=sha256:aaaa
        pydantic[email]==1.10.13 \\
            --hash=sha256:bbbb
            # via fastapi
        -e .
        """,
    )
    assert target_of(tmp_path) == 1


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-8-sig", "utf-32"])
def test_a_requirements_file_is_read_in_the_encoding_its_byte_order_mark_names(
    tmp_path: Path, encoding: str
) -> None:
    """`pip freeze > requirements.txt` in Windows PowerShell writes UTF-16 (a delivery
    platform's pins, bcrypt 4.0.1 among them): pip reads it by its mark, and so do we."""
    text = "bcrypt==4.0.1\r\npydantic==1.10.13\r\n"
    data = text.encode(encoding)
    if encoding == "utf-16-be":
        data = codecs.BOM_UTF16_BE + data
    (tmp_path / "requirements.txt").write_bytes(data)
    assert target_of(tmp_path) == 1


@pytest.mark.parametrize("name", ["requirement.txt", "requerments.txt", "reqs.txt"])
def test_a_requirements_file_however_spelled_binds_every_install(tmp_path: Path, name: str) -> None:
    """`pip install -r` takes any name: Md-Merazul-Islam pins bcrypt 4.0.1 in a
    `requerments.txt` (reader 66: FG504 told them passlib would break); a main file,
    whatever its spelling, binds every install. A name that merely holds `req`
    (`frequencies.txt`, `prerequisites.txt`) is no requirements file."""
    write(tmp_path, "frequencies.txt", "pydantic==2.7.0\n")
    write(tmp_path, "prerequisites.txt", "pydantic==2.7.0\n")
    write(tmp_path, "requirements-extra.txt", "pydantic>=2\n")
    assert target_of(tmp_path) == 2
    write(tmp_path, name, "pydantic==1.10.13\n")
    assert target_of(tmp_path) == 1


def test_another_requirements_file_counts_as_an_alternative(tmp_path: Path) -> None:
    write(tmp_path, "requirements-base.txt", "pydantic==1.10.21\n")
    assert target_of(tmp_path) == 1
    write(tmp_path, "requirements.txt", "pydantic>=1.10\n")
    assert target_of(tmp_path) == 2
    write(tmp_path, "requirements.txt", "pydantic<2\n")
    assert target_of(tmp_path) == 1


def test_setuptools_pins_decide_the_target(tmp_path: Path) -> None:
    """opal's packages pin `pydantic[email]>=1.9.1,<2` in a `requires.txt` their `setup.py`
    reads (setuptools' name for `install_requires`, as in an egg-info); an older
    `setup.py` writes `install_requires=[...]` as a literal. Both bind every install;
    `extras_require` is an alternative, and a list computed at run time says nothing."""
    write(tmp_path, "requires.txt", "fastapi>=0.109.1,<1\npydantic[email]>=1.9.1,<2\n")
    assert target_of(tmp_path) == 1
    (tmp_path / "requires.txt").unlink()
    write(
        tmp_path,
        "setup.py",
        """
        from setuptools import setup

        setup(
            name="svc",
            install_requires=["fastapi>=0.100", "pydantic>=1.10,<2"],
            extras_require={"v2": ["pydantic>=2"]},
        )
        """,
    )
    assert target_of(tmp_path) == 1
    write(
        tmp_path,
        "setup.py",
        """
        from setuptools import setup

        REQUIRED = ["fastapi>=0.100", "pydantic>=1.10,<2"]

        setup(name="svc", install_requires=REQUIRED)
        """,
    )
    assert target_of(tmp_path) == 1  # a module-level list the call names (aim's)
    write(
        tmp_path,
        "setup.py",
        """
        from setuptools import setup

        setup(name="svc", install_requires=open("deps.txt").read().split(), extras_require={
            "legacy": ["pydantic<2"], "current": ["pydantic>=2"]})
        """,
    )
    assert target_of(tmp_path) == 2  # one alternative alone does not decide
    write(tmp_path, "setup.py", "setup(install_requires=['pydantic<2'\n")  # broken: none
    assert target_of(tmp_path) == 2


def test_requirements_files_in_subdirectories_are_not_read(tmp_path: Path) -> None:
    write(tmp_path, "docs/requirements.txt", "pydantic<2\n")
    assert target_of(tmp_path) == 2


UV_LOCK = """
version = 1
requires-python = ">=3.11"

[[package]]
name = "fastapi"
version = "0.110.0"
source = {{ registry = "https://pypi.org/simple" }}

[[package]]
name = "pydantic"
version = "{version}"
source = {{ registry = "https://pypi.org/simple" }}

[[package]]
name = "pydantic-settings"
version = "2.2.1"
"""


def test_a_uv_lock_with_pydantic_1_10_means_target_1(tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", '[project]\nname = "svc"\ndependencies = ["pydantic"]\n')
    write(tmp_path, "uv.lock", UV_LOCK.format(version="1.10.17"))
    assert target_of(tmp_path) == 1
    write(tmp_path, "uv.lock", UV_LOCK.format(version="2.7.1"))
    assert target_of(tmp_path) == 2


def test_a_lock_that_forks_into_two_versions_does_not_decide_alone(tmp_path: Path) -> None:
    lock = UV_LOCK.format(version="1.10.17") + UV_LOCK.format(version="2.7.1")
    write(tmp_path, "uv.lock", lock)
    assert target_of(tmp_path) == 2


def test_a_poetry_lock_with_pydantic_1_9_means_target_1(tmp_path: Path) -> None:
    write(
        tmp_path,
        "poetry.lock",
        '[[package]]\nname = "pydantic"\nversion = "1.9.2"\ndescription = "Data validation"\n',
    )
    assert target_of(tmp_path) == 1


#: A Pipfile.lock as `pipenv lock` writes it (forum's: `pipenv install --deploy` installs
#: exactly its `default` section).
PIPFILE_LOCK = """{
    "_meta": {"hash": {"sha256": "0"}, "pipfile-spec": 6, "requires": {}, "sources": []},
    "default": {
        "pydantic": {"hashes": ["sha256:0"], "version": "==%s"},
        "sqlalchemy": {"hashes": ["sha256:0"], "version": "==1.4.36"}
    },
    "develop": {}
}"""


@pytest.mark.parametrize(
    ("files", "target"),
    [
        ({"Pipfile.lock": PIPFILE_LOCK % "1.9.0"}, 1),
        ({"Pipfile.lock": PIPFILE_LOCK % "2.7.1"}, 2),
        ({"Pipfile": '[packages]\nfastapi = "*"\npydantic = "==1.10.2"\n'}, 1),
        ({"Pipfile": '[packages]\npydantic = {version = "<2", extras = ["email"]}\n'}, 1),
        ({"Pipfile": '[packages]\nfastapi = "*"\npydantic = "*"\n'}, 2),
        # a development package does not decide what the service installs
        ({"Pipfile": '[packages]\npydantic = ">=2"\n\n[dev-packages]\npydantic = "<2"\n'}, 2),
        ({"Pipfile": "[packages]\npydantic = {version = '<2', markers = 'os_name'}\n"}, 1),
        ({"Pipfile": "[packages\n", "Pipfile.lock": "{not json"}, 2),
    ],
)
def test_pipenv_files_pin_pydantic(tmp_path: Path, files: dict[str, str], target: int) -> None:
    for name, content in files.items():
        write(tmp_path, name, content)
    assert target_of(tmp_path) == target


def test_a_pipfile_lock_pins_sqlalchemy(tmp_path: Path) -> None:
    write(tmp_path, "Pipfile.lock", PIPFILE_LOCK % "1.9.0")
    assert SqlalchemyTarget(tmp_path).version == 1


@pytest.mark.parametrize(
    ("pyproject", "lock", "target"),
    [
        # Poetry refuses a lock its pyproject.toml has moved away from: the pin decides
        ('[tool.poetry.dependencies]\npydantic = "^2.7.3"\n', "poetry.lock", 2),
        ('[project]\nname = "svc"\ndependencies = ["pydantic>=2.7"]\n', "uv.lock", 2),
        # a lock the requirement admits stays the version every install gets
        ('[project]\nname = "svc"\ndependencies = ["pydantic>=1.9"]\n', "uv.lock", 1),
    ],
)
def test_a_lock_its_requirements_exclude_is_stale_and_does_not_decide(
    tmp_path: Path, pyproject: str, lock: str, target: int
) -> None:
    write(tmp_path, "pyproject.toml", pyproject)
    write(tmp_path, lock, UV_LOCK.format(version="1.10.2"))
    assert target_of(tmp_path) == target


def test_a_stale_sqlalchemy_lock_does_not_decide(tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", '[tool.poetry.dependencies]\nsqlalchemy = "^2.0.30"\n')
    write(tmp_path, "poetry.lock", '[[package]]\nname = "sqlalchemy"\nversion = "1.4.52"\n')
    assert SqlalchemyTarget(tmp_path).version == 2
    write(tmp_path, "pyproject.toml", '[tool.poetry.dependencies]\nsqlalchemy = ">=1.4"\n')
    assert SqlalchemyTarget(tmp_path).version == 1


def test_a_fastapi_pin_below_0_100_is_a_pydantic_1_pin(tmp_path: Path) -> None:
    write(tmp_path, "requirements.txt", "fastapi==0.95.2\nuvicorn\n")
    assert target_of(tmp_path) == 1
    write(tmp_path, "requirements.txt", "fastapi>=0.95\n")
    assert target_of(tmp_path) == 2


def test_a_poetry_1_0_lock_is_read(tmp_path: Path) -> None:
    """sasano8's `poetry.lock` (reader 203), written by Poetry 1.0: each package's keys in
    alphabetical order (`category`, `description`, `name`, ..., `version`), bcrypt
    locked at 3.1.7, where passlib works. Its versions are read as a newer lock's are."""
    lock = (
        '[[package]]\ncategory = "main"\ndescription = "Modern password hashing"\n'
        'name = "bcrypt"\noptional = false\npython-versions = ">=2.7"\nversion = "3.1.7"\n\n'
        '[package.dependencies]\ncffi = ">=1.1"\n\n'
        '[[package]]\ncategory = "main"\ndescription = "Data validation"\n'
        'name = "pydantic"\noptional = false\npython-versions = ">=3.6"\nversion = "1.10.2"\n'
    )
    write(tmp_path, "poetry.lock", lock)
    target = PydanticTarget(tmp_path)
    assert target.version == 1
    assert not target.has_package("bcrypt", "5.0")


def test_a_fastapi_utils_pin_below_0_3_is_a_pydantic_1_pin(tmp_path: Path) -> None:
    """mandalart's `fastapi-utils = "^0.2.1"` beside `fastapi = "^0.110.0"` (reader 197):
    fastapi-utils 0.2.1 requires `pydantic>=1.0,<2.0`, so every install runs Pydantic 1.
    A pin admitting a later release (0.6.0 admits Pydantic 2) says nothing; so does a lock
    at one."""
    write(
        tmp_path,
        "pyproject.toml",
        '[tool.poetry.dependencies]\nfastapi = "^0.110.0"\nfastapi-utils = "^0.2.1"\n',
    )
    assert target_of(tmp_path) == 1
    write(tmp_path, "pyproject.toml", '[tool.poetry.dependencies]\nfastapi-utils = ">=0.2.1"\n')
    assert target_of(tmp_path) == 2
    write(tmp_path, "requirements.txt", "fastapi_utils==0.2.1\n")
    assert target_of(tmp_path) == 1
    write(tmp_path, "requirements.txt", "fastapi-utilities==0.2.0\n")
    assert target_of(tmp_path) == 2
    (tmp_path / "requirements.txt").unlink()
    write(tmp_path, "poetry.lock", '[[package]]\nname = "fastapi-utils"\nversion = "0.6.0"\n')
    assert target_of(tmp_path) == 2
    write(tmp_path, "poetry.lock", '[[package]]\nname = "fastapi-utils"\nversion = "0.2.1"\n')
    assert target_of(tmp_path) == 1


def test_a_v2_project_admitting_1_10_to_3_is_target_2(tmp_path: Path) -> None:
    write(
        tmp_path,
        "pyproject.toml",
        '[project]\nname = "svc"\ndependencies = ["fastapi>=0.100", "pydantic>=1.10,<3"]\n',
    )
    assert target_of(tmp_path) == 2


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("pyproject.toml", "[project\ndependencies = ['pydantic<2'"),
        ("pyproject.toml", '[project]\ndependencies = "pydantic<2"\n'),
        ("pyproject.toml", '[tool.poetry.dependencies]\npydantic = "^^1.9 garbage"\n'),
        ("pyproject.toml", "[tool.poetry.dependencies]\npydantic = { git = 'x' }\n"),
        ("requirements.txt", "pydantic==>>1.0\npydantic @ https://example.com/p.whl\n"),
        ("requirements.txt", b"pydantic==\xff\xfe1.10\n"),
        ("uv.lock", b'[[package]]\nname = "pydantic"\nversion = "not a version"\n'),
    ],
)
def test_an_unparseable_pin_file_is_no_crash_and_counts_for_nothing(
    tmp_path: Path, name: str, content: str | bytes
) -> None:
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    assert target_of(tmp_path) == 2


def test_a_pin_file_that_is_a_directory_is_no_crash(tmp_path: Path) -> None:
    (tmp_path / "uv.lock").mkdir()
    (tmp_path / "requirements-dev.txt").mkdir()
    assert target_of(tmp_path) == 2


def test_every_pin_is_read_once_and_the_verdict_kept(tmp_path: Path) -> None:
    write(tmp_path, "requirements.txt", "pydantic<2\n")
    target = PydanticTarget(tmp_path)
    assert target.version == 1
    (tmp_path / "requirements.txt").write_text("pydantic>=2\n")
    assert target.version == 1  # settings are loaded once per root and run
    assert target_of(tmp_path) == 2


def test_target_from_pins_reads_pins_as_listed() -> None:
    pins = list(read_pins(Path("/nonexistent-root")))
    assert pins == []
    assert target_from_pins(pins) == 2


# ----------------------------------------------------------------------- config
def test_the_config_key_beats_the_pins(tmp_path: Path) -> None:
    write(
        tmp_path,
        "pyproject.toml",
        '[project]\nname = "svc"\ndependencies = ["pydantic==1.10.13"]\n\n'
        '[tool.fastapi-guardrails]\ntarget-pydantic = "2"\n',
    )
    settings = load_settings(CATALOG, tmp_path)
    assert settings.target_pydantic == 2
    assert settings.pydantic_target.version == 2
    write(
        tmp_path,
        "pyproject.toml",
        '[project]\nname = "svc"\ndependencies = ["pydantic>=2"]\n\n'
        '[tool.fastapi-guardrails]\ntarget-pydantic = "1"\n',
    )
    assert load_settings(CATALOG, tmp_path).pydantic_target.version == 1


def test_without_the_key_the_settings_detect_from_the_root(tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", '[project]\nname = "svc"\n')
    write(tmp_path, "requirements.txt", "pydantic==1.10.13\n")
    write(tmp_path, "app/models.py", "")
    settings = load_settings(CATALOG, tmp_path / "app" / "models.py")
    assert settings.target_pydantic is None
    assert settings.pydantic_target.version == 1


@pytest.mark.parametrize("value", ['"3"', '"v2"', "true", "[1]"])
def test_a_bad_target_is_a_configuration_error(tmp_path: Path, value: str) -> None:
    write(tmp_path, "pyproject.toml", f"[tool.fastapi-guardrails]\ntarget-pydantic = {value}\n")
    write(tmp_path, "app.py", "")
    result = run_cli("check", str(tmp_path))
    assert result.exit_code == 2
    assert '`target-pydantic` must be "1" or "2"' in result.stderr
    assert "Traceback" not in result.stderr


# ------------------------------------------------------------- what it changes
V1_MODULE = """
from pydantic import BaseModel


class UserRead(BaseModel):
    id: int

    class Config:
        orm_mode = True


def dump(user: UserRead) -> dict[str, object]:
    return user.dict()
"""


def _project(tmp_path: Path, pins: str, table: str = "") -> Path:
    write(tmp_path, "pyproject.toml", f'[project]\nname = "svc"\n{pins}\n{table}')
    return write(tmp_path, "app/users.py", V1_MODULE)


def test_with_target_1_the_default_run_reports_no_pydantic_finding(tmp_path: Path) -> None:
    """As ruff's pyupgrade rules and `target-version`: code written for Pydantic 1 is not
    told to use what Pydantic 1 does not have."""
    _project(tmp_path, 'dependencies = ["pydantic==1.10.13"]')
    write(
        tmp_path, "app/jobs.py", "import time\n\n\nasync def tick() -> None:\n    time.sleep(1)\n"
    )
    result = run_cli("check", "--no-cache", "--output-format", "json", str(tmp_path))
    assert [f["code"] for f in json.loads(result.stdout)] == ["FG301"]
    for broad in ("ALL", "FG"):
        selected = run_cli("check", "--no-cache", "--statistics", "--select", broad, str(tmp_path))
        assert "FG2" not in selected.stdout


@pytest.mark.parametrize(
    ("arguments", "table", "expected"),
    [
        (("--select", "FG2"), "", ["FG201", "FG206", "FG207"]),
        (("--select", "FG201"), "", ["FG201"]),
        (("--extend-select", "FG20"), "", ["FG201", "FG206", "FG207"]),
        ((), '[tool.fastapi-guardrails]\nextend-select = ["FG206"]\n', ["FG206"]),
        (
            (),
            '[tool.fastapi-guardrails]\nselect = ["FG2"]\nignore = ["FG207"]\n',
            ["FG201", "FG206"],
        ),
    ],
)
def test_with_target_1_a_selection_naming_the_rules_reports_them(
    tmp_path: Path, arguments: tuple[str, ...], table: str, expected: list[str]
) -> None:
    _project(tmp_path, 'dependencies = ["pydantic==1.10.13"]', table)
    result = run_cli("check", "--no-cache", "--output-format", "json", *arguments, str(tmp_path))
    assert sorted(f["code"] for f in json.loads(result.stdout)) == expected


def test_with_target_1_findings_speak_of_the_migration_and_have_no_fix(tmp_path: Path) -> None:
    _project(tmp_path, 'dependencies = ["pydantic==1.10.13"]')
    result = run_cli(
        "check", "--no-cache", "--output-format", "json", "--select", "FG2", str(tmp_path)
    )
    findings = json.loads(result.stdout)
    assert sorted(f["code"] for f in findings) == ["FG201", "FG206", "FG207"]
    assert all(f["fix"] is None for f in findings)
    dict_call = next(f for f in findings if f["code"] == "FG201")
    assert dict_call["message"] == (
        "`.dict()` is the v1 API, replaced in Pydantic v2 (this project targets Pydantic "
        "v1): when migrating, use `.model_dump()`"
    )


def test_with_target_2_the_same_code_gets_v2_messages_and_fixes(tmp_path: Path) -> None:
    _project(tmp_path, 'dependencies = ["pydantic==1.10.13"]', TARGET_2)
    result = run_cli("check", "--no-cache", "--output-format", "json", str(tmp_path))
    findings = json.loads(result.stdout)
    assert all(f["fix"] is not None for f in findings)
    assert all("when migrating" not in f["message"] for f in findings)


TARGET_2 = '[tool.fastapi-guardrails]\ntarget-pydantic = "2"\n'


@pytest.mark.parametrize(
    "rule",
    [r for r in ALL_RULES if r.family == "Pydantic" and not r.on_pydantic_1],
    ids=lambda rule: rule.code,
)
def test_with_target_1_every_pydantic_finding_is_a_migration_note_without_fix(
    rule: Rule,
) -> None:
    for example in rule.bad:
        found_codes = check_with_target(example.code, 1, example.path, project=example.project)
        assert rule.code not in {f.code for f in found_codes}
        named = check_with_target(
            example.code, 1, example.path, PYDANTIC_CODES, project=example.project
        )
        found = [f for f in named if f.code == rule.code]
        assert len(found) == example.expect
        for finding in found:
            assert "in Pydantic v2 (this project targets Pydantic v1): when migrating" in (
                finding.message
            )
            assert finding.fix is None
        if example.expect:
            target_2 = check_with_target(example.code, 2, example.path, project=example.project)
            assert rule.code in {f.code for f in target_2}


def test_migration_message_shapes() -> None:
    assert migration_message("`orm_mode` is the Pydantic v1 name: use `from_attributes=True`") == (
        "`orm_mode` is the v1 name, replaced in Pydantic v2 (this project targets Pydantic "
        "v1): when migrating, use `from_attributes=True`"
    )
    # what Pydantic 2 does with the v1 name is said on a v2 project only (readers 115, 126)
    assert migration_message(
        "`orm_mode` is the Pydantic v1 name, which Pydantic 2 ignores (a warning, and "
        "`model_validate(obj)` reads no attributes; FastAPI still reads them for a "
        "`response_model`): use `from_attributes=True`"
    ) == (
        "`orm_mode` is the v1 name, replaced in Pydantic v2 (this project targets Pydantic "
        "v1): when migrating, use `from_attributes=True`"
    )
    assert migration_message("`GenericModel` is gone: subclass `BaseModel, Generic[T]`") == (
        "`GenericModel` is gone in Pydantic v2 (this project targets Pydantic v1): when "
        "migrating, subclass `BaseModel, Generic[T]`"
    )
    assert migration_message("Pydantic v1 API") == (
        "Pydantic v1 API: replaced in Pydantic v2 (this project targets Pydantic v1)"
    )


def test_fix_and_unsafe_fixes_change_nothing_with_target_1(tmp_path: Path) -> None:
    module = _project(tmp_path, 'dependencies = ["pydantic<2"]')
    fix = ("check", "--fix", "--unsafe-fixes", "--no-cache", "--select", "FG2", str(tmp_path))
    result = run_cli(*fix)
    assert result.exit_code == 1  # the findings named by the selection stay
    assert module.read_text() == V1_MODULE.lstrip("\n")


# ------------------------------------------------------------------------ cache
def _age(path: Path) -> None:
    """Make a file old enough for the cache to trust its stamp."""
    old = time.time() - 60
    os.utime(path, (old, old))


def test_a_change_of_the_pins_is_a_change_of_the_cache_key(tmp_path: Path) -> None:
    module = _project(tmp_path, "")
    _age(module)
    requirements = write(tmp_path, "requirements.txt", "pydantic>=2\n")
    first = run_cli("check", "--output-format", "json", str(tmp_path))
    assert all("when migrating" not in f["message"] for f in json.loads(first.stdout))
    requirements.write_text("pydantic==1.10.13\n")
    second = run_cli("check", "--output-format", "json", str(tmp_path))
    assert json.loads(second.stdout) == []
    named = run_cli("check", "--output-format", "json", "--extend-select", "FG2", str(tmp_path))
    findings = json.loads(named.stdout)
    assert findings
    assert all("when migrating" in f["message"] for f in findings)
    assert all(f["fix"] is None for f in findings)


def test_the_named_codes_are_part_of_the_cache_key(tmp_path: Path) -> None:
    """The same enabled rules, with or without naming them, report differently on
    target 1: a cached default run must not answer a run that names them."""
    assert PydanticTarget(tmp_path, 1, frozenset({"FG201"})).cache_key() != (
        PydanticTarget(tmp_path, 1).cache_key()
    )
    assert PydanticTarget(tmp_path, None, frozenset({"FG201"})).cache_key() != (
        PydanticTarget(tmp_path).cache_key()
    )


def test_the_cache_key_follows_the_pins_not_the_rest_of_the_files(tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", '[project]\nname = "a"\ndependencies = ["pydantic<2"]\n')
    key = PydanticTarget(tmp_path).cache_key()
    write(tmp_path, "pyproject.toml", '[project]\nname = "b"\ndependencies = ["pydantic<2"]\n')
    assert PydanticTarget(tmp_path).cache_key() == key
    write(tmp_path, "pyproject.toml", '[project]\nname = "b"\ndependencies = ["pydantic<3"]\n')
    assert PydanticTarget(tmp_path).cache_key() != key
    assert PydanticTarget(tmp_path, 1).cache_key() == "pydantic=1"


def test_the_target_is_asked_only_when_a_pydantic_rule_reports() -> None:
    """The one-file path stays lean: the pins are evaluated (and `packaging` imported)
    only for a file with a Pydantic finding."""
    asked: list[int] = []

    def target() -> int:
        asked.append(1)
        return 1

    engine = Engine(ALL_RULES, pydantic_target=target)
    clean = "from pydantic import BaseModel\n\nclass M(BaseModel):\n    a: int\n"
    engine.check(Path("app/clean.py"), clean.encode(), None)
    assert asked == []
    engine.check(Path("app/v1.py"), V1_MODULE.encode(), None)
    assert asked


def test_the_cache_key_needs_no_verdict_and_the_verdict_is_decided_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path, "requirements.txt", "pydantic<2\n")
    settings = load_settings(CATALOG, tmp_path)
    decided: list[int] = []
    real = checks.pydantic_target.target_from_pins

    def counted(pins: Iterable[Pin]) -> int:
        decided.append(1)
        return real(pins)

    monkeypatch.setattr(checks.pydantic_target, "target_from_pins", counted)
    assert settings.pydantic_target.cache_key().startswith("pins=")
    assert decided == []
    assert settings.pydantic_target() == 1
    assert settings.pydantic_target() == 1
    assert decided == [1]


def test_a_fastapi_that_works_with_both_versions_says_nothing(tmp_path: Path) -> None:
    write(tmp_path, "requirements-base.txt", "fastapi==0.115.8\npydantic==1.10.21\n")
    assert target_of(tmp_path) == 1


# ----------------------------------------------- the least Pydantic every install has
@pytest.mark.parametrize(
    ("files", "guaranteed"),
    [
        ({}, False),
        ({"uv.lock": '[[package]]\nname = "pydantic"\nversion = "2.12.3"\n'}, True),
        ({"uv.lock": '[[package]]\nname = "pydantic"\nversion = "2.10.6"\n'}, False),
        ({"requirements.txt": "pydantic>=2.11,<3\n"}, True),
        ({"requirements.txt": "pydantic~=2.11\n"}, True),
        ({"requirements.txt": "pydantic>=2.5\n"}, False),
        ({"requirements.txt": "pydantic==2.10.*\n"}, False),
        ({"requirements.txt": "pydantic>2.10\n"}, False),
        ({"requirements.txt": "pydantic<3\n"}, False),
        ({"requirements-dev.txt": "pydantic>=2.11\n"}, False),  # not every install's
    ],
)
def test_the_least_pydantic_of_every_install_is_read_from_binding_pins(
    tmp_path: Path, files: dict[str, str], guaranteed: bool
) -> None:
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    assert checks.pydantic_target.PydanticTarget(tmp_path).guarantees("2.11") is guaranteed


_POPULATE = """
from pydantic import BaseModel, Field


class User(BaseModel):
    full_name: str = Field(alias="fullName")

    class Config:
        allow_population_by_field_name = True
"""


@pytest.mark.parametrize(
    ("lock_version", "key"), [("2.12.3", "validate_by_name"), ("2.10.6", "populate_by_name")]
)
def test_fg207_writes_validate_by_name_where_every_install_has_it(
    tmp_path: Path, lock_version: str, key: str
) -> None:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'svc'\n", encoding="utf-8")
    lock = f'[[package]]\nname = "pydantic"\nversion = "{lock_version}"\n'
    (tmp_path / "uv.lock").write_text(lock, encoding="utf-8")
    model = tmp_path / "app" / "schemas.py"
    model.parent.mkdir()
    model.write_text(_POPULATE.lstrip("\n"), encoding="utf-8")
    run_cli("check", "--select", "FG207", "--fix", "--unsafe-fixes", "--no-cache", str(tmp_path))
    assert f"model_config = ConfigDict({key}=True)" in model.read_text(encoding="utf-8")

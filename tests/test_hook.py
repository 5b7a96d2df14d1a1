"""The Claude Code PostToolUse hook: blocks on what the edit introduced, counts the rest,
stays silent where `check .` would, and tells the user when it cannot check."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import checks.hook
from checks.hook import changed_rows, run_claude_hook
from tests.helpers import HTTP_ERRORS, REPOSITORY_OF, run_cli, write, write_new

FIXTURES = Path(__file__).parent / "fixtures" / "claude_code"
SLEEPY = "import time\n\nasync def poll() -> None:\n    time.sleep(1)\n"


@pytest.fixture(autouse=True)
def own_marker_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Markers of answered tool uses live in the temporary directory: one per test."""
    markers = tmp_path / "tmp"
    markers.mkdir()
    monkeypatch.setattr("tempfile.tempdir", str(markers))
    monkeypatch.setenv("TMPDIR", str(markers))


def hook(payload: object, project: Path | None = None) -> tuple[int, str, str]:
    """The hook's (exit status, stdout, stderr) for a payload, in this process."""
    data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    environ = {"CLAUDE_PROJECT_DIR": str(project)} if project is not None else {}
    answer = run_claude_hook(data, environ)
    return answer.exit_code, answer.stdout, answer.stderr


def reason(stdout: str) -> str:
    answer = json.loads(stdout)
    assert answer["decision"] == "block"
    return str(answer["reason"])


def listed_codes(text: str) -> list[str]:
    return [line.split(": ")[1].split()[0] for line in text.splitlines() if ": FG" in line]


def load_fixture(name: str, root: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """A recorded payload with its file written under `root` (a git work tree)."""
    fixture = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    (root / ".git").mkdir(exist_ok=True)
    path = root / fixture["file"]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(fixture["content"], encoding="utf-8")
    payload = json.loads(json.dumps(fixture["payload"]).replace("{{ROOT}}", str(root)))
    return fixture, payload


@pytest.mark.parametrize("name", sorted(p.name for p in FIXTURES.glob("*.json")))
def test_recorded_payload_blocks_only_on_what_the_edit_introduced(
    name: str, tmp_path: Path
) -> None:
    fixture, payload = load_fixture(name, tmp_path)
    exit_code, stdout, stderr = hook(payload)
    assert (exit_code, stderr) == (0, "")
    if not fixture["blocking"]:
        assert stdout == ""  # an edit that adds nothing is not nagged about older findings
        return
    answer = json.loads(stdout)
    older = fixture["older"]
    assert answer["decision"] == "block"
    assert sorted(listed_codes(answer["reason"])) == sorted(fixture["blocking"])
    text = answer["reason"]
    if older:
        noun = "finding" if older == 1 else "findings"
        assert f"{older} older {noun} in this file" in text
        assert f"`fastapi-guardrails check {fixture['file']}`" in text
    else:
        assert "older" not in text


def test_the_recorded_edit_blocks_on_the_new_sleep_and_not_on_the_old_http_exception(
    tmp_path: Path,
) -> None:
    _, payload = load_fixture("edit.json", tmp_path)
    text = reason(hook(payload)[1])
    assert ":22:9: FG301" in text
    assert "FG401" not in text


def test_changed_rows_of_a_patch_include_both_sides_of_a_deletion() -> None:
    hunk = {
        "oldStart": 3,
        "oldLines": 4,
        "newStart": 3,
        "newLines": 3,
        "lines": [" a", "-b", " c", "+d", " e"],
    }
    payload = {"tool_response": {"structuredPatch": [hunk]}}
    assert changed_rows(payload, "") == {3, 4, 5}


def test_changed_rows_without_a_patch_come_from_the_new_string() -> None:
    text = "x = 1\r\ny = 2\r\nz = 3\r\n"
    payload = {"tool_input": {"new_string": "y = 2\r\nz = 3"}, "tool_response": {}}
    assert changed_rows(payload, text) == {2, 3}
    assert changed_rows({"tool_input": {"new_string": "nowhere"}}, text) is None
    assert changed_rows({"tool_input": {"new_string": ""}}, text) is None


def test_clean_file_non_python_file_and_missing_file_are_silent(tmp_path: Path) -> None:
    clean = write(tmp_path, "app/clean.py", "def f() -> int:\n    return 1\n")
    notes = write(tmp_path, "notes.md", "time.sleep(1)\n")
    assert hook(write_new(clean, tmp_path)) == (0, "", "")
    assert hook(write_new(notes, tmp_path)) == (0, "", "")
    gone = write_new(clean, tmp_path)
    gone["tool_input"]["file_path"] = str(tmp_path / "gone.py")
    assert hook(gone) == (0, "", "")


@pytest.mark.parametrize(
    "payload",
    [b"", b"not json", b"\xff\xfe", b"[]", b"null", {"tool_input": "x"}, {"tool_input": {}}, {}],
)
def test_odd_input_is_silent_and_exits_0(payload: object) -> None:
    assert hook(payload) == (0, "", "")


def test_relative_file_path_is_resolved_against_cwd(tmp_path: Path) -> None:
    path = write(tmp_path, "app/jobs.py", SLEEPY)
    payload = write_new(path, tmp_path)
    payload["tool_input"]["file_path"] = "app/jobs.py"
    assert "FG301" in reason(hook(payload)[1])


def test_a_file_outside_the_project_is_not_checked(tmp_path: Path) -> None:
    project = tmp_path / "svc"
    project.mkdir()
    elsewhere = write(tmp_path, "scratch/jobs.py", SLEEPY)
    assert hook(write_new(elsewhere, project), project=project) == (0, "", "")
    inside = write(project, "app/jobs.py", SLEEPY)
    assert "FG301" in reason(hook(write_new(inside, project), project=project)[1])


def test_project_configuration_is_respected(tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", '[tool.fastapi-guardrails]\nignore = ["FG301"]\n')
    path = write(tmp_path, "app/jobs.py", SLEEPY)
    assert hook(write_new(path, tmp_path)) == (0, "", "")


def test_excluded_and_gitignored_files_are_silent(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    write(tmp_path, ".gitignore", "generated/\n")
    write(tmp_path, "pyproject.toml", '[tool.fastapi-guardrails]\nextend-exclude = ["scripts/"]\n')
    for name in ("scripts/jobs.py", "generated/client/jobs.py"):
        path = write(tmp_path, name, SLEEPY)
        assert hook(write_new(path, tmp_path)) == (0, "", "")


def test_a_configuration_error_is_told_to_the_user_not_swallowed(tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", '[tool.fastapi-guardrails]\nselct = ["FG1"]\n')
    path = write(tmp_path, "app/jobs.py", SLEEPY)
    exit_code, stdout, stderr = hook(write_new(path, tmp_path))
    assert (exit_code, stdout) == (1, "")  # Claude Code: a non-blocking error for the user
    assert "configuration error" in stderr
    assert "unknown option `selct`" in stderr
    assert str(path) in stderr
    assert run_cli("check", str(tmp_path)).exit_code == 2  # and `check` agrees it is broken


def test_an_internal_error_exits_1_with_a_message_never_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(stdin: bytes) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(checks.hook, "run_claude_hook", broken)
    result = run_cli("hook", "claude", stdin=b"{}")
    assert result.exit_code == 1
    assert "fastapi-guardrails hook: internal error" in result.stderr


def test_the_same_tool_use_is_answered_once_when_two_hooks_are_wired(tmp_path: Path) -> None:
    path = write(tmp_path, "app/jobs.py", SLEEPY)
    payload = write_new(path, tmp_path, tool_use_id=f"toolu_{os.getpid()}_{id(tmp_path)}")
    assert "FG301" in reason(hook(payload)[1])
    assert hook(payload) == (0, "", "")  # the plugin's copy already answered
    payload["tool_use_id"] += "_next"
    assert "FG301" in reason(hook(payload)[1])


def test_many_findings_are_listed_up_to_a_limit(tmp_path: Path) -> None:
    body = "".join("    time.sleep(1)\n" for _ in range(25))
    path = write(tmp_path, "app/jobs.py", f"import time\n\nasync def poll() -> None:\n{body}")
    text = reason(hook(write_new(path, tmp_path))[1])
    assert text.startswith("fastapi-guardrails found 25 problems")
    assert "... and 5 more" in text


def test_hook_as_a_process_reads_stdin_and_answers_on_stdout(tmp_path: Path) -> None:
    path = write(tmp_path, "app/jobs.py", SLEEPY)
    completed = subprocess.run(
        [sys.executable, "-m", "checks", "hook", "claude"],
        input=json.dumps(write_new(path, tmp_path, "toolu_process")).encode(),
        capture_output=True,
        check=False,
        env={**os.environ, "CLAUDE_PROJECT_DIR": str(tmp_path)},
    )
    assert completed.returncode == 0, completed.stderr
    assert json.loads(completed.stdout)["decision"] == "block"


def test_hook_process_exits_1_with_the_error_on_a_config_typo(tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", '[tool.fastapi-guardrails]\nselct = ["FG1"]\n')
    path = write(tmp_path, "app/jobs.py", SLEEPY)
    completed = subprocess.run(
        [sys.executable, "-m", "checks", "hook", "claude"],
        input=json.dumps(write_new(path, tmp_path, "toolu_typo")).encode(),
        capture_output=True,
        check=False,
    )
    assert completed.returncode == 1
    assert completed.stdout == b""
    assert b"unknown option `selct`" in completed.stderr


def test_repository_settings_wire_the_hook() -> None:
    settings = json.loads((Path(__file__).parents[1] / ".claude" / "settings.json").read_text())
    (entry,) = settings["hooks"]["PostToolUse"]
    assert entry["matcher"] == "Edit|Write|MultiEdit"
    assert entry["hooks"][0]["command"].endswith("fastapi-guardrails hook claude")


def test_on_a_sqlalchemy_1_project_1x_models_do_not_block(tmp_path: Path) -> None:
    """Target 1: `Column()` is the project's API; FG108 is a migration note there."""
    write(tmp_path, "requirements.txt", "SQLAlchemy==1.4.52\n")
    source = (
        "from sqlalchemy import Column, Integer\nfrom sqlalchemy.orm import declarative_base\n\n"
        "Base = declarative_base()\n\n\nclass A(Base):\n    __tablename__ = 'a'\n"
        "    id = Column(Integer, primary_key=True)\n"
    )
    path = write(tmp_path, "app/models.py", source)
    assert hook(write_new(path, tmp_path)) == (0, "", "")
    write(tmp_path, "requirements.txt", "SQLAlchemy==2.0.36\n")
    # on 2.0, a project whose models are typed: the 1.x model is a slip (`TYPED_MODELS`)
    write(
        tmp_path,
        "app/teams.py",
        "from sqlalchemy.orm import Mapped\n\n\nclass T(Base):\n    id: Mapped[int]\n"
        "    name: Mapped[str]\n",
    )
    assert "FG108" in reason(hook(write_new(path, tmp_path, "toolu_2"))[1])


def test_on_a_pydantic_1_project_v1_api_findings_do_not_block(tmp_path: Path) -> None:
    """Target 1: `.dict()` is the project's API; the finding is not reported."""
    write(tmp_path, "requirements.txt", "pydantic==1.10.13\nfastapi==0.99.1\n")
    source = "from pydantic import BaseModel\n\nclass A(BaseModel):\n    x: int\n\n"
    path = write(tmp_path, "app/schemas.py", source + "def f(a: A) -> dict:\n    return a.dict()\n")
    assert hook(write_new(path, tmp_path)) == (0, "", "")
    sleepy = write(tmp_path, "app/jobs.py", SLEEPY + "\n\ndef g(a) -> None:\n    pass\n")
    assert "FG301" in reason(hook(write_new(sleepy, tmp_path, "toolu_2"))[1])
    write(tmp_path, "requirements.txt", "pydantic==2.9.0\n")
    assert "FG201" in reason(hook(write_new(path, tmp_path, "toolu_3"))[1])


def test_on_a_pydantic_1_project_named_v1_api_findings_are_notes_not_blocks(
    tmp_path: Path,
) -> None:
    """Target 1 with the rules named in the selection: the findings are notes for the
    migration, counted with the file's others, never a reason to block this edit."""
    write(tmp_path, "requirements.txt", "pydantic==1.10.13\nfastapi==0.99.1\n")
    write(tmp_path, "pyproject.toml", '[tool.fastapi-guardrails]\nextend-select = ["FG2"]\n')
    source = "from pydantic import BaseModel\n\nclass A(BaseModel):\n    x: int\n\n"
    path = write(tmp_path, "app/schemas.py", source + "def f(a: A) -> dict:\n    return a.dict()\n")
    assert hook(write_new(path, tmp_path)) == (0, "", "")
    both = source + "def g(a: A) -> dict:\n    return a.dict()\n\n\n" + SLEEPY
    sleepy = write(tmp_path, "app/jobs.py", both)
    blocked = reason(hook(write_new(sleepy, tmp_path, "toolu_2"))[1])
    assert listed_codes(blocked) == ["FG301"]
    assert "1 older finding in this file" in blocked  # the `.dict()` note, counted
    # which `check` holds back in existing code (this project writes `.dict()` throughout):
    # the note says where it counts it, not only "see them with check"
    assert "counts on its last line those this project's conventions hold back" in blocked


@pytest.mark.parametrize("errors", ["app.errors", "problems"])
def test_a_class_of_the_project_is_still_followed_by_the_hook(tmp_path: Path, errors: str) -> None:
    """The hook knows which packages its index can read; a project's own module (in a
    package, or at the project root) is one of them, whatever its name."""
    write(tmp_path, "pyproject.toml", "[project]\nname = 'svc'\n")
    write(tmp_path, "app/__init__.py", "")
    write(tmp_path, f"{errors.replace('.', '/')}.py", HTTP_ERRORS)
    path = write(tmp_path, "app/users/repository.py", REPOSITORY_OF.format(errors=errors))
    assert "FG401" in reason(hook(write_new(path, tmp_path))[1])


_HOOK_ALONE = """
import json, sys
from checks.hook import run_claude_hook
from checks.lazy import is_loaded
answer = run_claude_hook(sys.stdin.buffer.read(), {})
print(json.dumps([answer.exit_code, answer.stdout, is_loaded()]))
"""


def test_a_clean_repository_module_is_answered_without_libcst(tmp_path: Path) -> None:
    """Calls of imported classes (`ConfigDict(...)`, `NotFound(...)` from a library) are no
    reason to parse: the index of a one-file run cannot read the library's modules."""
    write(tmp_path, "pyproject.toml", "[project]\nname = 'svc'\n")
    write(tmp_path, "app/__init__.py", "")
    path = write(tmp_path, "app/users/repository.py", REPOSITORY_OF.format(errors="werkzeug"))
    assert _hook_in_a_process(_HOOK_ALONE, path, tmp_path) == [0, "", False]


def _hook_in_a_process(script: str, path: Path, tmp_path: Path) -> object:
    """What `script` prints, run in a fresh interpreter with the hook's payload for an
    edit of `path` on its stdin (what a fresh process imports is part of the answer)."""
    ran = subprocess.run(
        [sys.executable, "-c", script],
        input=json.dumps(write_new(path, tmp_path)).encode(),
        capture_output=True,
        check=True,
        cwd=Path(__file__).resolve().parents[1],
        env={**os.environ, "TMPDIR": str(tmp_path / "tmp")},
    )
    return json.loads(ran.stdout)


_HOOK_MODULES = """
import json, sys
from checks.hook import run_claude_hook
answer = run_claude_hook(sys.stdin.buffer.read(), {})
print(json.dumps([answer.exit_code, answer.stdout, "packaging" in sys.modules]))
"""


def test_a_file_no_sqlalchemy_2_rule_may_fire_in_never_reads_the_pins(tmp_path: Path) -> None:
    """Deciding the SQLAlchemy target imports `packaging` (a fifth of libcst's import): a
    file whose words leave no SQLAlchemy-2-only rule a chance is answered without it."""
    write(tmp_path, "requirements.txt", "sqlalchemy==2.0.30\npydantic==2.9.2\n")
    write(tmp_path, "app/__init__.py", "")
    path = write(
        tmp_path,
        "app/jobs.py",
        "import asyncio\n\n\nasync def tick() -> None:\n    await asyncio.sleep(1)\n",
    )
    assert _hook_in_a_process(_HOOK_MODULES, path, tmp_path) == [0, "", False]


def test_a_v1_spelling_in_new_code_is_blocked_where_existing_code_is_left_alone(
    tmp_path: Path,
) -> None:
    """An assistant's first `.dict()` in a young project: `check` leaves the project's
    existing v1 spelling to it (an inventory when named: `checks.project_facts`); the
    hook blocks the new call (`new_code` of `checks.run.build_index`)."""
    write(tmp_path, "pyproject.toml", '[project]\nname = "svc"\ndependencies = ["pydantic>=2.7"]\n')
    write(tmp_path, "app/__init__.py", "")
    schema = "from pydantic import BaseModel\n\n\nclass User(BaseModel):\n    name: str\n"
    write(
        tmp_path,
        "app/schemas.py",
        schema + "\n\ndef dump(user: User) -> dict:\n    return user.dict()\n",
    )
    result = run_cli("check", "--no-cache", "--output-format", "json", str(tmp_path))
    assert json.loads(result.stdout) == []
    path = write(
        tmp_path,
        "app/views.py",
        "from app.schemas import User\n\n\ndef out(user: User) -> dict:\n    return user.dict()\n",
    )
    assert listed_codes(reason(hook(write_new(path, tmp_path))[1])) == ["FG201"]


def test_legacy_forms_in_new_code_are_blocked_in_a_project_written_with_them(
    tmp_path: Path,
) -> None:
    """SQLAlchemy 2.0 runs `Query` on a sync session and `relationship(backref=)`: `check`
    leaves a project's existing ones to it; a new one is the assistant's to avoid."""
    write(tmp_path, "pyproject.toml", '[project]\nname = "svc"\ndependencies = ["sqlalchemy>=2"]\n')
    write(tmp_path, "app/__init__.py", "")
    crud = "from sqlalchemy.orm import Session\n\n\ndef count(db: Session) -> int:\n"
    crud += "    return db.query(User).count()\n"
    write(tmp_path, "app/crud.py", crud)
    models = (
        "from sqlalchemy import ForeignKey\n"
        "from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship\n\n\n"
        "class Base(DeclarativeBase):\n    pass\n\n\n"
        "class User(Base):\n    __tablename__ = 'users'\n"
        "    id: Mapped[int] = mapped_column(primary_key=True)\n"
        "    team_id: Mapped[int] = mapped_column(ForeignKey('teams.id'))\n"
        "    team = relationship('Team', backref='members')\n"
    )
    write(tmp_path, "app/models.py", models)
    result = run_cli("check", "--no-cache", "--output-format", "json", str(tmp_path))
    assert json.loads(result.stdout) == []
    path = write(tmp_path, "app/reports.py", crud.replace("count", "total"))
    assert listed_codes(reason(hook(write_new(path, tmp_path))[1])) == ["FG101"]
    path = write(tmp_path, "app/teams.py", models.replace("User", "Member"))
    assert listed_codes(reason(hook(write_new(path, tmp_path, "toolu_2"))[1])) == ["FG108"]


def test_on_event_alone_is_new_codes_finding_and_beside_a_lifespan_always(
    tmp_path: Path,
) -> None:
    """`@app.on_event()` still runs (deprecated): `check` leaves existing handlers to the
    project (named: an inventory), the hook blocks a new one; beside a lifespan it never
    runs, and `check` reports it."""
    write(tmp_path, "pyproject.toml", '[project]\nname = "svc"\n')
    main = "from fastapi import FastAPI\n\napp = FastAPI()\n\n\n"
    main += '@app.on_event("startup")\nasync def connect() -> None:\n    pass\n'
    path = write(tmp_path, "app/main.py", main)
    found = run_cli("check", "--no-cache", "--output-format", "json", str(tmp_path))
    assert json.loads(found.stdout) == []
    assert listed_codes(reason(hook(write_new(path, tmp_path))[1])) == ["FG406"]
    write(tmp_path, "app/main.py", main.replace("FastAPI()", "FastAPI(lifespan=lifespan)"))
    found = run_cli("check", "--no-cache", "--output-format", "json", str(tmp_path))
    assert [f["code"] for f in json.loads(found.stdout)] == ["FG406"]


def test_an_expiring_async_session_factory_is_new_codes_finding(tmp_path: Path) -> None:
    """`async_sessionmaker(engine)` keeps expiring objects at commit: in code that runs
    the trap has been stepped around (readers judged one of eleven worth a change), so
    `check` reports it when named; a factory the assistant writes is blocked."""
    write(tmp_path, "pyproject.toml", '[project]\nname = "svc"\n')
    write(tmp_path, "app/__init__.py", "")
    source = (
        "from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine\n\n"
        'engine = create_async_engine("postgresql+asyncpg://app@db/app")\n'
        "SessionLocal = async_sessionmaker(engine)\n"
    )
    write(tmp_path, "app/db.py", source)

    def codes(*args: str) -> list[str]:
        result = run_cli("check", "--no-cache", "--output-format", "json", *args, str(tmp_path))
        return [f["code"] for f in json.loads(result.stdout)]

    assert codes() == []
    assert codes("--extend-select", "FG104") == ["FG104"]
    path = write(tmp_path, "app/database.py", source)
    assert listed_codes(reason(hook(write_new(path, tmp_path), tmp_path)[1])) == ["FG104"]


def test_the_file_before_the_edit_is_checked_only_for_the_codes_found_after_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`split_by_edit` matches a finding with the earlier ones of its code only: the
    file as it was is checked with those rules alone (a 2,000-line file with an old
    finding costs the hook a second full check otherwise: `benchmarks/bench_hook.py`).
    Here the edit mends the old `time.sleep()` (FG301) and adds a blocking request
    (FG302): FG301's rule is not run on the file as it was."""
    (tmp_path / ".git").mkdir()
    before = "import time\n\nimport requests\n\n\nasync def poll() -> None:\n    time.sleep(1)\n"
    after = (
        "import asyncio\n\nimport requests\n\n\nasync def poll() -> None:\n"
        "    await asyncio.sleep(1)\n    requests.get('https://example.com', timeout=5)\n"
    )
    path = tmp_path / "app" / "jobs.py"
    path.parent.mkdir()
    path.write_text(after, encoding="utf-8")
    checked: list[list[str]] = []
    real = checks.hook.check_file

    def recording(*args: Any, **kwargs: Any) -> Any:
        result = real(*args, **kwargs)
        found = [*result.findings, *(finding for finding, _ in result.pending)]
        checked.append(sorted({finding.code for finding in found}))
        return result

    monkeypatch.setattr(checks.hook, "check_file", recording)
    payload = {
        "hook_event_name": "PostToolUse",
        "tool_name": "Write",
        "cwd": str(tmp_path),
        "tool_input": {"file_path": str(path), "content": after},
        "tool_response": {"type": "update", "filePath": str(path), "originalFile": before},
    }
    text = reason(hook(payload, tmp_path)[1])
    assert listed_codes(text) == ["FG302"]
    assert "older" not in text
    assert checked == [["FG302"], []]  # the full check of the file as it was: ["FG301"]

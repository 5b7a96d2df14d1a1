"""The Claude Code PostToolUse hook: block with findings, silent otherwise, never crash."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import run_cli, write

SLEEPY = "import time\n\nasync def poll() -> None:\n    time.sleep(1)\n"


def hook(payload: object) -> tuple[int, str]:
    data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    result = run_cli("hook", "claude", stdin=data)
    return result.exit_code, result.stdout


def edit(path: Path, cwd: Path | None = None) -> dict[str, object]:
    return {
        "session_id": "s",
        "hook_event_name": "PostToolUse",
        "tool_name": "Edit",
        "tool_input": {"file_path": str(path), "old_string": "a", "new_string": "b"},
        "tool_response": {"success": True},
        "cwd": str(cwd or path.parent),
    }


def test_edit_of_a_file_with_findings_blocks_with_the_findings(tmp_path: Path) -> None:
    path = write(tmp_path, "app/jobs.py", SLEEPY)
    exit_code, stdout = hook(edit(path))
    assert exit_code == 0
    answer = json.loads(stdout)
    assert answer["decision"] == "block"
    assert "FG301" in answer["reason"]
    assert ":4:5: FG301" in answer["reason"]
    assert "fastapi-guardrails rule CODE" in answer["reason"]


def test_clean_file_non_python_file_and_missing_file_are_silent(tmp_path: Path) -> None:
    clean = write(tmp_path, "app/clean.py", "def f() -> int:\n    return 1\n")
    notes = write(tmp_path, "notes.md", "time.sleep(1)\n")
    for path in (clean, notes, tmp_path / "gone.py"):
        assert hook(edit(path)) == (0, "")


@pytest.mark.parametrize(
    "payload",
    [
        b"",
        b"not json",
        b"\xff\xfe",
        b"[]",
        b"null",
        {"tool_input": "x"},
        {"tool_input": {"file_path": 3}},
        {},
    ],
)
def test_odd_input_is_silent_and_exits_0(payload: object) -> None:
    assert hook(payload) == (0, "")


def test_relative_file_path_is_resolved_against_cwd(tmp_path: Path) -> None:
    write(tmp_path, "app/jobs.py", SLEEPY)
    payload = edit(Path("app/jobs.py"), cwd=tmp_path)
    exit_code, stdout = hook(payload)
    assert exit_code == 0
    assert json.loads(stdout)["decision"] == "block"


def test_project_configuration_is_respected(tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", '[tool.fastapi-guardrails]\nignore = ["FG301"]\n')
    path = write(tmp_path, "app/jobs.py", SLEEPY)
    assert hook(edit(path)) == (0, "")


def test_excluded_and_broken_config_projects_are_silent(tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", '[tool.fastapi-guardrails]\nextend-exclude = ["scripts/"]\n')
    assert hook(edit(write(tmp_path, "scripts/jobs.py", SLEEPY))) == (0, "")
    write(tmp_path, "pyproject.toml", '[tool.fastapi-guardrails]\nselect = "oops"\n')
    assert hook(edit(write(tmp_path, "app/jobs.py", SLEEPY))) == (0, "")


def test_layer_rules_apply_to_the_edited_file(tmp_path: Path) -> None:
    source = "from fastapi import HTTPException\n\ndef get():\n    raise HTTPException(404)\n"
    path = write(tmp_path, "app/users/service.py", source)
    assert "FG401" in json.loads(hook(edit(path))[1])["reason"]


def test_many_findings_are_listed_up_to_a_limit(tmp_path: Path) -> None:
    body = "".join("    time.sleep(1)\n" for _ in range(25))
    path = write(tmp_path, "app/jobs.py", f"import time\n\nasync def poll() -> None:\n{body}")
    reason = json.loads(hook(edit(path))[1])["reason"]
    assert reason.startswith("fastapi-guardrails found 25 problems")
    assert "... and 5 more" in reason


def test_hook_as_a_process_reads_stdin(tmp_path: Path) -> None:
    path = write(tmp_path, "app/jobs.py", SLEEPY)
    completed = subprocess.run(
        [sys.executable, "-m", "checks", "hook", "claude"],
        input=json.dumps(edit(path)).encode(),
        capture_output=True,
        check=False,
    )
    assert completed.returncode == 0
    assert json.loads(completed.stdout)["decision"] == "block"


def test_repository_settings_wire_the_hook() -> None:
    settings = json.loads((Path(__file__).parents[1] / ".claude" / "settings.json").read_text())
    (entry,) = settings["hooks"]["PostToolUse"]
    assert entry["matcher"] == "Edit|Write|MultiEdit"
    assert entry["hooks"][0]["command"].endswith("fastapi-guardrails hook claude")

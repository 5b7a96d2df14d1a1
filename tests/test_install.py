"""install.sh: POSIX sh (dash and bash), temporary HOME, never destroys a user's edits."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
INSTALL = ROOT / "install.sh"
SKILL_FILES = sorted(
    p.relative_to(ROOT / "skills" / "fastapi-guardrails")
    for p in (ROOT / "skills" / "fastapi-guardrails").rglob("*")
    if p.is_file()
)
SHELLS = [shell for shell in ("dash", "bash") if shutil.which(shell)]


def run(shell: str, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HOME": str(home)}
    return subprocess.run(
        [shell, str(INSTALL), *args], env=env, capture_output=True, text=True, check=False
    )


def tree(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): p.read_text(encoding="utf-8", errors="replace")
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(params=SHELLS)
def shell(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def home(tmp_path: Path) -> Path:
    home = tmp_path / "home with space"
    home.mkdir()
    return home


def test_install_copies_the_skill_into_home_and_is_idempotent(shell: str, home: Path) -> None:
    first = run(shell, home, "--no-cli")
    assert first.returncode == 0, first.stderr
    target = home / ".claude" / "skills" / "fastapi-guardrails"
    for relative in SKILL_FILES:
        installed = target / relative
        assert not installed.is_symlink()
        assert (
            installed.read_bytes()
            == (ROOT / "skills" / "fastapi-guardrails" / relative).read_bytes()
        )
    before = tree(home)
    second = run(shell, home, "--no-cli")
    assert second.returncode == 0
    assert "adding" not in second.stdout
    assert "updating" not in second.stdout
    assert tree(home) == before


def test_reinstall_backs_up_a_file_the_user_changed(shell: str, home: Path) -> None:
    run(shell, home, "--no-cli")
    skill = home / ".claude" / "skills" / "fastapi-guardrails" / "SKILL.md"
    skill.write_text("my own notes\n")
    result = run(shell, home, "--no-cli")
    assert result.returncode == 0
    backups = list(skill.parent.glob("SKILL.md.bak-*"))
    assert [b.read_text() for b in backups] == ["my own notes\n"]
    assert skill.read_bytes() == (ROOT / "skills" / "fastapi-guardrails" / "SKILL.md").read_bytes()


def test_a_pre_existing_skill_of_the_same_name_is_backed_up(shell: str, home: Path) -> None:
    target = home / ".claude" / "skills" / "fastapi-guardrails"
    target.mkdir(parents=True)
    (target / "SKILL.md").write_text("someone else's skill\n")
    assert run(shell, home, "--no-cli").returncode == 0
    assert [b.read_text() for b in target.glob("SKILL.md.bak-*")] == ["someone else's skill\n"]


def test_dry_run_changes_nothing(shell: str, home: Path, tmp_path: Path) -> None:
    project = tmp_path / "my service"
    project.mkdir()
    result = run(shell, home, "--no-cli", "--dry-run", "--project", str(project))
    assert result.returncode == 0
    assert "[dry-run] adding SKILL.md" in result.stdout.replace("  ", "")
    assert tree(home) == {}
    assert tree(project) == {}


def test_uninstall_removes_only_what_was_installed(shell: str, home: Path) -> None:
    run(shell, home, "--no-cli")
    target = home / ".claude" / "skills" / "fastapi-guardrails"
    (target / "references" / "database.md").write_text("edited by me\n")
    (target / "my-notes.md").write_text("mine\n")
    result = run(shell, home, "--no-cli", "--uninstall")
    assert result.returncode == 0
    assert sorted(tree(target)) == ["my-notes.md", "references/database.md"]
    assert "keeping references/database.md" in result.stdout


def test_project_install_wires_the_hook_and_keeps_existing_settings(
    shell: str, home: Path, tmp_path: Path
) -> None:
    project = tmp_path / "my service"
    (project / ".claude").mkdir(parents=True)
    existing = {
        "permissions": {"allow": ["Bash(uv run pytest)"]},
        "hooks": {
            "PostToolUse": [
                {"matcher": "Write", "hooks": [{"type": "command", "command": "ruff format"}]}
            ],
            "Stop": [{"hooks": [{"type": "command", "command": "echo done"}]}],
        },
    }
    settings_path = project / ".claude" / "settings.json"
    settings_path.write_text(json.dumps(existing))
    for _ in range(2):  # idempotent
        result = run(shell, home, "--no-cli", "--project", str(project))
        assert result.returncode == 0, result.stderr
    settings = json.loads(settings_path.read_text())
    assert settings["permissions"] == existing["permissions"]
    assert settings["hooks"]["Stop"] == existing["hooks"]["Stop"]
    post = settings["hooks"]["PostToolUse"]
    assert post[0] == existing["hooks"]["PostToolUse"][0]
    ours = [h for e in post for h in e["hooks"] if h["command"] == "fastapi-guardrails hook claude"]
    assert len(ours) == 1
    assert post[1]["matcher"] == "Edit|Write|MultiEdit"
    assert (project / "CLAUDE.md").read_bytes() == (ROOT / "CLAUDE.md").read_bytes()
    assert (project / ".claude" / "skills" / "fastapi-guardrails" / "SKILL.md").is_file()
    assert not (home / ".claude").exists()

    removed = run(shell, home, "--no-cli", "--project", str(project), "--uninstall")
    assert removed.returncode == 0
    assert json.loads(settings_path.read_text()) == existing
    assert not (project / "CLAUDE.md").exists()


def test_project_claude_md_of_the_user_is_never_overwritten(
    shell: str, home: Path, tmp_path: Path
) -> None:
    project = tmp_path / "svc"
    project.mkdir()
    (project / "CLAUDE.md").write_text("# our rules\n")
    result = run(shell, home, "--no-cli", "--project", str(project))
    assert result.returncode == 0
    assert (project / "CLAUDE.md").read_text() == "# our rules\n"
    assert "merge the sections you want" in result.stdout
    run(shell, home, "--no-cli", "--project", str(project), "--uninstall")
    assert (project / "CLAUDE.md").read_text() == "# our rules\n"


def test_invalid_settings_json_is_left_untouched(shell: str, home: Path, tmp_path: Path) -> None:
    project = tmp_path / "svc"
    (project / ".claude").mkdir(parents=True)
    (project / ".claude" / "settings.json").write_text("{ not json")
    result = run(shell, home, "--no-cli", "--project", str(project))
    assert result.returncode != 0
    assert "not valid JSON" in result.stderr
    assert (project / ".claude" / "settings.json").read_text() == "{ not json"


def test_help_and_bad_options(shell: str, home: Path) -> None:
    helped = run(shell, home, "--help")
    assert helped.returncode == 0
    assert "Usage: install.sh" in helped.stdout
    assert run(shell, home, "--bogus").returncode == 2
    assert run(shell, home, "--project", str(home / "missing")).returncode == 2


def test_install_puts_a_working_cli_on_the_path(home: Path, tmp_path: Path) -> None:
    tools, bin_dir = tmp_path / "tools", tmp_path / "bin"
    env = {
        **os.environ,
        "HOME": str(home),
        "UV_TOOL_DIR": str(tools),
        "UV_TOOL_BIN_DIR": str(bin_dir),
    }
    result = subprocess.run(
        ["sh", str(INSTALL)], env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    cli = bin_dir / "fastapi-guardrails"
    rule = subprocess.run([str(cli), "rule", "FG301"], capture_output=True, text=True, check=False)
    assert rule.returncode == 0
    assert "blocking-sleep-in-async" in rule.stdout
    removed = subprocess.run(
        ["sh", str(INSTALL), "--uninstall"], env=env, capture_output=True, text=True, check=False
    )
    assert removed.returncode == 0
    assert not cli.exists()

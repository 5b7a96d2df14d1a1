"""The Claude Code plugin manifests and the pre-commit hook this repo ships."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PLUGIN = ROOT / "skills" / ".claude-plugin" / "plugin.json"
MARKETPLACE = ROOT / ".claude-plugin" / "marketplace.json"


def _claude_cli() -> str | None:
    return os.environ.get("CLAUDE_CLI") or shutil.which("claude")


def test_marketplace_points_at_the_plugin_and_the_plugin_ships_the_hook() -> None:
    marketplace = json.loads(MARKETPLACE.read_text())
    (entry,) = marketplace["plugins"]
    assert (ROOT / entry["source"] / ".claude-plugin" / "plugin.json") == PLUGIN
    plugin = json.loads(PLUGIN.read_text())
    assert plugin["name"] == entry["name"] == "fastapi-guardrails"
    assert (PLUGIN.parent.parent / plugin["skills"] / "fastapi-guardrails" / "SKILL.md").is_file()
    (hook,) = plugin["hooks"]["PostToolUse"]
    assert hook["matcher"] == "Edit|Write|MultiEdit"
    assert hook["hooks"][0]["command"] == "fastapi-guardrails hook claude"


@pytest.mark.skipif(
    _claude_cli() is None,
    reason="the Claude Code CLI is not installed (npm install @anthropic-ai/claude-code); "
    ".ci/run installs it",
)
@pytest.mark.parametrize("manifest", [PLUGIN, MARKETPLACE], ids=["plugin", "marketplace"])
def test_claude_plugin_validate_strict_passes(manifest: Path) -> None:
    cli = _claude_cli()
    assert cli is not None
    result = subprocess.run(
        [cli, "plugin", "validate", "--strict", str(manifest)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Validation passed" in result.stdout


def _try_repo(
    tmp_path: Path, files: dict[str, str], hook: str, *checked: str
) -> subprocess.CompletedProcess[str]:
    """`pre-commit try-repo` of this repository's `hook` on a new git repository."""
    repo = tmp_path / "service"
    repo.mkdir(exist_ok=True)
    git = ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.com"]
    if not (repo / ".git").exists():
        subprocess.run([*git, "init", "-q"], check=True)
    for name, source in files.items():
        (repo / name).write_text(source)
    subprocess.run([*git, "add", "."], check=True)
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-cache")}
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(ROOT), hook, "--files", *checked],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )


def test_pre_commit_try_repo_reports_a_violation(tmp_path: Path) -> None:
    files = {
        "jobs.py": "import time\n\nasync def poll() -> None:\n    time.sleep(1)\n",
        "clean.py": "def f() -> int:\n    return 1\n",
    }
    failing = _try_repo(tmp_path, files, "fastapi-guardrails", "jobs.py", "clean.py")
    assert failing.returncode == 1, failing.stdout + failing.stderr
    assert "jobs.py:4:5: FG301" in failing.stdout
    passing = _try_repo(tmp_path, {}, "fastapi-guardrails", "clean.py")
    assert passing.returncode == 0, passing.stdout + passing.stderr


def test_pre_commit_fix_variant_rewrites_the_file(tmp_path: Path) -> None:
    source = (
        "from pydantic import BaseModel\n\n\nclass M(BaseModel):\n    a: int\n\n\n"
        "def dump(m: M) -> dict[str, int]:\n    return m.dict()\n"
    )
    result = _try_repo(tmp_path, {"models.py": source}, "fastapi-guardrails-fix", "models.py")
    assert result.returncode == 1, result.stdout + result.stderr  # files were modified
    fixed = (tmp_path / "service" / "models.py").read_text()
    assert fixed == source.replace("m.dict()", "m.model_dump()")

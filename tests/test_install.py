"""install.sh: POSIX sh (dash and bash), temporary HOME, never destroys a user's edits.

The CLI step runs against a fake `uv` (a shell script that logs its arguments), never the
network; only the last test installs the real CLI with the real uv.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from checks.rules import RULES_BY_CODE

ROOT = Path(__file__).resolve().parents[1]
INSTALL = ROOT / "install.sh"
SKILL_DIR = ROOT / "skills" / "fastapi-guardrails"
SKILL_FILES = sorted(p.relative_to(SKILL_DIR) for p in SKILL_DIR.rglob("*") if p.is_file())
TEMPLATE = SKILL_DIR / "assets" / "CLAUDE.md"
MANIFEST = ".fastapi-guardrails-manifest"
CLI_RECORD = ".fastapi-guardrails-cli"
KEEPS_THE_CLI_FOR_OTHER_PROJECTS = (
    "the fastapi-guardrails CLI stays (other projects may use it): "
    "`sh install.sh --uninstall` removes it"
)
HOOK_COMMAND = 'sh "$CLAUDE_PROJECT_DIR/.claude/hooks/fastapi-guardrails.sh"'
OLD_HOOK_COMMAND = "fastapi-guardrails hook claude"
MATCHER = "Edit|Write|MultiEdit"
SHELLS = [path for path in map(shutil.which, ("dash", "bash")) if path]
# What install.sh runs besides sh's builtins (uv and python3 are left out on purpose).
SYSTEM_TOOLS = [
    "awk",
    "cat",
    "chmod",
    "cmp",
    "cp",
    "cut",
    "date",
    "dirname",
    "find",
    "grep",
    "mkdir",
    "mktemp",
    "mv",
    "rm",
    "rmdir",
    "sed",
    "sort",
]


def plugin_pages(source: Path) -> list[str]:
    """Every command and agent a source tree ships, as paths relative to a claude dir."""
    return sorted(
        f"{kind}/{page.name}"
        for kind in ("commands", "agents")
        for page in (source / "plugin" / kind).glob("*.md")
        if page.is_file()
    )


def run(
    shell: str, home: Path, *args: str, path: str | None = None, script: Path = INSTALL
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HOME": str(home)}
    if path is not None:
        env["PATH"] = path
    return subprocess.run(
        [shell, str(script), *args], env=env, capture_output=True, text=True, check=False
    )


def tree(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): p.read_text(encoding="utf-8", errors="replace")
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def manifest_entries(claude_dir: Path) -> dict[str, str]:
    """The manifest's files, path (relative to the claude dir) -> checksum."""
    entries = {}
    for line in (claude_dir / MANIFEST).read_text().splitlines():
        checksum, sep, relative = line.partition("  ")
        if sep and len(checksum) == 64:
            entries[relative] = checksum
    return entries


def our_hooks(settings: dict[str, Any]) -> list[dict[str, Any]]:
    post = settings.get("hooks", {}).get("PostToolUse", [])
    return [
        hook
        for entry in post
        for hook in entry["hooks"]
        if hook["command"] in (HOOK_COMMAND, OLD_HOOK_COMMAND)
    ]


def write_script(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(0o755)


@pytest.fixture(params=SHELLS, ids=[Path(s).name for s in SHELLS])
def shell(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def home(tmp_path: Path) -> Path:
    home = tmp_path / "home with space"
    home.mkdir()
    return home


@pytest.fixture
def project(tmp_path: Path) -> Path:
    project = tmp_path / "my service"
    project.mkdir()
    return project


@pytest.fixture
def source(tmp_path: Path) -> Path:
    """A copy of the files install.sh ships, with one command and one agent of our own,
    so that a test can change what is shipped."""
    source = tmp_path / "source"
    source.mkdir()
    shutil.copy2(INSTALL, source / "install.sh")
    shutil.copy2(ROOT / "CLAUDE.md", source / "CLAUDE.md")
    shutil.copytree(SKILL_DIR, source / "skills" / "fastapi-guardrails")
    shutil.copytree(ROOT / "plugin", source / "plugin")
    for kind in ("commands", "agents"):
        (source / "plugin" / kind).mkdir(exist_ok=True)
    (source / "plugin" / "commands" / "zz-test-command.md").write_text("# a test command\n")
    (source / "plugin" / "agents" / "zz-test-agent.md").write_text("# a test agent\n")
    return source


@pytest.fixture
def system_tools(tmp_path: Path) -> Path:
    """A directory with the system tools install.sh needs, and no uv or python."""
    tools = tmp_path / "system-tools"
    tools.mkdir()
    checksum_tool = "sha256sum" if shutil.which("sha256sum") else "shasum"
    for name in [*SYSTEM_TOOLS, checksum_tool]:
        found = shutil.which(name)
        if found is None:
            pytest.skip(f"{name} is not installed")
        (tools / name).symlink_to(found)
    return tools


@dataclass
class FakeUv:
    """A `uv` that logs its arguments and simulates `uv tool list/install/uninstall/dir`:
    the script is `dir/uv`, and it installs the CLI into `tool_bin`."""

    root: Path
    dir: Path
    tool_bin: Path

    @property
    def log(self) -> Path:
        return self.root / "uv.log"

    @property
    def marker(self) -> Path:
        return self.root / "installed"

    def path(self, *, tool_bin_on_path: bool = False) -> str:
        dirs = [str(self.dir), *([str(self.tool_bin)] if tool_bin_on_path else [])]
        return os.pathsep.join([*dirs, os.environ["PATH"]])

    def calls(self) -> list[str]:
        return self.log.read_text().splitlines() if self.log.exists() else []

    def preinstall(self) -> None:
        self.marker.touch()

    def script(self) -> str:
        return f"""#!/bin/sh
printf '%s\\n' "$*" >> '{self.log}'
case "$1 $2" in
    "tool list")
        if [ -f '{self.marker}' ]; then
            printf 'fastapi-guardrails v0.1.0\\n- fastapi-guardrails\\n'
        else
            echo "No tools installed" >&2
        fi ;;
    "tool install")
        mkdir -p '{self.tool_bin}'
        printf '#!/bin/sh\\n' > '{self.tool_bin}/fastapi-guardrails'
        : > '{self.marker}'
        echo "warning: fake uv: the tool bin folder is not on your PATH" >&2 ;;
    "tool uninstall") rm -f '{self.marker}' '{self.tool_bin}/fastapi-guardrails' ;;
    "tool dir") echo '{self.tool_bin}' ;;
    *) echo "fake uv: unexpected arguments: $*" >&2; exit 2 ;;
esac
"""


def make_fake_uv(root: Path, uv_dir: Path | None = None, tool_bin: Path | None = None) -> FakeUv:
    """A fake uv in `uv_dir` (default: its own folder), installing into `tool_bin`."""
    root.mkdir(parents=True, exist_ok=True)
    uv = FakeUv(root, uv_dir or root / "uv", tool_bin or root / "tool-bin")
    write_script(uv.dir / "uv", uv.script())
    return uv


@pytest.fixture
def fake_uv(tmp_path: Path) -> FakeUv:
    return make_fake_uv(tmp_path / "fake uv")


# ------------------------------------------------------------------ the skill in HOME
def test_install_copies_the_skill_into_home_and_is_idempotent(shell: str, home: Path) -> None:
    first = run(shell, home, "--no-cli")
    assert first.returncode == 0, first.stderr
    target = home / ".claude" / "skills" / "fastapi-guardrails"
    for relative in SKILL_FILES:
        installed = target / relative
        assert not installed.is_symlink()
        assert installed.read_bytes() == (SKILL_DIR / relative).read_bytes()
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
    assert skill.read_bytes() == (SKILL_DIR / "SKILL.md").read_bytes()


def test_a_pre_existing_skill_of_the_same_name_is_backed_up(shell: str, home: Path) -> None:
    target = home / ".claude" / "skills" / "fastapi-guardrails"
    target.mkdir(parents=True)
    (target / "SKILL.md").write_text("someone else's skill\n")
    assert run(shell, home, "--no-cli").returncode == 0
    assert [b.read_text() for b in target.glob("SKILL.md.bak-*")] == ["someone else's skill\n"]


def test_uninstall_removes_only_what_was_installed(shell: str, home: Path) -> None:
    run(shell, home, "--no-cli")
    target = home / ".claude" / "skills" / "fastapi-guardrails"
    (target / "references" / "database.md").write_text("edited by me\n")
    (target / "my-notes.md").write_text("mine\n")
    result = run(shell, home, "--no-cli", "--uninstall")
    assert result.returncode == 0
    assert sorted(tree(target)) == ["my-notes.md", "references/database.md"]
    assert "keeping skills/fastapi-guardrails/references/database.md" in result.stdout
    assert not (home / ".claude" / MANIFEST).exists()


# ------------------------------------------------------------ commands, agents, hook
@pytest.mark.parametrize("where", ["home", "project"])
def test_every_command_and_agent_is_installed_with_the_same_rules_as_the_skill(
    shell: str, home: Path, project: Path, source: Path, where: str
) -> None:
    args = ["--project", str(project)] if where == "project" else []
    claude_dir = (project if where == "project" else home) / ".claude"
    pages = plugin_pages(source)
    assert {"commands/zz-test-command.md", "agents/zz-test-agent.md"} <= set(pages)
    (claude_dir / "commands").mkdir(parents=True)
    (claude_dir / "commands" / "zz-test-command.md").write_text("the user's own command\n")

    result = run(shell, home, "--no-cli", *args, script=source / "install.sh")
    assert result.returncode == 0, result.stderr
    for page in pages:
        assert (claude_dir / page).read_bytes() == (source / "plugin" / page).read_bytes()
    assert [b.read_text() for b in (claude_dir / "commands").glob("*.bak-*")] == [
        "the user's own command\n"
    ]
    assert set(pages) <= set(manifest_entries(claude_dir))

    removed = run(shell, home, "--no-cli", "--uninstall", *args, script=source / "install.sh")
    assert removed.returncode == 0
    assert not any((claude_dir / page).exists() for page in pages)
    assert len(list((claude_dir / "commands").glob("*.bak-*"))) == 1  # the user's, kept


def test_the_commands_and_agents_of_this_repository_are_installed(shell: str, home: Path) -> None:
    assert run(shell, home, "--no-cli").returncode == 0
    for page in plugin_pages(ROOT):
        assert (home / ".claude" / page).read_bytes() == (ROOT / "plugin" / page).read_bytes()


def test_project_hook_runs_the_installed_launcher(
    shell: str, home: Path, project: Path, tmp_path: Path
) -> None:
    result = run(shell, home, "--no-cli", "--project", str(project))
    assert result.returncode == 0, result.stderr
    launcher = project / ".claude" / "hooks" / "fastapi-guardrails.sh"
    assert launcher.read_bytes() == (ROOT / "plugin" / "hook.sh").read_bytes()
    settings = json.loads((project / ".claude" / "settings.json").read_text())
    assert settings["hooks"]["PostToolUse"] == [
        {"matcher": MATCHER, "hooks": [{"type": "command", "command": HOOK_COMMAND, "timeout": 60}]}
    ]
    # the README shows the entry the installer writes, to copy by hand
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    shown = readme.split('```json\n{"hooks": {"PostToolUse"', 1)[1].split("```", 1)[0]
    assert json.loads('{"hooks": {"PostToolUse"' + shown) == {"hooks": settings["hooks"]}
    assert "hooks/fastapi-guardrails.sh" in manifest_entries(project / ".claude")

    # Run the command the way Claude Code does, with a stand-in CLI on PATH.
    write_script(tmp_path / "cli" / "fastapi-guardrails", '#!/bin/sh\necho "ran with $*"\ncat\n')
    env = {
        "PATH": os.pathsep.join([str(tmp_path / "cli"), "/usr/bin", "/bin"]),
        "HOME": str(home),
        "CLAUDE_PROJECT_DIR": str(project),
    }
    hook = subprocess.run(
        [shell, "-c", HOOK_COMMAND],
        input="{}",
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert hook.returncode == 0, hook.stderr
    assert hook.stdout == "ran with hook claude\n{}"


def test_hook_entry_of_an_earlier_version_is_replaced_and_removed(
    shell: str, home: Path, project: Path
) -> None:
    ruff = {"type": "command", "command": "ruff format"}
    old = {"type": "command", "command": OLD_HOOK_COMMAND, "timeout": 60}
    settings_path = project / ".claude" / "settings.json"
    settings_path.parent.mkdir()
    settings_path.write_text(
        json.dumps(
            {
                "hooks": {
                    "PostToolUse": [
                        {"matcher": "Write", "hooks": [ruff, old]},
                        {"matcher": MATCHER, "hooks": [old]},
                    ]
                }
            }
        )
    )
    updated = run(shell, home, "--no-cli", "--project", str(project))
    assert updated.returncode == 0, updated.stderr
    assert "updating the edit hook" in updated.stdout
    again = run(shell, home, "--no-cli", "--project", str(project))
    assert "edit hook" not in again.stdout  # idempotent
    settings = json.loads(settings_path.read_text())
    assert settings["hooks"]["PostToolUse"] == [
        {"matcher": "Write", "hooks": [ruff]},
        {
            "matcher": MATCHER,
            "hooks": [{"type": "command", "command": HOOK_COMMAND, "timeout": 60}],
        },
    ]

    settings["hooks"]["PostToolUse"].append({"matcher": MATCHER, "hooks": [old]})
    settings_path.write_text(json.dumps(settings))
    assert run(shell, home, "--no-cli", "--project", str(project), "--uninstall").returncode == 0
    assert json.loads(settings_path.read_text()) == {
        "hooks": {"PostToolUse": [{"matcher": "Write", "hooks": [ruff]}]}
    }


def test_project_install_wires_the_hook_and_keeps_existing_settings(
    shell: str, home: Path, project: Path
) -> None:
    (project / ".claude").mkdir(parents=True)
    existing: dict[str, Any] = {
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
    assert our_hooks(settings) == [{"type": "command", "command": HOOK_COMMAND, "timeout": 60}]
    assert post[1]["matcher"] == MATCHER
    assert (project / ".claude" / "skills" / "fastapi-guardrails" / "SKILL.md").is_file()
    assert not (home / ".claude").exists()

    removed = run(shell, home, "--no-cli", "--project", str(project), "--uninstall")
    assert removed.returncode == 0
    assert json.loads(settings_path.read_text()) == existing
    assert not (project / "CLAUDE.md").exists()
    assert sorted(tree(project)) == [".claude/settings.json"]


def test_a_new_project_is_left_empty_by_uninstall(shell: str, home: Path, project: Path) -> None:
    assert run(shell, home, "--no-cli", "--project", str(project)).returncode == 0
    assert run(shell, home, "--no-cli", "--project", str(project), "--uninstall").returncode == 0
    assert list(project.iterdir()) == []


# ------------------------------------------------------------------------ CLAUDE.md
def test_project_gets_the_claude_md_template_not_this_repositorys(
    shell: str, home: Path, project: Path
) -> None:
    result = run(shell, home, "--no-cli", "--project", str(project))
    assert result.returncode == 0, result.stderr
    installed = (project / "CLAUDE.md").read_text()
    assert installed == TEMPLATE.read_text()
    for about_this_repository in (".ci/run", "In this repository", "mypy --strict checks"):
        assert about_this_repository not in installed
    assert manifest_entries(project / ".claude")["../CLAUDE.md"] == sha256(TEMPLATE)


def test_project_claude_md_of_the_user_is_never_overwritten(
    shell: str, home: Path, project: Path
) -> None:
    (project / "CLAUDE.md").write_text("# our rules\n")
    result = run(shell, home, "--no-cli", "--project", str(project))
    assert result.returncode == 0
    assert (project / "CLAUDE.md").read_text() == "# our rules\n"
    assert "merge the sections you want" in result.stdout
    assert "../CLAUDE.md" not in manifest_entries(project / ".claude")
    run(shell, home, "--no-cli", "--project", str(project), "--uninstall")
    assert (project / "CLAUDE.md").read_text() == "# our rules\n"


def test_installed_claude_md_is_kept_on_uninstall_once_the_user_changed_it(
    shell: str, home: Path, project: Path
) -> None:
    run(shell, home, "--no-cli", "--project", str(project))
    (project / "CLAUDE.md").write_text("# adjusted to our service\n")
    result = run(shell, home, "--no-cli", "--project", str(project), "--uninstall")
    assert result.returncode == 0
    assert (project / "CLAUDE.md").read_text() == "# adjusted to our service\n"
    assert f"keeping {project}/CLAUDE.md: you changed it" in result.stdout


def test_a_changed_claude_md_is_still_named_on_uninstall_after_a_reinstall(
    shell: str, home: Path, project: Path
) -> None:
    args = ["--no-cli", "--project", str(project)]
    assert run(shell, home, *args).returncode == 0
    (project / "CLAUDE.md").write_text("# adjusted to our service\n")
    reinstalled = run(shell, home, *args)
    assert reinstalled.returncode == 0, reinstalled.stderr
    assert "you changed it since it was installed; merge the sections" in reinstalled.stdout
    assert (project / "CLAUDE.md").read_text() == "# adjusted to our service\n"
    result = run(shell, home, *args, "--uninstall")
    assert result.returncode == 0
    assert (project / "CLAUDE.md").read_text() == "# adjusted to our service\n"
    assert f"keeping {project}/CLAUDE.md: you changed it" in result.stdout


def test_the_claude_md_template_runs_the_cli_as_an_installed_tool() -> None:
    """The CLI is a tool (uv tool install, the plugin), not a dependency of the service:
    `uv run` would provision and sync the service's environment first."""
    template = TEMPLATE.read_text(encoding="utf-8")
    assert not re.search(r"(uv run|uvx)\s+fastapi-guardrails", template)
    assert "`fastapi-guardrails check .`" in template
    assert "`fastapi-guardrails rule FG" in template
    assert "`uv run pytest`" in template  # the service's own tools, a suggestion


def test_the_claude_md_template_marks_every_opt_in_rule_it_cites() -> None:
    template = TEMPLATE.read_text(encoding="utf-8")
    cited = set(re.findall(r"\bFG\d{3}\b", template))
    assert cited <= set(RULES_BY_CODE)
    opt_in = {code for code in cited if not RULES_BY_CODE[code].default}
    bullets = re.findall(r"^- .*(?:\n  .*)*", template, re.MULTILINE)
    for code in sorted(opt_in):
        citing = [bullet for bullet in bullets if code in bullet]
        assert all("opt-in" in bullet for bullet in citing), (code, citing)
    if opt_in:
        assert 'extend-select = ["FG' in template
        assert "[tool.fastapi-guardrails]" in template
    # What the examples show a run reporting is reported without configuration.
    for header in re.findall(r"^# bad: (.*)$", template, re.MULTILINE):
        assert all(RULES_BY_CODE[code].default for code in header.split()), header


def test_an_unchanged_installed_claude_md_follows_the_template(
    shell: str, home: Path, project: Path, source: Path
) -> None:
    template = source / "skills" / "fastapi-guardrails" / "assets" / "CLAUDE.md"
    script = source / "install.sh"
    run(shell, home, "--no-cli", "--project", str(project), script=script)
    template.write_text("# template, second edition\n")
    assert run(shell, home, "--no-cli", "--project", str(project), script=script).returncode == 0
    assert (project / "CLAUDE.md").read_text() == "# template, second edition\n"

    (project / "CLAUDE.md").write_text("# ours now\n")
    template.write_text("# template, third edition\n")
    result = run(shell, home, "--no-cli", "--project", str(project), script=script)
    assert (project / "CLAUDE.md").read_text() == "# ours now\n"
    assert "merge the sections you want" in result.stdout


# ------------------------------------------------------------------------- manifest
@pytest.mark.parametrize("where", ["home", "project"])
def test_manifest_records_every_installed_file_relative_to_the_claude_dir(
    shell: str, home: Path, project: Path, where: str
) -> None:
    args = ["--project", str(project)] if where == "project" else []
    claude_dir = (project if where == "project" else home) / ".claude"
    assert run(shell, home, "--no-cli", *args).returncode == 0
    expected = {f"skills/fastapi-guardrails/{f}" for f in SKILL_FILES} | set(plugin_pages(ROOT))
    if where == "project":
        expected |= {"hooks/fastapi-guardrails.sh", "../CLAUDE.md"}
    entries = manifest_entries(claude_dir)
    assert set(entries) == expected
    for relative, checksum in entries.items():
        assert sha256(claude_dir / relative) == checksum
    assert not (claude_dir / "skills" / "fastapi-guardrails" / MANIFEST).exists()


def install_like_the_previous_version(project: Path) -> Path:
    """The layout install.sh left before the manifest moved: the manifest in the skill
    directory with paths relative to it, this repository's CLAUDE.md copied unrecorded, and
    the hook calling the CLI directly. Returns the skill directory."""
    skill = project / ".claude" / "skills" / "fastapi-guardrails"
    shutil.copytree(SKILL_DIR, skill)
    (skill / "references" / "retired.md").write_text("a page the old version shipped\n")
    (skill / "references" / "retired-edited.md").write_text("a page the old version shipped\n")
    lines = [f"{sha256(skill / f)}  {f}" for f in SKILL_FILES]
    # SKILL.md as the old version shipped it, unchanged since; routing.md changed by the user.
    (skill / "SKILL.md").write_text("the old SKILL.md\n")
    lines[SKILL_FILES.index(Path("SKILL.md"))] = f"{sha256(skill / 'SKILL.md')}  SKILL.md"
    lines.append(f"{sha256(skill / 'references' / 'retired.md')}  references/retired.md")
    lines.append(
        f"{sha256(skill / 'references' / 'retired-edited.md')}  references/retired-edited.md"
    )
    (skill / "references" / "retired-edited.md").write_text("my notes on the old page\n")
    (skill / "references" / "routing.md").write_text("my routing notes\n")
    (skill / MANIFEST).write_text("\n".join(sorted(lines, key=lambda x: x[66:])) + "\n")
    shutil.copy2(ROOT / "CLAUDE.md", project / "CLAUDE.md")
    old_hook = {"type": "command", "command": OLD_HOOK_COMMAND, "timeout": 60}
    (project / ".claude" / "settings.json").write_text(
        json.dumps({"hooks": {"PostToolUse": [{"matcher": MATCHER, "hooks": [old_hook]}]}})
    )
    return skill


def test_upgrade_from_the_previous_manifest_format(shell: str, home: Path, project: Path) -> None:
    skill = install_like_the_previous_version(project)
    result = run(shell, home, "--no-cli", "--project", str(project))
    assert result.returncode == 0, result.stderr
    claude_dir = project / ".claude"
    assert (claude_dir / MANIFEST).is_file()
    assert not (skill / MANIFEST).exists()
    # Unchanged since the old install: updated, or removed when no longer shipped.
    assert (skill / "SKILL.md").read_bytes() == (SKILL_DIR / "SKILL.md").read_bytes()
    assert not list(skill.glob("SKILL.md.bak-*"))
    assert not (skill / "references" / "retired.md").exists()
    assert (project / "CLAUDE.md").read_bytes() == TEMPLATE.read_bytes()
    # Changed by the user: backed up before being replaced, or kept.
    assert [b.read_text() for b in skill.glob("references/routing.md.bak-*")] == [
        "my routing notes\n"
    ]
    edited = skill / "references" / "retired-edited.md"
    assert edited.read_text() == "my notes on the old page\n"
    assert "keeping skills/fastapi-guardrails/references/retired-edited.md" in result.stdout
    settings = json.loads((claude_dir / "settings.json").read_text())
    assert our_hooks(settings) == [{"type": "command", "command": HOOK_COMMAND, "timeout": 60}]

    removed = run(shell, home, "--no-cli", "--project", str(project), "--uninstall")
    assert removed.returncode == 0
    assert sorted(tree(project)) == [
        ".claude/skills/fastapi-guardrails/references/retired-edited.md",
        next(str(b.relative_to(project)) for b in skill.glob("references/routing.md.bak-*")),
    ]


def test_manifest_paths_outside_the_claude_dir_are_ignored(shell: str, home: Path) -> None:
    assert run(shell, home, "--no-cli").returncode == 0
    outside = home / "notes.md"
    outside.write_text("not ours\n")
    with (home / ".claude" / MANIFEST).open("a") as manifest:
        manifest.write(f"{sha256(outside)}  ../notes.md\n")
        manifest.write(f"{sha256(outside)}  {outside}\n")
        manifest.write(f"{sha256(outside)}  ../CLAUDE.md\n")
    shutil.copy2(outside, home / "CLAUDE.md")
    assert run(shell, home, "--no-cli", "--uninstall").returncode == 0
    assert outside.read_text() == "not ours\n"
    assert (home / "CLAUDE.md").exists()


def test_uninstall_reads_the_previous_manifest_format(
    shell: str, home: Path, project: Path
) -> None:
    skill = install_like_the_previous_version(project)
    result = run(shell, home, "--no-cli", "--project", str(project), "--uninstall")
    assert result.returncode == 0, result.stderr
    assert sorted(tree(project)) == [
        ".claude/skills/fastapi-guardrails/references/retired-edited.md",
        ".claude/skills/fastapi-guardrails/references/routing.md",
    ]
    assert not (skill / MANIFEST).exists()


# ------------------------------------------------------------- pages removed upstream
def test_pages_removed_upstream_are_removed_on_reinstall_unless_changed(
    shell: str, home: Path, project: Path, source: Path
) -> None:
    script = source / "install.sh"
    args = ["--no-cli", "--project", str(project)]
    assert run(shell, home, *args, script=script).returncode == 0
    claude_dir = project / ".claude"
    (source / "skills" / "fastapi-guardrails" / "references" / "testing.md").unlink()
    (source / "plugin" / "commands" / "zz-test-command.md").unlink()
    (source / "plugin" / "agents" / "zz-test-agent.md").unlink()
    (claude_dir / "agents" / "zz-test-agent.md").write_text("my version of the agent\n")

    result = run(shell, home, *args, script=script)
    assert result.returncode == 0, result.stderr
    assert not (claude_dir / "skills" / "fastapi-guardrails" / "references" / "testing.md").exists()
    assert not (claude_dir / "commands" / "zz-test-command.md").exists()
    assert (claude_dir / "agents" / "zz-test-agent.md").read_text() == "my version of the agent\n"
    assert "keeping agents/zz-test-agent.md: you changed it" in result.stdout
    assert "removing commands/zz-test-command.md" in result.stdout
    entries = manifest_entries(claude_dir)
    assert "commands/zz-test-command.md" not in entries
    assert "skills/fastapi-guardrails/references/testing.md" not in entries

    assert run(shell, home, *args, "--uninstall", script=script).returncode == 0
    assert sorted(tree(project)) == [".claude/agents/zz-test-agent.md"]


# --------------------------------------------------------------------------- dry run
def test_dry_run_changes_nothing(
    shell: str, home: Path, project: Path, source: Path, fake_uv: FakeUv
) -> None:
    settings = {"hooks": {"PostToolUse": [{"hooks": [{"command": OLD_HOOK_COMMAND}]}]}}
    (project / ".claude").mkdir()
    (project / ".claude" / "settings.json").write_text(json.dumps(settings))
    before = tree(project)
    result = run(
        shell,
        home,
        "--dry-run",
        "--project",
        str(project),
        path=fake_uv.path(),
        script=source / "install.sh",
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout.replace("  ", "")
    for shipped in (
        "skills/fastapi-guardrails/SKILL.md",
        "commands/zz-test-command.md",
        "agents/zz-test-agent.md",
        "hooks/fastapi-guardrails.sh",
    ):
        assert f"[dry-run] adding {shipped}" in out
    assert "[dry-run] updating the edit hook" in out
    assert list(home.iterdir()) == []
    assert tree(project) == before
    assert sorted(p.name for p in project.rglob("*")) == [".claude", "settings.json"]
    assert not any(call.startswith("tool install") for call in fake_uv.calls())


def test_dry_run_of_an_upgrade_and_an_uninstall_changes_nothing(
    shell: str, home: Path, project: Path, source: Path, fake_uv: FakeUv
) -> None:
    script = source / "install.sh"
    first = run(shell, home, "--project", str(project), path=fake_uv.path(), script=script)
    assert first.returncode == 0, first.stderr
    (source / "plugin" / "agents" / "zz-test-agent.md").unlink()
    (source / "skills" / "fastapi-guardrails" / "SKILL.md").write_text("# a new SKILL.md\n")
    (project / ".claude" / "commands" / "zz-test-command.md").write_text("changed\n")
    before, calls = tree(project), len(fake_uv.calls())
    for extra in ([], ["--uninstall"]):
        result = run(
            shell,
            home,
            "--dry-run",
            "--project",
            str(project),
            *extra,
            path=fake_uv.path(),
            script=script,
        )
        assert result.returncode == 0, result.stderr
        assert "[dry-run]" in result.stdout
        assert tree(project) == before
    assert not any(
        call.startswith(("tool install", "tool uninstall")) for call in fake_uv.calls()[calls:]
    )
    assert fake_uv.marker.exists()


# ----------------------------------------------------------------------------- CLI
def cli_record(home: Path) -> str | None:
    """The record that install.sh installed the CLI (None when there is none)."""
    record = home / ".claude" / CLI_RECORD
    return record.read_text() if record.exists() else None


def test_cli_installed_by_the_script_is_uninstalled_with_it(
    shell: str, home: Path, fake_uv: FakeUv
) -> None:
    for _ in range(2):  # the second run sees the CLI listed, and knows it installed it
        result = run(shell, home, path=fake_uv.path())
        assert result.returncode == 0, result.stderr
    assert f"tool install --force {ROOT}" in fake_uv.calls()
    assert f"cli installed by install.sh into {fake_uv.tool_bin}\n" in (cli_record(home) or "")
    assert "cli installed" not in (home / ".claude" / MANIFEST).read_text()
    removed = run(shell, home, "--uninstall", path=fake_uv.path())
    assert removed.returncode == 0, removed.stderr
    assert "uninstalling the fastapi-guardrails CLI (uv tool uninstall)" in removed.stdout
    assert "tool uninstall fastapi-guardrails" in fake_uv.calls()
    assert not fake_uv.marker.exists()
    assert list(home.iterdir()) == []


def test_cli_that_was_already_installed_is_kept_on_uninstall(
    shell: str, home: Path, fake_uv: FakeUv
) -> None:
    fake_uv.preinstall()
    assert run(shell, home, path=fake_uv.path()).returncode == 0
    assert f"tool install --force {ROOT}" in fake_uv.calls()  # upgraded all the same
    assert cli_record(home) is None
    removed = run(shell, home, "--uninstall", path=fake_uv.path())
    assert removed.returncode == 0
    assert not any(call.startswith("tool uninstall") for call in fake_uv.calls())
    assert (
        "keeping the fastapi-guardrails CLI: install.sh has no record of installing it\n"
        "  (uv tool uninstall fastapi-guardrails removes it)\n"
    ) in removed.stdout
    assert fake_uv.marker.exists()


def test_no_cli_leaves_the_cli_and_its_record_alone(
    shell: str, home: Path, fake_uv: FakeUv
) -> None:
    assert run(shell, home, path=fake_uv.path()).returncode == 0
    assert run(shell, home, "--no-cli", path=fake_uv.path()).returncode == 0
    assert cli_record(home) is not None
    kept = run(shell, home, "--no-cli", "--uninstall", path=fake_uv.path())
    assert kept.returncode == 0
    assert not any(call.startswith("tool uninstall") for call in fake_uv.calls())
    assert (
        "keeping the fastapi-guardrails CLI (--no-cli): `sh install.sh --uninstall` removes it"
        in kept.stdout
    )
    assert cli_record(home) is not None
    removed = run(shell, home, "--uninstall", path=fake_uv.path())
    assert removed.returncode == 0
    assert "tool uninstall fastapi-guardrails" in fake_uv.calls()
    assert list(home.iterdir()) == []


def test_project_install_records_the_cli_in_home_never_in_the_project(
    shell: str, home: Path, project: Path, fake_uv: FakeUv
) -> None:
    """A project's .claude is committed: no developer's home path, no claim on a CLI."""
    result = run(shell, home, "--project", str(project), path=fake_uv.path())
    assert result.returncode == 0, result.stderr
    assert f"cli installed by install.sh into {fake_uv.tool_bin}\n" in (cli_record(home) or "")
    assert [p.name for p in (home / ".claude").iterdir()] == [CLI_RECORD]
    for relative, text in tree(project).items():
        assert "cli installed" not in text, relative
        assert str(fake_uv.root) not in text, relative


def test_a_project_manifests_cli_record_of_an_earlier_version_is_ignored_and_dropped(
    shell: str, home: Path, project: Path, fake_uv: FakeUv
) -> None:
    """Earlier versions recorded the CLI in the project's manifest, which may have come
    from another machine: it never makes the CLI this script's, even naming this machine's
    tool folder."""
    fake_uv.preinstall()
    manifest = project / ".claude" / MANIFEST
    manifest.parent.mkdir()
    earlier = f"cli installed by install.sh into {fake_uv.tool_bin}\n"
    manifest.write_text(earlier)
    assert run(shell, home, "--project", str(project), path=fake_uv.path()).returncode == 0
    assert "cli installed" not in manifest.read_text()
    assert cli_record(home) is None
    manifest.write_text(manifest.read_text() + earlier)
    removed = run(shell, home, "--project", str(project), "--uninstall", path=fake_uv.path())
    assert removed.returncode == 0
    assert (
        "the fastapi-guardrails CLI stays (other projects may use it): install.sh has no "
        "record of installing it, `uv tool uninstall fastapi-guardrails` removes it"
    ) in removed.stdout
    home_removed = run(shell, home, "--uninstall", path=fake_uv.path())
    assert "install.sh has no record of installing it" in home_removed.stdout
    assert not any(call.startswith("tool uninstall") for call in fake_uv.calls())
    assert fake_uv.marker.exists()


def test_project_uninstall_keeps_the_cli_that_other_projects_and_home_use(
    shell: str, home: Path, tmp_path: Path, fake_uv: FakeUv
) -> None:
    service_a, service_b = tmp_path / "service a", tmp_path / "service b"
    for service in (service_a, service_b):
        service.mkdir()
        assert run(shell, home, "--project", str(service), path=fake_uv.path()).returncode == 0
    assert run(shell, home, path=fake_uv.path()).returncode == 0
    removed = run(shell, home, "--project", str(service_a), "--uninstall", path=fake_uv.path())
    assert removed.returncode == 0, removed.stderr
    assert KEEPS_THE_CLI_FOR_OTHER_PROJECTS in removed.stdout
    assert not any(call.startswith("tool uninstall") for call in fake_uv.calls())
    assert fake_uv.marker.exists()
    assert cli_record(home) is not None
    assert list(service_a.iterdir()) == []
    assert (service_b / ".claude" / "hooks" / "fastapi-guardrails.sh").is_file()

    home_removed = run(shell, home, "--uninstall", path=fake_uv.path())
    assert home_removed.returncode == 0, home_removed.stderr
    assert "uninstalling the fastapi-guardrails CLI" in home_removed.stdout
    assert not fake_uv.marker.exists()
    assert list(home.iterdir()) == []


def test_project_uninstall_after_a_home_install_says_the_cli_stays(
    shell: str, home: Path, project: Path, fake_uv: FakeUv
) -> None:
    assert run(shell, home, path=fake_uv.path()).returncode == 0
    assert run(shell, home, "--project", str(project), path=fake_uv.path()).returncode == 0
    removed = run(shell, home, "--project", str(project), "--uninstall", path=fake_uv.path())
    assert removed.returncode == 0, removed.stderr
    assert KEEPS_THE_CLI_FOR_OTHER_PROJECTS in removed.stdout
    assert "no record" not in removed.stdout
    assert "did not install" not in removed.stdout
    assert fake_uv.marker.exists()


def test_a_cli_uninstalled_by_hand_is_not_said_to_stay_and_its_record_goes(
    shell: str, home: Path, project: Path, fake_uv: FakeUv
) -> None:
    assert run(shell, home, "--project", str(project), path=fake_uv.path()).returncode == 0
    fake_uv.marker.unlink()  # the user ran `uv tool uninstall fastapi-guardrails`
    removed = run(shell, home, "--project", str(project), "--uninstall", path=fake_uv.path())
    assert removed.returncode == 0, removed.stderr
    assert "CLI" not in removed.stdout
    home_removed = run(shell, home, "--uninstall", path=fake_uv.path())
    assert home_removed.returncode == 0, home_removed.stderr
    assert (
        "the fastapi-guardrails CLI this script installed is already uninstalled"
        in home_removed.stdout
    )
    assert not any(call.startswith("tool uninstall") for call in fake_uv.calls())
    assert list(home.iterdir()) == []


def test_uninstall_without_uv_keeps_the_cli_and_its_record_for_a_later_uninstall(
    shell: str, home: Path, fake_uv: FakeUv, system_tools: Path
) -> None:
    assert run(shell, home, path=fake_uv.path()).returncode == 0
    without_uv = run(shell, home, "--uninstall", path=str(system_tools))
    assert without_uv.returncode == 1
    told = " ".join(without_uv.stderr.split())
    assert "keeping the fastapi-guardrails CLI this script installed" in told
    assert "not on PATH, nor in ~/.local/bin or ~/.cargo/bin" in told
    assert "run `sh install.sh --uninstall` again" in told
    assert "no record" not in without_uv.stdout
    assert not (home / ".claude" / "skills").exists()
    assert cli_record(home) is not None
    assert fake_uv.marker.exists()

    finished = run(shell, home, "--uninstall", path=fake_uv.path())
    assert finished.returncode == 0, finished.stderr
    assert "uninstalling the fastapi-guardrails CLI" in finished.stdout
    assert not fake_uv.marker.exists()
    assert list(home.iterdir()) == []


@pytest.mark.parametrize("uv_home", [".local/bin", ".cargo/bin"])
def test_uninstall_finds_uv_where_install_finds_it(
    shell: str, home: Path, tmp_path: Path, system_tools: Path, uv_home: str
) -> None:
    fake_uv = make_fake_uv(tmp_path / "fake uv", uv_dir=home / uv_home)
    assert run(shell, home, path=str(system_tools)).returncode == 0
    assert fake_uv.marker.exists()
    removed = run(shell, home, "--uninstall", path=str(system_tools))
    assert removed.returncode == 0, removed.stderr
    assert "tool uninstall fastapi-guardrails" in fake_uv.calls()
    assert not fake_uv.marker.exists()


def test_the_cli_record_of_an_earlier_home_manifest_outlives_the_manifest(
    shell: str, home: Path, fake_uv: FakeUv
) -> None:
    assert run(shell, home, path=fake_uv.path()).returncode == 0
    # As an earlier version left it: the record in the home manifest, no record file.
    (home / ".claude" / CLI_RECORD).unlink()
    manifest = home / ".claude" / MANIFEST
    manifest.write_text(
        manifest.read_text() + f"cli installed by install.sh into {fake_uv.tool_bin}\n"
    )
    kept = run(shell, home, "--no-cli", "--uninstall", path=fake_uv.path())
    assert kept.returncode == 0, kept.stderr
    assert not manifest.exists()
    assert f"cli installed by install.sh into {fake_uv.tool_bin}\n" in (cli_record(home) or "")
    removed = run(shell, home, "--uninstall", path=fake_uv.path())
    assert removed.returncode == 0, removed.stderr
    assert "tool uninstall fastapi-guardrails" in fake_uv.calls()
    assert list(home.iterdir()) == []


def test_path_hint_names_the_uv_tool_bin_dir_when_the_cli_is_not_on_path(
    shell: str, home: Path, fake_uv: FakeUv
) -> None:
    result = run(shell, home, path=fake_uv.path())
    assert result.returncode == 0, result.stderr
    assert f'export PATH="{fake_uv.tool_bin}:$PATH"' in result.stdout
    assert "uv is in" not in result.stdout  # uv is on the user's PATH
    assert "warning: fake uv: the tool bin folder is not on your PATH" in result.stderr
    on_path = run(shell, home, path=fake_uv.path(tool_bin_on_path=True))
    assert on_path.returncode == 0
    assert "export PATH" not in on_path.stdout


@pytest.mark.parametrize("uv_home", [".local/bin", ".cargo/bin"])
def test_path_hint_when_uv_was_found_off_the_users_path(
    shell: str, home: Path, tmp_path: Path, system_tools: Path, uv_home: str
) -> None:
    """uv's standalone installer puts uv in ~/.local/bin (or ~/.cargo/bin), and uv the CLI
    in ~/.local/bin: install.sh finds them there, the user's shell may not."""
    local_bin, uv_dir = home / ".local" / "bin", home / uv_home
    make_fake_uv(tmp_path / "fake uv", uv_dir=uv_dir, tool_bin=local_bin)
    result = run(shell, home, path=str(system_tools))
    assert result.returncode == 0, result.stderr
    if uv_dir == local_bin:
        assert (
            f"The fastapi-guardrails CLI and uv are in {local_bin}, which is not on your PATH."
            in result.stdout
        )
        assert f'export PATH="{local_bin}:$PATH"' in result.stdout
    else:
        assert f"The fastapi-guardrails CLI is in {local_bin}, which is not" in result.stdout
        assert f"uv is in {uv_dir}, which is not on your PATH." in result.stdout
        assert f'export PATH="{local_bin}:{uv_dir}:$PATH"' in result.stdout
    on_path = run(
        shell, home, path=os.pathsep.join([str(local_bin), str(uv_dir), str(system_tools)])
    )
    assert on_path.returncode == 0, on_path.stderr
    assert "export PATH" not in on_path.stdout


def test_path_hint_when_install_sh_installed_uv_with_pip(
    shell: str, home: Path, tmp_path: Path, system_tools: Path
) -> None:
    local_bin = home / ".local" / "bin"
    uv = make_fake_uv(tmp_path / "fake uv", uv_dir=tmp_path / "uv for pip", tool_bin=local_bin)
    write_script(
        tmp_path / "python" / "python3",
        f"""#!/bin/sh
if [ "$1" = -m ] && [ "$2" = pip ]; then
    mkdir -p '{local_bin}'
    cp '{uv.dir / "uv"}' '{local_bin}/uv'
    exit 0
fi
exec '{sys.executable}' "$@"
""",
    )
    result = run(shell, home, path=os.pathsep.join([str(tmp_path / "python"), str(system_tools)]))
    assert result.returncode == 0, result.stderr
    assert "uv is missing: installing it with python3 -m pip install --user uv" in result.stdout
    assert (
        f"The fastapi-guardrails CLI and uv are in {local_bin}, which is not on your PATH."
        in result.stdout
    )
    assert f'export PATH="{local_bin}:$PATH"' in result.stdout
    assert uv.marker.exists()


@pytest.mark.parametrize("where", ["home", "project"])
def test_uv_missing_and_pip_refused_installs_nothing(
    shell: str, home: Path, project: Path, system_tools: Path, tmp_path: Path, where: str
) -> None:
    pip_log = tmp_path / "pip.log"
    write_script(
        tmp_path / "python" / "python3",
        f"""#!/bin/sh
if [ "$1" = -m ] && [ "$2" = pip ]; then
    printf '%s\\n' "$*" >> '{pip_log}'
    echo "error: externally-managed-environment" >&2
    echo "This environment is externally managed" >&2
    exit 1
fi
exec '{sys.executable}' "$@"
""",
    )
    args = ["--project", str(project)] if where == "project" else []
    result = run(
        shell, home, *args, path=os.pathsep.join([str(tmp_path / "python"), str(system_tools)])
    )
    assert result.returncode != 0
    assert "--user" in pip_log.read_text()
    assert "PEP 668" in result.stderr
    assert "pipx install uv" in result.stderr
    assert "docs.astral.sh/uv" in result.stderr
    assert list(home.iterdir()) == []
    assert list(project.iterdir()) == []


# -------------------------------------------------------------------- settings.json
@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{ not json", "is not valid JSON"),
        ("[]", "is not a JSON object"),
        ('{"hooks": []}', '"hooks" that is not an object'),
        ('{"hooks": {"PostToolUse": {}}}', '"hooks.PostToolUse" that is not a list'),
        ('{"hooks": {"PostToolUse": ["x"]}}', "entry that is not an object"),
        ('{"hooks": {"PostToolUse": [{"hooks": "x"}]}}', "entry that is not an object"),
    ],
    ids=["invalid", "array", "hooks-array", "post-object", "entry-string", "entry-hooks-string"],
)
def test_odd_settings_json_stops_the_install_before_anything_is_copied(
    shell: str, home: Path, project: Path, fake_uv: FakeUv, content: str, message: str
) -> None:
    settings_path = project / ".claude" / "settings.json"
    settings_path.parent.mkdir()
    settings_path.write_text(content)
    result = run(shell, home, "--project", str(project), path=fake_uv.path())
    assert result.returncode != 0
    assert message in result.stderr
    assert settings_path.read_text() == content
    assert sorted(p.name for p in project.rglob("*")) == [".claude", "settings.json"]
    assert list(home.iterdir()) == []
    assert not any(call.startswith("tool install") for call in fake_uv.calls())


def test_odd_settings_json_stops_the_uninstall_before_anything_is_removed(
    shell: str, home: Path, project: Path
) -> None:
    assert run(shell, home, "--no-cli", "--project", str(project)).returncode == 0
    (project / ".claude" / "settings.json").write_text("{ not json")
    before = tree(project)
    result = run(shell, home, "--no-cli", "--project", str(project), "--uninstall")
    assert result.returncode != 0
    assert "is not valid JSON" in result.stderr
    assert tree(project) == before


# ----------------------------------------------------------------------------- misc
def test_help_and_bad_options(shell: str, home: Path) -> None:
    helped = run(shell, home, "--help")
    assert helped.returncode == 0
    assert "Usage: install.sh" in helped.stdout
    assert run(shell, home, "--bogus").returncode == 2
    assert run(shell, home, "--project", str(home / "missing")).returncode == 2
    assert list(home.iterdir()) == []


def test_help_says_what_each_mode_installs_and_that_one_is_enough(shell: str, home: Path) -> None:
    helped = " ".join(run(shell, home, "--help").stdout.split())
    assert "each installs the CLI, so you never need to run both" in helped
    home_mode = helped[helped.index("install.sh for you") : helped.index("install.sh --project")]
    project_mode = helped[helped.index("install.sh --project DIR for") :]
    for mode in (home_mode, project_mode):
        assert "CLI" in mode
        for part in ("skill", "commands", "agents"):
            assert part in mode
    assert "~/.claude" in home_mode
    assert "no edit hook" in home_mode
    for part in ("DIR/.claude", "edit hook", "settings.json", "CLAUDE.md template"):
        assert part in project_mode
    assert "--project DIR --uninstall leaves the CLI" in helped


@pytest.mark.skipif(shutil.which("uv") is None, reason="uv is not installed")
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
    assert f'export PATH="{bin_dir}:$PATH"' in result.stdout
    cli = bin_dir / "fastapi-guardrails"
    rule = subprocess.run([str(cli), "rule", "FG301"], capture_output=True, text=True, check=False)
    assert rule.returncode == 0
    assert "blocking-sleep-in-async" in rule.stdout
    removed = subprocess.run(
        ["sh", str(INSTALL), "--uninstall"], env=env, capture_output=True, text=True, check=False
    )
    assert removed.returncode == 0
    assert not cli.exists()

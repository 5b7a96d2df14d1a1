"""The Claude Code plugin this repository is, and the pre-commit hooks it ships.

The plugin's root is the repository's root, so the plugin's folder holds the CLI's source
and the edit hook's launcher can build it with `uvx --from "$CLAUDE_PLUGIN_ROOT"`.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tarfile
import tomllib
import zipfile
from pathlib import Path
from typing import Any

import pytest
import yaml

from checks.catalog import CATALOG
from checks.cli import UsageError, build_parser

ROOT = Path(__file__).resolve().parents[1]
PLUGIN = ROOT / ".claude-plugin" / "plugin.json"
MARKETPLACE = ROOT / ".claude-plugin" / "marketplace.json"
COMMANDS = ROOT / "plugin" / "commands"
AGENTS = ROOT / "plugin" / "agents"
LAUNCHER = ROOT / "plugin" / "hook.sh"
HOOK_COMMAND = 'sh "${CLAUDE_PLUGIN_ROOT}/plugin/hook.sh"'
SKILL = "fastapi-guardrails"

#: The tools a command may pre-approve besides Bash patterns.
FILE_TOOLS = {"Read", "Grep", "Glob", "Edit"}
#: What the commands may run without asking, as Bash permission prefixes.
BASH_PREFIXES = (
    "fastapi-guardrails",
    "git status",
    "git diff",
    "pytest",
    "python -m pytest",
    "uv run pytest",
)


def _claude_cli() -> str | None:
    return os.environ.get("CLAUDE_CLI") or shutil.which("claude")


needs_claude_cli = pytest.mark.skipif(
    _claude_cli() is None,
    reason="the Claude Code CLI is not installed (npm install @anthropic-ai/claude-code); "
    ".ci/run installs it",
)


def _load(path: Path) -> dict[str, Any]:
    data = json.loads(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def _plugin_path(relative: str) -> Path:
    """A path in plugin.json, which Claude Code requires to start with `./`."""
    assert relative.startswith("./"), relative
    return (ROOT / relative).resolve()


def _frontmatter(path: Path) -> tuple[dict[str, Any], str]:
    """A command's or agent's YAML frontmatter, parsed as YAML (as Claude Code does), and
    its body."""
    text = path.read_text(encoding="utf-8")
    assert text.startswith("---\n"), f"{path.name} has no frontmatter"
    block, separator, body = text[4:].partition("\n---\n")
    assert separator, f"{path.name}: frontmatter not closed"
    keys = yaml.safe_load(block)
    assert isinstance(keys, dict), f"{path.name}: frontmatter is not a mapping"
    return keys, body


def _tool_list(value: str) -> list[str]:
    """Claude Code's split of a tools string: on commas and spaces outside parentheses."""
    tools, current, depth = [], "", 0
    for char in value:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char in ", " and depth == 0:
            if current:
                tools.append(current)
            current = ""
        else:
            current += char
    return [*tools, current] if current else tools


def _shipped(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.md"))


# ------------------------------------------------------------------------- the manifests
def test_marketplace_source_is_the_repository_root_holding_the_plugin_manifest() -> None:
    marketplace = _load(MARKETPLACE)
    (entry,) = marketplace["plugins"]
    assert _plugin_path(entry["source"]) == ROOT
    assert (_plugin_path(entry["source"]) / ".claude-plugin" / "plugin.json").is_file()
    plugin = _load(PLUGIN)
    assert plugin["name"] == entry["name"] == SKILL
    # Claude Code warns when the two versions differ, and plugin.json wins; the plugin
    # ships the CLI's source, so its version is the package's.
    package = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert plugin["version"] == entry["version"] == package["version"]
    assert not (ROOT / "skills" / ".claude-plugin").exists(), "the old plugin root is gone"


def test_the_license_is_mit_and_every_manifest_declares_it() -> None:
    license_text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert license_text.startswith("MIT License\n")
    assert "Copyright (c) 2026 fastapi-guardrails contributors" in license_text
    package = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert package["license"] == "MIT"
    assert package["license-files"] == ["LICENSE"]
    assert _load(PLUGIN)["license"] == "MIT"
    skill = (ROOT / "skills" / SKILL / "SKILL.md").read_text(encoding="utf-8")
    assert "\nlicense: MIT\n" in skill.split("\n---\n", 1)[0]


def test_the_wheel_and_the_sdist_ship_the_license(tmp_path: Path) -> None:
    uv = shutil.which("uv")
    assert uv is not None, "uv runs the test suite (`uv run pytest`): it is on PATH"
    subprocess.run(
        [uv, "build", "--quiet", "--out-dir", str(tmp_path), str(ROOT)],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        (metadata,) = [name for name in names if name.endswith(".dist-info/METADATA")]
        headers = archive.read(metadata).decode().split("\n\n", 1)[0].splitlines()
    assert any(name.endswith(".dist-info/licenses/LICENSE") for name in names)
    assert "License-Expression: MIT" in headers
    assert "License-File: LICENSE" in headers
    (sdist,) = tmp_path.glob("*.tar.gz")
    with tarfile.open(sdist) as archive:
        assert any(name.endswith("/LICENSE") for name in archive.getnames())


def test_plugin_root_holds_the_cli_source_that_the_launcher_builds() -> None:
    package = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert package["project"]["scripts"]["fastapi-guardrails"] == "checks.cli:main"
    assert (ROOT / "checks" / "cli.py").is_file()


def test_plugin_ships_the_edit_hook_through_its_launcher() -> None:
    plugin = _load(PLUGIN)
    (entry,) = plugin["hooks"]["PostToolUse"]
    assert entry["matcher"] == "Edit|Write|MultiEdit"
    (hook,) = entry["hooks"]
    assert hook["type"] == "command"
    assert hook["command"] == HOOK_COMMAND
    # uvx's first build of the CLI (and maybe of a Python) happens inside a hook call.
    assert hook["timeout"] >= 60
    assert LAUNCHER.is_file()


def test_plugin_skill_is_found_in_the_default_skills_folder() -> None:
    plugin = _load(PLUGIN)
    # Claude Code scans <plugin root>/skills/ by itself; a `skills` entry naming that
    # folder again would be dropped, and any other folder added to it.
    assert "skills" not in plugin or _plugin_path(plugin["skills"]) == ROOT / "skills"
    keys, _ = _frontmatter(ROOT / "skills" / SKILL / "SKILL.md")
    assert keys["name"] == SKILL


def test_plugin_declares_every_shipped_command_and_agent() -> None:
    plugin = _load(PLUGIN)
    # Declaring `commands`/`agents` turns off the scan of the root's commands/ and agents/
    # folders: whatever is shipped must be listed.
    assert [_plugin_path(p) for p in plugin["commands"]] == _shipped(COMMANDS)
    assert [_plugin_path(p) for p in plugin["agents"]] == _shipped(AGENTS)
    assert _shipped(COMMANDS)
    assert _shipped(AGENTS)
    # install.sh copies them into a user's .claude/commands and .claude/agents.
    for path in [*_shipped(COMMANDS), *_shipped(AGENTS)]:
        assert path.stem.startswith("guardrails-"), f"{path.name} may collide in a project"


#: What Claude Code loads from a plugin's root by itself (Claude Code 2.1.197).
ROOT_COMPONENTS = {
    "commands": "slash commands (not scanned once plugin.json lists `commands`)",
    "agents": "agents (not scanned once plugin.json lists `agents`)",
    "hooks/hooks.json": "hooks, in addition to plugin.json's: the edit check would run twice",
    "output-styles": "output styles",
    "themes": "themes",
    "workflows": "workflows",
    "monitors/monitors.json": "background monitors",
    "settings.json": "default settings (the main agent) for sessions with the plugin on",
    ".mcp.json": "MCP servers started for every user of the plugin",
    ".lsp.json": "language servers started for every user of the plugin",
}
#: Components the plugin ships on purpose at its root.
SHIPPED_AT_ROOT = {
    "bin": "bin/fastapi-guardrails: the CLI on the Bash tool's PATH for plugin-only users",
}


@pytest.mark.parametrize("name", sorted(ROOT_COMPONENTS))
def test_repository_root_holds_no_plugin_component_by_accident(name: str) -> None:
    """The repository's root is the plugin's: these names there change what users get."""
    assert not (ROOT / name).exists(), f"{name} at the root ships {ROOT_COMPONENTS[name]}"


def test_the_plugin_bin_folder_holds_only_the_cli_launcher() -> None:
    assert sorted(p.name for p in (ROOT / "bin").iterdir()) == ["fastapi-guardrails"]
    assert os.access(ROOT / "bin" / "fastapi-guardrails", os.X_OK)


def _bin_launcher(path_dir: Path, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """bin/fastapi-guardrails as Claude Code's Bash tool finds it: the plugin's bin/ on
    PATH after the given folder."""
    env = {"PATH": f"{path_dir}:{ROOT / 'bin'}", "HOME": str(home)}
    return subprocess.run(
        ["fastapi-guardrails", *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


def _stub(path: Path, record: Path) -> None:
    path.write_text(f"#!/bin/sh\nprintf '%s\\n' \"$@\" > {shlex.quote(str(record))}\n")
    path.chmod(0o755)


def test_bin_launcher_runs_the_plugin_source_through_uvx_without_an_install(
    tmp_path: Path,
) -> None:
    path_dir = _bin(tmp_path / "bin", "sh", "dirname")
    record = tmp_path / "args"
    _stub(path_dir / "uvx", record)
    home = tmp_path / "home"
    home.mkdir()
    result = _bin_launcher(path_dir, home, "rule", "FG201")
    assert result.returncode == 0, result.stderr
    assert record.read_text().splitlines() == [
        "--quiet",
        "--from",
        str(ROOT),
        "fastapi-guardrails",
        "rule",
        "FG201",
    ]


def test_bin_launcher_prefers_an_installed_cli_and_never_calls_itself(tmp_path: Path) -> None:
    path_dir = _bin(tmp_path / "bin", "sh", "dirname")
    home = tmp_path / "home"
    (home / ".local" / "bin").mkdir(parents=True)
    record = tmp_path / "args"
    _stub(home / ".local" / "bin" / "fastapi-guardrails", record)  # uv tool install's folder
    result = _bin_launcher(path_dir, home, "check", ".")
    assert result.returncode == 0, result.stderr
    assert record.read_text().splitlines() == ["check", "."]


def test_bin_launcher_without_cli_or_uv_says_so(tmp_path: Path) -> None:
    path_dir = _bin(tmp_path / "bin", "sh", "dirname")
    home = tmp_path / "home"
    home.mkdir()
    result = _bin_launcher(path_dir, home, "check", ".")
    assert result.returncode == 127
    assert "install uv" in result.stderr


# ----------------------------------------------------------------- commands and agent
@pytest.mark.parametrize("command", _shipped(COMMANDS), ids=lambda path: path.stem)
def test_command_frontmatter_describes_it_and_pre_approves_only_what_it_runs(
    command: Path,
) -> None:
    keys, body = _frontmatter(command)
    assert isinstance(keys["description"], str)
    assert keys["description"].strip()
    assert isinstance(keys["argument-hint"], str)
    assert "$ARGUMENTS" in body
    tools = _tool_list(keys["allowed-tools"])
    assert "Bash" not in tools, "a bare Bash would pre-approve every shell command"
    for tool in tools:
        pattern = re.fullmatch(r"Bash\((.+?)(?::\*)?\)", tool)
        if pattern is None:
            assert tool in FILE_TOOLS, tool
        else:
            assert pattern.group(1).startswith(BASH_PREFIXES), tool


def test_check_command_only_reads() -> None:
    keys, _ = _frontmatter(COMMANDS / "guardrails-check.md")
    tools = _tool_list(keys["allowed-tools"])
    assert {"Edit", "Write"}.isdisjoint(tools)
    assert all(t in FILE_TOOLS or t.startswith("Bash(fastapi-guardrails ") for t in tools)


def test_migrate_command_rewrites_code_so_only_the_user_can_start_it() -> None:
    keys, body = _frontmatter(COMMANDS / "guardrails-migrate.md")
    assert keys["disable-model-invocation"] is True
    for step in ("--diff", "--fix", "--unsafe-fixes --diff", "git status --porcelain"):
        assert step in body


def test_reviewer_agent_is_read_only_and_preloads_the_skill() -> None:
    (agent,) = _shipped(AGENTS)
    keys, body = _frontmatter(agent)
    assert keys["name"] == agent.stem
    assert isinstance(keys["description"], str)
    assert keys["description"].strip()
    assert set(_tool_list(keys["tools"])) <= {"Read", "Grep", "Glob", "Bash"}
    assert keys["skills"] == [SKILL]
    assert "git diff" in body
    assert "fastapi-guardrails check" in body


@pytest.mark.parametrize(
    "path", [*_shipped(COMMANDS), *_shipped(AGENTS)], ids=lambda path: path.stem
)
def test_checker_command_lines_in_commands_and_agents_are_valid(path: Path) -> None:
    """Every `fastapi-guardrails ...` line parses with the CLI's own parser, every code or
    prefix it selects exists, and every FG code the text names is in the catalog."""
    text = path.read_text(encoding="utf-8")
    codes = {info.code for info in CATALOG}
    assert set(re.findall(r"FG\d{3}", text)) <= codes
    placeholders = {"CODE": "FG101", "PATHS": None, "FILE...": None}
    lines = re.findall(r"`fastapi-guardrails ([^`]*)`", text)
    assert lines
    for line in lines:
        words = [placeholders.get(w, w) for w in re.sub(r"<[^>]*>", "", line).split()]
        argv = [w for w in words if w is not None]
        if argv == ["--version"]:
            continue
        try:
            args = build_parser().parse_args(argv)
        except UsageError as error:
            pytest.fail(f"{path.name}: `fastapi-guardrails {line}`: {error}")
        for option in ("select", "extend_select", "ignore"):
            for selected in getattr(args, option, None) or ():
                for prefix in selected.split(","):
                    assert any(code.startswith(prefix) for code in codes), (line, prefix)


# --------------------------------------------------------------------- the hook launcher
def _bin(directory: Path, *tools: str) -> Path:
    """A PATH folder holding only links to the given system tools."""
    directory.mkdir()
    for tool in tools:
        found = shutil.which(tool)
        assert found is not None, tool
        (directory / tool).symlink_to(found)
    return directory


def _run_hook_command(
    plugin_root: Path, path_dir: Path, home: Path, payload: bytes
) -> subprocess.CompletedProcess[bytes]:
    """The manifest's hook command as Claude Code runs it: `/bin/sh -c` with the
    plugin's root in CLAUDE_PLUGIN_ROOT (the shell expands it)."""
    env = {"PATH": str(path_dir), "HOME": str(home), "CLAUDE_PLUGIN_ROOT": str(plugin_root)}
    command = _load(PLUGIN)["hooks"]["PostToolUse"][0]["hooks"][0]["command"]
    return subprocess.run(
        ["/bin/sh", "-c", command],
        input=payload,
        env=env,
        capture_output=True,
        check=False,
        timeout=60,
    )


@pytest.mark.parametrize("where", ["repository", "path with spaces"])
def test_hook_launcher_without_the_cli_runs_it_with_uvx_from_the_plugin_root(
    tmp_path: Path, where: str
) -> None:
    plugin_root = ROOT
    if where == "path with spaces":  # a plugin cache under a home like "/Users/Jo Doe"
        plugin_root = tmp_path / "plugin cache" / "fastapi guardrails"
        (plugin_root / "plugin").mkdir(parents=True)
        shutil.copy(LAUNCHER, plugin_root / "plugin" / "hook.sh")
        shutil.copy(ROOT / "pyproject.toml", plugin_root / "pyproject.toml")
    path_dir = _bin(tmp_path / "bin", "sh")
    record = tmp_path / "uvx-args"
    stdin_copy = tmp_path / "uvx-stdin"
    cat = shutil.which("cat")
    assert cat is not None
    uvx = path_dir / "uvx"
    uvx.write_text(
        "#!/bin/sh\n"
        f"printf '%s\\n' \"$@\" > {shlex.quote(str(record))}\n"
        f"{shlex.quote(cat)} > {shlex.quote(str(stdin_copy))}\n"
        'printf \'{"decision": "block", "reason": "stub"}\'\n'
    )
    uvx.chmod(0o755)
    home = tmp_path / "home"
    home.mkdir()
    payload = json.dumps({"tool_input": {"file_path": "/x/app.py"}}).encode()

    result = _run_hook_command(plugin_root, path_dir, home, payload)

    assert result.returncode == 0, result.stderr.decode()
    args = record.read_text().splitlines()
    source = args.index("--from")
    assert args[source + 1] == str(plugin_root)
    assert args[source + 2 :] == ["fastapi-guardrails", "hook", "claude"]
    assert stdin_copy.read_bytes() == payload
    assert result.stdout == b'{"decision": "block", "reason": "stub"}'


def test_hook_launcher_without_the_cli_or_uv_exits_1_with_the_install_hint(
    tmp_path: Path,
) -> None:
    path_dir = _bin(tmp_path / "bin", "sh", "cat")
    home = tmp_path / "home"
    home.mkdir()

    result = _run_hook_command(ROOT, path_dir, home, b"{}")

    assert result.returncode == 1
    assert result.stdout == b""
    stderr = result.stderr.decode()
    assert "uv tool install" in stderr
    # Claude Code shows a failed hook as one line, "Failed with non-blocking status code: "
    # and the first line of stderr, cut at 200 characters; the model sees nothing.
    first_line = stderr.splitlines()[0]
    assert "CLI not found, edits are not checked" in first_line
    assert "uv tool install" in first_line  # what to do, on the line the user sees
    assert len("Failed with non-blocking status code: " + first_line) <= 200


# ---------------------------------------------------------------- claude plugin validate
def _validate(manifest: Path) -> subprocess.CompletedProcess[str]:
    cli = _claude_cli()
    assert cli is not None
    return subprocess.run(
        [cli, "plugin", "validate", "--strict", str(manifest)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


@needs_claude_cli
def test_claude_plugin_validate_strict_passes_on_the_marketplace() -> None:
    # A local source is followed: this also checks plugin.json and every path it names.
    result = _validate(MARKETPLACE)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Validation passed" in result.stdout


@needs_claude_cli
def test_claude_plugin_validate_strict_passes_on_the_plugin_its_commands_and_agent(
    tmp_path: Path,
) -> None:
    """The validator checks the frontmatter of the files in the plugin's default commands/
    and agents/ folders only, and warns about this repository's own CLAUDE.md at the root
    (see the next test): so it runs on a copy of what the plugin ships, with the commands
    and the agent also placed in those folders."""
    stage = tmp_path / "plugin"
    for part in (".claude-plugin", "plugin", "skills"):
        shutil.copytree(ROOT / part, stage / part)
    shutil.copytree(COMMANDS, stage / "commands")
    shutil.copytree(AGENTS, stage / "agents")
    manifest = stage / ".claude-plugin" / "plugin.json"

    result = _validate(manifest)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Validation passed" in result.stdout

    # The same run does look at those folders: a command without frontmatter fails it.
    (stage / "commands" / "zz-probe.md").write_text("no frontmatter\n")
    probe = _validate(manifest)
    assert probe.returncode == 1
    assert "zz-probe.md" in probe.stdout


@needs_claude_cli
def test_claude_plugin_validate_on_the_repository_warns_only_about_its_claude_md() -> None:
    result = _validate(PLUGIN)
    # The validator lists each error and warning on a line marked with a pointer.
    problems = [line.strip() for line in result.stdout.splitlines() if "\u276f" in line]
    claude_md = "root: CLAUDE.md at the plugin root is not loaded as project context"
    assert all(claude_md in problem for problem in problems), result.stdout + result.stderr
    assert (result.returncode == 0) == (not problems), result.stdout + result.stderr


# ------------------------------------------------------------------------- pre-commit
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
    # a young project holds its commits to the v2 spelling by naming the rule (README)
    pyproject = '[project]\nname = "svc"\n\n[tool.fastapi-guardrails]\nextend-select = ["FG201"]\n'
    files = {"pyproject.toml": pyproject, "models.py": source}
    result = _try_repo(tmp_path, files, "fastapi-guardrails-fix", "models.py")
    assert result.returncode == 1, result.stdout + result.stderr  # files were modified
    fixed = (tmp_path / "service" / "models.py").read_text()
    assert fixed == source.replace("m.dict()", "m.model_dump()")


def test_pre_commit_hooks_run_once_over_all_files() -> None:
    """One process for the whole file list: one report and one total (pre-commit would
    split the list into one batch per CPU), and the checker forks its own workers."""
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert [hook["require_serial"] for hook in hooks] == [True] * len(hooks)

"""`fastapi-guardrails hook claude`: the Claude Code PostToolUse hook.

Reads the hook's JSON on stdin; when the edited file (`tool_input.file_path`) is a Python
file, checks it with the project's configuration and, if anything is found, prints
`{"decision": "block", "reason": ...}` so Claude Code shows the findings to the model.
Silent with exit status 0 for clean files, other files, excluded files and any input it
cannot use: a hook must never break the editing session.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from checks.catalog import CATALOG
from checks.cli import check_file, resolve_findings
from checks.config import ConfigError, Settings, load_settings
from checks.discovery import PYTHON_SUFFIXES
from checks.engine import Engine
from checks.findings import Finding
from checks.output import display_path
from checks.rules import ALL_RULES

#: Findings listed in one reason; the rest are counted.
MAX_LISTED = 20


def edited_python_file(payload: Any) -> Path | None:
    """The Python file a hook payload says was edited, if it exists."""
    if not isinstance(payload, dict):
        return None
    tool_input = payload.get("tool_input")
    if not isinstance(tool_input, dict):
        return None
    file_path = tool_input.get("file_path")
    if not isinstance(file_path, str) or not file_path.endswith(PYTHON_SUFFIXES):
        return None
    path = Path(file_path)
    if not path.is_absolute():
        cwd = payload.get("cwd")
        path = (Path(cwd) if isinstance(cwd, str) else Path.cwd()) / path
    return path if path.is_file() else None


def _excluded(path: Path, settings: Settings) -> bool:
    relative = settings.relative(path)
    parts = relative.split("/")
    for depth in range(1, len(parts)):
        if settings.exclude.match_file("/".join(parts[:depth]) + "/"):
            return True
    return bool(settings.exclude.match_file(relative))


def reason_for(path: Path, findings: list[Finding]) -> str:
    """The message shown to the model: what was found, where, and what to do."""
    count = len(findings)
    lines = [
        f"fastapi-guardrails found {count} problem{'s' if count != 1 else ''} in "
        f"{display_path(path)}:"
    ]
    lines += [
        f"{display_path(f.path)}:{f.start.row}:{f.start.column}: {f.code} {f.message}"
        for f in findings[:MAX_LISTED]
    ]
    if count > MAX_LISTED:
        lines.append(f"... and {count - MAX_LISTED} more")
    lines.append(
        "Fix them before going on (`fastapi-guardrails rule CODE` explains a rule; "
        "`# noqa: CODE` only with a reason the rule does not apply)."
    )
    return "\n".join(lines)


def run_claude_hook(stdin: bytes) -> str:
    """The hook's stdout for a payload: a block decision, or nothing."""
    try:
        payload = json.loads(stdin)
    except (ValueError, UnicodeDecodeError):
        return ""
    path = edited_python_file(payload)
    if path is None:
        return ""
    try:
        settings = load_settings(CATALOG, path)
    except ConfigError:
        return ""  # the user's config is broken: `check` says so; the hook stays quiet
    if _excluded(path, settings):
        return ""
    engine = Engine([rule for rule in ALL_RULES if rule.code in settings.enabled])
    try:
        source = path.read_bytes()
    except OSError:
        return ""
    findings = resolve_findings([check_file(engine, settings, path, source)], settings)
    if not findings:
        return ""
    findings.sort(key=Finding.sort_key)
    return json.dumps({"decision": "block", "reason": reason_for(path, findings)})

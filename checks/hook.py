"""`fastapi-guardrails hook claude`: the Claude Code PostToolUse hook.

Reads the hook's JSON on stdin. When the edited file (`tool_input.file_path`) is a Python
file of the project (under `CLAUDE_PROJECT_DIR`, else the payload's `cwd`) that `check .`
would check, it is checked with its project's settings, the same root rule and
exclusions as every other entry point (`checks.run`). Findings in the lines the edit
changed block (`{"decision": "block", "reason": ...}`: Claude Code hands the reason to the
model); the file's other findings are only counted, so an edit of old code does not pull
the model into unrelated fixes. Silent with exit status 0 for clean files, other files and
input it cannot use. A configuration error, or a failure of the checker, is told to the
user on stderr with exit status 1: Claude Code's non-blocking hook error, never silence.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from checks.catalog import CATALOG
from checks.config import ConfigError
from checks.discovery import PYTHON_SUFFIXES, is_excluded
from checks.findings import Finding, decode_source, split_lines
from checks.output import display_path
from checks.run import SYNTAX_ERROR_CODE, SettingsLoader, check_file, make_engine, resolve_findings

#: Findings listed in one reason; the rest are counted.
MAX_LISTED = 20
#: Markers of hook runs older than this are removed (a run takes seconds).
MARKER_MAX_AGE = 24 * 3600


@dataclass(frozen=True, slots=True)
class HookAnswer:
    """What the hook process prints and how it exits."""

    stdout: str = ""
    stderr: str = ""
    exit_code: int = 0


@dataclass(frozen=True, slots=True)
class EditedFile:
    """The Python file a payload says was edited, and the project it was edited in."""

    path: Path
    project_dir: Path


def edited_python_file(payload: Any, environ: Mapping[str, str]) -> EditedFile | None:
    """The edited Python file, if it exists and lies in the project directory."""
    if not isinstance(payload, dict):
        return None
    tool_input = payload.get("tool_input")
    if not isinstance(tool_input, dict):
        return None
    file_path = tool_input.get("file_path")
    if not isinstance(file_path, str) or not file_path.endswith(PYTHON_SUFFIXES):
        return None
    cwd = payload.get("cwd")
    base = Path(cwd) if isinstance(cwd, str) and cwd else Path.cwd()
    path = Path(file_path) if os.path.isabs(file_path) else base / file_path
    project = environ.get("CLAUDE_PROJECT_DIR") or str(base)
    project_dir = Path(os.path.realpath(project))
    if not path.is_file():
        return None
    real = Path(os.path.realpath(path))
    if real != project_dir and project_dir not in real.parents:
        return None  # outside the project: a library, a scratch file, another checkout
    return EditedFile(path, project_dir)


def changed_rows(payload: Mapping[str, Any], text: str) -> set[int] | None:
    """The 1-based rows of the edited file that the edit wrote (None: every row).

    From `tool_response.structuredPatch` (Edit, MultiEdit and Write over a file): a row
    added by a hunk, and the rows around a deletion, count as changed. Without a patch, an
    Edit's `new_string` (a MultiEdit's `edits`) is looked up in the file; a new file, and
    anything that cannot be located, is all changed."""
    response = payload.get("tool_response")
    response = response if isinstance(response, dict) else {}
    if response.get("type") == "create":
        return None
    patch = response.get("structuredPatch")
    if isinstance(patch, list) and patch:
        from_patch = _rows_of_patch(patch)
        if from_patch is not None:
            return from_patch
    tool_input = payload.get("tool_input")
    tool_input = tool_input if isinstance(tool_input, dict) else {}
    edits = tool_input.get("edits")
    if isinstance(edits, list):
        news = [e.get("new_string") for e in edits if isinstance(e, dict)]
    else:
        news = [tool_input.get("new_string")]
    if not news or not all(isinstance(new, str) and new.strip() for new in news):
        return None
    rows: set[int] = set()
    for new in news:
        found = _rows_of_text(text, str(new))
        if not found:
            return None
        rows |= found
    return rows


def _rows_of_patch(hunks: Iterable[Any]) -> set[int] | None:
    rows: set[int] = set()
    for hunk in hunks:
        if not isinstance(hunk, dict):
            return None
        row, lines = hunk.get("newStart"), hunk.get("lines")
        if not isinstance(row, int) or not isinstance(lines, list):
            return None
        for line in lines:
            if not isinstance(line, str):
                return None
            if line.startswith("+"):
                rows.add(row)
                row += 1
            elif line.startswith("-"):  # a deletion touches the rows on both sides
                rows.update((max(row - 1, 1), row))
            elif not line.startswith("\\"):  # "\ No newline at end of file"
                row += 1
    return rows


def _rows_of_text(text: str, fragment: str) -> set[int]:
    rows: set[int] = set()
    start = text.find(fragment)
    while start != -1:
        first = len(split_lines(text[:start])) or 1
        if text[:start].endswith(("\n", "\r")):
            first += 1
        last = first + len(split_lines(fragment.rstrip("\r\n"))) - 1
        rows.update(range(first, max(first, last) + 1))
        start = text.find(fragment, start + max(len(fragment), 1))
    return rows


def _in_rows(finding: Finding, rows: set[int] | None) -> bool:
    if rows is None or finding.code == SYNTAX_ERROR_CODE:
        return True
    return any(row in rows for row in range(finding.start.row, finding.end.row + 1))


def _line(finding: Finding) -> str:
    location = f"{display_path(finding.path)}:{finding.start.row}:{finding.start.column}"
    return f"{location}: {finding.code} {finding.message}"


def _older_note(count: int, project_dir: Path, path: Path) -> str:
    try:
        name = Path(os.path.realpath(path)).relative_to(project_dir).as_posix()
    except ValueError:
        name = str(path)
    noun = "finding" if count == 1 else "findings"
    return (
        f"{count} older {noun} in this file, outside the lines this edit changed "
        f"(not blocking; see them with `fastapi-guardrails check {name}`)."
    )


def reason_for(path: Path, findings: list[Finding], older: int, project_dir: Path) -> str:
    """The message shown to the model: what this edit introduced, where, and what to do."""
    count = len(findings)
    lines = [
        f"fastapi-guardrails found {count} problem{'s' if count != 1 else ''} in the lines "
        f"this edit changed in {display_path(path)}:"
    ]
    lines += [_line(f) for f in findings[:MAX_LISTED]]
    if count > MAX_LISTED:
        lines.append(f"... and {count - MAX_LISTED} more")
    lines.append(
        "Fix them before going on (`fastapi-guardrails rule CODE` explains a rule; "
        "`# noqa: CODE` only with a reason the rule does not apply)."
    )
    if older:
        lines.append(_older_note(older, project_dir, path))
    return "\n".join(lines)


def _first_run_for(payload: Mapping[str, Any]) -> bool:
    """False when this tool use was already checked by another copy of the hook (the
    plugin and a project's settings both wired): the second run stays silent."""
    tool_use = payload.get("tool_use_id")
    if not isinstance(tool_use, str) or not tool_use:
        return True
    session = str(payload.get("session_id", ""))
    directory = Path(tempfile.gettempdir()) / f"fastapi-guardrails-hook-{os.getuid()}"
    name = "".join(c if c.isalnum() or c in "-_" else "_" for c in f"{session}-{tool_use}")
    try:
        directory.mkdir(mode=0o700, exist_ok=True)
        descriptor = os.open(directory / name[:200], os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        return False
    except OSError:
        return True  # no place for markers: better twice than never
    os.close(descriptor)
    _prune_markers(directory)
    return True


def _prune_markers(directory: Path) -> None:
    cutoff = time.time() - MARKER_MAX_AGE
    try:
        with os.scandir(directory) as entries:
            for entry in entries:
                if entry.stat().st_mtime < cutoff:
                    os.unlink(entry.path)
    except OSError:
        pass


def run_claude_hook(stdin: bytes, environ: Mapping[str, str] | None = None) -> HookAnswer:
    """The hook's answer to one PostToolUse payload."""
    environ = os.environ if environ is None else environ
    try:
        payload = json.loads(stdin)
    except (ValueError, UnicodeDecodeError):
        return HookAnswer()
    edited = edited_python_file(payload, environ)
    if edited is None:
        return HookAnswer()
    path = edited.path
    try:
        settings = SettingsLoader(CATALOG, fallback_root=edited.project_dir).for_path(path)
    except ConfigError as error:
        # Claude Code shows the user the first line of stderr, cut at 200 characters
        message = f"fastapi-guardrails: configuration error, edits are not checked: {error}"
        return HookAnswer(stderr=f"{message}\n(the edited file: {path})\n", exit_code=1)
    if is_excluded(path, settings) or not _first_run_for(payload):
        return HookAnswer()
    try:
        source = path.read_bytes()
    except OSError as error:
        return HookAnswer(
            stderr=f"fastapi-guardrails hook: cannot read {path}: {error}\n", exit_code=1
        )
    result = check_file(make_engine(settings), settings, path, source)
    findings = sorted(resolve_findings([result], settings), key=Finding.sort_key)
    if not findings:
        return HookAnswer()
    rows = changed_rows(payload, result.text or decode_source(source) or "")
    new = [f for f in findings if _in_rows(f, rows)]
    older = len(findings) - len(new)
    if new:
        reason = reason_for(path, new, older, edited.project_dir)
        return HookAnswer(stdout=json.dumps({"decision": "block", "reason": reason}) + "\n")
    context = "fastapi-guardrails: this edit added no finding. " + _older_note(
        older, edited.project_dir, path
    )
    output = {"hookSpecificOutput": {"hookEventName": "PostToolUse", "additionalContext": context}}
    return HookAnswer(stdout=json.dumps(output) + "\n")

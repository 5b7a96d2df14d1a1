"""`fastapi-guardrails hook claude`: the Claude Code PostToolUse hook.

Reads the hook's JSON on stdin. When the edited file (`tool_input.file_path`) is a Python
file of the project (under `CLAUDE_PROJECT_DIR`, else the payload's `cwd`) that `check .`
would check, it is checked with its project's settings, the same root rule and
exclusions as every other entry point (`checks.run`). The findings the edit introduced
block (`{"decision": "block", "reason": ...}`: Claude Code hands the reason to the model):
those the file did not have before the edit (`tool_response.originalFile`, checked the
same way), else those in the lines the edit changed. The file's other findings are only
counted in the reason, so an edit of old code does not pull the model into unrelated
fixes. Silent with exit status 0 for edits that add nothing, other files and input it
cannot use. A configuration error, or a failure of the checker, is told to the
user on stderr with exit status 1: Claude Code's non-blocking hook error, never silence.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, NamedTuple

from checks.catalog import CATALOG
from checks.config import ConfigError
from checks.discovery import PYTHON_SUFFIXES, is_excluded
from checks.findings import Finding, decode_source, split_lines
from checks.output import display_path
from checks.run import (
    SYNTAX_ERROR_CODE,
    SettingsLoader,
    check_file,
    make_engine,
    project_packages_for,
    resolve_findings,
)

#: Findings listed in one reason; the rest are counted.
MAX_LISTED = 20
#: Markers of hook runs older than this are removed (a run takes seconds).
MARKER_MAX_AGE = 24 * 3600


class HookAnswer(NamedTuple):
    """What the hook process prints and how it exits."""

    stdout: str = ""
    stderr: str = ""
    exit_code: int = 0


class EditedFile(NamedTuple):
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
            return from_patch[0]
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


def _rows_of_patch(hunks: Iterable[Any]) -> tuple[set[int], set[int]] | None:
    """(rows written in the new file, rows replaced in the old one) of a structuredPatch."""
    rows: set[int] = set()
    old_rows: set[int] = set()
    for hunk in hunks:
        if not isinstance(hunk, dict):
            return None
        row, old_row, lines = hunk.get("newStart"), hunk.get("oldStart"), hunk.get("lines")
        if not isinstance(row, int) or not isinstance(lines, list):
            return None
        old_row = old_row if isinstance(old_row, int) else 0
        for line in lines:
            if not isinstance(line, str):
                return None
            if line.startswith("+"):
                rows.add(row)
                row += 1
            elif line.startswith("-"):  # a deletion touches the rows on both sides
                rows.update((max(row - 1, 1), row))
                old_rows.add(old_row)
                old_row += 1
            elif not line.startswith("\\"):  # "\ No newline at end of file"
                row += 1
                old_row += 1
    return rows, old_rows


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


def _original_text(payload: Mapping[str, Any]) -> tuple[bool, str | None]:
    """(whether the payload tells the file's text before the edit, that text: None for a
    new file). Claude Code sends it as `tool_response.originalFile` for Edit and Write."""
    response = payload.get("tool_response")
    if not isinstance(response, dict) or "originalFile" not in response:
        return False, None
    original = response["originalFile"]
    if response.get("type") == "create" or original is None:
        return True, None
    return (True, original) if isinstance(original, str) else (False, None)


def _line_at(lines: list[str], row: int) -> str:
    return lines[row - 1].strip() if 0 < row <= len(lines) else ""


def split_by_edit(
    payload: Mapping[str, Any],
    findings: list[Finding],
    text: str,
    before: list[Finding] | None,
    old_text: str,
) -> tuple[list[Finding], int]:
    """(the findings this edit introduced, how many others the file has).

    With the findings of the file before the edit (`before`), a finding is older when the
    file had the same one on a line of the same text, or, on a line the edit rewrote, the
    same problem on a line it replaced: editing a line that already ran SQL in a route
    does not block, adding `import time` that makes an untouched `time.sleep()` resolvable
    does. Without them, the findings in the changed lines count as introduced."""
    if before is None:
        rows = changed_rows(payload, text)
        new = [f for f in findings if _in_rows(f, rows)]
        return new, len(findings) - len(new)
    lines, old_lines = split_lines(text), split_lines(old_text)
    pool = Counter((f.code, f.message, _line_at(old_lines, f.start.row)) for f in before)
    unmatched = []
    for finding in findings:
        key = (finding.code, finding.message, _line_at(lines, finding.start.row))
        if pool[key] > 0:
            pool[key] -= 1
        else:
            unmatched.append(finding)
    response = payload.get("tool_response")
    patch = response.get("structuredPatch") if isinstance(response, dict) else None
    rewritten = _rows_of_patch(patch) if isinstance(patch, list) else None
    new_rows, old_rows = rewritten if rewritten is not None else (set(), set())
    replaced = Counter(
        (f.code, f.message)
        for f in before
        if f.start.row in old_rows and pool[(f.code, f.message, _line_at(old_lines, f.start.row))]
    )
    introduced = []
    for finding in unmatched:
        key2 = (finding.code, finding.message)
        if _in_rows(finding, new_rows) and replaced[key2] > 0 and finding.code != SYNTAX_ERROR_CODE:
            replaced[key2] -= 1
        else:
            introduced.append(finding)
    return introduced, len(findings) - len(introduced)


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
    # `check` holds back what this project's conventions allow in existing code (FG101
    # in a 1.x-style project): it counts those on its summary line, not as findings
    return (
        f"{count} older {noun} in this file, not from this edit (not blocking; "
        f"`fastapi-guardrails check {name}` lists them, and counts on its last line those "
        "this project's conventions hold back in existing code)."
    )


def reason_for(path: Path, findings: list[Finding], older: int, project_dir: Path) -> str:
    """The message shown to the model: what this edit introduced, where, and what to do."""
    count = len(findings)
    lines = [
        f"fastapi-guardrails found {count} problem{'s' if count != 1 else ''} that this "
        f"edit introduced in {display_path(path)}:"
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
    engine = make_engine(settings)
    packages = project_packages_for(path, settings)
    result = check_file(engine, settings, path, source, packages)
    # new code: the forms that still work, which a project's existing code may keep, are
    # the model's to avoid (`checks.run.build_index`)
    found = resolve_findings([result], settings, lambda _: source, new_code=True)
    findings = sorted(found, key=Finding.sort_key)
    if not findings:
        return HookAnswer()
    known, original = _original_text(payload)
    before: list[Finding] | None = None
    if known:  # the file before the edit, checked the same way (a new file had nothing)
        before = []
        if original is not None:
            # only the rules of the codes found now: `split_by_edit` matches a finding
            # with the earlier ones of its code, and reads no other
            data = original.encode("utf-8")
            codes = frozenset(finding.code for finding in findings)
            earlier = check_file(engine, settings, path, data, packages, only=codes)
            before = resolve_findings([earlier], settings, lambda _: data, new_code=True)
    text = result.text or decode_source(source) or ""
    new, older = split_by_edit(payload, findings, text, before, original or "")
    pydantic = settings.pydantic_target.for_file(path)
    if any(f.code.startswith("FG2") for f in new) and pydantic.version == 1:
        # On a project that targets Pydantic 1 the FG2xx findings are reported only when
        # the selection names them, as notes for a planned migration, not mistakes of
        # this edit: blocking would push v2 APIs into v1 code.
        kept = [f for f in new if not f.code.startswith("FG2")]
        older += len(new) - len(kept)
        new = kept
    sqlalchemy = settings.sqlalchemy_target.for_file(path)
    if any(f.code == "FG108" for f in new) and sqlalchemy.version == 1:
        # the same for SQLAlchemy 1.x: a 1.x model written in a 1.x project is right there
        kept = [f for f in new if f.code != "FG108"]
        older += len(new) - len(kept)
        new = kept
    if any(f.code == "FG406" for f in new) and not pydantic.has_fastapi("0.93"):
        # the same for a FastAPI without `lifespan=`: `on_event` is its only way
        kept = [f for f in new if f.code != "FG406"]
        older += len(new) - len(kept)
        new = kept
    if not new:  # the edit added nothing: stay out of the model's way
        return HookAnswer()
    reason = reason_for(path, new, older, edited.project_dir)
    return HookAnswer(stdout=json.dumps({"decision": "block", "reason": reason}) + "\n")

"""Render findings: concise, full, json (ruff's schema), sarif (2.1.0) and github annotations."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from checks import __version__
from checks.catalog import RuleInfo
from checks.findings import Finding, HeldBack, split_lines

if TYPE_CHECKING:
    from checks.rule import Rule

OUTPUT_FORMATS = ("concise", "full", "json", "sarif", "github")
TOOL_NAME = "fastapi-guardrails"
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def display_path(path: Path) -> str:
    """The path relative to the working directory when under it (as ruff prints it)."""
    absolute = path if path.is_absolute() else Path.cwd() / path
    try:
        return absolute.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return absolute.as_posix()


def _absolute(path: Path) -> str:
    return str(path if path.is_absolute() else Path.cwd() / path)


def summary(findings: Sequence[Finding], fixed: int = 0, held: HeldBack | None = None) -> str:
    """Ruff's closing lines: the count (and what --fix did), and what --fix could do; then
    what the project's conventions or the selection held back (`checks.run.held_back`),
    and how to list it."""
    line = _counts(findings, fixed)
    if held:
        line += "\n" + _held_line(held)
    return line


def _held_line(held: HeldBack) -> str:
    """What was held back, one sentence a line: `12 more findings held back by this
    project's conventions or the selection: FG101 (10), FG401 (2).`, then `Not run in
    files where all they could find would be held back too: FG201 (3 files).`, then how
    to list them. The twenty-third and twenty-fifth readers read the file counts as hidden
    findings; the sixty-sixth found the one long line hard to read, and the sixty-ninth
    read "not run: FG303" as the whole rule not run, after an FG303 finding (a rule is
    skipped only in the files where every finding it could make is held); readers 115,
    120 and 121 could not parse "Skipped where they could only report what is held back"
    and its "(files its pre-screen could not rule out, not findings)"."""
    lines = []
    reason = "this project's conventions or the selection"
    if held.findings:
        total = sum(held.findings.values())
        listed = ", ".join(f"{code} ({n})" for code, n in _by_count(held.findings))
        lines.append(
            f"{total} more finding{'s' if total != 1 else ''} held back by {reason}: {listed}."
        )
    if held.files:
        listed = ", ".join(
            f"{code} ({n} file{'s' if n != 1 else ''})" for code, n in _by_count(held.files)
        )
        lines.append(
            f"Not run in files where all they could find would be held back too: {listed}."
            if held.findings
            else f"Not run in files where all they could find would be held back by "
            f"{reason}: {listed}."
        )
    codes = ",".join(code for code, _ in _by_count({**held.files, **held.findings}))
    action = "List them" if held.findings else "Run them"
    # every code, ready to paste: readers 56, 58 and 60 could not tell from the first
    # code alone what to name, nor why `--select ALL` showed none of them
    lines.append(
        f"{action} with `--extend-select {codes}` (`--select ALL` holds them back too: it "
        "names no rule)."
    )
    return "\n".join(lines)


def _by_count(counts: Mapping[str, int]) -> list[tuple[str, int]]:
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


def _counts(findings: Sequence[Finding], fixed: int) -> str:
    if fixed:
        total = fixed + len(findings)
        line = (
            f"Found {total} error{'s' if total != 1 else ''} "
            f"({fixed} fixed, {len(findings)} remaining)."
        )
    elif not findings:
        return "All checks passed!"
    else:
        count = len(findings)
        line = f"Found {count} error{'s' if count != 1 else ''}."
    fixable = sum(1 for f in findings if f.fix is not None and f.fix.applicability == "safe")
    hidden = sum(1 for f in findings if f.fix is not None and f.fix.applicability != "safe")
    note = (
        f" ({hidden} hidden fix{'es' if hidden != 1 else ''} can be enabled with the "
        "`--unsafe-fixes` option)"
        if hidden
        else ""
    )
    if fixable:
        line += f"\n[*] {fixable} fixable with the `--fix` option{note}."
    elif hidden:
        line += f"\nNo fixes available{note}."
    return line


def _marker(finding: Finding) -> str:
    return "[*] " if finding.fix is not None and finding.fix.applicability == "safe" else ""


def render_concise(
    findings: Sequence[Finding], fixed: int = 0, held: HeldBack | None = None
) -> str:
    lines = [
        f"{display_path(f.path)}:{f.start.row}:{f.start.column}: {f.code} {_marker(f)}{f.message}"
        for f in findings
    ]
    lines.append(summary(findings, fixed, held))
    return "\n".join(lines) + "\n"


def _snippet(finding: Finding, text: str | None) -> list[str]:
    if text is None:
        return []
    source_lines = split_lines(text)
    row = finding.start.row
    if not 1 <= row <= len(source_lines):
        return []
    first = max(1, row - 1)
    last = min(len(source_lines), row + 1)
    width = len(str(last))
    gutter = " " * width
    out = [f"{gutter} |"]
    for number in range(first, last + 1):
        out.append(f"{number:>{width}} | {source_lines[number - 1]}".rstrip())
        if number == row:
            line = source_lines[number - 1]
            start = finding.start.column - 1
            end = finding.end.column - 1 if finding.end.row == row else len(line)
            carets = "^" * max(1, end - start)
            out.append(f"{gutter} | {' ' * start}{carets} {finding.code}")
    out.append(f"{gutter} |")
    return out


def render_full(
    findings: Sequence[Finding],
    texts: Mapping[Path, str | None],
    fixed: int = 0,
    held: HeldBack | None = None,
) -> str:
    blocks = []
    for f in findings:
        location = f"{display_path(f.path)}:{f.start.row}:{f.start.column}"
        header = f"{location}: {f.code} {_marker(f)}{f.message}"
        blocks.append("\n".join([header, *_snippet(f, texts.get(f.path))]))
    blocks.append(summary(findings, fixed, held))
    return "\n\n".join(blocks) + "\n"


def json_objects(findings: Sequence[Finding]) -> list[dict[str, Any]]:
    """Findings as ruff's JSON objects."""
    return [
        {
            "cell": None,
            "code": f.code,
            "end_location": {"column": f.end.column, "row": f.end.row},
            "filename": _absolute(f.path),
            "fix": None
            if f.fix is None
            else {
                "applicability": f.fix.applicability,
                "message": f.fix.message,
                "edits": [
                    {
                        "content": e.content,
                        "location": {"column": e.start.column, "row": e.start.row},
                        "end_location": {"column": e.end.column, "row": e.end.row},
                    }
                    for e in f.fix.edits
                ],
            },
            "location": {"column": f.start.column, "row": f.start.row},
            "message": f.message,
            "noqa_row": f.noqa_row,
            "url": None,
        }
        for f in findings
    ]


def render_json(findings: Sequence[Finding]) -> str:
    return json.dumps(json_objects(findings), indent=2, sort_keys=True) + "\n"


def sarif_document(findings: Sequence[Finding], rules: Sequence[Rule]) -> dict[str, Any]:
    """A SARIF 2.1.0 log with one run, as GitHub code scanning reads it."""
    index = {rule.code: position for position, rule in enumerate(rules)}
    results = []
    for f in findings:
        result: dict[str, Any] = {
            "ruleId": f.code,
            "level": "error",
            "message": {"text": f.message},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {
                            "uri": display_path(f.path),
                            "uriBaseId": "%SRCROOT%",
                        },
                        "region": {
                            "startLine": f.start.row,
                            "startColumn": f.start.column,
                            "endLine": f.end.row,
                            "endColumn": max(f.end.column, 1),
                        },
                    }
                }
            ],
        }
        if f.code in index:
            result["ruleIndex"] = index[f.code]
        results.append(result)
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": TOOL_NAME,
                        "version": __version__,
                        "rules": [
                            {
                                "id": rule.code,
                                "name": rule.name,
                                "shortDescription": {"text": rule.summary},
                                "fullDescription": {"text": rule.why},
                                "help": {
                                    "text": f"{rule.summary}\n\n{rule.why}",
                                    "markdown": f"{rule.summary}\n\n{rule.why}",
                                },
                                "defaultConfiguration": {"level": "error"},
                                "properties": {"tags": [rule.family]},
                            }
                            for rule in rules
                        ],
                    }
                },
                "originalUriBaseIds": {"%SRCROOT%": {"uri": Path.cwd().as_uri() + "/"}},
                "results": results,
            }
        ],
    }


def render_sarif(findings: Sequence[Finding], rules: Sequence[Rule]) -> str:
    return json.dumps(sarif_document(findings, rules), indent=2) + "\n"


def _escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(value: str) -> str:
    return _escape_data(value).replace(":", "%3A").replace(",", "%2C")


def render_github(findings: Sequence[Finding]) -> str:
    """GitHub Actions workflow commands: one `::error` annotation a finding."""
    lines = []
    for f in findings:
        properties = ",".join(
            [
                f"title={_escape_property(f'{TOOL_NAME} ({f.code})')}",
                f"file={_escape_property(_absolute(f.path))}",
                f"line={f.start.row}",
                f"col={f.start.column}",
                f"endLine={f.end.row}",
                f"endColumn={f.end.column}",
            ]
        )
        location = f"{display_path(f.path)}:{f.start.row}:{f.start.column}"
        lines.append(f"::error {properties}::{_escape_data(f'{location}: {f.code} {f.message}')}")
    return "".join(line + "\n" for line in lines)


def render_statistics(findings: Sequence[Finding], rules: Mapping[str, RuleInfo]) -> str:
    """Ruff's `--statistics`: a count a code, most frequent first, then the summary."""
    counts = Counter(f.code for f in findings)
    rows = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    width = max((len(str(count)) for _, count in rows), default=1)
    lines = [
        f"{count:>{width}}\t{code}\t{rules[code].name if code in rules else ''}"
        for code, count in rows
    ]
    lines.append(summary(findings))
    return "\n".join(lines) + "\n"

"""Apply fixes: edit the source text, check again, repeat until nothing is left to fix.

Edits apply to the text libcst parsed (which round-trips the file exactly), so line
endings, comments and formatting outside the edits stay byte-identical; the result is
encoded back with the file's own encoding (and BOM). A file is written only when asked
(`--fix`), atomically (a temporary file in the same directory, then a rename), keeping
its permission bits; a fixed text that does not parse is never written.
"""

from __future__ import annotations

import codecs
import os
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import libcst as cst

from checks.findings import Edit, Finding, Location, split_lines
from checks.imports import drop_unused_imports

#: Fixing passes per file: each pass may expose new fixable findings.
MAX_PASSES = 10


@dataclass(frozen=True, slots=True)
class FixOutcome:
    """What fixing a file did: its new source (None when unchanged) and findings fixed."""

    source: bytes | None
    fixed: int


def _offsets(text: str) -> list[int]:
    """The character offset at which each 1-based row starts."""
    starts = [0, 0]
    for line in split_lines(text, keepends=True):
        starts.append(starts[-1] + len(line))
    return starts


def _offset(starts: list[int], location: Location) -> int:
    row = min(location.row, len(starts) - 1)
    return starts[row] + location.column - 1


def apply_edits(text: str, fixes: Sequence[tuple[Edit, ...]]) -> tuple[str, list[int]]:
    """Apply the edits of each fix that does not overlap an earlier one; return the new
    text and the indices of the fixes applied (the others wait for the next pass)."""
    starts = _offsets(text)
    chosen: list[tuple[int, int, str]] = []
    applied: list[int] = []
    for index, edits in enumerate(fixes):
        spans = [(_offset(starts, e.start), _offset(starts, e.end), e.content) for e in edits]
        if any(s < end and start < e for s, e, _ in chosen for start, end, _ in spans):
            continue
        chosen.extend(spans)
        applied.append(index)
    for start, end, content in sorted(chosen, reverse=True):
        text = text[:start] + content + text[end:]
    return text, applied


def _encode(text: str, original: bytes) -> bytes:
    """Encode with the file's own encoding, keeping a UTF-8 BOM if it had one."""
    try:
        encoding = cst.parse_module(original).encoding
    except Exception:
        encoding = "utf-8"
    data = text.encode(encoding)
    if original.startswith(codecs.BOM_UTF8) and not data.startswith(codecs.BOM_UTF8):
        data = codecs.BOM_UTF8 + data
    return data


def _parse(text: str) -> cst.Module | None:
    try:
        return cst.parse_module(text)
    except Exception:
        return None


def fix_source(
    source: bytes,
    check: Callable[[bytes], tuple[list[Finding], str | None]],
    unsafe: bool,
) -> FixOutcome:
    """Fix a file's source until no applicable fix is left (or MAX_PASSES)."""
    current = source
    fixed = 0
    for _ in range(MAX_PASSES):
        findings, text = check(current)
        fixes = [
            f.fix
            for f in findings
            if f.fix is not None and (f.fix.applicability == "safe" or unsafe)
        ]
        if not fixes or text is None:
            break
        new_text, applied = apply_edits(text, [fix.edits for fix in fixes])
        if not applied or new_text == text:
            break
        module = _parse(new_text)
        if module is None:
            # a fix that breaks the file is never applied; the others still are
            fixes = [fix for fix in fixes if _parse(apply_edits(text, [fix.edits])[0])]
            new_text, applied = apply_edits(text, [fix.edits for fix in fixes])
            module = _parse(new_text) if applied else None
            if module is None:
                break
        released = {name for index in applied for name in fixes[index].releases}
        if released:
            new_text = drop_unused_imports(module, released).code
        current = _encode(new_text, current)
        fixed += len(applied)
    return FixOutcome(current if current != source else None, fixed)


def write_atomically(path: Path, data: bytes) -> None:
    """Replace `path` with `data`: temporary file in the same directory, then a rename;
    the permission bits are kept."""
    mode = path.stat().st_mode
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
        os.chmod(temporary, mode & 0o7777)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise

"""Apply fixes: edit the source text, check again, repeat until nothing is left to fix.

Edits apply to the text libcst parsed (which round-trips the file, but for the last
newline of a file whose newlines are a lone `\r`, put back here), so line endings,
comments and formatting outside the edits stay byte-identical; the result is encoded
back with the file's own encoding (and BOM). A pass keeps only the fixes whose result
CPython compiles, not only parses. Writing the result is `checks.writer`'s, and only
when asked (`--fix`).
"""

from __future__ import annotations

import bisect
import codecs
import io
import tokenize
import warnings
from collections.abc import Callable, Sequence
from typing import NamedTuple

import libcst as cst

from checks.findings import Edit, Finding, Fix, Location, split_lines
from checks.imports import drop_unused_imports

#: Fixing passes per file: each pass may expose new fixable findings, and nested ones
#: (a fix inside another's span) wait for the next pass. Ruff's limit too.
MAX_PASSES = 100


class FixOutcome(NamedTuple):
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
    text and the indices of the fixes applied (the others wait for the next pass).
    Linear in the text and the number of edits (after sorting them)."""
    starts = _offsets(text)
    taken: list[tuple[int, int]] = []  # the chosen spans, sorted by start
    chosen: list[tuple[int, int, str]] = []
    applied: list[int] = []
    for index, edits in enumerate(fixes):
        spans = [
            _whole_line(text, _offset(starts, e.start), _offset(starts, e.end), e.content)
            for e in edits
        ]
        if any(_overlaps(taken, start, end) for start, end, _ in spans):
            continue
        for start, end, _ in spans:
            bisect.insort(taken, (start, end))
        chosen.extend(spans)
        applied.append(index)
    pieces: list[str] = []
    position = 0
    # by place, in the order of the fixes where two insertions share one
    for start, end, content in sorted(chosen, key=lambda span: span[:2]):
        pieces.append(text[position:start])
        pieces.append(content)
        position = max(position, end)
    pieces.append(text[position:])
    return "".join(pieces), applied


def _whole_line(text: str, start: int, end: int, content: str) -> tuple[int, int, str]:
    """An edit that deletes all a line holds (a statement on a line of its own) deletes
    the line with its newline, rather than leave it blank."""
    if content or start == end:
        return start, end, content
    line_start = max(text.rfind("\n", 0, start), text.rfind("\r", 0, start)) + 1
    if text[line_start:start].strip(" \t"):
        return start, end, content
    after = end
    while after < len(text) and text[after] in " \t":
        after += 1
    if text.startswith("\r\n", after):
        return line_start, after + 2, content
    if after < len(text) and text[after] in "\r\n":
        return line_start, after + 1, content
    return start, end, content


def _overlaps(taken: list[tuple[int, int]], start: int, end: int) -> bool:
    """Whether [start, end) overlaps a span of `taken` (sorted; spans of positive length
    never overlap each other). An insertion (start == end) overlaps only a span strictly
    around it; two insertions at one place both apply."""
    at = bisect.bisect_left(taken, (start, start))
    if at > 0 and taken[at - 1][0] < end and start < taken[at - 1][1]:
        return True
    for s, e in taken[at:]:
        if s >= end:
            return False
        if start < e:
            return True
    return False


def encode_like(text: str, original: bytes) -> bytes:
    """Encode with the file's own encoding (its PEP 263 declaration, read as CPython
    reads it), keeping a UTF-8 BOM if it had one, and the final newline of a file whose
    newlines are a lone `\r` (libcst's code drops it)."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(original).readline)
    except (SyntaxError, LookupError):
        encoding = "utf-8"
    if encoding == "utf-8-sig":
        encoding = "utf-8"
    if original.endswith(b"\r") and not text.endswith(("\r", "\n")):
        text += "\r"
    data = text.encode(encoding)
    if original.startswith(codecs.BOM_UTF8) and not data.startswith(codecs.BOM_UTF8):
        data = codecs.BOM_UTF8 + data
    return data


def _parse(text: str) -> cst.Module | None:
    try:
        return cst.parse_module(text)
    except Exception:
        return None


def compiles(text: str) -> bool:
    """Whether CPython compiles the text: its parser, and its compiler, which rejects more
    than any parser does (`await` outside an async function, `return` at module level,
    a duplicate argument)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(text, "<fixed>", "exec", dont_inherit=True)
    except (SyntaxError, ValueError, RecursionError, MemoryError, OverflowError):
        return False
    return True


def _verified(text: str) -> cst.Module | None:
    """The text's libcst tree, when CPython compiles it and libcst parses it."""
    return _parse(text) if compiles(text) else None


def _apply_verified(text: str, fixes: Sequence[Fix]) -> tuple[str, list[int], cst.Module | None]:
    """Apply the fixes whose result compiles: all of them when that compiles, else the
    largest groups that do, found by halving (a few compilations per bad fix, not one
    per fix)."""
    new_text, applied = apply_edits(text, [fix.edits for fix in fixes])
    if not applied:
        return text, [], None
    module = _verified(new_text)
    if module is not None:
        return new_text, applied, module
    accepted: list[int] = []

    def take(group: list[int]) -> None:
        candidate = accepted + group
        attempt, used = apply_edits(text, [fixes[i].edits for i in candidate])
        if compiles(attempt):
            # those that overlap an earlier one wait for the next pass, as usual
            accepted[:] = [candidate[i] for i in used]
        elif len(group) > 1:
            middle = len(group) // 2
            take(group[:middle])
            take(group[middle:])

    take(list(range(len(fixes))))
    if not accepted:
        return text, [], None
    new_text, used = apply_edits(text, [fixes[i].edits for i in accepted])
    module = _parse(new_text)
    if module is None:
        return text, [], None
    return new_text, [accepted[i] for i in used], module


def fix_source(
    source: bytes,
    check: Callable[[bytes], tuple[list[Finding], str | None]],
    unsafe: bool,
) -> FixOutcome:
    """Fix a file's source until no applicable fix is left (or MAX_PASSES). A pass keeps
    only the fixes whose result CPython compiles (libcst accepts more than CPython)."""
    current = source
    fixed = 0
    for _ in range(MAX_PASSES):
        findings, text = check(current)
        fixes = [
            f.fix
            for f in findings
            if f.fix is not None
            and f.fix.companion is None  # made with its other half: `checks.crossfix`
            and (f.fix.applicability == "safe" or unsafe)
        ]
        if not fixes or text is None:
            break
        new_text, applied, module = _apply_verified(text, fixes)
        if not applied or module is None or new_text == text:
            break
        released = {name for index in applied for name in fixes[index].releases}
        if released:
            pruned = drop_unused_imports(module, released).code
            if compiles(pruned):
                new_text = pruned
        current = encode_like(new_text, current)
        fixed += len(applied)
    return FixOutcome(current if current != source else None, fixed)

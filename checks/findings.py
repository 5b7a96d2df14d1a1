"""What a check reports: a finding with a 1-based start and end position, as ruff does."""

from __future__ import annotations

import dataclasses
import io
import tokenize
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from checks.lazy import lazy_pattern
from checks.project import Condition, ModuleSummary

_LINE = lazy_pattern(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")


def split_lines(text: str, keepends: bool = False) -> list[str]:
    """The lines of a source text as Python and libcst count them: only `\n`, `\r\n`
    and `\r` end a line (`str.splitlines` also splits at form feeds and `\x1c`-`\x1e`,
    which a source file may contain)."""
    lines = _LINE.findall(text)
    return lines if keepends else [line.rstrip("\r\n") for line in lines]


def decode_source(source: bytes) -> str | None:
    """The text libcst would give for these bytes (PEP 263 encoding, BOM removed)."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(source).readline)
        return source.decode(encoding)
    except (SyntaxError, LookupError, UnicodeDecodeError):
        try:
            return source.decode("utf-8")
        except UnicodeDecodeError:
            return source.decode("latin-1")


@dataclass(frozen=True, slots=True, order=True)
class Location:
    """A 1-based row and column (columns count characters, like ruff's)."""

    row: int
    column: int


class Edit(NamedTuple):
    """Replace the text from `start` to `end` (exclusive) with `content`."""

    content: str
    start: Location
    end: Location


class Companion(NamedTuple):
    """The half of a fix that lives in another file: a line `attribute = relationship(...)`
    added to the mapped class `target` (a class name as the registry resolves it, or the
    qualified names the file's imports give it). `owner` is the qualified name of the class
    the fix edits; `arguments` the relationship's arguments as code. `checks.crossfix`
    finds the class through the project index and writes both files, or neither."""

    target: str
    candidates: tuple[str, ...]
    owner: str
    attribute: str
    arguments: str


class Fix(NamedTuple):
    """A fix of a finding: `safe` fixes keep the code's meaning; `unsafe` ones may not."""

    applicability: str
    message: str
    edits: tuple[Edit, ...]
    #: imported names the fix may leave unused: dropped after the fix when nothing
    #: else uses them
    releases: tuple[str, ...] = ()
    #: an edit of another file the fix needs (applied by `checks.crossfix`, never alone)
    companion: Companion | None = None
    #: the class whose inner `Config` the fix removes: withheld while a module of the
    #: project reads that `Config` (`checks.project.ProjectIndex.keeps_fix`)
    config_of: str | None = None


class Finding(NamedTuple):
    """One reported problem in one file.

    `end` is exclusive, like ruff's `end_location`: the column just after the last
    character of the flagged code.
    """

    path: Path
    code: str
    message: str
    start: Location
    end: Location
    fix: Fix | None = None

    @property
    def noqa_row(self) -> int:
        """The row whose `# noqa` comment suppresses this finding (the start row)."""
        return self.start.row

    def sort_key(self) -> tuple[str, int, int, str]:
        """Order findings by file, position, then code (ruff's order)."""
        return (str(self.path), self.start.row, self.start.column, self.code)


@dataclass(frozen=True, slots=True)
class FileResult:
    """The findings of one file, and its decoded text (for snippets in the output).

    `pending` findings stand only if their condition holds across the project (resolved
    once every file is checked); `summary` is what other files need to know of this one.
    `outside_packages` are the first names the structural screens took to be no package
    of the project (`Structure.outside_packages`): the result holds while none becomes one.
    """

    path: Path
    findings: list[Finding]
    text: str | None
    pending: list[tuple[Finding, Condition]] = dataclasses.field(default_factory=list)
    summary: ModuleSummary | None = None
    outside_packages: frozenset[str] = frozenset()
    #: rules the file was not parsed for, with the conditions on other modules one of
    #: which must hold for the rule to report here (`Rule.deferred_conditions`): the file
    #: is checked with a rule once the run's index holds one of its (`checks.run.settle`)
    deferred: tuple[tuple[str, Condition], ...] = ()


@dataclass(frozen=True, slots=True)
class HeldBack:
    """What the project's conventions or the selection held back (`held_back`), per rule:
    the findings a run naming every rule reports, and the files not run at all for a
    rule that was waiting on such a fact (`FileResult.deferred`): a count of findings
    there would need them parsed, which is what waiting spares."""

    findings: dict[str, int] = dataclasses.field(default_factory=dict)
    files: dict[str, int] = dataclasses.field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.findings or self.files)

    def __add__(self, other: HeldBack) -> HeldBack:
        """Two projects' together."""
        return HeldBack(_summed(self.findings, other.findings), _summed(self.files, other.files))


def _summed(a: dict[str, int], b: dict[str, int]) -> dict[str, int]:
    return {code: a.get(code, 0) + b.get(code, 0) for code in {*a, *b}}

"""What a file's text shows before it is parsed, so that a file no rule can fire on is not.

libcst parses about 14 times slower than CPython's own parser, and most files of a
service cannot trigger most rules: a file that never says `sleep` cannot call
`time.sleep()`. Each rule declares, with `Rule.may_fire(evidence)`, the words without
which it cannot report anything; the engine parses a file only for the rules that may
fire, and parses no file with libcst that no rule needs (its syntax is still checked,
with CPython's parser, when FG000 is selected).

The evidence is exact, never a guess that could hide a finding:
- `identifiers` holds every ASCII word of the text, code, strings and comments alike, so a
  name the rules resolve (`sleep` of `from time import sleep as nap`) is always in it;
- `attributes` holds every word that follows a `.`, with whitespace, line continuations
  and comments allowed in between, as Python allows them;
- a rule that reads string contents (dict keys, URLs) also fires when the text has an
  escape that could spell a letter (`\\x41`, `\\u0041`, `\\N{...}`, octal);
- a package a rule looks for (`fastapi`) is named in the text, or the file is part of it
  (relative imports inside the package itself);
- a file that declares an encoding other than UTF-8 is parsed for every rule.
A test compares every finding with and without the pre-filter over real code bases.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from checks.lazy import lazy_pattern

_IDENTIFIER = lazy_pattern(rb"[A-Za-z_][A-Za-z0-9_]*")
_ATTRIBUTE = lazy_pattern(rb"\.(?:\s|\\|#[^\r\n]*+)*([A-Za-z_][A-Za-z0-9_]*)")
_LETTER_ESCAPE = lazy_pattern(rb"\\(?:[xuU0-7]|N\{)")
#: PEP 263: a coding declaration in the first two lines.
_CODING = lazy_pattern(rb"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)", re.MULTILINE)
_UTF8_NAMES = frozenset({b"utf-8", b"utf8", b"utf_8", b"ascii", b"us-ascii"})


@dataclass(frozen=True)
class Evidence:
    """What one file's text shows; each part is computed on first use."""

    source: bytes
    path: Path
    layer: str | None
    #: the file's dotted module name, when it lives in a package
    module: str | None = None

    @cached_property
    def identifiers(self) -> frozenset[str]:
        return frozenset(m.decode("ascii") for m in set(_IDENTIFIER.findall(self.source)))

    @cached_property
    def attributes(self) -> frozenset[str]:
        return frozenset(m.decode("ascii") for m in set(_ATTRIBUTE.findall(self.source)))

    @cached_property
    def lowered(self) -> bytes:
        return self.source.lower()

    @cached_property
    def letter_escapes(self) -> bool:
        """Whether a string may spell a word the text does not show (`"pa\\x73s"`)."""
        return _LETTER_ESCAPE.search(self.source) is not None

    @cached_property
    def readable(self) -> bool:
        """Whether the bytes are the text Python reads: UTF-8, or an ASCII-only cookie."""
        head = b"\n".join(self.source.split(b"\n", 2)[:2])
        match = _CODING.search(head)
        return match is None or match.group(1).lower() in _UTF8_NAMES

    def has(self, *words: str) -> bool:
        """Whether any of these identifiers occurs."""
        return not self.identifiers.isdisjoint(words)

    def has_package(self, *packages: str) -> bool:
        """Whether the file may import from these top-level packages: it names one, or it
        is part of one (a relative import inside `fastapi/` imports from `fastapi`)."""
        return self.has(*packages) or (self.module or "").split(".", 1)[0] in packages

    def has_attribute(self, *names: str) -> bool:
        """Whether any of these names occurs after a `.` (`x.dict`, `x .\\n dict`)."""
        return not self.attributes.isdisjoint(names)

    def mentions(self, pattern: re.Pattern[bytes]) -> bool:
        """Whether a string-content pattern may match: in the lowered text, or hidden
        behind an escape."""
        return self.letter_escapes or pattern.search(self.lowered) is not None

"""Gitignore-style globs, compiled only where they may match.

pathspec compiles one regular expression per pattern, about 50 µs each: a project's
layer globs, excludes and per-file ignores and its `.gitignore` files are 300-400
patterns, 15 ms of a one-file run (the edit hook's) that asks about one path, and
importing pathspec 20 ms more. A pattern can only match a path holding each of its
literal runs (`tests` of `**/tests/**`, `.py` of `*.py[cod]`): `Globs` asks about the
patterns that pass that test, in their order (the answer depends only on the patterns
that match, and on their order), and compiles the whole set once it has been asked about
more than a few paths (a walk of a tree). When those patterns are all names matched at any depth
(`*.py[cod]`, `__pycache__/`, `**/tests/**`), none negated, any of them matching decides,
and `fnmatch` answers for each path component without pathspec; anything else is
pathspec's. A set made only of such names (the default `exclude`) is never compiled by
pathspec: a walk asks one regular expression of their `fnmatch` translations about each
component.
"""

from __future__ import annotations

import fnmatch
import functools
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from checks.lazy import lazy_pattern

if TYPE_CHECKING:
    import pathspec

#: What splits a pattern into literal runs: wildcards, a character class, a separator.
_NOT_LITERAL = lazy_pattern(r"\[[^\]]*\]|[*?/]")
#: How many paths are asked about before the whole set is compiled (a tree's walk).
_PATHS = 32


def _literals(pattern: str) -> tuple[str, ...]:
    """The literal runs any path a pattern matches holds (none: an escape, an unclosed
    class, or wildcards only: it may match any path). A blank line or a comment matches
    nothing: its run is a NUL, which no path holds."""
    text = pattern.strip()
    if not text or text.startswith("#"):
        return ("\0",)  # no path holds it
    if text.startswith("!"):
        text = text[1:]
    if "\\" in text:
        return ()
    runs = tuple(run for run in _NOT_LITERAL.split(text) if run)
    if any("[" in run or "]" in run for run in runs):
        return ()
    return runs


#: A name pattern `fnmatch` reads as gitwildmatch does: letters, digits, `_.-+$,@~%={}`
#: (neither expands braces), `*`, `?` and plain classes (`[cod]`, `[a-z]`: no `!`, `^` or
#: `]` inside).
_NAME = lazy_pattern(r"(?:[\w.*?+$,@~%={}-]|\[[\w.-]+\])+")


def _name_pattern(pattern: str) -> tuple[str, bool] | None:
    """A pattern that matches a name at any depth, as (the name's glob, whether only a
    directory matches): `*.py[cod]`, `build`, `__pycache__/`, `**/tests/**` (a `tests/`
    directory), `**/conftest.py`; None for any other (anchored, negated, escaped)."""
    text = pattern
    directory = False
    if text.startswith("**/"):
        text = text[3:]
        if text.endswith("/**"):
            text, directory = text[:-3], True
    if text.endswith("/"):
        text, directory = text[:-1], True
    if "**" in text or not _NAME.fullmatch(text):
        return None
    return text, directory


def _matches_name(path: str, name: str, directory: bool) -> bool:
    """Whether a name pattern matches `path`: one of its components (a directory's, for
    a directory pattern: every one but a file's name) matches the glob; what is below a
    matched directory matches with it."""
    parts = path.split("/")
    last = len(parts) - 1  # "a/b/" ends with "", so "b" counts as a directory
    return any(
        fnmatch.fnmatchcase(part, name)
        for index, part in enumerate(parts)
        if part and (not directory or index < last)
    )


def _one_of(globs: Sequence[str]) -> re.Pattern[str] | None:
    """One regular expression matching a name any of the globs matches (`fnmatch`'s)."""
    if not globs:
        return None
    return re.compile("|".join(f"(?:{fnmatch.translate(glob)})" for glob in globs))


@functools.lru_cache(maxsize=1024)
def _compiled(patterns: tuple[str, ...], gitignore: bool) -> pathspec.PathSpec[Any]:
    import pathspec

    if gitignore:
        return pathspec.GitIgnoreSpec.from_lines(patterns)
    return pathspec.PathSpec.from_lines("gitignore", patterns)


class Globs:
    """Gitignore-style patterns (`gitignore`: with Git's rules for a `.gitignore` file,
    `pathspec.GitIgnoreSpec`), matched as pathspec matches them."""

    __slots__ = (
        "_asked",
        "_gitignore",
        "_literals",
        "_named",
        "_names",
        "_patterns",
        "_whole",
    )

    def __init__(self, patterns: Sequence[str], *, gitignore: bool = False) -> None:
        self._patterns = tuple(patterns)
        self._gitignore = gitignore
        self._literals = tuple(_literals(pattern) for pattern in self._patterns)
        self._names = tuple(_name_pattern(pattern) for pattern in self._patterns)
        self._asked = 0
        self._whole: pathspec.PathSpec[Any] | None = None
        #: every pattern a name (`_name_pattern`): the regular expressions of those that
        #: match any component and of those that match a folder's, once a walk asks
        self._named: tuple[re.Pattern[str] | None, re.Pattern[str] | None] | None = None

    def _by_names(self, path: str) -> bool:
        """`_matches_name` of every pattern, for a set made only of names."""
        if self._named is None:
            names = [name for name in self._names if name is not None]
            self._named = (
                _one_of([glob for glob, directory in names if not directory]),
                _one_of([glob for glob, directory in names if directory]),
            )
        anywhere, folders = self._named
        parts = path.split("/")
        last = len(parts) - 1  # "a/b/" ends with "", so "b" counts as a folder
        for index, part in enumerate(parts):
            if not part:
                continue
            if anywhere is not None and anywhere.match(part):
                return True
            if folders is not None and index < last and folders.match(part):
                return True
        return False

    def _answer(self, path: str) -> bool | pathspec.PathSpec[Any] | None:
        """What the patterns say of `path` when it is known without pathspec (True: one
        matches, None: none may), else the compiled patterns that may match it."""
        if self._whole is not None:
            return self._whole
        self._asked += 1
        if self._asked > _PATHS:
            if self._patterns and all(name is not None for name in self._names):
                return True if self._by_names(path) else None
            # a walk: one compiled set answers each path faster than a scan of the patterns
            self._whole = _compiled(self._patterns, self._gitignore)
            return self._whole
        may_match = [
            index for index, runs in enumerate(self._literals) if all(run in path for run in runs)
        ]
        if not may_match:
            return None
        names = [self._names[index] for index in may_match]
        if all(name is not None for name in names):
            # names at any depth, none negated: whichever matches says "included"
            found = any(_matches_name(path, *name) for name in names if name is not None)
            return True if found else None
        return _compiled(tuple(self._patterns[index] for index in may_match), self._gitignore)

    def match_file(self, path: str) -> bool:
        """Whether the patterns select `path` (relative, `/`-separated; a trailing `/`
        for a directory)."""
        answer = self._answer(path)
        if answer is None or isinstance(answer, bool):
            return bool(answer)
        return bool(answer.match_file(path))

    def include(self, path: str) -> bool | None:
        """What the last pattern matching `path` says (`check_file`'s `include`): True
        ignored, False re-included by a `!` pattern, None: no pattern matches."""
        answer = self._answer(path)
        if answer is None or isinstance(answer, bool):
            return answer
        return answer.check_file(path).include

    @property
    def patterns(self) -> tuple[str, ...]:
        return self._patterns

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Globs):
            return NotImplemented
        return (self._patterns, self._gitignore) == (other._patterns, other._gitignore)

    def __hash__(self) -> int:
        return hash((self._patterns, self._gitignore))

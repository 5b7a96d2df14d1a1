"""A tree for the screens of a file written for a newer Python than the one that runs.

CPython 3.11 cannot parse a module that uses Python 3.12's type parameters (`def
first[T](items: list[T]) -> T`, `class Box[T: Model]`), its `type` statement (`type
Rows = list[Row]`) or Python 3.14's unparenthesized `except A, B:`. libcst can, so those
files were checked, but with every rule their words allow and no structural screen
(`checks.structure`): on polar, 72 of the 140 files libcst parses in a cold run, 1.6 of
its 2.8 MB.

`newer_syntax_tree` rewrites those forms, one line at a time where CPython reports them,
into text CPython 3.11 parses, and gives the tree of that text: for the screens only,
which ask what a file may hold, never where. Every finding still comes from libcst's
tree of the file as written. Each rewrite keeps every name, call and string the line
holds:

- `except A, B:` becomes `except (A, B):`, the same tree as 3.14's;
- `type Name[T: Bound] = value` becomes the expression `value`, and the name is not
  bound (the engine's traversal binds no name for a `type` statement either);
- `def name[T: Bound = Default](...)` and `class Name[...]` lose their brackets;
- a string in an f-string's replacement field that reuses a quote of an f-string around
  it (Python 3.12's PEP 701: `f"/cars/{car["uid"]}"`, vilatvok's `f'{file['path']}'`)
  takes the other quote (`f"/cars/{car['uid']}"`): the same string, the same columns;
  not when both quotes are open there, the string holds the other, or the field holds a
  backslash or a comment (which 3.11 forbids there), nor a string spanning lines;

and a type parameter's bound and default are appended as expressions at the end of the
module, so that the names they use are still read. A line CPython still refuses, a form
spanning lines (brackets closed on another line) or any other error: no tree, and the
file is checked without screens, as before.
"""

from __future__ import annotations

import ast
import re
import warnings

from checks.lazy import lazy_pattern

#: how many rewrites one file may take (one parse each)
_MOST = 100
#: how many lines a type parameter list may span
_SPAN = 20

_EXCEPT = lazy_pattern(
    rb"(?P<head>[ \t]*except\*?[ \t]*)(?P<types>[^:(\s][^:]*?)(?P<tail>[ \t]*:.*)", re.S
)
_TYPE = lazy_pattern(rb"(?P<indent>[ \t]*)type[ \t]+[A-Za-z_][A-Za-z0-9_]*[ \t]*(?P<params>\[)?")
_DEFINITION = lazy_pattern(
    rb"[ \t]*(?:async[ \t]+)?(?:def|class)[ \t]+[A-Za-z_][A-Za-z0-9_]*[ \t]*\["
)


#: The last text parsed, or whose tree the engine's syntax check made (`remember`), with
#: its tree and whether that is the tree of its rewritten text: a file's summary and its
#: rules' helpers read that tree, not a parse of their own (the same `bytes` object:
#: compared by identity).
_LAST: list[tuple[bytes, ast.Module | None, bool]] = []


def remember(source: bytes, tree: ast.Module, rewritten: bool = False) -> None:
    """Keep `tree` as `parse(source)`'s answer (the caller made it from `source`, as
    `parse` would, `rewritten` when from its rewritten text; no reader changes a tree)."""
    _LAST[:] = [(source, tree, rewritten)]


def parse(source: bytes) -> ast.Module | None:
    """CPython's tree of `source`, or of its text once its Python 3.12+ forms are
    rewritten (`newer_syntax_tree`); None when it cannot parse either."""
    last = _LAST[0] if _LAST else None
    if last is not None and last[0] is source:
        return last[1]
    tree: ast.Module | None
    rewritten = False
    try:
        tree = ast.parse(source)
    except SyntaxError as error:
        tree, rewritten = newer_syntax_tree(source, error), True
    except (ValueError, OverflowError, RecursionError, MemoryError):
        tree = None
    _LAST[:] = [(source, tree, rewritten)]
    return tree


def plain_parse(source: bytes) -> ast.Module:
    """`ast.parse(source)`, raising as it does (no rewriting), answered with the tree kept
    for that same text when it is its own (`remember`)."""
    last = _LAST[0] if _LAST else None
    if last is not None and last[0] is source and last[1] is not None and not last[2]:
        return last[1]
    return ast.parse(source)


def newer_syntax_tree(source: bytes, refusal: SyntaxError | None = None) -> ast.Module | None:
    """The tree of `source` once its Python 3.12+ forms are rewritten for this parser,
    or None when CPython still refuses it. `refusal`: its parser's error on `source`,
    when known (a parse saved)."""
    lines = source.splitlines(keepends=True)
    if lines and not lines[-1].endswith((b"\n", b"\r")):
        lines[-1] += b"\n"
    appended: list[bytes] = []
    error: BaseException | None = refusal
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for _ in range(_MOST):
            if error is None:
                try:
                    return ast.parse(b"".join(lines) + b"".join(appended))
                except (SyntaxError, ValueError, OverflowError, RecursionError, MemoryError) as e:
                    error = e
            if not isinstance(error, SyntaxError) or error.lineno is None:
                return None
            index = error.lineno - 1
            if not 0 <= index < len(lines):
                return None
            parameters = _rewrite(lines, index, error.msg or "")
            if parameters is None:
                return None
            appended.extend(_parameter_expressions(parameters))
            error = None
    return None


def _rewrite(lines: list[bytes], index: int, message: str) -> bytes | None:
    """Rewrites the form CPython refused on line `index` as this parser reads it (the
    line count kept: lines a bracket spanned become empty), and gives the type
    parameters it held (`T: Bound`); None when the line holds no known form."""
    line = lines[index]
    if message.startswith("multiple exception types must be parenthesized"):
        match = _EXCEPT.fullmatch(line)
        if match is None or b" as " in match["types"]:
            return None
        lines[index] = match["head"] + b"(" + match["types"] + b")" + match["tail"]
        return b""
    match = _TYPE.match(line)
    if match is not None:
        parameters = b""
        if match["params"] is not None:
            held = _remove_brackets(lines, index, match.end() - 1)
            if held is None:
                return None
            parameters = held
            rest = lines[index][match.end() - 1 :]
        else:
            rest = line[match.end() :]
        value = rest.lstrip(b" \t")
        if not value.startswith(b"=") or value.startswith(b"=="):
            return None
        lines[index] = match["indent"] + value[1:].lstrip(b" \t")
        return parameters
    match = _DEFINITION.match(line)
    if match is not None:
        return _remove_brackets(lines, index, match.end() - 1)
    rewritten = _fstring_quotes(line)
    if rewritten is None:
        return None
    lines[index] = rewritten
    return b""


_QUOTES = (b"'", b'"')
#: the prefixes of a string (any case, either order)
_PREFIXES = frozenset({b"", b"r", b"u", b"b", b"f", b"br", b"rb", b"fr", b"rf"})


def _fstring_quotes(line: bytes) -> bytes | None:
    """`line` with each string of an f-string's replacement field that reuses the quote
    of an f-string around it given the other quote (PEP 701's `f'{file['path']}'` as
    3.11 reads it: `f'{file["path"]}'`), or None when the line holds none or one this
    cannot rewrite (see the module's docstring)."""
    out = bytearray(line)
    position = 0
    while position < len(line):
        byte = line[position : position + 1]
        if byte == b"#":
            break
        if byte in _QUOTES:
            end = _string_end(line, position, out, frozenset())
            if end is None:
                return None
            position = end
        else:
            position += 1
    return bytes(out) if out != line else None


def _string_end(
    line: bytes, position: int, out: bytearray, open_quotes: frozenset[bytes]
) -> int | None:
    """The index after the string whose quote is at `position`, inside the replacement
    fields of f-strings quoted with `open_quotes` (none at the top), writing to `out` the
    other quote for a string that reuses one of them; None when it cannot."""
    start = position
    while start > 0 and line[start - 1 : start].isalpha():
        start -= 1
    prefix = line[start:position].lower()
    if prefix not in _PREFIXES:
        return None
    quote = line[position : position + 1]
    triple = line[position : position + 3] == quote * 3
    if quote in open_quotes:
        others = [other for other in _QUOTES if other not in open_quotes]
        if triple or not others:
            return None
        written = others[0]
    else:
        written = quote
    closing = quote * 3 if triple else quote
    index = position + len(closing)
    inner = open_quotes | {written}
    while index < len(line):
        if line.startswith(closing, index):
            out[position] = out[index] = written[0]
            return index + len(closing)
        byte = line[index : index + 1]
        if written != quote and byte == written:
            return None  # the string holds the quote it would take
        if byte == b"\\":
            if open_quotes:
                return None  # 3.11 reads no backslash in a replacement field
            index += 2
        elif b"f" in prefix and byte in (b"{", b"}"):
            if line.startswith(byte * 2, index):
                index += 2
            elif byte == b"{":
                found = _field_end(line, index + 1, out, inner)
                if found is None:
                    return None
                index = found
            else:
                index += 1
        else:
            index += 1
    return None  # a string spanning lines


def _field_end(
    line: bytes, index: int, out: bytearray, open_quotes: frozenset[bytes]
) -> int | None:
    """The index after the replacement field opened before `index` (its format spec's
    own fields included), rewriting its strings as `_string_end` does."""
    depth = 0
    spec = False
    while index < len(line):
        byte = line[index : index + 1]
        if byte in _QUOTES and not spec:
            end = _string_end(line, index, out, open_quotes)
            if end is None:
                return None
            index = end
            continue
        if byte in (b"#", b"\\") or (spec and byte in _QUOTES):
            return None
        if byte == b"{":
            if spec:
                end = _field_end(line, index + 1, out, open_quotes)
                if end is None:
                    return None
                index = end
                continue
            depth += 1
        elif byte in (b"(", b"["):
            depth += 1
        elif byte in (b")", b"]"):
            depth -= 1
            if depth < 0:
                return None
        elif byte == b"}":
            if depth == 0:
                return index + 1
            depth -= 1
        elif byte == b":" and depth == 0 and not spec:
            spec = True
        index += 1
    return None


def _remove_brackets(lines: list[bytes], index: int, opening: int) -> bytes | None:
    """Removes the brackets opened at `opening` of line `index`, which may close on a
    later line (the lines between become empty), and gives what they held, comments
    left out; None when they hold a string, or do not close within `_SPAN` lines."""
    depth = 0
    held: list[bytes] = []
    for number in range(index, min(len(lines), index + _SPAN)):
        line = lines[number]
        start = opening if number == index else 0
        end = len(line)
        for position in range(start, len(line)):
            byte = line[position : position + 1]
            if byte == b"#":  # a comment (no string came first): the rest of the line
                end = position
                break
            if byte in (b"(", b"[", b"{"):
                depth += 1
            elif byte in (b")", b"]", b"}"):
                depth -= 1
                if depth == 0:
                    held.append(line[start:position])
                    head = lines[index][:opening]
                    for between in range(index + 1, number + 1):
                        lines[between] = b"\n"
                    lines[index] = head + line[position + 1 :]
                    return b" ".join(part.strip() for part in held)[1:]
            elif byte in (b"'", b'"'):
                return None
        held.append(line[start:end])
    return None


def _parameter_expressions(parameters: bytes) -> list[bytes]:
    """Each bound and default of type parameters (`T: Model = Default, *Ts, **P`), as an
    expression statement of its own."""
    parts: list[bytes] = []
    depth = start = 0
    for index in range(len(parameters)):
        byte = parameters[index : index + 1]
        if byte in (b"(", b"[", b"{"):
            depth += 1
        elif byte in (b")", b"]", b"}"):
            depth -= 1
        elif byte == b"," and depth == 0:
            parts.append(parameters[start:index])
            start = index + 1
    parts.append(parameters[start:])
    found: list[bytes] = []
    for part in parts:
        declared, _, default = part.partition(b"=")
        _, _, bound = declared.partition(b":")
        for expression in (bound.strip(), default.strip()):
            if expression:
                found.append(b"(" + expression + b")\n")
    return found

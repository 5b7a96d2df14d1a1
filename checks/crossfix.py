"""Fixes with a half in another file: FG108's `backref=` whose target class lives elsewhere.

`relationship("Team", backref="members")` in `app/models/user.py` creates `Team.members`
at mapper configuration. Its 2.0 spelling declares both sides: `back_populates="members"`
here and `members = relationship("User", back_populates="team")` in the class `Team`,
wherever it is defined. The rule describes this file's edit and, as a `Companion`, the line
the other class needs; after every file's own fixes, `apply` finds that class through the
project index and edits both files or neither: one side alone does not configure
(SQLAlchemy refuses a `back_populates` without its partner, and a backref whose name the
other class already declares).

The other class is found only when the run's index settles it: exactly one mapped class of
that name (or the one the file's import names), in a module the run checks, sharing a
mapped base with the owner (one registry), and the owner's own name unique among mapped
classes (the new side names it by string). Anything else keeps the finding without a fix.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from checks.context import ORM_MODEL_BASES, FileContext, ImportPlan
from checks.engine import _range
from checks.findings import Companion, Edit, FileResult, Finding
from checks.fixer import apply_edits, compiles
from checks.lazy import libcst as cst
from checks.project import ProjectIndex, module_name_for
from checks.rules.typed_models import body_names


def _short(name: str) -> str:
    return name.rpartition(".")[2]


def _ancestors(index: ProjectIndex, ref: str) -> set[str]:
    """The classes `ref` derives from (itself included), across modules."""
    seen: set[str] = set()
    pending = [ref]
    while pending:
        current = index.resolve(pending.pop())
        if current in seen or len(seen) > 200:
            continue
        seen.add(current)
        pending.extend(base for base in index.classes.get(current, ()) if base is not None)
    return seen


def _registries(index: ProjectIndex, ref: str) -> set[str]:
    """The declarative bases among the classes `ref` derives from: the classes whose own
    bases name `DeclarativeBase` (or that `declarative_base()` made). Two classes sharing
    one are mapped by one registry, where a string names a class."""
    found = set()
    for ancestor in _ancestors(index, ref):
        bases = index.classes.get(ancestor, ())
        if any(base is not None and index.resolve(base) in ORM_MODEL_BASES for base in bases):
            found.add(ancestor)
    return found


def target_class(companion: Companion, index: ProjectIndex) -> str | None:
    """The qualified name of the class the companion's line goes into, when the index
    settles it (see the module's docstring); None otherwise. Classes of other registries
    (the frozen copies an Alembic revision declares, say) do not count."""
    registries = _registries(index, companion.owner)
    if not registries:
        return None
    if companion.candidates:
        names = {index.resolve(candidate) for candidate in companion.candidates}
    else:
        names = {name for name in index.classes if _short(name) == companion.target}
    found = [
        name for name in names if name != companion.owner and _registries(index, name) & registries
    ]
    if len(found) != 1:
        return None
    target = found[0]
    module = target.rpartition(".")[0]
    summary = index.modules.get(module)
    if summary is None or target not in summary.classes:
        return None  # a nested class, or a module the run does not know
    owner_short = _short(companion.owner)
    namesakes = [
        name
        for name in index.classes
        if _short(name) == owner_short and _registries(index, name) & registries
    ]
    if namesakes != [companion.owner]:
        return None  # the string "Owner" the new side writes would be ambiguous
    return target


def complete(index: ProjectIndex, results: Sequence[FileResult]) -> dict[str, Path]:
    """Load the summary of every file of the run the index lacks (a file the pre-filters
    spared has none): a class found by its name must be found wherever it is. Returns the
    run's files by module name (the files a fix may write)."""
    paths: dict[str, Path] = {}
    # folders without `__init__.py` give modules one name; a spared file's summary is
    # loaded by its module name, which may find another file of that name
    twice: set[str] = set()
    for result in results:
        module = result.summary.module if result.summary is not None else None
        if module is None:
            module, _ = module_name_for(result.path)
            if module is not None:
                index.load(module)
        if module is not None:
            if module in paths:
                twice.add(module)
            paths[module] = result.path
    return {module: path for module, path in paths.items() if module not in twice}


def settle(
    findings: Iterable[Finding], index: ProjectIndex, results: Sequence[FileResult]
) -> list[Finding]:
    """The findings, a companion fix kept only where its class is found in a file of the
    run (so a fix the output promises is one `--fix` can make)."""
    settled = []
    paths: dict[str, Path] | None = None
    for finding in findings:
        fix = finding.fix
        if fix is not None and fix.companion is not None:
            if paths is None:
                paths = complete(index, results)
            target = target_class(fix.companion, index)
            if target is None or target.rpartition(".")[0] not in paths:
                finding = finding._replace(fix=None)
        settled.append(finding)
    return settled


@dataclass
class _Pair:
    owner_path: Path
    finding: Finding
    companion: Companion
    target_path: Path
    target_class: str


@dataclass
class Outcome:
    """The new text of each file the phase changed, and how many fixes it made."""

    texts: dict[Path, str] = field(default_factory=dict)
    fixed: int = 0


def apply(
    results: Sequence[FileResult],
    findings: Mapping[Path, Sequence[Finding]],
    index: ProjectIndex,
    text_of: Callable[[Path], str | None],
) -> Outcome:
    """Make the companion fixes of `findings` (each file's current findings) over the
    files' current texts (`text_of`: the text the findings were computed on; None when the
    file cannot be fixed). A pair whose files do not compile after it is dropped with every
    pair touching those files."""
    paths = complete(index, results)
    pairs: list[_Pair] = []
    texts: dict[Path, str | None] = {}
    for path, found in findings.items():
        for finding in found:
            fix = finding.fix
            if fix is None or fix.companion is None:
                continue
            target = target_class(fix.companion, index)
            if target is None:
                continue
            target_path = paths.get(target.rpartition(".")[0])
            if target_path is None:
                continue
            for needed in (path, target_path):
                if needed not in texts:
                    texts[needed] = text_of(needed)
            if texts[path] is None or texts[target_path] is None:
                continue
            pairs.append(_Pair(path, finding, fix.companion, target_path, _short(target)))
    known = {path: text for path, text in texts.items() if text is not None}
    while pairs:
        new_texts, refused = _attempt(pairs, known)
        if not refused:
            return Outcome(new_texts, len(pairs))
        pairs = [p for p in pairs if p.owner_path not in refused and p.target_path not in refused]
    return Outcome()


def _attempt(
    pairs: Sequence[_Pair], texts: Mapping[Path, str]
) -> tuple[dict[Path, str], set[Path]]:
    """The new texts with every pair made, or the files that refused."""
    new_texts: dict[Path, str] = {}
    refused: set[Path] = set()
    by_owner: dict[Path, list[_Pair]] = {}
    for pair in pairs:
        by_owner.setdefault(pair.owner_path, []).append(pair)
    for path, owned in by_owner.items():  # this file's side: `backref=` -> `back_populates=`
        edits = [pair.finding.fix.edits for pair in owned if pair.finding.fix is not None]
        text, applied = apply_edits(texts[path], edits)
        if len(applied) != len(edits):
            refused.add(path)
        new_texts[path] = text
    by_target: dict[Path, list[_Pair]] = {}
    for pair in pairs:
        by_target.setdefault(pair.target_path, []).append(pair)
    for path, targeted in by_target.items():  # the other side: the new relationship lines
        inserted = _insert(path, new_texts.get(path, texts[path]), targeted)
        if inserted is None:
            refused.add(path)
            refused.update(pair.owner_path for pair in targeted)
        else:
            new_texts[path] = inserted
    refused.update(path for path, text in new_texts.items() if not compiles(text))
    return new_texts, refused


def _insert(path: Path, text: str, pairs: Sequence[_Pair]) -> str | None:
    """`text` with each pair's relationship line added to its class, after the last
    simple statement of the class body with no comment (where the in-file fix puts it),
    and `relationship` imported if it is not; None when a class or a name refuses."""
    try:
        module = cst.parse_module(text)
    except Exception:
        return None
    ctx = FileContext(path, module, None, source=text.encode("utf-8", "surrogatepass"))
    plan = ImportPlan(ctx)
    local = plan.need("sqlalchemy.orm", "relationship")
    if local is None:
        return None
    newline = module.default_newline
    lines_by_class: dict[str, list[str]] = {}
    for pair in pairs:
        lines_by_class.setdefault(pair.target_class, []).append(
            f"{pair.companion.attribute} = {local}({pair.companion.arguments})"
        )
    # added after the anchor, which stays as written (rendering it again would lose the
    # indentation of its inner lines: `__table_args__ = (...)` over several lines)
    insertions: list[tuple[cst.CSTNode, str]] = []
    for class_name, new_lines in lines_by_class.items():
        info = ctx.classes.get(class_name)
        if info is None or info.outer is not None:
            return None
        body = info.node.body
        if not isinstance(body, cst.IndentedBlock):
            return None
        taken = body_names(info) | info.methods  # as the in-file fix checks
        added = [line.partition(" = ")[0] for line in new_lines]
        if len(set(added)) != len(added) or taken & set(added):
            return None
        statements = [
            s
            for s in body.body
            if isinstance(s, cst.SimpleStatementLine) and s.trailing_whitespace.comment is None
        ]
        if not statements:
            return None
        anchor = statements[-1].body[-1]
        indent = module.default_indent if body.indent is None else body.indent
        glue = newline + indent
        insertions.append((anchor, glue + glue.join(new_lines)))
    imports = plan.replacements()
    if imports is None:
        return None
    from checks.positions import node_ranges

    wanted = [(node, -1, ()) for node, _ in [*insertions, *imports]]
    positions = node_ranges(module, wanted, text)
    edits = []
    for node, content in imports:
        start, end = _range(positions, node)
        edits.append(Edit(content, start, end))
    for node, content in insertions:
        _, end = _range(positions, node)
        edits.append(Edit(content, end, end))
    new_text, applied = apply_edits(text, [(edit,) for edit in edits])
    return new_text if len(applied) == len(edits) else None

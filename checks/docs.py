"""Rule documentation, read from the rule classes: ruff's sections, as markdown or JSON.

The skill's rules reference is generated here: an index with one line per rule
(`references/rules.md`) and one page per family (`references/rules-sqlalchemy.md`, ...),
each short enough for an agent to read whole; also the README's rule table and the
CLAUDE.md template's table of codes. `uv run python -m checks.docs` rewrites them;
`--check` only reports the stale ones.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from checks.rule import Example, Rule

#: Where an example lives when it does not say: no layer.
DEFAULT_EXAMPLE_PATH = Example("").path

#: The command that rewrites the generated reference pages, from the repository root.
REGENERATE = "uv run python -m checks.docs"
#: Where the generated pages live, relative to the repository root.
REFERENCES = Path("skills") / "fastapi-guardrails" / "references"
INDEX_PAGE = "rules.md"
#: First line of every generated page: tells a maintainer not to edit it, and tells
#: `write_reference_pages` which family pages it may delete when a family is gone.
_GENERATED_PREFIX = "<!-- Generated from the rule classes"
GENERATED = f"{_GENERATED_PREFIX} by `{REGENERATE}`: edit those, not this. -->"


@dataclass(frozen=True, slots=True)
class Family:
    """A family of rules: the codes that start with `prefix` share one reference page."""

    prefix: str
    page: str
    title: str
    about: str


#: One page per family, in code order; the hundreds digit of a code names its family.
FAMILIES: tuple[Family, ...] = (
    Family(
        "FG0",
        "rules-tool.md",
        "Tool rules (FG0xx)",
        "What the checker reports about its own run: a file it cannot parse, a rule that failed.",
    ),
    Family(
        "FG1",
        "rules-sqlalchemy.md",
        "SQLAlchemy rules (FG1xx)",
        "SQLAlchemy 2.0 with `AsyncSession`: queries, sessions, engines, declarative models.",
    ),
    Family(
        "FG2",
        "rules-pydantic.md",
        "Pydantic rules (FG2xx)",
        "Pydantic v1 APIs and their v2 replacements; most have a safe fix.",
    ),
    Family(
        "FG3",
        "rules-async.md",
        "Async rules (FG3xx)",
        "Blocking calls inside `async def`: sleep, HTTP clients, subprocesses.",
    ),
    Family(
        "FG4",
        "rules-fastapi.md",
        "Layering, API, config and tests rules (FG4xx)",
        "How a FastAPI service is put together: layers, routes, settings, test clients.",
    ),
    Family(
        "FG5",
        "rules-security.md",
        "Security rules (FG5xx)",
        "CORS, secrets in code, JWT verification, unmaintained auth libraries.",
    ),
    Family(
        "FG6",
        "rules-alembic.md",
        "Alembic rules (FG6xx)",
        "Migrations that lose data, lock tables or cannot be undone.",
    ),
)


def _code_block(example: Example, flagged: str | None = None) -> str:
    """A fenced block; a flagged example starts with `# bad: CODE`, one that lives in a
    layer says where (`# file: app/users/service.py`), as every block in the docs does, and
    one of a project whose pins decide says them (`# requirements.txt: pydantic==1.10.13`)."""
    header = []
    if flagged is not None:
        header.append(f"# bad: {' '.join(sorted({flagged, *example.also}))}")
    if example.path != DEFAULT_EXAMPLE_PATH:
        header.append(f"# file: {example.path}")
    for name, text in example.project:
        if name == "requirements.txt":
            # the pins that decide the example's Pydantic target (FG212's)
            pins = ", ".join(line.strip() for line in text.splitlines() if line.strip())
            header.append(f"# requirements.txt: {pins}")
    body = "\n".join([*header, example.code.rstrip()])
    return f"```python\n{body}\n```"


def rule_markdown(rule: Rule, heading: str = "#") -> str:
    """One rule's page: what it does, why, an example, what to use instead, fix safety."""
    sub = heading + "#"
    parts = [
        f"{heading} {rule.name} ({rule.code})",
        f"Family: {rule.family}. Enabled by default: {'yes' if rule.default else 'no'}.",
        f"{sub} What it does\n{rule.summary}",
        f"{sub} Why is this bad?\n{rule.why}",
    ]
    if rule.bad:
        parts.append(f"{sub} Example\n{_code_block(rule.bad[0], flagged=rule.code)}")
    if rule.good:
        parts.append(f"{sub} Use instead\n{_code_block(rule.good[0])}")
    parts.append(f"{sub} Fix safety\n{rule.fix}")
    if rule.fixes:
        example = rule.fixes[0]
        command = "--fix --unsafe-fixes" if example.unsafe else "--fix"
        before = Example(example.before_code, example.path, project=example.project)
        after = Example(
            example.after_code, example.path, also=example.remaining, project=example.project
        )
        remaining = example.remaining[0] if example.remaining else None
        parts.append(f"Before:\n\n{_code_block(before, flagged=rule.code)}")
        parts.append(
            f"After `fastapi-guardrails check {command}`:\n\n"
            f"{_code_block(after, flagged=remaining)}"
        )
    return "\n\n".join(parts) + "\n"


def rules_markdown(rules: Sequence[Rule]) -> str:
    """Every rule in one document, as `rule --all --output-format markdown` prints it: a
    table of every rule, then each rule's page. The skill's pages are `reference_pages`."""
    table = [
        "# fastapi-guardrails rules",
        "",
        "Generated by `fastapi-guardrails rule --all --output-format markdown`.",
        "",
        "| Code | Name | Family | Default | What it flags |",
        "| --- | --- | --- | --- | --- |",
    ]
    for rule in rules:
        default = "yes" if rule.default else "no"
        summary = _table_cell(rule.summary)
        table.append(f"| {rule.code} | {rule.name} | {rule.family} | {default} | {summary} |")
    pages = [rule_markdown(rule, heading="##") for rule in rules]
    return "\n".join(table) + "\n\n" + "\n".join(pages)


def _table_cell(text: str) -> str:
    """Text for a markdown table cell: a `|` (even in code) would end the cell."""
    return text.replace("|", "\\|")


def heading_anchor(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation other than `-` and `_`
    dropped, spaces turned into hyphens (`legacy-query-api (FG101)` ->
    `legacy-query-api-fg101`)."""
    kept = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return kept.replace(" ", "-")


def family_of(rule: Rule) -> Family:
    """The family whose page documents `rule`, from the hundreds digit of its code."""
    for family in FAMILIES:
        if rule.code.startswith(family.prefix):
            return family
    raise ValueError(f"{rule.code} belongs to no family of checks.docs.FAMILIES")


#: A reference page stays under 250 lines (the skill's budget for what an agent reads at
#: once): a family with more is split into parts, `rules-pydantic.md`, `rules-pydantic-2.md`...
MAX_PAGE_LINES = 240


def family_parts(family: Family, rules: Sequence[Rule]) -> list[tuple[str, list[Rule]]]:
    """A family's pages, each with its rules in code order: as many as keep every page
    under `MAX_PAGE_LINES` (a rule's section is never split)."""
    parts: list[list[Rule]] = [[]]
    used = _HEADER_LINES
    for rule in rules:
        size = len(rule_markdown(rule, heading="##").splitlines()) + 1
        if parts[-1] and used + size > MAX_PAGE_LINES:
            parts.append([])
            used = _HEADER_LINES
        parts[-1].append(rule)
        used += size
    stem = family.page.removesuffix(".md")
    names = [family.page, *(f"{stem}-{number}.md" for number in range(2, len(parts) + 1))]
    return list(zip(names, parts, strict=True))


#: The lines of a family page before its first rule (title, intro, parts).
_HEADER_LINES = 10


def rule_link(rule: Rule) -> str:
    """The relative link to a rule's section on its family's page (or part of it)."""
    from checks.rules import ALL_RULES

    family = family_of(rule)
    members = [member for member in ALL_RULES if family_of(member) == family]
    page = family.page
    for name, part in family_parts(family, members):
        if any(member.code == rule.code for member in part):
            page = name
    return f"{page}#{heading_anchor(f'{rule.name} ({rule.code})')}"


def fix_safety(rule: Rule) -> str:
    """One word for the index: `safe` (`--fix`), `unsafe` (`--fix --unsafe-fixes`),
    `safe/unsafe` (both kinds, by case), or `none`; the rule's page says which case."""
    kinds = {example.unsafe for example in rule.fixes}
    if not kinds:
        return "none"
    if kinds == {True, False}:
        return "safe/unsafe"
    return "unsafe" if True in kinds else "safe"


def first_sentence(text: str) -> str:
    """The first sentence of a summary: the index keeps one short line per rule."""
    return re.split(r"(?<=\.)\s+(?=[A-Z])", text.strip(), maxsplit=1)[0]


def family_markdown(
    family: Family, rules: Sequence[Rule], parts: Sequence[tuple[str, Sequence[Rule]]] = ()
) -> str:
    """A family's page (or one part of it): its rules with their full sections; `parts`
    are all the family's pages, linked from each."""
    intro = (
        f"{family.about}\nOne section per rule, as `fastapi-guardrails rule CODE` prints it;\n"
        f"[the index]({INDEX_PAGE}) lists every rule on one line."
    )
    title = family.title
    if len(parts) > 1:
        index = next(i for i, (_, part) in enumerate(parts) if part == rules)
        title = f"{family.title}, part {index + 1} of {len(parts)}"
        links = ", ".join(
            f"[{part[0].code}-{part[-1].code}]({name})" for name, part in parts if part
        )
        intro += f"\nThe family's pages: {links}."
    header = f"{GENERATED}\n\n# {title}\n\n{intro}\n\n"
    return header + "\n".join(rule_markdown(rule, heading="##") for rule in rules)


def rules_index_markdown(rules: Sequence[Rule]) -> str:
    """The rules index: one line per rule, by family, linking to the rule's section."""
    lines = [
        GENERATED,
        "",
        "# fastapi-guardrails rules",
        "",
        "One line per rule. For a finding, run `fastapi-guardrails rule CODE`: it prints that",
        "rule's full page (what it does, why, an example, what to use instead, fix safety).",
        "Or follow the code's link to its section on the family page, or find the section",
        '(`grep -n "(FG101)" references/rules-*.md`) and read from that line: there is no',
        "need to read every page.",
        "",
        "Default: `on` rules run without configuration, `off` ones only when selected",
        "(`--select FG107`). Fix: `safe` is applied by `fastapi-guardrails check --fix`,",
        "`unsafe` also needs `--unsafe-fixes`, `none` is fixed by hand.",
    ]
    for family in FAMILIES:
        members = [rule for rule in rules if family_of(rule) == family]
        if not members:
            continue
        lines += [
            "",
            f"## [{family.title}]({family.page})",
            "",
            "| Code | Name | Default | Fix | What it flags |",
            "| --- | --- | --- | --- | --- |",
        ]
        for rule in members:
            default = "on" if rule.default else "off"
            summary = _table_cell(first_sentence(rule.summary))
            lines.append(
                f"| [{rule.code}]({rule_link(rule)}) | {rule.name} | {default} "
                f"| {fix_safety(rule)} | {summary} |"
            )
    return "\n".join(lines) + "\n"


def reference_pages(rules: Sequence[Rule]) -> dict[str, str]:
    """Every generated reference page by file name: the index, then one page per family."""
    pages = {INDEX_PAGE: rules_index_markdown(rules)}
    for family in FAMILIES:
        members = [rule for rule in rules if family_of(rule) == family]
        if members:
            parts = family_parts(family, members)
            for name, part in parts:
                pages[name] = family_markdown(family, part, parts)
    return pages


def stale_reference_pages(directory: Path, rules: Sequence[Rule]) -> list[str]:
    """The generated pages in `directory` that differ from the rule classes, are missing,
    or belong to no family any more."""
    pages = reference_pages(rules)
    stale = [
        name
        for name, text in pages.items()
        if not (directory / name).is_file()
        or (directory / name).read_text(encoding="utf-8") != text
    ]
    stale += [path.name for path in _leftover_pages(directory, pages)]
    return sorted(stale)


def write_reference_pages(directory: Path, rules: Sequence[Rule]) -> list[str]:
    """Rewrite the stale generated pages in `directory` and delete the generated pages of
    families that are gone; return the names of the pages changed."""
    pages = reference_pages(rules)
    changed = stale_reference_pages(directory, rules)
    for path in _leftover_pages(directory, pages):
        path.unlink()
    for name in changed:
        if name in pages:
            # newline="\n": the pages are compared byte for byte on every platform
            (directory / name).write_text(pages[name], encoding="utf-8", newline="\n")
    return changed


def _leftover_pages(directory: Path, pages: dict[str, str]) -> list[Path]:
    """Generated family pages (they start with the GENERATED line) no family produces."""
    return sorted(
        path
        for path in directory.glob("rules-*.md")
        if path.name not in pages and path.read_text(encoding="utf-8").startswith(_GENERATED_PREFIX)
    )


README = Path("README.md")  # next to `skills/`, from the repository root as REFERENCES


def readme_rule_row(rule: Rule) -> str:
    """The README's table row of a rule: code, name, default, the summary's first
    paragraph."""
    first = rule.summary.split("\n\n")[0].replace("\n", " ").replace("|", "\\|")
    return f"| {rule.code} | {rule.name} | {'yes' if rule.default else 'no'} | {first} |"


#: The header of the README's rule table: the only table whose rows are rewritten (other
#: tables name rules too: the codes of other tools each rule honours).
README_TABLE_HEADER = "| Code | Name | Default | Flags |"


def readme_with_rule_rows(text: str, rules: Sequence[Rule]) -> str:
    """The README with the rule table's rows rewritten (a row starts with `| FGnnn |`),
    every rule's row in code order."""
    lines = text.split("\n")
    start = lines.index(README_TABLE_HEADER) + 2  # after the header and `| --- |` lines
    end = start
    while end < len(lines) and lines[end].startswith("| FG"):
        end += 1
    lines[start:end] = [readme_rule_row(rule) for rule in rules]
    return "\n".join(lines)


#: The CLAUDE.md template users get, from the repository root as REFERENCES: its table of
#: rule codes is generated between these two lines.
TEMPLATE = Path("skills") / "fastapi-guardrails" / "assets" / "CLAUDE.md"
TEMPLATE_RULES_BEGIN = "<!-- rule codes: generated from the checker's rules, do not edit -->"
TEMPLATE_RULES_END = "<!-- end of rule codes -->"


def code_ranges(codes: Sequence[str]) -> str:
    """Codes in order, three or more consecutive ones as a range (`FG101-FG106, FG108`)."""
    numbers = sorted(int(code[2:]) for code in codes)
    runs: list[list[int]] = []
    for number in numbers:
        if runs and number == runs[-1][-1] + 1:
            runs[-1].append(number)
        else:
            runs.append([number])
    parts: list[str] = []
    for run in runs:
        if len(run) >= 3:
            parts.append(f"FG{run[0]:03d}-FG{run[-1]:03d}")
        else:
            parts += [f"FG{number:03d}" for number in run]
    return ", ".join(parts)


def template_rules_table(rules: Sequence[Rule]) -> str:
    """The template's table of rule codes by family, on by default or opt-in, with its
    marker lines: the codes the template cites can be checked against it."""
    lines = [
        TEMPLATE_RULES_BEGIN,
        "| Family | On by default | Opt-in |",
        "| --- | --- | --- |",
    ]
    for family in FAMILIES:
        members = [rule for rule in rules if family_of(rule) == family]
        if not members:
            continue
        name = family.title.split(" rules (")[0]
        on = code_ranges([rule.code for rule in members if rule.default])
        off = code_ranges([rule.code for rule in members if not rule.default])
        lines.append(f"| {name} | {on or '-'} | {off or '-'} |")
    lines.append(TEMPLATE_RULES_END)
    return "\n".join(lines)


def template_with_rules_table(text: str, rules: Sequence[Rule]) -> str:
    """The template with its table of rule codes rewritten between the markers."""
    before, begin, rest = text.partition(TEMPLATE_RULES_BEGIN)
    _, end, after = rest.partition(TEMPLATE_RULES_END)
    if not begin or not end:
        raise ValueError(f"{TEMPLATE} has no `{TEMPLATE_RULES_BEGIN}` ... end markers")
    return before + template_rules_table(rules) + after


def rule_json(rule: Rule) -> dict[str, Any]:
    """One rule as a JSON object."""
    return {
        "code": rule.code,
        "name": rule.name,
        "family": rule.family,
        "default": rule.default,
        "message": rule.message,
        "summary": rule.summary,
        "why": rule.why,
        "example": rule.bad[0].code if rule.bad else None,
        "use_instead": rule.good[0].code if rule.good else None,
        "fix": rule.fix,
        "fix_examples": [
            {"before": e.before_code, "after": e.after_code, "unsafe": e.unsafe} for e in rule.fixes
        ],
    }


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m checks.docs [DIR] [--check]`: rewrite the generated rule pages, or with
    `--check` list the stale ones and exit 1."""
    from checks.rules import ALL_RULES

    parser = argparse.ArgumentParser(
        prog="python -m checks.docs", description="Regenerate the rules reference pages."
    )
    parser.add_argument("directory", nargs="?", type=Path, default=REFERENCES)
    parser.add_argument("--check", action="store_true", help="report stale pages, write none")
    args = parser.parse_args(argv)
    directory: Path = args.directory
    if not directory.is_dir():
        print(f"python -m checks.docs: error: no directory {directory}", file=sys.stderr)
        return 2
    # the README's and the template's rule tables go with the repository's own pages, not
    # a copy elsewhere
    own = directory.resolve() == REFERENCES.resolve()
    tables = [
        (path, regenerate)
        for path, regenerate in (
            (README, readme_with_rule_rows),
            (TEMPLATE, template_with_rules_table),
        )
        if own and path.is_file()
    ]
    stale_tables: list[tuple[Path, str]] = []
    for path, regenerate in tables:
        text = path.read_text(encoding="utf-8")
        fresh = regenerate(text, ALL_RULES)
        if fresh != text:
            stale_tables.append((path, fresh))
    if args.check:
        stale = stale_reference_pages(directory, ALL_RULES)
        for name in stale:
            print(f"stale: {directory / name} (run `{REGENERATE}`)")
        for path, _ in stale_tables:
            print(f"stale: the rule table of {path} (run `{REGENERATE}`)")
        return 1 if stale or stale_tables else 0
    for name in write_reference_pages(directory, ALL_RULES):
        print(f"wrote {directory / name}")
    for path, fresh in stale_tables:
        path.write_text(fresh, encoding="utf-8", newline="\n")
        print(f"wrote the rule table of {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

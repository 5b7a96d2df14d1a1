"""The docs are tested: every Python block in CLAUDE.md and skills/ is checked (the skill's
references, the generated rule pages and the CLAUDE.md template users get in assets/).

Conventions of a fenced ```python block:
- `# bad: FG201 FG301` on its first line: the block must produce exactly these codes;
- `# file: app/users/service.py`: the block is checked as that file (layer rules);
- `<!-- sample: app/core/database.py::get_session -->` on the line before: the block is
  the sample app's definition of that name, byte for byte;
- any other block must parse and produce no finding.
"""

from __future__ import annotations

import ast
import re
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

from checks.docs import (
    FAMILIES,
    GENERATED,
    INDEX_PAGE,
    REGENERATE,
    TEMPLATE_RULES_BEGIN,
    TEMPLATE_RULES_END,
    code_ranges,
    family_of,
    fix_safety,
    heading_anchor,
    main,
    readme_rule_row,
    reference_pages,
    rule_link,
    stale_reference_pages,
    template_with_rules_table,
)
from checks.rule import Rule
from checks.rules import ALL_RULES, RULES_BY_CODE
from tests.helpers import check_code

ROOT = Path(__file__).resolve().parents[1]
SKILL_DIR = ROOT / "skills" / "fastapi-guardrails"
REFERENCES = SKILL_DIR / "references"
TEMPLATE = SKILL_DIR / "assets" / "CLAUDE.md"
SAMPLE_APP = ROOT / "sample_app"
DOCS = sorted({ROOT / "CLAUDE.md", TEMPLATE, *SKILL_DIR.rglob("*.md")})
#: Words that would tie the users' template to this repository.
REPOSITORY_WORDS = (
    ".ci/",
    "checks/",
    "checks.docs",
    "sample_app",
    "sample app",
    "benchmarks",
    "skills/fastapi-guardrails",
    "install.sh",
    "this repository",
    "fastapi-guardrails repository",
    "test suite",
)

_FENCE = re.compile(r"^```python[ \t]*\n(.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)
_SAMPLE = re.compile(r"<!-- sample: (?P<path>[^:]+)::(?P<name>[\w.]+) -->\s*$")
_LINK = re.compile(r"\[[^\]]*\]\((?P<target>[^)\s]+)\)")
_HEADING = re.compile(r"^#{1,6} (?P<text>.+?)\s*$", re.MULTILINE)
_ALLOWED_FRONTMATTER = {
    "name",
    "description",
    "license",
    "allowed-tools",
    "metadata",
    "compatibility",
}


@dataclass(frozen=True)
class Block:
    doc: Path
    line: int
    code: str
    sample: tuple[str, str] | None

    @property
    def id(self) -> str:
        return f"{self.doc.relative_to(ROOT)}:{self.line}"


def _blocks() -> list[Block]:
    blocks = []
    for doc in DOCS:
        text = doc.read_text(encoding="utf-8")
        for match in _FENCE.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            before = text[: match.start()].rstrip("\n").rsplit("\n", 1)[-1]
            marker = _SAMPLE.search(before)
            sample = (marker["path"], marker["name"]) if marker else None
            blocks.append(Block(doc, line, match.group(1), sample))
    return blocks


BLOCKS = _blocks()


def _header(code: str, key: str) -> str | None:
    for line in code.splitlines()[:3]:
        if line.startswith(f"# {key}: "):
            return line.removeprefix(f"# {key}: ").strip()
    return None


@pytest.mark.parametrize("block", BLOCKS, ids=lambda block: block.id)
def test_python_block_parses_and_produces_exactly_the_codes_it_names(block: Block) -> None:
    named = _header(block.code, "bad")
    expected = set(named.split()) if named else set()
    path = _header(block.code, "file") or "app/example.py"
    pins = _header(block.code, "requirements.txt")
    project = (("requirements.txt", pins.replace(", ", "\n") + "\n"),) if pins else ()
    found = {f.code for f in check_code(textwrap.dedent(block.code), path, project)}
    if "FG000" not in expected:
        assert "FG000" not in found, f"{block.id} does not parse"
    assert found == expected, (
        f"{block.id}: found {sorted(found)}, the block names {sorted(expected)}"
    )


def _defines(node: ast.stmt, name: str) -> bool:
    """Whether `node` is the definition of `name`: a function, a class, or an assignment
    to that one name (`SessionDep = Annotated[...]`)."""
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return node.name == name
    if isinstance(node, ast.Assign):
        return [getattr(target, "id", None) for target in node.targets] == [name]
    if isinstance(node, ast.AnnAssign):
        return getattr(node.target, "id", None) == name
    return False


def _definition_source(path: Path, qualified: str) -> str:
    source = path.read_text(encoding="utf-8")
    body: list[ast.stmt] = ast.parse(source).body
    node: ast.stmt | None = None
    for part in qualified.split("."):
        node = next((n for n in body if _defines(n, part)), None)
        assert node is not None, f"{qualified} is not defined in {path}"
        body = getattr(node, "body", [])
    assert node is not None
    first = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))])
    lines = source.splitlines(keepends=True)
    return "".join(lines[first - 1 : node.end_lineno])


SAMPLE_BLOCKS = [block for block in BLOCKS if block.sample is not None]


@pytest.mark.parametrize("block", SAMPLE_BLOCKS, ids=lambda block: block.id)
def test_sample_app_block_matches_the_sample_app(block: Block) -> None:
    assert block.sample is not None
    relative, name = block.sample
    path = SAMPLE_APP / relative
    assert path.is_file(), f"{block.id} names {relative}, which does not exist"
    expected = _definition_source(path, name)
    assert block.code == expected, (
        f"{block.id} drifted from sample_app/{relative}::{name}; copy it again:\n{expected}"
    )


def test_the_docs_show_sample_app_code() -> None:
    assert len(SAMPLE_BLOCKS) >= 20


def _anchors(doc: Path) -> set[str]:
    """The anchors of a page's headings (outside code blocks), as GitHub makes them."""
    text = re.sub(r"^```.*?^```", "", doc.read_text(encoding="utf-8"), flags=re.M | re.S)
    return {
        heading_anchor(re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", match["text"]))
        for match in _HEADING.finditer(text)
    }


def _links(doc: Path) -> list[tuple[Path, str]]:
    """The relative links of a page: the file each names, and its anchor (or "")."""
    links = []
    for match in _LINK.finditer(doc.read_text(encoding="utf-8")):
        target, _, anchor = match["target"].partition("#")
        if target and not re.match(r"^[a-z]+:", target):
            links.append(((doc.parent / target).resolve(), anchor))
    return links


@pytest.mark.parametrize("doc", DOCS, ids=lambda doc: str(doc.relative_to(ROOT)))
def test_relative_links_resolve(doc: Path) -> None:
    for target, anchor in _links(doc):
        assert target.exists(), f"{doc.relative_to(ROOT)} links to missing {target}"
        if anchor and target.suffix == ".md":
            assert anchor in _anchors(target), (
                f"{doc.relative_to(ROOT)} links to #{anchor}, no heading of {target.name}"
            )


def test_heading_anchor_is_githubs() -> None:
    assert heading_anchor("legacy-query-api (FG101)") == "legacy-query-api-fg101"
    assert heading_anchor("Why is this bad?") == "why-is-this-bad"
    assert heading_anchor("Layering, API, config and tests rules (FG4xx)") == (
        "layering-api-config-and-tests-rules-fg4xx"
    )


def test_rules_reference_pages_are_current() -> None:
    stale = stale_reference_pages(REFERENCES, ALL_RULES)
    assert not stale, f"stale rule pages {stale}: regenerate them with `{REGENERATE}`"


def test_every_reference_page_stays_under_250_lines() -> None:
    # what an agent reads at once (#16); a family's generated page is split into parts
    pages = sorted(REFERENCES.glob("*.md"))
    assert set(reference_pages(ALL_RULES)) <= {page.name for page in pages}
    for page in pages:
        lines = len(page.read_text(encoding="utf-8").splitlines())
        assert lines < 250, f"{page.name} has {lines} lines"


def test_a_family_split_into_parts_links_each_part_and_each_rule_to_its_part() -> None:
    pages = reference_pages(ALL_RULES)
    assert "rules-pydantic-2.md" in pages
    for name in ("rules-pydantic.md", "rules-pydantic-2.md"):
        assert "(rules-pydantic-2.md)" in pages[name]
        assert "(rules-pydantic.md)" in pages[name]
    for rule in ALL_RULES:
        page, _, _ = rule_link(rule).partition("#")
        assert f"## {rule.name} ({rule.code})\n" in pages[page]
        others = [text for name, text in pages.items() if name != page]
        assert not any(f"## {rule.name} ({rule.code})\n" in text for text in others)


def test_rules_index_has_one_line_per_rule_linking_to_its_section() -> None:
    index = (REFERENCES / INDEX_PAGE).read_text(encoding="utf-8")
    assert "`fastapi-guardrails rule CODE`" in index
    for rule in ALL_RULES:
        lines = [line for line in index.splitlines() if f"[{rule.code}]" in line]
        assert len(lines) == 1, rule.code
        assert f"[{rule.code}]({rule_link(rule)})" in lines[0]
        assert f"| {'on' if rule.default else 'off'} |" in lines[0], rule.code


def test_every_rule_has_a_family_page() -> None:
    pages = reference_pages(ALL_RULES)
    firsts = {INDEX_PAGE, *(family.page for family in FAMILIES)}
    assert firsts <= set(pages)
    parts = set(pages) - firsts  # `rules-pydantic-2.md`: a part of a family's page
    assert all(re.fullmatch(r"rules-[a-z]+-[0-9]+\.md", name) for name in parts), parts
    for rule in ALL_RULES:
        page, _, anchor = rule_link(rule).partition("#")
        assert f"## {rule.name} ({rule.code})\n" in pages[page]
        assert heading_anchor(f"{rule.name} ({rule.code})") == anchor


def test_a_family_without_rules_has_no_page() -> None:
    pages = reference_pages([RULES_BY_CODE["FG201"], RULES_BY_CODE["FG301"]])
    assert set(pages) == {INDEX_PAGE, "rules-pydantic.md", "rules-async.md"}


def test_a_rule_code_of_no_family_is_an_error() -> None:
    class Unfiled(Rule):
        code = "FG901"

    with pytest.raises(ValueError, match="FG901"):
        family_of(Unfiled())


@pytest.mark.parametrize(
    ("code", "safety"),
    [("FG102", "none"), ("FG201", "safe"), ("FG103", "unsafe"), ("FG208", "safe/unsafe")],
)
def test_the_index_names_the_kind_of_fix(code: str, safety: str) -> None:
    assert fix_safety(RULES_BY_CODE[code]) == safety


def test_the_generated_pages_code_blocks_are_checked() -> None:
    checked = {block.doc.name for block in BLOCKS}
    for family in FAMILIES:
        assert family.page in checked, family.page


def test_regenerating_writes_the_pages_and_removes_a_gone_family(tmp_path: Path) -> None:
    (tmp_path / "rules-gone.md").write_text(f"{GENERATED}\n# old\n", encoding="utf-8")
    (tmp_path / "rules-notes.md").write_text("# written by hand\n", encoding="utf-8")
    assert main([str(tmp_path), "--check"]) == 1
    assert main([str(tmp_path)]) == 0
    assert main([str(tmp_path), "--check"]) == 0
    assert not (tmp_path / "rules-gone.md").exists()
    assert (tmp_path / "rules-notes.md").exists()
    for name, text in reference_pages(ALL_RULES).items():
        assert (tmp_path / name).read_text(encoding="utf-8") == text
    assert main([str(tmp_path / "missing")]) == 2


def _frontmatter(text: str) -> tuple[dict[str, str], str]:
    assert text.startswith("---\n")
    raw, body = text[4:].split("\n---\n", 1)
    keys: dict[str, str] = {}
    for line in raw.splitlines():
        if line and not line.startswith(" "):
            key, _, value = line.partition(":")
            keys[key.strip()] = value.strip()
    return keys, body


def test_skill_frontmatter_follows_the_agent_skills_spec() -> None:
    keys, body = _frontmatter((SKILL_DIR / "SKILL.md").read_text(encoding="utf-8"))
    assert set(keys) <= _ALLOWED_FRONTMATTER
    assert keys["name"] == SKILL_DIR.name
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", keys["name"])
    assert len(keys["name"]) <= 64
    description = keys["description"]
    assert 0 < len(description) <= 1024
    assert "<" not in description
    assert ">" not in description
    assert len(body.splitlines()) < 500


def test_claude_md_template_is_under_200_lines() -> None:
    assert len(TEMPLATE.read_text(encoding="utf-8").splitlines()) < 200


def test_claude_md_template_says_nothing_about_this_repository() -> None:
    template = TEMPLATE.read_text(encoding="utf-8")
    found = [word for word in REPOSITORY_WORDS if word.lower() in template.lower()]
    assert not found, f"the users' CLAUDE.md template speaks of this repository: {found}"


def test_claude_md_template_says_it_is_a_template_enforced_by_hook_and_skill() -> None:
    opening = "\n".join(TEMPLATE.read_text(encoding="utf-8").splitlines()[:12]).lower()
    assert "template" in opening
    assert "hook" in opening
    assert "skill" in opening


def test_claude_md_template_code_blocks_are_checked() -> None:
    assert sum(block.doc == TEMPLATE for block in BLOCKS) >= 3
    assert any(block.doc == TEMPLATE and _header(block.code, "bad") for block in BLOCKS)


def test_project_claude_md_is_under_120_lines() -> None:
    assert len((ROOT / "CLAUDE.md").read_text(encoding="utf-8").splitlines()) < 120


def test_project_claude_md_names_the_commands_ci_runs() -> None:
    memory = (ROOT / "CLAUDE.md").read_text(encoding="utf-8")
    ci_commands = [
        line.strip()
        for line in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
        if line.startswith("uv run ")
    ]
    assert ci_commands
    for command in [*ci_commands, "bash .ci/run", REGENERATE]:
        assert f"`{command}`" in memory, f"CLAUDE.md does not tell how to run `{command}`"


def test_project_claude_md_points_to_the_template() -> None:
    memory = (ROOT / "CLAUDE.md").read_text(encoding="utf-8")
    assert f"]({TEMPLATE.relative_to(ROOT).as_posix()})" in memory


def test_every_reference_is_linked_from_the_skill() -> None:
    # Reachable from SKILL.md by following links: directly, or through the rules index.
    reached: set[Path] = set()
    frontier = [(SKILL_DIR / "SKILL.md").resolve()]
    while frontier:
        doc = frontier.pop()
        for target, _ in _links(doc):
            if target.suffix == ".md" and target.is_file() and target not in reached:
                reached.add(target)
                frontier.append(target)
    for reference in REFERENCES.glob("*.md"):
        assert reference.resolve() in reached, f"{reference.name} is not reachable from SKILL.md"


def test_readme_rule_table_lists_every_rule_with_its_current_summary() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for rule in ALL_RULES:
        assert readme_rule_row(rule) in readme, f"{rule.code}: run `uv run python -m checks.docs`"


def test_readme_configuration_example_shows_the_real_default_layers() -> None:
    """The example's `layers` table says it lists the defaults: copying it must change
    nothing (a stale copy once dropped routes/ and crud.py, and every FG402 with them)."""
    import tomllib

    from checks.config import DEFAULT_LAYERS

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    block = readme.split("[tool.fastapi-guardrails]\n", 1)[1].split("```", 1)[0]
    table = tomllib.loads("[tool.fastapi-guardrails]\n" + block)["tool"]["fastapi-guardrails"]
    assert {name: tuple(globs) for name, globs in table["layers"].items()} == DEFAULT_LAYERS


# ------------------------------------------------------------- rule codes cited by hand
_CITED = re.compile(r"\bFG(?P<first>\d{3})(?:-FG(?P<last>\d{3}))?\b")
#: The pages written by hand: every doc but the generated rule pages.
HAND_WRITTEN = [
    doc
    for doc in [*DOCS, ROOT / "README.md"]
    if not doc.read_text(encoding="utf-8").startswith(GENERATED)
]


def _items(text: str) -> list[str]:
    """A page's paragraphs, list items and table rows, each joined into one string."""
    items: list[list[str]] = []
    for line in text.splitlines():
        starts = re.match(r"\s*$|- |\| |#|\d+\. ", line) or not items or not items[-1]
        if starts:
            items.append([])
        if line.strip():
            items[-1].append(line)
    return [" ".join(item) for item in items if item]


def _cited_codes(text: str) -> list[tuple[str, str]]:
    """The rule codes a text cites, each with the paragraph, list item or table row
    citing it; a range (`FG201-FG210`) cites every code from its first to its last."""
    cited = []
    for item in _items(text):
        for match in _CITED.finditer(item):
            first = int(match["first"])
            last = int(match["last"] or first)
            cited += [(f"FG{number:03d}", item) for number in range(first, last + 1)]
    return cited


def _hand_written_part(doc: Path) -> str:
    """The text of a page without its generated table of codes (the template's)."""
    text = doc.read_text(encoding="utf-8")
    before, _, rest = text.partition(TEMPLATE_RULES_BEGIN)
    return before + rest.partition(TEMPLATE_RULES_END)[2]


def _references_table_codes() -> set[str]:
    """The codes of SKILL.md's References table, "Checked by" column."""
    skill = (SKILL_DIR / "SKILL.md").read_text(encoding="utf-8")
    table = skill.split("## References\n", 1)[1].split("\n## ", 1)[0]
    rows = [line.rsplit("|", 2)[-2] for line in table.splitlines() if line.startswith("| ")]
    return {code for row in rows for code, _ in _cited_codes(row)}


def test_code_ranges_collapse_three_or_more_consecutive_codes() -> None:
    assert code_ranges(["FG108", "FG101", "FG102", "FG103", "FG109"]) == (
        "FG101-FG103, FG108, FG109"
    )
    assert code_ranges([]) == ""


def test_claude_md_template_rule_table_is_current() -> None:
    template = TEMPLATE.read_text(encoding="utf-8")
    assert template_with_rules_table(template, ALL_RULES) == template, (
        f"the template's table of rule codes is stale: run `{REGENERATE}`"
    )


@pytest.mark.parametrize("doc", HAND_WRITTEN, ids=lambda doc: str(doc.relative_to(ROOT)))
def test_every_rule_code_a_page_cites_exists(doc: Path) -> None:
    unknown = {code for code, _ in _cited_codes(doc.read_text(encoding="utf-8"))} - set(
        RULES_BY_CODE
    )
    assert not unknown, f"{doc.relative_to(ROOT)} cites rules that do not exist: {unknown}"


@pytest.mark.parametrize("doc", [SKILL_DIR / "SKILL.md", TEMPLATE], ids=["SKILL.md", "template"])
def test_an_opt_in_rule_is_cited_as_opt_in(doc: Path) -> None:
    for code, item in _cited_codes(_hand_written_part(doc)):
        if not RULES_BY_CODE[code].default:
            assert "opt-in" in item, f"{doc.name} cites {code}, which is off by default: {item}"


def test_the_template_cites_every_rule_enabled_by_default() -> None:
    cited = {code for code, _ in _cited_codes(_hand_written_part(TEMPLATE))}
    missing = [
        rule.code
        for rule in ALL_RULES
        if rule.default and family_of(rule).prefix != "FG0" and rule.code not in cited
    ]
    assert not missing, f"the template's Never do list says nothing of {missing}"


def test_skill_references_table_gives_every_rule_an_area() -> None:
    codes = _references_table_codes()
    missing = [
        rule.code
        for rule in ALL_RULES
        if family_of(rule).prefix != "FG0" and rule.code not in codes
    ]
    assert not missing, f"SKILL.md's References table names no page for {missing}"

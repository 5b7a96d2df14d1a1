"""The docs are tested: every Python block in CLAUDE.md and skills/ is checked.

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

from checks.docs import rules_markdown
from checks.rules import ALL_RULES
from tests.helpers import check_code

ROOT = Path(__file__).resolve().parents[1]
SKILL_DIR = ROOT / "skills" / "fastapi-guardrails"
SAMPLE_APP = ROOT / "sample_app"
DOCS = sorted([ROOT / "CLAUDE.md", *SKILL_DIR.rglob("*.md")])

_FENCE = re.compile(r"^```python[ \t]*\n(.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)
_SAMPLE = re.compile(r"<!-- sample: (?P<path>[^:]+)::(?P<name>[\w.]+) -->\s*$")
_LINK = re.compile(r"\[[^\]]*\]\((?P<target>[^)\s]+)\)")
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
    found = {f.code for f in check_code(textwrap.dedent(block.code), path)}
    if "FG000" not in expected:
        assert "FG000" not in found, f"{block.id} does not parse"
    assert found == expected, (
        f"{block.id}: found {sorted(found)}, the block names {sorted(expected)}"
    )


def _definition_source(path: Path, qualified: str) -> str:
    source = path.read_text(encoding="utf-8")
    body: list[ast.stmt] = ast.parse(source).body
    node: ast.stmt | None = None
    for part in qualified.split("."):
        node = next(
            (
                n
                for n in body
                if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
                and n.name == part
            ),
            None,
        )
        assert node is not None, f"{qualified} is not defined in {path}"
        body = node.body  # type: ignore[attr-defined]
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


@pytest.mark.parametrize("doc", DOCS, ids=lambda doc: str(doc.relative_to(ROOT)))
def test_relative_links_resolve(doc: Path) -> None:
    for match in _LINK.finditer(doc.read_text(encoding="utf-8")):
        target = match["target"].split("#", 1)[0]
        if not target or re.match(r"^[a-z]+:", target):
            continue
        assert (doc.parent / target).exists(), f"{doc.relative_to(ROOT)} links to missing {target}"


def test_rules_reference_is_current() -> None:
    current = (SKILL_DIR / "references" / "rules.md").read_text(encoding="utf-8")
    assert current == rules_markdown(ALL_RULES), (
        "regenerate: fastapi-guardrails rule --all --output-format markdown "
        "> skills/fastapi-guardrails/references/rules.md"
    )


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


def test_claude_md_is_under_200_lines() -> None:
    assert len((ROOT / "CLAUDE.md").read_text(encoding="utf-8").splitlines()) < 200


def test_every_reference_is_linked_from_the_skill() -> None:
    skill = (SKILL_DIR / "SKILL.md").read_text(encoding="utf-8")
    for reference in (SKILL_DIR / "references").glob("*.md"):
        assert f"references/{reference.name}" in skill, reference.name


def test_readme_rule_table_lists_every_rule() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for rule in ALL_RULES:
        assert f"| {rule.code} | {rule.name} |" in readme, rule.code

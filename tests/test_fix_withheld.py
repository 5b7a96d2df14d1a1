"""Fixes that `--fix` must not make are not offered: the fixable mark (`[*]`), the
count of the summary and the JSON `fix` say what `--fix` will do."""

from __future__ import annotations

import json
import py_compile
from pathlib import Path

from tests.helpers import run_cli, write

BLOCKING = """
import time


async def wait() -> None:
    time.sleep(1)
"""


# ----------------------------------------------------- applied Alembic revisions
def _revisions(root: Path) -> tuple[Path, Path]:
    write(root, "pyproject.toml", '[project]\nname = "svc"\n')
    header = '"""{doc}"""\nimport time\n\nrevision = "{rev}"\ndown_revision = {down}\n'
    body = "\n\nasync def upgrade() -> None:\n    time.sleep(1)\n"
    old = write(
        root,
        "migrations/versions/0001_first.py",
        header.format(doc="first", rev="0001", down="None") + body,
    )
    head = write(
        root,
        "migrations/versions/0002_second.py",
        header.format(doc="second", rev="0002", down='"0001"') + body,
    )
    return old, head


def test_no_fix_rewrites_a_revision_another_revision_builds_on(tmp_path: Path) -> None:
    old, head = _revisions(tmp_path)
    history = old.read_bytes()
    run_cli("check", "--no-cache", "--fix", "--unsafe-fixes", str(tmp_path))
    assert old.read_bytes() == history
    assert "await asyncio.sleep(1)" in head.read_text()  # the head is still fixed


def test_a_finding_in_an_applied_revision_is_not_marked_fixable(tmp_path: Path) -> None:
    _revisions(tmp_path)
    result = run_cli("check", "--no-cache", "--output-format", "json", str(tmp_path))
    fixes = {Path(f["filename"]).name: f["fix"] for f in json.loads(result.stdout)}
    assert fixes["0001_first.py"] is None
    assert fixes["0002_second.py"] is not None


# ------------------------------------------- syntax CPython 3.11 cannot compile
def test_a_file_cpython_cannot_compile_promises_no_fix(tmp_path: Path) -> None:
    newer = write(tmp_path, "app/jobs.py", "type Seconds = int\n" + BLOCKING)
    before = newer.read_bytes()
    checked = run_cli("check", "--no-cache", str(newer))
    assert "[*]" not in checked.stdout
    assert "fixable" not in checked.stdout
    fixed = run_cli("check", "--no-cache", "--fix", str(newer))
    assert newer.read_bytes() == before
    assert "[*]" not in fixed.stdout
    assert "1 fixable" not in fixed.stdout


def test_a_file_cpython_compiles_keeps_its_fix(tmp_path: Path) -> None:
    plain = write(tmp_path, "app/jobs.py", BLOCKING)
    assert "[*] 1 fixable" in run_cli("check", "--no-cache", str(plain)).stdout
    run_cli("check", "--no-cache", "--fix", str(plain))
    assert "await asyncio.sleep(1)" in plain.read_text()
    py_compile.compile(str(plain), doraise=True)

"""Helpers shared by the checker's tests: check a snippet, run the CLI in-process."""

from __future__ import annotations

import io
import sys
import textwrap
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path

from checks.cli import main
from checks.config import DEFAULT_LAYERS, LayerMatcher
from checks.engine import Engine
from checks.findings import Finding
from checks.fixer import fix_source
from checks.rules import ALL_RULES, RULES_BY_CODE

_LAYERS = LayerMatcher.from_globs(DEFAULT_LAYERS)
_ENGINE = Engine(ALL_RULES)


def check_code(source: str, path: str = "app/example.py") -> list[Finding]:
    """All findings of every rule (default or not) on a dedented snippet at `path`."""
    code = textwrap.dedent(source).lstrip("\n")
    return _ENGINE.check(Path(path), code.encode(), _LAYERS.layer_of(path)).findings


def fix_code(source: str, select: str, path: str = "app/example.py", unsafe: bool = False) -> str:
    """A snippet after `--fix` with only the rule `select` (and `--unsafe-fixes`)."""
    engine = Engine([RULES_BY_CODE[select]])
    layer = _LAYERS.layer_of(path)

    def check(data: bytes) -> tuple[list[Finding], str | None]:
        result = engine.check(Path(path), data, layer)
        return result.findings, result.text

    code = textwrap.dedent(source).lstrip("\n")
    outcome = fix_source(code.encode(), check, unsafe)
    return (outcome.source or code.encode()).decode()


def codes(source: str, path: str = "app/example.py") -> list[str]:
    """The codes found in a snippet, in position order."""
    return [finding.code for finding in check_code(source, path)]


def positions(source: str, code: str, path: str = "app/example.py") -> list[tuple[int, int]]:
    """(row, column) of each finding of `code`, 1-based."""
    return [(f.start.row, f.start.column) for f in check_code(source, path) if f.code == code]


@dataclass
class CliResult:
    exit_code: int
    stdout: str
    stderr: str


def run_cli(*args: str, stdin: bytes | None = None) -> CliResult:
    """Run `fastapi-guardrails ARGS` in this process and capture its output."""
    out, err = io.StringIO(), io.StringIO()
    saved_stdin = sys.stdin
    if stdin is not None:
        sys.stdin = io.TextIOWrapper(io.BytesIO(stdin))
    try:
        with redirect_stdout(out), redirect_stderr(err):
            exit_code = main(list(args))
    finally:
        sys.stdin = saved_stdin
    return CliResult(exit_code, out.getvalue(), err.getvalue())


def write(root: Path, relative: str, source: str) -> Path:
    """Write a dedented file under `root`, creating its directories."""
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(source).lstrip("\n"), encoding="utf-8")
    return path

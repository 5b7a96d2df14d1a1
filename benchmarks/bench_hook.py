"""How long the Claude Code edit hook takes after one edit, against `import libcst`.

    uv run python benchmarks/bench_hook.py [--runs N]

Builds a throwaway project (a git work tree with a `pyproject.toml` without our table)
holding two clean files a service has: a small schema module (about 30 lines) and a
2,000-line module of repository code (SQLAlchemy selects on an `AsyncSession`, Pydantic
models: words that send it through libcst's parse); and the same 2,000 lines with one old
finding (a legacy `session.query`), edited elsewhere: the hook then also checks the file
as it was before the edit (`originalFile`) to tell what the edit introduced. For each,
an Edit payload in the shape Claude Code sends (one changed line, `structuredPatch`) is piped to
`fastapi-guardrails hook claude`, run after run, interleaved with the floor
`python -c 'import libcst'`. Prints medians and the ratio to the floor. Not part of the
test run. Every process runs with its bytecode cached, as an installed tool does.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIN = Path(sys.executable).parent
HOOK = [str(BIN / "fastapi-guardrails"), "hook", "claude"]
FLOOR = [sys.executable, "-c", "import libcst"]
ENV = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}

SMALL = '''"""Schemas of the users API."""

from datetime import datetime

from pydantic import BaseModel, ConfigDict, EmailStr, Field


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: EmailStr
    password: str = Field(min_length=12, max_length=128)
    full_name: str | None = Field(default=None, max_length=200)


class UserRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    email: EmailStr
    full_name: str | None
    created_at: datetime


class UserUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    full_name: str | None = None
'''

HEADER = '''"""Repositories of the reporting domain."""

from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass
'''

BLOCK = """

class Report{n}(Base):
    __tablename__ = "reports_{n}"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str]
    owner_id: Mapped[int]


class Report{n}Read(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    title: str


class Report{n}Repository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def list_for(self, owner_id: int, limit: int = 50) -> Sequence[Report{n}]:
        statement = select(Report{n}).where(Report{n}.owner_id == owner_id).limit(limit)
        return (await self.session.scalars(statement)).all()

    async def count_for(self, owner_id: int) -> int:
        statement = select(func.count()).where(Report{n}.owner_id == owner_id)
        return (await self.session.execute(statement)).scalar_one()
"""


def large_module(lines: int = 2000) -> str:
    parts = [HEADER]
    n = 0
    while sum(part.count("\n") for part in parts) < lines:
        parts.append(BLOCK.format(n=n))
        n += 1
    return "".join(parts)


def edit_payload(project: Path, path: Path, text: str, row: int, original: bool = False) -> bytes:
    """An Edit of line `row` (a comment appended), as Claude Code reports it."""
    lines = text.splitlines()
    old, new = lines[row - 1], lines[row - 1] + "  # edited"
    lines[row - 1] = new
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    first = max(row - 3, 1)
    context = lines[first - 1 : row - 1]
    after = lines[row : row + 3]
    hunk = {
        "oldStart": first,
        "oldLines": len(context) + 1 + len(after),
        "newStart": first,
        "newLines": len(context) + 1 + len(after),
        "lines": [" " + x for x in context] + ["-" + old, "+" + new] + [" " + x for x in after],
    }
    payload = {  # no tool_use_id: every run checks (a repeated id is answered once)
        "session_id": "bench",
        "cwd": str(project),
        "hook_event_name": "PostToolUse",
        "tool_name": "Edit",
        "tool_input": {"file_path": str(path), "old_string": old, "new_string": new},
        "tool_response": {"filePath": str(path), "structuredPatch": [hunk]},
    }
    if original:  # Claude Code sends it; the hook checks it too when the file has findings
        payload["tool_response"]["originalFile"] = text
    return json.dumps(payload).encode()


def timed(command: list[str], stdin: bytes, cwd: Path) -> float:
    start = time.perf_counter()
    completed = subprocess.run(command, input=stdin, capture_output=True, cwd=cwd, env=ENV)
    elapsed = time.perf_counter() - start
    if completed.returncode != 0 or completed.stdout:
        sys.exit(f"unexpected answer from {command}: {completed.returncode} {completed.stdout!r}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        project = Path(scratch) / "svc"
        (project / "app" / "reports").mkdir(parents=True)
        (project / ".git").mkdir()
        (project / "pyproject.toml").write_text('[project]\nname = "svc"\nversion = "0"\n')
        cases = []
        legacy = large_module().replace(
            "        return (await self.session.scalars(statement)).all()",
            "        return self.session.query(Report0).all()",
            1,
        )
        for name, text, row, original in (
            ("small clean file (schemas, 30 lines)", SMALL, 12, False),
            ("2,000-line clean file (repositories)", large_module(), 1000, False),
            ("2,000 lines, an old finding, edit elsewhere", legacy, 1000, True),
        ):
            path = project / "app" / "reports" / f"{len(cases)}.py"
            payload = edit_payload(project, path, text, row, original)
            cases.append((name, payload, path))
        for _, payload, _ in cases:  # warm the bytecode caches
            timed(HOOK, payload, project)
        timed(FLOOR, b"", project)
        print(f"{args.runs} runs each, interleaved; medians in seconds")
        print(f"{'case':52} {'hook':>7} {'floor':>7} {'ratio':>6}")
        for name, payload, path in cases:
            hook_times, floor_times = [], []
            for _ in range(args.runs):
                hook_times.append(timed(HOOK, payload, project))
                floor_times.append(timed(FLOOR, b"", project))
            hook, floor = statistics.median(hook_times), statistics.median(floor_times)
            lines = path.read_text().count("\n")
            label = f"{name} [{lines} lines]"
            print(f"{label:52} {hook:7.3f} {floor:7.3f} {hook / floor:6.2f}x")


if __name__ == "__main__":
    main()

"""Inputs that once made the checker hang: each runs in a child process with a generous
time limit, so a regression fails instead of stopping the suite."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.helpers import write

#: A dot followed by a comment of many '#' and no name after it: the attribute patterns
#: of the pre-filter and of a fix's name check backtracked exponentially over the ways
#: to split the comment (a file of letta-ai/letta hung a run for minutes).
HASH_COMMENT_AFTER_DOT = (
    "import time\n\n\nasync def poll() -> None:\n    time.sleep(1)\n\n\n"
    "VALUE = 1.  # " + "#" * 60 + "\n"
    "OTHER = (  # " + "#" * 60 + "\n    1,\n)\n"
)


def test_a_comment_of_hashes_after_a_dot_is_checked_and_fixed_in_linear_time(
    tmp_path: Path,
) -> None:
    path = write(tmp_path, "app/jobs.py", HASH_COMMENT_AFTER_DOT)
    completed = subprocess.run(
        [sys.executable, "-m", "checks", "check", "--no-cache", "--fix", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "await asyncio.sleep(1)" in path.read_text(encoding="utf-8")

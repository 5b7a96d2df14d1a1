"""How `--fix` scales with the number of fixes in one file.

    uv run python benchmarks/bench_fix.py [--sizes 2000,8000,32000]

Writes a module of N small `async def` functions, each with a `time.sleep(...)` (FG301:
a safe fix, `await asyncio.sleep(...)`), in a throwaway project, and times
`fastapi-guardrails check --fix --no-cache --select FG301` on it. The first pass adds
`import asyncio` (one fix: every fix edits that import line); the second applies the
other N - 1. Prints the file size, the time and the time per fix: per-fix cost that
stays flat as N grows is linear behaviour. Also times `apply_edits` alone on 50,000
one-character edits. Not part of the test run.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIN = Path(sys.executable).parent


def _module(functions: int) -> str:
    parts = ["import time\n"]
    for n in range(functions):
        parts.append(
            f"\n\nasync def job_{n}(delay: float) -> int:\n"
            f"    time.sleep(delay)  # wait for the upstream service {n}\n"
            f"    return {n}\n"
        )
    return "".join(parts)


def _apply_edits_alone() -> float:
    from checks.findings import Edit, Location
    from checks.fixer import apply_edits

    text = "x = (" + "a, " * 50_000 + ")\n"
    fixes = [(Edit("b", Location(1, 6 + 3 * n), Location(1, 7 + 3 * n)),) for n in range(50_000)]
    start = time.perf_counter()
    apply_edits(text, fixes)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="2000,8000,32000")
    args = parser.parse_args()
    print(f"apply_edits, 50,000 edits on one line: {_apply_edits_alone():.2f} s")
    print(f"{'fixes':>7} {'size':>9} {'seconds':>8} {'ms/fix':>7}")
    for functions in (int(size) for size in args.sizes.split(",")):
        with tempfile.TemporaryDirectory() as directory:
            root = Path(directory)
            (root / "pyproject.toml").write_text('[project]\nname = "bench"\n')
            path = root / "app" / "jobs.py"
            path.parent.mkdir()
            path.write_text(_module(functions))
            size = path.stat().st_size
            command = [
                str(BIN / "fastapi-guardrails"),
                "check",
                "--fix",
                "--no-cache",
                "--select",
                "FG301",
                str(path),
            ]
            start = time.perf_counter()
            done = subprocess.run(command, capture_output=True, text=True, cwd=root)
            seconds = time.perf_counter() - start
            fixed = path.read_text().count("await asyncio.sleep(")
            if done.returncode != 0 or fixed != functions:
                sys.exit(f"{functions} fixes: exit {done.returncode}, {fixed} fixed\n{done.stderr}")
            print(f"{functions:>7} {size:>9} {seconds:>8.2f} {1000 * seconds / functions:>7.2f}")


if __name__ == "__main__":
    main()

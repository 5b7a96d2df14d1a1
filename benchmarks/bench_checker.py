"""How fast `fastapi-guardrails check` is, next to ruff and fixit, on whole trees and one file.

    uv run python benchmarks/bench_checker.py [--runs N] [--fixit FIXIT] [DIR ...]

Trees: this interpreter's standard library (copied to a temporary directory: pyenv's own
`.gitignore` hides it from both tools), or the directories given; with several, they are
also checked together in one invocation. For each tree, interleaved run after run:

- ours cold: `fastapi-guardrails check --no-cache` (all CPUs, the default `--jobs`);
- ours warm: the same with a filled cache and nothing changed;
- ruff: `ruff check --select ASYNC,FAST,S608 --no-cache --isolated`;
- fixit (when installed, or given with `--fixit`): `fixit --rules
  fixit.rules.use_async_sleep_in_async_def lint`, once (it takes minutes on large trees).

Each tree also gets the peak memory of a cold run (its largest process, workers included).
Then one file of the first tree: the largest, the median-sized one without findings and
the median-sized one with findings: ours (`--no-cache`: it also reads the modules the file
imports, for the project index; and with the cache filled and the file unchanged) against
the floor `python -c 'import libcst; libcst.parse_module(src)'`. Prints medians and ratios
with #17's targets. Not part of the test run.

Every tool runs with its bytecode cached, as an installed tool does: PYTHONDONTWRITEBYTECODE
is dropped from the children's environment and each command runs once before it is timed.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

BIN = Path(sys.executable).parent
OURS = [str(BIN / "fastapi-guardrails"), "check", "--exit-zero"]
RUFF = [str(BIN / "ruff"), "check", "--select", "ASYNC,FAST,S608", "--no-cache", "--isolated"]
RUFF += ["--exit-zero"]
FLOOR = "import libcst, sys; libcst.parse_module(open(sys.argv[1], 'rb').read())"


#: Every Python tool runs as installed tools do: with its bytecode cached. An environment
#: with PYTHONDONTWRITEBYTECODE set (CI images often have it) would otherwise compile every
#: imported module at each start (about 60 ms of our start-up, more of libcst's floor).
ENV = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}


def peak_mib(command: Sequence[str]) -> float:
    """The peak memory of the largest process of a command (its workers included), in
    MiB: the maximum resident set size the kernel reports for a child, measured in a
    fresh process so that no earlier run counts."""
    probe = (
        "import resource, subprocess, sys; "
        "subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL); "
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    ran = subprocess.run(
        [sys.executable, "-c", probe, *command], capture_output=True, text=True, env=ENV
    )
    return int(ran.stdout.strip() or 0) / 1024


def timed(command: Sequence[str]) -> float:
    start = time.perf_counter()
    subprocess.run(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False, env=ENV
    )
    return time.perf_counter() - start


def copy_stdlib(into: Path) -> Path:
    source = Path(sysconfig.get_paths()["stdlib"])
    target = into / "stdlib"
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("site-packages", "__pycache__"))
    return target


def python_files(trees: Sequence[Path]) -> list[Path]:
    skip = {".git", "node_modules", ".venv", "venv", "__pycache__"}
    found = []
    for tree in trees:
        for directory, names, files in os.walk(tree):
            names[:] = [n for n in names if n not in skip]
            found += [Path(directory, f) for f in files if f.endswith(".py")]
    return found


def bench_trees(
    label: str, trees: list[Path], runs: int, fixit: str | None, cache_dir: Path
) -> None:
    paths = [str(t) for t in trees]
    files = python_files(trees)
    size = sum(f.stat().st_size for f in files) / 1e6
    warm = [*OURS, "--cache-dir", str(cache_dir / label)]
    timed([*warm, *paths])  # fill the cache
    times: dict[str, list[float]] = {"ours cold": [], "ours warm": [], "ruff": []}
    for _ in range(runs):
        times["ours cold"].append(timed([*OURS, "--no-cache", *paths]))
        times["ours warm"].append(timed([*warm, *paths]))
        times["ruff"].append(timed([*RUFF, *paths]))
    if fixit:
        command = [fixit, "--rules", "fixit.rules.use_async_sleep_in_async_def", "lint"]
        times["fixit"] = [timed([*command, *paths])]
    median = {name: statistics.median(values) for name, values in times.items()}
    print(f"\n## {label}: {len(files)} files, {size:.1f} MB, {runs} runs, {os.cpu_count()} CPUs")
    for name, value in median.items():
        print(f"  {name:<10} {value:8.2f} s  (runs: {', '.join(f'{v:.2f}' for v in times[name])})")
    ruff = median["ruff"]
    print(f"  ours cold / ruff = {median['ours cold'] / ruff:.1f}x   (target <= 25x)")
    print(f"  ours warm / ruff = {median['ours warm'] / ruff:.2f}x  (target <= 1.0x)")
    print(f"  ours cold peak memory: {peak_mib([*OURS, '--no-cache', *paths]):.0f} MiB")
    if "fixit" in median:
        speedup = median["fixit"] / median["ours cold"]
        print(f"  fixit / ours cold = {speedup:.1f}x faster (target >= 20x)")


def files_with_findings(tree: Path) -> set[Path]:
    """The files of a tree the default rules report something in."""
    ran = subprocess.run(
        [*OURS, "--no-cache", "--output-format", "json", str(tree)],
        capture_output=True,
        text=True,
        env=ENV,
    )
    return {Path(item["filename"]).resolve() for item in json.loads(ran.stdout or "[]")}


def bench_one_file(tree: Path, runs: int, cache_dir: Path) -> None:
    files = sorted(python_files([tree]), key=lambda f: f.stat().st_size)
    if not files:
        return
    reported = files_with_findings(tree)
    clean = [f for f in files if f.resolve() not in reported]
    dirty = [f for f in files if f.resolve() in reported]
    chosen = [("largest", files[-1])]
    if clean:
        chosen.append(("median-sized clean (target <= 0.6x)", clean[len(clean) // 2]))
    if dirty:
        chosen.append(("median-sized with findings (target <= 1.2x)", dirty[len(dirty) // 2]))
    for label, path in chosen:
        cached = [*OURS, "--cache-dir", str(cache_dir / "one"), str(path)]
        timed(cached)
        timed([sys.executable, "-c", FLOOR, str(path)])  # libcst's bytecode, as installed
        times: dict[str, list[float]] = {"floor": [], "ours": [], "ours cached": []}
        for _ in range(runs):
            times["floor"].append(timed([sys.executable, "-c", FLOOR, str(path)]))
            times["ours"].append(timed([*OURS, "--no-cache", str(path)]))
            times["ours cached"].append(timed(cached))
        median = {name: statistics.median(values) for name, values in times.items()}
        kb = path.stat().st_size / 1e3
        print(f"\n## one file, {label}: {path} ({kb:.0f} kB)")
        for name, value in median.items():
            print(f"  {name:<12} {value:6.3f} s  ({value / median['floor']:.2f}x the floor)")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("trees", nargs="*", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--fixit", default=shutil.which("fixit"), help="the fixit executable")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as scratch:
        scratch_path = Path(scratch)
        trees = [t.resolve() for t in args.trees] or [copy_stdlib(scratch_path)]
        print(f"fastapi-guardrails benchmark, Python {sys.version.split()[0]}")
        for tree in trees:
            bench_trees(tree.name, [tree], args.runs, args.fixit, scratch_path / "cache")
        if len(trees) > 1:
            label = " + ".join(t.name for t in trees)
            bench_trees(label, trees, args.runs, args.fixit, scratch_path / "cache")
        bench_one_file(trees[0], args.runs, scratch_path / "cache")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""A file whose every report waits on other modules is returned deferred, unplaced, in a
run of many files (`Engine.defer_waiting`), and settled as if it had been placed."""

from __future__ import annotations

from pathlib import Path

from checks.catalog import CATALOG
from checks.config import load_settings
from checks.run import (
    WorkerPool,
    build_index,
    check_file,
    check_files,
    make_engine,
    resolve_with,
    settle,
)
from tests.helpers import write

#: A coroutine calling a helper of another module that blocks, one calling a helper that
#: does not, and a sync session named in each file (FG102's screen then parses them).
_HELPERS = """
import requests


def fetch(url: str) -> int:
    return requests.get(url, timeout=5).status_code


def label(name: str) -> str:
    return name.title()
"""
_ROUTE = """
from sqlalchemy.orm import Session

from app.helpers import {helper}


def sync_count(db: Session) -> int:
    return 0


async def handler(value: str) -> object:
    return {helper}(value)
"""


def _project(root: Path) -> list[Path]:
    write(root, "pyproject.toml", "[project]\nname = 'svc'\n")
    write(root, "app/__init__.py", "")
    write(root, "app/helpers.py", _HELPERS)
    return [
        write(root, "app/blocks.py", _ROUTE.format(helper="fetch")),
        write(root, "app/fine.py", _ROUTE.format(helper="label")),
        root / "app/helpers.py",
    ]


def test_waiting_reports_are_deferred_then_settled_as_placed_ones(tmp_path: Path) -> None:
    files = _project(tmp_path)
    settings = load_settings(CATALOG, tmp_path)
    results = check_files(files, settings, None, jobs=1)
    by_name = {result.path.name: result for result in results}
    for name in ("blocks.py", "fine.py"):  # parsed (FG102's screen), every report waiting
        assert by_name[name].pending == []
        assert {code for code, _ in by_name[name].deferred} >= {"FG302"}
    index = build_index(results, settings)
    settled = resolve_with(settle(results, index, settings), index)
    assert [(f.path.name, f.code, f.start.row) for f in settled] == [("blocks.py", "FG302", 11)]

    # placed at once, as the hook's one file is: the same findings
    engine = make_engine(settings)
    assert not engine.defer_waiting
    placed = [check_file(engine, settings, path, path.read_bytes()) for path in files]
    assert [r.deferred for r in placed if r.path.name == "blocks.py"] == [()]
    index = build_index(placed, settings)
    found = resolve_with(settle(placed, index, settings), index)
    assert [(f.path.name, f.code, f.start.row) for f in found] == [("blocks.py", "FG302", 11)]


def test_the_workers_check_files_forked_settle_as_the_run_does(tmp_path: Path) -> None:
    """A run of enough files forks workers (`check_files`) and keeps them for `settle`
    (`WorkerPool`), which checks the files the index asks for there, two or more at a
    time: the same results, in the same order, as a run in one process."""
    _project(tmp_path)
    files = [tmp_path / "app/helpers.py"]
    for number in range(8):  # enough files for a pool (`PARALLEL_MIN_FILES`)
        helper = "fetch" if number % 2 == 0 else "label"
        files.append(write(tmp_path, f"app/route_{number}.py", _ROUTE.format(helper=helper)))
    settings = load_settings(CATALOG, tmp_path)

    def run(jobs: int) -> list[tuple[str, str, int]]:
        pool = WorkerPool()
        try:
            results = check_files(files, settings, None, jobs=jobs, keep=pool)
            assert (pool.executor is not None) is (jobs > 1)
            index = build_index(results, settings)
            settled = settle(results, index, settings, pool=pool)
        finally:
            pool.close()
        assert [result.path for result in settled] == files
        return [(f.path.name, f.code, f.start.row) for f in resolve_with(settled, index)]

    expected = [(f"route_{n}.py", "FG302", 11) for n in (0, 2, 4, 6)]
    assert run(1) == expected
    assert run(2) == expected

"""The results cache and the worker processes: same answers, less work, never a crash."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import checks.cli
from checks.cache import CACHE_DIR_NAME
from checks.findings import FileResult
from tests.helpers import run_cli, write

SCHEMAS = """
    from pydantic import BaseModel


    class UserRead(BaseModel):
        id: int
"""
ROUTES = """
    from app.schemas import UserRead


    def dump(user: UserRead) -> dict:
        return user.dict()
"""
JOBS = """
    import time


    async def poll() -> None:
        time.sleep(1)
"""


def _project(root: Path) -> None:
    write(root, "pyproject.toml", "[project]\nname = 'demo'\n")
    write(root, "app/__init__.py", "")
    write(root, "app/schemas.py", SCHEMAS)
    write(root, "app/routes.py", ROUTES)
    write(root, "app/jobs.py", JOBS)


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The files the run parses (checks with the engine)."""
    parsed: list[Path] = []
    original = checks.cli.check_file

    def counting(engine: object, settings: object, path: Path, source: bytes) -> FileResult:
        parsed.append(path)
        return original(engine, settings, path, source)  # type: ignore[arg-type]

    monkeypatch.setattr(checks.cli, "check_file", counting)
    return parsed


def test_a_warm_run_parses_nothing_and_answers_the_same(
    tmp_path: Path, counted: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    _project(tmp_path)
    cold = run_cli("check", str(tmp_path))
    assert cold.exit_code == 1
    assert "routes.py:5:12: FG201" in cold.stdout
    assert "jobs.py:5:5: FG301" in cold.stdout
    assert len(counted) == 4

    def no_engine(*args: object, **kwargs: object) -> None:
        raise AssertionError("a warm run must not build the engine")

    monkeypatch.setattr(checks.cli, "make_engine", no_engine)
    counted.clear()
    warm = run_cli("check", str(tmp_path))
    assert (warm.exit_code, warm.stdout, warm.stderr) == (cold.exit_code, cold.stdout, "")
    assert counted == []


def test_a_changed_model_rechecks_only_its_file_and_updates_its_users(
    tmp_path: Path, counted: list[Path]
) -> None:
    _project(tmp_path)
    assert "FG201" in run_cli("check", str(tmp_path)).stdout
    write(tmp_path, "app/schemas.py", "class UserRead:\n    id: int\n")
    counted.clear()
    result = run_cli("check", str(tmp_path))
    assert [p.name for p in counted] == ["schemas.py"]
    assert "FG201" not in result.stdout  # routes.py was answered from the cache
    assert "FG301" in result.stdout


def test_the_cache_directory_is_ignored_by_git_and_tagged(tmp_path: Path) -> None:
    _project(tmp_path)
    run_cli("check", str(tmp_path))
    directory = tmp_path / CACHE_DIR_NAME
    assert (directory / ".gitignore").read_text().splitlines()[-1] == "*"
    assert (directory / "CACHEDIR.TAG").read_text().startswith("Signature: 8a477f59")


def test_no_cache_writes_nothing_and_cache_dir_moves_it(tmp_path: Path) -> None:
    _project(tmp_path)
    run_cli("check", "--no-cache", str(tmp_path))
    assert not (tmp_path / CACHE_DIR_NAME).exists()
    elsewhere = tmp_path / "elsewhere"
    run_cli("check", "--cache-dir", str(elsewhere), str(tmp_path))
    assert not (tmp_path / CACHE_DIR_NAME).exists()
    assert list(elsewhere.rglob("*.json"))


@pytest.mark.parametrize(
    "content",
    [
        b"\x00\xffnot json at all",
        b'{"format": 1, "files": {"x": "junk"}, "summaries": []}',
        b'{"format": 999}',
        b"[1, 2, 3]",
    ],
    ids=["binary", "foreign-entries", "future-format", "not-an-object"],
)
def test_a_corrupt_or_foreign_cache_is_ignored(
    tmp_path: Path, content: bytes, counted: list[Path]
) -> None:
    _project(tmp_path)
    cold = run_cli("check", str(tmp_path))
    for cache_file in (tmp_path / CACHE_DIR_NAME).rglob("*.json"):
        cache_file.write_bytes(content)
    counted.clear()
    again = run_cli("check", str(tmp_path))
    assert (again.exit_code, again.stdout, again.stderr) == (cold.exit_code, cold.stdout, "")
    assert len(counted) == 4  # everything checked afresh


def test_a_corrupt_entry_is_checked_again(tmp_path: Path, counted: list[Path]) -> None:
    _project(tmp_path)
    cold = run_cli("check", str(tmp_path))
    (cache_file,) = (tmp_path / CACHE_DIR_NAME).rglob("*.json")
    data = json.loads(cache_file.read_bytes())
    for entry in data["files"].values():
        entry["findings"] = [["FG201", "broken"]]  # wrong shape
    cache_file.write_text(json.dumps(data))
    counted.clear()
    again = run_cli("check", str(tmp_path))
    assert again.stdout == cold.stdout
    assert len(counted) == 4


def test_another_selection_does_not_reuse_results(tmp_path: Path) -> None:
    _project(tmp_path)
    assert "FG301" in run_cli("check", str(tmp_path)).stdout
    only_pydantic = run_cli("check", "--select", "FG2", str(tmp_path))
    assert "FG301" not in only_pydantic.stdout
    assert "FG201" in only_pydantic.stdout


def test_an_unwritable_cache_directory_is_not_an_error(tmp_path: Path) -> None:
    _project(tmp_path)
    blocker = tmp_path / "blocked"
    blocker.write_text("a file where the cache directory should be")
    result = run_cli("check", "--cache-dir", str(blocker / "cache"), str(tmp_path))
    assert result.exit_code == 1
    assert result.stderr == ""


def test_workers_answer_like_one_process_in_the_same_order(tmp_path: Path) -> None:
    _project(tmp_path)
    for number in range(12):
        write(tmp_path, f"app/jobs_{number:02}.py", JOBS)
    one = run_cli("check", "--no-cache", "--jobs", "1", str(tmp_path))
    two = run_cli("check", "--no-cache", "--jobs", "2", "--output-format", "json", str(tmp_path))
    one_json = run_cli(
        "check", "--no-cache", "--jobs", "1", "--output-format", "json", str(tmp_path)
    )
    assert one.stdout.count("FG301") == 13
    assert two.stdout == one_json.stdout


def test_jobs_must_be_a_positive_integer(tmp_path: Path) -> None:
    result = run_cli("check", "--jobs", "0", str(tmp_path))
    assert result.exit_code == 2
    assert "positive integer" in result.stderr

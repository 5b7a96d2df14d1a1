"""The results cache and the worker processes: same answers, less work, never a crash."""

from __future__ import annotations

from pathlib import Path

import pytest

import checks.run
from checks.cache import CACHE_DIR_NAME, encode_cache_file, read_cache_file
from tests.helpers import HTTP_ERRORS, REPOSITORY, count_parsed, run_cli, write

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
#: The demo project names FG201: its routes' `.dict()` (a finding whose file depends on
#: another module's, the cache's hardest case) stand however many routes the project
#: has (22 of them, written in the v1 spelling alone, make it the project's convention).
DEMO_PYPROJECT = (
    "[project]\nname = 'demo'\n\n[tool.fastapi-guardrails]\nextend-select = ['FG201']\n"
)
JOBS = """
    import time


    async def poll() -> None:
        time.sleep(1)
"""


def _project(root: Path) -> None:
    write(root, "pyproject.toml", DEMO_PYPROJECT)
    write(root, "app/__init__.py", "")
    write(root, "app/schemas.py", SCHEMAS)
    write(root, "app/routes.py", ROUTES)
    write(root, "app/jobs.py", JOBS)


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The files the run parses (checks with the engine)."""
    return count_parsed(monkeypatch)


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

    monkeypatch.setattr(checks.run, "make_engine", no_engine)
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
    data = read_cache_file(cache_file)
    for entry in data["files"].values():
        entry["findings"] = [["FG201", "broken"]]  # wrong shape
    cache_file.write_bytes(encode_cache_file(data))  # with a checksum that matches
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


# ------------------------------------------------- stamps and run snapshots
def _age(root: Path, seconds: int = 3600) -> None:
    """Make every file look written an hour ago: a stamp is only trusted then."""
    import os
    import time

    past = time.time() - seconds
    for path in root.rglob("*"):
        if path.is_file() and CACHE_DIR_NAME not in path.parts:
            os.utime(path, (past, past))


def _age_file(path: Path, seconds: int) -> None:
    import os
    import time

    past = time.time() - seconds
    os.utime(path, (past, past))


def _many(root: Path, count: int = 25) -> None:
    """A project big enough to keep a run snapshot."""
    _project(root)
    for n in range(count):
        write(root, f"app/jobs_{n}.py", JOBS)


def _reads(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    read: list[Path] = []
    original = Path.read_bytes

    def counting(self: Path) -> bytes:
        read.append(self)
        return original(self)

    monkeypatch.setattr(Path, "read_bytes", counting)
    return read


def test_an_unchanged_file_is_answered_from_its_stamp_without_being_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, counted: list[Path]
) -> None:
    monkeypatch.chdir(tmp_path)
    _project(tmp_path)
    _age(tmp_path)
    first = run_cli("check", "app/jobs.py", "app/routes.py")
    read = _reads(monkeypatch)
    second = run_cli("check", "app/jobs.py", "app/routes.py")
    assert second.stdout == first.stdout
    assert not [p for p in read if p.suffix == ".py" and p.name != "schemas.py"]


def test_a_changed_stamp_reads_the_file_and_a_recent_file_is_always_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, counted: list[Path]
) -> None:
    monkeypatch.chdir(tmp_path)
    _project(tmp_path)
    _age(tmp_path)
    run_cli("check", "app/jobs.py")
    # same size, new content, a recent modification time: read (and found) again
    path = tmp_path / "app/jobs.py"
    path.write_text(path.read_text().replace("time.sleep(1)", "time.sleep(2)"))
    counted.clear()
    result = run_cli("check", "app/jobs.py")
    assert counted == [Path("app/jobs.py")]
    assert "FG301" in result.stdout
    # a file modified within the last seconds gets no stamp: the next run reads it again
    counted.clear()
    read = _reads(monkeypatch)
    run_cli("check", "app/jobs.py")
    assert Path("app/jobs.py") in read


def test_a_repeated_run_is_answered_by_its_snapshot(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, counted: list[Path]
) -> None:
    monkeypatch.chdir(tmp_path)
    _many(tmp_path)
    _age(tmp_path)
    first = run_cli("check", "--jobs", "1", ".")
    assert len(counted) == 29
    snapshots = list((tmp_path / CACHE_DIR_NAME).rglob("*-run-*.json"))
    assert len(snapshots) == 1
    counted.clear()
    read = _reads(monkeypatch)
    second = run_cli("check", ".")
    assert (second.stdout, second.exit_code) == (first.stdout, first.exit_code)
    assert counted == []
    assert not [p for p in read if p.suffix == ".py"]  # not even the per-file cache is read
    full = run_cli("check", "--output-format", "full", ".")
    assert "time.sleep(1)" in full.stdout  # the snippets are read when the output needs them


def test_a_snapshot_is_not_used_after_a_change(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, counted: list[Path]
) -> None:
    monkeypatch.chdir(tmp_path)
    _many(tmp_path)
    _age(tmp_path)
    run_cli("check", ".")
    # a new file
    write(tmp_path, "app/new.py", JOBS)
    _age_file(tmp_path / "app/new.py", 3600)  # the others keep their stamps
    counted.clear()
    assert run_cli("check", ".").stdout.count("FG301") == 27
    assert counted == [Path("app/new.py")]
    # a changed file
    (tmp_path / "app/new.py").write_text("x = 1\n")
    _age_file(tmp_path / "app/new.py", 600)
    counted.clear()
    assert run_cli("check", ".").stdout.count("FG301") == 26
    assert counted == [Path("app/new.py")]
    # another configuration
    (tmp_path / "pyproject.toml").write_text(
        "[project]\nname = 'demo'\n\n[tool.fastapi-guardrails]\nignore = ['FG301']\n"
    )
    assert "FG301" not in run_cli("check", ".").stdout


def test_a_snapshot_notices_a_change_of_a_module_read_from_outside_the_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """routes.py's `user.dict()` is a finding only while schemas.py makes UserRead a
    Pydantic model; schemas.py is outside the checked paths, read on demand."""
    monkeypatch.chdir(tmp_path)
    _many(tmp_path)
    for n in range(25):
        write(tmp_path, f"app/routes_{n}.py", ROUTES)
    _age(tmp_path)
    paths = [f"app/routes_{n}.py" for n in range(25)]
    assert run_cli("check", *paths).stdout.count("FG201") == 25
    assert run_cli("check", *paths).stdout.count("FG201") == 25  # from the snapshot
    (tmp_path / "app/schemas.py").write_text("class UserRead:\n    id: int\n")
    _age_file(tmp_path / "app/schemas.py", 600)  # the checked files keep their stamps
    assert "FG201" not in run_cli("check", *paths).stdout


def test_a_package_that_appears_rechecks_the_files_whose_screens_ruled_it_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, counted: list[Path]
) -> None:
    """repository.py's `raise NotFound(...)` is no FG401 condition while `problems` is no
    package of the project (the screens record it in the cached result and the run's
    snapshot); `problems.py` added at the root, outside the checked paths, makes it one:
    neither the snapshot nor the file's entry answers, and only that file is checked."""
    monkeypatch.chdir(tmp_path)
    _many(tmp_path)
    write(tmp_path, "app/users/__init__.py", "")
    write(tmp_path, "app/users/repository.py", REPOSITORY)
    _age(tmp_path)
    assert "FG401" not in run_cli("check", "app").stdout
    assert "FG401" not in run_cli("check", "app").stdout  # from the snapshot
    write(tmp_path, "problems.py", HTTP_ERRORS)
    _age_file(tmp_path / "problems.py", 600)
    counted.clear()
    assert "FG401" in run_cli("check", "app").stdout
    # checked again (its raise now waits for the index, `FileResult.deferred`: not
    # parsed), then parsed once the index finds `problems.NotFound` to be HTTPException
    # (`settle`)
    assert counted == [Path("app/users/repository.py")]
    counted.clear()
    assert "FG401" in run_cli("check", "app").stdout  # the parsed result was kept
    assert counted == []


def test_an_edit_of_the_checker_itself_starts_a_new_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A development checkout edits rules without changing the version: the cache file
    is keyed by the checker's own files too."""
    import checks.cache

    package = tmp_path / "checks"
    (package / "rules").mkdir(parents=True)
    (package / "cache.py").write_text("# the cache\n")
    rule = package / "rules" / "some_rule.py"
    rule.write_text("# a rule\n")
    monkeypatch.setattr(checks.cache, "__file__", str(package / "cache.py"))
    before = checks.cache.Cache(tmp_path / "c", {"FG201"}).file
    assert checks.cache.Cache(tmp_path / "c", {"FG201"}).file == before
    rule.write_text("# a rule, edited\n")
    assert checks.cache.Cache(tmp_path / "c", {"FG201"}).file != before


def test_a_warm_walk_is_answered_by_the_memo_and_other_excludes_walk_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The walk memo lives in the cache, under the settings that decide a walk: a run
    whose folders are unchanged lists none of them; an `extend-exclude` added to the
    configuration (its folder's stamp unchanged) is a walk of its own."""
    import os
    import time

    import checks.discovery

    class Later:
        @staticmethod
        def time_ns() -> int:
            return time.time_ns() + 10_000_000_000

    monkeypatch.setattr(checks.discovery, "time", Later)
    project = tmp_path / "project"
    _project(project)
    write(project, "legacy/old.py", "import time\n\nasync def f():\n    time.sleep(1)\n")
    old = time.time_ns() - 60_000_000_000
    for folder in [project, *(p for p in project.rglob("*") if p.is_dir())]:
        os.utime(folder, ns=(old, old))
    cache = str(tmp_path / "cache")
    cold = run_cli("check", "--cache-dir", cache, str(project))
    assert "legacy/old.py" in cold.stdout
    listed: list[str] = []
    scandir = os.scandir

    def counted_scandir(path: str) -> os.ScandirIterator[str]:
        if str(path).startswith(str(project)):
            listed.append(str(path))
        return scandir(path)

    monkeypatch.setattr(checks.discovery.os, "scandir", counted_scandir)
    warm = run_cli("check", "--cache-dir", cache, str(project))
    assert (warm.exit_code, warm.stdout) == (cold.exit_code, cold.stdout)
    assert listed == []
    pyproject = project / "pyproject.toml"
    pyproject.write_text(DEMO_PYPROJECT + "extend-exclude = ['legacy/']\n", encoding="utf-8")
    os.utime(project, ns=(old, old))
    excluded = run_cli("check", "--cache-dir", cache, str(project))
    assert "legacy/old.py" not in excluded.stdout
    assert listed

"""`check` and `--fix` under hostile file systems: links, hard links, owners, modes,
FIFOs and devices, files that change mid-run, names that are not UTF-8, paths too long to
open, runs and parents killed mid-way."""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from checks.writer import (
    TEMPORARY_MARK,
    NotWritten,
    read_for_fix,
    remove_dead_temporaries,
    temporary_name,
)
from tests.helpers import CliResult, run_cli, write

SLEEPY = "import time\n\n\nasync def poll() -> None:\n    time.sleep(1)\n"
FIXED = "import asyncio\n\n\nasync def poll() -> None:\n    await asyncio.sleep(1)\n"
#: how a stray `time.sleep` is reported in the concise format
SLEEP_FINDING = "FG301 [*] `time.sleep()` blocks the event loop"
IS_LINUX = sys.platform.startswith("linux")
NEEDS_ROOT = pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() != 0,
    reason="giving a file to another user and group (chown) takes root",
)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project root (its own pyproject.toml) with the working directory in it."""
    root = tmp_path / "project"
    write(root, "pyproject.toml", "[tool.fastapi-guardrails]\n")
    monkeypatch.chdir(root)
    return root


def fix(*paths: str) -> CliResult:
    return run_cli("check", "--no-cache", "--select", "FG301", "--fix", *paths)


# -- links --------------------------------------------------------------------------


def test_fix_writes_through_a_symlink_to_its_target(project: Path) -> None:
    target = write(project, "lib/jobs.py", SLEEPY)
    (project / "app").mkdir()
    os.symlink("../lib/jobs.py", project / "app" / "jobs.py")
    result = fix("app")
    assert (project / "app" / "jobs.py").is_symlink()
    assert os.readlink(project / "app" / "jobs.py") == "../lib/jobs.py"
    assert target.read_text() == FIXED
    assert "(1 fixed, 0 remaining)" in result.stdout


def test_fix_leaves_a_symlink_to_a_file_outside_the_project_with_a_message(
    project: Path, tmp_path: Path
) -> None:
    outside = write(tmp_path, "elsewhere/jobs.py", SLEEPY)
    write(project, "app/own.py", SLEEPY)
    os.symlink(outside, project / "app" / "jobs.py")
    result = fix("app")
    assert outside.read_text() == SLEEPY
    assert (project / "app" / "jobs.py").is_symlink()
    assert "app/jobs.py is a link to" in result.stderr
    assert "outside the project" in result.stderr
    assert (project / "app" / "own.py").read_text() == FIXED  # the run went on
    assert f"app/jobs.py:5:5: {SLEEP_FINDING}" in result.stdout
    assert "(1 fixed, 1 remaining)" in result.stdout
    assert result.exit_code == 1


def test_a_link_to_a_missing_file_is_left_alone(tmp_path: Path) -> None:
    os.symlink(tmp_path / "gone.py", tmp_path / "link.py")
    with pytest.raises(NotWritten, match="a link to a missing file"):
        read_for_fix(tmp_path / "link.py", tmp_path)


def test_a_link_and_its_target_in_one_run_are_one_file_fixed_once(project: Path) -> None:
    target = write(project, "app/target.py", SLEEPY)
    os.symlink("target.py", project / "app" / "alias.py")  # sorted before its target
    result = fix("app")
    assert target.read_text() == FIXED
    assert (project / "app" / "alias.py").is_symlink()
    assert "Found 1 error (1 fixed, 0 remaining)." in result.stdout
    check = run_cli("check", "--no-cache", "--select", "FG301", "app")
    assert (check.exit_code, check.stdout) == (0, "All checks passed!\n")


def test_a_link_is_reported_under_its_targets_name_when_both_are_checked(
    project: Path,
) -> None:
    write(project, "app/target.py", SLEEPY)
    os.symlink("target.py", project / "app" / "alias.py")
    result = run_cli("check", "--no-cache", "--select", "FG301", "app")
    assert result.stdout.splitlines()[:2] == [
        f"app/target.py:5:5: {SLEEP_FINDING} inside `async def`: use `await asyncio.sleep()`",
        "Found 1 error.",
    ]


def test_fix_keeps_hard_links_together(project: Path) -> None:
    first = write(project, "app/jobs.py", SLEEPY)
    second = project / "app" / "jobs_copy.py"
    os.link(first, second)
    fix("app/jobs.py")
    assert first.read_text() == second.read_text() == FIXED
    assert os.path.samefile(first, second)
    assert first.stat().st_nlink == 2


# -- owner, group, mode -------------------------------------------------------------


@NEEDS_ROOT
def test_a_root_run_keeps_the_files_owner_group_and_mode(project: Path) -> None:
    path = write(project, "app/jobs.py", SLEEPY)
    os.chown(path, 1234, 2345)
    path.chmod(0o640)
    before = path.stat().st_ino
    fix("app/jobs.py")
    status = path.stat()
    assert path.read_text() == FIXED
    assert (status.st_uid, status.st_gid, stat.S_IMODE(status.st_mode)) == (1234, 2345, 0o640)
    assert status.st_ino != before  # still written atomically: a new file renamed over it


@NEEDS_ROOT
def test_a_file_whose_owner_a_new_file_cannot_get_is_written_in_place(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A user fixing a group-writable file of a colleague: a renamed new file would be
    the user's own; writing in place keeps the colleague's. (Root plays the user: the
    file is given away, and chown refused as it is to a user.)"""
    path = write(project, "app/jobs.py", SLEEPY)
    os.chown(path, 1234, 2345)
    owner = path.stat()

    def fchown_as_a_user(*args: Any) -> None:
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(os, "fchown", fchown_as_a_user)
    fix("app/jobs.py")
    status = path.stat()
    assert path.read_text() == FIXED
    assert (status.st_uid, status.st_gid) == (owner.st_uid, owner.st_gid)
    assert status.st_ino == owner.st_ino


def test_a_write_protected_file_is_left_alone_and_the_run_goes_on(project: Path) -> None:
    protected = write(project, "app/protected.py", SLEEPY)
    protected.chmod(0o444)  # root could still write it: the mode is the owner's will
    other = write(project, "app/other.py", SLEEPY)
    result = fix("app")
    assert protected.read_text() == SLEEPY
    assert stat.S_IMODE(protected.stat().st_mode) == 0o444
    assert other.read_text() == FIXED
    assert "app/protected.py is write-protected" in result.stderr
    assert result.exit_code == 1


# -- a file that changes during the run ---------------------------------------------


@pytest.mark.parametrize("hard_links", [1, 2], ids=["renamed", "in-place"])
def test_a_line_appended_while_fixing_is_kept_and_reported(
    project: Path, monkeypatch: pytest.MonkeyPatch, hard_links: int
) -> None:
    import checks.fixer

    path = write(project, "app/jobs.py", SLEEPY)
    if hard_links == 2:
        os.link(path, project / "app" / "jobs_copy.py")
    real_fix_source = checks.fixer.fix_source

    def fix_source_while_someone_types(*args: Any, **kwargs: Any) -> Any:
        outcome = real_fix_source(*args, **kwargs)
        with path.open("a") as handle:
            handle.write("LATE = 1\n")
        return outcome

    monkeypatch.setattr(checks.fixer, "fix_source", fix_source_while_someone_types)
    result = fix("app/jobs.py")
    assert path.read_text() == SLEEPY + "LATE = 1\n"
    assert "app/jobs.py changed while it was being fixed; run again" in result.stderr
    assert result.exit_code == 1


# -- errors while writing -----------------------------------------------------------


def refuse_new_files(directory: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make `directory` refuse new files: by its mode, or, for root (whom no mode stops),
    at the system call that would create one."""
    if os.geteuid() != 0:
        directory.chmod(0o555)
        return
    real_open = os.open

    def open_refusing(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if flags & os.O_CREAT and os.path.dirname(os.fspath(path)) == str(directory):
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", open_refusing)


def test_an_unwritable_folder_is_an_error_finding_and_the_run_goes_on(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    locked = write(project, "app/locked/jobs.py", SLEEPY)
    first = write(project, "app/a.py", SLEEPY)
    last = write(project, "app/z.py", SLEEPY)
    refuse_new_files(locked.parent, monkeypatch)
    try:
        result = fix("app")
    finally:
        locked.parent.chmod(0o755)
    assert locked.read_text() == SLEEPY
    assert first.read_text() == last.read_text() == FIXED
    assert "app/locked/jobs.py:1:1: FG000 Cannot write file: Permission denied" in result.stdout
    assert "internal error" not in result.stderr
    assert list(locked.parent.iterdir()) == [locked]  # no temporary file left
    assert result.exit_code == 1


# -- FIFOs and devices --------------------------------------------------------------


def run_in_child(*args: str, cwd: Path, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    """The CLI in a child process: a run that hangs fails the test instead of the suite."""
    return subprocess.run(
        [sys.executable, "-m", "checks", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_a_fifo_named_on_the_command_line_is_refused_without_opening_it(project: Path) -> None:
    os.mkfifo(project / "pipe.py")
    completed = run_in_child("check", "--no-cache", "pipe.py", cwd=project)
    assert completed.returncode == 2
    assert "pipe.py: not a regular file" in completed.stderr


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero on this system")
def test_a_link_to_dev_zero_named_on_the_command_line_is_refused(project: Path) -> None:
    os.symlink("/dev/zero", project / "zero.py")
    completed = run_in_child("check", "--no-cache", "zero.py", cwd=project)
    assert completed.returncode == 2
    assert "zero.py: not a regular file" in completed.stderr
    assert run_in_child("check", "--no-cache", "/dev/zero", cwd=project).returncode == 2


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_a_walk_skips_fifos_and_links_to_devices(project: Path) -> None:
    write(project, "app/jobs.py", SLEEPY)
    os.mkfifo(project / "app" / "pipe.py")
    os.symlink("/dev/zero", project / "app" / "zero.py")
    completed = run_in_child("check", "--no-cache", "--select", "FG301", "--fix", ".", cwd=project)
    assert completed.returncode == 0, completed.stderr
    assert "(1 fixed, 0 remaining)" in completed.stdout
    assert stat.S_ISFIFO(os.lstat(project / "app" / "pipe.py").st_mode)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_a_file_that_became_a_fifo_is_not_waited_on_when_fixing(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.py")
    with pytest.raises(NotWritten, match="not a regular file"):
        read_for_fix(tmp_path / "pipe.py", tmp_path)


# -- names that are not UTF-8 -------------------------------------------------------

#: a name in Latin-1: not valid UTF-8, so Python holds it with a surrogate
LATIN1_NAME = os.fsdecode(b"caf\xe9.py")
LATIN1_FOLDER = os.fsdecode(b"d\xff")


def _make_latin1_tree(project: Path) -> tuple[Path, Path]:
    try:
        first = write(project, f"app/{LATIN1_NAME}", SLEEPY)
    except (UnicodeEncodeError, OSError):
        pytest.skip("this file system takes only UTF-8 names")
    second = write(project, f"app/{LATIN1_FOLDER}/jobs.py", SLEEPY)
    return first, second


def _layer_globs_take_any_name(monkeypatch: pytest.MonkeyPatch) -> None:
    """Teach `Settings.relative` what the walk does for the glob matchers: the layer and
    per-file-ignore globs of checks/config.py still hand the path to re2 as it is."""
    from checks.config import Settings

    real_relative = Settings.relative

    def relative(self: Settings, path: Path) -> str:
        return os.fsencode(real_relative(self, path)).decode("utf-8", "replace")

    monkeypatch.setattr(Settings, "relative", relative)


def test_names_that_are_not_utf8_are_checked_fixed_and_printed(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = _make_latin1_tree(project)
    _layer_globs_take_any_name(monkeypatch)
    checked = run_cli("check", "--no-cache", "--select", "FG301", "app")
    assert f"app/caf\\xe9.py:5:5: {SLEEP_FINDING}" in checked.stdout
    assert f"app/d\\xff/jobs.py:5:5: {SLEEP_FINDING}" in checked.stdout
    as_json = run_cli("check", "--no-cache", "--select", "FG301", "--output-format", "json", "app")
    names = sorted(row["filename"] for row in json.loads(as_json.stdout))
    assert names == [str(project / "app" / "caf\\xe9.py"), str(project / "app/d\\xff/jobs.py")]
    sarif = run_cli("check", "--no-cache", "--select", "FG301", "--output-format", "sarif", "app")
    locations = [r["locations"][0] for r in json.loads(sarif.stdout)["runs"][0]["results"]]
    uris = sorted(location["physicalLocation"]["artifactLocation"]["uri"] for location in locations)
    assert uris == ["app/caf\\xe9.py", "app/d\\xff/jobs.py"]
    for output_format in ("full", "github"):
        result = run_cli("check", "--no-cache", "--output-format", output_format, "app")
        assert result.exit_code == 1, result.stderr
        assert "caf\\xe9.py" in result.stdout
        result.stdout.encode("utf-8")  # no lone surrogate left: any UTF-8 stream takes it
    fixed = fix("app")
    assert "(2 fixed, 0 remaining)" in fixed.stdout
    assert first.read_text() == second.read_text() == FIXED


def test_names_that_are_not_utf8_need_no_help_from_the_layer_globs(project: Path) -> None:
    _make_latin1_tree(project)
    checked = run_cli("check", "--no-cache", "--select", "FG301", "app")
    assert f"app/caf\\xe9.py:5:5: {SLEEP_FINDING}" in checked.stdout


# -- paths too long to open ---------------------------------------------------------


def _deep_folder(root: Path, depth: int) -> str:
    """Nest folders under `root` past PATH_MAX (made relative to each parent, as a path
    that long cannot be named whole); the relative path of the deepest."""
    names: list[str] = []
    descriptor = os.open(root, os.O_RDONLY)
    try:
        for level in range(depth):
            name = f"level{level:02d}_" + "x" * 200
            os.mkdir(name, dir_fd=descriptor)
            inner = os.open(name, os.O_RDONLY, dir_fd=descriptor)
            os.close(descriptor)
            descriptor = inner
            names.append(name)
        jobs = os.open("jobs.py", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=descriptor)
        os.write(jobs, SLEEPY.encode())
        os.close(jobs)
    finally:
        os.close(descriptor)
    return "/".join(names)


@pytest.mark.skipif(not IS_LINUX, reason="PATH_MAX and dir_fd as Linux has them")
def test_a_folder_beyond_path_max_is_reported_not_skipped_in_silence(project: Path) -> None:
    write(project, "app/jobs.py", SLEEPY)
    deep = _deep_folder(project / "app", depth=24)  # 24 * 209 characters: over 4096
    result = run_cli("check", "--no-cache", "--select", "FG301", "app")
    warnings = [line for line in result.stderr.splitlines() if "path too long" in line]
    assert len(warnings) == 1, result.stderr
    assert warnings[0].startswith("fastapi-guardrails: warning: app/level00_xxx")
    assert deep[:60] in warnings[0]
    assert f"app/jobs.py:5:5: {SLEEP_FINDING}" in result.stdout


# -- temporary files and killed runs ------------------------------------------------


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_temporary_names_are_recognisable_and_fit_in_a_file_name() -> None:
    assert temporary_name("jobs.py", 42) == f".jobs.py.{TEMPORARY_MARK}-42.tmp"
    long_name = "x" * 250 + ".py"
    shortened = temporary_name(long_name, 42)
    assert len(os.fsencode(shortened)) <= 255
    assert shortened.endswith(f".{TEMPORARY_MARK}-42.tmp")


def test_a_run_killed_mid_write_leaves_a_temporary_file_the_next_fix_removes(
    project: Path,
) -> None:
    path = write(project, "app/jobs.py", SLEEPY)
    other = write(project, "app/other.py", SLEEPY)
    killed = subprocess.run(
        [
            sys.executable,
            "-c",
            "import os, signal, sys\n"
            "os.replace = lambda *args, **kwargs: os.kill(os.getpid(), signal.SIGKILL)\n"
            "from checks.cli import main\n"
            "main(['check', '--no-cache', '--select', 'FG301', '--fix', 'app/jobs.py'])\n",
        ],
        cwd=project,
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert killed.returncode == -signal.SIGKILL
    leftovers = [p.name for p in path.parent.iterdir() if p.name.startswith(".")]
    assert len(leftovers) == 1
    assert re.fullmatch(rf"\.jobs\.py\.{TEMPORARY_MARK}-[0-9]+\.tmp", leftovers[0])
    assert path.read_text() == SLEEPY
    # the leftover is never checked; a live run's temporary file and others' files stay
    alive = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        kept = [
            path.parent / temporary_name("jobs.py", alive.pid),
            path.parent / f".jobs.py.{TEMPORARY_MARK}-{_dead_pid()}.tmp.bak",
            path.parent / f".jobs.py.other-tool-{_dead_pid()}.tmp",
        ]
        for name in kept:
            name.write_bytes(b"")
        result = fix("app/other.py")
        assert "(1 fixed, 0 remaining)" in result.stdout
        assert other.read_text() == FIXED
        assert not (path.parent / leftovers[0]).exists()
        assert sorted(p for p in path.parent.iterdir() if p.name.startswith(".")) == sorted(kept)
    finally:
        alive.kill()
        alive.wait()


def test_only_regular_files_of_dead_runs_are_removed(tmp_path: Path) -> None:
    dead = _dead_pid()
    (tmp_path / temporary_name("a.py", dead)).write_bytes(b"")
    (tmp_path / temporary_name("b.py", dead)).mkdir()
    os.symlink(tmp_path / "a.py", tmp_path / temporary_name("c.py", dead))
    (tmp_path / temporary_name("d.py", os.getpid())).write_bytes(b"")
    assert remove_dead_temporaries(tmp_path) == [temporary_name("a.py", dead)]
    assert len(list(tmp_path.iterdir())) == 3


# -- workers outlive no parent ------------------------------------------------------

#: a parent that checks 16 files on 2 forked workers whose checks never end
STUCK_PARENT = """
import sys, time
from pathlib import Path
import checks.run
from checks.catalog import CATALOG
from checks.config import load_settings

def stuck(*args, **kwargs):
    time.sleep(600)

checks.run.check_file = stuck
root = Path(sys.argv[1])
files = sorted(root.glob("*.py"))
checks.run.check_files(files, load_settings(CATALOG, root), None, jobs=2)
"""


def _children_of(parent: int) -> list[int]:
    children = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            fields = Path(f"/proc/{entry}/stat").read_text().rpartition(")")[2].split()
        except OSError:
            continue
        if int(fields[1]) == parent:
            children.append(int(entry))
    return children


def _is_running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except OSError:
        return False
    return state != "Z"  # a zombie has exited; init reaps it when it can


def _wait_for(condition: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


@pytest.mark.skipif(not IS_LINUX, reason="workers die with their parent through Linux's prctl")
def test_workers_die_when_their_parent_is_killed(tmp_path: Path) -> None:
    for number in range(16):
        write(tmp_path, f"m{number:02d}.py", "x = 1\n")
    parent = subprocess.Popen([sys.executable, "-c", STUCK_PARENT, str(tmp_path)])
    workers: list[int] = []
    try:
        assert _wait_for(lambda: len(_children_of(parent.pid)) >= 2, 60), "no workers"
        workers = _children_of(parent.pid)
        parent.send_signal(signal.SIGKILL)
        parent.wait(10)
        assert _wait_for(lambda: not any(_is_running(pid) for pid in workers), 5), workers
    finally:
        parent.kill()
        parent.wait()
        for pid in workers:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)

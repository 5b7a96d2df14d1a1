"""File discovery: Python files only, excludes, .gitignore, virtualenvs, symlink loops."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest

from checks import discovery
from checks.catalog import CATALOG
from checks.config import ConfigError, load_settings
from checks.discovery import WalkMemo, discover
from tests.helpers import write


def _found(root: Path, *paths: Path) -> list[str]:
    settings = load_settings(CATALOG, root)
    return sorted(p.relative_to(root).as_posix() for p in discover(list(paths) or [root], settings))


def test_python_and_stub_files_are_found_in_sorted_order(tmp_path: Path) -> None:
    for name in ("b.py", "a.pyi", "notes.txt", "pkg/c.py"):
        write(tmp_path, name, "x = 1\n")
    assert _found(tmp_path) == ["a.pyi", "b.py", "pkg/c.py"]


def test_default_excludes_and_virtualenvs_are_skipped(tmp_path: Path) -> None:
    write(tmp_path, "app.py", "x = 1\n")
    write(tmp_path, ".venv/lib/x.py", "x = 1\n")
    write(tmp_path, "node_modules/y.py", "x = 1\n")
    write(tmp_path, "myenv/pyvenv.cfg", "home = /usr\n")
    write(tmp_path, "myenv/lib/z.py", "x = 1\n")
    write(tmp_path, "__pycache__/q.py", "x = 1\n")
    assert _found(tmp_path) == ["app.py"]


@pytest.mark.parametrize("windows", [False, True], ids=["posix", "windows"])
def test_a_project_folder_holding_its_environment_is_walked_without_it(
    tmp_path: Path, windows: bool
) -> None:
    """vasilytray's unic (reader 169): `python -m venv .` run in the project's folder left
    its `pyvenv.cfg` beside `app/`, and the walk skipped the whole project ("no Python
    files found", then "All checks passed!"). Its code is walked; the environment's own
    folders are not (its scripts, its `site-packages`, its headers), nor a folder of
    nothing but an environment; a project's own `lib` package is code."""
    write(tmp_path, "pyvenv.cfg", "home = /usr\n")
    write(tmp_path, "app/main.py", "x = 1\n")
    write(tmp_path, "lib/helpers.py", "x = 1\n")  # the project's package
    scripts, libraries, headers = (
        ("Scripts", "Lib/site-packages", "Include/site")
        if windows
        else ("bin", "lib64/python3.11/site-packages", "include/python3.11")
    )
    write(tmp_path, f"{scripts}/{'activate.bat' if windows else 'activate'}", "")
    write(tmp_path, f"{scripts}/tool.py", "x = 1\n")
    write(tmp_path, f"{libraries}/pkg/mod.py", "x = 1\n")
    write(tmp_path, f"{headers}/gen.py", "x = 1\n")
    write(tmp_path, "share/jupyter/kernels/run.py", "x = 1\n")
    write(tmp_path, "env/pyvenv.cfg", "home = /usr\n")
    write(tmp_path, "env/share/doc/example.py", "x = 1\n")
    write(tmp_path, "env/.gitignore", "*\n")
    assert _found(tmp_path) == ["app/main.py", "lib/helpers.py"]
    assert _found(tmp_path, tmp_path / "app") == ["app/main.py"]


def test_gitignore_of_the_repo_and_of_subdirectories_is_respected(tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    write(tmp_path, ".gitignore", "generated/\n*_pb2.py\n")
    write(tmp_path, "app/.gitignore", "local.py\n!keep_pb2.py\n")
    for name in ("app/main.py", "app/local.py", "app/x_pb2.py", "app/keep_pb2.py"):
        write(tmp_path, name, "x = 1\n")
    write(tmp_path, "generated/models.py", "x = 1\n")
    assert _found(tmp_path) == ["app/keep_pb2.py", "app/main.py"]
    # walking a subdirectory still honours the repository root's .gitignore
    assert _found(tmp_path, tmp_path / "app") == ["app/keep_pb2.py", "app/main.py"]


def test_respect_gitignore_false_checks_ignored_files(tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    write(tmp_path, ".gitignore", "ignored.py\n")
    write(tmp_path, "ignored.py", "x = 1\n")
    write(tmp_path, "pyproject.toml", "[tool.fastapi-guardrails]\nrespect-gitignore = false\n")
    assert _found(tmp_path) == ["ignored.py"]


def test_exclude_and_extend_exclude(tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", '[tool.fastapi-guardrails]\nextend-exclude = ["legacy/"]\n')
    write(tmp_path, "legacy/old.py", "x = 1\n")
    write(tmp_path, "app.py", "x = 1\n")
    write(tmp_path, ".venv/x.py", "x = 1\n")
    assert _found(tmp_path) == ["app.py"]
    write(tmp_path, "pyproject.toml", '[tool.fastapi-guardrails]\nexclude = ["app.py"]\n')
    assert _found(tmp_path) == [".venv/x.py", "legacy/old.py"]


def test_files_named_one_by_one_follow_the_exclusions_of_a_walk(tmp_path: Path) -> None:
    """As ruff's --force-exclude: pre-commit and the hook name files one by one."""
    (tmp_path / ".git").mkdir()
    write(tmp_path, ".gitignore", "generated/\n*_pb2.py\n")
    write(tmp_path, "pyproject.toml", '[tool.fastapi-guardrails]\nextend-exclude = ["scripts/"]\n')
    named = [
        write(tmp_path, name, "x = 1\n")
        for name in (
            "build/gen.py",
            "generated/deep/client.py",
            "app/user_pb2.py",
            "scripts/seed.py",
            "app/main.py",
        )
    ]
    assert _found(tmp_path, *named) == ["app/main.py"]
    assert _found(tmp_path) == ["app/main.py"]


def test_a_negated_gitignore_pattern_keeps_a_named_file(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    write(tmp_path, "app/.gitignore", "*.py\n!keep.py\n")
    kept = write(tmp_path, "app/keep.py", "x = 1\n")
    dropped = write(tmp_path, "app/drop.py", "x = 1\n")
    assert _found(tmp_path, kept, dropped) == ["app/keep.py"]
    assert _found(tmp_path) == ["app/keep.py"]


def test_symlink_loop_is_followed_once(tmp_path: Path) -> None:
    write(tmp_path, "pkg/a.py", "x = 1\n")
    os.symlink(tmp_path / "pkg", tmp_path / "pkg" / "loop")
    assert _found(tmp_path) == ["pkg/a.py"]


def test_missing_path_is_a_config_error(tmp_path: Path) -> None:
    settings = load_settings(CATALOG, tmp_path)
    with pytest.raises(ConfigError, match="no such file or directory"):
        discover([tmp_path / "missing"], settings)


def test_a_changed_gitignore_is_read_again_for_files_named_one_by_one(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    gitignore = write(tmp_path, ".gitignore", "a.py\n")
    named = [write(tmp_path, name, "x = 1\n") for name in ("a.py", "b.py")]
    assert _found(tmp_path, *named) == ["b.py"]
    gitignore.write_text("b.py\n", encoding="utf-8")  # same size: the time tells
    stat = gitignore.stat()
    os.utime(gitignore, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert _found(tmp_path, *named) == ["a.py"]


def test_names_that_are_not_utf8_are_found_and_matched_by_globs(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    latin1 = os.fsdecode(b"caf\xe9.py")
    try:
        write(tmp_path, f"app/{latin1}", "x = 1\n")
    except (UnicodeEncodeError, OSError):
        pytest.skip("this file system takes only UTF-8 names")
    write(tmp_path, os.fsdecode(b"ignored\xff/x.py"), "x = 1\n")
    write(tmp_path, os.fsdecode(b"excluded\xfe/y.py"), "x = 1\n")
    # read as the .gitignore files are: their bytes that are not UTF-8 become U+FFFD
    (tmp_path / ".gitignore").write_bytes(b"ignored\xff/\n")
    write(tmp_path, "pyproject.toml", '[tool.fastapi-guardrails]\nextend-exclude = ["excluded*"]\n')
    assert _found(tmp_path) == [f"app/{latin1}"]
    assert _found(tmp_path, tmp_path / "app" / latin1) == [f"app/{latin1}"]


def test_a_file_and_a_link_to_it_are_found_once_under_the_files_own_name(
    tmp_path: Path,
) -> None:
    write(tmp_path, "pkg/target.py", "x = 1\n")
    os.symlink("target.py", tmp_path / "pkg" / "alias.py")  # met first in a sorted walk
    assert _found(tmp_path) == ["pkg/target.py"]
    assert _found(tmp_path, tmp_path / "pkg" / "alias.py") == ["pkg/alias.py"]
    named = [tmp_path / "pkg" / "alias.py", tmp_path / "pkg" / "target.py"]
    assert _found(tmp_path, *named) == ["pkg/target.py"]


def test_temporary_files_of_a_fix_are_never_found(tmp_path: Path) -> None:
    write(tmp_path, "app/main.py", "x = 1\n")
    write(tmp_path, "app/.main.py.fastapi-guardrails-123.tmp", "x = 1\n")
    assert _found(tmp_path) == ["app/main.py"]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_a_named_fifo_or_device_is_a_config_error_and_a_walk_skips_them(
    tmp_path: Path,
) -> None:
    write(tmp_path, "app/main.py", "x = 1\n")
    os.mkfifo(tmp_path / "app" / "pipe.py")
    os.symlink("/dev/null", tmp_path / "app" / "null.py")
    assert _found(tmp_path) == ["app/main.py"]
    settings = load_settings(CATALOG, tmp_path)
    for name in ("pipe.py", "null.py"):
        with pytest.raises(ConfigError, match="not a regular file"):
            discover([tmp_path / "app" / name], settings)


def test_a_package_named_build_is_code_and_a_build_output_is_not(tmp_path: Path) -> None:
    """onyx keeps live routes in `onyx/server/features/build/` (a namespace package of
    `features`): the nineteenth reader found the default exclude skipped it; `build/lib/`
    and `dist/` stay out, and a configured `exclude` is taken as written."""
    write(tmp_path, "pyproject.toml", '[project]\nname = "svc"\n')
    write(tmp_path, "app/__init__.py", "")
    write(tmp_path, "app/features/__init__.py", "")
    write(tmp_path, "app/features/build/api.py", "X = 1\n")  # a namespace package
    write(tmp_path, "app/dist/__init__.py", "")
    write(tmp_path, "build/lib/app/api.py", "X = 1\n")
    write(tmp_path, "dist/app/api.py", "X = 1\n")

    def found() -> list[str]:
        settings = load_settings(CATALOG, tmp_path)
        files = discover([tmp_path], settings)
        return sorted(p.relative_to(tmp_path).as_posix() for p in files)

    assert found() == [
        "app/__init__.py",
        "app/dist/__init__.py",
        "app/features/__init__.py",
        "app/features/build/api.py",
    ]
    # a file named on its own is skipped as a walk skips it
    settings = load_settings(CATALOG, tmp_path)
    assert discover([tmp_path / "build/lib/app/api.py"], settings) == []
    write(
        tmp_path,
        "pyproject.toml",
        '[project]\nname = "svc"\n[tool.fastapi-guardrails]\nexclude = ["build"]\n',
    )
    assert "app/features/build/api.py" not in found()
    assert "dist/app/api.py" in found()


def test_excludes_asked_file_by_file_answer_alike_with_the_folders_kept(tmp_path: Path) -> None:
    """A warm run asks `matches_exclude` of every file of a sub-project and keeps the
    folders' answers: a file's own glob still decides for each file of a kept folder."""
    from checks.discovery import matches_exclude

    write(
        tmp_path,
        "pyproject.toml",
        '[tool.fastapi-guardrails]\nextend-exclude = ["legacy/", "app/gen_*.py", "*/deep/"]\n',
    )
    names = (
        "app/main.py",
        "app/gen_client.py",
        "app/models.py",
        "legacy/old.py",
        "legacy/sub/older.py",
        "pkg/deep/x.py",
        "pkg/deep/more/y.py",
        "pkg/shallow/z.py",
        "top.py",
    )
    paths = [write(tmp_path, name, "x = 1\n") for name in names]
    settings = load_settings(CATALOG, tmp_path)
    alone = [matches_exclude(path, settings) for path in paths]
    folders: dict[str, bool] = {}
    kept = [matches_exclude(path, settings, folders) for path in paths]
    assert kept == alone == [False, True, False, True, True, True, True, False, False]
    assert folders["legacy/sub"]
    assert not folders["app"]


class _Later:
    """`time` as a run ten seconds from now sees it: every stamp the test made is settled
    (`RACY_SECONDS`); stamps are made old with `os.utime` where a later change must tell."""

    @staticmethod
    def time_ns() -> int:
        return time.time_ns() + 10_000_000_000


def _aged(*paths: Path) -> None:
    """Give paths a modification time a minute old: a change the test makes next gets
    another one, whatever the clock's tick."""
    old = time.time_ns() - 60_000_000_000
    for path in paths:
        os.utime(path, ns=(old, old))


def _all_folders(root: Path) -> list[Path]:
    return [root, *(path for path in root.rglob("*") if path.is_dir())]


def _memo_walk(root: Path, memo: WalkMemo, *paths: Path) -> list[str]:
    settings = load_settings(CATALOG, root)
    files = discover(list(paths) or [root], settings, memo=memo)
    return [p.relative_to(root).as_posix() for p in files]


def test_a_walk_memo_answers_for_unchanged_folders_without_listing_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As git's untracked cache: a warm run takes an unchanged folder's kept entries from
    the memo (no listing, no pattern); the same files come out, in the same order."""
    monkeypatch.setattr(discovery, "time", _Later)
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    write(tmp_path, ".gitignore", "generated/\n")
    for name in ("app/main.py", "app/api/routes.py", "generated/x.py", "b.py", "notes.txt"):
        write(tmp_path, name, "x = 1\n")
    _aged(*_all_folders(tmp_path), tmp_path / ".gitignore")
    memo = WalkMemo()
    first = _memo_walk(tmp_path, memo)
    assert first == ["app/api/routes.py", "app/main.py", "b.py"]
    assert memo.changed
    assert str(tmp_path / "app") in memo.folders
    again = WalkMemo(memo.folders)

    def no_listing(path: str) -> None:
        raise AssertionError(f"listed {path}")

    monkeypatch.setattr(discovery.os, "scandir", no_listing)
    assert _memo_walk(tmp_path, again) == first
    assert not again.changed


def test_a_walk_memo_sees_a_new_file_a_removed_one_and_a_changed_gitignore(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(discovery, "time", _Later)
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    gitignore = write(tmp_path, "app/.gitignore", "local.py\n")
    for name in ("app/main.py", "app/local.py", "app/old.py", "lib/util.py"):
        write(tmp_path, name, "x = 1\n")
    _aged(*_all_folders(tmp_path), gitignore)
    memo = WalkMemo()
    assert _memo_walk(tmp_path, memo) == ["app/main.py", "app/old.py", "lib/util.py"]
    write(tmp_path, "lib/new.py", "x = 1\n")
    (tmp_path / "app/old.py").unlink()
    memo = WalkMemo(memo.folders)
    assert _memo_walk(tmp_path, memo) == ["app/main.py", "lib/new.py", "lib/util.py"]
    gitignore.write_text("main.py\n", encoding="utf-8")  # the folder's entries stay
    _aged(tmp_path / "app")
    memo = WalkMemo(memo.folders)
    assert _memo_walk(tmp_path, memo) == ["app/local.py", "lib/new.py", "lib/util.py"]
    # a .gitignore above the walked folder counts as one in it
    write(tmp_path, ".gitignore", "util.py\n")
    memo = WalkMemo(memo.folders)
    assert _memo_walk(tmp_path, memo, tmp_path / "lib") == ["lib/new.py"]


def test_a_walk_memo_keeps_nothing_of_a_folder_changed_within_its_clock_tick(
    tmp_path: Path,
) -> None:
    """A folder changed less than `RACY_SECONDS` ago may change again with the same
    stamp: the memo keeps no answer for it (nor below a `.gitignore` that recent)."""
    write(tmp_path, "app/main.py", "x = 1\n")
    memo = WalkMemo()
    assert _memo_walk(tmp_path, memo) == ["app/main.py"]
    assert memo.folders == {}


def test_a_walk_memo_keeps_no_folder_whose_answer_lies_elsewhere(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A symlink's target and a build folder's `__init__.py` change without the folder
    holding them: such a folder is listed every time."""
    monkeypatch.setattr(discovery, "time", _Later)
    write(tmp_path, "target/x.py", "x = 1\n")
    write(tmp_path, "linked/keep.py", "x = 1\n")
    os.symlink(tmp_path / "target", tmp_path / "linked" / "alias")
    write(tmp_path, "out/build/gen.py", "x = 1\n")
    write(tmp_path, "plain/a.py", "x = 1\n")
    _aged(*_all_folders(tmp_path))
    memo = WalkMemo()
    found = _memo_walk(tmp_path, memo)
    assert "out/build/gen.py" not in found
    assert "linked/alias/x.py" in found
    assert str(tmp_path / "plain") in memo.folders
    assert str(tmp_path / "linked") not in memo.folders
    assert str(tmp_path / "out") not in memo.folders
    # the build folder becomes a package: the walk sees it, though `out/` kept its stamp
    write(tmp_path, "out/build/__init__.py", "")
    _aged(tmp_path / "out")
    assert "out/build/gen.py" in _memo_walk(tmp_path, WalkMemo(memo.folders))


def test_a_walk_memo_entry_it_did_not_write_is_no_answer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(discovery, "time", _Later)
    write(tmp_path, "app/main.py", "x = 1\n")
    _aged(*_all_folders(tmp_path))
    memo = WalkMemo()
    _memo_walk(tmp_path, memo)
    key = str(tmp_path / "app")
    for damaged in (
        None,
        [],
        "x",
        [*memo.folders[key][:5], [["../b.py", 3]]],
        [*memo.folders[key][:5], [["..", -1]]],
    ):
        folders = {**memo.folders, key: damaged}
        assert _memo_walk(tmp_path, WalkMemo(folders)) == ["app/main.py"]


def test_a_walk_memo_keeps_no_answer_for_a_project_folder_holding_its_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whether a folder beside `pyvenv.cfg` is the environment's is read inside it: the
    project's folder is listed again on each walk (a `lib` folder that becomes the
    environment's is then skipped), a folder of nothing but an environment is kept."""
    monkeypatch.setattr(discovery, "time", _Later)
    write(tmp_path, "pyvenv.cfg", "home = /usr\n")
    write(tmp_path, "app/main.py", "x = 1\n")
    write(tmp_path, "lib/helpers.py", "x = 1\n")
    write(tmp_path, "env/pyvenv.cfg", "home = /usr\n")
    write(tmp_path, "env/lib/python3.11/site-packages/m.py", "x = 1\n")
    _aged(*_all_folders(tmp_path))
    memo = WalkMemo()
    assert _memo_walk(tmp_path, memo) == ["app/main.py", "lib/helpers.py"]
    assert str(tmp_path) not in memo.folders
    assert str(tmp_path / "env") in memo.folders
    write(tmp_path, "lib/python3.11/site-packages/pkg.py", "x = 1\n")
    _aged(*_all_folders(tmp_path))
    assert _memo_walk(tmp_path, WalkMemo(memo.folders)) == ["app/main.py"]

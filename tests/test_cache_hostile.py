"""The cache is never trusted blindly: whatever its files hold, a run reports what a run
without a cache reports, and neither fails, hangs nor runs out of memory; a killed run
leaves nothing behind for long; a run snapshot is not used once a module its run looked
for and did not find appears."""

from __future__ import annotations

import copy
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import checks
import checks.cache
import checks.run
from checks import __version__
from checks.cache import (
    ABSENT,
    CACHE_DIR_NAME,
    MAX_CACHE_BYTES,
    Cache,
    encode_cache_file,
    prune_temporary_files,
    read_cache_file,
    stamp_of,
    with_header,
)
from checks.findings import Edit, FileResult, Finding, Fix, HeldBack, Location
from checks.project import Condition, ModuleLocator, ModuleSummary
from tests.helpers import count_parsed, run_cli, write
from tests.test_cache import DEMO_PYPROJECT, JOBS, ROUTES, SCHEMAS

ROUTE_FILES = [f"app/routes_{n:02}.py" for n in range(22)]


def _age(root: Path, seconds: int = 3600) -> None:
    """Make every file look written an hour ago: a stamp is only trusted then."""
    past = time.time() - seconds
    for path in root.rglob("*"):
        if path.is_file() and CACHE_DIR_NAME not in path.parts:
            os.utime(path, (past, past))


def _age_file(path: Path, seconds: int) -> None:
    past = time.time() - seconds
    os.utime(path, (past, past))


def _project(root: Path) -> list[str]:
    """A project whose run (the paths returned) fills every kind of cache entry: definite
    findings (jobs.py), pending ones with a fix (the routes), the summary of a module
    read from outside the run (schemas.py), and the run's snapshot (22 routes)."""
    write(root, "pyproject.toml", DEMO_PYPROJECT)
    write(root, "app/__init__.py", "")
    write(root, "app/schemas.py", SCHEMAS)
    write(root, "app/jobs.py", JOBS)
    for route in ROUTE_FILES:
        write(root, route, ROUTES)
    _age(root)
    return [str(root / "app/jobs.py"), *(str(root / route) for route in ROUTE_FILES)]


@pytest.fixture
def parsed(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The files the run parses (checks with the engine)."""
    return count_parsed(monkeypatch)


# ------------------------------------------------------------ hostile contents
def _findings_in(value: Any) -> Iterator[list[Any]]:
    """The findings a cache file holds: `[code, message, [row, column, ...], fix]`."""
    if isinstance(value, list):
        if len(value) == 4 and isinstance(value[0], str) and value[0].startswith("FG"):
            yield value
            return
        for item in value:
            yield from _findings_in(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _findings_in(item)


def _with_json(transform: Callable[[Any], Any]) -> Callable[[Path], None]:
    """Rewrite a cache file's JSON, with the checksum of what it then holds (values a
    damaged file would not have, but a checksum cannot rule out)."""

    def apply(path: Path) -> None:
        data = read_cache_file(path)
        assert data is not None
        body = json.dumps(transform(data)).encode()  # NaN and Infinity as JavaScript writes them
        body = body.replace(b'"HUGE"', b"9" * 5000).replace(b'"E400"', b"1e400")
        path.write_bytes(with_header(body))

    return apply


def _each_finding(change: Callable[[list[Any]], None]) -> Callable[[Path], None]:
    def transform(data: Any) -> Any:
        findings = list(_findings_in(data))
        assert findings
        for finding in findings:
            change(finding)
        return data

    return _with_json(transform)


def _set(index: int, value: Any, inner: int | None = None) -> Callable[[list[Any]], None]:
    def change(finding: list[Any]) -> None:
        if inner is None:
            finding[index] = value
        elif finding[index] is not None:
            finding[index][inner] = value

    return change


def _shifted_row_as_text(finding: list[Any]) -> None:
    finding[2][0] = str(finding[2][0] + 7)


def _dicts_as_lists(value: Any) -> Any:
    if isinstance(value, dict):
        return [[key, _dicts_as_lists(item)] for key, item in value.items()]
    if isinstance(value, list):
        return [_dicts_as_lists(item) for item in value]
    return value


def _lists_as_dicts(value: Any) -> Any:
    if isinstance(value, list):
        return {str(n): _lists_as_dicts(item) for n, item in enumerate(value)}
    if isinstance(value, dict):
        return {key: _lists_as_dicts(item) for key, item in value.items()}
    return value


def _numbers_as_text(value: Any) -> Any:
    if isinstance(value, list):
        return [_numbers_as_text(item) for item in value]
    if isinstance(value, dict):
        return {key: _numbers_as_text(item) for key, item in value.items()}
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


def _raw(content: bytes) -> Callable[[Path], None]:
    def apply(path: Path) -> None:
        path.write_bytes(content)

    return apply


def _truncated(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _damaged(path: Path) -> None:
    """One message changed, the checksum kept: a bit flipped on disk."""
    data = path.read_bytes()
    assert b"Pydantic v1 API" in data
    path.write_bytes(data.replace(b"Pydantic v1 API", b"Pydantic v3 API", 1))


def _foreign_format(path: Path) -> None:
    path.write_bytes(
        path.read_bytes().replace(b"fastapi-guardrails-cache 3 ", b"fastapi-guardrails-cache 2 ", 1)
    )


def _fifo(path: Path) -> None:
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs here")
    path.unlink()
    os.mkfifo(path)


def _symlink_to(target: str) -> Callable[[Path], None]:
    def apply(path: Path) -> None:
        if not os.path.exists(target):
            pytest.skip(f"no {target} here")
        path.unlink()
        path.symlink_to(target)

    return apply


def _symlink_to_a_copy(path: Path) -> None:
    """Even a sound cache file is not read through a symlink."""
    copy_ = path.with_name(f"copy-of-{path.stem}.bin")
    path.rename(copy_)
    path.symlink_to(copy_)


def _directory(path: Path) -> None:
    path.unlink()
    path.mkdir()


def _oversized(path: Path) -> None:
    """Larger than a cache file may be (sparse: no disk is used)."""
    with path.open("r+b") as stream:
        stream.truncate(MAX_CACHE_BYTES + 1)


def _deep_lists(path: Path) -> None:
    path.write_bytes(with_header(b"[" * 100_000 + b"]" * 100_000))


def _deep_objects(path: Path) -> None:
    path.write_bytes(with_header(b'{"files":' * 100_000 + b"{}" + b"}" * 100_000))


def _deep_unsigned(path: Path) -> None:
    path.write_bytes(b"[" * 100_000 + b"]" * 100_000)


HOSTILE: dict[str, Callable[[Path], None]] = {
    # values of the wrong kind, with a checksum that matches
    "row-infinity": _each_finding(_set(2, float("inf"), 0)),
    "row-nan": _each_finding(_set(2, float("nan"), 0)),
    "code-nan": _each_finding(_set(0, float("nan"))),
    "code-infinity": _each_finding(_set(0, float("-inf"))),
    "row-float": _each_finding(_set(2, 5.0, 0)),
    "row-1e400": _each_finding(_set(2, "E400", 0)),
    "row-as-text": _each_finding(_shifted_row_as_text),
    "row-negative": _each_finding(_set(2, -3, 0)),
    "row-huge": _each_finding(_set(2, 10**30, 0)),
    "row-5000-digits": _each_finding(_set(2, "HUGE", 0)),
    "row-boolean": _each_finding(_set(2, True, 0)),
    "code-number": _each_finding(_set(0, 201)),
    "message-list": _each_finding(_set(1, ["a", "b"])),
    "fix-text": _each_finding(_set(3, "safe")),
    "fix-applicability-other": _each_finding(_set(3, "always", 0)),
    "fix-edits-dict": _each_finding(_set(3, {"0": ["x", 1, 1, 1, 1]}, 2)),
    "dicts-as-lists": _with_json(_dicts_as_lists),
    "lists-as-dicts": _with_json(_lists_as_dicts),
    "numbers-as-text": _with_json(_numbers_as_text),
    "not-an-object": _with_json(lambda data: [data]),
    # files of the wrong kind or size
    "deep-lists": _deep_lists,
    "deep-objects": _deep_objects,
    "deep-unsigned": _deep_unsigned,
    "binary": _raw(bytes(range(256)) * 16),
    "empty": _raw(b""),
    "truncated": _truncated,
    "damaged": _damaged,
    "foreign-format": _foreign_format,
    "fifo": _fifo,
    "symlink-to-dev-zero": _symlink_to("/dev/zero"),
    "symlink-to-a-sound-copy": _symlink_to_a_copy,
    "directory": _directory,
    "oversized": _oversized,
}


@pytest.mark.timeout(120)
@pytest.mark.parametrize("kind", list(HOSTILE))
def test_hostile_content_in_every_cache_file_leaves_the_findings_unchanged(
    tmp_path: Path, kind: str
) -> None:
    paths = _project(tmp_path)
    expected = run_cli("check", "--no-cache", "--output-format", "json", *paths)
    assert expected.exit_code == 1
    assert expected.stdout.count('"FG201"') == 22
    assert '"FG301"' in expected.stdout
    run_cli("check", *paths)  # the per-file entries, the summary of schemas.py, the snapshot
    cache_files = sorted((tmp_path / CACHE_DIR_NAME).rglob("*.json"))
    assert len(cache_files) == 2
    assert sum("-run-" in f.name for f in cache_files) == 1
    for cache_file in cache_files:
        HOSTILE[kind](cache_file)

    hostile = run_cli("check", "--output-format", "json", *paths)

    assert (hostile.exit_code, hostile.stdout, hostile.stderr) == (
        expected.exit_code,
        expected.stdout,
        "",
    )
    for cache_file in cache_files:  # recomputed and written afresh
        assert read_cache_file(cache_file) is not None
    again = run_cli("check", "--output-format", "json", *paths)
    assert (again.exit_code, again.stdout, again.stderr) == (
        expected.exit_code,
        expected.stdout,
        "",
    )


# ------------------------------------------------------------- reading a file
@pytest.mark.timeout(30)
def test_a_fifo_is_not_opened(tmp_path: Path) -> None:
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs here")
    fifo = tmp_path / "cache.json"
    os.mkfifo(fifo)
    assert read_cache_file(fifo) is None


@pytest.mark.timeout(30)
def test_a_symlink_is_not_followed(tmp_path: Path) -> None:
    sound = tmp_path / "sound.json"
    sound.write_bytes(encode_cache_file({"files": {}}))
    assert read_cache_file(sound) == {"files": {}}
    link = tmp_path / "link.json"
    link.symlink_to(sound)
    assert read_cache_file(link) is None
    if os.path.exists("/dev/zero"):
        zero = tmp_path / "zero.json"
        zero.symlink_to("/dev/zero")
        assert read_cache_file(zero) is None


def test_a_file_past_the_size_cap_is_not_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    big = tmp_path / "big.json"
    big.write_bytes(encode_cache_file({"files": {}}))
    with big.open("r+b") as stream:
        stream.truncate(MAX_CACHE_BYTES + 1)

    def no_read(*args: object) -> bytes:
        raise AssertionError("a file past the cap must not be read")

    monkeypatch.setattr(os, "read", no_read)
    assert read_cache_file(big) is None


_DEEP = b"[" * 17 + b"]" * 17


@pytest.mark.parametrize(
    ("body", "nested_as_written"),
    [
        (b'[{"a": "[[[[[[[[[[[[[[[[[[[[[[[["}, [[[[]]]]]', True),  # brackets in a string
        (b'["\\"[[[[[[[[[[[[[[[[[[[[["]', True),  # an escaped quote, then brackets
        (b"[" * 16 + b"]" * 16, True),
        (_DEEP, False),
        (b'[{"files": {}}, ' + _DEEP + b"]", False),
        (b'["]]]]]]]]]]]]]]]]]]]]]]]", ' + _DEEP + b"]", False),  # closed in a string
        (b'["a\\\\", ' + _DEEP + b"]", False),  # an escaped backslash ends the string
        (b'["\\"]]]]]]]]]]]]]]]]]]]", ' + _DEEP + b"]", False),
        # strings longer than the chunks counted at a time
        (b'["' + b"[" * 70_000 + b'", "' + b"{" * 70_000 + b'", [[]]]', True),
        ((b'["' + b"]" * 70_000 + b'", ') * 17 + b"1" + b"]" * 17, False),
    ],
)
def test_nesting_deeper_than_the_cache_writes_is_not_parsed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, body: bytes, nested_as_written: bool
) -> None:
    path = tmp_path / "cache.json"
    path.write_bytes(with_header(body))
    if nested_as_written:
        assert read_cache_file(path) == json.loads(body)
    else:
        monkeypatch.setattr(json, "loads", lambda *a, **k: pytest.fail("parsed"))
        assert read_cache_file(path) is None


@pytest.mark.parametrize("number", [b"NaN", b"Infinity", b"-Infinity", b"1e400", b"1.5"])
def test_floats_nan_and_infinities_make_a_file_foreign(tmp_path: Path, number: bytes) -> None:
    path = tmp_path / "cache.json"
    path.write_bytes(with_header(b'{"files": {"x": [' + number + b"]}}"))
    assert read_cache_file(path) is None


#: values a cache never holds where it holds anything else
_WRONG_VALUES: list[Any] = [
    None,
    True,
    -1,
    0,
    10**30,
    "7",
    "",
    [],
    {},
    [[]],
    1.5,
    float("inf"),
    float("nan"),
]


def _places(value: Any, at: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every place in a JSON value (the keys and indexes that lead to it)."""
    yield at
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _places(item, (*at, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _places(item, (*at, index))


def _replaced(data: Any, at: tuple[Any, ...], value: Any) -> Any:
    if not at:
        return value
    changed = copy.deepcopy(data)
    holder = changed
    for step in at[:-1]:
        holder = holder[step]
    holder[at[-1]] = value
    return changed


def _assert_well_formed(finding: Finding) -> None:
    assert type(finding.code) is str
    assert type(finding.message) is str
    locations = [finding.start, finding.end]
    if finding.fix is not None:
        assert finding.fix.applicability in {"safe", "unsafe"}
        assert type(finding.fix.message) is str
        assert all(type(name) is str for name in finding.fix.releases)
        for edit in finding.fix.edits:
            assert type(edit.content) is str
            locations += [edit.start, edit.end]
    for location in locations:
        assert type(location.row) is int
        assert 1 <= location.row < 2**31
        assert type(location.column) is int
        assert 1 <= location.column < 2**31


def _assert_summary_well_formed(summary: ModuleSummary | None) -> None:
    if summary is None:
        return
    assert type(summary.module) is str
    for name, bases in summary.classes.items():
        assert type(name) is str
        assert all(b is None or type(b) is str for b in bases)
    assert all(type(k) is str and type(v) is str for k, v in summary.imports.items())


def _sample_finding(path: Path) -> Finding:
    fix = Fix(
        "safe",
        "Use `.model_dump()`",
        (Edit("model_dump", Location(5, 17), Location(5, 21)),),
        ("json",),
    )
    return Finding(
        path, "FG201", "`.dict()` is the Pydantic v1 API", Location(5, 12), Location(5, 23), fix
    )


def test_every_wrong_value_in_an_entry_is_no_entry(tmp_path: Path) -> None:
    """Each place of a results file, given each value the cache never writes there:
    never an error, and what is answered is well formed (or nothing)."""
    routes, schemas = tmp_path / "app/routes.py", tmp_path / "app/schemas.py"
    summary = ModuleSummary(
        "app.routes",
        {"app.routes.Page": ("app.schemas.UserRead", None)},
        {"U": "app.schemas.UserRead"},
    )
    condition = Condition(("app.schemas.UserRead",), frozenset({"pydantic.BaseModel"}))
    finding = _sample_finding(routes)
    key, stamp = "digest|route||app.routes|False", [120, 1_700_000_000_000_000_000]
    cache = Cache(tmp_path / "cache", {"FG201"})
    cache.put(
        routes, key, FileResult(routes, [finding], None, [(finding, condition)], summary), stamp
    )
    cache.put_summary(schemas, "digest|app.schemas", ModuleSummary("app.schemas", {}, {}))
    cache.save()
    sound = read_cache_file(cache.file)
    assert sound is not None

    answers = 0
    for at in list(_places(sound)):
        for value in _WRONG_VALUES:
            cache.file.write_bytes(with_header(json.dumps(_replaced(sound, at, value)).encode()))
            fresh = Cache(tmp_path / "cache", {"FG201"})
            for result in (
                fresh.get(routes, key, b""),
                fresh.lookup(routes, stamp, key.partition("|")[2]),
            ):
                if result is not None:
                    answers += 1
                    for each in [*result.findings, *(f for f, _ in result.pending)]:
                        _assert_well_formed(each)
                    for _, kept in result.pending:
                        assert all(type(r) is str for r in [*kept.refs, *kept.roots])
                    _assert_summary_well_formed(result.summary)
            _found, loaded = fresh.get_summary(schemas, "digest|app.schemas")
            _assert_summary_well_formed(loaded)
    assert answers  # a wrong stamp, say, still answers `get`


def test_every_wrong_value_in_a_snapshot_is_no_snapshot(tmp_path: Path) -> None:
    checked = write(tmp_path, "app/routes.py", ROUTES)
    read = write(tmp_path, "app/schemas.py", SCHEMAS)
    _age(tmp_path)
    finding = _sample_finding(checked)
    cache = Cache(tmp_path / "cache", {"FG201"})
    stamps = [(checked, stamp_of(checked.stat())), (read, stamp_of(read.stat()))]
    held = HeldBack({"FG101": 2}, {"FG201": 3})
    others = [stamps[1], (tmp_path / "app/models.py", ABSENT)]
    cache.save_run("run", stamps[:1], others, [finding], held=held)
    assert cache.load_run("run", [checked]) == [finding]
    assert cache.held_back == held
    (snapshot_file,) = cache.file.parent.glob("*-run-*.json")
    sound = read_cache_file(snapshot_file)

    for at in list(_places(sound)):
        for value in _WRONG_VALUES:
            snapshot_file.write_bytes(with_header(json.dumps(_replaced(sound, at, value)).encode()))
            fresh = Cache(tmp_path / "cache", {"FG201"})
            answered = fresh.load_run("run", [checked])
            for each in answered or []:
                _assert_well_formed(each)
            counts = [*fresh.held_back.findings.values(), *fresh.held_back.files.values()]
            assert all(type(n) is int and n > 0 for n in counts)


def test_a_cache_past_the_size_cap_keeps_only_the_entries_of_its_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Written whole, it would never be read again: the files of this run keep theirs."""
    old, new = tmp_path / "old.py", tmp_path / "new.py"
    cache = Cache(tmp_path / "cache", {"FG201"})
    cache.put(old, "old-key", FileResult(old, [_sample_finding(old)] * 10, None))
    cache.save()
    monkeypatch.setattr(checks.cache, "MAX_CACHE_BYTES", cache.file.stat().st_size + 200)

    cache = Cache(tmp_path / "cache", {"FG201"})
    assert cache.get(old, "old-key", b"") is not None  # read: below the cap
    cache = Cache(tmp_path / "cache", {"FG201"})
    cache.put(new, "new-key", FileResult(new, [_sample_finding(new)] * 10, None))
    cache.save()

    fresh = Cache(tmp_path / "cache", {"FG201"})
    assert fresh.get(new, "new-key", b"") is not None
    assert fresh.get(old, "old-key", b"") is None


# --------------------------------------------------- leftovers of killed runs
def _dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


_STUCK_WRITER = textwrap.dedent(
    """
    import os, sys, time
    from pathlib import Path

    from checks.cache import Cache
    from checks.findings import FileResult, Finding, Location

    def stuck(source, target):  # the rename that ends a write never comes
        print("writing", flush=True)
        time.sleep(120)

    os.replace = stuck
    path = Path(sys.argv[2])
    finding = Finding(path, "FG301", "x" * 2_800_000, Location(1, 1), Location(1, 2))
    cache = Cache(Path(sys.argv[1]), {"FG301"})
    cache.put(path, "key", FileResult(path, [finding], None))
    cache.save()
    """
)


@pytest.mark.timeout(120)
def test_a_run_killed_while_writing_leaves_nothing_the_next_run_keeps(tmp_path: Path) -> None:
    if not hasattr(signal, "SIGKILL"):
        pytest.skip("no SIGKILL here")
    paths = _project(tmp_path)
    directory = tmp_path / CACHE_DIR_NAME
    writer = subprocess.Popen(
        [sys.executable, "-c", _STUCK_WRITER, str(directory), paths[0]],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(Path(checks.__file__).parents[1])},
        stdout=subprocess.PIPE,
    )
    assert writer.stdout is not None
    assert writer.stdout.readline() == b"writing\n"
    writer.send_signal(signal.SIGKILL)
    writer.wait()
    folder = directory / __version__
    (leftover,) = folder.glob(".tmp-*")
    assert leftover.name.startswith(f".tmp-{writer.pid}-")  # named after its writer
    assert leftover.stat().st_size > 2_800_000

    result = run_cli("check", *paths)

    assert "FG301" in result.stdout
    assert result.stderr == ""
    assert not list(folder.glob(".tmp-*"))


def test_temporary_files_of_dead_writers_and_old_ones_are_pruned(tmp_path: Path) -> None:
    def leftover(name: str, age: int = 0) -> Path:
        path = tmp_path / name
        path.write_bytes(b"{}")
        past = time.time() - age
        os.utime(path, (past, past))
        return path

    dead, alive = _dead_pid(), os.getpid()
    gone = [
        leftover(f".tmp-{dead}-abcd1234"),  # its writer was killed
        leftover(f".tmp-{alive}-old12345", 3600),  # a process id reused since
        leftover(".tmp-k3_x9az0", 3600),  # written by an earlier version
    ]
    kept = [
        leftover(f".tmp-{alive}-abcd1234"),  # a write under way
        leftover(".tmp-k3_x9az1"),  # an earlier version's write under way
        leftover(".tmp-notes.txt", 3600),  # not a name the cache gives
        leftover("notes.txt", 3600),
    ]
    (tmp_path / f".tmp-{dead}-folder").mkdir()
    kept.append(tmp_path / f".tmp-{dead}-folder")

    prune_temporary_files(tmp_path)

    assert [p for p in gone if os.path.lexists(p)] == []
    assert [p for p in kept if not os.path.lexists(p)] == []


def test_a_symlinked_folder_of_the_cache_is_neither_written_nor_pruned(tmp_path: Path) -> None:
    paths = _project(tmp_path / "project")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    theirs = [elsewhere / f"a-run-{n}.json" for n in range(20)] + [
        elsewhere / f".tmp-{_dead_pid()}-x"
    ]
    for path in theirs:
        path.write_text("not ours")
    cache = tmp_path / "project" / CACHE_DIR_NAME
    cache.mkdir()
    (cache / __version__).symlink_to(elsewhere)
    (cache / ".gitignore").symlink_to(tmp_path / "outside.txt")

    expected = run_cli("check", "--no-cache", *paths)
    result = run_cli("check", *paths)

    assert (result.stdout, result.stderr) == (expected.stdout, "")
    assert sorted(elsewhere.iterdir()) == sorted(theirs)
    assert not (tmp_path / "outside.txt").exists()


# ------------------------------------------------- snapshots and new modules
def test_the_locator_rules_out_every_path_that_would_answer_first(tmp_path: Path) -> None:
    write(tmp_path, "app/__init__.py", "")
    write(tmp_path, "app/schemas/__init__.py", "")
    locator = ModuleLocator([tmp_path, tmp_path / "src"])

    ruled_out: list[Path] = []
    assert locator.find("app.schemas", ruled_out) == tmp_path / "app/schemas/__init__.py"
    assert ruled_out == [tmp_path / "app/schemas.py"]

    ruled_out = []
    assert locator.find("app.models", ruled_out) is None
    assert ruled_out == [
        root / name
        for root in (tmp_path, tmp_path / "src")
        for name in (
            "app/models.py",
            "app/models/__init__.py",
            "app/models.pyi",
            "app/models/__init__.pyi",
        )
    ]

    locator.add_enclosing_folders(tmp_path / "backend/service/main.py", tmp_path)
    ruled_out = []
    assert locator.find("onyx.db", ruled_out) is None
    assert ruled_out[-2:] == [
        tmp_path / "backend/service/onyx/__init__.py",
        tmp_path / "backend/onyx/__init__.py",
    ]


def test_a_snapshot_is_not_used_once_a_path_probed_for_a_module_is_a_file(tmp_path: Path) -> None:
    checked = write(tmp_path, "app/api/routes.py", ROUTES)
    _age(tmp_path)
    finding = _sample_finding(checked)
    cache = Cache(tmp_path / "cache", {"FG201"})
    probed = tmp_path / "app/schemas.py"
    cache.save_run("run", [(checked, stamp_of(checked.stat()))], [(probed, ABSENT)], [finding])
    assert cache.load_run("run", [checked]) == [finding]

    write(tmp_path, "app/schemas.py", SCHEMAS)  # a branch switch brings the module

    assert cache.load_run("run", [checked]) is None


class _Later:
    """`time` as a run ten seconds from now sees it: the folders the test made are
    settled, and their stamps trusted (`checks.cache._folder_stamp`)."""

    @staticmethod
    def time_ns() -> int:
        return time.time_ns() + 10_000_000_000

    @staticmethod
    def time() -> float:
        return time.time() + 10


@pytest.mark.parametrize("appears", ["app/schemas.py", "lib/pkg/mod/__init__.py"])
def test_paths_probed_under_an_unchanged_folder_are_not_looked_up_one_by_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, appears: str
) -> None:
    """The probed paths are kept under the nearest folder that exists (`app/`, or the
    root for `lib/pkg/mod/`): while its stamp stands none is looked up; a module created
    there, in a folder that did not exist either, changes that stamp."""
    monkeypatch.setattr(checks.cache, "time", _Later)
    checked = write(tmp_path, "app/api/routes.py", ROUTES)
    _age(tmp_path)
    old = time.time_ns() - 60_000_000_000
    for folder in (tmp_path, tmp_path / "app", tmp_path / "app/api"):
        os.utime(folder, ns=(old, old))
    finding = _sample_finding(checked)
    cache = Cache(tmp_path.parent / f"{tmp_path.name}-cache", {"FG201"})
    probed = [tmp_path / "app/schemas.py", tmp_path / "lib/pkg/mod/__init__.py"]
    stamp = stamp_of(checked.stat())
    cache.save_run("run", [(checked, stamp)], [(path, ABSENT) for path in probed], [finding])
    looked_up: list[str] = []
    isfile = os.path.isfile

    def counted(path: str) -> bool:
        looked_up.append(str(path))
        return isfile(path)

    monkeypatch.setattr(checks.cache.os.path, "isfile", counted)
    assert cache.load_run("run", [checked]) == [finding]
    assert not {str(path) for path in probed} & set(looked_up)

    write(tmp_path, appears, SCHEMAS)  # a branch switch brings the module

    assert cache.load_run("run", [checked]) is None


def test_a_snapshot_is_not_used_once_an_import_that_did_not_resolve_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, parsed: list[Path]
) -> None:
    """A run on app/api, whose routes import `app.schemas` where no such module exists
    yet: `user.dict()` is no finding, as nothing says UserRead is a Pydantic model. A
    branch switch brings app/schemas.py, outside the run's paths: the next run on app/api
    must see it, not answer from its snapshot."""
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "pyproject.toml", DEMO_PYPROJECT)
    write(tmp_path, "app/__init__.py", "")
    write(tmp_path, "app/api/__init__.py", "")
    for n in range(22):
        write(tmp_path, f"app/api/routes_{n:02}.py", ROUTES)
    _age(tmp_path)
    first = run_cli("check", "app/api")
    assert "FG201" not in first.stdout
    parsed.clear()
    assert run_cli("check", "app/api").stdout == first.stdout
    assert parsed == []  # answered by the run's snapshot

    write(tmp_path, "app/schemas.py", SCHEMAS)  # git switch feature-with-schemas
    _age_file(tmp_path / "app/schemas.py", 600)  # the checked files keep their stamps

    assert run_cli("check", "app/api").stdout.count("FG201") == 22


def test_a_snapshot_is_not_used_once_a_package_appears_above_the_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """conf/helpers/*.py read the environment. While conf/ is no package they are modules
    `helpers.*`, not configuration: FG407. A branch that makes conf/ a package (its
    `__init__.py`, above the checked folder) makes them `conf.helpers.*`, configuration."""
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "pyproject.toml", DEMO_PYPROJECT)
    write(tmp_path, "conf/helpers/__init__.py", "")
    for n in range(22):
        write(
            tmp_path, f"conf/helpers/reader_{n:02}.py", "import os\n\nDEBUG = os.environ['DEBUG']\n"
        )
    _age(tmp_path)
    assert run_cli("check", "--select", "FG407", "conf/helpers").stdout.count("FG407") == 22
    assert run_cli("check", "--select", "FG407", "conf/helpers").stdout.count("FG407") == 22

    write(tmp_path, "conf/__init__.py", "")
    _age_file(tmp_path / "conf/__init__.py", 600)  # the checked files keep their stamps

    assert "FG407" not in run_cli("check", "--select", "FG407", "conf/helpers").stdout

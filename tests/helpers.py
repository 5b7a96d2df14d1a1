"""Helpers shared by the checker's tests: check a snippet, run the CLI in-process."""

from __future__ import annotations

import asyncio
import functools
import io
import json
import operator
import queue
import sys
import tempfile
import textwrap
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from checks.cli import main
from checks.config import DEFAULT_LAYERS, LayerMatcher, layer_with_text
from checks.engine import Engine
from checks.findings import FileResult, Finding
from checks.fixer import fix_source
from checks.project import ProjectIndex, summarize_source
from checks.project_facts import PYDANTIC_CODES, pydantic_1_named
from checks.pydantic_target import PydanticTarget
from checks.rules import ALL_RULES, RULES_BY_CODE

_LAYERS = LayerMatcher.from_globs(DEFAULT_LAYERS)
_ENGINE = Engine(ALL_RULES)


def check_code(
    source: str,
    path: str = "app/example.py",
    project: Sequence[tuple[str, str]] = (),
    engine: Engine = _ENGINE,
) -> list[Finding]:
    """All findings of every rule (default or not) on a dedented snippet at `path`, in a
    project of which nothing else is known: findings that depend on other modules are
    left out, those that depend on a project fact (`checks.project_facts`: a settings
    module) are kept, as the examples show the service these rules are for."""
    code = textwrap.dedent(source).lstrip("\n")
    pins = tuple((name, text) for name, text in project if not name.endswith(".py"))
    if pins:
        # a dependency file of the example's project (`requirements.txt`): its Pydantic
        # target is the one those pins decide, as a run's is (`PydanticTarget`)
        engine = _pinned_engine(pins)
        project = [(name, text) for name, text in project if name.endswith(".py")]
        return _check_in_project(code, path, project, engine)
    if project:
        return _check_in_project(code, path, project, engine)
    data = code.encode()
    result = checked_with_facts(engine, path, data, layer_with_text(_LAYERS.layer_of(path), data))
    facts = [finding for finding, condition in result.pending if condition.fact is not None]
    return sorted([*result.findings, *facts], key=Finding.sort_key)


_PIN_FOLDERS: list[tempfile.TemporaryDirectory[str]] = []


@functools.cache
def _pinned_engine(pins: tuple[tuple[str, str], ...]) -> Engine:
    """An engine whose Pydantic target is read from these dependency files, written to a
    folder of their own (kept until the tests end)."""
    folder = tempfile.TemporaryDirectory(prefix="fg-pins-")
    _PIN_FOLDERS.append(folder)
    for name, text in pins:
        (Path(folder.name) / name).write_text(textwrap.dedent(text))
    return Engine(ALL_RULES, pydantic_target=PydanticTarget(Path(folder.name)))


def checked_with_facts(engine: Engine, path: str, data: bytes, layer: str | None) -> FileResult:
    """A snippet's result, the rules that wait on a project fact run (their findings
    that depend on one are kept, as the examples show the service the rules are for)."""
    result = engine.check(Path(path), data, layer)
    waiting = frozenset(rule for rule, condition in result.deferred if condition.fact is not None)
    if waiting:
        result = engine.check(Path(path), data, layer, unscreened=waiting)
    return result


def _check_in_project(
    code: str, path: str, project: Sequence[tuple[str, str]], engine: Engine
) -> list[Finding]:
    """The findings of `code` at `path` as a module of a project of the other files
    `project` names (`Example.project`), its conditional findings settled by their
    summaries (each file's module named by its path, as if every folder were a package;
    the other files summarised as a run summarises the modules it does not check)."""

    def module_of(relative: str) -> tuple[str, bool]:
        module, _, name = relative.removesuffix(".py").replace("/", ".").rpartition(".")
        return (module, True) if name == "__init__" else (f"{module}.{name}".lstrip("."), False)

    module, is_package = module_of(path)
    data = code.encode()
    layer = layer_with_text(_LAYERS.layer_of(path), data)
    result = engine.check(Path(path), data, layer, frozenset(), module, is_package)
    # a file whose rules wait for the index (`FileResult.deferred`) is summarised as the
    # run's index summarises a file it did not parse
    summaries = [result.summary or summarize_source(data, module, is_package)]
    for relative, text in project:
        source = textwrap.dedent(text).lstrip("\n").encode()
        summaries.append(summarize_source(source, *module_of(relative)))
    # the selection's facts the engine's target knows (a Pydantic rule named on target 1)
    named: frozenset[str] = getattr(engine.pydantic_target, "named", frozenset())
    facts = {
        pydantic_1_named(code): functools.partial(operator.contains, named, code)
        for code in PYDANTIC_CODES
    }
    index = ProjectIndex((summary for summary in summaries if summary is not None), facts=facts)
    wanted = frozenset(rule for rule, condition in result.deferred if index.holds(condition))
    if wanted:  # as `checks.run.settle`
        result = engine.check(
            Path(path), data, layer, frozenset(), module, is_package, unscreened=wanted
        )
    # of a node's alternative reports, the first that holds (as `checks.run.resolve_with`)
    settled: dict[tuple[str, Any, Any], Finding] = {}
    for finding, condition in result.pending:
        place = (finding.code, finding.start, finding.end)
        if place not in settled and index.holds(condition):
            settled[place] = finding
    return sorted([*result.findings, *settled.values()], key=Finding.sort_key)


def fix_code(
    source: str,
    select: str,
    path: str = "app/example.py",
    unsafe: bool = False,
    pins: tuple[tuple[str, str], ...] = (),
) -> str:
    """A snippet after `--fix` with only the rule `select` (and `--unsafe-fixes`), in a
    project of these dependency files (`pins`: its Pydantic target)."""
    target = _pinned_engine(pins).pydantic_target if pins else None
    engine = Engine([RULES_BY_CODE[select]], pydantic_target=target)
    layer = _LAYERS.layer_of(path)

    def check(data: bytes) -> tuple[list[Finding], str | None]:
        result = checked_with_facts(engine, path, data, layer_with_text(layer, data))
        # a finding that depends on a project fact stands, as in `check_code`
        facts = [finding for finding, condition in result.pending if condition.fact is not None]
        return sorted([*result.findings, *facts], key=Finding.sort_key), result.text

    code = textwrap.dedent(source).lstrip("\n")
    outcome = fix_source(code.encode(), check, unsafe)
    return (outcome.source or code.encode()).decode()


def codes(source: str, path: str = "app/example.py") -> list[str]:
    """The codes found in a snippet, in position order."""
    return [finding.code for finding in check_code(source, path)]


def positions(source: str, code: str, path: str = "app/example.py") -> list[tuple[int, int]]:
    """(row, column) of each finding of `code`, 1-based."""
    return [(f.start.row, f.start.column) for f in check_code(source, path) if f.code == code]


@dataclass
class CliResult:
    exit_code: int
    stdout: str
    stderr: str


def run_cli(*args: str, stdin: bytes | None = None) -> CliResult:
    """Run `fastapi-guardrails ARGS` in this process and capture its output."""
    out, err = io.StringIO(), io.StringIO()
    saved_stdin = sys.stdin
    if stdin is not None:
        sys.stdin = io.TextIOWrapper(io.BytesIO(stdin))
    try:
        with redirect_stdout(out), redirect_stderr(err):
            exit_code = main(list(args))
    finally:
        sys.stdin = saved_stdin
    return CliResult(exit_code, out.getvalue(), err.getvalue())


def checked_package(root: Path, files: dict[str, str]) -> list[dict[str, Any]]:
    """The default run's findings (JSON) on a project `svc` with a package `app` of
    `files`."""
    write(root, "pyproject.toml", "[project]\nname = 'svc'\n")
    write(root, "app/__init__.py", "")
    for name, text in files.items():
        write(root, name, text)
    result = run_cli("check", "--no-cache", "--output-format", "json", str(root))
    found: list[dict[str, Any]] = json.loads(result.stdout)
    return found


def write(root: Path, relative: str, source: str) -> Path:
    """Write a dedented file under `root`, creating its directories."""
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(source).lstrip("\n"), encoding="utf-8")
    return path


#: a repository raising `NotFound` of the module `errors` names (`REPOSITORY_OF.format(
#: errors=...)`): a library, until the project holds that module (`HTTP_ERRORS`), whose
#: `NotFound` is FastAPI's `HTTPException` (FG401 reports the class itself)
REPOSITORY_OF = """
from pydantic import BaseModel, ConfigDict
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from {errors} import NotFound


class UserRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int


class UserRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, user_id: int) -> UserRead:
        user = await self.session.scalar(select(UserRead).where(UserRead.id == user_id))
        if user is None:
            raise NotFound(user_id)
        return UserRead.model_validate(user)
"""
REPOSITORY = REPOSITORY_OF.format(errors="problems")
#: the project's name for FastAPI's `HTTPException`, re-exported (FG401)
HTTP_ERRORS = "from fastapi import HTTPException as NotFound\n"


_T = TypeVar("_T")
_Job = tuple[Future[Any], Callable[..., Any], tuple[object, ...]]


class ParkedThread:
    """A daemon thread that runs the jobs it is given, one at a time, and never ends.

    Code that runs SQLAlchemy's async layer in a thread of its own (Alembic's env.py under
    `asyncio.run`, a uvicorn server) leaves greenlets in that thread. When such a thread
    ends, greenlet destroys them later from the main thread, and with coverage tracing
    greenlets that once hung a whole test run (greenlet 3.5.6: 100% CPU in `green_dealloc`,
    inside a pending call, where pytest-timeout's signal never lands). A parked thread
    never ends, so it leaves nothing to destroy."""

    def __init__(self, name: str) -> None:
        self._jobs: queue.SimpleQueue[_Job] = queue.SimpleQueue()
        threading.Thread(target=self._serve, name=name, daemon=True).start()

    def _serve(self) -> None:
        while True:
            future, function, args = self._jobs.get()
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(function(*args))
            except BaseException as error:  # handed to the caller, as a thread pool does
                future.set_exception(error)

    def submit(self, function: Callable[..., _T], *args: object) -> Future[_T]:
        """Run `function(*args)` in the thread; its result or exception in the future."""
        future: Future[_T] = Future()
        self._jobs.put((future, function, args))
        return future

    async def run(self, function: Callable[..., _T], *args: object) -> _T:
        """Await `function(*args)` run in the thread."""
        return await asyncio.wrap_future(self.submit(function, *args))


def count_parsed(monkeypatch: Any) -> list[Path]:
    """The files a run parses from now on (`checks.run.check_file` calls), in order: a
    call whose rules all wait for the project index (`FileResult.deferred`) parses
    nothing; `checks.run.settle` parses the file if the index asks for it."""
    import checks.run

    parsed: list[Path] = []
    original = checks.run.check_file

    def counting(
        engine: Engine,
        settings: Any,
        path: Path,
        source: bytes,
        packages: frozenset[str] | None = None,
        **options: Any,
    ) -> Any:
        result = original(engine, settings, path, source, packages, **options)
        if not result.deferred:
            parsed.append(path)
        return result

    monkeypatch.setattr(checks.run, "check_file", counting)
    return parsed


def write_new(path: Path, cwd: Path, tool_use_id: str = "toolu_1") -> dict[str, Any]:
    """A Write of a new file, in the shape Claude Code sends it (every line is new)."""
    content = path.read_text(encoding="utf-8")
    return {
        "session_id": "s",
        "cwd": str(cwd),
        "hook_event_name": "PostToolUse",
        "tool_name": "Write",
        "tool_input": {"file_path": str(path), "content": content},
        "tool_response": {
            "type": "create",
            "filePath": str(path),
            "content": content,
            "structuredPatch": [],
            "originalFile": None,
        },
        "tool_use_id": tool_use_id,
    }

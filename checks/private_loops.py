"""Coroutines the project runs only on event loops of their own.

A Celery task, a cron job or a command runs a coroutine of another module with
`asyncio.run(collect_prices())` in a worker process: the loop is the call's own, and
what blocks in the coroutine blocks no request (reader 54: cryptostorage's price
collector, `requests.get` in a coroutine only a Celery task runs). The module that runs
it is not the module the finding is in, so the rules ask the project, as a fact of the
coroutine (`checks.project_facts.RUN_ALONE_FACT`, then its qualified name): it holds
where some module of the project gives the coroutine to a loop of its own (`asyncio.run(f(...))`,
`loop.run_until_complete(f(...))`, `anyio.run(f)`) and no module names it otherwise
(`await f()` in a route, `f` handed to a scheduler, a star import of its module, a string
spelling its name); the project's tests, which run it in their own loops, are left out.

Asked in a run of the whole project (a run of some files, the hooks', reads no other
file to ask: the finding stands there). The files that may run a loop (their text calls a
`run`) are read on the first question; then, for each coroutine one of them runs, the
files whose text names it.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterator
from pathlib import Path

from checks.lazy import lazy_pattern
from checks.newer_syntax import parse
from checks.project import ProjectIndex, module_name_for
from checks.project_facts import LOOP_RUN_CALLS, LOOP_RUN_FUNCTIONS, project_sources
from checks.summary import import_bindings

#: The text of a file that may run a loop: a call of a `run` or `run_until_complete`.
LOOP_TEXT = lazy_pattern(rb"\brun(?:_until_complete)?\s*\(")


def loop_runs(tree: ast.Module, module: str, is_package: bool) -> frozenset[str]:
    """What a module gives to loops of its own, as its imports name it."""
    return frozenset(_Module(tree, module, is_package).run_targets())


class PrivateLoops:
    """Which coroutines of a project run only on loops of their own (one per run of the
    whole project)."""

    def __init__(
        self,
        files: Callable[[], list[Path]],
        is_test: Callable[[Path, bytes], bool],
    ) -> None:
        self._files = files
        self._is_test = is_test
        self._run: set[str] | None = None
        self._known: dict[str, bool] = {}

    def runs_alone(self, ref: str, index: ProjectIndex) -> bool:
        """Whether the coroutine `ref` (a module-level `async def`, by its qualified name)
        runs only on loops of its own, as above: some file of the project gives it to
        one, and no file that names it does otherwise."""
        known = self._known.get(ref)
        if known is None:
            runs = self._runs()
            known = self._known[ref] = any(
                _same(run, ref) or _same(index.resolve(run), ref) for run in runs
            ) and self._only_run_alone(ref, index)
        return known

    def _runs(self) -> set[str]:
        """What the project's files give to loops of their own, its tests aside: read
        from the files, not from the run's summaries (the pre-filter spares files, and
        the answer must not depend on which)."""
        if self._run is None:
            self._run = set()
            for path, source in project_sources(self._files(), LOOP_TEXT):
                if self._is_test(path, source):
                    continue
                tree = parse(source)
                if tree is not None:
                    module, is_package = module_name_for(path)
                    self._run.update(loop_runs(tree, module or path.stem, is_package))
        return self._run

    def _only_run_alone(self, ref: str, index: ProjectIndex) -> bool:
        """Whether the files naming the coroutine (its tests aside) only run it alone."""
        name = ref.rpartition(".")[2]
        spelled = re.compile(rb"\b" + re.escape(name.encode()) + rb"\b")
        runs = 0
        for path, source in project_sources(self._files(), spelled):
            if self._is_test(path, source):
                continue
            tree = parse(source)
            if tree is None:
                return False  # a module this interpreter cannot read: it may name it
            module, is_package = module_name_for(path)
            uses = _Module(tree, module or path.stem, is_package).uses(name, index.resolve, ref)
            if uses is None:
                return False  # named otherwise
            runs += uses
        return runs > 0


def _same(spelled: str, ref: str) -> bool:
    """Whether an import's name and a module's name are one: equal, or one the other with
    the folders above a package (`src.application.etl.f` imported, `application.etl.f`
    as the file's packages name it: a source folder without `__init__.py`)."""
    return spelled == ref or spelled.endswith("." + ref) or ref.endswith("." + spelled)


class _Module:
    """A module's names as CPython's tree gives them: every import, wherever it is (a
    Celery task imports its coroutine in its body), and the module's own definitions."""

    def __init__(self, tree: ast.Module, module: str, is_package: bool) -> None:
        self.tree = tree
        self.module = module
        package = module if is_package else (module.rpartition(".")[0] or None)
        self.imports: dict[str, str] = {}
        self.star = False
        for node in ast.walk(tree):
            if isinstance(node, ast.Import | ast.ImportFrom):
                for local, qualified in import_bindings(node, package):
                    if local == "*":
                        self.star = True
                    else:
                        self.imports[local] = qualified
        self.defined = {
            statement.name
            for statement in tree.body
            if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
        }

    def qualified(self, expr: ast.expr) -> str | None:
        """The qualified name an expression spells (`m.f` of `from app import m`)."""
        if isinstance(expr, ast.Name):
            if expr.id in self.imports:
                return self.imports[expr.id]
            return f"{self.module}.{expr.id}" if expr.id in self.defined else None
        if isinstance(expr, ast.Attribute):
            head = self.qualified(expr.value)
            return None if head is None else f"{head}.{expr.attr}"
        return None

    def _targets(self) -> Iterator[ast.expr]:
        """The expressions naming what a loop of the module's own runs: the function of
        the call `asyncio.run` or `run_until_complete` is given, or the function
        `anyio.run` is."""
        for node in ast.walk(self.tree):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            func = node.func
            runner = self.qualified(func)
            first = node.args[0]
            if runner in LOOP_RUN_FUNCTIONS:
                yield first
            elif (
                runner in LOOP_RUN_CALLS
                or (isinstance(func, ast.Attribute) and func.attr == "run_until_complete")
            ) and isinstance(first, ast.Call):
                yield first.func

    def run_targets(self) -> Iterator[str]:
        for target in self._targets():
            qualified = self.qualified(target)
            if qualified is not None:
                yield qualified

    def uses(self, name: str, resolve: Callable[[str], str], ref: str) -> int | None:
        """How many times the module gives the coroutine `ref` (spelled `name` here) to a
        loop of its own; None when it names it otherwise, or may (a star import, a string
        that is its name or ends with `.name`)."""
        if self.star:
            return None
        targets = {id(target) for target in self._targets()}
        runs = 0
        for node in ast.walk(self.tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                if node.value == name or node.value.endswith("." + name):
                    return None
                continue
            if isinstance(node, ast.Name) and node.id == name:
                spelled: ast.expr = node
            elif isinstance(node, ast.Attribute) and node.attr == name:
                spelled = node
            else:
                continue
            qualified = self.qualified(spelled)
            if qualified is None or not (_same(qualified, ref) or _same(resolve(qualified), ref)):
                continue
            if id(spelled) not in targets:
                return None
            runs += 1
        return runs

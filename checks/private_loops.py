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
        #: `_named_only_so`'s answers, by class and method (each reads the files naming it)
        self._named: dict[tuple[str, str], bool] = {}

    def runs_alone(self, ref: str, index: ProjectIndex) -> bool:
        """Whether the coroutine `ref` (a module-level `async def`, or an `async def` of a
        module-level class, by its qualified name) runs only on loops of its own, as
        above: some file of the project gives it to one, and no file that names it does
        otherwise."""
        known = self._known.get(ref)
        if known is None:
            owner = ref.rpartition(".")[0]
            if index.resolve(owner) in index.classes:
                known = self._known[ref] = self._method_runs_alone(ref, index)
                return known
            runs = self._runs()
            known = self._known[ref] = any(
                _same(run, ref) or _same(index.resolve(run), ref) for run in runs
            ) and self._only_run_alone(ref, index)
        return known

    def _method_runs_alone(self, ref: str, index: ProjectIndex) -> bool:
        """`runs_alone` for a method of a module-level class (Icebeear's `DbUpdater`,
        whose `update_db_online` a Celery task gives to `asyncio.run(db_updater.
        update_db_online())`, `db_updater = DbUpdater()` in the class's module, and whose
        other coroutine methods only it reaches, through `self`: reader 169). The method
        runs alone when the project names it only as such a loop's target (through a
        module-level instance of the class, made once in its module) or as an attribute
        of `self` in the class's own coroutine methods that run alone; any other mention
        (on another object, in a string, in another class, a subclass's) may be a call
        on the request's loop."""
        cls, _, method = ref.rpartition(".")
        module = cls.rpartition(".")[0]
        class_name = cls.rpartition(".")[2]
        own = self._class_module(module, class_name)
        if own is None:
            return False
        node, instances = own
        methods = {
            statement.name: statement
            for statement in node.body
            if isinstance(statement, ast.AsyncFunctionDef | ast.FunctionDef)
        }
        targets = {f"{module}.{instance}" for instance in instances}
        runs = self._runs()
        roots = {
            name
            for name in methods
            if any(
                _same(run.rpartition(".")[0], target) and run.rpartition(".")[2] == name
                for run in (*runs, *(index.resolve(run) for run in runs))
                for target in targets
            )
        }
        if not roots:
            return False
        callers = _self_callers(methods)
        pending: dict[str, bool | None] = {}

        def alone(name: str) -> bool:
            if name in pending:
                return pending[name] is not False  # a cycle: as far as the rest says
            pending[name] = None
            function = methods.get(name)
            result = (
                isinstance(function, ast.AsyncFunctionDef)
                and not function.decorator_list
                and self._named_only_so(module, name, cls, index, instances)
                and (name in roots or bool(callers[name]))
                and all(alone(caller) for caller in callers[name])
            )
            pending[name] = result
            return result

        return alone(method)

    def _class_module(self, module: str, class_name: str) -> tuple[ast.ClassDef, set[str]] | None:
        """The module-level class `class_name` of `module` (its file read with CPython),
        and the module-level names the module binds once, to an instance of it."""
        spelled = re.compile(rb"\bclass\s+" + re.escape(class_name.encode()) + rb"\b")
        for path, source in project_sources(self._files(), spelled):
            name, _ = module_name_for(path)
            if name is None or not _same(name, module):
                continue
            tree = parse(source)
            if tree is None:
                return None
            classes = [s for s in tree.body if isinstance(s, ast.ClassDef) and s.name == class_name]
            if len(classes) != 1:
                return None
            bound: dict[str, list[ast.expr]] = {}
            for statement in ast.walk(tree):
                if isinstance(statement, ast.Assign):
                    for target in statement.targets:
                        if isinstance(target, ast.Name):
                            bound.setdefault(target.id, []).append(statement.value)
            instances = {
                name
                for name, values in bound.items()
                if len(values) == 1
                and isinstance(values[0], ast.Call)
                and isinstance(values[0].func, ast.Name)
                and values[0].func.id == class_name
                and any(isinstance(s, ast.Assign) and s.value is values[0] for s in tree.body)
            }
            return classes[0], instances
        return None

    def _named_only_so(
        self,
        module: str,
        name: str,
        cls: str,
        index: ProjectIndex,
        instances: set[str],
    ) -> bool:
        """Whether every file of the project (its tests aside) names the method `name`
        only as a private loop's target through an instance of its class, or as `self.name`
        in the class's own methods (whose own runs `_self_callers` reads); read once per
        class and method."""
        known = self._named.get((cls, name))
        if known is None:
            spelled = re.compile(rb"\b" + re.escape(name.encode()) + rb"\b")
            targets = {f"{module}.{instance}.{name}" for instance in instances}
            known = self._named[(cls, name)] = all(
                _names_only_so(path, source, module, name, cls, index.resolve, targets)
                for path, source in project_sources(self._files(), spelled)
                if not self._is_test(path, source)
            )
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


def _names_only_so(
    path: Path,
    source: bytes,
    module: str,
    name: str,
    cls: str,
    resolve: Callable[[str], str],
    targets: set[str],
) -> bool:
    """`PrivateLoops._named_only_so` for one file: it names the method `name` of `cls`
    (of `module`) only as `self.name` in that class's methods, or as a private loop's
    target spelled as one of `targets` (`app.updater.db_updater.update_db_online`)."""
    tree = parse(source)
    if tree is None:
        return False  # a module this interpreter cannot read: it may name it
    own_module, is_package = module_name_for(path)
    read = _Module(tree, own_module or path.stem, is_package)
    run = {id(target) for target in read._targets()}
    in_class: set[int] = set()
    if own_module is not None and _same(own_module, module):
        class_name = cls.rpartition(".")[2]
        for statement in tree.body:
            if isinstance(statement, ast.ClassDef) and statement.name == class_name:
                in_class.update(_self_references(statement, name))
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            if node.value == name or node.value.endswith("." + name):
                return False
            continue
        if isinstance(node, ast.Name) and node.id == name:
            return False  # imported, or a local of that name: may be it
        if not isinstance(node, ast.Attribute) or node.attr != name or id(node) in in_class:
            continue
        qualified = read.qualified(node)
        through = qualified is not None and any(
            _same(spelling, target)
            for target in targets
            for spelling in (qualified, resolve(qualified))
        )
        if not (through and id(node) in run):
            return False
    return True


def _on_self(function: ast.FunctionDef | ast.AsyncFunctionDef) -> Iterator[ast.Attribute]:
    """The attributes a method's body reads on its first parameter (`self.name`)."""
    positional = [*function.args.posonlyargs, *function.args.args]
    if not positional:
        return
    owner = positional[0].arg
    for node in ast.walk(function):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id == owner
        ):
            yield node


def _self_references(cls: ast.ClassDef, name: str) -> set[int]:
    """The `self.name` attributes in the methods of `cls`."""
    return {
        id(node)
        for statement in cls.body
        if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef)
        for node in _on_self(statement)
        if node.attr == name
    }


def _self_callers(
    methods: dict[str, ast.FunctionDef | ast.AsyncFunctionDef],
) -> dict[str, set[str]]:
    """For each method of the class, the methods whose body names it on `self`."""
    callers: dict[str, set[str]] = {name: set() for name in methods}
    for caller, function in methods.items():
        for node in _on_self(function):
            if node.attr in callers:
                callers[node.attr].add(caller)
    return callers


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

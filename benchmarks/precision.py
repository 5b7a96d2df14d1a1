"""What the default rules report on real services, and what they miss of the mission's patterns.

    uv run python benchmarks/precision.py [--sample N] [--seed S] [--out FILE] DIR [DIR ...]

For each tree: `fastapi-guardrails check --no-cache` with the default rules, counted per
rule; a seeded random sample of N findings per rule (with the flagged line) written to
FILE for a reader to judge "true by the rule's contract" and "worth acting on"; and the
recall of the checker on the mission's patterns, found independently with CPython's `ast`
(not with the checker's code):

- `time.sleep(...)` called directly in an `async def` (FG301);
- FastAPI's or Starlette's `HTTPException(...)` (the name itself, not a project's own
  `AppHTTPException`) raised in a service or repository module (a folder `services/`,
  `repositories/`, `repos/`, `crud/`, `daos/`, or a file `service.py`, `*_service.py`,
  `repository.py`, `*_crud.py`, `crud_*.py`, `dao.py`, ...: the default layer globs, not a
  route module such as `services/views.py`; a project's own root, the nearest folder with
  a `pyproject.toml`, is where they are matched from), not in a route
  (`@router.get(...)`) nor in a FastAPI dependency (a parameter FastAPI fills:
  `Depends(...)`, `Request`) and not a bare name the module never imports (a NameError)
  (FG401);
- `<name>.query(Model)` on a name spelled like a session (`session`, `db`, `db_session`,
  `self.session`, `self.db`) (FG101: one hit per function, as the checker reports a sync
  function's legacy queries once, and an `async def`'s on a sync session; one per call
  at module level);
- `orm_mode = True` in a class body, or `orm_mode=True` in a call (FG206);
- `@validator(...)` / `@root_validator` decorators imported from pydantic (FG208);
- `AsyncClient(app=...)` (FG408);
- `from pydantic import BaseSettings` (FG210), not in an `except ImportError:` fallback nor
  in the `try` such a handler guards (a compat import either way);
- a sync session factory (`name = sessionmaker(...)` without `class_=`, or
  `scoped_session(...)`, at module level) opened with `with name() as ...:` in an
  `async def`, defined in the same module or imported from another (`from app.db import
  session_maker`, a module found by the tail of its dotted path) (FG102: the mission's
  central pattern, a sync session blocking the event loop); also an `async def` that uses
  FastAPI-SQLAlchemy's `db.session` (`from fastapi_sqlalchemy import db`) (FG102).

Recall is counted twice: with the default rules, and with the mission's rules named
(`--extend-select`), where what the defaults leave to the project's pins or conventions
(FG2xx on a Pydantic 1 project, FG101 in a project written in the 1.x query style) is
reported: a hit missed both ways is a miss of the checker.

A hit counts as recalled when the checker reports that rule on the same file and line; an
FG102 hit is one per `async def` (the checker reports a coroutine once, at its first
blocking use), and an FG101 hit one per function: each is recalled when a
finding of its rule lies in that function (for FG101, FG102's too: a legacy query on a
sync session in a coroutine is FG102's by FG101's contract).
Files the checker excludes (gitignored, virtualenvs) are not searched, and hits in test
files (`tests/`, `test_*.py`, `*_test.py`, `conftest.py`) are counted apart, as are FG101,
FG301 and FG302 hits in development tooling (the default `tooling` layer: `scripts/`,
`benchmarks/`, ...), and FG102, FG301 and FG302 hits in a module that runs its own event
loop (a `__main__` guard and `asyncio.run`, no web framework): the rules' docs say which
do not apply there. Prints a table per tree; not part of the test run.
"""

from __future__ import annotations

import argparse
import ast
import json
import random
import subprocess
import sys
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path

BIN = Path(sys.executable).parent
CHECK = [str(BIN / "fastapi-guardrails"), "check", "--no-cache", "--exit-zero"]
SESSION_NAMES = {"session", "db", "db_session", "dbsession", "sess", "async_session"}
#: The service and data layers as the default layer globs name them (written out here, not
#: read from the checker): folders, and file names.
LAYER_FOLDERS = {"services", "repositories", "repos", "crud", "daos", "use_cases", "usecases"}
LAYER_FILES = {"service.py", "services.py", "repository.py", "repositories.py", "crud.py", "dao.py"}
LAYER_SUFFIXES = (
    "_service.py",
    "_repository.py",
    "_crud.py",
    "_dao.py",
    "_use_case.py",
    "_usecase.py",
)


def in_service_layer(relative: str) -> bool:
    """Whether a path (from its project's root: the nearest folder with a
    `pyproject.toml`) is in the service or data layer by the default globs."""
    *folders, name = relative.split("/")
    return (
        bool(LAYER_FOLDERS.intersection(folders))
        or name in LAYER_FILES
        or name.endswith(LAYER_SUFFIXES)
        or name.startswith("crud_")
    )


ROUTE_MODULES = {"views.py", "router.py", "routers.py", "routes.py", "api.py", "endpoints.py"}


def checker_findings(tree: Path, *selection: str) -> list[dict[str, object]]:
    completed = subprocess.run(
        [*CHECK, *selection, "--output-format", "json", "."],
        cwd=tree,
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        sys.exit(f"{tree}: {completed.stderr.strip()}")
    findings: list[dict[str, object]] = json.loads(completed.stdout)
    return findings


def checked_files(tree: Path) -> list[Path]:
    """The files the checker walks (its own discovery, so exclusions match)."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from checks.catalog import CATALOG
    from checks.discovery import discover
    from checks.run import SettingsLoader

    settings = SettingsLoader(CATALOG).for_path(tree)
    return [tree / path for path in discover([tree], settings)]


def _dotted(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    return ""


def _module_of(relative: str) -> str:
    """`enterprise/storage/database.py` -> `enterprise.storage.database`."""
    dotted = relative.removesuffix(".py").replace("/", ".")
    return dotted.removesuffix(".__init__")


def sync_factories(trees: dict[str, ast.Module]) -> dict[str, set[str]]:
    """Module (dotted path from the tree) -> its module-level sync session factories."""
    found: dict[str, set[str]] = {}
    for relative, module in trees.items():
        for statement in module.body:
            if not (isinstance(statement, ast.Assign) and isinstance(statement.value, ast.Call)):
                continue
            callee = _dotted(statement.value.func).rpartition(".")[2]
            makes_sync = (
                callee == "sessionmaker"
                and not any(k.arg == "class_" for k in statement.value.keywords)
            ) or callee == "scoped_session"
            if makes_sync:
                names = {t.id for t in statement.targets if isinstance(t, ast.Name)}
                found.setdefault(_module_of(relative), set()).update(names)
    return found


def _imported_factories(
    relative: str, module: ast.Module, factories: dict[str, set[str]]
) -> set[str]:
    """The local names of the sync factories a module defines or imports."""
    own = factories.get(_module_of(relative), set())
    names = set(own)
    package = _module_of(relative).rpartition(".")[0]
    if relative.endswith("__init__.py"):
        package = _module_of(relative)
    for node in ast.walk(module):
        if not isinstance(node, ast.ImportFrom):
            continue
        if node.level:
            base = package.split(".") if package else []
            base = base[: len(base) - (node.level - 1)] if node.level > 1 else base
            source = ".".join([*base, node.module] if node.module else base)
        else:
            source = node.module or ""
        for defining, defined in factories.items():
            if defining == source or defining.endswith("." + source):
                names.update(a.asname or a.name for a in node.names if a.name in defined)
    return names


class MissionPatterns(ast.NodeVisitor):
    """The mission's patterns in one module, as (code, line, last line)."""

    def __init__(
        self,
        relative: str,
        sync_factory_names: set[str] | None = None,
        in_project: str | None = None,
    ) -> None:
        self.relative = relative.lower()
        #: the path from the module's project root (a monorepo's `services/api/` with
        #: its own `pyproject.toml` is a project: its `services/` folder is no layer)
        self.in_project = (in_project or relative).lower()
        self.hits: list[tuple[str, int, int]] = []
        self.sync_factory_names = sync_factory_names or set()
        self.async_depth = 0
        #: how many `except ImportError:` handlers enclose the node (a compat fallback)
        self.import_fallback = 0
        self.pydantic_names: set[str] = set()
        self.time_sleep_names = {"time.sleep"}
        #: the functions and lambdas being visited, innermost last
        self.functions: list[ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda] = []
        self.query_functions: set[int] = set()
        #: names bound to FastAPI-SQLAlchemy's `db`
        self.request_db_names: set[str] = set()
        #: the names `from ... import` statements bind (anywhere in the module)
        self.imported_names: set[str] = set()

    def visit_Module(self, node: ast.Module) -> None:
        # imports first, wherever they are: a function may use a name imported below it
        for inner in ast.walk(node):
            if isinstance(inner, ast.ImportFrom):
                self.imported_names.update(alias.asname or alias.name for alias in inner.names)
        self.generic_visit(node)

    def visit_Try(self, node: ast.Try) -> None:
        """An `except ImportError:` handler is a compat fallback: it runs only where the
        import in the `try` fails (`from pydantic import BaseSettings` under Pydantic 1);
        and the `try` it guards is the other half of that compat import (JohnDoe1996's
        `try: from pydantic import BaseSettings` / `except (PydanticImportError,
        ImportError): from pydantic_settings import BaseSettings`): the rules leave
        version-guarded code alone, as #14 asks."""
        guarded = any(
            (_dotted(t) or "").endswith(("ImportError", "ModuleNotFoundError"))
            for handler in node.handlers
            for t in _handler_types(handler.type)
        )
        self.import_fallback += guarded
        for child in node.body:
            self.visit(child)
        self.import_fallback -= guarded
        for child in [*node.orelse, *node.finalbody]:
            self.visit(child)
        for handler in node.handlers:
            names = {_dotted(t) for t in _handler_types(handler.type)}
            fallback = bool(names & {"ImportError", "ModuleNotFoundError"})
            self.import_fallback += fallback
            self.visit(handler)
            self.import_fallback -= fallback

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        self.imported_names.update(alias.asname or alias.name for alias in node.names)
        if node.module == "pydantic":
            for alias in node.names:
                self.pydantic_names.add(alias.asname or alias.name)
                if alias.name == "BaseSettings" and not self.import_fallback:
                    # the statement's span: the checker reports the name, which a
                    # parenthesized import puts on a line of its own
                    self.hits.append(("FG210", node.lineno, node.end_lineno or node.lineno))
        if node.module in {"fastapi_sqlalchemy", "fastapi_sqlalchemy.middleware"}:
            self.request_db_names.update(
                alias.asname or alias.name for alias in node.names if alias.name == "db"
            )
        if node.module == "time":
            for alias in node.names:
                if alias.name == "sleep":
                    self.time_sleep_names.add(alias.asname or alias.name)
        self.generic_visit(node)

    def _hit(self, code: str, line: int) -> None:
        self.hits.append((code, line, line))

    def visit_AsyncFunctionDef(self, node: ast.AsyncFunctionDef) -> None:
        if (self.sync_factory_names and _opens_sync_factory(node, self.sync_factory_names)) or (
            self.request_db_names and _uses_request_session(node, self.request_db_names)
        ):
            self.hits.append(("FG102", node.lineno, node.end_lineno or node.lineno))
        self.async_depth += 1
        self.functions.append(node)
        self.generic_visit(node)
        self.functions.pop()
        self.async_depth -= 1

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        depth, self.async_depth = self.async_depth, 0  # a nested def runs elsewhere
        for decorator in node.decorator_list:
            target = decorator.func if isinstance(decorator, ast.Call) else decorator
            name = _dotted(target)
            if name in {"validator", "root_validator", "pydantic.validator"} and (
                name.startswith("pydantic.") or name in self.pydantic_names
            ):
                self._hit("FG208", decorator.lineno)
        self.functions.append(node)
        self.generic_visit(node)
        self.functions.pop()
        self.async_depth = depth

    def visit_Lambda(self, node: ast.Lambda) -> None:
        depth, self.async_depth = self.async_depth, 0
        self.functions.append(node)
        self.generic_visit(node)
        self.functions.pop()
        self.async_depth = depth

    def _query_hit(self, line: int) -> None:
        """An FG101 hit: one per function (spanning it), else one per call. The checker
        reports a sync function's legacy queries once, and an `async def`'s once too when
        its session is a sync one (`db: Session`), which this search cannot tell."""
        function = self.functions[-1] if self.functions else None
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            self._hit("FG101", line)
        elif id(function) not in self.query_functions:
            self.query_functions.add(id(function))
            self.hits.append(("FG101", function.lineno, function.end_lineno or function.lineno))

    def visit_Call(self, node: ast.Call) -> None:
        name = _dotted(node.func)
        if self.async_depth and name in self.time_sleep_names:
            self._hit("FG301", node.lineno)
        if isinstance(node.func, ast.Attribute) and node.func.attr == "query" and node.args:
            receiver = _dotted(node.func.value).removeprefix("self.")
            if receiver in SESSION_NAMES:
                self._query_hit(node.lineno)
        if name.endswith("AsyncClient") and any(k.arg == "app" for k in node.keywords):
            self._hit("FG408", node.lineno)
        for keyword in node.keywords:
            if keyword.arg == "orm_mode" and _is_true(keyword.value):
                self._hit("FG206", keyword.value.lineno)
        self.generic_visit(node)

    def visit_Raise(self, node: ast.Raise) -> None:
        exc = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
        in_layer = in_service_layer(self.in_project)
        name = _dotted(exc) if exc is not None else ""
        named = name == "HTTPException" or name.endswith(".HTTPException")
        route_module = self.relative.rsplit("/", 1)[-1] in ROUTE_MODULES
        if (
            named
            and in_layer
            and not route_module
            and "test" not in self.relative
            # FG401's contract: not in a FastAPI dependency, and a bare name the module
            # never imports is a NameError (ruff's F821), not an HTTPException
            and not _is_dependency(self.functions[-1] if self.functions else None)
            and not any(_is_route(function) for function in self.functions)
            and (name != "HTTPException" or "HTTPException" in self.imported_names)
        ):
            self._hit("FG401", node.lineno)
        self.generic_visit(node)

    def visit_Assign(self, node: ast.Assign) -> None:
        for target in node.targets:
            if isinstance(target, ast.Name) and target.id == "orm_mode" and _is_true(node.value):
                self._hit("FG206", node.lineno)
        self.generic_visit(node)


#: What makes a function a FastAPI dependency (FG401 does not apply there): a parameter
#: FastAPI fills from the request, by default or in `Annotated[...]`, or a `Request`.
_REQUEST_PARAMETERS = frozenset(
    {"Depends", "Security", "Query", "Path", "Body", "Form", "File", "Header", "Cookie"}
)


_ROUTE_METHODS = frozenset(
    {"get", "post", "put", "patch", "delete", "head", "options", "api_route", "route", "websocket"}
)


def _handler_types(node: ast.expr | None) -> list[ast.expr]:
    """The exception classes an `except` names (one, or a tuple of them)."""
    if node is None:
        return []
    return list(node.elts) if isinstance(node, ast.Tuple) else [node]


def _is_route(function: ast.AST) -> bool:
    """Whether a function is decorated as a route (`@app.post("/x")`, `@router.get(...)`):
    the HTTP layer, wherever its module lies (a monorepo's `services/calculations/main.py`)."""
    if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
        return False
    return any(
        isinstance(decorator, ast.Call)
        and isinstance(decorator.func, ast.Attribute)
        and decorator.func.attr in _ROUTE_METHODS
        for decorator in function.decorator_list
    )


def _is_dependency(function: ast.AST | None) -> bool:
    """Whether a function takes a parameter FastAPI fills (`Depends(...)` as default or in
    `Annotated[...]`, `request: Request`)."""
    if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
        return False
    arguments = function.args
    every = [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]
    defaults = [*arguments.defaults, *arguments.kw_defaults]
    for node in [*(a.annotation for a in every), *defaults]:
        for inner in ast.walk(node) if node is not None else ():
            if isinstance(inner, ast.Call) and _dotted(inner.func).rsplit(".", 1)[-1] in (
                _REQUEST_PARAMETERS
            ):
                return True
            if isinstance(inner, ast.Name | ast.Attribute) and _dotted(inner).rsplit(".", 1)[
                -1
            ] in ("Request", "WebSocket"):
                return True
    return False


def _opens_sync_factory(function: ast.AsyncFunctionDef, names: set[str]) -> bool:
    """Whether the coroutine itself (not a nested def or lambda) has `with name() as ...`."""
    pending: list[ast.AST] = list(function.body)
    while pending:
        node = pending.pop()
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda | ast.ClassDef):
            continue
        if isinstance(node, ast.With) and any(
            isinstance(item.context_expr, ast.Call)
            and isinstance(item.context_expr.func, ast.Name)
            and item.context_expr.func.id in names
            for item in node.items
        ):
            return True
        pending.extend(ast.iter_child_nodes(node))
    return False


def _uses_request_session(function: ast.AsyncFunctionDef, names: set[str]) -> bool:
    """Whether the coroutine itself (not a nested def or lambda) reads `db.session`."""
    pending: list[ast.AST] = list(function.body)
    while pending:
        node = pending.pop()
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda | ast.ClassDef):
            continue
        if (
            isinstance(node, ast.Attribute)
            and node.attr == "session"
            and isinstance(node.value, ast.Name)
            and node.value.id in names
        ):
            return True
        pending.extend(ast.iter_child_nodes(node))
    return False


def _is_true(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value is True


#: The mission's rules the `tooling` layer is exempt from (their docs say so).
_EXEMPT_IN_TOOLING = frozenset({"FG101", "FG301", "FG302"})
#: The mission's rules a module that runs its own event loop is exempt from (a script:
#: a `__main__` guard, `asyncio.run(...)`, no web framework imported).
_EXEMPT_IN_SCRIPTS = frozenset({"FG102", "FG301", "FG302"})
_WEB_FRAMEWORKS = frozenset({"fastapi", "starlette", "flask", "django", "aiohttp", "litestar"})


def own_loop_scripts(tree: Path, relatives: set[str]) -> set[str]:
    """The files among `relatives` that run their own event loop: a `__main__` guard, a
    call of `asyncio.run` or `run_until_complete`, and no import of a web framework."""
    found: set[str] = set()
    for relative in relatives:
        try:
            module = ast.parse((tree / relative).read_bytes())
        except (OSError, SyntaxError, ValueError):
            continue
        guarded = runs = web = False
        for node in ast.walk(module):
            if isinstance(node, ast.Import):
                web = web or any(a.name.split(".")[0] in _WEB_FRAMEWORKS for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                web = web or node.module.split(".")[0] in _WEB_FRAMEWORKS
            elif isinstance(node, ast.Compare) and {
                getattr(side, "id", None) or getattr(side, "value", None)
                for side in (node.left, *node.comparators)
            } == {"__name__", "__main__"}:
                guarded = True
            elif isinstance(node, ast.Call):
                func = node.func
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                runs = runs or (
                    name in ("run_until_complete", "run")
                    and (
                        name != "run"
                        or (
                            isinstance(func, ast.Attribute)
                            and getattr(func.value, "id", "") == "asyncio"
                        )
                    )
                )
        if guarded and runs and not web:
            found.add(relative)
    return found


def is_test_file(relative: str) -> bool:
    parts = relative.split("/")
    name = parts[-1]
    return (
        any(part in {"tests", "test"} for part in parts[:-1])
        or name.startswith("test_")
        or name.endswith("_test.py")
        or name == "conftest.py"
    )


def is_tooling_file(relative: str) -> bool:
    """A file of development tooling as the default `tooling` layer globs say (scripts,
    benchmarks, examples...): FG101 (outside coroutines), FG301 and FG302 do not apply
    there, so its hits are counted apart, as the tests' are."""
    from checks.config import DEFAULT_LAYERS, glob_spec

    return glob_spec(tuple(DEFAULT_LAYERS["tooling"])).match_file(relative)


def mission_hits(tree: Path, files: list[Path]) -> Iterator[tuple[str, str, int, int]]:
    """(code, file, line, last line) of each hit."""
    modules: dict[str, ast.Module] = {}
    for path in files:
        try:
            modules[path.relative_to(tree).as_posix()] = ast.parse(path.read_bytes())
        except (SyntaxError, ValueError):
            continue
    factories = sync_factories(modules)
    for relative, module in modules.items():
        visitor = MissionPatterns(
            relative,
            _imported_factories(relative, module, factories),
            _from_project_root(tree, relative),
        )
        visitor.visit(module)
        for code, line, last in visitor.hits:
            yield code, relative, line, last


def _from_project_root(tree: Path, relative: str) -> str:
    """The path of a file from the nearest folder above it, within `tree`, that holds a
    `pyproject.toml` (a project root, as the checker finds one), else from `tree`."""
    parts = relative.split("/")
    for depth in range(len(parts) - 1, 0, -1):
        if (tree.joinpath(*parts[:depth]) / "pyproject.toml").is_file():
            return "/".join(parts[depth:])
    return relative


def _recalled(
    reported: set[tuple[str, str, int]], code: str, path: str, line: int, last: int
) -> bool:
    """Whether the checker reports `code` in `path` on a line of the hit's span; for a
    legacy query, FG102 too: in a coroutine, FG101's contract gives a query on a sync
    session to FG102 (it blocks; its fix comes first)."""
    codes = (code, "FG102") if code == "FG101" else (code,)
    return any((c, path, row) in reported for c in codes for row in range(line, last + 1))


def _reported(tree: Path, findings: list[dict[str, object]]) -> set[tuple[str, str, int]]:
    """(code, path relative to the tree, row) of each finding."""
    reported: set[tuple[str, str, int]] = set()
    for finding in findings:
        relative = Path(str(finding["filename"])).relative_to(tree).as_posix()
        location = finding["location"]
        assert isinstance(location, dict)
        reported.add((str(finding["code"]), relative, int(location["row"])))
    return reported


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("trees", nargs="+", type=Path)
    parser.add_argument("--sample", type=int, default=15)
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--out", type=Path, default=Path("precision-sample.md"))
    args = parser.parse_args()
    rng = random.Random(args.seed)
    samples: list[str] = []
    totals: Counter[str] = Counter()
    for tree in (t.resolve() for t in args.trees):
        findings = checker_findings(tree)
        by_code: dict[str, list[dict[str, object]]] = defaultdict(list)
        for finding in findings:
            by_code[str(finding["code"])].append(finding)
        reported = _reported(tree, findings)
        every_hit = list(mission_hits(tree, checked_files(tree)))
        apart = {path for _, path, _, _ in every_hit if is_test_file(path)}
        apart.update(
            path
            for code, path, _, _ in every_hit
            if code in _EXEMPT_IN_TOOLING and is_tooling_file(path)
        )
        scripts = own_loop_scripts(tree, {path for _, path, _, _ in every_hit})
        apart.update(
            path for code, path, _, _ in every_hit if code in _EXEMPT_IN_SCRIPTS and path in scripts
        )
        hits = [hit for hit in every_hit if hit[1] not in apart]
        in_tests = Counter(code for code, path, _, _ in every_hit if path in apart)
        found = Counter(code for code, _, _, _ in hits)
        # the mission's rules named: what the defaults leave to the project's pins or
        # conventions (a Pydantic 1 project, 1.x-style queries throughout) is reported
        # then; a hit not reported even so is a miss
        mission_codes = sorted({code for code, *_ in hits})
        if "FG101" in mission_codes:
            # a legacy query on a sync session in a coroutine is FG102's by FG101's
            # contract (`_recalled`): named too, or a project whose sessions the defaults
            # leave alone (SQLite: lukmiik) counts FG102's findings as FG101's misses
            mission_codes = sorted({*mission_codes, "FG102"})
        named = _reported(
            tree,
            checker_findings(tree, "--extend-select", ",".join(mission_codes))
            if mission_codes
            else [],
        )

        recalled = Counter(code for code, *where in hits if _recalled(reported, code, *where))
        when_named = Counter(code for code, *where in hits if _recalled(named, code, *where))
        totals["hits"] += len(hits)
        totals["recalled"] += sum(recalled.values())
        totals["recalled when named"] += sum(when_named.values())
        print(f"\n## {tree.name}: {len(findings)} findings")
        print(
            "| rule | findings | mission hits (ast) | recalled | recall "
            "| recalled when named | recall when named | hits apart (tests, tooling, scripts) |"
        )
        print("| --- | --- | --- | --- | --- | --- | --- | --- |")
        for code in sorted(set(by_code) | set(found) | set(in_tests)):
            total = found[code]
            recall = f"{recalled[code] / total:.0%}" if total else "-"
            named_recall = f"{when_named[code] / total:.0%}" if total else "-"
            row = f"| {code} | {len(by_code[code])} | {total} | {recalled[code]} | {recall}"
            print(f"{row} | {when_named[code]} | {named_recall} | {in_tests[code]} |")
        for code, path, line, last in hits:
            if not _recalled(reported, code, path, line, last):
                silent = _recalled(named, code, path, line, last)
                why = "silent by default (the project's pins or convention)" if silent else "MISSED"
                print(f"  {why}: {code} {path}:{line}")
        for code in sorted(by_code):
            chosen = rng.sample(by_code[code], min(args.sample, len(by_code[code])))
            samples.append(f"\n## {tree.name} {code} ({len(chosen)} of {len(by_code[code])})\n")
            for finding in chosen:
                path = Path(str(finding["filename"]))
                location = finding["location"]
                assert isinstance(location, dict)
                row = int(location["row"])
                lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
                text = lines[row - 1].strip() if row <= len(lines) else ""
                relative = path.relative_to(tree).as_posix()
                samples.append(f"- [ ] {relative}:{row} {finding['message']}\n  `{text[:120]}`")
    args.out.write_text("\n".join(samples) + "\n", encoding="utf-8")
    if totals["hits"]:
        hits = totals["hits"]
        print(
            f"\n## all {len(args.trees)} trees: {hits} mission hits, "
            f"{totals['recalled']} recalled by default ({totals['recalled'] / hits:.1%}), "
            f"{totals['recalled when named']} when named "
            f"({totals['recalled when named'] / hits:.1%})"
        )
    print(f"\nsample for reading: {args.out}")


if __name__ == "__main__":
    main()

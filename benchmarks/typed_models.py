"""FG108's fix on a real service's models: what it fixes, what it leaves and why, and
whether the schema stays the same.

    uv run python benchmarks/typed_models.py PATH [--package-root DIR] [--keep DIR]
        [--python INTERPRETER] [--env NAME=VALUE ...] [--mypy [--mypy-package]]

PATH is the directory whose files are fixed (a service's models folder, or its whole
package when models live next to each domain's code). The top-level package holding PATH
(found by walking up while there is an `__init__.py`, or `--package-root`) is copied twice
into a temporary directory, so the service is never modified: one copy stays as it is,
the other gets `--fix --unsafe-fixes` with FG108 alone on every file under PATH.

Printed: FG108 findings before (a `declarative_base()`, a class's `Column()` attributes,
a `backref=`), fixed, left; the columns and backrefs left without a fix by reason; fixed
files that CPython does not compile; then the schema comparison. Each copy is imported
in a subprocess of its own with a best-effort loader: the package's modules are executed
one top-level statement at a time and a statement that fails (a dependency that is not
installed, a setting that is not there) is skipped and counted, the same way on both
sides; nothing is stubbed. Every table of every `MetaData` and declarative registry the
modules made is compiled to PostgreSQL DDL (`CREATE TABLE` and its `CREATE INDEX`es),
and where the mappers configure, their columns and relationships are read; the two sides
are compared table by table. `--python` names the interpreter that imports the copies (a
virtual environment with the service's dependencies: the fewer statements fail, the more
tables compile). Not part of the test run.

With `--mypy`, mypy (SQLAlchemy's own annotations, no plugin, `--check-untyped-defs`,
the interpreter's packages) checks the fixed files in the copy as it was and as fixed:
printed are the errors on lines that had none, on lines the fix wrote and in code it
left. A third copy with only `declarative_base()` rewritten tells apart what the base
class brings out (a class derived from `declarative_base()`'s result is derived from
`Any` for mypy, so errors in code using it were silent) from what the typed columns and
`back_populates` do. `--mypy-package` checks every module of the package instead of the
fixed files alone: the code that uses the models meets their new types there.
"""

from __future__ import annotations

import argparse
import ast
import collections
import difflib
import importlib.abc
import importlib.machinery
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import types
import warnings
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


# ----------------------------------------------------------------------- fixing
def _fix_tree(directory: Path, package_root: Path, base_only: bool = False) -> dict[str, Any]:
    """Fix every file under `directory` with FG108's unsafe fix; count findings. With
    `base_only`, only `declarative_base()` calls are fixed (what mypy reports then tells
    the errors of the base class from those of the typed columns)."""
    from checks.config import DEFAULT_LAYERS, LayerMatcher
    from checks.engine import Engine
    from checks.fixer import compiles, fix_source
    from checks.rules.sqlalchemy_models import LegacyDeclarative
    from checks.rules.typed_models import Refusal

    reasons: collections.Counter[str] = collections.Counter()

    class Recording(LegacyDeclarative):
        """FG108, remembering why a finding gets no fix."""

        recording = False

        def column_fix(self, node: Any, ctx: Any) -> Any:
            fix = Refusal("base only") if base_only else super().column_fix(node, ctx)
            if self.recording and isinstance(fix, Refusal):
                reasons[fix.reason] += 1
            return fix

        def declarative_base_fix(self, node: Any, ctx: Any) -> Any:
            fix = super().declarative_base_fix(node, ctx)
            if self.recording and isinstance(fix, Refusal):
                reasons[fix.reason] += 1
            return fix

        def backref_fix(self, arg: Any, node: Any, ctx: Any) -> Any:
            fix = Refusal("base only") if base_only else super().backref_fix(arg, node, ctx)
            if self.recording and isinstance(fix, Refusal):
                reasons[fix.reason] += 1
            return fix

    rule = Recording()
    engine = Engine([rule])
    layers = LayerMatcher.from_globs(DEFAULT_LAYERS)
    before = after = 0
    files = fixed_files = 0
    not_compiling: list[str] = []
    fixed_paths: list[str] = []
    checks_of: dict[Path, tuple[str, Any]] = {}
    columns_before = columns_after = 0
    originals = {path: path.read_bytes() for path in directory.rglob("*.py")}
    for path in sorted(directory.rglob("*.py")):
        relative = path.relative_to(package_root).as_posix()
        module = relative.removesuffix(".py").removesuffix("/__init__").replace("/", ".")
        is_package = path.name == "__init__.py"
        layer = layers.layer_of(relative)

        def check(
            data: bytes,
            path: Path = path,
            module: str = module,
            layer: str | None = layer,
            is_package: bool = is_package,
        ) -> Any:
            result = engine.check(path, data, layer, module_name=module, is_package=is_package)
            return [f for f in result.findings if f.code == "FG108"], result.text

        source = path.read_bytes()
        found, _ = check(source)
        if not found:
            continue
        files += 1
        before += len(found)
        columns_before += _columns(source)
        outcome = fix_source(source, check, unsafe=True)
        if outcome.source is not None:
            fixed_paths.append(relative)
            path.write_bytes(outcome.source)
        checks_of[path] = (relative, check)
    if not base_only:  # the backrefs whose other class is in another file: both files
        _fix_across_files(directory, package_root)
    for path, (relative, check) in checks_of.items():
        text = path.read_bytes()
        if relative not in fixed_paths and text != originals[path]:
            fixed_paths.append(relative)
        if text != originals[path]:
            fixed_files += 1
            if not compiles(text.decode("utf-8")):
                not_compiling.append(relative)
        rule.recording = True
        left, _ = check(text)
        rule.recording = False
        after += len(left)
        columns_after += _columns(text)
        reasons["backref= target in another file, not settled by the run"] += sum(
            1 for f in left if f.fix is not None and f.fix.companion is not None
        )
    return {
        "files": files,
        "columns": columns_before,
        "columns_left": columns_after,
        "files_fixed": fixed_files,
        "findings": before,
        "fixed": before - after,
        "left": after,
        "reasons": dict(reasons.most_common()),
        "not_compiling": not_compiling,
        "fixed_paths": fixed_paths,
    }


def _columns(source: bytes) -> int:
    """The `Column(...)` attributes of class bodies (`x = Column(...)`, `sa.Column`)."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return 0
    count = 0
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef):
            for statement in node.body:
                value = statement.value if isinstance(statement, ast.Assign) else None
                if isinstance(value, ast.Call):
                    func = value.func
                    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                    count += name == "Column"
    return count


def _fix_across_files(directory: Path, package_root: Path) -> None:
    """The fixes whose other half lives in another file (`checks.crossfix`), as `check
    --fix --unsafe-fixes` makes them over the whole directory, FG108 alone."""
    from checks.cli import main

    (package_root / "pyproject.toml").write_text("[tool.fastapi-guardrails]\n")
    argv = ["check", "--no-cache", "--exit-zero", "--select", "FG108"]
    with open(os.devnull, "w") as sink:
        saved = sys.stdout
        sys.stdout = sink
        try:
            main([*argv, "--fix", "--unsafe-fixes", str(directory)])
        finally:
            sys.stdout = saved


# ------------------------------------------------------------ best-effort import
class _StatementLoader(importlib.abc.Loader):
    """Execute a module one top-level statement at a time; count the ones that fail."""

    def __init__(self, path: Path, failures: collections.Counter[str]) -> None:
        self.path = path
        self.failures = failures

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType | None:
        return None

    def exec_module(self, module: types.ModuleType) -> None:
        source = self.path.read_text(encoding="utf-8")
        tree = ast.parse(source, str(self.path))
        for statement in tree.body:
            code = compile(ast.Module(body=[statement], type_ignores=[]), str(self.path), "exec")
            try:
                exec(code, module.__dict__)
            except Exception as error:
                detail = error.name if isinstance(error, ImportError) and error.name else ""
                self.failures[f"{type(error).__name__} {detail}".strip()] += 1
                if os.environ.get("TYPED_MODELS_DEBUG"):
                    where = f"{self.path.name}:{statement.lineno}"
                    print(f"skipped {where}: {type(error).__name__}: {error}", file=sys.stderr)


class _PackageFinder(importlib.abc.MetaPathFinder):
    """Finds the copied package's modules and loads them with `_StatementLoader`."""

    def __init__(self, root: Path, package: str, failures: collections.Counter[str]) -> None:
        self.root = root
        self.package = package
        self.failures = failures

    def find_spec(
        self, fullname: str, path: Any = None, target: types.ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname.split(".")[0] != self.package:
            return None
        base = self.root.joinpath(*fullname.split("."))
        if (base / "__init__.py").is_file():
            loader = _StatementLoader(base / "__init__.py", self.failures)
            return importlib.util.spec_from_file_location(
                fullname,
                base / "__init__.py",
                loader=loader,
                submodule_search_locations=[str(base)],
            )
        if base.with_suffix(".py").is_file():
            loader = _StatementLoader(base.with_suffix(".py"), self.failures)
            return importlib.util.spec_from_file_location(
                fullname, base.with_suffix(".py"), loader=loader
            )
        return None


def _dump(root: Path, modules: list[str]) -> dict[str, Any]:
    """Import `modules` from the copy at `root` and read the schema they declare."""
    from sqlalchemy import MetaData
    from sqlalchemy.dialects import postgresql
    from sqlalchemy.orm import registry
    from sqlalchemy.schema import CreateIndex, CreateTable

    package = modules[0].split(".")[0]
    failures: collections.Counter[str] = collections.Counter()
    sys.meta_path.insert(0, _PackageFinder(root, package, failures))
    sys.path.insert(0, str(root))
    unimportable: list[str] = []
    warnings.simplefilter("ignore")
    for name in modules:
        try:
            __import__(name)
        except Exception as error:
            unimportable.append(f"{name}: {type(error).__name__}")
    registries: list[registry] = []
    metadatas: list[MetaData] = []
    for name, module in list(sys.modules.items()):
        if name.split(".")[0] != package or module is None:
            continue
        for value in list(vars(module).values()):
            if isinstance(value, MetaData) and value not in metadatas:
                metadatas.append(value)
            found = getattr(value, "registry", None) if isinstance(value, type) else None
            if isinstance(found, registry) and found not in registries:
                registries.append(found)
                if found.metadata not in metadatas:
                    metadatas.append(found.metadata)
    dialect = postgresql.dialect()  # type: ignore[no-untyped-call]
    tables: dict[str, Any] = {}
    for metadata in metadatas:
        for table in metadata.tables.values():
            try:
                create = str(CreateTable(table).compile(dialect=dialect))
                indexes = sorted(
                    str(CreateIndex(i).compile(dialect=dialect)) for i in table.indexes
                )
                tables[table.fullname] = [create, indexes]
            except Exception as error:
                tables[table.fullname] = ["not compiled: " + type(error).__name__, []]
    mappers: dict[str, Any] = {}
    configured = True
    for found in registries:
        try:
            found.configure()
        except Exception:
            configured = False
    if configured:
        try:
            for found in registries:
                for mapper in found.mappers:
                    name = f"{mapper.class_.__module__}.{mapper.class_.__name__}"
                    mappers[name] = _mapper_facts(mapper, dialect)
        except Exception:  # a class whose mapping failed half-way
            configured = False
            mappers = {}
    return {
        "tables": tables,
        "mappers": mappers,
        "configured": configured,
        "skipped_statements": dict(failures),
        "unimportable": unimportable,
    }


def _mapper_facts(mapper: Any, dialect: Any) -> dict[str, Any]:
    from sqlalchemy import Column

    def text(column: Any) -> str:
        if isinstance(column, Column):
            return str(column.name)
        return str(getattr(column, "element", column).compile(dialect=dialect))

    return {
        "columns": {p.key: [text(c) for c in p.columns] for p in mapper.column_attrs},
        "relationships": {
            r.key: [
                r.mapper.class_.__name__,
                r.direction.name,
                r.uselist,
                r.back_populates,
                r.lazy,
                str(r.cascade),
            ]
            for r in mapper.relationships
        },
    }


def _dump_in_subprocess(
    root: Path, modules: list[str], python: str, environment: dict[str, str]
) -> dict[str, Any]:
    result = subprocess.run(
        [python, __file__, "--dump", str(root), *modules],
        env={**os.environ, **environment},
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    if os.environ.get("TYPED_MODELS_DEBUG"):
        sys.stderr.write(result.stderr)
    if result.returncode != 0:
        raise SystemExit(f"importing {root} failed:\n{result.stderr[-3000:]}")
    data: dict[str, Any] = json.loads(result.stdout.splitlines()[-1])
    return data


def _compare(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    old, new = before["tables"], after["tables"]
    same = [name for name in old if name in new and old[name] == new[name]]
    different = [name for name in old if name in new and old[name] != new[name]]
    compiled_same = [name for name in same if not old[name][0].startswith("not compiled")]
    mappers_compared = before["configured"] and after["configured"]
    mapper_differences = (
        [k for k in before["mappers"] if before["mappers"][k] != after["mappers"].get(k)]
        if mappers_compared
        else []
    )
    return {
        "tables_before": len(old),
        "tables_after": len(new),
        "only_before": sorted(set(old) - set(new)),
        "only_after": sorted(set(new) - set(old)),
        "same_ddl": len(compiled_same),
        "same_uncompiled": len(same) - len(compiled_same),
        "different": different,
        "mappers_compared": len(before["mappers"]) if mappers_compared else 0,
        "mapper_differences": mapper_differences,
    }


# ------------------------------------------------------------------------ mypy
#: one mypy error: file, line, error code, message
MypyError = tuple[str, int, str, str]


def _mypy_errors(root: Path, files: list[str], python: str) -> list[MypyError]:
    """mypy's errors on `files` of the copy at `root`. SQLAlchemy's own annotations, no
    plugin, no configuration of the service; `python`'s packages are the ones imported (a
    package it lacks is `Any`); `--check-untyped-defs`, so that the bodies that use the
    columns are checked too."""
    version = subprocess.run(
        [python, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    config = root.parent / "mypy-benchmark.ini"
    config.write_text("[mypy]\n", encoding="utf-8")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--config-file",
            str(config),
            "--python-executable",
            python,
            "--python-version",
            version,
            "--follow-imports=silent",
            "--ignore-missing-imports",
            "--check-untyped-defs",
            "--no-incremental",
            "--cache-dir",
            os.devnull,
            "--show-error-codes",
            "--hide-error-context",
            "--no-pretty",
            "--no-error-summary",
            *files,
        ],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
        timeout=1800,
    )
    if result.returncode not in (0, 1):
        raise SystemExit(f"mypy failed on {root}:\n{result.stderr[-3000:]}{result.stdout[-3000:]}")
    errors: list[MypyError] = []
    for line in result.stdout.splitlines():
        where, separator, message = line.partition(": error: ")
        path, _, number = where.rpartition(":")
        if not separator or not number.isdigit():
            continue
        code = message.rsplit("[", 1)[-1].rstrip("]") if message.endswith("]") else ""
        errors.append((path, int(number), code, message))
    return errors


def _line_map(before: str, after: str) -> tuple[dict[int, int], set[int]]:
    """For a file and its fixed version: the line before the fix of each line after it
    (1-based; a replaced block of as many lines maps line by line), and the lines the fix
    wrote."""
    old, new = before.splitlines(), after.splitlines()
    mapping: dict[int, int] = {}
    written: set[int] = set()
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "equal":
            written.update(range(j1 + 1, j2 + 1))
        if tag == "equal" or (tag == "replace" and i2 - i1 == j2 - j1):
            mapping.update({j + 1: i1 + (j - j1) + 1 for j in range(j1, j2)})
    return mapping, written


def _mypy_comparison(
    before: list[MypyError], after: list[MypyError], roots: tuple[Path, Path]
) -> dict[str, Any]:
    """mypy's errors after the fix, placed on the lines they had before it: those on a
    line that had no error (what the issue's proof counts), split into lines the fix wrote
    (its declarations) and code it left alone (code that uses the models, checked against
    their new types); and how many errors before are on a line that has none after."""
    had_errors = {(path, line) for path, line, _, _ in before}
    matched: set[tuple[str, int]] = set()
    maps: dict[str, tuple[dict[int, int], set[int]]] = {}
    on_written: list[MypyError] = []
    elsewhere: list[MypyError] = []
    for error in after:
        path, line, _, _ = error
        if path not in maps:
            maps[path] = _line_map(
                (roots[0] / path).read_text(encoding="utf-8"),
                (roots[1] / path).read_text(encoding="utf-8"),
            )
        mapping, written = maps[path]
        place = (path, mapping.get(line, -1))
        if place in had_errors:
            matched.add(place)
        elif line in written:
            on_written.append(error)
        else:
            elsewhere.append(error)
    return {
        "before": len(before),
        "after": len(after),
        "new_on_fixed_lines": on_written,
        "new_elsewhere": elsewhere,
        "gone": sum(1 for path, line, _, _ in before if (path, line) not in matched),
    }


def _package_root(path: Path) -> Path:
    top = path
    while (top.parent / "__init__.py").is_file():
        top = top.parent
    if not (top / "__init__.py").is_file():
        raise SystemExit(f"{path} is not inside a package (no __init__.py)")
    return top.parent


#: what a module that declares models (or tables) has in it: such modules are imported
_MODEL_WORDS = ("Column(", "mapped_column(", "relationship(", "Table(", "DeclarativeBase")


def _modules(directory: Path, package_root: Path) -> list[str]:
    names = []
    for path in sorted(directory.rglob("*.py")):
        relative = path.relative_to(package_root).with_suffix("")
        parts = list(relative.parts)
        if parts[-1] == "__init__":
            parts.pop()
        text = path.read_text(encoding="utf-8", errors="replace")
        if any(word in text for word in _MODEL_WORDS):
            names.append(".".join(parts))
    return names


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path)
    parser.add_argument("--package-root", type=Path, default=None)
    parser.add_argument("--keep", type=Path, default=None, help="copy the two trees here")
    parser.add_argument(
        "--python",
        default=sys.executable,
        help="the interpreter that imports the models (one with the service's dependencies)",
    )
    parser.add_argument(
        "--mypy",
        action="store_true",
        help="also run mypy (SQLAlchemy's own typing, no plugin) on the fixed files of both copies",
    )
    parser.add_argument(
        "--mypy-package",
        action="store_true",
        help="with --mypy: check every module of the package (the code that uses the models too)",
    )
    parser.add_argument(
        "--env",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a setting the service reads from its environment at import time",
    )
    args = parser.parse_args()
    path = args.path.resolve()
    package_root = (args.package_root or _package_root(path)).resolve()
    package = path.relative_to(package_root).parts[0]
    work = Path(tempfile.mkdtemp(prefix="typed-models-"))
    try:
        for side in ("before", "after", "base-only") if args.mypy else ("before", "after"):
            shutil.copytree(
                package_root / package,
                work / side / package,
                symlinks=True,  # a service's dangling links (a frontend's build) stay links
                ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "node_modules", ".git"),
            )
        inner = path.relative_to(package_root)
        modules = _modules(work / "before" / inner, work / "before")
        counts = _fix_tree(work / "after" / inner, work / "after")
        print(f"{path}")
        print(
            f"  FG108 findings: {counts['findings']} in {counts['files']} files; "
            f"fixed: {counts['fixed']} ({counts['files_fixed']} files); left: {counts['left']}"
        )
        print(
            f"  Column() class attributes: {counts['columns']}, typed by the fix: "
            f"{counts['columns'] - counts['columns_left']}, left: {counts['columns_left']}"
        )
        print("  left without a fix (a class's columns counted one by one), by reason:")
        for reason, count in counts["reasons"].items():
            print(f"    {reason}: {count}")
        print(f"  fixed files CPython does not compile: {len(counts['not_compiling'])}")
        if args.mypy and counts["fixed_paths"]:
            _fix_tree(work / "base-only" / inner, work / "base-only", base_only=True)
            files = counts["fixed_paths"]
            if args.mypy_package:
                files = sorted(
                    p.relative_to(work / "before").as_posix()
                    for p in (work / "before" / package).rglob("*.py")
                )
            errors = {
                side: _mypy_errors(work / side, files, args.python)
                for side in ("before", "after", "base-only")
            }
            mypy = _mypy_comparison(
                errors["before"], errors["after"], (work / "before", work / "after")
            )
            columns = _mypy_comparison(
                errors["base-only"], errors["after"], (work / "base-only", work / "after")
            )
            print(
                f"  mypy on {len(files)} files: errors before "
                f"{mypy['before']}, after {mypy['after']}; gone: {mypy['gone']}; at a place "
                f"that had none: {len(mypy['new_on_fixed_lines'])} on lines the fix wrote, "
                f"{len(mypy['new_elsewhere'])} in code it left. With only declarative_base() "
                f"fixed: {columns['before']} errors; the typed columns and back_populates add "
                f"{len(columns['new_on_fixed_lines'])} on lines they wrote, "
                f"{len(columns['new_elsewhere'])} in code they left"
            )
            for kind in ("new_on_fixed_lines", "new_elsewhere"):
                for path, line, _, message in mypy[kind]:
                    print(f"    NEW ({kind.removeprefix('new_')}) {path}:{line}: {message}")
            for kind in ("new_on_fixed_lines", "new_elsewhere"):
                for path, line, _, message in columns[kind]:
                    print(
                        f"    NEW BY COLUMNS ({kind.removeprefix('new_')}) {path}:{line}: {message}"
                    )
        if not modules:
            print("  no module that declares models to import")
            return
        environment = dict(item.split("=", 1) for item in args.env)
        before = _dump_in_subprocess(work / "before", modules, args.python, environment)
        after = _dump_in_subprocess(work / "after", modules, args.python, environment)
        comparison = _compare(before, after)
        skipped_before = sum(before["skipped_statements"].values())
        skipped_after = sum(after["skipped_statements"].values())
        print(
            f"  imported {len(modules)} model modules; top-level statements skipped "
            f"(failed): before {skipped_before} {before['skipped_statements']}, "
            f"after {skipped_after} {after['skipped_statements']}"
        )
        print(
            f"  tables: before {comparison['tables_before']}, after {comparison['tables_after']}; "
            f"same DDL: {comparison['same_ddl']}; same but not compilable "
            f"(a referenced table did not load): {comparison['same_uncompiled']}; "
            f"different: {len(comparison['different'])}"
        )
        for name in comparison["different"]:
            print(textwrap.indent(f"DIFFERENT {name}", "    "))
        for side in ("only_before", "only_after"):
            if comparison[side]:
                print(f"    tables {side.replace('_', ' ')}: {comparison[side]}")
        if comparison["mappers_compared"]:
            print(
                f"  mappers compared: {comparison['mappers_compared']}, "
                f"different: {len(comparison['mapper_differences'])}"
            )
        else:
            print("  mappers not compared: they do not configure (a class did not load)")
        if args.keep is not None:
            shutil.copytree(work, args.keep, symlinks=True, dirs_exist_ok=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--dump":
        print(json.dumps(_dump(Path(sys.argv[2]), sys.argv[3:])))
    else:
        main()

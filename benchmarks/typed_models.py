"""FG108's fix on a real service's models: what it fixes, what it leaves and why, and
whether the schema stays the same.

    uv run python benchmarks/typed_models.py PATH [--package-root DIR] [--keep DIR]
        [--python INTERPRETER] [--env NAME=VALUE ...]

PATH is the directory whose files are fixed (a service's models folder, or its whole
package when models live next to each domain's code). The top-level package holding PATH
(found by walking up while there is an `__init__.py`, or `--package-root`) is copied twice
into a temporary directory, so the service is never modified: one copy stays as it is,
the other gets `--fix --unsafe-fixes` with FG108 alone on every file under PATH.

Printed: FG108 findings before, fixed, left without a fix by reason; fixed files that
CPython does not compile; then the schema comparison. Each copy is imported in a
subprocess of its own with a best-effort loader: the package's modules are executed one
top-level statement at a time and a statement that fails (a dependency that is not
installed, a setting that is not there) is skipped and counted, the same way on both
sides; nothing is stubbed. Every table of every `MetaData` and declarative registry the
modules made is compiled to PostgreSQL DDL (`CREATE TABLE` and its `CREATE INDEX`es),
and where the mappers configure, their columns and relationships are read; the two sides
are compared table by table. `--python` names the interpreter that imports the copies
(a virtual environment with the service's dependencies: the fewer statements fail, the
more tables compile). Not part of the test run.
"""

from __future__ import annotations

import argparse
import ast
import collections
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
def _fix_tree(directory: Path, package_root: Path) -> dict[str, Any]:
    """Fix every file under `directory` with FG108's unsafe fix; count findings."""
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
            fix = super().column_fix(node, ctx)
            if self.recording and isinstance(fix, Refusal):
                reasons[fix.reason] += 1
            return fix

        def declarative_base_fix(self, node: Any, ctx: Any) -> Any:
            fix = super().declarative_base_fix(node, ctx)
            if self.recording and isinstance(fix, Refusal):
                reasons[fix.reason] += 1
            return fix

        def backref_fix(self, arg: Any, node: Any, ctx: Any) -> Any:
            fix = super().backref_fix(arg, node, ctx)
            if self.recording and isinstance(fix, Refusal):
                reasons[fix.reason] += 1
            return fix

    rule = Recording()
    engine = Engine([rule])
    layers = LayerMatcher.from_globs(DEFAULT_LAYERS)
    before = after = 0
    files = fixed_files = 0
    not_compiling: list[str] = []
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
        outcome = fix_source(source, check, unsafe=True)
        text = outcome.source if outcome.source is not None else source
        if outcome.source is not None:
            fixed_files += 1
            path.write_bytes(outcome.source)
            if not compiles(outcome.source.decode("utf-8")):
                not_compiling.append(relative)
        rule.recording = True
        left, _ = check(text)
        rule.recording = False
        after += len(left)
    return {
        "files": files,
        "files_fixed": fixed_files,
        "findings": before,
        "fixed": before - after,
        "left": after,
        "reasons": dict(reasons.most_common()),
        "not_compiling": not_compiling,
    }


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
        for side in ("before", "after"):
            shutil.copytree(
                package_root / package,
                work / side / package,
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
        for reason, count in counts["reasons"].items():
            print(f"    left, {reason}: {count}")
        print(f"  fixed files CPython does not compile: {len(counts['not_compiling'])}")
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
            shutil.copytree(work, args.keep, dirs_exist_ok=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--dump":
        print(json.dumps(_dump(Path(sys.argv[2]), sys.argv[3:])))
    else:
        main()

"""Compare every finding with and without the pre-filters over whole trees.

    uv run python benchmarks/prefilter_equivalence.py [--without-packages] [--default] [DIR ...]

Default: this interpreter's standard library. Checks every file with every rule (default
or not; with `--default`, the default rules, as a run without configuration: a file whose
rules all wait for the project index is more common then), once parsing all of them with
those rules, and once pre-filtered (the words of
`checks.prefilter`, then the structural screens of `checks.structure`, which know the
packages the run's index can read as a run over DIR does: `checks.run.run_packages`;
not with `--without-packages`), and prints the differences (none expected, apart from
FG000 on valid Python that libcst cannot parse and no rule needs) with the share of files
and bytes the pre-filters spared libcst (a file whose rules all wait for the project index,
`FileResult.deferred`, counts as spared, and how many of them the index had parsed is
printed), the time of each pass, and for each rule the files it still has libcst parse.
A screen that raises (which the engine answers by running its rule) is a failure too.
"""

from __future__ import annotations

import sys
import sysconfig
import time
from collections import Counter
from pathlib import Path

from checks.catalog import CATALOG
from checks.config import CommandLineSelection, Settings, load_settings
from checks.discovery import discover
from checks.engine import Engine
from checks.findings import FileResult, Finding
from checks.newer_syntax import parse
from checks.project import module_name_for
from checks.run import build_index, check_file, make_engine, resolve_findings, run_packages
from checks.structure import Structure


def _fix_of(finding: Finding) -> str | None:
    """What a finding's fix is, for the comparison: its applicability, or None."""
    return finding.fix.applicability if finding.fix is not None else None


def structure_of(
    path: Path, source: bytes, settings: Settings, packages: frozenset[str] | None
) -> Structure | None:
    """The file's structure as the engine builds it (None: CPython cannot parse it, even
    once its Python 3.12+ forms are rewritten: `checks.newer_syntax`)."""
    tree = parse(source)
    if tree is None:
        return None
    relative = str(settings.relative(path))
    layer = settings.layers.layer_of(settings.relative(path))
    module, is_package = module_name_for(path)
    structure = Structure(tree, module, is_package, layer, relative, path, source)
    structure.project_packages = packages
    return structure


def run(
    engine: Engine,
    settings: Settings,
    files: list[Path],
    packages: frozenset[str] | None = None,
) -> tuple[list[FileResult], float]:
    start = time.perf_counter()
    results = [check_file(engine, settings, path, path.read_bytes(), packages) for path in files]
    return results, time.perf_counter() - start


def main(argv: list[str]) -> int:
    with_packages = "--without-packages" not in argv
    selection = CommandLineSelection() if "--default" in argv else CommandLineSelection(["ALL"])
    argv = [a for a in argv if a not in ("--without-packages", "--default")]
    roots = [Path(a) for a in argv] or [Path(sysconfig.get_paths()["stdlib"])]
    differences = failures = 0
    for root in roots:
        settings = load_settings(CATALOG, root, None, selection)
        files = discover([root], settings)
        # what `check_files` gives the screens of a run over `root`
        packages = run_packages(files, settings) if with_packages else None
        # the engines of a run: the project's version targets (and the named rules) too
        full, full_time = run(make_engine(settings, prefilter=False), settings, files)
        filtered_engine = make_engine(settings)
        filtered, filtered_time = run(filtered_engine, settings, files, packages)
        spared = spared_bytes = total_bytes = 0
        parsed_for: Counter[str] = Counter()
        for path in files:
            source = path.read_bytes()
            total_bytes += len(source)
            structure = structure_of(path, source, settings, packages)
            active = filtered_engine.active_rules(
                path,
                source,
                settings.layers.layer_of(settings.relative(path)),
                module_name=module_name_for(path)[0],
                structure=structure,
            )
            # a screen that raises lets its rule run (the engine's net): correct, but it
            # spares nothing, and it is a bug the comparison above cannot see
            for rule in filtered_engine.rules if structure is not None else ():
                for screen in (rule.may_fire_in, rule.deferred_conditions):
                    try:
                        screen(structure)
                    except Exception as error:
                        failures += 1
                        print(f"SCREEN FAILED: {path}: {rule.code} {screen.__name__}: {error!r}")
            if filtered_engine.deferred(active, structure):
                active = []  # parsed only if the index holds a condition: counted below
            parsed_for.update(rule.code for rule in active)
            if not active:
                spared += 1
                spared_bytes += len(source)
        index = build_index(filtered, settings)
        deferred = [r for r in filtered if r.deferred]
        settled = [r for r in deferred if any(index.holds(c, r.path) for _, c in r.deferred)]
        # resolved across the project: skipped files are summarised from disk on demand
        keys = [
            {
                (str(f.path), f.code, f.start.row, f.start.column, f.message, _fix_of(f))
                for f in found
            }
            for found in (resolve_findings(full, settings), resolve_findings(filtered, settings))
        ]
        for key in sorted(keys[0] ^ keys[1]):
            differences += 1
            print(f"DIFFERENT ({'without' if key in keys[0] else 'with'} pre-filter only): {key}")
        print(
            f"{root}: {len(files)} files, {spared} not parsed by libcst "
            f"({spared / max(len(files), 1):.0%}, {spared_bytes / max(total_bytes, 1):.0%} of "
            f"the bytes; {len(deferred)} of them waited for the index, which had "
            f"{len(settled)} parsed); all rules parsing every file {full_time:.1f} s, "
            f"pre-filtered {filtered_time:.1f} s"
        )
        print(
            "  files libcst parses for each rule: "
            + ", ".join(f"{code} {count}" for code, count in sorted(parsed_for.items()))
        )
    print(f"{differences} finding(s) differ; {failures} screen(s) failed")
    return 1 if differences or failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

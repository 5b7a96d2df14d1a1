"""The pre-filter is exact: the same findings with it as without it, on real code."""

from __future__ import annotations

import sysconfig
from pathlib import Path

import pytest

from checks.catalog import CATALOG
from checks.config import DEFAULT_LAYERS, CommandLineSelection, LayerMatcher, load_settings
from checks.discovery import discover
from checks.engine import Engine
from checks.findings import FileResult
from checks.prefilter import Evidence
from checks.rules import ALL_RULES
from checks.run import check_file, check_files, resolve_findings, run_packages
from tests.helpers import HTTP_ERRORS, REPOSITORY, check_code, write

REPO = Path(__file__).resolve().parent.parent
STDLIB = Path(sysconfig.get_paths()["stdlib"])
#: Packages of the standard library with async code, HTTP, SQL, environment reads and
#: many string forms: about 2 MB, checked twice.
STDLIB_SLICE = ("asyncio", "email", "http", "json", "sqlite3", "logging", "unittest")


def _findings(engine: Engine, root: Path) -> set[tuple[str, str, int, int, str]]:
    settings = load_settings(CATALOG, root, None, CommandLineSelection(select=["ALL"]))
    files = discover([root], settings)
    # the screens know the packages the index can read, as in a run (`check_files`)
    packages = run_packages(files, settings) if engine.prefilter else None
    results: list[FileResult] = [
        check_file(engine, settings, path, path.read_bytes(), packages) for path in files
    ]
    return {
        (str(f.path), f.code, f.start.row, f.start.column, f.message)
        for f in resolve_findings(results, settings)
    }


@pytest.mark.parametrize(
    "root",
    [REPO / "sample_app", REPO / "checks", REPO / "tests", *(STDLIB / p for p in STDLIB_SLICE)],
    ids=lambda root: root.name,
)
def test_prefilter_changes_no_finding(root: Path) -> None:
    rules = list(ALL_RULES)
    without = _findings(Engine(rules, prefilter=False), root)
    with_prefilter = _findings(Engine(rules, prefilter=True), root)
    assert with_prefilter == without


def test_prefilter_spares_files_no_rule_can_fire_on() -> None:
    engine = Engine(ALL_RULES)
    plain = b"def add(a: int, b: int) -> int:\n    return a + b\n"
    assert engine.active_rules(Path("app/math.py"), plain, None) == []
    sleepy = b"import time\n\nasync def f():\n    time.sleep(1)\n"
    active = {r.code for r in engine.active_rules(Path("app/jobs.py"), sleepy, None)}
    assert "FG301" in active
    assert "FG201" not in active


def test_every_rules_examples_find_the_same_with_and_without_prefilter() -> None:
    full = Engine(ALL_RULES, prefilter=False)
    for rule in ALL_RULES:
        for example in (*rule.bad, *rule.good):
            expected = check_code(example.code, example.path, example.project, engine=full)
            found = check_code(example.code, example.path, example.project)
            assert [(f.code, f.start) for f in found] == [(f.code, f.start) for f in expected], (
                rule.code,
                example.note,
            )


def _layer(path: str) -> str | None:
    return LayerMatcher.from_globs(DEFAULT_LAYERS).layer_of(path)


def test_attributes_are_seen_through_whitespace_continuations_and_comments() -> None:
    source = b"x = (model .  # a comment\n   dict())\ny = m.\\\n  json()\n"
    evidence = Evidence(source, Path("a.py"), None)
    assert evidence.has_attribute("dict")
    assert evidence.has_attribute("json")
    assert not evidence.has_attribute("model")


def test_escapes_and_foreign_encodings_turn_the_prefilter_off() -> None:
    escaped = Evidence(b'd = {"pass\\x77ord": "x"}\n', Path("a.py"), None)
    assert escaped.letter_escapes
    latin = Evidence(b"# -*- coding: latin-1 -*-\nx = 1\n", Path("a.py"), None)
    assert not latin.readable
    utf8 = Evidence(b"# -*- coding: utf-8 -*-\nx = 1\n", Path("a.py"), None)
    assert utf8.readable
    engine = Engine(ALL_RULES)
    rules = engine.active_rules(Path("a.py"), b"# coding: cp1252\nx = 1\n", None)
    assert len(rules) == len(engine.rules)


def test_a_package_is_named_by_its_own_relative_imports() -> None:
    evidence = Evidence(b"from .routing import APIRouter\n", Path("a.py"), None, "fastapi.x")
    assert evidence.has_package("fastapi")
    assert not Evidence(b"from .routing import APIRouter\n", Path("a.py"), None).has_package(
        "fastapi"
    )


def test_a_run_of_a_directory_does_not_parse_for_a_library_class(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`raise NotFound(...)` of a package the project does not hold (`problems`, a
    library) is no FG401 condition: the run's screens know the packages its index can
    read, and spare the file libcst. Once the project holds `problems.py`, it is parsed
    and reported."""
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "pyproject.toml", "[project]\nname = 'svc'\n")
    write(tmp_path, "app/__init__.py", "")
    write(tmp_path, "app/users/__init__.py", "")
    write(tmp_path, "app/users/repository.py", REPOSITORY)
    write(tmp_path, "app/users/service.py", "from app.users.repository import UserRepository\n")
    settings = load_settings(CATALOG, tmp_path)
    files = discover([Path("app")], settings)
    assert "problems" not in run_packages(files, settings)
    results = {r.path.name: r for r in check_files(files, settings, None, 1)}
    spared = results["repository.py"]
    assert spared.summary is None  # libcst never parsed it
    assert "problems" in spared.outside_packages
    assert not resolve_findings(list(results.values()), settings)

    write(tmp_path, "problems.py", HTTP_ERRORS)  # at the project root, outside the run
    assert "problems" in run_packages(files, settings)
    results = {r.path.name: r for r in check_files(files, settings, None, 1)}
    assert results["repository.py"].summary is not None
    found = resolve_findings(list(results.values()), settings)
    assert [(f.path.name, f.code) for f in found] == [("repository.py", "FG401")]

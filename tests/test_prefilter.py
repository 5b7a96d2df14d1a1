"""The pre-filter is exact: the same findings with it as without it, on real code."""

from __future__ import annotations

import ast
import sysconfig
import textwrap
from pathlib import Path

import pytest

from checks.catalog import CATALOG
from checks.config import DEFAULT_LAYERS, CommandLineSelection, LayerMatcher, load_settings
from checks.discovery import discover
from checks.engine import Engine
from checks.findings import FileResult, Finding
from checks.prefilter import Evidence
from checks.rule import Rule
from checks.rules import ALL_RULES, RULES_BY_CODE
from checks.run import (
    build_index,
    check_file,
    check_files,
    resolve_findings,
    resolve_with,
    run_packages,
    settle,
)
from checks.structure import Structure
from checks.summary import summarize
from tests.helpers import HTTP_ERRORS, REPOSITORY, check_code, write

REPO = Path(__file__).resolve().parent.parent
STDLIB = Path(sysconfig.get_paths()["stdlib"])
#: Packages of the standard library with async code, HTTP, SQL, environment reads and
#: many string forms: about 2 MB, checked twice.
STDLIB_SLICE = ("asyncio", "email", "http", "json", "sqlite3", "logging", "unittest")


def _fix_of(finding: Finding) -> str | None:
    """What a finding's fix is, for the comparison: its applicability, or None."""
    return finding.fix.applicability if finding.fix is not None else None


def _findings(engine: Engine, root: Path) -> set[tuple[str, str, int, int, str, str | None]]:
    settings = load_settings(CATALOG, root, None, CommandLineSelection(select=["ALL"]))
    files = discover([root], settings)
    # the screens know the packages the index can read, as in a run (`check_files`)
    packages = run_packages(files, settings) if engine.prefilter else None
    results: list[FileResult] = [
        check_file(engine, settings, path, path.read_bytes(), packages) for path in files
    ]
    return {
        (str(f.path), f.code, f.start.row, f.start.column, f.message, _fix_of(f))
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


@pytest.mark.parametrize(
    "root",
    [REPO / "sample_app", REPO / "checks", REPO / "tests", *(STDLIB / p for p in STDLIB_SLICE)],
    ids=lambda root: root.name,
)
def test_no_screen_raises(root: Path) -> None:
    # the engine runs a rule whose screen raises (correct, sparing nothing), so the
    # comparison above cannot see such a bug: the builtin `format(x, spec)` had failed
    # every screen of sqlbot's `data_format.py`, taken for a text's `.format()`
    settings = load_settings(CATALOG, root, None, CommandLineSelection(select=["ALL"]))
    files = discover([root], settings)
    packages = run_packages(files, settings)
    failed = []
    for path in files:
        source = path.read_bytes()
        try:
            tree = ast.parse(source)
        except (SyntaxError, ValueError):
            continue
        relative = str(settings.relative(path))
        layer = settings.layers.layer_of(settings.relative(path))
        structure = Structure(tree, None, False, layer, relative, path, source)
        structure.project_packages = packages
        for rule in ALL_RULES:
            for screen in (rule.may_fire_in, rule.deferred_conditions):
                try:
                    screen(structure)
                except Exception as error:
                    failed.append((str(path), rule.code, screen.__name__, repr(error)))
    assert failed == []


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
    parsed = _parsed_by_libcst(monkeypatch)
    results = {r.path.name: r for r in check_files(files, settings, None, 1)}
    spared = results["repository.py"]
    assert "class UserRepository" not in "".join(parsed)  # libcst never parsed it
    # its summary is CPython's, which the index reads instead of parsing it again
    assert spared.summary == summarize(REPOSITORY.encode(), "app.users.repository", False)
    assert "problems" in spared.outside_packages
    assert not resolve_findings(list(results.values()), settings)

    write(tmp_path, "problems.py", HTTP_ERRORS)  # at the project root, outside the run
    # and a service raising an error of its own: FG401's convention (`own_service_errors`)
    write(
        tmp_path,
        "app/users/service.py",
        "from app.users.repository import UserRepository\n\n\n"
        "class UserError(Exception):\n    pass\n\n\n"
        "def check(user_id: int) -> None:\n    if user_id < 0:\n        raise UserError()\n\n\n"
        "async def read(repository: UserRepository) -> None:\n    await repository.get(1)\n",
    )
    assert "problems" in run_packages(files, settings)
    parsed.clear()
    results = {r.path.name: r for r in check_files(files, settings, None, 1)}
    # the raise waits for the index: parsed once it finds `problems.NotFound` HTTPException
    deferred = results["repository.py"].deferred
    assert "class UserRepository" not in "".join(parsed)
    assert any(code == "FG401" and "problems.NotFound" in c.refs for code, c in deferred)
    found = resolve_findings(list(results.values()), settings)
    assert [(f.path.name, f.code) for f in found] == [("repository.py", "FG401")]
    assert "class UserRepository" in "".join(parsed)  # by `settle`


def _parsed_by_libcst(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The texts libcst parses from now on in this process."""
    import libcst

    parsed: list[str] = []
    parse_module = libcst.parse_module

    def recording(source: str | bytes, *args: object, **kwargs: object) -> libcst.Module:
        parsed.append(source if isinstance(source, str) else source.decode("utf-8", "replace"))
        return parse_module(source, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(libcst, "parse_module", recording)
    return parsed


#: A coroutine that opens another module's factory and hands the session on: a finding
#: only if that factory is a sync one (FG102), which the project index knows.
_OPENS_IMPORTED = """
from app.db import SessionLocal
from app.users import crud


async def list_users() -> list[object]:
    with SessionLocal() as session:
        return crud.all_users(session)
"""


@pytest.mark.parametrize(
    ("factory", "expected"),
    [
        ("from sqlalchemy.orm import sessionmaker\n\nSessionLocal = sessionmaker()\n", 1),
        (
            "from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker\n\n"
            "SessionLocal = async_sessionmaker(class_=AsyncSession)\n",
            0,
        ),
    ],
    ids=["sync factory", "async factory"],
)
def test_a_file_whose_rules_wait_for_the_index_is_parsed_only_if_it_answers_yes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, factory: str, expected: int
) -> None:
    """Every finding FG102 could make in `tasks.py` stands only if the project index finds
    `app.db.SessionLocal` sync: the file is not parsed by the run; it is once the index is
    built, and only when the answer is yes (`checks.run.settle`), with the same findings
    as a run without screens."""
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "pyproject.toml", "[project]\nname = 'svc'\n")
    write(tmp_path, "app/__init__.py", "")
    write(tmp_path, "app/db.py", factory)
    write(tmp_path, "app/users/__init__.py", "")
    write(tmp_path, "app/users/crud.py", "def all_users(session):\n    return []\n")
    tasks = write(tmp_path, "app/tasks.py", _OPENS_IMPORTED)
    settings = load_settings(CATALOG, tmp_path)
    files = discover([Path("app")], settings)
    parsed = _parsed_by_libcst(monkeypatch)
    results = check_files(files, settings, None, 1)
    waiting = next(r for r in results if r.path.name == "tasks.py")
    assert "async def list_users" not in "".join(parsed)  # libcst never parsed it
    # FG302 and FG303 wait too: `crud.all_users` may be a sync helper that blocks (and
    # FG302 asks whether `SessionLocal()` returns a sync client of a network service);
    # FG102 asks twice: what `SessionLocal()` opens, and whether a callee makes a sync
    # session; FG303 too: whether a callee blocks, and whether one hashes a new password
    # in a coroutine a public route may be or await (`checks.public_routes`)
    deferred = [code for code, _ in waiting.deferred]
    assert deferred == ["FG102", "FG102", "FG302", "FG302", "FG303", "FG303", "FG304"]
    assert {"app.db.SessionLocal", "app.users.crud.all_users"} <= set(waiting.deferred[0][1].refs)
    index = build_index(results, settings)
    settled = {r.path.name: r for r in settle(results, index, settings)}
    assert (settled["tasks.py"] is waiting) == (expected == 0)
    found = [f for f in resolve_with(list(settled.values()), index) if f.path.name == "tasks.py"]
    assert [(f.code, f.start.row) for f in found] == [("FG102", 6)] * expected
    full = Engine([r for r in ALL_RULES if r.code in settings.enabled], prefilter=False)
    unscreened = [check_file(full, settings, path, path.read_bytes()) for path in files]
    assert [(f.code, f.start) for f in found] == [
        (f.code, f.start)
        for f in resolve_findings(unscreened, settings)
        if f.path.resolve() == tasks.resolve()
    ]


def _unscreened(rule: Rule, source: str) -> list[Finding]:
    """What `rule` reports in `source` when it runs whatever its screen says."""
    code = textwrap.dedent(source).encode()
    return Engine([rule], screen=False).check(Path("app/example.py"), code).findings


def _structure(source: str, path: str = "app/example.py") -> Structure:
    code = textwrap.dedent(source).lstrip("\n").encode()
    return Structure(ast.parse(code), "app.example", False, _layer(path), path, Path(path), code)


def test_fg105s_screen_follows_text_a_name_adds_to() -> None:
    """tzinchy's repositories (reader 157): `query = "SELECT ..."`, then `query +=
    f" AND n = '{name}'"` under a filter, then `execute(text(query))`. The rule renders
    what `+=` adds (`SqlFlow.augmented`); its screen read only the `=` bindings and spared
    the file: every such query of a file with no other interpolated binding went
    unreported."""
    fg105 = RULES_BY_CODE["FG105"]
    source = """
        from sqlalchemy import text

        async def houses(session, name: str):
            query = "SELECT house_address FROM new_apart WHERE 1=1"
            if name:
                query += f" AND district = '{name}'"
            query += " ORDER BY house_address"
            return await session.execute(text(query))
        """
    assert fg105.may_fire_in(_structure(source))
    assert [f.start.row for f in _unscreened(fg105, source)] == [9]
    literal = source.replace("f\" AND district = '{name}'\"", '" AND district = :name"')
    assert not fg105.may_fire_in(_structure(literal))


def test_screens_spare_query_results_dict_reads_and_imported_response_schemas() -> None:
    """What kept most of polar's parsed files in libcst: a query result's `.scalars()`
    (FG103), a dict's `.get("client_secret")` (FG502), a route returning a schema of another
    module (FG404, which now waits for the index instead). Each still fires where it can."""
    fg103, fg502, fg404 = (RULES_BY_CODE[code] for code in ("FG103", "FG502", "FG404"))
    results = """
        from sqlalchemy.ext.asyncio import AsyncSession

        async def names(session: AsyncSession) -> list[str]:
            result = await session.execute(q)
            rows = (await session.execute(q)).scalars().all()
            return list(result.unique().scalars().all()) + rows
        """
    assert not fg103.may_fire_in(_structure(results))
    session = results.replace("result.unique()", "session")
    assert fg103.may_fire_in(_structure(session))
    rebound = textwrap.dedent(results).replace("    return", "    result = session\n    return")
    # `result` may be the session now: `result.scalars()` unawaited fires, while a method
    # no session has (`result.unique()`) gives the rule no class to report on
    assert not fg103.may_fire_in(_structure(rebound))
    assert _unscreened(fg103, rebound) == []
    rebound = rebound.replace("result.unique().scalars()", "result.scalars()")
    assert fg103.may_fire_in(_structure(rebound))
    assert len(_unscreened(fg103, rebound)) == 1

    headers = 'def token(request):\n    return request.headers.get("client_secret", "none")\n'
    assert not fg502.may_fire_in(_structure(headers))
    environment = 'import os\n\nclient_secret = os.environ.get("X", "hunter2-prod-9f8e7d")\n'
    assert fg502.may_fire_in(_structure(environment))

    route = """
        from fastapi import APIRouter
        from app.schemas import UserRead

        router = APIRouter()

        @router.get("/users/{user_id}")
        async def read_user(user_id: int) -> UserRead: ...
        """
    (condition,) = fg404.deferred_conditions(_structure(route)) or ()
    assert condition.refs == ("app.schemas.UserRead",)
    local = textwrap.dedent(route).replace(
        "from app.schemas import UserRead",
        "from sqlalchemy.orm import DeclarativeBase\n\nclass UserRead(DeclarativeBase): ...",
    )
    assert fg404.deferred_conditions(_structure(local)) is None


def test_a_v1_method_of_an_imported_class_waits_for_the_index() -> None:
    """polar's `NotPermitted.schema()` in 40 route modules (its errors build their own
    schema): every finding of FG203 is a spelling Pydantic 2 still runs, so it waits for
    the index on the family's fact (`spelling_gate`: existing code reports it only when
    named), whatever its receiver. FG205's `from_orm()` may raise on Pydantic 2 (always
    reported): on a class the file imports and never rebinds it waits on that class's
    derivation; a class of the file, or a name bound here, is run."""
    fg203, fg205 = RULES_BY_CODE["FG203"], RULES_BY_CODE["FG205"]
    imported = "from app.errors import NotPermitted\n\nRESPONSES = {403: NotPermitted.schema()}\n"
    local = "def responses(model):\n    return model.schema()\n"
    for source in (imported, local):
        (condition,) = fg203.deferred_conditions(_structure(source)) or ()
        assert condition.fact == "new-code-or-selected:pydantic-json-schema"
    imported = imported.replace("schema()", "from_orm(row)")
    (condition,) = fg205.deferred_conditions(_structure(imported)) or ()
    assert condition.refs == ("app.errors.NotPermitted",)
    rebound = imported + "NotPermitted = object\n"
    assert fg205.deferred_conditions(_structure(rebound)) is None
    local = local.replace("schema()", "from_orm(row)")
    assert fg205.deferred_conditions(_structure(local)) is None


@pytest.mark.parametrize(
    ("code", "source", "waits"),
    [
        ("FG201", "def dump(item: Item) -> dict:\n    return item.dict()\n", True),
        ("FG209", "from pydantic import Field\n\nx: int = Field(min_items=1)\n", True),
        ("FG209", "from pydantic import Field\n\nx: str = Field(regex='^a')\n", False),
        ("FG209", "def f(schema):\n    return schema.build(const=1)\n", False),
        ("FG211", "from pydantic import Field\n\nx: int = Field(example=1)\n", True),
        ("FG211", "from pydantic import Field\n\nx: int = Field(nullable=True)\n", True),
        ("FG211", "from pydantic import Field\n\nx: int = Field(env='X')\n", False),
        ("FG211", "from pydantic import Field\n\nx: int = Field(required=True)\n", False),
        ("FG211", "from pydantic import Field\n\nx: int = Field(extra={'w': 1})\n", True),
        # data a library reads from the schema, however it is given (fastapi-amis-admin)
        ("FG211", "from pydantic import Field\n\nx: int = Field(extra=dict(w=1))\n", True),
        ("FG211", "from pydantic import Field\n\nx: int = Field(amis_form_item='x')\n", True),
        ("FG211", "from pydantic import Field\n\nx: int = Field(descriptino='x')\n", False),
        # a value held to one literal (taskingai's `Literal="object"` on a request model)
        ("FG211", "from pydantic import Field\n\nx: str = Field('a', Literal='a')\n", False),
    ],
)
def test_a_spelling_rule_waits_for_its_fact_unless_a_finding_may_misbehave(
    code: str, source: str, waits: bool
) -> None:
    """A Pydantic rule whose findings in a file can only be spellings Pydantic 2 still
    runs waits for the index on the family's fact (a default run of existing code never
    parses the file for it); a keyword Pydantic 2 refuses (`regex=`, passed to any call:
    the screen does not tell `Field` apart), a settings field's `env=` (which it may
    ignore) or one that looks like a check (`required=`) or misspells a parameter
    (`descriptino=`) is always reported: run."""
    conditions = RULES_BY_CODE[code].deferred_conditions(_structure(source))
    if waits:
        (condition,) = conditions or ()
        assert condition.fact is not None
        assert condition.fact.startswith("new-code-or-selected")
    else:
        assert conditions is None


def test_no_module_of_the_checker_compiles_a_pattern_when_imported() -> None:
    """Importing a module runs no `re.compile`: the edit hook's one-file run imports most
    of them and uses few patterns (`lazy_pattern`)."""
    compiled = []
    import checks

    for path in sorted(Path(checks.__file__).parent.rglob("*.py")):
        for statement in ast.parse(path.read_bytes()).body:
            if not isinstance(statement, ast.Assign | ast.AnnAssign | ast.Expr):
                continue
            compiled.extend(
                f"{path}:{node.lineno}"
                for node in ast.walk(statement)
                if isinstance(node, ast.Call) and ast.unparse(node.func) == "re.compile"
            )
    assert compiled == []


def test_a_lazy_pattern_answers_as_the_compiled_one() -> None:
    """The checker's module-level patterns are compiled on first use (`lazy_pattern`)."""
    import copy
    import pickle
    import re

    from checks.lazy import lazy_pattern

    lazy = lazy_pattern(rb"\bsession\.(query|execute)\(", re.IGNORECASE)
    compiled = re.compile(rb"\bsession\.(query|execute)\(", re.IGNORECASE)
    assert lazy.pattern == compiled.pattern
    text = b"SESSION.query(User) and session.execute(stmt) and db.query(x)"
    assert lazy.findall(text) == compiled.findall(text) == [b"query", b"execute"]
    assert lazy.sub(b"s.", text) == compiled.sub(b"s.", text)
    assert [m.span() for m in lazy.finditer(text)] == [m.span() for m in compiled.finditer(text)]
    assert lazy.flags == compiled.flags
    assert lazy.groups == 1
    # copies and pickles (a worker started by spawn) answer the same
    assert copy.deepcopy(lazy).findall(text) == compiled.findall(text)
    assert pickle.loads(pickle.dumps(lazy_pattern("a+"))).fullmatch("aaa") is not None

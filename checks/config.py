"""Configuration: `[tool.fastapi-guardrails]` in the nearest `pyproject.toml`, or `--config`.

Selection follows ruff: `select` (default: the rules enabled by default) replaced by the
command line's `--select`, `extend-select` adds, `ignore` removes; selectors are codes or
prefixes (`FG2`, `FG20`, `ALL`). When a selector of `select` and one of `ignore` both
match a rule, the more specific (longer) one wins, and `ignore` wins a tie.
"""

from __future__ import annotations

import functools
import glob as globbing
import os
import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from checks.catalog import RuleInfo
from checks.globs import Globs
from checks.lazy import lazy_pattern
from checks.pydantic_target import PydanticTarget, parse_target
from checks.revisions import is_revision
from checks.sqlalchemy_target import SqlalchemyTarget
from checks.sub_services import SubServices
from checks.toml_files import tables

TOOL_KEY = "fastapi-guardrails"


@functools.lru_cache(maxsize=256)
def glob_spec(patterns: tuple[str, ...]) -> Globs:
    """The gitignore-style globs (`exclude`, layers, per-file ignores): each project of a
    run names mostly the same ones, compiled only where they may match (`Globs`)."""
    return Globs(patterns)


#: A class statement whose bases name a `TestCase` (`unittest.TestCase`,
#: `IsolatedAsyncioTestCase`, Django's or a project's `TestCase` subclass named so).
_TEST_CASE = lazy_pattern(rb"^[ \t]*class[ \t]+\w+[ \t]*\([^)]*\b\w*TestCase\b", re.MULTILINE)


#: `from alembic import op` (Alembic's operations, usable only while a revision runs)
_ALEMBIC_OP = lazy_pattern(rb"^[ \t]*from[ \t]+alembic[ \t]+import[^\n]*\bop\b", re.MULTILINE)
#: an import of the web framework: a module serving requests
_WEB_IMPORT = lazy_pattern(rb"^[ \t]*(?:from|import)[ \t]+(?:fastapi|starlette)\b", re.MULTILINE)


def layer_with_text(layer: str | None, source: bytes) -> str | None:
    """A file's layer from its path, corrected by its text: a module that defines a test
    case (`class X(unittest.TestCase)`, `IsolatedAsyncioTestCase`, a framework's
    `TestCase`) is a test wherever it lies (`services/api_tests.py`); a helper module of
    the revisions, which imports Alembic's `op` but is no revision itself (gpustack's
    `utils/sql_enum.py`), is tooling: it runs while the team migrates, never per
    request; not when it imports FastAPI or Starlette too (lcfs' `db/dependencies.py`,
    the request's session)."""
    if layer != "test" and b"TestCase" in source and _TEST_CASE.search(source):
        return "test"
    if (
        layer not in ("test", "migration", TOOLING_LAYER)
        and b"alembic" in source
        and _ALEMBIC_OP.search(source)
        and not is_revision(source)
        and not _WEB_IMPORT.search(source)
    ):
        return TOOLING_LAYER
    return layer


#: Ruff's default exclusions, plus our cache and bytecode caches.
DEFAULT_EXCLUDE = (
    ".bzr",
    ".direnv",
    ".eggs",
    ".git",
    ".git-rewrite",
    ".hg",
    ".ipynb_checkpoints",
    ".mypy_cache",
    ".nox",
    ".pants.d",
    ".pyenv",
    ".pytest_cache",
    ".pytype",
    ".ruff_cache",
    ".svn",
    ".tox",
    ".venv",
    ".vscode",
    "__pypackages__",
    "_build",
    "buck-out",
    "build",
    "dist",
    "node_modules",
    "site-packages",
    "venv",
    ".fastapi_guardrails_cache",
    "__pycache__",
    # a cookiecutter or copier template (`{{cookiecutter.project_slug}}/`): not Python
    # until it is rendered
    "*{{*}}*",
)

#: Default excludes that name what a build leaves (`build/lib/...`, `dist/`): a folder so
#: named is skipped unless it is a Python package or inside one (onyx's
#: `onyx/server/features/build/` holds live routes), which a build's output never is.
ARTIFACT_FOLDERS = frozenset({"build", "dist"})

#: Layer globs (gitignore syntax, relative to the project root). A pattern naming a file
#: beats one naming a directory, so `service/views.py` is a route module.
DEFAULT_LAYERS: dict[str, tuple[str, ...]] = {
    # `test-*.py`: a hyphen is in no importable module's name, a test script run by hand
    # `e2e/`: an end-to-end suite (agentops' `app/e2e/sdk-api/`: a test agent, the
    # seeded project's key)
    # `testing/`: a package's test support, imported by its tests and its users' tests
    # (`numpy.testing`, `sqlalchemy.testing`, nicegui's `nicegui/testing/`: a simulated
    # user whose `storage_secret` is a literal)
    "tests": (
        "tests/",
        # a suite kept beside it (streamlit-llm's `tests.old/`, `tests.new/`) or split
        # (`tests_integration/`)
        "tests.*/",
        "tests_*/",
        "test/",
        "testing/",
        "e2e/",
        "test_*.py",
        "*_test.py",
        "test-*.py",
        "conftest.py",
    ),
    # a revisions folder in Alembic's script folder, or in one of several kept there
    # (agenta's `migrations/core/versions/`, `migrations/tracing/versions/`)
    "migrations": ("**/migrations/**/versions/", "**/alembic/**/versions/"),
    # development tooling: run by the team, never deployed as the service. Folder names
    # that are also a product's domain words (`evals`, `qa`, `demo`, `tutorials`,
    # `notebooks`) count only at the top of the repository or one folder below it
    # (`backend/evals/`), not inside a package (`app/server/evals/`: an evaluations API);
    # `docs` only at the top (`app/docs/` is an API for documents, `plugins/google/docs/`
    # a Google Docs plugin).
    "tooling": (
        "scripts/",
        "script/",
        "bin/",
        "dev/",
        "examples/",
        "example-projects/",
        "example_projects/",
        # fastapi-ref's `example_apps/app_1/...` (reader 50): demos
        "example-apps/",
        "example_apps/",
        "benchmarks/",
        # a distribution folder of a benchmark (`packages/tracecat-benchmark/`): a hyphen
        # is in no importable package's name
        "*-benchmark/",
        "*-benchmarks/",
        "loadtest/",
        "loadtests/",
        # a Locust load test's folder (`locust/config.py`: a client's login password)
        "/locust/",
        "/*/locust/",
        # Locust's own file name, wherever it is (Anikk02's `performance/locustfile.py`,
        # reader 88)
        "locustfile.py",
        "seeds/",
        # (Holeekey's `src/seed/data/user_data.py`, its demo accounts: reader 101)
        "seed/",
        # a folder of seeders (georgephilippas-ber's `seeder/eodhd/eodhd_seeder.py`,
        # reader 90)
        "seeder/",
        "seeders/",
        "fixtures/",
        "noxfiles/",
        ".*/",
        "/evals/",
        "/*/evals/",
        "/evaluation/",
        "/*/evaluation/",
        "/qa/",
        "/*/qa/",
        "/demo/",
        "/*/demo/",
        "/demos/",
        "/*/demos/",
        "/demo_*/",
        "/*/demo_*/",
        "/docs/",
        "internal_docs/",
        "/tutorials/",
        "/*/tutorials/",
        "/vignettes/",
        "/*/vignettes/",
        "/cookbook/",
        "/*/cookbook/",
        "/cookbooks/",
        "/*/cookbooks/",
        "/notebooks/",
        "/*/notebooks/",
        # the repository's own tools (lnbits' `tools/conv.py` database converter, a
        # release script); not a package's `tools/` (an agent's tools), which lies deeper
        "/tools/",
        "noxfile.py",
        "/tasks.py",
        "fabfile.py",
        "setup.py",
        "hatch_build.py",
        "manage.py",
        "seed.py",
        # a seed script at the top of the repository (`run_seed.py`, `seed_demo.py`)
        "/*seed*.py",
        # Alembic's script folder but its revisions (the `migrations` layer, matched
        # first): `env.py`, and the helpers its revisions and deploy steps run (agenta's
        # `migrations/utils.py`, awaited by a runner's `asyncio.run`; constraint names read
        # from `pg_constraint`): run once by the team at deploy time, never per request
        "migrations/",
        "alembic/",
    ),
    "routes": (
        "views.py",
        "views/",
        "router.py",
        "routers.py",
        "routers/",
        "routes.py",
        "routes/",
        "api.py",
        "endpoints.py",
        "endpoints/",
    ),
    "repositories": (
        "repositories/",
        "repository.py",
        "repositories.py",
        "repos/",
        "*_repository.py",
        "crud/",
        "crud.py",
        "*_crud.py",
        "crud_*.py",
        "daos/",
        "dao.py",
        "*_dao.py",
        # a data layer named `db/` or `database/` (onyx's `onyx/db/*.py`: the queries its
        # services call; R2R's `providers/database/*.py` handlers)
        "db/",
        "database/",
    ),
    # a use case of a clean architecture is an application service (`*UseCase` classes)
    "services": (
        "services/",
        "service.py",
        "services.py",
        "*_service.py",
        "use_cases/",
        "usecases/",
        "*_use_case.py",
        "*_usecase.py",
        # the steps a workflow engine runs (R2R's `orchestration/*/ingestion_workflow.py`,
        # run inline by its `simple` orchestrator or on a Hatchet worker): no request waits
        # on an `HTTPException` there
        "workflows/",
        "*_workflow.py",
        # a business-logic layer (keep's `api/bl/incidents_bl.py`: `IncidentBl`, which its
        # routes and its background tasks call)
        "bl/",
        "*_bl.py",
    ),
    "settings": ("settings.py", "config.py", "settings/"),
}
#: Config table name -> the layer name rules use; the order breaks ties.
LAYER_NAMES = {
    "tests": "test",
    "migrations": "migration",
    "tooling": "tooling",
    "routes": "route",
    "repositories": "repository",
    "services": "service",
    "settings": "settings",
}

#: The layer of development tooling (`tooling` in the config table).
TOOLING_LAYER = "tooling"
TESTS_LAYER = "test"
MIGRATIONS_LAYER = "migration"
#: Layers of the service's own architecture: a file named like one of them inside a
#: tooling folder is tooling.
_ARCHITECTURE_LAYERS = frozenset({"route", "repository", "service", "settings"})
#: the layers below the routes, which a folder of a feature's HTTP package is not
_LOWER_LAYERS = frozenset({"repository", "service"})

_KNOWN_KEYS = frozenset(
    {
        "select",
        "ignore",
        "extend-select",
        "per-file-ignores",
        "exclude",
        "extend-exclude",
        "respect-gitignore",
        "layers",
        "target-pydantic",
        "target-sqlalchemy",
    }
)


@functools.lru_cache(maxsize=4096)
def _real_directory(directory: str) -> str:
    return os.path.realpath(directory)


class ConfigError(Exception):
    """Invalid configuration or usage: reported on one line, exit status 2."""


@dataclass(frozen=True, slots=True)
class LayerMatcher:
    """Decides a file's layer from its path relative to the project root."""

    specs: tuple[tuple[str, Globs, Globs], ...]
    #: every file-name pattern of every layer: most files match none, tested once
    any_file: Globs
    #: the tooling patterns but those of a folder one below the root (`/*/evals/`)
    tooling_elsewhere: Globs = field(default_factory=lambda: glob_spec(()))
    #: directory -> the layer its directory patterns give (they do not depend on the name)
    _by_directory: dict[str, str | None] = field(default_factory=dict, compare=False)

    @classmethod
    def from_globs(cls, layers: Mapping[str, Sequence[str]]) -> LayerMatcher:
        specs = []
        all_files: list[str] = []
        for table, layer in LAYER_NAMES.items():
            patterns = list(layers.get(table, ()))
            files = [p for p in patterns if not p.endswith(("/", "/**"))]
            directories = [p for p in patterns if p.endswith(("/", "/**"))]
            all_files += files
            specs.append(
                (
                    layer,
                    glob_spec(tuple(files)),
                    glob_spec(tuple(directories)),
                )
            )
        tooling = layers.get("tooling", ())
        elsewhere = tuple(p for p in tooling if not p.startswith("/*/"))
        return cls(tuple(specs), glob_spec(tuple(all_files)), glob_spec(elsewhere))

    def named_layer(self, relative_path: str) -> str | None:
        """The layer a file's own name gives (`router.py`, `*_service.py`), folders aside."""
        if self.any_file.match_file(relative_path):
            for layer, files, _ in self.specs:
                if files.match_file(relative_path):
                    return layer
        return None

    def layer_of(self, relative_path: str, without: str | None = None) -> str | None:
        """The layer of a file: file-name patterns first, then directory patterns; but a
        tooling folder holds tooling whatever its files are named (`examples/app/routes.py`
        is an example, not the service's routes), test files excepted, and a tests folder
        holds tests (`tests/common/config.py` is a test's configuration, not the
        service's settings), and a folder of revisions revisions. `without`: a layer left
        out (not kept per folder)."""
        by_name = None
        if self.any_file.match_file(relative_path):
            for layer, files, _ in self.specs:
                if layer != without and files.match_file(relative_path):
                    by_name = layer
                    break
        if by_name is not None and by_name not in _ARCHITECTURE_LAYERS:
            return by_name
        directory = relative_path.rpartition("/")[0]
        if without is None and directory in self._by_directory:
            by_folder = self._by_directory[directory]
        else:
            by_folder = None
            for layer, _, directories in self.specs:
                if layer != without and directories.match_file(relative_path):
                    by_folder = layer
                    break
            if without is None:
                self._by_directory[directory] = by_folder
        # a revision named for what it changes (`1ce40a8b8fe4_remove_user_and_service.py`:
        # reanderson89's) is a migration, not a service
        if by_name is not None and by_folder not in (TOOLING_LAYER, TESTS_LAYER, MIGRATIONS_LAYER):
            return by_name
        return by_folder


@dataclass(frozen=True, slots=True)
class Settings:
    """The effective configuration of one run."""

    project_root: Path
    config_file: Path | None
    enabled: frozenset[str]
    per_file_ignores: tuple[tuple[Globs, frozenset[str]], ...] = ()
    exclude: Globs = field(
        default_factory=lambda: glob_spec(
            tuple(p for p in DEFAULT_EXCLUDE if p not in ARTIFACT_FOLDERS)
        )
    )
    #: folder names excluded unless they hold an `__init__.py` (`ARTIFACT_FOLDERS`, when
    #: `exclude` is not configured)
    artifact_folders: frozenset[str] = ARTIFACT_FOLDERS
    respect_gitignore: bool = True
    layers: LayerMatcher = field(default_factory=lambda: LayerMatcher.from_globs(DEFAULT_LAYERS))
    #: `target-pydantic`: the Pydantic major version the code is written for (None:
    #: detected from the project's pins when a Pydantic rule first needs it)
    target_pydantic: int | None = None
    #: the enabled codes the selection names on purpose (`named_in_selection`)
    named: frozenset[str] = frozenset()
    pydantic_target: PydanticTarget = field(init=False, repr=False, compare=False)
    #: `target-sqlalchemy`: the SQLAlchemy major version (None: detected from the pins)
    target_sqlalchemy: int | None = None
    #: the root of the project the run was asked about, where this one is nested in it
    #: (`pins_root`'s bound when no git work tree encloses them)
    outer_root: Path | None = field(default=None, repr=False, compare=False)
    sqlalchemy_target: SqlalchemyTarget = field(init=False, repr=False, compare=False)
    #: folders below the root that pin their own Pydantic, FastAPI or SQLAlchemy
    sub_services: SubServices = field(init=False, repr=False, compare=False)
    _work_tree: Path = field(init=False, repr=False, compare=False)
    #: each file's layer, as `layer_of` found it (asked of a file by several steps of a run)
    _layers: dict[Path, str | None] = field(init=False, repr=False, compare=False)
    #: folder (relative to the root) -> whether a route module lies in it
    _routes_folders: dict[str, bool] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_layers", {})
        object.__setattr__(self, "_routes_folders", {})
        sub_services = SubServices(self.project_root)
        object.__setattr__(self, "sub_services", sub_services)
        target = PydanticTarget(
            self.project_root, self.target_pydantic, self.named, sub_services, self.outer_root
        )
        object.__setattr__(self, "pydantic_target", target)
        sqlalchemy = SqlalchemyTarget(
            self.project_root, self.target_sqlalchemy, sub_services, self.outer_root
        )
        object.__setattr__(self, "sqlalchemy_target", sqlalchemy)
        object.__setattr__(self, "_work_tree", _work_tree_of(self.project_root))

    @property
    def import_roots(self) -> tuple[Path, ...]:
        """The folders imports start from as the project is installed: its root and `src/`,
        and those of the other members of the uv workspace it belongs to (`wps_shared`,
        a sibling package a service imports: `workspace_members`)."""
        roots = [self.project_root, self.project_root / "src"]
        for member in workspace_members(self.project_root):
            roots += [member, member / "src"]
        return tuple(roots)

    def in_work_tree(self, path: Path) -> str:
        """The path from the git work tree's root (the project root outside git): what
        rules that read folder names see. A service's own pyproject.toml under `dev/` is
        still dev tooling; the folders above the repository (`~/dev/`) say nothing."""
        absolute = os.path.abspath(path)
        top = _prefix(self._work_tree)
        if not absolute.startswith(top):
            directory, name = os.path.split(absolute)
            absolute = os.path.join(_real_directory(directory), name)
        if absolute.startswith(top):
            return _matchable(absolute[len(top) :])
        return self.relative(path)

    def relative(self, path: Path) -> str:
        """The path relative to the project root, in POSIX form (without the leading `/`
        of an absolute path when outside it, so unanchored globs still match)."""
        absolute = os.path.abspath(path)
        root = _prefix(self.project_root)
        if not absolute.startswith(root):  # perhaps through a symlink: compare real paths
            directory, name = os.path.split(absolute)
            absolute = os.path.join(_real_directory(directory), name)
        relative = absolute[len(root) :] if absolute.startswith(root) else absolute.lstrip("/")
        return _matchable(relative)

    def layer_of(self, path: Path) -> str | None:
        """The layer of a file, from its path relative to the project root; but a project
        nested in a tooling folder of its repository (`dev/cli/pyproject.toml`,
        `evals/bench/src/pyproject.toml`) is tooling all through, as its work-tree path
        says."""
        if path in self._layers:
            return self._layers[path]
        layer = self._layers[path] = self._layer_of(path)
        return layer

    def _layer_of(self, path: Path) -> str | None:
        relative = self.relative(path)
        layer = self.layers.layer_of(relative)
        if layer == TOOLING_LAYER and self._in_package_one_below(relative):
            layer = self.layers.layer_of(relative, without=TOOLING_LAYER)
        if layer is None or layer in _ARCHITECTURE_LAYERS:
            outer = self.in_work_tree(path)
            if outer != relative and self.layers.layer_of(outer) == TOOLING_LAYER:
                return TOOLING_LAYER
        if (
            layer in _LOWER_LAYERS
            and self.layers.named_layer(relative) != layer
            and self._beside_routes(relative)
        ):
            # a feature's HTTP package that a folder pattern of a lower layer reaches
            # (agenta's `apis/fastapi/workflows/`: `router.py` beside the `exceptions.py`
            # that turns the domain's errors into `HTTPException`s): its files are the
            # routes' helpers, not services; a file named for its layer keeps it
            return None
        return layer

    def _beside_routes(self, relative: str) -> bool:
        """Whether the file's folder holds a module its name makes a route module."""
        directory = relative.rpartition("/")[0]
        known = self._routes_folders.get(directory)
        if known is None:
            try:
                names = os.listdir(_prefix(self.project_root) + directory)
            except OSError:
                names = []
            prefix = f"{directory}/" if directory else ""
            known = self._routes_folders[directory] = any(
                name.endswith(".py") and self.layers.named_layer(prefix + name) == "route"
                for name in names
            )
        return known

    def _in_package_one_below(self, relative: str) -> bool:
        """Whether a tooling file is one only through a pattern of a folder one below the
        root (`/*/evaluation/`: a product's domain word, `backend/evals/`) and that folder
        lies in a package (`bisheng/evaluation/`, `bisheng/__init__.py` beside it: the
        product's evaluations feature, with routes and services). A pattern the project
        configures otherwise (`bisheng/evaluation/`) keeps it tooling."""
        head, separator, rest = relative.partition("/")
        return (
            bool(separator)
            and "/" in rest
            and not self.layers.tooling_elsewhere.match_file(relative)
            and _is_package(_prefix(self.project_root) + head)
        )

    def file_layer(self, path: Path, source: bytes) -> str | None:
        """The layer of a file given its text (`layer_of`, then `layer_with_text`)."""
        return layer_with_text(self.layer_of(path), source)

    def ignored_codes_for(self, relative_path: str) -> frozenset[str]:
        """Codes `per-file-ignores` turns off for this file."""
        ignored: set[str] = set()
        for spec, codes in self.per_file_ignores:
            if spec.match_file(relative_path):
                ignored |= codes
        return frozenset(ignored)


@functools.lru_cache(maxsize=256)
def _is_package(folder: str) -> bool:
    return os.path.isfile(f"{folder}/__init__.py")


@functools.lru_cache(maxsize=16)
def _prefix(root: Path) -> str:
    return root.as_posix().rstrip("/") + "/"


def _string_list(value: Any, key: str, source: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ConfigError(f"{source}: `{key}` must be a list of strings")
    return value


def expand_selectors(selectors: Iterable[str], rules: Sequence[RuleInfo], source: str) -> list[str]:
    """Validate selectors (codes, prefixes, ALL); an unknown one is a ConfigError."""
    result = []
    for raw in selectors:
        selector = raw.strip().upper()
        if not selector:
            continue
        if selector != "ALL" and not any(rule.code.startswith(selector) for rule in rules):
            raise ConfigError(f"{source}: unknown rule selector `{raw}`")
        result.append(selector)
    return result


def _hint(key: str) -> str:
    """What to say after an unknown option: the known one it is closest to, if any, else
    all of them (as ruff names the fields it expected)."""
    import difflib

    close = difflib.get_close_matches(key, sorted(_KNOWN_KEYS), n=1)
    if close:
        return f" (did you mean `{close[0]}`?)"
    return " (known: " + ", ".join(f"`{known}`" for known in sorted(_KNOWN_KEYS)) + ")"


def _specificity(selector: str) -> int:
    return 0 if selector == "ALL" else len(selector)


def _best_match(code: str, selectors: Iterable[str]) -> int:
    best = -1
    for selector in selectors:
        if selector == "ALL" or code.startswith(selector):
            best = max(best, _specificity(selector))
    return best


def resolve_enabled(
    rules: Sequence[RuleInfo],
    select: Sequence[str] | None,
    extend_select: Sequence[str],
    ignore: Sequence[str],
) -> frozenset[str]:
    """The codes enabled by ruff's selection semantics (select=None: the defaults)."""
    enabled = set()
    for rule in rules:
        if select is None:
            chosen = rule.default
            select_score = 0 if rule.default else -1
        else:
            select_score = _best_match(rule.code, select)
            chosen = select_score >= 0
        extend_score = _best_match(rule.code, extend_select)
        if extend_score > select_score:
            select_score, chosen = extend_score, True
        ignore_score = _best_match(rule.code, ignore)
        if chosen and ignore_score >= 0 and ignore_score >= select_score:
            chosen = False
        if chosen:
            enabled.add(rule.code)
    return frozenset(enabled)


#: The shortest selector that names a family (`FG2`): `ALL`, `FG` and `F` select the
#: whole catalog without naming any rule.
_FAMILY_PREFIX = len("FG2")


def named_in_selection(
    enabled: Iterable[str], select: Sequence[str] | None, extend_select: Sequence[str]
) -> frozenset[str]:
    """The enabled codes that `select` (None: the defaults, which name nothing) or
    `extend-select` names on purpose: the code itself, or a prefix of its family or
    narrower (`FG2`, `FG20`); the whole catalog (`ALL`, `FG`) names no rule. A rule the
    project's target would not report (a Pydantic rule on a Pydantic 1 project) is
    reported when named, as ruff's `explicit-preview-rules` wants codes, not `ALL`."""
    selectors = [s for s in (*(select or ()), *extend_select) if _specificity(s) >= _FAMILY_PREFIX]
    return frozenset(code for code in enabled if _best_match(code, selectors) >= 0)


@functools.lru_cache(maxsize=4096)
def _root_of_directory(directory: str) -> tuple[str | None, bool]:
    """(the nearest directory at or above `directory` holding a `pyproject.toml`, within the
    git work tree when there is one, else the work tree's root; whether a pyproject.toml
    was found). None when neither exists up to the file system's root."""
    if os.path.isfile(os.path.join(directory, "pyproject.toml")):
        return directory, True
    if os.path.exists(os.path.join(directory, ".git")):
        return directory, False
    parent = os.path.dirname(directory)
    if parent == directory:
        return None, False
    return _root_of_directory(parent)


def _work_tree_of(project_root: Path) -> Path:
    """The git work tree holding the project root, else the project root."""
    for candidate in (project_root, *project_root.parents):
        if os.path.exists(os.path.join(candidate, ".git")):
            return candidate
    return project_root


def _matchable(path: str) -> str:
    """A name that is not UTF-8 holds surrogates (`surrogateescape`), which the globs'
    regular expressions cannot take: its bad bytes become U+FFFD for matching."""
    if path.isascii():
        return path
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return os.fsencode(path).decode("utf-8", "replace")
    return path


def forget_roots() -> None:
    """Forget the roots seen so far: a new run reads the disk again."""
    _root_of_directory.cache_clear()
    _real_root.cache_clear()


@functools.lru_cache(maxsize=256)
def _real_root(directory: str) -> str:
    """A root's real path: a run asks it for every file of the few roots it has, and
    `os.path.realpath` reads each component of the path from the disk."""
    return os.path.realpath(directory)


def find_project_root(start: Path, fallback: Path | None = None) -> tuple[Path, Path | None]:
    """The project root of a file or directory, and its `pyproject.toml` (None if it has none).

    The same rule for every entry point: the nearest `pyproject.toml` (with or without our
    table; the search stops at the git work tree's root), else the git work tree's root,
    else `fallback` (the hook's project directory), else the start path's directory."""
    directory = start if start.is_dir() else start.parent
    found, has_pyproject = _root_of_directory(os.path.abspath(directory))
    if found is None:
        root = Path(os.path.abspath(fallback if fallback is not None else directory))
        return Path(os.path.realpath(root)), None
    root = Path(_real_root(found))
    return root, (root / "pyproject.toml" if has_pyproject else None)


@functools.lru_cache(maxsize=64)
def workspace_members(project_root: Path) -> tuple[Path, ...]:
    """The other members of the uv workspace the project belongs to: its root, or the
    nearest folder above it (within the git work tree) whose `pyproject.toml` has a
    `[tool.uv.workspace]` table, and the folders its `members` globs name (with a
    `pyproject.toml`, less `exclude`), when the project is one of them. uv installs every
    member in the workspace's environment: one member imports another's packages."""
    directory = project_root
    while True:
        pyproject = directory / "pyproject.toml"
        if pyproject.is_file():
            try:
                parsed = tables(pyproject.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError):
                parsed = {}
            data = parsed if isinstance(parsed, dict) else {}
            table = data.get("tool", {}).get("uv", {}).get("workspace")
            if isinstance(table, dict):
                return _members(directory, table, project_root)
        if (directory / ".git").exists() or directory.parent == directory:
            return ()
        directory = directory.parent


def _members(workspace: Path, table: dict[str, Any], project_root: Path) -> tuple[Path, ...]:
    def expand(key: str) -> set[Path]:
        globs = table.get(key, [])
        found: set[Path] = set()
        for pattern in globs if isinstance(globs, list) else []:
            if isinstance(pattern, str):
                found.update(Path(p) for p in globbing.glob(str(workspace / pattern)))
        return {p.resolve() for p in found if (p / "pyproject.toml").is_file()}

    members = expand("members") - expand("exclude")
    members.add(workspace.resolve())
    root = project_root.resolve()
    if root not in members:
        return ()
    return tuple(sorted(member for member in members if member != root))


def _has_our_table(pyproject: Path) -> bool:
    """Whether a `pyproject.toml` holds our table. One that is not valid TOML (a
    cookiecutter template's `{{ ... }}`, a half-written file) is an error only when its
    text names our tool: any spelling of our table does, and a file that cannot hold it
    must not stop the run of the project it sits in."""
    try:
        raw = pyproject.read_bytes()
    except OSError as error:
        raise ConfigError(f"{pyproject}: cannot read: {error}") from error
    try:
        data = tables(raw.decode("utf-8"))
    except UnicodeDecodeError as error:
        data = tomllib.TOMLDecodeError(str(error))
    if isinstance(data, tomllib.TOMLDecodeError):
        if TOOL_KEY.encode() not in raw:
            return False
        raise ConfigError(f"{pyproject}: cannot read: {data}") from data
    tool = data.get("tool", {})
    return isinstance(tool, dict) and TOOL_KEY in tool


def read_config_table(path: Path) -> dict[str, Any]:
    """The tool table of a `pyproject.toml`, or the top level of any other TOML file."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise ConfigError(f"{path}: no such config file") from error
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise ConfigError(f"{path}: cannot read: {error}") from error
    if path.name == "pyproject.toml":
        table = data.get("tool", {}).get(TOOL_KEY, {})
    else:
        table = data.get("tool", {}).get(TOOL_KEY, data)
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.{TOOL_KEY}] must be a table")
    return table


def _layers_from(
    table: dict[str, Any], source: str, root: Path | None = None
) -> dict[str, tuple[str, ...]]:
    raw = table.get("layers", {})
    if not isinstance(raw, dict):
        raise ConfigError(f"{source}: `layers` must be a table")
    layers = dict(DEFAULT_LAYERS)
    if root is not None:
        extra = [p for p in pytest_test_files(root) if p not in layers["tests"]]
        layers["tests"] = (*layers["tests"], *extra)
    for key, value in raw.items():
        if key not in LAYER_NAMES:
            known = ", ".join(LAYER_NAMES)
            raise ConfigError(f"{source}: unknown layer `{key}` (known: {known})")
        layers[key] = tuple(_string_list(value, f"layers.{key}", source))
    return layers


#: pytest's configuration files, in the order it looks for them in each folder
#: (`rootdir` and `inifile` in pytest's docs): the first one that configures pytest wins.
PYTEST_CONFIGS = ("pytest.ini", ".pytest.ini", "pyproject.toml", "tox.ini", "setup.cfg")


def pytest_option(config: Path, option: str) -> list[str] | None:
    """A pytest option of a configuration file (`testpaths`, `python_files`), split into
    its items ([] when the file configures pytest without it), or None when the file is
    absent or configures something else (`pytest.ini`, `[tool.pytest.ini_options]`,
    `[pytest]` of `tox.ini`, `[tool:pytest]` of `setup.cfg`)."""
    import configparser

    try:
        raw = config.read_bytes()
    except OSError:
        return None
    text = raw.decode("utf-8", "replace")
    if config.name == "pyproject.toml":
        data = tables(text)
        if isinstance(data, tomllib.TOMLDecodeError):
            return None
        table = data.get("tool", {}).get("pytest", {})
        options = table.get("ini_options") if isinstance(table, dict) else None
        if not isinstance(options, dict):
            return None
        value = options.get(option, [])
        found = [value] if isinstance(value, str) else value
        items = [item for item in found if isinstance(item, str)] if isinstance(found, list) else []
        return [part for item in items for part in item.split()]
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(text)
    except configparser.Error:
        return None
    section = {"tox.ini": "pytest", "setup.cfg": "tool:pytest"}.get(config.name, "pytest")
    if not parser.has_section(section):
        return None
    return parser.get(section, option, fallback="").split()


def pytest_test_files(root: Path) -> tuple[str, ...]:
    """The file names pytest collects tests from, as the project's root configures it
    (`python_files = test_*.py tests.py`: zero1max's `tests.py`, whose request bodies'
    passwords FG502 took for secrets, reader 63): names or name patterns, added to the
    tests layer unless `layers.tests` is configured."""
    for name in PYTEST_CONFIGS:
        patterns = pytest_option(root / name, "python_files")
        if patterns is not None:
            return tuple(p for p in patterns if p.endswith(".py") and "/" not in p)
    return ()


class CommandLineSelection(NamedTuple):
    """Selection given on the command line (None: not given)."""

    select: Sequence[str] | None = None
    extend_select: Sequence[str] = ()
    ignore: Sequence[str] = ()


def load_settings(
    rules: Sequence[RuleInfo],
    start: Path,
    config_file: Path | None = None,
    cli: CommandLineSelection | None = None,
    fallback_root: Path | None = None,
) -> Settings:
    """Build the settings of the project `start` belongs to (`find_project_root`) from its
    `pyproject.toml`'s table (or the `config_file` given, whose folder is then the root)
    and the command line."""
    cli = cli or CommandLineSelection()
    if config_file is not None:
        path: Path | None = config_file
        root = config_file.resolve().parent
    else:
        root, pyproject = find_project_root(start, fallback_root)
        path = pyproject if pyproject is not None and _has_our_table(pyproject) else None
    table = read_config_table(path) if path is not None else {}
    source = str(path) if path is not None else "configuration"
    unknown = sorted(set(table) - _KNOWN_KEYS)
    if unknown:
        raise ConfigError(f"{source}: unknown option `{unknown[0]}`{_hint(unknown[0])}")

    select: list[str] | None = None
    if "select" in table:
        select = expand_selectors(_string_list(table["select"], "select", source), rules, source)
    extend_select = expand_selectors(
        _string_list(table.get("extend-select", []), "extend-select", source), rules, source
    )
    ignore = expand_selectors(
        _string_list(table.get("ignore", []), "ignore", source), rules, source
    )
    if cli.select is not None:
        select = expand_selectors(cli.select, rules, "--select")
    extend_select += expand_selectors(cli.extend_select, rules, "--extend-select")
    ignore += expand_selectors(cli.ignore, rules, "--ignore")
    enabled = resolve_enabled(rules, select, extend_select, ignore)
    named = named_in_selection(enabled, select, extend_select)

    raw_pfi = table.get("per-file-ignores", {})
    if not isinstance(raw_pfi, dict):
        raise ConfigError(f"{source}: `per-file-ignores` must be a table of glob = [codes]")
    per_file_ignores = []
    for glob, codes in raw_pfi.items():
        selectors = expand_selectors(
            _string_list(codes, f"per-file-ignores.{glob}", source), rules, source
        )
        matched = frozenset(rule.code for rule in rules if _best_match(rule.code, selectors) >= 0)
        per_file_ignores.append((glob_spec((glob,)), matched))

    exclude = [p for p in DEFAULT_EXCLUDE if p not in ARTIFACT_FOLDERS]
    artifact_folders = ARTIFACT_FOLDERS
    if "exclude" in table:
        exclude = _string_list(table["exclude"], "exclude", source)
        artifact_folders = frozenset()
    exclude += _string_list(table.get("extend-exclude", []), "extend-exclude", source)

    respect_gitignore = table.get("respect-gitignore", True)
    if not isinstance(respect_gitignore, bool):
        raise ConfigError(f"{source}: `respect-gitignore` must be true or false")

    target_pydantic = None
    if "target-pydantic" in table:
        target_pydantic = parse_target(table["target-pydantic"])
        if target_pydantic is None:
            raise ConfigError(f'{source}: `target-pydantic` must be "1" or "2"')
    target_sqlalchemy = None
    if "target-sqlalchemy" in table:
        target_sqlalchemy = parse_target(table["target-sqlalchemy"])
        if target_sqlalchemy is None:
            raise ConfigError(f'{source}: `target-sqlalchemy` must be "1" or "2"')

    return Settings(
        project_root=root,
        config_file=path,
        enabled=enabled,
        per_file_ignores=tuple(per_file_ignores),
        exclude=glob_spec(tuple(exclude)),
        artifact_folders=artifact_folders,
        respect_gitignore=respect_gitignore,
        layers=LayerMatcher.from_globs(_layers_from(table, source, root)),
        target_pydantic=target_pydantic,
        named=named,
        target_sqlalchemy=target_sqlalchemy,
        outer_root=fallback_root,
    )

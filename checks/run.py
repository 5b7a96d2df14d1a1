"""The run API: what `check`, the edit hook and pre-commit share.

Which project a file belongs to and with which settings (`project_settings`,
`group_by_project`), checking files (here or in forked workers, through the cache),
and resolving the findings that depend on other modules (`build_index`). The CLI and the
hook sit on top of this module; it knows nothing of either.
"""

from __future__ import annotations

import ast
import functools
import operator
import os
import re
import signal
import sys
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from checks.blocking import (
    BLOCKING_CLIENTS,
    HELPER_BLOCKS,
    HELPER_REQUESTS,
    NEW_PASSWORD_HASHES,
    OPENS,
    PASSWORD_HASHING,
    PASSWORD_VERIFYING,
    call_name,
    client_of,
    describe_call,
)
from checks.config import (
    CommandLineSelection,
    ConfigError,
    Settings,
    find_project_root,
    load_settings,
)
from checks.findings import FileResult, Finding, HeldBack, Location
from checks.project import (
    BLOCKS,
    CALL_CHAIN,
    COMPARED,
    PUBLIC_CALLER_ROOT,
    Condition,
    ModuleLocator,
    ModuleSummary,
    ProjectIndex,
    forget_packages,
    module_name_for,
    namespace_package,
    returned_owner,
    source_root_for,
    summarize_source,
)
from checks.project_facts import (
    ASYNC_SESSIONS,
    ASYNC_SESSIONS_MADE,
    BCRYPT_HASHING,
    CALLED,
    COOKIE_PHRASE,
    COOKIES_USED,
    COUNTED_FACTS,
    CREDENTIALS_TAKEN,
    CREDENTIALS_USED,
    DEFINED,
    ENV_NAMED,
    EXPIRE_ON_COMMIT_SELECTED,
    FALLBACK,
    FIELD,
    FIELD_ENV_SELECTED,
    FIRST,
    FIXTURE,
    HEADER_CREDENTIALS_ONLY,
    HELPER_OUTSIDE,
    IMPORTED,
    IMPORTS,
    JOSE_ASYMMETRIC,
    JOSE_UNPINNED_SELECTED,
    LAYER_IMPORTED,
    LEGACY_MAPPING_SELECTED,
    METHOD,
    MODULE_IMPORTED,
    NAME_IMPORTED,
    NEW_PASSWORD_HASH_SELECTED,
    NO_COOKIE_PHRASE,
    NO_V2_SETTINGS,
    ON_EVENT_SELECTED,
    OWN_AUTH_ERRORS,
    OWN_SERVICE_ERRORS,
    PARAMETER_REGEX_SELECTED,
    PUBLIC_CALLER,
    PUBLIC_CORS_SELECTED,
    PUBLIC_ROUTE_OF,
    PUBLIC_ROUTES,
    PYDANTIC_CODES,
    PYDANTIC_SPELLING,
    REACHED,
    ROUTES_IMPORTED,
    RUN_ALONE_FACT,
    SELECTION_FACTS,
    SERVED_CONCURRENTLY,
    SERVED_CONCURRENTLY_FACTS,
    SERVER_DATABASES,
    SETTINGS_MODULE,
    SPELLING_RULES,
    SQL_2_QUERIES,
    SQLALCHEMY_2_CODES,
    SYNC_QUERY_SELECTED,
    SYNTAX_ERROR_SELECTED,
    TABLE_MAPPED,
    TYPED_MODELS,
    USED_FACT,
    V1_LAYER_SELECTED,
    V1_ONLY_LIBRARY,
    async_sessions,
    authenticates_outside_routes,
    class_bases,
    cookies_used,
    counted_sources,
    credentials_used,
    defines_settings,
    engines_on_sqlite_only,
    field_read,
    first_settings_module,
    fixture_named,
    hashes_with_bcrypt,
    header_credentials_only,
    imports_v1_only_library,
    imports_v2_settings,
    is_service_layer_text,
    makes_async_sessions,
    mapped_tables,
    method_named,
    module_imported,
    module_missing,
    module_name_used,
    named_besides_definitions,
    named_outside_imports,
    own_auth_errors,
    own_service_errors,
    package_module_imported,
    project_sources,
    pydantic_1_named,
    queries_2_0,
    reached,
    requires_setting,
    routes_module_imported,
    served_one_at_a_time,
    shadows_fixture,
    sqlalchemy_1_named,
    sqlite_databases,
    typed_models,
    uses_asymmetric_jose,
    written_besides_its_variable,
    written_twice,
)
from checks.public_routes import public_message
from checks.revisions import is_superseded

if TYPE_CHECKING:  # imported when needed: libcst takes 0.2 s to import, the cache 15 ms
    import concurrent.futures

    from checks.cache import Cache
    from checks.catalog import RuleInfo
    from checks.engine import Engine
    from checks.private_loops import PrivateLoops

SYNTAX_ERROR_CODE = "FG000"
#: Fewer files than this to parse are checked in this process: a pool costs more.
PARALLEL_MIN_FILES = 8


class Project(NamedTuple):
    """The files of one run that belong to one project root, with its settings."""

    settings: Settings
    files: list[Path]
    #: the sub-service the files are of, when the project's sub-services name modules
    #: alike (`separate_namespaces`); None: the whole root's
    part: str | None = None


class SettingsLoader:
    """The settings of each project root a run meets, loaded once per root.

    With an explicit `--config`, every file gets its settings (ruff's `--config`); otherwise
    each file gets those of its own project root (`find_project_root`), so a monorepo's
    services keep their own tables whether checked from the top or one by one."""

    def __init__(
        self,
        rules: Sequence[RuleInfo],
        selection: CommandLineSelection | None = None,
        config_file: Path | None = None,
        fallback_root: Path | None = None,
    ) -> None:
        self.rules = rules
        self.selection = selection
        self.config_file = config_file
        self.fallback_root = fallback_root
        self._by_root: dict[Path, Settings] = {}
        self._by_folder: dict[str, Settings] = {}

    def for_file(self, path: Path) -> Settings:
        """`for_path` of a file the run discovered: the same for every file of a folder,
        found once per folder (a warm run asked it of every file: a stat and a path walk
        each)."""
        folder = os.path.dirname(path)
        settings = self._by_folder.get(folder)
        if settings is None:
            settings = self._by_folder[folder] = self.for_path(path)
        return settings

    def for_path(self, path: Path) -> Settings:
        """The settings of the project `path` (a file or a directory) belongs to."""
        if self.config_file is not None:
            root = self.config_file.resolve().parent
        else:
            root, _ = find_project_root(path, self.fallback_root)
        settings = self._by_root.get(root)
        if settings is None:
            settings = load_settings(
                self.rules, path, self.config_file, self.selection, self.fallback_root
            )
            self._by_root[settings.project_root] = settings
        return settings


def group_by_project(files: Sequence[Path], top: Settings, loader: SettingsLoader) -> list[Project]:
    """The run's files grouped by project root, in order of first appearance. A file of
    another root than the run's top one is also held to that root's exclusions."""
    from checks.discovery import is_excluded, matches_exclude

    groups: dict[Path, Project] = {}
    #: each root's excluded folders (`matches_exclude`)
    folders: dict[Path, dict[str, bool]] = {}
    for path in files:
        settings = loader.for_file(path)
        if settings.project_root != top.project_root:
            # the walk already applied the .gitignore files (they do not depend on the
            # settings); only the root's own excludes remain to apply
            own_gitignore = settings.respect_gitignore and not top.respect_gitignore
            if own_gitignore and is_excluded(path, settings):
                continue
            if matches_exclude(path, settings, folders.setdefault(settings.project_root, {})):
                continue
        group = groups.get(settings.project_root)
        if group is None:
            group = groups[settings.project_root] = Project(settings, [])
        group.files.append(path)
    return [part for project in groups.values() for part in separate_namespaces(project)]


def separate_namespaces(project: Project) -> list[Project]:
    """The project, or its sub-services apart (`Project.part`, in order of first
    appearance; the root's other files one more part) where two of them hold a module of
    the same name: a monorepo whose services each have an `app` package (EnissayG's nine
    microservices, edu-app's, HealthMatch's `src`). One project index holds one module of
    a name: the routes of one service resolved their imports to another's, and what they
    call there was not what they run. Each part is checked with an index of its own, whose
    imports look in its sub-service first (`build_index`)."""
    sub_services = project.settings.sub_services
    scopes: dict[str | None, list[Path]] = {}
    for path in project.files:
        scopes.setdefault(sub_services.of_file(path), []).append(path)
    if len(scopes) < 2:
        return [project]
    owners: dict[str, str | None] = {}
    for scope, paths in scopes.items():
        for path in paths:
            module = module_name_for(path)[0]
            if module is None:
                continue
            if owners.setdefault(module, scope) != scope:
                return [Project(project.settings, paths, scope) for scope, paths in scopes.items()]
    return [project]


def read_failure(path: Path, error: OSError) -> FileResult:
    """A file that cannot be read: one FG000 finding that says why."""
    reason = error.strerror or str(error)
    message = f"Cannot read file: {reason}"
    finding = Finding(path, SYNTAX_ERROR_CODE, message, Location(1, 1), Location(1, 1))
    return FileResult(path, [finding], None)


def make_engine(settings: Settings, *, prefilter: bool = True) -> Engine:
    """The engine of the enabled rules (imports the rules, and libcst)."""
    from checks.engine import Engine
    from checks.rules import ALL_RULES

    return Engine(
        [r for r in ALL_RULES if r.code in settings.enabled],
        prefilter=prefilter,
        pydantic_target=settings.pydantic_target,
        sqlalchemy_target=settings.sqlalchemy_target,
    )


#: The engine, settings and run's packages of a worker process (inherited through fork).
_WORKER: tuple[Engine, Settings, frozenset[str]] | None = None
#: The process that started this worker (0 outside a worker).
_PARENT = 0
#: Linux's prctl option: the signal a process gets when its parent dies.
_PR_SET_PDEATHSIG = 1


def _die_with_parent(parent: int) -> None:
    """A worker's initializer: the worker is killed when its parent dies (SIGTERM, SIGKILL,
    a crash), instead of staying behind, parsing for no one. Linux does it (prctl's
    PDEATHSIG); elsewhere each task looks whether the parent changed."""
    global _PARENT
    _PARENT = parent
    if sys.platform.startswith("linux"):
        import ctypes

        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):  # no prctl to call: the look below still holds
            pass
    if os.getppid() != parent:  # the parent died before the worker could ask
        os._exit(1)


def _check_in_worker(item: tuple[Path, bytes]) -> FileResult:
    if _PARENT and os.getppid() != _PARENT:  # an orphan: its results have no reader
        os._exit(1)
    assert _WORKER is not None
    engine, settings, packages = _WORKER
    return check_file(engine, settings, *item, packages)


#: A worker's engine for `settle` (made on its first such file, as `settle` makes one).
_SETTLE_ENGINE: Engine | None = None


def _settle_in_worker(item: tuple[Path, bytes, frozenset[str]]) -> FileResult:
    """`settle`'s check of one file, in a worker `check_files` kept (`WorkerPool`)."""
    global _SETTLE_ENGINE
    if _PARENT and os.getppid() != _PARENT:
        os._exit(1)
    assert _WORKER is not None
    settings = _WORKER[1]
    _SETTLE_ENGINE = _SETTLE_ENGINE or make_engine(settings)
    path, source, wanted = item
    return check_file(_SETTLE_ENGINE, settings, path, source, unscreened=wanted)


class WorkerPool:
    """The forked workers of one project's `check_files`, kept for its `settle`: the few
    files whose deferred rules the index asks for are checked there, in parallel, by
    processes that have libcst imported already (each took a second or two of a cold
    run in the run's one process). `close()` ends them."""

    def __init__(self) -> None:
        self.executor: concurrent.futures.ProcessPoolExecutor | None = None

    def close(self) -> None:
        if self.executor is not None:
            self.executor.shutdown()
            self.executor = None


def check_files(
    files: Sequence[Path],
    settings: Settings,
    cache: Cache | None,
    jobs: int | None = None,
    stamps: dict[Path, list[int] | None] | None = None,
    keep: WorkerPool | None = None,
) -> list[FileResult]:
    """Check files, in order: answered from the cache when their key is unchanged (and
    none of the packages its screens took to be outside the project is one of the run's),
    the others parsed here or, when there are enough of them, in `jobs` forked processes,
    their screens knowing the packages the run's index can read (`run_packages`).
    `stamps` receives each file's size and modification time from before it was read;
    `keep`, the forked workers, for `settle` (the caller closes it)."""
    global _WORKER
    forget_packages()

    @functools.cache
    def packages() -> frozenset[str]:
        return run_packages(files, settings)

    def still_holds(result: FileResult) -> bool:
        """Whether a cached result's screens still stand: no package they took to be
        outside the project is one the run's index can read now."""
        return not result.outside_packages or result.outside_packages.isdisjoint(packages())

    results: list[FileResult | None] = []
    todo: list[tuple[int, Path, bytes, str, list[int] | None]] = []
    # FG604 compares migrations with git history, which changes without the file: read them
    trust_stamps = cache is not None and "FG604" not in settings.enabled
    if cache is not None:
        from checks.cache import digest, stamp_of
    for path in files:
        stamp: list[int] | None = None
        rest = ""
        try:
            if trust_stamps:
                assert cache is not None
                stamp = stamp_of(os.stat(path))
                if stamps is not None:
                    stamps[path] = stamp
                rest = _rest_key(settings, path)
                if stamp is not None:
                    hit = cache.lookup(path, stamp, rest)
                    if hit is not None and still_holds(hit):
                        results.append(hit)
                        continue
            source = path.read_bytes()
        except OSError as error:
            results.append(read_failure(path, error))
            continue
        key = ""
        if cache is not None:
            key = f"{digest(source)}|{rest or _rest_key(settings, path)}"
        cached = None
        if cache is not None and _cacheable(settings, path, source):
            cached = cache.get(path, key, source, stamp)
            if cached is not None and not still_holds(cached):
                cached = None
        results.append(cached)
        if cached is None:
            todo.append((len(results) - 1, path, source, key, stamp))
    if todo:
        engine = make_engine(settings)
        engine.defer_waiting = len(todo) > 1
        workers = min(jobs or os.cpu_count() or 1, len(todo))
        items = [(path, source) for _, path, source, _, _ in todo]
        checked: list[FileResult]
        if workers > 1 and len(todo) >= PARALLEL_MIN_FILES and _can_fork():
            import concurrent.futures
            import multiprocessing

            _WORKER = (engine, settings, packages())
            if any(rule.family == "Pydantic" for rule in engine.rules):
                settings.pydantic_target()  # decided once here, not in every worker
            if "FG108" in settings.enabled:
                settings.sqlalchemy_target()
            pool = concurrent.futures.ProcessPoolExecutor(
                workers,
                mp_context=multiprocessing.get_context("fork"),
                initializer=_die_with_parent,
                initargs=(os.getpid(),),
            )
            try:
                chunk = max(1, len(items) // (workers * 8))
                checked = list(pool.map(_check_in_worker, items, chunksize=chunk))
            except BaseException:
                pool.shutdown(cancel_futures=True)
                raise
            finally:
                _WORKER = None
            if keep is not None:
                keep.executor = pool  # forked with `_WORKER` set: `settle` runs there
            else:
                pool.shutdown()
        else:
            checked = [
                check_file(engine, settings, path, source, packages()) for path, source in items
            ]
        for (position, path, source, key, stamp), result in zip(todo, checked, strict=True):
            results[position] = result
            if cache is not None and _cacheable(settings, path, source):
                cache.put(path, key, result, stamp)
    return [result for result in results if result is not None]


def _can_fork() -> bool:
    import multiprocessing

    return "fork" in multiprocessing.get_all_start_methods()


def _rest_key(settings: Settings, path: Path) -> str:
    """The cache key of a file apart from its content: layer, ignores, module name."""
    from checks.cache import entry_key

    relative = settings.relative(path)
    module, is_package = module_name_for(path)
    layer = settings.layer_of(path)
    # whether a revision is history depends on the other files of its folder
    history = "|superseded" if layer == "migration" and is_superseded(path) else ""
    # a sub-service's pins decide the file's version targets
    pins = settings.sub_services.key(path)
    return (
        entry_key("", layer, settings.ignored_codes_for(relative), module, is_package).partition(
            "|"
        )[2]
        + history
        + (f"|pins={pins}" if pins else "")
    )


def _cacheable(settings: Settings, path: Path, source: bytes) -> bool:
    """FG604 compares a migration with git history, which changes without the file: its
    candidates are checked every time."""
    in_migrations = settings.layer_of(path) == "migration"
    if not in_migrations and b"down_revision" in source:
        return False  # a revision outside the migrations layer: its folder decides too
    if "FG604" not in settings.enabled:
        return True
    return b"revision" not in source and not in_migrations


def check_file(
    engine: Engine,
    settings: Settings,
    path: Path,
    source: bytes,
    project_packages: frozenset[str] | None = None,
    unscreened: frozenset[str] = frozenset(),
    only: frozenset[str] | None = None,
) -> FileResult:
    """Check one file with its layer, per-file ignores and module name (and the packages
    the run's index can read, `run_packages`, when the run knows them; `unscreened`: as
    `Engine.check`; `only`: the codes whose rules run, of the engine's, when not all)."""
    relative = settings.relative(path)
    layer = settings.file_layer(path, source)
    module, is_package = module_name_for(path)
    ignored = settings.ignored_codes_for(relative)
    if only is not None:
        ignored |= {rule.code for rule in engine.rules if rule.code not in only}
    return engine.check(
        path,
        source,
        layer,
        ignored,
        module,
        is_package,
        settings.in_work_tree(path),
        project_packages,
        unscreened,
        namespace_package(path, settings.project_root),
    )


def project_packages_for(path: Path, settings: Settings) -> frozenset[str]:
    """The first names of every module the index of a run of `path` alone can read (the
    hook's run: `run_packages`)."""
    return run_packages([path], settings)


def run_packages(files: Sequence[Path], settings: Settings) -> frozenset[str]:
    """The first names of every module the index of a run of `files` can read
    (`build_index`: a superset of its `ModuleLocator`'s): what the import roots hold
    (`Settings.import_roots`: the project root, its `src/`, those of the other members of
    its uv workspace), each file's source root and the folders between each file and the
    project root, and the files' own packages. Each folder is listed once.

    A result the screens found with them records the names they took to be outside the
    project (`FileResult.outside_packages`); a cached result, or a run snapshot, whose
    names one of a later run's packages is checked again (`check_files`, `Cache.load_run`)."""
    root = str(settings.project_root)
    below = os.path.join(root, "")
    folders = {str(folder) for folder in settings.import_roots}
    enclosing: set[str] = set()
    names: set[str] = set()
    # each folder of the run's files (as spelled), and whether they are top-level modules
    # there: the folder's facts are found once, from its first file (strings, not Paths:
    # a warm run asks this of every file)
    top_level: dict[str, bool] = {}
    for path in files:
        spelled, name = os.path.split(path)
        stem = name.rpartition(".")[0] or name
        alone = top_level.get(spelled)
        if alone is None:
            module, is_package = module_name_for(path)
            alone = top_level[spelled] = module == stem and not is_package
            if module:
                names.add(module.partition(".")[0])
            source_root = source_root_for(path, module, is_package)
            if source_root is not None:
                folders.add(str(source_root))
            directory = os.path.dirname(os.path.abspath(path))
            while directory != root and directory.startswith(below):
                if directory in enclosing:
                    break  # the folders above were walked for an earlier file
                enclosing.add(directory)
                directory = os.path.dirname(directory)
        elif alone:
            names.add(stem.partition(".")[0])
    for folder in folders | enclosing:
        try:
            entries = os.listdir(folder)
        except OSError:
            continue
        names.update(entry.removesuffix(".pyi").removesuffix(".py") for entry in entries)
    return frozenset(names)


def resolve_findings(
    results: Sequence[FileResult],
    settings: Settings,
    source_of: Callable[[Path], bytes] | None = None,
    new_code: bool = False,
) -> list[Finding]:
    """The definite findings, plus the pending ones whose condition holds across the
    project (modules the run did not parse are read from disk on demand), once the
    deferred rules that must run have run (`settle`; `source_of`: the text a file was
    checked with, when it is not the file's on disk; `new_code`: see `build_index`)."""
    index = build_index(results, settings, new_code=new_code)
    return resolve_with(settle(results, index, settings, source_of), index)


def settle(
    results: Sequence[FileResult],
    index: ProjectIndex,
    settings: Settings,
    source_of: Callable[[Path], bytes] | None = None,
    cache: Cache | None = None,
    stamps: dict[Path, list[int] | None] | None = None,
    pool: WorkerPool | None = None,
) -> list[FileResult]:
    """The results, each file whose deferred rules (`FileResult.deferred`) have a
    condition the index holds checked again with those rules run (parsed now: what the
    screens spared it waited for the index). `source_of` gives the text a file was checked
    with (default: read from disk). The new result is kept in `cache`: it is what a check
    without deferral gives, whatever the other modules say; with the stamp `check_files`
    took of the file before it first read it (`stamps`), so that the next run answers it
    from its stamp as it would the deferred one. Two files or more are checked in `pool`'s
    workers, when `check_files` kept them. What the index holds is asked of every file
    first: a file checked again adds its summary only where the index had none, which a
    deferred file (summarised from CPython's tree) has."""
    settled: list[FileResult | None] = []
    todo: list[tuple[int, Path, bytes, frozenset[str]]] = []
    for result in results:
        wanted = frozenset(
            code for code, condition in result.deferred if index.holds(condition, result.path)
        )
        if not wanted:
            settled.append(result)
            continue
        path = result.path
        try:
            source = source_of(path) if source_of is not None else path.read_bytes()
        except OSError as error:
            settled.append(read_failure(path, error))
            continue
        todo.append((len(settled), path, source, wanted))
        settled.append(None)
    checked_files: list[FileResult]
    executor = pool.executor if pool is not None else None
    if executor is not None and len(todo) > 1:
        items = [(path, source, wanted) for _, path, source, wanted in todo]
        checked_files = list(executor.map(_settle_in_worker, items))
    else:
        checked_files = []
        if todo:
            engine = make_engine(settings)
            checked_files = [
                check_file(engine, settings, path, source, unscreened=wanted)
                for _, path, source, wanted in todo
            ]
    for (position, path, source, _), checked in zip(todo, checked_files, strict=True):
        summary = checked.summary
        if summary is not None and summary.module not in index.modules:
            index.add(summary)  # as a run that parsed it has it (`crossfix` looks there)
        if cache is not None and _cacheable(settings, path, source):
            from checks.cache import digest

            stamp = stamps.get(path) if stamps is not None else None
            cache.put(path, f"{digest(source)}|{_rest_key(settings, path)}", checked, stamp)
        settled[position] = checked
    return [result for result in settled if result is not None]


def held_back(
    results: Sequence[FileResult],
    index: ProjectIndex,
    settings: Settings,
    cache: Cache | None = None,
) -> HeldBack:
    """What `index` drops that a run naming every enabled rule reports: the findings held
    back by the project's conventions or by the selection (a spelling Pydantic 2 still
    runs, a legacy query in a project written in the 1.x style, `HTTPException` as a
    service layer's error mechanism), which `--select ALL` does not name
    (`checks.config.named_in_selection`); another index answers, built only when
    something is dropped."""
    # a node's alternative reports (`Engine._locate`): one reported holds for them all
    places = Counter(_place(finding) for result in results for finding, _ in result.pending)
    reported = {
        _place(finding)
        for result in results
        for finding, condition in result.pending
        if places[_place(finding)] > 1 and index.holds(condition, finding.path)
    }
    dropped = [
        (finding.code, finding.path, condition, _place(finding))
        for result in results
        for finding, condition in result.pending
        if finding.code not in settings.named
        and _gated(condition, index)
        and not index.holds(condition, finding.path)
        and _place(finding) not in reported
    ]
    waiting = [
        (code, result.path, condition)
        for result in results
        for code, condition in result.deferred
        if code not in settings.named
        and _gated(condition, index)
        and not index.holds(condition, result.path)
    ]
    if not dropped and not waiting:
        return HeldBack()
    named = build_index(results, replace(settings, named=settings.enabled), cache)
    findings: dict[str, int] = {}
    for code, path, condition, place in dropped:
        if place not in reported and named.holds(condition, path):
            reported.add(place)  # a node's alternatives count once
            findings[code] = findings.get(code, 0) + 1
    files: dict[str, set[Path]] = {}
    for code, path, condition in waiting:
        if named.holds(condition, path):
            files.setdefault(code, set()).add(path)
    return HeldBack(findings, {code: len(paths) for code, paths in files.items()})


#: The facts naming a rule decides (`build_index`: the selection's, and the counted
#: conventions a named rule sets aside); whether the project hashes with bcrypt, signs
#: with asymmetric keys or authenticates its routes outside their parameters is no
#: convention, and asking it again would read every file of the project once more.
_NAMING_DECIDES = (SELECTION_FACTS | COUNTED_FACTS) - {
    BCRYPT_HASHING,
    JOSE_ASYMMETRIC,
    PUBLIC_ROUTES,
}


def _gated(condition: Condition, index: ProjectIndex) -> bool:
    """Whether a condition asks a fact that naming a rule decides (`_NAMING_DECIDES`):
    only such a condition can hold in a run that names every rule where it does not in
    this one. A helper hashing a new password asks one (FG303's, through the index)."""
    while True:
        if condition.fact in _NAMING_DECIDES or (condition.fact or "").startswith(USED_FACT):
            return True
        if (
            condition.subject == BLOCKS
            and COMPARED not in condition.roots
            and index.hashes_a_new_password(condition.refs)
        ):
            return True
        if condition.also is None:
            return False
        condition = condition.also


def resolve_with(results: Sequence[FileResult], index: ProjectIndex) -> list[Finding]:
    """The definite findings, plus the pending ones whose condition holds in `index`."""
    findings = [f for r in results for f in r.findings]
    placed: set[tuple[Path, str, Location, Location]] = set()
    for r in results:
        for finding, condition in r.pending:
            place = _place(finding)
            # of a node's alternative reports (`Engine._locate`), the first that holds
            if place not in placed and index.holds(condition, finding.path):
                placed.add(place)
                findings.append(
                    _mapped_named(
                        _without_cookies(_named_blocking_call(finding, condition, index), index),
                        condition,
                        index,
                    )
                )
    findings = _one_per_call(findings, {r.path: r.text for r in results})
    # a fix that removes a `Config` another module reads is withheld (FG207)
    findings = [
        f if f.fix is None or index.keeps_fix(f.fix.config_of) else f._replace(fix=None)
        for f in findings
    ]
    if any(f.fix is not None and f.fix.companion is not None for f in findings):
        from checks.crossfix import settle  # a fix with a half in another file

        findings = settle(findings, index, results)
    return findings


#: Rules whose finding on a call covers FG102's on the session handed to it: the call
#: blocks the loop, and one change (a thread for it, or `def`) mends both.
_CALL_RULES = frozenset({"FG302", "FG303"})


def _one_per_call(findings: list[Finding], texts: dict[Path, str | None]) -> list[Finding]:
    """The findings but FG102's within a call FG302 or FG303 reports (the session handed
    to `authenticate_user(db, ...)`, which checks a password: B0user's and RezenkovD's
    logins, reader 210; civitas', Reinapepeada's, readers 205-206), or on the session
    handed to the object whose method such a call is (`user_service = UserService(db)`,
    then `user_service.authenticate_user(...)` in the same function: Naman1995jain's
    logins, reader 215): one call, one finding, the one that names what blocks."""
    calls: dict[Path, list[tuple[Location, Location]]] = {}
    for finding in findings:
        if finding.code in _CALL_RULES:
            calls.setdefault(finding.path, []).append((finding.start, finding.end))
    if not calls:
        return findings
    kept: list[Finding] = []
    trees: dict[Path, ast.Module | None] = {}
    for finding in findings:
        spans = calls.get(finding.path, ())
        if finding.code == "FG102" and (
            any(
                (start.row, start.column) <= (finding.start.row, finding.start.column)
                and (finding.end.row, finding.end.column) <= (end.row, end.column)
                for start, end in spans
            )
            or (
                spans
                and _handed_to_a_reported_object(
                    finding, spans, texts.get(finding.path), _tree_of(finding.path, texts, trees)
                )
            )
        ):
            continue
        kept.append(finding)
    return kept


def _tree_of(
    path: Path, texts: dict[Path, str | None], trees: dict[Path, ast.Module | None]
) -> ast.Module | None:
    """A file's CPython tree, parsed once for `_one_per_call` (None: no text, or one
    CPython cannot parse)."""
    if path not in trees:
        text = texts.get(path)
        try:
            trees[path] = ast.parse(text) if text is not None else None
        except (SyntaxError, ValueError):
            trees[path] = None
    return trees[path]


def _handed_to_a_reported_object(
    finding: Finding,
    spans: Sequence[tuple[Location, Location]],
    text: str | None,
    tree: ast.Module | None,
) -> bool:
    """Whether FG102's finding lies in a call whose result a statement binds to a name
    (`user_service = UserService(db)`), of which a call FG302 or FG303 reports in the same
    function is a method (`user_service.authenticate_user(...)`, starting at `spans`);
    read on CPython's tree (`tree`, of `text`), only for a file with both rules'
    findings."""
    if text is None or tree is None:
        return False
    lines = text.splitlines()

    def column(row: int, offset: int) -> int:
        """A 1-based character column from CPython's 0-based UTF-8 offset."""
        line = lines[row - 1] if 0 < row <= len(lines) else ""
        return len(line.encode()[:offset].decode(errors="replace")) + 1

    row, col = finding.start.row, finding.start.column
    functions = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.lineno <= row <= (node.end_lineno or node.lineno)
    ]
    if not functions:
        return False
    function = max(functions, key=lambda node: node.lineno)  # the innermost
    end = function.end_lineno or function.lineno
    for node in ast.walk(function):
        if not (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
            and isinstance(node.value, ast.Call)
        ):
            continue
        call = node.value
        start = (call.lineno, column(call.lineno, call.col_offset))
        stop_row = call.end_lineno or call.lineno
        stop = (stop_row, column(stop_row, call.end_col_offset or 0))
        if not start <= (row, col) < stop:
            continue
        name = node.targets[0].id
        return any(
            node.lineno < begin.row <= end
            and lines[begin.row - 1][begin.column - 1 :].startswith(f"{name}.")
            for begin, _ in spans
        )
    return False


def _place(finding: Finding) -> tuple[Path, str, Location, Location]:
    """Where a rule's finding stands: one finding of a rule at one place."""
    return finding.path, finding.code, finding.start, finding.end


def _mapped_named(finding: Finding, condition: Condition, index: ProjectIndex) -> Finding:
    """FG605's finding names the tables the upgrade drops from there on that the models
    map (the last fact of its condition lists them all), not every table it drops."""
    if finding.code != "FG605":
        return finding
    from checks.rules.alembic_migrations import dropped_message  # (only for a finding)

    last = condition
    while last.also is not None:
        last = last.also
    tables = (last.fact or "")[len(TABLE_MAPPED) :].split(",")
    mapped = [t for t in tables if index.fact(TABLE_MAPPED + t, finding.path)]
    if not mapped or mapped == tables:
        return finding
    return finding._replace(message=dropped_message(mapped))


def _without_cookies(finding: Finding, index: ProjectIndex) -> Finding:
    """FG501's wildcard with `allow_credentials=True` on a service that sets no cookie
    says what is at stake there (`NO_COOKIE_PHRASE`), not its visitors' cookies."""
    if finding.code != "FG501" or COOKIE_PHRASE not in finding.message:
        return finding
    if index.fact(COOKIES_USED, finding.path):
        return finding
    message = finding.message.replace(f" {COOKIE_PHRASE}", f", {NO_COOKIE_PHRASE}", 1)
    return finding._replace(message=message)


def _named_blocking_call(finding: Finding, condition: Condition, index: ProjectIndex) -> Finding:
    """A finding on a call of another module's sync helper names the blocking call the
    index read in it (`rm()` "calls `subprocess.check_call()`"), not what any such helper
    may do ("runs or waits for a process, or hashes a password": a reader could not tell
    which)."""
    also = condition.also
    while also is not None and (also.fact or "").startswith(
        (RUN_ALONE_FACT, USED_FACT, SERVED_CONCURRENTLY)
    ):
        # the coroutine's own: asked of where it runs, or whether its class is named,
        # not of the helper
        also = also.also
    if condition.subject != BLOCKS or len(condition.refs) != 1 or also is not None:
        return finding
    ref = index.resolve(condition.refs[0])
    made = index.blocking_call(ref)
    if made is None or made.startswith(OPENS):
        return finding
    if ref.startswith(CALL_CHAIN):
        # a method of what a call returned: named by the class the index found
        concrete = index.returned_method(ref)
        if concrete is None:
            return finding
        owner = f"of `{concrete.rpartition('.')[0]}`"
        message = finding.message.replace(returned_owner(ref), owner, 1)
        finding, ref = finding._replace(message=message), concrete
    call = call_name(made)
    message = finding.message
    owner = ref.rpartition(".")[0]
    client = client_of(made)
    above = index.instance_above(owner) if client is not None else None
    holder = above[0] if above is not None and above[1] == client else None
    if client is not None and holder is not None:
        # a method of another module's sync client (`redis.delete(key)`, `redis` bound to
        # `Redis(...)` in `app.core.config`: waruingugi's, reader 82), or of a resource of
        # it (`stt_llm.audio.speech.create()`)
        advice = BLOCKING_CLIENTS[client].split(", or `await asyncio.to_thread")[0]
        for kind in ("function", "method"):  # (`REDIS_CLIENT`: named as a class)
            message = message.replace(
                f"is a sync {kind} of `{owner}` that {HELPER_REQUESTS}",
                f"is a request through `{holder}`, a sync `{client}` client",
                1,
            )
        message = message.replace(
            ": make it async, or `await asyncio", f": use {advice}, or `await asyncio", 1
        )
        return finding._replace(message=message)
    if made in PASSWORD_HASHING:
        # CPU work: an async helper would run it on the loop all the same
        checks = "checks" if made in PASSWORD_VERIFYING else "hashes"
        does = f"{checks} a password (`{call}()`)"
        message = message.replace(": make it async, or `await asyncio", ": `await asyncio", 1)
        if made in NEW_PASSWORD_HASHES and COMPARED not in condition.roots:
            # the alternative that holds only on a public route (`ProjectIndex._blocks_as`):
            # the route's own, or a coroutine's it awaits
            for root in condition.roots:
                if root.startswith(PUBLIC_CALLER_ROOT) and root != PUBLIC_CALLER_ROOT:
                    route = PUBLIC_ROUTE_OF + root[len(PUBLIC_CALLER_ROOT) :]
                    message = public_message(message, awaited=not index.fact(route, finding.path))
    else:
        does = f"calls {describe_call(made)}"
    shadowing = index.package_binding(owner)
    if shadowing == ref:
        # the package re-exports the function its submodule is named for (`from
        # .buscar_farmacia import buscar_farmacia`): that function, not an instance's
        shadowing = None
    if shadowing is not None:
        # `crud.user.authenticate`: a method of the instance the package binds under its
        # submodule's name (`from .user import user`)
        message = message.replace(
            f"is a sync function of `{owner}`", f"is a sync method of `{shadowing}`", 1
        )
    elif index.load(owner) is None and "is a sync function of" in message:
        # `user_service.change_password`: a method of the instance another module binds
        message = message.replace("is a sync function of", "is a sync method of", 1)
    asked_owner = condition.refs[0].rpartition(".")[0]
    if asked_owner != owner and owner in index.classes:
        # an alias of the class (`S3ServiceDep = Annotated[S3Service, Depends(...)]`):
        # the class whose method it is (AntonShpakovych's, reader 121)
        message = message.replace(f"method of `{asked_owner}`", f"method of `{owner}`", 1)
    for phrase in (HELPER_BLOCKS, HELPER_REQUESTS):
        if phrase in message:
            return finding._replace(message=message.replace(phrase, does, 1))
    return finding


def build_index(
    results: Sequence[FileResult],
    settings: Settings,
    cache: Cache | None = None,
    others: list[tuple[Path, list[int] | None]] | None = None,
    whole_project: bool = False,
    new_code: bool = False,
) -> ProjectIndex:
    """The project index of a run: its files' summaries, and the rest loaded on demand
    (`whole_project`: the run's paths hold the project root, see `covers_project`;
    `new_code`: the run checks code being written, the edit hook's, where the forms that
    still work are reported whatever the project's existing code writes: `_modernizations`).

    Touches no file but the folders above a deferred one: the source roots come from
    the summaries' module names (a file whose rules wait for the index has none yet: its
    module name is found as a check finds it, for `settle` will parse it), and the
    loader reads a module only when a pending finding asks about it (a file the
    pre-filter spared, or one outside the run), through the cache when there is one."""
    scopes = {settings.sub_services.of_file(result.path) for result in results}
    scope = next(iter(scopes)) if len(scopes) == 1 else None
    # a sub-service's files import its own modules first (`separate_namespaces`: its
    # `app` package, where the project root has one too), as the service runs from there
    first = (Path(scope), Path(scope) / "src") if scope is not None else ()
    locator = ModuleLocator((*first, *settings.import_roots))
    for result in results:
        locator.add_enclosing_folders(result.path, settings.project_root)
        is_package = result.path.stem == "__init__"
        root = None
        if result.summary is not None:
            root = source_root_for(result.path, result.summary.module, is_package)
        elif result.deferred:
            root = source_root_for(result.path, module_name_for(result.path)[0], is_package)
        if root is not None:
            locator.add_root(root)
    # walked at most once, by the first scan that needs the project's other files
    project_files = functools.cache(lambda: _project_files(settings, cache))
    sub_services = settings.sub_services

    @functools.cache
    def scoped(scope: str | None) -> tuple[list[Path], list[bytes]]:
        """The files and texts the counted facts of one sub-service read (None: the root's
        files outside every sub-service), read once for all of them."""
        files = [p for p in project_files() if sub_services.of_file(p) == scope]
        return files, counted_sources(files)

    def sources(scope: str | None) -> list[bytes]:
        return scoped(scope)[1]

    @functools.cache
    def service_sources(scope: str | None) -> list[bytes]:
        """The texts of the sub-service's files outside its tests (a test client's
        cookies say nothing of how the API's clients authenticate)."""
        files, texts = scoped(scope)
        return [
            text
            for path, text in zip(files, texts, strict=True)
            if settings.file_layer(path, text) != "test"
        ]

    @functools.cache
    def served_sources(scope: str | None) -> list[bytes]:
        """The texts of the code the sub-service serves with: neither its tests nor its
        development tooling (a Playwright tool's cookies under `tools/` are no client's
        of the API: pokevaultpro's, reader 114)."""
        files, texts = scoped(scope)
        return [
            text
            for path, text in zip(files, texts, strict=True)
            if settings.file_layer(path, text) not in ("test", "tooling")
        ]

    def service_layer_sources(scope: str | None) -> list[bytes]:
        """The texts of the sub-service's services and repositories: the files of those
        layers, and modules defining a class named as one (FG401's lower layer)."""
        files, texts = scoped(scope)
        found = []
        for path, text in zip(files, texts, strict=True):
            layer = settings.file_layer(path, text)
            if layer in ("service", "repository") or (
                layer != "test" and is_service_layer_text(text)
            ):
                found.append(text)
        return found

    @functools.cache
    def first_importers() -> dict[tuple[str, str | None], str]:
        """The first module, by name, of each library and sub-service among the modules
        whose findings ask `FIRST` of it: the importing modules that report."""
        found: dict[tuple[str, str | None], str] = {}
        for result in results:
            for _, condition in result.pending:
                if not _reached(condition, sub_services.of_file(result.path)):
                    continue  # (code nothing runs: the next module's finding reports)
                chain: Condition | None = condition
                while chain is not None:
                    fact = chain.fact or ""
                    _, _, asked = fact.partition(FIRST)
                    if fact.startswith(USED_FACT) and asked:
                        library, _, module = asked.partition(":")
                        key = (library, sub_services.of_file(result.path))
                        if key not in found or module < found[key]:
                            found[key] = module
                    chain = chain.also
        return found

    def _reached(condition: Condition, scope: str | None) -> bool:
        """Whether no `REACHED` fact of a pending finding's conditions is false."""
        chain: Condition | None = condition
        while chain is not None:
            fact = chain.fact or ""
            if fact.startswith(USED_FACT) and REACHED in fact:
                code, _, name = fact[len(USED_FACT) :].partition(":")
                if name.startswith(REACHED) and not used(scope, code, name):
                    return False
            chain = chain.also
        return True

    def _first_importer(asked: str, scope: str | None) -> bool:
        """`FIRST`'s answer: the module is the first, by name, of the sub-service's
        modules that report a finding asking it (or none is known)."""
        library, _, module = asked.partition(":")
        first = first_importers().get((library, scope))
        return first is None or first == module

    @functools.cache
    def routes_wiring(scope: str | None) -> tuple[list[bytes], list[str | None]]:
        """The texts of the sub-service's code outside its tests with their modules'
        names, then its packaging and server files (no module name), read once for every
        routes module a finding asks about (`routes_module_imported`)."""
        files, texts = scoped(scope)
        named = [
            (module_name_for(path)[0], text)
            for path, text in zip(files, texts, strict=True)
            if settings.file_layer(path, text) != "test"
        ]
        others = [*packaging(scope), *servers(scope)]
        return (
            [*(text for _, text in named), *others],
            [*(module for module, _ in named), *(None for _ in others)],
        )

    @functools.cache
    def routes_imported(scope: str | None, module: str) -> bool:
        """`ROUTES_IMPORTED`'s answer, whatever the finding's code: where the service
        includes routers (its own wiring known), one a module that runs imports."""
        sources, modules = routes_wiring(scope)
        return not any(b"include_router" in text for text in sources) or routes_module_imported(
            module, sources, modules
        )

    @functools.cache
    def bases_of(scope: str | None) -> dict[str, frozenset[str]]:
        """The classes of the sub-service's code outside its tests, with their bases'
        identifiers (`method_named`'s hierarchy), read once."""
        return class_bases(service_sources(scope))

    @functools.cache
    def method_used(scope: str | None, cls: str, method: str) -> bool:
        """`METHOD`'s answer from the service's code, once per method (findings of
        several codes in one method ask it alike)."""
        return method_named(cls, method, service_sources(scope), bases_of(scope))

    def used(scope: str | None, code: str, name: str) -> bool:
        """`USED_FACT`'s answer for a finding of `code` (no name: code nothing runs, a
        test module pytest skips whole)."""
        if code in settings.named or new_code or not name:
            return code in settings.named or new_code
        if name.startswith(FIXTURE):
            # named by the tests that take it (ButakovIlya's `auth_http_client`, which no
            # test takes: reader 98), not those of a file with a fixture of that name of
            # its own (`shadows_fixture`)
            fixture, _, defined_in = name[len(FIXTURE) :].partition("@")
            files, texts = scoped(scope)
            return fixture_named(
                fixture,
                [
                    text
                    for path, text in zip(files, texts, strict=True)
                    # taken by tests and fixtures only (`client` is a common word)
                    if (b"fixture" in text or settings.file_layer(path, text) == "test")
                    and (os.path.abspath(path) == defined_in or not shadows_fixture(fixture, text))
                ],
            )
        if name.startswith(METHOD):
            # named by the service's code, or its class by an entry point (a plugin)
            cls, _, method = name[len(METHOD) :].partition(".")
            return method_used(scope, cls, method) or named_besides_definitions(
                cls, packaging(scope), code_only=False
            )
        if name.startswith(FIRST):
            return _first_importer(name[len(FIRST) :], scope)
        if name.startswith(FALLBACK):
            return not requires_setting(name[len(FALLBACK) :], served_sources(scope))
        if name.startswith(IMPORTS):
            root = Path(scope or settings.project_root)
            return not any(module_missing(m, root) for m in name[len(IMPORTS) :].split(","))
        if name.startswith(HELPER_OUTSIDE):
            # the helper's module: outside the lower layers (or not found), its raise is
            # the finding; inside them, its construction is, reported there
            found = locator.find(name[len(HELPER_OUTSIDE) :])
            return found is None or settings.layer_of(found) not in ("service", "repository")
        if name.startswith(NAME_IMPORTED):
            path, _, bound = name[len(NAME_IMPORTED) :].rpartition("|")
            module = Path(path)
            files, texts = scoped(scope)
            own = b""
            siblings: list[bytes] = []
            for f, t in zip(files, texts, strict=True):
                absolute = Path(os.path.abspath(f))  # (as the rule spelled the module's)
                if absolute == module:
                    own = t
                elif absolute.parent.is_relative_to(module.parent):
                    siblings.append(t)
            return module_name_used(module, bound, own, texts, siblings)
        if name.startswith(MODULE_IMPORTED):
            # imported by the service's code, or named by its packaging files
            module = Path(name[len(MODULE_IMPORTED) :])
            files, texts = scoped(scope)
            siblings = [
                t
                for f, t in zip(files, texts, strict=True)
                if f.absolute().parent.is_relative_to(module.parent)
            ]
            texts = [*service_sources(scope), *packaging(scope)]
            package = module.parent.name
            # where the service includes routers and imports its package's modules by
            # name (its wiring known), as for `LAYER_IMPORTED`
            return (
                not any(b"include_router" in text for text in texts)
                or not module_imported(package, texts, in_path=True)
                or package_module_imported(package, module.name, texts, siblings)
            )
        if name.startswith(ROUTES_IMPORTED):
            return routes_imported(scope, name[len(ROUTES_IMPORTED) :])
        # named in the service's code: a class only its tests name is dead code too
        # (MarchenkoRuslan's `SurveyService`, reader 93)
        return _used(name, [*service_sources(scope), *packaging(scope)])

    packaging = _packaging(settings)
    deployment = _deployment(settings)
    servers = _top_files(settings, _SERVER_FILES)

    def served_concurrently(code: str, scope: str | None) -> bool:
        """`SERVED_CONCURRENTLY`'s fact for the loop rule `code`: named, new code, or not
        a service on AWS Lambda alone."""
        return (
            code in settings.named
            or new_code
            or not served_one_at_a_time(served_sources(scope), servers(scope))
        )

    @functools.cache
    def tables_of(scope: str | None) -> frozenset[str]:
        """The tables the models of the code the sub-service serves with map."""
        return mapped_tables(served_sources(scope))

    @functools.cache
    def public_routes(scope: str | None) -> bool:
        """`PUBLIC_ROUTES` but for new code: nothing authenticates the sub-service's
        routes outside their parameters."""
        return not authenticates_outside_routes(served_sources(scope))

    def awaiting(scope: str | None, name: str) -> Iterator[tuple[str, bytes, bool]]:
        """The modules of the code the sub-service serves with whose text may define or
        await a coroutine named `name` (`ProjectIndex.awaited_by_public_route`,
        `.is_public_route`)."""
        called = re.compile(rb"\b" + re.escape(name.encode()) + rb"\s*\(")
        files, texts = scoped(scope)
        for path, text in zip(files, texts, strict=True):
            if (
                b"async" in text
                and called.search(text) is not None
                and settings.file_layer(path, text) not in ("test", "tooling")
            ):
                module, is_package = module_name_for(path)
                yield module or path.stem, text, is_package

    #: the index itself, for the facts that ask it (`PUBLIC_CALLER`)
    built: list[ProjectIndex] = []
    read = _reader(locator, others)  # the loader's and the coroutine reader's
    index = ProjectIndex(
        (r.summary for r in results if r.summary is not None),
        loader=_loader(read, cache),
        coroutines=_coroutine_reader(read),
        unchecked=_unchecked_modules(results, project_files),
        facts={
            SETTINGS_MODULE: _settings_module_fact(settings, project_files, others),
            V1_LAYER_SELECTED: lambda: "FG210" in settings.named,
            **{
                sqlalchemy_1_named(code): functools.partial(operator.contains, settings.named, code)
                for code in SQLALCHEMY_2_CODES
            },
            **{
                pydantic_1_named(code): functools.partial(operator.contains, settings.named, code)
                for code in PYDANTIC_CODES
            },
            **_modernizations(settings, new_code),
        },
        whole_project=whole_project,
        used_unread=frozenset(settings.enabled) if new_code else frozenset(settings.named),
        prefixed={
            TABLE_MAPPED: lambda scope, tables: not tables_of(scope).isdisjoint(tables.split(",")),
            V1_ONLY_LIBRARY: lambda scope, code: (
                code in settings.named
                # FG210's `from pydantic import BaseSettings` is the one finding there:
                # unpinned, an install gets Pydantic 2 and it fails (reader 210)
                or not imports_v1_only_library(served_sources(scope), settings=code != "FG210")
            ),
            PUBLIC_ROUTE_OF: lambda scope, target: (
                not new_code
                and public_routes(scope)
                and built[0].is_public_route(target, functools.partial(awaiting, scope))
            ),
            PUBLIC_CALLER: lambda scope, target: (
                not new_code
                and public_routes(scope)
                and (
                    built[0].is_public_route(target, functools.partial(awaiting, scope))
                    or built[0].awaited_by_public_route(target, functools.partial(awaiting, scope))
                )
            ),
        },
        counted={
            SQL_2_QUERIES: lambda scope: "FG101" in settings.named or queries_2_0(sources(scope)),
            NO_V2_SETTINGS: lambda scope: (
                "FG212" in settings.named or not imports_v2_settings(served_sources(scope))
            ),
            TYPED_MODELS: lambda scope: "FG108" in settings.named or typed_models(sources(scope)),
            HEADER_CREDENTIALS_ONLY: lambda scope: (
                "FG501" not in settings.named and header_credentials_only(served_sources(scope))
            ),
            COOKIES_USED: lambda scope: cookies_used(served_sources(scope)),
            SERVER_DATABASES: lambda scope: (
                "FG102" in settings.named
                or new_code
                # (and how it is deployed: QuadDarv1ne's compose file runs PostgreSQL for
                # code whose default URL is SQLite's, reader 97; AmitAlfasi's
                # `.env.example` sets MySQL's, reader 88; unless every engine the code
                # makes is on a literal SQLite URL: isikjon's, reader 162)
                or not (
                    engines_on_sqlite_only(served_sources(scope))
                    or sqlite_databases([*served_sources(scope), *deployment(scope)])
                )
            ),
            CREDENTIALS_USED: lambda scope: (
                "FG501" not in settings.named and credentials_used(served_sources(scope))
            ),
            CREDENTIALS_TAKEN: lambda scope: (
                "FG501" in settings.named or new_code or credentials_used(served_sources(scope))
            ),
            BCRYPT_HASHING: lambda scope: hashes_with_bcrypt(sources(scope)),
            JOSE_ASYMMETRIC: lambda scope: uses_asymmetric_jose(sources(scope)),
            OWN_SERVICE_ERRORS: lambda scope: (
                "FG401" in settings.named
                or own_service_errors(
                    service_layer_sources(scope),
                    sources(scope),
                    young=new_code,
                    shared=sources(None) if scope is not None else (),
                )
            ),
            OWN_AUTH_ERRORS: lambda scope: (
                "FG401" in settings.named or own_auth_errors(sources(scope))
            ),
            ASYNC_SESSIONS: lambda scope: (
                "FG106" in settings.named or async_sessions(sources(scope))
            ),
            ASYNC_SESSIONS_MADE: lambda scope: (
                "FG103" in settings.named or makes_async_sessions(sources(scope))
            ),
            PUBLIC_ROUTES: lambda scope: not new_code and public_routes(scope),
            **{
                fact: functools.partial(served_concurrently, fact[len(SERVED_CONCURRENTLY) :])
                for fact in SERVED_CONCURRENTLY_FACTS
            },
        },
        scope_of=sub_services.of_file,
        runs_alone=_runs_alone(project_files, settings),
        used=used,
    )
    built.append(index)
    return index


def _used(name: str, texts: Sequence[bytes]) -> bool:
    """`USED_FACT`'s answer: a class or function (`DEFINED`) named besides its
    definitions, another name written twice (a setting: its declaration and a read)."""
    if name.startswith(DEFINED):
        return named_besides_definitions(name[len(DEFINED) :], texts)
    if name.startswith(CALLED):
        return named_outside_imports(name[len(CALLED) :], texts)
    if name.startswith(REACHED):
        return reached(name[len(REACHED) :], texts)
    if name.startswith(ENV_NAMED):
        return written_besides_its_variable(name[len(ENV_NAMED) :], texts)
    if name.startswith(FIELD):
        return field_read(name[len(FIELD) :], texts)
    if name.startswith(IMPORTED):
        return module_imported(name[len(IMPORTED) :], texts)
    if name.startswith(LAYER_IMPORTED):
        # where the service includes routers and imports its package's modules (its own
        # wiring known), one it imports
        package, _, stem = name[len(LAYER_IMPORTED) :].rpartition("/")
        return (
            not any(b"include_router" in text for text in texts)
            or not module_imported(package, texts, in_path=True)
            or module_imported(stem, texts, in_path=True)
        )
    return written_twice(name, texts)


#: The files that say which database a service is deployed with, at the top of the
#: project root or of a sub-service: its dependencies, compose files, and the example of
#: its environment (the `.env` itself is the developer's, and often not committed).
_DEPLOYMENT_FILES = (
    "requirements*.txt",
    "pyproject.toml",
    "Pipfile",
    "docker-compose*.y*ml",
    "compose*.y*ml",
    ".env.example",
    ".env.sample",
    ".env.template",
    ".env.dist",
    "env.example",
)


#: The files that say how a service is served, at the top of the project root or of a
#: sub-service (and a Dockerfile one folder down): what runs its server, if any
#: (`checks.project_facts.served_one_at_a_time`).
_SERVER_FILES = (
    "Dockerfile*",
    "*.Dockerfile",
    "*.dockerfile",
    "Containerfile*",
    "*/Dockerfile*",
    "Procfile*",
    "docker-compose*.y*ml",
    "compose*.y*ml",
    "*.sh",
    "scripts/*.sh",
    "docker/*.sh",
    "render.yaml",
    "fly.toml",
    "app.yaml",
    "railway.json",
    "railway.toml",
    "nixpacks.toml",
)


def _top_files(
    settings: Settings, patterns: Sequence[str]
) -> Callable[[str | None], tuple[bytes, ...]]:
    """The texts of the files matching `patterns` at the top of the project root and of
    a sub-service's folder (`scope`), each folder read once a run, when first asked."""

    @functools.cache
    def texts(folder: str) -> tuple[bytes, ...]:
        found: list[bytes] = []
        for pattern in patterns:
            for path in sorted(Path(folder).glob(pattern)):
                try:
                    if path.is_file() and path.stat().st_size < 1_000_000:
                        found.append(path.read_bytes())
                except OSError:
                    continue
        return tuple(found)

    def of_scope(scope: str | None) -> tuple[bytes, ...]:
        root = texts(str(settings.project_root))
        return root if scope is None else root + texts(scope)

    return of_scope


def _deployment(settings: Settings) -> Callable[[str | None], tuple[bytes, ...]]:
    """The texts of the deployment files (`_DEPLOYMENT_FILES`), read when the SQLite
    question is asked."""
    return _top_files(settings, _DEPLOYMENT_FILES)


def _packaging(settings: Settings) -> Callable[[str | None], tuple[bytes, ...]]:
    """The packaging files of the project root and of a sub-service (`pyproject.toml`,
    `setup.cfg`), where an entry point names a class nothing else does (dispatch's
    plugins: `dispatch_basic_auth = "dispatch.plugins.dispatch_core.plugin:
    BasicAuthProviderPlugin"`): `USED_FACT`'s texts beside the sources."""
    return _top_files(settings, ("pyproject.toml", "setup.cfg"))


def _runs_alone(
    project_files: Callable[[], list[Path]], settings: Settings
) -> Callable[[ProjectIndex, str], bool]:
    """`ProjectIndex.fact`'s answer to `RUN_ALONE_FACT`: whether the project runs a
    coroutine only on loops of its own (`checks.private_loops`), its tests left out (a
    run of the whole project; its files are read on the first question)."""
    found: list[PrivateLoops] = []

    def runs_alone(index: ProjectIndex, ref: str) -> bool:
        if not found:
            from checks.private_loops import PrivateLoops

            def is_test(path: Path, source: bytes) -> bool:
                return settings.file_layer(path, source) == "test"

            found.append(PrivateLoops(project_files, is_test))
        return found[0].runs_alone(ref, index)

    return runs_alone


def _modernizations(settings: Settings, new_code: bool) -> dict[str, Callable[[], bool]]:
    """The facts of the forms that still work (the Pydantic v1 spellings by family,
    `checks.project_facts.PYDANTIC_SPELLING`; FG101's `Query` in sync code, FG108's
    `backref=`, FG406's `on_event`): each holds in new code (the edit hook), where the
    selection names one of its rules, or, for Pydantic's, where `target-pydantic = "2"`
    is configured; read from the run's configuration, never from a file."""
    named = {
        fact: any(settings.named.intersection(c for c, f in SPELLING_RULES.items() if f == family))
        or settings.target_pydantic == 2
        for family, fact in PYDANTIC_SPELLING.items()
    }
    named[SYNC_QUERY_SELECTED] = "FG101" in settings.named
    named[LEGACY_MAPPING_SELECTED] = "FG108" in settings.named
    named[ON_EVENT_SELECTED] = "FG406" in settings.named
    named[PARAMETER_REGEX_SELECTED] = "FG409" in settings.named
    named[EXPIRE_ON_COMMIT_SELECTED] = "FG104" in settings.named
    named[FIELD_ENV_SELECTED] = "FG211" in settings.named
    named[NEW_PASSWORD_HASH_SELECTED] = "FG303" in settings.named
    named[SYNTAX_ERROR_SELECTED] = "FG000" in settings.named
    named[JOSE_UNPINNED_SELECTED] = "FG504" in settings.named
    named[PUBLIC_CORS_SELECTED] = "FG501" in settings.named
    return {fact: _true if holds or new_code else _false for fact, holds in named.items()}


def _true() -> bool:
    return True


def _false() -> bool:
    return False


def covers_project(paths: Sequence[Path], settings: Settings) -> bool:
    """Whether a run of `paths` checks every file of the project: one of them is its root
    or a folder above it."""
    root = os.path.abspath(settings.project_root)
    for path in paths or [Path(".")]:
        top = os.path.abspath(path)
        if root == top or root.startswith(top.rstrip(os.sep) + os.sep):
            return True
    return False


def _project_files(settings: Settings, cache: Cache | None = None) -> list[Path]:
    """Every Python file of the project, walked as the CLI walks it (its excludes and
    .gitignore), with the walk memo of the run's `cache` when it has one; none when the
    walk fails."""
    from checks.discovery import discover

    try:
        if cache is None:
            return discover([settings.project_root], settings)
        from checks.cache import remembered_walk

        return remembered_walk([settings.project_root], settings, cache.directory)
    except ConfigError:
        return []


def _unchecked_modules(
    results: Sequence[FileResult], project_files: Callable[[], list[Path]]
) -> Callable[[], Iterator[ModuleSummary]]:
    """The summaries of the project's files the run holds none of (outside the run, or
    spared by the pre-filter) whose text may read a model's inner `Config` (`X.Config`)
    or include a router (`include_router`): asked once, by a fix that removes a `Config`
    (so that a run of one file, pre-commit's `--fix`, keeps a `Config` another module
    extends: FG207) or by a route whose router another module may keep out of the
    OpenAPI schema (FG403: the hook checks the router's module alone)."""

    def scan() -> Iterator[ModuleSummary]:
        from checks.summary import READ_ACROSS

        checked = {os.path.abspath(r.path) for r in results if r.summary is not None}
        others = [p for p in project_files() if os.path.abspath(p) not in checked]
        for path, source in project_sources(others, READ_ACROSS):
            module, is_package = module_name_for(path)
            summary = summarize_source(source, module or path.stem, is_package)
            if summary is not None and (summary.config_refs or summary.router_includes):
                yield summary

    return scan


def _settings_module_fact(
    settings: Settings,
    project_files: Callable[[], list[Path]],
    others: list[tuple[Path, list[int] | None]] | None,
) -> Callable[[], bool]:
    """Whether the project has a settings module (`checks.project_facts.SETTINGS_MODULE`;
    always, when the selection names FG407). The module found is recorded in `others`,
    so that a run snapshot stands while it is unchanged; none found, the index says it
    `scanned` (a file added anywhere may change the answer: no snapshot is kept)."""

    def find() -> bool:
        if "FG407" in settings.named:
            return True
        from checks.cache import stamp_of

        found = first_settings_module(project_files())
        if found is None:
            return False
        if others is not None:  # its stamp from before a read that still finds it
            try:
                stamp = stamp_of(os.stat(found))
                still = defines_settings(found.read_bytes())
            except OSError:
                stamp, still = None, False
            others.append((found, stamp if still else None))  # None: no snapshot
        return True

    return find


def _reader(
    locator: ModuleLocator, others: list[tuple[Path, list[int] | None]] | None
) -> Callable[[str], tuple[Path, bytes] | None]:
    """Read a module's file, found by the locator; `others` receives each file read, with
    its stamp from before the read, and what the search ruled out or listed, once per
    module (the summary's loader and the coroutine reader may both read one)."""

    from checks.cache import ABSENT, stamp_of

    listed: set[Path] = set()  # the folders whose stamps `others` has
    located: dict[str, Path | None] = {}

    def read(module: str) -> tuple[Path, bytes] | None:
        if module in located:
            path = located[module]
            try:
                return (path, path.read_bytes()) if path is not None else None
            except OSError:
                return None
        ruled_out: list[Path] | None = None if others is None else []
        listings: set[Path] | None = None if others is None else set()
        path = locator.find(module, ruled_out, listings)
        if others is not None and ruled_out:  # a snapshot is not used once one is a file
            others.extend((candidate, ABSENT) for candidate in ruled_out)
        if others is not None and listings:  # nor once one of these folders changes
            for folder in listings - listed:
                listed.add(folder)
                try:
                    others.append((folder, stamp_of(os.stat(folder))))
                except OSError:
                    others.append((folder, None))  # gone meanwhile: no snapshot
        located[module] = path
        if path is None:
            return None
        try:
            if others is not None:
                others.append((path, stamp_of(os.stat(path))))
            return path, path.read_bytes()
        except OSError:
            return None

    return read


def _coroutine_reader(
    read: Callable[[str], tuple[Path, bytes] | None],
) -> Callable[[str, str], bool]:
    """Whether a module defines `ref` as a coroutine function other modules may call
    (`checks.coroutines.exported_coroutines`), read from its file when a finding asks
    (FG304's call of another module's `async def`, its coroutine dropped): parsed only
    when its text has an `async def` of that name; each file read once."""
    from checks.coroutines import exported_coroutines

    sources: dict[str, bytes | None] = {}
    exported: dict[str, frozenset[str]] = {}

    def is_coroutine(module: str, ref: str) -> bool:
        if module not in sources:
            found = read(module)
            sources[module] = found[1] if found is not None else None
        source = sources[module]
        name = ref.rpartition(".")[2].encode()
        if source is None or not re.search(
            rb"async[ \t]+def[ \t]+" + re.escape(name) + rb"\b", source
        ):
            return False
        if module not in exported:
            exported[module] = exported_coroutines(source, module)
        return ref in exported[module]

    return is_coroutine


def _loader(
    read: Callable[[str], tuple[Path, bytes] | None], cache: Cache | None
) -> Callable[[str], ModuleSummary | None]:
    """Load a module's summary from its file (`_reader`), through the cache when there
    is one."""

    from checks.cache import digest

    def load(module: str) -> ModuleSummary | None:
        file = read(module)
        if file is None:
            return None
        path, source = file
        key = f"{digest(source)}|{module}"
        if cache is not None:
            found, summary = cache.get_summary(path, key)
            if found:
                return summary
        summary = summarize_source(source, module, path.stem == "__init__")
        if cache is not None:
            cache.put_summary(path, key, summary)
        return summary

    return load

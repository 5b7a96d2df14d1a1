"""Facts about a whole project that some findings depend on, found by reading its files
(CPython's parser, only the files whose text may hold the fact).

A rule that depends on one reports with `Condition(fact=...)`; `ProjectIndex.holds` asks
the fact once per run, after every file is checked, and only when such a finding exists.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

#: `Condition.fact`: the project has a settings module (FG407's "outside the settings
#: module" presupposes one): a class deriving from Pydantic's `BaseSettings`, or a
#: settings object of another configuration library made at module level.
SETTINGS_MODULE = "settings-module"
#: `Condition.fact`: the selection names FG403 (`checks.config.named_in_selection`): every
#: route without a response model is reported, not only those whose answer's shape the
#: route states. A fact of the run's configuration, not of the project's files.
EVERY_ROUTE_SCHEMA = "selected:FG403"
#: Facts of the configuration: found without reading a file (their absence says nothing
#: of files outside the run).
SELECTION_FACTS = frozenset({EVERY_ROUTE_SCHEMA})

SETTINGS_BASES = frozenset(
    {
        "pydantic_settings.BaseSettings",
        "pydantic_settings.main.BaseSettings",
        "pydantic.BaseSettings",
        "pydantic.env_settings.BaseSettings",
        "pydantic.v1.BaseSettings",
        "pydantic.v1.env_settings.BaseSettings",
    }
)
#: Configuration objects of other libraries: starlette's `Config`, dynaconf, environs,
#: python-decouple.
SETTINGS_FACTORIES = frozenset(
    {
        "starlette.config.Config",
        "dynaconf.Dynaconf",
        "dynaconf.LazySettings",
        "environs.Env",
        "decouple.AutoConfig",
        "decouple.Config",
    }
)
#: python-decouple's ready-made reader (`from decouple import config`)
_SETTINGS_READERS = frozenset({"decouple.config"})
#: The text any of the above needs (a file without it is not parsed).
_SETTINGS_TEXT = re.compile(rb"BaseSettings|starlette|dynaconf|environs|decouple")


def defines_settings(source: bytes) -> bool:
    """Whether a module defines the project's settings: a class whose base is one of
    `SETTINGS_BASES`, a call of one of `SETTINGS_FACTORIES`, or an import of
    python-decouple's `config` (names resolved through the module's imports)."""
    if _SETTINGS_TEXT.search(source) is None:
        return False
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    imports: dict[str, str] = {}
    nodes = list(ast.walk(tree))
    for node in nodes:
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            for alias in node.names:
                qualified = f"{node.module}.{alias.name}"
                if qualified in _SETTINGS_READERS:
                    return True
                imports[alias.asname or alias.name] = qualified
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname is not None:
                    imports[alias.asname] = alias.name
                else:
                    first = alias.name.partition(".")[0]
                    imports[first] = first
    for node in nodes:
        if isinstance(node, ast.ClassDef):
            if any(_qualified(base, imports) in SETTINGS_BASES for base in node.bases):
                return True
        elif isinstance(node, ast.Call) and _qualified(node.func, imports) in SETTINGS_FACTORIES:
            return True
    return False


def _qualified(expr: ast.expr, imports: dict[str, str]) -> str | None:
    parts: list[str] = []
    while isinstance(expr, ast.Attribute):
        parts.append(expr.attr)
        expr = expr.value
    if not isinstance(expr, ast.Name) or expr.id not in imports:
        return None
    return ".".join([imports[expr.id], *reversed(parts)])


def project_sources(files: Iterable[Path], text: re.Pattern[bytes]) -> Iterator[tuple[Path, bytes]]:
    """The files whose text matches `text`, with their bytes (unreadable ones skipped)."""
    for path in files:
        try:
            source = path.read_bytes()
        except OSError:
            continue
        if text.search(source) is not None:
            yield path, source


#: File names where settings usually live: read first, so that a project that has a
#: settings module is usually answered after one file (`settings.py`, `config.py`,
#: `core/config.py`, `app_settings.py`, ...).
_SETTINGS_NAMES = re.compile(r"(^|_)(settings|config|configs|conf|configuration)(_|$)")


def first_settings_module(files: Iterable[Path]) -> Path | None:
    """The first of `files` that defines settings (`defines_settings`), if any, those
    named like a settings module read first."""
    ordered = sorted(files, key=lambda path: _SETTINGS_NAMES.search(path.stem) is None)
    for path, source in project_sources(ordered, _SETTINGS_TEXT):
        if defines_settings(source):
            return path
    return None

"""The schema a models module declares, as SQLAlchemy emits it: the oracle of FG108's fix.

A module is executed in a fresh module namespace (registered in `sys.modules` while it
runs, so that SQLAlchemy can resolve string annotations against it); every declarative
base and `MetaData` it makes is its own. What is compared:

- per table, the PostgreSQL DDL of `CREATE TABLE` and of each `CREATE INDEX` (sorted);
- per mapped class, its column attributes (attribute key -> column names) and each
  relationship's target, direction, `uselist`, `back_populates`, `lazy` and cascade.
"""

from __future__ import annotations

import itertools
import sys
import types
import warnings
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Column, MetaData
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Mapper, registry
from sqlalchemy.schema import CreateIndex, CreateTable

_counter = itertools.count()


@dataclass(frozen=True)
class Schema:
    """What a module's models mean to the database and to the ORM."""

    tables: dict[str, tuple[str, tuple[str, ...]]]
    mappers: dict[str, dict[str, Any]]


def execute(code: str, name: str | None = None) -> dict[str, Any]:
    """Run a module's code in a fresh module namespace; return the namespace."""
    module_name = name or f"fg108_models_{next(_counter)}"
    module = types.ModuleType(module_name)
    sys.modules[module_name] = module
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            exec(compile(code, f"{module_name}.py", "exec"), module.__dict__)
            registries = _registries(module.__dict__)
            for found in registries:
                found.configure()
    finally:
        del sys.modules[module_name]
    return module.__dict__


def schema_of(code: str) -> Schema:
    """The schema a module's code declares (see the module docstring)."""
    namespace = execute(code)
    registries = _registries(namespace)
    metadatas: list[MetaData] = [r.metadata for r in registries]
    metadatas += [v for v in namespace.values() if isinstance(v, MetaData)]
    tables: dict[str, tuple[str, tuple[str, ...]]] = {}
    dialect = postgresql.dialect()  # type: ignore[no-untyped-call]
    seen: set[int] = set()
    for metadata in metadatas:
        if id(metadata) in seen:
            continue
        seen.add(id(metadata))
        for table in metadata.sorted_tables:
            create = str(CreateTable(table).compile(dialect=dialect))
            indexes = tuple(
                sorted(str(CreateIndex(index).compile(dialect=dialect)) for index in table.indexes)
            )
            tables[table.fullname] = (create, indexes)
    mappers: dict[str, dict[str, Any]] = {}
    for found in registries:
        for mapper in found.mappers:
            mappers[mapper.class_.__name__] = _mapper_facts(mapper)
    return Schema(tables, mappers)


def _registries(namespace: dict[str, Any]) -> list[registry]:
    """The declarative registries of a namespace's classes (bases and mapped classes)."""
    found: list[registry] = []
    for value in namespace.values():
        candidate = getattr(value, "registry", None) if isinstance(value, type) else None
        if isinstance(candidate, registry) and candidate not in found:
            found.append(candidate)
    return found


def _column_text(column: Any) -> str:
    """A mapped column's name, or the SQL of a `column_property()` expression (whose
    anonymous label differs from run to run)."""
    if isinstance(column, Column):
        return str(column.name)
    element = getattr(column, "element", column)
    return str(element.compile(dialect=postgresql.dialect()))  # type: ignore[no-untyped-call]


def _mapper_facts(mapper: Mapper[Any]) -> dict[str, Any]:
    columns = {
        prop.key: tuple(_column_text(column) for column in prop.columns)
        for prop in mapper.column_attrs
    }
    relationships = {
        rel.key: (
            rel.mapper.class_.__name__,
            rel.direction.name,
            rel.uselist,
            rel.back_populates,
            rel.lazy,
            str(rel.cascade),
        )
        for rel in mapper.relationships
    }
    return {
        "columns": columns,
        "relationships": relationships,
        "primary_key": tuple(column.name for column in mapper.primary_key),
    }

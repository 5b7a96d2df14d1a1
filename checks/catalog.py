"""The catalog of rule codes, names and defaults, without the rules' code.

Selecting rules, reading the configuration and printing statistics need only this;
importing the rules themselves imports libcst (about 0.3 s), which a run answered from
the cache never needs. `tests/test_catalog.py` keeps it equal to `checks.rules.ALL_RULES`.
"""

from __future__ import annotations

from typing import NamedTuple


class RuleInfo(NamedTuple):
    """A rule's code, kebab-case name, and whether it is enabled without configuration."""

    code: str
    name: str
    default: bool


CATALOG: tuple[RuleInfo, ...] = (
    RuleInfo("FG000", "syntax-error", True),
    RuleInfo("FG001", "internal-error", True),
    RuleInfo("FG101", "legacy-query-api", True),
    RuleInfo("FG102", "sync-session-in-async-code", True),
    RuleInfo("FG103", "async-session-call-not-awaited", True),
    RuleInfo("FG104", "async-session-expire-on-commit", True),
    RuleInfo("FG105", "interpolated-sql", True),
    RuleInfo("FG106", "session-shared-by-concurrent-tasks", True),
    RuleInfo("FG107", "session-add-in-loop", False),
    RuleInfo("FG108", "legacy-declarative-model", True),
    RuleInfo("FG109", "sync-driver-in-async-engine", True),
    RuleInfo("FG110", "relationship-without-lazy", False),
    RuleInfo("FG111", "interpolated-sql-name", False),
    RuleInfo("FG112", "textual-sql-without-text", True),
    RuleInfo("FG113", "default-evaluated-once", False),
    RuleInfo("FG201", "pydantic-v1-dict", True),
    RuleInfo("FG202", "pydantic-v1-json", True),
    RuleInfo("FG203", "pydantic-v1-schema", True),
    RuleInfo("FG204", "pydantic-v1-parse", True),
    RuleInfo("FG205", "pydantic-v1-from-orm", True),
    RuleInfo("FG206", "pydantic-orm-mode", True),
    RuleInfo("FG207", "pydantic-class-config", True),
    RuleInfo("FG208", "pydantic-v1-validator", True),
    RuleInfo("FG209", "pydantic-v1-api", True),
    RuleInfo("FG210", "pydantic-v1-import", True),
    RuleInfo("FG211", "pydantic-field-extra-keyword", True),
    RuleInfo("FG212", "pydantic-v2-api-on-v1", True),
    RuleInfo("FG301", "blocking-sleep-in-async", True),
    RuleInfo("FG302", "blocking-http-in-async", True),
    RuleInfo("FG303", "blocking-call-in-async", True),
    RuleInfo("FG304", "coroutine-not-awaited", True),
    RuleInfo("FG401", "http-exception-in-service", True),
    RuleInfo("FG402", "data-access-in-route", False),
    RuleInfo("FG403", "route-without-response-model", False),
    RuleInfo("FG404", "route-returns-orm-model", True),
    RuleInfo("FG405", "broad-except-in-route", False),
    RuleInfo("FG406", "on-event-handler", True),
    RuleInfo("FG407", "environ-outside-settings", False),
    RuleInfo("FG408", "httpx-client-app", True),
    RuleInfo("FG409", "fastapi-parameter-v1-keyword", True),
    RuleInfo("FG410", "http-exception-returned", True),
    RuleInfo("FG411", "http-exception-in-middleware", True),
    RuleInfo("FG412", "route-shadowed", True),
    RuleInfo("FG501", "cors-wildcard-origin", True),
    RuleInfo("FG502", "hardcoded-secret", True),
    RuleInfo("FG503", "jwt-decode-unverified", True),
    RuleInfo("FG504", "unmaintained-auth-library", True),
    RuleInfo("FG601", "destructive-migration", False),
    RuleInfo("FG602", "not-null-column-without-default", True),
    RuleInfo("FG603", "empty-downgrade", True),
    RuleInfo("FG604", "committed-migration-edited", False),
    RuleInfo("FG605", "migration-drops-mapped-table", True),
)
CATALOG_BY_CODE: dict[str, RuleInfo] = {info.code: info for info in CATALOG}

"""The light catalog (what start-up reads) says what the rules themselves say."""

from __future__ import annotations

from checks.catalog import CATALOG
from checks.rules import ALL_RULES


def test_catalog_lists_every_rule_with_its_name_and_default() -> None:
    assert [(i.code, i.name, i.default) for i in CATALOG] == [
        (r.code, r.name, r.default) for r in ALL_RULES
    ]

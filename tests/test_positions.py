"""Our position pass gives libcst's `PositionProvider` ranges, on real code."""

from __future__ import annotations

import sysconfig
from pathlib import Path

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper, PositionProvider

from checks.positions import node_ranges

REPO = Path(__file__).resolve().parent.parent
STDLIB = Path(sysconfig.get_paths()["stdlib"])
FILES = [
    STDLIB / "asyncio" / "base_events.py",
    REPO / "checks" / "context.py",
    REPO / "sample_app" / "app" / "tasks" / "service.py",
]


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_every_node_gets_the_range_libcst_gives(path: Path) -> None:
    source = path.read_bytes()
    if b"\r" not in source:  # also exercise Windows line endings
        source = source.replace(b"\n", b"\r\n")
    module = cst.parse_module(source)
    expected = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    nodes = [node for node in expected if not isinstance(node, cst.Module)]
    ours = node_ranges(module, nodes)
    assert [ours[node] for node in nodes] == [expected[node] for node in nodes]

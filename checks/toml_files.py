"""TOML texts parsed once per run: the same `pyproject.toml` is read for the project's
settings, its workspace, its pytest options and its dependency pins (a warm run over
three trees parsed 30 texts for 8 distinct ones)."""

from __future__ import annotations

import functools
import tomllib
from typing import Any


@functools.lru_cache(maxsize=64)
def tables(text: str) -> dict[str, Any] | tomllib.TOMLDecodeError:
    """The tables of a TOML text, or the error that stops its parse. The value is shared
    by every caller: read it, never change it."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        return error

"""The base of every request schema: text PostgreSQL can store, or a 422.

PostgreSQL's text types cannot hold the NUL character, and an unpaired UTF-16 surrogate
(`"\\udb25"` is valid JSON) cannot be encoded for the wire: either reached the database
as a 500 until schemathesis found them. Every request model (bodies and query
parameters) rejects them while validating, with the error shape's 422.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, model_validator


def storable(value: Any) -> bool:
    """Whether every string in `value` (nested in dicts and lists too) can be stored."""
    if isinstance(value, str):
        if "\x00" in value:
            return False
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return False
        return True
    if isinstance(value, dict):
        return all(storable(k) and storable(v) for k, v in value.items())
    if isinstance(value, list | tuple | set):
        return all(storable(item) for item in value)
    return True


class RequestModel(BaseModel):
    """A request body or a set of query parameters."""

    @model_validator(mode="before")
    @classmethod
    def _text_isstorable(cls, data: Any) -> Any:
        if not storable(data):
            raise ValueError("text must not contain NUL characters or unpaired surrogates")
        return data

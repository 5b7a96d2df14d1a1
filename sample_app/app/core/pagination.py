"""Limit/offset pagination: query parameters in, `{items, total, limit, offset}` out."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Depends, Query
from pydantic import BaseModel

DEFAULT_LIMIT = 20
MAX_LIMIT = 100


@dataclass(frozen=True, slots=True)
class PageRequest:
    """Which slice of a list the client asked for."""

    limit: int = DEFAULT_LIMIT
    offset: int = 0


def page_request(
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> PageRequest:
    """Read and bound `limit` (1-100, default 20) and `offset`."""
    return PageRequest(limit=limit, offset=offset)


PageRequestDep = Annotated[PageRequest, Depends(page_request)]


ItemT = TypeVar("ItemT")
SchemaT = TypeVar("SchemaT", bound=BaseModel)


class Page(BaseModel, Generic[ItemT]):
    """One page of a list, with the total number of matching items."""

    items: list[ItemT]
    total: int
    limit: int
    offset: int


def page_of(
    schema: type[SchemaT], rows: Iterable[Any], total: int, page: PageRequest
) -> Page[SchemaT]:
    """A page of `schema` items built from ORM rows (`schema.model_validate(row)`)."""
    return Page[schema](  # type: ignore[valid-type]
        items=[schema.model_validate(row) for row in rows],
        total=total,
        limit=page.limit,
        offset=page.offset,
    )

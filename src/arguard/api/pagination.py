"""Shared list envelope: `?limit=&offset=`, returns items plus the total count."""

from __future__ import annotations

from typing import Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    limit: int
    offset: int


class PageParams(BaseModel):
    limit: int = 50
    offset: int = 0


def page_params(limit: int = Query(50, ge=1, le=1000), offset: int = Query(0, ge=0)) -> PageParams:
    return PageParams(limit=limit, offset=offset)

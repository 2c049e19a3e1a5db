"""Liveness and a count of what is stored."""

from __future__ import annotations

from fastapi import APIRouter

from service.api.deps import CleanQuery, StoreDep

router = APIRouter(tags=["health"], dependencies=[CleanQuery])


@router.get("/health")
def health(store: StoreDep) -> dict[str, object]:
    return {"ok": True, "articles": store.count()}

"""Copied wire text: an article's copy links, a check of an unstored text, recent flags."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from service.api.deps import ArticleId, CleanQuery, JsonBody, Offset, RuntimeDep
from service.api.filters import FlagFilters
from service.api.limits import AnalysisSlot
from service.api.schemas import ARTICLE_BODY, CheckMatchOut, CheckOut, FlagsOut, LinkOut, ReuseOut
from service.intake.fields import parse_article

router = APIRouter(tags=["reuse"], dependencies=[CleanQuery])


@router.get("/articles/{article_id}/reuse", response_model=ReuseOut)
def article_reuse(article_id: ArticleId, runtime: RuntimeDep) -> ReuseOut:
    """Which earlier articles this one copied from, which later ones copied it: spans, shares, credit."""
    return ReuseOut.of(article_id, runtime.reuse(article_id))


@router.post("/reuse/check", response_model=CheckOut, openapi_extra=ARTICLE_BODY)
def reuse_check(body: JsonBody, runtime: RuntimeDep, slot: AnalysisSlot) -> CheckOut:
    """An unstored article (same JSON as POST /articles) against every stored one; nothing is stored."""
    article = parse_article(body)
    with slot:
        _text, copies = runtime.check(article)
    return CheckOut(matches=[CheckMatchOut.of(c) for c in copies])


@router.get("/flags", response_model=FlagsOut)
def flags(
    runtime: RuntimeDep,
    filters: FlagFilters,
    offset: Offset = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> FlagsOut:
    """Recent articles carrying text copied from earlier ones, newest first."""
    views, total = runtime.flags(**filters, offset=offset, limit=limit)
    return FlagsOut(items=[LinkOut.of(v) for v in views], total=total, offset=offset, limit=limit)

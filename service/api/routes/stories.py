"""Story clusters: listing, one story with its coverage and copy links, and the pair score."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from service.api.deps import CleanQuery, Offset, PairBody, RuntimeDep, StoryId
from service.api.limits import AnalysisSlot
from service.api.schemas import PAIR_BODY
from service.api.story_schemas import SimilarityOut, StoriesOut, StoryDetailOut
from service.intake.fields import MAX_OFFSET, parse_date_range, parse_pair

router = APIRouter(tags=["stories"], dependencies=[CleanQuery])


@router.get("/stories", response_model=StoriesOut)
def list_stories(
    runtime: RuntimeDep,
    since: Annotated[str | None, Query(description="ISO 8601, inclusive: stories seen on or after")] = None,
    until: Annotated[str | None, Query(description="ISO 8601, inclusive: stories seen on or before")] = None,
    outlet: Annotated[str | None, Query(description="stories with an article of this outlet")] = None,
    language: Annotated[str | None, Query(description="stories with an article in this language")] = None,
    q: Annotated[str | None, Query(description="text in the headline or an article's title")] = None,
    min_articles: Annotated[int, Query(ge=1, le=MAX_OFFSET, description="stories with at least this many articles")] = 1,
    offset: Offset = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> StoriesOut:
    """Stories newest first (by their latest article)."""
    page = runtime.stories(
        **parse_date_range(since, until),
        outlet=outlet or None,
        language=language or None,
        q=q or None,
        min_articles=min_articles,
        offset=offset,
        limit=limit,
    )
    return StoriesOut.of(page)


@router.get("/stories/{story_id}", response_model=StoryDetailOut)
def get_story(story_id: StoryId, runtime: RuntimeDep) -> StoryDetailOut:
    """A story: its articles oldest first, per-outlet coverage, and who copied whom."""
    return StoryDetailOut.of_detail(runtime.story(story_id))


@router.post("/similarity", response_model=SimilarityOut, openapi_extra=PAIR_BODY)
def similarity(body: PairBody, runtime: RuntimeDep, slot: AnalysisSlot) -> SimilarityOut:
    """Same-story score of two articles (objects as POST /articles takes, or stored ids); nothing is stored."""
    a, b = parse_pair(body)
    with slot:
        return SimilarityOut.of(runtime.similarity(a, b))

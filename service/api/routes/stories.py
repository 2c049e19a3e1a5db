"""Story clusters: listing, one story with its coverage and copy links, and the pair score."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from service.api.deps import CleanQuery, Offset, PairBody, RuntimeDep, StoryId
from service.api.filters import StoryFilters
from service.api.limits import AnalysisSlot
from service.api.schemas import PAIR_BODY
from service.api.story_schemas import SimilarityOut, StoriesOut, StoryDetailOut
from service.intake.fields import parse_pair

router = APIRouter(tags=["stories"], dependencies=[CleanQuery])


@router.get("/stories", response_model=StoriesOut)
def list_stories(
    runtime: RuntimeDep,
    filters: StoryFilters,
    offset: Offset = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> StoriesOut:
    """Stories newest first (by their latest article)."""
    return StoriesOut.of(runtime.stories(**filters, offset=offset, limit=limit))


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

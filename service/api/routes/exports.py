"""Exports: the flags, the stories and a story's articles as CSV or JSON Lines, streamed.

The filters are the JSON listings' own (``service.api.filters``); the rows and their
columns are ``service.pipeline.exports``'. Reads, public as the listings are."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse

from service.api.deps import CleanQuery, RuntimeDep, StoryId
from service.api.filters import FlagFilters, StoryFilters
from service.intake.fields import MAX_OFFSET
from service.pipeline.exports import FORMATS, Table, flag_table, story_article_table, story_table

router = APIRouter(tags=["exports"], dependencies=[CleanQuery])

FormatQuery = Annotated[str, Query(alias="format", pattern="^(csv|jsonl)$", description="csv (RFC 4180, UTF-8, a header row) or jsonl (JSON Lines)")]
Cap = Annotated[int | None, Query(ge=1, le=MAX_OFFSET, description="at most this many rows (default: every match)")]
EXPORT_RESPONSES: dict[int | str, dict[str, object]] = {
    200: {"description": "the rows, streamed", "content": {f.media_type: {"schema": {"type": "string"}} for f in FORMATS.values()}}
}


def _download(export: Table, output: str, name: str) -> StreamingResponse:
    chosen = FORMATS[output]
    return StreamingResponse(
        chosen.write(export),
        media_type=chosen.media_type,
        headers={"Content-Disposition": f'attachment; filename="{name}.{chosen.suffix}"'},
    )


@router.get("/flags.csv", response_class=StreamingResponse, responses=EXPORT_RESPONSES)
def export_flags(runtime: RuntimeDep, filters: FlagFilters, output: FormatQuery = "csv", limit: Cap = None) -> StreamingResponse:
    """Every flag ``GET /flags`` lists with the same filters, in its order."""
    return _download(flag_table(runtime, filters, cap=limit), output, "flags")


@router.get("/stories.csv", response_class=StreamingResponse, responses=EXPORT_RESPONSES)
def export_stories(runtime: RuntimeDep, filters: StoryFilters, output: FormatQuery = "csv", limit: Cap = None) -> StreamingResponse:
    """Every story ``GET /stories`` lists with the same filters, in its order."""
    return _download(story_table(runtime, filters, cap=limit), output, "stories")


@router.get("/stories/{story_id}/articles.csv", response_class=StreamingResponse, responses=EXPORT_RESPONSES)
def export_story_articles(story_id: StoryId, runtime: RuntimeDep, output: FormatQuery = "csv") -> StreamingResponse:
    """A story's articles oldest first (the timeline of ``GET /stories/{id}``), with whom each copied."""
    return _download(story_article_table(runtime, story_id), output, f"story-{story_id}-articles")

"""Query filters a listing and its export share: ``GET /flags`` and ``/flags.csv``,
``GET /stories`` and ``/stories.csv`` parse them here, once, into the runtime's keywords."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query

from service.domain import RELATION_CHOICES
from service.intake.fields import MAX_OFFSET, parse_date_range
from service.reuse.flags import relations_of


def flag_filters(
    outlet: Annotated[str | None, Query(description="the copying outlet")] = None,
    source_outlet: Annotated[str | None, Query(description="the outlet copied from")] = None,
    since: Annotated[str | None, Query(description="ISO 8601, inclusive")] = None,
    until: Annotated[str | None, Query(description="ISO 8601, inclusive")] = None,
    min_share: Annotated[float, Query(ge=0, le=1)] = 0.0,
    credited: bool | None = None,
    relation: Annotated[
        str,
        Query(
            pattern=f"^({'|'.join(RELATION_CHOICES)})$",
            description="reuse: copy and shared_source; any: every relation",
        ),
    ] = "reuse",
    include: Annotated[str | None, Query(pattern="^templates$", description="templates: template links too")] = None,
) -> dict[str, object]:
    """The keywords of ``Runtime.flags``."""
    return {
        "outlet": outlet or None,
        "source_outlet": source_outlet or None,
        **parse_date_range(since, until),
        "min_share": min_share,
        "credited": credited,
        "relations": relations_of(relation, include_templates=include == "templates"),
    }


def story_filters(
    since: Annotated[str | None, Query(description="ISO 8601, inclusive: stories seen on or after")] = None,
    until: Annotated[str | None, Query(description="ISO 8601, inclusive: stories seen on or before")] = None,
    outlet: Annotated[str | None, Query(description="stories with an article of this outlet")] = None,
    language: Annotated[str | None, Query(description="stories with an article in this language")] = None,
    q: Annotated[str | None, Query(description="text in the headline or an article's title")] = None,
    min_articles: Annotated[int, Query(ge=1, le=MAX_OFFSET, description="stories with at least this many articles")] = 1,
    min_outlets: Annotated[int, Query(ge=1, le=MAX_OFFSET, description="stories with articles of at least this many outlets")] = 1,
) -> dict[str, object]:
    """The keywords of ``Runtime.stories``."""
    return {
        **parse_date_range(since, until),
        "outlet": outlet or None,
        "language": language or None,
        "q": q or None,
        "min_articles": min_articles,
        "min_outlets": min_outlets,
    }


FlagFilters = Annotated[dict[str, object], Depends(flag_filters)]
StoryFilters = Annotated[dict[str, object], Depends(story_filters)]

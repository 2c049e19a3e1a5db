"""API shapes of stories and same-story scores (pydantic), converted from domain values."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from pydantic import BaseModel

from service.api.schemas import ArticleRef
from service.domain import CopyLink, StoryDetail, StoryPage, StorySummary
from service.stories.score import SameStory


class StoryOut(BaseModel):
    id: int
    headline: str
    article_count: int
    outlets: list[str]  # most articles first
    languages: list[str]
    first_seen: datetime | None
    last_seen: datetime | None

    @classmethod
    def of(cls, story: StorySummary) -> StoryOut:
        return cls(
            id=story.id,
            headline=story.headline,
            article_count=story.article_count,
            outlets=list(story.outlets),
            languages=list(story.languages),
            first_seen=story.first_seen,
            last_seen=story.last_seen,
        )


class StoriesOut(BaseModel):
    ok: bool = True
    items: list[StoryOut]
    total: int
    offset: int
    limit: int

    @classmethod
    def of(cls, page: StoryPage) -> StoriesOut:
        return cls(items=[StoryOut.of(s) for s in page.items], total=page.total, offset=page.offset, limit=page.limit)


class CoverageOut(BaseModel):
    """One outlet's part in a story."""

    outlet: str | None
    articles: list[int]  # ids, oldest first
    first: datetime | None
    last: datetime | None


class StoryLinkOut(BaseModel):
    """``target_id`` copied ``share`` of its text from ``source_id`` (who copied whom)."""

    target_id: int
    source_id: int
    relation: str
    share: float
    credited: bool
    label: str

    @classmethod
    def of(cls, link: CopyLink) -> StoryLinkOut:
        return cls(
            target_id=link.target_id,
            source_id=link.source_id,
            relation=link.relation,
            share=link.share,
            credited=link.credited,
            label=link.label,
        )


class StoryDetailOut(StoryOut):
    ok: bool = True
    articles: list[ArticleRef]  # the timeline: oldest first
    coverage: list[CoverageOut]
    links: list[StoryLinkOut]

    @classmethod
    def of_detail(cls, detail: StoryDetail) -> StoryDetailOut:
        by_outlet: dict[str | None, list] = defaultdict(list)  # type: ignore[type-arg]
        for article in detail.articles:
            by_outlet[article.outlet].append(article)
        coverage = [
            CoverageOut(
                outlet=outlet,
                articles=[a.id for a in items],
                first=min((a.published_at for a in items if a.published_at), default=None),
                last=max((a.published_at for a in items if a.published_at), default=None),
            )
            for outlet, items in by_outlet.items()
        ]
        return cls(
            **StoryOut.of(detail.summary).model_dump(),
            articles=[ArticleRef.of(a) for a in detail.articles],
            coverage=coverage,
            links=[StoryLinkOut.of(link) for link in detail.links],
        )


class SimilarityOut(BaseModel):
    """Score on SemEval-2022 Task 8's scale (1 = same story ... 4 = unrelated) and P(same event)."""

    ok: bool = True
    score: float
    probability: float
    basis: str  # which evidence decided: embedding, names, ...
    missing: list[str]  # evidence that could not be measured for this pair
    evidence: dict[str, float | int | bool | None]

    @classmethod
    def of(cls, same: SameStory) -> SimilarityOut:
        return cls(score=same.score, probability=same.probability, basis=same.basis, missing=list(same.missing), evidence=dict(same.evidence))

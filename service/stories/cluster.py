"""Story clusters: each ingested article joins the story of its event, or starts one.

Online rule, for a new article:
1. candidates are the stories with at least one member published within ``window_days``
   of it (an article without a date is within any window);
2. its support for a story is the highest P(same event) with one of the story's members
   inside the window (single link: an event is one event, so being the same event as one
   member is being the story's event; it also lets an article that reports the event in
   another language join through the member closest to it, usually its source);
3. it joins the story of highest support if that is at least ``probability_threshold``;
   when several stories clear it, the article bridges them and they merge into the
   oldest (lowest id); otherwise it starts a new story.
Ties break by story id, so a given ingestion order always gives the same stories.
``recluster`` rebuilds everything from scratch in a canonical order (publication time,
then id), so its result does not depend on the order articles arrived in.

Example:
    >>> clusters = StoryClusters(scorer, window_days=7.0)
    >>> [clusters.add(doc).story_id for doc in docs]
    [0, 0, 0, 0, 1]
    >>> clusters.stories()
    [('000', '001', '002', '003'), ('004',)]
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from service.stories.evidence import StoryDoc, pair_evidence
from service.stories.score import StoryScorer

CopiedShare = Callable[[StoryDoc, StoryDoc], float]


@dataclass(frozen=True, slots=True)
class Assignment:
    """Where one article went: its story, whether new, which stories merged into it, why."""

    doc_id: str
    story_id: int
    created: bool
    merged: tuple[int, ...]
    support: float
    note: str = ""


class StoryClusters:
    """Online story assignment over StoryDocs (see the module docstring)."""

    def __init__(
        self,
        scorer: StoryScorer,
        *,
        window_days: float = 7.0,
        probability_threshold: float = 0.5,
        copied_share: CopiedShare | None = None,
    ) -> None:
        if window_days <= 0:
            raise ValueError(f"window_days must be positive, got {window_days}")
        if not 0.0 < probability_threshold < 1.0:
            raise ValueError(f"probability_threshold is a probability (0-1, exclusive), got {probability_threshold}")
        self.scorer = scorer
        self.window_days = window_days
        self.probability_threshold = probability_threshold
        self.copied_share = copied_share
        self._docs: dict[str, StoryDoc] = {}
        self._story_of: dict[str, int] = {}
        self._members: dict[int, list[str]] = {}
        self._next_id = 0

    def add(self, doc: StoryDoc) -> Assignment:
        """Assign ``doc`` to a story (ValueError if its id was added before)."""
        if doc.id in self._docs:
            raise ValueError(f"article {doc.id!r} is already clustered")
        support = self.support(doc)
        joined = sorted((s for s, p in support.items() if p >= self.probability_threshold), key=lambda s: (-support[s], s))
        note = "" if doc.embedded else f"not embedded (language {doc.language!r} not covered by the model, or no encoder): story from names, numbers, dates, time and copied text only"
        self._docs[doc.id] = doc
        if not joined:
            story = self._next_id
            self._next_id += 1
            self._members[story] = [doc.id]
            self._story_of[doc.id] = story
            return Assignment(doc.id, story, True, (), max(support.values(), default=0.0), note)
        target = min(joined)  # the oldest story keeps its id
        merged = tuple(s for s in sorted(joined) if s != target)
        for story in merged:
            for member in self._members.pop(story):
                self._story_of[member] = target
                self._members[target].append(member)
        self._members[target].append(doc.id)
        self._story_of[doc.id] = target
        return Assignment(doc.id, target, False, merged, support[joined[0]], note)

    def support(self, doc: StoryDoc) -> dict[int, float]:
        """Highest P(same event) of ``doc`` with each candidate story's members in the window."""
        out: dict[int, float] = {}
        for story, members in self._members.items():
            near = [self._docs[m] for m in members if self._within_window(doc.published_at, self._docs[m].published_at)]
            if near:
                out[story] = max(self.probability(doc, other) for other in near)
        return out

    def probability(self, a: StoryDoc, b: StoryDoc) -> float:
        share = self.copied_share(a, b) if self.copied_share is not None else 0.0
        evidence = pair_evidence(a, b, background_mean=self.scorer.background_mean, copied_share=share)
        return self.scorer.probability(min(4.0, max(1.0, self.scorer.raw_score(evidence))))

    def story_of(self, doc_id: str) -> int:
        try:
            return self._story_of[doc_id]
        except KeyError:
            raise ValueError(f"article {doc_id!r} is not clustered") from None

    def stories(self) -> list[tuple[str, ...]]:
        """Every story's member ids (in the order they joined), stories by id."""
        return [tuple(self._members[s]) for s in sorted(self._members)]

    def _within_window(self, a: datetime | None, b: datetime | None) -> bool:
        if a is None or b is None:
            return True
        return abs((a - b).total_seconds()) <= self.window_days * 86400.0


def recluster(
    docs: Iterable[StoryDoc],
    scorer: StoryScorer,
    *,
    window_days: float = 7.0,
    probability_threshold: float = 0.5,
    copied_share: CopiedShare | None = None,
) -> StoryClusters:
    """All stories rebuilt from scratch, articles taken by (publication time, id)."""
    clusters = StoryClusters(scorer, window_days=window_days, probability_threshold=probability_threshold, copied_share=copied_share)
    for doc in sorted(docs, key=lambda d: (d.published_at is None, d.published_at or datetime.min, d.id)):
        clusters.add(doc)
    return clusters

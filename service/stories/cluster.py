"""Story clusters: each ingested article joins the story of its event, or starts one.

Online rule, for a new article:
1. candidates are the stories with a member published within ``window_days`` of it (an
   article without a date is within any window; past ``MAX_NEAR`` members, the newest);
2. its support for a story is its k-th highest P(same event) with the story's members in
   the window: k is 1 for a one-article story, else 2, or a fifth of the story's members
   in the window when more (see ``story_support``);
3. a story whose first article is more than ``max_age_days`` older gets support 0 unless
   the article copies one of its members (``without_old_stories``): a running topic
   (a market's daily report) otherwise stays one story for weeks;
4. it joins the story of highest support if that is at least ``probability_threshold``,
   else starts a new story. Stories merge (into the oldest) only when asked to: when the
   article's support for each reaches ``merge_support`` (see ``choose``).
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

import math
from bisect import bisect_left, bisect_right, insort
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

import numpy as np

from service.stories.evidence import StoryDoc, pair_evidence
from service.stories.leads import LeadTable
from service.stories.score import StoryScorer

CopiedShare = Callable[[StoryDoc, StoryDoc], float]
Templated = Callable[[StoryDoc, StoryDoc], bool]
Key = TypeVar("Key", int, str)  # an article's id: a StoryDoc's (str) in memory, a row's (int) in the database
SHORTLIST = 40  # members scored per new article (see ``shortlist``)
LINK_MEMBERS = 2  # members of a story a new article must match at least (see ``story_support``)
LINK_SHARE = 0.2  # ... and this share of its members in the window (at most SHORTLIST // 2)
MAX_NEAR = 5_000  # window members considered per new article, the newest (bounds the work)
AGE_EXEMPT_SHARE = 0.5  # a copy of at least this share may join a story of any age (``max_age_days``)


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
    """Online story assignment over StoryDocs, in memory (see the module docstring).

    Members are kept sorted by publication time, so a new article's window is a slice, and
    their leads in a ``LeadTable``, so the shortlist is one product: tens of thousands of
    articles cluster in about a minute (``StoryDesk.recluster`` runs on this).
    """

    def __init__(
        self,
        scorer: StoryScorer,
        *,
        window_days: float = 7.0,
        probability_threshold: float = 0.5,
        copied_share: CopiedShare | None = None,
        templated: Templated | None = None,
        max_near: int = MAX_NEAR,
        link_share: float = LINK_SHARE,
        merge_support: float | None = None,
        max_age_days: float | None = None,
    ) -> None:
        if window_days <= 0:
            raise ValueError(f"window_days must be positive, got {window_days}")
        if not 0.0 < probability_threshold < 1.0:
            raise ValueError(f"probability_threshold is a probability (0-1, exclusive), got {probability_threshold}")
        self.scorer = scorer
        self.window_days = window_days
        self.probability_threshold = probability_threshold
        self.copied_share = copied_share
        self.templated = templated  # pairs whose shared text is a template (their link's relation)
        self.max_near = max_near
        self.link_share = link_share
        self.merge_support = merge_support  # None: stories never merge (see ``choose``)
        # A story whose first article is older than this takes no new article but a copy
        # of one of its members (``without_old_stories``). None: stories take articles at any age.
        self.max_age_days = max_age_days
        self._first_seen: dict[int, float] = {}  # story -> earliest member's timestamp
        self._docs: dict[str, StoryDoc] = {}
        self._story_of: dict[str, int] = {}
        self._members: dict[int, list[str]] = {}
        self._next_id = 0
        self._dated: list[tuple[float, str]] = []  # (publication timestamp, id), sorted
        self._undated: list[str] = []
        self._leads = LeadTable()

    def add(self, doc: StoryDoc) -> Assignment:
        """Assign ``doc`` to a story (ValueError if its id was added before)."""
        if doc.id in self._docs:
            raise ValueError(f"article {doc.id!r} is already clustered")
        support = self.support(doc)
        target, merged, best = choose(support, probability_threshold=self.probability_threshold, merge_support=self.merge_support)
        created = target is None
        if target is None:
            target = self._next_id
            self._next_id += 1
            self._members[target] = []
        for story in merged:
            for member in self._members.pop(story):
                self._story_of[member] = target
                self._members[target].append(member)
            self._note_first_seen(target, self._first_seen.pop(story, None))
        self._members[target].append(doc.id)
        self._story_of[doc.id] = target
        self._note_first_seen(target, doc.published_at.timestamp() if doc.published_at is not None else None)
        self._remember(doc)
        return Assignment(doc.id, target, created, merged, best, note_of(doc))

    def support(self, doc: StoryDoc) -> dict[int, float]:
        """Support of ``doc`` for each candidate story (see ``story_support``)."""
        published = doc.published_at

        def old_stories(stories: set[int]) -> set[int]:
            if self.max_age_days is None or published is None:
                return set()
            oldest = published.timestamp() - self.max_age_days * 86400.0
            return {s for s in stories if self._first_seen.get(s, math.inf) < oldest}

        return window_support(
            doc,
            {i: self._story_of[i] for i in self.window(published)},
            closest=lambda lead, ids, size: self._leads.closest(lead, ids, size=size),
            docs_of=lambda ids: {i: self._docs[i] for i in ids},
            probability=self.probability,
            old_stories=old_stories,
            copied_stories=lambda old: {s for s in old if self._copies_a_member(doc, s)},
            link_share=self.link_share,
        )

    def _copies_a_member(self, doc: StoryDoc, story: int) -> bool:
        if self.copied_share is None:
            return False
        return any(self.copied_share(doc, self._docs[m]) >= AGE_EXEMPT_SHARE for m in self._members[story])

    def _note_first_seen(self, story: int, timestamp: float | None) -> None:
        if timestamp is not None:
            self._first_seen[story] = min(self._first_seen.get(story, timestamp), timestamp)

    def window(self, published_at: datetime | None) -> list[str]:
        """Ids of the members within ``window_days`` of ``published_at``: the newest
        ``max_near`` dated ones (every dated one for an undated article), then undated ones."""
        lo, hi = 0, len(self._dated)
        if published_at is not None:
            t, span = published_at.timestamp(), self.window_days * 86400.0
            lo = bisect_left(self._dated, t - span, key=_time)
            hi = bisect_right(self._dated, t + span, key=_time)
        dated = [i for _, i in reversed(self._dated[max(lo, hi - self.max_near) : hi])]
        return dated + self._undated[: self.max_near - len(dated)]

    def probability(self, a: StoryDoc, b: StoryDoc) -> float:
        share = self.copied_share(a, b) if self.copied_share is not None else 0.0
        template = self.templated(a, b) if self.templated is not None else False
        return pair_probability(self.scorer, a, b, copied_share=share, template=template)

    def story_of(self, doc_id: str) -> int:
        try:
            return self._story_of[doc_id]
        except KeyError:
            raise ValueError(f"article {doc_id!r} is not clustered") from None

    def stories(self) -> list[tuple[str, ...]]:
        """Every story's member ids (in the order they joined), stories by id."""
        return [tuple(self._members[s]) for s in sorted(self._members)]

    def _remember(self, doc: StoryDoc) -> None:
        self._docs[doc.id] = doc
        self._leads.put(doc.id, doc.lead)
        if doc.published_at is None:
            self._undated.append(doc.id)
        else:
            insort(self._dated, (doc.published_at.timestamp(), doc.id))


def _time(entry: tuple[float, str]) -> float:
    return entry[0]


def note_of(doc: StoryDoc) -> str:
    """Why a story was decided without embeddings, when it was."""
    if doc.embedded:
        return ""
    return f"not embedded (language {doc.language!r} not covered by the model, or no encoder): story from names, numbers, dates, time and copied text only"


def pair_probability(scorer: StoryScorer, a: StoryDoc, b: StoryDoc, *, copied_share: float = 0.0, template: bool = False) -> float:
    """P(same event) of two articles (``template``: the text they share is a template)."""
    evidence = pair_evidence(a, b, background_mean=scorer.background_mean, copied_share=copied_share, template=template)
    return scorer.event_probability(evidence)


def shortlist(doc: StoryDoc, near: list[tuple[StoryDoc, int]], *, size: int = SHORTLIST) -> list[tuple[StoryDoc, int]]:
    """The members worth scoring against ``doc``: all of them when few, else the ``size``
    closest leads plus every member without vectors (only its names can tell).

    Scoring is ~50 us a pair; a week of a large news feed holds thousands of articles, and
    an article of another event has a distant lead, so this keeps clustering linear.
    """
    if len(near) <= size or doc.lead is None:
        return near
    embedded = [(i, other) for i, (other, _) in enumerate(near) if other.lead is not None]
    keep = {i for i, (other, _) in enumerate(near) if other.lead is None}
    if embedded:
        leads = np.stack([other.lead for _, other in embedded])
        cosines = leads @ doc.lead
        best = np.argsort(-cosines, kind="stable")[:size]
        keep.update(embedded[j][0] for j in best)
    return [near[i] for i in sorted(keep)]


def story_support(
    doc: StoryDoc,
    near: list[tuple[StoryDoc, int]],
    probability: Callable[[StoryDoc, StoryDoc], float],
    *,
    in_window: Mapping[int, int] | None = None,
    link_share: float = LINK_SHARE,
) -> dict[int, float]:
    """Per story, ``doc``'s k-th highest P(same event) with the story's members in the
    window (``link_count``; members left out of the shortlist count as 0).

    k = 1 is single link: one close member suffices, and over a few days of a national
    press a chain of close pairs drifts from event to event. So did the mean of the two
    highest: one near-copy carried an article into a story whatever its second member
    said, and on all of SaudiNewsNet chains grew to stories of 6,157, 1,287 and 1,181
    articles. Asking a fifth of a story's members to agree keeps a story about its event
    as it grows (figures in the README, "Stories").
    """
    if in_window is None:  # else the caller shortlisted ``near`` and counted the window itself
        in_window = Counter(story for _, story in near)
    scored: dict[int, list[float]] = {}
    for other, story in shortlist(doc, near):
        scored.setdefault(story, []).append(probability(doc, other))
    out: dict[int, float] = {}
    for story, ps in scored.items():
        k = link_count(in_window[story], link_share=link_share)
        ps.sort(reverse=True)
        out[story] = ps[k - 1] if len(ps) >= k else 0.0
    return out


def window_support(
    doc: StoryDoc,
    story_of: Mapping[Key, int],
    *,
    closest: Callable[[np.ndarray, list[Key], int], list[Key]],
    docs_of: Callable[[list[Key]], Mapping[Key, StoryDoc]],
    probability: Callable[[StoryDoc, StoryDoc], float],
    old_stories: Callable[[set[int]], set[int]],
    copied_stories: Callable[[set[int]], set[int]],
    link_share: float = LINK_SHARE,
) -> dict[int, float]:
    """Steps 1-3 of the online rule: ``doc``'s support for each story of its window
    (``story_of``: each member near it, newest first, and its story). The one
    implementation for both homes of a window, memory (``StoryClusters``) and the database
    (``service.pipeline.stories``); the callables read what each keeps: the ``size``
    members whose leads are closest to a lead (asked only past SHORTLIST members), the
    members' docs, which stories are older than the age limit, and which of those hold an
    article ``doc`` copies."""
    ids = list(story_of)
    in_window = Counter(story_of.values())
    if doc.lead is not None and len(ids) > SHORTLIST:
        ids = closest(doc.lead, ids, SHORTLIST)
    docs = docs_of(ids)
    support = story_support(doc, [(docs[i], story_of[i]) for i in ids], probability, in_window=in_window, link_share=link_share)
    old = old_stories(set(support))
    return without_old_stories(support, old=old, copied=copied_stories(old)) if old else support


def without_old_stories(support: dict[int, float], *, old: set[int], copied: set[int]) -> dict[int, float]:
    """``support`` with the ``old`` stories (first article older than the max age) at 0,
    except those with a member the article copies (``copied``): a daily report of a
    market matches the week's other reports, and each one kept the story alive, so a
    topic grew into one story over weeks; a copy still reports its source's event.

    >>> without_old_stories({1: 0.9, 2: 0.8, 3: 0.7}, old={1, 2}, copied={2})
    {1: 0.0, 2: 0.8, 3: 0.7}
    """
    return {s: 0.0 if s in old and s not in copied else p for s, p in support.items()}


def link_count(members: int, *, link_share: float = LINK_SHARE) -> int:
    """How many of a story's members (``members`` in the window) a new article must match.

    >>> [link_count(n) for n in (1, 2, 10, 11, 50, 500)]
    [1, 2, 2, 3, 10, 20]
    """
    return min(members, max(LINK_MEMBERS, min(SHORTLIST // 2, math.ceil(link_share * members))))


def choose(
    support: dict[int, float], *, probability_threshold: float, merge_support: float | None = None
) -> tuple[int | None, tuple[int, ...], float]:
    """(story to join or None for a new one, stories merged into it, best support).

    The article joins its story of highest support when that clears the threshold (ties:
    the oldest). With ``merge_support``, it merges the stories for which its support
    reaches that into the oldest (lowest id), so a given order always gives the same
    stories. Off by default: on SaudiNewsNet, merging on the join threshold chained the
    events of a topic into stories of thousands of articles, and even at 0.95 merges made
    stories less pure (see the README, "Stories").

    >>> choose({3: 0.97, 1: 0.96, 2: 0.2}, probability_threshold=0.5, merge_support=0.95)
    (1, (3,), 0.97)
    >>> choose({3: 0.97, 1: 0.96, 2: 0.2}, probability_threshold=0.5)
    (3, (), 0.97)
    >>> choose({3: 0.9, 1: 0.6, 2: 0.9}, probability_threshold=0.5)
    (2, (), 0.9)
    >>> choose({2: 0.2}, probability_threshold=0.5)
    (None, (), 0.2)
    """
    best = max(support.values(), default=0.0)
    if best < probability_threshold:
        return None, (), best
    bridged = sorted(s for s, p in support.items() if merge_support is not None and p >= merge_support)
    if len(bridged) >= 2:
        return bridged[0], tuple(bridged[1:]), best
    return min(s for s, p in support.items() if p == best), (), best


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

"""How well stories hold together on a real feed without story labels: figures to compare
clustering rules by (``scripts/replay_stories.py``), beside a hand check.

- Recall proxy, ``copy_pairs_together``: of the article pairs whose copy link covers at
  least half of one of them (``COPY_SHARE``), the share that sit in one story. A copy
  reports its source's event, so a rule that splits them splits events.
- ``agreement``: how far two sets of stories over the same articles agree (the online
  stories against a batch rebuild, say): identical stories and shared same-story pairs.
- Purity proxy, ``pair_mean`` and ``pair_low``: random pairs of articles of one story
  (drawn in proportion to a story's pairs, so large stories weigh as they do for a reader),
  scored by the same-story model; their mean P(same event) and the share under 0.2. A
  chained story (events of one topic linked article by article) holds pairs that score as
  unrelated.

Example:
    >>> q = story_quality(clusters.stories(), docs, shares, probability)   # doctest: +SKIP
    >>> q.largest[:3], round(q.pair_mean, 3)                                # doctest: +SKIP
    ((78, 34, 32), 0.728)
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from service.stories.evidence import StoryDoc

COPY_SHARE = 0.5  # a link at least this large makes a pair "copied"
LOW = 0.2  # a pair under this P(same event) reads as two events


@dataclass(frozen=True, slots=True)
class StoryQuality:
    articles: int
    stories: int
    singletons: int
    largest: tuple[int, ...]  # the ten largest story sizes
    copy_pairs: int
    copy_pairs_together: float
    pairs_scored: int
    pair_mean: float
    pair_low: float


def story_quality(
    stories: Sequence[Sequence[str]],
    docs: Mapping[str, StoryDoc],
    shares: Mapping[tuple[int, int], float],
    probability: Callable[[StoryDoc, StoryDoc], float],
    *,
    pairs: int = 3000,
    seed: int = 1,
) -> StoryQuality:
    """The figures above for ``stories`` (member ids, as ``StoryClusters.stories()``)."""
    story_of = {member: k for k, story in enumerate(stories) for member in story}
    copied = [(str(a), str(b)) for (a, b), share in shares.items() if share >= COPY_SHARE and str(a) in story_of and str(b) in story_of]
    together = sum(story_of[a] == story_of[b] for a, b in copied)
    multi = [story for story in stories if len(story) > 1]
    scored: list[float] = []
    if multi:
        rng = random.Random(seed)
        for story in rng.choices(multi, [len(s) * (len(s) - 1) for s in multi], k=pairs):
            a, b = rng.sample(list(story), 2)
            scored.append(probability(docs[a], docs[b]))
    sizes = sorted((len(s) for s in stories), reverse=True)
    return StoryQuality(
        articles=len(story_of),
        stories=len(stories),
        singletons=sizes.count(1),
        largest=tuple(sizes[:10]),
        copy_pairs=len(copied),
        copy_pairs_together=together / len(copied) if copied else 0.0,
        pairs_scored=len(scored),
        pair_mean=sum(scored) / len(scored) if scored else 0.0,
        pair_low=sum(p < LOW for p in scored) / len(scored) if scored else 0.0,
    )


@dataclass(frozen=True, slots=True)
class Agreement:
    stories: tuple[int, int]  # how many in each
    identical: int  # stories with exactly the same members in both
    pairs: tuple[int, int]  # same-story article pairs in each
    shared_pairs: int  # pairs in one story in both


def agreement(first: Sequence[Sequence[object]], second: Sequence[Sequence[object]]) -> Agreement:
    """How far two groupings of the same articles agree (ids compared as strings)."""
    a = {frozenset(map(str, story)) for story in first}
    b = {frozenset(map(str, story)) for story in second}
    story_of = {member: k for k, story in enumerate(b) for member in story}
    shared = 0
    for story in a:  # pairs of an ``a`` story that one ``b`` story also holds
        counts: dict[int, int] = {}
        for member in story:
            k = story_of.get(member)
            if k is not None:
                counts[k] = counts.get(k, 0) + 1
        shared += sum(n * (n - 1) // 2 for n in counts.values())
    return Agreement(
        stories=(len(a), len(b)),
        identical=len(a & b),
        pairs=(_pairs(a), _pairs(b)),
        shared_pairs=shared,
    )


def _pairs(stories: set[frozenset[str]]) -> int:
    return sum(len(s) * (len(s) - 1) // 2 for s in stories)

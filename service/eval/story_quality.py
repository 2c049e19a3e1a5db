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

Against labelled pairs (``tests/data/event_pairs``, ``scripts/eval_events.py``):

- ``pair_scores``: precision, recall and F1 of a yes/no call (P(same event) over the join
  threshold, or "in one story") against the labels.
- ``auc``: the chance that a positive pair scores above a negative one (ties count half).
- ``label_agreement``: two readers' labels of the same pairs: the share equal, Cohen's
  kappa and the confusion matrix.
- ``closure_classes`` and ``bcubed``: B-cubed precision and recall of a clustering against
  gold classes (the transitive closure of the labelled same-event pairs).

    >>> pair_scores([True, True, False], [True, False, True]).f1
    0.5
    >>> auc([0.9, 0.4], [0.3, 0.4])
    0.875
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
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


# -- against labelled pairs -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PairScores:
    """A yes/no call on pairs against the truth; 0.0 where a ratio has nothing to count."""

    true_positives: int
    false_positives: int
    false_negatives: int
    true_negatives: int

    @property
    def precision(self) -> float:
        called = self.true_positives + self.false_positives
        return self.true_positives / called if called else 0.0

    @property
    def recall(self) -> float:
        positives = self.true_positives + self.false_negatives
        return self.true_positives / positives if positives else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def pair_scores(truth: Sequence[bool], called: Sequence[bool]) -> PairScores:
    """Counts of ``called`` (the system says yes) against ``truth``, pair by pair."""
    if len(truth) != len(called):
        raise ValueError(f"truth and called differ in length: {len(truth)} != {len(called)}")
    counts = Counter(zip(map(bool, truth), map(bool, called)))
    return PairScores(counts[True, True], counts[False, True], counts[True, False], counts[False, False])


def auc(positives: Sequence[float], negatives: Sequence[float]) -> float | None:
    """Area under the ROC curve: P(a positive scores above a negative), ties half; None
    when either side is empty. Ranks, so O(n log n) (the Mann-Whitney U statistic)."""
    if not positives or not negatives:
        return None
    values = sorted([(v, 1) for v in positives] + [(v, 0) for v in negatives])
    rank_sum = 0.0  # of the positives, ranks from 1, tied values sharing their mean rank
    start = 0
    while start < len(values):
        end = start
        while end < len(values) and values[end][0] == values[start][0]:
            end += 1
        mean_rank = (start + 1 + end) / 2
        rank_sum += mean_rank * sum(kind for _, kind in values[start:end])
        start = end
    n_pos, n_neg = len(positives), len(negatives)
    return (rank_sum - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg)


@dataclass(frozen=True, slots=True)
class LabelAgreement:
    pairs: int
    agreed: float  # share of pairs with the same label
    kappa: float | None  # Cohen's kappa; None when chance agreement is 1 (one label only)
    labels: tuple[str, ...]
    confusion: tuple[tuple[int, ...], ...]  # rows: the first reader's label, columns: the second's


def label_agreement(first: Sequence[str], second: Sequence[str], *, labels: Sequence[str] | None = None) -> LabelAgreement:
    """How far two readers' labels of the same pairs (in the same order) agree."""
    if len(first) != len(second):
        raise ValueError(f"the two readers label different numbers of pairs: {len(first)} != {len(second)}")
    if not first:
        raise ValueError("no pairs to compare")
    names = tuple(labels) if labels is not None else tuple(sorted(set(first) | set(second)))
    unknown = (set(first) | set(second)) - set(names)
    if unknown:
        raise ValueError(f"labels outside {names}: {sorted(unknown)}")
    n = len(first)
    counts = Counter(zip(first, second))
    confusion = tuple(tuple(counts[a, b] for b in names) for a in names)
    observed = sum(counts[a, a] for a in names) / n
    one, two = Counter(first), Counter(second)
    chance = sum(one[a] * two[a] for a in names) / (n * n)
    kappa = (observed - chance) / (1 - chance) if chance < 1 else None
    return LabelAgreement(n, observed, kappa, names, confusion)


def closure_classes(items: Iterable[Hashable], same: Iterable[tuple[Hashable, Hashable]]) -> dict[Hashable, int]:
    """Each item's class: the connected components of the ``same`` pairs (union-find);
    an item in no pair is a class of its own. Pairs may name items outside ``items``
    (they join the classes too). Classes are numbered in order of first appearance."""
    parent: dict[Hashable, Hashable] = {}

    def root(x: Hashable) -> Hashable:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]  # path halving
            x = parent[x]
        return x

    for item in items:
        root(item)
    for a, b in same:
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[rb] = ra
    numbers: dict[Hashable, int] = {}
    return {x: numbers.setdefault(root(x), len(numbers)) for x in list(parent)}


@dataclass(frozen=True, slots=True)
class BCubed:
    items: int
    precision: float
    recall: float

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def bcubed(gold: Mapping[Hashable, Hashable], predicted: Mapping[Hashable, Hashable]) -> BCubed:
    """B-cubed precision and recall over the items of ``gold`` (item -> gold class), each
    item's predicted cluster taken from ``predicted`` (item -> cluster; an item missing
    there is a cluster of its own). Per item: precision = |its cluster & its class| /
    |its cluster|, recall = the same over |its class|, both counting the item itself and
    only items of ``gold``; then the mean over items."""
    if not gold:
        raise ValueError("no items to measure")
    cluster_of = {x: ("cluster", predicted[x]) if x in predicted else ("alone", x) for x in gold}
    both = Counter((gold[x], cluster_of[x]) for x in gold)
    class_size = Counter(gold.values())
    cluster_size = Counter(cluster_of.values())
    precision = sum(both[gold[x], cluster_of[x]] / cluster_size[cluster_of[x]] for x in gold) / len(gold)
    recall = sum(both[gold[x], cluster_of[x]] / class_size[gold[x]] for x in gold) / len(gold)
    return BCubed(len(gold), precision, recall)


def size_histogram(sizes: Iterable[int], *, edges: Sequence[int] = (1, 2, 3, 5, 10, 20, 50, 100)) -> list[tuple[str, int, int]]:
    """Story sizes in bins ``[edge_i, edge_i+1)`` and a last open one: (bin, stories, articles)."""
    if list(edges) != sorted(set(edges)) or not edges or edges[0] < 1:
        raise ValueError(f"edges must be increasing positive integers, got {edges}")
    rows = []
    values = list(sizes)
    for low, high in zip(edges, [*edges[1:], None]):
        inside = [s for s in values if s >= low and (high is None or s < high)]
        label = f"{low}+" if high is None else (str(low) if high == low + 1 else f"{low}-{high - 1}")
        rows.append((label, len(inside), sum(inside)))
    return rows

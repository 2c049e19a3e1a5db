"""How far a store's copy flags hold against links labelled by reading
(``tests/data/flag_links``, ``scripts/eval_flags.py``).

A labelled link names two articles by URL: ``target`` (the one the sampled store called the
copier) and ``source``. A store is read as a mapping ``(target_url, source_url) -> relation``
of its links; ``find_links`` looks each labelled link up in either direction, so a store
that turned a link round (or has none, or stores neither article) is still compared.

- ``flag_precision``: of the labelled links the store flags ``copy``, the share labelled
  ``copy`` (strict) and ``copy`` or ``shared_source`` (lenient: text really reused).
- ``relation_table``: per label, the stored relations (``NOT_FLAGGED`` when no link).
- ``templates_recognised``: ``template``-labelled links stored as ``template`` or not flagged.
- ``direction_correct``: labelled ``copy`` links with a known direction, flagged ``copy``,
  whose stored target is the article the reader calls the copier.
- ``far_apart``: links joining articles ``days`` or more apart.

    >>> found = find_links([("b", "a"), ("c", "a")], {("a", "b"): "copy"})
    >>> [(f.relation, f.reversed) for f in found]
    [('copy', True), ('none', None)]
    >>> flag_precision(["copy", "not_copy"], [f.relation for f in found])
    Precision(flagged=1, strict=1, lenient=1)
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from rapidfuzz.distance import Indel
from scipy import stats

from service.reuse.align import align
from service.reuse.tokens import tokens

NOT_FLAGGED = "none"
LABELS = ("copy", "shared_source", "template", "not_copy")
REUSED = frozenset({"copy", "shared_source"})


@dataclass(frozen=True, slots=True)
class Found:
    relation: str  # the stored link's relation, NOT_FLAGGED when the store links them not
    reversed: bool | None  # the store's target is the labelled source; None when not flagged


@dataclass(frozen=True, slots=True)
class Share:
    hits: int
    n: int

    @property
    def value(self) -> float | None:
        return self.hits / self.n if self.n else None


@dataclass(frozen=True, slots=True)
class Precision:
    flagged: int  # labelled links the store flags with the relation measured
    strict: int  # of them labelled copy
    lenient: int  # of them labelled copy or shared_source

    @property
    def strict_share(self) -> float | None:
        return self.strict / self.flagged if self.flagged else None

    @property
    def lenient_share(self) -> float | None:
        return self.lenient / self.flagged if self.flagged else None


def find_links(links: Sequence[tuple[str, str]], stored: Mapping[tuple[str, str], str]) -> list[Found]:
    """The stored link of each ``(target, source)`` pair, looked up as labelled, then turned round."""
    found = []
    for target, source in links:
        if target == source:
            raise ValueError(f"a link joins two articles, not {target!r} to itself")
        if (target, source) in stored:
            found.append(Found(stored[target, source], False))
        elif (source, target) in stored:
            found.append(Found(stored[source, target], True))
        else:
            found.append(Found(NOT_FLAGGED, None))
    return found


def _same_length(labels: Sequence[object], relations: Sequence[object]) -> None:
    if len(labels) != len(relations):
        raise ValueError(f"labels and stored links differ in number: {len(labels)} != {len(relations)}")


def flag_precision(labels: Sequence[str], relations: Sequence[str], *, flags: Collection[str] = ("copy",)) -> Precision:
    """Precision of the store's links held as one of ``flags`` among the labelled ones
    (labels and relations in link order)."""
    _same_length(labels, relations)
    flagged = [label for label, relation in zip(labels, relations) if relation in flags]
    return Precision(len(flagged), sum(x == "copy" for x in flagged), sum(x in REUSED for x in flagged))


def relation_table(labels: Sequence[str], relations: Sequence[str]) -> dict[str, Counter[str]]:
    """Per label (in ``LABELS`` order, then any other), how many links the store holds as each relation."""
    _same_length(labels, relations)
    table: dict[str, Counter[str]] = {label: Counter() for label in LABELS if label in labels}
    for label, relation in zip(labels, relations):
        table.setdefault(label, Counter())[relation] += 1
    return table


def reuse_kept(labels: Sequence[str], relations: Sequence[str], *, flags: Collection[str] = ("copy", "shared_source")) -> Share:
    """Of the links labelled copy or shared_source (text really reused), those still held as one of ``flags``."""
    _same_length(labels, relations)
    kept = [relation for label, relation in zip(labels, relations) if label in REUSED]
    return Share(sum(r in flags for r in kept), len(kept))


def templates_recognised(labels: Sequence[str], relations: Sequence[str]) -> Share:
    """Of the ``template``-labelled links, those stored as ``template`` or not flagged at all."""
    _same_length(labels, relations)
    kept = [relation for label, relation in zip(labels, relations) if label == "template"]
    return Share(sum(r in {"template", NOT_FLAGGED} for r in kept), len(kept))


def direction_correct(labels: Sequence[str], directions: Sequence[str | None], found: Sequence[Found]) -> Share:
    """Of the ``copy``-labelled links with a known direction (``as_flagged`` / ``reversed``, said of
    the labelled target and source) that the store flags as reuse, those whose stored target is
    the reader's copier."""
    _same_length(labels, found)
    _same_length(directions, found)
    hits = n = 0
    for label, direction, link in zip(labels, directions, found):
        if label != "copy" or direction not in {"as_flagged", "reversed"} or link.relation not in {"copy", "shared_source"}:
            continue
        n += 1
        hits += link.reversed == (direction == "reversed")
    return Share(hits, n)


def far_apart(times: Iterable[tuple[datetime | None, datetime | None]], *, days: float = 7) -> int:
    """How many of the links (their two articles' times) join articles ``days`` or more apart;
    a link with an unknown time is not counted."""
    if days < 0:
        raise ValueError(f"days must be >= 0, not {days}")
    gap = timedelta(days=days)
    return sum(1 for one, two in times if one is not None and two is not None and abs(one - two) >= gap)


GRADES = {"cut": 3, "light": 2, "heavy": 1, "none": 0}  # graded reuse (Clough and Stevenson's scale)


def span_share(answer: str, source: str, *, weighted: bool = True) -> float:
    """The share of ``answer``'s characters inside passages verified as taken from
    ``source``; ``weighted``: each passage counted by the share of its words taken as they
    are (in the longest common subsequence with the source's passage), so that a revised
    copy counts for less than a cut-and-paste one, and a sentence left out costs nothing."""
    spans = align(answer, source)
    a, b = tokens(answer), tokens(source)
    total = 0.0
    for span in spans:
        mine, theirs = a.words_between(span.a_start, span.a_end), b.words_between(span.b_start, span.b_end)
        kept = (len(mine) + len(theirs) - Indel.distance(mine, theirs)) / 2 / max(len(mine), 1) if weighted else 1.0
        total += (span.a_end - span.a_start) * kept
    return total / max(len(answer), 1)


def ngram_share(answer: str, source: str, *, n: int = 5) -> float:
    """The naive baseline: the share of ``answer``'s word ``n``-grams (normalised) found in ``source``."""
    def grams(text: str) -> set[tuple[str, ...]]:
        words = tokens(text).words
        return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}

    mine = grams(answer)
    return len(mine & grams(source)) / len(mine) if mine else 0.0


def spearman(xs: Sequence[float], ys: Sequence[float]) -> float:
    """Spearman's rank correlation (ties averaged)."""
    _same_length(xs, ys)
    return float(stats.spearmanr(xs, ys).statistic)


def ordered_pairs(xs: Sequence[float], grades: Sequence[int]) -> float:
    """The share of pairs of answers of different grades that ``xs`` orders as their grades,
    a tie counting half. Unlike Spearman's coefficient, it does not move with ties inside
    one grade (two measures ordering every cross-grade pair alike score alike)."""
    _same_length(xs, grades)
    pairs = [(i, j) for i in range(len(xs)) for j in range(len(xs)) if grades[i] > grades[j]]
    if not pairs:
        raise ValueError("no two answers of different grades")
    return sum(1.0 if xs[i] > xs[j] else 0.5 if xs[i] == xs[j] else 0.0 for i, j in pairs) / len(pairs)

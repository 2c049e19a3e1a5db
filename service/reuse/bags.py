"""Order-blind copies: regions of two texts made of the same words in another order.

A copy with its words shuffled keeps no word run and may lose its sentence marks,
so neither run nor sentence seeds find it. What it keeps is its bag of words: in the
copy, nearly every content word also occurs in the source, densely, over a long
stretch; and the source has one stretch holding those words. ``dense_regions`` finds
such stretches (sliding windows of content words, share of words found on the other
side), ``shuffled`` pairs them and verifies the pair on ALL words, function words
included: an independent text on the same topic shares the names and topic words,
but not the whole word distribution.

``dense_regions`` is also the cheap screen run before any alignment: two texts
without one dense region share no passage worth aligning.

Bound: each region of ``a`` is looked for in all of ``b``, so at most ``MAX_REGIONS``
regions of ``a`` are paired, the longest (real pairs of texts have at most a few dozen).

Example:
    >>> from service.reuse.tokens import tokens
    >>> src = tokens("one two three four five six seven eight nine ten eleven twelve thirteen fourteen")
    >>> dst = tokens("intro words here. fourteen two one four three six five eight seven ten nine twelve eleven thirteen")
    >>> [(s.a0, s.b0, s.b1) for s in shuffled(dst, src)]
    [(3, 0, 14)]
"""

from __future__ import annotations

import math
from collections import Counter

import numpy as np

from service.reuse.seeds import Seed, memo
from service.reuse.tokens import Tokens

DENSE_WINDOW = 12  # content words per sliding window
DENSE_SHARE = 0.75  # share of a window's content words found on the other side
MIN_BAG_WORDS = 12  # content words of the shorter side of an order-blind copy
MIN_BAG_SHARE = 0.7  # shared content words / content words, on each side
MIN_ALL_COSINE = 0.8  # cosine of the two regions' counts of ALL words
MAX_REGIONS = 256  # regions of ``a`` paired with regions of ``b``, the longest


def _content_words(t: Tokens) -> tuple[np.ndarray, tuple[str, ...], frozenset[str]]:
    positions = [i for i, c in enumerate(t.content) if c]
    words = tuple(t.words[i] for i in positions)
    return np.asarray(positions, dtype=np.int64), words, frozenset(words)


def _content(t: Tokens) -> tuple[np.ndarray, tuple[str, ...], frozenset[str]]:
    """Positions of the content words, the words, and their set."""
    return memo(t, "content", _content_words)


def _word_ids(t: Tokens) -> tuple[dict[str, int], np.ndarray]:
    """A number for each distinct content word, and the content words as those numbers."""
    _, words, vocabulary = _content(t)
    index = {w: i for i, w in enumerate(vocabulary)}
    return index, np.fromiter((index[w] for w in words), dtype=np.int64, count=len(words))


def _hits(t: Tokens, bag: Counter[str]) -> np.ndarray:
    """For each content word of ``t``: whether ``bag`` holds it (vectorised: this runs once
    for every region of the other text)."""
    index, ids = memo(t, "word_ids", _word_ids)
    table = np.zeros(len(index), dtype=bool)
    table[[index[w] for w in bag if w in index]] = True
    return table[ids]


def dense_regions(t: Tokens, vocabulary: frozenset[str] | set[str], *, window: int = DENSE_WINDOW, share: float = DENSE_SHARE) -> list[tuple[int, int]]:
    """Half-open ranges of content-word positions of ``t`` where most words are in ``vocabulary``.

    A range is the union of overlapping dense windows, trimmed to words found.
    """
    _, words, _ = _content(t)
    if not words:
        return []
    return _dense(np.fromiter((w in vocabulary for w in words), dtype=bool, count=len(words)), window=window, share=share)


def _dense(hits: np.ndarray, *, window: int = DENSE_WINDOW, share: float = DENSE_SHARE) -> list[tuple[int, int]]:
    """``dense_regions`` of the content words marked in ``hits``."""
    n = len(hits)
    width = min(window, n)
    sums = np.concatenate(([0], np.cumsum(hits)))
    ok = (sums[width:] - sums[:-width]) >= share * width
    if not ok.any():
        return []
    marked = np.convolve(ok.astype(np.int32), np.ones(width, dtype=np.int32))[:n] > 0
    regions = []
    edges = np.flatnonzero(np.diff(np.concatenate(([0], marked.astype(np.int8), [0]))))
    for p0, p1 in zip(edges[::2], edges[1::2]):
        found = np.flatnonzero(hits[p0:p1])
        if len(found):
            regions.append((int(p0 + found[0]), int(p0 + found[-1] + 1)))
    return regions


def screen(a: Tokens, b: Tokens) -> bool:
    """Whether ``a`` has a dense stretch of ``b``'s content words (cheap test before aligning)."""
    return bool(dense_regions(a, _content(b)[2]))


def _cosine(x: Counter[str], y: Counter[str]) -> float:
    dot = sum(v * y[w] for w, v in x.items() if w in y)
    norm = math.sqrt(sum(v * v for v in x.values()) * sum(v * v for v in y.values()))
    return dot / norm if norm else 0.0


def shuffled(a: Tokens, b: Tokens) -> list[Seed]:
    """Region pairs holding (nearly) the same bag of words: order-blind copies, as seeds."""
    a_pos, a_words, _ = _content(a)
    b_pos, b_words, b_vocabulary = _content(b)
    seeds = []
    regions = [(p0, p1) for p0, p1 in dense_regions(a, b_vocabulary) if p1 - p0 >= MIN_BAG_WORDS]
    if len(regions) > MAX_REGIONS:
        regions = sorted(sorted(regions, key=lambda r: r[0] - r[1])[:MAX_REGIONS])
    for p0, p1 in regions:
        bag = Counter(a_words[p0:p1])
        best: tuple[int, int, int] | None = None
        for q0, q1 in _dense(_hits(b, bag)) if b_words else ():
            if q1 - q0 < MIN_BAG_WORDS:
                continue
            shared = sum((bag & Counter(b_words[q0:q1])).values())
            if best is None or shared > best[0]:
                best = (shared, q0, q1)
        if best is None:
            continue
        shared, q0, q1 = best
        if shared < MIN_BAG_SHARE * (p1 - p0) or shared < MIN_BAG_SHARE * (q1 - q0):
            continue
        i0, i1 = int(a_pos[p0]), int(a_pos[p1 - 1]) + 1
        j0, j1 = int(b_pos[q0]), int(b_pos[q1 - 1]) + 1
        if _cosine(Counter(a.words[i0:i1]), Counter(b.words[j0:j1])) < MIN_ALL_COSINE:
            continue
        seeds.append(Seed(i0, i1, j0, j1, shared, windows=1_000))
    return seeds

"""Seeds of an alignment: small pieces two texts certainly share, before extension.

- runs: maximal runs of identical normalised words around a shared word trigram
  (verbatim copy, spelling variants and diacritics already folded);
- sentences: sentence pairs whose content words overlap strongly (Dice), as in
  Sanchez-Perez et al. (PAN 2014): blind to word order, robust to substitutions;
- windows: overlapping windows of content words with a strong Dice overlap, for
  sentences the copy split or merged.

Word indices are half-open ``[a0, a1)`` into ``Tokens.words``.

Example:
    >>> from service.reuse.tokens import tokens
    >>> [(s.a0, s.a1, s.b0, s.b1) for s in runs(tokens("x y a b c d e z"), tokens("a b c d e"))]
    [(2, 7, 0, 5)]
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from service.reuse.tokens import Tokens

SEED_NGRAM = 3
WINDOW_WORDS = 16
WINDOW_STRIDE = 8
MIN_WINDOW_WORDS = 8
WINDOW_DICE = 0.5
SENTENCE_DICE = 0.5
MIN_SENTENCE_CONTENT = 5
SENTENCE_WEIGHT = 3  # a sentence seed counts as this many window seeds


@dataclass(slots=True)
class Seed:
    a0: int
    a1: int
    b0: int
    b1: int
    matched: int  # shared words
    longest: int = 0  # longest unbroken run of identical words
    windows: int = 0  # order-blind seeds merged in


def runs(a: Tokens, b: Tokens) -> list[Seed]:
    """Maximal runs of identical words that contain a shared word trigram."""
    grams: dict[tuple[str, ...], list[int]] = defaultdict(list)
    bw, aw = b.words, a.words
    for i in range(len(bw) - SEED_NGRAM + 1):
        grams[bw[i : i + SEED_NGRAM]].append(i)
    seeds: list[Seed] = []
    covered: set[tuple[int, int]] = set()
    for i in range(len(aw) - SEED_NGRAM + 1):
        for j in grams.get(aw[i : i + SEED_NGRAM], ()):
            if (i, j) in covered:
                continue
            k = 0
            while i + k < len(aw) and j + k < len(bw) and aw[i + k] == bw[j + k]:
                covered.add((i + k, j + k))
                k += 1
            seeds.append(Seed(i, i + k, j, j + k, k, longest=k))
    return seeds


@lru_cache(maxsize=4096)
def _sentence_units(t: Tokens) -> tuple[tuple[int, int, frozenset[str]], ...]:
    out = []
    start = 0
    for i in range(1, len(t.words) + 1):
        if i == len(t.words) or t.sentence[i] != t.sentence[start]:
            words = frozenset(w for w, c in zip(t.words[start:i], t.content[start:i]) if c)
            if len(words) >= MIN_SENTENCE_CONTENT:
                out.append((start, i, words))
            start = i
    return tuple(out)


def sentences(a: Tokens, b: Tokens) -> list[Seed]:
    """Sentence pairs with a high Dice coefficient of content words (order-blind)."""
    b_units = _sentence_units(b)
    by_word: dict[str, list[int]] = defaultdict(list)
    for n, (_, _, words) in enumerate(b_units):
        for w in words:
            by_word[w].append(n)
    seeds = []
    for i0, i1, words in _sentence_units(a):
        overlap: dict[int, int] = defaultdict(int)
        for w in words:
            for n in by_word.get(w, ()):
                overlap[n] += 1
        for n, shared in overlap.items():
            j0, j1, other = b_units[n]
            if 2 * shared / (len(words) + len(other)) >= SENTENCE_DICE:
                seeds.append(Seed(i0, i1, j0, j1, shared, windows=SENTENCE_WEIGHT))
    return seeds


@lru_cache(maxsize=4096)
def _windows(t: Tokens) -> tuple[tuple[tuple[int, int], ...], tuple[frozenset[str], ...], frozenset[str]]:
    """Spans and content-word bags of the text's windows, and the union of the bags."""
    content = [i for i, c in enumerate(t.content) if c]
    spans, bags = [], []
    for k in range(0, max(len(content) - WINDOW_WORDS, 0) + 1, WINDOW_STRIDE):
        chunk = content[k : k + WINDOW_WORDS]
        if len(chunk) < MIN_WINDOW_WORDS:
            break
        spans.append((chunk[0], chunk[-1] + 1))
        bags.append(frozenset(t.words[i] for i in chunk))
    return tuple(spans), tuple(bags), frozenset().union(*bags)


def windows(a: Tokens, b: Tokens) -> list[Seed]:
    """Window pairs whose content-word bags overlap strongly (Dice), all pairs at once."""
    a_spans, a_bags, a_words = _windows(a)
    b_spans, b_bags, b_words = _windows(b)
    # Only words both texts have can be shared: two small dense matrices over those, not
    # sparse ones over every word (building sparse matrices cost more than the product).
    vocabulary = {w: i for i, w in enumerate(a_words & b_words)}
    if not vocabulary:
        return []

    def matrix(bags: tuple[frozenset[str], ...]) -> np.ndarray:
        m = np.zeros((len(bags), len(vocabulary)), dtype=np.float32)
        for r, bag in enumerate(bags):
            m[r, [vocabulary[w] for w in bag if w in vocabulary]] = 1.0
        return m

    shared = matrix(a_bags) @ matrix(b_bags).T
    a_sizes = np.array([len(bag) for bag in a_bags], dtype=np.float32)
    b_sizes = np.array([len(bag) for bag in b_bags], dtype=np.float32)
    rows, cols = np.nonzero(shared)
    counts = shared[rows, cols]
    dice = 2 * counts / (a_sizes[rows] + b_sizes[cols])
    seeds = []
    for r, c, d, n in zip(rows, cols, dice, counts):
        if d >= WINDOW_DICE:
            (i0, i1), (j0, j1) = a_spans[r], b_spans[c]
            seeds.append(Seed(i0, i1, j0, j1, int(n), windows=1))
    return seeds

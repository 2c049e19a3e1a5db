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
from scipy import sparse

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
def _windows(t: Tokens) -> tuple[tuple[tuple[int, int], ...], tuple[frozenset[str], ...]]:
    content = [i for i, c in enumerate(t.content) if c]
    spans, bags = [], []
    for k in range(0, max(len(content) - WINDOW_WORDS, 0) + 1, WINDOW_STRIDE):
        chunk = content[k : k + WINDOW_WORDS]
        if len(chunk) < MIN_WINDOW_WORDS:
            break
        spans.append((chunk[0], chunk[-1] + 1))
        bags.append(frozenset(t.words[i] for i in chunk))
    return tuple(spans), tuple(bags)


def windows(a: Tokens, b: Tokens) -> list[Seed]:
    """Window pairs whose content-word bags overlap strongly (Dice), all pairs at once."""
    a_spans, a_bags = _windows(a)
    b_spans, b_bags = _windows(b)
    if not a_bags or not b_bags:
        return []
    vocabulary: dict[str, int] = {}

    def matrix(bags: tuple[frozenset[str], ...]) -> sparse.csr_matrix:
        rows, cols = [], []
        for r, bag in enumerate(bags):
            for w in bag:
                rows.append(r)
                cols.append(vocabulary.setdefault(w, len(vocabulary)))
        return rows, cols

    a_rows, a_cols = matrix(a_bags)
    b_rows, b_cols = matrix(b_bags)
    width = len(vocabulary)
    a_m = sparse.csr_matrix((np.ones(len(a_rows), dtype=np.float32), (a_rows, a_cols)), shape=(len(a_bags), width))
    b_m = sparse.csr_matrix((np.ones(len(b_rows), dtype=np.float32), (b_rows, b_cols)), shape=(len(b_bags), width))
    shared = (a_m @ b_m.T).tocoo()
    a_sizes = np.asarray(a_m.sum(axis=1)).ravel()
    b_sizes = np.asarray(b_m.sum(axis=1)).ravel()
    dice = 2 * shared.data / (a_sizes[shared.row] + b_sizes[shared.col])
    seeds = []
    for r, c, d, n in zip(shared.row, shared.col, dice, shared.data):
        if d >= WINDOW_DICE:
            (i0, i1), (j0, j1) = a_spans[r], b_spans[c]
            seeds.append(Seed(i0, i1, j0, j1, int(n), windows=1))
    return seeds

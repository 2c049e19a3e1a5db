"""Seeds of an alignment: small pieces two texts certainly share, before extension.

- runs: maximal runs of identical normalised words around a shared word trigram
  (verbatim copy, spelling variants and diacritics already folded);
- sentences: sentence pairs whose content words overlap strongly (Dice), as in
  Sanchez-Perez et al. (PAN 2014): blind to word order, robust to substitutions;
- windows: overlapping windows of content words with a strong Dice overlap, for
  sentences the copy split or merged.

Word indices are half-open ``[a0, a1)`` into ``Tokens.words``.

Bounds. A text repeating one word or phrase makes nearly every pair of its positions a
candidate (a 10,000-word text: 10^8 pairs), so the work per pair of texts is capped:
- a trigram found more than ``MAX_GRAM_REPEATS`` times in ``b`` starts no run (a run
  still extends over it, backwards and forwards, from a rarer trigram);
- sentences and windows: at most ``MAX_BAG_MATCHES`` partners for each one of ``a`` (the
  highest Dice, then the earliest), the shared-word counts computed in blocks of at most
  ``MAX_MATRIX_CELLS`` cells;
- at most ``MAX_SEEDS`` seeds of each kind (runs: the longest; sentences and windows:
  the highest Dice), so extension and filtering stay linear in the text.
Real texts are far inside every bound (AraPlagDet and SaudiNewsNet: trigrams repeated at
most 54 times, at most 11 window and 5 sentence partners, at most ~2,000 runs a pair), so
their seeds are the same as without bounds.

Example:
    >>> from service.reuse.tokens import tokens
    >>> [(s.a0, s.a1, s.b0, s.b1) for s in runs(tokens("x y a b c d e z"), tokens("a b c d e"))]
    [(2, 7, 0, 5)]
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

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
# A text's units (sentences or windows): their word spans, content-word bags, and the bags' union.
Units = tuple[tuple[tuple[int, int], ...], tuple[frozenset[str], ...], frozenset[str]]
MAX_GRAM_REPEATS = 100  # a trigram more frequent than this in ``b`` starts no run
MAX_BAG_MATCHES = 32  # partners kept for each sentence or window of ``a``
MAX_SEEDS = 20_000  # seeds of one kind kept for one pair of texts
MAX_MATRIX_CELLS = 1_000_000  # float32 cells of one block of a shared-word count matrix (4 MB)

T = TypeVar("T")


@dataclass(slots=True)
class Seed:
    a0: int
    a1: int
    b0: int
    b1: int
    matched: int  # shared words
    longest: int = 0  # longest unbroken run of identical words
    windows: int = 0  # order-blind seeds merged in


def memo(t: Tokens, key: str, make: Callable[[Tokens], T]) -> T:
    """``make(t)``, computed once per Tokens (kept in ``t.memo``, freed with it)."""
    found = t.memo.get(key)
    if found is None:
        found = t.memo[key] = make(t)
    return found  # type: ignore[return-value]


def runs(a: Tokens, b: Tokens, *, min_length: int = SEED_NGRAM) -> list[Seed]:
    """Maximal runs of identical words (at least ``min_length``) that contain a shared
    word trigram, at most ``MAX_SEEDS`` (the longest) in the order found."""
    grams: dict[tuple[str, ...], list[int]] = defaultdict(list)
    bw, aw = b.words, a.words
    for j in range(len(bw) - SEED_NGRAM + 1):
        grams[bw[j : j + SEED_NGRAM]].append(j)
    for gram in [g for g, places in grams.items() if len(places) > MAX_GRAM_REPEATS]:
        del grams[gram]
    kept: list[tuple[int, int, int, int]] = []  # a min-heap of (length, -order, a start, b start)
    ends: dict[int, int] = {}  # diagonal (i - j) -> end in ``a`` of the last run found on it
    order = 0
    for i in range(len(aw) - SEED_NGRAM + 1):
        for j in grams.get(aw[i : i + SEED_NGRAM], ()):
            if ends.get(i - j, -1) > i:
                continue  # inside a run found already
            s, t = i, j
            while s > 0 and t > 0 and aw[s - 1] == bw[t - 1]:  # only over trigrams too frequent to start a run
                s, t = s - 1, t - 1
            k = i - s
            while s + k < len(aw) and t + k < len(bw) and aw[s + k] == bw[t + k]:
                k += 1
            ends[i - j] = s + k
            if k < min_length:
                continue
            order += 1
            entry = (k, -order, s, t)
            if len(kept) < MAX_SEEDS:
                heapq.heappush(kept, entry)
            elif entry > kept[0]:
                heapq.heapreplace(kept, entry)
    return [Seed(s, s + k, t, t + k, k, longest=k) for k, _, s, t in sorted(kept, key=lambda e: -e[1])]


def _sentence_units(t: Tokens) -> Units:
    """Spans and content-word bags of the text's sentences (those with enough content
    words), and the union of the bags."""
    spans, bags = [], []
    start = 0
    for i in range(1, len(t.words) + 1):
        if i == len(t.words) or t.sentence[i] != t.sentence[start]:
            words = frozenset(w for w, c in zip(t.words[start:i], t.content[start:i]) if c)
            if len(words) >= MIN_SENTENCE_CONTENT:
                spans.append((start, i))
                bags.append(words)
            start = i
    return tuple(spans), tuple(bags), frozenset().union(*bags)


def sentences(a: Tokens, b: Tokens) -> list[Seed]:
    """Sentence pairs with a high Dice coefficient of content words (order-blind)."""
    return _bag_seeds(a, b, "sentence_units", _sentence_units, dice=SENTENCE_DICE, weight=SENTENCE_WEIGHT)


def _windows(t: Tokens) -> Units:
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
    return _bag_seeds(a, b, "windows", _windows, dice=WINDOW_DICE, weight=1)


def _bag_seeds(a: Tokens, b: Tokens, name: str, units: Callable[[Tokens], Units], *, dice: float, weight: int) -> list[Seed]:
    """Seeds from the pairs of units (each side's, remembered under ``name``) whose
    content-word bags have a Dice coefficient of at least ``dice``."""
    a_spans, a_bags, a_words = memo(a, name, units)
    b_spans, b_bags, b_words = memo(b, name, units)
    seeds = []
    for r, c, shared in bag_pairs(a_bags, b_bags, a_words & b_words, dice=dice):
        (i0, i1), (j0, j1) = a_spans[r], b_spans[c]
        seeds.append(Seed(i0, i1, j0, j1, shared, windows=weight))
    return seeds


def bag_pairs(
    a_bags: Sequence[frozenset[str]], b_bags: Sequence[frozenset[str]], shared_words: frozenset[str], *, dice: float
) -> list[tuple[int, int, int]]:
    """(row of a, row of b, shared words) of the bag pairs whose Dice coefficient is at
    least ``dice``, in row order: at most ``MAX_BAG_MATCHES`` for each bag of ``a`` (the
    highest Dice, then the earliest) and ``MAX_SEEDS`` in all (the highest Dice).

    The shared counts are a matrix product over the words both sides have: dense when
    the matrices are small (the common case, fastest), else sparse, computed in blocks
    of rows of ``a`` so that no block holds more than ``MAX_MATRIX_CELLS`` cells.
    """
    if not shared_words or not a_bags or not b_bags:
        return []
    vocabulary = {w: i for i, w in enumerate(shared_words)}
    a_matrix, b_matrix = _incidence(a_bags, vocabulary), _incidence(b_bags, vocabulary)
    if (len(a_bags) + len(b_bags)) * len(vocabulary) <= MAX_MATRIX_CELLS:
        a_matrix, b_matrix = a_matrix.toarray(), b_matrix.toarray()
    b_transposed = b_matrix.T
    a_sizes = np.array([len(bag) for bag in a_bags], dtype=np.float32)
    b_sizes = np.array([len(bag) for bag in b_bags], dtype=np.float32)
    rows_per_block = max(1, MAX_MATRIX_CELLS // len(b_bags))
    rows_out, cols_out, counts_out, dice_out = [], [], [], []
    for r0 in range(0, len(a_bags), rows_per_block):
        block = a_matrix[r0 : r0 + rows_per_block] @ b_transposed
        shared = block.toarray() if sparse.issparse(block) else np.asarray(block)
        scores = 2 * shared / (a_sizes[r0 : r0 + rows_per_block, None] + b_sizes[None, :])
        ok = (shared > 0) & (scores >= dice)
        for r in np.flatnonzero(ok.sum(axis=1) > MAX_BAG_MATCHES):
            cols = np.flatnonzero(ok[r])
            ok[r] = False
            ok[r, cols[np.argsort(-scores[r, cols], kind="stable")[:MAX_BAG_MATCHES]]] = True
        rows, cols = np.nonzero(ok)
        rows_out.append(rows + r0)
        cols_out.append(cols)
        counts_out.append(shared[rows, cols])
        dice_out.append(scores[rows, cols])
    rows, cols = np.concatenate(rows_out), np.concatenate(cols_out)
    counts, scores = np.concatenate(counts_out), np.concatenate(dice_out)
    if len(rows) > MAX_SEEDS:
        best = np.lexsort((cols, rows, -scores))[:MAX_SEEDS]
        best.sort()  # back in row order (the arrays are in row order)
        rows, cols, counts = rows[best], cols[best], counts[best]
    return [(int(r), int(c), int(n)) for r, c, n in zip(rows, cols, counts)]


def _incidence(bags: Sequence[frozenset[str]], vocabulary: dict[str, int]) -> sparse.csr_matrix:
    """Bags x words, 1 where the bag holds the word (float32: exact for these counts)."""
    indices: list[int] = []
    indptr = [0]
    for bag in bags:
        indices += [vocabulary[w] for w in bag if w in vocabulary]
        indptr.append(len(indices))
    data = np.ones(len(indices), dtype=np.float32)
    return sparse.csr_matrix((data, np.asarray(indices, dtype=np.int32), np.asarray(indptr, dtype=np.int64)), shape=(len(bags), len(vocabulary)))

"""Verification and alignment: the maximal copied spans between two texts.

Two kinds of seeds, as the best PAN text-alignment systems use them:
- runs of identical normalised words (from shared word trigrams, extended greedily):
  verbatim copy, even when spelling variants and diacritics differ (normalisation);
- sentences and windows of content words whose bags overlap strongly (Dice
  coefficient; window pairs all at once as a sparse matrix product): copy with shuffled
  words, substitutions and small edits, which break word runs.
Seeds are then extended: neighbouring seeds whose gaps are small on both sides (a few
words inserted, deleted or changed; a sentence dropped) merge into one passage. Passages
that overlap an already accepted, longer one are dropped (one case per copied passage).

Offsets are character offsets into the two texts given. Example:
    >>> a = "Putin said relations began to change in strategic stability and regional crises. Other news."
    >>> b = "Weather first. Putin said relations began to change in strategic stability and the regional crises."
    >>> [(s.kind, a[s.a_start:s.a_end][:24]) for s in align(a, b)]
    [('edited', 'Putin said relations beg')]
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from rapidfuzz.distance import Indel
from scipy import sparse

from service.reuse.shingles import STOPWORDS
from service.text.normalize import normalize
from service.text.segment import WORD, sentences

SEED_NGRAM = 3
MIN_SEED_RUN = 4  # a lone shared trigram is a phrase ("الرئيس الروسي فلاديمير"), not a seed
MAX_GAP_WORDS = 6  # inserted/deleted/changed words bridged between two seeds
MERGE_GAP_WORDS = 40  # accepted passages this close on both sides are one case
MIN_SPAN_WORDS = 12  # shorter shared runs are set phrases (official titles), not copying
# A passage needs one unbroken run this long (or several window seeds): titles and
# names ("الرئيس الروسي فلاديمير بوتين") are shared by every report of a story, in runs of 4-5.
MIN_RUN_WORDS = 6
MIN_DENSITY = 0.5  # matched words / span words, on the shorter side
# Order-blind seeds: windows of content words whose bags overlap by this Dice coefficient
# (shuffled words, substituted synonyms). A passage built of them alone needs several.
MIN_WINDOW_SEEDS = 3
# (content words, stride, Dice threshold, weight) per scale: a large window this similar
# is evidence enough on its own (weight MIN_WINDOW_SEEDS); small ones must add up.
WINDOW_SCALES = ((16, 8, 0.5, 1), (48, 12, 0.45, MIN_WINDOW_SEEDS))
MIN_WINDOW_WORDS = 8
# A whole sentence pair this similar (content-word Dice) counts as strong as that.
SENTENCE_DICE = 0.6
MIN_SENTENCE_CONTENT = 5


@dataclass(frozen=True, slots=True)
class CopiedSpan:
    """``a[a_start:a_end]`` and ``b[b_start:b_end]`` are the same passage.

    ``kind`` is ``verbatim`` (identical after normalisation) or ``edited``;
    ``similarity`` (0-1) is the Indel similarity of their normalised words.
    """

    a_start: int
    a_end: int
    b_start: int
    b_end: int
    kind: str
    similarity: float


@dataclass(frozen=True, slots=True)
class Tokens:
    """Normalised words of a text with their original character spans."""

    words: tuple[str, ...]
    starts: tuple[int, ...]
    ends: tuple[int, ...]

    @classmethod
    def of(cls, text: str) -> Tokens:
        return _tokens(text)

    def index_at(self, offset: int) -> int:
        """Index of the first word starting at or after ``offset``."""
        from bisect import bisect_left

        return bisect_left(self.starts, offset)


@lru_cache(maxsize=2048)
def _tokens(text: str) -> Tokens:
    # Cached: a source text is aligned against many queries.
    n = normalize(text)
    matches = list(WORD.finditer(n.text))
    return Tokens(
        tuple(m.group() for m in matches),
        tuple(n.starts[m.start()] for m in matches),
        tuple(n.ends[m.end() - 1] for m in matches),
    )


@lru_cache(maxsize=4096)
def _trigrams(text: str) -> frozenset[tuple[str, ...]]:
    words = _tokens(text).words
    return frozenset(words[i : i + SEED_NGRAM] for i in range(len(words) - SEED_NGRAM + 1))


def shared_trigrams(a_text: str, b_text: str) -> int:
    """Distinct word trigrams the two texts share: a cheap test before a full alignment."""
    return len(_trigrams(a_text) & _trigrams(b_text))


@lru_cache(maxsize=4096)
def _windows(text: str, size: int = 16, stride: int = 8) -> tuple[tuple[tuple[int, int], ...], tuple[frozenset[str], ...]]:
    """Overlapping windows of ``size`` content words: (first word, end word) spans and word sets."""
    tokens = _tokens(text)
    content = [i for i, w in enumerate(tokens.words) if w not in STOPWORDS and len(w) > 1]
    spans, bags = [], []
    for k in range(0, max(len(content) - size, 0) + 1, stride):
        chunk = content[k : k + size]
        if len(chunk) < MIN_WINDOW_WORDS:
            break
        spans.append((chunk[0], chunk[-1] + 1))
        bags.append(frozenset(tokens.words[i] for i in chunk))
    return tuple(spans), tuple(bags)


@lru_cache(maxsize=2048)
def _sentence_units(text: str) -> tuple[tuple[int, int, frozenset[str]], ...]:
    """(first word, end word, content words) of each sentence with enough content."""
    tokens = _tokens(text)
    out = []
    for span in sentences(text):
        i0, i1 = tokens.index_at(span.start), tokens.index_at(span.end)
        words = _content(tokens.words[i0:i1])
        if len(words) >= MIN_SENTENCE_CONTENT:
            out.append((i0, i1, frozenset(words)))
    return tuple(out)


@dataclass(slots=True)
class _Seed:
    a0: int  # word indices, half-open
    a1: int
    b0: int
    b1: int
    matched: int
    longest: int = 0  # longest unbroken run of identical words
    windows: int = 0  # order-blind window seeds merged in


def _runs(a: Tokens, b: Tokens) -> list[_Seed]:
    """Maximal runs of identical words that contain a shared trigram."""
    grams: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for i in range(len(b.words) - SEED_NGRAM + 1):
        grams[b.words[i : i + SEED_NGRAM]].append(i)
    seeds: list[_Seed] = []
    covered: set[tuple[int, int]] = set()  # (i - j) diagonals already extended at i
    for i in range(len(a.words) - SEED_NGRAM + 1):
        for j in grams.get(a.words[i : i + SEED_NGRAM], ()):
            if (i, j) in covered:
                continue
            k = 0
            while i + k < len(a.words) and j + k < len(b.words) and a.words[i + k] == b.words[j + k]:
                covered.add((i + k, j + k))
                k += 1
            seeds.append(_Seed(i, i + k, j, j + k, k, longest=k))
    return seeds


def _content(words: tuple[str, ...]) -> set[str]:
    return {w for w in words if w not in STOPWORDS and len(w) > 1}


def _sentence_seeds(a_text: str, b_text: str) -> list[_Seed]:
    """Sentence pairs with a high Dice coefficient of content words (order-blind)."""
    b_units = _sentence_units(b_text)
    by_word: dict[str, list[int]] = defaultdict(list)
    for n, (_, _, words) in enumerate(b_units):
        for w in words:
            by_word[w].append(n)
    seeds = []
    for i0, i1, words in _sentence_units(a_text):
        overlap: dict[int, int] = defaultdict(int)
        for w in words:
            for n in by_word.get(w, ()):
                overlap[n] += 1
        for n, shared in overlap.items():
            j0, j1, other = b_units[n]
            if 2 * shared / (len(words) + len(other)) >= SENTENCE_DICE:
                seeds.append(_Seed(i0, i1, j0, j1, shared, windows=MIN_WINDOW_SEEDS))
    return seeds


def _window_seeds(a_text: str, b_text: str, scales: tuple[tuple[int, int, float, int], ...]) -> list[_Seed]:
    """Window pairs, at several sizes, whose content-word bags overlap strongly: order-blind seeds.

    Small windows catch substitutions and local shuffles; large ones catch a passage whose
    words were shuffled throughout (no small window of it resembles any of the source's).
    """
    seeds = []
    for size, stride, threshold, weight in scales:
        seeds += _window_seeds_at(a_text, b_text, size, stride, threshold, weight)
    return seeds


def _window_seeds_at(a_text: str, b_text: str, size: int, stride: int, threshold: float, weight: int) -> list[_Seed]:
    a_spans, a_bags = _windows(a_text, size, stride)
    b_spans, b_bags = _windows(b_text, size, stride)
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
    shape = len(vocabulary)
    a_m = sparse.csr_matrix((np.ones(len(a_rows), dtype=np.float32), (a_rows, a_cols)), shape=(len(a_bags), shape))
    b_m = sparse.csr_matrix((np.ones(len(b_rows), dtype=np.float32), (b_rows, b_cols)), shape=(len(b_bags), shape))
    shared = (a_m @ b_m.T).tocoo()  # shared words of every window pair, computed at once
    a_sizes = np.asarray(a_m.sum(axis=1)).ravel()
    b_sizes = np.asarray(b_m.sum(axis=1)).ravel()
    dice = 2 * shared.data / (a_sizes[shared.row] + b_sizes[shared.col])
    seeds = []
    for r, c, d, n in zip(shared.row, shared.col, dice, shared.data):
        if d >= threshold:
            (i0, i1), (j0, j1) = a_spans[r], b_spans[c]
            seeds.append(_Seed(i0, i1, j0, j1, int(n), windows=weight))
    return seeds


def _chain(seeds: list[_Seed]) -> list[_Seed]:
    """Merge seeds that follow each other on both sides with small gaps.

    In ``a`` order, each seed joins the open chain it continues most closely (smallest
    gap on both sides, forward in ``b``), or starts a chain of its own.
    """
    chains: list[_Seed] = []
    for seed in sorted(seeds, key=lambda s: (s.a0, s.b0)):
        best, best_gap = None, None
        for chain in chains[-12:]:
            a_gap, b_gap = seed.a0 - chain.a1, seed.b0 - chain.b1
            forward = seed.b1 > chain.b1 - MAX_GAP_WORDS and seed.a1 > chain.a1 - MAX_GAP_WORDS
            if forward and -MAX_GAP_WORDS <= a_gap <= MAX_GAP_WORDS and -MAX_GAP_WORDS <= b_gap <= MAX_GAP_WORDS:
                gap = abs(a_gap) + abs(b_gap)
                if best_gap is None or gap < best_gap:
                    best, best_gap = chain, gap
        if best is None:
            chains.append(_Seed(seed.a0, seed.a1, seed.b0, seed.b1, seed.matched, seed.longest, seed.windows))
            continue
        best.a1, best.b1 = max(best.a1, seed.a1), max(best.b1, seed.b1)
        best.b0 = min(best.b0, seed.b0)
        best.matched += seed.matched
        best.longest = max(best.longest, seed.longest)
        best.windows += seed.windows
    return chains


def align(a_text: str, b_text: str) -> list[CopiedSpan]:
    """The copied passages shared by two texts, longest first, never overlapping."""
    a, b = Tokens.of(a_text), Tokens.of(b_text)
    if not a.words or not b.words:
        return []
    precise = [s for s in _runs(a, b) if s.matched >= MIN_SEED_RUN] + _sentence_seeds(a_text, b_text)
    precise += _window_seeds(a_text, b_text, WINDOW_SCALES[:1])
    # Large windows come second: they only fill places the precise seeds left empty, so
    # their loose bounding boxes never crowd out an exact passage.
    accepted = _accept(_chain(_chain(precise)), [])
    accepted = _accept(_chain(_chain(_window_seeds(a_text, b_text, WINDOW_SCALES[1:]))), accepted)
    spans = []
    for chain in _merge_neighbours(accepted):
        a_words, b_words = a.words[chain.a0 : chain.a1], b.words[chain.b0 : chain.b1]
        spans.append(
            CopiedSpan(
                a.starts[chain.a0],
                a.ends[chain.a1 - 1],
                b.starts[chain.b0],
                b.ends[chain.b1 - 1],
                "verbatim" if a_words == b_words else "edited",
                round(Indel.normalized_similarity(a_words, b_words), 4),
            )
        )
    return sorted(spans, key=lambda s: s.a_start)


def _accept(chains: list[_Seed], accepted: list[_Seed]) -> list[_Seed]:
    """Add the chains that make a passage and overlap nothing accepted, longest first."""
    accepted = list(accepted)
    for chain in sorted(chains, key=lambda c: -(c.a1 - c.a0 + c.b1 - c.b0)):
        shorter = min(chain.a1 - chain.a0, chain.b1 - chain.b0)
        longer = max(chain.a1 - chain.a0, chain.b1 - chain.b0)
        if shorter < MIN_SPAN_WORDS or min(chain.matched, shorter) / longer < MIN_DENSITY:
            continue
        if chain.longest < MIN_RUN_WORDS and chain.windows < MIN_WINDOW_SEEDS:
            continue
        if any(c.a0 < chain.a1 and chain.a0 < c.a1 for c in accepted) or any(c.b0 < chain.b1 and chain.b0 < c.b1 for c in accepted):
            continue
        accepted.append(chain)
    return accepted


def _merge_neighbours(passages: list[_Seed]) -> list[_Seed]:
    """One case per copied passage: accepted passages close on both sides merge, in any order
    (phrase-shuffled copies come out as pieces whose order differs between the texts)."""
    merged = sorted(passages, key=lambda p: p.a0)
    changed = True
    while changed:
        changed = False
        for i in range(len(merged)):
            for j in range(i + 1, len(merged)):
                p, q = merged[i], merged[j]
                a_gap = max(p.a0, q.a0) - min(p.a1, q.a1)
                b_gap = max(p.b0, q.b0) - min(p.b1, q.b1)
                if a_gap <= MERGE_GAP_WORDS and b_gap <= MERGE_GAP_WORDS:
                    merged[i] = _Seed(min(p.a0, q.a0), max(p.a1, q.a1), min(p.b0, q.b0), max(p.b1, q.b1),
                                      p.matched + q.matched, max(p.longest, q.longest), p.windows + q.windows)
                    del merged[j]
                    changed = True
                    break
            if changed:
                break
    return merged

"""Verification and alignment: the maximal copied passages between two texts.

After Sanchez-Perez, Sidorov and Gelbukh (PAN 2014), adapted to news and Arabic:
1. screen: no dense stretch of shared content words, no alignment (service.reuse.bags);
2. seeds (service.reuse.seeds, bags): identical word runs, similar sentences and
   windows (order-blind Dice of content words), and same-bag regions (shuffled words);
3. extension: seeds that follow each other with small gaps on both sides chain into
   one passage (inserted, deleted or changed words; a sentence dropped);
4. filtering: a passage needs enough words, density, and one strong seed; passages
   overlapping a longer accepted one are dropped; a shorter run of identical words
   (``MIN_RUN_WORDS``) close on both sides to an accepted passage continues it (a copied
   sentence after a dropped one); accepted passages close on both sides merge in any
   order (phrase-shuffled copies) so that one copy is one case.

Bounds, so that any two texts align in bounded time and memory: each text is aligned on
its first ``MAX_ALIGN_WORDS`` words (and first ``MAX_ALIGN_CHARS`` characters, cut at a
space), a passage beyond them is not found; the seeds are capped (service.reuse.seeds),
and at most ``MAX_PASSAGES`` passages are kept, those with the most matched words. The
longest AraPlagDet document has 23,565 words (137,924 characters), the longest
SaudiNewsNet article 6,064 words, and no real pair comes near the other caps.

Offsets are character offsets into the two ORIGINAL texts given. Example:
    >>> a = "Putin said relations began to change in strategic stability and regional crises. Other news."
    >>> b = "Weather first. Putin said relations began to change in strategic stability and the regional crises."
    >>> [(s.kind, a[s.a_start:s.a_end][:24]) for s in align(a, b)]
    [('edited', 'Putin said relations beg')]
"""

from __future__ import annotations

from bisect import bisect_left

from rapidfuzz.distance import Indel

from service.reuse import bags, seeds
from service.reuse.seeds import Seed
from service.reuse.spans import CopiedSpan
from service.reuse.tokens import Tokens, tokens

__all__ = ["CopiedSpan", "align", "aligned_length", "MIN_SPAN_WORDS", "MAX_ALIGN_WORDS", "MAX_ALIGN_CHARS"]

MAX_ALIGN_WORDS = 30_000  # words of each text aligned
MAX_ALIGN_CHARS = 300_000  # characters of each text read (30,000 words of Arabic are ~180,000)
MAX_PASSAGES = 256  # accepted passages of one pair (real pairs: at most a dozen)

MIN_SEED_RUN = 4  # a lone shared trigram is a phrase, not a seed
MAX_GAP_WORDS = 6  # inserted/deleted/changed words bridged between two seeds
MERGE_GAP_WORDS = 40  # accepted passages this close on both sides are one case
MIN_SPAN_WORDS = 12  # shorter shared runs are set phrases (official titles), not copying
# A passage needs one unbroken run this long, or order-blind seeds: titles and names
# ("الرئيس الروسي فلاديمير بوتين") are shared by every report of a story, in runs of 4-5.
MIN_RUN_WORDS = 6
MIN_WINDOW_SEEDS = 3
MIN_DENSITY = 0.5  # matched words / span words, on the longer side


def _chain(found: list[Seed]) -> list[Seed]:
    """Merge seeds that follow each other on both sides with small gaps (in ``a`` order)."""
    chains: list[Seed] = []
    for seed in sorted(found, key=lambda s: (s.a0, s.b0)):
        best, best_gap = None, None
        for chain in chains[-12:]:
            a_gap, b_gap = seed.a0 - chain.a1, seed.b0 - chain.b1
            forward = seed.b1 > chain.b1 - MAX_GAP_WORDS and seed.a1 > chain.a1 - MAX_GAP_WORDS
            if forward and -MAX_GAP_WORDS <= a_gap <= MAX_GAP_WORDS and -MAX_GAP_WORDS <= b_gap <= MAX_GAP_WORDS:
                gap = abs(a_gap) + abs(b_gap)
                if best_gap is None or gap < best_gap:
                    best, best_gap = chain, gap
        if best is None:
            chains.append(Seed(seed.a0, seed.a1, seed.b0, seed.b1, seed.matched, seed.longest, seed.windows))
            continue
        best.a1, best.b1 = max(best.a1, seed.a1), max(best.b1, seed.b1)
        best.a0, best.b0 = min(best.a0, seed.a0), min(best.b0, seed.b0)
        best.matched += seed.matched
        best.longest = max(best.longest, seed.longest)
        best.windows += seed.windows
    return chains


def _mergeable(p: Seed, q: Seed) -> bool:
    a_gap = max(p.a0, q.a0) - min(p.a1, q.a1)
    b_gap = max(p.b0, q.b0) - min(p.b1, q.b1)
    # Pieces of one shuffled passage are near on both sides; two copies of one source
    # passage overlap in ``b``: they stay two cases.
    b_overlap = -b_gap > min(p.b1 - p.b0, q.b1 - q.b0) / 2
    return a_gap <= MERGE_GAP_WORDS and b_gap <= MERGE_GAP_WORDS and not b_overlap


def _union(p: Seed, q: Seed) -> Seed:
    return Seed(min(p.a0, q.a0), max(p.a1, q.a1), min(p.b0, q.b0), max(p.b1, q.b1),
                p.matched + q.matched, max(p.longest, q.longest), p.windows + q.windows)


def _merge_neighbours(passages: list[Seed]) -> list[Seed]:
    """Accepted passages close on both sides merge, in any order (phrase-shuffled copies).

    The rule: sorted by start in ``a``, the first mergeable pair (i, j) (lowest i, then j)
    merges into i, until no pair is mergeable. Scanning again from the start after each
    merge would cost k^3 pair tests; but after a merge into i only pairs holding the new
    passage can be mergeable before i, so the scan goes on from there (k^2 in all).
    """
    merged = sorted(passages, key=lambda p: p.a0)
    i = 0  # no pair (x, y) with x < i is mergeable
    while i < len(merged):
        j = next((j for j in range(i + 1, len(merged)) if _mergeable(merged[i], merged[j])), None)
        if j is None:
            i += 1
            continue
        merged[i] = _union(merged[i], merged[j])
        del merged[j]
        while (x := next((x for x in range(i) if _mergeable(merged[x], merged[i])), None)) is not None:
            merged[x] = _union(merged[x], merged[i])
            del merged[i]
            i = x
    return merged


def _accept(chains: list[Seed], a: Tokens, b: Tokens) -> list[Seed]:
    accepted: list[Seed] = []
    taken: list[tuple[int, int]] = []  # the accepted passages' [a0, a1), disjoint, by start
    short: list[Seed] = []

    def take(chain: Seed) -> bool:
        # One case per place in ``a``; a source passage copied twice into ``a`` is two cases.
        at = bisect_left(taken, (chain.a0, chain.a1))
        if (at > 0 and taken[at - 1][1] > chain.a0) or (at < len(taken) and taken[at][0] < chain.a1):
            return False
        taken.insert(at, (chain.a0, chain.a1))
        accepted.append(chain)
        return True

    # Most matched words first: an exact run beats the looser box of windows around it.
    for chain in sorted(chains, key=lambda c: (-c.matched, -(c.a1 - c.a0 + c.b1 - c.b0))):
        a_len, b_len = chain.a1 - chain.a0, chain.b1 - chain.b0
        if min(chain.matched, a_len, b_len) / max(a_len, b_len) < MIN_DENSITY:
            continue
        if min(a_len, b_len) < MIN_SPAN_WORDS:
            if chain.longest >= MIN_RUN_WORDS and chain.longest == a_len == b_len:  # one identical run
                short.append(chain)
            continue
        if chain.longest < MIN_RUN_WORDS and chain.windows < MIN_WINDOW_SEEDS:
            continue
        if take(chain) and len(accepted) == MAX_PASSAGES:
            return accepted
    # A short identical run is a set phrase alone, but beside a copied passage it is the
    # copy going on: kept when an accepted passage is close on both sides.
    passages = list(accepted)
    for chain in short:
        if not any(_mergeable(chain, p) for p in passages):
            continue
        chain = _trimmed(chain, taken)  # a run may share its first or last word with the passage
        if chain is not None and take(chain) and len(accepted) == MAX_PASSAGES:
            break
    return accepted


def _trimmed(run: Seed, taken: list[tuple[int, int]]) -> Seed | None:
    """An identical run (as long on both sides) without the words an accepted passage holds
    at its ends (its two sides move together), or None when under ``MIN_RUN_WORDS`` remain."""
    a0, a1 = run.a0, run.a1
    for start, end in taken:
        if start <= a0 < end:
            a0 = end
        if start < a1 <= end:
            a1 = start
    if a1 - a0 < MIN_RUN_WORDS:
        return None
    b0 = run.b0 + (a0 - run.a0)
    return Seed(a0, a1, b0, b0 + (a1 - a0), a1 - a0, a1 - a0, 0)


def aligned_length(text: str) -> int:
    """How many characters of ``text`` alignment reads: up to the end of its last aligned word."""
    words = _bounded(text)
    return words.ends[-1] if len(words) else 0


def _bounded(text: str) -> Tokens:
    """The words of ``text`` that are aligned (see the module docstring's bounds)."""
    if len(text) > MAX_ALIGN_CHARS:
        cut = max(text.rfind(" ", 0, MAX_ALIGN_CHARS + 1), text.rfind("\n", 0, MAX_ALIGN_CHARS + 1))
        text = text[: cut if cut > MAX_ALIGN_CHARS // 2 else MAX_ALIGN_CHARS]
    return tokens(text).head(MAX_ALIGN_WORDS)


def align(a_text: str, b_text: str) -> list[CopiedSpan]:
    """The copied passages shared by two texts, in ``a`` order, never overlapping.

    Raises TypeError when either text is not a ``str``; texts too short to hold a
    passage of ``MIN_SPAN_WORDS`` words give ``[]``. Only the first ``MAX_ALIGN_WORDS``
    words of each text are aligned.
    """
    for text in (a_text, b_text):
        if not isinstance(text, str):
            raise TypeError(f"text must be str, not {type(text).__name__}")
    a, b = _bounded(a_text), _bounded(b_text)
    if min(len(a), len(b)) < MIN_SPAN_WORDS or not bags.screen(a, b):
        return []
    found = seeds.runs(a, b, min_length=MIN_SEED_RUN)
    found += seeds.sentences(a, b) + seeds.windows(a, b) + bags.shuffled(a, b)
    accepted = _accept(_chain(_chain(found)), a, b)
    spans = []
    for p in _merge_neighbours(accepted):
        a_words, b_words = a.words[p.a0 : p.a1], b.words[p.b0 : p.b1]
        spans.append(
            CopiedSpan(
                a.starts[p.a0], a.ends[p.a1 - 1], b.starts[p.b0], b.ends[p.b1 - 1],
                "verbatim" if a_words == b_words else "edited",
                round(Indel.normalized_similarity(a_words, b_words), 4),
            )
        )
    return sorted(spans, key=lambda s: s.a_start)

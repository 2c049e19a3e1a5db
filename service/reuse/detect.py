"""Finding the copies of a text: index candidates, then alignment to verify and locate them.

``find_copies`` is what the service runs for an article (``service.eval.pan_corpus`` runs
it over a PAN-format corpus).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from service.reuse.align import CopiedSpan, align, aligned_length
from service.reuse.index import PassageIndex
from service.reuse.signatures import PassageSignature, sign_passages

MAX_CANDIDATES = 20  # articles always verified per query, most shared text first
# Further candidates (up to MAX_SCREENED) are verified when the index estimates at least
# half a passage shared: copies keep that; the long tail of a query is topical neighbours
# (words shuffled throughout a passage are the copies this leaves to the first 20).
MAX_SCREENED = 300
MIN_EXTRA_JACCARD = 0.5


@dataclass(frozen=True, slots=True)
class Copy:
    """Article ``other_id`` shares ``spans`` with the queried text (a: the text, b: the other)."""

    other_id: int
    spans: tuple[CopiedSpan, ...]
    passage_hits: int
    jaccard: float = 0.0  # the index's estimate of shared text (see PassageIndex.ranked)


def find_copies(
    text: str,
    index: PassageIndex,
    load_text: Callable[[int], str],
    *,
    signatures: list[PassageSignature] | None = None,
    exclude: int | None = None,
    before: int | None = None,
    max_candidates: int = MAX_CANDIDATES,
) -> list[Copy]:
    """Every indexed article sharing a verified passage with ``text``, most shared first.

    Only the part of ``text`` that alignment reads (``MAX_ALIGN_WORDS``) is looked up: a
    passage beyond it could not be verified, and each looked-up passage costs index hits.
    At most ``MAX_SCREENED`` candidates are aligned; ``before``: only articles of smaller ids.
    """
    signed = signatures if signatures is not None else sign_passages(text)
    end = aligned_length(text)
    signed = [s for s in signed if s.start < end]
    copies = []
    # Ranked by estimated Jaccard, not passage hits: a topical neighbour hits many passages.
    ranked = index.ranked(signed, exclude=exclude, before=before)[:MAX_SCREENED]
    for rank, candidate in enumerate(ranked):
        if rank >= max_candidates and candidate.jaccard < MIN_EXTRA_JACCARD:
            break  # ranked by jaccard: no later candidate clears it either
        spans = align(text, load_text(candidate.article_id))
        if spans:
            copies.append(Copy(candidate.article_id, tuple(spans), candidate.passage_hits, candidate.jaccard))
    return sorted(copies, key=lambda c: -sum(s.a_end - s.a_start for s in c.spans))

"""Sentence and quote alignment between two articles, and the figures they disagree on.

Sentences: each sentence of one article is paired with its most similar sentence of the
other (cosine of multilingual-e5 vectors, or rapidfuzz alone without an encoder) when the
pair is close enough; both directions are kept, so one outlet's merged sentence pairs
with the other's two (many-to-one). The kind comes from the wording: ``verbatim`` (same
words after normalisation), ``edited`` (mostly the same words), ``paraphrase`` (same
content, other words) or ``translation`` (other language).

Quotes: two quotes are one statement when their speakers are the same person (by name,
across scripts by consonant skeleton, or by a title the other article names) and their
wordings are close; the word diff is rapidfuzz Indel opcodes over normalised words.

Example:
    >>> kind_of("the talks were good", "the talks were very good", same_language=True)
    'edited'
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz
from rapidfuzz.distance import Indel
from rapidfuzz.process import cdist

from service.compare.result import WordChange
from service.text.names import name_skeleton
from service.text.normalize import normalize
from service.text.quotes import Quote

VERBATIM_RATIO = 97.0  # score_cutoff scale (0-100), as rapidfuzz
EDITED_RATIO = 70.0
# Cosines of CENTRED vectors (the mean vector of both articles' sentences subtracted):
# raw e5 cosines of any two sentences of one story are 0.83-0.92, which says "same topic";
# centred, the seeds' renderings of one statement score 0.72-0.99 and other pairs <= 0.41.
SAME_LANGUAGE_COSINE = 0.55
CROSS_LANGUAGE_COSINE = 0.5
QUOTE_COSINE = 0.55
QUOTE_PARTIAL = 80.0  # partial_ratio: one outlet quotes part of what the other quotes
_NUMBER = re.compile(r"\d+(?:[.,]\d+)?\s*%?")


@dataclass(frozen=True, slots=True)
class SentencePair:
    a: int  # index into a's sentences
    b: int
    kind: str
    similarity: float


def words_of(text: str) -> list[str]:
    return normalize(text).text.split()


def kind_of(a: str, b: str, *, same_language: bool) -> str:
    if not same_language:
        return "translation"
    ratio = fuzz.ratio(" ".join(words_of(a)), " ".join(words_of(b)))
    if ratio >= VERBATIM_RATIO:
        return "verbatim"
    return "edited" if ratio >= EDITED_RATIO else "paraphrase"


def align_sentences(
    a: list[str], b: list[str], vectors_a: np.ndarray | None, vectors_b: np.ndarray | None, *, same_language: bool
) -> list[SentencePair]:
    """Pairs of sentences that say the same thing (see the module docstring)."""
    if not a or not b:
        return []
    folded_a, folded_b = [" ".join(words_of(s)) for s in a], [" ".join(words_of(s)) for s in b]
    # All pairs in one call (up to 1,500 x 1,500 sentences: a Python loop took seconds).
    ratios = cdist(folded_a, folded_b, scorer=fuzz.ratio, dtype=np.float32) / np.float32(100.0) if same_language else None
    if vectors_a is not None and vectors_b is not None:
        scores = vectors_a @ vectors_b.T
        threshold = SAME_LANGUAGE_COSINE if same_language else CROSS_LANGUAGE_COSINE
        if ratios is not None:  # near-identical wording counts whatever the vectors say
            scores = np.maximum(scores, np.where(ratios >= EDITED_RATIO / 100, ratios, 0.0))
    elif ratios is not None:
        scores, threshold = ratios, EDITED_RATIO / 100
    else:
        return []
    chosen: set[tuple[int, int]] = set()
    for i in range(len(a)):
        j = int(np.argmax(scores[i]))
        if scores[i, j] >= threshold:
            chosen.add((i, j))
    for j in range(len(b)):
        i = int(np.argmax(scores[:, j]))
        if scores[i, j] >= threshold:
            chosen.add((i, j))
    return [SentencePair(i, j, kind_of(a[i], b[j], same_language=same_language), round(float(scores[i, j]), 4)) for i, j in sorted(chosen)]


def same_speaker(qa: Quote, qb: Quote, *, titles_a: dict[str, str], titles_b: dict[str, str]) -> bool:
    """Same person: the same name (or skeleton, across scripts), or a title the other names."""
    ka = qa.speaker_key or _by_title(qa.speaker_title, titles_b)
    kb = qb.speaker_key or _by_title(qb.speaker_title, titles_a)
    if not ka or not kb:
        return False
    return ka == kb or name_skeleton(ka) == name_skeleton(kb)


def _by_title(title: str | None, titles: dict[str, str]) -> str | None:
    if not title:
        return None
    for known, name in titles.items():
        if title == known or title.endswith(known) or known.endswith(title):
            return name
    return None


def quote_similarity(a: str, b: str, *, same_language: bool) -> float:
    """0-1 wording overlap, one rendering may hold only part of the other (0 across languages)."""
    if not same_language:
        return 0.0
    return fuzz.partial_ratio(" ".join(words_of(a)), " ".join(words_of(b))) / 100.0


def is_same_statement(similarity: float, cosine: float | None) -> bool:
    """One statement: close vectors, or one rendering (nearly) inside the other."""
    return (cosine is not None and cosine >= QUOTE_COSINE) or similarity >= QUOTE_PARTIAL / 100.0


def word_diff(a: str, b: str) -> tuple[WordChange, ...]:
    """Word-level differences of two renderings (equal runs left out)."""
    wa, wb = words_of(a), words_of(b)
    return tuple(
        WordChange(op.tag, " ".join(wa[op.src_start : op.src_end]), " ".join(wb[op.dest_start : op.dest_end]))
        for op in Indel.opcodes(wa, wb)
        if op.tag != "equal"
    )


def figures(text: str) -> set[str]:
    """Numbers and percentages of a text, normalised (Arabic-Indic digits, spaces before %)."""
    return {re.sub(r"\s+", "", m.group()).replace(",", ".") for m in _NUMBER.finditer(normalize(text).text)}

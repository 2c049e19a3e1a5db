"""Passages and their shingles: what the MinHash signatures are computed over.

A passage is a sentence of the cleaned text (short sentences merged with the next until
``MIN_PASSAGE_WORDS``; long ones cut into windows of ``MAX_PASSAGE_WORDS``), so a
copied paragraph inside a longer article still has passages of its own. Shingles are
the passage's normalised content words (function words dropped): a bag of words is
blind to word order, so shuffled and lightly edited copies keep a high Jaccard; the
alignment step checks order and wording afterwards. Text without spaces (Chinese,
Japanese, Thai) is shingled by character trigrams instead.

Example:
    >>> [p.words for p in passages("Putin met Pompeo in Sochi on Tuesday and discussed Syria, Iran and Venezuela.")]
    [13]
"""

from __future__ import annotations

import re
import zlib
from bisect import bisect_left
from dataclasses import dataclass

from service.text.normalize import normalize
from service.text.segment import WORD, sentences

MIN_PASSAGE_WORDS = 8
MAX_PASSAGE_WORDS = 40
CHAR_NGRAM = 3

# Frequent function words (normalised), which every sentence of a language shares.
STOPWORDS = frozenset(
    """في من على الى ان او و ثم عن مع هذا هذه ذلك التي الذي الذين كان كانت قد لا ما لم لن
    كما بين بعد قبل عند حتى اي كل هو هي هم انه انها به بها له لها ضد خلال حول منذ اذا لكن
    the a an of to in and or for on at by with from as is are was were be been that this it its
    le la les de des du un une et ou en au aux pour par sur dans que qui est sont
    bir ve ile da de bu için olarak""".split()
)


@dataclass(frozen=True, slots=True)
class Passage:
    """A passage of a text: its character span and its shingle hashes (stable, 32-bit)."""

    start: int
    end: int
    words: int
    shingles: tuple[int, ...]


def _hash(token: str) -> int:
    return zlib.crc32(token.encode("utf-8"))


def _spaceless(text: str) -> bool:
    letters = sum(c.isalpha() for c in text)
    return letters > 20 and text.count(" ") < letters / 30


def shingle(text: str) -> tuple[int, ...]:
    """The sorted, distinct shingle hashes of a piece of text."""
    return _shingle_normalised(normalize(text).text)


def _shingle_normalised(normalised: str, spaceless: bool | None = None) -> tuple[int, ...]:
    if _spaceless(normalised) if spaceless is None else spaceless:
        compact = re.sub(r"\W+", "", normalised)
        grams = {compact[i : i + CHAR_NGRAM] for i in range(max(1, len(compact) - CHAR_NGRAM + 1))}
    else:
        grams = {w for w in WORD.findall(normalised) if w not in STOPWORDS and (len(w) > 1 or w.isdigit())}
    return tuple(sorted({_hash(g) for g in grams if g}))


def passages(text: str) -> list[Passage]:
    """The passages of a text (offsets into ``text``); a text too short for one is one passage."""
    units: list[tuple[int, int, int]] = []  # (start, end, words)
    for span in sentences(text):
        tokens = list(WORD.finditer(text, span.start, span.end))
        for i in range(0, len(tokens), MAX_PASSAGE_WORDS):
            chunk = tokens[i : i + MAX_PASSAGE_WORDS]
            start = span.start if i == 0 else chunk[0].start()
            end = span.end if i + MAX_PASSAGE_WORDS >= len(tokens) else chunk[-1].end()
            units.append((start, end, len(chunk)))
    merged: list[tuple[int, int, int]] = []
    for start, end, words in units:
        if merged and merged[-1][2] < MIN_PASSAGE_WORDS:
            previous = merged.pop()
            merged.append((previous[0], end, previous[2] + words))
        else:
            merged.append((start, end, words))
    if len(merged) > 1 and merged[-1][2] < MIN_PASSAGE_WORDS:
        last, previous = merged.pop(), merged.pop()
        merged.append((previous[0], last[1], previous[2] + last[2]))
    if not merged and text.strip():
        merged = [(0, len(text), len(WORD.findall(text)))]
    # Normalise once; each passage's shingles come from its slice of the normalised text.
    n = normalize(text)
    spaceless = _spaceless(n.text)  # once per text: the script does not change between passages
    out = []
    for s, e, w in merged:
        i, j = bisect_left(n.starts, s), bisect_left(n.starts, e)
        out.append(Passage(s, e, w, _shingle_normalised(n.text[i:j], spaceless)))
    return out

"""Templates are not copies: fixed wording with other slots, or set text of two happenings.

News feeds repeat wording that nobody copied from one article into another: the royal
cable "congratulates President X of Y on the national day", the daily market close with
other figures, the full titles of the Crown Prince, a list of officials attending. Two
articles sharing such text report different happenings, and three signs tell them from a
copy or a shared agency story, read with the word frequencies of the stored corpus:

- **slots filled differently.** Inside an aligned passage, the words the alignment
  substitutes (a name, a country, a figure) are missing from the other article as a whole.
  Weighted by rarity, a template passage has at least ``SLOT_SHARE`` of its weight in
  such substitutions; an edited copy keeps the rare words (names, figures) and changes
  common ones.
- **another day's figures.** In reports more than ``DAYS_APART`` apart, a figure the
  alignment substitutes by another figure (a wind speed, an index level) makes the passage
  a template passage, even where both figures occur elsewhere in the two texts: one
  bulletin's wording filled with another day's readings. A copy taken a day later keeps
  the figures it took.
- **distinctive words not shared.** Two reports of one happening share most of the rare
  words of the shorter one (its names, places and figures), wherever they sit; two
  happenings in one template share few beyond the template. Under ``SHARED_RARE`` of them
  shared: the shared passages are set text.

A passage with its slots filled differently, or with another day's figures, is a template
passage; a link keeps as copied only its other passages, and a link with none left, or
failing the third sign, is a ``template``. The signs need a corpus to tell rare words from
common ones: under ``MIN_CORPUS`` stored articles every passage counts as copied.

Example:
    >>> from service.domain import WordStats
    >>> stats = WordStats(1000, {"congratulates": 400, "president": 500, "national": 300, "day": 600})
    >>> a = "The King congratulates President Saied of Tunisia on the national day"
    >>> b = "The King congratulates President Santos of Colombia on the national day"
    >>> from service.reuse.align import CopiedSpan
    >>> judge(a, b, [CopiedSpan(0, len(a), 0, len(b), "edited", 0.8)], stats).relation
    'template'
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Sequence
from dataclasses import dataclass

from service.domain import WordStats
from service.reuse.align import CopiedSpan
from service.reuse.tokens import is_content, tokens

MIN_CORPUS = 200  # stored articles needed before word rarity means anything
RARE_SHARE = 1 / 150  # a rare word is in at most this share of the stored articles ...
RARE_MIN = 2  # ... or in at most this many (the pair itself)
SLOT_SHARE = 0.15  # a passage with this share of its weight substituted is a template passage
SHARED_RARE = 0.3  # reports of one happening share at least this share of their rare words
DAYS_APART = 1.0  # reports further apart than this are of two days (dates are often known only to the day)


def weight(stats: WordStats, word: str) -> float:
    """Smoothed inverse document frequency: rarer words weigh more. A figure weighs as the
    rarest word: "30" is common, but 30 in the slot of 15 is another day's report."""
    count = 0 if word.isdigit() else stats.count(word)
    return math.log((1 + stats.articles) / (1 + count)) + 1.0


def is_rare(stats: WordStats, word: str) -> bool:
    return stats.count(word) <= max(RARE_MIN, RARE_SHARE * stats.articles)


@dataclass(frozen=True, slots=True)
class Judgement:
    """``relation`` ``copy`` or ``template``; ``template_spans``: indexes (into the spans
    judged) of the template passages; ``shared_rare``: the third sign (None: no corpus)."""

    relation: str
    template_spans: frozenset[int]
    shared_rare: float | None


def content_words(text: str) -> set[str]:
    """The distinct normalised content words of a text: what the corpus counts."""
    found = tokens(text)
    return {w for w, c in zip(found.words, found.content) if c and len(w) <= 64}


def judge(
    a_text: str, b_text: str, spans: Sequence[CopiedSpan], stats: WordStats, *, days: float | None = None
) -> Judgement:
    """Whether ``spans`` (a: ``a_text``, b: ``b_text``) are copied text or a template;
    ``days``: the days between the two reports (None: unknown)."""
    if stats.articles < MIN_CORPUS or not spans:
        return Judgement("copy", frozenset(), None)
    a, b = tokens(a_text), tokens(b_text)
    a_words, b_words = set(a.words), set(b.words)
    shared = _shared_rare(a_words, b_words, stats)
    two_days = days is not None and days > DAYS_APART
    slotted = frozenset(
        n for n, span in enumerate(spans)
        if _is_slotted(a.words_between(span.a_start, span.a_end), b.words_between(span.b_start, span.b_end), a_words, b_words, stats, two_days)
    )
    if shared < SHARED_RARE or len(slotted) == len(spans):
        return Judgement("template", frozenset(range(len(spans))), shared)
    return Judgement("copy", slotted, shared)


def _shared_rare(a_words: set[str], b_words: set[str], stats: WordStats) -> float:
    rare_a = {w for w in a_words if is_content(w) and is_rare(stats, w)}
    rare_b = {w for w in b_words if is_content(w) and is_rare(stats, w)}
    fewer = min(len(rare_a), len(rare_b))
    return len(rare_a & rare_b) / fewer if fewer else 1.0


def _is_slotted(a: Sequence[str], b: Sequence[str], a_words: set[str], b_words: set[str], stats: WordStats, two_days: bool) -> bool:
    # The substitutions the word alignment of the passage makes, read by both signs.
    replaced = [(a[i1:i2], b[j1:j2]) for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes() if op == "replace"]
    if two_days and _figure_replaced(replaced):
        return True
    return _slot_share(a, b, replaced, a_words, b_words, stats) >= SLOT_SHARE


Replaced = list[tuple[Sequence[str], Sequence[str]]]  # each substitution: a's words, b's words


def _figure_replaced(replaced: Replaced) -> bool:
    """Whether a substitution puts another figure in a figure's place."""
    for words_a, words_b in replaced:
        figures_a = {w for w in words_a if w.isdigit()}
        figures_b = {w for w in words_b if w.isdigit()}
        if figures_a and figures_b and figures_a != figures_b:
            return True
    return False


def _slot_share(a: Sequence[str], b: Sequence[str], replaced: Replaced, a_words: set[str], b_words: set[str], stats: WordStats) -> float:
    """The smaller side's share of weight in substitutions by words the other text lacks."""
    total_a = sum(weight(stats, w) for w in a if is_content(w))
    total_b = sum(weight(stats, w) for w in b if is_content(w))
    slot_a = slot_b = 0.0
    for words_a, words_b in replaced:
        own_a = [w for w in words_a if is_content(w) and w not in b_words]
        own_b = [w for w in words_b if is_content(w) and w not in a_words]
        if own_a and own_b:  # a slot: each side fills it with words the other never uses
            slot_a += sum(weight(stats, w) for w in own_a)
            slot_b += sum(weight(stats, w) for w in own_b)
    if not total_a or not total_b:
        return 0.0
    return min(slot_a / total_a, slot_b / total_b)

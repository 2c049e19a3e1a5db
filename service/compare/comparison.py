"""Two articles side by side: shared text, aligned sentences and quotes, what only one says,
and the figures they give differently.

Works on each article's cleaned text (page chrome left out) and reports every offset in
the ORIGINAL text, through the cleaned text's map back (``CleanText.original_span``).

Example:
    >>> result = compare(article_a, article_b, encoder=encoder, same_story=runtime.similarity(1, 2))  # doctest: +SKIP
    >>> result.quotes[0].speaker                                                                        # doctest: +SKIP
    'بومبيو'

The result's values are in service.compare.result.
"""

from __future__ import annotations

import re

import numpy as np

from service.compare.bounds import TooLongToCompare
from service.compare.pairs import align_sentences, figures, is_same_statement, kind_of, quote_similarity, same_speaker, word_diff
from service.compare.result import AlignedPair, Comparison, Discrepancy, Passage, QuoteMatch, SharedPassage, StoryVerdict
from service.domain import Article, Span
from service.embed.encoder import Encoder
from service.reuse.align import CopiedSpan, align
from service.stories.score import SameStory
from service.text.quotes import Quote, extract_quotes, title_names
from service.text.segment import sentences

MAX_SENTENCES = 1_500  # per article: a 50k-word text has ~2,500; refused rather than left to run for minutes
MIN_SENTENCE_WORDS = 3
# A longer "sentence" (a text without full stops) is aligned in pieces of this many words,
# paired by their wording alone (not embedded: a piece is not a statement). Real sentences
# are shorter (SaudiNewsNet: 99.99% under 181 words).
MAX_SENTENCE_WORDS = 200
# Words of sentences embedded for each article, its first sentences; the ones after are
# paired by their wording alone. Embedding is most of a comparison's time (~1 ms a word on
# 2 cores, cold); real articles are shorter (SaudiNewsNet: 99.9% under 2,520 words).
MAX_EMBEDDED_WORDS = 3_000
_TOKEN = re.compile(r"\S+")

__all__ = ["Comparison", "TooLongToCompare", "compare", "sentence_spans"]


def centred(vectors: np.ndarray, *, rows: int) -> np.ndarray:
    """Vectors minus the mean of the first ``rows`` (both articles' sentences), re-normalised:
    what every sentence of the story shares is removed, what each statement says is left."""
    if rows == 0:
        return vectors
    shifted = vectors - vectors[:rows].mean(axis=0)
    norms = np.linalg.norm(shifted, axis=1, keepdims=True)
    return shifted / np.where(norms > 0, norms, 1.0)


def sentence_spans(article: Article) -> list[Span]:
    """The article's sentences worth aligning, as spans of its cleaned text (a sentence
    over ``MAX_SENTENCE_WORDS`` words in consecutive pieces of that many)."""
    return [span for span, _ in _units(article)]


def _units(article: Article) -> list[tuple[Span, int]]:
    """``sentence_spans`` with each one's words to embed (0 for a piece of a long one)."""
    text = article.clean_text
    units = []
    for sentence in sentences(text):
        words = [m.span() for m in _TOKEN.finditer(text, sentence.start, sentence.end)]
        if len(words) <= MAX_SENTENCE_WORDS:
            if len(words) >= MIN_SENTENCE_WORDS:
                units.append((sentence, len(words)))
            continue
        for i in range(0, len(words), MAX_SENTENCE_WORDS):
            piece = words[i : i + MAX_SENTENCE_WORDS]
            if len(piece) >= MIN_SENTENCE_WORDS:
                units.append((Span(piece[0][0], piece[-1][1]), 0))
    if len(units) > MAX_SENTENCES:
        raise TooLongToCompare(f"article has {len(units)} sentences; at most {MAX_SENTENCES} can be compared")
    return units


def _embedded(units: list[tuple[Span, int]]) -> list[int]:
    """Which units are embedded: whole sentences, the first ``MAX_EMBEDDED_WORDS`` words' worth."""
    chosen, total = [], 0
    for i, (_, words) in enumerate(units):
        if words and total + words <= MAX_EMBEDDED_WORDS:
            chosen.append(i)
            total += words
    return chosen


def compare(
    a: Article, b: Article, *, encoder: Encoder | None, same_story: SameStory, spans: list[CopiedSpan] | None = None
) -> Comparison:
    """Compare two articles (stored or not); see the module docstring. ``spans``: the
    copied spans of the two cleaned texts, when the caller has aligned them already."""
    units_a, units_b = _units(a), _units(b)
    spans_a, spans_b = [s for s, _ in units_a], [s for s, _ in units_b]
    texts_a = [a.clean_text[s.start : s.end] for s in spans_a]
    texts_b = [b.clean_text[s.start : s.end] for s in spans_b]
    quotes_a = extract_quotes(a.clean_text, language=a.language)
    quotes_b = extract_quotes(b.clean_text, language=b.language)
    same_language = (a.language or "").split("-")[0] == (b.language or "").split("-")[0]

    titles_a, titles_b = title_names(a.clean_text), title_names(b.clean_text)
    # Only quotes whose speaker also speaks in the other article can pair: embed just those.
    speaks = [(i, j) for i, qa in enumerate(quotes_a) for j, qb in enumerate(quotes_b) if same_speaker(qa, qb, titles_a=titles_a, titles_b=titles_b)]
    need_a, need_b = sorted({i for i, _ in speaks}), sorted({j for _, j in speaks})
    vectors_a = vectors_b = quote_vectors_a = quote_vectors_b = None
    embed_a, embed_b = _embedded(units_a), _embedded(units_b)
    # No sentence embedded (none, or only pieces of long ones): no mean to centre quotes by,
    # so they pair by wording too.
    if encoder is not None and (embed_a or embed_b):
        qa = [a.clean_text[quotes_a[i].start : quotes_a[i].end] for i in need_a]
        qb = [b.clean_text[quotes_b[j].start : quotes_b[j].end] for j in need_b]
        rows = [texts_a[i] for i in embed_a] + [texts_b[j] for j in embed_b]
        vectors = centred(encoder.encode(rows + qa + qb, kind="query"), rows=len(rows))
        found_a, found_b, quoted_a, quoted_b = np.split(vectors, np.cumsum([len(embed_a), len(embed_b), len(qa)]))
        # A sentence not embedded has a zero vector: cosine 0, so only its wording can pair it.
        vectors_a = np.zeros((len(texts_a), vectors.shape[1]), dtype=vectors.dtype)
        vectors_b = np.zeros((len(texts_b), vectors.shape[1]), dtype=vectors.dtype)
        vectors_a[embed_a], vectors_b[embed_b] = found_a, found_b
        found_a, found_b = quoted_a, quoted_b
        quote_vectors_a = {i: found_a[n] for n, i in enumerate(need_a)}
        quote_vectors_b = {j: found_b[n] for n, j in enumerate(need_b)}

    def original(article: Article, start: int, end: int) -> tuple[int, int]:
        return article.clean.original_span(start, end)

    copied = []
    for span in align(a.clean_text, b.clean_text) if spans is None else spans:
        copied.append(SharedPassage(*original(a, span.a_start, span.a_end), *original(b, span.b_start, span.b_end), span.kind))

    aligned: list[AlignedPair] = []
    discrepancies: list[Discrepancy] = []
    paired_a, paired_b = set(), set()
    for pair in align_sentences(texts_a, texts_b, vectors_a, vectors_b, same_language=same_language):
        sa, sb = spans_a[pair.a], spans_b[pair.b]
        a0, a1 = original(a, sa.start, sa.end)
        b0, b1 = original(b, sb.start, sb.end)
        aligned.append(AlignedPair(a0, a1, b0, b1, pair.kind, pair.similarity))
        paired_a.add(pair.a)
        paired_b.add(pair.b)
        # Every pair, verbatim ones too: "verbatim" is a wording ratio, and one changed
        # number in a long sentence keeps it.
        fa, fb = figures(texts_a[pair.a]), figures(texts_b[pair.b])
        if fa != fb:
            discrepancies.append(Discrepancy("number", tuple(sorted(fa - fb)), tuple(sorted(fb - fa)), a0, a1, b0, b1))

    def only(article: Article, spans: list[Span], paired: set[int]) -> tuple[Passage, ...]:
        return tuple(Passage(*original(article, s.start, s.end)) for i, s in enumerate(spans) if i not in paired)

    quotes = _align_quotes(a, b, quotes_a, quotes_b, quote_vectors_a, quote_vectors_b, (titles_a, titles_b), same_language=same_language)
    return Comparison(
        same_story=StoryVerdict.of(same_story),
        copied_spans=tuple(copied),
        aligned=tuple(aligned),
        only_in_a=only(a, spans_a, paired_a),
        only_in_b=only(b, spans_b, paired_b),
        quotes=quotes,
        discrepancies=tuple(discrepancies),
    )


def _align_quotes(
    a: Article,
    b: Article,
    quotes_a: list[Quote],
    quotes_b: list[Quote],
    vectors_a: dict[int, np.ndarray] | None,
    vectors_b: dict[int, np.ndarray] | None,
    titles: tuple[dict[str, str], dict[str, str]],
    *,
    same_language: bool,
) -> tuple[QuoteMatch, ...]:
    """A's quotes in order, each with the statement of B it renders (if any), then B's
    quotes that render none of A's."""
    titles_a, titles_b = titles
    used_b: set[int] = set()
    out: list[QuoteMatch] = []
    for i, qa in enumerate(quotes_a):
        best, best_similarity = None, 0.0
        for j, qb in enumerate(quotes_b):
            if j in used_b or not same_speaker(qa, qb, titles_a=titles_a, titles_b=titles_b):
                continue
            cosine = float(vectors_a[i] @ vectors_b[j]) if vectors_a is not None and vectors_b is not None else None
            wording = quote_similarity(a.clean_text[qa.start : qa.end], b.clean_text[qb.start : qb.end], same_language=same_language)
            similarity = max(wording, cosine or 0.0)
            if is_same_statement(wording, cosine) and similarity > best_similarity:
                best, best_similarity = j, similarity
        if best is None:
            out.append(QuoteMatch(qa.speaker or qa.speaker_title, _passage(a, qa), None, "only_in_a", ()))
            continue
        used_b.add(best)
        qb = quotes_b[best]
        text_a, text_b = a.clean_text[qa.start : qa.end], b.clean_text[qb.start : qb.end]
        out.append(
            QuoteMatch(
                qa.speaker or qb.speaker or qa.speaker_title,
                _passage(a, qa),
                _passage(b, qb),
                kind_of(text_a, text_b, same_language=same_language),
                word_diff(text_a, text_b) if same_language else (),
                round(best_similarity, 4),
            )
        )
    for j, qb in enumerate(quotes_b):
        if j not in used_b:
            out.append(QuoteMatch(qb.speaker or qb.speaker_title, None, _passage(b, qb), "only_in_b", ()))
    return tuple(out)


def _passage(article: Article, quote: Quote) -> Passage:
    return Passage(*article.clean.original_span(quote.start, quote.end))

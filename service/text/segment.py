"""Paragraphs, sentences and words as spans of the text they come from.

Rules, and why:
- a paragraph is a non-blank line: articles arrive one paragraph a line;
- a sentence ends at . ! ? ؟ … (or a run of them) followed by space or the end, after
  any closing quotation marks; not after a single letter ("U.S.", "د.") or a common
  abbreviation; never inside a decimal (3.5, no space);
- inside a quotation (« » “ ” „ or straight quotes) no split, unless the quotation has
  run on for more than ``MAX_QUOTE`` characters: outlets leave quotes unclosed, and one
  unclosed mark must not swallow a paragraph;
- Arabic news joins clauses with "،" and "و" into very long sentences: a sentence over
  ``LONG_SENTENCE_WORDS`` words is cut after "،" or ";" once a piece has
  ``MIN_PIECE_WORDS`` words, so that sentences stay usable units for alignment.

Example:
    >>> text = "قال بوتين: «نأمل بالتغيير. نحن مستعدون». وأضاف أن المحادثات بناءة."
    >>> [text[s.start:s.end] for s in sentences(text)]
    ['قال بوتين: «نأمل بالتغيير. نحن مستعدون».', 'وأضاف أن المحادثات بناءة.']
"""

from __future__ import annotations

import re

from service.domain import Span

MAX_QUOTE = 300
LONG_SENTENCE_WORDS = 60
MIN_PIECE_WORDS = 20

WORD = re.compile(r"(?:\w|[\u0300-\u036F\u0610-\u061A\u064B-\u065F\u0670\u06D6-\u06ED\u0640])+")
_END = set(".!?؟…")
_OPEN = set("«“„‹")
_CLOSE = set("»”›")
_STRAIGHT = set('"')
_ABBREVIATIONS = {"mr", "mrs", "ms", "dr", "prof", "st", "jr", "sr", "vs", "etc", "no", "gen", "col", "lt", "sgt", "m", "mme", "mm"}


def paragraphs(text: str) -> list[Span]:
    """Every non-blank line, trimmed."""
    spans = []
    for match in re.finditer(r"[^\n]+", text):
        line = match.group()
        stripped = line.strip()
        if stripped:
            start = match.start() + len(line) - len(line.lstrip())
            spans.append(Span(start, start + len(stripped)))
    return spans


def words(text: str) -> list[Span]:
    """Word tokens: letters and digits of any script, with their combining marks."""
    return [Span(m.start(), m.end()) for m in WORD.finditer(text)]


def sentences(text: str) -> list[Span]:
    """Sentences of every paragraph, long Arabic run-ons cut at commas."""
    out: list[Span] = []
    for paragraph in paragraphs(text):
        for span in _split_paragraph(text, paragraph.start, paragraph.end):
            out.extend(_cut_long(text, span))
    return out


def _is_abbreviation(text: str, start: int, dot: int) -> bool:
    """A dot after one letter or a known abbreviation does not end a sentence."""
    match = re.search(r"(\w+)$", text[start:dot])
    if match is None:
        return False
    word = match.group(1)
    return (len(word) == 1 and not word.isdigit()) or word.lower() in _ABBREVIATIONS


_INTERESTING = re.compile(r"[.!?؟…«“„‹»”›\"]")


def _split_paragraph(text: str, start: int, end: int) -> list[Span]:
    spans = []
    sentence_start = start
    quote_open_at: int | None = None
    resume = start
    # Only end marks and quotation marks matter: visit those, skip the rest.
    for match in _INTERESTING.finditer(text, start, end):
        i = match.start()
        if i < resume:
            continue
        char = text[i]
        if quote_open_at is not None and i - quote_open_at > MAX_QUOTE:
            quote_open_at = None  # an unclosed quotation: stop protecting it
        if char in _OPEN or (char in _STRAIGHT and quote_open_at is None):
            quote_open_at = i
            continue
        if char in _CLOSE or char in _STRAIGHT:
            quote_open_at = None
            # “... ended.” — the sentence ended inside the quotation: end it after the mark.
            if i > sentence_start and text[i - 1] in _END and (i + 1 >= end or text[i + 1].isspace()):
                spans.append(Span(sentence_start, i + 1))
                sentence_start = resume = _skip_space(text, i + 1, end)
            continue
        if quote_open_at is not None:
            continue
        j = i
        while j + 1 < end and text[j + 1] in _END:
            j += 1
        while j + 1 < end and (text[j + 1] in _CLOSE or text[j + 1] in _STRAIGHT or text[j + 1] == ")"):
            j += 1
        boundary = j + 1 >= end or text[j + 1].isspace()
        if boundary and not (char == "." and j == i and _is_abbreviation(text, sentence_start, i)):
            spans.append(Span(sentence_start, j + 1))
            sentence_start = resume = _skip_space(text, j + 1, end)
        else:
            resume = j + 1
    if sentence_start < end:
        spans.append(Span(sentence_start, end))
    return [s for s in spans if text[s.start:s.end].strip()]


def _skip_space(text: str, position: int, end: int) -> int:
    while position < end and text[position].isspace():
        position += 1
    return position


def _cut_long(text: str, span: Span) -> list[Span]:
    if len(WORD.findall(text[span.start:span.end])) <= LONG_SENTENCE_WORDS:
        return [span]
    pieces = []
    piece_start = span.start
    count = 0
    for match in re.finditer(r"\S+", text[span.start:span.end]):
        count += 1
        token_end = span.start + match.end()
        if count >= MIN_PIECE_WORDS and match.group()[-1] in "،,;؛" and span.end - token_end > 40:
            pieces.append(Span(piece_start, token_end))
            piece_start = token_end
            while piece_start < span.end and text[piece_start].isspace():
                piece_start += 1
            count = 0
    pieces.append(Span(piece_start, span.end))
    return pieces

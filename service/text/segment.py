"""Paragraphs, sentences and words as spans of the text they come from.

Rules, and why:
- a paragraph is a non-blank line: articles arrive one paragraph a line;
- a sentence ends at . ! ? ؟ … (or a run of them) followed by space or the end, after
  any closing quotation marks (the sentence keeps them: «…». and “….”); not after a
  single letter ("U.S.", "د.") or a common abbreviation, nor before a lower-case word
  (Latin script: '"We go." and left'); never inside a decimal (3.5);
- Arabic web copy uses a bare ".." as a loose pause between clauses ("القادمة..
  ويمكنني القول.. إن"): it does not end a sentence, it is a preferred cut point below;
- inside a quotation (« » “ ” „ or straight quotes) closed within ``MAX_QUOTE``
  characters there is no split; a longer or unclosed quotation is split like any text
  (outlets leave quotes unclosed, and one stray mark must not swallow a paragraph).
  Arabic outlets write ”…” as well as “…”, so curly and straight marks are read from
  context (after a space or tatweel they open, otherwise they close);
- Arabic news joins clauses with "،" and "و" into very long sentences: a sentence over
  ``LONG_SENTENCE_WORDS`` words (a run of text without any full stop) is cut after
  "،", ";", "؛" or ".." once a piece has ``MIN_PIECE_WORDS`` words and enough text
  remains, so that sentences stay usable units for alignment. No cut at a bare "و":
  it starts words too often (وزير, وقال) to be told from the conjunction cheaply.

Example:
    >>> text = "قال بوتين: «نأمل بالتغيير. نحن مستعدون». وأضاف أن المحادثات بناءة."
    >>> [text[s.start:s.end] for s in sentences(text)]
    ['قال بوتين: «نأمل بالتغيير. نحن مستعدون».', 'وأضاف أن المحادثات بناءة.']
"""

from __future__ import annotations

import re

from service.domain import Span

MAX_QUOTE = 400  # characters: about 70 Arabic words, two or three quoted sentences
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


_QUOTE = re.compile(r"[«»‹›“”„\"]")
_END_RUN = re.compile(r"[.!?؟…]+")
_OPENING_CONTEXT = set("([{ـ-–—:/")  # a mark after these opens a quotation: بـ”البناءة”, -“x”


def _quotations(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """(open, close) positions of the quotation marks that pair up within ``MAX_QUOTE`` characters.

    « and » say which side they are; “ ” „ and straight quotes are read from context,
    since Arabic outlets write ”…” and “…” alike: after a space (or a tatweel) a mark
    opens, otherwise it closes the open quotation.
    """
    stack: list[int] = []
    pairs = []
    for match in _QUOTE.finditer(text, start, end):
        i = match.start()
        char = text[i]
        before = text[i - 1] if i > start else " "
        after = text[i + 1] if i + 1 < end else " "
        if char in "«‹":
            opens = True
        elif char in "»›":
            opens = False
        else:
            opens = (before.isspace() or before in _OPENING_CONTEXT) and not after.isspace()
            opens = opens or (not stack and not after.isspace() and not before.isalnum())
        if opens:
            stack.append(i)
        elif stack:
            opening = stack.pop()
            if i - opening <= MAX_QUOTE:
                pairs.append((opening, i))
    return pairs


def _split_paragraph(text: str, start: int, end: int) -> list[Span]:
    quotations = _quotations(text, start, end)
    spans = []
    sentence_start = start
    # Only runs of end marks matter: visit those, skip the rest.
    for match in _END_RUN.finditer(text, start, end):
        i, j = match.start(), match.end()
        if i < sentence_start:
            continue
        while j < end:  # a sentence ending in a closing quotation keeps it: “… بالتغير.”, « … prêts. »
            k = j
            while k < end and text[k] in " \u00a0\u202f":
                k += 1  # French spacing before »
            if k < end and (text[k] in _CLOSE or text[k] in _STRAIGHT or (text[k] == ")" and k == j)):
                j = k + 1
            else:
                break
        if match.group() == ".." and j == match.end() and j < end:
            continue  # a loose pause, not a full stop
        if any(o < i < c and j <= c for o, c in quotations):
            continue  # inside a short quotation whose end is not here
        following = _skip_space(text, j, end)
        # "… we rest." and left / approx. five: a lower-case word goes on with the sentence.
        boundary = j >= end or (text[j].isspace() and not (following < end and text[following].islower()))
        if boundary and not (match.group() == "." and _is_abbreviation(text, sentence_start, i)):
            spans.append(Span(sentence_start, j))
            sentence_start = _skip_space(text, j, end)
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
        if count >= MIN_PIECE_WORDS and (match.group()[-1] in "،,;؛" or match.group().endswith("..")) and span.end - token_end > 40:
            pieces.append(Span(piece_start, token_end))
            piece_start = token_end
            while piece_start < span.end and text[piece_start].isspace():
                piece_start += 1
            count = 0
    pieces.append(Span(piece_start, span.end))
    return pieces

"""Removing page chrome from plain article text, line by line, keeping a map to the original.

Pages copied as text carry chrome around the article: site navigation above the
headline; below the text social-media promotion, newsletter and donation lines, tags,
"see also" teasers and lists of unrelated headlines; inside it "Advertisement" or
"Share" labels. ``clean`` scores every non-blank line (positive: chrome) from what the
line says and where it sits, and drops lines scoring ``CHROME_SCORE`` or more:

- evidence from the line: calls to act (follow, subscribe, donate, share), legal and
  cookie lines, platform names on label-length lines, bare URLs, phone numbers, menus
  (``Home | World``, glued menu text "أخبارأخبار"), teasers ("Read more: ...");
  a body-length line without any of these is body evidence and scores negative;
- evidence from the position: the article body runs from the first to the last body
  line. Lines above it (head) and below it (tail) lean chrome, lines inside it lean
  body, so a word like "subscribe" in a short body sentence does not remove it;
- a section marker ("آخر الأخبار", "انظر أيضاً", "Related", "Lire aussi", tags ...)
  cuts the tail: it and every line after it go, when less body follows it than precedes
  it (a marker inside the body only removes its own line);
- in the tail, a short line right after a chrome line is chrome too (promotion comes in
  blocks: "follow us on WhatsApp:" / "send the word ... to 0940...").

Cleaning reads the article alone, never what else is stored: the same article cleans the
same way whether it comes first or after a thousand others of its outlet (lines learnt
from an outlet's stored articles made the result depend on arrival order, and could strip
a dateline an outlet repeats).

Bylines, datelines, dates and issue numbers ("وكالات – الثورة", "هانغتشو-الصين-سانا",
"2019-05-15", "الرقم: 16978") are kept: short, but the article's own, and they carry
source credits and dates. Only a chrome line above them or a tail marker removes them.

Example:
    >>> c = clean("Title\\n\\nBody sentence one is here and long enough to count.\\nFollow us on Twitter\\n")
    >>> c.text
    'Title\\nBody sentence one is here and long enough to count.'
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from service.domain import Block, CleanText
from service.text.normalize import normalize

CHROME_SCORE = 2  # a line scoring this or more is dropped
BODY_MIN_WORDS = 12  # a line this long, matching no chrome pattern, is article text
LABEL_MAX_WORDS = 8  # a label ("Share this", "تابعونا على تويتر") is no longer than this
SHORT_LINE = 160  # chrome patterns are only looked for in lines up to this many characters
MARKER_MAX = 40  # a section marker is a label, not a sentence
RUN_ON_WORDS = 40  # a line this long without a closing full stop is no paragraph of prose

_WORD = re.compile(r"\w+")

# Patterns run on normalised keys (service.text.normalize): alef/ya/ta marbuta folded,
# lower case, Arabic punctuation as Latin.
_MARKER = re.compile(
    r"^(?:\.{2,}|…)?\s*(اخر الاخبار|المزيد|انظر ايضا|اقرا ايضا|اقرا المزيد|شاهد ايضا|موضوعات متعلقه|مواضيع ذات صله|اخبار ذات صله|"
    r"مواضيع متعلقه|الوسوم|وسوم|تعليق|التعليقات|اظهر المزيد|الاكثر قراءه|الاكثر مشاهده|"
    r"related( articles| stories| news| content)?|see also|read (more|also|next)|more from .{1,30}|more stories|"
    r"tags|topics|comments|most (read|popular)|you may also like|recommended|"
    r"lire aussi|a lire aussi|à lire aussi|sur le meme sujet|sur le même sujet|voir aussi|les plus lus|"
    r"ilgili haberler|etiketler)\s*[:.]?$"
)
# Calls to act (follow, subscribe, donate, share) and legal lines.
_CALL = re.compile(
    r"(تابعونا|تابعوا|القائمه البريديه|نحترم خصوصيه|التبرع|اشترك|جميع الحقوق محفوظه|زر الذهاب|شارك (علي|عبر)|"
    r"follow us|subscribe|newsletter|sign up|donate|share (this|on|via)|^share$|all rights reserved|cookie|"
    r"advertisement|sponsored|click here|"
    r"suivez-nous|abonnez|partager|publicit[ée]|tous droits|newsletter|"
    r"bizi takip|abone ol|paylaş|reklam|"
    r"telegram\.me|t\.me/|©|\(c\) ?\d{4})"
)
# Body text mentions platforms ("in a tweet on Twitter"): only label-length lines count.
_PLATFORM = re.compile(
    r"(تيلغرام|تليجرام|تلغرام|واتس ?اب|فيسبوك|فيس بوك|تويتر|انستغرام|يوتيوب|"
    r"telegram|whatsapp|facebook|twitter|instagram|youtube|linkedin|\bvk\b)"
)
_TEASER = re.compile(r"^(read (more|also)|see also|lire aussi|à lire aussi|voir aussi|اقرا ايضا|انظر ايضا|شاهد ايضا)\s*[:\-]")
_URL_ONLY = re.compile(r"^(https?://|www\.)\S+$")
_URL = re.compile(r"(https?://|www\.)\S+")
_CONTACT = re.compile(r"(\+?\d{8,}|\+\d[\d -]{7,}\d|\S+@\S+\.\w+)")  # phone numbers, e-mail addresses
_MENU_SEPARATOR = re.compile(r"\s[|•·»›>]\s")
_GLUED_REPEAT = re.compile(r"(\w{3,})\1")  # "أخبارأخبار": menu items whose text ran together
_FULL_STOP = re.compile(r"[.!?…:\"')»”]\s*$")


@dataclass(frozen=True, slots=True)
class _Line:
    start: int
    end: int
    key: str  # normalised text
    raw: str
    words: int


def _lines(text: str) -> list[tuple[int, int]]:
    """(start, end) of every non-blank line, trimmed of surrounding whitespace."""
    spans = []
    for match in re.finditer(r"[^\n]+", text):
        line = match.group()
        stripped = line.strip()
        if stripped:
            start = match.start() + (len(line) - len(line.lstrip()))
            spans.append((start, start + len(stripped)))
    return spans


def _evidence(line: _Line) -> int:
    """What the line itself says: positive for chrome, negative for prose."""
    key, words = line.key, line.words
    if _URL_ONLY.match(key):
        return 5
    if len(key) > SHORT_LINE:
        return -3 if _FULL_STOP.search(key) else 0
    label = words <= LABEL_MAX_WORDS
    score = 0
    if _CALL.search(key):
        score += 4 if label else 3
    if label and (_PLATFORM.search(key) or _URL.search(key)):
        score += 3
    if _TEASER.match(key):
        score += 4
    if words <= 30 and _CONTACT.search(key):
        score += 2  # a phone number or an e-mail address to write to
    separators = len(_MENU_SEPARATOR.findall(line.raw))  # on the original: normalising folds » and ›
    if separators >= 2 and words <= 3 * (separators + 1):
        score += 3  # "Home | World | Sport"
    if words < LABEL_MAX_WORDS and _GLUED_REPEAT.search(key):
        score += 3
    if score == 0 and words >= BODY_MIN_WORDS:
        return -3
    if score and words >= 6 and _FULL_STOP.search(key):
        score -= 1  # a sentence, not a label
    return score


def _is_body(line: _Line, evidence: int) -> bool:
    """A paragraph of the article: long, no chrome pattern, ends like prose when very long."""
    return evidence < 0 and (line.words < RUN_ON_WORDS or bool(_FULL_STOP.search(line.key)))


def clean(text: str, *, title: str | None = None) -> CleanText:
    """``text`` without page chrome: kept lines joined by newlines, each a Block of the original.

    ``title``: when known, lines above the line equal to it are site chrome.
    """
    lines = [_Line(s, e, k, text[s:e], len(_WORD.findall(k))) for s, e in _lines(text) for k in [normalize(text[s:e]).text]]
    evidence = [_evidence(line) for line in lines]
    body = [_is_body(line, ev) for line, ev in zip(lines, evidence)]
    body_at = [i for i, b in enumerate(body) if b]
    first, last = (body_at[0], body_at[-1]) if body_at else (len(lines), -1)

    # A section marker after the first body line cuts the tail when less body follows it.
    cut = len(lines)
    body_words = [line.words if b else 0 for line, b in zip(lines, body)]
    for i in range(first + 1, len(lines)):
        if len(lines[i].key) <= MARKER_MAX and _MARKER.match(lines[i].key):
            if sum(body_words[i:]) < sum(body_words[:i]):
                cut = i
                break
            evidence[i] += 4
    if cut < len(lines):
        last = max((i for i in body_at if i < cut), default=-1)

    title_key = normalize(title).text if title else None
    title_at = next((i for i in range(min(first + 1, len(lines))) if lines[i].key == title_key), 0)
    keep: list[bool] = []
    chrome_before = False
    for i, line in enumerate(lines):
        score = evidence[i]
        if body_at and i < first:
            score += 1 + (3 if i < title_at else 0)  # head: navigation above the headline
        elif body_at and i > last:
            score += 1  # tail
            if chrome_before and line.words < 25:
                score += 1  # a promotion block continues
            if line.words >= RUN_ON_WORDS and not body[i] and not body[i - 1]:
                score += 1  # a detached run-on line: a list of headlines
        elif body_at and first < i < last:
            score -= 2  # inside the body: only a clear label goes
        chrome = i >= cut or score >= CHROME_SCORE
        keep.append(not chrome)
        chrome_before = chrome

    blocks: list[Block] = []
    parts: list[str] = []
    position = 0
    for line, kept in zip(lines, keep):
        if not kept:
            continue
        if parts:
            position += 1  # the joining newline
        blocks.append(Block(position, line.start, line.end - line.start))
        parts.append(text[line.start : line.end])
        position += line.end - line.start
    return CleanText("\n".join(parts), tuple(blocks))

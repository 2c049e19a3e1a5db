"""Removing page chrome from plain article text, line by line, keeping a map to the original.

Pages copied as text carry chrome around the article: site navigation above the
headline, and below the text social-media promotion, newsletter and donation lines,
tags, "see also" teasers and lists of unrelated headlines. Chrome sits at the head and
the tail, so the rules are positional:

- head: lines above the headline (when the title is known) and glued menu text
  ("أخبارأخبار حول العالم") before the first body line are dropped;
- tail: a short section marker after the body ("آخر الأخبار", "انظر أيضاً", "Related",
  "Lire aussi", ...) cuts it and everything after it;
- anywhere: short lines matching promotion/newsletter/donation/copyright patterns, bare
  URLs, and lines the outlet repeats across many of its articles (``recurring``);
- once such a chrome line follows the body, the short lines after it are chrome too
  (promotion comes in blocks: "follow us on WhatsApp:" / "send the word ... to 0940...").

Bylines, datelines and dates ("وكالات – الثورة", "هانغتشو-الصين-سانا", "2019-05-15") are
kept: they are short but they are the article's own, and they carry source credits.

Example:
    >>> c = clean("Title\\n\\nBody sentence one is here and long enough to count.\\nFollow us on Twitter\\n")
    >>> c.text
    'Title\\nBody sentence one is here and long enough to count.'
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from service.domain import Block, CleanText
from service.text.normalize import normalize

BODY_MIN_WORDS = 12  # a line this long is article text, not a menu or a label
SHORT_LINE = 160  # chrome lines are short; longer lines are never matched by pattern
MARKER_MAX = 40  # a section marker is a label, not a sentence

_WORD = re.compile(r"\w+")

# Normalised (service.text.normalize) forms: alef/ya/ta-marbuta folded, lower case.
_TAIL_MARKERS = re.compile(
    r"^(اخر الاخبار|انظر ايضا|اقرا ايضا|اقرا المزيد|شاهد ايضا|موضوعات متعلقه|مواضيع ذات صله|اخبار ذات صله|"
    r"الوسوم|وسوم|تعليق|التعليقات|اظهر المزيد|الاكثر قراءه|"
    r"related( articles| stories| news)?|see also|read (more|also|next)|more from|tags|comments|"
    r"lire aussi|a lire aussi|à lire aussi|sur le meme sujet|sur le même sujet|"
    r"ilgili haberler|etiketler)\s*[:.]?$"
)
# Calls to act (follow, subscribe, donate) and legal lines: chrome on any short line.
_CHROME = re.compile(
    r"(تابعونا|تابعوا|القائمه البريديه|نحترم خصوصيه|التبرع|اشترك|جميع الحقوق محفوظه|زر الذهاب|"
    r"follow us|subscribe|newsletter|sign up|donate|share (this|on)|all rights reserved|cookie|advertisement|"
    r"suivez-nous|abonnez|partager|publicite|publicité|tous droits|"
    r"bizi takip|abone ol|paylaş|"
    r"telegram\.me|t\.me/|©|\(c\) ?\d{4})"
)
# Platform names: body text mentions them ("in a tweet on Twitter"), so only on label-length lines.
_PLATFORMS = re.compile(r"(تيلغرام|تليجرام|تلغرام|واتس ?اب|فيسبوك|فيس بوك|تويتر|انستغرام|يوتيوب|whatsapp|facebook|twitter|instagram|youtube|\bvk\b)")
LABEL_MAX_WORDS = 8
_URL_ONLY = re.compile(r"^(https?://|www\.)\S+$")
_GLUED_REPEAT = re.compile(r"(\w{3,})\1")  # "أخبارأخبار": menu items whose text ran together


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


def _words(line: str) -> int:
    return len(_WORD.findall(line))


def _is_chrome(key: str, raw: str) -> bool:
    if _URL_ONLY.match(raw):
        return True
    if len(raw) > SHORT_LINE:
        return False
    return bool(_CHROME.search(key)) or (_words(raw) <= LABEL_MAX_WORDS and bool(_PLATFORMS.search(key)))


def clean(text: str, *, recurring: frozenset[str] = frozenset(), title: str | None = None) -> CleanText:
    """``text`` without page chrome: kept lines joined by newlines, each a Block of the original."""
    spans = _lines(text)
    keys = [normalize(text[s:e]).text for s, e in spans]
    keep = [True] * len(spans)
    first_body = next((i for i, (s, e) in enumerate(spans) if _words(text[s:e]) >= BODY_MIN_WORDS), len(spans))

    # Head: everything above the headline, and glued menu text, before the first body line.
    title_key = normalize(title).text if title else None
    if title_key:
        title_at = next((i for i in range(first_body) if keys[i] == title_key), None)
        for i in range(title_at or 0):
            keep[i] = False
    for i in range(first_body):
        if len(keys[i]) <= SHORT_LINE and _GLUED_REPEAT.search(keys[i]) and _words(text[spans[i][0]:spans[i][1]]) < 8:
            keep[i] = False

    # Anywhere: patterns, bare URLs, the outlet's recurring lines; a tail marker cuts.
    in_chrome_block = False
    for i, (s, e) in enumerate(spans):
        raw, key = text[s:e], keys[i]
        if i > first_body and len(key) <= MARKER_MAX and _TAIL_MARKERS.match(key):
            for j in range(i, len(spans)):
                keep[j] = False
            break
        if key in recurring or _is_chrome(key, raw):
            keep[i] = False
            in_chrome_block = i > first_body
        elif in_chrome_block and _words(raw) < 25:
            keep[i] = False
        else:
            in_chrome_block = False

    blocks: list[Block] = []
    parts: list[str] = []
    position = 0
    for (s, e), kept in zip(spans, keep):
        if not kept:
            continue
        if parts:
            position += 1  # the joining newline
        blocks.append(Block(position, s, e - s))
        parts.append(text[s:e])
        position += e - s
    return CleanText("\n".join(parts), tuple(blocks))


def line_keys(text: str, *, max_length: int = 300) -> frozenset[str]:
    """The normalised lines of a text no longer than ``max_length``: what recurrence counts."""
    return frozenset(k for k in (normalize(text[s:e]).text for s, e in _lines(text)) if k and len(k) <= max_length)


def recurring_lines(texts: Iterable[str], *, min_count: int = 5, min_share: float = 0.2) -> frozenset[str]:
    """Lines found in at least ``min_count`` and ``min_share`` of an outlet's texts."""
    counts: Counter[str] = Counter()
    total = 0
    for text in texts:
        total += 1
        counts.update(line_keys(text))
    threshold = max(min_count, min_share * total)
    return frozenset(line for line, n in counts.items() if n >= threshold)

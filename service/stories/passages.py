"""The pieces of an article that the story score embeds: its lead and its first sentences.

A story is one event, and an article states its event up front: the title and the first
paragraph ("lead") name who, where and when. Whole-article vectors mostly say what the
article is ABOUT (its topic), which articles on different events share; the lead is
where events differ (see docs/embedding-model.md: seed 004 is separated only by leads).

The sentence splitter here is deliberately simple (a split after . ! ? ؟ … or a line
break); it only picks units to embed, and no offsets are reported from it.

Example:
    >>> lead_text("Putin meets Pompeo", "Sochi, 14 May. The talks began. " * 100, max_chars=40)
    'Putin meets Pompeo\\nSochi, 14 May. The talks began. Sochi,'
    >>> first_sentences("One two three four. Five six seven eight! Nine", max_sentences=5, min_words=1)
    ['One two three four.', 'Five six seven eight!', 'Nine']
"""

from __future__ import annotations

import re

LEAD_CHARS = 1500
MAX_SENTENCES = 8
MIN_SENTENCE_WORDS = 4
MAX_SENTENCE_CHARS = 400

_SENTENCE_END = re.compile(r"(?<=[.!?؟…])[\"'»”)\]]*\s+|\n+")
_SPACE = re.compile(r"[ \t\u00a0]+")


def lead_text(title: str | None, text: str, *, max_chars: int = LEAD_CHARS) -> str:
    """Title, a newline, then the first ``max_chars`` characters of the text (cut at a space).

    A text that repeats its title as its first line does not repeat it here.
    """
    if max_chars < 1:
        raise ValueError(f"max_chars must be at least 1, got {max_chars}")
    body = _SPACE.sub(" ", text).strip()
    title = _SPACE.sub(" ", title or "").strip()
    if title and body.startswith(title):
        body = body[len(title) :].lstrip()
    if len(body) > max_chars:
        cut = body.rfind(" ", 0, max_chars + 1)
        body = body[: cut if cut > max_chars // 2 else max_chars]
    return f"{title}\n{body}" if title else body


def first_sentences(
    text: str,
    *,
    max_sentences: int = MAX_SENTENCES,
    min_words: int = MIN_SENTENCE_WORDS,
    max_chars: int = MAX_SENTENCE_CHARS,
) -> list[str]:
    """The first ``max_sentences`` sentences of at least ``min_words`` words, each cut to ``max_chars``."""
    if max_sentences < 0 or min_words < 0 or max_chars < 1:
        raise ValueError("max_sentences and min_words must be >= 0 and max_chars >= 1")
    out: list[str] = []
    for piece in _SENTENCE_END.split(text):
        sentence = _SPACE.sub(" ", piece).strip()
        if len(sentence.split()) < min_words:
            continue
        out.append(sentence[:max_chars])
        if len(out) >= max_sentences:
            break
    return out

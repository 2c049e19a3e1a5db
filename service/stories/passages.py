"""The piece of an article that the story score embeds: its lead (title and first paragraph).

A story is one event, and an article states its event up front: the title and the first
paragraph ("lead") name who, where and when. Whole-article vectors mostly say what the
article is ABOUT (its topic), which articles on different events share; the lead is
where events differ (see docs/embedding-model.md: seed 004 is separated only by leads).

The lead is cut at LEAD_CHARS (about 150 tokens of Arabic or French): on the SemEval-2022
Task 8 dev pairs a 1,500-character lead scored only ~0.01 better in Pearson, at 2.5x the
embedding cost; the word overlap (``words``) covers the rest of the text.

A title is cut at MAX_TITLE_CHARS before anything reads it (lead, title vector, names,
word profile): real headlines are shorter (SaudiNewsNet: at most 181 characters), and a
title of 100,000 characters would otherwise be embedded whole, twice.

Example:
    >>> lead_text("Putin meets Pompeo", "Sochi, 14 May. The talks began. " * 100, max_chars=40)
    'Putin meets Pompeo\\nSochi, 14 May. The talks began. Sochi,'
    >>> len(bounded_title("x" * 100_000))
    300
"""

from __future__ import annotations

import re

LEAD_CHARS = 600
MAX_TITLE_CHARS = 300

_SPACE = re.compile(r"[ \t\u00a0]+")


def bounded_title(title: str | None, *, max_chars: int = MAX_TITLE_CHARS) -> str | None:
    """The title, cut at a space within its first ``max_chars`` characters (at
    ``max_chars`` when it has no space in their second half)."""
    if title is None or len(title) <= max_chars:
        return title
    cut = title.rfind(" ", 0, max_chars + 1)
    return title[: cut if cut > max_chars // 2 else max_chars]


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

"""The piece of an article that the story score embeds: its lead (title and first paragraph).

A story is one event, and an article states its event up front: the title and the first
paragraph ("lead") name who, where and when. Whole-article vectors mostly say what the
article is ABOUT (its topic), which articles on different events share; the lead is
where events differ (see docs/embedding-model.md: seed 004 is separated only by leads).

The lead is cut at LEAD_CHARS (about 150 tokens of Arabic or French): on the SemEval-2022
Task 8 dev pairs a 1,500-character lead scored only ~0.01 better in Pearson, at 2.5x the
embedding cost; the word overlap (``words``) covers the rest of the text.

Example:
    >>> lead_text("Putin meets Pompeo", "Sochi, 14 May. The talks began. " * 100, max_chars=40)
    'Putin meets Pompeo\\nSochi, 14 May. The talks began. Sochi,'
"""

from __future__ import annotations

import re

LEAD_CHARS = 600

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

"""HTML to article text with trafilatura (offline: no URL is ever fetched).

Example:
    >>> title, body = extract_html("<html><body><article><p>" + "Words in a paragraph. " * 10 + "</p></article></body></html>")
"""

from __future__ import annotations

import re

MIN_WORDS = 5  # less than this is a menu or a label, not an article


class NoArticleText(ValueError):
    """The HTML holds no extractable article text."""


def extract_html(html: str) -> tuple[str | None, str]:
    """(title, body text) of an HTML page; paragraphs become newline-separated lines."""
    import trafilatura  # heavy import, only when HTML arrives

    document = trafilatura.bare_extraction(
        html,
        include_comments=False,
        include_tables=False,
        favor_precision=True,
        with_metadata=True,
    )
    text = (getattr(document, "text", None) or "").strip() if document is not None else ""
    if len(re.findall(r"\w+", text)) < MIN_WORDS:
        raise NoArticleText("no paragraph of article text found")
    title = (getattr(document, "title", None) or "").strip() or None
    return title, text

"""HTML to article text with trafilatura (offline: no URL is ever fetched).

Extraction favours precision: a sidebar headline taken for article text would be
matched as copy between outlets, a missed paragraph only costs recall. When the precise
pass finds nothing (short pages, unusual markup), one recall-oriented pass is tried
before giving up. Paragraphs, headings and list items come out one per line, which is
what ``boilerplate.clean`` and ``segment.paragraphs`` expect.

Example:
    >>> page = "<html><head><title>T</title></head><body><article><p>" + "Words in a paragraph. " * 10 + "</p></article></body></html>"
    >>> title, body = extract_html(page)
    >>> body.startswith("Words in a paragraph.")
    True
"""

from __future__ import annotations

import re

MIN_WORDS = 5  # less than this is a menu or a label, not an article

_WORD = re.compile(r"\w+")


class NoArticleText(ValueError):
    """The HTML holds no extractable article text."""


def _field(document: object, name: str) -> str:
    """A text field of trafilatura's result (a Document since 1.9; a dict before)."""
    value = document.get(name) if isinstance(document, dict) else getattr(document, name, None)
    return value.strip() if isinstance(value, str) else ""


def extract_html(html: str) -> tuple[str | None, str]:
    """(title, body text) of an HTML page; paragraphs become newline-separated lines.

    Raises ``NoArticleText`` when no paragraph of at least ``MIN_WORDS`` words is found.
    """
    if not isinstance(html, str):
        raise TypeError(f"html must be str, not {type(html).__name__}")
    import trafilatura  # heavy import, only when HTML arrives

    title, text = "", ""
    for precision in (True, False):
        document = trafilatura.bare_extraction(
            html,
            include_comments=False,  # reader comments are not the article
            include_tables=False,
            include_images=False,
            include_links=False,
            favor_precision=precision,
            favor_recall=not precision,
            with_metadata=True,
        )
        if document is None:
            continue
        title = title or _field(document, "title")
        text = _field(document, "text")
        if len(_WORD.findall(text)) >= MIN_WORDS:
            break
    if len(_WORD.findall(text)) < MIN_WORDS:
        raise NoArticleText("no paragraph of article text found")
    # trafilatura keeps blank-line runs from <br><br>: one paragraph per line is enough.
    text = re.sub(r"\n\s*\n+", "\n", text)
    return title or None, text

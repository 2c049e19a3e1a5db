"""Step 1 of storing an article: extract (HTML), clean, hash, detect the language, sign.

The result depends on the article alone, never on what is stored
(``service.text.boilerplate``), so the same text is prepared the same way whatever
arrived before it.
"""

from __future__ import annotations

import hashlib

from service.domain import Article, ArticleInput, NewArticle, PassageRecord
from service.errors import InvalidInput
from service.intake.fields import is_blank
from service.reuse.signatures import sign_passages
from service.reuse.templates import content_words
from service.text.boilerplate import clean
from service.text.extract import NoArticleText, extract_html
from service.text.language import detect_language
from service.text.normalize import normalize


def preview(article: ArticleInput) -> Article:
    """The article as it would be stored (cleaned, language known) but not stored: id 0.
    Its passages are not signed: a preview is never indexed (bulk ingest previews every
    article, so signing here would double the MinHash work)."""
    new = prepare(article, sign=False)
    return Article(
        id=0,
        text=new.text,
        clean_text=new.clean.text,
        blocks=new.clean.blocks,
        content_hash=new.content_hash,
        title=new.title,
        outlet=new.outlet,
        url=new.url,
        published_at=new.published_at,
        language=new.language,
        html=new.html,
    )


def prepare(article: ArticleInput, *, sign: bool = True) -> NewArticle:
    """Extract (HTML), clean, hash and detect the language of an article; nothing is stored.
    ``sign`` False leaves the passages out (for what will not be indexed)."""
    if (article.text is None) == (article.html is None):
        raise InvalidInput("send exactly one of text or html", code="invalid_article")
    title, html = article.title, article.html
    if html is not None:
        if is_blank(html):
            raise InvalidInput("the html is empty", code="empty_text")
        try:
            extracted_title, text = extract_html(html)
        except NoArticleText as exc:
            raise InvalidInput(f"no article text could be extracted from the HTML: {exc}", code="no_article_text") from exc
        title = title or extracted_title
    else:
        text = article.text or ""
    if is_blank(text):
        raise InvalidInput("the article text is empty", code="empty_text")
    for name, value in (("text", text), ("html", html), ("title", title)):
        if value is not None and "\x00" in value:  # files and extracted HTML come here unchecked
            raise InvalidInput(f"{name} contains a NUL character", code="invalid_field", errors=[{"field": name, "code": "invalid_field"}])
    cleaned = clean(text, title=title)
    if is_blank(cleaned.text):
        raise InvalidInput("nothing is left of the text once page chrome is removed", code="no_article_text")
    normalised = normalize(cleaned.text).text
    language = article.language or detect_language(((title or "") + "\n" + cleaned.text)[:5000])
    return NewArticle(
        text=text,
        clean=cleaned,
        content_hash=hashlib.sha256(normalised.encode("utf-8")).hexdigest(),
        title=title,
        outlet=article.outlet,
        url=article.url,
        published_at=article.published_at,
        language=language,
        html=html,
        passages=tuple(PassageRecord(p.start, p.end, p.signature) for p in sign_passages(cleaned.text)) if sign else (),
        words=frozenset(content_words(cleaned.text)) if sign else frozenset(),
    )

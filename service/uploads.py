"""Articles sent through the ingest page: pasted text or HTML, or one uploaded file."""

from __future__ import annotations

from dataclasses import dataclass, field

from service.domain import ArticleInput, IngestResult
from service.errors import InvalidInput, StorydiffError, TooLarge
from service.runtime import Runtime
from service.sources import FileItem, pasted_article, read_upload


@dataclass(frozen=True, slots=True)
class UploadOutcome:
    """What became of a form: stored (or found) articles, and the lines that failed."""

    results: tuple[IngestResult, ...]
    failures: tuple[FileItem, ...] = field(default=())


def ingest_upload(
    runtime: Runtime,
    *,
    content: str = "",
    filename: str | None = None,
    data: bytes = b"",
    title: str = "",
    outlet: str = "",
    published: str = "",
    url: str = "",
) -> UploadOutcome:
    """Store what a form sent; a file wins over pasted content, form fields fill what it does not say."""
    limit = runtime.settings.max_article_bytes
    if len(data) > limit or len(content.encode("utf-8")) > limit:
        raise TooLarge(f"The article is larger than the limit of {limit // 1000} kB.")
    form = pasted_article("", title=title, outlet=outlet, published=published or None, url=url)
    if data:
        items = list(read_upload(filename or "upload.txt", data))
        failures = tuple(item for item in items if item.error is not None)
        if len(items) == 1 and failures:
            raise failures[0].error  # type: ignore[misc]
        articles = [_fill(item.article, form) for item in items if item.article is not None]
        results = []
        for article in articles:
            try:
                results.append(runtime.ingest(article))
            except StorydiffError as exc:
                if len(items) == 1:
                    raise
                failures += (FileItem("?", error=exc),)
        return UploadOutcome(tuple(results), failures)
    if not content.strip():
        raise InvalidInput("The form is empty: paste an article or choose a file.", code="empty_text")
    return UploadOutcome((runtime.ingest(_fill(pasted_article(content), form)),))


def _fill(article: ArticleInput | None, form: ArticleInput) -> ArticleInput:
    assert article is not None
    return ArticleInput(
        text=article.text,
        html=article.html,
        title=article.title or form.title,
        outlet=article.outlet or form.outlet,
        url=article.url or form.url,
        published_at=article.published_at or form.published_at,
        language=article.language,
    )

"""API shapes (pydantic). Domain values are converted here, never passed out raw."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from service.domain import Article, ArticlePage, IngestResult
from service.ingest import LineResult


class ArticleIn(BaseModel):
    """One article as sent to ``POST /articles`` (documentation of the body; validated by service.ingest)."""

    model_config = ConfigDict(extra="forbid")

    text: str | None = Field(default=None, description="Plain text as received (give text or html)")
    html: str | None = Field(default=None, description="An HTML page; its article text is extracted")
    title: str | None = None
    outlet: str | None = None
    url: str | None = None
    published_at: str | None = Field(default=None, description="ISO 8601 date or date-time")
    language: str | None = Field(default=None, description="ISO 639-1 code; detected when absent")


class ArticleOut(BaseModel):
    id: int
    text: str
    clean_text: str
    title: str | None
    outlet: str | None
    url: str | None
    published_at: datetime | None
    language: str | None
    created_at: datetime | None
    from_html: bool

    @classmethod
    def of(cls, article: Article) -> ArticleOut:
        return cls(
            id=article.id,
            text=article.text,
            clean_text=article.clean_text,
            title=article.title,
            outlet=article.outlet,
            url=article.url,
            published_at=article.published_at,
            language=article.language,
            created_at=article.created_at,
            from_html=article.html is not None,
        )


class IngestOut(BaseModel):
    ok: bool = True
    created: bool
    article: ArticleOut

    @classmethod
    def of(cls, result: IngestResult) -> IngestOut:
        return cls(created=result.created, article=ArticleOut.of(result.article))


class ArticlePageOut(BaseModel):
    ok: bool = True
    items: list[ArticleOut]
    total: int
    offset: int
    limit: int

    @classmethod
    def of(cls, page: ArticlePage) -> ArticlePageOut:
        return cls(items=[ArticleOut.of(a) for a in page.items], total=page.total, offset=page.offset, limit=page.limit)


class BulkLineOut(BaseModel):
    line: int
    ok: bool
    id: int | None = None
    created: bool | None = None
    code: str | None = None
    error: str | None = None

    @classmethod
    def of(cls, line: LineResult) -> BulkLineOut:
        if line.error is not None:
            return cls(line=line.line, ok=False, code=line.error.code, error=line.error.message)
        assert line.result is not None
        return cls(line=line.line, ok=True, id=line.result.article.id, created=line.result.created)


class BulkOut(BaseModel):
    ok: bool
    stored: int
    existing: int
    failed: int
    results: list[BulkLineOut]


class DeletedOut(BaseModel):
    ok: bool = True
    deleted: int

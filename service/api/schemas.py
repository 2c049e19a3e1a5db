"""API shapes (pydantic). Domain values are converted here, never passed out raw."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from service.domain import Analysis, Article, ArticlePage, IngestResult
from service.intake.fields import MAX_FIELD_CHARS, MAX_ID
from service.pipeline.copies import CheckedCopy, LinkView
from service.pipeline.runtime import LineResult
from service.reuse.flags import REUSE


class ArticleIn(BaseModel):
    """One article as sent to ``POST /articles`` (documentation of the body; validated by service.intake.fields)."""

    model_config = ConfigDict(extra="forbid")

    text: str | None = Field(default=None, description="Plain text as received (give text or html)")
    html: str | None = Field(default=None, description="An HTML page; its article text is extracted")
    title: str | None = Field(default=None, max_length=MAX_FIELD_CHARS["title"])
    outlet: str | None = Field(default=None, max_length=MAX_FIELD_CHARS["outlet"])
    url: str | None = Field(default=None, max_length=MAX_FIELD_CHARS["url"], description="http:// or https:// only")
    published_at: str | None = Field(default=None, max_length=MAX_FIELD_CHARS["published_at"], description="ISO 8601 date or date-time, years 1800-2199")
    language: str | None = Field(default=None, max_length=MAX_FIELD_CHARS["language"], description="ISO 639-1 code; detected when absent")


# The request bodies as OpenAPI publishes them (the routes read the body themselves, so
# that size limits and error codes come first): one article, or a pair of articles or
# ids. Each schema is published once, in the components (``docs.install``), and referred to.
_REF = "#/components/schemas/"
_ARTICLE_OR_ID = {"anyOf": [{"type": "integer", "minimum": 1, "maximum": MAX_ID, "description": "a stored article's id"}, {"$ref": _REF + "ArticleIn"}]}
REQUEST_SCHEMAS: dict[str, dict[str, object]] = {
    "ArticleIn": ArticleIn.model_json_schema(ref_template=_REF + "{model}"),
    "PairIn": {
        "type": "object",
        "title": "PairIn",
        "properties": {"a": _ARTICLE_OR_ID, "b": _ARTICLE_OR_ID},
        "required": ["a", "b"],
        "additionalProperties": False,
    },
}
ARTICLE_BODY: dict[str, object] = {"requestBody": {"required": True, "content": {"application/json": {"schema": {"$ref": _REF + "ArticleIn"}}}}}
PAIR_BODY: dict[str, object] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {"$ref": _REF + "PairIn"},
                "example": {"a": 2, "b": {"text": "...", "title": "...", "published_at": "2019-05-14"}},
            }
        },
    }
}


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


class AnalysisOut(BaseModel):
    """Where an article's analysis stands: ``queued`` (``wait=false``: a worker will run it),
    ``analysed``, or ``failed`` (its retries used up; ``error_code`` says why)."""

    status: Literal["queued", "analysed", "failed"]
    story_id: int | None = None
    error_code: str | None = None
    error: str | None = None
    attempts: int = 0

    @classmethod
    def of(cls, analysis: Analysis) -> AnalysisOut:
        return cls(
            status=analysis.status,  # type: ignore[arg-type]
            story_id=analysis.story_id,
            error_code=analysis.error_code,
            error=analysis.error,
            attempts=analysis.attempts,
        )


class StoredArticleOut(ArticleOut):
    """A stored article with where its analysis stands (``GET /articles/{id}``)."""

    analysis: AnalysisOut

    @classmethod
    def with_analysis(cls, article: Article, analysis: Analysis) -> StoredArticleOut:
        return cls(**ArticleOut.of(article).model_dump(), analysis=AnalysisOut.of(analysis))


class IngestOut(BaseModel):
    ok: bool = True
    created: bool
    article: ArticleOut
    story_id: int | None = None  # the story it joined
    notes: list[str] = []  # e.g. a story decided without embeddings (language not covered)
    status: Literal["queued", "analysed"] = "analysed"  # queued: ``wait=false``, analysed by a worker

    @classmethod
    def of(cls, result: IngestResult, *, status: Literal["queued", "analysed"] = "analysed") -> IngestOut:
        return cls(
            created=result.created, article=ArticleOut.of(result.article), story_id=result.story_id, notes=list(result.notes), status=status
        )


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
    story_id: int | None = None
    code: str | None = None
    error: str | None = None

    @classmethod
    def of(cls, line: LineResult) -> BulkLineOut:
        if line.error is not None:
            return cls(line=line.line, ok=False, code=line.error.code, error=line.error.message)
        assert line.result is not None
        return cls(line=line.line, ok=True, id=line.result.article.id, created=line.result.created, story_id=line.result.story_id)


class BulkOut(BaseModel):
    ok: bool
    stored: int
    existing: int
    failed: int
    results: list[BulkLineOut]


class DeletedOut(BaseModel):
    ok: bool = True
    deleted: int


class ArticleRef(BaseModel):
    """An article named in another answer: enough to show and fetch it."""

    id: int
    title: str | None
    outlet: str | None
    published_at: datetime | None
    language: str | None

    @classmethod
    def of(cls, article: Article) -> ArticleRef:
        return cls(id=article.id, title=article.title, outlet=article.outlet, published_at=article.published_at, language=article.language)


class LinkSpanOut(BaseModel):
    """Offsets into the ORIGINAL texts (``text`` of each article)."""

    target_start: int
    target_end: int
    source_start: int
    source_end: int
    kind: str
    similarity: float


class LinkOut(BaseModel):
    target: ArticleRef
    source: ArticleRef
    relation: str
    share: float
    credited: bool
    credit: str | None
    label: str
    direction: str  # known | uncertain (source and target by time, too close or conflicting to tell)
    direction_basis: str | None  # dateline | credit | agency | time | id
    spans: list[LinkSpanOut]

    @classmethod
    def of(cls, view: LinkView) -> LinkOut:
        link = view.link
        return cls(
            target=ArticleRef.of(view.target),
            source=ArticleRef.of(view.source),
            relation=link.relation,
            share=link.share,
            credited=link.credited,
            credit=link.credit,
            label=link.label,
            direction=link.direction,
            direction_basis=link.direction_basis,
            spans=[LinkSpanOut(**{f: getattr(s, f) for f in LinkSpanOut.model_fields}) for s in link.spans],
        )


class ReuseOut(BaseModel):
    ok: bool = True
    article_id: int
    label: str  # wholly | partially | non: how much of this article was copied from earlier ones
    copied_from: list[LinkOut]  # earlier articles this one took passages from
    copied_by: list[LinkOut]  # later articles that took passages from this one

    @classmethod
    def of(cls, article_id: int, views: list[LinkView]) -> ReuseOut:
        copied_from = [LinkOut.of(v) for v in views if v.link.target_id == article_id]
        copied_by = [LinkOut.of(v) for v in views if v.link.source_id == article_id]
        labels = {link.label for link in copied_from if link.relation in REUSE}
        label = "wholly" if "wholly" in labels else ("partially" if labels else "non")
        return cls(article_id=article_id, label=label, copied_from=copied_from, copied_by=copied_by)


class CheckSpanOut(BaseModel):
    """``a_*``: offsets into the text sent; ``b_*``: into the stored article's text."""

    a_start: int
    a_end: int
    b_start: int
    b_end: int
    kind: str
    similarity: float


class CheckMatchOut(BaseModel):
    article: ArticleRef
    share: float
    spans: list[CheckSpanOut]

    @classmethod
    def of(cls, copy: CheckedCopy) -> CheckMatchOut:
        return cls(
            article=ArticleRef.of(copy.article),
            share=copy.share,
            spans=[CheckSpanOut(**{f: getattr(s, f) for f in CheckSpanOut.model_fields}) for s in copy.spans],
        )


class CheckOut(BaseModel):
    ok: bool = True
    matches: list[CheckMatchOut]


class FlagsOut(BaseModel):
    ok: bool = True
    items: list[LinkOut]
    total: int
    offset: int
    limit: int

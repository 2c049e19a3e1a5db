"""Article ingestion and retrieval routes: thin shells over service.intake and the runtime."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from service.api.deps import ArticleId, CleanQuery, JsonBody, Offset, RuntimeDep, SettingsDep, StoreDep, WriteAccess, body_lines
from service.api.schemas import ARTICLE_BODY, ArticlePageOut, BulkLineOut, BulkOut, DeletedOut, IngestOut, StoredArticleOut
from service.intake.fields import parse_article, parse_date_range

router = APIRouter(prefix="/articles", tags=["articles"], dependencies=[CleanQuery])

_BULK_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/x-ndjson": {"schema": {"type": "string", "description": "one ArticleIn JSON object per line"}}},
    }
}


_WAIT = Query(description="false: store the article and queue its analysis (202; a worker runs it, see GET /articles/{id})")


@router.post("", response_model=IngestOut, status_code=201, dependencies=[WriteAccess], openapi_extra=ARTICLE_BODY)
def post_article(body: JsonBody, response: Response, runtime: RuntimeDep, wait: Annotated[bool, _WAIT] = True) -> IngestOut:
    """Store one article; re-posting the same URL or cleaned text returns the stored one (200).
    With ``wait=false`` the analysis is queued: 202, ``status`` queued (503 queue_unavailable
    when the queue cannot be reached; nothing is stored then)."""
    if wait:
        result = runtime.ingest(parse_article(body))
        if not result.created:
            response.status_code = 200
        return IngestOut.of(result)
    result = runtime.ingest_later(parse_article(body))
    response.status_code = 202 if result.created else 200
    return IngestOut.of(result, status="analysed" if runtime.analysis_of(result.article.id).status == "analysed" else "queued")


@router.post("/bulk", response_model=BulkOut, dependencies=[WriteAccess], openapi_extra=_BULK_BODY)
async def post_bulk(request: Request, response: Response, runtime: RuntimeDep, settings: SettingsDep, wait: Annotated[bool, _WAIT] = True) -> BulkOut:
    """Store articles from JSON Lines as they stream in; bad lines are reported by number.
    With ``wait=false`` each article's analysis is queued (202)."""
    if not wait:
        await run_in_threadpool(runtime.check_queue)  # 503 before reading a line
        response.status_code = 202
    results: list[BulkLineOut] = []
    number = 0
    async for raw in body_lines(request, settings.max_bulk_bytes):
        number += 1
        line = await run_in_threadpool(runtime.ingest_line, number, raw, wait=wait)
        if line is not None:
            results.append(BulkLineOut.of(line))
    failed = sum(1 for r in results if not r.ok)
    stored = sum(1 for r in results if r.ok and r.created)
    return BulkOut(ok=failed == 0, stored=stored, existing=len(results) - failed - stored, failed=failed, results=results)


@router.get("", response_model=ArticlePageOut)
def list_articles(
    store: StoreDep,
    outlet: str | None = None,
    since: Annotated[str | None, Query(description="ISO 8601, inclusive")] = None,
    until: Annotated[str | None, Query(description="ISO 8601, inclusive")] = None,
    offset: Offset = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> ArticlePageOut:
    """Stored articles, newest first, filtered by outlet and publication date range."""
    page = store.list(
        outlet=outlet,
        **parse_date_range(since, until),
        offset=offset,
        limit=limit,
    )
    return ArticlePageOut.of(page)


@router.get("/{article_id}", response_model=StoredArticleOut)
def get_article(article_id: ArticleId, runtime: RuntimeDep) -> StoredArticleOut:
    """A stored article, with where its analysis stands (``analysis.status``)."""
    return StoredArticleOut.with_analysis(runtime.store.get(article_id), runtime.analysis_of(article_id))


@router.delete("/{article_id}", response_model=DeletedOut, dependencies=[WriteAccess])
def delete_article(article_id: ArticleId, runtime: RuntimeDep) -> DeletedOut:
    runtime.delete(article_id)
    return DeletedOut(deleted=article_id)


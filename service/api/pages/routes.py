"""The service's own HTML pages: server-rendered Jinja2, thin shells like the JSON routes."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from starlette.concurrency import run_in_threadpool

from service.api.deps import RuntimeDep, SettingsDep, StoreDep
from service.api.errors import status_of
from service.errors import StorydiffError
from service.ingest import parse_date_range
from service.uploads import ingest_upload

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=HERE / "templates")
router = APIRouter(include_in_schema=False)


def query_of(filters: dict[str, object]) -> Callable[..., str]:
    """``query(offset=50)``: the page's filters with some changed, as a URL query string."""

    def query(**changes: object) -> str:
        return urlencode({k: v for k, v in (filters | changes).items() if v not in (None, "")})

    return query


@router.get("/", response_class=HTMLResponse)
def articles_page(
    request: Request, store: StoreDep, outlet: str | None = None, since: str | None = None, until: str | None = None, offset: int = 0
) -> HTMLResponse:
    filters = {"outlet": outlet or None, "since": since or None, "until": until or None}
    error = None
    try:
        page = store.list(
            outlet=filters["outlet"],
            **parse_date_range(since, until),
            offset=max(offset, 0),
            limit=50,
        )
    except StorydiffError as exc:
        error, page = exc.message, store.list(limit=50)

    context = {"page": page, "error": error, "query": query_of(filters), **filters}
    return templates.TemplateResponse(request, "articles.html", context)


@router.get("/articles/{article_id}/view", response_class=HTMLResponse)
def article_page(article_id: int, request: Request, store: StoreDep) -> HTMLResponse:
    article = store.get(article_id)
    context = {"article": article, "pieces": article.clean.pieces(article.text), "lang": article.language or "en"}
    return templates.TemplateResponse(request, "article.html", context)


@router.get("/ingest", response_class=HTMLResponse)
def ingest_form(request: Request) -> HTMLResponse:
    return templates.TemplateResponse(request, "ingest.html", {"form": {}})


@router.post("/ingest", response_class=HTMLResponse)
async def ingest_submit(
    request: Request,
    runtime: RuntimeDep,
    settings: SettingsDep,
    content: Annotated[str, Form()] = "",
    title: Annotated[str, Form()] = "",
    outlet: Annotated[str, Form()] = "",
    published_at: Annotated[str, Form()] = "",
    url: Annotated[str, Form()] = "",
    file: Annotated[UploadFile | None, File()] = None,
) -> HTMLResponse:
    form = {"content": content, "title": title, "outlet": outlet, "published_at": published_at, "url": url}
    context: dict[str, object] = {"form": form}
    status = 200
    try:
        data = await file.read(settings.max_article_bytes + 1) if file is not None and file.filename else b""
        outcome = await run_in_threadpool(
            ingest_upload,
            runtime,
            content=content,
            filename=file.filename if file is not None else None,
            data=data,
            title=title,
            outlet=outlet,
            published=published_at,
            url=url,
        )
        context["outcome"] = outcome
    except StorydiffError as exc:
        context["error"] = f"{exc.message} [{exc.code}]"
        status = status_of(exc)
    return templates.TemplateResponse(request, "ingest.html", context, status_code=status)

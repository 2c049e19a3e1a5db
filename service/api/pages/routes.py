"""The service's own HTML pages: server-rendered Jinja2, thin shells like the JSON routes."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool

from service.api.deps import ArticleId, CleanQuery, Offset, RuntimeDep, SettingsDep, StoreDep
from service.api.errors import error_response, status_of
from service.api.pages.forms import Form, FormLimits, read_form
from service.api.pages.guard import CSRF_FIELD, CsrfFailed, FormTokens, guard_of, safe_next
from service.api.pages.uploads import ingest_upload, upload_limit
from service.config import Settings
from service.errors import StorydiffError
from service.intake.fields import parse_date_range

HERE = Path(__file__).parent
FORM_ENVELOPE = 64_000  # multipart boundaries, part headers and the small fields


class PageTemplates(Jinja2Templates):
    """Every page gets ``csrf(action)`` for its forms and ``auth`` for its login link."""

    def TemplateResponse(  # type: ignore[override]  # noqa: N802 - Starlette's name
        self,
        request: Request,
        name: str,
        context: Mapping[str, Any] | None = None,
        status_code: int = 200,
        headers: Mapping[str, str] | None = None,
        media_type: str | None = None,
        background: BackgroundTask | None = None,
    ) -> HTMLResponse:
        guard = guard_of(request)
        tokens = FormTokens(guard, request)
        auth = {"required": guard.login_required, "logged_in": guard.logged_in(request), "may_write": guard.may_write(request)}
        full = {"csrf": tokens, "csrf_field": CSRF_FIELD, "auth": auth, **(context or {})}
        response = super().TemplateResponse(request, name, full, status_code, headers, media_type, background)
        tokens.set_cookie(response)
        return response  # type: ignore[return-value]


def http_url(url: object) -> bool:
    """Whether a stored URL may be a link: http(s) only, so never ``javascript:`` or ``data:``.

    Browsers drop tabs and newlines inside a URL and spaces around it before reading its
    scheme (``java\\tscript:``), so a URL with any whitespace or control character is text.
    """
    if not isinstance(url, str) or any(c.isspace() or not c.isprintable() for c in url):
        return False
    parts = urlsplit(url)
    return parts.scheme.lower() in ("http", "https") and bool(parts.netloc)


templates = PageTemplates(directory=HERE / "templates")
templates.env.tests["http_url"] = http_url
router = APIRouter(include_in_schema=False, dependencies=[CleanQuery])


def query_of(filters: dict[str, object]) -> Callable[..., str]:
    """``query(offset=50)``: the page's filters with some changed, as a URL query string."""

    def query(**changes: object) -> str:
        return urlencode({k: v for k, v in (filters | changes).items() if v not in (None, "")})

    return query


def refused(request: Request, exc: StorydiffError, name: str, context: dict[str, object]) -> Response:
    """A form refused before its content was looked at (401, 403, 413, a form that cannot
    be read): the page with the message for a browser, the JSON error body for a program."""
    status = CsrfFailed.status if isinstance(exc, CsrfFailed) else status_of(exc)
    if "text/html" in request.headers.get("accept", ""):
        return templates.TemplateResponse(request, name, {**context, "error": f"{exc.message} [{exc.code}]"}, status_code=status)
    return error_response(status, exc.code, exc.message, exc.errors)


async def guarded_form(request: Request, action: str, limits: FormLimits, *, writes: bool = False) -> Form:
    """A form POST past its checks, in order: its origin, and for a form that ``writes`` the
    key or login (both from the headers alone); its body, read within ``limits``; its token."""
    guard = guard_of(request)
    guard.check_origin(request)
    if writes:
        guard.require_write(request)
    form = await read_form(request, limits)
    try:
        guard.check_token(request, form.text(CSRF_FIELD), action)
    except CsrfFailed:
        form.close()
        raise
    return form


@router.get("/", response_class=HTMLResponse)
def articles_page(
    request: Request, store: StoreDep, outlet: str | None = None, since: str | None = None, until: str | None = None, offset: Offset = 0
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
def article_page(article_id: ArticleId, request: Request, store: StoreDep) -> HTMLResponse:
    article = store.get(article_id)
    context = {"article": article, "pieces": article.clean.pieces(article.text), "lang": article.language or "en"}
    return templates.TemplateResponse(request, "article.html", context)


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/ingest") -> HTMLResponse:
    return templates.TemplateResponse(request, "login.html", {"next": safe_next(next)})


@router.post("/login", response_class=HTMLResponse)
async def login_submit(request: Request) -> Response:
    """The key pasted once; a session cookie from then on (303 to the page asked for)."""
    guard = guard_of(request)
    try:
        form = await guarded_form(request, "/login", FormLimits(body=FORM_ENVELOPE))
    except StorydiffError as exc:
        return refused(request, exc, "login.html", {"next": "/ingest"})
    next_page = safe_next(form.text("next"))
    if not guard.login_required:
        return RedirectResponse(next_page, status_code=303)
    if not guard.key_matches(form.text("key")):
        context = {"next": next_page, "error": "That is not this server's API key. [unauthorized]"}
        return templates.TemplateResponse(request, "login.html", context, status_code=401)
    response = RedirectResponse(next_page, status_code=303)
    guard.start_session(request, response)
    return response


@router.post("/logout", response_class=HTMLResponse)
async def logout_submit(request: Request) -> Response:
    try:
        await guarded_form(request, "/logout", FormLimits(body=FORM_ENVELOPE))
    except StorydiffError as exc:
        return refused(request, exc, "login.html", {"next": "/ingest"})
    response = RedirectResponse("/login", status_code=303)
    guard_of(request).end_session(request, response)
    return response


@router.get("/ingest", response_class=HTMLResponse)
def ingest_form(request: Request) -> HTMLResponse:
    return templates.TemplateResponse(request, "ingest.html", {"form": {}})


def ingest_limits(settings: Settings) -> FormLimits:
    """The ingest form: one article pasted, and one file (a JSON Lines batch may be bulk-sized)."""
    return FormLimits(
        body=settings.max_article_bytes + max(settings.max_article_bytes, settings.max_bulk_bytes) + FORM_ENVELOPE,
        fields={"content": settings.max_article_bytes},
        file_bytes=lambda filename: upload_limit(settings, filename),
        max_files=1,
    )


@router.post("/ingest", response_class=HTMLResponse)
async def ingest_submit(request: Request, runtime: RuntimeDep, settings: SettingsDep) -> Response:
    try:
        form = await guarded_form(request, "/ingest", ingest_limits(settings), writes=True)
    except StorydiffError as exc:
        return refused(request, exc, "ingest.html", {"form": {}})
    fields = {name: form.text(name) for name in ("content", "title", "outlet", "published_at", "url")}
    context: dict[str, object] = {"form": fields}
    status = 200
    upload = form.file("file")
    try:
        context["outcome"] = await run_in_threadpool(
            ingest_upload,
            runtime,
            content=fields["content"],
            filename=upload.filename if upload is not None else None,
            file=upload.file if upload is not None else None,  # type: ignore[arg-type]
            title=fields["title"],
            outlet=fields["outlet"],
            published=fields["published_at"],
            url=fields["url"],
        )
    except StorydiffError as exc:
        context["error"] = f"{exc.message} [{exc.code}]"
        status = status_of(exc)
    finally:
        form.close()
    return templates.TemplateResponse(request, "ingest.html", context, status_code=status)

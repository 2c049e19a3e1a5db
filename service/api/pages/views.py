"""The comparison, story and flag pages: server-rendered, thin like the JSON routes."""

from __future__ import annotations

from contextlib import AbstractContextManager

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from service.api.deps import ArticleIdQuery, CleanQuery, Offset, RuntimeDep, SettingsDep, StoryId
from service.api.errors import status_of
from service.api.limits import analysis_slot
from service.api.pages import coverage
from service.api.pages.forms import Form, FormLimits, Upload
from service.api.pages.highlight import pieces, side_marks
from service.api.pages.routes import FORM_ENVELOPE, guarded_form, query_of, refused, templates
from service.domain import ArticleInput
from service.errors import InvalidInput, StorydiffError, TooLarge
from service.intake.fields import decode_utf8, parse_date_range
from service.pipeline.runtime import Runtime

router = APIRouter(prefix="/pages", include_in_schema=False, dependencies=[CleanQuery])


def _render(request: Request, name: str, context: dict[str, object], status: int = 200, headers: dict[str, str] | None = None) -> HTMLResponse:
    return templates.TemplateResponse(request, name, context, status_code=status, headers=headers)


def _comparison_context(runtime: Runtime, a: ArticleInput | int, b: ArticleInput | int) -> dict[str, object]:
    result = runtime.compare(a, b)
    first, second = runtime.article_of(a), runtime.article_of(b)
    return {
        "result": result,
        "sides": [
            {"name": "a", "article": first, "pieces": pieces(first.text, side_marks(result, "a"))},
            {"name": "b", "article": second, "pieces": pieces(second.text, side_marks(result, "b"))},
        ],
        "texts": {"a": first.text, "b": second.text},
    }


@router.get("/compare", response_class=HTMLResponse)
def compare_page(request: Request, runtime: RuntimeDep, a: ArticleIdQuery = None, b: ArticleIdQuery = None) -> HTMLResponse:
    context: dict[str, object] = {"a_id": a, "b_id": b, "recent": runtime.store.list(limit=100).items}
    status, headers = 200, None
    if a is not None and b is not None:
        try:
            with analysis_slot(request):
                context |= _comparison_context(runtime, a, b)
        except StorydiffError as exc:
            context["error"], status = f"{exc.message} [{exc.code}]", status_of(exc)
            headers = getattr(exc, "headers", None)  # Retry-After of 503 busy
    return _render(request, "compare.html", context, status, headers)


@router.post("/compare", response_class=HTMLResponse)
async def compare_pasted(request: Request, runtime: RuntimeDep, settings: SettingsDep) -> Response:
    # Reads only, so no key; but a form POST all the same: origin, token and limits.
    limit = settings.max_article_bytes
    limits = FormLimits(body=4 * limit + FORM_ENVELOPE, fields={"a_text": limit, "b_text": limit}, file_bytes=lambda _name: limit)
    try:
        form = await guarded_form(request, "/pages/compare", limits)
    except StorydiffError as exc:
        return refused(request, exc, "compare.html", {"recent": runtime.store.list(limit=100).items})
    try:
        context, status, headers = await run_in_threadpool(_compare_form, runtime, form, limit, analysis_slot(request))
    finally:
        form.close()
    return _render(request, "compare.html", context, status, headers)


def _compare_form(runtime, form: Form, limit: int, slot: AbstractContextManager[None]) -> tuple[dict[str, object], int, dict[str, str] | None]:  # type: ignore[no-untyped-def]
    a_text, b_text = form.text("a_text"), form.text("b_text")
    context: dict[str, object] = {"recent": runtime.store.list(limit=100).items, "form": {"a_text": a_text, "b_text": b_text}}
    try:
        a = _side(_uploaded(form.file("a_file"), "A", limit) or a_text, form.text("a_id"), "A")
        b = _side(_uploaded(form.file("b_file"), "B", limit) or b_text, form.text("b_id"), "B")
        with slot:
            context |= _comparison_context(runtime, a, b)
    except StorydiffError as exc:
        context["error"] = f"{exc.message} [{exc.code}]"
        return context, status_of(exc), getattr(exc, "headers", None)
    return context, 200, None


def _uploaded(file: Upload | None, name: str, limit: int) -> str:
    """An uploaded file's text (UTF-8, at most ``limit`` bytes); "" when none was chosen."""
    if file is None:
        return ""
    data = file.file.read(limit + 1)
    if len(data) > limit:
        raise TooLarge(f"article {name}: the file {file.filename} is larger than the limit of {limit} bytes")
    try:
        return decode_utf8(data)
    except InvalidInput as exc:
        raise InvalidInput(f"article {name}: the file {file.filename} is not UTF-8 text", code="invalid_utf8") from exc


def _side(text: str, stored: str, name: str) -> ArticleInput | int:
    if stored.strip().isdigit():
        return int(stored)
    if not text.strip():
        raise InvalidInput(f"article {name}: paste a text or pick a stored article", code="empty_text")
    return ArticleInput(html=text) if text.lstrip().startswith("<") else ArticleInput(text=text)


@router.get("/stories", response_class=HTMLResponse)
def stories_page(
    request: Request,
    runtime: RuntimeDep,
    since: str = "",
    until: str = "",
    outlet: str = "",
    q: str = "",
    offset: Offset = 0,
) -> HTMLResponse:
    filters = {"since": since, "until": until, "outlet": outlet, "q": q}
    context: dict[str, object] = {"filters": filters}
    status = 200
    try:
        context["page"] = runtime.stories(
            **parse_date_range(since, until),
            outlet=outlet or None,
            q=q or None,
            offset=max(offset, 0),
            limit=50,
        )
    except StorydiffError as exc:
        context["error"], status = f"{exc.message} [{exc.code}]", status_of(exc)
        context["page"] = runtime.stories(limit=50)

    context["query"] = query_of(filters)
    return _render(request, "stories.html", context, status)


@router.get("/stories/{story_id}", response_class=HTMLResponse)
def story_page(story_id: StoryId, request: Request, runtime: RuntimeDep) -> HTMLResponse:
    try:
        detail = runtime.story(story_id)
    except StorydiffError as exc:
        return _render(request, "message.html", {"error": f"{exc.message} [{exc.code}]"}, status_of(exc))
    outlets = list(dict.fromkeys(a.outlet or "—" for a in detail.articles))
    names = {a.id: a.outlet or "" for a in detail.articles}
    return _render(request, "story.html", {"detail": detail, "outlets": outlets, "names": names, "first": detail.articles[0], "chart": coverage.layout(detail)})


@router.get("/flags", response_class=HTMLResponse)
def flags_page(request: Request, runtime: RuntimeDep, outlet: str = "", min_share: float = 0.0) -> HTMLResponse:
    views, total = runtime.flags(outlet=outlet or None, min_share=max(0.0, min(min_share, 1.0)), limit=200)
    return _render(request, "flags.html", {"views": views, "total": total, "outlet": outlet, "min_share": min_share})

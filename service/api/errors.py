"""One JSON error body everywhere (4xx, 422, 500):

    {"ok": false, "status": 422, "code": "invalid_article", "error": "...", "errors": [...]}

``code`` is stable: programs branch on it; ``error`` is for people.

An unexpected exception is answered by ``UnexpectedErrors``, a middleware inside
Starlette's ServerErrorMiddleware: that one re-raises after its handler has answered, and
uvicorn then closes the connection unannounced, so the client's next request on that
keep-alive connection fails. Here the exception ends with its 500 answer.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.errors import InvalidInput, NotFound, StorydiffError, TooLarge, Unavailable
from service.pipeline import metrics

log = logging.getLogger(__name__)

# Status by error code where the error class alone does not decide it.
_STATUS_BY_CODE = {"invalid_json": 400, "invalid_utf8": 400, "unauthorized": 401, "url_conflict": 409, "feed_exists": 409, "unsupported_media_type": 415}
_STATUS_BY_CLASS: list[tuple[type[StorydiffError], int]] = [
    (TooLarge, 413),
    (NotFound, 404),
    (Unavailable, 503),
    (InvalidInput, 422),
]
_CODE_BY_STATUS = {400: "bad_request", 401: "unauthorized", 404: "not_found", 405: "method_not_allowed", 409: "conflict", 413: "too_large"}


def error_body(status: int, code: str, error: str, errors: list[dict[str, object]] | None = None) -> dict[str, object]:
    return {"ok": False, "status": status, "code": code, "error": error, "errors": errors or []}


def error_response(status: int, code: str, error: str, errors: list[dict[str, object]] | None = None) -> JSONResponse:
    metrics.ERRORS.labels(code=code).inc()
    return JSONResponse(error_body(status, code, error, errors), status_code=status)


def status_of(exc: StorydiffError) -> int:
    if exc.code in _STATUS_BY_CODE:
        return _STATUS_BY_CODE[exc.code]
    for cls, status in _STATUS_BY_CLASS:
        if isinstance(exc, cls):
            return status
    return 400


def install(app: FastAPI) -> None:
    """Route every error the app can raise through ``error_body``."""

    @app.exception_handler(StorydiffError)
    async def _storydiff(_request: Request, exc: StorydiffError) -> JSONResponse:
        response = error_response(status_of(exc), exc.code, exc.message, exc.errors)
        response.headers.update(getattr(exc, "headers", None) or {})  # e.g. Retry-After of 503 busy
        return response

    @app.exception_handler(RequestValidationError)
    async def _validation(_request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {"field": ".".join(str(p) for p in e.get("loc", ())), "code": e.get("type", "invalid"), "message": e.get("msg", "")}
            for e in exc.errors()
        ]
        return error_response(422, "invalid_request", "the request is not valid", errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = _CODE_BY_STATUS.get(exc.status_code, "http_error")
        response = error_response(exc.status_code, code, str(exc.detail))
        for name, value in (exc.headers or {}).items():
            response.headers[name] = value
        return response

    @app.exception_handler(Exception)
    async def _unexpected(_request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error", exc_info=exc)
        return error_response(500, "internal_error", "internal server error")

    # Looked up per error, so a handler wrapped later (headers) is the one that answers.
    app.add_middleware(UnexpectedErrors, handlers=app.exception_handlers)


class UnexpectedErrors:
    """Answers an exception no handler took with the app's ``Exception`` handler (500,
    the one error body) and ends it there, keeping the connection open. Only when the
    response had started already does it go on up: then closing is all a server can do."""

    def __init__(self, app: ASGIApp, *, handlers: dict[object, object]) -> None:
        self.app = app
        self.handlers = handlers

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracked(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracked)
        except Exception as exc:
            if started:
                raise
            handler = self.handlers[Exception]
            response = await handler(Request(scope, receive), exc)  # type: ignore[operator]
            await response(scope, receive, send)

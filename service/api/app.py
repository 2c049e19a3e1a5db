"""The FastAPI application: ``create_app(settings)`` builds it; the lifespan opens the runtime."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request, Response
from fastapi.staticfiles import StaticFiles

from service.api import docs, errors
from service.api.headers import SecurityHeaders, secure
from service.api.pages import routes as pages
from service.api.pages import views as page_views
from service.api.pages.guard import PageGuard
from service.api.routes import articles, compare, exports, feeds, health, reuse, stories, watches
from service.config import Settings, get_settings
from service.pipeline.runtime import Runtime

log = logging.getLogger(__name__)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.runtime = Runtime.open(settings)
        try:
            # Load the embedding model before serving: a missing model fails the start with
            # its rebuild command, and the first request does not wait seconds for it.
            app.state.runtime.desk.docs.encoder
            # Articles a failed or interrupted request left without their copy check or
            # story are finished before serving (one query when there are none), by the
            # workers when there are any, else here.
            queued = app.state.runtime.queue_unfinished()
            if queued:
                log.warning("start: %d unfinished articles sent to the workers", queued)
            repaired = app.state.runtime.repair() if queued is None else None
            if repaired is not None and (repaired.completed or repaired.failed):
                log.warning("repair at start: %d articles finished, %d failed: %s", repaired.completed, len(repaired.failed), repaired.failed[:10])
            yield
        finally:
            app.state.runtime.close()

    app = FastAPI(
        title="storydiff",
        summary="Wire copy, story clusters and side-by-side comparison of news articles",
        version="0.1.0",
        lifespan=lifespan,
        # FastAPI's own docs pages load Swagger UI and ReDoc from a CDN: /docs is served
        # from local files instead (service/api/docs.py), and there is no /redoc.
        docs_url=None,
        redoc_url=None,
    )
    errors.install(app)
    _secure_unexpected_errors(app)
    app.add_middleware(SecurityHeaders)
    app.state.page_guard = PageGuard.of(settings)
    docs.install(app)
    app.include_router(health.router)
    app.include_router(articles.router)
    app.include_router(reuse.router)
    app.include_router(stories.router)
    app.include_router(exports.router)
    app.include_router(compare.router)
    app.include_router(feeds.router)
    app.include_router(watches.router)
    app.include_router(pages.router)
    app.include_router(page_views.router)
    app.mount("/static", StaticFiles(directory=pages.HERE / "static"), name="static")
    return app


def _secure_unexpected_errors(app: FastAPI) -> None:
    # A 500 is sent by Starlette's outermost middleware, outside SecurityHeaders: its
    # handler adds the headers itself.
    handle = app.exception_handlers[Exception]

    async def secured(request: Request, exc: Exception) -> Response:
        response = await handle(request, exc)
        secure(response.headers)
        return response

    app.exception_handlers[Exception] = secured

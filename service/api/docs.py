"""The API docs page (Swagger UI) served from this process, never from a CDN.

The machines the service runs on may be offline, so the Swagger UI script, style and icon
come from the ``fastapi-offline`` package's static files (swagger-ui 5, which reads the
OpenAPI 3.1 that FastAPI writes). FastAPI's page starts Swagger UI with one inline script;
the page's own Content-Security-Policy allows exactly that script by its SHA-256 hash, and
inline styles (Swagger UI sets ``style`` attributes), nothing else.
"""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path
from typing import Any

import fastapi_offline
from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from service.api.schemas import REQUEST_SCHEMAS

DOCS_URL = "/docs"
ASSETS_URL = "/docs/static"
ASSETS = Path(fastapi_offline.__file__).parent / "static"
_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)


def docs_page(app: FastAPI) -> HTMLResponse:
    """The Swagger UI page with its own CSP (its inline start-up script allowed by hash)."""
    page = get_swagger_ui_html(
        openapi_url=app.openapi_url or "/openapi.json",
        title=f"{app.title} · API",
        swagger_js_url=f"{ASSETS_URL}/swagger-ui-bundle.js",
        swagger_css_url=f"{ASSETS_URL}/swagger-ui.css",
        swagger_favicon_url=f"{ASSETS_URL}/favicon.png",
        # No call to the public validator service: the page must work offline.
        swagger_ui_parameters={**(app.swagger_ui_parameters or {}), "validatorUrl": None},
    )
    body = bytes(page.body).decode()
    hashes = " ".join(
        f"'sha256-{base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()}'" for script in _INLINE_SCRIPT.findall(body)
    )
    page.headers["Content-Security-Policy"] = (
        f"default-src 'self'; script-src 'self' {hashes}; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        "object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
    )
    return page


def install(app: FastAPI) -> None:
    """``/docs`` and its assets; create the app with ``docs_url=None`` (FastAPI's uses a CDN).
    The OpenAPI document gets the request bodies' schemas, which the routes refer to."""
    app.mount(ASSETS_URL, StaticFiles(directory=ASSETS), name="docs-static")

    def openapi() -> dict[str, Any]:
        schema = app.openapi_schema
        if schema is None:
            schema = FastAPI.openapi(app)  # builds and keeps app.openapi_schema
            schema.setdefault("components", {}).setdefault("schemas", {}).update(REQUEST_SCHEMAS)
        return schema

    app.openapi = openapi  # type: ignore[method-assign]

    @app.get(DOCS_URL, include_in_schema=False)
    def swagger_ui() -> HTMLResponse:
        return docs_page(app)

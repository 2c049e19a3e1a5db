"""Stored URLs are links only when http(s), and every response carries the security
headers (CSP without inline script, nosniff, no framing), against a real server."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from service.api.app import create_app
from service.api.headers import CONTENT_SECURITY_POLICY
from service.config import Settings
from tests.security.pages_client import page_server
from tests.server import Server

# Stored as they are, past any ingest validation: the page must be safe on its own.
HOSTILE_URLS = [
    "javascript:alert(document.cookie)",
    "JavaScript:alert(1)",
    "java\tscript:alert(1)",
    " javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "//evil.example/x",
]
SAFE_URL = 'https://news.example/a?b="><script>alert(1)</script>'


@pytest.fixture(scope="module")
def stored(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, dict[str, int]]]:
    tmp = tmp_path_factory.mktemp("xss")
    with page_server(tmp) as server:
        ids = {}
        for n, url in enumerate([*HOSTILE_URLS, SAFE_URL]):
            answer = httpx.post(f"{server.url}/articles", json={"text": f"Article {n} about the harbour strike, day {n}.", "url": f"https://placeholder.example/{n}"})
            assert answer.status_code == 201, answer.text
            ids[url] = answer.json()["article"]["id"]
        with sqlite3.connect(tmp / "pages.db") as db:
            for url, article_id in ids.items():
                db.execute("UPDATE articles SET url = ? WHERE id = ?", (url, article_id))
        yield server, ids


def _url_cell(html: str) -> str:
    return html.split('<span class="muted">URL</span>', 1)[1].split("</span>", 1)[0]


@pytest.mark.parametrize("url", HOSTILE_URLS)
def test_a_stored_non_http_url_is_text_not_a_link(stored: tuple[Server, dict[str, int]], url: str) -> None:
    server, ids = stored
    page = httpx.get(f"{server.url}/articles/{ids[url]}/view")
    assert page.status_code == 200
    cell = _url_cell(page.text)
    assert "<a" not in cell and "href" not in cell, cell
    assert "<script>" not in page.text  # the data: URL's markup is escaped text
    assert not re.search(r'href="\s*(javascript|data|vbscript):', page.text, re.IGNORECASE)


def test_a_stored_https_url_is_an_escaped_link(stored: tuple[Server, dict[str, int]]) -> None:
    server, ids = stored
    cell = _url_cell(httpx.get(f"{server.url}/articles/{ids[SAFE_URL]}/view").text)
    assert cell.startswith('<span dir="ltr"><a href="https://news.example/a?b=&#34;&gt;&lt;script&gt;')
    assert "<script>" not in cell


def _check(response: httpx.Response) -> None:
    where = f"{response.request.method} {response.request.url.path} -> {response.status_code}"
    assert response.headers.get("x-content-type-options") == "nosniff", where
    assert response.headers.get("x-frame-options") == "DENY", where
    csp = response.headers.get("content-security-policy", "")
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp, where
    script_src = re.search(r"script-src ([^;]*)", csp)
    assert script_src and "'unsafe-inline'" not in script_src.group(1) and "'unsafe-eval'" not in script_src.group(1), where
    if response.request.url.path != "/docs":
        assert csp == CONTENT_SECURITY_POLICY, where


def test_every_response_carries_the_security_headers(stored: tuple[Server, dict[str, int]]) -> None:
    server, ids = stored
    some = next(iter(ids.values()))
    with httpx.Client(base_url=server.url, timeout=30) as client:
        answers = [
            client.get(path)
            for path in (
                "/", f"/articles/{some}/view", "/pages/stories", "/pages/flags", "/pages/compare", "/ingest", "/login",
                "/health", "/articles", f"/articles/{some}", "/openapi.json", "/docs", "/docs/static/swagger-ui-bundle.js",
                "/static/pages.js", "/static/style.css", "/no/such/page", "/articles/999999/view",
            )
        ]
        answers.append(client.post("/ingest", data={"content": "x"}, headers={"Origin": "http://evil.example"}))  # 403
        answers.append(client.post("/articles", json={"text": "x" * 3_000_000}))  # 413
        answers.append(client.put("/articles"))  # 405
        answers.append(client.get("/articles", params={"since": "soon"}))  # 422
    assert {a.status_code for a in answers} >= {200, 403, 404, 405, 413, 422}
    for answer in answers:
        _check(answer)


def test_an_unexpected_error_carries_them_too(tmp_path: Path) -> None:
    # A 500 leaves the app from Starlette's outermost layer, past the headers middleware.
    app = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'db.sqlite'}", embedding_model="none", redis_url=None, api_key=None))

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("a bug")

    with TestClient(app, raise_server_exceptions=False) as client:
        answer = client.get("/boom")
    assert answer.status_code == 500 and answer.json()["code"] == "internal_error"
    assert answer.headers["x-content-type-options"] == "nosniff" and answer.headers["x-frame-options"] == "DENY"
    assert answer.headers["content-security-policy"] == CONTENT_SECURITY_POLICY

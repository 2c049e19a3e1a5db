"""Helpers for the pages' security tests: a real server on SQLite, and a form-filling client."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.server import ROOT, Server

KEY = "s3cret-key-for-tests"
TOKEN = re.compile(r'name="csrf_token" value="([0-9a-f]+)"')


@contextmanager
def page_server(tmp_path: Path, **env: str) -> Iterator[Server]:
    """``storydiff serve`` on a fresh SQLite file, without the embedding model (fast start)."""
    base = {
        "STORYDIFF_DATABASE_URL": f"sqlite:///{tmp_path / 'pages.db'}",
        "STORYDIFF_MODELS_DIR": str(ROOT / "models"),
        "STORYDIFF_EMBEDDING_MODEL": "none",
        "STORYDIFF_REDIS_URL": "",
        "STORYDIFF_API_KEY": "",
    }
    server = Server(base | env)
    try:
        yield server
    finally:
        server.stop()


def token_of(client: httpx.Client, page: str, action: str) -> str:
    """The CSRF token of the form posting to ``action`` on ``page`` (the client keeps the cookie)."""
    html = client.get(page).text
    found = TOKEN.search(html[html.index(f'action="{action}"'):])
    assert found, f"no token in the form of {page}"
    return found.group(1)


def login(client: httpx.Client, key: str = KEY) -> httpx.Response:
    token = token_of(client, "/login", "/login")
    return client.post("/login", data={"key": key, "csrf_token": token, "next": "/ingest"}, headers={"Origin": str(client.base_url).rstrip("/")})


def article_count(server: Server) -> int:
    return int(httpx.get(f"{server.url}/articles").json()["total"])

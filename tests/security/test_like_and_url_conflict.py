"""Story search takes ``%`` and ``_`` literally; a stored URL sent with another text is a
409 ``url_conflict`` (the same URL with the same text stays a 200 "existing")."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from service.config import Settings
from service.storage.store import Store
from tests.security.corpus import article
from tests.server import Server

pytestmark = pytest.mark.slow


def _server(database_url: str) -> Server:
    return Server({"STORYDIFF_DATABASE_URL": database_url, "STORYDIFF_EMBEDDING_MODEL": "none", "STORYDIFF_REDIS_URL": ""})


@pytest.fixture
def stored_server(database_url: str, tmp_path: Path):  # type: ignore[no-untyped-def]
    if database_url.startswith("sqlite"):
        database_url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    server = _server(database_url)
    try:
        yield server, database_url
    finally:
        server.stop()


def _headlines(http: httpx.Client, q: str) -> list[str]:
    answer = http.get("/stories", params={"q": q})
    assert answer.status_code == 200, answer.text
    return sorted(s["headline"] for s in answer.json()["items"])


def test_story_search_escapes_like_wildcards(stored_server) -> None:  # type: ignore[no-untyped-def]
    server, _ = stored_server
    titles = ["ارتفاع الأسعار 50% في عام", "ملف a_b للمفاوضات", "تقرير عن السدود\\المياه", "خبر عادي بلا رموز"]
    with httpx.Client(base_url=server.url, timeout=60) as http:
        for n, title in enumerate(titles):
            # Far apart in time: each its own story, headed by its title.
            body = {**article(n), "title": title, "published_at": f"201{n}-01-01"}
            assert http.post("/articles", json=body).status_code == 201
        assert len(_headlines(http, "")) == 4
        assert _headlines(http, "%") == [titles[0]]
        assert _headlines(http, "_") == [titles[1]]
        assert _headlines(http, "50%") == [titles[0]]
        assert _headlines(http, "a_b") == [titles[1]]
        assert _headlines(http, "\\") == [titles[2]]
        assert _headlines(http, "%%") == [] and _headlines(http, "a%b") == [] and _headlines(http, "5_%") == []


def test_same_url_other_text_is_a_conflict(stored_server) -> None:  # type: ignore[no-untyped-def]
    server, database_url = stored_server
    first, other = article(1), article(2)
    with httpx.Client(base_url=server.url, timeout=60) as http:
        created = http.post("/articles", json=first)
        assert created.status_code == 201
        stored_id = created.json()["article"]["id"]
        again = http.post("/articles", json=first)
        assert again.status_code == 200 and again.json()["created"] is False and again.json()["article"]["id"] == stored_id
        # The same text with whitespace changed cleans to the same text: still "existing".
        spaced = http.post("/articles", json={**first, "text": "\n  " + first["text"].replace("\n\n", "\n\n\n") + "  \n"})
        assert spaced.status_code == 200 and spaced.json()["article"]["id"] == stored_id

        conflict = http.post("/articles", json={**other, "url": first["url"]})
        assert conflict.status_code == 409
        body = conflict.json()
        assert (body["ok"], body["status"], body["code"]) == (False, 409, "url_conflict")
        assert body["errors"] == [{"field": "url", "code": "url_conflict", "article_id": stored_id}]

        bulk = http.post(
            "/articles/bulk",
            content=(httpx.Request("POST", "/", json={**other, "url": first["url"]}).content + b"\n"),
            headers={"Content-Type": "application/x-ndjson"},
        )
        assert bulk.status_code == 200 and bulk.json()["results"][0]["code"] == "url_conflict"

        assert http.get("/articles").json()["total"] == 1
        assert http.get(f"/articles/{stored_id}").json()["text"] == first["text"]  # nothing replaced
        # The other text without the URL is stored as an article of its own.
        assert http.post("/articles", json={**other, "url": None}).status_code == 201
    store = Store.open(Settings(database_url=database_url).database_url, create=False)
    try:
        assert store.count() == 2
    finally:
        store.close()

"""The HTML pages over HTTP (TestClient, real SQLite): content and clear messages on bad input."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from service.api.app import create_app
from service.config import Settings
from tests.conftest import seed_text

ORIGIN = {"Origin": "http://testserver"}


def token_of(client: TestClient, page: str, action: str) -> str:
    """The CSRF token of the form posting to ``action`` on ``page`` (the client keeps its cookie)."""
    html = client.get(page).text
    form = html[html.index(f'action="{action}"'):]
    return re.search(r'name="csrf_token" value="([0-9a-f]+)"', form).group(1)  # type: ignore[union-attr]


def post_ingest(client: TestClient, **kwargs: object):  # type: ignore[no-untyped-def]
    data = {**kwargs.pop("data", {}), "csrf_token": token_of(client, "/ingest", "/ingest")}  # type: ignore[dict-item]
    return client.post("/ingest", data=data, headers=ORIGIN, **kwargs)  # type: ignore[arg-type]


def post_compare(client: TestClient, **kwargs: object):  # type: ignore[no-untyped-def]
    data = {**kwargs.pop("data", {}), "csrf_token": token_of(client, "/pages/compare", "/pages/compare")}  # type: ignore[dict-item]
    return client.post("/pages/compare", data=data, headers=ORIGIN, **kwargs)  # type: ignore[arg-type]


def test_ingest_page_stores_pasted_text_and_shows_it(client: TestClient) -> None:
    text = seed_text("004_fce3ca92cfa685eb")
    response = post_ingest(client, data={"content": text, "outlet": "SANA", "published_at": "2016-09-05"})
    assert response.status_code == 200 and "Stored" in response.text
    assert 'href="/pages/stories/1"' in response.text  # where it landed: its story
    listing = client.get("/")
    assert "SANA" in listing.text and "1 article" in listing.text
    view = client.get("/articles/1/view")
    assert view.status_code == 200
    # The Telegram promotion is shown struck through as chrome, the body as kept text.
    assert '<span class="chrome">' in view.text
    chrome = view.text.split('<span class="chrome">', 1)[1]
    assert "telegram.me" in chrome


def test_ingest_page_errors_are_messages_not_stack_traces(sqlite_url: str) -> None:
    with TestClient(create_app(Settings(database_url=sqlite_url, max_article_bytes=5_000))) as client:
        empty = post_ingest(client, data={"content": "  "})
        assert empty.status_code == 422 and "form is empty" in empty.text and "Traceback" not in empty.text
        big = post_ingest(client, files={"file": ("big.txt", ("عنوان\n" + "كلمة " * 5_000).encode())})
        assert big.status_code == 413 and "larger than the limit" in big.text
        binary = post_ingest(client, files={"file": ("bad.txt", b"title\n\xff\xfe\x00 junk")})
        assert binary.status_code == 400 and "UTF-8" in binary.text
        kind = post_ingest(client, files={"file": ("x.pdf", b"%PDF-1.4")})
        assert kind.status_code == 422 and "unsupported file type" in kind.text
        assert client.get("/articles").json()["total"] == 0


def test_ingest_page_takes_a_jsonl_file(client: TestClient) -> None:
    lines = b'{"text": "\xd8\xae\xd8\xa8\xd8\xb1 \xd8\xa3\xd9\x88\xd9\x84"}\n{oops\n{"text": "second article text"}\n'
    response = post_ingest(client, files={"file": ("batch.jsonl", lines)}, data={"outlet": "X"})
    assert response.status_code == 200
    assert response.text.count("Stored") == 2 and "batch.jsonl:2" in response.text
    assert {a["outlet"] for a in client.get("/articles").json()["items"]} == {"X"}


def test_articles_page_filters(client: TestClient) -> None:
    client.post("/articles", json={"text": "first story text", "outlet": "A", "published_at": "2019-05-14"})
    client.post("/articles", json={"text": "second story text", "outlet": "B", "published_at": "2019-05-16"})
    page = client.get("/", params={"since": "2019-05-15"})
    assert "1 article" in page.text and ">B<" in page.text and ">A<" not in page.text
    bad = client.get("/", params={"since": "soon"})
    assert bad.status_code == 200 and "ISO 8601" in bad.text


def test_compare_page_upload_errors_are_messages(sqlite_url: str) -> None:
    with TestClient(create_app(Settings(database_url=sqlite_url, max_article_bytes=5_000))) as client:
        empty = post_compare(client, data={"a_text": "", "b_text": ""})
        assert empty.status_code == 422 and "paste a text or pick a stored article" in empty.text
        big = post_compare(client, files={"a_file": ("a.txt", b"x " * 5_000), "b_file": ("b.txt", b"short")})
        assert big.status_code == 413 and "larger than the limit" in big.text
        binary = post_compare(client, files={"a_file": ("a.txt", b"\xff\xfe junk"), "b_file": ("b.txt", b"short")})
        assert binary.status_code == 400 and "not UTF-8" in binary.text and "Traceback" not in binary.text

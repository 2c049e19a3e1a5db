"""POST, GET and DELETE /feeds through the API (TestClient, real SQLite): the API key,
the house's error body, and the URLs refused before anything is stored."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from service.api.app import create_app
from service.config import Settings
from tests.conftest import ROOT, coded_error

KEY = {"Authorization": "Bearer s3cret"}


def _settings(sqlite_url: str, **extra: object) -> Settings:
    # No model: these requests store feeds, not articles.
    return Settings(database_url=sqlite_url, models_dir=ROOT / "models", redis_url=None, embedding_model="none", api_key="s3cret", **extra)  # type: ignore[arg-type]


@pytest.fixture
def keyed(sqlite_url: str) -> Iterator[TestClient]:
    with TestClient(create_app(_settings(sqlite_url))) as client:
        yield client


def test_feeds_are_added_listed_and_removed_with_the_key(sqlite_url: str) -> None:
    with TestClient(create_app(_settings(sqlite_url, allow_private_feeds=True))) as client:
        feed = {"url": "http://127.0.0.1:9/rss.xml", "outlet": "SANA", "language": "ar", "every": "1h"}
        coded_error(client.post("/feeds", json=feed), 401, "unauthorized")
        coded_error(client.post("/feeds", json=feed, headers={"X-API-Key": "wrong"}), 401, "unauthorized")
        created = client.post("/feeds", json=feed, headers=KEY)
        assert created.status_code == 201, created.json()
        body = created.json()
        assert body | {"id": 0, "next_poll_at": None} == {
            "id": 0, "url": "http://127.0.0.1:9/rss.xml", "outlet": "SANA", "language": "ar", "every_seconds": 3600,
            "last_polled_at": None, "next_poll_at": None, "last_error": None, "entries_seen": 0,
        }
        again = coded_error(client.post("/feeds", json=feed | {"outlet": "Other"}, headers=KEY), 409, "feed_exists")
        assert again["errors"] == [{"field": "url", "code": "feed_exists", "feed_id": body["id"]}]
        default = client.post("/feeds", json={"url": "http://localhost:9/atom.xml", "outlet": "X"}, headers=KEY).json()
        assert default["every_seconds"] == 900 and default["language"] is None

        listed = client.get("/feeds").json()  # reads need no key
        assert listed["ok"] is True and listed["total"] == 2 and [f["id"] for f in listed["items"]] == [body["id"], default["id"]]
        assert client.get(f"/feeds/{body['id']}").json() == body

        coded_error(client.delete(f"/feeds/{body['id']}"), 401, "unauthorized")
        removed = client.delete(f"/feeds/{body['id']}", headers=KEY)
        assert removed.status_code == 204 and removed.content == b""
        coded_error(client.delete(f"/feeds/{body['id']}", headers=KEY), 404, "not_found")
        coded_error(client.get(f"/feeds/{body['id']}"), 404, "not_found")
        coded_error(client.delete("/feeds/0", headers=KEY), 422, "invalid_request")
        assert client.get("/feeds").json()["total"] == 1


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"url": "ftp://news.example/rss", "outlet": "X"}, "invalid_url"),
        ({"url": "javascript:alert(1)", "outlet": "X"}, "invalid_url"),
        ({"url": "file:///etc/passwd", "outlet": "X"}, "invalid_url"),
        ({"url": "http://127.0.0.1/rss.xml", "outlet": "X"}, "private_address"),
        ({"url": "http://localhost:8000/rss.xml", "outlet": "X"}, "private_address"),
        ({"url": "http://[::1]/rss.xml", "outlet": "X"}, "private_address"),
        ({"url": "http://169.254.169.254/latest/meta-data", "outlet": "X"}, "private_address"),
        ({"url": "http://10.0.0.8/rss.xml", "outlet": "X"}, "private_address"),
        ({"url": "http://no-such-host.invalid/rss.xml", "outlet": "X"}, "unresolvable_host"),
        ({"url": "https://news.example/rss", "outlet": "X", "every": "10s"}, "invalid_interval"),
        ({"url": "https://news.example/rss"}, "invalid_field"),
        ({"url": "https://news.example/rss", "outlet": "X", "etag": "x"}, "unknown_field"),
    ],
)
def test_bad_feeds_are_refused_with_their_code(keyed: TestClient, body: dict[str, object], code: str) -> None:
    response = keyed.post("/feeds", json=body, headers=KEY)
    coded_error(response, 422, code)
    assert keyed.get("/feeds").json()["total"] == 0


def test_a_body_that_is_not_json_is_refused(keyed: TestClient) -> None:
    coded_error(keyed.post("/feeds", content=b'{"url": ', headers=KEY | {"Content-Type": "application/json"}), 400, "invalid_json")
    coded_error(keyed.post("/feeds", content=b'{"url": "https://x.example", "outlet": "X"}', headers=KEY | {"Content-Type": "text/plain"}), 415, "unsupported_media_type")

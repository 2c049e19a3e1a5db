"""POST, GET and DELETE /watches, their deliveries and Atom feed through the API
(TestClient, real SQLite): the API key, the house's error body, bad watches refused
before anything is stored."""

from __future__ import annotations

import feedparser
import pytest
from fastapi.testclient import TestClient

from service.api.app import create_app
from service.config import Settings
from tests.conftest import ROOT, coded_error

KEY = {"Authorization": "Bearer s3cret"}
HOOK = "http://127.0.0.1:9/hook"


def _settings(sqlite_url: str, **extra: object) -> Settings:
    # No model: these requests store watches, not articles.
    return Settings(database_url=sqlite_url, models_dir=ROOT / "models", redis_url=None, embedding_model="none", api_key="s3cret", **extra)  # type: ignore[arg-type]


def test_watches_are_added_listed_read_and_removed_with_the_key(sqlite_url: str) -> None:
    with TestClient(create_app(_settings(sqlite_url, allow_private_feeds=True))) as client:
        watch = {"on": "flags", "source_outlet": "was", "credited": False, "webhook_url": HOOK}
        coded_error(client.post("/watches", json=watch), 401, "unauthorized")
        created = client.post("/watches", json=watch, headers=KEY)
        assert created.status_code == 201, created.json()
        body = created.json()
        assert len(body["secret"]) == 64 and body["on"] == "flags" and body["matches"] == body["delivered"] == 0
        assert body["filters"] == {"outlet": None, "source_outlet": "was", "min_share": 0.0, "credited": False, "relation": "reuse"}
        chosen = client.post("/watches", json={"on": "stories", "q": "سوتشي", "min_outlets": 3, "webhook_url": HOOK, "secret": "x" * 20}, headers=KEY)
        assert chosen.status_code == 201 and chosen.json()["secret"] == "x" * 20

        listed = client.get("/watches").json()  # reads need no key, and never show the secret
        assert listed["total"] == 2 and all("secret" not in w for w in listed["items"])
        shown = client.get(f"/watches/{body['id']}").json()
        assert shown == {k: v for k, v in body.items() if k != "secret"}
        deliveries = client.get(f"/watches/{body['id']}/deliveries").json()
        assert deliveries == {"ok": True, "items": [], "total": 0}
        atom = client.get(f"/watches/{body['id']}.atom")
        assert atom.status_code == 200 and atom.headers["content-type"].startswith("application/atom+xml")
        feed = feedparser.parse(atom.content)
        assert not feed.bozo and feed.entries == [] and feed.feed.title == f"storydiff watch {body['id']}: flags: source_outlet=was, credited=False"

        coded_error(client.delete(f"/watches/{body['id']}"), 401, "unauthorized")
        assert client.delete(f"/watches/{body['id']}", headers=KEY).status_code == 204
        coded_error(client.get(f"/watches/{body['id']}"), 404, "not_found")
        coded_error(client.get(f"/watches/{body['id']}.atom"), 404, "not_found")
        coded_error(client.get(f"/watches/{body['id']}/deliveries"), 404, "not_found")
        assert client.get("/watches").json()["total"] == 1


@pytest.mark.parametrize(
    ("watch", "code", "field"),
    [
        ({"on": "articles", "webhook_url": HOOK}, "invalid_field", "on"),
        ({"webhook_url": HOOK}, "invalid_field", "on"),
        ({"on": "flags", "q": "x", "webhook_url": HOOK}, "unknown_field", "q"),  # a story filter
        ({"on": "stories", "credited": True, "webhook_url": HOOK}, "unknown_field", "credited"),
        ({"on": "flags", "webhook_url": "ftp://example.org/x"}, "invalid_url", "webhook_url"),
        ({"on": "flags"}, "invalid_url", "webhook_url"),
        ({"on": "flags", "min_share": 2, "webhook_url": HOOK}, "invalid_field", "min_share"),
        ({"on": "flags", "min_share": "0.5", "webhook_url": HOOK}, "invalid_field", "min_share"),
        ({"on": "flags", "credited": "no", "webhook_url": HOOK}, "invalid_field", "credited"),
        ({"on": "flags", "relation": "stolen", "webhook_url": HOOK}, "invalid_field", "relation"),
        ({"on": "stories", "min_outlets": 0, "webhook_url": HOOK}, "invalid_field", "min_outlets"),
        ({"on": "stories", "min_outlets": True, "webhook_url": HOOK}, "invalid_field", "min_outlets"),
        ({"on": "stories", "q": "x" * 201, "webhook_url": HOOK}, "invalid_field", "q"),
        ({"on": "flags", "secret": "short", "webhook_url": HOOK}, "invalid_field", "secret"),
        ({"on": "flags", "webhook_url": HOOK}, "private_address", "webhook_url"),  # loopback, not allowed here
    ],
)
def test_bad_watches_are_refused_with_a_code_and_nothing_stored(sqlite_url: str, watch: dict[str, object], code: str, field: str) -> None:
    with TestClient(create_app(_settings(sqlite_url))) as client:
        body = coded_error(client.post("/watches", json=watch, headers=KEY), 422, code)
        assert {"field": field, "code": code} in body["errors"]
        assert client.get("/watches").json()["total"] == 0


def test_a_watch_body_that_is_not_an_object_is_refused(sqlite_url: str) -> None:
    with TestClient(create_app(_settings(sqlite_url))) as client:
        coded_error(client.post("/watches", json=["on", "flags"], headers=KEY), 422, "invalid_request")

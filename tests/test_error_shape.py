"""One error body everywhere, pinned: {"ok", "status", "code", "error", "errors"}."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from service.api.app import create_app
from service.config import Settings

KEYS = {"ok", "status", "code", "error", "errors"}
JSON = {"Content-Type": "application/json"}


def _assert_shape(response, status: int, code: str) -> dict:  # type: ignore[no-untyped-def]
    body = response.json()
    assert response.status_code == status, body
    assert set(body) == KEYS, body
    assert body["ok"] is False and body["status"] == status and body["code"] == code
    assert isinstance(body["error"], str) and body["error"]
    assert isinstance(body["errors"], list)
    return body


@pytest.mark.parametrize(
    ("request_args", "status", "code"),
    [
        ({"method": "GET", "url": "/articles/999999"}, 404, "not_found"),
        ({"method": "GET", "url": "/no-such-page"}, 404, "not_found"),
        ({"method": "PUT", "url": "/articles"}, 405, "method_not_allowed"),
        ({"method": "GET", "url": "/articles?limit=0"}, 422, "invalid_request"),
        ({"method": "GET", "url": "/articles?since=yesterday"}, 422, "invalid_date"),
        ({"method": "GET", "url": "/flags.csv?format=xlsx"}, 422, "invalid_request"),
        ({"method": "GET", "url": "/stories/999999/articles.csv"}, 404, "not_found"),
        ({"method": "POST", "url": "/articles", "content": b"{not json", "headers": JSON}, 400, "invalid_json"),
        ({"method": "POST", "url": "/articles", "content": b'{"text": "\xff\xfe"}', "headers": JSON}, 400, "invalid_utf8"),
        ({"method": "POST", "url": "/articles", "content": b'{"text": "x"}', "headers": {"Content-Type": "text/plain"}}, 415, "unsupported_media_type"),
        ({"method": "POST", "url": "/articles", "json": {"text": "   \n "}}, 422, "empty_text"),
        ({"method": "POST", "url": "/articles", "json": {"text": "x", "colour": "red"}}, 422, "unknown_field"),
        ({"method": "POST", "url": "/articles", "json": {"text": "نص", "published_at": "15/05/2019"}}, 422, "invalid_date"),
        ({"method": "POST", "url": "/articles", "json": {"text": "a", "html": "<p>b</p>"}}, 422, "invalid_article"),
        ({"method": "POST", "url": "/articles", "json": ["a list"]}, 422, "invalid_article"),
        ({"method": "POST", "url": "/articles", "json": {"text": 12}}, 422, "invalid_field"),
        ({"method": "POST", "url": "/articles", "json": {"html": "<html><body><nav>Home</nav></body></html>"}}, 422, "no_article_text"),
    ],
)
def test_every_error_has_the_same_body(client: TestClient, request_args: dict, status: int, code: str) -> None:
    _assert_shape(client.request(**request_args), status, code)


def test_oversized_body_is_refused_before_parsing(sqlite_url: str) -> None:
    settings = Settings(database_url=sqlite_url, max_article_bytes=1_000)
    with TestClient(create_app(settings)) as client:
        # Not even valid JSON: the size check comes first.
        _assert_shape(client.post("/articles", content=b"{" + b"x" * 200_000, headers=JSON), 413, "too_large")
        _assert_shape(client.post("/articles", json={"text": "ن" * 2_000}), 413, "too_large")
        assert client.get("/articles").json()["total"] == 0


def test_unexpected_errors_use_the_body_too(sqlite_url: str) -> None:
    app = create_app(Settings(database_url=sqlite_url))

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("kaboom")

    with TestClient(app, raise_server_exceptions=False) as client:
        body = _assert_shape(client.get("/boom"), 500, "internal_error")
        assert "kaboom" not in body["error"]  # internals are logged, not shown


def test_write_endpoints_need_the_key_when_set(sqlite_url: str) -> None:
    settings = Settings(database_url=sqlite_url, api_key="s3cret")
    with TestClient(create_app(settings)) as client:
        _assert_shape(client.post("/articles", json={"text": "نص الخبر"}), 401, "unauthorized")
        _assert_shape(client.post("/articles", json={"text": "نص"}, headers={"X-API-Key": "wrong"}), 401, "unauthorized")
        _assert_shape(client.post("/articles/bulk", content=b'{"text": "x"}\n'), 401, "unauthorized")
        ok = client.post("/articles", json={"text": "نص الخبر الأول"}, headers={"Authorization": "Bearer s3cret"})
        assert ok.status_code == 201
        article_id = ok.json()["article"]["id"]
        assert client.post("/articles", json={"text": "خبر ثان مختلف"}, headers={"X-API-Key": "s3cret"}).status_code == 201
        _assert_shape(client.delete(f"/articles/{article_id}"), 401, "unauthorized")
        # Reads stay open.
        assert client.get(f"/articles/{article_id}").status_code == 200
        assert client.get("/articles").json()["total"] == 2

"""Hostile input answered with a coded 4xx, identically on SQLite and PostgreSQL, against a
real server: lone surrogates, deep nesting, huge integers and ids, NUL characters, over-long
fields, invisible text, dates off the calendar, non-web URLs, JSON sent as text/plain, and a
bulk upload whose bad lines must not stop the good ones. Nothing bad is stored; the server
keeps answering."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest

from tests.conftest import empty_postgres
from tests.server import Server

GOOD = "أعلنت وزارة الصحة اليوم عن افتتاح مستشفى جديد في مدينة الرياض بسعة مئتي سرير لخدمة المرضى."
JSON_HEADERS = {"Content-Type": "application/json"}
BIG = 2**63  # one past the largest 64-bit id


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    if request.param == "sqlite":
        database = f"sqlite:///{tmp_path_factory.mktemp('validation') / 'storydiff.db'}"
    else:
        database = empty_postgres()
    running = Server({"STORYDIFF_DATABASE_URL": database, "STORYDIFF_EMBEDDING_MODEL": "none", "STORYDIFF_API_KEY": "", "STORYDIFF_REDIS_URL": ""})
    yield running
    running.stop()


@pytest.fixture
def http(server: Server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=30) as client:
        total_before = client.get("/articles").json()["total"]
        yield client
        # Whatever the test sent, the server still answers, and nothing is left stored
        # (tests that store good articles delete them).
        assert client.get("/health").status_code == 200
        assert client.get("/articles").json()["total"] == total_before


def _coded(response: httpx.Response, status: int, code: str) -> None:
    assert response.status_code == status, (response.status_code, response.text[:300])
    body = response.json()
    assert body["ok"] is False and body["code"] == code, body


def _raw(client: httpx.Client, path: str, body: str) -> httpx.Response:
    return client.post(path, content=body.encode("utf-8"), headers=JSON_HEADERS)


@pytest.mark.parametrize("field", ["text", "title", "outlet", "url"])
def test_lone_surrogates_are_invalid_json_everywhere(http: httpx.Client, field: str) -> None:
    article = {"text": GOOD, field: "before \\ud800 after"} if field != "text" else {"text": "نص \\udfff"}
    body = json.dumps(article).replace("\\\\u", "\\u")  # the escape itself, not an escaped backslash
    assert "\\ud" in body and "\\\\ud" not in body
    for path in ("/articles", "/reuse/check"):
        _coded(_raw(http, path, body), 400, "invalid_json")
    for path in ("/compare", "/similarity"):
        _coded(_raw(http, path, '{"a": %s, "b": {"text": "%s"}}' % (body, GOOD)), 400, "invalid_json")


def test_deep_nesting_and_huge_integers_are_invalid_json(http: httpx.Client) -> None:
    _coded(_raw(http, "/articles", "[" * 100_000 + "]" * 100_000), 400, "invalid_json")
    _coded(_raw(http, "/compare", '{"a": ' + "{\"a\": " * 50_000 + "1" + "}" * 50_000 + ', "b": 1}'), 400, "invalid_json")
    digits = "7" * 5_000
    _coded(_raw(http, "/articles", '{"text": "x", "n": %s}' % digits), 400, "invalid_json")
    _coded(_raw(http, "/similarity", '{"a": %s, "b": 1}' % digits), 400, "invalid_json")


def test_ids_beyond_64_bits_are_refused(http: httpx.Client) -> None:
    for path in (f"/articles/{BIG}", f"/articles/{BIG}/reuse", f"/stories/{BIG}", "/articles/0", "/articles/-1"):
        _coded(http.get(path), 422, "invalid_request")
    _coded(http.delete(f"/articles/{BIG}"), 422, "invalid_request")
    for path in ("/compare", "/similarity"):
        _coded(http.post(path, json={"a": BIG, "b": 1}), 422, "invalid_request")
    # The largest id is valid, and simply not there.
    _coded(http.get(f"/articles/{BIG - 1}"), 404, "not_found")


def test_ids_beyond_64_bits_are_refused_by_the_pages(http: httpx.Client) -> None:
    for path in (f"/articles/{BIG}/view", f"/pages/stories/{BIG}", f"/pages/compare?a={BIG}&b=1", "/pages/compare?a=1&b=-3"):
        _coded(http.get(path), 422, "invalid_request")


def test_paging_beyond_range_is_refused(http: httpx.Client) -> None:
    for path in ("/articles", "/flags", "/stories", "/", "/pages/stories"):
        _coded(http.get(path, params={"offset": BIG}), 422, "invalid_request")
    _coded(http.get("/stories", params={"min_articles": BIG}), 422, "invalid_request")
    assert http.get("/stories", params={"offset": 2**31 - 1}).json()["items"] == []


@pytest.mark.parametrize("field", ["text", "title", "outlet", "url", "language"])
def test_nul_characters_are_refused_in_fields(http: httpx.Client, field: str) -> None:
    value = "https://a.example/x\x00y" if field == "url" else "a\x00b"
    article = {"text": GOOD + " \x00"} if field == "text" else {"text": GOOD, field: value}
    _coded(http.post("/articles", json=article), 422, "invalid_field")
    _coded(http.post("/reuse/check", json=article), 422, "invalid_field")


def test_nul_characters_are_refused_in_query_parameters(http: httpx.Client) -> None:
    for path in ("/articles?outlet=x%00y", "/flags?outlet=x%00y", "/stories?q=a%00b", "/stories?language=a%00", "/?outlet=x%00y", "/pages/stories?q=a%00b", "/pages/flags?outlet=%00"):
        _coded(http.get(path), 422, "invalid_request")


@pytest.mark.parametrize(("field", "length"), [("language", 17), ("outlet", 201), ("url", 2_049), ("title", 1_001)])
def test_fields_longer_than_their_columns_are_refused(http: httpx.Client, field: str, length: int) -> None:
    value = ("https://a.example/" + "p" * length)[:length] if field == "url" else "x" * length
    _coded(http.post("/articles", json={"text": GOOD, field: value}), 422, "invalid_field")
    fits = ("https://a.example/" + "p" * length)[: length - 1] if field == "url" else "x" * (length - 1)
    response = http.post("/articles", json={"text": GOOD + f" {field}", field: fits})
    assert response.status_code == 201, response.text[:300]
    http.delete(f"/articles/{response.json()['article']['id']}")


def test_invisible_text_is_empty(http: httpx.Client) -> None:
    for text in ("\u200b\u200c\u200d", "\ufeff \u200f\u2060\n", "\u00ad\u202b\u2066"):
        _coded(http.post("/articles", json={"text": text}), 422, "empty_text")
        _coded(http.post("/articles", json={"html": text}), 422, "empty_text")
        _coded(http.post("/articles", json={"html": f"<html><body><p>{text}</p></body></html>"}), 422, "no_article_text")


@pytest.mark.parametrize("published", ["0001-01-01", "9999-12-31", "9999-12-31T23:59:59-05:00", "0001-01-01T00:00:00+05:00", "1799-12-31"])
def test_dates_off_the_calendar_are_refused_before_storing(http: httpx.Client, published: str) -> None:
    _coded(http.post("/articles", json={"text": GOOD, "published_at": published}), 422, "invalid_date")
    # Retrying gives the same answer: nothing was half stored.
    _coded(http.post("/articles", json={"text": GOOD, "published_at": published}), 422, "invalid_date")
    _coded(http.post("/similarity", json={"a": {"text": GOOD, "published_at": published}, "b": {"text": GOOD}}), 422, "invalid_date")


@pytest.mark.parametrize("url", ["javascript:alert(1)", "JAVASCRIPT:alert(document.cookie)", "data:text/html,<script>x</script>", "//evil.example/x", "ftp://a.example/x", "https:// a.example"])
def test_only_web_urls_are_accepted(http: httpx.Client, url: str) -> None:
    _coded(http.post("/articles", json={"text": GOOD, "url": url}), 422, "invalid_url")


def test_json_sent_as_a_simple_cross_site_type_is_refused(http: httpx.Client) -> None:
    body = json.dumps({"text": GOOD}).encode()
    for content_type in ("text/plain", "text/plain;charset=UTF-8", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", None):
        headers = {"Content-Type": content_type} if content_type else {}  # raw bytes: httpx adds none
        _coded(http.post("/articles", content=body, headers=headers), 415, "unsupported_media_type")
        _coded(http.post("/articles/bulk", content=body + b"\n", headers=headers), 415, "unsupported_media_type")


def test_bad_bulk_lines_are_reported_and_the_rest_is_stored(http: httpx.Client) -> None:
    good = [json.dumps({"text": f"{GOOD} خبر رقم {n} عن موضوع مختلف {'ب' * n}", "published_at": "2015-07-21"}) for n in range(1, 4)]
    bad = [
        "[" * 50_000 + "]" * 50_000,
        '{"text": "x", "n": %s}' % ("9" * 5_000),
        '{"text": "\\ud800"}',
        json.dumps({"text": GOOD + " تاريخ", "published_at": "9999-12-31"}),
        json.dumps({"text": GOOD + " رابط", "url": "javascript:alert(1)"}),
        json.dumps({"text": GOOD + " صفر", "outlet": "a\x00b"}),
        json.dumps({"text": "\u200b\u200b"}),
    ]
    lines = [good[0], *bad[:4], good[1], *bad[4:], good[2]]
    response = http.post("/articles/bulk", content="\n".join(lines).encode(), headers={"Content-Type": "application/x-ndjson"})
    assert response.status_code == 200, response.text[:300]
    result = response.json()
    by_line = {r["line"]: r for r in result["results"]}
    assert [n for n, r in sorted(by_line.items()) if r["ok"]] == [1, 6, 10]
    assert {n: by_line[n]["code"] for n in by_line if not by_line[n]["ok"]} == {
        2: "invalid_json", 3: "invalid_json", 4: "invalid_json", 5: "invalid_date", 7: "invalid_url", 8: "invalid_field", 9: "empty_text",
    }
    assert result["stored"] == 3 and result["failed"] == 7
    for n in (1, 6, 10):
        assert http.delete(f"/articles/{by_line[n]['id']}").status_code == 200

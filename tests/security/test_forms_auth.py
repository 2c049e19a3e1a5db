"""The pages' forms against a real server: the API key (or a login it unlocks) for every
write, and CSRF (Origin/Referer and a per-form token) for every form POST."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.security.pages_client import KEY, article_count, login, page_server, token_of
from tests.server import Server

ARTICLE = "وزير الخارجية يزور دمشق لبحث العلاقات الثنائية بين البلدين. " * 3


@pytest.fixture(scope="module")
def keyed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with page_server(tmp_path_factory.mktemp("keyed"), STORYDIFF_API_KEY=KEY) as server:
        yield server


@pytest.fixture(scope="module")
def open_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with page_server(tmp_path_factory.mktemp("open")) as server:
        yield server


def _client(server: Server) -> httpx.Client:
    return httpx.Client(base_url=server.url, timeout=30)


def _same_origin(server: Server) -> dict[str, str]:
    return {"Origin": server.url}


def test_ingest_form_without_key_or_login_stores_nothing(keyed: Server) -> None:
    before = article_count(keyed)
    with _client(keyed) as client:
        bare = client.post("/ingest", files={"content": (None, ARTICLE)}, headers=_same_origin(keyed))
        assert bare.status_code == 401 and bare.json()["code"] == "unauthorized"
        # A CSRF token and cookie of a logged-in browser are not a login: the session is.
        assert login(client).status_code == 303
        token = token_of(client, "/ingest", "/ingest")
        client.cookies.delete("storydiff_session")
        tokened = client.post("/ingest", files={"content": (None, ARTICLE), "csrf_token": (None, token)}, headers=_same_origin(keyed))
        assert tokened.status_code == 401 and tokened.json()["code"] == "unauthorized"
        wrong = client.post("/ingest", files={"content": (None, ARTICLE), "csrf_token": (None, token)}, headers={**_same_origin(keyed), "X-API-Key": "guess"})
        assert wrong.status_code == 401
    # A browser sees the page, with the message and its code.
    page = httpx.post(f"{keyed.url}/ingest", data={"content": ARTICLE}, headers={"Accept": "text/html", **_same_origin(keyed)})
    assert page.status_code == 401 and "[unauthorized]" in page.text and "/login" in page.text
    assert article_count(keyed) == before


def test_login_gives_a_strict_httponly_session_that_lets_the_form_store(keyed: Server) -> None:
    before = article_count(keyed)
    with _client(keyed) as client:
        refused = login(client, key="not the key")
        assert refused.status_code == 401 and "[unauthorized]" in refused.text
        assert "storydiff_session" not in client.cookies
        answer = login(client)
        assert answer.status_code == 303 and answer.headers["location"] == "/ingest"
        cookie = answer.headers["set-cookie"].lower()
        assert cookie.startswith("storydiff_session=") and "httponly" in cookie and "samesite=strict" in cookie
        token = token_of(client, "/ingest", "/ingest")
        stored = client.post("/ingest", data={"content": ARTICLE, "outlet": "SANA", "csrf_token": token}, headers=_same_origin(keyed))
        assert stored.status_code == 200 and "Stored" in stored.text
        # Logging out ends it: the same form is refused again.
        out = client.post("/logout", data={"csrf_token": token_of(client, "/login", "/logout")}, headers=_same_origin(keyed))
        assert out.status_code == 303 and "storydiff_session" not in client.cookies
        again = client.post("/ingest", data={"content": ARTICLE + " 2", "csrf_token": token}, headers=_same_origin(keyed))
        assert again.status_code == 401
    assert article_count(keyed) == before + 1


def test_a_session_does_not_let_another_site_post(keyed: Server) -> None:
    before = article_count(keyed)
    with _client(keyed) as client:
        login(client)
        token = token_of(client, "/ingest", "/ingest")
        form = {"content": ARTICLE + " evil", "csrf_token": token}
        for headers in ({"Origin": "http://evil.example"}, {"Referer": "http://evil.example/page"}, {"Origin": "null"}):
            answer = client.post("/ingest", data=form, headers=headers)
            assert answer.status_code == 403 and answer.json()["code"] == "csrf_failed", headers
        # Same origin, but without the form's token (or with another form's): refused too.
        for bad in ("", "0" * 64, token_of(client, "/pages/compare", "/pages/compare")):
            answer = client.post("/ingest", data={"content": ARTICLE + " evil", "csrf_token": bad}, headers=_same_origin(keyed))
            assert answer.status_code == 403 and answer.json()["code"] == "csrf_failed"
    assert article_count(keyed) == before


def test_the_key_as_a_header_opens_the_form(keyed: Server) -> None:
    before = article_count(keyed)
    with httpx.Client(base_url=keyed.url, timeout=30, headers={"X-API-Key": KEY}) as client:
        token = token_of(client, "/ingest", "/ingest")
        stored = client.post("/ingest", data={"content": ARTICLE + " key", "csrf_token": token}, headers=_same_origin(keyed))
        assert stored.status_code == 200 and "Stored" in stored.text
    assert article_count(keyed) == before + 1


def test_the_compare_form_reads_without_the_key_but_with_its_token(keyed: Server) -> None:
    before = article_count(keyed)
    with _client(keyed) as client:
        form = {"a_text": ARTICLE, "b_text": ARTICLE + " اليوم"}
        refused = client.post("/pages/compare", data=form, headers=_same_origin(keyed))
        assert refused.status_code == 403 and refused.json()["code"] == "csrf_failed"
        token = token_of(client, "/pages/compare", "/pages/compare")
        compared = client.post("/pages/compare", data={**form, "csrf_token": token}, headers=_same_origin(keyed))
        assert compared.status_code == 200 and 'class="verdict"' in compared.text
    assert article_count(keyed) == before


def test_login_goes_back_only_to_this_server(keyed: Server) -> None:
    with _client(keyed) as client:
        token = token_of(client, "/login", "/login")
        for target in ("//evil.example/x", "https://evil.example", "/\\evil.example"):
            answer = client.post("/login", data={"key": KEY, "csrf_token": token, "next": target}, headers=_same_origin(keyed))
            assert answer.status_code == 303 and answer.headers["location"] == "/ingest", target


def test_without_a_key_forms_need_no_login_but_still_their_token(open_server: Server) -> None:
    before = article_count(open_server)
    with _client(open_server) as client:
        page = client.get("/ingest")
        assert 'action="/ingest"' in page.text and "log in" not in page.text
        missing = client.post("/ingest", data={"content": ARTICLE}, headers=_same_origin(open_server))
        assert missing.status_code == 403 and missing.json()["code"] == "csrf_failed"
        foreign = client.post("/ingest", data={"content": ARTICLE, "csrf_token": token_of(client, "/ingest", "/ingest")}, headers={"Origin": "http://evil.example"})
        assert foreign.status_code == 403 and foreign.json()["code"] == "csrf_failed"
        compare = client.post("/pages/compare", data={"a_text": "x", "b_text": "y"}, headers=_same_origin(open_server))
        assert compare.status_code == 403 and compare.json()["code"] == "csrf_failed"
        assert article_count(open_server) == before
        stored = client.post("/ingest", data={"content": ARTICLE, "csrf_token": token_of(client, "/ingest", "/ingest")}, headers=_same_origin(open_server))
        assert stored.status_code == 200 and "Stored" in stored.text
    assert article_count(open_server) == before + 1

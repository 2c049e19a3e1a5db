"""In Debian's Chromium, offline (every request off loopback is aborted): /docs shows the
API's operations from local files, a person with the key logs in and adds an article,
and the pages run under their CSP without a single violation."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.browser import BROWSER_MARKS, chromium
from tests.security.pages_client import KEY, article_count, page_server
from tests.server import Server

pytestmark = BROWSER_MARKS


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with page_server(tmp_path_factory.mktemp("browser-security"), STORYDIFF_API_KEY=KEY) as running:
        yield running


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with chromium() as launched:
        yield launched


class Offline:
    """A page whose requests off the server are aborted and recorded, with its console errors."""

    def __init__(self, browser, server: Server) -> None:  # type: ignore[no-untyped-def]
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})
        self.outside: list[str] = []
        self.errors: list[str] = []
        self.sites: dict[str, str] = {}  # pages of other sites, by URL, served by the test

        def route(request_route) -> None:  # type: ignore[no-untyped-def]
            if request_route.request.url.startswith(server.url):
                request_route.continue_()
            elif request_route.request.url in self.sites:
                request_route.fulfill(body=self.sites[request_route.request.url], content_type="text/html")
            else:
                self.outside.append(request_route.request.url)
                request_route.abort()

        self.context.route("**/*", route)
        self.page = self.context.new_page()
        # Errors but the HTTP answers a test asks for (a 401 to a wrong key is one).
        self.page.on("console", lambda message: message.type == "error" and "server responded with a status" not in message.text and self.errors.append(message.text))
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))

    def close(self) -> None:
        self.context.close()


def test_docs_show_the_operations_offline(server: Server, browser) -> None:  # type: ignore[no-untyped-def]
    offline = Offline(browser, server)
    page = offline.page
    page.goto(f"{server.url}/docs")
    page.wait_for_selector(".opblock", timeout=30_000)
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert "/articles" in paths and "/articles/bulk" in paths and "/compare" in paths
    page.locator(".opblock-summary", has_text="/articles/bulk").first.click()  # an operation opens
    page.wait_for_selector(".opblock.is-open")
    assert offline.outside == [], offline.outside
    assert not [e for e in offline.errors if "Content Security Policy" in e], offline.errors
    offline.close()


def test_a_person_with_the_key_logs_in_then_adds_an_article(server: Server, browser) -> None:  # type: ignore[no-untyped-def]
    before = article_count(server)
    offline = Offline(browser, server)
    page = offline.page
    page.goto(f"{server.url}/ingest")
    assert page.locator('form[action="/ingest"]').count() == 0  # no form before logging in
    page.locator(".notice a").click()
    page.locator('input[name="key"]').fill("wrong")
    page.locator("form.login button").click()
    assert "unauthorized" in page.locator(".error").inner_text()
    page.locator('input[name="key"]').fill(KEY)
    page.locator("form.login button").click()
    page.wait_for_url(f"{server.url}/ingest")
    page.locator('textarea[name="content"]').fill("The harbour workers' strike entered its third day on Monday, the union said.")
    page.locator('input[name="outlet"]').fill("Port Gazette")
    page.locator('form[action="/ingest"] button').click()
    assert "Stored" in page.locator(".ok").inner_text()
    session = [c for c in offline.context.cookies() if c["name"] == "storydiff_session"]
    assert session and session[0]["httpOnly"] and session[0]["sameSite"] == "Strict"
    assert page.evaluate("document.cookie") == ""  # no cookie is readable by script
    assert article_count(server) == before + 1
    assert offline.outside == [] and offline.errors == [], (offline.outside, offline.errors)
    offline.close()


def test_a_cross_site_form_post_is_refused(server: Server, browser) -> None:  # type: ignore[no-untyped-def]
    """A page elsewhere posting to /ingest in a logged-in browser stores nothing."""
    before = article_count(server)
    offline = Offline(browser, server)
    page = offline.page
    page.goto(f"{server.url}/login")
    page.locator('input[name="key"]').fill(KEY)
    page.locator("form.login button").click()
    page.wait_for_url(f"{server.url}/ingest")
    offline.sites["http://evil.example/"] = (
        f'<form method="post" action="{server.url}/ingest" enctype="multipart/form-data">'
        '<input name="content" value="Planted by another site, a long enough article text."><button>go</button></form>'
    )
    page.goto("http://evil.example/")
    with page.expect_navigation():
        page.locator("button").click()
    assert "[csrf_failed]" in page.locator(".error").inner_text()
    assert article_count(server) == before
    offline.close()


def test_pages_run_their_script_under_the_csp(server: Server, browser) -> None:  # type: ignore[no-untyped-def]
    for n in (1, 2):  # two copies of one wire story: a copy link and a share bar
        text = "The harbour workers' strike entered its third day on Monday as talks with the port authority stalled again. " * 4
        answer = httpx.post(f"{server.url}/articles", json={"text": text + f" Edition {n}.", "outlet": f"Outlet {n}"}, headers={"X-API-Key": KEY})
        assert answer.status_code in (200, 201), answer.text
    story = answer.json()["story_id"]
    offline = Offline(browser, server)
    page = offline.page
    page.goto(f"{server.url}/pages/stories/{story}")
    bar = page.locator(".bar").first
    assert bar.evaluate("e => e.getBoundingClientRect().width") > 0  # sized by pages.js from data-share
    page.goto(f"{server.url}/pages/flags")
    page.locator("th button", has_text="Share").click()
    assert offline.outside == [] and offline.errors == [], (offline.outside, offline.errors)
    offline.close()

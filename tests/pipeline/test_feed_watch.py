"""The feed watcher against a real HTTP server on 127.0.0.1 (tests/pipeline/feed_site.py)
and the real service (SQLite, and PostgreSQL when configured; the default model): entries ingested once, conditional
polls, new entries only, every kind of failure recorded with its code, robots.txt."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from service.cli import main
from service.config import Settings
from service.intake.feeds import feed_request
from service.pipeline.runtime import Runtime
from tests.conftest import ROOT, SHARED_DATA
from tests.pipeline.feed_site import FOOTER, SIDEBAR_HEADLINE, Answer, Item, Seed, Site, atom, page, rss, saudinewsnet_seeds, seeds

pytestmark = pytest.mark.model

SEEDS = seeds()
RSS_OUTLET, ATOM_OUTLET = "Al-Thawra", "SANA"
SUMMARIES = {
    "big": "أعلنت وزارة الكهرباء عن خطة جديدة لصيانة محطات التوليد في المحافظات الشمالية خلال الشهر المقبل.",
    "blob": "افتتح المعرض الدولي للكتاب أبوابه أمس بمشاركة أكثر من مئتي دار نشر من عشرين بلدا.",
    "robots": "قال مدير الميناء إن حركة السفن عادت إلى طبيعتها بعد انتهاء أعمال التوسعة في الأرصفة.",
}


@pytest.fixture
def site() -> Iterator[Site]:
    running = Site()
    yield running
    running.stop()


@pytest.fixture
def feed_settings(database_url: str) -> Settings:
    # Loopback is the test's site; a short timeout for the slow answer; no wait between requests.
    return Settings(
        database_url=database_url, models_dir=ROOT / "models", api_key=None, redis_url=None,
        allow_private_feeds=True, fetch_timeout_seconds=1.0, fetch_host_interval_seconds=0.0,
    )


@pytest.fixture
def runtime(feed_settings: Settings) -> Iterator[Runtime]:
    with Runtime.open(feed_settings) as opened:
        yield opened


def _item(seed: Seed) -> Item:
    return Item(key=f"urn:seed:{seed.id}", link=f"/articles/{seed.id}.html", title=seed.title, published=seed.published)


def _serve_pages(site: Site, outlet_of: dict[str, str]) -> None:
    for seed in SEEDS:
        body = page(seed, outlet=outlet_of.get(seed.id, RSS_OUTLET)).encode()
        site.routes[f"/articles/{seed.id}.html"] = Answer(body=body, headers={"Content-Type": "text/html; charset=utf-8"})


def _first_sentence(seed: Seed) -> str:
    line = next(p.strip() for p in seed.body.splitlines() if len(p.strip()) > 80)
    return line[:60]


def _page_requests(site: Site) -> list[str]:
    return [p for p in site.paths() if p.startswith("/articles/")]


def test_entries_are_ingested_once_polled_conditionally_and_only_new_ones_added(site: Site, runtime: Runtime) -> None:
    rss_items = [_item(s) for s in SEEDS[:3]]
    version = {"etag": '"v1"'}
    site.feed("/news/rss.xml", lambda: rss(rss_items, base=site.base), etag=lambda: version["etag"], media_type="application/rss+xml")
    # The Atom feed carries one entry of its own and one linking a page the RSS feed stores.
    atom_items = [_item(SEEDS[3]), Item("tag:site,2019:repeat", f"/articles/{SEEDS[0].id}.html", "repeat", SEEDS[0].published)]
    site.dated_feed("/ar/atom.xml", atom(atom_items, base=site.base), last_modified="Wed, 15 May 2019 12:00:00 GMT", media_type="application/atom+xml")
    _serve_pages(site, {SEEDS[3].id: ATOM_OUTLET})

    rss_feed = runtime.feeds.add(feed_request(site.base + "/news/rss.xml", outlet=RSS_OUTLET, language="ar"))
    atom_feed = runtime.feeds.add(feed_request(site.base + "/ar/atom.xml", outlet=ATOM_OUTLET, every="1h"))
    polls = {p.feed_id: p for p in runtime.feeds.poll_due()}
    assert [polls[rss_feed.id].status, polls[atom_feed.id].status] == ["polled", "polled"]
    assert [e.status for e in polls[rss_feed.id].entries] == ["stored"] * 3
    assert [e.status for e in polls[atom_feed.id].entries] == ["stored", "known"]
    assert polls[atom_feed.id].entries[1].article_id == polls[rss_feed.id].entries[0].article_id
    # Each page fetched once: the repeated link is known by its URL, not fetched again.
    assert sorted(_page_requests(site)) == sorted(f"/articles/{s.id}.html" for s in SEEDS[:4])

    articles = {a.url: a for a in runtime.store.list(limit=50).items}
    assert len(articles) == 4
    for seed, outlet in [*((s, RSS_OUTLET) for s in SEEDS[:3]), (SEEDS[3], ATOM_OUTLET)]:
        article = articles[f"{site.base}/articles/{seed.id}.html"]
        assert article.outlet == outlet and article.published_at == seed.published and article.title == seed.title
        assert article.html is not None and article.language == "ar"
        # The article text extracted from the page, without its chrome.
        assert _first_sentence(seed) in article.clean_text
        for chrome in (FOOTER, SIDEBAR_HEADLINE, "اشترك في النشرة البريدية", "تابعوا آخر الأخبار"):
            assert chrome not in article.text, chrome
    assert runtime.analysis_of(articles[f"{site.base}/articles/{SEEDS[0].id}.html"].id).status == "analysed"

    # Nothing is due right after a poll; polled again anyway, both feeds answer 304.
    assert runtime.feeds.poll_due() == []
    site.forget()
    again = runtime.feeds.poll_due(every_feed=True)
    assert [p.status for p in again] == ["not_modified", "not_modified"]
    assert site.headers_of("/news/rss.xml")[-1]["if-none-match"] == '"v1"'
    assert site.headers_of("/ar/atom.xml")[-1]["if-modified-since"] == "Wed, 15 May 2019 12:00:00 GMT"
    assert _page_requests(site) == [] and runtime.store.count() == 4

    # A changed feed: only its new entry is fetched and stored.
    rss_items.append(_item(SEEDS[4]))
    version["etag"] = '"v2"'
    site.forget()
    [changed] = [p for p in runtime.feeds.poll_due(every_feed=True) if p.feed_id == rss_feed.id]
    assert [e.status for e in changed.entries] == ["stored"]
    assert _page_requests(site) == [f"/articles/{SEEDS[4].id}.html"]
    assert runtime.store.count() == 5
    shown = runtime.feeds.get(rss_feed.id)
    assert shown.entries_seen == 4 and shown.last_error is None and shown.etag == '"v2"' and shown.failures == 0
    assert shown.last_polled_at is not None and shown.next_poll_at > datetime.now(UTC) + timedelta(minutes=14)

    # An article deleted later leaves its entry seen (not fetched again), pointing at nothing.
    runtime.delete(changed.entries[0].article_id)  # type: ignore[arg-type]
    assert [e.article_id for e in runtime.store.feeds.entries(rss_feed.id) if e.key == changed.entries[0].key] == [None]
    assert [p.entries for p in runtime.feeds.poll_due(every_feed=True)] == [(), ()]


@pytest.mark.skipif(not (SHARED_DATA / "saudinewsnet").is_dir(), reason="needs ../shared/data/saudinewsnet")
def test_a_feed_of_saudinewsnet_pages_stores_each_article_without_its_chrome(site: Site, runtime: Runtime) -> None:
    articles = saudinewsnet_seeds(SHARED_DATA / "saudinewsnet", outlet="okaz", limit=6)
    assert len(articles) == 6
    items = [Item(f"urn:okaz:{a.id}", f"/news/{a.id}.html", a.title, a.published) for a in articles]
    site.feed("/okaz/rss.xml", lambda: rss(items, base=site.base), etag=lambda: '"v1"', media_type="application/rss+xml")
    for article in articles:
        body = page(article, outlet="عكاظ").encode()
        site.routes[f"/news/{article.id}.html"] = Answer(body=body, headers={"Content-Type": "text/html; charset=utf-8"})
    feed = runtime.feeds.add(feed_request(site.base + "/okaz/rss.xml", outlet="okaz", language="ar"))
    [poll] = runtime.feeds.poll_due()
    assert poll.feed_id == feed.id and [e.status for e in poll.entries] == ["stored"] * 6
    stored = {a.url: a for a in runtime.store.list(limit=50).items}
    for article in articles:
        got = stored[f"{site.base}/news/{article.id}.html"]
        assert got.outlet == "okaz" and got.title == article.title and got.published_at == article.published
        longest = max((p.strip() for p in article.body.splitlines()), key=len)
        assert longest[:80] in got.text  # the article's own text, from the page
        for chrome in (FOOTER, SIDEBAR_HEADLINE, "اشترك في النشرة البريدية", "تابعوا آخر الأخبار"):
            assert chrome not in got.text, chrome
    assert [p.entries for p in runtime.feeds.poll_due(every_feed=True)] == [()]  # 304: nothing again


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_every_failure_is_recorded_with_its_code_and_the_other_feeds_go_on(site: Site, runtime: Runtime) -> None:
    site.routes.update({
        "/broken.xml": Answer(500, b"oops", {"Content-Type": "text/plain"}),
        "/slow.xml": Answer(body=rss([], base=site.base), headers={"Content-Type": "application/rss+xml"}, delay=3.0),
        "/malformed.xml": Answer(body=b'<?xml version="1.0"?><rss version="2.0"><channel><item><title>cut sh', headers={"Content-Type": "application/rss+xml"}),
        "/loop/a": Answer(302, headers={"Location": "/loop/b"}),
        "/loop/b": Answer(302, headers={"Location": "/loop/a"}),
        "/big.html": Answer(headers={"Content-Type": "text/html"}, stream_bytes=20_000_000),
        "/blob.bin": Answer(body=bytes(range(256)) * 100, headers={"Content-Type": "application/octet-stream"}),
        "/private/secret.html": Answer(body=page(SEEDS[1], outlet="x").encode(), headers={"Content-Type": "text/html"}),
    })
    trouble = [
        Item("big", "/big.html", "big", SEEDS[0].published, SUMMARIES["big"]),
        Item("blob", "/blob.bin", "blob", SEEDS[0].published, SUMMARIES["blob"]),
        Item("robots", "/private/secret.html", "robots", SEEDS[0].published, SUMMARIES["robots"]),
        Item("gone", "/gone.html", "gone", SEEDS[0].published),  # 404, no summary
        Item("loop", "/loop/a", "loop", SEEDS[0].published),  # a redirect loop, no summary
        _item(SEEDS[2]),
    ]
    site.routes["/trouble.xml"] = Answer(body=rss(trouble, base=site.base), headers={"Content-Type": "application/rss+xml"})
    site.feed("/news/rss.xml", lambda: rss([_item(s) for s in SEEDS[:2]], base=site.base), etag=lambda: '"v1"', media_type="application/rss+xml")
    _serve_pages(site, {})

    failing = {
        "fetch_status": site.base + "/broken.xml",
        "fetch_timeout": site.base + "/slow.xml",
        "invalid_feed": site.base + "/malformed.xml",
        "redirect_loop": site.base + "/loop/a",
        "fetch_unreachable": f"http://127.0.0.1:{_closed_port()}/feed.xml",
    }
    ids = {code: runtime.feeds.add(feed_request(url, outlet="Broken")).id for code, url in failing.items()}
    trouble_id = runtime.feeds.add(feed_request(site.base + "/trouble.xml", outlet="Trouble")).id
    good_id = runtime.feeds.add(feed_request(site.base + "/news/rss.xml", outlet=RSS_OUTLET)).id

    started = datetime.now(UTC)
    polls = {p.feed_id: p for p in runtime.feeds.poll_due()}
    for code, feed_id in ids.items():
        assert polls[feed_id].status == "failed" and polls[feed_id].error is not None and polls[feed_id].error.code == code, code
        feed = runtime.feeds.get(feed_id)
        assert feed.last_error is not None and feed.last_error.code == code and feed.failures == 1 and feed.entries_seen == 0
        assert feed.next_poll_at >= started + timedelta(minutes=30)  # backed off: twice the 15 min interval

    entries = {e.key: e for e in runtime.store.feeds.entries(trouble_id)}
    assert {k: (e.status, e.error_code) for k, e in entries.items()} == {
        "big": ("stored", None), "blob": ("stored", None), "robots": ("stored", None),
        "gone": ("failed", "fetch_status"), "loop": ("failed", "redirect_loop"), f"urn:seed:{SEEDS[2].id}": ("stored", None),
    }
    for key in ("big", "blob", "robots"):  # the page could not be had: the summary is the article
        assert runtime.store.get(entries[key].article_id).text == SUMMARIES[key]  # type: ignore[arg-type]
    for key in ("gone", "loop"):  # nothing stored half-way
        assert entries[key].article_id is None and runtime.store.feeds.article_with_url(entries[key].url) is None  # type: ignore[arg-type]
    assert "/private/secret.html" not in site.paths()  # robots.txt: Disallow /private/
    assert [e.status for e in polls[good_id].entries] == ["stored", "stored"]  # the feeds after the failures
    assert runtime.store.count() == 4 + 2

    # Failing again doubles the backoff; once the feed is fixed its error is cleared.
    polls = {p.feed_id: p for p in runtime.feeds.poll_due(every_feed=True)}
    assert polls[trouble_id].status == "polled" and polls[trouble_id].entries == ()  # every entry seen: nothing retried
    broken = runtime.feeds.get(ids["fetch_status"])
    assert broken.failures == 2 and broken.next_poll_at >= datetime.now(UTC) + timedelta(minutes=59)
    site.routes["/broken.xml"] = Answer(body=rss([], base=site.base), headers={"Content-Type": "application/rss+xml"})
    assert runtime.feeds.poll(broken).status == "polled"
    fixed = runtime.feeds.get(broken.id)
    assert fixed.last_error is None and fixed.failures == 0
    assert runtime.store.count() == 6


def test_a_disallowed_feed_and_private_addresses_at_fetch_time(site: Site, runtime: Runtime, feed_settings: Settings) -> None:
    site.routes["/private/feed.xml"] = Answer(body=rss([], base=site.base), headers={"Content-Type": "application/rss+xml"})
    feed = runtime.feeds.add(feed_request(site.base + "/private/feed.xml", outlet="X"))
    [poll] = runtime.feeds.poll_due()
    assert poll.error is not None and poll.error.code == "robots_disallowed"
    assert "/private/feed.xml" not in site.paths()
    # A feed stored while private addresses were allowed is refused at fetch time once they are not.
    with Runtime.open(Settings(**{**feed_settings.model_dump(), "allow_private_feeds": False})) as strict:
        [poll] = strict.feeds.poll_due(every_feed=True)
    assert poll.feed_id == feed.id and poll.error is not None and poll.error.code == "private_address"


def test_watch_once_and_the_feeds_commands(site: Site, feed_settings: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    site.feed("/news/rss.xml", lambda: rss([_item(s) for s in SEEDS[:3]], base=site.base), etag=lambda: '"v1"', media_type="application/rss+xml")
    _serve_pages(site, {})

    def run(*argv: str) -> tuple[int, str, str]:
        code = main(list(argv), settings=feed_settings)
        out, err = capsys.readouterr()
        return code, out, err

    code, out, _ = run("feeds", "add", site.base + "/news/rss.xml", "--outlet", RSS_OUTLET, "--language", "ar", "--every", "1h")
    added = json.loads(out)
    assert code == 0 and added["every_seconds"] == 3600 and added["last_error"] is None and added["entries_seen"] == 0
    code, _, err = run("feeds", "add", "ftp://x.example/feed", "--outlet", "X")
    assert code == 2 and "[invalid_url]" in err
    code, _, err = run("feeds", "add", site.base + "/news/rss.xml", "--outlet", "X")
    assert code == 2 and "[feed_exists]" in err

    code, out, _ = run("watch", "--once")
    assert code == 0 and json.loads(out) == {"feeds": 1, "failed_feeds": 0, "stored": 3, "known": 0, "failed_entries": 0, "matches": 0, "delivered": 0, "retrying": 0, "failed_deliveries": 0}
    code, out, _ = run("watch", "--once")  # nothing due
    assert code == 0 and json.loads(out)["feeds"] == 0
    code, out, _ = run("watch", "--once", "--all")  # 304
    assert code == 0 and json.loads(out) == {"feeds": 1, "failed_feeds": 0, "stored": 0, "known": 0, "failed_entries": 0, "matches": 0, "delivered": 0, "retrying": 0, "failed_deliveries": 0}
    code, out, _ = run("feeds", "list", "--json")
    [listed] = json.loads(out)["items"]
    assert listed["entries_seen"] == 3 and listed["last_polled_at"] is not None and listed["outlet"] == RSS_OUTLET
    code, out, _ = run("feeds", "list")
    assert code == 0 and "(1 feeds)" in out
    code, out, _ = run("feeds", "remove", str(added["id"]))
    assert code == 0 and json.loads(out) == {"removed": added["id"]}
    code, _, err = run("feeds", "remove", str(added["id"]))
    assert code == 2 and "[not_found]" in err
    code, out, _ = run("articles", "--json")
    assert json.loads(out)["total"] == 3  # the articles stay


def test_the_watcher_loop_polls_until_stopped(site: Site, runtime: Runtime) -> None:
    site.feed("/news/rss.xml", lambda: rss([_item(SEEDS[0])], base=site.base), etag=lambda: '"v1"', media_type="application/rss+xml")
    _serve_pages(site, {})
    runtime.feeds.add(feed_request(site.base + "/news/rss.xml", outlet=RSS_OUTLET))
    stop = threading.Event()
    reports = []

    def report(poll: object) -> None:
        reports.append(poll)
        stop.set()

    watcher = threading.Thread(target=runtime.feeds.run, args=(stop,), kwargs={"report": report})
    watcher.start()
    watcher.join(timeout=120)
    assert not watcher.is_alive() and len(reports) == 1 and runtime.store.count() == 1

"""The fetching client against a real HTTP server on 127.0.0.1: the per-host interval,
redirect limits, size limits, robots.txt answers, and the private-address check."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from service.config import Settings
from service.pipeline.fetch import Fetcher, FetchError
from tests.pipeline.feed_site import Answer, Site

TEXT = {"Content-Type": "text/plain"}


@pytest.fixture
def site() -> Iterator[Site]:
    running = Site()
    yield running
    running.stop()


def _settings(**extra: object) -> Settings:
    values: dict[str, object] = {"allow_private_feeds": True, "fetch_timeout_seconds": 2.0, "fetch_host_interval_seconds": 0.0}
    return Settings(database_url="sqlite://", **(values | extra))  # type: ignore[arg-type]


def _code(fetcher: Fetcher, url: str) -> str:
    with pytest.raises(FetchError) as caught:
        fetcher.fetch(url)
    return caught.value.code


def test_requests_to_one_host_keep_their_interval(site: Site) -> None:
    site.routes["/a"] = Answer(body=b"a", headers=TEXT)
    slept: list[float] = []
    with Fetcher(_settings(fetch_host_interval_seconds=30.0), sleep=slept.append) as fetcher:
        fetcher.fetch(site.base + "/a")  # robots.txt, then /a: one wait between them
        fetcher.fetch(site.base + "/a")  # robots.txt kept: one more wait
    assert len(slept) == 2 and all(29.0 < s <= 30.0 * 2 for s in slept)
    assert site.paths() == ["/robots.txt", "/a", "/a"]


def test_redirects_are_followed_up_to_the_limit(site: Site) -> None:
    for n in range(4):
        site.routes[f"/r{n}"] = Answer(302, headers={"Location": f"/r{n + 1}"})
    site.routes["/r4"] = Answer(body=b"end", headers=TEXT)
    with Fetcher(_settings(fetch_max_redirects=4)) as fetcher:
        fetched = fetcher.fetch(site.base + "/r0")
        assert fetched.body == b"end" and fetched.url == site.base + "/r4"
    with Fetcher(_settings(fetch_max_redirects=3)) as fetcher:
        assert _code(fetcher, site.base + "/r0") == "too_many_redirects"
    site.routes["/to-ftp"] = Answer(302, headers={"Location": "ftp://127.0.0.1/x"})
    with Fetcher(_settings()) as fetcher:
        assert _code(fetcher, site.base + "/to-ftp") == "invalid_url"


def test_bodies_over_the_limit_are_refused_declared_or_streamed(site: Site) -> None:
    site.routes["/declared"] = Answer(body=b"x" * 2_000, headers=TEXT)
    site.routes["/streamed"] = Answer(headers=TEXT, stream_bytes=1_000_000)
    with Fetcher(_settings(fetch_max_bytes=1_000)) as fetcher:
        assert _code(fetcher, site.base + "/declared") == "too_large"
        assert _code(fetcher, site.base + "/streamed") == "too_large"


def test_conditional_requests_send_the_validators(site: Site) -> None:
    site.routes["/feed"] = lambda headers: Answer(304) if headers.get("if-none-match") == '"e1"' else Answer(body=b"new", headers={"ETag": '"e1"'} | TEXT)
    with Fetcher(_settings()) as fetcher:
        first = fetcher.fetch(site.base + "/feed")
        again = fetcher.fetch(site.base + "/feed", etag=first.etag, last_modified="Wed, 15 May 2019 12:00:00 GMT")
    assert (first.status, first.body, first.etag) == (200, b"new", '"e1"')
    assert (again.status, again.body) == (304, b"")
    assert site.headers_of("/feed")[-1]["if-modified-since"] == "Wed, 15 May 2019 12:00:00 GMT"


@pytest.mark.parametrize(("robots", "allowed"), [(Answer(404, b"", TEXT), True), (Answer(503, b"", TEXT), False), (Answer(body=b"User-agent: storydiff\nDisallow: /a\n", headers=TEXT), False)])
def test_robots_txt(site: Site, robots: Answer, allowed: bool) -> None:
    site.routes["/robots.txt"] = robots
    site.routes["/a"] = Answer(body=b"a", headers=TEXT)
    with Fetcher(_settings()) as fetcher:
        if allowed:
            assert fetcher.fetch(site.base + "/a").body == b"a"
        else:
            assert _code(fetcher, site.base + "/a") == "robots_disallowed"
            assert "/a" not in site.paths()


def test_private_addresses_are_refused_at_every_hop(site: Site) -> None:
    site.routes["/a"] = Answer(body=b"a", headers=TEXT)
    with Fetcher(_settings(allow_private_feeds=False)) as fetcher:
        assert _code(fetcher, site.base + "/a") == "private_address"
    assert site.paths() == []  # not even robots.txt
    # A redirect to a private host: the hop is checked like the first URL. Here a stub
    # resolver takes 127.0.0.1 for a public address and "localhost" for the private one.
    port = site.base.rsplit(":", 1)[1]
    site.routes["/hop"] = Answer(302, headers={"Location": f"http://localhost:{port}/a"})
    stub = {"127.0.0.1": ["93.184.216.34"], "localhost": ["127.0.0.1"]}
    site.forget()
    with Fetcher(_settings(allow_private_feeds=False), resolver=lambda host, _port: stub[host]) as fetcher:
        assert _code(fetcher, site.base + "/hop") == "private_address"
    assert site.paths() == ["/robots.txt", "/hop"]

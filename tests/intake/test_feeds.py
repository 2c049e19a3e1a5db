"""Feed documents, poll intervals and feed URLs read without any I/O (service.intake.feeds)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from service.errors import InvalidInput
from service.intake.feeds import feed_request, is_public_address, parse_every, parse_feed, parse_feed_request, strip_html

RSS = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Example</title><link>https://news.example/</link>
<item><title>First &amp; foremost</title><link>https://news.example/a/1</link><guid isPermaLink="false">urn:1</guid>
  <pubDate>Wed, 15 May 2019 10:30:00 +0300</pubDate><description>&lt;p&gt;One &lt;b&gt;bold&lt;/b&gt; line.&lt;/p&gt;&lt;p&gt;Two.&lt;/p&gt;</description></item>
<item><title>No guid</title><link>/a/2</link></item>
<item><title>Neither id nor link</title><description>dropped</description></item>
<item><title>Again</title><link>https://news.example/a/1</link><guid isPermaLink="false">urn:1</guid></item>
</channel></rss>"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>مثال</title><id>urn:feed</id><updated>2019-05-14T09:00:00Z</updated>
<entry><title>خبر</title><id>tag:example,2019:3</id><link href="https://news.example/ar/3"/>
  <updated>2019-05-14T09:00:00Z</updated><content type="html">&lt;p&gt;النص الكامل&lt;/p&gt;</content><summary>ملخص</summary></entry>
</feed>""".encode()


def test_rss_entries_keyed_by_guid_else_link_with_utc_times_and_plain_summaries() -> None:
    entries = parse_feed(RSS, url="https://news.example/feed.xml")
    assert [e.key for e in entries] == ["urn:1", "https://news.example/a/2", "urn:1"]  # the poll dedupes repeats
    first = entries[0]
    assert first.link == "https://news.example/a/1" and first.title == "First & foremost"
    assert first.published_at == datetime(2019, 5, 15, 7, 30, tzinfo=UTC)
    assert first.summary == "One bold line.\nTwo."
    assert entries[1].link == "https://news.example/a/2"  # resolved against the feed's URL
    assert entries[1].published_at is None and entries[1].summary is None


def test_atom_content_wins_over_summary_and_updated_stands_in_for_published() -> None:
    [entry] = parse_feed(ATOM, url="https://news.example/atom.xml")
    assert entry.key == "tag:example,2019:3" and entry.link == "https://news.example/ar/3"
    assert entry.summary == "النص الكامل" and entry.title == "خبر"
    assert entry.published_at == datetime(2019, 5, 14, 9, 0, tzinfo=UTC)


def test_a_well_formed_empty_feed_has_no_entries() -> None:
    assert parse_feed(b'<rss version="2.0"><channel><title>t</title></channel></rss>') == []


@pytest.mark.parametrize(
    "body",
    [b"", b"<html><body><p>Not a feed</p></body></html>", b'<rss version="2.0"><channel><item><title>cut', b"\x00\xff\xfe garbage", b"/etc/passwd"],
    ids=["empty", "html", "truncated", "binary", "a-path"],
)
def test_what_is_no_feed_is_refused(body: bytes) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_feed(body)
    assert caught.value.code == "invalid_feed"


def test_links_that_are_not_http_are_dropped() -> None:
    body = b'<rss version="2.0"><channel><item><guid>g</guid><link>javascript:alert(1)</link></item></channel></rss>'
    [entry] = parse_feed(body)
    assert entry.key == "g" and entry.link is None


@pytest.mark.parametrize(("value", "seconds"), [("15m", 900), ("1h", 3600), ("90s", 90), ("60", 60), (" 2d ", 172_800), ("7d", 604_800)])
def test_every(value: str, seconds: int) -> None:
    assert parse_every(value) == seconds


@pytest.mark.parametrize("value", ["", "0m", "30s", "59", "8d", "1w", "-5m", "1.5h", "m", "1e3"])
def test_every_out_of_range_or_unreadable(value: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_every(value)
    assert caught.value.code == "invalid_interval"


def test_feed_requests() -> None:
    request = parse_feed_request({"url": " https://sana.example/feed ", "outlet": " SANA ", "language": "ar"})
    assert (request.url, request.outlet, request.language, request.every_seconds) == ("https://sana.example/feed", "SANA", "ar", 900)
    for body, code in [
        ({"url": "ftp://sana.example/feed", "outlet": "SANA"}, "invalid_url"),
        ({"url": "file:///etc/passwd", "outlet": "SANA"}, "invalid_url"),
        ({"url": "sana.example/feed", "outlet": "SANA"}, "invalid_url"),
        ({"url": 5, "outlet": "SANA"}, "invalid_url"),
        ({"url": "https://sana.example/feed"}, "invalid_field"),
        ({"url": "https://sana.example/feed", "outlet": "  "}, "invalid_field"),
        ({"url": "https://sana.example/feed", "outlet": "S", "every": "5s"}, "invalid_interval"),
        ({"url": "https://sana.example/feed", "outlet": "S", "colour": "red"}, "unknown_field"),
        (["https://sana.example/feed"], "invalid_request"),
    ]:
        with pytest.raises(InvalidInput) as caught:
            parse_feed_request(body)
        assert caught.value.code == code, body
    assert feed_request("http://x.example/rss", outlet="X", every=None).every_seconds == 900


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("93.184.216.34", True), ("2606:2800:220:1:248:1893:25c8:1946", True),
        ("127.0.0.1", False), ("10.1.2.3", False), ("172.16.0.1", False), ("192.168.1.1", False), ("169.254.169.254", False),
        ("100.64.0.1", False), ("0.0.0.0", False), ("224.0.0.1", False), ("::1", False), ("fe80::1%eth0", False), ("fc00::1", False),
        ("::ffff:127.0.0.1", False), ("::ffff:93.184.216.34", True),
    ],
)
def test_public_addresses(address: str, public: bool) -> None:
    assert is_public_address(address) is public


def test_strip_html_keeps_paragraphs_and_drops_scripts() -> None:
    assert strip_html("<div>a<script>evil()</script> b</div><ul><li>c</li><li>d &lt;e&gt;</li></ul>") == "a b\nc\nd <e>"

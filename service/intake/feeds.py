"""Feeds as the watcher reads them, pure: feed bytes to entries, poll intervals, feed URLs
and the addresses a fetch may reach. Nothing here does I/O: the fetching is
``service.pipeline.fetch``, the polling ``service.pipeline.feeds``.

Example:
    >>> parse_every("15m")
    900
    >>> [e.key for e in parse_feed(b'<rss version="2.0"><channel><item><guid>a1</guid></item></channel></rss>')]
    ['a1']
"""

from __future__ import annotations

import io
import ipaddress
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from html.parser import HTMLParser

from service.errors import InvalidInput
from service.intake.fields import EARLIEST_PUBLISHED, LATEST_PUBLISHED, MAX_FIELD_CHARS, is_blank, is_web_url, refuse_unknown_fields

MIN_EVERY_SECONDS = 60  # a feed polled more often than once a minute only loads its outlet
MAX_EVERY_SECONDS = 7 * 86_400
DEFAULT_EVERY = "15m"
FEED_FIELDS = ("url", "outlet", "language", "every")
_EVERY = re.compile(r"^\s*(\d{1,7})\s*([smhd]?)\s*$")
_UNIT_SECONDS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86_400}


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """One entry of a feed: ``key`` (its id or guid, else its link) names it across polls;
    ``summary`` is its own content or summary as plain text (HTML stripped)."""

    key: str
    link: str | None
    title: str | None
    published_at: datetime | None
    summary: str | None


@dataclass(frozen=True, slots=True)
class FeedRequest:
    """A feed as a user asks to watch it (``POST /feeds``, ``storydiff feeds add``)."""

    url: str
    outlet: str
    language: str | None
    every_seconds: int


def parse_every(value: str) -> int:
    """A poll interval ("90s", "15m", "1h", "1d"; a bare number is seconds) in seconds,
    from a minute to a week.

    >>> parse_every("1h")
    3600
    """
    match = _EVERY.match(value) if isinstance(value, str) else None
    seconds = int(match.group(1)) * _UNIT_SECONDS[match.group(2)] if match else None
    if seconds is None or not MIN_EVERY_SECONDS <= seconds <= MAX_EVERY_SECONDS:
        raise InvalidInput(
            f"every must be an interval such as 15m or 1h, from 1m to 7d, got {str(value)[:32]!r}",
            code="invalid_interval",
            errors=[{"field": "every", "code": "invalid_interval"}],
        )
    return seconds


def check_feed_url(url: object) -> str:
    """A feed or entry URL the watcher may fetch: an absolute http(s) URL (``invalid_url``)."""
    if not isinstance(url, str) or len(url) > MAX_FIELD_CHARS["url"] or "\x00" in url or not is_web_url(url.strip()):
        raise InvalidInput("url must be an absolute http:// or https:// address", code="invalid_url", errors=[{"field": "url", "code": "invalid_url"}])
    return url.strip()


def is_public_address(address: str) -> bool:
    """True for an address on the public internet; False for private, loopback,
    link-local, multicast, reserved and unspecified ones (an IPv4-mapped IPv6 address
    is judged as its IPv4 address).

    >>> is_public_address("93.184.216.34"), is_public_address("127.0.0.1"), is_public_address("::ffff:10.0.0.1")
    (True, False, False)
    """
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # a scope id ("fe80::1%eth0") is not part of the address
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def parse_feed_request(obj: object) -> FeedRequest:
    """``{"url", "outlet", "language"?, "every"?}`` checked; no address is resolved here."""
    if not isinstance(obj, dict):
        raise InvalidInput("a feed must be a JSON object", code="invalid_request")
    refuse_unknown_fields(obj, FEED_FIELDS)
    outlet, language, every = obj.get("outlet"), obj.get("language"), obj.get("every", DEFAULT_EVERY)
    return feed_request(obj.get("url"), outlet=outlet, language=language, every=every)  # type: ignore[arg-type]


def feed_request(url: object, *, outlet: str | None, language: str | None = None, every: str | None = DEFAULT_EVERY) -> FeedRequest:
    """A feed request from its fields, as every entry point gives them."""
    for name, value, limit in (("outlet", outlet, MAX_FIELD_CHARS["outlet"]), ("language", language, MAX_FIELD_CHARS["language"])):
        if value is not None and (not isinstance(value, str) or "\x00" in value or len(value) > limit):
            raise InvalidInput(f"{name} must be a string of at most {limit} characters", code="invalid_field", errors=[{"field": name, "code": "invalid_field"}])
    if outlet is None or is_blank(outlet):
        raise InvalidInput("a feed needs its outlet's name", code="invalid_field", errors=[{"field": "outlet", "code": "invalid_field"}])
    return FeedRequest(
        url=check_feed_url(url),
        outlet=outlet.strip(),
        language=(language or "").strip() or None,
        every_seconds=parse_every(every if every is not None else DEFAULT_EVERY),
    )


def parse_feed(data: bytes, *, url: str | None = None, content_type: str | None = None) -> list[FeedEntry]:
    """The entries of an RSS or Atom document, in the feed's order; relative links are
    resolved against ``url``. Entries with neither an id nor a link are left out (nothing
    names them across polls). A body that is no feed, or is too broken to read any entry
    from, is refused (``invalid_feed``).

    feedparser is handed the bytes as a stream: given a string it would open a URL or a
    file of that name itself.
    """
    import feedparser  # only the watcher needs it

    headers = {"content-location": url or "", "content-type": content_type or "application/xml"}
    parsed = feedparser.parse(io.BytesIO(data), response_headers=headers)
    entries = []
    for raw in parsed.entries:
        link = _web_url(raw.get("link"))
        key = (raw.get("id") or "").strip() or link
        if not key:
            continue
        entries.append(FeedEntry(key=key[: MAX_FIELD_CHARS["url"]], link=link, title=_title(raw.get("title")), published_at=_published(raw), summary=_summary(raw)))
    # A well-formed empty feed has a version and no error. A broken one is read as far as
    # feedparser's loose parser gets; read to no entry (cut short, not XML, an HTML page)
    # it is refused, so the feed's error shows instead of a silent empty poll.
    if not entries and (not parsed.get("version") or parsed.get("bozo")):
        reason = parsed.get("bozo_exception")
        raise InvalidInput(f"not an RSS or Atom feed{f': {str(reason)[:200]}' if reason else ''}", code="invalid_feed")
    return entries


def strip_html(html: str) -> str:
    """Text of an HTML fragment: tags dropped, block elements and <br> as line breaks.

    >>> strip_html("<p>One &amp; two</p><p>Three<br>four</p>")
    'One & two\\nThree\\nfour'
    """
    parser = _TextOf()
    parser.feed(html)
    parser.close()
    lines = (re.sub(r"[ \t\r\f\v]+", " ", line).strip() for line in "".join(parser.parts).split("\n"))
    return "\n".join(line for line in lines if line)


class _TextOf(HTMLParser):
    _BLOCKS = {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "tr", "section", "article"}
    _SKIPPED = {"script", "style"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIPPED:
            self._skipping += 1
        elif tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIPPED:
            self._skipping = max(0, self._skipping - 1)
        elif tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


def _web_url(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    value = value.strip()
    return value if len(value) <= MAX_FIELD_CHARS["url"] and is_web_url(value) else None


def _title(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    title = strip_html(value).replace("\n", " ").replace("\x00", "").strip()
    return title[: MAX_FIELD_CHARS["title"]] or None


def _published(raw: dict[str, object]) -> datetime | None:
    """The entry's publication time (else its update time), in UTC, or None when absent
    or outside the years the service takes."""
    for name in ("published_parsed", "updated_parsed"):
        parsed = raw.get(name)
        if parsed:
            try:
                when = datetime(*parsed[:6], tzinfo=UTC)  # type: ignore[index, misc]  # feedparser gives UTC struct_time
            except (TypeError, ValueError):
                continue
            if EARLIEST_PUBLISHED <= when < LATEST_PUBLISHED:
                return when
    return None


def _summary(raw: dict[str, object]) -> str | None:
    """The entry's full content when it has one, else its summary, as plain text."""
    content = raw.get("content")
    candidates = [c.get("value") for c in content if isinstance(c, dict)] if isinstance(content, list) else []
    candidates.append(raw.get("summary"))
    for value in candidates:
        if isinstance(value, str):
            text = strip_html(value).replace("\x00", "")
            if not is_blank(text):
                return text
    return None

"""Fetching feeds and pages from the web, politely and within bounds (httpx); the other
outgoing connections are the watches' webhook deliveries (``service.pipeline.webhooks``).

Every fetch is held to the settings: a timeout (each network wait, and the whole
download), a size limit (the body is streamed and dropped past ``fetch_max_bytes``),
at most ``fetch_max_redirects`` redirects, each followed here rather than by httpx so
that every hop is checked like the first: an http(s) URL, an address that is not
private, loopback or link-local (unless ``allow_private_feeds``), the host's robots.txt,
and a minimum interval between two requests to one host.

The address check resolves the host before the request and httpx resolves it again to
connect, so a DNS answer that changes in between is not caught; the check stops feeds
and links that name inner addresses, not a hostile resolver.

Example:
    >>> with Fetcher(Settings()) as fetcher:  # doctest: +SKIP
    ...     fetched = fetcher.fetch("https://sana.sy/feed", etag='"abc"')
    ...     fetched.status  # 304: nothing changed, no body
"""

from __future__ import annotations

import codecs
import logging
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType
from urllib.parse import urljoin
from urllib.robotparser import RobotFileParser

import httpx

from service.config import Settings
from service.errors import InvalidInput, StorydiffError
from service.intake.feeds import check_feed_url, is_public_address

log = logging.getLogger(__name__)

AGENT = "storydiff"  # the name robots.txt rules are matched against
USER_AGENT = "storydiff/0.1 (news feed monitor; robots.txt respected)"
ROBOTS_TTL_SECONDS = 3600.0  # a host's robots.txt is read again after this long
ROBOTS_MAX_BYTES = 512_000  # RFC 9309: crawlers parse at least 500 KiB
_REDIRECTS = (301, 302, 303, 307, 308)
Resolver = Callable[[str, int], list[str]]


class FetchError(StorydiffError):
    """A fetch that did not give a usable answer; ``code`` says why (docs/errors.md)."""

    code = "fetch_failed"


@dataclass(frozen=True, slots=True)
class Fetched:
    """One answer: ``status`` 200 with its ``body``, or 304 (not modified, no body).
    ``url`` is where the redirects ended; ``media_type`` is lower-case, without parameters."""

    url: str
    status: int
    body: bytes = b""
    media_type: str = ""
    charset: str | None = None
    etag: str | None = None
    last_modified: str | None = None

    def text(self) -> str:
        """The body as text: by the charset the server names, else as the document says
        (trafilatura's detection reads meta tags and byte patterns)."""
        if self.charset:
            try:
                return self.body.decode(codecs.lookup(self.charset).name, errors="replace")
            except LookupError:
                pass
        from trafilatura.utils import decode_file

        return decode_file(self.body)


def resolve(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to (``unresolvable_host`` when none)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError, OverflowError) as exc:  # gaierror is an OSError; a port past 65535 overflows
        raise FetchError(f"the host {host!r} cannot be resolved: {exc}", code="unresolvable_host") from None
    return sorted({str(info[4][0]) for info in infos})


def check_address(url: str, *, allow_private: bool, resolver: Resolver = resolve) -> None:
    """Refuse (``private_address``) a URL whose host resolves to any private, loopback,
    link-local or otherwise non-public address, unless ``allow_private``."""
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL as exc:  # a port out of range, a malformed IPv6 literal
        raise FetchError(f"{url[:200]!r} is not a URL that can be fetched: {exc}", code="invalid_url") from None
    if not parsed.host:
        raise FetchError(f"{url[:200]!r} names no host", code="invalid_url")
    addresses = resolver(parsed.host, parsed.port or (443 if parsed.scheme == "https" else 80))
    if allow_private:
        return
    inner = [a for a in addresses if not is_public_address(a)]
    if inner:
        raise FetchError(
            f"{parsed.host} resolves to {inner[0]}, a private, loopback or link-local address "
            "(STORYDIFF_ALLOW_PRIVATE_FEEDS allows them)",
            code="private_address",
        )


def refuse_unreachable(url: str, *, field: str, allow_private: bool) -> None:
    """``check_address`` for an address a user gives (a feed, a webhook): its failure as
    422 ``InvalidInput`` on ``field``, with the check's code."""
    try:
        check_address(url, allow_private=allow_private)
    except FetchError as exc:
        raise InvalidInput(exc.message, code=exc.code, errors=[{"field": field, "code": exc.code}]) from None


class Fetcher:
    """An HTTP client with the bounds above; it keeps each host's robots.txt and the time
    of its last request, so keep one for a watcher's whole run. Thread-safe."""

    def __init__(self, settings: Settings, *, resolver: Resolver = resolve, sleep: Callable[[float], None] = time.sleep) -> None:
        self.settings = settings
        self._resolver = resolver
        self._sleep = sleep
        timeout = settings.fetch_timeout_seconds
        self._client = httpx.Client(timeout=httpx.Timeout(timeout), follow_redirects=False, headers={"User-Agent": USER_AGENT}, trust_env=False)
        self._robots: dict[str, tuple[float, RobotFileParser | None]] = {}
        self._last_request: dict[str, float] = {}
        self._lock = threading.Lock()

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *_exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self.close()

    def fetch(self, url: str, *, etag: str | None = None, last_modified: str | None = None, accept: str = "*/*") -> Fetched:
        """GET ``url``, following redirects; conditional when ``etag`` or ``last_modified``
        is given (a 304 answer has no body). FetchError for anything but 200 or 304."""
        headers = {"Accept": accept}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        return self._follow(url, headers, robots=True)

    # -- internals ------------------------------------------------------------------

    def _follow(self, url: str, headers: dict[str, str], *, robots: bool, max_bytes: int | None = None) -> Fetched:
        visited: list[str] = []
        current = url
        for _hop in range(self.settings.fetch_max_redirects + 1):
            self._check(current, robots=robots)
            answer = self._get(current, headers, max_bytes=max_bytes or self.settings.fetch_max_bytes)
            if isinstance(answer, Fetched):
                return answer
            visited.append(current)
            current = urljoin(current, answer)
            if current in visited:
                raise FetchError(f"the redirects from {url} loop back to {current}", code="redirect_loop")
        raise FetchError(f"more than {self.settings.fetch_max_redirects} redirects from {url}", code="too_many_redirects")

    def _check(self, url: str, *, robots: bool) -> None:
        try:
            check_feed_url(url)
        except StorydiffError as exc:
            raise FetchError(f"{url[:200]!r} is not an http(s) URL", code=exc.code) from None
        check_address(url, allow_private=self.settings.allow_private_feeds, resolver=self._resolver)
        if robots and not self._allowed(url):
            raise FetchError(f"robots.txt of {httpx.URL(url).host} disallows {url}", code="robots_disallowed")

    def _get(self, url: str, headers: dict[str, str], *, max_bytes: int) -> Fetched | str:
        """One request: the answer, or the Location a redirect points to."""
        self._wait_turn(httpx.URL(url).host)
        deadline = time.monotonic() + self.settings.fetch_timeout_seconds
        try:
            with self._client.stream("GET", url, headers=headers) as response:
                location = response.headers.get("location")
                if response.status_code in _REDIRECTS and location:
                    return location
                if response.status_code == 304:
                    return Fetched(str(response.url), 304, etag=response.headers.get("etag"), last_modified=response.headers.get("last-modified"))
                if response.status_code != 200:
                    raise FetchError(f"{url} answered HTTP {response.status_code}", code="fetch_status", errors=[{"status": response.status_code}])
                body = self._read(response, url, max_bytes=max_bytes, deadline=deadline)
                media_type, _, params = response.headers.get("content-type", "").partition(";")
                return Fetched(
                    url=str(response.url),
                    status=200,
                    body=body,
                    media_type=media_type.strip().lower(),
                    charset=_charset(params),
                    etag=response.headers.get("etag"),
                    last_modified=response.headers.get("last-modified"),
                )
        except httpx.TimeoutException:
            raise FetchError(f"{url} did not answer within {self.settings.fetch_timeout_seconds:g} s", code="fetch_timeout") from None
        except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
            raise FetchError(f"{url[:200]!r} cannot be fetched: {exc}", code="invalid_url") from None
        except httpx.TransportError as exc:
            raise FetchError(f"{url} cannot be reached: {type(exc).__name__}: {exc}", code="fetch_unreachable") from None
        except httpx.HTTPError as exc:  # a broken encoding, a protocol error
            raise FetchError(f"{url} gave an unreadable answer: {type(exc).__name__}: {exc}", code="fetch_failed") from None

    def _read(self, response: httpx.Response, url: str, *, max_bytes: int, deadline: float) -> bytes:
        """The body, dropped as soon as it is known to be over ``max_bytes`` (decoded bytes
        are counted: a compressed bomb is stopped too) or to take past the deadline."""
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > max_bytes:
            raise FetchError(f"{url} is {declared} bytes, over the limit of {max_bytes}", code="too_large")
        chunks, size = [], 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > max_bytes:
                raise FetchError(f"{url} is over the limit of {max_bytes} bytes", code="too_large")
            if time.monotonic() > deadline:
                raise FetchError(f"{url} took over {self.settings.fetch_timeout_seconds:g} s to download", code="fetch_timeout")
            chunks.append(chunk)
        return b"".join(chunks)

    def _wait_turn(self, host: str) -> None:
        """Sleep until this host's last request is ``fetch_host_interval_seconds`` ago."""
        interval = self.settings.fetch_host_interval_seconds
        with self._lock:
            now = time.monotonic()
            start = max(now, self._last_request.get(host, -interval) + interval)
            self._last_request[host] = start  # the turn is taken before sleeping: one request a turn
        if start > now:
            self._sleep(start - now)

    def _allowed(self, url: str) -> bool:
        """What the host's robots.txt says of ``url``. No robots.txt (a 4xx) allows all;
        a 5xx disallows all for now (RFC 9309); an unreachable host fails the fetch."""
        parsed = httpx.URL(url)
        origin = f"{parsed.scheme}://{parsed.netloc.decode('ascii')}"
        cached = self._robots.get(origin)
        if cached is None or time.monotonic() - cached[0] > ROBOTS_TTL_SECONDS:
            cached = (time.monotonic(), self._read_robots(origin))
            self._robots[origin] = cached
        rules = cached[1]
        return rules is None or rules.can_fetch(AGENT, url)

    def _read_robots(self, origin: str) -> RobotFileParser | None:
        try:
            fetched = self._follow(origin + "/robots.txt", {"Accept": "text/plain"}, robots=False, max_bytes=ROBOTS_MAX_BYTES)
        except FetchError as exc:
            status = next((e.get("status") for e in exc.errors if "status" in e), None)
            if isinstance(status, int) and 400 <= status < 500:
                return None  # no robots.txt: everything allowed
            if status is None and exc.code not in ("too_large", "redirect_loop", "too_many_redirects"):
                raise  # the host cannot be reached: neither can the URL
            rules = RobotFileParser()
            rules.parse(["User-agent: *", "Disallow: /"])
            log.info("robots.txt of %s unavailable (%s): nothing fetched from it for now", origin, exc.code)
            return rules
        rules = RobotFileParser()
        rules.parse(fetched.text().splitlines())
        return rules


def _charset(params: str) -> str | None:
    for param in params.split(";"):
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset" and value.strip():
            return value.strip().strip('"').strip("'")
    return None

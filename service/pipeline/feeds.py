"""The feed watcher: due feeds -> fetch (conditional) -> new entries -> each entry's page
-> ingest -> record. What ``storydiff watch`` runs and ``/feeds`` manages.

An entry is new when its feed has not shown its key before (``FeedStore.seen_keys``);
one whose link is stored already, as any article, is recorded ``known`` without a fetch.
A new entry's page goes through the service's normal ingest (``Runtime.ingest``: HTML
extracted by ``service.text.extract``); when the page cannot be had or holds no article
text, the entry's own content or summary is ingested instead; with neither, the entry is
recorded ``failed`` with the page's error code and nothing is stored. An entry is
recorded after its article is stored, and a link stored already is never stored again,
so a poll cut short anywhere repeats nothing.

A feed that fails (its fetch or its parse) keeps the error and is polled again after
a backoff: its interval doubled for each failure in a row, at most ``MAX_BACKOFF``.
One feed's failure never stops the others.
"""

from __future__ import annotations

import builtins
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from types import TracebackType

from service.config import Settings
from service.domain import ArticleInput, Feed, FeedEntryRecord, FeedError, IngestResult
from service.errors import StorydiffError
from service.intake.feeds import FeedEntry, FeedRequest, parse_feed
from service.pipeline.fetch import Fetched, Fetcher, FetchError, refuse_unreachable
from service.storage.feeds import FeedStore

log = logging.getLogger(__name__)

MAX_BACKOFF = timedelta(hours=6)
MAX_IDLE_SECONDS = 60.0  # the watcher looks for new or changed feeds at least this often
FEED_TYPES = "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
PAGE_TYPES = "text/html, application/xhtml+xml;q=0.9, */*;q=0.1"
HTML_TYPES = ("text/html", "application/xhtml+xml")
# A page whose article text cannot be extracted: the entry's summary is ingested instead.
NO_PAGE_TEXT = ("no_article_text", "empty_text")


@dataclass(frozen=True, slots=True)
class Poll:
    """One poll of one feed: ``status`` polled | not_modified | failed, and its entries."""

    feed_id: int
    status: str
    entries: tuple[FeedEntryRecord, ...] = ()
    error: FeedError | None = None

    def count(self, status: str) -> int:
        return sum(1 for e in self.entries if e.status == status)


class FeedWatch:
    """The watched feeds of one store, polled into it through ``ingest``."""

    def __init__(self, settings: Settings, feeds: FeedStore, ingest: Callable[[ArticleInput], IngestResult]) -> None:
        self.settings = settings
        self.feeds = feeds
        self._ingest = ingest
        self._fetcher: Fetcher | None = None
        self._lock = threading.Lock()

    def close(self) -> None:
        if self._fetcher is not None:
            self._fetcher.close()
            self._fetcher = None

    def __enter__(self) -> FeedWatch:
        return self

    def __exit__(self, *_exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self.close()

    @property
    def fetcher(self) -> Fetcher:
        """One client for the watcher's life: it keeps robots.txt and each host's last request."""
        with self._lock:
            if self._fetcher is None:
                self._fetcher = Fetcher(self.settings)
            return self._fetcher

    # -- the feeds ------------------------------------------------------------------

    def add(self, request: FeedRequest) -> Feed:
        """Watch a feed (due at once). Its host must resolve, and to public addresses only
        unless ``allow_private_feeds`` (422 ``private_address``); 409 ``feed_exists``."""
        refuse_unreachable(request.url, field="url", allow_private=self.settings.allow_private_feeds)
        return self.feeds.add(request.url, outlet=request.outlet, language=request.language, every_seconds=request.every_seconds)

    def list(self) -> list[Feed]:
        return self.feeds.list()

    def get(self, feed_id: int) -> Feed:
        return self.feeds.get(feed_id)

    def remove(self, feed_id: int) -> None:
        """Stop watching a feed (NotFound when absent); its stored articles stay."""
        self.feeds.remove(feed_id)

    # -- polling --------------------------------------------------------------------

    def poll_due(self, *, every_feed: bool = False) -> builtins.list[Poll]:
        """Poll every feed that is due (``every_feed``: every feed), one after another."""
        due = self.feeds.list() if every_feed else self.feeds.due(datetime.now(UTC))
        return [self.poll(feed) for feed in due]

    def poll(self, feed: Feed) -> Poll:
        """Poll one feed and ingest its new entries; never raises: a failure is recorded
        on the feed and its next poll backed off."""
        try:
            return self._poll(feed)
        except Exception as exc:  # noqa: BLE001 - a bug on one feed must not stop the watcher
            log.exception("feed %d: poll failed", feed.id)
            return self._failed(feed, exc.code if isinstance(exc, StorydiffError) else "internal_error", f"{type(exc).__name__}: {exc}")

    def _poll(self, feed: Feed) -> Poll:
        try:
            fetched = self.fetcher.fetch(feed.url, etag=feed.etag, last_modified=feed.last_modified, accept=FEED_TYPES)
            if fetched.status == 304:
                self._polled(feed, fetched)
                return Poll(feed.id, "not_modified")
            entries = parse_feed(fetched.body, url=fetched.url, content_type=fetched.media_type)
        except StorydiffError as exc:
            return self._failed(feed, exc.code, exc.message)
        seen = self.feeds.seen_keys(feed.id, (e.key for e in entries))
        records = []
        for entry in entries:
            if entry.key in seen:
                continue
            seen.add(entry.key)  # an entry listed twice in one document is taken once
            record = self._take(feed, entry)
            self.feeds.record_entry(feed.id, record)
            records.append(record)
        self._polled(feed, fetched)
        return Poll(feed.id, "polled", tuple(records))

    def next_wait(self) -> float:
        """Seconds until the next feed is due (0: one is due), at most ``MAX_IDLE_SECONDS``."""
        due = self.feeds.next_due()
        if due is None:
            return MAX_IDLE_SECONDS
        return max(0.0, min(MAX_IDLE_SECONDS, (due - datetime.now(UTC)).total_seconds()))

    def run(
        self,
        stop: threading.Event,
        *,
        report: Callable[[Poll], object] = lambda _poll: None,
        tick: Callable[[], float] = lambda: float("inf"),
    ) -> None:
        """Poll due feeds until ``stop`` is set, sleeping until the next is due; ``tick``
        (the watches' scan and deliveries) runs after each round and says when it is next due."""
        while not stop.is_set():
            try:
                for poll in self.poll_due():
                    report(poll)
                    if stop.is_set():
                        return
                wait = min(self.next_wait(), tick())
            except Exception:  # the database away for a moment: try again later
                log.exception("watch: polling failed")
                wait = MAX_IDLE_SECONDS
            stop.wait(wait)

    # -- internals ------------------------------------------------------------------

    def _take(self, feed: Feed, entry: FeedEntry) -> FeedEntryRecord:
        """Store one new entry's article: its page, else its summary."""
        record = FeedEntryRecord(entry.key, entry.link, "failed")
        if entry.link is not None:
            stored = self.feeds.article_with_url(entry.link)
            if stored is not None:
                return replace(record, status="known", article_id=stored)
        base = ArticleInput(title=entry.title, outlet=feed.outlet, url=entry.link, published_at=entry.published_at, language=feed.language)
        page_error = "no_link"
        if entry.link is not None:
            try:
                return self._stored(record, replace(base, html=self._page(entry.link)))
            except StorydiffError as exc:
                if isinstance(exc, FetchError) or exc.code in NO_PAGE_TEXT:
                    page_error = exc.code
                else:
                    return self._failed_entry(feed, record, exc)
            except Exception as exc:  # noqa: BLE001 - one entry's bug must not stop its feed
                log.exception("feed %d: entry %s failed", feed.id, entry.key)
                return self._failed_entry(feed, record, StorydiffError(str(exc), code="internal_error"))
        if entry.summary is None:
            log.info("feed %d: entry %s has no page (%s) and no summary", feed.id, entry.key, page_error)
            return replace(record, error_code=page_error)
        try:
            return self._stored(record, replace(base, text=entry.summary))
        except Exception as exc:  # noqa: BLE001
            return self._failed_entry(feed, record, exc if isinstance(exc, StorydiffError) else StorydiffError(str(exc), code="internal_error"))

    def _page(self, url: str) -> str:
        fetched = self.fetcher.fetch(url, accept=PAGE_TYPES)
        if fetched.media_type not in HTML_TYPES:
            raise FetchError(f"{url} is {fetched.media_type or 'untyped'}, not an HTML page", code="not_html")
        return fetched.text()

    def _stored(self, record: FeedEntryRecord, article: ArticleInput) -> FeedEntryRecord:
        result = self._ingest(article)
        return replace(record, status="stored" if result.created else "known", article_id=result.article.id)

    def _failed_entry(self, feed: Feed, record: FeedEntryRecord, exc: StorydiffError) -> FeedEntryRecord:
        # An ingest that failed after storing (its story step) leaves the article stored,
        # to be finished by ``repair``: the entry points at it rather than failing.
        stored = self.feeds.article_with_url(record.url) if record.url else None
        if stored is not None:
            return replace(record, status="stored", article_id=stored)
        log.info("feed %d: entry %s not stored: [%s] %s", feed.id, record.key, exc.code, exc.message)
        return replace(record, error_code=exc.code)

    def _polled(self, feed: Feed, fetched: Fetched) -> None:
        now = datetime.now(UTC)
        etag, last_modified = fetched.etag, fetched.last_modified
        if fetched.status == 304:  # a 304 may leave the validators out: the ones sent still hold
            etag, last_modified = etag or feed.etag, last_modified or feed.last_modified
        self.feeds.polled(feed.id, at=now, next_poll_at=now + timedelta(seconds=feed.every_seconds), etag=etag, last_modified=last_modified)

    def _failed(self, feed: Feed, code: str, message: str) -> Poll:
        error = FeedError(code, message, datetime.now(UTC))
        backoff = min(timedelta(seconds=feed.every_seconds) * 2 ** min(feed.failures + 1, 20), max(MAX_BACKOFF, timedelta(seconds=feed.every_seconds)))
        self.feeds.failed(feed.id, error, next_poll_at=error.at + backoff)
        log.warning("feed %d (%s): [%s] %s; next poll in %s", feed.id, feed.url, code, message, backoff)
        return Poll(feed.id, "failed", error=error)

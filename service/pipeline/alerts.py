"""Watches: saved filters on the copy flags or the stories whose new matches are POSTed to
a webhook, each once, and listed in an Atom feed. What ``/watches`` manages and
``storydiff watch`` runs beside the feeds.

A scan runs each watch's filter through the listings' own queries (``Runtime.flags``,
``Runtime.stories``: a watch matches what ``GET /flags`` or ``GET /stories`` with the same
filters lists), restricted to what changed since the watch last looked:

- on flags, a match is a copy link stored after the watch was made;
- on stories, a story whose articles changed after the watch was made, the first time
  it matches (a story that reaches ``min_outlets`` matches then, once).

Each match is recorded once per watch (its payload: the export row of ``GET /flags.csv``
or ``GET /stories.csv`` as JSON) and delivered: a signed POST (``service.pipeline.webhooks``),
retried after ``webhook_retry_seconds``, doubled after each failure, until
``webhook_max_attempts``, then kept as ``failed``. A scan looks ``SCAN_OVERLAP`` back past
its last look: a link committed a moment after a scan, with an earlier time, is still found.

Example:
    >>> alerts.add(parse_watch_request({"on": "flags", "source_outlet": "spa", "credited": False, "webhook_url": url}))  # doctest: +SKIP
    >>> alerts.scan(), alerts.deliver_due()  # doctest: +SKIP
    (3, Delivered(delivered=3, retrying=0, failed=0))
"""

from __future__ import annotations

import builtins
import json
import logging
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from types import TracebackType

from service.config import Settings
from service.domain import Delivery, StoryPage, Watch
from service.intake.watches import FILTERS, WatchRequest
from service.pipeline.copies import LinkView
from service.pipeline.exports import FLAG_COLUMNS, STORY_COLUMNS, every, json_rows, table
from service.pipeline.fetch import refuse_unreachable
from service.pipeline.webhooks import WebhookError, WebhookSender
from service.reuse.flags import relations_of
from service.storage.watches import WatchStore

log = logging.getLogger(__name__)

SCAN_OVERLAP = timedelta(minutes=5)
DELIVERY_BUDGET_SECONDS = 30.0  # one round of deliveries, so that feeds are still polled on time
ATOM_ENTRIES = 100


@dataclass(frozen=True, slots=True)
class Delivered:
    """One round of deliveries: accepted, to be retried, given up."""

    delivered: int = 0
    retrying: int = 0
    failed: int = 0


class Alerts:
    """The watches of one store, matched through the runtime's listings."""

    def __init__(
        self,
        settings: Settings,
        watches: WatchStore,
        *,
        flags: Callable[..., tuple[list[LinkView], int]],
        stories: Callable[..., StoryPage],
    ) -> None:
        self.settings = settings
        self.watches = watches
        self._flags = flags
        self._stories = stories
        self._sender: WebhookSender | None = None
        self._lock = threading.Lock()

    def close(self) -> None:
        if self._sender is not None:
            self._sender.close()
            self._sender = None

    def __enter__(self) -> Alerts:
        return self

    def __exit__(self, *_exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self.close()

    @property
    def sender(self) -> WebhookSender:
        with self._lock:
            if self._sender is None:
                self._sender = WebhookSender(self.settings)
            return self._sender

    # -- the watches ------------------------------------------------------------------

    def add(self, request: WatchRequest) -> Watch:
        """Save a watch (its secret made here when none is given). The webhook's host must
        resolve, to public addresses only unless ``allow_private_feeds`` (422)."""
        refuse_unreachable(request.webhook_url, field="webhook_url", allow_private=self.settings.allow_private_feeds)
        secret = request.secret or secrets.token_hex(32)
        return self.watches.add(request.kind, request.filters, webhook_url=request.webhook_url, secret=secret)

    def list(self) -> builtins.list[Watch]:
        return self.watches.list()

    def get(self, watch_id: int) -> Watch:
        return self.watches.get(watch_id)

    def remove(self, watch_id: int) -> None:
        self.watches.remove(watch_id)

    def deliveries(self, watch_id: int, *, limit: int = 100) -> builtins.list[Delivery]:
        return self.watches.deliveries(watch_id, limit=limit)

    # -- matching -----------------------------------------------------------------------

    def scan(self, watches: builtins.list[Watch] | None = None) -> int:
        """Record the new matches of ``watches`` (default: every watch); returns how many."""
        return sum(self._scan(watch) for watch in (self.watches.list(counted=False) if watches is None else watches))

    def _scan(self, watch: Watch) -> int:
        until = datetime.now(UTC)
        after = max(watch.created_at, watch.scanned_until - SCAN_OVERLAP)
        recorded = 0
        for key, row in self._matches(watch, after):
            payload = {"watch_id": watch.id, "on": watch.kind, "key": key, "matched_at": until.isoformat(), "match": row}
            recorded += self.watches.record(watch.id, key, payload, at=until)
        self.watches.scanned(watch.id, until)
        return recorded

    def _matches(self, watch: Watch, after: datetime) -> Iterator[tuple[str, dict[str, object]]]:
        keywords = store_filters(watch.kind, watch.filters)
        if watch.kind == "flags":
            views = list(every(lambda offset, limit: self._flags(**keywords, made_after=after, offset=offset, limit=limit)[0]))
            rows = json_rows(table(FLAG_COLUMNS, views))
            yield from ((f"{v.link.target_id}<-{v.link.source_id}", row) for v, row in zip(views, rows))
        else:
            found = list(every(lambda offset, limit: self._stories(**keywords, changed_after=after, offset=offset, limit=limit).items))
            yield from ((f"story:{s.id}", row) for s, row in zip(found, json_rows(table(STORY_COLUMNS, found))))

    # -- delivering ---------------------------------------------------------------------

    def deliver_due(self, now: datetime | None = None, *, budget_seconds: float = DELIVERY_BUDGET_SECONDS) -> Delivered:
        """Attempt every delivery due at ``now`` (default: now), oldest first, for at most
        ``budget_seconds``; a failed attempt is retried later, never raises."""
        now = now or datetime.now(UTC)
        started = time.monotonic()
        counts = {"delivered": 0, "retrying": 0, "failed": 0}
        watches: dict[int, Watch] = {}
        while time.monotonic() - started < budget_seconds:
            delivery = self.watches.claim(now)
            if delivery is None:
                break
            if delivery.watch_id not in watches:
                watches[delivery.watch_id] = self.watches.get(delivery.watch_id, counted=False)
            counts[self._attempt(watches[delivery.watch_id], delivery, now)] += 1
        return Delivered(**counts)

    def _attempt(self, watch: Watch, delivery: Delivery, now: datetime) -> str:
        body = json.dumps(delivery.payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        at = datetime.now(UTC)
        try:
            status = self.sender.send(watch.webhook_url, body, secret=watch.secret, delivery_id=delivery.id, event=watch.kind)
        except WebhookError as exc:
            return self._failed(delivery, now, at, exc.code, exc.message, exc.status_code)
        except Exception as exc:  # noqa: BLE001 - one delivery's bug must not stop the watcher
            log.exception("watch %d: delivery %d failed", watch.id, delivery.id)
            return self._failed(delivery, now, at, "internal_error", f"{type(exc).__name__}: {exc}", None)
        self.watches.attempted(delivery.id, at=at, delivered=True, next_attempt_at=None, status_code=status)
        return "delivered"

    def _failed(self, delivery: Delivery, now: datetime, at: datetime, code: str, message: str, status_code: int | None) -> str:
        attempts = delivery.attempts + 1
        retry = None
        if attempts < self.settings.webhook_max_attempts:
            retry = max(now, at) + timedelta(seconds=self.settings.webhook_retry_seconds * 2 ** (attempts - 1))
        self.watches.attempted(delivery.id, at=at, delivered=False, next_attempt_at=retry, status_code=status_code, error_code=code, error_message=message)
        log.warning("watch %d: delivery %d: [%s] %s; %s", delivery.watch_id, delivery.id, code, message, f"retry at {retry:%H:%M:%S}" if retry else "given up")
        return "retrying" if retry else "failed"

    # -- the Atom feed ------------------------------------------------------------------

    def atom(self, watch_id: int, *, base_url: str) -> bytes:
        """A watch's latest matches as an Atom feed (feedgen), for a feed reader; each
        entry links to the service's page of the copy or the story (``base_url``: the
        service's address as the reader reached it)."""
        from feedgen.feed import FeedGenerator

        watch = self.watches.get(watch_id)
        matches = self.watches.deliveries(watch_id, limit=ATOM_ENTRIES)
        base = base_url.rstrip("/")
        feed = FeedGenerator()
        feed.id(f"{base}/watches/{watch.id}")
        feed.title(f"storydiff watch {watch.id}: {describe(watch)}")
        feed.link(href=f"{base}/watches/{watch.id}.atom", rel="self")
        feed.updated(matches[0].matched_at if matches else watch.created_at)
        feed.generator("storydiff")
        for match in reversed(matches):  # feedgen puts the last added first
            title, href = _entry_of(watch.kind, match.payload.get("match") or {}, base)
            entry = feed.add_entry()
            entry.id(f"{base}/watches/{watch.id}/matches/{match.id}")
            entry.title(title)
            entry.link(href=href)
            entry.updated(match.matched_at)
            entry.content(json.dumps(match.payload.get("match"), ensure_ascii=False, indent=1), type="text")
        return feed.atom_str(pretty=True)

    def tick(self) -> float:
        """One scan and one round of deliveries (the watcher's loop); seconds until the next."""
        watches = self.watches.list(counted=False)
        if not watches:
            return float("inf")
        self.scan(watches)
        self.deliver_due()
        return self.settings.watch_scan_seconds


def store_filters(kind: str, filters: dict[str, object]) -> dict[str, object]:
    """A watch's filters as the keywords of ``Store.flags`` or ``StoryStore.list``."""
    if kind == "flags":
        keywords = {k: v for k, v in filters.items() if k != "relation"}
        return {**keywords, "relations": relations_of(str(filters.get("relation", "reuse")))}
    return dict(filters)


def describe(watch: Watch) -> str:
    """A watch's filters in a line: "flags: source_outlet=spa, credited=False"."""
    defaults = FILTERS[watch.kind]
    # A filter at its default is left out; the type check keeps credited=False (== 0.0) shown.
    shown = ", ".join(f"{k}={v}" for k, v in watch.filters.items() if v is not None and not (type(v) is type(defaults.get(k)) and v == defaults.get(k)))
    return f"{watch.kind}: {shown or 'every new one'}"


def _entry_of(kind: str, row: dict[str, object], base: str) -> tuple[str, str]:
    """An Atom entry's title and link for one match's export row."""
    if kind == "flags":
        share = row.get("share")
        took = f"{share:.0%}" if isinstance(share, int | float) else "text"
        title = f"{row.get('target_outlet') or '?'} took {took} from {row.get('source_outlet') or '?'}: {row.get('target_title') or ''}".strip()
        return title, f"{base}/pages/compare?a={row.get('target_id')}&b={row.get('source_id')}"
    outlets = row.get("outlets") or []
    count = len(outlets) if isinstance(outlets, list) else 0
    return f"{row.get('headline')} ({row.get('article_count')} articles, {count} outlets)", f"{base}/pages/stories/{row.get('id')}"

"""The feed repository: the feeds the watcher polls, and the entries each has shown.

Kept apart from ``Store`` (articles) because a feed's rows change on every poll and an
article's never do; the two meet only at ``feed_entries.article_id``.

Example:
    >>> feeds = FeedStore(engine)  # doctest: +SKIP
    >>> feed = feeds.add("https://sana.sy/feed", outlet="SANA", language="ar", every_seconds=900)  # doctest: +SKIP
    >>> [f.id for f in feeds.due(datetime.now(UTC))]  # doctest: +SKIP
"""

from __future__ import annotations

import builtins
from collections.abc import Iterable
from datetime import UTC, datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine, RowMapping
from sqlalchemy.exc import IntegrityError

from service.domain import Feed, FeedEntryRecord, FeedError
from service.errors import NotFound, StorydiffError
from service.storage.rows import utc
from service.storage.tables import articles, feed_entries, feeds


class FeedExists(StorydiffError):
    """The feed URL is watched already (409): one feed, one outlet."""

    code = "feed_exists"


class FeedStore:
    """Feeds and their entries in the service's database (SQLite or PostgreSQL)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._insert = postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert

    def add(self, url: str, *, outlet: str, language: str | None, every_seconds: int) -> Feed:
        """A new feed, due at once; FeedExists when its URL is watched already."""
        now = datetime.now(UTC)
        values = {"url": url, "outlet": outlet, "language": language, "every_seconds": every_seconds, "next_poll_at": now, "created_at": now}
        try:
            with self.engine.begin() as conn:
                feed_id = conn.execute(feeds.insert().values(**values).returning(feeds.c.id)).scalar_one()
        except IntegrityError:
            existing = self._by_url(url)
            raise FeedExists(
                f"the feed {url} is watched already (feed {existing})",
                errors=[{"field": "url", "code": "feed_exists", "feed_id": existing}],
            ) from None
        return self.get(feed_id)

    def get(self, feed_id: int) -> Feed:
        found = self._select(feeds.c.id == feed_id)
        if not found:
            raise NotFound(f"feed {feed_id} not found")
        return found[0]

    def list(self) -> builtins.list[Feed]:
        """Every feed, in id order."""
        return self._select(None)

    def due(self, now: datetime) -> builtins.list[Feed]:
        """The feeds whose next poll is at ``now`` or earlier, most overdue first."""
        return self._select(feeds.c.next_poll_at <= now, order=feeds.c.next_poll_at)

    def next_due(self) -> datetime | None:
        """When the next feed is due (None: no feed)."""
        with self.engine.connect() as conn:
            return utc(conn.execute(select(func.min(feeds.c.next_poll_at))).scalar())

    def remove(self, feed_id: int) -> None:
        """Delete a feed and its entries' records (its articles stay); NotFound when absent."""
        with self.engine.begin() as conn:
            conn.execute(delete(feed_entries).where(feed_entries.c.feed_id == feed_id))
            if conn.execute(delete(feeds).where(feeds.c.id == feed_id)).rowcount == 0:
                raise NotFound(f"feed {feed_id} not found")

    def polled(self, feed_id: int, *, at: datetime, next_poll_at: datetime, etag: str | None, last_modified: str | None) -> None:
        """A successful poll: validators kept, the error and the failure count cleared."""
        with self.engine.begin() as conn:
            conn.execute(
                update(feeds).where(feeds.c.id == feed_id).values(
                    last_polled_at=at, next_poll_at=next_poll_at, etag=etag, last_modified=last_modified,
                    failures=0, error_code=None, error_message=None, error_at=None,
                )
            )

    def failed(self, feed_id: int, error: FeedError, *, next_poll_at: datetime) -> None:
        """A failed poll: the error kept, one more failure in a row, the next poll pushed back."""
        with self.engine.begin() as conn:
            conn.execute(
                update(feeds).where(feeds.c.id == feed_id).values(
                    last_polled_at=error.at, next_poll_at=next_poll_at, failures=feeds.c.failures + 1,
                    error_code=error.code, error_message=error.message[:2000], error_at=error.at,
                )
            )

    # -- entries --------------------------------------------------------------------

    def seen_keys(self, feed_id: int, keys: Iterable[str]) -> set[str]:
        """Which of ``keys`` the feed has shown before."""
        wanted = sorted(set(keys))
        found: set[str] = set()
        with self.engine.connect() as conn:
            for start in range(0, len(wanted), 500):
                chunk = wanted[start : start + 500]
                query = select(feed_entries.c.entry_key).where(feed_entries.c.feed_id == feed_id, feed_entries.c.entry_key.in_(chunk))
                found.update(conn.execute(query).scalars())
        return found

    def record_entry(self, feed_id: int, record: FeedEntryRecord) -> None:
        """What became of an entry; an entry recorded already keeps its first record."""
        values = {
            "feed_id": feed_id, "entry_key": record.key, "url": record.url, "article_id": record.article_id,
            "status": record.status, "error_code": record.error_code, "seen_at": datetime.now(UTC),
        }
        with self.engine.begin() as conn:
            conn.execute(self._insert(feed_entries).values(**values).on_conflict_do_nothing())

    def entries(self, feed_id: int) -> builtins.list[FeedEntryRecord]:
        """The entries a feed has shown, in the order they were seen."""
        query = select(feed_entries).where(feed_entries.c.feed_id == feed_id).order_by(feed_entries.c.seen_at, feed_entries.c.entry_key)
        with self.engine.connect() as conn:
            rows = conn.execute(query).mappings().all()
        return [FeedEntryRecord(r["entry_key"], r["url"], r["status"], r["article_id"], r["error_code"]) for r in rows]

    def article_with_url(self, url: str) -> int | None:
        """The id of the stored article with this URL, if any: a link stored once (from
        any feed or any other input) is never fetched again."""
        with self.engine.connect() as conn:
            return conn.execute(select(articles.c.id).where(articles.c.url == url)).scalar()

    # -- internals ------------------------------------------------------------------

    def _by_url(self, url: str) -> int | None:
        with self.engine.connect() as conn:
            return conn.execute(select(feeds.c.id).where(feeds.c.url == url)).scalar()

    def _select(self, where, *, order=feeds.c.id) -> builtins.list[Feed]:  # type: ignore[no-untyped-def]
        seen = select(feed_entries.c.feed_id, func.count().label("seen")).group_by(feed_entries.c.feed_id).subquery()
        query = select(feeds, func.coalesce(seen.c.seen, 0).label("entries_seen")).select_from(feeds.outerjoin(seen, seen.c.feed_id == feeds.c.id))
        if where is not None:
            query = query.where(where)
        with self.engine.connect() as conn:
            rows = conn.execute(query.order_by(order, feeds.c.id)).mappings().all()
        return [_to_feed(r) for r in rows]


def _to_feed(row: RowMapping) -> Feed:
    error = None
    if row["error_code"] is not None:
        error = FeedError(row["error_code"], row["error_message"] or "", utc(row["error_at"]) or datetime.now(UTC))
    return Feed(
        id=row["id"],
        url=row["url"],
        outlet=row["outlet"],
        language=row["language"],
        every_seconds=row["every_seconds"],
        next_poll_at=utc(row["next_poll_at"]),  # type: ignore[arg-type]
        last_polled_at=utc(row["last_polled_at"]),
        etag=row["etag"],
        last_modified=row["last_modified"],
        failures=row["failures"],
        last_error=error,
        entries_seen=row["entries_seen"],
    )

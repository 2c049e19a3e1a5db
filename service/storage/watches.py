"""The watch repository: saved watches, and each one's matches with their delivery.

A match is recorded once per watch and object (``uq_watch_matches_key``): a link or a
story seen again by a later scan, by a second watcher, or after a crash, is not recorded
or delivered twice. Deliveries are claimed one at a time (``claim``), so two watchers
never send the same one at once.

Example:
    >>> watches = WatchStore(engine)  # doctest: +SKIP
    >>> watch = watches.add("flags", {"credited": False}, webhook_url="https://hooks.example/x", secret="s" * 32)  # doctest: +SKIP
    >>> watches.record(watch.id, "12<-7", {"match": {}}, at=datetime.now(UTC))  # doctest: +SKIP
    True
"""

from __future__ import annotations

import builtins
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, literal, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine, RowMapping

from service.domain import Delivery, Watch
from service.errors import NotFound
from service.storage.rows import utc
from service.storage.tables import watch_matches, watches

PENDING, DELIVERED, FAILED = "pending", "delivered", "failed"
CLAIM_SECONDS = 120  # a claimed delivery not finished by then (its watcher died) is due again


class WatchStore:
    """Watches and their matches in the service's database (SQLite or PostgreSQL)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._insert = postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert

    def add(self, kind: str, filters: dict[str, object], *, webhook_url: str, secret: str) -> Watch:
        """A new watch; it matches what is stored or changed from now on."""
        now = datetime.now(UTC)
        values = {"kind": kind, "filters": filters, "webhook_url": webhook_url, "secret": secret, "created_at": now, "scanned_until": now}
        with self.engine.begin() as conn:
            watch_id = conn.execute(watches.insert().values(**values).returning(watches.c.id)).scalar_one()
        return self.get(watch_id)

    def get(self, watch_id: int, *, counted: bool = True) -> Watch:
        """One watch (``counted``: with its matches and deliveries counted)."""
        found = self._select(watches.c.id == watch_id, counted=counted)
        if not found:
            raise NotFound(f"watch {watch_id} not found")
        return found[0]

    def list(self, *, counted: bool = True) -> builtins.list[Watch]:
        """Every watch, in id order (``counted``: with its matches and deliveries counted;
        the watcher's loop needs only the watches)."""
        return self._select(None, counted=counted)

    def remove(self, watch_id: int) -> None:
        """Delete a watch and its matches; NotFound when absent."""
        with self.engine.begin() as conn:
            conn.execute(delete(watch_matches).where(watch_matches.c.watch_id == watch_id))
            if conn.execute(delete(watches).where(watches.c.id == watch_id)).rowcount == 0:
                raise NotFound(f"watch {watch_id} not found")

    def scanned(self, watch_id: int, until: datetime) -> None:
        """The watch has looked at everything changed up to ``until``."""
        with self.engine.begin() as conn:
            conn.execute(update(watches).where(watches.c.id == watch_id, watches.c.scanned_until < until).values(scanned_until=until))

    # -- matches and deliveries -------------------------------------------------------

    def record(self, watch_id: int, key: str, payload: dict[str, object], *, at: datetime) -> bool:
        """A match found ``at``, due for delivery then; False when the watch has it already."""
        values = {"watch_id": watch_id, "match_key": key, "payload": payload, "matched_at": at, "status": PENDING, "attempts": 0, "next_attempt_at": at}
        with self.engine.begin() as conn:
            inserted = conn.execute(self._insert(watch_matches).values(**values).on_conflict_do_nothing().returning(watch_matches.c.id))
            return inserted.first() is not None

    def claim(self, now: datetime) -> Delivery | None:
        """The most overdue pending delivery, pushed ``CLAIM_SECONDS`` ahead so that no
        other watcher takes it meanwhile; None when none is due."""
        with self.engine.begin() as conn:
            for _ in range(5):  # another watcher may win the race for the first due row
                row = conn.execute(
                    select(watch_matches.c.id, watch_matches.c.next_attempt_at)
                    .where(watch_matches.c.status == PENDING, watch_matches.c.next_attempt_at <= now)
                    .order_by(watch_matches.c.next_attempt_at, watch_matches.c.id)
                    .limit(1)
                ).first()
                if row is None:
                    return None
                taken = conn.execute(
                    update(watch_matches)
                    .where(watch_matches.c.id == row.id, watch_matches.c.next_attempt_at == row.next_attempt_at, watch_matches.c.status == PENDING)
                    .values(next_attempt_at=now + timedelta(seconds=CLAIM_SECONDS))
                )
                if taken.rowcount:
                    found = conn.execute(select(watch_matches).where(watch_matches.c.id == row.id)).mappings().one()
                    return _to_delivery(found)
        return None

    def attempted(
        self,
        delivery_id: int,
        *,
        at: datetime,
        delivered: bool,
        next_attempt_at: datetime | None,
        status_code: int | None = None,
        error_code: str | None = None,
        error_message: str | None = None,
    ) -> None:
        """One attempt's outcome: delivered, due again at ``next_attempt_at``, or (neither)
        given up."""
        status = DELIVERED if delivered else (PENDING if next_attempt_at is not None else FAILED)
        with self.engine.begin() as conn:
            conn.execute(
                update(watch_matches).where(watch_matches.c.id == delivery_id).values(
                    status=status, attempts=watch_matches.c.attempts + 1, last_attempt_at=at, next_attempt_at=next_attempt_at,
                    last_status_code=status_code, error_code=error_code, error_message=(error_message or "")[:2000] or None,
                    delivered_at=at if delivered else None,
                )
            )

    def deliveries(self, watch_id: int, *, limit: int = 100) -> builtins.list[Delivery]:
        """A watch's matches, newest first (NotFound for an unknown watch)."""
        self.get(watch_id)
        query = select(watch_matches).where(watch_matches.c.watch_id == watch_id).order_by(watch_matches.c.id.desc()).limit(limit)
        with self.engine.connect() as conn:
            return [_to_delivery(r) for r in conn.execute(query).mappings().all()]

    # -- internals ------------------------------------------------------------------

    def _select(self, where, *, counted: bool) -> builtins.list[Watch]:  # type: ignore[no-untyped-def]
        if counted:
            counts = (
                select(
                    watch_matches.c.watch_id,
                    func.count().label("matches"),
                    func.count(watch_matches.c.delivered_at).label("delivered"),
                )
                .group_by(watch_matches.c.watch_id)
                .subquery()
            )
            query = select(watches, func.coalesce(counts.c.matches, 0).label("matches"), func.coalesce(counts.c.delivered, 0).label("delivered"))
            query = query.select_from(watches.outerjoin(counts, counts.c.watch_id == watches.c.id))
        else:
            query = select(watches, literal(0).label("matches"), literal(0).label("delivered"))
        if where is not None:
            query = query.where(where)
        with self.engine.connect() as conn:
            rows = conn.execute(query.order_by(watches.c.id)).mappings().all()
        return [_to_watch(r) for r in rows]


def _to_watch(row: RowMapping) -> Watch:
    return Watch(
        id=row["id"],
        kind=row["kind"],
        filters=dict(row["filters"]),
        webhook_url=row["webhook_url"],
        secret=row["secret"],
        created_at=utc(row["created_at"]),  # type: ignore[arg-type]
        scanned_until=utc(row["scanned_until"]),  # type: ignore[arg-type]
        matches=row["matches"],
        delivered=row["delivered"],
    )


def _to_delivery(row: RowMapping) -> Delivery:
    return Delivery(
        id=row["id"],
        watch_id=row["watch_id"],
        key=row["match_key"],
        payload=dict(row["payload"]),
        matched_at=utc(row["matched_at"]),  # type: ignore[arg-type]
        status=row["status"],
        attempts=row["attempts"],
        next_attempt_at=utc(row["next_attempt_at"]),
        last_attempt_at=utc(row["last_attempt_at"]),
        status_code=row["last_status_code"],
        error_code=row["error_code"],
        error_message=row["error_message"],
        delivered_at=utc(row["delivered_at"]),
    )

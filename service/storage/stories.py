"""Story storage: per-article story docs (vectors, names), story membership and listings.

A story's listing row (headline, counts, outlets, first/last seen) is recomputed from its
members in the same transaction that changes them, so listings never disagree with
membership. The headline is the title of the story's earliest article.

Example:
    >>> stories = StoryStore(engine)                                   # doctest: +SKIP
    >>> story_id = stories.join(article_id=7, story_id=None, merged=(), support=0.0)  # doctest: +SKIP
"""

from __future__ import annotations

import builtins
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from sqlalchemy import and_, delete, exists, func, insert, or_, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine, RowMapping
from sqlalchemy.exc import IntegrityError, OperationalError

from service.domain import Page, StoredDoc, StoryDetail, StoryPage, StorySummary
from service.errors import NotFound
from service.storage.rows import to_article, to_link, utc
from service.storage.tables import articles, copy_links, stories, story_docs, story_members

MAX_PAGE = 500
HEADLINE_CHARS = 160
JOIN_ATTEMPTS = 5
LIKE_ESCAPE = "\\"


def _to_summary(row: RowMapping) -> StorySummary:
    return StorySummary(
        id=row["id"],
        headline=row["headline"],
        article_count=row["article_count"],
        outlets=tuple(row["outlets"]),
        languages=tuple(row["languages"]),
        first_seen=utc(row["first_seen"]),
        last_seen=utc(row["last_seen"]),
    )


def _to_doc(row: RowMapping) -> StoredDoc:
    def raw(value: bytes | memoryview | None) -> bytes | None:
        return bytes(value) if value is not None else None

    return StoredDoc(row["article_id"], row["model_id"], row["dim"], raw(row["lead"]), raw(row["title"]), dict(row["names"]))


# pg_advisory_lock key of story assignment ("sdstory" in ASCII).
ASSIGNMENT_LOCK = 0x736473746F7279


class StoryStore:
    """Stories in the same database as the articles (used through ``Store.stories``)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._insert = postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert

    # -- story docs -------------------------------------------------------------------

    def save_doc(self, doc: StoredDoc) -> None:
        """Store (or replace) an article's story doc: an upsert, as two processes
        finishing one article may both store it."""
        values = {"model_id": doc.model_id, "dim": doc.dim, "lead": doc.lead, "title": doc.title, "names": doc.names}
        stmt = self._insert(story_docs).values(article_id=doc.article_id, **values)
        with self.engine.begin() as conn:
            conn.execute(stmt.on_conflict_do_update(index_elements=["article_id"], set_=values))

    def docs(self, article_ids: Iterable[int]) -> dict[int, StoredDoc]:
        ids = sorted(set(article_ids))
        out: dict[int, StoredDoc] = {}
        with self.engine.connect() as conn:
            for start in range(0, len(ids), 500):
                rows = conn.execute(select(story_docs).where(story_docs.c.article_id.in_(ids[start : start + 500]))).mappings()
                out.update((r["article_id"], _to_doc(r)) for r in rows)
        return out

    def stale_docs(self, model_id: str | None) -> builtins.list[int]:
        """Ids of articles without a story doc, or with one made by another model, in id order."""
        current = select(story_docs.c.article_id).where(
            story_docs.c.model_id == model_id if model_id is not None else story_docs.c.model_id.is_(None)
        )
        with self.engine.connect() as conn:
            return list(conn.execute(select(articles.c.id).where(articles.c.id.not_in(current)).order_by(articles.c.id)).scalars())

    # -- membership -------------------------------------------------------------------

    def members_near(self, published_at: datetime | None, *, window_days: float, limit: int) -> dict[int, int]:
        """Story of each clustered article within ``window_days`` of ``published_at``
        (undated ones always): the newest ``limit``, dated ones first, as {article: story}."""
        # Ids only, as plain rows, and the undated in a second query: an OR of the two made
        # SQLite sort the whole window, and this runs once per ingested article.
        dated = select(story_members.c.article_id, story_members.c.story_id).where(story_members.c.published_at.is_not(None))
        if published_at is not None:
            window = timedelta(days=window_days)
            dated = dated.where(story_members.c.published_at.between(published_at - window, published_at + window))
        dated = dated.order_by(story_members.c.published_at.desc(), story_members.c.article_id.desc())
        undated = select(story_members.c.article_id, story_members.c.story_id).where(story_members.c.published_at.is_(None))
        with self.engine.connect() as conn:
            # Two integer columns need no result processing: the DBAPI cursor's own rows
            # skip building a Row each (5,000 rows: 3.6 ms instead of 9 on SQLite).
            near = dict(conn.execute(dated.limit(limit)).cursor.fetchall())
            if len(near) < limit:
                rest = undated.order_by(story_members.c.article_id.desc()).limit(limit - len(near))
                near.update(conn.execute(rest).cursor.fetchall())
        return near

    def members(self) -> builtins.list[tuple[int, int, datetime | None]]:
        """Every clustered article as (article id, story id, UTC publication time)."""
        query = select(story_members.c.article_id, story_members.c.story_id, story_members.c.published_at)
        with self.engine.connect() as conn:
            return [(article_id, story_id, utc(published)) for article_id, story_id, published in conn.execute(query)]

    def story_of(self, article_id: int) -> int | None:
        with self.engine.connect() as conn:
            return conn.execute(select(story_members.c.story_id).where(story_members.c.article_id == article_id)).scalar()

    @contextmanager
    def assignment_lock(self) -> Iterator[None]:
        """Story decisions of every process, one at a time: on PostgreSQL a session advisory
        lock on a connection of its own, held only around the short decide-and-join step
        (never around embedding), so an article always sees the twin another process put in
        a story a moment earlier. SQLite takes one writer; its processes are not serialised."""
        if self.engine.dialect.name != "postgresql":
            yield
            return
        with self.engine.connect() as conn:
            conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": ASSIGNMENT_LOCK})
            conn.commit()  # the lock is the session's; no transaction is kept open meanwhile
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": ASSIGNMENT_LOCK})
                conn.commit()

    def join(self, article_id: int, *, story_id: int | None, merged: tuple[int, ...], support: float, move: bool = False) -> int:
        """Put an article in ``story_id`` (None: a new story), moving the ``merged`` stories'
        members into it; one transaction. Returns the story id.

        Idempotent and safe between processes: the article's row is locked first, so two
        assignments of one article run one after the other, and an article already in a
        story stays there (that story's id is returned; nothing is created), unless
        ``move``: then it leaves that story, which is deleted in the same transaction if
        it is left empty. A story to join or merge that another process emptied or merged
        meanwhile is left out (no target left: a new story)."""
        for attempt in range(JOIN_ATTEMPTS):
            try:
                with self.engine.begin() as conn:
                    return self._join(conn, article_id, story_id=story_id, merged=merged, support=support, move=move)
            except (IntegrityError, OperationalError):
                # PostgreSQL: a deadlock between two merges, or a membership written by a
                # transaction that committed while this one ran. The next attempt sees it.
                if attempt == JOIN_ATTEMPTS - 1:
                    raise
        raise AssertionError("unreachable")

    def _join(
        self, conn: Connection, article_id: int, *, story_id: int | None, merged: tuple[int, ...], support: float, move: bool
    ) -> int:
        # Lock order everywhere (here, ``Store.delete``): the article's row, then story rows by id.
        row = conn.execute(select(articles.c.published_at).where(articles.c.id == article_id).with_for_update()).first()
        if row is None:
            raise NotFound(f"article {article_id} not found")
        current = conn.execute(select(story_members.c.story_id).where(story_members.c.article_id == article_id)).scalar()
        if current is not None and not move:
            return current
        wanted = sorted({*merged, *(s for s in (story_id, current) if s is not None)})
        live = set(conn.execute(select(stories.c.id).where(stories.c.id.in_(wanted)).order_by(stories.c.id).with_for_update()).scalars()) if wanted else set()
        merged = tuple(m for m in merged if m in live and m != story_id)
        if story_id is not None and story_id not in live:
            story_id, merged = (merged[0], merged[1:]) if merged else (None, ())
        if story_id is None:
            story_id = conn.execute(
                insert(stories).values(headline="", article_count=0, outlets=[], languages=[]).returning(stories.c.id)
            ).scalar_one()
        conn.execute(delete(story_members).where(story_members.c.article_id == article_id))
        conn.execute(insert(story_members).values(article_id=article_id, story_id=story_id, published_at=row.published_at, support=float(support)))
        if merged:
            conn.execute(update(story_members).where(story_members.c.story_id.in_(merged)).values(story_id=story_id))
            conn.execute(delete(stories).where(stories.c.id.in_(merged)))
        self._refresh(conn, story_id)
        if current is not None and current != story_id and current not in merged:
            self._refresh(conn, current)  # the story it left: deleted if now empty
        return story_id

    def leave(self, conn: Connection, article_id: int) -> None:
        """Take an article out of its story (inside the caller's transaction)."""
        story_id = conn.execute(select(story_members.c.story_id).where(story_members.c.article_id == article_id)).scalar()
        conn.execute(delete(story_docs).where(story_docs.c.article_id == article_id))
        if story_id is None:
            return
        conn.execute(delete(story_members).where(story_members.c.article_id == article_id))
        self._refresh(conn, story_id)

    def replace_all(self, groups: builtins.list[builtins.list[int]], *, support: dict[int, float]) -> None:
        """Every story at once (a batch recluster): ``groups`` are the new stories' member
        ids, in the order their ids are to follow; one transaction, so readers see the old
        stories or the new ones, never a mixture."""
        with self.engine.begin() as conn:
            conn.execute(delete(story_members))
            conn.execute(delete(stories))
            published = dict(conn.execute(select(articles.c.id, articles.c.published_at)).all())
            for group in groups:
                story_id = conn.execute(
                    insert(stories).values(headline="", article_count=0, outlets=[], languages=[]).returning(stories.c.id)
                ).scalar_one()
                conn.execute(
                    insert(story_members),
                    [{"article_id": i, "story_id": story_id, "published_at": published[i], "support": float(support.get(i, 0.0))} for i in group],
                )
                self._refresh(conn, story_id)

    # -- listings ---------------------------------------------------------------------

    def list(
        self,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        outlet: str | None = None,
        language: str | None = None,
        q: str | None = None,
        min_articles: int = 1,
        min_outlets: int = 1,
        changed_after: datetime | None = None,
        offset: int = 0,
        limit: int = 50,
    ) -> StoryPage:
        """Stories newest first (by last article), overlapping [since, until], filtered
        (``changed_after``: whose members changed after then, for watches)."""
        if offset < 0 or not 1 <= limit <= MAX_PAGE:
            raise ValueError(f"offset must be >= 0 and limit in 1..{MAX_PAGE}")
        # A story always has a member (``_refresh`` deletes it with its last); the bound
        # keeps a listing honest even so.
        conditions = [stories.c.article_count >= max(min_articles, 1)]
        if min_outlets > 1:
            conditions.append(stories.c.outlet_count >= min_outlets)
        if changed_after is not None:
            conditions.append(stories.c.updated_at > changed_after)
        if since is not None:
            conditions.append(or_(stories.c.last_seen >= since, stories.c.last_seen.is_(None)))
        if until is not None:
            conditions.append(or_(stories.c.first_seen <= until, stories.c.first_seen.is_(None)))
        member = story_members.join(articles, articles.c.id == story_members.c.article_id)
        if outlet is not None:
            conditions.append(exists(select(1).select_from(member).where(story_members.c.story_id == stories.c.id, articles.c.outlet == outlet)))
        if language is not None:
            conditions.append(
                exists(select(1).select_from(member).where(story_members.c.story_id == stories.c.id, articles.c.language == language))
            )
        if q:
            needle = f"%{like_literal(q.strip().lower())}%"
            conditions.append(
                or_(
                    func.lower(stories.c.headline).like(needle, escape=LIKE_ESCAPE),
                    exists(
                        select(1)
                        .select_from(member)
                        .where(story_members.c.story_id == stories.c.id, func.lower(articles.c.title).like(needle, escape=LIKE_ESCAPE))
                    ),
                )
            )
        where = and_(*conditions) if conditions else and_(True)
        query = select(stories).where(where).order_by(stories.c.last_seen.desc().nulls_last(), stories.c.id.desc())
        with self.engine.connect() as conn:
            total = conn.execute(select(func.count()).select_from(stories).where(where)).scalar_one()
            rows = conn.execute(query.offset(offset).limit(limit)).mappings().all()
        return Page(tuple(_to_summary(r) for r in rows), total=total, offset=offset, limit=limit)

    def first_seen(self, story_ids: Iterable[int]) -> dict[int, datetime]:
        """When each story's earliest dated article was published (undated stories left out)."""
        ids = list(story_ids)
        if not ids:
            return {}
        query = select(stories.c.id, stories.c.first_seen).where(stories.c.id.in_(ids), stories.c.first_seen.is_not(None))
        with self.engine.connect() as conn:
            return {story_id: utc(first) for story_id, first in conn.execute(query)}

    def groups(self) -> builtins.list[builtins.list[int]]:
        """Every story's member ids, stories by id, members by id."""
        query = select(story_members.c.story_id, story_members.c.article_id).order_by(story_members.c.story_id, story_members.c.article_id)
        out: dict[int, list[int]] = {}
        with self.engine.connect() as conn:
            for story_id, article_id in conn.execute(query):
                out.setdefault(story_id, []).append(article_id)
        return list(out.values())

    def sizes(self) -> dict[int, int]:
        """How many stories have each article count."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(stories.c.article_count, func.count()).group_by(stories.c.article_count)).all()
        return {size: n for size, n in sorted(rows)}

    def get(self, story_id: int) -> StoryDetail:
        """A story, its articles (oldest first) and the copy links among them."""
        with self.engine.connect() as conn:
            row = conn.execute(select(stories).where(stories.c.id == story_id)).mappings().first()
            if row is None:
                raise NotFound(f"story {story_id} not found")
            ids = select(story_members.c.article_id).where(story_members.c.story_id == story_id)
            members = conn.execute(
                select(articles).where(articles.c.id.in_(ids)).order_by(articles.c.published_at.asc().nulls_last(), articles.c.id)
            ).mappings().all()
            links = conn.execute(
                select(copy_links).where(copy_links.c.target_id.in_(ids), copy_links.c.source_id.in_(ids)).order_by(copy_links.c.share.desc())
            ).mappings().all()
        return StoryDetail(_to_summary(row), tuple(to_article(m) for m in members), tuple(to_link(link) for link in links))

    # -- internals --------------------------------------------------------------------

    def _refresh(self, conn: Connection, story_id: int) -> None:
        """Recompute a story's listing row from its members; delete it when it has none."""
        in_story = story_members.c.story_id == story_id
        member = articles.join(story_members, story_members.c.article_id == articles.c.id)
        count, first, last = conn.execute(
            select(func.count(), func.min(articles.c.published_at), func.max(articles.c.published_at)).select_from(member).where(in_story)
        ).one()
        if not count:
            conn.execute(delete(stories).where(stories.c.id == story_id))
            return

        def ranked(column):  # type: ignore[no-untyped-def]
            rows = conn.execute(
                select(column, func.count()).select_from(member).where(in_story, column.is_not(None)).group_by(column)
            ).all()
            return [name for name, _ in sorted(rows, key=lambda r: (-r[1], r[0]))]

        earliest = select(articles.c.title, articles.c.clean_text).select_from(member).where(in_story)
        earliest = earliest.order_by(articles.c.published_at.asc().nulls_last(), articles.c.id)
        titled = conn.execute(earliest.where(func.length(func.trim(articles.c.title)) > 0).limit(1)).first()
        headline = titled.title.strip()[:HEADLINE_CHARS] if titled else _headline(conn.execute(earliest.limit(1)).one().clean_text)
        outlets = ranked(articles.c.outlet)
        conn.execute(
            update(stories)
            .where(stories.c.id == story_id)
            .values(
                headline=headline,
                article_count=count,
                outlets=outlets,
                outlet_count=len(outlets),
                languages=ranked(articles.c.language),
                first_seen=first,
                last_seen=last,
                updated_at=datetime.now(UTC),
            )
        )


def like_literal(text: str) -> str:
    """``text`` for a LIKE pattern that matches it literally (with ``escape=LIKE_ESCAPE``):
    ``%`` and ``_`` are wildcards in both SQLite and PostgreSQL, the escape character itself too.

    >>> print(like_literal("100%_sure"))
    100\\%\\_sure
    """
    return text.replace(LIKE_ESCAPE, LIKE_ESCAPE * 2).replace("%", LIKE_ESCAPE + "%").replace("_", LIKE_ESCAPE + "_")


def _headline(text: str) -> str:
    """The start of a text, for a story whose articles have no title."""
    text = " ".join(text.split())
    return text[:HEADLINE_CHARS] + ("…" if len(text) > HEADLINE_CHARS else "")

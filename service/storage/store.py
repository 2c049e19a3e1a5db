"""The article repository: one transaction per article, domain values in and out.

Example:
    >>> store = Store.open("sqlite:///var/example.db")
    >>> result = store.add(new_article)          # doctest: +SKIP
    >>> store.get(result.article.id).clean_text  # doctest: +SKIP
"""

from __future__ import annotations

import builtins
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime

from sqlalchemy import and_, delete, exists, func, insert, literal, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import ArgumentError, IntegrityError, OperationalError

from service.domain import Analysis, Article, ArticlePage, CopyLink, IngestResult, NewArticle, Page, PassageRecord, WordStats
from service.errors import NotFound, StorydiffError, Unavailable, mask_url
from service.storage import migrate
from service.storage.engine import open_engine
from service.storage.feeds import FeedStore
from service.storage.rows import to_article, to_link, utc
from service.storage.stories import StoryStore
from service.storage.tables import article_failures, article_jobs, articles, copy_links, corpus_words, passages
from service.storage.watches import WatchStore

MAX_PAGE = 500
# The follow-up work every stored article needs (``Runtime._finish``): its passages
# indexed and copy links stored ("reuse"), then a story ("story").
FOLLOW_UP_JOBS = ("reuse", "story")
MAX_WORD = 64  # longer "words" (URLs, runs of letters) are not counted
# The row of ``corpus_words`` that counts the articles themselves (no word is empty): kept
# with the word counts, in the same transaction, so no query counts the articles table.
ARTICLES_ROW = ""


class UrlConflict(StorydiffError):
    """The URL is stored already, with another text (409): a URL names one article."""

    code = "url_conflict"


class Store:
    """Articles in a SQL database (SQLite or PostgreSQL)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.stories = StoryStore(engine)
        self.feeds = FeedStore(engine)
        self.watches = WatchStore(engine)
        self._insert = postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert

    @classmethod
    def open(cls, database_url: str, *, create: bool = True) -> Store:
        """Open the database at ``database_url``, migrating it to the newest schema
        (``create``), or refusing it (SchemaOutdated) when it is behind (not ``create``)."""
        try:
            engine = open_engine(database_url)
        except (ArgumentError, ValueError) as exc:  # a bad port is a ValueError
            # ``from None``: SQLAlchemy's message may quote the URL whole.
            raise Unavailable(f"not a database URL: {mask_url(database_url)} ({type(exc).__name__})") from None
        try:
            if create:
                migrate.upgrade(engine)
            else:
                migrate.check(engine)
        except OperationalError as exc:
            raise Unavailable(f"cannot open the database {mask_url(database_url)}: {exc.orig}") from exc
        return cls(engine)

    def close(self) -> None:
        self.engine.dispose()

    # -- writes ---------------------------------------------------------------------

    def add(self, new: NewArticle) -> IngestResult:
        """Store ``new`` unless the same URL or the same cleaned text is already stored
        (then the stored article, ``created`` False). The URL stored with another text
        is refused (UrlConflict): the text sent would otherwise be dropped unseen."""
        for _attempt in range(3):
            try:
                with self.engine.begin() as conn:
                    existing = self._find_existing(conn, new)
                    if existing is not None:
                        return IngestResult(existing, created=False)
                    article_id = self._insert_article(conn, new)
                    if new.passages:
                        conn.execute(
                            passages.insert(),
                            [
                                {"article_id": article_id, "seq": n, "start_char": p.start, "end_char": p.end, "signature": p.signature}
                                for n, p in enumerate(new.passages)
                            ],
                        )
                    self._count_words(conn, new.words, +1)
                    row = conn.execute(select(articles).where(articles.c.id == article_id)).mappings().one()
                    return IngestResult(to_article(row), created=True)
            except IntegrityError:
                continue  # a concurrent writer stored the same article first: return theirs
        with self.engine.connect() as conn:
            existing = self._find_existing(conn, new)
        if existing is None:
            raise RuntimeError("article insert kept conflicting without a matching row")
        return IngestResult(existing, created=False)

    def delete(self, article_id: int, *, words: Iterable[str] = ()) -> None:
        """Delete an article (and its job marks); NotFound when absent. ``words``: what
        ``add`` counted for it (``NewArticle.words``)."""
        with self.engine.begin() as conn:
            # Locked first, as ``StoryStore.join`` does: the same lock order, no deadlock.
            row = conn.execute(select(articles.c.outlet).where(articles.c.id == article_id).with_for_update()).first()
            if row is None:
                raise NotFound(f"article {article_id} not found")
            self.stories.leave(conn, article_id)
            conn.execute(delete(article_jobs).where(article_jobs.c.article_id == article_id))
            conn.execute(delete(article_failures).where(article_failures.c.article_id == article_id))
            conn.execute(delete(passages).where(passages.c.article_id == article_id))
            conn.execute(delete(copy_links).where((copy_links.c.target_id == article_id) | (copy_links.c.source_id == article_id)))
            conn.execute(delete(articles).where(articles.c.id == article_id))
            self._count_words(conn, words, -1)

    def mark_done(self, article_id: int, job: str) -> None:
        """Record that ``job`` (e.g. "index", "embed") is done for an article."""
        with self.engine.begin() as conn:
            stmt = self._insert(article_jobs).values(article_id=article_id, job=job, done_at=datetime.now(UTC))
            conn.execute(stmt.on_conflict_do_nothing())

    def mark_all_done(self, job: str) -> None:
        """Record ``job`` as done for every stored article (after a batch rebuild)."""
        now = datetime.now(UTC)
        with self.engine.begin() as conn:
            conn.execute(delete(article_jobs).where(article_jobs.c.job == job))
            conn.execute(insert(article_jobs).from_select(["article_id", "job", "done_at"], select(articles.c.id, literal(job), literal(now))))

    def jobs_done(self, article_id: int) -> set[str]:
        """The jobs recorded as done for an article."""
        with self.engine.connect() as conn:
            return set(conn.execute(select(article_jobs.c.job).where(article_jobs.c.article_id == article_id)).scalars())

    def record_failure(self, article_id: int, *, code: str, message: str, attempts: int) -> None:
        """Keep the error of an analysis that failed for good (its status: ``failed``)."""
        values = {"code": code, "message": message[:2000], "attempts": attempts, "failed_at": datetime.now(UTC)}
        with self.engine.begin() as conn:
            if conn.execute(select(articles.c.id).where(articles.c.id == article_id)).first() is None:
                return  # deleted meanwhile: nothing to report on
            stmt = self._insert(article_failures).values(article_id=article_id, **values)
            conn.execute(stmt.on_conflict_do_update(index_elements=["article_id"], set_=values))

    def clear_failure(self, article_id: int) -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(article_failures).where(article_failures.c.article_id == article_id))

    def analysis_of(self, article_id: int) -> Analysis:
        """Where an article's analysis stands (NotFound when it is not stored)."""
        self.get(article_id)
        done = self.jobs_done(article_id)
        story_id = self.stories.story_of(article_id)
        if set(FOLLOW_UP_JOBS) <= done:
            return Analysis("analysed", story_id=story_id)
        with self.engine.connect() as conn:
            failure = conn.execute(select(article_failures).where(article_failures.c.article_id == article_id)).mappings().first()
        if failure is not None:
            return Analysis("failed", story_id=story_id, error_code=failure["code"], error=failure["message"], attempts=failure["attempts"])
        return Analysis("queued", story_id=story_id)

    def oldest_queued(self) -> datetime | None:
        """When the oldest article still waiting for its analysis was stored (None: none waits)."""
        unfinished = or_(*(
            ~exists(select(1).where(article_jobs.c.article_id == articles.c.id, article_jobs.c.job == job)) for job in FOLLOW_UP_JOBS
        ))
        failed = exists(select(1).where(article_failures.c.article_id == articles.c.id))
        with self.engine.connect() as conn:
            first = conn.execute(select(func.min(articles.c.created_at)).where(unfinished, ~failed)).scalar()
        return utc(first) if first is not None else None

    def clear_job(self, job: str) -> None:
        """Forget every mark of ``job`` so a batch rebuild starts over."""
        with self.engine.begin() as conn:
            conn.execute(delete(article_jobs).where(article_jobs.c.job == job))

    # -- reads ----------------------------------------------------------------------

    def get(self, article_id: int) -> Article:
        with self.engine.connect() as conn:
            row = conn.execute(select(articles).where(articles.c.id == article_id)).mappings().first()
        if row is None:
            raise NotFound(f"article {article_id} not found")
        return to_article(row)

    def list(
        self,
        *,
        outlet: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        offset: int = 0,
        limit: int = 50,
    ) -> ArticlePage:
        """Articles newest first (by publication, then id), filtered and paged."""
        if offset < 0 or not 1 <= limit <= MAX_PAGE:
            raise ValueError(f"offset must be >= 0 and limit in 1..{MAX_PAGE}")
        conditions = []
        if outlet is not None:
            conditions.append(articles.c.outlet == outlet)
        if since is not None:
            conditions.append(articles.c.published_at >= since)
        if until is not None:
            conditions.append(articles.c.published_at <= until)
        where = and_(*conditions) if conditions else None
        query = select(articles).order_by(articles.c.published_at.desc().nulls_last(), articles.c.id.desc())
        count = select(func.count()).select_from(articles)
        if where is not None:
            query, count = query.where(where), count.where(where)
        with self.engine.connect() as conn:
            total = conn.execute(count).scalar_one()
            rows = conn.execute(query.offset(offset).limit(limit)).mappings().all()
        return Page(tuple(to_article(r) for r in rows), total=total, offset=offset, limit=limit)

    def iter_articles(self, *, after_id: int = 0, batch: int = 500) -> Iterator[Article]:
        """Every article in id order, read in batches (for rebuilds)."""
        while True:
            with self.engine.connect() as conn:
                rows = conn.execute(
                    select(articles).where(articles.c.id > after_id).order_by(articles.c.id).limit(batch)
                ).mappings().all()
            if not rows:
                return
            for row in rows:
                yield to_article(row)
            after_id = rows[-1]["id"]

    def ids_by_publication(self) -> builtins.list[int]:
        """Every article id, by publication time (undated last), then id: a canonical order."""
        query = select(articles.c.id).order_by(articles.c.published_at.asc().nulls_last(), articles.c.id)
        with self.engine.connect() as conn:
            return list(conn.execute(query).scalars())

    def pending(self, job: str) -> builtins.list[int]:
        """Ids of articles whose ``job`` is not done yet, in id order."""
        done = select(article_jobs.c.article_id).where(article_jobs.c.job == job)
        with self.engine.connect() as conn:
            return list(conn.execute(select(articles.c.id).where(articles.c.id.not_in(done)).order_by(articles.c.id)).scalars())

    def unfinished(self, jobs: tuple[str, ...] = FOLLOW_UP_JOBS) -> builtins.list[int]:
        """Ids of articles missing any of ``jobs``, in id order: one query (``Runtime.repair``)."""
        def missing(job: str):  # type: ignore[no-untyped-def]
            return ~exists(select(1).where(article_jobs.c.article_id == articles.c.id, article_jobs.c.job == job))

        with self.engine.connect() as conn:
            return list(conn.execute(select(articles.c.id).where(or_(*map(missing, jobs))).order_by(articles.c.id)).scalars())

    def stored_texts(self, keys: builtins.list[tuple[str, str]]) -> set[tuple[str, str]]:
        """Which of these (outlet key, content hash) pairs an article already has."""
        found: set[tuple[str, str]] = set()
        with self.engine.connect() as conn:
            for start in range(0, len(keys), 500):
                chunk = set(keys[start : start + 500])
                rows = conn.execute(
                    select(articles.c.outlet_key, articles.c.content_hash).where(articles.c.content_hash.in_(sorted({h for _, h in chunk})))
                )
                found.update(row for row in map(tuple, rows) if row in chunk)
        return found

    def words_uncounted(self) -> bool:
        """Articles are stored but no word is counted (a store from before the counts)."""
        with self.engine.connect() as conn:
            return conn.execute(select(exists(select(1).select_from(articles)) & ~exists(select(1).select_from(corpus_words)))).scalar_one()

    def recount_words(self, words_of: Callable[[str], Iterable[str]]) -> int:
        """Count every stored article's words afresh (``words_of(clean_text)``); returns the articles."""
        counts: Counter[str] = Counter()
        seen = 0
        with self.engine.connect() as conn:
            for (clean_text,) in conn.execute(select(articles.c.clean_text).order_by(articles.c.id)).yield_per(500):
                counts.update(w for w in set(words_of(clean_text)) if len(w) <= MAX_WORD)
                seen += 1
        counts[ARTICLES_ROW] = seen
        items = sorted(counts.items())
        with self.engine.begin() as conn:
            conn.execute(delete(corpus_words))
            for start in range(0, len(items), 1000):
                conn.execute(insert(corpus_words), [{"word": w, "articles": n} for w, n in items[start : start + 1000]])
        return seen

    def word_stats(self, words: Iterable[str]) -> WordStats:
        """The count of stored articles, and in how many of them each of ``words`` occurs."""
        wanted = sorted({ARTICLES_ROW, *(w for w in words if len(w) <= MAX_WORD)})
        counts: dict[str, int] = {}
        with self.engine.connect() as conn:
            for start in range(0, len(wanted), 500):
                rows = conn.execute(select(corpus_words.c.word, corpus_words.c.articles).where(corpus_words.c.word.in_(wanted[start : start + 500])))
                counts.update((w, n) for w, n in rows if n > 0)
        return WordStats(counts.pop(ARTICLES_ROW, 0), counts)

    def count(self) -> int:
        with self.engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(articles)).scalar_one()

    def passages_of(self, article_id: int) -> builtins.list[PassageRecord]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(passages.c.start_char, passages.c.end_char, passages.c.signature)
                .where(passages.c.article_id == article_id)
                .order_by(passages.c.seq)
            ).all()
        return [PassageRecord(r.start_char, r.end_char, bytes(r.signature)) for r in rows]

    def iter_passages(self, *, batch: int = 20_000) -> Iterator[tuple[int, builtins.list[PassageRecord]]]:
        """(article id, its passages) for every article, in id order (for index rebuilds)."""
        after = (-1, -1)
        current_id, current = None, []  # type: ignore[var-annotated]
        while True:
            with self.engine.connect() as conn:
                rows = conn.execute(
                    select(passages)
                    .where((passages.c.article_id > after[0]) | ((passages.c.article_id == after[0]) & (passages.c.seq > after[1])))
                    .order_by(passages.c.article_id, passages.c.seq)
                    .limit(batch)
                ).all()
            if not rows:
                break
            for r in rows:
                if r.article_id != current_id:
                    if current_id is not None:
                        yield current_id, current
                    current_id, current = r.article_id, []
                current.append(PassageRecord(r.start_char, r.end_char, bytes(r.signature)))
            after = (rows[-1].article_id, rows[-1].seq)
        if current_id is not None:
            yield current_id, current

    def save_links(self, links: Iterable[CopyLink]) -> None:
        """Store copy links (replacing an earlier link between the same two articles).
        An upsert: two processes finishing the same article store its links once."""
        with self.engine.begin() as conn:
            for link in links:
                conn.execute(
                    delete(copy_links).where((copy_links.c.target_id == link.source_id) & (copy_links.c.source_id == link.target_id))
                )
                values = {
                    "relation": link.relation,
                    "share": link.share,
                    "pair_share": link.pair_share,
                    "credited": link.credited,
                    "credit": link.credit,
                    "label": link.label,
                    "direction": link.direction,
                    "direction_basis": link.direction_basis,
                    "spans": [[s.target_start, s.target_end, s.source_start, s.source_end, s.kind, s.similarity] for s in link.spans],
                    "created_at": datetime.now(UTC),
                }
                stmt = self._insert(copy_links).values(target_id=link.target_id, source_id=link.source_id, **values)
                conn.execute(stmt.on_conflict_do_update(index_elements=["target_id", "source_id"], set_=values))

    def linked_pairs(self, relation: str) -> set[tuple[int, int]]:
        """Every pair of articles (lower id first) linked with ``relation``."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(copy_links.c.target_id, copy_links.c.source_id).where(copy_links.c.relation == relation))
            return {(min(t, s), max(t, s)) for t, s in rows}

    def link_shares(self, *, skip: tuple[str, ...] = ()) -> dict[tuple[int, int], float]:
        """Every pair of linked articles (lower id first) and its ``pair_share``, links of
        the ``skip`` relations left out: what the story score weighs, for a batch recluster."""
        out: dict[tuple[int, int], float] = {}
        query = select(copy_links.c.target_id, copy_links.c.source_id, copy_links.c.pair_share)
        if skip:
            query = query.where(copy_links.c.relation.not_in(skip))
        with self.engine.connect() as conn:
            for target, source, share in conn.execute(query):
                pair = (min(target, source), max(target, source))
                out[pair] = max(out.get(pair, 0.0), min(1.0, share))
        return out

    def links_of(self, article_id: int) -> builtins.list[CopyLink]:
        """Every link where the article is the target or the source."""
        query = select(copy_links).where((copy_links.c.target_id == article_id) | (copy_links.c.source_id == article_id))
        with self.engine.connect() as conn:
            rows = conn.execute(query.order_by(copy_links.c.share.desc())).mappings().all()
        return [to_link(r) for r in rows]

    def flags(
        self,
        *,
        outlet: str | None = None,
        source_outlet: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        min_share: float = 0.0,
        credited: bool | None = None,
        relations: tuple[str, ...] | None = None,
        made_after: datetime | None = None,
        offset: int = 0,
        limit: int = 50,
    ) -> tuple[builtins.list[CopyLink], int]:
        """Copy links whose target (``outlet``) and source (``source_outlet``) match the
        filters (``relations``: None, any; ``made_after``: links stored after then, for
        watches), newest target first; and their total."""
        if offset < 0 or not 1 <= limit <= MAX_PAGE:
            raise ValueError(f"offset must be >= 0 and limit in 1..{MAX_PAGE}")
        target = articles.alias("target")
        conditions = [copy_links.c.share >= min_share]
        if relations is not None:
            conditions.append(copy_links.c.relation.in_(relations))
        if credited is not None:
            conditions.append(copy_links.c.credited == credited)
        if outlet is not None:
            conditions.append(target.c.outlet == outlet)
        if since is not None:
            conditions.append(target.c.published_at >= since)
        if until is not None:
            conditions.append(target.c.published_at <= until)
        if made_after is not None:
            conditions.append(copy_links.c.created_at > made_after)
        joined = copy_links.join(target, target.c.id == copy_links.c.target_id)
        if source_outlet is not None:
            source = articles.alias("source")
            joined = joined.join(source, source.c.id == copy_links.c.source_id)
            conditions.append(source.c.outlet == source_outlet)
        query = (
            select(copy_links)
            .select_from(joined)
            .where(*conditions)
            .order_by(target.c.published_at.desc().nulls_last(), copy_links.c.target_id.desc(), copy_links.c.share.desc())
        )
        count = select(func.count()).select_from(joined).where(*conditions)
        with self.engine.connect() as conn:
            total = conn.execute(count).scalar_one()
            rows = conn.execute(query.offset(offset).limit(limit)).mappings().all()
        return [to_link(r) for r in rows], total

    # -- internals ------------------------------------------------------------------

    def _find_existing(self, conn: Connection, new: NewArticle) -> Article | None:
        """The stored article ``new`` repeats: its URL with the same text, else its outlet's
        article with its text (another outlet's is a republication: stored on its own).
        Its URL stored with another text is a conflict."""
        condition = (articles.c.content_hash == new.content_hash) & (articles.c.outlet_key == new.outlet_key)
        if new.url:
            condition = condition | (articles.c.url == new.url)
        rows = conn.execute(select(articles).where(condition).order_by(articles.c.id).limit(2)).mappings().all()
        same_url = next((r for r in rows if new.url and r["url"] == new.url), None)
        if same_url is not None:
            # Same text: the same cleaned text (hash), or the very text sent before (stored
            # under other cleaning rules, an older version's).
            if same_url["content_hash"] != new.content_hash and same_url["text"] != new.text:
                raise UrlConflict(
                    f"the URL is stored already (article {same_url['id']}) with another text; "
                    "a URL names one article: delete it first to replace its text, or send the new text without the URL",
                    errors=[{"field": "url", "code": "url_conflict", "article_id": same_url["id"]}],
                )
            return to_article(same_url)
        return to_article(rows[0]) if rows else None

    def _insert_article(self, conn: Connection, new: NewArticle) -> int:
        values = {
            "text": new.text,
            "html": new.html,
            "clean_text": new.clean.text,
            "blocks": [[b.clean_start, b.original_start, b.length] for b in new.clean.blocks],
            "content_hash": new.content_hash,
            "url": new.url,
            "title": new.title,
            "outlet": new.outlet,
            "outlet_key": new.outlet_key,
            "published_at": utc(new.published_at),
            "language": new.language,
            "created_at": datetime.now(UTC),
        }
        return conn.execute(articles.insert().values(**values).returning(articles.c.id)).scalar_one()

    def _count_words(self, conn: Connection, words: Iterable[str], step: int) -> None:
        # Sorted: concurrent writers lock the rows in one order (no deadlock). The article
        # itself is counted too (ARTICLES_ROW), words or none.
        keys = sorted({ARTICLES_ROW, *(w for w in words if w and len(w) <= MAX_WORD)})
        if step > 0:
            # One statement for many rows (compiled once, cached): not one VALUES list a text.
            stmt = self._insert(corpus_words).on_conflict_do_update(
                index_elements=["word"], set_={"articles": corpus_words.c.articles + 1}
            )
            conn.execute(stmt, [{"word": w, "articles": 1} for w in keys])
        else:
            for start in range(0, len(keys), 500):
                conn.execute(
                    update(corpus_words).where(corpus_words.c.word.in_(keys[start : start + 500])).values(articles=corpus_words.c.articles - 1)
                )


"""The running service, opened once and shared by the API, the CLI and scripts.

``Runtime`` owns the store, the passage index, the copy finder and the story desk, and
stores an article in one sequence, one module a step (``ingest``):
prepare (``prepare``) -> store (``Store.add``) -> link copies (``copies``) -> assign the
story (``stories``, with its document from ``story_docs``). ``feeds`` polls watched feeds
into that same sequence.

Example:
    >>> with Runtime.open(Settings(database_url="sqlite:///var/demo.db")) as runtime:  # doctest: +SKIP
    ...     runtime.ingest(parse_article({"text": "..."}))
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from itertools import islice
from types import TracebackType
from typing import TypeVar

import redis

from service.compare import Comparison, TooLongToCompare, compare
from service.compare.bounds import MAX_ANALYSED_CHARS, MAX_ANALYSED_WORDS, MAX_COMPARE_CHARS, MAX_COMPARE_WORDS, refuse_long
from service.compare.comparison import sentence_spans
from service.config import Settings
from service.domain import Analysis, Article, ArticleInput, IngestResult, StoryDetail, StoryPage, outlet_key
from service.errors import NotFound, StorydiffError, TooLarge
from service.intake.fields import parse_line
from service.pipeline import metrics
from service.pipeline.alerts import Alerts
from service.pipeline.copies import REUSE_JOB, CheckedCopy, CopyFinder, LinkView, signatures_of
from service.pipeline.feeds import FeedWatch
from service.pipeline.prepare import prepare, preview
from service.pipeline.queue import AnalysisQueue, QueueUnavailable
from service.pipeline.stories import StoryDesk
from service.reuse.align import align
from service.reuse.flags import REUSE
from service.reuse.index import PassageIndex
from service.reuse.templates import content_words
from service.storage.store import FOLLOW_UP_JOBS, Store
from service.stories.score import SameStory

log = logging.getLogger(__name__)

INGEST_BATCH = 64  # articles embedded together in bulk ingest
ARTICLE_LOCKS = 64
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Repaired:
    """What ``Runtime.repair`` finished, and the articles that failed again (id, error)."""

    completed: int
    failed: tuple[tuple[int, str], ...] = ()


@dataclass(frozen=True, slots=True)
class LineResult:
    """The outcome of one line of a JSON Lines upload (1-based ``line``)."""

    line: int
    result: IngestResult | None = None
    error: StorydiffError | None = None


@dataclass(frozen=True, slots=True)
class Health:
    """What ``GET /health`` reports: each backing part, and the analysis queue's state."""

    articles: int
    index: str  # "memory", "redis" or "unreachable"
    model: str | None  # the embedding model's id (None: no embeddings)
    queue: str  # "none" (no Redis), "ok" or "unreachable"
    queue_depth: int | None = None
    dead_letters: int | None = None
    workers: int | None = None
    oldest_queued_seconds: float | None = None  # the oldest article still waiting for its analysis

    @property
    def ok(self) -> bool:
        return self.index != "unreachable" and self.queue != "unreachable"


class Runtime:
    def __init__(self, settings: Settings, store: Store, index: PassageIndex) -> None:
        self.settings = settings
        self.store = store
        self.index = index
        self.copies = CopyFinder(store, index)
        self.desk = StoryDesk(settings, store)
        # The watched feeds, polled into the store through the same ingest as every input.
        self.feeds = FeedWatch(settings, store.feeds, self.ingest)
        # Saved watches, matched through the same listings as GET /flags and GET /stories.
        self.alerts = Alerts(settings, store.watches, flags=self.flags, stories=self.stories)
        # Where ``wait=false`` sends analyses: only with Redis (None: synchronous only).
        self.queue = AnalysisQueue(settings) if settings.redis_url is not None else None
        # Striped by article id: follow-up work of one article in one thread at a time.
        self._article_locks = tuple(threading.Lock() for _ in range(ARTICLE_LOCKS))

    @classmethod
    def open(cls, settings: Settings, *, migrate: bool | None = None) -> Runtime:
        """Open the parts; the schema is migrated when ``migrate`` (default: the
        ``auto_migrate`` setting), else a database behind it is refused (SchemaOutdated)."""
        store = Store.open(settings.database_url, create=settings.auto_migrate if migrate is None else migrate)
        try:
            if store.words_uncounted():  # a store from before the word counts: counted once
                store.recount_words(content_words)
            index = PassageIndex(redis_url=settings.redis_url, prefix=settings.redis_prefix)
            # In-process: rebuilt from the stored signatures. In Redis: only when it is empty.
            if settings.redis_url is None or len(index) == 0:
                index.rebuild((aid, signatures_of(p)) for aid, p in store.iter_passages())
        except Exception:
            store.close()
            raise
        return cls(settings, store, index)

    def close(self) -> None:
        self.feeds.close()
        self.alerts.close()
        if self.queue is not None:
            self.queue.close()
        self.store.close()

    def __enter__(self) -> Runtime:
        return self

    def __exit__(self, *_exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self.close()

    # -- articles -----------------------------------------------------------------

    def ingest(self, article: ArticleInput) -> IngestResult:
        """Store one article (or find the stored one it repeats) and finish it: prepare ->
        store -> link copies -> assign the story."""
        return self._finish(self.store_article(article))

    def store_article(self, article: ArticleInput) -> IngestResult:
        """The fast, transactional part of ingesting: prepare -> store; a new article's
        passages are indexed at once, so every later article finds it."""
        if article.text is not None and len(article.text.encode("utf-8")) > self.settings.max_article_bytes:
            raise TooLarge(f"the article is over the limit of {self.settings.max_article_bytes} bytes")
        new = prepare(article)
        result = self.store.add(new)
        if result.created:
            self.copies.index_stored(result.article.id, new.passages)
            metrics.ARTICLES_STORED.inc()
        return result

    def ingest_later(self, article: ArticleInput) -> IngestResult:
        """Store one article and queue its analysis (``wait=false``). QueueUnavailable (503)
        when the queue cannot be reached, checked first; should sending fail after all, the
        new article is deleted again: nothing is left stored half-way."""
        queue = self._queue()
        queue.ping()
        result = self.store_article(article)
        if result.created or self.store.analysis_of(result.article.id).status == "failed":
            try:
                queue.send(result.article.id)
            except QueueUnavailable:
                if result.created:
                    self.delete(result.article.id)
                raise
        return result

    def analysis_of(self, article_id: int) -> Analysis:
        """Where a stored article's analysis stands (queued, analysed, failed)."""
        return self.store.analysis_of(article_id)

    def analyse(self, article_id: int, *, final: bool = True, attempt: int = 1) -> None:
        """A queued article's analysis (``storydiff worker``): copy links, then story. Safe
        to run twice: the steps done are skipped, each step is idempotent. An article
        deleted meanwhile is dropped; a failure on the ``final`` attempt is recorded (its
        status: ``failed`` with the error's code) and raised (the job is dead-lettered)."""
        try:
            article = self.store.get(article_id)
        except NotFound:
            log.info("analysis of article %d dropped: it was deleted", article_id)
            return
        try:
            if set(FOLLOW_UP_JOBS) <= self.store.jobs_done(article_id):
                return  # a redelivered or repeated job: done already
            with metrics.ANALYSIS_SECONDS.time():
                self._finish(IngestResult(article, created=False))
            metrics.ARTICLES_ANALYSED.inc()
        except NotFound:
            log.info("analysis of article %d dropped: it was deleted meanwhile", article_id)
            return
        except Exception as exc:
            code = exc.code if isinstance(exc, StorydiffError) else "internal_error"
            if final:
                metrics.ERRORS.labels(code=code).inc()
                self.store.record_failure(article_id, code=code, message=str(exc) or type(exc).__name__, attempts=attempt)
            raise
        if attempt > 1:
            self.store.clear_failure(article_id)

    def check_queue(self) -> None:
        """QueueUnavailable (503) unless analyses can be queued now."""
        self._queue().ping()

    def _queue(self) -> AnalysisQueue:
        if self.queue is None:
            raise QueueUnavailable("no queue: wait=false needs STORYDIFF_REDIS_URL (the analysis queue runs on Redis)")
        return self.queue

    def ingest_line(self, number: int, raw: bytes | str, *, wait: bool = True) -> LineResult | None:
        """Ingest line ``number`` of a JSON Lines upload (``wait`` False: store it and queue
        its analysis); None for a blank line. A failed line is reported, never raised: the
        rest of the upload goes on."""
        if not raw.strip():
            return None
        ingest = self.ingest if wait else self.ingest_later
        try:
            return LineResult(number, result=ingest(parse_line(number, raw, max_bytes=self.settings.max_article_bytes)))
        except StorydiffError as exc:
            return LineResult(number, error=exc)
        except Exception:  # a bug on one line must not abort the rest of the upload
            log.exception("bulk line %d failed", number)
            return LineResult(number, error=StorydiffError(f"line {number} failed with an internal error", code="internal_error"))

    def _finish(self, result: IngestResult) -> IngestResult:
        """A stored article's follow-up jobs: its copy links (``CopyFinder.link``), then its
        story. An article stored by an ingest that was interrupted before these steps gets
        them now (``storydiff ingest`` resumes; a re-post, ``repair``).

        Several requests may finish one article at once (re-posts of it, two servers):
        in this process they take turns (``_article_locks``), and whoever comes second
        finds the jobs done; between processes each step is idempotent (index entries
        per passage, links upserted, ``StoryStore.join`` keeps an assigned article)."""
        article = result.article
        with self._article_locks[article.id % len(self._article_locks)]:
            done = self.store.jobs_done(article.id)
            if set(FOLLOW_UP_JOBS) <= done:
                return replace(result, story_id=self.desk.story_of(article.id))
            if REUSE_JOB not in done:
                self.copies.link(article)
            story_id, note = self.desk.assign(article)
        return replace(result, story_id=story_id, notes=result.notes + ((note,) if note else ()))

    def prepare_batch(self, articles: list[ArticleInput]) -> None:
        """Embed the new articles of a batch together, ahead of ingesting them one by one
        (bulk ingest: the encoder batches rows across articles, several times faster).
        Articles that are invalid or already stored are left out (``ingest`` reports them)."""
        prepared = []
        for article in articles:
            try:
                prepared.append(preview(article))
            except StorydiffError:
                continue
        keys = [(outlet_key(a.outlet), a.content_hash) for a in prepared]
        stored = self.store.stored_texts(keys)
        self.desk.docs.prepare([a for a, key in zip(prepared, keys) if key not in stored])

    def embedded_ahead(
        self,
        items: Iterable[T],
        *,
        article_of: Callable[[T], ArticleInput | None],
        progress: Callable[[], object] | None = None,
        batch: int = INGEST_BATCH,
    ) -> Iterator[T]:
        """The items in order, each batch embedded (``prepare_batch``) before it is yielded;
        the next batch is embedded in a background thread while the caller ingests this one
        (torch leaves the GIL, so embedding and storing overlap on two cores). Meanwhile
        the story desk keeps its windows in memory (``StoryDesk.members_in_memory``)."""
        iterator = iter(items)

        def prepare(chunk: list[T]) -> list[T]:
            if chunk:
                self.prepare_batch([a for a in map(article_of, chunk) if a is not None])
            return chunk

        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="embed-ahead") as pool, self.desk.members_in_memory():
            ahead = pool.submit(prepare, list(islice(iterator, batch)))
            while chunk := ahead.result():
                ahead = pool.submit(prepare, list(islice(iterator, batch)))
                for item in chunk:
                    yield item
                    if progress is not None:
                        progress()

    def delete(self, article_id: int) -> None:
        article = self.store.get(article_id)
        self.index.remove(article_id, passages=len(self.store.passages_of(article_id)))
        self.store.delete(article_id, words=content_words(article.clean_text))
        self.desk.forget(article_id)
        self.copies.forget(article_id)

    def article_of(self, ref: ArticleInput | int) -> Article:
        """A stored article by id, or an unstored one prepared (id 0)."""
        return self.store.get(ref) if isinstance(ref, int) else preview(ref)

    def queue_unfinished(self) -> int | None:
        """Send every unfinished article to the queue when workers are running (a server
        starting among workers); None, nothing sent, when there are none (then ``repair``)."""
        if self.queue is None:
            return None
        try:
            if self.queue.workers() == 0:
                return None
            unfinished = self.store.unfinished()
            for article_id in unfinished:
                self.queue.send(article_id)  # one already queued runs twice: the second finds it done
        except (QueueUnavailable, OSError, redis.RedisError):
            return None
        return len(unfinished)

    def repair(self, *, progress: Callable[[int], None] | None = None) -> Repaired:
        """Finish every stored article an interrupted or failed request left without its
        copy check (passages indexed, links stored) or its story: what a re-post would do.
        Run at server start and by ``storydiff repair``; one query when nothing is left.
        An article that fails again stays pending (reported), the others go on."""
        completed, failed = 0, []
        for article_id in self.store.unfinished():
            try:
                self._finish(IngestResult(self.store.get(article_id), created=False))
                completed += 1
            except NotFound:
                continue  # deleted meanwhile
            except Exception as exc:  # noqa: BLE001 - reported by id; the rest is still repaired
                failed.append((article_id, f"{type(exc).__name__}: {exc}"))
            if progress is not None:
                progress(completed + len(failed))
        return Repaired(completed, tuple(failed))

    def health(self) -> Health:
        """The database (its article count: a query), the index, the model, the queue."""
        articles = self.store.count()
        index = "memory" if self.settings.redis_url is None else "redis"
        try:
            len(self.index)
        except StorydiffError:
            index = "unreachable"
        oldest = self.store.oldest_queued()
        waited = (datetime.now(UTC) - oldest).total_seconds() if oldest is not None else None
        base = {"articles": articles, "index": index, "model": self.desk.docs.model_id, "oldest_queued_seconds": waited}
        if self.queue is None:
            return Health(queue="none", **base)  # type: ignore[arg-type]
        try:
            depth = self.queue.depth()
            metrics.QUEUE_DEPTH.set(depth)
            return Health(queue="ok", queue_depth=depth, dead_letters=self.queue.dead(), workers=self.queue.workers(), **base)  # type: ignore[arg-type]
        except (redis.RedisError, OSError):
            return Health(queue="unreachable", **base)  # type: ignore[arg-type]

    # -- stories ------------------------------------------------------------------

    def stories(self, **filters: object) -> StoryPage:
        """Stories newest first (filters as ``StoryStore.list``)."""
        return self.desk.stories(**filters)

    def story(self, story_id: int) -> StoryDetail:
        return self.desk.story(story_id)

    def story_of(self, article_id: int) -> int | None:
        return self.desk.story_of(article_id)

    def similarity(self, a: ArticleInput | int, b: ArticleInput | int) -> SameStory:
        """The same-story score of two articles, stored (by id) or not (nothing is stored).
        An article over MAX_ANALYSED_WORDS words is refused (413 too_long_to_compare)."""
        bounds = {"max_words": MAX_ANALYSED_WORDS, "max_chars": MAX_ANALYSED_CHARS}
        return self.desk.similarity(self._bounded(a, "article a", **bounds), self._bounded(b, "article b", **bounds))

    def compare(self, a: ArticleInput | int, b: ArticleInput | int) -> Comparison:
        """Two articles side by side (stored by id or not; nothing is stored). An article
        over MAX_COMPARE_WORDS words or MAX_SENTENCES sentences is refused (413)."""
        bounds = {"max_words": MAX_COMPARE_WORDS, "max_chars": MAX_COMPARE_CHARS}
        first, second = self._bounded(a, "article a", **bounds), self._bounded(b, "article b", **bounds)
        try:
            sentence_spans(first), sentence_spans(second)  # refuse an over-long text before any work
            spans = align(first.clean_text, second.clean_text)  # once, for the copied share and the spans
            same_story = self.desk.similarity(first, second, spans=spans)
            return compare(first, second, encoder=self.desk.docs.cached_encoder, same_story=same_story, spans=spans)
        except TooLongToCompare as exc:
            raise TooLarge(str(exc), code="too_long_to_compare") from exc

    def _bounded(self, ref: ArticleInput | int, what: str, *, max_words: int, max_chars: int) -> Article:
        """``article_of(ref)``, refused (413 too_long_to_compare) over the bounds: a text sent
        is measured before any work on it; HTML once extracted, a stored article as stored."""
        try:
            if not isinstance(ref, int) and ref.text is not None:
                refuse_long(ref.text, max_words=max_words, max_chars=max_chars, what=what)
            article = self.article_of(ref)
            refuse_long(article.clean_text, max_words=max_words, max_chars=max_chars, what=what)
        except TooLongToCompare as exc:
            raise TooLarge(str(exc), code="too_long_to_compare") from exc
        return article

    def recluster(self, *, progress: Callable[[int], None] | None = None) -> int:
        return self.desk.recluster(progress=progress)

    def reembed(self, *, progress: Callable[[int], None] | None = None) -> int:
        """Embed what the current model has not, then rebuild the stories with the new vectors."""
        count = self.desk.docs.reembed(progress=progress)
        if count:
            self.desk.recluster()
        return count

    # -- reuse --------------------------------------------------------------------

    def reuse(self, article_id: int) -> list[LinkView]:
        """The stored copy links of an article (as the copier or as the source)."""
        self.store.get(article_id)  # NotFound for an unknown id
        return self.copies.views(self.store.links_of(article_id))

    def flags(self, **filters: object) -> tuple[list[LinkView], int]:
        """Recent articles that copied (filters as ``Store.flags``; relations by default
        ``REUSE``: copy and shared_source), with their sources."""
        filters.setdefault("relations", REUSE)
        links, total = self.store.flags(**filters)  # type: ignore[arg-type]
        return self.copies.views(links), total

    def check(self, article: ArticleInput) -> tuple[str, list[CheckedCopy]]:
        """An unstored text against the whole index: (its text, the stored articles it
        shares passages with). A text over MAX_ANALYSED_WORDS words is refused (413)."""
        bounds = {"max_words": MAX_ANALYSED_WORDS, "max_chars": MAX_ANALYSED_CHARS}
        try:
            if article.text is not None:
                refuse_long(article.text, what="the article", **bounds)
            new = prepare(article)
            refuse_long(new.clean.text, what="the article", **bounds)
        except TooLongToCompare as exc:
            raise TooLarge(str(exc), code="too_long_to_compare") from exc
        return new.text, self.copies.check(new)

    def reindex(self, *, progress: Callable[[int], None] | None = None) -> int:
        """Rebuild the passage index (``CopyFinder.rebuild_index``); returns the passages indexed."""
        return self.copies.rebuild_index(progress=progress)

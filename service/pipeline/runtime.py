"""The running service, opened once and shared by the API, the CLI and scripts.

``Runtime`` owns the store, the passage index, the copy finder and the story desk, and
stores an article in one sequence, one module a step (``ingest``):
prepare (``prepare``) -> store (``Store.add``) -> link copies (``copies``) -> assign the
story (``stories``, with its document from ``story_docs``).

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
from itertools import islice
from types import TracebackType
from typing import TypeVar

from service.compare import Comparison, TooLongToCompare, compare
from service.compare.bounds import MAX_ANALYSED_CHARS, MAX_ANALYSED_WORDS, MAX_COMPARE_CHARS, MAX_COMPARE_WORDS, refuse_long
from service.compare.comparison import sentence_spans
from service.config import Settings
from service.domain import Article, ArticleInput, IngestResult, StoryDetail, StoryPage, outlet_key
from service.errors import NotFound, StorydiffError, TooLarge
from service.intake.fields import parse_line
from service.pipeline.copies import REUSE_JOB, CheckedCopy, CopyFinder, LinkView, signatures_of
from service.pipeline.prepare import prepare, preview
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


class Runtime:
    def __init__(self, settings: Settings, store: Store, index: PassageIndex) -> None:
        self.settings = settings
        self.store = store
        self.index = index
        self.copies = CopyFinder(store, index)
        self.desk = StoryDesk(settings, store)
        # Striped by article id: follow-up work of one article in one thread at a time.
        self._article_locks = tuple(threading.Lock() for _ in range(ARTICLE_LOCKS))

    @classmethod
    def open(cls, settings: Settings) -> Runtime:
        store = Store.open(settings.database_url)
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
        self.store.close()

    def __enter__(self) -> Runtime:
        return self

    def __exit__(self, *_exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self.close()

    # -- articles -----------------------------------------------------------------

    def ingest(self, article: ArticleInput) -> IngestResult:
        """Store one article (or find the stored one it repeats) and finish it: prepare ->
        store -> link copies -> assign the story."""
        if article.text is not None and len(article.text.encode("utf-8")) > self.settings.max_article_bytes:
            raise TooLarge(f"the article is over the limit of {self.settings.max_article_bytes} bytes")
        result = self.store.add(prepare(article))
        return self._finish(result)

    def ingest_line(self, number: int, raw: bytes | str) -> LineResult | None:
        """Ingest line ``number`` of a JSON Lines upload; None for a blank line. A failed
        line is reported, never raised: the rest of the upload goes on."""
        if not raw.strip():
            return None
        try:
            return LineResult(number, result=self.ingest(parse_line(number, raw, max_bytes=self.settings.max_article_bytes)))
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

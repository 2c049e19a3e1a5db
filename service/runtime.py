"""The running service's parts, opened once and shared by the API, the CLI and scripts.

``Runtime`` owns the store, the passage index and the story desk, and is the one place
that knows what follows the storing of an article: its passages join the index, its copy
links are found and stored, then it joins the story of its event.

Example:
    >>> with Runtime.open(Settings(database_url="sqlite:///var/demo.db")) as runtime:  # doctest: +SKIP
    ...     runtime.ingest(parse_article({"text": "..."}))
"""

from __future__ import annotations

import threading
from collections import OrderedDict
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
from service.domain import Article, ArticleInput, CopyLink, IngestResult, PassageRecord, StoryDetail, StoryPage
from service.errors import NotFound, TooLarge
from service.ingest import LineResult, ingest, ingest_line, prepare, preview, unstored_previews
from service.reuse.align import CopiedSpan, align
from service.reuse.detect import find_copies
from service.reuse.flags import REUSE, link_between
from service.reuse.templates import content_words
from service.reuse.formulas import drop_set_phrases
from service.reuse.index import PassageIndex
from service.reuse.signatures import PassageSignature
from service.storage.store import FOLLOW_UP_JOBS, Store
from service.stories.score import SameStory
from service.story_desk import StoryDesk

INGEST_BATCH = 64  # articles embedded together in bulk ingest
# Stored articles kept in memory for copy detection: an ingest checks the same recent
# candidates again and again, and reads each copy found twice (to align, then to link).
RECENT_ARTICLES = 2_000
ARTICLE_LOCKS = 64
T = TypeVar("T")


def _signatures(records: list[PassageRecord] | tuple[PassageRecord, ...]) -> list[PassageSignature]:
    return [PassageSignature.from_bytes(r.start, r.end, r.signature) for r in records]


@dataclass(frozen=True, slots=True)
class Repaired:
    """What ``Runtime.repair`` finished, and the articles that failed again (id, error)."""

    completed: int
    failed: tuple[tuple[int, str], ...] = ()


@dataclass(frozen=True, slots=True)
class LinkView:
    """A copy link with both of its articles."""

    link: CopyLink
    target: Article
    source: Article


@dataclass(frozen=True, slots=True)
class CheckedCopy:
    """A stored article sharing passages with an unstored text (spans: a = the text, b = the article)."""

    article: Article
    spans: tuple[CopiedSpan, ...]
    share: float


class Runtime:
    def __init__(self, settings: Settings, store: Store, index: PassageIndex) -> None:
        self.settings = settings
        self.store = store
        self.index = index
        self.desk = StoryDesk(settings, store)
        self._recent: OrderedDict[int, Article] = OrderedDict()
        self._recent_lock = threading.Lock()
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
                index.rebuild((aid, _signatures(p)) for aid, p in store.iter_passages())
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
        return ingest(self.store, article, settings=self.settings, after_store=self._after_store)

    def prepare_batch(self, articles: list[ArticleInput]) -> None:
        """Embed the new articles of a batch together, ahead of ingesting them one by one
        (bulk ingest: the encoder batches rows across articles, several times faster)."""
        self.desk.prepare(unstored_previews(self.store, articles, settings=self.settings))

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

    def ingest_line(self, number: int, raw: bytes | str) -> LineResult | None:
        return ingest_line(self.store, number, raw, settings=self.settings, after_store=self._after_store)

    def delete(self, article_id: int) -> None:
        article = self.store.get(article_id)
        self.index.remove(article_id, passages=len(self.store.passages_of(article_id)))
        self.store.delete(article_id, words=content_words(article.clean_text))
        self.desk.forget(article_id)
        with self._recent_lock:
            self._recent.pop(article_id, None)

    def article_of(self, ref: ArticleInput | int) -> Article:
        """A stored article by id, or an unstored one prepared (id 0)."""
        return self.store.get(ref) if isinstance(ref, int) else preview(ref)

    def _after_store(self, result: IngestResult) -> IngestResult:
        """A new article's passages join the index, its copy links are found and stored,
        and it joins the story of its event. An article stored by an ingest that was
        interrupted before these steps gets them now (``storydiff ingest`` resumes; a
        re-post, ``repair``).

        Several requests may finish one article at once (re-posts of it, two servers):
        in this process they take turns (``_article_locks``), and whoever comes second
        finds the jobs done; between processes each step is idempotent (index entries
        per passage, links upserted, ``StoryStore.join`` keeps an assigned article)."""
        article = result.article
        with self._article_locks[article.id % len(self._article_locks)]:
            done = self.store.jobs_done(article.id)
            if set(FOLLOW_UP_JOBS) <= done:
                return replace(result, story_id=self.desk.story_of(article.id))
            if "reuse" not in done:
                signatures = _signatures(self.store.passages_of(article.id))
                self.store.save_links(self._links_for(article, signatures))
                self.index.add(article.id, signatures)  # replaces what an interrupted ingest indexed
                self.store.mark_done(article.id, "reuse")
            story_id, note = self.desk.assign(article)
        return replace(result, story_id=story_id, notes=result.notes + ((note,) if note else ()))

    def repair(self, *, progress: Callable[[int], None] | None = None) -> Repaired:
        """Finish every stored article an interrupted or failed request left without its
        copy check (passages indexed, links stored) or its story: what a re-post would do.
        Run at server start and by ``storydiff repair``; one query when nothing is left.
        An article that fails again stays pending (reported), the others go on."""
        completed, failed = 0, []
        for article_id in self.store.unfinished():
            try:
                self._after_store(IngestResult(self.store.get(article_id), created=False))
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
            return compare(first, second, encoder=self.desk.cached_encoder, same_story=same_story, spans=spans)
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
        count = self.desk.reembed(progress=progress)
        if count:
            self.desk.recluster()
        return count

    # -- reuse --------------------------------------------------------------------

    def _links_for(self, article: Article, signatures: list[PassageSignature]) -> list[CopyLink]:
        copies = find_copies(article.clean_text, self.index, self._clean_text, signatures=signatures, exclude=article.id)
        copies = drop_set_phrases(copies, article.clean_text)
        if not copies:
            return []  # most articles: no word counts to read
        others = [self._stored(c.other_id) for c in copies]
        stats = self.store.word_stats(content_words(article.clean_text).union(*(content_words(o.clean_text) for o in others)))
        return [link_between(article, other, c.spans, stats=stats) for c, other in zip(copies, others)]

    def _clean_text(self, article_id: int) -> str:
        return self._stored(article_id).clean_text

    def _stored(self, article_id: int) -> Article:
        """A stored article, through the RECENT_ARTICLES cache (stored articles never change;
        ``delete`` drops its own from the cache)."""
        with self._recent_lock:
            article = self._recent.get(article_id)
            if article is not None:
                self._recent.move_to_end(article_id)
                return article
        article = self.store.get(article_id)
        with self._recent_lock:
            self._recent[article_id] = article
            while len(self._recent) > RECENT_ARTICLES:
                self._recent.popitem(last=False)
        return article

    def reuse(self, article_id: int) -> list[LinkView]:
        """The stored copy links of an article (as the copier or as the source)."""
        self.store.get(article_id)  # NotFound for an unknown id
        return self._views(self.store.links_of(article_id))

    def flags(self, **filters: object) -> tuple[list[LinkView], int]:
        """Recent articles that copied (filters as ``Store.flags``; relations by default
        ``REUSE``: copy and shared_source), with their sources."""
        filters.setdefault("relations", REUSE)
        links, total = self.store.flags(**filters)  # type: ignore[arg-type]
        return self._views(links), total

    def _views(self, links: list[CopyLink]) -> list[LinkView]:
        cache: dict[int, Article] = {}

        def get(article_id: int) -> Article:
            if article_id not in cache:
                cache[article_id] = self.store.get(article_id)
            return cache[article_id]

        return [LinkView(link, get(link.target_id), get(link.source_id)) for link in links]

    def check(self, article: ArticleInput) -> tuple[str, list[CheckedCopy]]:
        """An unstored text against the whole index: (its cleaned text, the stored articles it
        shares passages with). A text over MAX_ANALYSED_WORDS words is refused (413)."""
        bounds = {"max_words": MAX_ANALYSED_WORDS, "max_chars": MAX_ANALYSED_CHARS}
        try:
            if article.text is not None:
                refuse_long(article.text, what="the article", **bounds)
            new = prepare(article)
            refuse_long(new.clean.text, what="the article", **bounds)
        except TooLongToCompare as exc:
            raise TooLarge(str(exc), code="too_long_to_compare") from exc
        signatures = _signatures(new.passages)
        copies = drop_set_phrases(find_copies(new.clean.text, self.index, self._clean_text, signatures=signatures), new.clean.text)
        clean = new.clean
        out = []
        for copy in copies:
            stored = self.store.get(copy.other_id)
            mapped = []
            for s in copy.spans:
                a0, a1 = clean.original_span(s.a_start, s.a_end)
                b0, b1 = stored.clean.original_span(s.b_start, s.b_end)
                mapped.append(CopiedSpan(a0, a1, b0, b1, s.kind, s.similarity))
            covered = sum(s.a_end - s.a_start for s in copy.spans) / max(len(clean.text), 1)
            out.append(CheckedCopy(stored, tuple(mapped), round(min(covered, 1.0), 4)))
        return new.text, out

    def reindex(self, *, progress: Callable[[int], None] | None = None) -> int:
        """Rebuild the passage index from the stored signatures, then find the copy links of
        articles stored while the index was unreachable. Returns the passages indexed."""
        self.index.clear()
        count = 0

        def articles():  # type: ignore[no-untyped-def]
            nonlocal count
            for article_id, records in self.store.iter_passages():
                count += 1
                if progress is not None:
                    progress(count)
                yield article_id, _signatures(records)

        passages = self.index.rebuild(articles())
        for article_id in self.store.pending("reuse"):
            article = self.store.get(article_id)
            self.store.save_links(self._links_for(article, _signatures(self.store.passages_of(article_id))))
            self.store.mark_done(article_id, "reuse")
        return passages

"""Step 3 of storing an article: its copy links, found through the passage index.

``CopyFinder`` runs the ``reuse`` job of a stored article (find the stored articles it
shares passages with, judge and link them, index its own passages), checks unstored
texts against the index, and rebuilds the index from the stored signatures.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from service.domain import Article, CopyLink, NewArticle, PassageRecord
from service.pipeline import metrics
from service.reuse.align import CopiedSpan
from service.reuse.detect import find_copies
from service.reuse.flags import link_between
from service.reuse.formulas import drop_set_phrases
from service.reuse.index import PassageIndex
from service.reuse.shares import side_share
from service.reuse.signatures import PassageSignature
from service.reuse.templates import content_words
from service.storage.store import Store

# Stored articles kept in memory for copy detection: an ingest checks the same recent
# candidates again and again, and reads each copy found twice (to align, then to link).
RECENT_ARTICLES = 2_000
REUSE_JOB = "reuse"


def signatures_of(records: list[PassageRecord] | tuple[PassageRecord, ...]) -> list[PassageSignature]:
    return [PassageSignature.from_bytes(r.start, r.end, r.signature) for r in records]


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


class CopyFinder:
    def __init__(self, store: Store, index: PassageIndex) -> None:
        self.store = store
        self.index = index
        self._recent: OrderedDict[int, Article] = OrderedDict()
        self._recent_lock = threading.Lock()

    def index_stored(self, article_id: int, passages: tuple[PassageRecord, ...]) -> None:
        """Index a just-stored article's passages, before its analysis: a later article
        analysed first (another worker) then still finds it."""
        self.index.add(article_id, signatures_of(passages))

    def link(self, article: Article) -> None:
        """The ``reuse`` job of a stored article: its passages indexed if storing it did not,
        its links to the articles stored before it stored, then the job marked done.

        Only earlier articles (smaller ids) are candidates, and each is indexed when it is
        stored: the links are the same whatever order the analyses run in, one process
        or many (a pair is linked by the analysis of its later article)."""
        signatures = signatures_of(self.store.passages_of(article.id))
        self.index.ensure(article.id, signatures)
        links = self.links_for(article, signatures)
        self.store.save_links(links)
        self.store.mark_done(article.id, REUSE_JOB)
        metrics.COPY_LINKS.inc(len(links))

    def links_for(self, article: Article, signatures: list[PassageSignature]) -> list[CopyLink]:
        copies = find_copies(article.clean_text, self.index, self._clean_text, signatures=signatures, exclude=article.id, before=article.id)
        copies = drop_set_phrases(copies, article.clean_text)
        if not copies:
            return []  # most articles: no word counts to read
        others = [self._stored(c.other_id) for c in copies]
        stats = self.store.word_stats(content_words(article.clean_text).union(*(content_words(o.clean_text) for o in others)))
        return [link_between(article, other, c.spans, stats=stats) for c, other in zip(copies, others)]

    def check(self, new: NewArticle) -> list[CheckedCopy]:
        """The stored articles an unstored, prepared text shares passages with, spans in
        the original texts, and the share of the text they cover."""
        clean = new.clean
        copies = drop_set_phrases(find_copies(clean.text, self.index, self._clean_text, signatures=signatures_of(new.passages)), clean.text)
        out = []
        for copy in copies:
            stored = self._stored(copy.other_id)  # read (and kept) while the copies were found
            mapped = []
            for s in copy.spans:
                a0, a1 = clean.original_span(s.a_start, s.a_end)
                b0, b1 = stored.clean.original_span(s.b_start, s.b_end)
                mapped.append(CopiedSpan(a0, a1, b0, b1, s.kind, s.similarity))
            share = side_share([(s.a_start, s.a_end) for s in copy.spans], len(clean.text))
            out.append(CheckedCopy(stored, tuple(mapped), round(share, 4)))
        return out

    def views(self, links: list[CopyLink]) -> list[LinkView]:
        cache: dict[int, Article] = {}

        def get(article_id: int) -> Article:
            if article_id not in cache:
                cache[article_id] = self.store.get(article_id)
            return cache[article_id]

        return [LinkView(link, get(link.target_id), get(link.source_id)) for link in links]

    def rebuild_index(self, *, progress: Callable[[int], None] | None = None) -> int:
        """Rebuild the passage index from the stored signatures, then find the copy links of
        articles stored while the index was unreachable. Returns the articles indexed."""
        self.index.clear()
        count = 0

        def articles() -> Iterator[tuple[int, list[PassageSignature]]]:
            nonlocal count
            for article_id, records in self.store.iter_passages():
                count += 1
                if progress is not None:
                    progress(count)
                yield article_id, signatures_of(records)

        indexed = self.index.rebuild(articles())
        for article_id in self.store.pending(REUSE_JOB):
            article = self.store.get(article_id)
            self.store.save_links(self.links_for(article, signatures_of(self.store.passages_of(article_id))))
            self.store.mark_done(article_id, REUSE_JOB)
        return indexed

    def forget(self, article_id: int) -> None:
        with self._recent_lock:
            self._recent.pop(article_id, None)

    def _clean_text(self, article_id: int) -> str:
        return self._stored(article_id).clean_text

    def _stored(self, article_id: int) -> Article:
        """A stored article, through the RECENT_ARTICLES cache (stored articles never change;
        ``forget`` drops a deleted one)."""
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

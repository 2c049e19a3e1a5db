"""Stories in the running service: embeds articles, keeps their story docs, assigns stories.

``StoryDesk`` is what ``Runtime`` calls after an article is stored (``assign``), and what
``storydiff recluster`` / ``reembed`` and ``POST /similarity`` use. The decision rule is
``service.stories.cluster`` (pure); this module feeds it from the database:
1. the new article's StoryDoc is computed once and stored (vectors with the model id);
2. the candidates are the clustered articles within the time window (from the DB, so
   several service processes share one clustering; during a bulk ingest from memory,
   ``members_in_memory``); their StoryDocs come from an in-process cache, else from the
   DB (never re-embedded);
3. copied shares come from the article's stored copy links;
4. the join/merge is one DB transaction. A process-wide lock keeps two threads of one
   process from deciding at once; between processes ``StoryStore.join`` locks the
   article's row and keeps an article that is in a story already, so an article is never
   assigned twice (two processes deciding about two new articles of one event at once
   may still start two stories; ``recluster`` joins them).

The encoder loads on first use and is shared by every desk of the process (tests and
the API's lifespan open many runtimes; loading costs seconds and ~500 MB).
"""

from __future__ import annotations

import threading
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

from service.config import Settings
from service.domain import Article, StoryDetail, StoryPage
from service.errors import Unavailable
from service.reuse.align import CopiedSpan, align
from service.reuse.templates import content_words, judge
from service.storage.store import Store
from service.stories.cluster import (
    AGE_EXEMPT_SHARE,
    MAX_NEAR,
    SHORTLIST,
    StoryClusters,
    choose,
    note_of,
    pair_probability,
    story_support,
    without_old_stories,
)
from service.stories.evidence import VECTORS_RECIPE, Encoder, StoryDoc, describe_many, pair_evidence
from service.stories.leads import LeadTable
from service.stories.members import MemberWindow
from service.stories.score import SameStory, StoryScorer
from service.stories.stored import from_stored, to_stored

# A link whose shared text is fixed wording of two happenings: not copied, and evidence of
# two events (``StoryScorer.value``).
TEMPLATE = "template"

DOC_CACHE = 50_000  # StoryDocs kept in memory (~15 kB each with the default model)
NO_MODEL = "none"  # STORYDIFF_EMBEDDING_MODEL=none: stories from names, time and copies only

DESCRIBED_CACHE = 2_000  # recent StoryDocs by content, process-wide (see StoryDesk.describe)
_described: OrderedDict[tuple[str | None, str, str | None, str | None], StoryDoc] = OrderedDict()
_described_lock = threading.Lock()
_encoders: dict[tuple[str | None, Path, str], Encoder] = {}
_encoders_lock = threading.Lock()
_cached_encoders: dict[int, Encoder] = {}


class ModelNotLoaded(Unavailable):
    code = "model_unavailable"


def shared_encoder(settings: Settings) -> Encoder | None:
    """The process's encoder for these settings (None when embeddings are turned off)."""
    if settings.embedding_model == NO_MODEL:
        return None
    key = (settings.embedding_model, Path(settings.models_dir).resolve(), settings.embedding_precision)
    with _encoders_lock:
        if key not in _encoders:
            from service.embed import ModelUnavailable, load_encoder

            try:
                _encoders[key] = load_encoder(
                    settings.embedding_model, models_dir=settings.models_dir, precision=settings.embedding_precision
                )
            except ModelUnavailable as error:
                raise ModelNotLoaded(str(error)) from error
        return _encoders[key]


class StoryDesk:
    def __init__(self, settings: Settings, store: Store) -> None:
        self.settings = settings
        self.store = store
        try:
            self.scorer = StoryScorer.load(settings.story_score_path)
        except ValueError as error:
            raise ModelNotLoaded(f"{error}; restore it from git or refit it with scripts/fit_story_score.py") from error
        self._docs: OrderedDict[int, StoryDoc] = OrderedDict()
        self._leads = LeadTable()  # every remembered doc's lead, for the shortlist
        self._lock = threading.RLock()
        self._members: MemberWindow | None = None  # set during a bulk ingest (``members_in_memory``)

    @property
    def encoder(self) -> Encoder | None:
        return shared_encoder(self.settings)

    @property
    def cached_encoder(self) -> Encoder | None:
        """The encoder with a process-wide memory of vectors by text: for comparisons'
        sentences, and for the leads and titles of StoryDocs (see ``prepare``)."""
        encoder = self.encoder
        if encoder is None:
            return None
        with _encoders_lock:
            if id(encoder) not in _cached_encoders:
                from service.embed.cache import CachedEncoder

                _cached_encoders[id(encoder)] = CachedEncoder(encoder)
            return _cached_encoders[id(encoder)]

    @property
    def model_id(self) -> str | None:
        encoder = self.encoder
        return getattr(encoder, "model_id", type(encoder).__name__) if encoder is not None else None

    @property
    def vectors_id(self) -> str | None:
        """What stored vectors were made with: the model and the lead recipe. A change of
        either makes stored docs stale (``reembed``), so vectors of two kinds never meet."""
        model_id = self.model_id
        return f"{model_id}|{VECTORS_RECIPE}" if model_id is not None else None

    # -- documents ----------------------------------------------------------------------

    def describe(self, article: Article) -> StoryDoc:
        """An article's StoryDoc, computed (embedding it) without storing it.

        The vectors depend only on the model, title, text and language, so they are
        remembered process-wide by those: a re-posted or re-ingested text is not re-embedded.
        """
        (known,) = self.prepare([article])
        return replace(known, id=str(article.id), published_at=article.published_at)

    def prepare(self, articles: list[Article]) -> list[StoryDoc]:
        """The StoryDocs of many articles (no ids or dates set), those not remembered yet
        embedded in one encoder call. Bulk ingest calls this ahead of storing a batch, so
        rows of similar length from many articles share the encoder's batches."""
        keys = [self._described_key(a) for a in articles]
        with _described_lock:
            found = {k: _described[k] for k in keys if k in _described}
        todo = {k: a for k, a in zip(keys, articles) if k not in found}
        if todo:
            # Vectors by text: an article met again (its preview, then the stored article)
            # is not described twice on the main thread (~0.4 s an article).
            docs = describe_many([(a.title, a.clean_text or a.text, a.language) for a in todo.values()], encoder=self.cached_encoder)
            found.update(zip(todo, docs))
            with _described_lock:
                _described.update(zip(todo, docs))
                while len(_described) > DESCRIBED_CACHE:
                    _described.popitem(last=False)
        return [found[k] for k in keys]

    def _described_key(self, article: Article) -> tuple[str | None, str, str | None, str | None]:
        return (self.vectors_id, article.content_hash, article.title, article.language)

    def doc(self, article: Article) -> StoryDoc:
        """The stored article's StoryDoc: cached, else stored, else computed and stored."""
        return self._docs_of([article.id], known={article.id: article})[article.id]

    def _docs_of(self, ids: list[int], *, known: dict[int, Article] | None = None) -> dict[int, StoryDoc]:
        """StoryDocs of stored articles (``known`` spares reading those articles again)."""
        out: dict[int, StoryDoc] = {}
        with self._lock:
            for i in ids:
                if i in self._docs:
                    self._docs.move_to_end(i)
                    out[i] = self._docs[i]
        missing = [i for i in ids if i not in out]
        stored = self.store.stories.docs(missing) if missing else {}
        for i in missing:
            article = (known or {}).get(i) or self.store.get(i)
            found = stored.get(i)
            if found is not None and found.model_id == self.vectors_id:
                out[i] = from_stored(found, article)
            else:
                out[i] = self.describe(article)
                self.store.stories.save_doc(to_stored(out[i], article_id=i, model_id=self.vectors_id))
            self._remember(i, out[i])
        return out

    def _remember(self, article_id: int, doc: StoryDoc) -> None:
        with self._lock:
            self._leads.put(article_id, doc.lead)
            self._docs[article_id] = doc
            self._docs.move_to_end(article_id)
            while len(self._docs) > DOC_CACHE:
                self._docs.popitem(last=False)

    def forget(self, article_id: int) -> None:
        with self._lock:
            self._docs.pop(article_id, None)
            self._leads.forget(article_id)
            if self._members is not None:
                self._members.forget(article_id)

    @contextmanager
    def members_in_memory(self) -> Iterator[None]:
        """Story windows from memory instead of the database while this lasts (a bulk
        ingest): the stories are the same, without a window query per article; what
        another process stores meanwhile is not seen (see ``service.stories.members``)."""
        with self._lock:
            self._members = MemberWindow(self.store.stories.members())
        try:
            yield
        finally:
            with self._lock:
                self._members = None

    def _members_near(self, article: Article) -> dict[int, int]:
        window = {"window_days": self.settings.story_window_days, "limit": MAX_NEAR}
        if self._members is not None:
            return self._members.near(article.published_at, **window)
        return self.store.stories.members_near(article.published_at, **window)

    # -- stories ------------------------------------------------------------------------

    def assign(self, article: Article) -> tuple[int, str]:
        """Put a stored article in the story of its event (joining, starting or merging).
        Returns the story id and a note when the story was decided without embeddings.
        An article already in a story keeps it (a re-post, a repair, a second process):
        assigning an article is idempotent, here and in ``StoryStore.join``."""
        with self._lock:
            current = self.store.stories.story_of(article.id)
            if current is not None:
                self.store.mark_done(article.id, "story")
                return current, ""
            doc = self.doc(article)
            story_of = self._members_near(article)
            story_of.pop(article.id, None)
            chosen = self._shortlist(doc, list(story_of))
            docs = self._docs_of(chosen)
            shares, templates = self._links(article.id)
            near = [(docs[i], story_of[i]) for i in chosen]

            def probability(a: StoryDoc, b: StoryDoc) -> float:
                other = int(b.id)
                return pair_probability(self.scorer, a, b, copied_share=shares.get(other, 0.0), template=other in templates)

            support = story_support(doc, near, probability, in_window=Counter(story_of.values()))
            support = self._age_limited(support, article, story_of=story_of, shares=shares)
            target, merged, best = choose(
                support, probability_threshold=self.settings.story_probability, merge_support=self.settings.story_merge_probability
            )
            story_id = self.store.stories.join(article.id, story_id=target, merged=merged, support=best)
            self.store.mark_done(article.id, "story")
            if self._members is not None:
                self._members.merge(merged, into=story_id)
                self._members.put(article.id, story_id, article.published_at)
            return story_id, note_of(doc)

    def _age_limited(
        self, support: dict[int, float], article: Article, *, story_of: dict[int, int], shares: dict[int, float]
    ) -> dict[int, float]:
        """``without_old_stories`` for the online path (``StoryClusters.support`` for the batch one)."""
        max_age = self.settings.story_max_age_days
        if max_age is None or article.published_at is None:
            return support
        oldest = article.published_at - timedelta(days=max_age)
        old = {s for s, first in self.store.stories.first_seen(support).items() if first < oldest}
        copied = {
            story_of[other] if other in story_of else self.store.stories.story_of(other)
            for other, share in shares.items()
            if share >= AGE_EXEMPT_SHARE
        }
        return without_old_stories(support, old=old, copied=copied & old)

    def _shortlist(self, doc: StoryDoc, ids: list[int]) -> list[int]:
        """The window members worth scoring (``cluster.shortlist``'s rule, on the lead table)."""
        if doc.lead is None or len(ids) <= SHORTLIST:
            return ids
        unknown = [i for i in ids if not self._leads.known(i)]
        if unknown:
            self._docs_of(unknown)  # puts their leads in the table
        return self._leads.closest(doc.lead, ids, size=SHORTLIST)

    def _links(self, article_id: int) -> tuple[dict[int, float], set[int]]:
        """The share copied with each linked article, and the articles it shares only a template with."""
        shares: dict[int, float] = {}
        templates: set[int] = set()
        for link in self.store.links_of(article_id):
            other = link.source_id if link.target_id == article_id else link.target_id
            if link.relation == TEMPLATE:
                templates.add(other)
                continue
            shares[other] = max(shares.get(other, 0.0), min(1.0, link.share))
        return shares, templates - set(shares)

    def recluster(self, *, progress: Callable[[int], None] | None = None) -> int:
        """Rebuild every story from scratch, articles by (publication time, id), in memory
        (``StoryClusters``: the same rule as ``assign``), then write them in one
        transaction. Returns the count of articles."""
        with self._lock:
            clusters, support = self.cluster_all(progress=progress)
            self.store.stories.replace_all([[int(i) for i in story] for story in clusters.stories()], support=support)
            self.store.mark_all_done("story")
            return len(support)

    def cluster_all(
        self,
        *,
        limit: int | None = None,
        progress: Callable[[int], None] | None = None,
        docs: dict[int, StoryDoc] | None = None,
        shares: dict[tuple[int, int], float] | None = None,
        templates: set[tuple[int, int]] | None = None,
        order: str = "publication",
        **rule: float | None,
    ) -> tuple[StoryClusters, dict[int, float]]:
        """Every stored article (the first ``limit`` by publication time) clustered in
        memory, and each one's support; ``rule`` overrides ``StoryClusters``' knobs
        (``link_share``, ``merge_support``) for a replay, which passes ``docs``
        (``all_docs``), ``shares`` (``Store.link_shares``) and ``templates``
        (``Store.linked_pairs``) read once for all its rules.
        ``order`` "publication" (publication time, then id: ``recluster``'s canonical
        order) or "ingest" (id order: the order an ingest stored them in, which online
        clustering followed). Nothing is written."""
        if order not in ("publication", "ingest"):
            raise ValueError(f"order must be 'publication' or 'ingest', got {order!r}")
        docs = self.all_docs() if docs is None else docs
        shares = self.store.link_shares(skip=(TEMPLATE,)) if shares is None else shares
        templates = self.store.linked_pairs(TEMPLATE) - set(shares) if templates is None else templates

        def copied_share(a: StoryDoc, b: StoryDoc) -> float:
            i, j = int(a.id), int(b.id)
            return shares.get((min(i, j), max(i, j)), 0.0)

        def templated(a: StoryDoc, b: StoryDoc) -> bool:
            i, j = int(a.id), int(b.id)
            return (min(i, j), max(i, j)) in templates

        clusters = StoryClusters(
            self.scorer,
            window_days=self.settings.story_window_days,
            probability_threshold=self.settings.story_probability,
            copied_share=copied_share,
            templated=templated,
            **{"merge_support": self.settings.story_merge_probability, "max_age_days": self.settings.story_max_age_days, **rule},  # type: ignore[arg-type]
        )
        support: dict[int, float] = {}
        ids = self.store.ids_by_publication() if order == "publication" else sorted(docs)
        for count, article_id in enumerate(ids[:limit], 1):
            support[article_id] = clusters.add(docs[article_id]).support
            if progress is not None:
                progress(count)
        return clusters, support

    def all_docs(self) -> dict[int, StoryDoc]:
        """Every stored article's StoryDoc (stored ones read back, missing ones made)."""
        out: dict[int, StoryDoc] = {}
        batch: list[Article] = []
        for article in self.store.iter_articles():
            batch.append(article)
            if len(batch) == 500:
                out.update(self._docs_of([a.id for a in batch], known={a.id: a for a in batch}))
                batch = []
        out.update(self._docs_of([a.id for a in batch], known={a.id: a for a in batch}))
        return out

    def reembed(self, *, progress: Callable[[int], None] | None = None) -> int:
        """Store a StoryDoc made by the current model for every article lacking one.
        Resumable: each article is stored as it is done. Returns how many were embedded."""
        count = 0
        for article_id in self.store.stories.stale_docs(self.vectors_id):
            self.forget(article_id)
            self.doc(self.store.get(article_id))
            count += 1
            if progress is not None:
                progress(count)
        return count

    def stories(self, **filters: object) -> StoryPage:
        return self.store.stories.list(**filters)  # type: ignore[arg-type]

    def story(self, story_id: int) -> StoryDetail:
        return self.store.stories.get(story_id)

    def story_of(self, article_id: int) -> int | None:
        return self.store.stories.story_of(article_id)

    # -- pairs --------------------------------------------------------------------------

    def similarity(self, a: Article, b: Article, *, spans: list[CopiedSpan] | None = None) -> SameStory:
        """The same-story score of two articles (stored or not: ids <= 0 are unstored);
        ``spans``, when the caller has aligned the two cleaned texts already."""
        doc_a = self.doc(a) if a.id > 0 else self.describe(a)
        doc_b = self.doc(b) if b.id > 0 else self.describe(b)
        if spans is None:
            spans = align(a.clean_text, b.clean_text)
        # A template is two happenings in one wording: its passages are not copied text.
        template = False
        if spans:
            stats = self.store.word_stats(content_words(a.clean_text) | content_words(b.clean_text))
            verdict = judge(a.clean_text, b.clean_text, spans, stats)
            spans = [s for n, s in enumerate(spans) if n not in verdict.template_spans]
            template = verdict.relation == TEMPLATE
        # The share of the shorter article that is copied: symmetric, 1.0 for a cut copy.
        covered = max(
            sum(s.a_end - s.a_start for s in spans) / max(len(a.clean_text), 1),
            sum(s.b_end - s.b_start for s in spans) / max(len(b.clean_text), 1),
        )
        evidence = pair_evidence(
            doc_a, doc_b, background_mean=self.scorer.background_mean, copied_share=min(1.0, covered), template=template
        )
        return self.scorer.score(evidence)

"""Step 5 of storing an article: it joins the story of its event.

``StoryDesk`` is what the runtime calls after an article's copy links are stored
(``assign``), and what ``storydiff recluster`` and ``POST /similarity`` use. The decision
rule is ``service.stories.cluster`` (pure); this module feeds it from the database:
1. the new article's StoryDoc (``service.pipeline.story_docs``), computed once and stored;
2. the candidates are the clustered articles within the time window (from the DB, so
   several service processes share one clustering; during a bulk ingest from memory,
   ``members_in_memory``), their StoryDocs from the cache or the DB (never re-embedded);
3. copied shares come from the article's stored copy links;
4. the join/merge is one DB transaction. Deciding is serialised: a process-wide lock
   between threads, ``StoryStore.assignment_lock`` (a PostgreSQL advisory lock) between
   processes, taken after the embedding, so N workers decide one after the other, each
   seeing what the previous one joined; ``StoryStore.join`` keeps an article that is in a
   story already, so an article is never assigned twice.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta

from service.config import Settings
from service.domain import Article, StoryDetail, StoryPage, days_apart
from service.errors import ModelUnavailable
from service.pipeline.story_docs import StoryDocs
from service.reuse.align import CopiedSpan, align
from service.reuse.shares import copied_share
from service.reuse.templates import content_words, judge
from service.storage.store import Store
from service.stories.cluster import AGE_EXEMPT_SHARE, MAX_NEAR, StoryClusters, choose, note_of, pair_probability, window_support
from service.stories.evidence import StoryDoc, pair_evidence
from service.stories.members import MemberWindow
from service.stories.score import SameStory, StoryScorer

# A link whose shared text is fixed wording of two happenings: not copied, and evidence of
# two events (``StoryScorer.value``).
TEMPLATE = "template"


class StoryDesk:
    def __init__(self, settings: Settings, store: Store) -> None:
        self.settings = settings
        self.store = store
        try:
            self.scorer = StoryScorer.load(settings.story_score_path)
        except ValueError as error:
            raise ModelUnavailable(f"{error}; restore it from git or refit it with scripts/fit_story_score.py") from error
        self.docs = StoryDocs(settings, store)
        self._lock = threading.RLock()
        self._members: MemberWindow | None = None  # set during a bulk ingest (``members_in_memory``)

    def forget(self, article_id: int) -> None:
        """A deleted article leaves the document cache and the in-memory windows."""
        self.docs.forget(article_id)
        with self._lock:
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
        days = self.settings.story_window_days
        if self._members is not None:
            return self._members.near(article.published_at, window_days=days, limit=MAX_NEAR)
        return self.store.stories.members_near(article.published_at, window_days=days, limit=MAX_NEAR)

    # -- stories ------------------------------------------------------------------------

    def assign(self, article: Article) -> tuple[int, str]:
        """Put a stored article in the story of its event (joining, starting or merging).
        Returns the story id and a note when the story was decided without embeddings.
        An article already in a story keeps it (a re-post, a repair, a second process):
        assigning an article is idempotent, here and in ``StoryStore.join``."""
        current = self.store.stories.story_of(article.id)
        if current is not None:
            self.store.mark_done(article.id, "story")
            return current, ""
        doc = self.docs.doc(article)  # the embedding: outside both locks
        with self._lock, self.store.stories.assignment_lock():
            current = self.store.stories.story_of(article.id)  # assigned meanwhile (a redelivered job)
            if current is not None:
                self.store.mark_done(article.id, "story")
                return current, ""
            story_of = self._members_near(article)
            story_of.pop(article.id, None)
            shares, templates = self._links(article.id)

            def probability(a: StoryDoc, b: StoryDoc) -> float:
                other = int(b.id)
                return pair_probability(self.scorer, a, b, copied_share=shares.get(other, 0.0), template=other in templates)

            support = window_support(
                doc,
                story_of,
                closest=lambda lead, ids, size: self.docs.closest(lead, ids, size=size),
                docs_of=self.docs.docs_of,
                probability=probability,
                old_stories=lambda stories: self._old_stories(stories, article),
                copied_stories=lambda old: self._stories_copied(shares, story_of) & old,
            )
            target, merged, best = choose(
                support, probability_threshold=self.settings.story_probability, merge_support=self.settings.story_merge_probability
            )
            story_id = self.store.stories.join(article.id, story_id=target, merged=merged, support=best)
            self.store.mark_done(article.id, "story")
            if self._members is not None:
                self._members.merge(merged, into=story_id)
                self._members.put(article.id, story_id, article.published_at)
            return story_id, note_of(doc)

    def _old_stories(self, stories: set[int], article: Article) -> set[int]:
        """The stories whose first article is older than the age limit (``without_old_stories``)."""
        max_age = self.settings.story_max_age_days
        if max_age is None or article.published_at is None or not stories:
            return set()
        oldest = article.published_at - timedelta(days=max_age)
        return {s for s, first in self.store.stories.first_seen(stories).items() if first < oldest}

    def _stories_copied(self, shares: dict[int, float], story_of: dict[int, int]) -> set[int]:
        """The stories of the articles the new one copies at least AGE_EXEMPT_SHARE of."""
        copied = [other for other, share in shares.items() if share >= AGE_EXEMPT_SHARE]
        stories = {story_of[other] if other in story_of else self.store.stories.story_of(other) for other in copied}
        return {s for s in stories if s is not None}

    def _links(self, article_id: int) -> tuple[dict[int, float], set[int]]:
        """The share copied with each linked article, and the articles it shares only a template with."""
        shares: dict[int, float] = {}
        templates: set[int] = set()
        for link in self.store.links_of(article_id):
            other = link.source_id if link.target_id == article_id else link.target_id
            if link.relation == TEMPLATE:
                templates.add(other)
                continue
            shares[other] = max(shares.get(other, 0.0), link.pair_share)
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
        docs = self.docs.all_docs() if docs is None else docs
        shares = self.store.link_shares(skip=(TEMPLATE,)) if shares is None else shares
        templates = self.store.linked_pairs(TEMPLATE) - set(shares) if templates is None else templates

        def pair_share(a: StoryDoc, b: StoryDoc) -> float:
            i, j = int(a.id), int(b.id)
            return shares.get((min(i, j), max(i, j)), 0.0)

        def templated(a: StoryDoc, b: StoryDoc) -> bool:
            i, j = int(a.id), int(b.id)
            return (min(i, j), max(i, j)) in templates

        clusters = StoryClusters(
            self.scorer,
            window_days=self.settings.story_window_days,
            probability_threshold=self.settings.story_probability,
            copied_share=pair_share,
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
        doc_a = self.docs.doc(a) if a.id > 0 else self.docs.describe(a)
        doc_b = self.docs.doc(b) if b.id > 0 else self.docs.describe(b)
        if spans is None:
            spans = align(a.clean_text, b.clean_text)
        # A template is two happenings in one wording: its passages are not copied text.
        template = False
        if spans:
            stats = self.store.word_stats(content_words(a.clean_text) | content_words(b.clean_text))
            verdict = judge(a.clean_text, b.clean_text, spans, stats, days=days_apart(a.published_at, b.published_at))
            spans = [s for n, s in enumerate(spans) if n not in verdict.template_spans]
            template = verdict.relation == TEMPLATE
        share = copied_share(spans, len(a.clean_text), len(b.clean_text))
        evidence = pair_evidence(doc_a, doc_b, background_mean=self.scorer.background_mean, copied_share=share, template=template)
        return self.scorer.score(evidence)

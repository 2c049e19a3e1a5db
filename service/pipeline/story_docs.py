"""Step 4 of storing an article: its story document (vectors of its lead and title, names,
places, numbers), computed once and stored with the id of what made its vectors.

``StoryDocs`` computes, stores and caches them; the stories step (``service.pipeline.stories``)
reads them. The encoder loads on first use and is shared by every ``StoryDocs`` of the
process (tests and the API's lifespan open many runtimes; loading costs seconds and
~500 MB), as is a memory of recent documents by content, so a re-posted or re-ingested
text is not embedded again.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import numpy as np

from service.config import Settings
from service.domain import Article
from service.embed.cache import CachedEncoder
from service.embed.encoder import Encoder
from service.storage.store import Store
from service.stories.evidence import VECTORS_RECIPE, StoryDoc, describe_many
from service.stories.leads import LeadTable
from service.stories.stored import from_stored, to_stored

DOC_CACHE = 50_000  # StoryDocs kept in memory (~15 kB each with the default model)
NO_MODEL = "none"  # STORYDIFF_EMBEDDING_MODEL=none: stories from names, time and copies only

DESCRIBED_CACHE = 2_000  # recent StoryDocs by content, process-wide (see StoryDocs.describe)
_described: OrderedDict[tuple[str | None, str, str | None, str | None], StoryDoc] = OrderedDict()
_described_lock = threading.Lock()
# One encoder per model settings, each with its memory of vectors by text (CachedEncoder).
_encoders: dict[tuple[str | None, Path, str], CachedEncoder] = {}
_encoders_lock = threading.Lock()


def shared_encoder(settings: Settings) -> CachedEncoder | None:
    """The process's encoder for these settings, with its memory of vectors by text (its
    ``encoder`` is the model itself); None when embeddings are turned off."""
    if settings.embedding_model == NO_MODEL:
        return None
    key = (settings.embedding_model, Path(settings.models_dir).resolve(), settings.embedding_precision)
    with _encoders_lock:
        if key not in _encoders:
            from service.embed import load_encoder

            model = load_encoder(settings.embedding_model, models_dir=settings.models_dir, precision=settings.embedding_precision, threads=settings.torch_threads)
            _encoders[key] = CachedEncoder(model)
        return _encoders[key]


class StoryDocs:
    def __init__(self, settings: Settings, store: Store) -> None:
        self.settings = settings
        self.store = store
        self._docs: OrderedDict[int, StoryDoc] = OrderedDict()
        self._leads = LeadTable()  # every remembered doc's lead, for the shortlist
        self._lock = threading.RLock()

    @property
    def encoder(self) -> Encoder | None:
        """The model itself (loaded on first use): for timing it, or loading it at start."""
        cached = shared_encoder(self.settings)
        return cached.encoder if cached is not None else None

    @property
    def cached_encoder(self) -> Encoder | None:
        """The encoder with a process-wide memory of vectors by text: for comparisons'
        sentences, and for the leads and titles of StoryDocs (see ``prepare``)."""
        return shared_encoder(self.settings)

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
        return self.docs_of([article.id], known={article.id: article})[article.id]

    def docs_of(self, ids: list[int], *, known: dict[int, Article] | None = None) -> dict[int, StoryDoc]:
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

    def closest(self, lead: np.ndarray, ids: list[int], *, size: int) -> list[int]:
        """The ``size`` of ``ids`` whose leads are nearest ``lead`` (``cluster.shortlist``'s
        rule, on the lead table: the window's docs are not all read)."""
        unknown = [i for i in ids if not self._leads.known(i)]
        if unknown:
            self.docs_of(unknown)  # puts their leads in the table
        return self._leads.closest(lead, ids, size=size)

    def all_docs(self) -> dict[int, StoryDoc]:
        """Every stored article's StoryDoc (stored ones read back, missing ones made)."""
        out: dict[int, StoryDoc] = {}
        batch: list[Article] = []
        for article in self.store.iter_articles():
            batch.append(article)
            if len(batch) == 500:
                out.update(self.docs_of([a.id for a in batch], known={a.id: a for a in batch}))
                batch = []
        out.update(self.docs_of([a.id for a in batch], known={a.id: a for a in batch}))
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

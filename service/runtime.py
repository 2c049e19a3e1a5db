"""The running service's parts, opened once and shared by the API, the CLI and scripts.

``Runtime`` owns the store (and, as they arrive, the reuse index, the encoder and the
story clusters) and is the one place that knows what follows the storing of an article.

Example:
    >>> with Runtime.open(Settings(database_url="sqlite:///var/demo.db")) as runtime:  # doctest: +SKIP
    ...     runtime.ingest(parse_article({"text": "..."}))
"""

from __future__ import annotations

from types import TracebackType

from service.config import Settings
from service.domain import ArticleInput, IngestResult
from service.ingest import MAX_CHROME_LINE, LineResult, ingest, ingest_line
from service.text.boilerplate import line_keys
from service.storage.store import Store


class Runtime:
    def __init__(self, settings: Settings, store: Store) -> None:
        self.settings = settings
        self.store = store

    @classmethod
    def open(cls, settings: Settings) -> Runtime:
        return cls(settings, Store.open(settings.database_url))

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Runtime:
        return self

    def __exit__(self, *_exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self.close()

    def ingest(self, article: ArticleInput) -> IngestResult:
        return ingest(self.store, article, settings=self.settings, after_store=self._after_store)

    def ingest_line(self, number: int, raw: bytes | str) -> LineResult | None:
        return ingest_line(self.store, number, raw, settings=self.settings, after_store=self._after_store)

    def delete(self, article_id: int) -> None:
        article = self.store.get(article_id)
        self.store.delete(article_id, chrome_keys=line_keys(article.text, max_length=MAX_CHROME_LINE))

    def _after_store(self, result: IngestResult) -> None:
        """Follow-up work for a newly stored article (reuse index, embeddings, stories)."""
        if not result.created:
            return

"""The store on SQLite and, when configured, on a real PostgreSQL."""

from __future__ import annotations

import hashlib
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest

from service.domain import Block, CleanText, NewArticle, WordStats
from service.errors import NotFound
from service.storage.store import Store, UrlConflict


def _new(text: str, **fields: object) -> NewArticle:
    clean = CleanText(text.strip(), (Block(0, text.index(text.strip()), len(text.strip())),))
    digest = hashlib.sha256(clean.text.encode()).hexdigest()
    return NewArticle(text=text, clean=clean, content_hash=digest, **fields)  # type: ignore[arg-type]


@pytest.fixture
def store(database_url: str):  # type: ignore[no-untyped-def]
    store = Store.open(database_url)
    yield store
    store.close()


def test_add_get_roundtrip(store: Store) -> None:
    published = datetime(2019, 5, 15, 9, 30, tzinfo=UTC)
    result = store.add(_new("  نص الخبر  ", title="عنوان", outlet="SANA", url="u:1", published_at=published, language="ar"))
    assert result.created
    article = store.get(result.article.id)
    assert article.text == "  نص الخبر  " and article.clean_text == "نص الخبر"
    assert article.blocks == (Block(0, 2, 8),)
    assert article.published_at == published and article.created_at is not None
    assert (article.title, article.outlet, article.url, article.language) == ("عنوان", "SANA", "u:1", "ar")


def test_dedupe_by_url_and_by_hash(store: Store) -> None:
    first = store.add(_new("one", url="u:1"))
    assert store.add(_new(" one ", url="u:1")).article.id == first.article.id  # the same cleaned text
    with pytest.raises(UrlConflict):  # the URL with another text: not silently dropped
        store.add(_new("two", url="u:1"))
    assert store.add(_new("one", url="u:2")).article.id == first.article.id
    assert store.count() == 1


def test_concurrent_adds_of_one_article_store_it_once(store: Store) -> None:
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda _: store.add(_new("same text", url="u:same")), range(16)))
    assert sum(r.created for r in results) == 1
    assert len({r.article.id for r in results}) == 1
    assert store.count() == 1


def test_list_delete_and_not_found(store: Store) -> None:
    ids = [store.add(_new(f"text {i}", outlet="A", published_at=datetime(2019, 5, 10 + i, tzinfo=UTC))).article.id for i in range(3)]
    page = store.list(outlet="A", since=datetime(2019, 5, 11, tzinfo=UTC))
    assert [a.id for a in page.items] == [ids[2], ids[1]] and page.total == 2
    store.delete(ids[0])
    with pytest.raises(NotFound):
        store.get(ids[0])
    with pytest.raises(NotFound):
        store.delete(ids[0])
    with pytest.raises(ValueError):
        store.list(limit=0)


def test_word_counts_and_job_marks(store: Store) -> None:
    ids = []
    for i in range(6):
        words = frozenset({"تويتر", f"سطر{i}"})
        ids.append(store.add(_new(f"article {i}", outlet="A", words=words)).article.id)
    assert store.word_stats(["تويتر", "سطر0", "غائب"]) == WordStats(6, {"تويتر": 6, "سطر0": 1})
    store.delete(ids[0], words=frozenset({"تويتر", "سطر0"}))
    store.delete(ids[1], words=frozenset({"تويتر", "سطر1"}))
    assert store.word_stats(["تويتر", "سطر0"]) == WordStats(4, {"تويتر": 4})
    store.mark_done(ids[2], "index")
    store.mark_done(ids[2], "index")  # idempotent
    assert store.pending("index") == ids[3:]
    store.clear_job("index")
    assert store.pending("index") == ids[2:]

"""The band table's query is bounded on repetitive texts and unchanged on ordinary ones."""

from __future__ import annotations

import time
import uuid

import numpy as np
import pytest
from datasketch import LeanMinHash
from hypothesis import given, settings
from hypothesis import strategies as st

from service.reuse.bands import MAX_KEY_ROWS, MAX_QUERY_PAIRS, BandTable, band_keys, key_cap
from service.reuse.index import PassageIndex
from service.reuse.shingles import shingle
from service.reuse.signatures import PassageSignature, minhash_of

BANDS, ROWS, NUM_PERM = 21, 3, 64  # PassageIndex's shape at its 0.3 threshold
VOCAB = [f"كلمة{i}" for i in range(40)]


_SCHEME = minhash_of((1,)).scheme


def _signature(row: np.ndarray) -> PassageSignature:
    return PassageSignature(0, 1, LeanMinHash(seed=1, hashvalues=row, scheme=_SCHEME))


def _naive_query(stored: dict[int, np.ndarray], query: np.ndarray) -> list[list[tuple[int, int]]]:
    """Every (article, seq) sharing any band key with each query row: all pairs compared."""
    query_keys = band_keys(query, BANDS, ROWS)
    found = []
    for row in query_keys:
        hits = [(a, s) for a, values in stored.items() for s, keys in enumerate(band_keys(values, BANDS, ROWS)) if (keys == row).any()]
        found.append(sorted(hits))
    return found


def _hostile(index_or_table: PassageIndex | BandTable, shared: np.ndarray, rng: np.random.Generator) -> None:
    """One article of 2,000 identical passages, then 1,500 articles sharing that passage."""
    add = index_or_table.add if isinstance(index_or_table, BandTable) else None
    articles = {1: np.repeat(shared[None, :], 2000, axis=0)}
    for article_id in range(2, 1502):
        articles[article_id] = np.vstack([shared, rng.integers(0, 2**32, size=(3, NUM_PERM), dtype=np.uint32)])
    if add is not None:
        for article_id, values in articles.items():
            add(article_id, values)
    else:
        index_or_table.rebuild((a, [_signature(row) for row in values]) for a, values in articles.items())  # type: ignore[union-attr]


def test_a_repeated_passage_against_a_repeated_store_is_capped_and_fast() -> None:
    rng = np.random.default_rng(7)
    shared = rng.integers(0, 2**32, size=NUM_PERM, dtype=np.uint32)
    table = BandTable(bands=BANDS, rows=ROWS)
    _hostile(table, shared, rng)
    table.merge()
    extra = rng.integers(0, 2**32, size=(2, NUM_PERM), dtype=np.uint32)
    table.add(1502, np.vstack([shared, extra]))  # in the unsorted buffer: the newest of all
    query = np.repeat(shared[None, :], 2000, axis=0)
    started = time.perf_counter()
    found = table.query(query)
    elapsed = time.perf_counter() - started
    assert elapsed < 2.0
    assert len(found) == 2000 and {len(rows) for rows in found} == {MAX_KEY_ROWS}
    # The newest: the buffer's passage, then the end of the sorted run (articles added last).
    assert set(found[0]) == {(1502, 0)} | {(a, 0) for a in range(1502 - MAX_KEY_ROWS + 1, 1502)}


def test_ranked_on_a_repeated_passage_is_bounded_and_counts_each_query_passage() -> None:
    rng = np.random.default_rng(8)
    shared = rng.integers(0, 2**32, size=NUM_PERM, dtype=np.uint32)
    index = PassageIndex(jaccard_threshold=0.3)
    _hostile(index, shared, rng)
    query = [_signature(shared)] * 2000
    started = time.perf_counter()
    ranked = index.ranked(query)
    candidates = index.candidates(query)
    assert time.perf_counter() - started < 2.0
    assert len(ranked) == MAX_KEY_ROWS == len(candidates)
    assert {(c.passage_hits, c.jaccard) for c in ranked} == {(2000, 2000.0)}  # every query passage, Jaccard 1 each
    assert set(candidates.values()) == {2000}


@pytest.mark.parametrize("merged", [True, False])  # sorted, or all still in the unsorted buffer
def test_many_distinct_rows_sharing_bands_are_held_to_the_query_total(merged: bool) -> None:
    rng = np.random.default_rng(9)
    shared = rng.integers(0, 2**32, size=NUM_PERM, dtype=np.uint32)
    table = BandTable(bands=BANDS, rows=ROWS, buffer_rows=10**6)
    _hostile(table, shared, rng)
    if merged:
        table.merge()
    query = np.repeat(shared[None, :], 2000, axis=0)
    query[:, :ROWS] = rng.integers(0, 2**32, size=(2000, ROWS), dtype=np.uint32)  # 2,000 rows, 20 bands shared
    started = time.perf_counter()
    found = table.query(query)
    assert time.perf_counter() - started < 2.0
    # Each row takes the same number of newest stored rows in each of its 20 shared bands.
    cap = key_cap(np.full((2000, 20), 3500), max_key_rows=MAX_KEY_ROWS, max_pairs=MAX_QUERY_PAIRS)
    assert cap * 2000 * 20 <= MAX_QUERY_PAIRS
    assert {len(rows) for rows in found} == {cap}


def test_key_cap_cuts_the_largest_runs_first() -> None:
    counts = np.array([[5, 400], [2, 0], [900, 3]])
    assert key_cap(counts, max_key_rows=1000, max_pairs=2000) == 1000  # fits: no cut
    cap = key_cap(counts, max_key_rows=1000, max_pairs=500)
    assert np.minimum(counts, cap).sum() <= 500 < np.minimum(counts, cap + 1).sum()
    assert cap > 5  # the small runs (copies) stay whole
    assert key_cap(counts, max_key_rows=1000, max_pairs=1) == 1  # never below one


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.integers(1, 12), min_size=1, max_size=12),  # passages per article
    st.sets(st.integers(0, 11)),  # articles removed
    st.integers(1, 30),  # buffer rows
    st.integers(1, 20),  # query rows
    st.integers(0, 2**31),
)
def test_query_equals_every_pair_compared(sizes: list[int], removed: set[int], buffer_rows: int, query_rows: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    # Values from {0, 1, 2}: many band keys collide, so rows share bands with many others.
    stored = {a: rng.integers(0, 3, size=(n, NUM_PERM), dtype=np.uint32) for a, n in enumerate(sizes)}
    table = BandTable(bands=BANDS, rows=ROWS, buffer_rows=buffer_rows)
    for article_id, values in stored.items():
        table.add(article_id, values)
    for article_id in removed & set(stored):
        table.remove(article_id)
        del stored[article_id]
    query = rng.integers(0, 3, size=(query_rows, NUM_PERM), dtype=np.uint32)
    query[len(query) // 2 :] = query[0]  # repeated rows too
    assert table.query(query) == _naive_query(stored, query)


def _naive_ranked(stored: dict[int, list[PassageSignature]], query: list[PassageSignature]) -> dict[int, tuple[int, float]]:
    """Per article: query passages hitting it, and the sum of their best Jaccard estimates."""
    values = {a: np.array([p.minhash.hashvalues for p in passages], dtype=np.uint32) for a, passages in stored.items()}
    out: dict[int, tuple[int, float]] = {}
    for q, row in zip(_naive_query(values, np.array([p.minhash.hashvalues for p in query], dtype=np.uint32)), query):
        for article_id in {a for a, _ in q}:
            best = max(float((values[article_id][s] == row.minhash.hashvalues).mean()) for a, s in q if a == article_id)
            hits, total = out.get(article_id, (0, 0.0))
            out[article_id] = (hits + 1, total + best)
    return out


@settings(max_examples=30, deadline=None)
@given(
    st.lists(st.lists(st.lists(st.sampled_from(VOCAB), min_size=6, max_size=20), min_size=1, max_size=4), min_size=1, max_size=10),
    st.lists(st.lists(st.sampled_from(VOCAB), min_size=6, max_size=20), min_size=1, max_size=5),
    st.integers(0, 3),
)
def test_ranked_equals_the_naive_sum(articles: list[list[list[str]]], query_words: list[list[str]], repeats: int) -> None:
    passage = lambda words: PassageSignature(0, 1, minhash_of(shingle(" ".join(words))))  # noqa: E731
    stored = {a: [passage(words) for words in texts] for a, texts in enumerate(articles)}
    index = PassageIndex(jaccard_threshold=0.3)
    for article_id, passages in stored.items():
        index.add(article_id, passages)
    query = [passage(words) for words in query_words] + [passage(query_words[0])] * repeats
    expected = _naive_ranked(stored, query)
    ranked = index.ranked(query)
    assert {c.article_id: (c.passage_hits, c.jaccard) for c in ranked} == {
        a: (hits, pytest.approx(round(total, 4), abs=1e-4)) for a, (hits, total) in expected.items()
    }
    assert index.candidates(query) == {a: hits for a, (hits, _) in expected.items()}


@pytest.mark.redis
def test_redis_index_ranks_as_the_in_process_one(redis_url: str) -> None:
    rng = np.random.default_rng(10)
    shared = rng.integers(0, 2**32, size=NUM_PERM, dtype=np.uint32)
    articles = {a: [_signature(shared)] + [_signature(rng.integers(0, 2**32, size=NUM_PERM, dtype=np.uint32))] for a in range(1, 6)}
    articles[6] = [_signature(shared)] * 3
    local = PassageIndex()
    remote = PassageIndex(redis_url=redis_url, prefix=f"test-{uuid.uuid4().hex[:8]}")
    try:
        for index in (local, remote):
            index.rebuild(articles.items())
        query = [_signature(shared)] * 4 + [articles[2][1]]
        assert remote.ranked(query) == local.ranked(query)
        assert remote.candidates(query, exclude=3) == local.candidates(query, exclude=3)
    finally:
        remote.clear()

"""The passage index: LSH recall against exact Jaccard (property), removal, Redis."""

from __future__ import annotations

import uuid

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from service.reuse.index import PassageIndex, ReuseIndexUnavailable
from service.reuse.shingles import shingle
from service.reuse.signatures import PassageSignature, minhash_of, sign_passages

VOCAB = [f"كلمة{i}" for i in range(60)]


def _passage(words: list[str]) -> PassageSignature:
    return PassageSignature(0, 1, minhash_of(shingle(" ".join(words))))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.sampled_from(VOCAB), min_size=8, max_size=30), min_size=2, max_size=12), st.lists(st.sampled_from(VOCAB), min_size=8, max_size=30))
def test_candidates_include_every_passage_clearly_over_the_threshold(stored: list[list[str]], query: list[str]) -> None:
    index = PassageIndex(jaccard_threshold=0.3)
    for article_id, words in enumerate(stored):
        index.add(article_id, [_passage(words)])
    found = index.candidates([_passage(query)])
    q = set(shingle(" ".join(query)))
    for article_id, words in enumerate(stored):
        s = set(shingle(" ".join(words)))
        if len(q & s) / len(q | s) >= 0.7:  # a clear margin over 0.3: LSH must not miss it
            assert article_id in found


def test_add_remove_and_short_texts() -> None:
    index = PassageIndex()
    index.add(1, sign_passages("نعم"))  # too short to shingle well: indexed whole, no crash
    index.add(2, sign_passages("أكد الرئيس الروسي فلاديمير بوتين ضرورة الحفاظ على سيادة ووحدة أراضي سورية اليوم."))
    assert len(index) == 2
    assert 2 in index.candidates(sign_passages("أكد الرئيس الروسي فلاديمير بوتين ضرورة الحفاظ على سيادة ووحدة أراضي سورية."))
    index.remove(2)
    assert index.candidates(sign_passages("أكد الرئيس الروسي فلاديمير بوتين ضرورة الحفاظ على سيادة ووحدة أراضي سورية.")) == {}
    assert sign_passages("") == []


def test_signature_bytes_roundtrip() -> None:
    signed = sign_passages("Putin met Pompeo in Sochi and they discussed Syria, Iran and Venezuela at length today.")[0]
    again = PassageSignature.from_bytes(signed.start, signed.end, signed.signature)
    assert again.minhash.jaccard(signed.minhash) == 1.0


@pytest.mark.redis
def test_redis_index_is_shared_between_instances(redis_url: str) -> None:
    prefix = f"test-{uuid.uuid4().hex[:8]}"
    first = PassageIndex(redis_url=redis_url, prefix=prefix)
    second = PassageIndex(redis_url=redis_url, prefix=prefix)
    try:
        text = "أكد الرئيس الروسي فلاديمير بوتين ضرورة الحفاظ على سيادة ووحدة أراضي سورية خلال لقائه بومبيو."
        first.add(7, sign_passages(text))
        assert second.candidates(sign_passages(text)) == {7: 1}  # another process sees it
        second.remove(7, passages=1)
        assert first.candidates(sign_passages(text)) == {}
    finally:
        first.clear()


def test_unreachable_redis_is_a_clear_error_naming_the_url() -> None:
    with pytest.raises(ReuseIndexUnavailable, match="redis://127.0.0.1:1/0"):
        PassageIndex(redis_url="redis://127.0.0.1:1/0")


def test_batch_signatures_equal_one_by_one() -> None:
    from service.reuse.shingles import passages

    text = "أكد الرئيس الروسي فلاديمير بوتين ضرورة الحفاظ على سيادة سورية. " * 3 + "Putin met Pompeo in Sochi and they discussed Syria, Iran and Venezuela at length."
    for passage, signed in zip(passages(text), sign_passages(text), strict=True):
        assert signed.signature == PassageSignature(0, 1, minhash_of(passage.shingles)).signature


def test_ranked_puts_a_copied_passage_before_a_topical_neighbour() -> None:
    copied = "أكد الرئيس الروسي فلاديمير بوتين ضرورة الحفاظ على سيادة ووحدة أراضي سورية خلال لقائه بومبيو في سوتشي اليوم."
    topical = [
        f"الرئيس الروسي فلاديمير بوتين ووزير الخارجية بومبيو {word} في سوتشي ضمن جولة محادثات جديدة حول سورية."
        for word in ("التقيا", "تحدثا", "اجتمعا", "تباحثا", "ناقشا", "اتفقا")
    ]
    index = PassageIndex()
    index.add(1, sign_passages(" ".join(topical)))
    index.add(2, sign_passages("مقدمة عن أخبار اليوم في المنطقة وعن الطقس والرياضة والاقتصاد العالمي. " + copied))
    query = sign_passages(" ".join(topical[:2]) + " " + copied)
    ranked = index.ranked(query)
    assert [c.article_id for c in ranked][:1] == [2] or ranked[0].jaccard >= ranked[1].jaccard
    assert ranked[0].jaccard > 0.9
    assert index.ranked(query, exclude=2)[0].article_id == 1


@settings(max_examples=30, deadline=None)
@given(st.lists(st.lists(st.sampled_from(VOCAB), min_size=8, max_size=30), min_size=2, max_size=15), st.sets(st.integers(0, 14)), st.lists(st.sampled_from(VOCAB), min_size=8, max_size=30))
def test_band_table_finds_what_datasketch_finds(stored: list[list[str]], removed: set[int], query: list[str]) -> None:
    from datasketch import MinHashLSH

    from service.reuse.bands import BandTable

    reference = MinHashLSH(threshold=0.3, num_perm=64)
    index = PassageIndex(jaccard_threshold=0.3)
    index._table = BandTable(bands=reference.b, rows=reference.r, buffer_rows=3)  # merges as it goes
    for article_id, words in enumerate(stored):
        index.add(article_id, [_passage(words)])
        reference.insert(article_id, _passage(words).minhash)
        # Queried between adds: the unsorted buffer's lookup is built as queries come.
        assert set(index.candidates([_passage(query)])) == set(reference.query(_passage(query).minhash))
    for article_id in removed & set(range(len(stored))):
        index.remove(article_id)
        reference.remove(article_id)
    assert set(index.candidates([_passage(query)])) == set(reference.query(_passage(query).minhash))


def _ensure_indexes_once(index: PassageIndex) -> None:
    first = "أكد الرئيس الروسي فلاديمير بوتين ضرورة الحفاظ على سيادة ووحدة أراضي سورية خلال لقائه بومبيو."
    other = "Putin met Pompeo in Sochi and they discussed Syria, Iran and Venezuela at length today."
    index.ensure(3, sign_passages(first))  # absent: indexed
    assert index.candidates(sign_passages(first)) == {3: 1}
    index.ensure(3, sign_passages(other))  # present: left as it is
    assert index.candidates(sign_passages(first)) == {3: 1}
    assert index.candidates(sign_passages(other)) == {}


def test_ensure_indexes_an_article_once() -> None:
    _ensure_indexes_once(PassageIndex())


@pytest.mark.redis
def test_ensure_sees_what_another_process_indexed(redis_url: str) -> None:
    index = PassageIndex(redis_url=redis_url, prefix=f"test-{uuid.uuid4().hex[:8]}")
    try:
        _ensure_indexes_once(index)
        other = PassageIndex(redis_url=redis_url, prefix=index._sketch_key.removesuffix(":sketches"))
        other.ensure(3, sign_passages("Putin met Pompeo in Sochi and they discussed Syria, Iran and Venezuela at length today."))
        assert index.candidates(sign_passages("Putin met Pompeo in Sochi and they discussed Syria, Iran and Venezuela at length today.")) == {}
    finally:
        index.clear()

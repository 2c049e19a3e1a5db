"""The passage index in Redis under concurrent writers: no 5xx, no dropped connection,
nothing lost, every article fully processed and in exactly one story."""

from __future__ import annotations

import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from service.reuse.index import PassageIndex
from service.reuse.signatures import sign_passages
from tests.security.corpus import article
from tests.security.load import listed_stories, post_concurrently, stored_state
from tests.server import Server

pytestmark = [pytest.mark.slow, pytest.mark.redis]


def _env(database_url: str, redis_url: str, prefix: str) -> dict[str, str]:
    return {
        "STORYDIFF_DATABASE_URL": database_url,
        "STORYDIFF_REDIS_URL": redis_url,
        "STORYDIFF_REDIS_PREFIX": prefix,
        "STORYDIFF_EMBEDDING_MODEL": "none",
    }


def _assert_sound(outcome, database_url: str, base: str, expected_urls: set[str]) -> None:  # type: ignore[no-untyped-def]
    assert not outcome.transport_errors, outcome.transport_errors[:5]
    assert not [s for s in outcome.statuses if s >= 500], (outcome.statuses, outcome.bodies_5xx[:3])
    state = stored_state(database_url)
    assert state["urls"] == expected_urls, f"lost: {sorted(expected_urls - state['urls'])[:10]}"  # type: ignore[operator]
    assert state["not_in_one_story"] == []
    assert state["unfinished"] == 0  # no article stored without its copy check and story
    assert (state["empty_stories"], state["orphan_members"], state["miscounted_stories"]) == (0, 0, 0)
    listed, bad_pages = listed_stories(base)
    assert all(s["article_count"] >= 1 for s in listed) and bad_pages == []
    assert sum(s["article_count"] for s in listed) == len(expected_urls)  # type: ignore[misc]
    # Every answer about one article named the same story.
    assert all(len(ids) == 1 and None not in ids for ids in outcome.story_of_response.values())


def test_one_index_shared_by_eight_threads(redis_url: str) -> None:
    """What the API's thread pool does to the index: adds and queries at once."""
    index = PassageIndex(redis_url=redis_url, prefix=f"test-races-{uuid.uuid4().hex[:8]}")
    signed = {i: sign_passages(article(i)["text"]) for i in range(1, 121)}
    try:

        def work(i: int) -> None:
            index.ranked(signed[i])
            index.add(i, signed[i])
            assert index.candidates(signed[i]).get(i) == len(signed[i])

        with ThreadPoolExecutor(8) as pool:
            list(pool.map(work, signed))  # re-raises any thread's error
        assert len(index) == sum(map(len, signed.values()))
        # The one-round-trip query finds what datasketch's own query finds.
        for i in (1, 50, 120):
            for passage in signed[i]:
                own = sorted(tuple(map(int, key.split(":"))) for key in index._lsh.query(passage.minhash))  # type: ignore[union-attr]
                _distinct, articles, seqs, _inverse = index._query([passage])
                assert sorted(zip(articles.tolist(), seqs.tolist())) == own
    finally:
        index.clear()


def test_four_writers_one_server(redis_url: str, tmp_path: Path) -> None:
    database_url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    prefix = f"test-races-{uuid.uuid4().hex[:8]}"
    articles = [article(i, prefix="one-") for i in range(200)]
    server = Server(_env(database_url, redis_url, prefix))
    try:
        started = time.monotonic()
        outcome = post_concurrently([(server.url, articles[w::4]) for w in range(4)])
        print(f"4 writers x 50 articles: {time.monotonic() - started:.1f} s, {dict(outcome.statuses)}")
        _assert_sound(outcome, database_url, server.url, {a["url"] for a in articles})
        assert outcome.statuses[201] == 200
    finally:
        server.stop()
        PassageIndex(redis_url=redis_url, prefix=prefix).clear()


@pytest.mark.postgres
def test_two_servers_four_writers_each_same_articles(postgres_url: str, redis_url: str) -> None:
    prefix = f"test-races-{uuid.uuid4().hex[:8]}"
    articles = [article(i, prefix="two-") for i in range(160)]
    env = _env(postgres_url, redis_url, prefix)
    first = Server(env)
    try:
        second = Server(env)
        try:
            started = time.monotonic()
            # Both servers are sent every article, by 4 writers each, in opposite orders.
            work = [(first.url, articles[w::4]) for w in range(4)] + [(second.url, articles[::-1][w::4]) for w in range(4)]
            outcome = post_concurrently(work)
            print(f"2 servers x 4 writers, 160 articles each: {time.monotonic() - started:.1f} s, {dict(outcome.statuses)}")
            _assert_sound(outcome, postgres_url, first.url, {a["url"] for a in articles})
            assert outcome.statuses[201] == 160 and outcome.statuses[200] == 160
        finally:
            second.stop()
    finally:
        first.stop()
        PassageIndex(redis_url=redis_url, prefix=prefix).clear()

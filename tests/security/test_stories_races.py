"""Concurrent re-posts of one article: one story for all, no empty ("ghost") story left."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from service.config import Settings
from service.intake.fields import parse_article
from service.pipeline.prepare import prepare
from service.storage.store import Store
from tests.security.corpus import article
from tests.security.load import listed_stories, stored_state
from tests.server import Server


def _post_together(urls: list[str], body: dict[str, str]) -> list[httpx.Response]:
    """One POST of ``body`` to each url, all released at the same moment."""
    start = threading.Barrier(len(urls))

    def post(url: str) -> httpx.Response:
        with httpx.Client(timeout=60) as http:
            start.wait()
            return http.post(url + "/articles", json=body)

    with ThreadPoolExecutor(len(urls)) as pool:
        return list(pool.map(post, urls))


def _assert_one_story_each(database_url: str, servers: list[str], rounds: int) -> None:
    for i in range(rounds):
        answers = _post_together([servers[n % len(servers)] for n in range(8)], article(i, prefix="ghost-"))
        assert sorted(a.status_code for a in answers) == [200] * 7 + [201], [a.text[:200] for a in answers]
        assert len({a.json()["article"]["id"] for a in answers}) == 1
        assert len({a.json()["story_id"] for a in answers}) == 1, [a.json()["story_id"] for a in answers]
    listed, bad_pages = listed_stories(servers[0])
    assert bad_pages == [] and all(s["article_count"] >= 1 for s in listed)
    assert sum(s["article_count"] for s in listed) == rounds
    state = stored_state(database_url)
    assert state["not_in_one_story"] == [] and state["empty_stories"] == 0 and state["unfinished"] == 0


def test_join_keeps_an_assigned_article_and_deletes_a_story_it_empties(database_url: str) -> None:
    store = Store.open(Settings(database_url=database_url).database_url)
    try:
        a, b = (store.add(prepare(parse_article(article(n)))).article.id for n in (1, 2))
        first = store.stories.join(a, story_id=None, merged=(), support=0.0)
        # Assigning it again, even to a new story: it stays, nothing is created.
        assert store.stories.join(a, story_id=None, merged=(), support=0.0) == first
        assert [s.id for s in store.stories.list().items] == [first]
        # Moving it on purpose: the story it leaves empty goes in the same transaction.
        moved = store.stories.join(a, story_id=None, merged=(), support=0.0, move=True)
        assert moved != first and [s.id for s in store.stories.list().items] == [moved]
        # A story to join that is gone by then (merged or emptied elsewhere): a new one.
        store.stories.join(b, story_id=first, merged=(), support=0.9)
        assert store.stories.story_of(b) not in (None, first, moved)
        assert all(s.article_count == 1 for s in store.stories.list().items)
    finally:
        store.close()


@pytest.mark.slow
def test_eight_simultaneous_reposts_one_server(tmp_path: Path) -> None:
    database_url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    server = Server({"STORYDIFF_DATABASE_URL": database_url, "STORYDIFF_EMBEDDING_MODEL": "none", "STORYDIFF_REDIS_URL": ""})
    try:
        _assert_one_story_each(database_url, [server.url], rounds=6)
    finally:
        server.stop()


@pytest.mark.slow
@pytest.mark.postgres
def test_eight_simultaneous_reposts_two_servers_postgres(postgres_url: str) -> None:
    env = {"STORYDIFF_DATABASE_URL": postgres_url, "STORYDIFF_EMBEDDING_MODEL": "none", "STORYDIFF_REDIS_URL": ""}
    first = Server(env)
    try:
        second = Server(env)
        try:
            _assert_one_story_each(postgres_url, [first.url, second.url], rounds=6)
        finally:
            second.stop()
    finally:
        first.stop()

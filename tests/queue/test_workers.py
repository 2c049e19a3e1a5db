"""Several processes on real PostgreSQL and Redis: 2 API servers and 2 workers ingest one
feed through ``wait=false`` and end as one process would; a worker killed with SIGKILL
loses nothing. The feed is 600 SaudiNewsNet articles (``../shared/data``); without it, the
seeds."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from service.config import Settings
from service.eval.corpora import article_jsonl, saudinewsnet_articles
from service.intake.files import read_seeds
from service.pipeline.runtime import Runtime
from service.storage.store import Store
from tests.conftest import ROOT, SEEDS, SHARED_DATA
from tests.queue.deploy import queue_env, wait_for
from tests.server import Server, Worker

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.slow]
SNN = SHARED_DATA / "saudinewsnet"


def _feed(limit: int) -> list[str]:
    """JSON Lines records, in publication order."""
    if SNN.is_dir():
        articles = list(itertools.islice(saudinewsnet_articles(SNN), limit))
    else:
        articles = list(read_seeds(SEEDS))
    articles.sort(key=lambda a: (a.published_at is None, a.published_at, a.url or ""))
    return [article_jsonl(a) for a in articles]


def _key(store: Store, article_id: int) -> tuple[str | None, str]:
    article = store.get(article_id)
    return article.outlet, article.content_hash


def _outcome(url: str) -> tuple[set[tuple[object, ...]], dict[tuple[str | None, str], int | None], int]:
    """(copy links by article keys, each article's story, articles stored) of a database."""
    store = Store.open(url, create=False)
    try:
        ids = store.ids_by_publication()
        links = set()
        for article_id in ids:
            for link in store.links_of(article_id):
                if link.target_id == article_id:
                    links.add((_key(store, link.target_id), _key(store, link.source_id), link.relation, link.direction, round(link.share, 3)))
        stories = {_key(store, i): store.stories.story_of(i) for i in ids}
        return links, stories, len(ids)
    finally:
        store.close()


def _rand_index(a: dict[object, int | None], b: dict[object, int | None]) -> float:
    keys = sorted(a, key=repr)
    agree = total = 0
    for x, y in itertools.combinations(keys, 2):
        total += 1
        agree += (a[x] == a[y]) == (b[x] == b[y])
    return agree / total if total else 1.0


def _post_all(urls: list[str], lines: list[str]) -> list[tuple[str, dict[str, object]]]:
    """Each line posted with ``wait=false`` to one of the servers, the servers at once:
    (line, answer) pairs."""

    def post(k: int) -> list[tuple[str, dict[str, object]]]:
        with httpx.Client(base_url=urls[k], timeout=120) as client:
            out = []
            for line in lines[k :: len(urls)]:
                answer = client.post("/articles?wait=false", content=line.encode(), headers={"content-type": "application/json"})
                assert answer.status_code in (200, 202), answer.text
                out.append((line, answer.json()))
            return out

    with ThreadPoolExecutor(len(urls)) as pool:
        return [a for answers in pool.map(post, range(len(urls))) for a in answers]


def _statuses(url: str, ids: list[int]) -> list[str]:
    with httpx.Client(base_url=url, timeout=60) as client:
        return [client.get(f"/articles/{i}").json()["analysis"]["status"] for i in ids]


@pytest.fixture
def deployment(postgres_url: str, redis_url: str, prefix: str) -> Iterator[dict[str, str]]:
    env = queue_env(Settings(database_url=postgres_url).database_url, redis_url, prefix, STORYDIFF_AUTO_MIGRATE="false")
    Store.open(env["STORYDIFF_DATABASE_URL"]).close()  # `storydiff migrate`, once
    yield env


def test_two_servers_and_two_workers_end_as_one_process(tmp_path: Path, deployment: dict[str, str]) -> None:
    lines = _feed(600)
    servers = [Server(deployment), Server(deployment)]
    workers = [Worker(deployment), Worker(deployment)]
    try:
        posted = _post_all([s.url for s in servers], lines)
        stored_as = {answer["article"]["id"]: line for line, answer in posted}  # type: ignore[index]
        ids = sorted(stored_as)
        wait_for(lambda: "queued" not in _statuses(servers[0].url, ids), timeout=1200, what="the workers to analyse the feed")
        assert set(_statuses(servers[1].url, ids)) == {"analysed"}
        health = httpx.get(servers[0].url + "/health").json()
        assert health["queue_depth"] == 0 and health["dead_letters"] == 0 and health["workers"] == 2
    finally:
        for worker in workers:
            assert worker.stop() == 0, worker.output()
        for server in servers:
            server.stop()
    parallel_links, parallel_stories, stored = _outcome(deployment["STORYDIFF_DATABASE_URL"])
    assert None not in parallel_stories.values()  # every article in exactly one story

    # The same feed, one process, synchronously, in the order the deployment stored it (two
    # servers interleave their halves of the feed; which of two articles is earlier decides
    # which analysis may link them).
    arrived = [stored_as[i] for i in ids]
    single = Settings(database_url=f"sqlite:///{tmp_path / 'single.db'}", models_dir=ROOT / "models", api_key=None, redis_url=None)
    with Runtime.open(single) as runtime:
        for line_number, line in enumerate(arrived, 1):
            result = runtime.ingest_line(line_number, line)
            assert result is not None and result.error is None, result
    single_links, single_stories, single_stored = _outcome(single.database_url)

    assert stored == single_stored == len(ids)  # every article stored once
    assert len(single_links) >= (20 if SNN.is_dir() else 3)  # the feed has copies to agree on
    # The same pairs, the same direction and relation. A template span is judged with the
    # corpus word counts of when the analysis runs (the API has stored further articles by
    # then), so shares may move a little and a borderline pair may differ.
    pairs = {link[:4] for link in parallel_links}
    single_pairs = {link[:4] for link in single_links}
    differ = {"only_parallel": sorted(map(repr, pairs - single_pairs)), "only_single": sorted(map(repr, single_pairs - pairs))}
    assert len(pairs ^ single_pairs) <= max(1, len(single_pairs) // 50), differ
    assert set(parallel_stories) == set(single_stories)
    rand = _rand_index(parallel_stories, single_stories)
    print(json.dumps({"articles": stored, "links": len(single_links), "rand_index": round(rand, 4)}))
    assert rand >= 0.95


def test_a_worker_killed_mid_batch_loses_nothing(deployment: dict[str, str]) -> None:
    lines = _feed(200)
    server = Server(deployment)
    doomed, survivor = Worker(deployment, concurrency=2), Worker(deployment)
    try:
        ids = sorted({answer["article"]["id"] for _line, answer in _post_all([server.url], lines)})  # type: ignore[index]
        wait_for(lambda: _statuses(server.url, ids).count("analysed") >= min(10, len(ids) // 2), timeout=600, what="analyses to start")
        assert "queued" in _statuses(server.url, ids)  # mid-batch
        doomed.kill()  # SIGKILL: the jobs it held are unacknowledged
        wait_for(lambda: "queued" not in _statuses(server.url, ids), timeout=900, what="the survivor to finish every article")
        assert set(_statuses(server.url, ids)) == {"analysed"}
        health = httpx.get(server.url + "/health").json()
        assert health["queue_depth"] == 0 and health["dead_letters"] == 0 and health["oldest_queued_seconds"] is None
    finally:
        doomed.kill()
        assert survivor.stop() == 0, survivor.output()
        server.stop()
    _links, stories, stored = _outcome(deployment["STORYDIFF_DATABASE_URL"])
    assert stored == len(ids)  # nothing lost, nothing duplicated
    assert None not in stories.values()

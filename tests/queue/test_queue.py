"""The analysis queue against the real Redis and the real model: ``wait=false``, the
worker, retries, a poison article, a deleted article, Redis down, idempotent analysis."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.api.app import create_app
from service.config import Settings
from service.intake.files import read_seeds
from service.pipeline.copies import REUSE_JOB
from service.pipeline.queue import AnalysisQueue
from service.pipeline.runtime import Runtime
from service.storage.store import Store
from tests.conftest import ROOT, SEEDS
from tests.queue.deploy import queue_env, queue_settings, wait_for
from tests.server import Worker

pytestmark = [pytest.mark.redis, pytest.mark.slow]
DEAD_REDIS = "redis://127.0.0.1:1/0"


def _bodies() -> list[dict[str, object]]:
    out = []
    for a in read_seeds(SEEDS):
        body = {"text": a.text, "title": a.title, "outlet": a.outlet, "url": a.url, "published_at": a.published_at.isoformat() if a.published_at else None}
        out.append({k: v for k, v in body.items() if v is not None})
    return out


def _links(store: Store) -> set[tuple[str, str, str, str | None]]:
    """Copy links by the cleaned texts' hashes of their articles (ids differ between stores)."""
    out = set()
    for article in store.list(limit=500).items:
        for link in store.links_of(article.id):
            if link.target_id == article.id:
                out.add((article.content_hash, store.get(link.source_id).content_hash, link.relation, link.direction))
    return out


def _stories(store: Store) -> set[frozenset[str]]:
    groups: dict[int | None, set[str]] = {}
    for article in store.list(limit=500).items:
        groups.setdefault(store.stories.story_of(article.id), set()).add(article.content_hash)
    return {frozenset(g) for g in groups.values()}


def _sample(metrics: str, name: str) -> float:
    """One unlabelled sample of a Prometheus text exposition."""
    values = [float(line.split()[1]) for line in metrics.splitlines() if line.startswith(name + " ")]
    assert len(values) == 1, f"{name} not in /metrics"
    return values[0]


def test_queued_seeds_are_analysed_by_a_worker_like_a_synchronous_ingest(tmp_path: Path, redis_url: str, prefix: str) -> None:
    database = f"sqlite:///{tmp_path / 'queued.db'}"
    settings = queue_settings(database, redis_url, prefix)
    worker = None
    try:
        with TestClient(create_app(settings)) as client:
            ingested = _sample(client.get("/metrics").text, "storydiff_articles_ingested_total")  # counters are per process
            answers = [client.post("/articles?wait=false", json=body) for body in _bodies()]
            assert [a.status_code for a in answers] == [202] * 5
            assert {a.json()["status"] for a in answers} == {"queued"}
            ids = [a.json()["article"]["id"] for a in answers]
            assert client.get(f"/articles/{ids[0]}").json()["analysis"]["status"] == "queued"  # no worker yet
            assert client.get("/health").json()["queue_depth"] == 5

            worker = Worker(queue_env(database, redis_url, prefix))

            def analysed() -> bool:
                return all(client.get(f"/articles/{i}").json()["analysis"]["status"] == "analysed" for i in ids)

            wait_for(analysed, timeout=180, what="the worker to analyse the seeds")
            health = client.get("/health").json()
            assert health["queue_depth"] == 0 and health["dead_letters"] == 0 and health["workers"] == 1
            assert health["oldest_queued_seconds"] is None
            assert all(client.get(f"/articles/{i}").json()["analysis"]["story_id"] is not None for i in ids)
            metrics = client.get("/metrics").text
            assert _sample(metrics, "storydiff_articles_ingested_total") == ingested + 5
            assert _sample(metrics, "storydiff_queue_depth") == 0
    finally:
        if worker is not None:
            assert worker.stop() == 0, worker.output()

    synchronous = Settings(database_url=f"sqlite:///{tmp_path / 'sync.db'}", models_dir=ROOT / "models", api_key=None, redis_url=None)
    with Runtime.open(synchronous) as runtime:
        for article in read_seeds(SEEDS):
            runtime.ingest(article)
    queued_store, sync_store = Store.open(database), Store.open(synchronous.database_url)
    try:
        assert _links(queued_store) == _links(sync_store)
        assert len(_links(queued_store)) == 3
        assert _stories(queued_store) == _stories(sync_store)
        assert len(_stories(queued_store)) == 2
    finally:
        queued_store.close(), sync_store.close()


def test_an_analysis_run_again_after_a_crash_changes_nothing(tmp_path: Path, redis_url: str, prefix: str) -> None:
    """At-least-once delivery: the analysis re-run after a worker died after its copy links,
    or after everything, gives the same links and stories, never duplicates."""
    settings = queue_settings(f"sqlite:///{tmp_path / 'crash.db'}", redis_url, prefix)
    with Runtime.open(settings) as runtime:
        ids = [runtime.store_article(a).article.id for a in read_seeds(SEEDS)]
        for article_id in ids[:3]:  # killed after the copy links, before the story
            runtime.copies.link(runtime.store.get(article_id))
            assert REUSE_JOB in runtime.store.jobs_done(article_id)
        for article_id in ids:
            runtime.analyse(article_id)
        first = (_links(runtime.store), _stories(runtime.store), runtime.store.count())
        for article_id in ids:  # redelivered: everything again
            runtime.store.clear_job(REUSE_JOB)
            runtime.analyse(article_id)
        again = (_links(runtime.store), _stories(runtime.store), runtime.store.count())
    assert first == again
    assert len(first[0]) == 3 and len(first[1]) == 2 and first[2] == 5


def test_a_poison_article_fails_with_a_code_after_its_retries_and_does_not_block_the_queue(
    tmp_path: Path, redis_url: str, prefix: str
) -> None:
    database = f"sqlite:///{tmp_path / 'poison.db'}"
    settings = queue_settings(database, redis_url, prefix)
    # The one double of this test: story assignment raises for one title (a bug an article trips).
    prelude = (
        "from service.pipeline.stories import StoryDesk\n"
        "_assign = StoryDesk.assign\n"
        "def assign(self, article):\n"
        "    if article.title == 'POISON':\n"
        "        raise RuntimeError('poisoned')\n"
        "    return _assign(self, article)\n"
        "StoryDesk.assign = assign\n"
    )
    worker = Worker(queue_env(database, redis_url, prefix), prelude=prelude)
    try:
        with TestClient(create_app(settings)) as client:
            poison = client.post("/articles?wait=false", json={"text": "An article that trips a bug in analysis.", "title": "POISON"}).json()
            others = [client.post("/articles?wait=false", json=body).json() for body in _bodies()]
            ids = [o["article"]["id"] for o in others]

            def settled() -> bool:
                states = [client.get(f"/articles/{i}").json()["analysis"]["status"] for i in [poison["article"]["id"], *ids]]
                return "queued" not in states

            wait_for(settled, timeout=180, what="every article to be analysed or failed")
            failed = client.get(f"/articles/{poison['article']['id']}").json()["analysis"]
            assert failed["status"] == "failed" and failed["error_code"] == "internal_error"
            assert failed["attempts"] == 2  # the first try and its one retry
            assert all(client.get(f"/articles/{i}").json()["analysis"]["status"] == "analysed" for i in ids)
            health = client.get("/health").json()
            assert health["dead_letters"] == 1 and health["queue_depth"] == 0
    finally:
        assert worker.stop() == 0, worker.output()


def test_the_analysis_of_an_article_deleted_meanwhile_is_dropped(tmp_path: Path, redis_url: str, prefix: str) -> None:
    database = f"sqlite:///{tmp_path / 'deleted.db'}"
    settings = queue_settings(database, redis_url, prefix)
    with Runtime.open(settings) as runtime:
        kept, gone = (runtime.ingest_later(a).article.id for a in list(read_seeds(SEEDS))[:2])
        runtime.delete(gone)
        assert runtime.queue is not None and runtime.queue.depth() == 2
    worker = Worker(queue_env(database, redis_url, prefix))
    try:
        with Runtime.open(settings) as runtime:
            assert runtime.queue is not None
            wait_for(lambda: runtime.queue.depth() == 0, timeout=180, what="the queue to empty")  # type: ignore[union-attr]
            assert runtime.queue.dead() == 0
            assert runtime.analysis_of(kept).status == "analysed"
            assert runtime.store.count() == 1
    finally:
        assert worker.stop() == 0, worker.output()


def test_wait_false_without_a_reachable_queue_is_503_and_stores_nothing(tmp_path: Path, redis_url: str, prefix: str) -> None:
    body = _bodies()[0]
    # No Redis configured at all.
    with TestClient(create_app(Settings(database_url=f"sqlite:///{tmp_path / 'a.db'}", models_dir=ROOT / "models", api_key=None))) as client:
        answer = client.post("/articles?wait=false", json=body)
        assert answer.status_code == 503 and answer.json()["code"] == "queue_unavailable"
        bulk = client.post("/articles/bulk?wait=false", content=b'{"text": "one"}\n', headers={"content-type": "application/x-ndjson"})
        assert bulk.status_code == 503 and bulk.json()["code"] == "queue_unavailable"
        assert client.get("/health").json()["articles"] == 0
    # The queue's Redis goes down while the server runs (the passage index is elsewhere).
    with TestClient(create_app(queue_settings(f"sqlite:///{tmp_path / 'b.db'}", redis_url, prefix))) as client:
        runtime: Runtime = client.app.state.runtime  # type: ignore[attr-defined]
        runtime.queue = AnalysisQueue(queue_settings("sqlite://", DEAD_REDIS, prefix))
        answer = client.post("/articles?wait=false", json=body)
        assert answer.status_code == 503 and answer.json()["code"] == "queue_unavailable"
        assert "127.0.0.1:1" in answer.json()["error"]
        assert client.get("/health").json()["articles"] == 0
        assert client.get("/health").json()["queue"] == "unreachable"
        assert client.post("/articles", json=body).status_code == 201  # the synchronous path still works


def test_a_worker_without_redis_says_so_and_exits_non_zero(tmp_path: Path) -> None:
    env = {"STORYDIFF_DATABASE_URL": f"sqlite:///{tmp_path / 'w.db'}", "STORYDIFF_REDIS_URL": DEAD_REDIS, "STORYDIFF_MODELS_DIR": str(ROOT / "models")}
    done = subprocess.run([sys.executable, "-m", "service.cli", "worker"], cwd=ROOT, env={**_base_env(), **env}, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert "unavailable" in done.stderr and "127.0.0.1:1" in done.stderr


def test_a_worker_refuses_a_database_behind_its_schema(tmp_path: Path, redis_url: str, prefix: str) -> None:
    env = queue_env(f"sqlite:///{tmp_path / 'never-migrated.db'}", redis_url, prefix)
    done = subprocess.run([sys.executable, "-m", "service.cli", "worker"], cwd=ROOT, env={**_base_env(), **env}, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert "[schema_outdated]" in done.stderr and "storydiff migrate" in done.stderr


def _base_env() -> dict[str, str]:
    import os

    return dict(os.environ)

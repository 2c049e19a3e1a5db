"""Analysis throughput of the queue's workers against one synchronous process, in one run.

    python scripts/bench_workers.py var/snn.jsonl --limit 300 --workers 1,2,4 \\
        --database postgresql://127.0.0.1:5432/storydiff_bench --redis redis://127.0.0.1:6379/14

Every configuration starts from an empty schema of ``--database`` (PostgreSQL: several
processes write to it; its schema is dropped and made again) and its own Redis prefix,
whose keys are removed after. The same first ``--limit`` articles of the file are used:

- ``sync ingest``: ``storydiff ingest``'s loop (store, then analyse each article, the
  encoder embedding ahead in a thread; torch's default threads), timed whole;
- ``sync analyse``: the articles stored first, then ``Runtime.analyse`` of each in one
  process (torch's default threads): the work a worker does, without the queue;
- ``N workers``: N ``storydiff worker`` processes (``STORYDIFF_TORCH_THREADS=1``, one
  analysis at a time each) started and their model loaded; the articles stored, then
  their ids sent at once; timed from the first send until the queue is empty and no
  article waits.

Then the queue's added latency at low load: one more worker alone, ``--latency`` more
articles stored and sent one at a time, each waited for; enqueue -> analysed as the
database says it, minus the worker's own analysis time (its ``/metrics`` histogram).
Each configuration runs in a fresh process. Prints one JSON line per configuration.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
import urllib.request
import uuid
from itertools import islice
from pathlib import Path

import redis
from sqlalchemy import text

from service.config import Settings
from service.intake.files import read_article_files
from service.pipeline.queue import AnalysisQueue
from service.pipeline.runtime import Runtime
from service.storage.engine import open_engine

ROOT = Path(__file__).resolve().parent.parent


def _articles(path: Path, limit: int) -> list:
    return [item.article for item in islice(read_article_files([path]), limit) if item.article is not None]


def _empty_schema(database: str) -> None:
    engine = open_engine(Settings(database_url=database).database_url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def _forget(redis_url: str, prefix: str) -> None:
    client = redis.Redis.from_url(redis_url)
    keys = list(client.scan_iter(match=f"{prefix}*".encode(), count=10_000))
    for start in range(0, len(keys), 10_000):
        client.unlink(*keys[start:start + 10_000])
    client.close()


class Deployment:
    """One configuration's empty database and Redis prefix, and its worker processes."""

    def __init__(self, database: str, redis_url: str) -> None:
        self.database, self.redis_url = database, redis_url
        self.prefix = f"bench-{uuid.uuid4().hex[:8]}"
        self.workers: list[subprocess.Popen[bytes]] = []
        _empty_schema(database)

    def settings(self, **extra: object) -> Settings:
        return Settings(database_url=self.database, redis_url=self.redis_url, redis_prefix=self.prefix, api_key=None, **extra)  # type: ignore[arg-type]

    def start_workers(self, count: int, *, metrics_port: int | None = None) -> None:
        env = {**os.environ, "STORYDIFF_DATABASE_URL": self.database, "STORYDIFF_REDIS_URL": self.redis_url,
               "STORYDIFF_REDIS_PREFIX": self.prefix, "STORYDIFF_TORCH_THREADS": "1", "STORYDIFF_API_KEY": ""}
        for _ in range(count):
            command = [str(Path(sys.executable).with_name("storydiff")), "worker", "--concurrency", "1"]
            if metrics_port is not None:
                command += ["--metrics-port", str(metrics_port)]
            self.workers.append(subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        queue = AnalysisQueue(self.settings())
        while queue.workers() < count:  # present once the model is loaded
            if any(w.poll() is not None for w in self.workers):
                raise SystemExit("a worker exited before it was ready (run `storydiff worker` alone to see why)")
            time.sleep(0.2)
        queue.close()

    def close(self) -> None:
        for worker in self.workers:
            worker.terminate()
        for worker in self.workers:
            worker.wait(timeout=120)
        _forget(self.redis_url, self.prefix)


def sync_ingest(deployment: Deployment, articles: list) -> dict[str, object]:
    with Runtime.open(deployment.settings()) as runtime:
        runtime.desk.docs.encoder  # load the model before the clock starts
        started = time.perf_counter()
        for article in runtime.embedded_ahead(iter(articles), article_of=lambda a: a):
            runtime.ingest(article)
        wall = time.perf_counter() - started
        return _figures("sync ingest (store + analyse)", runtime, len(articles), wall)


def sync_analyse(deployment: Deployment, articles: list) -> dict[str, object]:
    with Runtime.open(deployment.settings()) as runtime:
        runtime.desk.docs.encoder
        ids, stored = _store(runtime, articles)
        started = time.perf_counter()
        for article_id in ids:
            runtime.analyse(article_id)
        wall = time.perf_counter() - started
        return {**_figures("sync analyse", runtime, len(ids), wall), "store_s": round(stored, 1)}


def queued(deployment: Deployment, articles: list, workers: int) -> dict[str, object]:
    with Runtime.open(deployment.settings()) as runtime:  # migrates the empty schema; workers never do
        deployment.start_workers(workers)
        ids, stored = _store(runtime, articles)
        queue = AnalysisQueue(deployment.settings())
        started = time.perf_counter()
        for article_id in ids:
            queue.send(article_id)
        while queue.depth() > 0 or runtime.store.oldest_queued() is not None:
            time.sleep(0.1)
        wall = time.perf_counter() - started
        queue.close()
        failed = sum(runtime.analysis_of(i).status == "failed" for i in ids)
        return {**_figures(f"{workers} worker{'s' if workers > 1 else ''}", runtime, len(ids), wall), "store_s": round(stored, 1), "failed": failed}


def latency(deployment: Deployment, articles: list, port: int) -> dict[str, object]:
    waits, own = [], []
    with Runtime.open(deployment.settings()) as runtime:
        deployment.start_workers(1, metrics_port=port)
        queue = AnalysisQueue(deployment.settings())
        for article in articles:
            article_id = runtime.store_article(article).article.id
            before = _analysis_seconds(port)
            sent = time.perf_counter()
            queue.send(article_id)
            while runtime.analysis_of(article_id).status == "queued":
                time.sleep(0.005)
            waits.append(time.perf_counter() - sent)
            own.append(_analysis_seconds(port) - before)
        queue.close()
    added = [w - o for w, o in zip(waits, own, strict=True)]
    return {
        "config": "latency, 1 worker, one article at a time", "articles": len(articles),
        "enqueue_to_analysed_p50_ms": round(1000 * statistics.median(waits), 1),
        "analysis_p50_ms": round(1000 * statistics.median(own), 1),
        "added_by_queue_p50_ms": round(1000 * statistics.median(added), 1),
        "added_by_queue_max_ms": round(1000 * max(added), 1),
    }


def _store(runtime: Runtime, articles: list) -> tuple[list[int], float]:
    started = time.perf_counter()
    ids = [r.article.id for r in (runtime.store_article(a) for a in articles) if r.created]
    return ids, time.perf_counter() - started


def _analysis_seconds(port: int) -> float:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as answer:
        for line in answer.read().decode().splitlines():
            if line.startswith("storydiff_analysis_seconds_sum "):
                return float(line.split()[1])
    raise SystemExit("the worker's /metrics has no storydiff_analysis_seconds_sum")


def _figures(config: str, runtime: Runtime, analysed: int, wall: float) -> dict[str, object]:
    return {
        "config": config, "articles": analysed, "wall_s": round(wall, 1), "articles_per_s": round(analysed / wall, 2),
        "copy_pairs": len(runtime.store.link_shares()), "stories": runtime.stories(limit=1).total,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("jsonl", type=Path)
    parser.add_argument("--limit", type=int, default=300, help="articles from the start of the file")
    parser.add_argument("--workers", default="1,2,4", help="worker-process counts to run, comma-separated")
    parser.add_argument("--latency", type=int, default=20, help="articles for the low-load latency (0: skip)")
    parser.add_argument("--database", default="postgresql://127.0.0.1:5432/storydiff_bench", help="a scratch PostgreSQL database: its schema is dropped")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/14", help="a scratch Redis database")
    parser.add_argument("--metrics-port", type=int, default=9477)
    parser.add_argument("--config", help="run this one configuration in this process (sync-ingest, sync-analyse, workers-N, latency)")
    args = parser.parse_args()
    if args.config is None:
        # Each configuration in a process of its own: none inherits another's warm caches
        # (the encoder remembers vectors by text, and every configuration embeds the same articles).
        names = ["sync-ingest", "sync-analyse"] + [f"workers-{n}" for n in args.workers.split(",")] + (["latency"] if args.latency else [])
        for name in names:
            subprocess.run([sys.executable, __file__, *sys.argv[1:], "--config", name], check=True)
        return
    articles = _articles(args.jsonl, args.limit + args.latency)
    bulk, later = articles[: args.limit], articles[args.limit:]
    deployment = Deployment(args.database, args.redis)
    try:
        if args.config == "sync-ingest":
            result = sync_ingest(deployment, bulk)
        elif args.config == "sync-analyse":
            result = sync_analyse(deployment, bulk)
        elif args.config.startswith("workers-"):
            result = queued(deployment, bulk, int(args.config.removeprefix("workers-")))
        elif args.config == "latency":
            result = latency(deployment, later, args.metrics_port)
        else:
            raise SystemExit(f"unknown --config {args.config!r}")
        print(json.dumps(result), flush=True)
    finally:
        deployment.close()


if __name__ == "__main__":
    main()

"""Bulk ingest speed: ``storydiff ingest``'s loop over the first N articles of a JSON
Lines file, into a fresh SQLite database, and where the CPU goes.

    python scripts/bench_ingest.py var/snn.jsonl --limit 2000

Prints wall seconds, articles per second, CPU milliseconds an article for the whole
process and for the main thread (cleaning, copy detection and stories; the embedding
runs in ``embedded_ahead``'s background thread, so the rest is mostly the encoder), the
copy links and stories made, and peak RSS. Compare two commits by running it from a
``git worktree`` of the older one with the same Python.
"""

from __future__ import annotations

import argparse
import json
import resource
import tempfile
import time
from itertools import islice
from pathlib import Path

import service
from service.config import Settings
from service.intake.files import read_article_files
from service.pipeline.runtime import Runtime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("jsonl", type=Path)
    parser.add_argument("--limit", type=int, default=2000, help="articles from the start of the file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(database_url=f"sqlite:///{tmp}/bench.db")  # the rest from STORYDIFF_* as usual
        with Runtime.open(settings) as runtime:
            runtime.desk.docs.encoder  # load the model before the clock starts
            items = islice(read_article_files([args.jsonl]), args.limit)
            stored = 0
            started, cpu, main_cpu = time.perf_counter(), time.process_time(), time.thread_time()
            for item in runtime.embedded_ahead(items, article_of=lambda item: item.article):
                if item.article is not None:
                    stored += runtime.ingest(item.article).created
            wall, cpu, main_cpu = time.perf_counter() - started, time.process_time() - cpu, time.thread_time() - main_cpu
            links = runtime.store.link_shares()
            stories = runtime.stories(limit=1).total
    print(json.dumps({
        "code": str(Path(service.__file__).parent.parent),
        "articles": args.limit,
        "stored": stored,
        "wall_s": round(wall, 1),
        "articles_per_s": round(args.limit / wall, 2),
        "cpu_ms_per_article": round(1000 * cpu / args.limit, 1),
        "main_thread_cpu_ms_per_article": round(1000 * main_cpu / args.limit, 1),
        "other_threads_cpu_ms_per_article": round(1000 * (cpu - main_cpu) / args.limit, 1),
        "copy_pairs": len(links),
        "stories": stories,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
    }))


if __name__ == "__main__":
    main()

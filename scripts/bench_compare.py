"""Time POST /compare's work for two stored articles: cold (sentence vectors computed),
cached (computed before), and a rapidfuzz-only baseline (no encoder), in one run.

    python scripts/bench_compare.py --a 001 --b 003 --runs 20

Articles are seeds (by id prefix), stored in a throw-away SQLite database first.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

from service.compare import compare
from service.config import Settings
from service.embed.cache import CachedEncoder
from service.intake.files import read_seeds
from service.pipeline.runtime import Runtime

SEEDS = Path("seeds")


def percentiles(seconds: list[float]) -> str:
    ms = sorted(s * 1000 for s in seconds)
    p95 = ms[min(len(ms) - 1, round(0.95 * (len(ms) - 1)))]
    return f"p50 {statistics.median(ms):7.1f} ms   p95 {p95:7.1f} ms   (n={len(ms)})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--a", default="001")
    parser.add_argument("--b", default="003")
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, Runtime.open(Settings(database_url=f"sqlite:///{Path(tmp) / 'bench.db'}")) as runtime:
        # Seeds by the number their metadata starts with ("001"), in articles.jsonl's order as read_seeds reads them.
        numbers = [json.loads(line)["id"][:3] for line in (SEEDS / "articles.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
        ids = {number: runtime.ingest(a).article.id for number, a in zip(numbers, read_seeds(SEEDS), strict=True)}
        first, second = runtime.store.get(ids[args.a]), runtime.store.get(ids[args.b])
        print(f"{args.a}: {len(first.clean_text.split())} words, {args.b}: {len(second.clean_text.split())} words")
        encoder = runtime.desk.docs.encoder
        same = runtime.desk.similarity(first, second)
        timings: dict[str, list[float]] = {"cold": [], "cached": [], "baseline (rapidfuzz only)": []}
        for _ in range(args.runs):
            start = time.perf_counter()
            compare(first, second, encoder=CachedEncoder(encoder), same_story=runtime.desk.similarity(first, second))
            timings["cold"].append(time.perf_counter() - start)
        warm = CachedEncoder(encoder)
        compare(first, second, encoder=warm, same_story=same)
        for _ in range(args.runs):
            start = time.perf_counter()
            compare(first, second, encoder=warm, same_story=runtime.desk.similarity(first, second))
            timings["cached"].append(time.perf_counter() - start)
        for _ in range(args.runs):
            start = time.perf_counter()
            compare(first, second, encoder=None, same_story=runtime.desk.similarity(first, second))
            timings["baseline (rapidfuzz only)"].append(time.perf_counter() - start)
        for name, seconds in timings.items():
            print(f"{name:<28} {percentiles(seconds)}")


if __name__ == "__main__":
    main()

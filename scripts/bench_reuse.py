"""Reuse index benchmark on SaudiNewsNet, with baselines measured in the same run.

    python scripts/bench_reuse.py --data ../shared/data/saudinewsnet [--redis redis://127.0.0.1:6379/15]

1. Build: the passage index of every article (shingling and signing included), against
   plain datasketch as its README teaches (one MinHash of word 5-grams per article,
   128 permutations, MinHashLSH at 0.5).
2. Check: one article against the index with verified spans (p50/p95 over queries),
   against aligning it with every stored article with rapidfuzz alone (on a few queries:
   it takes seconds each).
3. Memory per 100k passages: in-process (tracemalloc) and in Redis (INFO used_memory).
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
import tracemalloc
from pathlib import Path

from datasketch import MinHash, MinHashLSH
from rapidfuzz import fuzz

from service.corpora import saudinewsnet_articles
from service.reuse.detect import find_copies
from service.reuse.index import PassageIndex
from service.reuse.signatures import sign_passages


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=Path("../shared/data/saudinewsnet"))
    parser.add_argument("--redis", help="also measure the index in this Redis (a scratch db)")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--baseline-queries", type=int, default=5)
    args = parser.parse_args()

    texts = [a.text or "" for a in saudinewsnet_articles(args.data)]
    print(f"{len(texts)} articles")

    # Baseline build: whole-article MinHash of word 5-grams, as datasketch's README.
    started = time.perf_counter()
    whole = []
    for text in texts:
        words = text.split()
        m = MinHash(num_perm=128)
        m.update_batch([" ".join(words[i : i + 5]).encode("utf-8") for i in range(max(len(words) - 4, 1))])
        whole.append(m)
    signed_at = time.perf_counter()
    lsh = MinHashLSH(threshold=0.5, num_perm=128)
    with lsh.insertion_session() as session:
        for n, m in enumerate(whole):
            session.insert(n, m)
    done = time.perf_counter()
    print(f"baseline (whole article): sign {len(texts) / (signed_at - started):,.0f}/s, insert {len(texts) / (done - signed_at):,.0f}/s")

    # Passage index build, shingling included.
    tracemalloc.start()
    started = time.perf_counter()
    signatures = [sign_passages(text) for text in texts]
    signed_at = time.perf_counter()
    index = PassageIndex()
    passages = index.rebuild(enumerate(signatures))
    done = time.perf_counter()
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(
        f"passage index: {passages:,} passages; sign {signed_at - started:.1f} s, insert {done - signed_at:.1f} s, "
        f"total {done - started:.1f} s = {len(texts) / (done - started):,.0f} articles/s"
    )
    print(f"in-process memory (tracemalloc peak, signatures + index): {peak / passages * 100_000 / 2**20:,.0f} MiB per 100k passages")

    # Check one article: index + verification, against rapidfuzz alone over every article.
    rng = random.Random(7)
    sample = rng.sample(range(len(texts)), args.queries)
    timings = []
    for n in sample:
        started = time.perf_counter()
        find_copies(texts[n], index, texts.__getitem__, exclude=n)
        timings.append((time.perf_counter() - started) * 1000)
    p50, p95 = statistics.median(timings), _percentile(timings, 0.95)
    print(f"check one article (index + verified spans): p50 {p50:.1f} ms, p95 {p95:.1f} ms over {len(timings)} queries")
    brute = []
    for n in sample[: args.baseline_queries]:
        started = time.perf_counter()
        for m, other in enumerate(texts):
            if m != n:
                fuzz.partial_ratio_alignment(texts[n], other, score_cutoff=80)
        brute.append((time.perf_counter() - started) * 1000)
    brute_p50 = statistics.median(brute)
    print(f"rapidfuzz alone (partial_ratio_alignment vs every article): p50 {brute_p50:,.0f} ms over {len(brute)} queries")
    print(f"speed-up at p50: {brute_p50 / p50:,.0f}x")

    if args.redis:
        import redis

        client = redis.Redis.from_url(args.redis)
        before = client.info("memory")["used_memory"]
        shared = PassageIndex(redis_url=args.redis, prefix="bench")
        shared.clear()
        sub = signatures[:5000]
        started = time.perf_counter()
        count = shared.rebuild(enumerate(sub))
        elapsed = time.perf_counter() - started
        used = client.info("memory")["used_memory"] - before
        print(f"redis: {count:,} passages in {elapsed:.1f} s; {used / count * 100_000 / 2**20:,.0f} MiB per 100k passages")
        shared.clear()


if __name__ == "__main__":
    main()

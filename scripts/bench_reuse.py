"""Reuse index benchmark on SaudiNewsNet, with baselines measured in the same run.

    python scripts/bench_reuse.py --data ../shared/data/saudinewsnet [--redis redis://127.0.0.1:6379/14]

1. Build: the passage index of every article (shingling and signing included), beside
   plain datasketch as its README teaches (one MinHash of word 5-grams per article,
   128 permutations, MinHashLSH at 0.5).
2. Check: one article against the index with verified spans (find_copies: p50/p95 over
   queries), against rapidfuzz alone: the copied blocks of word sequences
   (``Indel.opcodes``) with every stored article, on a few queries; and the per-pair cost
   of ``fuzz.partial_ratio_alignment`` (too slow to run against the whole corpus).
3. Memory per 100k passages: in-process (tracemalloc over an index rebuild: LSH tables
   and stored signature values) and in Redis (INFO used_memory; the keys are removed after).
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
from rapidfuzz.distance import Indel

from service.eval.corpora import saudinewsnet_articles
from service.reuse.align import MIN_SPAN_WORDS
from service.reuse.detect import find_copies
from service.reuse.index import PassageIndex
from service.reuse.signatures import sign_passages


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _rapidfuzz_copies(query: list[str], other: list[str]) -> bool:
    """Whether the two word sequences share a block of MIN_SPAN_WORDS+ identical words."""
    return any(op.tag == "equal" and op.src_end - op.src_start >= MIN_SPAN_WORDS for op in Indel.opcodes(query, other))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=Path("../shared/data/saudinewsnet"))
    parser.add_argument("--limit", type=int, help="only the first N articles")
    parser.add_argument("--redis", help="also measure the index in this Redis (a scratch db: redis://127.0.0.1:6379/14)")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--baseline-queries", type=int, default=3)
    parser.add_argument("--memory-articles", type=int, default=10_000, help="articles indexed again under tracemalloc")
    args = parser.parse_args()

    texts = [a.text or "" for a in saudinewsnet_articles(args.data, limit=args.limit)]
    print(f"{len(texts):,} articles")

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
    print(f"baseline (datasketch README, whole article): sign {signed_at - started:.1f} s, insert {done - signed_at:.1f} s, total {done - started:.1f} s")
    del whole, lsh

    # Passage index build, shingling and signing included.
    started = time.perf_counter()
    signatures = [sign_passages(text) for text in texts]
    signed_at = time.perf_counter()
    index = PassageIndex()
    passages = index.rebuild(enumerate(signatures))
    done = time.perf_counter()
    print(
        f"passage index: {passages:,} passages; sign {signed_at - started:.1f} s, insert {done - signed_at:.1f} s, "
        f"total {done - started:.1f} s = {len(texts) / (done - started):,.0f} articles/s"
    )

    # In-process memory: the index alone (what the service keeps), rebuilt under tracemalloc.
    subset = signatures[: args.memory_articles]
    tracemalloc.start()
    measured = PassageIndex()
    count = measured.rebuild(enumerate(subset))
    current, _peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del measured
    print(f"in-process index memory: {current / 2**20:,.1f} MiB for {count:,} passages = {current / count * 100_000 / 2**20:,.0f} MiB per 100k passages")

    # Check one article: index + verification, against rapidfuzz alone over every article.
    rng = random.Random(7)
    sample = rng.sample(range(len(texts)), min(args.queries, len(texts)))
    timings, found = [], 0
    for n in sample:
        started = time.perf_counter()
        copies = find_copies(texts[n], index, texts.__getitem__, signatures=signatures[n], exclude=n)
        timings.append((time.perf_counter() - started) * 1000)
        found += bool(copies)
    p50, p95 = statistics.median(timings), _percentile(timings, 0.95)
    print(f"check one article (index + verified spans, signatures stored): p50 {p50:.1f} ms, p95 {p95:.1f} ms, "
          f"max {max(timings):.0f} ms over {len(timings)} queries ({found} with a copy)")
    words = [text.split() for text in texts]
    brute = []
    for n in sample[: args.baseline_queries]:
        started = time.perf_counter()
        sum(_rapidfuzz_copies(words[n], other) for m, other in enumerate(words) if m != n)
        brute.append((time.perf_counter() - started) * 1000)
    brute_p50 = statistics.median(brute)
    print(f"rapidfuzz alone (Indel.opcodes word blocks vs every article): p50 {brute_p50:,.0f} ms over {len(brute)} queries")
    print(f"speed-up at p50: {brute_p50 / p50:,.0f}x")
    started = time.perf_counter()
    pairs = 50
    for other in texts[1 : pairs + 1]:
        fuzz.partial_ratio_alignment(texts[sample[0]], other, score_cutoff=80)
    per_pair = (time.perf_counter() - started) * 1000 / pairs
    print(f"rapidfuzz partial_ratio_alignment: {per_pair:.2f} ms per pair (measured on {pairs} pairs; "
          f"{len(texts):,} pairs per query would take {per_pair * len(texts) / 1000:,.0f} s)")

    if args.redis:
        import redis

        client = redis.Redis.from_url(args.redis)
        prefix = f"bench-{random.randrange(1 << 30):x}"
        before = client.info("memory")["used_memory"]
        shared = PassageIndex(redis_url=args.redis, prefix=prefix)
        try:
            started = time.perf_counter()
            count = shared.rebuild(enumerate(subset))
            elapsed = time.perf_counter() - started
            used = client.info("memory")["used_memory"] - before
            print(f"redis: {count:,} passages in {elapsed:.1f} s; {used / 2**20:,.1f} MiB = {used / count * 100_000 / 2**20:,.0f} MiB per 100k passages")
            timings = []
            for n in sample[:50]:
                started = time.perf_counter()
                shared.ranked(signatures[n], exclude=n)
                timings.append((time.perf_counter() - started) * 1000)
            print(f"redis candidates (no alignment): p50 {statistics.median(timings):.1f} ms, p95 {_percentile(timings, 0.95):.1f} ms over {len(timings)} queries")
        finally:
            removed = 0
            for key in client.scan_iter(match=f"{prefix}*".encode(), count=10_000):
                removed += client.delete(key)
            print(f"redis: removed {removed:,} keys")


if __name__ == "__main__":
    main()

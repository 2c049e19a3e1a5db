"""Time ``POST /similarity``'s work for pairs of ~600-word articles never seen before, and
where the time goes, in one run:

    python scripts/bench_similarity.py var/snn.jsonl --pairs 60

Articles: the records of a JSON Lines file (as ``storydiff ingest`` reads them) whose text
has ``--min-words`` to ``--max-words`` words (500-700 by default), paired at random (fixed
seed) across outlets, each article in one pair only, so every call embeds both articles as
an unstored pair does. Each pair is scored by ``Runtime.similarity`` on an empty store (no
word counts: no template judgement). Printed, p50 and p95 over the pairs: the whole call;
and, timed again on the same texts in the same run, its parts: the encoder alone on the
pieces a story document embeds (both articles' lead and title, one batch), and the
alignment alone (``service.reuse.align``).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_compare import percentiles  # noqa: E402

from service.config import Settings  # noqa: E402
from service.domain import ArticleInput  # noqa: E402
from service.intake.files import read_article_files  # noqa: E402
from service.pipeline.prepare import preview  # noqa: E402
from service.pipeline.runtime import Runtime  # noqa: E402
from service.reuse.align import align  # noqa: E402
from service.stories.evidence import embedded_pieces  # noqa: E402
from service.stories.passages import bounded_title  # noqa: E402


def pairs_of(path: Path, *, count: int, min_words: int, max_words: int, seed: int) -> list[tuple[ArticleInput, ArticleInput]]:
    chosen = [item.article for item in read_article_files([path])
              if item.article is not None and min_words <= len((item.article.text or "").split()) <= max_words]
    order = np.random.default_rng(seed).permutation(len(chosen))
    pairs, waiting = [], None
    for k in order:
        article = chosen[int(k)]
        if waiting is None:
            waiting = article
        elif article.outlet != waiting.outlet:
            pairs.append((waiting, article))
            waiting = None
        if len(pairs) == count:
            break
    if len(pairs) < count:
        raise SystemExit(f"only {len(pairs)} pairs of {min_words}-{max_words}-word articles in {path}")
    return pairs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("jsonl", type=Path)
    parser.add_argument("--pairs", type=int, default=60)
    parser.add_argument("--min-words", type=int, default=500)
    parser.add_argument("--max-words", type=int, default=700)
    parser.add_argument("--seed", type=int, default=12)
    args = parser.parse_args()
    pairs = pairs_of(args.jsonl, count=args.pairs, min_words=args.min_words, max_words=args.max_words, seed=args.seed)
    with tempfile.TemporaryDirectory() as tmp, Runtime.open(Settings(database_url=f"sqlite:///{Path(tmp) / 'bench.db'}", redis_url=None)) as runtime:
        runtime.similarity(ArticleInput(text="تجربة أولى.", language="ar"), ArticleInput(text="تجربة ثانية.", language="ar"))  # loads the model
        calls, encodes, aligns, words = [], [], [], []
        for a, b in pairs:
            start = time.perf_counter()
            runtime.similarity(a, b)
            calls.append(time.perf_counter() - start)
        encoder = runtime.desk.docs.encoder  # the model itself, without the process's vector cache
        for a, b in pairs:
            prepared = [preview(a), preview(b)]
            words.extend(len(p.clean_text.split()) for p in prepared)
            pieces = [piece for p in prepared for piece in embedded_pieces(bounded_title(p.title), p.clean_text)]
            start = time.perf_counter()
            encoder.encode(pieces, kind="passage")
            encodes.append(time.perf_counter() - start)
            start = time.perf_counter()
            align(prepared[0].clean_text, prepared[1].clean_text)
            aligns.append(time.perf_counter() - start)
    print(f"{len(pairs)} pairs of unseen articles, {statistics.mean(words):.0f} words on average after cleaning "
          f"({min(words)}-{max(words)}); model {runtime.desk.docs.model_id}")
    print(f"similarity call (everything)     {percentiles(calls)}")
    print(f"  encoder alone (4 pieces)       {percentiles(encodes)}")
    print(f"  alignment alone                {percentiles(aligns)}")


if __name__ == "__main__":
    main()

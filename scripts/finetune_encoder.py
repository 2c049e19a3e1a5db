"""Fine-tune the default encoder on one-event pairs mined from a store (distant supervision):

    python scripts/finetune_encoder.py --store sqlite:///var/snntrain.db --out models/e5-small-events

Triplets (anchor, positive, hard negative), leads as the service embeds them
(``service.stories.evidence.embedded_pieces``, with the "passage: " prompt):
- positive: an article of another outlet that the store links to the anchor as ``copy`` or
  ``shared_source`` within a day (one happening, reported twice), preferring pairs that
  share less text (what the words alone do not tell);
- hard negative: an article the store links to the anchor as ``template`` (fixed wording
  of another happening), else the article of another day sharing the most title words
  with the anchor (the same topic, another happening).
Articles published on a day of a labelled evaluation set (tests/data/event_pairs*,
tests/data/flag_links*) are never used. The loss is sentence-transformers'
MultipleNegativesRankingLoss (in-batch negatives plus the hard one), AdamW, linear warm-up
and decay; bf16 autocast on a CPU with native bf16. The model is saved with
sentence-transformers to ``--out``; use it with STORYDIFF_EMBEDDING_MODEL=<that path>
(its id is the path), and fit a score on it with ``fit_story_score.py --out <file>`` under
the same variable (docs/evaluation.md, "Story pairs").
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections import defaultdict
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from sample_flag_links import open_store  # noqa: E402

from service.embed.encoder import resolve_precision  # noqa: E402
from service.embed.resolve import resolve_model  # noqa: E402
from service.reuse.templates import content_words  # noqa: E402
from service.stories.evidence import embedded_pieces  # noqa: E402

ARTICLES = sa.text("SELECT id, title, clean_text, outlet, published_at FROM articles WHERE published_at IS NOT NULL")
LINKS = sa.text("SELECT target_id, source_id, relation, pair_share FROM copy_links WHERE relation IN ('copy', 'shared_source', 'template')")
LABELLED = ["event_pairs", "event_pairs_heldout", "flag_links", "flag_links_heldout"]


def evaluation_days(data: Path = ROOT / "tests" / "data") -> set[str]:
    """The days of every article of the labelled sets (ISO dates)."""
    days = set()
    for name in LABELLED:
        for path in (data / name).glob("*.jsonl"):
            for line in path.read_text(encoding="utf-8").splitlines():
                row = json.loads(line)
                for key, value in row.items():
                    if key.endswith(("published", "published_at", "_date")):
                        if value:
                            days.add(str(value)[:10])
    return days


def _when(value) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


def mine(store_url: str, *, limit: int, seed: int) -> list[tuple[str, str, str]]:
    excluded = evaluation_days()
    with open_store(store_url).connect() as conn:
        articles = {row.id: row for row in conn.execute(ARTICLES) if str(row.published_at)[:10] not in excluded}
        links = [row for row in conn.execute(LINKS) if row.target_id in articles and row.source_id in articles]
    when = {i: _when(a.published_at) for i, a in articles.items()}
    titles = {i: content_words(a.title or "") for i, a in articles.items()}
    templates: dict[int, list[int]] = defaultdict(list)
    positives = []
    for link in links:
        a, b = link.target_id, link.source_id
        if articles[a].outlet == articles[b].outlet:
            continue
        if link.relation == "template":
            templates[a].append(b)
            templates[b].append(a)
        elif abs((when[a] - when[b]).total_seconds()) <= 86400:
            positives.append((link.pair_share, a, b))
    positives.sort()  # the least text shared first
    day = {i: t.date() for i, t in when.items()}

    def hard_negative(anchor: int, positive: int) -> int | None:
        if templates[anchor]:
            return min(templates[anchor])
        others = (i for i in articles if day[i] != day[anchor] and i != positive)
        best = max(others, key=lambda i: (len(titles[i] & titles[anchor]), -i), default=None)
        return best if best is not None and titles[best] & titles[anchor] else None

    rng = random.Random(seed)
    used: set[int] = set()
    triplets = []
    for _share, a, b in positives:
        if a in used or b in used:
            continue  # one triplet per article: in-batch negatives stay other happenings
        negative = hard_negative(a, b)
        if negative is None:
            continue
        used.update((a, b))
        triplets.append(tuple(_lead(articles[i]) for i in (a, b, negative)))
        if len(triplets) >= limit:
            break
    rng.shuffle(triplets)
    return triplets


def _lead(row) -> str:
    return "passage: " + embedded_pieces(row.title, row.clean_text)[0]


def train(triplets: list[tuple[str, str, str]], *, out: Path, models_dir: Path, batch: int, epochs: int, lr: float, max_tokens: int) -> None:
    import torch
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.losses import MultipleNegativesRankingLoss

    model = SentenceTransformer(str(resolve_model(None, models_dir=models_dir)), device="cpu", local_files_only=True)
    model.max_seq_length = max_tokens
    loss = MultipleNegativesRankingLoss(model)
    optimiser = torch.optim.AdamW(model.parameters(), lr=lr)
    steps = epochs * ((len(triplets) + batch - 1) // batch)
    warmup = max(1, steps // 10)
    schedule = torch.optim.lr_scheduler.LambdaLR(optimiser, lambda s: min((s + 1) / warmup, max(0.0, (steps - s) / (steps - warmup + 1))))
    bf16 = resolve_precision("auto") == "bf16"
    model.train()
    started, step = time.perf_counter(), 0
    for _epoch in range(epochs):
        for start in range(0, len(triplets), batch):
            rows = triplets[start : start + batch]
            features = [model.preprocess([row[k] for row in rows]) for k in range(3)]
            with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
                value = loss(features, labels=None)
            value.backward()
            optimiser.step()
            schedule.step()
            optimiser.zero_grad()
            step += 1
            if step % 10 == 0 or step == steps:
                print(f"step {step}/{steps}  loss {value.item():.4f}  {time.perf_counter() - started:.0f} s", flush=True)
    model.eval()
    model.save(str(out))
    print(f"{out}: {len(triplets)} triplets, {steps} steps, {time.perf_counter() - started:.0f} s ({'bf16' if bf16 else 'fp32'} autocast)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", required=True, help="database URL of a store with copy links (e.g. an ingest with STORYDIFF_EMBEDDING_MODEL=none)")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--models-dir", type=Path, default=ROOT / "models")
    parser.add_argument("--triplets", type=int, default=1500)
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--lr", type=float, default=2e-5)
    parser.add_argument("--max-tokens", type=int, default=256)
    parser.add_argument("--seed", type=int, default=23)
    parser.add_argument("--dry-run", action="store_true", help="mine and print the triplet count and three examples only")
    args = parser.parse_args(argv)
    triplets = mine(args.store, limit=args.triplets, seed=args.seed)
    print(f"{len(triplets)} triplets mined from {args.store}")
    if args.dry_run:
        for row in triplets[:3]:
            print(json.dumps([text[:160] for text in row], ensure_ascii=False))
        return 0
    train(triplets, out=args.out, models_dir=args.models_dir, batch=args.batch, epochs=args.epochs, lr=args.lr, max_tokens=args.max_tokens)
    return 0


if __name__ == "__main__":
    sys.exit(main())

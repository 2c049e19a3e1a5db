"""Write SaudiNewsNet (../shared/data/saudinewsnet) as JSON Lines for `storydiff ingest`.

    python scripts/saudinewsnet_jsonl.py --data ../shared/data/saudinewsnet --out var/saudinewsnet.jsonl
"""

from __future__ import annotations

import argparse
from pathlib import Path

from service.eval.corpora import article_jsonl, saudinewsnet_articles


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=Path("../shared/data/saudinewsnet"))
    parser.add_argument("--out", type=Path, default=Path("var/saudinewsnet.jsonl"))
    parser.add_argument("--limit", type=int)
    args = parser.parse_args()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8") as out:
        for n, article in enumerate(saudinewsnet_articles(args.data, limit=args.limit), start=1):
            out.write(article_jsonl(article) + "\n")
    print(f"{n} articles -> {args.out}")


if __name__ == "__main__":
    main()

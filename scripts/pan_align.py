"""Detect copied passages in PAN format: every suspicious document against ALL sources, through the index.

    python scripts/pan_align.py --suspicious ../shared/data/araplagdet-dev/suspicious-documents \
        --sources ../shared/data/araplagdet-dev/source-documents --out var/pan-out
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from service.eval.pan_corpus import detect_corpus


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--suspicious", type=Path, required=True)
    parser.add_argument("--sources", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--limit", type=int, help="only the first N suspicious documents")
    args = parser.parse_args()
    started = time.perf_counter()
    report = detect_corpus(args.suspicious, args.sources, args.out, limit=args.limit)
    print(f"{report.documents} documents, {report.detections} detections, {report.sources} sources indexed "
          f"({report.passages} passages) in {time.perf_counter() - started:.1f} s -> {args.out}")


if __name__ == "__main__":
    main()

"""PAN measures of a detections folder against gold annotations, overall and per obfuscation.

    python scripts/eval_pan.py --gold ../shared/data/araplagdet-dev/plagiarism-annotation --detections var/pan-out
"""

from __future__ import annotations

import argparse
from pathlib import Path

from service.eval.pan_corpus import evaluate_folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--gold", type=Path, required=True)
    parser.add_argument("--detections", type=Path, required=True)
    parser.add_argument("--limit", type=int, help="only the first N gold files (as pan_align --limit)")
    parser.add_argument("--offset", type=int, default=0, help="skip the first N gold files (--offset 150: the second half)")
    args = parser.parse_args()
    report = evaluate_folder(args.gold, args.detections, limit=args.limit, offset=args.offset)
    print(f"{'subset':<28} {'cases':>6} {'prec':>6} {'rec':>6} {'gran':>6} {'plagdet':>8}")
    for name, m in report.rows:
        print(f"{name:<28} {m.cases:>6} {m.precision:>6.3f} {m.recall:>6.3f} {m.granularity:>6.3f} {m.plagdet:>8.3f}")
    print(f"documents without copying: {report.clean_documents}, of which with no detection: "
          f"{report.clean_without_detection} ({report.clean_without_detection / max(report.clean_documents, 1):.1%})")


if __name__ == "__main__":
    main()

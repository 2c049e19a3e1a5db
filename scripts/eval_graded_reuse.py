"""Graded reuse (tests/data/graded_reuse): does the verified copied share rank the grades of
reuse (cut and paste > light revision > heavy revision > none) at least as well as a naive
word 5-gram share?

    python scripts/eval_graded_reuse.py --data tests/data/graded_reuse

Each answer is compared with its source paragraph: the copied share is the share of the
answer's characters in passages the aligner verifies (``service.reuse.align``), the naive
share that of its normalised word 5-grams found in the source; the copied share is also
given with each passage weighted by the share of its words taken as they are (1 for cut
and paste; a sentence left out costs nothing). Printed: per grade the mean
of each share, Spearman's rank correlation of each with the grade (3, 2, 1, 0) over all
answers, and the share of cross-grade answer pairs each orders as the grades (Spearman's
coefficient also moves with ties inside a grade, which say nothing about the ranking). The measures are ``service.eval.reuse_quality``'s.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from service.eval.reuse_quality import GRADES, ngram_share, ordered_pairs, span_share, spearman  # noqa: E402


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=Path("tests/data/graded_reuse"))
    args = parser.parse_args(argv)
    read = lambda name: [json.loads(x) for x in (args.data / name).read_text(encoding="utf-8").splitlines() if x.strip()]  # noqa: E731
    sources = {s["id"]: s["text"] for s in read("sources.jsonl")}
    answers = read("answers.jsonl")
    grades = [GRADES[a["grade"]] for a in answers]
    plain = [span_share(a["text"], sources[a["source"]], weighted=False) for a in answers]
    copied = [span_share(a["text"], sources[a["source"]]) for a in answers]
    naive = [ngram_share(a["text"], sources[a["source"]]) for a in answers]
    print(f"{len(answers)} answers to {len(sources)} sources\n")
    print("| grade | n | copied share (mean) | words kept as they are | 5-gram share |")
    print("|---|---|---|---|---|")
    for name, grade in GRADES.items():
        rows = [k for k, g in enumerate(grades) if g == grade]
        print(f"| {name} | {len(rows)} | {statistics.mean(plain[k] for k in rows):.3f} "
              f"| {statistics.mean(copied[k] for k in rows):.3f} | {statistics.mean(naive[k] for k in rows):.3f} |")
    print(f"\nSpearman with the grade: copied share {spearman(plain, grades):.3f}, weighted by words kept "
          f"{spearman(copied, grades):.3f}, 5-gram share {spearman(naive, grades):.3f}")
    print(f"Pairs of answers of different grades ordered as the grades (a tie counts half): copied share "
          f"{ordered_pairs(plain, grades):.3f}, weighted by words kept {ordered_pairs(copied, grades):.3f}, "
          f"5-gram share {ordered_pairs(naive, grades):.3f}")


if __name__ == "__main__":
    main()

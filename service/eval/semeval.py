"""SemEval-2022 Task 8 pair files (multilingual news article similarity), read as plain values.

Columns used: pair_id, lang1, lang2, title1, title2, text1, text2, Overall (gold, 1 = same
story ... 4 = unrelated; absent in unlabelled files). Some rows have an empty text: the
title then stands for the article.

Example:
    >>> pairs = read_pairs(Path("../shared/data/semeval2022-t8-dev/train_fr_fr_72.csv"))
    >>> len(pairs), pairs[0].language1, 1.0 <= pairs[0].overall <= 4.0
    (72, 'fr', True)
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

REQUIRED_COLUMNS = ("pair_id", "lang1", "lang2", "title1", "title2", "text1", "text2")


@dataclass(frozen=True, slots=True)
class SemevalPair:
    pair_id: str
    language1: str
    language2: str
    title1: str
    title2: str
    text1: str
    text2: str
    overall: float | None


def read_pairs(path: Path) -> list[SemevalPair]:
    """All rows of a SemEval-format CSV; ValueError when a required column is missing."""
    csv.field_size_limit(1 << 26)
    with Path(path).open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in REQUIRED_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise ValueError(f"{path}: not a SemEval-2022 Task 8 pairs file, missing columns {missing}")
        return [
            SemevalPair(
                pair_id=row["pair_id"],
                language1=row["lang1"],
                language2=row["lang2"],
                title1=row["title1"] or "",
                title2=row["title2"] or "",
                text1=row["text1"] or "",
                text2=row["text2"] or "",
                overall=float(row["Overall"]) if row.get("Overall") not in (None, "") else None,
            )
            for row in reader
        ]

"""The labelled event pairs (tests/data/event_pairs) keep the format their README states."""

from __future__ import annotations

import json
from pathlib import Path

PAIRS = Path(__file__).resolve().parent / "data" / "event_pairs"
PAIR_KEYS = {"pair", "a_url", "b_url", "a_outlet", "b_outlet", "a_date", "b_date", "stratum", "similarity"}
LABELS = {"same_event", "same_topic", "unrelated"}


def _lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_pairs_are_distinct_cross_outlet_and_numbered() -> None:
    pairs = _lines(PAIRS / "pairs.jsonl")
    assert [p["pair"] for p in pairs] == list(range(len(pairs)))
    assert all(set(p) == PAIR_KEYS for p in pairs)
    assert all(p["a_outlet"] != p["b_outlet"] for p in pairs)
    assert len({frozenset((p["a_url"], p["b_url"])) for p in pairs}) == len(pairs)
    assert {p["stratum"] for p in pairs} <= {"high", "middle", "low", "random"}


def test_labels_name_known_pairs_once_with_a_reason() -> None:
    """Every pair is labelled once by the first readers (parts a, b, c); the second reader's
    file labels some of them again, each once."""
    count = len(_lines(PAIRS / "pairs.jsonl"))
    first: set[int] = set()
    for path in sorted(PAIRS.glob("labels-*.jsonl")):
        seen = first if path.name != "labels-second.jsonl" else set()
        for label in _lines(path):
            assert set(label) == {"pair", "label", "reason"}, path
            assert 0 <= label["pair"] < count and label["pair"] not in seen, (path, label["pair"])
            assert label["label"] in LABELS and label["reason"].strip() and "\n" not in label["reason"], (path, label)
            seen.add(label["pair"])
    assert first == set(range(count))  # the first readers labelled every pair

"""The labelled event pairs (tests/data/event_pairs and the held-out set of other days,
tests/data/event_pairs_heldout) keep the format their READMEs state."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parent / "data"
SETS = [DATA / "event_pairs", DATA / "event_pairs_heldout"]
PAIR_KEYS = {"pair", "a_url", "b_url", "a_outlet", "b_outlet", "a_date", "b_date", "stratum", "similarity"}
LABELS = {"same_event", "same_topic", "unrelated"}


def _lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.mark.parametrize("folder", SETS, ids=lambda p: p.name)
def test_pairs_are_distinct_cross_outlet_and_numbered(folder: Path) -> None:
    pairs = _lines(folder / "pairs.jsonl")
    assert [p["pair"] for p in pairs] == list(range(len(pairs)))
    assert all(set(p) == PAIR_KEYS for p in pairs)
    assert all(p["a_outlet"] != p["b_outlet"] for p in pairs)
    assert len({frozenset((p["a_url"], p["b_url"])) for p in pairs}) == len(pairs)
    assert {p["stratum"] for p in pairs} <= {"high", "middle", "low", "random"}


@pytest.mark.parametrize("folder", SETS, ids=lambda p: p.name)
def test_labels_name_known_pairs_once_with_a_reason(folder: Path) -> None:
    """Every pair is labelled once by the first readers (parts a, b, c); the second reader's
    file labels some of them again, each once."""
    count = len(_lines(folder / "pairs.jsonl"))
    first: set[int] = set()
    for path in sorted(folder.glob("labels-*.jsonl")):
        seen = first if path.name != "labels-second.jsonl" else set()
        for label in _lines(path):
            assert set(label) == {"pair", "label", "reason"}, path
            assert 0 <= label["pair"] < count and label["pair"] not in seen, (path, label["pair"])
            assert label["label"] in LABELS and label["reason"].strip() and "\n" not in label["reason"], (path, label)
            seen.add(label["pair"])
    assert first == set(range(count))  # the first readers labelled every pair


def test_held_out_pairs_share_no_article_with_the_development_set() -> None:
    """What the event probability is fitted on never meets what measures it."""
    urls = [{p[k] for p in _lines(folder / "pairs.jsonl") for k in ("a_url", "b_url")} for folder in SETS]
    assert not urls[0] & urls[1]

"""The graded-reuse set (tests/data/graded_reuse): the copied share orders the grades."""

from __future__ import annotations

import json
import statistics
from pathlib import Path

import pytest

from service.eval.reuse_quality import GRADES, ngram_share, ordered_pairs, span_share, spearman

DATA = Path(__file__).resolve().parent.parent / "data" / "graded_reuse"


def _rows() -> tuple[dict[str, str], list[dict[str, str]]]:
    read = lambda name: [json.loads(x) for x in (DATA / name).read_text(encoding="utf-8").splitlines() if x.strip()]  # noqa: E731
    return {s["id"]: s["text"] for s in read("sources.jsonl")}, read("answers.jsonl")


def test_every_source_has_one_answer_of_each_grade() -> None:
    sources, answers = _rows()
    assert sorted((a["source"], a["grade"]) for a in answers) == sorted((s, g) for s in sources for g in GRADES)


def test_the_copied_share_puts_cut_above_light_above_rewritten_and_unrelated() -> None:
    sources, answers = _rows()
    mean = {g: statistics.mean(span_share(a["text"], sources[a["source"]]) for a in answers if a["grade"] == g) for g in GRADES}
    assert mean["cut"] > mean["light"] > mean["heavy"] and mean["none"] == 0.0
    # Weighting by the words kept as they are separates a revision from cut and paste.
    plain = {g: statistics.mean(span_share(a["text"], sources[a["source"]], weighted=False) for a in answers if a["grade"] == g)
             for g in ("cut", "light")}
    assert plain["cut"] - plain["light"] < mean["cut"] - mean["light"]


def test_the_copied_share_orders_answer_pairs_at_least_as_well_as_word_5_grams() -> None:
    sources, answers = _rows()
    grades = [GRADES[a["grade"]] for a in answers]
    copied = [span_share(a["text"], sources[a["source"]]) for a in answers]
    naive = [ngram_share(a["text"], sources[a["source"]]) for a in answers]
    assert ordered_pairs(copied, grades) >= ordered_pairs(naive, grades)
    # Every cut-and-paste answer (a sentence left out included) above every revised one.
    cut = [x for x, a in zip(copied, answers) if a["grade"] == "cut"]
    light = [x for x, a in zip(copied, answers) if a["grade"] == "light"]
    assert min(cut) > max(light)


def test_ordered_pairs_counts_cross_grade_pairs_and_half_ties() -> None:
    assert ordered_pairs([3.0, 2.0, 1.0], [2, 1, 0]) == 1.0
    assert ordered_pairs([1.0, 2.0, 3.0], [2, 1, 0]) == 0.0
    assert ordered_pairs([1.0, 1.0, 0.0, 0.0], [1, 1, 0, 0]) == 1.0  # ties inside a grade are not pairs
    assert ordered_pairs([1.0, 0.0, 0.0], [2, 1, 0]) == (1 + 1 + 0.5) / 3
    with pytest.raises(ValueError):
        ordered_pairs([1.0, 2.0], [1, 1])


def test_shares_and_rank_correlation() -> None:
    text = "one two three four five six seven eight nine ten eleven twelve thirteen fourteen"
    assert ngram_share(text, text) == 1.0 and ngram_share(text, "nothing in common here at all") == 0.0
    assert span_share(text, text) > 0.99
    assert spearman([1, 2, 3], [10, 20, 30]) == 1.0

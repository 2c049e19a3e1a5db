"""The graded-reuse set (tests/data/graded_reuse): the copied share orders the grades."""

from __future__ import annotations

import json
import statistics
from pathlib import Path

from service.eval.reuse_quality import GRADES, ngram_share, span_share, spearman

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


def test_shares_and_rank_correlation() -> None:
    text = "one two three four five six seven eight nine ten eleven twelve thirteen fourteen"
    assert ngram_share(text, text) == 1.0 and ngram_share(text, "nothing in common here at all") == 0.0
    assert span_share(text, text) > 0.99
    assert spearman([1, 2, 3], [10, 20, 30]) == 1.0

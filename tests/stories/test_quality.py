"""Story quality figures on hand-made stories and labels (no model)."""

from __future__ import annotations

from itertools import combinations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from service.eval.story_quality import agreement, auc, bcubed, closure_classes, label_agreement, pair_scores, size_histogram, story_quality
from service.stories.evidence import StoryDoc
from service.text.names import Names


def _doc(doc_id: str) -> StoryDoc:
    return StoryDoc(doc_id, None, "text", "ar", None, None, Names())


def test_copy_pairs_together_and_in_story_pairs() -> None:
    docs = {i: _doc(i) for i in "1234"}
    stories = [("1", "2"), ("3",), ("4",)]
    shares = {(1, 2): 0.6, (1, 3): 0.9, (2, 3): 0.1, (3, 9): 0.8}  # 2-3 too small to count, 9 not clustered
    p = {frozenset("12"): 0.1}

    quality = story_quality(stories, docs, shares, lambda a, b: p[frozenset(a.id + b.id)], pairs=50)
    assert (quality.articles, quality.stories, quality.singletons, quality.largest) == (4, 3, 2, (2, 1, 1))
    assert (quality.copy_pairs, quality.copy_pairs_together) == (2, 0.5)
    assert (quality.pairs_scored, quality.pair_low) == (50, 1.0) and abs(quality.pair_mean - 0.1) < 1e-9

    p[frozenset("12")] = 0.9
    assert story_quality(stories, docs, shares, lambda a, b: p[frozenset(a.id + b.id)]).pair_low == 0.0


def test_no_stories_with_pairs() -> None:
    quality = story_quality([("1",)], {"1": _doc("1")}, {}, lambda a, b: 1.0)
    assert (quality.pairs_scored, quality.pair_mean, quality.copy_pairs_together) == (0, 0.0, 0.0)


def test_agreement_of_two_groupings() -> None:
    same = agreement([(1, 2, 3), (4,)], [["4"], ["3", "2", "1"]])  # order and id type do not matter
    assert (same.stories, same.identical, same.pairs, same.shared_pairs) == ((2, 2), 2, (3, 3), 3)
    split = agreement([(1, 2, 3), (4,)], [(1, 2), (3, 4)])
    assert (split.identical, split.pairs, split.shared_pairs) == (0, (3, 2), 1)  # only 1-2 kept together


def test_pair_scores_count_each_cell() -> None:
    scores = pair_scores([True, True, True, False, False], [True, True, False, True, False])
    assert (scores.true_positives, scores.false_positives, scores.false_negatives, scores.true_negatives) == (2, 1, 1, 1)
    assert (scores.precision, scores.recall) == (2 / 3, 2 / 3) and abs(scores.f1 - 2 / 3) < 1e-12
    nothing = pair_scores([False, True], [False, False])  # nothing called: precision has no pairs
    assert (nothing.precision, nothing.recall, nothing.f1) == (0.0, 0.0, 0.0)
    with pytest.raises(ValueError):
        pair_scores([True], [True, False])


scores_with_ties = st.lists(st.sampled_from([0.0, 0.1, 0.25, 0.5, 0.75, 1.0]), max_size=12)


@given(scores_with_ties, scores_with_ties)
def test_auc_is_the_share_of_ordered_pairs(positives: list[float], negatives: list[float]) -> None:
    # Naive reference: every (positive, negative) pair, a win 1, a tie 1/2.
    found = auc(positives, negatives)
    if not positives or not negatives:
        assert found is None
        return
    wins = sum(1.0 if p > n else 0.5 if p == n else 0.0 for p in positives for n in negatives)
    assert found == pytest.approx(wins / (len(positives) * len(negatives)))


def test_kappa_of_a_textbook_table() -> None:
    # 50 pairs: both yes 20, yes/no 5, no/yes 10, both no 15: observed 0.7, chance 0.5, kappa 0.4.
    first = ["yes"] * 25 + ["no"] * 25
    second = ["yes"] * 20 + ["no"] * 5 + ["yes"] * 10 + ["no"] * 15
    found = label_agreement(first, second, labels=("yes", "no"))
    assert found.confusion == ((20, 5), (10, 15)) and found.pairs == 50
    assert found.agreed == pytest.approx(0.7) and found.kappa == pytest.approx(0.4)
    assert label_agreement(["a", "a"], ["a", "a"]).kappa is None  # one label only: chance is 1
    assert label_agreement(["a", "b"], ["b", "a"]).kappa == pytest.approx(-1.0)
    with pytest.raises(ValueError):
        label_agreement(["a"], ["c"], labels=("a", "b"))


def test_closure_joins_chains_and_keeps_the_rest_alone() -> None:
    classes = closure_classes("abcdef", [("a", "b"), ("b", "c"), ("e", "x")])
    assert classes["a"] == classes["b"] == classes["c"] and classes["e"] == classes["x"]
    assert len({classes[k] for k in "adef"}) == 4


def test_bcubed_of_a_worked_example() -> None:
    # Gold {1,2,3} {4,5}; predicted {1,2} {3,4,5}. Precision per item: 1, 1, 1/3, 2/3, 2/3;
    # recall per item: 2/3, 2/3, 1/3, 1, 1.
    gold = {1: "A", 2: "A", 3: "A", 4: "B", 5: "B"}
    predicted = {1: 10, 2: 10, 3: 20, 4: 20, 5: 20, 99: 20}  # 99 is not a gold item: ignored
    found = bcubed(gold, predicted)
    assert found.items == 5
    assert found.precision == pytest.approx((1 + 1 + 1 / 3 + 2 / 3 + 2 / 3) / 5)
    assert found.recall == pytest.approx((2 / 3 + 2 / 3 + 1 / 3 + 1 + 1) / 5)
    alone = bcubed(gold, {})  # every item its own cluster: perfect precision
    assert (alone.precision, alone.recall) == (1.0, pytest.approx((1 / 3 * 3 + 1 / 2 * 2) / 5))


@given(st.lists(st.tuples(st.integers(0, 3), st.integers(0, 3)), min_size=1, max_size=10))
def test_bcubed_matches_a_naive_count(labels: list[tuple[int, int]]) -> None:
    gold = {i: g for i, (g, _) in enumerate(labels)}
    predicted = {i: c for i, (_, c) in enumerate(labels)}
    n = len(labels)
    precision = sum(sum(gold[i] == gold[j] for j in range(n) if predicted[j] == predicted[i]) / sum(predicted[j] == predicted[i] for j in range(n)) for i in range(n)) / n
    recall = sum(sum(predicted[i] == predicted[j] for j in range(n) if gold[j] == gold[i]) / sum(gold[j] == gold[i] for j in range(n)) for i in range(n)) / n
    found = bcubed(gold, predicted)
    assert (found.precision, found.recall) == (pytest.approx(precision), pytest.approx(recall))
    # A gold class made of every pair a clustering joins gives that clustering perfect B-cubed.
    same = [(i, j) for i, j in combinations(range(n), 2) if predicted[i] == predicted[j]]
    perfect = bcubed(closure_classes(range(n), same), predicted)
    assert (perfect.precision, perfect.recall) == (pytest.approx(1.0), pytest.approx(1.0))


def test_size_histogram_bins() -> None:
    rows = size_histogram([1, 1, 2, 4, 7, 120], edges=(1, 2, 3, 5, 100))
    assert rows == [("1", 2, 2), ("2", 1, 2), ("3-4", 1, 4), ("5-99", 1, 7), ("100+", 1, 120)]
    with pytest.raises(ValueError):
        size_histogram([1], edges=(2, 1))

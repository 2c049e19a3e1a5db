"""Clustering mechanics with hand-made vectors and a hand-made scorer (no model)."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta

import numpy as np
import pytest

from service.stories.cluster import StoryClusters, choose, recluster, story_support
from service.stories.evidence import StoryDoc
from service.stories.score import BASES, FORMAT, StoryScorer, columns_of
from service.text.names import Names

DIM = 8
T0 = datetime(2019, 5, 14, 12, 0)


def scorer() -> StoryScorer:
    """Score 4 - 3 x lead cosine (background mean 0); P(same) crosses 0.5 at score 2.5 (cosine 0.5)."""
    models = {b: {"intercept": 4.0 if b == "embedding" else 3.0, "weights": {c: 0.0 for c in columns_of(b)}} for b in BASES}
    models["embedding"]["weights"]["lead_centred"] = -3.0
    return StoryScorer.from_dict(
        {
            "format": FORMAT,
            "grace_days": 2.0,
            "models": models,
            "probability": {"same_story_overall": 1.5, "midpoint": 2.5, "slope": 4.0},
            "background_mean": [0.0] * DIM,
        }
    )


def doc(doc_id: str, angle_degrees: float, *, days: float = 0.0, dated: bool = True) -> StoryDoc:
    """A unit lead vector at an angle in the first plane: cosine between docs = cos(angle difference)."""
    a = np.radians(angle_degrees)
    v = np.zeros(DIM, dtype=np.float32)
    v[0], v[1] = np.cos(a), np.sin(a)
    return StoryDoc(doc_id, None, "text", "en", T0 + timedelta(days=days) if dated else None, v, Names(), v)


def test_close_articles_share_a_story_far_ones_do_not() -> None:
    clusters = StoryClusters(scorer(), window_days=7.0)
    first = clusters.add(doc("a", 0))
    second = clusters.add(doc("b", 20))
    third = clusters.add(doc("c", 90))
    assert first.created and not second.created and third.created
    assert clusters.stories() == [("a", "b"), ("c",)]
    assert second.support > 0.5 > third.support


def test_a_bridging_article_merges_two_stories_into_the_oldest_when_asked() -> None:
    clusters = StoryClusters(scorer(), window_days=7.0, merge_support=0.9)
    clusters.add(doc("left", 0))
    clusters.add(doc("right", 80))
    assert len(clusters.stories()) == 2
    bridge = clusters.add(doc("bridge", 40))  # cos 40 deg = 0.77 to both: P 0.96
    assert bridge.story_id == 0 and bridge.merged == (1,)
    assert clusters.stories() == [("left", "right", "bridge")]
    assert clusters.story_of("right") == 0


def test_by_default_a_bridging_article_joins_one_story() -> None:
    clusters = StoryClusters(scorer(), window_days=7.0)
    clusters.add(doc("left", 0))
    clusters.add(doc("right", 80))
    bridge = clusters.add(doc("bridge", 41))  # a little closer to right
    assert bridge.story_id == 1 and bridge.merged == ()
    assert clusters.stories() == [("left",), ("right", "bridge")]


def test_support_is_the_second_best_match() -> None:
    # Matching one member of a larger story is not enough: the mean of the two best
    # (0.55 here) let chains of such links grow into stories of thousands on a real feed.
    x1, x2, y = doc("x1", 0), doc("x2", 0), doc("y", 0)
    near = [(x1, 0), (x2, 0), (y, 1)]
    table = {("new", "x1"): 0.9, ("new", "x2"): 0.2, ("new", "y"): 0.6, ("copy", "x1"): 0.97, ("copy", "x2"): 0.1, ("copy", "y"): 0.1}

    def probability(a: StoryDoc, b: StoryDoc) -> float:
        return table[a.id, b.id]

    assert story_support(doc("new", 0), near, probability) == {0: 0.2, 1: 0.6}
    assert story_support(doc("copy", 0), near, probability) == {0: 0.1, 1: 0.1}  # even a near-copy of x1 alone
    # x2 left out of the shortlist (in_window counts it): it counts as a miss.
    assert story_support(doc("new", 0), [(x1, 0), (y, 1)], probability, in_window={0: 2, 1: 1}) == {0: 0.0, 1: 0.6}


def test_a_larger_story_asks_a_fifth_of_its_members_to_agree() -> None:
    members = [doc(f"m{i}", 0) for i in range(20)]
    near = [(m, 0) for m in members]
    close = {"m0", "m1", "m2"}  # 3 of 20 close: k is 4

    def probability(a: StoryDoc, b: StoryDoc) -> float:
        return 0.9 if b.id in close else 0.1

    assert story_support(doc("new", 0), near, probability) == {0: 0.1}
    close.add("m3")
    assert story_support(doc("new", 0), near, probability) == {0: 0.9}


def test_choose_joins_the_best_story_and_merges_only_when_asked() -> None:
    assert choose({0: 0.97, 1: 0.96, 2: 0.2}, probability_threshold=0.5, merge_support=0.95) == (0, (1,), 0.97)
    assert choose({0: 0.97, 1: 0.96, 2: 0.2}, probability_threshold=0.5) == (0, (), 0.97)  # by default never
    assert choose({0: 0.8, 1: 0.9}, probability_threshold=0.5, merge_support=0.95) == (1, (), 0.9)  # joins the best
    assert choose({0: 0.9, 1: 0.9}, probability_threshold=0.5) == (0, (), 0.9)  # ties: the oldest
    assert choose({0: 0.4}, probability_threshold=0.5) == (None, (), 0.4)


def test_the_time_window_keeps_old_stories_out() -> None:
    clusters = StoryClusters(scorer(), window_days=3.0)
    clusters.add(doc("old", 0, days=0))
    late = clusters.add(doc("late", 0, days=30))
    undated = clusters.add(doc("undated", 0, dated=False))
    assert late.created
    assert not undated.created  # no date: within any window


def test_a_story_past_its_max_age_takes_only_copies_of_its_members() -> None:
    daily = [doc(name, 0, days=day) for name, day in (("a", 0), ("b", 2), ("c", 4), ("d", 6))]
    unbounded = StoryClusters(scorer(), window_days=7.0)
    for d in daily + [doc("e", 0, days=9)]:
        unbounded.add(d)
    assert unbounded.stories() == [("a", "b", "c", "d", "e")]  # a chain of daily reports

    capped = StoryClusters(scorer(), window_days=7.0, max_age_days=7.0)
    for d in daily:
        capped.add(d)
    assert capped.add(doc("e", 0, days=9)).created  # the story began 9 days before e

    copies = {frozenset(("f", "c")): 0.6}
    exempt = StoryClusters(
        scorer(), window_days=7.0, max_age_days=7.0, copied_share=lambda x, y: copies.get(frozenset((x.id, y.id)), 0.0)
    )
    for d in daily:
        exempt.add(d)
    assert exempt.add(doc("f", 0, days=9)).story_id == 0  # f copies c: it joins c's story
    assert exempt.add(doc("g", 0, days=9)).story_id == 1  # g copies no member


def test_same_order_same_stories_and_recluster_ignores_order() -> None:
    docs = [doc("a", 0), doc("b", 25), doc("c", 50), doc("d", 75), doc("e", 180)]
    first = StoryClusters(scorer())
    for d in docs:
        first.add(d)
    again = StoryClusters(scorer())
    for d in docs:
        again.add(d)
    assert first.stories() == again.stories()
    canonical = {frozenset(s) for s in recluster(docs, scorer()).stories()}
    for order in itertools.permutations(docs):
        assert {frozenset(s) for s in recluster(order, scorer()).stories()} == canonical


def test_an_unembedded_article_is_clustered_and_says_why() -> None:
    clusters = StoryClusters(scorer())
    clusters.add(doc("a", 0))
    bare = StoryDoc("x", None, "text", "xx", T0, None, Names())
    result = clusters.add(bare)
    assert result.note.startswith("not embedded")
    assert clusters.story_of("x") in (0, 1)


def test_clear_errors() -> None:
    with pytest.raises(ValueError, match="window_days"):
        StoryClusters(scorer(), window_days=0)
    with pytest.raises(ValueError, match="probability_threshold"):
        StoryClusters(scorer(), probability_threshold=1.5)
    clusters = StoryClusters(scorer())
    clusters.add(doc("a", 0))
    with pytest.raises(ValueError, match="already clustered"):
        clusters.add(doc("a", 0))
    with pytest.raises(ValueError, match="not clustered"):
        clusters.story_of("zzz")

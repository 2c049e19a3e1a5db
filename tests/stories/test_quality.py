"""Story quality figures on hand-made stories (no model)."""

from __future__ import annotations

from service.stories.evidence import StoryDoc
from service.stories.quality import agreement, story_quality
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

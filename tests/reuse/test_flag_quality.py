"""Copy-flag measures against labelled links (service.eval.reuse_quality), checked on small hand-made stores."""

from __future__ import annotations

import doctest
from datetime import datetime

import pytest

from service.eval import reuse_quality as quality
from service.eval.reuse_quality import (
    NOT_FLAGGED,
    Found,
    Precision,
    Share,
    direction_correct,
    far_apart,
    find_links,
    flag_precision,
    relation_table,
    templates_recognised,
)

# Labelled links as (target, source); the store holds 0 as labelled, 1 turned round, 2 as a
# template, 3 as same_outlet, and neither article of 4.
LINKS = [("t0", "s0"), ("t1", "s1"), ("t2", "s2"), ("t3", "s3"), ("t4", "s4")]
STORED = {("t0", "s0"): "copy", ("s1", "t1"): "copy", ("t2", "s2"): "template", ("t3", "s3"): "same_outlet",
          ("x", "y"): "copy"}
LABELS = ["copy", "copy", "template", "shared_source", "template"]


def test_find_links_looks_both_ways_and_reports_unlinked() -> None:
    assert find_links(LINKS, STORED) == [
        Found("copy", False), Found("copy", True), Found("template", False), Found("same_outlet", False),
        Found(NOT_FLAGGED, None),
    ]
    # Stored both ways: the labelled direction is read.
    assert find_links([("a", "b")], {("a", "b"): "copy", ("b", "a"): "template"}) == [Found("copy", False)]
    with pytest.raises(ValueError):
        find_links([("a", "a")], {})


def test_precision_counts_only_links_flagged_copy() -> None:
    relations = [f.relation for f in find_links(LINKS, STORED)]
    found = flag_precision(LABELS, relations)
    assert found == Precision(flagged=2, strict=2, lenient=2)
    relations = ["copy", "copy", "copy", "copy", "none"]
    found = flag_precision(["copy", "shared_source", "template", "not_copy", "copy"], relations)
    assert (found.flagged, found.strict, found.lenient) == (4, 1, 2)
    assert found.strict_share == 0.25 and found.lenient_share == 0.5
    assert flag_precision(["copy"], ["none"]).strict_share is None
    with pytest.raises(ValueError):
        flag_precision(["copy"], [])


def test_relation_table_and_templates() -> None:
    relations = [f.relation for f in find_links(LINKS, STORED)]
    table = relation_table(LABELS, relations)
    assert list(table) == ["copy", "shared_source", "template"]
    assert table["copy"] == {"copy": 2}
    assert table["template"] == {"template": 1, NOT_FLAGGED: 1}
    assert table["shared_source"] == {"same_outlet": 1}
    assert relation_table(["odd"], ["copy"]) == {"odd": {"copy": 1}}
    assert templates_recognised(LABELS, relations) == Share(2, 2)
    assert templates_recognised(["template", "template", "copy"], ["copy", "none", "none"]) == Share(1, 2)
    assert Share(0, 0).value is None and Share(1, 4).value == 0.25


def test_direction_correct_reads_the_stored_target() -> None:
    found = find_links(LINKS, STORED)
    # 0 stored as labelled: right if the reader says as_flagged; 1 turned round: right if reversed.
    assert direction_correct(LABELS, ["as_flagged", "reversed", None, None, None], found) == Share(2, 2)
    assert direction_correct(LABELS, ["reversed", "as_flagged", None, None, None], found) == Share(0, 2)
    # unknown directions, other labels and links not flagged copy are left out
    assert direction_correct(LABELS, ["unknown", "as_flagged", "as_flagged", None, None], found) == Share(0, 1)
    assert direction_correct(["copy"], ["as_flagged"], [Found(NOT_FLAGGED, None)]) == Share(0, 0)


def test_far_apart_counts_gaps_of_days_or_more_either_way() -> None:
    day = datetime(2015, 7, 21)
    times = [(day, datetime(2015, 7, 28)), (datetime(2015, 7, 28), day), (day, datetime(2015, 7, 27, 23, 59)),
             (day, None)]
    assert far_apart(times) == 2
    assert far_apart(times, days=0) == 3
    with pytest.raises(ValueError):
        far_apart(times, days=-1)


def test_docstring_example() -> None:
    assert doctest.testmod(quality).failed == 0


def test_precision_over_several_relations_and_reuse_kept() -> None:
    from service.eval.reuse_quality import reuse_kept

    labels = ["copy", "shared_source", "template", "not_copy", "shared_source"]
    relations = ["shared_source", "copy", "template", "copy", "none"]
    both = flag_precision(labels, relations, flags=("copy", "shared_source"))
    assert (both.flagged, both.strict, both.lenient) == (3, 1, 2)
    assert reuse_kept(labels, relations) == Share(2, 3)

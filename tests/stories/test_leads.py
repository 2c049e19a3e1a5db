"""The lead table shortlists exactly as cluster.shortlist does (property), and grows,
updates, forgets and starts again as documented."""

from __future__ import annotations

import doctest

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import service.stories.leads as leads
from service.stories.cluster import shortlist
from service.stories.evidence import StoryDoc
from service.stories.leads import LeadTable


def _doc(i: int, lead: np.ndarray | None) -> StoryDoc:
    return StoryDoc(str(i), None, "t", "ar", None, lead)


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 10_000), st.integers(1, 120), st.integers(1, 50), st.floats(0.0, 0.5))
def test_closest_matches_cluster_shortlist(seed: int, n: int, size: int, unembedded: float) -> None:
    rng = np.random.default_rng(seed)
    vectors = rng.normal(size=(n, 8)).astype(np.float32)
    vectors[rng.random(n) < 0.2] = vectors[0]  # ties
    lacking = rng.random(n) < unembedded
    docs = [_doc(i, None if lacking[i] else vectors[i]) for i in range(n)]
    table = LeadTable(capacity=1000)
    for d in docs:
        table.put(int(d.id), d.lead)
    query = rng.normal(size=8).astype(np.float32)
    ids = [int(d.id) for d in docs]
    near = [(d, 0) for d in docs]
    expected = [int(d.id) for d, _ in shortlist(_doc(-1, query), near, size=size)] if n > size else ids
    assert table.closest(query, ids, size=size) == expected


def test_updates_forgets_and_starts_again_when_full() -> None:
    table = LeadTable(capacity=2)
    table.put(1, np.array([1.0, 0.0], np.float32))
    table.put(1, np.array([0.0, 1.0], np.float32))  # re-embedded: the row is replaced
    table.put(2, np.array([1.0, 0.0], np.float32))
    assert table.closest(np.array([0.0, 1.0], np.float32), [1, 2], size=1) == [1]
    table.forget(2)
    assert not table.known(2) and table.known(1)
    table.put(3, np.array([1.0, 0.0], np.float32))  # full: starts again with 3 only
    assert table.known(3) and not table.known(1)
    table.put(4, np.array([1.0, 0.0, 0.0], np.float32))  # another model's dimension
    assert table.known(4) and not table.known(3)
    assert doctest.testmod(leads).failed == 0

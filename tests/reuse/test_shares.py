"""The copied share: one formula, symmetric for the story score, per side for a link."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from service.domain import ArticleInput
from service.pipeline.prepare import preview
from service.reuse.align import CopiedSpan, align
from service.reuse.flags import link_between
from service.reuse.shares import copied_share, covered, side_share

SPAN = st.tuples(st.integers(0, 500), st.integers(1, 200)).map(lambda t: (t[0], t[0] + t[1]))


@given(st.lists(SPAN, max_size=8))
def test_covered_counts_each_character_once(intervals: list[tuple[int, int]]) -> None:
    naive = len({c for s, e in intervals for c in range(s, e)})
    assert covered(intervals) == naive


@given(st.lists(st.tuples(SPAN, SPAN), max_size=6), st.integers(1, 900), st.integers(1, 900))
def test_copied_share_is_symmetric_and_the_larger_side(pairs, a_length: int, b_length: int) -> None:  # type: ignore[no-untyped-def]
    spans = [CopiedSpan(a0, a1, b0, b1, "verbatim", 1.0) for (a0, a1), (b0, b1) in pairs]
    swapped = [CopiedSpan(s.b_start, s.b_end, s.a_start, s.a_end, s.kind, s.similarity) for s in spans]
    share = copied_share(spans, a_length, b_length)
    assert share == copied_share(swapped, b_length, a_length)
    assert share == max(side_share([(s.a_start, s.a_end) for s in spans], a_length), side_share([(s.b_start, s.b_end) for s in spans], b_length))
    assert 0.0 <= share <= 1.0


def test_a_link_keeps_the_copiers_share_and_the_pairs() -> None:
    """A long article that took a whole short one: the link's share is the long one's part,
    its pair share (what the story score reads) is 1, as ``/similarity`` computes it."""
    wire = "أعلن وزير المالية اليوم في الرياض عن ميزانية جديدة للعام المقبل تشمل زيادة الإنفاق على التعليم والصحة بنسبة كبيرة."
    extra = " وقال محللون إن القرار سيؤثر في أسواق المنطقة خلال الأشهر القادمة وفي قطاعات البناء والنقل والطاقة." * 4
    source = preview(ArticleInput(text=wire, outlet="was", published_at=datetime(2015, 7, 1, 8, tzinfo=UTC)))
    target = preview(ArticleInput(text=wire + extra, outlet="okaz", published_at=datetime(2015, 7, 1, 12, tzinfo=UTC)))
    source, target = replace(source, id=1), replace(target, id=2)
    spans = align(target.clean_text, source.clean_text)
    link = link_between(target, source, spans)
    assert (link.target_id, link.source_id) == (2, 1)
    assert link.share < 0.5 and link.pair_share == round(copied_share(spans, len(target.clean_text), len(source.clean_text)), 4) > 0.95

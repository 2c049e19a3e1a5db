"""Overlapping spans become flat pieces that rebuild the text exactly."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from service.api.pages.highlight import Mark, pieces, side_marks
from service.compare.result import AlignedPair, Comparison, Passage, QuoteMatch, SharedPassage, StoryVerdict


def test_overlaps_nest_and_clip() -> None:
    out = pieces("abcdef", [Mark(1, 4, "copied"), Mark(2, 6, "quote", "q1", "بومبيو"), Mark(5, 99, "only")])
    assert [(p.text, p.classes, p.links) for p in out] == [
        ("a", (), ()),
        ("b", ("copied",), ()),
        ("cd", ("copied", "quote"), ("q1",)),
        ("e", ("quote",), ("q1",)),
        ("f", ("quote", "only"), ("q1",)),
    ]


@given(st.text(max_size=40), st.lists(st.tuples(st.integers(-5, 50), st.integers(-5, 50)), max_size=6))
def test_pieces_rebuild_the_text(text: str, ranges: list[tuple[int, int]]) -> None:
    out = pieces(text, [Mark(a, b, "copied") for a, b in ranges])
    assert "".join(p.text for p in out) == text


def test_side_marks_link_only_quotes_both_sides_carry() -> None:
    result = Comparison(
        same_story=StoryVerdict(1.0, 0.99, "embedding", {}),
        copied_spans=(SharedPassage(0, 5, 1, 6, "verbatim"),),
        aligned=(AlignedPair(0, 9, 0, 9, "edited", 0.9),),
        quotes=(
            QuoteMatch("X", Passage(2, 4), Passage(3, 5), "edited", (), 0.95),
            QuoteMatch("Y", Passage(6, 8), None, "only_in_a", ()),
        ),
        only_in_a=(Passage(10, 12),),
        only_in_b=(),
    )
    marks = side_marks(result, "a")
    assert [(m.kind, m.link) for m in marks] == [("copied", ""), ("aligned", "p0"), ("quote", "q0"), ("quote", ""), ("only", "")]
    assert [m.kind for m in side_marks(result, "b")] == ["copied", "aligned", "quote"]

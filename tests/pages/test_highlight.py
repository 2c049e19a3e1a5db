"""Overlapping spans become flat pieces that rebuild the text exactly."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from service.api.pages.highlight import Mark, pieces, side_marks


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
    result = {
        "copied_spans": [{"a_start": 0, "a_end": 5, "b_start": 1, "b_end": 6, "kind": "verbatim"}],
        "aligned": [{"a_start": 0, "a_end": 9, "b_start": 0, "b_end": 9, "kind": "edited", "similarity": 0.9}],
        "quotes": [
            {"speaker": "X", "a": {"start": 2, "end": 4}, "b": {"start": 3, "end": 5}, "kind": "edited", "diff": []},
            {"speaker": "Y", "a": {"start": 6, "end": 8}, "b": None, "kind": "only_in_a", "diff": []},
        ],
        "only_in_a": [{"start": 10, "end": 12}],
        "only_in_b": [],
    }
    marks = side_marks(result, "a")
    assert [(m.kind, m.link) for m in marks] == [("copied", ""), ("aligned", "p0"), ("quote", "q0"), ("quote", ""), ("only", "")]
    assert [m.kind for m in side_marks(result, "b")] == ["copied", "aligned", "quote"]

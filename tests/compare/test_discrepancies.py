"""Figures that differ are reported on every aligned pair, a near-verbatim one included:
one changed number in a long sentence leaves its wording "verbatim" by ratio."""

from __future__ import annotations

from service.compare import compare
from service.domain import ArticleInput
from service.pipeline.prepare import preview
from service.stories.score import SameStory

SAME = SameStory(score=1.0, probability=1.0, basis="test", evidence={}, missing=())
A = "قال محافظ المدينة في مؤتمر صحفي مساء اليوم إن 12 شخصا أصيبوا في حريق اندلع في مستودع للأخشاب بالمنطقة الصناعية شرق المدينة."
B = "قال محافظ المدينة في مؤتمر صحفي مساء اليوم إن 14 شخصا أصيبوا في حريق اندلع في مستودع للأخشاب بالمنطقة الصناعية شرق المدينة."


def test_a_changed_number_in_a_verbatim_pair_is_a_discrepancy() -> None:
    a, b = preview(ArticleInput(text=A, language="ar")), preview(ArticleInput(text=B, language="ar"))
    result = compare(a, b, encoder=None, same_story=SAME)
    assert [p.kind for p in result.aligned] == ["verbatim"]  # the pair is verbatim by ratio ...
    (found,) = result.discrepancies  # ... and its figures still differ
    assert (found.a, found.b) == (("12",), ("14",))
    assert A[found.a_start : found.a_end] == A and B[found.b_start : found.b_end] == B


def test_the_same_figures_are_no_discrepancy() -> None:
    a, b = preview(ArticleInput(text=A, language="ar")), preview(ArticleInput(text=A + " ", language="ar"))
    assert compare(a, b, encoder=None, same_story=SAME).discrepancies == ()

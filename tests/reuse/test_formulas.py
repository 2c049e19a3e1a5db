"""Set phrases (official titles) shared briefly with many earlier articles are not copies."""

from __future__ import annotations

import pytest

from service.reuse.align import CopiedSpan
from service.reuse.detect import Copy
from service.reuse.formulas import drop_set_phrases

TITLE = "صاحب السمو الملكي الأمير محمد بن سلمان بن عبدالعزيز ولي ولي العهد النائب الثاني لرئيس مجلس الوزراء وزير الدفاع"
BODY = " ".join(f"كلمة{i}" for i in range(60))
TEXT = f"استقبل {TITLE} اليوم الوفد. {BODY}"


def _copy(other_id: int, *ranges: tuple[int, int]) -> Copy:
    return Copy(other_id, tuple(CopiedSpan(a, b, 0, b - a, "verbatim", 1.0) for a, b in ranges), 3)


def _title() -> tuple[int, int]:
    start = TEXT.index(TITLE)
    return start, start + len(TITLE)


def _body() -> tuple[int, int]:
    start = TEXT.index(BODY)
    return start, start + len(BODY)


def test_a_title_shared_with_many_articles_is_dropped_a_long_copy_is_kept() -> None:
    copies = [_copy(i, _title()) for i in range(1, 5)] + [_copy(9, _title(), _body())]
    kept = drop_set_phrases(copies, TEXT)
    assert [c.other_id for c in kept] == [9]
    assert [(s.a_start, s.a_end) for s in kept[0].spans] == [_body()]


def test_a_title_shared_with_few_articles_is_kept() -> None:
    copies = [_copy(1, _title()), _copy(2, _title())]
    assert [c.other_id for c in drop_set_phrases(copies, TEXT)] == [1, 2]


def test_long_spans_are_copies_however_common() -> None:
    copies = [_copy(i, _body()) for i in range(1, 8)]
    assert len(drop_set_phrases(copies, TEXT)) == 7


def test_bad_parameters() -> None:
    with pytest.raises(ValueError):
        drop_set_phrases([], TEXT, min_sources=1)

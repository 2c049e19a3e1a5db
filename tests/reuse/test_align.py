"""Alignment: the seeds' copied passages (seeds/README.md), and spans that reproduce their text."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from service.reuse.align import MIN_SPAN_WORDS, align
from service.text.boilerplate import clean
from service.text.normalize import normalize
from tests.conftest import seed_metadata, seed_text

CLEAN = {m["id"][:3]: clean(seed_text(m["id"]), title=m["title"]).text for m in seed_metadata()}
PUTIN_LIST = "الحفاظ على الاستقرار الاستراتيجي ومنع انتشار أسلحة الدمار الشامل وحل الأزمات الإقليمية ومكافحة الجريمة المنظمة"


def _words(text: str) -> int:
    return len(normalize(text).text.split())


def test_001_and_003_share_the_putin_opening_remarks() -> None:
    a, b = CLEAN["001"], CLEAN["003"]
    spans = align(a, b)
    assert spans, "001 and 003 share Putin's opening remarks"
    covered_a = " ".join(a[s.a_start : s.a_end] for s in spans)
    # Every copied run of 8+ words listed in the seeds README is inside a reported span.
    for run in [
        "سعيه إلى تطبيع العلاقات مع واشنطن",
        "كما تعرفون تحدثت مع الرئيس",
        "عبرنا مرارا عن إرادتنا استعادة العلاقة",
        "بدأ بالتغير، خاصة في مجالات الحفاظ على الاستقرار الاستراتيجي",
    ]:
        assert run in covered_a, run
    assert sum(_words(a[s.a_start : s.a_end]) for s in spans) >= 90


@pytest.mark.parametrize("other", ["001", "003"])
def test_000_shares_the_putin_list_with_001_and_003(other: str) -> None:
    a, b = CLEAN["000"], CLEAN[other]
    spans = align(a, b)
    assert len(spans) == 1
    span = spans[0]
    assert PUTIN_LIST in a[span.a_start : span.a_end]
    assert normalize(PUTIN_LIST).text in normalize(b[span.b_start : span.b_end]).text
    assert 30 <= _words(a[span.a_start : span.a_end]) <= 70


@pytest.mark.parametrize(("x", "y"), [("004", "000"), ("004", "001"), ("004", "002"), ("004", "003"), ("002", "000"), ("002", "001"), ("002", "003")])
def test_no_copy_where_there_is_none(x: str, y: str) -> None:
    assert align(CLEAN[x], CLEAN[y]) == []


def test_identical_texts_are_one_verbatim_span() -> None:
    text = CLEAN["002"]
    spans = align(text, text)
    assert len(spans) == 1 and spans[0].kind == "verbatim" and spans[0].similarity == 1.0
    assert spans[0].a_end - spans[0].a_start > 0.9 * len(text)


WORDS = st.sampled_from("بوتين بومبيو سوتشي العلاقات الروسية الأمريكية الرئيس وزير الخارجية المحادثات سورية إيران مرارًا الأميركي".split())


@settings(max_examples=150, deadline=None)
@given(st.lists(WORDS, min_size=12, max_size=40), st.lists(WORDS, max_size=20), st.lists(WORDS, max_size=20))
def test_spans_reproduce_the_matched_text(shared: list[str], left: list[str], right: list[str]) -> None:
    a = " ".join(left + shared) + "."
    b = "مقدمة. " + " ".join(shared + right)
    for span in align(a, b):
        a_norm = normalize(a[span.a_start : span.a_end]).text.split()
        b_norm = normalize(b[span.b_start : span.b_end]).text.split()
        assert min(len(a_norm), len(b_norm)) >= MIN_SPAN_WORDS
        if span.kind == "verbatim":
            assert a_norm == b_norm
        assert 0.0 < span.similarity <= 1.0
        # Spans start and end on word boundaries of the original texts.
        assert a[span.a_start].strip() and a[span.a_end - 1].strip()


def test_a_source_passage_copied_twice_is_two_spans() -> None:
    source = CLEAN["003"]
    run = "كما تعرفون تحدثت مع الرئيس"
    start = source.index(run)
    passage = source[start : start + 400]
    text = "مقدمة أولى عن موضوع آخر تماما. " + passage + "\n\nفقرة فاصلة طويلة عن الطقس والرياضة والاقتصاد والثقافة والفنون في المدينة " * 5 + passage
    spans = align(text, source)
    assert len([s for s in spans if run in text[s.a_start : s.a_end]]) == 2


FIRST = ("The national team secured its place in the final with a two-one win over the defending champions, "
         "thanks to a header from the captain in the eighty-seventh minute.")
DROPPED = "The visitors had taken the lead early in the second half through a penalty, before a long-range shot levelled the score."
SHORT = "The coach praised his players for staying calm under pressure."  # 10 words


def test_a_short_copied_sentence_after_a_dropped_one_continues_the_copy() -> None:
    """Cut and paste that leaves a sentence out: the short sentence after the gap is copied
    too, though alone it would be under MIN_SPAN_WORDS words (a set phrase)."""
    source = f"{FIRST} {DROPPED} {SHORT} The squad rests for two days before travelling to the capital."
    answer = f"{FIRST} {SHORT}"
    assert _words(SHORT) < MIN_SPAN_WORDS
    (span,) = align(answer, source)
    assert answer[span.a_start : span.a_end].endswith("calm under pressure")
    assert source[span.b_start : span.b_end].endswith("calm under pressure")
    # Alone, or far from any copied passage, the short sentence is no copy.
    assert align(f"Other news of the day. {SHORT}", source) == []
    far = " ".join(f"filler{k}" for k in range(60))
    (alone,) = align(f"{FIRST} {far} {SHORT}", source)
    assert answer[alone.a_start : alone.a_end] == FIRST[:-1]


def test_spans_stay_inside_both_texts_for_gapped_copies() -> None:
    """Copies that keep runs of the source, drop blocks of it and insert words (short
    identical runs beside longer passages) give spans within both texts."""
    import random

    rng = random.Random(7)
    for _ in range(1500):
        source = [f"v{rng.randrange(100_000)}" for _ in range(rng.randint(40, 120))]
        copy: list[str] = []
        at = 0
        while at < len(source):
            r = rng.random()
            if r < 0.5:
                step = rng.randint(4, 25)
                copy += source[at : at + step]
                at += step
            elif r < 0.7:
                at += rng.randint(5, 30)  # a block left out
            else:
                copy += [f"n{rng.randrange(100_000)}" for _ in range(rng.randint(1, 4))]
        a, b = " ".join(copy), " ".join(source)
        for span in align(a, b):
            assert 0 <= span.a_start < span.a_end <= len(a) and 0 <= span.b_start < span.b_end <= len(b)

"""Templates: fixed wording with other slots, or set text shared by two happenings."""

from __future__ import annotations

from service.domain import WordStats
from service.reuse.align import CopiedSpan, align
from service.reuse.templates import MIN_CORPUS, content_words, judge

FRAME = "بعث خادم الحرمين الشريفين برقية تهنئة لفخامة الرئيس {name} رئيس {country} بمناسبة ذكرى {day} لبلاده وأعرب عن أصدق التهاني وأطيب التمنيات بموفور الصحة والسعادة لفخامته ولحكومة وشعب {country} الشقيق اطراد التقدم والازدهار"
TUNISIA = FRAME.format(name="الباجي قايد السبسي", country="الجمهورية التونسية", day="إعلان الجمهورية")
COLOMBIA = FRAME.format(name="خوان مانويل سانتوس", country="جمهورية كولومبيا", day="الاستقلال")


def _stats(*texts: str, articles: int = 5000) -> WordStats:
    """A corpus in which the frame's words are common and the texts' own words rare."""
    frame = content_words(FRAME.format(name="", country="", day=""))
    counts = {w: 900 for w in frame}
    for text in texts:
        for w in content_words(text) - frame:
            counts[w] = counts.get(w, 0) + 1
    return WordStats(articles, counts)


def test_the_same_cable_to_two_countries_is_a_template() -> None:
    spans = align(TUNISIA, COLOMBIA)
    assert spans, "the frame aligns"
    verdict = judge(TUNISIA, COLOMBIA, spans, _stats(TUNISIA, COLOMBIA))
    assert verdict.relation == "template" and verdict.template_spans == frozenset(range(len(spans)))


def test_an_edited_copy_keeps_its_names_and_is_a_copy() -> None:
    edited = TUNISIA.replace("أصدق التهاني", "أجمل التهاني").replace("الشقيق", "")
    spans = align(TUNISIA, edited)
    verdict = judge(TUNISIA, edited, spans, _stats(TUNISIA, edited))
    assert verdict.relation == "copy" and not verdict.template_spans


def test_a_template_passage_beside_a_copied_one_leaves_the_copy() -> None:
    news = " وقال المتحدث باسم الديوان إن الزيارة المرتقبة لرئيس الوزراء الماليزي ستشمل توقيع اتفاقيات في مجالات الطاقة والتعليم والصحة خلال الأسبوع المقبل"
    a, b = TUNISIA + news, COLOMBIA + news
    spans = [  # as the aligner gives them when other text separates the two passages
        CopiedSpan(0, len(TUNISIA), 0, len(COLOMBIA), "edited", 0.8),
        CopiedSpan(len(TUNISIA), len(a), len(COLOMBIA), len(b), "verbatim", 1.0),
    ]
    verdict = judge(a, b, spans, _stats(a, b))
    assert verdict.relation == "copy" and verdict.template_spans == frozenset({0})


def test_no_corpus_no_judgement() -> None:
    spans = align(TUNISIA, COLOMBIA)
    small = _stats(TUNISIA, COLOMBIA, articles=MIN_CORPUS - 1)
    assert judge(TUNISIA, COLOMBIA, spans, small).relation == "copy"
    assert judge(TUNISIA, COLOMBIA, [], _stats()).relation == "copy"


def test_spans_given_by_hand_are_judged_on_their_words() -> None:
    whole = [CopiedSpan(0, len(TUNISIA), 0, len(COLOMBIA), "edited", 0.8)]
    assert judge(TUNISIA, COLOMBIA, whole, _stats(TUNISIA, COLOMBIA)).relation == "template"


def test_the_module_example_holds() -> None:
    import doctest

    from service.reuse import templates

    assert doctest.testmod(templates).failed == 0


BULLETIN = (
    "توقعت الرئاسة العامة للأرصاد وحماية البيئة في تقريرها عن حالة الطقس أن تكون الرياح على البحر الأحمر "
    "شمالية غربية بسرعة {wind} كم في الساعة وارتفاع الموج من متر إلى مترين وحالة البحر خفيف إلى متوسط الموج "
    "وأن تكون الرياح على الخليج العربي شمالية بسرعة 15 إلى 35 كم في الساعة وارتفاع الموج من نصف متر إلى متر ونصف "
    "وحالة البحر خفيف الموج مع فرصة لتكون السحب الرعدية على مرتفعات جازان وعسير والباحة تمتد إلى مكة المكرمة"
)


def test_one_bulletin_with_another_days_figures_is_a_template() -> None:
    # Every figure of each day's bulletin is also in the other's text: the slots share too
    # little weight for the first sign, and only the days tell another day's readings.
    monday, wednesday = BULLETIN.format(wind="20 إلى 40"), BULLETIN.format(wind="15 إلى 35")
    spans = align(monday, wednesday)
    stats = _stats(monday, wednesday)
    assert judge(monday, wednesday, spans, stats).relation == "copy"
    assert judge(monday, wednesday, spans, stats, days=0.4).relation == "copy"
    verdict = judge(monday, wednesday, spans, stats, days=2.0)
    assert verdict.relation == "template" and verdict.template_spans == frozenset(range(len(spans)))


def test_a_copy_taken_days_later_with_its_figures_is_a_copy() -> None:
    monday = BULLETIN.format(wind="20 إلى 40")
    reprinted = monday.replace("في تقريرها عن حالة الطقس", "في تقريرها اليومي")
    spans = align(monday, reprinted)
    assert judge(monday, reprinted, spans, _stats(monday, reprinted), days=3.0).relation == "copy"


def test_days_apart_of_unknown_times_is_unknown() -> None:
    from datetime import datetime

    from service.domain import days_apart

    assert days_apart(None, datetime(2015, 7, 21)) is None
    assert days_apart(datetime(2015, 7, 23, 12), datetime(2015, 7, 21)) == 2.5

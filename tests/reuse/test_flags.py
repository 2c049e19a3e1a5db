"""Copy flags: direction by time, relation, share, METER label, credit."""

from __future__ import annotations

from datetime import UTC, datetime

from service.domain import Article, Block
from service.reuse.align import CopiedSpan
from service.reuse.flags import credit_of, direction_of, link_between, relations_of


def _article(article_id: int, text: str, outlet: str | None, day: int | None) -> Article:
    return Article(
        id=article_id,
        text="  " + text,  # the original has leading whitespace: spans must shift by 2
        clean_text=text,
        blocks=(Block(0, 2, len(text)),),
        content_hash=str(article_id),
        outlet=outlet,
        published_at=datetime(2015, 7, day, tzinfo=UTC) if day else None,
    )


def test_direction_follows_publication_time_and_offsets_index_the_originals() -> None:
    agency = _article(1, "A" * 100, "was", 21)
    paper = _article(2, "B" * 20 + "A" * 100, "okaz", 22)
    # Aligned with the paper as "a": the paper stored later but published later too.
    link = link_between(paper, agency, [CopiedSpan(20, 120, 0, 100, "verbatim", 1.0)])
    assert (link.source_id, link.target_id) == (1, 2)
    assert link.relation == "copy" and link.label == "wholly" and link.share == round(100 / 120, 4)
    span = link.spans[0]
    assert (span.target_start, span.target_end, span.source_start, span.source_end) == (22, 122, 2, 102)
    assert not link.credited


def test_same_outlet_and_partial() -> None:
    first = _article(1, "x" * 300, "SANA", 1)
    second = _article(2, "y" * 300, "SANA", 2)
    link = link_between(second, first, [CopiedSpan(0, 60, 0, 60, "edited", 0.8)])
    assert link.relation == "same_outlet" and link.label == "partially" and link.share == 0.2


def test_credit_names_outlets_and_agencies_in_any_script() -> None:
    assert credit_of("وكالات – الثورة:", source_outlet=None) == "وكالات"
    assert credit_of("ونقلت روسيا اليوم عن بوتين", source_outlet=None) == "روسيا اليوم"
    assert credit_of("الرياض - واس: أعلن", source_outlet=None) == "واس"
    assert credit_of("وذكرت سانا أن", source_outlet="SANA (سانا)") == "سانا"
    assert credit_of("Paris (AFP) - The minister said", source_outlet=None) == "afp"
    assert credit_of("Japan's minister said", source_outlet=None) is None  # "ap" inside a word
    assert credit_of("قال الوزير إن", source_outlet="okaz") is None


def _at(article_id: int, text: str, outlet: str | None, when: datetime | None) -> Article:
    return Article(id=article_id, text=text, clean_text=text, blocks=(Block(0, 0, len(text)),), content_hash=str(article_id),
                   outlet=outlet, published_at=when)


STORY = "أعلن الوزير اليوم افتتاح المستشفى الجديد في المدينة بتكلفة بلغت مئتي مليون ريال. " * 3


def test_direction_from_the_agency_dateline_beats_an_earlier_crawl_time() -> None:
    agency = _at(1, "الرياض 5 شوال 1436 هـ واس " + STORY, "was", datetime(2015, 7, 22, 12, tzinfo=UTC))
    paper = _at(2, "الرياض - واس\n" + STORY, "okaz", datetime(2015, 7, 22, 9, tzinfo=UTC))  # crawled first
    found = direction_of(paper, agency)
    assert (found.source.id, found.target.id, found.direction, found.basis) == (1, 2, "known", "dateline")


def test_direction_from_a_credit_then_an_agency_then_time_then_id() -> None:
    early, late = datetime(2015, 7, 22, 8, tzinfo=UTC), datetime(2015, 7, 22, 20, tzinfo=UTC)
    original = _at(1, STORY, "alriyadh", late)
    crediting = _at(2, STORY + " نقلا عن alriyadh", "okaz", early)
    assert direction_of(crediting, original).basis == "credit" and direction_of(crediting, original).source.id == 1
    agency = _at(3, STORY, "Reuters", late)
    paper = _at(4, STORY, "okaz", early)
    found = direction_of(paper, agency)
    assert (found.source.id, found.basis, found.direction) == (3, "agency", "known")
    first, second = _at(5, STORY, "alwatan", early), _at(6, STORY, "okaz", late)
    assert (direction_of(second, first).source.id, direction_of(second, first).basis) == (5, "time")
    close = _at(7, STORY, "alyaum", early.replace(minute=20))
    assert direction_of(close, first).direction == "uncertain"  # 20 minutes: the crawl can tell nothing
    undated_a, undated_b = _at(8, STORY, "a", None), _at(9, STORY, "b", None)
    found = direction_of(undated_b, undated_a)
    assert (found.source.id, found.basis, found.direction) == (8, "id", "known")


def test_two_newspapers_with_one_agency_story_are_siblings() -> None:
    a = _at(1, "لندن - رويترز\n" + STORY, "alriyadh", datetime(2015, 7, 22, 8, tzinfo=UTC))
    b = _at(2, STORY, "aljazirah", datetime(2015, 7, 22, 20, tzinfo=UTC))
    link = link_between(b, a, [CopiedSpan(0, len(STORY), len("لندن - رويترز\n"), len(a.clean_text), "verbatim", 1.0)])
    assert link.relation == "shared_source" and link.direction == "uncertain" and link.direction_basis == "dateline"
    assert relations_of("reuse") == ("copy", "shared_source") and relations_of("any") is None
    assert relations_of("copy", include_templates=True) == ("copy", "template")

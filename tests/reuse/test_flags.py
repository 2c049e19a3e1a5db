"""Copy flags: direction by time, relation, share, METER label, credit."""

from __future__ import annotations

from datetime import UTC, datetime

from service.domain import Article, Block
from service.reuse.align import CopiedSpan
from service.reuse.flags import credit_of, link_between


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

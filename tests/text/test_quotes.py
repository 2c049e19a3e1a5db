"""Quote extraction: direct and reported, speakers through titles, offsets into the text."""

from __future__ import annotations

from service.text.quotes import extract_quotes, title_names


def _said(text: str, language: str = "ar") -> list[tuple[str, str | None, str]]:
    return [(q.kind, q.speaker, text[q.start : q.end]) for q in extract_quotes(text, language=language)]


def test_reported_then_direct_with_the_speaker_carried_over() -> None:
    text = "قال الرئيس الروسي فلاديمير بوتين إن العلاقات مع واشنطن تتحسن. وأضاف: «نحن مستعدون للحوار مع الجميع»."
    assert _said(text) == [
        ("reported", "بوتين", "العلاقات مع واشنطن تتحسن"),
        ("direct", "بوتين", "نحن مستعدون للحوار مع الجميع"),
    ]


def test_a_bare_title_resolves_to_the_name_it_was_given_earlier() -> None:
    text = (
        "التقى الرئيس الروسي فلاديمير بوتين الوزير في سوتشي اليوم. "
        "وأكد الرئيس الروسي أن الوضع في العلاقات بدأ بالتغير في مجالات كثيرة."
    )
    quotes = extract_quotes(text, language="ar")
    assert [(q.speaker, q.speaker_title) for q in quotes] == [("بوتين", None)]
    assert title_names(text) == {"الرييس الروسي": "بوتين"}


def test_an_unnamed_title_is_kept_for_matching_across_articles() -> None:
    text = "وأكد وزير الخارجية الأميركي وجود مجال للتعاون قائلا: لدينا مصالح مشتركة مع روسيا."
    (quote,) = extract_quotes(text, language="ar")
    assert quote.speaker is None and quote.speaker_title is not None and quote.speaker_title.endswith("الخارجيه الامريكي")


def test_a_quote_left_open_ends_with_its_paragraph() -> None:
    text = "وقال بوتين إن التعاون ممكن في مجالات “الحفاظ على الاستقرار ومكافحة الفقر في العالم.\nفقرة أخرى لا علاقة لها بالاقتباس."
    kinds = _said(text)
    assert kinds[0][0] == "direct" and kinds[0][2].endswith("الفقر في العالم") and "فقرة" not in kinds[0][2]


def test_english_speakers_before_and_after_the_verb() -> None:
    text = 'Pompeo said the talks were "very constructive and useful today". "We have common interests," said Lavrov.'
    quotes = _said(text, "en")
    assert quotes[0] == ("direct", "Pompeo", "very constructive and useful today")
    assert [q[1] for q in quotes] == ["Pompeo", "Lavrov"]


def test_no_quotes_in_plain_text() -> None:
    assert extract_quotes("ارتفعت أسعار النفط اليوم في الأسواق العالمية بنسبة طفيفة.", language="ar") == []

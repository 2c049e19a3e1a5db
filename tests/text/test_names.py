"""Names, numbers and dates: Arabic (no capitals), English, French and Turkish rules."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.text.names import Names, extract_names, name_key

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def test_english_capitalised_words_not_at_sentence_start() -> None:
    names = extract_names("The talks were held in Sochi. Officials said Mike Pompeo met Putin there.", language="en")
    assert {"sochi", "mike", "pompeo", "putin"} <= names.entities
    assert "the" not in names.entities and "officials" not in names.entities


def test_sentence_initial_word_counts_when_capitalised_elsewhere_or_followed_by_a_name() -> None:
    names = extract_names("Lavrov spoke first. Then Lavrov left. Vladimir Putin arrived.", language="en")
    assert {"lavrov", "vladimir", "putin"} <= names.entities
    assert "then" not in names.entities


def test_french_elision_and_accents_fold() -> None:
    names = extract_names("Le ministre a parlé à l'Élysée avec Emmanuel Macron, selon l'AFP.", language="fr")
    assert {"elysee", "emmanuel", "macron", "afp"} <= names.entities
    assert "le" not in names.entities


def test_turkish_suffix_after_apostrophe_and_dotted_capital_i() -> None:
    names = extract_names("Vali bugün İzmir'de açıklama yaptı. Bakan Koca'nın sözleri İzmir için önemli.", language="tr")
    assert {"izmir", "koca"} <= names.entities
    assert name_key("İzmir") == name_key("izmir") == "izmir"


def test_shouted_lines_are_skipped() -> None:
    names = extract_names("SON DAKİKA HABERİ BURADA\nBir açıklama yapan Ahmet Yılmaz konuştu.", language="tr")
    assert "dakika" not in names.entities and "ahmet" in names.entities


def test_arabic_names_after_titles_skip_adjectives() -> None:
    text = "التقى الرئيس الروسي فلاديمير بوتين وزير الخارجية الأمريكي مايك بومبيو في مدينة سوتشي."
    names = extract_names(text, language="ar")
    assert {"فلاديمير", "بوتين", "مايك", "بومبيو", "سوتشي"} <= names.entities
    assert "الروسي" not in names.entities and "الخارجيه" not in names.entities


def test_arabic_repeated_words_and_proclitics_meet() -> None:
    text = "قال لافروف إن المحادثات جيدة. وأكد لافروف لبومبيو أن بومبيو مرحب به."
    names = extract_names(text, language="ar")
    assert {"لافروف", "بومبيو"} <= names.entities
    assert "لبومبيو" not in names.entities


def test_numbers_fold_separators_and_arabic_indic_digits() -> None:
    assert {"1059000", "1.5"} <= extract_names("avec 1 059 000 ventes, soit 1,5 %", language="fr").numbers
    assert "1059000" in extract_names("1.059.000 kişi", language="tr").numbers
    assert "1059000" in extract_names("1,059,000 people", language="en").numbers
    assert "2254" in extract_names("القرار ٢٢٥٤", language="ar").numbers
    assert extract_names("3 people", language="en").numbers == frozenset()  # single digits say nothing


def test_years_and_day_month_dates_in_each_language() -> None:
    assert extract_names("on 14 May 2019", language="en").dates == {"05-14"}
    assert extract_names("on May 14, 2019", language="en").years == {"2019"}
    assert extract_names("le 1er mai 2019", language="fr").dates == {"05-01"}
    assert extract_names("25 Mart 2020 tarihinde", language="tr").dates == {"03-25"}
    arabic = extract_names("في 14 أيار/مايو 2019", language="ar")
    assert arabic.dates == {"05-14"} and arabic.years == {"2019"}


def test_language_none_guesses_the_script() -> None:
    assert "بوتين" in extract_names("قال الرئيس بوتين ذلك", language=None).entities
    assert "putin" in extract_names("He said that Putin", language=None).entities


def test_not_a_string_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="text must be a str"):
        extract_names(None, language="en")  # type: ignore[arg-type]


def test_seed_articles_share_the_event_names() -> None:
    docs = {p.name[:3]: extract_names(p.read_text(encoding="utf-8"), language="ar") for p in sorted(SEEDS.glob("00*.txt"))}
    assert isinstance(docs["000"], Names)
    for key in ("000", "001", "002", "003"):
        assert {"بومبيو", "سوتشي"} & docs[key].entities, key
    assert "سوتشي" not in docs["004"].entities and "بومبيو" not in docs["004"].entities
    assert "بوتين" in docs["004"].entities  # the shared actor is found too


def test_docstring_examples_hold() -> None:
    import doctest

    import service.text.names as names

    assert doctest.testmod(names).failed == 0

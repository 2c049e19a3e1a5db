"""Paragraphs, sentences and words, in Arabic and Latin scripts."""

from __future__ import annotations

from service.text.segment import paragraphs, sentences, words
from tests.conftest import seed_text


def _texts(text: str, spans) -> list[str]:  # type: ignore[no-untyped-def]
    return [text[s.start : s.end] for s in spans]


def test_arabic_punctuation_and_quotes() -> None:
    text = "قال بوتين: «نأمل بالتغيير. نحن مستعدون». وأضاف أن المحادثات بناءة؟ نعم! ثم غادر…  وانتهى اللقاء."
    assert _texts(text, sentences(text)) == [
        "قال بوتين: «نأمل بالتغيير. نحن مستعدون».",
        "وأضاف أن المحادثات بناءة؟",
        "نعم!",
        "ثم غادر…",
        "وانتهى اللقاء.",
    ]


def test_curly_quote_closing_keeps_its_sentence_end() -> None:
    text = "وقال بوتين: “نأمل بأن الوضع بدأ بالتغير.” وأضاف أوشاكوف أن الحوار مستمر."
    assert _texts(text, sentences(text)) == ["وقال بوتين: “نأمل بأن الوضع بدأ بالتغير.”", "وأضاف أوشاكوف أن الحوار مستمر."]


def test_latin_abbreviations_initials_and_decimals() -> None:
    text = "The U.S. economy grew 3.5% in 2019. Dr. Smith agreed. M. Macron a parlé à Sotchi. Fin."
    assert _texts(text, sentences(text)) == [
        "The U.S. economy grew 3.5% in 2019.",
        "Dr. Smith agreed.",
        "M. Macron a parlé à Sotchi.",
        "Fin.",
    ]


def test_unclosed_quote_does_not_swallow_the_paragraph() -> None:
    text = "قال: «" + "كلام طويل جدا " * 40 + "انتهى. " + "جملة أخرى هنا."
    assert len(sentences(text)) == 2


def test_long_arabic_run_on_is_cut_at_commas() -> None:
    clause = "وأكد الوزير أن الحكومة ستواصل العمل على تنفيذ الخطة الوطنية للتنمية في جميع المناطق"
    text = "، ".join([clause] * 8) + "."
    pieces = sentences(text)
    assert len(pieces) > 1
    assert all(len(words(text[s.start:s.end])) <= 60 for s in pieces)
    assert "".join(text[s.start:s.end] for s in pieces).replace(" ", "") == text.replace(" ", "")


def test_paragraphs_are_lines_and_spans_index_the_text() -> None:
    text = seed_text("003_9e8ee0886cb3ba1b")
    paras = paragraphs(text)
    assert _texts(text, paras)[1] == "بوتين: نسعى إلى تطبيع كامل للعلاقات مع واشنطن"
    for s in sentences(text):
        piece = text[s.start : s.end]
        assert piece == piece.strip() and piece


def test_words_keep_diacritics_inside_words() -> None:
    text = "أكّد مجدّداً ١٥ Sotchi's"
    assert _texts(text, words(text)) == ["أكّد", "مجدّداً", "١٥", "Sotchi", "s"]


def test_quotes_in_english_and_french() -> None:
    text = 'He said "We will go. Then we rest." and left. « Nous sommes prêts. » Puis il est parti. « Oui. » Fin.'
    assert _texts(text, sentences(text)) == [
        'He said "We will go. Then we rest." and left.',
        "« Nous sommes prêts. »",
        "Puis il est parti.",
        "« Oui. »",
        "Fin.",
    ]


def test_arabic_quotes_written_with_one_kind_of_mark_and_abbreviations() -> None:
    text = "ووصفت زاخاروفا المحادثات بـ”البناءة للغاية. والمثمرة” أمس. وقال د. محمد إن النمو بلغ 3.5 في المئة. انتهى"
    assert _texts(text, sentences(text)) == [
        "ووصفت زاخاروفا المحادثات بـ”البناءة للغاية. والمثمرة” أمس.",
        "وقال د. محمد إن النمو بلغ 3.5 في المئة.",
        "انتهى",
    ]


def test_long_quotation_is_split_like_any_text() -> None:
    sentence = "هذه جملة طويلة نسبيا داخل الاقتباس الذي يمتد على فقرة كاملة من الكلام المنقول. "
    text = "قال: «" + sentence * 8 + "»"
    assert len(sentences(text)) == 8


def test_double_dot_is_a_pause_not_a_full_stop() -> None:
    text = "روسيا وأميركا تتعهدان بتحسين العلاقات الثنائية.. واتفاق على عودة قنوات الاتصال. وقال لافروف.."
    assert _texts(text, sentences(text)) == [
        "روسيا وأميركا تتعهدان بتحسين العلاقات الثنائية.. واتفاق على عودة قنوات الاتصال.",
        "وقال لافروف..",
    ]


def test_seed_sentences_end_where_the_outlet_ended_them() -> None:
    text = seed_text("000_ba5f0d9db12a2c2f")
    found = _texts(text, sentences(text))
    assert "وبشأن أفغانستان نقل أوشاكوف عن بوتين قوله لبومبيو: “إن التسوية في هذا البلد تسير بصعوبة ويجب تحقيق التقدم فيها وتكثيف التعاون”." in found
    assert found[-1] == "2019-05-15"
    for piece in found:
        assert len(words(piece)) <= 70  # long run-ons were cut into usable units

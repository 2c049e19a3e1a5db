"""Language detection and HTML extraction."""

from __future__ import annotations

import pytest

from service.text.extract import NoArticleText, extract_html
from service.text.language import detect_language


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("أكد الرئيس الروسي فلاديمير بوتين ضرورة الحفاظ على سيادة ووحدة أراضي سورية", "ar"),
        ("Russian President Vladimir Putin met US Secretary of State Mike Pompeo in Sochi", "en"),
        ("Le président russe a rencontré le secrétaire d'État américain à Sotchi mardi", "fr"),
        ("Rusya Devlet Başkanı Putin, ABD Dışişleri Bakanı Pompeo ile Soçi'de görüştü", "tr"),
        ("Der russische Präsident Wladimir Putin hat US-Außenminister Mike Pompeo in Sotschi empfangen", "de"),
        ("Президент России Владимир Путин встретился с госсекретарём США Майком Помпео в Сочи", "ru"),
        ("رئیس جمهور روسیه با وزیر امور خارجه آمریکا در سوچی دیدار کرد و درباره سوریه گفتگو کردند", "fa"),
        ("سورية", "ar"),
        ("بوتين يلتقي بومبيو", "ar"),  # short Arabic-script text: Arabic
        ("Putin Pompeo", None),  # names only: undecidable
        ("2019-05-15 12:00", None),
        ("ok", None),
        ("", None),
    ],
)
def test_detect_language(text: str, language: str | None) -> None:
    assert detect_language(text) == language


def test_extract_article_and_title_without_navigation() -> None:
    html = """<html><head><title>Talks in Sochi | Example News</title></head><body>
    <nav><ul><li><a href="/">Home</a></li><li><a href="/world">World</a></li></ul></nav>
    <article><h1>Talks in Sochi</h1>
    <p>Russian President Vladimir Putin met US Secretary of State Mike Pompeo in Sochi on Tuesday.</p>
    <p>The two sides discussed Syria, Iran, Venezuela and North Korea, officials said after the meeting.</p></article>
    <footer><p>Subscribe to our newsletter. Copyright Example News.</p></footer></body></html>"""
    title, text = extract_html(html)
    assert title and "Talks in Sochi" in title
    assert "Mike Pompeo in Sochi on Tuesday" in text and "officials said after the meeting" in text
    assert "Home" not in text and "Subscribe" not in text
    assert len(text.splitlines()) >= 2  # paragraphs stay lines


@pytest.mark.parametrize("html", ["<html><body><nav><a href='/'>Home</a></nav></body></html>", "<p></p>", "not html at all <"])
def test_no_article_text(html: str) -> None:
    with pytest.raises(NoArticleText):
        extract_html(html)


ARABIC_PAGE = """<html lang="ar"><head><title>بوتين يستقبل بومبيو | موقع الأخبار</title></head><body>
<header><nav><a href="/">الرئيسية</a> <a href="/w">أخبار العالم</a> <a href="/s">رياضة</a></nav></header>
<main><article><h1>بوتين يستقبل بومبيو في سوتشي</h1>
<p>أكد الرئيس الروسي فلاديمير بوتين خلال لقائه وزير الخارجية الأمريكي مايك بومبيو في سوتشي سعيه إلى تطبيع العلاقات.</p>
<p>وقال بوتين إن الوضع في العلاقات الروسية الأمريكية بدأ بالتغير، خاصة في مجالات الاستقرار الاستراتيجي.</p>
</article></main>
<aside><h3>آخر الأخبار</h3><ul><li><a href="/1">ارتفاع أسعار الذهب في الأسواق المحلية اليوم</a></li>
<li><a href="/2">افتتاح معرض الكتاب في دمشق بمشاركة واسعة</a></li></ul></aside>
<footer><p>جميع الحقوق محفوظة © 2019 موقع الأخبار</p></footer></body></html>"""


def test_extract_arabic_article_without_sidebar_or_footer() -> None:
    title, text = extract_html(ARABIC_PAGE)
    assert title is not None and "بوتين يستقبل بومبيو" in title
    lines = text.splitlines()
    assert any(line.startswith("أكد الرئيس الروسي فلاديمير بوتين") for line in lines)
    assert lines[-1].startswith("وقال بوتين إن الوضع")  # the last paragraph is the article's
    for chrome in ("الرئيسية", "ارتفاع أسعار الذهب", "افتتاح معرض الكتاب", "جميع الحقوق محفوظة"):
        assert chrome not in text


def test_extracted_paragraphs_are_single_lines() -> None:
    html = "<html><body><article>" + "".join(f"<p>Paragraph number {i} has several words in it.</p><br><br>" for i in range(4)) + "</article></body></html>"
    _, text = extract_html(html)
    assert text.splitlines() == [f"Paragraph number {i} has several words in it." for i in range(4)]

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
        ("سورية", "ar"),
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

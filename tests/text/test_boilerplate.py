"""Chrome removal on the seeds (what their README lists) and its offset map (property)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from service.text.boilerplate import clean
from tests.conftest import seed_metadata, seed_text

SEEDS = {m["id"][:3]: m for m in seed_metadata()}

# (seed, chrome that must go, body that must stay: first and last body sentences)
EXPECTED = [
    ("000", [], ["أكّد الرئيس الروسي فلاديمير بوتين مجدّداً", "بين نهجي البلدين”."]),
    ("001", ["آخر الأخبار", "10 أيام لتأهيل قوس باب شرقي", "الرئيس الأسد يتقبل أوراق اعتماد"],
     ["العديد من الملفات الساخنة في ظل الظروف الدولية المعقدة", "أعلن بومبيو أن الولايات ال", "وكالات – الثورة:"]),
    ("002", [], ["أجرى وزير الخارجية الأمريكي “مايك بومبيو”", "وبحثنا تخفيض التصعيد في إدلب»."]),
    ("003", ["أخبارأخبار حول العالمصوت أمريكا", "الوسوم", "موضوعات متعلقة", "زر الذهاب إلى الأعلى", "يرجى التبرع",
             "اشترك مجانا في القائمة البريدية", "نحترم خصوصية المشتركين", "اظهر المزيد"],
     ["بوتين: نسعى إلى تطبيع كامل للعلاقات مع واشنطن", "أكد الرئيس الروسي فلاديمير بوتين، في مستهل لقائه",
      "بل وفي مصلحة العالم أيضا."]),
    ("004", ["تيلغرام", "telegram.me", "واتس أب", "0940777186", "(VK)", "vk.com", "انظر ايضاً",
             "بوتين: سنرد بشكل حاسم في حالة تصعيد", "موسكو-سانا أكد الرئيس الروسي فلاديمير بوتين أن بلاده سترد"],
     ["هانغتشو-الصين-سانا", "أكد الرئيس الروسي فلاديمير بوتين أن الاتفاق المحتمل",
      "إلا بشكل مقتضب جدا."]),
]


@pytest.mark.parametrize(("seed", "gone", "kept"), EXPECTED)
@pytest.mark.parametrize("with_title", [True, False])
def test_seed_chrome_goes_and_body_stays(seed: str, gone: list[str], kept: list[str], with_title: bool) -> None:
    meta = SEEDS[seed]
    text = seed_text(meta["id"])
    cleaned = clean(text, title=meta["title"] if with_title else None)
    for piece in gone:
        assert piece not in cleaned.text, piece
    for piece in kept:
        assert piece in cleaned.text, piece
    # No paragraph of the body is lost: every line of 12+ words before the chrome is kept.
    body_lines = [line.strip() for line in text.splitlines() if len(line.split()) >= 12]
    lost = [line[:40] for line in body_lines if line not in cleaned.text and not any(g in line for g in gone)]
    assert not lost


def test_a_more_link_after_the_text_goes() -> None:
    text = "خبر عن الاقتصاد المحلي وتطوراته في الأسواق خلال الأسبوع الماضي بالتفصيل الكامل للقراء.\n...المزيد"
    assert clean(text).text.endswith("للقراء.")


def test_headline_list_goes_even_without_its_marker() -> None:
    # 001 without its "آخر الأخبار" label: the detached run-on line of headlines still goes.
    text = seed_text(SEEDS["001"]["id"]).replace("آخر الأخبار\n", "")
    cleaned = clean(text)
    assert "10 أيام لتأهيل قوس باب شرقي" not in cleaned.text
    assert "وكالات – الثورة:" in cleaned.text and "الرقم: 16978" in cleaned.text  # byline and issue number stay


def test_date_only_last_line_stays() -> None:
    assert clean(seed_text(SEEDS["000"]["id"])).text.endswith("\n2019-05-15")


ENGLISH_PAGE = """Home | World | Business | Sport | Video
Talks in Sochi end without a deal on Syria
By Jane Doe, Reuters
Advertisement
Russian President Vladimir Putin met US Secretary of State Mike Pompeo in Sochi on Tuesday, the Kremlin said.
Share this article
Read more: Putin hosts Pompeo for first talks in a year
The two men discussed Syria, Iran, Venezuela and North Korea for about two hours, officials said.
Netflix said 2 million new users subscribed to its service.
Pompeo said the United States wanted better relations with Moscow and that talks would continue soon.
Sign up for our newsletter
Follow us on Twitter
Related articles
Putin and Trump to meet in Osaka
© 2019 Example News. All rights reserved.
We use cookies to improve your experience on our site. By continuing you agree to our cookie policy.
"""

FRENCH_PAGE = """Accueil › International › Europe
Poutine reçoit Pompeo à Sotchi
Par Jean Dupont avec AFP
Le président russe Vladimir Poutine a reçu mardi le secrétaire d'État américain Mike Pompeo à Sotchi, au bord de la mer Noire.
Publicité
Lire aussi : La Russie et les États-Unis veulent renouer le dialogue
Les deux hommes ont évoqué la Syrie, l'Iran, le Venezuela et la Corée du Nord pendant près de deux heures, selon le Kremlin.
Partager sur Twitter
Abonnez-vous à notre newsletter
Sur le même sujet
Moscou dénonce les sanctions
Tous droits réservés © Le Journal 2019
"""


@pytest.mark.parametrize(
    ("page", "kept"),
    [
        (ENGLISH_PAGE, ["Talks in Sochi end without a deal on Syria", "By Jane Doe, Reuters",
                        "Russian President Vladimir Putin met", "The two men discussed", "Netflix said 2 million new users subscribed to its service.",
                        "talks would continue soon."]),
        (FRENCH_PAGE, ["Poutine reçoit Pompeo à Sotchi", "Par Jean Dupont avec AFP", "Le président russe", "selon le Kremlin."]),
    ],
)
def test_english_and_french_chrome(page: str, kept: list[str]) -> None:
    cleaned = clean(page)
    body_lines = cleaned.text.split("\n")
    assert len(body_lines) == len(kept)  # everything else was chrome
    for line, piece in zip(body_lines, kept):
        assert piece in line


def test_marker_inside_the_body_does_not_cut_it() -> None:
    para = "The minister said the plan would go ahead next year despite strong objections from several unions. "
    text = f"Title\n{para}\nRelated\n{para}\n{para}\n{para}"
    assert clean(text).text.split("\n") == ["Title"] + [para.strip()] * 4


def test_title_drops_what_is_above_it() -> None:
    text = "World News Today\nPolitics\nPutin meets Pompeo\n" + "Putin met Pompeo in Sochi on Tuesday and they talked about Syria for hours."
    assert clean(text, title="Putin meets Pompeo").text.startswith("Putin meets Pompeo\n")
    assert clean(text).text.startswith("World News Today\n")  # unknown title: short lines are kept


def test_body_lines_mentioning_social_media_are_kept() -> None:
    line = "وقال المتحدث في تغريدة على تويتر إن الوزارة ستعلن تفاصيل الخطة الجديدة للنقل العام خلال الأسبوع المقبل بعد اجتماع الحكومة"
    assert clean(f"عنوان الخبر\n{line}").text.endswith(line)


LINES = st.lists(
    st.one_of(
        st.sampled_from(["Follow us on Twitter", "https://t.me/x", "آخر الأخبار", "تابعونا", "", "  ", "الوسوم", "Title"]),
        st.text(alphabet=st.sampled_from(list("ابتثجحخ دذرزسشصضطظعغ abcdef.،\t")), max_size=120),
        st.text(max_size=60),  # any unicode: zero-width, \r, \u2028, surrogates-free
        st.sampled_from(["Home | World | Sport", "ﻻ ﺑ \u200b\u200f أكّد", "+963 940 777 186", "اقرأ أيضا: خبر"]),
    ),
    max_size=25,
)


@settings(max_examples=300, deadline=None)
@given(LINES)
def test_blocks_reproduce_the_cleaned_text_from_the_original(lines: list[str]) -> None:
    text = "\n".join(lines)
    cleaned = clean(text)
    rebuilt = []
    for block in cleaned.blocks:
        piece = text[block.original_start : block.original_start + block.length]
        assert piece == cleaned.text[block.clean_start : block.clean_start + block.length]
        rebuilt.append(piece)
    assert "\n".join(rebuilt) == cleaned.text
    pieces = cleaned.pieces(text)
    assert "".join(p for _, p in pieces) == text

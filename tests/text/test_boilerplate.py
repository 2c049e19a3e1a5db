"""Chrome removal on the seeds (what their README lists) and its offset map (property)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from service.text.boilerplate import clean, recurring_lines
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


def test_recurring_outlet_lines_are_removed() -> None:
    footer = "لمزيد من الأخبار زوروا موقعنا الرسمي"
    texts = [f"خبر رقم {i} عن الاقتصاد المحلي وتطوراته في الأسواق خلال الأسبوع الماضي بالتفصيل\n{footer}" for i in range(10)]
    recurring = recurring_lines(texts, min_count=5, min_share=0.5)
    assert len(recurring) == 1
    cleaned = clean(texts[0], recurring=recurring)
    assert footer not in cleaned.text and "خبر رقم 0" in cleaned.text


def test_body_lines_mentioning_social_media_are_kept() -> None:
    line = "وقال المتحدث في تغريدة على تويتر إن الوزارة ستعلن تفاصيل الخطة الجديدة للنقل العام خلال الأسبوع المقبل بعد اجتماع الحكومة"
    assert clean(f"عنوان الخبر\n{line}").text.endswith(line)


LINES = st.lists(
    st.one_of(
        st.sampled_from(["Follow us on Twitter", "https://t.me/x", "آخر الأخبار", "تابعونا", "", "  ", "الوسوم", "Title"]),
        st.text(alphabet=st.sampled_from(list("ابتثجحخ دذرزسشصضطظعغ abcdef.،\t")), max_size=120),
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

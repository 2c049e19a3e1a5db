"""Distinct, realistic articles for load and race tests, built from the bundled seeds.

Each article re-runs one paragraph of a seed event (as outlets re-run wire copy) around
sentences of its own, composed from varied phrases: texts differ, some passages are
shared, so the copy check and story assignment do real work, and an article has a
handful of copy candidates, not every earlier article.
"""

from __future__ import annotations

import random
from functools import lru_cache
from pathlib import Path

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
CITIES = ("دمشق", "موسكو", "سوتشي", "واشنطن", "بيروت", "القاهرة", "الرياض", "عمّان", "بغداد", "أنقرة")
OUTLETS = ("وكالة الأنباء", "صحيفة الثورة", "راديو سوا", "روسيا اليوم", "فرانس برس", "الشرق الأوسط", "الحياة", "النهار")
SUBJECTS = (
    "وزير الخارجية الروسي", "المتحدث باسم البيت الأبيض", "رئيس الوزراء العراقي", "الأمين العام للجامعة العربية",
    "مساعد الرئيس للشؤون الدولية", "سفير الاتحاد الأوروبي", "نائب وزير الدفاع التركي", "رئيس البرلمان اللبناني",
    "وزيرة الاقتصاد الأردنية", "قائد القوات البحرية",
)
VERBS = ("أعلن", "أكد", "نفى", "كشف", "حذّر من", "رحّب بـ", "انتقد", "أوضح")
OBJECTS = (
    "خطة جديدة لإعادة فتح المعابر الحدودية", "اتفاقاً مبدئياً لتبادل الأسرى", "تراجع صادرات النفط الخام",
    "مشروع قانون الانتخابات المحلية", "تمديد الهدنة في المناطق الشمالية", "صفقة قمح مع المزارعين",
    "ارتفاع أسعار الكهرباء للمصانع", "برنامج منح دراسية للطلاب", "مذكرة تفاهم لتطوير الموانئ",
    "انسحاب القوافل العسكرية من الطريق الدولي",
)
SETTINGS = (
    "خلال مؤتمر صحفي عقده مساء الاثنين", "في بيان نشرته الوكالة الرسمية", "أثناء زيارة مفاجئة إلى المحافظة",
    "عقب اجتماع مغلق استمر حتى الفجر", "في مقابلة متلفزة بثتها القناة الأولى", "أمام لجنة الموازنة في البرلمان",
    "على هامش منتدى الاستثمار السنوي", "في تغريدة على حسابه الرسمي",
)
DETAILS = (
    "بكلفة تبلغ {n} مليون دولار", "يستفيد منها نحو {n} ألف أسرة", "بعد {n} أسابيع من المفاوضات الشاقة",
    "وسط مخاوف من موجة نزوح تطال {n} قرية", "مع وصول {n} شاحنة مساعدات", "بمشاركة {n} خبيراً من دول الجوار",
    "في ظل عجز مالي يقارب {n} بالمئة", "بعدما أغلقت {n} مدرسة أبوابها", "حيث اعتقلت الشرطة {n} مشتبهاً",
    "ضمن مهلة تنتهي بعد {n} يوماً",
)


@lru_cache(maxsize=1)
def _paragraphs() -> tuple[tuple[str, ...], ...]:
    return tuple(
        tuple(p.strip() for p in path.read_text(encoding="utf-8").split("\n\n") if len(p.strip()) > 80)
        for path in sorted(SEEDS.glob("*.txt"))
    )


def _sentence(rng: random.Random) -> str:
    detail = rng.choice(DETAILS).format(n=rng.randint(3, 9000))
    return f"{rng.choice(VERBS)} {rng.choice(SUBJECTS)} {rng.choice(OBJECTS)} {rng.choice(SETTINGS)}، {detail}."


def article(i: int, *, prefix: str = "") -> dict[str, str]:
    """Article number ``i``: deterministic, with a unique text, URL and title."""
    rng = random.Random(i)
    seeds = _paragraphs()
    wire = rng.choice(seeds[i % len(seeds)])
    city = CITIES[i % len(CITIES)]
    lead = f"{city} — {_sentence(rng)}"
    own = " ".join(_sentence(rng) for _ in range(rng.randint(2, 3)))
    return {
        "text": "\n\n".join([lead, wire, own] if rng.random() < 0.5 else [lead, own, wire]),
        "title": f"{city}: {rng.choice(SUBJECTS)} و{rng.choice(OBJECTS)} ({i})",
        "outlet": OUTLETS[i % len(OUTLETS)],
        "url": f"https://news.example/{prefix}{i}",
        "published_at": f"2019-05-{14 + i % 4:02d}T{i % 24:02d}:00:00",
    }

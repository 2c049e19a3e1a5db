"""Cleaning does not depend on arrival order: an article stored after many others of its
outlet (sharing its dateline, its credit and its footer) is cleaned as it is alone."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from service.domain import ArticleInput
from service.pipeline.prepare import prepare
from service.storage.store import Store

DATELINE = "الرياض - واس"
FOOTER = "تابعونا على تويتر"
ARTICLES = [
    ArticleInput(
        text=f"{DATELINE}\nأعلنت الجهة المختصة اليوم عن الخبر رقم {n} بتفاصيل جديدة حول المشروع في منطقة {n} وقالت إن العمل مستمر.\n"
        f"{'وكالات' if n % 2 else ''}\n{FOOTER}",
        outlet="okaz",
        url=f"https://okaz.example/{n}",
    )
    for n in range(12)
]


@settings(max_examples=8, deadline=None)
@given(order=st.permutations(range(len(ARTICLES))))
def test_the_same_article_cleans_the_same_in_any_order(tmp_path_factory, order: list[int]) -> None:  # type: ignore[no-untyped-def]
    folder: Path = tmp_path_factory.mktemp("order")
    store = Store.open(f"sqlite:///{folder / 'store.db'}")
    try:
        for n in order:
            stored = store.add(prepare(ARTICLES[n])).article
            alone = prepare(ARTICLES[n]).clean.text
            assert stored.clean_text == alone
            assert DATELINE in stored.clean_text  # a dateline is never chrome, however often it recurs
    finally:
        store.close()

"""Cross-lingual event pairs (tests/data/crosslingual) with the real model: one event told in
Arabic and in English or French scores above the other events its Arabic article is paired
with, and most are called one event (the figures: scripts/eval_crosslingual.py)."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from service.config import Settings
from service.domain import ArticleInput
from service.pipeline.runtime import Runtime

DATA = Path(__file__).resolve().parent.parent / "data" / "crosslingual" / "pairs.jsonl"


def article(side: dict) -> ArticleInput:
    return ArticleInput(text=side["text"], title=side["title"], language=side["language"],
                        published_at=datetime.fromisoformat(side["published_at"]))


def test_one_event_across_languages_outscores_other_events(settings: Settings) -> None:
    pairs = [json.loads(x) for x in DATA.read_text(encoding="utf-8").splitlines() if x.strip()]
    assert sum(p["label"] == "same_event" for p in pairs) >= 20
    with Runtime.open(settings) as runtime:
        p = {x["id"]: runtime.similarity(article(x["a"]), article(x["b"])).probability for x in pairs}
    events = {x["a"]["text"]: x["id"] for x in pairs if x["label"] == "same_event"}
    for other in (x for x in pairs if x["label"] == "other_event"):
        same = events[other["a"]["text"]]  # the same Arabic article, with its own event
        assert p[other["id"]] < p[same], (other["id"], same)
    called = sum(p[i] >= settings.story_probability for i in events.values())
    assert called > len(events) / 2

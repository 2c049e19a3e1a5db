"""The online rule (``StoryDesk.assign``: the database window and the lead table) and the
batch rebuild (``StoryDesk.recluster``: in-memory ``StoryClusters``) give the same stories
for articles ingested in publication order: 300 SaudiNewsNet articles, real model
(skipped where ../shared/data is absent)."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.cli import main
from service.config import Settings
from service.eval.corpora import article_jsonl, saudinewsnet_articles
from service.storage.store import Store
from tests.conftest import ROOT, SHARED_DATA

pytestmark = [pytest.mark.model, pytest.mark.slow]

SNN = SHARED_DATA / "saudinewsnet"


def _partition(url: str) -> set[frozenset[int]]:
    store = Store.open(url, create=False)
    try:
        groups: dict[int | None, set[int]] = {}
        for article_id in store.ids_by_publication():
            groups.setdefault(store.stories.story_of(article_id), set()).add(article_id)
    finally:
        store.close()
    assert None not in groups  # every article has a story
    return {frozenset(g) for g in groups.values()}


def test_online_stories_equal_the_batch_rebuild(tmp_path: Path) -> None:
    if not SNN.is_dir():
        pytest.skip(f"no SaudiNewsNet at {SNN}")
    articles = sorted(saudinewsnet_articles(SNN, limit=300), key=lambda a: (a.published_at is None, a.published_at, a.url or ""))
    feed = tmp_path / "snn300.jsonl"
    feed.write_text("".join(article_jsonl(a) + "\n" for a in articles), encoding="utf-8")
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'snn.db'}", models_dir=ROOT / "models", api_key=None, redis_url=None)

    assert main(["ingest", "--quiet", str(feed)], settings=settings) == 0
    online = _partition(settings.database_url)
    assert main(["recluster"], settings=settings) == 0
    batch = _partition(settings.database_url)

    assert sum(len(story) > 1 for story in online) >= 10  # the feed has stories to agree on
    assert online == batch

"""Migrations 0005-0007 on a store with data: another outlet's identical text may now be
stored, the same outlet's may not, links keep their rows (their share becomes their pair
share), and the word counts are filled when the service opens the store."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from service.config import Settings
from service.domain import ArticleInput
from service.pipeline.prepare import prepare
from service.pipeline.runtime import Runtime
from service.reuse.templates import content_words
from service.storage import migrate
from service.storage.engine import open_engine

TEXT = "أعلنت وزارة الصحة اليوم افتتاح مستشفى جديد في مدينة الطائف بسعة ثلاثمئة سرير. " * 3


def _at_0004(url: str) -> None:
    engine = open_engine(url)
    config = Config()
    config.set_main_option("script_location", str(Path(migrate.__file__).with_name("migrations")))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0004")
    now = datetime(2015, 7, 22, tzinfo=UTC)
    with engine.begin() as connection:
        for n, outlet in ((1, "was"), (2, None)):
            new = prepare(ArticleInput(text=TEXT + str(n)))
            connection.execute(
                sa.text(
                    "INSERT INTO articles (id, text, clean_text, blocks, content_hash, outlet, created_at)"
                    " VALUES (:id, :text, :text, '[]', :hash, :outlet, :now)"
                ),
                {"id": n, "text": new.clean.text, "hash": new.content_hash, "outlet": outlet, "now": now},
            )
        connection.execute(
            sa.text(
                "INSERT INTO copy_links (target_id, source_id, relation, share, credited, label, spans, created_at)"
                " VALUES (2, 1, 'copy', 0.5, false, 'partially', '[]', :now)"
            ),
            {"now": now},
        )
    engine.dispose()


def test_a_store_with_data_moves_to_0005(database_url: str) -> None:
    _at_0004(database_url)
    runtime = Runtime.open(Settings(database_url=database_url, embedding_model="none", redis_url=None))
    store = runtime.store
    with store.engine.connect() as connection:
        rows = connection.execute(sa.text("SELECT id, outlet_key FROM articles ORDER BY id")).all()
        link = connection.execute(sa.text("SELECT relation, direction, direction_basis, pair_share FROM copy_links")).one()
    assert [tuple(r) for r in rows] == [(1, "was"), (2, "")]
    assert tuple(link) == ("copy", "known", None, 0.5)
    assert not store.words_uncounted()  # counted as the service opened the store
    word = sorted(content_words(TEXT))[0]
    assert store.word_stats([word]).counts == {word: 2} and store.word_stats([word]).articles == 2
    # The repeat rule now: the same text from another outlet is a new article; from the same, the stored one.
    ours = runtime.ingest(ArticleInput(text=TEXT + "1", outlet="okaz"))
    again = runtime.ingest(ArticleInput(text=TEXT + "1", outlet="was"))
    assert ours.created and not again.created and again.article.id == 1
    assert store.word_stats([word]).counts == {word: 3}
    runtime.close()

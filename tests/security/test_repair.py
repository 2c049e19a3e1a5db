"""Articles a failed request left half-done are finished: at server start and by
``storydiff repair``; with nothing to repair, the pass is one query."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from sqlalchemy import event

from service.config import Settings
from service.intake.fields import parse_article
from service.pipeline.runtime import Runtime
from tests.security.corpus import article
from tests.security.ephemeral_redis import EphemeralRedis
from tests.security.load import stored_state
from tests.server import ROOT, Server


def _copy_of(original: dict[str, str], n: int) -> dict[str, str]:
    """Another outlet's article carrying the original's text under a lead of its own."""
    return {**article(1000 + n), "text": article(1000 + n)["text"].split("\n\n")[0] + "\n\n" + original["text"], "title": f"نسخة {n}"}


def _half_stored(base: str, cache: EphemeralRedis, body: dict[str, str]) -> int:
    """POST ``body`` while Redis is down: stored, then the copy check fails (503)."""
    cache.stop()
    try:
        answer = httpx.post(base + "/articles", json=body, timeout=60)
        assert answer.status_code == 503 and answer.json()["code"] == "index_unavailable"
    finally:
        cache.start()  # back, and empty
    listed = httpx.get(base + "/articles", params={"limit": 500}, timeout=60).json()["items"]
    return next(a["id"] for a in listed if a["url"] == body["url"])


def _links(base: str, article_id: int) -> set[int]:
    reuse = httpx.get(f"{base}/articles/{article_id}/reuse", timeout=60).json()
    return {link["source"]["id"] for link in reuse["copied_from"]} | {link["target"]["id"] for link in reuse["copied_by"]}


@pytest.mark.slow
@pytest.mark.redis
def test_failed_requests_are_finished_at_start_and_by_the_cli(tmp_path: Path) -> None:
    database_url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    cache = EphemeralRedis()
    env = {"STORYDIFF_DATABASE_URL": database_url, "STORYDIFF_REDIS_URL": cache.url, "STORYDIFF_EMBEDDING_MODEL": "none"}
    original = article(1)
    try:
        server = Server(env)
        try:
            source = httpx.post(server.url + "/articles", json=original, timeout=60).json()["article"]["id"]
            first = _half_stored(server.url, cache, _copy_of(original, 1))
            second = _half_stored(server.url, cache, _copy_of(original, 2))
            assert stored_state(database_url)["unfinished"] == 2
        finally:
            server.stop()

        # `storydiff repair`: the Redis came back empty, so the index is rebuilt at open.
        result = subprocess.run(
            [sys.executable, "-m", "service.cli", "repair"], cwd=ROOT, env={**os.environ, **env}, capture_output=True, text=True, timeout=120
        )
        assert result.returncode == 0, result.stderr
        assert '"repaired": 2' in result.stdout
        state = stored_state(database_url)
        assert state["unfinished"] == 0 and state["not_in_one_story"] == []

        # The next outage's article is finished by the server's start.
        server = Server(env)
        try:
            third = _half_stored(server.url, cache, _copy_of(original, 3))
        finally:
            server.stop()
        assert stored_state(database_url)["unfinished"] == 1
        server = Server(env)
        try:
            state = stored_state(database_url)
            assert state["unfinished"] == 0 and state["not_in_one_story"] == [] and state["empty_stories"] == 0
            for copy in (first, second, third):
                assert source in _links(server.url, copy)  # the copy check ran
                assert httpx.post(server.url + "/articles", json=_copy_of(original, {first: 1, second: 2, third: 3}[copy]), timeout=60).status_code == 200
        finally:
            server.stop()
    finally:
        cache.stop()


def test_nothing_to_repair_is_one_query(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'db.sqlite'}", embedding_model="none", redis_url=None, api_key=None)
    with Runtime.open(settings) as runtime:
        for i in range(5):
            runtime.ingest(parse_article(article(i)))
        statements: list[str] = []
        event.listen(runtime.store.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
        repaired = runtime.repair()
    assert (repaired.completed, repaired.failed) == (0, ())
    assert len([s for s in statements if not s.startswith(("BEGIN", "COMMIT", "ROLLBACK"))]) == 1, statements

"""Copy flags through the API on the seeds (real SQLite, in-process index), and the Redis index."""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.api.app import create_app
from service.cli import main
from service.config import Settings
from tests.conftest import SEEDS, seed_metadata, seed_text
from tests.server import free_port

PUTIN_LIST = "الحفاظ على الاستقرار الاستراتيجي ومنع انتشار أسلحة الدمار الشامل"


def _seeded(settings: Settings) -> dict[str, int]:
    assert main(["seed", "--dir", str(SEEDS)], settings=settings) == 0
    with TestClient(create_app(settings)) as client:
        items = client.get("/articles").json()["items"]
    by_title = {a["title"]: a["id"] for a in items}
    return {str(meta["id"])[:3]: by_title[meta["title"]] for meta in seed_metadata()}


def test_seed_flags_and_reuse(settings: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    ids = _seeded(settings)
    capsys.readouterr()
    with TestClient(create_app(settings)) as client:
        flags = client.get("/flags").json()
        pairs = {(f["source"]["id"], f["target"]["id"]) for f in flags["items"]}
        # 003 (published 14 May) is the earliest: 001 and 000 took from it; 000 and 001 (both
        # 15 May: the one stored first counts as the source) share the Putin list too.
        assert pairs == {(ids["003"], ids["001"]), (ids["003"], ids["000"]), (ids["000"], ids["001"])}
        assert all(f["credited"] for f in flags["items"])  # 001 credits "وكالات", 000 "روسيا اليوم"
        reuse_001 = client.get(f"/articles/{ids['001']}/reuse").json()
        assert reuse_001["label"] == "partially"
        link = next(link for link in reuse_001["copied_from"] if link["source"]["id"] == ids["003"])
        text_001 = client.get(f"/articles/{ids['001']}").json()["text"]
        text_003 = client.get(f"/articles/{ids['003']}").json()["text"]
        for span in link["spans"]:  # offsets index the texts as received
            assert "بدأ بالتغير" in text_001[span["target_start"] : span["target_end"]]
            assert "بدأ بالتغير" in text_003[span["source_start"] : span["source_end"]]
        for seed in ("002", "004"):
            quiet = client.get(f"/articles/{ids[seed]}/reuse").json()
            assert quiet["copied_from"] == [] and quiet["copied_by"] == [] and quiet["label"] == "non"
        assert client.get("/articles/99999/reuse").status_code == 404
        # Filters: by outlet of the copier, by credit.
        assert client.get("/flags", params={"outlet": "Al-Thawra (الثورة)"}).json()["total"] == 2
        assert client.get("/flags", params={"credited": "false"}).json()["total"] == 0
        assert client.get("/flags", params={"min_share": 0.9}).json()["total"] == 0


def test_check_an_unstored_text_stores_nothing(settings: Settings) -> None:
    ids = _seeded(settings)
    with TestClient(create_app(settings)) as client:
        text = "مقدمة قصيرة من موقع آخر عن اللقاء.\n" + seed_text("000_ba5f0d9db12a2c2f").split("\n\n", 8)[8]
        result = client.post("/reuse/check", json={"text": text}).json()
        matched = {m["article"]["id"]: m for m in result["matches"]}
        assert ids["000"] in matched and ids["003"] in matched
        for span in matched[ids["000"]]["spans"]:
            assert text[span["a_start"] : span["a_end"]].strip()
        assert client.get("/articles").json()["total"] == 5
        assert client.post("/reuse/check", json={"text": " "}).json()["code"] == "empty_text"


def test_delete_removes_links_and_passages(settings: Settings) -> None:
    ids = _seeded(settings)
    with TestClient(create_app(settings)) as client:
        assert client.delete(f"/articles/{ids['003']}").status_code == 200
        remaining = client.get("/flags").json()["items"]
        assert [(f["source"]["id"], f["target"]["id"]) for f in remaining] == [(ids["000"], ids["001"])]
        assert [link["source"]["id"] for link in client.get(f"/articles/{ids['001']}/reuse").json()["copied_from"]] == [ids["000"]]
        check = client.post("/reuse/check", json={"text": seed_text("003_9e8ee0886cb3ba1b")}).json()
        assert ids["003"] not in {m["article"]["id"] for m in check["matches"]}


def test_copy_detection_cache_forgets_a_deleted_article(settings: Settings) -> None:
    from service.errors import NotFound
    from service.pipeline.runtime import Runtime

    ids = _seeded(settings)
    with Runtime.open(settings) as runtime:
        # Cached: the same object again, equal to what the store holds.
        first = runtime.copies._stored(ids["003"])
        assert runtime.copies._stored(ids["003"]) is first and first == runtime.store.get(ids["003"])
        runtime.delete(ids["003"])
        with pytest.raises(NotFound):
            runtime.copies._stored(ids["003"])


def test_index_is_rebuilt_from_the_database_at_start(settings: Settings) -> None:
    ids = _seeded(settings)
    with TestClient(create_app(settings)) as client:  # a new process would do the same
        text = seed_text("001_b20770630bddb0e8")
        check = client.post("/reuse/check", json={"text": text}).json()
        assert ids["003"] in {m["article"]["id"] for m in check["matches"]}


@pytest.mark.redis
def test_redis_index_shared_and_down_at_start(redis_url: str, sqlite_url: str) -> None:
    import uuid

    settings = Settings(database_url=sqlite_url, redis_url=redis_url, redis_prefix=f"t-{uuid.uuid4().hex[:8]}")
    ids = _seeded(settings)
    try:
        with TestClient(create_app(settings)) as client:
            assert client.get("/flags").json()["total"] == 3
            check = client.post("/reuse/check", json={"text": seed_text("001_b20770630bddb0e8")}).json()
            assert ids["003"] in {m["article"]["id"] for m in check["matches"]}
    finally:
        from service.reuse.index import PassageIndex

        PassageIndex(redis_url=redis_url, prefix=settings.redis_prefix).clear()
    down = Settings(database_url=sqlite_url, redis_url="redis://127.0.0.1:1/0")
    with pytest.raises(Exception, match="redis://127.0.0.1:1/0"):
        with TestClient(create_app(down)):
            pass


@pytest.mark.redis
@pytest.mark.skipif(shutil.which("redis-server") is None, reason="no redis-server binary to start and stop")
def test_redis_lost_mid_run_fails_with_503_and_reindex_recovers(sqlite_url: str, tmp_path: Path) -> None:
    port = free_port()
    url = f"redis://127.0.0.1:{port}/0"

    def start() -> subprocess.Popen[bytes]:
        process = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(tmp_path)], stdout=subprocess.DEVNULL)
        for _ in range(100):
            try:
                import redis

                redis.Redis.from_url(url).ping()
                return process
            except Exception:  # noqa: BLE001
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    settings = Settings(database_url=sqlite_url, redis_url=url)
    server = start()
    try:
        ids = _seeded(settings)
        with TestClient(create_app(settings), raise_server_exceptions=False) as client:
            server.terminate()
            server.wait()
            lost = client.post("/articles", json={"text": seed_text("002_e54be4694bfa8d8e") + "\nنسخة أخرى", "outlet": "X"})
            assert lost.status_code == 503 and lost.json()["code"] == "index_unavailable"
            assert url in lost.json()["error"]
            assert client.get("/articles").json()["total"] == 6  # the article itself is stored
            assert client.get(f"/articles/{ids['001']}").status_code == 200  # reads still work
        server = start()  # back, and empty (it keeps nothing on disk)
        assert main(["reindex"], settings=settings) == 0
        with TestClient(create_app(settings)) as client:
            check = client.post("/reuse/check", json={"text": seed_text("001_b20770630bddb0e8")}).json()
            assert ids["003"] in {m["article"]["id"] for m in check["matches"]}
    finally:
        server.terminate()
        server.wait()

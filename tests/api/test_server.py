"""Against a real uvicorn on loopback: restart keeps everything; concurrent clients store each article once."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from tests.server import Server

pytestmark = pytest.mark.slow


def _article(i: int) -> dict[str, str]:
    return {
        "text": f"خبر رقم {i}: أعلنت الوزارة اليوم عن خطة جديدة للنقل في المدينة رقم {i * 7919 % 10007}.",
        "outlet": f"outlet-{i % 5}",
        "published_at": f"2019-05-{1 + i % 28:02d}",
    }


def test_restart_keeps_every_article(tmp_path: Path) -> None:
    env = {"STORYDIFF_DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite'}"}
    server = Server(env)
    try:
        ids = [httpx.post(server.url + "/articles", json=_article(i)).json()["article"]["id"] for i in range(10)]
    finally:
        server.stop()
    server = Server(env)
    try:
        listed = httpx.get(server.url + "/articles", params={"limit": 100}).json()
        assert listed["total"] == 10 and sorted(a["id"] for a in listed["items"]) == sorted(ids)
        assert httpx.get(f"{server.url}/articles/{ids[3]}").json()["text"] == _article(3)["text"]
        # Re-posting after the restart still finds the stored article.
        again = httpx.post(server.url + "/articles", json=_article(3))
        assert again.status_code == 200 and again.json()["article"]["id"] == ids[3]
    finally:
        server.stop()


def _load(database_url: str, tmp_path: Path) -> None:
    # Storage under concurrency is what is measured here: the 400 texts skip embedding
    # (stories from names and time), which would serialise the clients on the model.
    server = Server({"STORYDIFF_DATABASE_URL": database_url, "STORYDIFF_EMBEDDING_MODEL": "none"})
    try:
        # 8 clients post 400 articles, each article twice (by two different clients).
        work = [i for i in range(400)] * 2
        chunks = [work[c::8] for c in range(8)]

        def client(indices: list[int]) -> list[tuple[int, int, int]]:
            with httpx.Client(base_url=server.url, timeout=60) as http:
                out = []
                for i in indices:
                    response = http.post("/articles", json=_article(i))
                    out.append((i, response.status_code, response.json().get("article", {}).get("id", -1)))
                return out

        with ThreadPoolExecutor(8) as pool:
            results = [r for chunk in pool.map(client, chunks) for r in chunk]
        statuses = [status for _, status, _ in results]
        assert all(status in (200, 201) for status in statuses), sorted(set(statuses))
        assert statuses.count(201) == 400
        ids_by_article: dict[int, set[int]] = {}
        for i, _, article_id in results:
            ids_by_article.setdefault(i, set()).add(article_id)
        assert all(len(ids) == 1 for ids in ids_by_article.values())
        assert httpx.get(server.url + "/articles").json()["total"] == 400
    finally:
        server.stop()


def test_eight_clients_400_articles_sqlite(tmp_path: Path) -> None:
    _load(f"sqlite:///{tmp_path / 'db.sqlite'}", tmp_path)


@pytest.mark.postgres
def test_eight_clients_400_articles_postgres(postgres_url: str, tmp_path: Path) -> None:
    _load(postgres_url, tmp_path)

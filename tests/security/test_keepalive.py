"""After a 500 the keep-alive connection stays usable (a real uvicorn, a genuine fault)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import httpx
import pytest

from tests.security.corpus import article
from tests.server import Server

pytestmark = pytest.mark.slow


def _local_address(response: httpx.Response) -> tuple[str, int]:
    return response.extensions["network_stream"].get_extra_info("client_addr")


def test_connection_survives_an_unexpected_error(tmp_path: Path) -> None:
    database = tmp_path / "db.sqlite"
    server = Server({"STORYDIFF_DATABASE_URL": f"sqlite:///{database}", "STORYDIFF_EMBEDDING_MODEL": "none", "STORYDIFF_REDIS_URL": ""})
    try:
        with httpx.Client(base_url=server.url, timeout=60) as http:
            assert http.post("/articles", json=article(1)).status_code == 201
            # A stored row the service cannot read: a genuine unexpected error, nothing mocked.
            with sqlite3.connect(database) as conn:
                conn.execute("UPDATE stories SET outlets = 'not json'")
            first = http.get("/stories")
            assert first.status_code == 500 and first.json()["code"] == "internal_error"
            assert first.headers.get("connection", "").lower() != "close"
            after = http.get("/health")  # the same connection, not a new one
            assert after.status_code == 200
            assert _local_address(after) == _local_address(first)
            again = http.get("/articles")
            assert again.status_code == 200 and _local_address(again) == _local_address(first)
    finally:
        server.stop()
    assert "unhandled error" in server.output()  # the error is logged, only not fatal to the connection

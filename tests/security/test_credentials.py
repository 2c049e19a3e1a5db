"""Credentials in the Redis and database URLs never reach a client, a log or a terminal."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from service.errors import mask_url
from tests.security.corpus import article
from tests.security.ephemeral_redis import EphemeralRedis
from tests.server import ROOT, Server

PASSWORD = "Pa55-w0rd-never-shown"


def _cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "service.cli", *args], cwd=ROOT, env={**os.environ, **env}, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize(
    ("url", "masked"),
    [
        ("redis://:s3cret@cache:6379/0", "redis://:***@cache:6379/0"),
        ("rediss://user:s3cret@cache/1", "rediss://user:***@cache/1"),
        ("redis://:p@ss/w?rd#@cache:6379/0", "redis://:***@cache:6379/0"),  # unquoted @ / ? # in the password
        ("postgresql+psycopg://app:s3cret@db:5432/news", "postgresql+psycopg://app:***@db:5432/news"),
        ("postgresql://db/news?password=s3cret&sslmode=require", "postgresql://db/news?password=***&sslmode=require"),
        ("redis://cache:6379/0", "redis://cache:6379/0"),
        ("sqlite:///var/storydiff.db", "sqlite:///var/storydiff.db"),
    ],
)
def test_mask_url(url: str, masked: str) -> None:
    assert mask_url(url) == masked


@pytest.mark.slow
@pytest.mark.redis
def test_redis_password_reaches_no_client_log_or_terminal(tmp_path: Path) -> None:
    cache = EphemeralRedis(password=PASSWORD)
    env = {"STORYDIFF_DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite'}", "STORYDIFF_REDIS_URL": cache.url, "STORYDIFF_EMBEDDING_MODEL": "none"}
    masked = f"redis://:***@127.0.0.1:{cache.port}/0"
    try:
        server = Server(env)
        try:
            assert httpx.post(server.url + "/articles", json=article(1), timeout=60).status_code == 201
            cache.stop()  # Redis lost while serving
            answer = httpx.post(server.url + "/articles", json=article(2), timeout=60)
            assert answer.status_code == 503 and answer.json()["code"] == "index_unavailable"
            assert PASSWORD not in answer.text and masked in answer.json()["error"]
            checked = httpx.post(server.url + "/reuse/check", json={"text": article(3)["text"]}, timeout=60)
            assert checked.status_code == 503 and PASSWORD not in checked.text
        finally:
            server.stop()
        assert PASSWORD not in server.output()

        # The CLI, and a server start, with Redis unreachable.
        reindex = _cli(env, "reindex")
        assert reindex.returncode == 2 and masked in reindex.stderr
        assert PASSWORD not in reindex.stderr + reindex.stdout
        with pytest.raises(RuntimeError) as failed_start:
            Server(env)
        assert masked in str(failed_start.value) and PASSWORD not in str(failed_start.value)
    finally:
        cache.stop()


def test_database_password_reaches_no_terminal(tmp_path: Path) -> None:
    unreachable = {"STORYDIFF_DATABASE_URL": f"postgresql://reader:{PASSWORD}@127.0.0.1:1/news", "STORYDIFF_REDIS_URL": ""}
    result = _cli(unreachable, "migrate")
    assert result.returncode == 2 and "reader:***@127.0.0.1:1/news" in result.stderr
    assert PASSWORD not in result.stderr + result.stdout
    garbled = _cli({"STORYDIFF_DATABASE_URL": f"postgresql://reader:{PASSWORD}@127.0.0.1:port/news", "STORYDIFF_REDIS_URL": ""}, "migrate")
    assert garbled.returncode == 2 and PASSWORD not in garbled.stderr + garbled.stdout


@pytest.mark.postgres
def test_migrate_prints_the_database_url_masked(postgres_url: str) -> None:
    # Trust authentication on the test server: the password is accepted and ignored.
    with_password = postgres_url.replace("postgresql://", f"postgresql://postgres:{PASSWORD}@", 1)
    result = _cli({"STORYDIFF_DATABASE_URL": with_password, "STORYDIFF_REDIS_URL": ""}, "migrate")
    assert result.returncode == 0, result.stderr
    assert "postgres:***@" in result.stdout and PASSWORD not in result.stdout + result.stderr

"""Shared fixtures: databases (SQLite always, PostgreSQL when configured), app clients, seeds.

PostgreSQL and Redis tests read STORYDIFF_TEST_DATABASE_URL / STORYDIFF_TEST_REDIS_URL.
Unset: those tests skip. Set but unreachable: they skip, unless STORYDIFF_REQUIRE_SERVICES=1
(CI), where they fail, so a broken service is never mistaken for a pass.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.api.app import create_app
from service.config import Settings

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SHARED_DATA = ROOT.parent / "shared" / "data"


def _unavailable(what: str, why: str) -> None:
    if os.environ.get("STORYDIFF_REQUIRE_SERVICES") == "1":
        pytest.fail(f"{what} is required here (STORYDIFF_REQUIRE_SERVICES=1) but unavailable: {why}")
    pytest.skip(f"{what} unavailable: {why}")


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'storydiff.db'}"


def empty_postgres() -> str:
    """STORYDIFF_TEST_DATABASE_URL with an empty schema (skips, or fails in CI, without one)."""
    url = os.environ.get("STORYDIFF_TEST_DATABASE_URL")
    if not url:
        pytest.skip("STORYDIFF_TEST_DATABASE_URL is not set")
    from sqlalchemy import text

    from service.storage.engine import open_engine

    engine = open_engine(Settings(database_url=url).database_url)
    try:
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    except Exception as exc:  # noqa: BLE001 - any connection failure means "unavailable"
        _unavailable("PostgreSQL", f"{url}: {exc}")
    finally:
        engine.dispose()
    return url


@pytest.fixture
def postgres_url() -> str:
    return empty_postgres()  # every test starts from an empty schema


@pytest.fixture
def redis_url() -> str:
    url = os.environ.get("STORYDIFF_TEST_REDIS_URL")
    if not url:
        pytest.skip("STORYDIFF_TEST_REDIS_URL is not set")
    import redis

    try:
        redis.Redis.from_url(url).ping()
    except Exception as exc:  # noqa: BLE001
        _unavailable("Redis", f"{url}: {exc}")
    return url


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest) -> str:
    """Both databases: storage behaviour must not depend on which one is used."""
    return request.getfixturevalue(f"{request.param}_url")


@pytest.fixture
def settings(sqlite_url: str, tmp_path: Path) -> Settings:
    return Settings(database_url=sqlite_url, models_dir=ROOT / "models", api_key=None, redis_url=None)


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def seed_metadata() -> list[dict[str, object]]:
    return [json.loads(line) for line in (SEEDS / "articles.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]


def seed_text(seed_id: str) -> str:
    return (SEEDS / f"{seed_id}.txt").read_text(encoding="utf-8")


def coded_error(response, status: int, code: str) -> dict[str, object]:  # type: ignore[no-untyped-def]
    """The body of an error answer, checked: the house's shape, ``status`` and ``code``."""
    body = response.json()
    assert response.status_code == status, body
    assert set(body) == {"ok", "status", "code", "error", "errors"} and body["ok"] is False
    assert body["status"] == status and body["code"] == code, body
    return body

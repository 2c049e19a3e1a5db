"""Queue tests run against the real Redis (STORYDIFF_TEST_REDIS_URL), each under a key
prefix of its own, removed afterwards."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
import redis


@pytest.fixture
def prefix(redis_url: str) -> Iterator[str]:
    name = f"test-{uuid.uuid4().hex[:10]}"
    yield name
    client = redis.Redis.from_url(redis_url)
    for key in client.scan_iter(match=f"{name}*", count=1000):
        client.delete(key)

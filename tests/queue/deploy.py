"""Helpers of the queue tests: one test's deployment settings and environment."""

from __future__ import annotations

import time
from collections.abc import Callable

from service.config import Settings
from tests.conftest import ROOT


def queue_env(database_url: str, redis_url: str, prefix: str, **extra: str) -> dict[str, str]:
    """The environment of a server or worker process of one test's deployment."""
    return {
        "STORYDIFF_DATABASE_URL": database_url,
        "STORYDIFF_REDIS_URL": redis_url,
        "STORYDIFF_REDIS_PREFIX": prefix,
        "STORYDIFF_MODELS_DIR": str(ROOT / "models"),
        "STORYDIFF_API_KEY": "",
        "STORYDIFF_TORCH_THREADS": "1",
        "STORYDIFF_QUEUE_HEARTBEAT_MS": "2000",
        "STORYDIFF_QUEUE_BACKOFF_MS": "100",
        "STORYDIFF_QUEUE_RETRIES": "1",
        **extra,
    }


def queue_settings(database_url: str, redis_url: str, prefix: str, **extra: object) -> Settings:
    values: dict[str, object] = {
        "database_url": database_url, "redis_url": redis_url, "redis_prefix": prefix, "models_dir": ROOT / "models",
        "api_key": None, "queue_heartbeat_ms": 2000, "queue_backoff_ms": 100, "queue_retries": 1,
    }
    return Settings(**{**values, **extra})  # type: ignore[arg-type]


def wait_for(condition: Callable[[], bool], *, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.3)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")

"""Settings from the environment (``STORYDIFF_`` prefix) or a ``.env`` file, built lazily.

Tests and tools build their own: ``create_app(Settings(database_url=...))``.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///var/storydiff.db"
REPOSITORY_MODELS = Path(__file__).resolve().parent.parent / "models"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="STORYDIFF_", env_file=".env", extra="ignore")

    database_url: str = DEFAULT_DATABASE_URL
    redis_url: str | None = None
    redis_prefix: str = "storydiff"  # key prefix of the passage index in Redis
    api_key: SecretStr | None = None
    # Refused before parsing: one article's request body, and a bulk upload's.
    max_article_bytes: int = Field(default=2_000_000, gt=0)
    max_bulk_bytes: int = Field(default=500_000_000, gt=0)
    # CPU-heavy reads (compare, similarity, copy check, the compare page) running at once;
    # one more is answered 503 "busy" with Retry-After (service/api/limits.py). None: no limit.
    max_concurrent_analyses: int | None = Field(default=None, ge=1)
    models_dir: Path = Path("models")
    torch_threads: int | None = Field(default=None, ge=1)  # None: every core (one per worker process on a shared machine)
    embedding_model: str | None = None  # None: the bundled default (multilingual-e5-small); "none": no embeddings
    # auto: bf16 on a CPU with native bf16 (3x fp32, same vectors to cosine 0.9999), else fp32.
    embedding_precision: Literal["auto", "fp32", "bf16", "int8"] = "auto"
    # Same-story score parameters (fitted for the default model by scripts/fit_story_score.py).
    story_score_path: Path | None = None  # None: models/story_score.json of this repository
    story_window_days: float = Field(default=7.0, gt=0)  # an article joins stories seen this close in time
    story_probability: float = Field(default=0.5, gt=0, lt=1)  # P(same event) needed to join a story
    # Support needed in each of several stories for an article to merge them; None: never
    # (on SaudiNewsNet every merge rule tried made stories less pure: README, "Stories").
    story_merge_probability: float | None = Field(default=None, gt=0, le=1)
    # A story whose first article is older than this takes only copies of its members; None:
    # no limit (README, "Stories": without it a running topic grows for weeks).
    story_max_age_days: float | None = Field(default=7.0, gt=0)
    # False: this process refuses a database behind its schema instead of migrating it
    # (several machines: run `storydiff migrate` once, docs/deployment.md).
    auto_migrate: bool = True
    # Analysis jobs (``POST /articles?wait=false``, ``storydiff worker``): a failed job is
    # tried again this many times, with exponential backoff, then its article is ``failed``.
    queue_retries: int = Field(default=3, ge=0)
    queue_backoff_ms: int = Field(default=1_000, ge=1)
    # A worker silent this long is taken for dead and its jobs go back to the queue.
    queue_heartbeat_ms: int = Field(default=60_000, ge=1_000)
    # Feed intake (``storydiff watch``): every fetch of a feed, a page or a robots.txt is
    # held to these; a private, loopback or link-local address is refused unless allowed.
    allow_private_feeds: bool = False
    fetch_timeout_seconds: float = Field(default=20.0, gt=0)
    fetch_max_bytes: int = Field(default=5_000_000, gt=0)
    fetch_max_redirects: int = Field(default=5, ge=0)
    fetch_host_interval_seconds: float = Field(default=1.0, ge=0)  # between two requests to one host
    webhook_timeout_seconds: float = Field(default=10.0, gt=0)  # one delivery attempt
    webhook_max_attempts: int = Field(default=8, ge=1)  # then the delivery is given up (failed)
    webhook_retry_seconds: float = Field(default=30.0, gt=0)  # the first retry's wait, doubled after each failure
    watch_scan_seconds: float = Field(default=10.0, gt=0)  # how often `storydiff watch` looks for new matches

    @field_validator("story_score_path")
    @classmethod
    def _default_score_path(cls, value: Path | None) -> Path:
        # Committed with the code (fitted parameters, not weights), so not under models_dir.
        return value if value is not None else REPOSITORY_MODELS / "story_score.json"

    @field_validator("database_url")
    @classmethod
    def _coerce_dsn(cls, value: str) -> str:
        # Users paste libpq-style URLs; SQLAlchemy needs the psycopg 3 driver named.
        for prefix in ("postgres://", "postgresql://"):
            if value.startswith(prefix):
                return "postgresql+psycopg://" + value[len(prefix):]
        return value

    @field_validator(
        "redis_url", "embedding_model", "api_key", "story_score_path", "story_merge_probability", "story_max_age_days",
        "max_concurrent_analyses", "torch_threads", mode="before",
    )
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        return None if value == "" else value


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read from the environment on first use."""
    return Settings()

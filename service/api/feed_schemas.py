"""API shapes of watched feeds (pydantic), converted from domain values."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from service.domain import Feed, FeedError
from service.intake.fields import MAX_FIELD_CHARS


class FeedIn(BaseModel):
    """A feed to watch, as sent to ``POST /feeds`` (documentation of the body; validated by service.intake.feeds)."""

    model_config = ConfigDict(extra="forbid")

    url: str = Field(max_length=MAX_FIELD_CHARS["url"], description="The RSS or Atom feed: http:// or https:// only")
    outlet: str = Field(max_length=MAX_FIELD_CHARS["outlet"], description="The outlet its articles are stored under")
    language: str | None = Field(default=None, max_length=MAX_FIELD_CHARS["language"], description="ISO 639-1 code; detected per article when absent")
    every: str = Field(default="15m", description="Poll interval: 90s, 15m, 1h, 1d; from 1m to 7d")


FEED_BODY: dict[str, object] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": FeedIn.model_json_schema(),
                "example": {"url": "https://www.sana.sy/?feed=rss2", "outlet": "SANA", "language": "ar", "every": "15m"},
            }
        },
    }
}


class FeedErrorOut(BaseModel):
    code: str
    message: str
    at: datetime

    @classmethod
    def of(cls, error: FeedError | None) -> FeedErrorOut | None:
        return None if error is None else cls(code=error.code, message=error.message, at=error.at)


class FeedOut(BaseModel):
    id: int
    url: str
    outlet: str
    language: str | None
    every_seconds: int
    last_polled_at: datetime | None
    next_poll_at: datetime
    last_error: FeedErrorOut | None  # the last poll's error; null once a poll succeeds
    entries_seen: int  # entries recorded: stored, known before, or failed

    @classmethod
    def of(cls, feed: Feed) -> FeedOut:
        return cls(
            id=feed.id,
            url=feed.url,
            outlet=feed.outlet,
            language=feed.language,
            every_seconds=feed.every_seconds,
            last_polled_at=feed.last_polled_at,
            next_poll_at=feed.next_poll_at,
            last_error=FeedErrorOut.of(feed.last_error),
            entries_seen=feed.entries_seen,
        )


class FeedsOut(BaseModel):
    ok: bool = True
    items: list[FeedOut]
    total: int

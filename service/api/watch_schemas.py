"""API shapes of watches and their deliveries (pydantic), converted from domain values."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from service.domain import RELATION_CHOICES, Delivery, Watch
from service.intake.fields import MAX_FIELD_CHARS
from service.intake.watches import MAX_SECRET, MIN_SECRET


class WatchIn(BaseModel):
    """A watch, as sent to ``POST /watches`` (documentation of the body; validated by
    service.intake.watches). Filters of the other kind are refused (``unknown_field``)."""

    model_config = ConfigDict(extra="forbid")

    on: str = Field(pattern="^(flags|stories)$", description="flags: new copy links; stories: stories as they change")
    webhook_url: str = Field(max_length=MAX_FIELD_CHARS["url"], description="Where each match is POSTed: http:// or https://")
    secret: str | None = Field(default=None, min_length=MIN_SECRET, max_length=MAX_SECRET, description="Signs the deliveries; made by the service when absent")
    outlet: str | None = Field(default=None, description="flags: the copying outlet; stories: an outlet with an article in the story")
    source_outlet: str | None = Field(default=None, description="flags: the outlet copied from")
    min_share: float = Field(default=0.0, ge=0, le=1, description="flags: at least this share of the copier's text")
    credited: bool | None = Field(default=None, description="flags: true, false, or null for both")
    relation: str = Field(default="reuse", description=f"flags: one of {', '.join(RELATION_CHOICES)}")
    language: str | None = Field(default=None, description="stories: with an article in this language")
    q: str | None = Field(default=None, description="stories: text in the headline or an article's title")
    min_articles: int = Field(default=1, ge=1, description="stories: with at least this many articles")
    min_outlets: int = Field(default=1, ge=1, description="stories: with articles of at least this many outlets")


WATCH_BODY: dict[str, object] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": WatchIn.model_json_schema(),
                "example": {"on": "flags", "source_outlet": "spa", "credited": False, "min_share": 0.5, "webhook_url": "https://hooks.example.org/storydiff"},
            }
        },
    }
}


class WatchOut(BaseModel):
    id: int
    on: str
    filters: dict[str, object]
    webhook_url: str
    created_at: datetime
    scanned_until: datetime  # every link or story change up to then has been looked at
    matches: int
    delivered: int

    @classmethod
    def of(cls, watch: Watch) -> WatchOut:
        return cls(
            id=watch.id, on=watch.kind, filters=watch.filters, webhook_url=watch.webhook_url,
            created_at=watch.created_at, scanned_until=watch.scanned_until, matches=watch.matches, delivered=watch.delivered,
        )


class WatchCreatedOut(WatchOut):
    secret: str  # shown once, here: the receiver checks each delivery's signature with it

    @classmethod
    def created(cls, watch: Watch) -> WatchCreatedOut:
        return cls(**WatchOut.of(watch).model_dump(), secret=watch.secret)


class WatchesOut(BaseModel):
    ok: bool = True
    items: list[WatchOut]
    total: int


class DeliveryOut(BaseModel):
    id: int  # also the X-Storydiff-Delivery header of its POSTs
    key: str  # the match: "target<-source" article ids of a link, "story:id"
    status: str  # pending | delivered | failed (given up)
    attempts: int
    matched_at: datetime
    last_attempt_at: datetime | None
    next_attempt_at: datetime | None  # pending only
    status_code: int | None  # the receiver's answer to the last attempt
    error_code: str | None
    error_message: str | None
    delivered_at: datetime | None
    payload: dict[str, object]  # the body POSTed

    @classmethod
    def of(cls, d: Delivery) -> DeliveryOut:
        return cls(
            id=d.id, key=d.key, status=d.status, attempts=d.attempts, matched_at=d.matched_at, last_attempt_at=d.last_attempt_at,
            next_attempt_at=d.next_attempt_at, status_code=d.status_code, error_code=d.error_code, error_message=d.error_message,
            delivered_at=d.delivered_at, payload=d.payload,
        )


class DeliveriesOut(BaseModel):
    ok: bool = True
    items: list[DeliveryOut]
    total: int

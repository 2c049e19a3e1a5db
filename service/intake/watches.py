"""Watches as users ask for them, pure: ``POST /watches`` bodies and ``storydiff watches
add`` options checked into a ``WatchRequest``. The filters are the listings' own (``GET
/flags``, ``GET /stories``), kept as given (``service.pipeline.alerts`` turns them into the stores'
keywords); nothing here resolves the webhook's address or does other I/O.

Example:
    >>> request = parse_watch_request({"on": "flags", "source_outlet": "spa", "credited": False, "webhook_url": "https://hooks.example/x"})
    >>> request.kind, request.filters["credited"], request.filters["relation"]
    ('flags', False, 'reuse')
"""

from __future__ import annotations

from dataclasses import dataclass

from service.domain import RELATION_CHOICES
from service.errors import InvalidInput
from service.intake.feeds import check_feed_url
from service.intake.fields import MAX_FIELD_CHARS, MAX_OFFSET, refuse_unknown_fields

KINDS = ("flags", "stories")
# Each kind's filters with their defaults: a watch's filters, stored, always hold them all.
FLAG_FILTERS: dict[str, object] = {"outlet": None, "source_outlet": None, "min_share": 0.0, "credited": None, "relation": "reuse"}
STORY_FILTERS: dict[str, object] = {"outlet": None, "language": None, "q": None, "min_articles": 1, "min_outlets": 1}
FILTERS = {"flags": FLAG_FILTERS, "stories": STORY_FILTERS}
WATCH_FIELDS = ("on", "webhook_url", "secret")
MIN_SECRET, MAX_SECRET = 16, 200
MAX_TEXT = {"outlet": MAX_FIELD_CHARS["outlet"], "source_outlet": MAX_FIELD_CHARS["outlet"], "language": MAX_FIELD_CHARS["language"], "q": 200}


@dataclass(frozen=True, slots=True)
class WatchRequest:
    """A watch as asked for: ``kind`` flags | stories, its filters (every one of its
    kind's, defaults filled in), where to POST its matches, and the signing secret (None:
    the service makes one)."""

    kind: str
    filters: dict[str, object]
    webhook_url: str
    secret: str | None


def _invalid(field: str, message: str, code: str = "invalid_field") -> InvalidInput:
    return InvalidInput(message, code=code, errors=[{"field": field, "code": code}])


def parse_watch_request(obj: object) -> WatchRequest:
    """``{"on", filters..., "webhook_url", "secret"?}`` checked; a filter of the other
    kind (``q`` on flags) is an unknown field."""
    if not isinstance(obj, dict):
        raise InvalidInput("a watch must be a JSON object", code="invalid_request")
    kind = obj.get("on")
    if kind not in KINDS:
        raise _invalid("on", f"on must be one of {', '.join(KINDS)}")
    refuse_unknown_fields(obj, WATCH_FIELDS + tuple(FILTERS[kind]))
    filters = {name: obj.get(name, default) for name, default in FILTERS[kind].items()}
    return watch_request(kind, filters, webhook_url=obj.get("webhook_url"), secret=obj.get("secret"))


def watch_request(kind: str, filters: dict[str, object], *, webhook_url: object, secret: object = None) -> WatchRequest:
    """A watch request from its fields, as every entry point gives them."""
    if kind not in KINDS:
        raise _invalid("on", f"on must be one of {', '.join(KINDS)}")
    checked = dict(FILTERS[kind])
    for name, value in filters.items():
        if name not in checked:
            raise _invalid(name, f"{name} is not a filter of watches on {kind}", code="unknown_field")
        checked[name] = _filter(name, value)
    try:
        url = check_feed_url(webhook_url)
    except InvalidInput:
        raise _invalid("webhook_url", "webhook_url must be an absolute http:// or https:// address", code="invalid_url") from None
    if secret is not None and (not isinstance(secret, str) or not MIN_SECRET <= len(secret) <= MAX_SECRET or "\x00" in secret):
        raise _invalid("secret", f"secret must be a string of {MIN_SECRET} to {MAX_SECRET} characters")
    return WatchRequest(kind, checked, url, secret)


def _filter(name: str, value: object) -> object:
    if name in MAX_TEXT:
        if value is None:
            return None
        if not isinstance(value, str) or "\x00" in value or len(value) > MAX_TEXT[name]:
            raise _invalid(name, f"{name} must be a string of at most {MAX_TEXT[name]} characters")
        return value.strip() or None
    if name == "min_share":
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
            raise _invalid(name, "min_share must be a number from 0 to 1")
        return float(value)
    if name == "credited":
        if value is not None and not isinstance(value, bool):
            raise _invalid(name, "credited must be true, false or null")
        return value
    if name == "relation":
        if value not in RELATION_CHOICES:
            raise _invalid(name, f"relation must be one of {', '.join(RELATION_CHOICES)}")
        return value
    # min_articles, min_outlets
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_OFFSET:
        raise _invalid(name, f"{name} must be a whole number of at least 1")
    return value


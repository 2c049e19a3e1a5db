"""Article fields as users send them, checked: JSON bodies, lines of JSON Lines, dates, pairs.

Every entry point (API, pages, CLI, files, seeds) parses here, so all give the same errors
with the same codes. Pure: nothing is stored or cleaned (``service.pipeline.prepare``).

Example:
    >>> parse_article({"text": "...", "outlet": "SANA", "published_at": "2019-05-15"}).outlet
    'SANA'
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

from service.domain import ArticleInput
from service.errors import InvalidInput, TooLarge

ARTICLE_FIELDS = ("text", "html", "title", "outlet", "url", "published_at", "language")
# Longest accepted value of the short fields, in characters: outlet, url and language as
# wide as their columns (service/storage/tables.py), so both databases take the same values.
MAX_FIELD_CHARS = {"title": 1_000, "outlet": 200, "url": 2_048, "language": 16, "published_at": 64}
# Ids are 64-bit signed integers in both databases; offsets beyond any real table are refused.
MAX_ID = 2**63 - 1
MAX_OFFSET = 2**31 - 1
# Publication times the service takes: a story window of weeks around them stays a valid date.
EARLIEST_PUBLISHED = datetime(1800, 1, 1, tzinfo=UTC)
LATEST_PUBLISHED = datetime(2200, 1, 1, tzinfo=UTC)
# A text made only of these (whitespace, zero-width and direction marks, BOM, soft hyphen) is empty.
_VISIBLE = re.compile(r"[^\s\u00ad\u200b-\u200f\u2028-\u202f\u2060-\u206f\ufeff]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def parse_datetime(value: str, *, field: str = "published_at") -> datetime:
    """ISO 8601 date or date-time; naive values are taken as UTC."""
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except (ValueError, AttributeError):
        raise InvalidInput(
            f"{field} must be an ISO 8601 date or date-time, got {value[:64]!r}",
            code="invalid_date",
            errors=[{"field": field, "code": "invalid_date"}],
        ) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def parse_published(value: str) -> datetime:
    """A publication time: ISO 8601, from 1800 to 2200 (a date outside is a typo, and the
    story window's arithmetic around it would leave the calendar)."""
    parsed = parse_datetime(value)
    if not EARLIEST_PUBLISHED <= parsed < LATEST_PUBLISHED:
        raise InvalidInput(
            f"published_at must be between {EARLIEST_PUBLISHED.year} and {LATEST_PUBLISHED.year - 1}, got {value[:64]!r}",
            code="invalid_date",
            errors=[{"field": "published_at", "code": "invalid_date"}],
        )
    return parsed


def parse_json(text: str, *, where: str = "the body") -> object:
    """JSON as users send it: any failure to read it (syntax, nesting deeper than the
    parser recurses, integers beyond Python's digit limit, escapes of lone surrogates)
    is ``invalid_json``, never an internal error."""
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"{where} is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})", code="invalid_json") from exc
    except (RecursionError, ValueError) as exc:  # ValueError: the 4,300-digit integer limit
        raise InvalidInput(f"{where} is not JSON the service can read: {str(exc)[:120]}", code="invalid_json") from exc
    if _has_surrogate(obj):
        raise InvalidInput(f"{where} has a \\u escape of a lone surrogate, which is not a character", code="invalid_json")
    return obj


def _has_surrogate(obj: object) -> bool:
    pending = [obj]
    while pending:
        value = pending.pop()
        if isinstance(value, str):
            if _SURROGATE.search(value):
                return True
        elif isinstance(value, dict):
            pending.extend(value.keys())
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)
    return False


def is_blank(text: str) -> bool:
    """True when ``text`` has no visible character (zero-width characters do not count)."""
    return _VISIBLE.search(text) is None


def parse_date_bound(value: str, *, field: str, end: bool = False) -> datetime:
    """A date-range bound; a bare date as an upper bound (``end``) means the whole of that day."""
    parsed = parse_datetime(value, field=field)
    if end and len(value.strip()) == 10:
        parsed = parsed.replace(hour=23, minute=59, second=59, microsecond=999999)
    return parsed


def parse_date_range(since: str | None, until: str | None) -> dict[str, datetime | None]:
    """``since`` / ``until`` filter keywords from optional text bounds (empty: unbounded)."""
    return {
        "since": parse_date_bound(since, field="since") if since else None,
        "until": parse_date_bound(until, field="until", end=True) if until else None,
    }


def refuse_unknown_fields(obj: dict[str, object], allowed: tuple[str, ...]) -> None:
    """422 ``unknown_field`` naming each field of ``obj`` not in ``allowed``."""
    unknown = sorted(set(obj) - set(allowed))
    if unknown:
        raise InvalidInput(
            f"unknown field(s): {', '.join(unknown)}; allowed: {', '.join(allowed)}",
            code="unknown_field",
            errors=[{"field": name, "code": "unknown_field"} for name in unknown],
        )


def parse_article(obj: object) -> ArticleInput:
    """Validate one article as sent in JSON (a dict) and return it as a domain value."""
    if not isinstance(obj, dict):
        raise InvalidInput("an article must be a JSON object", code="invalid_article")
    refuse_unknown_fields(obj, ARTICLE_FIELDS)
    return parse_fields(obj)


def parse_fields(obj: dict[str, object]) -> ArticleInput:
    """Article fields checked as every entry point takes them (JSON, forms, command line):
    strings without NUL, short fields within their column widths, an http(s) ``url``, a
    ``published_at`` in range; blank short fields become None."""
    strings: dict[str, str | None] = {}
    for name, value in obj.items():
        if value is not None and not isinstance(value, str):
            raise _invalid_field(name, f"{name} must be a string")
        if value is not None and "\x00" in value:
            raise _invalid_field(name, f"{name} contains a NUL character")
        if value is not None and name in MAX_FIELD_CHARS and len(value) > MAX_FIELD_CHARS[name]:
            raise _invalid_field(name, f"{name} is longer than {MAX_FIELD_CHARS[name]} characters")
        strings[name] = value
    url = _blank_to_none(strings.get("url"))
    if url is not None and not is_web_url(url):
        raise _invalid_field("url", "url must be an http:// or https:// address", code="invalid_url")
    published = _blank_to_none(strings.get("published_at"))
    return ArticleInput(
        text=strings.get("text"),
        html=strings.get("html"),
        title=_blank_to_none(strings.get("title")),
        outlet=_blank_to_none(strings.get("outlet")),
        url=url,
        published_at=parse_published(published) if published else None,
        language=_blank_to_none(strings.get("language")),
    )


def _invalid_field(name: str, message: str, *, code: str = "invalid_field") -> InvalidInput:
    return InvalidInput(message, code=code, errors=[{"field": name, "code": code}])


def is_web_url(url: str) -> bool:
    """An absolute http(s) URL with a host: the only links pages render and feeds follow."""
    scheme, sep, rest = url.partition("://")
    return bool(sep) and scheme.lower() in ("http", "https") and bool(rest.split("/", 1)[0]) and not any(c.isspace() for c in url)


def parse_pair(obj: object) -> tuple[ArticleInput | int, ArticleInput | int]:
    """``{"a": ARTICLE_OR_ID, "b": ARTICLE_OR_ID}``: each an article object (as POST
    /articles takes) or the id of a stored article."""
    if not isinstance(obj, dict) or set(obj) != {"a", "b"}:
        raise InvalidInput('send {"a": ARTICLE_OR_ID, "b": ARTICLE_OR_ID}', code="invalid_request")
    out: list[ArticleInput | int] = []
    for side in ("a", "b"):
        value = obj[side]
        if isinstance(value, bool) or not isinstance(value, (int, dict)):
            raise InvalidInput(f"{side} must be an article object or a stored article id", code="invalid_request", errors=[{"field": side, "code": "invalid_request"}])
        if isinstance(value, int):
            if not 1 <= value <= MAX_ID:
                raise InvalidInput(f"{side}: article ids are from 1 to {MAX_ID}", code="invalid_request", errors=[{"field": side, "code": "invalid_request"}])
            out.append(value)
            continue
        try:
            out.append(parse_article(value))
        except InvalidInput as exc:
            raise InvalidInput(f"{side}: {exc.message}", code=exc.code, errors=[{"field": side, "code": exc.code}]) from exc
    return out[0], out[1]


def parse_json_article(raw: bytes | str, *, where: str) -> ArticleInput:
    """One article from JSON text or strict UTF-8 bytes (a file, a line); errors name ``where``."""
    return parse_article(parse_json(decode_utf8(raw) if isinstance(raw, bytes) else raw, where=where))


def parse_line(number: int, raw: bytes | str, *, max_bytes: int) -> ArticleInput:
    """Line ``number`` (1-based) of a JSON Lines upload as an article; its errors name the line."""
    if len(raw) > max_bytes:
        raise TooLarge(f"line {number} is over the limit of {max_bytes} bytes")
    return parse_json_article(raw, where=f"line {number}")


def decode_utf8(data: bytes) -> str:
    """Decode strictly: invalid UTF-8 is an error, never silently replaced."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidInput(f"the body is not valid UTF-8 (byte {exc.start})", code="invalid_utf8") from exc


def _blank_to_none(value: str | None) -> str | None:
    return value.strip() or None if value is not None else None

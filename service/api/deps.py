"""Request dependencies: settings, store, API key, size-limited body reading."""

from __future__ import annotations

import hmac
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Path, Query, Request

from service.config import Settings
from service.errors import InvalidInput, StorydiffError, TooLarge
from service.intake.fields import MAX_ID, MAX_OFFSET, decode_utf8, parse_json
from service.pipeline.runtime import Runtime
from service.storage.store import Store


def get_runtime(request: Request) -> Runtime:
    return request.app.state.runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


def get_settings(runtime: RuntimeDep) -> Settings:
    return runtime.settings


def get_store(runtime: RuntimeDep) -> Store:
    return runtime.store


SettingsDep = Annotated[Settings, Depends(get_settings)]
StoreDep = Annotated[Store, Depends(get_store)]

# Path ids and paging as both databases take them (64-bit ids): out of range is a 422.
ArticleId = Annotated[int, Path(ge=1, le=MAX_ID)]
StoryId = Annotated[int, Path(ge=1, le=MAX_ID)]
ArticleIdQuery = Annotated[int | None, Query(ge=1, le=MAX_ID)]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET)]


def refuse_nul_in_query(request: Request) -> None:
    """A NUL in a query parameter is refused (422): PostgreSQL cannot compare text holding
    one and SQLite can, and both databases must answer the same."""
    for name, value in request.query_params.multi_items():
        if "\x00" in name or "\x00" in value:
            raise InvalidInput(
                f"the query parameter {name.replace(chr(0), '')!r} contains a NUL character",
                code="invalid_request",
                errors=[{"field": name.replace("\x00", ""), "code": "invalid_request"}],
            )


CleanQuery = Depends(refuse_nul_in_query)


class Unauthorized(StorydiffError):
    code = "unauthorized"


class UnsupportedMediaType(StorydiffError):
    code = "unsupported_media_type"


def require_api_key(request: Request, settings: SettingsDep) -> None:
    """When STORYDIFF_API_KEY is set, writes need it as a Bearer token or X-API-Key."""
    if settings.api_key is None:
        return
    expected = settings.api_key.get_secret_value()
    header = request.headers.get("authorization", "")
    given = header[7:].strip() if header.lower().startswith("bearer ") else request.headers.get("x-api-key", "")
    if not given or not hmac.compare_digest(given.encode(), expected.encode()):
        raise Unauthorized("this endpoint needs the API key (Authorization: Bearer KEY or X-API-Key: KEY)")


WriteAccess = Depends(require_api_key)


def _declared_length(request: Request) -> int | None:
    value = request.headers.get("content-length")
    return int(value) if value and value.isdigit() else None


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, refused (413) as soon as it is known to exceed ``limit`` bytes."""
    declared = _declared_length(request)
    if declared is not None and declared > limit:
        raise TooLarge(f"the request body ({declared} bytes) is over the limit of {limit} bytes")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise TooLarge(f"the request body is over the limit of {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


# Bodies are read only with a media type a browser cannot send cross-site without a CORS
# preflight: a form or fetch() posting text/plain (or nothing) would otherwise store articles.
JSON_TYPES = ("application/json",)
JSON_LINES_TYPES = ("application/x-ndjson", "application/ndjson", "application/jsonl", "application/x-jsonlines", "application/json")


def require_media_type(request: Request, accepted: tuple[str, ...]) -> None:
    """415 ``unsupported_media_type`` unless Content-Type is one of ``accepted`` (or ``+json``)."""
    given = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if given in accepted or (given.startswith("application/") and given.endswith("+json") and "application/json" in accepted):
        return
    raise UnsupportedMediaType(
        f"send the body as {' or '.join(accepted[:2])}, not {given or 'without a Content-Type'}"
    )


async def json_article_body(request: Request, settings: SettingsDep) -> object:
    """One article's JSON body: size-limited, strict UTF-8, valid JSON."""
    # The JSON envelope and escapes add a little to the text's own limit.
    return await _json_body(request, settings.max_article_bytes + 64_000)


async def json_pair_body(request: Request, settings: SettingsDep) -> object:
    """Two articles' JSON body ({"a": ..., "b": ...}): twice an article's limit."""
    return await _json_body(request, 2 * settings.max_article_bytes + 128_000)


async def _json_body(request: Request, limit: int) -> object:
    require_media_type(request, JSON_TYPES)
    body = await read_body(request, limit)
    if not body.strip():
        raise InvalidInput("the request body is empty", code="invalid_json")
    return parse_json(decode_utf8(body))


JsonBody = Annotated[object, Depends(json_article_body)]
PairBody = Annotated[object, Depends(json_pair_body)]


async def body_lines(request: Request, limit: int) -> AsyncIterator[bytes]:
    """The body's lines as they arrive, the whole upload limited to ``limit`` bytes."""
    require_media_type(request, JSON_LINES_TYPES)
    declared = _declared_length(request)
    if declared is not None and declared > limit:
        raise TooLarge(f"the upload ({declared} bytes) is over the limit of {limit} bytes")
    pending, size = b"", 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise TooLarge(f"the upload is over the limit of {limit} bytes")
        pending += chunk
        *lines, pending = pending.split(b"\n")
        for line in lines:
            yield line
    if pending:
        yield pending

"""Watched feeds: thin shells over service.intake.feeds and the runtime's feed watcher."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response

from service.api.deps import CleanQuery, JsonBody, RuntimeDep, WriteAccess
from service.api.feed_schemas import FEED_BODY, FeedOut, FeedsOut
from service.intake.feeds import parse_feed_request
from service.intake.fields import MAX_ID

router = APIRouter(prefix="/feeds", tags=["feeds"], dependencies=[CleanQuery])

FeedId = Annotated[int, Path(ge=1, le=MAX_ID)]


@router.post("", response_model=FeedOut, status_code=201, dependencies=[WriteAccess], openapi_extra=FEED_BODY)
def post_feed(body: JsonBody, runtime: RuntimeDep) -> FeedOut:
    """Watch a feed: it is polled at once by ``storydiff watch``, then every ``every``.
    A host that resolves to a private, loopback or link-local address is refused (422
    private_address) unless STORYDIFF_ALLOW_PRIVATE_FEEDS; a URL watched already is 409."""
    return FeedOut.of(runtime.feeds.add(parse_feed_request(body)))


@router.get("", response_model=FeedsOut)
def list_feeds(runtime: RuntimeDep) -> FeedsOut:
    """Every watched feed, in the order they were added, with its last error."""
    feeds = runtime.feeds.list()
    return FeedsOut(items=[FeedOut.of(f) for f in feeds], total=len(feeds))


@router.get("/{feed_id}", response_model=FeedOut)
def get_feed(feed_id: FeedId, runtime: RuntimeDep) -> FeedOut:
    return FeedOut.of(runtime.feeds.get(feed_id))


@router.delete("/{feed_id}", status_code=204, dependencies=[WriteAccess], response_class=Response)
def delete_feed(feed_id: FeedId, runtime: RuntimeDep) -> Response:
    """Stop watching a feed; the articles stored from it stay."""
    runtime.feeds.remove(feed_id)
    return Response(status_code=204)

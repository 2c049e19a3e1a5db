"""Watches: thin shells over service.intake.watches and the runtime's alerts."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response

from service.api.deps import CleanQuery, JsonBody, RuntimeDep, WriteAccess
from service.api.watch_schemas import WATCH_BODY, DeliveriesOut, DeliveryOut, WatchCreatedOut, WatchesOut, WatchOut
from service.intake.fields import MAX_ID
from service.intake.watches import parse_watch_request

router = APIRouter(prefix="/watches", tags=["watches"], dependencies=[CleanQuery])

WatchId = Annotated[int, Path(ge=1, le=MAX_ID)]
ATOM = "application/atom+xml; charset=utf-8"


@router.post("", response_model=WatchCreatedOut, status_code=201, dependencies=[WriteAccess], openapi_extra=WATCH_BODY)
def post_watch(body: JsonBody, runtime: RuntimeDep) -> WatchCreatedOut:
    """Save a watch: from now on each new match of its filters is POSTed once to its
    webhook, signed with its secret (shown in this answer only). A webhook host that
    resolves to a private, loopback or link-local address is refused (422 private_address)
    unless STORYDIFF_ALLOW_PRIVATE_FEEDS."""
    return WatchCreatedOut.created(runtime.alerts.add(parse_watch_request(body)))


@router.get("", response_model=WatchesOut)
def list_watches(runtime: RuntimeDep) -> WatchesOut:
    watches = runtime.alerts.list()
    return WatchesOut(items=[WatchOut.of(w) for w in watches], total=len(watches))


@router.get("/{watch_id}.atom", response_class=Response, responses={200: {"content": {ATOM: {"schema": {"type": "string"}}}}})
def watch_atom(watch_id: WatchId, request: Request, runtime: RuntimeDep) -> Response:
    """The watch's latest 100 matches as an Atom feed, for a feed reader."""
    return Response(runtime.alerts.atom(watch_id, base_url=str(request.base_url)), media_type=ATOM)


@router.get("/{watch_id}", response_model=WatchOut)
def get_watch(watch_id: WatchId, runtime: RuntimeDep) -> WatchOut:
    return WatchOut.of(runtime.alerts.get(watch_id))


@router.get("/{watch_id}/deliveries", response_model=DeliveriesOut)
def watch_deliveries(watch_id: WatchId, runtime: RuntimeDep, limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> DeliveriesOut:
    """The watch's matches, newest first, each with its delivery: pending, delivered or failed."""
    deliveries = runtime.alerts.deliveries(watch_id, limit=limit)
    return DeliveriesOut(items=[DeliveryOut.of(d) for d in deliveries], total=runtime.alerts.get(watch_id).matches)


@router.delete("/{watch_id}", status_code=204, dependencies=[WriteAccess], response_class=Response)
def delete_watch(watch_id: WatchId, runtime: RuntimeDep) -> Response:
    """Delete a watch and its deliveries' log."""
    runtime.alerts.remove(watch_id)
    return Response(status_code=204)

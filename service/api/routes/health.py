"""Liveness, the state of the backing parts and the queue, and Prometheus metrics."""

from __future__ import annotations

from dataclasses import asdict

from fastapi import APIRouter, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from service.api.deps import CleanQuery, RuntimeDep

router = APIRouter(tags=["health"], dependencies=[CleanQuery])


@router.get("/health")
def health(runtime: RuntimeDep) -> dict[str, object]:
    """The database (article count), passage index, model and analysis queue (depth,
    dead letters, live workers, age of the oldest article waiting for its analysis)."""
    state = runtime.health()
    return {"ok": state.ok, **asdict(state)}


@router.get("/metrics", response_class=Response)
def metrics(runtime: RuntimeDep) -> Response:
    """This process's metrics in the Prometheus text format (the queue depth read now)."""
    runtime.health()  # sets the queue depth gauge
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

"""Two articles side by side: POST /compare."""

from __future__ import annotations

from fastapi import APIRouter

from service.api.compare_schemas import ComparisonOut
from service.api.deps import CleanQuery, PairBody, RuntimeDep
from service.api.limits import AnalysisSlot
from service.api.schemas import PAIR_BODY
from service.intake.fields import parse_pair

router = APIRouter(tags=["compare"], dependencies=[CleanQuery])


@router.post("/compare", response_model=ComparisonOut, openapi_extra=PAIR_BODY)
def compare(body: PairBody, runtime: RuntimeDep, slot: AnalysisSlot) -> dict[str, object]:
    """Shared copied text, aligned sentences and quotes (with wording diffs), what only one
    article says, and the figures they give differently. Offsets index each ORIGINAL text."""
    a, b = parse_pair(body)
    with slot:
        # Comparison.as_dict is the one conversion; the response model validates and documents it.
        return {"ok": True, **runtime.compare(a, b).as_dict()}

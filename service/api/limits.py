"""At most ``STORYDIFF_MAX_CONCURRENT_ANALYSES`` CPU-heavy analyses at once.

``POST /compare``, ``POST /similarity``, ``POST /reuse/check`` and the compare page each
hold a slot while they work (after their body is read, so a slow upload holds none).
When every slot is taken the request is answered at once with 503 ``busy`` and
``Retry-After``, rather than queued: a queued request would still hold one of the
server's worker threads, which writes need too, and its caller is best placed to decide
whether to try again. Unset (the default): no limit.

Example:
    >>> slots = AnalysisSlots(1)
    >>> with slots.slot():
    ...     with slots.slot():
    ...         pass
    Traceback (most recent call last):
    ...
    service.api.limits.Busy: the server is running as many analyses as it allows (1); retry in 2 s
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Annotated

from fastapi import Depends, FastAPI, Request

from service.errors import Unavailable

RETRY_AFTER_SECONDS = 2  # an analysis of real articles takes 0.1-2 s

_lock = threading.Lock()


class Busy(Unavailable):
    """Every analysis slot is taken (503, with a Retry-After header)."""

    code = "busy"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}


class AnalysisSlots:
    """``limit`` slots (None: unlimited), taken without waiting."""

    def __init__(self, limit: int | None) -> None:
        if limit is not None and limit < 1:
            raise ValueError(f"limit must be at least 1 (or None), got {limit}")
        self.limit = limit
        self._free = threading.BoundedSemaphore(limit) if limit is not None else None

    @contextmanager
    def slot(self) -> Iterator[None]:
        """Hold a slot for the ``with`` block; Busy when none is free."""
        if self._free is None:
            yield
            return
        if not self._free.acquire(blocking=False):
            raise Busy(f"the server is running as many analyses as it allows ({self.limit}); retry in {RETRY_AFTER_SECONDS} s")
        try:
            yield
        finally:
            self._free.release()


def slots_of(app: FastAPI) -> AnalysisSlots:
    """The app's slots, made on first use from its runtime's settings."""
    with _lock:
        slots = getattr(app.state, "analysis_slots", None)
        if slots is None:
            slots = app.state.analysis_slots = AnalysisSlots(app.state.runtime.settings.max_concurrent_analyses)
        return slots


def analysis_slot(request: Request) -> AbstractContextManager[None]:
    """A slot of the app's analyses, to hold with ``with`` around the work."""
    return slots_of(request.app).slot()


AnalysisSlot = Annotated[AbstractContextManager[None], Depends(analysis_slot)]

"""The copied share: how much of an article lies inside passages it shares with another.

One formula for every reader: copy links (``side_share`` of the target, shown to users
as a link's ``share``), the same-story score (``copied_share``, symmetric, fitted by
``scripts/fit_story_score.py`` and served from stored links as ``CopyLink.pair_share``),
and ``/reuse/check``. Shares are of the CLEANED texts the spans index.

Example:
    >>> spans = [CopiedSpan(0, 50, 10, 60, "verbatim", 1.0)]
    >>> side_share([(0, 50)], 200), copied_share(spans, 200, 100)
    (0.25, 0.5)
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from service.reuse.spans import CopiedSpan


def covered(intervals: Iterable[tuple[int, int]]) -> int:
    """Characters inside the union of ``[start, end)`` intervals (overlaps counted once)."""
    total, end = 0, -1
    for s, e in sorted(intervals):
        s = max(s, end)
        if e > s:
            total += e - s
            end = e
    return total


def side_share(intervals: Iterable[tuple[int, int]], length: int) -> float:
    """The share (0-1) of a text of ``length`` characters that the intervals cover."""
    return min(1.0, covered(intervals) / max(length, 1))


def copied_share(spans: Sequence[CopiedSpan], a_length: int, b_length: int) -> float:
    """The share of the more-copied article (0-1): 1.0 when either is wholly inside the
    other, whichever copied; the same whichever article is ``a``."""
    return max(
        side_share(((s.a_start, s.a_end) for s in spans), a_length),
        side_share(((s.b_start, s.b_end) for s in spans), b_length),
    )

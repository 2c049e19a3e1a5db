"""Result values of the reuse package: small, typed, frozen (as RapidFuzz's ScoreAlignment)."""

from __future__ import annotations

from dataclasses import dataclass

KINDS = ("verbatim", "edited")


@dataclass(frozen=True, slots=True)
class CopiedSpan:
    """``a[a_start:a_end]`` and ``b[b_start:b_end]`` are the same passage.

    Offsets are character offsets into the two ORIGINAL texts given to ``align``.
    ``kind`` is ``verbatim`` (identical words after normalisation) or ``edited``;
    ``similarity`` (0-1) is the Indel similarity of their normalised word sequences
    (order-blind copies, such as shuffled words, score low here although every word is shared).

    Example:
        >>> span = CopiedSpan(0, 10, 5, 15, "verbatim", 1.0)
        >>> span.a_end - span.a_start, span.kind
        (10, 'verbatim')
    """

    a_start: int
    a_end: int
    b_start: int
    b_end: int
    kind: str
    similarity: float

    def __post_init__(self) -> None:
        if not (0 <= self.a_start < self.a_end and 0 <= self.b_start < self.b_end):
            raise ValueError(f"empty or negative span: a [{self.a_start}, {self.a_end}), b [{self.b_start}, {self.b_end})")
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, not {self.kind!r}")
        if not 0.0 <= self.similarity <= 1.0:
            raise ValueError(f"similarity must be between 0 and 1, not {self.similarity}")

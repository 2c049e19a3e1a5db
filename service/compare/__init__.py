"""Two-article comparison: shared text, aligned sentences and quotes, differences."""

from __future__ import annotations

from service.compare.comparison import TooLongToCompare, compare
from service.compare.result import AlignedPair, Comparison, Discrepancy, Passage, QuoteMatch, SharedPassage, StoryVerdict, WordChange

__all__ = ["AlignedPair", "Comparison", "Discrepancy", "Passage", "QuoteMatch", "SharedPassage", "StoryVerdict", "TooLongToCompare", "WordChange", "compare"]

"""Two-article comparison: shared text, aligned sentences and quotes, differences."""

from __future__ import annotations

from service.compare.comparison import Comparison, TooLongToCompare, compare

__all__ = ["Comparison", "TooLongToCompare", "compare"]

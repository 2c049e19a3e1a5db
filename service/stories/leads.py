"""Lead vectors of many articles in one matrix: the closest leads among a time window's
thousands of members in one product, not a Python loop over StoryDocs.

A busy news feed puts thousands of articles in a story window (SaudiNewsNet: ~1,700 a
day); the story desk shortlists the few whose leads are closest to a new article's
before scoring any pair (``service.stories.cluster.shortlist`` has the same rule for
in-memory clustering).

Example:
    >>> table = LeadTable()
    >>> table.put(1, np.array([1.0, 0.0], np.float32)); table.put(2, np.array([0.0, 1.0], np.float32))
    >>> table.put(3, None)  # not embedded: always kept, its names can still tell
    >>> table.closest(np.array([0.9, 0.1], np.float32), [1, 2, 3], size=1)
    [1, 3]
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import TypeVar

import numpy as np

K = TypeVar("K", bound=Hashable)  # article ids: ints in the store, strings in memory

CAPACITY = 200_000  # rows (~300 MB at 384 floats); past it the table starts again empty


class LeadTable:
    def __init__(self, *, capacity: int = CAPACITY) -> None:
        if capacity < 1:
            raise ValueError(f"capacity must be at least 1, got {capacity}")
        self.capacity = capacity
        self._reset(0)

    def _reset(self, dim: int) -> None:
        self._row: dict[Hashable, int] = {}  # article id -> row, or -1 when it has no lead
        self._matrix = np.zeros((0, dim), dtype=np.float32)
        self._rows = 0

    def known(self, article_id: Hashable) -> bool:
        return article_id in self._row

    def put(self, article_id: Hashable, lead: np.ndarray | None) -> None:
        """Remember an article's lead (None: the article has none)."""
        if lead is None:
            self._row[article_id] = -1
            return
        if not self._rows:
            self._matrix = np.zeros((0, lead.shape[-1]), dtype=np.float32)  # the first lead sets the dimension
        elif lead.shape[-1] != self._matrix.shape[1] or self._rows >= self.capacity:
            self._reset(lead.shape[-1])  # another model's vectors, or full: start again
        row = self._row.get(article_id, -1)
        if row < 0:
            if self._rows == len(self._matrix):
                grown = np.zeros((max(1024, 2 * self._rows), self._matrix.shape[1]), dtype=np.float32)
                grown[: self._rows] = self._matrix[: self._rows]
                self._matrix = grown
            row, self._rows = self._rows, self._rows + 1
            self._row[article_id] = row
        self._matrix[row] = lead

    def forget(self, article_id: Hashable) -> None:
        self._row.pop(article_id, None)  # its row stays unused until the table starts again

    def closest(self, lead: np.ndarray, ids: list[K], *, size: int) -> list[K]:
        """Of ``ids`` (all known), the ``size`` with the highest lead cosine to ``lead`` and
        every one without a lead, in the order of ``ids`` (ties: the earlier id wins)."""
        rows = np.fromiter((self._row[i] for i in ids), dtype=np.int64, count=len(ids))
        embedded = np.flatnonzero(rows >= 0)
        keep = rows < 0
        if len(embedded):
            cosines = self._matrix[rows[embedded]] @ lead
            keep[embedded[np.argsort(-cosines, kind="stable")[:size]]] = True
        return [i for i, k in zip(ids, keep) if k]

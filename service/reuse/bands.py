"""LSH band tables in numpy: the in-process passage index's candidate search.

The same banding as datasketch's MinHashLSH (``bands`` bands of ``rows`` hash values
each; two passages are candidates when all values of one band agree), stored as sorted
uint64 arrays instead of a dict of sets per band: 10x less memory and a build that is one
sort per band. Each band's values are folded into one uint64 key (FNV-style multiply and
xor): distinct bands that fold to the same key are possible, but rare (about n^2 / 2^64)
and only add a candidate that alignment then rejects.

Rows added since the last sort wait in a small unsorted buffer, compared directly; the
buffer is merged (all live rows sorted again) when it grows past ``buffer_rows``.

A query's cost is bounded whatever the texts repeat: equal query rows are looked up once,
each band key yields at most its ``MAX_KEY_ROWS`` newest stored rows, and the whole query
at most ``MAX_QUERY_PAIRS`` (query row, stored row) pairs (``key_cap``): enumerating every
pair of equal keys would cost rows x rows x bands for a stored text of one passage
repeated, queried with a near copy.

Example:
    >>> import numpy as np
    >>> table = BandTable(bands=2, rows=2)
    >>> table.add(7, np.array([[1, 2, 3, 4], [5, 6, 7, 8]], dtype=np.uint32))
    >>> table.query(np.array([[1, 2, 9, 9]], dtype=np.uint32))
    [[(7, 0)]]
"""

from __future__ import annotations

import threading

import numpy as np

_PRIME = np.uint64(0x100000001B3)
_OFFSET = np.uint64(0xCBF29CE484222325)
BUFFER_ROWS = 8192
# Stored rows taken per (query row, band key): a key shared by more passages than this is
# boilerplate (or a text made of one passage repeated), not a copy; the newest are kept.
MAX_KEY_ROWS = 1000
# (query row, stored row) pairs one query takes at most, its band repeats included: past
# it the per-key cap is lowered (``key_cap``), so a query costs O(MAX_QUERY_PAIRS) however
# repetitive the stored texts and the query are.
MAX_QUERY_PAIRS = 2_000_000


def band_keys(values: np.ndarray, bands: int, rows: int) -> np.ndarray:
    """One uint64 key per (passage, band) of a (passages, num_perm) array of hash values."""
    if values.ndim != 2 or values.shape[1] < bands * rows:
        raise ValueError(f"need (passages, >= {bands * rows}) hash values, got shape {values.shape}")
    grouped = values[:, : bands * rows].astype(np.uint64).reshape(len(values), bands, rows)
    keys = np.full((len(values), bands), _OFFSET, dtype=np.uint64)
    for column in range(rows):
        keys = (keys ^ grouped[:, :, column]) * _PRIME
    return keys


class BandTable:
    """Passages (article id, sequence number) by band keys; queried with hash values."""

    def __init__(self, *, bands: int, rows: int, buffer_rows: int = BUFFER_ROWS) -> None:
        if bands < 1 or rows < 1:
            raise ValueError("bands and rows must be positive")
        self.bands, self.rows, self.buffer_rows = bands, rows, buffer_rows
        empty = np.zeros(0, dtype=np.int64)
        self._keys = np.zeros((0, bands), dtype=np.uint64)  # sorted part, row order
        self._article, self._seq = empty, empty.astype(np.int32)
        self._order = np.zeros((bands, 0), dtype=np.int64)  # per band: rows by key
        self._sorted = np.zeros((bands, 0), dtype=np.uint64)
        self._pending: list[tuple[int, np.ndarray]] = []  # (article id, keys) not sorted yet
        # The buffer sorted like the band arrays, for queries: built lazily (``_buffer``), so
        # a rebuild, which adds everything before any query, never builds it.
        self._buffer_segment: _Segment | None = None
        self._pending_lock = threading.Lock()
        self._pending_rows = 0
        self._dead: set[int] = set()  # removed articles still in the sorted part
        self._live: dict[int, int] = {}  # article id -> passages

    def __len__(self) -> int:
        return sum(self._live.values())

    def __contains__(self, article_id: int) -> bool:
        return article_id in self._live

    def add(self, article_id: int, values: np.ndarray, *, merge: bool = True) -> None:
        """Index an article's passages (rows of ``values``), replacing any it had."""
        self.remove(article_id)
        self._pending.append((article_id, band_keys(values, self.bands, self.rows)))
        self._forget_pending_keys()
        self._pending_rows += len(values)
        self._live[article_id] = len(values)
        if merge and self._pending_rows > self.buffer_rows:
            self.merge()

    def remove(self, article_id: int) -> None:
        if self._live.pop(article_id, None) is None:
            return
        before = len(self._pending)
        self._pending = [(a, k) for a, k in self._pending if a != article_id]
        if len(self._pending) == before:
            self._dead.add(article_id)
        else:
            self._forget_pending_keys()
        self._pending_rows = sum(len(k) for _, k in self._pending)

    def _buffer(self) -> _Segment:
        """The unsorted buffer sorted for a query (at most ``buffer_rows`` rows: milliseconds)."""
        with self._pending_lock:  # queries of several threads: built once
            if self._buffer_segment is None:
                pending = self._pending or [(0, np.zeros((0, self.bands), dtype=np.uint64))]
                self._buffer_segment = _Segment.of(
                    np.concatenate([k for _, k in pending]),
                    np.concatenate([np.full(len(k), a, dtype=np.int64) for a, k in pending]),
                    np.concatenate([np.arange(len(k), dtype=np.int32) for _, k in pending]),
                )
            return self._buffer_segment

    def _forget_pending_keys(self) -> None:
        with self._pending_lock:
            self._buffer_segment = None

    def merge(self) -> None:
        """Sort every live row (the buffer included) into the band arrays."""
        keep = ~np.isin(self._article, np.fromiter(self._dead, dtype=np.int64, count=len(self._dead)))
        keys = [self._keys[keep]] + [k for _, k in self._pending]
        article = [self._article[keep]] + [np.full(len(k), a, dtype=np.int64) for a, k in self._pending]
        seq = [self._seq[keep]] + [np.arange(len(k), dtype=np.int32) for _, k in self._pending]
        self._keys, self._article, self._seq = np.concatenate(keys), np.concatenate(article), np.concatenate(seq)
        self._order = np.argsort(self._keys, axis=0, kind="stable").T.copy()
        self._sorted = np.take_along_axis(self._keys.T, self._order, axis=1)
        self._pending, self._pending_rows, self._dead = [], 0, set()
        self._forget_pending_keys()

    def query(self, values: np.ndarray) -> list[list[tuple[int, int]]]:
        """Per query row: the (article id, sequence number) of the passages sharing a band
        (at most ``MAX_KEY_ROWS`` a band key, see ``query_distinct``). Equal rows share one list."""
        found, inverse = self.query_distinct(values)
        return [found[i] for i in inverse.tolist()]

    def query_distinct(self, values: np.ndarray) -> tuple[list[list[tuple[int, int]]], np.ndarray]:
        """``query_pairs`` as one sorted list of (article id, seq) per distinct row, and the inverse."""
        q, article, seq, inverse = self.query_pairs(values)
        pairs = list(zip(article.tolist(), seq.tolist()))
        bounds = np.searchsorted(q, np.arange(int(inverse.max(initial=-1)) + 2)).tolist()
        return [pairs[start:end] for start, end in zip(bounds, bounds[1:])], inverse

    def query_pairs(self, values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """The passages sharing a band with each DISTINCT query row (equal rows are looked up
        once): arrays (distinct row, article id, seq) sorted so, and per query row the index
        of its distinct row.

        Bounded: per distinct row and band key, only the newest ``cap`` stored rows are taken
        (the buffer's first, then the ends of the stable-sorted runs: rows are in insertion
        order), ``cap`` = ``MAX_KEY_ROWS``, lowered (``key_cap``) until the query takes at
        most ``MAX_QUERY_PAIRS``. Rows of removed articles not yet merged away count.
        """
        keys = band_keys(values, self.bands, self.rows)  # checks the shape
        if not len(keys):
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty, empty, empty
        distinct, inverse = np.unique(values, axis=0, return_inverse=True)
        keys, inverse = band_keys(distinct, self.bands, self.rows), inverse.reshape(-1)
        main = _Segment(self._sorted, self._order, self._article, self._seq)
        recent = self._buffer()
        (main_end, in_main), (recent_end, in_recent) = main.runs(keys), recent.runs(keys)
        cap = key_cap(in_main + in_recent)
        from_recent = np.minimum(in_recent, cap)  # the buffer holds the newest rows
        q_main, a_main, s_main = main.take(main_end, np.minimum(in_main, cap - from_recent))
        if self._dead and len(a_main):
            live = ~np.isin(a_main, np.fromiter(self._dead, dtype=np.int64, count=len(self._dead)))
            q_main, a_main, s_main = q_main[live], a_main[live], s_main[live]
        q_recent, a_recent, s_recent = recent.take(recent_end, from_recent)
        # A live passage is in one part only: each part's pairs are distinct already.
        q, a, seq = np.concatenate((q_main, q_recent)), np.concatenate((a_main, a_recent)), np.concatenate((s_main, s_recent))
        order = np.lexsort((seq, a, q))  # by query row, then (article, seq)
        return q[order], a[order], seq[order], inverse


class _Segment:
    """Rows sorted per band by key (stably: insertion order within a key) and queried."""

    def __init__(self, sorted_keys: np.ndarray, order: np.ndarray, article: np.ndarray, seq: np.ndarray) -> None:
        self.sorted, self.order, self.article, self.seq = sorted_keys, order, article, seq

    @classmethod
    def of(cls, keys: np.ndarray, article: np.ndarray, seq: np.ndarray) -> _Segment:
        order = np.argsort(keys, axis=0, kind="stable").T.copy()
        return cls(np.take_along_axis(keys.T, order, axis=1), order, article, seq)

    def runs(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per (query row, band): where its key's run ends in the band's order, and its length."""
        end, length = np.empty(keys.shape, dtype=np.int64), np.empty(keys.shape, dtype=np.int64)
        for band in range(keys.shape[1]):
            end[:, band] = np.searchsorted(self.sorted[band], keys[:, band], side="right")
            length[:, band] = end[:, band] - np.searchsorted(self.sorted[band], keys[:, band], side="left")
        return end, length

    def take(self, end: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The distinct (query row, article, seq) of the last ``counts`` rows of each run."""
        codes = []  # query row * rows + stored row: one int64 a pair, so repeats drop cheaply
        for band in range(end.shape[1]):
            n = counts[:, band]
            total = int(n.sum())
            if total:
                run_start = np.repeat(end[:, band] - n - (np.cumsum(n) - n), n)
                stored = self.order[band, run_start + np.arange(total)]
                codes.append(np.repeat(np.arange(len(n), dtype=np.int64), n) * len(self.article) + stored)
        if not codes:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty, empty
        unique = np.concatenate(codes)
        unique.sort()  # a pair found in several bands, once (sorting: numpy's hashed unique is slower)
        unique = unique[np.concatenate(([True], unique[1:] != unique[:-1]))]
        q, row = np.divmod(unique, max(len(self.article), 1))
        return q, self.article[row], self.seq[row].astype(np.int64)

def key_cap(counts: np.ndarray, *, max_key_rows: int = MAX_KEY_ROWS, max_pairs: int = MAX_QUERY_PAIRS) -> int:
    """Stored rows to take per (query row, band key), given how many each has: ``max_key_rows``,
    or less, the largest cap that keeps the total within ``max_pairs`` (never below 1), so the
    keys shared by most passages are cut first and a key of few passages (a copy) stays whole.

    Example:
        >>> key_cap(np.array([[3, 50], [2, 0]]), max_key_rows=1000, max_pairs=20)
        15
    """
    counts = counts.reshape(-1)
    if int(np.minimum(counts, max_key_rows).sum()) <= max_pairs:
        return max_key_rows
    low, high = 1, max_key_rows  # sum(min(counts, cap)) grows with cap: the largest cap that fits
    while low < high:
        middle = (low + high + 1) // 2
        if int(np.minimum(counts, middle).sum()) <= max_pairs:
            low = middle
        else:
            high = middle - 1
    return low

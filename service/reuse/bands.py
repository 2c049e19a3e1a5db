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
MAX_QUERY_PAIRS = 200_000


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
        # The buffer's passages by band key, for queries; filled lazily (``_index_pending``),
        # so a rebuild, which adds everything before any query, never builds it.
        self._pending_by_key: list[dict[int, list[tuple[int, int]]]] = [{} for _ in range(bands)]
        self._pending_indexed = 0  # entries of ``_pending`` already in ``_pending_by_key``
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

    def _index_pending(self) -> None:
        with self._pending_lock:  # queries of several threads: each entry indexed once
            todo = self._pending[self._pending_indexed :]
            for article_id, keys in todo:
                for band, table in enumerate(self._pending_by_key):
                    for seq, key in enumerate(keys[:, band].tolist()):
                        table.setdefault(key, []).append((article_id, seq))
            self._pending_indexed += len(todo)

    def _forget_pending_keys(self) -> None:
        with self._pending_lock:
            self._pending_by_key, self._pending_indexed = [{} for _ in range(self.bands)], 0

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
        """The passages sharing a band with each DISTINCT query row (equal rows are looked up
        once), each list sorted, and per query row the index of its distinct row.

        Bounded: per distinct row and band key, only the newest ``cap`` stored rows are taken
        (the buffer's first, then the end of the stable-sorted run: rows are in insertion
        order), ``cap`` = ``MAX_KEY_ROWS``, lowered (``key_cap``) until the query takes at
        most ``MAX_QUERY_PAIRS``. Rows of removed articles not yet merged away count.
        """
        keys = band_keys(values, self.bands, self.rows)  # checks the shape
        if not len(keys):
            return [], np.zeros(0, dtype=np.int64)
        distinct, inverse = np.unique(values, axis=0, return_inverse=True)
        keys, inverse = band_keys(distinct, self.bands, self.rows), inverse.reshape(-1)
        self._index_pending()
        hi = np.empty(keys.shape, dtype=np.int64)
        in_sorted = np.empty(keys.shape, dtype=np.int64)
        for band in range(self.bands):
            lo = np.searchsorted(self._sorted[band], keys[:, band], side="left")
            hi[:, band] = np.searchsorted(self._sorted[band], keys[:, band], side="right")
            in_sorted[:, band] = hi[:, band] - lo
        buffered = [  # (distinct row, band, the buffer's passages of that key, oldest first)
            (q, band, rows)
            for band, table in enumerate(self._pending_by_key)
            if table
            for q, key in enumerate(keys[:, band].tolist())
            if (rows := table.get(key))
        ]
        in_buffer = np.zeros(keys.shape, dtype=np.int64)
        for q, band, rows in buffered:
            in_buffer[q, band] = len(rows)
        cap = key_cap(in_sorted + in_buffer)
        from_buffer = np.minimum(in_buffer, cap)
        from_sorted = np.minimum(in_sorted, cap - from_buffer)
        query_rows, articles, seqs = [], [], []
        for band in range(self.bands):  # the taken (query row, stored row) pairs, as arrays
            counts = from_sorted[:, band]
            total = int(counts.sum())
            if total:
                run_start = np.repeat(hi[:, band] - counts - (np.cumsum(counts) - counts), counts)
                stored = self._order[band, run_start + np.arange(total)]
                query_rows.append(np.repeat(np.arange(len(keys)), counts))
                articles.append(self._article[stored])
                seqs.append(self._seq[stored].astype(np.int64))
        if self._dead and articles:
            dead = np.fromiter(self._dead, dtype=np.int64, count=len(self._dead))
            live = [~np.isin(a, dead) for a in articles]
            query_rows, articles, seqs = ([x[k] for x, k in zip(xs, live)] for xs in (query_rows, articles, seqs))
        recent = [(q, article, seq) for q, band, rows in buffered for article, seq in rows[len(rows) - from_buffer[q, band] :]]
        if recent:
            q, article, seq = (np.asarray(column, dtype=np.int64) for column in zip(*recent))
            query_rows.append(q)
            articles.append(article)
            seqs.append(seq)
        found: list[list[tuple[int, int]]] = [[] for _ in range(len(keys))]
        if not articles:
            return found, inverse
        q, a, seq = np.concatenate(query_rows), np.concatenate(articles), np.concatenate(seqs)
        order = np.lexsort((seq, a, q))  # by query row, then (article, seq): each row's list sorted
        q, a, seq = q[order], a[order], seq[order]
        first = np.ones(len(q), dtype=bool)  # drop repeats (a pair found in several bands)
        first[1:] = (q[1:] != q[:-1]) | (a[1:] != a[:-1]) | (seq[1:] != seq[:-1])
        q, pairs = q[first], list(zip(a[first].tolist(), seq[first].tolist()))
        bounds = np.searchsorted(q, np.arange(len(keys) + 1))
        return [pairs[bounds[i] : bounds[i + 1]] for i in range(len(keys))], inverse


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

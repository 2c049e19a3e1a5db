"""The passage index: MinHash LSH over the passages of every stored article.

In-process the bands live in numpy tables (service.reuse.bands: datasketch's banding for
the threshold, sorted arrays instead of dicts of sets); in Redis, in datasketch's
MinHashLSH with its Redis storage.

Tuned for recall: it indexes at a Jaccard threshold well below what is reported,
because every candidate is verified by alignment afterwards. In-process by default
(rebuilt from the stored signatures at start); with a Redis URL it lives in Redis
through datasketch's own Redis storage, shared by every service process.

Thread-safe: one lock serialises every operation of an index. datasketch's Redis storage
is not (each band table shares one pipeline between callers, and an insertion session
replaces the tables' clients when it ends), and the in-process band table swaps its
arrays on a merge. Between processes, keys are per article (``<id>:<seq>``), and adding
an article twice leaves the same band entries (sets).

Candidates are ranked by the Jaccard similarity their stored MinHash signatures estimate
(``ranked``): an article that shares one passage whole outranks a topical neighbour whose
many passages each share a few names. The signatures' hash values are kept beside the
LSH (in-process: a numpy array per article; in Redis: one hash ``<prefix>:sketches``,
field = article id, value = the passages' 32-bit hash values, little-endian, row by row).

A query's cost is bounded in both stores as in service.reuse.bands: equal query passages
are looked up once (and count once each), a band key yields at most ``MAX_KEY_ROWS`` of
its newest passages (in Redis: the highest article ids), and a query at most
``MAX_QUERY_PAIRS`` pairs, which ``ranked`` scores in numpy.

Example:
    >>> index = PassageIndex()
    >>> index.add(1, sign_passages("Putin met Pompeo in Sochi and they discussed Syria, Iran and Venezuela at length."))
    >>> index.candidates(sign_passages("In Sochi, Putin met Pompeo and they discussed Syria, Iran and Venezuela at length."))
    {1: 1}
    >>> index.ranked(sign_passages("In Sochi, Putin met Pompeo and they discussed Syria, Iran and Venezuela at length."))
    [Candidate(article_id=1, passage_hits=1, jaccard=1.0)]
"""

from __future__ import annotations

import pickle
import threading
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import urlparse

import numpy as np
from datasketch import MinHashLSH

from service.errors import Unavailable, mask_url
from service.reuse.bands import BandTable, key_cap
from service.reuse.signatures import NUM_PERM, PassageSignature, sign_passages  # noqa: F401 (doctest)

try:
    from redis.exceptions import ConnectionError as _RedisConnectionError
    from redis.exceptions import TimeoutError as _RedisTimeoutError

    _CONNECTION_ERRORS: tuple[type[BaseException], ...] = (_RedisConnectionError, _RedisTimeoutError, OSError)
except ImportError:  # redis is optional for the in-process index
    _CONNECTION_ERRORS = (OSError,)

JACCARD_THRESHOLD = 0.3  # candidate generation only; alignment decides
CLEAR_BATCH = 10_000  # Redis keys unlinked per command by ``clear``
_SIMILARITY_BLOCK = 16_384  # pairs compared at once by ``ranked`` (x num_perm values each)


@dataclass(frozen=True, slots=True)
class Candidate:
    """An indexed article some query passages hit: ``jaccard`` sums, over the query's
    passages, the best Jaccard similarity (0-1, estimated from MinHash) with its passages."""

    article_id: int
    passage_hits: int
    jaccard: float


def _sketch(signatures: Iterable[PassageSignature]) -> np.ndarray:
    """The passages' hash values as one (passages, num_perm) uint32 array."""
    rows = [np.asarray(p.minhash.hashvalues, dtype=np.uint32) for p in signatures]
    return np.vstack(rows) if rows else np.zeros((0, 0), dtype=np.uint32)


class ReuseIndexUnavailable(Unavailable):
    """The Redis behind the passage index cannot be reached."""

    code = "index_unavailable"


def _redis_config(redis_url: str, prefix: str) -> dict[str, object]:
    """datasketch's storage config, every band table on one connection pool: datasketch
    gives each table a client (with its own pool) and replaces them all after each
    insertion session, so without a shared pool every article added opened ~20 new
    connections (a third of an ingest's time)."""
    import redis

    if urlparse(redis_url).scheme not in ("redis", "rediss", "unix"):
        raise ValueError(f"not a redis:// URL: {mask_url(redis_url)!r}")
    pool = redis.ConnectionPool.from_url(redis_url)
    return {"type": "redis", "basename": prefix.encode(), "redis": {"connection_pool": pool}}


class PassageIndex:
    """Passages of many articles, queried for the articles that share one with a text."""

    def __init__(
        self,
        *,
        redis_url: str | None = None,
        prefix: str = "storydiff",
        jaccard_threshold: float = JACCARD_THRESHOLD,
        num_perm: int = NUM_PERM,
    ) -> None:
        if not 0 < jaccard_threshold < 1:
            raise ValueError("jaccard_threshold must be between 0 and 1")
        self.redis_url = redis_url
        self.num_perm = num_perm
        self.jaccard_threshold = jaccard_threshold
        self._lock = threading.RLock()  # see the module docstring
        shape = MinHashLSH(threshold=jaccard_threshold, num_perm=num_perm)  # datasketch's bands and rows
        self._table = BandTable(bands=shape.b, rows=shape.r)  # in-process
        self._lsh: MinHashLSH | None = None  # with Redis
        self._redis = None
        if redis_url:
            try:
                config = _redis_config(redis_url, prefix)
                self._lsh = MinHashLSH(threshold=jaccard_threshold, num_perm=num_perm, storage_config=config)
                self._lsh.keys.size()  # fail now, naming the URL, rather than at the first request
            except Exception as exc:  # redis raises its own ConnectionError family
                raise ReuseIndexUnavailable(f"the passage index cannot reach Redis at {mask_url(redis_url)}: {exc}") from exc
            import redis

            self._redis = redis.Redis(connection_pool=config["redis"]["connection_pool"])  # type: ignore[index]
        self._counts: dict[int, int] = {}  # article id -> passages indexed (in-process bookkeeping)
        self._sketches: dict[int, np.ndarray] = {}  # in-process only; Redis: the <prefix>:sketches hash
        self._sketch_key = f"{prefix}:sketches"

    @contextmanager
    def _guard(self, action: str) -> Iterator[None]:
        """One operation at a time; a lost Redis becomes ReuseIndexUnavailable (503), its URL masked."""
        with self._lock:
            try:
                yield
            except _CONNECTION_ERRORS as exc:
                if not self.redis_url:
                    raise
                raise ReuseIndexUnavailable(f"the passage index lost Redis at {mask_url(self.redis_url)} ({action}): {exc}") from exc

    def add(self, article_id: int, signatures: Iterable[PassageSignature]) -> None:
        """Index an article's passages (replacing any passages it had)."""
        stored = list(signatures)
        values = _sketch(stored)
        with self._guard("add"):
            self.remove(article_id)
            if self._lsh is None:
                if stored:
                    self._table.add(article_id, values)
            else:
                with self._lsh.insertion_session() as session:
                    for seq, passage in enumerate(stored):
                        session.insert(f"{article_id}:{seq}", passage.minhash, check_duplication=False)
            self._store_sketches({article_id: values})
            self._counts[article_id] = len(stored)

    def ensure(self, article_id: int, signatures: Iterable[PassageSignature]) -> None:
        """Index an article's passages unless it is indexed already (its sketches, stored
        last by ``add``, mark it): re-adding costs a Redis round trip per band and passage."""
        with self._guard("add"):
            if self._redis is None:
                present = article_id in self._sketches
            else:
                present = bool(self._redis.hexists(self._sketch_key, str(article_id)))
            if not present:
                self.add(article_id, signatures)

    def remove(self, article_id: int, *, passages: int | None = None) -> None:
        """Drop an article's passages (``passages``: how many it has, when this process did not index it)."""
        with self._guard("remove"):
            count = passages if passages is not None else self._counts.get(article_id, 0)
            self._table.remove(article_id)
            for seq in range(count if self._lsh is not None else 0):
                key = f"{article_id}:{seq}"
                try:
                    if key in self._lsh:  # type: ignore[operator]
                        self._lsh.remove(key)  # type: ignore[union-attr]
                except ValueError:  # another process removed it in between
                    pass
            if self._redis is not None:
                self._redis.hdel(self._sketch_key, str(article_id))
            self._sketches.pop(article_id, None)
            self._counts.pop(article_id, None)

    def candidates(self, signatures: Iterable[PassageSignature], *, exclude: int | None = None) -> dict[int, int]:
        """Articles sharing at least one candidate passage: article id -> passages hit."""
        d, a, _, inverse = self._query(list(signatures))
        head = np.ones(len(d), dtype=bool)  # one per (distinct query passage, article)
        head[1:] = (d[1:] != d[:-1]) | (a[1:] != a[:-1])
        if exclude is not None:
            head &= a != exclude
        articles, which = np.unique(a[head], return_inverse=True)
        hits = np.bincount(which.reshape(-1), weights=np.bincount(inverse)[d[head]], minlength=len(articles))
        return dict(zip(articles.tolist(), hits.astype(np.int64).tolist()))

    def _query(self, query: list[PassageSignature]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Per DISTINCT query passage (equal hash values looked up once): the (article id,
        sequence number) of the passages sharing a band, at most ``MAX_KEY_ROWS`` a band
        (fewer when the query would take over ``MAX_QUERY_PAIRS``: ``key_cap``), as arrays
        (distinct passage, article id, seq) sorted so; and per query passage the index of its
        distinct one."""
        empty = np.zeros(0, dtype=np.int64)
        if not query:
            return empty, empty, empty, empty
        with self._guard("query"):
            if self._lsh is None:
                return self._table.query_pairs(_sketch(query))
            inverse = np.unique(_sketch(query), axis=0, return_inverse=True)[1].reshape(-1)
            distinct = [query[q] for q in np.unique(inverse, return_index=True)[1].tolist()]  # in inverse's order
            # One round trip for every band of every distinct query passage (datasketch's own
            # ``query`` makes one per band and passage), read where datasketch's band
            # tables keep them: a set at ``table.redis_key(band key)``.
            pipe = self._redis.pipeline(transaction=False)  # type: ignore[union-attr]
            for (start, end), table in zip(self._lsh.hashranges, self._lsh.hashtables):
                for p in distinct:
                    pipe.smembers(table.redis_key(self._lsh._H(p.minhash.hashvalues[start:end])))
            replies = [sorted(self._parse_key(m) for m in members) for members in pipe.execute()]
        # As in the band table: the newest (highest ids) passages of each band key, capped.
        cap = key_cap(np.array([len(r) for r in replies], dtype=np.int64))
        found = sorted({(n % len(distinct), *pair) for n, members in enumerate(replies) for pair in members[max(len(members) - cap, 0) :]})
        if not found:
            return empty, empty, empty, inverse
        d, a, s = (np.asarray(column, dtype=np.int64) for column in zip(*found))
        return d, a, s, inverse

    def _parse_key(self, member: bytes) -> tuple[int, int]:
        article_id, seq = (pickle.loads(member) if self._lsh.prepickle else member).split(":", 1)  # type: ignore[union-attr]
        return int(article_id), int(seq)

    def ranked(self, signatures: Iterable[PassageSignature], *, exclude: int | None = None, before: int | None = None) -> list[Candidate]:
        """The articles ``candidates`` finds, most shared text first (estimated Jaccard, summed over query passages);
        with ``before``, only articles of smaller ids (stored earlier).

        Vectorised over the (distinct query passage, stored passage) pairs ``_query`` returns,
        which ``MAX_QUERY_PAIRS`` bounds; equal query passages count once each, at one cost.
        """
        query = list(signatures)
        d, a, s, inverse = self._query(query)
        if exclude is not None or before is not None:
            keep = (a != exclude) & (a < before) if before is not None else a != exclude
            d, a, s = d[keep], a[keep], s[keep]
        if not len(d):
            return []
        repeats = np.bincount(inverse).tolist()
        first = np.full(len(repeats), len(inverse), dtype=np.int64)  # each distinct passage's first position
        np.minimum.at(first, inverse, np.arange(len(inverse)))
        order = np.lexsort((s, first[d], a))  # by article, then query position: sums in query order
        d, a, s = d[order], a[order], s[order]
        values = _sketch(query)[first]  # the distinct passages' hash values, in ``d``'s numbering
        article_ids, starts = np.unique(a, return_index=True)
        sketches = self._load_sketches(article_ids.tolist())
        similarity = np.full(len(a), -1.0)  # per pair: Jaccard estimate; -1 no stored row, nan no sketch
        ends = [*starts[1:].tolist(), len(a)]
        for article_id, start, end in zip(article_ids.tolist(), starts.tolist(), ends):
            sketch = sketches.get(article_id)
            if sketch is None or not len(sketch):
                similarity[start:end] = np.nan
                continue
            seqs = s[start:end]
            valid = np.flatnonzero(seqs < len(sketch))
            for chunk in range(0, len(valid), _SIMILARITY_BLOCK):
                block = valid[chunk : chunk + _SIMILARITY_BLOCK]
                similarity[start + block] = (sketch[seqs[block]] == values[d[start + block]]).mean(axis=1)
        group = np.ones(len(a), dtype=bool)  # one group per (article, distinct query passage)
        group[1:] = (a[1:] != a[:-1]) | (d[1:] != d[:-1])
        heads = np.flatnonzero(group)
        best = np.fmax.reduceat(similarity, heads)  # nan only when the whole group is nan
        totals: dict[int, float] = {}
        hits: Counter[int] = Counter()
        for article_id, q, score in zip(a[heads].tolist(), d[heads].tolist(), best.tolist()):
            if score != score:  # no stored values: count the hit at the threshold
                score = self.jaccard_threshold
            totals[article_id] = totals.get(article_id, 0.0) + max(score, 0.0) * repeats[q]
            hits[article_id] += repeats[q]
        out = [Candidate(article_id, hits[article_id], round(total, 4)) for article_id, total in totals.items()]
        return sorted(out, key=lambda c: (-c.jaccard, -c.passage_hits, c.article_id))

    def _store_sketches(self, sketches: dict[int, np.ndarray]) -> None:
        if self._redis is None:
            self._sketches.update(sketches)
            return
        mapping = {str(k): v.astype("<u4").tobytes() for k, v in sketches.items()}
        if mapping:
            self._redis.hset(self._sketch_key, mapping=mapping)

    def _load_sketches(self, article_ids: list[int]) -> dict[int, np.ndarray]:
        with self._guard("query"):
            if self._redis is None:
                return {k: self._sketches[k] for k in article_ids if k in self._sketches}
            found = self._redis.hmget(self._sketch_key, [str(k) for k in article_ids])
        return {
            k: np.frombuffer(v, dtype="<u4").reshape(-1, self.num_perm)
            for k, v in zip(article_ids, found)
            if v
        }

    def rebuild(self, articles: Iterable[tuple[int, list[PassageSignature]]]) -> int:
        """Index every (article id, signatures); returns the number of passages indexed."""
        total = 0
        pending: dict[int, np.ndarray] = {}
        with self._guard("rebuild"):
            if self._lsh is None:
                for article_id, signatures in articles:
                    values = _sketch(signatures)
                    if len(signatures):
                        self._table.add(article_id, values, merge=False)
                    self._counts[article_id] = len(signatures)
                    self._sketches[article_id] = values
                    total += len(signatures)
                self._table.merge()
                return total
            with self._lsh.insertion_session(buffer_size=50_000) as session:
                for article_id, signatures in articles:
                    for seq, passage in enumerate(signatures):
                        session.insert(f"{article_id}:{seq}", passage.minhash, check_duplication=False)
                    self._counts[article_id] = len(signatures)
                    pending[article_id] = _sketch(signatures)
                    total += len(signatures)
                    if len(pending) >= 1000:
                        self._store_sketches(pending)
                        pending = {}
            self._store_sketches(pending)
        return total

    def clear(self) -> None:
        """Empty the index (in Redis: this prefix's keys only)."""
        with self._guard("clear"):
            if self._lsh is not None:
                # Each datasketch table is a hash (``_name``) whose values name the table's
                # other keys: unlinked in batches, not removed passage by passage (~60
                # round trips each: minutes for a large index).
                for table in (self._lsh.keys, *self._lsh.hashtables):
                    batch: list[bytes] = []
                    for _field, key in self._redis.hscan_iter(table._name, count=CLEAR_BATCH):  # type: ignore[union-attr]
                        batch.append(key)
                        if len(batch) >= CLEAR_BATCH:
                            self._redis.unlink(*batch)  # type: ignore[union-attr]
                            batch = []
                    self._redis.unlink(*batch, table._name)  # type: ignore[union-attr]
                self._redis.delete(self._sketch_key)  # type: ignore[union-attr]
            self._table = BandTable(bands=self._table.bands, rows=self._table.rows)
            self._sketches.clear()
            self._counts.clear()

    def __len__(self) -> int:
        with self._guard("size"):
            if self._lsh is None:
                return len(self._table)
            return self._lsh.keys.size()

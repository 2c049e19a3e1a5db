"""Story membership held in memory, for a bulk ingest's story windows.

``StoryStore.members_near`` answers "which clustered articles are within the window of
this one, and in which story" with a query of up to 5,000 rows, once per article; in a
bulk ingest of SaudiNewsNet that query was a sixth of the main thread. ``MemberWindow``
answers the same question, with the same order and bounds, from memory, and is kept up
to date by the desk as it assigns. It sees only what this process writes: like the
in-process passage index, a bulk ingest assumes no other process adds articles meanwhile
(``storydiff recluster`` rebuilds from everything).

Example:
    >>> from datetime import UTC, datetime
    >>> window = MemberWindow([(1, 10, datetime(2019, 5, 14, tzinfo=UTC)), (2, 11, None)])
    >>> window.put(3, 10, datetime(2019, 5, 15, tzinfo=UTC))
    >>> window.near(datetime(2019, 5, 16, tzinfo=UTC), window_days=1.5, limit=10)
    {3: 10, 2: 11}
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right, insort
from collections.abc import Iterable
from datetime import datetime, timedelta


class MemberWindow:
    def __init__(self, members: Iterable[tuple[int, int, datetime | None]] = ()) -> None:
        self._story_of: dict[int, int] = {}
        self._published: dict[int, datetime | None] = {}
        self._dated: list[tuple[datetime, int]] = []  # (published_at, article id), sorted
        self._undated: list[int] = []  # article ids, sorted
        for article_id, story_id, published_at in members:
            self.put(article_id, story_id, published_at)

    def put(self, article_id: int, story_id: int, published_at: datetime | None) -> None:
        """``article_id`` is (now) in ``story_id`` (UTC ``published_at``, as stored)."""
        self.forget(article_id)
        self._story_of[article_id] = story_id
        self._published[article_id] = published_at
        if published_at is None:
            insort(self._undated, article_id)
        else:
            insort(self._dated, (published_at, article_id))

    def merge(self, merged: Iterable[int], into: int) -> None:
        """The members of the ``merged`` stories now belong to ``into``."""
        gone = set(merged)
        if gone:
            self._story_of = {a: into if s in gone else s for a, s in self._story_of.items()}

    def forget(self, article_id: int) -> None:
        if article_id not in self._story_of:
            return
        del self._story_of[article_id]
        published_at = self._published.pop(article_id)
        if published_at is None:
            self._undated.pop(bisect_left(self._undated, article_id))
        else:
            self._dated.pop(bisect_left(self._dated, (published_at, article_id)))

    def near(self, published_at: datetime | None, *, window_days: float, limit: int) -> dict[int, int]:
        """``StoryStore.members_near``: {article: story} of the members within
        ``window_days`` of ``published_at`` (bounds included), the newest ``limit`` dated
        ones (every dated one for an undated article) newest first, then undated ones,
        highest id first."""
        lo, hi = 0, len(self._dated)
        if published_at is not None:
            window = timedelta(days=window_days)
            lo = bisect_left(self._dated, (published_at - window,))
            hi = bisect_right(self._dated, (published_at + window, float("inf")))
        dated = self._dated[max(lo, hi - limit) : hi]
        near = {article_id: self._story_of[article_id] for _, article_id in reversed(dated)}
        for article_id in reversed(self._undated[-(limit - len(near)) :] if len(near) < limit else []):
            near[article_id] = self._story_of[article_id]
        return near

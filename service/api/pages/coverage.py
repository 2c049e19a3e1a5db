"""A story's coverage at a glance, laid out for the story page's SVG: one row per outlet,
its articles as marks along time (sized by length), a copy drawn from its source's mark to
its copier's, and per outlet how much of its text was copied.

Pure layout: coordinates in the SVG's own units (``WIDTH`` wide; the page scales it to the
screen), computed here so that the template only draws them.

Example:
    >>> layout(StoryDetail(summary, articles, links)).rows  # doctest: +SKIP
    (Row(outlet='spa', y=...), ...)
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from service.domain import Article, CopyLink, StoryDetail

WIDTH = 400  # narrow units, so that labels stay readable when a phone scales the chart down
LEFT, RIGHT = 12, 12  # margins of the time axis
ROW = 44  # a row's height: the outlet's name above its track
TOP = 8
AXIS = 22  # the dates under the last row
MIN_R, MAX_R = 4.0, 10.0  # mark radius: the shortest and the longest article
COPIED = ("copy", "shared_source", "same_outlet", "repost")  # a template's wording is no copy


@dataclass(frozen=True, slots=True)
class Row:
    outlet: str
    y: float  # the track's centre; the label sits above it


@dataclass(frozen=True, slots=True)
class Mark:
    article_id: int
    x: float
    y: float
    r: float
    label: str  # the accessible name: outlet, date, title


@dataclass(frozen=True, slots=True)
class Arrow:
    x1: float
    y1: float
    x2: float
    y2: float
    label: str


@dataclass(frozen=True, slots=True)
class OutletShare:
    """Characters of an outlet's articles in this story, and how many of them were copied."""

    outlet: str
    chars: int
    copied: int

    @property
    def share(self) -> float:
        return self.copied / self.chars if self.chars else 0.0


@dataclass(frozen=True, slots=True)
class Coverage:
    width: int
    height: float
    rows: tuple[Row, ...]
    marks: tuple[Mark, ...]
    arrows: tuple[Arrow, ...]
    ticks: tuple[tuple[float, str, str], ...]  # (x, date, text-anchor) under the axis
    outlets: tuple[OutletShare, ...]


def _outlet(article: Article) -> str:
    return article.outlet or "—"


def _when(article: Article) -> datetime | None:
    return article.published_at or article.created_at


def layout(detail: StoryDetail) -> Coverage:
    """The chart of a story's articles (oldest first, as ``StoryDetail`` gives them)."""
    articles = detail.articles
    outlets = list(dict.fromkeys(_outlet(a) for a in articles))
    rows = tuple(Row(o, TOP + ROW * i + ROW * 0.62) for i, o in enumerate(outlets))
    y_of = {r.outlet: r.y for r in rows}
    times = [t.timestamp() for a in articles if (t := _when(a)) is not None]
    start, end = (min(times), max(times)) if times else (0.0, 0.0)
    span = WIDTH - LEFT - RIGHT - 2 * MAX_R

    def x_of(article: Article, order: int) -> float:
        when = _when(article)
        if end > start and when is not None:
            fraction = (when.timestamp() - start) / (end - start)
        else:  # no spread of times: by order
            fraction = order / max(len(articles) - 1, 1) if len(articles) > 1 else 0.5
        return round(LEFT + MAX_R + fraction * span, 1)

    longest = max((len(a.clean_text) for a in articles), default=1) or 1
    marks = tuple(
        Mark(a.id, x_of(a, i), y_of[_outlet(a)], round(MIN_R + (MAX_R - MIN_R) * math.sqrt(len(a.clean_text) / longest), 1), _label(a))
        for i, a in enumerate(articles)
    )
    marks = _dodged(marks)
    at = {m.article_id: m for m in marks}
    copies = tuple(link for link in detail.links if link.relation in COPIED and link.source_id in at and link.target_id in at)
    arrows = tuple(_arrow(link, at, articles) for link in copies)
    ticks = _ticks(start, end) if times else ()
    height = TOP + ROW * len(rows) + AXIS
    return Coverage(WIDTH, height, rows, marks, arrows, ticks, _shares(articles, copies))


def _dodged(marks: tuple[Mark, ...]) -> tuple[Mark, ...]:
    """Marks of one row set side by side where their times would overlap them (articles
    of one day given without a time sit at one x): each at least its radius plus the
    previous one's from it, the row shifted left if that runs past the edge."""
    placed: dict[int, Mark] = {}
    for y in dict.fromkeys(m.y for m in marks):
        row = sorted((m for m in marks if m.y == y), key=lambda m: (m.x, m.article_id))
        xs: list[float] = []
        for i, m in enumerate(row):
            xs.append(m.x if i == 0 else max(m.x, xs[-1] + row[i - 1].r + m.r + 1))
        overflow = max(0.0, xs[-1] + row[-1].r - (WIDTH - RIGHT)) if xs else 0.0
        for m, x in zip(row, xs, strict=True):
            placed[m.article_id] = replace(m, x=round(max(LEFT, x - overflow), 1))
    return tuple(placed[m.article_id] for m in marks)


def _label(article: Article) -> str:
    when = _when(article)
    date = when.strftime("%Y-%m-%d %H:%M") if when else "no date"
    return f"{_outlet(article)}, {date}: {article.title or article.clean_text[:80]}"


def _arrow(link: CopyLink, at: dict[int, Mark], articles: tuple[Article, ...]) -> Arrow:
    source, target = at[link.source_id], at[link.target_id]
    dx, dy = target.x - source.x, target.y - source.y
    length = math.hypot(dx, dy) or 1.0
    ux, uy = dx / length, dy / length  # start and end on the marks' edges, not their centres
    outlet = {a.id: _outlet(a) for a in articles}
    label = f"{outlet[link.target_id]} copied {round(link.share * 100)}% from {outlet[link.source_id]}"
    return Arrow(round(source.x + ux * source.r, 1), round(source.y + uy * source.r, 1),
                 round(target.x - ux * (target.r + 2), 1), round(target.y - uy * (target.r + 2), 1), label)


def _ticks(start: float, end: float) -> tuple[tuple[float, str, str], ...]:
    """The first and last dates at the axis's ends (one date, centred, when all are one day)."""
    first, last = (datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%d") for t in (start, end))
    if first == last:
        return ((WIDTH / 2, first, "middle"),)
    return ((LEFT, first, "start"), (WIDTH - RIGHT, last, "end"))


def _shares(articles: tuple[Article, ...], links: tuple[CopyLink, ...]) -> tuple[OutletShare, ...]:
    """Per outlet: its articles' characters and the copied ones (each article's largest
    share over its links as the copier, of its cleaned text)."""
    copied_share: dict[int, float] = {}
    for link in links:
        copied_share[link.target_id] = max(copied_share.get(link.target_id, 0.0), link.share)
    totals: dict[str, list[int]] = {}
    for a in articles:
        chars = len(a.clean_text)
        row = totals.setdefault(_outlet(a), [0, 0])
        row[0] += chars
        row[1] += round(chars * copied_share.get(a.id, 0.0))
    return tuple(OutletShare(o, chars, copied) for o, (chars, copied) in totals.items())

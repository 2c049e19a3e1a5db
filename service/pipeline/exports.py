"""Exports: the copy flags, the stories and a story's articles as rows, written as CSV or JSON Lines.

Each export's columns are defined once, here (``FLAG_COLUMNS``, ``STORY_COLUMNS``,
``STORY_ARTICLE_COLUMNS``): a name, what it means (docs/api.md shows the same) and how
to read it from the domain value. ``GET /flags.csv``, ``GET /stories.csv``,
``GET /stories/{id}/articles.csv`` and the CLI's ``--csv`` all write these rows.

Listings are read page by page (``every``): an export of any size holds one page in memory.

Example:
    >>> "".join(write_csv(table(STORY_COLUMNS, [])))
    'id,headline,article_count,outlets,languages,first_seen,last_seen\\r\\n'
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Generic, TypeVar

from service.domain import Article, CopyLink, StorySummary
from service.pipeline.copies import LinkView
from service.storage.store import MAX_PAGE

if TYPE_CHECKING:  # the runtime builds the watches, which write these rows
    from service.pipeline.runtime import Runtime

T = TypeVar("T")
Row = dict[str, object]
LIST_SEPARATOR = "; "  # a list in one CSV cell (outlets, languages, ids)
CHUNK_CHARS = 64_000  # rows are sent in chunks of about this size, not one by one


@dataclass(frozen=True, slots=True)
class Column(Generic[T]):
    """One column of an export: its ``name`` (the CSV header, the JSON key), what it means, how to read it."""

    name: str
    meaning: str
    read: Callable[[T], object]


@dataclass(frozen=True, slots=True)
class StoryArticle:
    """One article of a story, with the links in which it is the copier (``links``: its sources)."""

    story_id: int
    article: Article
    links: tuple[CopyLink, ...]


def _article_columns(side: str, who: str, of: Callable[[LinkView], Article]) -> tuple[Column[LinkView], ...]:
    return (
        Column(f"{side}_id", f"the id of {who}", lambda v: of(v).id),
        Column(f"{side}_outlet", "its outlet (empty: unknown)", lambda v: of(v).outlet),
        Column(f"{side}_title", "its title", lambda v: of(v).title),
        Column(f"{side}_published_at", "its publication time (ISO 8601, UTC)", lambda v: of(v).published_at),
        Column(f"{side}_url", "its URL", lambda v: of(v).url),
    )


FLAG_COLUMNS: tuple[Column[LinkView], ...] = (
    *_article_columns("target", "the article that took the text (the later one)", lambda v: v.target),
    *_article_columns("source", "the article it was taken from (the earlier one)", lambda v: v.source),
    Column("relation", "copy, shared_source, template, same_outlet or repost", lambda v: v.link.relation),
    Column("share", "copied characters / characters of the target's cleaned text (0-1)", lambda v: v.link.share),
    Column("label", "wholly, partially or non derived (the METER corpus's labels)", lambda v: v.link.label),
    Column("credited", "true when the target names the source's outlet or an agency", lambda v: v.link.credited),
    Column("credit", "the name the target credits (empty: none)", lambda v: v.link.credit),
    Column("direction", "known, or uncertain (too close in time or conflicting to tell who copied)", lambda v: v.link.direction),
    Column("direction_basis", "what decided the direction: dateline, credit, agency, time or id", lambda v: v.link.direction_basis),
)

STORY_COLUMNS: tuple[Column[StorySummary], ...] = (
    Column("id", "the story's id", lambda s: s.id),
    Column("headline", "the earliest article's title", lambda s: s.headline),
    Column("article_count", "how many articles the story has", lambda s: s.article_count),
    Column("outlets", "its outlets, most articles first, joined with \"; \"", lambda s: s.outlets),
    Column("languages", "its articles' languages, joined with \"; \"", lambda s: s.languages),
    Column("first_seen", "the earliest article's publication time (ISO 8601, UTC)", lambda s: s.first_seen),
    Column("last_seen", "the latest article's publication time (ISO 8601, UTC)", lambda s: s.last_seen),
)

STORY_ARTICLE_COLUMNS: tuple[Column[StoryArticle], ...] = (
    Column("story_id", "the story's id", lambda a: a.story_id),
    Column("article_id", "the article's id", lambda a: a.article.id),
    Column("outlet", "its outlet (empty: unknown)", lambda a: a.article.outlet),
    Column("title", "its title", lambda a: a.article.title),
    Column("url", "its URL", lambda a: a.article.url),
    Column("language", "its language (ISO 639-1)", lambda a: a.article.language),
    Column("published_at", "its publication time (ISO 8601, UTC)", lambda a: a.article.published_at),
    Column("copied_from", "the story's articles it took text from, as in the links of GET /stories/{id}: ids, largest share first, joined with \"; \"",
           lambda a: tuple(link.source_id for link in a.links)),
    Column("copy_relations", "the relation of each, in the same order (a template link is shared fixed wording, not copied text)",
           lambda a: tuple(link.relation for link in a.links)),
)


# -- rows ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Table:
    """An export's rows (column name -> domain value) and its column names, in order."""

    names: tuple[str, ...]
    rows: Iterator[Row]


def table(columns: Sequence[Column[T]], values: Iterable[T]) -> Table:
    """``values`` read through ``columns`` (lazily: one row at a time)."""
    return Table(tuple(c.name for c in columns), ({c.name: c.read(value) for c in columns} for value in values))


def every(fetch: Callable[[int, int], Sequence[T]], *, cap: int | None = None, page_size: int = MAX_PAGE) -> Iterator[T]:
    """Every item ``fetch(offset, limit)`` pages through, at most ``cap``, one page in memory.

    The first page is read before this returns, so a failing query is an error answer
    rather than an export cut off after its header.

    Example:
        >>> list(every(lambda offset, limit: range(10)[offset : offset + limit], cap=5, page_size=2))
        [0, 1, 2, 3, 4]
    """
    if cap is not None and cap < 1:
        raise ValueError(f"cap must be at least 1, got {cap}")
    if not 1 <= page_size <= MAX_PAGE:
        raise ValueError(f"page_size must be in 1..{MAX_PAGE}, got {page_size}")
    asked = page_size if cap is None else min(cap, page_size)
    return _pages(fetch, fetch(0, asked), asked=asked, cap=cap, page_size=page_size)


def _pages(fetch: Callable[[int, int], Sequence[T]], page: Sequence[T], *, asked: int, cap: int | None, page_size: int) -> Iterator[T]:
    offset = 0
    while True:
        yield from page
        offset += len(page)
        if len(page) < asked:  # a short page is the last
            return
        asked = page_size if cap is None else min(page_size, cap - offset)
        if asked <= 0:
            return
        page = fetch(offset, asked)


def flag_table(runtime: Runtime, filters: Mapping[str, object], *, cap: int | None = None, page_size: int = MAX_PAGE) -> Table:
    """``GET /flags.csv``: every link ``Runtime.flags(**filters)`` lists, in its order."""
    views = every(lambda offset, limit: runtime.flags(**filters, offset=offset, limit=limit)[0], cap=cap, page_size=page_size)
    return table(FLAG_COLUMNS, views)


def story_table(runtime: Runtime, filters: Mapping[str, object], *, cap: int | None = None, page_size: int = MAX_PAGE) -> Table:
    """``GET /stories.csv``: every story ``Runtime.stories(**filters)`` lists, in its order."""
    stories = every(lambda offset, limit: runtime.stories(**filters, offset=offset, limit=limit).items, cap=cap, page_size=page_size)
    return table(STORY_COLUMNS, stories)


def story_article_table(runtime: Runtime, story_id: int) -> Table:
    """``GET /stories/{id}/articles.csv``: the story's articles oldest first. The story is
    read whole, as ``GET /stories/{id}`` reads it, so an unknown id raises NotFound here."""
    detail = runtime.story(story_id)
    members = (StoryArticle(story_id, a, tuple(link for link in detail.links if link.target_id == a.id)) for a in detail.articles)
    return table(STORY_ARTICLE_COLUMNS, members)


# -- writers ------------------------------------------------------------------------------


def write_csv(export: Table) -> Iterator[str]:
    """CSV as RFC 4180 has it (the csv module's defaults): a header row, commas, CRLF line
    ends, a field quoted when it holds a comma, a quote or a line break. No byte-order
    mark: the csv module, pandas and most tools read UTF-8 without one, and with one a
    plain UTF-8 reader would take the first column's name for ``\\ufeffid``."""
    return _chunked(_csv_lines(export))


def _csv_lines(export: Table) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(export.names)
    yield _drain(buffer)
    for row in export.rows:
        writer.writerow([_cell(row[name]) for name in export.names])
        yield _drain(buffer)


def write_jsonl(export: Table) -> Iterator[str]:
    """JSON Lines: one object a row with the CSV's column names as keys, in order; JSON
    types (null, true/false, numbers, lists), times as in the CSV."""
    return _chunked(json.dumps(row, ensure_ascii=False) + "\n" for row in json_rows(export))


def json_rows(export: Table) -> Iterator[Row]:
    """The rows as JSON values, keyed by column name in order (JSON Lines, webhooks)."""
    return ({name: _json(row[name]) for name in export.names} for row in export.rows)


def _chunked(lines: Iterable[str]) -> Iterator[str]:
    """Lines joined into chunks of about CHUNK_CHARS: a server sends each chunk in one
    trip through its thread pool, not each row."""
    chunk: list[str] = []
    size = 0
    for line in lines:
        chunk.append(line)
        size += len(line)
        if size >= CHUNK_CHARS:
            yield "".join(chunk)
            chunk, size = [], 0
    if chunk:
        yield "".join(chunk)


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text


def _text(value: object) -> object:
    """Times in ISO 8601 UTC with ``Z``, as the JSON API writes them."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z") if value.tzinfo else value.isoformat()
    return value


def _cell(value: object) -> str:
    """One CSV cell: empty for none, true/false as in JSON, a list joined with ``LIST_SEPARATOR``."""
    value = _text(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple | list):
        return LIST_SEPARATOR.join(str(item) for item in value)
    return str(value)


def _json(value: object) -> object:
    value = _text(value)
    return list(value) if isinstance(value, tuple) else value


@dataclass(frozen=True, slots=True)
class Format:
    """An export format: its media type, its file name suffix and its writer."""

    media_type: str
    suffix: str
    write: Callable[[Table], Iterator[str]]


FORMATS = {
    "csv": Format("text/csv; charset=utf-8", "csv", write_csv),
    "jsonl": Format("application/x-ndjson", "jsonl", write_jsonl),
}

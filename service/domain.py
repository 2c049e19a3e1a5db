"""Domain values shared by every layer: plain frozen dataclasses, no framework types.

Offsets are always character offsets (Python ``str`` indices), half-open ``[start, end)``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Generic, TypeVar

# The relations of a copy link (service.reuse.flags decides them).
RELATIONS = ("copy", "shared_source", "template", "same_outlet", "repost")
REUSE = ("copy", "shared_source")  # text one outlet took: what a flag list shows by default
RELATION_CHOICES = ("reuse", *RELATIONS, "any")  # what a flag filter may name (reuse.flags.relations_of)

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Span:
    """A half-open character range ``[start, end)`` of some text."""

    start: int
    end: int

    def __post_init__(self) -> None:
        if not 0 <= self.start <= self.end:
            raise ValueError(f"invalid span [{self.start}, {self.end})")

    def __len__(self) -> int:
        return self.end - self.start


@dataclass(frozen=True, slots=True)
class Block:
    """A run of the cleaned text copied unchanged from the original text.

    ``clean_start`` indexes the cleaned text, ``original_start`` the original; both runs
    have ``length`` characters. A cleaned text is the concatenation of its blocks,
    separated by the newlines that join kept lines.
    """

    clean_start: int
    original_start: int
    length: int


@dataclass(frozen=True, slots=True)
class CleanText:
    """Article text with page chrome removed, and the way back to the original."""

    text: str
    blocks: tuple[Block, ...]

    def original_offset(self, clean_offset: int) -> int:
        """Original offset of a cleaned-text offset (a joining newline maps to the end of the block before it)."""
        if not self.blocks:
            return 0
        best = self.blocks[0]
        for block in self.blocks:
            if block.clean_start > clean_offset:
                break
            best = block
        return best.original_start + min(max(clean_offset - best.clean_start, 0), best.length)

    def pieces(self, original: str) -> list[tuple[bool, str]]:
        """``original`` cut into (kept, piece) runs: kept pieces are the cleaned text's blocks."""
        out: list[tuple[bool, str]] = []
        position = 0
        for block in self.blocks:
            if block.original_start > position:
                out.append((False, original[position:block.original_start]))
            out.append((True, original[block.original_start : block.original_start + block.length]))
            position = block.original_start + block.length
        if position < len(original):
            out.append((False, original[position:]))
        return out

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """Map a cleaned-text span to the original text."""
        if end <= start:
            o = self.original_offset(start)
            return o, o
        return self.original_offset(start), self.original_offset(end - 1) + 1


@dataclass(frozen=True, slots=True)
class ArticleInput:
    """What a user sends: ``text`` or ``html``, and what they know about it."""

    text: str | None = None
    html: str | None = None
    title: str | None = None
    outlet: str | None = None
    url: str | None = None
    published_at: datetime | None = None
    language: str | None = None


@dataclass(frozen=True, slots=True)
class PassageRecord:
    """A stored passage signature: cleaned-text offsets and serialised MinHash bytes."""

    start: int
    end: int
    signature: bytes


@dataclass(frozen=True, slots=True)
class LinkSpan:
    """One copied passage: offsets into the ORIGINAL texts of the target and the source."""

    target_start: int
    target_end: int
    source_start: int
    source_end: int
    kind: str  # verbatim | edited
    similarity: float


@dataclass(frozen=True, slots=True)
class CopyLink:
    """``target`` (the copier) shares ``spans`` with ``source`` (the article it took them
    from). Which is which rests on the evidence before the times (``direction_basis``: an
    agency's dateline, a credit, an agency against a newspaper, then the publication time,
    then the id), so the target may be the earlier by its time.

    ``relation``: ``copy`` (between outlets), ``shared_source`` (both took it from an agency
    that one of them names, or that is stored), ``template`` (fixed wording of two
    happenings: service.reuse.templates), ``same_outlet``, or ``repost`` (the same text
    again, outlet unknown). ``share``: copied characters / characters of the target's
    cleaned text. ``pair_share``: the share of the more-copied of the two (the same-story
    score's copied share, ``service.reuse.shares.copied_share``). ``credited``: the target
    names the source's outlet or an agency.
    ``label`` as in the METER corpus: ``wholly``, ``partially`` or ``non`` derived.
    """

    target_id: int
    source_id: int
    relation: str
    share: float
    pair_share: float
    credited: bool
    credit: str | None
    label: str
    spans: tuple[LinkSpan, ...]
    created_at: datetime | None = None
    direction: str = "known"  # known | uncertain (the evidence conflicts, or is too close to call)
    direction_basis: str | None = None  # dateline | credit | agency | time | id


@dataclass(frozen=True, slots=True)
class WordStats:
    """How many articles are stored, and in how many of them each word occurs (normalised
    content words; a word not given occurs in none)."""

    articles: int
    counts: Mapping[str, int]

    def count(self, word: str) -> int:
        return self.counts.get(word, 0)


@dataclass(frozen=True, slots=True)
class NewArticle:
    """A prepared article, ready to store: text cleaned, hashed and its language known."""

    text: str
    clean: CleanText
    content_hash: str
    title: str | None = None
    outlet: str | None = None
    url: str | None = None
    published_at: datetime | None = None
    language: str | None = None
    html: str | None = None
    passages: tuple[PassageRecord, ...] = ()  # MinHash signatures of the cleaned text's passages
    words: frozenset[str] = frozenset()  # its distinct content words, for the corpus word counts

    @property
    def outlet_key(self) -> str:
        return outlet_key(self.outlet)


def outlet_key(outlet: str | None) -> str:
    """What the repeat rule compares with the cleaned text: the outlet, '' when unknown."""
    return outlet or ""


def days_apart(a: datetime | None, b: datetime | None) -> float | None:
    """Days between two publication times (None: either unknown)."""
    if a is None or b is None:
        return None
    return abs((a - b).total_seconds()) / 86400.0


@dataclass(frozen=True, slots=True)
class Article:
    """A stored article.

    ``text`` is the text as received (for HTML input: the text extracted from it, which
    every offset indexes); ``clean_text`` is ``text`` without page chrome; ``blocks`` map
    ``clean_text`` back to ``text``.
    """

    id: int
    text: str
    clean_text: str
    blocks: tuple[Block, ...]
    content_hash: str
    title: str | None = None
    outlet: str | None = None
    url: str | None = None
    published_at: datetime | None = None
    language: str | None = None
    html: str | None = None
    created_at: datetime | None = None

    @property
    def clean(self) -> CleanText:
        return CleanText(self.clean_text, self.blocks)


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of a listing: ``items`` from ``offset``, at most ``limit``, of ``total``."""

    items: tuple[T, ...]
    total: int
    offset: int
    limit: int


ArticlePage = Page[Article]  # for annotations: build pages with Page(...)


@dataclass(frozen=True, slots=True)
class IngestResult:
    """The outcome of storing one article: ``created`` is False for a re-post."""

    article: Article
    created: bool
    notes: tuple[str, ...] = field(default=())
    story_id: int | None = None  # the story it joined, when clustered


@dataclass(frozen=True, slots=True)
class Analysis:
    """Where a stored article's analysis (copy links, story) stands: ``queued`` (stored,
    analysis still to run), ``analysed``, or ``failed`` (retries used up; ``error_code``)."""

    status: str
    story_id: int | None = None
    error_code: str | None = None
    error: str | None = None
    attempts: int = 0


@dataclass(frozen=True, slots=True)
class StoredDoc:
    """What the story score needs of an article, as stored (see service.stories.stored).

    Vectors are float32 little-endian bytes: ``lead`` and ``title`` ``dim`` values each.
    ``model_id`` None: not embedded (no encoder, or a
    language the model does not cover). ``names`` maps entities/numbers/years/dates to keys.
    """

    article_id: int
    model_id: str | None
    dim: int
    lead: bytes | None
    title: bytes | None
    names: dict[str, list[str]]


@dataclass(frozen=True, slots=True)
class StorySummary:
    """One story: an event reported by one or more articles."""

    id: int
    headline: str
    article_count: int
    outlets: tuple[str, ...]
    languages: tuple[str, ...]
    first_seen: datetime | None
    last_seen: datetime | None


StoryPage = Page[StorySummary]


@dataclass(frozen=True, slots=True)
class StoryDetail:
    """A story with its articles (oldest first) and the copy links among them."""

    summary: StorySummary
    articles: tuple[Article, ...]
    links: tuple[CopyLink, ...]


@dataclass(frozen=True, slots=True)
class FeedError:
    """Why a feed's last poll (or one entry) failed: a stable ``code``, a message, when."""

    code: str
    message: str
    at: datetime


@dataclass(frozen=True, slots=True)
class Feed:
    """An outlet's RSS or Atom feed the watcher polls every ``every_seconds``.

    ``etag`` and ``last_modified`` are the validators of the last answer (sent back as
    If-None-Match / If-Modified-Since); ``failures`` counts failed polls in a row (the
    backoff's exponent); ``last_error`` is None once a poll succeeds."""

    id: int
    url: str
    outlet: str
    language: str | None
    every_seconds: int
    next_poll_at: datetime
    last_polled_at: datetime | None = None
    etag: str | None = None
    last_modified: str | None = None
    failures: int = 0
    last_error: FeedError | None = None
    entries_seen: int = 0


@dataclass(frozen=True, slots=True)
class FeedEntryRecord:
    """What became of one feed entry: ``stored`` (a new article), ``known`` (its article
    was stored already) or ``failed`` (nothing stored; ``error_code`` says why)."""

    key: str
    url: str | None
    status: str
    article_id: int | None = None
    error_code: str | None = None


@dataclass(frozen=True, slots=True)
class Watch:
    """A saved filter on the copy flags or the stories (``kind``) with a webhook: every
    new match is POSTed to ``webhook_url`` once, signed with ``secret``. ``scanned_until``:
    the links and story changes up to then have been looked at. ``matches`` and
    ``delivered`` are counted only when asked for (``WatchStore.list(counted=True)``), else 0."""

    id: int
    kind: str
    filters: dict[str, object]
    webhook_url: str
    secret: str
    created_at: datetime
    scanned_until: datetime
    matches: int = 0
    delivered: int = 0


@dataclass(frozen=True, slots=True)
class Delivery:
    """One match of a watch and its delivery: ``status`` pending (next try at
    ``next_attempt_at``), delivered or failed (given up); the last attempt's HTTP status
    (``status_code``) or error (``error_code``, ``error_message``)."""

    id: int
    watch_id: int
    key: str
    payload: dict[str, object]
    matched_at: datetime
    status: str
    attempts: int = 0
    next_attempt_at: datetime | None = None
    last_attempt_at: datetime | None = None
    status_code: int | None = None
    error_code: str | None = None
    error_message: str | None = None
    delivered_at: datetime | None = None

"""What two articles share, as named numbers: the evidence the same-story score weighs.

``describe`` turns an article into a ``StoryDoc`` once (embedding its lead and title,
extracting its names and word profile); ``describe_many`` does so for many articles in one
encoder call (bulk ingest); ``pair_evidence`` compares two StoryDocs cheaply, so that
clustering can compare a new article with many stored ones.

Evidence kinds, and what each tells:
- lead cosine, raw and centred (the background mean vector subtracted from both leads
  first: every news lead shares a "news" direction that makes unrelated articles score
  0.75-0.85; centring removes it);
- title-to-lead cosine: each title against the other's lead, averaged (the headline
  names the event; the other lead either reports it or not);
- word overlap: cosine of the two articles' word profiles (``words``): what the whole
  text shares, beyond the embedded lead;
- names: overlap of people/places/organisations (across scripts, an Arabic and an English
  article, by consonant skeletons: Pompeo and بومبيو are both BMB),
  of numbers, years and day-month dates, separately and together ("figures");
- publication-time gap in days (absent when either date is unknown);
- copied share: the share of text copied between the two, from the reuse module.

An article in a language the model does not cover (``COVERED_LANGUAGES``) gets no
vectors; its embedding evidence is absent and the scorer uses its other evidence.

Example:
    >>> a = describe("Putin meets Pompeo", "Vladimir Putin met Mike Pompeo in Sochi on 14 May.",
    ...              language="en", published_at=None, encoder=encoder)
    >>> b = describe("Pompeo in Sochi", "Mike Pompeo and Vladimir Putin talked in Sochi.",
    ...              language="en", published_at=None, encoder=encoder)
    >>> e = pair_evidence(a, b, background_mean=mean)
    >>> e.entity_overlap > 0.7, e.time_gap_days is None
    (True, True)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

import numpy as np

from service.domain import days_apart
from service.embed.encoder import Encoder
from service.stories.passages import LEAD_CHARS, bounded_title, lead_text
from service.stories.words import WordProfile, word_overlap, word_profile
from service.text.names import ARABIC_LANGUAGES, Names, extract_names, skeletons

TITLE_CHARS = 200  # an article without a title is headed by its first characters
VECTORS_RECIPE = f"lead{LEAD_CHARS}+title"  # what a StoryDoc's vectors embed (stored beside the model id)

# The ~100 languages of XLM-R's training data, which multilingual-e5 inherits.
COVERED_LANGUAGES = frozenset(
    """af am ar as az be bg bn br bs ca cs cy da de el en eo es et eu fa fi fr fy ga gd gl gu ha he hi
    hr hu hy id is it ja jv ka kk km kn ko ku ky la lo lt lv mg mk ml mn mr ms my ne nl no om or pa pl
    ps pt ro ru sa sd si sk sl so sq sr su sv sw ta te th tl tr ug uk ur uz vi xh yi zh""".split()
)


@dataclass(frozen=True, eq=False)
class StoryDoc:
    """One article as the story score sees it. ``lead`` is None when not embedded."""

    id: str
    title: str | None
    text: str
    language: str | None
    published_at: datetime | None
    lead: np.ndarray | None
    names: Names = field(default_factory=Names)
    title_vector: np.ndarray | None = None
    words: WordProfile = field(default_factory=WordProfile)

    @property
    def embedded(self) -> bool:
        return self.lead is not None


@dataclass(frozen=True, slots=True)
class Evidence:
    """Pair features; None means "not measurable for this pair" (not "no overlap")."""

    lead_cosine: float | None
    lead_centred: float | None
    title_lead: float | None
    word_overlap: float
    entity_overlap: float
    shared_entities: int
    number_overlap: float
    year_overlap: float
    date_overlap: float
    figure_overlap: float
    time_gap_days: float | None
    copied_share: float
    same_language: bool = True
    # The text the two share is a template (service.reuse.templates): two happenings.
    template: bool = False

    def as_dict(self) -> dict[str, float | int | bool | None]:
        return {name: getattr(self, name) for name in self.__slots__}  # type: ignore[attr-defined]


def is_covered(language: str | None) -> bool:
    """True when the embedding model was trained on ``language`` (unknown: assume so)."""
    return language is None or language.split("-")[0].lower() in COVERED_LANGUAGES


def describe(
    title: str | None,
    text: str,
    *,
    language: str | None,
    published_at: datetime | None,
    encoder: Encoder | None,
    doc_id: str = "",
) -> StoryDoc:
    """Embed the lead and title of an article and extract its names and word profile.

    ``encoder`` None, or a language the model does not cover, leaves the vectors None.
    """
    (doc,) = describe_many([(title, text, language)], encoder=encoder)
    return replace(doc, id=doc_id, published_at=published_at)


def describe_many(articles: Sequence[tuple[str | None, str, str | None]], *, encoder: Encoder | None) -> list[StoryDoc]:
    """StoryDocs of (title, text, language) triples, embedded in one encoder call (the
    encoder batches rows of similar length across articles). Ids and dates are left empty.
    Titles are cut at MAX_TITLE_CHARS first (``bounded_title``)."""
    articles = [(bounded_title(title), text, language) for title, text, language in articles]
    for title, text, _ in articles:
        if not isinstance(text, str) or not (text.strip() or (title or "").strip()):
            raise ValueError("an article needs a non-empty text or title")
    embedded = [i for i, (_, _, language) in enumerate(articles) if encoder is not None and is_covered(language)]
    pieces = [piece for i in embedded for piece in embedded_pieces(articles[i][0], articles[i][1])]
    vectors = encoder.encode(pieces, kind="passage") if pieces and encoder is not None else None
    row = {i: 2 * k for k, i in enumerate(embedded)}
    docs = []
    for i, (title, text, language) in enumerate(articles):
        lead = title_vector = None
        if vectors is not None and i in row:
            lead, title_vector = vectors[row[i]], vectors[row[i] + 1]
        names = extract_names(f"{title}\n{text}" if title else text, language=language)
        docs.append(StoryDoc("", title, text, language, None, lead, names, title_vector, word_profile(title, text)))
    return docs


def embedded_pieces(title: str | None, text: str) -> list[str]:
    """What a StoryDoc embeds of an article (its title cut by ``bounded_title`` first): the
    lead, then the title (the text's first characters when it has none)."""
    return [lead_text(title, text), title if title else text[:TITLE_CHARS]]


def pair_evidence(
    a: StoryDoc, b: StoryDoc, *, background_mean: np.ndarray | None, copied_share: float = 0.0, template: bool = False
) -> Evidence:
    """The Evidence that ``a`` and ``b`` report one event (symmetric in a and b)."""
    if not 0.0 <= copied_share <= 1.0:
        raise ValueError(f"copied_share is a share (0-1), got {copied_share}")
    lead_cosine = lead_centred = title_lead = None
    if a.lead is not None and b.lead is not None:
        lead_cosine = float(a.lead @ b.lead)
        mean = background_mean if background_mean is not None else np.zeros_like(a.lead)
        lead_centred = _cosine(a.lead - mean, b.lead - mean)
        if a.title_vector is not None and b.title_vector is not None:
            title_lead = float(a.title_vector @ b.lead + b.title_vector @ a.lead) / 2
    if _script(a.language, a.names) == _script(b.language, b.names):
        ea, eb = a.names.entities, b.names.entities
    else:  # Pompeo / بومبيو: compare consonant skeletons across scripts
        ea, eb = skeletons(a.names.entities), skeletons(b.names.entities)
    entity_overlap, shared = set_overlap(ea, eb), len(ea & eb)
    gap = days_apart(a.published_at, b.published_at)
    return Evidence(
        lead_cosine=lead_cosine,
        lead_centred=lead_centred,
        title_lead=title_lead,
        word_overlap=word_overlap(a.words, b.words),
        entity_overlap=entity_overlap,
        shared_entities=shared,
        number_overlap=set_overlap(a.names.numbers, b.names.numbers),
        year_overlap=set_overlap(a.names.years, b.names.years),
        date_overlap=set_overlap(a.names.dates, b.names.dates),
        figure_overlap=set_overlap(_figures(a.names), _figures(b.names)),
        time_gap_days=gap,
        copied_share=float(copied_share),
        same_language=_same_language(a.language, b.language),
        template=template,
    )


def set_overlap(a: frozenset[str], b: frozenset[str]) -> float:
    """|a & b| / sqrt(|a| |b|) (0 when either is empty).

    >>> set_overlap(frozenset("abc"), frozenset("bcd"))
    0.6666666666666666
    """
    if not a or not b:
        return 0.0
    return len(a & b) / math.sqrt(len(a) * len(b))


def _same_language(a: str | None, b: str | None) -> bool:
    """Unknown counts as the same: only a known difference shifts the embedding scale."""
    return a is None or b is None or a.split("-")[0].lower() == b.split("-")[0].lower()


def _figures(names: Names) -> frozenset[str]:
    return names.numbers | {f"y{y}" for y in names.years} | {f"d{d}" for d in names.dates}


def _cosine(u: np.ndarray, v: np.ndarray) -> float:
    nu, nv = float(np.linalg.norm(u)), float(np.linalg.norm(v))
    return float(u @ v) / (nu * nv) if nu > 0 and nv > 0 else 0.0


def _script(language: str | None, names: Names) -> str:
    if language is not None:
        return "arabic" if language.split("-")[0].lower() in ARABIC_LANGUAGES else "latin"
    sample = "".join(sorted(names.entities))[:200]
    return "arabic" if any("\u0600" <= c <= "\u06ff" for c in sample) else "latin"

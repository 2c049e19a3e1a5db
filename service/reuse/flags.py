"""Copy flags: which article copied which, how much, and whether it said so.

Direction rests on the strongest evidence the two articles give (``direction_basis``):

1. ``dateline``: a text opening with an agency's dateline ("الرياض ... واس", "(Reuters) -")
   is that agency's story: the agency's own article is the source;
2. ``credit``: a text crediting the other's outlet copied it;
3. ``agency``: a known agency's article is the source of a newspaper's;
4. ``time``: the earlier publication is the source, when the two are ``MIN_GAP`` apart
   (closer, the direction is ``uncertain``);
5. ``id``: without publication times, the article stored first.

Two outlets that both carry an agency's story, credited or datelined in either text, are
siblings (``shared_source``), not a copier and its source; neither is the agency itself.
Between two outlets it is otherwise ``copy``, or ``template`` when the shared text is
fixed wording of two happenings (service.reuse.templates); within one outlet
``same_outlet``; the same text again where an outlet is unknown, ``repost``. Labels follow
the METER corpus: ``wholly`` derived (most of the text copied), ``partially``, ``non``.

Example:
    >>> credit_of("وكالات – الثورة", source_outlet=None)
    'وكالات'
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from service.domain import RELATIONS, REUSE, Article, CopyLink, LinkSpan, WordStats, days_apart
from service.reuse.align import CopiedSpan
from service.reuse.shares import copied_share, side_share
from service.reuse.templates import judge
from service.text.normalize import normalize

WHOLLY_SHARE = 0.8  # at least this share of the target copied: wholly derived
REPOST_SHARE = 0.95  # both texts covered this much: the same text
MIN_GAP = timedelta(hours=1)  # publication times closer than this do not tell who was first
DATELINE_CHARS = 150  # an agency named this close to a text's start is its dateline

# Agencies and the words outlets credit them with (any language); extend through settings.
DEFAULT_CREDITS: dict[str, tuple[str, ...]] = {
    "agencies": ("وكالات", "agencies", "agences", "ajanslar"),
    "SANA": ("سانا", "sana", "الوكالة العربية السورية للأنباء"),
    "SPA": ("واس", "وكالة الأنباء السعودية", "saudi press agency"),
    "RT": ("روسيا اليوم", "russia today", "rt"),
    "AFP": ("فرانس برس", "فرانس بري", "أ ف ب", "أ.ف.ب", "afp", "agence france-presse", "france presse"),
    "Reuters": ("رويترز", "reuters"),
    "AP": ("أسوشيتد برس", "associated press", "ap"),
    "DPA": ("د ب أ", "dpa"),
    "Anadolu": ("الأناضول", "anadolu"),
    "Xinhua": ("شينخوا", "xinhua"),
    "TASS": ("تاس", "tass"),
    "Sputnik": ("سبوتنيك", "sputnik"),
    "WAM": ("وام", "wam"),
    "QNA": ("قنا", "qna"),
    "KUNA": ("كونا", "kuna"),
    "MENA": ("أ ش أ", "mena"),
}
# Outlet names of agencies that are not among their credit words (SaudiNewsNet's codes).
AGENCY_OUTLETS: dict[str, str] = {"was": "SPA"}


@lru_cache(maxsize=1024)
def _pattern(alias: str) -> tuple[str, re.Pattern[str]]:
    """The normalised alias, and the pattern of it as a whole word."""
    key = normalize(alias).text
    # Whole words only: "ap" must not match inside "japan"; Arabic clitics (و، ف، ب، ل، ال) may lead.
    return key, re.compile(rf"(?<![^\W\d_])(?:[وفبل]|ال|لل)?{re.escape(key)}(?![^\W\d_])")


def _mentions(normalised: str, name: str) -> bool:
    key, pattern = _pattern(name)
    # The plain substring test first: a search with a look-behind scans the whole text.
    return key in normalised and pattern.search(normalised) is not None


def credit_of(
    text: str, *, source_outlet: str | None, credits: Mapping[str, Sequence[str]] = DEFAULT_CREDITS
) -> str | None:
    """The credit ``text`` gives (the source outlet's name, else an agency's), or None."""
    normalised = normalize(text).text  # remembered by normalize: asked once per copy link
    if source_outlet:
        names = [source_outlet, *re.findall(r"\(([^)]+)\)", source_outlet), re.sub(r"\s*\([^)]*\)", "", source_outlet)]
        for name in names:
            if len(name.strip()) >= 2 and _mentions(normalised, name.strip()):
                return name.strip()
    for aliases in credits.values():
        for alias in aliases:
            if _mentions(normalised, alias):
                return alias
    return None




def relations_of(name: str, *, include_templates: bool = False) -> tuple[str, ...] | None:
    """The relations a flag filter names: ``reuse`` (copy, shared_source), one relation, or
    ``any`` (None: no filter); ``include_templates`` adds ``template``."""
    if name == "any":
        return None
    chosen = REUSE if name == "reuse" else (name,)
    if name != "reuse" and name not in RELATIONS:
        raise ValueError(f"unknown relation {name!r}")
    return tuple(dict.fromkeys(chosen + (("template",) if include_templates else ())))


def agency_of(outlet: str | None, *, credits: Mapping[str, Sequence[str]] = DEFAULT_CREDITS) -> str | None:
    """The agency an outlet is (by name or credit word), or None for a newspaper."""
    if not outlet:
        return None
    if outlet.strip().lower() in AGENCY_OUTLETS:
        return AGENCY_OUTLETS[outlet.strip().lower()]
    key = normalize(outlet).text.strip()
    for agency, aliases in credits.items():
        if agency != "agencies" and (key == normalize(agency).text or any(key == normalize(a).text for a in aliases)):
            return agency
    return None


def dateline_of(text: str, *, credits: Mapping[str, Sequence[str]] = DEFAULT_CREDITS) -> str | None:
    """The agency whose dateline opens ``text`` ("الرياض - واس", "PARIS (AFP) -"), or None."""
    return _agency_named(normalize(text[:DATELINE_CHARS]).text, credits)


def credited_agency(text: str, *, credits: Mapping[str, Sequence[str]] = DEFAULT_CREDITS) -> str | None:
    """The agency ``text`` names anywhere (its dateline or a credit), or None."""
    return _agency_named(normalize(text).text, credits)


def _agency_named(normalised: str, credits: Mapping[str, Sequence[str]]) -> str | None:
    # "agencies" ("وكالات") names no agency: it makes no article a sibling or a source.
    for agency, aliases in credits.items():
        if agency != "agencies" and any(_mentions(normalised, alias) for alias in aliases):
            return agency
    return None


@dataclass(frozen=True, slots=True)
class Direction:
    source: Article
    target: Article
    direction: str  # known | uncertain
    basis: str | None
    shared_source: bool = False


def direction_of(a: Article, b: Article, *, credits: Mapping[str, Sequence[str]] = DEFAULT_CREDITS) -> Direction:
    """Which of two articles sharing text is the source, and on what evidence (module doc)."""
    by_time = _by_time(a, b)
    agency = {x.id: agency_of(x.outlet, credits=credits) for x in (a, b)}
    dateline = {x.id: dateline_of(x.clean_text, credits=credits) for x in (a, b)}
    for source, target in ((a, b), (b, a)):
        if agency[source.id] and not agency[target.id] and dateline[target.id] == agency[source.id]:
            return Direction(source, target, "known", "dateline")
    for source, target in ((a, b), (b, a)):
        if target.outlet != source.outlet and source.outlet and credit_of(target.clean_text, source_outlet=source.outlet, credits={}):
            if not credit_of(source.clean_text, source_outlet=target.outlet, credits={}):
                return Direction(source, target, "known", "credit")
    if not agency[a.id] and not agency[b.id] and a.outlet != b.outlet:
        named = dateline[a.id] or dateline[b.id]
        basis = "dateline" if named else "credit"
        named = named or credited_agency(a.clean_text, credits=credits) or credited_agency(b.clean_text, credits=credits)
        if named:
            return Direction(*by_time, "uncertain", basis, shared_source=True)
    if bool(agency[a.id]) != bool(agency[b.id]):
        source, target = (a, b) if agency[a.id] else (b, a)
        return Direction(source, target, "known", "agency")
    source, target = by_time
    if source.published_at and target.published_at:
        close = abs(target.published_at.replace(tzinfo=None) - source.published_at.replace(tzinfo=None)) < MIN_GAP
        return Direction(source, target, "uncertain" if close else "known", "time")
    return Direction(source, target, "known", "id")


def _by_time(a: Article, b: Article) -> tuple[Article, Article]:
    """(source, target): the earlier article is the source (no time: after any time; then id)."""
    far = datetime.max.replace(tzinfo=None)

    def key(article: Article) -> tuple[datetime, int]:
        published = article.published_at.replace(tzinfo=None) if article.published_at else far
        return published, article.id

    return (a, b) if key(a) <= key(b) else (b, a)


def link_between(
    article: Article,
    other: Article,
    spans: Sequence[CopiedSpan],
    *,
    stats: WordStats | None = None,
    credits: Mapping[str, Sequence[str]] = DEFAULT_CREDITS,
) -> CopyLink:
    """The flag for two articles whose cleaned texts share ``spans`` (a: ``article``, b: ``other``).

    ``stats``: the stored corpus's word counts, which tell templates from copies (none:
    every passage counts as copied)."""
    found = direction_of(article, other, credits=credits)
    source, target = found.source, found.target
    target_is_a = target.id == article.id
    # The spans with the target as side a and the source as side b (cleaned-text offsets).
    oriented = [s if target_is_a else CopiedSpan(s.b_start, s.b_end, s.a_start, s.a_end, s.kind, s.similarity) for s in spans]
    verdict = judge(
        target.clean_text, source.clean_text, oriented, stats or WordStats(0, {}), days=days_apart(target.published_at, source.published_at)
    )
    # A copy's share counts its copied passages; a template's, what the two texts share.
    counted = [s for n, s in enumerate(oriented) if n not in verdict.template_spans] if verdict.relation == "copy" else oriented
    target_share = side_share([(s.a_start, s.a_end) for s in counted], len(target.clean_text))
    source_share = side_share([(s.b_start, s.b_end) for s in counted], len(source.clean_text))
    if source.outlet and target.outlet and source.outlet == target.outlet:
        relation = "same_outlet"
    elif (not source.outlet or not target.outlet) and min(target_share, source_share) >= REPOST_SHARE:
        relation = "repost"
    elif verdict.relation == "template":
        relation = "template"
    else:
        relation = "shared_source" if found.shared_source else "copy"
    credit = credit_of(target.clean_text, source_outlet=source.outlet, credits=credits)
    target_clean, source_clean = target.clean, source.clean
    link_spans = []
    for n, span in sorted(enumerate(oriented), key=lambda item: (item[1].a_start, item[1].a_end, item[1].b_start, item[1].b_end)):
        ts, te = target_clean.original_span(span.a_start, span.a_end)
        ss, se = source_clean.original_span(span.b_start, span.b_end)
        kind = "template" if n in verdict.template_spans else span.kind
        link_spans.append(LinkSpan(ts, te, ss, se, kind, span.similarity))
    label = "wholly" if target_share >= WHOLLY_SHARE else ("partially" if link_spans else "non")
    return CopyLink(
        target_id=target.id,
        source_id=source.id,
        relation=relation,
        share=round(target_share, 4),
        pair_share=round(copied_share(counted, len(target.clean_text), len(source.clean_text)), 4),
        credited=credit is not None,
        credit=credit,
        label=label,
        spans=tuple(link_spans),
        direction=found.direction,
        direction_basis=found.basis,
    )

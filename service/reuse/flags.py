"""Copy flags: which article copied which, how much, and whether it said so.

Direction follows publication time (the earlier article is the source; same time or
unknown: the one stored first). Between two outlets it is ``copy``; within one outlet
``same_outlet``; the same text again where an outlet is unknown, ``repost``. Labels
follow the METER corpus: ``wholly`` derived (most of the text copied), ``partially``,
``non``.

Example:
    >>> credit_of("وكالات – الثورة", source_outlet=None)
    'وكالات'
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from functools import lru_cache

from service.domain import Article, CopyLink, LinkSpan
from service.reuse.align import CopiedSpan
from service.text.normalize import normalize

WHOLLY_SHARE = 0.8  # at least this share of the target copied: wholly derived
REPOST_SHARE = 0.95  # both texts covered this much: the same text

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


def _order(a: Article, b: Article) -> tuple[Article, Article]:
    """(source, target): the earlier article is the source."""
    far = datetime.max.replace(tzinfo=None)

    def key(article: Article) -> tuple[datetime, int]:
        published = article.published_at.replace(tzinfo=None) if article.published_at else far
        return published, article.id

    return (a, b) if key(a) <= key(b) else (b, a)


def _covered(spans: list[tuple[int, int]]) -> int:
    total, end = 0, -1
    for s, e in sorted(spans):
        s = max(s, end)
        if e > s:
            total += e - s
            end = e
    return total


def link_between(
    article: Article, other: Article, spans: Sequence[CopiedSpan], *, credits: Mapping[str, Sequence[str]] = DEFAULT_CREDITS
) -> CopyLink:
    """The flag for two articles whose cleaned texts share ``spans`` (a: ``article``, b: ``other``)."""
    source, target = _order(article, other)
    target_is_a = target.id == article.id
    clean_spans = [
        ((s.a_start, s.a_end, s.b_start, s.b_end) if target_is_a else (s.b_start, s.b_end, s.a_start, s.a_end), s)
        for s in spans
    ]
    target_share = _covered([(t0, t1) for (t0, t1, _, _), _ in clean_spans]) / max(len(target.clean_text), 1)
    source_share = _covered([(s0, s1) for (_, _, s0, s1), _ in clean_spans]) / max(len(source.clean_text), 1)
    if source.outlet and target.outlet and source.outlet == target.outlet:
        relation = "same_outlet"
    elif (not source.outlet or not target.outlet) and min(target_share, source_share) >= REPOST_SHARE:
        relation = "repost"
    else:
        relation = "copy"
    credit = credit_of(target.clean_text, source_outlet=source.outlet, credits=credits)
    target_clean, source_clean = target.clean, source.clean
    link_spans = []
    for (t0, t1, s0, s1), span in sorted(clean_spans, key=lambda item: item[0]):
        ts, te = target_clean.original_span(t0, t1)
        ss, se = source_clean.original_span(s0, s1)
        link_spans.append(LinkSpan(ts, te, ss, se, span.kind, span.similarity))
    label = "wholly" if target_share >= WHOLLY_SHARE else ("partially" if link_spans else "non")
    return CopyLink(
        target_id=target.id,
        source_id=source.id,
        relation=relation,
        share=round(min(target_share, 1.0), 4),
        credited=credit is not None,
        credit=credit,
        label=label,
        spans=tuple(link_spans),
    )

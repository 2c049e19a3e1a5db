"""Overlapping spans of one text turned into flat, marked pieces for the compare page.

Copied passages, aligned sentences, quotes and text only one side has may overlap; the
text is cut at every span boundary and each piece carries the classes and link ids of
every span covering it, so the template writes one ``<span>`` per piece.

Example:
    >>> [(p.text, p.classes) for p in pieces("abcdef", [Mark(1, 4, "copied"), Mark(2, 6, "quote")])]
    [('a', ()), ('b', ('copied',)), ('cd', ('copied', 'quote')), ('ef', ('quote',))]
"""

from __future__ import annotations

from dataclasses import dataclass, field

from service.compare.result import AlignedPair, Comparison, SharedPassage


@dataclass(frozen=True, slots=True)
class Mark:
    start: int
    end: int
    kind: str  # copied | aligned | quote | only
    link: str = ""  # id shared with the counterpart on the other side ("p3", "q1")
    label: str = ""  # shown on hover (speaker, kind)


@dataclass(frozen=True, slots=True)
class Piece:
    text: str
    classes: tuple[str, ...] = ()
    links: tuple[str, ...] = ()
    labels: tuple[str, ...] = field(default=())


def pieces(text: str, marks: list[Mark]) -> list[Piece]:
    """``text`` cut at every mark boundary; marks outside the text are clipped."""
    bounds = {0, len(text)}
    kept = []
    for mark in marks:
        start, end = max(0, mark.start), min(len(text), mark.end)
        if start < end:
            kept.append(Mark(start, end, mark.kind, mark.link, mark.label))
            bounds.update((start, end))
    cuts = sorted(bounds)
    out = []
    for start, end in zip(cuts, cuts[1:]):
        covering = [m for m in kept if m.start <= start and end <= m.end]
        classes = tuple(dict.fromkeys(m.kind for m in covering))
        links = tuple(dict.fromkeys(m.link for m in covering if m.link))
        labels = tuple(dict.fromkeys(m.label for m in covering if m.label))
        out.append(Piece(text[start:end], classes, links, labels))
    return out


def side_marks(result: Comparison, side: str) -> list[Mark]:
    """The marks of one side ("a" or "b") of a comparison."""
    first = side == "a"

    def bounds(item: SharedPassage | AlignedPair) -> tuple[int, int]:
        return (item.a_start, item.a_end) if first else (item.b_start, item.b_end)

    marks = [Mark(*bounds(s), "copied") for s in result.copied_spans]
    for n, pair in enumerate(result.aligned):
        marks.append(Mark(*bounds(pair), "aligned", f"p{n}", pair.kind))
    for n, quote in enumerate(result.quotes):
        where = quote.a if first else quote.b
        if where is not None:
            linked = f"q{n}" if quote.a is not None and quote.b is not None else ""
            marks.append(Mark(where.start, where.end, "quote", linked, f"{quote.speaker or '?'}: {quote.kind}"))
    marks += [Mark(o.start, o.end, "only") for o in (result.only_in_a if first else result.only_in_b)]
    return marks

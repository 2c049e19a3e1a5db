"""A comparison as a terminal report: verdict, aligned pairs (one above the other, each
line a bidi-isolated run so Arabic reads right-to-left inside a left-to-right report),
quotes with their wording differences, what only one side says, and the disagreements.

Example:
    >>> print(render_report(comparison, a_text, b_text))  # doctest: +SKIP
"""

from __future__ import annotations

import textwrap

from service.compare.result import Comparison

FSI, PDI = "\u2068", "\u2069"  # first-strong isolate: each run takes its own direction
WIDTH = 100


def _cell(text: str, start: int, end: int, width: int) -> str:
    piece = " ".join(text[start:end].split())
    return FSI + textwrap.shorten(piece, width=width, placeholder=" …") + PDI


def render_report(result: Comparison, a_text: str, b_text: str, *, width: int = WIDTH) -> str:
    """The report for ``result``, the comparison of texts ``a_text`` and ``b_text``."""
    same = result.same_story
    lines = [
        f"same story: score {same.score:.2f} (1 = same story ... 4 = unrelated), P(same event) {same.probability:.2f}",
        f"copied passages: {len(result.copied_spans)}, {sum(s.a_end - s.a_start for s in result.copied_spans)} characters of A",
        "",
        f"aligned sentences ({len(result.aligned)}):",
    ]
    for pair in result.aligned:
        lines.append(f"  [{pair.kind} {pair.similarity:.2f}]")
        lines.append("    A: " + _cell(a_text, pair.a_start, pair.a_end, width))
        lines.append("    B: " + _cell(b_text, pair.b_start, pair.b_end, width))
    lines.append("")
    lines.append(f"quotes ({len(result.quotes)}):")
    for quote in result.quotes:
        lines.append(f"  {quote.speaker or '?'} [{quote.kind}]")
        for side, where, text in (("A", quote.a, a_text), ("B", quote.b, b_text)):
            if where is not None:
                lines.append(f"    {side}: " + _cell(text, where.start, where.end, width))
        for change in quote.diff[:6]:
            lines.append(f"      {change.op}: {FSI}{change.a}{PDI} -> {FSI}{change.b}{PDI}")
    for side, only, text in (("A", result.only_in_a, a_text), ("B", result.only_in_b, b_text)):
        lines.append("")
        lines.append(f"only in {side} ({len(only)}):")
        lines += ["  " + _cell(text, span.start, span.end, width) for span in only]
    lines.append("")
    lines.append(f"discrepancies ({len(result.discrepancies)}):")
    for d in result.discrepancies:
        lines.append(f"  {d.what}: A {', '.join(d.a) or '—'} / B {', '.join(d.b) or '—'}")
        lines.append("    A: " + _cell(a_text, d.a_start, d.a_end, width))
    return "\n".join(lines)

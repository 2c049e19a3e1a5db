"""Set phrases are not copying: drop short spans that many earlier articles share.

Official titles ("صاحب السمو الملكي الأمير محمد بن سلمان بن عبدالعزيز ولي ولي العهد النائب
الثاني لرئيس مجلس الوزراء وزير الدفاع", 19 words), honorifics and Quran verses recur
verbatim in every outlet's reports. One of them is long enough to pass for a copied
sentence, but the same stretch of the new article then matches many earlier articles at
once, each only briefly. A span under ``max_words`` words that at least ``min_sources``
of the earlier articles match (over half of its length) is such a phrase; a copy left
with no span is no copy.

On SaudiNewsNet 08-09..11, 8 of 30 hand-checked agency->newspaper flags were such titles
(13-24 words, each shared with 5-49 articles); the defaults drop all 8 and none of the 22
real copies (README: "Measured").

Example:
    >>> [c.other_id for c in drop_set_phrases(copies, text)]  # doctest: +SKIP
    [12]
"""

from __future__ import annotations

from dataclasses import replace

from service.reuse.detect import Copy

MAX_WORDS = 25  # longer shared stretches are copied text, however common
MIN_SOURCES = 4  # earlier articles matching the same stretch


def drop_set_phrases(copies: list[Copy], text: str, *, max_words: int = MAX_WORDS, min_sources: int = MIN_SOURCES) -> list[Copy]:
    """``copies`` of ``text`` (spans' ``a`` offsets index ``text``) without set phrases."""
    if max_words < 1 or min_sources < 2:
        raise ValueError("max_words must be >= 1 and min_sources >= 2")
    out = []
    for copy in copies:
        kept = tuple(s for s in copy.spans if not _is_set_phrase(s.a_start, s.a_end, copy, copies, text, max_words, min_sources))
        if kept:
            out.append(replace(copy, spans=kept) if len(kept) != len(copy.spans) else copy)
    return out


def _is_set_phrase(start: int, end: int, copy: Copy, copies: list[Copy], text: str, max_words: int, min_sources: int) -> bool:
    if len(text[start:end].split()) >= max_words:
        return False
    half = (end - start) / 2
    sharing = 1 + sum(
        1
        for other in copies
        if other is not copy and any(min(end, s.a_end) - max(start, s.a_start) >= half for s in other.spans)
    )
    return sharing >= min_sources

"""How much text one analysis reads: a longer article is refused before any work on it.

The work of comparing two articles grows with their words (``compare`` embeds every
sentence: ~0.4 ms a word on 2 cores, cold), and alignment reads at most
``MAX_ALIGN_WORDS`` words of a text (service.reuse.align). So that an answer is never
silently partial and no request holds a worker for long, ``POST /compare`` (and the
compare page) take at most ``MAX_COMPARE_WORDS`` words an article, and ``POST
/similarity`` and ``POST /reuse/check`` at most what alignment reads. A bound in
characters goes with each: a text without spaces (or one huge word) has few words but
costs by its length. Words here are runs of letters and digits (``\\w+``) of the text as
sent, counted only up to the bound.

Real articles are far below: the longest SaudiNewsNet article has 6,064 words.

Example:
    >>> refuse_long("one two three", max_words=2, max_chars=100, what="article a")
    Traceback (most recent call last):
    ...
    service.compare.bounds.TooLongToCompare: article a has more than 2 words; at most 2 can be analysed
"""

from __future__ import annotations

import re
from itertools import islice

from service.reuse.align import MAX_ALIGN_CHARS, MAX_ALIGN_WORDS

MAX_COMPARE_WORDS = 8_000  # an article of POST /compare
MAX_COMPARE_CHARS = 100_000
MAX_ANALYSED_WORDS = MAX_ALIGN_WORDS  # an article of POST /similarity or /reuse/check
MAX_ANALYSED_CHARS = MAX_ALIGN_CHARS

_WORD = re.compile(r"\w+")


class TooLongToCompare(ValueError):
    """An article over one of the bounds (the API answers 413 ``too_long_to_compare``)."""


def refuse_long(text: str, *, max_words: int, max_chars: int, what: str) -> None:
    """Raise TooLongToCompare when ``text`` has more than ``max_words`` words or
    ``max_chars`` characters; costs at most the bound's words to find out."""
    if len(text) > max_chars:
        raise TooLongToCompare(f"{what} has {len(text):,} characters; at most {max_chars:,} can be analysed")
    if sum(1 for _ in islice(_WORD.finditer(text), max_words + 1)) > max_words:
        raise TooLongToCompare(f"{what} has more than {max_words:,} words; at most {max_words:,} can be analysed")

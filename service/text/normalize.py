"""Language-aware normalisation that remembers where every character came from.

Matching (shingles, alignment, names) runs on normalised text, but every span the
service reports must index the ORIGINAL text. ``normalize`` therefore returns the
normalised string together with, for each normalised character, the half-open range
``[starts[i], ends[i])`` of the original characters that produced it.

What is folded, and why:
- Unicode NFKC, per character (Arabic presentation forms, full-width Latin).
- case (``casefold``), so "Reuters" matches "REUTERS".
- Arabic diacritics (harakat, tanween, shadda, sukun, dagger alef) and tatweel: outlets
  vocalise inconsistently (مرارًا / مرارا).
- alef forms (أ إ آ ٱ -> ا), alef maqsura (ى -> ي), ta marbuta (ة -> ه),
  hamza on waw/ya (ؤ -> و, ئ -> ي): the usual spelling variation between outlets.
- Arabic-Indic and Persian digits -> ASCII digits; Arabic comma/semicolon/question
  mark -> their Latin forms; every quotation mark -> ``"`` or ``'``.
- zero-width and bidi control characters are dropped; any run of whitespace becomes
  one space; leading/trailing whitespace is dropped.
- a few spelling variants of the same word (الأميركي / الأمريكي), as equal-length
  rewrites so that offsets stay one-to-one.

Example:
    >>> n = normalize("قالَ «الأميركيّ»")
    >>> n.text
    'قال "الامريكي"'
    >>> n.original_span(5, 14)
    (6, 16)
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

_DROP = frozenset(
    [chr(c) for c in range(0x064B, 0x0660)]  # harakat, tanween, shadda, sukun, ...
    + ["\u0670", "\u0640"]  # dagger alef, tatweel
    + [chr(c) for c in range(0x06D6, 0x06EE)]  # Quranic annotation marks
    + ["\u200b", "\u200c", "\u200d", "\u200e", "\u200f", "\ufeff", "\u061c", "\u00ad"]
    + [chr(c) for c in range(0x202A, 0x202F)]  # bidi embeddings and overrides
    + [chr(c) for c in range(0x2066, 0x206A)]  # bidi isolates
)

_FOLD = {
    "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا",
    "ى": "ي", "ة": "ه", "ؤ": "و", "ئ": "ي", "ی": "ي", "ک": "ك",
    "،": ",", "؛": ";", "؟": "?", "٪": "%", "٫": ".", "٬": ",",
    "«": '"', "»": '"', "“": '"', "”": '"', "„": '"', "‟": '"', "″": '"',
    "‹": "'", "›": "'", "‘": "'", "’": "'", "‚": "'", "‛": "'", "`": "'",
    "–": "-", "—": "-", "−": "-",
}
_FOLD.update({chr(0x0660 + d): str(d) for d in range(10)})  # Arabic-Indic digits
_FOLD.update({chr(0x06F0 + d): str(d) for d in range(10)})  # Persian digits

# Equal-length rewrites applied to the folded text: spelling variants of one word.
_VARIANTS = [
    (re.compile("اميرك"), "امريك"),  # الأميركي / الأمريكي, أميركا / أمريكا
]


@dataclass(frozen=True, slots=True)
class NormalizedText:
    """A normalised string with, per character, its source range in the original."""

    text: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """Map the normalised half-open span ``[start, end)`` to the original text."""
        if not 0 <= start < end <= len(self.text):
            raise ValueError(f"span [{start}, {end}) outside normalised text of length {len(self.text)}")
        return self.starts[start], self.ends[end - 1]

    def original_offset(self, index: int) -> int:
        """Original offset of normalised position ``index`` (``len(text)`` maps past the end)."""
        if index >= len(self.text):
            return self.ends[-1] if self.ends else 0
        return self.starts[index]


@lru_cache(maxsize=65536)
def fold_char(char: str) -> str:
    """Normalise one original character (``""`` when it is dropped)."""
    if char in _DROP:
        return ""
    out = []
    for c in unicodedata.normalize("NFKC", char):
        if c in _DROP:
            continue
        c = _FOLD.get(c, c)
        out.append(" " if c.isspace() else c.casefold())
    return "".join(out)


@lru_cache(maxsize=4096)
def _is_mark(char: str) -> bool:
    return unicodedata.category(char) == "Mn"


@lru_cache(maxsize=1)
def _tables() -> tuple[np.ndarray, np.ndarray, np.ndarray, dict[int, tuple[int, ...]]]:
    """Per BMP code point: fold length (-1: use the reference path), first folded code, "is a mark"; the folds."""
    lengths = np.zeros(0x10000, dtype=np.int64)
    first = np.zeros(0x10000, dtype=np.int64)
    mark = np.zeros(0x10000, dtype=bool)
    folds: dict[int, tuple[int, ...]] = {}
    for code in range(0x10000):
        if 0xD800 <= code <= 0xDFFF:
            lengths[code] = -1
            continue
        char = chr(code)
        folded = fold_char(char)
        folds[code] = tuple(ord(c) for c in folded)
        first[code] = folds[code][0] if folded else 0
        # Expansions holding a space or a mark interact with collapsing and diacritic ranges.
        simple = len(folded) <= 1 or not any(c == " " or unicodedata.category(c) == "Mn" for c in folded)
        lengths[code] = len(folded) if simple else -1
        mark[code] = unicodedata.category(char) == "Mn"
    return lengths, first, mark, folds


def normalize(text: str) -> NormalizedText:
    """Normalise ``text`` for matching, keeping a map back to ``text``'s offsets.

    Remembered (the result is immutable): ingesting an article normalises each of its
    lines twice (outlet chrome, cleaning) and its cleaned text three times (hash,
    passages, alignment). Lines and whole texts are kept apart, so the few large
    entries never push out the many small ones; very long texts are not kept.
    """
    if len(text) <= SHORT_TEXT:
        return _normalize_line(text)
    return _normalize_text(text) if len(text) <= LONG_TEXT else _normalize(text)


SHORT_TEXT = 300  # characters: a line, a title, a name
LONG_TEXT = 100_000  # longer texts are not kept (an entry is ~70 bytes a character)


@lru_cache(maxsize=8192)
def _normalize_line(text: str) -> NormalizedText:
    return _normalize(text)


@lru_cache(maxsize=16)
def _normalize_text(text: str) -> NormalizedText:
    return _normalize(text)


def _normalize(text: str) -> NormalizedText:
    if len(text) > 64:
        fast = _normalize_vectorised(text)
        if fast is not None:
            return fast
    return normalize_reference(text)


def _normalize_vectorised(text: str) -> NormalizedText | None:
    """``normalize_reference`` computed with numpy (None: a rare character, use the reference)."""
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32).astype(np.int64)
    if codes.size and int(codes.max()) >= 0x10000:
        return None
    length_table, first_table, mark_table, folds = _tables()
    lengths = length_table[codes]
    if (lengths < 0).any():
        return None
    origin = np.repeat(np.arange(codes.size), lengths)  # original index of each output character
    chars = first_table[codes[origin]]
    for position in np.flatnonzero(lengths[origin] > 1):  # expansions: rare
        i = origin[position]
        first = position - np.searchsorted(origin, i) if position else 0
        chars[position] = folds[int(codes[i])][first]
    space = chars == 32
    drop = space & np.concatenate(([True], space[:-1]))  # collapse runs, drop a leading space
    origin, chars = origin[~drop], chars[~drop]
    if chars.size and chars[-1] == 32:
        origin, chars = origin[:-1], chars[:-1]
    # The last output character of an original one runs over the dropped diacritics after it.
    n = codes.size
    dropped_mark = (lengths == 0) & mark_table[codes]
    positions = np.arange(n + 1)
    not_mark = np.where(np.concatenate((~dropped_mark, [True])), positions, n)
    next_not_mark = np.minimum.accumulate(not_mark[::-1])[::-1]
    last_of_origin = np.concatenate((origin[1:] != origin[:-1], [True])) if origin.size else origin.astype(bool)
    ends = np.where(last_of_origin, next_not_mark[origin + 1], origin + 1)
    out = chars.astype("<u4").tobytes().decode("utf-32-le")
    for pattern, replacement in _VARIANTS:
        out = pattern.sub(replacement, out)
    return NormalizedText(out, tuple(origin.tolist()), tuple(ends.tolist()))


def normalize_reference(text: str) -> NormalizedText:
    """The character-by-character definition of ``normalize`` (and its path for rare characters)."""
    chars: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    previous = " "  # drops leading whitespace
    for i, original in enumerate(text):
        folded = fold_char(original)
        if len(folded) == 1:  # the common case, kept fast
            if folded == " " and previous == " ":
                continue  # collapse whitespace runs
            chars.append(folded)
            starts.append(i)
            ends.append(i + 1)
            previous = folded
            continue
        if not folded:
            if ends and ends[-1] == i and _is_mark(original):
                ends[-1] = i + 1  # a dropped diacritic belongs to its letter: highlight them together
            continue
        for c in folded:
            if c == " " and previous == " ":
                continue
            chars.append(c)
            starts.append(i)
            ends.append(i + 1)
            previous = c
    if chars and chars[-1] == " ":
        chars.pop()
        starts.pop()
        ends.pop()
    folded = "".join(chars)
    for pattern, replacement in _VARIANTS:
        folded = pattern.sub(replacement, folded)
    return NormalizedText(folded, tuple(starts), tuple(ends))

"""What ``compare`` finds, as typed values (small and frozen, as RapidFuzz's ScoreAlignment
and Opcodes): so that the report, the compare page and the API read attributes a type
checker knows, not dict keys it cannot.

Offsets are character offsets into each article's ORIGINAL text. ``Comparison.as_dict``
is the one conversion to JSON-ready values, the answer of ``POST /compare`` without its
``ok`` (service/api/compare_schemas.py publishes the same fields as pydantic models).

Example:
    >>> QuoteMatch("بومبيو", Passage(10, 40), None, "only_in_a", ()).b is None
    True
    >>> plain(QuoteMatch("X", Passage(1, 5), Passage(2, 6), "edited", (WordChange("insert", "", "very"),), 0.93))
    {'speaker': 'X', 'a': {'start': 1, 'end': 5}, 'b': {'start': 2, 'end': 6}, 'kind': 'edited', 'diff': [{'op': 'insert', 'a': '', 'b': 'very'}], 'similarity': 0.93}
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, is_dataclass
from typing import TYPE_CHECKING

from service.stories.score import SameStory

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

# Field metadata: the field is left out of the JSON while it is None (a quote only one
# article has has no similarity; the answer has always omitted the key rather than sent null).
OMIT_NONE = "omit_none"

__all__ = ["AlignedPair", "Comparison", "Discrepancy", "Passage", "QuoteMatch", "SharedPassage", "StoryVerdict", "WordChange", "plain"]


@dataclass(frozen=True, slots=True)
class StoryVerdict:
    """Whether the two report one story: ``SameStory`` as the comparison shows it (what
    could not be measured is left out; ``basis`` says which evidence decided)."""

    score: float  # 1 = same story ... 4 = unrelated
    probability: float  # P(same event)
    basis: str
    evidence: dict[str, float | int | bool | None]

    @classmethod
    def of(cls, same: SameStory) -> StoryVerdict:
        return cls(same.score, same.probability, same.basis, dict(same.evidence))


@dataclass(frozen=True, slots=True)
class Passage:
    """``text[start:end]`` of one article: one side of a quote, or a sentence the other lacks."""

    start: int
    end: int


@dataclass(frozen=True, slots=True)
class SharedPassage:
    """``a[a_start:a_end]`` was copied as ``b[b_start:b_end]`` (``kind`` verbatim or edited)."""

    a_start: int
    a_end: int
    b_start: int
    b_end: int
    kind: str


@dataclass(frozen=True, slots=True)
class AlignedPair:
    """Two sentences that say the same thing, however worded: ``kind`` verbatim, edited,
    paraphrase or translation; ``similarity`` (0-1) the score that paired them."""

    a_start: int
    a_end: int
    b_start: int
    b_end: int
    kind: str
    similarity: float


@dataclass(frozen=True, slots=True)
class WordChange:
    """One differing run of normalised words (a non-equal RapidFuzz Indel opcode):
    ``op`` insert or delete, ``a`` and ``b`` the words on each side ("" for none)."""

    op: str
    a: str
    b: str


@dataclass(frozen=True, slots=True)
class QuoteMatch:
    """A statement quoted by both articles, with how its wording differs, or by one only
    (the other side None, ``kind`` only_in_a or only_in_b, no ``similarity``)."""

    speaker: str | None
    a: Passage | None
    b: Passage | None
    kind: str  # verbatim | edited | paraphrase | translation | only_in_a | only_in_b
    diff: tuple[WordChange, ...]  # empty across languages
    similarity: float | None = field(default=None, metadata={OMIT_NONE: True})


@dataclass(frozen=True, slots=True)
class Discrepancy:
    """An aligned pair whose figures differ: ``a`` those only A gives, ``b`` only B; the
    offsets are the pair's."""

    what: str  # "number"
    a: tuple[str, ...]
    b: tuple[str, ...]
    a_start: int
    a_end: int
    b_start: int
    b_end: int


@dataclass(frozen=True, slots=True)
class Comparison:
    """Two articles side by side: the answer of ``POST /compare`` as a value."""

    same_story: StoryVerdict
    copied_spans: tuple[SharedPassage, ...] = ()
    aligned: tuple[AlignedPair, ...] = ()
    only_in_a: tuple[Passage, ...] = ()  # A's sentences no sentence of B says
    only_in_b: tuple[Passage, ...] = ()
    quotes: tuple[QuoteMatch, ...] = ()  # A's quotes in order, then those only B has
    discrepancies: tuple[Discrepancy, ...] = ()

    def as_dict(self) -> dict[str, object]:
        """JSON-ready values in field order (the API's answer without ``ok``)."""
        return _object(self)


def plain(value: object) -> object:
    """``value`` as JSON-ready values: a dataclass as a dict in field order (its
    ``OMIT_NONE`` fields left out while None), a tuple or list as a list."""
    if is_dataclass(value) and not isinstance(value, type):
        return _object(value)
    if isinstance(value, tuple | list):
        return [plain(item) for item in value]
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    return value


def _object(value: DataclassInstance) -> dict[str, object]:
    out = {}
    for f in fields(value):
        item = getattr(value, f.name)
        if item is None and f.metadata.get(OMIT_NONE):
            continue
        out[f.name] = plain(item)
    return out

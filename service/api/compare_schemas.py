"""API shape of ``POST /compare`` (pydantic): one model per value of service.compare.result,
field for field and in the same order (tests/compare/test_result_schema.py holds them
together), so that /openapi.json documents the answer ``Comparison.as_dict`` gives."""

from __future__ import annotations

from pydantic import BaseModel, Field


class StoryVerdictOut(BaseModel):
    """Whether the two report one story: score on SemEval-2022 Task 8's scale and P(same event)."""

    score: float = Field(description="1 = same story ... 4 = unrelated")
    probability: float = Field(description="P(same event)")
    basis: str = Field(description="which fitted model decided: embedding, cross_language or no_embedding")
    evidence: dict[str, float | int | bool | None]


class PassageOut(BaseModel):
    """``text[start:end]`` of one article's original text."""

    start: int
    end: int


class SharedPassageOut(BaseModel):
    """``a[a_start:a_end]`` was copied as ``b[b_start:b_end]``."""

    a_start: int
    a_end: int
    b_start: int
    b_end: int
    kind: str = Field(description="verbatim or edited")


class AlignedPairOut(BaseModel):
    """Two sentences that say the same thing."""

    a_start: int
    a_end: int
    b_start: int
    b_end: int
    kind: str = Field(description="verbatim, edited, paraphrase or translation")
    similarity: float = Field(description="0-1, the score that paired them")


class WordChangeOut(BaseModel):
    """One differing run of normalised words."""

    op: str = Field(description="insert or delete")
    a: str
    b: str


class QuoteMatchOut(BaseModel):
    """A statement quoted by both articles, or by one only (the other side null)."""

    speaker: str | None
    a: PassageOut | None
    b: PassageOut | None
    kind: str = Field(description="verbatim, edited, paraphrase, translation, only_in_a or only_in_b")
    diff: list[WordChangeOut] = Field(description="how the wording differs; empty across languages and for a quote one article has")
    # Absent (not null) for a quote only one article has, as the answer has always been.
    similarity: float | None = Field(default=None, exclude_if=lambda value: value is None, description="0-1; only when both articles quote it")


class DiscrepancyOut(BaseModel):
    """An aligned pair whose figures differ."""

    what: str = Field(description='"number"')
    a: list[str] = Field(description="the figures only A gives")
    b: list[str] = Field(description="the figures only B gives")
    a_start: int
    a_end: int
    b_start: int
    b_end: int


class ComparisonOut(BaseModel):
    """Two articles side by side; every offset indexes an article's ORIGINAL text."""

    ok: bool = True
    same_story: StoryVerdictOut
    copied_spans: list[SharedPassageOut]
    aligned: list[AlignedPairOut]
    only_in_a: list[PassageOut] = Field(description="A's sentences no sentence of B says")
    only_in_b: list[PassageOut] = Field(description="B's sentences no sentence of A says")
    quotes: list[QuoteMatchOut] = Field(description="A's quotes in order, then those only B has")
    discrepancies: list[DiscrepancyOut]

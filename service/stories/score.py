"""The calibrated same-story score: Evidence -> SemEval-2022 Task 8 scale and a probability.

The score is a linear model of a few evidence columns (``design_row``), clipped to the
task's scale: 1 = same story ... 4 = unrelated. Which linear model applies depends on
whether both articles were embedded (an article in a language the model does not cover
is not) and whether they share a language: each basis has its own weights, fitted by
``scripts/fit_story_score.py`` on the same data, the embedding columns left out for
"no_embedding" and the word overlap for "cross_language" (two languages share few
words, whatever they report), so each pair is scored by a model that never relied on
the evidence it lacks.

The time gap enters as log(1 + days beyond ``grace_days``), 0 when a date is unknown;
SemEval pairs have no publication dates, so its weight is learnt from the seed pairs
(the only dated ones). The copied share is measured on every training pair.

Embedding similarities of two articles in two languages run lower than in one (the model
keeps a language direction): unrelated pairs across languages average ~0.24 lower centred
lead cosine than within one. ``cross_language`` offsets, measured on random unrelated
pairs by the fit script, put such pairs back on the scale the weights were fitted on.

P(same event) is a logistic function of the score, fitted on the SemEval pairs whose gold
Overall is at most ``same_story_overall``, lowered by the days between the two reports:
``days_weight`` x log(1 + days beyond ``days_grace``). SemEval grades how much two articles
share; two happenings of one topic on different days (two days' market closes, the second
and the third relief flight, two days of one festival) share nearly everything but the
day. The days weight is fitted by ``scripts/fit_event_probability.py`` on pairs labelled
same_event / same_topic / unrelated by reading (tests/data/event_pairs); SemEval pairs have
no dates. Within ``days_grace`` (a date known to the day only, time zones) the gap says
nothing; an unknown date lowers nothing.

File layout (models/story_score.json, UTF-8 JSON): ``format`` (3), ``model_id``,
``background_mean`` (list of floats, the encoder's dimension), ``grace_days``,
``prior_score`` (the mean gold score, for a pair with nothing to compare),
``cross_language`` {embedding column: offset added for a pair of two languages},
``models`` {basis: {"intercept", "weights" {column: weight}}}, ``probability``
{"same_story_overall", "midpoint", "slope", "days_weight", "days_grace"}, ``fit`` and
``days_fit`` (how they were made; informative only).

Example:
    >>> scorer = StoryScorer.load(Path("models/story_score.json"))
    >>> result = scorer.score(evidence)
    >>> 1.0 <= result.score <= 4.0, 0.0 <= result.probability <= 1.0
    (True, True)
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from service.stories.evidence import Evidence

FORMAT = 3  # 2: word_overlap replaced sentence_match, a cross_language basis; 3: the days weight
READABLE_FORMATS = (2, 3)  # format 2 has no days weight: P from the score alone
EMBEDDING_COLUMNS = ("lead_centred", "lead_centred_sq", "title_lead")
WORD_COLUMNS = ("word_overlap",)
NAME_COLUMNS = ("entity_overlap",)
# SemEval-2022 Task 8's "somewhat dissimilar": a template pair's least score (P ~0.14 with
# the fitted default): the same topic, another happening.
TEMPLATE_SCORE = 3.0
ALWAYS_COLUMNS = ("figure_overlap", "time_excess", "copied_share")
BASES = ("embedding", "cross_language", "no_embedding")


@dataclass(frozen=True, slots=True)
class SameStory:
    """A pair's score (1 = same story ... 4 = unrelated), P(same event), and why."""

    score: float
    probability: float
    basis: str
    missing: tuple[str, ...]
    evidence: dict[str, float | int | None] = field(default_factory=dict)


def basis_of(evidence: Evidence) -> str:
    """Which fitted model applies: "embedding" when both articles were embedded, in one
    language; "cross_language" when embedded in two; else "no_embedding"."""
    if None in (evidence.lead_centred, evidence.title_lead):
        return "no_embedding"
    return "embedding" if evidence.same_language else "cross_language"


def columns_of(basis: str) -> tuple[str, ...]:
    if basis not in BASES:
        raise ValueError(f"basis must be one of {BASES}, got {basis!r}")
    embedding = EMBEDDING_COLUMNS if basis != "no_embedding" else ()
    words = WORD_COLUMNS if basis != "cross_language" else ()
    return embedding + words + NAME_COLUMNS + ALWAYS_COLUMNS


def design_row(evidence: Evidence, *, grace_days: float, cross_language: dict[str, float] | None = None) -> dict[str, float]:
    """The model's columns for a pair (absent evidence gives no column; an unknown time gap 0).

    A pair of two languages has ``cross_language`` offsets added to its embedding columns.
    """
    shift = (cross_language or {}) if not evidence.same_language else {}
    row = {
        "word_overlap": evidence.word_overlap,
        "entity_overlap": evidence.entity_overlap,
        "figure_overlap": evidence.figure_overlap,
        "time_excess": time_excess(evidence.time_gap_days, grace_days=grace_days),
        "copied_share": evidence.copied_share,
    }
    if evidence.lead_centred is not None:
        row["lead_centred"] = evidence.lead_centred + shift.get("lead_centred", 0.0)
        row["lead_centred_sq"] = row["lead_centred"] ** 2  # the scale bends: near-duplicates saturate
    if evidence.title_lead is not None:
        row["title_lead"] = evidence.title_lead + shift.get("title_lead", 0.0)
    return row


def time_excess(gap_days: float | None, *, grace_days: float) -> float:
    """log(1 + days beyond the grace period): 0 within it or when unknown."""
    if gap_days is None:
        return 0.0
    return math.log1p(max(0.0, gap_days - grace_days))


@dataclass(frozen=True)
class StoryScorer:
    """Fitted parameters (see the module docstring for the file layout)."""

    models: dict[str, tuple[float, dict[str, float]]]
    background_mean: np.ndarray
    grace_days: float
    cross_language: dict[str, float]
    same_story_overall: float
    midpoint: float
    slope: float
    prior_score: float = 2.5
    model_id: str = ""
    fit: dict = field(default_factory=dict)
    days_weight: float = 0.0
    days_grace: float = 1.0
    days_fit: dict = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> StoryScorer:
        try:
            raw = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise ValueError(f"cannot read story score parameters from {path}: {error}") from error
        return cls.from_dict(raw)

    @classmethod
    def from_dict(cls, raw: dict) -> StoryScorer:
        if raw.get("format") not in READABLE_FORMATS:
            raise ValueError(f"story score parameters: format {raw.get('format')!r}, expected one of {READABLE_FORMATS}")
        missing = [b for b in BASES if b not in raw.get("models", {})]
        if missing:
            raise ValueError(f"story score parameters lack models for {missing}")
        models = {b: (float(m["intercept"]), {k: float(v) for k, v in m["weights"].items()}) for b, m in raw["models"].items()}
        for basis, (_, weights) in models.items():
            unknown = set(weights) - set(columns_of(basis))
            if unknown:
                raise ValueError(f"story score model {basis!r} has unknown columns {sorted(unknown)}")
        probability = raw["probability"]
        return cls(
            models=models,
            background_mean=np.asarray(raw["background_mean"], dtype=np.float32),
            grace_days=float(raw["grace_days"]),
            cross_language={k: float(v) for k, v in raw.get("cross_language", {}).items()},
            same_story_overall=float(probability["same_story_overall"]),
            midpoint=float(probability["midpoint"]),
            slope=float(probability["slope"]),
            prior_score=float(raw.get("prior_score", 2.5)),
            model_id=str(raw.get("model_id", "")),
            fit=dict(raw.get("fit", {})),
            days_weight=float(probability.get("days_weight", 0.0)),
            days_grace=float(probability.get("days_grace", 1.0)),
            days_fit=dict(raw.get("days_fit", {})),
        )

    def to_dict(self) -> dict:
        return {
            "format": FORMAT,
            "model_id": self.model_id,
            "grace_days": self.grace_days,
            "prior_score": self.prior_score,
            "cross_language": self.cross_language,
            "models": {b: {"intercept": i, "weights": w} for b, (i, w) in self.models.items()},
            "probability": {"same_story_overall": self.same_story_overall, "midpoint": self.midpoint, "slope": self.slope,
                            "days_weight": self.days_weight, "days_grace": self.days_grace},
            "fit": self.fit,
            "days_fit": self.days_fit,
            "background_mean": [round(float(x), 6) for x in self.background_mean],
        }

    def probability(self, score: float, gap_days: float | None = None) -> float:
        """P(same event) of a score on the 1-4 scale, for two reports ``gap_days`` apart
        (None: unknown, nothing lowered)."""
        z = self.slope * (self.midpoint - score) - self.days_weight * time_excess(gap_days, grace_days=self.days_grace)
        return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))

    def event_probability(self, evidence: Evidence) -> float:
        """P(same event) of a pair's evidence."""
        return self.probability(self.value(evidence), evidence.time_gap_days)

    def without_evidence(self) -> SameStory:
        """The answer when one article has nothing to compare (no title, no text): the prior."""
        return SameStory(self.prior_score, round(self.probability(self.prior_score), 4), "none", ("embedding", "names", "time"), {})

    def raw_score(self, evidence: Evidence) -> float:
        """The unclipped linear score."""
        intercept, weights = self.models[basis_of(evidence)]
        row = design_row(evidence, grace_days=self.grace_days, cross_language=self.cross_language)
        return intercept + sum(w * row[c] for c, w in weights.items())

    def value(self, evidence: Evidence) -> float:
        """The score on the 1-4 scale. Two articles sharing a template are two happenings in
        one wording: at least ``TEMPLATE_SCORE``, however close their words."""
        value = min(4.0, max(1.0, self.raw_score(evidence)))
        return max(value, TEMPLATE_SCORE) if evidence.template else value

    def score(self, evidence: Evidence) -> SameStory:
        """Score on the 1-4 scale and P(same event) for one pair's evidence."""
        basis = basis_of(evidence)
        value = self.value(evidence)
        probability = self.probability(value, evidence.time_gap_days)
        missing = tuple(
            name
            for name, absent in (
                ("embedding", basis == "no_embedding"),
                ("words", basis == "cross_language"),
                ("time", evidence.time_gap_days is None),
            )
            if absent
        )
        return SameStory(round(value, 4), round(probability, 4), basis, missing, evidence.as_dict())

"""Fit the days weight of P(same event) (models/story_score.json) on the labelled event pairs.

    python scripts/fit_event_probability.py --corpus-db sqlite:///var/snn7-final.db                # fit, report, write
    python scripts/fit_event_probability.py --corpus-db sqlite:///var/snn7-final.db --report-only  # no write

P(same event) = logistic(slope x (midpoint - score) - days_weight x log(1 + days beyond
DAYS_GRACE)) (``service.stories.score``); the score, midpoint and slope come from
``scripts/fit_story_score.py`` (SemEval, whose pairs have no dates). Here, on what:
- the pairs: tests/data/event_pairs (the development set; the held-out set of other days,
  tests/data/event_pairs_heldout, is never read here), labelled by the first readers, and
  the 10 pairs of the five seeds (seeds/articles.jsonl names each seed's event: the four
  Sochi reports are one, 004 another of the same actors); a pair is positive when it
  reports one event;
- each pair's score and time gap as ``POST /similarity`` computes them for two unstored
  articles (``Runtime.similarity``; the default model; ``--corpus-db``'s word counts tell
  templates, as the service's own store does);
- the weight: maximum likelihood of the labels, the score's logistic taken as it is (an
  offset), one parameter, bounded to [0, 10].
Printed: precision, recall, F1 of same_event at P >= 0.5 (the join threshold) and the share
of same_topic pairs called one event, with the days weight 0 and with the fitted one, in
sample and in 10-fold cross-validation (the weight fitted without the fold).
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import tempfile
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import numpy as np
from scipy.optimize import minimize_scalar

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from eval_events import first_labels, pair_articles, read_jsonl  # noqa: E402

from service.config import Settings  # noqa: E402
from service.domain import ArticleInput  # noqa: E402
from service.eval.story_quality import pair_scores  # noqa: E402
from service.intake.fields import parse_datetime  # noqa: E402
from service.pipeline.runtime import Runtime  # noqa: E402
from service.stories.evidence import Evidence  # noqa: E402
from service.stories.score import FORMAT, StoryScorer, time_excess  # noqa: E402

DAYS_GRACE = 1.0  # a date known to the day only, and time zones: within a day the gap says nothing
FOLDS, SEED = 10, 16


def days_weight(offset: np.ndarray, days: np.ndarray, y: np.ndarray) -> float:
    """The weight w maximising the likelihood of y under logistic(offset - w x days)."""

    def loss(w: float) -> float:
        z = offset - w * days
        return float(np.sum(np.logaddexp(0.0, z) - y * z))  # -log-likelihood

    return float(minimize_scalar(loss, bounds=(0.0, 10.0), method="bounded").x)


def calls(p: np.ndarray, y: np.ndarray, topic: np.ndarray) -> dict[str, float]:
    """Same-event calls at P >= 0.5 against the labels, and the share of same_topic pairs called."""
    called = p >= 0.5
    found = pair_scores(y, called)
    return {"tp": found.true_positives, "fp": found.false_positives, "fn": found.false_negatives,
            "precision": round(found.precision, 3), "recall": round(found.recall, 3), "f1": round(found.f1, 3),
            "same_topic_called": round(int((called & topic).sum()) / max(1, int(topic.sum())), 3)}


def seed_pairs(seeds_dir: Path) -> list[tuple[ArticleInput, ArticleInput, str]]:
    """The seeds' 10 pairs, labelled same_event or same_topic from their events."""
    seeds = []
    for line in (seeds_dir / "articles.jsonl").read_text(encoding="utf-8").splitlines():
        meta = json.loads(line)
        article = ArticleInput(text=(seeds_dir / meta["file"]).read_text(encoding="utf-8"), title=meta["title"], language=meta["language"],
                               published_at=parse_datetime(meta["published"]) if meta.get("published") else None)
        seeds.append((article, meta["event"]))
    return [(a, b, "same_event" if x == y else "same_topic") for (a, x), (b, y) in itertools.combinations(seeds, 2)]


def pair_evidence_rows(args: argparse.Namespace) -> tuple[list[Evidence], np.ndarray, np.ndarray, StoryScorer]:
    """Each labelled pair's evidence as /similarity sees it, its label (same_event?) and same_topic."""
    pairs = read_jsonl(args.pairs_dir / "pairs.jsonl")
    labels = first_labels(args.pairs_dir)
    articles = pair_articles(pairs, args.data)
    labelled = [(articles[p["a_url"], p["a_date"]], articles[p["b_url"], p["b_date"]], labels[p["pair"]]["label"]) for p in pairs]
    labelled += seed_pairs(args.seeds)
    evidence = []
    with tempfile.TemporaryDirectory(prefix="fit-event-") as tmp:
        settings = Settings(database_url=args.corpus_db or f"sqlite:///{tmp}/empty.db", redis_url=None, models_dir=args.models_dir)
        with Runtime.open(settings) as runtime:
            for a, b, _ in labelled:
                evidence.append(Evidence(**runtime.similarity(a, b).evidence))
            scorer = runtime.desk.scorer
    y = np.array([label == "same_event" for _, _, label in labelled])
    topic = np.array([label == "same_topic" for _, _, label in labelled])
    return evidence, y, topic, scorer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pairs-dir", type=Path, default=ROOT / "tests" / "data" / "event_pairs")
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "saudinewsnet")
    parser.add_argument("--models-dir", type=Path, default=ROOT / "models")
    parser.add_argument("--seeds", type=Path, default=ROOT / "seeds")
    parser.add_argument("--corpus-db", help="database URL of a store of those days, whose word counts tell templates")
    parser.add_argument("--parameters", type=Path, default=ROOT / "models" / "story_score.json")
    parser.add_argument("--report-only", action="store_true")
    args = parser.parse_args()
    if "heldout" in args.pairs_dir.name:
        raise SystemExit("the held-out pairs measure the fit; fit on the development set")

    evidence, y, topic, scorer = pair_evidence_rows(args)
    print(f"{len(y)} pairs: {int(y.sum())} same_event, {int(topic.sum())} same_topic, {int((~y & ~topic).sum())} unrelated\n")
    offset = np.array([scorer.slope * (scorer.midpoint - scorer.value(ev)) for ev in evidence])
    days = np.array([time_excess(ev.time_gap_days, grace_days=DAYS_GRACE) for ev in evidence])

    def probability(w: float, rows: np.ndarray | None = None) -> np.ndarray:
        """P(same event) as the service computes it, with the days weight w."""
        with_weight = replace(scorer, days_weight=w, days_grace=DAYS_GRACE)
        chosen = evidence if rows is None else [ev for ev, keep in zip(evidence, rows) if keep]
        return np.array([with_weight.event_probability(ev) for ev in chosen])

    weight = days_weight(offset, days, y)
    folds = np.random.default_rng(SEED).permutation(len(y)) % FOLDS
    cross = np.zeros(len(y))
    for k in range(FOLDS):
        test = folds == k
        cross[test] = probability(days_weight(offset[~test], days[~test], y[~test]), test)
    print(f"days weight {weight:.4f} (grace {DAYS_GRACE} day)")
    print("  weight 0, in sample:     ", calls(probability(0.0), y, topic))
    print("  fitted, in sample:       ", calls(probability(weight), y, topic))
    print(f"  fitted, {FOLDS}-fold CV:       ", calls(cross, y, topic))
    raw = json.loads(args.parameters.read_text(encoding="utf-8"))
    raw["format"] = FORMAT
    raw["probability"] |= {"days_weight": round(weight, 4), "days_grace": DAYS_GRACE}
    raw["days_fit"] = {"pairs": len(y), "same_event": int(y.sum()), "labelled": "tests/data/event_pairs and the seed pairs",
                       "in_sample": calls(probability(weight), y, topic), "cross_validated": calls(cross, y, topic),
                       "made": datetime.now().date().isoformat()}
    fitted = StoryScorer.from_dict(raw)  # checks the file
    if not args.report_only:
        args.parameters.write_text(json.dumps(fitted.to_dict(), indent=1) + "\n", encoding="utf-8")
        print(f"wrote {args.parameters}")


if __name__ == "__main__":
    main()

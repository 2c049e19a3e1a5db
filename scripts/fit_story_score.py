"""Fit the same-story score (models/story_score.json) on SemEval-2022 T8 dev pairs and the seeds.

    python scripts/fit_story_score.py                      # fit, report, write models/story_score.json
    python scripts/fit_story_score.py --report-only        # cross-validation and ablation, no write

What is fitted, on what:
- the background mean: mean of the per-language mean lead vectors (ar: 450 SaudiNewsNet
  articles, 25 a day; tr, fr: the dev articles);
- cross-language offsets: how much less alike random (unrelated) pairs of two languages
  look than random pairs of one language, per embedding column (no gold needed);
- one ridge regression per evidence basis (see service.stories.score: embedding,
  cross_language without the word overlap, no_embedding) of gold Overall on the evidence columns, on all tr + fr pairs and the 10 seed pairs (gold 1 within the
  Sochi story, 3.5 between 004 and the others: same actors and topic, another event);
- the time-gap weight, jointly with the above (per basis): only seed pairs have dates;
- the copied-share weight, jointly (per basis): the copied share of every pair is measured with the
  reuse module's alignment (service.reuse.align), as the service does at ingest;
- P(same event): a logistic function of the clipped score, for gold Overall <= 2 (annotators
  on average at 'very' or 'somewhat similar'). Its days weight is not fitted here (SemEval
  pairs have no dates): the one of the file written over is kept; refit it with
  scripts/fit_event_probability.py after a new score.
Cross-validated Pearson: 10 folds over the pooled pairs (fixed seed), reported per language.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import numpy as np
from scipy.stats import pearsonr

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from eval_semeval import DEV_FILES, arabic_background, cached_encoder, copied_share, describe_pairs, seed_docs  # noqa: E402

from service.stories.evidence import pair_evidence  # noqa: E402
from service.stories.score import BASES, FORMAT, StoryScorer, columns_of, design_row  # noqa: E402

GRACE_DAYS = 2.0
SAME_STORY_OVERALL = 2.0
SEED_GOLD_SAME, SEED_GOLD_OTHER = 1.0, 3.5
RIDGE = 1.0
FOLDS = 10
LOWERING = frozenset({"title_lead", "word_overlap", "entity_overlap", "figure_overlap", "copied_share"})  # overlap: never less alike
SHIFTED = ("lead_centred", "title_lead")  # embedding columns that run lower across languages


def build_rows(encoder) -> tuple[list[dict], np.ndarray, list[str]]:
    """Evidence design rows, gold and group ("tr", "fr", "seed") of every training pair."""
    rows, gold, groups = [], [], []
    for language, path in DEV_FILES.items():
        for pair, a, b in describe_pairs(path, encoder):
            ev = pair_evidence(a, b, background_mean=None, copied_share=copied_share(a.text, b.text))
            rows.append({"pair": (a, b), "copied": ev.copied_share})
            gold.append(pair.overall)
            groups.append(language)
    seeds = seed_docs(encoder)
    for i in range(len(seeds)):
        for j in range(i + 1, len(seeds)):
            a, b = seeds[i], seeds[j]
            rows.append({"pair": (a, b), "copied": copied_share(a.text, b.text)})
            same = ("004" in a.id) == ("004" in b.id)
            gold.append(SEED_GOLD_SAME if same else SEED_GOLD_OTHER)
            groups.append("seed")
    return rows, np.asarray(gold, dtype=float), groups


def background_docs(rows: list[dict], groups: list[str], arabic: list) -> dict[str, list]:
    """Unrelated articles per language: ar from SaudiNewsNet (not the seeds: five articles on
    two events are a topic, not a background), tr and fr from the dev pairs."""
    by_language: dict[str, list] = {"ar": list(arabic)}
    seen: set[int] = set()
    for row, group in zip(rows, groups):
        for doc in row["pair"]:
            if doc.lead is not None and id(doc) not in seen and group != "seed":
                seen.add(id(doc))
                by_language.setdefault(doc.language or "", []).append(doc)
    return by_language


def background_mean(by_language: dict[str, list]) -> np.ndarray:
    """Mean of the per-language mean leads (every language weighs the same)."""
    means = [np.mean([d.lead for d in docs], axis=0) for _, docs in sorted(by_language.items())]
    return np.mean(means, axis=0).astype(np.float32)


def cross_language_offsets(by_language: dict[str, list], mean: np.ndarray, *, samples: int = 3000, seed: int = 0) -> dict[str, float]:
    """Per embedding column: mean over random same-language pairs minus mean over random
    pairs of two languages. Unrelated articles in two languages look less alike than in
    one (the model keeps a language direction); adding this offset puts a cross-language
    pair on the scale the score was fitted on. No gold needed: random pairs are unrelated."""
    rng = np.random.default_rng(seed)
    languages = sorted(by_language)
    values: dict[bool, list[dict[str, float]]] = {True: [], False: []}
    for same in (True, False):
        for _ in range(samples):
            la = languages[rng.integers(len(languages))]
            lb = la if same else rng.choice([x for x in languages if x != la])
            a, b = by_language[la][rng.integers(len(by_language[la]))], by_language[lb][rng.integers(len(by_language[lb]))]
            if a is b:
                continue
            ev = pair_evidence(a, b, background_mean=mean)
            values[same].append({c: getattr(ev, c) for c in SHIFTED})
    return {c: round(float(np.mean([v[c] for v in values[True]]) - np.mean([v[c] for v in values[False]])), 4) for c in SHIFTED}


def matrix(rows: list[dict], mean: np.ndarray, basis: str, *, drop: str | None = None) -> tuple[np.ndarray, list[str]]:
    columns = [c for c in columns_of(basis) if c != drop]
    out = []
    for row in rows:
        a, b = row["pair"]
        ev = pair_evidence(a, b, background_mean=mean, copied_share=row["copied"])
        if basis == "no_embedding":
            ev = replace(ev, title_lead=None, lead_centred=None, lead_cosine=None)
        values = design_row(ev, grace_days=GRACE_DAYS)
        out.append([values[c] for c in columns])
    return np.asarray(out, dtype=float), columns


def ridge(x: np.ndarray, y: np.ndarray, *, alpha: float = RIDGE, lowering: np.ndarray | None = None) -> tuple[float, np.ndarray]:
    """Ridge on standardised columns (intercept unpenalised), returned in raw units.

    ``lowering`` marks columns that can only lower the score (more overlap never means
    less alike): one whose weight comes out positive, through collinearity with the
    others, is left out (weight 0) and the rest refitted.
    """
    keep = np.ones(x.shape[1], dtype=bool)
    while True:
        mu, sd = x[:, keep].mean(axis=0), x[:, keep].std(axis=0)
        sd[sd == 0] = 1.0
        z = (x[:, keep] - mu) / sd
        w = np.linalg.solve(z.T @ z + alpha * np.eye(z.shape[1]), z.T @ (y - y.mean()))
        weights = np.zeros(x.shape[1])
        weights[keep] = w / sd
        wrong = keep & (weights > 0) & (lowering if lowering is not None else False)
        if not wrong.any():
            return float(y.mean() - mu @ weights[keep]), weights
        keep &= ~wrong


def predict(x: np.ndarray, intercept: float, weights: np.ndarray) -> np.ndarray:
    return np.clip(intercept + x @ weights, 1.0, 4.0)


def cross_validated(x: np.ndarray, y: np.ndarray, *, folds: int = FOLDS, seed: int = 0, lowering: np.ndarray | None = None) -> np.ndarray:
    order = np.random.default_rng(seed).permutation(len(y))
    out = np.zeros(len(y))
    for k in range(folds):
        test = order[k::folds]
        train = np.setdiff1d(order, test)
        intercept, weights = ridge(x[train], y[train], lowering=lowering)
        out[test] = predict(x[test], intercept, weights)
    return out


def per_group(pred: np.ndarray, y: np.ndarray, groups: list[str]) -> dict[str, float]:
    g = np.asarray(groups)
    return {lang: round(float(pearsonr(pred[g == lang], y[g == lang])[0]), 4) for lang in ("tr", "fr")}


def fit_probability(score: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Midpoint and slope of P(same) = 1 / (1 + exp(-slope (midpoint - score)))."""
    from sklearn.linear_model import LogisticRegression

    label = (y <= SAME_STORY_OVERALL).astype(int)
    model = LogisticRegression(C=100.0).fit(score.reshape(-1, 1), label)
    slope = -float(model.coef_[0][0])
    return float(model.intercept_[0]) / slope, slope


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=ROOT / "models" / "story_score.json")
    parser.add_argument("--report-only", action="store_true")
    args = parser.parse_args()
    encoder = cached_encoder()
    rows, y, groups = build_rows(encoder)
    arabic = arabic_background(encoder)
    encoder.save()
    by_language = background_docs(rows, groups, arabic)
    mean = background_mean(by_language)
    offsets = cross_language_offsets(by_language, mean)
    print("cross-language offsets", offsets)
    models, fit = {}, {"pairs": {g: groups.count(g) for g in sorted(set(groups))}, "ridge_alpha": RIDGE}
    for basis in BASES:
        x, columns = matrix(rows, mean, basis)
        lowering = np.array([c in LOWERING for c in columns])
        intercept, weights = ridge(x, y, lowering=lowering)
        fitted = predict(x, intercept, weights)
        cv = cross_validated(x, y, lowering=lowering)
        fit[basis] = {"in_sample": per_group(fitted, y, groups), "cross_validated": per_group(cv, y, groups)}
        print(f"{basis:<16} in-sample {fit[basis]['in_sample']}  {FOLDS}-fold CV {fit[basis]['cross_validated']}")
        named = dict(zip(columns, weights.tolist()))
        print("  weights:", {k: round(v, 3) for k, v in named.items()}, "intercept", round(intercept, 3))
        if basis == BASES[0]:
            midpoint, slope = fit_probability(fitted, y)
            for drop in columns:
                xd, _ = matrix(rows, mean, basis, drop=drop)
                cvd = per_group(cross_validated(xd, y, lowering=np.array([c in LOWERING for c in columns if c != drop])), y, groups)
                single = per_group(x[:, columns.index(drop)] * -1.0, y, groups)
                print(f"  without {drop:<16} CV {cvd}   alone (Pearson of -feature) {single}")
        models[basis] = {"intercept": intercept, "weights": named}
    raw = {
        "format": FORMAT,
        "model_id": encoder.model_id,
        "grace_days": GRACE_DAYS,
        "prior_score": round(float(y[np.asarray(groups) != "seed"].mean()), 4),
        "cross_language": offsets,
        "models": models,
        "probability": {"same_story_overall": SAME_STORY_OVERALL, "midpoint": midpoint, "slope": slope},
        "fit": fit | {"made": datetime.now().date().isoformat()},
        "background_mean": [round(float(v), 6) for v in mean],
    }
    if args.out.exists():  # the days weight is fitted on dated event pairs, not here
        kept = json.loads(args.out.read_text(encoding="utf-8"))
        raw["probability"] |= {k: v for k, v in kept.get("probability", {}).items() if k in ("days_weight", "days_grace")}
        raw["days_fit"] = kept.get("days_fit", {})
        print(f"days weight kept from {args.out}: {raw['probability'].get('days_weight', 0.0)} "
              "(refit it with scripts/fit_event_probability.py: the score changed)")
    scorer = StoryScorer.from_dict(raw)
    print(f"P(same) midpoint {midpoint:.3f} slope {slope:.3f}")
    if not args.report_only:
        args.out.write_text(json.dumps(scorer.to_dict(), indent=1) + "\n", encoding="utf-8")
        print(f"wrote {args.out}")


if __name__ == "__main__":
    main()

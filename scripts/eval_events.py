"""Measure the service against the labelled event pairs (tests/data/event_pairs): are its
same-event scores and its stories events?

    python scripts/eval_events.py --data ../shared/data/saudinewsnet             # scorer + agreement
    python scripts/eval_events.py --no-scorer --stories-db sqlite:///var/snn7-model.db

1. Pair scorer. Both articles of each labelled pair are read from the SaudiNewsNet day files
   by URL (as ``service.eval.corpora`` reads them: title, content, source as outlet,
   date_extracted as published_at, language ar) and scored as ``POST /similarity`` scores
   two unstored articles (``Runtime.similarity``; the default model; an empty temporary
   SQLite store, or ``--corpus-db``'s, whose word counts tell templates; nothing stored). A pair is called one event when P(same event) >=
   ``Settings.story_probability`` (the join threshold, 0.5). Printed: precision, recall and
   F1 of ``same_event``; the share of ``same_topic`` and of ``unrelated`` pairs called one
   event; the AUC of P for same_event against the rest; overall and per stratum; the time
   of one ``similarity`` call (p50/p95), which embeds both articles unless met before (an
   article is in up to 3 pairs, and the process remembers vectors by text).
2. Second-reader agreement: labels-second.jsonl against the first readers' labels
   (labels-a/b/c.jsonl) on the pairs both labelled: the share equal, Cohen's kappa and the
   confusion matrix.
3. Clusters (``--stories-db``): a database made by an online ``storydiff ingest`` of the
   articles of those days in publication order. A labelled pair is "in one story" when both
   its articles are stored (found by URL, else by the text's content hash) and in the same
   story. Printed: pairwise precision/recall/F1 of "in one story" against same_event
   (overall and per stratum), the share of same_topic and unrelated pairs in one story, the
   run's story count and size distribution, and B-cubed precision/recall.

   B-cubed from a pair set: the items are the labelled articles that are stored; the gold
   classes are the transitive closure of the labelled same_event pairs (``closure_classes``;
   an article in no same_event pair is a class of its own); each item's predicted cluster
   is its story restricted to the items (``bcubed``). Per item, precision = |story & class|
   / |story| and recall = |story & class| / |class|, counted over items only, then
   averaged. Caveat: the labels say nothing about most pairs of labelled articles (each
   article was read against at most 3 others), and the closure takes every pair it does not
   join as two events. So two labelled articles of one story that no reader compared count
   against precision even when they report one event (the report counts such unread
   in-story pairs), and recall only sees the events that a labelled pair happened to join.
   The gold classes are tiny (mostly single articles, whose recall is 1 whatever the
   stories; the report adds the recall of the articles in classes of 2+), and B-cubed
   precision is mostly "how rarely labelled articles share a story"; read both beside the
   pairwise figures.

``--scores-out FILE`` writes each pair's P and time as JSON Lines; ``--examples N`` prints N
errors of each kind with their labels' reasons: same_topic pairs called one event (highest P
first) or put in one story, same_event pairs not called one event or split.

The measures are those of ``service.eval.story_quality``. To measure an older checkout of the
service (``PYTHONPATH=/path/to/checkout``) whose quality module predates them, they are read
from this script's own checkout instead; everything else comes from the service on the path.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path
from types import ModuleType

import numpy as np

from service.config import Settings
from service.domain import ArticleInput
from service.eval.corpora import saudinewsnet_articles
from service.intake.fields import parse_datetime
from service.pipeline.prepare import preview
from service.pipeline.runtime import Runtime

ROOT = Path(__file__).resolve().parent.parent
LABELS = ("same_event", "same_topic", "unrelated")
STRATA = ("high", "middle", "low", "random")


def measures() -> ModuleType:
    """``service.eval.story_quality``, or this checkout's copy when the checkout on the path
    is an older one being measured (it has no such module)."""
    try:
        import service.eval.story_quality as quality

        return quality
    except ImportError:
        pass
    spec = importlib.util.spec_from_file_location("eval_events_quality", ROOT / "service" / "eval" / "story_quality.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while building
    spec.loader.exec_module(module)
    return module


Q = measures()


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def first_labels(folder: Path) -> dict[int, dict]:
    """The first readers' labels (every labels-*.jsonl but labels-second), by pair."""
    out: dict[int, dict] = {}
    for path in sorted(folder.glob("labels-*.jsonl")):
        if path.name == "labels-second.jsonl":
            continue
        for row in read_jsonl(path):
            if row["pair"] in out:
                raise SystemExit(f"pair {row['pair']} labelled twice ({path.name})")
            out[row["pair"]] = row
    return out


def pair_articles(pairs: list[dict], data: Path) -> dict[tuple[str, str], ArticleInput]:
    """Both articles of every pair, by (URL, date as in pairs.jsonl)."""
    wanted = {(p[f"{s}_url"], p[f"{s}_date"]) for p in pairs for s in "ab"}
    when = {key: parse_datetime(key[1]) for key in wanted}
    by_url = defaultdict(list)
    for key in wanted:
        by_url[key[0]].append(key)
    found: dict[tuple[str, str], ArticleInput] = {}
    for article in saudinewsnet_articles(data):
        for key in by_url.get(article.url or "", ()):
            if article.published_at == when[key] and key not in found:
                found[key] = article
    missing = wanted - set(found)
    if missing:
        raise SystemExit(f"{len(missing)} labelled articles not in {data}, e.g. {sorted(missing)[:3]}")
    return found


# -- printing -------------------------------------------------------------------------


def fmt(value: float | None, digits: int = 3) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def table(header: list[str], rows: list[list[object]]) -> None:
    cells = [header, *[[str(c) for c in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    for k, row in enumerate(cells):
        print("| " + " | ".join(c.rjust(w) if k else c.ljust(w) for c, w in zip(row, widths)) + " |")
        if k == 0:
            print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    print()


def call_rows(items: list[tuple[str, str, bool, float | None]], *, what: str) -> list[list[object]]:
    """Rows (overall, then per stratum) of a yes/no call: items (stratum, label, called, P)."""
    rows = []
    for name in ("all", *STRATA):
        chosen = [x for x in items if name == "all" or x[0] == name]
        if not chosen:
            continue
        by_label = Counter(x[1] for x in chosen)
        scores = Q.pair_scores([x[1] == "same_event" for x in chosen], [x[2] for x in chosen])
        called = scores.true_positives + scores.false_positives  # "-" where a ratio counts nothing
        positives = scores.true_positives + scores.false_negatives

        def share(label: str) -> str:
            n = by_label[label]
            k = sum(x[2] for x in chosen if x[1] == label)
            return f"{k}/{n} = {k / n:.3f}" if n else "-"

        row: list[object] = [name, len(chosen), by_label["same_event"], by_label["same_topic"], by_label["unrelated"],
                             f"{scores.true_positives}/{scores.false_positives}/{scores.false_negatives}",
                             fmt(scores.precision if called else None), fmt(scores.recall if positives else None),
                             fmt(scores.f1 if called and positives else None), share("same_topic"), share("unrelated")]
        if what == "scorer":
            row.append(fmt(Q.auc([x[3] for x in chosen if x[1] == "same_event"], [x[3] for x in chosen if x[1] != "same_event"])))
        rows.append(row)
    return rows


CALL_HEADER = ["stratum", "pairs", "event", "topic", "unrel.", "TP/FP/FN", "precision", "recall", "F1"]


# -- the three reports ------------------------------------------------------------------


def score_pairs(pairs: list[dict], labels: dict[int, dict], args: argparse.Namespace) -> None:
    articles = pair_articles(pairs, args.data)
    with tempfile.TemporaryDirectory(prefix="eval-events-") as tmp:
        database_url = args.corpus_db or f"sqlite:///{tmp}/empty.db"
        settings = Settings(database_url=database_url, redis_url=None, models_dir=args.models_dir)
        threshold = settings.story_probability
        with Runtime.open(settings) as runtime:
            # Loads the model and the scorer; not timed.
            runtime.similarity(ArticleInput(text="تجربة أولى.", language="ar"), ArticleInput(text="تجربة ثانية.", language="ar"))
            print(f"model {runtime.desk.docs.model_id}, precision {_precision(settings)}, join threshold {threshold}\n")
            results = []
            for pair in pairs:
                a = articles[pair["a_url"], pair["a_date"]]
                b = articles[pair["b_url"], pair["b_date"]]
                started = time.perf_counter()
                same = runtime.similarity(a, b)
                seconds = time.perf_counter() - started
                results.append({"pair": pair["pair"], "stratum": pair["stratum"], "label": labels[pair["pair"]]["label"],
                                "probability": same.probability, "score": same.score, "basis": same.basis, "seconds": seconds})
    if args.scores_out:
        args.scores_out.write_text("".join(json.dumps(r) + "\n" for r in results), encoding="utf-8")
    items = [(r["stratum"], r["label"], r["probability"] >= threshold, r["probability"]) for r in results]
    print(f"## Pair scorer: P(same event) >= {threshold} called one event ({len(results)} pairs)\n")
    table([*CALL_HEADER, "topic called event", "unrelated called event", "AUC"], call_rows(items, what="scorer"))
    print("Mean P(same event) by label:", ", ".join(
        f"{label} {statistics.fmean(r['probability'] for r in results if r['label'] == label):.3f}"
        for label in LABELS if any(r["label"] == label for r in results)))
    print("Basis:", dict(Counter(r["basis"] for r in results)))
    times = np.array([r["seconds"] for r in results])
    print(f"Time per pair (similarity call): p50 {np.percentile(times, 50):.3f} s, p95 {np.percentile(times, 95):.3f} s, "
          f"mean {times.mean():.3f} s, max {times.max():.3f} s, total {times.sum():.0f} s\n")
    if args.examples:
        wrong = sorted((r for r in results if r["label"] == "same_topic" and r["probability"] >= threshold), key=lambda r: -r["probability"])
        print(f"### same_topic pairs called one event ({len(wrong)}; the {min(args.examples, len(wrong))} highest)\n")
        for r in wrong[: args.examples]:
            print(f"- pair {r['pair']} ({r['stratum']}), P {r['probability']:.3f}: {labels[r['pair']]['reason']}")
        missed = sorted((r for r in results if r["label"] == "same_event" and r["probability"] < threshold), key=lambda r: r["probability"])
        print(f"\n### same_event pairs not called one event ({len(missed)}; the {min(args.examples, len(missed))} lowest)\n")
        for r in missed[: args.examples]:
            print(f"- pair {r['pair']} ({r['stratum']}), P {r['probability']:.3f}: {labels[r['pair']]['reason']}")
        print()


def _precision(settings: Settings) -> str:
    from service.embed.encoder import resolve_precision

    return f"{settings.embedding_precision} ({resolve_precision(settings.embedding_precision)})"


def second_reader(folder: Path, labels: dict[int, dict]) -> None:
    second = read_jsonl(folder / "labels-second.jsonl")
    common = [row for row in second if row["pair"] in labels]
    if not common:
        print("## Second reader: no pairs in common with the first readers\n")
        return
    found = Q.label_agreement([labels[r["pair"]]["label"] for r in common], [r["label"] for r in common], labels=LABELS)
    print(f"## Second reader: {found.pairs} pairs\n")
    print(f"agreement {found.agreed:.3f} ({round(found.agreed * found.pairs)}/{found.pairs}), Cohen's kappa {fmt(found.kappa)}\n")
    table(["first \\ second", *found.labels, "total"], [[name, *row, sum(row)] for name, row in zip(found.labels, found.confusion)]
          + [["total", *(sum(col) for col in zip(*found.confusion)), found.pairs]])
    differ = [r for r in common if r["label"] != labels[r["pair"]]["label"]]
    for r in differ:
        print(f"- pair {r['pair']}: first {labels[r['pair']]['label']} ({labels[r['pair']]['reason']}); "
              f"second {r['label']} ({r['reason']})")
    print()


def clusters(pairs: list[dict], labels: dict[int, dict], args: argparse.Namespace) -> None:
    from service.storage.store import Store

    store = Store.open(args.stories_db, create=False)
    try:
        by_url: dict[str, int] = {}
        by_hash: dict[str, int] = {}
        for article in store.iter_articles():
            if article.url:
                by_url.setdefault(article.url, article.id)
            by_hash.setdefault(article.content_hash, article.id)
        groups = store.stories.groups()
        total = store.count()
    finally:
        store.close()
    story_of = {member: k for k, group in enumerate(groups) for member in group}
    ids: dict[str, int] = {}
    wanted = {p[f"{s}_url"] for p in pairs for s in "ab"}
    ids.update((url, by_url[url]) for url in wanted if url in by_url)
    unmatched = wanted - set(ids)
    by_text = 0
    if unmatched and args.data.exists():  # stored as a repeat of another article's text
        for key, article in pair_articles([p for p in pairs if {p["a_url"], p["b_url"]} & unmatched], args.data).items():
            found = by_hash.get(preview(article).content_hash) if key[0] in unmatched else None
            if found is not None:
                ids[key[0]], by_text = found, by_text + 1
    stored = [p for p in pairs if p["a_url"] in ids and p["b_url"] in ids]

    def together(p: dict) -> bool:
        a, b = story_of.get(ids[p["a_url"]]), story_of.get(ids[p["b_url"]])
        return a is not None and a == b

    print(f"## Clusters: {args.stories_db}\n")
    print(f"{total} articles stored, {len(story_of)} in {len(groups)} stories; labelled articles found "
          f"{len(ids)}/{len(wanted)} ({by_text} by text); pairs with both stored {len(stored)}/{len(pairs)}\n")
    items = [(p["stratum"], labels[p["pair"]]["label"], together(p), None) for p in stored]
    print("Pairwise, \"in one story\" against same_event:\n")
    table([*CALL_HEADER, "topic in one story", "unrelated in one story"], call_rows(items, what="clusters"))

    if args.examples:
        wrong = [p for p in stored if labels[p["pair"]]["label"] == "same_topic" and together(p)]
        print(f"same_topic pairs in one story ({len(wrong)}; the first {min(args.examples, len(wrong))} by pair):\n")
        for p in wrong[: args.examples]:
            print(f"- pair {p['pair']} ({p['stratum']}): {labels[p['pair']]['reason']}")
        missed = [p for p in stored if labels[p["pair"]]["label"] == "same_event" and not together(p)]
        print(f"\nsame_event pairs in two stories ({len(missed)}; the first {min(args.examples, len(missed))} by pair):\n")
        for p in missed[: args.examples]:
            print(f"- pair {p['pair']} ({p['stratum']}): {labels[p['pair']]['reason']}")
        print()

    sizes = sorted((len(g) for g in groups), reverse=True)
    print(f"Stories {len(groups)}: singletons {sizes.count(1)}, with 2+ articles {sum(s > 1 for s in sizes)} "
          f"(holding {sum(s for s in sizes if s > 1)} articles), median size {statistics.median(sizes) if sizes else 0}, "
          f"largest {sizes[:10]}\n")
    table(["size", "stories", "articles"], [list(row) for row in Q.size_histogram(sizes)])

    # B-cubed over the labelled articles (see the docstring for the gold classes and the caveat).
    items_ids = sorted({ids[p[f"{s}_url"]] for p in stored for s in "ab"})
    same = [(ids[p["a_url"]], ids[p["b_url"]]) for p in stored if labels[p["pair"]]["label"] == "same_event"]
    gold = Q.closure_classes(items_ids, same)
    predicted = {i: story_of[i] for i in items_ids if i in story_of}
    found = Q.bcubed({i: gold[i] for i in items_ids}, predicted)
    labelled = {frozenset((ids[p["a_url"]], ids[p["b_url"]])) for p in stored}
    by_story = defaultdict(list)
    for i, k in predicted.items():
        by_story[k].append(i)
    in_story = [frozenset((x, y)) for members in by_story.values() for n, x in enumerate(members) for y in members[n + 1:]]
    unread = [q for q in in_story if q not in labelled]
    unread_same_class = sum(len({gold[i] for i in q}) == 1 for q in unread)
    conflicts = [p for p in stored if labels[p["pair"]]["label"] != "same_event" and gold[ids[p["a_url"]]] == gold[ids[p["b_url"]]]]
    classes = Counter(gold[i] for i in items_ids)
    # Recall of the articles whose class holds another: a class of one has recall 1 whatever the stories.
    joined = {i: gold[i] for i in items_ids if classes[gold[i]] > 1}
    joined_recall = fmt(Q.bcubed(joined, predicted).recall) if joined else "-"
    print(f"B-cubed over {found.items} labelled articles ({len(classes)} gold classes, {sum(n > 1 for n in classes.values())} "
          f"with 2+ articles, largest {max(classes.values())}): precision {found.precision:.3f}, recall {found.recall:.3f}, "
          f"F1 {found.f1:.3f}; recall of the {len(joined)} articles in 2+ classes {joined_recall}")
    print(f"  in-story pairs of labelled articles: {len(in_story)}, of which unread {len(unread)} "
          f"({unread_same_class} joined by the closure, {len(unread) - unread_same_class} counted as errors unread); "
          f"labelled non-same_event pairs inside one gold class: {len(conflicts)}\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pairs-dir", type=Path, default=ROOT / "tests" / "data" / "event_pairs")
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "saudinewsnet",
                        help="the SaudiNewsNet day files (*.zip)")
    parser.add_argument("--models-dir", type=Path, default=ROOT / "models",
                        help="where the default model is built (default: this checkout's models/)")
    parser.add_argument("--no-scorer", action="store_true", help="skip the pair scorer (no model loaded)")
    parser.add_argument("--corpus-db", help="database URL of a store whose corpus (word counts: templates) the scorer "
                        "reads, as /similarity reads the service's; nothing is stored (default: an empty store)")
    parser.add_argument("--stories-db", help="database URL of an ingest of those days: the clusters report")
    parser.add_argument("--scores-out", type=Path, help="write each pair's P and time (JSON Lines)")
    parser.add_argument("--examples", type=int, default=8, help="errors shown with their labels' reasons")
    args = parser.parse_args()
    pairs = read_jsonl(args.pairs_dir / "pairs.jsonl")
    labels = first_labels(args.pairs_dir)
    unlabelled = [p["pair"] for p in pairs if p["pair"] not in labels]
    if unlabelled:
        print(f"{len(unlabelled)} pairs without a label are left out (e.g. {unlabelled[:5]})\n")
        pairs = [p for p in pairs if p["pair"] in labels]
    print(f"{len(pairs)} labelled pairs: " + ", ".join(f"{k} {v}" for k, v in Counter(labels[p['pair']]['label'] for p in pairs).most_common()) + "\n")
    second_reader(args.pairs_dir, labels)
    if not args.no_scorer:
        score_pairs(pairs, labels, args)
    if args.stories_db:
        clusters(pairs, labels, args)


if __name__ == "__main__":
    main()

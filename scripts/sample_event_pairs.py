"""Sample cross-outlet SaudiNewsNet article pairs in lexical-similarity strata, for labelling
as same_event / same_topic / unrelated (tests/data/event_pairs/README.md):

    python scripts/sample_event_pairs.py --data ../shared/data/saudinewsnet \
        --out tests/data/event_pairs/pairs.jsonl
    python scripts/sample_event_pairs.py --days 2015-08-01,2015-08-02,2015-08-03,2015-08-04,2015-08-06,2015-08-07 \
        --sizes high=80,middle=80,low=30,random=10 --seed 17 --out tests/data/event_pairs_heldout/pairs.jsonl

Articles: the day files given (``--days``; 2015-07-21..2015-07-27 by default), without empty content or repeated URLs.
Similarity: the cosine of the two articles' word profiles (``service.stories.words``:
normalised, function words out, Arabic prefixes cut, 1 + ln tf) of the title and the first
``--lead-chars`` characters of the content.

Candidates: cross-outlet pairs sharing at least one indexed word, found by an inverted
index over the words in at most ``--index-df`` (a share) of the articles; commoner words
would make nearly every pair a candidate. Strata, by quantiles of the candidates'
similarity: high >= q99, middle [q95, q99), low < q95; random: uniform cross-outlet pairs,
candidates or not. Each stratum is drawn uniformly (fixed seed) in that order, as many
pairs as ``--sizes`` says; a pair is
taken once, and an article in at most ``--max-per-article`` pairs. The output lists the
pairs in a shuffled order, so that any run of pair numbers mixes the strata.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import zipfile
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import numpy as np
from scipy import sparse

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from service.stories.words import WordProfile, word_overlap, word_profile  # noqa: E402

DAYS = tuple(f"2015-07-{day}" for day in range(21, 28))
STRATA = (("high", 160), ("middle", 160), ("low", 80), ("random", 40))
HIGH_QUANTILE, MIDDLE_QUANTILE = 99.0, 95.0  # percentiles of the candidates' similarity
BLOCK = 500  # rows of the pair product at a time


def read_days(folder: Path, days: tuple[str, ...] = DAYS) -> Iterator[dict]:
    """The records of the day files, in day and file order, without empty content or a repeated URL."""
    seen: set[str] = set()
    for day in days:
        path = folder / f"{day}.zip"
        if not path.exists():
            raise FileNotFoundError(f"no SaudiNewsNet day file {path}")
        with zipfile.ZipFile(path) as archive:
            for name in sorted(archive.namelist()):
                for record in json.loads(archive.read(name)):
                    if not (record.get("content") or "").strip() or record["url"] in seen:
                        continue
                    seen.add(record["url"])
                    yield record


def profile_matrix(profiles: list[WordProfile]) -> tuple[sparse.csr_matrix, np.ndarray]:
    """Rows: the profiles scaled to unit length (so a row product is word_overlap); and each word's document frequency."""
    vocabulary: dict[str, int] = {}
    rows, cols, values = [], [], []
    for i, profile in enumerate(profiles):
        for word, weight in profile.weights.items():
            rows.append(i)
            cols.append(vocabulary.setdefault(word, len(vocabulary)))
            values.append(weight / profile.norm)
    matrix = sparse.csr_matrix((values, (rows, cols)), shape=(len(profiles), len(vocabulary)), dtype=np.float64)
    return matrix, np.bincount(cols, minlength=len(vocabulary))


def candidate_pairs(matrix: sparse.csr_matrix, df: np.ndarray, outlet: np.ndarray, *, max_df: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(i, j, similarity) of the cross-outlet pairs i < j sharing a word of document frequency <= max_df."""
    indexed = (matrix[:, df <= max_df] > 0).astype(np.int32).tocsr()  # the inverted index is its transpose
    postings, transposed = indexed.T.tocsr(), matrix.T.tocsr()
    found_i, found_j, found_s = [], [], []
    for start in range(0, matrix.shape[0], BLOCK):
        shared = (indexed[start : start + BLOCK] @ postings).tocoo()
        i, j = shared.row + start, shared.col
        keep = (j > i) & (outlet[i] != outlet[j])
        i, j = i[keep], j[keep]
        similarity = (matrix[start : start + BLOCK] @ transposed).toarray()[i - start, j]
        found_i.append(i)
        found_j.append(j)
        found_s.append(similarity)
    return np.concatenate(found_i), np.concatenate(found_j), np.concatenate(found_s)


def draw(order: Iterator[tuple[int, int]], want: int, taken: set[tuple[int, int]], uses: Counter, *, max_per_article: int) -> list[tuple[int, int]]:
    """The first ``want`` pairs of ``order`` not taken yet whose articles are both under their limit."""
    chosen = []
    for i, j in order:
        key = (min(i, j), max(i, j))
        if key in taken or uses[i] >= max_per_article or uses[j] >= max_per_article:
            continue
        taken.add(key)
        uses[i] += 1
        uses[j] += 1
        chosen.append(key)
        if len(chosen) == want:
            break
    return chosen


def random_cross_outlet(rng: np.random.Generator, outlet: np.ndarray) -> Iterator[tuple[int, int]]:
    """Uniform unordered pairs of articles from different outlets (by rejection)."""
    while True:
        i, j = (int(x) for x in rng.integers(0, len(outlet), size=2))
        if outlet[i] != outlet[j]:
            yield i, j


def day_list(text: str) -> tuple[str, ...]:
    days = tuple(day.strip() for day in text.split(",") if day.strip())
    if not days or not all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", day) for day in days):
        raise argparse.ArgumentTypeError(f"days are YYYY-MM-DD separated by commas, got {text!r}")
    return days


def stratum_sizes(text: str) -> tuple[tuple[str, int], ...]:
    """"high=80,middle=80,low=30,random=10" -> pairs per stratum, drawn in the order STRATA names them."""
    sizes = dict(STRATA)
    for item in text.split(","):
        name, _, count = item.partition("=")
        if name.strip() not in sizes or not count.strip().isdigit():
            raise argparse.ArgumentTypeError(f"sizes are name=count with names {list(sizes)}, got {item!r}")
        sizes[name.strip()] = int(count)
    return tuple((name, sizes[name]) for name, _ in STRATA)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=Path("../shared/data/saudinewsnet"))
    parser.add_argument("--out", type=Path, default=Path("tests/data/event_pairs/pairs.jsonl"))
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--lead-chars", type=int, default=600, help="content characters profiled after the title")
    parser.add_argument("--index-df", type=float, default=0.01, help="words in at most this share of articles are indexed")
    parser.add_argument("--max-per-article", type=int, default=3)
    parser.add_argument("--days", type=day_list, default=DAYS, help="comma-separated day files (YYYY-MM-DD)")
    parser.add_argument("--sizes", type=stratum_sizes, default=STRATA, help="pairs per stratum: high=N,middle=N,low=N,random=N")
    args = parser.parse_args()

    records = list(read_days(args.data, args.days))
    profiles = [word_profile(r.get("title"), r["content"][: args.lead_chars]) for r in records]
    outlet = np.unique([r["source"] for r in records], return_inverse=True)[1]
    matrix, df = profile_matrix(profiles)
    max_df = int(args.index_df * len(records))
    cand_i, cand_j, cand_s = candidate_pairs(matrix, df, outlet, max_df=max_df)
    high, middle = np.percentile(cand_s, [HIGH_QUANTILE, MIDDLE_QUANTILE])
    n = len(records)
    cross = (n * n - int((np.bincount(outlet) ** 2).sum())) // 2
    in_stratum = {"high": cand_s >= high, "middle": (cand_s >= middle) & (cand_s < high), "low": cand_s < middle}
    print(f"{n} articles, {len(df)} words, {int((df <= max_df).sum())} indexed (df <= {max_df}); "
          f"{cross} cross-outlet pairs, {len(cand_s)} candidates")
    print(f"strata: high >= {high:.4f} (q{HIGH_QUANTILE:g}), middle [{middle:.4f}, {high:.4f}), low < {middle:.4f}")

    rng = np.random.default_rng(args.seed)
    taken: set[tuple[int, int]] = set()
    uses: Counter = Counter()
    sampled: list[tuple[int, int, str]] = []
    for stratum, want in args.sizes:
        if stratum == "random":
            order: Iterator[tuple[int, int]] = random_cross_outlet(rng, outlet)
        else:
            members = np.flatnonzero(in_stratum[stratum])
            print(f"  {stratum}: {len(members)} candidates")
            members = members[rng.permutation(len(members))]
            order = ((int(cand_i[k]), int(cand_j[k])) for k in members)
        chosen = draw(order, want, taken, uses, max_per_article=args.max_per_article)
        if len(chosen) < want:
            raise SystemExit(f"only {len(chosen)} {stratum} pairs under the limits, {want} wanted")
        sampled.extend((i, j, stratum) for i, j in chosen)

    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8") as out:
        for number, position in enumerate(rng.permutation(len(sampled))):
            i, j, stratum = sampled[position]
            a, b = records[i], records[j]
            out.write(json.dumps({
                "pair": number, "a_url": a["url"], "b_url": b["url"], "a_outlet": a["source"], "b_outlet": b["source"],
                "a_date": a["date_extracted"], "b_date": b["date_extracted"], "stratum": stratum,
                "similarity": round(word_overlap(profiles[i], profiles[j]), 4),
            }, ensure_ascii=False) + "\n")
    print(f"{len(sampled)} pairs -> {args.out}: " + ", ".join(f"{s} {w}" for s, w in args.sizes))


if __name__ == "__main__":
    main()

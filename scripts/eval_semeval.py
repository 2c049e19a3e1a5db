"""Pearson of the same-story score against gold ``Overall`` for SemEval-2022 Task 8 pairs.

    python scripts/eval_semeval.py ../shared/data/semeval2022-t8-dev/train_tr_tr_465.csv

Prints one CSV row per file (file, pairs, pearson, spearman); with ``--cluster`` it also
clusters all articles as one stream and reports agreement with gold and the time taken.
An article with neither title nor text gets the scorer's prior score. Vectors are cached
under var/cache (texts hashed), so a second run does not embed again.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import sys
from datetime import datetime
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CACHE_DIR = ROOT / "var" / "cache"


class CachingEncoder:
    """Wraps an Encoder; vectors are kept by sha1(kind, text) in an .npz file."""

    def __init__(self, encoder, *, path: Path) -> None:
        self.encoder = encoder
        self.model_id = encoder.model_id
        self.dim = encoder.dim
        self.path = path
        self.vectors: dict[str, np.ndarray] = {}
        if path.exists():
            data = np.load(path)
            self.vectors = dict(zip(data["keys"].tolist(), data["vectors"]))
        self.dirty = False

    @staticmethod
    def key(text: str, kind: str) -> str:
        return hashlib.sha1(f"{kind}\0{text}".encode()).hexdigest()

    def encode(self, texts: list[str], *, kind: str = "passage") -> np.ndarray:
        keys = [self.key(t, kind) for t in texts]
        missing = sorted({k: t for k, t in zip(keys, texts) if k not in self.vectors}.items())
        if missing:
            fresh = self.encoder.encode([t for _, t in missing], kind=kind)
            self.vectors.update({k: v for (k, _), v in zip(missing, fresh)})
            self.dirty = True
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([self.vectors[k] for k in keys]).astype(np.float32)

    def save(self) -> None:
        if not self.dirty:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        keys = sorted(self.vectors)
        tmp = self.path.with_suffix(".tmp.npz")
        np.savez(tmp, keys=np.array(keys), vectors=np.stack([self.vectors[k] for k in keys]))
        tmp.replace(self.path)
        self.dirty = False


def cached_encoder(models_dir: Path = ROOT / "models") -> CachingEncoder:
    """The model the service would load (STORYDIFF_EMBEDDING_MODEL, else the default), its
    vectors cached on disk by model id."""
    from service.config import Settings
    from service.embed import load_encoder

    encoder = load_encoder(Settings().embedding_model, models_dir=models_dir)
    name = encoder.model_id.replace("/", "+")
    return CachingEncoder(encoder, path=CACHE_DIR / f"vectors-{name}.npz")


DATA = ROOT.parent / "shared" / "data" / "semeval2022-t8-dev"
DEV_FILES = {"tr": DATA / "train_tr_tr_465.csv", "fr": DATA / "train_fr_fr_72.csv"}
SEEDS = ROOT / "seeds"
SAUDINEWSNET = ROOT.parent / "shared" / "data" / "saudinewsnet"


def arabic_background(encoder, *, per_day: int = 25, data_dir: Path = SAUDINEWSNET) -> list:
    """StoryDocs of a fixed sample of SaudiNewsNet articles (the first ``per_day`` of every day
    file with a title and 300+ characters): unrelated Arabic news, a background for Arabic."""
    import zipfile

    from service.stories.evidence import describe

    docs = []
    for path in sorted(data_dir.glob("*.zip")):
        with zipfile.ZipFile(path) as archive:
            articles = json.loads(archive.read(archive.namelist()[0]))
        chosen = [a for a in articles if a.get("title") and len(a.get("content") or "") >= 300][:per_day]
        docs += [describe(a["title"], a["content"], language="ar", published_at=None, encoder=encoder, doc_id=f"snn-{path.stem}-{i}") for i, a in enumerate(chosen)]
    return docs


def copied_share(a_text: str, b_text: str) -> float:
    """``service.reuse.shares.copied_share`` of the two texts' aligned passages."""
    from service.reuse.align import align
    from service.reuse.shares import copied_share as share_of

    if not a_text.strip() or not b_text.strip():
        return 0.0
    return share_of(align(a_text, b_text), len(a_text), len(b_text))


def describe_pairs(path: Path, encoder, *, include_empty: bool = False):
    """(pair, StoryDoc a, StoryDoc b) for every pair of a SemEval file (one StoryDoc per article).

    A pair with an article that has neither title nor text is left out, unless
    ``include_empty`` (then that article is a StoryDoc with no vectors and no names).
    """
    from service.eval.semeval import read_pairs
    from service.stories.evidence import describe

    docs: dict[tuple[str, str, str], object] = {}

    def doc(title: str, text: str, language: str):
        key = (title, text, language)
        if key not in docs:
            docs[key] = describe(title or None, text, language=language, published_at=None, encoder=encoder, doc_id=f"d{len(docs)}")
        return docs[key]

    out = []
    for pair in read_pairs(path):
        if not (pair.title1 + pair.text1).strip() or not (pair.title2 + pair.text2).strip():
            if include_empty:  # nothing to compare: an article without vectors or names
                out.append((pair, empty_doc(pair.title1, pair.text1, pair.language1), empty_doc(pair.title2, pair.text2, pair.language2)))
            continue
        out.append((pair, doc(pair.title1, pair.text1, pair.language1), doc(pair.title2, pair.text2, pair.language2)))
    return out


def empty_doc(title: str, text: str, language: str):
    from service.stories.evidence import StoryDoc

    return StoryDoc("", title or None, text, language, None, None, None)


def seed_docs(encoder, *, seeds_dir: Path = SEEDS):
    """The seed articles as StoryDocs: chrome removed, title and date from articles.jsonl."""
    from service.stories.evidence import describe
    from service.text.boilerplate import clean

    out = []
    for line in (seeds_dir / "articles.jsonl").read_text(encoding="utf-8").splitlines():
        meta = json.loads(line)
        raw = (seeds_dir / meta["file"]).read_text(encoding="utf-8")
        text = clean(raw, title=meta["title"]).text
        published = datetime.fromisoformat(meta["published"]) if meta.get("published") else None
        out.append(describe(meta["title"], text, language=meta["language"], published_at=published, encoder=encoder, doc_id=meta["id"]))
    return out


def evaluate(path: Path, scorer, encoder, *, with_copies: bool = True) -> tuple[int, float, float, np.ndarray, np.ndarray]:
    from scipy.stats import pearsonr, spearmanr

    from service.stories.evidence import pair_evidence

    scores, gold = [], []
    for pair, a, b in describe_pairs(path, encoder, include_empty=True):
        if not a.id or not b.id:  # an article with neither title nor text: nothing to compare
            scores.append(scorer.without_evidence().score)
            gold.append(pair.overall)
            continue
        share = copied_share(a.text, b.text) if with_copies else 0.0
        ev = pair_evidence(a, b, background_mean=scorer.background_mean, copied_share=share)
        scores.append(scorer.score(ev).score)
        gold.append(pair.overall)
    s, g = np.asarray(scores), np.asarray(gold, dtype=float)
    return len(s), float(pearsonr(s, g)[0]), float(spearmanr(s, g)[0]), s, g


def cluster_report(paths: list[Path], scorer, encoder) -> list[str]:
    """Cluster every article of the files as one stream (no dates: one window) and compare
    "same story" with gold: pairs at gold <= 2 that share a story, and vice versa; time."""
    import time
    from dataclasses import replace

    from service.stories.cluster import StoryClusters

    pairs = [(pair, a, b) for path in paths for pair, a, b in describe_pairs(path, encoder)]
    docs: dict[int, object] = {}
    for _, a, b in pairs:
        for doc in (a, b):
            docs.setdefault(id(doc), replace(doc, id=f"a{len(docs)}"))
    clusters = StoryClusters(scorer)
    start = time.perf_counter()
    for doc in docs.values():
        clusters.add(doc)
    seconds = time.perf_counter() - start
    gold = np.array([p.overall for p, _, _ in pairs])
    together = np.array([clusters.story_of(docs[id(a)].id) == clusters.story_of(docs[id(b)].id) for _, a, b in pairs])
    similar = gold <= 2.0
    return [
        f"articles,{len(docs)},seconds,{seconds:.2f},ms_per_article,{1000 * seconds / len(docs):.1f},stories,{len(clusters.stories())}",
        f"gold<=2 pairs,{similar.sum()},in one story,{together[similar].mean():.3f},"
        f"one-story pairs with gold<=2,{(similar & together).sum() / max(together.sum(), 1):.3f},"
        f"gold>=3 pairs in one story,{together[gold >= 3].mean():.3f}",
    ]


def main() -> None:
    from service.stories.score import StoryScorer

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("files", type=Path, nargs="*", default=list(DEV_FILES.values()))
    parser.add_argument("--scorer", type=Path, default=ROOT / "models" / "story_score.json")
    parser.add_argument("--no-copies", action="store_true", help="do not measure copied passages (copied share 0)")
    parser.add_argument("--cluster", action="store_true", help="also cluster all articles as one stream: agreement with gold, time")
    args = parser.parse_args()
    scorer = StoryScorer.load(args.scorer)
    encoder = cached_encoder()
    writer = csv.writer(sys.stdout)
    writer.writerow(["file", "pairs", "pearson", "spearman"])
    for path in args.files:
        n, pearson, spearman, _, _ = evaluate(path, scorer, encoder, with_copies=not args.no_copies)
        writer.writerow([path.name, n, f"{pearson:.4f}", f"{spearman:.4f}"])
    if args.cluster:
        for line in cluster_report(args.files, scorer, encoder):
            print(line)
    encoder.save()


if __name__ == "__main__":
    main()

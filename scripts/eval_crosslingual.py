"""Cross-lingual event pairs (tests/data/crosslingual): does `POST /similarity` call one
event reported in Arabic and in English or French one event, and keep other events apart?

    python scripts/eval_crosslingual.py --data tests/data/crosslingual

Each pair is scored as ``POST /similarity`` scores two unstored articles (the default
model, an empty temporary store). Printed per pair its label, P(same event) and basis, then
how many same_event pairs reach the join threshold (``Settings.story_probability``) and how
many other_event pairs stay under it.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from service.config import Settings  # noqa: E402
from service.domain import ArticleInput  # noqa: E402
from service.pipeline.runtime import Runtime  # noqa: E402


def article(side: dict) -> ArticleInput:
    return ArticleInput(text=side["text"], title=side["title"], language=side["language"],
                        published_at=datetime.fromisoformat(side["published_at"]))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=ROOT / "tests" / "data" / "crosslingual")
    parser.add_argument("--models-dir", type=Path, default=ROOT / "models")
    args = parser.parse_args(argv)
    pairs = [json.loads(x) for x in (args.data / "pairs.jsonl").read_text(encoding="utf-8").splitlines() if x.strip()]
    with tempfile.TemporaryDirectory(prefix="eval-crosslingual-") as tmp:
        settings = Settings(database_url=f"sqlite:///{tmp}/empty.db", redis_url=None, models_dir=args.models_dir)
        with Runtime.open(settings) as runtime:
            rows = [(p, runtime.similarity(article(p["a"]), article(p["b"]))) for p in pairs]
    threshold = settings.story_probability
    for pair, same in rows:
        print(f"{pair['id']:>3} {pair['label']:<11} {pair['a']['language']}-{pair['b']['language']}  P {same.probability:.3f}  {same.basis}")
    events = [s for p, s in rows if p["label"] == "same_event"]
    others = [s for p, s in rows if p["label"] == "other_event"]
    print(f"\nsame_event called one event: {sum(s.probability >= threshold for s in events)}/{len(events)}; "
          f"other_event kept apart: {sum(s.probability < threshold for s in others)}/{len(others)}")


if __name__ == "__main__":
    main()

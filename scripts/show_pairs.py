"""Print labelled-pair candidates for reading: both titles, outlets, dates and the start of
each content, read from the SaudiNewsNet day files by URL:

    python scripts/show_pairs.py --from 0 --to 19
    python scripts/show_pairs.py --from 7 --to 7 --chars 4000   # more of one pair

``--to`` is inclusive. The stratum and similarity are left out unless ``--strata``, so that
reading is not steered by them.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from sample_event_pairs import DAYS, day_list, read_days  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=Path("../shared/data/saudinewsnet"))
    parser.add_argument("--pairs", type=Path, default=Path("tests/data/event_pairs/pairs.jsonl"))
    parser.add_argument("--from", dest="first", type=int, default=0)
    parser.add_argument("--to", dest="last", type=int, help="last pair shown (inclusive; default: --from + 9)")
    parser.add_argument("--chars", type=int, default=800, help="content characters shown per article")
    parser.add_argument("--strata", action="store_true", help="also show each pair's stratum and similarity")
    parser.add_argument("--days", type=day_list, default=DAYS, help="the day files the pairs were drawn from")
    args = parser.parse_args()
    last = args.first + 9 if args.last is None else args.last
    pairs = [p for p in map(json.loads, args.pairs.read_text(encoding="utf-8").splitlines()) if args.first <= p["pair"] <= last]
    wanted = {p[key] for p in pairs for key in ("a_url", "b_url")}
    articles = {r["url"]: r for r in read_days(args.data, args.days) if r["url"] in wanted}
    for pair in pairs:
        extra = f"  [{pair['stratum']} {pair['similarity']}]" if args.strata else ""
        print(f"=== pair {pair['pair']}{extra}")
        for side in ("a", "b"):
            record = articles[pair[f"{side}_url"]]
            content = " ".join(record["content"].split())
            more = f" ... (+{len(content) - args.chars} chars)" if len(content) > args.chars else ""
            print(f"--- {side}: {record['source']} {record['date_extracted']}  {record['url']}")
            print(f"TITLE: {(record.get('title') or '').strip()}")
            print(content[: args.chars] + more)
        print()


if __name__ == "__main__":
    main()

"""Replay the story rule over a database's stored articles, in memory, and print how well
the stories hold together (``service.eval.story_quality``), for the service's rule and for
variants of its two knobs, in one run:

    STORYDIFF_DATABASE_URL=sqlite:///var/snn.db python scripts/replay_stories.py \
        --limit 6470 --rules 0.2:none,0.2:0.95,0:none,0:0.5

Each rule is ``link_share:merge_support[:max_age_days]`` (``StoryClusters``' knobs): 0 as
link share is "two members agree"; "none" as merge support never merges (the service's
default), 0.5 merges on the join threshold; a max age (days, experimental: replay only)
keeps a story whose first article is older from taking new articles other than copies of
its members. ``--order ingest`` replays in the order the articles
were stored (id order), as online clustering met them, instead of publication order;
``--against-stored`` adds how far each replay agrees with the stories stored in the
database (``service.eval.story_quality.agreement``): the online stories of an ingest, given
``--order ingest``, should come out identical. Nothing is
written, but an article without a stored story doc is embedded and its doc stored: run it
on a copy (``sqlite3 var/snn.db ".backup /tmp/snn-copy.db"``) beside a running ingest.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import asdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from service.config import get_settings  # noqa: E402
from service.eval.story_quality import agreement, story_quality  # noqa: E402
from service.pipeline.stories import TEMPLATE, StoryDesk  # noqa: E402
from service.storage.store import Store  # noqa: E402
from service.stories.cluster import LINK_SHARE  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--limit", type=int, help="the first N articles by publication time (default: all)")
    parser.add_argument("--rules", default=f"{LINK_SHARE}:none", help="comma-separated link_share:merge_support[:max_age_days] (merge_support a number or none)")
    parser.add_argument("--pairs", type=int, default=3000, help="random in-story pairs scored per rule")
    parser.add_argument("--order", choices=("publication", "ingest"), default="publication",
                        help="publication time (recluster's order) or id order (the ingest's)")
    parser.add_argument("--against-stored", action="store_true", help="also compare with the stored stories")
    args = parser.parse_args()
    settings = get_settings()
    store = Store.open(settings.database_url, create=False)
    try:
        desk = StoryDesk(settings, store)
        docs, shares = desk.docs.all_docs(), store.link_shares(skip=(TEMPLATE,))  # read once for every rule
        templates = store.linked_pairs(TEMPLATE) - set(shares)
        by_id = {doc.id: doc for doc in docs.values()}
        stored = store.stories.groups() if args.against_stored else None
        for rule in args.rules.split(","):
            link, merge_text, *age_text = rule.split(":")
            share, merge = float(link), None if merge_text == "none" else float(merge_text)
            age = float(age_text[0]) if age_text else None
            started = time.perf_counter()
            clusters, _ = desk.cluster_all(
                limit=args.limit, docs=docs, shares=shares, templates=templates, order=args.order, link_share=share, merge_support=merge,
                max_age_days=age,
            )
            seconds = time.perf_counter() - started
            quality = story_quality(clusters.stories(), by_id, shares, clusters.probability, pairs=args.pairs)
            row = {"link_share": share, "merge_support": merge, "max_age_days": age, "order": args.order, "cluster_seconds": round(seconds, 1), **asdict(quality)}
            if stored is not None:
                row["against_stored"] = asdict(agreement(clusters.stories(), stored))
            print(json.dumps(row), flush=True)
    finally:
        store.close()


if __name__ == "__main__":
    main()

"""Story clusters of a database: counts, size distribution, and a sample to check by hand.

    STORYDIFF_DATABASE_URL=sqlite:///var/snn.db python scripts/story_report.py --sample 20 --seed 1

The sample is drawn at random (seeded) among stories with articles from 2+ outlets; each
is printed with its articles (date, outlet, title) so a reader can judge its purity.
``--closed-before DATE`` samples only stories whose last article is older than DATE: while
an ingest still runs, stories more than a story window behind it no longer change.
It reads the database only (no index, no model), so it can run beside an ingest.
"""

from __future__ import annotations

import argparse
import json
import random

from service.config import get_settings
from service.intake.fields import parse_date_bound
from service.storage.store import Store


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sample", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--closed-before", help="sample only stories whose last article is older (ISO date)")
    args = parser.parse_args()
    closed_before = parse_date_bound(args.closed_before, field="closed_before") if args.closed_before else None
    store = Store.open(get_settings().database_url, create=False)
    try:
        sizes = store.stories.sizes()
        multi = []
        page_size, offset = 500, 0
        while True:
            page = store.stories.list(min_articles=2, offset=offset, limit=page_size)
            multi += [s for s in page.items if len(s.outlets) >= 2]
            offset += page_size
            if offset >= page.total:
                break
        closed = [s for s in multi if closed_before is None or (s.last_seen is not None and s.last_seen < closed_before)]
        print(json.dumps({
            "articles": store.count(),
            "stories": sum(sizes.values()),
            "singletons": sizes.get(1, 0),
            "multi_outlet_stories": len(multi),
            "sampled_from": len(closed),
            "sizes": sizes,
        }))
        for story in random.Random(args.seed).sample(closed, min(args.sample, len(closed))):
            detail = store.stories.get(story.id)
            print(f"\n## story {story.id} ({story.article_count} articles, {len(story.outlets)} outlets)")
            for a in detail.articles:
                date = a.published_at.date().isoformat() if a.published_at else "—"
                print(f"  {a.id:>6} {date} {a.outlet or '—':<14} {(a.title or a.clean_text[:80]).strip()[:110]}")
    finally:
        store.close()


if __name__ == "__main__":
    main()

"""Story clusters of a database: counts, size distribution, and a sample to check by hand.

    STORYDIFF_DATABASE_URL=sqlite:///var/snn.db python scripts/story_report.py --sample 20 --seed 1

The sample is drawn at random (seeded) among stories with articles from 2+ outlets; each
is printed with its articles (date, outlet, title) so a reader can judge its purity.
"""

from __future__ import annotations

import argparse
import json
import random

from service.config import get_settings
from service.runtime import Runtime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sample", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    with Runtime.open(get_settings()) as runtime:
        sizes = runtime.store.stories.sizes()
        multi = []
        page_size, offset = 500, 0
        while True:
            page = runtime.stories(min_articles=2, offset=offset, limit=page_size)
            multi += [s for s in page.items if len(s.outlets) >= 2]
            offset += page_size
            if offset >= page.total:
                break
        print(json.dumps({
            "articles": runtime.store.count(),
            "stories": sum(sizes.values()),
            "singletons": sizes.get(1, 0),
            "multi_outlet_stories": len(multi),
            "sizes": sizes,
        }))
        for story in random.Random(args.seed).sample(multi, min(args.sample, len(multi))):
            detail = runtime.story(story.id)
            print(f"\n## story {story.id} ({story.article_count} articles, {len(story.outlets)} outlets)")
            for a in detail.articles:
                date = a.published_at.date().isoformat() if a.published_at else "—"
                print(f"  {a.id:>6} {date} {a.outlet or '—':<14} {(a.title or a.clean_text[:80]).strip()[:110]}")


if __name__ == "__main__":
    main()

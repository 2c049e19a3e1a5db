"""Direction on an agency's own articles: of the stored links between the agency and
another outlet, how many name the agency as the copier, by the evidence that decided.

    python scripts/eval_direction.py --db sqlite:///var/snn.db            # SPA: outlet "was"

An agency writes first and newspapers take its text, so a link whose copier (target) is
the agency is almost always the wrong way round. The counts are by relation (``copy``,
``shared_source``, ``template``) and by ``direction_basis`` (dateline, credit, agency, time,
id) and ``direction`` (``uncertain``: the evidence conflicts or is too close in time).
The store is only read.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent))

from sample_flag_links import open_store  # noqa: E402

LINKS = sa.text(
    "SELECT l.relation, l.direction, l.direction_basis, t.outlet = :agency AS agency_copies"
    " FROM copy_links l JOIN articles t ON t.id = l.target_id JOIN articles s ON s.id = l.source_id"
    " WHERE (t.outlet = :agency) <> (s.outlet = :agency) AND t.outlet IS NOT NULL AND s.outlet IS NOT NULL"
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", required=True, help="database URL of the store")
    parser.add_argument("--agency", default="was", help="the agency's outlet name as stored (SaudiNewsNet: was)")
    args = parser.parse_args()
    with open_store(args.db).connect() as conn:
        rows = conn.execute(LINKS, {"agency": args.agency}).all()
    copier = [r for r in rows if r.agency_copies]
    print(f"links between {args.agency!r} and another outlet: {len(rows)}; the agency as the copier: {len(copier)}")
    print("by relation:", dict(Counter(r.relation for r in rows).most_common()))
    print("by basis (all):", dict(Counter(r.direction_basis for r in rows).most_common()))
    print("by direction (all):", dict(Counter(r.direction for r in rows).most_common()))
    print("the agency as the copier, by basis:", dict(Counter(r.direction_basis for r in copier).most_common()))


if __name__ == "__main__":
    main()

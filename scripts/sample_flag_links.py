"""Sample cross-outlet copy links from a storydiff store, for labelling by reading as
copy / shared_source / template / not_copy (tests/data/flag_links/README.md):

    python scripts/sample_flag_links.py --db sqlite:///var/snn7-before.db \
        --out tests/data/flag_links/links.jsonl --n 240 --seed 15
    python scripts/sample_flag_links.py --db sqlite:///var/snn0810.db --relations copy,shared_source,template \
        --out tests/data/flag_links_heldout/links.jsonl --n 200 --seed 19

Links: the store's ``copy_links`` rows with a relation of ``--relations`` (``copy`` by
default; ``copy``, ``shared_source`` and ``template`` are always between outlets), ordered by
(target id, source id); ``--n`` of them drawn uniformly without replacement (numpy
``default_rng(seed).choice``), numbered in the drawn order. Each output line names the two
articles by URL (ids differ between stores; the text stays out of the file) and carries
what the system said of the link: share, label, credit and the number of spans.

The store is only read (SQLite is opened read-only).
"""

from __future__ import annotations

import argparse
import json
import sqlite3
from datetime import datetime
from pathlib import Path

import numpy as np
import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url


def open_store(url: str) -> Engine:
    """An engine on the store at ``url``; a SQLite file is opened read-only (mode=ro)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return sa.create_engine(url)
    if not parsed.database or parsed.database == ":memory:":
        raise SystemExit(f"not a SQLite file: {url}")
    path = Path(parsed.database).resolve()
    if not path.exists():
        raise SystemExit(f"no such store: {path}")
    return sa.create_engine("sqlite://", creator=lambda: sqlite3.connect(f"file:{path}?mode=ro", uri=True))


def iso(value: object) -> str | None:
    """A stored time as ISO 8601 (SQLite returns text, PostgreSQL datetimes)."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.isoformat()
    return datetime.fromisoformat(str(value)).isoformat()


LINKS = sa.text(
    "SELECT l.target_id, l.source_id, l.share, l.label, l.credited, l.credit, l.spans,"
    " t.url AS target_url, s.url AS source_url, t.outlet AS target_outlet, s.outlet AS source_outlet,"
    " t.published_at AS target_published, s.published_at AS source_published"
    " FROM copy_links l JOIN articles t ON t.id = l.target_id JOIN articles s ON s.id = l.source_id"
    " WHERE l.relation IN :relations ORDER BY l.target_id, l.source_id"
).bindparams(sa.bindparam("relations", expanding=True))
CROSS_OUTLET = ("copy", "shared_source", "template")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", required=True, help="the store's database URL, e.g. sqlite:///var/snn7-before.db")
    parser.add_argument("--out", type=Path, default=Path("tests/data/flag_links/links.jsonl"))
    parser.add_argument("--n", type=int, default=240)
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--relations", default="copy", help=f"comma-separated, of {', '.join(CROSS_OUTLET)}")
    args = parser.parse_args()
    relations = [r.strip() for r in args.relations.split(",") if r.strip()]
    if not relations or set(relations) - set(CROSS_OUTLET):
        raise SystemExit(f"--relations takes {', '.join(CROSS_OUTLET)}, got {args.relations!r}")

    with open_store(args.db).connect() as connection:
        rows = connection.execute(LINKS, {"relations": relations}).mappings().all()
    if len(rows) < args.n:
        raise SystemExit(f"only {len(rows)} links of {relations}, {args.n} wanted")
    drawn = np.random.default_rng(args.seed).choice(len(rows), size=args.n, replace=False)

    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8") as out:
        for number, position in enumerate(drawn):
            row = rows[int(position)]
            spans = row["spans"] if isinstance(row["spans"], list) else json.loads(row["spans"])
            out.write(json.dumps({
                "link": number, "target_url": row["target_url"], "source_url": row["source_url"],
                "target_outlet": row["target_outlet"], "source_outlet": row["source_outlet"],
                "target_published": iso(row["target_published"]), "source_published": iso(row["source_published"]),
                "share": round(float(row["share"]), 4), "label": row["label"], "credited": bool(row["credited"]),
                "credit": row["credit"], "spans": len(spans),
            }, ensure_ascii=False) + "\n")
    print(f"{len(rows)} links of {relations}; {args.n} drawn (seed {args.seed}) -> {args.out}")


if __name__ == "__main__":
    main()

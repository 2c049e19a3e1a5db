"""Measure a store's copy flags against the labelled links (tests/data/flag_links):

    python scripts/eval_flags.py --db sqlite:///var/snn7-before.db --labels tests/data/flag_links

Each labelled link (``links.jsonl``, labels from ``labels-?.jsonl``) is matched to the store's
link between the same two articles by URL, in either direction; a link the store does not
hold, or whose article it does not hold, is "not flagged" (``none``). Printed: the precision
of the store's ``copy`` flags among the labelled links (strict: labelled copy; lenient: copy
or shared_source), per label the relation the store holds now (whatever relations it has),
the share of ``template`` links stored as template or not flagged, the direction on the
labelled ``copy`` links with a known direction, the second reader's agreement with the first
readers (``second-reader.jsonl``: share, Cohen's kappa, confusion matrix, direction on the
links both call copy), and over the whole store the cross-outlet ``copy`` links and how many
join articles 7 or more days apart. The measures are ``service.eval.reuse_quality``'s and
``service.eval.story_quality.label_agreement``. The store is only read.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent))

from sample_flag_links import iso, open_store  # noqa: E402

from service.eval.reuse_quality import (  # noqa: E402
    LABELS,
    NOT_FLAGGED,
    direction_correct,
    far_apart,
    find_links,
    flag_precision,
    relation_table,
    reuse_kept,
    templates_recognised,
)
from service.eval.story_quality import label_agreement  # noqa: E402

ARTICLES = sa.text("SELECT id, url FROM articles WHERE url IN :urls").bindparams(sa.bindparam("urls", expanding=True))
AMONG = sa.text(
    "SELECT target_id, source_id, relation FROM copy_links WHERE target_id IN :ids AND source_id IN :ids"
).bindparams(sa.bindparam("ids", expanding=True))
RELATIONS = sa.text("SELECT relation, COUNT(*) FROM copy_links GROUP BY relation ORDER BY relation")
COPIES = sa.text(
    "SELECT t.outlet, s.outlet, t.published_at, s.published_at FROM copy_links l"
    " JOIN articles t ON t.id = l.target_id JOIN articles s ON s.id = l.source_id"
    " WHERE l.relation IN ('copy', 'shared_source')"
)
FAR_DAYS = 7


def lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def when(value: object) -> datetime | None:
    text = iso(value)
    return None if text is None else datetime.fromisoformat(text)


def pct(hits: int, n: int) -> str:
    return f"{hits}/{n} = {100 * hits / n:.1f}%" if n else f"{hits}/0 (none)"


def table(rows: list[list[str]]) -> None:
    widths = [max(len(row[k]) for row in rows) for k in range(len(rows[0]))]
    for number, row in enumerate(rows):
        print("| " + " | ".join(c.ljust(w) if not k else c.rjust(w) for k, (c, w) in enumerate(zip(row, widths))) + " |")
        if number == 0:
            print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    print()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", required=True, help="the store's database URL, e.g. sqlite:///var/snn7-before.db")
    parser.add_argument("--labels", type=Path, default=Path("tests/data/flag_links"))
    args = parser.parse_args(argv)

    links = {x["link"]: x for x in lines(args.labels / "links.jsonl")}
    first = {x["link"]: x for path in sorted(args.labels.glob("labels-?.jsonl")) for x in lines(path)}
    second_path = args.labels / "second-reader.jsonl"
    second = {x["link"]: x for x in lines(second_path)} if second_path.exists() else {}
    unknown = sorted((set(first) | set(second)) - set(links))
    if unknown:
        raise SystemExit(f"labels of links not in links.jsonl: {unknown[:10]}")
    numbers = sorted(first)
    urls = sorted({links[n][key] for n in numbers for key in ("target_url", "source_url")})

    with open_store(args.db).connect() as connection:
        url_of = {row.id: row.url for row in connection.execute(ARTICLES, {"urls": urls})}
        stored = {(url_of[t], url_of[s]): relation
                  for t, s, relation in connection.execute(AMONG, {"ids": sorted(url_of)})} if url_of else {}
        relations_held = {relation: count for relation, count in connection.execute(RELATIONS)}
        copies = [(t_out, s_out, when(t_at), when(s_at)) for t_out, s_out, t_at, s_at in connection.execute(COPIES)]

    found = find_links([(links[n]["target_url"], links[n]["source_url"]) for n in numbers], stored)
    labels = [first[n]["label"] for n in numbers]
    relations = [f.relation for f in found]
    print(f"Store {args.db}: links held {', '.join(f'{r} {c:,}' for r, c in relations_held.items()) or 'none'}")
    print(f"{len(numbers)} labelled links ({', '.join(f'{k} {v}' for k, v in Counter(labels).most_common())}); "
          f"{len(urls) - len(url_of)} of their {len(urls)} articles not in the store\n")

    for flags in (("copy",), ("copy", "shared_source")):
        precision = flag_precision(labels, relations, flags=flags)
        named = " or ".join(f"`{f}`" for f in flags)
        print(f"## Precision of the {named} flags ({precision.flagged} labelled links held so)\n")
        print(f"- strict (labelled copy): {pct(precision.strict, precision.flagged)}")
        print(f"- lenient (copy or shared_source): {pct(precision.lenient, precision.flagged)}\n")
    kept = reuse_kept(labels, relations)
    print(f"Reuse kept (labelled copy or shared_source, held as copy or shared_source): {pct(kept.hits, kept.n)}\n")

    print("## Per label, the relation the store holds now (none: not flagged)\n")
    by_label = relation_table(labels, relations)
    columns = ["copy", "same_outlet", "template", "shared_source"]
    columns += sorted({r for r in relations if r not in columns and r != NOT_FLAGGED}) + [NOT_FLAGGED]
    table([["label", "n", *columns]] + [[label, str(sum(c.values())), *(str(c[r]) for r in columns)]
                                        for label, c in by_label.items()])

    templates = templates_recognised(labels, relations)
    print(f"Templates recognised (`template` links stored as template or not flagged): {pct(templates.hits, templates.n)}")
    direction = direction_correct(labels, [first[n].get("direction") for n in numbers], found)
    copies_known = sum(1 for n in numbers if first[n]["label"] == "copy" and first[n].get("direction") in {"as_flagged", "reversed"})
    print(f"Direction correct (labelled copy, known direction, flagged copy or shared_source; {copies_known} with a known direction): "
          f"{pct(direction.hits, direction.n)}\n")

    both = [n for n in sorted(second) if n in first]
    if both:
        agreement = label_agreement([first[n]["label"] for n in both], [second[n]["label"] for n in both], labels=LABELS)
        print(f"## Second reader: {agreement.pairs} links\n")
        kappa = "undefined" if agreement.kappa is None else f"{agreement.kappa:.3f}"
        print(f"same label {pct(round(agreement.agreed * agreement.pairs), agreement.pairs)}, Cohen's kappa {kappa}\n")
        table([["first \\ second", *agreement.labels]]
              + [[a, *map(str, row)] for a, row in zip(agreement.labels, agreement.confusion)])
        for n in both:
            if first[n]["label"] != second[n]["label"]:
                print(f"- link {n}: first {first[n]['label']}, second {second[n]['label']}")
        print()
        copied = [n for n in both if first[n]["label"] == second[n]["label"] == "copy"]
        same = sum(first[n]["direction"] == second[n]["direction"] for n in copied)
        print(f"Direction on the links both call copy: the same {pct(same, len(copied))}"
              + (f" (links {', '.join(map(str, copied))})" if copied else "") + "\n")

    cross = [(t_at, s_at) for t_out, s_out, t_at, s_at in copies if t_out != s_out]
    print("## Whole store\n")
    print(f"Cross-outlet `copy` and `shared_source` links: {len(cross):,}; joining articles {FAR_DAYS} or more days apart: "
          f"{far_apart(cross, days=FAR_DAYS):,}")


if __name__ == "__main__":
    main()

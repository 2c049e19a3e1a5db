"""Print sampled copy links for reading: per link both titles, outlets, times, the system's
share, label and credit, the copied passages as the system found them (each span's text from
both original texts), each article's byline (SaudiNewsNet's ``author`` field, which the
service does not store and which often carries the agency credit: "واس", "أ ف ب", "رويترز")
looked up by URL in the day files under ``--data``, and the start of each article, read from
the store by URL:

    python scripts/show_links.py --db sqlite:///var/snn7-before.db --from 0 --to 9
    python scripts/show_links.py --db sqlite:///var/snn7-before.db --from 7 --to 7 --chars 0   # whole texts

``--to`` is inclusive. A span longer than ``--span-chars`` is shown as its start and end
around "[...]". The store is only read.
"""

from __future__ import annotations

import argparse
import json
import sys
import zipfile
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent))

from sample_flag_links import open_store  # noqa: E402

ARTICLES = sa.text("SELECT id, url, outlet, title, text, published_at FROM articles WHERE url IN :urls").bindparams(
    sa.bindparam("urls", expanding=True)
)
LINK = sa.text("SELECT spans FROM copy_links WHERE target_id = :target AND source_id = :source")


def bylines(folder: Path, urls: set[str]) -> dict[str, str]:
    """The ``author`` field of each of ``urls`` in SaudiNewsNet's day files (``*.zip``) under ``folder``."""
    zips = sorted(folder.glob("*.zip"))
    if not zips:
        raise SystemExit(f"no SaudiNewsNet day files (*.zip) in {folder} (--data)")
    found: dict[str, str] = {}
    for path in zips:
        with zipfile.ZipFile(path) as archive:
            for name in archive.namelist():
                for record in json.loads(archive.read(name)):
                    if record.get("url") in urls:
                        found.setdefault(record["url"], flat(record.get("author") or ""))
    return found


def flat(text: str) -> str:
    return " ".join(text.split())


def clip(text: str, limit: int) -> str:
    """``text`` on one line, at most about ``limit`` characters (start and end kept); 0: no limit."""
    text = flat(text)
    if limit <= 0 or len(text) <= limit:
        return text
    half = limit // 2
    return f"{text[:half]} [... {len(text) - 2 * half} chars ...] {text[-half:]}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", required=True, help="the store's database URL, e.g. sqlite:///var/snn7-before.db")
    parser.add_argument("--links", type=Path, default=Path("tests/data/flag_links/links.jsonl"))
    parser.add_argument("--from", dest="first", type=int, default=0)
    parser.add_argument("--to", dest="last", type=int, help="last link shown (inclusive; default: --from + 9)")
    parser.add_argument("--data", type=Path, default=Path("../shared/data/saudinewsnet"),
                        help="SaudiNewsNet's day files (*.zip), read for each article's byline")
    parser.add_argument("--chars", type=int, default=600, help="characters shown of each article's start (0: all)")
    parser.add_argument("--span-chars", type=int, default=400, help="characters shown of each span (0: all)")
    args = parser.parse_args()
    last = args.first + 9 if args.last is None else args.last
    links = [x for x in map(json.loads, args.links.read_text(encoding="utf-8").splitlines()) if args.first <= x["link"] <= last]
    urls = sorted({x[key] for x in links for key in ("target_url", "source_url")})
    authors = bylines(args.data, set(urls))
    with open_store(args.db).connect() as connection:
        articles = {row["url"]: row for row in connection.execute(ARTICLES, {"urls": urls}).mappings()}
        for link in links:
            target, source = articles.get(link["target_url"]), articles.get(link["source_url"])
            print(f"=== link {link['link']}  share {link['share']}  {link['label']}  "
                  f"credit: {link['credit'] if link['credited'] else '-'}  spans {link['spans']}")
            if target is None or source is None:
                print("(article not in this store)\n")
                continue
            row = connection.execute(LINK, {"target": target["id"], "source": source["id"]}).first()
            spans = [] if row is None else (row[0] if isinstance(row[0], list) else json.loads(row[0]))
            for side, article in (("target (copier)", target), ("source (earlier)", source)):
                print(f"--- {side}: {article['outlet']} {article['published_at']}  {article['url']}")
                print(f"TITLE: {flat(article['title'] or '')}")
                byline = authors.get(article["url"])
                print(f"BYLINE: {'(not in --data)' if byline is None else byline or '(none)'}")
            if row is None:
                print("(no copy link between them in this store)")
            for number, (t_start, t_end, s_start, s_end, kind, similarity) in enumerate(spans):
                print(f"  span {number}: {kind} {similarity}  target [{t_start}:{t_end}]  source [{s_start}:{s_end}]")
                print(f"    T: {clip(target['text'][t_start:t_end], args.span_chars)}")
                copied = source["text"][s_start:s_end]
                same = flat(copied) == flat(target["text"][t_start:t_end])
                print(f"    S: {'(the same text)' if same else clip(copied, args.span_chars)}")
            for side, article in (("target", target), ("source", source)):
                text = flat(article["text"])
                more = f" ... (+{len(text) - args.chars} chars)" if 0 < args.chars < len(text) else ""
                print(f"--- {side} text ({len(text)} chars): {text[: args.chars] if args.chars > 0 else text}{more}")
            print()


if __name__ == "__main__":
    main()

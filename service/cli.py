"""The ``storydiff`` command: a thin shell over the service (``main(argv)`` is testable)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from service.config import Settings, get_settings
from service.errors import StorydiffError
from service.ingest import parse_date_bound
from service.runtime import Runtime
from service.sources import article_record, count_items, read_article_files, read_seeds


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="storydiff", description="Wire copy, story clusters and article comparison.")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="serve the API and pages")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)

    ingest = commands.add_parser("ingest", help="store articles from .txt .json .jsonl .html files")
    ingest.add_argument("files", nargs="+", type=Path)
    ingest.add_argument("--outlet")
    ingest.add_argument("--published", help="ISO 8601 publication date")
    ingest.add_argument("--url")
    ingest.add_argument("--quiet", action="store_true", help="no progress bar")

    commands.add_parser("migrate", help="create or upgrade the database schema")

    seed = commands.add_parser("seed", help="store the bundled seed articles")
    seed.add_argument("--dir", type=Path, default=Path("seeds"))

    articles = commands.add_parser("articles", help="list stored articles")
    articles.add_argument("--outlet")
    articles.add_argument("--since")
    articles.add_argument("--until")
    articles.add_argument("--offset", type=int, default=0)
    articles.add_argument("--limit", type=int, default=50)
    articles.add_argument("--json", action="store_true", help="JSON with the full texts")
    return parser


def main(argv: Sequence[str] | None = None, *, settings: Settings | None = None) -> int:
    args = _parser().parse_args(argv)
    settings = settings or get_settings()
    try:
        if args.command == "serve":
            return _serve(args, settings)
        with Runtime.open(settings) as runtime:
            return _COMMANDS[args.command](args, runtime)
    except StorydiffError as exc:
        print(f"storydiff: error [{exc.code}]: {exc.message}", file=sys.stderr)
        return 2


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from service.api.app import create_app

    uvicorn.run(create_app(settings), host=args.host, port=args.port)
    return 0


def _ingest(args: argparse.Namespace, runtime: Runtime) -> int:
    from tqdm import tqdm

    created = existing = failed = 0
    items = read_article_files(args.files, outlet=args.outlet, published=args.published, url=args.url)
    with tqdm(items, total=count_items(args.files), unit="article", disable=args.quiet or None) as bar:
        try:
            for item in bar:
                if item.error is not None:
                    failed += 1
                    tqdm.write(f"{item.where}: [{item.error.code}] {item.error.message}", file=sys.stderr)
                    continue
                assert item.article is not None
                try:
                    result = runtime.ingest(item.article)
                except StorydiffError as exc:
                    failed += 1
                    tqdm.write(f"{item.where}: [{exc.code}] {exc.message}", file=sys.stderr)
                    continue
                created, existing = created + result.created, existing + (not result.created)
        except KeyboardInterrupt:
            # Each article is its own transaction: what was stored stays, and a rerun skips it.
            print(f"\ninterrupted: {created} stored; run the same command again to resume", file=sys.stderr)
            return 130
    print(json.dumps({"stored": created, "existing": existing, "failed": failed}))
    return 1 if failed else 0


def _seed(args: argparse.Namespace, runtime: Runtime) -> int:
    results = [runtime.ingest(article) for article in read_seeds(args.dir)]
    created = sum(r.created for r in results)
    print(json.dumps({"stored": created, "existing": len(results) - created, "ids": [r.article.id for r in results]}))
    return 0


def _articles(args: argparse.Namespace, runtime: Runtime) -> int:
    page = runtime.store.list(
        outlet=args.outlet,
        since=parse_date_bound(args.since, field="since") if args.since else None,
        until=parse_date_bound(args.until, field="until", end=True) if args.until else None,
        offset=args.offset,
        limit=args.limit,
    )
    if args.json:
        records = [article_record(a) for a in page.items]
        print(json.dumps({"items": records, "total": page.total}, ensure_ascii=False, indent=2))
        return 0
    for article in page.items:
        date = article.published_at.date().isoformat() if article.published_at else "—"
        print(f"{article.id:>6}  {date}  {article.outlet or '—':<24}  {(article.title or article.clean_text[:60]).strip()}")
    print(f"({page.total} articles)")
    return 0


def _migrate(_args: argparse.Namespace, runtime: Runtime) -> int:
    # Runtime.open has already brought the schema up to date.
    print(json.dumps({"database": runtime.store.engine.url.render_as_string(hide_password=True), "articles": runtime.store.count()}))
    return 0


_COMMANDS = {"migrate": _migrate, "ingest": _ingest, "seed": _seed, "articles": _articles}


if __name__ == "__main__":
    raise SystemExit(main())

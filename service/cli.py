"""The ``storydiff`` command: a thin shell over the service (``main(argv)`` is testable)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel

from service.api.feed_schemas import FeedOut, FeedsOut
from service.api.schemas import ArticlePageOut, FlagsOut, LinkOut, ReuseOut
from service.api.story_schemas import StoriesOut, StoryDetailOut
from service.api.watch_schemas import DeliveriesOut, DeliveryOut, WatchCreatedOut, WatchesOut, WatchOut
from service.compare.report import render_report
from service.config import Settings, get_settings
from service.domain import RELATION_CHOICES
from service.errors import InvalidInput, StorydiffError, mask_url
from service.intake.feeds import feed_request
from service.intake.fields import parse_date_range
from service.intake.files import article_ref_of, count_items, read_article_files, read_seeds
from service.intake.watches import FLAG_FILTERS, KINDS, STORY_FILTERS, watch_request
from service.pipeline.alerts import describe
from service.pipeline.exports import Table, flag_table, story_article_table, story_table, write_csv
from service.pipeline.feeds import Poll
from service.pipeline.runtime import Runtime
from service.reuse.flags import relations_of

T = TypeVar("T")

LIMIT_HELP = "at most this many (default 50; with --csv: every match)"
PAGE = 50  # --limit without --csv, as in the API


def _output_options(command: argparse.ArgumentParser, *, csv_help: str, endpoint: str) -> None:
    output = command.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help=f"the JSON answer of {endpoint}")
    output.add_argument("--csv", action="store_true", help=csv_help)


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
    ingest.add_argument("--queue", action="store_true", help="store only; queue each analysis for `storydiff worker` (needs Redis)")

    worker = commands.add_parser("worker", help="analyse queued articles (copy links, stories) until stopped; needs Redis")
    worker.add_argument("--concurrency", type=int, default=1, help="analyses at a time in this process (threads; default 1)")
    worker.add_argument("--metrics-port", type=int, help="serve this worker's Prometheus metrics on this port")

    commands.add_parser("migrate", help="create or upgrade the database schema")

    seed = commands.add_parser("seed", help="store the bundled seed articles")
    seed.add_argument("--dir", type=Path, default=Path("seeds"))

    articles = commands.add_parser("articles", help="list stored articles")
    articles.add_argument("--outlet")
    articles.add_argument("--since")
    articles.add_argument("--until")
    articles.add_argument("--offset", type=int, default=0)
    articles.add_argument("--limit", type=int, default=50)
    articles.add_argument("--json", action="store_true", help="the JSON answer of GET /articles (full texts)")
    reuse = commands.add_parser("reuse", help="an article's copy links: what it copied, who copied it")
    reuse.add_argument("id", type=int)
    reuse.add_argument("--json", action="store_true", help="the JSON answer of GET /articles/ID/reuse")

    flags = commands.add_parser("flags", help="recent articles carrying copied text")
    flags.add_argument("--outlet")
    flags.add_argument("--since")
    flags.add_argument("--until")
    flags.add_argument("--min-share", type=float, default=0.0)
    credit = flags.add_mutually_exclusive_group()
    credit.add_argument("--credited", dest="credited", action="store_const", const=True)
    credit.add_argument("--uncredited", dest="credited", action="store_const", const=False)
    flags.add_argument("--relation", choices=RELATION_CHOICES, default="reuse", help="reuse: copy and shared_source")
    flags.add_argument("--include-templates", action="store_true")
    flags.add_argument("--offset", type=int, default=0)
    flags.add_argument("--limit", type=int, help=LIMIT_HELP)
    _output_options(flags, csv_help="every match as CSV, as GET /flags.csv (--limit caps it)", endpoint="GET /flags")

    commands.add_parser("reindex", help="rebuild the passage index from the database (e.g. after Redis was lost)")
    commands.add_parser("repair", help="finish articles a failed or interrupted ingest left without copy check or story")

    stories = commands.add_parser("stories", help="story clusters, newest first")
    stories.add_argument("--since")
    stories.add_argument("--until")
    stories.add_argument("--outlet")
    stories.add_argument("--language")
    stories.add_argument("--q", help="text in the headline or an article's title")
    stories.add_argument("--min-articles", type=int, default=1)
    stories.add_argument("--offset", type=int, default=0)
    stories.add_argument("--limit", type=int, help=LIMIT_HELP)
    _output_options(stories, csv_help="every match as CSV, as GET /stories.csv (--limit caps it)", endpoint="GET /stories")

    story = commands.add_parser("story", help="one story: its articles and who copied whom")
    story.add_argument("id", type=int)
    _output_options(story, csv_help="its articles as CSV, as GET /stories/ID/articles.csv", endpoint="GET /stories/ID")

    compare = commands.add_parser("compare", help="two articles side by side (stored ids or files)")
    compare.add_argument("a", help="a stored article id or a .txt/.json/.html file")
    compare.add_argument("b")
    compare.add_argument("--json", action="store_true")

    feeds = commands.add_parser("feeds", help="the RSS and Atom feeds `storydiff watch` polls")
    feed_commands = feeds.add_subparsers(dest="feeds_command", required=True)
    feed_add = feed_commands.add_parser("add", help="watch a feed (polled at once, then every --every)")
    feed_add.add_argument("url", help="the feed's http:// or https:// URL")
    feed_add.add_argument("--outlet", required=True, help="the outlet its articles are stored under")
    feed_add.add_argument("--language", help="ISO 639-1 code of its articles (default: detected per article)")
    feed_add.add_argument("--every", default="15m", help="poll interval: 90s, 15m, 1h, 1d (1m to 7d)")
    feed_list = feed_commands.add_parser("list", help="the watched feeds, with their last error")
    feed_list.add_argument("--json", action="store_true", help="the JSON answer of GET /feeds")
    feed_remove = feed_commands.add_parser("remove", help="stop watching a feed (its articles stay)")
    feed_remove.add_argument("id", type=int)

    watches = commands.add_parser("watches", help="saved filters whose new matches `storydiff watch` POSTs to a webhook")
    watch_commands = watches.add_subparsers(dest="watches_command", required=True)
    watch_add = watch_commands.add_parser("add", help="save a watch: each new match of its filters is POSTed once, signed")
    watch_add.add_argument("--on", required=True, choices=KINDS, help="flags: new copy links; stories: stories as they change")
    watch_add.add_argument("--webhook", required=True, help="where each match is POSTed (http:// or https://)")
    watch_add.add_argument("--secret", help="signs the deliveries (16-200 characters; default: made and shown once)")
    watch_add.add_argument("--outlet", help="flags: the copying outlet; stories: an outlet with an article in the story")
    watch_add.add_argument("--source-outlet", help="flags: the outlet copied from")
    watch_add.add_argument("--min-share", type=float, help="flags: at least this share of the copier's text (0-1)")
    watch_add.add_argument("--credited", choices=("true", "false"), help="flags: only credited, or only uncredited, copies")
    watch_add.add_argument("--relation", choices=RELATION_CHOICES, help="flags: which links (default reuse: copy and shared_source)")
    watch_add.add_argument("--language", help="stories: with an article in this language")
    watch_add.add_argument("--q", help="stories: text in the headline or an article's title")
    watch_add.add_argument("--min-articles", type=int, help="stories: with at least this many articles")
    watch_add.add_argument("--min-outlets", type=int, help="stories: with articles of at least this many outlets")
    watch_list = watch_commands.add_parser("list", help="the saved watches, with their matches and deliveries")
    watch_list.add_argument("--json", action="store_true", help="the JSON answer of GET /watches")
    watch_deliveries = watch_commands.add_parser("deliveries", help="a watch's matches and their delivery, newest first")
    watch_deliveries.add_argument("id", type=int)
    watch_remove = watch_commands.add_parser("remove", help="delete a watch and its deliveries' log")
    watch_remove.add_argument("id", type=int)

    watch = commands.add_parser("watch", help="poll the watched feeds, store their new articles and deliver the watches' matches, until stopped")
    watch.add_argument("--once", action="store_true", help="poll the due feeds once, deliver the watches' new matches, then exit")
    watch.add_argument("--all", action="store_true", help="with --once: poll every feed, due or not")

    commands.add_parser("recluster", help="rebuild every story from scratch (publication order)")
    commands.add_parser("reembed", help="embed articles the current model has not (resumable), then recluster")
    return parser


def main(argv: Sequence[str] | None = None, *, settings: Settings | None = None) -> int:
    args = _parser().parse_args(argv)
    settings = settings or get_settings()
    try:
        if args.command == "serve":
            return _serve(args, settings)
        if args.command == "worker":
            return _worker(args, settings)
        with Runtime.open(settings, migrate=True if args.command == "migrate" else None) as runtime:
            return _COMMANDS[args.command](args, runtime)
    except StorydiffError as exc:
        print(f"storydiff: error [{exc.code}]: {exc.message}", file=sys.stderr)
        return 2


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from service.api.app import create_app

    uvicorn.run(create_app(settings), host=args.host, port=args.port)
    return 0


def _worker(args: argparse.Namespace, settings: Settings) -> int:
    import signal
    import threading

    from service.pipeline.worker import run_worker

    if args.concurrency < 1:
        print("storydiff: error [invalid_argument]: --concurrency must be 1 or more", file=sys.stderr)
        return 2
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    run_worker(settings, concurrency=args.concurrency, stop=stop, metrics_port=args.metrics_port)
    return 0


def _ingest(args: argparse.Namespace, runtime: Runtime) -> int:
    from tqdm import tqdm

    created = existing = failed = 0
    items = read_article_files(args.files, outlet=args.outlet, published=args.published, url=args.url)
    ingest = runtime.ingest_later if args.queue else runtime.ingest
    if args.queue:
        runtime.check_queue()
    with tqdm(total=count_items(args.files), unit="article", disable=args.quiet or None) as bar:
        try:
            # Queued: nothing to embed here (the workers do). Else the next batch is embedded ahead.
            ahead = _counted(items, bar.update) if args.queue else runtime.embedded_ahead(items, article_of=lambda item: item.article, progress=bar.update)
            for item in ahead:
                if item.error is not None:
                    failed += 1
                    tqdm.write(f"{item.where}: [{item.error.code}] {item.error.message}", file=sys.stderr)
                    continue
                assert item.article is not None
                try:
                    result = ingest(item.article)
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


def _counted(items: Iterable[T], tick: Callable[[], object]) -> Iterator[T]:
    for item in items:
        yield item
        tick()


def _seed(args: argparse.Namespace, runtime: Runtime) -> int:
    results = [runtime.ingest(article) for article in read_seeds(args.dir)]
    created = sum(r.created for r in results)
    print(json.dumps({"stored": created, "existing": len(results) - created, "ids": [r.article.id for r in results]}))
    return 0


def _print_json(answer: BaseModel) -> None:
    """What ``--json`` prints: the API's answer for the same request, field for field."""
    print(json.dumps(answer.model_dump(mode="json"), ensure_ascii=False, indent=2))


def _articles(args: argparse.Namespace, runtime: Runtime) -> int:
    page = runtime.store.list(
        outlet=args.outlet,
        **parse_date_range(args.since, args.until),
        offset=args.offset,
        limit=args.limit,
    )
    if args.json:
        _print_json(ArticlePageOut.of(page))
        return 0
    for article in page.items:
        date = article.published_at.date().isoformat() if article.published_at else "—"
        print(f"{article.id:>6}  {date}  {article.outlet or '—':<24}  {(article.title or article.clean_text[:60]).strip()}")
    print(f"({page.total} articles)")
    return 0


def _migrate(_args: argparse.Namespace, runtime: Runtime) -> int:
    # Runtime.open has already brought the schema up to date.
    print(json.dumps({"database": mask_url(runtime.settings.database_url), "articles": runtime.store.count()}))
    return 0


def _reuse(args: argparse.Namespace, runtime: Runtime) -> int:
    views = runtime.reuse(args.id)
    if args.json:
        _print_json(ReuseOut.of(args.id, views))
        return 0
    for view in views:
        link = view.link
        direction = "copied from" if link.target_id == args.id else "copied by"
        other = view.source if direction == "copied from" else view.target
        print(f"{direction:<12} {other.id:>6}  {other.outlet or '—':<24} share {link.share:.0%}  "
              f"{link.relation:<11} {'credited: ' + str(link.credit) if link.credited else 'not credited'}")
    print(f"({len(views)} links)")
    return 0


def _print_csv(export: Table) -> None:
    """What ``--csv`` prints: the API's export for the same filters, row for row."""
    sys.stdout.writelines(write_csv(export))


def _csv_cap(args: argparse.Namespace) -> int | None:
    """``--limit`` caps a CSV export; ``--offset`` is refused, not ignored: an export is every match."""
    if args.offset:
        raise InvalidInput("--offset does not apply to --csv, which prints every match", code="invalid_request")
    return args.limit


def _flags(args: argparse.Namespace, runtime: Runtime) -> int:
    filters = {
        "outlet": args.outlet,
        **parse_date_range(args.since, args.until),
        "min_share": args.min_share,
        "credited": args.credited,
        "relations": relations_of(args.relation, include_templates=args.include_templates),
    }
    if args.csv:
        _print_csv(flag_table(runtime, filters, cap=_csv_cap(args)))
        return 0
    limit = PAGE if args.limit is None else args.limit
    views, total = runtime.flags(**filters, offset=args.offset, limit=limit)
    if args.json:
        _print_json(FlagsOut(items=[LinkOut.of(v) for v in views], total=total, offset=args.offset, limit=limit))
        return 0
    for view in views:
        t, src, link = view.target, view.source, view.link
        print(f"{t.id:>6} {t.outlet or '—':<20} <- {src.id:>6} {src.outlet or '—':<20} share {link.share:.0%}  "
              f"{link.label:<9} {'credited' if link.credited else 'NOT credited'}")
    print(f"({total} flags)")
    return 0


def _reindex(_args: argparse.Namespace, runtime: Runtime) -> int:
    from tqdm import tqdm

    with tqdm(unit="article", total=runtime.store.count()) as bar:
        passages = runtime.reindex(progress=lambda n: bar.update(1))
    print(json.dumps({"passages": passages}))
    return 0


def _repair(_args: argparse.Namespace, runtime: Runtime) -> int:
    repaired = runtime.repair()
    for article_id, error in repaired.failed:
        print(f"article {article_id}: {error}", file=sys.stderr)
    print(json.dumps({"repaired": repaired.completed, "failed": [article_id for article_id, _ in repaired.failed]}))
    return 1 if repaired.failed else 0


def _stories(args: argparse.Namespace, runtime: Runtime) -> int:
    filters = {
        **parse_date_range(args.since, args.until),
        "outlet": args.outlet,
        "language": args.language,
        "q": args.q,
        "min_articles": args.min_articles,
    }
    if args.csv:
        _print_csv(story_table(runtime, filters, cap=_csv_cap(args)))
        return 0
    page = runtime.stories(**filters, offset=args.offset, limit=PAGE if args.limit is None else args.limit)
    if args.json:
        _print_json(StoriesOut.of(page))
        return 0
    for story in page.items:
        seen = story.last_seen.date().isoformat() if story.last_seen else "—"
        print(f"{story.id:>6}  {seen}  {story.article_count:>3} art.  {', '.join(story.outlets)[:40]:<40}  {story.headline[:70]}")
    print(f"({page.total} stories)")
    return 0


def _story(args: argparse.Namespace, runtime: Runtime) -> int:
    if args.csv:
        _print_csv(story_article_table(runtime, args.id))
        return 0
    detail = runtime.story(args.id)
    if args.json:
        _print_json(StoryDetailOut.of_detail(detail))
        return 0
    print(f"story {detail.summary.id}: {detail.summary.headline}")
    for a in detail.articles:
        date = a.published_at.date().isoformat() if a.published_at else "—"
        print(f"  {a.id:>6}  {date}  {a.outlet or '—':<28} {a.language or '?':<3} {(a.title or a.clean_text[:60]).strip()}")
    for link in detail.links:
        print(f"  {link.target_id} copied {link.share:.0%} from {link.source_id} ({link.relation}, {'credited' if link.credited else 'not credited'})")
    return 0


def _compare(args: argparse.Namespace, runtime: Runtime) -> int:
    a, b = article_ref_of(args.a), article_ref_of(args.b)
    result = runtime.compare(a, b)
    if args.json:
        print(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
        return 0
    print(render_report(result, runtime.article_of(a).text, runtime.article_of(b).text))
    return 0


def _feeds(args: argparse.Namespace, runtime: Runtime) -> int:
    if args.feeds_command == "add":
        feed = runtime.feeds.add(feed_request(args.url, outlet=args.outlet, language=args.language, every=args.every))
        _print_json(FeedOut.of(feed))
        return 0
    if args.feeds_command == "remove":
        runtime.feeds.remove(args.id)
        print(json.dumps({"removed": args.id}))
        return 0
    feeds = runtime.feeds.list()
    if args.json:
        _print_json(FeedsOut(items=[FeedOut.of(f) for f in feeds], total=len(feeds)))
        return 0
    for feed in feeds:
        polled = feed.last_polled_at.isoformat(timespec="minutes") if feed.last_polled_at else "never"
        error = f"  [{feed.last_error.code}] {feed.last_error.message[:80]}" if feed.last_error else ""
        print(f"{feed.id:>4}  {feed.outlet[:24]:<24}  every {feed.every_seconds:>6}s  polled {polled:<22}  {feed.entries_seen:>5} entries  {feed.url}{error}")
    print(f"({len(feeds)} feeds)")
    return 0


def _watches(args: argparse.Namespace, runtime: Runtime) -> int:
    if args.watches_command == "add":
        # Options of the other kind are refused by watch_request (unknown_field).
        filters = {name: getattr(args, name) for name in dict.fromkeys((*FLAG_FILTERS, *STORY_FILTERS)) if getattr(args, name, None) is not None}
        if "credited" in filters:
            filters["credited"] = filters["credited"] == "true"
        _print_json(WatchCreatedOut.created(runtime.alerts.add(watch_request(args.on, filters, webhook_url=args.webhook, secret=args.secret))))
        return 0
    if args.watches_command == "remove":
        runtime.alerts.remove(args.id)
        print(json.dumps({"removed": args.id}))
        return 0
    if args.watches_command == "deliveries":
        deliveries = runtime.alerts.deliveries(args.id)
        _print_json(DeliveriesOut(items=[DeliveryOut.of(d) for d in deliveries], total=runtime.alerts.get(args.id).matches))
        return 0
    watches = runtime.alerts.list()
    if args.json:
        _print_json(WatchesOut(items=[WatchOut.of(w) for w in watches], total=len(watches)))
        return 0
    for watch in watches:
        print(f"{watch.id:>4}  {describe(watch)[:60]:<60}  {watch.matches:>5} matches  {watch.delivered:>5} delivered  {watch.webhook_url}")
    print(f"({len(watches)} watches)")
    return 0


def _watch(args: argparse.Namespace, runtime: Runtime) -> int:
    if args.once:
        polls = runtime.feeds.poll_due(every_feed=args.all)
        for poll in polls:
            _report_poll(poll)
        matches = runtime.alerts.scan()
        delivered = runtime.alerts.deliver_due()
        print(json.dumps({
            "feeds": len(polls),
            "failed_feeds": sum(p.status == "failed" for p in polls),
            "stored": sum(p.count("stored") for p in polls),
            "known": sum(p.count("known") for p in polls),
            "failed_entries": sum(p.count("failed") for p in polls),
            "matches": matches,
            "delivered": delivered.delivered,
            "retrying": delivered.retrying,
            "failed_deliveries": delivered.failed,
        }))
        return 0
    import signal
    import threading

    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    runtime.feeds.run(stop, report=_report_poll, tick=runtime.alerts.tick)
    return 0


def _report_poll(poll: Poll) -> None:
    if poll.error is not None:
        print(f"feed {poll.feed_id}: [{poll.error.code}] {poll.error.message}", file=sys.stderr)
        return
    for entry in poll.entries:
        if entry.status == "failed":
            print(f"feed {poll.feed_id}: entry {entry.key}: [{entry.error_code}] not stored", file=sys.stderr)
    print(f"feed {poll.feed_id}: {poll.status}, {poll.count('stored')} stored, {poll.count('known')} known, {poll.count('failed')} failed", file=sys.stderr)


def _recluster(_args: argparse.Namespace, runtime: Runtime) -> int:
    from tqdm import tqdm

    with tqdm(unit="article", total=runtime.store.count()) as bar:
        count = runtime.recluster(progress=lambda n: bar.update(1))
    print(json.dumps({"articles": count, "stories": runtime.stories(limit=1).total}))
    return 0


def _reembed(_args: argparse.Namespace, runtime: Runtime) -> int:
    from tqdm import tqdm

    with tqdm(unit="article") as bar:
        count = runtime.reembed(progress=lambda n: bar.update(1))
    print(json.dumps({"embedded": count, "model": runtime.desk.docs.model_id, "stories": runtime.stories(limit=1).total}))
    return 0


_COMMANDS = {"compare": _compare, "stories": _stories, "story": _story, "recluster": _recluster, "reembed": _reembed, "reuse": _reuse, "flags": _flags, "reindex": _reindex, "repair": _repair, "migrate": _migrate, "ingest": _ingest, "seed": _seed, "articles": _articles, "feeds": _feeds, "watches": _watches, "watch": _watch}


if __name__ == "__main__":
    raise SystemExit(main())

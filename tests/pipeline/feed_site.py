"""A news site on 127.0.0.1 for the feed tests: RSS and Atom feeds (with ETag and
Last-Modified), article pages built from the seed articles (and SaudiNewsNet's) inside page chrome (header,
navigation, sidebars, footer), a robots.txt, and the ways a site fails (500, a slow
answer, a 20 MB page, a binary file, a broken feed, a redirect loop, a missing page).

Every request is logged (path and headers), so a test can tell what was fetched."""

from __future__ import annotations

import html
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from tests.conftest import SEEDS

SIDEBAR_HEADLINE = "الأكثر قراءة: أسعار الذهب اليوم في الأسواق المحلية"
FOOTER = "جميع الحقوق محفوظة لموقع الأخبار اليومية ٢٠١٩"
ROBOTS = "User-agent: *\nDisallow: /private/\n"


@dataclass(frozen=True)
class Seed:
    id: str
    title: str
    body: str  # the seed's text after its title line
    published: datetime


def seeds() -> list[Seed]:
    out = []
    for line in (SEEDS / "articles.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            meta = json.loads(line)
            text = (SEEDS / meta["file"]).read_text(encoding="utf-8")
            first, _, body = text.partition("\n")
            hour = len(out) + 6  # distinct times within the seed's day
            out.append(Seed(meta["id"], meta.get("title") or first.strip(), body.strip(), datetime.fromisoformat(meta["published"]).replace(hour=hour, tzinfo=UTC)))
    return out


def saudinewsnet_seeds(folder: Path, *, outlet: str, limit: int) -> list[Seed]:
    """The first ``limit`` SaudiNewsNet articles of ``outlet`` (with a title and 80+ words)
    shaped as seeds, to be served as that outlet's pages."""
    from service.eval.corpora import saudinewsnet_articles

    out = []
    for n, article in enumerate(saudinewsnet_articles(folder)):
        if article.outlet == outlet and article.title and article.published_at and len((article.text or "").split()) >= 80:
            out.append(Seed(f"snn-{n}", article.title, article.text or "", article.published_at.replace(hour=6 + len(out) % 12, tzinfo=UTC)))
            if len(out) == limit:
                break
    return out


def page(seed: Seed, *, outlet: str) -> str:
    """The seed as a news site serves it: the article among the site's chrome."""
    paragraphs = "\n".join(f"<p>{html.escape(p.strip())}</p>" for p in seed.body.splitlines() if p.strip())
    menu = "".join(f'<li><a href="/section/{n}">{name}</a></li>' for n, name in enumerate(["الرئيسية", "سياسة", "اقتصاد", "رياضة", "ثقافة", "منوعات"]))
    most_read = "".join(f'<li><a href="/articles/other-{n}.html">{SIDEBAR_HEADLINE} {n}</a></li>' for n in range(5))
    return f"""<!DOCTYPE html>
<html lang="ar" dir="rtl"><head><meta charset="utf-8"><title>{html.escape(seed.title)} | {html.escape(outlet)}</title>
<link rel="stylesheet" href="/static/site.css"><script>window.ads = [];</script></head>
<body>
<header class="site-header"><div class="logo"><a href="/">{html.escape(outlet)}</a></div>
<nav class="main-menu"><ul>{menu}</ul></nav>
<form class="search" action="/search"><input name="q" placeholder="بحث"></form></header>
<div class="breaking"><span>عاجل</span> <a href="/breaking">تابعوا آخر الأخبار لحظة بلحظة على موقعنا</a></div>
<div class="layout">
<aside class="sidebar right"><h3>الأكثر قراءة</h3><ul>{most_read}</ul></aside>
<main><article class="post">
<h1 class="post-title">{html.escape(seed.title)}</h1>
<div class="meta"><time datetime="{seed.published.isoformat()}">{seed.published.date().isoformat()}</time> <span class="author">المحرر</span></div>
<div class="post-body">
{paragraphs}
</div>
<div class="share"><a href="/share/fb">فيسبوك</a> <a href="/share/tw">تويتر</a> <a href="/share/wa">واتساب</a></div>
</article>
<section class="related"><h3>أخبار ذات صلة</h3><ul><li><a href="/r/1">{SIDEBAR_HEADLINE}</a></li></ul></section>
</main>
<aside class="sidebar left"><h3>النشرة البريدية</h3><p>اشترك في النشرة البريدية ليصلك كل جديد</p>
<div class="ad">إعلان</div></aside>
</div>
<footer class="site-footer"><p>{FOOTER}</p><ul><li><a href="/about">من نحن</a></li><li><a href="/privacy">سياسة الخصوصية</a></li><li><a href="/contact">اتصل بنا</a></li></ul></footer>
</body></html>"""


@dataclass
class Item:
    """One entry of a feed: RSS item or Atom entry."""

    key: str
    link: str
    title: str
    published: datetime
    summary: str | None = None


def rss(items: list[Item], *, base: str) -> bytes:
    body = "".join(
        f"<item><title>{html.escape(i.title)}</title><link>{base}{i.link}</link><guid isPermaLink=\"false\">{i.key}</guid>"
        f"<pubDate>{format_datetime(i.published)}</pubDate>"
        + (f"<description>{html.escape('<p>' + i.summary + '</p>')}</description>" if i.summary else "")
        + "</item>"
        for i in items
    )
    return f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>الأخبار</title><link>{base}/</link>{body}</channel></rss>'.encode()


def atom(items: list[Item], *, base: str) -> bytes:
    body = "".join(
        f"<entry><title>{html.escape(i.title)}</title><id>{i.key}</id><link href=\"{base}{i.link}\"/>"
        f"<published>{i.published.isoformat()}</published><updated>{i.published.isoformat()}</updated>"
        + (f"<summary>{html.escape(i.summary)}</summary>" if i.summary else "")
        + "</entry>"
        for i in items
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Atom</title>'
        f'<id>urn:site</id><updated>2019-05-15T12:00:00Z</updated>{body}</feed>'
    ).encode()


@dataclass
class Answer:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before answering
    stream_bytes: int = 0  # > 0: this many bytes sent in chunks, without a Content-Length


Route = Callable[[dict[str, str]], Answer]


class Site:
    """A threaded HTTP server on 127.0.0.1; ``routes`` maps a path to its answer (or to a
    function of the request headers)."""

    def __init__(self) -> None:
        self.routes: dict[str, Answer | Route] = {"/robots.txt": Answer(body=ROBOTS.encode(), headers={"Content-Type": "text/plain"})}
        self.requests: list[tuple[str, dict[str, str]]] = []
        self._lock = threading.Lock()
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *_args: object) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802 - the http.server name
                headers = {k.lower(): v for k, v in self.headers.items()}
                with site._lock:
                    site.requests.append((self.path, headers))
                route = site.routes.get(self.path)
                answer = Answer(404, b"not found", {"Content-Type": "text/plain"}) if route is None else route if isinstance(route, Answer) else route(headers)
                if answer.delay:
                    time.sleep(answer.delay)
                try:
                    self.send_response(answer.status)
                    for name, value in answer.headers.items():
                        self.send_header(name, value)
                    if answer.stream_bytes:
                        self.send_header("Connection", "close")
                        self.end_headers()
                        chunk = b"<p>" + b"x" * 65_530 + b"</p>"
                        for _ in range(answer.stream_bytes // len(chunk)):
                            self.wfile.write(chunk)
                        self.close_connection = True
                        return
                    self.send_header("Content-Length", str(len(answer.body)))
                    self.end_headers()
                    self.wfile.write(answer.body)
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True  # the client stopped reading: as it should past its limit

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def paths(self) -> list[str]:
        with self._lock:
            return [path for path, _ in self.requests]

    def headers_of(self, path: str) -> list[dict[str, str]]:
        with self._lock:
            return [headers for p, headers in self.requests if p == path]

    def forget(self) -> None:
        with self._lock:
            self.requests.clear()

    def feed(self, path: str, render: Callable[[], bytes], *, etag: Callable[[], str], media_type: str) -> None:
        """A feed that answers 304 when the client sends its current ETag."""

        def answer(headers: dict[str, str]) -> Answer:
            tag = etag()
            if headers.get("if-none-match") == tag:
                return Answer(304, headers={"ETag": tag})
            return Answer(body=render(), headers={"Content-Type": media_type, "ETag": tag})

        self.routes[path] = answer

    def dated_feed(self, path: str, body: bytes, *, last_modified: str, media_type: str) -> None:
        """A feed that answers 304 when the client sends its Last-Modified back."""

        def answer(headers: dict[str, str]) -> Answer:
            if headers.get("if-modified-since") == last_modified:
                return Answer(304)
            return Answer(body=body, headers={"Content-Type": media_type, "Last-Modified": last_modified})

        self.routes[path] = answer

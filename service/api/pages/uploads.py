"""Articles sent through the ingest page: pasted text or HTML, or one uploaded file.

One article (pasted, or a .txt/.html/.json file) may be up to ``max_article_bytes``; a
JSON Lines file, a batch, up to ``max_bulk_bytes``, read one line at a time from its
temporary file (each line one article's size at most), so memory holds one line, not the
file. The page shows the first ``SHOWN`` results and failures, and counts them all.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

from service.config import Settings
from service.domain import ArticleInput, IngestResult
from service.errors import InvalidInput, StorydiffError, TooLarge
from service.intake.fields import parse_json_article
from service.intake.files import FileItem, pasted_article, read_upload
from service.pipeline.runtime import Runtime

SHOWN = 100  # results (and failures) listed on the page; the rest are counted
LINE_ENVELOPE = 64_000  # a JSON line's quoting and other fields, over the text's own limit


def upload_limit(settings: Settings, filename: str) -> int:
    """Bytes a file may have on the ingest page: a batch if JSON Lines, else one article."""
    return settings.max_bulk_bytes if filename.lower().endswith(".jsonl") else settings.max_article_bytes


@dataclass(frozen=True, slots=True)
class UploadOutcome:
    """What became of a form: stored (or found) articles, and the lines that failed."""

    results: tuple[IngestResult, ...]  # the first SHOWN
    failures: tuple[FileItem, ...] = field(default=())  # the first SHOWN
    stored: int = 0
    existing: int = 0
    failed: int = 0

    @classmethod
    def of(cls, results: list[IngestResult]) -> UploadOutcome:
        stored = sum(1 for r in results if r.created)
        return cls(tuple(results[:SHOWN]), stored=stored, existing=len(results) - stored)


def ingest_upload(
    runtime: Runtime,
    *,
    content: str = "",
    filename: str | None = None,
    file: BinaryIO | None = None,
    title: str = "",
    outlet: str = "",
    published: str = "",
    url: str = "",
) -> UploadOutcome:
    """Store what a form sent; a file wins over pasted content, form fields fill what it does not say."""
    settings = runtime.settings
    limit = settings.max_article_bytes
    if len(content.encode("utf-8")) > limit:
        raise TooLarge(f"The article is larger than the limit of {limit} bytes.")
    form = pasted_article("", title=title, outlet=outlet, published=published or None, url=url)
    if file is not None:
        name = filename or "upload.txt"
        if name.lower().endswith(".jsonl"):
            return _ingest_lines(runtime, name, file, form)
        data = file.read(limit + 1)
        if len(data) > limit:
            raise TooLarge(f"The file {name} is larger than the limit of {limit} bytes.")
        items = list(read_upload(name, data))
        if items[0].error is not None:
            raise items[0].error
        return UploadOutcome.of([runtime.ingest(_fill(items[0].article, form))])
    if not content.strip():
        raise InvalidInput("The form is empty: paste an article or choose a file.", code="empty_text")
    return UploadOutcome.of([runtime.ingest(_fill(pasted_article(content), form))])


def _ingest_lines(runtime: Runtime, name: str, file: BinaryIO, form: ArticleInput) -> UploadOutcome:
    """Each line of a JSON Lines file its own article and transaction; bad lines are reported."""
    line_limit = runtime.settings.max_article_bytes + LINE_ENVELOPE
    results: list[IngestResult] = []
    failures: list[FileItem] = []
    stored = existing = failed = 0
    for number, raw in enumerate(_lines(file, line_limit), start=1):
        if raw is not None and not raw.strip():
            continue
        where = f"{name}:{number}"
        try:
            if raw is None:
                raise TooLarge(f"the line is larger than the limit of {line_limit} bytes")
            result = runtime.ingest(_fill(parse_json_article(raw, where="the line"), form))
        except StorydiffError as exc:
            failed += 1
            if len(failures) < SHOWN:
                failures.append(FileItem(where, error=exc))
            continue
        stored, existing = stored + result.created, existing + (not result.created)
        if len(results) < SHOWN:
            results.append(result)
    if not results and not failures:
        raise InvalidInput(f"{name} has no articles.", code="empty_text")
    return UploadOutcome(tuple(results), tuple(failures), stored=stored, existing=existing, failed=failed)


def _lines(file: BinaryIO, limit: int) -> Iterator[bytes | None]:
    """The file's lines, None for one over ``limit`` bytes (skipped, never held whole)."""
    while line := file.readline(limit + 1):
        if len(line) <= limit or line.endswith(b"\n"):
            yield line
            continue
        while line and not line.endswith(b"\n"):  # the rest of the long line
            line = file.readline(limit)
        yield None


def _fill(article: ArticleInput | None, form: ArticleInput) -> ArticleInput:
    assert article is not None
    return ArticleInput(
        text=article.text,
        html=article.html,
        title=article.title or form.title,
        outlet=article.outlet or form.outlet,
        url=article.url or form.url,
        published_at=article.published_at or form.published_at,
        language=article.language,
    )

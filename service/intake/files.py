"""Reading articles from files: .txt, .json, .jsonl, .html, and the bundled seeds.

A ``.txt`` file is a title on its first line and the body after it; a ``.json`` file holds
one article object and a ``.jsonl`` file one per line (the fields of ``POST /articles``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from service.domain import ArticleInput
from service.errors import InvalidInput, StorydiffError
from service.intake.fields import decode_utf8, parse_datetime, parse_fields, parse_json_article

SUFFIXES = (".txt", ".json", ".jsonl", ".html", ".htm")


@dataclass(frozen=True, slots=True)
class FileItem:
    """One article read from a file, or why it could not be read; ``where`` is path[:line]."""

    where: str
    article: ArticleInput | None = None
    error: StorydiffError | None = None


def read_article_files(
    paths: list[Path], *, outlet: str | None = None, published: str | None = None, url: str | None = None
) -> Iterator[FileItem]:
    """Articles from files, with command-line metadata overriding what the files say."""
    given = parse_fields({"outlet": outlet, "published_at": published, "url": url})
    overrides = {name: getattr(given, name) for name in ("outlet", "published_at", "url") if getattr(given, name) is not None}
    for path in paths:
        for item in _read_file(path):
            if item.article is not None and overrides:
                item = replace(item, article=replace(item.article, **overrides))  # type: ignore[arg-type]
            yield item


def count_items(paths: list[Path]) -> int:
    """How many articles ``read_article_files`` will yield (for a progress bar)."""
    total = 0
    for path in paths:
        if path.suffix.lower() == ".jsonl":
            with path.open("rb") as handle:
                total += sum(1 for line in handle if line.strip())
        else:
            total += 1
    return total


def _read_file(path: Path) -> Iterator[FileItem]:
    if path.suffix.lower() == ".jsonl":
        try:
            handle = path.open("rb")
        except OSError as exc:
            yield FileItem(str(path), error=InvalidInput(f"{path}: {exc}", code="unreadable_file"))
            return
        with handle:
            yield from _read_jsonl(str(path), handle)
        return
    try:
        data = path.read_bytes()
    except OSError as exc:
        yield FileItem(str(path), error=InvalidInput(f"{path}: {exc}", code="unreadable_file"))
        return
    yield from read_upload(str(path), data)


def read_upload(name: str, data: bytes) -> Iterator[FileItem]:
    """Articles from one file's bytes, its type told by the name's suffix."""
    suffix = Path(name).suffix.lower()
    if suffix not in SUFFIXES:
        yield FileItem(name, error=InvalidInput(f"{name}: unsupported file type (use {', '.join(SUFFIXES)})", code="unsupported_file"))
        return
    if suffix == ".jsonl":
        yield from _read_jsonl(name, data.splitlines())
        return
    try:
        content = decode_utf8(data)
    except InvalidInput as exc:
        yield FileItem(name, error=InvalidInput(f"{name}: {exc.message}", code=exc.code))
        return
    if suffix == ".json":
        yield _parse_json(name, content)
    elif suffix in (".html", ".htm"):
        yield FileItem(name, article=ArticleInput(html=content))
    else:
        title, _, body = content.partition("\n")
        yield FileItem(name, article=ArticleInput(text=body, title=title.strip() or None))


def _read_jsonl(name: str, lines: Iterable[bytes]) -> Iterator[FileItem]:
    for number, raw in enumerate(lines, start=1):
        if raw.strip():
            yield _parse_json(f"{name}:{number}", raw)


def _parse_json(where: str, raw: bytes | str) -> FileItem:
    try:
        return FileItem(where, article=parse_json_article(raw, where=where))
    except StorydiffError as exc:
        return FileItem(where, error=exc)


def read_seeds(directory: Path) -> list[ArticleInput]:
    """The seed articles: each file as received (chrome included) with its articles.jsonl metadata."""
    meta_path = directory / "articles.jsonl"
    if not meta_path.exists():
        raise InvalidInput(f"no seed metadata at {meta_path}", code="no_seeds")
    seeds = []
    for line in meta_path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        meta = json.loads(line)
        seeds.append(
            ArticleInput(
                text=(directory / meta["file"]).read_text(encoding="utf-8"),
                title=meta.get("title"),
                outlet=meta.get("outlet"),
                published_at=parse_datetime(meta["published"]) if meta.get("published") else None,
                language=meta.get("language"),
            )
        )
    return seeds


def looks_like_html(content: str) -> bool:
    """Pasted content is HTML when it starts with a tag and has a body or paragraph."""
    head = content.lstrip()[:2000].lower()
    return head.startswith("<") and any(tag in head or tag in content.lower() for tag in ("<html", "<body", "<p", "<article", "<div"))


def pasted_article(
    content: str, *, title: str | None = None, outlet: str | None = None, published: str | None = None, url: str | None = None
) -> ArticleInput:
    """An article from a form: pasted text or HTML plus the metadata fields."""
    is_html = looks_like_html(content)
    return parse_fields({"title": title, "outlet": outlet, "url": url, "published_at": published, "html" if is_html else "text": content})


def article_ref_of(value: str) -> ArticleInput | int:
    """A command-line article: a stored id ("12") or the first article of a file."""
    if value.isdigit():
        return int(value)
    path = Path(value)
    if not path.is_file():
        raise InvalidInput(f"{value}: neither a stored article id nor a file", code="invalid_request")
    for item in read_article_files([path]):
        if item.error is not None:
            raise item.error
        if item.article is not None:
            return item.article
    raise InvalidInput(f"{value}: no article in the file", code="empty_text")

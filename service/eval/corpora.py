"""Readers for public corpora used to develop and measure the service (never bundled).

SaudiNewsNet: one zip per day, each holding a JSON array of
``{source, url, date_extracted, title, author, content}``; ``source`` is the outlet
(``was`` is the Saudi Press Agency). ``date_extracted`` is the crawl time, used as the
publication time (after 2015-08-01 it is most likely the publication date).
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator
from pathlib import Path

from service.domain import ArticleInput
from service.intake.fields import parse_datetime


def saudinewsnet_articles(folder: Path, *, limit: int | None = None) -> Iterator[ArticleInput]:
    """Articles of SaudiNewsNet in day order, skipping the ones with empty content."""
    zips = sorted(folder.glob("*.zip"))
    if not zips:
        raise FileNotFoundError(f"no SaudiNewsNet day files (*.zip) in {folder}")
    count = 0
    for path in zips:
        with zipfile.ZipFile(path) as archive:
            for name in sorted(archive.namelist()):
                for record in json.loads(archive.read(name)):
                    if not (record.get("content") or "").strip():
                        continue
                    yield ArticleInput(
                        text=record["content"],
                        title=(record.get("title") or "").strip() or None,
                        outlet=record.get("source") or None,
                        url=record.get("url") or None,
                        published_at=parse_datetime(record["date_extracted"]) if record.get("date_extracted") else None,
                        language="ar",
                    )
                    count += 1
                    if limit is not None and count >= limit:
                        return


def article_jsonl(article: ArticleInput) -> str:
    """One JSON Lines record, in the shape ``POST /articles/bulk`` and ``storydiff ingest`` take."""
    record = {
        "text": article.text,
        "title": article.title,
        "outlet": article.outlet,
        "url": article.url,
        "published_at": article.published_at.isoformat() if article.published_at else None,
        "language": article.language,
    }
    return json.dumps({k: v for k, v in record.items() if v is not None}, ensure_ascii=False)

"""Rows to domain values (shared by the article and story repositories)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.engine import RowMapping

from service.domain import Article, Block, CopyLink, LinkSpan


def utc(value: datetime | None) -> datetime | None:
    """Datetimes are stored in UTC; SQLite hands them back naive."""
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def to_article(row: RowMapping) -> Article:
    return Article(
        id=row["id"],
        text=row["text"],
        clean_text=row["clean_text"],
        blocks=tuple(Block(*triple) for triple in row["blocks"]),
        content_hash=row["content_hash"],
        title=row["title"],
        outlet=row["outlet"],
        url=row["url"],
        published_at=utc(row["published_at"]),
        language=row["language"],
        html=row["html"],
        created_at=utc(row["created_at"]),
    )


def to_link(row: RowMapping) -> CopyLink:
    return CopyLink(
        target_id=row["target_id"],
        source_id=row["source_id"],
        relation=row["relation"],
        share=row["share"],
        pair_share=row["pair_share"],
        credited=bool(row["credited"]),
        credit=row["credit"],
        label=row["label"],
        spans=tuple(LinkSpan(*span) for span in row["spans"]),
        created_at=utc(row["created_at"]),
        direction=row["direction"],
        direction_basis=row["direction_basis"],
    )

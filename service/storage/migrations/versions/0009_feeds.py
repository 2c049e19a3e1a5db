"""feeds the watcher polls, and every entry each feed has shown (storydiff watch)

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "feeds",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("url", sa.String(2048), nullable=False),
        sa.Column("outlet", sa.String(200), nullable=False),
        sa.Column("language", sa.String(16), nullable=True),
        sa.Column("every_seconds", sa.Integer, nullable=False),
        sa.Column("etag", sa.Text, nullable=True),
        sa.Column("last_modified", sa.Text, nullable=True),
        sa.Column("last_polled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("next_poll_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("failures", sa.Integer, nullable=False, server_default="0"),
        sa.Column("error_code", sa.String(60), nullable=True),
        sa.Column("error_message", sa.Text, nullable=True),
        sa.Column("error_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("url", name="uq_feeds_url"),
    )
    op.create_index("ix_feeds_next_poll", "feeds", ["next_poll_at"])
    op.create_table(
        "feed_entries",
        sa.Column("feed_id", _ID, sa.ForeignKey("feeds.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("entry_key", sa.String(2048), primary_key=True),
        sa.Column("url", sa.String(2048), nullable=True),
        sa.Column("article_id", _ID, sa.ForeignKey("articles.id", ondelete="SET NULL"), nullable=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("error_code", sa.String(60), nullable=True),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("feed_entries")
    op.drop_index("ix_feeds_next_poll", table_name="feeds")
    op.drop_table("feeds")

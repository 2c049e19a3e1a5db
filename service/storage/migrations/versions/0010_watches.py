"""watches (saved filters with a webhook) and their matches, each delivered once; the
stories' outlet count and change time, which watches on stories filter by

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.add_column("stories", sa.Column("outlet_count", sa.Integer, nullable=False, server_default="0"))
    op.add_column("stories", sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE stories SET outlet_count = json_array_length(outlets)")
    op.create_index("ix_stories_updated", "stories", ["updated_at"])
    op.create_index("ix_copy_links_created", "copy_links", ["created_at"])
    op.create_table(
        "watches",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("filters", sa.JSON, nullable=False),
        sa.Column("webhook_url", sa.String(2048), nullable=False),
        sa.Column("secret", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("scanned_until", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "watch_matches",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("watch_id", _ID, sa.ForeignKey("watches.id", ondelete="CASCADE"), nullable=False),
        sa.Column("match_key", sa.String(100), nullable=False),
        sa.Column("payload", sa.JSON, nullable=False),
        sa.Column("matched_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_status_code", sa.Integer, nullable=True),
        sa.Column("error_code", sa.String(60), nullable=True),
        sa.Column("error_message", sa.Text, nullable=True),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("watch_id", "match_key", name="uq_watch_matches_key"),
    )
    op.create_index("ix_watch_matches_due", "watch_matches", ["status", "next_attempt_at"])


def downgrade() -> None:
    op.drop_index("ix_watch_matches_due", table_name="watch_matches")
    op.drop_table("watch_matches")
    op.drop_table("watches")
    op.drop_index("ix_copy_links_created", table_name="copy_links")
    op.drop_index("ix_stories_updated", table_name="stories")
    op.drop_column("stories", "updated_at")
    op.drop_column("stories", "outlet_count")

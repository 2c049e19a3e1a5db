"""story docs (vectors and names), story members and stories

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer, "sqlite")


def upgrade() -> None:
    op.create_table(
        "story_docs",
        sa.Column("article_id", Id, sa.ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("model_id", sa.String(200), nullable=True),
        sa.Column("dim", sa.Integer, nullable=False),
        sa.Column("lead", sa.LargeBinary, nullable=True),
        sa.Column("title", sa.LargeBinary, nullable=True),
        sa.Column("sentences", sa.LargeBinary, nullable=True),
        sa.Column("names", sa.JSON, nullable=False),
    )
    op.create_table(
        "story_members",
        sa.Column("article_id", Id, sa.ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("story_id", Id, nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("support", sa.Float, nullable=False),
    )
    op.create_index("ix_story_members_story", "story_members", ["story_id"])
    op.create_index("ix_story_members_published", "story_members", ["published_at"])
    op.create_table(
        "stories",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("headline", sa.Text, nullable=False),
        sa.Column("article_count", sa.Integer, nullable=False),
        sa.Column("outlets", sa.JSON, nullable=False),
        sa.Column("languages", sa.JSON, nullable=False),
        sa.Column("first_seen", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_stories_last_seen", "stories", ["last_seen"])


def downgrade() -> None:
    op.drop_index("ix_stories_last_seen", "stories")
    op.drop_table("stories")
    op.drop_index("ix_story_members_published", "story_members")
    op.drop_index("ix_story_members_story", "story_members")
    op.drop_table("story_members")
    op.drop_table("story_docs")

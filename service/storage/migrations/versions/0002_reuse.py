"""passages (MinHash signatures) and copy links

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer, "sqlite")


def upgrade() -> None:
    op.create_table(
        "passages",
        sa.Column("article_id", Id, sa.ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("seq", sa.Integer, primary_key=True),
        sa.Column("start_char", sa.Integer, nullable=False),
        sa.Column("end_char", sa.Integer, nullable=False),
        sa.Column("signature", sa.LargeBinary, nullable=False),
    )
    op.create_table(
        "copy_links",
        sa.Column("target_id", Id, sa.ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("source_id", Id, sa.ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("relation", sa.String(20), nullable=False),
        sa.Column("share", sa.Float, nullable=False),
        sa.Column("credited", sa.Boolean, nullable=False),
        sa.Column("credit", sa.String(200), nullable=True),
        sa.Column("label", sa.String(20), nullable=False),
        sa.Column("spans", sa.JSON, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_copy_links_source", "copy_links", ["source_id"])


def downgrade() -> None:
    op.drop_index("ix_copy_links_source", "copy_links")
    op.drop_table("copy_links")
    op.drop_table("passages")

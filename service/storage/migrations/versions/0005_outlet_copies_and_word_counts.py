"""another outlet's identical text is its own article; word counts; link direction evidence

- ``articles.outlet_key`` (the outlet, '' when unknown) with the cleaned-text hash is the
  repeat rule: the same outlet with the same text. Another outlet's identical text was
  answered as the stored article and is now stored as its own.
- ``corpus_words``: in how many stored articles each content word occurs (templates);
  counted when the store is next opened by the service (``Runtime.open``).
- ``copy_links.direction`` (``known`` / ``uncertain``) and ``direction_basis`` (what
  decided the direction: dateline, credit, agency, time, id).

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("articles") as batch:
        batch.add_column(sa.Column("outlet_key", sa.String(200), nullable=False, server_default=""))
    op.execute("UPDATE articles SET outlet_key = COALESCE(outlet, '')")
    with op.batch_alter_table("articles") as batch:
        batch.drop_constraint("uq_articles_content_hash", type_="unique")
        batch.create_unique_constraint("uq_articles_outlet_text", ["outlet_key", "content_hash"])
        batch.create_index("ix_articles_content_hash", ["content_hash"])
    op.create_table(
        "corpus_words",
        sa.Column("word", sa.String(64), primary_key=True),
        sa.Column("articles", sa.Integer, nullable=False),
    )
    with op.batch_alter_table("copy_links") as batch:
        batch.add_column(sa.Column("direction", sa.String(20), nullable=False, server_default="known"))
        batch.add_column(sa.Column("direction_basis", sa.String(20), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("copy_links") as batch:
        batch.drop_column("direction_basis")
        batch.drop_column("direction")
    op.drop_table("corpus_words")
    with op.batch_alter_table("articles") as batch:
        batch.drop_index("ix_articles_content_hash")
        batch.drop_constraint("uq_articles_outlet_text", type_="unique")
        batch.create_unique_constraint("uq_articles_content_hash", ["content_hash"])
        batch.drop_column("outlet_key")

"""story docs no longer keep sentence vectors (the story score uses word overlap instead)

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # batch mode: SQLite rebuilds the table, PostgreSQL drops the column in place.
    with op.batch_alter_table("story_docs") as batch:
        batch.drop_column("sentences")


def downgrade() -> None:
    with op.batch_alter_table("story_docs") as batch:
        batch.add_column(sa.Column("sentences", sa.LargeBinary, nullable=True))

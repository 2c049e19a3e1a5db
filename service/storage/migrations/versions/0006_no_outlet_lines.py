"""cleaning reads the article alone: the per-outlet line counts go

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_table("outlet_lines")
    op.drop_table("outlets")


def downgrade() -> None:
    op.create_table(
        "outlets",
        sa.Column("outlet", sa.String(200), primary_key=True),
        sa.Column("articles", sa.Integer, nullable=False),
    )
    op.create_table(
        "outlet_lines",
        sa.Column("outlet", sa.String(200), primary_key=True),
        sa.Column("line", sa.String(300), primary_key=True),
        sa.Column("articles", sa.Integer, nullable=False),
    )

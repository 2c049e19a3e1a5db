"""copy links keep the pair's copied share, the one the same-story score was fitted on

Revision ID: 0007
Revises: 0006

Links stored before take their target's share, the value stories read from them until now.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("copy_links") as batch:
        batch.add_column(sa.Column("pair_share", sa.Float, nullable=False, server_default="0"))
    op.execute("UPDATE copy_links SET pair_share = share")


def downgrade() -> None:
    with op.batch_alter_table("copy_links") as batch:
        batch.drop_column("pair_share")

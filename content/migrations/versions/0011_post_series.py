"""A post's series: the weekly posts created together share a series id.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("post") as batch:  # SQLite adds a column only through a batch
        batch.add_column(sa.Column("series_id", sa.String(length=32), nullable=True))
    op.create_index("ix_post_series_id", "post", ["series_id"])


def downgrade() -> None:
    op.drop_index("ix_post_series_id", table_name="post")
    with op.batch_alter_table("post") as batch:
        batch.drop_column("series_id")

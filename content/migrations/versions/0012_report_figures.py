"""The yearly report added up in SQL: each latest figure as a number column, and an index that
holds what a period's scan of published deliveries reads.

`deliverymetrics.figures` (JSON) stays the record; views, reach, reactions, comments, shares and
video_views repeat it one number a column (None: no figure), filled here from it and written
with it from now on, because extracting JSON row by row costs a year's report a third of its
time. (state, published_at, channel_id, post_id) lets the report's GROUP BYs and an
observance's window read the index without touching the table.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

METRICS = ("views", "reach", "reactions", "comments", "shares", "video_views")


def upgrade() -> None:
    with op.batch_alter_table("deliverymetrics") as batch:  # SQLite adds columns via a batch
        for metric in METRICS:
            batch.add_column(sa.Column(metric, sa.BigInteger(), nullable=True))
    figures = sa.table(
        "deliverymetrics",
        sa.column("figures", sa.JSON()),
        *(sa.column(metric, sa.BigInteger()) for metric in METRICS),
    )
    # JSON_EXTRACT on SQLite, ->> on PostgreSQL: a JSON null or a missing key gives NULL.
    op.execute(
        sa.update(figures).values(
            {metric: figures.c.figures[metric].as_integer() for metric in METRICS}
        )
    )
    with op.batch_alter_table("delivery") as batch:
        batch.create_index(
            "ix_delivery_state_published", ["state", "published_at", "channel_id", "post_id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("delivery") as batch:
        batch.drop_index("ix_delivery_state_published")
    with op.batch_alter_table("deliverymetrics") as batch:
        for metric in METRICS:
            batch.drop_column(metric)

"""This installation's key, for the markers that tell our posts on a platform from others'.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04
"""

import secrets
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    table = op.create_table(
        "installation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    # 48 random bits in hex: short enough for a slug, and two databases never draw the same.
    op.bulk_insert(table, [{"id": 1, "key": secrets.token_hex(6), "created_at": datetime.now(UTC)}])


def downgrade() -> None:
    op.drop_table("installation")

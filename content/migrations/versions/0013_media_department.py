"""A media file's department: an officer's uploads are their department's, the rest shared.

Files stored before this revision have none and stay shared, as every file was until now.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("media") as batch:  # SQLite adds a column only through a batch
        batch.add_column(sa.Column("department_code", sa.String(length=32), nullable=True))
    op.create_index("ix_media_department_code", "media", ["department_code"])


def downgrade() -> None:
    op.drop_index("ix_media_department_code", table_name="media")
    with op.batch_alter_table("media") as batch:
        batch.drop_column("department_code")

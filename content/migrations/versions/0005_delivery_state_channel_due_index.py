"""Index the deliveries waiting on each channel by time: the worker's claim.

A claim reads each channel's earliest due `scheduled` rows, and no more than the channel may
start: with (state, channel_id, due_at) that is a short range scan per channel, whatever the
channel's history or backlog.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("delivery", schema=None) as batch_op:
        batch_op.create_index(
            "ix_delivery_state_channel_due", ["state", "channel_id", "due_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("delivery", schema=None) as batch_op:
        batch_op.drop_index("ix_delivery_state_channel_due")

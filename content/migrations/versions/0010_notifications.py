"""Notifications: what each person was told (in the page, by e-mail), their choices, their e-mail.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("user") as batch:  # SQLite adds a column only through a batch
        batch.add_column(sa.Column("email", sa.String(length=320), nullable=True))
    op.create_table(
        "notification",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("event", sa.String(length=32), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("title_vi", sa.String(length=300), nullable=False),
        sa.Column("title_en", sa.String(length=300), nullable=False),
        sa.Column("body_vi", sa.Text(), nullable=False),
        sa.Column("body_en", sa.Text(), nullable=False),
        sa.Column("link", sa.String(length=2000), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=True),
        sa.Column("channel_id", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("in_page", sa.Boolean(), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("email_to", sa.String(length=320), nullable=True),
        sa.Column("email_state", sa.String(length=16), nullable=False),
        sa.Column("email_attempts", sa.Integer(), nullable=False),
        sa.Column("email_due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("email_owner", sa.String(length=200), nullable=True),
        sa.Column("email_sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("email_error", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("user_id", "key", name="uq_notification_user_key"),
    )
    op.create_index(
        "ix_notification_user_unread", "notification", ["user_id", "in_page", "read_at"]
    )
    op.create_index("ix_notification_email_due", "notification", ["email_state", "email_due_at"])
    op.create_table(
        "notificationpreference",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("event", sa.String(length=32), nullable=False),
        sa.Column("in_page", sa.Boolean(), nullable=False),
        sa.Column("email", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id", "event"),
    )


def downgrade() -> None:
    op.drop_table("notificationpreference")
    op.drop_index("ix_notification_email_due", table_name="notification")
    op.drop_index("ix_notification_user_unread", table_name="notification")
    op.drop_table("notification")
    with op.batch_alter_table("user") as batch:
        batch.drop_column("email")

"""The tables of Loa (SQLModel). See DESIGN.md, "The data".

States are stored as short strings (the `StrEnum` values below), not database enums, so a new
state is a code change and a migration-free deploy on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
)  # fmt: skip
from sqlalchemy import UniqueConstraint as Unique
from sqlmodel import Field, SQLModel

from content.timeutil import UTCDateTime, utcnow


class Role(StrEnum):
    officer = "officer"
    editor = "editor"
    admin = "admin"


class EditorialState(StrEnum):
    draft = "draft"
    in_review = "in_review"
    approved = "approved"
    rejected = "rejected"
    cancelled = "cancelled"


class DeliveryState(StrEnum):
    pending = "pending"  # the post is not approved yet: the worker never touches it
    scheduled = "scheduled"
    claimed = "claimed"
    sending = "sending"
    published = "published"
    # The platform holds the post until its planned time (native scheduling: WordPress
    # `future`, YouTube `publishAt`); due_at is that time, and it counts as published once past.
    handed_over = "handed_over"
    reconciling = "reconciling"
    needs_review = "needs_review"
    failed = "failed"
    missed = "missed"
    cancelled = "cancelled"


FINAL_DELIVERY_STATES = frozenset(
    {DeliveryState.published, DeliveryState.failed, DeliveryState.missed, DeliveryState.cancelled}
)
# Deliveries in these states may be in a platform's hands: never rewritten by editorial changes.
IN_FLIGHT_DELIVERY_STATES = frozenset(
    {DeliveryState.claimed, DeliveryState.sending, DeliveryState.reconciling}
)


class ChannelState(StrEnum):
    active = "active"
    needs_auth = "needs_auth"
    paused = "paused"
    retired = "retired"  # removed from config.yaml: skipped by every worker, its posts held


class MissedPolicy(StrEnum):
    publish_late = "publish_late"
    skip = "skip"


class MediaKind(StrEnum):
    image = "image"
    video = "video"


def _utc_column(*, nullable: bool = True, index: bool = False) -> Any:
    return Column(UTCDateTime(), nullable=nullable, index=index)


def _json_column(*, nullable: bool = False) -> Any:
    return Column(JSON, nullable=nullable)


class Department(SQLModel, table=True):
    code: str = Field(primary_key=True, max_length=32)
    name_vi: str = Field(max_length=200)
    name_en: str = Field(max_length=200)


class User(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=64, unique=True, index=True)
    full_name: str = Field(default="", max_length=200)
    role: str = Field(sa_type=String(16))
    department_code: str | None = Field(default=None, foreign_key="department.code")
    active: bool = True
    password_hash: str | None = Field(default=None, max_length=300)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_utc_column(nullable=False))
    email: str | None = Field(default=None, max_length=320)  # where notifications are mailed


class Channel(SQLModel, table=True):
    id: str = Field(primary_key=True, max_length=64)
    type: str = Field(max_length=32)
    department_code: str = Field(foreign_key="department.code")
    name: str = Field(default="", max_length=200)
    settings: dict[str, Any] = Field(default_factory=dict, sa_column=_json_column())
    credentials: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    state: str = Field(default=ChannelState.active, sa_type=String(16))
    slots: list[str] = Field(default_factory=list, sa_column=_json_column())
    cooldown_until: datetime | None = Field(default=None, sa_column=_utc_column())
    created_at: datetime = Field(default_factory=utcnow, sa_column=_utc_column(nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_utc_column(nullable=False))


class Post(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=300)
    body: str = Field(default="", sa_type=Text)
    link: str | None = Field(default=None, max_length=2000)
    hashtags: list[str] = Field(default_factory=list, sa_column=_json_column())
    topic: str = Field(max_length=1, index=True)
    pillar: str | None = Field(default=None, max_length=8)
    audience: str | None = Field(default=None, max_length=200)
    department_code: str = Field(foreign_key="department.code", index=True)
    author_id: int = Field(foreign_key="user.id")
    state: str = Field(default=EditorialState.draft, sa_type=String(16), index=True)
    scheduled_at: datetime | None = Field(default=None, sa_column=_utc_column(index=True))
    missed_policy: str = Field(default=MissedPolicy.publish_late, sa_type=String(16))
    grace_minutes: int = 60
    review_comment: str | None = Field(default=None, sa_type=Text)
    # The weekly posts created together (content.post_copies.weekly_series) share this id.
    series_id: str | None = Field(default=None, max_length=32, index=True)
    version: int = 1
    created_at: datetime = Field(default_factory=utcnow, sa_column=_utc_column(nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_utc_column(nullable=False))


class Media(SQLModel, table=True):
    """A file in the content-addressed media store, named by the sha256 of its bytes."""

    sha256: str = Field(primary_key=True, max_length=64)
    kind: str = Field(sa_type=String(8))
    mime: str = Field(max_length=64)
    size_bytes: int
    width: int | None = None
    height: int | None = None
    duration_seconds: float | None = None
    original_name: str = Field(default="", max_length=300)
    alt_text: str = Field(default="", max_length=1000)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_utc_column(nullable=False))
    # The uploading officer's department; None: shared with every department (uploaded by an
    # editor or administrator, or before departments were kept). See content.media_library.
    department_code: str | None = Field(default=None, max_length=32, index=True)


class PostMedia(SQLModel, table=True):
    post_id: int = Field(
        sa_column=Column(Integer, ForeignKey("post.id", ondelete="CASCADE"), primary_key=True)
    )
    media_sha256: str = Field(foreign_key="media.sha256", primary_key=True, max_length=64)
    position: int = 0
    alt_text: str | None = Field(default=None, max_length=1000)


class Delivery(SQLModel, table=True):
    """One post on one channel: the unit the worker claims and publishes."""

    __table_args__ = (
        Unique("post_id", "channel_id", name="uq_delivery_post_channel"),
        Index("ix_delivery_state_due", "state", "due_at"),
        Index("ix_delivery_channel_due", "channel_id", "due_at"),
        Index("ix_delivery_state_channel_due", "state", "channel_id", "due_at"),
        # The reports' scans of a period's published deliveries read this index alone.
        Index("ix_delivery_state_published", "state", "published_at", "channel_id", "post_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    post_id: int = Field(
        sa_column=Column(Integer, ForeignKey("post.id", ondelete="CASCADE"), nullable=False)
    )
    channel_id: str = Field(foreign_key="channel.id", index=True, max_length=64)
    overrides: dict[str, Any] = Field(default_factory=dict, sa_column=_json_column())
    state: str = Field(default=DeliveryState.pending, sa_type=String(16))
    due_at: datetime | None = Field(default=None, sa_column=_utc_column(index=True))
    attempts: int = 0
    lease_owner: str | None = Field(default=None, max_length=200)
    lease_expires_at: datetime | None = Field(default=None, sa_column=_utc_column())
    send_started_at: datetime | None = Field(default=None, sa_column=_utc_column())
    remote_id: str | None = Field(default=None, max_length=300)
    remote_url: str | None = Field(default=None, max_length=2000)
    published_at: datetime | None = Field(default=None, sa_column=_utc_column())
    last_error: str | None = Field(default=None, sa_type=Text)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_utc_column(nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_utc_column(nullable=False))


class ChangeAction(StrEnum):
    update = "update"  # send the post's editable fields again (a correction, a new time)
    remove = "remove"  # take it down (cancelling a post the platform holds until its time)


class ChangeState(StrEnum):
    queued = "queued"  # waits for its due time (and, for an update, for the post's approval)
    working = "working"  # leased by a worker that is calling the platform
    done = "done"  # the platform took it (`unchanged` lists what must be changed by hand)
    by_hand = "by_hand"  # nothing could be sent: the platform cannot change these fields
    failed = "failed"  # the platform refused it; the reason is kept
    superseded = "superseded"  # nothing left to change (the delivery was removed meanwhile)


class DeliveryChange(SQLModel, table=True):
    """A change to what a platform already holds: queued by an edit, a reschedule or a
    cancellation, carried out by a worker (leased, retried, with an Attempt row per try)."""

    __table_args__ = (Index("ix_deliverychange_state_due", "state", "due_at"),)

    id: int | None = Field(default=None, primary_key=True)
    delivery_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("delivery.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    action: str = Field(sa_type=String(8))
    fields: list[str] = Field(default_factory=list, sa_column=_json_column())
    state: str = Field(default=ChangeState.queued, sa_type=String(16))
    due_at: datetime = Field(default_factory=utcnow, sa_column=_utc_column(nullable=False))
    attempts: int = 0
    lease_owner: str | None = Field(default=None, max_length=200)
    lease_expires_at: datetime | None = Field(default=None, sa_column=_utc_column())
    requested_by: str = Field(default="", max_length=64)
    unchanged: list[str] = Field(default_factory=list, sa_column=_json_column())
    last_error: str | None = Field(default=None, sa_type=Text)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_utc_column(nullable=False))
    finished_at: datetime | None = Field(default=None, sa_column=_utc_column())


class MetricReading(SQLModel, table=True):
    """One figure of one delivery as a platform reported it at one time: append-only evidence.

    `value` None is "no figure" (the platform did not report it), never 0.
    """

    __table_args__ = (
        Index("ix_metricreading_delivery_metric_at", "delivery_id", "metric", "collected_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    delivery_id: int = Field(
        sa_column=Column(Integer, ForeignKey("delivery.id", ondelete="CASCADE"), nullable=False)
    )
    metric: str = Field(max_length=16)
    value: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    collected_at: datetime = Field(sa_column=_utc_column(nullable=False))


class DeliveryMetrics(SQLModel, table=True):
    """The latest figures of a published delivery and when to read them next (one row each).

    `figures` maps a metric to its latest reported value (a later reading without the figure
    keeps the last one reported; a metric read but never reported is None). `next_due_at`
    None: no more readings (the post is gone, or past its reporting year). Collectors claim a
    row by moving `next_due_at` forward, so two workers do not read the same post at once.
    """

    __table_args__ = (Index("ix_deliverymetrics_next_due", "next_due_at"),)

    delivery_id: int = Field(
        sa_column=Column(Integer, ForeignKey("delivery.id", ondelete="CASCADE"), primary_key=True)
    )
    channel_id: str = Field(max_length=64, index=True)
    figures: dict[str, int | None] = Field(default_factory=dict, sa_column=_json_column())
    notes: list[dict[str, str]] = Field(default_factory=list, sa_column=_json_column())
    readings: int = 0
    collected_at: datetime | None = Field(default=None, sa_column=_utc_column())
    next_due_at: datetime | None = Field(default=None, sa_column=_utc_column())
    gone: bool = Field(default=False, sa_column=Column(Boolean, nullable=False, default=False))
    # `figures` again, one number a column (None: no figure), for the reports to add up in SQL;
    # written with `figures` (content.metrics.record), never apart.
    views: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    reach: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    reactions: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    comments: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    shares: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    video_views: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))


class MetricsCall(SQLModel, table=True):
    """One call a collector made to read figures: how many posts, what it cost, how it ended.

    Kept so quota-limited platforms (YouTube) never spend on figures the units a planned upload
    of the day needs, and so the cost of collecting is visible.
    """

    id: int | None = Field(default=None, primary_key=True)
    channel_id: str = Field(max_length=64)
    at: datetime = Field(sa_column=_utc_column(nullable=False, index=True))
    posts: int = 0
    units: int = 0
    outcome: str = Field(default="", max_length=32)


class Attempt(SQLModel, table=True):
    """Every try of a delivery, kept as evidence behind its state."""

    id: int | None = Field(default=None, primary_key=True)
    delivery_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("delivery.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    number: int
    worker_id: str = Field(default="", max_length=200)
    started_at: datetime = Field(sa_column=_utc_column(nullable=False))
    finished_at: datetime | None = Field(default=None, sa_column=_utc_column())
    outcome: str = Field(default="", max_length=32)
    error_kind: str | None = Field(default=None, max_length=64)
    error_message: str | None = Field(default=None, sa_type=Text)


class AuditEvent(SQLModel, table=True):
    """Append-only: who did what to which post or channel, and when."""

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_column=_utc_column(nullable=False, index=True))
    actor: str = Field(max_length=64)
    action: str = Field(max_length=64)
    post_id: int | None = Field(default=None, index=True)
    channel_id: str | None = Field(default=None, max_length=64)
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=_json_column())


class PublishingControl(SQLModel, table=True):
    """One row: whether publishing is paused (an emergency stop), why, and by whom."""

    id: int = Field(default=1, primary_key=True)
    paused: bool = False
    reason: str | None = Field(default=None, sa_type=Text)
    changed_by: str = Field(default="", max_length=64)
    changed_at: datetime = Field(default_factory=utcnow, sa_column=_utc_column(nullable=False))


class Installation(SQLModel, table=True):
    """One row: this installation's key, made once when the schema is created. It goes into the
    marker of every post sent, so two Loa databases publishing to one site never mistake each
    other's posts for their own."""

    id: int = Field(default=1, primary_key=True)
    key: str = Field(max_length=32)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_utc_column(nullable=False))


class WorkerHeartbeat(SQLModel, table=True):
    """A worker process says it is alive every few seconds; `loa worker status` reads these."""

    worker_id: str = Field(primary_key=True, max_length=200)
    host: str = Field(default="", max_length=200)
    pid: int = 0
    threads: int = 0
    started_at: datetime = Field(default_factory=utcnow, sa_column=_utc_column(nullable=False))
    last_seen_at: datetime = Field(default_factory=utcnow, sa_column=_utc_column(nullable=False))
    last_dispatch_at: datetime | None = Field(default=None, sa_column=_utc_column())
    in_flight: int = 0
    published: int = 0
    failed: int = 0
    stopping: bool = False


class WebSession(SQLModel, table=True):
    """A signed-in browser. The cookie holds a random secret; only its sha256 is stored here,
    so a copy of the database cannot be replayed as a session."""

    id: str = Field(primary_key=True, max_length=64)  # sha256 hex of the cookie value
    user_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("user.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    csrf_token: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_utc_column(nullable=False))
    last_seen_at: datetime = Field(default_factory=utcnow, sa_column=_utc_column(nullable=False))
    expires_at: datetime = Field(sa_column=_utc_column(nullable=False, index=True))
    lang: str = Field(default="vi", max_length=8)


class ApiToken(SQLModel, table=True):
    """A per-user REST API token: the secret is shown once, only its sha256 is kept."""

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("user.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    name: str = Field(max_length=100)
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_utc_column(nullable=False))
    last_used_at: datetime | None = Field(default=None, sa_column=_utc_column())
    revoked_at: datetime | None = Field(default=None, sa_column=_utc_column())


class FeedScope(StrEnum):
    all = "all"
    department = "department"
    channel = "channel"


class FeedToken(SQLModel, table=True):
    """An unguessable iCalendar feed address for one scope; only its sha256 is kept."""

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    scope_kind: str = Field(default=FeedScope.all, sa_type=String(16))
    scope_value: str | None = Field(default=None, max_length=64)
    created_by: int = Field(foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow, sa_column=_utc_column(nullable=False))
    revoked_at: datetime | None = Field(default=None, sa_column=_utc_column())


class LoginAttempt(SQLModel, table=True):
    """Failed sign-ins, kept in the database so throttling holds across server processes."""

    __table_args__ = (Index("ix_loginattempt_who_at", "username", "client", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=64)
    client: str = Field(default="", max_length=64)
    at: datetime = Field(default_factory=utcnow, sa_column=_utc_column(nullable=False))


class SentReminder(SQLModel, table=True):
    """A reminder (monthly digest, report deadline, observance) that went out, by its key.

    The key ("digest:2026-11:SDL", "deadline:2026:14", "observance:ASEAN Day:2026") is the
    primary key: workers claim a reminder by inserting its row, and the one whose insert loses
    on the key does not send it, so it goes out once however many workers run.
    """

    key: str = Field(primary_key=True, max_length=200)
    kind: str = Field(max_length=16)
    subject: str = Field(default="", max_length=300)
    worker_id: str = Field(default="", max_length=200)
    sent_at: datetime = Field(sa_column=_utc_column(nullable=False))


class Notification(SQLModel, table=True):
    """One thing a person was told (content.notifications): shown in the page, mailed, or both.

    The row is also the e-mail outbox and its ledger: `email_state` goes queued -> sending ->
    sent (or failed after its retries, or unknown when a worker died while sending, which is
    never sent again). (user, key) is unique, so telling someone the same thing twice is a no-op.
    """

    __table_args__ = (
        Unique("user_id", "key", name="uq_notification_user_key"),
        Index("ix_notification_user_unread", "user_id", "in_page", "read_at"),
        Index("ix_notification_email_due", "email_state", "email_due_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(
        sa_column=Column(Integer, ForeignKey("user.id", ondelete="CASCADE"), nullable=False)
    )
    event: str = Field(max_length=32)
    key: str = Field(max_length=200)
    title_vi: str = Field(max_length=300)
    title_en: str = Field(max_length=300)
    body_vi: str = Field(default="", sa_type=Text)
    body_en: str = Field(default="", sa_type=Text)
    link: str = Field(default="", max_length=2000)  # a path inside Loa ("/posts/12")
    post_id: int | None = Field(default=None)
    channel_id: str | None = Field(default=None, max_length=64)
    created_at: datetime = Field(sa_column=_utc_column(nullable=False))
    in_page: bool = Field(default=True, sa_column=Column(Boolean, nullable=False))
    read_at: datetime | None = Field(default=None, sa_column=_utc_column())
    email_to: str | None = Field(default=None, max_length=320)
    email_state: str = Field(default="none", sa_type=String(16))
    email_attempts: int = 0
    email_due_at: datetime | None = Field(default=None, sa_column=_utc_column())
    email_owner: str | None = Field(default=None, max_length=200)
    email_sent_at: datetime | None = Field(default=None, sa_column=_utc_column())
    email_error: str | None = Field(default=None, max_length=500)


class NotificationPreference(SQLModel, table=True):
    """A person's choice for one kind of event; no row means the default (both on)."""

    user_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("user.id", ondelete="CASCADE"), primary_key=True, nullable=False
        )
    )
    event: str = Field(primary_key=True, max_length=32)
    in_page: bool = Field(default=True, sa_column=Column(Boolean, nullable=False))
    email: bool = Field(default=True, sa_column=Column(Boolean, nullable=False))

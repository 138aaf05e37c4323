"""Acting on one delivery (one post on one channel): its evidence, a retry, a cancellation.

The post's workflow (`content.posts`) moves all of a post's deliveries together; a person looking
at a delivery that failed, was missed or needs a look may also:

- retry it: failed, missed or needs_review -> scheduled, at once or at a chosen later time, with a
  fresh budget of tries (the attempts made so far stay as evidence). Only for an approved post;
  a needs_review delivery may already be on the platform, so the page says to look first.
- cancel it: any delivery not published, not cancelled and not being sent; one the platform
  holds until its time (`handed_over`) is removed there by a worker first.

Who may: the same rule as the workflow's (officers for their department's posts, editors and
admins for every post). Each change is one transaction with its audit event; a refusal is a
`UserError` in both languages and changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, tzinfo

from sqlalchemy import func
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from content import audit
from content.corrections import latest_changes, queue_change
from content.db import Database
from content.errors import InvalidInput, NotFound, PermissionDenied, TransitionRefused
from content.inputs import problem, time_problem
from content.models import (
    Attempt,
    ChangeAction,
    Channel,
    Delivery,
    DeliveryChange,
    DeliveryState,
    EditorialState,
    Post,
    Role,
)
from content.reasons import reason_text
from content.timeutil import VI_DATETIME, as_utc, format_local, utcnow
from content.workflow import Actor, in_language

D = DeliveryState

RETRYABLE = frozenset({D.failed, D.missed, D.needs_review})
CANCELLABLE = frozenset({D.pending, D.scheduled, D.failed, D.missed, D.needs_review, D.handed_over})

DELIVERY_STATE_LABELS: dict[str, tuple[str, str]] = {
    D.pending: ("Chờ duyệt bài", "Waiting for approval"),
    D.scheduled: ("Đã lên lịch", "Scheduled"),
    D.claimed: ("Đang chuẩn bị đăng", "Being prepared"),
    D.sending: ("Đang đăng", "Sending"),
    D.published: ("Đã đăng", "Published"),
    D.handed_over: ("Đã giao nền tảng, chờ giờ đăng", "With the platform until its time"),
    D.reconciling: ("Đang đối soát", "Checking the platform"),
    D.needs_review: ("Cần kiểm tra", "Needs a look"),
    D.failed: ("Thất bại", "Failed"),
    D.missed: ("Lỡ giờ", "Missed"),
    D.cancelled: ("Đã hủy", "Cancelled"),
}


def delivery_state_label(state: str, lang: str = "vi") -> str:
    return in_language(DELIVERY_STATE_LABELS, state, lang)


@dataclass(frozen=True)
class DeliveryEvidence:
    """A delivery with every attempt made at it, oldest first."""

    delivery: Delivery
    attempts: list[Attempt]
    change: DeliveryChange | None = None  # the latest change sent (or to send) to the platform

    @property
    def retryable(self) -> bool:
        return self.delivery.state in RETRYABLE

    @property
    def cancellable(self) -> bool:
        return self.delivery.state in CANCELLABLE


class DeliveryService:
    def __init__(self, db: Database, tz: tzinfo, *, clock: Callable[[], datetime] = utcnow) -> None:
        self.db = db
        self.tz = tz
        self.clock = clock

    def evidence(self, post_id: int) -> list[DeliveryEvidence]:
        with self.db.read() as session:
            deliveries = session.exec(
                select(Delivery)
                .where(Delivery.post_id == post_id)
                .order_by(col(Delivery.channel_id))
            ).all()
            ids = [d.id for d in deliveries if d.id is not None]
            attempts: dict[int, list[Attempt]] = {}
            for attempt in session.exec(
                select(Attempt)
                .where(col(Attempt.delivery_id).in_(ids))
                .order_by(col(Attempt.started_at), col(Attempt.id))
            ).all():
                attempts.setdefault(attempt.delivery_id, []).append(attempt)
            changes = latest_changes(session, ids)
            return [
                DeliveryEvidence(d, attempts.get(d.id or 0, []), changes.get(d.id or 0))
                for d in deliveries
            ]

    def retry(self, actor: Actor, delivery_id: int, when: datetime | None = None) -> Delivery:
        """Back to scheduled: due now, or at `when` (which must be in the future)."""
        now = self.clock()
        if when is not None and as_utc(when) <= now:
            shown, vi = format_local(when, self.tz), format_local(when, self.tz, VI_DATETIME)
            raise InvalidInput(
                [
                    problem(
                        "at",
                        f"Giờ {vi} đã qua; hãy chọn giờ sau hoặc để trống để thử lại ngay.",
                        f"the time {shown} is in the past; choose a later one, or leave it"
                        " empty to retry now",
                    )
                ],
                f"delivery #{delivery_id} not retried",
            )
        out_of_range = None if when is None else time_problem("at", when)
        if out_of_range is not None:
            raise InvalidInput([out_of_range], f"delivery #{delivery_id} not retried")
        with self.db.write() as session:
            delivery, post = self._load(session, actor, delivery_id, "retry")
            if delivery.state not in RETRYABLE:
                raise TransitionRefused(
                    f"cannot retry the delivery to {delivery.channel_id}: it is"
                    f" {delivery_state_label(delivery.state, 'en').lower()}; only failed, missed"
                    " or needs-a-look deliveries are retried",
                    f"Không thể thử lại lượt đăng lên {delivery.channel_id}: đang ở trạng thái"
                    f" “{delivery_state_label(delivery.state)}”; chỉ thử lại lượt đăng thất"
                    " bại, lỡ giờ hoặc cần kiểm tra.",
                )
            if post.state != EditorialState.approved:
                raise TransitionRefused(
                    f"cannot retry: post #{post.id} is not approved ({post.state})",
                    f"Không thể thử lại: bài #{post.id} chưa được duyệt hoặc đã hủy.",
                )
            _reschedule(session, actor, delivery, as_utc(when) if when is not None else now, now)
            return delivery

    def retry_failed_on_channel(self, actor: Actor, channel_id: str) -> int:
        """Every failed delivery of an approved post on one channel back to scheduled, due now,
        in one transaction (each with its own `delivery.retried` event, as a single retry, and
        one `channel.failed_retried` event with the count); administrators only. How many."""
        if actor.role != Role.admin:
            raise PermissionDenied(
                "only administrators retry a channel's failed deliveries at once",
                "Chỉ quản trị viên được thử lại mọi lượt đăng thất bại của một kênh.",
            )
        now = self.clock()
        with self.db.write() as session:
            if session.get(Channel, channel_id) is None:
                raise NotFound(f"no channel {channel_id!r}", f"Không có kênh “{channel_id}”.")
            found = session.exec(_failed_on(channel_id).with_for_update()).all()
            for delivery in found:
                _reschedule(session, actor, delivery, now, now)
            audit.record(
                session, actor.username, "channel.failed_retried", channel_id=channel_id, at=now,
                count=len(found),
            )  # fmt: skip
            return len(found)

    def cancel(self, actor: Actor, delivery_id: int, reason: str | None = None) -> Delivery:
        now = self.clock()
        with self.db.write() as session:
            delivery, _post = self._load(session, actor, delivery_id, "cancel")
            if delivery.state not in CANCELLABLE:
                raise TransitionRefused(
                    f"cannot cancel the delivery to {delivery.channel_id}: it is"
                    f" {delivery_state_label(delivery.state, 'en').lower()}",
                    f"Không thể hủy lượt đăng lên {delivery.channel_id}: đang ở trạng thái"
                    f" “{delivery_state_label(delivery.state)}”.",
                )
            if delivery.state == D.handed_over:
                # The platform would publish it at its time: a worker removes it there first,
                # and the delivery is cancelled once the platform has let it go.
                queue_change(session, delivery, ChangeAction.remove, [], actor.username, now)
                return delivery
            _move(
                session, actor, delivery, D.cancelled, now, "delivery.cancelled",
                reason=(reason or "").strip() or None,
            )  # fmt: skip
            return delivery

    def _load(
        self, session: Session, actor: Actor, delivery_id: int, verb: str
    ) -> tuple[Delivery, Post]:
        delivery = session.get(Delivery, delivery_id, with_for_update=not self.db.is_sqlite)
        post = session.get(Post, delivery.post_id) if delivery is not None else None
        if delivery is None or post is None:
            raise NotFound(f"no delivery #{delivery_id}", f"Không có lượt đăng #{delivery_id}.")
        if not actor.reviews and actor.department_code != post.department_code:
            # another department's: "not found", as if it did not exist (no owner named)
            raise NotFound(f"no delivery #{delivery_id}", f"Không có lượt đăng #{delivery_id}.")
        return delivery, post


def failed_counts(session: Session) -> dict[str, int]:
    """How many deliveries `retry_failed_on_channel` would retry, by channel."""
    query = (
        select(Delivery.channel_id, func.count())
        .join(Post, col(Post.id) == col(Delivery.post_id))
        .where(Delivery.state == D.failed, Post.state == EditorialState.approved)
        .group_by(col(Delivery.channel_id))
    )
    return {channel_id: count for channel_id, count in session.exec(query).all()}


def _failed_on(channel_id: str) -> SelectOfScalar[Delivery]:
    return (
        select(Delivery)
        .join(Post, col(Post.id) == col(Delivery.post_id))
        .where(
            Delivery.channel_id == channel_id,
            Delivery.state == D.failed,
            Post.state == EditorialState.approved,
        )
        .order_by(col(Delivery.id))
    )


def _reschedule(
    session: Session, actor: Actor, delivery: Delivery, due_at: datetime, now: datetime
) -> None:
    """Back to scheduled with a fresh budget of tries; the Attempt rows stay as evidence."""
    delivery.due_at = due_at
    delivery.attempts = 0
    delivery.lease_owner = None
    delivery.lease_expires_at = None
    _move(
        session, actor, delivery, D.scheduled, now, "delivery.retried",
        due_at=due_at,
        last_error=reason_text(delivery.last_error, "vi"),  # as people read it, in the trail
    )  # fmt: skip


def _move(
    session: Session,
    actor: Actor,
    delivery: Delivery,
    state: str,
    now: datetime,
    action: str,
    **detail: object,
) -> None:
    """A person's change of a delivery's state, with its audit event (the states before and
    after, then `detail`) in the same transaction."""
    old = delivery.state
    delivery.state = state
    delivery.updated_at = now
    session.add(delivery)
    audit.record(
        session,
        actor.username,
        action,
        post_id=delivery.post_id,
        channel_id=delivery.channel_id,
        at=now,
        state=[old, state],
        **detail,
    )

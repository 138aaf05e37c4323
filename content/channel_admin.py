"""The channels as the channels page shows them, and an administrator pausing one.

A channel's state is active, needs_auth (its credentials stopped working: someone must run
`loa channels connect ID`) or paused (an administrator held it back; its deliveries wait).
Pausing and unpausing are the administrator's, recorded in the audit trail.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from content import audit
from content.db import Database
from content.errors import NotFound, PermissionDenied, TransitionRefused
from content.models import Attempt, Channel, ChannelState, Delivery, DeliveryState, Role
from content.timeutil import utcnow
from content.workflow import Actor


@dataclass(frozen=True)
class LastEvent:
    at: datetime
    post_id: int
    detail: str  # the public link of a success, the error of a failure
    kind: str = ""  # the error's kind (Rejected, RateLimited...) for a failure


@dataclass(frozen=True)
class ChannelOverview:
    id: str
    type: str
    name: str
    department_code: str
    state: str
    cooldown_until: datetime | None
    settings: dict[str, object]
    last_success: LastEvent | None
    last_failure: LastEvent | None

    def cooling_down(self, now: datetime) -> bool:
        return self.cooldown_until is not None and self.cooldown_until > now


def overviews(session: Session) -> list[ChannelOverview]:
    """Every channel, with its last success and last failure."""
    found = []
    for channel in session.exec(select(Channel).order_by(col(Channel.id))).all():
        found.append(
            ChannelOverview(
                channel.id,
                channel.type,
                channel.name,
                channel.department_code,
                channel.state,
                channel.cooldown_until,
                dict(channel.settings),
                _last_success(session, channel.id),
                _last_failure(session, channel.id),
            )
        )
    return found


def _last_success(session: Session, channel_id: str) -> LastEvent | None:
    row = session.exec(
        select(Delivery)
        .where(Delivery.channel_id == channel_id, Delivery.state == DeliveryState.published)
        .order_by(col(Delivery.published_at).desc(), col(Delivery.id).desc())
        .limit(1)
    ).first()
    if row is None:
        return None
    return LastEvent(row.published_at or row.updated_at, row.post_id, row.remote_url or "")


def _last_failure(session: Session, channel_id: str) -> LastEvent | None:
    row = session.exec(
        select(Attempt, Delivery.post_id)
        .join(Delivery, col(Delivery.id) == col(Attempt.delivery_id))
        .where(Delivery.channel_id == channel_id, col(Attempt.error_kind).is_not(None))
        .order_by(func.coalesce(Attempt.finished_at, Attempt.started_at).desc())
        .limit(1)
    ).first()
    if row is None:
        return None
    attempt, post_id = row
    return LastEvent(
        attempt.finished_at or attempt.started_at,
        post_id,
        attempt.error_message or "",
        attempt.error_kind or "",
    )


def set_paused(
    db: Database,
    actor: Actor,
    channel_id: str,
    paused: bool,
    *,
    clock: Callable[[], datetime] = utcnow,
) -> Channel:
    """active -> paused, or paused -> active; administrators only, with an audit record."""
    if actor.role != Role.admin:
        raise PermissionDenied(
            f"only administrators may pause or resume channels; {actor.username} is an"
            f" {actor.role}",
            f"Chỉ quản trị viên mới được tạm dừng hoặc mở lại kênh; {actor.username} không"
            " phải quản trị viên.",
        )
    now = clock()
    with db.write() as session:
        channel = session.get(Channel, channel_id)
        if channel is None:
            raise NotFound(f"no channel {channel_id!r}", f"Không có kênh “{channel_id}”.")
        want_from = ChannelState.active if paused else ChannelState.paused
        if channel.state != want_from:
            if paused:
                raise TransitionRefused(
                    f"channel {channel_id} is {channel.state}, not active; only an active"
                    " channel can be paused",
                    f"Kênh {channel_id} đang ở trạng thái {channel.state}, không phải đang"
                    " hoạt động; chỉ tạm dừng được kênh đang hoạt động.",
                )
            raise TransitionRefused(
                f"channel {channel_id} is {channel.state}, not paused; nothing to resume",
                f"Kênh {channel_id} không bị tạm dừng (trạng thái {channel.state}); không có gì"
                " để mở lại.",
            )
        channel.state = ChannelState.paused if paused else ChannelState.active
        channel.updated_at = now
        session.add(channel)
        audit.record(
            session,
            actor.username,
            "channel.paused" if paused else "channel.resumed",
            channel_id=channel_id,
            at=now,
            state=[want_from, channel.state],
        )
        return channel

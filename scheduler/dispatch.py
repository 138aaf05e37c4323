"""Moving due work along: claiming deliveries, reaping expired leases, applying the missed rule.

The claim is one statement for both databases::

    WITH candidates AS MATERIALIZED (          -- due, on an active channel not cooling down
        SELECT ... FROM delivery JOIN channel ... ORDER BY due_at LIMIT k
        FOR UPDATE OF delivery SKIP LOCKED),   -- PostgreSQL: other workers skip these rows
    ranked AS (SELECT ..., row_number() OVER (PARTITION BY channel_id ORDER BY due_at))
    UPDATE delivery SET state = 'claimed', lease_owner = :me, lease_expires_at = :until
    WHERE id IN (SELECT id FROM ranked
                 WHERE rn <= <channel cap> - <its deliveries in flight, counted once per channel>
                 ORDER BY due_at LIMIT :free)
    RETURNING id, channel_id

On SQLite the write transaction already holds the database lock (`BEGIN IMMEDIATE`), so the
locking clause is simply not rendered. Window functions may not sit beside FOR UPDATE on
PostgreSQL, which is why the row locks are taken in their own materialised CTE.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, case, exists, func, or_, select, update
from sqlmodel import Session, col

from content.models import (
    Attempt,
    Channel,
    ChannelState,
    Delivery,
    DeliveryState,
    MissedPolicy,
    Post,
)

log = logging.getLogger(__name__)

D = DeliveryState
IN_FLIGHT = (D.claimed, D.sending)
SKIP_TOLERANCE = timedelta(minutes=2)  # "skip if missed" still allows a worker's usual delay


@dataclass(frozen=True)
class ChannelLimits:
    max_concurrent: int = 2  # deliveries of this channel being published at once
    min_interval_seconds: float = 0.0  # pacing: at least this long between two starts


@dataclass(frozen=True)
class Claimed:
    delivery_id: int
    channel_id: str


def claim(
    session: Session,
    worker_id: str,
    free: int,
    now: datetime,
    lease: timedelta,
    limits: Mapping[str, ChannelLimits],
    default: ChannelLimits = ChannelLimits(),
) -> list[Claimed]:
    """Claim up to `free` due deliveries for this worker, respecting every channel's limits."""
    if free <= 0:
        return []
    delivery, channel = Delivery.__table__, Channel.__table__  # type: ignore[attr-defined]
    ranked = (
        select(
            delivery.c.id,
            delivery.c.channel_id,
            delivery.c.due_at,
            func.row_number()
            .over(partition_by=delivery.c.channel_id, order_by=(delivery.c.due_at, delivery.c.id))
            .label("rn"),
        )
        .join(channel, channel.c.id == delivery.c.channel_id)
        .where(
            delivery.c.state == D.scheduled,
            delivery.c.due_at <= now,
            channel.c.state == ChannelState.active,
            or_(channel.c.cooldown_until.is_(None), channel.c.cooldown_until <= now),
        )
        .cte("ranked")
    )
    in_flight = (
        select(delivery.c.channel_id, func.count().label("n"))
        .where(
            delivery.c.state.in_(IN_FLIGHT),
            delivery.c.lease_expires_at > now,  # a dead worker's sends stop counting with its lease
        )
        .group_by(delivery.c.channel_id)
        .cte("in_flight")
    )
    caps = {cid: _cap(limit) for cid, limit in limits.items() if _cap(limit) != _cap(default)}
    cap = case(caps, value=ranked.c.channel_id, else_=_cap(default)) if caps else _cap(default)
    chosen = (
        select(delivery.c.id)
        .join(ranked, ranked.c.id == delivery.c.id)
        .outerjoin(in_flight, in_flight.c.channel_id == ranked.c.channel_id)
        .where(ranked.c.rn <= cap - func.coalesce(in_flight.c.n, 0))
        .order_by(ranked.c.due_at, ranked.c.id)
        .limit(free)
        .with_for_update(skip_locked=True, of=delivery)
        .cte("chosen")
        .prefix_with("MATERIALIZED")
    )
    statement = (
        update(delivery)
        .where(delivery.c.id.in_(select(chosen.c.id)), delivery.c.state == D.scheduled)
        .values(
            state=D.claimed,
            lease_owner=worker_id,
            lease_expires_at=now + lease,
            updated_at=now,
        )
        .returning(delivery.c.id, delivery.c.channel_id)
    )
    claimed = [Claimed(row.id, row.channel_id) for row in session.execute(statement)]
    _pace(session, claimed, now, limits, default)
    return claimed


def _cap(limit: ChannelLimits) -> int:
    """A paced channel starts at most one delivery per claim; its cooldown spaces the next."""
    return 1 if limit.min_interval_seconds > 0 else max(1, limit.max_concurrent)


def _pace(
    session: Session,
    claimed: list[Claimed],
    now: datetime,
    limits: Mapping[str, ChannelLimits],
    default: ChannelLimits,
) -> None:
    for channel_id in {item.channel_id for item in claimed}:
        interval = limits.get(channel_id, default).min_interval_seconds
        if interval > 0:
            until = now + timedelta(seconds=interval)
            session.execute(
                update(Channel)
                .where(
                    col(Channel.id) == channel_id,
                    or_(col(Channel.cooldown_until).is_(None), col(Channel.cooldown_until) < until),
                )
                .values(cooldown_until=until)
            )


def reap_expired_leases(session: Session, now: datetime) -> tuple[list[int], list[int]]:
    """Leases that ran out: a claim never started goes back; a send may have landed."""
    released = list(
        session.execute(
            update(Delivery)
            .where(col(Delivery.state) == D.claimed, col(Delivery.lease_expires_at) < now)
            .values(state=D.scheduled, lease_owner=None, lease_expires_at=None, updated_at=now)
            .returning(col(Delivery.id))
        ).scalars()
    )
    unsure = list(
        session.execute(
            update(Delivery)
            .where(col(Delivery.state) == D.sending, col(Delivery.lease_expires_at) < now)
            .values(
                state=D.reconciling,
                due_at=now,
                lease_owner=None,
                lease_expires_at=None,
                last_error="the worker stopped while sending: checking the platform",
                updated_at=now,
            )
            .returning(col(Delivery.id))
        ).scalars()
    )
    if released or unsure:
        log.info("leases expired: %d released, %d to reconcile", len(released), len(unsure))
    return released, unsure


def mark_missed(session: Session, now: datetime) -> list[tuple[int, int, str]]:
    """Deliveries never tried whose time passed beyond their post's grace (or at all, for skip).

    "Missed" means no worker was there to publish: a delivery that was tried, or that waits for
    its channel (a person reconnecting it, a platform's cooldown), is not missed. Returns
    (delivery id, post id, channel id) of every delivery marked missed.
    """
    overdue = session.execute(
        select(
            col(Delivery.id),
            col(Delivery.post_id),
            col(Delivery.channel_id),
            col(Delivery.due_at),
            col(Post.missed_policy),
            col(Post.grace_minutes),
        )
        .join(Post, col(Post.id) == col(Delivery.post_id))
        .join(Channel, col(Channel.id) == col(Delivery.channel_id))
        .where(
            col(Delivery.state) == D.scheduled,
            col(Delivery.attempts) == 0,
            col(Delivery.due_at) < now - SKIP_TOLERANCE,
            col(Channel.state) == ChannelState.active,
            or_(col(Channel.cooldown_until).is_(None), col(Channel.cooldown_until) <= now),
            ~exists().where(col(Attempt.delivery_id) == col(Delivery.id)),
        )
    ).all()
    missed = []
    for delivery_id, post_id, channel_id, due_at, policy, grace in overdue:
        allowed = SKIP_TOLERANCE if policy == MissedPolicy.skip else timedelta(minutes=grace)
        if due_at + max(allowed, SKIP_TOLERANCE) < now:
            missed.append((delivery_id, post_id, channel_id))
    if missed:
        session.execute(
            update(Delivery)
            .where(
                and_(
                    col(Delivery.id).in_([item[0] for item in missed]),
                    col(Delivery.state) == D.scheduled,
                )
            )
            .values(
                state=D.missed,
                last_error="missed: Loa was not publishing at the time, and the grace ran out",
                updated_at=now,
            )
        )
        log.warning("marked %d deliveries missed", len(missed))
    return missed

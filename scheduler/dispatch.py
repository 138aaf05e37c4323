"""Moving due work along: claiming deliveries, reaping expired leases, applying the missed rule.

The claim is one statement for both databases::

    WITH ranked AS (                            -- each channel's earliest due rows, no more
        SELECT ..., row_number() OVER (PARTITION BY channel_id ORDER BY due_at, id) AS rn
        FROM (SELECT ... FROM delivery WHERE channel_id = 'a' AND state = 'scheduled'
              AND due_at <= :now ORDER BY due_at, id LIMIT <cap of a>)
             UNION ALL (... the same for every other channel ...)
        JOIN channel ...),                      -- active, not cooling down
    in_flight AS (SELECT channel_id, count(*) ... GROUP BY channel_id),
    chosen AS MATERIALIZED (SELECT id FROM delivery JOIN ranked ... LEFT JOIN in_flight ...
        WHERE rn <= <cap> - <in flight> ORDER BY due_at LIMIT :free
        FOR UPDATE OF delivery SKIP LOCKED)     -- PostgreSQL: other workers skip these rows
    UPDATE delivery SET state = 'claimed', lease_owner = :me, lease_expires_at = :until
    WHERE id IN (SELECT id FROM chosen) AND state = 'scheduled'
    RETURNING id, channel_id

Ranking happens before locking, so concurrent workers agree on which rows a channel may start
and skip the ones another worker holds rather than taking the next: a channel's cap holds
across workers. Each channel contributes at most its cap of candidates (read through
`ix_delivery_state_channel_due`), so a claim costs the same with ten due rows or ten thousand.
On SQLite the write transaction already holds the database lock (`BEGIN IMMEDIATE`), so the
locking clause is simply not rendered. Window functions may not sit beside FOR UPDATE on
PostgreSQL, which is why the row locks are taken in their own materialised CTE.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    Connection,
    and_,
    bindparam,
    exists,
    func,
    literal,
    or_,
    select,
    true,
    union_all,
    update,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement
from sqlmodel import Session, col

from content.models import (
    Attempt,
    Channel,
    ChannelState,
    Delivery,
    DeliveryState,
    MissedPolicy,
    Post,
    PublishingControl,
)
from content.timeutil import UTCDateTime
from scheduler.reasons import MISSED, STOPPED_WHILE_SENDING

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
    channels: Sequence[str] | None = None,
) -> list[Claimed]:
    """Claim up to `free` due deliveries for this worker, respecting every channel's limits,
    and nothing while publishing is paused. `channels` saves reading the channel list."""
    if free <= 0:
        return []
    if channels is None:
        channels = channel_ids(session)
    caps = tuple((channel_id, _cap(limits.get(channel_id, default))) for channel_id in channels)
    if not caps:
        return []
    rows = session.connection().execute(
        _claim_statement(caps, free),
        {"now": now, "worker": worker_id, "until": now + lease},
    )
    claimed = [Claimed(row.id, row.channel_id) for row in rows]
    _pace(session, claimed, now, limits, default)
    return claimed


def channel_ids(session: Session) -> list[str]:
    return list(session.execute(select(col(Channel.id)).order_by(col(Channel.id))).scalars())


@lru_cache(maxsize=128)
def _claim_statement(caps: tuple[tuple[str, int], ...], free: int) -> Any:
    """The claim for these channels and caps, built once: building it is most of its cost."""
    delivery, channel = Delivery.__table__, Channel.__table__  # type: ignore[attr-defined]
    control = PublishingControl.__table__  # type: ignore[attr-defined]
    now = bindparam("now", type_=UTCDateTime())
    earliest = [
        select(delivery.c.id, delivery.c.channel_id, delivery.c.due_at, literal(cap).label("cap"))
        .where(
            delivery.c.channel_id == channel_id,
            delivery.c.state == D.scheduled,
            delivery.c.due_at <= now,
        )
        .order_by(delivery.c.due_at, delivery.c.id)
        .limit(cap)
        .subquery()
        for channel_id, cap in caps
    ]
    candidates = union_all(*(select(*part.c) for part in earliest)).subquery("candidates")
    ranked = (
        select(
            *candidates.c,
            func.row_number()
            .over(
                partition_by=candidates.c.channel_id,
                order_by=(candidates.c.due_at, candidates.c.id),
            )
            .label("rn"),
        )
        .join(channel, channel.c.id == candidates.c.channel_id)
        .where(
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
    chosen = (
        select(delivery.c.id)
        .join(ranked, ranked.c.id == delivery.c.id)
        .outerjoin(in_flight, in_flight.c.channel_id == ranked.c.channel_id)
        .where(
            ranked.c.rn <= ranked.c.cap - func.coalesce(in_flight.c.n, 0),
            ~exists().where(control.c.paused == true()),
        )
        .order_by(ranked.c.due_at, ranked.c.id)
        .limit(free)
        .with_for_update(skip_locked=True, of=delivery)
        .cte("chosen")
        .prefix_with("MATERIALIZED")
    )
    return (
        update(delivery)
        .where(delivery.c.id.in_(select(chosen.c.id)), _Unindexed(delivery.c.state) == D.scheduled)
        .values(
            state=D.claimed,
            lease_owner=bindparam("worker"),
            lease_expires_at=bindparam("until", type_=UTCDateTime()),
            updated_at=now,
        )
        .returning(delivery.c.id, delivery.c.channel_id)
    )


class _Unindexed(FunctionElement[Any]):
    """A column the planner must not look up by index. The claim's final UPDATE re-checks
    `state = 'scheduled'` (for PostgreSQL, where other workers commit meanwhile); SQLite would
    answer that check by walking every scheduled row through the state index (23 ms with
    100,000 queued) instead of fetching the few chosen ids by rowid (0.1 ms). SQLite's unary
    `+` is its documented way to rule an index out; other databases get the plain column."""

    inherit_cache = True
    name = "unindexed"

    def __init__(self, column: Any) -> None:
        super().__init__(column)
        self.type = column.type


@compiles(_Unindexed)
def _plain_column(element: _Unindexed, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(element.clauses, **kw)


@compiles(_Unindexed, "sqlite")
def _no_index_on_sqlite(element: _Unindexed, compiler: SQLCompiler, **kw: Any) -> str:
    return "+" + compiler.process(element.clauses, **kw)


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


def queue_times(connection: Connection, now: datetime) -> tuple[bool, datetime | None]:
    """Whether anything is due now, and when the next thing falls due: two index lookups."""
    row = connection.execute(_QUEUE_TIMES, {"now": now}).one()
    return bool(row[0]), row[1]


def _queue_times_statement() -> Any:
    delivery = Delivery.__table__  # type: ignore[attr-defined]
    now = bindparam("now", type_=UTCDateTime())
    scheduled = delivery.c.state == D.scheduled
    next_due = select(func.min(delivery.c.due_at)).where(scheduled, delivery.c.due_at > now)
    return select(exists().where(scheduled, delivery.c.due_at <= now), next_due.scalar_subquery())


_QUEUE_TIMES = _queue_times_statement()  # built once: an idle worker runs it ten times a second


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
                last_error=STOPPED_WHILE_SENDING.encode(),
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
            col(Post.scheduled_at),
            col(Channel.settings),
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
    for delivery_id, post_id, channel_id, due_at, policy, grace, planned, settings in overdue:
        allowed = SKIP_TOLERANCE if policy == MissedPolicy.skip else timedelta(minutes=grace)
        late_from = due_at
        if (settings or {}).get("native_schedule") and planned is not None:
            # A native hand-over is due at approval, long before the post's own time: late
            # only once that time is.
            late_from = max(due_at, planned)
        if late_from + max(allowed, SKIP_TOLERANCE) < now:
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
                last_error=MISSED.encode(),
                updated_at=now,
            )
        )
        log.warning("marked %d deliveries missed", len(missed))
    return missed

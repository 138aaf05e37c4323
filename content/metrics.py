"""Figures of published deliveries: when to read them, and keeping what was read.

A published delivery is read about an hour, a day, a week and a month after it went out, then
monthly until the end of its reporting year (the province's reports are due before 1 November,
so a post's year ends on the first 1 November at least a month after it went out). Every reading
is kept (`MetricReading`, append-only); `DeliveryMetrics` holds the latest figures and the next
reading's time, so pages and reports read one row per delivery.

Content knows nothing of channels: readings come in as plain values (None is "no figure").
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo

from sqlalchemy import exists, func, insert, not_, update
from sqlmodel import Session, col, select

from content.models import Delivery, DeliveryMetrics, DeliveryState, MetricReading, MetricsCall
from content.timeutil import as_utc

# The first readings, by age; then one every MONTH until the reporting year ends.
FIRST_AGES = (timedelta(hours=1), timedelta(days=1), timedelta(days=7), timedelta(days=30))
MONTH = timedelta(days=30)
# How far a claim moves a row's next reading: a collector that dies mid-read leaves the row
# to be read again after this, not never.
CLAIM_HOLD = timedelta(minutes=10)
REPORT_MONTH, REPORT_DAY = 11, 1  # reports are due before 1 November
# DeliveryMetrics' number columns that repeat `figures` (content.stats adds them up).
FIGURE_COLUMNS = ("views", "reach", "reactions", "comments", "shares", "video_views")


def reporting_year_end(published_at: datetime, tz: tzinfo) -> datetime:
    """The first 1 November (midnight, local) at least a month after `published_at`."""
    local = as_utc(published_at).astimezone(tz) + MONTH
    end = datetime(local.year, REPORT_MONTH, REPORT_DAY, tzinfo=tz)
    if end <= local:
        end = datetime(local.year + 1, REPORT_MONTH, REPORT_DAY, tzinfo=tz)
    return as_utc(end)


def next_reading(published_at: datetime, readings_done: int, tz: tzinfo) -> datetime | None:
    """When the reading after `readings_done` readings is due; None when there is none left."""
    published_at = as_utc(published_at)
    if readings_done < len(FIRST_AGES):
        return published_at + FIRST_AGES[readings_done]
    end = reporting_year_end(published_at, tz)
    monthly = published_at + FIRST_AGES[-1] + MONTH * (readings_done - len(FIRST_AGES) + 1)
    if monthly < end:
        return monthly
    # One last reading at the year's end itself, so the report states the year's final figures.
    previous = published_at + FIRST_AGES[-1] + MONTH * (readings_done - len(FIRST_AGES))
    return end if previous < end else None


@dataclass(frozen=True)
class Reading:
    """What a platform answered about one delivery at one time."""

    delivery_id: int
    values: Mapping[str, int | None] = field(default_factory=dict)
    notes: Sequence[Mapping[str, str]] = ()  # {"field", "vi", "en"}: why figures are missing
    gone: bool = False


@dataclass(frozen=True)
class Due:
    delivery_id: int
    channel_id: str
    remote_id: str
    published_at: datetime


def schedule_new(session: Session) -> int:
    """Give every published delivery without a schedule its first reading. Returns how many.

    One INSERT ... SELECT: the collector calls it every round, and it costs one index probe per
    published delivery that has none yet.
    """
    missing = select(
        Delivery.id,
        Delivery.channel_id,
        Delivery.published_at,
    ).where(
        Delivery.state == DeliveryState.published,
        col(Delivery.remote_id).is_not(None),
        col(Delivery.published_at).is_not(None),
        not_(exists().where(col(DeliveryMetrics.delivery_id) == col(Delivery.id))),
    )
    rows = session.exec(missing).all()
    if not rows:
        return 0
    session.execute(
        insert(DeliveryMetrics),
        [
            {
                "delivery_id": delivery_id,
                "channel_id": channel_id,
                "figures": {},
                "notes": [],
                "readings": 0,
                "next_due_at": as_utc(published_at) + FIRST_AGES[0] if published_at else None,
                "gone": False,
            }
            for delivery_id, channel_id, published_at in rows
        ],
    )
    return len(rows)


def claim_due(
    session: Session,
    now: datetime,
    *,
    channel_ids: Iterable[str] | None = None,
    delivery_ids: Iterable[int] | None = None,
    limit: int = 500,
    force: bool = False,
) -> list[Due]:
    """Take up to `limit` deliveries whose reading is due (all asked ones with `force`), oldest
    first, and hold them for CLAIM_HOLD so another collector does not read them too."""
    query = (
        select(
            DeliveryMetrics.delivery_id,
            DeliveryMetrics.channel_id,
            Delivery.remote_id,
            Delivery.published_at,
        )
        .join(Delivery, col(Delivery.id) == col(DeliveryMetrics.delivery_id))
        .where(
            Delivery.state == DeliveryState.published,
            col(DeliveryMetrics.gone).is_(False),
        )
        .order_by(col(DeliveryMetrics.next_due_at), col(DeliveryMetrics.delivery_id))
        .limit(limit)
    )
    if not force:
        query = query.where(col(DeliveryMetrics.next_due_at) <= now)
    if channel_ids is not None:
        query = query.where(col(DeliveryMetrics.channel_id).in_(list(channel_ids)))
    if delivery_ids is not None:
        query = query.where(col(DeliveryMetrics.delivery_id).in_(list(delivery_ids)))
    rows = session.exec(query).all()
    due = [
        Due(delivery_id, channel_id, str(remote_id), as_utc(published_at))
        for delivery_id, channel_id, remote_id, published_at in rows
        if remote_id and published_at
    ]
    if due:
        held = [item.delivery_id for item in due]
        hold = update(DeliveryMetrics).where(col(DeliveryMetrics.delivery_id).in_(held))
        if not force:
            # Another collector that claimed a row meanwhile moved it past `now`: not ours.
            hold = hold.where(col(DeliveryMetrics.next_due_at) <= now)
        session.execute(hold.values(next_due_at=now + CLAIM_HOLD))
    return due


def record(session: Session, readings: Iterable[Reading], now: datetime, tz: tzinfo) -> int:
    """Keep `readings` (taken at `now`) and plan each delivery's next one. Returns how many."""
    by_id = {reading.delivery_id: reading for reading in readings}
    if not by_id:
        return 0
    rows = session.exec(
        select(DeliveryMetrics, Delivery.published_at)
        .join(Delivery, col(Delivery.id) == col(DeliveryMetrics.delivery_id))
        .where(col(DeliveryMetrics.delivery_id).in_(list(by_id)))
    ).all()
    snapshots: list[dict[str, object]] = []
    for row, published_at in rows:
        reading = by_id[row.delivery_id]
        snapshots.extend(
            {"delivery_id": row.delivery_id, "metric": metric, "value": value, "collected_at": now}
            for metric, value in sorted(reading.values.items())
        )
        # A figure not reported this time keeps the last one reported; one never reported is
        # kept as None, so readers can tell "not reported" from "not asked".
        figures: dict[str, int | None] = dict(row.figures)
        for metric, value in reading.values.items():
            if value is not None:
                figures[metric] = int(value)
            else:
                figures.setdefault(metric, None)
        row.figures = figures
        for metric in FIGURE_COLUMNS:  # the same figures as numbers, for the reports' sums
            setattr(row, metric, figures.get(metric))
        row.notes = [dict(note) for note in reading.notes]
        row.readings += 1
        row.collected_at = now
        row.gone = reading.gone
        row.next_due_at = (
            None
            if reading.gone or published_at is None
            else next_reading(published_at, row.readings, tz)
        )
        session.add(row)
    if snapshots:
        session.execute(insert(MetricReading), snapshots)
    return len(rows)


def postpone(session: Session, delivery_ids: Iterable[int], until: datetime) -> None:
    """Read these again at `until` (the platform asked to wait, or failed for a while)."""
    session.execute(
        update(DeliveryMetrics)
        .where(col(DeliveryMetrics.delivery_id).in_(list(delivery_ids)))
        .values(next_due_at=until)
    )


def log_call(
    session: Session, channel_id: str, now: datetime, posts: int, units: int, outcome: str
) -> None:
    session.add(
        MetricsCall(channel_id=channel_id, at=now, posts=posts, units=units, outcome=outcome)
    )


def units_spent(session: Session, channel_id: str, start: datetime, end: datetime) -> int:
    """Quota units spent reading figures on `channel_id` between `start` and `end`."""
    total = session.exec(
        select(func.coalesce(func.sum(MetricsCall.units), 0)).where(
            MetricsCall.channel_id == channel_id,
            col(MetricsCall.at) >= start,
            col(MetricsCall.at) < end,
        )
    ).one()
    return int(total)


@dataclass(frozen=True)
class Latest:
    figures: Mapping[str, int | None]
    collected_at: datetime | None
    notes: Sequence[Mapping[str, str]]
    gone: bool


def latest(session: Session, delivery_ids: Iterable[int]) -> dict[int, Latest]:
    """The latest figures of each delivery that has been read (one row each)."""
    ids = list(delivery_ids)
    if not ids:
        return {}
    rows = session.exec(
        select(DeliveryMetrics).where(col(DeliveryMetrics.delivery_id).in_(ids))
    ).all()
    return {
        row.delivery_id: Latest(dict(row.figures), row.collected_at, list(row.notes), row.gone)
        for row in rows
        if row.readings
    }


def history(session: Session, delivery_id: int) -> dict[str, list[tuple[datetime, int | None]]]:
    """Every reading of one delivery, by metric, oldest first (for the growth chart)."""
    rows = session.exec(
        select(MetricReading.metric, MetricReading.collected_at, MetricReading.value)
        .where(MetricReading.delivery_id == delivery_id)
        .order_by(col(MetricReading.collected_at), col(MetricReading.id))
    ).all()
    series: dict[str, list[tuple[datetime, int | None]]] = {}
    for metric, at, value in rows:
        series.setdefault(metric, []).append((as_utc(at), value))
    return series

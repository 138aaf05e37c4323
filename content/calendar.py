"""Calendar queries: what goes out when, on which channel, in a window of time.

Windows are computed in the configured zone (a month in Huế starts at local midnight) and the
query runs on the indexed `delivery.due_at` in UTC. Rows come back as plain tuples, not ORM
objects, because a month view may hold thousands of entries; their times are read once per
distinct value (a busy month holds thousands of entries but far fewer distinct times).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import NamedTuple

from sqlalchemy import String, select, type_coerce
from sqlmodel import Session, col

from content.models import Delivery, DeliveryState, Post
from content.timeutil import as_utc


class CalendarEntry(NamedTuple):
    """One delivery on the calendar. A tuple: a month view builds thousands of them."""

    post_id: int
    delivery_id: int
    channel_id: str
    due_at: datetime  # aware UTC
    title: str
    post_state: str
    delivery_state: str
    department_code: str
    topic: str
    pillar: str | None


@dataclass(frozen=True)
class CalendarFilter:
    departments: Collection[str] = ()
    channels: Collection[str] = ()
    topics: Collection[str] = ()
    pillars: Collection[str] = ()
    post_states: Collection[str] = ()
    delivery_states: Collection[str] = ()
    include_cancelled: bool = False


def day_window(day: date, tz: tzinfo, days: int = 1) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(0), tzinfo=tz)
    end = datetime.combine(day + timedelta(days=days), time(0), tzinfo=tz)
    return as_utc(start), as_utc(end)


def week_window(day: date, tz: tzinfo) -> tuple[datetime, datetime]:
    """The Monday-to-Sunday week holding `day`."""
    return day_window(day - timedelta(days=day.weekday()), tz, 7)


def month_window(year: int, month: int, tz: tzinfo) -> tuple[datetime, datetime]:
    first = date(year, month, 1)
    following = date(year + month // 12, month % 12 + 1, 1)
    return day_window(first, tz, (following - first).days)


def entries(
    session: Session, start: datetime, end: datetime, where: CalendarFilter = CalendarFilter()
) -> list[CalendarEntry]:
    due_at = col(Delivery.due_at)
    query = (
        select(
            col(Delivery.post_id),
            col(Delivery.id),
            col(Delivery.channel_id),
            # As the driver returns it (SQLite: text, PostgreSQL: an aware datetime), without
            # UTCDateTime's per-row conversion: each distinct value is converted once, below.
            type_coerce(due_at, String()),
            col(Post.title),
            col(Post.state),
            col(Delivery.state),
            col(Post.department_code),
            col(Post.topic),
            col(Post.pillar),
        )
        .join(Post, col(Post.id) == col(Delivery.post_id))
        .where(due_at >= as_utc(start), due_at < as_utc(end))
        .order_by(due_at, col(Delivery.channel_id), col(Delivery.post_id))
    )
    for column, values in (
        (Post.department_code, where.departments),
        (Delivery.channel_id, where.channels),
        (Post.topic, where.topics),
        (Post.pillar, where.pillars),
        (Post.state, where.post_states),
        (Delivery.state, where.delivery_states),
    ):
        if values:
            query = query.where(col(column).in_(list(values)))
    if not where.include_cancelled and DeliveryState.cancelled not in where.delivery_states:
        query = query.where(col(Delivery.state) != DeliveryState.cancelled)
    # The connection, not the ORM session, and every row in one fetch: these are plain rows,
    # and the ORM result layer would double the cost of a busy month.
    rows = session.connection().execute(query).all()
    found: list[CalendarEntry] = []
    append = found.append
    new = tuple.__new__  # what CalendarEntry._make does, without a Python call per row
    times: dict[object, datetime] = {}  # each distinct time read once; equal times share one
    for post, delivery, channel, due, title, p_state, d_state, dept, topic, pillar in rows:
        at = times.get(due)
        if at is None:
            at = times[due] = _utc_of(due)
        append(
            new(
                CalendarEntry,
                (post, delivery, channel, at, title, p_state, d_state, dept, topic, pillar),
            )
        )
    return found


def _utc_of(value: object) -> datetime:
    """`delivery.due_at` as the driver returned it, as an aware UTC datetime, like `UTCDateTime`."""
    if isinstance(value, str):  # SQLite: naive UTC text, "2026-08-08 00:30:00.000000"
        value = datetime.fromisoformat(value)
    if not isinstance(value, datetime):
        raise TypeError(f"the database returned {type(value).__name__}, not a datetime")
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def by_local_day(found: list[CalendarEntry], tz: tzinfo) -> dict[date, list[CalendarEntry]]:
    days: dict[date, list[CalendarEntry]] = {}
    for entry in found:
        days.setdefault(entry.due_at.astimezone(tz).date(), []).append(entry)
    return days

"""Reach and engagement added up: what was published in a period, and what it achieved.

One query layer for the API, the command line, the pages and the reports, so they always agree.
The unit is a published delivery (one post on one channel); a post on three channels is one post
and three deliveries. A total adds the figures that were reported; how many deliveries have
figures and how many have none is always given beside it, so a total is never mistaken for
complete when it is not.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, tzinfo

from sqlalchemy import select
from sqlmodel import Session, col

from content.models import Channel, Delivery, DeliveryMetrics, DeliveryState, Post
from content.timeutil import as_utc

GROUPINGS = ("channel", "platform", "topic", "pillar", "department", "month")
NO_PILLAR = "-"


@dataclass
class Group:
    """The totals of one group (one channel, one month...)."""

    key: str
    posts: set[int] = field(default_factory=set)
    deliveries: int = 0
    with_figures: int = 0
    totals: dict[str, int] = field(default_factory=dict)
    first_collected: datetime | None = None
    last_collected: datetime | None = None

    @property
    def without_figures(self) -> int:
        return self.deliveries - self.with_figures

    def add(
        self, post_id: int, figures: dict[str, int | None], collected_at: datetime | None
    ) -> None:
        """One delivery (`collected_at` aware UTC). Runs once per delivery and grouping: a
        year's report calls it about two million times, so it stays a plain loop."""
        self.posts.add(post_id)
        self.deliveries += 1
        totals = self.totals
        reported = False
        for metric, value in figures.items():
            if value is not None:
                reported = True
                totals[metric] = totals.get(metric, 0) + value
        if reported:
            self.with_figures += 1
        if collected_at is not None:
            if self.first_collected is None or collected_at < self.first_collected:
                self.first_collected = collected_at
            if self.last_collected is None or collected_at > self.last_collected:
                self.last_collected = collected_at


@dataclass(frozen=True)
class Stats:
    start: datetime
    end: datetime
    by: str
    groups: list[Group]
    total: Group


@dataclass(frozen=True, slots=True)
class PublishedRow:
    """One published delivery with what a report needs of its post and its figures."""

    delivery_id: int
    post_id: int
    title: str
    channel_id: str
    platform: str
    topic: str
    pillar: str | None
    department: str
    published_at: datetime
    url: str | None
    figures: dict[str, int | None]
    collected_at: datetime | None


def published_rows(
    session: Session,
    start: datetime,
    end: datetime,
    *,
    departments: Collection[str] | None = None,
    channel_ids: Collection[str] | None = None,
) -> Iterator[PublishedRow]:
    """Deliveries published in [start, end), oldest first, streamed (a year can hold 250,000)."""
    query = (
        select(
            col(Delivery.id),
            col(Delivery.post_id),
            col(Post.title),
            col(Delivery.channel_id),
            col(Channel.type),
            col(Post.topic),
            col(Post.pillar),
            col(Post.department_code),
            col(Delivery.published_at),
            col(Delivery.remote_url),
            col(DeliveryMetrics.figures),
            col(DeliveryMetrics.collected_at),
        )
        .join(Post, col(Post.id) == col(Delivery.post_id))
        .join(Channel, col(Channel.id) == col(Delivery.channel_id))
        .outerjoin(DeliveryMetrics, col(DeliveryMetrics.delivery_id) == col(Delivery.id))
        .where(
            col(Delivery.state) == DeliveryState.published,
            col(Delivery.published_at) >= start,
            col(Delivery.published_at) < end,
        )
        .order_by(col(Delivery.published_at), col(Delivery.id))
    )
    if departments is not None:
        query = query.where(col(Post.department_code).in_(list(departments)))
    if channel_ids is not None:
        query = query.where(col(Delivery.channel_id).in_(list(channel_ids)))
    # Core execution (no ORM loading), streamed; UTCDateTime already answers aware UTC.
    result = session.connection().execution_options(yield_per=2000).execute(query)
    for row in result:
        (delivery_id, post_id, title, channel_id, platform, topic, pillar, department,
         published_at, url, figures, collected_at) = row  # fmt: skip
        assert delivery_id is not None and published_at is not None  # the query asks for both
        yield PublishedRow(
            delivery_id, post_id, title, channel_id, platform, topic, pillar, department,
            published_at, url, figures or {}, collected_at,
        )  # fmt: skip


def grouped(
    rows: Iterable[PublishedRow], start: datetime, end: datetime, by: str, tz: tzinfo
) -> Stats:
    """`rows` added up `by` one of GROUPINGS (`month`: of publication, in `tz`), in key order."""
    return grouped_all(rows, start, end, tz, (by,))[by]


def grouped_all(
    rows: Iterable[PublishedRow],
    start: datetime,
    end: datetime,
    tz: tzinfo,
    groupings: Sequence[str] = GROUPINGS,
) -> dict[str, Stats]:
    """`rows` added up by each of `groupings` in one pass; the total is counted once."""
    for by in groupings:
        if by not in GROUPINGS:
            raise ValueError(f"cannot group by {by!r}: one of {', '.join(GROUPINGS)}")
    tables: dict[str, dict[str, Group]] = {by: {} for by in groupings}
    total = Group("*")
    for row in rows:
        local = row.published_at.astimezone(tz)
        month = f"{local.year:04d}-{local.month:02d}"
        keys = {
            "channel": row.channel_id,
            "platform": row.platform,
            "topic": row.topic,
            "pillar": row.pillar or NO_PILLAR,
            "department": row.department,
            "month": month,
        }
        for by, groups in tables.items():
            key = keys[by]
            group = groups.get(key)
            if group is None:
                group = groups[key] = Group(key)
            group.add(row.post_id, row.figures, row.collected_at)
        total.add(row.post_id, row.figures, row.collected_at)
    start, end = as_utc(start), as_utc(end)
    return {
        by: Stats(start, end, by, [groups[key] for key in sorted(groups)], total)
        for by, groups in tables.items()
    }


def stats(
    session: Session,
    start: datetime,
    end: datetime,
    by: str,
    tz: tzinfo,
    *,
    departments: Collection[str] | None = None,
    channel_ids: Collection[str] | None = None,
) -> Stats:
    """Deliveries published in [start, end), grouped `by` one of GROUPINGS.

    `departments` limits it to posts of those departments (an officer's scope).
    """
    if by not in GROUPINGS:
        raise ValueError(f"cannot group by {by!r}: one of {', '.join(GROUPINGS)}")
    rows = published_rows(session, start, end, departments=departments, channel_ids=channel_ids)
    return grouped(rows, start, end, by, tz)


def reporting_year_start(now: datetime, tz: tzinfo) -> datetime:
    """The start of the reporting year `now` falls in: the last 1 November (local midnight).

    Reports are due before 1 November, so a year's report covers what went out from the
    1 November before it.
    """
    local = as_utc(now).astimezone(tz)
    start = datetime(local.year, 11, 1, tzinfo=tz)
    if start > local:
        start = datetime(local.year - 1, 11, 1, tzinfo=tz)
    return as_utc(start)


def metric_names(groups: Iterable[Group]) -> list[str]:
    """The metrics any of `groups` has a total for, in a stable order."""
    order = ("views", "reach", "reactions", "comments", "shares", "video_views")
    seen = {metric for group in groups for metric in group.totals}
    return [m for m in order if m in seen] + sorted(seen - set(order))

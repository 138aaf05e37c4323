"""Reach and engagement added up: what was published in a period, and what it achieved.

One query layer for the API, the command line, the pages and the reports, so they always agree.
The unit is a published delivery (one post on one channel); a post on three channels is one post
and three deliveries. A total adds the figures that were reported; how many deliveries have
figures and how many have none is always given beside it, so a total is never mistaken for
complete when it is not.

The totals are added up by the database (GROUP BY), never row by row in Python: a year holds
250,000 deliveries and the `/reports` page must answer in well under a second. The evidence
itself (`published_rows`) is streamed, for the report files.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.sql import Select
from sqlmodel import Session, col

from content.metrics import FIGURE_COLUMNS
from content.models import Channel, Delivery, DeliveryMetrics, DeliveryState, Post
from content.timeutil import as_utc

GROUPINGS = ("channel", "platform", "topic", "pillar", "department", "month")
NO_PILLAR = "-"
# The figures a platform can report (channels.base.METRICS; content does not import channels),
# in the order tables show them: DeliveryMetrics' number columns.
METRICS = FIGURE_COLUMNS
# What ranks a post's reach: views, else reach, else video views (the first one reported).
REACH_METRICS = ("views", "reach", "video_views")


@dataclass
class Group:
    """The totals of one group (one channel, one month...).

    `posts` counts each post once however many of the group's deliveries carried it.
    """

    key: str
    posts: int = 0
    deliveries: int = 0
    with_figures: int = 0
    totals: dict[str, int] = field(default_factory=dict)
    first_collected: datetime | None = None
    last_collected: datetime | None = None
    last_published: datetime | None = None

    @property
    def without_figures(self) -> int:
        return self.deliveries - self.with_figures

    def merge(self, part: _Part) -> None:
        """Add the counts of one finer group (additive: never the posts, counted apart)."""
        self.deliveries += part.deliveries
        self.with_figures += part.with_figures
        totals = self.totals
        for metric, value in part.totals.items():
            totals[metric] = totals.get(metric, 0) + value
        self.first_collected = _earliest(self.first_collected, part.first_collected)
        self.last_collected = _latest(self.last_collected, part.last_collected)
        self.last_published = _latest(self.last_published, part.last_published)


@dataclass(frozen=True)
class Stats:
    start: datetime
    end: datetime
    by: str
    groups: list[Group]
    total: Group

    def group(self, key: str) -> Group | None:
        return next((group for group in self.groups if group.key == key), None)


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


_Query = TypeVar("_Query", bound=Select[*tuple[Any, ...]])


@dataclass(frozen=True)
class Scope:
    """Which published deliveries count: [start, end), and optionally some departments'
    posts (an officer's scope) or some channels."""

    start: datetime
    end: datetime
    departments: Collection[str] | None = None
    channel_ids: Collection[str] | None = None

    def where(self, query: _Query) -> _Query:
        query = query.where(
            col(Delivery.state) == DeliveryState.published,
            col(Delivery.published_at) >= as_utc(self.start),
            col(Delivery.published_at) < as_utc(self.end),
        )
        if self.departments is not None:
            query = query.where(col(Post.department_code).in_(list(self.departments)))
        if self.channel_ids is not None:
            query = query.where(col(Delivery.channel_id).in_(list(self.channel_ids)))
        return query


def published_query(scope: Scope) -> Select[*tuple[Any, ...]]:
    """The published deliveries of `scope` as PublishedRow's columns, oldest first."""
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
        .order_by(col(Delivery.published_at), col(Delivery.id))
    )
    return scope.where(query)


def row_of(row: Any) -> PublishedRow:
    (delivery_id, post_id, title, channel_id, platform, topic, pillar, department,
     published_at, url, figures, collected_at) = row  # fmt: skip
    return PublishedRow(
        delivery_id, post_id, title, channel_id, platform, topic, pillar, department,
        published_at, url, figures or {}, collected_at,
    )  # fmt: skip


def published_rows(
    session: Session,
    start: datetime,
    end: datetime,
    *,
    departments: Collection[str] | None = None,
    channel_ids: Collection[str] | None = None,
) -> Iterator[PublishedRow]:
    """Deliveries published in [start, end), oldest first, streamed (a year can hold 250,000)."""
    query = published_query(Scope(start, end, departments, channel_ids))
    # Core execution (no ORM loading), streamed; UTCDateTime already answers aware UTC.
    result = session.connection().execution_options(yield_per=2000).execute(query)
    for row in result:
        yield row_of(row)


# --- totals added up in the database --------------------------------------------------------


def metric_value(metric: str) -> ColumnElement[Any]:
    """One metric of a delivery's latest figures, NULL where none was reported: the number
    column that repeats `figures` (migration 0012), far cheaper to add up than JSON."""
    value: ColumnElement[Any] = getattr(DeliveryMetrics, metric)
    return value


def reach_value() -> ColumnElement[Any]:
    """The figure a post's reach is ranked by (see REACH_METRICS), NULL where none."""
    return func.coalesce(*(metric_value(m) for m in REACH_METRICS))


def month_key(start: datetime, end: datetime, tz: tzinfo) -> ColumnElement[Any]:
    """The local month ("2026-03") a delivery was published in, as SQL: a CASE over the UTC
    instants the period's local months begin at, so SQLite and PostgreSQL read it the same."""
    months = period_months(start, end, tz)
    published = col(Delivery.published_at)
    whens = [(published < boundary, key) for key, boundary in months[:-1]]
    last = months[-1][0]
    # Never a bare constant, which PostgreSQL refuses to group by.
    return case(*whens, else_=last) if whens else case((published.is_not(None), last))


def period_months(start: datetime, end: datetime, tz: tzinfo) -> list[tuple[str, datetime]]:
    """Each local month [start, end) touches, with the instant (UTC) the next one begins."""
    local = as_utc(start).astimezone(tz)
    year, month = local.year, local.month
    found = []
    while True:
        year_after, month_after = (year + 1, 1) if month == 12 else (year, month + 1)
        boundary = as_utc(datetime(year_after, month_after, 1, tzinfo=tz))
        found.append((f"{year:04d}-{month:02d}", boundary))
        if boundary >= as_utc(end):
            return found
        year, month = year_after, month_after


def _key_columns(scope: Scope, tz: tzinfo, asked: Sequence[str]) -> list[ColumnElement[Any]]:
    every = {
        "channel": col(Delivery.channel_id),
        "platform": col(Channel.type),
        "topic": col(Post.topic),
        "pillar": func.coalesce(col(Post.pillar), NO_PILLAR),
        "department": col(Post.department_code),
    }
    return [
        (month_key(scope.start, scope.end, tz) if by == "month" else every[by]).label(f"k_{by}")
        for by in asked
    ]


def _facts(scope: Scope, tz: tzinfo, asked: Sequence[str], *, figures: bool) -> Any:
    """The scope's published deliveries with the keys `asked` (and their figures), as a
    subquery: the outer GROUP BY names its columns, so a key given as an expression with
    parameters (the month) is not written twice (PostgreSQL would not see them as one)."""
    columns: list[Any] = [col(Delivery.post_id), *_key_columns(scope, tz, asked)]
    query = select(*columns).select_from(Delivery)
    # Only the tables a key or the scope reads (every delivery has its post and channel): the
    # month's posts, say, are counted from the index of published deliveries alone.
    if scope.departments is not None or set(asked) & {"topic", "pillar", "department"}:
        query = query.join(Post, col(Post.id) == col(Delivery.post_id))
    if "platform" in asked:
        query = query.join(Channel, col(Channel.id) == col(Delivery.channel_id))
    if figures:
        query = query.outerjoin(
            DeliveryMetrics, col(DeliveryMetrics.delivery_id) == col(Delivery.id)
        ).add_columns(
            *(metric_value(m).label(f"m_{m}") for m in METRICS),
            col(DeliveryMetrics.collected_at).label("collected_at"),
            col(Delivery.published_at).label("published_at"),
        )
    return scope.where(query).subquery("facts")


@dataclass(frozen=True, slots=True)
class _Part:
    """The additive totals of one group of the finest grouping asked for."""

    deliveries: int
    with_figures: int
    totals: dict[str, int]
    first_collected: datetime | None
    last_collected: datetime | None
    last_published: datetime | None


def _parts(
    session: Session, scope: Scope, tz: tzinfo, asked: Sequence[str]
) -> Iterator[tuple[tuple[str, ...], _Part]]:
    """One GROUP BY over every key asked for at once: its groups add up to each grouping's."""
    facts = _facts(scope, tz, asked, figures=True)
    keys = [facts.c[f"k_{by}"] for by in asked]
    values = [facts.c[f"m_{m}"] for m in METRICS]
    reported = case((func.coalesce(*values).is_not(None), 1), else_=0)
    sums = [x for value in values for x in (func.sum(value), func.count(value))]
    query = select(
        *keys,
        func.count(),
        func.sum(reported),
        *sums,
        func.min(facts.c.collected_at),
        func.max(facts.c.collected_at),
        func.max(facts.c.published_at),
    ).group_by(*keys)
    width = len(keys)
    for row in session.execute(query):
        key = tuple(str(value) for value in row[:width])
        deliveries, with_figures, *figures, first, last, published = row[width:]
        totals = {
            metric: int(figures[2 * n])
            for n, metric in enumerate(METRICS)
            if figures[2 * n + 1]  # how many reported it: a metric none reported is no figure
        }
        yield key, _Part(
            int(deliveries), int(with_figures or 0), totals, _aware(first), _aware(last),
            _aware(published),
        )  # fmt: skip


def _distinct_posts(
    session: Session, scope: Scope, tz: tzinfo, asked: Sequence[str]
) -> list[tuple[tuple[str, ...], int]]:
    facts = _facts(scope, tz, asked, figures=False)
    keys = [facts.c[f"k_{by}"] for by in asked]
    query = select(*keys, func.count(func.distinct(facts.c.post_id)))
    if keys:
        query = query.group_by(*keys)
    width = len(keys)
    return [(tuple(str(v) for v in row[:width]), int(row[width])) for row in session.execute(query)]


def summarise(
    session: Session,
    start: datetime,
    end: datetime,
    tz: tzinfo,
    groupings: Sequence[str] = GROUPINGS,
    *,
    departments: Collection[str] | None = None,
    channel_ids: Collection[str] | None = None,
) -> dict[str, Stats]:
    """Deliveries published in [start, end) added up by each of `groupings` (`month`: of
    publication, in `tz`), groups in key order; the total is the same object in each."""
    for by in groupings:
        if by not in GROUPINGS:
            raise ValueError(f"cannot group by {by!r}: one of {', '.join(GROUPINGS)}")
    scope = Scope(as_utc(start), as_utc(end), departments, channel_ids)
    asked = [by for by in GROUPINGS if by in groupings]
    tables: dict[str, dict[str, Group]] = {by: {} for by in asked}
    total = Group("*")
    for key, part in _parts(session, scope, tz, asked):
        for by, value in zip(asked, key, strict=True):
            group = tables[by].get(value)
            if group is None:
                group = tables[by][value] = Group(value)
            group.merge(part)
        total.merge(part)
    _count_posts(session, scope, tz, tables, total)
    return {
        by: Stats(scope.start, scope.end, by, [groups[k] for k in sorted(groups)], total)
        for by, groups in tables.items()
    }


# A post has one topic, pillar and department: counted by all three at once, each post falls in
# one group, so the groups add up to each of the three and to the total.
_OF_POST = ("topic", "pillar", "department")


def _count_posts(
    session: Session,
    scope: Scope,
    tz: tzinfo,
    tables: dict[str, dict[str, Group]],
    total: Group,
) -> None:
    """Each group's posts, counted once however many of its deliveries carried them."""
    if "channel" in tables:
        for group in tables["channel"].values():
            group.posts = group.deliveries  # one delivery per post and channel
    of_post = [by for by in _OF_POST if by in tables]
    for key, count in _distinct_posts(session, scope, tz, of_post):
        total.posts += count
        for by, value in zip(of_post, key, strict=True):
            tables[by][value].posts += count
    for by in ("platform", "month"):
        if by in tables:
            for (value,), count in _distinct_posts(session, scope, tz, [by]):
                tables[by][value].posts = count


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
    found = summarise(
        session, start, end, tz, (by,), departments=departments, channel_ids=channel_ids
    )
    return found[by]


def _aware(moment: datetime | str | None) -> datetime | None:
    """MIN/MAX of a UTC column as an aware datetime (SQLite answers them as text)."""
    if moment is None:
        return None
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return as_utc(moment)


def _earliest(a: datetime | None, b: datetime | None) -> datetime | None:
    return b if a is None else a if b is None else min(a, b)


def _latest(a: datetime | None, b: datetime | None) -> datetime | None:
    return b if a is None else a if b is None else max(a, b)


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
    seen = {metric for group in groups for metric in group.totals}
    return [m for m in METRICS if m in seen] + sorted(seen - set(METRICS))

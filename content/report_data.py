"""Everything the yearly report states, read once: the one query layer of `/reports`, the DOCX,
XLSX and CSV files and the monthly digest, so they always agree.

The report of the province (every department) and of one department come from the same call;
the same inputs give the same numbers (rows are read in a fixed order, and nothing depends on
the time of reading but `generated_at`, which the report prints).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from sqlalchemy import func, select
from sqlmodel import Session, col

from content.models import Channel, Delivery, DeliveryState, Post
from content.observances import Observance, Occurrence, occurrences
from content.stats import PublishedRow, Stats, grouped_all, published_rows
from content.targets import Gap, Names, Progress, Targets, gaps, progress
from content.timeutil import as_utc

# What counts as published "around" an observance: the week before it to three days after.
AROUND_BEFORE, AROUND_AFTER = timedelta(days=7), timedelta(days=3)
TOP_COUNT = 10


@dataclass(frozen=True)
class Shortfall:
    """A delivery that did not go out: failed (refused) or missed (its time passed)."""

    post_id: int
    title: str
    department: str
    channel_id: str
    state: str
    due_at: datetime | None
    reason: str


@dataclass(frozen=True)
class ObservanceCoverage:
    occurrence: Occurrence
    rows: list[PublishedRow]


@dataclass(frozen=True)
class ReportData:
    start: datetime
    end: datetime
    generated_at: datetime
    departments: list[str] | None  # None: the whole province
    rows: list[PublishedRow]  # the evidence, oldest first
    breakdowns: dict[str, Stats]  # by each of GROUPINGS
    top: list[PublishedRow]  # the widest reach first
    shortfalls: list[Shortfall]
    observances: list[ObservanceCoverage]
    progress: list[Progress]
    gaps: list[Gap]

    @property
    def total(self) -> Stats:
        return self.breakdowns["channel"]

    @property
    def figures_read_at(self) -> datetime | None:
        return self.total.total.last_collected

    @property
    def empty(self) -> bool:
        return not self.rows


def reach_of(row: PublishedRow) -> int:
    """How widely a post was seen, for ranking: views, else reach, else video views."""
    for metric in ("views", "reach", "video_views"):
        value = row.figures.get(metric)
        if value is not None:
            return value
    return -1


def build(
    session: Session,
    start: datetime,
    end: datetime,
    tz: tzinfo,
    *,
    now: datetime,
    departments: Sequence[str] | None,
    all_departments: Sequence[str],
    topics: Sequence[str],
    pillars: Sequence[str],
    targets: Targets,
    names: Names,
    observances: Iterable[Observance] = (),
) -> ReportData:
    """The report of [start, end) for `departments` (None: every one)."""
    start, end = as_utc(start), as_utc(end)
    rows = list(published_rows(session, start, end, departments=departments))
    breakdowns = grouped_all(rows, start, end, tz)
    covered = list(departments) if departments is not None else list(all_departments)
    channels = _channels_of(session, departments)
    top = sorted((r for r in rows if reach_of(r) >= 0), key=lambda r: (-reach_of(r), r.delivery_id))
    as_of = min(end, as_utc(now))
    return ReportData(
        start=start,
        end=end,
        generated_at=as_utc(now),
        departments=list(departments) if departments is not None else None,
        rows=rows,
        breakdowns=breakdowns,
        top=top[:TOP_COUNT],
        shortfalls=_shortfalls(session, start, end, departments),
        observances=_coverage(rows, observances, start, end, tz),
        progress=progress(rows, start, end, targets, names, covered, topics, pillars, channels),
        gaps=gaps(
            rows,
            as_of,
            tz,
            targets,
            names,
            covered,
            topics,
            channels,
            _last_before(session, start, covered),
        ),
    )


def _channels_of(session: Session, departments: Sequence[str] | None) -> list[str]:
    """The channels a report expects to be used: its departments' own and shared ones."""
    query = select(
        col(Channel.id), col(Channel.department_code), col(Channel.settings), col(Channel.state)
    ).order_by(col(Channel.id))
    found = []
    for channel_id, department, settings, state in session.execute(query):
        if state == "retired":
            continue
        if departments is None or department in departments or (settings or {}).get("shared"):
            found.append(channel_id)
    return found


def _last_before(
    session: Session, start: datetime, departments: Sequence[str]
) -> dict[str, datetime]:
    """Each department's last publication before the period, so a silence is counted whole."""
    query = (
        select(col(Post.department_code), func.max(col(Delivery.published_at)))
        .join(Post, col(Post.id) == col(Delivery.post_id))
        .where(
            col(Delivery.state) == DeliveryState.published,
            col(Delivery.published_at) < start,
            col(Post.department_code).in_(list(departments)),
        )
        .group_by(col(Post.department_code))
    )
    return {code: as_utc(when) for code, when in session.execute(query) if when is not None}


def _shortfalls(
    session: Session, start: datetime, end: datetime, departments: Sequence[str] | None
) -> list[Shortfall]:
    query = (
        select(
            col(Delivery.post_id),
            col(Post.title),
            col(Post.department_code),
            col(Delivery.channel_id),
            col(Delivery.state),
            col(Delivery.due_at),
            col(Delivery.last_error),
        )
        .join(Post, col(Post.id) == col(Delivery.post_id))
        .where(
            col(Delivery.state).in_([DeliveryState.failed, DeliveryState.missed]),
            col(Delivery.due_at) >= start,
            col(Delivery.due_at) < end,
        )
        .order_by(col(Delivery.due_at), col(Delivery.id))
    )
    if departments is not None:
        query = query.where(col(Post.department_code).in_(list(departments)))
    return [
        Shortfall(
            post_id,
            title,
            department,
            channel_id,
            state,
            as_utc(due_at) if due_at else None,
            reason or "",
        )
        for post_id, title, department, channel_id, state, due_at, reason in session.execute(query)
    ]


def _coverage(
    rows: Sequence[PublishedRow],
    observances: Iterable[Observance],
    start: datetime,
    end: datetime,
    tz: tzinfo,
) -> list[ObservanceCoverage]:
    first, last = start.astimezone(tz).date(), (end - timedelta(microseconds=1)).astimezone(tz)
    found = []
    for occurrence in occurrences(observances, first, last.date()):
        day = datetime(occurrence.date.year, occurrence.date.month, occurrence.date.day, tzinfo=tz)
        window = (as_utc(day - AROUND_BEFORE), as_utc(day + timedelta(days=1) + AROUND_AFTER))
        around = [row for row in rows if window[0] <= row.published_at < window[1]]
        found.append(ObservanceCoverage(occurrence, around))
    return found

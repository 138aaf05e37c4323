"""Everything the yearly report states, read once: the one query layer of `/reports`, the DOCX,
XLSX and CSV files and the monthly digest, so they always agree.

Every figure is added up by the database (content.stats.summarise; kept between readings by
content.report_cache while nothing it counts changes); the evidence list is never held but read
again, a row at a time, by whoever writes it (EvidenceRows).

The report of the province (every department) and of one department come from the same call;
the same inputs give the same numbers (rows are read in a fixed order, and nothing depends on
the time of reading but `generated_at`, which the report prints).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from typing import Protocol

from sqlalchemy import func, select
from sqlmodel import Session, col

from content.models import Channel, Delivery, DeliveryState, Post
from content.observances import Observance, Occurrence, occurrences
from content.reasons import reason_text
from content.report_cache import TOTALS
from content.stats import (
    REACH_METRICS,
    PublishedRow,
    Scope,
    Stats,
    published_query,
    published_rows,
    reach_value,
    row_of,
    summarise,
)
from content.targets import Gap, Names, Progress, Targets, gaps, progress
from content.timeutil import as_utc

# What counts as published "around" an observance: the week before it to three days after.
AROUND_BEFORE, AROUND_AFTER = timedelta(days=7), timedelta(days=3)
TOP_COUNT = 10
OBSERVANCE_SHOWN = 20  # the posts listed under an observance; all of them are counted

Reader = Callable[[], AbstractContextManager[Session]]


class Rows(Protocol):
    """The evidence as the writers read it: counted, and iterated (more than once)."""

    def __len__(self) -> int: ...

    def __iter__(self) -> Iterator[PublishedRow]: ...


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
    """What was published around one observance: how many posts and deliveries, and the first
    few posts (one delivery each), oldest first."""

    occurrence: Occurrence
    posts: int
    deliveries: int
    rows: list[PublishedRow]


@dataclass(frozen=True)
class EvidenceRows:
    """The evidence list, oldest first: read again from the database each time it is iterated,
    a row at a time, so a year's 250,000 rows are never held. Its length is the period's count
    of deliveries; the rows are those in the database when it is iterated."""

    read: Reader
    start: datetime
    end: datetime
    departments: Sequence[str] | None
    count: int

    def __len__(self) -> int:
        return self.count

    def __iter__(self) -> Iterator[PublishedRow]:
        with self.read() as session:
            yield from published_rows(session, self.start, self.end, departments=self.departments)


@dataclass(frozen=True)
class ReportData:
    start: datetime
    end: datetime
    generated_at: datetime
    departments: list[str] | None  # None: the whole province
    # The evidence, oldest first: EvidenceRows streams it from the database when iterated.
    rows: Rows
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
        return len(self.rows) == 0


def reach_of(row: PublishedRow) -> int:
    """How widely a post was seen, for ranking: views, else reach, else video views."""
    for metric in REACH_METRICS:
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
    """The report of [start, end) for `departments` (None: every one).

    Every figure is added up by the database; the evidence is read again, streamed, when the
    report's rows are iterated (through a new session on `session`'s engine).
    """
    start, end = as_utc(start), as_utc(end)
    scope = list(departments) if departments is not None else None
    breakdowns, top, coverage = _counted(session, Scope(start, end, scope), tz, observances)
    covered = list(departments) if departments is not None else list(all_departments)
    channels = _channels_of(session, departments)
    as_of = min(end, as_utc(now))
    count = breakdowns["channel"].total.deliveries
    return ReportData(
        start=start,
        end=end,
        generated_at=as_utc(now),
        departments=scope,
        rows=EvidenceRows(reader_of(session), start, end, scope, count),
        breakdowns=breakdowns,
        top=top,
        shortfalls=_shortfalls(session, start, end, departments),
        observances=coverage,
        progress=progress(
            breakdowns, start, end, targets, names, covered, topics, pillars, channels
        ),
        gaps=gaps(
            breakdowns,
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


def totals(
    session: Session, start: datetime, end: datetime, tz: tzinfo, departments: Sequence[str] | None
) -> dict[str, Stats]:
    """The period's totals by every grouping, as the report reads them (kept while nothing
    they count changes: the page's charts reuse the page's)."""
    scope = Scope(as_utc(start), as_utc(end), None if departments is None else list(departments))
    return _counted(session, scope, tz, ())[0]


def _counted(
    session: Session, scope: Scope, tz: tzinfo, observances: Iterable[Observance]
) -> tuple[dict[str, Stats], list[PublishedRow], list[ObservanceCoverage]]:
    """What the database adds up for a report: kept by content.report_cache between readings."""
    kept = tuple(observances)
    departments = tuple(scope.departments) if scope.departments is not None else None
    key = ("report", scope.start, scope.end, departments, str(tz), kept)

    # Counted with the session it is given: a recount in the background has its own.
    def count(
        reading: Session,
    ) -> tuple[dict[str, Stats], list[PublishedRow], list[ObservanceCoverage]]:
        found = summarise(reading, scope.start, scope.end, tz, departments=scope.departments)
        return found, _top(reading, scope), _coverage(reading, kept, scope, tz)

    return TOTALS.get(session, key, scope, count)


def reader_of(session: Session) -> Reader:
    """New read sessions on the engine `session` reads from, for reading again later."""
    bind = session.get_bind()

    @contextmanager
    def read() -> Iterator[Session]:
        with Session(bind, expire_on_commit=False) as fresh, fresh.begin():
            yield fresh

    return read


def _top(session: Session, scope: Scope) -> list[PublishedRow]:
    """The widest-reaching deliveries (see reach_of), ties oldest delivery first."""
    reach = reach_value()
    query = (
        published_query(scope)
        .where(reach.is_not(None))
        .order_by(None)
        .order_by(reach.desc(), col(Delivery.id))
        .limit(TOP_COUNT)
    )
    return [row_of(row) for row in session.execute(query)]


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
            reason_text(reason, "vi", detail=False),  # the report is in Vietnamese
        )
        for post_id, title, department, channel_id, state, due_at, reason in session.execute(query)
    ]


def _coverage(
    session: Session, observances: Iterable[Observance], scope: Scope, tz: tzinfo
) -> list[ObservanceCoverage]:
    start, end = scope.start, scope.end
    first, last = start.astimezone(tz).date(), (end - timedelta(microseconds=1)).astimezone(tz)
    found = []
    for occurrence in occurrences(observances, first, last.date()):
        day = datetime(occurrence.date.year, occurrence.date.month, occurrence.date.day, tzinfo=tz)
        window = Scope(
            max(start, as_utc(day - AROUND_BEFORE)),
            min(end, as_utc(day + timedelta(days=1) + AROUND_AFTER)),
            scope.departments,
        )
        found.append(_around(session, occurrence, window))
    return found


def _around(session: Session, occurrence: Occurrence, window: Scope) -> ObservanceCoverage:
    counted = window.where(
        select(func.count(), func.count(func.distinct(col(Delivery.post_id))))
        .select_from(Delivery)
        .join(Post, col(Post.id) == col(Delivery.post_id))
    )
    deliveries, posts = session.execute(counted).one()
    shown: dict[int, PublishedRow] = {}
    # One delivery per post: a post on three channels around ASEAN Day is one post.
    for row in session.execute(published_query(window).limit(OBSERVANCE_SHOWN * 8)):
        published = row_of(row)
        shown.setdefault(published.post_id, published)
        if len(shown) == OBSERVANCE_SHOWN:
            break
    return ObservanceCoverage(occurrence, int(posts), int(deliveries), list(shown.values()))

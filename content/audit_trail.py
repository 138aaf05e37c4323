"""Reading the audit trail (written by `content.audit`): filtered, newest first, a page at a time,
and the same filter as one stream for a download.

Filters combine (AND): who, which action, which post, which channel, and a time window
[start, end) in UTC (the page turns the officer's local days into it).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, func
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from content.models import AuditEvent

STREAM_BATCH = 1000  # rows fetched at a time for a download: memory stays flat


@dataclass(frozen=True)
class AuditFilter:
    actor: str = ""
    action: str = ""
    post_id: int | None = None
    channel_id: str = ""
    start: datetime | None = None  # aware UTC, inclusive
    end: datetime | None = None  # aware UTC, exclusive


@dataclass(frozen=True)
class AuditPage:
    events: list[AuditEvent]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def _conditions(where: AuditFilter) -> list[ColumnElement[bool]]:
    found: list[ColumnElement[bool]] = []
    if where.actor:
        found.append(col(AuditEvent.actor) == where.actor)
    if where.action:
        found.append(col(AuditEvent.action) == where.action)
    if where.post_id is not None:
        found.append(col(AuditEvent.post_id) == where.post_id)
    if where.channel_id:
        found.append(col(AuditEvent.channel_id) == where.channel_id)
    if where.start is not None:
        found.append(col(AuditEvent.at) >= where.start)
    if where.end is not None:
        found.append(col(AuditEvent.at) < where.end)
    return found


def _newest_first(where: AuditFilter) -> SelectOfScalar[AuditEvent]:
    return (
        select(AuditEvent)
        .where(*_conditions(where))
        .order_by(col(AuditEvent.at).desc(), col(AuditEvent.id).desc())
    )


def search(session: Session, where: AuditFilter, page: int = 1, per_page: int = 50) -> AuditPage:
    """One page of the events matching `where`, newest first, and how many match in all."""
    counted = select(func.count()).select_from(AuditEvent).where(*_conditions(where))
    total = session.exec(counted).one()
    events = session.exec(_newest_first(where).offset((page - 1) * per_page).limit(per_page)).all()
    return AuditPage(list(events), total, page, per_page)


def stream(session: Session, where: AuditFilter, batch: int = STREAM_BATCH) -> Iterator[AuditEvent]:
    """Every matching event, newest first, read in batches (keyset on (at, id), not offsets)."""
    query = _newest_first(where)
    last: AuditEvent | None = None
    while True:
        chunk = query
        if last is not None:
            at, ident = last.at, last.id or 0
            chunk = chunk.where(
                (col(AuditEvent.at) < at)
                | ((col(AuditEvent.at) == at) & (col(AuditEvent.id) < ident))
            )
        rows = session.exec(chunk.limit(batch)).all()
        yield from rows
        if len(rows) < batch:
            return
        last = rows[-1]


def actors_and_actions(session: Session) -> tuple[Sequence[str], Sequence[str]]:
    """The names and actions present in the trail, for the filter's lists."""
    actors = session.exec(select(AuditEvent.actor).distinct().order_by(col(AuditEvent.actor)))
    actions = session.exec(select(AuditEvent.action).distinct().order_by(col(AuditEvent.action)))
    return actors.all(), actions.all()

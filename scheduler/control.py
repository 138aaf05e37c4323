"""Stopping all publishing at once (an emergency pause, a blackout window) and the status view.

A pause lives in the database, so every worker on every machine stops claiming within a second;
nothing is lost, and what fell due meanwhile follows the missed rule when publishing resumes.
The pause itself is read and written by `content.control` (the REST API sets it too).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import col, select

from content.control import pause_state, set_paused
from content.db import Database
from content.models import Channel, Delivery, WorkerHeartbeat

__all__ = [
    "ALIVE_WITHIN", "Blackout", "Status", "WorkerView", "active_blackout", "pause_state",
    "set_paused", "status",
]  # fmt: skip

ALIVE_WITHIN = timedelta(seconds=20)


@dataclass(frozen=True)
class Blackout:
    start: datetime  # aware UTC
    end: datetime
    reason: str = ""

    def covers(self, moment: datetime) -> bool:
        return self.start <= moment < self.end


def active_blackout(blackouts: Sequence[Blackout], now: datetime) -> Blackout | None:
    return next((window for window in blackouts if window.covers(now)), None)


@dataclass(frozen=True)
class WorkerView:
    worker_id: str
    host: str
    pid: int
    alive: bool
    last_seen_at: datetime
    last_dispatch_at: datetime | None
    in_flight: int
    published: int
    failed: int


@dataclass(frozen=True)
class Status:
    paused: bool
    pause_reason: str | None
    paused_by: str
    blackout: Blackout | None
    workers: list[WorkerView]
    queue: dict[str, int]  # delivery state -> count
    cooldowns: dict[str, datetime]  # channel -> until
    channel_states: dict[str, str]


def status(db: Database, now: datetime, blackouts: Sequence[Blackout] = ()) -> Status:
    with db.read() as session:
        control = pause_state(session)
        heartbeats = session.exec(
            select(WorkerHeartbeat).order_by(col(WorkerHeartbeat.last_seen_at).desc())
        ).all()
        workers = [_view(row, now) for row in heartbeats]
        queue = dict(
            session.execute(
                select(col(Delivery.state), func.count()).group_by(col(Delivery.state))
            ).all()
        )
        channels = session.exec(select(Channel)).all()
    return Status(
        paused=control.paused,
        pause_reason=control.reason,
        paused_by=control.changed_by,
        blackout=active_blackout(blackouts, now),
        workers=workers,
        queue=queue,
        cooldowns={
            c.id: c.cooldown_until for c in channels if c.cooldown_until and c.cooldown_until > now
        },
        channel_states={c.id: c.state for c in channels},
    )


def _view(row: WorkerHeartbeat, now: datetime) -> WorkerView:
    return WorkerView(
        worker_id=row.worker_id,
        host=row.host,
        pid=row.pid,
        alive=now - row.last_seen_at < ALIVE_WITHIN and not row.stopping,
        last_seen_at=row.last_seen_at,
        last_dispatch_at=row.last_dispatch_at,
        in_flight=row.in_flight,
        published=row.published,
        failed=row.failed,
    )

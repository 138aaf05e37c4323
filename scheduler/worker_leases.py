"""What a worker writes about itself: its heartbeat (with the leases it still holds renewed)
and, when it stops, the claims it never started handed back.

Kept apart from the dispatch loop (scheduler.worker): these are the worker's bookkeeping rows,
each one write transaction, and `loa worker status` reads what they leave.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import update
from sqlmodel import col

from content.db import Database
from content.models import Attempt, Delivery, DeliveryState, WorkerHeartbeat

D = DeliveryState


def record_heartbeat(
    db: Database, beat: WorkerHeartbeat, ours: Sequence[int], lease_until: datetime
) -> None:
    """Write `beat`, and keep the leases of what the worker is publishing (`ours`) from running
    out while the platform takes its time."""
    with db.write() as session:
        if ours:
            session.execute(
                update(Delivery)
                .where(
                    col(Delivery.id).in_(list(ours)),
                    col(Delivery.lease_owner) == beat.worker_id,
                    col(Delivery.state).in_([D.claimed, D.sending]),
                )
                .values(lease_expires_at=lease_until)
            )
        session.merge(beat)


def release_unstarted(
    db: Database, worker_id: str, not_called: Sequence[int], now: datetime
) -> int:
    """Give back what this worker claimed or marked `sending` but never sent: its own threads
    are the proof the platform was not called, so no attempt is burned. How many went back."""
    with db.write() as session:
        released = list(
            session.execute(
                update(Delivery)
                .where(
                    col(Delivery.lease_owner) == worker_id,
                    col(Delivery.state) == D.claimed,
                )
                .values(state=D.scheduled, lease_owner=None, lease_expires_at=None)
                .returning(col(Delivery.id))
            ).scalars()
        )
        if not_called:
            released += session.execute(
                update(Delivery)
                .where(
                    col(Delivery.id).in_(list(not_called)),
                    col(Delivery.lease_owner) == worker_id,
                    col(Delivery.state) == D.sending,
                )
                .values(
                    state=D.scheduled,
                    attempts=col(Delivery.attempts) - 1,
                    lease_owner=None,
                    lease_expires_at=None,
                )
                .returning(col(Delivery.id))
            ).scalars()
            session.execute(
                update(Attempt)
                .where(
                    col(Attempt.delivery_id).in_(list(not_called)),
                    col(Attempt.outcome) == "sending",
                )
                .values(outcome="released", finished_at=now)
            )
    return len(released)

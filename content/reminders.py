"""The ledger of reminders sent: each reminder key is claimed once, across workers and restarts.

A reminder (a department's monthly digest, a report deadline, an observance's planning window)
has a key naming what it is about: "digest:2026-11:SDL", "deadline:2026:14",
"observance:ASEAN Day:2026". A worker claims a key by inserting its row; on SQLite and
PostgreSQL alike the insert of a key already there does nothing (ON CONFLICT DO NOTHING), so of
two workers racing for one reminder exactly one gets the row and sends it. A worker that went
down simply finds, when it comes back, which reminders of the open windows have no row yet.

The claim comes before the sending: a worker dying between the two loses that one reminder
rather than sending it twice, which suits reminders (a person reads each one).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from content.db import Database
from content.models import SentReminder
from content.timeutil import as_utc

KEY_LENGTH = 200
SUBJECT_LENGTH = 300


def recorded(session: Session, keys: Iterable[str]) -> set[str]:
    """Those of `keys` already claimed (sent, or being sent by another worker)."""
    wanted = list(dict.fromkeys(keys))
    if not wanted:
        return set()
    query = select(col(SentReminder.key)).where(col(SentReminder.key).in_(wanted))
    return set(session.exec(query).all())


def claim(db: Database, key: str, kind: str, subject: str, worker_id: str, now: datetime) -> bool:
    """True when this call recorded `key` (the caller sends the reminder); False when it was
    already there (someone else sent it, or is sending it)."""
    if len(key) > KEY_LENGTH:
        raise ValueError(f"reminder key longer than {KEY_LENGTH} characters: {key[:40]}…")
    values = {
        "key": key,
        "kind": kind,
        "subject": subject[:SUBJECT_LENGTH],
        "worker_id": worker_id[:200],
        "sent_at": as_utc(now),
    }
    insert = postgresql.insert if not db.is_sqlite else sqlite.insert
    statement = (
        insert(SentReminder)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["key"])
        .returning(col(SentReminder.key))
    )
    with db.write() as session:
        return session.execute(statement).first() is not None


def release(db: Database, key: str, worker_id: str) -> None:
    """Forget this worker's claim of `key`: the reminder could not be handed to the alerts,
    so the next run (of any worker) tries it again."""
    with db.write() as session:
        session.execute(
            delete(SentReminder).where(
                col(SentReminder.key) == key, col(SentReminder.worker_id) == worker_id[:200]
            )
        )


def sent_since(session: Session, since: datetime) -> list[SentReminder]:
    """The reminders claimed from `since` on, oldest first."""
    query = (
        select(SentReminder)
        .where(col(SentReminder.sent_at) >= as_utc(since))
        .order_by(col(SentReminder.sent_at), col(SentReminder.key))
    )
    return list(session.exec(query).all())

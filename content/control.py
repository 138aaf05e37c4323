"""Whether publishing is paused (an emergency stop): the database part, shared by all.

The worker (`scheduler.control`) reads the pause before every dispatch; the command line and the
REST API set and clear it. Every change is recorded in the audit trail in the same transaction.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from content import audit
from content.db import Database
from content.errors import FieldProblem, InvalidInput
from content.models import PublishingControl

NO_REASON = FieldProblem(
    "reason",
    "Hãy ghi lý do tạm dừng đăng bài (mọi người sẽ thấy).",
    "say why publishing is paused (everyone will see it)",
)


def pause_state(session: Session) -> PublishingControl:
    """The one control row (a fresh, unpaused one if it was never written)."""
    return session.get(PublishingControl, 1) or PublishingControl(id=1)


def read_pause(db: Database) -> PublishingControl:
    with db.read() as session:
        return pause_state(session)


def set_paused(
    db: Database, paused: bool, actor: str, reason: str | None, now: datetime
) -> PublishingControl:
    """Pause (with a reason, which everyone sees) or resume; a resume clears the reason."""
    reason = (reason or "").strip() or None
    if paused and reason is None:
        raise InvalidInput([NO_REASON], "publishing not paused")
    reason = reason if paused else None
    with db.write() as session:
        row = session.get(PublishingControl, 1) or PublishingControl(id=1)
        row.paused, row.reason, row.changed_by, row.changed_at = paused, reason, actor, now
        session.add(row)
        audit.record(
            session, actor, "publishing.paused" if paused else "publishing.resumed", at=now,
            reason=reason,
        )  # fmt: skip
        return row

"""The append-only audit trail: who did what to which post or channel, and when.

Every change people are told about is audited, so `record` also tells them
(`content.notifications.on_audit`), in the same transaction: no path forgets to.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from content import notifications
from content.models import AuditEvent
from content.timeutil import utcnow


def jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [jsonable(item) for item in value]
    if isinstance(value, dict):
        return {str(key): jsonable(item) for key, item in value.items()}
    return value


def record(
    session: Session,
    actor: str,
    action: str,
    *,
    post_id: int | None = None,
    channel_id: str | None = None,
    at: datetime | None = None,
    **detail: Any,
) -> AuditEvent:
    event = AuditEvent(
        at=at or utcnow(),
        actor=actor,
        action=action,
        post_id=post_id,
        channel_id=channel_id,
        detail=jsonable(detail),
    )
    session.add(event)
    notifications.on_audit(session, event)
    return event


def history(session: Session, post_id: int) -> Sequence[AuditEvent]:
    query = select(AuditEvent).where(AuditEvent.post_id == post_id)
    return session.exec(query.order_by(col(AuditEvent.at), col(AuditEvent.id))).all()

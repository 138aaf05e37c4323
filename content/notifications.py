"""Telling people what happened: in the page (the bell) and by e-mail, as each one chooses.

    tell(session, user_ids, message, now)   one row per person, in the caller's transaction
                                            (in the page, queued for e-mail, or both)
    on_audit(session, event)                the editorial moves and a channel needing
                                            reconnecting, told as they are audited
    unread_count / recent / mark_read ...   what the pages and the API show and change

The post's own moves are told from `content.audit.record`, the one place every path (pages,
API, command line, import) records them, in the same transaction: a move that is rolled back
tells nobody. What the worker finds out later (published, failed, waiting too long) and the
reminders are told by `scheduler.notify`. E-mail is only queued here (`email_state`
"queued"); `scheduler.notify_mail` sends it from the worker, so telling never waits for a
mail server. (person, key) is unique: telling someone the same thing twice does nothing.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from content.errors import FieldProblem, NotFound
from content.models import (
    AuditEvent,
    Channel,
    Notification,
    NotificationPreference,
    Post,
    Role,
    User,
)
from content.notification_text import EVENTS, Message, needs_auth, post_moved
from content.timeutil import as_utc

__all__ = [
    "EVENTS",
    "Message",
    "department_members",
    "email_of",
    "email_problems",
    "everyone",
    "mark_all_read",
    "mark_read",
    "mark_these_read",
    "newsroom",
    "on_audit",
    "preferences",
    "recent",
    "reviewers_of",
    "save_preferences",
    "shown_count",
    "tell",
    "unread_count",
]

log = logging.getLogger(__name__)

TOLD_ACTIONS = frozenset(
    {"post.submitted", "post.approved", "post.rejected", "post.reopened", "channel.needs_auth"}
)
EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s]+\.[^@\s]+")
EMAIL_MAX = 320
# A page shows this many, newest first; older ones stay in the table (they are the ledger).
PAGE_SIZE = 100


@dataclass(frozen=True)
class Choice:
    """A person's choice for one event: shown in the page, mailed."""

    in_page: bool = True
    email: bool = True


# -- who is told ------------------------------------------------------------------------------


def reviewers_of(session: Session, department: str | None) -> list[int]:
    """The department's editors and every administrator: who reviews its posts."""
    query = select(col(User.id)).where(
        col(User.active),
        (col(User.role) == Role.admin)
        | ((col(User.role) == Role.editor) & (col(User.department_code) == department)),
    )
    return _ids(session, query)


def administrators(session: Session) -> list[int]:
    query = select(col(User.id)).where(col(User.active), col(User.role) == Role.admin)
    return _ids(session, query)


def department_members(session: Session, department: str) -> list[int]:
    """The department's officers and editors (its monthly digest is theirs)."""
    query = select(col(User.id)).where(
        col(User.active),
        col(User.department_code) == department,
        col(User.role).in_([Role.officer, Role.editor]),
    )
    return _ids(session, query)


def newsroom(session: Session) -> list[int]:
    """Every department's officers and editors (the yearly report is each department's)."""
    query = select(col(User.id)).where(
        col(User.active),
        col(User.department_code).is_not(None),
        col(User.role).in_([Role.officer, Role.editor]),
    )
    return _ids(session, query)


def everyone(session: Session) -> list[int]:
    return _ids(session, select(col(User.id)).where(col(User.active)))


def _ids(session: Session, query: Any) -> list[int]:
    return [user_id for user_id in session.exec(query).all() if user_id is not None]


# -- telling ----------------------------------------------------------------------------------


def tell(session: Session, user_ids: Iterable[int], message: Message, now: datetime) -> int:
    """Tell each of `user_ids` (inactive accounts skipped) as they chose; how many rows were
    new. Mail goes only to a person with an e-mail address."""
    wanted = sorted(set(user_ids))
    if not wanted:
        return 0
    people: list[tuple[int, str | None]] = [
        (user_id, address)
        for user_id, address in session.exec(
            select(col(User.id), col(User.email)).where(col(User.id).in_(wanted), col(User.active))
        ).all()
        if user_id is not None
    ]
    chosen = _choices(session, [user_id for user_id, _ in people], message.event)
    rows = []
    for user_id, address in people:
        choice = chosen.get(user_id, Choice())
        mail = choice.email and bool(address)
        if not (choice.in_page or mail):
            continue
        rows.append(_row(user_id, message, now, choice.in_page, address if mail else None))
    if not rows:
        return 0
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = (
        dialect.insert(Notification)
        .on_conflict_do_nothing(index_elements=["user_id", "key"])
        .returning(col(Notification.id))
    )
    # One statement each: RETURNING over executemany is not every driver's, and a message
    # goes to a handful of people.
    return sum(len(session.execute(statement, row).all()) for row in rows)


def _row(
    user_id: int, message: Message, now: datetime, in_page: bool, address: str | None
) -> dict[str, object]:
    return {
        "user_id": user_id,
        "event": message.event,
        "key": message.key[:200],
        "title_vi": message.title[0][:300],
        "title_en": message.title[1][:300],
        "body_vi": message.body[0],
        "body_en": message.body[1],
        "link": message.link,
        "post_id": message.post_id,
        "channel_id": message.channel_id,
        "created_at": as_utc(now),
        "in_page": in_page,
        "email_to": address,
        "email_state": "queued" if address else "none",
        "email_attempts": 0,
        "email_due_at": as_utc(now) if address else None,
    }


def on_audit(session: Session, event: AuditEvent) -> None:
    """Tell the people concerned by an audited action, if it is one they are told about.

    Inside a savepoint: a fault in telling is logged and undone, never the move itself."""
    if event.action not in TOLD_ACTIONS:
        return
    try:
        with session.begin_nested():
            _tell_about(session, event)
    except Exception:
        log.exception("could not tell people about %s (post %s)", event.action, event.post_id)


def _tell_about(session: Session, event: AuditEvent) -> None:
    actor_id, actor_name = _person(session, event.actor)
    if event.action == "channel.needs_auth":
        if event.channel_id:
            reason = str((event.detail or {}).get("reason") or "")
            channel = session.get(Channel, event.channel_id)
            name = channel.name if channel is not None and channel.name else event.channel_id
            tell(session, administrators(session), needs_auth(event, reason, name), event.at)
        return
    post = session.get(Post, event.post_id) if event.post_id is not None else None
    message = post_moved(event, post, actor_name) if post is not None else None
    if post is None or message is None:
        return
    if event.action == "post.submitted":
        told = reviewers_of(session, post.department_code)
    else:
        told = [post.author_id] if post.author_id is not None else []
    # Nobody is told what they did themselves (an editor approving their own post).
    tell(session, [uid for uid in told if uid != actor_id], message, event.at)


def _person(session: Session, username: str) -> tuple[int | None, str]:
    found = session.exec(
        select(col(User.id), col(User.full_name)).where(col(User.username) == username)
    ).first()
    return (found[0], found[1] or username) if found else (None, username)


# -- choices ----------------------------------------------------------------------------------


def _choices(session: Session, user_ids: list[int], event: str) -> dict[int, Choice]:
    if not user_ids:
        return {}
    query = select(NotificationPreference).where(
        col(NotificationPreference.user_id).in_(user_ids),
        col(NotificationPreference.event) == event,
    )
    return {row.user_id: Choice(row.in_page, row.email) for row in session.exec(query)}


def preferences(session: Session, user_id: int) -> dict[str, Choice]:
    """Every event's choice for the person, the default where they chose nothing."""
    query = select(NotificationPreference).where(col(NotificationPreference.user_id) == user_id)
    found = {row.event: Choice(row.in_page, row.email) for row in session.exec(query)}
    return {event: found.get(event, Choice()) for event in EVENTS}


def save_preferences(session: Session, user_id: int, chosen: Mapping[str, Choice]) -> None:
    for event in EVENTS:
        choice = chosen.get(event, Choice(False, False))
        row = session.get(NotificationPreference, (user_id, event))
        if row is None:
            row = NotificationPreference(user_id=user_id, event=event)
        row.in_page, row.email = choice.in_page, choice.email
        session.add(row)


def email_problems(address: str) -> list[FieldProblem]:
    """What is wrong with an e-mail address (stripped; blank: none, which is fine)."""
    if not address or (len(address) <= EMAIL_MAX and EMAIL.fullmatch(address)):
        return []
    return [
        FieldProblem(
            "email",
            "Địa chỉ e-mail chưa đúng (ví dụ: ten@thuathienhue.gov.vn).",
            "that is not an e-mail address (for example: name@thuathienhue.gov.vn)",
        )
    ]


def email_of(session: Session, user_id: int) -> str | None:
    user = session.get(User, user_id)
    return user.email if user is not None else None


# -- what the pages show ----------------------------------------------------------------------


def _shown(user_id: int) -> Any:
    return and_(col(Notification.user_id) == user_id, col(Notification.in_page))


def unread_count(session: Session, user_id: int) -> int:
    query = select(func.count()).where(_shown(user_id), col(Notification.read_at).is_(None))
    return int(session.exec(query).one())


def _listed(user_id: int, unread_only: bool) -> Any:
    shown = _shown(user_id)
    return and_(shown, col(Notification.read_at).is_(None)) if unread_only else shown


def recent(
    session: Session,
    user_id: int,
    limit: int = PAGE_SIZE,
    *,
    offset: int = 0,
    unread_only: bool = False,
) -> list[Notification]:
    query = (
        select(Notification)
        .where(_listed(user_id, unread_only))
        .order_by(col(Notification.created_at).desc(), col(Notification.id).desc())
        .offset(offset)
        .limit(limit)
    )
    return list(session.exec(query).all())


def shown_count(session: Session, user_id: int, *, unread_only: bool = False) -> int:
    """How many `recent` pages through."""
    query = select(func.count()).where(_listed(user_id, unread_only))
    return int(session.exec(query).one())


def mark_read(session: Session, user_id: int, notification_id: int, now: datetime) -> str | None:
    """Mark one of the person's own notifications read; its link, or None if not theirs."""
    row = session.get(Notification, notification_id)
    if row is None or row.user_id != user_id or not row.in_page:
        return None
    if row.read_at is None:
        row.read_at = as_utc(now)
        session.add(row)
    return row.link


def mark_these_read(
    session: Session, user_id: int, notification_ids: Iterable[int], now: datetime
) -> int:
    """Mark these of the person's notifications read (all or none): how many were unread.
    One that is not theirs is "not found", as if it did not exist, and nothing changes."""
    wanted = sorted(set(notification_ids))
    if not wanted:
        return 0
    theirs = set(
        session.exec(
            select(col(Notification.id)).where(_shown(user_id), col(Notification.id).in_(wanted))
        ).all()
    )
    missing = [str(number) for number in wanted if number not in theirs]
    if missing:
        listed = ", ".join(f"#{number}" for number in missing)
        raise NotFound(f"no notification {listed}", f"Không có thông báo {listed}.")
    result = session.execute(
        update(Notification)
        .where(col(Notification.id).in_(wanted), col(Notification.read_at).is_(None))
        .values(read_at=as_utc(now))
    )
    return int(getattr(result, "rowcount", 0) or 0)


def mark_all_read(session: Session, user_id: int, now: datetime) -> int:
    result = session.execute(
        update(Notification)
        .where(_shown(user_id), col(Notification.read_at).is_(None))
        .values(read_at=as_utc(now))
    )
    return int(getattr(result, "rowcount", 0) or 0)

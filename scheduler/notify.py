"""Telling people what the worker found out: posts published or failed, posts waiting too long
for review, and the reminders (monthly digest, report deadline, observances).

A periodic job of the worker (`notifications.interval_seconds`), beside publishing, never in
its path: publishing only writes delivery states, and this job reads them afterwards, so a
fault here can neither delay nor fail a post. Each run looks back over a window
(`NotifySettings.lookback`) rather than keeping a cursor: whatever path made a delivery
published (the publish step, reconciling, a native schedule's time passing) or failed is seen,
and telling is idempotent (each message's key is told once per person), so looking twice at
the same delivery tells nobody twice.

    published   once per post, when none of its deliveries is still on its way: the public
                link of each channel it went to
    failed      once per failed try (a retried delivery that fails again is told again)
    waiting     once per post and version, after `review_wait` in review
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from content import notification_text as words
from content import notifications
from content.db import Database
from content.models import (
    FINAL_DELIVERY_STATES,
    Channel,
    Delivery,
    DeliveryState,
    EditorialState,
    Notification,
    Post,
)
from content.timeutil import as_utc, utcnow

log = logging.getLogger(__name__)

D = DeliveryState
# A post is told published once each of its deliveries is here (needs_review waits for a
# person, who may take days: the links already out are worth telling now).
SETTLED = FINAL_DELIVERY_STATES | {D.needs_review}


@dataclass(frozen=True)
class NotifySettings:
    review_wait: timedelta = timedelta(hours=24)
    lookback: timedelta = timedelta(days=2)


@dataclass
class Notifier:
    db: Database
    settings: Callable[[], NotifySettings] = NotifySettings
    clock: Callable[[], datetime] = utcnow

    def run_once(self) -> int:
        """Tell what is new since the lookback; how many notifications were made."""
        settings = self.settings()
        now = as_utc(self.clock())
        since = now - settings.lookback
        with self.db.write() as session:
            made = self._failed(session, since, now)
            made += self._published(session, since, now)
            made += self._waiting(session, now, settings.review_wait)
        if made:
            log.info("notifications: %d made", made)
        return made

    def _failed(self, session: Session, since: datetime, now: datetime) -> int:
        query = select(Delivery).where(
            col(Delivery.state) == D.failed, col(Delivery.updated_at) >= since
        )
        made = 0
        for delivery in session.exec(query).all():
            post = session.get(Post, delivery.post_id)
            if post is None or post.author_id is None or delivery.id is None:
                continue
            outlet = _outlet(session, delivery)
            message = words.failed(post, outlet, delivery.id, delivery.attempts)
            if not _known(session, [message.key]):
                made += notifications.tell(session, [post.author_id], message, now)
        return made

    def _published(self, session: Session, since: datetime, now: datetime) -> int:
        query = select(col(Delivery.post_id)).where(
            col(Delivery.state) == D.published, col(Delivery.published_at) >= since
        )
        post_ids = sorted(set(session.exec(query).all()))
        known = _known(session, [f"post_published:{post_id}" for post_id in post_ids])
        made = 0
        for post_id in post_ids:
            if f"post_published:{post_id}" in known:
                continue
            deliveries = list(session.exec(select(Delivery).where(Delivery.post_id == post_id)))
            if any(d.state not in SETTLED for d in deliveries):
                continue  # told once the last channel is settled
            post = session.get(Post, post_id)
            if post is None or post.author_id is None:
                continue
            outlets = [_outlet(session, d) for d in deliveries if d.state == D.published]
            message = words.published(post, outlets)
            made += notifications.tell(session, [post.author_id], message, now)
        return made

    def _waiting(self, session: Session, now: datetime, wait: timedelta) -> int:
        query = select(Post).where(
            col(Post.state) == EditorialState.in_review, col(Post.updated_at) <= now - wait
        )
        hours = max(1, round(wait.total_seconds() / 3600))
        made = 0
        for post in session.exec(query).all():
            message = words.waiting(post, hours)
            if _known(session, [message.key]):
                continue
            reviewers = notifications.reviewers_of(session, post.department_code)
            told = [uid for uid in reviewers if uid != post.author_id]
            made += notifications.tell(session, told, message, now)
        return made


def _outlet(session: Session, delivery: Delivery) -> words.Outlet:
    channel = session.get(Channel, delivery.channel_id)
    return words.Outlet(
        delivery.channel_id,
        channel.type if channel else "",
        channel.name if channel and channel.name else delivery.channel_id,
        delivery.remote_url,
        delivery.last_error,
    )


def _known(session: Session, keys: Sequence[str]) -> set[str]:
    """Those of `keys` someone was already told."""
    if not keys:
        return set()
    query = select(col(Notification.key)).where(col(Notification.key).in_(list(keys)))
    return set(session.exec(query).all())


def tell_reminder(
    db: Database, key: str, department: str | None, subject: str, body: str, now: datetime
) -> int:
    """A reminder to the people it concerns, by its ledger key's kind: a department's digest
    to its officers and editors, the report deadline to every department's officers and
    editors, an observance to everyone. How many were told (once per person per key)."""
    kind = key.partition(":")[0]
    if department:
        event, link = "digest", "/reports"
    elif kind == "deadline":
        event, link = "deadline", "/reports"
    else:
        event, link = "observance", "/calendar"
    message = words.reminder(event, key, subject, body, link)
    with db.write() as session:
        if department:
            people = notifications.department_members(session, department)
        elif kind == "deadline":
            people = notifications.newsroom(session)
        else:
            people = notifications.everyone(session)
        return notifications.tell(session, people, message, now)

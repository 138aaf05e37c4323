"""Reconciling: a send whose outcome is unknown is settled by asking the platform.

found      -> published, with the platform's id and address (never sent again)
not found  -> scheduled again ("retry", the default) or needs_review, per channel
no answer  -> asked again later; after `max_checks` a person is asked to look (needs_review)

Deliveries being reconciled are leased like claims, so two workers never ask twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import col, select

from channels.base import Channel as Adapter
from channels.base import ChannelError, Receipt
from content.db import Database
from content.models import Attempt, Channel, Delivery, DeliveryState, Post
from content.timeutil import utcnow
from scheduler.publication import MediaPath, build_publication
from scheduler.publish import Alert, mark_published

log = logging.getLogger(__name__)

D = DeliveryState
LOOK_BACK = timedelta(minutes=10)  # platforms' clocks and our send time differ a little
ASK_AGAIN = timedelta(minutes=2)


@dataclass
class Reconciler:
    db: Database
    worker_id: str
    adapter_for: Callable[[str], Adapter]
    media_path: MediaPath
    not_found_policy: Callable[[str], str] = lambda channel_id: "retry"
    alert: Callable[[Alert], None] = lambda alert: None
    clock: Callable[[], datetime] = utcnow
    lease: timedelta = timedelta(minutes=5)
    max_checks: int = 6

    def run_once(self, limit: int = 20) -> dict[str, int]:
        counts = {"found": 0, "not_found": 0, "unanswered": 0}
        for delivery_id in self._lease(limit):
            counts[self._settle(delivery_id)] += 1
        return counts

    def _lease(self, limit: int) -> list[int]:
        now = self.clock()
        with self.db.write() as session:
            due = (
                select(Delivery.id)
                .where(
                    col(Delivery.state) == D.reconciling,
                    col(Delivery.due_at) <= now,
                    (col(Delivery.lease_expires_at).is_(None))
                    | (col(Delivery.lease_expires_at) < now),
                )
                .order_by(col(Delivery.due_at))
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
            ids = list(session.exec(due).all())
            if ids:
                session.execute(
                    update(Delivery)
                    .where(col(Delivery.id).in_(ids))
                    .values(lease_owner=self.worker_id, lease_expires_at=now + self.lease)
                )
            return [i for i in ids if i is not None]

    def _settle(self, delivery_id: int) -> str:
        with self.db.read() as session:
            delivery = session.get(Delivery, delivery_id)
            assert delivery is not None
            post, channel = (
                session.get(Post, delivery.post_id),
                session.get(Channel, delivery.channel_id),
            )
            assert post is not None and channel is not None
            publication = build_publication(session, post, delivery, channel, self.media_path)
            since = (delivery.send_started_at or delivery.created_at) - LOOK_BACK
        try:
            found: Receipt | None = self.adapter_for(channel.id).find(publication, since)
        except ChannelError as error:
            return self._unanswered(delivery_id, str(error))
        return self._record(delivery_id, found)

    def _record(self, delivery_id: int, found: Receipt | None) -> str:
        now = self.clock()
        with self.db.write() as session:
            delivery = session.get(Delivery, delivery_id)
            assert delivery is not None
            if delivery.state != D.reconciling:
                return "found" if delivery.state == D.published else "not_found"
            session.add(
                Attempt(
                    delivery_id=delivery_id,
                    number=delivery.attempts,
                    worker_id=self.worker_id,
                    started_at=now,
                    finished_at=now,
                    outcome="reconciled: found" if found else "reconciled: not found",
                )
            )
            where = f"post={delivery.post_id} channel={delivery.channel_id} delivery={delivery_id}"
            if found is not None:
                mark_published(delivery, found, now)
                log.info("reconciled %s: found %s", where, found.remote_id)
                return "found"
            delivery.lease_owner, delivery.lease_expires_at = None, None
            delivery.updated_at = now
            if self.not_found_policy(delivery.channel_id) == "needs_review":
                delivery.state = D.needs_review
                delivery.last_error = "not found on the platform after an unknown outcome"
                self.alert(_review_alert(delivery, delivery.last_error))
            else:
                delivery.state, delivery.due_at = D.scheduled, now
                delivery.last_error = "not found on the platform: sending again"
            log.warning("reconciled %s: not found -> %s", where, delivery.state)
            return "not_found"

    def _unanswered(self, delivery_id: int, reason: str) -> str:
        now = self.clock()
        with self.db.write() as session:
            delivery = session.get(Delivery, delivery_id)
            assert delivery is not None
            checks = session.exec(
                select(Attempt.id).where(
                    Attempt.delivery_id == delivery_id,
                    col(Attempt.outcome).startswith("reconcile failed"),
                )
            ).all()
            session.add(
                Attempt(
                    delivery_id=delivery_id,
                    number=delivery.attempts,
                    worker_id=self.worker_id,
                    started_at=now,
                    finished_at=now,
                    outcome="reconcile failed",
                    error_message=reason,
                )
            )
            delivery.lease_owner, delivery.lease_expires_at = None, None
            delivery.updated_at = now
            if len(checks) + 1 >= self.max_checks:
                delivery.state = D.needs_review
                delivery.last_error = f"the platform could not be asked: {reason}"
                self.alert(_review_alert(delivery, delivery.last_error))
            else:
                delivery.due_at = now + ASK_AGAIN * (len(checks) + 1)
                delivery.last_error = f"checking the platform failed, asking again: {reason}"
        return "unanswered"


def _review_alert(delivery: Delivery, reason: str) -> Alert:
    return Alert(
        "needs_review",
        f"Loa: cần kiểm tra bài #{delivery.post_id} trên {delivery.channel_id}"
        f" / post #{delivery.post_id} on {delivery.channel_id} needs a look",
        reason,
        delivery.post_id,
        delivery.channel_id,
    )

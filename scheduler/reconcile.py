"""Reconciling: a send whose outcome is unknown is settled by asking the platform.

found      -> published, with the platform's id and address (never sent again)
not found  -> scheduled again ("retry", the default) or needs_review, per channel
no answer  -> asked again later; after `max_checks` a person is asked to look (needs_review)
AuthRequired -> the channel needs reconnecting, exactly as when a publish meets it (needs_auth,
              one alert); the delivery stays reconciling, not asked again until it is reconnected

Deliveries being reconciled are leased like claims, so two workers never ask twice. Only the
deliveries of channels this worker knows (its config.yaml) and that are usable (active or
paused) are asked about; an adapter that cannot be built asks nothing and burns no check.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, col, select

from channels.base import AuthRequired, ChannelError, Receipt
from channels.base import Channel as Adapter
from content.db import Database
from content.models import Attempt, Channel, ChannelState, Delivery, DeliveryState, Post
from content.reasons import Reason
from content.timeutil import utcnow
from scheduler.publication import MediaPath, build_publication
from scheduler.publish import Alert, hold_channel, mark_published
from scheduler.reasons import (
    NOT_FOUND_AGAIN,
    NOT_FOUND_REVIEW,
    alert_body,
    asking_again,
    channel_names,
    could_not_ask,
    not_usable,
    waiting_for_reconnect,
)

log = logging.getLogger(__name__)

D = DeliveryState
LOOK_BACK = timedelta(minutes=10)  # platforms' clocks and our send time differ a little
ASK_AGAIN = timedelta(minutes=2)
ASKABLE = (ChannelState.active, ChannelState.paused)


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
    # The channels this worker can build adapters for; None: every channel in the database
    channels: Callable[[], Collection[str] | None] = lambda: None

    def run_once(self, limit: int = 20) -> dict[str, int]:
        """How many were found, not found, unanswered (and held, when a channel needs auth)."""
        counts = {"found": 0, "not_found": 0, "unanswered": 0}
        for delivery_id in self._lease(limit):
            outcome = self._settle(delivery_id)
            counts[outcome] = counts.get(outcome, 0) + 1
        return counts

    def _lease(self, limit: int) -> list[int]:
        now = self.clock()
        known = self.channels()
        with self.db.write() as session:
            due = (
                select(Delivery.id)
                .join(Channel, col(Channel.id) == col(Delivery.channel_id))
                .where(
                    col(Delivery.state) == D.reconciling,
                    col(Delivery.due_at) <= now,
                    (col(Delivery.lease_expires_at).is_(None))
                    | (col(Delivery.lease_expires_at) < now),
                    col(Channel.state).in_(ASKABLE),
                )
                .order_by(col(Delivery.due_at))
                .limit(limit)
                .with_for_update(skip_locked=True, of=Delivery)
            )
            if known is not None:
                due = due.where(col(Delivery.channel_id).in_(sorted(known)))
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
        except AuthRequired as error:
            return self._held(delivery_id, error.reason)
        except ChannelError as error:
            return self._unanswered(delivery_id, error.reason)
        except Exception as error:  # no adapter for the channel here: nothing was asked
            return self._not_asked(delivery_id, not_usable(error, checked=True))
        return self._record(delivery_id, found)

    def _held(self, delivery_id: int, reason: Reason) -> str:
        """Asking needs credentials a person must renew: the channel is held as a publish would
        hold it, and the delivery waits in `reconciling` (it may be on the platform)."""
        with self.db.write() as session:
            delivery = session.get(Delivery, delivery_id)
            assert delivery is not None
            channel = session.get(Channel, delivery.channel_id)
            assert channel is not None
            hold_channel(session, channel, self.worker_id, reason, self.alert)
            delivery.lease_owner, delivery.lease_expires_at = None, None
            delivery.last_error = waiting_for_reconnect(reason).encode()
            delivery.updated_at = self.clock()
            where = f"post={delivery.post_id} channel={channel.id} delivery={delivery_id}"
        log.error("needs auth while reconciling %s: %s", where, reason.english())
        return "held"

    def _not_asked(self, delivery_id: int, reason: Reason) -> str:
        now = self.clock()
        with self.db.write() as session:
            delivery = session.get(Delivery, delivery_id)
            assert delivery is not None
            delivery.lease_owner, delivery.lease_expires_at = None, None
            delivery.due_at = now + ASK_AGAIN
            delivery.last_error = reason.encode()
            delivery.updated_at = now
        log.error("delivery=%s not reconciled: %s", delivery_id, reason.english())
        return "not_asked"

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
                delivery.last_error = NOT_FOUND_REVIEW.encode()
                self.alert(_review_alert(session, delivery, NOT_FOUND_REVIEW))
            else:
                delivery.state, delivery.due_at = D.scheduled, now
                delivery.last_error = NOT_FOUND_AGAIN.encode()
            log.warning("reconciled %s: not found -> %s", where, delivery.state)
            return "not_found"

    def _unanswered(self, delivery_id: int, reason: Reason) -> str:
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
                    error_message=reason.encode(),
                )
            )
            delivery.lease_owner, delivery.lease_expires_at = None, None
            delivery.updated_at = now
            if len(checks) + 1 >= self.max_checks:
                delivery.state = D.needs_review
                delivery.last_error = could_not_ask(reason).encode()
                self.alert(_review_alert(session, delivery, could_not_ask(reason)))
            else:
                delivery.due_at = now + ASK_AGAIN * (len(checks) + 1)
                delivery.last_error = asking_again(reason).encode()
        return "unanswered"


def _review_alert(session: Session, delivery: Delivery, reason: Reason) -> Alert:
    vi, en = channel_names(session.get(Channel, delivery.channel_id), delivery.channel_id)
    return Alert(
        "needs_review",
        f"Loa: cần kiểm tra bài #{delivery.post_id} trên {vi}"
        f" / post #{delivery.post_id} on {en} needs a look",
        alert_body(reason),
        delivery.post_id,
        delivery.channel_id,
    )

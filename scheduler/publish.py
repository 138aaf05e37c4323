"""Publishing one claimed delivery: the step between the database and a platform.

    1. in one transaction: the lease is still ours -> `sending`, attempts + 1, an Attempt row
       (committed BEFORE the platform is called: a crash after this point is visible)
    2. the platform call, outside any transaction, with the adapter's own timeouts
    3. in one transaction: `published` with the receipt, or what the retry policy decides

Threads receive delivery ids, never ORM objects.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import update
from sqlmodel import Session, col

from channels.base import Channel as Adapter
from channels.base import ChannelError, OutcomeUnknown, Progress, Publication, Receipt
from content import audit
from content.db import Database
from content.models import Attempt, Channel, ChannelState, Delivery, DeliveryState, Post
from content.timeutil import utcnow
from scheduler.publication import MediaPath, build_publication
from scheduler.retry import Decision, Next, RetryPolicy

log = logging.getLogger(__name__)

D = DeliveryState
RECONCILE_AFTER = timedelta(seconds=30)  # let a platform finish what it may be doing


class Outcome(StrEnum):
    published = "published"
    retry = "retry"
    failed = "failed"
    reconcile = "reconciling"
    held = "held"  # the channel needs a person to reconnect it
    lost = "lost"  # the lease was no longer ours: someone else owns the delivery now


@dataclass(frozen=True)
class Alert:
    kind: str  # "failed" | "missed" | "needs_auth" | "needs_review" | "reminder"
    subject: str
    body: str
    post_id: int | None = None
    channel_id: str | None = None


@dataclass
class Publisher:
    db: Database
    worker_id: str
    adapter_for: Callable[[str], Adapter]
    media_path: MediaPath
    policy_for: Callable[[str], RetryPolicy]
    alert: Callable[[Alert], None] = lambda alert: None
    clock: Callable[[], datetime] = utcnow
    lease: timedelta = timedelta(minutes=5)

    def run(self, delivery_id: int, progress: Progress | None = None) -> Outcome:
        started = self._start(delivery_id)
        if started is None:
            return Outcome.lost
        publication, attempt_id = started
        channel_id = publication.channel_id
        receipt: Receipt | None = None
        error: ChannelError | None = None
        try:
            receipt = self.adapter_for(channel_id).publish(publication, progress)
        except ChannelError as failure:
            error = failure
        except Exception as failure:  # an adapter bug after the request may have gone out
            log.exception("delivery %s: adapter raised %r", delivery_id, failure)
            error = OutcomeUnknown(f"unexpected {type(failure).__name__}: {failure}")
        return self._finish(delivery_id, attempt_id, receipt, error)

    def _start(self, delivery_id: int) -> tuple[Publication, int] | None:
        now = self.clock()
        with self.db.write() as session:
            delivery = session.get(Delivery, delivery_id)
            if delivery is None or not self._ours(delivery, now, D.claimed):
                log.warning("delivery %s: lease no longer ours, not sending", delivery_id)
                return None
            post = session.get(Post, delivery.post_id)
            channel = session.get(Channel, delivery.channel_id)
            assert post is not None and channel is not None
            delivery.state = D.sending
            delivery.send_started_at = now
            delivery.attempts += 1
            delivery.lease_expires_at = now + self.lease
            delivery.updated_at = now
            attempt = Attempt(
                delivery_id=delivery_id,
                number=delivery.attempts,
                worker_id=self.worker_id,
                started_at=now,
                outcome="sending",
            )
            session.add(attempt)
            session.flush()
            assert attempt.id is not None
            publication = build_publication(session, post, delivery, channel, self.media_path)
            log.info(
                "sending post=%s channel=%s delivery=%s attempt=%s",
                post.id, channel.id, delivery_id, delivery.attempts,
            )  # fmt: skip
            return publication, attempt.id

    def _ours(self, delivery: Delivery, now: datetime, state: str) -> bool:
        return (
            delivery.state == state
            and delivery.lease_owner == self.worker_id
            and delivery.lease_expires_at is not None
            and delivery.lease_expires_at > now
        )

    def _finish(
        self, delivery_id: int, attempt_id: int, receipt: Receipt | None, error: ChannelError | None
    ) -> Outcome:
        now = self.clock()
        with self.db.write() as session:
            delivery = session.get(Delivery, delivery_id)
            attempt = session.get(Attempt, attempt_id)
            assert delivery is not None and attempt is not None
            attempt.finished_at = now
            if receipt is not None:
                return self._published(session, delivery, attempt, receipt, now)
            assert error is not None
            attempt.error_kind, attempt.error_message = type(error).__name__, str(error)
            if delivery.state != D.sending or delivery.lease_owner != self.worker_id:
                attempt.outcome = "late"  # the reaper or a reconciler took over meanwhile
                return Outcome.lost
            decision = self.policy_for(delivery.channel_id).decide(error, delivery.attempts, now)
            attempt.outcome = decision.next.value
            return self._apply(session, delivery, decision, now)

    def _published(
        self,
        session: Session,
        delivery: Delivery,
        attempt: Attempt,
        receipt: Receipt,
        now: datetime,
    ) -> Outcome:
        attempt.outcome = "published"
        if delivery.state not in (D.sending, D.reconciling):
            return Outcome.lost  # already published by a reconciler that found it
        mark_published(delivery, receipt, now)
        log.info(
            "published post=%s channel=%s delivery=%s remote=%s",
            delivery.post_id, delivery.channel_id, delivery.id, receipt.remote_id,
        )  # fmt: skip
        return Outcome.published

    def _apply(
        self, session: Session, delivery: Delivery, decision: Decision, now: datetime
    ) -> Outcome:
        delivery.lease_owner, delivery.lease_expires_at = None, None
        delivery.last_error = decision.reason
        delivery.updated_at = now
        channel = session.get(Channel, delivery.channel_id)
        assert channel is not None
        until = decision.cooldown_until
        if until is not None and (channel.cooldown_until is None or channel.cooldown_until < until):
            channel.cooldown_until = until
            wait_for_channel(session, channel.id, until)
        where = f"post={delivery.post_id} channel={delivery.channel_id} delivery={delivery.id}"
        if decision.next is Next.retry:
            delivery.state, delivery.due_at = D.scheduled, decision.at
            log.warning("retry %s at %s: %s", where, decision.at, decision.reason)
            return Outcome.retry
        if decision.next is Next.reconcile:
            delivery.state, delivery.due_at = D.reconciling, now + RECONCILE_AFTER
            log.warning("outcome unknown %s: %s", where, decision.reason)
            return Outcome.reconcile
        if decision.next is Next.hold:
            delivery.state = D.scheduled
            delivery.attempts -= 1  # nobody burns attempts on a channel waiting for a person
            hold_channel(session, channel, self.worker_id, decision.reason, self.alert)
            log.error("needs auth %s: %s", where, decision.reason)
            return Outcome.held
        delivery.state = D.failed
        log.error("failed %s: %s", where, decision.reason)
        self.alert(
            Alert(
                "failed",
                f"Loa: bài #{delivery.post_id} không đăng được lên {delivery.channel_id}"
                f" / post #{delivery.post_id} failed on {delivery.channel_id}",
                decision.reason,
                delivery.post_id,
                delivery.channel_id,
            )
        )
        return Outcome.failed


def wait_for_channel(session: Session, channel_id: str, until: datetime) -> None:
    """The channel's other waiting deliveries are now due when its cooldown ends, so the queue
    says when they will really go, and they are not mistaken for posts Loa missed."""
    session.execute(
        update(Delivery)
        .where(
            col(Delivery.channel_id) == channel_id,
            col(Delivery.state) == D.scheduled,
            col(Delivery.due_at) < until,
        )
        .values(due_at=until)
    )


def mark_published(delivery: Delivery, receipt: Receipt, now: datetime) -> None:
    delivery.state = D.published
    delivery.remote_id, delivery.remote_url = receipt.remote_id, receipt.url
    delivery.published_at = receipt.published_at or now
    delivery.lease_owner, delivery.lease_expires_at = None, None
    delivery.last_error = None
    delivery.updated_at = now


def hold_channel(
    session: Session, channel: Channel, actor: str, reason: str, alert: Callable[[Alert], None]
) -> None:
    """The channel waits for a person to reconnect it: recorded and alerted once, not per post."""
    if channel.state == ChannelState.needs_auth:
        return
    channel.state = ChannelState.needs_auth
    audit.record(session, actor, "channel.needs_auth", channel_id=channel.id, reason=reason)
    alert(
        Alert(
            "needs_auth",
            f"Loa: kênh {channel.id} cần kết nối lại / channel {channel.id} needs reconnecting",
            f"{reason}\n\nloa channels connect {channel.id}",
            channel_id=channel.id,
        )
    )

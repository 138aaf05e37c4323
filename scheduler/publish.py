"""Publishing claimed deliveries: the step between the database and a platform.

    1. in one transaction: the lease is still ours -> `sending`, attempts + 1, an Attempt row
       (committed BEFORE the platform is called: a crash after this point is visible)
    2. the platform call, outside any transaction, with the adapter's own timeouts
    3. in one transaction: `published` with the receipt, or what the retry policy decides

Steps 1 and 3 take a session so that the worker can put them in the transaction of its claim:
one commit per dispatch records what finished since the last one, claims, and marks the new
claims `sending` (`start_in`, `record_in`). `start`, `send` and `run` do each step in a
transaction of its own, for one post published in the foreground.

Threads receive `Started` values, never ORM objects.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import bindparam, func, insert, update
from sqlmodel import Session, col

from channels.base import (
    AuthRequired,
    ChannelError,
    OutcomeUnknown,
    Progress,
    Publication,
    Receipt,
)
from channels.base import Channel as Adapter
from content import audit
from content.db import Database
from content.models import Attempt, Channel, ChannelState, Delivery, DeliveryState
from content.reasons import Reason
from content.timeutil import UTCDateTime, utcnow
from scheduler.publication import MediaPath, publications_of
from scheduler.reasons import alert_body, channel_names, not_usable
from scheduler.retry import Decision, Next, RetryPolicy

log = logging.getLogger(__name__)

D = DeliveryState
RECONCILE_AFTER = timedelta(seconds=30)  # let a platform finish what it may be doing
NOT_SENT_WAIT = timedelta(minutes=1)  # a config reload or another worker may know the channel


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


@dataclass(frozen=True)
class Started:
    """A delivery committed as `sending`, with its Attempt row: ready for the platform call."""

    delivery_id: int
    attempt_id: int
    attempt_number: int
    publication: Publication


@dataclass
class Sent:
    """The platform took the post; `published` is not recorded yet."""

    started: Started
    receipt: Receipt
    outcome: Outcome = Outcome.lost  # until it is recorded


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
    # Publish now even where the channel schedules natively (`loa publish --now`): a native
    # channel would otherwise be handed the post for its planned time.
    at_once: bool = False

    def run(self, delivery_id: int, progress: Progress | None = None) -> Outcome:
        """Publish one claimed delivery: `sending`, the platform call, the outcome."""
        started = self.start([delivery_id])
        return self.send(started[0], progress) if started else Outcome.lost

    def start(self, delivery_ids: Sequence[int]) -> list[Started]:
        """`start_in` in a transaction of its own."""
        with self.db.write() as session:
            started = self.start_in(session, delivery_ids, self.clock())
        log_sending(started)
        return started

    def start_in(
        self, session: Session, delivery_ids: Sequence[int], now: datetime
    ) -> list[Started]:
        """Mark `sending` with an Attempt row each delivery whose lease is still ours, and read
        what to publish. Nothing may call the platform before this is committed."""
        if not delivery_ids:
            return []
        connection = session.connection()  # Core statements: the ORM's execute costs as much again
        numbers: dict[int, int] = {
            delivery_id: number
            for delivery_id, number in connection.execute(
                _MARK_SENDING,
                {"ids": list(delivery_ids), "worker": self.worker_id, "now": now,
                 "until": now + self.lease},
            )
        }  # fmt: skip
        if not numbers:
            log.warning("deliveries %s: leases no longer ours, not sending", list(delivery_ids))
            return []
        rows = connection.execute(
            _ADD_ATTEMPT,
            [{"delivery_id": delivery_id, "number": number, "worker_id": self.worker_id,
              "started_at": now, "outcome": "sending"}
             for delivery_id, number in numbers.items()],
        )  # fmt: skip
        attempt_of = {delivery_id: attempt_id for attempt_id, delivery_id in rows}
        publications = publications_of(
            session, list(numbers), self.media_path, native=not self.at_once
        )
        started = []
        for delivery_id in delivery_ids:
            if delivery_id not in numbers:
                log.warning("delivery %s: lease no longer ours, not sending", delivery_id)
                continue
            started.append(
                Started(
                    delivery_id, attempt_of[delivery_id], numbers[delivery_id],
                    publications[delivery_id],
                )
            )  # fmt: skip
        return started

    def send(self, started: Started, progress: Progress | None = None) -> Outcome:
        """`call`, then record what the platform answered in a transaction of its own."""
        result = self.call(started, progress)
        if isinstance(result, Outcome):
            return result
        self.record([result])
        return result.outcome

    def call(self, started: Started, progress: Progress | None = None) -> Sent | Outcome:
        """Call the platform (outside any transaction). A failure is recorded at once, with the
        retry policy's decision; a success comes back to be recorded (`record_in`)."""
        publication = started.publication
        try:
            adapter = self.adapter_for(publication.channel_id)
        except AuthRequired as failure:  # no credentials at all: the same hold as a refusal
            return self._finish(started.delivery_id, started.attempt_id, failure)
        except Exception as failure:  # e.g. a channel this process's config.yaml does not list
            return self._not_sent(started, failure)
        try:
            receipt = adapter.publish(publication, progress)
        except ChannelError as failure:
            return self._finish(started.delivery_id, started.attempt_id, failure)
        except Exception as failure:  # an adapter bug after the request may have gone out
            log.exception("delivery %s: adapter raised %r", started.delivery_id, failure)
            unknown = OutcomeUnknown(
                "lỗi không lường trước trong bộ kết nối kênh, bài có thể đã lên",
                "unexpected error in the adapter, the post may be out",
                f"{type(failure).__name__}: {failure}",
            )
            return self._finish(started.delivery_id, started.attempt_id, unknown)
        return Sent(started, receipt)

    def record(self, batch: Sequence[Sent]) -> None:
        """`record_in` in a transaction of its own. If even that fails, the posts are on the
        platforms all the same: their leases expire and reconciling finds them."""
        if not batch:
            return
        try:
            with self.db.write() as session:
                self.record_in(session, batch, self.clock())
        except Exception:
            log.exception("recording %d publications failed", len(batch))
            for done in batch:
                done.outcome = Outcome.lost
            return
        log_published(batch)

    def record_in(self, session: Session, batch: Sequence[Sent], now: datetime) -> None:
        """`published` with each receipt; sets every item's outcome (logged after the commit)."""
        if not batch:
            return
        connection = session.connection()
        connection.execute(
            _ATTEMPT_PUBLISHED,
            [{"attempt_id": done.started.attempt_id, "now": now} for done in batch],
        )
        for done in batch:
            receipt = done.receipt
            found = connection.execute(
                _MARK_PUBLISHED,
                {"delivery_id": done.started.delivery_id, "remote_id": receipt.remote_id,
                 "remote_url": receipt.url, "at": receipt.published_at or now, "now": now,
                 **_held_until(receipt)},
            ).first()  # fmt: skip
            # Not sending or reconciling: a reconciler found it on the platform first.
            done.outcome = Outcome.published if found else Outcome.lost

    def _finish(self, delivery_id: int, attempt_id: int, error: ChannelError) -> Outcome:
        now = self.clock()
        with self.db.write() as session:
            delivery = session.get(Delivery, delivery_id)
            attempt = session.get(Attempt, attempt_id)
            assert delivery is not None and attempt is not None
            attempt.finished_at = now
            attempt.error_kind, attempt.error_message = type(error).__name__, error.reason.encode()
            if delivery.state != D.sending or delivery.lease_owner != self.worker_id:
                attempt.outcome = "late"  # the reaper or a reconciler took over meanwhile
                return Outcome.lost
            decision = self.policy_for(delivery.channel_id).decide(error, delivery.attempts, now)
            attempt.outcome = decision.next.value
            return self._apply(session, delivery, decision, now)

    def _not_sent(self, started: Started, failure: Exception) -> Outcome:
        """The adapter could not even be built, so the platform was never called: the delivery
        waits (never `reconciling`), and the try does not count."""
        now = self.clock()
        reason = not_usable(failure)
        with self.db.write() as session:
            delivery = session.get(Delivery, started.delivery_id)
            attempt = session.get(Attempt, started.attempt_id)
            assert delivery is not None and attempt is not None
            attempt.finished_at, attempt.outcome = now, "not sent"
            attempt.error_kind, attempt.error_message = type(failure).__name__, reason.encode()
            if delivery.state != D.sending or delivery.lease_owner != self.worker_id:
                return Outcome.lost
            delivery.state, delivery.due_at = D.scheduled, now + NOT_SENT_WAIT
            delivery.attempts -= 1
            delivery.lease_owner, delivery.lease_expires_at = None, None
            delivery.last_error, delivery.updated_at = reason.encode(), now
        log.error("delivery=%s waits: %s", started.delivery_id, reason.english())
        return Outcome.retry

    def _apply(
        self, session: Session, delivery: Delivery, decision: Decision, now: datetime
    ) -> Outcome:
        delivery.lease_owner, delivery.lease_expires_at = None, None
        reason = decision.reason
        delivery.last_error = reason.encode()
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
            log.warning("retry %s at %s: %s", where, decision.at, reason.english())
            return Outcome.retry
        if decision.next is Next.reconcile:
            delivery.state, delivery.due_at = D.reconciling, now + RECONCILE_AFTER
            log.warning("outcome unknown %s: %s", where, reason.english())
            return Outcome.reconcile
        if decision.next is Next.hold:
            delivery.state = D.scheduled
            delivery.attempts -= 1  # nobody burns attempts on a channel waiting for a person
            hold_channel(session, channel, self.worker_id, reason, self.alert)
            log.error("needs auth %s: %s", where, reason.english())
            return Outcome.held
        delivery.state = D.failed
        log.error("failed %s: %s", where, reason.english())
        vi, en = channel_names(channel, delivery.channel_id)
        self.alert(
            Alert(
                "failed",
                f"Loa: bài #{delivery.post_id} không đăng được lên {vi}"
                f" / post #{delivery.post_id} failed on {en}",
                alert_body(reason),
                delivery.post_id,
                delivery.channel_id,
            )
        )
        return Outcome.failed


def log_sending(started: Sequence[Started]) -> None:
    for item in started:
        pub = item.publication
        log.info(
            "sending post=%s channel=%s delivery=%s attempt=%s",
            pub.post_id, pub.channel_id, item.delivery_id, item.attempt_number,
        )  # fmt: skip


def log_published(batch: Sequence[Sent]) -> None:
    for done in batch:
        if done.outcome is Outcome.published:
            pub = done.started.publication
            log.info(
                "published post=%s channel=%s delivery=%s remote=%s",
                pub.post_id, pub.channel_id, done.started.delivery_id, done.receipt.remote_id,
            )  # fmt: skip


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


def _held_until(receipt: Receipt) -> dict[str, object]:
    """A platform holding the post until its time (native scheduling): `handed_over`, due at
    that time (scheduler.corrections counts it published once the time has passed)."""
    if receipt.scheduled_for is None:
        return {"state": D.published, "due": None}
    return {"state": D.handed_over, "due": receipt.scheduled_for, "at": receipt.scheduled_for}


def mark_published(delivery: Delivery, receipt: Receipt, now: datetime) -> None:
    delivery.state = D.published if receipt.scheduled_for is None else D.handed_over
    delivery.due_at = receipt.scheduled_for or delivery.due_at
    delivery.remote_id, delivery.remote_url = receipt.remote_id, receipt.url
    delivery.published_at = receipt.scheduled_for or receipt.published_at or now
    delivery.lease_owner, delivery.lease_expires_at = None, None
    delivery.last_error = None
    delivery.updated_at = now


# The statements of every delivery's hot path, built once (building them costs more than
# running them): `sending` only while the lease is ours, `published` from sending or
# reconciling (the reaper may have moved a slow send along meanwhile).
_DELIVERY = Delivery.__table__  # type: ignore[attr-defined]
_ATTEMPT = Attempt.__table__  # type: ignore[attr-defined]
_NOW = bindparam("now", type_=UTCDateTime())
_MARK_SENDING = (
    update(_DELIVERY)
    .where(
        _DELIVERY.c.id.in_(bindparam("ids", expanding=True)),
        _DELIVERY.c.state == D.claimed,
        _DELIVERY.c.lease_owner == bindparam("worker"),
        _DELIVERY.c.lease_expires_at > _NOW,
    )
    .values(
        state=D.sending,
        send_started_at=_NOW,
        attempts=_DELIVERY.c.attempts + 1,
        lease_expires_at=bindparam("until", type_=UTCDateTime()),
        updated_at=_NOW,
    )
    .returning(_DELIVERY.c.id, _DELIVERY.c.attempts)
)
_ADD_ATTEMPT = insert(_ATTEMPT).returning(_ATTEMPT.c.id, _ATTEMPT.c.delivery_id)
_ATTEMPT_PUBLISHED = (
    update(_ATTEMPT)
    .where(_ATTEMPT.c.id == bindparam("attempt_id"))
    .values(finished_at=_NOW, outcome="published")
)
_MARK_PUBLISHED = (
    update(_DELIVERY)
    .where(
        _DELIVERY.c.id == bindparam("delivery_id"),
        _DELIVERY.c.state.in_((D.sending, D.reconciling)),
    )
    .values(
        state=bindparam("state"),
        due_at=func.coalesce(bindparam("due", type_=UTCDateTime()), _DELIVERY.c.due_at),
        remote_id=bindparam("remote_id"),
        remote_url=bindparam("remote_url"),
        published_at=bindparam("at", type_=UTCDateTime()),
        lease_owner=None,
        lease_expires_at=None,
        last_error=None,
        updated_at=_NOW,
    )
    .returning(_DELIVERY.c.post_id, _DELIVERY.c.channel_id)
)


def hold_channel(
    session: Session, channel: Channel, actor: str, reason: Reason, alert: Callable[[Alert], None]
) -> None:
    """The channel waits for a person to reconnect it: recorded and alerted once, not per post.

    The one path for AuthRequired wherever it is raised: a publish, reconciling, a periodic
    check of the credentials. A channel removed from config.yaml stays retired."""
    if channel.state in (ChannelState.needs_auth, ChannelState.retired):
        return
    channel.state = ChannelState.needs_auth
    audit.record(
        session, actor, "channel.needs_auth", channel_id=channel.id, reason=reason.text("vi")
    )
    vi, en = channel_names(channel, channel.id)
    connect = f"loa channels connect {channel.id}"
    alert(
        Alert(
            "needs_auth",
            f"Loa: kênh {vi} cần kết nối lại / channel {en} needs reconnecting",
            alert_body(reason, (f"Kết nối lại: {connect}", f"Reconnect: {connect}")),
            channel_id=channel.id,
        )
    )

"""Carrying out changes to what a platform already holds, and natively scheduled posts' time.

A `DeliveryChange` (content.corrections) is queued when a post already on a platform is edited,
rescheduled or cancelled. A worker leases it as it leases a publication, and:

    update  -> the fields the adapter can edit (`Capabilities.editable`) go through
               `Editable.update`; the others, or all of them when the adapter cannot edit, are
               kept in `unchanged` so the post page says plainly what to change by hand
    remove  -> `Editable.remove`; the delivery is then cancelled (it is no longer there)

Every try is an Attempt row of the delivery and an audit event; errors go through the channel's
retry policy as a publication's do (AuthRequired holds the channel, Rejected fails with the
platform's reason, anything temporary is tried again later). An update and a remove are
idempotent, so an unknown outcome is simply tried again. Updates wait while their post is not
approved (an update sends the post as it stands in Loa) and while publishing is paused;
removals do not.

`publish_passed` turns a `handed_over` delivery into `published` once its time has come: the
platform publishes it then by itself.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, exists, or_, update
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from channels.base import AuthRequired, ChannelError, Editable, Publication, Receipt, Retryable
from channels.base import Channel as Adapter
from content import audit
from content.db import Database
from content.models import (
    Attempt,
    ChangeAction,
    ChangeState,
    Channel,
    ChannelState,
    Delivery,
    DeliveryChange,
    DeliveryState,
    EditorialState,
    Post,
    PublishingControl,
)
from content.reasons import Reason
from content.timeutil import utcnow
from scheduler.publication import MediaPath, build_publication
from scheduler.publish import Alert, hold_channel
from scheduler.reasons import REMOVED, alert_body, channel_names, not_usable
from scheduler.retry import Next, RetryPolicy

log = logging.getLogger(__name__)

D = DeliveryState
ON_PLATFORM = (D.published, D.handed_over)
NOT_USABLE_WAIT = timedelta(minutes=1)


@dataclass(frozen=True)
class _Work:
    """What one change needs, read in one transaction: threads never hold ORM objects."""

    change_id: int
    delivery_id: int
    post_id: int
    channel_id: str
    action: str
    fields: frozenset[str]
    sent: Receipt
    handed_over: bool


@dataclass
class Corrector:
    db: Database
    worker_id: str
    adapter_for: Callable[[str], Adapter]
    media_path: MediaPath
    policy_for: Callable[[str], RetryPolicy] = lambda channel_id: RetryPolicy()
    alert: Callable[[Alert], None] = lambda alert: None
    clock: Callable[[], datetime] = utcnow
    lease: timedelta = timedelta(minutes=5)
    # The channels this worker can build adapters for; None: every channel in the database
    channels: Callable[[], Collection[str] | None] = lambda: None

    def run_once(self, limit: int = 20) -> dict[str, int]:
        """Count by outcome: done, by_hand, failed, retry, held, superseded (and published)."""
        counts = {"published": self.publish_passed()}
        for change_id in self._lease(limit):
            outcome = self._carry_out(change_id)
            counts[outcome] = counts.get(outcome, 0) + 1
        return counts

    def publish_passed(self) -> int:
        """Handed-over deliveries whose time has come are published: the platform did it."""
        now = self.clock()
        with self.db.write() as session:
            rows = session.exec(
                select(Delivery).where(
                    col(Delivery.state) == D.handed_over, col(Delivery.due_at) <= now
                )
            ).all()
            for delivery in rows:
                delivery.state, delivery.updated_at = D.published, now
                delivery.published_at = delivery.due_at
                audit.record(
                    session, self.worker_id, "delivery.published", post_id=delivery.post_id,
                    channel_id=delivery.channel_id, at=now, state=[D.handed_over, D.published],
                    url=delivery.remote_url,
                )  # fmt: skip
        return len(rows)

    # -- leasing -----------------------------------------------------------------------------

    def _lease(self, limit: int) -> list[int]:
        now = self.clock()
        known = self.channels()
        earlier = aliased(DeliveryChange)
        paused = exists().where(col(PublishingControl.paused).is_(True))
        with self.db.write() as session:
            query = (
                select(DeliveryChange.id)
                .join(Delivery, col(Delivery.id) == col(DeliveryChange.delivery_id))
                .join(Post, col(Post.id) == col(Delivery.post_id))
                .join(Channel, col(Channel.id) == col(Delivery.channel_id))
                .where(
                    or_(
                        and_(
                            col(DeliveryChange.state) == ChangeState.queued,
                            col(DeliveryChange.due_at) <= now,
                        ),
                        # a worker that died while calling the platform: both calls are safe
                        # to make again
                        and_(
                            col(DeliveryChange.state) == ChangeState.working,
                            col(DeliveryChange.lease_expires_at) < now,
                        ),
                    ),
                    col(Channel.state) == ChannelState.active,
                    or_(col(Channel.cooldown_until).is_(None), col(Channel.cooldown_until) <= now),
                    or_(
                        col(DeliveryChange.action) == ChangeAction.remove,
                        and_(col(Post.state) == EditorialState.approved, ~paused),
                    ),
                    ~exists().where(  # one change at a time per delivery, oldest first
                        col(earlier.delivery_id) == col(DeliveryChange.delivery_id),
                        col(earlier.id) < col(DeliveryChange.id),
                        col(earlier.state).in_([ChangeState.queued, ChangeState.working]),
                    ),
                )
                .order_by(col(DeliveryChange.due_at), col(DeliveryChange.id))
                .limit(limit)
                .with_for_update(skip_locked=True, of=DeliveryChange)
            )
            if known is not None:
                query = query.where(col(Delivery.channel_id).in_(sorted(known)))
            ids = [i for i in session.exec(query).all() if i is not None]
            if ids:
                session.execute(
                    update(DeliveryChange)
                    .where(col(DeliveryChange.id).in_(ids))
                    .values(
                        state=ChangeState.working,
                        lease_owner=self.worker_id,
                        lease_expires_at=now + self.lease,
                    )
                )
            return ids

    # -- one change --------------------------------------------------------------------------

    def _carry_out(self, change_id: int) -> str:
        with self.db.read() as session:
            work, publication = self._read(session, change_id)
        if work is None:
            return self._finish(change_id, ChangeState.superseded, "superseded", None)
        started = self.clock()
        try:
            adapter = self.adapter_for(work.channel_id)
        except AuthRequired as error:
            return self._failed(work, started, error)
        except Exception as error:  # e.g. a channel this process's config.yaml does not list
            return self._wait(work, not_usable(error))
        caps = type(adapter).capabilities
        editor = adapter if isinstance(adapter, Editable) else None  # no update yet: by hand
        editable = caps.editable if editor is not None else frozenset()
        try:
            if work.action == ChangeAction.remove:
                if editor is None or not caps.can_remove:
                    return self._by_hand(work, started, {"remove"})
                editor.remove(work.sent)
                return self._removed(work, started)
            if editor is None or not work.fields & editable:
                return self._by_hand(work, started, set(work.fields))
            assert publication is not None
            receipt = editor.update(publication, work.sent)
        except ChannelError as error:
            return self._failed(work, started, error)
        except Exception as error:  # an adapter bug: tried again (both calls are idempotent)
            log.exception("change %s: adapter raised %r", change_id, error)
            unexpected = Retryable(
                "lỗi không lường trước trong bộ kết nối kênh",
                "unexpected error in the adapter",
                f"{type(error).__name__}: {error}",
            )
            return self._failed(work, started, unexpected)
        return self._updated(work, started, receipt, set(work.fields) - editable)

    def _read(self, session: Session, change_id: int) -> tuple[_Work | None, Publication | None]:
        change = session.get(DeliveryChange, change_id)
        delivery = session.get(Delivery, change.delivery_id) if change else None
        if change is None or delivery is None or delivery.state not in ON_PLATFORM:
            return None, None
        post, channel = (
            session.get(Post, delivery.post_id),
            session.get(Channel, delivery.channel_id),
        )
        assert post is not None and channel is not None and delivery.id is not None
        handed_over = delivery.state == D.handed_over
        sent = Receipt(
            delivery.remote_id or "",
            delivery.remote_url,
            delivery.published_at,
            scheduled_for=delivery.due_at if handed_over else None,
        )
        work = _Work(
            change_id, delivery.id, delivery.post_id, delivery.channel_id, change.action,
            frozenset(change.fields), sent, handed_over,
        )  # fmt: skip
        return work, build_publication(session, post, delivery, channel, self.media_path)

    # -- recording ---------------------------------------------------------------------------

    def _updated(self, work: _Work, started: datetime, receipt: Receipt, by_hand: set[str]) -> str:
        now = self.clock()
        with self.db.write() as session:
            delivery = session.get(Delivery, work.delivery_id)
            assert delivery is not None
            delivery.remote_url = receipt.url or delivery.remote_url
            if delivery.state == D.handed_over:
                if receipt.scheduled_for is not None:  # held until the (new) time
                    delivery.due_at = delivery.published_at = receipt.scheduled_for
                else:  # the new time is now: the platform published it at once
                    delivery.state = D.published
                    delivery.published_at = receipt.published_at or now
            delivery.updated_at = now
            self._attempt(session, work, started, "updated")
            state = ChangeState.done
            self._close(session, work, state, sorted(by_hand), None, now)
            audit.record(
                session, self.worker_id, "delivery.updated", post_id=work.post_id,
                channel_id=work.channel_id, at=now, fields=sorted(work.fields - by_hand),
                unchanged=sorted(by_hand), url=delivery.remote_url,
            )  # fmt: skip
        log.info(
            "change %s: updated %s on %s", work.change_id, sorted(work.fields), work.channel_id
        )
        return "done"

    def _removed(self, work: _Work, started: datetime) -> str:
        now = self.clock()
        with self.db.write() as session:
            delivery = session.get(Delivery, work.delivery_id)
            assert delivery is not None
            old = delivery.state
            delivery.state, delivery.updated_at = D.cancelled, now
            delivery.last_error = REMOVED.encode()
            self._attempt(session, work, started, "removed")
            self._close(session, work, ChangeState.done, [], None, now)
            audit.record(
                session, self.worker_id, "delivery.removed", post_id=work.post_id,
                channel_id=work.channel_id, at=now, state=[old, D.cancelled],
            )  # fmt: skip
        log.info("change %s: removed from %s", work.change_id, work.channel_id)
        return "done"

    def _by_hand(self, work: _Work, started: datetime, fields: set[str]) -> str:
        now = self.clock()
        with self.db.write() as session:
            self._attempt(session, work, started, "by hand")
            self._close(session, work, ChangeState.by_hand, sorted(fields), None, now)
            audit.record(
                session, self.worker_id, "delivery.change_by_hand", post_id=work.post_id,
                channel_id=work.channel_id, at=now, unchanged=sorted(fields),
            )  # fmt: skip
        log.warning("change %s: %s cannot change %s", work.change_id, work.channel_id, fields)
        return "by_hand"

    def _failed(self, work: _Work, started: datetime, error: ChannelError) -> str:
        now = self.clock()
        with self.db.write() as session:
            change = session.get(DeliveryChange, work.change_id)
            channel = session.get(Channel, work.channel_id)
            assert change is not None and channel is not None
            change.attempts += 1
            decision = self.policy_for(work.channel_id).decide(error, change.attempts, now)
            attempt = self._attempt(session, work, started, f"{work.action} failed")
            attempt.error_kind, attempt.error_message = type(error).__name__, error.reason.encode()
            change.lease_owner, change.lease_expires_at = None, None
            change.last_error = decision.reason.encode()
            until = decision.cooldown_until
            if until is not None and (
                channel.cooldown_until is None or channel.cooldown_until < until
            ):
                channel.cooldown_until = until
            if decision.next is Next.fail:
                self._close(session, work, ChangeState.failed, [], decision.reason.encode(), now)
                audit.record(
                    session, self.worker_id, "delivery.change_failed", post_id=work.post_id,
                    channel_id=work.channel_id, at=now, change=work.action,
                    reason=decision.reason.text("vi"),
                )  # fmt: skip
                self.alert(_failed_alert(work, decision.reason, channel_names(channel, channel.id)))
                return "failed"
            change.state = ChangeState.queued
            if decision.next is Next.hold:
                change.attempts -= 1  # nobody burns tries on a channel waiting for a person
                hold_channel(session, channel, self.worker_id, decision.reason, self.alert)
                return "held"
            # an unknown outcome is retried too: sending the same update or removal is harmless
            change.due_at = decision.at or now + timedelta(seconds=30)
            return "retry"

    def _wait(self, work: _Work, reason: Reason) -> str:
        now = self.clock()
        with self.db.write() as session:
            change = session.get(DeliveryChange, work.change_id)
            assert change is not None
            change.state, change.due_at = ChangeState.queued, now + NOT_USABLE_WAIT
            change.lease_owner, change.lease_expires_at = None, None
            change.last_error = reason.encode()
        return "retry"

    def _finish(self, change_id: int, state: ChangeState, outcome: str, error: str | None) -> str:
        with self.db.write() as session:
            change = session.get(DeliveryChange, change_id)
            if change is not None:
                change.state, change.finished_at, change.last_error = state, self.clock(), error
                change.lease_owner, change.lease_expires_at = None, None
        return outcome

    def _close(
        self,
        session: Session,
        work: _Work,
        state: ChangeState,
        unchanged: list[str],
        error: str | None,
        now: datetime,
    ) -> None:
        change = session.get(DeliveryChange, work.change_id)
        assert change is not None
        change.state, change.unchanged, change.last_error = state, unchanged, error
        change.finished_at, change.lease_owner, change.lease_expires_at = now, None, None

    def _attempt(self, session: Session, work: _Work, started: datetime, outcome: str) -> Attempt:
        delivery = session.get(Delivery, work.delivery_id)
        attempt = Attempt(
            delivery_id=work.delivery_id, number=delivery.attempts if delivery else 0,
            worker_id=self.worker_id, started_at=started, finished_at=self.clock(),
            outcome=outcome,
        )  # fmt: skip
        session.add(attempt)
        return attempt


def _failed_alert(work: _Work, reason: Reason, names: tuple[str, str]) -> Alert:
    vi, en = names
    return Alert(
        "failed",
        f"Loa: không sửa được bài #{work.post_id} trên {vi}"
        f" / post #{work.post_id} could not be changed on {en}",
        alert_body(reason),
        work.post_id,
        work.channel_id,
    )

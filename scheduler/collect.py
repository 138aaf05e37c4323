"""Collecting figures: the worker's periodic job that reads what published posts achieved.

Each round:

    1. one short write transaction: new published deliveries get their first reading
       (`content.metrics.schedule_new`), and the due readings of usable channels are claimed
       (held for CLAIM_HOLD, so another worker does not read them too)
    2. the platforms are called outside any transaction, one `read_metrics` call per
       `capabilities.metrics_batch` posts, paced within each channel's requests_per_minute;
       channels take turns, so one slow channel does not hold the others back
    3. one short write transaction per call: the readings and the call (`log_call`)

Publishing is never delayed by it: SQLite's write lock is taken only for steps 1 and 3, a few
milliseconds each. Only active channels whose adapter is `Measurable` and that are not cooling
down are read. Errors are handled as publishing handles them, channel by channel (one channel's
failure never stops the others):

    AuthRequired   -> the channel needs_auth (held, one alert); its readings wait for a reconnect
    RateLimited    -> the channel cools down (publishing too: the platform asked to slow down)
    QuotaExceeded  -> the channel cools down until the quota resets
    Retryable      -> its readings are postponed a few minutes
    anything else  -> logged; its readings are postponed an hour

On a quota-limited channel (YouTube) figures never spend the units that today's uploads, made
and still planned, need: readings that do not fit wait for the next quota day.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo

from sqlmodel import col, select

from channels.base import (
    AuthRequired,
    Figures,
    Measurable,
    QuotaExceeded,
    RateLimited,
    Retryable,
)
from channels.base import Channel as Adapter
from content import metrics
from content.db import Database
from content.models import Channel, Delivery, DeliveryMetrics, DeliveryState
from content.quota import quota_day
from content.reasons import Reason
from content.timeutil import as_utc, utcnow
from scheduler.collect_plan import (
    NEEDS_AUTH,
    NO_ANSWER,
    NO_METRICS,
    ROUND_SECONDS,
    STOPPED,
    ChannelTally,
    Lane,
    Summary,
    call_units,
    quota_budget,
    readings_of,
    unusable,
)
from scheduler.publish import Alert, hold_channel

log = logging.getLogger(__name__)

RETRY_WAIT = timedelta(minutes=5)  # a transient fault: read these posts again a bit later
ERROR_WAIT = timedelta(hours=1)  # an adapter bug or a refusal: not worth asking every round
RATE_LIMIT_WAIT = timedelta(minutes=5)  # "slow down" without a figure
QUOTA_WAIT = timedelta(hours=1)  # quota spent, no reset time given, no quota day known
DEFAULT_LIMIT = 500


@dataclass
class Collector:
    db: Database
    worker_id: str
    adapter_for: Callable[[str], Adapter]
    alert: Callable[[Alert], None] = lambda alert: None
    clock: Callable[[], datetime] = utcnow
    tz: tzinfo = field(default_factory=lambda: ZoneInfo("Asia/Ho_Chi_Minh"))
    # The channels this worker can build adapters for; None: every channel in the database
    channels: Callable[[], Collection[str] | None] = lambda: None
    limit: int = DEFAULT_LIMIT  # readings claimed per channel at a time
    stop: threading.Event = field(default_factory=threading.Event)
    monotonic: Callable[[], float] = time.monotonic
    round_seconds: float = ROUND_SECONDS

    def run_once(self) -> Summary:
        """The periodic job: read what is due for at most `round_seconds` (the job's interval:
        a round that outlasted it would only make the clock skip the next one); what a round
        could not read is given back and read by the next."""
        return self.collect(deadline=self.monotonic() + self.round_seconds)

    def collect(
        self,
        *,
        channel_ids: Iterable[str] | None = None,
        post_ids: Iterable[int] | None = None,
        force: bool = False,
        progress: Callable[[int, int], None] | None = None,
        deadline: float | None = None,
    ) -> Summary:
        """Read the due figures (with `force`, every published post of `post_ids` and
        `channel_ids`, due or not) and tell what was read, channel by channel."""
        summary = Summary()
        wanted = None if channel_ids is None else set(channel_ids)
        with self.db.write() as session:
            metrics.schedule_new(session)
        lanes = self._lanes(summary, wanted)
        scope = self._scope(wanted, self._deliveries_of(post_ids), force)
        usable = {lane.channel_id for lane in lanes}
        for channel_id, ids in scope.items():
            if channel_id not in usable:
                summary.of(channel_id).waiting = len(ids)
        forced = [i for c, ids in scope.items() if c in usable for i in ids] if force else None
        total = sum(len(ids) for c, ids in scope.items() if c in usable)
        done = 0

        def advance(count: int) -> None:
            nonlocal done
            done = min(total, done + count)
            if progress is not None:
                progress(done, total)

        advance(0)
        while not self.stop.is_set():
            lanes = [lane for lane in lanes if not lane.stopped]
            if not lanes or (forced is not None and not forced):
                break
            chunk = None
            if forced is not None:
                chunk, forced = forced[: self.limit], forced[self.limit :]
            full = self._claim(lanes, chunk)
            self._read_lanes(lanes, summary, advance, deadline)
            if forced is None and not full:
                break
            if deadline is not None and self.monotonic() >= deadline:
                break
        advance(total)
        return summary

    # -- which channels ----------------------------------------------------------------------

    def _lanes(self, summary: Summary, wanted: set[str] | None) -> list[Lane]:
        now = self.clock()
        known = self.channels()
        with self.db.read() as session:
            rows = session.exec(select(Channel).order_by(col(Channel.id))).all()
        lanes = []
        for row in rows:
            if wanted is not None and row.id not in wanted:
                continue
            why = unusable(row, now, known)
            if why is None:
                lane, why = self._lane(row)
                if lane is not None:
                    lanes.append(lane)
            if why is not None:
                summary.of(row.id).skipped = why
        for channel_id in sorted((wanted or set()) - {row.id for row in rows}):
            summary.of(channel_id).skipped = ("không có kênh này", "no such channel")
        return lanes

    def _lane(self, row: Channel) -> tuple[Lane | None, tuple[str, str] | None]:
        try:
            adapter = self.adapter_for(row.id)
        except AuthRequired as error:
            self._hold(row.id, error.reason)
            return None, NEEDS_AUTH
        except Exception as error:  # e.g. a channel this worker's config.yaml does not list
            log.warning("figures channel=%s: no adapter: %s", row.id, type(error).__name__)
            return None, (
                "không dựng được kết nối tới kênh",
                "the channel's adapter cannot be built",
            )
        caps = adapter.capabilities
        if not isinstance(adapter, Measurable) or not caps.metrics:
            return None, NO_METRICS
        per_minute = row.settings.get("metrics_requests_per_minute", caps.requests_per_minute)
        interval = 60.0 / float(per_minute) if per_minute else 0.0
        lane = Lane(row.id, adapter, caps, interval, call_units(caps, row.settings))
        if row.cooldown_until is not None:  # publishing's pace: read once it has passed
            wait = (as_utc(row.cooldown_until) - self.clock()).total_seconds()
            lane.next_at = self.monotonic() + max(0.0, wait)
        return lane, None

    def _deliveries_of(self, post_ids: Iterable[int] | None) -> list[int] | None:
        if post_ids is None:
            return None
        with self.db.read() as session:
            found = session.exec(
                select(Delivery.id).where(col(Delivery.post_id).in_(list(post_ids)))
            ).all()
        return [i for i in found if i is not None]

    def _scope(
        self, wanted: set[str] | None, delivery_ids: list[int] | None, force: bool
    ) -> dict[str, list[int]]:
        """The readings to make this round by channel, oldest first (with `force`, due or not).
        Read without the write lock; the claims decide what is really read."""
        query = (
            select(DeliveryMetrics.channel_id, DeliveryMetrics.delivery_id)
            .join(Delivery, col(Delivery.id) == col(DeliveryMetrics.delivery_id))
            .where(Delivery.state == DeliveryState.published, col(DeliveryMetrics.gone).is_(False))
            .order_by(col(DeliveryMetrics.next_due_at), col(DeliveryMetrics.delivery_id))
        )
        if not force:
            query = query.where(col(DeliveryMetrics.next_due_at) <= self.clock())
        if wanted is not None:
            query = query.where(col(DeliveryMetrics.channel_id).in_(sorted(wanted)))
        if delivery_ids is not None:
            query = query.where(col(DeliveryMetrics.delivery_id).in_(delivery_ids))
        scope: dict[str, list[int]] = {}
        with self.db.read_connection() as connection:
            for channel_id, delivery_id in connection.execute(query):
                scope.setdefault(channel_id, []).append(delivery_id)
        return scope

    # -- claiming ----------------------------------------------------------------------------

    def _claim(self, lanes: list[Lane], delivery_ids: list[int] | None) -> bool:
        """Claim each lane's readings (the given ones, due or not, when `delivery_ids`);
        whether a lane claimed all it may (more may be due)."""
        now = self.clock()
        force = delivery_ids is not None
        full = False
        with self.db.write() as session:
            for lane in lanes:
                limit = len(delivery_ids) if delivery_ids is not None else self._limit(lane)
                lane.due = metrics.claim_due(
                    session, now, channel_ids=[lane.channel_id], delivery_ids=delivery_ids,
                    limit=limit, force=force,
                )  # fmt: skip
                full = full or len(lane.due) >= limit
        with self.db.read() as session:
            for lane in lanes:
                if lane.due and lane.units:
                    lane.budget = quota_budget(session, lane.channel_id, lane.caps, now)
                    lane.calls_left = lane.budget.calls if lane.budget else None
        return full

    def _limit(self, lane: Lane) -> int:
        return lane.claim_limit(self.limit, self.round_seconds)

    # -- reading -----------------------------------------------------------------------------

    def _read_lanes(
        self,
        lanes: list[Lane],
        summary: Summary,
        advance: Callable[[int], None],
        deadline: float | None,
    ) -> None:
        """Call the platforms, channels taking turns by the time each may next be called,
        until the claims are read, the deadline passes or the worker stops."""
        while not self.stop.is_set():
            ready = [lane for lane in lanes if lane.due]
            if not ready:
                return
            lane = min(ready, key=lambda item: item.next_at)
            if deadline is not None and lane.next_at > deadline:
                break
            wait = lane.next_at - self.monotonic()
            if wait > 0 and self.stop.wait(wait):
                break
            batch, lane.due = lane.due[: lane.batch], lane.due[lane.batch :]
            self._call(lane, batch, summary.of(lane.channel_id))
            lane.next_at = self.monotonic() + lane.interval
            advance(len(batch))
        left = [item.delivery_id for lane in lanes for item in lane.due]
        if left:  # stopping, or out of time: the claims go back, to be read by the next round
            with self.db.write() as session:
                metrics.postpone(session, left, self.clock())
            for lane in lanes:
                lane.due = []

    def _call(self, lane: Lane, batch: list[metrics.Due], tally: ChannelTally) -> None:
        now = self.clock()
        if lane.calls_left is not None and lane.calls_left <= 0:
            assert lane.budget is not None
            # What is left of today's quota is for today's planned uploads: the readings wait
            # for the quota to reset (the channel itself goes on publishing).
            until = as_utc(lane.budget.day_end)
            self._stop_lane(lane, batch, until, "kept", tally, "quota kept", called=False)
            return
        if lane.calls_left is not None:
            lane.calls_left -= 1
        try:
            answers = lane.reader.read_metrics([item.remote_id for item in batch])
        except AuthRequired as error:
            self._hold(lane.channel_id, error.reason)
            self._stop_lane(lane, batch, now, "auth", tally, str(error))
        except RateLimited as error:
            wait = timedelta(seconds=error.retry_after) if error.retry_after else RATE_LIMIT_WAIT
            self._cool(lane.channel_id, now + wait)
            self._stop_lane(lane, batch, now + wait, "rate_limited", tally, str(error))
        except QuotaExceeded as error:
            until = error.until or self._quota_reset(lane)
            self._cool(lane.channel_id, until)
            self._stop_lane(lane, batch, until, "quota", tally, str(error))
        except Retryable as error:
            until = now + RETRY_WAIT
            self._stop_lane(lane, batch, until, "retry", tally, str(error), units=lane.units)
        except Exception as error:  # a refusal or an adapter bug: the other channels go on
            log.exception("figures channel=%s: read_metrics raised", lane.channel_id)
            detail = f"{type(error).__name__}: {error}"
            until = now + ERROR_WAIT
            self._stop_lane(lane, batch, until, "error", tally, detail, units=lane.units)
        else:
            self._record(lane, batch, answers, tally)

    def _record(
        self, lane: Lane, batch: list[metrics.Due], answers: list[Figures], tally: ChannelTally
    ) -> None:
        readings, unanswered = readings_of(answers, batch, lane.caps.metrics, tally)
        now = self.clock()
        with self.db.write() as session:
            metrics.record(session, readings, now, self.tz)
            if unanswered:
                metrics.postpone(session, unanswered, now + RETRY_WAIT)
            metrics.log_call(session, lane.channel_id, now, len(batch), lane.units, "ok")
        tally.calls += 1
        tally.units += lane.units
        if unanswered:
            tally.postponed += len(unanswered)
            tally.missing[("*", *NO_ANSWER)] += len(unanswered)
            log.warning(
                "figures channel=%s: no answer about %d posts", lane.channel_id, len(unanswered)
            )

    # -- when a channel cannot be read -------------------------------------------------------

    def _stop_lane(
        self,
        lane: Lane,
        batch: list[metrics.Due],
        until: datetime,
        outcome: str,
        tally: ChannelTally,
        detail: str,
        *,
        called: bool = True,
        units: int = 0,
    ) -> None:
        """The channel is not read again this round: what is left of its claims waits until
        `until`; a call that was made is logged with what it cost."""
        rest, lane.due, lane.stopped = [*batch, *lane.due], [], True
        now = self.clock()
        with self.db.write() as session:
            metrics.postpone(session, [item.delivery_id for item in rest], until)
            if called:
                metrics.log_call(session, lane.channel_id, now, len(batch), units, outcome)
        tally.calls += called
        tally.units += units
        tally.postponed += len(rest)
        tally.stopped = STOPPED[outcome]
        log.warning(
            "figures channel=%s: %s (%s); %d posts wait until %s",
            lane.channel_id, outcome, detail, len(rest), until.isoformat(timespec="seconds"),
        )  # fmt: skip

    def _hold(self, channel_id: str, reason: Reason) -> None:
        with self.db.write() as session:
            row = session.get(Channel, channel_id)
            if row is not None:
                hold_channel(session, row, self.worker_id, reason, self.alert)
        log.error("needs auth while reading figures channel=%s: %s", channel_id, reason.english())

    def _cool(self, channel_id: str, until: datetime) -> None:
        with self.db.write() as session:
            row = session.get(Channel, channel_id)
            if row is not None and (row.cooldown_until is None or row.cooldown_until < until):
                row.cooldown_until = until

    def _quota_reset(self, lane: Lane) -> datetime:
        if lane.units:
            return as_utc(quota_day(self.clock())[2])
        return self.clock() + QUOTA_WAIT

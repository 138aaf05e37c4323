"""The worker: a small loop that moves due work along. The database is the only source of truth.

APScheduler 3 is only the clock (scheduler.periodic): an in-memory job store with one coalesced
job that ticks the dispatcher about every second, and a few periodic jobs (heartbeat and lease
renewal, reaping expired leases, reconciling, token refresh, metrics, reminders). There is never
one APScheduler job per post and never a shared job store: any number of workers on any number
of machines claim from the same tables, and a worker that was down simply finds the overdue
rows when it comes back.

Between ticks the dispatcher also wakes when a publish finishes (a thread is free) and at the
next due time, so lateness is milliseconds and a busy worker never idles until the next tick.
Each dispatch is one write transaction: it records what the threads published since the last
one, claims, and marks the claims `sending`. One commit instead of three matters because
SQLite has a single writer: the gap between one post of a channel and the next is that
transaction.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from channels.base import Channel as Adapter
from channels.base import Progress
from content.db import Database
from content.models import Channel, DeliveryState, WorkerHeartbeat
from content.timeutil import utcnow
from scheduler.control import Blackout, active_blackout
from scheduler.dispatch import (
    ChannelLimits,
    channel_ids,
    claim,
    mark_missed,
    queue_times,
    reap_expired_leases,
)
from scheduler.periodic import PeriodicJobs, run_until_signalled
from scheduler.publication import MediaPath
from scheduler.publish import Alert, Outcome, Publisher, Sent, Started, log_published, log_sending
from scheduler.reasons import MISSED, alert_body, channel_names
from scheduler.reconcile import Reconciler
from scheduler.retry import RetryPolicy
from scheduler.thread_adapters import PerThreadAdapters
from scheduler.worker_leases import record_heartbeat, release_unstarted

log = logging.getLogger(__name__)

D = DeliveryState
COALESCE_SECONDS = 0.001


@dataclass(frozen=True)
class WorkerSettings:
    threads: int = 4
    dispatch_seconds: float = 1.0
    poll_seconds: float = 0.1  # between ticks, how often an idle worker looks for new due work
    lease_seconds: float = 300.0
    heartbeat_seconds: float = 5.0
    reap_seconds: float = 15.0
    reconcile_seconds: float = 5.0
    shutdown_grace_seconds: float = 30.0
    timezone: str = "Asia/Ho_Chi_Minh"
    default_limits: ChannelLimits = field(default_factory=ChannelLimits)
    limits: Mapping[str, ChannelLimits] = field(default_factory=dict)
    default_policy: RetryPolicy = field(default_factory=RetryPolicy)
    policies: Mapping[str, RetryPolicy] = field(default_factory=dict)
    not_found: Mapping[str, str] = field(default_factory=dict)  # channel -> retry|needs_review
    blackouts: tuple[Blackout, ...] = ()
    # The channels this worker can build adapters for (its config.yaml's); it never claims or
    # reconciles the others, which wait for a worker that knows them. None: every channel.
    channels: frozenset[str] | None = None


class Worker:
    def __init__(
        self,
        db: Database,
        settings: WorkerSettings,
        adapter_for: Callable[[str], Adapter],
        media_path: MediaPath,
        *,
        alert: Callable[[Alert], None] = lambda alert: None,
        worker_id: str | None = None,
        clock: Callable[[], datetime] = utcnow,
        periodic: Mapping[str, tuple[Callable[[], Any], dict[str, Any]]] | None = None,
    ) -> None:
        self.db, self.settings, self.clock, self.alert = db, settings, clock, alert
        self.worker_id = worker_id or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.lease = timedelta(seconds=settings.lease_seconds)
        self._adapters = PerThreadAdapters(adapter_for)
        # Settings are read through self.settings: `reconfigure` replaces them while running.
        self.publisher = Publisher(
            db, self.worker_id, self._adapters.get, media_path,
            lambda channel_id: self.settings.policies.get(channel_id, self.settings.default_policy),
            alert, clock, self.lease,
        )  # fmt: skip
        self.reconciler = Reconciler(
            db, self.worker_id, self._adapters.get, media_path,
            lambda channel_id: self.settings.not_found.get(channel_id, "retry"), alert, clock,
            self.lease, channels=lambda: self.settings.channels,
        )  # fmt: skip
        self.pool = ThreadPoolExecutor(settings.threads, thread_name_prefix="publish")
        self.in_flight: dict[int, Future[Sent | Outcome]] = {}
        self._sent: list[Sent] = []  # published by a thread, recorded by the next dispatch
        self.counts = {"published": 0, "failed": 0}
        self.last_dispatch_at: datetime | None = None
        self._next_due_at: datetime | None = None
        self._routine_due_at: datetime | None = None
        self._backlog = False  # the last claim filled every free thread: more may be due
        self._channels: list[str] = []
        self._not_called: set[int] = set()  # marked `sending`, platform not called yet
        self.started_at = clock()
        self._lock = threading.Lock()
        self._dispatching = threading.Lock()  # stop() waits for a dispatch under way
        self._stopping = threading.Event()
        self._wake = threading.Event()  # a publish finished, a post falls due, or the clock ticked
        self._loop: threading.Thread | None = None
        self._jobs: PeriodicJobs | None = None
        # Jobs beside the built-in ones (scheduler.periodic), by name: (callable, trigger).
        self._periodic = dict(periodic or {})
        self.progress_for: Callable[[int], Progress | None] = lambda delivery_id: None
        self.on_hangup: Callable[[], Any] | None = None  # SIGHUP in run_forever (a reload)

    # -- the dispatch ------------------------------------------------------------------------

    def dispatch_once(self) -> int:
        """Apply the missed rule, then claim as many due deliveries as threads are free."""
        with self._dispatching:
            if self._stopping.is_set():
                return 0
            return self._dispatch()

    def _dispatch(self) -> int:
        now = self.clock()
        with self._lock:
            free = self.settings.threads - len(self.in_flight)
            sent, self._sent = self._sent, []
        # Once per tick: the missed rule and a fresh list of channels. Between ticks a worker
        # with a backlog (its last claim filled every free thread), or with results to record,
        # goes straight to the write transaction; otherwise a read tells whether anything is due.
        routine = self._routine_due_at is None or now >= self._routine_due_at
        if not sent and (routine or not self._backlog):
            due_now, self._next_due_at = self._queue_times(now)
            if not due_now:
                self._backlog = False
                self.last_dispatch_at = now
                return 0
        if free <= 0 and not routine and not sent:
            return 0
        blackout = active_blackout(self.settings.blackouts, now)
        try:
            with self.db.write() as session:
                self.publisher.record_in(session, sent, now)
                missed = mark_missed(session, now) if routine else []
                if routine or not self._channels:
                    self._channels = self._known(channel_ids(session))
                claimed = []
                if blackout is None and free > 0:  # a pause is checked by the claim itself
                    claimed = claim(
                        session, self.worker_id, free, now, self.lease,
                        self.settings.limits, self.settings.default_limits, self._channels,
                    )  # fmt: skip
                started = self.publisher.start_in(
                    session, [item.delivery_id for item in claimed], now
                )
        except Exception:
            self._record(sent)  # on their own: a failed claim must not lose them
            raise
        if routine:
            self._routine_due_at = now + timedelta(seconds=self.settings.dispatch_seconds)
        self._backlog = 0 < free == len(claimed)
        self.last_dispatch_at = now
        log_published(sent)
        self._count(sent)
        if missed:
            with self.db.read() as session:
                names = {c: channel_names(session.get(Channel, c), c) for _, _, c in missed}
            for _, post_id, channel_id in missed:
                self.alert(_missed_alert(post_id, channel_id, names[channel_id]))
        log_sending(started)
        for item in started:
            self._submit(item)
        return len(claimed)

    def _known(self, channels: list[str]) -> list[str]:
        known = self.settings.channels
        return channels if known is None else [c for c in channels if c in known]

    def reconfigure(self, settings: WorkerSettings) -> None:
        """New settings from a reloaded config.yaml: channels, limits, retry policies, blackouts.
        Adapters are built afresh; the thread count, lease and job intervals stay as started."""
        every = self.settings
        self.settings = replace(
            settings,
            threads=every.threads,
            lease_seconds=every.lease_seconds,
            dispatch_seconds=every.dispatch_seconds,
            heartbeat_seconds=every.heartbeat_seconds,
            reap_seconds=every.reap_seconds,
            reconcile_seconds=every.reconcile_seconds,
        )
        self._adapters.renew()
        self._routine_due_at = None  # the next dispatch reads the channel list again
        self._channels = []
        self._wake.set()

    def add_job(self, name: str, job: Callable[[], Any], trigger: dict[str, Any]) -> None:
        """A periodic job beside the built-in ones (before `start`): `{"seconds": n}`, or cron
        fields such as `{"hour": 7, "minute": 0}` (scheduler.periodic)."""
        self._periodic[name] = (job, trigger)

    def flush(self) -> None:
        """Record now what the threads have published (the next dispatch would)."""
        with self._lock:
            sent, self._sent = self._sent, []
        self._record(sent)

    def _record(self, sent: list[Sent]) -> None:
        """Record in a transaction of their own (not the dispatch's) and count them."""
        self.publisher.record(sent)
        self._count(sent)

    def _count(self, sent: list[Sent]) -> None:
        published = sum(done.outcome is Outcome.published for done in sent)
        if published:
            with self._lock:
                self.counts["published"] += published

    def _dispatch_loop(self) -> None:
        """Dispatch when woken: by the clock's tick, when a publish frees a thread, or at the
        next due time, so a post goes out within milliseconds of its time, not of a tick."""
        while not self._stopping.is_set():
            self._wake.wait(self._until_next_due())
            if self._backlog:
                # Threads are finishing one after another: a moment's wait lets one claim and
                # one `sending` transaction serve several of them.
                time.sleep(COALESCE_SECONDS)
            self._wake.clear()
            try:
                self.dispatch_once()
            except Exception:
                log.exception("dispatch failed")

    def _until_next_due(self) -> float:
        # Posts approved for "now" (a retry, a publish-now from the pages) are noticed within
        # a poll, not a whole tick: the read that tells is one index lookup.
        wait = min(self.settings.dispatch_seconds, self.settings.poll_seconds)
        if self._next_due_at is not None:
            wait = min(wait, max(0.0, (self._next_due_at - self.clock()).total_seconds()))
        return wait

    def _queue_times(self, now: datetime) -> tuple[bool, datetime | None]:
        """A read, no write lock: an idle worker neither takes the writer's lock nor sleeps past
        a due time."""
        with self.db.read_connection() as connection:
            return queue_times(connection, now)

    def _submit(self, started: Started) -> None:
        with self._lock:
            self._not_called.add(started.delivery_id)
            future = self.pool.submit(self._publish, started)
            self.in_flight[started.delivery_id] = future

    def _publish(self, started: Started) -> Sent | Outcome:
        delivery_id = started.delivery_id
        with self._lock:
            self._not_called.discard(delivery_id)
        try:
            result = self.publisher.call(started, self.progress_for(delivery_id))
        except Exception:
            log.exception("delivery=%s: publishing crashed; the lease will expire", delivery_id)
            result = Outcome.lost
        with self._lock:
            self.in_flight.pop(delivery_id, None)
            if isinstance(result, Sent):
                self._sent.append(result)
            elif result is Outcome.failed:
                self.counts["failed"] += 1
        if self._stopping.is_set():
            self.flush()  # no dispatch is coming: a send that outlasted the stop records itself
        # Claim again now rather than at the tick: a claim costs the same for one delivery or
        # several, and while the dispatcher is busy further wake-ups fold into one.
        self._wake.set()
        return result

    # -- periodic jobs -----------------------------------------------------------------------

    def heartbeat(self) -> None:
        """Say we are alive, and keep the leases of what we are publishing from running out."""
        now = self.clock()
        with self._lock:
            ours = [*self.in_flight, *(done.started.delivery_id for done in self._sent)]
        beat = WorkerHeartbeat(
            worker_id=self.worker_id,
            host=socket.gethostname(),
            pid=os.getpid(),
            threads=self.settings.threads,
            started_at=self.started_at,
            last_seen_at=now,
            last_dispatch_at=self.last_dispatch_at,
            in_flight=len(ours),
            published=self.counts["published"],
            failed=self.counts["failed"],
            stopping=self._stopping.is_set(),
        )
        record_heartbeat(self.db, beat, ours, now + self.lease)

    def reap(self) -> None:
        with self.db.write() as session:
            reap_expired_leases(session, self.clock())

    def reconcile(self) -> None:
        if not self._stopping.is_set():
            self.reconciler.run_once()

    # -- running -----------------------------------------------------------------------------

    def start(self) -> None:
        every = self.settings
        jobs = PeriodicJobs(every.timezone)
        jobs.every("dispatch", self._wake.set, every.dispatch_seconds)  # the clock's tick
        jobs.every("heartbeat", self.heartbeat, every.heartbeat_seconds)
        jobs.every("reap", self.reap, every.reap_seconds)
        jobs.every("reconcile", self.reconcile, every.reconcile_seconds)
        for name, (job, trigger) in self._periodic.items():
            jobs.add(name, job, trigger)
        self.heartbeat()
        self.reap()  # a restart after a crash frees what the dead worker held, at once
        self._loop = threading.Thread(target=self._dispatch_loop, name="dispatch", daemon=True)
        self._loop.start()
        jobs.start()
        self._jobs = jobs
        log.info("worker %s started with %d threads", self.worker_id, self.settings.threads)

    @property
    def _scheduler(self) -> Any:
        """The running APScheduler (None before `start`)."""
        return self._jobs.scheduler if self._jobs is not None else None

    def stop(self) -> None:
        """Stop claiming; let what is being published finish, and give back what has not begun."""
        self._stopping.set()
        if self._jobs is not None:
            self._jobs.shutdown()
        self._wake.set()
        if self._loop is not None:
            self._loop.join(timeout=10)
        with self._dispatching:  # a dispatch under way finishes submitting before we go on
            pass
        with self._lock:
            pending = list(self.in_flight.values())
        done, not_done = wait(pending, timeout=self.settings.shutdown_grace_seconds)
        self.pool.shutdown(wait=False, cancel_futures=True)
        self.flush()
        with self._lock:
            not_called = sorted(self._not_called)
        released = release_unstarted(self.db, self.worker_id, not_called, self.clock())
        self.heartbeat()
        log.info(
            "worker %s stopped: %d finished, %d still sending (their leases will expire),"
            " %d claims released", self.worker_id, len(done), len(not_done), released,
        )  # fmt: skip

    def run_forever(self) -> None:
        """Run until SIGTERM or SIGINT, then shut down gracefully; SIGHUP calls `on_hangup`
        (reloading config.yaml), on this thread, not inside the signal handler."""
        run_until_signalled(self.start, self.stop, lambda: self.on_hangup)


def _missed_alert(post_id: int, channel_id: str, names: tuple[str, str]) -> Alert:
    vi, en = names
    return Alert(
        "missed",
        f"Loa: bài #{post_id} lỡ giờ đăng trên {vi} / post #{post_id} missed on {en}",
        alert_body(
            MISSED,
            ("Hãy đặt lại giờ đăng để bài được đăng.", "Reschedule the post to publish it."),
        ),
        post_id,
        channel_id,
    )

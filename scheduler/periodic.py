"""The worker's clock: named periodic jobs run by APScheduler 3, each guarded.

The worker registers its own jobs (the dispatch tick, heartbeat, reaping, reconciling) and
the composition root (loa.worker_app) adds the others by name with `Worker.add_job`: token
refresh, corrections, figures collection, config checks, reminders. A job is a callable and a
trigger: `{"seconds": n}` runs it every n seconds, `{"hour": h, "minute": m}` (any cron field
among those) at that local time. One job store in memory, one instance of each job at a time,
missed runs coalesced: the database says what is due, the clock only says when to look.
`run_until_signalled` runs a worker in the foreground until it is told to stop.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

log = logging.getLogger(__name__)

Job = Callable[[], Any]
Trigger = dict[str, Any]
CRON_FIELDS = frozenset({"hour", "minute"})


def guarded(job: Job) -> Callable[[], None]:
    """`job`, logging instead of raising: one failed round must not stop the clock."""

    def run() -> None:
        try:
            job()
        except Exception:
            log.exception("job %s failed", getattr(job, "__name__", job))

    return run


class PeriodicJobs:
    """Jobs by name, started together on one background scheduler in the configured zone."""

    def __init__(self, timezone: str) -> None:
        self.timezone = timezone
        self.jobs: dict[str, tuple[Job, Trigger]] = {}
        self.scheduler: Any = None  # apscheduler's BackgroundScheduler once started

    def add(self, name: str, job: Job, trigger: Trigger) -> None:
        self.jobs[name] = (job, dict(trigger))

    def every(self, name: str, job: Job, seconds: float) -> None:
        self.add(name, job, {"seconds": seconds})

    def start(self) -> None:
        from apscheduler.executors.pool import ThreadPoolExecutor as JobExecutor
        from apscheduler.jobstores.memory import MemoryJobStore
        from apscheduler.schedulers.background import BackgroundScheduler

        scheduler = BackgroundScheduler(
            jobstores={"default": MemoryJobStore()},
            executors={"default": JobExecutor(4)},
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 30},
            timezone=ZoneInfo(self.timezone),
        )
        for name, (job, trigger) in self.jobs.items():
            kind = "cron" if CRON_FIELDS & set(trigger) else "interval"
            scheduler.add_job(guarded(job), kind, id=name, **trigger)
        scheduler.start()
        self.scheduler = scheduler

    def shutdown(self) -> None:
        if self.scheduler is not None:
            self.scheduler.shutdown(wait=False)


def run_until_signalled(
    start: Callable[[], None],
    stop: Callable[[], None],
    hangup_job: Callable[[], Job | None],
) -> None:
    """`start`, then wait for SIGTERM or SIGINT and `stop`; on SIGHUP run the job `hangup_job`
    names (reloading config.yaml), on this thread, never inside the signal handler."""
    stopping, hangup, woken = threading.Event(), threading.Event(), threading.Event()

    def on_signal(number: int, _frame: object) -> None:
        log.info("signal %s: stopping", signal.Signals(number).name)
        stopping.set()
        woken.set()

    def on_hangup(_number: int, _frame: object) -> None:
        hangup.set()
        woken.set()

    for number in (signal.SIGTERM, signal.SIGINT):
        signal.signal(number, on_signal)
    if hangup_job() is not None and hasattr(signal, "SIGHUP"):
        signal.signal(signal.SIGHUP, on_hangup)
    start()
    while not stopping.is_set():
        woken.wait()
        woken.clear()
        job = hangup_job()
        if hangup.is_set() and not stopping.is_set() and job is not None:
            hangup.clear()
            log.info("signal SIGHUP: reloading the configuration")
            guarded(job)()
    stop()

"""Worker benchmarks that print figures (never asserted by the tests). See bench/README.md.

.venv/bin/python -m bench.bench_worker                    # every section, about 6-8 minutes
.venv/bin/python -m bench.bench_worker --only lateness    # one section; repeat --only for more
                                     # sections: lateness, overhead, floor, queue, workers
.venv/bin/python -m bench.bench_worker --postgres URL     # the server for `workers`
.venv/bin/python -m bench.bench_worker --profile          # cProfile top 25 of the bookkeeping

The sandbox runs in this process; the workers run as `loa worker` processes (a separate
interpreter each), except where a section says "in-process". Every section works in its own
temporary folder (config.yaml, SQLite database) and, on PostgreSQL, in a database of its own
that is dropped at the end.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import io
import pstats
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar

from sqlalchemy import func, insert
from sqlmodel import col, select

from bench.crash import (
    FB,
    FB2,
    PAGES,
    WEB,
    WorkerProcess,
    quiet_disconnects,
    secrets_environment,
    set_faults,
    write_config,
)
from channels.base import Account, Capabilities, Problem, Progress, Publication, Receipt
from channels.sandbox import build_sandbox
from channels.sandbox.server import Request, Response, SandboxServer
from content.models import Attempt, Delivery, DeliveryState, Post, User
from content.timeutil import utcnow
from loa.app import App, open_app
from loa.sandbox_setup import connect_all
from loa.worker_app import worker_settings
from scheduler.dispatch import claim
from scheduler.worker import Worker

D = DeliveryState
POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
SECTIONS = ("lateness", "overhead", "floor", "queue", "workers")
CHANNELS = (WEB, FB, FB2)  # fast channels: one request or a few per post


@dataclass
class Figure:
    name: str
    value: float
    unit: str
    goal: str
    ok: bool | None  # None: no goal


results: list[Figure] = []


def record(name: str, value: float, unit: str, goal: str = "", ok: bool | None = None) -> None:
    results.append(Figure(name, value, unit, goal, ok))
    verdict = "" if ok is None else ("  ok" if ok else "  OVER")
    print(f"  {name}: {value:,.3f} {unit}" + (f"  (goal {goal})" if goal else "") + verdict)


def note(text: str) -> None:
    print(f"    {text}")


# -- set-up ----------------------------------------------------------------------------------


class Sandbox:
    """The in-process sandbox: reset between sections, latency on every platform, requests
    counted per channel (the pages are told apart by their id in the path)."""

    def __init__(self) -> None:
        self.server: SandboxServer = build_sandbox(port=0).start()
        quiet_disconnects(self.server)
        self.counts: Counter[str] = Counter()
        self.busy: defaultdict[str, float] = defaultdict(float)  # seconds answering, per channel
        original = self.server.dispatch

        def counted(request: Request, path: str) -> Response | None:
            channel = channel_of(path)
            self.counts[channel] += 1
            began = time.perf_counter()
            try:
                return original(request, path)
            finally:
                self.busy[channel] += time.perf_counter() - began

        self.server.dispatch = counted  # type: ignore[method-assign]

    @property
    def url(self) -> str:
        return self.server.url

    def reset(self, latency_ms: int = 0) -> None:
        import requests

        requests.post(f"{self.url}/_sandbox/reset", json={}, timeout=10).raise_for_status()
        for platform in self.server.platforms:
            set_faults(self.url, platform, latency_ms=latency_ms)
        self.counts.clear()
        self.busy.clear()

    def stop(self) -> None:
        self.server.stop()


def channel_of(path: str) -> str:
    if path.startswith("/wordpress"):
        return WEB
    if path.startswith("/graph"):
        return next((c for c, page in PAGES.items() if f"/{page}/" in path), "graph (other)")
    return "other"


@contextlib.contextmanager
def workspace(
    sandbox: Sandbox,
    *,
    channels: Sequence[str] = CHANNELS,
    worker: Mapping[str, Any] | None = None,
    per_channel: Mapping[str, Mapping[str, Any]] | None = None,
    database: str | None = None,
) -> Iterator[tuple[App, Path]]:
    """A migrated workspace in a temporary folder with its channels connected to the sandbox."""
    with tempfile.TemporaryDirectory(prefix="loa-bench-worker-") as tmp:
        config = write_config(
            Path(tmp),
            sandbox.url,
            channels=channels,
            worker={"lease_seconds": 60, "shutdown_grace_seconds": 10, **(worker or {})},
            per_channel=per_channel,
            database=database,
        )
        app = open_app(config, migrate=True)
        try:
            connect_all(app, sandbox.url)
            sandbox.counts.clear()
            yield app, config
        finally:
            app.close()


@contextlib.contextmanager
def postgres_database(server: str) -> Iterator[str]:
    """A fresh database on the server, dropped afterwards."""
    import psycopg

    name = f"loa_bench_{uuid.uuid4().hex[:10]}"
    admin = server.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{server.rpartition('/')[0]}/{name}"
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def queue(
    app: App, dues: Sequence[tuple[str, datetime]], *, state: str = D.scheduled, chunk: int = 5000
) -> None:
    """One approved post and one delivery per (channel, due time), by bulk insert."""
    now = utcnow()
    with app.db.write() as session:
        author = session.exec(select(User.id).where(User.username == "bientap")).one()
        first = (session.exec(select(func.max(Post.id))).one() or 0) + 1
        run = uuid.uuid4().hex[:6]
        for offset in range(0, len(dues), chunk):
            posts: list[dict[str, Any]] = []
            deliveries: list[dict[str, Any]] = []
            for number, (channel, due) in enumerate(dues[offset : offset + chunk], offset):
                tag = f"[{run}-{number:06d}]"
                posts.append({
                    "id": first + number, "title": f"Tin ASEAN {tag}", "body": (
                    f"Bài thử {tag}: Tuần Văn hóa ASEAN tại Huế."), "hashtags": ["ASEAN"],
                    "topic": "a", "pillar": "ASCC", "department_code": "STTTT",
                    "author_id": author, "state": "approved", "scheduled_at": due,
                    "missed_policy": "publish_late", "grace_minutes": 60, "version": 1,
                    "created_at": now, "updated_at": now,
                })  # fmt: skip
                deliveries.append({
                    "post_id": first + number, "channel_id": channel, "overrides": {},
                    "state": state, "due_at": due, "attempts": 0, "created_at": now,
                    "updated_at": now,
                })  # fmt: skip
            session.execute(insert(Post), posts)
            session.execute(insert(Delivery), deliveries)


def round_robin(count: int, due: Callable[[int], datetime]) -> list[tuple[str, datetime]]:
    return [(CHANNELS[number % len(CHANNELS)], due(number)) for number in range(count)]


def all_due(count: int, when: datetime) -> list[tuple[str, datetime]]:
    return [(CHANNELS[number % len(CHANNELS)], when) for number in range(count)]


def published(app: App) -> int:
    with app.db.read() as session:
        return session.exec(
            select(func.count()).select_from(Delivery).where(col(Delivery.state) == D.published)
        ).one()


def wait_for(app: App, count: int, timeout: float, poll: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if published(app) >= count:
            return True
        time.sleep(poll)
    return False


@dataclass(frozen=True)
class Timing:
    due: datetime
    started: datetime
    finished: datetime
    channel_id: str = ""


def timings(app: App) -> list[Timing]:
    """First attempt of every published delivery: its due time, start and end."""
    with app.db.read() as session:
        rows = session.exec(
            select(Delivery.due_at, Attempt.started_at, Attempt.finished_at, Delivery.channel_id)
            .join(Attempt, col(Attempt.delivery_id) == col(Delivery.id))
            .where(col(Delivery.state) == D.published, col(Attempt.number) == 1)
        ).all()
    return [
        Timing(due, start, end, channel)
        for due, start, end, channel in rows
        if due and start and end
    ]


def lane_use(found: Sequence[Timing], cap: int) -> tuple[float, float]:
    """A channel's mean attempt (from `sending` committed to `published` committed) and mean
    time its `cap` lanes stood idle per delivery, between its first start and its last end."""
    busy = sum((t.finished - t.started).total_seconds() for t in found)
    window = (max(t.finished for t in found) - min(t.started for t in found)).total_seconds()
    return busy / len(found), (cap * window - busy) / len(found)


def span(found: Sequence[Timing]) -> float:
    """From the first due time to the end of the last publication."""
    return (max(t.finished for t in found) - min(t.due for t in found)).total_seconds()


def percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


class NoHttpAdapter:
    """A TEST DOUBLE for the overhead figures: publishes nothing, answers at once."""

    type: ClassVar[str] = "no-http"
    capabilities: ClassVar[Capabilities] = Capabilities()
    connect_kind: ClassVar[Any] = "token"

    @classmethod
    def check(cls, pub: Publication) -> list[Problem]:
        return []

    def publish(self, pub: Publication, progress: Progress | None = None) -> Receipt:
        return Receipt(f"mem-{pub.post_id}-{pub.channel_id}", None, datetime.now(UTC))

    def find(self, pub: Publication, since: datetime) -> Receipt | None:
        return None

    def verify(self) -> Account:
        return Account("mem", "no-HTTP adapter")


def in_process_worker(app: App, threads: int) -> Worker:
    return Worker(
        app.db,
        worker_settings(app, threads),
        lambda channel_id: NoHttpAdapter(),
        app.media.path_of,
        worker_id=f"bench:{uuid.uuid4().hex[:6]}",
    )


def tight_loop(worker: Worker, count: int, timeout: float = 120.0) -> float:
    """dispatch_once over and over (not how `loa worker` runs: its clock calls it once a
    second); returns the seconds until `count` deliveries were published or failed."""
    began = time.perf_counter()
    deadline = began + timeout
    while sum(worker.counts.values()) < count and time.perf_counter() < deadline:
        if worker.dispatch_once() == 0:
            time.sleep(0.0005)
    elapsed = time.perf_counter() - began
    worker.pool.shutdown(wait=True)
    return elapsed


# -- the sections ----------------------------------------------------------------------------


def bench_lateness(sandbox: Sandbox, env: Mapping[str, str], args: argparse.Namespace) -> None:
    """~500 deliveries due over a minute; lateness = first attempt's start - due time. Run with
    the default dispatch interval (the figure), then with a shorter one (for comparison)."""
    for interval in (1.0, *args.lateness_intervals):
        lateness_run(sandbox, env, args.lateness_count, interval, figure=interval == 1.0)


def lateness_run(
    sandbox: Sandbox, env: Mapping[str, str], count: int, interval: float, *, figure: bool
) -> None:
    window, threads = 60.0, 8
    print(
        f"lateness: {count} deliveries due over {window:.0f} s, 50 ms sandbox latency,"
        f" `loa worker --threads {threads}`, SQLite, dispatch_interval_seconds {interval}"
    )
    sandbox.reset(latency_ms=50)
    with workspace(sandbox, worker={"dispatch_interval_seconds": interval}) as (app, config):
        worker = WorkerProcess(config, env, config.parent / "worker.log", threads).start()
        worker.wait_started()
        start = utcnow() + timedelta(seconds=1)
        queue(app, round_robin(count, lambda n: start + timedelta(seconds=window * n / count)))
        done = wait_for(app, count, window + 90)
        worker.terminate(30)
        found = timings(app)
    late = [(t.started - t.due).total_seconds() for t in found]
    if not done:
        note(f"only {len(found)} of {count} were published in time")
    suffix = "" if figure else f" (dispatch_interval_seconds {interval}, for comparison)"
    p99 = percentile(late, 0.99)
    record(f"lateness p50{suffix}", statistics.median(late), "s")
    record(
        f"lateness p99{suffix}", p99, "s", "< 1 s" if figure else "", p99 < 1.0 if figure else None
    )
    record(f"lateness max{suffix}", max(late), "s")


def bench_overhead(sandbox: Sandbox, env: Mapping[str, str], args: argparse.Namespace) -> None:
    """Deliveries per second of one worker on SQLite, against a sandbox without latency."""
    count, threads, limit = args.overhead_count, 8, args.overhead_seconds
    caps = {channel: {"max_concurrent": threads} for channel in CHANNELS}
    print(
        f"overhead: {count} deliveries due now to {', '.join(CHANNELS)} (max_concurrent"
        f" {threads} each), threads {threads}, SQLite, sandbox without latency"
    )
    sandbox.reset(latency_ms=0)
    with workspace(sandbox, per_channel=caps) as (app, config):
        worker = WorkerProcess(config, env, config.parent / "worker.log", threads).start()
        worker.wait_started()
        start = utcnow()
        queue(app, all_due(count, start))
        wait_for(app, count, limit)
        worker.terminate(30)
        found = timings(app)
    rate = len(found) / span(found)
    note(f"published {len(found)} of {count} in {span(found):.1f} s (stopped after {limit:.0f} s)")
    record("loa worker, real adapters", rate, "deliveries/s", ">= 500/s", rate >= 500)

    with workspace(sandbox, per_channel=caps) as (app, _config):
        worker_ = in_process_worker(app, threads)
        start = utcnow()
        queue(app, all_due(count, start))
        worker_.start()
        wait_for(app, count, limit)
        worker_.stop()
        found = timings(app)
    rate = len(found) / span(found)
    note(f"published {len(found)} of {count} in {span(found):.1f} s")
    record(
        "in-process Worker + its clock, no-HTTP adapter",
        rate,
        "deliveries/s",
        ">= 500/s",
        rate >= 500,
    )

    with workspace(sandbox, per_channel=caps) as (app, _config):
        worker_ = in_process_worker(app, threads)
        queue(app, all_due(count, utcnow()))
        seconds = tight_loop(worker_, count)
    rate = worker_.counts["published"] / seconds
    record(
        "claim + bookkeeping capacity (dispatch_once in a tight loop, no-HTTP adapter)",
        rate,
        "deliveries/s",
    )


def bench_floor(sandbox: Sandbox, env: Mapping[str, str], args: argparse.Namespace) -> None:
    """Total time of N deliveries against the least time latency and concurrency allow."""
    count, threads, latency = args.floor_count, 8, 0.05
    print(
        f"floor: {count} deliveries due now to {', '.join(CHANNELS)}, 50 ms sandbox latency,"
        f" threads {threads}, default channel limits, SQLite"
    )
    sandbox.reset(latency_ms=50)
    with workspace(sandbox) as (app, config):
        limits = worker_settings(app, threads).limits
        worker = WorkerProcess(config, env, config.parent / "worker.log", threads).start()
        worker.wait_started()
        start = utcnow()
        queue(app, all_due(count, start))
        wait_for(app, count, 300)
        worker.terminate(30)
        found = timings(app)
        requests_made, busy = Counter(sandbox.counts), dict(sandbox.busy)
    total = span(found)
    floors, measured = {}, {}
    for channel in CHANNELS:
        limit = limits[channel]  # as the claim applies it: a paced channel starts one at a time
        cap = min(threads, 1 if limit.min_interval_seconds > 0 else max(1, limit.max_concurrent))
        floors[channel] = requests_made[channel] * latency / cap
        measured[channel] = busy.get(channel, 0.0) / cap
        per_delivery = requests_made[channel] / (count / len(CHANNELS))
        note(
            f"{channel}: {requests_made[channel]} requests ({per_delivery:.2f} per delivery),"
            f" max_concurrent {cap} -> floor {floors[channel]:.2f} s; the sandbox took"
            f" {busy.get(channel, 0.0) / max(1, requests_made[channel]) * 1000:.0f} ms a request"
            f" -> {measured[channel]:.2f} s"
        )
        attempt, idle = lane_use([t for t in found if t.channel_id == channel], cap)
        note(
            f"  a delivery held a lane {attempt * 1000:.1f} ms ({per_delivery * latency * 1000:.1f}"
            f" ms of it platform latency); lanes stood idle {idle * 1000:.1f} ms per delivery"
        )
    floor = max(*floors.values(), sum(requests_made[c] for c in CHANNELS) * latency / threads)
    served = max(*measured.values(), sum(busy.get(c, 0.0) for c in CHANNELS) / threads)
    record("floor (requests x latency / allowed concurrency)", floor, "s")
    record("total time (due time to the end of the last attempt)", total, "s")
    record("total / floor", total / floor, "x", "<= 1.15x", total / floor <= 1.15)
    record(
        "floor from the sandbox's own answer times (latency + its processing + its locks)",
        served,
        "s",
    )
    record("total / that floor", total / served, "x")


def bench_queue(sandbox: Sandbox, env: Mapping[str, str], args: argparse.Namespace) -> None:
    """100,000 deliveries queued for later and 1,000 due now: one dispatch, and the RSS."""
    future, due_now, threads = args.queued, 1000, 8
    print(
        f"queue: {future:,} deliveries due over the next year + {due_now:,} due now, SQLite,"
        f" threads {threads}"
    )
    sandbox.reset(latency_ms=0)
    with workspace(sandbox) as (app, config):
        began = time.perf_counter()
        now = utcnow()
        later = round_robin(future, lambda n: now + timedelta(minutes=10 + n * 5))
        queue(app, later + all_due(due_now, now))
        note(
            f"set-up: bulk insert of {future + due_now:,} posts and deliveries"
            f" {time.perf_counter() - began:.1f} s (not a figure)"
        )
        worker_ = in_process_worker(app, threads)
        times = []
        for _ in range(10):
            began = time.perf_counter()
            claimed = worker_.dispatch_once()
            times.append(time.perf_counter() - began)
            while worker_.in_flight:
                time.sleep(0.001)
            assert claimed > 0
        worker_.stop()  # records the last round, as its next dispatch would
        record(
            "one dispatch_once (records the last round, claims up to 8) with 101,000 queued,"
            " median of 10",
            statistics.median(times) * 1000,
            "ms",
        )
        idle = in_process_worker(app, threads)
        table: Any = Delivery.__table__  # type: ignore[attr-defined]
        scheduled = table.c.state == D.scheduled
        away = utcnow() + timedelta(days=400)
        with app.db.write() as session:  # nothing due now: the read that lets a worker idle
            session.execute(
                table.update().where(scheduled, table.c.due_at <= utcnow()).values(due_at=away)
            )
        began = time.perf_counter()
        for _ in range(10):
            idle.dispatch_once()
        record(
            "one idle dispatch_once with 101,000 queued, mean of 10",
            (time.perf_counter() - began) * 100,
            "ms",
        )
        idle.pool.shutdown()
        with app.db.write() as session:  # due again, for the worker process
            session.execute(
                table.update().where(scheduled, table.c.due_at == away).values(due_at=utcnow())
            )

        worker = WorkerProcess(config, env, config.parent / "worker.log", threads).start()
        worker.wait_started()
        before, peak, began = published(app), 0, time.monotonic()
        target, took = due_now, None
        while time.monotonic() - began < args.rss_seconds:
            peak = max(peak, worker.rss_kib())
            if took is None and published(app) >= target:
                took = time.monotonic() - began
            time.sleep(0.25)
        sent = published(app) - before
        worker.terminate(30)
    note(
        f"the worker process ran {args.rss_seconds:.0f} s and published the {sent} due"
        + (f" in {took:.1f} s (polled every 0.25 s)" if took else " (not all of them)")
    )
    if took:
        record("loa worker with 101,000 queued, default limits", sent / took, "deliveries/s")
    record("worker RSS peak with 101,000 queued", peak / 1024, "MB", "< 150 MB", peak < 150 * 1024)


def bench_workers(sandbox: Sandbox, env: Mapping[str, str], args: argparse.Namespace) -> None:
    """Throughput of 1 and of 4 worker processes on PostgreSQL.

    The workers stand for machines of their own, but here they share two cores with the
    sandbox and PostgreSQL: with a platform answering in 50 ms one worker already keeps the
    cores busy, and four cannot do more however well they share the queue. With a slower
    platform (`--workers-latency-ms`, 500 by default) each worker waits on the network, as on
    its own machine, and the figure shows what the shared queue allows.
    """
    count, threads, latency = args.workers_count, 8, args.workers_latency_ms
    caps = {channel: {"max_concurrent": 64} for channel in CHANNELS}
    print(
        f"workers: {count} deliveries due now, PostgreSQL, {latency} ms sandbox latency, threads"
        f" {threads} per worker, max_concurrent 64 per channel (so the channel limits do not"
        " cap the comparison)"
    )
    rates = {}
    for workers in (1, 4):
        sandbox.reset(latency_ms=latency)
        with (
            postgres_database(args.postgres) as url,
            workspace(sandbox, per_channel=caps, database=url) as (app, config),
        ):
            processes = [
                WorkerProcess(config, env, config.parent / f"worker-{n}.log", threads).start()
                for n in range(workers)
            ]
            for process in processes:
                process.wait_started()
            start = utcnow()
            queue(app, all_due(count, start))
            wait_for(app, count, 300)
            for process in processes:
                process.terminate(30)
            found = timings(app)
            app.db.dispose()
        rates[workers] = len(found) / span(found)
        record(f"{workers} worker{'s' if workers > 1 else ''}", rates[workers], "deliveries/s")
    ratio = rates[4] / rates[1]
    record("4 workers / 1 worker", ratio, "x", ">= 3x", ratio >= 3)


# -- profile ---------------------------------------------------------------------------------


def profile_bookkeeping(sandbox: Sandbox, count: int = 1000) -> None:
    """What one delivery costs the worker besides the platform: claim, `sending`, the Attempt
    row, `published`, on one thread so cProfile sees all of it (no-HTTP adapter)."""
    print(f"profile: claim + Publisher.run for {count} deliveries, one thread, no-HTTP adapter")
    sandbox.reset()
    with workspace(sandbox) as (app, _config):
        worker = in_process_worker(app, 8)
        queue(app, all_due(count, utcnow()))
        settings = worker.settings
        profiler = cProfile.Profile()
        done, began = 0, time.perf_counter()
        profiler.enable()
        while done < count:
            now = utcnow()
            with app.db.write() as session:
                claimed = claim(
                    session,
                    worker.worker_id,
                    8,
                    now,
                    worker.lease,
                    settings.limits,
                    settings.default_limits,
                )
            for item in claimed:
                worker.publisher.run(item.delivery_id)
            done += len(claimed)
        profiler.disable()
        seconds = time.perf_counter() - began
        worker.pool.shutdown()
    print(f"  {count / seconds:,.0f} deliveries/s on one thread under the profiler")
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(25)
    print(out.getvalue())


# -- main ------------------------------------------------------------------------------------


def summary() -> None:
    print("\nsummary")
    shown = [(f.name, f"{f.value:,.2f} {f.unit}", f.goal, f.ok) for f in results]
    width = max(len(name) for name, *_ in shown)
    values = max(len(value) for _, value, *_ in shown)
    print(f"  {'figure'.ljust(width)}  {'value'.rjust(values)}  {'goal':<10}  result")
    for name, value, goal, ok in shown:
        verdict = "" if ok is None else ("ok" if ok else "over")
        print(f"  {name.ljust(width)}  {value.rjust(values)}  {goal:<10}  {verdict}".rstrip())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Worker benchmarks (figures, not tests).")
    parser.add_argument("--only", action="append", choices=SECTIONS)
    parser.add_argument("--postgres", default=POSTGRES)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--lateness-count", type=int, default=500)
    parser.add_argument(
        "--lateness-intervals",
        type=float,
        nargs="*",
        default=[0.25],
        help="dispatch intervals to compare with the default 1 s (none: skip the comparison)",
    )
    parser.add_argument("--overhead-count", type=int, default=2000)
    parser.add_argument("--overhead-seconds", type=float, default=30.0)
    parser.add_argument("--floor-count", type=int, default=240)
    parser.add_argument("--queued", type=int, default=100_000)
    parser.add_argument("--rss-seconds", type=float, default=20.0)
    parser.add_argument("--workers-count", type=int, default=960)
    parser.add_argument("--workers-latency-ms", type=int, default=500)
    args = parser.parse_args(argv)
    sections: dict[str, Callable[[Sandbox, Mapping[str, str], argparse.Namespace], None]] = {
        "lateness": bench_lateness,
        "overhead": bench_overhead,
        "floor": bench_floor,
        "queue": bench_queue,
        "workers": bench_workers,
    }
    chosen = args.only or list(SECTIONS)
    sandbox = Sandbox()
    began = time.monotonic()
    try:
        with secrets_environment() as env:
            for name in chosen:
                sections[name](sandbox, env, args)
            if args.profile or any(f.ok is False for f in results):
                profile_bookkeeping(sandbox)
    finally:
        sandbox.stop()
    summary()
    print(f"\nwhole run: {time.monotonic() - began:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
